//! The hand-made region of data/fixtures/tiny: every number below is computed by hand in
//! data/fixtures/README.md.

use toshiken::matrix::{
    End, Metrics, MetricsParams, ShareDenominator, Threshold, UnknownInDaytime,
};
use toshiken::registry::{Kind, Level, MuniCode, SetAsideReason};

use crate::common::{load, tiny_dir};

fn idx(ds: &toshiken::Dataset, code: u32) -> usize {
    ds.units.index_of(MuniCode(code)).expect("unit").index()
}

#[test]
fn registry_kinds_come_from_the_master() {
    let ds = load(&tiny_dir(), Level::Municipality);
    let kind = |c| ds.registry.get(MuniCode(c)).unwrap().kind;
    assert_eq!(kind(98100), Kind::DesignatedCity);
    assert_eq!(kind(98101), Kind::DesignatedCityWard);
    assert_eq!(ds.registry.get(MuniCode(98101)).unwrap().name, "湊市東区");
    assert_eq!(
        ds.registry.get(MuniCode(98101)).unwrap().parent,
        Some(MuniCode(98100))
    );
    assert_eq!(kind(98201), Kind::City);
    assert_eq!(kind(98301), Kind::Town);
    assert_eq!(kind(98302), Kind::Village);
    let codes: Vec<u32> = ds.units.codes().iter().map(|c| c.0).collect();
    assert_eq!(codes, vec![97201, 98100, 98201, 98202, 98301, 98302]);
}

#[test]
fn municipality_level_matches_hand_computation() {
    let ds = load(&tiny_dir(), Level::Municipality);
    let m = Metrics::compute(&ds.matrix, &ds.population, &MetricsParams::default());
    let row = |c| {
        let i = idx(&ds, c);
        (
            m.resident_commuters[i],
            m.staying[i],
            m.outflow[i],
            m.unknown[i],
            m.inflow[i],
            m.daytime[i],
        )
    };
    assert_eq!(row(98100), (790, 680, 80, 30, 260, Some(2180)));
    assert_eq!(row(98201), (750, 500, 200, 50, 124, Some(1424)));
    assert_eq!(row(98202), (400, 250, 140, 10, 60, Some(820)));
    assert_eq!(row(98301), (100, 60, 40, 0, 20, Some(230)));
    assert_eq!(row(98302), (40, 25, 14, 1, 0, None));
    let i = idx(&ds, 97201);
    assert!(!m.has_data[i]);
    assert_eq!((m.inflow[i], m.daytime[i]), (10, None));
    assert_eq!(m.day_night_ratio[idx(&ds, 98100)], Some(2180.0 / 2000.0));
    assert_eq!(m.day_night_ratio[idx(&ds, 98301)], Some(230.0 / 250.0));
    // Self-containment of 山市: 500 of 750 residents stay; 500 of 624 places filled by them.
    assert_eq!(m.stay_share[idx(&ds, 98201)], Some(500.0 / 750.0));
    assert_eq!(
        m.jobs_filled_by_residents[idx(&ds, 98201)],
        Some(500.0 / 624.0)
    );
    // Top destinations of 山市: 湊市 150, 川市 30, 海町 20.
    let top: Vec<(u32, u32)> = m.top[idx(&ds, 98201)]
        .iter()
        .map(|&(d, p)| (ds.units.codes()[d as usize].0, p))
        .collect();
    assert_eq!(top, vec![(98100, 150), (98202, 30), (98301, 20)]);
}

#[test]
fn conservation_balances_by_reason() {
    let ds = load(&tiny_dir(), Level::Municipality);
    let c = &ds.conservation;
    assert_eq!(c.read, 4490);
    assert_eq!((c.used_known, c.used_unknown), (1989, 91));
    assert_eq!(
        c.set_aside[&(End::Origin, SetAsideReason::WardOfDesignatedCity)],
        1470
    );
    assert_eq!(
        c.set_aside[&(End::Destination, SetAsideReason::WardOfDesignatedCity)],
        940
    );
    assert!(c.balances());
    assert_eq!(ds.matrix.grand_total(), 2080);
    let text = c.to_string();
    assert!(
        text.starts_with("persons read 4,490 = used 2,080"),
        "{text}"
    );
    assert!(text.ends_with("balanced"), "{text}");
}

#[test]
fn ward_level_uses_the_ward_rows_instead() {
    let ds = load(&tiny_dir(), Level::Ward);
    let codes: Vec<u32> = ds.units.codes().iter().map(|c| c.0).collect();
    assert_eq!(codes, vec![97201, 98101, 98102, 98201, 98202, 98301, 98302]);
    // Same residents in total: the city's row equals its wards' rows.
    assert_eq!(ds.matrix.grand_total(), 2080);
    let m = Metrics::compute(&ds.matrix, &ds.population, &MetricsParams::default());
    let i = idx(&ds, 98101);
    // 東区: stays 300, to 西区 100, 山市 50; inflow 80 (西区) + 100 (山市) + 40 (川市) + 10 (海町).
    assert_eq!((m.staying[i], m.outflow[i], m.inflow[i]), (300, 150, 230));
    assert_eq!(m.daytime[i], Some(1200 - 150 + 230));
    let c = &ds.conservation;
    assert_eq!(
        c.set_aside[&(End::Origin, SetAsideReason::DesignatedCityAggregate)],
        1470
    );
    assert!(c.balances());
}

#[test]
fn conventions_change_what_they_say() {
    let ds = load(&tiny_dir(), Level::Municipality);
    let i = idx(&ds, 98201);
    let known = MetricsParams::default().share_denominator(ShareDenominator::KnownDestinations);
    let m = Metrics::compute(&ds.matrix, &ds.population, &known);
    assert_eq!(m.share_denominator[i], 700);
    let leave = MetricsParams::default().unknown_in_daytime(UnknownInDaytime::Leave);
    let m = Metrics::compute(&ds.matrix, &ds.population, &leave);
    assert_eq!(m.daytime[i], Some(1500 - 200 - 50 + 124));
}

#[test]
fn share_threshold_is_exact_at_one_tenth() {
    // 海町 → 湊市 is exactly 10 of 100 commuters.
    let ds = load(&tiny_dir(), Level::Municipality);
    let (o, d) = (idx(&ds, 98301), idx(&ds, 98100));
    let persons = u64::from(ds.matrix.get(o, d));
    let total = ShareDenominator::AllCommuters.of(&ds.matrix, o);
    assert_eq!((persons, total), (10, 100));
    assert!(Threshold::TENTH.is_met(persons, total));
    assert!(!Threshold::parse_decimal("0.1000001")
        .unwrap()
        .is_met(persons, total));
}

#[test]
fn missing_values_are_reported_not_guessed() {
    let ds = load(&tiny_dir(), Level::Municipality);
    let notes: Vec<String> = ds.notes.iter().map(|n| n.to_string()).collect();
    assert!(
        notes
            .iter()
            .any(|n| n.starts_with("98302 森村: no population")),
        "{notes:?}"
    );
    assert!(
        notes
            .iter()
            .any(|n| n.starts_with("97201 隣市: no commuting data")),
        "{notes:?}"
    );
    assert_eq!(ds.population[idx(&ds, 98302)], None);
}
