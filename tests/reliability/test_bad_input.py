"""Bad input through the CLI: each broken file gets one clear message naming the file (and the
line where there is one), exit code 2, no traceback, and nothing half-written.

Each case copies the fixture corpus (scenarios + repo) into a temporary folder, breaks one
file, runs the command a user would run, and checks stderr, the exit code and that no log
or report folder was created.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from archbench.app.cli import main
from tests.reliability.support import FIXTURES, tree_hash

Breaker = Callable[[Path], None]


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    """tmp/scenarios (mini-tags + its reference) and tmp/mini_repo, laid out like the fixtures."""
    shutil.copytree(FIXTURES / "scenarios", tmp_path / "scenarios")
    shutil.copytree(FIXTURES / "mini_repo", tmp_path / "mini_repo")
    return tmp_path


def edit(relative: str, old: str, new: str) -> Breaker:
    def apply(root: Path) -> None:
        path = root / relative
        text = path.read_text()
        assert old in text, f"{old!r} not in {relative}"
        path.write_text(text.replace(old, new, 1))

    return apply


def write(relative: str, content: str | bytes) -> Breaker:
    def apply(root: Path) -> None:
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content if isinstance(content, bytes) else content.encode())

    return apply


def copy(source: str, destination: str) -> Breaker:
    return lambda root: shutil.copy(root / source, root / destination)


SCENARIO = "scenarios/mini-tags.yaml"
CONVENTIONS = "mini_repo/archbench.yaml"

# (how to break the corpus, file named in the message, line or None, what the message says)
SCENARIO_CASES = [
    pytest.param(edit(SCENARIO, "    - id: tag-model\n", "    - id: tag-model\n      colour: red\n"), SCENARIO, 12, "unknown key 'colour'", id="rubric-unknown-key"),
    pytest.param(edit(SCENARIO, "      status_codes: [200]", "      status_codes: two hundred"), SCENARIO, 23, "status_codes", id="rubric-wrong-type"),
    pytest.param(edit(SCENARIO, "  models:\n", "  models: [\n"), SCENARIO, None, "invalid YAML", id="yaml-syntax"),
    pytest.param(edit(SCENARIO, "title: Tags on notes\n", "title: Tags on notes\ntitle: Tags again\n"), SCENARIO, 4, "duplicate key 'title'", id="duplicate-key"),
    pytest.param(edit(SCENARIO, "version: 1", "version: one"), SCENARIO, 2, "version", id="version-not-int"),
    pytest.param(edit(SCENARIO, "category: new_feature", "category: feature"), SCENARIO, 4, "category", id="unknown-category"),
    pytest.param(edit(SCENARIO, "repo: ../mini_repo", "repo: ../no_such_repo"), SCENARIO, None, "repo '../no_such_repo' not found", id="missing-repo"),
    pytest.param(edit(SCENARIO, "reference_plan: references/mini-tags.md", "reference_plan: references/gone.md"), SCENARIO, None, "reference_plan 'references/gone.md' not found", id="missing-reference-plan"),
    pytest.param(edit(SCENARIO, "id: mini-tags", "id: other-id"), SCENARIO, None, "must equal the file name", id="id-not-file-stem"),
    pytest.param(copy(SCENARIO, "scenarios/mini-tags.yml"), "scenarios/mini-tags.yml", None, "duplicate scenario id 'mini-tags'", id="duplicate-id"),
    pytest.param(write(SCENARIO, b"id: mini-tags\ntitle: \xff\xfe broken\n"), SCENARIO, None, "not valid UTF-8", id="non-utf8"),
    pytest.param(
        write(SCENARIO, b"id: mini-tags\n\x00\x01\x02\x03binary\n"), SCENARIO, 2, "invalid YAML", id="binary",
    ),
    pytest.param(write(SCENARIO, ""), SCENARIO, 1, "empty document", id="empty"),
    pytest.param(write(SCENARIO, "- just\n- a list\n"), SCENARIO, None, "", id="not-a-mapping"),
    pytest.param(edit(CONVENTIONS, "check: api_prefix", "check: api_prefixes"), CONVENTIONS, 8, "check", id="conventions-unknown-check"),
    pytest.param(edit(CONVENTIONS, "backend_dir: backend\n", "backend_dir: backend\nbackend_dir: api\n"), CONVENTIONS, 4, "duplicate key 'backend_dir'", id="conventions-duplicate-key"),
]


def assert_one_clear_error(captured, file: Path, line: int | None, message: str) -> None:
    lines = [entry for entry in captured.err.splitlines() if entry.strip()]
    assert len(lines) == 1, captured.err
    (error,) = lines
    assert "Traceback" not in captured.err + captured.out
    assert error.startswith("archbench: ") and str(file) in error and message in error, error
    if line is not None:
        assert f"{file}:{line}:" in error, error


@pytest.mark.parametrize("breaker, file, line, message", SCENARIO_CASES)
def test_broken_scenario_files_stop_a_run_before_anything_is_written(corpus, capsys, breaker, file, line, message):
    breaker(corpus)
    before = tree_hash(corpus)
    code = main(["run", "--scenarios", str(corpus / "scenarios"), "--model", "archbench/reference",
                 "--log-dir", str(corpus / "logs"), "--out", str(corpus / "report"), "--display", "none"])
    assert code == 2
    assert_one_clear_error(capsys.readouterr(), corpus / file, line, message)
    assert tree_hash(corpus) == before  # no logs/, no report/, inputs untouched


@pytest.mark.parametrize(
    "front_matter, line, message",
    [
        pytest.param("You plan.\n", 1, "no YAML front matter", id="no-front-matter"),
        pytest.param("---\nname: a\ntools: [Read\n---\nYou plan.\n", None, "invalid YAML", id="yaml-error"),
        pytest.param("---\nname: a\nname: b\n---\nYou plan.\n", 3, "duplicate key 'name'", id="duplicate-key"),
        pytest.param("---\nname: a\n---\n", None, "empty body", id="empty-body"),
    ],
)
def test_broken_prompt_files(corpus, capsys, front_matter, line, message):
    prompt = corpus / "broken-agent.md"
    prompt.write_text(front_matter)
    code = main(["run", "--prompt", str(prompt), "--scenarios", str(corpus / "scenarios"), "--model", "archbench/reference",
                 "--log-dir", str(corpus / "logs"), "--display", "none"])
    assert code == 2
    assert_one_clear_error(capsys.readouterr(), prompt, line, message)
    assert not (corpus / "logs").exists()


CONFIG = """name: nightly
prompts: [../../prompts/backend-architect.md]
models:
  - name: archbench/reference
    generate: {max_retries: 3}
scenarios: {dir: scenarios}
epochs: 1
log_dir: logs
"""


@pytest.mark.parametrize(
    "old, new, line, message",
    [
        pytest.param("epochs: 1", "epochs: 1\nepoch: 2", 8, "unknown key 'epoch'", id="unknown-key"),
        pytest.param("epochs: 1", "epochs: 1\nepochs: 2", 8, "duplicate key 'epochs'", id="duplicate-key"),
        pytest.param("{max_retries: 3}", "{max_retrys: 3}", 5, "unknown generation setting", id="unknown-generate-setting"),
        pytest.param("epochs: 1", "epochs: 0", 7, "epochs", id="zero-epochs"),
        pytest.param("../../prompts/backend-architect.md", "missing.md", None, "prompt file", id="missing-prompt"),
        pytest.param("models:\n", "models:\n  - gpt-5\n", 4, "models.0.name", id="model-without-provider"),
    ],
)
def test_broken_config_files(corpus, capsys, old, new, line, message):
    config = corpus / "configs" / "nightly.yaml"
    config.parent.mkdir()
    # the config sits two levels below the project root in a real checkout; give it the seed prompt there too
    (corpus / "prompts").mkdir()
    shutil.copy(FIXTURES.parent.parent / "prompts" / "backend-architect.md", corpus / "prompts")
    config.write_text(CONFIG.replace("scenarios: {dir: scenarios}", f"scenarios: {{dir: {corpus / 'scenarios'}}}").replace(old, new, 1))
    code = main(["run", "--config", str(config), "--display", "none"])
    assert code == 2
    assert_one_clear_error(capsys.readouterr(), config, line, message)
    assert not (config.parent / "logs").exists()


@pytest.fixture(scope="module")
def small_log_dir(tmp_path_factory) -> Path:
    """A finished offline run to report on."""
    from archbench.app.run import RunSpec, run_matrix

    log_dir = tmp_path_factory.mktemp("report-input") / "logs"
    success, _ = run_matrix(RunSpec(models=["archbench/reference"], scenarios_dir=FIXTURES / "scenarios", log_dir=log_dir), display="none")
    assert success
    return log_dir


@pytest.mark.parametrize(
    "prices, line, message",
    [
        pytest.param("models:\n  openai/gpt-4o: {input: 2.5, ouput: 10}\n", 2, "unknown key 'ouput' (and 1 more", id="misspelt-key"),
        pytest.param("models:\n  openai/gpt-4o: {input: -1, output: 10}\n", 2, "greater than or equal to 0", id="negative-price"),
        pytest.param("models:\n  openai/gpt-4o: {input: 2.5, output: 10}\n  openai/gpt-4o: {input: 3, output: 10}\n", 3, "duplicate key", id="duplicate-model"),
        pytest.param("models: {}\n", None, "models", id="empty-table"),
        pytest.param("models:\n  openai/gpt-4o: {input: 2.5, output: ten}\n", 2, "output", id="price-not-a-number"),
    ],
)
def test_broken_price_files(small_log_dir, tmp_path, capsys, prices, line, message):
    price_file = tmp_path / "prices.yaml"
    price_file.write_text(prices)
    code = main(["report", str(small_log_dir), "--prices", str(price_file), "--out", str(tmp_path / "report")])
    assert code == 2
    assert_one_clear_error(capsys.readouterr(), price_file, line, message)
    assert not (tmp_path / "report").exists()


@pytest.mark.parametrize(
    "plan, message",
    [
        pytest.param(None, "file not found", id="missing-plan"),
        pytest.param(b"# Plan\n\xff\xfe\x00 not text\n", "not valid UTF-8", id="non-utf8-plan"),
        pytest.param("plan-is-a-directory", "is a directory", id="directory"),
    ],
)
def test_grade_rejects_unreadable_plan_files(tmp_path, capsys, plan, message):
    path = tmp_path / "plan.md"
    if isinstance(plan, bytes):
        path.write_bytes(plan)
    elif plan == "plan-is-a-directory":
        path.mkdir()
    code = main(["grade", str(path), "--scenario", "mini-tags", "--scenarios", str(FIXTURES / "scenarios")])
    assert code == 2
    assert_one_clear_error(capsys.readouterr(), path, None, message)


def test_report_on_a_folder_without_logs_is_a_clear_error(tmp_path, capsys):
    (tmp_path / "empty").mkdir()
    assert main(["report", str(tmp_path / "empty"), "--out", str(tmp_path / "report")]) == 2
    error = capsys.readouterr().err
    assert "no samples to report on" in error and "Traceback" not in error
    assert not (tmp_path / "report").exists()


def test_unknown_model_argument_is_bad_input(tmp_path, capsys):
    code = main(["run", "--scenarios", str(FIXTURES / "scenarios"), "--model", "openai/gpt-4o-mini", "--model-base-url", "http://127.0.0.1:9/v1",
                 "-M", "api_key=sk-test", "-M", "bogus_argument=1", "--log-dir", str(tmp_path / "logs"), "--display", "none"])
    assert code == 2 and re.search(r"bogus_argument", capsys.readouterr().err)
