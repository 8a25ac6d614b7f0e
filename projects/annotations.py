"""Annotation shapes: a JSON Schema and its validator.

Coordinates are resolution independent: (0, 0) is the top-left corner of the frame and (1, 1) the
bottom-right, whatever the proxy's size. Stroke widths and text sizes are fractions of the frame
height. Shapes: pen (freehand stroke), line, arrow, rect, ellipse, text.
"""

from __future__ import annotations

from typing import Any

from jsonschema import Draft202012Validator

MAX_SHAPES = 200
MAX_POINTS = 5000

_unit = {"type": "number", "minimum": 0, "maximum": 1}
_point = {"type": "array", "prefixItems": [_unit, _unit], "minItems": 2, "maxItems": 2}
_color = {"type": "string", "pattern": "^#[0-9a-fA-F]{6}([0-9a-fA-F]{2})?$"}
_width = {"type": "number", "exclusiveMinimum": 0, "maximum": 0.2}
_style = {"color": _color, "width": _width}


def _shape(kind: str, props: dict, required: list[str]) -> dict:
    return {
        "type": "object",
        "properties": {"type": {"const": kind}, **props},
        "required": ["type", *required],
        "additionalProperties": False,
    }


SHAPE_SCHEMAS = {
    "pen": _shape("pen", {"points": {"type": "array", "items": _point, "minItems": 1, "maxItems": MAX_POINTS}, **_style}, ["points"]),
    "line": _shape("line", {"from": _point, "to": _point, **_style}, ["from", "to"]),
    "arrow": _shape("arrow", {"from": _point, "to": _point, **_style}, ["from", "to"]),
    "rect": _shape(
        "rect",
        {"x": _unit, "y": _unit, "w": _unit, "h": _unit, "fill": {"oneOf": [_color, {"type": "null"}]}, **_style},
        ["x", "y", "w", "h"],
    ),
    "ellipse": _shape(
        "ellipse",
        {"cx": _unit, "cy": _unit, "rx": _unit, "ry": _unit, "fill": {"oneOf": [_color, {"type": "null"}]}, **_style},
        ["cx", "cy", "rx", "ry"],
    ),
    "text": _shape(
        "text",
        {"x": _unit, "y": _unit, "text": {"type": "string", "minLength": 1, "maxLength": 500}, "size": _width, "color": _color},
        ["x", "y", "text"],
    ),
}

ANNOTATION_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "Annotation shapes",
    "type": "array",
    "minItems": 1,
    "maxItems": MAX_SHAPES,
    "items": {"type": "object", "required": ["type"]},
}

_list_validator = Draft202012Validator(ANNOTATION_SCHEMA)
_shape_validators = {kind: Draft202012Validator(schema) for kind, schema in SHAPE_SCHEMAS.items()}


def _where(path) -> str:
    return "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path)


def _message(error) -> str:
    """What is wrong, in a few words: jsonschema's own messages repeat the whole offending value
    (10,000 shapes made a 1.5 MB error), so the common cases are said here and the rest cut short."""
    value, limit = error.instance, error.validator_value
    if error.validator == "maxItems":
        return f"has {len(value):,} items; at most {limit:,} are allowed."
    if error.validator == "minItems":
        return f"needs at least {limit} item(s)."
    if error.validator == "maxLength":
        return f"is {len(value):,} characters long; at most {limit:,} are allowed."
    if error.validator == "type":
        return f"must be of type {limit}."
    if error.validator in ("minimum", "maximum", "exclusiveMinimum"):
        return f"is out of range ({error.validator} {limit})."
    if error.validator == "additionalProperties":
        extra = sorted(str(k)[:30] for k in value if k not in error.schema.get("properties", {}))
        return f"has unknown properties: {', '.join(extra[:5])}{', …' if len(extra) > 5 else ''}."
    return error.message if len(error.message) <= 120 else error.message[:120] + "…"


def annotation_errors(shapes: Any) -> list[str]:
    """Human-readable problems with `shapes` (empty when valid), each short."""
    errors = [f"shapes{_where(e.absolute_path)}: {_message(e)}" for e in _list_validator.iter_errors(shapes)]
    if errors or not isinstance(shapes, list):
        return errors or ["shapes must be a list of shape objects."]
    kinds = ", ".join(SHAPE_SCHEMAS)
    for index, shape in enumerate(shapes):
        kind = shape.get("type") if isinstance(shape, dict) else None
        validator = _shape_validators.get(kind)
        if validator is None:
            errors.append(f"shapes[{index}].type: unknown shape {repr(kind)[:30]}; use one of: {kinds}.")
            continue
        for error in sorted(validator.iter_errors(shape), key=lambda e: list(e.absolute_path)):
            errors.append(f"shapes[{index}]{_where(error.absolute_path)}: {_message(error)}")
        if len(errors) >= 10:
            break
    return errors
