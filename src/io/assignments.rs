//! Municipality → area tables for `compare`: toshiken's `memberships.csv` (area_id, code, tier,
//! persons, denominator) or any published table with a code column and an area column, CSV or
//! Parquet.

use std::path::Path;

use super::error::ReadError;
use super::table::Table;
use crate::registry::MuniCode;

/// One row: a municipality in an area.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AssignmentRow {
    /// Area id as written.
    pub area: String,
    /// Municipality code.
    pub code: MuniCode,
    /// Tier (`centre`, `1`, `2`), when the table has one.
    pub tier: Option<String>,
    /// Persons to the area's centre and the denominator, when the table has them.
    pub persons: Option<(u64, u64)>,
    /// Where it was read (`line 12`).
    pub record: String,
}

/// Reads a membership table.
///
/// # Errors
/// [`ReadError`] naming the file, record and value: no code or area column, a bad code, an
/// empty area id.
pub fn read_assignments(path: &Path) -> Result<Vec<AssignmentRow>, ReadError> {
    let table = Table::read(path)?;
    table.require_records("one row per municipality and area (code, area_id)")?;
    let codes = table.codes(table.column(
        "code",
        &["code", "municipality_code", "muni_code", "市区町村コード"],
    )?)?;
    let areas = table.text(table.column("area_id", &["area_id", "area", "area_code", "圏域"])?)?;
    let tiers = if table.has_column(&["tier"]) {
        table.text(table.column("tier", &["tier"])?)?
    } else {
        vec![None; table.height()]
    };
    let code_of = |i: usize| codes[i].to_string();
    let counts = if table.has_column(&["persons"]) && table.has_column(&["denominator"]) {
        let p = table.counts(table.column("persons", &["persons"])?, &code_of)?;
        let d = table.counts(table.column("denominator", &["denominator"])?, &code_of)?;
        p.into_iter().zip(d).map(|(p, d)| p.zip(d)).collect()
    } else {
        vec![None; table.height()]
    };
    let mut rows = Vec::with_capacity(table.height());
    for i in 0..table.height() {
        let area = areas[i].clone().unwrap_or_default();
        if area.is_empty() {
            return Err(ReadError::BadValue {
                path: path.to_path_buf(),
                record: table.record_text(i),
                column: "area_id".to_string(),
                code: codes[i].to_string(),
                value: area,
                expected: "an area id (the cell is empty)",
            });
        }
        rows.push(AssignmentRow {
            area,
            code: codes[i],
            tier: tiers[i].clone().filter(|t| !t.is_empty()),
            persons: counts[i],
            record: table.record_text(i),
        });
    }
    Ok(rows)
}
