"""The architect's tools: Claude Code's Read/LS/Glob/Grep/Write/Edit, confined to one workspace.

Each factory closes over the sample's `RepoWorkspace`. Refusals and bad arguments raise
`ToolError`, which inspect returns to the model as a tool error (the sample goes on).
Every result is capped at `max_output` characters so one huge file cannot blow the context.
The read-only tools are marked parallel: when one assistant message calls several, inspect
runs them together. The write tools (and bash) change the workspace, so they run one at a
time in the order the model gave.
"""

from __future__ import annotations

import re
from functools import lru_cache
from re import _constants as sre_constants, _parser as sre_parser  # the stdlib's own regex parser

from inspect_ai.tool import Tool, ToolError, tool

from archbench.evals.workspace import RepoWorkspace, WorkspaceError

DEFAULT_MAX_OUTPUT = 16_000
MAX_READ_LINES = 2_000
MAX_GREP_FILE_BYTES = 1_000_000


def cap(text: str, max_output: int) -> str:
    """Cut `text` to `max_output` characters, saying so and how to see the rest."""
    if len(text) <= max_output:
        return text
    return text[:max_output] + f"\n[output truncated: {len(text) - max_output} more characters; narrow the request]"


def _decode(data: bytes, path: str) -> str:
    if b"\x00" in data[:8192]:
        raise ToolError(f"'{path}' is a binary file ({len(data)} bytes); not shown")
    return data.decode("utf-8", errors="replace")


@tool(name="read_file", parallel=True)
def read_file(workspace: RepoWorkspace, max_output: int = DEFAULT_MAX_OUTPUT) -> Tool:
    async def execute(path: str, offset: int = 1, limit: int = MAX_READ_LINES) -> str:
        """Read a text file of the repository, with line numbers.

        Args:
            path: File path relative to the repository root.
            offset: First line to show (1-based).
            limit: How many lines to show (at most 2000).
        """
        try:
            text = _decode(workspace.read_bytes(path), path)
        except WorkspaceError as error:
            raise ToolError(str(error)) from None
        lines = text.splitlines()
        start = max(offset, 1)
        shown: list[str] = []
        used = 0
        for number, line in enumerate(lines[start - 1 : start - 1 + max(1, min(limit, MAX_READ_LINES))], start=start):
            numbered_line = f"{number:6}\t{line}"
            if used + len(numbered_line) + 1 > max_output - 200:  # leave room for the continuation hint
                break
            shown.append(numbered_line)
            used += len(numbered_line) + 1
        if not shown and start <= len(lines):
            return cap(f"{start:6}\t{lines[start - 1]}", max_output)  # one line longer than the cap: cut it
        numbered = "\n".join(shown)
        remaining = len(lines) - (start - 1 + len(shown))
        if remaining > 0:
            numbered += f"\n[{remaining} more lines; read again with offset={start + len(shown)}]"
        return numbered or "[empty file]"

    return execute


@tool(name="list_dir", parallel=True)
def list_dir(workspace: RepoWorkspace, max_output: int = DEFAULT_MAX_OUTPUT) -> Tool:
    async def execute(path: str = ".") -> str:
        """List the files and folders directly inside a folder of the repository (folders end with '/').

        Args:
            path: Folder path relative to the repository root ('.' for the root).
        """
        try:
            entries = workspace.list_dir(path)
        except WorkspaceError as error:
            raise ToolError(str(error)) from None
        return cap("\n".join(entries) or "[empty folder]", max_output)

    return execute


@tool(name="glob", parallel=True)
def glob(workspace: RepoWorkspace, max_output: int = DEFAULT_MAX_OUTPUT) -> Tool:
    async def execute(pattern: str, path: str = ".") -> str:
        """Find files by glob pattern, e.g. '**/models.py' or 'backend/*/tasks.py'.

        Args:
            pattern: Glob relative to the repository root; '*' stays in one folder, '**/' spans folders.
            path: Only search under this folder.
        """
        try:
            matches = workspace.glob(pattern, path)
        except WorkspaceError as error:
            raise ToolError(str(error)) from None
        return cap("\n".join(matches) or "[no files match]", max_output)

    return execute


@tool(name="grep", parallel=True)
def grep(workspace: RepoWorkspace, max_output: int = DEFAULT_MAX_OUTPUT) -> Tool:
    async def execute(pattern: str, path: str = ".", include: str = "", max_matches: int = 200) -> str:
        """Search file contents with a regular expression; prints 'path:line: text' for each match.

        Args:
            pattern: Python regular expression.
            path: Only search under this folder.
            include: Only search files matching this glob, e.g. '**/*.py'.
            max_matches: Stop after this many matches.
        """
        try:
            regex = re.compile(pattern)
        except re.error as error:
            raise ToolError(f"invalid regular expression: {error}") from None
        try:
            files = workspace.glob(include, path) if include else workspace.files(path)
        except WorkspaceError as error:
            raise ToolError(str(error)) from None
        screen = literal_screen(pattern)
        # where literals screen the files, the files left mostly match: a whole-text search would be paid twice
        whole_text = screen is None and whole_text_decides(pattern)
        found: list[str] = []
        too_big: list[str] = []
        read_bytes = workspace.read_bytes  # looked up once: the shared tools' workspace is a stand-in (toolset.py)
        for file in files:
            try:
                data = read_bytes(file)
            except WorkspaceError:
                continue
            if b"\x00" in data[:8192]:
                continue
            if len(data) > MAX_GREP_FILE_BYTES:
                too_big.append(file)
                continue
            if screen is not None and not _may_hold_match(data, screen):
                continue  # no line can match: the file lacks text every match holds
            text = data.decode("utf-8", errors="replace")
            if whole_text and regex.search(text) is None:
                continue  # one search in C over the file instead of one per line
            for number, line in enumerate(text.splitlines(), start=1):
                if regex.search(line):
                    found.append(f"{file}:{number}: {line.strip()[:300]}")
                    if len(found) >= max_matches:
                        return cap("\n".join(found) + f"\n[stopped at {max_matches} matches]", max_output)
        skipped = f"\n[not searched, over {MAX_GREP_FILE_BYTES // 1_000_000} MB: {', '.join(too_big[:5])}]" if too_big else ""
        return cap(("\n".join(found) or "[no matches]") + skipped, max_output)

    return execute


def literal_screen(pattern: str) -> tuple[tuple[bytes, ...], ...] | None:
    """Text every match of `pattern` must hold, as UTF-8: alternatives, each a tuple of literals
    that all appear in any match of that alternative; None where no such promise can be made.

    grep reads every file on every call, and searching each line in Python cost most of its
    time; a file that holds none of the alternatives' literals cannot have a matching line, so
    it is skipped without decoding (a C substring search). Only literals that sit in the
    pattern's top-level sequence (or in groups inside it) count; anything under a repeat, a
    class, a lookaround or case-insensitive matching does not.
    """
    parsed = _parsed(pattern)
    if parsed is None or parsed.state.flags & re.IGNORECASE:
        return None
    items = list(parsed.data)
    if len(items) == 1 and items[0][0] is sre_constants.BRANCH:
        branches = [list(branch) for branch in items[0][1][1]]
    else:
        branches = [items]
    screen = tuple(_sequence_literals(branch) for branch in branches)
    return None if any(not literals for literals in screen) else screen


def whole_text_decides(pattern: str) -> bool:
    """Whether a file whose whole text `pattern` finds no match in can have no matching line.

    True when the pattern tests no position (no anchor, word boundary or lookaround): what such a
    pattern matches depends only on the characters it consumes, so a match inside a line is a
    match inside the file. Anchors and lookarounds see a line's ends, which in the whole text
    sit next to a line break, and could match in a line but nowhere in the file."""
    parsed = _parsed(pattern)
    return parsed is not None and not _tests_position(parsed)


@lru_cache(maxsize=256)
def _parsed(pattern: str) -> sre_parser.SubPattern | None:
    """The stdlib parser's reading of `pattern` (read-only to its callers), parsed once for both of grep's
    screens; None when it does not parse."""
    try:
        return sre_parser.parse(pattern)
    except (re.error, RecursionError, OverflowError):
        return None


def _tests_position(subpattern: sre_parser.SubPattern) -> bool:
    for op, argument in subpattern.data:
        if op in (sre_constants.AT, sre_constants.ASSERT, sre_constants.ASSERT_NOT):
            return True
        parts = argument if isinstance(argument, tuple) else (argument,)
        for part in parts:
            nested = part if isinstance(part, list) else [part]  # a branch holds a list of alternatives
            if any(isinstance(inner, sre_parser.SubPattern) and _tests_position(inner) for inner in nested):
                return True
    return False


def _may_hold_match(data: bytes, screen: tuple[tuple[bytes, ...], ...]) -> bool:
    """Some alternative of `literal_screen`'s has all its literals in `data`."""
    for literals in screen:
        for literal in literals:
            if literal not in data:
                break
        else:
            return True
    return False


def _sequence_literals(items: list) -> tuple[bytes, ...]:
    """The runs of literal characters of a sequence of parsed regex items, groups entered."""
    runs: list[str] = []
    current: list[str] = []

    def walk(sequence: list) -> None:
        for op, argument in sequence:
            if op is sre_constants.LITERAL:
                current.append(chr(argument))
            elif op is sre_constants.SUBPATTERN and not argument[1] & re.IGNORECASE:
                walk(list(argument[3]))
            else:
                runs.append("".join(current))
                current.clear()

    walk(items)
    runs.append("".join(current))
    # a run with a replacement character could match bytes that are not UTF-8, and one with a lone
    # surrogate can match nothing in decoded text: neither is a promise about the file's bytes
    return tuple(run.encode("utf-8") for run in runs if run and "\ufffd" not in run and not _has_surrogate(run))


def _has_surrogate(text: str) -> bool:
    return any("\ud800" <= char <= "\udfff" for char in text)


@tool(name="write_file")
def write_file(workspace: RepoWorkspace) -> Tool:
    async def execute(path: str, content: str) -> str:
        """Create or overwrite a file in the repository.

        Args:
            path: File path relative to the repository root.
            content: The full new content of the file.
        """
        try:
            created = workspace.write_text(path, content)
        except WorkspaceError as error:
            raise ToolError(str(error)) from None
        return f"{'created' if created else 'overwrote'} {workspace.relative(path)} ({len(content)} characters)"

    return execute


@tool(name="edit_file")
def edit_file(workspace: RepoWorkspace) -> Tool:
    async def execute(path: str, old_string: str, new_string: str, replace_all: bool = False) -> str:
        """Replace text in an existing file of the repository.

        Args:
            path: File path relative to the repository root.
            old_string: The exact text to replace (must be unique unless replace_all).
            new_string: The replacement text.
            replace_all: Replace every occurrence.
        """
        try:
            text = _decode(workspace.read_bytes(path), path)
            count = text.count(old_string) if old_string else 0
            if count == 0:
                raise ToolError(f"old_string not found in '{path}'")
            if count > 1 and not replace_all:
                raise ToolError(f"old_string occurs {count} times in '{path}'; make it unique or set replace_all")
            workspace.write_text(path, text.replace(old_string, new_string, -1 if replace_all else 1))
        except WorkspaceError as error:
            raise ToolError(str(error)) from None
        return f"edited {workspace.relative(path)} ({count if replace_all else 1} replacement(s))"

    return execute


READ_TOOLS = {"read_file": read_file, "list_dir": list_dir, "glob": glob, "grep": grep}
WRITE_TOOLS = {"write_file": write_file, "edit_file": edit_file}

