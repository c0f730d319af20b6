"""Bad input gets a one-line message and exit 2, never a traceback (issue 18, item 10)."""

import subprocess
import sys
from pathlib import Path

import pytest
from inspect_ai.log import list_eval_logs

from archbench.app.cli import main

SCENARIOS = Path(__file__).resolve().parent / "fixtures" / "scenarios"
RUN = ["run", "--scenarios", str(SCENARIOS), "--display", "none"]


def assert_message(capsys, *fragments):
    err = capsys.readouterr().err
    assert "Traceback" not in err
    for fragment in fragments:
        assert fragment in err, err


def test_log_dir_naming_a_file(tmp_path, capsys):
    (tmp_path / "afile").write_text("")
    assert main([*RUN, "--model", "archbench/reference", "--log-dir", str(tmp_path / "afile")]) == 2
    assert_message(capsys, "--log-dir must name a folder")


@pytest.mark.parametrize(
    "model, fragments",
    [
        pytest.param("opnai/gpt-5", ["not recognized", "Did you mean 'openai/...'", "Known providers:"], id="unknown-provider"),
        pytest.param("archbench/refrence", ["unknown offline architect", "'reference'", "'template'"], id="misspelt-offline"),
    ],
)
def test_unknown_models(tmp_path, capsys, model, fragments):
    assert main([*RUN, "--model", model, "--log-dir", str(tmp_path / "logs")]) == 2
    assert_message(capsys, *fragments)


def test_scenarios_export_to_a_file(tmp_path, capsys):
    (tmp_path / "afile").write_text("")
    assert main(["scenarios", "export", str(tmp_path / "afile"), "--scenarios", str(SCENARIOS)]) == 2
    assert_message(capsys, "the export is a folder")


def test_calibrate_judge_without_its_key(monkeypatch, capsys):
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    assert main(["calibrate", "--judge", "anthropic/claude-sonnet-4-5"]) == 2
    assert_message(capsys, "judge model 'anthropic/claude-sonnet-4-5'", "ANTHROPIC_API_KEY")


def test_calibrate_judge_that_is_not_a_judge(capsys):
    assert main(["calibrate", "--judge", "archbench/reference"]) == 2
    assert_message(capsys, "offline baseline architect", "cannot judge")


def test_resuming_next_to_a_truncated_log(tmp_path, capsys):
    argv = [*RUN, "--model", "archbench/reference", "--log-dir", str(tmp_path / "logs")]
    assert main(argv) == 0
    (info,) = list_eval_logs(str(tmp_path / "logs"))
    log = Path(info.name.removeprefix("file://"))
    log.write_bytes(log.read_bytes()[: log.stat().st_size // 2])
    capsys.readouterr()
    assert main(argv) == 2
    assert_message(capsys, "cannot resume", str(log), "rerun the same command")
    log.rename(log.with_name(log.name + ".broken"))  # what the message says to do
    assert main(argv) == 0


def test_scenarios_list_into_a_closed_pipe_exits_quietly():
    child = subprocess.Popen([sys.executable, "-m", "archbench", "scenarios", "list"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    child.stdout.close()  # the reader (`| head`) is gone before anything is written
    err = child.stderr.read().decode()
    assert child.wait(timeout=60) == 0
    assert err == ""
