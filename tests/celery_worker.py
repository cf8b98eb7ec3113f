"""The command line of a real `celery worker` for coprod, for the tests and the benches."""

import sys


def celery_worker_command(
    *, hostname: str, queue: str, pool: str, concurrency: int, loglevel: str = "INFO"
) -> list[str]:
    """One worker consuming only `queue`; gossip, mingle and heartbeats are off so that it
    starts quickly and talks to no other worker."""
    return [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "coprod",
        "worker",
        "--hostname",
        hostname,
        "--queues",
        queue,
        "--pool",
        pool,
        "--concurrency",
        str(concurrency),
        "--loglevel",
        loglevel,
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
    ]
