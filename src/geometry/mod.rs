//! Geometry of the analysis units: shapes rolled up to units, shared-edge keys, dissolve and
//! adjacency. Coordinates are lon/lat degrees as in N03.

mod adjacency;
mod dissolve;
mod distance;
mod edges;
mod unit_shapes;
pub mod validity;

pub use adjacency::{adjacency, par_adjacency, Adjacency};
pub use dissolve::dissolve;
pub use distance::distance_km;
pub use unit_shapes::{unit_shapes, ShapeReport, UnitShapes, JAPAN_LAT, JAPAN_LON};
