"""``python3 packaging/dev.py bench``: every performance figure in one table.

Figures are printed, never asserted: machines differ. Each group also prints a simple baseline
measured in the same run (a LIKE scan, an empty table, a plain Qt window, plain ReportLab text)
so that a noisy machine can still be compared by ratio. Targets from the issues are shown
beside the figures. ``--quick`` uses 10,000 records and skips the sync benchmark and the 1,000,000-record points
(and imports 1,000 records instead of 10,000; counts deadlines on 10,000 records). ``--only
startup`` gives the start-up figures alone, on a store of 500 records (about a minute); ``--only
review`` the wizard's review page come back to, on a store of 50 records (under a minute).
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
    "search_p95_ms": "< 10",
    "first_window_vs_bare_ratio": "<= 1.5",
    "main_window_without_kdf_vs_bare_ratio": "<= 2",
    "main_window_frame_without_kdf_vs_bare_ratio": "<= 2",
    "list_first_paint_ms": "< 100",
    "list_scroll_step_median_ms": "< 8",
    "wizard_page_switch_median_ms": "< 8",
    "rss_main_window_mb": "< 300",
    "application_pages_per_s": ">= 60",
    "sync_10000_sqlite_s": "< 5",
    "sync_10000_postgres_s": "< 8",
    "list_search_median_ms": "< 50",
    "import_records_per_s": ">= 1000",
}
# The baseline each figure is printed beside (measured in the same run, same group).
BASELINES = {
    "search_median_ms": "search_like_scan_median_ms",
    "search_p95_ms": "search_like_scan_median_ms",
    "list_first_paint_ms": "list_plain_table_paint_ms",
    "list_first_paint_cold_ms": "list_plain_table_paint_ms",
    "search_slowest_term_median_ms": "search_like_scan_median_ms",
    # The same searches with the trigram index alone (before migration 0013), in turns.
    "search_trigram_only_median_ms": "search_like_scan_median_ms",
    "search_trigram_only_p95_ms": "search_like_scan_median_ms",
    # Filtered by form (one record in three): each match joined to its application.
    "search_filtered_median_ms": "search_like_scan_median_ms",
    "search_filtered_p95_ms": "search_like_scan_median_ms",
    "search_filtered_slowest_term_median_ms": "search_like_scan_median_ms",
    "search_filtered_trigram_only_median_ms": "search_like_scan_median_ms",
    "search_filtered_trigram_only_p95_ms": "search_like_scan_median_ms",
    "rss_registry_mb": "rss_empty_table_mb",
    "list_scroll_step_median_ms": "list_plain_scroll_step_median_ms",
    "list_scroll_step_max_ms": "list_plain_scroll_step_median_ms",
    "list_scroll_step_no_pause_median_ms": "list_plain_scroll_step_no_pause_median_ms",
    "list_scroll_step_cpu_median_ms": "list_plain_scroll_step_cpu_median_ms",
    "list_scroll_step_no_pause_cpu_median_ms": "list_plain_scroll_step_no_pause_cpu_median_ms",
    "wizard_page_switch_median_ms": "wizard_plain_stack_switch_ms",
    "wizard_page_switch_cpu_median_ms": "wizard_plain_stack_switch_cpu_ms",
    "wizard_first_visit_median_ms": "wizard_plain_stack_switch_ms",
    "wizard_first_visit_unprepared_median_ms": "wizard_plain_stack_switch_ms",
    "wizard_page_revisit_median_ms": "wizard_plain_stack_switch_ms",
    "wizard_review_revisit_median_ms": "wizard_plain_stack_switch_ms",
    "wizard_open_ms": "wizard_plain_labels_open_ms",
    "wizard_open_cpu_ms": "wizard_plain_labels_open_cpu_ms",
    # The review page come back to, with Qt's own item delegate in turns (tests/bench/bench_review).
    "review_revisit_cpu_ms": "review_revisit_qt_delegate_cpu_ms",
    "review_paint_cpu_ms": "review_paint_qt_delegate_cpu_ms",
    "first_window_s": "bare_window_s",
    "main_window_s": "bare_window_s",
    "main_window_frame_painted_s": "bare_window_painted_s",
    "main_window_after_enter_s": "bare_window_painted_s",
    "main_window_filled_painted_s": "bare_window_painted_s",
    "main_window_frame_cpu_s": "bare_window_painted_cpu_s",
    "main_window_filled_cpu_s": "bare_window_painted_cpu_s",
    "main_window_store_modules_cpu_s": "bare_window_painted_cpu_s",
    "rss_first_window_mb": "rss_bare_window_mb",
    "rss_main_window_mb": "rss_bare_window_mb",
    "application_pages_per_s": "baseline_plain_pages_per_s",
    "batch_pages_per_s": "baseline_plain_pages_per_s",
    "sync_10000_sqlite_s": "sync_baseline_encode_s",
    "sync_10000_postgres_s": "sync_baseline_encode_s",
    "import_records_per_s": "import_plain_rows_per_s",
    "import_second_core_records_per_s": "import_plain_rows_per_s",
    "import_one_core_records_per_s": "import_plain_rows_per_s",
    "deadline_count_ms": "deadline_plain_count_ms",
    "deadline_count_training_day_ms": "deadline_plain_count_ms",
    "deadline_count_before_0012_ms": "deadline_plain_count_ms",
    "deadline_first_count_deriving_all_ms": "deadline_plain_count_ms",
}

# Run in this order when no --only is given ("startup" runs only when asked: the app group
# measures start-up itself); --quick skips sync.
GROUPS = ["app", "pdf", "security", "sync", "list", "import", "deadlines", "review"]


def main() -> int:
    parser = argparse.ArgumentParser(prog="bench")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument(
        "--only",
        choices=[*GROUPS, "startup"],
        action="append",
    )
    args = parser.parse_args()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    # Start-up figures must not include compiling our own sources (an installed app ships .pyc).
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    compileall.compile_dir(str(Path(__file__).resolve().parents[2] / "app"), quiet=1)
    groups = args.only or [g for g in GROUPS if not (args.quick and g == "sync")]
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
        elif group == "import":
            from tests.bench import bench_import

            quick = bench_import.QUICK_RECORDS
            results[group] = bench_import.run(quick if args.quick else bench_import.RECORDS)
        elif group == "startup":  # the start-up figures alone, on a small store (about a minute)
            from tests.bench import bench_startup

            results[group] = bench_startup.run()
        elif group == "deadlines":
            from tests.bench import bench_deadlines

            results[group] = bench_deadlines.run(10_000 if args.quick else bench_deadlines.RECORDS)
        elif group == "review":  # the wizard's review page, on a small store (under a minute)
            from tests.bench import bench_review

            results[group] = bench_review.review_revisit()
        elif group == "list":
            from tests.bench import bench_civil_parties

            results[group] = bench_civil_parties.run()
        else:
            from tests.bench import bench_sync

            results[group] = bench_sync.run()
        print(f"[bench] {group} took {time.perf_counter() - started:.0f} s", file=sys.stderr)
    print(f"{'group':9s} {'figure':46s} {'value':>12s} {'baseline':>12s}  target")
    for group, figures in results.items():
        for key, value in figures.items():
            base_key = BASELINES.get(key.removesuffix("_1m"), "")
            base = figures.get(base_key + ("_1m" if key.endswith("_1m") else ""))
            shown = f"{base:12.2f}" if base is not None else " " * 12
            target = TARGETS.get(key.removesuffix("_1m"), "")
            print(f"{group:9s} {key:46s} {value:12.2f} {shown}  {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
