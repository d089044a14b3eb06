//! Invariants over random matrices (proptest).

use std::collections::BTreeMap;

use proptest::prelude::*;
use toshiken::matrix::{
    par_shares, row_pass, shares, CommuteMatrix, Exec, Metrics, MetricsParams, PassOptions,
    ShareDenominator, Threshold,
};

/// What the strategy draws before building the matrix.
type Drawn = (
    usize,
    BTreeMap<(u32, u32), u32>,
    Vec<u64>,
    Vec<bool>,
    Vec<Option<u64>>,
);

/// A random matrix of 1–40 units: distinct pairs, persons 1–5,000, some unknowns, some
/// origins without data, some populations missing.
pub(crate) fn matrix_and_population() -> impl Strategy<Value = (CommuteMatrix, Vec<Option<u64>>)> {
    (1usize..40).prop_flat_map(|n| {
        let cells = prop::collection::btree_map(
            (0..n as u32, 0..n as u32),
            1u32..5000,
            0..(n * n).min(300),
        );
        let unknown = prop::collection::vec(prop_oneof![Just(0u64), 0u64..300], n);
        let has_data = prop::collection::vec(prop::bool::weighted(0.9), n);
        let population = prop::collection::vec(prop::option::weighted(0.9, 1u64..200_000), n);
        (Just(n), cells, unknown, has_data, population).prop_map(
            |(n, cells, mut unknown, has_data, population): Drawn| {
                // An origin without data has no row at all.
                let triplets = cells
                    .into_iter()
                    .filter(|((o, _), _)| has_data[*o as usize])
                    .map(|((o, d), p)| (o, d, p))
                    .collect();
                for (u, &h) in unknown.iter_mut().zip(&has_data) {
                    if !h {
                        *u = 0;
                    }
                }
                (
                    CommuteMatrix::from_triplets(n, triplets, unknown, has_data).unwrap(),
                    population,
                )
            },
        )
    })
}

fn permutation(n: usize) -> impl Strategy<Value = Vec<u32>> {
    Just((0..n as u32).collect::<Vec<u32>>()).prop_shuffle()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn shares_with_unknowns_sum_to_one((m, _) in matrix_and_population()) {
        let s = shares(&m, ShareDenominator::AllCommuters);
        for i in 0..m.n() {
            if m.total(i) == 0 { continue; }
            let (start, end) = (m.indptr()[i], m.indptr()[i + 1]);
            let sum: f64 = s[start..end].iter().sum::<f64>() + m.unknown(i) as f64 / m.total(i) as f64;
            prop_assert!((sum - 1.0).abs() < 1e-12, "origin {i}: {sum}");
        }
    }

    /// The one kernel against a naive reference written from the definitions over the
    /// triplets (no CSR, no chunks): sums, diagonal, column sums, shares, exact threshold
    /// pairs and top-k; serial and parallel at 1–4 threads give the same bits.
    #[test]
    fn kernel_matches_a_naive_reference((m, _) in matrix_and_population(), num in 1u64..10, known in any::<bool>(), k in 0usize..4, threads in 1usize..5) {
        let n = m.n();
        let threshold = Threshold::new(num, 10).unwrap();
        let denominator = if known { ShareDenominator::KnownDestinations } else { ShareDenominator::AllCommuters };
        let options = PassOptions { denominator, threshold: Some(threshold), top_k: k };
        let mut s_serial = Vec::new();
        let pass = row_pass(m.flows(), m.unknowns(), &options, Some(&mut s_serial), Exec::Serial);
        // The reference.
        let mut cells: Vec<(usize, usize, u32)> = Vec::new();
        for i in 0..n {
            for j in 0..n {
                let p = m.get(i, j);
                if p > 0 { cells.push((i, j, p)); }
            }
        }
        let mut known_sum = vec![0u64; n];
        let mut staying = vec![0u64; n];
        let mut inflow = vec![0u64; n];
        for &(i, j, p) in &cells {
            known_sum[i] += u64::from(p);
            if i == j { staying[i] = u64::from(p); } else { inflow[j] += u64::from(p); }
        }
        let den: Vec<u64> = (0..n).map(|i| if known { known_sum[i] } else { known_sum[i] + m.unknown(i) }).collect();
        prop_assert_eq!(&pass.known, &known_sum);
        prop_assert_eq!(&pass.staying, &staying);
        prop_assert_eq!(&pass.inflow, &inflow);
        prop_assert_eq!(&pass.denominator, &den);
        let shares_ref: Vec<u64> = cells.iter().map(|&(i, _, p)| (f64::from(p) / den[i] as f64).to_bits()).collect();
        prop_assert_eq!(s_serial.iter().map(|x| x.to_bits()).collect::<Vec<_>>(), shares_ref);
        let pairs_ref: Vec<(u32, u32, u32)> = cells.iter()
            .filter(|&&(i, j, p)| i != j && u128::from(p) * 10 >= u128::from(num) * u128::from(den[i]) && den[i] > 0)
            .map(|&(i, j, p)| (i as u32, j as u32, p)).collect();
        prop_assert_eq!(pass.pairs.iter().map(|q| (q.origin, q.dest, q.persons)).collect::<Vec<_>>(), pairs_ref);
        for i in 0..n {
            let mut others: Vec<(u32, u32)> = cells.iter().filter(|c| c.0 == i && c.1 != i).map(|c| (c.1 as u32, c.2)).collect();
            others.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
            others.truncate(k);
            if k > 0 { prop_assert_eq!(&pass.top[i], &others); } else { prop_assert!(pass.top.is_empty()); }
        }
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
        let mut s_par = Vec::new();
        let par = pool.install(|| row_pass(m.flows(), m.unknowns(), &options, Some(&mut s_par), Exec::Parallel));
        prop_assert_eq!(par, pass);
        prop_assert_eq!(s_par.iter().map(|x| x.to_bits()).collect::<Vec<_>>(), s_serial.iter().map(|x| x.to_bits()).collect::<Vec<_>>());
    }

    #[test]
    fn daytime_is_night_minus_out_plus_in((m, pop) in matrix_and_population()) {
        let r = Metrics::compute(&m, &pop, &MetricsParams::default());
        for (i, &night) in pop.iter().enumerate() {
            match (night, m.has_data(i)) {
                (Some(night), true) => prop_assert_eq!(r.daytime[i], Some(night as i64 - r.outflow[i] as i64 + r.inflow[i] as i64)),
                _ => prop_assert_eq!(r.daytime[i], None),
            }
            prop_assert_eq!(r.staying[i] + r.outflow[i] + r.unknown[i], r.resident_commuters[i]);
        }
        // Everyone who leaves a unit arrives at another.
        prop_assert_eq!(r.outflow.iter().sum::<u64>(), r.inflow.iter().sum::<u64>());
    }

    #[test]
    fn serial_equals_parallel_for_any_thread_count((m, pop) in matrix_and_population(), threads in 1usize..5) {
        let params = MetricsParams::default();
        let serial = Metrics::compute(&m, &pop, &params);
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
        let (parallel, par_s) = pool.install(|| (Metrics::par_compute(&m, &pop, &params), par_shares(&m, ShareDenominator::AllCommuters)));
        prop_assert_eq!(format!("{serial:?}"), format!("{parallel:?}"));
        let s = shares(&m, ShareDenominator::AllCommuters);
        prop_assert_eq!(s.iter().map(|x| x.to_bits()).collect::<Vec<_>>(), par_s.iter().map(|x| x.to_bits()).collect::<Vec<_>>());
    }

    #[test]
    fn relabelling_units_changes_nothing((m, pop) in matrix_and_population().prop_flat_map(|(m, pop)| { let n = m.n(); (Just((m, pop)), permutation(n)) })) {
        let ((m, pop), perm) = (m, pop);
        let relabelled = m.relabel(&perm).unwrap();
        let mut new_pop = vec![None; m.n()];
        for (i, &p) in perm.iter().enumerate() { new_pop[p as usize] = pop[i]; }
        let params = MetricsParams::default();
        let a = Metrics::compute(&m, &pop, &params);
        let b = Metrics::compute(&relabelled, &new_pop, &params);
        for i in 0..m.n() {
            let j = perm[i] as usize;
            prop_assert_eq!(a.outflow[i], b.outflow[j]);
            prop_assert_eq!(a.inflow[i], b.inflow[j]);
            prop_assert_eq!(a.staying[i], b.staying[j]);
            prop_assert_eq!(a.daytime[i], b.daytime[j]);
            prop_assert_eq!(a.day_night_ratio[i].map(f64::to_bits), b.day_night_ratio[j].map(f64::to_bits));
            // Ties may be broken differently under new labels; the persons are the same.
            let persons = |t: &Vec<(u32, u32)>| t.iter().map(|x| x.1).collect::<Vec<_>>();
            prop_assert_eq!(persons(&a.top[i]), persons(&b.top[j]));
            for (k, &d) in m.row(i).0.iter().enumerate() {
                prop_assert_eq!(m.row(i).1[k], relabelled.get(j, perm[d as usize] as usize));
            }
        }
    }

    #[test]
    fn threshold_agrees_with_exact_rationals(persons in 0u64..1_000_000, total in 1u64..1_000_000, num in 0u64..100) {
        let t = Threshold::new(num, 100).unwrap();
        prop_assert_eq!(t.is_met(persons, total), persons * 100 >= num * total);
    }
}

mod geometry_props {
    use geo::{polygon, Area, MultiPolygon};
    use proptest::prelude::*;
    use toshiken::geometry::{adjacency, dissolve};

    fn cell(x: i32, y: i32) -> MultiPolygon<f64> {
        let (x, y) = (f64::from(x), f64::from(y));
        MultiPolygon::new(vec![
            polygon![(x: x, y: y), (x: x + 1.0, y: y), (x: x + 1.0, y: y + 1.0), (x: x, y: y + 1.0), (x: x, y: y)],
        ])
    }

    fn cells() -> impl Strategy<Value = Vec<(i32, i32)>> {
        prop::collection::btree_set((0i32..7, 0i32..7), 1..30).prop_map(|s| s.into_iter().collect())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]

        #[test]
        fn dissolve_preserves_total_area(cells in cells()) {
            let shapes: Vec<MultiPolygon<f64>> = cells.iter().map(|&(x, y)| cell(x, y)).collect();
            let d = dissolve(shapes.iter());
            prop_assert_eq!(d.unsigned_area(), cells.len() as f64);
            // Every exterior counter-clockwise (RFC 7946), every hole clockwise.
            for p in &d {
                prop_assert!(geo::Polygon::new(p.exterior().clone(), vec![]).signed_area() > 0.0);
            }
        }

        #[test]
        fn adjacency_is_symmetric_and_is_the_grid(cells in cells()) {
            let shapes: Vec<Option<MultiPolygon<f64>>> = cells.iter().map(|&(x, y)| Some(cell(x, y))).collect();
            let a = adjacency(&shapes);
            for (i, &(xi, yi)) in cells.iter().enumerate() {
                for (j, &(xj, yj)) in cells.iter().enumerate() {
                    let rook = (xi - xj).abs() + (yi - yj).abs() == 1;
                    prop_assert_eq!(a.are_adjacent(i, j), rook, "{:?} {:?}", (xi, yi), (xj, yj));
                    prop_assert_eq!(a.are_adjacent(i, j), a.are_adjacent(j, i));
                }
            }
        }
    }
}

mod threshold_props {
    use proptest::prelude::*;
    use toshiken::areas::{delineate, Tier};
    use toshiken::geometry::Adjacency;
    use toshiken::matrix::{Metrics, MetricsParams, Threshold};
    use toshiken::region::Region;
    use toshiken::registry::{Kind, MuniCode, Units};
    use toshiken::rules::{evaluate_centres, find_centres, MetroAreas, RenkeiParams};

    use super::matrix_and_population;

    /// Every third unit is a core city (as the kinds say), from 2000-04-01.
    fn core_every_third(n: usize) -> toshiken::rules::CityLists {
        let from = toshiken::rules::Since::parse("2000-04-01").unwrap();
        let core = (0..n as u32)
            .filter(|i| i % 3 == 0)
            .map(|i| toshiken::io::CoreCityRow {
                code: MuniCode(90_201 + i),
                name: format!("u{i}"),
                from,
                until: None,
                record: format!("line {}", i + 2),
            })
            .collect();
        toshiken::rules::CityLists::new(&[], Default::default(), core, Default::default())
    }

    fn region((m, _): (toshiken::CommuteMatrix, Vec<Option<u64>>)) -> Region {
        let n = m.n();
        let population = vec![Some(300_000); n];
        let params = MetricsParams::default();
        Region {
            units: Units::from_codes((0..n as u32).map(|i| MuniCode(90_201 + i)).collect()),
            names: (0..n).map(|i| format!("u{i}")).collect(),
            prefectures: vec!["p".into(); n],
            kinds: (0..n)
                .map(|i| {
                    if i % 3 == 0 {
                        Kind::CoreCity
                    } else {
                        Kind::Town
                    }
                })
                .collect(),
            metrics: Metrics::compute(&m, &population, &params),
            matrix: m,
            population,
            shapes: vec![None; n],
            adjacency: Adjacency::from_pairs(n, &[]),
            params,
            merged: vec![Vec::new(); n],
            offices: vec![None; n],
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(100))]

        #[test]
        fn tier1_only_grows_as_the_threshold_falls(pair in matrix_and_population(), a in 1u64..40, b in 1u64..40) {
            let r = region(pair);
            let (low, high) = (a.min(b), a.max(b));
            // A tolerance of 1 makes every core city a centre whatever its ratio.
            let base = RenkeiParams::new(MetroAreas::default())
                .dn_tolerance(Threshold::new(1, 1).unwrap())
                .lists(core_every_third(r.len()), toshiken::rules::CENSUS_DATE)
                .unwrap();
            // The lists make every third unit a core city (clause 1), as the kinds say.
            let core = evaluate_centres(&r, &base).iter().filter(|e| e.designation_ok()).count();
            prop_assert_eq!(core, r.len().div_ceil(3));
            let centres = find_centres(&r, &evaluate_centres(&r, &base), &base);
            let members = |t: u64| {
                let p = base.clone().threshold(Threshold::new(t, 100).unwrap());
                delineate(&r, &centres, &p)
                    .iter()
                    .map(|a| a.members.iter().filter(|m| m.tier == Tier::One).map(|m| m.unit).collect::<std::collections::BTreeSet<_>>())
                    .collect::<Vec<_>>()
            };
            let (at_low, at_high) = (members(low), members(high));
            for (l, h) in at_low.iter().zip(&at_high) {
                prop_assert!(h.is_subset(l));
            }
        }
    }
}
