"""The conventions file of a repo: `archbench.yaml` at its root, or a file anywhere that a scenario
names with `conventions:` (docs/formats.md). Either way the agent under test never sees it."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from archbench.core.strict_yaml import InputError, load_model

CONVENTIONS_FILE = "archbench.yaml"
ConventionCheck = Literal[
    "base_model",
    "pk_type",
    "pagination",
    "api_prefix",
    "service_layer",
    "permission_class",
    "status_choices",
    "camel_case_api",
]


AppliesWhen = Literal[
    "proposes_fields",
    "lists_status_values",
    "proposes_new_app",
    "proposes_new_app_with_endpoints",
    "proposes_tasks",
    "designs_tasks",
    "lists_related_objects",
    "enqueues_on_write",
    "exposes_datetimes",
    "proposes_models",
    "proposes_endpoints",
    "proposes_write_endpoints",
]
"""Plan features a phrase rule (a general rule, or a repo rule with `mentions`) can apply to."""
Phrase = Annotated[str, StringConstraints(min_length=1, strip_whitespace=True)]
IDENTIFIER = r"[A-Za-z_][A-Za-z0-9_]*"
SERVICE_LAYER_VALUES = ("views",)
"""service_layer values that are not a module file: `views` = the logic stays in the views (no service layer)."""


class Convention(BaseModel):
    """One house rule: a named `check` with its `value`, or phrase groups (`mentions`) that apply `applies_when`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")]
    check: ConventionCheck | None = None
    value: str | bool | None = None
    description: str = Field(min_length=1)
    applies_when: AppliesWhen | None = None
    mentions: list[list[Phrase]] | None = None
    """Phrase groups (as in graders/general_conventions.yaml): every group needs one of its phrases."""

    @model_validator(mode="after")
    def _value_fits_check(self) -> "Convention":
        if self.mentions is not None:
            if self.check is not None or self.value is not None:
                raise ValueError("a rule has either `check` and `value` or `mentions` and `applies_when`, not both")
            if self.applies_when is None:
                raise ValueError("a `mentions` rule needs `applies_when` (when the rule applies to a plan)")
            if not self.mentions or any(not group for group in self.mentions):
                raise ValueError("`mentions` needs at least one non-empty phrase group")
            return self
        if self.check is None or self.value is None:
            raise ValueError("a rule needs `check` and `value` (or `mentions` and `applies_when`)")
        if self.applies_when is not None:
            raise ValueError("`applies_when` is for `mentions` rules; a named check decides when it applies")
        allowed: dict[str, tuple[Any, ...]] = {
            "pk_type": ("bigint", "uuid"),
            "status_choices": ("TextChoices", "plain_strings"),
            "camel_case_api": (True,),
        }
        if self.check in allowed and self.value not in allowed[self.check]:
            raise ValueError(f"check '{self.check}' takes one of {list(allowed[self.check])}, got {self.value!r}")
        if self.check == "api_prefix" and not (isinstance(self.value, str) and self.value.startswith("/")):
            raise ValueError("api_prefix value must be a URL path starting with '/'")
        names_a_class = {"base_model": "a model class", "pagination": "a pagination class or paginator mixin",
                         "permission_class": "a permission class or permission decorator"}
        if self.check in names_a_class and not (isinstance(self.value, str) and re.fullmatch(IDENTIFIER, self.value)):
            raise ValueError(
                f"{self.check} value {self.value!r} can never match: the check looks for {names_a_class[self.check]} named "
                "in the plan, so the value must be one Python name (`StandardPageNumberPagination`, not a dotted path or prose)"
            )
        if self.check == "service_layer" and not (
            isinstance(self.value, str) and (re.fullmatch(rf"{IDENTIFIER}\.py", self.value) or self.value in SERVICE_LAYER_VALUES)
        ):
            raise ValueError(
                f"service_layer value {self.value!r} can never match: it must be the module file that holds the logic "
                f"(`services.py`, `models.py`) or one of {list(SERVICE_LAYER_VALUES)} (the logic stays in the views)"
            )
        return self


class RepoConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    description: str = Field(min_length=1)
    backend_dir: str
    frontend_dir: str
    """The (first) frontend folder; `frontend_dir: [web, admin]` names several (monorepos): see `frontend_dirs`."""
    project_package: str
    conventions: list[Convention] = []
    frontend_dirs: tuple[str, ...] = ()
    """Every frontend folder (filled from `frontend_dir`, one folder or a list); scope and grounding read this."""
    disable_general: list[str] = []
    """Ids of general rules (graders/general_conventions.yaml) that do not hold in this repo (`tasks-in-tasks-module`
    when tasks live in bgtasks/*_task.py); the conventions grader leaves them out and rejects unknown ids."""

    @model_validator(mode="before")
    @classmethod
    def _frontend_folders(cls, data: Any) -> Any:
        if isinstance(data, dict) and isinstance(data.get("frontend_dir"), list):
            folders = data["frontend_dir"]
            if not folders or not all(isinstance(folder, str) and folder for folder in folders):
                raise ValueError("frontend_dir takes a folder or a non-empty list of folders")
            if "frontend_dirs" in data:
                raise ValueError("give the frontend folders once, as frontend_dir: [a, b]")
            data = {**data, "frontend_dir": folders[0], "frontend_dirs": tuple(folders)}
        return data

    @model_validator(mode="after")
    def _unique_ids(self) -> "RepoConfig":
        if not self.frontend_dirs:
            object.__setattr__(self, "frontend_dirs", (self.frontend_dir,))
        elif self.frontend_dirs[0] != self.frontend_dir:
            raise ValueError("frontend_dirs must start with frontend_dir")
        ids = [convention.id for convention in self.conventions]
        duplicated = sorted({identifier for identifier in ids if ids.count(identifier) > 1})
        if duplicated:
            raise ValueError(f"duplicate convention ids: {duplicated}")
        return self

    @property
    def layout(self) -> tuple[str, str | None, tuple[str, ...]]:
        """(backend folder, project package, frontend folders): how the graders read the repo."""
        return self.backend_dir, self.project_package, self.frontend_dirs


@lru_cache(maxsize=64)
def load_repo_config(repo_dir: Path, path: Path | None = None) -> RepoConfig:
    """Load and check a repo's conventions file (`path`, else `archbench.yaml` at the repo root);
    the folders it names must exist in the repo."""
    if path is None:
        path = repo_dir / CONVENTIONS_FILE
        if not path.is_file():
            raise InputError(
                f"repo has no {CONVENTIONS_FILE} conventions file; write one with `archbench repo init` and name it "
                "from the scenario (`conventions: PATH`), or put it at the repo root (see docs/formats.md)",
                repo_dir,
            )
    elif not path.is_file():
        raise InputError("conventions file not found", path)
    config = load_model(RepoConfig, path)
    if config.name != repo_dir.name:
        raise InputError(f"name '{config.name}' does not match the folder name '{repo_dir.name}'", path)
    for key in ("backend_dir", "project_package"):
        if not (repo_dir / getattr(config, key)).is_dir():
            raise InputError(f"{key} '{getattr(config, key)}' is not a folder of the repo", path)
    for folder in config.frontend_dirs:
        if not (repo_dir / folder).is_dir():
            raise InputError(f"frontend_dir '{folder}' is not a folder of the repo", path)
    return config
