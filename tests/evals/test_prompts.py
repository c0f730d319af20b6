"""Prompt loading: the shapes of Claude Code agent files found in real repos, and bad files."""

from pathlib import Path

import pytest

from archbench.core.prompts import (
    BASELINE_PROMPT,
    HARNESS_TOOLS,
    load_prompt,
    load_prompts,
)
from archbench.core.strict_yaml import InputError

READ_ONLY = ("read_file", "list_dir", "glob", "grep")


def write(tmp_path: Path, text: str, name: str = "agent.md") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8"))
    return path


def test_seed_prompt_is_the_baseline():
    prompt = load_prompt(BASELINE_PROMPT)
    assert prompt.name == "backend-architect"
    assert prompt.model == "opus"
    assert prompt.tools == HARNESS_TOOLS  # no `tools` key: every tool, as in Claude Code
    assert prompt.body.startswith("You are an expert backend **architect**")
    assert "<example>" in prompt.description
    assert prompt.warnings == ()


@pytest.mark.parametrize(
    "front_matter, tools, warned",
    [
        pytest.param("tools: Read, Grep, Glob, LS", READ_ONLY, [], id="comma-string"),
        pytest.param("tools:\n  - Read\n  - Grep\n  - Glob\n  - LS", READ_ONLY, [], id="yaml-list"),
        pytest.param("tools: Read, Edit, MultiEdit, Write", ("read_file", "write_file", "edit_file"), [], id="edit-tools"),
        pytest.param("tools: Read, Grep, WebFetch, TodoWrite, Task", ("read_file", "grep"), ["WebFetch", "TodoWrite", "Task"], id="unmapped-warn"),
        pytest.param("tools: Read, mcp__github__search_code", ("read_file",), ["mcp__github__search_code"], id="mcp-tool"),
        pytest.param("tools: Read, WebFetch(domain:docs.djangoproject.com)", ("read_file",), ["WebFetch"], id="permission-pattern"),
        pytest.param("disallowedTools: Write, Edit, MultiEdit", READ_ONLY, [], id="disallowed"),
        pytest.param("tools:", HARNESS_TOOLS, [], id="empty-tools-is-all"),
    ],
)
def test_tools_map_to_harness_tools(tmp_path, front_matter, tools, warned):
    path = write(tmp_path, f"---\nname: planner\ndescription: plans\n{front_matter}\n---\nYou plan.\n")
    prompt = load_prompt(path)
    assert prompt.tools == tools
    assert len(prompt.warnings) == len(warned)
    for name, warning in zip(warned, prompt.warnings):
        assert f"'{name}'" in warning and str(path) in warning


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("---\nname: a\ndescription: d\nmodel: inherit\nmemory: project\ncolor: green\n---\nBody\n", id="inherit-and-memory"),
        pytest.param("---\r\nname: a\r\ndescription: d\r\n---\r\nBody\r\n", id="crlf"),
        pytest.param("\ufeff---\nname: a\ndescription: d\n---\nBody\n", id="bom"),
        pytest.param('---\nname: a\ndescription: "Use when: planning\\n<example>x</example>"\n---\n\nBody\n', id="quoted-colons"),
    ],
)
def test_real_world_shapes_load(tmp_path, text):
    prompt = load_prompt(write(tmp_path, text))
    assert prompt.name == "a" and prompt.body.strip() == "Body" and prompt.model is None


@pytest.mark.parametrize(
    "text, message, line",
    [
        pytest.param("You are an architect.\n", "no YAML front matter", 1, id="no-front-matter"),
        pytest.param("---\nname: a\ndescription: d\n---\n\n  \n", "empty body", None, id="empty-body"),
        pytest.param("---\nname: a\ndescription: Use this: when: x\n---\nBody\n", "invalid YAML", 3, id="yaml-error-line"),
        pytest.param("---\nname: a\nname: b\n---\nBody\n", "duplicate key 'name'", 3, id="duplicate-key"),
        pytest.param("---\ndescription: d\n---\nBody\n", "needs 'name'", 2, id="missing-name"),
        pytest.param("---\nname: a\ntools: 3\n---\nBody\n", "'tools' must be", 3, id="tools-wrong-type"),
        pytest.param("---\n- a\n- b\n---\nBody\n", "must be a mapping", 2, id="not-a-mapping"),
    ],
)
def test_bad_files_get_one_clear_error(tmp_path, text, message, line):
    path = write(tmp_path, text)
    with pytest.raises(InputError) as caught:
        load_prompt(path)
    assert message in str(caught.value)
    assert str(caught.value).startswith(str(path))
    assert caught.value.line == line


def test_missing_and_non_utf8_files(tmp_path):
    with pytest.raises(InputError, match="file not found"):
        load_prompt(tmp_path / "nope.md")
    with pytest.raises(InputError, match="not valid UTF-8"):
        load_prompt(write_bytes(tmp_path, b"---\nname: a\n---\n\xff\xfe\x00body"))


def write_bytes(tmp_path: Path, data: bytes) -> Path:
    path = tmp_path / "binary.md"
    path.write_bytes(data)
    return path


def test_same_name_variants_are_told_apart_by_file_stem(tmp_path):
    first = write(tmp_path, "---\nname: arch\n---\nA\n", "arch-v1.md")
    second = write(tmp_path, "---\nname: arch\n---\nB\n", "arch-v2.md")
    names = [prompt.name for prompt in load_prompts([first, second])]
    assert names == ["arch@arch-v1", "arch@arch-v2"]
    with pytest.raises(InputError, match="given twice"):
        load_prompts([first, first])
