"""`Bash(pattern)` rules: which commands match, and compound commands that must not escape them.

The sandboxed tool's enforcement is checked end to end in tests/reliability/test_bash_sandbox.py."""

import pytest

from archbench.core.bash_rules import BashRule, refusal, split_command


@pytest.mark.parametrize(
    "specifier, command, allowed",
    [
        ("git log:*", "git log", True),
        ("git log:*", "git log --oneline -5", True),
        ("git log:*", "git logs", False),
        ("git log:*", "git push", False),
        ("npm run test:*", "npm run test -- --watch", True),
        ("npm run test:*", "npm run test2", False),
        ("npm run test:*", "npm run build", False),
        ("ls", "ls", True),
        ("ls", "ls -la", False),
        ("git *", "git status", True),
        ("git *", "git", True),
        ("git *", "gitk", False),
        ("pip audit *", "pip audit --strict", True),
        ("pip audit *", "pip install x", False),
        ("npm run * --silent", "npm run lint --silent", True),
    ],
)
def test_rule_matching(specifier, command, allowed):
    assert BashRule(specifier).matches(command) is allowed


@pytest.mark.parametrize(
    "command, parts, substitution",
    [
        ("git log; rm -rf .", ["git log", "rm -rf ."], None),
        ("git log && rm x || touch y", ["git log", "rm x", "touch y"], None),
        ("git log | sh", ["git log", "sh"], None),
        ("git log\nrm x", ["git log", "rm x"], None),
        ("git log & rm x", ["git log", "rm x"], None),
        ("git log --format='%h;%s|%an'", ["git log --format='%h;%s|%an'"], None),
        ('git log --grep "a && b"', ['git log --grep "a && b"'], None),
        ("git log 2>&1", ["git log 2>&1"], None),
        ("git log \\; rm", ["git log \\; rm"], None),
        ("git log $(rm x)", [], "$("),
        ('git log "$(rm x)"', [], "$("),
        ("git log `rm x`", [], "`"),
        ("diff <(rm x) y", [], "<("),
        ("git log '$(not run)'", ["git log '$(not run)'"], None),
    ],
)
def test_compound_commands_are_split_at_unquoted_operators(command, parts, substitution):
    found, sub = split_command(command)
    assert sub == substitution
    if substitution is None:
        assert found == parts


@pytest.mark.parametrize(
    "command",
    ["git log; rm -rf .", "git log && rm x", "git log | sh", "git log $(rm x)", "git log `rm x`", "(rm x)", "FOO=1 rm x",
     "git log\nrm x", "rm x # git log"],
)
def test_nothing_escapes_the_allow_list(command):
    why = refusal(command, ("git log:*",))
    assert why is not None and "Bash(git log:*)" in why


def test_allowed_and_unrestricted():
    assert refusal("git log | head -5", ("git log:*", "head:*")) is None
    assert refusal("anything at all; rm x", ()) is None
    assert refusal("ls; rm -rf x", (), ("rm:*",)) == "'rm -rf x' is denied by Bash(rm:*) in disallowedTools"
