"""The gunicorn worker shares kept-alive connections among the workers, and still serves them all when full."""

import socket
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# A WSGI app that answers with the pid of the worker serving it.
PID_APP = """
import os

def app(environ, start_response):
    body = str(os.getpid()).encode()
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
    return [body]
"""


def _free_port() -> int:
    """Return a free TCP port on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _pid_answering(sock: socket.socket) -> str:
    """Send one keep-alive request on the connection and return the pid in the answer."""
    sock.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    answer = b""
    while b"\r\n\r\n" not in answer or not answer.split(b"\r\n\r\n", 1)[1]:
        chunk = sock.recv(4096)
        assert chunk, "the connection was closed"
        answer += chunk
    head, body = answer.split(b"\r\n\r\n", 1)
    assert head.startswith(b"HTTP/1.1 200") and b"close" not in head.lower()
    return body.decode()


@pytest.fixture
def server(tmp_path):
    """gunicorn with the Procfile's settings serving PID_APP; yields its port."""
    (tmp_path / "pid_app.py").write_text(PID_APP)
    port = _free_port()
    process = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "--config", "python:server.gunicorn_conf",
         "--workers", "2", "--threads", "4", "--bind", f"127.0.0.1:{port}", "pid_app:app"],
        cwd=tmp_path, env={"PYTHONPATH": f"{tmp_path}:{ROOT}", "PATH": "/usr/bin:/bin"},
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        pids = set()
        deadline = time.monotonic() + 30
        # Both workers must be up, or the first would rightly take every connection.
        while len(pids) < 2:
            assert process.poll() is None and time.monotonic() < deadline, "gunicorn did not start two workers"
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
                    pids.add(_pid_answering(sock))
            except OSError:
                time.sleep(0.05)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_eight_clients_arriving_together_are_split_four_and_four(server):
    for _ in range(3):
        connections = [socket.create_connection(("127.0.0.1", server), timeout=10) for _ in range(8)]
        try:
            counts = Counter(_pid_answering(sock) for sock in connections)
            # Kept alive, each connection stays with its worker: ask again and get the same split.
            counts_again = Counter(_pid_answering(sock) for sock in connections)
        finally:
            for sock in connections:
                sock.close()
        assert sorted(counts.values()) == [4, 4]
        assert counts_again == counts
        time.sleep(0.2)


def test_clients_beyond_every_workers_threads_are_still_served(server):
    connections = [socket.create_connection(("127.0.0.1", server), timeout=10) for _ in range(11)]
    try:
        counts = Counter(_pid_answering(sock) for sock in connections)
    finally:
        for sock in connections:
            sock.close()
    # Every one answered. Which worker takes the three beyond the eight threads depends on which is scheduled first
    # on a busy machine (a worker with no room waits 20 ms for a sibling, then takes what comes).
    assert sum(counts.values()) == 11
