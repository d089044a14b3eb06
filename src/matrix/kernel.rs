//! The one kernel: every per-row figure of a [`Csr`] in one pass over memory. `metrics` on the
//! census ([`super::Metrics`]), `metrics --zones` and the benchmark (`zones::ZoneMetrics`),
//! and the share vector ([`super::shares`]) all run it; nothing else walks the flows.
//!
//! Per row `i` (origin), while the row is in cache: `known` (Σ persons, staying included),
//! `staying` (the diagonal), the share of every flow (`persons / denominator`, when asked),
//! the inflow of every destination (scattered, the diagonal taken back out), the flows that
//! meet a threshold (`persons × den ≥ num × denominator`, exact integers, when asked) and the
//! `k` largest other destinations (when asked). The denominator is `known + unknown` (all
//! resident commuters) or `known` ([`ShareDenominator`]); a zone OD has no unknowns.
//!
//! Rows are cut into chunks of about [`CHUNK_FLOWS`] flows, fixed by the matrix and not by
//! the thread count; each row is reduced sequentially, each thread sums inflow for a
//! contiguous run of chunks in its own integer vector and the vectors are added, so every
//! output — shares included — is identical for any number of threads.

use rayon::prelude::*;

use super::commuting_shares::{ShareDenominator, Threshold};
use super::csr::Csr;

/// Flows per chunk of rows: large enough to amortise scheduling, small enough to balance two
/// to sixteen threads at 10^7 flows.
pub const CHUNK_FLOWS: usize = 1 << 16;

/// Serial or parallel execution; both give identical results.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exec {
    /// One thread.
    Serial,
    /// The current rayon pool.
    Parallel,
}

/// What the pass computes besides the sums.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PassOptions {
    /// What shares and the threshold divide by.
    pub denominator: ShareDenominator,
    /// Keep the flows (origin ≠ destination) that meet this share.
    pub threshold: Option<Threshold>,
    /// Keep this many largest other destinations per row (0: none).
    pub top_k: usize,
}

impl Default for PassOptions {
    fn default() -> Self {
        PassOptions {
            denominator: ShareDenominator::AllCommuters,
            threshold: None,
            top_k: 0,
        }
    }
}

/// A flow that met the threshold.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Pair {
    /// Origin.
    pub origin: u32,
    /// Destination.
    pub dest: u32,
    /// Persons.
    pub persons: u32,
    /// Index of the flow in the matrix (its share is `shares[flow]` when materialised).
    pub flow: usize,
}

/// Everything one pass produces, per row in index order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RowPass {
    /// Σ persons of the row (known destinations, staying included).
    pub known: Vec<u64>,
    /// The diagonal.
    pub staying: Vec<u64>,
    /// Persons arriving from other rows (column sum without the diagonal).
    pub inflow: Vec<u64>,
    /// The share denominator of each row under the chosen convention.
    pub denominator: Vec<u64>,
    /// Flows meeting the threshold, in (origin, destination) order (empty without one).
    pub pairs: Vec<Pair>,
    /// The `k` largest other destinations `(dest, persons)` per row, persons descending, ties
    /// to the lower id (empty when `top_k` is 0).
    pub top: Vec<Vec<(u32, u32)>>,
}

impl RowPass {
    /// `known − staying`: persons leaving for another known row.
    pub fn outflow(&self) -> Vec<u64> {
        self.known
            .iter()
            .zip(&self.staying)
            .map(|(k, s)| k - s)
            .collect()
    }

    /// The share of a flow of `persons` from row `i`, exactly as the pass computes it
    /// (one IEEE division; NaN for a zero denominator).
    pub fn share(&self, i: usize, persons: u32) -> f64 {
        share(persons, self.denominator[i])
    }
}

/// The share of a flow of `persons` out of `denominator`, exactly as the pass writes it: one
/// IEEE division (NaN for a zero denominator).
pub fn share(persons: u32, denominator: u64) -> f64 {
    if denominator == 0 {
        f64::NAN
    } else {
        // A division, not a multiplication by 1/d: the peers divide, and the shares agree
        // to the bit.
        f64::from(persons) / denominator as f64
    }
}

/// Runs the pass over `m`. `unknown[i]` are row `i`'s unknown destinations (empty slice: none,
/// as for zones). With `shares`, the buffer is resized to the flow count (fresh pages, first
/// touched by the pass itself) or reused when it already has that length, and holds the share
/// of every flow in matrix order.
///
/// # Panics
/// If `unknown` is neither empty nor of length `m.n()` (a caller bug).
pub fn row_pass(
    m: &Csr,
    unknown: &[u64],
    options: &PassOptions,
    shares: Option<&mut Vec<f64>>,
    exec: Exec,
) -> RowPass {
    let n = m.n();
    assert!(
        unknown.is_empty() || unknown.len() == n,
        "unknown must be empty or have one entry per row"
    );
    let chunks = row_chunks(m);
    let mut slices: Vec<Option<&mut [f64]>> = Vec::with_capacity(chunks.len());
    match shares {
        Some(buffer) => {
            if buffer.len() != m.nnz() {
                // Fresh zeroed pages (calloc), first touched by the pass's own parallel
                // writers. Not advised to 2 MB pages: with THP `defrag = madvise` every first
                // touch then waited for compaction (BENCHMARKS.md, "First touch").
                *buffer = vec![0.0; m.nnz()];
            }
            let mut rest: &mut [f64] = buffer;
            for &(a, b) in &chunks {
                let (head, tail) = rest.split_at_mut(m.offsets()[b] - m.offsets()[a]);
                slices.push(Some(head));
                rest = tail;
            }
        }
        None => slices.extend(chunks.iter().map(|_| None)),
    }
    let ctx = Ctx {
        m,
        unknown,
        options,
    };
    let work: Vec<Work<'_>> = chunks.iter().copied().zip(slices).collect();
    let (outs, inflow) = match exec {
        Exec::Serial => {
            let mut inflow = vec![0u64; n];
            let outs: Vec<ChunkOut> = work
                .into_iter()
                .map(|(rows, s)| ctx.chunk(rows, s, &mut inflow))
                .collect();
            (outs, inflow)
        }
        Exec::Parallel => {
            // One contiguous run of chunks per thread, each with its own inflow vector
            // (chunks hold equal numbers of flows, so the runs are balanced); integer sums
            // make the order of the final addition irrelevant. A rayon fold would make one
            // vector per split, several per thread: 8 MB each at 10^6 zones.
            let groups = rayon::current_num_threads().clamp(1, work.len().max(1));
            let per = work.len().div_ceil(groups).max(1);
            let mut runs = Vec::with_capacity(groups);
            let mut rest = work.into_iter();
            loop {
                let run: Vec<_> = rest.by_ref().take(per).collect();
                if run.is_empty() {
                    break;
                }
                runs.push(run);
            }
            let results: Vec<(Vec<ChunkOut>, Vec<u64>)> = runs
                .into_par_iter()
                .map(|run| {
                    let mut inflow = vec![0u64; n];
                    let outs = run
                        .into_iter()
                        .map(|(rows, s)| ctx.chunk(rows, s, &mut inflow))
                        .collect();
                    (outs, inflow)
                })
                .collect();
            let mut outs = Vec::with_capacity(chunks.len());
            let mut inflow: Option<Vec<u64>> = None;
            for (o, part) in results {
                outs.extend(o);
                match inflow.as_mut() {
                    None => inflow = Some(part),
                    Some(acc) => acc
                        .par_iter_mut()
                        .zip(part.par_iter())
                        .with_min_len(4096)
                        .for_each(|(a, b)| *a += b),
                }
            }
            (outs, inflow.unwrap_or_else(|| vec![0u64; n]))
        }
    };
    let mut pass = RowPass {
        known: Vec::with_capacity(n),
        staying: Vec::with_capacity(n),
        inflow,
        denominator: Vec::with_capacity(n),
        pairs: Vec::new(),
        top: Vec::with_capacity(if options.top_k > 0 { n } else { 0 }),
    };
    for o in outs {
        pass.known.extend(o.known);
        pass.staying.extend(o.staying);
        pass.denominator.extend(o.denominator);
        pass.pairs.extend(o.pairs);
        pass.top.extend(o.top);
    }
    pass
}

/// Row chunks `[start, end)` of about [`CHUNK_FLOWS`] flows each.
fn row_chunks(m: &Csr) -> Vec<(usize, usize)> {
    let offsets = m.offsets();
    let n = m.n();
    let mut chunks = Vec::new();
    let mut start = 0;
    while start < n {
        let target = offsets[start] + CHUNK_FLOWS;
        // First row whose start offset reaches the target, at least one row further.
        let end = offsets[start + 1..=n]
            .partition_point(|&o| o < target)
            .max(1)
            .min(n - start)
            + start;
        chunks.push((start, end));
        start = end;
    }
    chunks
}

/// A chunk's rows and its slice of the share buffer (when shares are materialised).
type Work<'a> = ((usize, usize), Option<&'a mut [f64]>);

struct Ctx<'a> {
    m: &'a Csr,
    unknown: &'a [u64],
    options: &'a PassOptions,
}

struct ChunkOut {
    known: Vec<u64>,
    staying: Vec<u64>,
    denominator: Vec<u64>,
    pairs: Vec<Pair>,
    top: Vec<Vec<(u32, u32)>>,
}

impl Ctx<'_> {
    /// Rows `rows.0..rows.1`; `shares` is the chunk's slice of the share buffer.
    fn chunk(
        &self,
        rows: (usize, usize),
        mut shares: Option<&mut [f64]>,
        inflow: &mut [u64],
    ) -> ChunkOut {
        let m = self.m;
        let offsets = m.offsets();
        let base = offsets[rows.0];
        let len = rows.1 - rows.0;
        let k_top = self.options.top_k;
        let mut out = ChunkOut {
            known: Vec::with_capacity(len),
            staying: Vec::with_capacity(len),
            denominator: Vec::with_capacity(len),
            pairs: Vec::new(),
            top: Vec::with_capacity(if k_top > 0 { len } else { 0 }),
        };
        for i in rows.0..rows.1 {
            let (dest, persons) = m.row(i);
            // Separate simple loops, each one the compiler can vectorise or pipeline; the row
            // is in L1 after the first.
            let known: u64 = persons.iter().map(|&p| u64::from(p)).sum();
            let staying = dest
                .binary_search(&(i as u32))
                .map_or(0, |k| u64::from(persons[k]));
            let denominator = match self.options.denominator {
                ShareDenominator::AllCommuters => known + self.unknown.get(i).copied().unwrap_or(0),
                ShareDenominator::KnownDestinations => known,
            };
            if let Some(shares) = shares.as_deref_mut() {
                let start = offsets[i] - base;
                let out_shares = &mut shares[start..start + dest.len()];
                if denominator > 0 {
                    let d = denominator as f64;
                    for (s, &p) in out_shares.iter_mut().zip(persons) {
                        *s = f64::from(p) / d;
                    }
                } else {
                    out_shares.fill(f64::NAN);
                }
            }
            for (&d, &p) in dest.iter().zip(persons) {
                inflow[d as usize] += u64::from(p);
            }
            inflow[i] -= staying;
            if let Some(t) = self.options.threshold.filter(|_| denominator > 0) {
                // persons × den ≥ num × D ⇔ persons ≥ ⌈num × D / den⌉, decided once per row.
                let least = t.least_persons(denominator);
                let first = offsets[i];
                for (k, (&d, &p)) in dest.iter().zip(persons).enumerate() {
                    if u64::from(p) >= least && d as usize != i {
                        out.pairs.push(Pair {
                            origin: i as u32,
                            dest: d,
                            persons: p,
                            flow: first + k,
                        });
                    }
                }
            }
            if k_top > 0 {
                let mut best: Vec<(u32, u32)> = Vec::with_capacity(k_top + 1);
                for (&d, &p) in dest.iter().zip(persons) {
                    if d as usize != i {
                        push_top(&mut best, k_top, d, p);
                    }
                }
                out.top.push(best);
            }
            out.known.push(known);
            out.staying.push(staying);
            out.denominator.push(denominator);
        }
        out
    }
}

/// Offers `(d, p)` to `best`, the `k` largest so far by persons descending. Rows are visited
/// ascending by destination, so among equal persons the earlier entry (lower index) keeps its
/// place: the new one goes after every entry with persons ≥ `p`.
fn push_top(best: &mut Vec<(u32, u32)>, k: usize, d: u32, p: u32) {
    let at = best.partition_point(|&(_, q)| q >= p);
    if at < k {
        best.insert(at, (d, p));
        best.truncate(k);
    }
}

/// The memory roofline of the pass with shares: a STREAM-style copy of the bytes it must read
/// (the flows' destinations and persons, 8 bytes per flow) into a buffer the size of what it
/// must write (one `f64` share per flow), cut into the same chunks and run on the same pool.
/// Returns the bytes moved (read + written).
///
/// # Panics
/// If `out.len() != m.nnz()`.
pub fn stream_copy(m: &Csr, out: &mut [f64], exec: Exec) -> usize {
    let n = m.nnz();
    assert_eq!(out.len(), n, "the copy target has one f64 per flow");
    let dest = m.dest();
    let persons = m.persons();
    let copy = |(k, chunk): (usize, &mut [f64])| {
        let a = k * CHUNK_FLOWS;
        let len = chunk.len();
        // View the f64 chunk as u32 words and copy the two source arrays into its halves;
        // the bytes moved are what matters.
        let words: &mut [u32] = as_u32_words(chunk);
        let (lo, hi) = words.split_at_mut(len);
        lo.copy_from_slice(&dest[a..a + len]);
        hi.copy_from_slice(&persons[a..a + len]);
    };
    match exec {
        Exec::Serial => out.chunks_mut(CHUNK_FLOWS).enumerate().for_each(copy),
        Exec::Parallel => out.par_chunks_mut(CHUNK_FLOWS).enumerate().for_each(copy),
    }
    n * 16
}

/// An `f64` slice as twice as many `u32` words.
fn as_u32_words(s: &mut [f64]) -> &mut [u32] {
    let len = s.len() * 2;
    // SAFETY: f64 has size 8 and alignment ≥ that of u32; every bit pattern is a valid u32
    // and the slice is exclusively borrowed for the lifetime of the result.
    unsafe { std::slice::from_raw_parts_mut(s.as_mut_ptr().cast::<u32>(), len) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hand_computed_pass_with_unknowns() {
        // Row 0: 5 stay, 7 to 1, 7 to 2, 1 to 3, 1 unknown (denominator 21).
        // Row 1: 2 to 0. Row 2: 9 stay, 2 unknown. Row 3: 4 to 0, 4 to 1.
        let m = Csr::from_triplets(
            4,
            &[
                (0, 0, 5),
                (0, 1, 7),
                (0, 2, 7),
                (0, 3, 1),
                (1, 0, 2),
                (2, 2, 9),
                (3, 1, 4),
                (3, 0, 4),
            ],
        )
        .unwrap();
        let options = PassOptions {
            denominator: ShareDenominator::AllCommuters,
            threshold: Threshold::new(1, 3),
            top_k: 2,
        };
        let mut shares = Vec::new();
        let p = row_pass(&m, &[1, 0, 2, 0], &options, Some(&mut shares), Exec::Serial);
        assert_eq!(p.known, vec![20, 2, 9, 8]);
        assert_eq!(p.staying, vec![5, 0, 9, 0]);
        assert_eq!(p.outflow(), vec![15, 2, 0, 8]);
        assert_eq!(p.inflow, vec![2 + 4, 7 + 4, 7, 1]);
        assert_eq!(p.denominator, vec![21, 2, 11, 8]);
        // ≥ 1/3: 7/21 exactly (7 × 3 ≥ 1 × 21) twice, 2/2, 4/8 twice; 5/21 is staying.
        let pairs: Vec<_> = p.pairs.iter().map(|q| (q.origin, q.dest, q.flow)).collect();
        assert_eq!(
            pairs,
            vec![(0, 1, 1), (0, 2, 2), (1, 0, 4), (3, 0, 6), (3, 1, 7)]
        );
        assert_eq!(p.top[0], vec![(1, 7), (2, 7)]);
        assert_eq!(p.top[3], vec![(0, 4), (1, 4)]);
        assert_eq!(shares[1], 7.0 / 21.0);
        assert_eq!(shares[5], 9.0 / 11.0);
        assert_eq!(p.share(0, 7), shares[1]);
        let known = PassOptions {
            denominator: ShareDenominator::KnownDestinations,
            ..options
        };
        assert_eq!(
            row_pass(&m, &[1, 0, 2, 0], &known, None, Exec::Parallel).denominator,
            vec![20, 2, 9, 8]
        );
        assert_eq!(
            row_pass(&m, &[1, 0, 2, 0], &options, None, Exec::Parallel),
            p
        );
    }
}
