//! Fine-grained zone OD (mesh cells, mobile-phone OD, `synth`): dense zone ids instead of
//! municipality codes, held in the one [`crate::matrix::Csr`] and computed by the one kernel.
//! `metrics.rs` is the benchmarked computation (per-zone table, top 1 % centres, ≥ 10 % pairs,
//! shares materialised or on demand); `synth.rs` the synthetic generator.

mod metrics;
pub mod synth;

pub use metrics::{centre_count, top_by_inflow, ZoneMetrics};
