//! Boundary features rolled up to the analysis units of a level.

use std::collections::BTreeMap;

use geo::orient::{Direction, Orient};
use geo::{Area, CoordsIter, MultiPolygon};
use rayon::prelude::*;

use super::{dissolve, validity};
use crate::io::BoundaryFeature;
use crate::registry::{Kind, Registry, Resolved, Units};

/// One shape per unit (`None` where the boundary file has none), in unit index order.
pub type UnitShapes = Vec<Option<MultiPolygon<f64>>>;

/// What rolling up found.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ShapeReport {
    /// Features read.
    pub features: usize,
    /// Features without a code (N03 所属未定地).
    pub without_code: usize,
    /// Features whose code the registry does not know, with the code (N03 lists the six
    /// Northern Territories villages 01695–01700, which have no census data).
    pub unknown_codes: Vec<String>,
    /// Units of the level that have no usable shape, with why: no feature, an empty
    /// geometry, or coordinates outside Japan.
    pub units_without_shape: Vec<(String, String)>,
    /// Units made of several polygons (exclaves or islands), by code.
    pub multi_part: Vec<String>,
    /// Units whose shape was not valid OGC geometry as read (parts that overlap after the
    /// source's simplification, a self-intersecting ring), with the first problem and what the
    /// repair changed. They are repaired by a polygon union (geo's `unary_union`, i_overlay).
    pub repaired: Vec<(String, String)>,
    /// Units whose shape stayed invalid after the repair, with the problem.
    pub invalid: Vec<(String, String)>,
    /// The repaired shapes by unit index. The shapes returned are as read, so that adjacency
    /// is taken from the source's shared borders; these replace them for drawing and output.
    pub fixes: Vec<(usize, MultiPolygon<f64>)>,
}

/// Japan's extent with a margin (Yonaguni 122.9°E, Minamitorishima 153.99°E, Okinotorishima
/// 20.4°N, Etorofu 45.6°N): a coordinate outside it is not a Japanese municipality's.
pub const JAPAN_LON: (f64, f64) = (122.0, 154.5);
/// Latitude range, see [`JAPAN_LON`].
pub const JAPAN_LAT: (f64, f64) = (20.0, 46.0);

/// The first coordinate of `shape` outside Japan's range, if any.
fn outside_japan(shape: &MultiPolygon<f64>) -> Option<(f64, f64)> {
    shape
        .coords_iter()
        .find(|c| {
            !(JAPAN_LON.0..=JAPAN_LON.1).contains(&c.x)
                || !(JAPAN_LAT.0..=JAPAN_LAT.1).contains(&c.y)
        })
        .map(|c| (c.x, c.y))
}

/// Repairs an invalid shape with polygon unions (geo's `unary_union`, on i_overlay), touching
/// as little as possible so that the shared borders with neighbours keep their exact
/// coordinates (adjacency is read from them): a polygon invalid by itself (a self-intersecting
/// ring) is replaced by its own union; polygons that overlap each other are replaced by their
/// union; every other polygon is kept as read.
pub fn repair(shape: &MultiPolygon<f64>) -> MultiPolygon<f64> {
    use geo::{BooleanOps, BoundingRect, Intersects, Polygon};
    let mut polygons: Vec<Polygon<f64>> = Vec::with_capacity(shape.0.len());
    for p in &shape.0 {
        if validity::polygon_is_valid(p) {
            polygons.push(p.clone());
        } else {
            // Even–odd filling keeps both lobes of a bow-tie (a winding rule would drop the
            // one that turns the other way).
            let none = MultiPolygon::<f64>::new(Vec::new());
            polygons.extend(p.union(&none).orient(Direction::Default).0);
        }
    }
    // Groups of polygons that overlap (share area, not just a border), by union–find.
    let n = polygons.len();
    let mut parent: Vec<usize> = (0..n).collect();
    fn root(parent: &mut [usize], mut i: usize) -> usize {
        while parent[i] != i {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        i
    }
    let boxes: Vec<_> = polygons.iter().map(|p| p.bounding_rect()).collect();
    for i in 0..n {
        for j in i + 1..n {
            let (Some(a), Some(b)) = (boxes[i], boxes[j]) else {
                continue;
            };
            if a.intersects(&b) && polygons[i].intersection(&polygons[j]).unsigned_area() > 0.0 {
                let (ri, rj) = (root(&mut parent, i), root(&mut parent, j));
                parent[ri.max(rj)] = ri.min(rj);
            }
        }
    }
    let mut groups: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for i in 0..n {
        groups.entry(root(&mut parent, i)).or_default().push(i);
    }
    let mut out = Vec::with_capacity(n);
    for members in groups.values() {
        if members.len() == 1 {
            out.push(polygons[members[0]].clone());
        } else {
            out.extend(validity::union_all(members.iter().map(|&k| &polygons[k])).0);
        }
    }
    let repaired = MultiPolygon::new(out);
    if validity::is_valid(&repaired) {
        repaired
    } else {
        // Parts that touch along a line, or rings the local repair could not fix: the union of
        // everything.
        validity::union_all(&shape.0)
    }
}

/// One code's features (its polygons as published), by the code.
type CodeFeatures<'a> = (String, Vec<&'a MultiPolygon<f64>>);

/// Rolls `features` up to `units`: a unit's features (exclaves, islands) are merged into one
/// MultiPolygon; at municipality level a designated city is the dissolve of its wards.
///
/// Shapes are returned as read; invalid ones are repaired into [`ShapeReport::fixes`], which
/// the caller applies after computing adjacency.
pub fn unit_shapes(
    features: &[BoundaryFeature],
    registry: &Registry,
    units: &Units,
) -> (UnitShapes, ShapeReport) {
    let mut report = ShapeReport {
        features: features.len(),
        ..ShapeReport::default()
    };
    // Each unit's features, by code in the order first met: N03 as MLIT publishes it has one
    // feature per polygon (every island of a municipality is a record of its own).
    let mut parts: BTreeMap<usize, Vec<CodeFeatures>> = BTreeMap::new();
    // Why a unit's features were set aside, kept in case none is usable.
    let mut unusable: BTreeMap<usize, String> = BTreeMap::new();
    for f in features {
        let Some(code) = f.code else {
            report.without_code += 1;
            continue;
        };
        let unit = match units.resolve(code) {
            Some(Resolved::Unit(m)) => Some(m),
            // A ward at municipality level belongs to its city.
            Some(Resolved::SetAside(_)) => registry
                .get(code)
                .filter(|e| e.kind == Kind::DesignatedCityWard)
                .and_then(|e| e.parent)
                .and_then(|p| units.index_of(p)),
            _ => None,
        };
        match unit {
            Some(m) => {
                if f.shape.0.iter().all(|p| p.exterior().0.len() < 4) {
                    unusable
                        .entry(m.index())
                        .or_insert(format!("feature {}: null or empty geometry", f.feature));
                } else if let Some((x, y)) = outside_japan(&f.shape) {
                    unusable.entry(m.index()).or_insert(format!(
                        "feature {}: coordinate ({x}, {y}) is outside Japan (longitude {}–{}, latitude {}–{})",
                        f.feature, JAPAN_LON.0, JAPAN_LON.1, JAPAN_LAT.0, JAPAN_LAT.1
                    ));
                } else {
                    let codes = parts.entry(m.index()).or_default();
                    let code = code.to_string();
                    match codes.iter_mut().find(|(c, _)| *c == code) {
                        Some((_, list)) => list.push(&f.shape),
                        None => codes.push((code, vec![&f.shape])),
                    }
                }
            }
            None => report.unknown_codes.push(code.to_string()),
        }
    }
    let mut shapes: UnitShapes = vec![None; units.len()];
    for (i, codes) in parts {
        // The features of one code are that municipality's polygons as published: they are
        // kept side by side, as one multi-part feature would give them, so that adjacency is
        // read from the published borders and any overlap between them is repaired below
        // (a dissolve here would fall back to a polygon union that moves the borders). Only
        // the wards of a designated city, which tile it, are dissolved into the city.
        let mut per_code: Vec<MultiPolygon<f64>> = codes
            .into_iter()
            .map(|(_, list)| {
                if list.len() == 1 {
                    list[0].clone()
                } else {
                    MultiPolygon::new(list.into_iter().flat_map(|s| s.0.iter().cloned()).collect())
                }
            })
            .collect();
        shapes[i] = Some(if per_code.len() == 1 {
            per_code.pop().expect("one shape")
        } else {
            dissolve(per_code.iter())
        });
    }
    // Validation is the costly part of reading (~0.3 s nationally): one task per unit.
    // An invalid shape is repaired and checked again.
    type Checked = Option<(String, Option<(MultiPolygon<f64>, Option<String>)>)>;
    let checked: Vec<Checked> = shapes
        .par_iter()
        .map(|s| {
            let s = s.as_ref()?;
            let problem = validity::first_problem(s)?;
            let fixed = repair(s);
            if fixed.0.is_empty() {
                return Some((problem, None));
            }
            let still = validity::first_problem(&fixed);
            Some((problem, Some((fixed, still))))
        })
        .collect();
    for (i, check) in checked.into_iter().enumerate() {
        let Some((problem, fixed)) = check else {
            continue;
        };
        let code = units.codes()[i].to_string();
        match fixed {
            Some((fixed, None)) => {
                let before = shapes[i].as_ref().map_or(0.0, |s| s.unsigned_area());
                let after = fixed.unsigned_area();
                let change = if before > 0.0 {
                    let pct = 100.0 * (after - before) / before;
                    if pct.abs() < 0.00005 {
                        ", area unchanged to 0.0001 %".to_string()
                    } else {
                        format!(", area {pct:+.4} %")
                    }
                } else {
                    String::new()
                };
                report.repaired.push((
                    code,
                    format!(
                        "{problem}; repaired by polygon union ({} → {} parts{change})",
                        shapes[i].as_ref().map_or(0, |s| s.0.len()),
                        fixed.0.len(),
                    ),
                ));
                report.fixes.push((i, fixed));
            }
            Some((_, Some(still))) => report
                .invalid
                .push((code, format!("{problem}; after repair: {still}"))),
            None => report
                .invalid
                .push((code, format!("{problem}; the repair left no area"))),
        }
    }
    for (i, shape) in shapes.iter().enumerate() {
        let Some(shape) = shape else { continue };
        if shape.0.len() > 1 {
            report.multi_part.push(units.codes()[i].to_string());
        }
    }
    report.units_without_shape = shapes
        .iter()
        .enumerate()
        .filter(|(_, s)| s.is_none())
        .map(|(i, _)| {
            let why = unusable
                .get(&i)
                .cloned()
                .unwrap_or_else(|| "no feature with this code".to_string());
            (units.codes()[i].to_string(), why)
        })
        .collect();
    report.unknown_codes.sort();
    report.unknown_codes.dedup();
    (shapes, report)
}
