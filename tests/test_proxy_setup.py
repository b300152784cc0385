"""The production set-up docs/operators.md documents: docs/nginx.conf in front of gunicorn with the Procfile's flags.

The file is the one the page shows, nginx accepts it, and 200 kept-alive HTTPS clients through it all get answers
and nginx reuses its connections to gunicorn. (The latencies are bench/keepalive.py's to print, not a test's.)
"""

import asyncio
import re
import socket
import ssl
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from bench import proxy
from bench.api import procfile_flags

ROOT = Path(__file__).resolve().parent.parent
CLIENTS = 200
# A WSGI app that answers with the address and port nginx connected from, and the client it forwarded.
PEER_APP = """
def app(environ, start_response):
    body = f"{environ['REMOTE_PORT']} {environ.get('HTTP_X_FORWARDED_FOR')}".encode()
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
    return [body]
"""


def _free_port() -> int:
    """Return a free TCP port on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def nginx_binary():
    """The nginx binary; `make test` installs it when missing (apt-get install nginx)."""
    if proxy.nginx() is None:
        pytest.skip("nginx is not installed: `make test` installs it as root, or apt-get install nginx")


def test_operators_page_shows_the_config_file_as_it_is():
    page = (ROOT / "docs" / "operators.md").read_text()
    blocks = re.findall(r"^```nginx\n(.*?)^```", page, re.MULTILINE | re.DOTALL)
    assert blocks == [proxy.CONFIG.read_text()]


def test_nginx_accepts_the_documented_config(tmp_path, nginx_binary):
    main = proxy.write_config(tmp_path, _free_port(), _free_port(), _free_port())
    result = proxy.check(main)
    assert result.returncode == 0, result.stderr


async def _requests(port: int, tls: ssl.SSLContext, count: int) -> list[bytes]:
    """Open one HTTPS connection, send `count` requests on it one after the other, return the answers' bodies."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port, ssl=tls, server_hostname="127.0.0.1")
    bodies = []
    for _ in range(count):
        writer.write(b"GET /peer HTTP/1.1\r\nHost: pumpwell.example\r\n\r\n")
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 60)
        assert head.startswith(b"HTTP/1.1 200") and b"connection: close" not in head.lower(), head
        length = int(re.search(rb"(?i)content-length: (\d+)", head).group(1))
        bodies.append(await reader.readexactly(length))
    writer.close()
    return bodies


async def _clients(port: int) -> tuple[list[bytes], list[bytes]]:
    """Run CLIENTS connections at once, two requests each, then one more client with 20 requests; return the bodies
    of the crowd's answers and of the last client's."""
    tls = ssl.create_default_context()
    tls.check_hostname, tls.verify_mode = False, ssl.CERT_NONE
    answers = await asyncio.gather(*(_requests(port, tls, 2) for _ in range(CLIENTS)))
    return [body for bodies in answers for body in bodies], await _requests(port, tls, 20)


def test_200_kept_alive_clients_through_nginx_all_get_answers_over_reused_connections(tmp_path, nginx_binary):
    (tmp_path / "peer_app.py").write_text(PEER_APP)
    upstream, https_port = _free_port(), _free_port()
    gunicorn = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), *procfile_flags(ROOT), "--bind", f"127.0.0.1:{upstream}",
         "peer_app:app"],
        cwd=tmp_path, env={"PYTHONPATH": f"{tmp_path}:{ROOT}", "PATH": "/usr/bin:/bin"},
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    nginx = None
    try:
        deadline = time.monotonic() + 60
        while True:
            assert gunicorn.poll() is None and time.monotonic() < deadline, "gunicorn did not start"
            try:
                socket.create_connection(("127.0.0.1", upstream), timeout=1).close()
                break
            except OSError:
                time.sleep(0.05)
        nginx = proxy.start(proxy.write_config(tmp_path / "nginx", https_port, _free_port(), upstream), https_port)
        # In a thread of its own: a browser test's Playwright may hold this thread's event loop open.
        with ThreadPoolExecutor(1) as thread:
            crowd, last = thread.submit(asyncio.run, _clients(https_port)).result()
    finally:
        for process in (nginx, gunicorn):
            if process:
                process.terminate()
                process.wait(timeout=30)
    assert len(crowd) == 2 * CLIENTS and len(last) == 20
    assert {body.split()[1] for body in crowd + last} == {b"127.0.0.1"}
    # nginx keeps its connections to gunicorn open: without the pool each of the 20 would have opened its own.
    ports = {body.split()[0] for body in last}
    assert len(ports) <= 2, f"{len(ports)} connections to gunicorn for 20 requests one after the other"
