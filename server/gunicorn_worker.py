"""The gunicorn worker the settings name: gthread, sharing kept-alive connections fairly among the workers,
answering at SIGTERM every connection already queued on the listening socket, closing the connection after a 413,
and answering what gunicorn refuses itself (414, 431) in the app's one error shape."""

import json
import threading
import time

from gunicorn import util
from gunicorn.http.errors import LimitRequestHeaders, LimitRequestLine
from gunicorn.workers.gthread import ThreadWorker

from server.api.errors import error_body

# How long a worker that already holds one connection per thread waits before it takes more: time enough for a
# sibling with room, woken by the same connection, to take it; short enough that when every worker is full a new
# client is only a little late. After such a wait it takes what comes for as long again without waiting: one wait per
# connection held 200 kept-alive clients (or a proxy's new upstream connections) to 50 a second per worker, and the
# last of them waited seconds in the listening socket's queue (bench/keepalive.py).
YIELD_SECONDS = 0.02


# Requests gunicorn refuses before the app sees them (its limit_request_line, limit_request_fields and
# limit_request_field_size), answered in the app's one error shape rather than gunicorn's HTML page.
REFUSED_BEFORE_THE_APP = {
    LimitRequestLine: (414, "URI Too Long", "The request line (method and URL) is too long."),
    LimitRequestHeaders: (431, "Request Header Fields Too Large", "The request's headers are too large or too many."),
}


def close_after_413(app):
    """Wrap a WSGI app so that a 413 answer closes its connection, and says so.

    The refused body is left unread on the socket and gunicorn drains at most 64 KiB of it before closing, but it has
    written "Connection: keep-alive" by then: a client's next request on that connection went unanswered.
    """

    def app_closing_after_413(environ, start_response):
        """Call the app; when it answers 413, have gunicorn's response (start_response's owner) close."""

        def start(status, headers, exc_info=None):
            if status.startswith("413"):
                start_response.__self__.force_close()
            return start_response(status, headers, exc_info)

        return app(environ, start)

    return app_closing_after_413


class BalancedThreadWorker(ThreadWorker):
    """A gthread worker that leaves a new connection to a sibling with room before holding more than its threads.

    Every worker polls the one listening socket and the first to call accept() wins. A worker that is already
    running wins nearly every race, so eight kept-alive clients arriving together were split 7 to 1 or 8 to 0,
    and every request then queued for one process's GIL while the other core idled.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._yielding = False
        self._free_until = 0.0

    def load_wsgi(self):
        """Load the app, closing the connection after a 413."""
        super().load_wsgi()
        self.wsgi = close_after_413(self.wsgi)

    def handle_error(self, req, client, addr, exc):
        """Answer a request line or header block over gunicorn's limits in the one JSON error shape, and close."""
        refused = next((answer for kind, answer in REFUSED_BEFORE_THE_APP.items() if isinstance(exc, kind)), None)
        if refused is None:
            super().handle_error(req, client, addr, exc)
            return
        status, reason, message = refused
        self.log.warning("Invalid request from ip=%s: %s", (addr or ("",))[0], exc)
        body = json.dumps(error_body(status, message)).encode()
        head = (f"HTTP/1.1 {status} {reason}\r\nConnection: close\r\nContent-Type: application/json\r\n"
                f"Content-Length: {len(body)}\r\n\r\n")
        try:
            util.write_nonblock(client, head.encode() + body)
        except OSError:
            self.log.debug("Failed to send error message.")

    def accept(self, listener):
        """Accept a connection, unless this worker is full and has not just given its siblings a moment for it."""
        if self.nr_conns >= self.cfg.threads and time.monotonic() >= self._free_until:
            if not self._yielding:
                self._yielding = True
                # The run loop stops polling the listener while nr_conns has reached worker_connections.
                self.worker_connections = self.nr_conns
                timer = threading.Timer(YIELD_SECONDS, self.method_queue.defer, args=(self._resume,))
                timer.daemon = True
                timer.start()
            return
        super().accept(listener)

    def _resume(self):
        """Poll the listener again; what still waits there, and what comes in as long again, is this worker's."""
        self._yielding = False
        self._free_until = time.monotonic() + YIELD_SECONDS
        self.worker_connections = self.cfg.worker_connections

    def set_accept_enabled(self, enabled):
        """Keep polling the listener while stopping, and take what is queued on it now: a worker with no request of
        its own left would otherwise close it at once."""
        if not self.alive:
            for listener in self.sockets:
                self._take_queued(listener)
            enabled = True
        super().set_accept_enabled(enabled)

    def wait_for_and_dispatch_events(self, timeout):
        """Serve what is ready; while stopping, then take every connection still queued on the listeners.

        The kernel completes a client's handshake before any worker calls accept(), and closing the last copy of the
        listening socket resets every connection still queued on it. gthread stopped polling the listener at SIGTERM
        and closed it once its own requests were done: 14 of 24 requests already sent were reset. A stopping worker
        exits only once nothing is left in the queue, and the close follows that last look at once.
        """
        super().wait_for_and_dispatch_events(timeout)
        if not self.alive:
            for listener in self.sockets:
                self._take_queued(listener)

    def _take_queued(self, listener):
        """Accept every connection waiting on the listener, even beyond this worker's threads."""
        while True:
            before = self.nr_conns
            ThreadWorker.accept(self, listener)  # it swallows EAGAIN: nothing more was queued
            if self.nr_conns == before:
                return
