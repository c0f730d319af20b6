"""Experiment config: the YAML file a team keeps in its repo for `run --config` and `nightly`.

Documented in docs/workflows.md. Relative paths are relative to the config file. Command
line flags override the file.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Literal

from inspect_ai.model import GenerateConfig
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    field_validator,
    model_validator,
)

from archbench.app.run import RunSpec
from archbench.core.strict_yaml import InputError, load_model


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ModelEntry(Strict):
    name: str = Field(description="inspect model name, provider/model")
    generate: dict[str, Any] = {}
    args: dict[str, Any] = {}
    base_url: str | None = None

    @field_validator("name")
    @classmethod
    def _provider_and_model(cls, name: str) -> str:
        if not re.fullmatch(r"[^/\s]+/\S+", name):
            raise ValueError(f"'{name}' must be provider/model, e.g. anthropic/claude-sonnet-4-5 or archbench/reference")
        return name

    @field_validator("generate")
    @classmethod
    def _known_generate_settings(cls, settings: dict[str, Any]) -> dict[str, Any]:
        unknown = sorted(set(settings) - set(GenerateConfig.model_fields))
        if unknown:
            raise ValueError(f"unknown generation setting(s) {unknown}; see inspect's GenerateConfig")
        GenerateConfig(**settings)
        return settings


class ScenarioSelection(Strict):
    dir: str | None = None
    ids: list[str] = []
    categories: list[str] = []


class Budget(Strict):
    max_usd: float | None = Field(default=None, gt=0)
    max_tokens: int | None = Field(default=None, gt=0)


class RegressionPolicy(Strict):
    alpha: float = Field(default=0.05, gt=0, lt=1)
    min_effect: float = Field(default=0.0, ge=0, le=1)


class ExperimentConfig(Strict):
    name: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
    prompts: list[str] = Field(min_length=1)
    models: list[ModelEntry] = Field(min_length=1)
    scenarios: ScenarioSelection = ScenarioSelection()
    epochs: int = Field(default=1, ge=1)
    judge: str | None = None
    budget: Budget = Budget()
    log_dir: str | None = None
    baseline: str | None = None
    regression: RegressionPolicy = RegressionPolicy()
    max_connections: int | None = Field(default=None, ge=1)
    log_realtime: StrictBool = False
    log_model_api: StrictBool = False
    runner: Literal["native", "claude-code"] = "native"
    claude_code_mode: Literal["main", "delegated"] = "main"

    @field_validator("models", mode="before")
    @classmethod
    def _plain_names(cls, models: Any) -> Any:
        if isinstance(models, list):
            return [{"name": model} if isinstance(model, str) else model for model in models]
        return models

    @model_validator(mode="after")
    def _distinct_models(self) -> "ExperimentConfig":
        names = [model.name for model in self.models]
        if len(set(names)) != len(names):
            raise ValueError(f"a model is listed twice: {names}")
        return self


def load_config(path: Path) -> tuple[ExperimentConfig, RunSpec]:
    """Read a config and turn it into a run spec with paths resolved against the file."""
    config = load_model(ExperimentConfig, path)
    base = path.resolve().parent
    prompts = [(base / prompt).resolve() for prompt in config.prompts]
    for prompt in prompts:
        if not prompt.is_file():
            raise InputError(f"prompt file '{prompt}' not found", path)
    spec = RunSpec(
        prompts=prompts,
        models=[model.name for model in config.models],
        scenario_ids=config.scenarios.ids,
        categories=config.scenarios.categories,
        epochs=config.epochs,
        log_root=(base / config.log_dir).resolve() if config.log_dir else (base / "logs" / config.name).resolve(),
        max_connections=config.max_connections,
        model_settings={model.name: model for model in config.models},
        max_usd=config.budget.max_usd,
        max_tokens=config.budget.max_tokens,
        judge=config.judge,
        log_realtime=config.log_realtime,
        log_model_api=config.log_model_api,
        runner=config.runner,
        claude_code_mode=config.claude_code_mode,
    )
    if config.scenarios.dir:
        spec.scenarios_dir = (base / config.scenarios.dir).resolve()
    return config, spec
