"""The folder tree is the architecture: imports inside `grader/` go one way, with no cycles.

Every import statement is read, including those inside functions (deferred imports still make an arrow).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "grader"

# Lower layers never import higher ones. Names are the first part of a module's path under `grader`.
LAYERS: list[set[str]] = [
    {"models", "errors", "_lazy", "paths"},
    {"limits", "outputs", "dbfiles"},  # guards on what is read and written
    {"limits_yaml"},  # YAML read within those limits
    {"engine"},
    {"llm", "bank", "tables"},
    {"grading"},
    {"agreement"},
    {"batch", "ci", "quiz"},
    {"cli"},
    {"__main__"},
]
# Within a layer, which packages may import which (anything not listed may not).
SIDEWAYS = {("bank", "tables")}
MAX_LINES = 330  # the house's ~300, with room for a docstring


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path) -> Iterator[tuple[str, int]]:
    """Modules under `grader` that `path` imports, with the line of each import."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    here = module_name(path)
    package = here if path.name == "__init__.py" else here.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:
                full = f"{base}.{alias.name}"
                yield (full if _is_module(full) else base), node.lineno


def _is_module(dotted: str) -> bool:
    rel = Path(*dotted.split("."))
    return (PACKAGE.parent / rel).with_suffix(".py").is_file() or (PACKAGE.parent / rel / "__init__.py").is_file()


def graph() -> dict[str, dict[str, int]]:
    edges: dict[str, dict[str, int]] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        here = module_name(path)
        edges[here] = {}
        for target, line in imports_of(path):
            if target.startswith("grader.") and target != here:
                edges[here].setdefault(target, line)
    return edges


def top(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "grader"


def layer(name: str) -> int:
    return next(i for i, names in enumerate(LAYERS) if name in names)


def arrow_problems(edges: dict[str, dict[str, int]]) -> list[str]:
    problems = []
    for src, targets in edges.items():
        for dst, line in targets.items():
            a, b = top(src), top(dst)
            if a == b or "grader" in (a, b) or (a, b) in SIDEWAYS:
                continue
            if layer(b) >= layer(a):
                problems.append(f"{src}:{line} imports {dst} ({a} may not import {b})")
    return problems


def cycles(edges: dict[str, dict[str, int]]) -> list[list[str]]:
    """Each strongly connected set of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in edges.get(v, {}):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for v in edges:
        if v not in index:
            visit(v)
    return found


class TestLayout:
    """Imports follow the layers cli -> jobs -> agreement -> grading -> (llm, bank, tables) -> engine -> models."""

    def test_every_package_has_a_layer(self) -> None:
        names = {top(m) for m in graph()} - {"grader"}
        assert names <= set().union(*LAYERS), names - set().union(*LAYERS)

    def test_arrows_go_one_way(self) -> None:
        assert arrow_problems(graph()) == []

    def test_no_import_cycles(self) -> None:
        assert cycles(graph()) == []

    def test_a_broken_rule_is_caught(self) -> None:
        edges = {"grader.engine.text": {"grader.llm.judging": 3}, "grader.llm.judging": {"grader.engine.text": 1}}
        assert arrow_problems(edges) == ["grader.engine.text:3 imports grader.llm.judging (engine may not import llm)"]
        assert cycles(edges) == [["grader.engine.text", "grader.llm.judging"]]

    @pytest.mark.parametrize("banned", ["openai", "typer", "rich", "click"])
    def test_engine_imports_no_client_or_terminal_library(self, banned: str) -> None:
        for path in (PACKAGE / "engine").rglob("*.py"):
            for target, line in imports_of(path):
                assert target.split(".")[0] != banned, f"{path}:{line} imports {target}"

    def test_only_the_openai_judge_imports_openai(self) -> None:
        users = {
            module_name(p)
            for p in PACKAGE.rglob("*.py")
            if any(t.split(".")[0] == "openai" for t, _ in imports_of(p))
        }
        assert users == {"grader.llm.judges.openai"}

    def test_modules_stay_small(self) -> None:
        big = {
            str(p.relative_to(PACKAGE)): n
            for p in PACKAGE.rglob("*.py")
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES
        }
        assert big == {}

    def test_each_package_says_what_lives_there(self) -> None:
        for init in PACKAGE.rglob("__init__.py"):
            doc = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8")))
            assert doc, f"{init} has no docstring"


class TestPublicApi:
    """Everything `grader` exports resolves, and the README's Python API example runs as written."""

    def test_every_exported_name_resolves(self) -> None:
        import grader

        for name in grader.__all__:
            assert getattr(grader, name) is not None, name
        with pytest.raises(AttributeError):
            _ = grader.no_such_name  # type: ignore[attr-defined]

    def test_readme_example_runs(self) -> None:
        readme = (PACKAGE.parent / "README.md").read_text(encoding="utf-8")
        block = readme.split("## Python API", 1)[1].split("```python\n", 1)[1].split("```", 1)[0]
        scope: dict[str, object] = {"print": lambda *a: None}
        exec(compile(block, "README.md", "exec"), scope)
        assert scope["result"].score is not None  # type: ignore[attr-defined]
        assert len(scope["grades"]) == 2  # type: ignore[arg-type]
