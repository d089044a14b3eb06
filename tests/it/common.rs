//! Shared helpers: fixture and real-data locations, loading.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use toshiken::dataset::{resolve_data_dir, Dataset, InputPaths};
use toshiken::registry::{Level, RegistryParams};

/// The hand-made fixture region.
pub fn tiny_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("data/fixtures/tiny")
}

/// The real national data directory (`TOSHIKEN_DATA`, `data/jp` or `../shared/data/jp`).
/// Real-data tests fail, not skip, when it is missing: they are the project's ground truth.
pub fn real_dir() -> PathBuf {
    let previous = std::env::current_dir().unwrap();
    std::env::set_current_dir(env!("CARGO_MANIFEST_DIR")).unwrap();
    let resolved = resolve_data_dir(None);
    std::env::set_current_dir(previous).unwrap();
    let dir = resolved.unwrap_or_else(|e| {
        panic!("real-data tests need the national data: {e}");
    });
    if dir.path.is_absolute() {
        dir.path
    } else {
        Path::new(env!("CARGO_MANIFEST_DIR")).join(dir.path)
    }
}

pub fn load(dir: &Path, level: Level) -> Dataset {
    Dataset::load(&InputPaths::in_dir(dir), level, &RegistryParams::default())
        .unwrap_or_else(|e| panic!("loading {}: {e}", dir.display()))
}

/// The real national dataset at municipality level, loaded once per test binary.
pub fn national() -> &'static Dataset {
    static CELL: std::sync::OnceLock<Dataset> = std::sync::OnceLock::new();
    CELL.get_or_init(|| load(&real_dir(), Level::Municipality))
}

/// Copies the tiny fixture into a fresh temporary directory so a test can break one file.
pub fn tiny_copy() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    copy_dir(&tiny_dir(), tmp.path());
    tmp
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// The subcommands: options go after them.
pub const SUBCOMMANDS: [&str; 7] = [
    "metrics",
    "synth",
    "delineate",
    "audit",
    "map",
    "report",
    "shares",
];

/// Runs the `toshiken` binary with `args` (no `TOSHIKEN_DATA` from the environment). The
/// subcommand is moved to the front, where the command line wants it, so that a test can list
/// the options it shares with others first.
pub fn toshiken(args: &[&str]) -> Output {
    let mut args: Vec<&str> = args.to_vec();
    if let Some(k) = args.iter().position(|a| SUBCOMMANDS.contains(a)) {
        let sub = args.remove(k);
        args.insert(0, sub);
    }
    Command::new(env!("CARGO_BIN_EXE_toshiken"))
        .args(&args)
        .env_remove("TOSHIKEN_DATA")
        .output()
        .expect("run toshiken")
}

/// Process output as text.
pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Text that must never reach a user: Rust `Debug`, polars or serde wording, panics.
pub const INTERNALS: [&str; 14] = [
    "Some(",
    "None)",
    "Error {",
    "Os {",
    "kind:",
    "polars",
    "Polars",
    "ComputeError",
    "truncate_ragged_lines",
    "serde",
    "panicked",
    "RUST_BACKTRACE",
    "invalid type:",
    "called `",
];
