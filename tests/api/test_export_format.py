"""The account export's documented format: a full export validates against the published JSON Schema."""

import json

import jsonschema

from server.domain.export_format import SCHEMA
from tests.api.test_account import fill_every_table, rows_of


def test_a_full_export_validates_against_the_schema_published_in_the_openapi_document(client, db, make_user):
    user, headers = make_user(unit="oz")
    fill_every_table(client, headers)
    assert all(rows_of(db, user["id"]).values()), "every kind of row must be present"
    document = json.loads(client.get("/api/account/export", headers=headers).get_data(as_text=True))
    jsonschema.Draft202012Validator(SCHEMA, format_checker=jsonschema.FormatChecker()).validate(document)
    published = client.get("/api/openapi.json").json["paths"]["/api/account/export"]["get"]["responses"]["200"]
    published = published["content"]["application/json"]["schema"]
    jsonschema.Draft202012Validator(published, format_checker=jsonschema.FormatChecker()).validate(document)
    assert published["properties"]["version"] == {"const": 1}


def test_the_schema_is_a_valid_json_schema_that_refuses_unknown_members():
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    assert not jsonschema.Draft202012Validator(SCHEMA).is_valid({"format": "pumpwell-export", "version": 2})
