//! Writing result tables as CSV or Parquet.

use std::fs::File;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use polars::prelude::*;

/// Output format of a table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OutFormat {
    /// Comma-separated, UTF-8 with a byte-order mark (so that Excel in a Japanese locale reads
    /// it as UTF-8, not Shift_JIS), English header row, full precision, empty cell for
    /// missing values.
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
    /// Unsigned integers, every row with a value (a large table is handed over without an
    /// `Option` per value).
    U64Full(Vec<u64>),
    /// Signed integers, every row with a value.
    I64Full(Vec<i64>),
    /// Floating point, every row with a value; a value that is not finite is written missing.
    F64Full(Vec<f64>),
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
    /// The workbook could not be built.
    #[error("{path}: cannot build the workbook: {source}")]
    Workbook {
        /// Path.
        path: PathBuf,
        /// Cause.
        #[source]
        source: rust_xlsxwriter::XlsxError,
    },
    /// SQLite refused the GeoPackage.
    #[error("{path}: cannot write the GeoPackage: {source}")]
    GeoPackage {
        /// Path.
        path: PathBuf,
        /// Cause.
        #[source]
        source: rusqlite::Error,
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
                // Columns without a missing value are built from plain values (polars' builder
                // of optional values is several times slower on large tables).
                OutValues::U64(v) => match v.iter().copied().collect::<Option<Vec<u64>>>() {
                    Some(all) => Column::new(name, all),
                    None => Column::new(name, v),
                },
                OutValues::I64(v) => match v.iter().copied().collect::<Option<Vec<i64>>>() {
                    Some(all) => Column::new(name, all),
                    None => Column::new(name, v),
                },
                OutValues::U64Full(v) => Column::new(name, v.clone()),
                OutValues::I64Full(v) => Column::new(name, v.clone()),
                OutValues::F64Full(v) if v.iter().all(|x| x.is_finite()) => {
                    Column::new(name, v.clone())
                }
                OutValues::F64Full(v) => Column::new(
                    name,
                    v.iter()
                        .map(|x| Some(*x).filter(|x| x.is_finite()))
                        .collect::<Vec<_>>(),
                ),
                // A ratio with a zero denominator is missing, not `NaN`.
                OutValues::F64(v) => {
                    let finite = |x: &Option<f64>| x.filter(|x| x.is_finite());
                    match v.iter().map(finite).collect::<Option<Vec<f64>>>() {
                        Some(all) => Column::new(name, all),
                        None => Column::new(name, v.iter().map(finite).collect::<Vec<_>>()),
                    }
                }
            }
        })
        .collect();
    let mut frame = DataFrame::new_infer_height(series).map_err(encode)?;
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(io)?;
    }
    let mut failure = None;
    let result = write_atomic(path, |file| {
        let outcome = match format {
            OutFormat::Csv => CsvWriter::new(&mut *file)
                .include_bom(true)
                .include_header(true)
                .finish(&mut frame),
            OutFormat::Parquet => ParquetWriter::new(&mut *file)
                .finish(&mut frame)
                .map(|_| ()),
        };
        outcome.map_err(|e| {
            failure = Some(e);
            std::io::Error::other("encoding failed")
        })
    });
    match (result, failure) {
        (_, Some(e)) => Err(encode(e)),
        (r, None) => r,
    }
}

/// Writes a file through a temporary name in the same folder (`.NAME.partial-PID`), synced
/// and renamed into place only once complete: an interrupted run leaves either the old file
/// or the new one, never a half-written one. Parent folders are created.
///
/// # Errors
/// [`WriteError::Io`] when the folder, the temporary file or the rename fails (the
/// temporary file is removed).
pub fn write_atomic(
    path: &Path,
    fill: impl FnOnce(&mut File) -> std::io::Result<()>,
) -> Result<(), WriteError> {
    write_atomic_path(path, |tmp| {
        let mut file = File::create(tmp)?;
        fill(&mut file)?;
        file.sync_all()
    })
}

/// As [`write_atomic`], for a writer that opens the file itself (SQLite): `fill` creates and
/// completes the file at the temporary path it is given, which is then synced and renamed.
///
/// # Errors
/// [`WriteError::Io`] when `fill`, the folder or the rename fails (the temporary file is
/// removed).
pub fn write_atomic_path(
    path: &Path,
    fill: impl FnOnce(&Path) -> std::io::Result<()>,
) -> Result<(), WriteError> {
    let io = |source| WriteError::Io {
        path: path.to_path_buf(),
        source,
    };
    let dir = match path.parent().filter(|p| !p.as_os_str().is_empty()) {
        Some(parent) => {
            std::fs::create_dir_all(parent).map_err(io)?;
            parent.to_path_buf()
        }
        None => PathBuf::from("."),
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.partial-{}", std::process::id()));
    let outcome = (|| {
        // A leftover of this process id (a killed run) must not be opened as a database.
        if tmp.exists() {
            std::fs::remove_file(&tmp)?;
        }
        fill(&tmp)?;
        File::open(&tmp)?.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if outcome.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    outcome.map_err(io)
}

/// Writes text through [`write_atomic`].
///
/// # Errors
/// As [`write_atomic`].
pub fn write_text(path: &Path, text: &str) -> Result<(), WriteError> {
    write_atomic(path, |f| f.write_all(text.as_bytes()))
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
    let text = serde_json::to_string_pretty(value).map_err(|e| io(std::io::Error::other(e)))?;
    write_text(path, &(text + "\n"))
}
