"""Experiment config: the YAML file a team keeps in its repo for `run --config` and `nightly`.

Documented in docs/workflows.md. Relative paths are relative to the config file. Command
line flags override the file.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Literal

from inspect_ai.model import BatchConfig, GenerateConfig
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
    # send this model's calls through the provider's batch API (inspect's GenerateConfig.batch):
    # true, a batch size, or BatchConfig settings; the report prices them at the batch rate
    batch: StrictBool | int | dict[str, Any] | None = None

    @field_validator("batch")
    @classmethod
    def _batch_settings(cls, batch: Any) -> Any:
        if isinstance(batch, bool) or batch is None:
            return batch
        if isinstance(batch, int):
            if batch < 1:
                raise ValueError(f"batch size must be at least 1, got {batch}")
            return batch
        unknown = sorted(set(batch) - set(BatchConfig.model_fields))
        if unknown:
            raise ValueError(f"unknown batch setting(s) {unknown}; known: {sorted(BatchConfig.model_fields)}")
        BatchConfig(**batch)
        return batch

    def generate_config(self) -> GenerateConfig:
        return GenerateConfig(**self.generate, **({} if self.batch is None else {"batch": self.batch}))

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
        if "batch" in settings:
            raise ValueError("give batch mode as the model's own `batch:` key, not under generate (the report prices it from there)")
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
    max_samples: int | None = Field(default=None, ge=1)  # default per runner: archbench/app/sample_limits.py
    cache: StrictBool | None = None  # inspect's response cache; default on for `run`, off for `nightly`
    prices: str | None = None  # price table for the budget and the report (default: reports/prices.yaml)
    log_realtime: StrictBool = False
    log_model_api: StrictBool = False
    skills_dir: str | None = None  # looked in for the prompts' skills (<name>/SKILL.md) first
    model_aliases: str | None = None  # declared model → inspect model table (default: archbench's)
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
        max_samples=config.max_samples,
        model_settings={model.name: model for model in config.models},
        max_usd=config.budget.max_usd,
        max_tokens=config.budget.max_tokens,
        judge=config.judge,
        cache=config.cache is not False,
        prices=(base / config.prices).resolve() if config.prices else None,
        log_realtime=config.log_realtime,
        log_model_api=config.log_model_api,
        runner=config.runner,
        claude_code_mode=config.claude_code_mode,
    )
    if spec.prices is not None and not spec.prices.is_file():
        raise InputError(f"price table '{spec.prices}' not found", path)
    if config.scenarios.dir:
        spec.scenarios_dir = (base / config.scenarios.dir).resolve()
    if config.skills_dir:
        spec.skills_dir = (base / config.skills_dir).resolve()
    if config.model_aliases:
        spec.model_aliases = (base / config.model_aliases).resolve()
    return config, spec
