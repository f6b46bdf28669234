"""The media types of a site's files, from one table kept here rather than the platform's
(``mimetypes`` reads the operating system's registry: ``.js`` is ``text/plain`` on some Windows
machines, ``.woff2`` is unknown to many, and it adds no charset).

The table follows the IANA media-type registry, with the WHATWG's choices where browsers need
them (``text/javascript`` for scripts, ``image/x-icon``); text types are served as UTF-8
(``; charset=utf-8``), which is what static-site generators write. A spec's ``content_types``
map adds to it or overrides it, by extension; an extension neither knows is
``application/octet-stream``.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import PurePosixPath

UNKNOWN = "application/octet-stream"
UTF8 = "; charset=utf-8"

#: Extension (lower case, with its dot) → media type. Text types get `UTF8` appended.
TABLE: dict[str, str] = {
    # documents
    ".html": "text/html",
    ".htm": "text/html",
    ".xhtml": "application/xhtml+xml",
    ".css": "text/css",
    ".txt": "text/plain",
    ".md": "text/markdown",
    ".markdown": "text/markdown",
    ".csv": "text/csv",
    ".tsv": "text/tab-separated-values",
    ".ics": "text/calendar",
    ".vtt": "text/vtt",
    ".xml": "application/xml",
    ".xsl": "application/xslt+xml",
    ".rss": "application/rss+xml",
    ".atom": "application/atom+xml",
    ".pdf": "application/pdf",
    ".rtf": "application/rtf",
    ".epub": "application/epub+zip",
    # scripts and data
    ".js": "text/javascript",
    ".mjs": "text/javascript",
    ".cjs": "text/javascript",
    ".json": "application/json",
    ".jsonld": "application/ld+json",
    ".map": "application/json",
    ".webmanifest": "application/manifest+json",
    ".wasm": "application/wasm",
    ".yaml": "application/yaml",
    ".yml": "application/yaml",
    ".toml": "application/toml",
    ".geojson": "application/geo+json",
    # images
    ".png": "image/png",
    ".apng": "image/apng",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".jfif": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".avif": "image/avif",
    ".svg": "image/svg+xml",
    ".ico": "image/x-icon",
    ".bmp": "image/bmp",
    ".tif": "image/tiff",
    ".tiff": "image/tiff",
    ".heic": "image/heic",
    ".jxl": "image/jxl",
    # fonts
    ".woff": "font/woff",
    ".woff2": "font/woff2",
    ".ttf": "font/ttf",
    ".otf": "font/otf",
    ".eot": "application/vnd.ms-fontobject",
    # audio and video
    ".mp3": "audio/mpeg",
    ".m4a": "audio/mp4",
    ".aac": "audio/aac",
    ".oga": "audio/ogg",
    ".ogg": "audio/ogg",
    ".opus": "audio/ogg",
    ".wav": "audio/wav",
    ".flac": "audio/flac",
    ".weba": "audio/webm",
    ".mp4": "video/mp4",
    ".m4v": "video/mp4",
    ".webm": "video/webm",
    ".ogv": "video/ogg",
    ".mov": "video/quicktime",
    ".m3u8": "application/vnd.apple.mpegurl",
    ".mpd": "application/dash+xml",
    ".ts": "video/mp2t",
    # archives and downloads
    ".zip": "application/zip",
    ".gz": "application/gzip",
    ".tgz": "application/gzip",
    ".br": "application/x-brotli",
    ".zst": "application/zstd",
    ".bz2": "application/x-bzip2",
    ".xz": "application/x-xz",
    ".7z": "application/x-7z-compressed",
    ".tar": "application/x-tar",
    ".dmg": "application/x-apple-diskimage",
    ".exe": "application/vnd.microsoft.portable-executable",
    ".msi": "application/x-msi",
    ".deb": "application/vnd.debian.binary-package",
    ".rpm": "application/x-rpm",
    ".apk": "application/vnd.android.package-archive",
    ".jar": "application/java-archive",
    ".bin": UNKNOWN,
    # office documents
    ".doc": "application/msword",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xls": "application/vnd.ms-excel",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".ppt": "application/vnd.ms-powerpoint",
    ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ".odt": "application/vnd.oasis.opendocument.text",
}

#: Media types that are text although their top-level type is not ``text``.
_TEXT = frozenset(
    {
        "application/xhtml+xml",
        "application/xml",
        "application/xslt+xml",
        "application/rss+xml",
        "application/atom+xml",
        "application/json",
        "application/ld+json",
        "application/manifest+json",
        "application/geo+json",
        "application/yaml",
        "application/toml",
        "image/svg+xml",
    }
)

#: The encodings a precompressed sibling's extension stands for.
ENCODINGS = {".br": "br", ".gz": "gzip"}


def with_charset(media_type: str) -> str:
    """``media_type`` with ``; charset=utf-8`` when it is text and names no charset."""
    if "charset=" in media_type.lower() or ";" in media_type:
        return media_type
    if media_type.startswith("text/") or media_type in _TEXT:
        return media_type + UTF8
    return media_type


def media_type(path: str, extra: Mapping[str, str] | None = None) -> str:
    """The Content-Type of the file at ``path``: ``extra`` (a spec's ``content_types``) first,
    then the table; text with its charset."""
    suffix = PurePosixPath(path).suffix.lower()
    given = {k.lower(): v for k, v in (extra or {}).items()}
    if suffix in given:
        return given[suffix]
    found = TABLE.get(suffix)
    return with_charset(found) if found else UNKNOWN


def precompressed(path: str, paths: frozenset[str] | set[str]) -> tuple[str, str] | None:
    """``(original, encoding)`` when ``path`` is a precompressed sibling (``app.js.br`` beside
    ``app.js``): it is served as the original's type, with that Content-Encoding."""
    suffix = PurePosixPath(path).suffix.lower()
    encoding = ENCODINGS.get(suffix)
    if encoding is None:
        return None
    original = path[: -len(suffix)]
    return (original, encoding) if original in paths else None
