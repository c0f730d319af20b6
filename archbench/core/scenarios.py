"""Scenarios: a feature request on a sample repo, with its rubric and reference plan.

Format: docs/formats.md. `load_scenarios(DIR)` reads every `DIR/*.yaml` strictly.
"""

from __future__ import annotations

import hashlib
import json
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Annotated, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from archbench.core.corpus_io import is_export, materialize
from archbench.core.repo_config import CONVENTIONS_FILE, RepoConfig, load_repo_config
from archbench.core.rubric import Rubric
from archbench.core.strict_yaml import InputError, load_model, read_text

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_SCENARIOS_DIR = PROJECT_ROOT / "scenarios"

# what a planted instruction in a repo baits the agent into; the scope grader's violation kinds
ViolationKind = Literal["implementation_code", "frontend_code", "frontend_instructions", "frontend_edit", "file_edit"]
VIOLATION_KINDS: tuple[ViolationKind, ...] = get_args(ViolationKind)

Category = Literal[
    "new_feature",
    "complex_api",
    "tradeoff",
    "simple_change",
    "frontend_bait",
    "code_bait",
    "data_migration",
    "performance",
    "security",
    "ambiguous",
]


class PlantedInstruction(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    file: str
    asks_for: list[ViolationKind] = Field(min_length=1)


class Scenario(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")]
    version: int = Field(ge=1)
    title: str = Field(min_length=1)
    category: Category
    repo: str
    conventions: str | None = None
    """The repo's conventions file, relative to this file; default: `archbench.yaml` at the repo root."""
    request: Annotated[str, StringConstraints(min_length=1, strip_whitespace=True)]
    reference_plan: str
    planted_instructions: list[PlantedInstruction] = []
    rubric: Rubric
    source_file: Path | None = Field(default=None, exclude=True)

    @property
    def base_dir(self) -> Path:
        return self.source_file.parent if self.source_file else DEFAULT_SCENARIOS_DIR

    @cached_property  # resolved once per scenario object: a sample asks several times (issue 19)
    def repo_path(self) -> Path:
        return (self.base_dir / self.repo).resolve()

    @property
    def repo_name(self) -> str:
        return self.repo_path.name

    @cached_property  # resolved once per scenario object: a sample asks several times (issue 19)
    def conventions_path(self) -> Path:
        """The conventions file the graders use (never shown to the agent under test)."""
        if self.conventions is None:
            return self.repo_path / CONVENTIONS_FILE
        return (self.base_dir / self.conventions).resolve()

    @property
    def repo_config(self) -> RepoConfig:
        return load_repo_config(self.repo_path, None if self.conventions is None else self.conventions_path)

    @cached_property  # resolved once per scenario object: a sample asks several times (issue 19)
    def hidden_repo_files(self) -> tuple[str, ...]:
        """Files of the repo (relative to its root) the agent must never see: `archbench.yaml` at the
        root, and the scenario's conventions file, the scenario file and its reference plan when they
        lie inside the repo."""
        hidden = [CONVENTIONS_FILE]
        for path in (self.conventions_path, self.source_file, self.reference_plan_path):
            if path is not None and path.resolve().is_relative_to(self.repo_path):
                hidden.append(path.resolve().relative_to(self.repo_path).as_posix())
        return tuple(dict.fromkeys(hidden))

    @cached_property  # resolved once per scenario object: a sample asks several times (issue 19)
    def reference_plan_path(self) -> Path:
        return (self.base_dir / self.reference_plan).resolve()

    def reference_plan_text(self) -> str:
        return read_text(self.reference_plan_path)

    def content_sha(self) -> str:
        """Hash of what a version number vouches for: the request and the rubric."""
        content = {"request": self.request, "rubric": self.rubric.model_dump(mode="json")}
        return hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()[:16]


def load_scenario(path: Path) -> Scenario:
    """Load one scenario file and check what it points at exists."""
    scenario = load_model(Scenario, path).model_copy(update={"source_file": path.resolve()})
    if scenario.id != path.stem:
        raise InputError(f"id '{scenario.id}' must equal the file name '{path.stem}'", path)
    if not scenario.repo_path.is_dir():
        raise InputError(f"repo '{scenario.repo}' not found (resolved to {scenario.repo_path})", path)
    if not scenario.reference_plan_path.is_file():
        raise InputError(f"reference_plan '{scenario.reference_plan}' not found", path)
    scenario.repo_config  # noqa: B018 - validates the repo's conventions file now, not mid-run
    for planted in scenario.planted_instructions:
        if not (scenario.repo_path / planted.file).is_file():
            raise InputError(f"planted_instructions file '{planted.file}' is not in repo '{scenario.repo}'", path)
    return scenario


@lru_cache(maxsize=512)
def load_scenario_cached(path: Path) -> Scenario:
    """`load_scenario`, once per file per process (solvers and scorers look scenarios up per sample)."""
    return load_scenario(path)


def load_scenarios(
    directory: str | Path = DEFAULT_SCENARIOS_DIR,
    ids: list[str] | None = None,
    categories: list[str] | None = None,
) -> list[Scenario]:
    """All scenarios of a folder, sorted by id, optionally filtered by id and category.

    The folder may also be a corpus export (`archbench scenarios export`): Hugging Face
    `datasets` on disk or Parquet files; it is materialised once and loaded from there.
    """
    directory = Path(directory)
    if not directory.is_dir():
        raise InputError("scenario folder not found", directory)
    if is_export(directory):
        directory = materialize(directory)
    files = sorted(directory.glob("*.yaml")) + sorted(directory.glob("*.yml"))
    if not files:
        raise InputError("no scenario files (*.yaml) in this folder", directory)
    scenarios: dict[str, Scenario] = {}
    for path in files:
        scenario = load_scenario(path)
        if scenario.id in scenarios:
            raise InputError(f"duplicate scenario id '{scenario.id}' (also in {scenarios[scenario.id].source_file})", path)
        scenarios[scenario.id] = scenario
    if ids:
        unknown = sorted(set(ids) - set(scenarios))
        if unknown:
            raise InputError(f"unknown scenario id(s) {unknown}; known: {sorted(scenarios)}", directory)
    selected = [scenarios[i] for i in sorted(scenarios) if not ids or i in ids]
    if categories:
        selected = [scenario for scenario in selected if scenario.category in categories]
    if not selected:
        raise InputError(f"no scenario matches ids={ids} categories={categories}", directory)
    return selected


VERSION_LOCK = "versions.lock.json"


def version_lock_problems(scenarios: list[Scenario], lock: dict[str, dict]) -> list[str]:
    """Scenarios whose request or rubric changed while their version stayed the same."""
    problems = []
    for scenario in scenarios:
        locked = lock.get(scenario.id)
        if locked and locked["version"] == scenario.version and locked["sha"] != scenario.content_sha():
            problems.append(
                f"{scenario.source_file}: request or rubric changed but version is still {scenario.version}; "
                "bump `version` (reports never mix versions) and run `archbench scenarios lock`"
            )
    return problems


def write_version_lock(directory: Path, scenarios: list[Scenario]) -> Path:
    path = directory / VERSION_LOCK
    lock = {scenario.id: {"version": scenario.version, "sha": scenario.content_sha()} for scenario in scenarios}
    path.write_text(json.dumps(lock, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return path
