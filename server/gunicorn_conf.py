"""gunicorn settings the Procfile names: the app is loaded once in the master and shared by the forked workers."""

import gc
import os
import shutil
import tempfile
from pathlib import Path

preload_app = True
worker_class = "server.gunicorn_worker.BalancedThreadWorker"
# A redeploy's SIGTERM: each worker answers what it holds and what is queued on the socket, for up to this long.
graceful_timeout = 30

# Metrics: every worker writes its values into this folder and /metrics sums them (server/metrics.py). Set before the
# app, and with it prometheus_client, is imported. Left unset, this master makes its own and removes it at exit.
_OWN_METRICS_DIR = not os.environ.get("PROMETHEUS_MULTIPROC_DIR")
if _OWN_METRICS_DIR:
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="pumpwell-metrics-")

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


def on_starting(_server):
    """Start the metrics afresh: files a previous run left in a given folder would be summed as if still counting."""
    folder = Path(os.environ["PROMETHEUS_MULTIPROC_DIR"])
    folder.mkdir(parents=True, exist_ok=True)
    for stale in folder.glob("*.db"):
        stale.unlink()


def child_exit(_server, worker):
    """Drop a dead worker's live gauges from the metrics."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


def on_exit(_server):
    """Remove the metrics folder this master made."""
    if _OWN_METRICS_DIR:
        shutil.rmtree(os.environ["PROMETHEUS_MULTIPROC_DIR"], ignore_errors=True)
