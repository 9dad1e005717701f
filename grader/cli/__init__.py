"""The `grader` command line: parse arguments, call one core function, render. The only place typer lives.

Exit codes, for every command: 0 success; 1 a check failed (a score under --min-score, a golden example out of
its band); 2 bad input or usage (unknown id, unreadable file, invalid YAML, empty answer).
"""

from __future__ import annotations

import importlib
import os
import sys
import types
from typing import Annotated, Any

import typer

from grader.cli._common import run_safely

# Every command, one line each: name -> "module:attribute" (a typer.Typer attribute is a group of subcommands).
# To add a command, add its line here; keep the command module's heavy imports inside the command function.
# A command's module is imported only when that command runs, or for the command list in --help, so that
# `grader grade` starts without loading what `batch` or `quiz` need.
COMMANDS: dict[str, str] = {
    "grade": "grader.cli.grade:grade",
    "evaluate": "grader.cli.evaluate:evaluate",
    "calibrate": "grader.cli.evaluate:calibrate",
    "batch": "grader.cli.batch:batch",
    "check": "grader.cli.check:check",
    "questions": "grader.cli.questions:app",
    "rubric": "grader.cli.rubric:app",
    "import": "grader.cli.imports:app",
    "quiz": "grader.cli.quiz:quiz",
    "stats": "grader.cli.progress:stats",
    "history": "grader.cli.progress:history",
    "llm": "grader.cli.llm:app",
    "cache": "grader.cli.cache:app",
    "export": "grader.cli.export:app",
}


def _show_version(value: bool) -> None:
    if value:
        from grader import __version__

        typer.echo(f"grader {__version__}")
        raise typer.Exit(0)


def _root(
    version: Annotated[
        bool,
        typer.Option("--version", "-V", help="Print the grader's version and exit.", is_eager=True,
                     callback=_show_version),
    ] = False,
) -> None:
    """Grade free-text answers to data-science interview questions against a reference rubric."""


def make_app(only: str | None = None) -> typer.Typer:
    """The typer app with every command, or with just `only` (what `main` does when it knows the command)."""
    app = typer.Typer(
        name="grader",
        help=_root.__doc__,
        no_args_is_help=True,
        add_completion=False,
        pretty_exceptions_enable=False,
        context_settings={"help_option_names": ["-h", "--help"]},
    )
    app.callback()(_root)  # a group even with one command registered: `grader grade ...` keeps its name
    for name, target in COMMANDS.items():
        if only is None or name == only:
            module, _, attr = target.partition(":")
            command = getattr(importlib.import_module(module), attr)
            if isinstance(command, typer.Typer):
                app.add_typer(command, name=name)
            else:
                app.command(name)(command)
    return app


def __getattr__(name: str) -> Any:
    if name == "app":  # `grader.cli.app`: the full app, built on first use
        return make_app()
    raise AttributeError(name)


def main() -> None:
    """Console entry point: run the app, turning `GraderError`s into one line on stderr and exit code 2."""
    command = sys.argv[1] if len(sys.argv) > 1 else None
    _no_pydantic_plugins()
    sys.exit(run_safely(make_app(command if command in COMMANDS else None)))


_PLUGIN_LOADER = "pydantic.plugin._loader"


def _no_pydantic_plugins() -> None:
    """pydantic looks for plugins among every installed package's entry points when it builds the first model
    (~12 ms of each start); the command line has no use for them. A user who wants them sets the variable.

    With plugins off, pydantic's plugin loader is replaced by one that has none: the real one imports
    `importlib.metadata` (~17 ms of CPU, a tenth of a lexical `grader grade`) only to find that out."""
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    if os.environ["PYDANTIC_DISABLE_PLUGINS"] != "__all__" or _PLUGIN_LOADER in sys.modules:
        return
    stub = types.ModuleType(_PLUGIN_LOADER, "No pydantic plugins (set by grader.cli).")

    def __getattr__(name: str) -> Any:  # anything else a newer pydantic asks of it: from the real loader
        if name.startswith("__"):  # the import system asking whether it is a package
            raise AttributeError(name)
        sys.modules.pop(_PLUGIN_LOADER, None)
        return getattr(importlib.import_module(_PLUGIN_LOADER), name)

    stub.get_plugins = tuple  # type: ignore[attr-defined]  # no plugins: an empty iterable
    stub.__getattr__ = __getattr__  # type: ignore[method-assign]
    sys.modules[_PLUGIN_LOADER] = stub
