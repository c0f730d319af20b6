"""The grading speed-ups of issue 19 find exactly what the plainer code found, and skip what they claim to skip.

Each shortcut is compared with the plain reading it replaces (kept here as the specification) on the
corpus's plans and on generated text that puts line breaks, odd whitespace and capitals where the
shortcut's reasoning depends on them.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from archbench.core.scenarios import load_scenarios
from archbench.graders import grounding, scope
from archbench.graders.conventions import mention_cue
from archbench.graders.plan import ParsedPlan, parse_plan
from archbench.graders.repo_facts import repo_facts

ROOT = Path(__file__).resolve().parents[2]
TLDR = ROOT / "sample_repos" / "tldr"
SCENARIOS = load_scenarios()
CORPUS = [scenario.reference_plan_text() for scenario in SCENARIOS] + [
    path.read_text(encoding="utf-8") for path in sorted((ROOT / "gold" / "plans").rglob("*.md"))
]


def _line_by_line_names(plan: ParsedPlan, facts) -> set[str]:
    """What `_defined_names` read line by line before `_names_in_text` searched the whole text at once (the specification)."""
    names: set[str] = set()
    for number, text in enumerate(plan.lines, start=1):
        for assigned in re.finditer(r"\b(?P<name>[A-Z][A-Z0-9_]{2,})\s*(?:=|:)\s*(?!:)", text):
            names.add(assigned.group("name"))
        for assigned in re.finditer(r"`(?:class\s+)?(?P<name>[A-Z]\w*)\s*=[^=]", text):
            names.add(assigned.group("name"))
        for defined in re.finditer(r"\b(?:class|def)\s+(?P<name>[A-Za-z_]\w*)", text):
            names.add(defined.group("name"))
        for model in re.finditer(r"`(?P<name>[A-Z][A-Za-z0-9]*)`", text):
            placed = "models.py" in text or re.search(r"\bmodels?\b", text[model.end() : model.end() + 12])
            if placed and facts.model(model.group("name")) is None and mention_cue(plan, number, text, model.start(), model.end()) is None:
                names.add(model.group("name"))
    for match in re.finditer(r"(?<![\w.])(?P<owner>[A-Z][A-Za-z0-9]*)\.(?P<member>[a-z_][a-z0-9_]*)", plan.text):
        if match.group("owner") not in facts.classes and facts.model(match.group("owner")) is None:
            names.add(match.group("member"))
    return names


NAME_PIECES = [
    "MAX_RETRIES", " = ", "=", "==", ": ", "::", ":", "\n", " ", "\t", "\x0c", "\u2028", "`", "class ", "class\n", "def ",
    "def\n", "Foo", "Digest", "Task", "models.py", " model", " models ", "new ", "existing ", "Notification.unread",
    "x.Foo.bar", "_", "TIMEOUT_S", "a", "(", ")", "İ",
]


@pytest.mark.parametrize("index", range(len(CORPUS)))
def test_defined_names_from_the_whole_text_are_the_line_by_line_names(index: int) -> None:
    facts = repo_facts(TLDR)
    text = CORPUS[index]
    for variant in (text, text.replace(" = ", "\n= ").replace(": ", ":\n"), text.replace("class ", "class\n"), text.swapcase()):
        plan = parse_plan(variant)
        assert grounding._names_in_text(plan, facts) == _line_by_line_names(plan, facts)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(NAME_PIECES), max_size=40))
def test_defined_names_whole_text_matches_line_by_line_on_generated_text(pieces: list[str]) -> None:
    facts = repo_facts(TLDR)
    plan = parse_plan("".join(pieces))
    assert grounding._names_in_text(plan, facts) == _line_by_line_names(plan, facts)


def test_grounding_reads_the_repo_once_not_per_plan() -> None:
    """Folders, roots, packages and app labels are the repo's: two plans share what the first computed."""
    facts = repo_facts(TLDR)
    first = grounding._Context(parse_plan("a plan"), facts, frozenset())
    second = grounding._Context(parse_plan("another plan"), facts, frozenset())
    for name in ("_folders", "_roots", "_file_roots", "_repo_tops", "_installed_tops", "_declared_packages", "_app_labels", "_uninstalled_tops"):
        assert getattr(first, name) is getattr(second, name), name


# --- scope: which lines frontend_instruction_violations reads ---------------------------------------------

FRONTEND_PIECES = [
    "Add ", "Update ", "then render ", "should be updated", "the user ", "because ", "uses ", "use ", "useBadge(", "`useBadge`",
    "<Badge />", "<Badge :count=", "<pk>", "<", "Use", "USE", "component", " Vue component", "`Badge` component", "store",
    "frontend store", "CSS class", "SCSS", "stylesheet", "frontend/src/App.vue", "App.vue", "nuxt.config.ts", ".", " | ",
    "| ", "\n", "\n- ", "\n\n", " ", "; ", " — ", "the frontend-architect", "that ", "İ",
]


def _every_line(plan: ParsedPlan, frontend_dir: str) -> list:
    """`frontend_instruction_violations` reading every line (what it did before it narrowed them)."""
    original = plan.lines_containing
    plan.lines_containing = lambda literals: None  # type: ignore[method-assign]
    try:
        return scope.frontend_instruction_violations(plan, frontend_dir)
    finally:
        plan.lines_containing = original  # type: ignore[method-assign]


@pytest.mark.parametrize("index", range(len(CORPUS)))
def test_frontend_instructions_on_candidate_lines_are_those_on_every_line(index: int) -> None:
    plan = parse_plan(CORPUS[index])
    assert scope.frontend_instruction_violations(plan, "frontend") == _every_line(plan, "frontend")


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(FRONTEND_PIECES), max_size=30))
def test_frontend_instructions_on_candidate_lines_on_generated_text(pieces: list[str]) -> None:
    plan = parse_plan("".join(pieces))
    assert scope.frontend_instruction_violations(plan, "frontend") == _every_line(plan, "frontend")


def test_lines_without_a_frontend_name_are_not_read(monkeypatch: pytest.MonkeyPatch) -> None:
    """"use" and "<" are in most lines of a plan ("user", "because", "<pk>"); only `useX` and `<X` can start a piece."""
    read: list[str] = []
    original = scope._instructed_target

    def counting(text: str, target: re.Pattern[str], opens: bool):
        read.append(text)
        return original(text, target, opens)

    monkeypatch.setattr(scope, "_instructed_target", counting)
    plan = parse_plan(
        "- Add `GET /api/users/<pk>/notifications/` because the user uses it.\n"
        "- Update the serializer so users see the unread count.\n"
        "- Add a `useBadge()` composable call.\n"
        "- Render `<Badge :count=unread />` in the header.\n"
    )
    violations = scope.frontend_instruction_violations(plan, "frontend")
    assert read == ["Add a `useBadge()` composable call.", "Render `<Badge :count=unread />` in the header."]
    assert [violation.line for violation in violations] == [3, 4]


# --- grounding: which lines and names are read ------------------------------------------------------------

DOTTED_PIECES = ["a.b", "x.Y", "core.pagination.Std", "e.g.", ". ", ".py", "models.py", "/", "@", ":", "-", "\n", " ", "A", "_", "é", "`"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(DOTTED_PIECES), max_size=30))
def test_every_line_with_a_dotted_path_is_read(pieces: list[str]) -> None:
    plan = parse_plan("".join(pieces))
    holding = {number for number, text in enumerate(plan.lines, start=1) if grounding.DOTTED_PATH.search(text)}
    assert holding <= set(plan.lines_matching(grounding._DOTTED_PATH_DOT))


def test_dotted_paths_are_read_on_the_corpus_lines_that_hold_them() -> None:
    for text in CORPUS:
        plan = parse_plan(text)
        holding = {number for number, line in enumerate(plan.lines, start=1) if grounding.DOTTED_PATH.search(line)}
        assert holding <= set(plan.lines_matching(grounding._DOTTED_PATH_DOT))


@pytest.mark.parametrize("name", ["Task", "TASK", "TIME_ZONE", "send_digest", "digest", "T", "_private", "Notification2", "X1"])
@pytest.mark.parametrize("kind_word", ["", "model", "setting", "app", "task", "method", "field", "queryset", "serializer", "view"])
def test_names_are_checked_by_their_shape_and_the_word_after_them(name: str, kind_word: str) -> None:
    """Decided before the cue is read; a name checked keeps its kind family when resolved against a repo."""
    kind = grounding._named_kind(name, kind_word)
    camel = name[0].isupper() and not name.isupper()
    if camel:
        assert kind == ("model" if kind_word == "model" else "class")
    elif name.isupper():
        assert kind == ("setting" if kind_word == "setting" else None)
    else:
        assert kind == (kind_word if kind_word in ("app", "task", "method", "field", "queryset") else None)
    if kind is not None:
        context = grounding._Context(parse_plan(""), repo_facts(TLDR), frozenset())
        resolved_kind, _ = context._resolve_named(name, kind)
        assert resolved_kind in ("model", "class") if camel else resolved_kind == kind
