"""`make bench`: the benchmark harness every issue adds scenarios to.

It builds (or reuses) the province-scale data set (20,000 enterprises, `manage.py demo`) on the
PostgreSQL database named by DATABASE_URL, runs each scenario several times through the whole
Django stack (middleware, scoping, templates / API serialisation), runs a baseline for each — the
raw SQL that yields the same rows, on the same connection, in the same run — and prints the
median and p95 of both and their ratio. Figures go into issue notes, never into tests.

Usage: DATABASE_URL=postgres://postgres@127.0.0.1:5432/anjian_bench python -m bench [--runs 30]
       [--enterprises 20000] [--only name]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "anjian.settings")
os.environ.setdefault("AXES_ENABLED", "0")
RESULTS = Path(__file__).resolve().parent / "results"


def ensure_database(url: str) -> None:
    """Create the benchmark database on the server if it does not exist yet."""
    import dj_database_url
    import psycopg

    cfg = dj_database_url.parse(url)
    if "postgresql" not in cfg["ENGINE"]:
        sys.exit("make bench needs PostgreSQL: set DATABASE_URL=postgres://...")
    conninfo = psycopg.conninfo.make_conninfo(
        host=cfg["HOST"] or "127.0.0.1", port=cfg["PORT"] or 5432, user=cfg["USER"] or "postgres", dbname="postgres"
    )
    with psycopg.connect(conninfo, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [cfg["NAME"]]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{cfg["NAME"]}"')


def timed(fn, runs: int, warmup: int = 3) -> list[float]:
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20, method="inclusive")[18]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--enterprises", type=int, default=20000)
    parser.add_argument("--only", default="")
    args = parser.parse_args()

    url = os.environ.get("DATABASE_URL", "")
    ensure_database(url)
    import django

    django.setup()
    from django.core.management import call_command

    from anjian.enterprises.models import Enterprise

    call_command("migrate", verbosity=0, interactive=False)
    have = Enterprise.objects.count()
    if have < args.enterprises:
        print(f"building the data set: {args.enterprises} enterprises (have {have}) ...", flush=True)
        started = time.perf_counter()
        call_command("demo", enterprises=args.enterprises, verbosity=0)
        print(f"  built in {time.perf_counter() - started:.0f} s", flush=True)
    from anjian.demo.hazards import ensure_hazards

    started = time.perf_counter()
    added = ensure_hazards(log=lambda line: print(line, flush=True))  # a data set built before hazards existed
    if added:
        print(f"  {added} hazards added in {time.perf_counter() - started:.0f} s", flush=True)
    from anjian.demo.inspections import ensure_inspections

    started = time.perf_counter()
    added = ensure_inspections(log=lambda line: print(line, flush=True))  # a data set built before inspections
    if added:
        print(f"  {added} inspections added in {time.perf_counter() - started:.0f} s", flush=True)
    _analyze()

    from bench.scenarios import SCENARIOS

    print(f"\n{Enterprise.objects.count()} enterprises; {args.runs} runs each (after 3 warm-up runs)\n")
    header = f"{'scenario':<44} {'median ms':>10} {'p95 ms':>9} {'base med':>9} {'base p95':>9} {'ratio med':>9} {'ratio p95':>9}"
    print(header)
    print("-" * len(header))
    results = []
    for scenario in SCENARIOS:
        if args.only and args.only not in scenario.name:
            continue
        scenario.setup()
        page = timed(scenario.run, args.runs)
        base = timed(scenario.baseline, args.runs)
        row = {
            "scenario": scenario.name,
            "median_ms": statistics.median(page),
            "p95_ms": p95(page),
            "baseline_median_ms": statistics.median(base),
            "baseline_p95_ms": p95(base),
        }
        row["ratio_median"] = row["median_ms"] / row["baseline_median_ms"]
        row["ratio_p95"] = row["p95_ms"] / row["baseline_p95_ms"]
        results.append(row)
        print(
            f"{scenario.name:<44} {row['median_ms']:>10.1f} {row['p95_ms']:>9.1f} {row['baseline_median_ms']:>9.1f}"
            f" {row['baseline_p95_ms']:>9.1f} {row['ratio_median']:>8.2f}x {row['ratio_p95']:>8.2f}x",
            flush=True,
        )
    if not args.only or "sweep" in args.only:
        results.append(time_sweep())
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "latest.json").write_text(json.dumps(results, indent=2, ensure_ascii=False))
    print(f"\nresults written to {RESULTS / 'latest.json'}")


class _Rollback(Exception):
    pass


def time_sweep(days_ahead: int = 1) -> dict:
    """The daily overdue / escalation / re-rank job over the whole data set, as the first run of a
    day (tomorrow, so there is work to do), inside a transaction that is rolled back afterwards so
    the data set stays as it was. Timed once: it is a batch job, not a request."""
    import datetime as dt

    from django.db import transaction
    from django.utils import timezone

    from anjian.hazards.models import OPEN_STATUSES, Hazard
    from anjian.hazards.sweep import sweep

    open_count = Hazard.objects.filter(status__in=OPEN_STATUSES).count()
    total = Hazard.objects.count()
    day = timezone.localdate() + dt.timedelta(days=days_ahead)
    started = time.perf_counter()
    try:
        with transaction.atomic():
            result = sweep(day)
            elapsed = time.perf_counter() - started
            raise _Rollback
    except _Rollback:
        pass
    print(
        f"\nhazard sweep for {day} over {total:,} hazards ({open_count:,} open): {elapsed:.1f} s"
        f" — {result.as_dict()} (rolled back)",
        flush=True,
    )
    return {"scenario": "hazard sweep (daily job)", "seconds": elapsed, "hazards": total, "open": open_count}


def _analyze() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")  # fresh visibility map: index-only scans, as autovacuum keeps it


if __name__ == "__main__":
    main()
