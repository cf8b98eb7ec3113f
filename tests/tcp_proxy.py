"""A TCP proxy a test can cut and restore, to drop the connections to a shared service (the
machine's PostgreSQL) without stopping it.

with TcpProxy("127.0.0.1", 5432) as proxy:
    ...  # connect to proxy.port instead of 5432
    proxy.cut()      # live connections closed, new ones refused
    proxy.restore()  # the same port accepts again
"""

import contextlib
import socket
import threading

HOST = "127.0.0.1"
ACCEPT_POLL_SECONDS = 0.1
CONNECT_TIMEOUT_SECONDS = 10


class TcpProxy:
    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.port = 0
        self._listener: socket.socket | None = None
        self._acceptor: threading.Thread | None = None
        self._accepting = threading.Event()
        self._lock = threading.Lock()
        self._connections: list[socket.socket] = []
        self.connections_made = 0

    def start(self) -> "TcpProxy":
        listener = socket.socket()
        # The same port again after a cut, though the closed connections linger in TIME_WAIT.
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((HOST, self.port))
        listener.listen(64)
        listener.settimeout(ACCEPT_POLL_SECONDS)
        self.port = listener.getsockname()[1]
        self._listener = listener
        self._accepting.set()
        self._acceptor = threading.Thread(target=self._accept, daemon=True)
        self._acceptor.start()
        return self

    restore = start

    def cut(self) -> None:
        """Close every live connection, both ways, and stop listening: new connections
        are refused, as from a database server that is down."""
        self._accepting.clear()
        if self._acceptor is not None:
            self._acceptor.join(timeout=10)
            self._acceptor = None
        if self._listener is not None:
            self._listener.close()
            self._listener = None
        with self._lock:
            connections, self._connections = self._connections, []
        for sock in connections:
            _close(sock)

    stop = cut

    @property
    def live_connections(self) -> int:
        with self._lock:
            return len(self._connections) // 2

    def __enter__(self) -> "TcpProxy":
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()

    def _accept(self) -> None:
        # Polls rather than blocks, so `cut` can stop it: closing a socket another thread
        # is blocked in accept() on does not wake that thread.
        while self._accepting.is_set():
            try:
                client, _address = self._listener.accept()
            except TimeoutError:
                continue
            try:
                upstream = socket.create_connection(self.target, timeout=CONNECT_TIMEOUT_SECONDS)
            except OSError:
                _close(client)
                continue
            client.settimeout(None)
            upstream.settimeout(None)
            with self._lock:
                self._connections += [client, upstream]
                self.connections_made += 1
            for source, destination in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(source, destination), daemon=True).start()

    def _pump(self, source: socket.socket, destination: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                destination.sendall(data)
        except OSError:
            pass
        finally:
            # Either side closing ends the pair, as a real connection would end.
            for sock in (source, destination):
                _close(sock)
            with self._lock:
                self._connections = [
                    sock for sock in self._connections if sock not in (source, destination)
                ]


def _close(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
    sock.close()
