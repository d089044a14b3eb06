//! The commute matrix and its kernels. Every kernel has a serial version and a `par_` rayon
//! twin whose output is identical for any number of threads.

mod assemble;
pub mod commuting_shares;
mod csr;
pub mod day_night;
pub mod flows;
mod metrics;
mod raw;
mod rows;
pub mod top_k;

pub use assemble::{assemble, thousands, AssembleError, Conservation, End};
pub use commuting_shares::{par_shares, shares, ShareDenominator, Threshold};
pub use csr::{CommuteMatrix, MatrixError};
pub use day_night::UnknownInDaytime;
pub use metrics::{Metrics, MetricsParams};
pub use raw::{Location, RawFlow, RawOd, Record, StatedTotal};
