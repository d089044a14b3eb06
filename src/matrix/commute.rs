//! `CommuteMatrix`: the census units' [`Csr`] with what the census adds — destinations it
//! could not place (unknown), whether an origin had data at all, and the transpose the rules
//! read columns from.

use rayon::prelude::*;

use super::csr::{check_len, Csr, MatrixError};

/// Origin × destination commuting counts between `n` analysis units, in CSR form, with its
/// transpose, per-origin unknown-destination counts and totals.
///
/// Invariants (checked by [`CommuteMatrix::from_csr`], relied on by every kernel):
/// - `indptr.len() == n + 1`, `indptr[0] == 0`, non-decreasing, `indptr[n] == dest.len()`;
/// - `dest.len() == persons.len()`; every `dest[k] < n`; destinations strictly ascending
///   within a row (so no duplicate pair); every `persons[k] > 0`;
/// - `unknown.len() == has_data.len() == n`; `total[i] == Σ row i + unknown[i]`;
/// - the transpose holds exactly the same entries, origins strictly ascending per column.
#[derive(Clone, Debug, PartialEq)]
pub struct CommuteMatrix {
    flows: Csr,
    unknown: Vec<u64>,
    total: Vec<u64>,
    has_data: Vec<bool>,
    transpose: Csr,
}

impl CommuteMatrix {
    /// Builds the matrix from CSR arrays after checking every invariant listed on the type.
    ///
    /// `unknown[i]` is the number of origin-`i` commuters whose destination is unknown;
    /// `has_data[i]` says whether the source had a row for origin `i` at all (a unit with no
    /// row is reported as missing, not as zero commuters).
    ///
    /// # Errors
    /// A [`MatrixError`] naming the first violated invariant.
    pub fn from_csr(
        n: usize,
        indptr: Vec<usize>,
        dest: Vec<u32>,
        persons: Vec<u32>,
        unknown: Vec<u64>,
        has_data: Vec<bool>,
    ) -> Result<Self, MatrixError> {
        check_len("unknown", n, unknown.len())?;
        check_len("has_data", n, has_data.len())?;
        let flows = Csr::new(n, indptr, dest, persons)?;
        if let Some(k) = flows.persons().iter().position(|&p| p == 0) {
            let origin = flows.offsets().partition_point(|&o| o <= k) - 1;
            return Err(MatrixError::Zero {
                origin: origin as u32,
                dest: flows.dest()[k],
            });
        }
        let total = (0..n)
            .map(|i| flows.row(i).1.iter().map(|&p| u64::from(p)).sum::<u64>() + unknown[i])
            .collect();
        let transpose = flows.transpose();
        Ok(CommuteMatrix {
            flows,
            unknown,
            total,
            has_data,
            transpose,
        })
    }

    /// Builds the matrix from `(origin, destination, persons)` triplets in any order.
    /// Zero-person triplets are dropped (they carry no one).
    ///
    /// # Errors
    /// [`MatrixError::Duplicate`] for a repeated pair, [`MatrixError::OutOfRange`] for an index
    /// `>= n`, and the length errors of [`CommuteMatrix::from_csr`].
    pub fn from_triplets(
        n: usize,
        mut triplets: Vec<(u32, u32, u32)>,
        unknown: Vec<u64>,
        has_data: Vec<bool>,
    ) -> Result<Self, MatrixError> {
        triplets.retain(|t| t.2 > 0);
        if let Some(&(origin, dest, _)) = triplets
            .iter()
            .find(|t| t.0 as usize >= n || t.1 as usize >= n)
        {
            return Err(MatrixError::OutOfRange { origin, dest, n });
        }
        triplets.par_sort_unstable_by_key(|t| (t.0, t.1));
        if let Some(w) = triplets
            .windows(2)
            .find(|w| (w[0].0, w[0].1) == (w[1].0, w[1].1))
        {
            return Err(MatrixError::Duplicate {
                origin: w[0].0,
                dest: w[0].1,
            });
        }
        let mut indptr = vec![0usize; n + 1];
        for t in &triplets {
            indptr[t.0 as usize + 1] += 1;
        }
        for i in 0..n {
            indptr[i + 1] += indptr[i];
        }
        let dest = triplets.iter().map(|t| t.1).collect();
        let persons = triplets.iter().map(|t| t.2).collect();
        Self::from_csr(n, indptr, dest, persons, unknown, has_data)
    }

    /// Like [`CommuteMatrix::from_triplets`], but repeated pairs are added together instead of
    /// refused: the aggregation used when units are merged.
    ///
    /// # Errors
    /// [`MatrixError::OutOfRange`] for an index `>= n`; a summed cell over `u32::MAX` is
    /// reported as [`MatrixError::Duplicate`] of that pair.
    pub fn from_triplets_summed(
        n: usize,
        mut triplets: Vec<(u32, u32, u32)>,
        unknown: Vec<u64>,
        has_data: Vec<bool>,
    ) -> Result<Self, MatrixError> {
        triplets.sort_unstable_by_key(|t| (t.0, t.1));
        let mut summed: Vec<(u32, u32, u32)> = Vec::with_capacity(triplets.len());
        for t in triplets {
            match summed.last_mut() {
                Some(last) if (last.0, last.1) == (t.0, t.1) => {
                    last.2 = last.2.checked_add(t.2).ok_or(MatrixError::Duplicate {
                        origin: t.0,
                        dest: t.1,
                    })?;
                }
                _ => summed.push(t),
            }
        }
        Self::from_triplets(n, summed, unknown, has_data)
    }

    /// Number of units (rows = columns).
    pub fn n(&self) -> usize {
        self.flows.n()
    }

    /// Number of stored (non-zero) origin–destination cells.
    pub fn nnz(&self) -> usize {
        self.flows.nnz()
    }

    /// The known-destination flows: the [`Csr`] every kernel reads.
    pub fn flows(&self) -> &Csr {
        &self.flows
    }

    /// Per-origin unknown-destination counts (length `n`).
    pub fn unknowns(&self) -> &[u64] {
        &self.unknown
    }

    /// Row `i`: destinations (ascending) and persons.
    pub fn row(&self, i: usize) -> (&[u32], &[u32]) {
        self.flows.row(i)
    }

    /// Column `j` from the transpose: origins (ascending) and persons.
    pub fn column(&self, j: usize) -> (&[u32], &[u32]) {
        self.transpose.row(j)
    }

    /// Persons from `i` to `j` (0 when no cell is stored).
    pub fn get(&self, i: usize, j: usize) -> u32 {
        self.flows.get(i, j)
    }

    /// Origin-`i` commuters whose destination is unknown (census 99998 + 99999).
    pub fn unknown(&self, i: usize) -> u64 {
        self.unknown[i]
    }

    /// All origin-`i` commuters: the row's sum plus its unknown destinations.
    pub fn total(&self, i: usize) -> u64 {
        self.total[i]
    }

    /// Whether the source had commuting data for origin `i`.
    pub fn has_data(&self, i: usize) -> bool {
        self.has_data[i]
    }

    /// CSR row pointer (length `n + 1`).
    pub fn indptr(&self) -> &[usize] {
        self.flows.offsets()
    }

    /// Destination of every stored cell, row by row.
    pub fn dest(&self) -> &[u32] {
        self.flows.dest()
    }

    /// Persons of every stored cell, row by row.
    pub fn persons(&self) -> &[u32] {
        self.flows.persons()
    }

    /// Sum of all persons (stored cells plus unknown destinations).
    pub fn grand_total(&self) -> u64 {
        self.total.iter().sum()
    }

    /// The same matrix with unit `i` renamed `perm[i]`.
    ///
    /// # Errors
    /// [`MatrixError`] if `perm` is not a permutation of `0..n` (reported as out of range or
    /// duplicate entries).
    pub fn relabel(&self, perm: &[u32]) -> Result<Self, MatrixError> {
        check_len("perm", self.n(), perm.len())?;
        let mut triplets = Vec::with_capacity(self.nnz());
        let n = self.n();
        let mut unknown = vec![0; n];
        let mut has_data = vec![false; n];
        for i in 0..n {
            let new_i = perm[i] as usize;
            if new_i >= n {
                return Err(MatrixError::OutOfRange {
                    origin: perm[i],
                    dest: 0,
                    n,
                });
            }
            unknown[new_i] = self.unknown[i];
            has_data[new_i] = self.has_data[i];
            let (dest, persons) = self.row(i);
            triplets.extend(
                dest.iter()
                    .zip(persons)
                    .map(|(&d, &p)| (perm[i], perm[d as usize], p)),
            );
        }
        Self::from_triplets(n, triplets, unknown, has_data)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn small() -> CommuteMatrix {
        // 0→0 5, 0→2 3, 1→0 2, 2→2 7; unknown 1, 0, 4.
        CommuteMatrix::from_triplets(
            3,
            vec![(2, 2, 7), (0, 2, 3), (1, 0, 2), (0, 0, 5)],
            vec![1, 0, 4],
            vec![true, true, true],
        )
        .unwrap()
    }

    #[test]
    fn builds_rows_columns_and_totals() {
        let m = small();
        assert_eq!(m.row(0), (&[0, 2][..], &[5, 3][..]));
        assert_eq!(m.column(2), (&[0, 2][..], &[3, 7][..]));
        assert_eq!(m.column(1), (&[][..], &[][..]));
        assert_eq!((m.total(0), m.total(1), m.total(2)), (9, 2, 11));
        assert_eq!(m.get(0, 2), 3);
        assert_eq!(m.get(1, 1), 0);
    }

    #[test]
    fn rejects_broken_input() {
        let dup =
            CommuteMatrix::from_triplets(2, vec![(0, 1, 1), (0, 1, 2)], vec![0; 2], vec![true; 2]);
        assert_eq!(dup, Err(MatrixError::Duplicate { origin: 0, dest: 1 }));
        let out = CommuteMatrix::from_triplets(2, vec![(0, 2, 1)], vec![0; 2], vec![true; 2]);
        assert_eq!(
            out,
            Err(MatrixError::OutOfRange {
                origin: 0,
                dest: 2,
                n: 2
            })
        );
        let unsorted = CommuteMatrix::from_csr(
            2,
            vec![0, 2, 2],
            vec![1, 0],
            vec![1, 1],
            vec![0; 2],
            vec![true; 2],
        );
        assert_eq!(unsorted, Err(MatrixError::Unsorted { origin: 0 }));
        let zero = CommuteMatrix::from_csr(
            2,
            vec![0, 1, 1],
            vec![1],
            vec![0],
            vec![0; 2],
            vec![true; 2],
        );
        assert_eq!(zero, Err(MatrixError::Zero { origin: 0, dest: 1 }));
        let ptr = CommuteMatrix::from_csr(
            2,
            vec![0, 2, 1],
            vec![0, 1],
            vec![1, 1],
            vec![0; 2],
            vec![true; 2],
        );
        assert_eq!(ptr, Err(MatrixError::Indptr { row: 1 }));
    }
}
