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
    measured_on,
    page_list,
    pages_env,
    postgres_and_redis_ready,
    signed_in_cookies,
    vacuum,
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
    vacuum(env["DATABASE_URL"])

    import django

    django.setup()
    cookies = signed_in_cookies()
    pages = page_list()
    from tests.gunicorn import Gunicorn

    rows = {name: {"name": name, "path": path} for name, path, _who in pages}
    rss = {}
    # The same pages twice in one run: first with every part rendered afresh (the page
    # cache off, as after any write), then with rendered parts kept in Redis.
    for label, cache_on in (("off", False), ("on", True)):
        with Gunicorn(
            env={**env, "COPROD_PAGE_CACHE": "true" if cache_on else "false"},
            log_path=ROOT / "var" / f"bench-gunicorn-cache-{label}.log",
            workers=args.workers,
            port=PORT,
            headers=HEADERS,
        ) as server:
            for _name, path, who in pages:
                _check_page(server, path, cookies.get(who, ""))
            for name, path, who in pages:
                print(f"cache {label}: wrk {name} {path} ...", flush=True)
                cookie = cookies.get(who, "")
                rows[name][label] = {
                    "alone_ms": _one_at_a_time(server, path, cookie),
                    **_wrk(path, cookie, args),
                }
            rss[label] = server.worker_rss_mb()
    write_report(_report(list(rows.values()), rss, args), RESULTS)
    return 0


def _check_page(server, path: str, cookie: str) -> None:
    """Every page must answer 200 (not a redirect to the login page) before it is timed."""
    status, _ = server.get(path, cookie)
    if status != 200:
        raise RuntimeError(f"{path} answered {status}, not 200")


def _one_at_a_time(server, path: str, cookie: str, *, count: int = SINGLE_REQUESTS) -> float:
    """Median milliseconds for one request with nothing else running: how long a person
    waits for the page when the server is not busy."""
    timings = []
    for _ in range(count):
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


def _report(rows: list[dict], rss: dict, args) -> str:
    ceiling = {label: rows[0][label]["rps"] for label in ("off", "on")}
    lines = [
        "# Page benchmark",
        "",
        f"{measured_on()}, by `make bench`",
        f"(`bench/pages.py`): gunicorn with {args.workers} workers on production settings,",
        "PostgreSQL and Redis on the same machine, the large demo data",
        "(`seed_demo --size large`, then `VACUUM ANALYZE`),",
        f"wrk with {args.connections} connections for {args.seconds} s per page on loopback.",
        "The machine may be shared with other work, so figures vary from run to run.",
        "",
        f"Aim: with the page cache off, every page at least {AIM_SHARE:.0%} of the ceiling",
        f"(a bare view through the same middleware) and p95 under {AIM_P95_MS} ms.",
        "",
        "Each page is measured twice in this one run: with the page cache **off**",
        "(`COPROD_PAGE_CACHE=false`, the default: every part rendered from the database, as",
        "after any write) and **on** (rendered parts kept in Redis until any data changes,",
        '`coprod/core/pagecache.py`). "Alone" is the median of 20 requests one at a time,',
        "how long a person waits when the server is not busy; the rest is under load.",
        "",
        "| page | path | off: alone ms | off: requests/s | off: share | off: p50 ms "
        "| off: p95 ms | off: p99 ms | errors | aim (off) | on: requests/s | on: share "
        "| on: p95 ms |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|",
    ]
    for row in rows:
        off, on = row["off"], row["on"]
        share_off = off["rps"] / ceiling["off"]
        errors = sum(run["status_errors"] + run["socket_errors"] for run in (off, on))
        met = share_off >= AIM_SHARE and off["p95"] / 1000 < AIM_P95_MS and not errors
        lines.append(
            f"| {row['name']} | `{row['path']}` | {off['alone_ms']:.0f} | {off['rps']:.1f} | "
            f"{share_off:.0%} | {off['p50'] / 1000:.1f} | {off['p95'] / 1000:.1f} | "
            f"{off['p99'] / 1000:.1f} | {errors} | {'met' if met else 'MISSED'} | "
            f"{on['rps']:.1f} | {on['rps'] / ceiling['on']:.0%} | {on['p95'] / 1000:.1f} |"
        )
    lines += [
        "",
        "gunicorn worker memory (RSS) after each run: "
        + "; ".join(
            f"cache {label}: " + ", ".join(f"{size:.0f} MB" for size in sizes)
            for label, sizes in rss.items()
        ),
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
