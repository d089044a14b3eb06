//! OGC validity as GEOS judges it, on geo's validation: geo's `relate` can report two parts of
//! a MultiPolygon as overlapping when they only come close (Naha's candidate area: two parts
//! whose intersection has no area, valid for GEOS). Such a report is checked with a polygon
//! intersection (i_overlay) and dropped when the parts share no area.

use geo::algorithm::validation::{InvalidMultiPolygon, Validation};
use geo::{Area, BooleanOps, MultiPolygon};

/// The first validity problem of `shape`, in words; `None` when it is valid.
pub fn first_problem(shape: &MultiPolygon<f64>) -> Option<String> {
    let mut found = None;
    let _ = shape.visit_validation(Box::new(|problem: InvalidMultiPolygon| {
        if let InvalidMultiPolygon::ElementsOverlaps(i, j) = &problem {
            let shared = shape.0[i.0].intersection(&shape.0[j.0]).unsigned_area();
            if shared == 0.0 {
                return Ok(());
            }
        }
        found = Some(problem.to_string());
        Err(())
    }));
    found
}

/// Whether `shape` is valid (see [`first_problem`]).
pub fn is_valid(shape: &MultiPolygon<f64>) -> bool {
    first_problem(shape).is_none()
}
