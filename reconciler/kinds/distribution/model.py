"""The desired state of a CloudFront distribution.

A distribution is declared under a logical name (CloudFront picks its id); the reconciler finds
it again by its ``reconciler:name`` tag. Fields left out are unmanaged: an update keeps what the
live configuration has for them.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from reconciler.spec.common import OFF, ON, SWITCH, AnyCase, Off, ResourceState, SpecModel, Tags

ViewerProtocolPolicy = Annotated[Literal["allow-all", "https-only", "redirect-to-https"], AnyCase]
PriceClass = Annotated[Literal["PriceClass_100", "PriceClass_200", "PriceClass_All"], AnyCase]
HttpVersion = Annotated[Literal["http1.1", "http2", "http2and3", "http3"], AnyCase]
HttpMethod = Annotated[Literal["GET", "HEAD", "OPTIONS", "PUT", "POST", "PATCH", "DELETE"], AnyCase]
OriginProtocolPolicy = Annotated[Literal["http-only", "match-viewer", "https-only"], AnyCase]
SslProtocol = Literal["SSLv3", "TLSv1", "TLSv1.1", "TLSv1.2"]
GeoRestrictionType = Annotated[Literal["none", "whitelist", "blacklist"], AnyCase]
SslSupportMethod = Annotated[Literal["sni-only", "vip", "static-ip"], AnyCase]
MinimumProtocolVersion = Literal[
    "SSLv3", "TLSv1", "TLSv1_2016", "TLSv1.1_2016", "TLSv1.2_2018", "TLSv1.2_2019",
    "TLSv1.2_2021", "TLSv1.3_2025",
]  # fmt: skip


def _tls12() -> list[SslProtocol]:
    return ["TLSv1.2"]


def _get_head() -> list[HttpMethod]:
    return ["GET", "HEAD"]


class CustomOriginConfig(SpecModel):
    http_port: Annotated[int, Field(ge=1, le=65535)] = Field(80, description="HTTP port.")
    https_port: Annotated[int, Field(ge=1, le=65535)] = Field(443, description="HTTPS port.")
    protocol_policy: OriginProtocolPolicy = Field(
        "https-only", description="How CloudFront connects to the origin."
    )
    ssl_protocols: list[SslProtocol] = Field(
        default_factory=_tls12, description="TLS versions offered to the origin."
    )
    read_timeout: Annotated[int, Field(ge=1, le=180)] = Field(
        30, description="Seconds to wait for a response."
    )
    keepalive_timeout: Annotated[int, Field(ge=1, le=180)] = Field(
        5, description="Seconds to keep an idle connection."
    )


class Origin(SpecModel):
    """An S3 origin (``bucket``) or a custom origin (``domain_name``): exactly one."""

    id: str = Field(description="The origin's id, which behaviours target.")
    bucket: str | None = Field(
        None, description="An S3 bucket (its domain comes from the bucket's region)."
    )
    domain_name: str | None = Field(None, description="A custom origin's host name.")
    origin_path: str = Field("", description="A path prefix added to requests, e.g. /prod.")
    origin_access_control: str | None = Field(
        None,
        description="The origin access control (declared under origin_access_controls, by its "
        "logical name) that signs requests to an S3 origin.",
    )
    origin_access_control_id: str | None = Field(
        None,
        description="An origin access control this spec does not declare, by its CloudFront "
        "id (give origin_access_control for a declared one).",
    )
    custom_headers: dict[str, str] = Field(
        default_factory=dict, description="Headers CloudFront adds to origin requests."
    )
    custom: CustomOriginConfig | None = Field(
        None, description="Settings of a custom origin's connection."
    )
    connection_attempts: Annotated[int, Field(ge=1, le=3)] = Field(
        3, description="How many times to try connecting."
    )
    connection_timeout: Annotated[int, Field(ge=1, le=10)] = Field(
        10, description="Seconds to wait for a connection."
    )


class CacheBehavior(SpecModel):
    target_origin: str = Field(description="The id of the origin requests go to.")
    viewer_protocol_policy: ViewerProtocolPolicy = Field(
        description="allow-all, https-only or redirect-to-https."
    )
    allowed_methods: list[HttpMethod] = Field(
        default_factory=_get_head,
        description="[GET, HEAD], [GET, HEAD, OPTIONS], or all seven methods.",
    )
    cached_methods: list[HttpMethod] = Field(
        default_factory=_get_head, description="[GET, HEAD] or [GET, HEAD, OPTIONS]."
    )
    compress: bool = Field(False, description="Compress eligible responses.")
    cache_policy_id: str | None = Field(None, description="A cache policy's id.")
    origin_request_policy_id: str | None = Field(None, description="An origin request policy's id.")
    response_headers_policy_id: str | None = Field(
        None, description="A response headers policy's id."
    )
    min_ttl: Annotated[int, Field(ge=0)] | None = Field(
        None, description="Legacy TTLs, only without a cache policy."
    )
    default_ttl: Annotated[int, Field(ge=0)] | None = Field(None, description="Legacy TTL.")
    max_ttl: Annotated[int, Field(ge=0)] | None = Field(None, description="Legacy TTL.")


class PathCacheBehavior(CacheBehavior):
    path_pattern: str = Field(description="The path pattern, e.g. /images/*.jpg.")


class CustomErrorResponse(SpecModel):
    error_code: int = Field(description="The HTTP error code from the origin (400-599).")
    response_page_path: str | None = Field(None, description="The page served instead.")
    response_code: int | None = Field(None, description="The HTTP code returned to viewers.")
    error_caching_min_ttl: Annotated[int, Field(ge=0)] | None = Field(
        None, description="Seconds CloudFront caches the error."
    )


class GeoRestriction(SpecModel):
    type: GeoRestrictionType = Field(description="none, whitelist or blacklist.")
    locations: list[str] = Field(
        default_factory=list, description="ISO 3166-1 alpha-2 country codes."
    )


class Restrictions(SpecModel):
    geo_restriction: GeoRestriction = Field(description="Geographic restriction.")


class ViewerCertificate(SpecModel):
    cloudfront_default_certificate: bool | None = Field(
        None, description="Use the *.cloudfront.net certificate (no aliases)."
    )
    acm_certificate_arn: str | None = Field(
        None, description="An ACM certificate in us-east-1 covering the aliases."
    )
    iam_certificate_id: str | None = Field(None, description="An IAM server certificate's id.")
    ssl_support_method: SslSupportMethod | None = Field(
        None, description="sni-only (usual), vip or static-ip."
    )
    minimum_protocol_version: MinimumProtocolVersion | None = Field(
        None, description="The oldest TLS version viewers may use."
    )


class DistributionLogging(SpecModel):
    bucket: str = Field(description="The bucket that receives the standard logs.")
    prefix: str = Field("", description="Key prefix for the log files.")
    include_cookies: bool = Field(False, description="Include cookies in the logs.")


DistributionLoggingSwitch = Annotated[
    Annotated[Off, OFF] | Annotated[DistributionLogging, ON], SWITCH
]


class Distribution(SpecModel):
    """One distribution; its logical name is the key it is declared under."""

    id: Annotated[str, Field(pattern=r"^[A-Z0-9]{8,20}$")] | None = Field(
        None,
        description="The CloudFront id of an existing, untagged distribution to adopt when none "
        "carries this stack's tags (import writes it).",
    )
    state: ResourceState = Field("present", description="present, or absent to delete it.")
    prevent_destroy: bool = Field(False, description="Make any plan that deletes it an error.")
    wait_for_deployment: bool = Field(
        True, description="Wait until CloudFront has deployed a create or update."
    )
    enabled: bool | None = Field(None, description="Whether the distribution serves requests.")
    comment: str | None = Field(None, description="A comment, up to 128 characters.")
    aliases: list[str] | None = Field(None, description="Alternate domain names (CNAMEs).")
    default_root_object: str | None = Field(
        None, description="The object served for the root URL, e.g. index.html."
    )
    price_class: PriceClass | None = Field(
        None, description="PriceClass_100, PriceClass_200 or PriceClass_All."
    )
    http_version: HttpVersion | None = Field(
        None, description="http1.1, http2, http2and3 or http3."
    )
    ipv6: bool | None = Field(None, description="Answer over IPv6.")
    origins: list[Origin] | None = Field(None, description="Where content comes from.")
    default_cache_behavior: CacheBehavior | None = Field(
        None, description="How requests that match no path pattern are handled."
    )
    cache_behaviors: list[PathCacheBehavior] | None = Field(
        None, description="Behaviours by path pattern, in order of precedence."
    )
    custom_error_responses: list[CustomErrorResponse] | None = Field(
        None, description="Pages served for error codes."
    )
    restrictions: Restrictions | None = Field(None, description="Geographic restrictions.")
    viewer_certificate: ViewerCertificate | None = Field(
        None, description="The certificate served to viewers."
    )
    logging: DistributionLoggingSwitch | None = Field(
        None, description="Standard logging to an S3 bucket; false disables it."
    )
    web_acl_id: str | None = Field(None, description="A WAF web ACL's id or ARN ('' for none).")
    tags: Tags | None = Field(None, description="Tags; {} removes all but the reconciler's own.")
