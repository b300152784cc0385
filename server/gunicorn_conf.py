"""gunicorn settings the Procfile names: the app is loaded once in the master and shared by the forked workers."""

import ctypes
import gc
import importlib
import os
import platform
import shutil
import tempfile
from pathlib import Path

preload_app = True
worker_class = "server.gunicorn_worker.BalancedThreadWorker"
# A redeploy's SIGTERM: each worker answers what it holds and what is queued on the socket, for up to this long.
graceful_timeout = 30

# glibc gives each thread that allocates its own malloc arena, up to 8 per core, and each arena keeps fragments of
# what it freed, so a worker's four threads can hold several partly empty heaps. Two arenas, set in the master before
# any thread starts (the workers inherit it), as MALLOC_ARENA_MAX=2 would.
M_ARENA_MAX = -8
if platform.libc_ver()[0] == "glibc":
    ctypes.CDLL(None).mallopt(M_ARENA_MAX, 2)

# Metrics: every worker writes its values into this folder and /metrics sums them (server/metrics.py). Set before the
# app, and with it prometheus_client, is imported. Left unset, this master makes its own and removes it at exit.
_OWN_METRICS_DIR = not os.environ.get("PROMETHEUS_MULTIPROC_DIR")
if _OWN_METRICS_DIR:
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="pumpwell-metrics-")

# The master imports the app with the collector off: the import makes hundreds of thousands of objects that
# nearly all live on, so the collections it set off were mostly wasted work (4% of the start's instructions).
gc.disable()


# What the app imports only when first asked (server/ imports them inside functions, so that the clock and the
# commands never pay for them). In the master they are loaded once and shared by every worker; left to the workers,
# each loaded its own copy on its first readiness probe (Alembic, 9 MiB), passkey sign-in (webauthn, 15 MiB) or
# calendar file (icalendar, 3 MiB), which made most of what grew in an hour of use (docs/performance.md); the
# report's PDF writer (fpdf2) likewise.
SHARED_LATE_IMPORTS = ("alembic.config", "alembic.script", "icalendar", "webauthn", "webauthn.helpers",
                       "webauthn.helpers.structs", "server.vapid", "cryptography.hazmat.primitives.asymmetric.ec",
                       "server.report_pdf")


def when_ready(_server):
    """Load what the app imports late, then turn the collector back on, before the workers are forked."""
    for name in SHARED_LATE_IMPORTS:
        importlib.import_module(name)
    # The readiness probe's answer from migrations/, read once here rather than by each worker.
    from server.health import head_revisions

    head_revisions()
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
