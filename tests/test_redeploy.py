"""gunicorn, started as the Procfile starts it: a redeploy drops nothing (every request taken before SIGTERM is
answered and stored, then it exits), and what it refuses at the edges is answered so a client can carry on."""

import json
import os
import re
import shlex
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
# More connections than the Procfile's 2 workers × 4 threads have threads, so some wait in the listen queue.
CONNECTIONS = 24
# The slow requests send their headers, then their body only after the SIGTERM.
SLOW = 8


def _free_port() -> int:
    """Return a free TCP port on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def procfile_command(process: str, env: dict[str, str]) -> list[str]:
    """Return the Procfile's command line for a process type, with its ${NAME:-default}s filled in from env."""
    line = next(line for line in (ROOT / "Procfile").read_text().splitlines() if line.startswith(f"{process}:"))
    filled = re.sub(r"\$\{(\w+):-([^}]*)\}", lambda m: env.get(m[1], m[2]), line.split(":", 1)[1])
    argv = shlex.split(filled)
    return [str(BIN / argv[0]), *argv[1:]]


def _request(port: int, method: str, path: str, body: bytes = b"", token: str = "") -> bytes:
    """Send one request on a new connection and return the whole answer."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(_head(method, path, body, token) + body)
        return _read_answer(sock)


def _head(method: str, path: str, body: bytes, token: str) -> bytes:
    """Return a request's head: one request per connection, as a proxy sends them."""
    auth = f"Authorization: Bearer {token}\r\n" if token else ""
    return (f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n{auth}"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n").encode()


def _read_answer(sock: socket.socket) -> bytes:
    """Read until the server closes the connection."""
    answer = b""
    while chunk := sock.recv(65536):
        answer += chunk
    return answer


def _session(session_id: str) -> bytes:
    """A session's JSON body with the client's own id."""
    return json.dumps({"id": session_id, "started_at": "2026-01-05T08:00:00+00:00", "duration_min": 15,
                       "left_ml": 60, "right_ml": 70}).encode()


@pytest.fixture
def web(tmp_path):
    """The Procfile's web process on a migrated SQLite database; yields (process, port, database path)."""
    database = tmp_path / "pumpwell.db"
    port = _free_port()
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "PORT": str(port), "HOME": str(tmp_path),
           "DATABASE_URL": f"sqlite:///{database}", "ARGON2_MEMORY_KIB": "1024", "ARGON2_TIME_COST": "1",
           "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "metrics")}
    subprocess.run(procfile_command("release", env), cwd=ROOT, env=env, check=True, capture_output=True)
    log = (tmp_path / "web.log").open("wb")
    process = subprocess.Popen(procfile_command("web", env), cwd=ROOT, env=env, stdout=log, stderr=log)
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None and time.monotonic() < deadline, (tmp_path / "web.log").read_text()
            try:
                if _request(port, "GET", "/livez").startswith(b"HTTP/1.1 200"):
                    break
            except OSError:
                time.sleep(0.1)
        yield process, port, database
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=30)
        log.close()


def test_sigterm_answers_and_stores_every_request_already_sent(web):
    process, port, database = web
    answer = _request(port, "POST", "/api/auth/register",
                      json.dumps({"email": "redeploy@example.com", "password": "correct horse battery"}).encode())
    token = json.loads(answer.split(b"\r\n\r\n", 1)[1])["token"]
    ids = [str(uuid.uuid4()) for _ in range(CONNECTIONS)]
    sockets = [socket.create_connection(("127.0.0.1", port), timeout=60) for _ in ids]
    answers: dict[int, bytes | Exception] = {}
    sent_heads = threading.Barrier(CONNECTIONS + 1)
    terminated = threading.Event()

    def send(index: int) -> None:
        """Send one session; a slow one sends its body only once the master has its SIGTERM."""
        body = _session(ids[index])
        try:
            sockets[index].sendall(_head("POST", "/api/sessions", body, token))
            sent_heads.wait()
            if index < SLOW:
                terminated.wait()
                time.sleep(0.5)
            sockets[index].sendall(body)
            answers[index] = _read_answer(sockets[index])
        except OSError as error:
            answers[index] = error
        finally:
            sockets[index].close()

    threads = [threading.Thread(target=send, args=(i,)) for i in range(CONNECTIONS)]
    for thread in threads:
        thread.start()
    sent_heads.wait()
    started = time.monotonic()
    process.send_signal(signal.SIGTERM)
    terminated.set()
    for thread in threads:
        thread.join(timeout=60)
    assert process.wait(timeout=60) == 0
    stopped_in = time.monotonic() - started

    failed = {i: a for i, a in answers.items() if isinstance(a, Exception) or not a.startswith(b"HTTP/1.1 201")}
    print(f"\n{CONNECTIONS} requests in flight at SIGTERM ({SLOW} still sending their body): "
          f"{CONNECTIONS - len(failed)} answered 201, {len(failed)} not; gunicorn exited after {stopped_in:.2f} s")
    assert len(answers) == CONNECTIONS and not failed, failed
    with sqlite3.connect(database) as conn:
        stored = {row[0] for row in conn.execute("SELECT id FROM pump_sessions")}
    assert {i.replace("-", "") for i in ids} <= {s.replace("-", "") for s in stored}


def _answer_and_close(port: int, request: bytes) -> tuple[bytes, dict]:
    """Send raw bytes on a new connection; return the answer's status line and its JSON body (read to the close)."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        try:
            sock.sendall(request)
        except BrokenPipeError:  # the server answered and closed before taking the rest
            pass
        answer = _read_answer(sock)
    head, body = answer.split(b"\r\n\r\n", 1)
    return head, json.loads(body)


def test_a_body_over_the_limit_answers_413_and_closes_the_connection(web):
    _, port, _ = web
    body = json.dumps({"email": "big@example.com", "password": "x" * 100_000}).encode()
    head = (b"POST /api/auth/register HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            b"Content-Length: %d\r\n\r\n" % len(body))
    then = b"GET /livez HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
    # The whole answer is read until the server closes: a kept-alive connection would time the read out.
    status, error = _answer_and_close(port, head + body + then)
    assert status.startswith(b"HTTP/1.1 413") and b"\r\nConnection: close\r\n" in status
    assert error["error"]["code"] == "too_large"


def _chunked(body: bytes) -> bytes:
    """Encode a body in chunks of 10,000 bytes."""
    chunks = [body[i:i + 10_000] for i in range(0, len(body), 10_000)]
    return b"".join(b"%x\r\n%s\r\n" % (len(chunk), chunk) for chunk in chunks) + b"0\r\n\r\n"


@pytest.mark.parametrize("padding, status", [(100_000, b"413"), (60_000, b"201")])
def test_a_chunked_body_is_refused_413_only_over_the_limit(web, padding, status):
    _, port, _ = web
    # Blanks after the object keep it valid JSON of any length.
    account = json.dumps({"email": "chunked@example.com", "password": "correct horse battery"}).encode()
    body = _chunked(account + b" " * padding)
    head = (b"POST /api/auth/register HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            b"Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n")
    answer, _ = _answer_and_close(port, head + body)
    assert answer.startswith(b"HTTP/1.1 " + status)


@pytest.mark.parametrize("request_bytes, status, code", [
    (b"GET /api/me?" + b"a" * 5000 + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", b"414", "uri_too_long"),
    (b"GET /livez HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + b"b" * 9000 + b"\r\n\r\n", b"431", "headers_too_large"),
    (b"GET /livez HTTP/1.1\r\nHost: 127.0.0.1\r\n" + b"X-Many: m\r\n" * 101 + b"\r\n", b"431", "headers_too_large"),
])
def test_a_request_over_gunicorn_s_limits_is_answered_in_the_one_error_shape(web, request_bytes, status, code):
    _, port, _ = web
    head, error = _answer_and_close(port, request_bytes)
    assert head.startswith(b"HTTP/1.1 " + status) and b"\r\nContent-Type: application/json\r\n" in head
    assert error["error"]["code"] == code and error["error"]["message"] and error["error"]["fields"] == {}
