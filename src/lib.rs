//! toshiken: delineate Japan's 連携中枢都市圏 (regional cooperation central-city areas) from the
//! census commuting matrix and municipal boundaries.
//!
//! Data flow: `io` reads files into plain records → `registry` knows every code and the
//! analysis units of a level → `matrix::assemble` maps records to a validated
//! [`matrix::CommuteMatrix`] with a conservation account → kernels in `matrix` compute shares,
//! flows and day/night ratios (serial and `par_` twins) → `commands` write the results.
//! See `ARCHITECTURE.md`.

// Errors here carry their file, record and codes by value. One is built at most once per run
// and ends it, so the size of `Result::Err` costs nothing measurable; boxing every variant
// would only make matching and construction noisier.
#![allow(clippy::result_large_err)]

pub mod areas;
pub mod audit;
pub mod commands;
pub mod dataset;
pub mod geometry;
pub mod graph;
pub mod io;
pub mod matrix;
pub mod region;
pub mod registry;
pub mod report;
pub mod rules;
pub mod zones;

pub use dataset::{Dataset, InputPaths};
pub use matrix::{CommuteMatrix, Metrics, MetricsParams};
pub use registry::{Level, Muni, MuniCode, Registry};
