"""Checks that every tool computed the same kernel results, then prints the timing table.

usage: compare.py DIR SIZE   (DIR/<tool>/run<k>/ holds each run's outputs and summary.json)
Exit status 1 when any tool disagrees with toshiken.
"""

import json
import math
import os
import sys

import polars as pl

REL = 1e-12  # shares and ratios: the same IEEE divisions, so equal; allow last-bit noise
SUM_REL = 1e-9  # share sums are added in different orders


def runs(d, tool):
    base = os.path.join(d, tool)
    out = []
    for name in sorted(os.listdir(base)):
        path = os.path.join(base, name, "summary.json")
        if os.path.exists(path):
            with open(path) as f:
                out.append((os.path.join(base, name), json.load(f)))
    return out


def close(a, b, rel):
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, float) and math.isnan(a):
        return isinstance(b, float) and math.isnan(b)
    return abs(a - b) <= rel * max(abs(a), abs(b), 1e-300)


def check_table(name, ref_dir, other_dir, keys, exact, floats):
    a = pl.read_parquet(os.path.join(ref_dir, f"{name}.parquet")).sort(keys)
    b = pl.read_parquet(os.path.join(other_dir, f"{name}.parquet")).sort(keys)
    if a.height != b.height:
        return [f"{name}: {a.height} rows vs {b.height}"]
    problems = []
    for c in keys + exact:
        x = a[c].cast(pl.Int64)
        y = b[c].cast(pl.Int64)
        bad = (x != y).fill_null(True) & ~(x.is_null() & y.is_null())
        if bad.any():
            i = bad.arg_max()
            problems.append(f"{name}.{c}: row {i}: {x[i]} vs {y[i]} ({int(bad.sum())} rows differ)")
    for c in floats:
        x, y = a[c].cast(pl.Float64).to_list(), b[c].cast(pl.Float64).to_list()
        bad = [i for i in range(len(x)) if not close(x[i], y[i], REL)]
        if bad:
            i = bad[0]
            problems.append(f"{name}.{c}: row {i}: {x[i]!r} vs {y[i]!r} ({len(bad)} rows differ)")
    return problems


def main():
    d, size = sys.argv[1], sys.argv[2]
    tools = [t for t in ["toshiken", "toshiken-1t", "polars", "duckdb"] if os.path.isdir(os.path.join(d, t))]
    ref_dir, ref = runs(d, "toshiken")[0]
    failed = False
    for tool in tools:
        if tool == "toshiken":
            continue
        other_dir, other = runs(d, tool)[0]
        problems = check_table("zones", ref_dir, other_dir, ["zone"],
                               ["population", "total", "outflow", "inflow", "daytime"], ["day_night_ratio"])
        problems += check_table("pairs", ref_dir, other_dir, ["origin", "destination"], ["persons"], ["share"])
        problems += check_table("shares_sample", ref_dir, other_dir, ["origin", "destination"], [], ["share"])
        if not close(ref["share_sum"], other["share_sum"], SUM_REL):
            problems.append(f"share_sum {ref['share_sum']!r} vs {other['share_sum']!r}")
        status = "agrees" if not problems else "DISAGREES"
        print(f"check {size}: {tool} {status} with toshiken "
              f"(zones, {ref['pairs']} pairs, share sample, share sum)")
        for p in problems:
            print(f"  {p}")
        failed |= bool(problems)

    def best(tool, key):
        vals = [s[key] for _, s in runs(d, tool) if s.get(key) is not None]
        return min(vals) if vals else None

    def best_total(tool):
        vals = [s["load_s"] + s["compute_s"] for _, s in runs(d, tool)]
        return min(vals)

    rows = []
    t_compute = best("toshiken", "compute_s")
    t_warm = best("toshiken", "compute_warm_s")
    t_total = best_total("toshiken")
    for tool in tools:
        summary = runs(d, tool)[0][1]
        compute, total = best(tool, "compute_s"), best_total(tool)
        warm = best(tool, "compute_warm_s")
        peak = best(tool, "peak_memory_bytes")
        rows.append({
            "tool": tool,
            "threads": summary["threads"],
            "load_s": best(tool, "load_s"),
            "compute_s": compute,
            "total_s": total,
            "peak_mb": peak / 1e6 if peak else None,
            "compute_warm_s": warm,
            "compute_ratio": compute / t_compute,
            "warm_ratio": warm / t_warm if warm and t_warm else None,
            "total_ratio": total / t_total,
            "runs": len(runs(d, tool)),
        })
    ref_summary = ref
    flows = ref_summary["flows"]
    od_mb = flows * 12 / 1e6
    print()
    print(f"### {size}: {ref_summary['zones']:,} zones, {flows:,} flows "
          f"(OD as three u32 columns: {od_mb:,.1f} MB)")
    print()
    print("| tool | threads | load s | compute s (first) | compute s (warm) | load+compute s | peak MB | peak / OD | first compute vs toshiken | warm compute vs toshiken | load+compute vs toshiken |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        peak = f"{r['peak_mb']:,.0f}" if r["peak_mb"] else "–"
        ratio = f"{r['peak_mb'] / od_mb:.2f}" if r["peak_mb"] else "–"
        warm = f"{r['compute_warm_s']:.4f}" if r["compute_warm_s"] else "–"
        warm_ratio = f"{r['warm_ratio']:.1f}×" if r["warm_ratio"] else "–"
        print(f"| {r['tool']} | {r['threads']} | {r['load_s']:.4f} | {r['compute_s']:.4f} | {warm} | "
              f"{r['total_s']:.4f} | {peak} | {ratio} | {r['compute_ratio']:.1f}× | {warm_ratio} | "
              f"{r['total_ratio']:.1f}× |")
    roof = [s["roofline"] for _, s in runs(d, "toshiken") if s.get("roofline")]
    if roof:
        copy = min(r["copy_s"] for r in roof)
        warm = min(r["kernel_warm_s"] for r in roof)
        gb = roof[0]["bytes"] / 1e9
        print()
        print(f"roofline ({size}): STREAM-style copy of {gb:.3f} GB in {copy:.4f} s "
              f"({gb / copy:.1f} GB/s); toshiken kernel on the same warm buffer {warm:.4f} s "
              f"= {warm / copy:.2f}× the roofline; first-touch compute {t_compute:.4f} s")
    with open(os.path.join(d, "report.json"), "w") as f:
        json.dump({"size": size, "rows": rows, "roofline": roof}, f, indent=2)
    sys.exit(1 if failed else 0)


main()
