"""What a sample repo's Django backend contains, read statically with `ast` (Django is never imported).

`repo_facts(repo_dir)` builds the symbol table the conventions and grounding graders check a
plan against: apps, models (fields, Meta indexes and constraints, reverse relations), serializers,
views, URL routes and names, Celery tasks, settings, module-level symbols and every file path.
It is computed once per repo path and cached (the sample repos do not change during a run).

Models of third-party apps listed in INSTALLED_APPS (`django.contrib.auth` → `User`, `Group`;
`rest_framework.authtoken` → `Token`) are read the same way from their installed source, found
with `importlib.util.find_spec` on the top-level package, which locates without importing.
INSTALLED_APPS entries whose package is not installed here (`django_celery_beat` when archbench's
environment lacks it) are listed in `uninstalled_apps`: their models cannot be read, so graders
treat names under them as unknown, never as invented.

Real layouts are followed, not only the sample repos' (issue 16):
- settings: the module named by `DJANGO_SETTINGS_MODULE` in manage.py/wsgi.py/asgi.py and every
  repo module it star-imports (`from config.settings.celery import *`), besides `settings*.py`;
- Celery tasks: functions decorated with `@shared_task`, `@app.task`, `@<name>.task` or
  `@periodic_task` and classes deriving from Celery's `Task`, in any module (`bgtasks/*_task.py`);
- URLs: `urlpatterns` built from list splats (`[*issue_urls, ...]`), `+=`, `+`, `include()` of a
  module name, of a module object or of a list, with list names imported from other modules
  (`from .issue import urlpatterns as issue_urls`) followed to their module;
- re-exports: `exports` maps each module to the names it imports (`from .issue import Issue` in
  `db/models/__init__.py`), so `resolve_symbol("proj.db.models.Issue")` finds the class where it
  is defined; `__all__` entries count as names of the module.

And the layouts `benchmarks/real_repo_facts.py` found in real projects (pretalx, Label Studio, Nautobot,
Mayan EDMS, wger, Kolibri, openwisp-notifications):
- without archbench.yaml the backend folder is `backend/`, else the folder of the shallowest `manage.py`
  (`src/manage.py`; `label_studio/manage.py` inside the package, whose modules then resolve under both
  `core.utils` and `label_studio.core.utils`), else a `src/` folder;
- names bound in top-level `if`/`try`/`with` blocks count, and a name a module imports from outside the repo
  (`from swapper import load_model as swapper_load_model`) exists there; `migrations/__init__.py` helpers too;
- URLs: project router classes (any `*Router()`), routes added in `if` blocks, lists passed through calls
  (`i18n_patterns(*patterns)`) or returned by a repo function (`urlpatterns = get_urls()`), URLconfs not named
  `urls.py` (any module assigning `urlpatterns`), namespaces (`app_name`, `include(..., namespace=)`);
- tasks: aliases and wrappers of Celery's decorators (`nautobot_task = shared_task`), never invoke's `@task`;
- models: a class assigning `models.*Field` is a model whatever its base (`MPTTModel`, `UUIDModel` from packages
  not installed here), and `HistoricalRecords()` (django-simple-history) adds `Historical<Model>`.
"""

from __future__ import annotations

import ast
import importlib.util
import os
import re
from collections.abc import Callable, Hashable, Iterator
from dataclasses import dataclass, field, replace
from functools import cached_property, lru_cache
from pathlib import Path, PurePosixPath
from typing import TypeVar

from archbench.core.repo_config import CONVENTIONS_FILE, load_repo_config

SKIPPED_DIRS = frozenset(
    {".git", "node_modules", "__pycache__", ".nuxt", ".output", ".venv", "venv", ".pytest_cache", ".mypy_cache"}
)
RELATION_TYPES = frozenset({"ForeignKey", "OneToOneField", "ManyToManyField"})
LIST_VIEW_BASES = frozenset(
    {"ModelViewSet", "ReadOnlyModelViewSet", "ListModelMixin", "ListAPIView", "ListCreateAPIView"}
)
T = TypeVar("T")
ROUTER_CLASSES = frozenset({"DefaultRouter", "SimpleRouter"})
URL_FUNCTIONS = frozenset({"path", "re_path", "url"})
TASK_DECORATORS = frozenset({"shared_task", "task", "periodic_task"})
ADMIN_URL_NAMES = frozenset(
    {"index", "login", "logout", "password_change", "password_change_done", "jsi18n", "app_list", "view_on_site", "autocomplete"}
)
"""URL names of Django's admin site itself (`admin:index`); per-model ones are `admin:<app>_<model>_changelist` etc."""
EXAMPLE_DIRS = frozenset({"tests", "test", "docs", "doc", "example", "examples", "sandbox", "demo", "scripts"})
"""Folders whose `manage.py` runs a test or demo project, not the repo's backend."""
SETTINGS_ENTRY_FILES = ("manage.py", "wsgi.py", "asgi.py", "celery.py")


@dataclass(frozen=True)
class ClassFacts:
    name: str
    module: str
    file: str
    line: int
    bases: tuple[str, ...]
    """Base classes as written, dotted (`models.Model`, `TimeStampedModel`)."""
    attributes: frozenset[str]
    """Names defined in the class body: methods, properties, class attributes, fields."""


@dataclass(frozen=True)
class FieldFacts:
    name: str
    type: str
    """Django field class, e.g. `ForeignKey`, `CharField`."""
    line: int
    target: str | None = None
    """Related model class name for relations (`self` resolved; `AUTH_USER_MODEL` kept as written)."""
    related_name: str | None = None
    primary_key: bool = False
    has_choices: bool = False


@dataclass(frozen=True)
class ConstraintFacts:
    kind: str
    """`unique`, `check` or `exclusion`."""
    fields: tuple[str, ...]
    name: str | None
    line: int


@dataclass(frozen=True)
class ModelFacts:
    name: str
    app: str
    module: str
    file: str
    line: int
    bases: tuple[str, ...]
    abstract: bool
    fields: dict[str, FieldFacts]
    """Own and inherited concrete fields, including the implicit `id` primary key."""
    indexes: tuple[tuple[str, ...], ...]
    constraints: tuple[ConstraintFacts, ...]
    attributes: frozenset[str]
    """Own and inherited methods, properties, managers and other class attributes."""
    reverse_relations: dict[str, str] = field(default_factory=dict)
    """Accessor name → `Model.field` of the relation pointing here (`appointments` → `Appointment.patient`)."""
    external: bool = False
    """Defined by an installed third-party app, not in the repo."""

    @property
    def label(self) -> str:
        return f"{self.app}.{self.name}"

    def has_attribute(self, name: str) -> bool:
        return name in {"pk", "objects", "DoesNotExist", "MultipleObjectsReturned"} or (
            name in self.fields or name in self.attributes or name in self.reverse_relations
        )


@dataclass(frozen=True)
class SerializerFacts:
    name: str
    module: str
    file: str
    line: int
    model: str | None
    fields: tuple[str, ...]
    """`Meta.fields` (or `("__all__",)`) followed by fields declared on the class."""


@dataclass(frozen=True)
class ViewFacts:
    name: str
    module: str
    file: str
    line: int
    bases: tuple[str, ...]
    model: str | None
    """Model of the class-level `queryset`, when it has one."""
    serializer_class: str | None
    permission_classes: tuple[str, ...]
    pagination_class: str | None
    actions: tuple[str, ...]
    """Methods decorated with DRF's `@action`."""
    lists: bool
    """Has a list route (ModelViewSet, ListAPIView, ListModelMixin, …)."""


@dataclass(frozen=True)
class UrlRoute:
    path: str
    """Full path from the root URLconf, e.g. `/api/appointments/{pk}/cancel/`."""
    name: str | None
    view: str | None
    file: str
    line: int
    mounted: bool = True
    """False for a urls module the root URLconf never includes (its path is then module-relative)."""
    namespace: str = ""
    """The URL namespaces the route sits under, `:`-joined (`orga`, `core:user`): `reverse("orga:login")`."""

    @property
    def full_name(self) -> str | None:
        return f"{self.namespace}:{self.name}" if self.namespace and self.name else self.name


@dataclass(frozen=True)
class TaskFacts:
    name: str
    module: str
    file: str
    line: int
    options: dict[str, str]
    """Decorator keyword arguments as source text (`max_retries` → `4`)."""


@dataclass(frozen=True)
class AppFacts:
    label: str
    module: str
    path: str
    """Folder relative to the repo root."""
    installed: bool


@dataclass(frozen=True)
class RepoFacts:
    repo_dir: Path
    backend_dir: str
    frontend_dir: str | None
    files: frozenset[str]
    """Every file path relative to the repo root (POSIX), build and VCS folders excepted."""
    apps: dict[str, AppFacts]
    installed_apps: tuple[str, ...]
    models: tuple[ModelFacts, ...]
    external_models: tuple[ModelFacts, ...]
    serializers: dict[str, SerializerFacts]
    views: dict[str, ViewFacts]
    urls: tuple[UrlRoute, ...]
    tasks: dict[str, TaskFacts]
    settings: dict[str, int]
    """Setting name → line in the project's settings module(s)."""
    setting_values: dict[str, object]
    """Settings whose value is a Python literal (INSTALLED_APPS, REST_FRAMEWORK, …)."""
    framework_settings: frozenset[str]
    """Django's own setting names (django/conf/global_settings.py), valid without being set."""
    classes: dict[str, tuple[ClassFacts, ...]]
    """Class name → its definitions; nested classes under their qualified name (`Task.Status`)."""
    modules: dict[str, frozenset[str]]
    """Dotted module name (relative to the backend folder) → its top-level names."""
    unparsed_files: tuple[str, ...] = ()
    frontend_dirs: tuple[str, ...] = ()
    """Every frontend folder (`frontend_dir: [web, admin]` in archbench.yaml); `frontend_dir` is the first."""
    exports: dict[str, dict[str, str]] = field(default_factory=dict)
    """Module → {name it imports: `origin.module.name`}: re-exports (`from .issue import Issue`), relative imports resolved."""
    package_prefix: str = ""
    """The backend folder's own package name when the backend folder is a package (`label_studio` for
    `label_studio/manage.py` + `label_studio/__init__.py`): `label_studio.core.utils` is also `core.utils`."""
    import_roots: tuple[str, ...] = ()
    """Module paths of folders Django imports apps from as top-level packages (`apps` when INSTALLED_APPS lists
    `users` and the code is in `apps/users/`): `users.models.User` is `apps.users.models.User`."""
    uninstalled_apps: tuple[str, ...] = ()
    """INSTALLED_APPS entries that are neither repo apps nor installed here (`django_celery_beat`): unknown, not invented."""
    derived: dict[Hashable, object] = field(default_factory=dict, repr=False, compare=False)
    """Readings of these facts that graders compute once per repo instead of once per plan (`derive`)."""

    def derive(self, key: Hashable, compute: Callable[[], T]) -> T:
        """`compute()`, once per repo and `key` (which names what it computes from these facts alone)."""
        if key not in self.derived:
            self.derived[key] = compute()
        return self.derived[key]  # type: ignore[return-value]

    def resolve_symbol(self, dotted: str) -> tuple[str, str] | None:
        """(module, name) where `pkg.module.Name` is defined, following re-exports; None when the repo has no such
        name. `issuetrack.db.models.Issue` → (`issuetrack.db.models.issue`, `Issue`). A module path resolves to itself
        with name ``""``."""
        dotted = self.repo_name(dotted)
        if dotted in self.modules:
            return dotted, ""
        module, _, name = dotted.rpartition(".")
        seen: set[tuple[str, str]] = set()
        while module and (module, name) not in seen:
            seen.add((module, name))
            if module not in self.modules:
                owner = self.resolve_symbol(module)
                if owner is None or not owner[1]:
                    return None
                # `Model.attr` under a module: the class must have the attribute
                classes = [cls for cls in self.classes.get(owner[1], ()) if cls.module == owner[0]]
                return (owner[0], f"{owner[1]}.{name}") if any(name in cls.attributes for cls in classes) else None
            if name in self.modules[module] and name not in self.exports.get(module, {}):
                return module, name  # defined here (an `__all__` entry that is imported is followed below)
            origin = self.exports.get(module, {}).get(name)
            if origin is None:
                return (module, name) if name in self.modules[module] else None
            if origin in self.modules:
                return origin, ""
            importer = (module, name)
            origin = self.repo_name(origin)
            if origin in self.modules:
                return origin, ""
            module, _, name = origin.rpartition(".")
            if module not in self.modules:
                # a name the module imports from outside the repo (`from swapper import load_model as swapper_load_model`)
                # exists there; one imported from a repo module that does not exist does not
                return None if origin.split(".")[0] in self.importable_tops else importer
        return None

    def repo_name(self, dotted: str) -> str:
        """A dotted path as the repo's module names spell it: without the backend package's own name
        (`label_studio.core.utils` → `core.utils`), under the folder Django puts on `sys.path` (`users.models` →
        `apps.users.models`)."""
        parts = dotted.split(".")
        if self.package_prefix and parts[0] == self.package_prefix and len(parts) > 1 and parts[1] in self.top_packages:
            return dotted.removeprefix(f"{self.package_prefix}.")
        if parts[0] not in self.top_packages:
            for root in self.import_roots:
                if parts[0] in self._tops_under(root):
                    return f"{root}.{dotted}"
        return dotted

    def _tops_under(self, root: str) -> frozenset[str]:
        return self._root_tops.get(root, frozenset())

    @cached_property
    def _root_tops(self) -> dict[str, frozenset[str]]:
        return {
            root: frozenset(module[len(root) + 1 :].split(".")[0] for module in self.modules if module.startswith(f"{root}."))
            for root in self.import_roots
        }

    @cached_property
    def importable_tops(self) -> frozenset[str]:
        """First parts of the module paths the project's code imports: the repo's top packages, the backend
        package's name and the packages under an import root (`users` of `apps/users/`)."""
        under_roots = {top for root in self.import_roots for top in self._tops_under(root)}
        return self.top_packages | under_roots | ({self.package_prefix} if self.package_prefix else set())

    @cached_property
    def top_packages(self) -> frozenset[str]:
        """First parts of the repo's module names (`pretalx`, `config`)."""
        return frozenset(module.split(".")[0] for module in self.modules)

    def admin_url_name(self, name: str) -> bool:
        """A URL name Django's admin site gives (`admin:index`, `admin:auth_user_changelist`), in a repo that uses the admin
        (`django.contrib.admin` installed, or an `admin.py` module: a reusable app's host project installs it)."""
        uses_admin = "django.contrib.admin" in self.installed_apps or any(module.rsplit(".", 1)[-1] == "admin" for module in self.modules)
        if not uses_admin or not name.startswith("admin:"):
            return False
        rest = name.removeprefix("admin:")
        if rest in ADMIN_URL_NAMES:
            return True
        match = re.fullmatch(r"(?P<app>\w+?)_(?P<model>[a-z0-9]+)_(?:changelist|add|change|delete|history)", rest)
        if match is None:
            return False
        return any(
            model.app == match.group("app") and model.name.lower() == match.group("model") for model in (*self.models, *self.external_models)
        )

    @property
    def url_names(self) -> frozenset[str]:
        """Route names, bare and with their namespaces (`login`, `orga:login`)."""
        return frozenset(name for route in self.urls for name in (route.name, route.full_name) if name)

    @cached_property
    def models_by_name(self) -> dict[str, tuple[ModelFacts, ...]]:
        """Model name → the repo's models of that name, then installed apps' (graders look names up per mention)."""
        found: dict[str, list[ModelFacts]] = {}
        for candidate in (*self.models, *self.external_models):
            found.setdefault(candidate.name, []).append(candidate)
        return {name: tuple(candidates) for name, candidates in found.items()}

    def model(self, name: str, app: str | None = None) -> ModelFacts | None:
        """The repo's (else an installed app's) model class called `name`, optionally in app `app`."""
        for candidate in self.models_by_name.get(name, ()):
            if app is None or candidate.app == app:
                return candidate
        return None

    @cached_property
    def non_task_callables(self) -> frozenset[str]:
        """Names of the repo's functions and methods that are not Celery tasks."""
        names = {name for names in self.modules.values() for name in names}
        names |= {name for group in self.classes.values() for cls in group for name in cls.attributes}
        return frozenset(names - set(self.tasks))

    def is_subclass(self, name: str, ancestor: str) -> bool:
        """Whether class `name` is `ancestor` or derives from it, following the repo's classes by name."""
        pending, seen = [name], set()
        while pending:
            current = pending.pop()
            if current == ancestor:
                return True
            if current in seen:
                continue
            seen.add(current)
            for facts in self.classes.get(current, ()):
                pending.extend(last_part(base) for base in facts.bases)
        return False


Layout = tuple[str, "str | None", "tuple[str, ...]"]
"""(backend folder, project package, frontend folders), as a conventions file states them."""


def repo_facts(repo_dir: Path, layout: Layout | None = None) -> RepoFacts:
    """The facts of the repo at `repo_dir`, computed once per resolved path and layout. Without a
    `layout`, the repo's own archbench.yaml gives it, else it is guessed."""
    path = Path(repo_dir)
    return _repo_facts(_resolved(path, "" if path.is_absolute() else os.getcwd()), layout)


@lru_cache(maxsize=256)
def _resolved(path: Path, cwd: str) -> Path:
    """`path.resolve()`, once per path (and working directory, for a relative path): the graders ask for the
    facts twice a plan, and resolving made a system call per path component each time (~40 us, a tenth of
    grading a tiny plan). Like the facts themselves, kept for the process."""
    return path.resolve()


@lru_cache(maxsize=32)
def _repo_facts(repo_dir: Path, layout: Layout | None = None) -> RepoFacts:
    return _Scanner(repo_dir, layout).scan()


def _guessed_backend(repo_dir: Path, depth: int = 3) -> str:
    """The backend folder of a repo without archbench.yaml: `backend/`, else the shallowest folder holding a
    `manage.py` (`src/manage.py`, `label_studio/manage.py`: Django imports the project's packages from there; not one
    of a tests or example project), else a
    `src/` folder that is not itself a package, else the repo root."""
    if (repo_dir / "backend").is_dir():
        return "backend"
    level = [repo_dir]
    for _ in range(depth + 1):
        if any((folder / "manage.py").is_file() for folder in level):
            found = min(folder for folder in level if (folder / "manage.py").is_file())
            return found.relative_to(repo_dir).as_posix()
        level = sorted(
            child for folder in level for child in folder.iterdir() if child.is_dir() and child.name not in SKIPPED_DIRS | EXAMPLE_DIRS and not child.name.startswith(".")
        )
    src = repo_dir / "src"
    return "src" if src.is_dir() and not (src / "__init__.py").is_file() else "."


# --- small ast helpers -------------------------------------------------------------------------


def module_name(backend_dir: str, relative: str) -> str:
    """Dotted module of a repo-relative path, relative to the backend folder: `backend/boards/models.py` → `boards.models`."""
    prefix = backend_dir.strip("/")
    inside = relative[len(prefix) + 1 :] if prefix not in ("", ".") else relative
    parts = inside.removesuffix(".py").split("/")
    if parts and parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def absolute_import(module: str, is_package: bool, node: ast.ImportFrom) -> str:
    """The absolute module an ImportFrom in `module` names (`from .issue import X` in package `pkg.models` → `pkg.models.issue`)."""
    if not node.level:
        return node.module or ""
    parts = module.split(".") if module else []
    base = parts if is_package else parts[:-1]
    base = base[: len(base) - node.level + 1] if node.level > 1 else base
    return ".".join([*base, *([node.module] if node.module else [])])


def dotted_name(node: ast.AST | None) -> str | None:
    """`a.b.c` for a Name/Attribute chain, else None."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        owner = dotted_name(node.value)
        return f"{owner}.{node.attr}" if owner else None
    return None


def last_part(dotted: str) -> str:
    """`models.ForeignKey` → `ForeignKey`."""
    return dotted.rsplit(".", 1)[-1]


def _call_name(node: ast.AST) -> str | None:
    """Last name of the called function: `models.ForeignKey(...)` → `ForeignKey`."""
    if isinstance(node, ast.Call):
        dotted = dotted_name(node.func)
        return last_part(dotted) if dotted else None
    return None


def _keyword(call: ast.Call, name: str) -> ast.expr | None:
    for keyword in call.keywords:
        if keyword.arg == name:
            return keyword.value
    return None


def _string(node: ast.AST | None) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _strings(node: ast.AST | None) -> tuple[str, ...]:
    if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
        return tuple(value for value in (_string(item) for item in node.elts) if value is not None)
    single = _string(node)
    return (single,) if single is not None else ()


def _list_of_known(node: ast.AST, values: dict[str, object]) -> list[object] | None:
    """A list built from literals and earlier settings: `[*THIRD_PARTY_APPS, *LOCAL_APPS, "x"]`, `A + B`; else None."""
    if isinstance(node, ast.Name):
        known = values.get(node.id)
        return list(known) if isinstance(known, (list, tuple)) else None
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _list_of_known(node.left, values), _list_of_known(node.right, values)
        return None if left is None or right is None else [*left, *right]
    if isinstance(node, (ast.List, ast.Tuple)):
        items: list[object] = []
        for element in node.elts:
            if isinstance(element, ast.Starred):
                expanded = _list_of_known(element.value, values)
                if expanded is None:
                    return None
                items.extend(expanded)
            else:
                try:
                    items.append(ast.literal_eval(element))
                except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
                    return None
        return items
    return None


def _is_true(node: ast.AST | None) -> bool:
    return isinstance(node, ast.Constant) and node.value is True


def _assigned_names(statement: ast.stmt) -> list[str]:
    if isinstance(statement, ast.Assign):
        return [target.id for target in statement.targets if isinstance(target, ast.Name)]
    if isinstance(statement, (ast.AnnAssign, ast.AugAssign)) and isinstance(statement.target, ast.Name):
        return [statement.target.id]
    if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return [statement.name]
    return []


def _module_statements(body: list[ast.stmt]) -> Iterator[ast.stmt]:
    """A module's statements, those in top-level `if`/`try`/`with` blocks included (`if settings.X: urlpatterns += [...]`,
    `try: from x import Y`, platform-dependent definitions): they define module names too."""
    for statement in body:
        yield statement
        if isinstance(statement, (ast.If, ast.With, ast.AsyncWith)):
            yield from _module_statements(statement.body)
            yield from _module_statements(getattr(statement, "orelse", []))
        elif isinstance(statement, (ast.Try, getattr(ast, "TryStar", ast.Try))):
            for block in (statement.body, *(handler.body for handler in statement.handlers), statement.orelse, statement.finalbody):
                yield from _module_statements(block)


def _unpacked_names(statement: ast.stmt) -> list[str]:
    """Names an unpacking assignment binds (`VERSION_MAJOR, VERSION_MINOR = ...`); their values are not known one by one."""
    if not isinstance(statement, ast.Assign):
        return []
    return [
        element.id
        for target in statement.targets
        if isinstance(target, (ast.Tuple, ast.List))
        for element in target.elts
        if isinstance(element, ast.Name)
    ]


def _assigned_value(statement: ast.stmt) -> ast.expr | None:
    if isinstance(statement, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
        return statement.value
    return None


def _is_field_call(node: ast.AST | None) -> bool:
    name = _call_name(node) if node is not None else None
    return bool(name) and (name.endswith("Field") or name in RELATION_TYPES or name.endswith("ForeignKey"))


def _q_fields(node: ast.AST) -> tuple[str, ...]:
    """Field names a CheckConstraint condition mentions: keyword lookups of Q() and F() arguments."""
    names: list[str] = []
    for child in ast.walk(node):
        if isinstance(child, ast.Call) and _call_name(child) == "Q":
            names.extend(keyword.arg.split("__")[0] for keyword in child.keywords if keyword.arg)
        if isinstance(child, ast.Call) and _call_name(child) == "F" and child.args:
            names.extend(value.split("__")[0] for value in _strings(child.args[0]))
    return tuple(dict.fromkeys(names))


# --- parsed source -------------------------------------------------------------------------------


@dataclass
class _Module:
    name: str
    file: str
    """Path relative to the repo root (or the package path for installed apps)."""
    tree: ast.Module


@dataclass
class _RawModel:
    cls: ClassFacts
    node: ast.ClassDef
    app: str
    external: bool


class _Scanner:
    def __init__(self, repo_dir: Path, layout: Layout | None = None):
        self.repo_dir = repo_dir
        backend_dir, self.project_package, frontend_dirs = layout or self._layout()
        self.backend_dir = PurePosixPath(backend_dir).as_posix()
        self.frontend_dirs = tuple(PurePosixPath(folder).as_posix() for folder in frontend_dirs)
        self.frontend_dir = self.frontend_dirs[0] if self.frontend_dirs else None
        self.modules: dict[str, _Module] = {}
        self.unparsed: list[str] = []
        self.classes: dict[str, list[ClassFacts]] = {}
        self.class_nodes: dict[tuple[str, str], ast.ClassDef] = {}
        self.import_roots: tuple[str, ...] = ()

    def _layout(self) -> tuple[str, str | None, tuple[str, ...]]:
        """(backend folder, project package, frontend folders) from archbench.yaml, else guessed."""
        if (self.repo_dir / CONVENTIONS_FILE).is_file():
            config = load_repo_config(self.repo_dir)
            return config.backend_dir, config.project_package, config.frontend_dirs
        frontend = ("frontend",) if (self.repo_dir / "frontend").is_dir() else ()
        return _guessed_backend(self.repo_dir), None, frontend

    def scan(self) -> RepoFacts:
        files = self._files()
        for relative in sorted(files):
            if relative.endswith(".py") and self._in_backend(relative) and (
                "/migrations/" not in f"/{relative}" or relative.endswith("/migrations/__init__.py")  # helpers, not a migration
            ):
                self._parse(relative)
        for module in self.modules.values():
            self._collect_classes(module)
        settings, setting_values = self._settings()
        installed_apps = tuple(value for value in setting_values.get("INSTALLED_APPS", ()) if isinstance(value, str))
        import_roots = self.import_roots = self._import_roots(installed_apps)
        # `users` under the import root `apps` is the repo's `apps.users`
        installed_apps = tuple(self._under_root(entry, import_roots) for entry in installed_apps)
        apps = self._apps(files, installed_apps)
        models, external_models = self._models(apps, installed_apps, setting_values)
        views = self._views()
        return RepoFacts(
            repo_dir=self.repo_dir,
            backend_dir=self.backend_dir,
            frontend_dir=self.frontend_dir,
            frontend_dirs=self.frontend_dirs,
            files=frozenset(files),
            apps=apps,
            installed_apps=installed_apps,
            models=models,
            external_models=external_models,
            serializers=self._serializers(),
            views=views,
            urls=self._urls(setting_values, views),
            tasks=self._tasks(),
            settings=settings,
            setting_values=setting_values,
            framework_settings=_django_global_settings(),
            classes={name: tuple(facts) for name, facts in self.classes.items()},
            modules={name: self._top_level_names(module.tree) | self._public_names(module) for name, module in self.modules.items()},
            unparsed_files=tuple(self.unparsed),
            exports={name: self._imports(module) for name, module in self.modules.items()},
            uninstalled_apps=self._uninstalled(installed_apps, apps),
            package_prefix=self._package_prefix(),
            import_roots=import_roots,
        )

    def _rooted(self, name: str) -> str:
        """A module path as the repo names it when Django imports it from an import root (`users.urls` → `apps.users.urls`)."""
        if name in self.modules:
            return name
        return next((f"{root}.{name}" for root in self.import_roots if f"{root}.{name}" in self.modules), name)

    def _under_root(self, entry: str, roots: tuple[str, ...]) -> str:
        app = entry.split(".apps.")[0]
        for root in roots:
            if f"{root}.{app}.models" in self.modules or f"{root}.{app}.apps" in self.modules:
                return f"{root}.{entry}"
        return entry

    def _import_roots(self, installed_apps: tuple[str, ...]) -> tuple[str, ...]:
        """Folders INSTALLED_APPS entries live under without naming them (`users` → `apps/users/`, the folder settings
        put on `sys.path`): the one module path that holds `<root>.<entry>.models` or `.apps`, for entries that are
        neither repo top-level packages nor installed packages."""
        tops = {module.split(".")[0] for module in self.modules}
        roots: set[str] = set()
        for entry in installed_apps:
            first = entry.split(".")[0]
            if first in tops or installed_package_dir(first) is not None:
                continue
            app = entry.split(".apps.")[0]
            holders = {
                module.removesuffix(f".{app}.{last}")
                for module in self.modules
                for last in ("models", "apps")
                if module.endswith(f".{app}.{last}")
            }
            if len(holders) == 1:
                roots.add(holders.pop())
        return tuple(sorted(roots))

    def _package_prefix(self) -> str:
        backend = self.backend_dir.strip("/")
        if backend in ("", ".") or not (self.repo_dir / backend / "__init__.py").is_file():
            return ""
        return backend.rsplit("/", 1)[-1]

    @staticmethod
    def _uninstalled(installed_apps: tuple[str, ...], apps: dict[str, AppFacts]) -> tuple[str, ...]:
        repo_modules = {app.module for app in apps.values()}
        found = []
        for entry in installed_apps:
            module = entry.split(".apps.")[0]
            if module in repo_modules or any(module.startswith(f"{repo}.") for repo in repo_modules):
                continue
            if installed_package_dir(module.split(".")[0]) is None and module.split(".")[0] not in {m.split(".")[0] for m in repo_modules}:
                found.append(module)
        return tuple(found)

    def _absolute(self, module: _Module, node: ast.ImportFrom) -> str:
        return absolute_import(module.name, module.file.endswith("__init__.py"), node)

    def _imports(self, module: _Module) -> dict[str, str]:
        """Names a module imports at top level → where from (`Issue` → `pkg.db.models.issue.Issue`); star imports of
        repo modules bring in that module's own names."""
        found: dict[str, str] = {}
        for node in _module_statements(module.tree.body):
            if isinstance(node, ast.ImportFrom):
                source = self._absolute(module, node)
                for alias in node.names:
                    if alias.name == "*":
                        star = self.modules.get(source)
                        if star is not None and star is not module:
                            for name in self._top_level_names(star.tree):
                                found.setdefault(name, f"{source}.{name}")
                        continue
                    found[alias.asname or alias.name] = f"{source}.{alias.name}"
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.asname:
                        found[alias.asname] = alias.name
        return found

    @staticmethod
    def _public_names(module: _Module) -> frozenset[str]:
        """`__all__` entries (a package's declared exports; where they come from is in `exports`)."""
        names: set[str] = set()
        for statement in module.tree.body:
            if "__all__" in _assigned_names(statement):
                names.update(_strings(_assigned_value(statement)))
        return frozenset(names)

    # files and modules

    def _files(self) -> set[str]:
        found: set[str] = set()
        for root, dirs, names in os.walk(self.repo_dir):
            dirs[:] = [name for name in dirs if name not in SKIPPED_DIRS]
            relative_root = Path(root).relative_to(self.repo_dir)
            found.update((relative_root / name).as_posix() for name in names)
        return found

    def _in_backend(self, relative: str) -> bool:
        return self.backend_dir in ("", ".") or relative.startswith(self.backend_dir.rstrip("/") + "/")

    def _module_name(self, relative: str) -> str:
        return module_name(self.backend_dir, relative)

    def _parse(self, relative: str) -> None:
        try:
            tree = ast.parse((self.repo_dir / relative).read_text(encoding="utf-8"), filename=relative)
        except (SyntaxError, UnicodeDecodeError, ValueError):
            self.unparsed.append(relative)
            return
        name = self._module_name(relative)
        self.modules[name] = _Module(name, relative, tree)

    @staticmethod
    def _top_level_names(tree: ast.Module) -> frozenset[str]:
        names: set[str] = set()
        for statement in _module_statements(tree.body):
            names.update(_assigned_names(statement), _unpacked_names(statement))
        return frozenset(names)

    def _collect_classes(self, module: _Module) -> None:
        """Top-level classes by name, and classes nested in them (`Task.Status`) by qualified name."""
        for node in module.tree.body:
            if not isinstance(node, ast.ClassDef):
                continue
            self._add_class(module, node, node.name)
            for inner in node.body:
                if isinstance(inner, ast.ClassDef) and inner.name != "Meta":
                    self._add_class(module, inner, f"{node.name}.{inner.name}")

    def _add_class(self, module: _Module, node: ast.ClassDef, name: str) -> None:
        attributes = {name for statement in node.body for name in _assigned_names(statement)}
        facts = ClassFacts(
            name=name,
            module=module.name,
            file=module.file,
            line=node.lineno,
            bases=tuple(base for base in (dotted_name(base) for base in node.bases) if base),
            attributes=frozenset(attributes - {"Meta"}),
        )
        self.classes.setdefault(name, []).append(facts)
        self.class_nodes[(module.name, name)] = node

    def _derives(self, cls: ClassFacts, roots: frozenset[str] | set[str], suffixes: tuple[str, ...] = ()) -> bool:
        """Whether `cls` has a base (transitively, through repo classes) named in `roots` or ending in a suffix."""
        pending, seen = list(cls.bases), set()
        while pending:
            base = last_part(pending.pop())
            if base in roots or (suffixes and base.endswith(suffixes)):
                return True
            if base in seen:
                continue
            seen.add(base)
            for parent in self.classes.get(base, ()):
                pending.extend(parent.bases)
        return False

    # settings and apps

    def _settings_modules(self) -> list[_Module]:
        chosen = []
        for module in self.modules.values():
            stem = module.file.rsplit("/", 1)[-1]
            in_project = self.project_package is None or module.file.startswith(self.project_package.rstrip("/") + "/")
            if in_project and (stem.startswith("settings") or "/settings/" in module.file):
                chosen.append(module)
        declared = self._declared_settings_modules()
        ordered = sorted(chosen, key=lambda module: (module.file.endswith("settings.py") is False, module.file))
        return [*declared, *(module for module in ordered if module not in declared)]

    def _declared_settings_modules(self) -> list[_Module]:
        """The module `DJANGO_SETTINGS_MODULE` names (manage.py, wsgi.py, …) and the repo modules it star-imports, in order."""
        names: list[str] = []
        for module in self.modules.values():
            if module.file.rsplit("/", 1)[-1] not in SETTINGS_ENTRY_FILES:
                continue
            for node in ast.walk(module.tree):
                if isinstance(node, ast.Call) and len(node.args) >= 2 and _string(node.args[0]) == "DJANGO_SETTINGS_MODULE":
                    value = _string(node.args[1])
                    if value and value in self.modules and value not in names:
                        names.append(value)
        found: list[_Module] = []
        pending = list(names)
        while pending:
            module = self.modules.get(pending.pop(0))
            if module is None or module in found:
                continue
            found.append(module)
            for node in module.tree.body:
                if isinstance(node, ast.ImportFrom) and any(alias.name == "*" for alias in node.names):
                    pending.append(self._absolute(module, node))
        return found

    def _settings(self) -> tuple[dict[str, int], dict[str, object]]:
        lines: dict[str, int] = {}
        values: dict[str, object] = {}
        for module in self._settings_modules():
            for statement in _module_statements(module.tree.body):
                for name in _assigned_names(statement):
                    if not name.isupper():
                        continue
                    lines.setdefault(name, statement.lineno)
                    value = _assigned_value(statement)
                    self._record_setting_value(values, name, statement, value)
                for name in _unpacked_names(statement):  # `VERSION_MAJOR, VERSION_MINOR = ...`: set, value unknown
                    if name.isupper():
                        lines.setdefault(name, statement.lineno)
        return lines, values

    @staticmethod
    def _record_setting_value(values: dict[str, object], name: str, statement: ast.stmt, value: ast.expr | None) -> None:
        if value is None:
            return
        try:
            literal = ast.literal_eval(value)
        except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
            literal = _list_of_known(value, values)
            if literal is None:
                return
        if isinstance(statement, ast.AugAssign) and isinstance(values.get(name), (list, tuple)):
            values[name] = [*values[name], *literal]
            return
        values.setdefault(name, list(literal) if isinstance(literal, tuple) else literal)

    def _apps(self, files: set[str], installed_apps: tuple[str, ...]) -> dict[str, AppFacts]:
        apps: dict[str, AppFacts] = {}
        folders = sorted(
            {path.rsplit("/", 1)[0] for path in files if path.endswith(("/apps.py", "/models.py")) and self._in_backend(path)}
        )
        for folder in folders:
            module = self._module_name(f"{folder}/__init__.py")
            if not module or "/migrations" in folder:
                continue
            label = self._app_label(module) or module.rsplit(".", 1)[-1]
            installed = any(entry == module or entry.startswith(f"{module}.apps.") for entry in installed_apps)
            apps[label] = AppFacts(label=label, module=module, path=folder, installed=installed)
        return apps

    def _app_label(self, app_module: str) -> str | None:
        config = self.modules.get(f"{app_module}.apps")
        if config is None:
            return None
        for node in config.tree.body:
            if isinstance(node, ast.ClassDef):
                for statement in node.body:
                    if "label" in _assigned_names(statement):
                        return _string(_assigned_value(statement))
                    if "name" in _assigned_names(statement) and _string(_assigned_value(statement)):
                        return _string(_assigned_value(statement)).rsplit(".", 1)[-1]
        return None

    # models

    def _models(
        self, apps: dict[str, AppFacts], installed_apps: tuple[str, ...], setting_values: dict[str, object]
    ) -> tuple[tuple[ModelFacts, ...], tuple[ModelFacts, ...]]:
        app_by_module = {app.module: app.label for app in apps.values()}
        raw: list[_RawModel] = []
        for external in _external_model_classes(installed_apps, set(app_by_module)):
            raw.extend(external)
        known = {item.cls.name for item in raw}
        pending = [facts for group in self.classes.values() for facts in group]
        changed = True
        while changed:
            changed = False
            for facts in list(pending):
                node = self.class_nodes[(facts.module, facts.name)]
                if any(last_part(base) == "Model" or last_part(base) in known for base in facts.bases) or _declares_model_fields(node):
                    app = self._app_of(facts.module, app_by_module)
                    raw.append(_RawModel(facts, self.class_nodes[(facts.module, facts.name)], app, external=False))
                    known.add(facts.name)
                    pending.remove(facts)
                    changed = True
        raw.extend(_history_models(raw))
        user_model = setting_values.get("AUTH_USER_MODEL", "auth.User")
        built = _build_models(raw, last_part(user_model) if isinstance(user_model, str) else "User")
        return (
            tuple(model for model in built if not model.external),
            tuple(model for model in built if model.external),
        )

    @staticmethod
    def _app_of(module: str, app_by_module: dict[str, str]) -> str:
        candidates = [name for name in app_by_module if module == name or module.startswith(f"{name}.")]
        if candidates:
            return app_by_module[max(candidates, key=len)]
        return module.split(".")[0]

    # serializers, views, tasks

    def _serializers(self) -> dict[str, SerializerFacts]:
        found: dict[str, SerializerFacts] = {}
        for name, group in self.classes.items():
            for facts in group:
                if not self._derives(facts, frozenset(), suffixes=("Serializer",)):
                    continue
                node = self.class_nodes[(facts.module, name)]
                meta = _meta(node)
                model = dotted_name(_meta_value(meta, "model"))
                meta_fields = _meta_value(meta, "fields")
                declared = [
                    target
                    for statement in node.body
                    if isinstance(_assigned_value(statement), ast.Call)
                    and (_call_name(_assigned_value(statement)) or "").endswith(("Field", "Serializer"))
                    for target in _assigned_names(statement)
                ]
                fields = tuple(dict.fromkeys([*_strings(meta_fields), *declared]))
                found.setdefault(name, SerializerFacts(name, facts.module, facts.file, facts.line, model and last_part(model), fields))
        return found

    def _views(self) -> dict[str, ViewFacts]:
        found: dict[str, ViewFacts] = {}
        for name, group in self.classes.items():
            for facts in group:
                if not self._derives(facts, frozenset(), suffixes=("View", "ViewSet")):
                    continue
                node = self.class_nodes[(facts.module, name)]
                found.setdefault(name, self._view_facts(facts, node))
        for module in self.modules.values():
            for node in module.tree.body:
                if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and any(
                    _call_name(decorator) == "api_view" for decorator in node.decorator_list
                ):
                    found.setdefault(
                        node.name,
                        ViewFacts(node.name, module.name, module.file, node.lineno, (), None, None, (), None, (), False),
                    )
        return found

    def _view_facts(self, facts: ClassFacts, node: ast.ClassDef) -> ViewFacts:
        body: dict[str, ast.expr] = {}
        for statement in node.body:
            value = _assigned_value(statement)
            for target in _assigned_names(statement):
                if value is not None:
                    body[target] = value
        queryset_root = body.get("queryset")
        while isinstance(queryset_root, (ast.Call, ast.Attribute)):
            queryset_root = queryset_root.func if isinstance(queryset_root, ast.Call) else queryset_root.value
        permissions = body.get("permission_classes")
        permission_names = (
            tuple(last_part(name) for name in (dotted_name(item) for item in permissions.elts) if name)
            if isinstance(permissions, (ast.List, ast.Tuple))
            else ()
        )
        actions = tuple(
            statement.name
            for statement in node.body
            if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef))
            and any(_call_name(decorator) == "action" or dotted_name(decorator) == "action" for decorator in statement.decorator_list)
        )
        serializer = dotted_name(body.get("serializer_class"))
        pagination = dotted_name(body.get("pagination_class"))
        return ViewFacts(
            name=facts.name,
            module=facts.module,
            file=facts.file,
            line=facts.line,
            bases=facts.bases,
            model=queryset_root.id if isinstance(queryset_root, ast.Name) else None,
            serializer_class=serializer and last_part(serializer),
            permission_classes=permission_names,
            pagination_class=pagination and last_part(pagination),
            actions=actions,
            lists=self._derives(facts, LIST_VIEW_BASES),
        )

    def _tasks(self) -> dict[str, TaskFacts]:
        """Celery tasks in any module: decorated functions (`@shared_task`, `@app.task(...)`) and `Task` subclasses."""
        found: dict[str, TaskFacts] = {}
        wrappers = self._task_wrappers()
        for module in self.modules.values():
            celery_task_names = {
                alias.asname or alias.name
                for node in module.tree.body
                if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "celery"
                for alias in node.names
                if alias.name == "Task"
            }
            for node in module.tree.body:
                if isinstance(node, ast.ClassDef) and any(
                    (base := dotted_name(item)) and (base in celery_task_names or base in ("celery.Task", "app.Task", "celery_app.Task"))
                    for item in node.bases
                ):
                    found.setdefault(node.name, TaskFacts(node.name, module.name, module.file, node.lineno, {}))
            imports = self._imports(module)
            for node in module.tree.body:
                if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    continue
                for decorator in node.decorator_list:
                    target = decorator.func if isinstance(decorator, ast.Call) else decorator
                    dotted = dotted_name(target)
                    if dotted and self._task_decorator(dotted, imports, wrappers):
                        options = (
                            {keyword.arg: ast.unparse(keyword.value) for keyword in decorator.keywords if keyword.arg}
                            if isinstance(decorator, ast.Call)
                            else {}
                        )
                        found.setdefault(node.name, TaskFacts(node.name, module.name, module.file, node.lineno, options))
        return found

    def _task_decorator(self, dotted: str, imports: dict[str, str], wrappers: set[str]) -> bool:
        """`@app.task`, `@celery_app.task(...)`, `@shared_task` (not `@task` imported from a package other than Celery,
        such as invoke's), or a repo's own wrapper or alias of them (`nautobot_task = shared_task`)."""
        origin = imports.get(dotted.split(".")[0])
        full = ".".join([origin, *dotted.split(".")[1:]]) if origin else dotted
        if full in wrappers or (origin is None and dotted in {last_part(wrapper) for wrapper in wrappers}):
            return True
        if last_part(dotted) not in TASK_DECORATORS:
            return False
        if "." in dotted or origin is None:
            return True
        return origin.split(".")[0] == "celery" or origin.rpartition(".")[0] in self.modules

    def _task_wrappers(self) -> set[str]:
        """`module.name` of the repo's task decorators: aliases (`nautobot_task = shared_task`) and functions returning
        a Celery decorator's result (`return shared_task(*args, base=NautobotTask, **kwargs)`)."""
        wrappers: set[str] = set()
        for module in self.modules.values():
            for node in _module_statements(module.tree.body):
                value = _assigned_value(node)
                if isinstance(value, (ast.Name, ast.Attribute)) and last_part(dotted_name(value) or "") in ("shared_task", "task"):
                    wrappers.update(f"{module.name}.{name}" for name in _assigned_names(node))
                elif isinstance(node, ast.FunctionDef) and not node.decorator_list and any(
                    isinstance(child, ast.Return) and isinstance(child.value, ast.Call) and _call_name(child.value) in ("shared_task", "task")
                    for child in ast.walk(node)
                ):
                    wrappers.add(f"{module.name}.{node.name}")
        return wrappers

    # URLs

    def _urls(self, setting_values: dict[str, object], views: dict[str, ViewFacts]) -> tuple[UrlRoute, ...]:
        routes: list[UrlRoute] = []
        visited: set[str] = set()
        root = setting_values.get("ROOT_URLCONF")
        if isinstance(root, str):
            routes.extend(self._module_routes(root, "/", views, visited, mounted=True))
        for name in sorted(self.modules):
            last = name.rsplit(".", 1)[-1]
            if name not in visited and (last == "urls" or last.endswith("_urls") or self._defines_urlpatterns(name)):
                routes.extend(self._module_routes(name, "/", views, visited, mounted=False, namespace=self._app_name(name) or ""))
        return tuple(routes)

    @cached_property
    def _default_routers(self) -> frozenset[str]:
        """DefaultRouter and the repo's classes deriving from it (`OrderedDefaultRouter`): they add an `api-root` route."""
        derived = {name for name, group in self.classes.items() if any(self._derives(cls, frozenset({"DefaultRouter"})) for cls in group)}
        return frozenset({"DefaultRouter", *derived})

    def _app_name(self, name: str) -> str | None:
        """A URLconf's `app_name`: the namespace `include()` gives its routes unless it names another."""
        module = self.modules.get(name)
        for statement in _module_statements(module.tree.body) if module else ():
            if "app_name" in _assigned_names(statement) and _string(_assigned_value(statement)):
                return _string(_assigned_value(statement))
        return None

    def _defines_urlpatterns(self, name: str) -> bool:
        """Whether a module assigns `urlpatterns` (`api_urls.py`, `dev_urls.py`, `routes.py`): a URLconf whatever its name."""
        return any("urlpatterns" in _assigned_names(statement) for statement in _module_statements(self.modules[name].tree.body))

    def _module_routes(
        self,
        module_name: str,
        prefix: str,
        views: dict[str, ViewFacts],
        visited: set[str],
        mounted: bool,
        variable: str = "urlpatterns",
        namespace: str = "",
    ) -> Iterator[UrlRoute]:
        """Routes of `variable` (urlpatterns) in a urls module, includes and splats followed."""
        module_name = self._rooted(module_name)
        module = self.modules.get(module_name)
        if module is None or module_name in visited:
            return
        visited.add(module_name)
        routers = _router_registrations(module.tree, self._default_routers)
        lists: dict[str, ast.expr] = {}
        for statement in _module_statements(module.tree.body):
            for name in _assigned_names(statement):
                value = _assigned_value(statement)
                if value is None:
                    continue
                extends = isinstance(statement, ast.AugAssign) or any(
                    isinstance(node, ast.Name) and node.id == name for node in ast.walk(value)
                )  # `api_urls += [...]`, `api_urls = api_urls + [...]` (in an `if` block too): a part of the list
                lists[name] = ast.BinOp(lists[name], ast.Add(), value) if extends and name in lists else value
        context = _UrlContext(self, module, routers, lists, views, visited, mounted, self._imports(module), namespace=namespace)
        context.expanding.add(variable)  # `urlpatterns = urlpatterns + [...]`: each statement adds only its new part
        for statement in _module_statements(module.tree.body):
            if variable in _assigned_names(statement) and _assigned_value(statement) is not None:
                yield from context.patterns(_assigned_value(statement), prefix)


@dataclass
class _UrlContext:
    scanner: _Scanner
    module: _Module
    routers: dict[str, list[tuple[str, str, str | None, int]]]
    lists: dict[str, ast.expr]
    views: dict[str, ViewFacts]
    visited: set[str]
    mounted: bool
    imports: dict[str, str] = field(default_factory=dict)
    """Local name → imported origin (`issue_urls` → `pkg.app.urls.issue.urlpatterns`), for splats of imported lists."""
    expanding: set[str] = field(default_factory=set)
    """List variables being expanded, so that `urlpatterns = urlpatterns + [...]` cannot loop."""
    namespace: str = ""
    """URL namespaces of the routes being read (`core:user`)."""

    def patterns(self, node: ast.expr, prefix: str) -> Iterator[UrlRoute]:
        if isinstance(node, (ast.List, ast.Tuple)):
            for element in node.elts:
                yield from self.patterns(element.value if isinstance(element, ast.Starred) else element, prefix)
        elif isinstance(node, ast.BinOp):
            yield from self.patterns(node.left, prefix)
            yield from self.patterns(node.right, prefix)
        elif isinstance(node, ast.Attribute) and node.attr == "urls" and isinstance(node.value, ast.Name):
            yield from self.router_routes(node.value.id, prefix)
        elif isinstance(node, ast.Name) and node.id in self.lists and node.id not in self.expanding:
            self.expanding.add(node.id)
            yield from self.patterns(self.lists[node.id], prefix)
            self.expanding.discard(node.id)
        elif isinstance(node, ast.Name) and node.id in self.imports:
            yield from self.imported(self.imports[node.id], prefix)
        elif isinstance(node, ast.Call) and _call_name(node) in URL_FUNCTIONS and node.args:
            yield from self.route(node, prefix)
        elif isinstance(node, ast.Call):
            yield from self.called(node, prefix)

    def called(self, call: ast.Call, prefix: str) -> Iterator[UrlRoute]:
        """The lists passed to a call (`i18n_patterns(*patterns)`, `format_suffix_patterns(urlpatterns)`) and, for a repo
        function, the lists it returns (`urlpatterns = get_urls()`, `include(get_api_urls(views))`)."""
        name = dotted_name(call.func)
        for argument in call.args:  # `i18n_patterns(*patterns)`: the lists passed in are routes, whatever the function is
            yield from self.patterns(argument.value if isinstance(argument, ast.Starred) else argument, prefix)
        found = self.function(name) if name else None
        if found is None:
            return
        module, function = found
        key = f"def:{module.name}.{function.name}"
        if key in self.expanding:
            return
        local = dict(self.lists) if module is self.module else {
            name: value for statement in _module_statements(module.tree.body) for name in _assigned_names(statement)
            if (value := _assigned_value(statement)) is not None
        }
        for statement in ast.walk(function):
            value = _assigned_value(statement) if isinstance(statement, ast.stmt) else None
            for target in _assigned_names(statement) if value is not None else ():
                extends = isinstance(statement, ast.AugAssign) and target in local
                local[target] = ast.BinOp(local[target], ast.Add(), value) if extends else value
        context = _UrlContext(
            self.scanner, module, _router_registrations(module.tree, self.scanner._default_routers), local, self.views, self.visited, self.mounted,
            self.imports if module is self.module else self.scanner._imports(module), {*self.expanding, key}, self.namespace,
        )
        for statement in ast.walk(function):
            if isinstance(statement, ast.Return) and statement.value is not None:
                yield from context.patterns(statement.value, prefix)

    def function(self, dotted: str) -> tuple[_Module, ast.FunctionDef] | None:
        """The repo function a call names: defined in this module, or imported from a repo module."""
        origin = self.imports.get(dotted.split(".")[0])
        if origin is None:
            module, name = self.module, dotted
        else:
            origin = ".".join([origin, *dotted.split(".")[1:]])
            owner, _, name = origin.rpartition(".")
            module = self.scanner.modules.get(owner)
        if module is None or "." in name:
            return None
        for statement in _module_statements(module.tree.body):
            if isinstance(statement, ast.FunctionDef) and statement.name == name:
                return module, statement
        return None

    def imported(self, origin: str, prefix: str) -> Iterator[UrlRoute]:
        """An imported urls module (`from . import issue`) or list (`from .issue import urlpatterns as issue_urls`)."""
        scanner = self.scanner
        if origin not in scanner.modules and "." in origin:  # `from users.urls import urlpatterns` under an import root
            owner, _, variable = origin.rpartition(".")
            origin = scanner._rooted(origin) if scanner._rooted(origin) in scanner.modules else f"{scanner._rooted(owner)}.{variable}"
        if origin in scanner.modules:
            yield from scanner._module_routes(origin, prefix, self.views, self.visited, self.mounted, namespace=self.namespace)
            return
        module, _, variable = origin.rpartition(".")
        if module in scanner.modules and (module not in self.visited or variable != "urlpatterns"):
            if variable != "urlpatterns":
                self.visited.discard(module)
            yield from scanner._module_routes(module, prefix, self.views, self.visited, self.mounted, variable, self.namespace)

    def route(self, call: ast.Call, prefix: str) -> Iterator[UrlRoute]:
        path = _join(prefix, _regex_to_path(_string(call.args[0]) or ""))
        target = call.args[1] if len(call.args) > 1 else _keyword(call, "view")
        if isinstance(target, ast.Call) and _call_name(target) == "include" and target.args:
            included = target.args[0]
            if isinstance(included, ast.Name) and isinstance(self.lists.get(included.id), ast.Tuple):
                included = self.lists[included.id]  # `core_patterns = ([...], "core")`
            app_namespace = None
            if isinstance(included, ast.Tuple) and included.elts:
                app_namespace = _string(included.elts[1]) if len(included.elts) > 1 else None
                included = included.elts[0]
            instance = _string(_keyword(target, "namespace")) or (_string(target.args[1]) if len(target.args) > 1 else None)
            included_module = _string(included)
            if included_module is None and isinstance(included, ast.Name) and self.imports.get(included.id) in self.scanner.modules:
                included_module = self.imports[included.id]  # `include(issue_urls)` of an imported urls module
            if included_module is not None:
                namespace = _join_namespace(self.namespace, instance or app_namespace or self.scanner._app_name(included_module))
                yield from self.scanner._module_routes(included_module, path, self.views, self.visited, self.mounted, namespace=namespace)
            else:
                inner = replace(self, namespace=_join_namespace(self.namespace, instance or app_namespace))
                yield from inner.patterns(included, path)
            return
        view = target.func if isinstance(target, ast.Call) else target
        view_name = dotted_name(view.value if isinstance(view, ast.Attribute) and view.attr == "as_view" else view)
        name = _string(_keyword(call, "name")) or (_string(call.args[2]) if len(call.args) > 2 else None)
        yield UrlRoute(path, name, view_name and last_part(view_name), self.module.file, call.lineno, self.mounted, self.namespace)

    def router_routes(self, router: str, prefix: str) -> Iterator[UrlRoute]:
        registrations = self.routers.get(router, [])
        if registrations and self.routers.get(f"{router}:default"):
            yield UrlRoute(prefix, "api-root", None, self.module.file, registrations[0][3], self.mounted, self.namespace)
        for route_prefix, viewset, basename, line in registrations:
            view = self.views.get(viewset)
            basename = basename or (view.model.lower() if view and view.model else None)
            collection = _join(prefix, route_prefix)
            detail = _join(collection, "{pk}")
            yield UrlRoute(collection, basename and f"{basename}-list", viewset, self.module.file, line, self.mounted, self.namespace)
            yield UrlRoute(detail, basename and f"{basename}-detail", viewset, self.module.file, line, self.mounted, self.namespace)
            for action_path, action_name, is_detail in self.actions(viewset):
                base = detail if is_detail else collection
                yield UrlRoute(
                    _join(base, action_path),
                    basename and f"{basename}-{action_name}",
                    viewset,
                    self.module.file,
                    line,
                    self.mounted,
                    self.namespace,
                )

    def actions(self, viewset: str) -> Iterator[tuple[str, str, bool]]:
        """`@action` routes of the viewset and of the repo classes it derives from (`PathEndpointMixin.trace`)."""
        pending, seen = [viewset], set()
        while pending:
            name = pending.pop()
            if name in seen:
                continue
            seen.add(name)
            for facts in self.scanner.classes.get(name, ()):
                pending.extend(last_part(base) for base in facts.bases)
                yield from self._own_actions(facts)

    def _own_actions(self, facts: ClassFacts) -> Iterator[tuple[str, str, bool]]:
        node = self.scanner.class_nodes[(facts.module, facts.name)]
        for statement in node.body:
            if not isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            for decorator in statement.decorator_list:
                if isinstance(decorator, ast.Call) and _call_name(decorator) == "action":
                    url_path = _string(_keyword(decorator, "url_path")) or statement.name
                    url_name = _string(_keyword(decorator, "url_name")) or statement.name.replace("_", "-")
                    yield url_path, url_name, _is_true(_keyword(decorator, "detail"))


def _router_registrations(
    tree: ast.Module, default_routers: frozenset[str] = frozenset({"DefaultRouter"})
) -> dict[str, list[tuple[str, str, str | None, int]]]:
    """Router variable → [(prefix, viewset, basename, line)]; `<name>:default` marks a DefaultRouter (or a repo class
    deriving from it, in `default_routers`)."""
    routers: dict[str, list] = {}
    for statement in _module_statements(tree.body):
        value = _assigned_value(statement)
        router_class = _call_name(value) if value is not None else None
        if router_class in ROUTER_CLASSES or (router_class or "").endswith("Router"):  # a project's or a package's router
            for name in _assigned_names(statement):
                routers[name] = []
                if router_class in default_routers:
                    routers[f"{name}:default"] = [True]
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "register"):
            continue
        owner = dotted_name(node.func.value)
        if owner not in routers or len(node.args) < 2:
            continue
        basename = _string(_keyword(node, "basename")) or (_string(node.args[2]) if len(node.args) > 2 else None)
        viewset = dotted_name(node.args[1])
        routers[owner].append((_regex_to_path(_string(node.args[0]) or ""), viewset and last_part(viewset), basename, node.lineno))
    return routers


def _join_namespace(outer: str, inner: str | None) -> str:
    return ":".join(part for part in (outer, inner) if part)


def _regex_to_path(route: str) -> str:
    return route.removeprefix("^").removesuffix("$")


def _join(prefix: str, part: str) -> str:
    joined = f"{prefix.rstrip('/')}/{part.strip('/')}/" if part.strip("/") else prefix
    return "/" + joined.lstrip("/")


# --- models ------------------------------------------------------------------------------------


def _meta(node: ast.ClassDef) -> ast.ClassDef | None:
    return next((child for child in node.body if isinstance(child, ast.ClassDef) and child.name == "Meta"), None)


def _meta_value(meta: ast.ClassDef | None, name: str) -> ast.expr | None:
    if meta is None:
        return None
    for statement in meta.body:
        if name in _assigned_names(statement):
            return _assigned_value(statement)
    return None


def _field_facts(name: str, call: ast.Call, owner: str) -> FieldFacts:
    kind = _call_name(call) or ""
    target_node = call.args[0] if call.args else _keyword(call, "to")
    target = _string(target_node) or dotted_name(target_node)
    if target is not None:
        target = owner if target == "self" else last_part(target)
    return FieldFacts(
        name=name,
        type=kind,
        line=call.lineno,
        target=target if kind in RELATION_TYPES or kind.endswith("ForeignKey") else None,
        related_name=_string(_keyword(call, "related_name")),
        primary_key=_is_true(_keyword(call, "primary_key")),
        has_choices=_keyword(call, "choices") is not None,
    )


def _own_fields(node: ast.ClassDef) -> dict[str, FieldFacts]:
    fields: dict[str, FieldFacts] = {}
    for statement in node.body:
        value = _assigned_value(statement)
        if isinstance(value, ast.Call) and _is_field_call(value):
            for name in _assigned_names(statement):
                fields[name] = _field_facts(name, value, node.name)
    return fields


def _meta_indexes_and_constraints(
    node: ast.ClassDef, fields: dict[str, FieldFacts]
) -> tuple[list[tuple[str, ...]], list[ConstraintFacts]]:
    meta = _meta(node)
    indexes: list[tuple[str, ...]] = [(name,) for name, facts in fields.items() if facts.type == "ForeignKey"]
    constraints: list[ConstraintFacts] = []
    for statement in node.body:
        value = _assigned_value(statement)
        if isinstance(value, ast.Call) and _is_field_call(value):
            if _is_true(_keyword(value, "db_index")):
                indexes.append((_assigned_names(statement)[0],))
            if _is_true(_keyword(value, "unique")):
                constraints.append(ConstraintFacts("unique", (_assigned_names(statement)[0],), None, value.lineno))
    index_list = _meta_value(meta, "indexes")
    for index in index_list.elts if isinstance(index_list, (ast.List, ast.Tuple)) else ():
        if isinstance(index, ast.Call):
            indexes.append(tuple(name.lstrip("-") for name in _strings(_keyword(index, "fields"))))
    for key, kind in (("index_together", "index"), ("unique_together", "unique")):
        together = _meta_value(meta, key)
        groups = together.elts if isinstance(together, (ast.List, ast.Tuple)) else ()
        if groups and all(isinstance(group, ast.Constant) for group in groups):
            groups = [together]
        for group in groups:
            names = _strings(group)
            if kind == "index":
                indexes.append(names)
            else:
                constraints.append(ConstraintFacts("unique", names, None, group.lineno))
    constraint_list = _meta_value(meta, "constraints")
    for constraint in constraint_list.elts if isinstance(constraint_list, (ast.List, ast.Tuple)) else ():
        if not isinstance(constraint, ast.Call):
            continue
        kind_name = _call_name(constraint) or ""
        name = _string(_keyword(constraint, "name"))
        if kind_name == "UniqueConstraint":
            constraints.append(ConstraintFacts("unique", _strings(_keyword(constraint, "fields")), name, constraint.lineno))
        elif kind_name == "CheckConstraint":
            condition = _keyword(constraint, "condition") or _keyword(constraint, "check") or constraint
            constraints.append(ConstraintFacts("check", _q_fields(condition), name, constraint.lineno))
        elif kind_name == "ExclusionConstraint":
            expressions = _keyword(constraint, "expressions")
            names = tuple(
                value
                for item in (expressions.elts if isinstance(expressions, (ast.List, ast.Tuple)) else ())
                if isinstance(item, ast.Tuple) and item.elts
                for value in _strings(item.elts[0])
            )
            constraints.append(ConstraintFacts("exclusion", names, name, constraint.lineno))
    return indexes, constraints


def _declares_model_fields(node: ast.ClassDef) -> bool:
    """A class assigning Django model fields (`name = models.CharField(...)`) is a model, abstract or not, even when
    its base comes from a package archbench cannot read (`MPTTModel`, `TimeStampedModel`, `UUIDModel`)."""
    for statement in node.body:
        value = _assigned_value(statement)
        if isinstance(value, ast.Call) and _is_field_call(value) and (dotted_name(value.func) or "").startswith("models."):
            return True
    return False


def _history_models(raw: list[_RawModel]) -> list[_RawModel]:
    """`Historical<Model>` for every model with django-simple-history's `history = HistoricalRecords()`: the package
    creates that model (and its migration) from the model's fields."""
    found = []
    for item in raw:
        if item.external or not any(
            _call_name(_assigned_value(statement)) == "HistoricalRecords" for statement in item.node.body if _assigned_value(statement) is not None
        ):
            continue
        name = f"Historical{item.cls.name}"
        cls = ClassFacts(name, item.cls.module, item.cls.file, item.cls.line, ("models.Model",), item.cls.attributes)
        found.append(_RawModel(cls, item.node, item.app, external=False))
    return found


def _build_models(raw: list[_RawModel], user_model: str) -> list[ModelFacts]:
    """Resolve inheritance (fields, attributes) and reverse relations; `settings.AUTH_USER_MODEL` is `user_model`."""
    by_name = {item.cls.name: item for item in raw}
    own = {item.cls.name: _own_fields(item.node) for item in raw}

    def lineage(name: str, seen: frozenset[str] = frozenset()) -> list[str]:
        """`name` and its model ancestors, farthest first."""
        item = by_name.get(name)
        if item is None or name in seen:
            return []
        ancestors = [ancestor for base in item.cls.bases for ancestor in lineage(last_part(base), seen | {name})]
        return [*dict.fromkeys(ancestors), name]

    reverse: dict[str, dict[str, str]] = {}
    built_fields: dict[str, dict[str, FieldFacts]] = {}
    for item in raw:
        fields: dict[str, FieldFacts] = {}
        for ancestor in lineage(item.cls.name):
            fields.update(own[ancestor])
        if not any(facts.primary_key for facts in fields.values()):
            fields = {"id": FieldFacts("id", "AutoField", item.cls.line, primary_key=True), **fields}
        built_fields[item.cls.name] = fields
        if _is_true(_meta_value(_meta(item.node), "abstract")) or item.cls.name != item.node.name:
            continue  # abstract, or a history model (its relations are `related_name="+"`)
        for facts in own[item.cls.name].values():
            if facts.target is None or (facts.related_name or "").endswith("+"):
                continue
            target = user_model if facts.target == "AUTH_USER_MODEL" else facts.target
            default = item.cls.name.lower() if facts.type == "OneToOneField" else f"{item.cls.name.lower()}_set"
            accessor = facts.related_name or default
            reverse.setdefault(target, {})[accessor] = f"{item.cls.name}.{facts.name}"
    models: list[ModelFacts] = []
    for item in raw:
        attributes: set[str] = set()
        for ancestor in lineage(item.cls.name):
            attributes |= by_name[ancestor].cls.attributes
        indexes, constraints = _meta_indexes_and_constraints(item.node, own[item.cls.name])
        models.append(
            ModelFacts(
                name=item.cls.name,
                app=item.app,
                module=item.cls.module,
                file=item.cls.file,
                line=item.cls.line,
                bases=item.cls.bases,
                abstract=_is_true(_meta_value(_meta(item.node), "abstract")),
                fields=built_fields[item.cls.name],
                indexes=tuple(indexes),
                constraints=tuple(constraints),
                attributes=frozenset(attributes),
                reverse_relations=reverse.get(item.cls.name, {}),
                external=item.external,
            )
        )
    return models


# --- installed third-party apps ------------------------------------------------------------------


def _external_model_classes(installed_apps: tuple[str, ...], repo_modules: set[str]) -> list[list[_RawModel]]:
    found = []
    for entry in installed_apps:
        module = entry.split(".apps.")[0]
        if module in repo_modules or module.split(".")[0] in {name.split(".")[0] for name in repo_modules}:
            continue
        found.append(_installed_app_models(module))
    return found


@lru_cache(maxsize=64)
def installed_package_dir(top_level: str) -> Path | None:
    """Folder of an installed top-level package, located without importing it."""
    try:
        spec = importlib.util.find_spec(top_level)
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


@lru_cache(maxsize=64)
def _installed_app_models(app_module: str) -> list[_RawModel]:
    """Models of an installed app: its models.py plus the sibling modules it imports classes from."""
    top, _, rest = app_module.partition(".")
    package = installed_package_dir(top)
    if package is None:
        return []
    app_dir = package.joinpath(*rest.split(".")) if rest else package
    label = app_module.rsplit(".", 1)[-1]
    models_file = app_dir / "models.py"
    if not models_file.is_file():
        return []
    files = [models_file]
    for sibling in _imported_siblings(models_file, app_module, app_dir):
        files.append(sibling)
    classes: list[tuple[ClassFacts, ast.ClassDef]] = []
    for path in files:
        try:
            tree = ast.parse(path.read_text(encoding="utf-8"))
        except (OSError, SyntaxError, UnicodeDecodeError, ValueError):
            continue
        module_name = f"{app_module}.{path.stem}"
        for node in tree.body:
            if isinstance(node, ast.ClassDef):
                attributes = {name for statement in node.body for name in _assigned_names(statement)}
                bases = tuple(base for base in (dotted_name(base) for base in node.bases) if base)
                classes.append((ClassFacts(node.name, module_name, path.as_posix(), node.lineno, bases, frozenset(attributes - {"Meta"})), node))
    known: set[str] = set()
    models: list[_RawModel] = []
    changed = True
    while changed:
        changed = False
        for facts, node in classes:
            if facts.name not in known and any(last_part(base) == "Model" or last_part(base) in known for base in facts.bases):
                known.add(facts.name)
                models.append(_RawModel(facts, node, label, external=True))
                changed = True
    return models


def _imported_siblings(models_file: Path, app_module: str, app_dir: Path) -> list[Path]:
    try:
        tree = ast.parse(models_file.read_text(encoding="utf-8"))
    except (OSError, SyntaxError, UnicodeDecodeError, ValueError):
        return []
    siblings = []
    for node in tree.body:
        if not isinstance(node, ast.ImportFrom) or not node.module:
            continue
        if node.level == 1:
            stem = node.module.split(".")[0]
        elif node.module.startswith(f"{app_module}."):
            stem = node.module.removeprefix(f"{app_module}.").split(".")[0]
        else:
            continue
        candidate = app_dir / f"{stem}.py"
        if candidate.is_file() and candidate != models_file:
            siblings.append(candidate)
    return siblings


def installed_tree(top_level: str, relative: str) -> ast.Module | None:
    """The parsed source of a file of an installed package (`celery`, `app/defaults.py`), or None."""
    package = installed_package_dir(top_level)
    if package is None:
        return None
    try:
        return ast.parse((package / relative).read_text(encoding="utf-8"))
    except (OSError, SyntaxError, UnicodeDecodeError):
        return None


@lru_cache(maxsize=1)
def _django_global_settings() -> frozenset[str]:
    tree = installed_tree("django", "conf/global_settings.py")
    if tree is None:
        return frozenset()
    return frozenset(name for statement in tree.body for name in _assigned_names(statement) if name.isupper())


@lru_cache(maxsize=1)
def celery_settings() -> frozenset[str]:
    """Celery's settings as a Django project names them under the `CELERY_` namespace: `CELERY_TASK_ALWAYS_EAGER`
    (`task_always_eager`) and the old form without the group (`CELERY_ALWAYS_EAGER`), read from celery/app/defaults.py
    like Django's settings (empty when Celery is not installed)."""
    tree = installed_tree("celery", "app/defaults.py")
    if tree is None:
        return frozenset()
    names: set[str] = set()

    def options(call: ast.Call, prefix: str) -> None:
        for keyword in call.keywords:
            if not keyword.arg or not isinstance(keyword.value, ast.Call):
                continue
            if _call_name(keyword.value) == "Namespace":
                options(keyword.value, f"{prefix}{keyword.arg}_")
            elif _call_name(keyword.value) == "Option":
                names.update({f"CELERY_{prefix}{keyword.arg}".upper(), f"CELERY_{keyword.arg}".upper()})

    for statement in tree.body:
        value = _assigned_value(statement)
        if "NAMESPACES" in _assigned_names(statement) and isinstance(value, ast.Call):
            options(value, "")
    return frozenset(names)


@lru_cache(maxsize=1)
def django_model_api() -> frozenset[str]:
    """Names Django gives every model, queryset and manager (`save`, `refresh_from_db`, `filter`,
    `bulk_create`, …), read from Django's source like the settings list."""
    names: set[str] = set()
    for relative, class_names in (
        ("db/models/base.py", {"Model"}),
        ("db/models/query.py", {"QuerySet"}),
        ("db/models/manager.py", {"BaseManager"}),
    ):
        tree = installed_tree("django", relative)
        if tree is None:
            continue
        for node in tree.body:
            if isinstance(node, ast.ClassDef) and node.name in class_names:
                names.update(name for statement in node.body for name in _assigned_names(statement))
    return frozenset(name for name in names if not name.startswith("__"))
