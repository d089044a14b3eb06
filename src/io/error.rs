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
    #[error("{path}: line {line}: not UTF-8 (byte offset {offset}); {guess}")]
    Encoding {
        /// Path.
        path: PathBuf,
        /// 1-based line of the first bad byte.
        line: usize,
        /// Byte offset of the first bad byte.
        offset: usize,
        /// The encoding it looks like, and how to convert.
        guess: String,
    },
    /// A CSV or Parquet file that cannot be parsed, in the user's words.
    #[error("{path}: {problem}")]
    Table {
        /// Path.
        path: PathBuf,
        /// What is wrong, with the line where known.
        problem: String,
    },
    /// A file that is empty, or a table with a header and no records.
    #[error("{path}: {problem}; expected {what}")]
    Empty {
        /// Path.
        path: PathBuf,
        /// `the file is empty` or `only a header, no records`.
        problem: &'static str,
        /// What the file should hold.
        what: &'static str,
    },
    /// A JSON file that is not valid JSON or not in the expected layout.
    #[error("{path}: {problem}; expected {layout}")]
    Json {
        /// Path.
        path: PathBuf,
        /// The expected layout.
        layout: &'static str,
        /// What is wrong, with line and column.
        problem: String,
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
    #[error("{path}: {record}: {code} already given at {first}")]
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
        problem: crate::matrix::OdError,
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

/// The census OD JSON layout, for messages.
pub const CENSUS_JSON_LAYOUT: &str =
    "census OD JSON {\"od\": {origin: {destination: persons}}, \"total_employed\": {origin: persons}}";

impl ReadError {
    /// A JSON error in the user's words: where it is and what is wrong, without serde's type
    /// names.
    pub(crate) fn json(
        path: &std::path::Path,
        layout: &'static str,
        e: &serde_json::Error,
    ) -> Self {
        use serde_json::error::Category;
        // Errors of `from_value` have no position.
        let at = if e.line() == 0 {
            "the top level".to_string()
        } else {
            format!("line {}, column {}", e.line(), e.column())
        };
        let problem = match e.classify() {
            Category::Io => format!("cannot read: {e}"),
            Category::Syntax => format!("not JSON: a syntax error at {at}"),
            Category::Eof => format!("the JSON ends early at {at} (a truncated file?)"),
            Category::Data => format!("{} at {at}", data_problem(&e.to_string())),
        };
        ReadError::Json {
            path: path.to_path_buf(),
            layout,
            problem,
        }
    }
}

/// serde's data message (`invalid type: string "30", expected u64 at line 1 column 9`) in
/// plain words, location removed.
fn data_problem(message: &str) -> String {
    let text = match message.rfind(" at line ") {
        Some(k) => &message[..k],
        None => message,
    };
    // What serde found: `sequence`, `map`, `string "x"`, `integer `3``, `floating point `1.5``.
    let found = |t: &str| -> String {
        let t = t.replace('`', "");
        match t.as_str() {
            "sequence" => "a list".to_string(),
            "map" => "an object".to_string(),
            "null" | "unit value" => "null".to_string(),
            _ => {
                if let Some(v) = t.strip_prefix("string ") {
                    format!("the text {v}")
                } else if let Some(v) = t.strip_prefix("integer ") {
                    format!("the number {v}")
                } else if let Some(v) = t.strip_prefix("floating point ") {
                    format!("the number {v}")
                } else if let Some(v) = t.strip_prefix("boolean ") {
                    v.to_string()
                } else {
                    t
                }
            }
        }
    };
    let expected = |t: &str| -> String {
        match t {
            "u64" | "u32" | "usize" => "a whole number".to_string(),
            "f64" => "a number".to_string(),
            "a sequence" => "a list".to_string(),
            "a map" => "an object".to_string(),
            "struct Topology" => "a TopoJSON Topology".to_string(),
            "struct CensusFile" => "the census layout".to_string(),
            "an array of length 2" => "two numbers".to_string(),
            other => other.to_string(),
        }
    };
    for prefix in ["invalid type: ", "invalid value: "] {
        if let Some(rest) = text.strip_prefix(prefix) {
            if let Some((f, e)) = rest.split_once(", expected ") {
                return format!("found {} where {} was expected", found(f), expected(e));
            }
        }
    }
    if let Some(rest) = text.strip_prefix("invalid length ") {
        if let Some((n, e)) = rest.split_once(", expected ") {
            return format!("{n} items where {} were expected", expected(e));
        }
    }
    if let Some(field) = text.strip_prefix("missing field ") {
        return format!("no field {}", field.replace('`', "\""));
    }
    if let Some(field) = text.strip_prefix("unknown field ") {
        return format!("unknown field {}", field.replace('`', "\""));
    }
    text.replace('`', "\"")
}
