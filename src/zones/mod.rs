//! Fine-grained zone OD (mesh cells, mobile-phone OD, `synth`): dense zone ids instead of
//! municipality codes, a lean CSR without transpose, the benchmarked kernel and the
//! synthetic generator. The census path (`matrix`) keeps its registry and conservation
//! account; this path is for 10^5–10^6 zones and 10^8 flows.

mod kernel;
mod od;
mod pages;
pub mod synth;

pub use kernel::{centre_count, stream_copy, top_by_inflow, Exec, Pair, ZoneMetrics};
pub use od::{Pushed, SourceRow, ZoneOd, ZoneOdBuilder, ZoneOdError};
