"""``docs/reference.md``: every field of a spec, drawn from the same JSON Schema editors use (so
the descriptions are the models' own), as tables a person reads: type, allowed values, default,
what it means. ``reconciler schema --format markdown`` prints it; a test fails when the checked-in
page is stale.
"""

from __future__ import annotations

import json
from typing import Any

from reconciler.spec.schema import generate_schema

INTRO = """\
# Spec reference

Every field a spec may hold, generated from the spec's models (`reconciler schema --format
markdown`; the JSON Schema editors use says the same). How a spec is put together, its rules of
meaning and its offline checks are in [spec.md](spec.md).

The rules of meaning, for every field below:

- **Left out** (the default `null` below): unmanaged. Never read, never changed, never reported.
  `distributions:` left out means the stack manages no distributions at all.
- **`false`, or empty (`[]`, `{}`)**: must be absent. `policy: false` deletes the policy,
  `lifecycle: []` the lifecycle configuration, `tags: {}` every tag but the reconciler's own.
- **Anything else**: the desired value; AWS's defaults compare equal to leaving a field out.
- **Choices** accept AWS's own spelling too (`versioning: Enabled`, `storage_class: glacier_ir`):
  they are read as the spelling shown here.

```yaml
version: 1
stack: acme-web
buckets:
  acme-prod-site:
    versioning: enabled
    tags: {env: prod}
    lifecycle:
      - {id: expire-tmp, filter: {prefix: tmp/}, expiration: {days: 7}}
distributions:
  site-cdn:
    origins: [{id: site, bucket: acme-prod-site}]
    default_cache_behavior: {target_origin: site, viewer_protocol_policy: redirect-to-https}
```
"""

#: The order the sections appear in: the spec, then what a bucket and a distribution hold,
#: then every part in the order it is first met.
TOP = ("Spec", "Defaults", "Bucket", "Distribution")


def _anchor(name: str) -> str:
    return name.lower()


def _type(node: dict[str, Any]) -> str:
    """A schema node as a type a reader knows (with links to the parts it is made of)."""
    if "$ref" in node:
        name = node["$ref"].rsplit("/", 1)[1]
        return f"[{name}](#{_anchor(name)})"
    alternatives = node.get("anyOf") or node.get("oneOf")
    if alternatives:
        shown = [_type(a) for a in alternatives if a.get("type") != "null"]
        return " or ".join(dict.fromkeys(shown))
    if "const" in node:
        return f"`{json.dumps(node['const'])}`"
    if "enum" in node:
        return " | ".join(f"`{v}`" for v in node["enum"])
    kind = node.get("type")
    if kind == "array":
        return f"list of {_type(node.get('items', {}))}"
    if kind == "object":
        values = node.get("additionalProperties")
        if isinstance(values, dict):
            return f"map of name to {_type(values)}"
        return "mapping"
    if isinstance(kind, list):
        return " or ".join(str(k) for k in kind)
    names = {"string": "text", "integer": "whole number", "boolean": "true/false"}
    return names.get(str(kind), str(kind or "any"))


def _default(field: dict[str, Any], required: bool) -> str:
    if required:
        return "required"
    if "default" not in field:
        return "empty"
    value = field["default"]
    return "left out" if value is None else f"`{json.dumps(value)}`"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _section(name: str, model: dict[str, Any]) -> list[str]:
    lines = [f"## {name}", ""]
    if model.get("description"):
        lines += [_cell(model["description"]), ""]
    lines += ["| field | type | default | meaning |", "|---|---|---|---|"]
    required = set(model.get("required", ()))
    for key, field in model.get("properties", {}).items():
        lines.append(
            f"| `{key}` | {_cell(_type(field))} | {_default(field, key in required)} "
            f"| {_cell(field.get('description', ''))} |"
        )
    return [*lines, ""]


def _order(defs: dict[str, Any], root: dict[str, Any]) -> list[str]:
    """Models in the order a reader meets them: the top sections, then depth first."""
    seen: list[str] = []

    def visit(node: Any) -> None:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str):
                name = ref.rsplit("/", 1)[1]
                if name not in seen:
                    seen.append(name)
                    visit(defs[name])
            for value in node.values():
                visit(value)
        elif isinstance(node, list):
            for value in node:
                visit(value)

    for name in TOP[1:]:
        seen.append(name)
    for name in TOP[1:]:
        visit(defs[name])
    visit(root)
    return seen


def reference_text() -> str:
    schema = generate_schema()  # (the models' field order, which the shipped file sorts)
    defs = schema["$defs"]
    top = {k: v for k, v in schema.items() if k in ("properties", "required")}
    top["description"] = "The top of a spec file."
    lines = [INTRO, *_section("Spec", top)]
    for name in _order(defs, schema):
        lines += _section(name, defs[name])
    return "\n".join(lines).rstrip() + "\n"
