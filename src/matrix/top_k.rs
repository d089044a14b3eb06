//! The largest destinations of every origin.

use super::rows::{map_rows, Exec};
use super::CommuteMatrix;

/// For every origin, its `k` largest destinations other than itself as `(dest, persons)`,
/// by persons descending, ties broken by the lower unit index (= lower code).
pub fn top_destinations(m: &CommuteMatrix, k: usize) -> Vec<Vec<(u32, u32)>> {
    top_with(m, k, Exec::Serial)
}

/// Parallel twin of [`top_destinations`].
pub fn par_top_destinations(m: &CommuteMatrix, k: usize) -> Vec<Vec<(u32, u32)>> {
    top_with(m, k, Exec::Parallel)
}

pub(crate) fn top_with(m: &CommuteMatrix, k: usize, exec: Exec) -> Vec<Vec<(u32, u32)>> {
    map_rows(m.n(), exec, |i| {
        let (dest, persons) = m.row(i);
        let mut best: Vec<(u32, u32)> = Vec::with_capacity(k + 1);
        for (&d, &p) in dest.iter().zip(persons) {
            if d as usize == i {
                continue;
            }
            push_top(&mut best, k, d, p);
        }
        best
    })
}

/// Offers `(d, p)` to `best`, the `k` largest so far by persons descending. Rows are visited
/// ascending by destination, so among equal persons the earlier entry (lower index) keeps its
/// place: the new one goes after every entry with persons ≥ `p`.
pub(crate) fn push_top(best: &mut Vec<(u32, u32)>, k: usize, d: u32, p: u32) {
    let at = best.partition_point(|&(_, q)| q >= p);
    if at < k {
        best.insert(at, (d, p));
        best.truncate(k);
    }
}
