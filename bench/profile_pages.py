"""Where a page's time goes: for each page of the page benchmark, the median time to render
it in-process, how many SQL queries it runs and how long they take, the median CPU time of
this process alone (steadier than the wall time when the machine is busy), and the slowest
queries.
Run it against the benchmark's database (seeded by `make bench`) to find what to fix:

    .venv/bin/python bench/profile_pages.py --page roster --cprofile --sort tottime

or against a copy of it, named by BENCH_PAGES_DATABASE_URL (and BENCH_PAGES_REDIS_URL).

It uses production settings (DEBUG off, so templates are cached as in production) and
Django's test client, so no server or network is involved.
"""

import argparse
import cProfile
import os
import pstats
import secrets
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (  # noqa: E402 - needs the repository on the path
    make_pages_stale,
    page_list,
    pages_env,
    signed_in_cookies,
)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--page", help="only the page with this name")
    parser.add_argument("--cprofile", action="store_true", help="print the top functions")
    parser.add_argument(
        "--cold", action="store_true", help="make the page cache stale before each request"
    )
    parser.add_argument("--sort", default="cumulative", help="cProfile order: tottime...")
    parser.add_argument("--lines", type=int, default=25, help="functions cProfile prints")
    args = parser.parse_args()
    # Updates, not replaces: other DJANGO_*/COPROD_* variables of the caller stay in force.
    os.environ.update(
        pages_env(
            DJANGO_SECRET_KEY="profile-only-" + secrets.token_hex(32),
            DJANGO_ALLOWED_HOSTS="testserver",
            COPROD_BASE_URL="https://testserver",
        )
    )
    import django

    django.setup()
    from django.core.management import call_command

    call_command("collectstatic", "--noinput", verbosity=0)
    from django.db import connection
    from django.test import Client

    cookies = signed_in_cookies()
    for name, path, who in page_list():
        if args.page and args.page != name:
            continue
        client = Client(HTTP_X_FORWARDED_PROTO="https", HTTP_COOKIE=cookies.get(who, ""))
        client.get(path)  # warm: templates compiled, connections open
        timings, cpu, queries = [], [], []
        for _ in range(args.repeat):
            if args.cold:
                make_pages_stale()
            recorder = _QueryRecorder()
            with connection.execute_wrapper(recorder):
                started, started_cpu = time.perf_counter(), time.process_time()
                response = client.get(path)
                timings.append((time.perf_counter() - started) * 1000)
                cpu.append((time.process_time() - started_cpu) * 1000)
            queries.append(recorder)
            if response.status_code != 200:
                print(f"{name}: {path} answered {response.status_code}")
                break
        last = queries[-1]
        print(
            f"{name:22} {statistics.median(timings):7.1f} ms  "
            f"{len(last.calls):3} queries  {last.total_ms:6.1f} ms in SQL  "
            f"{statistics.median(cpu):6.1f} ms of this process's CPU"
        )
        for ms, sql in sorted(last.calls, reverse=True)[:3]:
            print(f"    {ms:6.1f} ms  {sql[:160]}")
        if args.cprofile:
            if args.cold:
                make_pages_stale()
            profiler = cProfile.Profile()
            profiler.enable()
            client.get(path)
            profiler.disable()
            pstats.Stats(profiler).sort_stats(args.sort).print_stats(args.lines)
    return 0


class _QueryRecorder:
    def __init__(self) -> None:
        self.calls: list[tuple[float, str]] = []

    @property
    def total_ms(self) -> float:
        return sum(ms for ms, _ in self.calls)

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.calls.append(((time.perf_counter() - started) * 1000, sql))


if __name__ == "__main__":
    sys.exit(main())
