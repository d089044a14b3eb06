//! OGC validity as GEOS judges it, on geo's validation rules: geo's `relate` can report two
//! parts of a MultiPolygon as overlapping when they only come close (Naha's candidate area: two
//! parts whose intersection has no area, valid for GEOS). Such a report is checked with a
//! polygon intersection (i_overlay) and dropped when the parts share no area.
//!
//! The checks are geo 0.33's `Validation` for `Polygon` and `MultiPolygon`, clause for clause
//! and in the same order, with the same error values (so the same messages), but with two
//! costs removed that made full-resolution N03 take minutes: a ring's self-intersection test
//! compares each segment with the segments whose bounding boxes meet its own (an R-tree,
//! `rstar`) instead of with every segment of the ring (geo compares all pairs: a coastline of
//! 100,000 vertices is 10¹⁰ tests), and the parts of a MultiPolygon are related only when their
//! bounding boxes meet (parts apart can neither overlap nor touch on a line). The unit tests
//! compare every error with geo's on shapes made to break each rule.

use geo::algorithm::validation::{
    CoordIndex, GeometryIndex, InvalidMultiPolygon, InvalidPolygon, RingRole,
};
use geo::coordinate_position::CoordPos;
use geo::dimensions::Dimensions;
use geo::orient::{Direction, Orient};
use geo::{
    Area, BooleanOps, BoundingRect, HasDimensions, Intersects, Line, LineString, MultiPolygon,
    Polygon, PreparedGeometry, Relate, RemoveRepeatedPoints,
};
use rstar::primitives::{GeomWithData, Rectangle};
use rstar::{RTree, RTreeObject, AABB};

/// The first validity problem of `shape`, in words; `None` when it is valid.
pub fn first_problem(shape: &MultiPolygon<f64>) -> Option<String> {
    let mut found = None;
    visit_multi_polygon(shape, &mut |problem| {
        if let InvalidMultiPolygon::ElementsOverlaps(i, j) = &problem {
            let shared = shape.0[i.0].intersection(&shape.0[j.0]).unsigned_area();
            if shared == 0.0 {
                return false;
            }
        }
        found = Some(problem.to_string());
        true
    });
    found
}

/// Whether `shape` is valid (see [`first_problem`]).
pub fn is_valid(shape: &MultiPolygon<f64>) -> bool {
    first_problem(shape).is_none()
}

/// Whether one polygon is valid as geo judges it (no overlap check between parts applies).
pub fn polygon_is_valid(polygon: &Polygon<f64>) -> bool {
    let mut valid = true;
    visit_polygon(polygon, &mut |_| {
        valid = false;
        true
    });
    valid
}

/// geo's `linestring_has_self_intersection`: two segments of the ring that intersect, other
/// than one ending where the other starts. Segments are paired through an R-tree of their
/// bounding boxes (inclusive, so segments that only touch are paired too).
fn ring_self_intersects(ring: &LineString<f64>) -> bool {
    let lines: Vec<Line<f64>> = ring.lines().collect();
    let crossing =
        |a: &Line<f64>, b: &Line<f64>| a.intersects(b) && a.start != b.end && a.end != b.start;
    // Small rings, and any ring with a coordinate that is not a number (an R-tree cannot
    // order it), are compared pair by pair as geo does.
    let finite = ring.0.iter().all(|c| c.x.is_finite() && c.y.is_finite());
    if lines.len() <= 32 || !finite {
        return lines.iter().enumerate().any(|(i, a)| {
            lines
                .iter()
                .enumerate()
                .any(|(j, b)| i != j && crossing(a, b))
        });
    }
    let boxes: Vec<GeomWithData<Rectangle<[f64; 2]>, usize>> = lines
        .iter()
        .enumerate()
        .map(|(i, l)| {
            GeomWithData::new(
                Rectangle::from_corners(
                    [l.start.x.min(l.end.x), l.start.y.min(l.end.y)],
                    [l.start.x.max(l.end.x), l.start.y.max(l.end.y)],
                ),
                i,
            )
        })
        .collect();
    let envelopes: Vec<AABB<[f64; 2]>> = boxes.iter().map(|b| b.geom().envelope()).collect();
    let tree = RTree::bulk_load(boxes);
    lines.iter().enumerate().any(|(i, a)| {
        tree.locate_in_envelope_intersecting(&envelopes[i])
            .any(|b| b.data != i && (crossing(a, &lines[b.data]) || crossing(&lines[b.data], a)))
    })
}

/// geo 0.33's `Validation for Polygon`, in its order; `report` returns true to stop.
fn visit_polygon(polygon: &Polygon<f64>, report: &mut dyn FnMut(InvalidPolygon) -> bool) -> bool {
    if polygon.is_empty() {
        return false;
    }
    for (ring_idx, ring) in std::iter::once(polygon.exterior())
        .chain(polygon.interiors().iter())
        .enumerate()
    {
        if ring.is_empty() {
            continue;
        }
        let role = if ring_idx == 0 {
            RingRole::Exterior
        } else {
            RingRole::Interior(ring_idx - 1)
        };
        if ring.remove_repeated_points().0.len() < 4
            && report(InvalidPolygon::TooFewPointsInRing(role))
        {
            return true;
        }
        if ring_self_intersects(ring) && report(InvalidPolygon::SelfIntersection(role)) {
            return true;
        }
        for (k, c) in ring.0.iter().enumerate() {
            if !(c.x.is_finite() && c.y.is_finite())
                && report(InvalidPolygon::NonFiniteCoord(role, CoordIndex(k)))
            {
                return true;
            }
        }
    }
    if !polygon.interiors().iter().any(|r| !r.is_empty()) {
        return false;
    }
    let exterior = Polygon::new(polygon.exterior().clone(), vec![]);
    let prepared_exterior = PreparedGeometry::from(&exterior);
    for (i1, interior_1) in polygon.interiors().iter().enumerate() {
        if interior_1.is_empty() {
            continue;
        }
        let role_1 = RingRole::Interior(i1);
        let interior_1 = Polygon::new(interior_1.clone(), vec![]);
        let prepared_1 = PreparedGeometry::from(&interior_1);
        let im = prepared_exterior.relate(&prepared_1);
        if !im.is_contains()
            && report(InvalidPolygon::InteriorRingNotContainedInExteriorRing(
                role_1,
            ))
        {
            return true;
        }
        if im.get(CoordPos::OnBoundary, CoordPos::OnBoundary) == Dimensions::OneDimensional
            && report(InvalidPolygon::IntersectingRingsOnALine(
                RingRole::Exterior,
                role_1,
            ))
        {
            return true;
        }
        for (i2, interior_2) in polygon.interiors().iter().enumerate().skip(i1 + 1) {
            if interior_2.is_empty() {
                continue;
            }
            let role_2 = RingRole::Interior(i2);
            let interior_2 = Polygon::new(interior_2.clone(), vec![]);
            let im = prepared_1.relate(&interior_2);
            if im.get(CoordPos::Inside, CoordPos::Inside) == Dimensions::TwoDimensional
                && report(InvalidPolygon::IntersectingRingsOnAnArea(role_1, role_2))
            {
                return true;
            }
            if im.get(CoordPos::OnBoundary, CoordPos::OnBoundary) == Dimensions::OneDimensional
                && report(InvalidPolygon::IntersectingRingsOnALine(role_1, role_2))
            {
                return true;
            }
        }
    }
    false
}

/// geo 0.33's `Validation for MultiPolygon`, in its order, relating only parts whose bounding
/// boxes meet; `report` returns true to stop.
fn visit_multi_polygon(
    shape: &MultiPolygon<f64>,
    report: &mut dyn FnMut(InvalidMultiPolygon) -> bool,
) {
    let boxes: Vec<_> = shape.0.iter().map(BoundingRect::bounding_rect).collect();
    for (i, polygon) in shape.0.iter().enumerate() {
        let stop = visit_polygon(polygon, &mut |e| {
            report(InvalidMultiPolygon::InvalidPolygon(GeometryIndex(i), e))
        });
        if stop {
            return;
        }
        for (j, other) in shape.0.iter().enumerate().skip(i + 1) {
            let (Some(a), Some(b)) = (boxes[i], boxes[j]) else {
                continue;
            };
            if !a.intersects(&b) {
                continue;
            }
            let im = polygon.relate(other);
            if im.get(CoordPos::Inside, CoordPos::Inside) == Dimensions::TwoDimensional
                && report(InvalidMultiPolygon::ElementsOverlaps(
                    GeometryIndex(i),
                    GeometryIndex(j),
                ))
            {
                return;
            }
            if im.get(CoordPos::OnBoundary, CoordPos::OnBoundary) == Dimensions::OneDimensional
                && report(InvalidMultiPolygon::ElementsTouchOnALine(
                    GeometryIndex(i),
                    GeometryIndex(j),
                ))
            {
                return;
            }
        }
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use geo::algorithm::Validation;
    use geo::{coord, Coord};

    /// Every error geo reports, in order, and every error ours reports.
    fn both(shape: &MultiPolygon<f64>) -> (Vec<String>, Vec<String>) {
        let mut theirs = Vec::new();
        let _ = shape.visit_validation(Box::new(|e: InvalidMultiPolygon| {
            theirs.push(e.to_string());
            Ok::<(), ()>(())
        }));
        let mut ours = Vec::new();
        visit_multi_polygon(shape, &mut |e| {
            ours.push(e.to_string());
            false
        });
        (theirs, ours)
    }

    fn ring(points: &[(f64, f64)]) -> LineString<f64> {
        LineString::new(points.iter().map(|&(x, y)| coord! { x: x, y: y }).collect())
    }

    /// A closed ring of `n` points on a circle, optionally with a twist that makes it cross
    /// itself far from the twisted points' neighbours.
    fn circle(cx: f64, cy: f64, r: f64, n: usize, twist: Option<usize>) -> LineString<f64> {
        let mut pts: Vec<Coord<f64>> = (0..n)
            .map(|k| {
                let a = std::f64::consts::TAU * k as f64 / n as f64;
                coord! { x: cx + r * a.cos(), y: cy + r * a.sin() }
            })
            .collect();
        if let Some(t) = twist {
            pts.swap(t, t + n / 3);
        }
        pts.push(pts[0]);
        LineString::new(pts)
    }

    #[test]
    fn the_same_errors_as_geo_in_the_same_order() {
        let square = |x: f64, y: f64, s: f64| {
            ring(&[(x, y), (x + s, y), (x + s, y + s), (x, y + s), (x, y)])
        };
        let cases: Vec<MultiPolygon<f64>> = vec![
            // Valid: two apart, a square with a hole, big circles (the R-tree path).
            MultiPolygon::new(vec![
                Polygon::new(square(0.0, 0.0, 1.0), vec![]),
                Polygon::new(square(2.0, 0.0, 1.0), vec![]),
            ]),
            MultiPolygon::new(vec![Polygon::new(
                square(0.0, 0.0, 4.0),
                vec![square(1.0, 1.0, 1.0)],
            )]),
            MultiPolygon::new(vec![Polygon::new(circle(0.0, 0.0, 1.0, 500, None), vec![])]),
            // A large ring crossing itself (R-tree path), and a bow-tie (small path).
            MultiPolygon::new(vec![Polygon::new(
                circle(0.0, 0.0, 1.0, 500, Some(10)),
                vec![],
            )]),
            MultiPolygon::new(vec![Polygon::new(
                ring(&[(0.0, 0.0), (1.0, 1.0), (1.0, 0.0), (0.0, 1.0), (0.0, 0.0)]),
                vec![],
            )]),
            // A ring through the same vertex twice (a pinch), large and small.
            MultiPolygon::new(vec![Polygon::new(
                ring(&[
                    (0.0, 0.0),
                    (2.0, 0.0),
                    (1.0, 1.0),
                    (2.0, 2.0),
                    (0.0, 2.0),
                    (1.0, 1.0),
                    (0.0, 0.0),
                ]),
                vec![],
            )]),
            {
                let mut pts: Vec<Coord<f64>> = circle(0.0, 0.0, 1.0, 200, None).0;
                pts.pop();
                let centre = coord! { x: 0.0, y: 0.0 };
                pts.insert(50, centre);
                pts.insert(150, centre);
                pts.push(pts[0]);
                MultiPolygon::new(vec![Polygon::new(LineString::new(pts), vec![])])
            },
            // A collinear back-track (spike), and repeated points, on a large ring.
            {
                let mut pts: Vec<Coord<f64>> = circle(0.0, 0.0, 1.0, 100, None).0;
                let p = pts[40];
                pts.insert(41, coord! { x: p.x * 2.0, y: p.y * 2.0 });
                pts.insert(42, p);
                pts.insert(43, p);
                MultiPolygon::new(vec![Polygon::new(LineString::new(pts), vec![])])
            },
            // Too few points; a non-finite coordinate.
            MultiPolygon::new(vec![Polygon::new(
                ring(&[(0.0, 0.0), (1.0, 0.0), (0.0, 0.0)]),
                vec![],
            )]),
            MultiPolygon::new(vec![Polygon::new(
                ring(&[(0.0, 0.0), (f64::NAN, 0.0), (1.0, 1.0), (0.0, 0.0)]),
                vec![],
            )]),
            // Holes: outside, touching the exterior on a line, overlapping each other.
            MultiPolygon::new(vec![Polygon::new(
                square(0.0, 0.0, 4.0),
                vec![square(5.0, 5.0, 1.0)],
            )]),
            MultiPolygon::new(vec![Polygon::new(
                square(0.0, 0.0, 4.0),
                vec![square(0.0, 1.0, 1.0)],
            )]),
            MultiPolygon::new(vec![Polygon::new(
                square(0.0, 0.0, 4.0),
                vec![square(1.0, 1.0, 1.5), square(2.0, 2.0, 1.5)],
            )]),
            // Parts that overlap, touch on a line, touch at a corner, nest.
            MultiPolygon::new(vec![
                Polygon::new(square(0.0, 0.0, 2.0), vec![]),
                Polygon::new(square(1.0, 1.0, 2.0), vec![]),
            ]),
            MultiPolygon::new(vec![
                Polygon::new(square(0.0, 0.0, 1.0), vec![]),
                Polygon::new(square(1.0, 0.0, 1.0), vec![]),
            ]),
            MultiPolygon::new(vec![
                Polygon::new(square(0.0, 0.0, 1.0), vec![]),
                Polygon::new(square(1.0, 1.0, 1.0), vec![]),
            ]),
            MultiPolygon::new(vec![
                Polygon::new(circle(0.0, 0.0, 3.0, 300, None), vec![]),
                Polygon::new(circle(0.0, 0.0, 1.0, 300, None), vec![]),
                Polygon::new(circle(10.0, 0.0, 1.0, 300, Some(7)), vec![]),
            ]),
        ];
        for (k, shape) in cases.iter().enumerate() {
            let (theirs, ours) = both(shape);
            assert_eq!(ours, theirs, "case {k}");
        }
        // The cases break every rule at least once.
        let all: Vec<String> = cases.iter().flat_map(|s| both(s).1).collect();
        for rule in [
            "has a self-intersection",
            "must have at least 3 distinct points",
            "non-finite coordinate",
            "is not contained within the polygon's exterior",
            "intersect on a line",
            "intersect on an area",
            "overlap",
            "touch on a line",
        ] {
            assert!(all.iter().any(|e| e.contains(rule)), "{rule}: {all:?}");
        }
    }

    #[test]
    fn the_same_verdict_as_geo_on_random_rings() {
        // Random walks closed into rings: many cross themselves, some do not.
        let mut seed = 0x2545_f491_4f6c_dd1d_u64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed >> 11) as f64 / (1u64 << 53) as f64
        };
        let (mut crossing, mut clean) = (0, 0);
        for n in [5usize, 12, 40, 90] {
            for _ in 0..60 {
                let mut pts: Vec<Coord<f64>> = (0..n)
                    .map(|k| {
                        let a = std::f64::consts::TAU * k as f64 / n as f64;
                        let r = 1.0 + 0.6 * next();
                        // Snapped to a grid so that touching and collinear cases occur.
                        coord! { x: (r * a.cos() * 8.0).round() / 8.0, y: (r * a.sin() * 8.0).round() / 8.0 }
                    })
                    .collect();
                if next() < 0.5 {
                    let (i, j) = (
                        (next() * n as f64) as usize % n,
                        (next() * n as f64) as usize % n,
                    );
                    pts.swap(i, j);
                }
                pts.push(pts[0]);
                let shape = MultiPolygon::new(vec![Polygon::new(LineString::new(pts), vec![])]);
                let (theirs, ours) = both(&shape);
                assert_eq!(ours, theirs);
                if theirs.is_empty() {
                    clean += 1;
                } else {
                    crossing += 1;
                }
            }
        }
        assert!(
            crossing > 20 && clean > 20,
            "{crossing} invalid, {clean} valid"
        );
    }
}
