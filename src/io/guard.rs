//! polars' Parquet decoder can panic on a damaged file (an assertion in polars-arrow, on one
//! of its worker threads) instead of returning an error. [`decode`] turns such a panic into
//! "not a readable Parquet file" and keeps its message off the user's terminal.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Once;

/// Decodes running now: while above zero, panics print nothing (they become read errors).
static DECODING: AtomicUsize = AtomicUsize::new(0);
static HOOK: Once = Once::new();

/// Runs `f`, a polars decode; `None` if it panicked.
pub(crate) fn decode<T>(f: impl FnOnce() -> T) -> Option<T> {
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if DECODING.load(Ordering::SeqCst) == 0 {
                previous(info);
            }
        }));
    });
    DECODING.fetch_add(1, Ordering::SeqCst);
    let result = catch_unwind(AssertUnwindSafe(f));
    DECODING.fetch_sub(1, Ordering::SeqCst);
    result.ok()
}
