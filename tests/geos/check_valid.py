"""Every geometry toshiken writes must be valid for GEOS (shapely's is_valid), not only for geo.

    python tests/geos/check_valid.py OUT/areas.geojson OUT/municipalities.geojson
"""
import json
import sys

from shapely.geometry import shape
from shapely.validation import explain_validity

bad = 0
total = 0
for path in sys.argv[1:]:
    with open(path, encoding="utf-8") as f:
        collection = json.load(f)
    for feature in collection["features"]:
        total += 1
        props = feature.get("properties") or {}
        name = props.get("area_id") or props.get("code") or "?"
        if feature.get("geometry") is None:
            bad += 1
            print(f"{path}: {name}: null geometry")
            continue
        geometry = shape(feature["geometry"])
        if geometry.is_empty or not geometry.is_valid:
            bad += 1
            print(f"{path}: {name}: {explain_validity(geometry)}")
print(f"geos: {total} geometries checked, {bad} invalid")
sys.exit(1 if bad or total == 0 else 0)
