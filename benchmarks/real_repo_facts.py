"""Do archbench's repo facts resolve the references a real project's own code makes? (issue 16, section 3)

    python benchmarks/real_repo_facts.py /tmp/realrefs/pretalx-2025.2.2 [more repos ...] [--misses 15] [--invented 200]

A real project's code is full of real references. This script reads them with its own `ast` walk,
independently of `graders/repo_facts.py`, and checks each one against the facts archbench builds
for the repo (`repo_facts(repo)`, layout guessed as for a user's repo without archbench.yaml):

| kind | what counts as a reference (the truth) | found when |
|---|---|---|
| import | every `from <project>.x import Y`, `import <project>.x`, relative imports made absolute | `facts.resolve_symbol("project.x.Y")` finds it |
| model | every model the project's migrations create (`CreateModel`, minus later `DeleteModel`, renames followed), every class with `Meta.abstract = True` in a module importing `django.db` | `facts.model(Name)` has one in that app's package |
| task | every function decorated by a Celery task decorator: `shared_task`/`task` imported from celery, `<app>.task` of an object defined in a module that imports celery or is named `*celery*`, or a repo alias (`nautobot_task = shared_task`) or function that wraps `shared_task`/`<app>.task` | `facts.tasks[name]` is in that module |
| setting | every `settings.NAME` read where `settings` is `django.conf.settings` | `NAME` is a project setting or a Django default |
| route | every `path`/`re_path`/`url` call whose view is not `include(...)`, every `<router>.register(...)` | `facts.urls` has a route at that file and line; `mounted` counts those reachable from ROOT_URLCONF |
| url name | every literal name the code reverses (`reverse("orga:login")`, `reverse_lazy`, DRF's `reverse`) | the name (with its namespaces) is in `facts.url_names`, or is one of Django admin's (`admin:index`, `admin:<app>_<model>_change`) |

Module names are the ones Python imports (the chain of `__init__.py` folders, or the path from a
`manage.py` folder when Django runs from there), so a `src/` layout is judged by `pretalx.event.models`,
not `src.pretalx.event.models`. Vendored copies of other packages (`kolibri/dist/`) are not the project's.

Then the same references go through the grounding grader as a plan that presents each as existing
("Reuse the existing `pretalx.event.models.Event`."): `grounding flags` counts real references it
calls invented. Invented references derived from real ones (a real module with a name it does not
define, a real model/task/setting name with a suffix nobody uses, checked absent from the source
text) go through the same plan form: `invented flagged` counts those grounding catches.
"""

from __future__ import annotations

import argparse
import ast
import os
import random
import re
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from archbench.graders.grounding import grounding_verdict  # noqa: E402
from archbench.graders.plan import parse_plan  # noqa: E402
from archbench.graders.repo_facts import SKIPPED_DIRS, RepoFacts, repo_facts  # noqa: E402

KINDS = ("import", "model", "task", "setting", "route", "url name")
REVERSE_ORIGINS = ("django.urls.reverse", "django.urls.reverse_lazy", "django.core.urlresolvers.reverse", "rest_framework.reverse.reverse")
URL_CALLS = frozenset({"path", "re_path", "url"})
VENDORED = frozenset({"dist", "vendor", "_vendor", "vendored", "third_party", "site-packages"})
INVENTED_SUFFIXES = ("Zeppelin", "Quokka", "Marzipan", "Obelisk")


@dataclass(frozen=True)
class Ref:
    kind: str
    name: str
    """import: dotted path; model: `app_module.Name`; task: `module.name`; setting: NAME; route: `file:line`."""
    where: str
    """file:line of the code that makes the reference."""


@dataclass
class Source:
    file: str
    module: str
    tree: ast.Module
    is_package: bool


@dataclass
class Project:
    root: Path
    sources: dict[str, Source] = field(default_factory=dict)
    """module name → parsed file (migrations included)."""
    text: str = ""

    @property
    def tops(self) -> set[str]:
        """The project's top-level packages (not a standard-library name that a folder happens to carry: a custom
        `db/backends/sqlite3` folder)."""
        return {name.split(".")[0] for name in self.sources} - set(sys.stdlib_module_names)


def _python_module(root: Path, relative: str) -> str | None:
    """The name Python imports the file by: its folders up to the last one without `__init__.py`."""
    parts = relative.removesuffix(".py").split("/")
    folders = parts[:-1]
    start = len(folders)
    while start > 0 and (root / "/".join(folders[:start]) / "__init__.py").is_file():
        start -= 1
    if start == len(folders) and folders:
        return None  # a script in a folder that is not a package
    dotted = [*folders[start:], parts[-1]]
    if dotted[-1] == "__init__":
        dotted.pop()
    return ".".join(dotted) or None


def _manage_py_name(root: Path, relative: str, runs: list[str]) -> str | None:
    """The name a file has for Django run from a `manage.py` folder (`label_studio/core/x.py` → `core.x` when
    `label_studio/manage.py` runs the project), when every folder in between is a package."""
    for run in runs:
        if run and not relative.startswith(run + "/"):
            continue
        inside = relative[len(run) + 1 :] if run else relative
        parts = inside.removesuffix(".py").split("/")
        if all((root / run / "/".join(parts[: size + 1]) / "__init__.py").is_file() for size in range(len(parts) - 1)):
            return ".".join(parts[:-1] if parts[-1] == "__init__" else parts) or None
    return None


def load_project(root: Path) -> Project:
    """Every Python file under `root` but vendored copies of other packages (`kolibri/dist/django/...`)."""
    project = Project(root)
    texts = []
    runs = sorted(
        (path.parent.relative_to(root).as_posix().strip(".") for path in root.rglob("manage.py")
         if not set(path.relative_to(root).parts) & (SKIPPED_DIRS | VENDORED | {"tests", "test", "docs", "example", "examples"})),
        key=len,
    )
    for folder, dirs, names in os.walk(root):
        dirs[:] = sorted(name for name in dirs if name not in SKIPPED_DIRS | VENDORED and not name.endswith(".egg-info"))
        for name in sorted(names):
            if not name.endswith(".py"):
                continue
            relative = (Path(folder) / name).relative_to(root).as_posix()
            module = _manage_py_name(root, relative, runs) or _python_module(root, relative)
            if module is None or not all(part.isidentifier() or part.replace("_", "").isalnum() for part in module.split(".")):
                continue
            try:
                source = (root / relative).read_text(encoding="utf-8")
                tree = ast.parse(source)
            except (SyntaxError, UnicodeDecodeError, ValueError):
                continue
            texts.append(source)
            project.sources.setdefault(module, Source(relative, module, tree, name == "__init__.py"))
    project.text = "\n".join(texts)
    return project


def _absolute(source: Source, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    parts = source.module.split(".")
    base = parts if source.is_package else parts[:-1]
    base = base[: len(base) - node.level + 1] if node.level > 1 else base
    return ".".join([*base, *([node.module] if node.module else [])])


def _dotted(node: ast.AST) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        owner = _dotted(node.value)
        return owner and f"{owner}.{node.attr}"
    return None


def _imports(source: Source) -> dict[str, str]:
    """Local name → what it is bound to (`app` → `mayan.celery.app`, `settings` → `django.conf.settings`)."""
    bound: dict[str, str] = {}
    for node in ast.walk(source.tree):
        if isinstance(node, ast.ImportFrom):
            origin = _absolute(source, node)
            for alias in node.names:
                if alias.name != "*":
                    bound[alias.asname or alias.name] = f"{origin}.{alias.name}"
        elif isinstance(node, ast.Import):
            for alias in node.names:
                bound[alias.asname or alias.name.split(".")[0]] = alias.name if alias.asname else alias.name.split(".")[0]
    return bound


# --- the truth, kind by kind ----------------------------------------------------------------------


def import_refs(project: Project) -> list[Ref]:
    tops = project.tops
    refs: dict[str, Ref] = {}
    for source in project.sources.values():
        for node in ast.walk(source.tree):
            names: list[str] = []
            if isinstance(node, ast.ImportFrom):
                origin = _absolute(source, node)
                if origin.split(".")[0] not in tops or origin == "__future__":
                    continue
                names = [f"{origin}.{alias.name}" for alias in node.names if alias.name != "*"]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names if alias.name.split(".")[0] in tops]
            for name in names:
                refs.setdefault(name, Ref("import", name, f"{source.file}:{node.lineno}"))
    return list(refs.values())


def model_refs(project: Project) -> list[Ref]:
    """Models the migrations create (per app package, in migration order), and abstract model classes."""
    created: dict[str, dict[str, str]] = defaultdict(dict)
    for module in sorted(project.sources):
        source = project.sources[module]
        if ".migrations." not in f".{module}.":
            continue
        app = module.split(".migrations")[0]
        for node in ast.walk(source.tree):
            if not isinstance(node, ast.Call):
                continue
            operation = (_dotted(node.func) or "").rsplit(".", 1)[-1]
            keywords = {keyword.arg: keyword.value for keyword in node.keywords}
            name_node = keywords.get("name") or (node.args[0] if node.args else None)
            name = name_node.value if isinstance(name_node, ast.Constant) and isinstance(name_node.value, str) else None
            if operation == "CreateModel" and name:
                created[app][name.lower()] = f"{source.file}:{node.lineno}|{name}"
            elif operation == "DeleteModel" and name:
                created[app].pop(name.lower(), None)
            elif operation == "RenameModel":
                old, new = keywords.get("old_name"), keywords.get("new_name")
                if len(node.args) >= 2:
                    old, new = node.args[0], node.args[1]
                if isinstance(old, ast.Constant) and isinstance(new, ast.Constant):
                    where = created[app].pop(str(old.value).lower(), f"{source.file}:{node.lineno}|")
                    created[app][str(new.value).lower()] = f"{where.split('|')[0]}|{new.value}"
    refs = []
    for app, models in created.items():
        for where in models.values():
            place, name = where.split("|")
            refs.append(Ref("model", f"{app}.{name}", place))
    for module, source in project.sources.items():
        if ".migrations." in f".{module}." or not any(origin.startswith("django.db.") for origin in _imports(source).values()):
            continue  # an abstract model's module imports Django's models (a factory's or a filter's Meta may be abstract too)
        for node in source.tree.body:
            if not isinstance(node, ast.ClassDef):
                continue
            for inner in node.body:
                if isinstance(inner, ast.ClassDef) and inner.name == "Meta":
                    for statement in inner.body:
                        if (
                            isinstance(statement, ast.Assign)
                            and any(isinstance(target, ast.Name) and target.id == "abstract" for target in statement.targets)
                            and isinstance(statement.value, ast.Constant)
                            and statement.value.value is True
                        ):
                            refs.append(Ref("model", f"{module}.{node.name}", f"{source.file}:{node.lineno}"))
    return refs


def _celery_objects(project: Project) -> set[str]:
    """`module.name` of objects that are Celery apps: assigned from a call in a module that imports celery or is
    named after it (`mayan.celery.app = celery_class(...)`)."""
    found = set()
    for module, source in project.sources.items():
        imports_celery = any(origin.split(".")[0] == "celery" for origin in _imports(source).values())
        if not (imports_celery or "celery" in module.rsplit(".", 1)[-1]):
            continue
        for node in source.tree.body:
            if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call):
                found.update(f"{module}.{target.id}" for target in node.targets if isinstance(target, ast.Name))
    return found


def _is_celery_decorator(dotted: str, bound: dict[str, str], module: str, apps: set[str], wrappers: set[str]) -> bool:
    head, _, rest = dotted.partition(".")
    origin = bound.get(head, f"{module}.{head}")
    full = f"{origin}.{rest}" if rest else origin
    if full in ("celery.shared_task", "celery.task", "celery.decorators.task", "celery.decorators.periodic_task"):
        return True
    if full.endswith(".task") and full.removesuffix(".task") in apps:
        return True
    return full in wrappers


def task_refs(project: Project) -> list[Ref]:
    apps = _celery_objects(project)
    wrappers: set[str] = set()
    for _ in range(2):  # a wrapper of a wrapper
        for module, source in project.sources.items():
            bound = _imports(source)
            for node in source.tree.body:
                if (
                    isinstance(node, ast.Assign)
                    and (dotted := _dotted(node.value))
                    and _is_celery_decorator(dotted, bound, module, apps, wrappers)
                ):
                    wrappers.update(f"{module}.{target.id}" for target in node.targets if isinstance(target, ast.Name))
                if isinstance(node, ast.FunctionDef) and any(
                    isinstance(call, ast.Call)
                    and (dotted := _dotted(call.func))
                    and _is_celery_decorator(dotted, bound, module, apps, wrappers)
                    for statement in node.body
                    for call in ast.walk(statement)
                ):
                    wrappers.add(f"{module}.{node.name}")
    refs = []
    for module, source in project.sources.items():
        bound = _imports(source)
        for node in ast.walk(source.tree):
            if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) or f"{module}.{node.name}" in wrappers:
                continue
            for decorator in node.decorator_list:
                dotted = _dotted(decorator.func if isinstance(decorator, ast.Call) else decorator)
                if dotted and _is_celery_decorator(dotted, bound, module, apps, wrappers):
                    refs.append(Ref("task", f"{module}.{node.name}", f"{source.file}:{node.lineno}"))
                    break
    return refs


def setting_refs(project: Project) -> list[Ref]:
    refs: dict[str, Ref] = {}
    for source in project.sources.values():
        bound = _imports(source)
        local = [name for name, origin in bound.items() if origin == "django.conf.settings"]
        if not local:
            continue
        for node in ast.walk(source.tree):
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in local and node.attr.isupper():
                refs.setdefault(node.attr, Ref("setting", node.attr, f"{source.file}:{node.lineno}"))
    return list(refs.values())


def route_refs(project: Project) -> list[Ref]:
    refs = []
    for module, source in project.sources.items():
        bound = _imports(source)
        routers = set()
        for node in ast.walk(source.tree):
            if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call):
                called = (_dotted(node.value.func) or "").rsplit(".", 1)[-1]
                if called.endswith("Router"):
                    routers.update(target.id for target in node.targets if isinstance(target, ast.Name))
        for node in ast.walk(source.tree):
            if not isinstance(node, ast.Call):
                continue
            dotted = _dotted(node.func) or ""
            origin = bound.get(dotted, "")
            if dotted in URL_CALLS and origin.startswith("django.") and node.args:
                target = node.args[1] if len(node.args) > 1 else next((k.value for k in node.keywords if k.arg == "view"), None)
                if isinstance(target, ast.Call) and (_dotted(target.func) or "").endswith("include"):
                    continue
                refs.append(Ref("route", f"{source.file}:{node.lineno}", f"{source.file}:{node.lineno}"))
            elif dotted.endswith(".register") and dotted.split(".")[0] in routers and len(node.args) >= 2:
                refs.append(Ref("route", f"{source.file}:{node.lineno}", f"{source.file}:{node.lineno}"))
    return refs


def url_name_refs(project: Project) -> list[Ref]:
    """Every literal URL name the code reverses: `reverse("orga:login")`, `reverse_lazy("event-list")`."""
    refs: dict[str, Ref] = {}
    for source in project.sources.values():
        bound = _imports(source)
        for node in ast.walk(source.tree):
            if not (isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant)):
                continue
            dotted = _dotted(node.func) or ""
            if bound.get(dotted) not in REVERSE_ORIGINS or not isinstance(node.args[0].value, str):
                continue
            name = node.args[0].value
            if re.fullmatch(r"[\w.:-]+", name):
                refs.setdefault(name, Ref("url name", name, f"{source.file}:{node.lineno}"))
    return list(refs.values())


# --- what the facts resolve -------------------------------------------------------------------------


def found(facts: RepoFacts, ref: Ref, mounted: set[tuple[str, int]], routes: set[tuple[str, int]]) -> bool:
    if ref.kind == "import":
        return facts.resolve_symbol(ref.name) is not None
    if ref.kind == "model":
        package, _, name = ref.name.rpartition(".")
        return any(model.module == package or model.module.startswith(f"{package}.") for model in facts.models_by_name.get(name, ()))
    if ref.kind == "task":
        module, _, name = ref.name.rpartition(".")
        return name in facts.tasks and facts.tasks[name].module == module
    if ref.kind == "setting":
        return ref.name in facts.settings or ref.name in facts.framework_settings
    if ref.kind == "url name":
        return ref.name in facts.url_names or facts.admin_url_name(ref.name)
    file, _, line = ref.name.rpartition(":")
    return (file, int(line)) in routes


def plan_line(ref: Ref) -> str | None:
    name = ref.name.rsplit(".", 1)[-1]
    if ref.kind == "import":
        return f"- Reuse the existing `{ref.name}` here."
    if ref.kind == "model":
        return f"- Extend the existing `{name}` model."
    if ref.kind == "task":
        return f"- Queue the existing `{name}` task."
    if ref.kind == "setting":
        return f"- Read `settings.{ref.name}` as it is."
    if ref.kind == "url name":
        return f"- Link to the existing page with `reverse(\"{ref.name}\")`."
    return None


def grounding_flags(facts: RepoFacts, refs: list[Ref]) -> tuple[set[Ref], set[Ref]]:
    """(refs grounding verifies, refs it flags as invented), each ref presented as existing in a plan of its own
    kind (plans of 150 lines: what one plan defines cannot exempt another's names)."""
    verified, flagged = set(), set()
    by_kind: dict[str, dict[str, list[Ref]]] = defaultdict(lambda: defaultdict(list))
    for ref in refs:
        if text := plan_line(ref):
            by_kind[ref.kind][text].append(ref)  # refs that read the same (`Event` of two apps) share a line
    for kind, lines in by_kind.items():
        texts = list(lines)
        for start in range(0, len(texts), 150):
            chunk = texts[start : start + 150]
            plan = parse_plan("# Plan\n\n" + "\n".join(chunk) + "\n")
            verdict = grounding_verdict(plan, facts)
            for text, line in zip(chunk, range(3, 3 + len(chunk))):
                items = [item for item in verdict.items if item.line == line]
                if any(not item.met for item in items):
                    flagged.update(lines[text])
                elif items:
                    verified.update(lines[text])
    return verified, flagged


# --- invented references ------------------------------------------------------------------------------


def _module_names(project: Project, module: str) -> set[str] | None:
    """Names module defines or imports (None when it star-imports or defines `__getattr__`: anything may resolve)."""
    source = project.sources.get(module)
    if source is None:
        return None
    names: set[str] = set()
    for node in ast.walk(source.tree):
        if isinstance(node, ast.ImportFrom) and any(alias.name == "*" for alias in node.names):
            return None
        if isinstance(node, (ast.FunctionDef, ast.ClassDef, ast.AsyncFunctionDef)) and node.name == "__getattr__":
            return None
    for statement in source.tree.body:
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(statement.name)
        for node in ast.walk(statement):
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                names.add(node.id)
            elif isinstance(node, (ast.Import, ast.ImportFrom)):
                names.update((alias.asname or alias.name).split(".")[0] for alias in node.names)
    names.update(child.rsplit(".", 1)[-1] for child in project.sources if child.rpartition(".")[0] == module)
    return names


def invented_refs(project: Project, real: dict[str, list[Ref]], count: int, seed: int = 16) -> list[Ref]:
    """`count` references that look real and are not: checked absent from every source file's text."""
    rng = random.Random(seed)
    present = set(re.findall(r"[A-Za-z_]\w*", project.text))
    made: dict[str, Ref] = {}
    shares = {"import": count * 3 // 10, "model": count // 5, "task": count // 10, "setting": count // 5, "url name": count // 10}
    shares["import"] += count - sum(shares.values())
    for kind, share in shares.items():
        pool = list(real.get(kind, ()))
        rng.shuffle(pool)
        attempts = 0
        made_here = 0
        while pool and made_here < share and attempts < share * 20:
            ref = pool[attempts % len(pool)]
            attempts += 1
            suffix = INVENTED_SUFFIXES[attempts % len(INVENTED_SUFFIXES)]
            if kind == "import":
                module, _, name = ref.name.rpartition(".")
                if module not in project.sources:
                    module, name = ref.name, "helper"
                names = _module_names(project, module)
                if names is None:
                    continue
                invented = f"{name}{suffix}" if name[:1].isupper() else f"{name}_{suffix.lower()}"
                if invented in names or invented in present:
                    continue
                new = Ref("import", f"{module}.{invented}", ref.where)
            elif kind == "model":
                package, _, name = ref.name.rpartition(".")
                new = Ref("model", f"{package}.{name}{suffix}", ref.where)
            elif kind == "task":
                module, _, name = ref.name.rpartition(".")
                new = Ref("task", f"{module}.{name}_{suffix.lower()}", ref.where)
            elif kind == "url name":
                new = Ref("url name", f"{ref.name}-{suffix.lower()}", ref.where)
            else:
                new = Ref("setting", f"{ref.name}_{suffix.upper()}", ref.where)
            if new.name.rsplit(".", 1)[-1] in present or new.name in made or (kind == "url name" and new.name.split(":")[-1] in project.text):
                continue
            made[new.name] = new
            made_here += 1
    return list(made.values())


# --- the report ---------------------------------------------------------------------------------------


def measure(root: Path, misses: int, invented_count: int) -> str:
    project = load_project(root)
    facts = repo_facts(root)
    real = {
        "import": import_refs(project),
        "model": model_refs(project),
        "task": task_refs(project),
        "setting": setting_refs(project),
        "route": route_refs(project),
        "url name": url_name_refs(project),
    }
    routes = {(route.file, route.line) for route in facts.urls}
    mounted = {(route.file, route.line) for route in facts.urls if route.mounted}
    all_refs = [ref for kind in KINDS for ref in real[kind]]
    verified, flagged = grounding_flags(facts, all_refs)
    lines = [
        f"### {root.name}",
        "",
        f"backend `{facts.backend_dir}`, {len(facts.modules)} modules in the facts, {len(project.sources)} Python modules read",
        "",
        "| kind | found | total | % | mounted | grounding flags |",
        "|---|---|---|---|---|---|",
    ]
    missed: dict[str, list[Ref]] = {}
    for kind in KINDS:
        refs = real[kind]
        hits = [ref for ref in refs if found(facts, ref, mounted, routes)]
        missed[kind] = [ref for ref in refs if ref not in set(hits)]
        share = f"{100 * len(hits) / len(refs):.1f}" if refs else "n/a"
        on_root = sum(1 for ref in refs if (ref.name.rpartition(":")[0], int(ref.name.rpartition(":")[2])) in mounted) if kind == "route" else ""
        flags = sum(1 for ref in refs if ref in flagged) if plan_line(Ref(kind, "x", "")) else ""
        lines.append(f"| {kind} | {len(hits)} | {len(refs)} | {share} | {on_root} | {flags} |")
    extra_tasks = sorted(set(facts.tasks) - {ref.name.rsplit(".", 1)[-1] for ref in real["task"]})
    lines.append("")
    lines.append(f"Tasks the facts list that are not Celery tasks: {len(extra_tasks)}" + (f" ({', '.join(extra_tasks[:10])})" if extra_tasks else ""))
    invented = invented_refs(project, real, invented_count)
    _, caught = grounding_flags(facts, invented)
    by_kind = Counter(ref.kind for ref in invented)
    caught_by_kind = Counter(ref.kind for ref in caught)
    lines.append(
        f"Invented references flagged by grounding: {len(caught)}/{len(invented)} ("
        + ", ".join(f"{kind} {caught_by_kind[kind]}/{by_kind[kind]}" for kind in by_kind)
        + ")"
    )
    escaped = [ref for ref in invented if ref not in caught]
    if escaped:
        lines.append("Invented and not flagged: " + ", ".join(f"`{ref.name}`" for ref in escaped[:misses]))
    for kind in KINDS:
        if missed[kind] and misses:
            shown = missed[kind][:misses]
            lines.append(f"\nMissed {kind} ({len(missed[kind])}): " + "; ".join(f"`{ref.name}` ({ref.where})" for ref in shown))
    real_flagged = [ref for ref in all_refs if ref in flagged]
    if real_flagged and misses:
        lines.append("\nReal references grounding flags: " + "; ".join(f"`{ref.name}` ({ref.where})" for ref in real_flagged[:misses]))
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("repos", nargs="+", type=Path, help="unpacked project folders")
    parser.add_argument("--misses", type=int, default=15, help="misses listed per kind (0: none)")
    parser.add_argument("--invented", type=int, default=200, help="invented references per project")
    args = parser.parse_args(argv)
    for repo in args.repos:
        print(measure(repo.resolve(), args.misses, args.invented))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
