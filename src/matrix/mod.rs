//! The one OD core. [`Csr`] is the single matrix type (census units and zones); the one
//! kernel ([`kernel::row_pass`]) computes every per-row figure in one pass, serially or in
//! parallel with identical output; [`CommuteMatrix`] adds what the census has beyond flows
//! (unknown destinations, rows without data, the transpose the rules read columns from).

mod assemble;
mod commute;
pub mod commuting_shares;
mod csr;
pub mod day_night;
pub mod kernel;
mod metrics;
mod raw;

pub use assemble::{assemble, thousands, AssembleError, Conservation, End};
pub use commute::CommuteMatrix;
pub use commuting_shares::{par_shares, shares, ShareDenominator, Threshold};
pub use csr::{
    check_zones, Csr, CsrBuilder, MatrixError, OdError, OriginStarts, Pushed, SourceRow,
};
pub use day_night::UnknownInDaytime;
pub use kernel::{row_pass, stream_copy, Exec, Pair, PassOptions, RowPass};
pub use metrics::{Metrics, MetricsParams};
pub use raw::{Location, RawFlow, RawOd, Record, StatedTotal};
