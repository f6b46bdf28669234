"""The invalid-spec corpus: each case under spec_cases/invalid (a file, or a directory of files)
must fail with exactly the error lines in its .errors file, positions included."""

from __future__ import annotations

from pathlib import Path

import pytest

from reconciler.errors import ConfigError
from reconciler.spec.loader import load_spec
from tests.cli import run_cli

CASES = Path(__file__).parent / "spec_cases" / "invalid"
NAMES = sorted(p.stem for p in CASES.glob("*.errors"))


def target(name: str) -> str:
    return f"{name}.yaml" if (CASES / f"{name}.yaml").is_file() else name


def test_the_corpus_is_large_enough() -> None:
    assert len(NAMES) >= 60


@pytest.mark.parametrize("name", NAMES)
def test_invalid_spec_reports_exactly_these_errors(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(CASES)
    expected = (CASES / f"{name}.errors").read_text().splitlines()
    with pytest.raises(ConfigError) as caught:
        load_spec([target(name)], env={})
    assert [str(issue) for issue in caught.value.issues] == expected
    assert str(caught.value).splitlines()[0] == (
        f"the spec has {len(expected)} error{'s' if len(expected) != 1 else ''}"
    )


def test_validate_prints_every_error_and_exits_1_without_a_traceback() -> None:
    result = run_cli("validate", "-f", "many-errors-at-once.yaml", cwd=CASES)
    expected = (CASES / "many-errors-at-once.errors").read_text().splitlines()
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == [*expected, "Error: the spec has 5 errors"]
