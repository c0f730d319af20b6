"""An agent file's YAML front matter, read as leniently as Claude Code reads it, never silently.

Claude Code loads published agent files that strict YAML rejects, most often a plain
`description:` value holding `: ` ("Examples: …") or starting with `**` (reports quoted in
tests/fixtures/agent_files/CLAUDE_CODE_SEMANTICS.md §4). Here a top-level `key: value` line whose
plain value breaks the parse is read as text (with its indented continuation lines, folded as YAML
folds a plain scalar), and a warning names the line and what was repaired. What no line-based
reading can repair is an error at the line where the problem starts, with a hint: a tab used for
indentation, a quote that is never closed, a missing closing `---`, continuation lines that are
not indented.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from archbench.core.strict_yaml import InputError, Location, parse_yaml

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_OPEN = re.compile(r"\A\ufeff?---[ \t]*\r?\n")
_CLOSE = re.compile(r"^---[ \t]*\r?$\n?", re.MULTILINE)
_KEY_LINE = re.compile(r"^(?P<key>[A-Za-z_][A-Za-z0-9_.-]*):(?:[ \t]+(?P<value>.*?))?[ \t]*$")
_UNREPAIRABLE_START = ('"', "'", "[", "{", "|", ">")
FIRST_YAML_LINE = 2  # the front matter's first line is the file's second (after `---`)


@dataclass(frozen=True)
class FrontMatter:
    data: dict[str, Any]
    lines: dict[Location, int]
    body: str
    repairs: tuple[str, ...]  # what lenient reading changed, one sentence each


def split(text: str, path: Path) -> tuple[str, str]:
    """The front matter's YAML text and the body."""
    opening = _OPEN.match(text)
    if not opening:
        raise InputError(
            "no YAML front matter: an agent file starts with a '---' line, then name/description/..., then '---'", path, 1
        )
    closing = _CLOSE.search(text, opening.end())
    if not closing:
        raise InputError(
            "the front matter's closing '---' line is missing: add a line '---' after the last key "
            "(name, description, tools, ...) and before the Markdown body",
            path,
            1,
        )
    return text[opening.end() : closing.start()], text[closing.end() :]


def _problem_line(error: yaml.MarkedYAMLError) -> int:
    """0-based line of the YAML text where the problem starts."""
    if error.context in ("while scanning a quoted scalar", "while scanning a simple key") and error.context_mark is not None:
        return error.context_mark.line  # where the quote or the key-less line starts, not where the parser gave up
    mark = error.problem_mark or error.context_mark
    return mark.line if mark else 0


def _hint(error: yaml.MarkedYAMLError, line_text: str) -> str:
    problem = error.problem or str(error)
    if error.context == "while scanning a quoted scalar":
        quote = line_text.split(":", 1)[-1].strip()[:1] or '"'
        return f"the {quote} opened on this line is never closed: close it at the end of the value"
    if "\t" in line_text[: len(line_text) - len(line_text.lstrip())]:
        return "a tab indents this line: YAML allows only spaces for indentation (replace the tab with spaces)"
    if line_text.strip() and not line_text[:1].isspace() and not _KEY_LINE.match(line_text):
        return ("this line is neither 'key: value' nor indented: if it continues the value above, indent it "
                "(or quote the whole value, key: \"...\")")
    return f"{problem}; if this is a text value, quote it (key: \"...\") and indent any continuation lines"


def _strict(yaml_text: str) -> yaml.MarkedYAMLError | None:
    try:
        yaml.load(yaml_text, Loader=_Loader)
    except yaml.MarkedYAMLError as error:
        return error
    return None


def _what(value: str) -> str:
    if value[:1] in "*&!%@`":
        return f"starts with '{value[:1]}', which YAML reserves"
    if ": " in value or value.endswith(":"):
        return "contains ': ', which YAML reads as a nested key"
    if " #" in value:
        return "contains ' #', which YAML reads as a comment"
    return "is not valid plain YAML"


def _owner(lines: list[str], index: int) -> int | None:
    """The top-level `key:` line whose value spans line `index` (it or an indented line below it)."""
    for candidate in range(index, -1, -1):
        line = lines[candidate]
        if line[:1] in (" ", "\t") or not line.strip():
            continue
        return candidate if _KEY_LINE.match(line) else None
    return None


def _repair_once(lines: list[str], index: int) -> tuple[int, str] | None:
    """Read the plain value owning line `index` as text; return (line, repair) or None when it cannot be."""
    owner = _owner(lines, index)
    if owner is None:
        return None
    match = _KEY_LINE.match(lines[owner])
    key, value = match.group("key"), (match.group("value") or "")
    if not value or value.startswith(_UNREPAIRABLE_START):
        return None
    end = owner + 1
    while end < len(lines) and (lines[end].startswith(" ") or (not lines[end].strip() and end + 1 < len(lines) and lines[end + 1].startswith(" "))):
        end += 1
    if any(line.startswith("\t") for line in lines[owner + 1 : end]):
        return None
    # YAML folds a plain scalar's lines with one space, and a blank line into a line break
    folded = value
    for line in lines[owner + 1 : end]:
        folded += "\n" if not line.strip() else ("" if folded.endswith("\n") else " ") + line.strip()
    lines[owner] = f"{key}: {json.dumps(folded, ensure_ascii=False)}"
    for continuation in range(owner + 1, end):
        lines[continuation] = ""
    return owner, f"the value of '{key}' {_what(value)}"


def parse(text: str, path: Path) -> FrontMatter:
    """Split and parse an agent file's front matter; repair what Claude Code tolerates, with a warning each."""
    yaml_text, body = split(text, path)
    yaml_text = yaml_text.replace("\r\n", "\n")
    lines = yaml_text.split("\n")
    repairs: list[str] = []
    repaired: set[int] = set()
    error = _strict(yaml_text)
    while error is not None:
        index = _problem_line(error)
        original = lines[index] if index < len(lines) else ""
        attempt = _repair_once(lines, index)
        if attempt is None or attempt[0] in repaired:
            raise InputError(f"invalid YAML: {_hint(error, original)}", path, index + FIRST_YAML_LINE)
        repaired.add(attempt[0])
        repairs.append(
            f"{path}:{attempt[0] + FIRST_YAML_LINE}: {attempt[1]}; read as text, as Claude Code does "
            "(quote the value to make the front matter valid YAML)"
        )
        yaml_text = "\n".join(lines)
        error = _strict(yaml_text)
    data, locations = parse_yaml(yaml_text, path, first_line=FIRST_YAML_LINE)
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise InputError("front matter must be a mapping of keys to values", path, FIRST_YAML_LINE)
    return FrontMatter(data, locations, body, tuple(repairs))
