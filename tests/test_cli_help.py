"""The command line explains itself (issue 18, item 13)."""

import argparse
import subprocess
import sys
from pathlib import Path

import pytest

from archbench import __version__
from archbench.app.cli import build_parser, main
from archbench.app.cli_help import _commands

SCENARIOS = Path(__file__).resolve().parent / "fixtures" / "scenarios"


def test_every_command_has_a_description_and_every_argument_help():
    missing = []
    for path, command in _commands(build_parser()):
        if path and not command.description:
            missing.append(f"{path}: no description")
        for action in command._actions:
            if not isinstance(action, argparse._SubParsersAction) and not action.help:
                missing.append(f"{path or 'archbench'} {action.option_strings or action.dest}: no help")
    assert not missing


def test_singular_flags_show_singular_placeholders(capsys):
    with pytest.raises(SystemExit):
        build_parser().parse_args(["run", "--help"])
    out = capsys.readouterr().out
    for flag in ("--prompt PROMPT", "--model MODEL", "--scenario SCENARIO", "--category CATEGORY"):
        assert flag in out
    assert "PROMPTS" not in out and "MODELS" not in out


def test_version(capsys):
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"archbench {__version__}"


@pytest.mark.parametrize(
    "argv, hint",
    [
        pytest.param(["rnu"], "did you mean 'run'?", id="command"),
        pytest.param(["scenarios", "lst"], "did you mean 'list'?", id="subcommand"),
        pytest.param(["run", "--promt", "x.md"], "did you mean --prompt?", id="flag"),
        pytest.param(["run", "--display", "ful"], "did you mean 'full'?", id="choice"),
    ],
)
def test_typos_get_a_suggestion(argv, hint, capsys):
    assert main(argv) == 2
    assert hint in capsys.readouterr().err


def test_grade_exits_1_for_a_plan_that_violates_scope(tmp_path, capsys):
    reference = SCENARIOS / "references" / "mini-tags.md"
    assert main(["grade", str(reference), "--scenario", "mini-tags", "--scenarios", str(SCENARIOS)]) == 0
    coding = tmp_path / "plan.md"
    coding.write_text(reference.read_text() + "\n\nHere is the view:\n\n```python\ndef tag_list(request):\n    return Response([])\n```\n")
    assert main(["grade", str(coding), "--scenario", "mini-tags", "--scenarios", str(SCENARIOS)]) == 1
    assert "implementation_code" in capsys.readouterr().out


def test_a_bad_flag_is_rejected_before_inspect_or_pandas_is_imported():
    code = (
        "import sys\nfrom archbench.app.cli import main\nassert main(['run', '--bogus']) == 2\n"
        "print(sorted(name for name in ('inspect_ai', 'pandas', 'pydantic_core._pydantic_core', 'yaml') if name in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    loaded = result.stdout.strip()
    assert "inspect_ai" not in loaded and "pandas" not in loaded, loaded
