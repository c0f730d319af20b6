"""The sandbox: every escape refused, writes never reach the original, diffs recorded."""

import hashlib
import os
import re
import shutil
from pathlib import Path

import pytest
from inspect_ai.tool import ToolError

from archbench.core.prompts import HARNESS_TOOLS
from archbench.evals.tools import cap
from archbench.evals.toolset import architect_tools, sample_workspace, shared_architect_tools
from archbench.core.repo_files import SKIPPED_DIRS
from archbench.evals import workspace as workspace_module
from archbench.evals.workspace import RepoWorkspace, WorkspaceError

pytestmark = pytest.mark.anyio
FIXTURE_REPO = Path(__file__).resolve().parent.parent / "fixtures" / "mini_repo"


def tree_hash(root: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        digest.update(path.relative_to(root).as_posix().encode())
        if path.is_file() and not path.is_symlink():
            digest.update(path.read_bytes())
    return digest.hexdigest()


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    copy = tmp_path / "repo"
    shutil.copytree(FIXTURE_REPO, copy)
    outside = tmp_path / "secret.txt"
    outside.write_text("API_KEY=sk-outside")
    (copy / "backend" / "escape_link.txt").symlink_to(outside)
    (copy / "backend" / "escape_dir").symlink_to(tmp_path)
    (copy / "backend" / "inside_link.py").symlink_to(copy / "backend" / "notes" / "models.py")
    os.link(outside, copy / "backend" / "hardlinked.txt")
    (copy / "backend" / "blob.bin").write_bytes(b"\x00\x01\x02" * 100)
    return copy


@pytest.fixture
def tools(repo: Path):
    workspace = RepoWorkspace(repo)
    yield workspace, dict(zip(HARNESS_TOOLS, architect_tools(workspace, HARNESS_TOOLS, max_output=2_000)))
    workspace.close()


ESCAPES = [
    pytest.param("../secret.txt", "leaves the repository", id="dotdot"),
    pytest.param("backend/../../secret.txt", "leaves the repository", id="nested-dotdot"),
    pytest.param("/etc/passwd", "absolute paths", id="absolute"),
    pytest.param("C:/Windows/win.ini", "absolute paths", id="drive-letter"),
    pytest.param("backend/escape_link.txt", "points outside", id="symlink-file"),
    pytest.param("backend/escape_dir/secret.txt", "points outside", id="symlink-dir"),
    pytest.param("backend/hardlinked.txt", "hard link", id="hard-link"),
    pytest.param("backend/notes/models.py\x00.txt", "NUL byte", id="nul-byte"),
    pytest.param("a/" * 600 + "x.py", "longer than", id="very-long-path"),
]


@pytest.mark.parametrize("path, message", ESCAPES)
async def test_read_escapes_are_refused(tools, path, message):
    _, by_name = tools
    with pytest.raises(ToolError, match=message):
        await by_name["read_file"](path=path)


@pytest.mark.parametrize("path, message", [p for p in ESCAPES if p.id not in ("hard-link",)])
async def test_write_escapes_are_refused(tools, repo, path, message):
    _, by_name = tools
    before = tree_hash(repo.parent)
    with pytest.raises(ToolError):
        await by_name["write_file"](path=path, content="pwned")
    assert tree_hash(repo.parent) == before


async def test_symlink_inside_the_repo_is_readable(tools):
    _, by_name = tools
    assert "class Note" in await by_name["read_file"](path="backend/inside_link.py")


async def test_writes_stay_in_the_copy_and_are_recorded(tools, repo):
    workspace, by_name = tools
    before = tree_hash(repo)
    await by_name["write_file"](path="backend/notes/services.py", content="def archive(): ...\n")
    await by_name["edit_file"](path="backend/notes/models.py", old_string="max_length=200", new_string="max_length=300")
    await by_name["write_file"](path="frontend/app/components/Bell.vue", content="<template/>")
    await by_name["write_file"](path="backend/notes/views.py", content=(repo / "backend/notes/views.py").read_text())
    assert tree_hash(repo) == before
    assert "max_length=300" in await by_name["read_file"](path="backend/notes/models.py")
    assert "backend/notes/services.py" in await by_name["glob"](pattern="**/*.py")
    diff = workspace.diff()
    assert diff.created == ["backend/notes/services.py", "frontend/app/components/Bell.vue"]
    assert diff.modified == ["backend/notes/models.py"]  # rewriting identical content is no change
    assert diff.frontend == ["frontend/app/components/Bell.vue"]
    assert diff.backend == ["backend/notes/models.py", "backend/notes/services.py"]


async def test_tool_output_is_capped(tools, repo):
    _, by_name = tools
    (repo / "backend" / "huge.py").write_text("x = 1\n" * 100_000)
    output = await by_name["read_file"](path="backend/huge.py")
    assert len(output) <= 2_000
    last_shown = int(output.splitlines()[-2].split("\t")[0])
    assert output.endswith(f"more lines; read again with offset={last_shown + 1}]")  # the hint survives the cap
    (repo / "backend" / "one_line.min.js").write_text("x" * 50_000)
    assert "output truncated" in await by_name["read_file"](path="backend/one_line.min.js")
    (repo / "backend" / "dump.sql").write_text("x = 1\n" * 200_000)
    assert "not searched, over 1 MB: backend/dump.sql" in await by_name["grep"](pattern="nomatch", path="backend")
    assert "truncated" in await by_name["grep"](pattern="x", path="backend")


async def test_binary_and_missing_files(tools):
    _, by_name = tools
    with pytest.raises(ToolError, match="binary file"):
        await by_name["read_file"](path="backend/blob.bin")
    with pytest.raises(ToolError, match="does not exist"):
        await by_name["read_file"](path="backend/nope.py")
    with pytest.raises(ToolError, match="is a directory"):
        await by_name["read_file"](path="backend")


async def test_listing_glob_and_grep(tools):
    _, by_name = tools
    root = (await by_name["list_dir"](path=".")).splitlines()
    assert root[:2] == ["backend/", "frontend/"] and "archbench.yaml" not in root  # the answer key stays hidden
    assert (await by_name["glob"](pattern="*.py")) == "[no files match]"  # '*' stays in the root folder
    assert "backend/notes/models.py" in (await by_name["glob"](pattern="**/models.py"))
    hits = await by_name["grep"](pattern=r"class \w+\(", include="**/*.py")
    assert "backend/notes/models.py:5: class Note(models.Model):" in hits
    with pytest.raises(ToolError, match="invalid regular expression"):
        await by_name["grep"](pattern="(")


async def test_edit_requires_a_unique_match(tools):
    _, by_name = tools
    with pytest.raises(ToolError, match="not found"):
        await by_name["edit_file"](path="backend/notes/models.py", old_string="nope", new_string="x")
    with pytest.raises(ToolError, match="occurs"):
        await by_name["edit_file"](path="backend/notes/models.py", old_string="models.", new_string="m.")


def test_cap_keeps_short_text():
    assert cap("abc", 10) == "abc"


def test_workspace_requires_an_existing_repo(tmp_path):
    with pytest.raises(FileNotFoundError):
        RepoWorkspace(tmp_path / "missing")
    with pytest.raises(WorkspaceError):
        RepoWorkspace(FIXTURE_REPO).relative("../x")


def test_only_read_only_tools_run_in_parallel(tools):
    """Several reads in one assistant message run together; writes keep the model's order."""
    from inspect_ai.tool import ToolDef

    _, by_name = tools
    parallel = {name: ToolDef(tool).parallel for name, tool in by_name.items()}
    assert parallel == {name: name in {"read_file", "list_dir", "glob", "grep"} for name in by_name}
    assert {"write_file", "edit_file"} <= set(by_name)


def test_the_original_is_walked_once_per_folder_and_writes_still_show(tmp_path, monkeypatch):
    repo = tmp_path / "repo"
    shutil.copytree(FIXTURE_REPO, repo)
    scans = []
    real_scandir = os.scandir
    monkeypatch.setattr(os, "scandir", lambda top, *args: scans.append(top) or real_scandir(top, *args))
    workspace = RepoWorkspace(repo)
    first = workspace.files()
    walked = len(scans)
    assert walked == len(set(scans)) > 1  # each folder read once
    assert workspace.list_dir(".") and workspace.glob("**/*.py") and workspace.files() == first
    assert len(scans) == walked, scans  # list_dir, glob and grep each listed the whole repo before
    workspace.write_text("notes/plan.md", "x")
    assert "notes/plan.md" in workspace.files() and "notes/" in workspace.list_dir(".")
    assert len(scans) == walked


def test_a_new_workspace_reuses_the_walk_until_a_folder_changes(tmp_path, monkeypatch):
    """Each sample makes a workspace: an unchanged repo is not walked again, and a file added, removed
    or renamed in any folder, or a folder's permissions changed, shows in the next workspace's listing."""
    repo = shutil.copytree(FIXTURE_REPO, tmp_path / "repo")
    scans = []
    real_scandir = os.scandir
    monkeypatch.setattr(os, "scandir", lambda top, *args: scans.append(top) or real_scandir(top, *args))

    def listing() -> set[str]:
        workspace = RepoWorkspace(repo)
        scans.clear()
        listed = set(workspace.files())
        walked.append(len(scans))
        assert listed == walked_like_before(workspace, workspace.original)
        return listed

    walked: list[int] = []
    first = listing()
    assert listing() == first and walked == [walked[0], 0] and walked[0] > 1  # not walked again
    (repo / "backend" / "notes" / "added.py").write_text("x")
    assert listing() == first | {"backend/notes/added.py"}
    (repo / "backend" / "notes" / "added.py").rename(repo / "backend" / "notes" / "renamed.py")
    assert listing() == first | {"backend/notes/renamed.py"}
    (repo / "backend" / "notes" / "renamed.py").unlink()
    assert listing() == first
    (repo / "backend" / "notes").chmod(0)
    try:
        listing()  # what os.walk lists (root still reads the folder), walked again
        assert walked[-1] > 0
    finally:
        (repo / "backend" / "notes").chmod(0o700)
    assert listing() == first


def test_an_original_edited_between_runs_is_read_afresh(tmp_path):
    """Originals' contents are kept per process; a file changed since, even to the same size and
    modification time, is read again (a notebook running two evals with an edit in between)."""
    repo = shutil.copytree(FIXTURE_REPO, tmp_path / "repo")
    models = repo / "backend" / "notes" / "models.py"
    before = models.read_bytes()
    first = RepoWorkspace(repo)
    assert first.read_bytes("backend/notes/models.py") == before
    times = models.stat()
    edited = before.replace(b"class", b"CLASS", 1)
    assert edited != before and len(edited) == len(before)
    models.write_bytes(edited)
    os.utime(models, ns=(times.st_atime_ns, times.st_mtime_ns))
    assert first.read_bytes("backend/notes/models.py") == edited
    assert RepoWorkspace(repo).read_bytes("backend/notes/models.py") == edited
    models.write_bytes(before + b"# grown\n")
    assert RepoWorkspace(repo).read_bytes("backend/notes/models.py") == before + b"# grown\n"


def test_the_kept_contents_stay_within_their_budget(tmp_path):
    kept = workspace_module._OriginalContents(budget=10, largest=6)
    files = {name: tmp_path / name for name in ("a", "b", "c", "big")}
    for name, path in files.items():
        path.write_bytes(name.encode() * (20 if name == "big" else 4))
    for _ in range(2):
        for name, path in files.items():
            assert kept.read(path, path.stat()) == path.read_bytes()
            assert kept._size == sum(len(data) for _, data in kept._kept.values()) <= 10
    assert files["big"] not in kept._kept and list(kept._kept) == [files["b"], files["c"]]  # least recently read dropped


def walked_like_before(workspace: RepoWorkspace, start: Path) -> set[str]:
    """The listing as os.walk gave it before the walk read directory entries itself."""
    found = set()
    for directory, subdirs, filenames in os.walk(start):
        subdirs[:] = [name for name in subdirs if name not in SKIPPED_DIRS]
        relative_dir = Path(directory).relative_to(workspace.original).as_posix()
        found.update(name if relative_dir == "." else f"{relative_dir}/{name}" for name in filenames)
    hidden = set()
    for path in found:
        if path in workspace.hidden:
            hidden.add(path)
        elif (workspace.original / path).is_symlink():
            resolved = (workspace.original / path).resolve()
            if resolved.is_relative_to(workspace.original) and resolved.relative_to(workspace.original).as_posix() in workspace.hidden:
                hidden.add(path)
    return found - hidden


def test_the_listing_is_what_os_walk_gave(repo):
    """Symlinked folders listed as nothing and not entered, broken links and links to hidden files,
    skipped folders, unreadable folders: the same files as the os.walk listing it replaced."""
    (repo / "backend" / "broken_link.py").symlink_to(repo / "nowhere.py")
    (repo / "backend" / "key_link.yaml").symlink_to(repo / "archbench.yaml")
    (repo / "backend" / "notes_link").symlink_to(repo / "backend" / "notes", target_is_directory=True)
    (repo / "node_modules" / "pkg").mkdir(parents=True)
    (repo / "node_modules" / "pkg" / "index.js").write_text("x")
    (repo / "backend" / "__pycache__").mkdir()
    (repo / "backend" / "__pycache__" / "m.pyc").write_bytes(b"x")
    locked = repo / "backend" / "locked"
    locked.mkdir()
    (locked / "inside.py").write_text("x")
    locked.chmod(0)
    try:
        workspace = RepoWorkspace(repo, hidden=("archbench.yaml", "backend/notes/models.py"))
        listed = set(workspace.files())
        assert listed == walked_like_before(workspace, workspace.original)
        assert "backend/broken_link.py" in listed and "backend/key_link.yaml" not in listed
        assert not any(path.startswith(("backend/notes_link/", "node_modules/", "backend/__pycache__/")) for path in listed)
        assert set(workspace.files("backend/notes")) == walked_like_before(workspace, workspace.original / "backend" / "notes")
    finally:
        locked.chmod(0o700)


@pytest.mark.parametrize(
    "path",
    ["a.py", "a/b.py", " a.py", "a.py ", "./a.py", "a/./b", "a/../b", "a//b", "a/", "/a", "C:/a", "c:a", "a\\b", ".", "..", "",
     "..a", "a..", ".hidden/x", "a/..b/c", "\u00e9/\u2003x", "x\u2003"],
)
def test_the_fast_path_of_relative_agrees_with_the_full_normalisation(path, monkeypatch):
    workspace = RepoWorkspace(FIXTURE_REPO)
    monkeypatch.setattr(workspace_module, "_is_normal", lambda _path: False)  # the full normalisation alone
    try:
        expected: str | type[WorkspaceError] = workspace.relative(path)
    except WorkspaceError as error:
        expected = WorkspaceError
        message = str(error)
    monkeypatch.undo()
    if expected is WorkspaceError:
        with pytest.raises(WorkspaceError, match=re.escape(message)):
            workspace.relative(path)
    else:
        assert workspace.relative(path) == expected


async def test_the_shared_tools_act_on_each_running_sample_s_own_workspace(tmp_path):
    """One set of tool functions serves every sample (inspect parses each function once); two samples
    running at once each read and write only their own copy."""
    import anyio

    tools = dict(zip(HARNESS_TOOLS, shared_architect_tools(HARNESS_TOOLS, 2_000)))
    again = shared_architect_tools(HARNESS_TOOLS, 2_000)
    assert again == list(tools.values()) and again is not shared_architect_tools(HARNESS_TOOLS, 2_000)  # same functions, own list
    repos = [shutil.copytree(FIXTURE_REPO, tmp_path / name) for name in ("a", "b")]
    (repos[1] / "only_in_b.txt").write_text("b")
    seen: dict[str, tuple[str, str, list[str]]] = {}

    async def sample(repo: Path) -> None:
        with sample_workspace(RepoWorkspace(repo)) as workspace:
            await tools["write_file"](path="notes.md", content=f"plan of {repo.name}")
            await anyio.sleep(0.01)  # the other sample runs its tools meanwhile
            listing = await tools["list_dir"](path=".")
            seen[repo.name] = (await tools["read_file"](path="notes.md"), listing, workspace.diff().created)

    async with anyio.create_task_group() as group:
        for repo in repos:
            group.start_soon(sample, repo)
    assert "plan of a" in seen["a"][0] and "plan of b" in seen["b"][0]
    assert "only_in_b.txt" in seen["b"][1] and "only_in_b.txt" not in seen["a"][1]
    assert seen["a"][2] == seen["b"][2] == ["notes.md"]
    assert not (repos[0] / "notes.md").exists()  # the originals stay untouched
    with pytest.raises(AttributeError, match="no sample workspace is set"):
        await tools["list_dir"](path=".")
