"""pydantic's validation errors, said the way a person editing YAML needs them: at the node,
with the path, in plain words, and with a suggestion for a misspelt key."""

from __future__ import annotations

import difflib
import types
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from reconciler.errors import SpecIssue
from reconciler.spec.common import ON_TAG, is_union_tag
from reconciler.spec.source import Path, SourceMap, format_path


def _describe(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "nothing (null)"
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _unwrap(annotation: Any) -> Any:
    """The model or container type inside Optional / Annotated / switch unions."""
    while True:
        origin = get_origin(annotation)
        if origin is Annotated:
            annotation = get_args(annotation)[0]
        elif origin in (Union, types.UnionType):
            candidates = [
                a
                for a in get_args(annotation)
                if a is not type(None) and get_origin(_strip(a)) is not Literal
            ]
            if not candidates:
                return annotation
            annotation = candidates[-1]
        else:
            return annotation


def _strip(annotation: Any) -> Any:
    return get_args(annotation)[0] if get_origin(annotation) is Annotated else annotation


def fields_at(root: type[BaseModel], path: Path) -> list[str]:
    """The field names a mapping at ``path`` may hold, for "did you mean" suggestions."""
    current: Any = root
    for part in path:
        current = _unwrap(current)
        if isinstance(current, type) and issubclass(current, BaseModel):
            field = current.model_fields.get(str(part))
            if field is None:
                return []
            current = field.annotation
        elif get_origin(current) is dict:
            current = get_args(current)[1]
        elif get_origin(current) is list:
            current = get_args(current)[0]
        else:
            return []
    current = _unwrap(current)
    if isinstance(current, type) and issubclass(current, BaseModel):
        return list(current.model_fields)
    return []


def _message(error: ErrorDetails, switch: bool) -> str:
    kind = error["type"]
    ctx = error.get("ctx") or {}
    given = error.get("input")
    got = _describe(given)
    off = " or false to remove it" if switch else ""
    if isinstance(given, bool) and kind in ("literal_error", "string_type"):
        got += "; YAML reads yes/no/on/off as true/false, so quote the value"
    if kind == "literal_error":
        return f"must be {ctx.get('expected', 'one of the allowed values')}{off} (got {got})"
    if kind in ("model_type", "dict_type", "model_attributes_type"):
        return f"must be a mapping{off} (got {got})"
    if kind == "list_type":
        return f"must be a list (got {got})"
    if kind == "string_type":
        return f"must be text (got {got})"
    if kind in ("int_type", "int_parsing", "int_from_float"):
        return f"must be a whole number (got {got})"
    if kind in ("bool_type", "bool_parsing"):
        return f"must be true or false (got {got})"
    if kind.startswith("date"):
        return f"must be a date such as 2030-01-31, at midnight UTC (got {got})"
    if kind == "greater_than_equal":
        return f"must be at least {ctx.get('ge')} (got {got})"
    if kind == "less_than_equal":
        return f"must be at most {ctx.get('le')} (got {got})"
    if kind == "value_error":
        return str(ctx.get("error", error["msg"]))
    return error["msg"]


def issues_from(
    error: ValidationError,
    *,
    root: type[BaseModel],
    source: SourceMap,
    prefix: Path = (),
    base: type[BaseModel] | None = None,
) -> list[SpecIssue]:
    """One issue per pydantic error, positioned by ``source``. The error comes from validating
    ``base`` (default ``root``) at ``prefix`` within the ``root`` document."""
    base = base or root
    issues = []
    for detail in error.errors():
        raw = tuple(detail["loc"])
        switch = bool(raw) and raw[-1] == ON_TAG
        loc: Path = tuple(p for p in raw if not is_union_tag(p))
        full = prefix + loc
        if full in source.unreadable:
            continue  # already reported where it was read
        named = format_path(source.origin_of(full))
        if detail["type"] == "extra_forbidden" and loc:
            key = str(loc[-1])
            message = f"unknown field {key!r}"
            close = difflib.get_close_matches(key, fields_at(base, loc[:-1]), n=1, cutoff=0.6)
            if close:
                message += f"; did you mean {close[0]!r}?"
            parent = format_path(source.origin_of(full[:-1]))
            issues.append(SpecIssue(message, parent, source.key_at(full)))
        elif detail["type"] == "missing" and loc:
            issues.append(
                SpecIssue(
                    f"missing required field {loc[-1]!r}",
                    format_path(source.origin_of(full[:-1])),
                    source.at(full[:-1]),
                )
            )
        else:
            issues.append(SpecIssue(_message(detail, switch), named, source.at(full)))
    return issues
