"""The repo's conventions file is the graders' answer key: no tool of the agent under test may
return a line of it, in the sample repos or in a user's repo, whatever tool it uses (issue 17)."""

import shutil
from pathlib import Path

import pytest
from inspect_ai import eval

from archbench.core.repo_config import CONVENTIONS_FILE
from archbench.evals.architect import architect
from archbench.evals.bash_tool import bash_available
from archbench.evals.toolset import architect_tools
from archbench.evals.workspace import RepoWorkspace, WorkspaceError
from tests.support.openai_server import ScriptedOpenAIServer, explore_then_answer

ROOT = Path(__file__).resolve().parents[2]
SAMPLE_REPOS = sorted(path for path in (ROOT / "sample_repos").iterdir() if (path / CONVENTIONS_FILE).is_file())

HUNT = [
    ("list_dir", {"path": "."}),
    ("read_file", {"path": CONVENTIONS_FILE}),
    ("read_file", {"path": f"./{CONVENTIONS_FILE}"}),
    ("read_file", {"path": f"backend/../{CONVENTIONS_FILE}"}),
    ("read_file", {"path": "linked.yaml"}),
    ("glob", {"pattern": "**/*.yaml"}),
    ("glob", {"pattern": "*"}),
    ("grep", {"pattern": "check:"}),
    ("grep", {"pattern": "description", "include": "*.yaml"}),
    ("grep", {"pattern": "conventions"}),
]
BASH_HUNT = [
    ("bash", {"command": f"cat {CONVENTIONS_FILE}; ls -la; cat linked.yaml"}),
    ("bash", {"command": "grep -rn 'check:' . ; find / -name archbench.yaml 2>/dev/null | head"}),
]


def secret_lines(conventions_file: Path) -> list[str]:
    """The lines that would give the rules away (long enough not to occur by chance in the repo's code)."""
    return [line.strip() for line in conventions_file.read_text().splitlines() if len(line.strip()) >= 12]


def user_repo(tmp_path: Path, source: Path) -> Path:
    """A copy of a repo as a user would bring it, with a symlink to the conventions file for good measure."""
    repo = tmp_path / source.name
    shutil.copytree(source, repo, symlinks=True)
    (repo / "linked.yaml").symlink_to(CONVENTIONS_FILE)
    return repo


@pytest.mark.anyio
@pytest.mark.parametrize("source", SAMPLE_REPOS, ids=lambda path: path.name)
async def test_no_tool_returns_a_line_of_the_conventions_file(tmp_path, source):
    repo = user_repo(tmp_path, source)
    secrets = secret_lines(repo / CONVENTIONS_FILE)
    assert secrets
    names = ["read_file", "list_dir", "glob", "grep"] + (["bash"] if bash_available() else [])
    with RepoWorkspace(repo) as workspace:
        tools = dict(zip(names, architect_tools(workspace, names, 200_000)))
        outputs = []
        for name, arguments in HUNT + (BASH_HUNT if "bash" in tools else []):
            try:
                outputs.append(await tools[name](**arguments))
            except Exception as error:  # a refused call is a tool error the model reads
                outputs.append(str(error))
        seen = "\n".join(outputs)
        assert "backend" in seen  # the hunt did see the repo itself
        listings = "\n".join(outputs[index] for index, (name, _) in enumerate(HUNT) if name in ("list_dir", "glob"))
        assert CONVENTIONS_FILE not in listings and "linked.yaml" not in listings
        for line in secrets:
            assert line not in seen, line
        assert not workspace.exists(CONVENTIONS_FILE) and not workspace.exists("linked.yaml")
        with pytest.raises(WorkspaceError, match="does not exist"):
            workspace.read_bytes(CONVENTIONS_FILE)
        assert workspace.diff().changed == []


def test_an_agent_that_writes_the_conventions_file_creates_it_and_never_reads_the_original(tmp_path):
    repo = user_repo(tmp_path, SAMPLE_REPOS[0])
    with RepoWorkspace(repo) as workspace:
        assert workspace.write_text(CONVENTIONS_FILE, "mine\n") is True
        assert workspace.read_bytes(CONVENTIONS_FILE) == b"mine\n"
        assert workspace.diff().created == [CONVENTIONS_FILE]


def hunt_through_task(tmp_path: Path, calls: list, **task_args) -> list[str]:
    """Run the real task with inspect's openai provider and a scripted model making `calls`; the tool results."""
    prompt = tmp_path / "hunter.md"
    prompt.write_text("---\nname: hunter\ndescription: looks everywhere (no tools key: every tool)\n---\nPlan.\n")
    with ScriptedOpenAIServer(explore_then_answer("# Plan\nNothing to see.", calls)) as server:
        (log,) = eval(
            architect(prompts=str(prompt), **task_args),
            model="openai/gpt-4o-mini",
            model_base_url=server.base_url,
            model_args={"api_key": "sk-test-local", "responses_api": False},
            log_dir=str(tmp_path / "logs"),
            display="none",
        )
    assert log.status == "success", log.error
    (sample,) = log.samples
    assert {name for name, _ in calls} <= set(sample.metadata["tools"])  # every call reached a real tool
    results = [message.text + (message.error.message if message.error else "") for message in sample.messages if message.role == "tool"]
    assert len(results) == len(calls)
    return results


def test_a_scripted_model_hunting_the_conventions_file_through_the_task_sees_none_of_it(tmp_path):
    """End to end: inspect's openai provider drives the real task; every tool result is checked."""
    calls = HUNT[:4] + HUNT[5:] + (BASH_HUNT if bash_available() else [])
    seen = "\n".join(hunt_through_task(tmp_path, calls, scenario_ids="notifications"))
    assert "backend" in seen
    for line in secret_lines(ROOT / "sample_repos" / "tldr" / CONVENTIONS_FILE):
        assert line not in seen, line


def user_scenarios(tmp_path: Path) -> tuple[Path, Path, Path]:
    """A user's repo whose conventions file sits inside it at a path of the user's choosing, named
    from the scenario; the scenario folder and its reference plan sit inside the repo too."""
    source = ROOT / "tests" / "fixtures" / "real_repos" / "django-styleguide-example"
    repo = tmp_path / "django-styleguide-example"
    shutil.copytree(source, repo)
    rules = repo / "docs" / "house-rules.yaml"
    rules.parent.mkdir()
    (repo / CONVENTIONS_FILE).rename(rules)
    scenarios = repo / "bench"
    (scenarios / "references").mkdir(parents=True)
    (scenarios / "references" / "export.md").write_text("# Plan\n\nA secret reference plan line that gives the answer away.\n")
    (scenarios / "export.yaml").write_text(
        "id: export\nversion: 1\ntitle: Export\ncategory: new_feature\nrepo: ..\nconventions: ../docs/house-rules.yaml\n"
        "request: Users export their data\nreference_plan: references/export.md\n"
        "rubric:\n  decisions:\n    - {id: hidden-rubric-line, description: a rubric line the agent must not read, all_of: [[export]]}\n"
    )
    return repo, rules, scenarios


def test_a_scenario_names_a_conventions_file_anywhere_and_the_agent_sees_none_of_it(tmp_path):
    """The conventions file, the scenario and its reference plan inside the user's repo: hidden from every tool."""
    repo, rules, scenarios = user_scenarios(tmp_path)
    from archbench.core.scenarios import load_scenario

    scenario = load_scenario(scenarios / "export.yaml")
    assert scenario.repo_config.conventions and scenario.conventions_path == rules.resolve()
    assert set(scenario.hidden_repo_files) == {CONVENTIONS_FILE, "docs/house-rules.yaml", "bench/export.yaml", "bench/references/export.md"}
    hunt = [
        ("list_dir", {"path": "."}),
        ("read_file", {"path": "docs/house-rules.yaml"}),
        ("read_file", {"path": "bench/export.yaml"}),
        ("read_file", {"path": "bench/references/export.md"}),
        ("list_dir", {"path": "docs"}),
        ("list_dir", {"path": "bench"}),
        ("glob", {"pattern": "**/*.yaml"}),
        ("glob", {"pattern": "**/*.md"}),
        ("grep", {"pattern": "check:"}),
        ("grep", {"pattern": "secret reference plan|hidden-rubric-line"}),
    ] + ([("bash", {"command": "cat docs/house-rules.yaml bench/export.yaml bench/references/export.md; grep -rn 'check:' ."})] if bash_available() else [])
    results = hunt_through_task(tmp_path, hunt, scenarios=str(scenarios))
    seen = "\n".join(results)
    assert "styleguide_example" in seen  # the hunt did see the repo itself
    for line in secret_lines(rules) + ["secret reference plan line", "hidden-rubric-line"]:
        assert line not in seen, line
    listings = "\n".join(text for text, (name, _) in zip(results, hunt) if name in ("list_dir", "glob"))
    assert "house-rules.yaml" not in listings and "export.yaml" not in listings and "export.md" not in listings
