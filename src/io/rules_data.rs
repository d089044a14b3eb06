//! Small rule tables: the lists the 連携中枢都市圏 rules decide on (designated cities, core
//! cities with their dates, the 三大都市圏 table, official day/night ratios) and declared
//! memberships.
//!
//! A shipped list starts with a preamble of `# key: value` lines (`source`, `as of`) before
//! its CSV header; the preamble is kept as [`ListInfo`] and line numbers in messages are the
//! file's own.

use std::path::{Path, PathBuf};

use super::table::{read_utf8, Table};
use super::ReadError;
use crate::registry::MuniCode;
use crate::rules::{Date, Since};

/// The shipped designated-city list (`data/rules/designated_cities.csv`).
pub const BUILTIN_DESIGNATED_CITIES: &str = include_str!("../../data/rules/designated_cities.csv");
/// The shipped core-city list (`data/rules/core_cities.csv`).
pub const BUILTIN_CORE_CITIES: &str = include_str!("../../data/rules/core_cities.csv");
/// The shipped 三大都市圏 table (`data/rules/metro_areas.csv`).
pub const BUILTIN_METRO_AREAS: &str = include_str!("../../data/rules/metro_areas.csv");
/// The shipped fixed road links for commuting zones (`data/rules/cz_links.csv`).
pub const BUILTIN_CZ_LINKS: &str = include_str!("../../data/rules/cz_links.csv");

/// Where a rule list came from: the file (or the shipped copy), and what its preamble says.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ListInfo {
    /// The file read, or `data/rules/<name> (shipped)`.
    pub file: String,
    /// The preamble's `source` line (empty when the file has none).
    pub source: String,
    /// The preamble's `as of` date, if given.
    pub as_of: Option<Date>,
    /// Whether this is the list shipped with toshiken.
    pub shipped: bool,
}

/// A list's text: the file, or the shipped copy when `path` is `None`.
fn list_text(
    path: Option<&Path>,
    shipped_name: &str,
    shipped: &str,
) -> Result<(PathBuf, String, bool), ReadError> {
    match path {
        Some(p) => {
            let bytes = read_utf8(p)?;
            let text = String::from_utf8(bytes).expect("checked by read_utf8");
            Ok((p.to_path_buf(), text, false))
        }
        None => Ok((
            PathBuf::from(format!("data/rules/{shipped_name} (shipped)")),
            shipped.to_string(),
            true,
        )),
    }
}

/// Splits the `#` preamble from a list and parses it into a [`Table`].
fn list_table(
    path: Option<&Path>,
    shipped_name: &str,
    shipped: &str,
) -> Result<(Table, ListInfo), ReadError> {
    let (label, text, is_shipped) = list_text(path, shipped_name, shipped)?;
    let mut info = ListInfo {
        file: label.display().to_string(),
        shipped: is_shipped,
        ..ListInfo::default()
    };
    let mut offset = 0usize;
    let mut skipped = 0u64;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim();
        if !trimmed.starts_with('#') {
            break;
        }
        offset += line.len();
        skipped += 1;
        let body = trimmed.trim_start_matches('#').trim();
        if let Some((key, value)) = body.split_once(':') {
            match key.trim() {
                "source" => info.source = value.trim().to_string(),
                "as of" => {
                    info.as_of =
                        Some(
                            Date::parse(value.trim()).ok_or_else(|| ReadError::BadValue {
                                path: label.clone(),
                                record: format!("line {skipped}"),
                                column: "as of".to_string(),
                                code: String::new(),
                                value: value.trim().to_string(),
                                expected: "a date written YYYY-MM-DD",
                            })?,
                        )
                }
                _ => {}
            }
        }
    }
    let table = Table::from_csv_bytes_after(&label, &text.as_bytes()[offset..], skipped)?;
    Ok((table, info))
}

/// Refuses a code listed twice in a list keyed by code.
fn no_repeats(table: &Table, codes: &[MuniCode]) -> Result<(), ReadError> {
    let mut first: std::collections::HashMap<MuniCode, usize> = std::collections::HashMap::new();
    for (i, c) in codes.iter().enumerate() {
        if let Some(&j) = first.get(c) {
            return Err(ReadError::DuplicateCode {
                path: table.path.clone(),
                record: table.record_text(i),
                first: table.record_text(j),
                code: format!("code {c}"),
            });
        }
        first.insert(*c, i);
    }
    Ok(())
}

/// A date column (`YYYY-MM-DD` or `<=YYYY-MM-DD`); empty cells are refused when `required`.
fn dates(
    table: &Table,
    name: &'static str,
    codes: &[MuniCode],
    required: bool,
) -> Result<Vec<Option<Since>>, ReadError> {
    let values = table.text(table.column(name, &[name])?)?;
    values
        .iter()
        .enumerate()
        .map(|(i, v)| match v.as_deref().map(str::trim) {
            None | Some("") if !required => Ok(None),
            v => Since::parse(v.unwrap_or_default()).map(Some).ok_or_else(|| ReadError::BadValue {
                path: table.path.clone(),
                record: table.record_text(i),
                column: name.to_string(),
                code: codes[i].to_string(),
                value: v.unwrap_or_default().to_string(),
                expected: "a date written YYYY-MM-DD, or <=YYYY-MM-DD when only a date by which it was in force is known",
            }),
        })
        .collect()
}

/// One designated city (`designated_cities.csv`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DesignatedCityRow {
    /// Code (the whole city).
    pub code: MuniCode,
    /// Name.
    pub name: String,
    /// When the designation took effect.
    pub from: Since,
}

/// One core city (`core_cities.csv`): `core_from`, and `core_until` for a city that left the
/// list (on becoming a designated city).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CoreCityRow {
    /// Code.
    pub code: MuniCode,
    /// Name.
    pub name: String,
    /// When the designation took effect.
    pub from: Since,
    /// The day it stopped being a core city, if it did.
    pub until: Option<Date>,
    /// Where it was read (`line 12`).
    pub record: String,
}

/// Reads a designated-city list `code,name,designated_from` (the shipped one when `path` is
/// `None`).
///
/// # Errors
/// [`ReadError`] for a missing column, a bad code or date, or a repeated code, with the line.
pub fn read_designated_cities(
    path: Option<&Path>,
) -> Result<(Vec<DesignatedCityRow>, ListInfo), ReadError> {
    let (table, info) = list_table(path, "designated_cities.csv", BUILTIN_DESIGNATED_CITIES)?;
    let codes = table.codes(table.column("code", &["code"])?)?;
    no_repeats(&table, &codes)?;
    let names = table.text(table.column("name", &["name"])?)?;
    let from = dates(&table, "designated_from", &codes, true)?;
    let rows = (0..table.height())
        .map(|i| DesignatedCityRow {
            code: codes[i],
            name: names[i].clone().unwrap_or_default(),
            from: from[i].expect("required"),
        })
        .collect();
    Ok((rows, info))
}

/// Reads a core-city list `code,name,core_from[,core_until]` (the shipped one when `path` is
/// `None`). `core_from` may be `<=YYYY-MM-DD` (in force by then; exact date unknown).
///
/// # Errors
/// [`ReadError`] for a missing column, a bad code or date, an end before its start, or a
/// repeated code, with the line.
pub fn read_core_cities(path: Option<&Path>) -> Result<(Vec<CoreCityRow>, ListInfo), ReadError> {
    let (table, info) = list_table(path, "core_cities.csv", BUILTIN_CORE_CITIES)?;
    let codes = table.codes(table.column("code", &["code"])?)?;
    no_repeats(&table, &codes)?;
    let names = table.text(table.column("name", &["name"])?)?;
    let from = dates(&table, "core_from", &codes, true)?;
    let until = if table.has_column(&["core_until"]) {
        dates(&table, "core_until", &codes, false)?
    } else {
        vec![None; table.height()]
    };
    let mut rows = Vec::with_capacity(table.height());
    for i in 0..table.height() {
        let until = match until[i] {
            None => None,
            Some(Since::On(d)) => Some(d),
            Some(b @ Since::NoLaterThan(_)) => {
                return Err(ReadError::BadValue {
                    path: table.path.clone(),
                    record: table.record_text(i),
                    column: "core_until".to_string(),
                    code: codes[i].to_string(),
                    value: b.to_string(),
                    expected: "an exact date written YYYY-MM-DD",
                })
            }
        };
        let start = match from[i].expect("required") {
            Since::On(d) | Since::NoLaterThan(d) => d,
        };
        if until.is_some_and(|u| u <= start) {
            return Err(ReadError::BadValue {
                path: table.path.clone(),
                record: table.record_text(i),
                column: "core_until".to_string(),
                code: codes[i].to_string(),
                value: until.expect("some").to_string(),
                expected: "a date after core_from",
            });
        }
        rows.push(CoreCityRow {
            code: codes[i],
            name: names[i].clone().unwrap_or_default(),
            from: from[i].expect("required"),
            until,
            record: table.record_text(i),
        });
    }
    Ok((rows, info))
}

/// A day/night ratio given by the user (`--day-night`), as an exact fraction
/// `daytime / night`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DayNightRow {
    /// Code.
    pub code: MuniCode,
    /// Numerator: the daytime population, or the ratio's digits.
    pub daytime: u64,
    /// Denominator: the night-time population, or a power of ten.
    pub night: u64,
}

/// An exact non-negative decimal as `(digits, 10^k)`; `None` for anything else.
fn exact_decimal(text: &str) -> Option<(u64, u64)> {
    let (int, frac) = text.split_once('.').unwrap_or((text, ""));
    if int.is_empty() && frac.is_empty() {
        return None;
    }
    if !int.bytes().chain(frac.bytes()).all(|b| b.is_ascii_digit()) || frac.len() > 12 {
        return None;
    }
    let den = 10u64.checked_pow(frac.len() as u32)?;
    let digits: u64 = format!("{int}{frac}")
        .trim_start_matches('0')
        .parse()
        .unwrap_or(0);
    Some((digits, den))
}

/// Reads official day/night ratios: `code` with `ratio` (daytime / night, e.g. `1.0135`),
/// `ratio_percent` (as e-Stat publishes 昼夜間人口比率, e.g. `101.35`), or `daytime` and
/// `night` counts.
///
/// # Errors
/// [`ReadError`] for a missing column, a bad code or number, a zero night-time population,
/// a ratio that looks like a percentage, or a repeated code, with the line.
pub fn read_day_night(path: &Path) -> Result<Vec<DayNightRow>, ReadError> {
    let table = Table::read(path)?;
    table.require_records(
        "one row per city (code with ratio, ratio_percent, or daytime and night)",
    )?;
    let codes = table.codes(table.column("code", &["code", "area_code"])?)?;
    no_repeats(&table, &codes)?;
    let bad = |i: usize, column: &str, value: &str, expected: &'static str| ReadError::BadValue {
        path: table.path.clone(),
        record: table.record_text(i),
        column: column.to_string(),
        code: codes[i].to_string(),
        value: value.to_string(),
        expected,
    };
    let mut rows = Vec::with_capacity(table.height());
    if table.has_column(&["ratio"]) && table.has_column(&["ratio_percent"]) {
        return Err(ReadError::Table {
            path: path.to_path_buf(),
            problem:
                "both ratio and ratio_percent columns: give one, so that no row can say two things"
                    .to_string(),
        });
    }
    if table.has_column(&["ratio", "ratio_percent"]) {
        let percent = !table.has_column(&["ratio"]);
        let name = if percent { "ratio_percent" } else { "ratio" };
        let values = table.text(table.column(name, &[name])?)?;
        for (i, v) in values.iter().enumerate() {
            let text = v.as_deref().unwrap_or("").trim();
            let (num, mut den) = exact_decimal(text)
                .ok_or_else(|| bad(i, name, text, "a decimal number such as 1.0135"))?;
            if percent {
                den *= 100;
            } else if num > 20 * den {
                return Err(bad(i, name, text, "a ratio of at most 20 (the highest in Japan, 千代田区, is about 17.5); for 昼夜間人口比率 in percent name the column ratio_percent"));
            }
            if num == 0 {
                return Err(bad(i, name, text, "a ratio above 0"));
            }
            if num * 5 < den {
                return Err(bad(
                    i,
                    name,
                    text,
                    if percent {
                        "a percentage of at least 20 (the lowest 昼夜間人口比率 in Japan is about 60 %): 0.95 here means 0.95 %, write 95"
                    } else {
                        "a ratio of at least 0.2 (the lowest in Japan is about 0.6)"
                    },
                ));
            }
            rows.push(DayNightRow {
                code: codes[i],
                daytime: num,
                night: den,
            });
        }
    } else {
        let day = table.counts(
            table.column("daytime", &["daytime", "daytime_population"])?,
            &|i| codes[i].to_string(),
        )?;
        let night = table.counts(
            table.column("night", &["night", "night_population", "population"])?,
            &|i| codes[i].to_string(),
        )?;
        for i in 0..table.height() {
            let (Some(d), Some(n)) = (day[i], night[i]) else {
                return Err(bad(
                    i,
                    "daytime, night",
                    "",
                    "two counts: daytime and night-time population",
                ));
            };
            if n == 0 {
                return Err(bad(i, "night", "0", "a night-time population above 0"));
            }
            rows.push(DayNightRow {
                code: codes[i],
                daytime: d,
                night: n,
            });
        }
    }
    Ok(rows)
}

/// One row of a metro-area table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MetroRow {
    /// Metro name (首都圏, 中部圏, 近畿圏).
    pub metro: String,
    /// What the row adds.
    pub entry: MetroEntry,
    /// How sure the list is (`status` column; `in` when absent).
    pub status: MetroStatus,
}

/// How a metro table knows that a municipality is inside.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MetroStatus {
    /// A source names it (`in`).
    Named,
    /// Inside by elimination, not named (`in_inferred`).
    Inferred,
    /// No source either way (`unknown`): treated as inside, and warned about.
    Unknown,
}

impl MetroStatus {
    /// The word used in the table.
    pub fn label(self) -> &'static str {
        match self {
            MetroStatus::Named => "in",
            MetroStatus::Inferred => "in_inferred",
            MetroStatus::Unknown => "unknown",
        }
    }
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

/// One fixed road link: two municipalities and the link's name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RoadLink {
    /// One end.
    pub a: MuniCode,
    /// The other end.
    pub b: MuniCode,
    /// The bridge or tunnel.
    pub name: String,
    /// Where it was read.
    pub record: String,
}

/// Reads a road-link table `code_a,code_b[,name_a,name_b],link`, or the shipped list when
/// `path` is `None`.
///
/// # Errors
/// [`ReadError`] for a missing column or a malformed code, with the line.
pub fn read_cz_links(path: Option<&Path>) -> Result<(Vec<RoadLink>, ListInfo), ReadError> {
    let (table, info) = list_table(path, "cz_links.csv", BUILTIN_CZ_LINKS)?;
    let a = table.codes(table.column("code_a", &["code_a"])?)?;
    let b = table.codes(table.column("code_b", &["code_b"])?)?;
    let names = if table.has_column(&["link"]) {
        table.text(table.column("link", &["link"])?)?
    } else {
        vec![None; table.height()]
    };
    let links = (0..table.height())
        .map(|i| RoadLink {
            a: a[i],
            b: b[i],
            name: names[i].clone().unwrap_or_default(),
            record: format!("{}: {}", table.path.display(), table.record_text(i)),
        })
        .collect();
    Ok((links, info))
}

/// Reads a metro table `metro,type,code[,name,...]` (`type` = municipality | core |
/// prefecture), or the shipped legal list when `path` is `None`.
///
/// # Errors
/// [`ReadError`] for a missing column, an unknown type or a malformed code, with the line.
pub fn read_metro_areas(path: Option<&Path>) -> Result<(Vec<MetroRow>, ListInfo), ReadError> {
    let (table, info) = list_table(path, "metro_areas.csv", BUILTIN_METRO_AREAS)?;
    let metros = table.text(table.column("metro", &["metro"])?)?;
    let types = table.text(table.column("type", &["type"])?)?;
    let codes = table.text(table.column("code", &["code"])?)?;
    let statuses = if table.has_column(&["status"]) {
        table.text(table.column("status", &["status"])?)?
    } else {
        vec![None; table.height()]
    };
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
        let status = match statuses[i].as_deref().map(str::trim) {
            None | Some("") | Some("in") => MetroStatus::Named,
            Some("in_inferred") => MetroStatus::Inferred,
            Some("unknown") => MetroStatus::Unknown,
            Some(other) => {
                return Err(ReadError::BadValue {
                    path: table.path.clone(),
                    record: table.record_text(i),
                    column: "status".to_string(),
                    code: code.clone(),
                    value: other.to_string(),
                    expected: "one of in, in_inferred, unknown",
                })
            }
        };
        let metro = metros[i].clone().unwrap_or_default();
        if metro.trim().is_empty() {
            return Err(ReadError::BadValue {
                path: table.path.clone(),
                record: table.record_text(i),
                column: "metro".to_string(),
                code: code.clone(),
                value: String::new(),
                expected: "the name of a metropolitan area (首都圏, 中部圏, 近畿圏)",
            });
        }
        rows.push(MetroRow {
            metro,
            entry,
            status,
        });
    }
    Ok((rows, info))
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
    /// The file it was read from.
    pub file: std::path::PathBuf,
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
    /// The file it was read from.
    pub file: std::path::PathBuf,
}

/// Reads `areas.csv` and `members.csv` from `dir`.
///
/// # Errors
/// [`ReadError`] for missing files or columns, malformed codes, or a member of an area that
/// `areas.csv` does not define.
pub fn read_declared(dir: &Path) -> Result<(Vec<DeclaredArea>, Vec<DeclaredMember>), ReadError> {
    let areas_path = dir.join("areas.csv");
    let table = Table::read(&areas_path)?;
    table.require_records("one row per declared area (area_id,area_name,central_city_codes)")?;
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
        let id = ids[i].clone().unwrap_or_default();
        if id.is_empty() {
            return Err(ReadError::BadValue {
                path: areas_path.clone(),
                record: table.record_text(i),
                column: "area_id".to_string(),
                code: text.clone(),
                value: id,
                expected: "an area id (e.g. A01)",
            });
        }
        if let Some(first) = areas.iter().find(|a: &&DeclaredArea| a.id == id) {
            return Err(ReadError::DuplicateCode {
                path: areas_path.clone(),
                record: table.record_text(i),
                first: first.record.clone(),
                code: format!("area_id {id}"),
            });
        }
        areas.push(DeclaredArea {
            id,
            name: names[i].clone().unwrap_or_default(),
            centres: codes,
            record: table.record_text(i),
            file: areas_path.clone(),
        });
    }
    let members_path = dir.join("members.csv");
    let table = Table::read(&members_path)?;
    table
        .require_records("one row per member (area_id,municipality_code,municipality_name,role)")?;
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
        if let Some(first) = members
            .iter()
            .find(|m: &&DeclaredMember| m.area == area && m.code == codes[i])
        {
            return Err(ReadError::DuplicateCode {
                path: members_path.clone(),
                record: format!("{} (area {area})", table.record_text(i)),
                first: first.record.clone(),
                code: format!("code {}", codes[i]),
            });
        }
        members.push(DeclaredMember {
            area,
            code: codes[i],
            name: names[i].clone().unwrap_or_default(),
            central,
            national_scheme: scheme[i].as_deref() != Some("no"),
            record: table.record_text(i),
            file: members_path.clone(),
        });
    }
    // The two files must agree on who the central cities are.
    for m in &members {
        let Some(area) = areas.iter().find(|a| a.id == m.area) else {
            continue;
        };
        let listed = area.centres.contains(&m.code);
        if m.central != listed {
            return Err(ReadError::BadValue {
                path: members_path.clone(),
                record: m.record.clone(),
                column: "role".to_string(),
                code: m.code.to_string(),
                value: if m.central { "central" } else { "member" }.to_string(),
                expected: if m.central {
                    "central only for the central_city_codes of its area in areas.csv"
                } else {
                    "central: areas.csv lists this code among its area's central_city_codes"
                },
            });
        }
    }
    Ok((areas, members))
}

/// One row of a DID (人口集中地区) population table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DidRow {
    /// Municipality code.
    pub code: MuniCode,
    /// Population living in the municipality's densely inhabited districts.
    pub population: u64,
    /// `file: line N`, for messages.
    pub record: String,
}

/// Reads a DID population table (`muni_code` or `code`, `did_population`), as the data
/// directory's `census2020_did/did_population_2020.csv` (2020 census 人口等基本集計 table 1-2).
/// A municipality not listed has no DID.
///
/// # Errors
/// [`ReadError`] for a missing column, a bad code or count, an empty count or a repeated code,
/// with the line.
pub fn read_did(path: &Path) -> Result<Vec<DidRow>, ReadError> {
    let table = Table::read(path)?;
    table.require_records("one row per municipality with a DID (muni_code, did_population)")?;
    let codes = table.codes(table.column("muni_code", &["muni_code", "code"])?)?;
    no_repeats(&table, &codes)?;
    let counts = table.counts(table.column("did_population", &["did_population"])?, &|i| {
        codes[i].to_string()
    })?;
    counts
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let population = c.ok_or_else(|| ReadError::BadValue {
                path: table.path.clone(),
                record: table.record_text(i),
                column: "did_population".to_string(),
                code: codes[i].to_string(),
                value: String::new(),
                expected: "a whole number of persons (a municipality without a DID is left out)",
            })?;
            Ok(DidRow {
                code: codes[i],
                population,
                record: format!("{}: {}", table.path.display(), table.record_text(i)),
            })
        })
        .collect()
}
