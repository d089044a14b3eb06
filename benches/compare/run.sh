#!/usr/bin/env bash
# toshiken vs Python polars (lazy) vs DuckDB on the same zone OD files, two comparisons:
# (a) the user's job, whole process (read, compute the per-zone table, the pairs and the share
# sample, write), each tool with its best plan; (b) the kernel with every share materialised,
# first and warm, and its roofline. Checks that all tools agree, then prints both tables.
#
#   benches/compare/run.sh [SIZE ...]      sizes: ci national 1e5 1e6  (default: national 1e5)
#   REPEAT=3 THREADS=$(nproc) COMPARE_DIR=target/compare
#
# ci: 2,000 zones / 10^5 flows; national: the real 2020 census (1,741 zones, 200,143 flows);
# 1e5: 10^5 zones / 10^7 flows; 1e6: 10^6 zones / 10^8 flows (about 2 GB of memory per tool
# and a few minutes). Synthetic data is generated once per size and seed (synth --seed 7).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
cd "$root"
if [ "$#" -gt 0 ]; then sizes=("$@"); else sizes=(national 1e5); fi
REPEAT=${REPEAT:-3}
THREADS=${THREADS:-$(nproc)}
work=${COMPARE_DIR:-$root/target/compare}
mkdir -p "$work"
work=$(cd "$work" && pwd)

cargo build --release --quiet
bin="${CARGO_TARGET_DIR:-$root/target}/release/toshiken"

# The peers, pinned, in a virtual environment of their own (rebuilt when requirements change).
venv=${COMPARE_VENV:-$work/venv}
stamp="$venv/.requirements"
if ! cmp -s "$here/requirements.txt" "$stamp" 2>/dev/null; then
  echo "compare: installing peers from benches/compare/requirements.txt into $venv"
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet -r "$here/requirements.txt"
  cp "$here/requirements.txt" "$stamp"
fi
py="$venv/bin/python"
echo "compare: $("$py" -c 'import polars, duckdb; print("polars", polars.__version__, "· duckdb", duckdb.__version__)'), toshiken $("$bin" --version | cut -d' ' -f2), $THREADS threads, best of $REPEAT runs"
echo "compare: $(date -u +%Y-%m-%dT%H:%MZ) on $(nproc) cores, $(lscpu 2>/dev/null | sed -n 's/^Model name: *//p' | head -1)"

# Runs a command and records its wall time, start to exit, beside its output folder.
timed() {
  local out=$1; shift
  local t0 t1
  t0=$(date +%s.%N)
  "$@"
  t1=$(date +%s.%N)
  mkdir -p "$(dirname "$out")"
  echo "$t0 $t1" > "$out.wall"
}

status=0
for size in "${sizes[@]}"; do
  data="$work/data/$size"
  case "$size" in
    ci) gen=(synth --zones 2000 --flows 100000 --seed 7) ;;
    national) gen=(synth --census) ;;
    1e5) gen=(synth --zones 100000 --flows 10000000 --seed 7) ;;
    1e6) gen=(synth --zones 1000000 --flows 100000000 --seed 7) ;;
    *) echo "unknown size $size (ci, national, 1e5, 1e6)" >&2; exit 2 ;;
  esac
  # Regenerated whenever the binary is newer: the generator may have changed.
  if [ ! -f "$data/od.parquet" ] || [ "$bin" -nt "$data/od.parquet" ]; then
    echo "compare: generating $size: toshiken ${gen[*]}"
    "$bin" "${gen[@]}" -q --out "$data"
  fi
  runs="$work/runs/$size"
  rm -rf "$runs"
  z=(--od "$data/od.parquet" --population "$data/population.parquet")
  for r in $(seq 1 "$REPEAT"); do
    # (a) the user's job, whole process timed from outside: toshiken metrics --zones, and each
    # peer's best plan (--mode job); (b) the kernel, every share materialised: toshiken
    # --roofline 3 (first into fresh pages, then warm, and the copy), the peers --mode kernel.
    timed "$runs/job/toshiken/run$r" "$bin" metrics --zones -q --threads "$THREADS" --out "$runs/job/toshiken/run$r" "${z[@]}"
    "$bin" metrics --zones --roofline 3 -q --threads "$THREADS" --out "$runs/kernel/toshiken/run$r" "${z[@]}"
    if [ "$THREADS" -gt 1 ]; then
      timed "$runs/job/toshiken-1t/run$r" "$bin" metrics --zones -q --threads 1 --out "$runs/job/toshiken-1t/run$r" "${z[@]}"
      "$bin" metrics --zones --roofline 3 -q --threads 1 --out "$runs/kernel/toshiken-1t/run$r" "${z[@]}"
    fi
    for peer in polars duckdb; do
      for mode in job kernel; do
        timed "$runs/$mode/$peer/run$r" "$py" "$here/peer_$peer.py" --mode "$mode" --threads "$THREADS" \
          --out "$runs/$mode/$peer/run$r" "${z[@]}"
      done
    done
  done
  if [ "$THREADS" -gt 1 ]; then
    # Output must not depend on the number of threads, nor on whether shares were materialised.
    for f in zones pairs shares_sample; do
      for other in job/toshiken-1t kernel/toshiken kernel/toshiken-1t; do
        cmp "$runs/job/toshiken/run1/$f.parquet" "$runs/$other/run1/$f.parquet" \
          || { echo "compare: toshiken $f.parquet differs between job/toshiken and $other" >&2; status=1; }
      done
    done
  fi
  "$py" "$here/compare.py" "$runs" "$size" || status=1
  echo
done
exit $status
