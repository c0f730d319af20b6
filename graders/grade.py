"""Grade one plan against one scenario: scope, completeness, conventions, grounding, overall.

`grade_plan` is what `archbench grade`, the inspect scorers and `archbench rescore` call.
Every grader is deterministic and reads the plan only as data: text in the plan that
addresses the grader ("ignore the rubric", "GRADE: C") is just more text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Protocol

from archbench.core.scenarios import Scenario
from archbench.graders.completeness import CompletenessVerdict, grade_completeness
from archbench.graders.overall import (
    OverallVerdict,
    OverallWeights,
    load_weights,
    overall_score,
)
from archbench.graders.plan import ParsedPlan, parse_plan
from archbench.graders.scope import check_scope
from archbench.graders.verdicts import (
    DIMENSIONS,
    ItemVerdict,
    ScopeVerdict,
    fraction_met,
)


class GroundingResult(Protocol):
    score: float
    items: list[ItemVerdict]
    explanation: str
    references: int  # repo references checked; 0 = grounding does not apply to this plan


ConventionsCheck = Callable[[ParsedPlan, Scenario], list[ItemVerdict]]
GroundingCheck = Callable[[ParsedPlan, Scenario], GroundingResult]


@dataclass(frozen=True)
class PlanGrade:
    scenario: str
    scenario_version: int
    scope: ScopeVerdict
    completeness: CompletenessVerdict
    conventions_items: tuple[ItemVerdict, ...]
    grounding_score: float
    grounding_items: tuple[ItemVerdict, ...]
    grounding_explanation: str
    grounding_references: int
    overall: OverallVerdict
    weights: dict[str, float] = field(default_factory=dict)
    scope_violation_cap: float = 0.0

    @property
    def conventions_score(self) -> float:
        """Share of applicable conventions followed; 1.0 when no convention applies (nothing was broken)."""
        share = fraction_met(self.conventions_items)
        return 1.0 if share is None else share

    @property
    def not_applicable(self) -> list[str]:
        """Dimensions with nothing to check in this plan: left out of overall, so that saying
        nothing never earns credit (an empty plan would otherwise score grounding 1.0)."""
        return [name for name, applies in (("conventions", self.conventions_items), ("grounding", self.grounding_references)) if not applies]

    @property
    def scores(self) -> dict[str, float]:
        return {
            "scope": self.scope.score,
            "completeness": self.completeness.score,
            "conventions": self.conventions_score,
            "grounding": self.grounding_score,
            "overall": self.overall.score,
        }

    @property
    def items(self) -> list[ItemVerdict]:
        return [*self.completeness.items, *self.conventions_items, *self.grounding_items]

    def explanations(self) -> dict[str, str]:
        scope = (
            "no scope violations"
            if self.scope.passed
            else f"{len(self.scope.violations)} scope violation(s): {', '.join(self.scope.kinds())}"
        )
        followed = sum(item.met for item in self.conventions_items)
        conventions = (
            f"{followed}/{len(self.conventions_items)} applicable conventions followed"
            if self.conventions_items
            else "no repo convention applies to what the plan proposes"
        )
        return {
            "scope": scope,
            "completeness": self.completeness.explanation,
            "conventions": conventions,
            "grounding": self.grounding_explanation,
            "overall": self.overall.explanation,
        }

    def to_json(self) -> dict[str, Any]:
        return {
            "scenario": self.scenario,
            "scenario_version": self.scenario_version,
            "scope": self.scope.to_json(),
            "scores": self.scores,
            "items": [item.to_json() for item in self.items],
            "explanations": self.explanations(),
            "weights": self.weights,
            "scope_violation_cap": self.scope_violation_cap,
            "overall_uncapped": self.overall.uncapped,
            "relevance": self.overall.relevance,
            "not_applicable": self.not_applicable,
        }

    def to_text(self) -> str:
        lines = [f"scenario {self.scenario} (version {self.scenario_version})"]
        explanations = self.explanations()
        for name, value in self.scores.items():
            shown = "  n/a" if name in self.not_applicable else f"{value:5.2f}"  # never the placeholder 1.00
            lines.append(f"  {name:<13}{shown}  {explanations[name]}")
        if self.scope.violations:
            lines += ["", "scope violations:"]
            for violation in self.scope.violations:
                where = f"line {violation.line}" if violation.line is not None else "repo"
                lines.append(f"  [{violation.kind}] {where}: {violation.reason}")
                lines.append(f"      {violation.evidence}")
        for dimension in DIMENSIONS:
            items = [item for item in self.items if item.dimension == dimension]
            if not items:
                continue
            lines += ["", f"{dimension} ({sum(i.met for i in items)}/{len(items)} met):"]
            for item in items:
                mark = "ok  " if item.met else "MISS"
                lines.append(f"  {mark} {item.id}: {item.description}")
                if item.met and item.evidence:
                    lines.append(f"         line {item.line}: {item.evidence}")
        return "\n".join(lines)


def _real_conventions(plan: ParsedPlan, scenario: Scenario) -> list[ItemVerdict]:
    from archbench.graders.conventions import check_conventions

    return check_conventions(plan, scenario)


def _real_grounding(plan: ParsedPlan, scenario: Scenario) -> GroundingResult:
    from archbench.graders.grounding import check_grounding

    return check_grounding(plan, scenario)


def grade_plan(
    plan_text: str,
    scenario: Scenario,
    repo_diff: Any = None,
    *,
    conventions: ConventionsCheck | None = None,
    grounding: GroundingCheck | None = None,
    weights: OverallWeights | None = None,
) -> PlanGrade:
    """Grade a plan. `repo_diff` is the sample's `store["repo_diff"]` (dict or RepoDiff), None for a bare plan file.

    `conventions` and `grounding` default to `graders.conventions.check_conventions` and
    `graders.grounding.check_grounding`.
    """
    conventions = conventions or _real_conventions
    grounding = grounding or _real_grounding
    weights = weights or load_weights()
    plan = parse_plan(plan_text)
    scope = check_scope(plan, repo_diff, scenario.repo_config.frontend_dirs)
    completeness = grade_completeness(plan, scenario.rubric)
    conventions_items = tuple(conventions(plan, scenario))
    grounded = grounding(plan, scenario)
    conventions_share = fraction_met(conventions_items)
    overall = overall_score(
        {
            "completeness": completeness.score,
            "conventions": conventions_share,
            "grounding": grounded.score if grounded.references else None,
        },
        scope.passed,
        weights,
    )
    return PlanGrade(
        scenario=scenario.id,
        scenario_version=scenario.version,
        scope=scope,
        completeness=completeness,
        conventions_items=conventions_items,
        grounding_score=float(grounded.score),
        grounding_items=tuple(grounded.items),
        grounding_explanation=grounded.explanation,
        grounding_references=grounded.references,
        overall=overall,
        weights=weights.as_dict(),
        scope_violation_cap=weights.scope_violation_cap,
    )
