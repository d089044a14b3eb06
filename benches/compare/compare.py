"""Checks that every tool computed the same results, then prints the two timing tables:
(a) the user's job, whole process; (b) the kernel, every share materialised, first and warm.

usage: compare.py DIR SIZE   (DIR/<mode>/<tool>/run<k>/ holds each run's outputs and
summary.json, DIR/<mode>/<tool>/run<k>.wall its start and end time; mode is job or kernel)
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
                summary = json.load(f)
            wall = os.path.join(base, name + ".wall")
            if os.path.exists(wall):
                with open(wall) as f:
                    t0, t1 = (float(x) for x in f.read().split())
                summary["wall_s"] = t1 - t0
            out.append((os.path.join(base, name), summary))
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


TOOLS = ["toshiken", "toshiken-1t", "polars", "duckdb"]


def check(d, size, mode, ref_dir, ref):
    failed = False
    md = os.path.join(d, mode)
    for tool in [t for t in TOOLS if os.path.isdir(os.path.join(md, t))]:
        other_dir, other = runs(md, tool)[0]
        if other_dir == ref_dir:
            continue
        problems = check_table("zones", ref_dir, other_dir, ["zone"],
                               ["population", "total", "outflow", "inflow", "daytime"], ["day_night_ratio"])
        problems += check_table("pairs", ref_dir, other_dir, ["origin", "destination"], ["persons"], ["share"])
        problems += check_table("shares_sample", ref_dir, other_dir, ["origin", "destination"], [], ["share"])
        what = "zones, {} pairs, share sample".format(ref["pairs"])
        if mode == "kernel" and other.get("share_sum") is not None:
            what += ", share sum"
            if not close(ref.get("share_sum"), other["share_sum"], SUM_REL):
                problems.append(f"share_sum {ref.get('share_sum')!r} vs {other['share_sum']!r}")
        status = "agrees" if not problems else "DISAGREES"
        print(f"check {size} ({mode}): {tool} {status} with toshiken ({what})")
        for p in problems:
            print(f"  {p}")
        failed |= bool(problems)
    return failed


def best(d, tool, key):
    vals = [s[key] for _, s in runs(d, tool) if s.get(key) is not None]
    return min(vals) if vals else None


def fmt(x, digits=4):
    return f"{x:.{digits}f}" if x is not None else "–"


def ratio(x, ref):
    return f"{x / ref:.1f}×" if x is not None and ref else "–"


def main():
    d, size = sys.argv[1], sys.argv[2]
    jd, kd = os.path.join(d, "job"), os.path.join(d, "kernel")
    ref_dir, ref = runs(jd, "toshiken")[0]
    failed = check(d, size, "job", ref_dir, ref)
    kref_dir, kref = runs(kd, "toshiken")[0]
    # The kernel run writes the same files as the job (compared by run.sh with cmp); its
    # share sum is the reference for the peers' kernels.
    failed |= check(d, size, "kernel", kref_dir, kref)
    flows = ref["flows"]
    od_mb = flows * 12 / 1e6
    print()
    print(f"### {size}: {ref['zones']:,} zones, {flows:,} flows "
          f"(OD as three u32 columns: {od_mb:,.1f} MB)")
    print()
    print("(a) the user's job, whole process (start to exit), best of "
          f"{len(runs(jd, 'toshiken'))} runs")
    print()
    print("| tool | threads | whole process s | load s | compute s | write s | peak MB | peak / OD | whole process vs toshiken |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    report = {"size": size, "zones": ref["zones"], "flows": flows, "od_bytes": flows * 12,
              "job": [], "kernel": []}
    t_wall = best(jd, "toshiken", "wall_s")
    for tool in [t for t in TOOLS if os.path.isdir(os.path.join(jd, t))]:
        summary = runs(jd, tool)[0][1]
        row = {k: best(jd, tool, k) for k in ["wall_s", "load_s", "compute_s", "write_s", "peak_memory_bytes"]}
        row.update(tool=tool, threads=summary["threads"])
        report["job"].append(row)
        peak = row["peak_memory_bytes"] / 1e6 if row["peak_memory_bytes"] else None
        print(f"| {tool} | {row['threads']} | {fmt(row['wall_s'], 3)} | {fmt(row['load_s'])} | "
              f"{fmt(row['compute_s'])} | {fmt(row['write_s'])} | {fmt(peak, 0)} | "
              f"{fmt(peak / od_mb if peak else None, 2)} | {ratio(row['wall_s'], t_wall)} |")
    print()
    print("(b) the kernel, every share materialised (toshiken: `--roofline 3`)")
    print()
    print("| tool | threads | compute s (first) | compute s (warm) | peak MB | first vs toshiken | warm vs toshiken |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    first_key = lambda tool: "kernel_first_s" if tool.startswith("toshiken") else "compute_s"  # noqa: E731
    t_first = best(kd, "toshiken", "kernel_first_s")
    t_warm = best(kd, "toshiken", "compute_warm_s")
    for tool in [t for t in TOOLS if os.path.isdir(os.path.join(kd, t))]:
        summary = runs(kd, tool)[0][1]
        row = {"tool": tool, "threads": summary["threads"],
               "first_s": best(kd, tool, first_key(tool)),
               "warm_s": best(kd, tool, "compute_warm_s"),
               "peak_memory_bytes": best(kd, tool, "peak_memory_bytes")}
        report["kernel"].append(row)
        peak = row["peak_memory_bytes"] / 1e6 if row["peak_memory_bytes"] else None
        print(f"| {tool} | {row['threads']} | {fmt(row['first_s'])} | {fmt(row['warm_s'])} | "
              f"{fmt(peak, 0)} | {ratio(row['first_s'], t_first)} | {ratio(row['warm_s'], t_warm)} |")
    roof = [s["roofline"] for _, s in runs(kd, "toshiken") if s.get("roofline")]
    if roof:
        copy = min(r["copy_s"] for r in roof)
        warm = min(r["kernel_warm_s"] for r in roof)
        gb = roof[0]["bytes"] / 1e9
        print()
        print(f"roofline ({size}): STREAM-style copy of {gb:.3f} GB in {copy:.4f} s "
              f"({gb / copy:.1f} GB/s); toshiken kernel on the same warm buffer {warm:.4f} s "
              f"= {warm / copy:.2f}× the roofline")
    report["roofline"] = roof
    with open(os.path.join(d, "report.json"), "w") as f:
        json.dump(report, f, indent=2)
    sys.exit(1 if failed else 0)


main()
