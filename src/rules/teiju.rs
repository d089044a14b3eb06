//! 定住自立圏 (定住自立圏構想推進要綱, 総務省 平成20年12月26日 総行応第39号), implemented from
//! 総務省's summary「定住自立圏構想推進要綱の概要」 as quoted verbatim in
//! `shared/data/jp/rules/README.md` §7 (the 要綱 itself could not be read; its clause numbers
//! are therefore not cited). Readings this engine had to choose are marked *reading*; see
//! `docs/research/issue13-schemes.md` for what each public summary says.
//!
//! 中心市, all of:
//! - **t1 population** 「5万人程度以上（少なくとも4万人超）」: population > 40,000
//!   (`--teiju-min-population`), the hard floor of the summary; a city between 40,001 and
//!   49,999 passes with a note (the 5万人程度 is a guide, not a test).
//! - **t2 昼夜間人口比率** 「1以上」: daytime ≥ (1 − T) × night, decided on integers, with
//!   `--teiju-dn-tolerance` T = 0.01 by default (*reading*): the same 「1以上」 as 連携中枢都市圏's
//!   pair clause, which takes 0.01 because the ratio computed from table 6-1 (no 不詳補完値) differs
//!   from the official one by about that much; 0 for the strict reading. Give official ratios
//!   with `--day-night` to decide exactly. The exception for a 合併市 (「人口最大の旧市の値が1以上」) needs the
//!   ratio of a former municipality, which the 2020 census does not publish: such a city is
//!   judged on its whole ratio and the limitation is stated in clauses.csv.
//! - **t3 三大都市圏** 「原則として三大都市圏の区域外」: outside the 三大都市圏 of the metro table,
//!   or inside with its share to that metro's 指定都市 and 特別区 below `--metro-threshold`
//!   (*reading*: the exception 連携中枢都市圏's 要綱第3 states in these words; the 先行実施 中心市
//!   秩父市, 美濃加茂市 and 彦根市 lie inside the legal 三大都市圏 and are centres).
//! - a 市 (the 要綱 speaks of 中心市; 町村 and Tokyo's 特別区 are not evaluated).
//!
//! 複眼型中心市 (two cities together): the summary reads 「隣接する2つの市（それぞれ昼夜間人口
//! 比率要件及び地域要件を満たすもの）…」 and is cut there in every copy found, with 「少なくとも
//! 4万人超」 for the pair. Implemented, all of: two adjacent 市; each meets t2 and t3; together
//! more than 40,000; and two *readings*:
//! - each fails t1 alone. Two cities that each qualify (松江市 and 米子市, a 先行実施 pair) are
//!   centres on their own; pairing them is their choice, and their areas and overlap are shown
//!   as two single centres;
//! - one city sends at least `--teiju-pair-link` (default 0.1, the scheme's own measure of a
//!   close relation) of its commuters to the other: adjacency alone pairs cities across
//!   mountain ranges with no commuting between them (黒部市 and 大町市: 0.0001). The 先行実施
//!   pair 宿毛市–四万十市 meets it (宿毛市 → 四万十市 0.128).
//!
//! A city is in at most one pair: admissible pairs are taken in decreasing mutual share
//! (persons between the two over their resident commuters together, exact), then by code
//! (*reading*, as for 連携中枢都市圏).
//!
//! 近隣市町村: 「通勤通学10%圏等の要素も考慮して、関係市町村において判断」 — the 10 % rule is a factor,
//! not a test, and the areas are formed by 1-to-1 agreements. The candidate area is every
//! municipality whose 通勤通学割合 to the centre (to both cities together for a pair) meets
//! `--threshold` (default 0.1), decided on integers; a municipality may be in two areas, as
//! under 連携中枢都市圏. No second tier.

use super::renkei::{is_city, metro_share_of, ratio_of, threshold_text};
use super::scheme::{CentreRecord, Criterion, MethodStep, Outcome, Scheme};
use super::{Centre, DayNightTable, MetroAreas, RatioSource};
use crate::areas::centred_areas;
use crate::matrix::Threshold;
use crate::region::Region;

/// Rule text of a single 中心市.
pub const RULE_TEIJU_CENTRE: &str =
    "定住自立圏 中心市 (population > floor, 昼夜間人口比率 ≥ 1, outside the 三大都市圏)";
/// Rule text of each city of a 複眼型中心市.
pub const RULE_TEIJU_PAIR: &str =
    "複眼型中心市: adjacent cities, each ratio ≥ 1, together above the floor";
/// Rule text of a 近隣市町村.
pub const RULE_TEIJU_MEMBER: &str = "通勤通学割合 to the 中心市 ≥ threshold (通勤通学10%圏)";

/// Parameters of the 定住自立圏 rules.
#[derive(Clone, Debug)]
pub struct Teiju {
    /// t1: a 中心市 has more than this population (default 40,000: 「少なくとも4万人超」); a pair
    /// together too.
    pub min_population: u64,
    /// The guide population reported beside t1 (50,000: 「5万人程度以上」).
    pub guide_population: u64,
    /// Member threshold (default 0.1).
    pub threshold: Threshold,
    /// The 三大都市圏 table (t3).
    pub metro: MetroAreas,
    /// t3's exception: share to the metro's designated cities and special wards below this.
    pub metro_threshold: Threshold,
    /// Official day/night ratios replacing the computed ones.
    pub day_night: Option<DayNightTable>,
    /// t2 passes at a ratio ≥ 1 − this (default 0.01).
    pub dn_tolerance: Threshold,
    /// A 複眼型 pair needs one city to send at least this share to the other (default 0.1).
    pub pair_link: Threshold,
}

impl Teiju {
    /// The published defaults with the given metro table.
    pub fn new(metro: MetroAreas) -> Self {
        Teiju {
            min_population: 40_000,
            guide_population: 50_000,
            threshold: Threshold::TENTH,
            metro,
            metro_threshold: Threshold::TENTH,
            day_night: None,
            dn_tolerance: Threshold::new(1, 100).expect("valid"),
            pair_link: Threshold::TENTH,
        }
    }
}

/// One evaluated city.
#[derive(Clone, Debug, PartialEq)]
struct Evaluation {
    unit: usize,
    population: Option<u64>,
    t1: bool,
    t2: bool,
    t3: bool,
    record: CentreRecord,
}

fn evaluate(region: &Region, p: &Teiju, i: usize) -> Evaluation {
    let population = region.population[i];
    let t1 = population.is_some_and(|n| n > p.min_population);
    let (ratio, source) = ratio_of(region, p.day_night.as_ref(), i);
    let (tn, td) = p.dn_tolerance.parts();
    let t2 = ratio.is_some_and(|(d, n)| n > 0 && d * i128::from(td) >= i128::from(td - tn) * n);
    let metro = metro_share_of(region, &p.metro, i);
    let t3 = metro.is_none_or(|(_, persons, d)| !p.metro_threshold.is_met(persons, d));
    let criteria = vec![
        Criterion {
            id: "t1_population",
            flag: "t1_population_met",
            value: population.map_or("unknown".to_string(), |n| n.to_string()),
            met: t1,
        },
        Criterion {
            id: "t2_day_night",
            flag: "t2_day_night_met",
            value: match ratio {
                Some((d, n)) => match &source {
                    RatioSource::Computed => format!("{:.4} ({d}/{n})", d as f64 / n as f64),
                    RatioSource::File(f) => format!("{:.4} ({d}/{n}, {f})", d as f64 / n as f64),
                },
                None => "unknown".to_string(),
            },
            met: t2,
        },
        Criterion {
            id: "t3_metro",
            flag: "t3_metro_met",
            value: match metro {
                None => "outside the 三大都市圏".to_string(),
                Some((k, persons, d)) => format!(
                    "{}: {:.4} ({persons}/{d}) to its designated cities and special wards",
                    p.metro.name(k),
                    persons as f64 / d as f64
                ),
            },
            met: t3,
        },
    ];
    let mut notes = Vec::new();
    if t1 && population.is_some_and(|n| n < p.guide_population) {
        notes.push(format!(
            "population above {} but below the guide 「5万人程度以上」 ({})",
            p.min_population, p.guide_population
        ));
    }
    if t2 && ratio.is_some_and(|(d, n)| d < n) {
        notes.push(format!(
            "ratio below 1, passing only with the tolerance {}",
            threshold_text(p.dn_tolerance)
        ));
    }
    let note = notes.join("; ");
    Evaluation {
        unit: i,
        population,
        t1,
        t2,
        t3,
        record: CentreRecord {
            unit: i,
            failed: criteria.iter().filter(|c| !c.met).map(|c| c.id).collect(),
            criteria,
            role: "not a centre",
            note,
        },
    }
}

/// Mutual share of a pair as an exact fraction: persons between them / their resident
/// commuters together.
fn mutual(region: &Region, a: usize, b: usize) -> (u64, u64) {
    (
        region.persons_to(a, &[b]) + region.persons_to(b, &[a]),
        region.denominator(a) + region.denominator(b),
    )
}

/// The 中心市 and 複眼型中心市 with every evaluated city's record.
pub fn teiju_centres(region: &Region, p: &Teiju) -> (Vec<Centre>, Vec<CentreRecord>) {
    let mut evals: Vec<Evaluation> = (0..region.len())
        .filter(|&i| is_city(region.kinds[i]))
        .map(|i| evaluate(region, p, i))
        .collect();
    let mut centres: Vec<Centre> = Vec::new();
    for e in evals.iter_mut().filter(|e| e.t1 && e.t2 && e.t3) {
        e.record.role = "centre";
        centres.push(Centre {
            units: vec![e.unit],
        });
    }
    // 複眼型: adjacent cities meeting t2 and t3 but not t1, together above the floor.
    let alone: Vec<usize> = (0..evals.len())
        .filter(|&k| evals[k].t2 && evals[k].t3 && !evals[k].t1)
        .collect();
    #[allow(clippy::type_complexity)]
    let mut pairs: Vec<(usize, usize, (u64, u64), (usize, usize, u64, u64))> = Vec::new();
    for (x, &ka) in alone.iter().enumerate() {
        for &kb in &alone[x + 1..] {
            let (a, b) = (evals[ka].unit, evals[kb].unit);
            let combined = evals[ka].population.unwrap_or(0) + evals[kb].population.unwrap_or(0);
            // The stronger direction of the link, as (from, to, persons, denominator).
            let ab = (a, b, region.persons_to(a, &[b]), region.denominator(a));
            let ba = (b, a, region.persons_to(b, &[a]), region.denominator(b));
            let link = if u128::from(ab.2) * u128::from(ba.3.max(1))
                >= u128::from(ba.2) * u128::from(ab.3.max(1))
            {
                ab
            } else {
                ba
            };
            let linked = p.pair_link.is_met(link.2, link.3);
            if combined > p.min_population && linked && region.adjacency.are_adjacent(a, b) {
                pairs.push((ka, kb, mutual(region, a, b), link));
            }
        }
    }
    // Decreasing mutual share (exact cross-multiplication), then by code.
    pairs.sort_by(|x, y| {
        let (xn, xd) = x.2;
        let (yn, yd) = y.2;
        (u128::from(yn) * u128::from(xd))
            .cmp(&(u128::from(xn) * u128::from(yd)))
            .then((evals[x.0].unit, evals[x.1].unit).cmp(&(evals[y.0].unit, evals[y.1].unit)))
    });
    let mut paired = vec![false; evals.len()];
    for (ka, kb, (n, d), (from, to, lp, ld)) in pairs {
        let (a, b) = (evals[ka].unit, evals[kb].unit);
        if paired[ka] || paired[kb] {
            for (k, other) in [(ka, b), (kb, a)] {
                if !paired[k] && evals[k].record.note.is_empty() {
                    evals[k].record.note = format!(
                        "could pair with {} but that city is in a pair with a larger mutual share",
                        region.label(other)
                    );
                }
            }
            continue;
        }
        paired[ka] = true;
        paired[kb] = true;
        for (k, other) in [(ka, b), (kb, a)] {
            evals[k].record.role = "joint centre";
            evals[k].record.note = format!(
                "複眼型中心市 with {} (together {}; link: {} sends {:.4} ({lp}/{ld}) of its commuters to {}, ≥ {}; between the two {:.4} of their commuters together)",
                region.label(other),
                evals[ka].population.unwrap_or(0) + evals[kb].population.unwrap_or(0),
                region.names[from],
                lp as f64 / ld as f64,
                region.names[to],
                threshold_text(p.pair_link),
                n as f64 / d as f64
            );
        }
        centres.push(Centre {
            units: vec![a.min(b), a.max(b)],
        });
    }
    centres.sort_by_key(|c| c.units.clone());
    (centres, evals.into_iter().map(|e| e.record).collect())
}

impl Scheme for Teiju {
    fn id(&self) -> &'static str {
        "teiju"
    }
    fn name_ja(&self) -> &'static str {
        "定住自立圏"
    }
    fn allows_overlaps(&self) -> bool {
        true
    }
    fn area_type(&self, _region: &Region, area: &crate::areas::Area) -> String {
        if area.centre.is_pair() {
            "pair (複眼型中心市)"
        } else {
            "single"
        }
        .to_string()
    }

    fn delineate(&self, region: &Region) -> Outcome {
        let (centres, records) = teiju_centres(region, self);
        let mut areas = centred_areas(
            region,
            &centres,
            self.threshold,
            [RULE_TEIJU_CENTRE, RULE_TEIJU_PAIR],
            RULE_TEIJU_MEMBER,
        );
        for a in &mut areas {
            a.set_contiguity(region);
        }
        let step = |id, implements: &str, value_used: String| MethodStep {
            id,
            implements: implements.to_string(),
            value_used,
        };
        let method = vec![
            step(
                "t1_population",
                "定住自立圏構想推進要綱の概要 (総務省): 中心市 人口5万人程度以上（少なくとも4万人超）",
                format!(
                    "population > {} (notes below {})",
                    self.min_population, self.guide_population
                ),
            ),
            step(
                "t2_day_night",
                "同: 昼夜間人口比率1以上（合併市は人口最大の旧市の値が1以上でもよい）",
                format!(
                    "daytime ≥ (1 − {}) × night on integers (reading: the computed ratio differs from the official by about 1 %); the 合併市 exception cannot be judged (no 2020 figures for former municipalities)",
                    threshold_text(self.dn_tolerance)
                ),
            ),
            step(
                "t3_metro",
                "同: 原則として三大都市圏の区域外",
                format!(
                    "outside, or inside with share to the metro's 指定都市・特別区 < {} (reading: 連携中枢都市圏 要綱第3's exception)",
                    threshold_text(self.metro_threshold)
                ),
            ),
            step(
                "t_pair",
                "同: 複眼型中心市 (two adjacent cities, each ratio ≥ 1, together > 4万)",
                format!(
                    "each fails t1 alone; one sends ≥ {} of its commuters to the other (reading); one pair per city by mutual share",
                    threshold_text(self.pair_link)
                ),
            ),
            step(
                "t_member",
                "同: 近隣市町村 — 通勤通学10%圏等の要素も考慮して関係市町村において判断 (a factor, not a test)",
                format!(
                    "share to the centre ≥ {}; a municipality may be in two areas",
                    threshold_text(self.threshold)
                ),
            ),
        ];
        Outcome {
            records,
            areas,
            method,
            renkei: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::areas::Tier;
    use crate::matrix::MetricsParams;
    use crate::registry::{Kind, MuniCode};

    /// P a 中心市 (45,000; 20 % of U's commuters come to it); Q (30,000) and R (15,000)
    /// adjacent, each ratio ≥ 1, together 45,000, Q sends 12 % to R: a 複眼型 pair, whose area
    /// takes the town S through both cities together (6 % + 5 %); T (30,000, ratio exactly 1)
    /// borders R but sends it no one: no pair; U (50,000) has ratio 49,400 / 50,000, below the
    /// 0.99 the default tolerance allows.
    fn fixture() -> Region {
        let names = [
            ("P", Kind::City),
            ("Q", Kind::City),
            ("R", Kind::City),
            ("S", Kind::Town),
            ("T", Kind::City),
            ("U", Kind::City),
        ];
        let units: Vec<(MuniCode, &str, Kind)> = names
            .iter()
            .enumerate()
            .map(|(i, (n, k))| {
                (
                    MuniCode::parse(&(98201 + i as u32).to_string()).unwrap(),
                    *n,
                    *k,
                )
            })
            .collect();
        let (p, q, r, s, t, u) = (0, 1, 2, 3, 4, 5);
        let flows = vec![
            (p, p, 1000),
            (q, r, 120),
            (q, q, 880),
            (r, q, 100),
            (r, r, 900),
            (s, q, 60),
            (s, r, 50),
            (s, s, 890),
            (t, t, 1000),
            (u, p, 600),
            (u, u, 400),
        ];
        Region::from_flows(
            &units,
            &[
                Some(45_000),
                Some(30_000),
                Some(15_000),
                Some(5_000),
                Some(30_000),
                Some(50_000),
            ],
            &flows,
            &[(q, r), (r, t), (r, s)],
            MetricsParams::default(),
        )
    }

    fn scheme() -> Teiju {
        Teiju::new(MetroAreas::from_rows(&[], "none"))
    }

    #[test]
    fn a_joint_centre_needs_adjacency_a_link_and_the_floor_together() {
        let region = fixture();
        let (centres, records) = teiju_centres(&region, &scheme());
        let units: Vec<Vec<usize>> = centres.iter().map(|c| c.units.clone()).collect();
        assert_eq!(units, vec![vec![0], vec![1, 2]]);
        let role = |u: usize| records.iter().find(|r| r.unit == u).unwrap().role;
        assert_eq!(
            [role(0), role(1), role(2), role(4), role(5)],
            [
                "centre",
                "joint centre",
                "joint centre",
                "not a centre",
                "not a centre"
            ]
        );
        assert!(
            records.iter().all(|r| r.unit != 3),
            "a town is not evaluated"
        );
        let u = records.iter().find(|r| r.unit == 5).unwrap();
        assert_eq!(u.failed, vec!["t2_day_night"]);
        assert!(u.criteria[1].value.starts_with("0.9880 (49400/50000"));
    }

    #[test]
    fn members_count_commuters_to_both_cities_of_a_pair() {
        let region = fixture();
        let out = scheme().delineate(&region);
        let members = |k: usize| -> Vec<(usize, u64)> {
            out.areas[k]
                .members
                .iter()
                .filter(|m| m.tier == Tier::One)
                .map(|m| (m.unit, m.persons))
                .collect()
        };
        assert_eq!(members(0), vec![(5, 600)]);
        assert_eq!(members(1), vec![(3, 110)], "S: 60 + 50 of 1,000");
    }

    #[test]
    fn the_floor_is_strict_and_the_link_can_be_dropped() {
        let region = fixture();
        let mut p = scheme();
        // 45,000 is not more than 45,000: P stops being a centre, and Q + R no longer exceed it.
        p.min_population = 45_000;
        let (centres, _) = teiju_centres(&region, &p);
        assert!(centres.is_empty(), "{centres:?}");
        // With a tolerance of 0.02, U's 0.988 passes t2 and U (50,000) is a centre.
        let mut p = scheme();
        p.dn_tolerance = Threshold::new(2, 100).unwrap();
        let (centres, records) = teiju_centres(&region, &p);
        assert!(centres.iter().any(|c| c.units == vec![5]), "{centres:?}");
        let u = records.iter().find(|r| r.unit == 5).unwrap();
        assert!(
            u.note.contains("passing only with the tolerance 0.02"),
            "{}",
            u.note
        );
        // Without the commuting link, R pairs with Q (mutual 220 / 2,000) before T (0).
        let mut p = scheme();
        p.pair_link = Threshold::new(0, 1).unwrap();
        let (centres, records) = teiju_centres(&region, &p);
        assert_eq!(centres.len(), 2);
        let t = records.iter().find(|r| r.unit == 4).unwrap();
        assert!(t.note.contains("larger mutual share"), "{}", t.note);
    }
}
