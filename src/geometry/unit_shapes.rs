//! Boundary features rolled up to the analysis units of a level.

use std::collections::BTreeMap;

use geo::algorithm::Validation;
use geo::MultiPolygon;
use rayon::prelude::*;

use super::dissolve;
use crate::io::BoundaryFeature;
use crate::registry::{Kind, Registry, Resolved, Units};

/// One shape per unit (`None` where the boundary file has none), in unit index order.
pub type UnitShapes = Vec<Option<MultiPolygon<f64>>>;

/// What rolling up found.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ShapeReport {
    /// Features read.
    pub features: usize,
    /// Features without a code (N03 所属未定地).
    pub without_code: usize,
    /// Features whose code the registry does not know, with the code (N03 lists the six
    /// Northern Territories villages 01695–01700, which have no census data).
    pub unknown_codes: Vec<String>,
    /// Units of the level that have no shape.
    pub units_without_shape: Vec<String>,
    /// Units made of several polygons (exclaves or islands), by code.
    pub multi_part: Vec<String>,
    /// Units whose shape is not valid OGC geometry as read (e.g. parts that overlap after the
    /// source's simplification), with the first problem. Reported, not repaired.
    pub invalid: Vec<(String, String)>,
}

/// Rolls `features` up to `units`: a unit's features (exclaves, islands) are merged into one
/// MultiPolygon; at municipality level a designated city is the dissolve of its wards.
pub fn unit_shapes(
    features: &[BoundaryFeature],
    registry: &Registry,
    units: &Units,
) -> (UnitShapes, ShapeReport) {
    let mut report = ShapeReport {
        features: features.len(),
        ..ShapeReport::default()
    };
    let mut parts: BTreeMap<usize, Vec<&MultiPolygon<f64>>> = BTreeMap::new();
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
            Some(m) => parts.entry(m.index()).or_default().push(&f.shape),
            None => report.unknown_codes.push(code.to_string()),
        }
    }
    let mut shapes: UnitShapes = vec![None; units.len()];
    for (i, list) in parts {
        shapes[i] = Some(if list.len() == 1 {
            list[0].clone()
        } else {
            dissolve(list)
        });
    }
    // Validation is the costly part of reading (~0.3 s nationally): one task per unit.
    let problems: Vec<Option<String>> = shapes
        .par_iter()
        .map(|s| {
            s.as_ref()
                .and_then(|s| s.validation_errors().into_iter().next())
                .map(|p| p.to_string())
        })
        .collect();
    for (i, shape) in shapes.iter().enumerate() {
        let Some(shape) = shape else { continue };
        let code = units.codes()[i].to_string();
        if shape.0.len() > 1 {
            report.multi_part.push(code.clone());
        }
        if let Some(problem) = &problems[i] {
            report.invalid.push((code, problem.clone()));
        }
    }
    report.units_without_shape = shapes
        .iter()
        .enumerate()
        .filter(|(_, s)| s.is_none())
        .map(|(i, _)| units.codes()[i].to_string())
        .collect();
    report.unknown_codes.sort();
    report.unknown_codes.dedup();
    (shapes, report)
}
