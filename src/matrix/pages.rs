//! Large buffers backed by 2 MB pages where the kernel allows it (Linux `MADV_HUGEPAGE`; this
//! machine's THP mode is `madvise`). An 800 MB share buffer then takes 400 page faults
//! instead of 200,000, which is most of the difference between a first and a second run of
//! the kernel, and the random inflow updates miss the TLB less.

/// Buffers smaller than this keep ordinary pages.
const HUGE_FROM: usize = 4 << 20;

/// Asks the kernel to back `[ptr, ptr + bytes)` with huge pages. Best effort: a refusal
/// changes speed only.
fn advise_huge(ptr: *const u8, bytes: usize) {
    #[cfg(target_os = "linux")]
    {
        if bytes < HUGE_FROM {
            return;
        }
        let page = 4096usize;
        let start = (ptr as usize).div_ceil(page) * page;
        let end = (ptr as usize + bytes) / page * page;
        if end > start {
            // SAFETY: the range lies inside one live allocation owned by the caller;
            // MADV_HUGEPAGE changes how pages are backed, never their contents.
            unsafe {
                libc::madvise(start as *mut libc::c_void, end - start, libc::MADV_HUGEPAGE);
            }
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = (ptr, bytes, HUGE_FROM);
}

/// `vec![0.0; n]`, its untouched pages advised huge.
pub fn zeroed_f64(n: usize) -> Vec<f64> {
    let v = vec![0.0f64; n];
    advise_huge(v.as_ptr().cast(), n * 8);
    v
}

/// `vec![0; n]`, its untouched pages advised huge.
pub fn zeroed_u64(n: usize) -> Vec<u64> {
    let v = vec![0u64; n];
    advise_huge(v.as_ptr().cast(), n * 8);
    v
}

/// `vec![0; n]`, its untouched pages advised huge.
pub fn zeroed_u32(n: usize) -> Vec<u32> {
    let v = vec![0u32; n];
    advise_huge(v.as_ptr().cast(), n * 4);
    v
}
