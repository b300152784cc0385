"""Baby Buddy's REST API read page by page, from a real HTTP server on loopback answering in its layout."""

import json
import ssl
import threading
import time
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest

from server.config import Config
from server.imports.babybuddy import read_babybuddy_api
from server.imports.http_json import HttpJson
from server.imports.rows import ImportedSession, Unreadable, UnreadableFile

TOKEN = "1e4a0c6bd4c0a7c3f19f8f2b3a5e1d0c9b8a7f6e"
NOW = datetime(2026, 12, 1, tzinfo=UTC)
LOOPBACK = HttpJson(allow_private_hosts=True, timeout_seconds=2)


def entry(number: int) -> dict:
    """Return pumping entry `number` as Baby Buddy's API lists it (api/tests.py PumpingAPITestCase.test_get)."""
    return {
        "id": number,
        "child": 1,
        "amount": 9.0,
        "start": "2017-11-17T15:03:00-05:00",
        "end": "2017-11-17T15:22:00-05:00",
        "duration": "00:19:00",
        "notes": "new device" if number % 2 else None,
        "tags": [],
    }


class BabyBuddy(BaseHTTPRequestHandler):
    """Answer /api/pumping/ as Baby Buddy does: token auth, LimitOffsetPagination, absolute next links."""

    def do_GET(self):  # noqa: N802 (http.server's name)
        """Serve a page of entries, or what the test set."""
        self.server.requests.append(self.path)
        if self.server.answer:  # what the test wants answered instead
            return self.server.answer(self)
        if self.headers.get("Authorization") != f"Token {TOKEN}":
            return self.send(401, {"detail": "Invalid token."})
        url = urlsplit(self.path)
        if url.path != "/api/pumping/":
            return self.send(404, {"detail": "Not found."})
        query = parse_qs(url.query)
        limit, offset = int(query.get("limit", ["100"])[0]), int(query.get("offset", ["0"])[0])
        base = f"http://{self.headers['Host']}/api/pumping/"
        entries = self.server.entries
        more = offset + limit < len(entries)
        self.send(200, {
            "count": len(entries),
            "next": f"{base}?limit={limit}&offset={offset + limit}" if more else None,
            "previous": f"{base}?limit={limit}" if offset else None,
            "results": entries[offset:offset + limit],
        })

    def send(self, status: int, document: object) -> None:
        """Answer with a JSON document."""
        body = json.dumps(document).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        """Keep the test output quiet."""


def stand_in() -> ThreadingHTTPServer:
    """Start a Baby Buddy stand-in on 127.0.0.1 with no entries, recording the paths asked for."""
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), BabyBuddy)
    httpd.entries, httpd.answer, httpd.requests = [], None, []
    threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()
    return httpd


@pytest.fixture
def server():
    """Run a Baby Buddy stand-in for one test."""
    httpd = stand_in()
    yield httpd
    httpd.shutdown()
    httpd.server_close()


def address(httpd) -> str:
    """Return the stand-in's address as a parent would type it."""
    return f"http://127.0.0.1:{httpd.server_address[1]}"


def read(url: str, fetch=LOOPBACK, **kwargs) -> list:
    """Read every entry from the server."""
    return list(read_babybuddy_api(url, TOKEN, fetch, "ml", NOW, **kwargs))


def test_every_page_is_read_with_the_token(server):
    server.entries = [entry(number) for number in range(1203, 0, -1)]

    rows = read(address(server) + "/")

    assert len(rows) == 1203 and [row.line for row in rows] == list(range(1, 1204))
    assert rows[0] == ImportedSession(
        1, "babybuddy:pumping:1203", datetime(2017, 11, 17, 20, 3, tzinfo=UTC),
        datetime(2017, 11, 17, 20, 22, tzinfo=UTC), None, None, 9.0, "new device",
    )
    assert server.requests == [
        "/api/pumping/?limit=500", "/api/pumping/?limit=500&offset=500", "/api/pumping/?limit=500&offset=1000"
    ]


def test_an_entry_that_cannot_be_read_says_why_and_the_rest_go_on(server):
    server.entries = [
        entry(3),
        {**entry(2), "start": "yesterday"},
        {**entry(1), "amount": -4},
        "not an entry",
        {**entry(4), "start": "2017-11-17T15:03:00", "end": "2017-11-17T15:22:00"},
        {key: value for key, value in entry(5).items() if key != "id"},
        {**entry(6), "amount": "9"},
    ]

    rows = read(address(server))

    assert isinstance(rows[0], ImportedSession)
    assert rows[1:] == [
        Unreadable(2, "Its times are not dates and times with a time zone."),
        Unreadable(3, "The amount is negative."),
        Unreadable(4, "This entry is not a pumping entry."),
        Unreadable(5, "Its times are not dates and times with a time zone."),
        Unreadable(6, "This entry has no id."),
        Unreadable(7, "Its amount is not a number."),
    ]


def test_an_entry_from_an_older_server_with_one_time_is_read(server):
    old = {"id": 7, "child": 1, "amount": 50, "time": "2022-04-04T21:15:00+02:00", "notes": ""}
    server.entries = [old]

    [row] = read(address(server))

    assert row.started_at == row.ended_at == datetime(2022, 4, 4, 19, 15, tzinfo=UTC)
    assert (row.total_ml, row.notes) == (50.0, None)


def test_a_wrong_token_is_refused_saying_so(server):
    with pytest.raises(UnreadableFile, match=r"did not accept the API key \(it answered 401\)"):
        list(read_babybuddy_api(address(server), "wrong", LOOPBACK, "ml", NOW))


def test_an_address_without_baby_buddy_is_refused(server):
    server.answer = lambda handler: handler.send(200, ["not", "a", "page"])

    with pytest.raises(UnreadableFile, match="not Baby Buddy's list of pumping entries"):
        read(address(server))


def test_an_answer_that_is_not_json_is_refused(server):
    def html(handler):
        handler.send_response(200)
        handler.end_headers()
        handler.wfile.write(b"<html>Welcome</html>")

    server.answer = html

    with pytest.raises(UnreadableFile, match="not JSON"):
        read(address(server))


def test_a_redirect_is_not_followed(server):
    def elsewhere(handler):
        handler.send_response(302)
        handler.send_header("Location", "http://10.0.0.1/api/pumping/")
        handler.end_headers()

    server.answer = elsewhere

    with pytest.raises(UnreadableFile, match=r"sends us elsewhere \(302\)"):
        read(address(server))


def test_a_next_page_on_another_site_is_not_fetched(server):
    other = stand_in()
    try:
        page = {"count": 2, "next": f"{address(other)}/api/pumping/?offset=1", "results": [entry(1)]}
        server.answer = lambda handler: handler.send(200, page)

        with pytest.raises(UnreadableFile, match="another site"):
            read(address(server))

        assert other.requests == []  # the token never left for it
    finally:
        other.shutdown()
        other.server_close()


def test_a_page_that_names_itself_as_next_stops_the_reading(server):
    server.answer = lambda handler: handler.send(
        200, {"count": 9, "next": f"http://{handler.headers['Host']}{handler.path}", "results": [entry(1)]}
    )

    with pytest.raises(UnreadableFile, match="same page twice"):
        read(address(server))


def test_more_pages_than_the_cap_are_refused(server):
    server.entries = [entry(number) for number in range(1, 1502)]

    with pytest.raises(UnreadableFile, match="more than 3 pages"):
        read(address(server), max_pages=3)


def test_an_answer_over_the_size_cap_is_refused(server):
    server.entries = [{**entry(number), "notes": "x" * 1000} for number in range(1, 500)]

    with pytest.raises(UnreadableFile, match="larger than 0 MB"):
        read(address(server), fetch=HttpJson(allow_private_hosts=True, max_bytes=100_000))


def test_an_answer_without_a_length_is_cut_at_the_cap(server):
    def endless(handler):
        handler.send_response(200)
        handler.end_headers()
        handler.wfile.write(b"[" + b"1," * 200_000)

    server.answer = endless

    with pytest.raises(UnreadableFile, match="larger than"):
        read(address(server), fetch=HttpJson(allow_private_hosts=True, max_bytes=100_000))


def test_a_server_that_does_not_answer_in_time_is_given_up(server):
    server.answer = lambda handler: time.sleep(1.5)
    started = time.monotonic()

    with pytest.raises(UnreadableFile, match="took too long"):
        read(address(server), fetch=HttpJson(allow_private_hosts=True, timeout_seconds=0.3))

    assert time.monotonic() - started < 1.5


def test_a_server_dripping_its_answer_is_given_up_at_the_deadline(server):
    def drip(handler):
        handler.send_response(200)
        handler.end_headers()
        for _ in range(40):
            handler.wfile.write(b" ")
            handler.wfile.flush()
            time.sleep(0.05)

    server.answer = drip

    with pytest.raises(UnreadableFile, match="took too long"):
        read(address(server), fetch=HttpJson(allow_private_hosts=True, timeout_seconds=0.5))


@pytest.mark.parametrize("url", ["http://127.0.0.1:9/", "http://localhost:9/", "http://[::1]:9/", "http://10.1.2.3/",
                                 "http://169.254.169.254/", "http://192.168.1.20/", "http://[::ffff:127.0.0.1]:9/"])
def test_private_and_loopback_addresses_are_refused_unless_allowed(url):
    with pytest.raises(UnreadableFile, match="private or local address, which we do not visit"):
        read(url, fetch=HttpJson())


def test_the_setting_is_off_unless_an_operator_turns_it_on():
    assert Config.IMPORT_ALLOW_PRIVATE_HOSTS is False


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("ftp://babybuddy.example/", "must start with https://"),
        ("file:///etc/passwd", "must start with https://"),
        ("babybuddy.example", "must start with https://"),
        ("https://me:secret@babybuddy.example/", "Leave the user name and password out"),
    ],
)
def test_an_address_that_is_not_a_web_server_is_refused(url, says):
    with pytest.raises(UnreadableFile, match=says):
        read(url, fetch=lambda url, headers: pytest.fail("nothing is fetched"))


def test_the_fetcher_itself_refuses_other_schemes():
    with pytest.raises(UnreadableFile, match="Only http:// and https://"):
        HttpJson(allow_private_hosts=True)("file:///etc/passwd", {})


def test_a_token_that_could_forge_headers_is_refused():
    with pytest.raises(UnreadableFile, match="not an API key"):
        list(read_babybuddy_api("https://bb.example", "abc\r\nX-Evil: 1", LOOPBACK, "ml", NOW))


def test_a_server_under_a_path_is_read_there():
    seen = []

    def fetch(url, headers):
        seen.append((url, headers["Authorization"]))
        return {"count": 0, "next": None, "previous": None, "results": []}

    assert read("https://home.example/babybuddy/", fetch=fetch) == []
    assert seen == [("https://home.example/babybuddy/api/pumping/?limit=500", f"Token {TOKEN}")]


def test_dates_at_the_ends_of_the_calendar_are_unreadable_not_an_overflow():
    page = {"count": 1, "next": None, "results": [{**entry(1), "start": "0001-01-01T00:00:00+05:00"}]}

    assert read("https://bb.example", fetch=lambda url, headers: page) == [
        Unreadable(1, "Its times are not dates and times with a time zone.")
    ]


def certificate_for_localhost(folder) -> tuple[str, str, str]:
    """Write a certificate authority and a certificate it signed for localhost; return their files and the key's."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    def issue(subject, issuer, key, signer, extensions):
        builder = (
            x509.CertificateBuilder().subject_name(subject).issuer_name(issuer).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(datetime(2020, 1, 1))
            .not_valid_after(datetime(2100, 1, 1))
        )
        for extension, critical in extensions:
            builder = builder.add_extension(extension, critical=critical)
        return builder.sign(signer, hashes.SHA256())

    ca_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Test authority")])
    ca = issue(ca_name, ca_name, ca_key, ca_key, [(x509.BasicConstraints(ca=True, path_length=None), True)])
    leaf = issue(
        x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")]), ca_name, key, ca_key,
        [(x509.SubjectAlternativeName([x509.DNSName("localhost")]), False)],
    )
    files = [folder / "ca.pem", folder / "leaf.pem", folder / "leaf.key"]
    files[0].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    files[1].write_bytes(leaf.public_bytes(serialization.Encoding.PEM))
    files[2].write_bytes(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ))
    return tuple(str(file) for file in files)


def test_https_connects_to_the_checked_address_and_still_checks_the_servers_name(tmp_path):
    ca, leaf, key = certificate_for_localhost(tmp_path)
    httpd = stand_in()
    serving = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    serving.load_cert_chain(leaf, key)
    httpd.socket = serving.wrap_socket(httpd.socket, server_side=True)
    httpd.entries = [entry(1)]
    port = httpd.server_address[1]
    fetch = HttpJson(allow_private_hosts=True, timeout_seconds=5, trusted=ssl.create_default_context(cafile=ca))
    try:
        [row] = read(f"https://localhost:{port}", fetch=fetch)
        assert row.key == "babybuddy:pumping:1"

        # The same server by its address: its certificate names localhost, not 127.0.0.1, so it is refused.
        with pytest.raises(UnreadableFile, match="could not be reached"):
            read(f"https://127.0.0.1:{port}", fetch=fetch)
    finally:
        httpd.shutdown()
        httpd.server_close()
