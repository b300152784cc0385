"""The web app's files: what the server sends, with which headers, and what the service worker precaches."""

import gzip
import re
import struct

from server.pwa import FRONTEND


def precached(client) -> list[str]:
    """The URLs in the served service worker's SHELL list."""
    source = client.get("/sw.js").text
    block = re.search(r"const SHELL = \[(.*?)\];", source, re.S).group(1)
    return re.findall(r"'([^']+)'", block)


def test_service_worker_is_served_for_scope_root_uncached_with_its_version(client):
    """/sw.js may control /, is revalidated on every update check, and carries the shell's content hash."""
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response.mimetype == "text/javascript"
    assert response.headers["Service-Worker-Allowed"] == "/"
    assert "no-cache" in response.headers["Cache-Control"]
    assert "__VERSION__" not in response.text
    assert re.search(r"const VERSION = '[0-9a-f]{16}';", response.text)


def test_the_shell_and_all_it_loads_is_precached_and_every_precached_url_is_served(client):
    """Offline, the page finds its style sheet, its one script (every module bundled) and its icons in the cache."""
    urls = precached(client)
    files = {
        "/assets/" + p.relative_to(FRONTEND).as_posix()
        for p in FRONTEND.rglob("*") if p.is_file() and p.suffix != ".js"
        and p.name not in {"index.html", "manifest.webmanifest"}
        # The install sheet's pictures are for the browser's install prompt, not needed offline.
        and p.parent.name != "screenshots"
        # The catalogs' sources (and babel.cfg): the app is served each one as JSON.
        and p.suffix not in {".po", ".pot", ".cfg"}
    }
    loaded = set(re.findall(r'(?:src|href)="(/[^"]*)"', (FRONTEND / "index.html").read_text()))
    assert "/assets/bundle.js" in loaded
    catalogs = {f"/assets/locales/{p.stem}.json" for p in (FRONTEND / "locales").glob("*.po")}
    assert files | loaded | catalogs | {"/"} <= set(urls)
    # The modules come inside the bundle: precaching them as well would cost a slow line their bytes twice.
    assert not [url for url in urls if url.startswith("/assets/js/")]
    for url in urls:
        assert client.get(url).status_code == 200, url


def test_manifest_has_its_media_type(client):
    """Browsers want application/manifest+json."""
    assert client.get("/manifest.webmanifest").mimetype == "application/manifest+json"


def test_pages_forbid_inline_script_framing_and_referrers(client):
    """The shell's headers: a CSP without unsafe-inline, no framing, no sniffing, no Referer carrying share tokens."""
    headers = client.get("/").headers
    csp = headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "no-referrer"
    assert headers["X-Frame-Options"] == "DENY"


def test_assets_serve_only_scripts_styles_and_icons(client):
    """Other files under frontend/ and paths outside it are not served as assets."""
    assert client.get("/assets/index.html").status_code == 404
    assert client.get("/assets/../server/app.py").status_code == 404
    assert client.get("/assets/js/missing.js").status_code == 404


def test_text_answers_are_gzipped_for_clients_that_accept_it(client, auth):
    """Scripts, the shell, the service worker and JSON shrink on the wire; the bytes unpacked are the file's."""
    plain = client.get("/assets/js/app.js")
    for url, headers in [("/assets/js/app.js", {}), ("/", {}), ("/sw.js", {}), ("/api/plans/templates", auth)]:
        response = client.get(url, headers={**headers, "Accept-Encoding": "gzip, deflate, br"})
        assert response.headers["Content-Encoding"] == "gzip", url
        assert "Accept-Encoding" in response.headers["Vary"]
        assert len(response.data) < len(gzip.decompress(response.data))
    gzipped = client.get("/assets/js/app.js", headers={"Accept-Encoding": "gzip"})
    assert gzip.decompress(gzipped.data) == plain.data and "Content-Encoding" not in plain.headers


def test_a_gzipped_file_still_revalidates_with_its_etag(client):
    """The service worker's revalidation of a compressed script answers 304, not the whole file again."""
    first = client.get("/assets/app.css", headers={"Accept-Encoding": "gzip"})
    etag = first.headers["ETag"]
    assert etag.startswith("W/")
    again = client.get("/assets/app.css", headers={"Accept-Encoding": "gzip", "If-None-Match": etag})
    assert again.status_code == 304


def test_csv_downloads_and_images_are_not_recompressed(client, auth):
    """A streamed CSV keeps streaming and a PNG is sent as it is."""
    csv = client.get("/api/export/sessions.csv", headers={**auth, "Accept-Encoding": "gzip"})
    png = client.get("/assets/icons/icon-192.png", headers={"Accept-Encoding": "gzip"})
    assert csv.status_code == png.status_code == 200
    assert "Content-Encoding" not in csv.headers and "Content-Encoding" not in png.headers


def test_manifest_offers_a_narrow_and_a_wide_screenshot_of_their_declared_size(client):
    """Android's richer install sheet needs screenshots; each is served and is the size it claims."""
    shots = client.get("/manifest.webmanifest").get_json(force=True)["screenshots"]
    assert {shot["form_factor"] for shot in shots} == {"narrow", "wide"}
    for shot in shots:
        response = client.get(shot["src"])
        assert response.status_code == 200 and response.mimetype == "image/png"
        width, height = struct.unpack(">II", response.data[16:24])
        assert f"{width}x{height}" == shot["sizes"] and shot["label"]
