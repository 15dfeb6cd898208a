"""``python3 packaging/dev.py bench``: every performance figure in one table.

Figures are printed, never asserted: machines differ. Each group also prints a simple baseline
measured in the same run (a LIKE scan, an empty table, a plain Qt window, plain ReportLab text)
so that a noisy machine can still be compared by ratio. Targets from the issues are shown
beside the figures. ``--quick`` uses 10,000 records and skips the sync benchmark.
"""

from __future__ import annotations

import argparse
import compileall
import os
import sys
import time
from pathlib import Path

TARGETS = {
    "search_median_ms": "< 50",
    "cold_start_s": "< 1.5",
    "rss_with_100k_mb": "< 300",
    "application_pages_per_s": ">= 20",
    "list_search_median_ms": "< 50",
}


def main() -> int:
    parser = argparse.ArgumentParser(prog="bench")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument(
        "--only", choices=["app", "pdf", "security", "sync", "list"], action="append"
    )
    args = parser.parse_args()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    # Start-up figures must not include compiling our own sources (an installed app ships .pyc).
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    compileall.compile_dir(str(Path(__file__).resolve().parents[2] / "app"), quiet=1)
    groups = args.only or ["app", "pdf", "security", "sync", "list"]
    if args.quick and not args.only:
        groups = ["app", "pdf", "security", "list"]
    results: dict[str, dict[str, float]] = {}
    for group in groups:
        started = time.perf_counter()
        print(f"[bench] {group}…", file=sys.stderr, flush=True)
        if group == "app":
            from tests.bench import bench_app

            results[group] = bench_app.run(10_000 if args.quick else bench_app.RECORDS)
        elif group == "pdf":
            from tests.bench import bench_pdf

            results[group] = bench_pdf.run(100 if args.quick else bench_pdf.BATCH_SIZE)
        elif group == "security":
            from tests.bench import bench_security

            results[group] = bench_security.run()
        elif group == "list":
            from tests.bench import bench_civil_parties

            results[group] = bench_civil_parties.run()
        else:
            from tests.bench import bench_sync

            results[group] = bench_sync.run()
        print(f"[bench] {group} took {time.perf_counter() - started:.0f} s", file=sys.stderr)
    print(f"{'group':9s} {'figure':42s} {'value':>12s}  target")
    for group, figures in results.items():
        for key, value in figures.items():
            print(f"{group:9s} {key:42s} {value:12.2f}  {TARGETS.get(key, '')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
