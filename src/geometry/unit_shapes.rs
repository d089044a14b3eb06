//! Boundary features rolled up to the analysis units of a level.

use std::collections::BTreeMap;

use geo::orient::{Direction, Orient};
use geo::{Area, CoordsIter, MultiPolygon};
use rayon::prelude::*;

use super::{dissolve, validity};
use crate::io::BoundaryFeature;
use crate::registry::{Kind, MuniCode, Registry, Resolved, Units};

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
    /// Features with a code in [`ShapeReport::unknown_codes`] (N03: several per island village).
    pub unknown_code_features: usize,
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

/// The polygons of `shapes` in one MultiPolygon, in order, as read.
fn side_by_side(shapes: Vec<&MultiPolygon<f64>>) -> MultiPolygon<f64> {
    MultiPolygon::new(
        shapes
            .into_iter()
            .flat_map(|s| s.0.iter().cloned())
            .collect(),
    )
}

/// One code's features (its polygons as published), by the code.
type CodeFeatures<'a> = (MuniCode, Vec<&'a MultiPolygon<f64>>);

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
                    match codes.iter_mut().find(|(c, _)| *c == code) {
                        Some((_, list)) => list.push(&f.shape),
                        None => codes.push((code, vec![&f.shape])),
                    }
                }
            }
            None => {
                report.unknown_codes.push(code.to_string());
                report.unknown_code_features += 1;
            }
        }
    }
    let mut shapes: UnitShapes = vec![None; units.len()];
    for (i, codes) in parts {
        // The features of one code are that municipality's polygons as published (N03 has one
        // record per island). They are kept side by side, as one multi-part feature would give
        // them, when that is valid; records that share an edge are joined along it by
        // cancelling the shared edges (exact: no vertex moves); records that overlap (長崎市's
        // simplified polygons) stay side by side and are repaired below, for drawing only, so
        // that adjacency is read from the published borders (a polygon union here would move
        // them). The wards of a designated city are joined into it the same way.
        // One feature of one code (most units): as read, checked below like every shape.
        if codes.len() == 1 && codes[0].1.len() == 1 {
            shapes[i] = Some(codes[0].1[0].clone());
            continue;
        }
        let mut per_code: Vec<MultiPolygon<f64>> = codes
            .into_iter()
            .map(|(_, list)| side_by_side(list))
            .collect();
        shapes[i] = Some(if per_code.len() == 1 && validity::is_valid(&per_code[0]) {
            per_code.pop().expect("one code")
        } else {
            let refs: Vec<&MultiPolygon<f64>> = per_code.iter().collect();
            dissolve::exact_outline(&refs).unwrap_or_else(|| side_by_side(refs))
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::{Level, RegistryParams};
    use geo::{LineString, Polygon};

    fn rect(x0: f64, y0: f64, x1: f64, y1: f64) -> MultiPolygon<f64> {
        MultiPolygon::new(vec![Polygon::new(
            LineString::from(vec![(x0, y0), (x1, y0), (x1, y1), (x0, y1), (x0, y0)]),
            vec![],
        )])
    }

    fn feature(code: &str, n: usize, shape: MultiPolygon<f64>) -> BoundaryFeature {
        BoundaryFeature {
            code: MuniCode::parse(code),
            shape,
            feature: n,
        }
    }

    /// N03 writes a municipality as several records. Records of one code that share an edge
    /// are joined along it exactly (no repair, no vertex moved); records that overlap stay side
    /// by side as read (adjacency is taken from them) and are repaired for drawing only.
    #[test]
    fn records_of_one_code_are_joined_exactly_or_kept_as_read() {
        let master_path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("data/fixtures/tiny/code4fukui_localgovjp/localgovjp-utf8.csv");
        let master = crate::io::read_master(&master_path).unwrap();
        let registry = Registry::build(&master_path, &master, &RegistryParams::default()).unwrap();
        let units = registry.units(Level::Municipality);
        let features = vec![
            // 山市 in two halves sharing the line y = 34.25.
            feature("98201", 1, rect(133.1, 34.2, 133.2, 34.25)),
            feature("98201", 2, rect(133.1, 34.25, 133.2, 34.3)),
            // 川市 as two records that overlap by a sliver (as simplified polygons can).
            feature("98202", 3, rect(133.1, 34.1, 133.2, 34.2)),
            feature("98202", 4, rect(133.19, 34.1, 133.3, 34.2)),
        ];
        let (shapes, report) = unit_shapes(&features, &registry, &units);
        let at = |code: &str| {
            units
                .index_of(MuniCode::parse(code).unwrap())
                .unwrap()
                .index()
        };
        let yama = shapes[at("98201")].as_ref().unwrap();
        assert_eq!(yama.0.len(), 1, "one polygon: {yama:?}");
        let mut corners: Vec<(f64, f64)> =
            yama.0[0].exterior().0.iter().map(|c| (c.x, c.y)).collect();
        corners.pop();
        corners.sort_by(|a, b| a.partial_cmp(b).unwrap());
        assert_eq!(
            corners,
            vec![
                (133.1, 34.2),
                (133.1, 34.25),
                (133.1, 34.3),
                (133.2, 34.2),
                (133.2, 34.25),
                (133.2, 34.3)
            ],
            "the halves' own vertices, exactly"
        );
        assert!(!report.multi_part.contains(&"98201".to_string()));
        let kawa = shapes[at("98202")].as_ref().unwrap();
        assert_eq!(
            kawa,
            &side_by_side(vec![&features[2].shape, &features[3].shape])
        );
        assert_eq!(report.repaired.len(), 1, "{:?}", report.repaired);
        assert_eq!(report.repaired[0].0, "98202");
        assert!(
            report.repaired[0].1.contains("overlap"),
            "{:?}",
            report.repaired
        );
        assert!(report
            .fixes
            .iter()
            .any(|(i, f)| *i == at("98202") && f.0.len() == 1));
    }
}
