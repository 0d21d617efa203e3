"""The marketing reports at growing scale on PostgreSQL: how their time grows from 100k to 1M events.

    python bench/analytics.py [--admin-url postgres://postgres@127.0.0.1:5432/postgres] [--scales 100000,300000,1000000]

Creates a throw-away database (sputnik_bench_analytics), migrates it, and for each scale fills it with
users (one per ten events) and a history of that size through COPY, then times every report (best of two)
over the last 30 days and the last 180 days. Prints seconds and the growth against the smallest scale.
The target: every report under 1 s at 1,000,000 events / 100,000 users for a month's range.
"""

import argparse
import io
import json
import os
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
DATABASE = "sputnik_bench_analytics"
CODES = [""] * 5 + ["tgads_autumn", "influencer_anna", "seo_blog", "ref_friends", "promo"]
MODULES = ["support", "partner"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--admin-url", default="postgres://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--scales", default="100000,300000,1000000", help="event counts, comma-separated")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards (for EXPLAIN)")
    options = parser.parse_args()
    scales = [int(value) for value in options.scales.split(",")]
    bench_url = options.admin_url.rsplit("/", 1)[0] + f"/{DATABASE}"
    with psycopg.connect(options.admin_url, autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {DATABASE}")
        admin.execute(f"CREATE DATABASE {DATABASE}")
    os.environ.update(DATABASE_URL=bench_url, DJANGO_SETTINGS_MODULE="config.settings", DJANGO_ENV_FILE="")
    os.environ.pop("REDIS_URL", None)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    results: dict[int, dict[str, float]] = {}
    for events in scales:
        users, made = _fill(bench_url, events)
        print(f"\n{made:,} events, {users:,} users")
        results[events] = _time_reports()
        results[events].update(_time_dashboard())
    _print_growth(scales, results)
    if options.keep:
        print(f"\nkept {bench_url}")
        return
    from django.db import connections

    connections.close_all()
    with psycopg.connect(options.admin_url, autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")


def _fill(url: str, target_events: int) -> tuple[int, int]:
    """About `target_events` events from target/10 users over the last 180 days (seeded, repeatable)."""
    rng = random.Random(7)  # noqa: S311 - repeatable synthetic data
    end = datetime.now(UTC)
    start = end - timedelta(days=180)
    users, events, count = io.StringIO(), io.StringIO(), 0
    n_users = max(1, target_events // 10)

    def event(name: str, user_id: int, at: datetime, properties: dict) -> None:
        nonlocal count
        if at < end:
            events.write(f"{name}\t{json.dumps(properties)}\t{at.isoformat()}\tbot\t{user_id}\t{at.isoformat()}\n")
            count += 1

    for user_id in range(1, n_users + 1):
        first = start + timedelta(seconds=rng.random() * 180 * 86400)
        code = rng.choice(CODES)
        users.write(f"{user_id}\t{first.isoformat()}\t{first.isoformat()}\t{10**9 + user_id}\tu{user_id}\t\t\tru\t"
                    f"Europe/Moscow\tf\tf\t{code}\t{first.isoformat()}\tf\n")  # fmt: skip
        event("bot_start", user_id, first, {"payload": code or None})
        at = first + timedelta(seconds=30 + rng.random() * 60)
        if rng.random() > 0.85:
            continue
        event("consent_accepted", user_id, at, {"kind": "privacy", "version": 1})
        module = rng.choice(MODULES)
        at += timedelta(seconds=30 + rng.random() * 60)
        if rng.random() > 0.88:
            continue
        event("module_chosen", user_id, at, {"module": module})
        at += timedelta(seconds=30 + rng.random() * 60)
        event("persona_chosen", user_id, at, {"persona_id": rng.randint(1, 30), "module": module, "resumed": False})
        active_days = 1 + int(rng.expovariate(1 / 3))
        for _ in range(int(rng.expovariate(1 / 6.5))):
            moment = at + timedelta(days=rng.randrange(active_days) * 2, seconds=60 + rng.random() * 7200)
            voice = rng.random() < 0.1
            event("message_sent", user_id, moment, {"module": module, "from_voice": voice, "length": "21-100"})
            if voice:
                event("voice_sent", user_id, moment, {"seconds": 5})
            if rng.random() < 0.05:
                event("reply_rated", user_id, moment + timedelta(seconds=10), {"rating": 1})
        if rng.random() < 0.3:
            paywall = at + timedelta(days=rng.random() * 3)
            event("paywall_shown", user_id, paywall, {"reason": "message_quota"})
            if rng.random() < 0.3:
                event("payment_started", user_id, paywall + timedelta(seconds=30), {"plan": "pro-month"})
                if rng.random() < 0.5:
                    event("payment_succeeded", user_id, paywall + timedelta(seconds=90), {"plan": "pro-month"})
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute("TRUNCATE analytics_event, accounts_telegramuser RESTART IDENTITY CASCADE")
        with connection.cursor().copy(
            "COPY accounts_telegramuser (id, created_at, updated_at, telegram_id, username, first_name, last_name, "
            "language, timezone, has_blocked_bot, is_beta_tester, acquisition_code, acquired_at, remembers_health) "
            "FROM STDIN"
        ) as copy:
            copy.write(users.getvalue())
        with connection.cursor().copy(
            "COPY analytics_event (name, properties, occurred_at, source, user_id, forwarded_at) FROM STDIN"
        ) as copy:
            copy.write(events.getvalue())
        connection.execute("SELECT setval(pg_get_serial_sequence('accounts_telegramuser', 'id'), %s)", (n_users,))
        connection.execute("VACUUM ANALYZE analytics_event")
        connection.execute("VACUUM ANALYZE accounts_telegramuser")
    return n_users, count


def _time_reports() -> dict[str, float]:
    from django.utils import timezone

    from apps.analytics.reports import activity, conversion, drivers, dropoff, funnel, retention, revenue
    from apps.analytics.reports.filters import ReportFilter

    today = timezone.localdate()
    timings = {}
    for days in (30, 180):
        report_filter = ReportFilter(date_from=today - timedelta(days=days - 1), date_to=today)
        reports = {
            "funnel": lambda f=report_filter: funnel.funnel_report(steps=funnel.DEFAULT_FUNNEL, filter=f),
            "funnel/channel": lambda f=report_filter: funnel.funnel_report(
                steps=funnel.DEFAULT_FUNNEL, filter=f, breakdown="channel"
            ),
            "conversion": lambda f=report_filter: conversion.conversion_report(filter=f),
            "retention": lambda f=report_filter: retention.retention_report(filter=f),
            "activity": lambda f=report_filter: activity.activity_report(filter=f),
            "revenue": lambda f=report_filter: revenue.revenue_report(filter=f),
            "dropoff": lambda f=report_filter: dropoff.dropoff_report(filter=f),
            "drivers": lambda f=report_filter: drivers.drivers_report(filter=f),
        }
        for name, run in reports.items():
            best = float("inf")
            for _ in range(2):
                started = time.perf_counter()
                run().as_table()
                best = min(best, time.perf_counter() - started)
            timings[f"{name} ({days} d)"] = best
            print(f"  {name + f' ({days} d)':24} {best:7.3f} s")
    return timings


def _time_dashboard() -> dict[str, float]:
    """The dashboard's panels for a preset range: computed live (the baseline) against read from the
    snapshots the Celery job stores ahead, and how long that job takes (worker time, not the user's)."""
    from django.utils import timezone, translation

    from apps.analytics.dashboard import panel_view
    from apps.analytics.panels import dashboard_panels, report_filter_for
    from apps.analytics.snapshots import dashboard_snapshots_refresh, snapshot_tables

    started = time.perf_counter()
    dashboard_snapshots_refresh()
    refresh = time.perf_counter() - started
    print(f"  {'snapshot refresh (job)':24} {refresh:7.3f} s  (4 presets x every panel, both languages)")
    today = timezone.localdate()
    timings = {"snapshot refresh (job)": refresh}
    for days in (30, 180):
        date_from = today - timedelta(days=days - 1)
        panels = dashboard_panels()
        report_filter = report_filter_for(date_from, today, "")
        started = time.perf_counter()
        for panel in panels:
            panel_view(panel, report_filter)
        live = time.perf_counter() - started
        started = time.perf_counter()
        with translation.override("ru"):
            stored = snapshot_tables(panels=panels, date_from=date_from, date_to=today, channel="", language="ru")
            for panel in panels:
                panel_view(panel, table=stored[panel.key].table)
        read = time.perf_counter() - started
        print(f"  {f'dashboard ({days} d) live':24} {live:7.3f} s")
        print(f"  {f'dashboard ({days} d) stored':24} {read:7.3f} s  ({live / read:,.0f}x faster)")
        timings |= {f"dashboard ({days} d) live": live, f"dashboard ({days} d) stored": read}
    return timings


def _print_growth(scales: list[int], results: dict[int, dict[str, float]]) -> None:
    base = scales[0]
    print("\ngrowth against the smallest scale (time ratio; the data grows " +
          ", ".join(f"{scale / base:.0f}x" for scale in scales[1:]) + ")")  # fmt: skip
    for name in results[base]:
        ratios = "  ".join(f"{results[scale][name] / results[base][name]:6.1f}x" for scale in scales[1:])
        print(f"  {name:24} {ratios}")


if __name__ == "__main__":
    main()
