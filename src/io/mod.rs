//! Every reader and writer. The only module that names polars, serde_json, geojson or TopoJSON
//! types: the rest of the crate sees `RawOd`, `MasterRow`, `PopulationRow`, `BoundaryFeature`
//! (`geo` polygons) and `OutColumn`; `xlsx.rs` is the only one that names rust_xlsxwriter.

mod assignments;
mod boundaries;
mod census_json;
mod crosswalk;
mod error;
pub mod estat;
mod geojson_out;
mod gpkg;
mod guard;
mod master;
mod od_table;
mod parquet_check;
mod parquet_int32;
mod population;
mod rules_data;
mod table;
mod write;
mod xlsx;
mod zones;

pub use assignments::{read_assignments, AssignmentRow};
pub use boundaries::{read_boundaries, BoundaryFeature, CODE_PROPERTIES};
pub use census_json::{read_census_json_dir, read_census_json_file};
pub use crosswalk::{read_crosswalk, vintage_hint, CrosswalkRow};
pub use error::ReadError;
pub use geojson_out::{feature_columns, write_geojson, OutFeature, PropValue};
pub use gpkg::{write_geopackage, GpkgLayer};
pub use master::read_master;
pub use od_table::read_od_table;
pub use population::{read_population, PopulationRow};
pub use rules_data::{
    read_core_cities, read_cz_links, read_day_night, read_declared, read_designated_cities,
    read_did, read_metro_areas, CoreCityRow, DayNightRow, DeclaredArea, DeclaredMember,
    DesignatedCityRow, DidRow, ListInfo, MetroEntry, MetroRow, MetroStatus, RoadLink,
    BUILTIN_CORE_CITIES, BUILTIN_CZ_LINKS, BUILTIN_DESIGNATED_CITIES, BUILTIN_METRO_AREAS,
};
pub use write::{
    write_atomic, write_atomic_path, write_json, write_table, write_text, OutColumn, OutFormat,
    OutValues, WriteError,
};
pub use xlsx::{
    column_info, sheet_name, value_ja, write_workbook, CellStyle, XlsxTable, COLUMNS, RUN_SHEET,
    SHEETS, VALUES,
};
pub use zones::{
    is_zone_table, read_zone_od, read_zone_population, u32_column, ZoneOdWriter, ZONE_COLUMN,
};

use std::path::Path;

use crate::matrix::RawOd;

/// How an OD or population input is laid out, for run.json and the run's summary: an e-Stat
/// download with its table id (or the warning that a CSV without section headers does not
/// state it), census JSON, or a table by its extension. `od` says which role it has.
pub fn describe_input(path: &Path, od: bool) -> (String, Option<String>) {
    if let Some((layout, id)) = estat::describe(path) {
        let (tables, what) = if od {
            (estat::OD_TABLES, "the OD")
        } else {
            (estat::POPULATION_TABLES, "the population")
        };
        return match id {
            Some(id) => (format!("{layout}, table {id}"), None),
            None => (
                format!("{layout} (table id not stated)"),
                Some(if layout.contains("JSON") {
                    format!(
                        "{}: an e-Stat API response that states no table id (no PARAMETER.STATS_DATA_ID or TABLE_INF @id); it was read as {what}, table {} ({}), which toshiken cannot check. Give the response as the API wrote it",
                        path.display(),
                        tables[0].0,
                        tables[0].1
                    )
                } else {
                    format!(
                        "{}: an e-Stat CSV without its section headers does not say which table it is; it was read as {what}, table {} ({}), which toshiken cannot check. Download it with its section headers (sectionHeaderFlg=1, the API's default) so that the table id is checked",
                        path.display(),
                        tables[0].0,
                        tables[0].1
                    )
                }),
            ),
        };
    }
    let text = if path.is_dir() {
        "census JSON, a folder of files".to_string()
    } else {
        match table::extension(path).as_deref() {
            Some("json") if od => "census JSON".to_string(),
            Some("parquet") => "Parquet table".to_string(),
            _ => "CSV table".to_string(),
        }
    };
    (text, None)
}

/// Reads any OD source: a folder of census JSON files, one census JSON file, or a long table
/// (`origin,destination,persons`) in CSV or Parquet.
///
/// # Errors
/// [`ReadError`] naming the file, record and code of the first problem.
pub fn read_od(path: &Path) -> Result<RawOd, ReadError> {
    // e-Stat downloads are recognised by content (a folder: by its first file).
    if estat::sniff(path)? {
        return estat::read_estat_od(path);
    }
    estat::refuse_other_estat_layout(path)?;
    if path.is_dir() {
        return read_census_json_dir(path);
    }
    match table::extension(path).as_deref() {
        Some("json") => read_census_json_file(path),
        _ => read_od_table(path),
    }
}
