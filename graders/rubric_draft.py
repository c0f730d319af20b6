"""Turn a reference plan into a draft rubric, and grade a reference plan against its own rubric.

`draft_rubric(plan_text, facts)` (`archbench rubric draft`) reads the plan with the graders' own
parsing: `plan_proposals` (graders/conventions.py) for new models, their typed fields, endpoints
and Celery tasks; the completeness grader's retry / failure / idempotency patterns for task flags;
the plan's blocks for indexes, constraints, status codes and request/response fields near each
endpoint; and the items of its edge-case, decision and migration sections for concept items, each
with phrase groups taken from its own words. Then it grades the plan against the draft with the
completeness grader and leaves out every check the grader cannot find in the plan (listed as
comments), so an unedited draft scores 1.0 on its own plan. The user edits and prunes it: a draft
is what the plan says, not what matters.

`check_reference(plan_text, rubric)` (`archbench rubric check`) grades a reference plan against its
rubric; for every miss it names the closest block of the plan and which phrase groups it matched.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from archbench.core.rubric import ConceptSpec, Rubric
from archbench.graders.completeness import FAILURE, IDEMPOTENT, RETRY, check_completeness, completeness_score
from archbench.graders.conventions import plan_proposals
from archbench.graders.plan import Block, ParsedPlan, parse_plan, phrases_regex
from archbench.graders.repo_facts import RepoFacts
from archbench.graders.verdicts import ItemVerdict, clip

STATUS_CODE = re.compile(r"(?<![\d.])([1-5]\d\d)(?!\d|\.\d)")
BACKTICKED_NAME = re.compile(r"`([a-z][a-z0-9_]*)`")
JSON_KEY = re.compile(r'"([a-z][a-z0-9_]*)"\s*:')
QUERY_PARAM = re.compile(r"[?&]([a-z][a-z0-9_]*)=")
REQUEST_WORDS = re.compile(r"\b(?:request|body|payload|input|accepts?|sends?|takes?|params?)\b", re.IGNORECASE)
RESPONSE_WORDS = re.compile(r"\b(?:response|returns?|output|responds?|serializ\w+|fields?)\b", re.IGNORECASE)
STATUS_WORDS = re.compile(r"status|codes?|responses?|returns?", re.IGNORECASE)
QUERY_WORDS = re.compile(r"\bquery\b|\bfilter(?:s|ed)?\s+by\b|\?[a-z]", re.IGNORECASE)
INDEX_LINE = re.compile(r"\bindex(?:es|ed)?\b|models\.Index|db_index", re.IGNORECASE)
TASK_SECTION = re.compile(r"celery|background|async|periodic|worker|\bbeat\b|\bjobs?\b|\btasks?\b", re.IGNORECASE)
LIST_TASK_NAME = re.compile(r"^[*]*`([a-z][a-z0-9]*(?:_[a-z0-9]+)+)(?:\([^)`]*\))?`")
UNIQUE_LINE = re.compile(r"\bunique\b|UniqueConstraint|unique_together", re.IGNORECASE)
TRIGGERS = (
    "on_commit", "post_save", "pre_save", "celery beat", "beat schedule", "crontab", "periodic", "every day", "daily",
    "nightly", "hourly", "every hour", "every minute", "apply_async", "delay", "countdown",
)
SECTIONS = {
    "edge_cases": re.compile(r"edge|failure|error|risk|corner|abuse|limit", re.IGNORECASE),
    "migrations": re.compile(r"migrat|backfill|rollout|deploy", re.IGNORECASE),
    "decisions": re.compile(r"decision|trade-?off|assum|hand-?off|alternative|question|why|out\s+of\s+scope|scope|frontend", re.IGNORECASE),
}
STOPWORDS = frozenset(
    """a an and are as at be by can for from has have if in into is it its it's no not of on or so than that the then
    this to was when which while will with without we our you your they their there these those each every any all
    new existing one two only also same other more most may must should would could does do done per via use uses
    used using after before under over between about because until instead plan""".split()
)


@dataclass
class RubricDraft:
    rubric: dict
    """The rubric as data, in the scenario file's shape (docs/formats.md)."""
    left_out: list[str] = field(default_factory=list)
    """Checks drafted from the plan that the completeness grader could not find in it."""
    source_lines: dict[str, int] = field(default_factory=dict)
    """Item id → plan line it was drafted from."""

    def to_yaml(self, indent: int = 0) -> str:
        pad = " " * indent
        out = [f"{pad}rubric:"]
        for section in ("models", "endpoints", "tasks", "migrations", "edge_cases", "decisions"):
            items = self.rubric.get(section, [])
            if not items:
                continue
            out.append(f"{pad}  {section}:")
            for item in items:
                line = self.source_lines.get(item["id"])
                if line:
                    out.append(f"{pad}    # from the plan's line {line}")
                first = True
                for key, value in item.items():
                    lead = "- " if first else "  "
                    first = False
                    if key == "fields" and value:
                        out.append(f"{pad}    {lead}fields:")
                        out += [f"{pad}        - {{name: {field['name']}, type: {field['type']}}}" for field in value]
                    elif key == "constraints" and value:
                        out.append(f"{pad}    {lead}constraints:")
                        out += [f"{pad}        - {{kind: {c['kind']}, fields: {_yaml(c['fields'])}}}" for c in value]
                    else:
                        out.append(f"{pad}    {lead}{key}: {_yaml(value)}")
        out += [f"{pad}# left out, the grader could not find it in the plan: {what}" for what in self.left_out]
        return "\n".join(out) + "\n"


def _yaml(value: object) -> str:
    """A YAML value: plain for simple words, JSON (a YAML subset) otherwise."""
    if isinstance(value, str) and re.fullmatch(r"[A-Za-z_/][A-Za-z0-9_ ./{}<>:-]*", value) and ": " not in value and not value.endswith(":"):
        if value.lower() not in ("true", "false", "yes", "no", "null", "on", "off"):
            return value
    if isinstance(value, list):
        return "[" + ", ".join(_yaml(item) for item in value) + "]"
    return json.dumps(value, ensure_ascii=False)


def _slug(text: str, words: int = 5) -> str:
    parts = [part for part in re.findall(r"[a-z0-9]+", text.lower()) if part not in STOPWORDS][:words]
    return "-".join(parts) or "item"


def _unique_id(base: str, taken: set[str]) -> str:
    candidate, number = base, 2
    while candidate in taken:
        candidate, number = f"{base}-{number}", number + 1
    taken.add(candidate)
    return candidate


def _lines_text(plan: ParsedPlan, start: int, end: int) -> list[tuple[int, str]]:
    return [(line, plan.line(line)) for line in range(start, min(end, len(plan.lines)) + 1)]


def _section_end(plan: ParsedPlan, line: int) -> int:
    following = plan.next_heading_line(line)
    return (following - 1) if following else len(plan.lines)


# --- models ------------------------------------------------------------------------------------------


def _draft_models(plan: ParsedPlan, facts: RepoFacts, taken: set[str], sources: dict[str, int]) -> list[dict]:
    proposals = plan_proposals(plan, facts)
    drafted = []
    for model in proposals.models:
        fields = [item for item in proposals.fields if item.model == model.name and item.type]
        if model.existing and not fields:
            continue
        inherited = {name for base in model.bases for parent in [facts.model(base.rsplit(".", 1)[-1])] if parent for name in parent.fields}
        field_names = {item.name for item in fields} | inherited
        item_id = _unique_id(_slug(re.sub(r"(?<!^)(?=[A-Z])", " ", model.name)) + "-model", taken)
        sources[item_id] = model.line
        indexes, constraints = [], []
        for start, end in model.spans:
            for line, text in _lines_text(plan, start, end):
                named = [name for name in dict.fromkeys(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", text)) if name in field_names]
                if named and INDEX_LINE.search(text) and tuple(named) not in {tuple(index) for index in indexes}:
                    indexes.append(named)
                if named and UNIQUE_LINE.search(text) and named not in [c["fields"] for c in constraints]:
                    constraints.append({"kind": "unique", "fields": named})
        entry: dict = {"id": item_id, "name": model.name, "fields": [{"name": item.name, "type": item.type} for item in _first_per_name(fields)]}
        if indexes:
            entry["indexes"] = indexes
        if constraints:
            entry["constraints"] = constraints
        drafted.append(entry)
    return drafted


def _first_per_name(fields: Iterable) -> list:
    seen: dict[str, object] = {}
    for item in fields:
        seen.setdefault(item.name, item)
    return list(seen.values())


# --- endpoints ------------------------------------------------------------------------------------


def _draft_endpoints(plan: ParsedPlan, facts: RepoFacts, taken: set[str], sources: dict[str, int]) -> list[dict]:
    endpoints = [endpoint for endpoint in plan_proposals(plan, facts).endpoints if not endpoint.existing]
    lines = sorted({endpoint.line for endpoint in endpoints})
    drafted = []
    seen: set[tuple[str, str]] = set()
    for endpoint in endpoints:
        if (endpoint.method, endpoint.path) in seen:
            continue
        seen.add((endpoint.method, endpoint.path))
        block = plan.block_at(endpoint.line)
        later = [line for line in lines if line > endpoint.line]
        end = min([_section_end(plan, endpoint.line), *(line - 1 for line in later[:1])])
        scope = _lines_text(plan, endpoint.line, max(end, block.end_line if block else endpoint.line))
        codes, request, response, query = [], [], [], []
        if block is not None and block.kind == "table_row" and block.header:
            for header, cell in zip(block.header, block.cells):
                names = [name for name in BACKTICKED_NAME.findall(cell) if name not in ("true", "false", "null")]
                for pattern, found in ((QUERY_WORDS, query), (REQUEST_WORDS, request), (RESPONSE_WORDS, response)):
                    if pattern.search(header) or (found is query and re.search(r"\bquery\b|\?", cell)):
                        found += [name for name in names if name not in found]
                        break
                codes = list(dict.fromkeys([*codes, *(int(code) for code in STATUS_CODE.findall(cell) if STATUS_WORDS.search(header))]))
            scope = _lines_text(plan, block.end_line + 1, end) if end > block.end_line else []
        for _line, text in scope:
            codes = list(dict.fromkeys([*codes, *(int(code) for code in STATUS_CODE.findall(text))]))
            names = BACKTICKED_NAME.findall(text) + JSON_KEY.findall(text)
            query += [name for name in QUERY_PARAM.findall(text) if name not in query]
            if QUERY_WORDS.search(text):
                query += [name for name in BACKTICKED_NAME.findall(text) if name not in query and name not in ("true", "false", "null")]
            elif REQUEST_WORDS.search(text):
                request += [name for name in names if name not in request]
            elif RESPONSE_WORDS.search(text):
                response += [name for name in names if name not in response]
        slug = _slug(f"{endpoint.method} {' '.join(part for part in endpoint.path.split('/') if part and not part.startswith(('{', '<', ':')))}", 6)
        item_id = _unique_id(slug, taken)
        sources[item_id] = endpoint.line
        entry: dict = {"id": item_id, "method": endpoint.method, "path": endpoint.path, "status_codes": sorted(codes)}
        for key, names in (("request_fields", request), ("response_fields", response), ("query_params", query)):
            if names:
                entry[key] = names
        drafted.append(entry)
    return drafted


# --- tasks -------------------------------------------------------------------------------------


def _draft_tasks(plan: ParsedPlan, facts: RepoFacts, taken: set[str], sources: dict[str, int]) -> list[dict]:
    tasks = dict(plan_proposals(plan, facts).tasks)
    for block in plan.blocks:
        if block.kind == "list_item" and any(TASK_SECTION.search(heading) for heading in block.section):
            opening = LIST_TASK_NAME.match(block.text)
            if opening and opening.group(1) not in tasks and opening.group(1) not in facts.tasks:
                tasks[opening.group(1)] = block.start_line
    drafted = []
    for name, line in sorted(tasks.items(), key=lambda item: item[1]):
        mentions = plan.lines_matching(re.compile(rf"(?<![A-Za-z0-9_]){re.escape(name)}(?![A-Za-z0-9_])"))
        scope: list[str] = []
        for mention in mentions:
            block = plan.block_at(mention)
            end = block.end_line if block is not None else mention
            scope += [text for _, text in _lines_text(plan, mention, max(end, mention + 3))]
        text = "\n".join(scope)
        triggers = [phrase for phrase in TRIGGERS if phrases_regex((phrase,)).search(text)]
        item_id = _unique_id(_slug(name.replace("_", " ")) + "-task", taken)
        sources[item_id] = line
        entry: dict = {"id": item_id, "name": name}
        if triggers:
            entry["trigger"] = triggers[:4]
        for flag, regex in (("retry", RETRY), ("failure_handling", FAILURE), ("idempotent", IDEMPOTENT)):
            if regex.search(text):
                entry[flag] = True
        drafted.append(entry)
    return drafted


# --- concepts ----------------------------------------------------------------------------------


def _terms(text: str) -> list[str]:
    """Distinctive phrases of a block, most distinctive first: those of its opening sentence before the
    rest; in each, backticked terms, then identifiers (CamelCase, snake_case), then the longest words."""
    first, _, rest = text.strip().partition("\n")
    opening, _, tail = first.partition(". ")
    ordered: list[str] = []
    for part in (opening, tail + "\n" + rest):
        backticked = [term.strip().strip("\"'") for term in re.findall(r"`([^`\n]{2,40})`", part)]
        backticked = [term for term in backticked if re.search(r"[A-Za-z]{2}", term) and not re.search(r"[()=/]", term)]
        plain_text = re.sub(r"`[^`]*`", " ", part)
        words = [word.strip("-_") for word in re.findall(r"[A-Za-z][A-Za-z0-9_-]{4,}", plain_text) if word.lower() not in STOPWORDS]
        words.sort(key=lambda word: (not re.search(r"[a-z][A-Z]|_", word), -len(word)))
        ordered += [*backticked, *words]
    return list(dict.fromkeys(ordered))


def _section_of(block: Block) -> str | None:
    for heading in reversed(block.section):
        for section, pattern in SECTIONS.items():
            if pattern.search(heading):
                return section
    return None


def _draft_concepts(plan: ParsedPlan, taken: set[str], sources: dict[str, int]) -> dict[str, list[dict]]:
    drafted: dict[str, list[dict]] = {section: [] for section in SECTIONS}
    for block in plan.blocks:
        if block.kind not in ("list_item", "paragraph") or not block.section:
            continue
        section = _section_of(block)
        if section is None or (block.kind == "list_item" and block.level > 1):
            continue
        terms = _terms(block.text)
        if len(terms) < 2:
            continue
        groups = [[terms[0]], [terms[1]]]
        if plan.find_phrases(groups, [block]) is None:  # the block must meet its own item
            continue
        description = clip(re.split(r"(?<=[.;:])\s", block.text.strip(), maxsplit=1)[0].replace("`", "").replace("**", ""), 100)
        item_id = _unique_id(_slug(" ".join(terms[:2]) + " " + description, 5), taken)
        sources[item_id] = block.start_line
        drafted[section].append({"id": item_id, "description": description, "all_of": groups})
    return drafted


# --- draft, then keep what the grader finds -------------------------------------------------------


def _prune(rubric: dict, verdicts: list[ItemVerdict]) -> list[str]:
    """Remove the checks the grader did not find; return what was removed."""
    missed = {verdict.id: verdict.description for verdict in verdicts if not verdict.met}
    removed = []
    for section in ("models", "endpoints", "tasks", "migrations", "edge_cases", "decisions"):
        kept = []
        for item in rubric.get(section, []):
            if item["id"] in missed:
                removed.append(f"{item['id']}: {missed[item['id']]}")
                continue
            if section == "models":
                item["fields"] = [f for f in item["fields"] if f"{item['id']}.field.{f['name']}" not in missed]
                for key in ("indexes", "constraints"):
                    values = item.get(key, [])
                    kept_values = [value for number, value in enumerate(values, start=1) if f"{item['id']}.{key[:-1] if key == 'constraints' else 'index'}.{number}" not in missed]
                    if values:
                        item[key] = kept_values
                    if not item.get(key):
                        item.pop(key, None)
            elif section == "endpoints":
                item["status_codes"] = [code for code in item["status_codes"] if f"{item['id']}.status.{code}" not in missed]
                for key, kind in (("request_fields", "request"), ("response_fields", "response"), ("query_params", "query")):
                    if key in item:
                        item[key] = [name for name in item[key] if f"{item['id']}.{kind}.{name}" not in missed]
                        if not item[key]:
                            item.pop(key)
            elif section == "tasks":
                for flag in ("trigger", "retry", "failure_handling", "idempotent"):
                    if f"{item['id']}.{flag}" in missed:
                        item.pop(flag, None)
            kept.append(item)
        rubric[section] = kept
    removed += [f"{item_id}: {description}" for item_id, description in missed.items() if "." in item_id]
    return removed


def draft_rubric(plan_text: str, facts: RepoFacts) -> RubricDraft:
    plan = parse_plan(plan_text)
    taken: set[str] = set()
    sources: dict[str, int] = {}
    rubric: dict = {
        "models": _draft_models(plan, facts, taken, sources),
        "endpoints": _draft_endpoints(plan, facts, taken, sources),
        "tasks": _draft_tasks(plan, facts, taken, sources),
    }
    rubric.update(_draft_concepts(plan, taken, sources))
    left_out: list[str] = []
    for _ in range(3):  # pruning one check can move where the grader looks for another
        if not any(rubric.values()):
            break
        verdicts = check_completeness(plan, Rubric.model_validate(rubric))
        if all(verdict.met for verdict in verdicts):
            break
        left_out += _prune(rubric, verdicts)
    return RubricDraft({key: value for key, value in rubric.items() if value}, left_out, sources)


# --- check a reference plan against its rubric ----------------------------------------------------


@dataclass(frozen=True)
class Miss:
    item: ItemVerdict
    closest_line: int | None
    closest_text: str
    groups: tuple[tuple[str, bool], ...]
    """Each phrase group (joined by " / ") and whether the closest block matches it."""

    def to_text(self) -> str:
        lines = [f"MISS {self.item.id}: {self.item.description}"]
        if self.closest_line is None:
            lines.append("  no block of the plan comes close")
        else:
            lines.append(f"  closest block, line {self.closest_line}: {self.closest_text}")
        lines += [f"  {'matched' if matched else 'NOT matched'}: {group}" for group, matched in self.groups]
        return "\n".join(lines)


@dataclass(frozen=True)
class ReferenceCheck:
    score: float
    items: tuple[ItemVerdict, ...]
    misses: tuple[Miss, ...]

    def to_text(self) -> str:
        met = sum(item.met for item in self.items)
        head = f"completeness of the reference plan against its own rubric: {self.score:.3f} ({met}/{len(self.items)} checks met)"
        return "\n".join([head, *(miss.to_text() for miss in self.misses)])


def _groups_for(item: ItemVerdict, rubric: Rubric) -> list[list[str]]:
    """The phrase groups an item is found by: a concept's `all_of`; for other checks the names it looks for."""
    concepts: list[ConceptSpec] = [*rubric.migrations, *rubric.edge_cases, *rubric.decisions]
    concept = next((concept for concept in concepts if concept.id == item.id), None)
    if concept is not None:
        return [list(group) for group in concept.all_of]
    words = re.findall(r"[A-Za-z_][A-Za-z0-9_]{2,}|/[^\s]+|\b\d{3}\b", item.description)
    return [[word] for word in words if word.lower() not in STOPWORDS and word not in ("model", "endpoint", "returns", "names", "Celery", "task")]


def check_reference(plan_text: str, rubric: Rubric) -> ReferenceCheck:
    plan = parse_plan(plan_text)
    items = check_completeness(plan, rubric)
    misses = []
    for item in items:
        if item.met:
            continue
        groups = _groups_for(item, rubric)
        patterns = [phrases_regex(tuple(group)) for group in groups]
        best: tuple[int, Block | None] = (0, None)
        for block in plan.units:
            count = sum(1 for pattern in patterns if pattern.search(block.text))
            if count > best[0]:
                best = (count, block)
        block = best[1]
        matched = tuple((" / ".join(group), bool(block is not None and pattern.search(block.text))) for group, pattern in zip(groups, patterns))
        misses.append(Miss(item, block.start_line if block else None, clip(block.text) if block else "", matched))
    return ReferenceCheck(completeness_score(items), tuple(items), tuple(misses))
