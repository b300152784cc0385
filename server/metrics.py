"""Prometheus metrics: what the web processes count, and the page that shows a process's metrics.

Under gunicorn every worker writes its values to files in PROMETHEUS_MULTIPROC_DIR (server/gunicorn_conf.py makes
one) and the page sums them; any other process (the clock, a test) counts in its own memory. What the clock counts is
in server/clock_metrics.py, which web processes never load: they would show its gauges as zeros.
"""

import functools
import ipaddress
import os
import threading
from collections.abc import Iterable
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from flask import Flask, abort, request
from prometheus_client import REGISTRY, CollectorRegistry, Counter, Histogram, generate_latest, multiprocess
from prometheus_client.exposition import CONTENT_TYPE_LATEST

from server.proxies import Network, parse_networks

REQUESTS = Counter("pumpwell_http_requests_total", "Requests answered, by route (the URL rule) and status.",
                   ["method", "route", "status"])
LATENCY = Histogram("pumpwell_http_request_duration_seconds", "Time from a request's start to its answer.",
                    ["method", "route"], buckets=(.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10))
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})

def allowed(address: str | None, networks: tuple[Network, ...]) -> bool:
    """Tell whether a client address may read the metrics."""
    try:
        return any(ipaddress.ip_address(address or "") in network for network in networks)
    except ValueError:  # a Unix socket, or no address at all
        return False


def page() -> tuple[bytes, str]:
    """Return the metrics page and its content type: every worker's values summed under gunicorn."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = REGISTRY
    return generate_latest(registry), CONTENT_TYPE_LATEST


def record_request(method: str, route: str, status: int, seconds: float) -> None:
    """Count one answered request."""
    # A method outside the usual ones is counted as "other": a client inventing methods cannot grow the metrics
    # (or the cache below) without end.
    count, latency = _series(method if method in METHODS else "other", route, status)
    count.inc()
    latency.observe(seconds)


@functools.cache
def _series(method: str, route: str, status: int) -> tuple:
    """Return the counter and histogram of one method, route and status, looked up once per process."""
    # Bounded: routes are the URL rules, and statuses and methods a handful.
    return REQUESTS.labels(method, route, str(status)), LATENCY.labels(method, route)


def init_app(app: Flask) -> None:
    """Serve /metrics to the networks METRICS_ALLOWED names; anyone else finds nothing there."""
    networks = parse_networks(app.config["METRICS_ALLOWED"], "METRICS_ALLOWED")

    @app.get("/metrics")
    @app.doc(hide=True)
    def metrics_page():
        """Show every metric of this machine's web workers."""
        # The client as the app sees it: behind a trusted proxy, the address it forwarded.
        if not allowed(request.remote_addr, networks):
            abort(404)
        body, content_type = page()
        return body, 200, {"Content-Type": content_type, "Cache-Control": "no-store"}


class _Quiet(WSGIRequestHandler):
    """A request handler that leaves scrapes out of the log."""

    def log_message(self, *_args) -> None:
        """Log nothing."""


class _ThreadedServer(WSGIServer):
    """A WSGI server that answers each scrape in its own thread, so a slow one delays no other."""

    daemon_threads = True

    def process_request(self, request, client_address):
        """Answer in a thread."""
        threading.Thread(target=self._answer, args=(request, client_address), daemon=True).start()

    def _answer(self, request, client_address):
        """Answer one scrape and close it."""
        try:
            self.finish_request(request, client_address)
        finally:
            self.shutdown_request(request)


def serve(port: int, allowed_networks: Iterable[str]) -> WSGIServer:
    """Serve this process's metrics at /metrics on `port` in a background thread (the clock's own page)."""
    networks = parse_networks(allowed_networks, "METRICS_ALLOWED")

    def app(environ, start_response):
        """Answer /metrics to allowed clients, 404 to anything else."""
        if environ.get("PATH_INFO") != "/metrics" or not allowed(environ.get("REMOTE_ADDR"), networks):
            start_response("404 Not Found", [("Content-Type", "text/plain")])
            return [b"not found\n"]
        body, content_type = page()
        start_response("200 OK", [("Content-Type", content_type), ("Content-Length", str(len(body)))])
        return [body]

    server = make_server("", port, app, server_class=_ThreadedServer, handler_class=_Quiet)
    threading.Thread(target=server.serve_forever, name="metrics", daemon=True).start()
    return server
