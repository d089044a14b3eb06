//! Tables through polars: CSV (read as text, so every value is validated here with its line)
//! and Parquet (typed columns).

use std::fs::File;
use std::io::Cursor;
use std::path::{Path, PathBuf};

use polars::prelude::*;

use super::ReadError;
use crate::matrix::Record;
use crate::registry::MuniCode;

/// Lower-case extension of `path`.
pub(crate) fn extension(path: &Path) -> Option<String> {
    path.extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
}

/// A table read from disk, with the numbering its records use in messages.
pub(crate) struct Table {
    pub path: PathBuf,
    pub frame: DataFrame,
    text: bool,
    /// Lines before the header (a `#` preamble), added to every line number.
    line_offset: u64,
}

impl Table {
    /// Reads a CSV (all columns as text) or Parquet file.
    pub fn read(path: &Path) -> Result<Self, ReadError> {
        let table_err = |source| ReadError::Table {
            path: path.to_path_buf(),
            source,
        };
        match extension(path).as_deref() {
            Some("csv") | Some("txt") => {
                let bytes = read_utf8(path)?;
                let frame = CsvReadOptions::default()
                    .with_has_header(true)
                    .with_infer_schema_length(Some(0))
                    .into_reader_with_file_handle(Cursor::new(bytes))
                    .finish()
                    .map_err(table_err)?;
                Ok(Table {
                    path: path.to_path_buf(),
                    frame,
                    text: true,
                    line_offset: 0,
                })
            }
            Some("parquet") | Some("pq") => {
                let file = File::open(path).map_err(|source| ReadError::Io {
                    path: path.to_path_buf(),
                    source,
                })?;
                let frame = ParquetReader::new(file).finish().map_err(table_err)?;
                Ok(Table {
                    path: path.to_path_buf(),
                    frame,
                    text: false,
                    line_offset: 0,
                })
            }
            _ => Err(ReadError::UnknownFormat {
                path: path.to_path_buf(),
            }),
        }
    }

    /// Reads CSV text already in memory (a shipped list) that started `line_offset` lines into its
    /// file (after a preamble), so that messages name the file's own line numbers.
    pub fn from_csv_bytes_after(
        label: &Path,
        bytes: &[u8],
        line_offset: u64,
    ) -> Result<Self, ReadError> {
        let frame = CsvReadOptions::default()
            .with_has_header(true)
            .with_infer_schema_length(Some(0))
            .into_reader_with_file_handle(Cursor::new(bytes.to_vec()))
            .finish()
            .map_err(|source| ReadError::Table {
                path: label.to_path_buf(),
                source,
            })?;
        Ok(Table {
            path: label.to_path_buf(),
            frame,
            text: true,
            line_offset,
        })
    }

    /// Number of data records.
    pub fn height(&self) -> usize {
        self.frame.height()
    }

    /// The record number of data row `i` as users see it: the CSV line (header = line 1) or
    /// the 1-based Parquet row.
    pub fn record(&self, i: usize) -> Record {
        if self.text {
            Record::Line(i as u64 + 2 + self.line_offset)
        } else {
            Record::Row(i as u64 + 1)
        }
    }

    /// [`Table::record`] as text.
    pub fn record_text(&self, i: usize) -> String {
        match self.record(i) {
            Record::Line(n) => format!("line {n}"),
            Record::Row(n) => format!("row {n}"),
            _ => unreachable!("tables number records by line or row"),
        }
    }

    /// The first column whose name (trimmed) is one of `accepted`.
    pub fn column(&self, wanted: &'static str, accepted: &[&str]) -> Result<&Column, ReadError> {
        let found = self
            .frame
            .columns()
            .iter()
            .find(|c| accepted.contains(&c.name().trim()));
        found.ok_or_else(|| ReadError::MissingColumn {
            path: self.path.clone(),
            wanted,
            accepted: accepted.join(", "),
            found: self
                .frame
                .get_column_names()
                .iter()
                .map(|n| n.as_str())
                .collect::<Vec<_>>()
                .join(", "),
        })
    }

    /// Whether a column with one of these names exists.
    pub fn has_column(&self, accepted: &[&str]) -> bool {
        self.frame
            .columns()
            .iter()
            .any(|c| accepted.contains(&c.name().trim()))
    }

    /// A column as text values (Parquet numbers are formatted), for free-text fields.
    pub fn text(&self, column: &Column) -> Result<Vec<Option<String>>, ReadError> {
        let cast = column
            .cast(&DataType::String)
            .map_err(|source| ReadError::Table {
                path: self.path.clone(),
                source,
            })?;
        let strings = cast.str().map_err(|source| ReadError::Table {
            path: self.path.clone(),
            source,
        })?;
        Ok(strings
            .iter()
            .map(|v| v.map(|s| s.trim().to_string()))
            .collect())
    }

    /// A column of 5-digit codes: text of exactly five digits, or integers 0–99999.
    pub fn codes(&self, column: &Column) -> Result<Vec<MuniCode>, ReadError> {
        let name = column.name().to_string();
        let bad = |i: usize, value: String| ReadError::BadCode {
            path: self.path.clone(),
            record: self.record_text(i),
            column: name.clone(),
            value,
            expected: "five digits, e.g. 01100",
        };
        if column.dtype().is_integer() {
            let ints = self.ints(column)?;
            ints.into_iter()
                .enumerate()
                .map(|(i, v)| {
                    let v = v.ok_or_else(|| bad(i, String::new()))?;
                    MuniCode::from_int(v).ok_or_else(|| bad(i, v.to_string()))
                })
                .collect()
        } else {
            self.text(column)?
                .into_iter()
                .enumerate()
                .map(|(i, v)| {
                    let v = v.unwrap_or_default();
                    MuniCode::parse(&v).ok_or_else(|| bad(i, v))
                })
                .collect()
        }
    }

    /// A column of person counts: non-negative whole numbers, `None` where empty. `code_of(i)`
    /// names the record's code(s) in errors.
    pub fn counts(
        &self,
        column: &Column,
        code_of: &dyn Fn(usize) -> String,
    ) -> Result<Vec<Option<u64>>, ReadError> {
        let name = column.name().to_string();
        let bad = |i: usize, value: String, problem: &'static str| ReadError::BadCount {
            path: self.path.clone(),
            record: self.record_text(i),
            column: name.clone(),
            code: code_of(i),
            value,
            problem,
        };
        let dtype = column.dtype().clone();
        if dtype.is_integer() {
            self.ints(column)?
                .into_iter()
                .enumerate()
                .map(|(i, v)| match v {
                    Some(v) if v < 0 => Err(bad(i, v.to_string(), "negative")),
                    other => Ok(other.map(|v| v as u64)),
                })
                .collect()
        } else if dtype.is_float() {
            let cast = column
                .cast(&DataType::Float64)
                .map_err(|source| ReadError::Table {
                    path: self.path.clone(),
                    source,
                })?;
            let floats = cast.f64().map_err(|source| ReadError::Table {
                path: self.path.clone(),
                source,
            })?;
            floats
                .iter()
                .enumerate()
                .map(|(i, v)| match v {
                    None => Ok(None),
                    Some(v) => count_from_f64(v)
                        .map(Some)
                        .map_err(|p| bad(i, v.to_string(), p)),
                })
                .collect()
        } else {
            self.text(column)?
                .into_iter()
                .enumerate()
                .map(|(i, v)| match v.as_deref() {
                    None | Some("") => Ok(None),
                    Some(text) => parse_count(text)
                        .map(Some)
                        .map_err(|p| bad(i, text.to_string(), p)),
                })
                .collect()
        }
    }

    /// A column of decimal numbers (coordinates), `None` where empty.
    pub fn floats(
        &self,
        column: &Column,
        code_of: &dyn Fn(usize) -> String,
    ) -> Result<Vec<Option<f64>>, ReadError> {
        let name = column.name().to_string();
        self.text(column)?
            .into_iter()
            .enumerate()
            .map(|(i, v)| match v.as_deref() {
                None | Some("") => Ok(None),
                Some(text) => text
                    .parse::<f64>()
                    .ok()
                    .filter(|x| x.is_finite())
                    .map(Some)
                    .ok_or_else(|| ReadError::BadValue {
                        path: self.path.clone(),
                        record: self.record_text(i),
                        column: name.clone(),
                        code: code_of(i),
                        value: text.to_string(),
                        expected: "a decimal number",
                    }),
            })
            .collect()
    }

    fn ints(&self, column: &Column) -> Result<Vec<Option<i64>>, ReadError> {
        let cast = column
            .cast(&DataType::Int64)
            .map_err(|source| ReadError::Table {
                path: self.path.clone(),
                source,
            })?;
        let ints = cast.i64().map_err(|source| ReadError::Table {
            path: self.path.clone(),
            source,
        })?;
        Ok(ints.iter().collect())
    }
}

/// Parses a whole, non-negative count written as text (`"123"`, `"1,234"` is refused).
pub(crate) fn parse_count(text: &str) -> Result<u64, &'static str> {
    if let Some(rest) = text.strip_prefix('-') {
        return Err(
            if rest.chars().all(|c| c.is_ascii_digit() || c == '.') && !rest.is_empty() {
                "negative"
            } else {
                "not a number"
            },
        );
    }
    if text.bytes().all(|b| b.is_ascii_digit()) {
        return text.parse().map_err(|_| "too large");
    }
    match text.parse::<f64>() {
        Ok(v) => count_from_f64(v),
        Err(_) => Err("not a number"),
    }
}

/// Accepts a float only if it is a whole, non-negative number.
pub(crate) fn count_from_f64(v: f64) -> Result<u64, &'static str> {
    if !v.is_finite() {
        Err("not a number")
    } else if v < 0.0 {
        Err("negative")
    } else if v.fract() != 0.0 {
        Err("not a whole number")
    } else if v > 9.0e15 {
        Err("too large")
    } else {
        Ok(v as u64)
    }
}

/// Reads a file, checks it is UTF-8 and strips a byte-order mark.
pub(crate) fn read_utf8(path: &Path) -> Result<Vec<u8>, ReadError> {
    let mut bytes = std::fs::read(path).map_err(|source| ReadError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    if let Err(e) = std::str::from_utf8(&bytes) {
        let offset = e.valid_up_to();
        let line = bytes[..offset].iter().filter(|&&b| b == b'\n').count() + 1;
        return Err(ReadError::Encoding {
            path: path.to_path_buf(),
            line,
            offset,
        });
    }
    if bytes.starts_with(b"\xEF\xBB\xBF") {
        bytes.drain(..3);
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_must_be_whole_and_non_negative() {
        assert_eq!(parse_count("120"), Ok(120));
        assert_eq!(parse_count("120.0"), Ok(120));
        assert_eq!(parse_count("-3"), Err("negative"));
        assert_eq!(parse_count("2.5"), Err("not a whole number"));
        assert_eq!(parse_count("abc"), Err("not a number"));
        assert_eq!(parse_count("-"), Err("not a number"));
    }
}
