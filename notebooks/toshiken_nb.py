"""Helpers shared by the notebooks: find and run the built `toshiken` binary, read the files it
writes, and draw its GeoJSON with matplotlib in a Japanese font.

Nothing here computes a rule, a share or a time: every number the notebooks show comes from a
file toshiken (or benches/compare) wrote.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import matplotlib.pyplot as plt
import polars as pl
from matplotlib import font_manager
from matplotlib.collections import PolyCollection

ROOT = Path(__file__).resolve().parent.parent
"""The repository root: the binary runs there, so it finds the data as the README says."""

OUT = Path(os.environ.get("TOSHIKEN_NB_OUT", ROOT / "out" / "notebooks"))
"""Where the notebooks' runs write (`out/notebooks/…`; CI points it into the target dir)."""


def binary() -> Path:
    """The toshiken binary: $TOSHIKEN_BIN, `toshiken` on PATH, or the release build in the cargo
    target dir ($CARGO_TARGET_DIR, ./target, ~/.cache/toshiken-target)."""
    candidates: list[Path] = []
    if os.environ.get("TOSHIKEN_BIN"):
        candidates.append(Path(os.environ["TOSHIKEN_BIN"]))
    on_path = shutil.which("toshiken")
    if on_path:
        candidates.append(Path(on_path))
    for target in (
        os.environ.get("CARGO_TARGET_DIR"),
        ROOT / "target",
        Path.home() / ".cache" / "toshiken-target",
    ):
        if target:
            candidates.append(Path(target) / "release" / "toshiken")
    for c in candidates:
        if c.is_file() and os.access(c, os.X_OK):
            return c
    looked = "\n  ".join(str(c) for c in candidates)
    raise FileNotFoundError(
        "the toshiken binary was not found. Build it first from the repository root with\n"
        "  cargo build --release\n"
        f"or put toshiken on PATH, or set TOSHIKEN_BIN. Looked for:\n  {looked}"
    )


def run(command: str, *args: str, out: Path) -> Path:
    """Runs `toshiken COMMAND ARGS --out OUT -q` from the repository root and returns OUT.
    Warnings (they qualify the results) are printed; a failure raises with toshiken's message."""
    cmd = [str(binary()), command, *args, "--out", str(out), "-q"]
    result = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(
            f"toshiken failed (exit status {result.returncode}): {' '.join(cmd)}\n{result.stderr}"
        )
    for line in result.stderr.splitlines():
        if line.startswith("warning:"):
            print(line)
    return Path(out)


def data_dir() -> Path:
    """The data directory toshiken resolves by default ($TOSHIKEN_DATA, data/jp,
    ../shared/data/jp), for inputs such as the declared memberships."""
    for d in (
        os.environ.get("TOSHIKEN_DATA"),
        ROOT / "data" / "jp",
        ROOT.parent / "shared" / "data" / "jp",
    ):
        if d and Path(d).is_dir():
            return Path(d)
    raise FileNotFoundError(
        "no data directory: set TOSHIKEN_DATA or put the data at ../shared/data/jp (see data/README.md)"
    )


def table(path: Path) -> pl.DataFrame:
    """A CSV toshiken wrote, every column as text (codes keep their leading zeros); cast the
    numbers you need."""
    return pl.read_csv(path, infer_schema_length=0)


def japanese_font() -> str:
    """Sets matplotlib's font to a system face with Japanese glyphs (the maps use the same
    IPA or Noto CJK fonts) and returns its name."""
    names = {f.name for f in font_manager.fontManager.ttflist}
    for name in ("IPAGothic", "IPAexGothic", "Noto Sans CJK JP", "Noto Sans JP", "Hiragino Sans"):
        if name in names:
            plt.rcParams["font.family"] = name
            plt.rcParams["axes.unicode_minus"] = False
            return name
    raise RuntimeError(
        "no Japanese font for matplotlib: install fonts-ipafont-gothic (apt) or Noto Sans CJK"
    )


def features(path: Path) -> dict[str, dict]:
    """The features of a GeoJSON toshiken wrote, by `code` (municipalities) or `area_id` (areas)."""
    with open(path, encoding="utf-8") as f:
        collection = json.load(f)
    out = {}
    for feature in collection["features"]:
        p = feature["properties"]
        out[p.get("code") or p.get("area_id")] = feature
    return out


def rings(feature: dict) -> list[list[tuple[float, float]]]:
    """The exterior rings of a (Multi)Polygon feature, as lists of (lon, lat)."""
    g = feature.get("geometry") or {}
    if g.get("type") == "Polygon":
        return [g["coordinates"][0]]
    if g.get("type") == "MultiPolygon":
        return [poly[0] for poly in g["coordinates"]]
    return []


def draw(ax, feats: dict[str, dict], colour, edge="#ffffff", width=0.1, **kw):
    """Draws `feats` (code → feature) on `ax`, each filled with `colour(code, feature)`; equal
    aspect at Japan's latitude."""
    polys, faces = [], []
    for code, f in feats.items():
        c = colour(code, f)
        for ring in rings(f):
            polys.append(ring)
            faces.append(c)
    ax.add_collection(
        PolyCollection(polys, facecolors=faces, edgecolors=edge, linewidths=width, **kw)
    )
    ax.autoscale_view()
    ax.set_aspect(1 / 0.81)  # 1° of longitude is cos(36°) ≈ 0.81 of 1° of latitude
    ax.set_xticks([])
    ax.set_yticks([])
    return ax


def recorded_jobs(sizes: list[str]) -> list[dict]:
    """The user's-job tables BENCHMARKS.md records for `sizes` (its "#### SIZE: N zones, F
    flows" sections, table (a)), one row per tool, marked `source = "recorded"`."""
    import re

    text = (ROOT / "BENCHMARKS.md").read_text(encoding="utf-8")
    rows = []
    for section in re.split(r"^#### ", text, flags=re.M)[1:]:
        head = re.match(r"(\w+): ([\d,]+) zones, ([\d,]+) flows", section)
        if not head or head.group(1) not in sizes:
            continue
        flows = int(head.group(3).replace(",", ""))
        for line in section.split("(b)")[0].splitlines():
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if len(cells) >= 7 and cells[0] in ("toshiken", "toshiken-1t", "polars", "duckdb"):
                rows.append(dict(
                    size=head.group(1), flows=flows, od_mb=flows * 12 / 1e6, source="recorded",
                    tool=cells[0], threads=int(cells[1]), wall_s=float(cells[2]),
                    load_s=float(cells[3]), compute_s=float(cells[4]), write_s=float(cells[5]),
                    peak_mb=float(cells[6].replace(",", "")),
                ))
    return rows
