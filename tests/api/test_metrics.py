"""/metrics counts requests by route for the networks METRICS_ALLOWED names, and is not there for anyone else."""

import urllib.request

import pytest
from prometheus_client.parser import text_string_to_metric_families

from server import create_app, metrics
from tests.conftest import TEST_CONFIG


def _sample(page: str, name: str, **labels) -> float:
    """Return one sample's value from a metrics page (0 when absent)."""
    for family in text_string_to_metric_families(page):
        for sample in family.samples:
            if sample.name == name and all(sample.labels.get(k) == v for k, v in labels.items()):
                return sample.value
    return 0.0


def test_requests_are_counted_by_route_not_by_path(client, auth):
    before = client.get("/metrics").text
    for _ in range(3):
        assert client.get("/api/sessions/00000000-0000-0000-0000-000000000001", headers=auth).status_code == 404
    page = client.get("/metrics").text
    route = "/api/sessions/<uuid:session_id>"
    counted = _sample(page, "pumpwell_http_requests_total", method="GET", route=route, status="404")
    assert counted - _sample(before, "pumpwell_http_requests_total", method="GET", route=route, status="404") == 3
    assert _sample(page, "pumpwell_http_request_duration_seconds_count", method="GET", route=route) >= 3
    assert "00000000-0000-0000-0000-000000000001" not in page


def test_an_invented_method_is_counted_as_other(client):
    for method in ("BREW", "WHEN"):
        client.open("/api/sessions", method=method)
    page = client.get("/metrics").text
    assert _sample(page, "pumpwell_http_requests_total", method="other", route="unmatched", status="405") >= 2
    assert 'method="BREW"' not in page and 'method="WHEN"' not in page


@pytest.mark.parametrize("address", ["10.0.0.5", "203.0.113.9", "::ffff:1.2.3.4"])
def test_metrics_are_not_found_from_elsewhere(client, address):
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": address}).status_code == 404


def test_a_named_network_may_read_them(tmp_path):
    app = create_app({**TEST_CONFIG, "DATABASE_URL": f"sqlite:///{tmp_path / 'm.db'}",
                      "METRICS_ALLOWED": ("10.0.0.0/8",)})
    probe = app.test_client()
    assert probe.get("/metrics", environ_base={"REMOTE_ADDR": "10.0.0.5"}).status_code == 200
    assert probe.get("/metrics", environ_base={"REMOTE_ADDR": "127.0.0.1"}).status_code == 404


def test_the_clocks_own_page_answers_allowed_clients_only():
    server = metrics.serve(0, ["127.0.0.1"])
    port = server.server_address[1]
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as answer:
            assert answer.status == 200
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/other", timeout=5)
        assert refused.value.code == 404
    finally:
        server.shutdown()
    denied = metrics.serve(0, ["10.0.0.0/8"])
    try:
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(f"http://127.0.0.1:{denied.server_address[1]}/metrics", timeout=5)
        assert refused.value.code == 404
    finally:
        denied.shutdown()
