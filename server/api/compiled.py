"""Output schemas whose dump is compiled once from their own fields: one definition, a fraction of the cost.

marshmallow's dump walks every field through get_value, serialize and _serialize for every object (about 3 ms
for 50 sessions). CompiledSchema generates, the first time it dumps, one plain function per schema from the
same declared fields that the OpenAPI document is made from, so the shape is still written once. Field types
it knows (UUID, String, Integer, Float, DateTime and Date in ISO format, Method, Nested, List of Nested) become
a line of Python each; any other field, a dump_default or a pre/post-dump hook keeps marshmallow's own path, so
the JSON written is always what marshmallow's output gives (tests/api/test_compiled_schema.py compares them).

UUIDs, UTC datetimes and dates are left as they are for the JSON encoder (server/json_provider.py), which writes
them in C as marshmallow's str() and isoformat() would: an aware datetime's isoformat() alone took 1.1 us, four of
them a row, a fifth of a page's dump.
"""

import keyword
import uuid
from datetime import UTC, date, datetime

from apiflask import Schema
from marshmallow import fields, missing
from marshmallow.utils import ensure_text_type, get_value

# Exact types only: a subclass may serialize differently and keeps marshmallow's path.
_CONVERT = {fields.Integer: "int", fields.Float: "float"}


class CompiledSchema(Schema):
    """A Schema whose dump runs a function generated from its fields (same output as marshmallow's)."""

    def dump(self, obj, *, many=None):
        """Serialize like marshmallow's dump, through the compiled function when the schema allows one."""
        many = self.many if many is None else bool(many)
        compiled = self.__dict__.get("_compiled_dump", False)
        if compiled is False:
            compiled = self._compiled_dump = _compile(self)
        if compiled is None:
            return super().dump(obj, many=many)
        if many:
            return None if obj is None else [compiled(each) for each in obj]
        return compiled(obj)


def _compile(schema: Schema):
    """Return a function dumping one object as marshmallow would, or None when a field needs marshmallow."""
    if any(schema._hooks[key] for key in schema._hooks) or schema.dict_class is not dict:
        return None
    names = {"missing": missing, "ensure_text_type": ensure_text_type, "get_value": get_value, "UUID": uuid.UUID,
             "UTC": UTC, "date": date, "datetime": datetime}
    # An object that has every attribute (nearly always) is dumped by one dict display; a dict, or an object
    # missing one, takes the field-by-field path, which leaves out what is missing as marshmallow does.
    whole, values = ["def whole(obj):"], []
    lines = [
        "def dump(obj):", "    plain = not isinstance(obj, dict)", "    if plain:", "        try:",
        "            return whole(obj)", "        except AttributeError:", "            pass", "    out = {}",
    ]
    for index, (name, field) in enumerate(schema.dump_fields.items()):
        key = field.data_key if field.data_key is not None else name
        names[f"f{index}"] = field
        if type(field) is fields.Method:
            if field.serialize_method_name is None:
                continue
            names[f"m{index}"] = getattr(schema, field.serialize_method_name)
            whole.append(f"    a{index} = m{index}(obj)")
            values.append(f"{key!r}: a{index}")
            lines.append(f"    out[{key!r}] = m{index}(obj)")
            continue
        attribute = field.attribute or name
        if field.dump_default is not missing or "." in attribute:
            return None
        convert = _convert(field, index, names)
        plain_name = attribute.isidentifier() and not keyword.iskeyword(attribute)
        whole.append(f"    v = obj.{attribute}" if plain_name else f"    v = getattr(obj, {attribute!r})")
        whole.append(f"    a{index} = {convert}")
        values.append(f"{key!r}: a{index}")
        lines.append(f"    v = getattr(obj, {attribute!r}, missing) if plain else get_value(obj, {attribute!r})")
        lines.append("    if v is not missing:")
        lines.append(f"        out[{key!r}] = {convert}")
    whole.append(f"    return {{{', '.join(values)}}}")
    lines.append("    return out")
    exec("\n".join(whole + lines), names)  # noqa: S102 - the source is built above from the schema's own fields
    return names["dump"]


def _convert(field: fields.Field, index: int, names: dict) -> str:
    """Return the expression serializing `v` for one field."""
    kind = type(field)
    if kind in _CONVERT:
        if getattr(field, "as_string", False):
            return f"f{index}._serialize(v, None, obj)"
        return f"None if v is None else {_CONVERT[kind]}(v)"
    if kind is fields.String:
        return "None if v is None else (v if type(v) is str else ensure_text_type(v))"
    # Left for orjson only where its text is marshmallow's: a UUID as str() writes it, a date, and a datetime in
    # UTC (an offset of seconds, which isoformat() writes, orjson would round away).
    if kind is fields.UUID:
        return "None if v is None else (v if type(v) is UUID else str(v))"
    if kind is fields.DateTime and (field.format or "iso") == "iso":
        return "None if v is None else (v if type(v) is datetime and v.tzinfo is UTC else v.isoformat())"
    if kind is fields.Date and (field.format or "iso") == "iso":
        return "None if v is None else (v if type(v) is date else v.isoformat())"
    if kind is fields.Nested and isinstance(field.schema, CompiledSchema):
        names[f"s{index}"] = field.schema
        return f"None if v is None else s{index}.dump(v, many={bool(field.schema.many or field.many)})"
    if kind is fields.List and type(field.inner) is fields.Nested and isinstance(field.inner.schema, CompiledSchema):
        names[f"s{index}"] = field.inner.schema
        return f"None if v is None else s{index}.dump(v, many=True)"
    # Anything else (custom fields) serializes through the field itself, exactly as marshmallow would.
    return f"f{index}._serialize(v, {field.name!r}, obj)"
