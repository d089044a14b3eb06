//! Files a planner opens outside toshiken: the Excel workbook (read back with calamine).

use std::collections::HashMap;
use std::path::Path;

use calamine::{open_workbook, Data, Reader, Xlsx};

use crate::common::{real_dir, text, toshiken};

/// Rows of a CSV written by toshiken (BOM, header, RFC 4180 quoting).
fn read_csv(path: &Path) -> Vec<Vec<String>> {
    let bytes = std::fs::read(path).unwrap();
    assert!(
        bytes.starts_with("\u{feff}".as_bytes()),
        "{}: no BOM",
        path.display()
    );
    let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
    let mut rows = Vec::new();
    let (mut row, mut field, mut quoted) = (Vec::new(), String::new(), false);
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            ('"', _) => quoted = !quoted,
            (',', false) => row.push(std::mem::take(&mut field)),
            ('\n', false) => {
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            _ => field.push(c),
        }
    }
    rows
}

/// A cell as the CSV writes it: numbers compared as numbers by the caller.
fn cell_text(d: &Data) -> String {
    match d {
        Data::String(s) => s.clone(),
        Data::Bool(b) => b.to_string(),
        Data::Empty => String::new(),
        Data::Float(x) => format!("#number {x}"),
        other => format!("#unexpected {other:?}"),
    }
}

#[test]
fn the_workbook_holds_every_table_with_codes_as_text_and_the_csv_numbers() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path();
    let data = real_dir();
    let run = toshiken(&[
        "delineate",
        "--data",
        data.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--xlsx",
        "--sweep",
        "0.05:0.2:0.05",
    ]);
    assert!(run.status.success(), "{}", text(&run.stderr));
    let mut book: Xlsx<_> = open_workbook(out.join("toshiken.xlsx")).unwrap();
    assert_eq!(
        book.sheet_names(),
        [
            "中心市の判定",
            "複眼型の組合せ",
            "圏域",
            "構成市町村",
            "重複所属",
            "市町村",
            "基準割合の感度",
            "要件と根拠",
            "実行条件"
        ]
    );
    let csvs = [
        ("中心市の判定", "centres.csv"),
        ("複眼型の組合せ", "pairs.csv"),
        ("圏域", "areas.csv"),
        ("構成市町村", "memberships.csv"),
        ("重複所属", "overlaps.csv"),
        ("基準割合の感度", "sweep.csv"),
        ("要件と根拠", "clauses.csv"),
    ];
    for (sheet, file) in csvs {
        let range = book.worksheet_range(sheet).unwrap();
        let rows: Vec<&[Data]> = range.rows().collect();
        let csv = read_csv(&out.join(file));
        // Row 1 is the CSV's header; row 0 its Japanese labels, one for every column.
        let english: Vec<String> = rows[1].iter().map(cell_text).collect();
        assert_eq!(english, csv[0], "{sheet}");
        for (ja, en) in rows[0].iter().zip(&english) {
            let ja = cell_text(ja);
            assert!(
                ja != *en && !ja.is_ascii(),
                "{sheet}: column {en} has no Japanese header ({ja})"
            );
        }
        assert_eq!(rows.len() - 2, csv.len() - 1, "{sheet}: row count");
        for (r, (xlsx_row, csv_row)) in rows[2..].iter().zip(&csv[1..]).enumerate() {
            for (c, (cell, want)) in xlsx_row.iter().zip(csv_row).enumerate() {
                let at = format!("{sheet} row {} column {}", r + 3, english[c]);
                match cell {
                    // The same number as the CSV, bit for bit (the CSV prints the shortest
                    // text that reads back as the same f64).
                    Data::Float(x) => assert_eq!(*x, want.parse::<f64>().unwrap(), "{at}"),
                    // The failed clauses in Japanese words (checked below), not the CSV's.
                    _ if english[c] == "failed_clauses" => {}
                    // Enumerated values in Japanese (tier 1 → 1次), the rest as in the CSV.
                    other => assert_eq!(
                        cell_text(other),
                        toshiken::io::value_ja(&english[c], want),
                        "{at}"
                    ),
                }
            }
        }
    }
    // Statuses read in Japanese: 倉敷市 in 岡山's area is 1次, the type of 岡山's area 単独.
    let members = book.worksheet_range("構成市町村").unwrap();
    let kurashiki = members
        .rows()
        .find(|r| cell_text(&r[0]) == "C33100" && cell_text(&r[2]) == "33202")
        .unwrap();
    assert_eq!(cell_text(&kurashiki[4]), "1次");
    assert_eq!(cell_text(&kurashiki[9]), "中心市への通勤通学割合が基準以上");
    // A city failing clause 1 says so in Japanese in the workbook (CSV: English).
    let centres_csv = read_csv(&out.join("centres.csv"));
    let fails_c1 = centres_csv
        .iter()
        .position(|r| r[7] == "false")
        .expect("a city that is neither designated nor core");
    let sheet = book.worksheet_range("中心市の判定").unwrap();
    let row: Vec<&[Data]> = sheet.rows().collect();
    let col = centres_csv[0]
        .iter()
        .position(|h| h == "failed_clauses")
        .unwrap();
    // CSV row k (header = 0) is sheet row k + 1 (two header rows).
    let cell = cell_text(&row[fails_c1 + 1][col]);
    assert!(cell.starts_with("c1 指定都市・中核市でない"), "{cell}");
    // Codes keep their leading zero as text: 札幌市 01100, the first centre.
    let centres = book.worksheet_range("中心市の判定").unwrap();
    assert_eq!(
        centres.get_value((2, 0)),
        Some(&Data::String("01100".into()))
    );
    assert_eq!(
        centres.get_value((2, 1)),
        Some(&Data::String("札幌市".into()))
    );

    // The municipalities sheet: scalar fields a planner can sort by; the primary area is the
    // one a unit is the centre of, else the one with the larger share (persons/denominator).
    let munis = book.worksheet_range("市町村").unwrap();
    let rows: Vec<&[Data]> = munis.rows().collect();
    let header: Vec<String> = rows[1].iter().map(cell_text).collect();
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let by_code: HashMap<String, &[Data]> = rows[2..]
        .iter()
        .map(|r| (cell_text(&r[col("code")]), *r))
        .collect();
    assert_eq!(by_code.len(), 1741);
    let memberships = read_csv(&out.join("memberships.csv"));
    let share = |area: &str, code: &str| -> (u64, u64) {
        let m = memberships
            .iter()
            .find(|m| m[0] == area && m[2] == code)
            .unwrap();
        (m[5].parse().unwrap(), m[6].parse().unwrap())
    };
    // 早島町: 岡山市 and 倉敷市 both draw at least 10 %; 倉敷市 draws more.
    let (p_okayama, d_okayama) = share("C33100", "33423");
    let (p_kurashiki, d_kurashiki) = share("C33202", "33423");
    assert!(p_kurashiki * d_okayama > p_okayama * d_kurashiki);
    let hayashima = by_code["33423"];
    assert_eq!(cell_text(&hayashima[col("primary_area")]), "C33202");
    assert_eq!(cell_text(&hayashima[col("primary_tier")]), "1次");
    assert_eq!(
        hayashima[col("primary_share")],
        Data::Float(p_kurashiki as f64 / d_kurashiki as f64)
    );
    assert_eq!(hayashima[col("area_count")], Data::Float(2.0));
    assert_eq!(cell_text(&hayashima[col("areas")]), "C33100;C33202");
    // 倉敷市 is a tier-1 member of 岡山's area but the centre of its own: primary is its own.
    assert_eq!(cell_text(&by_code["33202"][col("primary_area")]), "C33202");
    assert_eq!(cell_text(&by_code["33202"][col("primary_tier")]), "中心市");
    // A unit in no area has no primary area and no colour.
    let none = rows[2..]
        .iter()
        .find(|r| r[col("area_count")] == Data::Float(0.0))
        .unwrap();
    assert_eq!(none[col("primary_area")], Data::Empty);
    assert_eq!(none[col("colour")], Data::Empty);

    // The run sheet names the inputs with their hashes.
    let run_sheet = book.worksheet_range("実行条件").unwrap();
    let items: Vec<String> = run_sheet
        .rows()
        .map(|r| format!("{} = {}", cell_text(&r[0]), cell_text(&r[1])))
        .collect();
    assert!(
        items
            .iter()
            .any(|i| i.starts_with("parameter: threshold = 0.1")),
        "{items:?}"
    );
    assert!(
        items
            .iter()
            .any(|i| i.starts_with("input: od = ") && i.contains("SHA-256 ")),
        "{items:?}"
    );
}

#[test]
fn the_geopackage_has_both_layers_with_scalar_fields_and_opens_in_gdal() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path();
    let data = real_dir();
    let run = toshiken(&[
        "delineate",
        "--data",
        data.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--gpkg",
    ]);
    assert!(run.status.success(), "{}", text(&run.stderr));
    let path = out.join("toshiken.gpkg");
    let areas = read_csv(&out.join("areas.csv")).len() - 1;

    // The GeoPackage tables, read with SQLite itself.
    let db = rusqlite::Connection::open(&path).unwrap();
    let application_id: i64 = db
        .query_row("PRAGMA application_id", [], |r| r.get(0))
        .unwrap();
    assert_eq!(application_id, 0x4750_4B47, "'GPKG'");
    let contents: Vec<(String, String, i64)> = db
        .prepare("SELECT table_name, data_type, srs_id FROM gpkg_contents ORDER BY table_name")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(
        contents,
        [
            ("areas".to_string(), "features".to_string(), 6668),
            ("municipalities".to_string(), "features".to_string(), 6668)
        ]
    );
    // 早島町's row: the scalar fields and a geometry blob with the GP header, JGD2011 and an xy
    // envelope that holds its town office (133.828°E, 34.600°N).
    let (primary, tier, count, blob): (String, String, i64, Vec<u8>) = db
        .query_row(
            "SELECT primary_area, primary_tier, area_count, geom FROM municipalities WHERE code = '33423'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .unwrap();
    assert_eq!((primary.as_str(), tier.as_str(), count), ("C33202", "1", 2));
    assert_eq!(&blob[..4], b"GP\x00\x03");
    assert_eq!(i32::from_le_bytes(blob[4..8].try_into().unwrap()), 6668);
    let envelope: Vec<f64> = (0..4)
        .map(|i| f64::from_le_bytes(blob[8 + 8 * i..16 + 8 * i].try_into().unwrap()))
        .collect();
    assert!(
        envelope[0] < 133.828 && 133.828 < envelope[1],
        "{envelope:?}"
    );
    assert!(envelope[2] < 34.600 && 34.600 < envelope[3], "{envelope:?}");
    // WKB: little-endian MultiPolygon.
    assert_eq!(blob[40], 1);
    assert_eq!(u32::from_le_bytes(blob[41..45].try_into().unwrap()), 6);

    // GDAL reads it (Debian's gdal-bin; installed by .ci/run). Without GDAL outside CI the
    // check is skipped with a note rather than failing a newcomer's `cargo test`.
    let ogr = std::process::Command::new("ogrinfo")
        .args(["-so", "-al"])
        .arg(&path)
        .output();
    let ogr = match ogr {
        Ok(o) => o,
        Err(_) if std::env::var_os("CI").is_none() => {
            eprintln!("note: ogrinfo not found (apt-get install gdal-bin); GDAL check skipped");
            return;
        }
        Err(e) => panic!("ogrinfo is needed in CI: {e}"),
    };
    let stdout = text(&ogr.stdout);
    let stderr = text(&ogr.stderr);
    assert!(ogr.status.success(), "{stderr}");
    assert!(
        !stderr.contains("ERROR") && !stderr.contains("Warning"),
        "{stderr}"
    );
    let municipalities = stdout.find("Layer name: municipalities").unwrap();
    let areas_at = stdout.find("Layer name: areas").unwrap();
    let (m, a) = if municipalities < areas_at {
        (&stdout[municipalities..areas_at], &stdout[areas_at..])
    } else {
        (&stdout[municipalities..], &stdout[areas_at..municipalities])
    };
    for want in [
        "Geometry: Multi Polygon",
        "Feature Count: 1741",
        "ID[\"EPSG\",6668]",
        "code: String",
        "population: Integer64",
        "day_night_ratio: Real",
        "primary_area: String",
        "primary_tier: String",
        "primary_share: Real",
        "area_count: Integer64",
        "colour: String",
        "isolated: Integer(Boolean)",
    ] {
        assert!(m.contains(want), "municipalities layer: no {want}\n{m}");
    }
    for want in [
        "Geometry: Multi Polygon".to_string(),
        format!("Feature Count: {areas}"),
        "area_id: String".to_string(),
        "contiguous: Integer(Boolean)".to_string(),
    ] {
        assert!(a.contains(&want), "areas layer: no {want}\n{a}");
    }
}

#[test]
fn the_report_has_a_page_per_area_with_every_member_and_shows_mergers_before_and_after() {
    let tmp = tempfile::tempdir().unwrap();
    let data = real_dir();
    let run_in = |dir: &Path, extra: &[&str]| {
        let mut args = vec![
            "--data",
            data.to_str().unwrap(),
            "--out",
            dir.to_str().unwrap(),
        ];
        args.extend_from_slice(extra);
        let run = toshiken(&args);
        assert!(run.status.success(), "{}", text(&run.stderr));
    };
    let csv_dir = tmp.path().join("csv");
    run_in(&csv_dir, &["delineate"]);
    let report_dir = tmp.path().join("report");
    run_in(&report_dir, &["report"]);
    let html = std::fs::read_to_string(report_dir.join("report.html")).unwrap();
    // Self-contained.
    for needle in ["<script src", "<link", "@import", "url(http", "src=\"http"] {
        assert!(!html.contains(needle), "{needle}");
    }
    // One section per area of areas.csv, with one table row per membership of memberships.csv.
    let areas = read_csv(&csv_dir.join("areas.csv"));
    let memberships = read_csv(&csv_dir.join("memberships.csv"));
    for area in &areas[1..] {
        let id = &area[0];
        let start = html
            .find(&format!("<section class=\"area\" id=\"{id}\">"))
            .unwrap_or_else(|| panic!("no section for {id}"));
        let end = html[start + 10..]
            .find("<section")
            .map_or(html.len(), |e| start + 10 + e);
        let section = &html[start..end];
        let table = &section[..section.find("<svg").unwrap()];
        for m in memberships[1..].iter().filter(|m| &m[0] == id) {
            assert!(
                table.contains(&format!(
                    "<tr class=\"{}\" data-code=\"{}\">",
                    if m[4] == "2" { "t2" } else { "" },
                    m[2]
                )),
                "{id}: member {} {} missing",
                m[2],
                m[3]
            );
        }
        let rows = table.matches(" data-code=\"").count();
        let want = memberships[1..].iter().filter(|m| &m[0] == id).count();
        assert_eq!(rows, want, "{id}: rows");
    }
    assert_eq!(
        html.matches("<section class=\"area\"").count(),
        areas.len() - 1
    );
    // The summary counts agree with the CSVs: tier-1 memberships.
    let tier1 = memberships[1..].iter().filter(|m| m[4] == "1").count();
    assert!(
        html.contains(&format!(
            "<tr><td>1次の構成（通勤通学割合 ≥ 基準）</td><td class=\"n\">{tier1}</td></tr>"
        )),
        "tier-1 count {tier1} not in the summary"
    );
    // 倉敷市's share to 岡山市 in 岡山's table, with persons as in memberships.csv.
    let kurashiki = memberships[1..]
        .iter()
        .find(|m| m[0] == "C33100" && m[2] == "33202")
        .unwrap();
    let persons: u64 = kurashiki[5].parse().unwrap();
    let denominator: u64 = kurashiki[6].parse().unwrap();
    let share = format!("{:.1}%", 100.0 * persons as f64 / denominator as f64);
    assert!(html.contains(&share), "{share}");

    // With a merger: 倉敷's area before and after, side by side.
    let merged_dir = tmp.path().join("merged");
    run_in(&merged_dir, &["report", "--merge", "33202+33205"]);
    let html = std::fs::read_to_string(merged_dir.join("report.html")).unwrap();
    assert!(html.contains("合併後（33202+33205）"));
    let start = html.find("<section class=\"area\" id=\"C33202\">").unwrap();
    let section = &html[start..start + html[start + 10..].find("<section").unwrap()];
    assert!(
        section.contains("構成市町村：合併前と合併後"),
        "no before/after"
    );
    // Before: 倉敷市 alone as centre, struck through; after: the merged unit, marked new.
    assert!(section.contains("<td>倉敷市</td>") && section.contains("<td>倉敷市+笠岡市</td>"));
    assert!(
        section.contains(
            "<tr class=\"gone\" data-code=\"33202\"><td>中心市</td><td>33202</td><td>倉敷市</td>"
        ),
        "before row not marked"
    );
    assert!(
        section.contains("<tr class=\"new\" data-code=\"33202\"><td>中心市</td><td>33202</td><td>倉敷市+笠岡市</td>"),
        "after row not marked"
    );
    // 岡山's area changes too (its member 倉敷市 becomes the merged unit), and the merger's
    // warning (笠岡市 does not border 倉敷市) is in the report.
    let start = html.find("<section class=\"area\" id=\"C33100\">").unwrap();
    let section = &html[start..start + html[start + 10..].find("<section").unwrap()];
    assert!(
        section.contains("構成市町村：合併前と合併後"),
        "岡山 not shown before/after"
    );
    let warnings = &html[html.find("<h3>警告</h3>").expect("no warnings")..];
    let warnings = &warnings[..warnings.find("</ul>").unwrap()];
    assert!(
        warnings.contains("33205 笠岡市 does not border 33202 倉敷市"),
        "{warnings}"
    );
}

#[test]
fn compare_reports_the_agreement_of_two_tables_by_hand() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    // The tiny fixture has six municipalities: 97201, 98100, 98201, 98202, 98301, 98302.
    // A: X = {98100, 98201, 98202}, Y = {98301, 98302}; B moves 98202 川市 to Y. 97201 is in
    // no area (a singleton in both).
    std::fs::write(
        dir.join("a.csv"),
        "area_id,code\nX,98100\nX,98201\nX,98202\nY,98301\nY,98302\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("b.csv"),
        "area,municipality_code\nX,98100\nX,98201\nY,98202\nY,98301\nY,98302\n",
    )
    .unwrap();
    let out = dir.join("out");
    let run = toshiken(&[
        "compare",
        dir.join("a.csv").to_str().unwrap(),
        dir.join("b.csv").to_str().unwrap(),
        "--data",
        crate::common::tiny_dir().to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "-q",
    ]);
    assert!(run.status.success(), "{}", text(&run.stderr));
    let stdout = text(&run.stdout);
    // Contingency cells 2, 1, 2, 1: index 2; ΣC(a,2) = ΣC(b,2) = 4; C(6,2) = 15:
    // ARI = (2 − 16/15) / (4 − 16/15) = 14/44 = 0.3182.
    assert!(
        stdout.contains("adjusted Rand index             0.3182"),
        "{stdout}"
    );
    // X ↔ X (2 of 3 in common: 2/3), Y ↔ Y (2/3); 5 units in areas, 川市 moved.
    assert!(
        stdout.contains("in an area in A or B: 5; in matched areas: 4 (80.0%); moved: 1"),
        "{stdout}"
    );
    assert!(
        stdout.contains("left 1, joined 1, tier changed 0"),
        "{stdout}"
    );
    let changes = read_csv(&out.join("compare_memberships.csv"));
    assert_eq!(changes.len(), 3);
    assert_eq!(changes[1][..5], ["X", "X", "98202", "川市", "left"]);
    assert_eq!(changes[2][..5], ["Y", "Y", "98202", "川市", "joined"]);
    let moved = read_csv(&out.join("compare_moved.csv"));
    assert_eq!(moved[1][..3], ["98202", "川市", "X"]);
    assert_eq!(moved[1][5], "Y");
    let areas = read_csv(&out.join("compare_areas.csv"));
    assert_eq!(areas[1][..5], ["X", "X", "3", "2", "2"]);
    assert_eq!(areas[1][5].parse::<f64>().unwrap(), 2.0 / 3.0);
    // --within-b: only B's municipalities count. B = X {98100, 98201}: A restricted to them is
    // the same partition.
    std::fs::write(dir.join("x.csv"), "area_id,code\nX,98100\nX,98201\n").unwrap();
    let run = toshiken(&[
        "compare",
        dir.join("a.csv").to_str().unwrap(),
        dir.join("x.csv").to_str().unwrap(),
        "--within-b",
        "--data",
        crate::common::tiny_dir().to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "-q",
    ]);
    assert!(run.status.success(), "{}", text(&run.stderr));
    let stdout = text(&run.stdout);
    assert!(
        stdout.contains("2 municipalities (those in an area of B)"),
        "{stdout}"
    );
    assert!(
        stdout.contains("adjusted Rand index             1.0000"),
        "{stdout}"
    );
    assert!(stdout.contains("moved: 0"), "{stdout}");
    // A code the data does not know is named with its file and line.
    std::fs::write(dir.join("c.csv"), "area_id,code\nX,98100\nX,04423\n").unwrap();
    let run = toshiken(&[
        "compare",
        dir.join("a.csv").to_str().unwrap(),
        dir.join("c.csv").to_str().unwrap(),
        "--data",
        crate::common::tiny_dir().to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(run.status.code(), Some(1));
    let stderr = text(&run.stderr);
    assert!(
        stderr.contains("c.csv: line 3: code 04423 is not a municipality of the data"),
        "{stderr}"
    );
}

#[test]
fn commuting_zones_write_the_same_files_with_every_municipality_once() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path();
    let data = real_dir();
    let run = toshiken(&[
        "delineate",
        "--data",
        data.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--scheme",
        "cz",
    ]);
    assert!(run.status.success(), "{}", text(&run.stderr));
    let memberships = read_csv(&out.join("memberships.csv"));
    let areas = read_csv(&out.join("areas.csv"));
    // A partition: every municipality in exactly one zone.
    assert_eq!(memberships.len() - 1, 1741);
    let mut codes: Vec<&str> = memberships[1..].iter().map(|m| m[2].as_str()).collect();
    codes.sort_unstable();
    codes.dedup();
    assert_eq!(codes.len(), 1741);
    assert!(areas[1..].iter().all(|a| a[3] == "commuting zone"));
    // Each zone is labelled by its member where the most people work or study (staying +
    // inflow, from `metrics`), and each member's figure is persons to the rest of its zone over
    // its resident commuters.
    let metrics_out = tmp.path().join("metrics");
    let run = toshiken(&[
        "metrics",
        "-q",
        "--data",
        data.to_str().unwrap(),
        "--out",
        metrics_out.to_str().unwrap(),
    ]);
    assert!(run.status.success(), "{}", text(&run.stderr));
    let table = read_csv(&metrics_out.join("municipalities.csv"));
    let col = |name: &str| table[0].iter().position(|c| c == name).unwrap();
    let (staying, inflow) = (col("staying"), col("inflow"));
    let jobs: std::collections::HashMap<&str, u64> = table[1..]
        .iter()
        .map(|r| {
            let n = |i: usize| r[i].parse::<u64>().unwrap_or(0);
            (r[0].as_str(), n(staying) + n(inflow))
        })
        .collect();
    for area in &areas[1..] {
        let rows: Vec<&Vec<String>> = memberships[1..]
            .iter()
            .filter(|m| m[0] == area[0])
            .collect();
        let label = rows.iter().find(|m| m[4] == "centre").unwrap();
        let l = jobs[label[2].as_str()];
        assert!(rows.iter().all(|m| jobs[m[2].as_str()] <= l), "{}", area[0]);
        assert_eq!(label[2], area[1], "{}", area[0]);
        assert!(
            rows.iter().all(|m| m[8].is_empty()),
            "no share threshold in a zone"
        );
        if rows.len() == 1 {
            assert_eq!(label[5], "0", "a zone of one sends no one to the rest");
        }
    }
    // The zone holding most of the special wards is named by one of them (most jobs), not by
    // 川崎市 (more resident commuters than any ward).
    let tokyo = memberships[1..]
        .iter()
        .find(|m| m[2] == "13101")
        .map(|m| m[0].clone())
        .unwrap();
    assert!(tokyo.starts_with("C131"), "{tokyo}");
    let clauses = read_csv(&out.join("clauses.csv"));
    assert!(clauses
        .iter()
        .any(|c| c[0] == "cz_cut" && c[2] == "< 0.977"));
    let record: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("run.json")).unwrap()).unwrap();
    assert_eq!(record["parameters"]["scheme"], "cz");
    assert_eq!(record["parameters"]["cz_constrained"], "true");
    // No 連携中枢都市圏 tables in a commuting-zone run.
    assert!(!out.join("centres.csv").exists() && !out.join("pairs.csv").exists());
}
