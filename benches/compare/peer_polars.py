"""The zone computation in Python polars (lazy, multithreaded), as the kernel (every share
materialised) or as the user's job (shares only where written). See common.py."""

import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
from common import Clock, centre_count, parse_args, sample_step, write_summary  # noqa: E402

args = parse_args("polars")
os.environ["POLARS_MAX_THREADS"] = str(args.threads)
import polars as pl  # noqa: E402  (reads POLARS_MAX_THREADS on import)

clock = Clock()


def load():
    od = pl.read_parquet(args.od, columns=["origin", "destination", "persons"])
    pop = pl.read_parquet(args.population, columns=["zone", "population"])
    return od, pop


od, pop = clock.time("load", load)
n = pop.height


def per_zone(lf):
    """Totals per origin, the per-zone table and the centres: the same plan in both modes."""
    totals = lf.group_by("origin").agg(
        total=pl.col("persons").cast(pl.UInt64).sum(),
        staying=pl.col("persons")
        .filter(pl.col("origin") == pl.col("destination"))
        .cast(pl.UInt64)
        .sum(),
    )
    inflow = (
        lf.filter(pl.col("origin") != pl.col("destination"))
        .group_by("destination")
        .agg(inflow=pl.col("persons").cast(pl.UInt64).sum())
    )
    zones = (
        pop.lazy()
        .with_columns(pl.col("zone").cast(pl.UInt32), pl.col("population").cast(pl.UInt64))
        .join(totals, left_on="zone", right_on="origin", how="left")
        .join(inflow, left_on="zone", right_on="destination", how="left")
        .with_columns(
            total=pl.col("total").fill_null(0),
            staying=pl.col("staying").fill_null(0),
            inflow=pl.col("inflow").fill_null(0),
        )
        .with_columns(outflow=pl.col("total") - pl.col("staying"))
        .with_columns(
            daytime=pl.col("population").cast(pl.Int64)
            - pl.col("outflow").cast(pl.Int64)
            + pl.col("inflow").cast(pl.Int64)
        )
        .with_columns(
            day_night_ratio=pl.when(pl.col("population") > 0).then(
                pl.col("daytime") / pl.col("population")
            )
        )
        .select("zone", "population", "total", "outflow", "inflow", "daytime", "day_night_ratio")
        .sort("zone")
    )
    centres = zones.sort(["inflow", "zone"], descending=[True, False]).head(centre_count(n))
    return totals, zones, centres


def compute():
    """The kernel: every share materialised."""
    lf = od.lazy()
    flows = lf.with_columns(
        total=pl.col("persons").cast(pl.UInt64).sum().over("origin")
    ).with_columns(share=pl.col("persons") / pl.col("total"))
    _, zones, centres = per_zone(lf)
    pairs = (
        flows.filter(
            (pl.col("origin") != pl.col("destination"))
            & (pl.col("persons").cast(pl.UInt64) * 10 >= pl.col("total"))
        )
        .join(centres.select("zone"), left_on="destination", right_on="zone", how="semi")
        .select("origin", "destination", "persons", "share")
        .sort("origin", "destination")
    )
    return pl.collect_all([zones, flows.select("origin", "destination", "share"), pairs])


def job():
    """The user's job: shares only for the flows written."""
    lf = od.lazy()
    totals, zones, centres = per_zone(lf)
    totals = totals.select("origin", "total")
    # Only the flows into a centre are joined to their origin's total.
    pairs = (
        lf.filter(pl.col("origin") != pl.col("destination"))
        .join(centres.select("zone"), left_on="destination", right_on="zone", how="semi")
        .join(totals, on="origin")
        .filter(pl.col("persons").cast(pl.UInt64) * 10 >= pl.col("total"))
        .with_columns(share=pl.col("persons") / pl.col("total"))
        .select("origin", "destination", "persons", "share")
        .sort("origin", "destination")
    )
    step = sample_step(n)
    sample = (
        lf.filter(pl.col("origin") % step == 0)
        .join(totals, on="origin")
        .with_columns(share=pl.col("persons") / pl.col("total"))
        .select("origin", "destination", "share")
        .sort("origin", "destination")
    )
    return pl.collect_all([zones, sample, pairs])


if args.mode == "job":
    zones, shares, pairs = clock.time("compute", job)
else:
    zones, shares, pairs = clock.time("compute", compute)
    # Again in the same process, its memory already obtained from the system: the warm
    # figure, comparable with toshiken's kernel on a warm buffer.
    del zones, shares, pairs
    zones, shares, pairs = clock.time("compute_warm", compute)


def write():
    os.makedirs(args.out, exist_ok=True)
    zones.write_parquet(os.path.join(args.out, "zones.parquet"))
    pairs.write_parquet(os.path.join(args.out, "pairs.parquet"))
    step = sample_step(n)
    sample = shares if args.mode == "job" else shares.filter(pl.col("origin") % step == 0)
    sample.sort("origin", "destination").write_parquet(
        os.path.join(args.out, "shares_sample.parquet")
    )


clock.time("write", write)
share_sum = float(shares["share"].sum()) if args.mode == "kernel" else None
write_summary(args.out, "polars", args.threads, clock, share_sum, n, od.height)
