"""Shared by the peers: arguments, the computation's definition, timing and output layout.

The computation (same definition as toshiken's `src/zones/metrics.rs`):
- per zone: total (sum of its row, staying included), outflow = total - staying, inflow
  (from other zones), daytime = population - outflow + inflow, day_night_ratio =
  daytime / population (null where population is 0);
- per flow: share = persons / total of its origin -- materialised for every flow in
  `--mode kernel` (the kernel comparison), computed only for the flows written (pairs and
  the share sample) in `--mode job` (the user's job: each tool's best plan);
- centres: the ceil(n / 100) zones with the largest inflow, ties to the smaller id;
- pairs: flows origin != destination into a centre with persons * 10 >= total, sorted.
Each peer writes zones, pairs and shares_sample (the rows of every step-th origin) as
Parquet, and summary.json with load_s, compute_s (first run, in a fresh process),
compute_warm_s (kernel mode: a second run in the same process) and share_sum (kernel mode).
"""

import argparse
import json
import os
import resource
import time


MODE = ["kernel"]


def parse_args(tool):
    p = argparse.ArgumentParser(description=f"{tool}: the zone kernel on a zone OD")
    p.add_argument("--od", required=True)
    p.add_argument("--population", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--threads", type=int, default=os.cpu_count())
    p.add_argument("--mode", choices=["job", "kernel"], default="kernel")
    args = p.parse_args()
    MODE[0] = args.mode
    return args


def centre_count(n):
    return (n + 99) // 100


def sample_step(n):
    return max(n // 1000, 1)


class Clock:
    def __init__(self):
        self.stages = {}

    def time(self, name, f):
        t = time.perf_counter()
        out = f()
        self.stages[name] = time.perf_counter() - t
        return out


def write_summary(out, tool, threads, clock, share_sum, zones, flows):
    os.makedirs(out, exist_ok=True)
    summary = {
        "tool": tool,
        "mode": MODE[0],
        "threads": threads,
        "zones": zones,
        "flows": flows,
        "share_sum": share_sum,
        "load_s": clock.stages.get("load"),
        "compute_s": clock.stages.get("compute"),
        "compute_warm_s": clock.stages.get("compute_warm"),
        "write_s": clock.stages.get("write"),
        "peak_memory_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
    }
    with open(os.path.join(out, "summary.json"), "w") as f:
        json.dump(summary, f, indent=2)
        f.write("\n")
