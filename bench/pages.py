"""How fast the main pages serve at the large demo's scale, beside the ceiling: a bare view
answering "ok" through the same middleware. gunicorn runs on production settings against
PostgreSQL and Redis; wrk drives each page with 16 connections from a second process.

    make bench
    .venv/bin/python bench/pages.py --seconds 20 --connections 16

Needs PostgreSQL (DATABASE_URL, default postgres://postgres@127.0.0.1:5432/coprod_bench_pages,
created, migrated and seeded with `seed_demo --size large --force` when missing), Redis
(REDIS_URL, default redis://127.0.0.1:6379/3) and wrk (apt-get install wrk). The aim is
every page at least 25% of the ceiling's requests per second and p95 under 100 ms. It prints
a table and writes it to bench/results.md.
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (  # noqa: E402 - needs the repository on the path
    ROOT,
    make_pages_stale,
    measured_on,
    page_list,
    pages_env,
    postgres_and_redis_ready,
    signed_in_cookies,
    write_report,
)

PORT = 8765
BASE = f"http://127.0.0.1:{PORT}"
# Plain http on loopback; requests say X-Forwarded-Proto: https, as a proxy would.
HEADERS = {"X-Forwarded-Proto": "https"}
AIM_SHARE, AIM_P95_MS = 0.25, 100
SINGLE_REQUESTS = 20
RESULTS = ROOT / "bench" / "results.md"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=20, help="wrk duration per page")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1))
    args = parser.parse_args()
    if not shutil.which("wrk"):
        print("This bench needs wrk: apt-get install wrk", file=sys.stderr)
        return 2
    env = pages_env(
        COPROD_BASE_URL=BASE,
        # Plain http on loopback; wrk says X-Forwarded-Proto: https as a proxy would.
        DJANGO_SECURE_SSL_REDIRECT="false",
    )
    if not postgres_and_redis_ready(env):
        return 2
    os.environ.update(env)
    for command in (
        ["migrate", "--noinput", "-v0"],
        ["collectstatic", "--noinput", "-v0"],
        ["seed_demo", "--size", "large", "--force"],
    ):
        print("manage.py", " ".join(command), flush=True)
        subprocess.run([sys.executable, "manage.py", *command], cwd=ROOT, env=env, check=True)

    import django

    django.setup()
    cookies = signed_in_cookies()
    pages = page_list()
    from tests.gunicorn import Gunicorn

    with Gunicorn(
        env=env,
        log_path=ROOT / "var" / "bench-gunicorn.log",
        workers=args.workers,
        port=PORT,
        headers=HEADERS,
    ) as server:
        for _name, path, who in pages:
            _check_page(server, path, cookies.get(who, ""))
        rows = []
        for name, path, who in pages:
            print(f"wrk {name} {path} ...", flush=True)
            cookie = cookies.get(who, "")
            rows.append(
                {
                    "name": name,
                    "path": path,
                    "alone_ms": _one_at_a_time(server, path, cookie),
                    "cold_ms": _one_at_a_time(server, path, cookie, after_a_change=True),
                    **_wrk(path, cookie, args),
                }
            )
        rss = server.worker_rss_mb()
    write_report(_report(rows, rss, args), RESULTS)
    return 0


def _check_page(server, path: str, cookie: str) -> None:
    """Every page must answer 200 (not a redirect to the login page) before it is timed."""
    status, _ = server.get(path, cookie)
    if status != 200:
        raise RuntimeError(f"{path} answered {status}, not 200")


def _one_at_a_time(
    server, path: str, cookie: str, *, count: int = SINGLE_REQUESTS, after_a_change: bool = False
) -> float:
    """Median milliseconds for one request with nothing else running: how long a person
    waits for the page when the server is not busy. With `after_a_change`, the data version
    is bumped before each request, as any write does, so nothing comes from the page cache."""
    timings = []
    for _ in range(count):
        if after_a_change:
            make_pages_stale()
        started = time.perf_counter()
        server.get(path, cookie)
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings)


def _wrk(path: str, cookie: str, args) -> dict:
    result = subprocess.run(
        [
            "wrk",
            "--threads",
            "2",
            "--connections",
            str(args.connections),
            "--duration",
            f"{args.seconds}s",
            "--timeout",
            "10s",
            "--latency",
            "--script",
            str(ROOT / "bench" / "wrk_report.lua"),
            BASE + path,
        ],
        env={**os.environ, "BENCH_COOKIE": cookie},
        capture_output=True,
        text=True,
        check=True,
    )
    line = next(line for line in result.stdout.splitlines() if line.startswith("BENCH "))
    figures = json.loads(line.removeprefix("BENCH "))
    figures["rps"] = figures["requests"] / figures["seconds"]
    return figures


def _report(rows: list[dict], rss: list[float], args) -> str:
    ceiling = rows[0]["rps"]
    lines = [
        "# Page benchmark",
        "",
        f"{measured_on()}, by `make bench`",
        f"(`bench/pages.py`): gunicorn with {args.workers} workers on production settings,",
        "PostgreSQL and Redis on the same machine, the large demo data",
        f"(`seed_demo --size large`), wrk with {args.connections} connections for",
        f"{args.seconds} s per page on loopback. The machine may be shared with other work,",
        "so figures vary from run to run.",
        "",
        f"Aim: every page at least {AIM_SHARE:.0%} of the ceiling and p95 under {AIM_P95_MS} ms.",
        "",
        "One request at a time (median of 20) shows how long a page takes when the server is",
        "not busy; the other columns are under load. Busy pages keep their rendered parts in",
        "Redis until any data changes (`coprod/core/pagecache.py`), so the load columns mostly",
        'measure pages served from there; "after a change" is the same page one at a time',
        "with the cache made stale before each request, as any write makes it.",
        "",
        "| page | path | one at a time ms | after a change ms | requests/s | share of ceiling "
        "| p50 ms | p95 ms | p99 ms | errors | aim |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for row in rows:
        share = row["rps"] / ceiling
        errors = row["status_errors"] + row["socket_errors"]
        met = share >= AIM_SHARE and row["p95"] / 1000 < AIM_P95_MS and not errors
        lines.append(
            f"| {row['name']} | `{row['path']}` | {row['alone_ms']:.0f} | {row['cold_ms']:.0f} | "
            f"{row['rps']:.1f} | "
            f"{share:.0%} | "
            f"{row['p50'] / 1000:.1f} | {row['p95'] / 1000:.1f} | {row['p99'] / 1000:.1f} | "
            f"{errors} | {'met' if met else 'MISSED'} |"
        )
    lines += [
        "",
        "gunicorn worker memory (RSS) after the run: "
        + ", ".join(f"{size:.0f} MB" for size in rss),
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
