//! Facts of the real 2020 national data, each computed by hand from the source files
//! (SOURCES.md and the JSON itself) — not from toshiken.

use std::collections::HashMap;

use toshiken::matrix::{End, Metrics, MetricsParams};
use toshiken::registry::{Kind, Level, MuniCode, SetAsideReason};

use crate::common::{load, national, real_dir};

/// Reads every census JSON independently of toshiken's reader.
fn raw_json() -> (HashMap<String, HashMap<String, u64>>, HashMap<String, u64>) {
    let dir = real_dir().join("census2020_od_market_research102");
    let mut od = HashMap::new();
    let mut totals = HashMap::new();
    for pref in 1..=47 {
        let path = dir.join(format!("{pref:02}.json"));
        let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
        for (o, dests) in v["od"].as_object().unwrap() {
            let row = dests
                .as_object()
                .unwrap()
                .iter()
                .map(|(d, p)| (d.clone(), p.as_u64().unwrap()))
                .collect();
            od.insert(o.clone(), row);
        }
        for (o, t) in v["total_employed"].as_object().unwrap() {
            totals.insert(o.clone(), t.as_u64().unwrap());
        }
    }
    (od, totals)
}

fn idx(code: u32) -> usize {
    national().units.index_of(MuniCode(code)).unwrap().index()
}

#[test]
fn national_unit_counts() {
    let ds = national();
    // 1,718 municipalities + 23 special wards; 07546 双葉町 has no commuting row.
    assert_eq!(ds.units.len(), 1741);
    assert_eq!((0..1741).filter(|&i| ds.matrix.has_data(i)).count(), 1740);
    let count = |k: Kind| ds.registry.entries().iter().filter(|e| e.kind == k).count();
    assert_eq!(count(Kind::DesignatedCity), 20);
    assert_eq!(count(Kind::DesignatedCityWard), 175);
    assert_eq!(count(Kind::SpecialWard), 23);
    assert_eq!(count(Kind::CoreCity), 60);
    let designated: Vec<String> = ds
        .registry
        .entries()
        .iter()
        .filter(|e| e.kind == Kind::DesignatedCity)
        .map(|e| e.code.to_string())
        .collect();
    assert_eq!(
        designated.join(" "),
        "01100 04100 11100 12100 14100 14130 14150 15100 22100 22130 23100 26100 27100 27140 28100 33100 34100 40100 40130 43100"
    );
    // Every row of the shipped lists names the municipality the master has under that code.
    let (core, _) = toshiken::io::read_core_cities(None).unwrap();
    let (designated, _) = toshiken::io::read_designated_cities(None).unwrap();
    assert_eq!(core.len(), 69);
    for (code, name) in core
        .iter()
        .map(|r| (r.code, &r.name))
        .chain(designated.iter().map(|r| (r.code, &r.name)))
    {
        assert_eq!(&ds.registry.get(code).unwrap().name, name, "{code}");
    }
    // 60 core cities on the census date, 62 from 2021-04-01 (松本市, 一宮市), as published.
    let lists = toshiken::rules::CityLists::shipped();
    let on = |d| {
        lists
            .core_codes_on(toshiken::rules::Date::parse(d).unwrap())
            .unwrap()
            .len()
    };
    assert_eq!(
        (on("2020-10-01"), on("2021-04-01"), on("2024-04-01")),
        (60, 62, 62)
    );
    assert_eq!(
        (on("2015-04-01"), on("2016-04-01"), on("2019-04-01")),
        (45, 47, 58)
    );
}

#[test]
fn national_total_equals_municipality_level_total_employed_no_double_count() {
    let ds = national();
    let (_, totals) = raw_json();
    let summed: u64 = totals
        .iter()
        .filter(|(o, _)| ds.units.index_of(MuniCode::parse(o).unwrap()).is_some())
        .map(|(_, t)| t)
        .sum();
    // SOURCES.md: "1,740 origins, 65,849,159 resident commuters" at municipality level.
    assert_eq!(summed, 65_849_159);
    assert_eq!(ds.matrix.grand_total(), 65_849_159);
    // The ward level counts the same people through the ward rows.
    let wards = load(&real_dir(), Level::Ward);
    assert_eq!(wards.matrix.grand_total(), 65_849_159);
    assert_eq!(wards.units.len(), 1741 - 20 + 175);
}

#[test]
fn conservation_line_balances_nationally() {
    let c = &national().conservation;
    let (od, _) = raw_json();
    let read: u64 = od.values().flat_map(|r| r.values()).sum();
    assert_eq!(c.read, read);
    assert_eq!(c.read, 121_376_624);
    assert_eq!(c.used(), 65_849_159);
    assert_eq!(
        c.set_aside[&(End::Origin, SetAsideReason::WardOfDesignatedCity)],
        26_075_552
    );
    assert_eq!(
        c.set_aside[&(End::Origin, SetAsideReason::SpecialWardsAggregate)],
        8_425_655
    );
    assert_eq!(
        c.set_aside[&(End::Destination, SetAsideReason::WardOfDesignatedCity)],
        14_242_125
    );
    assert_eq!(
        c.set_aside[&(End::Destination, SetAsideReason::SpecialWardsAggregate)],
        6_784_133
    );
    assert!(c.balances());
}

#[test]
fn okayama_city_flows() {
    let ds = national();
    // 33.json: total_employed["33100"] = 392435, od["33100"]["33202"] = 19078,
    // od["33100"]["33100"] = 324433.
    let (o, kurashiki) = (idx(33100), idx(33202));
    assert_eq!(ds.matrix.total(o), 392_435);
    assert_eq!(ds.matrix.get(o, kurashiki), 19_078);
    assert_eq!(ds.matrix.get(o, o), 324_433);
}

#[test]
fn kurashiki_day_night_ratio() {
    let ds = national();
    let m = Metrics::par_compute(&ds.matrix, &ds.population, &MetricsParams::default());
    let i = idx(33202);
    // Population 474,793 (preliminary census); out 48,438 and in 43,483 summed by hand over
    // 33.json and every file with a 33202 destination.
    assert_eq!(m.population[i], Some(474_793));
    assert_eq!(
        (m.outflow[i], m.inflow[i], m.unknown[i], m.staying[i]),
        (48_438, 43_483, 12_306, 186_575)
    );
    assert_eq!(m.daytime[i], Some(474_793 - 48_438 + 43_483));
    assert_eq!(m.day_night_ratio[i], Some(469_838.0 / 474_793.0));
    // 東京都千代田区: 850,924 arrive for 66,758 residents.
    let chiyoda = idx(13101);
    assert_eq!(m.inflow[chiyoda], 850_924);
    // 双葉町: evacuated, no population and no commuting row, yet 997 people work there.
    let futaba = idx(7546);
    assert_eq!(
        (m.population[futaba], m.has_data[futaba], m.inflow[futaba]),
        (None, false, 997)
    );
}

#[test]
fn every_designated_and_core_city_has_a_ratio() {
    let ds = national();
    let m = Metrics::par_compute(&ds.matrix, &ds.population, &MetricsParams::default());
    let mut checked = 0;
    for (i, code) in ds.units.codes().iter().enumerate() {
        let kind = ds.registry.get(*code).unwrap().kind;
        if matches!(kind, Kind::DesignatedCity | Kind::CoreCity) {
            assert!(m.day_night_ratio[i].is_some(), "{code}");
            checked += 1;
        }
    }
    assert_eq!(checked, 80);
}

#[test]
fn chugoku_shikoku_origins_sum_exactly() {
    let ds = national();
    let (od, totals) = raw_json();
    let mut origins = 0;
    let mut sum = 0;
    for (o, row) in &od {
        let code = MuniCode::parse(o).unwrap();
        let Some(m) = ds.units.index_of(code) else {
            continue;
        };
        if !(31..=39).contains(&code.prefecture()) {
            continue;
        }
        origins += 1;
        sum += totals[o];
        assert_eq!(ds.matrix.total(m.index()), totals[o], "{o}");
        let unknown =
            row.get("99998").copied().unwrap_or(0) + row.get("99999").copied().unwrap_or(0);
        assert_eq!(ds.matrix.unknown(m.index()), unknown, "{o}");
    }
    assert_eq!((origins, sum), (202, 5_793_940));
}

#[test]
fn kasaoka_top_destinations() {
    let ds = national();
    let m = Metrics::par_compute(&ds.matrix, &ds.population, &MetricsParams::default());
    let i = idx(33205);
    let top: Vec<(String, u32)> = m.top[i]
        .iter()
        .map(|&(d, p)| (ds.units.codes()[d as usize].to_string(), p))
        .collect();
    // 笠岡市 commutes first to 福山市 (Hiroshima), then 倉敷市 and 井原市.
    assert_eq!(
        top,
        vec![
            ("34207".into(), 4275),
            ("33202".into(), 1293),
            ("33207".into(), 1093)
        ]
    );
    assert_eq!(ds.matrix.total(i), 23_181);
}
