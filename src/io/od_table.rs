//! Long OD tables: one row per origin–destination pair, CSV or Parquet.

use std::path::Path;

use super::table::Table;
use super::ReadError;
use crate::matrix::{RawFlow, RawOd};

/// Accepted names of the origin column.
pub const ORIGIN_COLUMNS: [&str; 3] = ["origin", "origin_code", "o"];
/// Accepted names of the destination column.
pub const DEST_COLUMNS: [&str; 4] = ["destination", "dest", "dest_code", "d"];
/// Accepted names of the persons column.
pub const PERSONS_COLUMNS: [&str; 3] = ["persons", "count", "flow"];

/// Reads a long table `origin,destination,persons` (codes as 5-digit text or integers; other
/// columns are ignored). The census's unknown destinations 99998/99999 may appear as
/// destinations; totals are then the sum of an origin's rows.
///
/// # Errors
/// [`ReadError`] naming file, line (CSV) or row (Parquet) and codes for a missing column, a bad
/// code, or a missing, negative or fractional count.
pub fn read_od_table(path: &Path) -> Result<RawOd, ReadError> {
    let table = Table::read(path)?;
    table.require_records("one row per origin–destination pair (origin,destination,persons)")?;
    let origin = table.codes(table.column("origin", &ORIGIN_COLUMNS)?)?;
    let dest = table.codes(table.column("destination", &DEST_COLUMNS)?)?;
    let code_of = |i: usize| format!("{} → {}", origin[i], dest[i]);
    let persons = table.counts(table.column("persons", &PERSONS_COLUMNS)?, &code_of)?;
    let mut flows = Vec::with_capacity(table.height());
    for i in 0..table.height() {
        let Some(p) = persons[i] else {
            return Err(ReadError::BadCount {
                path: path.to_path_buf(),
                record: table.record_text(i),
                column: "persons".to_string(),
                code: code_of(i),
                value: String::new(),
                problem: "missing",
            });
        };
        flows.push(RawFlow {
            origin: origin[i],
            dest: dest[i],
            persons: p,
            file: 0,
            record: table.record(i),
        });
    }
    Ok(RawOd {
        files: vec![path.to_path_buf()],
        flows,
        totals: Vec::new(),
    })
}
