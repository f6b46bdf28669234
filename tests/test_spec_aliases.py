"""YAML aliases bounded: a spec may share a block many times, but not stand for more than ten
times the nodes it is written with (a "billion laughs" of aliases of aliases), and the alias
that goes over is reported at its position, before anything is built of it."""

from __future__ import annotations

import resource
import time
from pathlib import Path

import pytest

from reconciler.errors import ConfigError
from reconciler.spec import yaml_events
from reconciler.spec.loader import load_spec

HEAD = "version: 1\nstack: aliases\nbuckets:\n"


def laughs(levels: int) -> str:
    """A policy whose Condition holds ``levels`` levels of ten aliases each (850 bytes at 7)."""
    names = "abcdefghij"
    level = [f"{names[0]}: &{names[0]} [x, x, x, x, x, x, x, x, x, x]"]
    for n in range(1, levels):
        ref = ", ".join(f"*{names[n - 1]}" for _ in range(10))
        level.append(f"{names[n]}: &{names[n]} [{ref}]")
    return (
        HEAD + "  b:\n    policy:\n      Statement:\n        - Effect: Allow\n"
        '          Principal: "*"\n          Action: s3:GetObject\n'
        "          Resource: arn:aws:s3:::b/*\n"
        f"          Condition: {{{', '.join(level)}}}\n"
    )


def test_seven_levels_of_ten_aliases_are_refused_at_the_alias(tmp_path: Path) -> None:
    spec = tmp_path / "reconciler.yaml"
    spec.write_text(laughs(7))
    assert len(spec.read_bytes()) < 900
    started = time.monotonic()
    with pytest.raises(ConfigError) as caught:
        load_spec((str(spec),), cli_vars={}, env={})
    assert time.monotonic() - started < 5  # (it took 16-38 s and 2.6 GB before)
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss < 1024 * 1024  # KiB: under 1 GB
    (issue,) = caught.value.issues
    line = laughs(7).splitlines()[10]
    # the first alias past 100,000 nodes: levels a to d stand for about 13,600 nodes, and each alias
    # of level e for 12,222 more (d: ten lists of ten lists of ten lists of ten scalars), so
    # the eighth of them goes over
    column = line.index("*d", line.index("e: &e")) + 7 * len("*d, ") + 1
    assert str(issue) == (
        f"{spec}:11:{column}: YAML syntax error: this alias makes the spec stand for more than "
        "100,000 nodes (aliases expanded: at most 10 times the nodes written, and 5,000,000 "
        "in all): write the repeated part once, or fewer times"
    )


def test_a_spec_sharing_blocks_many_times_loads(tmp_path: Path) -> None:
    """Fifty buckets merging one block of defaults, and a lifecycle rule shared by each: far
    below the bound."""
    first = "  bucket-00: &defaults\n    region: us-east-1\n    versioning: enabled\n"
    buckets = "".join(f"  bucket-{n:02d}:\n    <<: *defaults\n" for n in range(1, 50))
    spec = tmp_path / "reconciler.yaml"
    spec.write_text(HEAD + first + buckets)
    loaded = load_spec((str(spec),), cli_vars={}, env={})
    assert len(loaded.spec.buckets) == 50


def test_the_bound_is_relative_to_what_is_written() -> None:
    """Ten aliases of an anchor of 20,000 nodes stand for 200,000: refused in a small document,
    accepted where the document itself holds that many nodes."""
    block = "[" + ", ".join("x" for _ in range(20_000)) + "]"
    aliases = "[" + ", ".join("*big" for _ in range(10)) + "]"
    small = f"big: &big {block}\nmany: {aliases}\n"
    import yaml

    with pytest.raises(yaml.MarkedYAMLError, match=r"more than 200,\d{3} nodes"):
        yaml_events.compact(yaml.parse(small))
    padding = "pad: [" + ", ".join("y" for _ in range(20_000)) + "]\n"
    assert yaml_events.compact(yaml.parse(padding + small))
