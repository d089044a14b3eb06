//! The bad-input corpus: every file in `tests/corpus/*.case` breaks one input of a copy of the
//! tiny fixture (or passes one command line) and states the exit status and the exact message
//! lines the run must print. `tests/corpus/README.md` describes the format.
//!
//! Every case also checks that nothing internal reaches the user: no Rust `Debug` text, no
//! polars or serde wording, no panic.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::common::{text, tiny_copy, INTERNALS};

#[derive(Debug, Default)]
struct Case {
    name: String,
    args: Vec<String>,
    edits: Vec<Edit>,
    exit: Option<i32>,
    stderr: Vec<String>,
    not_stderr: Vec<String>,
    stdout: Vec<String>,
    out_files: Vec<String>,
    no_out_files: Vec<String>,
}

#[derive(Debug)]
enum Edit {
    /// Replace the first occurrence of `from` by `to` in a fixture file.
    Sub(String, Vec<u8>, Vec<u8>),
    /// Write a file with these bytes.
    Write(String, Vec<u8>),
    /// Append bytes to a file.
    Append(String, Vec<u8>),
    /// Remove a file.
    Delete(String),
}

/// Decodes `\n`, `\r`, `\t`, `\0`, `\\` and `\xNN` escapes into bytes.
fn unescape(s: &str) -> Vec<u8> {
    let mut out = Vec::new();
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'\\' && i + 1 < b.len() {
            match b[i + 1] {
                b'n' => out.push(b'\n'),
                b'r' => out.push(b'\r'),
                b't' => out.push(b'\t'),
                b'0' => out.push(0),
                b'\\' => out.push(b'\\'),
                b'x' => {
                    let hex = std::str::from_utf8(&b[i + 2..i + 4]).unwrap();
                    out.push(u8::from_str_radix(hex, 16).unwrap());
                    i += 2;
                }
                other => panic!("unknown escape \\{}", other as char),
            }
            i += 2;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    out
}

fn parse(path: &Path) -> Case {
    let text = std::fs::read_to_string(path).unwrap();
    let mut case = Case {
        name: path.file_name().unwrap().to_string_lossy().into_owned(),
        ..Case::default()
    };
    for line in text.lines() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let (key, value) = line
            .split_once(": ")
            .or_else(|| line.split_once(':'))
            .unwrap_or_else(|| panic!("{}: no key in {line:?}", case.name));
        let parts: Vec<&str> = value.split(" :: ").collect();
        match key {
            "args" => case.args = shell_words(value),
            "sub" => case.edits.push(Edit::Sub(
                parts[0].to_string(),
                unescape(parts[1]),
                unescape(parts.get(2).copied().unwrap_or("")),
            )),
            "write" => case.edits.push(Edit::Write(
                parts[0].to_string(),
                unescape(parts.get(1).copied().unwrap_or("")),
            )),
            "append" => case
                .edits
                .push(Edit::Append(parts[0].to_string(), unescape(parts[1]))),
            "delete" => case.edits.push(Edit::Delete(value.to_string())),
            "exit" => case.exit = Some(value.trim().parse().unwrap()),
            "stderr" => case.stderr.push(value.to_string()),
            "not-stderr" => case.not_stderr.push(value.to_string()),
            "stdout" => case.stdout.push(value.to_string()),
            "out-file" => case.out_files.push(value.to_string()),
            "no-out-file" => case.no_out_files.push(value.to_string()),
            other => panic!("{}: unknown key {other}", case.name),
        }
    }
    assert!(case.exit.is_some(), "{}: no exit line", case.name);
    assert!(!case.args.is_empty(), "{}: no args line", case.name);
    case
}

/// Splits on spaces, keeping 'single-quoted' words whole.
fn shell_words(s: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    for c in s.chars() {
        match c {
            '\'' => quoted = !quoted,
            ' ' if !quoted => {
                if !cur.is_empty() {
                    words.push(std::mem::take(&mut cur));
                }
            }
            c => cur.push(c),
        }
    }
    if !cur.is_empty() {
        words.push(cur);
    }
    words
}

fn apply(edit: &Edit, dir: &Path) {
    match edit {
        Edit::Sub(file, from, to) => {
            let path = dir.join(file);
            let bytes = std::fs::read(&path).unwrap();
            let at = bytes
                .windows(from.len())
                .position(|w| w == &from[..])
                .unwrap_or_else(|| panic!("{:?} not in {file}", String::from_utf8_lossy(from)));
            let mut new = bytes[..at].to_vec();
            new.extend_from_slice(to);
            new.extend_from_slice(&bytes[at + from.len()..]);
            std::fs::write(path, new).unwrap();
        }
        Edit::Write(file, bytes) => {
            let path = dir.join(file);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, bytes).unwrap();
        }
        Edit::Append(file, bytes) => {
            let path = dir.join(file);
            let mut old = std::fs::read(&path).unwrap();
            old.extend_from_slice(bytes);
            std::fs::write(path, old).unwrap();
        }
        Edit::Delete(file) => std::fs::remove_file(dir.join(file)).unwrap(),
    }
}

fn run(case: &Case) -> Vec<String> {
    let data = tiny_copy();
    let out = tempfile::tempdir().unwrap();
    for edit in &case.edits {
        apply(edit, data.path());
    }
    let d = data.path().to_str().unwrap();
    let o = out.path().join("out");
    let o = o.to_str().unwrap();
    let args: Vec<String> = case
        .args
        .iter()
        .map(|a| a.replace("{data}", d).replace("{out}", o))
        .collect();
    let run = Command::new(env!("CARGO_BIN_EXE_toshiken"))
        .args(&args)
        .env_remove("TOSHIKEN_DATA")
        .current_dir(out.path())
        .output()
        .unwrap();
    let tidy = |b: &[u8]| text(b).replace(d, "{data}").replace(o, "{out}");
    let (stderr, stdout) = (tidy(&run.stderr), tidy(&run.stdout));
    let mut problems = Vec::new();
    if run.status.code() != case.exit {
        problems.push(format!(
            "exit {:?}, expected {:?}",
            run.status.code(),
            case.exit
        ));
    }
    for want in &case.stderr {
        if !stderr.lines().any(|l| l.contains(want.as_str())) {
            problems.push(format!("stderr lacks {want:?}"));
        }
    }
    for unwanted in case.not_stderr.iter().map(String::as_str).chain(INTERNALS) {
        if stderr.contains(unwanted) {
            problems.push(format!("stderr shows {unwanted:?}"));
        }
    }
    for want in &case.stdout {
        if !stdout.lines().any(|l| l.contains(want.as_str())) {
            problems.push(format!("stdout lacks {want:?}"));
        }
    }
    for f in &case.out_files {
        if !Path::new(o).join(f).is_file() {
            problems.push(format!("no output file {f}"));
        }
    }
    for f in &case.no_out_files {
        if Path::new(o).join(f).exists() {
            problems.push(format!("output file {f} written"));
        }
    }
    if !problems.is_empty() {
        problems.push(format!("args: {}", args.join(" ")));
        problems.push(format!("stderr:\n{stderr}"));
    }
    problems
}

fn cases() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "case"))
        .collect();
    files.sort();
    files
}

#[test]
fn every_corpus_case_gives_its_message() {
    let files = cases();
    assert!(files.len() >= 100, "the corpus has {} cases", files.len());
    let failures: Vec<String> = files
        .iter()
        .map(|f| parse(f))
        .filter_map(|case| {
            let problems = run(&case);
            (!problems.is_empty()).then(|| format!("{}:\n  {}", case.name, problems.join("\n  ")))
        })
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} corpus cases fail:\n{}",
        failures.len(),
        files.len(),
        failures.join("\n\n")
    );
}
