"""A private redis-server on a free port, which a test may stop and start again.

Tests that need Redis to go down use their own server: the machine's shared Redis must
stay up for everything else.

with RedisServer() as server:
    ...  # use server.url
    server.stop()   # the process is killed: connections are refused
    server.start()  # the same port again, empty
"""

import socket
import subprocess
import time

import redis

HOST = "127.0.0.1"
START_DEADLINE_SECONDS = 15


class RedisServer:
    def __init__(self) -> None:
        self.port = _free_port()
        self._process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://{HOST}:{self.port}/0"

    def start(self) -> "RedisServer":
        self._process = subprocess.Popen(
            [
                "redis-server",
                "--bind",
                HOST,
                "--port",
                str(self.port),
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + START_DEADLINE_SECONDS
        while not self.is_up():
            if self._process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"redis-server did not start on port {self.port}")
            time.sleep(0.05)
        return self

    def stop(self) -> None:
        """Kill the server, as a crash would: no goodbye to its clients."""
        if self._process is not None:
            self._process.kill()
            self._process.wait(timeout=10)
            self._process = None

    def is_up(self) -> bool:
        try:
            return redis.Redis.from_url(self.url, socket_connect_timeout=0.5).ping()
        except redis.RedisError:
            return False

    def __enter__(self) -> "RedisServer":
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]
