"""The benches still run. Nobody runs them every day, so a change elsewhere can quietly break
one: the invitations bench sent nothing for a day after a new rule said only people whose
consent stands are contacted, and its people had none. Each runs here small, against the test
database and the real Redis, writing its table to a temporary file."""

import os
import subprocess
import sys

import pytest

from bench.common import ROOT

pytestmark = [pytest.mark.redis, pytest.mark.postgres]


def test_the_invitations_bench_sends_each_invitation_once(
    transactional_db, database_url_for_subprocess, redis_url, tmp_path
):
    results = tmp_path / "invitations.md"
    env = {**os.environ, "DATABASE_URL": database_url_for_subprocess, "REDIS_URL": redis_url}
    bench = [sys.executable, "bench/invitations.py", "--count", "20", "--workers", "1"]
    done = subprocess.run(
        [*bench, "--concurrency", "1", "--results", str(results)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )

    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-4000:]
    table = results.read_text()
    assert "Every invitation arrived exactly once" in table
    assert "bench/invitations.py --count 20" in table
