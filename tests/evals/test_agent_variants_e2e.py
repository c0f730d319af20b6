"""Whole offline runs of agent files: same-name variants compared, declared models shown and run, skills required."""

import json
from pathlib import Path

from archbench.app.cli import main
from archbench.core.prompts import BASELINE_PROMPT
from archbench.evals.bash_tool import bash_available

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
SCENARIOS = FIXTURES / "scenarios"


def downloaded_backend_architect(tmp_path: Path) -> Path:
    """Another file named backend-architect, as a user would download it: other wording, model and tools."""
    text = BASELINE_PROMPT.read_text(encoding="utf-8")
    text = text.replace("model: opus\n", "model: haiku\ntools: Read, Grep, Glob\npermissionMode: plan\n", 1)
    path = tmp_path / "downloads" / "backend-architect.md"
    path.parent.mkdir()
    path.write_text(text.replace("You are an expert backend", "You are a pragmatic backend"), encoding="utf-8")
    return path


def test_two_files_named_backend_architect_run_and_are_compared(tmp_path, capsys):
    other = downloaded_backend_architect(tmp_path)
    out = tmp_path / "report"
    code = main(["run", "--prompt", str(BASELINE_PROMPT), "--prompt", str(other), "--model", "archbench/reference",
                 "--scenarios", str(SCENARIOS), "--log-dir", str(tmp_path / "logs"), "--out", str(out), "--display", "none"])
    assert code == 0
    console = capsys.readouterr().out
    assert "prompt backend-architect@prompts" in console and "prompt backend-architect@downloads" in console
    assert "model opus, runs on archbench/reference (--model overrides the declared model)" in console
    assert "permissionMode plan; tools read_file, glob, grep (declared in `tools`; permissionMode plan keeps the read-only ones)" in console
    assert "(no `tools` key: Claude Code's default, every tool)" in console

    summary = json.loads((out / "summary.json").read_text())
    variants = {variant["prompt"]: variant for variant in summary["variants"]}
    assert set(variants) == {"backend-architect@prompts", "backend-architect@downloads"}
    baseline, downloaded = variants["backend-architect@prompts"], variants["backend-architect@downloads"]
    assert baseline["declared_model"] == "opus" and downloaded["declared_model"] == "haiku"
    assert baseline["model_overridden"] and downloaded["model_overridden"]
    # every tool, Bash included where the sandbox can run (the README's test command runs without bubblewrap)
    every = ["read_file", "list_dir", "glob", "grep", "write_file", "edit_file"] + (["bash"] if bash_available() else [])
    assert baseline["tools"] == every
    assert baseline["tools_default"] is True and downloaded["tools_default"] is False
    assert downloaded["tools"] == ["read_file", "glob", "grep"] and downloaded["permission_mode"] == "plan"
    assert baseline["prompt_name"] == downloaded["prompt_name"] == "backend-architect"
    assert downloaded["prompt_file"] == str(other.resolve())
    (comparison,) = summary["comparisons"]
    assert {comparison["variant_a"], comparison["variant_b"]} == {
        "backend-architect@prompts × archbench/reference", "backend-architect@downloads × archbench/reference"}
    assert comparison["differs_in"] == "prompt"

    for report in ("report.md", "report.html"):
        text = (out / report).read_text()
        assert "Variants" in text and "name@" in text  # the label is explained
        assert "opus (overridden by --model)" in text and "haiku (overridden by --model)" in text
        assert "read_file, glob, grep" in text and "[default: no `tools` key]" in text
    notes = " ".join(summary["notes"])
    assert "2 agent files are named 'backend-architect'" in notes
    assert "offered different tools" in notes
    assert "Prompt backend-architect@prompts declares model 'opus'" in notes


def test_model_from_prompt_runs_each_file_on_its_declared_model(tmp_path, capsys):
    aliases = tmp_path / "aliases.yaml"
    aliases.write_text("aliases:\n  opus: archbench/reference\n  haiku: archbench/template\n  inherit: archbench/template\n")
    other = downloaded_backend_architect(tmp_path)
    out = tmp_path / "report"
    code = main(["run", "--prompt", str(BASELINE_PROMPT), "--prompt", str(other), "--model", "from-prompt",
                 "--model-aliases", str(aliases), "--scenarios", str(SCENARIOS), "--log-dir", str(tmp_path / "logs"),
                 "--out", str(out), "--display", "none"])
    assert code == 0
    assert "model opus, runs on archbench/reference (--model from-prompt)" in capsys.readouterr().out
    summary = json.loads((out / "summary.json").read_text())
    ran = {(variant["prompt"], variant["model"]): variant for variant in summary["variants"]}
    assert set(ran) == {("backend-architect@prompts", "archbench/reference"), ("backend-architect@downloads", "archbench/template")}
    assert not any(variant["model_overridden"] for variant in ran.values())
    assert ran[("backend-architect@prompts", "archbench/reference")]["declared_model_id"] == "archbench/reference"
    assert "overridden" not in (out / "report.md").read_text()


def test_from_prompt_with_other_models_and_unknown_declared_models_exit_2(tmp_path, capsys):
    base = ["run", "--scenarios", str(SCENARIOS), "--log-dir", str(tmp_path / "logs"), "--display", "none"]
    assert main([*base, "--model", "from-prompt", "--model", "archbench/reference"]) == 2
    assert "give it alone" in capsys.readouterr().err
    odd = tmp_path / "odd.md"
    odd.write_text("---\nname: odd\ndescription: d\nmodel: gpt5\n---\nPlan.\n")
    assert main([*base, "--prompt", str(odd), "--model", "from-prompt"]) == 2
    assert "model 'gpt5' is neither an alias" in capsys.readouterr().err


def test_a_prompt_whose_skill_is_missing_exits_2_and_a_skills_dir_supplies_it(tmp_path, capsys):
    agent = tmp_path / "project" / ".claude" / "agents" / "planner.md"
    agent.parent.mkdir(parents=True)
    agent.write_text("---\nname: planner\ndescription: d\nskills: django-house-style\n---\nPlan.\n")
    base = ["run", "--prompt", str(agent), "--model", "archbench/reference", "--scenarios", str(SCENARIOS), "--display", "none"]
    assert main([*base, "--log-dir", str(tmp_path / "a")]) == 2
    assert "skill(s) 'django-house-style' not found" in capsys.readouterr().err
    skill = tmp_path / "skills" / "django-house-style" / "SKILL.md"
    skill.parent.mkdir(parents=True)
    skill.write_text("Use UUID primary keys.\n")
    assert main([*base, "--skills-dir", str(tmp_path / "skills"), "--log-dir", str(tmp_path / "b"), "--out", str(tmp_path / "r")]) == 0
    (variant,) = json.loads((tmp_path / "r" / "summary.json").read_text())["variants"]
    assert variant["skills"] == ["django-house-style"]


def test_compare_says_when_from_prompt_pairs_two_models(tmp_path, capsys):
    aliases = tmp_path / "aliases.yaml"
    aliases.write_text("aliases:\n  opus: archbench/reference\n  haiku: archbench/template\n  inherit: archbench/template\n")
    other = downloaded_backend_architect(tmp_path)
    code = main(["compare", "--prompt", str(BASELINE_PROMPT), "--prompt", str(other), "--model", "from-prompt",
                 "--model-aliases", str(aliases), "--scenarios", str(SCENARIOS), "--log-dir", str(tmp_path / "logs"),
                 "--display", "none"])
    assert code == 0
    assert "declare different models (archbench/reference, archbench/template)" in capsys.readouterr().err
    (comparison,) = json.loads(next((tmp_path / "logs").rglob("comparison.json")).read_text())["comparisons"]
    assert comparison["model"] == "archbench/reference (A) vs archbench/template (B)"
    assert any("prompt and model together" in warning for warning in comparison["warnings"])


def test_published_files_run_end_to_end(tmp_path, caplog):
    """A file Claude Code tolerates but strict YAML rejects, and one with Bash(prefix:*) entries, through a whole run."""
    corpus = FIXTURES / "agent_files"
    planner = corpus / "sparkst__claude-code-quickstart/.claude/agents/planner.md"  # unquoted ': ' in its description
    patterns = corpus / "synthetic/bash-colon-patterns.md"
    out = tmp_path / "report"
    code = main(["run", "--prompt", str(planner), "--prompt", str(patterns), "--model", "archbench/reference",
                 "--scenarios", str(SCENARIOS), "--log-dir", str(tmp_path / "logs"), "--out", str(out), "--display", "none"])
    assert code == 0
    assert any("the value of 'description' contains ': '" in record.getMessage() for record in caplog.records)
    variants = {v["prompt"]: v for v in json.loads((out / "summary.json").read_text())["variants"]}
    assert variants["bash-colon-patterns"]["bash_allow"] == ["git log:*", "git diff:*", "git show:*"]
    assert variants["planner"]["declared_model"] == "sonnet" and variants["planner"]["tools_default"] is True
    assert "bash only: git log:*, git diff:*, git show:*" in (out / "report.md").read_text()
