//! Row mapping shared by every serial kernel and its `par_` twin.

use rayon::prelude::*;

/// Serial or rayon-parallel execution of a per-row kernel.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Exec {
    Serial,
    Parallel,
}

/// Rows handed to one rayon task at least: the census has 1,741 rows of ~100 cells, so
/// smaller tasks cost more in scheduling than they save.
const MIN_ROWS_PER_TASK: usize = 64;

/// `f(0), f(1), …, f(n-1)` collected in index order. Each row is reduced sequentially inside
/// `f`, so the result does not depend on the number of threads.
pub(crate) fn map_rows<T, F>(n: usize, exec: Exec, f: F) -> Vec<T>
where
    T: Send,
    F: Fn(usize) -> T + Sync + Send,
{
    match exec {
        Exec::Serial => (0..n).map(f).collect(),
        Exec::Parallel => (0..n)
            .into_par_iter()
            .with_min_len(MIN_ROWS_PER_TASK)
            .map(f)
            .collect(),
    }
}
