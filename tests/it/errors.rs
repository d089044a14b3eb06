//! Bad input: every error names the file, the record and the code; nothing panics and nothing
//! is dropped silently. Each test breaks one file of a copy of the tiny fixture.

use std::path::Path;

use toshiken::dataset::{Dataset, InputPaths};
use toshiken::registry::{Level, RegistryParams};

use crate::common::tiny_copy;

const OD: &str = "census2020_od_market_research102/98.json";
const POP: &str = "census2020_prelim_population_dstokuron/municipality_population_2020.csv";
const MASTER: &str = "code4fukui_localgovjp/localgovjp-utf8.csv";

fn load_err(dir: &Path) -> String {
    match Dataset::load(
        &InputPaths::in_dir(dir),
        Level::Municipality,
        &RegistryParams::default(),
    ) {
        Ok(_) => panic!("expected an error"),
        Err(e) => e.to_string(),
    }
}

fn edit(dir: &Path, file: &str, from: &str, to: &str) {
    let path = dir.join(file);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains(from), "{from} not in {file}");
    std::fs::write(&path, text.replacen(from, to, 1)).unwrap();
}

fn assert_mentions(err: &str, parts: &[&str]) {
    for part in parts {
        assert!(err.contains(part), "error does not mention {part:?}: {err}");
    }
}

#[test]
fn negative_persons() {
    let tmp = tiny_copy();
    edit(tmp.path(), OD, "\"98202\":30", "\"98202\":-30");
    let err = load_err(tmp.path());
    assert_mentions(
        &err,
        &[
            "98.json",
            "od[\"98201\"][\"98202\"]",
            "98201 → 98202",
            "-30",
            "negative",
        ],
    );
}

#[test]
fn fractional_persons() {
    let tmp = tiny_copy();
    edit(tmp.path(), OD, "\"98202\":30", "\"98202\":30.5");
    assert_mentions(
        &load_err(tmp.path()),
        &["98.json", "98201 → 98202", "30.5", "not a whole number"],
    );
}

#[test]
fn persons_as_text() {
    let tmp = tiny_copy();
    edit(tmp.path(), OD, "\"98202\":30", "\"98202\":\"30\"");
    assert_mentions(
        &load_err(tmp.path()),
        &["98.json", "98201 → 98202", "not a number"],
    );
}

#[test]
fn duplicate_pair_names_both_records() {
    let tmp = tiny_copy();
    edit(
        tmp.path(),
        OD,
        "\"98202\":30,",
        "\"98202\":30,\"98202\":31,",
    );
    assert_mentions(
        &load_err(tmp.path()),
        &[
            "98.json",
            "duplicate",
            "origin 98201, destination 98202",
            "first seen",
        ],
    );
}

#[test]
fn unknown_destination_code() {
    let tmp = tiny_copy();
    edit(tmp.path(), OD, "\"98202\":30", "\"98209\":30");
    assert_mentions(
        &load_err(tmp.path()),
        &[
            "98.json",
            "od[\"98201\"][\"98209\"]",
            "destination code 98209",
            "not in the municipality registry",
        ],
    );
}

#[test]
fn malformed_code_key() {
    let tmp = tiny_copy();
    edit(tmp.path(), OD, "\"98202\":30", "\"9820\":30");
    assert_mentions(
        &load_err(tmp.path()),
        &["98.json", "'9820'", "not a valid code"],
    );
}

#[test]
fn malformed_json() {
    let tmp = tiny_copy();
    edit(tmp.path(), OD, "\"98202\":30,", "\"98202\":30,,");
    assert_mentions(
        &load_err(tmp.path()),
        &[
            "98.json",
            "not JSON",
            "line 5, column 69",
            "expected census OD JSON",
        ],
    );
}

#[test]
fn stated_total_disagrees_with_flows() {
    let tmp = tiny_copy();
    edit(tmp.path(), OD, "\"98201\":750", "\"98201\":751");
    assert_mentions(
        &load_err(tmp.path()),
        &["98.json", "total_employed[\"98201\"]", "751", "750"],
    );
}

#[test]
fn wrong_encoding() {
    let tmp = tiny_copy();
    // "森村" in Shift_JIS (CP932): 0x90 0x58 0x91 0xBA.
    let path = tmp.path().join(POP);
    let text = std::fs::read(&path).unwrap();
    let mut bytes = text.clone();
    let at = text
        .windows(6)
        .position(|w| w == "森村".as_bytes())
        .unwrap();
    bytes.splice(at..at + 6, [0x90, 0x58, 0x91, 0xBA]);
    std::fs::write(&path, bytes).unwrap();
    assert_mentions(
        &load_err(tmp.path()),
        &[
            "municipality_population_2020.csv",
            "line 12",
            "not UTF-8",
            "Shift_JIS (CP932)",
            "iconv",
        ],
    );
}

#[test]
fn negative_population() {
    let tmp = tiny_copy();
    edit(tmp.path(), POP, "98202,川市,900", "98202,川市,-900");
    assert_mentions(
        &load_err(tmp.path()),
        &[
            "municipality_population_2020.csv",
            "line 10",
            "98202",
            "negative",
        ],
    );
}

#[test]
fn population_for_unknown_code() {
    let tmp = tiny_copy();
    edit(tmp.path(), POP, "98202,川市,900", "98203,川市,900");
    assert_mentions(
        &load_err(tmp.path()),
        &[
            "municipality_population_2020.csv",
            "line 10",
            "98203",
            "not in the municipality registry",
        ],
    );
}

#[test]
fn duplicate_population_code() {
    let tmp = tiny_copy();
    edit(tmp.path(), POP, "98202,川市,900", "98201,川市,900");
    assert_mentions(
        &load_err(tmp.path()),
        &[
            "municipality_population_2020.csv",
            "line 10",
            "98201",
            "already given at line 9",
        ],
    );
}

#[test]
fn master_check_digit() {
    let tmp = tiny_copy();
    edit(tmp.path(), MASTER, "982016", "982017");
    assert_mentions(
        &load_err(tmp.path()),
        &["localgovjp-utf8.csv", "line 6", "982017", "check digit"],
    );
}

#[test]
fn long_table_errors_name_the_line() {
    let tmp = tempfile::tempdir().unwrap();
    let csv = tmp.path().join("od.csv");
    std::fs::write(
        &csv,
        "origin,destination,persons\n98201,98201,500\n98201,98100,abc\n",
    )
    .unwrap();
    let err = toshiken::io::read_od(&csv).unwrap_err().to_string();
    assert_mentions(
        &err,
        &["od.csv", "line 3", "98201 → 98100", "'abc'", "not a number"],
    );
    std::fs::write(
        &csv,
        "origin,destination,persons\n98201,98201,500\n98201,98100,\n",
    )
    .unwrap();
    let err = toshiken::io::read_od(&csv).unwrap_err().to_string();
    assert_mentions(&err, &["od.csv", "line 3", "missing"]);
    std::fs::write(&csv, "from,to,persons\n98201,98201,500\n").unwrap();
    let err = toshiken::io::read_od(&csv).unwrap_err().to_string();
    assert_mentions(
        &err,
        &["od.csv", "no column origin", "found: from, to, persons"],
    );
}

#[test]
fn missing_data_directory_is_explained() {
    let err = toshiken::dataset::resolve_with(Some(Path::new("/nonexistent/toshiken")), None)
        .unwrap_err();
    assert_mentions(
        &err.to_string(),
        &["/nonexistent/toshiken (from --data)", "TOSHIKEN_DATA"],
    );
}

#[test]
fn broken_polygon_names_file_feature_and_code() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("b.json");
    // Feature 2 (code 98201) refers to arc 5, which does not exist.
    std::fs::write(&path, r#"{"type":"Topology","arcs":[[[0,0],[1,0],[1,1],[0,1],[0,0]]],"objects":{"o":{"type":"GeometryCollection","geometries":[
        {"type":"Polygon","arcs":[[0]],"properties":{"N03_007":"98101"}},
        {"type":"Polygon","arcs":[[5]],"properties":{"N03_007":"98201"}}]}}}"#).unwrap();
    let err = toshiken::io::read_boundaries(&path)
        .unwrap_err()
        .to_string();
    assert_mentions(
        &err,
        &[
            "b.json",
            "feature 2 (code 98201)",
            "arc index 5 out of range",
        ],
    );
    // A GeoJSON ring that is not closed.
    let path = tmp.path().join("g.geojson");
    std::fs::write(&path, r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"N03_007":"98101"},
        "geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,1]]]}}]}"#).unwrap();
    let err = toshiken::io::read_boundaries(&path)
        .unwrap_err()
        .to_string();
    assert_mentions(&err, &["g.geojson", "feature 1 (code 98101)", "not closed"]);
}
