"""The pytest plugin runs golden examples of rubric files as tests, and leaves every other test suite alone."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

DATA = Path(__file__).parent / "data" / "check"


@pytest.fixture
def banks(pytester: pytest.Pytester) -> Path:
    for name in ("pass", "fail", "stale", "malformed"):
        shutil.copytree(DATA / name, pytester.path / name)
    return pytester.path


class TestCollection:
    """Each golden example is an item `<rubric file>::<question>::<example>`, after the rubric's lint item."""

    def test_ids(self, pytester: pytest.Pytester, banks: Path) -> None:
        result = pytester.runpytest("--collect-only", "-q", "pass/rubrics")
        result.stdout.fnmatch_lines(
            [
                "pass/rubrics/dropout.yaml::dropout::[[]lint[]]",
                "pass/rubrics/dropout.yaml::dropout::strong",
                "pass/rubrics/dropout.yaml::dropout::partial",
                "pass/rubrics/dropout.yaml::dropout::weak",
            ]
        )

    def test_passing_bank(self, pytester: pytest.Pytester, banks: Path) -> None:
        pytester.runpytest("pass").assert_outcomes(passed=4)

    def test_one_example_by_node_id(self, pytester: pytest.Pytester, banks: Path) -> None:
        pytester.runpytest("fail/rubrics/dropout.yaml::dropout::partial").assert_outcomes(failed=1)


class TestFailures:
    """A failure shows the band, the actual score and each point's status; lint problems name file and line."""

    def test_golden_example_out_of_band(self, pytester: pytest.Pytester, banks: Path) -> None:
        result = pytester.runpytest("fail")
        result.assert_outcomes(passed=3, failed=1)
        result.stdout.fnmatch_lines(
            [
                "*dropout::partial: score 0.50 outside band [[]0.80, 1.00[]]; expected covered: inference (missing)",
                "band [[]0.80, 1.00[]], score 0.50",
                "  regularization: covered 1.00 (expected covered)",
                "  random-off: missing 0.00",
                "  inference: missing 0.00 (expected covered)",
                "answer: Dropout нужен против переобучения, это регуляризация.",
            ]
        )

    def test_stale_rubric(self, pytester: pytest.Pytester, banks: Path) -> None:
        result = pytester.runpytest("stale")
        result.assert_outcomes(passed=3, failed=1)
        result.stdout.fnmatch_lines(["stale/rubrics/dropout.yaml:3: [[]stale-rubric[]] rubric is stale*"])

    def test_malformed_rubric(self, pytester: pytest.Pytester, banks: Path) -> None:
        result = pytester.runpytest("malformed")
        result.assert_outcomes(failed=1)
        result.stdout.fnmatch_lines(
            [
                "malformed/rubrics/dropout.yaml:8: [[]bad-weight[]] field 'points.0.weight'*",
                "malformed/rubrics/dropout.yaml:10: [[]invalid-file[]] unknown field 'points.0.hints';"
                " did you mean 'hint'?*",
            ]
        )


class TestInert:
    """Without rubric files asked for, the plugin adds nothing: a project's own suite runs as before."""

    def test_own_suite_with_rubric_fixtures_below(self, pytester: pytest.Pytester) -> None:
        shutil.copytree(DATA / "fail", pytester.path / "tests" / "data" / "fail")
        pytester.makepyfile(**{"tests/test_one": "def test_one():\n    assert True\n"})
        pytester.makeini("[pytest]\ntestpaths = tests\n")
        pytester.runpytest().assert_outcomes(passed=1)
        pytester.runpytest("tests").assert_outcomes(passed=1)
        pytester.runpytest(".").assert_outcomes(passed=1)

    def test_other_yaml_is_ignored(self, pytester: pytest.Pytester) -> None:
        (pytester.path / "config.yaml").write_text("name: not a rubric\n", encoding="utf-8")
        pytester.makepyfile("def test_one():\n    assert True\n")
        pytester.runpytest(".").assert_outcomes(passed=1)
