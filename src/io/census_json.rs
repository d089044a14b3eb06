//! The census OD JSON of `census2020_od_market_research102/` (one file per prefecture of
//! residence): `{"od": {origin: {dest: persons}}, "total_employed": {origin: persons}}`.

use std::fmt;
use std::marker::PhantomData;
use std::path::{Path, PathBuf};

use serde::de::{Deserializer, MapAccess, Visitor};
use serde::Deserialize;
use serde_json::Value;

use super::error::CENSUS_JSON_LAYOUT;
use super::table::{count_from_f64, read_utf8};
use super::ReadError;
use crate::matrix::{RawFlow, RawOd, Record, StatedTotal};
use crate::registry::MuniCode;

/// Reads every `*.json` file of `dir` (sorted by name) into one [`RawOd`].
///
/// # Errors
/// [`ReadError`] for an unreadable folder or file, a folder without JSON files, and every
/// error of [`read_census_json_file`].
pub fn read_census_json_dir(dir: &Path) -> Result<RawOd, ReadError> {
    let io = |source| ReadError::Io {
        path: dir.to_path_buf(),
        source,
    };
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(io)?
        .map(|entry| entry.map(|e| e.path()))
        .collect::<Result<_, _>>()
        .map_err(io)?;
    files.retain(|p| {
        p.extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("json"))
    });
    files.sort();
    if files.is_empty() {
        return Err(ReadError::EmptyFolder {
            path: dir.to_path_buf(),
        });
    }
    let mut raw = RawOd::default();
    for file in &files {
        append_file(file, &mut raw)?;
    }
    Ok(raw)
}

/// Reads one census JSON file.
///
/// # Errors
/// [`ReadError::Json`] for malformed JSON or another layout, [`ReadError::Encoding`] for
/// non-UTF-8 bytes, [`ReadError::BadCode`] for a key that is not a 5-digit code and
/// [`ReadError::BadCount`] for a count that is negative, fractional or not a number. Duplicate
/// keys are kept, so that assembly reports them with both records.
pub fn read_census_json_file(path: &Path) -> Result<RawOd, ReadError> {
    let mut raw = RawOd::default();
    append_file(path, &mut raw)?;
    Ok(raw)
}

/// A JSON object read as an ordered list of entries: duplicate keys are kept, not merged.
struct Entries<V>(Vec<(String, V)>);

impl<'de, V: Deserialize<'de>> Deserialize<'de> for Entries<V> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct EntriesVisitor<V>(PhantomData<V>);
        impl<'de, V: Deserialize<'de>> Visitor<'de> for EntriesVisitor<V> {
            type Value = Entries<V>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an object keyed by 5-digit codes")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut entries = Vec::with_capacity(map.size_hint().unwrap_or(0));
                while let Some(entry) = map.next_entry::<String, V>()? {
                    entries.push(entry);
                }
                Ok(Entries(entries))
            }
        }
        deserializer.deserialize_map(EntriesVisitor(PhantomData))
    }
}

#[derive(Deserialize)]
struct CensusFile {
    od: Entries<Entries<Value>>,
    total_employed: Entries<Value>,
}

fn append_file(path: &Path, raw: &mut RawOd) -> Result<(), ReadError> {
    let bytes = read_utf8(path)?;
    if super::estat::is_estat_json(&bytes) {
        return Err(ReadError::Table {
            path: path.to_path_buf(),
            problem: "an e-Stat API response among census JSON files: a folder holds one kind of OD file (give e-Stat pages in a folder of their own)".to_string(),
        });
    }
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(ReadError::Empty {
            path: path.to_path_buf(),
            problem: "the file is empty",
            what: CENSUS_JSON_LAYOUT,
        });
    }
    let parsed: CensusFile = serde_json::from_slice(&bytes)
        .map_err(|e| ReadError::json(path, CENSUS_JSON_LAYOUT, &e))?;
    let file = raw.files.len() as u32;
    raw.files.push(path.to_path_buf());
    let code = |key: &str, record: String| {
        MuniCode::parse(key).ok_or_else(|| ReadError::BadCode {
            path: path.to_path_buf(),
            record,
            column: "key".to_string(),
            value: key.to_string(),
            expected: "five digits, e.g. 01100",
        })
    };
    for (origin_key, dests) in parsed.od.0 {
        let origin = code(&origin_key, format!("od[\"{origin_key}\"]"))?;
        for (dest_key, value) in dests.0 {
            let record = format!("od[\"{origin_key}\"][\"{dest_key}\"]");
            let dest = code(&dest_key, record.clone())?;
            let persons = count(path, &record, &format!("{origin} → {dest}"), &value)?;
            raw.flows.push(RawFlow {
                origin,
                dest,
                persons,
                file,
                record: Record::JsonCell,
            });
        }
    }
    for (origin_key, value) in parsed.total_employed.0 {
        let record = format!("total_employed[\"{origin_key}\"]");
        let origin = code(&origin_key, record.clone())?;
        let persons = count(path, &record, &origin.to_string(), &value)?;
        raw.totals.push(StatedTotal {
            origin,
            persons,
            file,
            record: Record::JsonTotal,
        });
    }
    Ok(())
}

fn count(path: &Path, record: &str, code: &str, value: &Value) -> Result<u64, ReadError> {
    let bad = |problem| ReadError::BadCount {
        path: path.to_path_buf(),
        record: record.to_string(),
        column: "persons".to_string(),
        code: code.to_string(),
        value: value.to_string(),
        problem,
    };
    match value {
        Value::Number(n) => match (n.as_u64(), n.as_i64(), n.as_f64()) {
            (Some(v), _, _) => Ok(v),
            (None, Some(_), _) => Err(bad("negative")),
            (None, None, Some(f)) => count_from_f64(f).map_err(bad),
            _ => Err(bad("not a number")),
        },
        _ => Err(bad("not a number")),
    }
}
