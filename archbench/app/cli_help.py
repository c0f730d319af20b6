"""The command line's help: every argument's text, every command's description, singular
metavars, `--version`, and "did you mean" for a mistyped command or flag.

Kept apart from cli.py, which declares the commands and their flags; `finish_parser` fills in
what a declaration left out, so that a new flag without help text is caught by the help test
(tests/test_cli_help.py) rather than shipped bare.
"""

from __future__ import annotations

import argparse
import difflib
import re

from archbench import __version__

# What each command does, for `archbench COMMAND --help` (its one-line `help=` is the list entry).
DESCRIPTIONS = {
    "run": "Run prompts × models over the scenarios as a resumable inspect eval set, then write the report "
    "(report.html, report.md, summary.json). Rerunning the same command resumes it. Exit 0 when every "
    "sample completed, 1 when some did not, 2 on bad input.",
    "compare": "Run two prompts on the same scenarios and epochs, one comparison per model, and write "
    "comparison.md beside the report: per dimension the paired difference B − A with its 95% CI, the scenarios "
    "whose verdict flipped, and the plans side by side where the overall score moved most.",
    "nightly": "Run an experiment config into a dated log folder (LOG_DIR/<date>/, resumable) and compare it with "
    "the config's baseline. Exit 1 on a significant regression or an incomplete run, 0 otherwise.",
    "baseline": "Pinned baselines that nightly runs and `archbench report --baseline` compare against.",
    "baseline promote": "Pin a run as the baseline: its report (summary.json, items.parquet) and PROVENANCE.json "
    "are written to the baseline folder, replacing the previous baseline only once complete.",
    "grade": "Grade one plan file against a scenario's rubric with the deterministic graders, with no model call. "
    "Exit 0 when the plan keeps to scope, 1 when it violates scope (the violations are listed), 2 on bad input.",
    "rescore": "Re-grade existing logs with the current graders, with no model call. LOG_DIR/x.eval is written to "
    "LOG_DIR-rescored/x.eval; the originals are not modified. Prints which scores changed.",
    "calibrate": "Measure the graders (and optionally an LLM judge) against the hand-labelled gold set. "
    "Exit 1 when a target is missed.",
    "report": "Write the comparative report (report.html, report.md, summary.json, parquet tables) of one or more "
    "log folders, optionally against a baseline.",
    "scenarios": "The scenario corpus: list it, lock its versions, export it.",
    "scenarios list": "One line per scenario: id, version, category, repo, title.",
    "scenarios lock": "Record each scenario's version and content hash in the corpus's lock file; refuses a "
    "scenario whose content changed without a version bump.",
    "scenarios export": "Write the corpus as a Hugging Face dataset on disk (OUT/hf/) and as Parquet files (OUT/*.parquet).",
    "repo": "Your own Django repo: what the graders see in it, and a drafted conventions file (docs/own-repo.md).",
    "repo check": "Print what the graders see in a repo (apps, models and fields, routes, Celery tasks, settings, "
    "pagination and permission styles) and what they cannot follow (URL modules, re-exports, convention values "
    "that can never match). Exit 1 on a problem that would misgrade plans, 2 on bad input.",
    "repo init": "Draft a conventions file from what the repo does (primary keys, base model, pagination, permission "
    "style, API prefix, task layout, camelCase rendering), each rule with the file:line it was drawn from. It is "
    "written outside the repo by default, so the agent under test never sees it.",
    "scenario": "Scaffold scenarios on your own repo.",
    "scenario new": "Write a scenario YAML for a feature request on a repo, and a reference plan to fill in.",
    "rubric": "Rubrics from reference plans.",
    "rubric draft": "Turn a reference plan into a draft rubric (models, fields, indexes, endpoints with codes and fields, "
    "tasks with retry and idempotency, concept items from its edge cases and decisions), for you to edit and prune.",
    "rubric check": "Grade a scenario's reference plan against its own rubric: it must score 1.0. Each miss shows the "
    "closest block and which phrase groups failed. Exit 1 on a miss.",
}

# Help for arguments declared without it: by (command, dest), then by dest alone.
ARGUMENT_HELP = {
    ("nightly", "config"): "experiment config YAML (see docs/workflows.md)",
    ("baseline promote", "log_dir"): "the run's log folder to pin (e.g. logs/nightly/2026-01-31)",
    ("grade", "plan"): "the plan to grade (a Markdown file)",
    ("grade", "scenario"): "id of the scenario whose rubric grades the plan (see: archbench scenarios list)",
    ("rescore", "logs"): "inspect logs, or folders of them such as the one `archbench run` wrote",
    ("report", "logs"): "inspect logs, or folders of them (read recursively)",
    ("scenarios export", "out"): "folder to write (created if missing)",
    ("repo check", "path"): "the repo's root folder",
    ("repo init", "path"): "the repo's root folder",
    ("scenario new", "repo"): "the repo's root folder (the scenario's `repo:`)",
    ("scenario new", "title"): "the scenario's title (default: from the request)",
    ("scenario new", "category"): "the scenario's category",
    ("rubric draft", "plan"): "the reference plan (Markdown)",
    ("rubric draft", "scenario"): "id of the scenario the rubric is for",
    ("rubric check", "scenario"): "id of the scenario whose reference plan is checked",
    "verbose": "log what archbench does (INFO level)",
    "scenarios": "scenario folder or corpus export (default: the bundled corpus)",
    "json": "print JSON instead of text",
    "display": "inspect's progress display (default: chosen for the terminal)",
}


# Placeholders that say what a value is, where the flag's name does not (--to TO, --out OUT)
METAVARS = {
    "--to": "DIR", "--out": "DIR", "--log-dir": "DIR", "--scenarios": "DIR", "--gold": "DIR",
    "--config": "FILE", "--prices": "FILE", "--summary-out": "FILE", "--baseline": "PATH",
    "--judge": "MODEL", "--model-base-url": "URL", "--epochs": "N", "--max-connections": "N",
}


def _commands(parser: argparse.ArgumentParser, path: str = ""):
    """(command path, parser) for the parser and every subcommand below it."""
    yield path, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from _commands(sub, f"{path} {name}".strip())


def finish_parser(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """Descriptions, missing help texts, singular metavars and --version (see the module docstring)."""
    parser.add_argument("--version", action="version", version=f"archbench {__version__}", help="print the version and exit")
    for path, command in _commands(parser):
        if path and command.description is None:
            command.description = DESCRIPTIONS.get(path)
        for action in command._actions:
            if action.help is None:
                action.help = ARGUMENT_HELP.get((path, action.dest), ARGUMENT_HELP.get(action.dest))
            long = next((option for option in action.option_strings if option.startswith("--")), None)
            if long and action.nargs != 0 and action.metavar is None and action.choices is None:
                action.metavar = METAVARS.get(long, long[2:].upper().replace("-", "_"))  # --prompt PROMPT, not PROMPTS (its dest)
    return parser


def suggestion(parser: argparse.ArgumentParser, message: str) -> str:
    """' (did you mean ...?)' for a mistyped command, choice or flag in argparse's error `message`; else ''."""
    choice = re.search(r"invalid choice: '([^']*)' \(choose from (.*)\)", message)
    if choice:
        close = difflib.get_close_matches(choice.group(1), re.findall(r"'([^']*)'", choice.group(2)), n=1)
        return f" (did you mean '{close[0]}'?)" if close else ""
    unknown = re.search(r"unrecognized arguments: (.*)", message)
    if not unknown:
        return ""
    options = sorted({option for _, command in _commands(parser) for action in command._actions for option in action.option_strings})
    hints = []
    for word in unknown.group(1).split():
        flag = word.split("=", 1)[0]
        if flag.startswith("-"):
            close = difflib.get_close_matches(flag, options, n=1)
            if close:
                hints.append((close[0], flag))
    if len(hints) == 1:
        return f" (did you mean {hints[0][0]}?)"
    return f" (did you mean {', '.join(f'{close} for {flag}' for close, flag in hints)}?)" if hints else ""
