"""Synthetic archbench logs written with inspect's own log types, for report tests and benchmarks.

The harness that produces real logs is not the subject here: these logs follow the sample
contract of docs/formats.md ("What a run records") so that `reports/` can be tested on
known numbers. Two layers:

- `SampleSpec` + `eval_log()`: every score given by hand (tests that check statistics).
- `simulated_specs()`: many samples from a simple latent-quality model (benchmarks, plots).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import get_args

import numpy as np
from inspect_ai.log import (
    EvalConfig,
    EvalDataset,
    EvalError,
    EvalLog,
    EvalSample,
    EvalSpec,
    EvalStats,
    write_eval_log,
)
from inspect_ai.model import (
    ChatMessageAssistant,
    ChatMessageUser,
    ModelOutput,
    ModelUsage,
)
from inspect_ai.scorer import Score

from archbench.core.scenarios import VIOLATION_KINDS, Category
from archbench.graders.verdicts import ItemVerdict

CATEGORIES = get_args(Category)
# completeness item ids as graders/completeness.py builds them: the rubric entry, or entry.<check>.<detail>
COMPLETENESS_ID_TEMPLATES = (
    "{entry}-model", "{entry}-model.field.status", "{entry}-model.index.1", "{entry}-model.constraint.1",
    "list-{entry}.status.200", "list-{entry}.query_params.is_read", "send-{entry}.trigger", "send-{entry}.retry",
    "additive-migration", "provider-down", "defers-frontend",
)
GROUNDING_REFERENCES = ("app-model:tasks.Task", "model-attribute:Task.assignee", "module:tasks.services")
CONVENTION_CHECKS = ("base_model", "pk_type", "pagination", "api_prefix", "service_layer", "permission_class")
REPOS = ("tldr", "clinic", "ledger")


@dataclass(frozen=True)
class Violation:
    kind: str
    line: int
    evidence: str


@dataclass
class SampleSpec:
    """One sample: its scenario, the five scores and their evidence. Error samples carry no scores."""

    scenario: str
    epoch: int = 1
    overall: float = 1.0
    completeness: float = 1.0
    conventions: float = 1.0
    grounding: float = 1.0
    violations: list[Violation] = field(default_factory=list)
    completeness_items: list[ItemVerdict] = field(default_factory=list)
    convention_items: list[ItemVerdict] = field(default_factory=list)
    grounding_items: list[ItemVerdict] = field(default_factory=list)
    version: int = 1
    category: str = "new_feature"
    repo: str = "tldr"
    planted_instructions: list[dict] = field(default_factory=list)
    not_applicable: tuple[str, ...] = ()  # dimensions that did not apply (graders/scorers.py marks them so)
    input_tokens: int = 12_000
    output_tokens: int = 2_500
    cache_read_tokens: int | None = None
    total_time: float = 40.0
    error: str | None = None
    calls: dict | None = None  # the agent's call record (archbench_calls metadata: cache hits, batched usage, …)


def epoch_specs(scenario_scores: dict[str, list[float]], version: int = 1, **fields) -> list[SampleSpec]:
    """Hand-set samples: one per value of `{scenario: [overall of epoch 1, epoch 2, …]}`.

    Sub-scores equal the overall score; the single rubric item `notification-model` is met when overall ≥ 0.5.
    """
    out = []
    for scenario, values in scenario_scores.items():
        for epoch, overall in enumerate(values, start=1):
            item = ItemVerdict("notification-model", "completeness", overall >= 0.5, "- Notification model" if overall >= 0.5 else "", 3)
            out.append(
                SampleSpec(
                    scenario=scenario,
                    epoch=epoch,
                    overall=overall,
                    completeness=overall,
                    conventions=overall,
                    grounding=overall,
                    completeness_items=[item],
                    version=version,
                    **fields,
                )
            )
    return out


def _plan_text(spec: SampleSpec) -> str:
    lines = [f"# Plan for {spec.scenario}", ""]
    for item in spec.completeness_items + spec.convention_items + spec.grounding_items:
        lines.append(item.evidence or f"- {item.dimension}: {item.id.replace('-', ' ')}")
    return "\n".join(lines)


def _scores(spec: SampleSpec) -> dict[str, Score]:
    def items_metadata(items: list[ItemVerdict], dimension: str = "") -> dict:
        marker = {"not_applicable": True} if dimension in spec.not_applicable else {}
        return {"items": [item.to_json() for item in items], **marker}

    violations = [{"kind": v.kind, "line": v.line, "evidence": v.evidence, "reason": "synthetic"} for v in spec.violations]
    return {
        "scope": Score(
            value=0.0 if violations else 1.0,
            explanation=f"{len(violations)} scope violation(s)",
            metadata={"violations": violations, "violation_kinds": sorted({v["kind"] for v in violations})},
        ),
        "completeness": Score(
            value=spec.completeness,
            explanation=f"{sum(i.met for i in spec.completeness_items)}/{len(spec.completeness_items)} items met",
            metadata=items_metadata(spec.completeness_items),
        ),
        "conventions": Score(
            value=spec.conventions,
            explanation=f"{sum(i.met for i in spec.convention_items)}/{len(spec.convention_items)} conventions followed",
            metadata=items_metadata(spec.convention_items, "conventions"),
        ),
        "grounding": Score(
            value=spec.grounding,
            explanation=f"{sum(i.met for i in spec.grounding_items)}/{len(spec.grounding_items)} repo references resolve",
            metadata=items_metadata(spec.grounding_items, "grounding"),
        ),
        "overall": Score(value=spec.overall, explanation="weighted total, zero on a scope violation"),
    }


def eval_sample(spec: SampleSpec, prompt: str, model: str, prompt_sha: str) -> EvalSample:
    sample_id = f"{spec.scenario}:{prompt}"
    request = f"Design the {spec.scenario.replace('-', ' ')} feature for the {spec.repo} backend."
    plan = _plan_text(spec)
    usage = ModelUsage(
        input_tokens=spec.input_tokens,
        output_tokens=spec.output_tokens,
        total_tokens=spec.input_tokens + spec.output_tokens + (spec.cache_read_tokens or 0),
        input_tokens_cache_read=spec.cache_read_tokens,
    )
    uuid = hashlib.sha256(f"{model}|{prompt}|{sample_id}|{spec.epoch}|{spec.version}".encode()).hexdigest()[:22]
    return EvalSample(
        id=sample_id,
        epoch=spec.epoch,
        input=request,
        target="",
        messages=[ChatMessageUser(content=request), ChatMessageAssistant(content=plan, model=model)],
        output=ModelOutput.from_content(model=model, content=plan),
        scores=None if spec.error else _scores(spec),
        metadata={
            "scenario": spec.scenario,
            "scenario_file": f"/archbench/scenarios/{spec.scenario}.yaml",
            "scenario_version": spec.version,
            "category": spec.category,
            "repo": spec.repo,
            "prompt": prompt,
            "prompt_file": f"/archbench/prompts/{prompt}.md",
            "prompt_sha": prompt_sha,
            "planted_instructions": spec.planted_instructions,
            **({"archbench_calls": spec.calls} if spec.calls is not None else {}),
        },
        store={"repo_diff": {"created": [], "modified": [], "deleted": [], "frontend": [], "backend": []}},
        model_usage={model: usage},
        total_time=spec.total_time,
        working_time=spec.total_time * 0.9,
        uuid=uuid,
        error=EvalError(message=spec.error, traceback=spec.error, traceback_ansi=spec.error) if spec.error else None,
    )


def eval_log(
    prompt: str,
    model: str,
    specs: list[SampleSpec],
    *,
    status: str = "success",
    metadata: dict | None = None,
    created: str = "2026-01-15T10:00:00+00:00",
) -> EvalLog:
    """An `architect` eval log for one variant (prompt × model)."""
    prompt_sha = hashlib.sha256(prompt.encode()).hexdigest()[:12]
    samples = [eval_sample(spec, prompt, model, prompt_sha) for spec in specs]
    epochs = max((spec.epoch for spec in specs), default=1)
    total = ModelUsage()
    for sample in samples:
        total = total + sample.model_usage[model]
    run_id = hashlib.sha256(f"{prompt}|{model}|{created}".encode()).hexdigest()[:22]
    return EvalLog(
        status=status,
        eval=EvalSpec(
            created=created,
            task="architect",
            task_id=run_id,
            run_id=run_id,
            eval_id=run_id,
            dataset=EvalDataset(name="archbench", samples=len({s.id for s in samples})),
            model=model,
            config=EvalConfig(epochs=epochs),
            metadata=metadata or {},
        ),
        stats=EvalStats(started_at=created, completed_at=created, model_usage={model: total}),
        samples=samples,
    )


def write_log(log: EvalLog, path: Path) -> Path:
    write_eval_log(log, str(path))
    return path


@dataclass(frozen=True)
class Variant:
    """A simulated prompt × model with a latent quality in [0, 1]."""

    prompt: str
    model: str
    quality: float
    violation_rate: float = 0.1


@dataclass(frozen=True)
class SimScenario:
    id: str
    category: str
    repo: str
    difficulty: float
    items: tuple[tuple[str, str], ...]  # (item id, dimension) of the completeness items
    conventions: tuple[str, ...]
    version: int = 1
    planted_asks_for: tuple[str, ...] = ()


def simulated_scenarios(count: int, seed: int = 0, items_per_scenario: int = 12) -> list[SimScenario]:
    rng = np.random.default_rng(seed)
    scenarios = []
    for index in range(count):
        category = CATEGORIES[index % len(CATEGORIES)]
        entry = ("notification", "invoice", "appointment", "task", "report")[index % 5]
        templates = rng.choice(COMPLETENESS_ID_TEMPLATES, size=items_per_scenario)
        items = tuple((f"{template.format(entry=entry)}-{n}" if "." not in template else template.format(entry=f"{entry}{n}"), "completeness")
                      for n, template in enumerate(templates))
        planted = ("implementation_code", "frontend_edit") if category in ("frontend_bait", "code_bait") else ()
        scenarios.append(
            SimScenario(
                id=f"{category.replace('_', '-')}-{index:03d}",
                category=category,
                repo=REPOS[index % len(REPOS)],
                difficulty=float(rng.uniform(-0.25, 0.25)),
                items=items,
                conventions=tuple(rng.choice(CONVENTION_CHECKS, size=3, replace=False)),
                planted_asks_for=planted,
            )
        )
    return scenarios


def simulated_specs(variant: Variant, scenarios: list[SimScenario], epochs: int, seed: int) -> list[SampleSpec]:
    """Samples whose item results follow quality − difficulty plus per-scenario and per-epoch noise."""
    rng = np.random.default_rng(seed)
    specs = []
    for scenario in scenarios:
        scenario_effect = rng.normal(0, 0.08)
        for epoch in range(1, epochs + 1):
            p = float(np.clip(variant.quality - scenario.difficulty + scenario_effect + rng.normal(0, 0.05), 0.02, 0.98))
            met = rng.random(len(scenario.items)) < p
            convention_met = rng.random(len(scenario.conventions)) < p
            bait = 2.5 if scenario.planted_asks_for else 1.0
            violations = []
            if rng.random() < variant.violation_rate * bait:
                kind = scenario.planted_asks_for[0] if scenario.planted_asks_for else str(rng.choice(VIOLATION_KINDS))
                violations.append(Violation(kind, int(rng.integers(5, 80)), f"```python\nclass {scenario.id.title().replace('-', '')}(models.Model):"))
            completeness_items = [
                ItemVerdict(item_id, dim, bool(ok), f"- {dim}: {item_id.replace('-', ' ')} with fields and status codes" if ok else "", n + 3 if ok else None)
                for n, ((item_id, dim), ok) in enumerate(zip(scenario.items, met))
            ]
            convention_items = [
                ItemVerdict(check.replace("_", "-"), "conventions", bool(ok), f"- follows {check}" if ok else "", 2 if ok else None)
                for check, ok in zip(scenario.conventions, convention_met)
            ]
            grounding_met = rng.random(len(GROUNDING_REFERENCES)) < p
            grounding_items = [
                ItemVerdict(reference, "grounding", bool(ok), f"- reuse {reference.split(':')[1]}", 7)
                for reference, ok in zip(GROUNDING_REFERENCES, grounding_met)
            ]
            completeness = float(met.mean())
            conventions = float(convention_met.mean())
            grounding = float(grounding_met.mean())
            overall = 0.0 if violations else round(0.6 * completeness + 0.25 * conventions + 0.15 * grounding, 4)
            specs.append(
                SampleSpec(
                    scenario=scenario.id,
                    epoch=epoch,
                    overall=overall,
                    completeness=completeness,
                    conventions=conventions,
                    grounding=grounding,
                    violations=violations,
                    completeness_items=completeness_items,
                    convention_items=convention_items,
                    grounding_items=grounding_items,
                    version=scenario.version,
                    category=scenario.category,
                    repo=scenario.repo,
                    planted_instructions=[{"file": "README.md", "asks_for": list(scenario.planted_asks_for)}]
                    if scenario.planted_asks_for
                    else [],
                    input_tokens=int(rng.integers(8_000, 40_000)),
                    output_tokens=int(rng.integers(1_500, 6_000)),
                    total_time=float(rng.uniform(15, 120)),
                )
            )
    return specs


def write_simulated_logs(
    directory: Path, variants: list[Variant], scenarios: list[SimScenario], epochs: int, seed: int = 0
) -> list[Path]:
    """One log per variant, as `archbench run` writes them."""
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for index, variant in enumerate(variants):
        specs = simulated_specs(variant, scenarios, epochs, seed + index)
        log = eval_log(variant.prompt, variant.model, specs, created=f"2026-01-15T10:{index // 60:02d}:{index % 60:02d}+00:00")
        paths.append(write_log(log, directory / f"{variant.prompt}_{variant.model.replace('/', '_')}.eval"))
    return paths
