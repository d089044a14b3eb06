//! `run.json`: what a run was given and what it wrote, written last into its output folder
//! so that a folder with a `run.json` holds one complete run.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::io::{self, ListInfo};

/// One input file or folder with its size.
#[derive(Clone, Debug, Serialize)]
pub struct InputFile {
    /// What it is (`od`, `population`, `core cities`, …).
    pub role: String,
    /// Path as given, or the shipped list's name.
    pub path: String,
    /// Size in bytes (a folder: its files together); `None` for a shipped list.
    pub bytes: Option<u64>,
    /// The list's `source` line, for rule lists.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// The list's `as of` date, for rule lists.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub as_of: Option<String>,
}

impl InputFile {
    /// A file or folder on disk.
    pub fn at(role: &str, path: &Path) -> Self {
        InputFile {
            role: role.to_string(),
            path: path.display().to_string(),
            bytes: size_of(path),
            source: None,
            as_of: None,
        }
    }

    /// A rule list, shipped or read from a file.
    pub fn list(role: &str, info: &ListInfo) -> Self {
        InputFile {
            role: role.to_string(),
            path: info.file.clone(),
            bytes: if info.shipped {
                None
            } else {
                size_of(Path::new(&info.file))
            },
            source: Some(info.source.clone()),
            as_of: info.as_of.map(|d| d.to_string()),
        }
    }
}

fn size_of(path: &Path) -> Option<u64> {
    let meta = std::fs::metadata(path).ok()?;
    if meta.is_dir() {
        let entries = std::fs::read_dir(path).ok()?;
        Some(
            entries
                .filter_map(Result::ok)
                .filter_map(|e| e.metadata().ok())
                .filter(|m| m.is_file())
                .map(|m| m.len())
                .sum(),
        )
    } else {
        Some(meta.len())
    }
}

/// The record of one run.
#[derive(Clone, Debug, Serialize)]
pub struct RunRecord {
    /// `toshiken`.
    pub tool: &'static str,
    /// Crate version.
    pub version: &'static str,
    /// The subcommand.
    pub command: String,
    /// The command line as typed.
    pub arguments: Vec<String>,
    /// Every parameter with the value used (defaults included).
    pub parameters: BTreeMap<String, String>,
    /// Inputs and rule lists.
    pub inputs: Vec<InputFile>,
    /// Warnings printed during the run.
    pub warnings: Vec<String>,
    /// Files written (relative to the output folder).
    pub outputs: Vec<String>,
    /// Wall time per stage in seconds.
    pub timings: BTreeMap<String, f64>,
}

impl RunRecord {
    /// A record for `command` with the process's arguments.
    pub fn new(command: &str) -> Self {
        RunRecord {
            tool: "toshiken",
            version: env!("CARGO_PKG_VERSION"),
            command: command.to_string(),
            arguments: std::env::args().collect(),
            parameters: BTreeMap::new(),
            inputs: Vec::new(),
            warnings: Vec::new(),
            outputs: Vec::new(),
            timings: BTreeMap::new(),
        }
    }

    /// Adds a parameter.
    pub fn param(&mut self, name: &str, value: impl ToString) -> &mut Self {
        self.parameters.insert(name.to_string(), value.to_string());
        self
    }

    /// Writes `out/run.json` (atomically), listing `written` relative to `out`.
    ///
    /// # Errors
    /// When the file cannot be written.
    pub fn write(
        mut self,
        out: &Path,
        written: &[PathBuf],
        timings: &super::Timings,
    ) -> anyhow::Result<PathBuf> {
        self.outputs = written
            .iter()
            .map(|p| p.strip_prefix(out).unwrap_or(p).display().to_string())
            .collect();
        self.timings = timings
            .stages()
            .iter()
            .fold(BTreeMap::new(), |mut m, (n, d)| {
                *m.entry(n.to_string()).or_insert(0.0) += d.as_secs_f64();
                m
            });
        let path = out.join("run.json");
        io::write_json(&path, &self)?;
        Ok(path)
    }
}
