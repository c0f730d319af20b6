"""Prompt loading: Claude Code agent files read with Claude Code's semantics, and bad files.

The published files in tests/fixtures/agent_files are checked in tests/evals/test_agent_corpus.py.
"""

from pathlib import Path

import pytest

from archbench.core.model_aliases import load_aliases
from archbench.core.prompts import (
    ALL_TOOLS,
    BASELINE_PROMPT,
    KNOWN_FRONT_MATTER,
    load_prompt,
    load_prompts,
)
from archbench.core.strict_yaml import InputError

READ_ONLY = ("read_file", "glob", "grep")


def write(tmp_path: Path, text: str, name: str = "agent.md") -> Path:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode("utf-8"))
    return path


def test_seed_prompt_is_the_baseline():
    prompt = load_prompt(BASELINE_PROMPT)
    assert prompt.name == "backend-architect"
    assert prompt.model == "opus"
    assert prompt.tools == ALL_TOOLS and "bash" in ALL_TOOLS  # no `tools` key: every tool, Bash included, as in Claude Code
    assert not prompt.tools_declared and "Claude Code's default" in prompt.tools_note
    assert prompt.permission_mode == "default"
    assert prompt.body.startswith("You are an expert backend **architect**")
    assert "<example>" in prompt.description
    assert prompt.warnings == ()


@pytest.mark.parametrize(
    "front_matter, tools, warned",
    [
        pytest.param("tools: Read, Grep, Glob", READ_ONLY, [], id="comma-string"),
        pytest.param("tools:\n  - Read\n  - Grep\n  - Glob", READ_ONLY, [], id="yaml-list"),
        pytest.param("tools: [Read, Grep, Glob]", READ_ONLY, [], id="flow-list"),
        pytest.param("tools: Read, Edit, Write", ("read_file", "write_file", "edit_file"), [], id="edit-tools"),
        pytest.param("tools: Read, Grep, WebFetch, TodoWrite, Task", ("read_file", "grep"), ["WebFetch", "TodoWrite", "Task"], id="no-counterpart"),
        pytest.param("tools: Read, mcp__github__search_code", ("read_file",), ["mcp__github__search_code"], id="mcp-tool"),
        pytest.param("tools: Read, WebFetch(domain:docs.djangoproject.com)", ("read_file",), ["WebFetch"], id="permission-pattern"),
        pytest.param("tools: Read, LS, MultiEdit", ("read_file",), ["LS", "MultiEdit"], id="retired-names-dropped"),
        pytest.param("disallowedTools: Write, Edit, Bash", ("read_file", "list_dir", "glob", "grep"), [], id="disallowed"),
        pytest.param("tools:", ALL_TOOLS, [], id="null-tools-is-all"),
    ],
)
def test_tools_map_to_harness_tools(tmp_path, front_matter, tools, warned):
    path = write(tmp_path, f"---\nname: planner\ndescription: plans\n{front_matter}\n---\nYou plan.\n")
    prompt = load_prompt(path)
    assert prompt.tools == tools
    assert len(prompt.warnings) == len(warned)
    for name, warning in zip(warned, prompt.warnings):
        assert f"'{name}" in warning and str(path) in warning


def test_retired_tool_names_are_explained(tmp_path):
    prompt = load_prompt(write(tmp_path, "---\nname: a\ndescription: d\ntools: Read, LS\n---\nB\n"))
    assert prompt.unrecognised_tools == ("LS",)
    assert "retired Claude Code tool name" in prompt.warnings[0] and "Claude Code drops it" in prompt.warnings[0]


@pytest.mark.parametrize(
    "tools, allow",
    [
        pytest.param("Read, Bash(git log:*), Bash(npm run test:*), Bash(ls)", ("git log:*", "npm run test:*", "ls"), id="patterns"),
        pytest.param("[Read, 'Bash(git *)', 'Bash(gh pr view *)']", ("git *", "gh pr view *"), id="yaml-list-patterns"),
        pytest.param("Read, Bash(git log:*), Bash", (), id="bare-bash-is-unrestricted"),
        pytest.param("Read, Bash(*)", (), id="star-is-unrestricted"),
    ],
)
def test_bash_patterns_become_an_allow_list(tmp_path, tools, allow):
    prompt = load_prompt(write(tmp_path, f"---\nname: a\ndescription: d\ntools: {tools}\n---\nB\n"))
    assert prompt.tools == ("read_file", "bash")
    assert prompt.bash_allow == allow


def test_bash_deny_patterns_are_kept(tmp_path):
    prompt = load_prompt(write(tmp_path, "---\nname: a\ndescription: d\ndisallowedTools: Bash(rm:*)\n---\nB\n"))
    assert "bash" in prompt.tools and prompt.bash_deny == ("rm:*",)


@pytest.mark.parametrize(
    "mode, tools",
    [
        pytest.param("plan", ("read_file", "list_dir", "glob", "grep"), id="plan-is-read-only"),
        pytest.param("acceptEdits", ALL_TOOLS, id="accept-edits"),
        pytest.param("bypassPermissions", ALL_TOOLS, id="bypass"),
    ],
)
def test_permission_mode(tmp_path, mode, tools):
    prompt = load_prompt(write(tmp_path, f"---\nname: a\ndescription: d\npermissionMode: {mode}\n---\nB\n"))
    assert prompt.permission_mode == mode
    assert prompt.tools == tools


def test_plan_mode_keeps_only_the_read_only_part_of_declared_tools(tmp_path):
    prompt = load_prompt(write(tmp_path, "---\nname: a\ndescription: d\ntools: Read, Write, Bash(git:*)\npermissionMode: plan\n---\nB\n"))
    assert prompt.tools == ("read_file",) and prompt.bash_allow == ()
    assert any("permissionMode plan" in warning and "bash" in warning for warning in prompt.warnings)


def test_unknown_permission_mode_warns_and_falls_back_to_default(tmp_path):
    prompt = load_prompt(write(tmp_path, "---\nname: a\ndescription: d\npermissionMode: read-only\n---\nB\n"))
    assert prompt.permission_mode == "default"
    assert any("'read-only' is not a Claude Code mode" in warning for warning in prompt.warnings)


def test_model_is_recorded_as_declared(tmp_path):
    assert load_prompt(write(tmp_path, "---\nname: a\ndescription: d\nmodel: haiku\n---\nB\n")).model == "haiku"
    assert load_prompt(write(tmp_path, "---\nname: a\ndescription: d\n---\nB\n")).model == "inherit"
    assert load_prompt(write(tmp_path, "---\nname: a\ndescription: d\nmodel: claude-opus-4-6\n---\nB\n")).model == "claude-opus-4-6"


# -- skills ---------------------------------------------------------------------------------


def project_with_skill(tmp_path: Path, skills: str = "django-style") -> Path:
    write(tmp_path, "---\nname: django-style\ndescription: House style\n---\nUse UUID primary keys.\n",
          ".claude/skills/django-style/SKILL.md")
    return write(tmp_path, f"---\nname: a\ndescription: d\nskills: {skills}\n---\nYou plan.\n", ".claude/agents/a.md")


def test_skills_are_found_beside_the_project_inlined_and_hashed(tmp_path):
    agent = project_with_skill(tmp_path)
    prompt = load_prompt(agent)
    assert [skill.name for skill in prompt.skills] == ["django-style"]
    assert prompt.body.startswith("You plan.") and "# Skill: django-style\n\nUse UUID primary keys." in prompt.body
    assert "House style" not in prompt.body  # the skill's front matter is not part of its text
    before = prompt.sha
    (tmp_path / ".claude/skills/django-style/SKILL.md").write_text("---\nname: django-style\n---\nUse integer keys.\n")
    assert load_prompt(agent).sha != before  # the skill is part of the prompt's identity


def test_skills_dir_is_looked_in_first_and_plugin_names_resolve(tmp_path):
    agent = project_with_skill(tmp_path / "project", "[team:django-style]")
    write(tmp_path, "---\nname: django-style\n---\nTeam override.\n", "shared/django-style/SKILL.md")
    assert "Team override." in load_prompt(agent, skills_dir=tmp_path / "shared").body
    assert "Use UUID primary keys." in load_prompt(agent).body


def test_a_missing_skill_is_a_clear_error(tmp_path):
    agent = project_with_skill(tmp_path, "django-style, api-style")
    with pytest.raises(InputError) as caught:
        load_prompt(agent)
    message = str(caught.value)
    assert "'api-style' not found" in message and "django-style'" not in message.split("not found")[0]
    assert str(tmp_path / ".claude/skills/<name>/SKILL.md") in message and "--skills-dir" in message
    assert caught.value.line == 4


# -- tool lists that end up empty, unknown keys, missing name/description ----------------------


def test_empty_tools_warns_and_runs_without_tools(tmp_path):
    prompt = load_prompt(write(tmp_path, "---\nname: a\ndescription: d\ntools: []\n---\nB\n"))
    assert prompt.tools == ()
    assert any("'tools' is empty" in warning for warning in prompt.warnings)


def test_tools_that_are_all_unrecognised_are_refused_like_claude_code(tmp_path):
    path = write(tmp_path, "---\nname: a\ndescription: d\ntools: [Context7 MCP, DocsSearch]\n---\nB\n")
    with pytest.raises(InputError, match=r"no tool in 'tools' is a Claude Code tool \(Context7 MCP, DocsSearch\)") as caught:
        load_prompt(path)
    assert caught.value.line == 4


def test_tools_with_no_archbench_counterpart_warn(tmp_path):
    prompt = load_prompt(write(tmp_path, "---\nname: a\ndescription: d\ntools: WebSearch, WebFetch\n---\nB\n"))
    assert prompt.tools == ()
    assert any("none of the agent's tools exists in archbench" in warning for warning in prompt.warnings)


@pytest.mark.parametrize(
    "key, hint",
    [
        pytest.param("permissionmode: plan", "did you mean 'permissionMode'", id="case"),
        pytest.param("Model: opus", "did you mean 'model'", id="capital"),
        pytest.param("allowed-tools: Read", "a key of skills and slash commands", id="allowed-tools"),
        pytest.param("discription: d", "did you mean 'description'", id="typo"),
        pytest.param("version: 1.0", "not a Claude Code agent key", id="unrelated"),
    ],
)
def test_unknown_keys_are_named_with_a_hint(tmp_path, key, hint):
    prompt = load_prompt(write(tmp_path, f"---\nname: a\ndescription: d\n{key}\n---\nB\n"))
    (warning,) = [warning for warning in prompt.warnings if "unknown key" in warning]
    assert f"unknown key '{key.split(':')[0]}'" in warning and hint in warning and ":4:" in warning
    assert prompt.tools == ALL_TOOLS and prompt.permission_mode == "default"  # ignored, as Claude Code ignores it


def test_known_keys_come_from_the_claude_code_docs():
    assert {"permissionMode", "skills", "maxTurns", "mcpServers", "hooks", "memory", "initialPrompt"} <= KNOWN_FRONT_MATTER


def test_missing_name_falls_back_to_the_file_stem(tmp_path):
    prompt = load_prompt(write(tmp_path, "---\ndescription: d\n---\nBody\n", "data-modeler.md"))
    assert prompt.name == "data-modeler"
    assert any("no 'name'" in warning and "'data-modeler'" in warning for warning in prompt.warnings)


def test_missing_description_warns(tmp_path):
    prompt = load_prompt(write(tmp_path, "---\nname: a\n---\nBody\n"))
    assert any("no 'description'" in warning for warning in prompt.warnings)


# -- lenient YAML where Claude Code is lenient; clear errors where it is not -------------------


@pytest.mark.parametrize(
    "description, expected, what",
    [
        pytest.param("Use this agent when: planning. Examples: a", "Use this agent when: planning. Examples: a", "contains ': '", id="colon"),
        pytest.param("**ARCHITECT**: designs systems", "**ARCHITECT**: designs systems", "starts with '*'", id="leading-stars"),
        pytest.param("Plans features. Example:\n  user: add a field\n  assistant: ok", "Plans features. Example: user: add a field assistant: ok",
                     "contains ': '", id="indented-continuation"),
    ],
)
def test_descriptions_claude_code_tolerates_load_with_a_warning(tmp_path, description, expected, what):
    path = write(tmp_path, f"---\nname: a\ndescription: {description}\ntools: Read\n---\nBody\n")
    prompt = load_prompt(path)
    assert prompt.description == expected and prompt.tools == ("read_file",)
    (warning,) = prompt.warnings
    assert warning.startswith(f"{path}:3: the value of 'description' {what}") and "quote the value" in warning


def test_crlf_with_an_unquoted_colon_loads(tmp_path):
    prompt = load_prompt(write(tmp_path, "---\r\nname: a\r\ndescription: Reviews: schemas\r\n---\r\nBody\r\n"))
    assert prompt.description == "Reviews: schemas" and len(prompt.warnings) == 1


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
    assert prompt.name == "a" and prompt.body.strip() == "Body" and prompt.model == "inherit"


@pytest.mark.parametrize(
    "text, message, line",
    [
        pytest.param("You are an architect.\n", "no YAML front matter", 1, id="no-front-matter"),
        pytest.param("---\nname: a\ndescription: d\ntools: Read\n\nYou plan.\n", "closing '---' line is missing", 1, id="no-closing"),
        pytest.param("---\nname: a\ndescription: d\n---\n\n  \n", "empty body", None, id="empty-body"),
        pytest.param('---\nname: a\ndescription: "Reviews tasks.\ntools: Read\nmodel: sonnet\n---\nBody\n',
                     'the " opened on this line is never closed', 3, id="unclosed-quote-points-at-its-start"),
        pytest.param("---\nname: a\ntools:\n\t- Read\n---\nBody\n", "a tab indents this line", 4, id="tab"),
        pytest.param("---\nname: a\ndescription: Plans. Examples:\n<example>\nuser: x\n</example>\n---\nBody\n",
                     "neither 'key: value' nor indented", 4, id="unindented-continuation"),
        pytest.param("---\nname: a\nname: b\n---\nBody\n", "duplicate key 'name'", 3, id="duplicate-key"),
        pytest.param("---\nname: a b\n---\nBody\n", "'name' must be", 2, id="bad-name"),
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


# -- variants: files sharing a name ----------------------------------------------------------------


def test_same_name_files_are_told_apart_by_folder_then_content_hash(tmp_path):
    first = write(tmp_path, "---\nname: arch\n---\nA\n", "v1/arch.md")
    second = write(tmp_path, "---\nname: arch\n---\nB\n", "v2/arch.md")
    other = write(tmp_path, "---\nname: other\n---\nC\n", "v1/other.md")
    assert [prompt.name for prompt in load_prompts([first, second, other])] == ["arch@v1", "arch@v2", "other"]
    third = write(tmp_path, "---\nname: arch\n---\nC\n", "x/v1/arch.md")  # same folder name as `first`
    prompts = load_prompts([first, third])
    assert [prompt.name for prompt in prompts] == [f"arch@{prompts[0].sha[:6]}", f"arch@{prompts[1].sha[:6]}"]
    assert [prompt.name for prompt in load_prompts([first, third])] == [prompt.name for prompt in prompts]  # stable
    with pytest.raises(InputError, match="given twice"):
        load_prompts([first, first])


def test_the_baseline_and_a_downloaded_file_of_the_same_name_both_load(tmp_path):
    downloaded = write(tmp_path, BASELINE_PROMPT.read_text().replace("You are an expert", "You are a pragmatic"),
                       "downloads/backend-architect.md")
    names = [prompt.name for prompt in load_prompts([BASELINE_PROMPT, downloaded])]
    assert names == ["backend-architect@prompts", "backend-architect@downloads"]


# -- the alias table --------------------------------------------------------------------------------


def test_alias_table_resolves_declared_models():
    aliases = load_aliases()
    assert aliases.resolve("opus").startswith("anthropic/claude-opus")
    assert aliases.resolve("inherit") == aliases.resolve(None)
    assert aliases.resolve("claude-sonnet-4-5-20250929") == "anthropic/claude-sonnet-4-5-20250929"
    assert aliases.resolve("openai/gpt-5") == "openai/gpt-5"
    with pytest.raises(InputError, match="model 'gpt5' is neither an alias"):
        aliases.resolve("gpt5")


@pytest.mark.parametrize(
    "text, message",
    [
        pytest.param("aliases:\n  opus: claude-opus\n  inherit: anthropic/x\n", "not an inspect model name", id="no-provider"),
        pytest.param("aliases:\n  opus: anthropic/x\n", "needs 'inherit'", id="no-inherit"),
        pytest.param("aliases:\n  inherit: anthropic/x\nalias:\n  a: b/c\n", "unknown key 'alias'", id="unknown-key"),
    ],
)
def test_alias_table_is_validated_strictly(tmp_path, text, message):
    path = write(tmp_path, text, "aliases.yaml")
    with pytest.raises(InputError, match=message):
        load_aliases(path)
