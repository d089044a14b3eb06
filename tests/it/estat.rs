//! e-Stat downloads as published: the API's JSON response and its Shift_JIS CSV, for the OD
//! (table 0003454527) and the population (0003433219), read into the same inputs as the census
//! files (fixtures written by data/fixtures/estat/make_estat.py from the tiny fixture; the real
//! population response of the data directory).

use std::path::{Path, PathBuf};

use crate::common::{real_dir, text, tiny_dir, toshiken};

fn estat(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("data/fixtures/estat")
        .join(name)
}

/// `metrics` on the tiny fixture with the given extra arguments: its table and the
/// conservation line it printed.
fn metrics(args: &[&str], out: &Path) -> (Vec<u8>, String) {
    let data = tiny_dir();
    let mut full = vec![
        "metrics",
        "--data",
        data.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ];
    full.extend(args);
    let run = toshiken(&full);
    assert!(run.status.success(), "{args:?}: {}", text(&run.stderr));
    let stderr = text(&run.stderr);
    let conservation = stderr
        .lines()
        .find(|l| l.starts_with("persons read"))
        .unwrap_or_default()
        .to_string();
    (
        std::fs::read(out.join("municipalities.csv")).unwrap(),
        conservation,
    )
}

#[test]
fn the_same_od_through_three_layouts_gives_byte_identical_outputs() {
    let tmp = tempfile::tempdir().unwrap();
    let (census, line) = metrics(&[], &tmp.path().join("census"));
    assert!(
        line.starts_with("persons read 4,490 = used 2,080"),
        "{line}"
    );
    for (od, population) in [
        ("od_0003454527.json", "population_0003433219.json"),
        ("od_0003454527_sjis.csv", "population_0003433219_sjis.csv"),
    ] {
        let od = estat(od);
        let population = estat(population);
        let (table, l) = metrics(
            &[
                "--od",
                od.to_str().unwrap(),
                "--population",
                population.to_str().unwrap(),
            ],
            &tmp.path().join(od.file_name().unwrap()),
        );
        assert_eq!(table, census, "{}", od.display());
        assert_eq!(l, line, "{}", od.display());
    }
    // run.json says how each input was laid out, with the table id the file states.
    let record =
        std::fs::read_to_string(tmp.path().join("od_0003454527_sjis.csv/run.json")).unwrap();
    assert!(
        record.contains("\"layout\": \"e-Stat CSV, table 0003454527\"")
            && record.contains("\"layout\": \"e-Stat CSV, table 0003433219\""),
        "{record}"
    );
    let record = std::fs::read_to_string(tmp.path().join("od_0003454527.json/run.json")).unwrap();
    assert!(
        record.contains("\"layout\": \"e-Stat API JSON response, table 0003454527\"")
            && record.contains("\"layout\": \"e-Stat API JSON response, table 0003433219\""),
        "{record}"
    );
    let record = std::fs::read_to_string(tmp.path().join("census/run.json")).unwrap();
    assert!(
        record.contains("\"layout\": \"census JSON, a folder of files\"")
            && record.contains("\"layout\": \"CSV table\""),
        "{record}"
    );
    // A JSON response whose id was removed: read, with a warning that says so.
    let json = std::fs::read_to_string(estat("population_0003433219.json"))
        .unwrap()
        .replace("\"0003433219\"", "\"\"");
    let no_id = tmp.path().join("population_no_id.json");
    std::fs::write(&no_id, json).unwrap();
    let data = tiny_dir();
    // `metrics -q` on the fixture with another population table; it must succeed.
    let with_population = |population: &Path, out: &Path| {
        let run = toshiken(&[
            "metrics",
            "-q",
            "--data",
            data.to_str().unwrap(),
            "--population",
            population.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ]);
        assert!(run.status.success(), "{}", text(&run.stderr));
        run
    };
    let run = with_population(&no_id, &tmp.path().join("no_id"));
    assert!(
        text(&run.stderr)
            .contains("population_no_id.json: an e-Stat API response that states no table id"),
        "{}",
        text(&run.stderr)
    );
    // A CSV without its section headers does not state its table: read, with a warning
    // (printed and in run.json) that the id could not be checked.
    let sjis = std::fs::read(estat("population_0003433219_sjis.csv")).unwrap();
    let (utf8, _, _) = encoding_rs::SHIFT_JIS.decode(&sjis);
    let body: String = utf8.split_inclusive('\n').skip(7).collect();
    let bare = tmp.path().join("population_bare.csv");
    std::fs::write(&bare, body).unwrap();
    let out = tmp.path().join("bare");
    let run = with_population(&bare, &out);
    let warning = format!(
        "warning: {}: an e-Stat CSV without its section headers does not say which table it is; it was read as the population, table 0003433219",
        bare.display()
    );
    assert!(
        text(&run.stderr).contains(&warning),
        "{}",
        text(&run.stderr)
    );
    assert_eq!(
        std::fs::read(out.join("municipalities.csv")).unwrap(),
        census
    );
    let record = std::fs::read_to_string(out.join("run.json")).unwrap();
    assert!(
        record.contains("e-Stat CSV without its section headers (table id not stated)")
            && record.contains("which toshiken cannot check"),
        "{record}"
    );
}

#[test]
fn the_real_population_response_equals_the_population_table() {
    let tmp = tempfile::tempdir().unwrap();
    let data = real_dir();
    let api = data.join("census2020_prelim_population_dstokuron/statsData_0003433219.json");
    let run = |out: &Path, extra: &[&str]| {
        let mut args = vec![
            "metrics",
            "-q",
            "--data",
            data.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ];
        args.extend(extra);
        let r = toshiken(&args);
        assert!(r.status.success(), "{}", text(&r.stderr));
        std::fs::read(out.join("municipalities.csv")).unwrap()
    };
    let a = run(&tmp.path().join("csv"), &[]);
    let b = run(
        &tmp.path().join("api"),
        &["--population", api.to_str().unwrap()],
    );
    assert_eq!(a, b);
}

#[test]
fn another_table_or_a_broken_value_is_refused_with_its_record() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tiny_dir();
    let run = |args: &[&str]| {
        let mut full = vec![
            "metrics",
            "-q",
            "--data",
            data.to_str().unwrap(),
            "--out",
            tmp.path().to_str().unwrap(),
        ];
        full.extend(args);
        let out = toshiken(&full);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        text(&out.stderr)
    };
    let population = estat("population_0003433219.json");
    let stderr = run(&["--od", population.to_str().unwrap()]);
    assert!(
        stderr.contains("e-Stat table 0003433219 is not a table toshiken reads as an OD; accepted: 0003454527 (令和2年国勢調査 従業地・通学地集計 6-1")
            && stderr.contains("It is the population table: give it with --population"),
        "{stderr}"
    );
    let od = estat("od_0003454527.json");
    let stderr = run(&["--population", od.to_str().unwrap()]);
    assert!(
        stderr.contains("is not a table toshiken reads as a population; accepted: 0003433219")
            && stderr.contains("It is the OD table: give it with --od"),
        "{stderr}"
    );
    // A value that is no count, a second 表章項目, two survey years in one download (named as
    // such, not as a total stated twice), each named with its record or file.
    let json = std::fs::read_to_string(&od).unwrap();
    for (name, from, to, expected) in [
        (
            "broken.json",
            "\"$\": \"680\"",
            "\"$\": \"68O\"",
            &["broken.json: VALUE entry", "value '68O'"][..],
        ),
        (
            "tabs.json",
            "\"@tab\": \"2020_01\"",
            "\"@tab\": \"2020_02\"",
            &["several 表章項目 (tab 2020_01, 2020_02)"][..],
        ),
        (
            "times.json",
            "\"@time\": \"2020000000\"",
            "\"@time\": \"2015000000\"",
            &["times.json: several survey times (time 2015000000, 2020000000): download the table for one (cdTime=…)"][..],
        ),
    ] {
        let path = tmp.path().join(name);
        std::fs::write(&path, json.replacen(from, to, 1)).unwrap();
        let stderr = run(&["--od", path.to_str().unwrap()]);
        for e in expected {
            assert!(stderr.contains(e), "{name}: {stderr}");
        }
    }
    // A download cut short.
    let cut = tmp.path().join("cut.json");
    let mut half = json.len() / 2;
    while !json.is_char_boundary(half) {
        half -= 1;
    }
    std::fs::write(&cut, &json[..half]).unwrap();
    let stderr = run(&["--od", cut.to_str().unwrap()]);
    assert!(
        stderr.contains("cut.json: the e-Stat API response is cut short (it ends at line"),
        "{stderr}"
    );
}

#[test]
fn delineate_writes_the_same_files_from_the_e_stat_layouts() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tiny_dir();
    let run = |out: &Path, extra: &[&str]| {
        let mut args = vec![
            "delineate",
            "-q",
            "--data",
            data.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ];
        args.extend(extra);
        let r = toshiken(&args);
        assert!(r.status.success(), "{}", text(&r.stderr));
    };
    let census = tmp.path().join("census");
    run(&census, &[]);
    let od = estat("od_0003454527_sjis.csv");
    let population = estat("population_0003433219.json");
    let e = tmp.path().join("estat");
    run(
        &e,
        &[
            "--od",
            od.to_str().unwrap(),
            "--population",
            population.to_str().unwrap(),
        ],
    );
    for f in [
        "centres.csv",
        "areas.csv",
        "memberships.csv",
        "overlaps.csv",
        "areas.geojson",
        "municipalities.geojson",
    ] {
        assert_eq!(
            std::fs::read(census.join(f)).unwrap(),
            std::fs::read(e.join(f)).unwrap(),
            "{f}"
        );
    }
}

/// The fixture's OD response cut into two API pages (RESULT_INF and NEXT_KEY as the API
/// writes them).
fn pages() -> Vec<serde_json::Value> {
    let full: serde_json::Value =
        serde_json::from_slice(&std::fs::read(estat("od_0003454527.json")).unwrap()).unwrap();
    let values = full["GET_STATS_DATA"]["STATISTICAL_DATA"]["DATA_INF"]["VALUE"]
        .as_array()
        .unwrap()
        .clone();
    let total = values.len();
    let half = total / 2;
    [(0, half), (half, total)]
        .iter()
        .map(|&(from, to)| {
            let mut page = full.clone();
            let stats = &mut page["GET_STATS_DATA"]["STATISTICAL_DATA"];
            stats["DATA_INF"]["VALUE"] = serde_json::Value::Array(values[from..to].to_vec());
            stats["RESULT_INF"] = serde_json::json!({
                "TOTAL_NUMBER": total, "FROM_NUMBER": from + 1, "TO_NUMBER": to,
            });
            if to < total {
                stats["RESULT_INF"]["NEXT_KEY"] = serde_json::json!(to + 1);
            }
            page
        })
        .collect()
}

#[test]
fn pages_are_read_together_and_a_missing_or_hidden_count_stops_the_run() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tiny_dir();
    let run = |args: &[&str]| {
        let mut full = vec![
            "metrics",
            "-q",
            "--data",
            data.to_str().unwrap(),
            "--out",
            tmp.path().to_str().unwrap(),
        ];
        full.extend(args);
        toshiken(&full)
    };
    let pages = pages();
    let both = tmp.path().join("both");
    let first = tmp.path().join("first");
    for (dir, n) in [(&both, 2), (&first, 1)] {
        std::fs::create_dir_all(dir).unwrap();
        for (k, page) in pages.iter().take(n).enumerate() {
            std::fs::write(dir.join(format!("od{}.json", k + 1)), page.to_string()).unwrap();
        }
    }
    let whole = run(&["--od", estat("od_0003454527.json").to_str().unwrap()]);
    let whole_table = std::fs::read(tmp.path().join("municipalities.csv")).unwrap();
    assert!(whole.status.success());
    let out = run(&["--od", both.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(
        std::fs::read(tmp.path().join("municipalities.csv")).unwrap(),
        whole_table,
        "two pages read as the whole response"
    );
    let out = run(&["--od", first.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let half = pages[0]["GET_STATS_DATA"]["STATISTICAL_DATA"]["RESULT_INF"]["TO_NUMBER"]
        .as_u64()
        .unwrap();
    assert!(
        text(&out.stderr).contains(&format!(
            "od1.json: a page of the e-Stat response: values up to {half} of"
        )) && text(&out.stderr).contains(&format!("(startPosition={})", half + 1)),
        "{}",
        text(&out.stderr)
    );
    // Men only: no value of both sexes.
    let json = std::fs::read_to_string(estat("od_0003454527.json")).unwrap();
    let men = tmp.path().join("men.json");
    let mut v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let values = v["GET_STATS_DATA"]["STATISTICAL_DATA"]["DATA_INF"]["VALUE"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|x| x["@cat01"] == "1")
        .cloned()
        .collect();
    v["GET_STATS_DATA"]["STATISTICAL_DATA"]["DATA_INF"]["VALUE"] = serde_json::Value::Array(values);
    v["GET_STATS_DATA"]["STATISTICAL_DATA"]["RESULT_INF"] = serde_json::json!({});
    std::fs::write(&men, v.to_string()).unwrap();
    let out = run(&["--od", men.to_str().unwrap()]);
    assert!(
        text(&out.stderr).contains("no values for both sexes (cat01 0; this file has cat01 1)"),
        "{}",
        text(&out.stderr)
    );
    // A hidden count (x) is not a zero.
    let hidden = tmp.path().join("hidden.json");
    std::fs::write(&hidden, json.replacen("\"$\": \"680\"", "\"$\": \"x\"", 1)).unwrap();
    let out = run(&["--od", hidden.to_str().unwrap()]);
    assert!(
        text(&out.stderr)
            .contains("value 'x' for 98100 → 98100 is not a count: e-Stat hides this one"),
        "{}",
        text(&out.stderr)
    );
}
