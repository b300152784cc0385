"""Web Push encryption (RFC 8291), and the worker processes that do it off the sending thread."""

import ctypes
import logging
import multiprocessing
import os
import signal
import threading
import time
from concurrent.futures import ProcessPoolExecutor

from pywebpush import WebPusher

from server.push.messages import Subscription

log = logging.getLogger(__name__)

PR_SET_PDEATHSIG = 1  # linux/prctl.h

def encrypt(subscription: Subscription, payload: bytes) -> bytes:
    """Encrypt a payload for a subscription with aes128gcm (RFC 8291)."""
    pusher = WebPusher(
        {"endpoint": subscription.endpoint,
         "keys": {"p256dh": subscription.p256dh, "auth": subscription.auth}}
    )
    return pusher.encode(payload, "aes128gcm")["body"]


def encrypt_many(items: list[tuple[Subscription, bytes]]) -> list[bytes]:
    """Encrypt a chunk of (subscription, payload) pairs; runs in an encryption worker process."""
    return [encrypt(sub, payload) for sub, payload in items]


def _watch_parent(parent_pid: int) -> None:
    """Exit this worker as soon as its parent is gone (it was re-parented)."""
    while os.getppid() == parent_pid:
        time.sleep(0.5)
    os._exit(0)


def _worker_init(parent_pid: int) -> None:
    """Tie an encryption worker's life to the process that started it, however that one ends."""
    # Ctrl-C reaches the whole process group; the parent decides when its workers stop.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        # The kernel kills us when the thread that started us (the client's event loop thread) ends,
        # SIGKILL of the parent included.
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (AttributeError, OSError):
        log.warning("prctl is not available; the parent watchdog alone ends orphaned workers")
    if os.getppid() != parent_pid:  # the parent died before prctl took effect
        os._exit(0)
    threading.Thread(target=_watch_parent, args=(parent_pid,), name="parent-watchdog", daemon=True).start()


def worker_pool(processes: int) -> ProcessPoolExecutor:
    """Start encryption worker processes tied to this process's life (call it from the thread they die with)."""
    # Encryption is most of a send's CPU; worker processes put it on other cores.
    # "spawn": forking a process that runs threads can copy a held lock.
    return ProcessPoolExecutor(processes, mp_context=multiprocessing.get_context("spawn"),
                               initializer=_worker_init, initargs=(os.getpid(),))
