//! Delineation on the hand-made fixture (data/fixtures/tiny, grid drawn in
//! make_boundaries.py) and on the real national data; every expected value is computed by
//! hand in data/fixtures/README.md or from the census JSON.

use toshiken::areas::{delineate, overlaps, Tier};
use toshiken::audit::{audit, Status};
use toshiken::commands::{build_region, Config, Timings};
use toshiken::io::{read_declared, read_metro_areas};
use toshiken::matrix::Threshold;
use toshiken::region::Region;
use toshiken::registry::MuniCode;
use toshiken::rules::{evaluate_centres, find_centres, MetroAreas, RenkeiParams};

use crate::common::{real_dir, tiny_dir};

fn region_of(dir: &std::path::Path, merges: &[&str]) -> Region {
    let config = Config {
        data: Some(dir.to_path_buf()),
        verbose: false,
        ..Config::default()
    };
    let merges: Vec<String> = merges.iter().map(|s| s.to_string()).collect();
    build_region(&config, &merges, &mut Timings::default()).unwrap()
}

fn builtin_metro() -> MetroAreas {
    MetroAreas::from_rows(&read_metro_areas(None).unwrap(), "built in")
}

/// Fixture scale: the toy cities are small, so the population minimums are scaled down.
fn tiny_params() -> RenkeiParams {
    RenkeiParams::new(builtin_metro())
        .min_population(1000)
        .pair_min_population(800)
}

fn at(region: &Region, code: u32) -> usize {
    region.index_of(MuniCode(code)).unwrap()
}

fn codes(region: &Region, units: impl IntoIterator<Item = usize>) -> Vec<u32> {
    units.into_iter().map(|u| region.code(u).0).collect()
}

#[test]
fn fixture_adjacency_follows_the_grid() {
    let r = region_of(&tiny_dir(), &[]);
    // 湊市 is the dissolve of 東区 and 西区 (one 2×1 rectangle).
    let minato = at(&r, 98100);
    assert_eq!(r.shape(minato).unwrap().0.len(), 1);
    assert_eq!(
        codes(
            &r,
            r.adjacency.neighbours(minato).iter().map(|&v| v as usize)
        ),
        vec![97201, 98201, 98202, 98301]
    );
    assert_eq!(
        codes(
            &r,
            r.adjacency
                .neighbours(at(&r, 98302))
                .iter()
                .map(|&v| v as usize)
        ),
        vec![98201, 98202]
    );
    assert_eq!(r.adjacency.pair_count(), 7);
    // 海町 has two parts (the island at (4,0)) but borders 湊市.
    assert_eq!(r.shape(at(&r, 98301)).unwrap().0.len(), 2);
    assert!(!r.adjacency.is_isolated(at(&r, 98301)));
}

#[test]
fn criterion_designated_or_core() {
    let r = region_of(&tiny_dir(), &[]);
    let e = evaluate_centres(&r, &tiny_params());
    let get = |c| e.iter().find(|x| r.code(x.unit).0 == c).unwrap();
    assert!(get(98100).designated_or_core);
    assert!(!get(98201).designated_or_core);
    assert!(get(98201)
        .failures(&tiny_params())
        .iter()
        .any(|f| f == "not a designated or core city"));
    // Towns and villages are never evaluated.
    assert!(e
        .iter()
        .all(|x| ![98301, 98302].contains(&r.code(x.unit).0)));
}

#[test]
fn criterion_population() {
    let r = region_of(&tiny_dir(), &[]);
    let minato = at(&r, 98100);
    let p = tiny_params().min_population(2000);
    assert!(
        evaluate_centres(&r, &p)
            .iter()
            .find(|x| x.unit == minato)
            .unwrap()
            .population_ok
    );
    let p = tiny_params().min_population(2001);
    let e = evaluate_centres(&r, &p)
        .into_iter()
        .find(|x| x.unit == minato)
        .unwrap();
    assert!(!e.population_ok && !e.eligible);
    assert_eq!(
        e.failures(&p),
        vec!["population 2000 < 2001 (short by 1)".to_string()]
    );
}

#[test]
fn criterion_day_night_ratio_with_tolerance() {
    let r = region_of(&tiny_dir(), &[]);
    let yama = at(&r, 98201); // daytime 1,424 / 1,500 = 0.949333…
    let eval = |tol: &str| {
        let p = tiny_params().dn_tolerance(Threshold::parse_decimal(tol).unwrap());
        evaluate_centres(&r, &p)
            .into_iter()
            .find(|x| x.unit == yama)
            .unwrap()
    };
    assert!(!eval("0.02").ratio_ok);
    assert!(!eval("0.02").ratio_near_miss); // 0.949 is more than 0.02 below 0.98
    assert!(!eval("0.0506").ratio_ok); // needs 1,424 ≥ 0.9494 × 1,500 = 1,424.1
    assert!(eval("0.0507").ratio_ok); // 0.9493 × 1,500 = 1,423.95
    assert!(eval("0.0507").ratio_near_miss); // passes only by tolerance
    assert!(eval("0.04").ratio_near_miss); // fails by less than 0.02
}

#[test]
fn criterion_metro_area() {
    let r = region_of(&tiny_dir(), &[]);
    let minato = at(&r, 98100);
    // Put prefecture 98 in a metro whose core is 山市: 湊市 sends 50 of 790 (6.3 %) there.
    let rows = toshiken::io::read_metro_areas(Some(&write_tmp(
        "metro,type,code\nテスト圏,prefecture,98\nテスト圏,core,98201\n",
    )))
    .unwrap();
    let metro = MetroAreas::from_rows(&rows, "test");
    let p = RenkeiParams::new(metro.clone())
        .min_population(1000)
        .pair_min_population(800);
    let e = evaluate_centres(&r, &p)
        .into_iter()
        .find(|x| x.unit == minato)
        .unwrap();
    assert_eq!(
        (e.metro.as_deref(), e.metro_share, e.metro_ok),
        (Some("テスト圏"), Some((50, 790)), true)
    );
    // At a 0.06 threshold the metro test fails (50 × 100 ≥ 6 × 790).
    let p = p.threshold(Threshold::parse_decimal("0.06").unwrap());
    let e = evaluate_centres(&r, &p)
        .into_iter()
        .find(|x| x.unit == minato)
        .unwrap();
    assert!(!e.metro_ok && !e.eligible);
}

fn write_tmp(text: &str) -> std::path::PathBuf {
    let dir = tempfile::tempdir().unwrap().keep();
    let path = dir.join("metro.csv");
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn pair_rule_needs_adjacent_cities() {
    // With a tolerance of 0.09 both 山市 (0.949) and 川市 (0.911) pass the ratio, but they
    // only touch at a corner through 森村, so they form no pair.
    let r = region_of(&tiny_dir(), &[]);
    let p = tiny_params().dn_tolerance(Threshold::parse_decimal("0.09").unwrap());
    let e = evaluate_centres(&r, &p);
    let centres = find_centres(&r, &e, &p);
    assert_eq!(
        centres
            .iter()
            .map(|c| codes(&r, c.units.clone()))
            .collect::<Vec<_>>(),
        vec![vec![98100]]
    );
    // When 湊市 is not eligible alone (population minimum 2,001), it pairs with each adjacent
    // city that passes: 山市 (3,500 together) and 川市 (2,900), but 山市 and 川市 do not pair.
    let p = p.min_population(2001);
    let e = evaluate_centres(&r, &p);
    let centres = find_centres(&r, &e, &p);
    let pairs: Vec<Vec<u32>> = centres.iter().map(|c| codes(&r, c.units.clone())).collect();
    assert_eq!(pairs, vec![vec![98100, 98201], vec![98100, 98202]]);
}

#[test]
fn tier1_is_exact_at_one_tenth_and_tier2_follows_the_rule() {
    let r = region_of(&tiny_dir(), &[]);
    let p = tiny_params();
    let centres = find_centres(&r, &evaluate_centres(&r, &p), &p);
    let areas = delineate(&r, &centres, &p);
    assert_eq!(areas.len(), 1);
    let tier = |a: &toshiken::areas::Area, t| {
        codes(&r, a.members.iter().filter(|m| m.tier == t).map(|m| m.unit))
    };
    // 山市 150/750, 川市 100/400, 海町 10/100 (exactly 0.1).
    assert_eq!(tier(&areas[0], Tier::One), vec![98201, 98202, 98301]);
    let umi = areas[0]
        .members
        .iter()
        .find(|m| r.code(m.unit).0 == 98301)
        .unwrap();
    assert_eq!((umi.persons, umi.denominator), (10, 100));
    assert!(areas[0].is_contiguous());
    // Just above 0.1, 海町 is no longer tier 1 but becomes tier 2 (share ≥ 0.05, borders 湊市).
    let p = tiny_params().threshold(Threshold::parse_decimal("0.1000001").unwrap());
    let areas = delineate(&r, &centres, &p);
    assert_eq!(tier(&areas[0], Tier::One), vec![98201, 98202]);
    assert_eq!(tier(&areas[0], Tier::Two), vec![98301]);
    // At 0.21 only 川市 (0.25) is tier 1; 山市 (0.2) and 海町 (0.1) are tier 2; 森村 sends no one.
    let p = tiny_params().threshold(Threshold::parse_decimal("0.21").unwrap());
    let areas = delineate(&r, &centres, &p);
    assert_eq!(tier(&areas[0], Tier::One), vec![98202]);
    assert_eq!(tier(&areas[0], Tier::Two), vec![98201, 98301]);
    // With a tier-2 floor above 0.2, 山市 drops out and 海町 too.
    let p = p.tier2_floor(Threshold::parse_decimal("0.201").unwrap());
    let areas = delineate(&r, &centres, &p);
    assert!(tier(&areas[0], Tier::Two).is_empty());
}

#[test]
fn merger_adds_rows_columns_population_and_shapes() {
    let r = region_of(&tiny_dir(), &["98201+98202"]);
    let u = at(&r, 98201);
    assert_eq!(r.names[u], "山市+川市");
    assert_eq!(r.population[u], Some(2400));
    let m = &r.metrics;
    // staying 500 + 250 + 30 + 40; outflow 170 + 100; inflow 84 + 30.
    assert_eq!((m.staying[u], m.outflow[u], m.inflow[u]), (820, 270, 114));
    assert_eq!(m.daytime[u], Some(2400 - 270 + 114));
    assert_eq!(r.matrix.get(u, at(&r, 98100)), 250);
    assert_eq!(r.shape(u).unwrap().0.len(), 2); // two squares that only meet diagonally
    assert_eq!(
        codes(&r, r.adjacency.neighbours(u).iter().map(|&v| v as usize)),
        vec![97201, 98100, 98302]
    );
    assert_eq!(r.matrix.grand_total(), 2080); // no one lost
    assert!(region_of(&tiny_dir(), &[])
        .merge(&[vec![MuniCode(98101), MuniCode(98201)]])
        .is_err());
}

#[test]
fn audit_on_the_fixture() {
    let r = region_of(&tiny_dir(), &[]);
    let (areas, members) = read_declared(&tiny_dir().join("declared")).unwrap();
    let a = audit(&r, &areas, &members, &tiny_params()).unwrap();
    let line = |area: &str, code: u32| {
        a.lines
            .iter()
            .find(|l| l.area == area && r.code(l.unit).0 == code)
            .unwrap()
    };
    assert_eq!(line("T1", 98301).status, Status::Meets); // exactly 0.1
    let mori = line("T1", 98302);
    assert_eq!(
        (mori.status, mori.prefectural_only),
        (Status::AgreementOnly, true)
    );
    assert_eq!(line("T1", 98201).status, Status::Missing);
    assert_eq!(line("T1", 98202).status, Status::Missing);
    assert_eq!(
        (line("T2", 98301).persons, line("T2", 98301).denominator),
        (30, 100)
    );
    assert_eq!(line("T2", 98302).status, Status::Missing); // 14 of 40 to 山市+川市
    assert_eq!(a.multi.len(), 1);
    assert_eq!(
        a.multi[0].areas,
        vec![("T1".to_string(), 10, 100), ("T2".to_string(), 30, 100)]
    );
    let t2 = a.centres.iter().find(|c| c.area == "T2").unwrap();
    assert!(
        t2.failures
            .iter()
            .any(|f| f.contains("do not border each other")),
        "{:?}",
        t2.failures
    );
    assert!(
        t2.failures
            .iter()
            .any(|f| f.starts_with("98201 山市: day/night ratio 0.9493")),
        "{:?}",
        t2.failures
    );
}

// ---- real national data ----

fn national_region() -> &'static Region {
    static CELL: std::sync::OnceLock<Region> = std::sync::OnceLock::new();
    CELL.get_or_init(|| region_of(&real_dir(), &[]))
}

#[test]
fn national_adjacency_matches_shared_arcs() {
    let r = national_region();
    // Computed from the TopoJSON by shared arc indices (wards rolled up, Northern Territories
    // and 所属未定地 left out): 4,400 pairs; 48 municipalities border none.
    assert_eq!(r.adjacency.pair_count(), 4400);
    assert_eq!(
        (0..r.len()).filter(|&i| r.adjacency.is_isolated(i)).count(),
        48
    );
    let nb = |c| {
        codes(
            r,
            r.adjacency.neighbours(at(r, c)).iter().map(|&v| v as usize),
        )
    };
    assert_eq!(nb(33202), vec![33100, 33204, 33208, 33216, 33423, 33461]);
    assert_eq!(nb(13101), vec![13102, 13103, 13104, 13105, 13106]);
    for i in 0..r.len() {
        for &j in r.adjacency.neighbours(i) {
            assert!(
                r.adjacency.are_adjacent(j as usize, i),
                "asymmetric {i} {j}"
            );
        }
    }
}

#[test]
fn fukuyama_tier1_is_exactly_the_hand_computed_list() {
    let r = national_region();
    let p = RenkeiParams::new(builtin_metro());
    let centres = find_centres(r, &evaluate_centres(r, &p), &p);
    let areas = delineate(r, &centres, &p);
    let fukuyama = areas
        .iter()
        .find(|a| a.centre.units == vec![at(r, 34207)])
        .unwrap();
    let tier1 = codes(
        r,
        fukuyama
            .members
            .iter()
            .filter(|m| m.tier == Tier::One)
            .map(|m| m.unit),
    );
    // By hand from the JSON: od[o]["34207"] × 10 ≥ total_employed[o] for 笠岡 4275/23181,
    // 井原 3147/20572, 尾道 7734/68532, 府中 4654/19580, 神石高原 437/3868.
    assert_eq!(tier1, vec![33205, 33207, 34205, 34208, 34545]);
    let dir = real_dir().join("census2020_od_market_research102");
    let mut by_hand = Vec::new();
    for pref in 1..=47 {
        let v: serde_json::Value =
            serde_json::from_slice(&std::fs::read(dir.join(format!("{pref:02}.json"))).unwrap())
                .unwrap();
        for (o, dests) in v["od"].as_object().unwrap() {
            let code = MuniCode::parse(o).unwrap();
            if code.0 == 34207 || r.index_of(code).is_none() {
                continue;
            }
            let to = dests.get("34207").and_then(|x| x.as_u64()).unwrap_or(0);
            if to * 10 >= v["total_employed"][o].as_u64().unwrap() {
                by_hand.push(code.0);
            }
        }
    }
    by_hand.sort();
    assert_eq!(tier1, by_hand);
}

#[test]
fn national_centres_and_overlaps() {
    let r = national_region();
    let p = RenkeiParams::new(builtin_metro());
    let e = evaluate_centres(r, &p);
    let centres = find_centres(r, &e, &p);
    let areas = delineate(r, &centres, &p);
    let eligible = |c| e.iter().find(|x| r.code(x.unit).0 == c).map(|x| x.eligible);
    // 倉敷市 0.9896 and 下関市 0.9862 pass by the 0.02 tolerance; 鳥取市 188,614 fails on population.
    assert_eq!(
        (eligible(33202), eligible(35201), eligible(31201)),
        (Some(true), Some(true), Some(false))
    );
    // 山口市 + 宇部市 form a pair (A22 in the declared list).
    assert!(centres
        .iter()
        .any(|c| codes(r, c.units.clone()) == vec![35202, 35203]));
    // 笠岡市 is tier 1 of 福山 (18.4 %) only; 総社市 of both 倉敷 (19.5 %) and 岡山 (14.7 %).
    let over = overlaps(&areas, r.len());
    let areas_of = |c| {
        over.iter().find(|(u, _)| r.code(*u).0 == c).map(|(_, ks)| {
            ks.iter()
                .map(|&k| areas[k].centre.id(r))
                .collect::<Vec<_>>()
        })
    };
    assert_eq!(
        areas_of(33208),
        Some(vec!["C33100".to_string(), "C33202".to_string()])
    );
    // 倉敷市, itself a centre, is tier 1 of 岡山 (26,484 of 247,319 = 10.7 %).
    assert!(areas_of(33202).unwrap().contains(&"C33100".to_string()));
    // 江田島市 is an island member of 広島's area.
    let hiroshima = areas
        .iter()
        .find(|a| a.centre.units == vec![at(r, 34100)])
        .unwrap();
    assert_eq!(codes(r, hiroshima.islands.clone()), vec![34215]);
}

#[test]
fn declared_double_memberships_are_all_reported() {
    let r = national_region();
    let declared = real_dir().join("declared");
    let (areas, members) = read_declared(&declared).unwrap();
    let a = audit(r, &areas, &members, &RenkeiParams::new(builtin_metro())).unwrap();
    let multi: Vec<(u32, Vec<String>)> = a
        .multi
        .iter()
        .map(|m| {
            (
                r.code(m.unit).0,
                m.areas.iter().map(|x| x.0.clone()).collect(),
            )
        })
        .collect();
    // declared/README.md: 笠岡 and 井原 (A01, A02), 総社 and 早島 (A01, A21), 三原 and 世羅
    // (A02, A13), and every member of A24 including 呉市 (also A13).
    for (code, expected) in [
        (33205, vec!["A01", "A02"]),
        (33207, vec!["A01", "A02"]),
        (33208, vec!["A01", "A21"]),
        (33423, vec!["A01", "A21"]),
        (34204, vec!["A02", "A13"]),
        (34462, vec!["A02", "A13"]),
        (34202, vec!["A13", "A24"]),
    ] {
        let found = multi
            .iter()
            .find(|(c, _)| *c == code)
            .unwrap_or_else(|| panic!("{code} missing"));
        let mut got = found.1.clone();
        got.sort();
        assert_eq!(got, expected, "{code}");
    }
    let a24: Vec<u32> = members
        .iter()
        .filter(|m| m.area == "A24")
        .map(|m| m.code.0)
        .collect();
    for code in a24 {
        assert!(
            multi.iter().any(|(c, _)| *c == code),
            "A24 member {code} not reported"
        );
    }
    // 笠岡市's shares: 1,293/23,181 to 倉敷, 4,275/23,181 to 福山.
    let kasaoka = a.multi.iter().find(|m| r.code(m.unit).0 == 33205).unwrap();
    assert_eq!(
        kasaoka.areas,
        vec![
            ("A01".to_string(), 1293, 23181),
            ("A02".to_string(), 4275, 23181)
        ]
    );
    // 鳥取市 fails on population today.
    let tottori = a.centres.iter().find(|c| c.area == "A28").unwrap();
    assert_eq!(
        tottori.failures,
        vec!["population 188614 < 200000 (short by 11386)".to_string()]
    );
}
