//! `run.json`: what a run was given and what it wrote.
//!
//! The policy for an output folder, so that a folder never mixes runs without saying so:
//! 1. When a run starts, `run.json` is replaced by one whose `status` is `running` (and any
//!    temporary `.NAME.partial-PID` file left by a killed run is removed). A folder whose
//!    `run.json` says `running` holds an interrupted run: each file in it is complete (files are
//!    written to a temporary name and renamed) but they may come from two runs.
//! 2. When it ends, the files of an earlier run of the same command that this run did not
//!    write are removed (the run replaces that set), files of other commands' runs are kept
//!    and listed under `earlier_runs`, and `run.json` is rewritten with `status: complete`, last.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Serialize;
use serde_json::Value;
use sha2::{Digest, Sha256};

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
    /// SHA-256 of the file (a folder: of its files' names and hashes, in name order); `None`
    /// for a shipped list.
    pub sha256: Option<String>,
    /// The list's `source` line, for rule lists.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// The list's `as of` date, for rule lists.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub as_of: Option<String>,
    /// How the OD or population was laid out (e-Stat download and table id, census JSON, …).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub layout: Option<String>,
}

impl InputFile {
    /// A file or folder on disk.
    pub fn at(role: &str, path: &Path) -> Self {
        InputFile {
            role: role.to_string(),
            path: path.display().to_string(),
            bytes: size_of(path),
            sha256: sha256_of(path),
            source: None,
            as_of: None,
            layout: None,
        }
    }

    /// The same, with how the file is laid out.
    pub fn with_layout(mut self, layout: String) -> Self {
        self.layout = Some(layout);
        self
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
            sha256: if info.shipped {
                None
            } else {
                sha256_of(Path::new(&info.file))
            },
            source: Some(info.source.clone()),
            as_of: info.as_of.map(|d| d.to_string()),
            layout: None,
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

fn sha256_of(path: &Path) -> Option<String> {
    let meta = std::fs::metadata(path).ok()?;
    let hex = |d: &[u8]| d.iter().map(|b| format!("{b:02x}")).collect::<String>();
    if meta.is_dir() {
        let mut files: Vec<PathBuf> = std::fs::read_dir(path)
            .ok()?
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.is_file())
            .collect();
        files.sort();
        let mut h = Sha256::new();
        for f in files {
            let name = f.file_name()?.to_string_lossy().into_owned();
            h.update(name.as_bytes());
            h.update(file_digest(&f)?);
        }
        Some(hex(&h.finalize()))
    } else {
        Some(hex(&file_digest(path)?))
    }
}

/// SHA-256 of one file, read in 1 MB pieces (a 200 MB OD is not held in memory twice).
fn file_digest(path: &Path) -> Option<Vec<u8>> {
    use std::io::Read;
    let mut file = std::fs::File::open(path).ok()?;
    let mut h = Sha256::new();
    let mut buffer = vec![0u8; 1 << 20];
    loop {
        match file.read(&mut buffer) {
            Ok(0) => break,
            Ok(k) => h.update(&buffer[..k]),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(_) => return None,
        }
    }
    Some(h.finalize().to_vec())
}

/// Input files hashed on a thread of their own while the run reads and computes, so that
/// hashing a large OD for `run.json` is not on the run's critical path.
pub struct HashAhead(std::thread::JoinHandle<Vec<InputFile>>);

impl HashAhead {
    /// Starts hashing `(role, path)` in order.
    pub fn start(files: Vec<(&'static str, PathBuf)>) -> Self {
        HashAhead(std::thread::spawn(move || {
            files
                .iter()
                .map(|(role, path)| InputFile::at(role, path))
                .collect()
        }))
    }

    /// The inputs with their sizes and hashes, in the order given.
    pub fn finish(self) -> Vec<InputFile> {
        self.0
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
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
    /// `running` while the run writes, `complete` once every file is written.
    pub status: &'static str,
    /// Files written (relative to the output folder).
    pub outputs: Vec<String>,
    /// Files in the folder from runs of other commands (kept), by run.
    pub earlier_runs: Vec<Value>,
    /// Wall time per stage in seconds.
    pub timings: BTreeMap<String, f64>,
}

impl RunRecord {
    /// The record as item/value rows for a workbook's run sheet: tool and version, the command
    /// line, every parameter, every input with its size, SHA-256, source and as-of date, and
    /// the warnings.
    pub fn summary_rows(&self) -> Vec<(String, String)> {
        let mut rows = vec![
            (
                "tool".to_string(),
                format!("{} {}", self.tool, self.version),
            ),
            ("command".to_string(), self.command.clone()),
            ("arguments".to_string(), self.arguments.join(" ")),
        ];
        for (k, v) in &self.parameters {
            rows.push((format!("parameter: {k}"), v.clone()));
        }
        for input in &self.inputs {
            let mut parts = vec![input.path.clone()];
            if let Some(b) = input.bytes {
                parts.push(format!("{b} bytes"));
            }
            if let Some(h) = &input.sha256 {
                parts.push(format!("SHA-256 {h}"));
            }
            if let Some(s) = &input.source {
                parts.push(format!("source: {s}"));
            }
            if let Some(d) = &input.as_of {
                parts.push(format!("as of {d}"));
            }
            if let Some(l) = &input.layout {
                parts.push(l.clone());
            }
            rows.push((format!("input: {}", input.role), parts.join("; ")));
        }
        for w in &self.warnings {
            rows.push(("warning".to_string(), w.clone()));
        }
        rows
    }

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
            status: "running",
            outputs: Vec::new(),
            earlier_runs: Vec::new(),
            timings: BTreeMap::new(),
        }
    }

    /// Marks `out` as holding a run of `command` in progress: removes temporary files left by
    /// killed runs and replaces `run.json` by a `running` record that carries what the folder
    /// held before (see the module's policy). Call before writing any output.
    ///
    /// # Errors
    /// When the folder or `run.json` cannot be written.
    pub fn begin(out: &Path, command: &str) -> anyhow::Result<()> {
        std::fs::create_dir_all(out).map_err(|e| {
            anyhow::anyhow!("{}: cannot create the output folder: {e}", out.display())
        })?;
        remove_stale_partials(out);
        let mut earlier: Vec<Value> = Vec::new();
        if let Some(old) = read_record(out) {
            let old_command = old.get("command").and_then(Value::as_str).unwrap_or("");
            let outputs = old.get("outputs").cloned().unwrap_or(Value::Array(vec![]));
            let status = old
                .get("status")
                .and_then(Value::as_str)
                .unwrap_or("complete");
            if status == "complete" || old.get("status").is_none() {
                let parameters = old.get("parameters").cloned().unwrap_or(Value::Null);
                earlier.push(serde_json::json!({
                    "command": old_command,
                    "parameters": parameters,
                    "outputs": outputs
                }));
            }
            if let Some(Value::Array(list)) = old.get("earlier_runs") {
                earlier.extend(list.iter().cloned());
            }
        }
        let mut record = RunRecord::new(command);
        record.earlier_runs = earlier;
        io::write_json(&out.join("run.json"), &record)?;
        Ok(())
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
        self.status = "complete";
        // The earlier runs `begin` recorded: the same command's files not rewritten go; other
        // commands' files that still exist and were not overwritten are listed.
        let earlier: Vec<Value> = read_record(out)
            .and_then(|r| r.get("earlier_runs").cloned())
            .and_then(|v| v.as_array().cloned())
            .unwrap_or_default();
        let mut kept: Vec<Value> = Vec::new();
        for run in earlier {
            let command = run.get("command").and_then(Value::as_str).unwrap_or("");
            let files: Vec<String> = run
                .get("outputs")
                .and_then(Value::as_array)
                .map(|l| {
                    l.iter()
                        .filter_map(|v| v.as_str().map(String::from))
                        .collect()
                })
                .unwrap_or_default();
            let mut left = Vec::new();
            for f in files {
                if f == "run.json" || self.outputs.contains(&f) {
                    continue;
                }
                let path = out.join(&f);
                if !path.is_file() {
                    continue;
                }
                if command == self.command {
                    let _ = std::fs::remove_file(&path);
                } else {
                    left.push(f);
                }
            }
            if !left.is_empty() {
                let parameters = run.get("parameters").cloned().unwrap_or(Value::Null);
                kept.push(serde_json::json!({
                    "command": command,
                    "parameters": parameters,
                    "outputs": left
                }));
            }
        }
        // Files no record accounts for (left by an interrupted run, or put there by hand).
        let mut listed: std::collections::BTreeSet<String> = self.outputs.iter().cloned().collect();
        for run in &kept {
            if let Some(list) = run.get("outputs").and_then(Value::as_array) {
                listed.extend(list.iter().filter_map(|v| v.as_str().map(String::from)));
            }
        }
        let mut unknown = Vec::new();
        files_under(out, out, &mut unknown);
        unknown.retain(|f| f != "run.json" && !listed.contains(f));
        unknown.sort();
        if !unknown.is_empty() {
            kept.push(serde_json::json!({
                "command": "unknown: an interrupted run, or files put here by hand",
                "outputs": unknown
            }));
        }
        self.earlier_runs = kept;
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

/// Every visible file under `dir`, relative to `root`.
fn files_under(root: &Path, dir: &Path, out: &mut Vec<String>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.filter_map(Result::ok) {
        let path = entry.path();
        if entry.file_name().to_string_lossy().starts_with('.') {
            continue;
        }
        if path.is_dir() {
            files_under(root, &path, out);
        } else if let Ok(rel) = path.strip_prefix(root) {
            out.push(rel.display().to_string());
        }
    }
}

/// The `run.json` in `out`, if there is a readable one.
fn read_record(out: &Path) -> Option<Value> {
    let bytes = std::fs::read(out.join("run.json")).ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// Removes `.NAME.partial-PID` files (in `out` and its sub-folders) whose process is gone:
/// what a killed run leaves behind.
fn remove_stale_partials(out: &Path) {
    let Ok(entries) = std::fs::read_dir(out) else {
        return;
    };
    for entry in entries.filter_map(Result::ok) {
        let path = entry.path();
        if path.is_dir() {
            remove_stale_partials(&path);
            continue;
        }
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some((_, pid)) = name.rsplit_once(".partial-") else {
            continue;
        };
        let alive = pid.parse::<u32>().is_ok_and(|pid| {
            Path::new(&format!("/proc/{pid}")).exists() && pid != std::process::id()
        });
        if name.starts_with('.') && !alive {
            let _ = std::fs::remove_file(&path);
        }
    }
}
