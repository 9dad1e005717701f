"""The typer app: every command of `grader.cli.COMMANDS`, each module imported only when its command runs."""

from __future__ import annotations

import importlib
from typing import Annotated

import typer

from grader.cli.commands import COMMANDS


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
