"""JSON fetched from a parent's own server: http(s) only, public addresses only, a time-out and a size cap."""

import ipaddress
import json
import socket
import ssl
import time
from collections.abc import Mapping
from urllib.parse import urlsplit

import httpx

from server.imports.rows import UnreadableFile

TIMEOUT_SECONDS = 15.0
MAX_BYTES = 8 * 1024 * 1024  # a page of 500 Baby Buddy entries is about 150 KB


class HttpJson:
    """Get JSON documents over HTTP(S); satisfies babybuddy.FetchJson."""

    def __init__(
        self,
        allow_private_hosts: bool = False,
        timeout_seconds: float = TIMEOUT_SECONDS,
        max_bytes: int = MAX_BYTES,
        trusted: ssl.SSLContext | None = None,
    ):
        self.allow_private_hosts = allow_private_hosts
        self.timeout_seconds = timeout_seconds
        self.max_bytes = max_bytes
        self.trusted = trusted or ssl.create_default_context()  # the certificate authorities the system trusts

    def __call__(self, url: str, headers: Mapping[str, str]) -> object:
        """Return the JSON document at `url`, parsed, or raise UnreadableFile saying why not."""
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise UnreadableFile("Only http:// and https:// addresses can be read.")
        try:
            port = parts.port or (443 if parts.scheme == "https" else 80)
        except ValueError:
            raise UnreadableFile("The server's address has a port that is not a number.") from None
        addresses = self._addresses(parts.hostname, port)
        request_headers = {**headers, "Host": parts.netloc.rpartition("@")[2]}
        extensions = {"sni_hostname": parts.hostname} if parts.scheme == "https" else {}
        deadline = time.monotonic() + self.timeout_seconds
        client = httpx.Client(
            verify=self.trusted, timeout=self.timeout_seconds, follow_redirects=False, trust_env=False
        )
        try:
            for attempt, address in enumerate(addresses, start=1):
                # Connect to an address just checked, not to whatever the name resolves to a moment later (a name
                # can be made to point inside our network between two looks); TLS still checks the name's
                # certificate. The next address is tried only when one cannot be connected to (IPv6 without a route).
                target = httpx.URL(url).copy_with(host=address)
                try:
                    with client.stream("GET", target, headers=request_headers, extensions=extensions) as response:
                        _check_status(response.status_code)
                        body = self._body(response, deadline)
                    break
                except httpx.ConnectError:
                    if attempt == len(addresses):
                        raise
        except httpx.TimeoutException:
            raise UnreadableFile("The server took too long to answer.") from None
        except httpx.HTTPError as error:
            raise UnreadableFile(f"The server could not be reached ({type(error).__name__}).") from None
        finally:
            client.close()
        try:
            return json.loads(body)
        except (ValueError, RecursionError):
            raise UnreadableFile("The server's answer is not JSON: check its address.") from None

    def _addresses(self, host: str, port: int) -> list[str]:
        """Return the addresses the host name resolves to, refusing private ones unless they are allowed."""
        try:
            found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (socket.gaierror, UnicodeError):
            raise UnreadableFile(f"No server is known by the name {host}.") from None
        addresses = [ipaddress.ip_address(info[4][0].split("%")[0]) for info in found]
        if not self.allow_private_hosts:
            for address in addresses:
                # ::ffff:127.0.0.1 is 127.0.0.1 in disguise.
                if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
                    address = address.ipv4_mapped
                if not address.is_global:
                    raise UnreadableFile(f"{host} is a private or local address, which we do not visit.")
        return list(dict.fromkeys(str(address) for address in addresses))

    def _body(self, response: httpx.Response, deadline: float) -> bytes:
        """Read the response body, refusing one over the size cap or still arriving at the deadline."""
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > self.max_bytes:
            raise UnreadableFile(_too_large(self.max_bytes))
        body = bytearray()
        for chunk in response.iter_bytes():
            body += chunk
            if len(body) > self.max_bytes:
                raise UnreadableFile(_too_large(self.max_bytes))
            # httpx's time-out bounds each wait; a server dripping a byte at a time must not hold us for ever.
            if time.monotonic() > deadline:
                raise UnreadableFile("The server took too long to answer.")
        return bytes(body)


def _check_status(status: int) -> None:
    """Refuse an answer other than 200, saying what it most likely means."""
    if status == 200:
        return
    if status in (401, 403):
        raise UnreadableFile(f"The server did not accept the API key (it answered {status}).")
    if status == 404:
        raise UnreadableFile("Nothing was found at that address (404): check the server's address.")
    if 300 <= status < 400:
        raise UnreadableFile(f"The server sends us elsewhere ({status}): give the address it ends at.")
    raise UnreadableFile(f"The server answered with an error ({status}); try again later.")


def _too_large(max_bytes: int) -> str:
    """Say that an answer is over the size cap."""
    return f"The server's answer is larger than {max_bytes // (1024 * 1024)} MB, more than a page of entries."
