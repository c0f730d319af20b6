"""Overall score: a weighted mean of completeness, conventions and grounding, gated by relevance,
scaled down when grounding is below `grounding_gate` (a plan written for another codebase), and
capped on a scope violation.

Conventions and grounding judge the plan that answers the request; they earn no credit on their own.
Their weights count in proportion to relevance = min(1, completeness / relevance_threshold): a plan for
another request (completeness near 0) gets nothing for following the repo's conventions or citing real
code; from the threshold on, the plain weighted mean applies. The weights, the threshold and the cap are
data (`graders/weights.yaml`), validated strictly.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, model_validator

from archbench.core.strict_yaml import load_model
from archbench.graders.verdicts import DIMENSIONS

WEIGHTS_FILE = Path(__file__).with_name("weights.yaml")


class DimensionWeights(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    completeness: float = Field(ge=0, le=1)
    conventions: float = Field(ge=0, le=1)
    grounding: float = Field(ge=0, le=1)


class OverallWeights(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    weights: DimensionWeights
    relevance_threshold: float = Field(gt=0, le=1)
    scope_violation_cap: float = Field(ge=0, le=1)
    grounding_gate: float = Field(default=0.0, ge=0, le=1)
    grounding_gate_cap: float = Field(default=1.0, ge=0, le=1)
    """Below this grounding score (most assumed repo references do not exist), overall is multiplied by
    grounding / grounding_gate, after capping it at grounding_gate_cap: a plan designed for another codebase
    cannot outrank a useful on-topic one however complete it looks (issue 20)."""

    @model_validator(mode="after")
    def _sums_to_one(self) -> "OverallWeights":
        total = sum(getattr(self.weights, dimension) for dimension in DIMENSIONS)
        if abs(total - 1.0) > 1e-9:
            raise ValueError(f"weights must sum to 1, they sum to {total:g}")
        return self

    def as_dict(self) -> dict[str, float]:
        return {dimension: getattr(self.weights, dimension) for dimension in DIMENSIONS}


@lru_cache(maxsize=8)
def load_weights(path: Path = WEIGHTS_FILE) -> OverallWeights:
    return load_model(OverallWeights, path)


@dataclass(frozen=True)
class OverallVerdict:
    score: float
    uncapped: float
    capped: bool
    applied_weights: dict[str, float]  # each applicable dimension's effective weight (relevance included)
    explanation: str
    relevance: float = 1.0  # min(1, completeness / relevance_threshold): the share of their weight conventions and grounding earn


def overall_score(
    scores: dict[str, float | None], scope_passed: bool, weights: OverallWeights | None = None
) -> OverallVerdict:
    """Weighted mean over the dimensions that apply (score not None), renormalised, with conventions and
    grounding weighted by relevance (min(1, completeness / relevance_threshold)); capped when scope failed."""
    weights = weights or load_weights()
    applicable = {
        dimension: weight
        for dimension, weight in weights.as_dict().items()
        if scores.get(dimension) is not None and weight > 0
    }
    completeness = scores.get("completeness")
    relevance = 1.0 if completeness is None else min(1.0, max(0.0, float(completeness)) / weights.relevance_threshold)
    total = sum(applicable.values())
    if total == 0:
        uncapped = 0.0
        applied: dict[str, float] = {}
    else:
        applied = {
            dimension: weight / total * (1.0 if dimension == "completeness" else relevance)
            for dimension, weight in applicable.items()
        }
        uncapped = sum(applied[dimension] * float(scores[dimension]) for dimension in applied)
    uncapped = min(1.0, max(0.0, uncapped))
    grounding = scores.get("grounding")
    gated = grounding is not None and 0 < weights.grounding_gate and float(grounding) < weights.grounding_gate
    if gated:
        uncapped = min(uncapped, weights.grounding_gate_cap) * float(grounding) / weights.grounding_gate
    capped = not scope_passed and uncapped > weights.scope_violation_cap
    score = min(uncapped, weights.scope_violation_cap) if not scope_passed else uncapped
    terms = " + ".join(f"{applied[d]:.2f}×{d} {float(scores[d]):.2f}" for d in applied) or "no dimension applies"
    explanation = f"{terms} = {uncapped:.2f}"
    if gated:
        explanation = (
            f"{terms}, capped at {weights.grounding_gate_cap:.2f} and × {float(grounding) / weights.grounding_gate:.2f} because"
            f" grounding {float(grounding):.2f} is below {weights.grounding_gate:.2f} (most assumed repo references do not"
            f" exist: a plan for another codebase) = {uncapped:.2f}"
        )
    if relevance < 1.0 and set(applied) - {"completeness"}:
        explanation += (
            f" (conventions and grounding at {relevance:.0%} of their weight: completeness {float(completeness):.2f}"
            f" is below the relevance threshold {weights.relevance_threshold:.2f})"
        )
    if not scope_passed:
        explanation += (
            f"; scope violated, capped at {weights.scope_violation_cap:.2f}" if capped
            else f"; scope violated (cap {weights.scope_violation_cap:.2f} not reached)"
        )
    return OverallVerdict(score, uncapped, capped, applied, explanation, relevance)
