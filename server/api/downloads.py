"""Downloads as both the API and the share page answer them: the date range asked for, the CSV or PDF response."""

from collections.abc import Callable, Iterator

from apiflask import Schema, fields
from flask import Response

from server.api.fields import LocalDate
from server.api.reasons import OneOf
from server.domain.report import PAPERS


class RangeQuery(Schema):
    """Local dates, both inclusive; by default the last 30 days up to today."""

    from_ = LocalDate(data_key="from")
    to = LocalDate()


class ReportQuery(RangeQuery):
    """Local dates, both inclusive (at most 31 days; by default the last 28), and the paper size."""

    paper = fields.String(load_default="a4", validate=OneOf(PAPERS))


def csv_response(filename: str, chunks: Iterator[str], close: Callable[[], None]) -> Response:
    """Stream CSV chunks as a download and call `close` (the database session's) once it is sent."""
    # The request's teardown runs before the body is streamed; the rows are read afterwards through
    # the same session, so it is closed when the server closes the response, not at teardown.
    response = Response(
        chunks,
        content_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            # Health data: no shared cache may keep a copy.
            "Cache-Control": "private, no-store",
        },
    )
    response.call_on_close(close)
    return response


def pdf_response(filename: str, data: bytes) -> Response:
    """Answer a PDF as a download that no shared cache keeps."""
    return Response(data, content_type="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "private, no-store"})
