"""Under CI=true the suite must run on the real services, never quietly without them."""

import os

import pytest
from django.db import connection

IN_CI = os.environ.get("CI", "").lower() == "true"


@pytest.mark.skipif(not IN_CI, reason="only CI promises PostgreSQL")
def test_ci_runs_the_suite_on_postgresql(db):
    assert connection.vendor == "postgresql"


@pytest.mark.skipif(not IN_CI, reason="only CI promises Redis")
def test_ci_has_redis(redis_url):
    assert redis_url.startswith("redis://")
