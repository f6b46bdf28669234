"""Reading and writing the XML that S3 and CloudFront speak.

Any DOCTYPE is refused, whatever the encoding: no AWS response carries one, so a body that does
is not from AWS (or is hostile), and entity expansion ("billion laughs") or external entities
never get a chance to run. defusedxml refuses it as the parser meets it, after decoding; it reads
every body but the common one, which the standard parser reads at far less cost on the
thousands of small answers of a plan: UTF-8 (or ASCII) by its first byte and its declaration,
with no ``<!`` anywhere. In such a body no DOCTYPE can hide; in another encoding (UTF-16, or
one a declaration names) a DOCTYPE has no ``<!`` bytes, so it goes to defusedxml.
Namespaces are stripped on reading so the codecs can
speak of ``Rule`` rather than ``{http://s3.amazonaws.com/doc/2006-03-01/}Rule``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from xml.etree.ElementTree import Element, ParseError, SubElement, fromstring, tostring

import defusedxml
import defusedxml.ElementTree as safe_et

from reconciler.errors import ResponseParseError

S3_NS = "http://s3.amazonaws.com/doc/2006-03-01/"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"


def _local(name: str) -> str:
    return name.rsplit("}", 1)[-1] if name.startswith("{") else name


def parse(
    body: bytes, *, what: str, address: str | None = None, source: str | None = None
) -> Element:
    """Parse a response body; ``what`` names the operation and ``source`` the endpoint (and
    status) for the error message."""
    start = body.lstrip()[:64].lower()
    if start.startswith((b"<!doctype html", b"<html")):
        where = f" from {source}" if source else ""
        raise ResponseParseError(
            f"{what}: the answer{where} is an HTML page, not the XML AWS speaks: the endpoint "
            "does not answer like S3 or CloudFront (check --endpoint-url / AWS_ENDPOINT_URL: "
            "a web server, a proxy's login page?)",
            address=address,
        )
    try:
        if b"<!" in body or not _plain_utf8(body):
            # a DOCTYPE, a comment or CDATA, or another encoding: defusedxml reads it and
            # refuses what is unsafe
            root: Element = safe_et.fromstring(body, forbid_dtd=True, forbid_entities=True)
        else:
            # UTF-8 without "<!": there is no DOCTYPE, so no entity can be declared or
            # expanded; the standard parser is safe, and much cheaper than a guarded one.
            root = fromstring(body)  # noqa: S314 - UTF-8, no "<!": no DTD, no entity
    except defusedxml.DefusedXmlException as exc:
        raise ResponseParseError(
            f"{what}: the response was refused: it uses an XML construct that no AWS response "
            f"uses ({type(exc).__name__})",
            address=address,
        ) from exc
    except ParseError as exc:
        raise ResponseParseError(
            f"{what}: the response is not well-formed XML ({exc})", address=address
        ) from exc
    for element in root.iter():
        tag = element.tag
        if tag[0] == "{":  # (inline: a call per element costs on thousands of answers)
            element.tag = tag.rpartition("}")[2]
        if element.attrib:
            element.attrib = {_local(k): v for k, v in element.attrib.items()}
    return root


_DECLARED = re.compile(rb"<\?xml[^>]*?encoding\s*=\s*[\"']([A-Za-z0-9._-]*)")
_S3_DECLARATION = b'<?xml version="1.0" encoding="UTF-8"?>'
_UTF8 = frozenset({b"utf-8", b"utf8", b"us-ascii", b"ascii"})


def _plain_utf8(body: bytes) -> bool:
    """Whether ``body`` is UTF-8 (or ASCII) for certain: it starts with ``<`` (after UTF-8's
    byte order mark), holds no NUL byte (UTF-16 and UTF-32 hold them, XML never does) and
    declares no other encoding."""
    if body[:1] != b"<":
        if body[:4] != b"\xef\xbb\xbf<":
            return False
        body = body[3:]
    if b"\x00" in body:
        return False
    if body.startswith(_S3_DECLARATION):  # (what S3 and CloudFront send: decided at once)
        return True
    head = body[:200]
    if not head.startswith(b"<?xml") or b"encoding" not in head:
        return True
    declared = _DECLARED.match(head)
    return declared is not None and declared.group(1).lower() in _UTF8


def text(parent: Element, name: str) -> str | None:
    """The text of the first child ``name``; ``""`` for an empty one, ``None`` when absent."""
    child = parent.find(name)
    if child is None:
        return None
    return child.text or ""


def integer(parent: Element, name: str) -> int | None:
    value = text(parent, name)
    return int(value) if value not in (None, "") else None


def boolean(parent: Element, name: str) -> bool | None:
    value = text(parent, name)
    return None if value in (None, "") else value.strip().lower() == "true"


def children(parent: Element, name: str) -> Iterator[Element]:
    return iter(parent.findall(name))


def items(parent: Element | None, holder: str, item: str) -> list[Element]:
    """The ``item`` elements of a CloudFront ``Quantity``/``Items`` list named ``holder``
    (empty when the list, its ``Items`` or ``parent`` itself is absent)."""
    found = parent.find(holder) if parent is not None else None
    listed = found.find("Items") if found is not None else None
    return [] if listed is None else list(listed.findall(item))


def item_texts(parent: Element | None, holder: str, item: str) -> list[str]:
    return [e.text or "" for e in items(parent, holder, item)]


def root(tag: str, *, namespace: str | None = S3_NS) -> Element:
    element = Element(tag)
    if namespace:
        element.set("xmlns", namespace)
    return element


def add(parent: Element, tag: str, value: str | int | bool | None = None) -> Element:
    """Append a child; booleans are written as AWS writes them (``true``/``false``)."""
    child = SubElement(parent, tag)
    if isinstance(value, bool):
        child.text = "true" if value else "false"
    elif value is not None:
        child.text = str(value)
    return child


def add_if(parent: Element, tag: str, value: str | int | bool | None) -> None:
    """Append a child only when there is a value."""
    if value is not None:
        add(parent, tag, value)


def serialise(element: Element) -> bytes:
    body: bytes = tostring(element, encoding="utf-8", xml_declaration=True)
    return body
