//! Commuting shares (通勤通学割合) and exact threshold tests.

use super::kernel::{row_pass, Exec, PassOptions};
use super::CommuteMatrix;

/// What an origin's shares are divided by.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum ShareDenominator {
    /// All resident commuters, unknown destinations (99998, 99999) included (default): the
    /// census's `total_employed`. Shares to known units then sum to less than 1, and to exactly
    /// 1 with the unknown share added.
    #[default]
    AllCommuters,
    /// Only commuters with a known destination; shares to known units sum to 1.
    KnownDestinations,
}

impl std::fmt::Display for ShareDenominator {
    /// In words, as the `--share-denominator` values say it.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            ShareDenominator::AllCommuters => "all resident commuters",
            ShareDenominator::KnownDestinations => "commuters with a known destination",
        })
    }
}

impl ShareDenominator {
    /// The denominator of origin `i`.
    pub fn of(self, m: &CommuteMatrix, i: usize) -> u64 {
        match self {
            ShareDenominator::AllCommuters => m.total(i),
            ShareDenominator::KnownDestinations => m.total(i) - m.unknown(i),
        }
    }
}

/// A share threshold as an exact fraction `num/den` (0.1 is `1/10`), so that the boundary is
/// decided on integers: `persons × den ≥ num × denominator`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Threshold {
    num: u64,
    den: u64,
}

impl Threshold {
    /// 10 %: the 連携中枢都市圏 declaration threshold.
    pub const TENTH: Threshold = Threshold { num: 1, den: 10 };

    /// `num/den`; `None` when `den` is 0 or the fraction exceeds 1.
    pub fn new(num: u64, den: u64) -> Option<Self> {
        (den > 0 && num <= den).then_some(Threshold { num, den })
    }

    /// Parses a decimal such as `0.1` or `0.08` exactly (at most 9 decimals).
    pub fn parse_decimal(text: &str) -> Option<Self> {
        let (int, frac) = text.split_once('.').unwrap_or((text, ""));
        if int.is_empty() && frac.is_empty() || frac.len() > 9 {
            return None;
        }
        let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if !all_digits(int) || !all_digits(frac) {
            return None;
        }
        let den = 10u64.pow(frac.len() as u32);
        let int: u64 = if int.is_empty() { 0 } else { int.parse().ok()? };
        let frac: u64 = if frac.is_empty() {
            0
        } else {
            frac.parse().ok()?
        };
        Self::new(int.checked_mul(den)? + frac, den)
    }

    /// The fraction as `(num, den)`.
    pub fn parts(self) -> (u64, u64) {
        (self.num, self.den)
    }

    /// The fewest persons that meet the threshold out of `denominator`:
    /// `⌈num × denominator / den⌉`, so that `is_met(p, denominator) ⇔ p ≥ least_persons`.
    pub fn least_persons(self, denominator: u64) -> u64 {
        let need = u128::from(self.num) * u128::from(denominator);
        need.div_ceil(u128::from(self.den)) as u64
    }

    /// Whether `persons / denominator ≥ num/den`, exactly. A zero denominator meets nothing.
    pub fn is_met(self, persons: u64, denominator: u64) -> bool {
        denominator > 0
            && u128::from(persons) * u128::from(self.den)
                >= u128::from(self.num) * u128::from(denominator)
    }
}

/// Share of every stored cell, in CSR order (`shares[k]` belongs to `m.dest()[k]`), by the one
/// kernel ([`super::kernel::row_pass`]). An origin with a zero denominator gets NaN shares.
pub fn shares(m: &CommuteMatrix, denominator: ShareDenominator) -> Vec<f64> {
    shares_with(m, denominator, Exec::Serial)
}

/// Parallel twin of [`shares`]; identical output for any thread count.
pub fn par_shares(m: &CommuteMatrix, denominator: ShareDenominator) -> Vec<f64> {
    shares_with(m, denominator, Exec::Parallel)
}

fn shares_with(m: &CommuteMatrix, denominator: ShareDenominator, exec: Exec) -> Vec<f64> {
    let mut out = Vec::new();
    let options = PassOptions {
        denominator,
        ..PassOptions::default()
    };
    row_pass(m.flows(), m.unknowns(), &options, Some(&mut out), exec);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn threshold_is_exact_at_the_boundary() {
        let t = Threshold::TENTH;
        assert!(t.is_met(10, 100));
        assert!(!t.is_met(9, 90 + 1));
        assert!(t.is_met(1_000_000_001, 10_000_000_010));
        assert!(!t.is_met(1_000_000_000, 10_000_000_001));
        assert!(!t.is_met(0, 0));
        assert_eq!(Threshold::parse_decimal("0.1"), Some(t));
        assert_eq!(Threshold::parse_decimal("0.08"), Threshold::new(8, 100));
        assert_eq!(Threshold::parse_decimal("1.5"), None);
        assert_eq!(Threshold::parse_decimal("abc"), None);
        for d in [1u64, 9, 10, 11, 19, 20, 21, 10_000_000_001] {
            let least = t.least_persons(d);
            assert!(
                t.is_met(least, d) && (least == 0 || !t.is_met(least - 1, d)),
                "{d}"
            );
        }
        let third = Threshold::new(1, 3).unwrap();
        assert_eq!((third.least_persons(21), third.least_persons(22)), (7, 8));
    }
}
