"""Properties of the spec layer: valid specs round-trip through YAML unchanged, and whatever a
file holds, loading it either succeeds or raises a clean ConfigError, never anything else."""

from __future__ import annotations

import string
import tempfile
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reconciler.errors import ConfigError
from reconciler.kinds.bucket.model import (
    Bucket,
    CorsRule,
    Encryption,
    Expiration,
    LifecycleFilter,
    LifecycleRule,
    Logging,
    PublicAccessBlock,
    Transition,
    Website,
)
from reconciler.kinds.distribution.model import CacheBehavior, Distribution, Origin
from reconciler.names import bucket_name_problem
from reconciler.spec.loader import load_spec
from reconciler.spec.model import Spec

TAG_CHARS = string.ascii_letters + string.digits + " _.:/=+-@"
names = st.from_regex(r"[a-z][a-z0-9-]{2,20}[a-z0-9]", fullmatch=True).filter(
    lambda n: bucket_name_problem(n) is None
)
tag_keys = st.text(TAG_CHARS, min_size=1, max_size=12).filter(
    lambda k: not k.lower().startswith(("aws:", "reconciler:"))
)
tag_values = st.text(TAG_CHARS, max_size=12)
tags = st.dictionaries(tag_keys, tag_values, max_size=5)

rules = st.builds(
    LifecycleRule,
    id=st.text(string.ascii_lowercase + "-", min_size=1, max_size=10),
    enabled=st.booleans(),
    filter=st.none()
    | st.builds(
        LifecycleFilter, prefix=st.none() | st.text(string.ascii_lowercase + "/", max_size=8)
    ),
    expiration=st.builds(Expiration, days=st.integers(400, 3650)),
    transitions=st.just([]) | st.just([Transition(storage_class="GLACIER", days=365)]),
    abort_incomplete_multipart_upload_days=st.none() | st.integers(1, 30),
)
cors_rules = st.builds(
    CorsRule,
    allowed_methods=st.lists(
        st.sampled_from(["GET", "PUT", "POST", "DELETE", "HEAD"]), min_size=1, unique=True
    ),
    allowed_origins=st.lists(
        st.sampled_from(["*", "https://a.example", "https://*.b.example"]), min_size=1, unique=True
    ),
    max_age_seconds=st.none() | st.integers(0, 86400),
)


@st.composite
def buckets(draw: st.DrawFn, region: str | None = None) -> Bucket:
    return Bucket(
        region=draw(st.none() | st.sampled_from(["eu-west-1", "us-east-1"])),
        versioning=draw(st.none() | st.sampled_from(["enabled", "suspended"])),
        tags=draw(st.none() | tags),
        object_ownership=draw(
            st.none() | st.just(False) | st.sampled_from(["BucketOwnerPreferred", "ObjectWriter"])
        ),
        public_access_block=draw(
            st.none()
            | st.just(False)
            | st.builds(
                PublicAccessBlock,
                block_public_acls=st.booleans(),
                ignore_public_acls=st.booleans(),
                block_public_policy=st.booleans(),
                restrict_public_buckets=st.booleans(),
            )
        ),
        acl=draw(st.none() | st.just("private")),
        lifecycle=draw(st.none() | st.lists(rules, max_size=3, unique_by=lambda r: r.id)),
        encryption=draw(
            st.none()
            | st.just(False)
            | st.just(Encryption())
            | st.builds(
                Encryption,
                algorithm=st.just("aws:kms"),
                kms_key_id=st.just("alias/data"),
                bucket_key_enabled=st.booleans(),
            )
        ),
        cors=draw(st.none() | st.lists(cors_rules, max_size=3)),
        website=draw(
            st.none()
            | st.just(False)
            | st.builds(
                Website,
                index_document=st.just("index.html"),
                error_document=st.none() | st.just("404.html"),
            )
        ),
        policy=draw(st.none() | st.just(False)),
        logging=draw(st.none() | st.just(False)),
    )


distributions = st.builds(
    Distribution,
    enabled=st.none() | st.booleans(),
    comment=st.none() | st.text(string.ascii_letters + " ", max_size=30),
    origins=st.just([Origin(id="web", domain_name="origin.example.com")]),
    default_cache_behavior=st.just(
        CacheBehavior(target_origin="web", viewer_protocol_policy="redirect-to-https")
    ),
    price_class=st.none() | st.sampled_from(["PriceClass_100", "PriceClass_All"]),
    tags=st.none() | tags,
)


@st.composite
def specs(draw: st.DrawFn) -> Spec:
    declared = draw(st.dictionaries(names, buckets(), max_size=4))
    if declared and draw(st.booleans()):
        # one bucket logs into another that grants log delivery
        target, source = sorted(declared)[0], sorted(declared)[-1]
        declared[target] = declared[target].model_copy(
            update={
                "object_ownership": "ObjectWriter",
                "acl": "log-delivery-write",
                "region": None,
                "public_access_block": None,
            }
        )
        if source != target:
            declared[source] = declared[source].model_copy(
                update={
                    "logging": Logging(target_bucket=target, target_prefix="logs/"),
                    "region": None,
                }
            )
    return Spec(
        version=1,
        stack=draw(st.sampled_from(["acme", "data-lake", "shop-prod"])),
        buckets=declared,
        distributions=draw(
            st.dictionaries(
                st.from_regex(r"[a-z][a-z0-9-]{0,10}", fullmatch=True), distributions, max_size=2
            )
        ),
    )


def _load_text(text: str) -> Any:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "spec.yaml"
        path.write_text(text, encoding="utf-8")
        return load_spec([str(path)], env={})


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(specs())
def test_a_valid_spec_round_trips_through_yaml(spec: Spec) -> None:
    document = spec.model_dump(mode="json", exclude_none=True)
    text = yaml.safe_dump(document, sort_keys=False, allow_unicode=True)
    assert _load_text(text).spec == spec


FIELD_WORDS = [
    "version",
    "stack",
    "buckets",
    "distributions",
    "defaults",
    "vars",
    "bucket",
    "region",
    "tags",
    "lifecycle",
    "id",
    "expiration",
    "days",
    "date",
    "logging",
    "target_bucket",
    "acl",
    "grants",
    "policy",
    "Statement",
    "origins",
    "aliases",
    "default_cache_behavior",
    "target_origin",
    "${var.x}",
    "${env.HOME}",
    "<<",
]
scalars = (
    st.none()
    | st.booleans()
    | st.integers(-5, 5000)
    | st.floats(allow_nan=False)
    | st.text(max_size=12)
    | st.sampled_from(FIELD_WORDS)
)
documents = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.sampled_from(FIELD_WORDS) | st.text(max_size=8), inner, max_size=5)
    ),
    max_leaves=25,
)


def _only_config_errors(text: str) -> None:
    issues: tuple[Any, ...] = ()
    try:
        _load_text(text)
    except ConfigError as exc:  # anything else fails the test
        issues = exc.issues or (None,)
    assert all(issue is not None and issue.message for issue in issues)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents)
def test_fuzzed_documents_only_raise_config_errors(document: Any) -> None:
    _only_config_errors(yaml.safe_dump(document, allow_unicode=True))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=200))
def test_fuzzed_text_only_raises_config_errors(text: str) -> None:
    _only_config_errors(text)


EXAMPLE = (Path(__file__).parent.parent / "examples" / "static-website.yaml").read_text()


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, len(EXAMPLE) - 1), st.integers(0, 40), st.text(max_size=6))
def test_mangled_examples_only_raise_config_errors(start: int, cut: int, insert: str) -> None:
    _only_config_errors(EXAMPLE[:start] + insert + EXAMPLE[start + cut :])
