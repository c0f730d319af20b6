"""grep skips a file when it lacks text every match must hold, or when one search of its whole text
finds nothing; it must never skip a matching line."""

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from archbench.evals import tools as tools_module
from archbench.evals.tools import grep, literal_screen, whole_text_decides
from archbench.evals.workspace import RepoWorkspace

pytestmark = pytest.mark.anyio
SAMPLE_REPOS = Path(__file__).resolve().parents[2] / "sample_repos"

# pieces a pattern is built from: literals (ASCII, non-ASCII, a case-folding trap), classes,
# repeats, anchors, groups with and without flags, lookarounds, alternation
PIECES = [
    "a", "b", "K", "\u212a", "\u00e9", "x", " ", r"\.", r"\(", r"\w", r"\d", r"\s", ".", "[ab]", "[^a]",
    "^", "$", r"\b", r"\B", r"\A", r"\Z", "a*", "b+", "(?:ab)?", "(a)", "(?:x|ab)", "(?i:k)", "(?=a)", "(?!a)",
    "(?<=a)", "(?<!b)", r"(?!\s)", "(?![^a])", "(?:^|x)", "|", "a{2}", "(?P<n>b)(?P=n)",
]
LINE_TEXT = st.text(alphabet="abxK\u212a\u00e9 .()\t\r\x0c\u2028_1", max_size=12)


@st.composite
def patterns(draw):
    flags = draw(st.sampled_from(["", "(?i)", "(?m)", "(?s)", "(?x)"]))
    return flags + "".join(draw(st.lists(st.sampled_from(PIECES), min_size=1, max_size=5)))


@settings(max_examples=2000, deadline=None)
@given(patterns(), LINE_TEXT, LINE_TEXT)
def test_a_line_that_matches_is_never_screened_out(pattern, line, other_line):
    try:
        regex = re.compile(pattern)
    except re.error:
        return
    screen = literal_screen(pattern)
    file_bytes = f"{other_line}\n{line}\n".encode()
    if screen is not None and regex.search(line):
        assert any(all(literal in file_bytes for literal in branch) for branch in screen), (pattern, line, screen)


@settings(max_examples=2000, deadline=None)
@given(patterns(), LINE_TEXT, LINE_TEXT, LINE_TEXT)
def test_a_file_with_a_matching_line_is_found_by_one_search_of_its_text(pattern, line, before, after):
    try:
        regex = re.compile(pattern)
    except re.error:
        return
    text = f"{before}\n{line}\r\n{after}"
    if whole_text_decides(pattern) and any(regex.search(each) for each in text.splitlines()):
        assert regex.search(text), (pattern, text)


def test_only_patterns_that_test_no_position_are_decided_on_the_whole_text():
    for pattern in [r"\w+Task", r"(?i)celery", r"[A-Z]\w+(?:View|ViewSet)", r"(a)b\1", r"x{2,}|[^\n]"]:
        assert whole_text_decides(pattern), pattern
    for pattern in [r"^from ", r"models$", r"\bstatus", r"a(?=b)", r"(?:x|(?<!a)b)+", r"(a)(?(1)\Ab|c)", "(", r"\Z"]:
        assert not whole_text_decides(pattern), pattern


def test_the_screen_holds_the_literals_every_match_needs():
    assert literal_screen(r"class \w+\(models\.Model\)") == ((b"class ", b"(models.Model)"),)
    assert literal_screen(r"shared_task|@app\.task") == ((b"shared_task",), (b"@app.task",))
    assert literal_screen(r"(?:def|class) Order") == ((b" Order",),)
    assert literal_screen("caf\u00e9s?") == (("caf\u00e9".encode(),),)
    # nothing can be promised: case-insensitive, a branch with no literal, no literal at all, bad syntax
    for pattern in [r"(?i)order", r"order|\w+", r"\w+", "(", "a*"]:
        assert literal_screen(pattern) is None, pattern
    assert literal_screen(r"(?i:order)Item") == ((b"Item",),)


GREP_PATTERNS = [
    r"class \w+\(models\.Model\)", r"@shared_task|@app\.task", r"def \w+", r"^from ", r"(?i)celery", r"ForeignKey\(",
    r"path\(\"", r"\bstatus\b", r"retry", r"(?i)retry|countdown", r"[A-Z][a-z]+Task\b", r"\d{3}", r"(?m)^\s+class Meta:$",
    r"[A-Z]\w+Serializer", r"TODO|FIXME", r"nothing-matches-this",
]


@pytest.mark.parametrize("repo", sorted(path.name for path in SAMPLE_REPOS.iterdir() if path.is_dir()))
async def test_grep_finds_what_it_found_without_the_screen(repo, monkeypatch):
    search = grep(RepoWorkspace(SAMPLE_REPOS / repo))
    screened = [await search(pattern=pattern, max_matches=10_000) for pattern in GREP_PATTERNS]
    monkeypatch.setattr(tools_module, "literal_screen", lambda _pattern: None)
    monkeypatch.setattr(tools_module, "whole_text_decides", lambda _pattern: False)
    unscreened = [await search(pattern=pattern, max_matches=10_000) for pattern in GREP_PATTERNS]
    assert screened == unscreened
    assert sum(result != "[no matches]" for result in screened) >= 8  # the patterns do find things
