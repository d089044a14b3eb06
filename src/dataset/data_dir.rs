//! Where the input data lives: `--data`, then `TOSHIKEN_DATA`, then `data/jp`, then
//! `../shared/data/jp`.

use std::fmt;
use std::path::{Path, PathBuf};

use super::DatasetError;

/// Environment variable naming the data directory.
pub const DATA_ENV: &str = "TOSHIKEN_DATA";

/// Relative fallbacks tried in order after the flag and the environment variable.
pub const FALLBACKS: [&str; 2] = ["data/jp", "../shared/data/jp"];

/// How the data directory was chosen.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DataDirSource {
    /// `--data DIR`.
    Flag,
    /// The `TOSHIKEN_DATA` environment variable.
    Env,
    /// One of [`FALLBACKS`].
    Fallback(&'static str),
}

impl fmt::Display for DataDirSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DataDirSource::Flag => f.write_str("--data"),
            DataDirSource::Env => write!(f, "${DATA_ENV}"),
            DataDirSource::Fallback(p) => write!(f, "default {p}"),
        }
    }
}

/// A resolved data directory.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DataDir {
    /// The folder.
    pub path: PathBuf,
    /// How it was chosen.
    pub source: DataDirSource,
}

/// Resolves the data directory. A directory named by `--data` or `TOSHIKEN_DATA` must exist
/// (a typo is an error, not a silent fall-through); the fallbacks are tried relative to the
/// working directory.
///
/// # Errors
/// [`DatasetError::DataDir`] when the named folder does not exist or no fallback exists.
pub fn resolve_data_dir(flag: Option<&Path>) -> Result<DataDir, DatasetError> {
    let env = std::env::var_os(DATA_ENV)
        .filter(|v| !v.is_empty())
        .map(PathBuf::from);
    resolve_with(flag, env.as_deref())
}

/// [`resolve_data_dir`] with the environment passed in (for tests).
///
/// # Errors
/// As [`resolve_data_dir`].
pub fn resolve_with(flag: Option<&Path>, env: Option<&Path>) -> Result<DataDir, DatasetError> {
    let named = flag
        .map(|p| (p, DataDirSource::Flag))
        .or(env.map(|p| (p, DataDirSource::Env)));
    if let Some((path, source)) = named {
        if path.is_dir() {
            return Ok(DataDir {
                path: path.to_path_buf(),
                source,
            });
        }
        return Err(DatasetError::DataDir {
            tried: format!("{} (from {source})", path.display()),
        });
    }
    for fallback in FALLBACKS {
        if Path::new(fallback).is_dir() {
            return Ok(DataDir {
                path: PathBuf::from(fallback),
                source: DataDirSource::Fallback(fallback),
            });
        }
    }
    Err(DatasetError::DataDir {
        tried: FALLBACKS.join(", "),
    })
}
