//! `Csr`: the one origin × destination matrix type. Census units (through the registry, in
//! `CommuteMatrix`, which adds unknown destinations and a transpose) and zones (dense ids read
//! straight from a zone table) are both held as a `Csr`, and the one kernel
//! (`matrix::kernel`) reads nothing else. Rows are sorted by destination and hold no
//! duplicate pair; ids are dense `u32`, counts `u32`.

use rayon::prelude::*;

/// Where a flow came from, for messages: the 1-based row of the OD table.
pub type SourceRow = u64;

/// Errors from the validating constructor [`Csr::new`] (and [`super::CommuteMatrix`]'s).
/// Indices are unit or zone ids; callers that know codes translate them.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum MatrixError {
    /// An array has the wrong length.
    #[error("{what} has length {found}, expected {expected}")]
    Length {
        /// Which array.
        what: &'static str,
        /// Expected length.
        expected: usize,
        /// Actual length.
        found: usize,
    },
    /// The row pointer does not start at 0, decreases, or does not end at the number of entries.
    #[error("indptr is not a valid row pointer at row {row}")]
    Indptr {
        /// First offending row.
        row: usize,
    },
    /// An index is not below the number of units.
    #[error("entry ({origin}, {dest}) is outside a {n}×{n} matrix")]
    OutOfRange {
        /// Origin index.
        origin: u32,
        /// Destination index.
        dest: u32,
        /// Matrix size.
        n: usize,
    },
    /// The same (origin, destination) pair twice.
    #[error("duplicate entry ({origin}, {dest})")]
    Duplicate {
        /// Origin index.
        origin: u32,
        /// Destination index.
        dest: u32,
    },
    /// Destinations of a row are not strictly ascending.
    #[error("row {origin} is not sorted by destination")]
    Unsorted {
        /// Origin index.
        origin: u32,
    },
    /// A stored entry of zero persons (the census matrix never stores zeros).
    #[error("entry ({origin}, {dest}) stores zero persons")]
    Zero {
        /// Origin index.
        origin: u32,
        /// Destination index.
        dest: u32,
    },
}

/// A rejected flow or zone while building from a table ([`CsrBuilder`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OdError {
    /// An origin or destination outside `0..n`.
    #[error("row {row}: {column} zone {zone} is not in the population table (zones 0..{n})")]
    UnknownZone {
        /// Row of the OD table.
        row: SourceRow,
        /// `origin` or `destination`.
        column: &'static str,
        /// The zone id read.
        zone: u64,
        /// Number of zones.
        n: usize,
    },
    /// The same pair twice.
    #[error(
        "origin {origin} → destination {dest} appears twice (second time at or after row {row})"
    )]
    DuplicatePair {
        /// Origin zone.
        origin: u32,
        /// Destination zone.
        dest: u32,
        /// A row at or after the second occurrence (the row that ended the origin's block).
        row: SourceRow,
    },
    /// More rows than the table announced.
    #[error("the OD has more rows than its metadata announced ({announced})")]
    TooManyRows {
        /// Rows announced.
        announced: usize,
    },
}

/// The matrix: row `i` holds `(dest[k], persons[k])` for `k in offsets[i]..offsets[i+1]`.
///
/// Invariants (checked by [`Csr::new`]; [`CsrBuilder`] establishes them as it builds):
/// `offsets.len() == n + 1`, `offsets[0] == 0`, non-decreasing, `offsets[n] == nnz`;
/// `dest.len() == persons.len() == nnz`; every `dest[k] < n`, strictly ascending within a row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Csr {
    offsets: Vec<usize>,
    dest: Vec<u32>,
    persons: Vec<u32>,
    grand_total: u64,
}

/// Flows per chunk when a check or sum over all flows runs in parallel.
const PAR_FLOWS: usize = 1 << 16;

impl Csr {
    /// Builds the matrix after checking every invariant listed on the type (rows checked in
    /// parallel; the first violation in row order is reported whatever the thread count).
    ///
    /// # Errors
    /// A [`MatrixError`] naming the first violated invariant.
    pub fn new(
        n: usize,
        offsets: Vec<usize>,
        dest: Vec<u32>,
        persons: Vec<u32>,
    ) -> Result<Self, MatrixError> {
        check_len("indptr", n + 1, offsets.len())?;
        check_len("persons", dest.len(), persons.len())?;
        if offsets[0] != 0 {
            return Err(MatrixError::Indptr { row: 0 });
        }
        if let Some(i) =
            (0..n).find(|&i| offsets[i + 1] < offsets[i] || offsets[i + 1] > dest.len())
        {
            return Err(MatrixError::Indptr { row: i });
        }
        if offsets[n] != dest.len() {
            return Err(MatrixError::Indptr { row: n });
        }
        let check_row = |i: usize| -> Result<(), MatrixError> {
            let row = &dest[offsets[i]..offsets[i + 1]];
            for (k, &d) in row.iter().enumerate() {
                if d as usize >= n {
                    return Err(MatrixError::OutOfRange {
                        origin: i as u32,
                        dest: d,
                        n,
                    });
                }
                if k > 0 && row[k - 1] >= d {
                    return Err(if row[k - 1] == d {
                        MatrixError::Duplicate {
                            origin: i as u32,
                            dest: d,
                        }
                    } else {
                        MatrixError::Unsorted { origin: i as u32 }
                    });
                }
            }
            Ok(())
        };
        // `find_map_first`: the first failing row in index order, for any thread count.
        if let Some(e) = (0..n)
            .into_par_iter()
            .with_min_len(256)
            .find_map_first(|i| check_row(i).err())
        {
            return Err(e);
        }
        Ok(Self::assume_valid(offsets, dest, persons))
    }

    /// For builders that established the invariants themselves.
    pub(crate) fn assume_valid(offsets: Vec<usize>, dest: Vec<u32>, persons: Vec<u32>) -> Self {
        debug_assert_eq!(offsets.last().copied(), Some(dest.len()));
        let grand_total = persons
            .par_chunks(PAR_FLOWS)
            .map(|c| c.iter().map(|&p| u64::from(p)).sum::<u64>())
            .sum();
        Csr {
            offsets,
            dest,
            persons,
            grand_total,
        }
    }

    /// Number of rows (= columns).
    pub fn n(&self) -> usize {
        self.offsets.len() - 1
    }

    /// Number of stored flows.
    pub fn nnz(&self) -> usize {
        self.dest.len()
    }

    /// Row offsets (`n + 1` entries).
    pub fn offsets(&self) -> &[usize] {
        &self.offsets
    }

    /// Destinations of every flow, row after row.
    pub fn dest(&self) -> &[u32] {
        &self.dest
    }

    /// Persons of every flow, row after row.
    pub fn persons(&self) -> &[u32] {
        &self.persons
    }

    /// Row `i`: destinations (ascending) and persons.
    pub fn row(&self, i: usize) -> (&[u32], &[u32]) {
        let r = self.offsets[i]..self.offsets[i + 1];
        (&self.dest[r.clone()], &self.persons[r])
    }

    /// Persons from `i` to `j` (0 when no flow is stored).
    pub fn get(&self, i: usize, j: usize) -> u32 {
        let (dest, persons) = self.row(i);
        dest.binary_search(&(j as u32)).map_or(0, |k| persons[k])
    }

    /// Sum of every flow (computed once, when built).
    pub fn grand_total(&self) -> u64 {
        self.grand_total
    }

    /// Bytes held by the three arrays.
    pub fn heap_bytes(&self) -> usize {
        self.offsets.len() * std::mem::size_of::<usize>()
            + self.dest.len() * 4
            + self.persons.len() * 4
    }

    /// The transpose (counting sort): row `j` of the result holds the origins of column `j`,
    /// ascending, because rows are visited in order.
    pub fn transpose(&self) -> Csr {
        let n = self.n();
        let mut offsets = vec![0usize; n + 1];
        for &d in &self.dest {
            offsets[d as usize + 1] += 1;
        }
        for j in 0..n {
            offsets[j + 1] += offsets[j];
        }
        let mut next = offsets.clone();
        let mut origin = vec![0u32; self.nnz()];
        let mut persons = vec![0u32; self.nnz()];
        for i in 0..n {
            for k in self.offsets[i]..self.offsets[i + 1] {
                let slot = &mut next[self.dest[k] as usize];
                origin[*slot] = i as u32;
                persons[*slot] = self.persons[k];
                *slot += 1;
            }
        }
        Csr {
            offsets,
            dest: origin,
            persons,
            grand_total: self.grand_total,
        }
    }

    /// The origin of every flow, row after row (the long table's first column).
    pub fn origin_column(&self) -> Vec<u32> {
        let mut out = Vec::with_capacity(self.nnz());
        for i in 0..self.n() {
            out.extend(std::iter::repeat_n(
                i as u32,
                self.offsets[i + 1] - self.offsets[i],
            ));
        }
        out
    }

    /// Builds from triplets in any order (tests, small inputs): rows are sorted and
    /// duplicates refused. Triplet `k` is reported as row `k + 1`.
    ///
    /// # Errors
    /// [`OdError`] for an unknown zone or a duplicate pair.
    pub fn from_triplets(n: usize, flows: &[(u32, u32, u32)]) -> Result<Self, OdError> {
        let mut builder = CsrBuilder::counting(n, flows.len());
        for (k, &(o, _, _)) in flows.iter().enumerate() {
            builder.count_origin(u64::from(o), k as u64 + 1)?;
        }
        builder.start_fill();
        for (k, &(o, d, p)) in flows.iter().enumerate() {
            builder.fill(u64::from(o), u64::from(d), p, k as u64 + 1)?;
        }
        builder.finish()
    }
}

pub(crate) fn check_len(
    what: &'static str,
    expected: usize,
    found: usize,
) -> Result<(), MatrixError> {
    if expected == found {
        Ok(())
    } else {
        Err(MatrixError::Length {
            what,
            expected,
            found,
        })
    }
}

/// Builds a [`Csr`] from a stream of flows read from a table. Two modes:
/// - **sorted** ([`CsrBuilder::sorted`]): flows arrive grouped by ascending origin (what
///   `synth` and most exports write); one pass, arrays sized once from the row count;
/// - **counting** ([`CsrBuilder::counting`]): any order; a first pass counts flows per
///   origin ([`CsrBuilder::count_origin`]), a second scatters them
///   ([`CsrBuilder::fill`]).
///
/// Either way each row is then sorted by destination if it is not already, and a repeated
/// pair is an error.
#[derive(Debug)]
pub struct CsrBuilder {
    n: usize,
    announced: usize,
    offsets: Vec<usize>,
    dest: Vec<u32>,
    persons: Vec<u32>,
    mode: Mode,
}

#[derive(Debug)]
enum Mode {
    Sorted { starts: OriginStarts },
    Counting { cursor: Vec<usize> },
}

/// What [`CsrBuilder::push_sorted`] says about a flow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pushed {
    /// Stored.
    Ok,
    /// The origin is smaller than the previous one: the input is not grouped by origin, so
    /// the caller restarts in counting mode.
    NotSorted,
}

impl CsrBuilder {
    /// A builder for flows grouped by ascending origin; `rows` is the announced row count.
    pub fn sorted(n: usize, rows: usize) -> Self {
        CsrBuilder {
            n,
            announced: rows,
            offsets: Vec::new(),
            dest: Vec::with_capacity(rows),
            persons: Vec::with_capacity(rows),
            mode: Mode::Sorted {
                starts: OriginStarts::default(),
            },
        }
    }

    /// A builder for flows in any order: call [`Self::count_origin`] for every flow, then
    /// [`Self::start_fill`], then [`Self::fill`] for every flow in the same order.
    pub fn counting(n: usize, rows: usize) -> Self {
        CsrBuilder {
            n,
            announced: rows,
            offsets: vec![0; n + 1],
            dest: Vec::new(),
            persons: Vec::new(),
            mode: Mode::Counting { cursor: Vec::new() },
        }
    }

    fn zone(&self, v: u64, column: &'static str, row: SourceRow) -> Result<u32, OdError> {
        if v < self.n as u64 {
            Ok(v as u32)
        } else {
            Err(OdError::UnknownZone {
                row,
                column,
                zone: v,
                n: self.n,
            })
        }
    }

    /// Sorted mode: appends a batch of flows (what one Parquet row group holds); `row0` is the
    /// 0-based row of its first flow. The columns are scanned for their maxima (unknown
    /// zones) and for order, then copied.
    ///
    /// # Errors
    /// Unknown zone (the first offending row) or more rows than announced.
    pub fn push_sorted_batch(
        &mut self,
        origin: &[u32],
        dest: &[u32],
        persons: &[u32],
        row0: u64,
    ) -> Result<Pushed, OdError> {
        // Origins before destinations, as a row-by-row reader would report them.
        check_zones(origin, self.n, "origin", row0)?;
        check_zones(dest, self.n, "destination", row0)?;
        let Mode::Sorted { starts } = &mut self.mode else {
            unreachable!("push_sorted_batch on a counting builder")
        };
        let Some(batch) = OriginStarts::of_batch(origin, self.dest.len()) else {
            return Ok(Pushed::NotSorted);
        };
        if !starts.follows(&batch) {
            return Ok(Pushed::NotSorted);
        }
        if self.dest.len() + origin.len() > self.announced {
            return Err(OdError::TooManyRows {
                announced: self.announced,
            });
        }
        starts.extend(batch);
        self.dest.extend_from_slice(dest);
        self.persons.extend_from_slice(persons);
        Ok(Pushed::Ok)
    }

    /// Counting mode, first pass: one flow's origin.
    ///
    /// # Errors
    /// Unknown zone.
    pub fn count_origin(&mut self, origin: u64, row: SourceRow) -> Result<(), OdError> {
        let o = self.zone(origin, "origin", row)? as usize;
        self.offsets[o + 1] += 1;
        Ok(())
    }

    /// Counting mode: ends the first pass.
    pub fn start_fill(&mut self) {
        for i in 0..self.n {
            self.offsets[i + 1] += self.offsets[i];
        }
        let nnz = self.offsets[self.n];
        self.dest = vec![0u32; nnz];
        self.persons = vec![0u32; nnz];
        self.mode = Mode::Counting {
            cursor: self.offsets[..self.n].to_vec(),
        };
    }

    /// Counting mode, second pass: one flow.
    ///
    /// # Errors
    /// Unknown zone, or more flows for an origin than the first pass counted (the input
    /// changed between passes).
    pub fn fill(
        &mut self,
        origin: u64,
        dest: u64,
        persons: u32,
        row: SourceRow,
    ) -> Result<(), OdError> {
        let o = self.zone(origin, "origin", row)? as usize;
        let d = self.zone(dest, "destination", row)?;
        let Mode::Counting { cursor } = &mut self.mode else {
            unreachable!("fill on a sorted builder")
        };
        let k = cursor[o];
        if k >= self.offsets[o + 1] {
            return Err(OdError::TooManyRows {
                announced: self.announced,
            });
        }
        self.dest[k] = d;
        self.persons[k] = persons;
        cursor[o] += 1;
        Ok(())
    }

    /// Sorts rows by destination where needed and refuses duplicate pairs.
    ///
    /// # Errors
    /// [`OdError::DuplicatePair`].
    pub fn finish(mut self) -> Result<Csr, OdError> {
        if let Mode::Sorted { starts } = &self.mode {
            self.offsets = starts.offsets(self.n, self.dest.len());
        }
        Self::from_sorted_parts(self.offsets, self.dest, self.persons)
    }

    /// The matrix from a valid row pointer and flows whose ids are `< n` (what a reader that
    /// placed every flow in its row has): rows are checked in parallel, and only a row that
    /// is not strictly ascending is sorted (serially: a well-formed file has none); a repeated
    /// pair is an error, reported at the row that ended its origin's block.
    ///
    /// # Errors
    /// [`OdError::DuplicatePair`].
    pub fn from_sorted_parts(
        offsets: Vec<usize>,
        mut dest: Vec<u32>,
        mut persons: Vec<u32>,
    ) -> Result<Csr, OdError> {
        let n = offsets.len() - 1;
        // Without a branch per flow, so that it vectorises over a row.
        let ascending = |i: usize| {
            dest[offsets[i]..offsets[i + 1]]
                .windows(2)
                .fold(true, |ok, w| ok & (w[0] < w[1]))
        };
        let first_unsorted = (0..n)
            .into_par_iter()
            .with_min_len(1024)
            .find_first(|&i| !ascending(i));
        if let Some(first) = first_unsorted {
            let rows_total = dest.len() as u64;
            for i in first..n {
                let r = offsets[i]..offsets[i + 1];
                let row = &mut dest[r.clone()];
                if row.windows(2).all(|w| w[0] < w[1]) {
                    continue;
                }
                let row_persons = &mut persons[r.clone()];
                let mut pairs: Vec<(u32, u32)> = row
                    .iter()
                    .copied()
                    .zip(row_persons.iter().copied())
                    .collect();
                pairs.sort_unstable_by_key(|&(d, _)| d);
                for (k, (d, p)) in pairs.into_iter().enumerate() {
                    row[k] = d;
                    row_persons[k] = p;
                }
                if let Some(w) = row.windows(2).find(|w| w[0] == w[1]) {
                    return Err(OdError::DuplicatePair {
                        origin: i as u32,
                        dest: w[0],
                        row: rows_total.min(r.end as u64),
                    });
                }
            }
        }
        Ok(Csr::assume_valid(offsets, dest, persons))
    }
}

/// The first flow of a batch (rows from `row0`, 0-based) whose zone is not below `n`, as an
/// error naming its 1-based row; what every reader of flows grouped by origin checks.
///
/// # Errors
/// [`OdError::UnknownZone`].
pub fn check_zones(v: &[u32], n: usize, column: &'static str, row0: u64) -> Result<(), OdError> {
    // The maximum first, without a branch per value (it vectorises); the row only on failure.
    if v.is_empty() || (v.iter().fold(0u32, |m, &x| m.max(x)) as usize) < n {
        return Ok(());
    }
    match v.iter().position(|&x| x as usize >= n) {
        Some(k) => Err(OdError::UnknownZone {
            row: row0 + k as u64 + 1,
            column,
            zone: u64::from(v[k]),
            n,
        }),
        None => Ok(()),
    }
}

/// The end of the run of `v[k]` in `v` (ascending): the first index after `k` whose value
/// is larger, found by galloping from `k` and then bisecting the last step.
fn run_end(v: &[u32], k: usize) -> usize {
    let o = v[k];
    // Invariant: v[k..lo] all equal o; the run ends in lo..=hi.
    let mut lo = k + 1;
    let mut step = 1;
    let hi = loop {
        let probe = lo + step - 1;
        if probe >= v.len() {
            break v.len();
        }
        if v[probe] == o {
            lo = probe + 1;
            step *= 2;
        } else {
            break probe;
        }
    };
    lo + v[lo..hi].partition_point(|&x| x == o)
}

/// Where each origin starts, gathered batch by batch (in file order) from flows grouped by
/// ascending origin; the row pointer follows from it. Shared by [`CsrBuilder::sorted`] and
/// the parallel Parquet reader, which finds each batch's starts on its own thread.
#[derive(Debug, Default)]
pub struct OriginStarts {
    /// `(origin, row)` at every change of origin, origins strictly ascending.
    starts: Vec<(u32, usize)>,
}

impl OriginStarts {
    /// The starts within one batch whose first row is `start`; `None` when its origins
    /// descend somewhere.
    pub fn of_batch(origins: &[u32], start: usize) -> Option<Vec<(u32, usize)>> {
        // Order first, a block at a time without a branch per row (so that it vectorises);
        // then each origin's run is skipped by galloping to its end, so a batch of a hundred
        // rows per origin costs a few comparisons per origin, not one per row.
        let ascending = |block: &[u32]| block.windows(2).fold(true, |ok, w| ok & (w[0] <= w[1]));
        if !origins.chunks(4096).all(ascending)
            || !origins
                .chunks(4096)
                .zip(origins.chunks(4096).skip(1))
                .all(|(a, b)| a[a.len() - 1] <= b[0])
        {
            return None;
        }
        let mut out: Vec<(u32, usize)> = Vec::new();
        let mut k = 0;
        while k < origins.len() {
            out.push((origins[k], start + k));
            k = run_end(origins, k);
        }
        Some(out)
    }

    /// Whether `batch` can follow what was gathered (its first origin is not below the last).
    pub fn follows(&self, batch: &[(u32, usize)]) -> bool {
        match (self.starts.last(), batch.first()) {
            (Some(&(l, _)), Some(&(o, _))) => o >= l,
            _ => true,
        }
    }

    /// Appends a batch that [`Self::follows`]; an origin that continues from the last batch
    /// keeps its first start.
    pub fn extend(&mut self, batch: Vec<(u32, usize)>) {
        debug_assert!(self.follows(&batch));
        let continues =
            matches!((self.starts.last(), batch.first()), (Some(a), Some(b)) if a.0 == b.0);
        self.starts
            .extend(batch.into_iter().skip(usize::from(continues)));
    }

    /// The `(origin, row)` pairs gathered.
    pub fn into_starts(self) -> Vec<(u32, usize)> {
        self.starts
    }

    /// The row pointer of `n` rows over `total` flows: `offsets[i]` is the first flow whose
    /// origin is ≥ `i`.
    pub fn offsets(&self, n: usize, total: usize) -> Vec<usize> {
        let mut offsets = Vec::with_capacity(n + 1);
        for &(o, at) in &self.starts {
            while offsets.len() <= o as usize {
                offsets.push(at);
            }
        }
        offsets.resize(n + 1, total);
        offsets
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The row-by-row scan that [`OriginStarts::of_batch`] replaces.
    fn starts_by_scan(origins: &[u32], start: usize) -> Option<Vec<(u32, usize)>> {
        let mut out: Vec<(u32, usize)> = Vec::new();
        for (k, &o) in origins.iter().enumerate() {
            match out.last() {
                Some(&(l, _)) if o == l => {}
                Some(&(l, _)) if o < l => return None,
                _ => out.push((o, start + k)),
            }
        }
        Some(out)
    }

    #[test]
    fn origin_starts_by_galloping() {
        // Runs of 1, 2, 5 and 9,000 rows (across the 4,096-row order blocks), then a descent.
        let mut v = vec![3u32, 4, 4, 7, 7, 7, 7, 7];
        v.extend(std::iter::repeat_n(8u32, 9000));
        v.push(9);
        assert_eq!(
            OriginStarts::of_batch(&v, 10),
            Some(vec![(3, 10), (4, 11), (7, 13), (8, 18), (9, 9018)])
        );
        assert_eq!(OriginStarts::of_batch(&v, 10), starts_by_scan(&v, 10));
        let mut down = v.clone();
        down[4100] = 2;
        assert_eq!(OriginStarts::of_batch(&down, 0), None);
        // A descent exactly at a block boundary.
        let mut edge = vec![5u32; 8192];
        edge[4096..].fill(4);
        assert_eq!(OriginStarts::of_batch(&edge, 0), None);
        assert_eq!(OriginStarts::of_batch(&[], 0), Some(vec![]));
    }

    proptest::proptest! {
        #[test]
        fn origin_starts_match_the_scan(
            runs in proptest::collection::vec((0u32..4, 1usize..70), 0..200),
            descend in proptest::option::of(0usize..10_000),
        ) {
            // Ascending origins from runs of (gap, length); optionally one value lowered.
            let mut v = Vec::new();
            let mut o = 0u32;
            for (gap, len) in runs {
                o += gap;
                v.extend(std::iter::repeat_n(o, len));
            }
            if let Some(at) = descend.filter(|&at| at < v.len()) {
                v[at] = v[at].saturating_sub(1);
            }
            proptest::prop_assert_eq!(OriginStarts::of_batch(&v, 7), starts_by_scan(&v, 7));
        }
    }

    #[test]
    fn sorted_and_counting_builders_agree() {
        let flows = [(0, 1, 5), (0, 0, 7), (2, 1, 3), (1, 2, 4)];
        let a = Csr::from_triplets(3, &flows).unwrap();
        assert_eq!(a.row(0), (&[0u32, 1][..], &[7u32, 5][..]));
        assert_eq!(a.row(1), (&[2u32][..], &[4u32][..]));
        let mut batch = CsrBuilder::sorted(3, 4);
        assert_eq!(
            batch.push_sorted_batch(&[0, 0], &[0, 1], &[7, 5], 0),
            Ok(Pushed::Ok)
        );
        assert_eq!(
            batch.push_sorted_batch(&[1, 2], &[2, 1], &[4, 3], 2),
            Ok(Pushed::Ok)
        );
        assert_eq!(batch.finish().unwrap(), a);
        let mut batch = CsrBuilder::sorted(3, 4);
        assert_eq!(
            batch.push_sorted_batch(&[0, 1], &[0, 3], &[7, 5], 10),
            Err(OdError::UnknownZone {
                row: 12,
                column: "destination",
                zone: 3,
                n: 3
            })
        );
        let mut batch = CsrBuilder::sorted(3, 4);
        assert_eq!(batch.push_sorted_batch(&[1], &[0], &[1], 0), Ok(Pushed::Ok));
        assert_eq!(
            batch.push_sorted_batch(&[0], &[0], &[1], 1),
            Ok(Pushed::NotSorted)
        );
        assert_eq!(
            Csr::from_triplets(3, &[(2, 1, 3), (0, 1, 5), (1, 2, 4), (0, 0, 7)]).unwrap(),
            a
        );
    }

    #[test]
    fn unknown_zone_and_duplicates_are_refused() {
        assert_eq!(
            Csr::from_triplets(2, &[(0, 2, 1)]),
            Err(OdError::UnknownZone {
                row: 1,
                column: "destination",
                zone: 2,
                n: 2
            })
        );
        assert!(matches!(
            Csr::from_triplets(2, &[(1, 0, 1), (0, 1, 1), (1, 0, 2)]),
            Err(OdError::DuplicatePair {
                origin: 1,
                dest: 0,
                ..
            })
        ));
    }
}
