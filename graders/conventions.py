"""Conventions: does the plan follow the repo's house rules and the prompt's general ones?

Two sources of rules, one checked item each (dimension "conventions"):

- the repo's own rules, `scenario.repo_config.conventions` (docs/formats.md), dispatched by
  their `check` name to the predicates in `REPO_CHECKS`;
- the prompt's general rules, data in `graders/general_conventions.yaml`: each names when it
  applies (`applies_when`, a plan feature from `APPLIES_WHEN`) and how it is met (phrase
  groups in `mentions`, or a named `check` from `GENERAL_CHECKS`). A general rule whose
  `superseded_by` check is declared by the repo is left to the repo rule, so nothing is
  counted twice.

A rule that does not apply to this plan (no new model → `base_model`) is omitted, never met.
What the plan proposes — new models with their fields and bases, endpoints, Celery tasks,
apps, status values — is read once by `plan_proposals` and shared with the grounding grader.
How each predicate decides is in its docstring and in docs/graders-conventions-grounding.md.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from archbench.core.repo_config import AppliesWhen, Convention, ConventionCheck, Phrase
from archbench.core.strict_yaml import InputError, load_model
from archbench.graders.completeness import (
    HTTP_METHOD,
    URL_PATH,
    method_paths,
    normalise_path,
)
from archbench.graders.plan import (
    ParsedPlan,
    folds_like_lower,
    phrases_regex,
    starting_with,
)
from archbench.graders.repo_facts import RepoFacts, django_model_api, repo_facts
from archbench.graders.verdicts import ItemVerdict, clip

if TYPE_CHECKING:
    from archbench.core.scenarios import Scenario

DIMENSION = "conventions"
GENERAL_CONVENTIONS_FILE = Path(__file__).with_name("general_conventions.yaml")
Span = tuple[int, int]
T = TypeVar("T")

# --- how a mention is presented: existing, new or negated ----------------------------------------

EXISTING_CUE = (
    r"existing|exists|current(?:ly)?|already|see|mirror(?:s|ing)?|reuse[sd]?|re-use[sd]?|reusing|extend(?:s|ed|ing)?"
    r"|modify|modifies|modified|modifying|update[sd]?|updating|edit(?:s|ed|ing)?|change[sd]?|changing|refactor\w*"
    r"|rename[sd]?|replace[sd]?|remove[sd]?|delete[sd]?|retire[sd]?|retiring|today|follows"
)
NEW_CUE = (
    r"new|add(?:s|ed|ing)?|create[sd]?|creating|introduce[sd]?|introducing|define[sd]?|defining|propose[sd]?"
    r"|proposing|another|extra|becomes"
)
NEGATION_WORDS = r"no|not|never|without|instead\s+of|rather\s+than|avoid\w*|nor|unlike|lacks?|missing|absent"


def _leading_letters(alternation: str) -> tuple[str, ...]:
    """The plain letters each top-level alternative of `alternation` opens with, up to its first group,
    class, escape or optional letter: every match of the alternative starts with one of them."""
    leads: list[str] = []
    depth, start = 0, 0
    for index, char in enumerate(alternation + "|"):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if char == "|" and depth == 0:
            alternative = alternation[start:index]
            lead = re.match(r"[a-z'-]*", alternative).group()
            if alternative[len(lead) : len(lead) + 1] in ("?", "*", "{"):
                lead = lead[:-1]
            if not lead:
                raise ValueError(f"no plain letters open {alternative!r}")
            leads.append(lead)
            start = index + 1
    return tuple(leads)


def _cue_patterns(alternation: str) -> tuple[str, re.Pattern[str]]:
    """A look-ahead for the first letters of `alternation`'s words, and a plain-words pattern found in the
    lower-cased text of every match. Neither changes a match, both make one cheap to rule out: a
    case-insensitive alternation is otherwise tried at each word boundary (~100 µs over 400 characters of
    `x`x`x), while `re` skips ahead to the first letters of plain lower-case words (~1 µs)."""
    leads = _leading_letters(alternation)
    first_letters = "".join(sorted({lead[0] for lead in leads}))
    return rf"(?=[{first_letters}])", re.compile("|".join(map(re.escape, leads)))


CUE_LOOKAHEAD, CUE_HINT = _cue_patterns(f"{EXISTING_CUE}|{NEW_CUE}")
CUE_WORD = re.compile(rf"\b{CUE_LOOKAHEAD}(?:(?P<existing>{EXISTING_CUE})|(?P<new>{NEW_CUE}))\b", re.IGNORECASE)
AFTER_CUE = re.compile(
    r"^[`*)\s]*(?:[|,:—–-]\s*)?\(?\s*(?:(?P<new>new|to\s+be\s+(?:added|created)|(?:is\s+|are\s+|gets?\s+)?(?:added|created|introduced))|(?P<existing>existing|unchanged|already\s+exists|exists))\b",
    re.IGNORECASE,
)
NEGATION_LOOKAHEAD, NEGATION_HINT = _cue_patterns(f"{NEGATION_WORDS}|n't")
NEGATION = re.compile(rf"\b{NEGATION_LOOKAHEAD}(?:{NEGATION_WORDS})\b|n't\b", re.IGNORECASE)
CUE_CLAUSE_BREAK = re.compile(r"[.;:!?](?:\s|$)|\n\s*\n|\n\s*(?:[-*+#]|\d+[.)])")
OUTSIDE_CLAUSE_BREAKS = re.compile(r"[^\s\d.;:!?)*+#-]")  # a character no CUE_CLAUSE_BREAK match holds
ARTICLE = re.compile(r"^(?:a|an|one)$", re.IGNORECASE)
CUE_WINDOW_WORDS = 6
CUE_WINDOW_CHARS = 400
"""How far back a cue is looked for. Each mention's cue costs the same however long its line is (a
1 MB line holds many mentions); the corpus's plans need at most ~200 for the same words as the whole text."""


def _cue_words(plan: ParsedPlan, line: int, text: str, start: int) -> list[str]:
    """The last CUE_WINDOW_WORDS words of the clause before text[start] (the three lines above count too),
    read from its last CUE_WINDOW_CHARS characters.

    A shortened text is cut right after a character no clause break holds, so the breaks found in it
    are those of the whole text: the words are the same whenever they fit in the window.
    """
    tail = text[max(0, start - CUE_WINDOW_CHARS) : start]
    length = start
    for previous in reversed(plan.lines[max(0, line - 4) : line - 1]):
        length += len(previous) + 1
        room = CUE_WINDOW_CHARS - len(tail) - 1
        if room >= 0:
            tail = previous[max(0, len(previous) - room) :] + "\n" + tail
    if length > len(tail):
        cut = OUTSIDE_CLAUSE_BREAKS.search(tail)
        tail = tail[cut.end() :] if cut else tail
    return CUE_CLAUSE_BREAK.split(tail)[-1].split()[-CUE_WINDOW_WORDS:]


def mention_cue(plan: ParsedPlan, line: int, text: str, start: int, end: int) -> str | None:
    """"existing", "new", "negated" or None for the mention at text[start:end] of `line`."""
    words = _cue_words(plan, line, text, start)
    joined = " ".join(words)
    lower = joined.lower() if folds_like_lower(joined) else None  # None: the hints could miss a match

    def may_hold(hint: re.Pattern[str]) -> bool:
        return lower is None or hint.search(lower) is not None

    if may_hold(NEGATION_HINT) and NEGATION.search(joined):
        return "negated"
    after = AFTER_CUE.match(text[end : end + 40])
    if after:
        return "new" if after.group("new") else "existing"
    if any(ARTICLE.match(word.strip("([{*_`'\"")) for word in words[-3:]):
        return "new"
    cues = list(CUE_WORD.finditer(joined)) if may_hold(CUE_HINT) else []
    if not cues:
        return None
    return "new" if cues[-1].group("new") else "existing"


# --- what the plan proposes -------------------------------------------------------------------

IDENT = r"[A-Za-z_][A-Za-z0-9_]*"
SNAKE_CASE = re.compile(r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$")
FIELD_TYPE = re.compile(
    r"(?<![A-Za-z0-9_])(?:[A-Z][A-Za-z0-9]*Field|ForeignKey|OneToOneField|ManyToManyField|FK|M2M|GenericForeignKey)(?![A-Za-z0-9_])"
)
TYPE_ALIASES = {"FK": "ForeignKey", "M2M": "ManyToManyField"}
RELATION_TYPES = frozenset({"ForeignKey", "OneToOneField", "ManyToManyField", "GenericForeignKey"})
NOT_MODEL_SUFFIXES = (
    "Serializer", "ViewSet", "View", "Permission", "Pagination", "Filter", "FilterSet", "Service", "Manager",
    "QuerySet", "Config", "Admin", "Form", "Error", "Exception", "Choices", "Mixin", "Command", "Consumer",
    "Middleware", "Router", "Backend", "Client", "Renderer", "Parser", "TestCase", "Tests", "Field",
)
SECTION_WORDS = frozenset(
    {
        "Overview", "Summary", "Context", "Models", "Model", "Fields", "Indexes", "Constraints", "Migration",
        "Migrations", "Endpoints", "Tasks", "Decisions", "Notes", "Permissions", "Serializers", "Views",
        "Validation", "Tests", "Testing", "Settings", "Choices", "Relationships", "Signals", "Admin", "Schema",
        "Queries", "Changes", "Examples", "Example", "Response", "Request", "Deviations", "Assumptions",
        "Scope", "Plan", "Design", "Handoff", "Hand", "Performance", "Security", "Rollout", "Risks", "Data",
        "Queryset", "Querysets", "Managers", "Methods", "Recommendation", "Options", "Option", "Comparison",
    }
)
HEADING_MODEL = re.compile(
    r"^\s*(?:\d+(?:\.\d+)*[.)]?\s+|[A-Za-z][.)]\s+)?"
    r"(?:(?i:new|existing|changed|modified|updated|changes\s+to)\s+)?(?:(?i:model)\s*+(?:[:\-–—]\s*+)?)?"
    r"(?P<mark>[`*]*)(?:(?P<app>[a-z_][a-z0-9_]*)\.)?(?P<name>[A-Z][A-Za-z0-9]*)(?:\((?P<bases>[^)]*)\))?[`*]*"
    r"(?P<rest>.*)$"
)
HEADING_REST = re.compile(r"^\s*(?:$|(?i:model)\b|\(|—|–|-\s|:|,|(?:in|on|for|inside)\b)")
MODEL_WORD = re.compile(r"(?<![A-Za-z])models?(?![A-Za-z]|\.py)", re.IGNORECASE)
DATA_SECTION = re.compile(r"model|schema|data|database|table", re.IGNORECASE)


def _marked_name(group: str) -> str:
    """A backticked or bold class name, optionally app-qualified or with bases: `app.Name(Base)`.

    Its runs of marks are possessive (`[`*]++`: what follows a run is never a mark, so giving marks
    back cannot help) and alternatives that open with one start only where a run does (a match never
    starts inside a run when none starts at its first mark): without both, a 200 KB run of backticks
    took minutes, each of its offsets scanning the rest of the run.
    """
    return rf"[`*]++(?:[a-z_][a-z0-9_]*\.)?(?P<{group}>[A-Z][A-Za-z0-9]*)(?:\([^)`]*\))?[`*]++"


PROSE_NEW_MODEL = starting_with(
    re.compile(
        rf"(?i:\bnew\s+(?:\w+\s+)?model\s*+(?:[:\-–—]\s*+)?){_marked_name('a')}"
        rf"|(?i:\b(?:new|add(?:s|ing)?|create[sd]?|creating|introduc(?:e|es|ing))\s+(?:(?:a|an|the|one)\s+)?(?:new\s+)?){_marked_name('b')}\s*(?i:model)\b"
        rf"|(?<![`*]){_marked_name('c')}\s*\((?i:new)\b"
    ),
    "new", "add", "creat", "introduc", "`", "*",
)
CODE_CLASS = re.compile(r"^(?P<indent>\s*)class\s+(?P<name>[A-Z][A-Za-z0-9]*)\s*+(?:\((?P<bases>[^)]*)\)\s*+)?:")
CODE_FIELD = re.compile(rf"^\s+(?P<name>{IDENT})\s*(?::[^=]++)?=\s*(?:[\w.]+\.)?(?P<type>[A-Z]\w*)\(")
INLINE_FIELD = re.compile(rf"(?<![\w.])(?:(?P<model>[A-Z]\w*)\.)?(?P<name>{IDENT})\s*=\s*(?:models\.)?(?P<type>[A-Z]\w*)\(")
FIELD_ASSIGNMENT = re.compile(r"=\s*(?:models\.)?[A-Z]\w*\(")  # the tail of every INLINE_FIELD match; found fast (a literal first)
LIST_FIELD = re.compile(rf"^[`*]*(?P<name>{IDENT})[`*]*\s*(?::|—|–|-|→|\(|=)\s*(?P<rest>.*)")
CHOICES_CLASS_MEMBER = re.compile(r"^\s+[A-Z][A-Z0-9_]*\s*=\s*(?P<quote>['\"])(?P<value>[^'\"]*)(?P=quote)")
STATUS_CONSTANT = re.compile(r"\b[A-Z](?=[A-Z0-9_]*?(?:STATUS|STATE))[A-Z0-9_]*+\s*=\s*(?P<quote>['\"])(?P<value>[^'\"]*)(?P=quote)")
STATUS_WORD = starting_with(
    re.compile(r"(?<![A-Za-z])(?:status|state)(?:es)?(?![A-Za-z])|_status\b|_state\b|TextChoices|\bchoices\b", re.IGNORECASE),
    "stat", "_stat", "textchoices", "choices",
)
STATUS_DEFINING = re.compile(r"TextChoices|\bchoices\b|(?:status|state)\s+values?|\bvalues?\s*:", re.IGNORECASE)
BACKTICKED = re.compile(r"`([^`\n]+)`")
QUOTED = re.compile(r"(?<![A-Za-z0-9])(['\"])([A-Za-z][A-Za-z0-9_\- ]*)\1")
VALUE_LIKE = re.compile(r"^[A-Za-z][A-Za-z0-9_\-]*$")
CAMEL_CASE = re.compile(r"^[a-z][a-z0-9]*[A-Z][A-Za-z0-9]*$")
KEBAB_CASE = re.compile(r"^[a-z][a-z0-9]*(?:-[a-z0-9]+)+$")
COLON_NEXT = re.compile(r"\s*:")
NOT_A_VALUE_AFTER = re.compile(r"\s*(?:action|endpoint|route|url|path|view|page|button|param(?:eter)?|query|field|column|flag)s?\b", re.IGNORECASE)
NOT_STATUS_VALUES = frozenset(
    {"status", "state", "choices", "null", "blank", "default", "true", "false", "none", "unique", "db_index", "max_length"}
)
TASK_DECORATOR = re.compile(r"^\s*@(?:[\w.]+\.)?(?:shared_task|task)\b")
CODE_DEF = re.compile(rf"^\s*(?:async\s+)?def\s+(?P<name>{IDENT})\s*\(")
TASK_QUALIFIER = r"(?i:celery|periodic|beat|background|async|scheduled)"
TASK_NEAR_NAME = starting_with(
    re.compile(
        rf"`(?P<a>[a-z][a-z0-9_]*)(?:\([^)`]*\))?`\s+(?:{TASK_QUALIFIER}\s+)?(?i:task)\b"
        rf"|`(?P<b>[a-z][a-z0-9_]*)(?:\([^)`]*\))?`\s*\((?:(?i:a|an|new)\s+)?{TASK_QUALIFIER}\s+(?i:task)"
        rf"|{TASK_QUALIFIER}\s+(?i:task)\s*[:\-–—]?\s*`(?P<c>[a-z][a-z0-9_]*)"
    ),
    "`", "celery", "periodic", "beat", "background", "async", "scheduled",
)
TASK_SECTION = re.compile(r"celery|background|async|periodic|worker|\bbeat\b|\bjobs?\b|shared_task", re.IGNORECASE)
LIST_TASK = re.compile(r"^[*]*`(?P<name>[a-z][a-z0-9]*_[a-z0-9_]+)(?:\([^)`]*\))?`[*]*\s*(?:\(|—|–|-|:|$)")
HEADING_TASK = re.compile(
    r"^\s*(?:\d+(?:\.\d+)*[.)]?\s+)?(?:(?i:(?:celery\s+|periodic\s+|beat\s+)?task)\s*+(?:[:\-–—]\s*+)?)?"
    r"(?P<name>[a-z][a-z0-9]*_[a-z0-9_]+)(?:\([^)]*\))?\s*(?:$|\(|—|–|-\s|:)"
)
HEADING_SNAKE = re.compile(r"`(?P<name>[a-z][a-z0-9_]*)(?:\([^)`]*\))?`")
NEW_APP = starting_with(
    re.compile(
        r"(?i:\bnew\s+(?:django\s+)?app(?:lication)?)\s*+(?:[:\-–—]\s*+)?[`*]++(?P<a>[a-z][a-z0-9_]*)[`*]++"
        r"|(?i:\b(?:new|create|add|introduce)\s+(?:(?:a|an|the)\s+)?(?:new\s+)?)[`*]++(?P<b>[a-z][a-z0-9_]*)[`*]++\s+(?i:(?:django\s+)?app)\b"
        r"|(?<![`*])[`*]++(?P<c>[a-z][a-z0-9_]*)[`*]++\s+(?i:(?:django\s+)?app)\s*\((?i:new)"
        r"|(?i:startapp)\s+`?(?P<d>[a-z][a-z0-9_]*)"
    ),
    "new", "create", "add", "introduce", "`", "*", "startapp",
)
LIST_CONTEXT = re.compile(r"paginat|\blist\b|\bresults\b|cursor|\bpage\b", re.IGNORECASE)


@dataclass(frozen=True)
class ProposedField:
    name: str
    type: str | None
    """Django field class when the plan states one (`FK` read as `ForeignKey`)."""
    line: int
    model: str | None
    text: str

    @property
    def status_like(self) -> bool:
        lowered = self.name.lower()
        return lowered in ("status", "state") or lowered.endswith(("_status", "_state")) or "choices" in self.text


@dataclass
class ProposedModel:
    name: str
    line: int
    spans: list[Span]
    bases: list[str]
    existing: bool
    """The repo already has this model: the plan changes it rather than adding it."""

    def covers(self, line: int) -> bool:
        return any(start <= line <= end for start, end in self.spans)


@dataclass(frozen=True)
class ProposedEndpoint:
    method: str
    path: str
    line: int
    existing: bool
    lists: bool
    """A GET on a collection (no trailing id) described as a list: pagination applies."""


@dataclass(frozen=True)
class StatusValue:
    value: str
    line: int
    quoted: bool

    @property
    def snake_case(self) -> bool:
        return bool(SNAKE_CASE.match(self.value))

    @property
    def violates(self) -> bool:
        """Backticked names may be class or member names, so only camelCase/kebab-case count there."""
        if self.quoted:
            return not self.snake_case and " " not in self.value
        return bool(CAMEL_CASE.match(self.value) or KEBAB_CASE.match(self.value))


@dataclass
class PlanProposals:
    models: list[ProposedModel]
    fields: list[ProposedField]
    endpoints: list[ProposedEndpoint]
    tasks: dict[str, int]
    """New Celery task name → line where the plan introduces it."""
    changed_tasks: dict[str, int]
    """Existing repo tasks the plan redesigns → line."""
    apps: dict[str, int]
    """New app label → line."""
    status_values: list[StatusValue]
    defined: frozenset[str]
    """Every identifier the plan defines: model, field, class, function and task names, assigned names."""

    @property
    def new_models(self) -> list[ProposedModel]:
        return [model for model in self.models if not model.existing]

    @property
    def new_endpoints(self) -> list[ProposedEndpoint]:
        return [endpoint for endpoint in self.endpoints if not endpoint.existing]


def plan_proposals(plan: ParsedPlan, facts: RepoFacts) -> PlanProposals:
    """What the plan proposes, read structurally (headings, tables, list items, code sketches).

    Computed once per plan and repo: the conventions and grounding graders both need it.
    """
    return plan.derive(("plan_proposals", facts.repo_dir), lambda: _read_proposals(plan, facts))


def _read_proposals(plan: ParsedPlan, facts: RepoFacts) -> PlanProposals:
    code_lines = _code_lines(plan)
    models = _proposed_models(plan, facts, code_lines)
    fields = _proposed_fields(plan, models, code_lines)
    tasks, changed_tasks = _proposed_tasks(plan, facts, code_lines)
    defined = {model.name for model in models} | {item.name for item in fields} | set(tasks)
    for line in code_lines:
        text = plan.line(line)
        for pattern in (CODE_CLASS, CODE_DEF):
            match = pattern.match(text)
            if match:
                defined.add(match.group("name"))
        assigned = re.match(rf"^\s*(?P<name>{IDENT})\s*(?::[^=]+)?=(?!=)", text)
        if assigned:
            defined.add(assigned.group("name"))
    return PlanProposals(
        models=models,
        fields=fields,
        endpoints=_proposed_endpoints(plan, facts),
        tasks=tasks,
        changed_tasks=changed_tasks,
        apps=_proposed_apps(plan, facts, code_lines),
        status_values=_status_values(plan, fields, code_lines),
        defined=frozenset(defined),
    )


def _code_lines(plan: ParsedPlan) -> frozenset[int]:
    lines: set[int] = set()
    for block in plan.code_blocks:
        start = block.body_start_line or block.start_line
        end = block.end_line - 1 if block.body_start_line > block.start_line else block.end_line
        lines.update(range(start, end + 1))
    return frozenset(lines)


def _is_model_base(base: str, facts: RepoFacts) -> bool:
    last = base.strip().rsplit(".", 1)[-1]
    if not last or last.endswith(("Choices", "Serializer", "ViewSet", "View", "Mixin", "Permission")):
        return False
    return last.endswith("Model") or last in {"AbstractUser", "AbstractBaseUser"} or facts.model(last) is not None


def _heading_models(plan: ParsedPlan, facts: RepoFacts, code_lines: frozenset[int]) -> Iterator[tuple[str, int, Span, list[str]]]:
    for heading in plan.headings:
        match = HEADING_MODEL.match(heading.text)
        if not match or not HEADING_REST.match(match.group("rest")):
            continue
        name = match.group("name")
        if name in SECTION_WORDS or name.endswith(NOT_MODEL_SUFFIXES):
            continue
        span = plan.heading_span(heading)
        bases = [base.strip() for base in (match.group("bases") or "").split(",") if base.strip()]
        direct_body = (heading.start_line, _next_heading_line(plan, heading.start_line) - 1)
        if any(_is_model_base(base, facts) for base in bases) or facts.model(name) is not None:
            yield name, heading.start_line, span, bases
        elif match.group("mark") and (
            MODEL_WORD.search(heading.text) is not None
            or any(DATA_SECTION.search(text) for text in heading.section)
            or _has_field_definitions(plan, span, code_lines)
        ):
            yield name, heading.start_line, span, bases
        elif _has_field_definitions(plan, direct_body, code_lines):
            yield name, heading.start_line, span, bases


def _next_heading_line(plan: ParsedPlan, line: int) -> int:
    following = plan.next_heading_line(line)
    return len(plan.lines) + 1 if following is None else following


def _has_field_definitions(plan: ParsedPlan, span: Span, code_lines: frozenset[int]) -> bool:
    return any(True for _ in _field_definitions(plan, span, code_lines))


def _matches(plan: ParsedPlan, pattern: re.Pattern[str], code_lines: frozenset[int]) -> Iterator[tuple[int, re.Match[str]]]:
    """Matches in the plan's prose (a match may span a line break), with the line it starts on."""
    for match in plan.matches(pattern):
        line = plan.line_of_offset(match.start())
        if line not in code_lines:
            yield line, match


def _span_in_line(plan: ParsedPlan, line: int, match: re.Match[str]) -> tuple[int, int]:
    """Start and end of a whole-text match as columns of the line it starts on."""
    line_start = plan.line_start(line)
    return match.start() - line_start, min(match.end() - line_start, len(plan.line(line)))


def _prose_models(plan: ParsedPlan, code_lines: frozenset[int]) -> Iterator[tuple[str, int]]:
    for line, match in _matches(plan, PROSE_NEW_MODEL, code_lines):
        name = match.group("a") or match.group("b") or match.group("c")
        if not name.endswith(NOT_MODEL_SUFFIXES):
            yield name, line


def _code_models(plan: ParsedPlan, facts: RepoFacts, code_lines: frozenset[int]) -> Iterator[tuple[str, int, Span, list[str]]]:
    for block in plan.code_blocks:
        first = block.body_start_line or block.start_line
        last = block.end_line - 1 if block.body_start_line > block.start_line else block.end_line
        for line in range(first, last + 1):
            match = CODE_CLASS.match(plan.line(line))
            if not match:
                continue
            bases = [base.strip() for base in (match.group("bases") or "").split(",") if base.strip()]
            if not any(_is_model_base(base, facts) for base in bases):
                continue
            end = line
            indent = len(match.group("indent"))
            for following in range(line + 1, last + 1):
                text = plan.line(following)
                if text.strip() and len(text) - len(text.lstrip()) <= indent:
                    break
                end = following
            yield match.group("name"), line, (line, end), bases


def _proposed_models(plan: ParsedPlan, facts: RepoFacts, code_lines: frozenset[int]) -> list[ProposedModel]:
    found: dict[str, ProposedModel] = {}

    def add(name: str, line: int, span: Span, bases: list[str]) -> None:
        model = found.get(name)
        if model is None:
            found[name] = ProposedModel(name, line, [span], list(bases), existing=facts.model(name) is not None)
            return
        model.line = min(model.line, line)
        model.spans.append(span)
        model.bases.extend(base for base in bases if base not in model.bases)

    for name, line, span, bases in _heading_models(plan, facts, code_lines):
        add(name, line, span, bases)
    for name, line, span, bases in _code_models(plan, facts, code_lines):
        add(name, line, span, bases)
    definition_lines = sorted({line for model in found.values() for line, _ in model.spans})
    heading_lines = [heading.start_line for heading in plan.headings]
    for name, line in _prose_models(plan, code_lines):
        if any(model.covers(line) and model.name == name for model in found.values()):
            continue
        ends = [other - 1 for other in definition_lines + heading_lines if other > line] + [len(plan.lines)]
        add(name, line, (line, min(ends)), [])
    for model in found.values():
        others = [start for other in found.values() if other is not model for start, _ in other.spans]
        model.spans = [(start, min([end] + [other - 1 for other in others if start < other <= end])) for start, end in model.spans]
        model.bases.extend(base for base in _bases_in_prose(plan, model) if base not in model.bases)
    return sorted(found.values(), key=lambda model: model.line)


# The word after a cue and the dotted path before the base are bounded (20 and 60 characters, far beyond
# "inheritance" or "apps.core.models."): unbounded, each of the many cues of a long run of word characters
# (`extendextend…`) rescanned the rest of the run, character by character.
INHERITS = re.compile(
    r"(?i:inherit\w{0,20}|extend\w{0,20}|subclass\w{0,20}|derive\w{0,20}|based\s+on|base\s+class)"
    r"\s*+(?i:from|of|on)?\s*+[:\s]*+[`*]*+(?:[\w.]{1,60}\.)?(?P<base>[A-Z][A-Za-z0-9]*)"
)


INHERITS_WORDS = ("inherit", "extend", "subclass", "derive", "based", "base")  # INHERITS matches open with one (any case)


def _bases_in_prose(plan: ParsedPlan, model: ProposedModel) -> list[str]:
    bases = []
    inheriting = plan.lines_containing(INHERITS_WORDS)  # None: every line may hold an INHERITS match
    call_pattern = re.compile(rf"\b{re.escape(model.name)}\((?P<bases>[A-Za-z_][\w., ]*)\)")
    called = f"{model.name}("  # in every call_pattern match
    for start, end in model.spans:
        for line in range(start, end + 1):
            text = plan.line(line)
            if inheriting is None or line in inheriting:
                for match in INHERITS.finditer(text):
                    bases.append(match.group("base"))
            call = call_pattern.search(text) if called in text else None
            if call:
                bases.extend(base.strip().rsplit(".", 1)[-1] for base in call.group("bases").split(",") if base.strip())
    return bases


def _field_definitions(plan: ParsedPlan, span: Span, code_lines: frozenset[int]) -> Iterator[tuple[str, str | None, int, str]]:
    """(name, type, line, text) of every field the plan defines within `span`."""
    start, end = span
    for block in plan.blocks_starting_in(start, end):
        if block.kind == "table_row" and block.cells and block.cells != block.header:
            header = " ".join(block.header).lower()
            row = " | ".join(block.cells[1:])
            field_type = FIELD_TYPE.search(row)
            if not (field_type or ("field" in header or "name" in header or "column" in header) and "type" in header):
                continue
            for name in re.split(r"[/,]", block.cells[0].strip().strip("`*").strip()):  # "a, b / c"
                name = name.strip().strip("`* ")
                if re.fullmatch(IDENT, name):
                    kind = TYPE_ALIASES.get(field_type.group(0), field_type.group(0)) if field_type else None
                    yield name, kind, block.start_line, block.text
        elif block.kind == "list_item" and block.start_line not in code_lines:
            first = block.first_line_text.strip()
            match = LIST_FIELD.match(first)
            if match and not match.group("name")[0].isupper():
                field_type = FIELD_TYPE.search(match.group("rest"))
                if field_type:
                    yield match.group("name"), TYPE_ALIASES.get(field_type.group(0), field_type.group(0)), block.start_line, first
    for line in range(start, end + 1):
        if line in code_lines:
            match = CODE_FIELD.match(plan.line(line))
            if match and FIELD_TYPE.fullmatch(match.group("type")):
                yield match.group("name"), match.group("type"), line, plan.line(line).strip()


def _proposed_fields(plan: ParsedPlan, models: list[ProposedModel], code_lines: frozenset[int]) -> list[ProposedField]:
    fields: dict[tuple[str, int], ProposedField] = {}
    for model in models:
        for span in model.spans:
            for name, kind, line, text in _field_definitions(plan, span, code_lines):
                fields.setdefault((name, line), ProposedField(name, kind, line, model.name, text))
    for block in plan.blocks:
        if block.kind == "table_row" and re.search(r"\b(?:field|column)s?\b", " ".join(block.header), re.IGNORECASE):
            if not any(model.covers(block.start_line) for model in models):
                for name, kind, line, text in _field_definitions(plan, (block.start_line, block.start_line), code_lines):
                    fields.setdefault((name, line), ProposedField(name, kind, line, None, text))
    for line in plan.lines_matching(INLINE_FIELD) if FIELD_ASSIGNMENT.search(plan.text) else ():
        text = plan.line(line)
        for match in INLINE_FIELD.finditer(text):
            if FIELD_TYPE.fullmatch(match.group("type")) and (match.group("name"), line) not in fields:
                owner = match.group("model") or next((model.name for model in models if model.covers(line)), None)
                fields[(match.group("name"), line)] = ProposedField(match.group("name"), match.group("type"), line, owner, text.strip())
    return sorted(fields.values(), key=lambda item: item.line)


@lru_cache(maxsize=4096)
def _route_key(path: str) -> tuple[str, ...]:
    """`normalise_path`, with literal ids (`/projects/12/`, UUIDs) read as parameters too."""
    return tuple("{}" if re.fullmatch(r"\d+|[0-9a-f]{8}-[0-9a-f-]{27}", segment) else segment for segment in normalise_path(path))


def _proposed_endpoints(plan: ParsedPlan, facts: RepoFacts) -> list[ProposedEndpoint]:
    existing = facts.derive(("route_keys",), lambda: {_route_key(route.path) for route in facts.urls})  # once per repo
    found: dict[tuple[str, tuple[str, ...]], ProposedEndpoint] = {}
    for line in plan.lines_matching(HTTP_METHOD):
        text = plan.line(line)
        paths = [
            (match.start(), match.group(1).rstrip(".:"))
            for match in URL_PATH.finditer(text)
            if re.search(r"[A-Za-z{<:]", match.group(1)) and not match.group(1).startswith("//")
        ]
        if not paths:
            continue
        for method, path in method_paths(text, paths):
            key = (method.group(1), _route_key(path))
            if key in found:
                continue
            segments = key[1]
            lists = (
                method.group(1) == "GET"
                and bool(segments)
                and segments[-1] != "{}"
                and (segments[-1].endswith("s") or _around(plan, line, _lists_something))
            )
            found[key] = ProposedEndpoint(method.group(1), path.split("?")[0], line, key[1] in existing, lists)
    return sorted(found.values(), key=lambda endpoint: endpoint.line)


def _around(plan: ParsedPlan, line: int, read: Callable[[str], T]) -> T:
    """`read` of the text around `line`: its block, a heading's whole span, or the line outside any block.

    Computed once per block: every line of a block (a list item of 100,000 endpoint lines) shares it.
    """
    block = plan.block_at(line)
    cache: dict = plan.derive(("around", read), dict)
    where = ("line", line) if block is None else id(block)
    if where not in cache:
        if block is None:
            text = plan.line(line)
        elif block.kind == "heading":
            start, end = plan.heading_span(block)
            text = "\n".join(plan.lines[start - 1 : end])
        else:
            text = block.text
        cache[where] = read(text)
    return cache[where]


def _lists_something(text: str) -> bool:
    return LIST_CONTEXT.search(text) is not None


def _proposed_tasks(plan: ParsedPlan, facts: RepoFacts, code_lines: frozenset[int]) -> tuple[dict[str, int], dict[str, int]]:
    """Celery tasks the plan designs: (new name → line, existing repo task it changes → line).

    A task is a function decorated `@shared_task`/`@app.task` in a code sketch, a backticked
    snake_case name in a heading or opening a list item under a Celery/background section,
    or a prose "`name` task" / "Celery task `name`". Names that are Django ORM methods or
    existing non-task callables of the repo (`bulk_create`, `due_for_reminder`) are not tasks.
    Existing tasks count only where the plan redesigns them (code, headings).
    """
    model_api, callables = django_model_api(), facts.non_task_callables
    designed: dict[str, int] = {}
    mentioned: dict[str, int] = {}
    for line in sorted(code_lines):
        if TASK_DECORATOR.match(plan.line(line)):
            for following in range(line + 1, min(line + 8, len(plan.lines)) + 1):
                match = CODE_DEF.match(plan.line(following))
                if match:
                    designed.setdefault(match.group("name"), following)
                    break
    task_headings: dict[str, bool] = {}  # heading text -> TASK_SECTION in it (no match holds a space: one per heading)

    def speaks_of_tasks(text: str) -> bool:
        if text not in task_headings:
            task_headings[text] = TASK_SECTION.search(text) is not None
        return task_headings[text]

    for heading in plan.headings:
        if any(map(speaks_of_tasks, (*heading.section, heading.text))):
            for match in HEADING_SNAKE.finditer(heading.text):
                designed.setdefault(match.group("name"), heading.start_line)
            bare = HEADING_TASK.match(heading.text)
            if bare:
                designed.setdefault(bare.group("name"), heading.start_line)
    task_sections: dict[tuple[str, ...], bool] = {}  # blocks under the same headings share the answer
    for block in plan.blocks:
        if block.kind != "list_item":
            continue
        under_tasks = task_sections.get(block.section)
        if under_tasks is None:
            under_tasks = task_sections[block.section] = any(map(speaks_of_tasks, block.section))
        if under_tasks:
            match = LIST_TASK.match(block.first_line_text.strip())
            if match:
                mentioned.setdefault(match.group("name"), block.start_line)
    for line, match in _matches(plan, TASK_NEAR_NAME, code_lines):
        if mention_cue(plan, line, plan.line(line), *_span_in_line(plan, line, match)) not in ("existing", "negated"):
            mentioned.setdefault(match.group("a") or match.group("b") or match.group("c"), line)
    new = {name: line for name, line in {**mentioned, **designed}.items() if name not in facts.tasks and name not in model_api and name not in callables}
    changed = {name: line for name, line in designed.items() if name in facts.tasks}
    return dict(sorted(new.items(), key=lambda item: item[1])), changed


def _proposed_apps(plan: ParsedPlan, facts: RepoFacts, code_lines: frozenset[int]) -> dict[str, int]:
    apps: dict[str, int] = {}
    for match in plan.matches(NEW_APP):
        line = plan.line_of_offset(match.start())
        label = next(group for group in match.groups() if group)
        if label not in facts.apps and (line not in code_lines or match.group("d")):
            apps.setdefault(label, line)
    return apps


def _status_values(plan: ParsedPlan, fields: list[ProposedField], code_lines: frozenset[int]) -> list[StatusValue]:
    values: dict[tuple[str, int], StatusValue] = {}
    in_choices_class = False
    for line in range(1, len(plan.lines) + 1):
        text = plan.line(line)
        if line in code_lines:
            klass = CODE_CLASS.match(text)
            if klass:
                in_choices_class = "Choices" in (klass.group("bases") or "")
            elif in_choices_class and (member := CHOICES_CLASS_MEMBER.match(text)):
                values.setdefault((member.group("value"), line), StatusValue(member.group("value"), line, quoted=True))
        else:
            in_choices_class = False
        for constant in STATUS_CONSTANT.finditer(text) if "STAT" in text else ():
            values.setdefault((constant.group("value"), line), StatusValue(constant.group("value"), line, quoted=True))
    status_field_lines = {item.line for item in fields if item.status_like}
    field_names = {item.name for item in fields}
    for line in plan.lines_matching(STATUS_WORD):
        if line in code_lines:
            continue
        text = plan.line(line)
        if line not in status_field_lines and STATUS_DEFINING.search(text) is None:
            continue
        for match in BACKTICKED.finditer(text):
            token = match.group(1).strip()
            if not VALUE_LIKE.match(token) or token.lower() in NOT_STATUS_VALUES or token in field_names:
                continue
            if FIELD_TYPE.fullmatch(token) or token.endswith("Choices") or NOT_A_VALUE_AFTER.match(text, match.end()):
                continue
            value = StatusValue(token, line, quoted=False)
            if value.snake_case or value.violates:
                values.setdefault((token, line), value)
        for match in QUOTED.finditer(text):
            if " " not in match.group(2) and not COLON_NEXT.match(text, match.end()):
                values.setdefault((match.group(2), line), StatusValue(match.group(2), line, quoted=True))
    return sorted(values.values(), key=lambda value: value.line)


# --- verdict helpers --------------------------------------------------------------------------


def _verdict(plan: ParsedPlan, item_id: str, met: bool, line: int | None, description: str) -> ItemVerdict:
    evidence = clip(plan.line(line).strip()) if line else None
    return ItemVerdict(item_id, DIMENSION, met, evidence, line, description)


def _first_line(plan: ParsedPlan, pattern: re.Pattern[str]) -> int | None:
    return plan.first_line_matching(pattern)




CLAUSE_BREAK = re.compile(r"[.;!?](?:\s|$)|[(\[]|\n\s*\n|\n\s*(?:[-*+|#]|\d+[.)])")


def _negated(text: str, position: int) -> bool:
    """Whether a negation ("no", "not", "instead of", …) precedes `position` in its clause."""
    before = text[max(0, position - 120) : position]
    clause = CLAUSE_BREAK.split(before)[-1]
    return NEGATION.search(clause[-48:]) is not None


def _affirmed_lines(plan: ParsedPlan, pattern: re.Pattern[str]) -> list[tuple[int, str]]:
    """(line, match) for every match not negated in its clause ("no services.py", "instead of UUIDs")."""
    return [
        (plan.line_of_offset(match.start()), match.group(0))
        for match in plan.matches(pattern)
        if not _negated(plan.text, match.start())
    ]


def _word(name: str) -> re.Pattern[str]:
    return starting_with(re.compile(rf"(?<![A-Za-z0-9_]){re.escape(name)}(?![A-Za-z0-9_])"), name)


@dataclass(frozen=True)
class RuleContext:
    plan: ParsedPlan
    facts: RepoFacts
    proposals: PlanProposals


Outcome = tuple[bool, int | None, str] | None
"""(met, evidence line, why) — or None when the rule does not apply to this plan."""


# --- repo rules: one predicate per `check` of docs/formats.md ----------------------------------


def _class_name(name_pattern: str, *literals: str, word_before: tuple[str, ...] = ()) -> re.Pattern[str]:
    """A whole class name matching `name_pattern`, declared to `starting_with` by where it can begin."""
    pattern = re.compile(rf"(?<![A-Za-z0-9_])(?:{name_pattern})(?![A-Za-z0-9_])")
    return starting_with(pattern, *literals, word_before=word_before)


def _class_tokens(plan: ParsedPlan, pattern: re.Pattern[str]) -> list[tuple[str, int]]:
    """(class name, line) of every affirmed mention of a class name (`_class_name`)."""
    return [(name, line) for line, name in _affirmed_lines(plan, pattern)]


def check_base_model(context: RuleContext, value: str) -> Outcome:
    """Applies to new models. Met when each new model's part of the plan names `value` (or a repo class
    derived from it) as a base, or one line says all/every/each model inherits it."""
    plan, facts = context.plan, context.facts
    models = context.proposals.new_models
    if not models:
        return None
    accepted, accepted_pattern = _accepted_names(facts, value)
    global_line = next(
        (
            line
            for line in plan.lines_matching(accepted_pattern)
            if re.search(r"\b(?:all|every|each)\b[^.\n]{0,40}\bmodels?\b", plan.line(line), re.IGNORECASE)
        ),
        None,
    )
    missing = []
    for model in models:
        if any(base.rsplit(".", 1)[-1] in accepted for base in model.bases):
            continue
        if any(plan.first_line_in(accepted_pattern, start, end) for start, end in model.spans):
            continue
        missing.append(model)
    if not missing:
        line = next((plan.first_line_in(accepted_pattern, *span) for span in models[0].spans), None) or global_line
        return True, line or models[0].line, f"new models inherit {value}"
    if global_line:
        return True, global_line, f"the plan states that models inherit {value}"
    model = missing[0]
    stated = f" (it names {', '.join(model.bases)})" if model.bases else ""
    return False, model.line, f"new model {model.name} does not inherit {value}{stated}"


UUID_PK = starting_with(
    re.compile(
        r"UUIDField\([^)\n]*primary_key\s*=\s*True|primary_key\s*=\s*True[^)\n]*UUID"
        r"|\buuids?\b[^.\n]{0,40}\b(?:primary\s+keys?|pks?|ids)\b|\b(?:primary\s+keys?|pks?)\b[^.\n]{0,40}\buuids?\b",
        re.IGNORECASE,
    ),
    "uuid", "primary", "pk",
)
ID_UUID_ROW = re.compile(r"^\s*+(?:\|\s*+)?`?id`?\s*\|[^\n]*uuid", re.IGNORECASE)


def _uuid_pk_line(plan: ParsedPlan, span: Span | None = None) -> int | None:
    start, end = span or (1, len(plan.lines))
    hits = [line for line in plan.lines_matching(UUID_PK) if start <= line <= end]
    hits += [line for line in range(start, end + 1) if ID_UUID_ROW.match(plan.line(line))]
    return min(hits) if hits else None


def _inherits_uuid_pk(model: ProposedModel, facts: RepoFacts) -> bool:
    for base in model.bases:
        base_model = facts.model(base.rsplit(".", 1)[-1])
        if base_model is not None and base_model.fields.get("id") and base_model.fields["id"].type == "UUIDField":
            return True
    return False


def check_pk_type(context: RuleContext, value: str) -> Outcome:
    """Applies to new models. `uuid`: met when each new model inherits a repo base whose `id` is a
    UUIDField or the plan states a UUID primary key (anywhere: one statement covers every model).
    `bigint`: met unless a new model's part of the plan, or a line outside any model, declares a
    UUID primary key, or a new model inherits a base with one."""
    plan, facts = context.plan, context.facts
    models = context.proposals.new_models
    if not models:
        return None
    if value == "uuid":
        anywhere = _uuid_pk_line(plan)
        lacking = [model for model in models if not _inherits_uuid_pk(model, facts) and anywhere is None]
        if lacking:
            return False, lacking[0].line, f"new model {lacking[0].name} has no UUID primary key"
        return True, anywhere or models[0].line, "new models use UUID primary keys"
    for model in models:
        if _inherits_uuid_pk(model, facts):
            return False, model.line, f"new model {model.name} inherits a UUID primary key"
        line = next((found for span in model.spans if (found := _uuid_pk_line(plan, span))), None)
        if line:
            return False, line, f"new model {model.name} declares a UUID primary key; the repo uses bigint"
    outside = [
        line
        for line in plan.lines_matching(UUID_PK)
        if not any(model.covers(line) for model in context.proposals.models)
        and re.search(r"\b(?:all|every|each|new)\b", plan.line(line), re.IGNORECASE)
        and not re.search(r"\b(?:no|not|never|without|instead of)\b", plan.line(line), re.IGNORECASE)
    ]
    if outside:
        return False, outside[0], "the plan gives new models UUID primary keys; the repo uses bigint"
    return True, models[0].line, "new models keep Django's default big-integer primary key"


PAGINATION_CLASS = _class_name(r"\w*Paginat(?:ion|or)", word_before=("Paginat",))


def _accepted_names(facts: RepoFacts, value: str) -> tuple[frozenset[str], re.Pattern[str]]:
    """`value` and every repo class derived from it (a view that mixes in `BasePaginator`), and a pattern for them:
    the repo's, computed once per repo and value (every class of the repo is followed to its bases)."""
    return facts.derive(("accepted_names", value), lambda: _read_accepted_names(facts, value))


def _read_accepted_names(facts: RepoFacts, value: str) -> tuple[frozenset[str], re.Pattern[str]]:
    accepted = frozenset({value} | {name for name in facts.classes if facts.is_subclass(name, value)})
    pattern = starting_with(
        re.compile("|".join(rf"(?<![A-Za-z0-9_]){re.escape(name)}(?![A-Za-z0-9_])" for name in sorted(accepted))), *sorted(accepted)
    )
    return accepted, pattern
PAGINATED = starting_with(re.compile(r"paginat|[\"']results[\"']\s*:", re.IGNORECASE), "paginat", '"results', "'results")


def check_pagination(context: RuleContext, value: str) -> Outcome:
    """Applies to new list endpoints. Met when the plan names `value` or a repo class derived from it (a paginator
    mixin such as `BasePaginator`, or a base view that mixes it in); or,
    naming no other pagination class, says the list is paginated (or shows a `"results"` page in
    an example) while the repo's default pagination class is `value`."""
    plan, facts = context.plan, context.facts
    lists = [endpoint for endpoint in context.proposals.new_endpoints if endpoint.lists]
    if not lists:
        return None
    names, accepted_pattern = _accepted_names(facts, value)
    named = _class_tokens(plan, PAGINATION_CLASS)
    accepted = sorted(
        [(name, line) for name, line in named if name in names] + _class_tokens(plan, accepted_pattern), key=lambda hit: hit[1]
    )
    if accepted:
        return True, accepted[0][1], f"list endpoints use {accepted[0][0]}"
    others = [(name, line) for name, line in named if not facts.is_subclass(value, name)]
    if others:
        return False, others[0][1], f"uses {others[0][0]}, not the repo's {value}"
    paginated = _first_line(plan, PAGINATED)
    if paginated and value in _rest_framework_default(facts, "DEFAULT_PAGINATION_CLASS"):
        return True, paginated, f"relies on the default pagination class, which is {value}"
    return False, lists[0].line, f"list endpoint without {value}"


def check_api_prefix(context: RuleContext, value: str) -> Outcome:
    """Applies to new endpoints. A path starting with `value` follows it; a path under another API
    prefix (`/api/v2/`, `/api/` for `/api/v1/`) breaks it; paths written without any prefix
    follow it when the plan names `value` somewhere (e.g. "all routes under /api/v1/")."""
    plan = context.plan
    endpoints = context.proposals.new_endpoints
    if not endpoints:
        return None
    prefix = "/" + value.strip("/") + "/"
    named = _first_line(plan, re.compile(re.escape(prefix.rstrip("/")) + r"(?:/|\b)"))
    for endpoint in endpoints:
        path = "/" + endpoint.path.lstrip("/")
        if path.startswith(prefix) or path.rstrip("/") + "/" == prefix:
            continue
        if re.match(r"^/(?:api|v\d+)(?:/|$)", path):
            return False, endpoint.line, f"{endpoint.method} {endpoint.path} is not under {prefix}"
        if named is None:
            return False, endpoint.line, f"{endpoint.method} {endpoint.path} has no {prefix} prefix and the plan never names it"
    return True, named or endpoints[0].line, f"new endpoints are under {prefix}"


LAYER_MODULES = ("services.py", "selectors.py", "use_cases.py", "usecases.py", "domain.py", "managers.py", "models.py")
MODEL_LAYER = starting_with(
    re.compile(r"model\s+methods?|(?:queryset|manager)\s+methods?|on\s+the\s+(?:model|manager|queryset)|\.objects\.\w+\(", re.IGNORECASE),
    "model", "queryset", "manager", "on", ".objects",
)
VIEW_LAYER = starting_with(
    re.compile(
        r"views\.py|\b(?:in|inside|on)\s+the\s+(?:view(?:set)?|api\s*view|endpoint)s?\b|\bview(?:set)?\s+(?:methods?|holds|does|handles|performs)"
        r"|\blogic\s+(?:stays|lives|sits)\s+in\s+the\s+views?|\b(?:post|patch|put|delete|create|perform_create|perform_update)\(\)?\s+(?:on|of)\s+the\s+view",
        re.IGNORECASE,
    ),
    "views", "in", "inside", "on", "view", "logic", "post", "patch", "put", "delete", "create", "perform",
)
SERVICE_LAYER = starting_with(re.compile(r"service\s+(?:layer|functions?|modules?)|services\s+module", re.IGNORECASE), "service")


def check_service_layer(context: RuleContext, value: str) -> Outcome:
    """Applies when the plan proposes write endpoints (POST/PUT/PATCH/DELETE). Met when the plan puts
    the logic in `value` — names the module (`services.py`, `services.archive(...)`; for
    `models.py` also model/manager/queryset methods; for `views`, the repo without a service layer,
    "in the view", "views.py", "the viewset's create does …") — and proposes no competing layer module
    the repo does not have (e.g. a `services.py` in a fat-models repo)."""
    plan, facts = context.plan, context.facts
    writes = [endpoint for endpoint in context.proposals.new_endpoints if endpoint.method != "GET"]
    if not writes:
        return None
    stem = value.removesuffix(".py")
    repo_modules = facts.derive(("file_names",), lambda: {path.rsplit("/", 1)[-1] for path in facts.files})  # once per repo
    for module in LAYER_MODULES:
        if module == value or module in repo_modules:
            continue
        hits = _affirmed_lines(plan, _word(module)) or (_affirmed_lines(plan, SERVICE_LAYER) if module == "services.py" else [])
        if hits:
            line = hits[0][0]
            return False, line, f"puts logic in {module}, which this repo does not use (house rule: {value})"
    if value == "views":
        line = _first_line(plan, VIEW_LAYER)
        if line:
            return True, line, "business logic stays in the views, as in the repo"
        return False, writes[0].line, "write endpoint without saying the view holds the logic"
    patterns = [_word(value), starting_with(re.compile(rf"(?<![A-Za-z0-9_]){re.escape(stem)}\.\w+\("), stem)]
    if value == "models.py":
        patterns.append(MODEL_LAYER)
    elif value == "services.py":
        patterns.append(SERVICE_LAYER)
    lines = [line for pattern in patterns if (line := _first_line(plan, pattern))]
    if lines:
        return True, min(lines), f"business logic placed in {value}"
    return False, writes[0].line, f"write endpoint without saying the logic goes in {value}"


PERMISSION_CLASS = _class_name(
    r"Is[A-Z]\w*|\w+Permission|AllowAny|DjangoModelPermissions\w*", "Is", "AllowAny", "DjangoModelPermissions", word_before=("Permission",)
)


def _rest_framework_default(facts: RepoFacts, key: str) -> list[str]:
    """Class names (last dotted part) of a REST_FRAMEWORK default, e.g. DEFAULT_PERMISSION_CLASSES."""
    framework = facts.setting_values.get("REST_FRAMEWORK", {})
    value = framework.get(key, []) if isinstance(framework, dict) else []
    entries = [value] if isinstance(value, str) else value if isinstance(value, list) else []
    return [entry.rsplit(".", 1)[-1] for entry in entries if isinstance(entry, str)]


VIEW_NAME = re.compile(r"(?<![A-Za-z0-9_])[A-Z]\w*(?:ViewSet|View)(?![A-Za-z0-9_])")


def _hosting_view(plan: ParsedPlan, facts: RepoFacts, endpoint: ProposedEndpoint) -> str | None:
    """The existing repo view the plan attaches this endpoint to ("an action on `TaskViewSet`")."""
    return next((name for name in _around(plan, endpoint.line, VIEW_NAME.findall) if name in facts.views), None)


def check_permission_class(context: RuleContext, value: str) -> Outcome:
    """Applies to new endpoints. Met when the plan names `value` or a repo class derived from it (a permission
    decorator such as `@allow_permission(...)` is named the same way); when
    every new endpoint is an action on an existing view whose `permission_classes` already hold
    it; or, when `value` is a default permission class in REST_FRAMEWORK, unless the plan opens
    an endpoint with `AllowAny`."""
    plan, facts = context.plan, context.facts
    endpoints = context.proposals.new_endpoints
    if not endpoints:
        return None
    names, accepted_pattern = _accepted_names(facts, value)
    named = _class_tokens(plan, PERMISSION_CLASS)
    accepted = sorted(
        [(name, line) for name, line in named if name in names] + _class_tokens(plan, accepted_pattern), key=lambda hit: hit[1]
    )
    if accepted:
        how = "decorate views with" if not value[:1].isupper() else "use"
        return True, accepted[0][1], f"endpoints {how} {accepted[0][0]}"
    hosts = [_hosting_view(plan, facts, endpoint) for endpoint in endpoints]
    if all(
        host and any(name == value or facts.is_subclass(name, value) for name in facts.views[host].permission_classes) for host in hosts
    ):
        return True, endpoints[0].line, f"new actions on {hosts[0]} inherit its {value}"
    allow_any = [line for name, line in named if name == "AllowAny"]
    if value in _rest_framework_default(facts, "DEFAULT_PERMISSION_CLASSES"):
        if allow_any:
            return False, allow_any[0], f"AllowAny drops the default {value}"
        return True, endpoints[0].line, f"relies on the default permission class {value}"
    if named:
        return False, named[0][1], f"names {named[0][0]} but not {value}"
    return False, endpoints[0].line, f"new endpoints do not name {value}"


CHOICES_STYLE = starting_with(
    re.compile(r"\b(?:TextChoices|IntegerChoices|models\.Choices)\b|\benum\b", re.IGNORECASE),
    "textchoices", "integerchoices", "models.choices", "enum",
)


def _status_fields(context: RuleContext) -> list[ProposedField]:
    return [item for item in context.proposals.fields if item.status_like]


def check_status_choices(context: RuleContext, value: str) -> Outcome:
    """Applies when the plan proposes a status/state field (or a field with choices) or lists status
    values. `TextChoices`: met when the plan names TextChoices or one of the repo's TextChoices
    classes as `Model.Status` (e.g. "like `Task.Status`"); `plain_strings`: met unless it
    names TextChoices/IntegerChoices/an enum. Either way every listed status value must be
    snake_case."""
    plan = context.plan
    fields = _status_fields(context)
    values = context.proposals.status_values
    if not fields and not values:
        return None
    first = min([item.line for item in fields] + [value.line for value in values])
    bad = [status for status in values if status.violates]
    if bad:
        return False, bad[0].line, f"status value '{bad[0].value}' is not snake_case"
    style = _affirmed_lines(plan, CHOICES_STYLE)
    style_line = style[0][0] if style else None
    if value == "TextChoices":
        repo_choices = sorted(
            name for name, group in context.facts.classes.items() if any(base.endswith("TextChoices") for cls in group for base in cls.bases)
        )
        alternatives = [r"\bTextChoices\b"] + [rf"(?<![\w.]){re.escape(name)}\b" for name in repo_choices]
        choices_pattern = starting_with(re.compile("|".join(alternatives)), "TextChoices", *repo_choices)
        text_choices = next(iter(_affirmed_lines(plan, choices_pattern)), (None, ""))
        if text_choices[0]:
            return True, text_choices[0], f"status values declared like {text_choices[1]}, snake_case"
        return False, first, "status field without TextChoices"
    if style_line:
        return False, style_line, "declares choices as an enum class; the repo uses plain string constants"
    return True, first, "status values are plain snake_case strings"


def check_camel_case_api(context: RuleContext, value: str | bool) -> Outcome:
    """Applies when the plan defines fields (model tables, field lists, code sketches). Met when every
    field name is snake_case: the API layer converts to camelCase, so Python names never are.
    (JSON examples may show camelCase keys: that is what the frontend receives.)"""
    fields = context.proposals.fields
    return _snake_case_field_names(context, fields[0].line) if fields else None


RepoCheck = Callable[[RuleContext, str], Outcome]
REPO_CHECKS: dict[str, RepoCheck] = {
    "base_model": check_base_model,
    "pk_type": check_pk_type,
    "pagination": check_pagination,
    "api_prefix": check_api_prefix,
    "service_layer": check_service_layer,
    "permission_class": check_permission_class,
    "status_choices": check_status_choices,
    "camel_case_api": check_camel_case_api,
}

# --- general rules (graders/general_conventions.yaml) -------------------------------------------

GeneralCheck = Literal["snake_case_field_names", "snake_case_status_values", "tasks_in_tasks_module", "iso_8601_datetimes"]

ENQUEUE = re.compile(
    r"\.delay\b|apply_async|\benqueue[sd]?\b|\benqueuing\b|\b(?:queue[sd]?|queuing|dispatch(?:es|ed)?)\s+(?:a|an|the|one|it|them|`)|\bkicks?\s+off",
    re.IGNORECASE,
)
WRITE = re.compile(
    r"post_save|\bsave[sd]?\b|\bsave\(|\bcreat\w*|\bupdat\w*|\binsert\w*|\bwrite[sn]?\b|\bdelet\w*|\bcancel\w*|\bbook\w*",
    re.IGNORECASE,
)
NESTED = starting_with(
    re.compile(r"\bnested\b|\bembedded\b|\bexpand(?:ed)?\b|select_related|prefetch_related", re.IGNORECASE),
    "nested", "embedded", "expand", "select_related", "prefetch_related",
)
ISO_PHRASE = starting_with(re.compile(r"ISO[\s_-]?8601|RFC[\s_-]?3339", re.IGNORECASE), "iso", "rfc")
ISO_EXAMPLE = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")
EPOCH = starting_with(
    re.compile(r"unix\s+(?:time|timestamps?|epoch)|epoch\s+(?:seconds|millis\w*|ms)|seconds\s+since\s+(?:the\s+)?epoch", re.IGNORECASE),
    "unix", "epoch", "seconds",
)
TASK_FILE = starting_with(
    re.compile(r"(?<![A-Za-z0-9_])tasks\.py\b|(?<![A-Za-z0-9_])[a-z_]+\.tasks\b|\btasks\s+module\b", re.IGNORECASE),
    "tasks",
    word_before=(".tasks",),
)
PY_FILE = re.compile(r"(?<![\w/.-])[\w/.-]*\w\.py\b")  # starts only where a run of path characters does: the same paths
TASK_PLACEMENT = starting_with(
    re.compile(r"\b(?:define[sd]?|put|place[sd]?|lives?|declared?)\s+(?:\w+\s+){0,3}in(?:to)?\s+`?(?P<path>[\w/.-]+\.py)\b", re.IGNORECASE),
    "define", "put", "place", "live", "declare",
)


def _designed_tasks(proposals: PlanProposals) -> dict[str, int]:
    return {**proposals.changed_tasks, **proposals.tasks}


def _applies(context: RuleContext, condition: str) -> int | None:
    """The line that makes a general rule apply, or None."""
    proposals, plan = context.proposals, context.plan
    if condition == "proposes_fields":
        return proposals.fields[0].line if proposals.fields else None
    if condition == "lists_status_values":
        return proposals.status_values[0].line if proposals.status_values else None
    if condition == "proposes_new_app":
        return min(proposals.apps.values()) if proposals.apps else None
    if condition == "proposes_new_app_with_endpoints":
        return min(proposals.apps.values()) if proposals.apps and proposals.new_endpoints else None
    if condition == "proposes_tasks":
        return min(proposals.tasks.values()) if proposals.tasks else None
    if condition == "designs_tasks":
        return min(_designed_tasks(proposals).values(), default=None)
    if condition == "lists_related_objects":
        lists = [endpoint for endpoint in proposals.new_endpoints if endpoint.lists]
        relations = any(item.type in RELATION_TYPES for item in proposals.fields) or _first_line(plan, NESTED)
        return lists[0].line if lists and relations else None
    if condition == "enqueues_on_write":
        if not _designed_tasks(proposals):
            return None
        units = (unit for unit in plan.units if unit.kind != "section" and WRITE.search(unit.text))
        enqueues = (unit for unit in units if any(not _negated(unit.text, match.start()) for match in ENQUEUE.finditer(unit.text)))
        return next((unit.start_line for unit in enqueues), None)
    if condition == "proposes_models":
        return proposals.new_models[0].line if proposals.new_models else None
    if condition == "proposes_endpoints":
        return proposals.new_endpoints[0].line if proposals.new_endpoints else None
    if condition == "proposes_write_endpoints":
        writes = [endpoint for endpoint in proposals.new_endpoints if endpoint.method != "GET"]
        return writes[0].line if writes else None
    if condition == "exposes_datetimes":
        datetimes = [item.line for item in proposals.fields if item.type == "DateTimeField" or item.name.endswith("_at")]
        examples = [line for pattern in (ISO_EXAMPLE, EPOCH) if (line := _first_line(plan, pattern))]
        return proposals.new_endpoints[0].line if proposals.new_endpoints and (datetimes or examples) else None
    raise ValueError(f"unknown applies_when '{condition}'")


def _snake_case_field_names(context: RuleContext, trigger: int) -> Outcome:
    fields = context.proposals.fields
    bad = [item for item in fields if not SNAKE_CASE.match(item.name) and not item.name.startswith("_")]
    if bad:
        return False, bad[0].line, f"field name '{bad[0].name}' is not snake_case"
    return True, trigger, f"{len(fields)} field names, all snake_case"


def _snake_case_status_values(context: RuleContext, trigger: int) -> Outcome:
    bad = [status for status in context.proposals.status_values if status.violates]
    if bad:
        return False, bad[0].line, f"status value '{bad[0].value}' is not snake_case"
    return True, trigger, "status values are snake_case"


def _tasks_in_tasks_module(context: RuleContext, trigger: int) -> Outcome:
    """Broken when a Celery heading or a "define … in `x.py`" sentence puts new tasks in another module;
    met with the line naming `tasks.py` / `app.tasks`, or, when the plan names no module for
    them, at the task's line (autodiscovery expects the app's tasks.py, and the plan says nothing else)."""
    plan = context.plan
    for heading in plan.headings:
        if TASK_SECTION.search(heading.text) or re.search(r"\btasks?\b", heading.text, re.IGNORECASE):
            files = [path for path in PY_FILE.findall(heading.text)]
            if files and not any(path.endswith("tasks.py") for path in files):
                return False, heading.start_line, f"tasks placed in {files[0]}, not the app's tasks.py"
    for line in plan.lines_matching(TASK_PLACEMENT):
        text = plan.line(line)
        if any(_word(name).search(text) for name in context.proposals.tasks):
            path = TASK_PLACEMENT.search(text).group("path")
            if not path.endswith("tasks.py"):
                return False, line, f"tasks placed in {path}, not the app's tasks.py"
    named = _first_line(plan, TASK_FILE)
    if named:
        return True, named, "new tasks go in the app's tasks.py"
    return True, trigger, "no other module is named for the new tasks, so they stay in the app's tasks.py"


def _iso_8601_datetimes(context: RuleContext, trigger: int) -> Outcome:
    """Broken by epoch/unix timestamps; met by "ISO 8601" / "RFC 3339" or an ISO 8601 example value."""
    plan = context.plan
    epoch = _affirmed_lines(plan, EPOCH)
    if epoch:
        return False, epoch[0][0], "datetimes as epoch numbers, not ISO 8601"
    lines = [line for pattern in (ISO_PHRASE, ISO_EXAMPLE) if (line := _first_line(plan, pattern))]
    if lines:
        return True, min(lines), "datetimes are ISO 8601"
    return False, trigger, "new endpoints return datetimes but the plan never says ISO 8601"


GENERAL_CHECKS: dict[str, Callable[[RuleContext, int], Outcome]] = {
    "snake_case_field_names": _snake_case_field_names,
    "snake_case_status_values": _snake_case_status_values,
    "tasks_in_tasks_module": _tasks_in_tasks_module,
    "iso_8601_datetimes": _iso_8601_datetimes,
}


class GeneralRule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")]
    description: str = Field(min_length=1)
    applies_when: AppliesWhen
    check: GeneralCheck | None = None
    mentions: list[list[Phrase]] | None = None
    """Phrase groups, matched anywhere in the plan; every group needs one of its phrases."""
    superseded_by: ConventionCheck | None = None
    """Left out when the repo declares this check (the repo rule already covers it)."""

    @model_validator(mode="after")
    def _one_way_to_meet(self) -> "GeneralRule":
        if (self.check is None) == (self.mentions is None):
            raise ValueError("a rule needs exactly one of `check` and `mentions`")
        if self.mentions is not None and (not self.mentions or any(not group for group in self.mentions)):
            raise ValueError("`mentions` needs at least one non-empty phrase group")
        return self


class GeneralConventions(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    version: int = Field(ge=1)
    rules: list[GeneralRule] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_ids(self) -> "GeneralConventions":
        ids = [rule.id for rule in self.rules]
        duplicated = sorted({identifier for identifier in ids if ids.count(identifier) > 1})
        if duplicated:
            raise ValueError(f"duplicate rule ids: {duplicated}")
        return self


@lru_cache(maxsize=4)
def load_general_conventions(path: Path = GENERAL_CONVENTIONS_FILE) -> GeneralConventions:
    return load_model(GeneralConventions, path)


def _phrase_at(plan: ParsedPlan, pattern: re.Pattern[str], line: int) -> str:
    """The phrase `pattern` matched starting on `line`; a phrase may run onto the next line ("on\ncommit")."""
    match = pattern.search("\n".join(plan.lines[line - 1 : line + 1]))
    return " ".join(match.group(0).split()) if match else plan.line(line).strip()


def _general_outcome(context: RuleContext, rule: GeneralRule) -> Outcome:
    trigger = _applies(context, rule.applies_when)
    if trigger is None:
        return None
    if rule.check is not None:
        return GENERAL_CHECKS[rule.check](context, trigger)
    return _mentions_outcome(context, rule.mentions or [], trigger)


def _mentions_outcome(context: RuleContext, mentions: list[list[str]], trigger: int) -> Outcome:
    """A phrase rule (general, or a repo rule with `mentions`): met when every group has a phrase in the plan."""
    patterns = [phrases_regex(tuple(group)) for group in mentions]
    lines = [_first_line(context.plan, pattern) for pattern in patterns]
    if all(line is not None for line in lines):
        said = [_phrase_at(context.plan, pattern, line) for pattern, line in zip(patterns, lines)]
        return True, min(line for line in lines if line is not None), f"mentions {' and '.join(said)}"
    missing = [group[0] for group, line in zip(mentions, lines) if line is None]
    return False, trigger, f"applies here but the plan never mentions {' / '.join(missing)}"


# --- entry points -------------------------------------------------------------------------------


def convention_items(
    plan: ParsedPlan,
    facts: RepoFacts,
    conventions: list[Convention] | tuple[Convention, ...],
    general: GeneralConventions | None = None,
    proposals: PlanProposals | None = None,
    disabled: tuple[str, ...] | list[str] = (),
) -> list[ItemVerdict]:
    """Check the repo's conventions and the general rules against a parsed plan; general rules whose ids are in
    `disabled` (the repo's `disable_general`) are left out."""
    context = RuleContext(plan, facts, proposals or plan_proposals(plan, facts))
    items: list[ItemVerdict] = []
    for convention in conventions:
        if convention.mentions is not None:
            trigger = _applies(context, convention.applies_when or "")
            outcome = None if trigger is None else _mentions_outcome(context, convention.mentions, trigger)
        else:
            outcome = REPO_CHECKS[convention.check](context, convention.value)
        if outcome is None:
            continue
        met, line, why = outcome
        deviation = None if met else _documented_deviation(plan, convention)
        if deviation is not None:
            met, line, why = True, deviation, f"{why}, as a documented deviation"
        items.append(_verdict(plan, f"repo:{convention.id}", met, line, f"{convention.description} — {why}"))
    declared = {convention.check for convention in conventions}
    for rule in (general or load_general_conventions()).rules:
        if rule.superseded_by in declared or rule.id in disabled:
            continue
        outcome = _general_outcome(context, rule)
        if outcome is not None:
            met, line, why = outcome
            items.append(_verdict(plan, f"prompt:{rule.id}", met, line, f"{rule.description} — {why}"))
    return items


DEVIATION = starting_with(
    re.compile(r"deviat\w*|departs?\s+from|departure\s+from|exception\s+to\s+the\s+(?:house\s+)?(?:rule|convention|pattern)", re.IGNORECASE),
    "deviat", "depart", "exception",
)


def _documented_deviation(plan: ParsedPlan, convention: Convention) -> int | None:
    """The prompt asks for "deviations from existing patterns (and why)": a plan that names the rule's
    value in the same block as the word deviation/departs from has explained itself."""
    if not isinstance(convention.value, str):
        return None
    value = convention.value
    for line in plan.lines_matching(DEVIATION):
        block = plan.block_at(line)
        if block is not None and block.kind != "heading":
            named = plan.block_fact(block, ("holds", value), lambda block: value in block.text)
        else:
            named = value in plan.line(line)
        if named:
            return line
    return None


def check_conventions(plan: ParsedPlan, scenario: "Scenario") -> list[ItemVerdict]:
    """One item per applicable rule of the scenario's repo and of the prompt (dimension "conventions")."""
    config = scenario.repo_config
    unknown = sorted(set(config.disable_general) - {rule.id for rule in load_general_conventions().rules})
    if unknown:
        raise InputError(f"disable_general names no general rule: {unknown} (ids: graders/general_conventions.yaml)", scenario.conventions_path)
    return convention_items(plan, repo_facts(scenario.repo_path, config.layout), config.conventions, disabled=tuple(config.disable_general))

