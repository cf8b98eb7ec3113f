"""Production settings (from the environment, as in coprod.settings) with the bench's URLs."""

from coprod.settings import *  # noqa: F403 - the same settings, one change below

ROOT_URLCONF = "bench.urls_bench"
