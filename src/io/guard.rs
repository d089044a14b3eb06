//! polars' Parquet decoder can panic on a damaged file (an assertion in polars-arrow, on one
//! of its worker threads) instead of returning an error, and so can the parquet crate's page
//! reader. [`decode`] turns such a panic into "not a readable Parquet file" and keeps its
//! message off the user's terminal.
//!
//! Only the decoding thread's panics, and those of polars' own pool threads while a decode
//! runs, are silenced: decodes now run on several of toshiken's threads at once (one per row
//! group and column of a zone OD), and a panic anywhere else — a bug of ours — must still be
//! shown.

use std::cell::Cell;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Once;

/// Decodes running now, on any thread.
static DECODING: AtomicUsize = AtomicUsize::new(0);
static HOOK: Once = Once::new();

thread_local! {
    /// Decodes running on this thread.
    static HERE: Cell<usize> = const { Cell::new(0) };
}

/// Whether a panic is silenced: on a thread that is decoding, or on one of polars' pool
/// threads (named `polars-N`) while some decode runs.
fn silenced(decoding_here: bool, decoding_anywhere: bool, thread: Option<&str>) -> bool {
    decoding_here || (decoding_anywhere && thread.is_some_and(|n| n.starts_with("polars")))
}

/// Runs `f`, a Parquet decode; `None` if it panicked.
pub(crate) fn decode<T>(f: impl FnOnce() -> T) -> Option<T> {
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let here = HERE.try_with(|h| h.get() > 0).unwrap_or(false);
            let anywhere = DECODING.load(Ordering::SeqCst) > 0;
            if !silenced(here, anywhere, std::thread::current().name()) {
                previous(info);
            }
        }));
    });
    DECODING.fetch_add(1, Ordering::SeqCst);
    HERE.with(|h| h.set(h.get() + 1));
    let result = catch_unwind(AssertUnwindSafe(f));
    HERE.with(|h| h.set(h.get() - 1));
    DECODING.fetch_sub(1, Ordering::SeqCst);
    result.ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_decoding_threads_and_polars_pool_threads_are_silenced() {
        // The thread running the decode.
        assert!(silenced(true, true, Some("main")));
        // polars' pool while a decode runs, and not otherwise.
        assert!(silenced(false, true, Some("polars-3")));
        assert!(!silenced(false, false, Some("polars-3")));
        // Another of toshiken's threads (a rayon worker, unnamed) while a decode runs elsewhere.
        assert!(!silenced(false, true, None));
        assert!(!silenced(false, true, Some("main")));
    }

    #[test]
    fn a_panicking_decode_is_none_and_the_next_one_runs() {
        assert_eq!(decode(|| -> u8 { panic!("damaged page") }), None);
        assert_eq!(decode(|| 7), Some(7));
        assert_eq!(HERE.with(Cell::get), 0);
    }
}
