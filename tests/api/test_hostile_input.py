"""Input no client should be able to turn into a 500: NUL, lone surrogates, fractions, deep nesting, odd cursors."""

import base64
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from server.api.input_checks import NUL_MESSAGE, SURROGATE_MESSAGE
from tests.conftest import PASSWORD

BAD_TEXTS = {"nul": ("a\x00b", NUL_MESSAGE), "lone surrogate": ("a\ud800b", SURROGATE_MESSAGE)}


def _session(**overrides) -> dict:
    """A valid session body an hour ago."""
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)
    return {"started_at": start.isoformat(), "duration_min": 15, **overrides}


@pytest.mark.parametrize("kind", BAD_TEXTS)
@pytest.mark.parametrize(("method", "path", "body", "field"), [
    ("post", "/api/auth/register", {"email": "n@example.com", "password": "{bad}xxxxxxxx"}, "password"),
    ("post", "/api/auth/register", {"email": "n@example.com", "password": PASSWORD, "device_label": "{bad}"},
     "device_label"),
    ("post", "/api/auth/login", {"email": "n@example.com", "password": "{bad}xxxxxxxx"}, "password"),
    ("post", "/api/sessions", _session(notes="{bad}"), "notes"),
    ("post", "/api/sessions", _session(pump="{bad}"), "pump"),
    ("post", "/api/shares", {"label": "{bad}"}, "label"),
])
def test_nul_and_lone_surrogates_are_refused_naming_the_field(client, auth, kind, method, path, body, field):
    bad, message = BAD_TEXTS[kind]
    body = {key: value.replace("{bad}", bad) if isinstance(value, str) else value for key, value in body.items()}
    response = getattr(client, method)(path, json=body, headers=auth)
    assert response.status_code == 422, response.json
    assert response.json["error"]["fields"] == {field: [message]}


@pytest.mark.parametrize("kind", BAD_TEXTS)
def test_a_nested_field_is_named_by_its_path(client, auth, kind):
    bad, message = BAD_TEXTS[kind]
    body = {"endpoint": "http://127.0.0.1:9/push", "keys": {"p256dh": "x", "auth": bad}, "user_agent": bad}
    response = client.post("/api/push/subscriptions", json=body, headers=auth)
    assert response.status_code == 422
    assert response.json["error"]["fields"] == {"keys": {"auth": [message]}, "user_agent": [message]}



def test_a_nul_in_a_query_argument_is_named(client, auth):
    # A URL cannot carry a lone surrogate: its bytes decode to U+FFFD.
    listed = client.get("/api/sessions", query_string={"cursor": "a\x00"}, headers=auth)
    assert listed.status_code == 422
    assert listed.json["error"]["fields"] == {"cursor": [NUL_MESSAGE]}


def test_a_text_with_any_other_character_is_stored_as_given(client, auth):
    notes = "tab\there, emoji \U0001f37c, RTL \u202e, zero-width \u200b, \ufffd, CR\r\n"
    created = client.post("/api/sessions", json=_session(notes=notes), headers=auth)
    assert created.status_code == 201
    assert client.get(f"/api/sessions/{created.json['id']}", headers=auth).json["notes"] == notes


def test_a_fractional_integer_is_refused_not_truncated(client, auth):
    response = client.post("/api/sessions", json=_session(pain=3.9), headers=auth)
    assert response.status_code == 422
    assert list(response.json["error"]["fields"]) == ["pain"]
    assert client.post("/api/sessions", json=_session(pain=3), headers=auth).json["pain"] == 3


@pytest.mark.parametrize("value", [0, 1, "true", "yes", "", None])
def test_a_boolean_is_only_true_or_false(client, auth, value):
    response = client.post("/api/shares", json={"label": "Dana", "include_stash": value}, headers=auth)
    assert response.status_code == 422
    assert list(response.json["error"]["fields"]) == ["include_stash"]
    assert client.post("/api/shares", json={"label": "Dana", "include_stash": True}, headers=auth).status_code == 201


@pytest.mark.parametrize("body", [b"[" * 5000 + b"]" * 5000, b'{"a":' * 5000 + b"1" + b"}" * 5000, b'"\xff"'])
def test_a_body_the_parser_cannot_handle_answers_400(client, auth, body):
    response = client.post("/api/sessions", data=body, content_type="application/json", headers=auth)
    assert response.status_code == 400
    assert response.json["error"]["code"] == "bad_request"


@pytest.mark.parametrize("started", ["0001-01-01T00:00:00+05:00", "0001-01-01T00:00:00+00:00",
                                     "9999-12-31T23:59:59-05:00", "9999-12-31T23:59:59+00:00"])
def test_a_well_formed_cursor_at_the_ends_of_the_calendar_answers_422(client, auth, started):
    cursor = base64.urlsafe_b64encode(f"{started}|{uuid.uuid4()}".encode()).decode().rstrip("=")
    response = client.get("/api/sessions", query_string={"cursor": cursor}, headers=auth)
    assert response.status_code == 422
    assert list(response.json["error"]["fields"]) == ["cursor"]


def _resolve(spec: dict, schema: dict) -> dict:
    """Follow a $ref into the document's components."""
    while "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def _leaves(spec: dict, schema: dict, path: tuple = ()):
    """Yield (path, type) of every string and integer property of a body schema, nested ones included."""
    schema = _resolve(spec, schema)
    for name, prop in schema.get("properties", {}).items():
        prop = _resolve(spec, prop)
        types = prop.get("type", [])
        types = [types] if isinstance(types, str) else types
        if "object" in types and "properties" in prop:
            yield from _leaves(spec, prop, (*path, name))
        elif "object" in types:
            yield (*path, name, "any"), "string"
        for kind in ("string", "integer"):
            if kind in types:
                yield (*path, name), kind


def _nest(path: tuple, value) -> dict:
    """Build {"a": {"b": value}} from ("a", "b")."""
    for key in reversed(path):
        value = {key: value}
    return value


def _operations(spec: dict):
    """Yield (method, concrete path, operation) of every operation in the document."""
    for template, item in spec["paths"].items():
        for method, operation in item.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            path = template
            for parameter in [*item.get("parameters", []), *operation.get("parameters", [])]:
                if parameter["in"] == "path":
                    # A uuid id (sessions, stash) must look like one, or the URL converter answers 404 first.
                    value = uuid.uuid4() if parameter["schema"].get("format") == "uuid" else 1
                    path = path.replace("{" + parameter["name"] + "}", str(value))
            yield method, path, operation


def test_every_text_and_integer_the_document_accepts_goes_through_the_checks(client, auth):
    """Walks every operation: a new resource's fields are covered without anyone listing them."""
    spec = client.get("/api/openapi.json").json
    checked = 0
    for method, path, operation in _operations(spec):
        body = operation.get("requestBody", {}).get("content", {}).get("application/json")
        cases = []
        if body:
            for leaf, kind in _leaves(spec, body["schema"]):
                cases.append(({"json": _nest(leaf, "x\x00" if kind == "string" else 3.9)}, leaf))
        for parameter in operation.get("parameters", []):
            if parameter["in"] == "query":
                cases.append(({"query_string": {parameter["name"]: "x\x00"}}, (parameter["name"],)))
        for request, field in cases:
            response = client.open(path, method=method.upper(), headers=auth, **request)
            assert response.status_code == 422, (method, path, request, response.json)
            messages = response.json["error"]["fields"]
            for key in field:
                messages = messages[key]
            assert messages, (method, path, request)
            checked += 1
    assert checked > 40
