"""What the graders see in a repo, and what they cannot follow or check (`archbench repo check`).

`survey_repo(repo_dir, config)` reads the repo twice: once as the graders do (`repo_facts`), and once
from what the code itself declares, with a plain `ast` pass over every backend module: Celery tasks
(`@shared_task`, `@app.task` wherever they sit), URL patterns (`path()` calls, list splats), package
re-exports (`from .x import Name` in an `__init__.py`), permission decorators and paginator classes.
Whatever the code declares and the graders' facts lack is a *problem*: a plan that cites it would be
misgraded (an existing task called invented, an existing endpoint treated as new).

The repo's conventions are checked the same way, with the graders' own predicates: each rule is
run on a probe plan written to follow it (`PROBES`); a rule its own probe cannot meet can never be
met by any plan. General rules (graders/general_conventions.yaml) that the repo's own code breaks
are reported too: a plan that follows the repo would fail them.

`draft_conventions(repo_dir)` (`archbench repo init`) writes a conventions file from what the repo
does, each rule with the evidence it was drawn from as YAML comments, for the user to confirm.
"""

from __future__ import annotations

import ast
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Literal

from archbench.core.repo_config import Convention, RepoConfig
from archbench.graders.conventions import REPO_CHECKS, RuleContext, plan_proposals
from archbench.graders.plan import parse_plan
from archbench.graders.repo_facts import (
    SKIPPED_DIRS,
    TASK_DECORATORS,
    URL_FUNCTIONS,
    RepoFacts,
    absolute_import,
    dotted_name,
    installed_tree,
    last_part,
    module_name,
    repo_facts,
)

Level = Literal["problem", "warning"]
SNAKE_VALUE = re.compile(r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$")


@dataclass(frozen=True)
class Finding:
    level: Level
    kind: str
    where: str
    """`file:line` in the repo (or the conventions file), `-` when nothing in particular."""
    message: str

    def to_text(self) -> str:
        return f"{self.level.upper():<8} {self.kind:<20} {self.where}: {self.message}"


@dataclass(frozen=True)
class Declared:
    """Something the code declares, found by the survey's own pass."""

    name: str
    module: str
    file: str
    line: int
    detail: str = ""


@dataclass
class CodeDeclarations:
    tasks: list[Declared] = field(default_factory=list)
    url_calls: list[Declared] = field(default_factory=list)
    """`path()`/`re_path()`/`url()` calls in modules that assign `urlpatterns` (name: the route string)."""
    splats: list[Declared] = field(default_factory=list)
    """`*name` in a `urlpatterns` list, name imported from module `detail`."""
    reexports: list[Declared] = field(default_factory=list)
    """Names an `__init__.py` imports from elsewhere (module: the package; detail: where from)."""
    permission_decorators: list[Declared] = field(default_factory=list)
    paginators: list[Declared] = field(default_factory=list)
    choices_values: list[Declared] = field(default_factory=list)
    """String values of TextChoices members and of `*_CHOICES` tuples (name: the value)."""


def _decorator_name(decorator: ast.expr) -> str | None:
    return dotted_name(decorator.func if isinstance(decorator, ast.Call) else decorator)


def _backend_modules(facts: RepoFacts) -> list[tuple[str, str, ast.Module]]:
    """(module, file, tree) of every parseable backend module, migrations and tests left out."""
    prefix = facts.backend_dir.strip("/")
    found = []
    for relative in sorted(facts.files):
        if not relative.endswith(".py") or "/migrations/" in f"/{relative}":
            continue
        if prefix not in ("", ".") and not relative.startswith(prefix + "/"):
            continue
        parts = PurePosixPath(relative).parts
        if any(part in SKIPPED_DIRS or part == "tests" for part in parts) or parts[-1].startswith("test_"):
            continue  # test modules: plans do not cite them
        try:
            tree = ast.parse((facts.repo_dir / relative).read_text(encoding="utf-8"), filename=relative)
        except (OSError, SyntaxError, UnicodeDecodeError, ValueError):
            continue
        found.append((module_name(facts.backend_dir, relative), relative, tree))
    return found


def declarations(facts: RepoFacts) -> CodeDeclarations:
    """What the backend's code declares, read without the graders' file-name conventions."""
    found = CodeDeclarations()
    for module, file, tree in _backend_modules(facts):
        is_package = file.endswith("__init__.py")
        imported: dict[str, str] = {}
        for node in tree.body:
            if isinstance(node, ast.ImportFrom):
                source = absolute_import(module, is_package, node)
                for alias in node.names:
                    imported[alias.asname or alias.name] = source
                    if is_package and source and source != module:
                        found.reexports.append(Declared(alias.asname or alias.name, module, file, node.lineno, source))
        task_factories = {  # decorators of the module's own that wrap the function in shared_task / app.task
            node.name
            for node in tree.body
            if isinstance(node, ast.FunctionDef)
            and any(
                isinstance(call, ast.Call) and _decorator_name(call) and last_part(_decorator_name(call)) in TASK_DECORATORS
                for call in ast.walk(node)
            )
        }
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                for decorator in node.decorator_list:
                    name = _decorator_name(decorator)
                    if name and (last_part(name) in TASK_DECORATORS or name in task_factories):
                        found.tasks.append(Declared(node.name, module, file, node.lineno, name))
                    elif name and "permission" in last_part(name).lower():
                        found.permission_decorators.append(Declared(last_part(name), module, file, decorator.lineno, node.name))
            elif isinstance(node, ast.ClassDef):
                bases = [last_part(base) for base in (dotted_name(item) for item in node.bases) if base]
                methods = {item.name for item in node.body if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef))}
                if node.name.endswith(("Pagination", "Paginator")) or "paginate" in methods or any(
                    base.endswith(("Pagination", "Paginator")) for base in bases
                ):
                    found.paginators.append(Declared(node.name, module, file, node.lineno, ", ".join(bases)))
                if any(base.endswith("TextChoices") for base in bases):
                    for item in node.body:
                        value = item.value if isinstance(item, ast.Assign) else None
                        if isinstance(value, ast.Constant) and isinstance(value.value, str):
                            found.choices_values.append(Declared(value.value, module, file, item.lineno, node.name))
                        elif isinstance(value, ast.Tuple) and value.elts and isinstance(value.elts[0], ast.Constant) and isinstance(value.elts[0].value, str):
                            found.choices_values.append(Declared(value.elts[0].value, module, file, item.lineno, node.name))
        for node in tree.body:
            targets = [target.id for target in getattr(node, "targets", []) if isinstance(target, ast.Name)]
            if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
                targets = [node.target.id]
            value = getattr(node, "value", None)
            if "urlpatterns" in targets and value is not None:
                for child in ast.walk(value):
                    if isinstance(child, ast.Starred) and isinstance(child.value, ast.Name) and child.value.id in imported:
                        found.splats.append(Declared(child.value.id, module, file, child.lineno, imported[child.value.id]))
            if any(target.endswith("CHOICES") for target in targets) and isinstance(value, (ast.Tuple, ast.List)):
                for pair in value.elts:
                    if isinstance(pair, (ast.Tuple, ast.List)) and pair.elts and isinstance(pair.elts[0], ast.Constant):
                        if isinstance(pair.elts[0].value, str):
                            found.choices_values.append(Declared(pair.elts[0].value, module, file, pair.lineno, targets[0]))
        if any("urlpatterns" in [t.id for t in getattr(node, "targets", []) if isinstance(t, ast.Name)] for node in tree.body):
            for node in ast.walk(tree):
                if isinstance(node, ast.Call) and _decorator_name(node) and last_part(_decorator_name(node)) in URL_FUNCTIONS and node.args:
                    route = node.args[0].value if isinstance(node.args[0], ast.Constant) else None
                    target = node.args[1] if len(node.args) > 1 else None
                    includes = isinstance(target, ast.Call) and _decorator_name(target) and last_part(_decorator_name(target)) == "include"
                    if isinstance(route, str) and not includes:  # an include() mounts other routes, it is none itself
                        found.url_calls.append(Declared(route, module, file, node.lineno))
    return found


# --- probes: a plan written to follow each repo rule -----------------------------------------------

PROBES: dict[str, str] = {
    "base_model": """## New model `ProbeRecord`

`ProbeRecord({value})` is a new model.

```python
class ProbeRecord({value}):
    label = models.CharField(max_length=40)
```
""",
    "pk_type": """## New model `ProbeRecord`

```python
class ProbeRecord(models.Model):
{pk}    label = models.CharField(max_length=40)
```
""",
    "pagination": """## Endpoints

| Method | Path | Notes |
|---|---|---|
| GET | /api/probe-records/ | new list endpoint, paginated with `{value}` |
""",
    "api_prefix": """## Endpoints

| Method | Path | Notes |
|---|---|---|
| POST | {value}probe-records/ | new endpoint: creates a probe record |
""",
    "service_layer": """## Endpoints

| Method | Path | Notes |
|---|---|---|
| POST | /api/probe-records/ | new endpoint; the logic lives in `{value}` (`{stem}.probe_record_create(...)`) |
""",
    "permission_class": """## Endpoints

| Method | Path | Notes |
|---|---|---|
| POST | /api/probe-records/ | new endpoint, protected by `{value}` |
""",
}


def _probe_plan(convention: Convention) -> str | None:
    template = PROBES.get(convention.check)
    if template is None:
        return None
    value = str(convention.value)
    pk = "    id = models.UUIDField(primary_key=True, default=uuid.uuid4)\n" if value == "uuid" else ""
    return template.format(value=value, stem=value.removesuffix(".py"), pk=pk)


def never_matching(facts: RepoFacts, conventions: list[Convention] | tuple[Convention, ...]) -> list[tuple[Convention, str]]:
    """Rules that the graders' own predicate does not meet on a plan written to follow them."""
    found = []
    for convention in conventions:
        text = _probe_plan(convention)
        if text is None:
            continue
        plan = parse_plan(text)
        outcome = REPO_CHECKS[convention.check](RuleContext(plan, facts, plan_proposals(plan, facts)), convention.value)
        if outcome is None:
            found.append((convention, "the rule never applies, even to a plan that does what it governs"))
        elif not outcome[0]:
            found.append((convention, outcome[2]))
    return found



def _framework_names() -> frozenset[str]:
    """Top-level names of DRF's pagination and permissions modules (valid values though not in the repo)."""
    names: set[str] = set()
    for stem in ("pagination", "permissions"):
        tree = installed_tree("rest_framework", f"{stem}.py")
        for node in tree.body if tree else ():
            if isinstance(node, (ast.ClassDef, ast.FunctionDef)):
                names.add(node.name)
    return frozenset(names)


def _repo_names(facts: RepoFacts) -> frozenset[str]:
    return frozenset(facts.classes) | frozenset(name for names in facts.modules.values() for name in names)


def _in_tasks_module(file: str) -> bool:
    return file.endswith("/tasks.py") or file == "tasks.py" or "/tasks/" in f"/{file}"


def _where(file: str, line: int) -> str:
    return f"{file}:{line}"


def _sample(items: list[str], limit: int = 5) -> str:
    shown = ", ".join(items[:limit])
    return shown + (f" … (+{len(items) - limit})" if len(items) > limit else "")


@dataclass
class RepoSurvey:
    facts: RepoFacts
    config: RepoConfig | None
    conventions_file: Path | None
    declared: CodeDeclarations
    findings: list[Finding]

    @property
    def problems(self) -> list[Finding]:
        return [finding for finding in self.findings if finding.level == "problem"]

    @property
    def warnings(self) -> list[Finding]:
        return [finding for finding in self.findings if finding.level == "warning"]

    def to_text(self) -> str:
        facts = self.facts
        out: list[str] = [
            f"repo: {facts.repo_dir}",
            f"  backend: {facts.backend_dir}   frontend: {facts.frontend_dir or '-'}   "
            f"conventions: {self.conventions_file or 'none (layout guessed)'}",
            f"apps ({len(facts.apps)}):",
        ]
        out += [f"  {app.label:<20} {app.module:<40} {'installed' if app.installed else 'NOT in INSTALLED_APPS'}" for app in facts.apps.values()]
        out.append(f"models ({len(facts.models)}):")
        for model in facts.models:
            fields = ", ".join(f"{name} {item.type}" for name, item in model.fields.items())
            abstract = " (abstract)" if model.abstract else ""
            out.append(f"  {model.label}{abstract}  {_where(model.file, model.line)}  bases: {', '.join(model.bases)}")
            out.append(f"      fields: {fields}")
        out.append(f"routes ({len(facts.urls)}):")
        for route in facts.urls:
            mounted = "" if route.mounted else "  (module-relative: never included from ROOT_URLCONF)"
            out.append(f"  {route.path:<50} view: {route.view or '-':<32} name: {route.name or '-':<28} {_where(route.file, route.line)}{mounted}")
        out.append(f"celery tasks ({len(facts.tasks)}):")
        for task in facts.tasks.values():
            options = ", ".join(f"{key}={value}" for key, value in task.options.items())
            out.append(f"  {task.name:<36} {task.module:<40} {_where(task.file, task.line)}  {options}")
        framework = facts.setting_values.get("REST_FRAMEWORK")
        framework = framework if isinstance(framework, dict) else {}
        out.append(f"settings ({len(facts.settings)} names read):")
        for key in ("ROOT_URLCONF", "AUTH_USER_MODEL", "DEFAULT_AUTO_FIELD"):
            out.append(f"  {key}: {facts.setting_values.get(key, '-')}")
        out.append(f"  INSTALLED_APPS: {len(facts.installed_apps)} entries")
        out.append("pagination:")
        out.append(f"  REST_FRAMEWORK DEFAULT_PAGINATION_CLASS: {framework.get('DEFAULT_PAGINATION_CLASS', '-')}")
        out += [f"  class {item.name} ({item.detail or 'no bases'})  {_where(item.file, item.line)}" for item in self.declared.paginators]
        used = Counter(view.pagination_class for view in facts.views.values() if view.pagination_class)
        out += [f"  pagination_class = {name} on {count} view(s)" for name, count in used.most_common()]
        out.append("permissions:")
        out.append(f"  REST_FRAMEWORK DEFAULT_PERMISSION_CLASSES: {framework.get('DEFAULT_PERMISSION_CLASSES', '-')}")
        classes = Counter(name for view in facts.views.values() for name in view.permission_classes)
        out += [f"  permission_classes holds {name} on {count} view(s)" for name, count in classes.most_common()]
        for name, group in sorted(facts.classes.items()):
            if name not in facts.views and any("permission_classes" in cls.attributes for cls in group):
                children = [view for view in facts.views.values() if view.name != name and facts.is_subclass(view.name, name)]
                if children:
                    out.append(f"  {name} sets permission_classes; {len(children)} view(s) derive from it  {_where(group[0].file, group[0].line)}")
        decorators = Counter(item.name for item in self.declared.permission_decorators)
        out += [f"  @{name} decorates {count} view function(s)/method(s)" for name, count in decorators.most_common()]
        out.append(f"findings ({len(self.problems)} problem(s), {len(self.warnings)} warning(s)):")
        out += [f"  {finding.to_text()}" for finding in self.findings] or ["  none"]
        return "\n".join(out)

    def to_json(self) -> dict:
        facts = self.facts
        return {
            "repo": str(facts.repo_dir),
            "apps": [app.label for app in facts.apps.values()],
            "models": {model.label: {name: item.type for name, item in model.fields.items()} for model in facts.models},
            "routes": [{"path": route.path, "view": route.view, "name": route.name, "mounted": route.mounted} for route in facts.urls],
            "tasks": {task.name: task.module for task in facts.tasks.values()},
            "findings": [finding.__dict__ for finding in self.findings],
        }


def survey_repo(repo_dir: Path, config: RepoConfig | None = None, conventions_file: Path | None = None) -> RepoSurvey:
    """What the graders see in `repo_dir` (read with `config`'s layout when given) and what they miss."""
    facts = repo_facts(repo_dir, config.layout if config else None)
    declared = declarations(facts)
    findings = [
        *_code_findings(facts, declared),
        *_settings_findings(facts, declared),
        *_general_rule_findings(facts, declared, config),
    ]
    if config is not None:
        findings += _convention_findings(facts, config, conventions_file, declared)
    findings.sort(key=lambda finding: finding.level != "problem")
    return RepoSurvey(facts, config, conventions_file, declared, findings)


def _code_findings(facts: RepoFacts, declared: CodeDeclarations) -> list[Finding]:
    findings: list[Finding] = []
    for task in declared.tasks:
        if task.name not in facts.tasks:
            findings.append(Finding(
                "problem", "unfollowed-task", _where(task.file, task.line),
                f"@{task.detail} task `{task.name}` ({task.module}) is not among the graders' Celery tasks: "
                "a plan that names it is flagged as inventing it",
            ))
    seen_routes = {(route.file, route.line) for route in facts.urls}
    calls_by_file: dict[str, list[Declared]] = {}
    for call in declared.url_calls:
        calls_by_file.setdefault(call.file, []).append(call)
    file_of = {module: file for module, file in ((item.module, item.file) for item in declared.url_calls)}
    reported: set[str] = set()
    for splat in declared.splats:
        source_file = file_of.get(splat.detail)
        calls = calls_by_file.get(source_file or "", [])
        missing = [call for call in calls if (call.file, call.line) not in seen_routes]
        if source_file is None or missing:
            count = f"{len(missing)} of its {len(calls)} routes are" if calls else "its routes are"
            findings.append(Finding(
                "problem", "unfollowed-splat", _where(splat.file, splat.line),
                f"`*{splat.name}` splats a URL list from {splat.detail}; {count} not seen by the graders "
                "(an existing endpoint is then taken for a new one)",
            ))
            if source_file:
                reported.add(source_file)
    for file, calls in calls_by_file.items():
        missing = [call for call in calls if (call.file, call.line) not in seen_routes]
        if missing and file not in reported:
            findings.append(Finding(
                "problem", "unfollowed-routes", _where(file, missing[0].line),
                f"{len(missing)} of {len(calls)} path() routes of this URL module are not seen by the graders "
                f"(first: '{missing[0].name}')",
            ))
    unmounted = sorted({route.file for route in facts.urls if not route.mounted})
    if unmounted and isinstance(facts.setting_values.get("ROOT_URLCONF"), str):
        for file in unmounted:
            findings.append(Finding(
                "warning", "unmounted-urls", file,
                "never included from ROOT_URLCONF as far as the graders can follow: its paths are read without the prefix they are mounted at",
            ))
    by_package: dict[tuple[str, str], list[Declared]] = {}
    modules = set(facts.modules)
    for item in declared.reexports:
        if item.detail not in modules:
            continue
        names = sorted(facts.modules[item.detail]) if item.name == "*" else [item.name]
        missing = [
            name for name in names
            if name not in facts.modules.get(item.module, frozenset()) and facts.resolve_symbol(f"{item.module}.{name}") is None
        ]
        for name in missing:
            by_package.setdefault((item.module, item.file), []).append(Declared(name, item.module, item.file, item.line, item.detail))
    for (package, file), items in by_package.items():
        findings.append(Finding(
            "problem", "unresolved-reexport", _where(file, items[0].line),
            f"{len(items)} name(s) this package re-exports are unknown to the graders under `{package}`: "
            f"{_sample([f'{package}.{item.name}' for item in items])}: a plan citing the import path the code uses is flagged",
        ))
    return findings


def _settings_findings(facts: RepoFacts, declared: CodeDeclarations) -> list[Finding]:
    findings: list[Finding] = []
    assigned: dict[str, tuple[str, int]] = {}
    for _module, file, tree in _backend_modules(facts):
        for node in tree.body:
            for target in getattr(node, "targets", []):
                if isinstance(target, ast.Name) and target.id in ("INSTALLED_APPS", "ROOT_URLCONF", "REST_FRAMEWORK"):
                    assigned.setdefault(target.id, (file, node.lineno))
    for name, (file, line) in sorted(assigned.items()):
        if name not in facts.settings:
            findings.append(Finding(
                "problem", "unread-settings", _where(file, line),
                f"assigns {name}, but the graders do not read this module as settings "
                "(installed apps, third-party models, the URL tree and REST_FRAMEWORK defaults stay unknown)",
            ))
    if "ROOT_URLCONF" not in assigned and "ROOT_URLCONF" not in facts.settings:
        findings.append(Finding("warning", "no-root-urlconf", "-", "no ROOT_URLCONF found: routes are read module by module, without their mount prefixes"))
    return findings


def _general_rule_findings(facts: RepoFacts, declared: CodeDeclarations, config: RepoConfig | None) -> list[Finding]:
    findings: list[Finding] = []
    disabled = set(config.disable_general) if config is not None else set()
    outside = [task for task in declared.tasks if not _in_tasks_module(task.file)]
    if outside and "tasks-in-tasks-module" not in disabled:
        findings.append(Finding(
            "problem", "contradicts-repo", _where(outside[0].file, outside[0].line),
            f"general rule `tasks-in-tasks-module` (Celery tasks live in the app's tasks.py): {len(outside)} of the repo's "
            f"{len(declared.tasks)} tasks live elsewhere ({_sample(sorted({task.file for task in outside}), 3)}); a plan that "
            "puts a new task beside them fails the rule (switch it off for this repo: `disable_general: [tasks-in-tasks-module]`)",
        ))
    odd = [value for value in declared.choices_values if not SNAKE_VALUE.match(value.name)]
    declares = config is not None and any(rule.check == "status_choices" for rule in config.conventions)
    if odd and (declares or "snake-case-status-values" not in disabled):
        rule = "repo rule `status_choices`" if declares else "general rule `snake-case-status-values`"
        findings.append(Finding(
            "problem", "contradicts-repo", _where(odd[0].file, odd[0].line),
            f"{rule} wants snake_case status values, but the repo's own choices hold {len(odd)} that are not "
            f"({_sample([f'{value.detail}: {value.name!r}' for value in odd], 3)}); a plan that reuses them fails it"
            + ("" if declares else " (switch it off for this repo: `disable_general: [snake-case-status-values]`)"),
        ))
    return findings


def _convention_findings(facts: RepoFacts, config: RepoConfig, conventions_file: Path | None, declared: CodeDeclarations) -> list[Finding]:
    findings: list[Finding] = []
    where = str(conventions_file) if conventions_file else "conventions"
    for convention, why in never_matching(facts, config.conventions):
        findings.append(Finding(
            "problem", "never-matches", where,
            f"rule `{convention.id}` ({convention.check}: {convention.value}) is not met even by a plan written to follow it "
            f"(the grader says: {why}); every plan it applies to loses this item",
        ))
    known = _repo_names(facts) | _framework_names()
    for convention in config.conventions:
        value = convention.value
        if convention.check in ("base_model", "pagination", "permission_class") and isinstance(value, str) and value not in known:
            findings.append(Finding("warning", "unknown-value", where, f"rule `{convention.id}`: `{value}` is neither a class nor a function of the repo or of DRF"))
        if convention.check == "base_model" and value in facts.classes:
            concrete = [model for model in facts.models if not model.abstract and model.name != value]
            if concrete and not any(facts.is_subclass(model.name, str(value)) for model in concrete):
                findings.append(Finding("problem", "contradicts-repo", where, f"rule `{convention.id}`: no model of the repo derives from {value}"))
        if convention.check == "pk_type":
            uuid = [model for model in facts.models if not model.abstract and any(item.primary_key and item.type == "UUIDField" for item in model.fields.values())]
            concrete = [model for model in facts.models if not model.abstract]
            majority = "uuid" if len(uuid) * 2 > len(concrete) else "bigint"
            if concrete and majority != value:
                findings.append(Finding(
                    "problem", "contradicts-repo", where,
                    f"rule `{convention.id}` says {value}, but {len(uuid)} of the repo's {len(concrete)} models have a UUID primary key",
                ))
        if convention.check == "api_prefix" and isinstance(value, str):
            mounted = [route for route in facts.urls if route.mounted and route.view]
            prefix = "/" + value.strip("/") + "/"
            if mounted and not any(route.path.startswith(prefix) for route in mounted):
                findings.append(Finding("problem", "contradicts-repo", where, f"rule `{convention.id}`: no route of the repo is under {prefix}"))
        if convention.check == "service_layer" and isinstance(value, str):
            if not any(path.rsplit("/", 1)[-1] == value for path in facts.files):
                findings.append(Finding("warning", "unknown-value", where, f"rule `{convention.id}`: the repo has no {value} module"))
    return findings
