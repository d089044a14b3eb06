//! OGC GeoPackage (`toshiken.gpkg`) written with SQLite (rusqlite, SQLite compiled in; no
//! GDAL): one feature table per layer with scalar fields, geometries as GeoPackage binary
//! (the `GP` header with an xy envelope, then little-endian WKB MultiPolygon), coordinates in
//! JGD2011 longitude/latitude (EPSG:6668, the datum of N03). Written to a temporary name and
//! renamed, as every output.
//!
//! Follows OGC 12-128r18 (GeoPackage 1.2.1/1.3): `application_id` 'GPKG', the three required
//! `gpkg_spatial_ref_sys` rows (-1, 0, 4326), `gpkg_contents` and `gpkg_geometry_columns`. The
//! optional R-tree index is left out (1,741 features); QGIS and GDAL read without it.

use std::path::Path;

use geo::orient::{Direction, Orient};
use geo::{BoundingRect, MultiPolygon};
use rusqlite::{params_from_iter, types::Value, Connection};

use super::geojson_out::{OutFeature, PropValue};
use super::write::{write_atomic_path, WriteError};

/// EPSG code of the coordinates (JGD2011 geographic 2D).
pub const SRS_ID: i32 = 6668;

const JGD2011_WKT: &str = r#"GEOGCS["JGD2011",DATUM["Japanese_Geodetic_Datum_2011",SPHEROID["GRS 1980",6378137,298.257222101,AUTHORITY["EPSG","7019"]],AUTHORITY["EPSG","1128"]],PRIMEM["Greenwich",0,AUTHORITY["EPSG","8901"]],UNIT["degree",0.0174532925199433,AUTHORITY["EPSG","9122"]],AXIS["Latitude",NORTH],AXIS["Longitude",EAST],AUTHORITY["EPSG","6668"]]"#;
const WGS84_WKT: &str = r#"GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563,AUTHORITY["EPSG","7030"]],AUTHORITY["EPSG","6326"]],PRIMEM["Greenwich",0,AUTHORITY["EPSG","8901"]],UNIT["degree",0.0174532925199433,AUTHORITY["EPSG","9122"]],AXIS["Latitude",NORTH],AXIS["Longitude",EAST],AUTHORITY["EPSG","4326"]]"#;

/// One feature table.
pub struct GpkgLayer<'a> {
    /// Table name (`municipalities`, `areas`).
    pub name: &'a str,
    /// What it holds, for `gpkg_contents.description`.
    pub description: &'a str,
    /// Features; every feature has the same properties in the same order.
    pub features: &'a [OutFeature],
}

/// Writes `layers` to `path` as a GeoPackage. Lists become text joined with `;` (the CSVs'
/// convention), booleans GeoPackage `BOOLEAN` (0/1).
///
/// # Errors
/// [`WriteError`] when SQLite refuses a statement or the file cannot be written.
pub fn write_geopackage(path: &Path, layers: &[GpkgLayer]) -> Result<(), WriteError> {
    let mut failure = None;
    let outcome = write_atomic_path(path, |tmp| {
        fill(tmp, layers).map_err(|e| {
            failure = Some(e);
            std::io::Error::other("SQLite failed")
        })
    });
    match (outcome, failure) {
        (_, Some(source)) => Err(WriteError::GeoPackage {
            path: path.to_path_buf(),
            source,
        }),
        (r, None) => r,
    }
}

fn fill(tmp: &Path, layers: &[GpkgLayer]) -> rusqlite::Result<()> {
    let mut db = Connection::open(tmp)?;
    // The file is renamed into place only when complete, so SQLite's own journal adds nothing.
    db.execute_batch(
        "PRAGMA application_id = 1196444487;
         PRAGMA user_version = 10200;
         PRAGMA journal_mode = OFF;
         PRAGMA synchronous = OFF;
         CREATE TABLE gpkg_spatial_ref_sys (
           srs_name TEXT NOT NULL, srs_id INTEGER PRIMARY KEY, organization TEXT NOT NULL,
           organization_coordsys_id INTEGER NOT NULL, definition TEXT NOT NULL,
           description TEXT);
         CREATE TABLE gpkg_contents (
           table_name TEXT NOT NULL PRIMARY KEY, data_type TEXT NOT NULL,
           identifier TEXT UNIQUE, description TEXT DEFAULT '',
           last_change DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
           min_x DOUBLE, min_y DOUBLE, max_x DOUBLE, max_y DOUBLE, srs_id INTEGER,
           CONSTRAINT fk_gc_r_srs_id FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys(srs_id));
         CREATE TABLE gpkg_geometry_columns (
           table_name TEXT NOT NULL, column_name TEXT NOT NULL,
           geometry_type_name TEXT NOT NULL, srs_id INTEGER NOT NULL,
           z TINYINT NOT NULL, m TINYINT NOT NULL,
           CONSTRAINT pk_geom_cols PRIMARY KEY (table_name, column_name),
           CONSTRAINT uk_gc_table_name UNIQUE (table_name),
           CONSTRAINT fk_gc_tn FOREIGN KEY (table_name) REFERENCES gpkg_contents(table_name),
           CONSTRAINT fk_gc_srs FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys(srs_id));",
    )?;
    let tx = db.transaction()?;
    {
        let mut srs =
            tx.prepare("INSERT INTO gpkg_spatial_ref_sys VALUES (?1, ?2, ?3, ?4, ?5, ?6)")?;
        srs.execute(rusqlite::params![
            "Undefined cartesian SRS",
            -1,
            "NONE",
            -1,
            "undefined",
            "undefined cartesian coordinate reference system"
        ])?;
        srs.execute(rusqlite::params![
            "Undefined geographic SRS",
            0,
            "NONE",
            0,
            "undefined",
            "undefined geographic coordinate reference system"
        ])?;
        srs.execute(rusqlite::params![
            "WGS 84 geodetic",
            4326,
            "EPSG",
            4326,
            WGS84_WKT,
            "longitude/latitude coordinates in decimal degrees on the WGS 84 spheroid"
        ])?;
        srs.execute(rusqlite::params![
            "JGD2011",
            SRS_ID,
            "EPSG",
            SRS_ID,
            JGD2011_WKT,
            "Japanese Geodetic Datum 2011, longitude/latitude (the datum of MLIT N03)"
        ])?;
    }
    for layer in layers {
        write_layer(&tx, layer)?;
    }
    tx.commit()?;
    db.close().map_err(|(_, e)| e)
}

/// SQL type of a property, from the first feature that has a value.
fn sql_type(features: &[OutFeature], i: usize) -> &'static str {
    features
        .iter()
        .map(|f| &f.properties[i].1)
        .find(|v| **v != PropValue::Null)
        .map_or("TEXT", |v| match v {
            PropValue::Int(_) => "INTEGER",
            PropValue::Float(_) => "DOUBLE",
            PropValue::Bool(_) => "BOOLEAN",
            _ => "TEXT",
        })
}

fn write_layer(tx: &rusqlite::Transaction, layer: &GpkgLayer) -> rusqlite::Result<()> {
    let names: Vec<&str> = layer
        .features
        .first()
        .map(|f| f.properties.iter().map(|(k, _)| *k).collect())
        .unwrap_or_default();
    let fields: Vec<String> = names
        .iter()
        .enumerate()
        .map(|(i, n)| format!(r#""{n}" {}"#, sql_type(layer.features, i)))
        .collect();
    let table = layer.name;
    tx.execute_batch(&format!(
        r#"CREATE TABLE "{table}" (fid INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, geom MULTIPOLYGON{}{});"#,
        if fields.is_empty() { "" } else { ", " },
        fields.join(", ")
    ))?;
    let placeholders: Vec<String> = (0..=names.len()).map(|i| format!("?{}", i + 1)).collect();
    let mut insert = tx.prepare(&format!(
        r#"INSERT INTO "{table}" (geom{}{}) VALUES ({})"#,
        if names.is_empty() { "" } else { ", " },
        names
            .iter()
            .map(|n| format!(r#""{n}""#))
            .collect::<Vec<_>>()
            .join(", "),
        placeholders.join(", ")
    ))?;
    let mut extent: Option<[f64; 4]> = None;
    for f in layer.features {
        let shape = f.shape.orient(Direction::Default);
        let envelope = shape
            .bounding_rect()
            .map(|r| [r.min().x, r.max().x, r.min().y, r.max().y]);
        if let Some(e) = envelope {
            extent = Some(match extent {
                None => e,
                Some(x) => [
                    x[0].min(e[0]),
                    x[1].max(e[1]),
                    x[2].min(e[2]),
                    x[3].max(e[3]),
                ],
            });
        }
        let mut values = vec![Value::Blob(geometry_blob(&shape, envelope))];
        values.extend(f.properties.iter().map(|(_, v)| match v {
            PropValue::Text(s) => Value::Text(s.clone()),
            PropValue::Int(i) => Value::Integer(*i),
            PropValue::Float(x) if x.is_finite() => Value::Real(*x),
            PropValue::Float(_) | PropValue::Null => Value::Null,
            PropValue::Bool(b) => Value::Integer(i64::from(*b)),
            PropValue::List(l) => Value::Text(l.join(";")),
        }));
        insert.execute(params_from_iter(values))?;
    }
    let [min_x, max_x, min_y, max_y] = extent.unwrap_or([0.0; 4]);
    tx.execute(
        "INSERT INTO gpkg_contents (table_name, data_type, identifier, description, min_x, min_y, max_x, max_y, srs_id)
         VALUES (?1, 'features', ?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        rusqlite::params![table, layer.description, min_x, min_y, max_x, max_y, SRS_ID],
    )?;
    tx.execute(
        "INSERT INTO gpkg_geometry_columns VALUES (?1, 'geom', 'MULTIPOLYGON', ?2, 0, 0)",
        rusqlite::params![table, SRS_ID],
    )?;
    Ok(())
}

/// GeoPackage binary: magic `GP`, version 0, flags (little-endian, xy envelope or empty), the
/// SRS id, the envelope (min x, max x, min y, max y), then WKB.
pub fn geometry_blob(shape: &MultiPolygon<f64>, envelope: Option<[f64; 4]>) -> Vec<u8> {
    let mut b =
        Vec::with_capacity(48 + 16 * shape.0.iter().map(|p| p.exterior().0.len()).sum::<usize>());
    b.extend_from_slice(b"GP");
    b.push(0);
    // Bit 0: little-endian; bits 1-3: envelope code (1 = xy); bit 4: empty.
    b.push(match envelope {
        Some(_) => 0b0000_0011,
        None => 0b0001_0001,
    });
    b.extend_from_slice(&SRS_ID.to_le_bytes());
    if let Some(e) = envelope {
        for x in e {
            b.extend_from_slice(&x.to_le_bytes());
        }
    }
    wkb_multipolygon(&mut b, shape);
    b
}

/// ISO/OGC WKB, little-endian: a MultiPolygon (type 6) of Polygons (type 3), each ring as its
/// point count and x, y pairs (rings closed, as geo keeps them).
fn wkb_multipolygon(b: &mut Vec<u8>, shape: &MultiPolygon<f64>) {
    let count = |n: usize| {
        u32::try_from(n)
            .expect("fewer than 2^32 parts")
            .to_le_bytes()
    };
    b.push(1);
    b.extend_from_slice(&6u32.to_le_bytes());
    b.extend_from_slice(&count(shape.0.len()));
    for polygon in &shape.0 {
        b.push(1);
        b.extend_from_slice(&3u32.to_le_bytes());
        let rings: Vec<_> = std::iter::once(polygon.exterior())
            .chain(polygon.interiors())
            .collect();
        b.extend_from_slice(&count(rings.len()));
        for ring in rings {
            b.extend_from_slice(&count(ring.0.len()));
            for c in &ring.0 {
                b.extend_from_slice(&c.x.to_le_bytes());
                b.extend_from_slice(&c.y.to_le_bytes());
            }
        }
    }
}
