"""Checks every request passes before any schema runs: a JSON body we can parse, and text we can store.

They run for every route, so a new resource is covered without doing anything. PostgreSQL
refuses NUL in text and no driver can encode a lone surrogate; both would otherwise surface as
a 500 (or differ between SQLite and PostgreSQL) long after the schema accepted the value.
"""

import io
import json

from flask import Flask, current_app, request
from werkzeug.exceptions import BadRequest, RequestEntityTooLarge

from server.domain.errors import InvalidInput

NUL_MESSAGE = "Must not contain the NUL character (\\u0000)."
SURROGATE_MESSAGE = "Must be valid Unicode text (a lone surrogate such as \\ud800 is not)."


def takes_file(view):
    """Mark a view whose body is a file it reads as a stream (an import), up to IMPORT_MAX_BYTES: the JSON checks
    leave that body alone, and the OpenAPI document declares it as a file."""
    view.takes_file = True
    return view


def expects_file() -> bool:
    """Return whether this request's view reads its body as a file."""
    return getattr(current_app.view_functions.get(request.endpoint), "takes_file", False)


def text_problem(value: str) -> str | None:
    """Return why a text cannot be stored as given, or None when it can."""
    if "\x00" in value:
        return NUL_MESSAGE
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return SURROGATE_MESSAGE
    return None


def _place(fields: dict, path: list, message: str) -> None:
    """Put a message at a field path, nesting like marshmallow's errors ({"keys": {"auth": [...]}})."""
    node = fields
    for key in path[:-1]:
        node = node.setdefault(key, {})
        if not isinstance(node, dict):
            return
    node.setdefault(path[-1], [message])


def find_text_problems(value, fields: dict) -> dict:
    """Walk a parsed JSON value and add {field path: [message]} for every text that cannot be stored."""
    # An explicit stack, not recursion: the parser accepted this depth, so must we.
    stack: list = [(value, [])]
    while stack:
        item, where = stack.pop()
        if isinstance(item, str):
            problem = text_problem(item)
            if problem:
                _place(fields, where or ["_body"], problem)
        elif isinstance(item, dict):
            for key, child in item.items():
                problem = text_problem(key)
                if problem:
                    # The key itself is bad: name its parent (or the body), never the key.
                    _place(fields, where or ["_body"], problem)
                else:
                    stack.append((child, [*where, key]))
        elif isinstance(item, list):
            stack.extend((child, [*where, index]) for index, child in enumerate(item))
    return fields


def request_body() -> bytes:
    """Return this request's body (read once, then cached), answering 413 when it is over MAX_CONTENT_LENGTH.

    Werkzeug refuses a Content-Length over the limit, but cuts a chunked body at the limit and hands over what fits,
    which would then fail as "not valid JSON": one byte more on the server's stream tells the two apart.
    """
    body = request.get_data(cache=True)
    limit = request.max_content_length
    if request.content_length is None and len(body) == limit and request.environ["wsgi.input"].read(1):
        raise RequestEntityTooLarge()
    return body


def file_body(limit: int) -> io.BufferedReader:
    """Return this request's body as a stream of at most `limit` bytes; a longer one answers 413 (up front when its
    Content-Length says so, else when the reading gets past the limit: Werkzeug's stream of a chunked body that
    the server ends, as gunicorn does, raises it)."""
    request.max_content_length = limit
    return io.BufferedReader(request.stream)


def parsed_json_body():
    """Parse this request's JSON body once for the checks, answering 400 for anything the parser cannot handle."""
    try:
        return json.loads(request_body().decode("utf-8"))
    except (ValueError, UnicodeDecodeError, RecursionError):
        # Malformed, not UTF-8, or nested deeper than the parser's stack: all "not valid JSON".
        raise BadRequest("The body is not valid JSON.") from None


def check_request_text() -> None:
    """Refuse, before any schema, a query argument or JSON body text that could not be stored as given."""
    if request.routing_exception is not None:
        return
    fields: dict = {}
    for name, value in request.args.items(multi=True):
        if text_problem(name):
            _place(fields, ["_query"], text_problem(name))
        elif text_problem(value):
            _place(fields, [name], text_problem(value))
    # A GET body is never read; DELETE /api/account reads one (the password), so DELETE is checked too.
    if request.method in {"POST", "PUT", "PATCH", "DELETE"} and request.is_json and not expects_file() \
            and request_body():
        find_text_problems(parsed_json_body(), fields)
    if fields:
        raise InvalidInput("Some fields are not valid.", fields)


def init_app(app: Flask) -> None:
    """Run the checks before every request."""
    app.before_request(check_request_text)
