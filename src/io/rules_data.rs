//! Small rule tables: the metropolitan-area list and declared memberships.

use std::path::Path;

use super::table::Table;
use super::ReadError;
use crate::registry::MuniCode;

/// The built-in metropolitan-area approximation (`data/metro_areas.csv`).
pub const BUILTIN_METRO_AREAS: &str = include_str!("../../data/metro_areas.csv");

/// One row of a metro-area table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MetroRow {
    /// Metro name (首都圏, 中部圏, 近畿圏).
    pub metro: String,
    /// What the row adds.
    pub entry: MetroEntry,
}

/// What a metro row adds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MetroEntry {
    /// Every municipality of a prefecture is inside the metro.
    Prefecture(u8),
    /// One municipality is inside the metro.
    Municipality(MuniCode),
    /// A designated city or special ward of the metro (the destinations of the < 0.1 test);
    /// also inside the metro.
    Core(MuniCode),
}

/// Reads a metro table `metro,type,code[,name]` (`type` = prefecture | municipality | core),
/// or the built-in approximation when `path` is `None`.
///
/// # Errors
/// [`ReadError`] for a missing column, an unknown type or a malformed code, with the line.
pub fn read_metro_areas(path: Option<&Path>) -> Result<Vec<MetroRow>, ReadError> {
    let table = match path {
        Some(p) => Table::read(p)?,
        None => Table::from_csv_bytes(
            Path::new("data/metro_areas.csv (built in)"),
            BUILTIN_METRO_AREAS.as_bytes(),
        )?,
    };
    let metros = table.text(table.column("metro", &["metro"])?)?;
    let types = table.text(table.column("type", &["type"])?)?;
    let codes = table.text(table.column("code", &["code"])?)?;
    let mut rows = Vec::with_capacity(table.height());
    for i in 0..table.height() {
        let code = codes[i].clone().unwrap_or_default();
        let bad = |expected| ReadError::BadCode {
            path: table.path.clone(),
            record: table.record_text(i),
            column: "code".to_string(),
            value: code.clone(),
            expected,
        };
        let entry = match types[i].as_deref() {
            Some("prefecture") => {
                let p: u8 = code
                    .parse()
                    .ok()
                    .filter(|p| *p > 0 && code.len() == 2)
                    .ok_or_else(|| bad("a 2-digit prefecture code such as 13"))?;
                MetroEntry::Prefecture(p)
            }
            Some("municipality") => {
                MetroEntry::Municipality(MuniCode::parse(&code).ok_or_else(|| bad("five digits"))?)
            }
            Some("core") => {
                MetroEntry::Core(MuniCode::parse(&code).ok_or_else(|| bad("five digits"))?)
            }
            other => {
                return Err(ReadError::BadValue {
                    path: table.path.clone(),
                    record: table.record_text(i),
                    column: "type".to_string(),
                    code: code.clone(),
                    value: other.unwrap_or_default().to_string(),
                    expected: "one of prefecture, municipality, core",
                })
            }
        };
        rows.push(MetroRow {
            metro: metros[i].clone().unwrap_or_default(),
            entry,
        });
    }
    Ok(rows)
}

/// A declared area (`declared/areas.csv`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeclaredArea {
    /// Area id, e.g. `A01`.
    pub id: String,
    /// Name.
    pub name: String,
    /// Central city code(s); two for a 複眼型 area.
    pub centres: Vec<MuniCode>,
    /// Where it was read.
    pub record: String,
}

/// A declared member (`declared/members.csv`), central cities included.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeclaredMember {
    /// Area id.
    pub area: String,
    /// Municipality code.
    pub code: MuniCode,
    /// Name as written.
    pub name: String,
    /// `central` or `member`.
    pub central: bool,
    /// False where the file marks membership by a prefectural scheme only.
    pub national_scheme: bool,
    /// Where it was read.
    pub record: String,
}

/// Reads `areas.csv` and `members.csv` from `dir`.
///
/// # Errors
/// [`ReadError`] for missing files or columns, malformed codes, or a member of an area that
/// `areas.csv` does not define.
pub fn read_declared(dir: &Path) -> Result<(Vec<DeclaredArea>, Vec<DeclaredMember>), ReadError> {
    let areas_path = dir.join("areas.csv");
    let table = Table::read(&areas_path)?;
    let ids = table.text(table.column("area_id", &["area_id"])?)?;
    let names = table.text(table.column("area_name", &["area_name"])?)?;
    let centres = table.text(table.column("central_city_codes", &["central_city_codes"])?)?;
    let mut areas = Vec::with_capacity(table.height());
    for i in 0..table.height() {
        let text = centres[i].clone().unwrap_or_default();
        let codes: Option<Vec<MuniCode>> =
            text.split(';').map(|c| MuniCode::parse(c.trim())).collect();
        let codes = codes
            .filter(|c| !c.is_empty())
            .ok_or_else(|| ReadError::BadCode {
                path: areas_path.clone(),
                record: table.record_text(i),
                column: "central_city_codes".to_string(),
                value: text.clone(),
                expected: "5-digit codes separated by ';'",
            })?;
        areas.push(DeclaredArea {
            id: ids[i].clone().unwrap_or_default(),
            name: names[i].clone().unwrap_or_default(),
            centres: codes,
            record: table.record_text(i),
        });
    }
    let members_path = dir.join("members.csv");
    let table = Table::read(&members_path)?;
    let area_ids = table.text(table.column("area_id", &["area_id"])?)?;
    let codes = table.codes(table.column("municipality_code", &["municipality_code", "code"])?)?;
    let names = table.text(table.column("municipality_name", &["municipality_name", "name"])?)?;
    let roles = table.text(table.column("role", &["role"])?)?;
    let scheme = if table.has_column(&["national_scheme"]) {
        table.text(table.column("national_scheme", &["national_scheme"])?)?
    } else {
        vec![None; table.height()]
    };
    let mut members = Vec::with_capacity(table.height());
    for i in 0..table.height() {
        let area = area_ids[i].clone().unwrap_or_default();
        if !areas.iter().any(|a| a.id == area) {
            return Err(ReadError::BadValue {
                path: members_path.clone(),
                record: table.record_text(i),
                column: "area_id".to_string(),
                code: codes[i].to_string(),
                value: area,
                expected: "an area_id listed in areas.csv",
            });
        }
        let central = match roles[i].as_deref() {
            Some("central") => true,
            Some("member") => false,
            other => {
                return Err(ReadError::BadValue {
                    path: members_path.clone(),
                    record: table.record_text(i),
                    column: "role".to_string(),
                    code: codes[i].to_string(),
                    value: other.unwrap_or_default().to_string(),
                    expected: "central or member",
                })
            }
        };
        members.push(DeclaredMember {
            area,
            code: codes[i],
            name: names[i].clone().unwrap_or_default(),
            central,
            national_scheme: scheme[i].as_deref() != Some("no"),
            record: table.record_text(i),
        });
    }
    Ok((areas, members))
}
