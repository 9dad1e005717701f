"""The `grader` command line: parse arguments, call one core function, render. The only place typer lives
(`grader.cli.typer_app` builds the app; a plain lexical `grader grade` runs without it, see `grader.cli.grade_run`).

Exit codes, for every command: 0 success; 1 a check failed (a score under --min-score, a golden example out of
its band); 2 bad input or usage (unknown id, unreadable file, invalid YAML, empty answer).
"""

from __future__ import annotations

import atexit
import gc
import importlib
import os
import sys
import types
from collections.abc import Callable
from typing import Any

from grader.cli.commands import COMMANDS

__all__ = ["COMMANDS", "main"]


def __getattr__(name: str) -> Any:
    if name == "make_app":
        from grader.cli.typer_app import make_app

        return make_app
    if name == "app":  # `grader.cli.app`: the full app, built on first use
        from grader.cli.typer_app import make_app

        return make_app()
    raise AttributeError(name)


def main() -> None:
    """Console entry point: run the app, turning `GraderError`s into one line on stderr and exit code 2."""
    command = sys.argv[1] if len(sys.argv) > 1 else None
    _no_pydantic_plugins()
    _frozen_at_exit()
    if command == "grade":  # the everyday lexical grade starts without typer (see grader.cli.grade_run)
        from grader.cli.grade_run import fast_args, run_grade

        args = fast_args(sys.argv[2:])
        if args is not None:
            from grader.cli.plain import run_plainly

            sys.exit(_without_collections(run_plainly, run_grade, args))
    from grader.cli._common import run_safely
    from grader.cli.typer_app import make_app

    sys.exit(run_safely(make_app(command if command in COMMANDS else None)))


def _without_collections(run: Callable[..., int], *args: Any) -> int:
    """`run(*args)` with the cyclic garbage collector paused: for a bounded piece of work such as grading one
    answer, where its collections walk the objects of the modules just imported and find nothing to free (its peak
    memory is the same without them)."""
    gc.disable()
    try:
        return run(*args)
    finally:
        gc.enable()


def _frozen_at_exit() -> None:
    """At exit, every object is frozen (`gc.freeze`) before the interpreter's last collections, which then do not
    walk them: the process ends and its memory goes with it. Run at exit, so a caller that goes on (a test) keeps
    collecting. With `_without_collections`, ~30 ms of the CPU of a lexical `grader grade` (`benchmarks/startup.py`);
    ~40 ms of other commands' exits."""
    atexit.unregister(gc.freeze)  # once, however often `main` runs in one process
    atexit.register(gc.freeze)


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
