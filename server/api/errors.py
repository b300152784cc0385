"""One JSON error shape for every failure: {"error": {"code", "message", "fields"}}."""

import logging
import re

from apiflask import APIFlask, HTTPError
from flask import current_app, request
from sqlalchemy import select
from sqlalchemy.exc import DBAPIError, IntegrityError, InterfaceError, NoResultFound, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm.exc import ObjectDeletedError, StaleDataError
from werkzeug.exceptions import UnsupportedMediaType
from werkzeug.http import HTTP_STATUS_CODES

from server.api.auth import HOUSEHOLD_HEADER, acts_for_of, auth
from server.api.input_checks import expects_file
from server.api.reasons import in_reader_language
from server.db import get_db
from server.domain.errors import (
    BadCredentials,
    Conflict,
    DomainError,
    InvalidInput,
    NotAllowed,
    NotFound,
    PasswordRequired,
    WrongPassword,
)
from server.domain.languages import N_
from server.logs import describe
from server.models import ApiToken

log = logging.getLogger(__name__)

CODES = {
    400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
    405: "method_not_allowed", 409: "conflict", 413: "too_large", 414: "uri_too_long", 415: "unsupported_media_type",
    422: "validation_error", 429: "rate_limited", 431: "headers_too_large", 500: "internal_error", 503: "unavailable",
}

# The HTTP status of each domain error, by its nearest listed class.
STATUS_OF: dict[type[DomainError], int] = {
    InvalidInput: 422, NotFound: 404, Conflict: 409, BadCredentials: 401, PasswordRequired: 403, DomainError: 400,
    # 403, not 401: a wrong current password must not look like a dead token, which signs the phone out.
    WrongPassword: 403,
    # A caregiver, partner or consultant asking for what her role does not include.
    NotAllowed: 403,
}

# Seconds a client should wait before retrying while the database cannot be reached.
RETRY_AFTER_SECONDS = 5


# The one error shape, as the OpenAPI document describes every error response.
ERROR_SCHEMA = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message", "fields"],
            "properties": {
                "code": {"type": "string", "example": "validation_error"},
                "message": {"type": "string"},
                "fields": {
                    "type": "object",
                    "description": "Messages per field; a nested field's messages sit in an object under its parent.",
                    "additionalProperties": {"type": ["array", "object"]},
                },
            },
        }
    },
}

# Answers any operation that takes a body (POST, PUT, PATCH) can give before its own schema runs.
BODY_ERRORS = {
    "400": "The body is not valid JSON (malformed, not UTF-8, or nested too deep).",
    "413": "The body is too large.",
    "415": "The body is not application/json.",
}
# Answers every operation can give.
EVERY_OPERATION_ERRORS = {
    "414": "The request line (method and URL) is over gunicorn's limit_request_line (4094 bytes unless set).",
    "422": "A field is not valid; a text (query argument or body) containing NUL or a lone surrogate is refused.",
    "431": "Too many headers, or one too long: over gunicorn's limit_request_fields (100) or limit_request_field_size "
           "(8190 bytes) unless set.",
    "503": "The database cannot be reached; retry after the Retry-After header's seconds.",
}

# Far outside any pumping history, time zone arithmetic overflows: dates run 1970 to 2100, and a
# time must carry its offset. JSON Schema has no minimum for strings, but a validator checks a pattern.
_YEAR_MONTH_DAY = r"(19[7-9][0-9]|20[0-9][0-9]|2100)-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])"
DATE_PATTERNS = {
    "date": f"^{_YEAR_MONTH_DAY}$",
    "date-time": (
        f"^{_YEAR_MONTH_DAY}T([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\\.[0-9]+)?)?"
        "(Z|[+-]([01][0-9]|2[0-3]):[0-5][0-9])$"
    ),
}


# The body of an operation that reads a file (server/api/input_checks.takes_file).
FILE_BODY = {
    "required": True,
    "description": "The file itself as the raw body (any content type), at most IMPORT_MAX_BYTES.",
    "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
}


def _household_parameter(permission: str) -> dict:
    """The optional header by which a caregiver, partner or consultant acts for a parent, as the operation needs it."""
    return {
        "name": HOUSEHOLD_HEADER, "in": "header", "required": False,
        "schema": {"type": "string", "pattern": "^[0-9]{1,18}$"},
        "description": f"Act for the parent with this account id, who granted a role with the {permission} "
                       "permission (docs/household.md). Without it, the request acts on the principal's own data.",
    }


def _error_response(description: str) -> dict:
    """A documented answer in the one error shape."""
    schema = {"$ref": "#/components/schemas/HTTPError"}
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _bound_dates(schema: dict) -> None:
    """Turn apispec's x-minimum/x-maximum on date strings into a pattern a validator enforces."""
    for prop in schema.get("properties", {}).values():
        if "x-minimum" in prop or "x-maximum" in prop:
            prop.pop("x-minimum", None)
            prop.pop("x-maximum", None)
            prop["pattern"] = DATE_PATTERNS[prop["format"]]


def _resolve(spec: dict, schema: dict) -> dict:
    """Follow a $ref to its component."""
    while "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def _documented_path(rule) -> str:
    """Return a URL rule's path as the OpenAPI document writes it."""
    return re.sub(r"<([^<:]+:)?", "{", rule.rule).replace(">", "}")


def _uuid_path_parameters() -> set[tuple[str, str]]:
    """Return (documented path, parameter name) for every URL part parsed by Flask's uuid converter."""
    found = set()
    for rule in current_app.url_map.iter_rules():
        # APIFlask documents every converter it does not know (uuid among them) as a bare string.
        found.update((_documented_path(rule), name) for name in re.findall(r"<uuid:(\w+)>", rule.rule))
    return found


def _file_operations() -> set[tuple[str, str]]:
    """Return (documented path, method) of every operation whose body is a file."""
    return {(_documented_path(rule), method.lower()) for rule in current_app.url_map.iter_rules()
            if getattr(current_app.view_functions[rule.endpoint], "takes_file", False)
            for method in rule.methods if method in {"POST", "PUT"}}


def _household_operations() -> dict[tuple[str, str], str]:
    """Return (documented path, method) → permission of every operation that can act for a parent."""
    return {(_documented_path(rule), method.lower()): permission for rule in current_app.url_map.iter_rules()
            if (permission := acts_for_of(rule.endpoint)) for method in rule.methods
            if method not in {"HEAD", "OPTIONS"}}


def document_every_answer(spec: dict) -> dict:
    """Document what the app answers outside each view, bound dates by pattern, and mark required bodies."""
    for schema in spec.get("components", {}).get("schemas", {}).values():
        _bound_dates(schema)
    uuids = _uuid_path_parameters()
    files = _file_operations()
    households = _household_operations()
    for path, item in spec.get("paths", {}).items():
        for method, operation in item.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            for parameter in operation.get("parameters", []):
                _bound_dates({"properties": {"p": parameter.get("schema", {})}})
                if parameter.get("in") == "path" and (path, parameter["name"]) in uuids:
                    parameter["schema"] = {"type": "string", "format": "uuid"}
            errors = dict(EVERY_OPERATION_ERRORS)
            if (path, method) in households:
                operation.setdefault("parameters", []).append(_household_parameter(households[path, method]))
                errors["403"] = "The role the parent granted does not allow this."
                errors.setdefault("404", "No such account: the parent in the header granted no role.")
            if (path, method) in files:
                operation["requestBody"] = FILE_BODY
                errors["413"] = "The file is larger than IMPORT_MAX_BYTES."
            elif method in {"post", "put", "patch"}:
                errors.update(BODY_ERRORS)
            for status, description in errors.items():
                operation["responses"].setdefault(status, _error_response(description))
            body = operation.get("requestBody", {}).get("content", {}).get("application/json")
            if body and _resolve(spec, body["schema"]).get("required"):
                operation["requestBody"]["required"] = True
    return spec


def error_body(status: int, message: str, fields: dict | None = None, code: str | None = None) -> dict:
    """Build the one error shape, written in the reader's language."""
    message, fields = in_reader_language(message, fields or {})
    return {"error": {"code": code or CODES.get(status, "error"), "message": message, "fields": fields}}


def _fields(detail) -> dict:
    """Flatten APIFlask's {"json": {...}, "query": {...}} validation detail into one field map."""
    fields: dict = {}
    if isinstance(detail, dict):
        for location in ("json", "query", "path", "form", "headers"):
            messages = detail.get(location)
            if isinstance(messages, dict):
                fields.update(messages)
            elif messages:
                # A list at the location's top level is about the whole body (e.g. not an object).
                fields["_body"] = messages
    return fields


def require_json_body() -> None:
    """Refuse a request body that is not JSON with 415 before any schema sees it."""
    has_body = request.content_length or request.headers.get("Transfer-Encoding")
    if request.method in {"POST", "PUT", "PATCH"} and has_body and not request.is_json and not expects_file():
        raise UnsupportedMediaType("Send the body as application/json.")


def database_unavailable_response():
    """Return the 503 answer, in the one shape, that asks the client to retry later."""
    body = error_body(503, N_("The service is briefly unavailable; try again shortly."))
    return body, 503, {"Retry-After": str(RETRY_AFTER_SECONDS)}


def init_app(app: APIFlask) -> None:
    """Route every HTTP and domain error through the one shape, and document it."""
    app.config["HTTP_ERROR_SCHEMA"] = ERROR_SCHEMA
    app.config["VALIDATION_ERROR_SCHEMA"] = ERROR_SCHEMA
    app.spec_processor(document_every_answer)

    @app.error_processor
    def http_error(error: HTTPError):
        """Shape APIFlask's and werkzeug's HTTP errors."""
        fields = _fields(error.detail)
        status = error.status_code
        message = error.message or "Error"
        if status == 400 and request.is_json and not fields and message == HTTP_STATUS_CODES[400]:
            # Werkzeug's JSON parser failed before any schema ran (APIFlask keeps only a werkzeug error's name).
            message = N_("The body is not valid JSON.")
        elif status == 422:
            message = N_("Some fields are not valid.") if fields else message
        return error_body(status, message, fields), status, error.headers

    @app.errorhandler(DomainError)
    def domain_error(error: DomainError):
        """Answer a rule the user broke."""
        status = next(STATUS_OF[kind] for kind in type(error).__mro__ if kind in STATUS_OF)
        return error_body(status, error.message, error.fields), status

    @app.errorhandler(IntegrityError)
    @app.errorhandler(StaleDataError)
    @app.errorhandler(ObjectDeletedError)
    @app.errorhandler(NoResultFound)
    def changed_meanwhile(error: Exception):
        """Answer a write that lost a race: 401 when its account or device went meanwhile, else 409."""
        db = get_db()
        db.rollback()
        signed_in = auth.current_user
        if signed_in is not None and db.scalar(select(ApiToken.id).where(ApiToken.id == signed_in.device_id)) is None:
            # The account was deleted, or this device signed out, while the write ran.
            return auth.auth_error_callback(401)
        log.warning("a write lost a race: %s", describe(error))
        return error_body(409, N_("This changed meanwhile; reload and try again.")), 409

    @app.errorhandler(OperationalError)
    @app.errorhandler(InterfaceError)
    @app.errorhandler(PoolTimeout)
    def database_unavailable(error: Exception):
        """Answer 503 while the database cannot be reached; the pool reconnects once it is back."""
        log.warning("database unavailable: %s", describe(error))
        return database_unavailable_response()

    @app.errorhandler(Exception)
    def unexpected(error: Exception):
        """Never leak a traceback: log it and answer the one shape."""
        if isinstance(error, DBAPIError):
            # A database error's text can quote a parent's values: name it, without them or the traceback.
            log.error("database error: %s", describe(error))
            if error.connection_invalidated:
                # The connection died under the statement: the database went away, not our code.
                return database_unavailable_response()
        else:
            log.exception("unhandled error", exc_info=error)
        return error_body(500, N_("Something went wrong on our side.")), 500
