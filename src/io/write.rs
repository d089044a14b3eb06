//! Writing result tables as CSV or Parquet.

use std::fs::File;
use std::path::{Path, PathBuf};

use polars::prelude::*;

/// Output format of a table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OutFormat {
    /// Comma-separated, UTF-8, header row, empty cell for missing values.
    Csv,
    /// Apache Parquet with typed columns (polars default compression).
    Parquet,
}

impl OutFormat {
    /// File extension.
    pub fn extension(self) -> &'static str {
        match self {
            OutFormat::Csv => "csv",
            OutFormat::Parquet => "parquet",
        }
    }
}

/// Values of one output column.
#[derive(Clone, Debug, PartialEq)]
pub enum OutValues {
    /// Text.
    Text(Vec<Option<String>>),
    /// Unsigned integers.
    U64(Vec<Option<u64>>),
    /// Signed integers.
    I64(Vec<Option<i64>>),
    /// Floating point.
    F64(Vec<Option<f64>>),
}

/// A named output column.
#[derive(Clone, Debug, PartialEq)]
pub struct OutColumn {
    /// Header.
    pub name: &'static str,
    /// Values, one per row.
    pub values: OutValues,
}

/// A table that could not be written.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    /// Creating or writing the file failed.
    #[error("{path}: cannot write: {source}")]
    Io {
        /// Path.
        path: PathBuf,
        /// Cause.
        #[source]
        source: std::io::Error,
    },
    /// polars refused the table.
    #[error("{path}: cannot encode the table: {source}")]
    Encode {
        /// Path.
        path: PathBuf,
        /// Cause.
        #[source]
        source: PolarsError,
    },
}

/// Writes `columns` to `path` in `format`, creating parent folders.
///
/// # Errors
/// [`WriteError`] when the file cannot be created or the columns differ in length.
pub fn write_table(
    path: &Path,
    format: OutFormat,
    columns: &[OutColumn],
) -> Result<(), WriteError> {
    let encode = |source| WriteError::Encode {
        path: path.to_path_buf(),
        source,
    };
    let io = |source| WriteError::Io {
        path: path.to_path_buf(),
        source,
    };
    let series: Vec<Column> = columns
        .iter()
        .map(|c| {
            let name = PlSmallStr::from_static(c.name);
            match &c.values {
                OutValues::Text(v) => Column::new(name, v),
                OutValues::U64(v) => Column::new(name, v),
                OutValues::I64(v) => Column::new(name, v),
                OutValues::F64(v) => Column::new(name, v),
            }
        })
        .collect();
    let mut frame = DataFrame::new_infer_height(series).map_err(encode)?;
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(io)?;
    }
    let file = File::create(path).map_err(io)?;
    match format {
        OutFormat::Csv => CsvWriter::new(file)
            .include_header(true)
            .finish(&mut frame)
            .map_err(encode)?,
        OutFormat::Parquet => {
            ParquetWriter::new(file)
                .finish(&mut frame)
                .map_err(encode)?;
        }
    }
    Ok(())
}

/// Writes `value` as pretty JSON (with a final newline), creating parent folders.
///
/// # Errors
/// [`WriteError::Io`] when the file cannot be written.
pub fn write_json<T: serde::Serialize>(path: &Path, value: &T) -> Result<(), WriteError> {
    let io = |source| WriteError::Io {
        path: path.to_path_buf(),
        source,
    };
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(io)?;
    }
    let text = serde_json::to_string_pretty(value).map_err(|e| io(std::io::Error::other(e)))?;
    std::fs::write(path, text + "\n").map_err(io)
}
