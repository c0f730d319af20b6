"""Published agent files (tests/fixtures/agent_files, with their licences and SOURCES.md) load as Claude Code loads them.

expected.yaml says, per file, what Claude Code does with it (written from CLAUDE_CODE_SEMANTICS.md before archbench
ran on the corpus): whether it loads, its name, model, permission mode, effective tools, Bash patterns, unrecognised
tools, skills and unknown keys. Every file Claude Code loads must load here, with the same reading; files it refuses
to spawn are refused here too; the others may load (archbench is more lenient, always with a warning) or fail with
an error at the right line.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from archbench.core.prompts import ALL_TOOLS, NOT_APPLIED, load_prompt
from archbench.core.strict_yaml import InputError

CORPUS = Path(__file__).resolve().parents[1] / "fixtures" / "agent_files"
EXPECTED = yaml.safe_load((CORPUS / "expected.yaml").read_text(encoding="utf-8"))["files"]
# Claude Code's tool → archbench's, written here independently of the loader's own table
HARNESS = {"Read": "read_file", "Glob": "glob", "Grep": "grep", "Write": "write_file", "Edit": "edit_file", "Bash": "bash"}
# the errors archbench gives the files Claude Code does not load: (message, line)
REFUSALS = {
    "ihwooMil__mcp-memory-server/.claude/agents/implementer.md": ("no YAML front matter", 1),
    "ihwooMil__mcp-memory-server/.claude/agents/reviewer.md": ("no YAML front matter", 1),
    "synthetic/tab-indented-list.md": ("a tab indents this line", 5),
    "synthetic/unclosed-quote.md": ('the " opened on this line is never closed', 3),
    "synthetic/missing-closing-delimiter.md": ("closing '---' line is missing", 1),
}


def first_word(value) -> str | None:
    """expected.yaml annotates some values ("inherit (not declared; default) [doc S1]"): the value is the first word."""
    return None if value is None else str(value).split()[0]


def expected_tools(entry: dict) -> tuple[str, ...]:
    tools = entry["tools"]
    if tools == "all":
        wanted = set(ALL_TOOLS)
    elif tools == "all minus disallowedTools":
        wanted = set(ALL_TOOLS) - {HARNESS[name] for name in entry["disallowed_tools"] if name in HARNESS}
    else:
        wanted = {HARNESS[name] for name in tools if name in HARNESS}
    if first_word(entry["permission_mode"]) == "plan":
        wanted &= {"read_file", "list_dir", "glob", "grep"}
    return tuple(tool for tool in ALL_TOOLS if tool in wanted)


def missing_skills_dir(entry: dict, tmp_path: Path) -> Path | None:
    """Skills named by a synthetic file exist nowhere: supply placeholder SKILL.md files, marked as such."""
    if not entry["path"].startswith("synthetic/") or not entry["skills"]:
        return None
    for name in entry["skills"]:
        skill = tmp_path / name / "SKILL.md"
        skill.parent.mkdir(parents=True)
        skill.write_text(f"---\nname: {name}\n---\nPLACEHOLDER skill for the corpus test.\n")
    return tmp_path


def claude_code_loads(entry: dict) -> bool:
    return entry["loads"] and "refused" not in str(entry.get("spawn", ""))


@pytest.mark.parametrize("entry", EXPECTED, ids=[entry["path"] for entry in EXPECTED])
def test_corpus_file_is_read_as_claude_code_reads_it(entry, tmp_path):
    path = CORPUS / entry["path"]
    if "refused" in str(entry.get("spawn", "")):
        with pytest.raises(InputError, match="no tool in 'tools' is a Claude Code tool"):
            load_prompt(path)
        return
    if not entry["loads"] and entry["path"] in REFUSALS:
        message, line = REFUSALS[entry["path"]]
        with pytest.raises(InputError) as caught:
            load_prompt(path)
        assert message in str(caught.value) and caught.value.line == line
        return
    skills_dir = missing_skills_dir(entry, tmp_path)
    if skills_dir is not None:  # without its skills the file is refused, by design: the agent would run without them
        with pytest.raises(InputError, match="not found"):
            load_prompt(path)
    prompt = load_prompt(path, skills_dir)
    name = entry["name"] if entry["name"] is not None else entry["as_plugin"]["name"]
    assert prompt.name == name
    assert prompt.model == first_word(entry["model"])
    assert prompt.permission_mode == first_word(entry["permission_mode"])
    assert prompt.tools == expected_tools(entry)
    assert prompt.tools_declared == (entry["tools"] not in ("all", "all minus disallowedTools"))
    bash_patterns = entry["bash_patterns"] if "bash" in prompt.tools else []
    assert sorted(prompt.bash_allow) == sorted(bash_patterns)
    assert sorted(prompt.unrecognised_tools) == sorted(entry["unrecognised_tools"])
    assert [skill.name for skill in prompt.skills] == entry["skills"]
    assert sorted(prompt.unknown_keys) == sorted(entry["unknown_keys"])
    for key in entry["other_keys"]:
        if key in NOT_APPLIED:  # documented keys archbench cannot apply are named, never dropped silently
            assert any(f"'{key}' is recorded but not applied" in warning for warning in prompt.warnings), key
    if entry.get("description_missing") or entry["name"] is None or entry["strict_yaml"] != "ok":
        assert prompt.warnings, "a repaired or incomplete file always says so"


def test_no_file_claude_code_loads_is_refused():
    refused = []
    for entry in EXPECTED:
        if not claude_code_loads(entry):
            continue
        path = CORPUS / entry["path"]
        try:
            load_prompt(path, path.parent if entry["path"].startswith("synthetic/") and entry["skills"] else None)
        except InputError as error:
            if entry["skills"] and "not found" in str(error) and entry["path"].startswith("synthetic/"):
                continue  # placeholder skills; checked with them above
            refused.append(f"{entry['path']}: {error}")
    assert refused == []
    assert sum(claude_code_loads(entry) for entry in EXPECTED) >= 40
