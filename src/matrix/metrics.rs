//! Every per-unit figure of `toshiken metrics` on the census: one pass of the kernel
//! ([`super::kernel::row_pass`]) and the census conventions on top (rows without data, the
//! daytime treatment of unknown destinations, populations that may be missing).

use super::commuting_shares::ShareDenominator;
use super::day_night::{day_night_ratio, daytime_population, UnknownInDaytime};
use super::kernel::{row_pass, Exec, PassOptions};
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
        let options = PassOptions {
            denominator: params.share_denominator,
            threshold: None,
            top_k: params.top_k,
        };
        let pass = row_pass(m.flows(), m.unknowns(), &options, None, exec);
        let outflow = pass.outflow();
        let has_data: Vec<bool> = (0..n).map(|i| m.has_data(i)).collect();
        let unknown = m.unknowns().to_vec();
        let resident_commuters: Vec<u64> = (0..n).map(|i| m.total(i)).collect();
        let (staying, inflow, share_denominator, top) =
            (pass.staying, pass.inflow, pass.denominator, pass.top);
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

fn ratio(num: u64, den: u64) -> Option<f64> {
    (den > 0).then(|| num as f64 / den as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn census_figures_by_hand() {
        // Unit 0: 5 stay, 7 to 1, 7 to 2, 1 to 3, 1 unknown. Unit 1: 2 to 0, no population.
        // Unit 2: 9 stay, 2 unknown. Unit 3: no commuting data.
        let m = CommuteMatrix::from_triplets(
            4,
            vec![
                (0, 0, 5),
                (0, 1, 7),
                (0, 2, 7),
                (0, 3, 1),
                (1, 0, 2),
                (2, 2, 9),
            ],
            vec![1, 0, 2, 0],
            vec![true, true, true, false],
        )
        .unwrap();
        let pop = [Some(100), None, Some(50), Some(10)];
        let params = MetricsParams::default().top_k(2);
        let r = Metrics::compute(&m, &pop, &params);
        assert_eq!(r.staying, vec![5, 0, 9, 0]);
        assert_eq!(r.outflow, vec![15, 2, 0, 0]);
        assert_eq!(r.inflow, vec![2, 7, 7, 1]);
        assert_eq!(r.resident_commuters, vec![21, 2, 11, 0]);
        assert_eq!(r.share_denominator, vec![21, 2, 11, 0]);
        assert_eq!(
            r.daytime,
            vec![Some(100 - 15 + 2), None, Some(50 + 7), None]
        );
        assert_eq!(r.day_night_ratio[0], Some(87.0 / 100.0));
        assert_eq!(r.stay_share[2], Some(9.0 / 11.0));
        assert_eq!(r.jobs_filled_by_residents[2], Some(9.0 / 16.0));
        assert_eq!(r.jobs_filled_by_residents[3], None);
        assert_eq!(r.top[0], vec![(1, 7), (2, 7)]);
        let leave = params.unknown_in_daytime(UnknownInDaytime::Leave);
        assert_eq!(
            Metrics::compute(&m, &pop, &leave).daytime[2],
            Some(50 - 2 + 7)
        );
        let known = params.share_denominator(ShareDenominator::KnownDestinations);
        assert_eq!(
            Metrics::compute(&m, &pop, &known).share_denominator,
            vec![20, 2, 9, 0]
        );
        assert_eq!(Metrics::par_compute(&m, &pop, &params), r);
    }
}
