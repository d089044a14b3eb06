//! Self-contained HTML: the interactive national map and the audit report. No CDN, no
//! network: styles, script, data and SVG are inline.

use std::fmt::Write as _;

use serde_json::{json, Value};

use super::map_data::MapData;
use super::svg::{area_svg, national_svg_with};
use super::{esc, CREDIT};
use crate::audit::{Audit, Status};

/// Declared memberships to show in the info panel: per unit, (area id, area name, persons to
/// its centre, denominator).
pub type DeclaredByUnit = Vec<Vec<(String, String, u64, u64)>>;

/// The embedded data: one decision record per unit, the same as `memberships.csv`.
fn data_json(data: &MapData, declared: Option<&DeclaredByUnit>) -> Value {
    let region = data.region;
    let mut units = serde_json::Map::new();
    for u in 0..region.len() {
        let m: Vec<Value> = data.records[u]
            .iter()
            .map(|r| {
                json!([
                    r.area,
                    r.tier.label(),
                    r.persons,
                    r.denominator,
                    r.threshold,
                    r.rule
                ])
            })
            .collect();
        let d: Vec<Value> = declared
            .map(|dd| {
                dd[u]
                    .iter()
                    .map(|(id, name, p, den)| json!([id, name, p, den]))
                    .collect()
            })
            .unwrap_or_default();
        units.insert(
            region.code(u).to_string(),
            json!({
                "n": region.names[u],
                "k": region.kinds[u].label(),
                "p": region.population[u],
                "r": region.metrics.day_night_ratio[u],
                "m": m,
                "d": d,
                "c": data.criteria[u],
            }),
        );
    }
    let areas: Vec<Value> = data
        .areas
        .iter()
        .enumerate()
        .map(|(k, a)| {
            json!({
                "id": data.ids[k],
                "t": data.titles[k],
                "c": data.colours[k].hex(),
                "u": a.members.iter().map(|m| region.code(m.unit).to_string()).collect::<Vec<_>>(),
                "cc": a.centre.units.iter().map(|&u| region.code(u).to_string()).collect::<Vec<_>>(),
            })
        })
        .collect();
    let t = &data.terms;
    json!({
        "units": units,
        "areas": areas,
        "tiers": { "centre": t.centre, "1": t.panel[0], "2": t.panel[1] },
        "area": t.area,
        "rules": crate::rules::scheme::RULES_JA.iter().map(|(k, v)| (k.to_string(), json!(v))).collect::<serde_json::Map<_, _>>(),
    })
}

const STYLE: &str = r#"
*{box-sizing:border-box}body{margin:0;font-family:'IPAGothic','Noto Sans CJK JP','Hiragino Sans',Meiryo,sans-serif;color:#222}
#app{display:grid;grid-template-columns:280px 1fr 320px;height:100vh}
#side{overflow:auto;border-right:1px solid #ccc;padding:8px}#side h1{font-size:15px;margin:4px 0 8px}
#areas{list-style:none;padding:0;margin:0}#areas li{padding:3px 4px;cursor:pointer;font-size:13px;border-radius:3px}
#areas li:hover,#areas li.on{background:#e8eef5}.sw{display:inline-block;width:12px;height:12px;margin-right:6px;vertical-align:-1px;border:1px solid #666}
#map{position:relative;overflow:hidden;background:#f4f8fb;touch-action:none}#map svg{width:100%;height:100%;cursor:grab}
#info{overflow:auto;border-left:1px solid #ccc;padding:10px;font-size:13px}#info table{border-collapse:collapse;width:100%}
#info td,#info th{border-bottom:1px solid #ddd;padding:3px;text-align:left}#tip{position:fixed;pointer-events:none;background:#fff;border:1px solid #999;padding:4px 6px;font-size:12px;display:none;z-index:9}
svg.dim path.u{opacity:.25}svg.dim path.u.hl{opacity:1}path.u.sel{stroke:#000;stroke-width:2}
path.u,path.outline,rect.inset{vector-effect:non-scaling-stroke}svg.zoomed text.label,svg.zoomed text.badge{display:none}
#filter{width:100%;margin-bottom:6px}button{font-size:12px}
"#;

const SCRIPT: &str = r#"
const U=DATA.units,A=DATA.areas;const svg=document.querySelector('#map svg');const tip=document.getElementById('tip');const info=document.getElementById('info');
const vb0=svg.viewBox.baseVal;let vb=[vb0.x,vb0.y,vb0.width,vb0.height];const home=vb.slice();
const scaled=[...svg.querySelectorAll('text.label,text.badge,text.mn,circle.centre')].map(e=>[e,+e.getAttribute(e.tagName==='circle'?'r':'font-size'),+e.getAttribute('stroke-width')]);
const names=svg.getElementById('names');
function setVB(){svg.setAttribute('viewBox',vb.join(' '));const k=vb[2]/home[2];
// Labels, centre symbols and names keep their size on screen (names: 11 units at home).
for(const[e,size,sw]of scaled){const s=e.classList.contains('mn')?11/size:1;e.setAttribute(e.tagName==='circle'?'r':'font-size',size*s*k);e.setAttribute('stroke-width',sw*s*k)}
// Stripes keep their screen width too.
for(const p of svg.querySelectorAll('pattern'))p.setAttribute('patternTransform','rotate(45) scale('+k+')');
// Zoomed in, municipality names replace the area labels (the centres keep their symbol).
const zoomed=k<0.3;if(names)names.setAttribute('display',zoomed?'inline':'none');svg.classList.toggle('zoomed',zoomed)}
function pt(e){const r=svg.getBoundingClientRect();const s=Math.max(vb[2]/r.width,vb[3]/r.height);const ox=(r.width*s-vb[2])/2,oy=(r.height*s-vb[3])/2;return[vb[0]+(e.clientX-r.left)*s-ox,vb[1]+(e.clientY-r.top)*s-oy,s]}
svg.addEventListener('wheel',e=>{e.preventDefault();const[x,y]=pt(e);const f=e.deltaY<0?1/1.25:1.25;vb=[x-(x-vb[0])*f,y-(y-vb[1])*f,vb[2]*f,vb[3]*f];setVB()},{passive:false});
let drag=null;svg.addEventListener('pointerdown',e=>{drag=[e.clientX,e.clientY,vb[0],vb[1],pt(e)[2]];svg.setPointerCapture(e.pointerId)});
svg.addEventListener('pointermove',e=>{if(drag){vb[0]=drag[2]-(e.clientX-drag[0])*drag[4];vb[1]=drag[3]-(e.clientY-drag[1])*drag[4];setVB()}});
svg.addEventListener('pointerup',()=>{drag=null});
document.getElementById('reset').onclick=()=>{vb=home.slice();setVB()};
function zoomTo(codes){let b=null;for(const c of codes)for(const p of svg.querySelectorAll('path.u[data-code="'+c+'"]')){const r=p.getBBox();b=b?[Math.min(b[0],r.x),Math.min(b[1],r.y),Math.max(b[2],r.x+r.width),Math.max(b[3],r.y+r.height)]:[r.x,r.y,r.x+r.width,r.y+r.height]}
if(!b)return;const box=svg.getBoundingClientRect();const aspect=box.width>0&&box.height>0?box.width/box.height:home[2]/home[3];let w=(b[2]-b[0])*1.3,h=(b[3]-b[1])*1.3;w=Math.max(w,h*aspect,20);h=w/aspect;vb=[(b[0]+b[2]-w)/2,(b[1]+b[3]-h)/2,w,h];setVB()}
const pct=(p,d)=>d>0?(100*p/d).toFixed(1)+'%':'—';const tierName=DATA.tiers;
const kindName={designated_city:'指定都市',core_city:'中核市',city:'市',town:'町',village:'村',special_ward:'特別区',designated_city_ward:'行政区',special_wards_aggregate:'特別区部'};
const ruleName=DATA.rules;
function short(code){const u=U[code];if(!u)return code;const ms=u.m.map(m=>A[m[0]].t+' '+(tierName[m[1]]||m[1])+' '+pct(m[2],m[3]));return '<b>'+code+' '+u.n+'</b>'+(ms.length?'<br>'+ms.join('<br>'):'<br>圏域外')+(ms.length>1?'<br><i>複数の圏域に所属</i>':'')}
function criteria(code,u){const c=u.m.find(m=>m[1]==='centre');const a=c?A[c[0]]:null;
if(!u.c.length)return 'すべて満たす（連携中枢都市の候補）';
if(a&&a.cc.length>1){const other=a.cc.filter(x=>U[x]&&x!==code).map(x=>U[x].n).join('・');return '単独では満たさない: '+u.c.join('; ')+'<br>複眼型の中心市として採用（'+other+'と、要綱第9）'}
return '満たさない: '+u.c.join('; ')}
function show(code){const u=U[code];if(!u)return;let h='<h2 style="font-size:15px">'+code+' '+u.n+'</h2><p>'+(kindName[u.k]||u.k)+' ／ 人口 '+(u.p==null?'—':u.p.toLocaleString('ja-JP'))+' ／ 昼夜間人口比率 '+(u.r==null?'—':u.r.toFixed(4))+'</p>';
if(u.c!=null){h+='<h3 style="font-size:13px">中心市の要件</h3><p>'+criteria(code,u)+'</p>'}
h+='<h3 style="font-size:13px">'+DATA.area+'（'+u.m.length+'）</h3>';if(u.m.length){h+='<table class="rec"><tr><th>圏域</th><th>区分</th><th>割合</th><th>人数/分母</th><th>基準</th></tr>';for(const m of u.m){const a=A[m[0]];h+='<tr data-area="'+a.id+'"><td><span class="sw" style="background:'+a.c+'"></span>'+a.t+' <small>'+a.id+'</small></td><td>'+(tierName[m[1]]||m[1])+'</td><td>'+pct(m[2],m[3])+'</td><td>'+m[2]+'/'+m[3]+'</td><td>'+m[4]+'<br><small>'+(ruleName[m[5]]||m[5])+'</small></td></tr>'}h+='</table>'}else h+='<p>どの'+DATA.area+'にも属さない</p>';
if(u.d.length){h+='<h3 style="font-size:13px">宣言済みの圏域（'+u.d.length+'）</h3><table class="decl"><tr><th>圏域</th><th>中心市への割合</th></tr>';for(const d of u.d){h+='<tr data-declared="'+d[0]+'"><td>'+d[1]+' <small>'+d[0]+'</small></td><td>'+pct(d[2],d[3])+' ('+d[2]+'/'+d[3]+')</td></tr>'}h+='</table>'}
info.innerHTML=h;document.querySelectorAll('path.u.sel').forEach(p=>p.classList.remove('sel'));document.querySelectorAll('path.u[data-code="'+code+'"]').forEach(p=>p.classList.add('sel'))}
svg.addEventListener('mouseover',e=>{const c=e.target.dataset&&e.target.dataset.code;if(c){tip.innerHTML=short(c);tip.style.display='block'}});
svg.addEventListener('mousemove',e=>{tip.style.left=(e.clientX+12)+'px';tip.style.top=(e.clientY+12)+'px'});
svg.addEventListener('mouseout',()=>{tip.style.display='none'});
svg.addEventListener('click',e=>{const c=e.target.dataset&&e.target.dataset.code;if(c)show(c)});
let current=null;function highlight(id){document.querySelectorAll('#areas li').forEach(li=>li.classList.toggle('on',li.dataset.area===id&&current!==id));document.querySelectorAll('path.u.hl').forEach(p=>p.classList.remove('hl'));
if(current===id){current=null;svg.classList.remove('dim');vb=home.slice();setVB();return}current=id;const a=A.find(a=>a.id===id);if(!a)return;svg.classList.add('dim');for(const c of a.u)document.querySelectorAll('path.u[data-code="'+c+'"]').forEach(p=>p.classList.add('hl'));zoomTo(a.u)}
const list=document.getElementById('areas');for(const a of A){const li=document.createElement('li');li.dataset.area=a.id;li.innerHTML='<span class="sw" style="background:'+a.c+'"></span>'+a.t+' <small>（'+a.u.length+' 市町村）</small>';li.title=a.id;li.onclick=()=>highlight(a.id);list.appendChild(li)}
document.getElementById('filter').oninput=e=>{const q=e.target.value;for(const li of list.children)li.style.display=li.textContent.includes(q)?'':'none'};
function fromHash(){const h=new URLSearchParams(location.hash.slice(1));if(h.get('area'))highlight(h.get('area'));const c=h.get('click');if(c){const p=document.querySelector('path.u[data-code="'+c+'"]');if(p)p.dispatchEvent(new MouseEvent('click',{bubbles:true}))}}
window.addEventListener('hashchange',fromHash);fromHash();document.body.dataset.ready='1';
"#;

/// The interactive national map as one HTML file.
pub fn map_html(data: &MapData, declared: Option<&DeclaredByUnit>) -> String {
    let svg = national_svg_with(data, true);
    let json = data_json(data, declared).to_string().replace("</", "<\\/");
    format!(
        r#"<!doctype html><html lang="ja"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>{title}</title><style>{STYLE}</style></head><body><div id="app"><aside id="side"><h1>{title}</h1><input id="filter" placeholder="圏域を絞り込む"><button id="reset">全国表示</button><ul id="areas"></ul><p style="font-size:11px;color:#555">ホイールで拡大、ドラッグで移動。圏域を選ぶとその範囲へ拡大（もう一度選ぶと全国）。拡大すると市町村名を表示。市町村をクリックで判定記録。縞模様は複数の圏域に属する市町村。</p><p style="font-size:10px;color:#666">{credit}</p></aside><main id="map">{svg}</main><div id="info">市町村をクリックすると判定記録（通勤通学割合・人数・基準）を表示します。</div></div><div id="tip"></div><script>const DATA={json};{SCRIPT}</script></body></html>"#,
        title = esc(&data.title),
        credit = esc(CREDIT),
    )
}

/// The audit as one HTML file: tables plus one map per declared area.
pub fn audit_html(data: &MapData, audit: &Audit, threshold: &str) -> String {
    let region = data.region;
    let mut h = String::new();
    let _ = write!(
        h,
        r#"<!doctype html><html lang="ja"><head><meta charset="utf-8"><title>連携中枢都市圏 宣言内容の監査</title><style>body{{font-family:'IPAGothic','Noto Sans CJK JP',Meiryo,sans-serif;max-width:1100px;margin:20px auto;color:#222}}table{{border-collapse:collapse;margin:8px 0}}td,th{{border:1px solid #ccc;padding:3px 6px;font-size:13px}}.below{{background:#fff4e0}}.missing{{background:#fde8e8}}svg{{max-width:100%;height:auto;border:1px solid #ccc}}</style></head><body><h1>連携中枢都市圏 宣言内容の監査</h1><p>割合 = 中心市（複眼型は2市の合計）への通勤通学者 ÷ 常住する通勤通学者（令和2年国勢調査）。基準 {threshold}、整数で判定。</p>"#
    );
    h.push_str("<h2>複数の圏域に宣言されている市町村</h2><table><tr><th>コード</th><th>市町村</th><th>圏域（中心市への割合）</th></tr>");
    for m in &audit.multi {
        let parts = m.shares_text();
        let _ = write!(
            h,
            r#"<tr class="multi" data-code="{}"><td>{}</td><td>{}</td><td>{}</td></tr>"#,
            region.code(m.unit),
            region.code(m.unit),
            esc(&region.names[m.unit]),
            esc(&parts)
        );
    }
    h.push_str(
        "</table><h2>中心市の要件</h2><table><tr><th>圏域</th><th>中心市</th><th>結果</th></tr>",
    );
    for c in &audit.centres {
        let who: Vec<String> = c.units.iter().map(|&u| region.label(u)).collect();
        let verdict = if c.failures.is_empty() {
            "すべて満たす".to_string()
        } else {
            format!("満たさない: {}", c.failures.join("; "))
        };
        let _ = write!(
            h,
            "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&c.area),
            esc(&who.join(" + ")),
            esc(&verdict)
        );
    }
    h.push_str("</table>");
    for (k, area) in audit.areas.iter().enumerate() {
        let _ = write!(
            h,
            r#"<h2 id="{}">{} {}</h2><table><tr><th>コード</th><th>市町村</th><th>区分</th><th>割合</th><th>人数/分母</th><th>他の宣言圏域</th></tr>"#,
            esc(&area.id),
            esc(&area.id),
            esc(&area.name)
        );
        for l in audit.lines.iter().filter(|l| l.area == area.id) {
            let class = match l.status {
                Status::AgreementOnly => "below",
                Status::Missing => "missing",
                _ => "",
            };
            let _ = write!(
                h,
                r#"<tr class="{class}"><td>{}</td><td>{}</td><td>{}</td><td>{:.1}%</td><td>{}/{}</td><td>{}</td></tr>"#,
                region.code(l.unit),
                esc(&region.names[l.unit]),
                l.status.label_ja(),
                100.0 * l.share(),
                l.persons,
                l.denominator,
                esc(&l.other_areas.join(", "))
            );
        }
        h.push_str("</table>");
        if k < data.areas.len() {
            // Several SVGs share one document: give each its own ids.
            let svg = area_svg(data, k)
                .replace("id=\"", &format!("id=\"a{k}-"))
                .replace("url(#", &format!("url(#a{k}-"));
            h.push_str(&svg);
        }
    }
    let _ = write!(
        h,
        r#"<p style="font-size:11px;color:#555">{}</p></body></html>"#,
        esc(CREDIT)
    );
    h
}
