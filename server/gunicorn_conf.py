"""gunicorn settings the Procfile names: the app is loaded once in the master and shared by the forked workers."""

import gc

preload_app = True
worker_class = "server.gunicorn_worker.BalancedThreadWorker"

# The master imports the app with the collector off: the import makes hundreds of thousands of objects that
# nearly all live on, so the collections it set off were mostly wasted work (4% of the start's instructions).
gc.disable()


def when_ready(_server):
    """Turn the collector back on once the app is loaded, before the workers are forked."""
    gc.enable()


def pre_fork(_server, _worker):
    """Move everything loaded so far out of the collector's reach before forking.

    A collection writes to every object it scans, which copies the page it sits on into the worker; frozen
    objects are never scanned, so the workers keep sharing the master's modules (about 60 MiB each).
    """
    gc.freeze()
