"""The web app's files: what the server sends, with which headers, and what the service worker precaches."""

import re

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


def test_every_app_file_is_precached_and_every_precached_url_is_served(client):
    """Nothing the shell needs offline is missing from the cache list, and nothing in it is a 404."""
    urls = precached(client)
    files = {
        "/assets/" + p.relative_to(FRONTEND).as_posix()
        for p in FRONTEND.rglob("*") if p.is_file() and p.name not in {"index.html", "sw.js", "manifest.webmanifest"}
    }
    assert files <= set(urls)
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
