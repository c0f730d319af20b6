"""Draft a repo's conventions file from what its code does (`archbench repo init`).

Each drafted rule says what it was drawn from (file:line and counts) in YAML comments above it, for
the user to confirm or delete: a rule is a claim about the house style, and only its owners can make
it. A rule is drafted only where the code shows a clear majority; otherwise the file says what was
looked at and why no rule was drafted. Layout (backend folder, project package, frontend folder) is
found from `manage.py`, `wsgi.py`/`asgi.py` and `package.json`.

The file belongs outside the repo (by default `conventions/<repo>.yaml` in the working folder): it
is the graders' answer key, and the agent under test reads the repo.
"""

from __future__ import annotations

import ast
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from archbench.core.strict_yaml import InputError
from archbench.graders.repo_facts import SKIPPED_DIRS, RepoFacts, django_model_api, last_part, repo_facts
from archbench.graders.repo_survey import CodeDeclarations, _backend_modules, _framework_names, declarations

FRONTEND_NAMES = ("frontend", "web", "client", "ui", "app", "webapp", "spa")


@dataclass
class DraftRule:
    id: str
    check: str
    value: str | bool
    description: str
    evidence: list[str] = field(default_factory=list)


@dataclass
class ConventionsDraft:
    name: str
    backend_dir: str
    project_package: str
    frontend_dir: str
    layout_evidence: list[str]
    rules: list[DraftRule]
    notes: list[str]
    """What was looked at without drafting a rule, and why."""

    def to_yaml(self) -> str:
        out = [
            f"# Conventions of {self.name}, drafted by `archbench repo init` from what the code does.",
            "# Every rule below is a claim about the house style: check its evidence, correct or delete it.",
            "# Keep this file OUTSIDE the repo (the agent under test reads the repo) and name it from your",
            "# scenarios with `conventions: <path>`; `archbench repo check` shows whether each rule can match.",
            *(f"# layout: {line}" for line in self.layout_evidence),
            f"name: {self.name}",
            f"description: Conventions of {self.name} (drafted by archbench repo init; confirm each rule)",
            f"backend_dir: {_scalar(self.backend_dir)}",
            f"frontend_dir: {_scalar(self.frontend_dir)}",
            f"project_package: {_scalar(self.project_package)}",
            "conventions:" if self.rules else "conventions: []",
        ]
        for rule in self.rules:
            out += [f"  # evidence: {line}" for line in rule.evidence]
            value = "true" if rule.value is True else _scalar(str(rule.value))
            out += [f"  - id: {rule.id}", f"    check: {rule.check}", f"    value: {value}", f"    description: {_scalar(rule.description)}"]
        out += [f"# not drafted: {note}" for note in self.notes]
        return "\n".join(out) + "\n"


def _scalar(text: str) -> str:
    """A YAML scalar for `text`, quoted when plain YAML would read it otherwise."""
    import json

    plain = text and not any(char in text for char in ":#{}[],&*!|>'\"%@`") and text.strip() == text
    plain = plain and text.lower() not in ("true", "false", "yes", "no", "null", "on", "off", "~")
    return text if plain else json.dumps(text)


def _where(file: str, line: int) -> str:
    return f"{file}:{line}"


# --- layout ----------------------------------------------------------------------------------------


def _walk_files(repo_dir: Path, max_depth: int = 3) -> list[str]:
    found = []
    for path in sorted(repo_dir.rglob("*")):
        relative = path.relative_to(repo_dir)
        if len(relative.parts) > max_depth + 1 or any(part in SKIPPED_DIRS for part in relative.parts):
            continue
        if path.is_file():
            found.append(relative.as_posix())
    return found


def detect_layout(repo_dir: Path, frontend_dir: str | None = None) -> tuple[str, str, str, list[str]]:
    """(backend_dir, project_package, frontend_dir, evidence) of a Django repo."""
    files = _walk_files(repo_dir)
    manage = sorted((path for path in files if path.rsplit("/", 1)[-1] == "manage.py"), key=lambda path: path.count("/"))
    if not manage:
        raise InputError("no manage.py found (searched 4 folders deep): is this a Django project?", repo_dir)
    backend = manage[0].rsplit("/", 1)[0] if "/" in manage[0] else "."
    evidence = [f"backend_dir {backend}: {manage[0]}"]
    inside = [path for path in files if backend == "." or path.startswith(backend + "/")]
    entry = sorted((path for path in inside if path.rsplit("/", 1)[-1] in ("wsgi.py", "asgi.py")), key=lambda path: path.count("/"))
    settings = sorted(
        (path for path in inside if path.endswith(("/settings.py", "/settings/__init__.py"))), key=lambda path: path.count("/")
    )
    anchor = (entry or settings or [None])[0]
    if anchor is None or "/" not in anchor:
        raise InputError("no wsgi.py, asgi.py or settings module found below the manage.py folder: where is the Django project package?", repo_dir)
    project = anchor.removesuffix("/__init__.py").rsplit("/", 1)[0]
    evidence.append(f"project_package {project}: {anchor}")
    if frontend_dir is None:
        packages = [path.rsplit("/", 1)[0] for path in files if path.endswith("/package.json") and not path.startswith(f"{backend}/")]
        packages.sort(key=lambda folder: (folder.split("/")[-1] not in FRONTEND_NAMES, folder.count("/"), folder))
        templates = sorted((str(path.relative_to(repo_dir)) for path in repo_dir.rglob("templates") if path.is_dir() and not any(part in SKIPPED_DIRS for part in path.parts)), key=lambda folder: folder.count("/"))
        if packages:
            frontend_dir = packages[0]
            evidence.append(f"frontend_dir {frontend_dir}: {frontend_dir}/package.json" + (f" (other frontends: {', '.join(packages[1:])})" if packages[1:] else ""))
        elif templates:
            frontend_dir = templates[0]
            evidence.append(
                f"frontend_dir {frontend_dir}: no package.json outside the backend, so the Django templates folder stands in "
                "(the format needs a folder; writes there count as frontend edits)"
            )
        else:
            raise InputError("no frontend folder found (no package.json, no templates folder): name one with --frontend-dir", repo_dir)
    elif not (repo_dir / frontend_dir).is_dir():
        raise InputError(f"--frontend-dir '{frontend_dir}' is not a folder of the repo", repo_dir)
    else:
        evidence.append(f"frontend_dir {frontend_dir}: given with --frontend-dir")
    return backend, project, frontend_dir, evidence


# --- what the code does ------------------------------------------------------------------------------


@dataclass
class _Code:
    facts: RepoFacts
    declared: CodeDeclarations
    modules: list[tuple[str, str, ast.Module]]
    settings: dict[str, tuple[object, str, int]]
    """Setting name → (literal value or None, file, line), from any backend module that assigns it."""
    references: Counter
    """Name → number of modules that mention it (Name or attribute), definitions excluded."""


def _read_code(facts: RepoFacts) -> _Code:
    modules = _backend_modules(facts)
    settings: dict[str, tuple[object, str, int]] = {}
    references: Counter = Counter()
    for _module, file, tree in modules:
        mentioned: set[str] = set()
        for node in tree.body:
            for target in getattr(node, "targets", []):
                if isinstance(target, ast.Name) and target.id.isupper() and target.id not in settings:
                    try:
                        value = ast.literal_eval(node.value)
                    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
                        value = None
                    settings[target.id] = (value, file, node.lineno)
        for node in ast.walk(tree):
            if isinstance(node, ast.Name):
                mentioned.add(node.id)
            elif isinstance(node, ast.Attribute):
                mentioned.add(node.attr)
            elif isinstance(node, ast.alias):
                mentioned.add(last_part(node.asname or node.name))
        references.update(mentioned)
    return _Code(facts, declarations(facts), modules, settings, references)


def _framework_setting(code: _Code, key: str) -> tuple[list[str], str | None]:
    value, file, line = code.settings.get("REST_FRAMEWORK", (None, "", 0))
    entry = value.get(key) if isinstance(value, dict) else None
    entries = [entry] if isinstance(entry, str) else list(entry) if isinstance(entry, (list, tuple)) else []
    return [last_part(item) for item in entries if isinstance(item, str)], (_where(file, line) if entries else None)


def _concrete_models(facts: RepoFacts):
    return [model for model in facts.models if not model.abstract]


def _pk_rule(code: _Code, notes: list[str]) -> DraftRule | None:
    models = _concrete_models(code.facts)
    if not models:
        notes.append("pk_type: the repo has no concrete models")
        return None
    uuid = [model for model in models if any(item.primary_key and item.type == "UUIDField" for item in model.fields.values())]
    default = code.settings.get("DEFAULT_AUTO_FIELD")
    evidence = [f"{len(uuid)} of {len(models)} concrete models have a UUIDField primary key"]
    if uuid and len(uuid) * 2 > len(models):
        evidence += [f"{model.file}:{model.line} {model.name}" for model in uuid[:3]]
        return DraftRule("pk-type", "pk_type", "uuid", "New models use a UUID primary key, like the existing ones", evidence)
    if default:
        evidence.append(f"{_where(default[1], default[2])} DEFAULT_AUTO_FIELD = {default[0]}")
    evidence += [f"{model.file}:{model.line} {model.name} (no explicit primary key)" for model in models if model not in uuid][:2]
    return DraftRule("pk-type", "pk_type", "bigint", "New models keep Django's default big-integer primary key", evidence)


def _base_model_rule(code: _Code, notes: list[str]) -> DraftRule | None:
    facts = code.facts
    models = _concrete_models(facts)
    abstract = [model for model in facts.models if model.abstract]
    counts = {base.name: [model for model in models if model.name != base.name and facts.is_subclass(model.name, base.name)] for base in abstract}
    if not counts or not models:
        notes.append("base_model: no abstract model in the repo")
        return None
    name, children = max(counts.items(), key=lambda item: len(item[1]))
    base = next(model for model in abstract if model.name == name)
    if len(children) < 2 or len(children) * 3 < len(models):
        notes.append(f"base_model: the most used abstract model, {name} ({base.file}:{base.line}), has only {len(children)} of {len(models)} concrete models")
        return None
    fields = ", ".join(sorted(set(base.fields) - {"id"}))
    return DraftRule(
        "base-model", "base_model", name,
        f"New models inherit {base.module}.{name}" + (f" ({fields})" if fields else ""),
        [f"{base.file}:{base.line} class {name} (abstract)", f"{len(children)} of {len(models)} concrete models derive from it: " + ", ".join(model.name for model in children[:6])],
    )


def _pagination_rule(code: _Code, notes: list[str]) -> DraftRule | None:
    default, where = _framework_setting(code, "DEFAULT_PAGINATION_CLASS")
    if default:
        return DraftRule("pagination", "pagination", default[0], f"List endpoints use {default[0]} (REST_FRAMEWORK's default)", [f"{where} DEFAULT_PAGINATION_CLASS"])
    candidates = [item for item in code.declared.paginators if item.name != "Pagination" and item.name.endswith(("Pagination", "Paginator"))]
    nested = Counter(base.strip() for item in code.declared.paginators if item.name == "Pagination" for base in item.detail.split(",") if base.strip())
    views = code.facts.views.values()
    used = Counter({item.name: code.references[item.name] + sum(code.facts.is_subclass(view.name, item.name) for view in views) for item in candidates})
    used.update(nested)
    used.update(view.pagination_class for view in code.facts.views.values() if view.pagination_class)
    if not used or used.most_common(1)[0][1] < 1:
        notes.append("pagination: no DEFAULT_PAGINATION_CLASS, and no paginator class is used by the views")
        return None
    name, count = used.most_common(1)[0]
    definition = next((item for item in candidates if item.name == name), None)
    evidence = [f"{definition.file}:{definition.line} class {name}" if definition else f"{name} (not defined in the repo)"]
    evidence.append(f"used {count} time(s): modules naming it, views deriving from it, nested `class Pagination({name})`, pagination_class")
    return DraftRule("pagination", "pagination", name, f"List endpoints page with {name}", evidence)


def _permission_rule(code: _Code, notes: list[str]) -> DraftRule | None:
    facts = code.facts
    uses: Counter = Counter()
    evidence: dict[str, str] = {}
    for view in facts.views.values():
        for name in view.permission_classes:
            uses[name] += 1
            evidence.setdefault(name, f"{view.file}:{view.line} {view.name}.permission_classes")
    for name, group in facts.classes.items():
        for cls in group:
            if "permission_classes" in cls.attributes and not facts.is_subclass(name, "APIView") and name not in facts.views:
                children = [view for view in facts.views.values() if view.name != name and facts.is_subclass(view.name, name)]
                if children:
                    uses[name] += len(children)
                    evidence[name] = f"{cls.file}:{cls.line} {name} sets permission_classes; {len(children)} view(s) mix it in"
    for item in code.declared.permission_decorators:
        if item.name != "permission_classes":
            uses[item.name] += 1
            evidence.setdefault(item.name, f"{item.file}:{item.line} @{item.name} on {item.detail}")
    default, where = _framework_setting(code, "DEFAULT_PERMISSION_CLASSES")
    for name in list(uses):  # a class derived from another candidate counts for its ancestor too
        for other in list(uses):
            if other != name and facts.is_subclass(name, other):
                uses[other] += uses[name]
    own = Counter({name: count for name, count in uses.items() if name not in _framework_names()})
    if own:  # the repo's own class, mixin or decorator says more than DRF's IsAuthenticated next to it
        uses = own
    if uses:
        name, count = uses.most_common(1)[0]
        lines = [evidence[name], f"{count} use(s); others: " + (", ".join(f"{other} ×{n}" for other, n in uses.most_common()[1:4]) or "none")]
        if default:
            lines.append(f"{where} DEFAULT_PERMISSION_CLASSES = {default}")
        return DraftRule("permissions", "permission_class", name, f"New endpoints are protected with {name}, as the existing ones", lines)
    if default:
        return DraftRule("permissions", "permission_class", default[0], f"Endpoints rely on the default permission class {default[0]}", [f"{where} DEFAULT_PERMISSION_CLASSES"])
    notes.append("permission_class: no permission classes, mixins or decorators on the views, and no DEFAULT_PERMISSION_CLASSES")
    return None


def _prefix_rule(code: _Code, notes: list[str]) -> DraftRule | None:
    routes = [route for route in code.facts.urls if route.view and not route.path.startswith("/admin")]
    if not routes:
        notes.append("api_prefix: the graders found no routes (see `archbench repo check`)")
        return None
    prefixes: Counter = Counter()
    for route in routes:
        parts = [part for part in route.path.split("/") if part]
        if parts and parts[0] == "api":
            versioned = len(parts) > 1 and parts[1][:1] == "v" and parts[1][1:].isdigit()
            prefixes["/api/" + (parts[1] + "/" if versioned else "")] += 1
    if not prefixes or prefixes.most_common(1)[0][1] * 2 < len(routes):
        notes.append(f"api_prefix: no common /api/ prefix among the {len(routes)} routes the graders found")
        return None
    prefix, count = prefixes.most_common(1)[0]
    first = next(route for route in routes if route.path.startswith(prefix))
    return DraftRule(
        "api-prefix", "api_prefix", prefix, f"Endpoints live under {prefix}",
        [f"{count} of {len(routes)} routes start with {prefix}", f"{first.file}:{first.line} {first.path}"],
    )


def _service_rule(code: _Code, notes: list[str]) -> DraftRule | None:
    files = code.facts.files
    files = [path for path in files if "/tests/" not in f"/{path}"]
    services = sorted(path for path in files if path.endswith("/services.py") or "/services/" in path and path.endswith("__init__.py"))
    selectors = sorted(path for path in files if path.endswith("/selectors.py") or "/selectors/" in path and path.endswith("__init__.py"))
    if not services:
        models = _concrete_models(code.facts)
        framework = django_model_api() | {"objects", "save", "clean", "delete"} | {name for model in code.facts.external_models for name in model.attributes}
        methods = [
            (model, sorted(name for name in model.attributes - set(model.fields) if name[:1].islower() and name not in framework and not name.endswith("_id")))
            for model in models
        ]
        fat = [(model, names) for model, names in methods if names]
        if models and len(fat) * 2 >= len(models):
            return DraftRule(
                "service-layer", "service_layer", "models.py", "No services module: business logic lives in model, manager and queryset methods",
                ["no services.py module in the repo", f"{len(fat)} of {len(models)} concrete models define methods: "
                 + ", ".join(f"{model.name}.{names[0]} ({model.file}:{model.line})" for model, names in fat[:3])],
            )
        notes.append("service_layer: no services.py module and few model methods; the logic lives in views, which the check has no value for")
        return None
    evidence = [f"{len(services)} services module(s): " + ", ".join(services[:4])]
    if selectors:
        evidence.append(f"{len(selectors)} selectors module(s): " + ", ".join(selectors[:4]))
    return DraftRule("service-layer", "service_layer", "services.py", "Writes and business rules live in the app's services.py", evidence)


def _status_rule(code: _Code, notes: list[str]) -> DraftRule | None:
    text_choices = sorted({(item.file, item.line, item.detail) for item in code.declared.choices_values if item.detail and not item.detail.endswith("CHOICES")})
    tuples = sorted({(item.file, item.detail) for item in code.declared.choices_values if item.detail.endswith("CHOICES")})
    classes = sorted({detail for _, _, detail in text_choices})
    if not classes and not tuples:
        notes.append("status_choices: no TextChoices classes or *_CHOICES tuples")
        return None
    if len(classes) >= len(tuples):
        first = min(text_choices)
        return DraftRule(
            "status-choices", "status_choices", "TextChoices", "Status fields declare their values with a nested TextChoices class",
            [f"{first[0]}:{first[1]} {first[2]}", f"{len(classes)} TextChoices class(es) vs {len(tuples)} *_CHOICES tuple(s)"],
        )
    return DraftRule(
        "status-choices", "status_choices", "plain_strings", "Status values are plain strings in *_CHOICES tuples",
        [f"{tuples[0][0]} {tuples[0][1]}", f"{len(tuples)} *_CHOICES tuple(s) vs {len(classes)} TextChoices class(es)"],
    )


def _camel_rule(code: _Code, notes: list[str]) -> DraftRule | None:
    renderers, where = _framework_setting(code, "DEFAULT_RENDERER_CLASSES")
    camel = [name for name in renderers if "camel" in name.lower()]
    if camel:
        return DraftRule("camel-case-api", "camel_case_api", True, "Python stays snake_case; the API renders camelCase", [f"{where} {camel[0]}"])
    notes.append("camel_case_api: no camelCase renderer in REST_FRAMEWORK")
    return None


def _task_note(code: _Code, notes: list[str]) -> None:
    tasks = code.declared.tasks
    modules = sorted({task.file for task in tasks})
    if tasks:
        notes.append(f"task layout: {len(tasks)} Celery task(s) in {len(modules)} module(s): {', '.join(modules[:5])}")


DRAFTERS = (_pk_rule, _base_model_rule, _pagination_rule, _prefix_rule, _service_rule, _permission_rule, _status_rule, _camel_rule)


def draft_conventions(repo_dir: Path, frontend_dir: str | None = None) -> ConventionsDraft:
    repo_dir = Path(repo_dir).resolve()
    if not repo_dir.is_dir():
        raise InputError("repo folder not found", repo_dir)
    backend, project, frontend, layout_evidence = detect_layout(repo_dir, frontend_dir)
    code = _read_code(repo_facts(repo_dir, (backend, project, frontend)))
    notes: list[str] = []
    rules = [rule for drafter in DRAFTERS if (rule := drafter(code, notes)) is not None]
    _task_note(code, notes)
    return ConventionsDraft(repo_dir.name, backend, project, frontend, layout_evidence, rules, notes)
