"""Completeness: does the plan cover what the scenario's rubric expects?

The rubric (docs/formats.md) becomes a flat list of checked items, each met or not with
the plan line that shows it:

    <model-id>  <model-id>.field.<name>  <model-id>.index.<n>  <model-id>.constraint.<n>
    <endpoint-id>  <endpoint-id>.status.<code>  <endpoint-id>.request.<field>
    <endpoint-id>.response.<field>  <endpoint-id>.query.<param>
    <task-id>  <task-id>.trigger  <task-id>.retry  <task-id>.failure_handling  <task-id>.idempotent
    <migration/edge-case/decision id>

Matching is structural: a model's fields are looked for in the model's part of the plan
(its heading section, its `class` body, its list item or paragraph), an endpoint's status
codes and fields near the line that names its method and path, a task's retry and
failure handling near the task. Details and limits: docs/graders.md.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from itertools import permutations, product

from archbench.core.rubric import ConceptSpec, EndpointSpec, ModelSpec, Rubric, TaskSpec
from archbench.graders.plan import (
    Block,
    ParsedPlan,
    PhraseMatch,
    any_between,
    phrases_regex,
    plain,
    starting_with,
)
from archbench.graders.verdicts import ItemVerdict, clip

DIMENSION = "completeness"
Span = tuple[int, int]

# --- what counts as evidence -----------------------------------------------------------

TYPE_SYNONYMS: dict[str, tuple[str, ...]] = {
    "ForeignKey": ("FK", "foreign key", "foreign keys", "many-to-one", "REFERENCES"),
    "OneToOneField": ("OneToOne", "one-to-one", "1:1", "O2O"),
    "ManyToManyField": ("ManyToMany", "M2M", "many-to-many"),
    "DateTimeField": ("DateTime", "datetime", "timestamp", "timestamptz"),
    "DateField": ("date",),
    "TimeField": ("time",),
    "CharField": ("Char", "varchar", "string", "str", "TextChoices", "choices", "enum"),
    "TextField": ("text",),
    "JSONField": ("JSON", "jsonb"),
    "BooleanField": ("Boolean", "bool"),
    "NullBooleanField": ("Boolean", "bool"),
    "UUIDField": ("UUID",),
    "IntegerField": ("Integer", "int"),
    "PositiveIntegerField": ("PositiveInteger", "PositiveIntegerField", "PositiveSmallIntegerField", "positive int"),
    "PositiveSmallIntegerField": ("PositiveSmallInteger", "PositiveIntegerField", "positive int"),
    "SmallIntegerField": ("SmallInteger", "smallint"),
    "BigIntegerField": ("BigInteger", "bigint"),
    "DecimalField": ("Decimal", "numeric"),
    "FloatField": ("Float", "double"),
    "DurationField": ("Duration", "interval"),
    "EmailField": ("Email",),
    "URLField": ("URL",),
    "SlugField": ("slug",),
    "GenericIPAddressField": ("GenericIPAddress", "inet", "IP address"),
    "ArrayField": ("array",),
    "FileField": ("file",),
    "ImageField": ("image",),
}
INDEX_WORDS = starting_with(
    re.compile(r"(?<![A-Za-z0-9])(?:db_)?ind(?:ex|exes|exed|ices)(?![A-Za-z0-9])|\bIndex\(", re.IGNORECASE), "ind", "db_ind"
)
CONSTRAINT_WORDS: dict[str, re.Pattern[str]] = {
    "unique": starting_with(re.compile(r"unique|UniqueConstraint", re.IGNORECASE), "unique"),
    "check": starting_with(re.compile(r"CheckConstraint|check[\s_-]+constraint|\bCHECK\b|\bcheck\s*\(", re.IGNORECASE), "check"),
    "exclusion": starting_with(re.compile(r"ExclusionConstraint|exclusion|\bEXCLUDE\b", re.IGNORECASE), "exclu"),
}
NEAR_LINES = 4  # an index/constraint may spread over this many lines (e.g. `models.Index(\n fields=[...])`)

RETRY = re.compile(
    r"max_retries|autoretry_for|retry_backoff|retry_kwargs|retry_jitter|self\.retry|backoff|exponential|countdown"
    r"|retr(?:y|ies|ied)\D{0,40}\d|(?<!\d)\d+\s*(?:x\s+)?(?:retries|attempts|tries|times)",  # a count starts where its digits do
    re.IGNORECASE,
)
FAILURE = re.compile(
    r"dead[\s_-]?letter|\bDLQ\b|on_failure|exhaust|give[sn]?\s+up|giving\s+up|MaxRetriesExceeded|permanent(?:ly)?\s+fail"
    r"|mark(?:s|ed|ing)?\s+(?:\S+\s+){0,4}(?:as\s+)?[`'\"]?(?:failed|error|dead)|status\s*(?:=|:|to|becomes)\s*[`'\"]?failed"
    r"|failed\s+(?:state|status)|after\s+(?:the\s+)?(?:final|last|max(?:imum)?|all)\s+(?:\w+\s+)?(?:retry|retries|attempts?)"
    r"|\balert(?:s|ed|ing)?\b|\bsentry\b|page[sd]?\s+on[\s-]call|log(?:s|ged)?\s+(?:an?\s+)?(?:error|exception|warning)"
    r"|after\s+(?:the\s+)?(?:final|last)\s+failure|fail(?:s|ed)?\s+for\s+good|stays?\s+(?:\w+\s+)?[`'\"]?failed\b",
    re.IGNORECASE,
)
IDEMPOTENT = re.compile(
    r"idempot|de-?dup|get_or_create|update_or_create|select_for_update|already\s+(?:been\s+)?(?:sent|delivered|processed|exists|done)"
    r"|skip(?:s|ped)?\s+(?:it\s+)?(?:if|when)|safe\s+to\s+(?:re-?run|retry|repeat|run\s+twice)|exactly[\s-]once|at[\s-]most[\s-]once"
    r"|unique\s+constraint|UniqueConstraint|unique\s+together|\bno[\s-]op\b|is\s+(?:not\s+)?null\b|is\s+not\s+None|already\s+set",
    re.IGNORECASE,
)
TASK_CONTEXT = re.compile(r"\btasks?\b|celery|shared_task|\.delay\b|apply_async|worker|\bbeat\b|periodic|queue", re.IGNORECASE)
TASK_VERBS = {
    "send", "deliver", "dispatch", "process", "run", "handle", "do", "execute", "create", "generate", "build",
    "update", "sync", "notify", "emit", "enqueue", "schedule", "compute", "recompute", "refresh", "cleanup",
    "clean", "purge", "expire", "prune", "import", "export", "fan", "push", "publish", "mark", "check", "retry",
    "email", "mail", "remind", "rebuild", "backfill", "reconcile", "archive", "collect", "aggregate", "fetch", "poll",
    "ingest", "recalculate", "close", "cancel", "charge", "bill", "invoice", "finalize", "render", "resend", "escalate",
    "write", "issue", "produce", "make", "remove", "delete",
}
# Verbs that give a task the same role: `write_task_csv` may be the rubric's `generate_task_export`.
TASK_VERB_FAMILIES = {
    "produce": {"generate", "create", "build", "write", "render", "issue", "produce", "make", "export", "compute"},
    "remove": {"delete", "purge", "prune", "cleanup", "clean", "expire", "remove"},
    "notify": {"send", "deliver", "dispatch", "notify", "email", "mail", "remind", "push", "publish", "emit"},
    "refresh": {"sync", "refresh", "update", "recompute", "recalculate", "rebuild", "reconcile", "backfill"},
}
GLOBAL_STATUS = re.compile(
    r"all\s+(?:of\s+(?:the|these)\s+)?(?:above\s+|new\s+|these\s+)?endpoints|every\s+(?:new\s+)?endpoint|each\s+endpoint|any\s+endpoint"
    r"|all\s+(?:new\s+)?(?:views|routes|requests)|globally|throughout",
    re.IGNORECASE,
)
HTTP_METHOD = starting_with(re.compile(r"(?<![A-Za-z])(GET|POST|PUT|PATCH|DELETE)(?![A-Za-z])"), "GET", "POST", "PUT", "PATCH", "DELETE")
URL_PATH = re.compile(r"(?<![A-Za-z0-9.])(?:https?://[^\s/`]+)?(/[^\s`'\"|,;*)\]]*)")
# `[A-Z](?<![A-Za-z0-9_][A-Z])` is `(?<![A-Za-z0-9_])[A-Z]`, written so that `re` skips to capitals (3x faster)
CAMEL_WORD = re.compile(r"[A-Z](?<![A-Za-z0-9_][A-Z])[A-Za-z0-9]*(?![A-Za-z0-9_])")
# a match is a whole run of [A-Za-z0-9_] holding a `_`: tried only where such runs begin
SNAKE_WORD = starting_with(re.compile(r"(?<![A-Za-z0-9_])[a-z][a-z0-9]*(?:_[a-z0-9]+)+(?![A-Za-z0-9_])"), run_holding=("_",))
MODEL_TAIL_WORDS = {"Model", "Record", "Entry", "Row"}
GENERIC_MODEL_HEADING = re.compile(
    r"^\W*(?:\d+[.)]?\s*)?(?:the\s+)?(?:new\s+)?(?:data(?:\s+models?)?|database(?:\s+schema)?|schema|models?|tables?)"
    r"(?:\s+(?:changes?|design|sketch|definitions?|layer))?\W*$",
    re.IGNORECASE,
)
# A model found under another name must carry this many of the rubric's fields (and at least half).
RENAMED_MODEL_MIN_FIELDS = 3
# Fields nearly every model has: they don't tell one model from another.
COMMON_FIELDS = {
    "id", "status", "state", "name", "title", "created_at", "updated_at", "created_by", "organization", "workspace",
    "user", "owner", "kind", "type",
}
# A CamelCase name in backticks or bold, or after `class`: a name, not "Data" from "## Data model".
IDENTIFIER_NAME = re.compile(r"[`*]([A-Z][A-Za-z0-9]*)[`*(]|\bclass\s+([A-Z][A-Za-z0-9]*)")
# CamelCase words that name Django/DRF machinery, not a model.
NOT_A_MODEL_NAME = re.compile(
    r"(?:Field|Serializer|ViewSet|View|Permission|Error|Exception|Choices|Config|Admin|Test|TestCase|Filter|FilterSet"
    r"|Pagination|Manager|QuerySet|Queryset|Index|Constraint|Form|Mixin|Router|Consumer)$"
)
# Further class names that are code around models, not models (an API class, a service, a task class, …).
NOT_A_NEW_MODEL = re.compile(r"(?:Api|API|Service|Selector|Task|Command|Handler|Client|Backend|Authentication|Middleware|Base)$")
# Words showing that "the task" in a block means the Celery task (tldr's domain also has a Task model).
CELERY_CONTEXT = re.compile(r"celery|worker|\bbeat\b|retr(?:y|ies)|queue|broker|\.delay\b|apply_async|shared_task", re.IGNORECASE)
THE_TASK = re.compile(r"\b(?:the|this)\s+(?:celery\s+|background\s+|async\s+)?task\b(?!\s+model)", re.IGNORECASE)


def check_completeness(plan: ParsedPlan, rubric: Rubric) -> list[ItemVerdict]:
    """Every rubric check, in rubric order."""
    items: list[ItemVerdict] = []
    places = _model_places(plan, rubric)
    for model in rubric.models:
        items += _model_items(plan, model, places[model.id], _link_field_names(model, rubric, places))
    endpoint_lines = _endpoint_lines(plan)
    code_routes = _code_routes(plan)
    for line, routes in code_routes.items():
        endpoint_lines.setdefault(line, set()).update(routes)
    api_aliases = _api_field_aliases(rubric)
    field_blocks = _fields_after_groups(plan, sorted(endpoint_lines)) if rubric.endpoints else {}
    for endpoint in rubric.endpoints:
        matcher = _endpoint_matcher(endpoint, rubric, places)
        items += _endpoint_items(plan, endpoint, matcher, endpoint_lines, code_routes, api_aliases, field_blocks)
    candidates = _verb_first_names_in_task_context(plan) if rubric.tasks else []
    task_names = {task.id: _task_names(task, rubric.tasks, candidates) for task in rubric.tasks}
    for _ in rubric.tasks:  # a task found by role may be the trigger that finds the next one
        renamed = _renamed_tasks(plan, rubric.tasks, task_names, candidates)
        if not renamed:
            break
        for task_id, name in renamed.items():
            task_names[task_id].append(name)
    for task in rubric.tasks:
        others = {name for other, names in task_names.items() if other != task.id for name in names}
        triggers = _task_triggers(task, rubric.tasks, task_names)
        items += _task_items(plan, task, task_names[task.id], others, triggers, only_task=len(rubric.tasks) == 1)
    concepts = [*rubric.migrations, *rubric.edge_cases, *rubric.decisions]
    matches = {concept.id: plan.find_phrases(concept.all_of) for concept in concepts}
    foreign: list[str] = []
    if not any(item.met for item in items) and 2 * sum(bool(match) for match in matches.values()) < len(concepts):
        foreign = _foreign_models(plan, rubric)
    for concept in concepts:
        items.append(_concept_item(plan, concept, matches[concept.id], foreign))
    return items


def completeness_score(items: list[ItemVerdict]) -> float:
    """Mean over rubric entries of the share of that entry's checks met (each entry weighs the same)."""
    groups: dict[str, list[bool]] = defaultdict(list)
    for item in items:
        groups[item.id.split(".", 1)[0]].append(item.met)
    if not groups:
        return 0.0
    return sum(sum(checks) / len(checks) for checks in groups.values()) / len(groups)


def _verdict(plan: ParsedPlan, item_id: str, line: int | None, description: str) -> ItemVerdict:
    if line is None:
        return ItemVerdict(item_id, DIMENSION, False, None, None, description)
    return ItemVerdict(item_id, DIMENSION, True, clip(plan.line(line).strip()), line, description)


# --- models ----------------------------------------------------------------------------


def _model_name_options(model: ModelSpec) -> list[str]:
    return [model.name, *model.aliases]


@lru_cache(maxsize=8192)  # every CamelCase word of a plan, for each rubric model
def _camel_parts(name: str) -> tuple[str, ...]:
    return tuple(re.findall(r"[A-Z]+(?![a-z])|[A-Z]?[a-z0-9]+", name))


def _model_names_in_plan(plan: ParsedPlan, model: ModelSpec, others: list[str]) -> list[str]:
    """The accepted names plus CamelCase names that end with one (`UserNotification` for `Notification`).

    Only endings count: `NotificationSerializer` or `NotificationDelivery` are other things.
    A trailing Model/Record/Entry/Row is allowed (`NotificationRecord`).
    """
    accepted = _model_name_options(model)
    found = list(accepted)
    for word in plan.derive(("camel_words",), lambda: sorted(set(CAMEL_WORD.findall(plan.text)))):
        if word in accepted or word in others:
            continue
        parts = _camel_parts(word)
        if parts and parts[-1] in MODEL_TAIL_WORDS:
            parts = parts[:-1]
        stem = "".join(parts)
        for name in accepted:
            if stem != name and stem.endswith(name) and not any(stem.endswith(o) and len(o) > len(name) for o in others):
                found.append(word)
                break
    return found


@lru_cache(maxsize=1024)
def _class_name_regex(name: str) -> re.Pattern[str]:
    """Phrasings that introduce or change `name` as a model: `class Name`, "Name model", "model `Name`",
    "add a Name", "a field on `Name`", "`Name` gains `field` (type)"."""
    escaped = re.escape(name)
    fmt = r"[`*_]{0,3}"
    return re.compile(
        rf"\bclass\s+{escaped}\b"
        rf"|(?<![A-Za-z0-9_]){escaped}{fmt}\s*(?:\([^)]*\)\s*)?(?i:model|table|entity)\b"
        rf"|\b(?i:model|table|entity)\s*:?\s*{fmt}{escaped}(?![A-Za-z0-9_])"
        rf"|\b(?i:add|create|new|introduce|define)\s+(?i:an?\s+|the\s+)?(?i:new\s+)?{fmt}{escaped}(?![A-Za-z0-9_])"
        rf"|\b(?i:on|to|of|in|extends?|modif(?:y|ies)|changes?|updates?)\s+(?i:the\s+)?(?i:existing\s+)?"
        rf"[`*]{{1,2}}(?:\w+\.)*{escaped}[`*]{{1,2}}"
        rf"|[`*]{{1,2}}{escaped}[`*]{{1,2}}\s+(?i:gains?|gets|receives|acquires)\b"
    )


@lru_cache(maxsize=1024)
def _word_regex(word: str) -> re.Pattern[str]:
    """Case-sensitive whole identifier; the literal comes first so that `re` can scan for it quickly."""
    escaped = re.escape(word)
    return re.compile(rf"{escaped}(?<![A-Za-z0-9_]{escaped})(?![A-Za-z0-9_])")


def _names_the_class(text: str, name: str) -> bool:
    """`name` used as a class name here, not as an English word ("Notification system")."""
    for match in _word_regex(name).finditer(text):
        before = text[max(0, match.start() - 1) : match.start()]
        after = text[match.end() :]
        if before in ("`", "*", "_"):
            return True
        next_word = re.match(r"\s+([a-z]+)", after)
        if not next_word or next_word.group(1) in ("model", "table", "entity", "class"):
            return True
    return False


def _model_anchor_spans(plan: ParsedPlan, names: list[str], field_names: list[str]) -> list[tuple[int, Span]]:
    """(line, scope) for each place the plan defines one of these model names or names one of its fields (`Invoice.po_number`)."""
    anchors: list[tuple[int, Span, str]] = []
    dotted = (
        re.compile(rf"\b(?:{'|'.join(map(re.escape, names))})\.(?:{'|'.join(map(re.escape, field_names))})(?![A-Za-z0-9_])")
        if names and field_names
        else None
    )
    for name in names:
        for line in plan.lines_matching(_word_regex(name)):
            block = plan.block_at(line)
            if block is None:
                continue
            text = plan.line(line)
            if dotted is not None and dotted.search(text) and block.kind != "heading":
                anchors.append((line, (block.start_line, block.end_line) if block.kind != "code" else (line, line), "field"))
            elif block.kind == "heading":
                if _names_the_class(block.text, name):
                    anchors.append((line, plan.heading_span(block), "heading"))
            elif block.kind == "code":
                if re.search(rf"\bclass\s+{re.escape(name)}\b", text):
                    anchors.append((line, _indented_span(plan, line, block), "code"))
                elif re.search(rf"\bCreateModel\b\W*(?:name\W*)?{re.escape(name)}(?![A-Za-z0-9_])", text):
                    anchors.append((line, (line, line), "code"))
            elif block.kind == "table_row":
                first_cell = block.cells[0] if block.cells else ""
                if re.match(rf"{re.escape(name)}(?![A-Za-z0-9_])", plain(first_cell)) or _class_name_regex(name).search(first_cell):
                    anchors.append((line, (block.start_line, block.end_line), "row"))
            elif _class_name_regex(name).search(text) or (
                line == block.start_line
                and re.match(rf"{re.escape(name)}(?![A-Za-z0-9_])", plain(text))
                and _names_the_class(text, name)
            ):
                anchors.append((line, _following_span(plan, block, names), block.kind))
    tables = plan.derive(("sql tables",), lambda: _sql_tables(plan))
    for name in names:
        for line in tables.get(name.lower(), ()):
            block = plan.block_at(line)
            if block is not None and block.kind == "code":
                anchors.append((line, _indented_span(plan, line, block), "code"))
    headings = [a for a in anchors if a[2] == "heading"]
    inner = [a for a in anchors if a[2] != "heading"]
    lines = sorted(line for line, _, _ in anchors)

    def others_inside(heading: tuple[int, Span, str]) -> int:
        """Anchors other than the heading itself on the lines below it in its span."""
        line, (start, end), _ = heading
        return bisect_right(lines, end) - bisect_right(lines, start) - (start < line <= end)

    kept = [heading for heading in headings if not others_inside(heading)]
    return [(line, span) for line, span, _ in sorted(kept + inner)]


# SQL that creates or alters a table: `CREATE TABLE helpdesk_slapolicy (`, `ALTER TABLE "foirequestfollower_foirequestfollower"`.
TABLE_DDL = starting_with(
    re.compile(r"\b(?:CREATE|ALTER)\s+TABLE\s+(?:IF\s+(?:NOT\s+)?EXISTS\s+)?[`\"]?([A-Za-z0-9_]+)[`\"]?(?![A-Za-z0-9_])", re.IGNORECASE),
    "create", "alter",
)


def _sql_tables(plan: ParsedPlan) -> dict[str, list[int]]:
    """The lines of SQL that create or alter a table, by each model name the table may be named after, lower
    case: Django names it `<app>_<model>`, so `helpdesk_slapolicy` is `slapolicy` (and `helpdesk_slapolicy`)."""
    found: dict[str, list[int]] = defaultdict(list)
    for match in plan.matches(TABLE_DDL):
        line = plan.line_of_offset(match.start())
        parts = match.group(1).lower().split("_")
        for start in range(len(parts)):
            found["".join(parts[start:])].append(line)
    return found


def _indented_span(plan: ParsedPlan, line: int, block: Block) -> Span:
    """A `class X:` line and the lines indented under it, within its code block."""
    head = plan.line(line)
    indent = len(head) - len(head.lstrip())
    end = line
    for number in range(line + 1, block.end_line + 1):
        text = plan.line(number)
        if text.strip() and (len(text) - len(text.lstrip())) <= indent or text.strip().startswith("```"):
            break
        end = number
    return line, end


def _following_span(plan: ParsedPlan, block: Block, own_names: list[str]) -> Span:
    """A paragraph or list item and what follows it, up to the next heading or the next block introducing another name."""
    if block.kind == "list_item":
        return block.start_line, block.end_line
    following = plan.next_block_line(
        block.end_line,
        ("ends a model's span", tuple(own_names)),
        lambda other: other.kind == "heading" or other.kind in ("paragraph", "list_item") and _introduces_other_class(other, own_names),
    )
    end = len(plan.lines) if following is None else following - 1
    return block.start_line, max(end, block.end_line)


def _introduces_other_class(block: Block, own_names: list[str]) -> bool:
    """A paragraph that opens with a formatted CamelCase name other than ours (`**Delivery**`, `` `Foo` model``);
    not a call such as `` `Index(fields=[...])` `` in the model's Meta list."""
    match = re.match(r"\s*(?:[-*+]\s+|\d+[.)]\s+)?(?:\*\*|`|__)\s*`?([A-Z][A-Za-z0-9]*)(?![\w.(=])", block.first_line_text)
    return bool(match) and match.group(1) not in own_names


def _lines_in(spans: list[Span]) -> list[int]:
    """Every line of the spans, sorted, each once (overlapping spans are merged first: 10,000 anchors
    whose spans each cover half the plan would otherwise list its lines 10,000 times)."""
    lines: list[int] = []
    for start, end in sorted(spans):
        lines.extend(range(max(start, lines[-1] + 1 if lines else start), end + 1))
    return lines


def _type_regex(django_type: str) -> re.Pattern[str]:
    options = {django_type, *TYPE_SYNONYMS.get(django_type, ())}
    if django_type.endswith("Field") and len(django_type) > len("Field"):
        options.add(django_type[: -len("Field")])
    return phrases_regex(tuple(sorted(options)))


# A sentence of prose: up to a full stop, semicolon or question mark followed by a space (`settings.AUTH_USER_MODEL` is one word).
SENTENCE = re.compile(r"(?:[^.;!?]|[.;!?](?!\s))+(?:[.;!?]|$)")
# A name that carries its unit (`target_hours`, `warn_minutes`): the field holds a whole count of that unit, the
# encoding the rubric accepts for a duration under that name.
UNIT_NAME = re.compile(r"(?:^|_)(?:seconds|minutes|hours|days|weeks)$")
WHOLE_NUMBER = phrases_regex(("IntegerField", "PositiveIntegerField", "PositiveSmallIntegerField", "SmallIntegerField",
                              "BigIntegerField", "Integer", "int", "positive int"))
BOOLEAN_NAME = re.compile(r"^(?:is|has|can|allow|allows)_")
INHERITED = re.compile(r"\binherit(?:s|ed|ing)?\b|\bfrom\s+(?:the|its)\s+(?:\w+\s+)?base\s+(?:class(?:es)?|models?)\b", re.IGNORECASE)


def _field_type_regex(django_type: str, names: list[str]) -> re.Pattern[str]:
    """The field's type; when one of the rubric's names for the field is a yes/no predicate (`is_public` for
    `access`), a boolean encoding is one the rubric accepts, so `BooleanField` counts too."""
    if django_type != "BooleanField" and any(BOOLEAN_NAME.match(name) for name in names):
        return phrases_regex(tuple(sorted({django_type, django_type.removesuffix("Field"), *TYPE_SYNONYMS.get(django_type, ()),
                                           "BooleanField", "Boolean", "bool"})))
    return _type_regex(django_type)


def _prose_lines(plan: ParsedPlan, scope_lines: list[int], name_regex: re.Pattern[str]) -> Iterator[tuple[int, Block]]:
    """The scope's lines naming the field that sit in a paragraph or list item, with that block."""
    scope = set(scope_lines)
    for line in plan.lines_matching(name_regex):
        block = plan.block_at(line)
        if line in scope and block is not None and block.kind in ("paragraph", "list_item"):
            yield line, block


def _inherited_field_line(plan: ParsedPlan, scope_lines: list[int], names: list[str]) -> int | None:
    """A field the plan says the model inherits ("inherits `ProjectBaseModel`, which gives … `project`",
    "gets `project` … from the base classes"): it is defined, with the base class's type. The name and the
    cue must share a sentence of a block in the model's part of the plan."""
    name_regex = phrases_regex(tuple(names))
    for line, block in _prose_lines(plan, scope_lines, name_regex):
        for sentence in re.split(r"(?<=[.;!?])\s+", block.text):
            if name_regex.search(sentence) and INHERITED.search(sentence):
                return line
    return None


@dataclass(frozen=True)
class _ModelPlace:
    """Where the plan talks about one rubric model: the names it uses, its anchors, its lines."""

    names: tuple[str, ...]
    anchors: tuple[tuple[int, Span], ...]
    lines: tuple[int, ...]



def _model_places(plan: ParsedPlan, rubric: Rubric) -> dict[str, _ModelPlace]:
    """Each model's anchors and part of the plan.

    A generic heading ("## Model", "## Data model", "### Schema") with no rubric model
    anchored inside belongs to every model anchored elsewhere (an overview names
    `WaitingListEntry`, the field table sits under "## Model").
    """
    options = {model.id: _model_name_options(model) for model in rubric.models}
    found: dict[str, tuple[list[str], list[tuple[int, Span]]]] = {}
    for model in rubric.models:
        others = [name for other, names in options.items() if other != model.id for name in names]
        names = _model_names_in_plan(plan, model, others)
        fields = [name for field in model.fields for name in (field.name, *field.aliases)]
        found[model.id] = (names, _model_anchor_spans(plan, names, fields))
    for model_id, heading_anchor in _generic_section_models(plan, found).items():
        found[model_id] = (found[model_id][0], [heading_anchor])
    taken = {name for names in options.values() for name in names}
    for model in rubric.models:
        names, anchors = found[model.id]
        if not anchors:
            renamed = _renamed_model(plan, model, taken)
            if renamed is not None:
                taken.add(renamed[0])
                found[model.id] = ([*names, renamed[0]], renamed[1])
    anchor_lines = [line for _, anchors in found.values() for line, _ in anchors]
    generic = [
        plan.heading_span(heading)
        for heading in plan.headings
        if GENERIC_MODEL_HEADING.match(plain(heading.text))
    ]
    anchor_lines.sort()
    shared = [span for span in generic if not any_between(anchor_lines, *span)]
    places = {}
    for model_id, (names, anchors) in found.items():
        spans = [span for _, span in anchors] + (shared if anchors else [])
        present = tuple(name for name in names if plan.lines_matching(_word_regex(name)))
        places[model_id] = _ModelPlace(present, tuple(anchors), tuple(_lines_in(spans)))
    return places


def _generic_section_models(
    plan: ParsedPlan, found: dict[str, tuple[list[str], list[tuple[int, Span]]]]
) -> dict[str, tuple[int, Span]]:
    """Models defined under a generic heading ("## The model", "### Data model") in words no anchor reads.

    When such a section writes exactly one rubric model's name as an identifier (`` `ProjectView` ``,
    **ProjectView**: "I'd call it `ProjectView`") and that model has no anchor anywhere, the section is
    where it is defined: its first mention there anchors it, with the section as its part of the plan.
    """
    unanchored = {model_id: names for model_id, (names, anchors) in found.items() if not anchors and names}
    if not unanchored:
        return {}
    placed: dict[str, tuple[int, Span]] = {}
    for heading in plan.headings:
        if not GENERIC_MODEL_HEADING.match(plain(heading.text)):
            continue
        start, end = plan.heading_span(heading)
        named: dict[str, int] = {}
        for model_id, (names, _) in found.items():
            pattern = re.compile(rf"[`*](?:{'|'.join(map(re.escape, names))})[`*(]") if names else None
            lines = [line for line in plan.lines_matching(pattern) if start < line <= end] if pattern else []
            if lines:
                named[model_id] = lines[0]
        if len(named) == 1:
            (model_id, line), = named.items()
            if model_id in unanchored and model_id not in placed:
                placed[model_id] = (line, (start, end))
    return placed


def _link_field_names(model: ModelSpec, rubric: Rubric, places: dict[str, _ModelPlace]) -> dict[str, list[str]]:
    """Other names for a link to another rubric model, after the name the plan gives that model.

    `Invoice.recurring_schedule` (a ForeignKey whose name ends with the head noun of the rubric
    model `RecurringInvoiceSchedule`) may be `subscription` or `invoice_subscription` in a plan
    that calls the schedule `InvoiceSubscription`; the field's type is still required.
    """
    found: dict[str, list[str]] = {}
    for field in model.fields:
        if field.type not in ("ForeignKey", "OneToOneField"):
            continue
        target = _segment_model(field.name, rubric)
        if target is None or target.id == model.id:
            continue
        if _singular(_camel_parts(target.name)[-1].lower()) != _singular(field.name.split("_")[-1]):
            continue
        names = []
        for name in places[target.id].names:
            parts = [part.lower() for part in _camel_parts(name)]
            names += ["_".join(parts), parts[-1]]
        found[field.name] = [name for name in dict.fromkeys(names) if name != field.name]
    return found


def _renamed_model(plan: ParsedPlan, model: ModelSpec, taken: set[str]) -> tuple[str, list[tuple[int, Span]]] | None:
    """A model the plan defines under another name, recognised by the rubric fields its definition carries.

    A CamelCase name the plan introduces as a model (its `class`, heading, table or "the X model")
    counts as the rubric model when its part of the plan names, with their types, at least
    RENAMED_MODEL_MIN_FIELDS of the rubric's fields and at least half of them, one of which is not a
    field every model has (`status`, `organization`, …). The name with the most such fields wins, and
    among those the one whose part of the plan is smallest (a paragraph defining `SlaNotice` inside the
    section that names `Queue` as a foreign key's target), then the one that opens its part (the
    paragraph starts "`TopicWatch` in …" and later says the existing `FoiRequestFollower` is untouched);
    a full tie means the plan's models can't be told apart, and nothing is credited.
    """
    if len(model.fields) < RENAMED_MODEL_MIN_FIELDS:
        return None
    field_names = [name for field in model.fields for name in (field.name, *field.aliases)]
    best: list[tuple[int, str, list[tuple[int, Span]]]] = []
    written_as_names = {match.group(1) or match.group(2) for match in IDENTIFIER_NAME.finditer(plan.text)}
    for word in sorted(written_as_names - taken):
        if NOT_A_MODEL_NAME.search(word) or word in TYPE_SYNONYMS:
            continue
        anchors = _model_anchor_spans(plan, [word], field_names)
        if not anchors:
            continue
        lines = _lines_in([span for _, span in anchors])
        matched = [
            field.name
            for field in model.fields
            if _field_line(plan, lines, [field.name, *field.aliases], _type_regex(field.type)) is not None
            or _sentence_field_line(plan, lines, [field.name, *field.aliases], _type_regex(field.type)) is not None
        ]
        distinctive = [name for name in matched if name not in COMMON_FIELDS]
        if len(matched) >= RENAMED_MODEL_MIN_FIELDS and 2 * len(matched) >= len(model.fields) and distinctive:
            opens = any(line == span[0] for line, span in anchors)
            best.append((len(matched), len(lines), not opens, word, anchors))
    best.sort(key=lambda candidate: candidate[:3])
    best.sort(key=lambda candidate: -candidate[0])
    if not best or (len(best) > 1 and best[0][:3] == best[1][:3]):
        return None
    return best[0][3], best[0][4]




def _model_items(
    plan: ParsedPlan, model: ModelSpec, place: _ModelPlace, link_names: dict[str, list[str]]
) -> list[ItemVerdict]:
    anchors, lines = place.anchors, list(place.lines)
    label = model.name + (f" (or {', '.join(model.aliases)})" if model.aliases else "")
    items = [_verdict(plan, model.id, anchors[0][0] if anchors else None, f"model {label}")]
    field_names = {
        field.name: [*_reordered(field.name, field.aliases), *link_names.get(field.name, [])] for field in model.fields
    }
    for field in model.fields:
        names = field_names[field.name]
        line = _field_line(plan, lines, names, _field_type_regex(field.type, names))
        counted = [name for name in names if UNIT_NAME.search(name)] if field.type == "DurationField" else []
        if line is None and counted:
            line = _field_line(plan, lines, counted, WHOLE_NUMBER)
        if line is None:
            line = _sentence_field_line(plan, lines, names, _field_type_regex(field.type, names))
        if line is None and counted:
            line = _sentence_field_line(plan, lines, counted, WHOLE_NUMBER)
        if line is None:
            line = _inherited_field_line(plan, lines, names)
        items.append(_verdict(plan, f"{model.id}.field.{field.name}", line, f"{model.name}.{field.name}: {field.type}"))
    own_name = phrases_regex(place.names or (model.name,))
    for number, index in enumerate(model.indexes, start=1):
        groups = [field_names.get(name, [name]) for name in index]
        line = _near_line(plan, lines, own_name, INDEX_WORDS, groups)
        items.append(_verdict(plan, f"{model.id}.index.{number}", line, f"{model.name} index on ({', '.join(index)})"))
    for number, constraint in enumerate(model.constraints, start=1):
        groups = [field_names.get(name, [name]) for name in constraint.fields]
        line = _near_line(plan, lines, own_name, CONSTRAINT_WORDS[constraint.kind], groups)
        what = constraint.description or f"{constraint.kind} on ({', '.join(constraint.fields)})"
        items.append(_verdict(plan, f"{model.id}.constraint.{number}", line, f"{model.name} constraint: {what}"))
    return items


def _field_line(plan: ParsedPlan, scope_lines: list[int], names: list[str], type_regex: re.Pattern[str]) -> int | None:
    """First scope line naming the field with its type (the type may sit in the field's list item)."""
    name_regex = phrases_regex(tuple(names))
    candidates = set(scope_lines)
    for line in plan.lines_matching(name_regex):
        if line not in candidates:
            continue
        text = plan.line(line)
        if type_regex.search(name_regex.sub(" ", text)):
            return line
        block = plan.block_at(line)
        if block is not None and block.kind == "list_item" and block.start_line == line:
            body = "\n".join(plan.line(n) for n in range(line, block.end_line + 1))
            if type_regex.search(name_regex.sub(" ", body)):
                return line
    return None


def _sentence_field_line(plan: ParsedPlan, scope_lines: list[int], names: list[str], type_regex: re.Pattern[str]) -> int | None:
    """A field described in prose: its name and its type in one sentence of a paragraph or list item of the
    model's part of the plan, across line breaks ("… a `level`\n(CharField, …)", "two optional foreign keys,
    `jurisdiction` to … and `public_body` to …")."""
    name_regex = phrases_regex(tuple(names))
    for line, block in _prose_lines(plan, scope_lines, name_regex):
        start = sum(len(plan.line(number)) + 1 for number in range(block.start_line, line))
        end = start + len(plan.line(line))
        text = "\n".join(plan.line(number) for number in range(block.start_line, block.end_line + 1))
        for sentence in SENTENCE.finditer(text):
            if sentence.end() <= start or sentence.start() >= end:
                continue
            words = sentence.group()
            if any(start <= sentence.start() + match.start() < end for match in name_regex.finditer(words)) and type_regex.search(
                name_regex.sub(" ", words)
            ):
                return line
    return None


def _reordered(name: str, aliases: tuple[str, ...] | list[str]) -> list[str]:
    """A field's names, each also with its words in another order (`newest_followups_first` for
    `followups_newest_first`): the same words name the same field. Names of two or three words only."""
    names = [name, *aliases]
    for original in list(names):
        words = original.split("_")
        if 2 <= len(words) <= 3 and len(set(words)) == len(words):
            names += ["_".join(order) for order in permutations(words)]
    return list(dict.fromkeys(names))


def _near_line(
    plan: ParsedPlan, scope_lines: list[int], own_name: re.Pattern[str], keyword: re.Pattern[str], groups: list[list[str]]
) -> int | None:
    """A line with `keyword` (in the model's scope, or naming the model) whose next few lines name every field."""
    scope = set(scope_lines)
    field_regexes = [phrases_regex(tuple(group)) for group in groups]
    for line in plan.lines_matching(keyword):
        if line not in scope and not own_name.search(plan.line(line)):
            continue
        window = [n for n in range(line, line + NEAR_LINES) if n == line or n in scope or not scope]
        text = "\n".join(plan.line(n) for n in window)
        if all(regex.search(text) for regex in field_regexes):
            return max(window, key=lambda n: (sum(bool(r.search(plan.line(n))) for r in field_regexes), -n))
    return None


# --- endpoints -------------------------------------------------------------------------


PARAMETER_SEGMENT = (
    r"\{[^}]*\}|<[^>]*>|:\w+|\[[^\]]*\]|\(\?P<\w+>.*\)|\$\{[^}]*\}"
    r"|\d+|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"  # concrete ids in example URLs
    r"|[0-9a-f-]+(?:…|\.\.\.)"  # an id cut short in an example URL (`/views/02c9…/`)
)
# How many literal segments a URL may carry before its `api/` root (the app's or a language's mount prefix).
MOUNT_DEPTH = 2
# A path segment standing for "the prefix as before" (`/…/views/<pk>/`, `.../views/<pk>/`).
ELIDED = "…"


def _path_segments(path: str) -> list[str]:
    """The raw segments `normalise_path` keeps, one per normalised segment (parameter names intact)."""
    path = re.split(r"[?#]", re.sub(r"^https?://[^/]+", "", path.replace("\\", "")), maxsplit=1)[0].strip("^$")
    segments = [segment for segment in path.split("/") if segment]
    # the API root, after the prefix the project mounts the app under (`/helpdesk/api/…`, `/en/api/…`)
    root = next((index for index, segment in enumerate(segments[:MOUNT_DEPTH + 1]) if segment.lower() == "api"), None)
    if root is not None and all(re.fullmatch(r"[A-Za-z][\w-]*", segment) for segment in segments[:root]):
        segments = segments[root + 1 :]
    if segments and re.fullmatch(r"v\d+(?:\.\d+)?", segments[0], re.IGNORECASE):
        segments = segments[1:]
    return segments


@lru_cache(maxsize=4096)  # graders normalise the same rubric and repo paths for every plan
def normalise_path(path: str) -> tuple[str, ...]:
    """`/api/v1/notifications/<uuid:pk>/read/` -> ('notifications', '{}', 'read'); `/notifications/901/` -> ('notifications', '{}')."""
    normalised = []
    for segment in _path_segments(path):
        if segment in (ELIDED, "..."):
            normalised.append(ELIDED)
        elif re.fullmatch(PARAMETER_SEGMENT, segment, re.IGNORECASE):
            normalised.append("{}")
        else:
            normalised.append(segment.lower())
    return tuple(normalised)


def _endpoint_lines(plan: ParsedPlan) -> dict[int, set[tuple[str, tuple[str, ...]]]]:
    """For every line naming an HTTP method and a path: the (method, normalised path) pairs it names.

    A method written without a path takes the path of the section's last line that names one when the line
    says so ("`POST` on the same path", a table cell "same") or when the method opens a list item or table
    row under that path ("CRUD on `/api/views/`:" then "- `GET` list", "- `PATCH <pk>/`"): a path after the
    method that does not start with `/` (`<pk>/`, `{id}/archive/`) continues that path.
    """
    found: dict[int, set[tuple[str, tuple[str, ...]]]] = {}
    for line in plan.lines_matching(HTTP_METHOD):
        paths = _api_paths(plan.line(line))
        if paths:
            found[line] = {(method.group(1), normalise_path(path)) for method, path in method_paths(_unelided(plan.line(line)), paths)}
            continue
        inherited = _inherited_routes(plan, line)
        if inherited:
            found[line] = inherited
    return found


def _unelided(text: str) -> str:
    return text.replace(".../", f"{ELIDED}/")


def _api_paths(text: str) -> list[tuple[int, str]]:
    """(offset, path) of each URL path on a line (`.../x/` read as `…/x/`, a file path is not one)."""
    return [
        (match.start(), match.group(1))
        for match in URL_PATH.finditer(_unelided(text))
        if re.search(r"[A-Za-z{<:]", match.group(1))
        and not match.group(1).startswith("//")
        and not re.search(r"\.[a-z]{1,4}$", match.group(1))
    ]


SAME_PATH = re.compile(r"\bsame\s+(?:path|url|route|endpoint)\b|\|\s*(?:the\s+)?same\s*(?:\||$)", re.IGNORECASE)
RELATIVE_PATH = re.compile(r"^[`*\s]*(?:on\s+)?`?((?:[<{:][^\s/`]*/?|[a-z][\w-]*/)+)")


def _inherited_routes(plan: ParsedPlan, line: int) -> set[tuple[str, tuple[str, ...]]]:
    """The routes a line naming methods but no path names by the path above it (`_endpoint_lines`)."""
    text = plan.line(line)
    methods = list(HTTP_METHOD.finditer(text))
    block = plan.block_at(line)
    opens = (
        block is not None
        and block.kind in ("list_item", "table_row")
        and line == block.start_line
        and re.match(r"[\s>|*+\d.)-]*[`*]*(?:GET|POST|PUT|PATCH|DELETE)\b", text) is not None
    )
    if not methods or not (opens or SAME_PATH.search(text)):
        return set()
    base = _section_path_before(plan, line)
    if base is None:
        return set()
    routes = set()
    for method in methods:
        relative = RELATIVE_PATH.match(text[method.end() :])
        tail = normalise_path(relative.group(1)) if relative and not SAME_PATH.search(text) else ()
        routes.add((method.group(1), base + tail))
    return routes


def _section_path_before(plan: ParsedPlan, line: int) -> tuple[str, ...] | None:
    """The last API path named above `line` in its section (none past a heading)."""
    path_lines, last_paths, heading_lines = plan.derive(("api paths by line",), lambda: _api_paths_by_line(plan))
    index = bisect_right(path_lines, line - 1) - 1
    if index < 0:
        return None
    heading_index = bisect_right(heading_lines, line - 1) - 1
    if heading_index >= 0 and heading_lines[heading_index] > path_lines[index]:
        return None
    return last_paths[index]


def _api_paths_by_line(plan: ParsedPlan) -> tuple[list[int], list[tuple[str, ...]], list[int]]:
    """The lines naming an API path (sorted), the last such path on each, and the heading lines: read once per plan."""
    path_lines, last_paths = [], []
    for line in plan.lines_matching(URL_PATH):
        paths = [normalise_path(path) for _, path in _api_paths(plan.line(line))]
        paths = [path for path in paths if path and ELIDED not in path]
        if paths:
            path_lines.append(line)
            last_paths.append(paths[-1])
    return path_lines, last_paths, sorted(heading.start_line for heading in plan.headings)


def method_paths(text: str, paths: list[tuple[int, str]]) -> Iterator[tuple[re.Match[str], str]]:
    """Each HTTP method in `text` with the path it names: the first of `paths` ((offset, path), in order)
    after it, else the last one."""
    starts = [position for position, _ in paths]
    for method in HTTP_METHOD.finditer(text):
        index = bisect_right(starts, method.start())
        yield method, paths[index][1] if index < len(paths) else paths[-1][1]


ROUTE = starting_with(re.compile(r"""\b(?:re_)?path\(\s*r?["']([^"']*)["']\s*,\s*([A-Za-z_]\w*)"""), "re_path", "path")
ROUTER_REGISTER = re.compile(r"""\.register\(\s*(?:prefix\s*=\s*)?r?["']([^"']*)["']\s*,\s*([A-Za-z_]\w*)""")
EXTRA_ACTION = re.compile(r"@action\((.*)")
# What DRF's generic views and viewsets serve: (method, on the detail route?) per base class word.
GENERIC_VIEW_ROUTES: dict[str, tuple[tuple[str, bool], ...]] = {
    "List": (("GET", False),),
    "Create": (("POST", False),),
    "Retrieve": (("GET", True),),
    "Update": (("PUT", True), ("PATCH", True)),
    "Destroy": (("DELETE", True),),
}
VIEWSET_ACTIONS = {
    "list": ("GET", False), "create": ("POST", False), "retrieve": ("GET", True),
    "update": ("PUT", True), "partial_update": ("PATCH", True), "destroy": ("DELETE", True),
}


Route = tuple[str, tuple[str, ...]]  # (method, normalised path)
BASES_LINES = 4  # a class's bases may run over this many lines after its `class` line


def _code_routes(plan: ParsedPlan) -> dict[int, dict[Route, Span | None]]:
    """Endpoints the plan defines only in code: `path("route", View)` and `router.register("prefix", ViewSet)`.

    For each route line: the (method, path) pairs it serves, each with the span of its handler
    in the plan (`def post(...)` and its body, which is then part of the endpoint: its status
    codes and response keys), or None when the method comes from a DRF generic base. The methods
    come from the view class as the plan writes it (its `def get/post…`, its `@action`s, or the
    generic base it names: `ListCreateAPIView`, `ModelViewSet`, …); a route whose view the plan
    does not show is not credited (its methods are unknown).
    """
    found: dict[int, dict[Route, Span | None]] = {}
    for regex, viewset in ((ROUTE, False), (ROUTER_REGISTER, True)):
        for match in plan.matches(regex):  # over the whole text: a call may spread over lines (`path(\n    "x/",\n    View`)
            route = normalise_path(match.group(1))
            if not route:
                continue
            line = plan.line_of_offset(match.start())
            for (method, detail, tail), span in _view_routes(plan, match.group(2), viewset).items():
                found.setdefault(line, {})[(method, route + (("{}",) if detail else ()) + tail)] = span
    return found


def _view_routes(plan: ParsedPlan, view: str, viewset: bool) -> dict[tuple[str, bool, tuple[str, ...]], Span | None]:
    """(method, on the detail route?, extra path segments) served by the class `view` as the plan
    defines it, each with its handler's span."""
    definition = plan.lines_matching(starting_with(re.compile(rf"\bclass\s+{re.escape(view)}\s*\("), "class"))
    if not definition:  # the class and its bases in running text: "`SLAPolicyViewSet(viewsets.ModelViewSet)` with …"
        definition = plan.lines_matching(re.compile(rf"`{re.escape(view)}\((?:\w+\.)*\w+(?:ViewSet|APIView|Mixin)\b"))
    if not definition:
        return {}
    line = definition[0]
    block = plan.block_at(line)
    header = "".join(plan.line(number) for number in range(line, min(line + BASES_LINES, len(plan.lines)) + 1))
    bases = header[header.find("(", header.find(view)) :]
    bases = bases[: bases.find(")") + 1 or None]  # bases may go on over lines: `class V(mixins.ListModelMixin,\n …)`
    routes: dict[tuple[str, bool, tuple[str, ...]], Span | None] = {}
    if viewset and re.search(r"\bModelViewSet\b", bases) and "ReadOnly" not in bases:
        routes |= {(method, detail, ()): None for method, detail in VIEWSET_ACTIONS.values()}
    elif viewset and "ReadOnlyModelViewSet" in bases:
        routes |= {("GET", False, ()): None, ("GET", True, ()): None}
    for base in re.findall(r"(\w+?)(?:APIView|ModelMixin)\b", bases):
        for word in _camel_parts(base):
            routes |= {(method, detail and viewset, ()): None for method, detail in GENERIC_VIEW_ROUTES.get(word, ())}
    if block is None or block.kind != "code":
        return routes
    body = _indented_span(plan, line, block)
    action: str | None = None
    for number in range(body[0] + 1, body[1] + 1):
        text = plan.line(number)
        decorator = EXTRA_ACTION.search(text)
        if decorator:
            action = decorator.group(1)
            continue
        named = re.match(r"\s*def\s+(\w+)\s*\(", text)
        if not named:
            continue
        handler = _indented_span(plan, number, block)
        name = named.group(1)
        if action is not None:
            methods = re.findall(r"""["'](get|post|put|patch|delete)["']""", action, re.IGNORECASE) or ["get"]
            url_path = re.search(r"""url_path\s*=\s*r?["']([^"']+)["']""", action)
            segment = (url_path.group(1) if url_path else name).strip("/").lower()
            detail = bool(re.search(r"detail\s*=\s*True", action))
            routes |= {(method.upper(), detail, (segment,)): handler for method in methods}
            action = None
        elif viewset and name in VIEWSET_ACTIONS:
            method, detail = VIEWSET_ACTIONS[name]
            routes[(method, detail, ())] = handler
        elif not viewset and name in ("get", "post", "put", "patch", "delete"):
            routes[(name.upper(), False, ())] = handler
    return routes


def _singular(word: str) -> str:
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("sses", "xes", "ches", "shes")):
        return word[:-2]
    if word.endswith("s") and not word.endswith("ss") and len(word) > 3:
        return word[:-1]
    return word


def _plural(word: str) -> str:
    if word.endswith("y") and word[-2:-1] not in ("a", "e", "i", "o", "u"):
        return word[:-1] + "ies"
    if word.endswith(("s", "x", "ch", "sh")):
        return word + "es"
    return word + "s"


def _resource_slugs(name: str, whole_name_only: bool = False) -> set[str]:
    """URL segments a resource named `name` may get: `WaitlistEntry` -> waitlist, waitlist-entries, entries, …
    (with `whole_name_only`, only the forms of every word: waitlist-entry, waitlist-entries, waitlist_entries, …)"""
    parts = [part.lower() for part in _camel_parts(name)]
    slugs = set()
    for start in range(1 if whole_name_only else len(parts)):
        for end in range(len(parts) if whole_name_only else start + 1, len(parts) + 1):
            words = parts[start:end]
            for last in {words[-1], _plural(words[-1])}:
                for separator in ("-", "_", ""):
                    slugs.add(separator.join([*words[:-1], last]))
    return slugs


def _endpoint_paths(endpoint: EndpointSpec, rubric: Rubric, places: dict[str, _ModelPlace]) -> set[tuple[str, ...]]:
    """The rubric path, plus the same path with each resource segment named after its model.

    A segment belongs to the rubric model whose name holds every word of it with the fewest other
    words (`/exports/` to `TaskExport`, `/recurring-schedules/` to `RecurringInvoiceSchedule`).
    When the segment holds the model's head noun (the last word: `exports` for `TaskExport`, not
    `alerts` for `AlertReceipt`, which is a receipt of an alert), it may be written as the rubric's
    name for the model in full (`task-exports` for `/exports/`). It may always be written after any
    name the plan uses for the
    model (`BlockedPeriod` -> `blocked-periods`, `periods`; a model found by its fields,
    `InvoiceSubscription` -> `invoice-subscriptions`).
    """
    path = normalise_path(endpoint.path)
    options: list[set[str]] = []
    for segment in path:
        choices = {segment}
        model = _segment_model(segment, rubric) if segment != "{}" else None
        if model is not None:
            if _singular(_camel_parts(model.name)[-1].lower()) in _segment_words(segment):
                choices |= _resource_slugs(model.name, whole_name_only=True)
            for name in places[model.id].names:
                choices |= _resource_slugs(name)
        options.append(choices)
    if options and path[-1] != "{}":
        options[-1] |= _purpose_slugs(endpoint, rubric)
    return set(product(*options))


# Words of an endpoint id that say what is done, not what is served: they never name the resource.
ACTION_WORDS = {
    "list", "create", "update", "delete", "destroy", "get", "retrieve", "detail", "edit", "set", "add", "remove",
    "show", "read", "write", "patch", "put", "post", "new", "all", "my", "me", "by", "for", "of", "with", "and",
}


def _purpose_slugs(endpoint: EndpointSpec, rubric: Rubric) -> set[str]:
    """Names the endpoint's id gives what it serves, as the closing resource segment: `course-calendar` may be
    served at `/schools/{}/calendar/` where the rubric writes `/schools/{}/courses/`. Only nouns of the id
    that no rubric path uses (those would be another endpoint's resource), and not verbs such as `list`."""
    used = {segment for other in rubric.endpoints for segment in normalise_path(other.path)}
    slugs: set[str] = set()
    for word in re.split(r"[-_]", endpoint.id.lower()):
        noun = _singular(word)
        if len(noun) < 3 or noun in ACTION_WORDS or {noun, _plural(noun)} & used:
            continue
        slugs |= {noun, _plural(noun)}
    return slugs


def _segment_words(segment: str) -> set[str]:
    return {_singular(word) for word in re.split(r"[-_]", segment) if word}


def _segment_model(segment: str, rubric: Rubric) -> ModelSpec | None:
    words = _segment_words(segment)
    candidates = []
    for model in rubric.models:
        model_words = {_singular(part.lower()) for part in _camel_parts(model.name)}
        if words and words <= model_words:
            candidates.append((len(model_words - words), model.id, model))
    candidates.sort(key=lambda candidate: candidate[:2])
    if not candidates or (len(candidates) > 1 and candidates[0][0] == candidates[1][0]):
        return None
    return candidates[0][2]


def _action_segment(path: tuple[str, ...], rubric: Rubric) -> str | None:
    """A path's closing action when it is distinctive: several words (`next-available`), not a resource."""
    if len(path) < 2 or path[-1] == "{}" or not re.search(r"[a-z][-_][a-z]", path[-1]):
        return None
    return None if _segment_model(path[-1], rubric) is not None else path[-1]


# A closing segment that names the caller's own instance of the resource before it.
OWN_RESOURCE_SEGMENTS = {"me", "mine", "self", "current", "my", "own"}


@dataclass(frozen=True)
class _EndpointMatcher:
    """Which (method, path) pairs of the plan are this rubric endpoint.

    - one of `paths` (`_endpoint_paths`);
    - one of them nested under a parent resource (`/projects/{id}/exports/{id}/` for `/exports/{id}/`);
    - one of them followed by a segment naming the caller's own instance (`/user-settings/me/`);
    - for a rubric path closing with a distinctive action (`/availability-slots/next-available/`),
      the same method and action on a path no longer than the rubric's (`/next-available/`,
      `/practitioners/next-available/`), unless another rubric endpoint closes with that action too.
    """

    method: str
    paths: frozenset[tuple[str, ...]]
    action: str | None
    length: int
    slugs: frozenset[int] = frozenset()  # positions of slug parameters, which an example fills with a word

    def matches(self, pair: tuple[str, tuple[str, ...]]) -> bool:
        method, path = pair
        if method != self.method:
            return False
        if self._fits(path):
            return True
        # the caller's own resource (`/user-settings/me/` for `/user-settings/`)
        return len(path) >= 2 and path[-1] in OWN_RESOURCE_SEGMENTS and self._fits(path[:-1])

    def _fits(self, path: tuple[str, ...]) -> bool:
        if path in self.paths or (len(path) >= 3 and path[1] == "{}" and path[2:] in self.paths):
            return True
        if any(_path_fits(path, option, self.slugs) for option in self.paths):
            return True
        return self.action is not None and len(path) <= self.length and bool(path) and path[-1] == self.action

    def any(self, pairs: set[tuple[str, tuple[str, ...]]]) -> bool:
        return any(self.matches(pair) for pair in pairs)


def _endpoint_matcher(endpoint: EndpointSpec, rubric: Rubric, places: dict[str, _ModelPlace]) -> _EndpointMatcher:
    path = normalise_path(endpoint.path)
    action = _action_segment(path, rubric)
    if action is not None:
        closing = [normalise_path(other.path)[-1:] for other in rubric.endpoints if other.id != endpoint.id]
        if (action,) in closing:
            action = None
    paths = frozenset(_endpoint_paths(endpoint, rubric, places))
    return _EndpointMatcher(endpoint.method, paths, action, len(path), _slug_positions(endpoint.path))


def _slug_positions(path: str) -> frozenset[int]:
    """Positions (in the normalised path) of parameters that hold a slug (`{slug}`, `<slug:school_slug>`): an
    example URL writes a word there (`/workspaces/acme/…`), where an id parameter gets a number or a UUID."""
    return frozenset(
        index
        for index, raw in enumerate(_path_segments(path))
        if "slug" in raw.lower() and re.fullmatch(PARAMETER_SEGMENT, raw, re.IGNORECASE)
    )


def _path_fits(path: tuple[str, ...], option: tuple[str, ...], slugs: frozenset[int]) -> bool:
    """The plan's path names the rubric path `option`, written in one of the ways plans shorten or fill it in:

    - a word in place of a slug parameter (`/workspaces/acme/projects/{}/views/`);
    - the leading part elided (`/…/views/{}/`, `.../views/{}/`), or any inner part (`/workspaces/…/views/`);
    - leading parent resources left out (`/projects/{}/views/` for `/workspaces/{}/projects/{}/views/`): the
      path keeps at least two segments and starts at one of the rubric's resource names.
    """
    if ELIDED not in path and len(path) >= 2 and path[0] != "{}":
        for start in range(1, len(option) - 1):
            if option[start] == path[0] and _segments_fit(path, 0, option[start:], 0, frozenset(i - start for i in slugs)):
                return True
    return _segments_fit(path, 0, option, 0, slugs)


def _segments_fit(path: tuple[str, ...], i: int, option: tuple[str, ...], j: int, slugs: frozenset[int]) -> bool:
    if i == len(path):
        return j == len(option)
    if path[i] == ELIDED:  # stands for one or more segments
        return any(_segments_fit(path, i + 1, option, k, slugs) for k in range(j + 1, len(option) + 1))
    if j == len(option):
        return False
    segment, wanted = path[i], option[j]
    if segment != wanted and not (wanted == "{}" and j in slugs and re.fullmatch(r"[a-z0-9][a-z0-9_-]*", segment)):
        return False
    return _segments_fit(path, i + 1, option, j + 1, slugs)


def _endpoint_scope(plan: ParsedPlan, line: int, other_endpoint_lines: list[int]) -> Span:
    """The anchor's heading section; or its block and what follows, up to a heading or a line naming another endpoint."""
    block = plan.block_at(line)
    if block is None:
        return line, line
    if block.kind == "heading":
        return plan.heading_span(block)
    ends = [following for following in (plan.next_heading_line(block.end_line), _next_after(other_endpoint_lines, block.end_line)) if following]
    end = min(ends) - 1 if ends else len(plan.lines)
    return block.start_line, max(end, block.end_line)


def _next_after(sorted_lines: list[int], line: int) -> int | None:
    index = bisect_right(sorted_lines, line)
    return sorted_lines[index] if index < len(sorted_lines) else None


def _api_field_forms(name: str) -> tuple[str, ...]:
    """A field as the plan may write it: snake_case, or camelCase in JSON examples (the API converts keys)."""
    head, *rest = name.split("_")
    camel = head + "".join(part[:1].upper() + part[1:] for part in rest)
    return (name,) if camel == name else (name, camel)


def _endpoint_items(
    plan: ParsedPlan,
    endpoint: EndpointSpec,
    matcher: _EndpointMatcher,
    endpoint_lines: dict,
    code_routes: dict[int, dict[Route, Span | None]],
    api_aliases: dict[str, tuple[str, ...]],
    field_blocks: dict[int, Span],
) -> list[ItemVerdict]:
    lines = sorted(endpoint_lines)
    anchors = [line for line in lines if matcher.any(endpoint_lines[line])]
    others = [line for line in lines if not matcher.any(endpoint_lines[line])]
    spans = [_endpoint_scope(plan, line, others) for line in anchors]
    spans += [
        handler
        for line in anchors
        for route, handler in code_routes.get(line, {}).items()
        if handler is not None and matcher.matches(route)
    ]
    scope = _lines_in(spans)
    field_scope = _lines_in(spans + [field_blocks[line] for line in anchors if line in field_blocks])
    label = f"{endpoint.method} {endpoint.path}"
    items = [_verdict(plan, endpoint.id, anchors[0] if anchors else None, f"endpoint {label}")]
    for code in endpoint.status_codes:
        code_regex = starting_with(re.compile(rf"(?<![\d.]){code}(?!\d|\.\d)"), str(code))
        line = _first_in(plan, code_regex, scope) if anchors else None
        if line is None and anchors:
            line = _global_status_line(plan, code_regex)
        items.append(_verdict(plan, f"{endpoint.id}.status.{code}", line, f"{label} returns {code}"))
    for kind, fields in (("request", endpoint.request_fields), ("response", endpoint.response_fields), ("query", endpoint.query_params)):
        for field in fields:
            forms = tuple(form for name in _reordered(field, api_aliases.get(field, ())) for form in _api_field_forms(name))
            regex = phrases_regex(forms)
            if kind == "query":
                line = _first_in(plan, regex, field_scope) if anchors else None
            else:
                line = _first_body_field_line(plan, regex, field_scope) if anchors else None
            items.append(_verdict(plan, f"{endpoint.id}.{kind}.{field}", line, f"{label} {kind} names `{field}`"))
    return items


# Where a name is a query parameter, not a request or response field: a URL's query string
# (`/api/time-off/?practitioner=3`) and a "filter(ed) by/on …" clause.
QUERY_TEXT = re.compile(r"\?[^\s`'\"|)]*|\bfilter(?:s|ed|ing)?\s+(?:by|on)\b[^().;:\n]*", re.IGNORECASE)


def _first_body_field_line(plan: ParsedPlan, regex: re.Pattern[str], scope_lines: list[int]) -> int | None:
    """First scope line naming the field outside query strings and filter clauses."""
    candidates = set(plan.lines_matching(regex))
    for line in scope_lines:
        if line in candidates and regex.search(QUERY_TEXT.sub(" ", plan.line(line))):
            return line
    return None


def _api_field_aliases(rubric: Rubric) -> dict[str, tuple[str, ...]]:
    """A request or response field that is a rubric model's field may carry that field's aliases: the API
    shows `visibility` where the rubric's model field `access` allows `visibility`."""
    aliases: dict[str, list[str]] = defaultdict(list)
    for model in rubric.models:
        for field in model.fields:
            aliases[field.name] += field.aliases
    return {name: tuple(dict.fromkeys(names)) for name, names in aliases.items() if names}


FIELD_LIST_CUE = re.compile(
    r"\b(?:requests?|responses?|body|bodies|payloads?|returns?|returned|take[sn]?|accepts?|fields?|items?)\b", re.IGNORECASE
)


def _fields_after_groups(plan: ParsedPlan, endpoint_lines: list[int]) -> dict[int, Span]:
    """For each endpoint line, the block right after its list or table of endpoints, when that block lists
    fields for them.

    "| GET | … |" rows (or "- `POST` …" items) on consecutive lines form a group; a paragraph or list
    item that follows the group directly, names no endpoint itself and speaks of requests or responses
    ("Response item: `id`, `name` …", "Create and update take `name`, …") is part of every endpoint of
    the group for its request and response fields (not for its status codes).
    """
    known = set(endpoint_lines)
    ends = _group_ends(plan, endpoint_lines)
    after_end: dict[int, Span | None] = {}
    found: dict[int, Span] = {}
    for line in endpoint_lines:
        block = plan.block_at(line)
        if block is None or block.kind not in ("table_row", "list_item"):
            continue
        end = ends[line]
        if end not in after_end:
            after_end[end] = _field_block_after(plan, end, known)
        if after_end[end] is not None:
            found[line] = after_end[end]
    return found


def _field_block_after(plan: ParsedPlan, end: int, known: set[int]) -> Span | None:
    following = end + 1
    while following <= len(plan.lines) and not plan.line(following).strip():
        following += 1
    if following > len(plan.lines) or following in known:
        return None
    after = plan.block_at(following)
    if after is None or after.kind not in ("paragraph", "list_item") or after.start_line != following:
        return None
    if any(number in known for number in range(after.start_line, after.end_line + 1)):
        return None
    if not FIELD_LIST_CUE.search(after.text):
        return None
    return after.start_line, after.end_line


def _group_ends(plan: ParsedPlan, endpoint_lines: list[int]) -> dict[int, int]:
    """For each endpoint line, the last line of its group: endpoint lines that follow each other directly
    (a list item spanning lines ends where its block does)."""
    known = set(endpoint_lines)
    ends: dict[int, int] = {}
    for line in sorted(endpoint_lines, reverse=True):
        block = plan.block_at(line)
        end = max(line, block.end_line) if block is not None else line
        ends[line] = ends.get(end + 1, end) if end + 1 in known else end
    return ends


def _first_in(plan: ParsedPlan, regex: re.Pattern[str], scope_lines: list[int]) -> int | None:
    """First line of the scope where `regex` matches (scopes are small: search them line by line, those
    that can hold a match)."""
    return plan.first_line_searching(regex, scope_lines)


def _global_status_line(plan: ParsedPlan, code_regex: re.Pattern[str]) -> int | None:
    """A status code stated for every endpoint at once ("all endpoints return 401 when ...")."""
    for line in plan.lines_matching(code_regex):
        block = plan.block_at(line)
        if GLOBAL_STATUS.search(plan.line(line)) or (block is not None and plan.block_fact(block, GLOBAL_STATUS, _says_globally)):
            return line
    return None


def _says_globally(block: Block) -> bool:
    return GLOBAL_STATUS.search(block.text) is not None


# --- tasks -----------------------------------------------------------------------------


def _name_tokens(name: str) -> list[str]:
    return [token[:-1] if token.endswith("s") and len(token) > 3 else token for token in name.split("_") if token]


def _nouns(name: str) -> set[str]:
    """A task name's words after its leading verb: `send_invoice_email` -> {invoice, email}."""
    tokens = _name_tokens(name)
    return set(tokens[1:] if tokens and tokens[0] in TASK_VERBS else tokens)


def _verb_first_names_in_task_context(plan: ParsedPlan) -> list[str]:
    """snake_case identifiers opening with a verb, on lines whose text, block or headings speak of tasks."""
    words_by_line: dict[int, list[str]] = {}  # a snake_case word never spans lines: the plan's matches, by line
    for match in plan.matches(SNAKE_WORD):
        words_by_line.setdefault(plan.line_of_offset(match.start()), []).append(match.group())
    found: dict[str, None] = {}  # ordered, and membership in O(1)
    for line, words in words_by_line.items():
        verb_first = [word for word in words if word not in found and _name_tokens(word)[0] in TASK_VERBS]
        if not verb_first:
            continue
        text = plan.line(line)
        if not TASK_CONTEXT.search(text):
            block = plan.block_at(line)
            if block is None or not plan.block_fact(block, TASK_CONTEXT, _speaks_of_tasks):
                continue
        found.update(dict.fromkeys(verb_first))
    return list(found)


def _speaks_of_tasks(block: Block) -> bool:
    return bool(TASK_CONTEXT.search(block.text) or any(TASK_CONTEXT.search(heading) for heading in block.section))


def _task_names(task: TaskSpec, all_tasks: list[TaskSpec], candidates: list[str]) -> list[str]:
    """The accepted names, plus candidate names (verb-first, in task context) holding the same nouns.

    `deliver_notification_emails` matches `send_notification_email`: the nouns
    {notification, email} are all there and it opens with a verb.
    """
    accepted = [task.name, *task.aliases]
    taken = {name for other in all_tasks if other.id != task.id for name in (other.name, *other.aliases)}
    nouns = _nouns(task.name)
    if not nouns:
        return accepted
    return accepted + [
        word for word in candidates if word not in accepted and word not in taken and nouns <= set(_name_tokens(word))
    ]


def _verb_family(name: str) -> str | None:
    tokens = _name_tokens(name)
    return next((family for family, verbs in TASK_VERB_FAMILIES.items() if tokens and tokens[0] in verbs), None)


def _introduced_as_task(plan: ParsedPlan, name: str) -> bool:
    """The plan presents `name` as a task: a signature `name(`, `def name`, "task `name`" / "`name` task",
    a heading or the first cell of a table row; not a field (`expires_at`) or a related_name value."""
    escaped = re.escape(name)
    if plan.lines_matching(
        starting_with(
            re.compile(rf"\b{escaped}\(|\bdef\s+{escaped}\b|(?i:task)s?:?\s+[`*]*{escaped}\b|\b{escaped}[`*]*\s+(?i:task)\b"),
            name, "def", "task",
        )
    ):
        return True
    for line in plan.lines_matching(_word_regex(name)):
        block = plan.block_at(line)
        if block is not None and block.kind == "heading":
            return True
        if block is not None and block.kind == "table_row" and block.cells and _word_regex(name).search(block.cells[0]):
            return True
    return False


def _task_triggers(task: TaskSpec, tasks: list[TaskSpec], task_names: dict[str, list[str]]) -> tuple[str, ...]:
    """The rubric's trigger phrases; one naming another rubric task (a fan-out's parent) also
    stands for the name the plan gives that task."""
    phrases = list(task.trigger)
    for other in tasks:
        if other.id != task.id and set(task.trigger) & {other.name, *other.aliases}:
            phrases += task_names[other.id]
    return tuple(dict.fromkeys(phrases))


def _renamed_tasks(
    plan: ParsedPlan, tasks: list[TaskSpec], task_names: dict[str, list[str]], candidates: list[str]
) -> dict[str, str]:
    """Tasks the plan names differently, recognised by role: {task id: the plan's name}.

    For a rubric task none of whose names (`_task_names`) the plan uses, a verb-first name in task
    context counts when its part of the plan states the rubric's trigger (`on_commit`, "daily beat
    entry") and the name shares the rubric name's kind of verb (`write_` for `generate_`, `purge_`
    for `delete_`) or one of its nouns. A name that fits two tasks equally well, or a task that two
    names fit equally well, is credited to none.
    """
    claimed = {name for names in task_names.values() for name in names}
    missing = [
        task for task in tasks
        if task.trigger and not any(plan.lines_matching(_word_regex(name)) for name in task_names[task.id])
    ]
    if not missing:
        return {}
    fits: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for word in candidates:
        if word in claimed or not _introduced_as_task(plan, word):
            continue
        tokens = set(_name_tokens(word))
        lines = plan.lines_matching(_word_regex(word))
        spans = [_task_scope(plan, line, claimed) for line in lines]
        blocks = [plan.block_at(line) for line in lines]
        scope = _lines_in(spans + [(b.start_line, b.end_line) for b in blocks if b is not None])
        scores = []
        for task in missing:
            shared = len(_nouns(task.name) & tokens) + (_verb_family(task.name) is not None and _verb_family(task.name) == _verb_family(word))
            triggers = _task_triggers(task, tasks, task_names)
            if shared and _first_in(plan, phrases_regex(triggers), scope) is not None:
                scores.append((shared, task.id))
        scores.sort(reverse=True)
        if scores and (len(scores) == 1 or scores[0][0] > scores[1][0]):
            fits[scores[0][1]].append((scores[0][0], word))
    renamed = {}
    for task_id, words in fits.items():
        words.sort(reverse=True)
        if len(words) == 1 or words[0][0] > words[1][0]:
            renamed[task_id] = words[0][1]
    return renamed


def _task_items(
    plan: ParsedPlan, task: TaskSpec, names: list[str], other_names: set[str], triggers: tuple[str, ...], only_task: bool
) -> list[ItemVerdict]:
    name_regexes = [_word_regex(name) for name in names]
    anchors = sorted({line for regex in name_regexes for line in plan.lines_matching(regex)})
    spans = [_task_scope(plan, line, other_names) for line in anchors]
    if anchors and only_task:
        spans += _the_task_spans(plan)
    scope = _lines_in(spans)
    label = task.name + (f" (or {', '.join(task.aliases)})" if task.aliases else "")
    items = [_verdict(plan, task.id, anchors[0] if anchors else None, f"Celery task {label}")]
    if task.trigger:
        trigger_regex = phrases_regex(triggers)
        mention_blocks = [plan.block_at(line) for line in anchors]
        mention_lines = _lines_in([(b.start_line, b.end_line) for b in mention_blocks if b is not None])
        line = _first_in(plan, trigger_regex, sorted(set(scope) | set(mention_lines))) if anchors else None
        items.append(_verdict(plan, f"{task.id}.trigger", line, f"{task.name} triggered by: {', '.join(task.trigger)}"))
    for flag, regex, what in (
        ("retry", RETRY, "states a retry strategy (max_retries, backoff, …)"),
        ("failure_handling", FAILURE, "says what happens when retries are exhausted"),
        ("idempotent", IDEMPOTENT, "says how re-running is safe (idempotency)"),
    ):
        if getattr(task, flag):
            line = _first_in(plan, regex, scope) if anchors else None
            items.append(_verdict(plan, f"{task.id}.{flag}", line, f"{task.name} {what}"))
    return items


# A heading about one of a task's properties, not about another part of the design.
TASK_PROPERTY_HEADING = re.compile(
    r"^\W*(?:\d+[.)]?\s*)?(?:retr(?:y|ies)|failures?|failure\s+handling|error\s+handling|idempoten\w*|dead[\s-]?letter|give\s+up|giving\s+up)\b",
    re.IGNORECASE,
)


def _task_scope(plan: ParsedPlan, line: int, other_names: set[str]) -> Span:
    """A task heading's section, with the sibling sections right after it that are about the task's
    retries, failure handling or idempotency ("### Failure handling and auto-disable", naming no other
    task); or the mentioning block and what follows, up to a heading or a block opening with another task."""
    block = plan.block_at(line)
    if block is None:
        return line, line
    if block.kind == "heading":
        start, end = plan.heading_span(block)
        while end < len(plan.lines):  # the task's own property sections right after it ("### Failure handling")
            sibling = plan.block_at(end + 1)
            if (
                sibling is None
                or sibling.kind != "heading"
                or sibling.level != block.level
                or not TASK_PROPERTY_HEADING.search(plain(sibling.text))
                or any(_word_regex(name).search(sibling.text) for name in other_names)
            ):
                break
            end = plan.heading_span(sibling)[1]
        return start, end
    following = plan.next_block_line(
        block.end_line, ("ends a task's span", frozenset(other_names)), lambda other: other.kind == "heading" or _opens_with(other, other_names)
    )
    end = len(plan.lines) if following is None else following - 1
    return block.start_line, max(end, block.end_line)


def _the_task_spans(plan: ParsedPlan) -> list[Span]:
    """With one Celery task in the rubric, blocks about "the task" in a Celery context are about it."""
    spans = []
    for block in plan.blocks:
        if block.kind in ("paragraph", "list_item", "table_row") and THE_TASK.search(block.text):
            if CELERY_CONTEXT.search(block.text) or any(CELERY_CONTEXT.search(heading) for heading in block.section):
                spans.append((block.start_line, block.end_line))
    return spans


def _opens_with(block: Block, names: set[str]) -> bool:
    opening = re.match(r"[\w.]+", plain(block.first_line_text))
    return bool(opening) and opening.group(0).split(".")[-1] in names


# --- concepts (migrations, edge cases, decisions) --------------------------------------


def _foreign_models(plan: ParsedPlan, rubric: Rubric) -> list[str]:
    """New models the plan introduces that the request does not ask for, when it designs no rubric entity.

    Called only when no model, endpoint or task of the rubric was found and the plan states fewer than half
    of the rubric's concepts (a plan stating most of them answers the request, whatever it calls its
    models, and an entity the grader missed must not cost it its concepts too). A CamelCase name counts when the
    plan presents it as a new model (`class X(`, `CreateModel`, "a new `X`", "Model: `X`", "add an X
    model"), it is not machinery (`…Serializer`, `…View`), the rubric never mentions it (its entities,
    fields, descriptions and phrases: an existing model the request builds on, such as `Student`, is
    named there) and it does not share its head noun with a rubric model (`Course` for `SchoolCourse`).
    Such a plan answers another request: the edge cases and decisions it states are about that feature
    (its migration is another table's, its "guests may read" another resource's), so the rubric's
    concept items are not credited. With no rubric entity in the rubric, nothing is withheld.
    """
    if not (rubric.models or rubric.endpoints or rubric.tasks):
        return []
    mentioned = _rubric_text(rubric)
    heads = {_singular(_camel_parts(name)[-1].lower()) for model in rubric.models for name in (model.name, *model.aliases)}
    found = []
    for name in sorted({match.group(1) or match.group(2) for match in IDENTIFIER_NAME.finditer(plan.text)}):
        if NOT_A_MODEL_NAME.search(name) or NOT_A_NEW_MODEL.search(name) or name in TYPE_SYNONYMS or not _camel_parts(name):
            continue
        if re.search(rf"(?<![A-Za-z0-9_]){re.escape(name)}(?![A-Za-z0-9_])", mentioned):
            continue
        if _singular(_camel_parts(name)[-1].lower()) in heads:
            continue
        if plan.lines_matching(_new_model_regex(name)):
            found.append(name)
    return found


def _rubric_text(rubric: Rubric) -> str:
    parts: list[str] = []
    for model in rubric.models:
        parts += [model.name, *model.aliases] + [name for field in model.fields for name in (field.name, *field.aliases)]
    for endpoint in rubric.endpoints:
        parts.append(endpoint.path)
    for task in rubric.tasks:
        parts += [task.name, *task.aliases, *task.trigger]
    for concept in [*rubric.migrations, *rubric.edge_cases, *rubric.decisions]:
        parts += [concept.description] + [phrase for group in concept.all_of for phrase in group]
    return "\n".join(parts)


@lru_cache(maxsize=1024)
def _new_model_regex(name: str) -> re.Pattern[str]:
    """Phrasings that introduce `name` as a new model (not "a field on `Name`", which changes an existing one)."""
    escaped = re.escape(name)
    fmt = r"[`*_]{0,3}"
    return re.compile(
        rf"\bclass\s+{escaped}\s*\("
        rf"|\bCreateModel\b\W*(?:name\W*)?{escaped}(?![A-Za-z0-9_])"
        rf"|\b(?i:new)\s+{fmt}{escaped}{fmt}\s+(?i:model|table)\b|\b(?i:new\s+(?:model|table))\s*:?\s*{fmt}{escaped}(?![A-Za-z0-9_])"
        rf"|\b(?i:model|table)\s*:\s*{fmt}{escaped}(?![A-Za-z0-9_])"
        rf"|\b(?i:add|create|introduce|define)s?\s+(?i:an?\s+)(?i:new\s+)?{fmt}{escaped}{fmt}\s+(?i:model|table)\b"
    )


def _concept_item(plan: ParsedPlan, concept: ConceptSpec, match: PhraseMatch | None, foreign_models: list[str]) -> ItemVerdict:
    if match and foreign_models:
        where = f"line {match.line} (\"{clip(plan.line(match.line).strip(), 120)}\")"
        return _verdict(
            plan,
            concept.id,
            None,
            f"{concept.description} — the phrases appear at {where}, but the plan designs another feature: it introduces"
            f" {', '.join(f'`{name}`' for name in foreign_models)} and none of the rubric's models, endpoints or tasks",
        )
    if match:
        return _verdict(plan, concept.id, match.line, concept.description)
    return _verdict(plan, concept.id, None, f"{concept.description} — {_concept_miss(plan, concept.all_of)}")


def _concept_miss(plan: ParsedPlan, groups) -> str:
    """Why a concept item is not met: the block that matched the most phrase groups (its line and text), and
    which groups it matched and which it did not; or the groups no line of the plan matches at all."""
    patterns = [phrases_regex(tuple(group)) for group in groups]
    hits = [plan.lines_matching(pattern) for pattern in patterns]
    label = [f"[{' / '.join(group[:3])}{' / …' if len(group) > 3 else ''}]" for group in groups]
    absent = [label[index] for index, lines in enumerate(hits) if not lines]
    best: tuple[int, int, list[int]] | None = None
    for unit in plan.units:
        if unit.kind == "section":
            continue
        matched = [index for index, lines in enumerate(hits) if any_between(lines, unit.start_line, unit.end_line)]
        if matched and (best is None or len(matched) > len(best[2])):
            best = (unit.start_line, unit.end_line, matched)
    if best is None:
        return f"no phrase of any group appears in the plan: {', '.join(label)}"
    start, end, matched = best
    line = plan.best_line([patterns[index] for index in matched], start, end)
    missing = [label[index] for index in range(len(groups)) if index not in matched]
    why = (
        f"closest block line {line} (\"{clip(plan.line(line).strip(), 120)}\") matches {', '.join(label[index] for index in matched)}"
        f" but not {', '.join(missing)}"
    )
    if absent:
        why += f"; nowhere in the plan: {', '.join(absent)}"
    return why


@dataclass(frozen=True)
class CompletenessVerdict:
    score: float
    items: tuple[ItemVerdict, ...]

    @property
    def explanation(self) -> str:
        met = sum(item.met for item in self.items)
        return f"{met}/{len(self.items)} rubric checks met (score {self.score:.2f}, each rubric entry weighs the same)"


def grade_completeness(plan: ParsedPlan, rubric: Rubric) -> CompletenessVerdict:
    items = check_completeness(plan, rubric)
    return CompletenessVerdict(completeness_score(items), tuple(items))
