"""The pipeline never names a kind: a kind of resource is one package of units
(``reconciler/kinds/NAME/``) and one line of the registry, and the reader, the planner, the
order, the executor, drift, import, ``permissions``, ``destroy``, the spec's loader and the
reports reach it only through the registry. Checked by reading every module outside the kinds'
packages: no import of a kind's package, no kind's name, section or part (a bucket's aspect, a
distribution's field) as a string or an attribute."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from reconciler.address import Address
from reconciler.kinds.registry import PACKAGES, declarations, kinds

ROOT = Path(__file__).parent.parent
PACKAGE = ROOT / "reconciler"
KINDS = PACKAGE / "kinds"

#: What may name a kind besides its own package, and why.
ALLOWED = {
    # The one list of kinds, by package name.
    KINDS / "registry.py": "the registry",
    # The client speaks S3's and CloudFront's own words (buckets, an S3 website endpoint).
    PACKAGE / "aws": "the client",
    PACKAGE / "names.py": "S3's rules for bucket names, which the client addresses by",
    PACKAGE / "errors.py": "the client's errors (an S3 error names the bucket it was about)",
    # A scripted story on the emulator, changing things by hand as a person would.
    PACKAGE / "demo.py": "the demo",
    PACKAGE / "emulator.py": "the emulator",
    # A command of CloudFront distributions themselves, around the distribution kind's module.
    PACKAGE / "cli" / "invalidate_command.py": "reconciler invalidate",
}


#: What a change says of any resource, whatever its kind (where it is, whether a delete empties
#: it, the id the cloud gave it, ...), and words every program uses (a name, a description):
#: the pipeline's own vocabulary, not a kind's.
CHANGE_FIELDS = {
    "region",
    "force_destroy",
    "prevent_destroy",
    "id",
    "wait_for_deployment",
    "name",
    "description",
}
#: Fields of one kind whose names are also the pipeline's own words, in another sense: a plan's
#: action (``delete``), where a spec's values came from (a loaded spec's ``source``), a fleet
#: target filter's ``exclude``.
SHARED_WORDS = {"delete", "source", "exclude"}


def _words() -> set[str]:
    """Each kind's name and section, and the parts of one resource that only one kind has
    (what every kind has, such as ``tags`` or ``state``, is the pipeline's vocabulary too)."""
    fields: dict[str, int] = {}
    for declaration in declarations():
        for name in declaration.model.model_fields:
            fields[name] = fields.get(name, 0) + 1
    own = {f for f, count in fields.items() if count == 1} - CHANGE_FIELDS - SHARED_WORDS
    return {d.kind for d in declarations()} | {d.section for d in declarations()} | own


def _outside(path: Path) -> bool:
    if any(path == a or a in path.parents for a in ALLOWED):
        return False
    return not any((KINDS / p) in path.parents for p in PACKAGES)


def _named(path: Path, words: set[str]) -> list[str]:
    found = []
    relative = path.relative_to(ROOT)
    kind_packages = {f"reconciler.kinds.{p}" for p in PACKAGES}
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Constant) and node.value in words:
            found.append(f"{relative}:{node.lineno}: {node.value!r}")
        elif isinstance(node, ast.Attribute) and node.attr in words:
            found.append(f"{relative}:{node.lineno}: .{node.attr}")
        elif isinstance(node, ast.Import):
            found += [
                f"{relative}:{node.lineno}: import {a.name}"
                for a in node.names
                if any(a.name == k or a.name.startswith(k + ".") for k in kind_packages)
            ]
        elif isinstance(node, ast.ImportFrom) and node.module:
            module = node.module
            imported = [f"{module}.{a.name}" for a in node.names] + [module]
            if any(m == k or m.startswith(k + ".") for m in imported for k in kind_packages):
                found.append(f"{relative}:{node.lineno}: from {module} import ...")
    return found


def test_no_module_outside_a_kind_names_one() -> None:
    words = _words()
    assert {"bucket", "buckets", "distribution", "lifecycle", "origins"} <= words
    named = [
        hit
        for path in sorted(PACKAGE.rglob("*.py"))
        if _outside(path)
        for hit in _named(path, words)
    ]
    assert named == []


def test_the_check_sees_imports_strings_and_attributes(tmp_path: Path) -> None:
    """The scan finds a kind named in each of the three ways (so the test above can fail)."""
    module = tmp_path / "sample.py"
    module.write_text(
        "from reconciler.kinds.bucket import plan\n"
        "import reconciler.kinds.distribution.read\n"
        "from reconciler.kinds import bucket\n"
        "x = spec.buckets\n"
        "y = 'lifecycle'\n",
        encoding="utf-8",
    )
    found = [hit.split(": ", 1)[1] for hit in _named_anywhere(module)]
    assert found == [
        "from reconciler.kinds.bucket import ...",
        "import reconciler.kinds.distribution.read",
        "from reconciler.kinds import ...",
        ".buckets",
        "'lifecycle'",
    ]


def _named_anywhere(path: Path) -> list[str]:
    global ROOT  # noqa: PLW0603 - the sample lives outside the project
    kept, ROOT = ROOT, path.parent
    try:
        return sorted(_named(path, _words()), key=lambda hit: int(hit.split(":")[1]))
    finally:
        ROOT = kept


def test_every_kind_is_one_package_with_its_declaration_kind_and_options() -> None:
    for package, kind in zip(PACKAGES, kinds(), strict=True):
        for module in ("declaration", "kind", "options"):
            assert (KINDS / package / f"{module}.py").is_file(), (package, module)
        assert kind.declaration.kind == package.removesuffix("s") or kind.declaration.kind


@pytest.mark.parametrize("text", ["bucket.acme-site", "bucket.a.b.c", "distribution.site-cdn"])
def test_an_address_is_read_back_as_written(text: str) -> None:
    assert str(Address.parse(text)) == text


def test_an_address_with_a_part() -> None:
    assert str(Address("bucket", "acme", "lifecycle")) == "bucket.acme.lifecycle"
    assert str(Address("content", "site", "index.html")) == 'content.site["index.html"]'
    assert Address("content", "site", "a b").resource == Address("content", "site")
    for wrong in ("bucket", "bucket.", ".x", "no dots", "9x.name"):
        with pytest.raises(ValueError, match="is not a resource address"):
            Address.parse(wrong)
