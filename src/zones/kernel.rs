//! The benchmarked kernel on a zone OD, defined identically for toshiken and its peers
//! (`benches/compare/`):
//! - per zone: `total` (Σ persons of its row, staying included), `staying` (the diagonal),
//!   `outflow = total − staying`, `inflow` (Σ persons to it from other zones), `daytime =
//!   population − outflow + inflow` and `day_night_ratio = daytime / population` (none where
//!   the population is 0);
//! - per flow: `share = persons / total` of its origin, materialised as one `f64` per flow;
//! - centres: the top 1 % of zones by inflow (`ceil(n / 100)`, ties by smaller zone id);
//! - pairs: every flow `origin ≠ destination` into a centre with `persons × 10 ≥ total`
//!   (exact integers: a 0.1 share), in (origin, destination) order.
//!
//! One pass over memory: each row is summed and then, while it is still in cache, its shares
//! are written, its inflow scattered and its ≥ 10 % candidates kept; centres then filter the
//! candidates. Rows are cut into fixed chunks (independent of the thread count) and inflow is
//! reduced with integer sums, so every output is identical for any number of threads.

use std::cmp::Ordering;

use rayon::prelude::*;

use super::od::ZoneOd;

/// Flows per chunk of rows: large enough to amortise scheduling, small enough to balance two
/// to sixteen threads at 10^7 flows.
const CHUNK_FLOWS: usize = 1 << 16;

/// Serial or parallel.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exec {
    /// One thread.
    Serial,
    /// The current rayon pool.
    Parallel,
}

/// A flow with a share of at least 10 %.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Pair {
    /// Origin zone.
    pub origin: u32,
    /// Destination zone (a centre).
    pub dest: u32,
    /// Persons.
    pub persons: u32,
    /// Index of the flow in the OD (its share is `shares[flow]`).
    pub flow: usize,
}

/// Everything the kernel produces.
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
    /// `persons / total` for every flow, in OD order (`NaN` for a zero flow in a zero row).
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

/// Row chunks `[start, end)` of about [`CHUNK_FLOWS`] flows each.
fn row_chunks(od: &ZoneOd) -> Vec<(usize, usize)> {
    let offsets = od.offsets();
    let n = od.n();
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

type Work<'a> = Vec<((usize, usize), &'a mut [f64])>;

struct ChunkOut {
    total: Vec<u64>,
    staying: Vec<u64>,
    candidates: Vec<Pair>,
}

/// Sums, shares, inflow and candidates for rows `rows`; `shares` is the chunk's slice.
fn chunk_pass(
    od: &ZoneOd,
    rows: (usize, usize),
    shares: &mut [f64],
    inflow: &mut [u64],
) -> ChunkOut {
    let offsets = od.offsets();
    let base = offsets[rows.0];
    let mut out = ChunkOut {
        total: Vec::with_capacity(rows.1 - rows.0),
        staying: Vec::with_capacity(rows.1 - rows.0),
        candidates: Vec::new(),
    };
    for i in rows.0..rows.1 {
        let (dest, persons) = od.row(i);
        // Separate simple loops, each one the compiler can vectorise or pipeline; the row is
        // in L1 after the first.
        let total: u64 = persons.iter().map(|&p| u64::from(p)).sum();
        let staying = dest
            .binary_search(&(i as u32))
            .map_or(0, |k| u64::from(persons[k]));
        let start = offsets[i] - base;
        let out_shares = &mut shares[start..start + dest.len()];
        if total > 0 {
            // A division, not a multiplication by 1/t: the peers divide, and the shares
            // agree to the bit.
            let t = total as f64;
            for (s, &p) in out_shares.iter_mut().zip(persons) {
                *s = f64::from(p) / t;
            }
            // Inflow and the ≥ 10 % candidates in one scalar pass:
            // persons × 10 ≥ total ⇔ persons ≥ ⌈total / 10⌉.
            let least = total.div_ceil(10);
            let first = offsets[i];
            for (k, (&d, &p)) in dest.iter().zip(persons).enumerate() {
                inflow[d as usize] += u64::from(p);
                if u64::from(p) >= least && d as usize != i {
                    out.candidates.push(Pair {
                        origin: i as u32,
                        dest: d,
                        persons: p,
                        flow: first + k,
                    });
                }
            }
        } else {
            out_shares.fill(f64::NAN);
        }
        inflow[i] -= staying;
        out.total.push(total);
        out.staying.push(staying);
    }
    out
}

impl ZoneMetrics {
    /// Runs the kernel. `population[z]` is zone `z`'s resident population.
    ///
    /// # Panics
    /// If `population.len() != od.n()` (the loader aligns them).
    pub fn compute(od: &ZoneOd, population: &[u64], exec: Exec) -> Self {
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
    pub fn compute_into(
        od: &ZoneOd,
        population: &[u64],
        exec: Exec,
        shares: &mut Vec<f64>,
    ) -> Self {
        let n = od.n();
        assert_eq!(
            population.len(),
            n,
            "population must have one entry per zone"
        );
        if shares.len() != od.nnz() {
            // Zeroed by the allocator (fresh pages), so the kernel's parallel writes are the
            // first touch rather than a serial fill here.
            *shares = super::pages::zeroed_f64(od.nnz());
        }
        let chunks = row_chunks(od);
        // The shares buffer cut into one slice per chunk.
        let mut slices: Vec<&mut [f64]> = Vec::with_capacity(chunks.len());
        let mut rest: &mut [f64] = shares;
        for &(a, b) in &chunks {
            let len = od.offsets()[b] - od.offsets()[a];
            let (head, tail) = rest.split_at_mut(len);
            slices.push(head);
            rest = tail;
        }
        let work: Work<'_> = chunks.iter().copied().zip(slices).collect();
        let (outs, inflow_parts): (Vec<ChunkOut>, Vec<u64>) = match exec {
            Exec::Serial => {
                let mut inflow = vec![0u64; n];
                let outs = work
                    .into_iter()
                    .map(|(rows, s)| chunk_pass(od, rows, s, &mut inflow))
                    .collect();
                (outs, inflow)
            }
            Exec::Parallel => {
                // One contiguous run of chunks per thread, each with its own inflow vector
                // (chunks hold equal numbers of flows, so the runs are balanced); integer
                // sums make the order of the final addition irrelevant. A fold would make
                // one vector per rayon split, several per thread: 8 MB each at 10^6 zones.
                let groups = rayon::current_num_threads().clamp(1, work.len().max(1));
                let per = work.len().div_ceil(groups).max(1);
                let mut runs: Vec<Work<'_>> = Vec::with_capacity(groups);
                let mut rest = work.into_iter();
                loop {
                    let run: Work<'_> = rest.by_ref().take(per).collect();
                    if run.is_empty() {
                        break;
                    }
                    runs.push(run);
                }
                let results: Vec<(Vec<ChunkOut>, Vec<u64>)> = runs
                    .into_par_iter()
                    .map(|run| {
                        let mut inflow = super::pages::zeroed_u64(n);
                        let outs = run
                            .into_iter()
                            .map(|(rows, s)| chunk_pass(od, rows, s, &mut inflow))
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
                            .for_each(|(a, b)| *a += b),
                    }
                }
                (outs, inflow.unwrap_or_else(|| vec![0u64; n]))
            }
        };
        let inflow = inflow_parts;
        let mut total = Vec::with_capacity(n);
        let mut staying = Vec::with_capacity(n);
        let mut candidates = Vec::new();
        for o in outs {
            total.extend(o.total);
            staying.extend(o.staying);
            candidates.extend(o.candidates);
        }
        let outflow: Vec<u64> = total.iter().zip(&staying).map(|(t, s)| t - s).collect();
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
        let pairs = candidates
            .into_iter()
            .filter(|p| is_centre[p.dest as usize])
            .collect();
        ZoneMetrics {
            total,
            staying,
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

/// The memory roofline of the kernel: a STREAM-style copy of the bytes it must read (the
/// flows' destinations and persons, 8 bytes per flow) into a buffer the size of what it must
/// write (one `f64` share per flow), cut into the same chunks and run on the same pool.
/// Returns the bytes moved (read + written).
pub fn stream_copy(od: &ZoneOd, out: &mut [f64], exec: Exec) -> usize {
    let n = od.nnz();
    assert_eq!(out.len(), n, "the copy target has one f64 per flow");
    let dest = od.dest();
    let persons = od.persons();
    let copy = |(k, chunk): (usize, &mut [f64])| {
        let a = k * CHUNK_FLOWS;
        let len = chunk.len();
        // SAFETY-free reinterpretation: view the f64 chunk as u32 words and copy the two
        // source arrays into its halves; the bytes moved are what matters.
        let words: &mut [u32] = bytemuck_u32(chunk);
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
fn bytemuck_u32(s: &mut [f64]) -> &mut [u32] {
    let len = s.len() * 2;
    // SAFETY: f64 has size 8 and alignment ≥ that of u32; every bit pattern is a valid u32
    // and the slice is exclusively borrowed for the lifetime of the result.
    unsafe { std::slice::from_raw_parts_mut(s.as_mut_ptr().cast::<u32>(), len) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hand_computed_example() {
        // Zone 0: 6 stay, 4 to 1 (40 %). Zone 1: 9 stay, 1 to 0 (10 %: 1 × 10 ≥ 10).
        // Zone 2: 19 to 1 (95 %), 1 to 0 (5 %). Populations 20, 30, 25.
        let od = ZoneOd::from_triplets(
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
    }

    #[test]
    fn ties_go_to_the_smaller_zone() {
        assert_eq!(top_by_inflow(&[5, 9, 9, 1], 2), vec![1, 2]);
        assert_eq!(top_by_inflow(&[5, 9, 9, 1], 3), vec![1, 2, 0]);
        assert_eq!(centre_count(1741), 18);
        assert_eq!(centre_count(100), 1);
    }
}
