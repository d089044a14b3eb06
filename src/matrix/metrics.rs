//! Every per-unit figure of `toshiken metrics`, computed from one matrix in one pass per kernel.

use super::commuting_shares::ShareDenominator;
use super::day_night::{day_night_ratio, daytime_population, UnknownInDaytime};
use super::flows::inflow_with;
use super::rows::{map_rows, Exec};
use super::top_k::push_top;
use super::CommuteMatrix;

/// Conventions and sizes for [`Metrics::compute`]. Defaults are documented on each setter.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MetricsParams {
    share_denominator: ShareDenominator,
    unknown_in_daytime: UnknownInDaytime,
    top_k: usize,
}

impl Default for MetricsParams {
    fn default() -> Self {
        MetricsParams {
            share_denominator: ShareDenominator::AllCommuters,
            unknown_in_daytime: UnknownInDaytime::NotMoved,
            top_k: 3,
        }
    }
}

impl MetricsParams {
    /// Share denominator (default: [`ShareDenominator::AllCommuters`], unknowns included).
    pub fn share_denominator(mut self, value: ShareDenominator) -> Self {
        self.share_denominator = value;
        self
    }

    /// How unknown destinations count for the daytime population (default:
    /// [`UnknownInDaytime::NotMoved`]).
    pub fn unknown_in_daytime(mut self, value: UnknownInDaytime) -> Self {
        self.unknown_in_daytime = value;
        self
    }

    /// Number of top destinations kept per unit (default 3).
    pub fn top_k(mut self, k: usize) -> Self {
        self.top_k = k;
        self
    }

    /// The share denominator in use.
    pub fn get_share_denominator(&self) -> ShareDenominator {
        self.share_denominator
    }

    /// The daytime convention in use.
    pub fn get_unknown_in_daytime(&self) -> UnknownInDaytime {
        self.unknown_in_daytime
    }
}

/// Per-unit results, one entry per unit in index order. Integer columns are exact; ratios are
/// `f64` computed from them in one division each.
#[derive(Clone, Debug, PartialEq)]
pub struct Metrics {
    /// Whether the unit has commuting data (a row in the source).
    pub has_data: Vec<bool>,
    /// Resident population (`None` where the source has none).
    pub population: Vec<Option<u64>>,
    /// All resident commuters, unknown destinations included.
    pub resident_commuters: Vec<u64>,
    /// Commuters staying in their own unit.
    pub staying: Vec<u64>,
    /// Commuters to other known units.
    pub outflow: Vec<u64>,
    /// Commuters from other units.
    pub inflow: Vec<u64>,
    /// Resident commuters with unknown destination.
    pub unknown: Vec<u64>,
    /// The share denominator per unit, under the chosen convention.
    pub share_denominator: Vec<u64>,
    /// Daytime population.
    pub daytime: Vec<Option<i64>>,
    /// Daytime / resident population.
    pub day_night_ratio: Vec<Option<f64>>,
    /// Residents' self-containment: staying / share denominator.
    pub stay_share: Vec<Option<f64>>,
    /// Jobs self-containment: staying / (staying + inflow), the share of the unit's work and
    /// school places filled by its own residents (`None` without commuting data, since the
    /// unit's own residents are then unknown).
    pub jobs_filled_by_residents: Vec<Option<f64>>,
    /// Largest other destinations `(unit, persons)`.
    pub top: Vec<Vec<(u32, u32)>>,
}

impl Metrics {
    /// Computes every figure serially.
    ///
    /// # Panics
    /// If `population.len() != m.n()` (a caller bug: populations are aligned to units on load).
    pub fn compute(m: &CommuteMatrix, population: &[Option<u64>], params: &MetricsParams) -> Self {
        Self::compute_with(m, population, params, Exec::Serial)
    }

    /// Parallel twin of [`Metrics::compute`]: identical output for any number of threads.
    ///
    /// # Panics
    /// As [`Metrics::compute`].
    pub fn par_compute(
        m: &CommuteMatrix,
        population: &[Option<u64>],
        params: &MetricsParams,
    ) -> Self {
        Self::compute_with(m, population, params, Exec::Parallel)
    }

    fn compute_with(
        m: &CommuteMatrix,
        population: &[Option<u64>],
        params: &MetricsParams,
        exec: Exec,
    ) -> Self {
        assert_eq!(
            population.len(),
            m.n(),
            "population must be aligned to the matrix units"
        );
        let n = m.n();
        // One pass over each row for staying, outflow and the top destinations (the separate
        // kernels each walk the rows again), then one over the transpose for inflow.
        let rows = map_rows(n, exec, |i| row_summary(m, i, params.top_k));
        let mut staying = Vec::with_capacity(n);
        let mut outflow = Vec::with_capacity(n);
        let mut top = Vec::with_capacity(n);
        for (s, o, t) in rows {
            staying.push(s);
            outflow.push(o);
            top.push(t);
        }
        let inflow = inflow_with(m, exec);
        let has_data: Vec<bool> = (0..n).map(|i| m.has_data(i)).collect();
        let unknown: Vec<u64> = (0..n).map(|i| m.unknown(i)).collect();
        let resident_commuters: Vec<u64> = (0..n).map(|i| m.total(i)).collect();
        let share_denominator = map_rows(n, exec, |i| params.share_denominator.of(m, i));
        let daytime = daytime_population(
            population,
            &outflow,
            &inflow,
            &unknown,
            &has_data,
            params.unknown_in_daytime,
        );
        let day_night_ratio = day_night_ratio(&daytime, population);
        let stay_share = (0..n)
            .map(|i| ratio(staying[i], share_denominator[i]))
            .collect();
        let jobs_filled_by_residents = (0..n)
            .map(|i| {
                if has_data[i] {
                    ratio(staying[i], staying[i] + inflow[i])
                } else {
                    None
                }
            })
            .collect();
        Metrics {
            has_data,
            population: population.to_vec(),
            resident_commuters,
            staying,
            outflow,
            inflow,
            unknown,
            share_denominator,
            daytime,
            day_night_ratio,
            stay_share,
            jobs_filled_by_residents,
            top,
        }
    }

    /// Number of units.
    pub fn len(&self) -> usize {
        self.has_data.len()
    }

    /// True when there are no units.
    pub fn is_empty(&self) -> bool {
        self.has_data.is_empty()
    }
}

/// Staying, outflow and the `k` largest other destinations of row `i`, in one pass; the same
/// results as `flows::staying`, `flows::outflow` and `top_k::top_destinations` (tested).
fn row_summary(m: &CommuteMatrix, i: usize, k: usize) -> (u64, u64, Vec<(u32, u32)>) {
    let (dest, persons) = m.row(i);
    let (mut staying, mut outflow) = (0u64, 0u64);
    let mut best: Vec<(u32, u32)> = Vec::with_capacity(k + 1);
    for (&d, &p) in dest.iter().zip(persons) {
        if d as usize == i {
            staying = u64::from(p);
            continue;
        }
        outflow += u64::from(p);
        push_top(&mut best, k, d, p);
    }
    (staying, outflow, best)
}

fn ratio(num: u64, den: u64) -> Option<f64> {
    (den > 0).then(|| num as f64 / den as f64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::matrix::{flows, top_k};

    #[test]
    fn fused_row_pass_matches_the_separate_kernels() {
        let m = CommuteMatrix::from_triplets(
            4,
            vec![
                (0, 0, 5),
                (0, 1, 7),
                (0, 2, 7),
                (0, 3, 1),
                (1, 0, 2),
                (2, 2, 9),
                (3, 1, 4),
                (3, 0, 4),
            ],
            vec![1, 0, 2, 0],
            vec![true; 4],
        )
        .unwrap();
        let r = Metrics::compute(&m, &[Some(100); 4], &MetricsParams::default().top_k(2));
        assert_eq!(r.staying, flows::staying(&m));
        assert_eq!(r.outflow, flows::outflow(&m));
        assert_eq!(r.top, top_k::top_destinations(&m, 2));
        assert_eq!(r.top[0], vec![(1, 7), (2, 7)]);
    }
}
