//! `report.html`: one self-contained, printable (A4) document for a council report — the
//! national summary and map, the evaluated cities clause by clause, then one page per candidate
//! area with its centre's criteria, its members (tier, persons, share), the members it shares
//! with other areas (share to each centre) and its map. With mergers, each area they touch is
//! shown before and after, side by side.

use std::fmt::Write as _;

use super::map_data::MapData;
use super::svg::{area_svg, national_svg};
use super::{esc, CREDIT};
use crate::areas::{Area, Tier};
use crate::rules::{CentreEvaluation, CentreRecord, MethodStep, RenkeiParams};

/// An SVG with its ids made unique in the document (several maps share one page).
fn inline_svg(svg: &str, prefix: &str) -> String {
    svg.replace("id=\"", &format!("id=\"{prefix}-"))
        .replace("url(#", &format!("url(#{prefix}-"))
}

/// One run's results: the map data (region, areas, colours) and the centre evaluations.
pub struct ReportRun<'a> {
    /// Areas and what the maps need.
    pub data: &'a MapData<'a>,
    /// Every evaluated city (連携中枢都市圏; empty for the other schemes).
    pub evaluations: &'a [CentreEvaluation],
    /// The scheme's name in Japanese (`連携中枢都市圏`).
    pub scheme: &'a str,
    /// The other schemes' centre records.
    pub records: &'a [CentreRecord],
    /// The other schemes' method, step by step.
    pub method: &'a [MethodStep],
}

impl ReportRun<'_> {
    fn is_renkei(&self) -> bool {
        self.records.is_empty() && self.method.is_empty()
    }
}

const STYLE: &str = r#"
@page{size:A4;margin:12mm}
body{font-family:'IPAGothic','Noto Sans CJK JP','Hiragino Sans',Meiryo,sans-serif;color:#222;max-width:190mm;margin:0 auto;font-size:10.5pt}
h1{font-size:17pt;margin:4mm 0 2mm}h2{font-size:13.5pt;margin:0 0 2mm;border-bottom:2px solid #444}h3{font-size:11pt;margin:3mm 0 1mm}
table{border-collapse:collapse;margin:1mm 0 3mm;width:100%}td.nw{white-space:nowrap}ul.warnings{color:#a00;font-size:9pt}td,th{border:1px solid #bbb;padding:1px 4px;font-size:9pt;text-align:left}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}th{background:#eef2f6}
section.area,section.page{break-before:page}svg{max-width:100%;height:auto;display:block}
.pair{display:grid;grid-template-columns:1fr 1fr;gap:3mm}.muted{color:#666;font-size:9pt}
.fail{color:#a00}.ok{color:#060}tr.t2 td{color:#555}tr.new td{background:#e6f4ea}tr.gone td{background:#fdecea;text-decoration:line-through}
.pair td,.pair th{font-size:7.5pt;padding:1px 2px}ol.toc{columns:3;font-size:9pt}table.kv td:first-child{white-space:nowrap;width:30%}
"#;

/// A run-sheet item in Japanese (`parameter: threshold` → 構成市町村の基準割合 (threshold)).
fn item_ja(item: &str) -> String {
    const NAMES: &[(&str, &str)] = &[
        ("threshold", "構成市町村の基準割合"),
        ("metro_threshold", "三大都市圏内の中心市の基準割合"),
        ("dn_tolerance", "昼夜間人口比率「おおむね1以上」の幅"),
        ("pair_dn_tolerance", "複眼型の昼夜間人口比率の幅"),
        ("pair_min_population", "複眼型の各市の人口"),
        ("pair_min_combined", "複眼型の合計人口"),
        ("pair_max_km", "複眼型の市役所間距離 (km)"),
        ("pair", "指定した複眼型の組合せ"),
        ("as_of", "指定都市・中核市の基準日"),
        ("merge", "合併の想定"),
        ("sweep", "基準割合の感度分析"),
        ("level", "分析単位"),
        ("share_denominator", "割合の分母"),
        ("unknown_daytime", "従業地不詳の扱い"),
        ("tier2_floor", "2次の下限割合"),
        ("allow_missing_shapes", "形状のない市町村を許す"),
        ("od", "通勤通学 OD"),
        ("population", "人口"),
        ("master", "市町村マスタ"),
        ("boundaries", "行政区域"),
        ("designated cities", "指定都市の一覧"),
        ("core cities", "中核市の一覧"),
        ("三大都市圏 (metro areas)", "三大都市圏の一覧"),
        ("scheme", "圏域の設定方法"),
        ("teiju_min_population", "定住自立圏 中心市の人口（超）"),
        ("teiju_pair_link", "複眼型中心市の通勤通学割合（一方向）"),
        (
            "teiju_dn_tolerance",
            "定住自立圏 昼夜間人口比率「1以上」の幅",
        ),
        ("uea_core_did", "都市雇用圏 中心都市のDID人口"),
        ("uea_co_core_did", "副次中心のDID人口"),
        ("uea_mea_did", "大都市雇用圏（MEA）の中心のDID人口"),
        ("uea_wards_as_one", "特別区部を1市として扱う"),
        ("DID population", "人口集中地区（DID）人口"),
        ("cz_cut", "通勤圏の切断値（非類似度）"),
        ("cz_constrained", "隣接する市町村のみ結合"),
        (
            "commuting-zone road links",
            "通勤圏の道路連絡（橋・トンネル）",
        ),
    ];
    let (kind, key) = match item.split_once(": ") {
        Some(("parameter", k)) => ("", k),
        Some(("input", k)) => ("入力：", k),
        _ => ("", item),
    };
    match NAMES.iter().find(|(k, _)| *k == key) {
        Some((_, ja)) => format!("{kind}{ja} ({key})"),
        None => format!("{kind}{key}"),
    }
}

/// An integer with thousands separators (186,575).
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn pct(persons: u64, denominator: u64) -> String {
    if denominator == 0 {
        "—".to_string()
    } else {
        format!("{:.1}%", 100.0 * persons as f64 / denominator as f64)
    }
}

fn designation_ja(e: &CentreEvaluation) -> &'static str {
    match e.designation.label() {
        "designated_city" => "指定都市",
        "core_city" => "中核市",
        _ => "—",
    }
}

/// A tier in the words of the run's scheme.
fn tier_ja(data: &MapData, tier: Tier) -> &'static str {
    match tier {
        Tier::Centre => data.terms.centre,
        Tier::One => data.terms.tiers[0],
        Tier::Two => data.terms.tiers[1],
    }
}

/// The national summary numbers of a run.
fn summary(run: &ReportRun) -> Vec<(&'static str, String)> {
    if !run.is_renkei() {
        return scheme_summary(run);
    }
    let areas = run.data.areas;
    let count = |t: Tier| {
        areas
            .iter()
            .flat_map(|a| &a.members)
            .filter(|m| m.tier == t)
            .count()
    };
    let pairs = areas.iter().filter(|a| a.centre.is_pair()).count();
    let overlapping = (0..run.data.region.len())
        .filter(|&u| run.data.records[u].len() > 1)
        .count();
    vec![
        (
            "評価した都市（指定都市・中核市・人口10万人以上の市）",
            run.evaluations.len().to_string(),
        ),
        (
            "連携中枢都市の要件（c1–c3）をすべて満たす都市",
            run.evaluations
                .iter()
                .filter(|e| e.eligible)
                .count()
                .to_string(),
        ),
        (
            "候補圏域（うち複眼型）",
            format!("{}（{pairs}）", areas.len()),
        ),
        (
            "1次の構成（通勤通学割合 ≥ 基準）",
            count(Tier::One).to_string(),
        ),
        ("2次の構成（候補）", count(Tier::Two).to_string()),
        ("複数の圏域に属する市町村", overlapping.to_string()),
    ]
}

/// The summary of a scheme other than 連携中枢都市圏.
fn scheme_summary(run: &ReportRun) -> Vec<(&'static str, String)> {
    let areas = run.data.areas;
    let count = |t: Tier| {
        areas
            .iter()
            .flat_map(|a| &a.members)
            .filter(|m| m.tier == t)
            .count()
    };
    let overlapping = (0..run.data.region.len())
        .filter(|&u| run.data.records[u].len() > 1)
        .count();
    let inside: usize = areas.iter().map(|a| a.members.len()).sum();
    vec![
        ("中心として評価した市町村", run.records.len().to_string()),
        ("圏域", areas.len().to_string()),
        (
            "中心（中心市・中心都市・代表）",
            count(Tier::Centre).to_string(),
        ),
        ("1次の構成", count(Tier::One).to_string()),
        ("2次以降の構成", count(Tier::Two).to_string()),
        (
            "どの圏域にも属さない市町村",
            (run.data.region.len().saturating_sub(inside - overlapping)).to_string(),
        ),
        ("複数の圏域に属する市町村", overlapping.to_string()),
    ]
}

/// The method of a scheme other than 連携中枢都市圏 and its centre records.
fn records_table(h: &mut String, run: &ReportRun) {
    h.push_str(r#"<table><tr><th>手順</th><th>根拠</th><th>この実行の値</th></tr>"#);
    for m in run.method {
        let _ = write!(
            h,
            "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(m.id),
            esc(&m.implements),
            esc(&m.value_used)
        );
    }
    h.push_str("</table>");
    let Some(first) = run.records.first() else {
        return;
    };
    let region = run.data.region;
    h.push_str("<table><tr><th>コード</th><th>市町村</th>");
    for c in &first.criteria {
        let _ = write!(h, "<th>{}</th>", esc(c.id));
    }
    h.push_str("<th>判定</th></tr>");
    for r in run.records {
        let _ = write!(
            h,
            r#"<tr><td>{}</td><td class="nw">{}</td>"#,
            region.code(r.unit),
            esc(&region.names[r.unit])
        );
        for c in &r.criteria {
            let _ = write!(
                h,
                r#"<td class="{}">{}</td>"#,
                if c.met { "ok" } else { "fail" },
                esc(&c.value)
            );
        }
        let _ = write!(
            h,
            "<td>{}{}</td></tr>",
            esc(r.role),
            if r.note.is_empty() {
                String::new()
            } else {
                format!("：{}", esc(&r.note))
            }
        );
    }
    h.push_str("</table>");
}

/// The evaluated cities, clause by clause.
fn criteria_table(h: &mut String, run: &ReportRun, params: &RenkeiParams) {
    let region = run.data.region;
    h.push_str(r#"<table><tr><th>コード</th><th>市</th><th>c1 指定都市・中核市</th><th class="n">c2 昼夜間人口比率</th><th class="n">c3 指定都市・特別区への割合</th><th>判定</th></tr>"#);
    for e in run.evaluations {
        let failures = e.failures_ja(params);
        let verdict = if failures.is_empty() {
            r#"<span class="ok">すべて満たす</span>"#.to_string()
        } else {
            format!(r#"<span class="fail">{}</span>"#, esc(&failures.join("；")))
        };
        let _ = write!(
            h,
            r#"<tr><td>{}</td><td class="nw">{}</td><td class="nw">{}</td><td class="n">{}</td><td class="n">{}</td><td>{verdict}</td></tr>"#,
            region.code(e.unit),
            esc(&region.names[e.unit]),
            designation_ja(e),
            e.day_night_ratio.map_or("—".into(), |r| format!("{r:.4}")),
            e.metro_share.map_or("圏外".into(), |(p, d)| {
                format!("{}（{}/{}）", pct(p, d), thousands(p), thousands(d))
            }),
        );
    }
    h.push_str("</table>");
}

/// Members of area `k`: tier, code, name, persons, denominator, share; and the other areas
/// of each member that belongs to more than one, with its share to each centre.
fn members_table(h: &mut String, data: &MapData, k: usize) {
    members_table_marked(h, data, k, None);
}

/// [`members_table`], marking the rows whose (code, name) is not in `other` (the same area in
/// the other run) with `class` (`gone` before a merger, `new` after it).
fn members_table_marked(
    h: &mut String,
    data: &MapData,
    k: usize,
    other: Option<(&[(String, String)], &str)>,
) {
    let region = data.region;
    let area = &data.areas[k];
    let mut members: Vec<_> = area.members.iter().collect();
    // Centre, tier 1, tier 2; each by share, compared exactly.
    members.sort_by(|a, b| {
        a.tier.cmp(&b.tier).then_with(|| {
            (u128::from(b.persons) * u128::from(a.denominator))
                .cmp(&(u128::from(a.persons) * u128::from(b.denominator)))
        })
    });
    h.push_str(r#"<table><tr><th>区分</th><th>コード</th><th>市町村</th><th class="n">中心市への通勤通学者</th><th class="n">通勤通学者（常住地）</th><th class="n">割合</th><th>他の候補圏域（その中心市への割合）</th></tr>"#);
    for m in members {
        let others: Vec<String> = data.records[m.unit]
            .iter()
            .filter(|r| r.area != k)
            .map(|r| {
                format!(
                    "{}（{} {}）",
                    data.titles[r.area],
                    tier_ja(data, r.tier),
                    pct(r.persons, r.denominator)
                )
            })
            .collect();
        let key = (
            region.code(m.unit).to_string(),
            region.names[m.unit].clone(),
        );
        let class = match other {
            Some((rows, mark)) if !rows.contains(&key) => mark,
            _ if m.tier == Tier::Two => "t2",
            _ => "",
        };
        let share = if m.tier == Tier::Centre {
            format!(
                "{}{}",
                data.centre_share_label(k),
                pct(m.persons, m.denominator)
            )
        } else {
            pct(m.persons, m.denominator)
        };
        let _ = write!(
            h,
            r#"<tr class="{class}" data-code="{}"><td>{}</td><td>{}</td><td>{}</td><td class="n">{}</td><td class="n">{}</td><td class="n">{share}</td><td>{}</td></tr>"#,
            region.code(m.unit),
            tier_ja(data, m.tier),
            region.code(m.unit),
            esc(&region.names[m.unit]),
            thousands(m.persons),
            thousands(m.denominator),
            esc(&others.join("、"))
        );
    }
    h.push_str("</table>");
}

/// An area's members as (code, name), sorted: a merged unit keeps one code (its highest-ranked member's), not its name.
fn member_keys(d: &MapData, a: &Area) -> Vec<(String, String)> {
    let mut c: Vec<(String, String)> = a
        .members
        .iter()
        .map(|m| {
            (
                d.region.code(m.unit).to_string(),
                d.region.names[m.unit].clone(),
            )
        })
        .collect();
    c.sort();
    c
}

/// The centre's criteria in one line per city.
fn centre_lines(h: &mut String, run: &ReportRun, area: &Area, params: &RenkeiParams) {
    let region = run.data.region;
    if !run.is_renkei() {
        for &u in &area.centre.units {
            let rule = area
                .members
                .iter()
                .find(|m| m.unit == u)
                .map_or("", |m| m.rule);
            let note = run
                .records
                .iter()
                .find(|r| r.unit == u)
                .map(|r| r.note.as_str())
                .filter(|n| !n.is_empty());
            let _ = write!(
                h,
                "<p>{} {}：{}{}</p>",
                region.code(u),
                esc(&region.names[u]),
                esc(rule),
                note.map_or(String::new(), |n| format!("（{}）", esc(n)))
            );
        }
        return;
    }
    for &u in &area.centre.units {
        let Some(e) = run.evaluations.iter().find(|e| e.unit == u) else {
            continue;
        };
        let failures = e.failures_ja(params);
        let verdict = if failures.is_empty() {
            "連携中枢都市の要件（要綱第3）をすべて満たす".to_string()
        } else if area.centre.is_pair() {
            format!(
                "単独では満たさない（{}）；複眼型の中心市（要綱第9）",
                failures.join("；")
            )
        } else {
            format!("満たさない：{}", failures.join("；"))
        };
        let _ = write!(
            h,
            r#"<p>{} {}：{}、昼夜間人口比率 {}、人口 {}。{}</p>"#,
            region.code(u),
            esc(&region.names[u]),
            designation_ja(e),
            e.day_night_ratio.map_or("—".into(), |r| format!("{r:.4}")),
            e.population.map_or("—".into(), thousands),
            esc(&verdict)
        );
    }
}

/// The report as one HTML document. `before`: the run without the mergers, when there are
/// mergers (`merged`: the codes of the merged units, as `A+B`).
pub fn report_html(
    run: &ReportRun,
    params: &RenkeiParams,
    parameters: &[(String, String)],
    warnings: &[String],
    before: Option<(&ReportRun, &[String])>,
) -> String {
    let data = run.data;
    let mut h = String::new();
    let _ = write!(
        h,
        r#"<!doctype html><html lang="ja"><head><meta charset="utf-8"><title>{}</title><style>{STYLE}</style></head><body><h1>{}</h1><p class="muted">{}</p>"#,
        esc(&data.title),
        esc(&data.title),
        esc(CREDIT)
    );
    // National summary (before and after with mergers).
    h.push_str("<h3>全国の概要</h3><table>");
    match before {
        Some((b, merged)) => {
            let _ = write!(
                h,
                "<tr><th></th><th class=\"n\">合併前</th><th class=\"n\">合併後（{}）</th></tr>",
                esc(&merged.join("、"))
            );
            for ((label, x), (_, y)) in summary(b).into_iter().zip(summary(run)) {
                let _ = write!(
                    h,
                    r#"<tr><td>{label}</td><td class="n">{x}</td><td class="n">{y}</td></tr>"#
                );
            }
        }
        None => {
            for (label, x) in summary(run) {
                let _ = write!(h, r#"<tr><td>{label}</td><td class="n">{x}</td></tr>"#);
            }
        }
    }
    h.push_str("</table>");
    if !warnings.is_empty() {
        h.push_str(r#"<h3>警告</h3><ul class="warnings">"#);
        for w in warnings {
            let _ = write!(h, "<li>{}</li>", esc(w));
        }
        h.push_str("</ul>");
    }
    h.push_str(r#"<h3>条件</h3><table class="kv">"#);
    for (k, v) in parameters {
        let _ = write!(
            h,
            "<tr><td>{}</td><td>{}</td></tr>",
            esc(&item_ja(k)),
            esc(v)
        );
    }
    h.push_str("</table>");
    // Contents: every area with its page anchor.
    if run.is_renkei() {
        h.push_str(r##"<h3>目次</h3><ol class="toc"><li><a href="#national">候補圏域（全国）</a></li><li><a href="#criteria">連携中枢都市の要件の判定</a></li>"##);
    } else {
        let _ = write!(
            h,
            r##"<h3>目次</h3><ol class="toc"><li><a href="#national">{0}（全国）</a></li><li><a href="#criteria">{0}の手順と中心の判定</a></li>"##,
            esc(run.scheme)
        );
    }
    for (k, _) in data.areas.iter().enumerate() {
        let _ = write!(
            h,
            "<li><a href=\"#{}\">{}</a></li>",
            esc(&data.ids[k]),
            esc(&data.titles[k])
        );
    }
    h.push_str("</ol>");
    if run.is_renkei() {
        h.push_str(r#"<section class="page" id="national"><h2>候補圏域（全国）</h2>"#);
    } else {
        let _ = write!(
            h,
            r#"<section class="page" id="national"><h2>{}（全国）</h2>"#,
            esc(run.scheme)
        );
    }
    h.push_str(&inline_svg(&national_svg(data), "national"));
    h.push_str("</section>");
    if run.is_renkei() {
        h.push_str(
            r#"<section class="page" id="criteria"><h2>連携中枢都市の要件（要綱第3）の判定</h2>"#,
        );
        criteria_table(&mut h, run, params);
    } else {
        let _ = write!(
            h,
            r#"<section class="page" id="criteria"><h2>{}の手順と中心の判定</h2>"#,
            esc(run.scheme)
        );
        records_table(&mut h, run);
    }
    h.push_str("</section>");
    for (k, area) in data.areas.iter().enumerate() {
        let _ = write!(
            h,
            r#"<section class="area" id="{}"><h2>{}<span class="muted"> {}</span></h2><h3>{}</h3>"#,
            esc(&data.ids[k]),
            esc(&data.titles[k]),
            esc(&data.ids[k]),
            if run.is_renkei() {
                "中心市"
            } else {
                "中心"
            }
        );
        centre_lines(&mut h, run, area, params);
        let earlier = before.and_then(|(b, _)| {
            b.data
                .ids
                .iter()
                .position(|id| *id == data.ids[k])
                .map(|j| (b, j))
        });
        let changed = earlier
            .is_some_and(|(b, j)| member_keys(b.data, &b.data.areas[j]) != member_keys(data, area));
        match earlier {
            Some((b, j)) if changed => {
                let before_rows = member_keys(b.data, &b.data.areas[j]);
                let after_rows = member_keys(data, area);
                h.push_str(r#"<h3>構成市町村：合併前と合併後</h3><p class="muted">合併前にだけある行は取り消し線、合併後にだけある行は緑。</p><div class="pair"><div><p class="muted">合併前</p>"#);
                members_table_marked(&mut h, b.data, j, Some((&after_rows, "gone")));
                h.push_str(&inline_svg(&area_svg(b.data, j), &format!("b{k}")));
                h.push_str(r#"</div><div><p class="muted">合併後</p>"#);
                members_table_marked(&mut h, data, k, Some((&before_rows, "new")));
                h.push_str(&inline_svg(&area_svg(data, k), &format!("a{k}")));
                h.push_str("</div></div>");
            }
            _ => {
                h.push_str("<h3>構成市町村</h3>");
                members_table(&mut h, data, k);
                h.push_str(&inline_svg(&area_svg(data, k), &format!("a{k}")));
            }
        }
        h.push_str("</section>");
    }
    if let Some((b, _)) = before {
        let gone: Vec<usize> = (0..b.data.areas.len())
            .filter(|&j| !data.ids.contains(&b.data.ids[j]))
            .collect();
        if !gone.is_empty() {
            h.push_str(r#"<section class="page"><h2>合併後になくなる候補圏域</h2>"#);
            for j in gone {
                let _ = write!(h, "<h3>{}</h3>", esc(&b.data.titles[j]));
                members_table(&mut h, b.data, j);
            }
            h.push_str("</section>");
        }
    }
    h.push_str("</body></html>\n");
    h
}

#[cfg(test)]
mod tests {
    #[test]
    fn thousands_separators() {
        assert_eq!(super::thousands(0), "0");
        assert_eq!(super::thousands(999), "999");
        assert_eq!(super::thousands(186_575), "186,575");
        assert_eq!(super::thousands(1_975_065), "1,975,065");
    }
}
