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
import platform
import secrets
import shutil
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import psycopg2
import redis

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.invitations import _create_database_if_missing  # noqa: E402 - needs ROOT on the path

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/coprod_bench_pages"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/3"
PORT = 8765
BASE = f"http://127.0.0.1:{PORT}"
# Plain http on loopback; requests say X-Forwarded-Proto: https, as a proxy would.
HEADERS = {"X-Forwarded-Proto": "https"}
PROJECT = "demo-project-0003"  # open to join, with a full roster, meetings and payments
GRANTED = "demo-project-0001"  # granted to the demo commissioner
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
    env = _production_env()
    try:
        _create_database_if_missing(env["DATABASE_URL"])
        redis.Redis.from_url(env["REDIS_URL"], socket_connect_timeout=2).ping()
    except (psycopg2.OperationalError, redis.RedisError) as error:
        print(f"This bench needs PostgreSQL and Redis: {error}", file=sys.stderr)
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
    report = _report(rows, rss, args)
    print(report)
    RESULTS.write_text(report)
    print(f"Written to {RESULTS.relative_to(ROOT)}")
    return 0


def _production_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "COPROD_"))}
    env.update(
        DATABASE_URL=os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL),
        REDIS_URL=os.environ.get("REDIS_URL", DEFAULT_REDIS_URL),
        DJANGO_SETTINGS_MODULE="bench.settings_bench",
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY="bench-only-" + secrets.token_hex(32),
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        COPROD_BASE_URL=BASE,
        # Plain http on loopback; wrk says X-Forwarded-Proto: https as a proxy would.
        DJANGO_SECURE_SSL_REDIRECT="false",
        DJANGO_STATIC_ROOT=str(ROOT / "var" / "bench-static"),
        DJANGO_LOG_LEVEL="WARNING",
    )
    return env


def page_list() -> list[tuple[str, str, str | None]]:
    """(name, path, who is signed in) for each page measured."""
    return [
        ("ceiling (bare view)", "/bench/ok", "staff"),
        ("dashboard", "/dashboard/", "staff"),
        ("projects", "/projects/", "staff"),
        ("project", f"/projects/{PROJECT}/", "staff"),
        ("roster", f"/projects/{PROJECT}/roster/", "staff"),
        ("/me/", "/me/", "participant"),
        ("report", f"/reports/{GRANTED}/", "commissioner"),
        ("join", f"/join/{PROJECT}/", None),
    ]


def signed_in_cookies() -> dict[str, str]:
    """A signed-in session for each demo login, made directly in the database (no login
    form, so no password hashing or MFA step in the measured requests). Staff get an
    authenticator row, as production requires."""
    from allauth.mfa.models import Authenticator

    from stakeholders.models import User
    from tests.gunicorn import signed_in_cookie

    cookies = {}
    for who in ("staff", "participant", "commissioner"):
        user = User.objects.get(email=f"{who}@example.org")
        if who == "staff":
            Authenticator.objects.get_or_create(
                user=user,
                type=Authenticator.Type.TOTP,
                defaults={"data": {"secret": secrets.token_hex(10)}},
            )
        cookies[who] = signed_in_cookie(user)
    return cookies


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
    from coprod.pagecache import data_changed

    timings = []
    for _ in range(count):
        if after_a_change:
            data_changed()
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


def _machine() -> str:
    model = platform.processor() or "unknown CPU"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return f"{os.cpu_count()} CPUs (nproc), {model}"


def _report(rows: list[dict], rss: list[float], args) -> str:
    ceiling = rows[0]["rps"]
    lines = [
        "# Page benchmark",
        "",
        f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {_machine()}, by `make bench`",
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
        "Redis until any data changes (`coprod/pagecache.py`), so the load columns mostly",
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
