//! `ReadError`: every way an input file can be wrong, with file, record and code.

use std::path::PathBuf;

/// An input file that cannot be used. Every variant names the file; record-level variants
/// name the record (`line 12`, `row 7`, `od["33100"]["33202"]`) and the code where known.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// The file or folder cannot be opened or read.
    #[error("{path}: cannot read: {source}")]
    Io {
        /// Path.
        path: PathBuf,
        /// Cause.
        #[source]
        source: std::io::Error,
    },
    /// Bytes that are not UTF-8.
    #[error("{path}: line {line}: not valid UTF-8 (byte offset {offset}); e-Stat and MLIT downloads are often Shift_JIS: convert with `iconv -f CP932 -t UTF-8`")]
    Encoding {
        /// Path.
        path: PathBuf,
        /// 1-based line of the first bad byte.
        line: usize,
        /// Byte offset of the first bad byte.
        offset: usize,
    },
    /// A CSV or Parquet file polars cannot parse.
    #[error("{path}: malformed table: {source}")]
    Table {
        /// Path.
        path: PathBuf,
        /// Cause.
        #[source]
        source: polars::error::PolarsError,
    },
    /// A JSON file that is not valid JSON or not in the census layout.
    #[error("{path}: malformed census JSON (expected {{\"od\": {{origin: {{destination: persons}}}}, \"total_employed\": {{origin: persons}}}}): {source}")]
    Json {
        /// Path.
        path: PathBuf,
        /// Cause, with line and column.
        #[source]
        source: serde_json::Error,
    },
    /// A required column is absent.
    #[error("{path}: no column {wanted} (accepted names: {accepted}; found: {found})")]
    MissingColumn {
        /// Path.
        path: PathBuf,
        /// Role of the column.
        wanted: &'static str,
        /// Accepted names.
        accepted: String,
        /// Columns present.
        found: String,
    },
    /// A value that is not a valid code.
    #[error("{path}: {record}: {column} '{value}' is not a valid code ({expected})")]
    BadCode {
        /// Path.
        path: PathBuf,
        /// Record.
        record: String,
        /// Column or field.
        column: String,
        /// The value as written.
        value: String,
        /// What was expected.
        expected: &'static str,
    },
    /// A count that is negative, not an integer, missing or unreadable.
    #[error("{path}: {record}: {column} '{value}' for {code} is {problem}; expected a non-negative whole number of persons")]
    BadCount {
        /// Path.
        path: PathBuf,
        /// Record.
        record: String,
        /// Column or field.
        column: String,
        /// The code(s) of the record.
        code: String,
        /// The value as written.
        value: String,
        /// What is wrong.
        problem: &'static str,
    },
    /// A value other than a code or count that cannot be parsed.
    #[error("{path}: {record}: {column} '{value}' for {code} is not {expected}")]
    BadValue {
        /// Path.
        path: PathBuf,
        /// Record.
        record: String,
        /// Column.
        column: String,
        /// Code of the record.
        code: String,
        /// The value.
        value: String,
        /// What was expected.
        expected: &'static str,
    },
    /// The same code twice in a file keyed by code.
    #[error("{path}: {record}: code {code} already given at {first}")]
    DuplicateCode {
        /// Path.
        path: PathBuf,
        /// The repeat.
        record: String,
        /// The first.
        first: String,
        /// The code.
        code: String,
    },
    /// A polygon that cannot be used.
    #[error("{path}: {feature}: broken geometry: {problem}")]
    BadGeometry {
        /// Path.
        path: PathBuf,
        /// Which feature (position and code).
        feature: String,
        /// What is wrong.
        problem: String,
    },
    /// A file extension the readers do not know.
    #[error("{path}: unknown table format (expected .csv, .parquet or .json, or a folder of census .json files)")]
    UnknownFormat {
        /// Path.
        path: PathBuf,
    },
    /// A folder without any census JSON file.
    #[error("{path}: no .json files in this folder")]
    EmptyFolder {
        /// Path.
        path: PathBuf,
    },
    /// A zone OD the zone matrix refuses (unknown zone, duplicate pair).
    #[error("{path}: {problem}")]
    ZoneOd {
        /// Path.
        path: PathBuf,
        /// What is wrong, with the row (shown in the message, so not a `source`).
        problem: crate::zones::ZoneOdError,
    },
    /// Zone ids of a population table that are not exactly `0..n`.
    #[error("{path}: zone ids must be 0..{n} with each once; zone {missing} is missing")]
    ZoneIds {
        /// Path.
        path: PathBuf,
        /// Rows in the table.
        n: usize,
        /// The first id not given.
        missing: usize,
    },
}
