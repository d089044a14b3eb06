"""The zone computation in DuckDB SQL (in memory, multithreaded), as the kernel (every share
materialised) or as the user's job (shares only where written). See common.py."""

import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
from common import Clock, centre_count, parse_args, sample_step, write_summary  # noqa: E402

import duckdb  # noqa: E402

args = parse_args("duckdb")
con = duckdb.connect()
con.execute(f"SET threads = {args.threads}")
con.execute("SET preserve_insertion_order = false")
clock = Clock()


def load():
    con.execute(
        "CREATE TABLE od AS SELECT origin, destination, persons FROM read_parquet(?)", [args.od]
    )
    con.execute(
        "CREATE TABLE pop AS SELECT zone, population FROM read_parquet(?)", [args.population]
    )


clock.time("load", load)
n = con.execute("SELECT count(*) FROM pop").fetchone()[0]
flows_n = con.execute("SELECT count(*) FROM od").fetchone()[0]

# Totals per origin, the per-zone table and the centres: the same statements in both modes.
PER_ZONE = f"""
CREATE TEMP TABLE totals AS
  SELECT origin,
         sum(persons)::UBIGINT AS total,
         sum(CASE WHEN origin = destination THEN persons ELSE 0 END)::UBIGINT AS staying
  FROM od GROUP BY origin;
CREATE TEMP TABLE inflow AS
  SELECT destination, sum(persons)::UBIGINT AS inflow
  FROM od WHERE origin <> destination GROUP BY destination;
CREATE TEMP TABLE zones AS
  SELECT zone, population, total, outflow, inflow,
         population::BIGINT - outflow::BIGINT + inflow::BIGINT AS daytime,
         CASE WHEN population > 0
              THEN (population::BIGINT - outflow::BIGINT + inflow::BIGINT) / population
         END AS day_night_ratio
  FROM (SELECT p.zone, p.population::UBIGINT AS population,
               coalesce(t.total, 0)::UBIGINT AS total,
               coalesce(t.total - t.staying, 0)::UBIGINT AS outflow,
               coalesce(i.inflow, 0)::UBIGINT AS inflow
        FROM pop p
        LEFT JOIN totals t ON t.origin = p.zone
        LEFT JOIN inflow i ON i.destination = p.zone);
CREATE TEMP TABLE centres AS
  SELECT zone FROM zones ORDER BY inflow DESC, zone LIMIT {centre_count(n)};
"""

# The kernel: every share materialised.
KERNEL = PER_ZONE + """
CREATE TEMP TABLE flows AS
  SELECT origin, destination, persons, total, persons / total AS share
  FROM (SELECT origin, destination, persons,
               sum(persons) OVER (PARTITION BY origin)::UBIGINT AS total
        FROM od);
CREATE TEMP TABLE pairs AS
  SELECT origin, destination, persons, share FROM flows
  WHERE origin <> destination AND persons::UBIGINT * 10 >= total
    AND destination IN (SELECT zone FROM centres)
  ORDER BY origin, destination;
"""

# The user's job: shares only for the flows written (the pairs and the sample's origins).
STEP = sample_step(n)
JOB = PER_ZONE + f"""
CREATE TEMP TABLE pairs AS
  SELECT o.origin, o.destination, o.persons, o.persons / t.total AS share
  FROM od o JOIN totals t ON t.origin = o.origin
  WHERE o.origin <> o.destination AND o.persons::UBIGINT * 10 >= t.total
    AND o.destination IN (SELECT zone FROM centres)
  ORDER BY o.origin, o.destination;
CREATE TEMP TABLE flows AS
  SELECT o.origin, o.destination, o.persons / t.total AS share
  FROM od o JOIN totals t ON t.origin = o.origin
  WHERE o.origin % {STEP} = 0;
"""

if args.mode == "job":
    clock.time("compute", lambda: con.execute(JOB))
else:
    clock.time("compute", lambda: con.execute(KERNEL))
    # Again in the same process (tables dropped first): the warm figure, comparable with
    # toshiken's kernel on a warm buffer.
    con.execute("DROP TABLE totals; DROP TABLE inflow; DROP TABLE zones; DROP TABLE flows; "
                "DROP TABLE centres; DROP TABLE pairs")
    clock.time("compute_warm", lambda: con.execute(KERNEL))


def write():
    os.makedirs(args.out, exist_ok=True)
    out = lambda name: os.path.join(args.out, name).replace("'", "''")  # noqa: E731
    con.execute(f"COPY (SELECT * FROM zones ORDER BY zone) TO '{out('zones.parquet')}' (FORMAT parquet)")
    con.execute(f"COPY (SELECT * FROM pairs ORDER BY origin, destination) TO '{out('pairs.parquet')}' (FORMAT parquet)")
    con.execute(
        f"COPY (SELECT origin, destination, share FROM flows WHERE origin % {STEP} = 0 "
        f"ORDER BY origin, destination) TO '{out('shares_sample.parquet')}' (FORMAT parquet)"
    )


clock.time("write", write)
share_sum = (
    float(con.execute("SELECT sum(share) FROM flows").fetchone()[0]) if args.mode == "kernel" else None
)
write_summary(args.out, "duckdb", args.threads, clock, share_sum, n, flows_n)
