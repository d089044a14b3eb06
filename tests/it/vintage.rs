//! Inputs of another code vintage through `--crosswalk`: the tiny fixture rewritten with old
//! codes — 森村 98302 under a former code 98397, and 海町 98301 as two former municipalities
//! 98398 and 98399 whose persons add up to 海町's — gives the same outputs as the fixture itself.

use std::fmt::Write as _;
use std::path::Path;

use crate::common::{text, tiny_dir, toshiken};

/// One cell of a long OD table: origin, destination, persons.
type Cell = (String, String, u64);

/// The fixture's OD as a long table, with `rename` applied to every (origin, destination)
/// cell (one cell may become several).
fn long_od(rename: &dyn Fn(&str, &str, u64) -> Vec<Cell>) -> String {
    let json: serde_json::Value = serde_json::from_slice(
        &std::fs::read(tiny_dir().join("census2020_od_market_research102/98.json")).unwrap(),
    )
    .unwrap();
    let mut out = String::from("origin,destination,persons\n");
    for (o, dests) in json["od"].as_object().unwrap() {
        for (d, p) in dests.as_object().unwrap() {
            for (o2, d2, p2) in rename(o, d, p.as_u64().unwrap()) {
                let _ = writeln!(out, "{o2},{d2},{p2}");
            }
        }
    }
    out
}

fn metrics(data: &Path, args: &[&str], out: &Path) -> (Vec<u8>, String) {
    let mut full = vec![
        "metrics",
        "--data",
        data.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ];
    full.extend(args);
    let run = toshiken(&full);
    assert!(run.status.success(), "{}", text(&run.stderr));
    (
        std::fs::read(out.join("municipalities.csv")).unwrap(),
        text(&run.stderr),
    )
}

/// Runs `command -q --data DATA ARGS --out OUT`, which must stop on its input (exit 1);
/// returns what it said.
fn refused(command: &str, data: &Path, args: &[&str], out: &Path) -> String {
    let mut full = vec![command, "-q", "--data", data.to_str().unwrap()];
    full.extend(args);
    full.extend(["--out", out.to_str().unwrap()]);
    let run = toshiken(&full);
    let err = text(&run.stderr);
    assert_eq!(run.status.code(), Some(1), "{command} {args:?}: {err}");
    err
}

#[test]
fn a_crosswalk_maps_old_codes_and_adds_merged_persons() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tiny_dir();
    let same = |o: &str, d: &str, p: u64| vec![(o.to_string(), d.to_string(), p)];
    std::fs::write(tmp.path().join("od.csv"), long_od(&same)).unwrap();
    // 98302 → 98397; 98301 → 98398 (a third, rounded down) + 98399 (the rest), on both ends.
    let old = |c: &str| -> Vec<(String, u64, u64)> {
        match c {
            "98302" => vec![("98397".into(), 1, 1)],
            "98301" => vec![("98398".into(), 1, 3), ("98399".into(), 2, 3)],
            _ => vec![(c.to_string(), 1, 1)],
        }
    };
    let split = |o: &str, d: &str, p: u64| {
        let mut cells = Vec::new();
        let mut left_o = p;
        let origins = old(o);
        for (k, (o2, n, den)) in origins.iter().enumerate() {
            let po = if k + 1 == origins.len() {
                left_o
            } else {
                p * n / den
            };
            left_o -= po;
            let dests = old(d);
            let mut left_d = po;
            for (j, (d2, n2, den2)) in dests.iter().enumerate() {
                let pd = if j + 1 == dests.len() {
                    left_d
                } else {
                    po * n2 / den2
                };
                left_d -= pd;
                if pd > 0 {
                    cells.push((o2.clone(), d2.clone(), pd));
                }
            }
        }
        cells
    };
    std::fs::write(tmp.path().join("od_old.csv"), long_od(&split)).unwrap();
    let population = std::fs::read_to_string(
        tiny_dir().join("census2020_prelim_population_dstokuron/municipality_population_2020.csv"),
    )
    .unwrap()
    .replace("98301,海町,250", "98398,旧甲村,83\n98399,旧乙村,167")
    .replace("98302,森村,", "98397,旧森村,");
    std::fs::write(tmp.path().join("pop_old.csv"), population).unwrap();
    std::fs::write(
        tmp.path().join("crosswalk.csv"),
        "old_code,new_code\n98397,98302\n98398,98301\n98399,98301\n",
    )
    .unwrap();
    let p = |f: &str| tmp.path().join(f).to_str().unwrap().to_string();
    let (a, a_err) = metrics(&data, &["--od", &p("od.csv")], &tmp.path().join("a"));
    let (b, b_err) = metrics(
        &data,
        &[
            "--od",
            &p("od_old.csv"),
            "--population",
            &p("pop_old.csv"),
            "--crosswalk",
            &p("crosswalk.csv"),
        ],
        &tmp.path().join("b"),
    );
    assert_eq!(a, b, "the same table from the old codes");
    let line = |s: &str| {
        s.lines()
            .find(|l| l.starts_with("persons read"))
            .unwrap()
            .to_string()
    };
    assert_eq!(line(&a_err), line(&b_err));
    assert!(
        b_err.contains("3 codes of the inputs mapped to the master's vintage (98397→98302, 98398→98301, 98399→98301)"),
        "{b_err}"
    );
    // Without the crosswalk the old code is refused with its line.
    let err = refused(
        "metrics",
        &data,
        &["--od", &p("od_old.csv")],
        &tmp.path().join("c"),
    );
    assert!(err.contains("is not in the municipality registry"), "{err}");
    // A split is refused.
    std::fs::write(
        tmp.path().join("split.csv"),
        "old_code,new_code,weight\n98398,98301,0.6\n",
    )
    .unwrap();
    let err = refused(
        "metrics",
        &data,
        &["--crosswalk", &p("split.csv")],
        &tmp.path().join("d"),
    );
    assert!(
        err.contains("split.csv: line 2: weight '0.6' for 98398 is not 1: a split municipality cannot be mapped on whole persons"),
        "{err}"
    );
}

/// The shipped 2015 → 2020 crosswalk on the real census: the national OD written as a long
/// table once with the 2020 codes and once with the codes the 2015 census used for 富谷
/// (04423) and 那珂川 (40305), on both ends of every cell. Through `--crosswalk
/// data/crosswalks/census2015_to_2020.csv` the second gives the same table byte for byte, and
/// the run names both mappings.
#[test]
fn the_shipped_2015_crosswalk_maps_tomiya_and_nakagawa() {
    let tmp = tempfile::tempdir().unwrap();
    let real = crate::common::real_dir();
    let old = |c: &str| match c {
        "04216" => "04423".to_string(),
        "40231" => "40305".to_string(),
        other => other.to_string(),
    };
    let (mut now, mut then) = (String::from("origin,destination,persons\n"), String::new());
    then.push_str(&now);
    let mut renamed = 0;
    for pref in 1..=47 {
        let path = real.join(format!("census2020_od_market_research102/{pref:02}.json"));
        let json: serde_json::Value =
            serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
        for (o, dests) in json["od"].as_object().unwrap() {
            for (d, p) in dests.as_object().unwrap() {
                let p = p.as_u64().unwrap();
                let _ = writeln!(now, "{o},{d},{p}");
                let _ = writeln!(then, "{},{},{p}", old(o), old(d));
                renamed += usize::from(old(o) != *o || old(d) != *d);
            }
        }
    }
    // Both towns send and receive commuters: many cells carry an old code.
    assert!(renamed > 100, "{renamed}");
    std::fs::write(tmp.path().join("od2020.csv"), now).unwrap();
    std::fs::write(tmp.path().join("od2015codes.csv"), then).unwrap();
    let p = |f: &str| tmp.path().join(f).to_str().unwrap().to_string();
    let crosswalk =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("data/crosswalks/census2015_to_2020.csv");
    let (a, a_err) = metrics(&real, &["--od", &p("od2020.csv")], &tmp.path().join("a"));
    let (b, b_err) = metrics(
        &real,
        &[
            "--od",
            &p("od2015codes.csv"),
            "--crosswalk",
            crosswalk.to_str().unwrap(),
        ],
        &tmp.path().join("b"),
    );
    assert_eq!(a, b, "the same table from the 2015 codes");
    assert!(
        b_err.contains(
            "2 codes of the inputs mapped to the master's vintage (04423→04216, 40305→40231)"
        ),
        "{b_err}"
    );
    assert!(!a_err.contains("mapped to the master's vintage"), "{a_err}");
    // The same OD on the 2015 units: the population table with the 2015 codes gives the units;
    // 13100 (the special wards' aggregate, in the table) is not a new unit.
    let population = std::fs::read_to_string(
        real.join("census2020_prelim_population_dstokuron/municipality_population_2020.csv"),
    )
    .unwrap();
    assert!(population.contains("\n13100,"));
    let population: String = population
        .lines()
        .map(|l| {
            let mut fields: Vec<String> = l.split(',').map(str::to_string).collect();
            match fields[0].as_str() {
                "04216" => fields[..2].clone_from_slice(&["04423".into(), "富谷町".into()]),
                "40231" => fields[..2].clone_from_slice(&["40305".into(), "那珂川町".into()]),
                _ => {}
            }
            fields.join(",") + "\n"
        })
        .collect();
    std::fs::write(tmp.path().join("pop2015codes.csv"), population).unwrap();
    let (u, u_err) = metrics(
        &real,
        &[
            "--od",
            &p("od2015codes.csv"),
            "--population",
            &p("pop2015codes.csv"),
            "--units",
            "population",
        ],
        &tmp.path().join("u"),
    );
    assert!(
        u_err.contains("2 codes the master lacks made units with the table's names and no office location (04423 富谷町, 40305 那珂川町); 2 master codes the table lacks left out (04216 富谷市, 40231 那珂川市)"),
        "{u_err}"
    );
    // The same figures under the 2015 codes and names (富谷 and 那珂川 are towns in 2015).
    let (a, u) = (String::from_utf8(a).unwrap(), String::from_utf8(u).unwrap());
    assert_eq!(a.lines().count(), u.lines().count());
    let figures = |csv: &str, code: &str| {
        csv.lines()
            .find(|l| l.starts_with(&format!("{code},")))
            .map(|l| l.split(',').skip(4).take(10).collect::<Vec<_>>().join(","))
    };
    assert_eq!(figures(&a, "04216"), figures(&u, "04423"));
    assert_eq!(figures(&a, "40231"), figures(&u, "40305"));
    assert!(figures(&a, "04216").is_some());
    // Without the crosswalk the run stops and says which file maps the code.
    let err = refused(
        "metrics",
        &real,
        &["--od", &p("od2015codes.csv")],
        &tmp.path().join("c"),
    );
    assert!(
        err.contains("is not in the municipality registry (04423 is 宮城県富谷町's code before 2016-10-10, now 宮城県富谷市 04216: map it with --crosswalk data/crosswalks/census2015_to_2020.csv)"),
        "{err}"
    );
}

/// `--units population`: the fixture as another census would give it, with 森村 under the code
/// 98397 (unknown to the master) in the OD and the population table, read without a crosswalk.
/// The population table's codes are the units: 98397 is a unit named as the table names it
/// (旧森村), with the same figures as 98302 in the fixture's own run; 98302 is left out; the
/// run names both in a note and records the parameter.
#[test]
fn units_from_the_population_table() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tiny_dir();
    let rename = |c: &str| {
        if c == "98302" {
            "98397".to_string()
        } else {
            c.to_string()
        }
    };
    let renamed = |o: &str, d: &str, p: u64| vec![(rename(o), rename(d), p)];
    std::fs::write(tmp.path().join("od_old.csv"), long_od(&renamed)).unwrap();
    let same = |o: &str, d: &str, p: u64| vec![(o.to_string(), d.to_string(), p)];
    std::fs::write(tmp.path().join("od.csv"), long_od(&same)).unwrap();
    let population = std::fs::read_to_string(
        tiny_dir().join("census2020_prelim_population_dstokuron/municipality_population_2020.csv"),
    )
    .unwrap()
    .replace("98302,森村,", "98397,旧森村,");
    std::fs::write(tmp.path().join("pop_old.csv"), population).unwrap();
    let p = |f: &str| tmp.path().join(f).to_str().unwrap().to_string();
    let (a, _) = metrics(&data, &["--od", &p("od.csv")], &tmp.path().join("a"));
    let (b, b_err) = metrics(
        &data,
        &[
            "--od",
            &p("od_old.csv"),
            "--population",
            &p("pop_old.csv"),
            "--units",
            "population",
        ],
        &tmp.path().join("b"),
    );
    let a = String::from_utf8(a).unwrap();
    let b = String::from_utf8(b).unwrap();
    let row = |csv: &str, code: &str| {
        csv.lines()
            .find(|l| l.starts_with(&format!("{code},")))
            .map(str::to_string)
    };
    let old = row(&a, "98302").expect("森村 in the fixture's run");
    // The same figures under the old code and the table's name; the prefecture from 98.
    assert_eq!(
        row(&b, "98397"),
        Some(old.replacen("98302,森村,", "98397,旧森村,", 1))
    );
    assert_eq!(row(&b, "98302"), None);
    // Every other unit is unchanged (their rows name 森村 only as 98302 in top-3 columns).
    for line in a.lines().filter(|l| !l.starts_with("98302,")) {
        let code = line.split(',').next().unwrap();
        let want = line.replace("98302,森村,", "98397,旧森村,");
        assert_eq!(row(&b, code).as_deref(), Some(want.as_str()), "{code}");
    }
    assert!(
        b_err.contains("units from the population table — 1 code the master lacks made a unit with the table's names and no office location (98397 旧森村); 1 master code the table lacks left out (98302 森村)"),
        "{b_err}"
    );
    let record = std::fs::read_to_string(tmp.path().join("b/run.json")).unwrap();
    assert!(record.contains("\"units\": \"population\""), "{record}");
    // The same table as e-Stat publishes it (API JSON, Shift_JIS CSV): the new unit's name
    // is the table's own (CLASS_INF, or the CSV's column beside area_code).
    let estat = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data/fixtures/estat");
    let json = std::fs::read_to_string(estat.join("population_0003433219.json"))
        .unwrap()
        .replace("\"98302\"", "\"98397\"")
        .replace("\"森村\"", "\"旧森村\"");
    std::fs::write(tmp.path().join("pop_old.json"), json).unwrap();
    let sjis = std::fs::read(estat.join("population_0003433219_sjis.csv")).unwrap();
    let (text, _, _) = encoding_rs::SHIFT_JIS.decode(&sjis);
    let text = text.replace("\"98302\",\"森村\"", "\"98397\",\"旧森村\"");
    let (sjis, _, _) = encoding_rs::SHIFT_JIS.encode(&text);
    std::fs::write(tmp.path().join("pop_old_sjis.csv"), sjis).unwrap();
    for (file, out) in [("pop_old.json", "bj"), ("pop_old_sjis.csv", "bc")] {
        let (c, c_err) = metrics(
            &data,
            &[
                "--od",
                &p("od_old.csv"),
                "--population",
                &p(file),
                "--units",
                "population",
            ],
            &tmp.path().join(out),
        );
        assert_eq!(String::from_utf8(c).unwrap(), b, "{file}");
        assert!(
            c_err.contains("1 code the master lacks made a unit with the table's names and no office location (98397 旧森村)"),
            "{file}: {c_err}"
        );
    }
    // `metrics --units population` with these inputs, refused: its message.
    let refused_units = |od: &str, population: &str, out: &str| {
        refused(
            "metrics",
            &data,
            &[
                "--od",
                &p(od),
                "--population",
                &p(population),
                "--units",
                "population",
            ],
            &tmp.path().join(out),
        )
    };
    // A table without names cannot name a new unit: refused, not named after its code.
    std::fs::write(
        tmp.path().join("pop_nameless.csv"),
        "area_code,population\n97201,5000\n98100,2000\n98101,1200\n98102,800\n98201,1500\n98202,900\n98301,250\n98397,\n",
    )
    .unwrap();
    let err = refused_units("od_old.csv", "pop_nameless.csv", "f");
    assert!(
        err.contains("pop_nameless.csv: line 9: 98397 (no name) cannot be made a unit (--units population): the master does not have this code, and the table gives it no name"),
        "{err}"
    );
    // An OD code that the table does not list is not a unit, even if the master has it.
    let err = refused_units("od.csv", "pop_old.csv", "c");
    assert!(
        err.contains("code 98302 is not in ")
            && err.contains("pop_old.csv, whose codes are the units with --units population (the master has it, 森村, but the table gives it no row)"),
        "{err}"
    );
    // The declared lists carry 2020 codes: audit says why 森村 98302 is not a unit.
    let err = refused(
        "audit",
        &data,
        &[
            "--declared",
            data.join("declared").to_str().unwrap(),
            "--od",
            &p("od_old.csv"),
            "--population",
            &p("pop_old.csv"),
            "--units",
            "population",
            "--allow-missing-shapes",
        ],
        &tmp.path().join("e"),
    );
    assert!(
        err.contains("with --units population the units are the population table's codes: a declared code that the table lacks (a code of another vintage) is not one of them")
            && err.contains("declared member 98302 森村 of area T1 is not a municipality of the data"),
        "{err}"
    );
    // A new code named like a designated city's ward cannot be placed in its city.
    let wards = std::fs::read_to_string(tmp.path().join("pop_old.csv"))
        .unwrap()
        .replace("98101,湊市東区,", "98103,湊市東区,");
    std::fs::write(tmp.path().join("pop_ward.csv"), wards).unwrap();
    let err = refused_units("od_old.csv", "pop_ward.csv", "d");
    assert!(
        err.contains("98103 湊市東区 cannot be made a unit (--units population): it looks like a ward of a designated city"),
        "{err}"
    );
}
