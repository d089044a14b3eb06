//! Municipal boundaries: N03 TopoJSON (quantized or not), GeoJSON, and MLIT's N03 Shapefile as
//! published (`.shp` with its `.shx`, `.dbf` and `.cpg`; attributes in Shift_JIS unless the
//! `.cpg` says UTF-8), into `geo` polygons per feature. N03 has one feature per polygon: the
//! features of one code are merged into its unit by `geometry::unit_shapes`, and features
//! without a code (所属未定地) are kept aside there with a note.

use std::path::{Path, PathBuf};

use geo::{Coord, LineString, MultiPolygon, Polygon};
use serde::Deserialize;
use serde_json::{Map, Value};

use super::table::read_utf8;
use super::ReadError;
use crate::registry::MuniCode;

/// What a boundary file must be, for messages.
pub const BOUNDARIES_LAYOUT: &str =
    "a TopoJSON Topology or a GeoJSON FeatureCollection of Polygon/MultiPolygon features with a 5-digit code property (N03_007, code or area_code)";

/// Property names tried, in order, for a feature's 5-digit code.
pub const CODE_PROPERTIES: [&str; 3] = ["N03_007", "code", "area_code"];

/// One boundary feature as read.
#[derive(Clone, Debug, PartialEq)]
pub struct BoundaryFeature {
    /// The code; `None` for N03's 所属未定地 (land of undetermined municipality).
    pub code: Option<MuniCode>,
    /// Its polygons, lon/lat degrees.
    pub shape: MultiPolygon<f64>,
    /// 1-based position of the feature in its file.
    pub feature: usize,
}

/// Reads a TopoJSON `Topology` (every object's geometries) or a GeoJSON `FeatureCollection`.
///
/// # Errors
/// [`ReadError::Json`] for malformed JSON, [`ReadError::BadGeometry`] for a broken polygon (an
/// arc index out of range, a ring of fewer than 4 positions or not closed, a non-finite
/// coordinate, an unexpected geometry type) and [`ReadError::BadCode`] for a code that is not
/// five digits — each naming the file, the feature and its code.
pub fn read_boundaries(path: &Path) -> Result<Vec<BoundaryFeature>, ReadError> {
    match super::table::extension(path).as_deref() {
        Some("shp") => return read_shapefile(path),
        Some("zip") => return read_zip(path),
        Some(ext @ ("dbf" | "shx" | "cpg" | "prj")) => {
            return Err(ReadError::Table {
                path: path.to_path_buf(),
                problem: format!(
                    "a .{ext} is one of a Shapefile's files, not the boundaries themselves: give the .shp beside it ({}), or the zip as downloaded",
                    sibling(path, "shp").display()
                ),
            })
        }
        _ => {}
    }
    let bytes = read_utf8(path)?;
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(ReadError::Empty {
            path: path.to_path_buf(),
            problem: "the file is empty",
            what: BOUNDARIES_LAYOUT,
        });
    }
    let value: Value =
        serde_json::from_slice(&bytes).map_err(|e| ReadError::json(path, BOUNDARIES_LAYOUT, &e))?;
    match value.get("type").and_then(Value::as_str) {
        Some("Topology") => read_topology(path, value),
        Some("FeatureCollection") => read_feature_collection(path, value),
        other => Err(ReadError::Json {
            path: path.to_path_buf(),
            layout: BOUNDARIES_LAYOUT,
            problem: match other {
                Some(t) => format!("JSON of type \"{t}\""),
                None => "JSON without a \"type\"".to_string(),
            },
        }),
    }
}

#[derive(Deserialize)]
struct Topology {
    arcs: Vec<Vec<Vec<f64>>>,
    transform: Option<Transform>,
    objects: Map<String, Value>,
}

#[derive(Deserialize)]
struct Transform {
    scale: [f64; 2],
    translate: [f64; 2],
}

fn read_topology(path: &Path, value: Value) -> Result<Vec<BoundaryFeature>, ReadError> {
    let topo: Topology =
        serde_json::from_value(value).map_err(|e| ReadError::json(path, BOUNDARIES_LAYOUT, &e))?;
    let arcs = decode_arcs(path, &topo)?;
    let mut features = Vec::new();
    for object in topo.objects.values() {
        let geometries: Vec<&Value> = match object.get("type").and_then(Value::as_str) {
            Some("GeometryCollection") => object
                .get("geometries")
                .and_then(Value::as_array)
                .map(|g| g.iter().collect())
                .unwrap_or_default(),
            _ => vec![object],
        };
        for geometry in geometries {
            let n = features.len() + 1;
            let code = feature_code(path, n, geometry.get("properties"))?;
            let bad = |problem: String| ReadError::BadGeometry {
                path: path.to_path_buf(),
                feature: feature_label(n, code),
                problem,
            };
            let rings_of = |rings: &Value| -> Result<Vec<LineString<f64>>, ReadError> {
                let rings = rings
                    .as_array()
                    .ok_or_else(|| bad("polygon is not a list of rings".into()))?;
                rings
                    .iter()
                    .map(|ring| stitch_ring(&arcs, ring).map_err(&bad))
                    .collect()
            };
            let polygon_of = |rings: &Value| -> Result<Polygon<f64>, ReadError> {
                let mut rings = rings_of(rings)?;
                if rings.is_empty() {
                    return Err(bad("polygon without rings".into()));
                }
                let exterior = rings.remove(0);
                Ok(Polygon::new(exterior, rings))
            };
            let arcs_field = geometry.get("arcs").unwrap_or(&Value::Null);
            let shape = match geometry.get("type").and_then(Value::as_str) {
                Some("Polygon") => MultiPolygon::new(vec![polygon_of(arcs_field)?]),
                Some("MultiPolygon") => MultiPolygon::new(
                    arcs_field
                        .as_array()
                        .ok_or_else(|| bad("MultiPolygon arcs is not a list".into()))?
                        .iter()
                        .map(polygon_of)
                        .collect::<Result<_, _>>()?,
                ),
                Some("GeometryCollection") | None if arcs_field.is_null() => {
                    MultiPolygon::new(vec![])
                }
                other => {
                    return Err(bad(format!(
                        "geometry type {} (expected Polygon or MultiPolygon)",
                        other.unwrap_or("missing")
                    )))
                }
            };
            features.push(BoundaryFeature {
                code,
                shape,
                feature: n,
            });
        }
    }
    Ok(features)
}

/// Decodes every arc to absolute coordinates (delta-decoding and transforming quantized arcs).
fn decode_arcs(path: &Path, topo: &Topology) -> Result<Vec<Vec<Coord<f64>>>, ReadError> {
    topo.arcs
        .iter()
        .enumerate()
        .map(|(k, arc)| {
            let (mut x, mut y) = (0.0, 0.0);
            arc.iter()
                .map(|p| {
                    if p.len() < 2 || !p[0].is_finite() || !p[1].is_finite() {
                        return Err(ReadError::BadGeometry {
                            path: path.to_path_buf(),
                            feature: format!("arc {k}"),
                            problem: format!(
                                "position [{}] is not two finite numbers",
                                p.iter()
                                    .map(|x| x.to_string())
                                    .collect::<Vec<_>>()
                                    .join(", ")
                            ),
                        });
                    }
                    Ok(match &topo.transform {
                        Some(t) => {
                            x += p[0];
                            y += p[1];
                            Coord {
                                x: x * t.scale[0] + t.translate[0],
                                y: y * t.scale[1] + t.translate[1],
                            }
                        }
                        None => Coord { x: p[0], y: p[1] },
                    })
                })
                .collect()
        })
        .collect()
}

/// Joins the arcs of one ring (`~i` = arc `i` reversed), dropping each joint's repeated point.
fn stitch_ring(arcs: &[Vec<Coord<f64>>], ring: &Value) -> Result<LineString<f64>, String> {
    let indices = ring.as_array().ok_or("ring is not a list of arc indices")?;
    let mut coords: Vec<Coord<f64>> = Vec::new();
    for index in indices {
        let i = index
            .as_i64()
            .ok_or_else(|| format!("arc index {index} is not an integer"))?;
        let (k, reversed) = if i >= 0 {
            (i as usize, false)
        } else {
            ((!i) as usize, true)
        };
        let arc = arcs
            .get(k)
            .ok_or_else(|| format!("arc index {i} out of range ({} arcs)", arcs.len()))?;
        let mut points: Vec<Coord<f64>> = arc.clone();
        if reversed {
            points.reverse();
        }
        if !coords.is_empty() {
            points.remove(0);
        }
        coords.extend(points);
    }
    check_ring(coords)
}

fn check_ring(coords: Vec<Coord<f64>>) -> Result<LineString<f64>, String> {
    if coords.len() < 4 {
        return Err(format!(
            "ring has {} positions; a closed ring needs at least 4",
            coords.len()
        ));
    }
    if coords.first() != coords.last() {
        return Err("ring is not closed (first position ≠ last)".to_string());
    }
    if coords.iter().any(|c| !c.x.is_finite() || !c.y.is_finite()) {
        return Err("ring has a non-finite coordinate".to_string());
    }
    Ok(LineString::new(coords))
}

fn read_feature_collection(path: &Path, value: Value) -> Result<Vec<BoundaryFeature>, ReadError> {
    let collection: geojson::FeatureCollection =
        serde_json::from_value(value).map_err(|e| ReadError::json(path, BOUNDARIES_LAYOUT, &e))?;
    let mut features = Vec::with_capacity(collection.features.len());
    for (k, feature) in collection.features.into_iter().enumerate() {
        let n = k + 1;
        let properties = feature.properties.clone().map(Value::Object);
        let code = feature_code(path, n, properties.as_ref())?;
        let bad = |problem: String| ReadError::BadGeometry {
            path: path.to_path_buf(),
            feature: feature_label(n, code),
            problem,
        };
        if let Some(g) = &feature.geometry {
            let polygons: Vec<&Vec<Vec<geojson::Position>>> = match &g.value {
                geojson::GeometryValue::Polygon { coordinates } => vec![coordinates],
                geojson::GeometryValue::MultiPolygon { coordinates } => {
                    coordinates.iter().collect()
                }
                other => {
                    return Err(bad(format!(
                        "unexpected geometry type {}; expected Polygon or MultiPolygon",
                        other.type_name()
                    )))
                }
            };
            // Checked before conversion: geo closes open rings silently.
            for ring in polygons.into_iter().flatten() {
                if let Some(p) = ring.iter().find(|p| p.as_slice().len() < 2) {
                    return Err(bad(format!(
                        "position [{}] is not two numbers (longitude, latitude)",
                        p.as_slice()
                            .iter()
                            .map(|x| x.to_string())
                            .collect::<Vec<_>>()
                            .join(", ")
                    )));
                }
                let coords = ring
                    .iter()
                    .map(|p| Coord {
                        x: p.as_slice()[0],
                        y: p.as_slice().get(1).copied().unwrap_or(f64::NAN),
                    })
                    .collect();
                check_ring(coords).map_err(&bad)?;
            }
        }
        let shape = match feature.geometry {
            None => MultiPolygon::new(vec![]),
            Some(g) => match geo::Geometry::<f64>::try_from(g).map_err(|e| bad(e.to_string()))? {
                geo::Geometry::Polygon(p) => MultiPolygon::new(vec![p]),
                geo::Geometry::MultiPolygon(mp) => mp,
                _ => {
                    return Err(bad(
                        "a geometry other than Polygon or MultiPolygon".to_string()
                    ))
                }
            },
        };
        features.push(BoundaryFeature {
            code,
            shape,
            feature: n,
        });
    }
    Ok(features)
}

fn feature_code(
    path: &Path,
    n: usize,
    properties: Option<&Value>,
) -> Result<Option<MuniCode>, ReadError> {
    let Some(props) = properties.and_then(Value::as_object) else {
        return Ok(None);
    };
    let Some(value) = CODE_PROPERTIES.iter().find_map(|k| props.get(*k)) else {
        return Ok(None);
    };
    match value {
        Value::Null => Ok(None),
        Value::String(s) => MuniCode::parse(s)
            .map(Some)
            .ok_or_else(|| ReadError::BadCode {
                path: path.to_path_buf(),
                record: format!("feature {n}"),
                column: "N03_007".to_string(),
                value: s.clone(),
                expected: "five digits, e.g. 01100",
            }),
        other => Err(ReadError::BadCode {
            path: path.to_path_buf(),
            record: format!("feature {n}"),
            column: "N03_007".to_string(),
            value: other.to_string(),
            expected: "a 5-digit string",
        }),
    }
}

fn feature_label(n: usize, code: Option<MuniCode>) -> String {
    match code {
        Some(c) => format!("feature {n} (code {c})"),
        None => format!("feature {n} (no code)"),
    }
}

/// Reads MLIT's N03 Shapefile: every polygon feature with its `N03_007` code (empty for
/// 所属未定地). The `.dbf` is decoded as Shift_JIS unless a `.cpg` beside it names UTF-8.
///
/// # Errors
/// [`ReadError`] naming the file and feature: a missing `.dbf` or `.shx`, no `N03_007`
/// field, a code that is not five digits, a shape that is not a polygon.
fn read_shapefile(path: &Path) -> Result<Vec<BoundaryFeature>, ReadError> {
    let problem = |p: String| ReadError::Table {
        path: path.to_path_buf(),
        problem: p,
    };
    if !path.is_file() {
        return Err(problem("no such file".to_string()));
    }
    // N03 is in longitude and latitude (JGD2011); a projected copy would put every unit
    // "outside Japan".
    if let Ok(prj) = std::fs::read_to_string(sibling(path, "prj")) {
        if prj.trim_start().starts_with("PROJCS") {
            let name = prj.split('"').nth(1).unwrap_or("a projection");
            return Err(problem(format!(
                "projected coordinates ({name}, says its .prj): N03 is in longitude and latitude (JGD2011, EPSG:6668); give MLIT's file as published, or reproject it to EPSG:6668"
            )));
        }
    }
    let dbf = sibling(path, "dbf");
    if !dbf.is_file() {
        return Err(problem(format!(
            "no {} beside it: a Shapefile's attributes (the N03_007 code) are in its .dbf",
            dbf.display()
        )));
    }
    let cpg = std::fs::read_to_string(sibling(path, "cpg")).unwrap_or_default();
    let encoding: dbase::encoding::DynEncoding = if cpg.to_ascii_uppercase().contains("UTF") {
        dbase::encoding::UnicodeLossy.into()
    } else {
        dbase::encoding::EncodingRs::from(encoding_rs::SHIFT_JIS).into()
    };
    let shapes = shapefile::ShapeReader::from_path(path).map_err(|e| {
        problem(format!(
            "not a readable Shapefile ({})",
            plain(&e.to_string())
        ))
    })?;
    let records = dbase::ReaderBuilder::new()
        .with_encoding(encoding)
        .open(&dbf)
        .map_err(|e| {
            problem(format!(
                "{}: not a readable dBase table ({})",
                dbf.display(),
                plain(&e.to_string())
            ))
        })?;
    let mut reader = shapefile::Reader::new(shapes, records);
    let mut out = Vec::new();
    for (n, item) in reader.iter_shapes_and_records().enumerate() {
        let feature = n + 1;
        let (shape, record) = item.map_err(|e| {
            // The attributes come from the .dbf: name it when the problem is there.
            let (file, e) = match e {
                shapefile::Error::DbaseError(e) => (format!("{}: ", dbf.display()), e.to_string()),
                e => (String::new(), e.to_string()),
            };
            problem(if cut_short(&e) {
                format!("{file}the file is cut short: it ends inside feature {feature}")
            } else {
                format!("{file}feature {feature}: cannot be read ({e})")
            })
        })?;
        let code = match record.get("N03_007") {
            Some(dbase::FieldValue::Character(Some(text))) if !text.trim().is_empty() => {
                let text = text.trim();
                Some(MuniCode::parse(text).ok_or_else(|| ReadError::BadCode {
                    path: path.to_path_buf(),
                    record: format!("feature {feature}"),
                    column: "N03_007".to_string(),
                    value: text.to_string(),
                    expected: "five digits (N03's 行政区域コード)",
                })?)
            }
            Some(dbase::FieldValue::Character(_)) => None,
            Some(_) => {
                return Err(problem(format!(
                    "feature {feature}: N03_007 is not a text field (N03 writes the code as text, e.g. 33202)"
                )))
            }
            None => {
                return Err(problem(format!(
                    "no N03_007 field in {}: not MLIT's N03 行政区域 (fields: {})",
                    dbf.display(),
                    record
                        .into_iter()
                        .map(|(name, _)| name)
                        .collect::<Vec<_>>()
                        .join(", ")
                )))
            }
        };
        let shape = match shape {
            shapefile::Shape::NullShape => MultiPolygon::new(Vec::new()),
            shapefile::Shape::Polygon(p) => MultiPolygon::try_from(p).map_err(|e| {
                problem(match e {
                    shapefile::Error::OrphanedInnerRing => format!(
                        "feature {feature}: a hole (an inner ring) that lies in no outer ring"
                    ),
                    e => format!("feature {feature}: broken polygon ({e})"),
                })
            })?,
            other => {
                return Err(problem(format!(
                    "feature {feature}: a {} shape; N03 boundaries are polygons",
                    other.shapetype()
                )))
            }
        };
        out.push(BoundaryFeature {
            code,
            shape,
            feature,
        });
    }
    Ok(out)
}

/// The file beside `path` with extension `ext`, as written (`x.dbf`), upper-case (`X.DBF`
/// beside `X.SHP`), or in any case beside it; `path.with_extension(ext)` when there is none.
fn sibling(path: &Path, ext: &str) -> PathBuf {
    let plain = path.with_extension(ext);
    if plain.is_file() {
        return plain;
    }
    let stem = path.file_stem().map(|s| s.to_string_lossy().to_lowercase());
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    if let Ok(entries) = std::fs::read_dir(dir) {
        let mut found: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| {
                p.file_stem().map(|s| s.to_string_lossy().to_lowercase()) == stem
                    && p.extension()
                        .is_some_and(|e| e.to_string_lossy().eq_ignore_ascii_case(ext))
            })
            .collect();
        found.sort();
        if let Some(p) = found.into_iter().next() {
            return p;
        }
    }
    plain
}

/// Whether a reading library's message says the file ended early.
fn cut_short(message: &str) -> bool {
    message.contains("fill whole buffer") || message.contains("UnexpectedEof")
}

/// A reading library's message in plain words where it has a common cause.
fn plain(message: &str) -> String {
    if cut_short(message) {
        "the file is cut short".to_string()
    } else {
        message.to_string()
    }
}

/// Reads MLIT's download as it comes: the zip's one `.shp` (with its `.shx`, `.dbf`, `.cpg`),
/// or else its one `.geojson`, unpacked into a temporary folder that is removed afterwards.
///
/// # Errors
/// [`ReadError`] naming the archive: not a zip, no or several Shapefiles, or any error of the
/// file inside (named inside the archive).
fn read_zip(path: &Path) -> Result<Vec<BoundaryFeature>, ReadError> {
    let problem = |p: String| ReadError::Table {
        path: path.to_path_buf(),
        problem: p,
    };
    let file = std::fs::File::open(path).map_err(|source| ReadError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let mut archive = zip::ZipArchive::new(std::io::BufReader::new(file))
        .map_err(|e| {
            problem(match e {
                zip::result::ZipError::Io(e) => format!("not a readable zip archive ({e})"),
                _ => "not a readable zip archive: it is cut short or damaged (its table of contents is missing or broken); download it again".to_string(),
            })
        })?;
    let names: Vec<String> = archive.file_names().map(str::to_string).collect();
    let with = |ext: &str| -> Vec<&String> {
        names
            .iter()
            .filter(|n| n.to_ascii_lowercase().ends_with(ext))
            .collect()
    };
    let (stem, main_ext) = match (with(".shp").as_slice(), with(".geojson").as_slice()) {
        ([shp], _) => (shp[..shp.len() - 4].to_string(), "shp"),
        ([], [geojson]) => (geojson[..geojson.len() - 8].to_string(), "geojson"),
        ([], []) => {
            return Err(problem(
                "no .shp or .geojson inside: not MLIT's N03 download".to_string(),
            ))
        }
        (shps, _) if shps.len() > 1 => {
            return Err(problem(format!(
                "{} Shapefiles inside ({}): unzip it and give the one to read",
                shps.len(),
                shps.iter()
                    .map(|s| s.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )))
        }
        (_, geojsons) => {
            return Err(problem(format!(
                "{} GeoJSON files inside: unzip it and give the one to read",
                geojsons.len()
            )))
        }
    };
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let dir = std::env::temp_dir().join(format!("toshiken-n03-{}-{nanos}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|source| ReadError::Io {
        path: dir.clone(),
        source,
    })?;
    let result = (|| {
        let base = Path::new(&stem)
            .file_name()
            .map_or("n03".into(), |n| n.to_string_lossy().into_owned());
        let exts: &[&str] = if main_ext == "shp" {
            &["shp", "shx", "dbf", "cpg", "prj"]
        } else {
            &["geojson"]
        };
        for ext in exts {
            let Some(name) = names
                .iter()
                .find(|n| n.eq_ignore_ascii_case(&format!("{stem}.{ext}")))
            else {
                continue;
            };
            let mut entry = archive
                .by_name(name)
                .map_err(|e| problem(format!("{name}: cannot be read from the archive ({e})")))?;
            let target = dir.join(format!("{base}.{ext}"));
            let mut out = std::fs::File::create(&target).map_err(|source| ReadError::Io {
                path: target.clone(),
                source,
            })?;
            std::io::copy(&mut entry, &mut out)
                .map_err(|e| problem(format!("{name}: cannot be unpacked ({e})")))?;
        }
        let inner = dir.join(format!("{base}.{main_ext}"));
        read_boundaries(&inner).map_err(|e| {
            problem(format!(
                "inside the archive: {}",
                e.to_string().replace(&format!("{}/", dir.display()), "")
            ))
        })
    })();
    let _ = std::fs::remove_dir_all(&dir);
    result
}
