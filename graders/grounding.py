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
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

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
    django_model_api,
    installed_package_dir,
    repo_facts,
)
from archbench.graders.verdicts import ItemVerdict, clip

if TYPE_CHECKING:
    from archbench.core.scenarios import Scenario

DIMENSION = "grounding"

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
URL_NAME = re.compile(r"reverse\(\s*['\"](?P<name>[\w:-]+)['\"]|url\s+name\s+`(?P<named>[\w:-]+)`", re.IGNORECASE)
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


@dataclass
class GroundingVerdict:
    score: float
    items: list[ItemVerdict]
    references: int
    hallucinations: int
    explanation: str


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
    checked = sorted(
        (reference for reference in first.values() if reference.resolved or _is_hallucination(reference)),
        key=lambda reference: (reference.line, reference.kind, reference.name),
    )
    items = [_item(plan, reference) for reference in checked]
    hallucinated = [reference for reference in checked if not reference.resolved]
    score = 1.0 if not checked else (len(checked) - len(hallucinated)) / len(checked)
    return GroundingVerdict(
        score=score,
        items=items,
        references=len(checked),
        hallucinations=len(hallucinated),
        explanation=_explanation(checked, hallucinated),
    )


def _is_hallucination(reference: Reference) -> bool:
    return reference.resolved is None and reference.presented_as_existing


def _item(plan: ParsedPlan, reference: Reference) -> ItemVerdict:
    if reference.resolved:
        description = f"{reference.kind} {reference.name} exists ({reference.resolved})"
    else:
        description = f"{reference.kind} {reference.name} is presented as existing but is not in the repo and the plan does not propose it"
    return ItemVerdict(
        f"{reference.kind}:{reference.name}", DIMENSION, bool(reference.resolved), clip(plan.line(reference.line).strip()), reference.line, description
    )


def _explanation(checked: list[Reference], hallucinated: list[Reference]) -> str:
    if not checked:
        return "The plan refers to nothing in the repo that could be checked."
    summary = f"{len(checked) - len(hallucinated)} of {len(checked)} repo references resolve"
    if not hallucinated:
        return summary + "; no hallucinated references."
    listed = "; ".join(f"{reference.kind} `{reference.name}` (line {reference.line})" for reference in hallucinated[:8])
    more = f" and {len(hallucinated) - 8} more" if len(hallucinated) > 8 else ""
    return f"{summary}; not in the repo: {listed}{more}."


# --- what the plan itself defines ---------------------------------------------------------------


def _defined_names(plan: ParsedPlan, facts: RepoFacts, proposals: PlanProposals) -> frozenset[str]:
    """Names the plan introduces: everything `plan_proposals` found, leading identifiers of headings,
    list items and table rows (where plans define things), names cued as new, and members of
    classes the repo does not have (`NotificationQuerySet.unread`)."""
    names = set(proposals.defined) | set(proposals.apps) | set(proposals.changed_tasks)
    for proposed in proposals.fields:
        names.update(re.findall(r"[A-Za-z_]\w*", proposed.text))
    for block in plan.blocks:
        if block.kind in ("heading", "list_item"):
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
                names.update(re.findall(r"[A-Za-z_]\w*", body.split("(")[0]))
                names.update(re.findall(r"\b([A-Z][A-Z0-9_]+)\s*=", body))
    for match in DEFINITION_SHAPE.finditer(plan.text):
        args = match.group("args") or ""
        defines_class = bool(args) and re.fullmatch(r"[A-Z][\w.]*(?:\s*,\s*[A-Z][\w.]*)*", args.strip()) is not None
        if match.group("after") or defines_class:
            names.add(match.group("name"))
    for match in re.finditer(r"(?<![\w.])(?P<owner>[A-Z][A-Za-z0-9]*)\.(?P<member>[a-z_][a-z0-9_]*)", plan.text):
        if match.group("owner") not in facts.classes and facts.model(match.group("owner")) is None:
            names.add(match.group("member"))
    for text in plan.lines:
        for assigned in re.finditer(r"\b(?P<name>[A-Z][A-Z0-9_]{2,})\s*(?:=|:)\s*(?!:)", text):
            names.add(assigned.group("name"))
    return frozenset(names)


# --- the references -------------------------------------------------------------------------------


def _lines_with(plan: ParsedPlan, names: tuple[str, ...]) -> set[int]:
    """Lines where one of `names` is followed by a dot (names hold no line break)."""
    return set(plan.lines_matching(_dotted(tuple(sorted(set(names)))))) if names else set()


@lru_cache(maxsize=64)
def _dotted(names: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile("|".join(re.escape(f"{name}.") for name in names))


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
        module_lines = _lines_with(plan, tuple(module.split(".")[0] for module in facts.modules if "." in module))
        url_lines = set(plan.lines_matching(URL_NAME_CUE))
        for line, text in enumerate(plan.lines, start=1):
            if not text.strip():
                continue
            if line in model_lines:
                yield from self._model_attributes(line, text)
            if line in app_lines:
                yield from self._app_models(line, text)
            if line in module_lines:
                yield from self._module_symbols(line, text)
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

    def _module_symbols(self, line: int, text: str) -> Iterator[Reference]:
        for match in MODULE_SYMBOL.finditer(text):
            path, name = match.group("path"), match.group("name")
            if path.split(".")[0] == "settings":
                continue
            module = self.facts.modules.get(path)
            if module is None:
                continue
            resolved = f"{path}.{name}" if name in module else None
            yield self._reference("module-symbol", f"{path}.{name}", line, text, match, True, resolved, (name,))

    def _settings(self, line: int, text: str) -> Iterator[Reference]:
        for match in SETTING.finditer(text):
            name = match.group("name")
            if name in self.facts.settings:
                resolved = f"project settings, line {self.facts.settings[name]}"
            elif name in self.facts.framework_settings:
                resolved = "Django default setting"
            elif CELERY_SETTING.match(name):
                resolved = "Celery setting (CELERY_ namespace)"
            else:
                resolved = None
            yield self._reference("setting", name, line, text, match, True, resolved, (name,))

    # checked when cued as existing

    def _files(self, line: int, text: str) -> Iterator[Reference]:
        for match in FILE_PATH.finditer(text):
            path = match.group("path")
            resolved = self._file(path)
            strong = match.group("line") is not None
            top = path.split("/")[0]
            exempt = (path, top) if top in self.defined else (path,)
            yield self._reference("file", path, line, text, match, strong, resolved, exempt)

    def _file(self, path: str) -> str | None:
        path = path.lstrip("./")
        folders = [self.facts.backend_dir, self.facts.frontend_dir]
        for candidate in [path] + [f"{folder.strip('/')}/{path}" for folder in folders if folder and folder != "."]:
            if candidate in self.facts.files:
                return candidate
        return None

    def _named_things(self, line: int, text: str) -> Iterator[Reference]:
        for match in BACKTICKED_NAME.finditer(text):
            name = match.group("name")
            following = NAMED_THING.match(text[match.end() : match.end() + 30])
            kind_word = following.group("kind").lower().rstrip("s") if following else ""
            if name in self.defined or mention_cue(self.plan, line, text, match.start(), match.end()) != "existing":
                continue
            kind, resolved = self._resolve_named(name, kind_word)
            if kind is not None:
                yield Reference(kind, name, line, True, resolved)

    def _resolve_named(self, name: str, kind_word: str) -> tuple[str | None, str | None]:
        """(kind, where) for a cued backticked name; kind None when the name is not checkable."""
        facts = self.facts
        if name[0].isupper() and not name.isupper():
            model = facts.model(name)
            if model is not None:
                return "model", f"{model.label}, {model.file}:{model.line}"
            if name in facts.classes:
                cls = facts.classes[name][0]
                return "class", f"{cls.module}.{name}, {cls.file}:{cls.line}"
            if name in _framework_classes():
                return "class", "Django / DRF / django-filter class"
            return ("model" if kind_word == "model" else "class"), None
        if name.isupper():
            if kind_word != "setting":
                return None, None
            known = name in facts.settings or name in facts.framework_settings or CELERY_SETTING.match(name)
            return "setting", ("settings" if known else None)
        if kind_word == "app":
            known = name in facts.apps or any(entry.rsplit(".", 1)[-1] == name for entry in facts.installed_apps)
            return "app", (f"app {name}" if known else None)
        if kind_word == "task":
            if name in facts.tasks:
                task = facts.tasks[name]
                return "task", f"{task.module}.{name}, {task.file}:{task.line}"
            return "task", None
        if kind_word in ("method", "function", "helper", "field", "property", "manager", "queryset"):
            return kind_word, self._repo_name(name)
        return None, None

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
            resolved = "URL name" if name in self.facts.url_names else None
            presented = name not in self.defined and mention_cue(self.plan, line, text, match.start(), match.end()) == "existing"
            yield Reference("url-name", name, line, presented, resolved)


@lru_cache(maxsize=1)
def _framework_classes() -> frozenset[str]:
    """Class names defined by Django, DRF and django-filter (read as text: `^class Name`)."""
    names: set[str] = set()
    pattern = re.compile(r"^class\s+([A-Za-z_]\w*)", re.MULTILINE)
    for package, folders in (
        ("rest_framework", ("",)),
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
