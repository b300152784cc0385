"""The sending client: many messages at once over pooled connections, results recorded as they arrive."""

import asyncio
import email.utils
import logging
import queue
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from urllib.parse import urlsplit

import aiohttp
from py_vapid import Vapid

from server.domain.delivery import MAX_PAYLOAD_BYTES, Outcome, cap_retry_after, classify
from server.logs import push_service
from server.push.encryption import encrypt, encrypt_many, worker_pool
from server.push.messages import Message, Result, Subscription
from server.push.validation import DEFAULT_ALLOWED_HOSTS, endpoint_problem, keys_problem

log = logging.getLogger(__name__)

ENCRYPT_CHUNK = 50  # messages per trip to an encryption worker: amortises the pickling, keeps posts flowing
# RFC 8292 allows a JWT `exp` up to 24 h ahead; we sign for 12 h and renew an hour early
# so a cached header never reaches a push service with less than an hour to live.
VAPID_LIFETIME_S = 12 * 3600
VAPID_RENEW_BEFORE_S = 3600
# After a stop request, messages already posted get this long to be answered before they are abandoned;
# short enough that a process manager's usual 10 s before SIGKILL leaves time to record and give back leases.
STOP_GRACE_S = 5.0
# Results are gathered this long before being recorded together: fewer, larger writes, while a slot
# waits at most this long for its result to be on record.
RECORD_LINGER_S = 0.02


def parse_retry_after(value: str | None, now: float) -> float | None:
    """Turn a Retry-After header (seconds or HTTP date) into seconds from now."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        seconds = float(value)
    else:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        if when is None or when.tzinfo is None:
            return None
        seconds = when.timestamp() - now
    return cap_retry_after(seconds)


class VapidHeaders:
    """Sign and cache one VAPID Authorization header per push service origin."""

    def __init__(self, vapid: Vapid, subject: str, clock: Callable[[], float] = time.time):
        """Keep the key and contact; `clock` is wall time because push services check `exp` against it."""
        self._vapid = vapid
        self._subject = subject
        self._clock = clock
        self._cache: dict[str, tuple[str, float]] = {}
        self._lock = threading.Lock()

    def for_endpoint(self, endpoint: str) -> str:
        """Return the Authorization header for the endpoint's origin, signing when stale."""
        origin = origin_of(endpoint)
        now = self._clock()
        with self._lock:
            cached = self._cache.get(origin)
            if cached and cached[1] - VAPID_RENEW_BEFORE_S > now:
                return cached[0]
            exp = int(now) + VAPID_LIFETIME_S
            header = self._vapid.sign({"aud": origin, "exp": exp, "sub": self._subject})
            self._cache[origin] = (header["Authorization"], exp)
            return header["Authorization"]


def origin_of(endpoint: str) -> str:
    """Return the push service an endpoint belongs to: its scheme, host and port."""
    parts = urlsplit(endpoint)
    return f"{parts.scheme}://{parts.netloc}"


class Slots:
    """The client's open requests: at most `total` at once, and at most `per_service` to any one push service, so
    a slow or failing service holds only its own share. Used on the loop thread only."""

    def __init__(self, total: int, per_service: int):
        """Start with every slot free."""
        self.total = asyncio.Semaphore(total)
        self.per_service = per_service
        self._services: dict[str, asyncio.Semaphore] = {}

    async def acquire(self, origin: str) -> None:
        """Wait for a slot of the origin's service, then for one of the total (so a queue for a slow service
        never holds slots the others could use)."""
        service = self._services.setdefault(origin, asyncio.Semaphore(self.per_service))
        await service.acquire()
        try:
            await self.total.acquire()
        except BaseException:
            service.release()
            raise

    def release(self, origin: str) -> None:
        """Free one slot of the origin's service and of the total."""
        self._services[origin].release()
        self.total.release()


class PushClient:
    """Send many messages at once over pooled keep-alive connections on a private event loop; every caller's
    messages share one set of slots, limited in total and per push service."""

    def __init__(
        self,
        vapid: Vapid,
        subject: str,
        allowed_hosts: Iterable[str] = DEFAULT_ALLOWED_HOSTS,
        allow_loopback_http: bool = False,
        timeout: float = 10.0,
        max_in_flight: int = 256,
        max_in_flight_per_service: int | None = None,
        encrypt_processes: int = 0,
        clock: Callable[[], float] = time.time,
    ):
        """Configure the client; the loop and the connection pool start on first send."""
        self.allowed_hosts = tuple(allowed_hosts)
        self.allow_loopback_http = allow_loopback_http
        self.timeout = timeout
        self.max_in_flight = max_in_flight
        self.max_in_flight_per_service = min(max_in_flight_per_service or max_in_flight, max_in_flight)
        self._clock = clock
        self._headers = VapidHeaders(vapid, subject, clock)
        self._checked: dict[Subscription, str | None] = {}
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._session: aiohttp.ClientSession | None = None
        self._slots: Slots | None = None
        self._start_lock = threading.Lock()
        self.encrypt_processes = encrypt_processes
        self._pool: ProcessPoolExecutor | None = None
        self._pool_broken = False

    def send(self, messages: Sequence[Message]) -> list[Result]:
        """Send every message concurrently and return one Result per message, in order."""
        results: list[Result | None] = [None] * len(messages)

        def keep(arrived: list[tuple[int, Result]]) -> None:
            """Put each result in its message's place."""
            for index, result in arrived:
                results[index] = result

        self.deliver(messages, keep)
        return results

    def deliver(self, messages: Sequence[Message], record: Callable[[list[tuple[int, Result]]], None],
                stop: threading.Event | None = None, grace: float = STOP_GRACE_S) -> int:
        """Send messages concurrently, handing (index, Result) pairs to `record` on this thread as they arrive,
        and an empty list every 50 ms while none does (a caller's lease must outlive a slow answer).

        A message holds a slot (see Slots) from its request until `record` has returned, so no more than
        max_in_flight are ever sent but unrecorded, across every caller at once. Several threads may deliver
        at the same time. Once `stop` is set nothing more is posted and requests already open get `grace`
        seconds. Return how many messages got no result.
        """
        if not messages:
            return 0
        loop = self._ensure_loop()
        arrivals: queue.SimpleQueue = queue.SimpleQueue()
        held: Counter = Counter()  # origins of the slots this call holds, touched on the loop thread only
        stopping, finished = asyncio.Event(), threading.Event()
        future = asyncio.run_coroutine_threadsafe(
            self._send_all(messages, arrivals, held, stopping, finished), loop)
        received, deadline = 0, None
        try:
            while True:
                if stop is not None and stop.is_set() and deadline is None:
                    loop.call_soon_threadsafe(stopping.set)
                    deadline = time.monotonic() + grace
                if deadline is not None and time.monotonic() > deadline:
                    future.cancel()
                # A task cancelled before it ever ran never reports itself finished.
                done = finished.is_set() or (deadline is not None and time.monotonic() > deadline + grace)
                enough = min(len(messages) - received, max(self.max_in_flight // 2, 1))
                arrived = _drain(arrivals, 0 if done else 0.05, enough)
                if not arrived:
                    if done:
                        break
                    record([])
                    continue
                try:
                    record(arrived)
                finally:
                    # Only now may further messages go out: what was sent is on record.
                    origins = [origin_of(result.message.subscription.endpoint)
                               for _, result in arrived if result.outcome is not Outcome.REFUSED]
                    loop.call_soon_threadsafe(self._free, held, origins)
                received += len(arrived)
        finally:
            if not finished.is_set():  # record failed: post nothing more
                loop.call_soon_threadsafe(stopping.set)
                future.cancel()
                finished.wait(grace)
            # Answers never recorded (record failed, or a stop's grace ran out) must not keep their slots from
            # the client's other callers.
            loop.call_soon_threadsafe(self._free_all, held)
        if not future.cancelled():
            future.result()
        return len(messages) - received

    def close(self) -> None:
        """Stop the encryption workers, close the connection pool and stop the loop thread."""
        if self._loop is None:
            return
        if self._pool is not None:
            # Before the loop thread ends: the workers' death signal is tied to that thread.
            self._pool.shutdown(wait=True, cancel_futures=True)
        asyncio.run_coroutine_threadsafe(self._session.close(), self._loop).result()
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join()
        self._loop.close()
        self._loop = self._thread = self._session = self._pool = self._slots = None

    def _ensure_loop(self) -> asyncio.AbstractEventLoop:
        """Start the event loop thread and its aiohttp session once, and the encryption workers."""
        with self._start_lock:
            if self._loop is None:
                loop = asyncio.new_event_loop()
                thread = threading.Thread(target=loop.run_forever, name="push", daemon=True)
                thread.start()
                self._session = asyncio.run_coroutine_threadsafe(self._open_session(), loop).result()
                self._slots = Slots(self.max_in_flight, self.max_in_flight_per_service)
                self._loop, self._thread = loop, thread
            if self.encrypt_processes and (self._pool is None or self._pool_broken):
                if self._pool is not None:
                    self._pool.shutdown(wait=False)
                # Workers start on first use, from the loop thread, and die with it (see encryption.py).
                self._pool = worker_pool(self.encrypt_processes)
                self._pool_broken = False
            return self._loop

    async def _open_session(self) -> aiohttp.ClientSession:
        """Open a session whose pool lets max_in_flight requests share keep-alive connections."""
        connector = aiohttp.TCPConnector(
            limit=self.max_in_flight, limit_per_host=self.max_in_flight,
            ttl_dns_cache=300, keepalive_timeout=60,
        )
        return aiohttp.ClientSession(
            connector=connector, timeout=aiohttp.ClientTimeout(total=self.timeout),
            auto_decompress=False,
        )

    def _free(self, held: Counter, origins: list[str]) -> None:
        """Give back slots a call holds (on the loop thread); a slot already given back is not freed twice."""
        for origin in origins:
            if held[origin] > 0:
                held[origin] -= 1
                self._slots.release(origin)

    def _free_all(self, held: Counter) -> None:
        """Give back every slot a call still holds (on the loop thread, where `held` changes)."""
        self._free(held, list(held.elements()))

    async def _send_all(self, messages: Sequence[Message], arrivals: queue.SimpleQueue, held: Counter,
                        stopping: asyncio.Event, finished: threading.Event) -> None:
        """Post every message, each once a slot is free, and queue (index, Result) as answers come."""
        try:
            await self._post_all(messages, arrivals, held, stopping)
        finally:
            finished.set()

    async def _post_all(self, messages: Sequence[Message], arrivals: queue.SimpleQueue, held: Counter,
                        stopping: asyncio.Event) -> None:
        """Encrypt in chunks and post; stop posting once `stopping` is set."""
        sendable = []
        for index, message in enumerate(messages):
            problem = self._refusal(message)
            if problem:
                log.warning("push refused for %s: %s", push_service(message.subscription.endpoint), problem)
                arrivals.put((index, Result(message, Outcome.REFUSED, error=problem)))
            else:
                sendable.append(index)

        async def post(index: int, body: bytes) -> None:
            """Post one encrypted message once a slot is free; the recorder frees the slot."""
            origin = origin_of(messages[index].subscription.endpoint)
            await self._slots.acquire(origin)
            held[origin] += 1
            if stopping.is_set():
                self._free(held, [origin])
                return
            try:
                result = await self._post(messages[index], body)
            except BaseException:
                self._free(held, [origin])
                raise
            arrivals.put((index, result))

        async def encrypt_then_post(chunk: list[int]) -> None:
            """Encrypt a chunk (in a worker process when there is one), then post its messages."""
            if stopping.is_set():
                return
            items = [(messages[i].subscription, messages[i].payload) for i in chunk]
            if self._pool is None:
                bodies = [encrypt(sub, payload) for sub, payload in items]
            else:
                try:
                    bodies = await asyncio.get_running_loop().run_in_executor(self._pool, encrypt_many, items)
                except BrokenProcessPool:
                    # A worker died (killed, out of memory): encrypt here; the next send starts fresh workers.
                    log.warning("encryption worker died; encrypting in-process")
                    self._pool_broken = True
                    bodies = [encrypt(sub, payload) for sub, payload in items]
            await asyncio.gather(*(post(i, body) for i, body in zip(chunk, bodies, strict=True)))

        step = ENCRYPT_CHUNK if self._pool is not None else 1
        await asyncio.gather(*(encrypt_then_post(sendable[n:n + step]) for n in range(0, len(sendable), step)))

    def _refusal(self, message: Message) -> str | None:
        """Return why a message may not be sent (endpoint, keys or size), or None."""
        if len(message.payload) > MAX_PAYLOAD_BYTES:
            return f"payload is {len(message.payload)} bytes; the limit is {MAX_PAYLOAD_BYTES}"
        sub = message.subscription
        # The verdict is remembered: the settings cannot change while the client lives.
        if sub not in self._checked:
            if len(self._checked) > 100_000:
                self._checked.clear()
            problem = endpoint_problem(sub.endpoint, self.allowed_hosts, self.allow_loopback_http)
            self._checked[sub] = problem or keys_problem(sub.p256dh, sub.auth)
        return self._checked[sub]

    async def _post(self, message: Message, body: bytes) -> Result:
        """Post one encrypted message and classify the answer."""
        sub = message.subscription
        headers = {
            "TTL": str(max(int(message.ttl), 0)),
            "Content-Encoding": "aes128gcm",
            "Content-Type": "application/octet-stream",
            "Urgency": message.urgency,
            "Authorization": self._headers.for_endpoint(sub.endpoint),
        }
        if message.topic:
            headers["Topic"] = message.topic
        try:
            # Redirects are never followed: a push service that redirects is misconfigured or hostile.
            async with self._session.post(
                sub.endpoint, data=body, headers=headers, allow_redirects=False
            ) as response:
                await response.read()
                status = response.status
                retry_after = parse_retry_after(response.headers.get("Retry-After"), self._clock())
        except (TimeoutError, aiohttp.ClientError, OSError) as exc:
            return Result(message, Outcome.RETRY, error=f"{type(exc).__name__}: {exc}"[:200])
        outcome = classify(status)
        if outcome is Outcome.CONFIG_ERROR:
            log.error("push service %s answered %s: check VAPID keys and payload", push_service(sub.endpoint), status)
        return Result(message, outcome, status=status,
                      retry_after=retry_after if outcome is Outcome.RETRY else None,
                      error=None if outcome is Outcome.DELIVERED else f"HTTP {status}")


def _drain(arrivals: queue.SimpleQueue, timeout: float, enough: int) -> list:
    """Take what is queued, waiting up to `timeout` for the first item, then up to RECORD_LINGER_S
    for more until `enough` are in hand."""
    try:
        items = [arrivals.get(timeout=timeout) if timeout else arrivals.get_nowait()]
    except queue.Empty:
        return []
    until = time.monotonic() + RECORD_LINGER_S
    while True:
        try:
            items.append(arrivals.get_nowait())
            continue
        except queue.Empty:
            pass
        wait = until - time.monotonic()
        if len(items) >= enough or wait <= 0:
            return items
        try:
            items.append(arrivals.get(timeout=wait))
        except queue.Empty:
            return items
