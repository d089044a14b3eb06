//! Property-based fuzzing of every reader: valid files of each kind (the tiny fixture's, a long
//! OD CSV and Parquet, a GeoJSON, the rule lists) are mutated byte by byte (flips, cuts,
//! insertions of separators, quotes, NULs, non-UTF-8 bytes, huge and negative numbers,
//! repeated lines) and read. Each read must return a result or an error that names the file
//! and shows no internals; a census OD that reads must load into a dataset whose persons
//! balance, or fail the same clean way. Nothing may panic.
//!
//! The short run in `cargo test` draws `TOSHIKEN_FUZZ_CASES` cases per reader (default 48)
//! from a fixed seed, so that CI is repeatable. The long run keeps drawing from fresh random
//! seeds for `TOSHIKEN_FUZZ_SECS` seconds:
//!
//! ```sh
//! TOSHIKEN_FUZZ_SECS=600 cargo test --release --test it fuzz -- --nocapture
//! ```

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use proptest::prelude::*;
use proptest::test_runner::{Config, RngSeed, TestCaseError, TestRunner};
use toshiken::dataset::{Dataset, InputPaths};
use toshiken::io::{self, OutColumn, OutFormat, OutValues};
use toshiken::registry::{Level, RegistryParams};

use crate::common::{tiny_copy, tiny_dir, INTERNALS};

const OD: &str = "census2020_od_market_research102/98.json";
const POP: &str = "census2020_prelim_population_dstokuron/municipality_population_2020.csv";
const MASTER: &str = "code4fukui_localgovjp/localgovjp-utf8.csv";
const BND: &str = "n03_boundaries_smartnews/topojson_s0010/N03-21_210101.json";

/// Tokens inserted by the mutations: what breaks parsers.
const TOKENS: [&[u8]; 24] = [
    b"\0",
    b"\"",
    b",",
    b"\n",
    b"\r\n",
    b"\n\n",
    b"-",
    b"-1",
    b"1e999",
    b"NaN",
    b"\xff\xfe",
    b"\x90\x58",
    b"\xe6\xa3",
    b"99999",
    b"00000",
    b"{",
    b"}",
    b"[",
    b"]",
    b":",
    b"99999999999999999999999",
    b"0.5",
    b" ",
    b"\t",
];

#[derive(Clone, Debug)]
enum Mutation {
    Flip(u32, u8),
    Cut(u32),
    Insert(u32, usize),
    Delete(u32, u8),
    RepeatLine(u32),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<u32>(), any::<u8>()).prop_map(|(p, b)| Mutation::Flip(p, b)),
        any::<u32>().prop_map(Mutation::Cut),
        (any::<u32>(), 0..TOKENS.len()).prop_map(|(p, t)| Mutation::Insert(p, t)),
        (any::<u32>(), 1u8..16).prop_map(|(p, n)| Mutation::Delete(p, n)),
        any::<u32>().prop_map(Mutation::RepeatLine),
    ]
}

fn mutate(bytes: &[u8], mutations: &[Mutation]) -> Vec<u8> {
    let mut b = bytes.to_vec();
    for m in mutations {
        let at = |p: u32, len: usize| if len == 0 { 0 } else { p as usize % len };
        match *m {
            Mutation::Flip(p, v) if !b.is_empty() => {
                let i = at(p, b.len());
                b[i] = v;
            }
            Mutation::Cut(p) => b.truncate(at(p, b.len() + 1)),
            Mutation::Insert(p, t) => {
                let i = at(p, b.len() + 1);
                b.splice(i..i, TOKENS[t].iter().copied());
            }
            Mutation::Delete(p, n) if !b.is_empty() => {
                let i = at(p, b.len());
                let j = (i + n as usize).min(b.len());
                b.drain(i..j);
            }
            Mutation::RepeatLine(p) if !b.is_empty() => {
                let i = at(p, b.len());
                let start = b[..i]
                    .iter()
                    .rposition(|&c| c == b'\n')
                    .map_or(0, |k| k + 1);
                let end = b[i..]
                    .iter()
                    .position(|&c| c == b'\n')
                    .map_or(b.len(), |k| i + k + 1);
                let line = b[start..end].to_vec();
                b.splice(end..end, line);
            }
            _ => {}
        }
    }
    b
}

/// The message must name the file and show no internals.
fn clean(message: &str, path: &Path) -> Result<(), TestCaseError> {
    let name = path.file_name().unwrap().to_string_lossy();
    prop_assert!(
        message.contains(name.as_ref()),
        "message does not name {name}: {message}"
    );
    for bad in INTERNALS {
        prop_assert!(!message.contains(bad), "message shows {bad:?}: {message}");
    }
    Ok(())
}

/// One reader under test: the valid file it starts from and how to read a mutated copy
/// written at `path` (inside a copy of the tiny fixture at `dir`).
struct Target {
    name: &'static str,
    seed: Vec<u8>,
    /// File to replace, relative to the fixture copy.
    file: PathBuf,
    read: fn(&Path, &Path) -> Result<(), String>,
}

fn err<E: std::fmt::Display>(e: E) -> String {
    e.to_string()
}

fn targets() -> Vec<Target> {
    let tiny = tiny_dir();
    let read = |f: &str| std::fs::read(tiny.join(f)).unwrap();
    let od_csv = {
        let json: serde_json::Value = serde_json::from_slice(&read(OD)).unwrap();
        let mut text = String::from("origin,destination,persons\n");
        for (o, dests) in json["od"].as_object().unwrap() {
            for (d, p) in dests.as_object().unwrap() {
                text.push_str(&format!("{o},{d},{p}\n"));
            }
        }
        text.into_bytes()
    };
    let parquet = |columns: &[(&'static str, Vec<u64>)]| {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("t.parquet");
        let columns: Vec<OutColumn> = columns
            .iter()
            .map(|(name, v)| OutColumn {
                name,
                values: OutValues::U64(v.iter().copied().map(Some).collect()),
            })
            .collect();
        io::write_table(&path, OutFormat::Parquet, &columns).unwrap();
        std::fs::read(path).unwrap()
    };
    let od_parquet = parquet(&[
        ("origin", vec![98100, 98100, 98201]),
        ("destination", vec![98100, 98201, 98201]),
        ("persons", vec![680, 50, 500]),
    ]);
    let zone_od = parquet(&[
        ("origin", vec![0, 0, 1, 2]),
        ("destination", vec![0, 1, 1, 0]),
        ("persons", vec![5, 3, 7, 1]),
    ]);
    let zone_population = parquet(&[("zone", vec![0, 1, 2]), ("population", vec![10, 20, 5])]);
    let geojson = br#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"N03_007":"98302"},"geometry":{"type":"Polygon","coordinates":[[[133.0,34.2],[133.1,34.2],[133.1,34.3],[133.0,34.3],[133.0,34.2]]]}},{"type":"Feature","properties":{"N03_007":"98301"},"geometry":{"type":"MultiPolygon","coordinates":[[[[133.2,34.0],[133.3,34.0],[133.3,34.1],[133.2,34.1],[133.2,34.0]]],[[[133.4,34.0],[133.5,34.0],[133.5,34.1],[133.4,34.1],[133.4,34.0]]]]}}]}"#.to_vec();
    let list = |f: &str| std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join(f)).unwrap();
    vec![
        Target {
            name: "census OD JSON (and the dataset it loads)",
            seed: read(OD),
            file: OD.into(),
            read: |dir, _| match Dataset::load(
                &InputPaths::in_dir(dir),
                Level::Municipality,
                &RegistryParams::default(),
            ) {
                Ok(d) if !d.conservation.balances() => Err("persons do not balance".into()),
                Ok(_) => Ok(()),
                Err(e) => Err(err(e)),
            },
        },
        Target {
            name: "code crosswalk",
            seed: b"old_code,new_code\n98397,98302\n98398,98301\n".to_vec(),
            file: "crosswalk.csv".into(),
            read: |_, p| io::read_crosswalk(p).map(|_| ()).map_err(err),
        },
        Target {
            name: "e-Stat OD (API JSON response)",
            seed: list("data/fixtures/estat/od_0003454527.json"),
            file: "od_0003454527.json".into(),
            read: |_, p| io::read_od(p).map(|_| ()).map_err(err),
        },
        Target {
            name: "e-Stat OD (Shift_JIS CSV)",
            seed: list("data/fixtures/estat/od_0003454527_sjis.csv"),
            file: "od_0003454527.csv".into(),
            read: |_, p| io::read_od(p).map(|_| ()).map_err(err),
        },
        Target {
            name: "e-Stat population (API JSON response)",
            seed: list("data/fixtures/estat/population_0003433219.json"),
            file: "population_0003433219.json".into(),
            read: |_, p| io::read_population(p).map(|_| ()).map_err(err),
        },
        Target {
            name: "OD CSV",
            seed: od_csv,
            file: "od.csv".into(),
            read: |_, p| io::read_od(p).map(|_| ()).map_err(err),
        },
        Target {
            name: "OD Parquet",
            seed: od_parquet,
            file: "od.parquet".into(),
            read: |_, p| io::read_od(p).map(|_| ()).map_err(err),
        },
        Target {
            name: "zone OD Parquet",
            seed: zone_od,
            file: "zod.parquet".into(),
            read: |_, p| {
                io::read_zone_od(p, 3, &mut |_, _| {})
                    .map(|_| ())
                    .map_err(err)
            },
        },
        Target {
            name: "zone population Parquet",
            seed: zone_population,
            file: "zpop.parquet".into(),
            read: |_, p| io::read_zone_population(p).map(|_| ()).map_err(err),
        },
        Target {
            name: "population",
            seed: read(POP),
            file: POP.into(),
            read: |_, p| io::read_population(p).map(|_| ()).map_err(err),
        },
        Target {
            name: "master",
            seed: read(MASTER),
            file: MASTER.into(),
            read: |_, p| io::read_master(p).map(|_| ()).map_err(err),
        },
        Target {
            name: "TopoJSON",
            seed: read(BND),
            file: BND.into(),
            read: |_, p| io::read_boundaries(p).map(|_| ()).map_err(err),
        },
        Target {
            name: "GeoJSON",
            seed: geojson,
            file: "b.geojson".into(),
            read: |_, p| io::read_boundaries(p).map(|_| ()).map_err(err),
        },
        Target {
            name: "declared members",
            seed: read("declared/members.csv"),
            file: "declared/members.csv".into(),
            read: |dir, _| {
                io::read_declared(&dir.join("declared"))
                    .map(|_| ())
                    .map_err(err)
            },
        },
        Target {
            name: "declared areas",
            seed: read("declared/areas.csv"),
            file: "declared/areas.csv".into(),
            read: |dir, _| {
                io::read_declared(&dir.join("declared"))
                    .map(|_| ())
                    .map_err(err)
            },
        },
        Target {
            name: "core cities",
            seed: list("data/rules/core_cities.csv"),
            file: "core.csv".into(),
            read: |_, p| io::read_core_cities(Some(p)).map(|_| ()).map_err(err),
        },
        Target {
            name: "designated cities",
            seed: list("data/rules/designated_cities.csv"),
            file: "designated.csv".into(),
            read: |_, p| io::read_designated_cities(Some(p)).map(|_| ()).map_err(err),
        },
        Target {
            name: "三大都市圏",
            seed: list("data/rules/metro_areas.csv"),
            file: "metro.csv".into(),
            read: |_, p| io::read_metro_areas(Some(p)).map(|_| ()).map_err(err),
        },
        Target {
            name: "day/night ratios",
            seed: b"code,ratio\n98100,1.0135\n98201,0.98\n".to_vec(),
            file: "dn.csv".into(),
            read: |_, p| io::read_day_night(p).map(|_| ()).map_err(err),
        },
    ]
}

fn cases() -> u32 {
    std::env::var("TOSHIKEN_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(48)
}

#[test]
fn every_reader_fails_cleanly_on_mutated_input() {
    let deadline = std::env::var("TOSHIKEN_FUZZ_SECS")
        .ok()
        .and_then(|v| v.parse::<u64>().ok())
        .map(|s| Instant::now() + Duration::from_secs(s));
    let targets = targets();
    let mut rounds = 0u64;
    loop {
        for (k, t) in targets.iter().enumerate() {
            let mut runner = TestRunner::new(Config {
                cases: cases(),
                failure_persistence: None,
                rng_seed: if deadline.is_some() {
                    RngSeed::Random
                } else {
                    RngSeed::Fixed(7 + k as u64)
                },
                ..Config::default()
            });
            let result = runner.run(&prop::collection::vec(mutation(), 1..6), |mutations| {
                let dir = tiny_copy();
                let path = dir.path().join(&t.file);
                std::fs::create_dir_all(path.parent().unwrap()).unwrap();
                std::fs::write(&path, mutate(&t.seed, &mutations)).unwrap();
                match (t.read)(dir.path(), &path) {
                    Ok(()) => Ok(()),
                    Err(message) => clean(&message, &path),
                }
            });
            if let Err(e) = result {
                panic!("{}: {e}", t.name);
            }
        }
        rounds += 1;
        match deadline {
            Some(d) if Instant::now() < d => continue,
            _ => break,
        }
    }
    if deadline.is_some() {
        eprintln!(
            "fuzz: {rounds} rounds of {} cases per reader ({} readers)",
            cases(),
            targets.len()
        );
    }
}
