"""The desired state of a site's content: a local directory (``source``) kept below ``prefix``
in a declared bucket, each file one object, with the headers the first matching rule of
``headers`` gives it.

Paths are the files' paths below ``source`` with ``/`` between parts, and keys are ``prefix``
followed by the path; the globs of ``headers``, ``exclude`` and ``protect`` match paths
(`reconciler.kinds.content.globs`).
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from reconciler.spec.common import ObjectStorageClass, ResourceState, SpecModel


class HeaderRule(SpecModel):
    """The headers of the files whose path ``match`` matches (the first rule that matches a
    file gives all of its headers). A header left out is S3's default, or, for Content-Type and
    Content-Encoding, what the file's name says."""

    match: str = Field(
        description="A glob on the path below source: * within a part, ** across parts "
        "(assets/**, **/*.html)."
    )
    cache_control: str | None = Field(None, description="Cache-Control, e.g. public, max-age=60.")
    content_type: str | None = Field(
        None, description="Content-Type, in place of the one the file's extension gives."
    )
    content_encoding: str | None = Field(
        None,
        description="Content-Encoding, in place of the one a precompressed sibling gets "
        "(br for X.br, gzip for X.gz, when X is there too).",
    )
    content_disposition: str | None = Field(None, description="Content-Disposition.")
    content_language: str | None = Field(None, description="Content-Language.")
    metadata: dict[str, str] | None = Field(
        None, description="User metadata (x-amz-meta-NAME): lower-case names, ASCII values."
    )
    storage_class: ObjectStorageClass | None = Field(
        None, description="The storage class; left out, S3's STANDARD and not compared."
    )


class Content(SpecModel):
    """A local directory kept in a declared bucket."""

    state: ResourceState = Field(
        "present",
        description="absent: every object this content put there is deleted (protect still "
        "holds), and its manifest.",
    )
    bucket: str = Field(description="The bucket, declared in this spec.")
    source: str = Field(description="The directory, relative to the spec file that declares it.")
    prefix: str = Field("", description="The key prefix in the bucket (site/, or '' for the root).")
    headers: list[HeaderRule] = Field(
        default_factory=list, description="Header rules, the first match wins."
    )
    content_types: dict[str, str] = Field(
        default_factory=dict,
        description="Content types by file extension (.webmanifest: application/manifest+json), "
        "beside the built-in table.",
    )
    exclude: list[str] = Field(
        default_factory=list, description="Globs of files below source that are not uploaded."
    )
    delete: bool = Field(
        False,
        description="Delete the objects this content put there whose files are gone from source.",
    )
    max_deletes: Annotated[int, Field(ge=0)] | None = Field(
        None, description="Refuse a plan that would delete more objects than this."
    )
    protect: list[str] = Field(
        default_factory=list,
        description="Globs of paths whose objects are never deleted nor overwritten.",
    )
    invalidate: str | None = Field(
        None,
        description="The distribution (its logical name in this spec) whose caches lose the "
        "changed paths after an apply.",
    )
