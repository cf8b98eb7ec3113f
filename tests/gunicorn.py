"""gunicorn serving coprod on 127.0.0.1, for the fault tests and the page benchmark.

with Gunicorn(env=production_env, log_path=tmp / "gunicorn.log") as server:
    status, body = server.get("/healthz")
    server.worker_pids()

`signed_in_cookie(user, secret_key=...)` makes a session directly in the database, as the
login form would, so that measured or tested requests skip the login and MFA steps.
"""

import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.test import override_settings

ROOT = Path(__file__).resolve().parent.parent
START_DEADLINE_SECONDS = 120


class Gunicorn:
    """gunicorn on production settings (from `env`) on 127.0.0.1; `headers` go with every
    request made through `get`, as a reverse proxy would add them."""

    def __init__(
        self,
        *,
        env: dict,
        log_path: Path,
        workers: int = 4,
        port: int | None = None,
        headers: dict | None = None,
    ) -> None:
        self.env, self.log_path, self.workers = env, log_path, workers
        self.port = port or _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.headers = headers or {}

    def __enter__(self) -> "Gunicorn":
        self._log = self.log_path.open("w")
        self.process = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "gunicorn"),
                "coprod.wsgi",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(self.workers),
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        try:
            self._wait_until_serving()
        except BaseException:
            self.__exit__()
            raise
        return self

    def _wait_until_serving(self) -> None:
        deadline = time.monotonic() + START_DEADLINE_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited:\n{self.log()}")
            try:
                self.get("/healthz")
                return
            except OSError:
                time.sleep(0.3)
        raise RuntimeError(
            f"gunicorn did not answer within {START_DEADLINE_SECONDS} s:\n{self.log()}"
        )

    def __exit__(self, *exc_info) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=30)
        self._log.close()

    def get(self, path: str, cookie: str = "") -> tuple[int, bytes]:
        """(status, body) of one GET; redirects are returned, not followed."""
        request = urllib.request.Request(  # noqa: S310 - loopback
            self.base + path, headers={**self.headers, "Cookie": cookie}
        )
        opener = urllib.request.build_opener(_NoRedirect)
        try:
            with opener.open(request, timeout=30) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()

    def worker_pids(self) -> set[int]:
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return {int(pid) for pid in children.read_text().split()}

    def worker_rss_mb(self) -> list[float]:
        sizes = []
        for pid in sorted(self.worker_pids()):
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    sizes.append(int(line.split()[1]) / 1024)
        return sizes

    def log(self) -> str:
        return self.log_path.read_text()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def signed_in_cookie(user, *, secret_key: str | None = None) -> str:
    """The Cookie header of a session signed in as `user`, made directly in the database
    and signed with the key of the server that will read it."""
    with override_settings(SECRET_KEY=secret_key or settings.SECRET_KEY):
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}"
