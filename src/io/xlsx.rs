//! The result tables as one Excel workbook (`toshiken.xlsx`, through `rust_xlsxwriter`): one
//! sheet per table, codes as text (`01100` keeps its zero), a Japanese header row above the
//! English column name (the CSV's header, so the two can be matched), shares shown as
//! percentages with one decimal but stored at full precision (the same numbers as the CSV),
//! `true`/`false` as Excel booleans, statuses in Japanese (`VALUES`), and a last sheet with the
//! run's parameters and sources.

use std::path::Path;

use rust_xlsxwriter::{Format, FormatBorder, Workbook, Worksheet, XlsxError};

use super::write::{write_atomic, OutColumn, OutValues, WriteError};

/// How a column's values are shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CellStyle {
    /// Text as written (codes, names, thresholds such as `0.1` kept exact).
    Text,
    /// `true`/`false` written as Excel booleans.
    Flag,
    /// Counts of persons or units: `#,##0`.
    Count,
    /// A share (persons / persons): `0.0%`.
    Percent,
    /// A ratio around 1 (昼夜間人口比率): `0.000`.
    Ratio,
    /// Kilometres: `0.0`.
    Km,
}

/// Japanese header and style of every column the commands write, by English column name, or
/// by `stem.name` where one name means different things in two tables (`sweep.areas` is a
/// count, `overlaps`' `areas` a list). A column missing here gets its English name twice (the
/// tests check that none is missing).
pub const COLUMNS: &[(&str, &str, CellStyle)] = &[
    // Shared.
    ("code", "団体コード", CellStyle::Text),
    ("name", "市町村名", CellStyle::Text),
    ("prefecture", "都道府県", CellStyle::Text),
    ("kind", "区分", CellStyle::Text),
    ("population", "人口", CellStyle::Count),
    ("area_id", "圏域ID", CellStyle::Text),
    ("centre_codes", "中心市コード", CellStyle::Text),
    ("centre_names", "中心市", CellStyle::Text),
    ("failed_clauses", "満たさない要件", CellStyle::Text),
    ("threshold", "基準割合", CellStyle::Text),
    // centres of 定住自立圏 (t*) and 都市雇用圏 (u*): the value, then whether it holds
    ("t1_population", "t1 人口（4万人超）", CellStyle::Text),
    ("t1_population_met", "t1 充足", CellStyle::Flag),
    (
        "t2_day_night",
        "t2 昼夜間人口比率（1以上）",
        CellStyle::Text,
    ),
    ("t2_day_night_met", "t2 充足", CellStyle::Flag),
    ("t3_metro", "t3 三大都市圏", CellStyle::Text),
    ("t3_metro_met", "t3 充足", CellStyle::Flag),
    ("u1_did", "u1 DID人口（1万人以上）", CellStyle::Text),
    ("u1_did_met", "u1 充足", CellStyle::Flag),
    (
        "u2_not_outlying",
        "u2 他の中心都市の郊外でない",
        CellStyle::Text,
    ),
    ("u2_not_outlying_met", "u2 充足", CellStyle::Flag),
    (
        "u3_workplace_ratio",
        "u3 従業常住比（副次中心: 1以上）",
        CellStyle::Text,
    ),
    ("u3_workplace_ratio_met", "u3 充足", CellStyle::Flag),
    ("u4_co_core_did", "u4 副次中心のDID人口", CellStyle::Text),
    ("u4_co_core_did_met", "u4 充足", CellStyle::Flag),
    ("role", "判定", CellStyle::Text),
    ("failed_criteria", "満たさない基準", CellStyle::Text),
    ("note", "備考", CellStyle::Text),
    // centres
    ("c1_designation", "c1 指定都市・中核市", CellStyle::Text),
    ("c1_since", "c1 指定・移行日", CellStyle::Text),
    ("c1_as_of", "c1 判定基準日", CellStyle::Text),
    ("c1_ok", "c1 充足", CellStyle::Flag),
    (
        "daytime_population_computed",
        "昼間人口（通勤通学から算出）",
        CellStyle::Count,
    ),
    ("c2_day_night_ratio", "c2 昼夜間人口比率", CellStyle::Ratio),
    ("c2_ratio_source", "c2 比率の出典", CellStyle::Text),
    ("c2_ratio_at_least_1", "c2 比率1以上", CellStyle::Flag),
    ("c2_tolerance", "c2 「おおむね」の幅", CellStyle::Text),
    ("c2_ok", "c2 充足", CellStyle::Flag),
    ("c2_near_miss", "c2 僅差で不足", CellStyle::Flag),
    ("c3_metro", "c3 三大都市圏", CellStyle::Text),
    ("c3_metro_status", "c3 三大都市圏の区分", CellStyle::Text),
    (
        "c3_persons_to_metro_core",
        "c3 指定都市・特別区への通勤通学者",
        CellStyle::Count,
    ),
    (
        "c3_denominator",
        "c3 通勤通学者（常住地）",
        CellStyle::Count,
    ),
    (
        "c3_share_to_metro_core",
        "c3 指定都市・特別区への通勤通学割合",
        CellStyle::Percent,
    ),
    ("c3_threshold", "c3 基準割合", CellStyle::Text),
    ("c3_ok", "c3 充足", CellStyle::Flag),
    ("eligible", "連携中枢都市の要件を満たす", CellStyle::Flag),
    ("pair_with", "複眼型の相手", CellStyle::Text),
    (
        "member_of_areas",
        "構成市町村として属する圏域",
        CellStyle::Text,
    ),
    // pairs
    ("code_a", "都市A コード", CellStyle::Text),
    ("name_a", "都市A", CellStyle::Text),
    ("code_b", "都市B コード", CellStyle::Text),
    ("name_b", "都市B", CellStyle::Text),
    ("population_a", "都市A 人口", CellStyle::Count),
    ("population_b", "都市B 人口", CellStyle::Count),
    ("combined_population", "合計人口", CellStyle::Count),
    (
        "day_night_ratio_a",
        "都市A 昼夜間人口比率",
        CellStyle::Ratio,
    ),
    (
        "day_night_ratio_b",
        "都市B 昼夜間人口比率",
        CellStyle::Ratio,
    ),
    (
        "office_distance_km",
        "市役所間の直線距離 (km)",
        CellStyle::Km,
    ),
    ("mutual_persons", "相互の通勤通学者", CellStyle::Count),
    (
        "mutual_denominator",
        "両市の通勤通学者（常住地）",
        CellStyle::Count,
    ),
    ("mutual_share", "相互の通勤通学割合", CellStyle::Percent),
    ("admissible", "複眼型の要件を満たす", CellStyle::Flag),
    ("chosen", "採用", CellStyle::Flag),
    ("not_chosen_because", "採用しない理由", CellStyle::Text),
    // areas
    ("type", "類型", CellStyle::Text),
    (
        "tier1_members",
        "1次構成市町村数（基準以上）",
        CellStyle::Count,
    ),
    ("tier2_members", "2次構成市町村数", CellStyle::Count),
    ("contiguous", "区域が連続", CellStyle::Flag),
    ("exclaves", "飛び地の構成市町村", CellStyle::Text),
    ("islands", "離島の構成市町村", CellStyle::Text),
    // memberships
    ("tier", "階層", CellStyle::Text),
    ("persons", "中心市への通勤通学者", CellStyle::Count),
    ("denominator", "通勤通学者（常住地）", CellStyle::Count),
    ("share", "中心市への通勤通学割合", CellStyle::Percent),
    ("rule", "判定の規則", CellStyle::Text),
    ("exclave", "飛び地", CellStyle::Flag),
    // overlaps
    ("area_count", "属する圏域の数", CellStyle::Count),
    ("areas", "属する圏域", CellStyle::Text),
    ("tiers", "各圏域での階層", CellStyle::Text),
    ("shares", "各中心市への通勤通学割合", CellStyle::Text),
    // municipalities
    ("day_night_ratio", "昼夜間人口比率", CellStyle::Ratio),
    ("primary_area", "主な圏域", CellStyle::Text),
    ("primary_tier", "主な圏域での階層", CellStyle::Text),
    (
        "primary_share",
        "主な圏域の中心市への通勤通学割合",
        CellStyle::Percent,
    ),
    ("colour", "地図の色", CellStyle::Text),
    ("isolated", "隣接する市町村がない（島）", CellStyle::Flag),
    // clauses
    ("clause", "要件", CellStyle::Text),
    ("implements", "根拠（要綱の条項）", CellStyle::Text),
    ("value_used", "適用した値", CellStyle::Text),
    // the run sheet
    ("run.item", "項目", CellStyle::Text),
    ("run.value", "値", CellStyle::Text),
    ("areas.population", "圏域人口", CellStyle::Count),
    // sweep
    ("sweep.areas", "圏域数", CellStyle::Count),
    (
        "areas_with_tier1_members",
        "1次構成市町村のある圏域数",
        CellStyle::Count,
    ),
    ("tier1_memberships", "1次構成の数", CellStyle::Count),
    ("tier2_memberships", "2次構成の数", CellStyle::Count),
    (
        "overlapping_municipalities",
        "複数の圏域に属する市町村数",
        CellStyle::Count,
    ),
];

/// Japanese words for the enumerated values of some columns (the CSV keeps the English ones):
/// column, value, Japanese. List columns (`tiers`) translate each `;`-separated element.
pub const VALUES: &[(&str, &str, &str)] = &[
    ("tier", "centre", "中心市"),
    ("tier", "1", "1次"),
    ("tier", "2", "2次"),
    ("type", "single", "単独"),
    ("type", "pair (複眼型)", "複眼型"),
    ("kind", "designated_city", "指定都市"),
    ("kind", "core_city", "中核市"),
    ("kind", "city", "市"),
    ("kind", "town", "町"),
    ("kind", "village", "村"),
    ("kind", "special_ward", "特別区"),
    ("c1_designation", "designated_city", "指定都市"),
    ("c1_designation", "core_city", "中核市"),
    ("c1_designation", "none", "—"),
    ("c3_metro_status", "in", "圏内"),
    ("c3_metro_status", "in_inferred", "圏内（消去法による）"),
    ("c3_metro_status", "unknown", "不明（圏内として扱う）"),
    ("type", "pair (複眼型中心市)", "複眼型中心市"),
    ("type", "MEA", "大都市雇用圏（MEA）"),
    ("type", "McEA", "小都市雇用圏（McEA）"),
    ("type", "commuting zone", "通勤圏"),
    ("role", "centre", "中心市"),
    ("role", "joint centre", "複眼型中心市"),
    ("role", "not a centre", "中心市でない"),
    ("role", "central municipality", "中心都市"),
    ("role", "co-core", "副次中心"),
    ("role", "suburb", "郊外"),
];

/// Columns whose values are `;`-separated lists of another column's values.
const LISTS: &[(&str, &str)] = &[("tiers", "tier"), ("primary_tier", "tier")];

/// The value of `column` as the workbook shows it: Japanese where [`VALUES`] (or, for `rule`,
/// `rules::scheme::RULES_JA`) has it, else as in the CSV.
pub fn value_ja(column: &str, value: &str) -> String {
    let find = |col: &str, v: &str| {
        VALUES
            .iter()
            .find(|(c, e, _)| *c == col && *e == v)
            .map(|(_, _, ja)| *ja)
            .or_else(|| {
                (col == "rule")
                    .then(|| {
                        crate::rules::scheme::RULES_JA
                            .iter()
                            .find(|(e, _)| *e == v)
                            .map(|(_, ja)| *ja)
                    })
                    .flatten()
            })
    };
    if let Some(&(_, of)) = LISTS.iter().find(|(c, _)| *c == column) {
        return value
            .split(';')
            .map(|v| find(of, v).unwrap_or(v))
            .collect::<Vec<_>>()
            .join(";");
    }
    find(column, value).map_or_else(|| value.to_string(), str::to_string)
}

/// Japanese sheet name of each table (by the CSV's file stem).
pub const SHEETS: &[(&str, &str)] = &[
    ("centres", "中心市の判定"),
    ("pairs", "複眼型の組合せ"),
    ("areas", "圏域"),
    ("memberships", "構成市町村"),
    ("overlaps", "重複所属"),
    ("municipalities", "市町村"),
    ("sweep", "基準割合の感度"),
    ("clauses", "要件と根拠"),
];

/// Name of the last sheet: the run's parameters and inputs.
pub const RUN_SHEET: &str = "実行条件";

/// The Japanese header and style of column `name` of table `stem`.
pub fn column_info(stem: &str, name: &str) -> Option<(&'static str, CellStyle)> {
    let find = |key: &str| {
        COLUMNS
            .iter()
            .find(|(n, _, _)| *n == key)
            .map(|(_, ja, style)| (*ja, *style))
    };
    find(&format!("{stem}.{name}")).or_else(|| find(name))
}

/// The sheet name of table `stem`.
pub fn sheet_name(stem: &str) -> &str {
    SHEETS
        .iter()
        .find(|(s, _)| *s == stem)
        .map_or(stem, |(_, ja)| ja)
}

/// One table to write: the CSV file stem (`memberships`) and its columns.
pub struct XlsxTable<'a> {
    /// File stem of the same table as CSV.
    pub stem: &'a str,
    /// Columns, as written to the CSV.
    pub columns: &'a [OutColumn],
}

/// Writes `tables` (in the order of [`SHEETS`]) and a run sheet (`run`: item, value rows) to
/// `path`, atomically.
///
/// # Errors
/// [`WriteError`] when the workbook cannot be built or written.
pub fn write_workbook(
    path: &Path,
    tables: &[XlsxTable],
    run: &[(String, String)],
) -> Result<(), WriteError> {
    let fail = |source| WriteError::Workbook {
        path: path.to_path_buf(),
        source,
    };
    let mut book = Workbook::new();
    let mut ordered: Vec<&XlsxTable> = tables.iter().collect();
    ordered.sort_by_key(|t| {
        SHEETS
            .iter()
            .position(|(s, _)| *s == t.stem)
            .unwrap_or(SHEETS.len())
    });
    for table in ordered {
        let sheet = book.add_worksheet();
        sheet.set_name(sheet_name(table.stem)).map_err(fail)?;
        fill_sheet(sheet, table.stem, table.columns).map_err(fail)?;
    }
    let sheet = book.add_worksheet();
    sheet.set_name(RUN_SHEET).map_err(fail)?;
    let run_columns = [
        OutColumn {
            name: "item",
            values: OutValues::Text(run.iter().map(|(k, _)| Some(k.clone())).collect()),
        },
        OutColumn {
            name: "value",
            values: OutValues::Text(run.iter().map(|(_, v)| Some(v.clone())).collect()),
        },
    ];
    fill_sheet(sheet, "run", &run_columns).map_err(fail)?;
    let bytes = book.save_to_buffer().map_err(fail)?;
    write_atomic(path, |f| std::io::Write::write_all(f, &bytes))
}

/// Header rows (Japanese, then English), the values, column widths, frozen headers and a
/// filter on the English row.
fn fill_sheet(sheet: &mut Worksheet, stem: &str, columns: &[OutColumn]) -> Result<(), XlsxError> {
    let ja_header = Format::new()
        .set_bold()
        .set_background_color(0xDDEBF7)
        .set_border_bottom(FormatBorder::Thin);
    let en_header = Format::new()
        .set_italic()
        .set_font_color(0x555555)
        .set_background_color(0xF2F2F2);
    let count = Format::new().set_num_format("#,##0");
    let percent = Format::new().set_num_format("0.0%");
    let ratio = Format::new().set_num_format("0.000");
    let km = Format::new().set_num_format("0.0");
    let text = Format::new().set_num_format("@");
    let mut rows = 0;
    for (c, column) in columns.iter().enumerate() {
        let col = u16::try_from(c).map_err(|_| XlsxError::RowColumnLimitError)?;
        let (ja, style) = column_info(stem, column.name).unwrap_or((column.name, CellStyle::Text));
        sheet.write_string_with_format(0, col, ja, &ja_header)?;
        sheet.write_string_with_format(1, col, column.name, &en_header)?;
        let mut width = display_width(ja).max(display_width(column.name));
        let number_format = match style {
            CellStyle::Percent => &percent,
            CellStyle::Ratio => &ratio,
            CellStyle::Km => &km,
            _ => &count,
        };
        match &column.values {
            OutValues::Text(v) => {
                rows = rows.max(v.len());
                for (i, x) in v.iter().enumerate() {
                    let r = row_index(i)?;
                    let Some(x) = x else { continue };
                    width = width.max(display_width(x));
                    match (style, x.as_str()) {
                        (CellStyle::Flag, "true") => sheet.write_boolean(r, col, true)?,
                        (CellStyle::Flag, "false") => sheet.write_boolean(r, col, false)?,
                        _ => sheet.write_string_with_format(
                            r,
                            col,
                            value_ja(column.name, x),
                            &text,
                        )?,
                    };
                }
            }
            OutValues::U64(_)
            | OutValues::I64(_)
            | OutValues::F64(_)
            | OutValues::U64Full(_)
            | OutValues::I64Full(_)
            | OutValues::F64Full(_) => {
                // Persons and populations are far below 2^53: exact as f64. A ratio with a zero
                // denominator is an empty cell, as in the CSV.
                let numbers: Vec<Option<f64>> = match &column.values {
                    OutValues::U64(v) => v.iter().map(|x| x.map(|x| x as f64)).collect(),
                    OutValues::I64(v) => v.iter().map(|x| x.map(|x| x as f64)).collect(),
                    OutValues::F64(v) => v.clone(),
                    OutValues::U64Full(v) => v.iter().map(|&x| Some(x as f64)).collect(),
                    OutValues::I64Full(v) => v.iter().map(|&x| Some(x as f64)).collect(),
                    OutValues::F64Full(v) => v.iter().map(|&x| Some(x)).collect(),
                    OutValues::Text(_) => unreachable!("text is written above"),
                };
                rows = rows.max(numbers.len());
                for (i, x) in numbers.iter().enumerate() {
                    if let Some(x) = x.filter(|x| x.is_finite()) {
                        sheet.write_number_with_format(row_index(i)?, col, x, number_format)?;
                    }
                }
                let floats = matches!(column.values, OutValues::F64(_) | OutValues::F64Full(_));
                width = width.max(if floats { 10 } else { 12 });
            }
        }
        sheet.set_column_width(col, (width + 2).min(60) as f64)?;
    }
    sheet.set_freeze_panes(2, 0)?;
    if !columns.is_empty() {
        let last_col =
            u16::try_from(columns.len() - 1).map_err(|_| XlsxError::RowColumnLimitError)?;
        // The filter spans the English header row and the data rows (2 .. rows + 1).
        let last_row = if rows == 0 { 1 } else { row_index(rows - 1)? };
        sheet.autofilter(1, 0, last_row, last_col)?;
    }
    Ok(())
}

/// The sheet row of data row `i` (below the two header rows).
fn row_index(i: usize) -> Result<u32, XlsxError> {
    u32::try_from(i + 2)
        .ok()
        .filter(|&r| r < 1_048_576)
        .ok_or(XlsxError::RowColumnLimitError)
}

/// Width in Excel's character units: full-width characters count two.
fn display_width(s: &str) -> usize {
    s.chars().map(|c| if c.is_ascii() { 1 } else { 2 }).sum()
}
