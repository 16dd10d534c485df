"""PATCH (RFC 7644 section 3.5.2) applied to the resource as we answer it, which then replaces
the stored one: add, replace and remove on simple paths, sub-attributes ("name.givenName"),
value filters ('emails[type eq "work"].value') and extension URNs, in the shapes Entra ID and
Okta send (Entra writes op names capitalised and booleans as "True"/"False"; Okta sends
`{"op": "replace", "value": {"active": false}}` without a path)."""

from __future__ import annotations

import copy
import re
from typing import Any

from upward.scim.errors import bad
from upward.scim.schemas import EXTENSIONS, PATCH_OP

_FILTER = re.compile(r'^\s*(\w+)\s+eq\s+"((?:[^"\\]|\\.)*)"\s*$', re.IGNORECASE)
_SEGMENT = re.compile(r"^(?P<attr>[\w$]+)(?:\[(?P<filter>[^\]]*)\])?(?:\.(?P<sub>[\w$]+))?$")


def _key(container: dict[str, Any], name: str) -> str:
    """The key of `container` that names `name` (attribute names ignore case)."""
    for key in container:
        if key.lower() == name.lower():
            return key
    return name


def _split(path: str) -> tuple[str | None, str]:
    """(extension URN or None, the rest of the path)."""
    for urn in EXTENSIONS:
        if path.lower() == urn.lower():
            return urn, ""
        if path.lower().startswith(urn.lower() + ":"):
            return urn, path[len(urn) + 1 :]
    if path.lower().startswith("urn:ietf:params:scim:schemas:core:2.0:user:"):
        return None, path.split(":")[-1]
    if path.lower().startswith("urn:"):
        raise bad(f"Unknown schema in path “{path}”.", "invalidPath")
    return None, path


def apply_operations(doc: dict[str, Any], body: Any) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise bad("The body must be a JSON object.", "invalidSyntax")
    schemas = body.get("schemas")
    if schemas is not None and PATCH_OP not in schemas:
        raise bad(f"A PATCH body names the schema {PATCH_OP}.", "invalidSyntax")
    operations = body.get(_key(body, "Operations"))
    if not isinstance(operations, list) or not operations:
        raise bad("Send at least one operation in “Operations”.", "invalidSyntax")
    doc = copy.deepcopy(doc)
    for operation in operations:
        if not isinstance(operation, dict):
            raise bad("Each operation is a JSON object.", "invalidSyntax")
        op = str(operation.get(_key(operation, "op"), "")).lower()
        if op not in ("add", "replace", "remove"):
            raise bad("An operation's “op” is add, replace or remove.", "invalidSyntax")
        path = operation.get(_key(operation, "path"))
        value = operation.get(_key(operation, "value"))
        if path in (None, ""):
            if op == "remove":
                raise bad("A remove operation needs a path.", "noTarget")
            if not isinstance(value, dict):
                raise bad("Without a path, the value must be an object of attributes.")
            for name, item in value.items():
                _apply(doc, op, str(name), item)
        elif not isinstance(path, str):
            raise bad("The path must be a string.", "invalidPath")
        else:
            _apply(doc, op, path, value)
    return doc


def _apply(doc: dict[str, Any], op: str, path: str, value: Any) -> None:
    urn, rest = _split(path)
    target = doc
    if urn is not None:
        ext_key = _key(doc, urn)
        if not rest:
            if op == "remove":
                doc[ext_key] = None
            elif not isinstance(value, dict):
                raise bad(f"The value for {urn} must be an object.")
            else:
                current = doc.get(ext_key) if op == "add" else None
                merged = dict(current) if isinstance(current, dict) else {}
                merged.update(value)
                doc[ext_key] = merged
            return
        if not isinstance(doc.get(ext_key), dict):
            doc[ext_key] = {}
        target = doc[ext_key]
    match = _SEGMENT.match(rest.strip())
    if not match:
        raise bad(f"The path “{path}” is not one we understand.", "invalidPath")
    attr, filter_text, sub = match.group("attr"), match.group("filter"), match.group("sub")
    key = _key(target, attr)
    if filter_text is None:
        if sub is None:
            if op == "remove":
                target[key] = None
            elif op == "add" and isinstance(target.get(key), list) and isinstance(value, list):
                target[key] = target[key] + value
            elif op == "add" and isinstance(target.get(key), dict) and isinstance(value, dict):
                target[key] = {**target[key], **value}
            else:
                target[key] = value
            return
        parent = target.get(key)
        if not isinstance(parent, dict):
            parent = {}
        sub_key = _key(parent, sub)
        if op == "remove":
            parent.pop(sub_key, None)
        else:
            parent[sub_key] = value
        target[key] = parent or None
        return
    found = _FILTER.match(filter_text)
    if not found:
        raise bad(
            f'Only filters of the form attribute eq "value" are supported, not “{filter_text}”.',
            "invalidFilter",
        )
    f_attr, f_value = found.group(1), found.group(2)
    items = target.get(key)
    items = [dict(i) for i in items if isinstance(i, dict)] if isinstance(items, list) else []

    def matches(item: dict[str, Any]) -> bool:
        return str(item.get(_key(item, f_attr), "")).lower() == f_value.lower()

    if op == "remove":
        if sub is None:
            items = [i for i in items if not matches(i)]
        else:
            for item in items:
                if matches(item):
                    item.pop(_key(item, sub), None)
    else:
        hit = [i for i in items if matches(i)]
        if not hit:
            new: dict[str, Any] = {f_attr: f_value}
            items.append(new)
            hit = [new]
        for item in hit:
            if sub is None:
                if not isinstance(value, dict):
                    raise bad(f"The value for “{path}” must be an object.")
                item.update(value)
            else:
                item[_key(item, sub)] = value
    target[key] = items or None
