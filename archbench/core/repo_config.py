"""The conventions file of a repo: `archbench.yaml` at its root, or a file anywhere that a scenario
names with `conventions:` (docs/formats.md). Either way the agent under test never sees it."""

from __future__ import annotations

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


class Convention(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")]
    check: ConventionCheck
    value: str | bool
    description: str = Field(min_length=1)

    @model_validator(mode="after")
    def _value_fits_check(self) -> "Convention":
        allowed: dict[str, tuple[Any, ...]] = {
            "pk_type": ("bigint", "uuid"),
            "status_choices": ("TextChoices", "plain_strings"),
            "camel_case_api": (True,),
        }
        if self.check in allowed and self.value not in allowed[self.check]:
            raise ValueError(f"check '{self.check}' takes one of {list(allowed[self.check])}, got {self.value!r}")
        if self.check == "api_prefix" and not (isinstance(self.value, str) and self.value.startswith("/")):
            raise ValueError("api_prefix value must be a URL path starting with '/'")
        return self


class RepoConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    description: str = Field(min_length=1)
    backend_dir: str
    frontend_dir: str
    project_package: str
    conventions: list[Convention] = []

    @model_validator(mode="after")
    def _unique_ids(self) -> "RepoConfig":
        ids = [convention.id for convention in self.conventions]
        duplicated = sorted({identifier for identifier in ids if ids.count(identifier) > 1})
        if duplicated:
            raise ValueError(f"duplicate convention ids: {duplicated}")
        return self

    @property
    def layout(self) -> tuple[str, str | None, str | None]:
        """(backend folder, project package, frontend folder): how the graders read the repo."""
        return self.backend_dir, self.project_package, self.frontend_dir


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
    for key in ("backend_dir", "frontend_dir", "project_package"):
        if not (repo_dir / getattr(config, key)).is_dir():
            raise InputError(f"{key} '{getattr(config, key)}' is not a folder of the repo", path)
    return config
