"""A sample's private, copy-on-write view of a scenario repo.

The agent sees the whole repo, but nothing it does reaches the original: reads come from
the original until a file is written, writes land in a temporary overlay folder, and the
diff of the overlay against the original is what the graders see. Copying lazily keeps
hundreds of concurrent samples cheap (nothing is copied for an agent that only reads).
A tool that needs a real folder (bash) gets `materialized()`: a full private copy whose
changes, deletions included, are folded back into the overlay afterwards.

Files that belong to archbench rather than to the repo (the conventions file the graders
use, `archbench.yaml`) are hidden: no tool lists, reads, searches or copies them, so the
agent under test never sees the answer key. To the agent they do not exist.

Every path the agent gives is confined to the repo: absolute paths, `..` that leaves the
root, NUL bytes, over-long paths, symlinks that point outside and hard-linked files are
refused with `WorkspaceError`, which the tools turn into a tool error for the model.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import stat
import tempfile
import threading
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path, PurePosixPath

from pydantic import BaseModel

from archbench.core.repo_config import CONVENTIONS_FILE
from archbench.core.repo_files import SKIPPED_DIRS
from archbench.graders.scope import frontend_folders, in_frontend

MAX_PATH_CHARS = 1024


class WorkspaceError(Exception):
    """The agent asked for something the workspace refuses; the message is for the model."""


class RepoDiff(BaseModel):
    """What the agent changed in its copy; paths relative to the repo root."""

    created: list[str] = []
    modified: list[str] = []
    deleted: list[str] = []
    frontend: list[str] = []
    backend: list[str] = []

    @property
    def changed(self) -> list[str]:
        return sorted({*self.created, *self.modified, *self.deleted})


class RepoWorkspace:
    """Copy-on-write view of `original`, classified by the repo's frontend folders (one, or all of
    `frontend_dir: [web, admin]`); `hidden`
    names files (relative to the root) the agent must never see; `scratch` is where the overlay
    goes (default: the system's temporary folder)."""

    def __init__(
        self, original: Path, frontend_dir: str | tuple[str, ...] = "frontend", hidden: tuple[str, ...] = (CONVENTIONS_FILE,),
        scratch: Path | None = None,
    ):
        self.original = original.resolve()
        self._original_text = str(self.original)  # a cache key that hashes in C
        if not self.original.is_dir():
            raise FileNotFoundError(f"scenario repo not found: {self.original}")
        self.frontend_dirs = frontend_folders(frontend_dir)
        self.hidden = frozenset(hidden)
        self._hidden_paths = _hidden_files_at(self._original_text, self.hidden)
        self._overlay_dir: Path | None = None  # made on the first write: most agents only read
        self._scratch = scratch
        self._written: set[str] = set()
        self._deleted: set[str] = set()
        self._walked: dict[Path, frozenset[str]] = {}  # folder of the original -> its visible files

    @property
    def _overlay(self) -> Path:
        if self._overlay_dir is None:
            self._overlay_dir = Path(tempfile.mkdtemp(prefix="archbench-ws-", dir=self._scratch))
        return self._overlay_dir

    # -- confinement -------------------------------------------------------------------
    def relative(self, path: str) -> str:
        """Normalise an agent-supplied path to a POSIX path relative to the root, or refuse."""
        if not isinstance(path, str):
            raise WorkspaceError("path must be a string")
        if "\x00" in path:
            raise WorkspaceError("path contains a NUL byte")
        if len(path) > MAX_PATH_CHARS:
            raise WorkspaceError(f"path is longer than {MAX_PATH_CHARS} characters")
        if _is_normal(path):
            return path  # checked first: every tool call, and grep once per file, passes through here
        cleaned = path.strip().replace("\\", "/")
        if cleaned.startswith("/") or (len(cleaned) > 1 and cleaned[1] == ":"):
            raise WorkspaceError(f"absolute paths are not allowed ('{path}'); use a path relative to the repo root")
        parts: list[str] = []
        for part in PurePosixPath(cleaned or ".").parts:
            if part == "..":
                if not parts:
                    raise WorkspaceError(f"'{path}' leaves the repository")
                parts.pop()
            elif part != ".":
                parts.append(part)
        return "/".join(parts)

    def _real(self, relative: str) -> Path:
        """The file behind `relative` (overlay first), refusing symlinks that leave the root
        and paths that are, or lead by a symlink to, a hidden file (reported as missing)."""
        if relative in self._written:
            resolved, refusal = _resolve_inside(self._overlay, relative)
        else:
            resolved, refusal = _visible_original(self._original_text, self.hidden, relative)
        if refusal:
            raise WorkspaceError(refusal)
        return resolved

    def _check_file(self, real: Path, relative: str) -> os.stat_result:
        try:
            info = real.stat()
        except FileNotFoundError:
            raise WorkspaceError(f"'{relative}' does not exist") from None
        except OSError as error:
            raise WorkspaceError(f"cannot open '{relative}': {error.strerror}") from None
        if stat.S_ISDIR(info.st_mode):
            raise WorkspaceError(f"'{relative}' is a directory; use list_dir")
        if not stat.S_ISREG(info.st_mode):
            raise WorkspaceError(f"'{relative}' is not a regular file")
        if info.st_nlink > 1 and relative not in self._written:
            raise WorkspaceError(f"'{relative}' is a hard link; hard-linked files are not readable in the sandbox")
        return info

    # -- reading -----------------------------------------------------------------------
    def read_bytes(self, path: str) -> bytes:
        relative = self.relative(path)
        if relative in self._deleted:
            raise WorkspaceError(f"'{relative}' does not exist")
        real = self._real(relative)
        info = self._check_file(real, relative)
        if relative in self._written:
            return real.read_bytes()
        return _ORIGINAL_CONTENTS.read(real, info)

    def is_dir(self, path: str) -> bool:
        relative = self.relative(path)
        if relative == "":
            return True
        real = self._real(relative)
        return real.is_dir() or any(written.startswith(relative + "/") for written in self._written)

    def files(self, under: str = "") -> list[str]:
        """Every file (relative POSIX path) under a folder, overlay included, sorted."""
        root = self.relative(under)
        if root and not self.is_dir(root):
            raise WorkspaceError(f"'{under}' is not a directory")
        found = set(self._original_files(self._real(root) if root else self.original))
        found.update(path for path in self._written if not root or path.startswith(root + "/"))
        return sorted(found - self._deleted)

    def _original_files(self, start: Path) -> frozenset[str]:
        """The original's files under `start`, hidden ones left out. Walked once per folder and workspace
        (the original does not change during a sample: writes go to the overlay), and kept for the
        process while no folder walked has changed since: a new workspace, one per sample, then costs
        a stat per folder instead of a walk with the hidden-file checks."""
        walked = self._walked.get(start)
        if walked is None:
            key = (self._original_text, str(start), self.hidden)
            kept = _WALKS.get(key)
            if kept is not None and all(_folder_stamp(folder) == stamp for folder, stamp in kept[0]):
                walked = kept[1]
            else:
                relative_start = start.relative_to(self.original).as_posix()
                found: list[str] = []
                stamps: list[tuple[str, tuple[int, int, int] | None]] = []
                self._scan(str(start), "" if relative_start == "." else relative_start + "/", found, stamps)
                walked = frozenset(found)
                with _WALKS_LOCK:
                    _WALKS.pop(key, None)
                    _WALKS[key] = (tuple(stamps), walked)
                    if len(_WALKS) > MAX_KEPT_WALKS:
                        del _WALKS[next(iter(_WALKS))]  # the oldest
            self._walked[start] = walked
        return walked

    def _scan(self, folder: str, prefix: str, found: list[str], stamps: list[tuple[str, tuple[int, int, int] | None]]) -> None:
        """What `os.walk` would give (symlinked folders listed but not entered, unreadable folders
        skipped), from the directory entries alone: a symlink is told from its entry, not an lstat.
        Each folder's stamp is taken before it is read, so a change while reading shows next time."""
        stamps.append((folder, _folder_stamp(folder)))
        try:
            entries = list(os.scandir(folder))
        except OSError:
            return
        for entry in entries:
            relative = prefix + entry.name
            try:
                is_dir = entry.is_dir()
            except OSError:
                is_dir = False
            if is_dir:
                if entry.name not in SKIPPED_DIRS and not entry.is_symlink():
                    self._scan(entry.path, relative + "/", found, stamps)
            elif not self._hidden_in_original(relative, entry.is_symlink()):
                found.append(relative)

    def _hidden_in_original(self, relative: str, is_symlink: bool) -> bool:
        """A hidden file itself, or a symlink in the original that leads to one."""
        if relative in self.hidden:
            return True
        if not self.hidden or not is_symlink:
            return False
        resolved, refusal = _resolve_original(self.original, relative)
        return refusal is None and resolved in self._hidden_paths

    def list_dir(self, path: str = "") -> list[str]:
        """Entries directly under a folder; folders end with '/'."""
        root = self.relative(path)
        prefix = root + "/" if root else ""
        entries: set[str] = set()
        for file in self.files(root):
            rest = file[len(prefix) :]
            head, _, tail = rest.partition("/")
            entries.add(head + "/" if tail else head)
        if not entries and root and not self.is_dir(root):
            raise WorkspaceError(f"'{path}' is not a directory")
        return sorted(entries, key=lambda entry: (not entry.endswith("/"), entry))

    def glob(self, pattern: str, under: str = "") -> list[str]:
        """Files matching a glob (`**` crosses folders) relative to the repo root."""
        pattern = self.relative(pattern) or "*"
        return [path for path in self.files(under) if _glob_match(path, pattern)]

    # -- writing -----------------------------------------------------------------------
    def write_text(self, path: str, content: str) -> bool:
        """Write into the overlay; returns True when the file is new."""
        relative = self.relative(path)
        if not relative:
            raise WorkspaceError("a file path is required")
        if relative not in self._written and relative not in self.hidden:
            self._real(relative)  # refuses a path that a symlink in the original leads outside
        existed = self.exists(relative)
        self._store(relative, content.encode("utf-8"))
        return not existed

    def _store(self, relative: str, data: bytes) -> None:
        target = self._overlay / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        self._written.add(relative)
        self._deleted.discard(relative)

    def _delete(self, relative: str) -> None:
        if relative in self._written:
            (self._overlay / relative).unlink()
            self._written.discard(relative)
        if (self.original / relative).is_file() and relative not in self.hidden:
            self._deleted.add(relative)

    def exists(self, path: str) -> bool:
        relative = self.relative(path)
        if relative in self._deleted:
            return False
        if relative in self._written:
            return True
        try:
            return self._real(relative).is_file()
        except WorkspaceError:
            return False

    # -- a real folder, for tools that need one ---------------------------------------
    @contextmanager
    def materialized(self, parent: Path | None = None) -> Iterator[Path]:
        """A private folder (in `parent`, default the system's temporary folder) holding the
        agent's current view of the repo. When the block ends, files created, modified or
        deleted in it are folded into the overlay.

        Files the workspace refuses to read (hard links, symlinks leaving the repo) are not
        copied; symlinks and other non-regular files made in the folder are not folded back.
        """
        copy = Path(tempfile.mkdtemp(prefix="archbench-copy-", dir=parent))
        copied: dict[str, str] = {}
        try:
            for relative in self.files():
                try:
                    data = self.read_bytes(relative)
                except WorkspaceError:
                    continue
                target = copy / relative
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(data)
                copied[relative] = hashlib.sha256(data).hexdigest()
            yield copy
        finally:
            try:
                self._absorb(copy, copied)
            finally:
                _remove_tree(copy)

    def _absorb(self, copy: Path, copied: dict[str, str]) -> None:
        present: set[str] = set()
        for directory, subdirs, filenames in os.walk(copy):
            subdirs[:] = [name for name in subdirs if name not in SKIPPED_DIRS]
            for name in subdirs + filenames:  # a command may have locked its own files
                if not Path(directory, name).is_symlink():
                    os.chmod(Path(directory, name), stat.S_IRWXU)
            for filename in filenames:
                path = Path(directory, filename)
                if not stat.S_ISREG(path.lstat().st_mode):
                    continue
                relative = path.relative_to(copy).as_posix()
                present.add(relative)
                data = path.read_bytes()
                if copied.get(relative) != hashlib.sha256(data).hexdigest():
                    self._store(relative, data)
        for relative in copied.keys() - present:
            self._delete(relative)

    # -- outcome -----------------------------------------------------------------------
    def diff(self) -> RepoDiff:
        created: list[str] = []
        modified: list[str] = []
        for relative in sorted(self._written):
            original = self.original / relative
            if not original.is_file() or relative in self.hidden:
                created.append(relative)
            elif original.read_bytes() != (self._overlay / relative).read_bytes():
                modified.append(relative)
        changed = sorted(created + modified + list(self._deleted))
        frontend = [path for path in changed if in_frontend(path, self.frontend_dirs)]
        return RepoDiff(
            created=created,
            modified=modified,
            deleted=sorted(self._deleted),
            frontend=frontend,
            backend=[path for path in changed if path not in frontend],
        )

    def close(self) -> None:
        if self._overlay_dir is not None:
            shutil.rmtree(self._overlay_dir, ignore_errors=True)

    def __enter__(self) -> "RepoWorkspace":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


@lru_cache(maxsize=65_536)  # grep asks again for every file of the repo on every call
def _is_normal(path: str) -> bool:
    """`path` is what `RepoWorkspace.relative` makes of it: relative, no drive, no backslash, no
    surrounding space, no empty, '.' or '..' part (every path `files()` returns is)."""
    return (
        path == path.strip()
        and "\\" not in path
        and not path.startswith("/")
        and not (len(path) > 1 and path[1] == ":")
        and all(part not in ("", ".", "..") for part in path.split("/"))
    )


def _resolve_inside(base: Path, relative: str) -> tuple[Path, str | None]:
    """`base / relative` with symlinks resolved, or why it is refused."""
    try:
        resolved = (base / relative).resolve()
    except (OSError, RuntimeError) as error:
        return base, f"cannot resolve '{relative}': {error}"
    if resolved != base and base not in resolved.parents:
        return base, f"'{relative}' points outside the repository (symlink); refused"
    return resolved, None


# Resolving costs an lstat per path component (3.7 of 4.9 ms to read all 108 files of a repo,
# and grep reads them all on every call); originals do not change during a run (nothing an
# agent does reaches them), so each path is resolved once per process.
_resolve_original = lru_cache(maxsize=65_536)(_resolve_inside)


@lru_cache(maxsize=65_536)
def _visible_original(root: str, hidden: frozenset[str], relative: str) -> tuple[Path, str | None]:
    """`_resolve_original`, also refusing a hidden file, and a path that leads to one by a symlink, as missing."""
    original = Path(root)
    resolved, refusal = _resolve_original(original, relative)
    if refusal is None and hidden and (
        relative in hidden or (resolved != original and resolved in _hidden_files_at(root, hidden))
    ):
        return resolved, f"'{relative}' does not exist"
    return resolved, refusal


@lru_cache(maxsize=256)
def _hidden_files_at(root: str, hidden: frozenset[str]) -> frozenset[Path]:
    """Where the hidden files of the original at `root` are (not resolved: a link to one is told by resolving the link)."""
    return frozenset(Path(root) / relative for relative in hidden)


# (original, folder walked, hidden files) -> (each folder's stamp when walked, the files found)
_WALKS: dict[tuple[str, str, frozenset[str]], tuple[tuple[tuple[str, tuple[int, int, int] | None], ...], frozenset[str]]] = {}
MAX_KEPT_WALKS = 256
_WALKS_LOCK = threading.Lock()  # evals running in threads of one process share the walks


def _folder_stamp(folder: str) -> tuple[int, int, int] | None:
    """What changes when a folder gains, loses or renames an entry, or its permissions change."""
    try:
        info = os.stat(folder)
    except OSError:
        return None
    return info.st_ino, info.st_mtime_ns, info.st_ctime_ns


class _OriginalContents:
    """The originals' file contents, kept per process: grep reads every file of the repo on every
    call, in every sample, and opening and reading them was a third of its time. A file's bytes
    are served only while its stat (inode, size, modification and change times) is the one they
    were read with, so a repo edited between two runs of a long-lived process (a notebook, a
    script running several evals) is read afresh. At most `budget` bytes are kept, the least
    recently read files dropped first; a file over `largest` bytes is never kept."""

    def __init__(self, budget: int, largest: int):
        self.budget = budget
        self.largest = largest
        self._kept: OrderedDict[Path, tuple[tuple[int, int, int, int], bytes]] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()  # evals running in threads of one process share it

    def read(self, real: Path, info: os.stat_result) -> bytes:
        identity = (info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns)
        with self._lock:
            kept = self._kept.get(real)
            if kept is not None and kept[0] == identity:
                self._kept.move_to_end(real)
                return kept[1]
        data = real.read_bytes()
        with self._lock:
            previous = self._kept.pop(real, None)
            if previous is not None:
                self._size -= len(previous[1])
            if len(data) == info.st_size and len(data) <= self.largest:  # a file growing while read is not kept
                self._kept[real] = (identity, data)
                self._size += len(data)
                while self._size > self.budget:
                    _, (_, dropped) = self._kept.popitem(last=False)
                    self._size -= len(dropped)
        return data


_ORIGINAL_CONTENTS = _OriginalContents(budget=256 * 1024 * 1024, largest=4 * 1024 * 1024)


def _remove_tree(root: Path) -> None:
    """Remove a folder even where a sandboxed command took away the owner's permissions."""

    def make_writable_and_retry(function, path, _error):  # type: ignore[no-untyped-def]
        os.chmod(os.path.dirname(path), stat.S_IRWXU)
        if os.path.isdir(path) and not os.path.islink(path):
            os.chmod(path, stat.S_IRWXU)
        function(path)

    shutil.rmtree(root, onerror=make_writable_and_retry)


@lru_cache(maxsize=256)
def _glob_regex(pattern: str) -> re.Pattern[str]:
    """Translate a glob: `*` and `?` stay inside one folder, `**/` spans zero or more folders."""
    out: list[str] = []
    index = 0
    while index < len(pattern):
        if pattern.startswith("**/", index):
            out.append("(?:.*/)?")
            index += 3
        elif pattern.startswith("**", index):
            out.append(".*")
            index += 2
        elif pattern[index] == "*":
            out.append("[^/]*")
            index += 1
        elif pattern[index] == "?":
            out.append("[^/]")
            index += 1
        else:
            out.append(re.escape(pattern[index]))
            index += 1
    return re.compile("".join(out) + r"\Z")


def _glob_match(path: str, pattern: str) -> bool:
    return _glob_regex(pattern).match(path) is not None
