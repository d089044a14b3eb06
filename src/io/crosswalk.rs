//! Code crosswalks between census vintages (`--crosswalk FILE`): `old_code,new_code`, one row
//! per code of the inputs' vintage that the municipality master no longer has. A merger maps
//! several old codes to one new code, and their persons are added; a code change (富谷町 04423
//! → 富谷市 04216, 2016-10-10) maps one to one. A split cannot be mapped on whole persons and is
//! refused: a `weight` column, if given, must be 1 on every row.
//!
//! Where crosswalks come from: the 総務省 list of municipal code changes
//! (「市区町村を廃置分合等の状況」 / 全国地方公共団体コードの変更) gives every change with its date;
//! e-Stat's 市区町村名・コード変遷 search gives the same per code.

use std::collections::HashMap;
use std::path::Path;

use super::table::Table;
use super::ReadError;
use crate::registry::MuniCode;

/// One mapping.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CrosswalkRow {
    /// Code as the inputs write it.
    pub old: MuniCode,
    /// Code of the master's vintage.
    pub new: MuniCode,
    /// Where it stands in the crosswalk file (`line N`, or `row N` of a Parquet file).
    pub record: String,
}

/// Reads `old_code,new_code[,weight]` (CSV or Parquet).
///
/// # Errors
/// [`ReadError`] with the line: a missing column, a bad code, an old code given twice, a
/// weight other than 1 (a split).
pub fn read_crosswalk(path: &Path) -> Result<Vec<CrosswalkRow>, ReadError> {
    let table = Table::read(path)?;
    table.require_records("one row per code of the inputs' vintage (old_code,new_code)")?;
    let old = table.codes(table.column("old_code", &["old_code", "old"])?)?;
    let new = table.codes(table.column("new_code", &["new_code", "new"])?)?;
    if table.has_column(&["weight"]) {
        let weights = table.text(table.column("weight", &["weight"])?)?;
        for (i, w) in weights.iter().enumerate() {
            let w = w.as_deref().unwrap_or("").trim();
            if !matches!(w, "1" | "1.0" | "1.00" | "") {
                return Err(ReadError::BadValue {
                    path: table.path.clone(),
                    record: table.record_text(i),
                    column: "weight".to_string(),
                    code: old[i].to_string(),
                    value: w.to_string(),
                    expected: "1: a split municipality cannot be mapped on whole persons; give its OD and population at the master's vintage",
                });
            }
        }
    }
    let mut first: HashMap<MuniCode, usize> = HashMap::new();
    let mut rows = Vec::with_capacity(table.height());
    for i in 0..table.height() {
        if let Some(&j) = first.get(&old[i]) {
            return Err(ReadError::DuplicateCode {
                path: table.path.clone(),
                record: table.record_text(i),
                first: table.record_text(j),
                code: format!("old_code {}", old[i]),
            });
        }
        first.insert(old[i], i);
        rows.push(CrosswalkRow {
            old: old[i],
            new: new[i],
            record: table.record_text(i),
        });
    }
    Ok(rows)
}

/// The shipped 2015 → 2020 crosswalk (`data/crosswalks/census2015_to_2020.csv`), for messages.
const SHIPPED_2015: &str = include_str!("../../data/crosswalks/census2015_to_2020.csv");

/// What to say about a code the registry does not know: for a code of the shipped 2015 → 2020
/// crosswalk, which municipality it was and the file that maps it; otherwise the general hint.
pub fn vintage_hint(code: &MuniCode) -> String {
    let wanted = code.to_string();
    for line in SHIPPED_2015.lines().skip(1) {
        let fields: Vec<&str> = line.split(',').collect();
        if let [old, new, old_name, new_name, date, ..] = fields[..] {
            if old == wanted {
                return format!(
                    "{old} is {old_name}'s code before {date}, now {new_name} {new}: map it with --crosswalk data/crosswalks/census2015_to_2020.csv"
                );
            }
        }
    }
    "a code of another census vintage? map it with --crosswalk".to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hints_name_the_shipped_mapping() {
        let tomiya = MuniCode::parse("04423").unwrap();
        assert_eq!(
            vintage_hint(&tomiya),
            "04423 is 宮城県富谷町's code before 2016-10-10, now 宮城県富谷市 04216: map it with --crosswalk data/crosswalks/census2015_to_2020.csv"
        );
        let other = MuniCode::parse("98765").unwrap();
        assert_eq!(
            vintage_hint(&other),
            "a code of another census vintage? map it with --crosswalk"
        );
    }
}
