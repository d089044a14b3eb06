//! Dissolve by removing shared edges: the outline of a set of polygons that tile without
//! overlapping is the set of their edges that no two of them share. No polygon union is
//! computed, so a national map of areas takes milliseconds.

use std::collections::BTreeMap;

use geo::orient::{Direction, Orient};
use geo::{Area, Contains, Coord, LineString, MultiPolygon, Point, Polygon};

use super::edges::{segments, vertex_key, VertexKey};

/// The union outline of `shapes`, assuming they do not overlap (municipalities tile the
/// land): every directed edge cancels against the same edge in the opposite direction, the
/// remaining edges are stitched into rings, counter-clockwise rings become exteriors and
/// clockwise rings holes of the smallest exterior containing them. The result is oriented
/// per RFC 7946 (exteriors counter-clockwise) and its rings are in a deterministic order.
///
/// When the shapes do not meet exactly (a repaired shape whose border no longer matches its
/// neighbours' vertex for vertex) the edge outline can cross itself; the result is then the
/// polygon union instead (geo's `unary_union`), so that every outline written is valid.
pub fn dissolve<'a>(shapes: impl IntoIterator<Item = &'a MultiPolygon<f64>>) -> MultiPolygon<f64> {
    let shapes: Vec<&MultiPolygon<f64>> = shapes.into_iter().collect();
    let outline = dissolve_edges(&shapes);
    if super::validity::is_valid(&outline) {
        return outline;
    }
    super::validity::union_all(shapes.iter().flat_map(|s| s.0.iter()))
}

/// The outline of `shapes` by cancelling their shared edges, when it is valid: exact (no
/// vertex moves). `None` when the shapes do not tile (they overlap, or meet off their
/// vertices), where [`dissolve`] would fall back to a polygon union.
pub fn exact_outline(shapes: &[&MultiPolygon<f64>]) -> Option<MultiPolygon<f64>> {
    let outline = dissolve_edges(shapes);
    super::validity::is_valid(&outline).then_some(outline)
}

fn dissolve_edges(shapes: &[&MultiPolygon<f64>]) -> MultiPolygon<f64> {
    // Directed edge → multiplicity, after cancelling opposite pairs.
    let mut edges: BTreeMap<(VertexKey, VertexKey), usize> = BTreeMap::new();
    let mut coords: BTreeMap<VertexKey, Coord<f64>> = BTreeMap::new();
    for &shape in shapes {
        let oriented = shape.orient(Direction::Default);
        for (a, b) in segments(&oriented) {
            let (ka, kb) = (vertex_key(a), vertex_key(b));
            coords.insert(ka, a);
            coords.insert(kb, b);
            match edges.get_mut(&(kb, ka)) {
                Some(n) => {
                    *n -= 1;
                    if *n == 0 {
                        edges.remove(&(kb, ka));
                    }
                }
                None => *edges.entry((ka, kb)).or_default() += 1,
            }
        }
    }
    // Outgoing edges per vertex, in key order.
    let mut outgoing: BTreeMap<VertexKey, Vec<VertexKey>> = BTreeMap::new();
    for (&(a, b), &n) in &edges {
        for _ in 0..n {
            outgoing.entry(a).or_default().push(b);
        }
    }
    let mut rings: Vec<LineString<f64>> = Vec::new();
    while let Some((&start, _)) = outgoing.iter().next() {
        let mut ring = vec![coords[&start]];
        let mut at = start;
        while let Some(next) = take_edge(&mut outgoing, at) {
            ring.push(coords[&next]);
            at = next;
            if at == start {
                break;
            }
        }
        if ring.len() >= 4 && at == start {
            rings.push(LineString::new(ring));
        }
    }
    assemble_polygons(rings)
}

fn take_edge(
    outgoing: &mut BTreeMap<VertexKey, Vec<VertexKey>>,
    at: VertexKey,
) -> Option<VertexKey> {
    let list = outgoing.get_mut(&at)?;
    let next = list.remove(0);
    if list.is_empty() {
        outgoing.remove(&at);
    }
    Some(next)
}

fn assemble_polygons(rings: Vec<LineString<f64>>) -> MultiPolygon<f64> {
    let (mut exteriors, mut holes): (Vec<_>, Vec<_>) = rings
        .into_iter()
        .map(|r| {
            let signed = Polygon::new(r.clone(), vec![]).signed_area();
            (r, signed)
        })
        .partition(|(_, signed)| *signed > 0.0);
    exteriors.sort_by(|a, b| a.1.total_cmp(&b.1));
    let mut polygons: Vec<(Polygon<f64>, f64)> = exteriors
        .into_iter()
        .map(|(r, a)| (Polygon::new(r, vec![]), a))
        .collect();
    for (hole, signed) in holes.drain(..) {
        let probe = Point::from(hole.0[0]);
        let inner = Point::from(hole.lines().next().map_or(hole.0[0], |l| Coord {
            x: (l.start.x + l.end.x) / 2.0,
            y: (l.start.y + l.end.y) / 2.0,
        }));
        // Smallest exterior containing the hole (exteriors are sorted by area ascending).
        match polygons
            .iter_mut()
            .find(|(p, _)| p.contains(&inner) || p.exterior().contains(&probe))
        {
            Some((p, _)) => p.interiors_push(hole),
            // A clockwise ring outside every exterior cannot be a hole: keep it as land.
            None => {
                let mut reversed = hole;
                reversed.0.reverse();
                polygons.push((Polygon::new(reversed, vec![]), -signed));
            }
        }
    }
    polygons.sort_by(|a, b| b.1.total_cmp(&a.1));
    MultiPolygon::new(polygons.into_iter().map(|(p, _)| p).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::polygon;

    fn square(x: f64, y: f64) -> MultiPolygon<f64> {
        MultiPolygon::new(vec![
            polygon![(x: x, y: y), (x: x + 1.0, y: y), (x: x + 1.0, y: y + 1.0), (x: x, y: y + 1.0), (x: x, y: y)],
        ])
    }

    #[test]
    fn two_squares_become_one_rectangle() {
        let d = dissolve([&square(0.0, 0.0), &square(1.0, 0.0)]);
        assert_eq!(d.0.len(), 1);
        assert_eq!(d.unsigned_area(), 2.0);
        // The shared edge is gone: 6 distinct vertices remain (collinear ones are kept).
        assert_eq!(d.0[0].exterior().0.len(), 7);
    }

    #[test]
    fn ring_of_squares_keeps_its_hole() {
        let mut cells = Vec::new();
        for x in 0..3 {
            for y in 0..3 {
                if (x, y) != (1, 1) {
                    cells.push(square(x as f64, y as f64));
                }
            }
        }
        let d = dissolve(cells.iter());
        assert_eq!(d.0.len(), 1);
        assert_eq!(d.0[0].interiors().len(), 1);
        assert_eq!(d.unsigned_area(), 8.0);
    }

    #[test]
    fn separate_islands_stay_separate() {
        let d = dissolve([&square(0.0, 0.0), &square(5.0, 5.0)]);
        assert_eq!(d.0.len(), 2);
        assert_eq!(d.unsigned_area(), 2.0);
    }
}
