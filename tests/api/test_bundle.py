"""The app's modules served as one script, built at build time by following their imports, or one by one without a
bundle made from frontend/ as it is; and the shell's hashed inline script."""

import base64
import gzip
import hashlib
import re

import pytest

from server import bundle
from server.bundle import UNBUNDLED, BundleError, build


@pytest.fixture
def built(tmp_path, monkeypatch):
    """A bundle written as `python -m server.bundle` writes it, in a folder of the test's own."""
    monkeypatch.setattr(bundle, "BUNDLE", tmp_path / "build" / "bundle.js")
    return bundle.write()


def test_the_bundle_is_one_script_with_every_module_in_it(client, built):
    """Nothing is left for the phone to fetch after it: no import statement and no import() remains."""
    response = client.get("/assets/bundle.js")
    assert response.status_code == 200 and response.mimetype == "text/javascript"
    # An import() call, not a name that ends in "import" (the import screen's init_import()).
    assert not re.search(r"(?<![\w$])import\(", response.text) and not re.search(r"^\s*import\b", response.text, re.M)
    # Code from Today, the first screen, and from a screen that loads when first opened.
    assert "today-total" in response.text and "Stash" in response.text


def test_the_bundle_is_gzipped_and_revalidates_with_its_etag(client, built):
    """A phone that has it already gets a 304, and a new one gets it compressed."""
    first = client.get("/assets/bundle.js", headers={"Accept-Encoding": "gzip"})
    assert first.headers["Content-Encoding"] == "gzip" and "no-cache" in first.headers["Cache-Control"]
    assert gzip.decompress(first.data) == client.get("/assets/bundle.js").data
    again = client.get("/assets/bundle.js", headers={"Accept-Encoding": "gzip", "If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304


def test_the_bundle_follows_imports_so_a_new_module_is_in_it(tmp_path):
    """A module reached only by import() of an import is bundled: no list of modules to keep up to date."""
    (tmp_path / "js" / "screens").mkdir(parents=True)
    (tmp_path / "js" / "app.js").write_text("import { hello } from './greet.js';\nhello();\n"
                                            "export const open = () => import('./screens/new.js');\n")
    (tmp_path / "js" / "greet.js").write_text("export function hello() { document.title = 'greeted'; }\n")
    (tmp_path / "js" / "screens" / "new.js").write_text("import { hello } from '../greet.js';\n"
                                                        "export const render = () => hello('a-new-screen');\n")
    source = build(tmp_path)
    assert "a-new-screen" in source and "greeted" in source
    # The module both import is in it once, so both share one instance as with separate files.
    assert source.count("document.title") == 1


def test_a_module_that_does_not_parse_stops_the_build_with_esbuild_s_message(tmp_path):
    """A syntax error fails the build (and so the release step) loudly rather than writing a broken script."""
    (tmp_path / "js").mkdir()
    (tmp_path / "js" / "app.js").write_text("import { missing } from './nowhere.js';\n")
    with pytest.raises(BundleError, match="nowhere.js"):
        build(tmp_path)


def test_without_a_bundle_the_entry_module_is_served_and_imports_the_rest(client, tmp_path, monkeypatch):
    """A web process starts without a bundle and the app still loads, its modules one by one."""
    monkeypatch.setattr(bundle, "BUNDLE", tmp_path / "none" / "bundle.js")
    shim = client.get("/assets/bundle.js")
    assert shim.status_code == 200 and shim.mimetype == "text/javascript" and shim.text == UNBUNDLED
    # The import is relative to /assets/bundle.js: the entry module is served from there.
    entry = client.get("/assets/js/app.js")
    assert entry.status_code == 200 and re.search(r"^import\b", entry.text, re.M)


def test_a_bundle_made_from_an_older_frontend_is_not_served(client, built, monkeypatch):
    """Edit a module after the build and the page gets the modules as they are now, not the stale bundle."""
    assert client.get("/assets/bundle.js").text != UNBUNDLED
    monkeypatch.setattr("server.pwa.shell_version", lambda: "another-version")
    assert client.get("/assets/bundle.js").text == UNBUNDLED


def test_the_shell_csp_allows_its_own_inline_script_by_hash_and_nothing_else_inline(client):
    """script-src is 'self' plus the hash of each inline script of index.html as served, never unsafe-inline."""
    page = client.get("/")
    scripts = re.findall(r"<script>(.*?)</script>", page.text, re.S)
    assert scripts, "index.html starts Today's reads from an inline script"
    hashes = [f"'sha256-{base64.b64encode(hashlib.sha256(s.encode()).digest()).decode()}'" for s in scripts]
    script_src = re.search(r"script-src ([^;]*)", page.headers["Content-Security-Policy"]).group(1)
    assert script_src.split() == ["'self'", *hashes]
    # Other pages keep the CSP without any inline script.
    assert "sha256" not in client.get("/assets/app.css").headers["Content-Security-Policy"]
