"""What the benches share: the repository's root, a production-like environment, the
PostgreSQL database and Redis they need, the page benches' pages and signed-in users, and the
first line and the writing of a report. The other modules in bench/ import from here and
never from one another, so no module in bench/ imports another in a circle.

The app modules are imported inside the functions that use them, once Django is set up.
"""

import os
import platform
import secrets
import sys
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

import psycopg2
import redis
from cryptography.fernet import Fernet
from psycopg2 import sql

ROOT = Path(__file__).resolve().parent.parent

# The page benches (pages.py, profile_pages.py) share a database seeded with the large demo.
# Another database or Redis can be named, to profile a copy while the bench runs.
PAGES_DATABASE_URL = os.environ.get(
    "BENCH_PAGES_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/coprod_bench_pages"
)
PAGES_REDIS_URL = os.environ.get("BENCH_PAGES_REDIS_URL", "redis://127.0.0.1:6379/3")
PROJECT = "demo-project-0003"  # open to join, with a full roster, meetings and payments
GRANTED = "demo-project-0001"  # granted to the demo commissioner


def production_env(*, database_url: str, redis_url: str, **settings: str) -> dict[str, str]:
    """This process's environment without its DJANGO_* and COPROD_* variables, on production
    settings: DEBUG off, a secret key of its own, DATABASE_URL and REDIS_URL from the
    environment or else the defaults given; then `settings`, which may replace any of these."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "COPROD_"))}
    env.update(
        DATABASE_URL=os.environ.get("DATABASE_URL", database_url),
        REDIS_URL=os.environ.get("REDIS_URL", redis_url),
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY="bench-only-" + secrets.token_hex(32),
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        COPROD_FIELD_ENCRYPTION_KEY=Fernet.generate_key().decode(),
    )
    env.update(settings)
    return env


def pages_env(**settings: str) -> dict[str, str]:
    """`production_env` for the page benches: the site's URLs plus the ceiling's
    (bench/settings_bench.py), the pages' database, static files collected under var/."""
    return production_env(
        database_url=PAGES_DATABASE_URL,
        redis_url=PAGES_REDIS_URL,
        DJANGO_SETTINGS_MODULE="bench.settings_bench",
        DJANGO_STATIC_ROOT=str(ROOT / "var" / "bench-static"),
        DJANGO_LOG_LEVEL="WARNING",
        **settings,
    )


def postgres_and_redis_ready(env: Mapping[str, str]) -> bool:
    """Creates the database of env's DATABASE_URL when missing and pings env's REDIS_URL;
    if either cannot be reached, says so on stderr and answers False."""
    try:
        create_database_if_missing(env["DATABASE_URL"])
        redis.Redis.from_url(env["REDIS_URL"], socket_connect_timeout=2).ping()
    except (psycopg2.OperationalError, redis.RedisError) as error:
        print(f"This bench needs PostgreSQL and Redis: {error}", file=sys.stderr)
        return False
    return True


def create_database_if_missing(database_url: str) -> None:
    name = urlsplit(database_url).path.lstrip("/")
    server = _connect(database_url, dbname="postgres")
    try:
        with server.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            if cursor.fetchone() is None:
                cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
                print(f"created database {name}")
    finally:
        server.close()


def vacuum(database_url: str) -> None:
    """VACUUM ANALYZE the database, as autovacuum would soon after a bulk load: until then
    PostgreSQL cannot answer counts from an index alone (its visibility map is empty), so a
    freshly seeded database measures slower than one that has been running."""
    server = _connect(database_url)
    try:
        with server.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    finally:
        server.close()


def _connect(database_url: str, *, dbname: str | None = None):
    """An autocommit connection to the server of `database_url`: to its database, or to
    `dbname` on the same server."""
    parts = urlsplit(database_url)
    server = psycopg2.connect(
        host=parts.hostname,
        port=parts.port or 5432,
        user=parts.username,
        password=parts.password,
        dbname=dbname or parts.path.lstrip("/"),
    )
    server.autocommit = True
    return server


def page_list() -> list[tuple[str, str, str | None]]:
    """(name, path, who is signed in) for each page measured. Needs Django set up: the
    meeting and the decision are the project's busiest (most invitations, most votes)."""
    from django.db.models import Count

    from decisions.models import Decision
    from projects.models import Meeting

    meeting = (
        Meeting.objects.filter(project__slug=PROJECT)
        .annotate(invited=Count("invitations"))
        .order_by("-invited", "starts_at")
        .first()
    )
    decision = (
        Decision.objects.filter(project__slug=PROJECT)
        .annotate(voted=Count("votes"))
        .order_by("-voted", "decided_on")
        .first()
    )
    return [
        ("ceiling (bare view)", "/bench/ok", "staff"),
        ("dashboard", "/dashboard/", "staff"),
        ("projects", "/projects/", "staff"),
        ("project", f"/projects/{PROJECT}/", "staff"),
        ("roster", f"/projects/{PROJECT}/roster/", "staff"),
        ("people", "/people/", "staff"),
        ("meeting", f"/projects/{PROJECT}/meetings/{meeting.public_id}/", "staff"),
        ("payments", f"/projects/{PROJECT}/payments/", "staff"),
        ("decision", f"/projects/{PROJECT}/decisions/{decision.public_id}/", "staff"),
        ("/me/", "/me/", "participant"),
        ("report", f"/reports/{GRANTED}/", "commissioner"),
        ("join", f"/join/{PROJECT}/", None),
    ]


def signed_in_cookies() -> dict[str, str]:
    """A signed-in session for each demo login, made directly in the database (no login
    form, so no password hashing or MFA step in the measured requests). Staff get an
    authenticator row, as production requires."""
    from allauth.mfa.models import Authenticator
    from django.contrib.auth import get_user_model

    from tests.gunicorn import signed_in_cookie

    User = get_user_model()
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


def make_pages_stale() -> None:
    """Bumps the data version, as any write does, so that no page comes from the page cache."""
    from coprod.core.pagecache import data_changed

    data_changed()


def measured_on() -> str:
    """The opening words of a report: when, and on what machine."""
    return f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {_machine()}"


def _machine() -> str:
    model = platform.processor() or "unknown CPU"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return f"{os.cpu_count()} CPUs (nproc), {model}"


def write_report(report: str, path: Path) -> None:
    """Prints the report and writes it to `path`."""
    print(report)
    path.write_text(report)
    path = path.resolve()
    print(f"Written to {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")
