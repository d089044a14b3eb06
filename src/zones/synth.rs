//! A synthetic zone OD for benchmarking at 10^5–10^6 zones and 10^7–10^8 flows, driven by real
//! geography and calibrated on the real 2020 census OD.
//!
//! The model (production-constrained gravity, two levels):
//! 1. **Zones.** Every municipality with a population and an office location gets one zone
//!    plus a share of the rest in proportion to its population (largest remainder). A zone
//!    lies in a disc around the office, of radius half the distance to the nearest other
//!    office (at least 1 km); its population weight is `Exp(1) · exp(−2r/R)`, denser near the
//!    office, and the municipality's population is split by these weights.
//! 2. **Workers.** `workers = population × commuters-per-population` of the real census,
//!    every count scaled by `scale` when the flows asked for need more persons than Japan has
//!    (a flow carries at least one person): then counts are person-trips, as in a
//!    mobile-phone OD.
//! 3. **Destinations.** Each origin zone has `flows / zones` destinations (±1): itself, a share
//!    `stay_m` of the rest drawn from its own municipality (by zone population), and the
//!    others from other municipalities drawn by gravity `population × exp(−d/β)` among the
//!    150 nearest offices, then a zone in that municipality by population. Draws are
//!    distinct.
//! 4. **Persons.** `stay_m`, the real share of the municipality's commuters who stay in it,
//!    goes to the home municipality (half of it to the zone itself), the rest to the other
//!    municipalities; within each part persons are split by `Exp(1)` weights, at least one
//!    each (largest remainder).
//! 5. **Calibration.** β is set by bisection so that the model's mean office-to-office
//!    distance of out-of-municipality commuting equals the census's.
//!
//! Every origin draws from its own random stream (SplitMix64 seeded by seed and zone), so
//! the output depends on the seed only, not on threads or blocks.

use std::f64::consts::PI;
use std::ops::Range;

use rayon::prelude::*;

use crate::dataset::Dataset;

/// Neighbouring municipalities a commuter may go to.
pub const NEIGHBOURS: usize = 150;

/// SplitMix64: small, fast, and good enough for a synthetic benchmark.
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    /// A stream for `(seed, stream)`.
    pub fn new(seed: u64, stream: u64) -> Self {
        let mut r = Rng(seed ^ stream.wrapping_mul(0x9E37_79B9_7F4A_7C15));
        r.next_u64();
        r
    }

    /// Next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `[0, 1)`.
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// Exponential with mean 1.
    pub fn exp1(&mut self) -> f64 {
        -(1.0 - self.unit()).ln()
    }
}

pub use crate::geometry::distance_km;

/// One municipality of the real geography.
#[derive(Clone, Debug, PartialEq)]
pub struct Place {
    /// 5-digit code.
    pub code: String,
    /// Office (lat, lng).
    pub office: (f64, f64),
    /// Resident population.
    pub population: u64,
    /// Share of its commuters (known destinations) who stay in it.
    pub stay_share: f64,
    /// Commuters to other municipalities (known destinations).
    pub away: u64,
}

/// Statistics of the real census OD the generator is calibrated on.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct RealStats {
    /// Municipalities used (population and office known).
    pub places: usize,
    /// Municipalities left out (no population, no office or no OD row).
    pub left_out: usize,
    /// Resident commuters (all destinations) / population.
    pub commuters_per_population: f64,
    /// Persons-weighted share of commuters staying in their municipality (known destinations).
    pub stay_share: f64,
    /// Median of the municipalities' stay shares.
    pub stay_share_median: f64,
    /// Mean destinations (stored cells) per origin municipality.
    pub flows_per_origin_mean: f64,
    /// Median destinations per origin municipality.
    pub flows_per_origin_median: f64,
    /// Persons-weighted mean office-to-office distance of commuting to another municipality.
    pub away_km_mean: f64,
}

/// The real geography and its statistics, read from a municipality-level dataset.
pub fn real_geography(ds: &Dataset) -> (Vec<Place>, RealStats) {
    let m = &ds.matrix;
    let codes = ds.units.codes();
    let office = |i: usize| ds.registry.get(codes[i]).and_then(|e| e.office);
    let mut places = Vec::new();
    let mut left_out = 0;
    let (mut pop_all, mut commuters_all) = (0u64, 0u64);
    let (mut stay_all, mut known_all) = (0u64, 0u64);
    let (mut away_km, mut away_persons) = (0.0f64, 0u64);
    let mut stay_shares = Vec::new();
    let mut row_lengths = Vec::new();
    for (i, code) in codes.iter().enumerate() {
        let (Some(pop), Some(at)) = (ds.population[i], office(i)) else {
            left_out += 1;
            continue;
        };
        if !m.has_data(i) || pop == 0 {
            left_out += 1;
            continue;
        }
        let (dest, persons) = m.row(i);
        let known: u64 = persons.iter().map(|&p| u64::from(p)).sum();
        let stay = u64::from(m.get(i, i));
        if known == 0 {
            left_out += 1;
            continue;
        }
        for (&d, &p) in dest.iter().zip(persons) {
            if d as usize != i {
                if let Some(to) = office(d as usize) {
                    away_km += f64::from(p) * distance_km(at, to);
                    away_persons += u64::from(p);
                }
            }
        }
        pop_all += pop;
        commuters_all += m.total(i);
        stay_all += stay;
        known_all += known;
        stay_shares.push(stay as f64 / known as f64);
        row_lengths.push(dest.len() as f64);
        places.push(Place {
            code: code.to_string(),
            office: at,
            population: pop,
            stay_share: stay as f64 / known as f64,
            away: known - stay,
        });
    }
    let stats = RealStats {
        places: places.len(),
        left_out,
        commuters_per_population: commuters_all as f64 / pop_all as f64,
        stay_share: stay_all as f64 / known_all as f64,
        stay_share_median: median(&mut stay_shares),
        flows_per_origin_mean: row_lengths.iter().sum::<f64>() / row_lengths.len() as f64,
        flows_per_origin_median: median(&mut row_lengths),
        away_km_mean: away_km / away_persons as f64,
    };
    (places, stats)
}

fn median(v: &mut [f64]) -> f64 {
    if v.is_empty() {
        return f64::NAN;
    }
    v.sort_by(f64::total_cmp);
    let k = v.len() / 2;
    if v.len() % 2 == 1 {
        v[k]
    } else {
        (v[k - 1] + v[k]) / 2.0
    }
}

/// What to generate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SynthParams {
    /// Number of zones.
    pub zones: usize,
    /// Number of flows (rows of the OD).
    pub flows: usize,
    /// Random seed.
    pub seed: u64,
}

/// A request the real geography cannot satisfy.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SynthError {
    /// Fewer zones than municipalities.
    #[error("--zones {zones}: at least one zone per municipality is needed ({places})")]
    TooFewZones {
        /// Asked.
        zones: usize,
        /// Municipalities.
        places: usize,
    },
    /// More flows than origin–destination pairs, or fewer than one per zone.
    #[error("--flows {flows}: between one per zone ({zones}) and zones² ({max}) are possible")]
    BadFlowCount {
        /// Asked.
        flows: usize,
        /// Zones.
        zones: usize,
        /// zones².
        max: u128,
    },
}

/// The synthetic universe: zones, their populations and the calibrated model.
#[derive(Clone, Debug)]
pub struct Synth {
    params: SynthParams,
    /// Municipality index of every zone (zones are grouped by municipality).
    pub zone_place: Vec<u32>,
    /// Zone (lat, lng).
    pub zone_at: Vec<(f64, f64)>,
    /// Zone population (scaled).
    pub population: Vec<u64>,
    workers: Vec<u64>,
    /// First zone of each municipality (`places + 1` entries).
    place_start: Vec<usize>,
    /// Cumulative zone population weight inside each municipality (per zone, global array).
    zone_cum: Vec<f64>,
    /// Per municipality: neighbours and their cumulative gravity weights.
    neighbours: Vec<Vec<(u32, f64)>>,
    places: Vec<Place>,
    /// Distance decay in km.
    pub beta_km: f64,
    /// Every count is multiplied by this.
    pub scale: u64,
    /// Real commuters per population used.
    pub commuters_per_population: f64,
}

/// Aggregates of what was generated, to compare with [`RealStats`].
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SynthStats {
    /// Flows written.
    pub flows: u64,
    /// Persons in all flows.
    pub persons: u64,
    /// Persons whose destination is in their home municipality.
    pub home_persons: u64,
    /// Persons to another municipality.
    pub away_persons: u64,
    /// Σ persons × office distance for those.
    pub away_km: f64,
}

impl SynthStats {
    /// Adds another block's aggregates.
    pub fn add(&mut self, o: &SynthStats) {
        self.flows += o.flows;
        self.persons += o.persons;
        self.home_persons += o.home_persons;
        self.away_persons += o.away_persons;
        self.away_km += o.away_km;
    }

    /// Share of persons staying in their home municipality.
    pub fn stay_share(&self) -> f64 {
        self.home_persons as f64 / self.persons as f64
    }

    /// Mean office-to-office distance of the persons leaving their municipality.
    pub fn away_km_mean(&self) -> f64 {
        self.away_km / self.away_persons as f64
    }
}

/// One generated block of origins, in (origin, destination) order.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Block {
    /// Origins.
    pub origin: Vec<u32>,
    /// Destinations.
    pub dest: Vec<u32>,
    /// Persons.
    pub persons: Vec<u32>,
    /// What the block holds.
    pub stats: SynthStats,
}

/// Largest-remainder split of `total` into `weights.len()` parts, each at least `floor`.
fn split(total: u64, weights: &[f64], floor: u64, out: &mut Vec<u64>) {
    out.clear();
    let n = weights.len() as u64;
    debug_assert!(total >= floor * n);
    let rest = total - floor * n;
    let sum: f64 = weights.iter().sum();
    let mut given = 0u64;
    let mut fracs: Vec<(f64, usize)> = Vec::with_capacity(weights.len());
    for (k, &w) in weights.iter().enumerate() {
        let exact = if sum > 0.0 {
            rest as f64 * w / sum
        } else {
            0.0
        };
        let whole = (exact.floor() as u64).min(rest - given);
        given += whole;
        out.push(floor + whole);
        fracs.push((exact - exact.floor(), k));
    }
    let mut left = rest - given;
    fracs.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    let mut i = 0;
    while left > 0 {
        out[fracs[i % fracs.len()].1] += 1;
        left -= 1;
        i += 1;
    }
}

impl Synth {
    /// Lays out zones and calibrates the model on `places` (from [`real_geography`]).
    ///
    /// # Errors
    /// [`SynthError`] when the zone or flow count cannot be met.
    pub fn new(
        places: Vec<Place>,
        stats: &RealStats,
        params: SynthParams,
    ) -> Result<Self, SynthError> {
        let m = places.len();
        let z = params.zones;
        if z < m {
            return Err(SynthError::TooFewZones {
                zones: z,
                places: m,
            });
        }
        let max = (z as u128) * (z as u128);
        if params.flows < z || params.flows as u128 > max {
            return Err(SynthError::BadFlowCount {
                flows: params.flows,
                zones: z,
                max,
            });
        }
        let real_pop: u64 = places.iter().map(|p| p.population).sum();
        let workers_real = real_pop as f64 * stats.commuters_per_population;
        // At least eight persons per flow on average, so that shares are not all 1/n.
        let scale = ((8.0 * params.flows as f64) / workers_real).ceil().max(1.0) as u64;

        // Zones per municipality: one each, the rest by population.
        let weights: Vec<f64> = places.iter().map(|p| p.population as f64).collect();
        let mut per_place = Vec::new();
        split(z as u64, &weights, 1, &mut per_place);
        let mut place_start = Vec::with_capacity(m + 1);
        place_start.push(0);
        for &c in &per_place {
            place_start.push(place_start.last().unwrap() + c as usize);
        }
        // Disc radius: half the distance to the nearest other office, at least 1 km.
        let radius: Vec<f64> = (0..m)
            .into_par_iter()
            .map(|a| {
                let nearest = (0..m)
                    .filter(|&b| b != a)
                    .map(|b| distance_km(places[a].office, places[b].office))
                    .fold(f64::INFINITY, f64::min);
                (nearest / 2.0).max(1.0)
            })
            .collect();
        let mut zone_place = Vec::with_capacity(z);
        let mut zone_at = Vec::with_capacity(z);
        let mut population = Vec::with_capacity(z);
        let mut zone_cum = Vec::with_capacity(z);
        let mut w = Vec::new();
        let mut pops = Vec::new();
        for (pi, p) in places.iter().enumerate() {
            let count = per_place[pi] as usize;
            let mut rng = Rng::new(params.seed, (1 << 40) + pi as u64);
            w.clear();
            let (lat0, lng0) = p.office;
            for _ in 0..count {
                let r = radius[pi] * rng.unit().sqrt();
                let theta = 2.0 * PI * rng.unit();
                let dlat = r * theta.sin() / 111.2;
                let dlng = r * theta.cos() / (111.2 * lat0.to_radians().cos());
                zone_at.push((lat0 + dlat, lng0 + dlng));
                zone_place.push(pi as u32);
                w.push(rng.exp1() * (-2.0 * r / radius[pi]).exp());
            }
            split(p.population * scale, &w, 0, &mut pops);
            let mut cum = 0.0;
            for (k, &pz) in pops.iter().enumerate() {
                population.push(pz);
                cum += w[k];
                zone_cum.push(cum);
            }
        }
        // Flows per origin: flows / zones, the remainder to the first zones.
        let per = params.flows / z;
        let extra = params.flows % z;
        let mut workers = Vec::with_capacity(z);
        for (k, pop) in population.iter_mut().enumerate() {
            let f = (per + usize::from(k < extra)) as u64;
            let wk = ((*pop as f64) * stats.commuters_per_population).round() as u64;
            let wk = wk.max(f);
            *pop = (*pop).max(wk);
            workers.push(wk);
        }
        // Neighbours by distance, then β calibrated on the real mean away distance.
        let dist: Vec<Vec<(u32, f64)>> = (0..m)
            .into_par_iter()
            .map(|a| {
                let mut v: Vec<(u32, f64)> = (0..m)
                    .filter(|&b| b != a)
                    .map(|b| (b as u32, distance_km(places[a].office, places[b].office)))
                    .collect();
                let k = NEIGHBOURS.min(v.len());
                if k > 0 && k < v.len() {
                    v.select_nth_unstable_by(k - 1, |x, y| x.1.total_cmp(&y.1).then(x.0.cmp(&y.0)));
                    v.truncate(k);
                }
                v.sort_by(|x, y| x.1.total_cmp(&y.1).then(x.0.cmp(&y.0)));
                v
            })
            .collect();
        let beta_km = calibrate_beta(&places, &dist, stats.away_km_mean);
        let neighbours = dist
            .iter()
            .map(|v| {
                let mut cum = 0.0;
                v.iter()
                    .map(|&(b, d)| {
                        cum += places[b as usize].population as f64 * (-d / beta_km).exp();
                        (b, cum)
                    })
                    .collect()
            })
            .collect();
        Ok(Synth {
            params,
            zone_place,
            zone_at,
            population,
            workers,
            place_start,
            zone_cum,
            neighbours,
            places,
            beta_km,
            scale,
            commuters_per_population: stats.commuters_per_population,
        })
    }

    /// The parameters.
    pub fn params(&self) -> SynthParams {
        self.params
    }

    /// Number of zones.
    pub fn zones(&self) -> usize {
        self.population.len()
    }

    /// Municipality code of zone `z`.
    pub fn zone_code(&self, z: usize) -> &str {
        &self.places[self.zone_place[z] as usize].code
    }

    fn flows_of(&self, z: usize) -> usize {
        self.params.flows / self.zones() + usize::from(z < self.params.flows % self.zones())
    }

    /// A zone of municipality `p` drawn by population weight.
    fn zone_in(&self, p: usize, rng: &mut Rng) -> u32 {
        let r = self.place_start[p]..self.place_start[p + 1];
        let cum = &self.zone_cum[r.clone()];
        let total = *cum.last().expect("every municipality has a zone");
        let x = rng.unit() * total;
        let k = cum.partition_point(|&c| c <= x).min(cum.len() - 1);
        (r.start + k) as u32
    }

    /// A municipality other than `p` drawn by gravity.
    fn away_place(&self, p: usize, rng: &mut Rng) -> Option<usize> {
        let nb = &self.neighbours[p];
        let total = nb.last()?.1;
        let x = rng.unit() * total;
        let k = nb.partition_point(|&(_, c)| c <= x).min(nb.len() - 1);
        Some(nb[k].0 as usize)
    }

    /// Generates origin zone `z`'s row into `block`.
    fn row(&self, z: usize, block: &mut Block, scratch: &mut Scratch) {
        let mut rng = Rng::new(self.params.seed, z as u64);
        let p = self.zone_place[z] as usize;
        let place = &self.places[p];
        let f = self.flows_of(z);
        let home_zones = self.place_start[p + 1] - self.place_start[p];
        let others_total = self.zones() - home_zones;
        let want_home = (((f - 1) as f64) * place.stay_share).round() as usize;
        let n_home = want_home.min(home_zones - 1).min(f - 1);
        let n_away = (f - 1 - n_home).min(others_total);
        let n_home = f - 1 - n_away; // what away cannot take goes home
        let home = &mut scratch.home;
        let away = &mut scratch.away;
        home.clear();
        away.clear();
        draw_distinct(
            home,
            n_home,
            z as u32,
            &mut rng,
            |rng| self.zone_in(p, rng),
            || self.place_start[p] as u32..self.place_start[p + 1] as u32,
        );
        draw_distinct(
            away,
            n_away,
            u32::MAX,
            &mut rng,
            |rng| match self.away_place(p, rng) {
                Some(q) => self.zone_in(q, rng),
                None => z as u32,
            },
            || {
                let (a, b) = (self.place_start[p] as u32, self.place_start[p + 1] as u32);
                (b..self.zones() as u32).chain(0..a)
            },
        );
        // Persons: the home municipality's part first (the zone itself weighs as much as all
        // other home destinations together), then the rest.
        let w = self.workers[z];
        let f_home = 1 + home.len() as u64;
        let f_away = away.len() as u64;
        let mut h = if f_away == 0 {
            w
        } else {
            ((w as f64) * place.stay_share).round() as u64
        };
        h = h.max(f_home).min(w - f_away);
        let wts = &mut scratch.weights;
        wts.clear();
        wts.push(home.len().max(1) as f64);
        for _ in 0..home.len() {
            wts.push(rng.exp1());
        }
        let mut home_persons = Vec::new();
        split(h, wts, 1, &mut home_persons);
        wts.clear();
        for _ in 0..away.len() {
            wts.push(rng.exp1());
        }
        let mut away_persons = Vec::new();
        split(w - h, wts, 1, &mut away_persons);
        // Merge into one row sorted by destination.
        let row = &mut scratch.row;
        row.clear();
        row.push((z as u32, home_persons[0]));
        row.extend(home.iter().copied().zip(home_persons[1..].iter().copied()));
        row.extend(away.iter().copied().zip(away_persons.iter().copied()));
        row.sort_unstable_by_key(|&(d, _)| d);
        let here = place.office;
        for &(d, persons) in row.iter() {
            block.origin.push(z as u32);
            block.dest.push(d);
            block
                .persons
                .push(u32::try_from(persons).unwrap_or(u32::MAX));
            let q = self.zone_place[d as usize] as usize;
            block.stats.flows += 1;
            block.stats.persons += persons;
            if q == p {
                block.stats.home_persons += persons;
            } else {
                block.stats.away_persons += persons;
                block.stats.away_km += persons as f64 * distance_km(here, self.places[q].office);
            }
        }
    }

    /// Generates the rows of origins `zones` (in parallel; the result depends on the seed
    /// only).
    pub fn block(&self, zones: Range<usize>) -> Block {
        const PART: usize = 2048;
        let starts: Vec<usize> = zones.clone().step_by(PART).collect();
        let parts: Vec<Block> = starts
            .into_par_iter()
            .map(|a| {
                let b = (a + PART).min(zones.end);
                let mut block = Block::default();
                let mut scratch = Scratch::default();
                for z in a..b {
                    self.row(z, &mut block, &mut scratch);
                }
                block
            })
            .collect();
        let len: usize = parts.iter().map(|b| b.origin.len()).sum();
        let mut out = Block {
            origin: Vec::with_capacity(len),
            dest: Vec::with_capacity(len),
            persons: Vec::with_capacity(len),
            stats: SynthStats::default(),
        };
        for b in parts {
            out.origin.extend(b.origin);
            out.dest.extend(b.dest);
            out.persons.extend(b.persons);
            out.stats.add(&b.stats);
        }
        out
    }
}

#[derive(Default)]
struct Scratch {
    home: Vec<u32>,
    away: Vec<u32>,
    weights: Vec<f64>,
    row: Vec<(u32, u64)>,
}

/// Fills `out` with `count` distinct ids drawn by `draw`, never `exclude`; after 32 rounds of
/// redraws the rest is taken in order from `fallback()`.
fn draw_distinct<R: Iterator<Item = u32>>(
    out: &mut Vec<u32>,
    count: usize,
    exclude: u32,
    rng: &mut Rng,
    mut draw: impl FnMut(&mut Rng) -> u32,
    fallback: impl Fn() -> R,
) {
    if count == 0 {
        return;
    }
    for _ in 0..32 {
        let need = count - out.len();
        for _ in 0..need {
            let d = draw(rng);
            if d != exclude {
                out.push(d);
            }
        }
        out.sort_unstable();
        out.dedup();
        if out.len() >= count {
            out.truncate(count);
            return;
        }
    }
    // `fallback` yields distinct ids, so only the drawn (sorted) prefix can repeat them.
    let drawn = out.len();
    for d in fallback() {
        if out.len() >= count {
            break;
        }
        if d != exclude && out[..drawn].binary_search(&d).is_err() {
            out.push(d);
        }
    }
    out.sort_unstable();
}

/// β (km) such that the gravity model's mean distance of out-of-municipality commuting equals
/// `target`, by bisection on a log scale (the mean grows with β).
fn calibrate_beta(places: &[Place], dist: &[Vec<(u32, f64)>], target: f64) -> f64 {
    let mean = |beta: f64| -> f64 {
        let (mut num, mut den) = (0.0, 0.0);
        for (a, nb) in dist.iter().enumerate() {
            let (mut wd, mut ws) = (0.0, 0.0);
            for &(b, d) in nb {
                let w = places[b as usize].population as f64 * (-d / beta).exp();
                wd += w * d;
                ws += w;
            }
            if ws > 0.0 {
                num += places[a].away as f64 * wd / ws;
                den += places[a].away as f64;
            }
        }
        num / den
    };
    let (mut lo, mut hi) = (0.1f64, 1000.0f64);
    if !target.is_finite() {
        return 10.0;
    }
    for _ in 0..60 {
        let mid = (lo * hi).sqrt();
        if mean(mid) < target {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    (lo * hi).sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_keeps_totals_and_floors() {
        let mut out = Vec::new();
        split(10, &[1.0, 1.0, 2.0], 1, &mut out);
        assert_eq!(out.iter().sum::<u64>(), 10);
        // 7 above the floors: 1.75, 1.75, 3.5 → 1, 1, 3 and the two largest remainders (.75)
        // get the last two.
        assert_eq!(out, vec![3, 3, 4]);
        split(3, &[0.0, 0.0, 0.0], 1, &mut out);
        assert_eq!(out, vec![1, 1, 1]);
    }

    #[test]
    fn distance_tokyo_osaka() {
        // 東京都庁 (35.6895, 139.6917) to 大阪市役所 (34.6937, 135.5022): about 397 km.
        let d = distance_km((35.6895, 139.6917), (34.6937, 135.5022));
        assert!((d - 397.0).abs() < 3.0, "{d}");
    }

    #[test]
    fn rng_is_reproducible() {
        let a: Vec<u64> = (0..3).map(|_| Rng::new(7, 1).next_u64()).collect();
        assert!(a.windows(2).all(|w| w[0] == w[1]));
        assert_ne!(Rng::new(7, 1).next_u64(), Rng::new(7, 2).next_u64());
    }
}
