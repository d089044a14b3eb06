//! Tables through polars: CSV (read as text, so every value is validated here with its line)
//! and Parquet (typed columns).

use std::fs::File;
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
    /// CSV: the file line of each record (header = line 1); `None` for Parquet (rows).
    lines: Option<Vec<u64>>,
}

impl Table {
    /// Reads a CSV (all columns as text, parsed here so that every problem has its line) or a
    /// Parquet file (typed columns).
    pub fn read(path: &Path) -> Result<Self, ReadError> {
        Self::read_only(path, &[])
    }

    /// [`Self::read`], decoding only the columns named in `keep` (each entry: the names
    /// accepted for one column) when a Parquet file has every one of them; otherwise, and for
    /// CSV, every column (so that a missing column's message lists what the file has).
    pub fn read_only(path: &Path, keep: &[&[&str]]) -> Result<Self, ReadError> {
        match extension(path).as_deref() {
            Some("csv") | Some("txt") => {
                let bytes = read_utf8(path)?;
                Self::from_csv_bytes_after(path, &bytes, 0)
            }
            Some("parquet") | Some("pq") => {
                let file = File::open(path).map_err(|source| ReadError::Io {
                    path: path.to_path_buf(),
                    source,
                })?;
                if file.metadata().map(|m| m.len() == 0).unwrap_or(false) {
                    return Err(ReadError::Empty {
                        path: path.to_path_buf(),
                        problem: "the file is empty",
                        what: "a Parquet table",
                    });
                }
                let damaged = || {
                    ReadError::Table {
                    path: path.to_path_buf(),
                    problem: "not a readable Parquet file (damaged, truncated, or another format with a .parquet name)".to_string(),
                }
                };
                super::parquet_check::check_parquet(path)?;
                let mut reader = ParquetReader::new(file);
                if !keep.is_empty() {
                    let names: Vec<String> = super::guard::decode(|| reader.schema())
                        .ok_or_else(damaged)?
                        .map_err(|_| damaged())?
                        .iter_names()
                        .map(|n| n.to_string())
                        .collect();
                    let chosen: Vec<String> = keep
                        .iter()
                        .filter_map(|accepted| {
                            names.iter().find(|n| accepted.contains(&n.trim())).cloned()
                        })
                        .collect();
                    if chosen.len() == keep.len() {
                        reader = reader.with_columns(Some(chosen));
                    }
                }
                let frame = super::guard::decode(|| reader.finish())
                    .ok_or_else(damaged)?
                    .map_err(|_| damaged())?;
                // A damaged file can decode into columns of different lengths.
                if frame.columns().iter().any(|c| c.len() != frame.height()) {
                    return Err(damaged());
                }
                Ok(Table {
                    path: path.to_path_buf(),
                    frame,
                    lines: None,
                })
            }
            _ => Err(ReadError::UnknownFormat {
                path: path.to_path_buf(),
            }),
        }
    }

    /// Reads CSV text (UTF-8, BOM already removed) that started `line_offset` lines into its
    /// file (after a `#` preamble), so that messages name the file's own line numbers.
    pub fn from_csv_bytes_after(
        label: &Path,
        bytes: &[u8],
        line_offset: u64,
    ) -> Result<Self, ReadError> {
        let csv = parse_csv(bytes).map_err(|(line, problem)| ReadError::Table {
            path: label.to_path_buf(),
            problem: format!("line {}: {problem}", line + line_offset),
        })?;
        let Some((header, records)) = csv.split_first() else {
            return Err(ReadError::Empty {
                path: label.to_path_buf(),
                problem: "the file is empty",
                what: "a CSV table with a header line",
            });
        };
        let names: Vec<String> = header.fields.iter().map(|f| f.trim().to_string()).collect();
        for (k, name) in names.iter().enumerate() {
            if name.is_empty() {
                return Err(ReadError::Table {
                    path: label.to_path_buf(),
                    problem: format!(
                        "line {}: column {} of the header has no name",
                        header.line + line_offset,
                        k + 1
                    ),
                });
            }
            if names[..k].contains(name) {
                return Err(ReadError::Table {
                    path: label.to_path_buf(),
                    problem: format!(
                        "line {}: column '{name}' appears twice in the header",
                        header.line + line_offset
                    ),
                });
            }
        }
        for r in records {
            if r.fields.len() != names.len() {
                return Err(ReadError::Table {
                    path: label.to_path_buf(),
                    problem: format!(
                        "line {}: {} fields where the header has {} ({}); a value with a comma must be quoted",
                        r.line + line_offset,
                        r.fields.len(),
                        names.len(),
                        names.join(",")
                    ),
                });
            }
        }
        let columns: Vec<Column> = names
            .iter()
            .enumerate()
            .map(|(k, name)| {
                let values: Vec<&str> = records.iter().map(|r| r.fields[k].as_str()).collect();
                Column::new(name.as_str().into(), values)
            })
            .collect();
        let frame = DataFrame::new(records.len(), columns).map_err(|_| ReadError::Table {
            path: label.to_path_buf(),
            problem: "internal: columns of unequal length".to_string(),
        })?;
        Ok(Table {
            path: label.to_path_buf(),
            frame,
            lines: Some(records.iter().map(|r| r.line + line_offset).collect()),
        })
    }

    /// An error unless the table has at least one record.
    pub fn require_records(&self, what: &'static str) -> Result<(), ReadError> {
        if self.height() == 0 {
            Err(ReadError::Empty {
                path: self.path.clone(),
                problem: "only a header, no records",
                what,
            })
        } else {
            Ok(())
        }
    }

    /// Number of data records.
    pub fn height(&self) -> usize {
        self.frame.height()
    }

    /// The record number of data row `i` as users see it: the CSV line (header = line 1) or
    /// the 1-based Parquet row.
    pub fn record(&self, i: usize) -> Record {
        match &self.lines {
            Some(lines) => Record::Line(lines[i]),
            None => Record::Row(i as u64 + 1),
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
            .map_err(|_| self.type_error(column, "text"))?;
        let strings = cast.str().map_err(|_| self.type_error(column, "text"))?;
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
                    let v = v.ok_or_else(|| bad(i, "null".to_string()))?;
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
                .map_err(|_| self.type_error(column, "numbers"))?;
            let floats = cast.f64().map_err(|_| self.type_error(column, "numbers"))?;
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
            .map_err(|_| self.type_error(column, "whole numbers"))?;
        let ints = cast
            .i64()
            .map_err(|_| self.type_error(column, "whole numbers"))?;
        Ok(ints.iter().collect())
    }

    fn type_error(&self, column: &Column, wanted: &str) -> ReadError {
        ReadError::Table {
            path: self.path.clone(),
            problem: format!(
                "column '{}' holds values of type {} that cannot be read as {wanted}",
                column.name(),
                column.dtype()
            ),
        }
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
    if text.contains(['e', 'E']) && text.parse::<f64>().is_ok() {
        return Err("in scientific notation, which Excel rounds to a few digits (save the column as a plain whole number)");
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

/// One CSV record: its fields and the line it starts on (1-based).
pub(crate) struct CsvRecord {
    pub line: u64,
    pub fields: Vec<String>,
}

/// Splits CSV text into records (RFC 4180: `"` quotes, `""` inside quotes, line breaks inside
/// quoted fields, `\r\n` or `\n`). Blank lines are skipped wherever they are (a file ending in
/// empty lines is fine). Errors give the line and the problem: a NUL byte (binary data), a
/// quote never closed, text after a closing quote.
pub(crate) fn parse_csv(bytes: &[u8]) -> Result<Vec<CsvRecord>, (u64, String)> {
    let text = std::str::from_utf8(bytes).map_err(|_| (1, "not UTF-8".to_string()))?;
    let mut records = Vec::new();
    let mut chars = text.chars().peekable();
    let mut line: u64 = 1;
    while chars.peek().is_some() {
        let start = line;
        let mut fields = Vec::new();
        let mut field = String::new();
        let mut quoted_field = false;
        loop {
            match chars.next() {
                None => {
                    fields.push(std::mem::take(&mut field));
                    break;
                }
                Some('\0') => {
                    return Err((
                        line,
                        "a NUL byte: this is binary data, not CSV text".to_string(),
                    ))
                }
                Some('"') if field.trim().is_empty() && !quoted_field => {
                    field.clear();
                    quoted_field = true;
                    let open_line = line;
                    loop {
                        match chars.next() {
                            None => {
                                return Err((
                                    open_line,
                                    "a quoted field is never closed (a \" without its partner)"
                                        .to_string(),
                                ))
                            }
                            Some('"') if chars.peek() == Some(&'"') => {
                                chars.next();
                                field.push('"');
                            }
                            Some('"') => break,
                            Some('\0') => {
                                return Err((
                                    line,
                                    "a NUL byte: this is binary data, not CSV text".to_string(),
                                ))
                            }
                            Some(c) => {
                                if c == '\n' {
                                    line += 1;
                                }
                                field.push(c);
                            }
                        }
                    }
                    // After the closing quote: spaces, then a separator or the end of the line.
                    while chars.peek().is_some_and(|c| *c == ' ' || *c == '\t') {
                        chars.next();
                    }
                    match chars.peek() {
                        None | Some(',') | Some('\n') | Some('\r') => {}
                        Some(c) => {
                            return Err((
                                line,
                                format!("text '{c}' after a closing quote; a quote inside a quoted value is written \"\""),
                            ))
                        }
                    }
                }
                Some(',') => {
                    fields.push(std::mem::take(&mut field));
                    quoted_field = false;
                }
                Some('\r') if chars.peek() == Some(&'\n') => {}
                Some('\n') => {
                    fields.push(std::mem::take(&mut field));
                    line += 1;
                    break;
                }
                Some(c) => field.push(c),
            }
        }
        let blank = fields.len() == 1 && fields[0].trim().is_empty() && !quoted_field;
        if !blank {
            records.push(CsvRecord {
                line: start,
                fields,
            });
        }
    }
    Ok(records)
}

/// The encoding the non-UTF-8 bytes at `offset` of a file look like, with the command that
/// converts them. Judged on the run of non-ASCII bytes that starts there (a file mostly in
/// UTF-8 with one pasted line is judged by that line).
pub(crate) fn guess_encoding(bytes: &[u8], offset: usize) -> String {
    let convert =
        |from: &str| format!("convert with `iconv -f {from} -t UTF-8 FILE > FILE.utf8.csv`");
    if bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF") {
        return format!(
            "it is UTF-16 (Excel's \"Unicode text\"): {}",
            convert("UTF-16")
        );
    }
    if bytes.starts_with(b"PK\x03\x04") {
        return "it is a ZIP archive (an Excel workbook?): save it as \"CSV UTF-8\"".to_string();
    }
    let line_end = bytes[offset..]
        .iter()
        .position(|&b| b == b'\n')
        .map_or(bytes.len(), |k| offset + k);
    let line_start = bytes[..offset]
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |k| k + 1);
    if bytes[line_start..line_end].contains(&0) {
        return "it holds NUL bytes: binary data, not text".to_string();
    }
    // The run of non-ASCII bytes from `offset` (a Shift_JIS trail byte may be ASCII).
    let mut end = offset;
    while end < line_end && bytes[end] >= 0x80 {
        let lead = bytes[end];
        let next = bytes.get(end + 1).copied().unwrap_or(0);
        end += if matches!(lead, 0x81..=0x9F | 0xE0..=0xFC) && matches!(next, 0x40..=0x7E) {
            2
        } else {
            1
        };
    }
    let run = &bytes[offset..end.min(line_end)];
    // Shift_JIS (CP932): lead 0x81–0x9F or 0xE0–0xFC, trail 0x40–0x7E or 0x80–0xFC;
    // half-width katakana 0xA1–0xDF alone. EUC-JP: pairs of 0xA1–0xFE (0x8E before kana).
    let (mut sjis, mut euc) = (true, run.len() % 2 == 0);
    let mut i = 0;
    while i < run.len() {
        let (b, next) = (run[i], run.get(i + 1).copied().unwrap_or(0));
        let pair =
            matches!(b, 0x81..=0x9F | 0xE0..=0xFC) && matches!(next, 0x40..=0x7E | 0x80..=0xFC);
        if !pair && !matches!(b, 0xA1..=0xDF) {
            sjis = false;
        }
        i += if pair { 2 } else { 1 };
    }
    for pair in run.chunks(2) {
        let ok = match pair {
            [a, b] => {
                (matches!(a, 0xA1..=0xFE) && matches!(b, 0xA1..=0xFE))
                    || (*a == 0x8E && matches!(b, 0xA1..=0xDF))
            }
            _ => false,
        };
        euc &= ok;
    }
    // Both may fit: EUC-JP never uses 0x80–0xA0 as a first byte, most Shift_JIS kanji do.
    let sjis_only_lead = run.iter().step_by(2).any(|b| matches!(b, 0x81..=0x9F));
    if !run.is_empty() && euc && !sjis_only_lead {
        format!("it looks like EUC-JP: {}", convert("EUC-JP"))
    } else if !run.is_empty() && sjis {
        format!(
            "it looks like Shift_JIS (CP932), the encoding of most e-Stat and MLIT downloads: {}",
            convert("CP932")
        )
    } else {
        "the encoding is not UTF-8, Shift_JIS or EUC-JP (binary data?); save the file as UTF-8"
            .to_string()
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
            guess: guess_encoding(&bytes, offset),
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
        assert!(parse_count("5.50E+03")
            .unwrap_err()
            .starts_with("in scientific notation"));
    }
}
