//! The benchmarked computation on a zone OD, defined identically for toshiken and its peers
//! (`benches/compare/`), run on the one kernel ([`crate::matrix::kernel::row_pass`]):
//! - per zone: `total` (Σ persons of its row, staying included), `staying` (the diagonal),
//!   `outflow = total − staying`, `inflow` (Σ persons to it from other zones), `daytime =
//!   population − outflow + inflow` and `day_night_ratio = daytime / population` (none where
//!   the population is 0);
//! - per flow: `share = persons / total` of its origin — materialised as one `f64` per flow by
//!   the *kernel* comparison ([`ZoneMetrics::compute`]), computed only for the flows written
//!   by the *user's job* ([`ZoneMetrics::job`]: the pairs and the share sample), by the same
//!   division, so both give the same bits;
//! - centres: the top 1 % of zones by inflow (`ceil(n / 100)`, ties by smaller zone id);
//! - pairs: every flow `origin ≠ destination` into a centre with `persons × 10 ≥ total`
//!   (exact integers: a 0.1 share), in (origin, destination) order.

use std::cmp::Ordering;

use crate::matrix::{row_pass, Csr, Exec, Pair, PassOptions, ShareDenominator, Threshold};

/// Everything the computation produces.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ZoneMetrics {
    /// Σ persons per origin row.
    pub total: Vec<u64>,
    /// Diagonal.
    pub staying: Vec<u64>,
    /// `total − staying`.
    pub outflow: Vec<u64>,
    /// Persons arriving from other zones.
    pub inflow: Vec<u64>,
    /// `population − outflow + inflow`.
    pub daytime: Vec<i64>,
    /// `daytime / population`, `None` for an empty zone.
    pub day_night_ratio: Vec<Option<f64>>,
    /// `persons / total` for every flow, in OD order (`NaN` in a row of zero total); empty
    /// when computed by [`ZoneMetrics::job`].
    pub shares: Vec<f64>,
    /// Centres, best first.
    pub centres: Vec<u32>,
    /// Flows of ≥ 10 % into a centre, in (origin, destination) order.
    pub pairs: Vec<Pair>,
}

/// The number of centres for `n` zones: 1 % rounded up.
pub fn centre_count(n: usize) -> usize {
    n.div_ceil(100)
}

impl ZoneMetrics {
    /// The kernel comparison: every figure with every share materialised.
    ///
    /// # Panics
    /// If `population.len() != od.n()` (the loader aligns them).
    pub fn compute(od: &Csr, population: &[u64], exec: Exec) -> Self {
        let mut shares = Vec::new();
        let mut m = Self::compute_into(od, population, exec, &mut shares);
        m.shares = shares;
        m
    }

    /// [`Self::compute`] writing the shares into `shares` (resized to the flow count), so a
    /// caller can reuse one buffer; the returned `shares` field is empty.
    ///
    /// # Panics
    /// As [`Self::compute`].
    pub fn compute_into(od: &Csr, population: &[u64], exec: Exec, shares: &mut Vec<f64>) -> Self {
        Self::run(od, population, exec, Some(shares))
    }

    /// The user's job: every figure, shares only on demand ([`Self::share`]): no buffer of one
    /// `f64` per flow, so no 800 MB of fresh pages at 10^8 flows.
    ///
    /// # Panics
    /// As [`Self::compute`].
    pub fn job(od: &Csr, population: &[u64], exec: Exec) -> Self {
        Self::run(od, population, exec, None)
    }

    /// The share of a flow of `persons` from zone `origin`: the kernel's division.
    pub fn share(&self, origin: usize, persons: u32) -> f64 {
        crate::matrix::kernel::share(persons, self.total[origin])
    }

    fn run(od: &Csr, population: &[u64], exec: Exec, shares: Option<&mut Vec<f64>>) -> Self {
        let n = od.n();
        assert_eq!(
            population.len(),
            n,
            "population must have one entry per zone"
        );
        let options = PassOptions {
            denominator: ShareDenominator::KnownDestinations,
            threshold: Some(Threshold::TENTH),
            top_k: 0,
        };
        let pass = row_pass(od, &[], &options, shares, exec);
        let outflow = pass.outflow();
        let inflow = pass.inflow;
        let daytime: Vec<i64> = (0..n)
            .map(|z| population[z] as i64 - outflow[z] as i64 + inflow[z] as i64)
            .collect();
        let day_night_ratio = (0..n)
            .map(|z| (population[z] > 0).then(|| daytime[z] as f64 / population[z] as f64))
            .collect();
        let centres = top_by_inflow(&inflow, centre_count(n));
        let mut is_centre = vec![false; n];
        for &c in &centres {
            is_centre[c as usize] = true;
        }
        let pairs = pass
            .pairs
            .into_iter()
            .filter(|p| is_centre[p.dest as usize])
            .collect();
        ZoneMetrics {
            total: pass.known,
            staying: pass.staying,
            outflow,
            inflow,
            daytime,
            day_night_ratio,
            shares: Vec::new(),
            centres,
            pairs,
        }
    }
}

/// The `k` zones with the largest inflow, ties by smaller id, best first.
pub fn top_by_inflow(inflow: &[u64], k: usize) -> Vec<u32> {
    let cmp = |a: &u32, b: &u32| -> Ordering {
        inflow[*b as usize].cmp(&inflow[*a as usize]).then(a.cmp(b))
    };
    let mut ids: Vec<u32> = (0..inflow.len() as u32).collect();
    let k = k.min(ids.len());
    if k == 0 {
        return Vec::new();
    }
    if k < ids.len() {
        ids.select_nth_unstable_by(k - 1, cmp);
        ids.truncate(k);
    }
    ids.sort_unstable_by(cmp);
    ids
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hand_computed_example() {
        // Zone 0: 6 stay, 4 to 1 (40 %). Zone 1: 9 stay, 1 to 0 (10 %: 1 × 10 ≥ 10).
        // Zone 2: 19 to 1 (95 %), 1 to 0 (5 %). Populations 20, 30, 25.
        let od = Csr::from_triplets(
            3,
            &[
                (0, 0, 6),
                (0, 1, 4),
                (1, 1, 9),
                (1, 0, 1),
                (2, 1, 19),
                (2, 0, 1),
            ],
        )
        .unwrap();
        let m = ZoneMetrics::compute(&od, &[20, 30, 25], Exec::Serial);
        assert_eq!(m.total, vec![10, 10, 20]);
        assert_eq!(m.staying, vec![6, 9, 0]);
        assert_eq!(m.outflow, vec![4, 1, 20]);
        assert_eq!(m.inflow, vec![2, 23, 0]);
        assert_eq!(m.daytime, vec![20 - 4 + 2, 30 - 1 + 23, 25 - 20]);
        assert_eq!(m.day_night_ratio[1], Some(52.0 / 30.0));
        assert_eq!(m.shares, vec![0.6, 0.4, 0.1, 0.9, 0.05, 0.95]);
        // One centre (ceil(3/100)): zone 1 with inflow 23.
        assert_eq!(m.centres, vec![1]);
        let pairs: Vec<(u32, u32, u32)> = m
            .pairs
            .iter()
            .map(|p| (p.origin, p.dest, p.persons))
            .collect();
        assert_eq!(pairs, vec![(0, 1, 4), (2, 1, 19)]);
        assert_eq!(m.pairs[1].flow, 5);
        assert_eq!(ZoneMetrics::compute(&od, &[20, 30, 25], Exec::Parallel), m);
        let job = ZoneMetrics::job(&od, &[20, 30, 25], Exec::Parallel);
        assert_eq!(
            job,
            ZoneMetrics {
                shares: Vec::new(),
                ..m.clone()
            }
        );
        assert_eq!(job.share(2, 19), m.shares[5]);
    }

    #[test]
    fn ties_go_to_the_smaller_zone() {
        assert_eq!(top_by_inflow(&[5, 9, 9, 1], 2), vec![1, 2]);
        assert_eq!(top_by_inflow(&[5, 9, 9, 1], 3), vec![1, 2, 0]);
        assert_eq!(centre_count(1741), 18);
        assert_eq!(centre_count(100), 1);
    }
}
