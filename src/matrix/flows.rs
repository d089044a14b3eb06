//! Staying, outflow and inflow per unit.

use super::rows::{map_rows, Exec};
use super::CommuteMatrix;

/// Commuters who live and work or study in the same unit (the diagonal).
pub fn staying(m: &CommuteMatrix) -> Vec<u64> {
    staying_with(m, Exec::Serial)
}

/// Parallel twin of [`staying`]; identical output for any thread count.
pub fn par_staying(m: &CommuteMatrix) -> Vec<u64> {
    staying_with(m, Exec::Parallel)
}

/// Commuters leaving their unit for another known unit (row sum minus diagonal; unknown
/// destinations are not included).
pub fn outflow(m: &CommuteMatrix) -> Vec<u64> {
    outflow_with(m, Exec::Serial)
}

/// Parallel twin of [`outflow`].
pub fn par_outflow(m: &CommuteMatrix) -> Vec<u64> {
    outflow_with(m, Exec::Parallel)
}

/// Commuters arriving from other units (column sum minus diagonal, from the transpose).
pub fn inflow(m: &CommuteMatrix) -> Vec<u64> {
    inflow_with(m, Exec::Serial)
}

/// Parallel twin of [`inflow`].
pub fn par_inflow(m: &CommuteMatrix) -> Vec<u64> {
    inflow_with(m, Exec::Parallel)
}

pub(crate) fn staying_with(m: &CommuteMatrix, exec: Exec) -> Vec<u64> {
    map_rows(m.n(), exec, |i| u64::from(m.get(i, i)))
}

pub(crate) fn outflow_with(m: &CommuteMatrix, exec: Exec) -> Vec<u64> {
    map_rows(m.n(), exec, |i| sum_except(m.row(i), i))
}

pub(crate) fn inflow_with(m: &CommuteMatrix, exec: Exec) -> Vec<u64> {
    map_rows(m.n(), exec, |j| sum_except(m.column(j), j))
}

fn sum_except((index, persons): (&[u32], &[u32]), skip: usize) -> u64 {
    index
        .iter()
        .zip(persons)
        .filter(|(&k, _)| k as usize != skip)
        .map(|(_, &p)| u64::from(p))
        .sum()
}
