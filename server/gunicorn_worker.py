"""The gunicorn worker the settings name: gthread, sharing kept-alive connections fairly among the workers."""

import threading

from gunicorn.workers.gthread import ThreadWorker

# How long a worker that already holds one connection per thread waits before it takes another: time enough for a
# sibling with room, woken by the same connection, to take it; short enough that when every worker is full a new
# client is only a little late.
YIELD_SECONDS = 0.02


class BalancedThreadWorker(ThreadWorker):
    """A gthread worker that leaves a new connection to a sibling with room before holding more than its threads.

    Every worker polls the one listening socket and the first to call accept() wins. A worker that is already
    running wins nearly every race, so eight kept-alive clients arriving together were split 7 to 1 or 8 to 0,
    and every request then queued for one process's GIL while the other core idled.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._yielding = False
        self._yielded = False

    def accept(self, listener):
        """Accept a connection, unless this worker is full and has not yet given its siblings a moment for it."""
        if self.nr_conns >= self.cfg.threads and not self._yielded:
            if not self._yielding:
                self._yielding = True
                # The run loop stops polling the listener while nr_conns has reached worker_connections.
                self.worker_connections = self.nr_conns
                timer = threading.Timer(YIELD_SECONDS, self.method_queue.defer, args=(self._resume,))
                timer.daemon = True
                timer.start()
            return
        self._yielded = False
        super().accept(listener)

    def _resume(self):
        """Poll the listener again; a connection still waiting there is this worker's to take."""
        self._yielding = False
        self._yielded = True
        self.worker_connections = self.cfg.worker_connections
