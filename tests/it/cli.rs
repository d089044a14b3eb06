//! The `toshiken` binary end to end.

use std::path::Path;

use crate::common::{real_dir, text, tiny_dir, toshiken};

#[test]
fn metrics_output_is_identical_for_one_and_two_threads() {
    let tmp = tempfile::tempdir().unwrap();
    let data = real_dir();
    let mut files = Vec::new();
    for threads in ["1", "2"] {
        let out = tmp.path().join(format!("t{threads}"));
        let run = toshiken(&[
            "metrics",
            "--data",
            data.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--threads",
            threads,
            "--format",
            "both",
            "--timings",
        ]);
        assert!(run.status.success(), "{}", text(&run.stderr));
        let stderr = text(&run.stderr);
        assert!(
            stderr.contains("persons read 121,376,624 = used 65,849,159"),
            "{stderr}"
        );
        assert!(stderr.contains("balanced"), "{stderr}");
        assert!(stderr.contains("timings: load"), "{stderr}");
        files.push((
            std::fs::read(out.join("municipalities.csv")).unwrap(),
            std::fs::read(out.join("municipalities.parquet")).unwrap(),
        ));
    }
    assert!(
        files[0].0 == files[1].0,
        "CSV differs between --threads 1 and 2"
    );
    assert!(
        files[0].1 == files[1].1,
        "Parquet differs between --threads 1 and 2"
    );
    let csv = text(&files[0].0);
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 1 + 1741);
    // UTF-8 with a byte-order mark, so that Excel in a Japanese locale does not read Shift_JIS.
    assert!(lines[0].starts_with(
        "\u{feff}code,name,prefecture,kind,population,resident_commuters,staying,outflow,inflow"
    ));
    let kurashiki = lines.iter().find(|l| l.starts_with("33202,")).unwrap();
    assert!(
        kurashiki.starts_with(
            "33202,倉敷市,岡山県,core_city,474793,247319,186575,48438,43483,12306,247319,469838,"
        ),
        "{kurashiki}"
    );
}

#[test]
fn long_csv_gives_the_same_metrics_as_the_census_json() {
    // derived/od2020_national_long.csv is the same table in long form: one internal path, so
    // the same municipalities.csv.
    let tmp = tempfile::tempdir().unwrap();
    let data = real_dir();
    let long = data.join("derived/od2020_national_long.csv");
    let a = tmp.path().join("json");
    let b = tmp.path().join("long");
    let run = toshiken(&[
        "metrics",
        "-q",
        "--data",
        data.to_str().unwrap(),
        "--out",
        a.to_str().unwrap(),
    ]);
    assert!(run.status.success(), "{}", text(&run.stderr));
    let run = toshiken(&[
        "metrics",
        "-q",
        "--data",
        data.to_str().unwrap(),
        "--od",
        long.to_str().unwrap(),
        "--out",
        b.to_str().unwrap(),
    ]);
    assert!(run.status.success(), "{}", text(&run.stderr));
    assert!(
        std::fs::read(a.join("municipalities.csv")).unwrap()
            == std::fs::read(b.join("municipalities.csv")).unwrap()
    );
}

#[test]
fn shares_prints_the_full_vector() {
    let run = toshiken(&[
        "shares",
        "--from",
        "98301",
        "--data",
        tiny_dir().to_str().unwrap(),
        "-q",
        "--csv",
    ]);
    assert!(run.status.success(), "{}", text(&run.stderr));
    assert_eq!(
        text(&run.stdout),
        "origin,destination,name,persons,share\n98301,98301,海町,60,0.6\n98301,98201,山市,30,0.3\n98301,98100,湊市,10,0.1\n98301,unknown,(unknown destination: 99998 + 99999),0,0\n"
    );
    let run = toshiken(&[
        "shares",
        "--from",
        "98201",
        "--data",
        tiny_dir().to_str().unwrap(),
        "-q",
    ]);
    let out = text(&run.stdout);
    assert!(
        out.contains("98201 山市 (試験県, city): 750 resident commuters"),
        "{out}"
    );
    assert!(out.contains("shares sum to 1.000000"), "{out}");
}

#[test]
fn shares_refuses_a_ward_at_municipality_level() {
    let run = toshiken(&[
        "shares",
        "--from",
        "98101",
        "--data",
        tiny_dir().to_str().unwrap(),
        "-q",
    ]);
    assert_eq!(run.status.code(), Some(1));
    let err = text(&run.stderr);
    assert!(
        err.contains("98101 is not a unit at municipality level"),
        "{err}"
    );
}

#[test]
fn usage_errors_exit_2_and_data_errors_exit_1() {
    assert_eq!(
        toshiken(&["metrics", "--threads", "x"]).status.code(),
        Some(2)
    );
    let run = toshiken(&["metrics", "--data", "/nonexistent/dir"]);
    assert_eq!(run.status.code(), Some(1));
    assert!(text(&run.stderr).contains("/nonexistent/dir (from --data)"));
}

#[test]
fn metrics_on_the_fixture_writes_hand_computed_rows() {
    let tmp = tempfile::tempdir().unwrap();
    let run = toshiken(&[
        "metrics",
        "-q",
        "--data",
        tiny_dir().to_str().unwrap(),
        "--out",
        tmp.path().to_str().unwrap(),
    ]);
    assert!(run.status.success(), "{}", text(&run.stderr));
    let csv = std::fs::read_to_string(Path::new(tmp.path()).join("municipalities.csv")).unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 7);
    assert_eq!(
        lines[1],
        "97201,隣市,隣県,city,5000,,,,10,,,,,,,,,,,,,,,,,,"
    );
    assert!(
        lines[2]
            .starts_with("98100,湊市,試験県,designated_city,2000,790,680,80,260,30,790,2180,1.09,"),
        "{}",
        lines[2]
    );
    assert!(lines[6].starts_with("98302,森村,試験県,village,,40,25,14,0,1,40,,,0.625,1.0,98202,川市,10,0.25,98201,山市,4,0.1,,,,"), "{}", lines[6]);
}

#[test]
fn delineate_outputs_are_thread_independent_and_valid_geojson() {
    let tmp = tempfile::tempdir().unwrap();
    let data = real_dir();
    let names = [
        "centres.csv",
        "areas.csv",
        "memberships.csv",
        "overlaps.csv",
        "areas.geojson",
        "municipalities.geojson",
    ];
    let mut outputs = Vec::new();
    for threads in ["1", "2"] {
        let out = tmp.path().join(threads);
        let run = toshiken(&[
            "delineate",
            "--data",
            data.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--threads",
            threads,
        ]);
        assert!(run.status.success(), "{}", text(&run.stderr));
        let stderr = text(&run.stderr);
        assert!(
            stderr.contains("adjacency: 4400 neighbour pairs; 48 units border no other unit"),
            "{stderr}"
        );
        outputs.push(names.map(|n| std::fs::read(out.join(n)).unwrap()));
    }
    for (k, name) in names.iter().enumerate() {
        assert!(
            outputs[0][k] == outputs[1][k],
            "{name} differs between --threads 1 and 2"
        );
    }
    assert_same_files(&tmp.path().join("1"), &tmp.path().join("2"));
    let areas_csv = text(&outputs[0][1]);
    let n_areas = areas_csv.lines().count() - 1;
    let fc: geojson::FeatureCollection = serde_json::from_slice(&outputs[0][4]).unwrap();
    assert_eq!(fc.features.len(), n_areas);
    for f in &fc.features {
        let g: geo::MultiPolygon<f64> = f.geometry.clone().unwrap().try_into().unwrap();
        for p in &g {
            // RFC 7946 right-hand rule: exteriors counter-clockwise.
            assert!(geo::Area::signed_area(&geo::Polygon::new(p.exterior().clone(), vec![])) > 0.0);
        }
    }
    let okayama = fc
        .features
        .iter()
        .find(|f| f.property("area_id").and_then(|v| v.as_str()) == Some("C33100"))
        .unwrap();
    assert_eq!(
        okayama.property("centre_names").and_then(|v| v.as_str()),
        Some("岡山市")
    );
    let munis: geojson::FeatureCollection = serde_json::from_slice(&outputs[0][5]).unwrap();
    assert_eq!(munis.features.len(), 1741);
    // Every geometry written is valid OGC geometry (長崎市's overlapping parts are repaired;
    // .ci/run checks the same files with GEOS through shapely).
    for f in fc.features.iter().chain(&munis.features) {
        let g: geo::Geometry<f64> = f.geometry.clone().unwrap().try_into().unwrap();
        let g = match g {
            geo::Geometry::MultiPolygon(m) => m,
            geo::Geometry::Polygon(p) => geo::MultiPolygon::new(vec![p]),
            other => panic!("not a polygon: {other:?}"),
        };
        let problem = toshiken::geometry::validity::first_problem(&g);
        assert!(
            problem.is_none(),
            "{:?}: {problem:?}",
            f.property("area_id").or(f.property("code"))
        );
    }
}

/// Every file under `a` equals the same file under `b` (run.json, which records timings and
/// the command line, excepted), and both hold the same files.
fn assert_same_files(a: &std::path::Path, b: &std::path::Path) {
    fn walk(root: &std::path::Path, dir: &std::path::Path, out: &mut Vec<String>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(root, &p, out);
            } else {
                out.push(p.strip_prefix(root).unwrap().display().to_string());
            }
        }
    }
    let (mut fa, mut fb) = (Vec::new(), Vec::new());
    walk(a, a, &mut fa);
    walk(b, b, &mut fb);
    fa.sort();
    fb.sort();
    assert_eq!(fa, fb, "the two runs wrote different files");
    assert!(fa.len() > 3);
    for f in fa.iter().filter(|f| f.as_str() != "run.json") {
        assert!(
            std::fs::read(a.join(f)).unwrap() == std::fs::read(b.join(f)).unwrap(),
            "{f} differs between --threads 1 and 2"
        );
    }
}

#[test]
fn audit_and_map_outputs_are_thread_independent() {
    let tmp = tempfile::tempdir().unwrap();
    let data = real_dir();
    let declared = data.join("declared");
    for command in ["audit", "map"] {
        for threads in ["1", "2"] {
            let out = tmp.path().join(command).join(threads);
            let mut args = vec![
                command,
                "-q",
                "--data",
                data.to_str().unwrap(),
                "--out",
                out.to_str().unwrap(),
                "--threads",
                threads,
                "--declared",
                declared.to_str().unwrap(),
            ];
            if command == "audit" {
                args.push("--html");
            }
            let run = toshiken(&args);
            assert!(run.status.success(), "{}", text(&run.stderr));
        }
        let dir = tmp.path().join(command);
        assert_same_files(&dir.join("1"), &dir.join("2"));
    }
}

/// `shares … | head` ends quietly with status 0 when the reader closes the pipe.
#[test]
fn a_closed_pipe_ends_quietly() {
    use std::io::Read;
    use std::process::{Command, Stdio};
    let mut child = Command::new(env!("CARGO_BIN_EXE_toshiken"))
        .args(["shares", "--from", "33202", "--data"])
        .arg(real_dir())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Close the pipe before the first line is written (the data take a moment to load), like
    // a `| head` that has already exited: every write then fails with a broken pipe.
    drop(child.stdout.take().unwrap());
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(0), "{stderr}");
    assert!(!stderr.contains("error"), "{stderr}");
    assert!(!stderr.contains("Broken pipe"), "{stderr}");
}

#[test]
fn delineate_merge_sweep_and_audit_on_the_fixture() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().to_str().unwrap();
    let data = tiny_dir();
    let data = data.to_str().unwrap();
    let designated = tiny_dir().join("rules/designated_cities.csv");
    let scaled = [
        "--pair-min-population",
        "800",
        "--pair-min-combined",
        "1000",
        "--designated-cities",
        designated.to_str().unwrap(),
    ];
    let mut args = vec![
        "delineate",
        "-q",
        "--data",
        data,
        "--out",
        out,
        "--merge",
        "98201+98202",
        "--sweep",
        "0.05:0.30:0.05",
    ];
    args.extend(scaled);
    let run = toshiken(&args);
    assert!(run.status.success(), "{}", text(&run.stderr));
    let centres = std::fs::read_to_string(tmp.path().join("centres.csv")).unwrap();
    // 山市+川市: population 2,400, daytime 2,244 (ratio 0.935 < 0.98), not a core city.
    assert!(centres.lines().any(|l| l.starts_with("98201,山市+川市,試験県,2400,none,,2020-10-01,false,2244,0.935,computed from the OD (table 6-1 without 不詳補完値),false,0.02,false,false,")), "{centres}");
    let memberships = std::fs::read_to_string(tmp.path().join("memberships.csv")).unwrap();
    // The merged unit sends 250 of 1,150 to 湊市.
    assert!(
        memberships
            .lines()
            .any(|l| l.starts_with("C98100,98100,98201,山市+川市,1,250,1150,")),
        "{memberships}"
    );
    let sweep = std::fs::read_to_string(tmp.path().join("sweep.csv")).unwrap();
    assert_eq!(
        sweep,
        "\u{feff}threshold,areas,areas_with_tier1_members,tier1_memberships,tier2_memberships,overlapping_municipalities\n\
         0.05,1,1,2,0,0\n0.1,1,1,2,0,0\n0.15,1,1,1,1,0\n0.2,1,1,1,1,0\n0.25,1,0,0,2,0\n0.3,1,0,0,2,0\n"
    );
    let declared = tiny_dir().join("declared");
    let run = toshiken(&[
        "audit",
        "-q",
        "--data",
        data,
        "--out",
        out,
        "--declared",
        declared.to_str().unwrap(),
    ]);
    assert!(run.status.success(), "{}", text(&run.stderr));
    let md = std::fs::read_to_string(tmp.path().join("audit.md")).unwrap();
    assert!(
        md.contains("| 98301 | 海町 | T1 10.0% (10/100); T2 30.0% (30/100) |"),
        "{md}"
    );
    let csv = std::fs::read_to_string(tmp.path().join("audit.csv")).unwrap();
    assert!(
        csv.lines().any(|l| l.starts_with(
            "T1,湊圏域,98201,山市,missing: meets threshold but not declared,150,750,0.2,true"
        )),
        "{csv}"
    );
    let bad = toshiken(&[
        "delineate",
        "-q",
        "--data",
        data,
        "--out",
        out,
        "--merge",
        "98201",
    ]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(text(&bad.stderr).contains("expected two or more 5-digit codes"));
}

/// Issue 9 through the binary: ward level refused with exit status 2, run.json records the
/// lists and dates, --pair draws the requested pair, --day-night replaces the ratios.
#[test]
fn delineate_records_its_lists_and_refuses_the_ward_level() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().to_str().unwrap();
    let data = tiny_dir();
    let data = data.to_str().unwrap();
    let run = toshiken(&[
        "delineate",
        "-q",
        "--data",
        data,
        "--out",
        out,
        "--level",
        "ward",
    ]);
    assert_eq!(run.status.code(), Some(2), "{}", text(&run.stderr));
    assert!(text(&run.stderr).contains("the 連携中枢都市圏 rules are defined on municipalities"));
    assert!(!tmp.path().join("centres.csv").exists());

    let dn = tmp.path().join("dn.csv");
    std::fs::write(&dn, "code,ratio_percent\n98201,101.5\n98100,109\n").unwrap();
    let run = toshiken(&[
        "delineate",
        "-q",
        "--data",
        data,
        "--out",
        out,
        "--pair",
        "98100+98201",
        "--as-of",
        "2021-04-01",
        "--day-night",
        dn.to_str().unwrap(),
        "--pair-min-population",
        "800",
        "--pair-min-combined",
        "1000",
    ]);
    assert!(run.status.success(), "{}", text(&run.stderr));
    let record: serde_json::Value =
        serde_json::from_slice(&std::fs::read(tmp.path().join("run.json")).unwrap()).unwrap();
    assert_eq!(record["parameters"]["as_of"], "2021-04-01");
    assert_eq!(record["parameters"]["pair"], "98100+98201");
    let roles: Vec<&str> = record["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["role"].as_str().unwrap())
        .collect();
    assert!(
        roles.contains(&"core cities") && roles.contains(&"official day/night ratios"),
        "{roles:?}"
    );
    let core = record["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["role"] == "core cities")
        .unwrap();
    assert_eq!(core["as_of"], "2024-10-01");
    assert_eq!(core["path"], "data/rules/core_cities.csv (shipped)");
    // 湊市 is designated alone in this fixture's master but not in the shipped list (no 98100
    // there), so it is no centre; the requested pair is drawn with 山市's official ratio 1.015.
    let pairs = std::fs::read_to_string(tmp.path().join("pairs.csv")).unwrap();
    let row = pairs.lines().nth(1).unwrap();
    assert!(
        row.starts_with("98100,湊市,98201,山市,2000,1500,3500,1.09,1.015,"),
        "{pairs}"
    );
    assert!(row.contains(",true,,true,"), "{pairs}");
    assert!(tmp.path().join("areas/C98100+98201.svg").exists());
    let centres = std::fs::read_to_string(tmp.path().join("centres.csv")).unwrap();
    assert!(centres.contains(dn.to_str().unwrap()), "{centres}");

    let run = toshiken(&[
        "delineate",
        "-q",
        "--data",
        data,
        "--out",
        out,
        "--as-of",
        "2021-02-30",
    ]);
    assert_eq!(run.status.code(), Some(2));
    assert!(text(&run.stderr).contains("--as-of '2021-02-30': expected a date written YYYY-MM-DD"));
}

/// SIGKILL at any moment leaves each output file either as the earlier run wrote it or as the
/// new run writes it, never cut: files are written to a temporary name and renamed. The
/// earlier run uses another threshold, so the two versions differ.
#[test]
fn a_killed_run_leaves_no_half_written_file() {
    use std::collections::BTreeMap;
    use std::process::{Command, Stdio};
    let tmp = tempfile::tempdir().unwrap();
    let data = real_dir();
    let run_into = |out: &std::path::Path, threshold: &str| {
        Command::new(env!("CARGO_BIN_EXE_toshiken"))
            .args(["delineate", "-q", "--threshold", threshold, "--data"])
            .arg(&data)
            .arg("--out")
            .arg(out)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap()
    };
    let files = |dir: &std::path::Path| -> BTreeMap<String, Vec<u8>> {
        std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.is_file())
            .map(|p| {
                (
                    p.file_name().unwrap().to_string_lossy().into_owned(),
                    std::fs::read(&p).unwrap(),
                )
            })
            .collect()
    };
    let (old_dir, new_dir) = (tmp.path().join("old"), tmp.path().join("new"));
    assert!(run_into(&old_dir, "0.2").wait().unwrap().success());
    assert!(run_into(&new_dir, "0.1").wait().unwrap().success());
    let (old, new) = (files(&old_dir), files(&new_dir));
    assert_ne!(old["memberships.csv"], new["memberships.csv"]);
    let out = tmp.path().join("out");
    for (k, delay_ms) in [
        5u64, 20, 50, 80, 120, 160, 200, 250, 300, 350, 400, 450, 550, 700,
    ]
    .into_iter()
    .enumerate()
    {
        // Start from the complete earlier run each time.
        let _ = std::fs::remove_dir_all(&out);
        std::fs::create_dir_all(&out).unwrap();
        for (name, bytes) in &old {
            std::fs::write(out.join(name), bytes).unwrap();
        }
        let mut child = run_into(&out, "0.1");
        std::thread::sleep(std::time::Duration::from_millis(delay_ms));
        let _ = child.kill();
        let _ = child.wait();
        for (name, bytes) in files(&out) {
            if name.contains(".partial-") {
                assert!(
                    name.starts_with('.'),
                    "kill {k}: temporary file {name} not hidden"
                );
                continue;
            }
            if name == "run.json" {
                let v: serde_json::Value = serde_json::from_slice(&bytes)
                    .unwrap_or_else(|e| panic!("kill {k} at {delay_ms} ms: run.json cut: {e}"));
                assert!(v["status"] == "running" || v["status"] == "complete");
                continue;
            }
            assert!(
                old.get(&name) == Some(&bytes) || new.get(&name) == Some(&bytes),
                "kill {k} at {delay_ms} ms: {name} ({} bytes) is neither the old nor the new file",
                bytes.len()
            );
        }
    }
    // The next complete run removes what killed runs left and the earlier run's extra files.
    assert!(run_into(&out, "0.1").wait().unwrap().success());
    let after = files(&out);
    assert!(
        after.keys().all(|n| !n.contains(".partial-")),
        "{:?}",
        after.keys()
    );
    for (name, bytes) in &new {
        if name != "run.json" {
            assert_eq!(after.get(name), Some(bytes), "{name}");
        }
    }
}
