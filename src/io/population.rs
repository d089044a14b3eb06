//! Resident population by code (census 2020 preliminary counts, e-Stat 0003433219).

use std::collections::HashMap;
use std::path::Path;

use super::table::Table;
use super::ReadError;
use crate::registry::MuniCode;

/// One population record.
#[derive(Clone, Debug, PartialEq)]
pub struct PopulationRow {
    /// Code.
    pub code: MuniCode,
    /// Name as written, if the file has a name column.
    pub name: Option<String>,
    /// Population; `None` where the file leaves it empty (07546 双葉町 in 2020).
    pub population: Option<u64>,
    /// Where it was read (`line 5`).
    pub record: String,
}

/// Reads `area_code,area_name,population` (CSV or Parquet; `code` is accepted for
/// `area_code`). National and prefecture totals (`xx000`) are skipped.
///
/// # Errors
/// [`ReadError`] for a bad code, a negative or fractional population, or a code given twice.
pub fn read_population(path: &Path) -> Result<Vec<PopulationRow>, ReadError> {
    // e-Stat's API response or CSV for table 0003433219, recognised by content.
    if super::estat::sniff(path)? {
        return super::estat::read_estat_population(path);
    }
    super::estat::refuse_other_estat_layout(path)?;
    let table = Table::read(path)?;
    table.require_records("one row per municipality (area_code,population)")?;
    let codes = table.codes(table.column("code", &["area_code", "code"])?)?;
    let names = if table.has_column(&["area_name", "name"]) {
        table.text(table.column("name", &["area_name", "name"])?)?
    } else {
        vec![None; table.height()]
    };
    let code_of = |i: usize| codes[i].to_string();
    let population = table.counts(
        table.column("population", &["population", "persons"])?,
        &code_of,
    )?;
    let mut first: HashMap<MuniCode, usize> = HashMap::new();
    let mut rows = Vec::with_capacity(table.height());
    for i in 0..table.height() {
        if let Some(&j) = first.get(&codes[i]) {
            return Err(ReadError::DuplicateCode {
                path: path.to_path_buf(),
                record: table.record_text(i),
                first: table.record_text(j),
                code: format!("code {}", codes[i]),
            });
        }
        first.insert(codes[i], i);
        if codes[i].is_prefecture_total() {
            continue;
        }
        rows.push(PopulationRow {
            code: codes[i],
            name: names[i].clone(),
            population: population[i],
            record: table.record_text(i),
        });
    }
    Ok(rows)
}
