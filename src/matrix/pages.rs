//! Large zeroed buffers, first touched by the code that fills them.
//!
//! `vec![0; n]` of this size is `calloc`: fresh pages from the system, zeroed by the kernel on
//! first touch, so the parallel writers of the kernel and the loader pay for their own pages
//! on their own threads instead of a serial fill here. These buffers used to be advised to
//! 2 MB pages (`MADV_HUGEPAGE`); on the reference machine (THP `defrag = madvise`) that made
//! every first touch wait for memory compaction: the kernel's first run at 10^8 flows took
//! 1.0–1.4 s instead of 0.37–0.46 s and the load 1.3–1.9 s instead of 1.0 s (BENCHMARKS.md,
//! "First touch"), so they keep ordinary pages.

/// `vec![0.0; n]`.
pub fn zeroed_f64(n: usize) -> Vec<f64> {
    vec![0.0f64; n]
}

/// `vec![0; n]`.
pub fn zeroed_u64(n: usize) -> Vec<u64> {
    vec![0u64; n]
}

/// `vec![0; n]`.
pub fn zeroed_u32(n: usize) -> Vec<u32> {
    vec![0u32; n]
}
