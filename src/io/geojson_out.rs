//! RFC 7946 GeoJSON output: WGS84 lon/lat, exteriors counter-clockwise. Coordinates are
//! written at full precision: rounding to 6 decimals made 豊見城市's two parts overlap.

use std::io::{BufWriter, Write};
use std::path::Path;

use geo::orient::{Direction, Orient};
use geo::MultiPolygon;
use serde_json::{Map, Value};

use super::WriteError;

/// A property value.
#[derive(Clone, Debug, PartialEq)]
pub enum PropValue {
    /// Text.
    Text(String),
    /// Integer.
    Int(i64),
    /// Number.
    Float(f64),
    /// Boolean.
    Bool(bool),
    /// List of text.
    List(Vec<String>),
    /// Missing.
    Null,
}

/// A feature to write.
#[derive(Clone, Debug, PartialEq)]
pub struct OutFeature {
    /// Geometry.
    pub shape: MultiPolygon<f64>,
    /// Properties in order.
    pub properties: Vec<(&'static str, PropValue)>,
}

/// Writes a FeatureCollection.
///
/// # Errors
/// [`WriteError::Io`] when the file cannot be written.
pub fn write_geojson(path: &Path, features: &[OutFeature]) -> Result<(), WriteError> {
    let collection: geojson::FeatureCollection = features
        .iter()
        .map(|f| {
            let shape = f.shape.orient(Direction::Default);
            let mut properties = Map::new();
            for (k, v) in &f.properties {
                let value = match v {
                    PropValue::Text(s) => Value::from(s.clone()),
                    PropValue::Int(i) => Value::from(*i),
                    PropValue::Float(x) if x.is_finite() => Value::from(*x),
                    PropValue::Float(_) | PropValue::Null => Value::Null,
                    PropValue::Bool(b) => Value::from(*b),
                    PropValue::List(l) => Value::from(l.clone()),
                };
                properties.insert((*k).to_string(), value);
            }
            geojson::Feature {
                geometry: Some(geojson::Geometry::from(&shape)),
                properties: Some(properties),
                ..geojson::Feature::default()
            }
        })
        .collect();
    super::write::write_atomic(path, |file| {
        let mut out = BufWriter::new(file);
        serde_json::to_writer(&mut out, &collection).map_err(std::io::Error::other)?;
        out.write_all(b"\n")?;
        out.flush()
    })
}

/// The features' properties as table columns (no geometry): a property is an integer or a
/// number column when every value is that or missing, else text (`true`/`false`, and lists
/// joined with `;` as in the CSVs).
pub fn feature_columns(features: &[OutFeature]) -> Vec<super::write::OutColumn> {
    use super::write::{OutColumn, OutValues};
    let Some(first) = features.first() else {
        return Vec::new();
    };
    first
        .properties
        .iter()
        .enumerate()
        .map(|(i, (name, _))| {
            let values = || features.iter().map(move |f| &f.properties[i].1);
            let all = |ok: fn(&PropValue) -> bool| values().all(|v| ok(v) || *v == PropValue::Null);
            let values = if all(|v| matches!(v, PropValue::Int(_))) {
                OutValues::I64(
                    values()
                        .map(|v| match v {
                            PropValue::Int(i) => Some(*i),
                            _ => None,
                        })
                        .collect(),
                )
            } else if all(|v| matches!(v, PropValue::Float(_))) {
                OutValues::F64(
                    values()
                        .map(|v| match v {
                            PropValue::Float(x) => Some(*x),
                            _ => None,
                        })
                        .collect(),
                )
            } else {
                OutValues::Text(
                    values()
                        .map(|v| match v {
                            PropValue::Text(s) => Some(s.clone()),
                            PropValue::Int(i) => Some(i.to_string()),
                            PropValue::Float(x) => Some(x.to_string()),
                            PropValue::Bool(b) => Some(b.to_string()),
                            PropValue::List(l) => Some(l.join(";")),
                            PropValue::Null => None,
                        })
                        .collect(),
                )
            };
            OutColumn { name, values }
        })
        .collect()
}
