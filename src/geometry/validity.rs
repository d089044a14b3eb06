//! OGC validity as GEOS judges it, on geo's validation: geo's `relate` can report two parts of
//! a MultiPolygon as overlapping when they only come close (Naha's candidate area: two parts
//! whose intersection has no area, valid for GEOS). Such a report is checked with a polygon
//! intersection (i_overlay) and dropped when the parts share no area.

use geo::algorithm::validation::{InvalidMultiPolygon, Validation};
use geo::orient::{Direction, Orient};
use geo::{Area, BooleanOps, MultiPolygon, Polygon};

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

/// The union of `polygons` (each oriented first, as `unary_union` reads the winding of the
/// first ring), exteriors counter-clockwise (RFC 7946): the fallback when an outline or a
/// repair is not valid.
pub fn union_all<'a>(polygons: impl IntoIterator<Item = &'a Polygon<f64>>) -> MultiPolygon<f64> {
    let oriented: Vec<Polygon<f64>> = polygons
        .into_iter()
        .map(|p| p.orient(Direction::Default))
        .collect();
    geo::unary_union(oriented.iter()).orient(Direction::Default)
}
