//! e-Stat (政府統計の総合窓口) downloads as published, for the two census tables toshiken reads:
//!
//! - **0003454527**: 令和2年国勢調査 従業地・通学地集計 table 6-1 (commuters and students by
//!   residence and place of work or school): `area` is the residence, `cat02` the place of work
//!   or school (`00000` its total over every destination, `99998` 不詳・外国, `99999` 不詳),
//!   `cat01` sex (`0` both, `1` men, `2` women; only `0` is read);
//! - **0003433219**: 令和2年国勢調査 速報集計 table 1-1 (population by sex): `area` the
//!   municipality, `cat01` sex (`0` read).
//!
//! Two layouts are read, recognised by content, not by file name:
//!
//! - the API's `getStatsData` JSON response (`GET_STATS_DATA.STATISTICAL_DATA`: `TABLE_INF.@id`,
//!   `CLASS_INF`, `DATA_INF.VALUE` with `@area`, `@cat01`, `@cat02`, `@tab`, `@time`, and the
//!   value under `$`), one file or a folder of pages;
//! - the API's CSV (`getSimpleStatsData`), UTF-8 or Shift_JIS, with or without its section
//!   header lines (`"RESULT"`, `"PARAMETER"` … `"VALUE"`), columns `<class>_code` with the name
//!   beside it and `value`.
//!
//! A value written `-`, `…`, `x` or `***` (no such persons, or kept secret) is no count: an OD
//! cell is left out as the census files leave out zeros, a population is missing. National
//! (`00000`) and prefecture (`xx000`) rows and destinations are totals and are not read as
//! municipalities; `cat02` `00000` is each origin's stated total, checked against its cells as
//! the census JSON's `total_employed` is. A table id other than the accepted ones is refused with
//! the ids that are; a CSV without its section headers states no id and is read with a warning
//! ([`super::describe_input`]). Area names are kept (`CLASS_INF`, or the CSV's name column) for
//! the units a population table brings (`--units population`). A file with e-Stat's metadata
//! but neither layout (the website's cross-table download) is refused in words
//! ([`refuse_other_estat_layout`]).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde_json::Value;

use super::population::PopulationRow;
use super::table::{parse_count, Table};
use super::ReadError;
use crate::matrix::{RawFlow, RawOd, Record, StatedTotal};
use crate::registry::MuniCode;

/// e-Stat tables read as an OD (`--od`).
pub const OD_TABLES: &[(&str, &str)] = &[(
    "0003454527",
    "令和2年国勢調査 従業地・通学地集計 6-1 従業・通学市区町村，男女別通勤者・通学者数",
)];

/// e-Stat tables read as a population (`--population`).
pub const POPULATION_TABLES: &[(&str, &str)] = &[(
    "0003433219",
    "令和2年国勢調査 速報集計 1-1 男女別人口－全国，都道府県，市区町村",
)];

/// Values e-Stat writes for a cell with no persons.
const NO_COUNT: &[&str] = &["-", ""];

/// Values e-Stat writes for a count it does not show (秘匿 or not available): not zero.
const HIDDEN: &[&str] = &["…", "...", "x", "X", "***", "*"];

/// One value of a table as read: its class codes and the value text.
#[derive(Clone, Debug)]
struct Cell {
    area: String,
    cat01: Option<String>,
    cat02: Option<String>,
    tab: Option<String>,
    time: Option<String>,
    value: String,
    record: Record,
}

/// Which values of how many an API page holds (`RESULT_INF`: from, to, total, next key).
type Page = (u64, u64, u64, Option<u64>);

/// A table as read: its id (when the file says it), cells, the name of each area code (the
/// JSON's `CLASS_INF` class `area`, or the CSV's column beside `area_code`) and, for an API
/// page, its [`Page`].
struct Read {
    id: Option<String>,
    cells: Vec<Cell>,
    names: std::collections::HashMap<String, String>,
    page: Option<Page>,
}

/// Whether `path` — a file, or the first `.json`/`.csv` file of a folder — is an e-Stat
/// download (API JSON response or CSV). A path that cannot be read is left to the other
/// readers, which report it.
///
/// # Errors
/// None today; reading errors answer `false`.
pub fn sniff(path: &Path) -> Result<bool, ReadError> {
    Ok(head_of(path, 65_536).is_some_and(|head| is_estat_json(&head) || is_estat_csv(&head)))
}

/// The first `limit` bytes of `path`, or of the first `.json`/`.csv` file of a folder (a
/// folder of pages: they are read in name order); `None` when there is none or it cannot be
/// read (the readers report that).
fn head_of(path: &Path, limit: usize) -> Option<Vec<u8>> {
    let file = if path.is_dir() {
        let mut files: Vec<PathBuf> = std::fs::read_dir(path)
            .ok()?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| matches!(p.extension().and_then(|e| e.to_str()), Some("json" | "csv")))
            .collect();
        files.sort();
        files.into_iter().next()?
    } else {
        path.to_path_buf()
    };
    let mut head = vec![0u8; limit];
    let n = std::io::Read::read(&mut std::fs::File::open(&file).ok()?, &mut head).unwrap_or(0);
    head.truncate(n);
    Some(head)
}

/// The table id a CSV's section headers give: the field under `STATS_DATA_ID`.
fn stated_csv_id(lines: &[&str]) -> Option<String> {
    lines.windows(2).find_map(|w| {
        let (h, v) = (fields(w[0]), fields(w[1]));
        let i = h.iter().position(|x| x == "STATS_DATA_ID")?;
        v.get(i).cloned().filter(|s| !s.is_empty())
    })
}

/// What an e-Stat download is, from the start of its file (a folder: its first file): the
/// layout, and the table id where the file states it. `None` when it is not an e-Stat download.
pub fn describe(path: &Path) -> Option<(&'static str, Option<String>)> {
    let head = head_of(path, 65_536)?;
    if !(is_estat_json(&head) || is_estat_csv(&head)) {
        return None;
    }
    let text = decode(&head).0;
    if is_estat_json(&head) {
        // PARAMETER.STATS_DATA_ID, or TABLE_INF's @id: both come before the values.
        let id = ["\"STATS_DATA_ID\"", "\"TABLE_INF\""]
            .iter()
            .find_map(|key| {
                let at = text.find(key)? + key.len();
                let rest = &text[at..];
                let start = rest.find(|c: char| c.is_ascii_digit())?;
                let digits: String = rest[start..]
                    .chars()
                    .take_while(char::is_ascii_digit)
                    .collect();
                (digits.len() == 10).then_some(digits)
            });
        return Some(("e-Stat API JSON response", id));
    }
    let id = stated_csv_id(&text.lines().collect::<Vec<_>>());
    Some(if id.is_some() {
        ("e-Stat CSV", id)
    } else {
        ("e-Stat CSV without its section headers", None)
    })
}

/// Refuses, in words, a file that e-Stat wrote but not in a layout toshiken reads: its first
/// lines carry e-Stat's metadata (統計名, 表題, 統計表ID …) yet there is no header line with
/// `area_code` and `value` — the website's cross-table download (クロス集計表形式), or a download
/// without its code columns. Other files pass (`Ok`), left to the table readers.
///
/// # Errors
/// [`ReadError::Table`] naming the file and what to download instead.
pub fn refuse_other_estat_layout(path: &Path) -> Result<(), ReadError> {
    if path.is_dir() {
        return Ok(());
    }
    let Some(head) = head_of(path, 16_384) else {
        return Ok(());
    };
    if is_estat_json(&head) || is_estat_csv(&head) {
        return Ok(());
    }
    let text = decode(&head).0;
    // The census's own statistical tables (e.g. 2015 table 3-2, one file per prefecture), whose
    // layout toshiken does not know: say what to do with them.
    if let Some(line) = text
        .lines()
        .take(30)
        .position(|l| l.contains("従業・通学市区町村") || l.contains("従業地・通学地"))
    {
        return Err(layout(
            path,
            format!(
                "line {}: a census statistical table of commuting (従業地・通学地), in a layout toshiken does not read (such as the 2015 census's per-prefecture files of table 3-2): write it as a long table origin,destination,persons, as data/README.md says under \"The 2015 census\", or download the e-Stat API's JSON or CSV",
                line + 1
            ),
        ));
    }
    let marks = ["統計名", "表題", "統計表ID", "政府統計名", "表章項目"];
    let Some((line, mark)) = text
        .lines()
        .take(30)
        .enumerate()
        .find_map(|(i, l)| marks.iter().find(|m| l.contains(*m)).map(|m| (i + 1, *m)))
    else {
        return Ok(());
    };
    Err(layout(
        path,
        format!(
            "line {line}: {mark} — an e-Stat download, but without an `area_code` and a `value` column: toshiken reads e-Stat's column layout with codes (the API's getStatsData JSON or getSimpleStatsData CSV, or the download page's CSV in the column layout with code columns), not the cross-table layout (クロス集計表形式) or a file without codes"
        ),
    ))
}

/// Whether `bytes` (the start of a file) look like an e-Stat API JSON response.
pub fn is_estat_json(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(4096)];
    head.windows(14).any(|w| w == b"GET_STATS_DATA")
}

/// Whether `bytes` look like an e-Stat CSV (section headers or `area_code` and `value`
/// columns), in UTF-8 or Shift_JIS.
pub fn is_estat_csv(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(65_536)];
    let text = decode(head).0;
    text.lines().take(200).any(|l| {
        let f = fields(l);
        f.iter().any(|x| x == "area_code") && f.iter().any(|x| x == "value")
    })
}

/// UTF-8 (BOM stripped) or, when not valid UTF-8, Shift_JIS; and whether it was Shift_JIS.
fn decode(bytes: &[u8]) -> (String, bool) {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(t) => (t.to_string(), false),
        // A cut multi-byte character at the end of a sniffed head is still UTF-8.
        Err(e) if e.error_len().is_none() => (
            String::from_utf8_lossy(&bytes[..e.valid_up_to()]).into_owned(),
            false,
        ),
        Err(_) => {
            let (text, _, _) = encoding_rs::SHIFT_JIS.decode(bytes);
            (text.into_owned(), true)
        }
    }
}

/// The fields of one CSV line (RFC 4180 quotes; e-Stat quotes every field).
fn fields(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = line.trim_end_matches('\r').chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            ('"', _) => quoted = !quoted,
            (',', false) => out.push(std::mem::take(&mut field)),
            (c, _) => field.push(c),
        }
    }
    out.push(field);
    out
}

fn io_err(path: &Path, source: std::io::Error) -> ReadError {
    ReadError::Io {
        path: path.to_path_buf(),
        source,
    }
}

fn layout(path: &Path, problem: impl Into<String>) -> ReadError {
    ReadError::Table {
        path: path.to_path_buf(),
        problem: problem.into(),
    }
}

/// Reads an e-Stat API JSON response.
fn read_json(path: &Path) -> Result<Read, ReadError> {
    let bytes = std::fs::read(path).map_err(|e| io_err(path, e))?;
    let root: Value = serde_json::from_slice(&bytes).map_err(|e| {
        layout(
            path,
            if e.is_eof() {
                format!(
                    "the e-Stat API response is cut short (it ends at line {}): an incomplete download? Download it again",
                    e.line()
                )
            } else {
                format!(
                    "not a readable e-Stat API response (JSON broken at line {}, column {})",
                    e.line(),
                    e.column()
                )
            },
        )
    })?;
    let data = &root["GET_STATS_DATA"];
    let status = data["RESULT"]["STATUS"].as_i64().unwrap_or(0);
    if status != 0 {
        let advice = if status < 100 {
            "no data matched the request: check its parameters (statsDataId, cdCat01, cdArea …)"
        } else {
            "the request failed: check the appId and the parameters, then download it again"
        };
        return Err(layout(
            path,
            format!(
                "the e-Stat API answered STATUS {status} ({}): {advice}",
                data["RESULT"]["ERROR_MSG"].as_str().unwrap_or("")
            ),
        ));
    }
    let stats = &data["STATISTICAL_DATA"];
    let id = stats["TABLE_INF"]["@id"]
        .as_str()
        .filter(|s| !s.is_empty())
        .or_else(|| data["PARAMETER"]["STATS_DATA_ID"].as_str())
        .filter(|s| !s.is_empty())
        .map(str::to_string);
    let values = match &stats["DATA_INF"]["VALUE"] {
        Value::Array(v) => v.clone(),
        Value::Object(_) => vec![stats["DATA_INF"]["VALUE"].clone()],
        _ => {
            return Err(layout(
                path,
                "no GET_STATS_DATA.STATISTICAL_DATA.DATA_INF.VALUE: not a getStatsData response with data (was it a getMetaInfo response, or an empty page?)",
            ))
        }
    };
    let text = |v: &Value, key: &str| -> Option<String> {
        match &v[key] {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        }
    };
    let inf = &stats["RESULT_INF"];
    let number = |v: &Value| match v {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => s.parse().ok(),
        _ => None,
    };
    let page = match (
        number(&inf["FROM_NUMBER"]),
        number(&inf["TO_NUMBER"]),
        number(&inf["TOTAL_NUMBER"]),
    ) {
        (Some(from), Some(to), Some(total)) => Some((from, to, total, number(&inf["NEXT_KEY"]))),
        _ => None,
    };
    let mut names = std::collections::HashMap::new();
    let objects = match &stats["CLASS_INF"]["CLASS_OBJ"] {
        Value::Array(v) => v.iter().collect(),
        o @ Value::Object(_) => vec![o],
        _ => Vec::new(),
    };
    for object in objects.into_iter().filter(|o| o["@id"] == "area") {
        let classes = match &object["CLASS"] {
            Value::Array(v) => v.iter().collect(),
            c @ Value::Object(_) => vec![c],
            _ => Vec::new(),
        };
        for class in classes {
            if let (Some(code), Some(name)) = (text(class, "@code"), text(class, "@name")) {
                names.insert(code, name);
            }
        }
    }
    let first = page.map_or(1, |p| p.0);
    let mut cells = Vec::with_capacity(values.len());
    for (n, v) in values.iter().enumerate() {
        // The position in the whole table (pages number their values from FROM_NUMBER).
        let record = Record::Value(first + n as u64);
        let area = text(v, "@area")
            .ok_or_else(|| layout(path, format!("VALUE entry {}: no @area", n + 1)))?;
        cells.push(Cell {
            area,
            cat01: text(v, "@cat01"),
            cat02: text(v, "@cat02"),
            tab: text(v, "@tab"),
            time: text(v, "@time"),
            value: text(v, "$").unwrap_or_default(),
            record,
        });
    }
    Ok(Read {
        id,
        cells,
        names,
        page,
    })
}

/// Reads an e-Stat CSV (getSimpleStatsData), with or without its section headers.
fn read_csv(path: &Path) -> Result<Read, ReadError> {
    let bytes = std::fs::read(path).map_err(|e| io_err(path, e))?;
    let (text, _) = decode(&bytes);
    let lines: Vec<&str> = text.lines().collect();
    let id = stated_csv_id(&lines);
    let header_at = lines
        .iter()
        .position(|l| {
            let f = fields(l);
            f.iter().any(|x| x == "area_code") && f.iter().any(|x| x == "value")
        })
        .ok_or_else(|| {
            layout(
                path,
                "no header line with area_code and value columns: not an e-Stat CSV (getSimpleStatsData)",
            )
        })?;
    // From the header on it is an ordinary table: the project's CSV parser (quotes, blank lines,
    // ragged rows refused with their line), numbered as in the file.
    let offset: usize = text
        .split_inclusive('\n')
        .take(header_at)
        .map(str::len)
        .sum();
    let body = text.get(offset..).unwrap_or_default();
    let table = Table::from_csv_bytes_after(path, body.as_bytes(), header_at as u64)?;
    let column = |name: &'static str| -> Result<Option<Vec<Option<String>>>, ReadError> {
        if table.has_column(&[name]) {
            table.text(table.column(name, &[name])?).map(Some)
        } else {
            Ok(None)
        }
    };
    let area = column("area_code")?.unwrap_or_default();
    let value = column("value")?.unwrap_or_default();
    // The area's name is the column beside its code (headed with the class name).
    let header = fields(lines[header_at]);
    let name_column = header
        .iter()
        .position(|x| x == "area_code")
        .and_then(|k| header.get(k + 1))
        .filter(|n| !n.ends_with("_code") && n.as_str() != "value")
        .map(|n| n.trim().to_string());
    let mut names = std::collections::HashMap::new();
    if let Some(n) = name_column {
        if let Ok(c) = table.frame.column(n.as_str()) {
            for (code, name) in area.iter().zip(table.text(c)?) {
                if let (Some(code), Some(name)) = (code, name) {
                    names.entry(code.clone()).or_insert(name);
                }
            }
        }
    }
    let (cat01, cat02, tab, time) = (
        column("cat01_code")?,
        column("cat02_code")?,
        column("tab_code")?,
        column("time_code")?,
    );
    let at = |c: &Option<Vec<Option<String>>>, i: usize| {
        c.as_ref().map(|v| v[i].clone().unwrap_or_default())
    };
    let cells = (0..table.height())
        .map(|i| Cell {
            area: area[i].clone().unwrap_or_default(),
            cat01: at(&cat01, i),
            cat02: at(&cat02, i),
            tab: at(&tab, i),
            time: at(&time, i),
            value: value[i].clone().unwrap_or_default(),
            record: table.record(i),
        })
        .collect();
    Ok(Read {
        id,
        cells,
        names,
        page: None,
    })
}

/// Reads one file or every `.json`/`.csv` file of a folder (pages of one table).
fn read_any(path: &Path) -> Result<(Vec<PathBuf>, Vec<Read>), ReadError> {
    let files: Vec<PathBuf> = if path.is_dir() {
        let mut f: Vec<PathBuf> = std::fs::read_dir(path)
            .map_err(|e| io_err(path, e))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| matches!(p.extension().and_then(|e| e.to_str()), Some("json" | "csv")))
            .collect();
        f.sort();
        f
    } else {
        vec![path.to_path_buf()]
    };
    let mut reads = Vec::with_capacity(files.len());
    for f in &files {
        let head = std::fs::read(f).map_err(|e| io_err(f, e))?;
        reads.push(if is_estat_json(&head) {
            read_json(f)?
        } else if is_estat_csv(&head) {
            read_csv(f)?
        } else {
            return Err(layout(
                f,
                format!(
                    "not an e-Stat download, but in {} beside e-Stat files: a folder holds the pages of one e-Stat table only",
                    path.display()
                ),
            ));
        });
    }
    // API pages: together they must hold every value of the table, each once.
    let pages: Vec<(usize, Page)> = reads
        .iter()
        .enumerate()
        .filter_map(|(k, r)| r.page.map(|p| (k, p)))
        .collect();
    if let Some(&(_, (_, _, total, _))) = pages.first() {
        let mut ranges: Vec<(u64, u64, usize)> =
            pages.iter().map(|&(k, p)| (p.0, p.1, k)).collect();
        ranges.sort_unstable();
        let mut next = 1u64;
        for &(from, to, k) in &ranges {
            if from != next {
                let what = if from > next {
                    format!(
                        "values {next}–{} of {total} are missing: download the page with startPosition={next} into this folder",
                        from - 1
                    )
                } else {
                    format!(
                        "holds values {from}–{to}, which another page of this folder holds too: keep each page once"
                    )
                };
                return Err(layout(&files[k], what));
            }
            next = to + 1;
        }
        if next <= total {
            let &(_, to, k) = ranges.last().expect("pages exist");
            let key = reads[k].page.and_then(|p| p.3);
            return Err(layout(
                &files[k],
                format!(
                    "a page of the e-Stat response: values up to {to} of {total}; the rest ({}–{total}) is missing. Download the next page{} into the same folder and give the folder",
                    to + 1,
                    key.map_or(String::new(), |k| format!(" (startPosition={k})"))
                ),
            ));
        }
    }
    Ok((files, reads))
}

/// Refuses a table that is not one of `accepted`.
fn check_id(
    path: &Path,
    id: Option<&str>,
    accepted: &[(&str, &str)],
    what: &str,
) -> Result<(), ReadError> {
    match id {
        Some(id) if !accepted.iter().any(|(a, _)| *a == id) => Err(layout(
            path,
            format!(
                "e-Stat table {id} is not a table toshiken reads as {what}; accepted: {}{}",
                accepted
                    .iter()
                    .map(|(a, name)| format!("{a} ({name})"))
                    .collect::<Vec<_>>()
                    .join(", "),
                if POPULATION_TABLES.iter().any(|(a, _)| *a == id) {
                    ". It is the population table: give it with --population"
                } else if OD_TABLES.iter().any(|(a, _)| *a == id) {
                    ". It is the OD table: give it with --od"
                } else {
                    ""
                }
            ),
        )),
        _ => Ok(()),
    }
}

fn parse_code(path: &Path, cell: &Cell, column: &str, text: &str) -> Result<MuniCode, ReadError> {
    MuniCode::parse(text.trim()).ok_or_else(|| ReadError::BadCode {
        path: path.to_path_buf(),
        record: record_text(cell.record),
        column: column.to_string(),
        value: text.to_string(),
        expected: "five digits",
    })
}

fn record_text(r: Record) -> String {
    match r {
        Record::Line(n) => format!("line {n}"),
        Record::Value(n) => format!("VALUE entry {n}"),
        Record::Row(n) => format!("row {n}"),
        Record::JsonCell | Record::JsonTotal => "cell".to_string(),
    }
}

/// The count of a cell: `None` for e-Stat's no-count mark `-` (and, when `hidden_is_missing`,
/// for a hidden count such as `x` or `***`), else a whole number of persons. A hidden count in
/// an OD is an error: the shares of its origin cannot be computed.
fn count(
    path: &Path,
    cell: &Cell,
    code: &str,
    hidden_is_missing: bool,
) -> Result<Option<u64>, ReadError> {
    let v = cell.value.trim();
    if NO_COUNT.contains(&v) {
        return Ok(None);
    }
    if HIDDEN.contains(&v) {
        if hidden_is_missing {
            return Ok(None);
        }
        return Err(ReadError::BadValue {
            path: path.to_path_buf(),
            record: record_text(cell.record),
            column: "value".to_string(),
            code: code.to_string(),
            value: cell.value.clone(),
            expected: "a count: e-Stat hides this one (秘匿 or not available), so the shares of this origin cannot be computed from this table",
        });
    }
    parse_count(&v.replace(',', ""))
        .map(Some)
        .map_err(|problem| ReadError::BadCount {
            path: path.to_path_buf(),
            record: record_text(cell.record),
            column: "value".to_string(),
            code: code.to_string(),
            value: cell.value.clone(),
            problem,
        })
}

/// A total over codes: the nation (`00000`) or a prefecture (`xx000`).
fn is_total(code: MuniCode) -> bool {
    code.to_string() == "00000" || code.is_prefecture_total()
}

/// Cells of both sexes only (`cat01` `0` where the table has a sex class), of one `tab`.
fn both_sexes(path: &Path, cells: Vec<Cell>) -> Result<Vec<Cell>, ReadError> {
    let any = !cells.is_empty();
    let sexes: BTreeSet<String> = cells.iter().filter_map(|c| c.cat01.clone()).collect();
    let cells: Vec<Cell> = cells
        .into_iter()
        .filter(|c| c.cat01.as_deref().is_none_or(|s| s == "0"))
        .collect();
    if any && cells.is_empty() {
        return Err(layout(
            path,
            format!(
                "no values for both sexes (cat01 0; this file has cat01 {}): download the table with cdCat01=0",
                sexes.into_iter().collect::<Vec<_>>().join(", ")
            ),
        ));
    }
    let tabs: BTreeSet<&str> = cells.iter().filter_map(|c| c.tab.as_deref()).collect();
    if tabs.len() > 1 {
        return Err(layout(
            path,
            format!(
                "several 表章項目 (tab {}): download the table with one (e.g. cdTab=…), so that no count is read twice",
                tabs.into_iter().collect::<Vec<_>>().join(", ")
            ),
        ));
    }
    let times: BTreeSet<&str> = cells.iter().filter_map(|c| c.time.as_deref()).collect();
    if times.len() > 1 {
        return Err(layout(
            path,
            format!(
                "several survey times (time {}): download the table for one (cdTime=…), so that no count is read twice",
                times.into_iter().collect::<Vec<_>>().join(", ")
            ),
        ));
    }
    Ok(cells)
}

/// Reads e-Stat table 0003454527 (JSON response or CSV; one file or a folder of pages) into the
/// same [`RawOd`] the census JSON gives: cells of both sexes, destination `00000` as each
/// origin's stated total.
///
/// # Errors
/// [`ReadError`] naming the file and record: another table id, several 表章項目, a bad code or
/// count, a row without a destination class.
pub fn read_estat_od(path: &Path) -> Result<RawOd, ReadError> {
    let (files, reads) = read_any(path)?;
    let mut raw = RawOd {
        files: files.clone(),
        ..RawOd::default()
    };
    for (k, (file, read)) in files.iter().zip(reads).enumerate() {
        check_id(file, read.id.as_deref(), OD_TABLES, "an OD")?;
        for cell in both_sexes(file, read.cells)? {
            let dest_text = cell.cat02.clone().ok_or_else(|| {
                layout(
                    file,
                    format!(
                        "{}: no cat02 (place of work or school): is this the population table? toshiken reads {} as an OD",
                        record_text(cell.record),
                        OD_TABLES[0].0
                    ),
                )
            })?;
            let origin = parse_code(file, &cell, "area", &cell.area)?;
            let dest = parse_code(file, &cell, "cat02", &dest_text)?;
            if is_total(origin) {
                continue;
            }
            let Some(persons) = count(file, &cell, &format!("{origin} → {dest}"), false)? else {
                continue;
            };
            if dest.to_string() == "00000" {
                raw.totals.push(StatedTotal {
                    origin,
                    persons,
                    file: k as u32,
                    record: cell.record,
                });
            } else if !dest.is_prefecture_total() {
                raw.flows.push(RawFlow {
                    origin,
                    dest,
                    persons,
                    file: k as u32,
                    record: cell.record,
                });
            }
        }
    }
    Ok(raw)
}

/// Reads e-Stat table 0003433219 (JSON response or CSV) as population rows: both sexes,
/// municipalities only (national and prefecture totals skipped), `-` as missing.
///
/// # Errors
/// [`ReadError`] naming the file and record: another table id, several 表章項目, a bad code or
/// count, a code given twice.
pub fn read_estat_population(path: &Path) -> Result<Vec<PopulationRow>, ReadError> {
    let (files, reads) = read_any(path)?;
    let mut rows: Vec<PopulationRow> = Vec::new();
    let mut seen: std::collections::HashMap<MuniCode, String> = std::collections::HashMap::new();
    for (file, read) in files.iter().zip(reads) {
        check_id(file, read.id.as_deref(), POPULATION_TABLES, "a population")?;
        let names = read.names;
        for cell in both_sexes(file, read.cells)? {
            if cell.cat02.is_some() {
                return Err(layout(
                    file,
                    format!(
                        "{}: a cat02 class (a second dimension): is this the OD table? toshiken reads {} as a population",
                        record_text(cell.record),
                        POPULATION_TABLES[0].0
                    ),
                ));
            }
            let code = parse_code(file, &cell, "area", &cell.area)?;
            if is_total(code) {
                continue;
            }
            let record = format!("{}: {}", file.display(), record_text(cell.record));
            if let Some(first) = seen.insert(code, record.clone()) {
                return Err(ReadError::DuplicateCode {
                    path: file.clone(),
                    record: record_text(cell.record),
                    first,
                    code: format!("area {code}"),
                });
            }
            rows.push(PopulationRow {
                code,
                name: names.get(&cell.area).cloned(),
                population: count(file, &cell, &code.to_string(), true)?,
                record: record_text(cell.record),
            });
        }
    }
    Ok(rows)
}
