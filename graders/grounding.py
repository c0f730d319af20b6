"""Grounding: does the plan refer to things the repo really has?

Every reference the plan makes to the repo is looked up in the repo's symbol table
(`graders/repo_facts.py`, built by `ast`; Django is never imported). A reference is a
**hallucination** only when the plan presents it as existing, the repo does not have it,
and the plan does not propose it as new. Precision comes first: a good plan must not lose
points for something it proposes, so anything the plan defines anywhere (a field in a
table, a function in a list item, a name after "add"/"new") is exempt, and a negated
mention ("there is no `Team` model") presents nothing.

Reference forms and when they count as presented-as-existing:

- always (unless cued as new or negated): `Model.attr` on a repo model, `Model.objects.method`,
  `app_label.Model`, `settings.NAME`, `package.module.symbol` inside an existing repo module;
- only with an existing-cue ("the existing `Team` model", "extend `TaskSerializer`", "update
  `backend/work/views.py`", a `path.py:42` line number): file paths, model and class names,
  app labels, Celery task names, setting names, URL names, methods and fields.

A reference that resolves counts as verified. The score is verified / (verified + hallucinated),
counting distinct references; 1.0 when the plan refers to nothing in the repo.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, TypeVar

from archbench.graders.conventions import (
    NEW_CUE,
    PlanProposals,
    mention_cue,
    plan_proposals,
)
from archbench.graders.plan import ParsedPlan, starting_with
from archbench.graders.repo_facts import (
    ModelFacts,
    RepoFacts,
    celery_settings,
    django_model_api,
    installed_package_dir,
    repo_facts,
)
from archbench.graders.verdicts import ItemVerdict, clip

if TYPE_CHECKING:
    from archbench.core.scenarios import Scenario

DIMENSION = "grounding"
T = TypeVar("T")

MODEL_ATTRIBUTE = re.compile(
    r"(?<![\w./])(?:[a-z_][a-z0-9_]*\.)?(?P<model>[A-Z][A-Za-z0-9]*)\.(?P<attr>[A-Za-z_][A-Za-z0-9_]*)(?P<rest>(?:\.[A-Za-z_]\w*)?)(?![\w])"
)
APP_MODEL = re.compile(r"(?<![\w./])(?P<app>[a-z_][a-z0-9_]*)\.(?P<name>[A-Z][A-Za-z0-9]*)(?![\w])")
MODULE_SYMBOL = re.compile(r"(?<![\w./])(?P<path>[a-z_][a-z0-9_]*(?:\.[a-z_][a-z0-9_]*)+)\.(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?![\w.])")
SETTING = re.compile(r"(?<![\w.])settings\.(?P<name>[A-Z][A-Z0-9_]*)(?![\w])")
FILE_PATH = re.compile(
    r"(?<![\w/.<{-])(?P<path>(?:[\w.-]+/)+[\w-]+\.(?:py|html|txt|yaml|yml|json|toml|cfg|ini|md|vue|ts|js|css|scss|sh))"
    r"(?P<line>:\d+)?(?![\w/])"
)
BACKTICKED_NAME = re.compile(r"`(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:\([^)`]*\))?`")
NAMED_THING = re.compile(
    r"\s*(?P<kind>models?|apps?|tasks?|settings?|methods?|functions?|helpers?|fields?|propert(?:y|ies)|managers?|querysets?|class(?:es)?|serializers?|views?|viewsets?|permissions?|url\s+names?)\b",
    re.IGNORECASE,
)
URL_NAME = re.compile(r"reverse\(\s*['\"](?P<name>[\w.:-]+)['\"]|url\s+name\s+`(?P<named>[\w.:-]+)`", re.IGNORECASE)
URL_NAME_CUE = starting_with(re.compile(r"reverse|url", re.IGNORECASE), "reverse", "url")  # on every line URL_NAME matches
DEFINITION_LEAD = re.compile(
    r"^[\s*]*(?:\d+(?:\.\d+)*[.)]?\s+)?(?:[A-Za-z][\w -]{0,30}:\s*)?[*]*`(?:[\w.]+\.)?(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:\([^)`]*\))?`"
)
BEHAVIOUR_VERB = (
    r"sets|returns|creates|raises|marks|computes|sends|updates|checks|validates|builds|records|accepts|takes|gains"
    r"|does|runs|registers|queues|deletes|fills|copies|stores|loads|picks|wraps|yields|filters|annotates"
)
DEFINITION_SHAPE = re.compile(
    r"`(?:[\w.]+\.)?(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?P<call>\((?P<args>[^)`]*)\))?`"
    r"(?P<after>\s*(?::\s|—|–|\(\s*(?:[A-Z]\w*Field|ForeignKey|FK|M2M)\b|:\s*(?:[A-Z]\w*Field|ForeignKey)\b|(?:"
    + BEHAVIOUR_VERB
    + r")\b))?"
)
CELERY_SETTING = re.compile(r"^CELERY_")
DOTTED_PATH = re.compile(r"(?<![\w./:@-])(?P<path>[a-z_][a-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)+)(?![\w/(-]|\.\w)")
# `(?<=[a-z0-9_])\.[A-Za-z_]`, which every DOTTED_PATH match holds, opening with the dot so that `re` skips to dots
_DOTTED_PATH_DOT = re.compile(r"\.(?<=[a-z0-9_]\.)[A-Za-z_]")
MODULE_WORDS = frozenset(
    {
        "models", "views", "viewsets", "serializers", "permissions", "services", "selectors", "tasks", "api", "apis",
        "pagination", "urls", "signals", "emails", "email", "admin", "filters", "utils", "apps", "tests", "factories",
        "managers", "querysets", "constants", "choices", "exceptions", "errors", "sms", "forms", "validators", "mixins",
        "helpers", "receivers", "handlers", "enums", "celery", "routers", "notifications", "webhooks", "audit", "common",
    }
)
"""Module names Django projects use: a dotted path through one of them (`core.pagination.X`, `workspaces.permissions`)
names a module of the repo, not an attribute of a variable (`slot.duration_minutes`)."""
MODULE_FILES = frozenset(
    {
        "models", "views", "viewsets", "serializers", "permissions", "services", "selectors", "tasks", "apis",
        "pagination", "urls", "signals", "emails", "admin", "filters", "utils", "factories", "managers", "querysets",
        "constants", "exceptions", "forms", "validators", "mixins", "helpers", "receivers", "handlers", "enums", "routers",
    }
)
"""Module names that, last in a dotted path (`workspaces.permissions`), name a module rather than a field."""
FRONTEND_SUFFIXES = frozenset({"vue", "ts", "js", "tsx", "jsx", "css", "scss"})
PROJECT_FILES = frozenset({"settings.py", "wsgi.py", "asgi.py", "celery.py", "manage.py"})
FILE_SUFFIXES = frozenset({"py", "html", "txt", "yaml", "yml", "json", "toml", "cfg", "ini", "md", "vue", "ts", "js", "css", "scss", "sh", "com", "org", "io", "net"})
FRAMEWORK_PACKAGES = frozenset({"django", "rest_framework", "celery", "kombu", "django_filters", "djangorestframework_camel_case"})
FRAMEWORK_ALIASES = frozenset(
    {
        "models", "transaction", "timezone", "serializers", "viewsets", "generics", "mixins", "status", "permissions",
        "pagination", "filters", "exceptions", "signals", "forms", "validators", "routers", "fields", "cache", "mail",
        "response", "decorators", "admin", "migrations", "functions", "postgres", "shared_task", "app",
    }
)
"""Django/DRF/Celery modules a plan names by their import alias (`models.Model`, `transaction.on_commit`)."""
IMPORT_NAMES = {"djangorestframework": "rest_framework", "django_cors_headers": "corsheaders", "psycopg2_binary": "psycopg2", "pyjwt": "jwt"}
"""Distribution name → import name, where they differ in a way the name does not show."""
THIRD_PARTY_PREFIXES = ("django_", "drf_", "rest_framework_", "djangorestframework_")
REUSED_CLASS = re.compile(
    r"`(?:[\w.]+\.)?(?P<name>(?:Is|Has|Can)[A-Z][A-Za-z0-9]*|[A-Z][A-Za-z0-9]*(?:Permission|Pagination|Paginator|Mixin|FilterSet))`"
)
"""Permission, pagination, mixin and filter classes named for reuse (backticked). Serializers are left out: plans
define new ones by name far more often than they reuse one, so a bare serializer name is only checked when cued."""
CLASS_SIGNATURE = re.compile(r"`(?:class\s+)?(?P<name>[A-Z][A-Za-z0-9_]*)\((?P<bases>[A-Z][\w.]*(?:\s*,\s*[A-Za-z][\w.]*)*)\)`?")
CLASS_ATTRIBUTE_LIST = re.compile(
    r"(?P<attr>permission_classes|authentication_classes|filter_backends|pagination_class|filterset_class)\s*=\s*[\[(]?(?P<names>[A-Z][\w.]*(?:\s*,\s*[A-Z][\w.]*)*)"
)
OBJECTS_OF = re.compile(r"(?<![\w.])(?P<model>[A-Z][A-Za-z0-9]*)\.objects\.(?P<method>[a-z_]\w*)")
STDLIB = frozenset(__import__("sys").stdlib_module_names)
NEW_CUE_WORD = starting_with(
    re.compile(r"\b(?:" + NEW_CUE + r")\b", re.IGNORECASE),
    "new", "add", "creat", "introduc", "defin", "propos", "another", "extra", "becomes",
)


@dataclass(frozen=True)
class Reference:
    kind: str
    name: str
    line: int
    presented_as_existing: bool
    resolved: str | None
    """Where the repo has it (`backend/work/models.py:57`), or None."""
    origin: str = "repo"
    """`repo` (scored), `framework` (Django/DRF/Celery/stdlib or an installed package: resolves, not scored) or
    `unknown` (plausibly a third-party package archbench cannot read: never invented, not scored)."""
    why: str = ""
    """For an invented reference: what is missing (`package core does not exist in the repo`)."""


@dataclass
class GroundingVerdict:
    score: float
    items: list[ItemVerdict]
    references: int
    hallucinations: int
    explanation: str
    unknown: tuple[Reference, ...] = ()
    """Assumed references archbench cannot check (a third-party app that is not installed here): not scored."""
    framework_references: int = 0
    """Distinct Django/DRF/Celery/stdlib names the plan builds on: they resolve but say nothing about this repo."""


def check_grounding(plan: ParsedPlan, scenario: "Scenario") -> GroundingVerdict:
    """Hallucinated repo references in the plan, with the line of each (dimension "grounding")."""
    return grounding_verdict(plan, repo_facts(scenario.repo_path, scenario.repo_config.layout))


def grounding_verdict(plan: ParsedPlan, facts: RepoFacts, proposals: PlanProposals | None = None) -> GroundingVerdict:
    proposals = proposals or plan_proposals(plan, facts)
    context = _Context(plan, facts, _defined_names(plan, facts, proposals))
    first: dict[tuple[str, str], Reference] = {}
    for reference in context.references():
        key = (reference.kind, reference.name)
        known = first.get(key)
        if known is None or (_is_hallucination(reference) and not _is_hallucination(known)):
            first[key] = reference
    order = lambda reference: (reference.line, reference.kind, reference.name)  # noqa: E731
    checked = sorted(
        (reference for reference in first.values() if reference.origin == "repo" and (reference.resolved or _is_hallucination(reference))),
        key=order,
    )
    unknown = sorted((reference for reference in first.values() if reference.origin == "unknown" and reference.presented_as_existing), key=order)
    framework = sum(1 for reference in first.values() if reference.origin == "framework")
    items = [_item(plan, reference) for reference in checked]
    hallucinated = [reference for reference in checked if not reference.resolved]
    score = 1.0 if not checked else (len(checked) - len(hallucinated)) / len(checked)
    return GroundingVerdict(
        score=score,
        items=items,
        references=len(checked),
        hallucinations=len(hallucinated),
        explanation=_explanation(checked, hallucinated, unknown, framework),
        unknown=tuple(unknown),
        framework_references=framework,
    )


def _is_hallucination(reference: Reference) -> bool:
    return reference.resolved is None and reference.presented_as_existing and reference.origin == "repo"


def _item(plan: ParsedPlan, reference: Reference) -> ItemVerdict:
    if reference.resolved:
        description = f"{reference.kind} {reference.name} exists ({reference.resolved})"
    else:
        description = f"{reference.kind} {reference.name} is presented as existing but is not in the repo and the plan does not propose it"
        if reference.why:
            description += f" ({reference.why})"
    return ItemVerdict(
        f"{reference.kind}:{reference.name}", DIMENSION, bool(reference.resolved), clip(plan.line(reference.line).strip()), reference.line, description
    )


def _explanation(checked: list[Reference], hallucinated: list[Reference], unknown: list[Reference] = (), framework: int = 0) -> str:  # type: ignore[assignment]
    aside = ""
    if framework:
        aside += f" {framework} Django/DRF/Celery name(s) resolve and are not scored."
    if unknown:
        names = "; ".join(f"`{reference.name}` (line {reference.line})" for reference in unknown[:5])
        aside += f" Unknown, not scored (a third-party package that is not installed here): {names}."
    if not checked:
        return "The plan refers to nothing in the repo that could be checked." + aside
    summary = f"{len(checked) - len(hallucinated)} of {len(checked)} assumed repo references resolve"
    if not hallucinated:
        return summary + "; no hallucinated references." + aside
    listed = "; ".join(f"{reference.kind} `{reference.name}` (line {reference.line})" for reference in hallucinated[:8])
    more = f" and {len(hallucinated) - 8} more" if len(hallucinated) > 8 else ""
    return f"{summary}; not in the repo: {listed}{more}.{aside}"


# --- what the plan itself defines ---------------------------------------------------------------


# A beat schedule entry's task (`"task": "helpdesk.tasks.check_sla_deadlines"`, `task="app.tasks.sweep"`): the
# plan schedules it, so it is the plan's own task when the repo does not have it, not an invented reference.
SCHEDULED_TASK = starting_with(
    re.compile(r"""\btask["']?\s*[:=]\s*["'](?:[A-Za-z_]\w*\.)+(?P<name>[A-Za-z_]\w*)["']"""), "task"
)


def _defined_names(plan: ParsedPlan, facts: RepoFacts, proposals: PlanProposals) -> frozenset[str]:
    """Names the plan introduces: everything `plan_proposals` found, leading identifiers of headings,
    list items and table rows (where plans define things), names cued as new, and members of
    classes the repo does not have (`NotificationQuerySet.unread`)."""
    names = set(proposals.defined) | set(proposals.apps) | set(proposals.changed_tasks)
    for proposed in proposals.fields:
        # the field's own words, not the repo things it points at (`FK accounts.Organization`, "scheduling.Task")
        names.update(re.findall(r"[A-Za-z_]\w*", re.sub(r"\b[a-z_]\w*(?:\.\w+)+", " ", proposed.text)))
    for block in plan.blocks:
        if block.kind in ("heading", "list_item") or (block.kind == "paragraph" and block.first_line_text.startswith("**`")):
            lead = DEFINITION_LEAD.match(block.first_line_text)
            if lead:
                names.add(lead.group("name"))
        elif block.kind == "table_row" and block.cells and block.cells != block.header:
            cell = block.cells[0].strip().strip("`* ")
            names.update(part for part in re.split(r"[\s/,]+", cell) if re.fullmatch(r"[A-Za-z_]\w*", part))
    for line in plan.lines_matching(NEW_CUE_WORD):
        text = plan.line(line)
        for match in re.finditer(r"`(?P<body>[^`\n]+)`", text):
            if mention_cue(plan, line, text, match.start(), match.end()) == "new":
                body = match.group("body")
                if "/" in body:
                    names.add(body)  # a new file: its path, not the folders it sits in
                    continue
                names.update(re.findall(r"[A-Za-z_]\w*", body.split("(")[0]))
                names.update(re.findall(r"\b([A-Z][A-Z0-9_]+)\s*=", body))
    for match in plan.matches(SCHEDULED_TASK):
        names.add(match.group("name"))  # a task the plan schedules is one it has or adds
    for match in DEFINITION_SHAPE.finditer(plan.text):
        args = match.group("args") or ""
        defines_class = bool(args) and re.fullmatch(r"(?:[a-z_]\w*\.)*[A-Z][\w.]*(?:\s*,\s*(?:[a-z_]\w*\.)*[A-Z][\w.]*)*", args.strip()) is not None
        if match.group("after") or defines_class:
            names.add(match.group("name"))
    return frozenset(names | _names_in_text(plan, facts))


def _names_in_text(plan: ParsedPlan, facts: RepoFacts) -> set[str]:
    """Members of classes the repo does not have, constants and backticked names assigned, classes and functions
    in code sketches, models placed in a models module. Each pattern matches within one line (whitespace but
    `\\n`), so one search of the whole text finds what a search of each line would."""
    names: set[str] = set()
    text = plan.text
    for match in _CLASS_MEMBER.finditer(text):
        if match.group("owner") not in facts.classes and facts.model(match.group("owner")) is None:
            names.add(match.group("member"))
    names.update(match.group("name") for match in _CONSTANT_ASSIGNED.finditer(text))
    names.update(match.group("name") for match in _BACKTICKED_ASSIGNED.finditer(text))
    names.update(match.group("name") for match in _CLASS_OR_DEF.finditer(text))  # defined in a code sketch
    for model in _BACKTICKED_CLASS_NAME.finditer(text):
        number = plan.line_of_offset(model.start())
        line_text, offset = plan.lines[number - 1], plan.line_start(number)
        start, end = model.start() - offset, model.end() - offset
        placed = "models.py" in line_text or _MODELS_WORD.search(line_text[end : end + 12])
        if placed and facts.model(model.group("name")) is None and mention_cue(plan, number, line_text, start, end) is None:
            names.add(model.group("name"))  # `TreatmentCourse` in `scheduling/models.py`: a model the plan places
    return names


# `[A-Z](?<![\w.][A-Z])` is `(?<![\w.])[A-Z]` (at the text's start too: the look-behind needs two characters),
# written so that `re` skips to capitals instead of trying the look-behind at every offset.
_CLASS_MEMBER = re.compile(r"(?P<owner>[A-Z](?<![\w.][A-Z])[A-Za-z0-9]*)\.(?P<member>[a-z_][a-z0-9_]*)")
_CONSTANT_ASSIGNED = re.compile(r"(?P<name>[A-Z](?<!\w[A-Z])[A-Z0-9_]{2,})[^\S\n]*(?:=|:)[^\S\n]*(?!:)")  # `\b` before a capital
_BACKTICKED_ASSIGNED = re.compile(r"`(?:class[^\S\n]+)?(?P<name>[A-Z]\w*)[^\S\n]*=[^=\n]")
_CLASS_OR_DEF = re.compile(r"(?:c(?<!\wc)lass|d(?<!\wd)ef)[^\S\n]+(?P<name>[A-Za-z_]\w*)")  # `\b(?:class|def)`
_BACKTICKED_CLASS_NAME = re.compile(r"`(?P<name>[A-Z][A-Za-z0-9]*)`")
_MODELS_WORD = re.compile(r"\bmodels?\b")


# --- the references -------------------------------------------------------------------------------


def _lines_with(plan: ParsedPlan, names: tuple[str, ...]) -> set[int]:
    """Lines where one of `names` is followed by a dot (names hold no line break)."""
    return set(plan.lines_matching(_dotted(tuple(sorted(set(names)))))) if names else set()


@lru_cache(maxsize=64)
def _dotted(names: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile("|".join(re.escape(f"{name}.") for name in names))


def _per_repo(read: Callable[["_Context"], T]) -> property:
    """A `_Context` property read from the repo's facts alone (its folders, packages, app labels): computed once
    per repo and kept with its facts, not once per plan (a plan gets a new `_Context`)."""
    key = ("grounding", read.__name__)
    return property(lambda self: self.facts.derive(key, lambda: read(self)))


@dataclass
class _Context:
    plan: ParsedPlan
    facts: RepoFacts
    defined: frozenset[str]

    def references(self) -> Iterator[Reference]:
        """Every reference, line by line. Each form is only looked for on lines holding what it needs
        (a repo model's name and a dot for `Model.attr`, a `/` for a path, …): the same references, found faster."""
        plan, facts = self.plan, self.facts
        model_lines = _lines_with(plan, tuple(facts.models_by_name))
        app_lines = _lines_with(plan, (*facts.apps, *(model.app for model in facts.external_models)))
        url_lines = set(plan.lines_matching(URL_NAME_CUE))
        dotted_lines = set(plan.lines_matching(_DOTTED_PATH_DOT))  # no other line holds a DOTTED_PATH match
        for line, text in enumerate(plan.lines, start=1):
            if not text.strip():
                continue
            if line in model_lines:
                yield from self._model_attributes(line, text)
            if line in app_lines:
                yield from self._app_models(line, text)
            if "." in text:
                if line in dotted_lines:
                    yield from self._dotted_paths(line, text)
                if ".objects." in text:
                    yield from self._objects_of_unknown_models(line, text)
            if "`" in text or "_class" in text:
                yield from self._reused_classes(line, text)
            if "settings." in text:
                yield from self._settings(line, text)
            if "/" in text:
                yield from self._files(line, text)
            if "`" in text:
                yield from self._named_things(line, text)
            if line in url_lines:
                yield from self._url_names(line, text)

    def _reference(self, kind: str, name: str, line: int, text: str, match: re.Match[str], strong: bool, resolved: str | None, exempt_names: tuple[str, ...]) -> Reference:
        if any(part in self.defined for part in exempt_names):
            return Reference(kind, name, line, False, resolved)
        cue = mention_cue(self.plan, line, text, match.start(), match.end())
        presented = cue not in ("new", "negated") and (strong or cue == "existing")
        return Reference(kind, name, line, presented, resolved)

    # always checked

    def _model_attributes(self, line: int, text: str) -> Iterator[Reference]:
        for match in MODEL_ATTRIBUTE.finditer(text):
            model = self.facts.model(match.group("model"))
            if model is None:
                continue
            attr = match.group("attr")
            if attr == "objects" and match.group("rest"):
                method = match.group("rest")[1:]
                name = f"{model.name}.objects.{method}"
                resolved = self._manager_method(model, method)
                yield self._reference("manager-method", name, line, text, match, True, resolved, (method,))
                continue
            resolved = self._model_attribute(model, attr)
            called = text[match.end() : match.end() + 1] == "("
            yield self._reference("model-attribute", f"{model.name}.{attr}", line, text, match, not called, resolved, (attr,))

    def _model_attribute(self, model: ModelFacts, attr: str) -> str | None:
        if attr in model.fields:
            return f"{model.fields[attr].type} on {model.label}, {model.file}:{model.fields[attr].line}"
        if attr in model.reverse_relations:
            return f"reverse relation of {model.reverse_relations[attr]}"
        if model.has_attribute(attr) or attr in ("Meta", "_meta"):
            return f"attribute of {model.label}, {model.file}:{model.line}"
        if attr in django_model_api():
            return "Django model API"
        base = re.fullmatch(r"(?P<field>\w+)_id", attr) or re.fullmatch(r"get_(?P<field>\w+)_display", attr)
        if base and base.group("field") in model.fields:
            return f"derived from field {model.label}.{base.group('field')}"
        return None

    def _manager_method(self, model: ModelFacts, method: str) -> str | None:
        """Django's queryset API, else the model's own `<Model>QuerySet`/`<Model>Manager`, else a queryset
        or manager class in the model's module, else in any module (a loose last resort)."""
        if method in django_model_api():
            return "Django queryset API"
        managers = [cls for name, group in self.facts.classes.items() if name.endswith(("QuerySet", "Manager")) for cls in group]
        preferences = (
            lambda cls: cls.name in (f"{model.name}QuerySet", f"{model.name}Manager"),
            lambda cls: cls.module == model.module,
            lambda cls: True,
        )
        for preferred in preferences:
            for cls in managers:
                if preferred(cls) and method in cls.attributes:
                    return f"{cls.name}.{method}, {cls.file}:{cls.line}"
        return None

    def _app_models(self, line: int, text: str) -> Iterator[Reference]:
        labels = set(self.facts.apps) | {model.app for model in self.facts.external_models}
        for match in APP_MODEL.finditer(text):
            app, name = match.group("app"), match.group("name")
            if app not in labels:
                continue
            model = self.facts.model(name, app)
            if model is not None:
                resolved = f"{model.label}, {model.file}:{model.line}"
            else:
                module = self.facts.apps[app].module if app in self.facts.apps else app
                classes = [cls for cls in self.facts.classes.get(name, ()) if cls.module == module or cls.module.startswith(f"{module}.")]
                resolved = f"{classes[0].module}.{name}, {classes[0].file}:{classes[0].line}" if classes else None
            yield self._reference("app-model", f"{app}.{name}", line, text, match, True, resolved, (name,))

    def _dotted_paths(self, line: int, text: str) -> Iterator[Reference]:
        """Dotted module paths (`core.pagination.StandardPageNumberPagination`, `workspaces.permissions`,
        `proj.db.models.Issue`): under a repo package they must resolve (re-exports followed); under a package
        the repo does not have and the plan does not propose they are invented; Django/DRF/Celery/stdlib paths
        resolve as framework; a third-party app that is not installed here is unknown."""
        facts = self.facts
        for match in DOTTED_PATH.finditer(text):
            path = match.group("path")
            parts = path.split(".")
            top = parts[0]
            if parts[-1] in FILE_SUFFIXES or top == "settings" or text[match.end() : match.end() + 1] == "/":
                continue
            if top in self._app_labels and len(parts) == 2 and parts[1][:1].isupper():
                continue  # `app.Model`: _app_models
            module_path = self._repo_module_path(parts)
            if module_path is not None:
                resolved = facts.resolve_symbol(module_path)
                where = f"{resolved[0]}{'.' + resolved[1] if resolved[1] else ''}" if resolved else None
                if where is None:
                    where = self._inherited(module_path)
                why = "" if resolved else self._missing_part(module_path)
                reference = self._reference("module-symbol", path, line, text, match, True, where, tuple(parts[1:]))
                yield Reference(reference.kind, reference.name, line, reference.presented_as_existing, where, "repo", why)
                continue
            if top in self.defined or any(part in self.defined for part in parts[1:2]):
                continue
            if top in STDLIB or top in FRAMEWORK_PACKAGES or top in self._installed_tops or (
                top in self._declared_packages and installed_package_dir(top) is not None
            ):
                yield Reference("module-symbol", path, line, True, "installed package", "framework")
                continue
            if top in self._uninstalled_tops or top in self._declared_packages or top.startswith(THIRD_PARTY_PREFIXES):
                yield Reference("module-symbol", path, line, True, None, "unknown")
                continue
            if top in FRAMEWORK_ALIASES:
                if parts[-1] in _framework_classes() or len(parts) == 2:
                    yield Reference("module-symbol", path, line, True, "Django / DRF / Celery", "framework")
                continue
            module_like = any(part in MODULE_WORDS for part in parts[1:-1]) or parts[-1] in MODULE_FILES or (
                len(parts) == 2 and parts[1][:1].isupper() and text[max(0, match.start() - 1) : match.start()] in ("`", "\"", "'")
            )
            if not module_like:
                continue
            yield Reference("module-symbol", path, line, True, None, "repo", f"package `{top}` does not exist in the repo")

    @_per_repo
    def _app_labels(self) -> frozenset[str]:
        return frozenset(self.facts.apps) | {model.app for model in self.facts.external_models}

    @_per_repo
    def _repo_tops(self) -> frozenset[str]:
        return self.facts.importable_tops

    @_per_repo
    def _installed_tops(self) -> frozenset[str]:
        tops = {entry.split(".")[0] for entry in self.facts.installed_apps}
        return frozenset(top for top in tops if top not in self._repo_tops and installed_package_dir(top) is not None)

    def _mentions_uninstalled(self, text: str) -> bool:
        """Whether a line names a third-party app the repo installs and archbench cannot read (`django_celery_beat`,
        `django-celery-beat`): a class named there is unknown, not invented."""
        lowered = text.lower()
        return any(top.lower() in lowered or top.lower().replace("_", "-") in lowered for top in self._uninstalled_tops)

    @_per_repo
    def _declared_packages(self) -> frozenset[str]:
        """Import names of the packages the repo's requirements files declare (`requests`, `django_celery_beat`)."""
        names: set[str] = set()
        for file in self.facts.files:
            base = file.rsplit("/", 1)[-1]
            if not (base.startswith("requirements") and base.endswith((".txt", ".in")) or "/requirements/" in f"/{file}" and base.endswith(".txt")):
                continue
            try:
                text = (self.facts.repo_dir / file).read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                continue
            for requirement in re.finditer(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)", text, re.MULTILINE):
                name = requirement.group(1).lower().replace("-", "_").replace(".", "_")
                names.add(IMPORT_NAMES.get(name, name))
        return frozenset(names)

    @_per_repo
    def _uninstalled_tops(self) -> frozenset[str]:
        return frozenset(entry.split(".")[0] for entry in self.facts.uninstalled_apps)

    def _repo_module_path(self, parts: list[str]) -> str | None:
        """The path as a repo module path: as written when its first part is a repo top-level package, else with an
        app label expanded to its module (`users.services.x` → `styleguide_example.users.services.x`); None when the
        path does not start in the repo."""
        top = parts[0]
        if top in self._repo_tops:
            return ".".join(parts)
        app = self.facts.apps.get(top)
        if app is not None:
            return ".".join([app.module, *parts[1:]])
        return None

    def _inherited(self, module_path: str) -> str | None:
        """`pkg.views.TaskViewSet.list`: an attribute a repo class inherits from a Django/DRF base (or a model's API)."""
        owner_path, _, attr = module_path.rpartition(".")
        owner = self.facts.resolve_symbol(owner_path)
        if owner is None or not owner[1] or "." in owner[1]:
            return None
        pending, seen = [owner[1]], set()
        while pending:
            name = pending.pop()
            if name in seen:
                continue
            seen.add(name)
            group = self.facts.classes.get(name, ())
            if not group:
                return f"{owner[0]}.{owner[1]} (inherited from {name})"
            for cls in group:
                if attr in cls.attributes:
                    return f"{cls.module}.{cls.name}.{attr}, {cls.file}:{cls.line}"
                pending.extend(base.rsplit(".", 1)[-1] for base in cls.bases)
        return None

    def _missing_part(self, module_path: str) -> str:
        parts = module_path.split(".")
        for size in range(len(parts) - 1, 0, -1):
            prefix = ".".join(parts[:size])
            if prefix in self.facts.modules:
                return f"`{prefix}` has no `{'.'.join(parts[size:])}`"
        return f"no module `{module_path}` in the repo"

    def _objects_of_unknown_models(self, line: int, text: str) -> Iterator[Reference]:
        """`Name.objects.method` where Name is neither a model of the repo (or of an installed app) nor defined by the
        plan: the plan assumes a model the repo does not have."""
        for match in OBJECTS_OF.finditer(text):
            name = match.group("model")
            if self.facts.model(name) is not None or name in self.defined or name in _framework_classes():
                continue
            if mention_cue(self.plan, line, text, match.start(), match.end()) in ("new", "negated"):
                continue
            yield Reference("model", name, line, True, None, "repo", f"no model `{name}` in the repo")

    def _reused_classes(self, line: int, text: str) -> Iterator[Reference]:
        """Classes the plan builds on: bases in a class signature (`WaitingListEntry(TimeStampedModel)`),
        `permission_classes`/`pagination_class`/... values, and backticked permission, pagination, mixin, filter and
        serializer classes. Each is assumed to exist unless the plan defines it."""
        found: list[tuple[str, re.Match[str]]] = []
        for match in CLASS_SIGNATURE.finditer(text):
            found.extend((base.strip(), match) for base in match.group("bases").split(","))
        for match in CLASS_ATTRIBUTE_LIST.finditer(text):
            found.extend((name.strip(), match) for name in match.group("names").split(","))
        for match in REUSED_CLASS.finditer(text):
            found.append((match.group(0).strip("`"), match))
        for written, match in found:
            name = written.rsplit(".", 1)[-1]
            if not name or not name[0].isupper() or name in self.defined:
                continue
            if "." in written and written.split(".")[0][:1].islower():
                continue  # a dotted base (`core.models.TimeStampedModel`): _dotted_paths checks it
            cue = mention_cue(self.plan, line, text, match.start(), match.end())
            if cue in ("new", "negated") and not match.re is CLASS_SIGNATURE:
                continue
            yield self._class_reference(name, line)

    def _class_reference(self, name: str, line: int) -> Reference:
        facts = self.facts
        model = facts.model(name)
        if model is not None and not model.external:
            return Reference("class", name, line, True, f"{model.label}, {model.file}:{model.line}")
        if name in facts.classes:
            cls = facts.classes[name][0]
            return Reference("class", name, line, True, f"{cls.module}.{name}, {cls.file}:{cls.line}")
        if model is not None or name in _framework_classes():
            return Reference("class", name, line, True, "Django / DRF / Celery class", "framework")
        if self._mentions_uninstalled(self.plan.line(line)):
            return Reference("class", name, line, True, None, "unknown")
        return Reference("class", name, line, True, None, "repo", f"no class `{name}` in the repo, Django, DRF or Celery")

    def _settings(self, line: int, text: str) -> Iterator[Reference]:
        for match in SETTING.finditer(text):
            name = match.group("name")
            if name in self.facts.framework_settings:
                yield Reference("setting", name, line, True, "Django setting", "framework")
                continue
            if name in self.facts.settings:
                resolved = f"project settings, line {self.facts.settings[name]}"
            elif _celery_setting(name):
                yield Reference("setting", name, line, True, "Celery setting (CELERY_ namespace)", "framework")
                continue
            else:
                resolved = None
            yield self._reference("setting", name, line, text, match, True, resolved, (name,))

    def _files(self, line: int, text: str) -> Iterator[Reference]:
        """Every file path counts. One that exists resolves; a new file in an existing folder is a proposal (unless
        presented as existing); a file under a folder the repo does not have is invented, unless that folder is an
        app or package the plan proposes."""
        if text.lstrip().startswith(("---", "+++", "diff --git")):
            return  # a diff header (`a/backend/...`): the paths are the diff's, not references
        for match in FILE_PATH.finditer(text):
            path = match.group("path")
            resolved = self._file(path)
            if resolved:
                yield Reference("file", path, line, True, resolved)
                continue
            missing = self._missing_folder(path)
            strong = match.group("line") is not None
            if missing is None or path.rsplit(".", 1)[-1] in FRONTEND_SUFFIXES:
                # a new file in an existing folder, or a frontend file (the scope grader's business): only when presented as existing
                yield self._reference("file", path, line, text, match, strong, None, (path,))
                continue
            if missing.rsplit("/", 1)[-1] in self.defined:
                continue  # a file of an app or package the plan proposes
            if not path.endswith(".py") and "templates" in self._deepest_folder(path).split("/"):
                continue  # a new template in a new folder of an existing templates folder
            if self._new_app_folder(path, missing) and mention_cue(self.plan, line, text, match.start(), match.end()) == "new":
                continue  # `Create backend/digests/tasks.py`: a new app's folder
            yield Reference("file", path, line, True, None, "repo", f"folder `{missing}` does not exist in the repo")

    def _new_app_folder(self, path: str, missing: str) -> bool:
        """Whether the missing folder could be a new app: directly under the repo root or the backend folder, and
        the file is not a project-level one (settings, wsgi, asgi, celery) that only an existing project has."""
        if path.rsplit("/", 1)[-1] in PROJECT_FILES or "/settings/" in f"/{path}":
            return False
        parent = missing.rpartition("/")[0]
        backend = self.facts.backend_dir.strip("/")
        return parent in ("", backend) or (backend in ("", ".") and "/" not in missing)

    def _missing_folder(self, path: str) -> str | None:
        """The first folder of `path` the repo does not have (under the repo root, the backend or a frontend
        folder, whichever holds more of it), or None when the file's folder exists."""
        parts = path.lstrip("./").split("/")[:-1]
        best: tuple[int, str] | None = None
        for root in self._roots:
            for size in range(len(parts), -1, -1):
                folder = "/".join(filter(None, [root, *parts[:size]]))
                if folder == "" or folder in self._folders:
                    if size == len(parts):
                        return None
                    if best is None or size > best[0]:
                        best = (size, "/".join(parts[: size + 1]))
                    break
        return best[1] if best else "/".join(parts[:1])

    def _deepest_folder(self, path: str) -> str:
        """The deepest existing folder (repo-relative) holding a prefix of `path`'s folders, under any root."""
        parts = path.lstrip("./").split("/")[:-1]
        best = ""
        for root in self._roots:
            for size in range(len(parts), 0, -1):
                folder = "/".join(filter(None, [root, *parts[:size]]))
                if folder in self._folders:
                    if folder.count("/") > best.count("/"):
                        best = folder
                    break
        return best

    @_per_repo
    def _roots(self) -> tuple[str, ...]:
        """Where a plan's relative paths start: the repo root, the backend and frontend folders, template folders
        (`emails/mention.txt` is `backend/templates/emails/mention.txt`)."""
        backend = self.facts.backend_dir.strip("/")
        backend = "" if backend == "." else backend
        folders = [backend, *(self.facts.frontend_dirs or (self.facts.frontend_dir,))]
        app_paths = {app.path for app in self.facts.apps.values()}
        packages = sorted(  # `app/urls/issue.py` is `apiserver/issuetrack/app/urls/issue.py`: paths from a package holding apps
            folder
            for folder in (file.rsplit("/", 1)[0] for file in self.facts.files if file.endswith("/__init__.py"))
            if folder.count("/") == backend.count("/") + (1 if backend else 0) and folder not in app_paths
        )
        templates = sorted(folder for folder in self._folders if folder.rsplit("/", 1)[-1] == "templates")
        return tuple(dict.fromkeys(("", *(folder.strip("/") for folder in folders if folder), *packages, *templates)))

    @_per_repo
    def _file_roots(self) -> tuple[str, ...]:
        """`_roots` and every app folder: an existing file may be named from inside its app (`selectors/schools.py`);
        a missing one is not placed in whichever app happens to have that folder."""
        return tuple(dict.fromkeys((*self._roots, *sorted(app.path for app in self.facts.apps.values()))))

    @_per_repo
    def _folders(self) -> frozenset[str]:
        found: set[str] = set()
        for file in self.facts.files:
            parts = file.split("/")[:-1]
            for size in range(1, len(parts) + 1):
                found.add("/".join(parts[:size]))
        return frozenset(found)

    def _file(self, path: str) -> str | None:
        path = path.lstrip("./")
        for candidate in [f"{root}/{path}" if root else path for root in self._file_roots]:
            if candidate in self.facts.files:
                return candidate
        return None

    def _named_things(self, line: int, text: str) -> Iterator[Reference]:
        for match in BACKTICKED_NAME.finditer(text):
            name = match.group("name")
            following = NAMED_THING.match(text[match.end() : match.end() + 30])
            kind_word = following.group("kind").lower().rstrip("s") if following else ""
            kind = _named_kind(name, kind_word)
            if name in self.defined or kind is None:
                continue  # told before the cue is read, which costs more
            if mention_cue(self.plan, line, text, match.start(), match.end()) != "existing":
                continue
            kind, resolved = self._resolve_named(name, kind)
            framework = resolved is not None and resolved.startswith("Django")
            unknown = resolved is None and kind in ("model", "class") and self._mentions_uninstalled(text)
            yield Reference(kind, name, line, True, resolved, "framework" if framework else "unknown" if unknown else "repo")

    def _resolve_named(self, name: str, kind: str) -> tuple[str, str | None]:
        """(kind, where) for a cued backticked name of the kind `_named_kind` gave it (a CamelCase name
        turns out a model or a class by what defines it); where None when nothing does."""
        facts = self.facts
        if kind in ("model", "class"):
            model = facts.model(name)
            if model is not None:
                return "model", f"{model.label}, {model.file}:{model.line}"
            if name in facts.classes:
                cls = facts.classes[name][0]
                return "class", f"{cls.module}.{name}, {cls.file}:{cls.line}"
            if name in _framework_classes():
                return "class", "Django / DRF / django-filter class"
            return kind, None
        if kind == "setting":
            known = name in facts.settings or name in facts.framework_settings or _celery_setting(name)
            return "setting", ("settings" if known else None)
        if kind == "app":
            known = name in facts.apps or any(entry.rsplit(".", 1)[-1] == name for entry in facts.installed_apps)
            return "app", (f"app {name}" if known else None)
        if kind == "task":
            if name in facts.tasks:
                task = facts.tasks[name]
                return "task", f"{task.module}.{name}, {task.file}:{task.line}"
            return "task", None
        return kind, self._repo_name(name)  # a member: method, field, manager…

    def _repo_name(self, name: str) -> str | None:
        facts = self.facts
        for module, names in facts.modules.items():
            if name in names:
                return f"{module}.{name}"
        for group in facts.classes.values():
            for cls in group:
                if name in cls.attributes:
                    return f"{cls.name}.{name}, {cls.file}:{cls.line}"
        for model in (*facts.models, *facts.external_models):
            if name in model.fields or name in model.reverse_relations:
                return f"{model.label}.{name}"
        return "Django model API" if name in django_model_api() else None

    def _url_names(self, line: int, text: str) -> Iterator[Reference]:
        for match in URL_NAME.finditer(text):
            name = match.group("name") or match.group("named")
            if self.facts.admin_url_name(name) and name not in self.facts.url_names:
                yield Reference("url-name", name, line, True, "Django admin URL name", "framework")
                continue
            resolved = "URL name" if name in self.facts.url_names else None
            presented = name not in self.defined and mention_cue(self.plan, line, text, match.start(), match.end()) == "existing"
            yield Reference("url-name", name, line, presented, resolved)


_MEMBER_KIND_WORDS = ("method", "function", "helper", "field", "property", "manager", "queryset")


def _named_kind(name: str, kind_word: str) -> str | None:
    """What a backticked name is checked as, from its shape and the word after it; None: not checked. A
    CamelCase name is a class ("model" when called one); an UPPER_CASE one only when named a setting;
    another when named an app, a task or a member."""
    if name[0].isupper() and not name.isupper():
        return "model" if kind_word == "model" else "class"
    if name.isupper():
        return "setting" if kind_word == "setting" else None
    return kind_word if kind_word in ("app", "task", *_MEMBER_KIND_WORDS) else None


def _celery_setting(name: str) -> bool:
    """A Celery setting in the project's `CELERY_` namespace (`CELERY_TASK_ALWAYS_EAGER`); any `CELERY_` name when
    Celery is not installed here to tell (unknown is not invented)."""
    known = celery_settings()
    return name in known if known else CELERY_SETTING.match(name) is not None


@lru_cache(maxsize=1)
def _framework_classes() -> frozenset[str]:
    """Class names defined by Django, DRF and django-filter (read as text: `^class Name`)."""
    names: set[str] = set()
    pattern = re.compile(r"^class\s+([A-Za-z_]\w*)", re.MULTILINE)
    for package, folders in (
        ("rest_framework", ("",)),
        ("celery", ("", "app")),
        ("django_filters", ("", "rest_framework")),
        (
            "django",
            ("db/models", "db/models/fields", "db/migrations/operations", "views/generic", "http", "core", "contrib/auth", "contrib/postgres"),
        ),
    ):
        root = installed_package_dir(package)
        if root is None:
            continue
        for folder in folders:
            for path in sorted((root / folder).glob("*.py")):
                try:
                    names.update(pattern.findall(path.read_text(encoding="utf-8")))
                except (OSError, UnicodeDecodeError):
                    continue
    return frozenset(names)
