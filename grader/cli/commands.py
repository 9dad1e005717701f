"""The command line's commands, one line each (read by `grader.cli.main` and `grader.cli.typer_app`)."""

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
