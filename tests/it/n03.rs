//! MLIT's N03 as published: a Shapefile (.shp/.shx/.dbf, Shift_JIS attributes) written here
//! from the real national boundaries of the data directory with the `shapefile` crate's writer,
//! read back by `--boundaries FILE.shp`, gives the same delineation as the TopoJSON. As MLIT
//! publishes N03, every polygon is a record of its own (a municipality with islands has one
//! record per island, all with its code).

use std::path::Path;

use crate::common::{real_dir, text, toshiken};

/// Writes every polygon of the data directory's N03 TopoJSON to `shp` as a record of its own,
/// with the fields MLIT's file has (N03_001 prefecture name in Shift_JIS, N03_007 code; empty
/// for 所属未定地). Returns the records written and those without a code.
fn write_n03_shapefile(shp: &Path) -> (usize, usize) {
    let topo = real_dir().join("n03_boundaries_smartnews/topojson_s0010/N03-21_210101.json");
    let features = toshiken::io::read_boundaries(&topo).unwrap();
    let table = dbase::TableWriterBuilder::with_encoding(dbase::encoding::EncodingRs::from(
        encoding_rs::SHIFT_JIS,
    ))
    .add_character_field("N03_001".try_into().unwrap(), 10)
    .add_character_field("N03_007".try_into().unwrap(), 5);
    let mut writer = shapefile::Writer::from_path(shp, table).unwrap();
    let (mut records, mut without_code) = (0, 0);
    for f in &features {
        for part in &f.shape.0 {
            let mut record = dbase::Record::default();
            record.insert(
                "N03_001".to_string(),
                dbase::FieldValue::Character(Some("岡山県".to_string())),
            );
            record.insert(
                "N03_007".to_string(),
                dbase::FieldValue::Character(f.code.map(|c| c.to_string())),
            );
            let polygon = shapefile::Polygon::from(geo::MultiPolygon::new(vec![part.clone()]));
            writer.write_shape_and_record(&polygon, &record).unwrap();
            records += 1;
            without_code += usize::from(f.code.is_none());
        }
    }
    (records, without_code)
}

#[test]
fn an_n03_shapefile_gives_the_same_delineation_as_the_topojson() {
    let tmp = tempfile::tempdir().unwrap();
    let shp = tmp.path().join("N03-21_210101.shp");
    let (n, without_code) = write_n03_shapefile(&shp);
    let back = toshiken::io::read_boundaries(&shp).unwrap();
    assert_eq!(back.len(), n);
    assert!(n > 1_900, "one record per polygon: {n}");
    assert_eq!(
        back.iter().filter(|f| f.code.is_none()).count(),
        without_code,
        "所属未定地 kept"
    );
    assert!(without_code >= 4, "{without_code}");
    let data = real_dir();
    let run = |out: &Path, extra: &[&str]| {
        let mut args = vec![
            "delineate",
            "-q",
            "--data",
            data.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ];
        args.extend(extra);
        let r = toshiken(&args);
        assert!(r.status.success(), "{}", text(&r.stderr));
    };
    let topo = tmp.path().join("topo");
    let shape = tmp.path().join("shp");
    run(&topo, &[]);
    run(&shape, &["--boundaries", shp.to_str().unwrap()]);
    // run.json says what of the file was not used (-q or not): the Northern Territories'
    // six villages (01695–01700) have shapes but no census data.
    let unknown = back
        .iter()
        .filter(|f| {
            f.code
                .is_some_and(|c| ("01695".."01701").contains(&c.to_string().as_str()))
        })
        .count();
    assert!(unknown > 6, "several polygons per village: {unknown}");
    let record = std::fs::read_to_string(shape.join("run.json")).unwrap();
    assert!(
        record.contains(&format!(
            "{n} boundary features read; {without_code} without a code (N03 所属未定地, or features of another layer) set aside; {unknown} with a code not in the registry (6 codes) (01695 01696 01697 01698 01699 01700)"
        )),
        "{record}"
    );
    // 長崎市's polygons overlap after the source's simplification: read as separate records
    // they must still border 諫早市 and 長与町 by the published borders (they did not when
    // the records were dissolved by a polygon union before adjacency was read).
    let areas = std::fs::read_to_string(shape.join("areas.csv")).unwrap();
    let nagasaki = areas
        .lines()
        .find(|l| l.contains(",42201,") || l.starts_with("C42201,"))
        .expect("長崎市's area");
    assert!(
        nagasaki.contains(",true,"),
        "長崎市's area is contiguous: {nagasaki}"
    );
    for f in [
        "centres.csv",
        "areas.csv",
        "memberships.csv",
        "overlaps.csv",
        "pairs.csv",
    ] {
        assert_eq!(
            std::fs::read(topo.join(f)).unwrap(),
            std::fs::read(shape.join(f)).unwrap(),
            "{f}"
        );
    }
}

#[test]
fn the_zip_as_downloaded_reads_and_a_shapefile_without_its_dbf_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let shp = tmp.path().join("N03-21_210101.shp");
    let (n, _) = write_n03_shapefile(&shp);
    // The download as MLIT packs it: the Shapefile's files in a folder of the archive.
    let zip_path = tmp.path().join("N03-20210101_GML.zip");
    {
        let mut zip = zip::ZipWriter::new(std::fs::File::create(&zip_path).unwrap());
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        for ext in ["shp", "shx", "dbf"] {
            zip.start_file(format!("N03-20210101_GML/N03-21_210101.{ext}"), options)
                .unwrap();
            std::io::Write::write_all(&mut zip, &std::fs::read(shp.with_extension(ext)).unwrap())
                .unwrap();
        }
        zip.finish().unwrap();
    }
    let from_zip = toshiken::io::read_boundaries(&zip_path).unwrap();
    let from_shp = toshiken::io::read_boundaries(&shp).unwrap();
    assert_eq!(from_zip.len(), n);
    assert_eq!(from_zip, from_shp);
    // Upper-case names, as some copies have them: the .DBF beside the .SHP is found.
    let upper = tmp.path().join("upper");
    std::fs::create_dir(&upper).unwrap();
    for ext in ["shp", "shx", "dbf"] {
        std::fs::copy(
            shp.with_extension(ext),
            upper.join(format!("N03.{}", ext.to_uppercase())),
        )
        .unwrap();
    }
    assert_eq!(
        toshiken::io::read_boundaries(&upper.join("N03.SHP")).unwrap(),
        from_shp
    );
    let e = toshiken::io::read_boundaries(&upper.join("N03.DBF"))
        .unwrap_err()
        .to_string();
    assert!(e.contains("give the .shp beside it ("), "{e}");
    assert!(e.contains("N03.SHP), or the zip"), "{e}");
    // A .dbf cut short is named, not its .shp.
    let dbf = std::fs::read(upper.join("N03.DBF")).unwrap();
    std::fs::write(upper.join("N03.DBF"), &dbf[..dbf.len() / 2]).unwrap();
    let e = toshiken::io::read_boundaries(&upper.join("N03.SHP"))
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("N03.DBF: the file is cut short: it ends inside feature"),
        "{e}"
    );
    // The .dbf given instead of the .shp.
    let e = toshiken::io::read_boundaries(&shp.with_extension("dbf"))
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("a .dbf is one of a Shapefile's files, not the boundaries themselves: give the .shp beside it"),
        "{e}"
    );
    // A download cut short.
    let bytes = std::fs::read(&zip_path).unwrap();
    let cut = tmp.path().join("cut.zip");
    std::fs::write(&cut, &bytes[..bytes.len() / 2]).unwrap();
    let e = toshiken::io::read_boundaries(&cut).unwrap_err().to_string();
    assert!(
        e.contains("cut.zip: not a readable zip archive: it is cut short or damaged"),
        "{e}"
    );
    // Broken inputs, in words.
    std::fs::remove_file(shp.with_extension("dbf")).unwrap();
    let e = toshiken::io::read_boundaries(&shp).unwrap_err().to_string();
    assert!(e.contains("N03-21_210101.dbf beside it"), "{e}");
    let bogus = tmp.path().join("bogus.zip");
    std::fs::write(&bogus, b"PK").unwrap();
    let e = toshiken::io::read_boundaries(&bogus)
        .unwrap_err()
        .to_string();
    assert!(e.contains("bogus.zip: not a readable zip archive"), "{e}");
}
