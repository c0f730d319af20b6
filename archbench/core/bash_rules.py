"""`Bash(pattern)` entries of an agent file: which shell commands the agent may run.

Claude Code's permission rules (https://code.claude.com/docs/en/permissions) match a Bash
command against a specifier:

- `Bash(git log:*)`: the legacy prefix form: the command is `git log` or starts with `git log `;
- `Bash(git *)`: `*` matches any text; a trailing ` *` is a word-boundary prefix (`git`, `git status`,
  but not `gitk`);
- `Bash(ls)`: exactly `ls`;
- `Bash` or `Bash(*)`: any command.

A command joined with shell operators (`;`, `&&`, `||`, `|`, `&`, a new line) is allowed only when
every part is; command substitution (`$(...)`, backticks) and process substitution (`<(...)`,
`>(...)`) run commands no rule has seen, so a restricted Bash refuses them. Quotes and backslash
escapes are honoured, so `git log --format='%h;%s'` is one command.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class BashRule:
    """One `Bash(specifier)` entry."""

    specifier: str

    @property
    def regex(self) -> re.Pattern[str]:
        spec = self.specifier.strip()
        if spec.endswith(":*"):
            return re.compile(re.escape(spec[:-2].rstrip()) + r"(?:\s.*)?", re.DOTALL)
        trailing = spec.endswith(" *")
        body = spec[:-2].rstrip() if trailing else spec
        pattern = ".*".join(re.escape(part) for part in body.split("*"))
        return re.compile(pattern + (r"(?:\s.*)?" if trailing else ""), re.DOTALL)

    def matches(self, command: str) -> bool:
        return self.regex.fullmatch(" ".join(command.split())) is not None


def is_unrestricted(specifier: str | None) -> bool:
    """`Bash`, `Bash()` and `Bash(*)` allow every command."""
    return specifier is None or specifier.strip() in ("", "*", ":*")


_SUBSTITUTION = ("$(", "`", "<(", ">(")


def split_command(command: str) -> tuple[list[str], str | None]:
    """The simple commands of a command line, split at unquoted shell operators, and the first
    substitution found (`$(`, a backtick, `<(`, `>(`), which a restricted Bash refuses."""
    parts: list[str] = []
    current: list[str] = []
    quote: str | None = None  # the open quote, if any
    index = 0
    while index < len(command):
        char, two = command[index], command[index : index + 2]
        step = 1
        if char == "\\" and quote != "'":
            step = 2  # an escaped character is never an operator
        elif quote == "'":
            quote = None if char == "'" else quote  # nothing is special inside single quotes
        elif two == "$(" or char == "`" or (quote is None and two in ("<(", ">(")):
            return parts, "`" if char == "`" else two  # substitution happens inside double quotes too
        elif quote == '"':
            quote = None if char == '"' else quote
        elif char in ("'", '"'):
            quote = char
        elif two in ("&&", "||") or char in (";", "|", "\n") or (char == "&" and not _redirection(command, index)):
            parts.append("".join(current))
            current = []
            index += 2 if two in ("&&", "||") else 1
            continue
        current.append(command[index : index + step])
        index += step
    parts.append("".join(current))
    return [part.strip() for part in parts if part.strip()], None


def _redirection(command: str, index: int) -> bool:
    """`&` in `>&`, `2>&1` or `&>` redirects output; elsewhere it ends a command."""
    return (index > 0 and command[index - 1] in "<>") or command[index + 1 : index + 2] == ">"


def refusal(command: str, allow: tuple[str, ...], deny: tuple[str, ...] = ()) -> str | None:
    """Why `command` may not run under these rules, or None when it may.

    `allow` empty means every command is allowed (only `deny` applies)."""
    if not allow and not deny:
        return None
    allowed = [BashRule(spec) for spec in allow]
    denied = [BashRule(spec) for spec in deny]
    named = ", ".join(f"Bash({spec})" for spec in allow)
    parts, substitution = split_command(command)
    if substitution is not None:
        return (f"'{substitution}' runs a command inside the command, which this agent's Bash rules cannot check; "
                f"run each command on its own. Allowed: {named or 'every command except ' + ', '.join(deny)}")
    for part in parts:
        hit = next((rule for rule in denied if rule.matches(part)), None)
        if hit is not None:
            return f"'{part}' is denied by Bash({hit.specifier}) in disallowedTools"
        if allowed and not any(rule.matches(part) for rule in allowed):
            return f"'{part}' is not allowed: this agent may only run commands matching {named}"
    return None
