//! The municipality master (code4fukui `localgovjp-utf8.csv`).

use std::path::Path;

use super::table::Table;
use super::ReadError;
use crate::geometry::{JAPAN_LAT, JAPAN_LON};
use crate::registry::{MasterRow, MuniCode};

/// Reads `pref,city,lat,lng,lgcode` (other columns ignored). `lgcode` is the 6-digit code whose
/// check digit is verified.
///
/// # Errors
/// [`ReadError`] for a missing column, an `lgcode` that is not six digits or whose check digit
/// is wrong, or coordinates that are not numbers.
pub fn read_master(path: &Path) -> Result<Vec<MasterRow>, ReadError> {
    let table = Table::read(path)?;
    table.require_records("one row per municipality (pref,city,lat,lng,lgcode)")?;
    let lgcodes = table.text(table.column("lgcode", &["lgcode"])?)?;
    let mut codes = Vec::with_capacity(table.height());
    for (i, text) in lgcodes.iter().enumerate() {
        let text = text.clone().unwrap_or_default();
        let code = MuniCode::parse_with_check_digit(&text).ok_or_else(|| ReadError::BadCode {
            path: path.to_path_buf(),
            record: table.record_text(i),
            column: "lgcode".to_string(),
            value: text.clone(),
            expected: "six digits whose last is the check digit, e.g. 011002",
        })?;
        codes.push(code);
    }
    let code_of = |i: usize| codes[i].to_string();
    let prefectures = table.text(table.column("prefecture", &["pref", "prefecture"])?)?;
    let names = table.text(table.column("name", &["city", "name"])?)?;
    let lat = table.floats(table.column("lat", &["lat"])?, &code_of)?;
    let lng = table.floats(table.column("lng", &["lng", "lon"])?, &code_of)?;
    // An office outside Japan (lat and lng swapped, a shifted column) would move the pair
    // rule's distances silently.
    for i in 0..table.height() {
        let bad = |column: &str, value: f64, expected| ReadError::BadValue {
            path: path.to_path_buf(),
            record: table.record_text(i),
            column: column.to_string(),
            code: codes[i].to_string(),
            value: value.to_string(),
            expected,
        };
        if let Some(v) = lat[i].filter(|v| !(JAPAN_LAT.0..=JAPAN_LAT.1).contains(v)) {
            return Err(bad(
                "lat",
                v,
                "a latitude in Japan (20–46; are lat and lng swapped?)",
            ));
        }
        if let Some(v) = lng[i].filter(|v| !(JAPAN_LON.0..=JAPAN_LON.1).contains(v)) {
            return Err(bad(
                "lng",
                v,
                "a longitude in Japan (122–154.5; are lat and lng swapped?)",
            ));
        }
    }
    Ok((0..table.height())
        .map(|i| MasterRow {
            code: codes[i],
            prefecture: prefectures[i].clone().unwrap_or_default(),
            name: names[i].clone().unwrap_or_default(),
            lat: lat[i],
            lng: lng[i],
            line: i + 2,
        })
        .collect())
}
