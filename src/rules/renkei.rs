//! 連携中枢都市圏: central-city eligibility (one criterion at a time, each recorded with its
//! value) and the two-centre (複眼型) pair rule.
//!
//! Criteria (連携中枢都市圏構想推進要綱), for a city:
//! 1. designated city or core city (中核市 on the census date);
//! 2. population ≥ 200,000;
//! 3. day/night ratio おおむね 1 or more: `daytime ≥ (1 − tolerance) × population`, decided on
//!    integers; the default tolerance is 0.02, the smallest round value under which every
//!    declared Chūgoku–Shikoku centre passes with this OD (lowest: 下関市 0.9862);
//! 4. outside the three big metropolitan areas, or inside with its share to their designated
//!    cities and special wards below 0.1.
//!
//! Pair (複眼型): two adjacent cities, each with population ≥ 100,000 ("10万程度以上"),
//! criteria 3 and 4, together ≥ 200,000, and neither eligible alone (a city that qualifies
//! on its own is a single centre; pairing it would only duplicate its area).

use super::MetroAreas;
use crate::matrix::Threshold;
use crate::region::Region;
use crate::registry::Kind;

/// Parameters of the 連携中枢都市圏 rules. Defaults are documented on each setter.
#[derive(Clone, Debug)]
pub struct RenkeiParams {
    threshold: Threshold,
    dn_tolerance: Threshold,
    min_population: u64,
    pair_min_population: u64,
    tier2_floor: Threshold,
    metro: MetroAreas,
}

impl RenkeiParams {
    /// Defaults with the given metro table.
    pub fn new(metro: MetroAreas) -> Self {
        RenkeiParams {
            threshold: Threshold::TENTH,
            dn_tolerance: Threshold::new(2, 100).expect("valid"),
            min_population: 200_000,
            pair_min_population: 100_000,
            tier2_floor: Threshold::new(5, 100).expect("valid"),
            metro,
        }
    }

    /// Member threshold on the commuting share (default 0.1), also used for the metro test.
    pub fn threshold(mut self, t: Threshold) -> Self {
        self.threshold = t;
        self
    }

    /// Day/night ratio tolerance (default 0.02: ratio ≥ 0.98 passes).
    pub fn dn_tolerance(mut self, t: Threshold) -> Self {
        self.dn_tolerance = t;
        self
    }

    /// Minimum population of a single centre (default 200,000).
    pub fn min_population(mut self, p: u64) -> Self {
        self.min_population = p;
        self
    }

    /// Minimum population of each city of a pair (default 100,000).
    pub fn pair_min_population(mut self, p: u64) -> Self {
        self.pair_min_population = p;
        self
    }

    /// Lowest share for a tier-2 member (default 0.05).
    pub fn tier2_floor(mut self, t: Threshold) -> Self {
        self.tier2_floor = t;
        self
    }

    /// The member threshold.
    pub fn get_threshold(&self) -> Threshold {
        self.threshold
    }

    /// The tier-2 floor.
    pub fn get_tier2_floor(&self) -> Threshold {
        self.tier2_floor
    }

    /// The metro table.
    pub fn metro(&self) -> &MetroAreas {
        &self.metro
    }

    /// The day/night tolerance.
    pub fn get_dn_tolerance(&self) -> Threshold {
        self.dn_tolerance
    }
}

/// Every criterion of one city, with its value.
#[derive(Clone, Debug, PartialEq)]
pub struct CentreEvaluation {
    /// Unit index.
    pub unit: usize,
    /// Criterion 1.
    pub designated_or_core: bool,
    /// Population (criterion 2 value).
    pub population: Option<u64>,
    /// Criterion 2.
    pub population_ok: bool,
    /// Daytime population.
    pub daytime: Option<i64>,
    /// Day/night ratio (criterion 3 value).
    pub day_night_ratio: Option<f64>,
    /// Criterion 3 (with tolerance).
    pub ratio_ok: bool,
    /// Ratio passes only thanks to the tolerance, or fails by less than 0.02.
    pub ratio_near_miss: bool,
    /// Metro the city lies in.
    pub metro: Option<String>,
    /// Persons to the metro's designated cities and special wards, and the denominator.
    pub metro_share: Option<(u64, u64)>,
    /// Criterion 4.
    pub metro_ok: bool,
    /// All four criteria.
    pub eligible: bool,
}

impl CentreEvaluation {
    /// The criteria that fail, each with the value and how far off it is.
    pub fn failures(&self, params: &RenkeiParams) -> Vec<String> {
        let mut out = Vec::new();
        if !self.designated_or_core {
            out.push("not a designated or core city".to_string());
        }
        match self.population {
            None => out.push("population missing".to_string()),
            Some(p) if !self.population_ok => out.push(format!(
                "population {p} < {} (short by {})",
                params.min_population,
                params.min_population - p
            )),
            _ => {}
        }
        if !self.ratio_ok {
            let floor = 1.0 - tolerance_f64(params.dn_tolerance);
            match self.day_night_ratio {
                Some(r) => out.push(format!(
                    "day/night ratio {r:.4} < {floor:.4} (short by {:.4})",
                    floor - r
                )),
                None => out.push("day/night ratio missing".to_string()),
            }
        }
        if !self.metro_ok {
            if let (Some(m), Some((p, d))) = (&self.metro, self.metro_share) {
                out.push(format!("in {m} with share {:.4} ({p}/{d}) ≥ {} to its designated cities and special wards", p as f64 / d as f64, threshold_text(params.threshold)));
            }
        }
        out
    }
}

/// The 複眼型 criteria that a pair of cities fails, each with its value: both cities with
/// population ≥ the pair minimum, criteria 3 and 4 each, adjacent, together ≥ the single-centre
/// minimum. `a` and `b` are the evaluations of the two cities (`None` for a unit that was not
/// evaluated: not a city, or too small).
pub fn pair_failures(
    region: &Region,
    a: (usize, Option<&CentreEvaluation>),
    b: (usize, Option<&CentreEvaluation>),
    params: &RenkeiParams,
) -> Vec<String> {
    let mut out = Vec::new();
    for (u, e) in [a, b] {
        let label = region.label(u);
        match e {
            None => out.push(format!(
                "{label}: not a city with population ≥ {}",
                params.pair_min_population
            )),
            Some(e) => {
                let own: Vec<String> = e
                    .failures(params)
                    .into_iter()
                    .filter(|f| !f.starts_with("not a designated") && !f.starts_with("population "))
                    .collect();
                for f in own {
                    out.push(format!("{label}: {f}"));
                }
                if let Some(p) = e.population.filter(|&p| p < params.pair_min_population) {
                    out.push(format!(
                        "{label}: population {p} < {}",
                        params.pair_min_population
                    ));
                }
            }
        }
    }
    if !region.adjacency.are_adjacent(a.0, b.0) {
        out.push(format!(
            "{} and {} do not border each other",
            region.label(a.0),
            region.label(b.0)
        ));
    }
    let total: Option<u64> = [a.0, b.0].iter().map(|&u| region.population[u]).sum();
    match total {
        Some(t) if t < params.min_population => out.push(format!(
            "combined population {t} < {}",
            params.min_population
        )),
        None => out.push("combined population missing".to_string()),
        _ => {}
    }
    out
}

fn tolerance_f64(t: Threshold) -> f64 {
    let (n, d) = t.parts();
    n as f64 / d as f64
}

/// `1/10` as `0.1`.
pub fn threshold_text(t: Threshold) -> String {
    let (n, d) = t.parts();
    let v = n as f64 / d as f64;
    format!("{v}")
}

/// A central city, or a pair of cities (複眼型), of one candidate area.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Centre {
    /// Unit indices: one, or two for a pair (ascending).
    pub units: Vec<usize>,
}

impl Centre {
    /// Area id: `C` + the centre code(s) joined by `+`.
    pub fn id(&self, region: &Region) -> String {
        let codes: Vec<String> = self
            .units
            .iter()
            .map(|&u| region.code(u).to_string())
            .collect();
        format!("C{}", codes.join("+"))
    }

    /// Whether this is a two-centre area.
    pub fn is_pair(&self) -> bool {
        self.units.len() == 2
    }
}

/// Evaluates every criterion for each city that could be a centre or half of a pair:
/// designated and core cities, and every other city with population ≥ the pair minimum.
pub fn evaluate_centres(region: &Region, params: &RenkeiParams) -> Vec<CentreEvaluation> {
    let (tn, td) = params.dn_tolerance.parts();
    let mut out = Vec::new();
    for i in 0..region.len() {
        let kind = region.kinds[i];
        let designated_or_core = matches!(kind, Kind::DesignatedCity | Kind::CoreCity);
        let is_city = designated_or_core || kind == Kind::City;
        let population = region.population[i];
        if !is_city
            || (!designated_or_core && population.is_none_or(|p| p < params.pair_min_population))
        {
            continue;
        }
        let daytime = region.metrics.daytime[i];
        let ratio_at = |num: u64, den: u64| match (daytime, population) {
            // daytime / population ≥ num / den, on integers.
            (Some(day), Some(night)) if night > 0 => {
                i128::from(day) * i128::from(den) >= i128::from(num) * i128::from(night)
            }
            _ => false,
        };
        let ratio_ok = ratio_at(td - tn, td);
        let at_one = ratio_at(1, 1);
        let near_floor = ratio_at(td.saturating_sub(tn + 2 * td / 100), td);
        let ratio_near_miss = (ratio_ok && !at_one) || (!ratio_ok && near_floor);
        let metro_k = params.metro.metro_of(region.code(i));
        let metro_share = metro_k.map(|k| {
            let cores: Vec<usize> = params
                .metro
                .cores(k)
                .iter()
                .filter_map(|&c| region.index_of(c))
                .filter(|&c| c != i)
                .collect();
            (region.persons_to(i, &cores), region.denominator(i))
        });
        let metro_ok = metro_share.is_none_or(|(p, d)| !params.threshold.is_met(p, d));
        let population_ok = population.is_some_and(|p| p >= params.min_population);
        out.push(CentreEvaluation {
            unit: i,
            designated_or_core,
            population,
            population_ok,
            daytime,
            day_night_ratio: region.metrics.day_night_ratio[i],
            ratio_ok,
            ratio_near_miss,
            metro: metro_k.map(|k| params.metro.name(k).to_string()),
            metro_share,
            metro_ok,
            eligible: designated_or_core && population_ok && ratio_ok && metro_ok,
        });
    }
    out
}

/// Single centres (every eligible city) and pairs (複眼型), in code order, pairs after the
/// single centres.
pub fn find_centres(
    region: &Region,
    evaluations: &[CentreEvaluation],
    params: &RenkeiParams,
) -> Vec<Centre> {
    let mut centres: Vec<Centre> = evaluations
        .iter()
        .filter(|e| e.eligible)
        .map(|e| Centre {
            units: vec![e.unit],
        })
        .collect();
    let by_unit: std::collections::HashMap<usize, &CentreEvaluation> =
        evaluations.iter().map(|e| (e.unit, e)).collect();
    let pair_ok = |e: &CentreEvaluation| {
        e.ratio_ok
            && e.metro_ok
            && e.population
                .is_some_and(|p| p >= params.pair_min_population)
    };
    for e in evaluations.iter().filter(|e| pair_ok(e)) {
        for &j in region.adjacency.neighbours(e.unit) {
            let j = j as usize;
            let Some(f) = by_unit.get(&j) else { continue };
            if j <= e.unit || !pair_ok(f) || e.eligible || f.eligible {
                continue;
            }
            let total = e.population.unwrap_or(0) + f.population.unwrap_or(0);
            if total >= params.min_population {
                centres.push(Centre {
                    units: vec![e.unit, j],
                });
            }
        }
    }
    centres
}
