"""Calibration: how far the graders agree with hand labels on the gold sets (gold/README.md).

There are two gold sets. The **development** set (`gold/labels.yaml`) was seen while the graders
were tuned: its disagreements were read and matching rules added, so its figures are regression
guards, not measurements. The **held-out** set (`gold/held_out/labels.yaml`, scenarios the
development set does not contain) was never seen by whoever tuned the graders; the targets are
judged on it. Without a held-out folder, the targets fall back to the development set and the
report says that this is not an independent measurement.

`calibrate(gold_dir)` grades every gold plan with the deterministic scope and completeness
graders (and, with `judge_model`, the optional LLM judge) and compares each verdict with the
labels, per set: scope accuracy, precision/recall of violation detection, Cohen's kappa,
completeness item agreement, and every disagreement. `measure` is the pure part: labels +
verdicts → report.

A grader that gives no verdict on a labelled item (an unparseable judge answer) counts as
disagreeing on it, so silence cannot raise agreement.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Mapping

import numpy as np
from archbench.graders import judge as llm_judge
from archbench.graders.completeness import check_completeness, grade_completeness
from archbench.graders.plan import parse_plan
from archbench.graders.scope import check_scope
from archbench.graders.verdicts import ItemVerdict
from inspect_ai.model import Model
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from archbench.core.scenarios import (
    DEFAULT_SCENARIOS_DIR,
    PROJECT_ROOT,
    Scenario,
    load_scenario,
)
from archbench.core.strict_yaml import (
    InputError,
    line_of,
    load_model,
    parse_yaml,
    read_text,
    validate,
)

DEFAULT_GOLD_DIR = PROJECT_ROOT / "gold"
LABELS_FILE = "labels.yaml"
HELD_OUT_SUBDIR = "held_out"
SETS_FILE = "sets.yaml"
DEVELOPMENT = "development"
HELD_OUT = "held-out"
SET_DESCRIPTIONS = {DEVELOPMENT: "seen while tuning the graders", HELD_OUT: "never seen"}
SCOPE_ACCURACY_TARGET = 0.95
ITEM_AGREEMENT_TARGET = 0.90
MUST_PASS_KINDS = ("frontend_deferring", "example_only")
PLAN_VIOLATION_KINDS = ("implementation_code", "frontend_code")

PlanKind = Literal[
    "good",
    "thin",
    "partial",
    "off_topic",
    "wrong_conclusion",
    "code_writing",
    "frontend_designing",
    "frontend_deferring",
    "example_only",
    "schema_sketch",
    "planted_obeyed",
]
PlanViolationKind = Literal["implementation_code", "frontend_code"]


# --- labels ------------------------------------------------------------------------------------


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class ScopeLabel(_Strict):
    passed: bool
    violations: list[PlanViolationKind] = []

    @model_validator(mode="after")
    def _consistent(self) -> "ScopeLabel":
        if self.passed == bool(self.violations):
            raise ValueError("passed must be true exactly when violations is empty")
        if len(set(self.violations)) != len(self.violations):
            raise ValueError("violations lists a kind twice")
        return self


class ItemLabels(_Strict):
    """Every completeness item is `default`, except the listed ids, which are the opposite."""

    default: bool
    exceptions: list[str] = Field(default=[], alias="except")

    @field_validator("exceptions")
    @classmethod
    def _unique(cls, ids: list[str]) -> list[str]:
        repeated = sorted({item for item in ids if ids.count(item) > 1})
        if repeated:
            raise ValueError(f"ids listed twice: {repeated}")
        return ids

    def met(self, item_id: str) -> bool:
        return self.default != (item_id in self.exceptions)


class LabelledRubric(_Strict):
    """The scenario version and completeness item ids the cases were labelled against."""

    version: int = Field(ge=1)
    items: list[str] = Field(min_length=1)


class CaseLabel(_Strict):
    id: str = Field(pattern=r"^[a-z0-9-]+/[a-z0-9-]+$")
    scenario: str
    plan: str
    kinds: list[PlanKind] = Field(min_length=1)
    scope: ScopeLabel
    items: ItemLabels
    notes: dict[str, str] = {}


class LabelsFile(_Strict):
    labelled_by: str = Field(min_length=1)
    method: str = Field(min_length=1)
    rubrics: dict[str, LabelledRubric] = Field(min_length=1)
    cases: list[CaseLabel] = Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self) -> "LabelsFile":
        seen: set[str] = set()
        for case in self.cases:
            if case.id in seen:
                raise ValueError(f"duplicate case id '{case.id}'")
            if case.scenario not in self.rubrics:
                raise ValueError(f"case '{case.id}': scenario '{case.scenario}' has no entry under rubrics")
            seen.add(case.id)
        return self


@dataclass(frozen=True)
class GoldCase:
    """A labelled case with its plan text and the scenario's completeness item ids (rubric order)."""

    label: CaseLabel
    plan_text: str
    scenario: Scenario
    item_ids: tuple[str, ...]
    item_descriptions: Mapping[str, str]

    @property
    def id(self) -> str:
        return self.label.id


@dataclass(frozen=True)
class GoldSet:
    """One labels file and its cases: the development set or the held-out set."""

    name: str  # DEVELOPMENT or HELD_OUT
    directory: Path
    labelled_by: str
    method: str
    cases: tuple[GoldCase, ...]


@dataclass(frozen=True)
class Gold:
    gold_dir: Path
    sets: tuple[GoldSet, ...]  # the development set, then the held-out set when there is one

    @property
    def cases(self) -> tuple[GoldCase, ...]:
        return tuple(case for gold_set in self.sets for case in gold_set.cases)


class _SetEntry(_Strict):
    dir: str = Field(min_length=1)
    why: str = Field(min_length=1)


class SetsFile(_Strict):
    """`gold/sets.yaml`: which labelled folders the graders were tuned on, and which one they were not."""

    development: list[_SetEntry] = Field(min_length=1)
    held_out: _SetEntry


def load_gold(gold_dir: str | Path = DEFAULT_GOLD_DIR, scenarios_dir: str | Path = DEFAULT_SCENARIOS_DIR) -> Gold:
    """Read the development set(s) and the held-out set.

    `gold_dir/sets.yaml`, when present, names them (a held-out set becomes development data
    once anyone tunes a grader on its disagreements, and a fresh held-out set takes its place);
    without it, `gold_dir/labels.yaml` is the development set and `gold_dir/held_out/` the
    held-out one. Each labels file is checked (schema, plan files, scenario versions, item
    ids), and the held-out set must not share a scenario or a case id with development data:
    a held-out plan on a development scenario would have been graded by rules written while
    reading that scenario.
    """
    gold_dir = Path(gold_dir)
    sets_file = gold_dir / SETS_FILE
    if sets_file.is_file():
        declared = load_model(SetsFile, sets_file)
        development = _merge(gold_dir, [_load_set(DEVELOPMENT, gold_dir / entry.dir, scenarios_dir) for entry in declared.development])
        held_out_dir = gold_dir / declared.held_out.dir
        if not (held_out_dir / LABELS_FILE).is_file():
            raise InputError(f"held_out dir '{declared.held_out.dir}' has no {LABELS_FILE}", sets_file)
        held_out = _load_set(HELD_OUT, held_out_dir, scenarios_dir)
        _check_disjoint(development, held_out)
        return Gold(gold_dir, (development, held_out))
    sets = [_load_set(DEVELOPMENT, gold_dir, scenarios_dir)]
    if (gold_dir / HELD_OUT_SUBDIR).exists():
        held_out = _load_set(HELD_OUT, gold_dir / HELD_OUT_SUBDIR, scenarios_dir)
        _check_disjoint(sets[0], held_out)
        sets.append(held_out)
    return Gold(gold_dir, tuple(sets))


def _merge(gold_dir: Path, parts: list[GoldSet]) -> GoldSet:
    """Several development folders read as one development set (case ids must stay distinct)."""
    ids = [case.id for part in parts for case in part.cases]
    duplicated = sorted({case_id for case_id in ids if ids.count(case_id) > 1})
    if duplicated:
        raise InputError(f"development sets reuse case ids: {duplicated}", gold_dir / SETS_FILE)
    return GoldSet(
        DEVELOPMENT,
        gold_dir,
        "; ".join(dict.fromkeys(part.labelled_by for part in parts)),
        " | ".join(dict.fromkeys(part.method for part in parts)),
        tuple(case for part in parts for case in part.cases),
    )


def _check_disjoint(development: GoldSet, held_out: GoldSet) -> None:
    path = held_out.directory / LABELS_FILE
    shared_scenarios = sorted({c.label.scenario for c in held_out.cases} & {c.label.scenario for c in development.cases})
    if shared_scenarios:
        raise InputError(f"the held-out set shares scenarios with the development set: {shared_scenarios}", path)
    shared_ids = sorted({c.id for c in held_out.cases} & {c.id for c in development.cases})
    if shared_ids:
        raise InputError(f"the held-out set reuses development case ids: {shared_ids}", path)


def _load_set(name: str, directory: Path, scenarios_dir: str | Path) -> GoldSet:
    path = directory / LABELS_FILE
    data, lines = parse_yaml(read_text(path), path)
    labels = validate(LabelsFile, data, path, lines)
    scenarios = {
        scenario_id: _labelled_scenario(scenario_id, recorded, scenarios_dir, path, lines)
        for scenario_id, recorded in labels.rubrics.items()
    }
    cases = []
    for index, label in enumerate(labels.cases):
        def fail(message: str, key: str) -> InputError:
            return InputError(f"case '{label.id}': {message}", path, line_of(lines, ("cases", index, key)))

        scenario, rubric_items = scenarios[label.scenario]
        plan_file = directory / label.plan
        if not plan_file.is_file():
            raise fail(f"plan file '{label.plan}' not found", "plan")
        item_ids = tuple(item.id for item in rubric_items)
        unknown = sorted(set(label.items.exceptions) - set(item_ids))
        if unknown:
            raise fail(f"items.except names ids the rubric does not have: {unknown}", "items")
        unknown_notes = sorted(set(label.notes) - set(item_ids) - {"scope"})
        if unknown_notes:
            raise fail(f"notes are keyed by item id or 'scope'; unknown: {unknown_notes}", "notes")
        cases.append(
            GoldCase(label, read_text(plan_file), scenario, item_ids, {item.id: item.description for item in rubric_items})
        )
    return GoldSet(name, directory, labels.labelled_by, labels.method, tuple(cases))


def _labelled_scenario(
    scenario_id: str, recorded: LabelledRubric, scenarios_dir: str | Path, path: Path, lines: dict
) -> tuple[Scenario, list[ItemVerdict]]:
    """The scenario and its completeness items, refused if the rubric changed since the cases were labelled."""
    where = line_of(lines, ("rubrics", scenario_id))
    scenario_file = Path(scenarios_dir) / f"{scenario_id}.yaml"
    if not scenario_file.is_file():
        raise InputError(f"scenario '{scenario_id}' not found in {scenarios_dir}", path, where)
    scenario = load_scenario(scenario_file)
    items = check_completeness(parse_plan(""), scenario.rubric)
    current = [item.id for item in items]
    if scenario.version != recorded.version or set(current) != set(recorded.items):
        added = sorted(set(current) - set(recorded.items))
        removed = sorted(set(recorded.items) - set(current))
        raise InputError(
            f"'{scenario_id}' was labelled against version {recorded.version}; it is now version {scenario.version}"
            f" (items added {added}, removed {removed}): re-read its plans, relabel, then update rubrics",
            path,
            where,
        )
    return scenario, items


# --- verdicts and agreement ----------------------------------------------------------------------


@dataclass(frozen=True)
class Verdict:
    """One grader's reading of one plan. `scope_passed` None and missing items mean "no verdict"."""

    scope_passed: bool | None
    violations: tuple[str, ...] = ()
    items: Mapping[str, bool] = field(default_factory=dict)
    evidence: Mapping[str, str] = field(default_factory=dict)
    scope_evidence: str = ""


def cohen_kappa(pairs: list[tuple[bool, bool]]) -> float | None:
    """Cohen's kappa of two raters' yes/no calls; None when chance agreement is 1 (both constant, same value)."""
    if not pairs:
        return None
    total = len(pairs)
    observed = sum(a == b for a, b in pairs) / total
    yes_a = sum(a for a, _ in pairs) / total
    yes_b = sum(b for _, b in pairs) / total
    expected = yes_a * yes_b + (1 - yes_a) * (1 - yes_b)
    if expected == 1:
        return None
    return (observed - expected) / (1 - expected)


@dataclass(frozen=True)
class Agreement:
    """Label vs grader on yes/no calls; "positive" is a violation (scope) or a met item (completeness)."""

    true_positive: int
    false_positive: int
    false_negative: int
    true_negative: int
    kappa: float | None

    @classmethod
    def of(cls, pairs: list[tuple[bool, bool]]) -> "Agreement":
        """`pairs` are (label, grader)."""
        return cls(
            true_positive=sum(label and graded for label, graded in pairs),
            false_positive=sum(graded and not label for label, graded in pairs),
            false_negative=sum(label and not graded for label, graded in pairs),
            true_negative=sum(not label and not graded for label, graded in pairs),
            kappa=cohen_kappa(pairs),
        )

    @property
    def total(self) -> int:
        return self.true_positive + self.false_positive + self.false_negative + self.true_negative

    @property
    def accuracy(self) -> float | None:
        return (self.true_positive + self.true_negative) / self.total if self.total else None

    @property
    def precision(self) -> float | None:
        flagged = self.true_positive + self.false_positive
        return self.true_positive / flagged if flagged else None

    @property
    def recall(self) -> float | None:
        labelled = self.true_positive + self.false_negative
        return self.true_positive / labelled if labelled else None

    def to_json(self) -> dict[str, Any]:
        return {
            "n": self.total,
            "accuracy": self.accuracy,
            "precision": self.precision,
            "recall": self.recall,
            "kappa": self.kappa,
            "true_positive": self.true_positive,
            "false_positive": self.false_positive,
            "false_negative": self.false_negative,
            "true_negative": self.true_negative,
        }


@dataclass(frozen=True)
class Disagreement:
    case: str
    what: str  # "scope" or a completeness item id
    label: str
    grader: str
    evidence: str = ""
    note: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "case": self.case,
            "what": self.what,
            "label": self.label,
            "grader": self.grader,
            "evidence": self.evidence,
            "note": self.note,
        }


@dataclass(frozen=True)
class GraderReport:
    grader: str
    scope: Agreement
    scope_by_kind: dict[str, Agreement]
    must_pass_false_violations: tuple[str, ...]
    items: Agreement
    items_by_scenario: dict[str, Agreement]
    scope_accuracy_by_plan_kind: dict[str, float]
    item_agreement_by_plan_kind: dict[str, float]
    score_mean_abs_error: float
    unanswered: int
    disagreements: tuple[Disagreement, ...]
    item_agreement_ci: tuple[float, float] | None = None  # 95% bootstrap over plans (items of a plan move together)

    @property
    def targets(self) -> dict[str, bool]:
        return {
            f"scope accuracy >= {SCOPE_ACCURACY_TARGET:.2f}": (self.scope.accuracy or 0.0) >= SCOPE_ACCURACY_TARGET,
            "no false violation on frontend_deferring / example_only plans": not self.must_pass_false_violations,
            f"completeness item agreement >= {ITEM_AGREEMENT_TARGET:.2f}": (self.items.accuracy or 0.0)
            >= ITEM_AGREEMENT_TARGET,
        }

    def to_json(self) -> dict[str, Any]:
        return {
            "grader": self.grader,
            "scope": self.scope.to_json(),
            "scope_by_violation_kind": {kind: value.to_json() for kind, value in self.scope_by_kind.items()},
            "must_pass_false_violations": list(self.must_pass_false_violations),
            "items": self.items.to_json(),
            "item_agreement_ci95": list(self.item_agreement_ci) if self.item_agreement_ci else None,
            "items_by_scenario": {scenario: value.to_json() for scenario, value in self.items_by_scenario.items()},
            "scope_accuracy_by_plan_kind": self.scope_accuracy_by_plan_kind,
            "item_agreement_by_plan_kind": self.item_agreement_by_plan_kind,
            "completeness_score_mean_abs_error": self.score_mean_abs_error,
            "unanswered": self.unanswered,
            "targets": self.targets,
            "disagreements": [d.to_json() for d in self.disagreements],
        }


@dataclass(frozen=True)
class SetReport:
    """Every grader measured against one gold set."""

    name: str  # DEVELOPMENT or HELD_OUT
    gold_dir: str
    labelled_by: str
    cases: int
    scenarios: tuple[str, ...]
    repos: tuple[str, ...]
    plan_kinds: dict[str, int]
    graders: tuple[GraderReport, ...]

    @property
    def title(self) -> str:
        return f"{self.name} ({SET_DESCRIPTIONS[self.name]})"

    @property
    def meets_targets(self) -> bool:
        return all(all(report.targets.values()) for report in self.graders)

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "description": SET_DESCRIPTIONS[self.name],
            "gold_dir": self.gold_dir,
            "labelled_by": self.labelled_by,
            "cases": self.cases,
            "scenarios": list(self.scenarios),
            "repos": list(self.repos),
            "plan_kinds": self.plan_kinds,
            "meets_targets": self.meets_targets,
            "graders": [report.to_json() for report in self.graders],
        }

    def text_lines(self, judged_here: bool) -> list[str]:
        """This set's figures and disagreements; target lines say whether they decide the exit status."""
        lines = [
            f"######## {self.title} set: {self.gold_dir}",
            f"{self.cases} plans, {len(self.scenarios)} scenarios ({', '.join(self.scenarios)}), repos {', '.join(self.repos)}",
            "kinds: " + ", ".join(f"{kind} {count}" for kind, count in sorted(self.plan_kinds.items())),
        ]
        target_word, target_note = ("target", "") if judged_here else ("floor", "  (regression guard, not a target)")
        for report in self.graders:
            lines += ["", f"== {report.grader} on the {self.name} set =="]
            scope = report.scope
            lines.append(
                f"scope verdict   accuracy {_pct(scope.accuracy)}  violations: precision {_pct(scope.precision)}"
                f"  recall {_pct(scope.recall)}  kappa {_num(scope.kappa)}  (n={scope.total})"
            )
            for kind, agreement in report.scope_by_kind.items():
                lines.append(
                    f"  {kind:<20} precision {_pct(agreement.precision)}  recall {_pct(agreement.recall)}"
                    f"  kappa {_num(agreement.kappa)}"
                )
            items = report.items
            lines.append(
                f"completeness    item agreement {_pct(items.accuracy)}  kappa {_num(items.kappa)}"
                f"  met: precision {_pct(items.precision)}  recall {_pct(items.recall)}  (n={items.total})"
            )
            lines.append(f"  completeness score mean |grader - label| {report.score_mean_abs_error:.3f}")
            for scenario, agreement in report.items_by_scenario.items():
                lines.append(f"  {scenario:<30} agreement {_pct(agreement.accuracy)}  kappa {_num(agreement.kappa)}")
            lines.append(
                "by plan kind    "
                + "  ".join(
                    f"{kind} scope {_pct(report.scope_accuracy_by_plan_kind[kind])}"
                    f"/items {_pct(report.item_agreement_by_plan_kind[kind])}"
                    for kind in sorted(report.scope_accuracy_by_plan_kind)
                )
            )
            if report.unanswered:
                lines.append(f"no verdict on {report.unanswered} labelled call(s) (counted as disagreements)")
            for target, met in report.targets.items():
                lines.append(f"{target_word} {'MET   ' if met else 'MISSED'} {target}{target_note}")
            if report.must_pass_false_violations:
                lines.append("false violations on must-pass plans: " + ", ".join(report.must_pass_false_violations))
            lines.append(f"disagreements ({len(report.disagreements)}):")
            for item in report.disagreements:
                lines.append(f"  {item.case}  {item.what}: label {item.label}, {report.grader} {item.grader}")
                if item.evidence:
                    lines.append(f"      evidence: {item.evidence}")
                if item.note:
                    lines.append(f"      label note: {item.note}")
        return lines


@dataclass(frozen=True)
class CalibrationReport:
    """The graders measured on each gold set; the targets are judged on the held-out set when there is one."""

    sets: tuple[SetReport, ...]  # development first, then held-out
    judge_config: dict[str, Any] | None = None

    @property
    def development(self) -> SetReport:
        return self.sets[0]

    @property
    def held_out(self) -> SetReport | None:
        return next((report for report in self.sets if report.name == HELD_OUT), None)

    @property
    def target_set(self) -> SetReport:
        """The set the targets (and the exit status) are judged on."""
        return self.held_out or self.development

    @property
    def graders(self) -> tuple[GraderReport, ...]:
        """The graders' reports on the set the targets are judged on."""
        return self.target_set.graders

    @property
    def meets_targets(self) -> bool:
        return self.target_set.meets_targets

    @property
    def targets_note(self) -> str:
        if self.held_out is None:
            return (
                "no held-out set: targets are judged on the development set, which the graders were tuned on,"
                " so the figures are not an independent measurement"
            )
        return (
            "targets are judged on the held-out set; the development set was seen while tuning the graders,"
            " so its figures are regression guards, not measurements"
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "targets_judged_on": self.target_set.name,
            "targets_note": self.targets_note,
            "meets_targets": self.meets_targets,
            "judge_config": self.judge_config,
            "sets": [report.to_json() for report in self.sets],
        }

    def to_text(self) -> str:
        lines = ["calibration against hand-labelled gold sets"]
        for report in self.sets:
            lines.append(f"  {report.name:<12} {report.cases:>3} plans  {report.gold_dir}  ({SET_DESCRIPTIONS[report.name]})")
        lines.append(self.targets_note)
        if self.judge_config:
            lines.append("judge: " + ", ".join(f"{key}={value}" for key, value in self.judge_config.items()))
        lines += ["", *self._summary_lines()]
        for report in self.sets:
            lines += ["", *report.text_lines(judged_here=report is self.target_set)]
        return "\n".join(lines)

    def _summary_lines(self) -> list[str]:
        """The headline figures of every grader, one column per set, then the targets."""
        lines = []
        for index, grader in enumerate(self.development.graders):
            reports = [report.graders[index] for report in self.sets]
            header = "".join(f"{report.name:>16}" for report in self.sets)
            lines.append(f"== {grader.grader}: summary ==".ljust(34) + header)
            rows = [
                ("scope accuracy", lambda g: _pct(g.scope.accuracy)),
                ("violation precision", lambda g: _pct(g.scope.precision)),
                ("violation recall", lambda g: _pct(g.scope.recall)),
                ("scope kappa", lambda g: _num(g.scope.kappa)),
                *(
                    (f"{kind} recall", lambda g, kind=kind: _pct(g.scope_by_kind[kind].recall))
                    for kind in PLAN_VIOLATION_KINDS
                ),
                ("completeness item agreement", lambda g: _pct(g.items.accuracy)),
                ("  95% CI, resampling plans", lambda g: _interval(g.item_agreement_ci)),
                ("completeness kappa", lambda g: _num(g.items.kappa)),
                ("plans", lambda g: str(g.scope.total)),
                ("item labels", lambda g: str(g.items.total)),
            ]
            for label, value in rows:
                lines.append(f"  {label:<32}" + "".join(f"{value(report):>16}" for report in reports))
            target_grader = self.target_set.graders[index]
            for target, met in target_grader.targets.items():
                lines.append(f"  target {'MET   ' if met else 'MISSED'} {target}  (on the {self.target_set.name} set)")
        return lines


def _pct(value: float | None) -> str:
    return "  n/a" if value is None else f"{value:5.1%}"


def _num(value: float | None) -> str:
    return " n/a" if value is None else f"{value:4.2f}"


def _label_scope(passed: bool | None, violations: tuple[str, ...] | list[str]) -> str:
    if passed is None:
        return "no verdict"
    return "passed" if passed else "violation (" + ", ".join(sorted(violations)) + ")"


def _met(value: bool | None) -> str:
    return "no verdict" if value is None else ("met" if value else "not met")


def _share(labels: list[bool]) -> float:
    return sum(labels) / len(labels) if labels else 0.0


def measure_grader(name: str, cases: tuple[GoldCase, ...], verdicts: Mapping[str, Verdict]) -> GraderReport:
    """Compare one grader's verdicts (by case id) with the labels."""
    scope_pairs: list[tuple[bool, bool]] = []
    kind_pairs: dict[str, list[tuple[bool, bool]]] = {kind: [] for kind in PLAN_VIOLATION_KINDS}
    item_pairs: list[tuple[bool, bool]] = []
    by_scenario: dict[str, list[tuple[bool, bool]]] = defaultdict(list)
    scope_by_plan_kind: dict[str, list[bool]] = defaultdict(list)
    items_by_plan_kind: dict[str, list[bool]] = defaultdict(list)
    must_pass_failures: list[str] = []
    disagreements: list[Disagreement] = []
    per_plan_items: list[tuple[int, int]] = []  # (items agreeing, items) per plan
    score_errors: list[float] = []
    unanswered = 0

    for case in cases:
        label = case.label
        verdict = verdicts.get(case.id, Verdict(scope_passed=None))
        labelled_violation = not label.scope.passed
        if verdict.scope_passed is None:
            unanswered += 1
            graded_violation = not labelled_violation
        else:
            graded_violation = not verdict.scope_passed
        scope_pairs.append((labelled_violation, graded_violation))
        for kind in PLAN_VIOLATION_KINDS:
            graded_kind = (kind not in label.scope.violations) if verdict.scope_passed is None else kind in verdict.violations
            kind_pairs[kind].append((kind in label.scope.violations, graded_kind))
        scope_agrees = labelled_violation == graded_violation and (
            verdict.scope_passed is None or set(label.scope.violations) == set(verdict.violations)
        )
        for plan_kind in label.kinds:
            scope_by_plan_kind[plan_kind].append(scope_agrees and verdict.scope_passed is not None)
        if not scope_agrees or verdict.scope_passed is None:
            disagreements.append(
                Disagreement(
                    case.id,
                    "scope",
                    _label_scope(label.scope.passed, label.scope.violations),
                    _label_scope(verdict.scope_passed, verdict.violations),
                    verdict.scope_evidence,
                    label.notes.get("scope", ""),
                )
            )
        if verdict.scope_passed is False and label.scope.passed and set(label.kinds) & set(MUST_PASS_KINDS):
            must_pass_failures.append(case.id)

        labelled_items = [label.items.met(item_id) for item_id in case.item_ids]
        pairs_before = len(item_pairs)
        graded_items = []
        for item_id, labelled in zip(case.item_ids, labelled_items):
            graded = verdict.items.get(item_id)
            if graded is None:
                unanswered += 1
            graded_value = (not labelled) if graded is None else graded
            graded_items.append(graded_value)
            item_pairs.append((labelled, graded_value))
            by_scenario[label.scenario].append((labelled, graded_value))
            for plan_kind in label.kinds:
                items_by_plan_kind[plan_kind].append(labelled == graded_value and graded is not None)
            if graded is None or graded != labelled:
                disagreements.append(
                    Disagreement(
                        case.id,
                        item_id,
                        _met(labelled),
                        _met(graded),
                        verdict.evidence.get(item_id, "") or case.item_descriptions.get(item_id, ""),
                        label.notes.get(item_id, ""),
                    )
                )
        score_errors.append(abs(_share(graded_items) - _share(labelled_items)))
        plan_pairs = item_pairs[pairs_before:]
        per_plan_items.append((sum(labelled == graded for labelled, graded in plan_pairs), len(plan_pairs)))

    return GraderReport(
        grader=name,
        scope=Agreement.of(scope_pairs),
        scope_by_kind={kind: Agreement.of(pairs) for kind, pairs in kind_pairs.items()},
        must_pass_false_violations=tuple(must_pass_failures),
        items=Agreement.of(item_pairs),
        items_by_scenario={scenario: Agreement.of(pairs) for scenario, pairs in sorted(by_scenario.items())},
        scope_accuracy_by_plan_kind={kind: _share(values) for kind, values in scope_by_plan_kind.items()},
        item_agreement_by_plan_kind={kind: _share(values) for kind, values in items_by_plan_kind.items()},
        score_mean_abs_error=sum(score_errors) / len(score_errors) if score_errors else 0.0,
        unanswered=unanswered,
        disagreements=tuple(disagreements),
        item_agreement_ci=_plan_bootstrap_interval(per_plan_items),
    )


def _plan_bootstrap_interval(per_plan: list[tuple[int, int]], resamples: int = 4000, seed: int = 0) -> tuple[float, float] | None:
    """95% percentile interval of item agreement, resampling whole plans (their items are not independent)."""
    counts = np.array([(agree, total) for agree, total in per_plan if total], dtype=float)
    if len(counts) < 2:
        return None
    draws = np.random.default_rng(seed).integers(0, len(counts), size=(resamples, len(counts)))
    ratios = counts[draws, 0].sum(axis=1) / counts[draws, 1].sum(axis=1)
    low, high = np.percentile(ratios, [2.5, 97.5])
    return float(low), float(high)


def _interval(interval: tuple[float, float] | None) -> str:
    return "—" if interval is None else f"[{interval[0]:.1%},{interval[1]:.1%}]"


def measure(
    gold: Gold, verdicts_by_grader: Mapping[str, Mapping[str, Verdict]], judge_config: dict[str, Any] | None = None
) -> CalibrationReport:
    """The calibration report for every grader's verdicts (by case id) against each gold set's labels."""
    return CalibrationReport(
        sets=tuple(_measure_set(gold_set, verdicts_by_grader) for gold_set in gold.sets),
        judge_config=judge_config,
    )


def _measure_set(gold_set: GoldSet, verdicts_by_grader: Mapping[str, Mapping[str, Verdict]]) -> SetReport:
    kinds: dict[str, int] = defaultdict(int)
    for case in gold_set.cases:
        for kind in case.label.kinds:
            kinds[kind] += 1
    return SetReport(
        name=gold_set.name,
        gold_dir=str(gold_set.directory),
        labelled_by=gold_set.labelled_by,
        cases=len(gold_set.cases),
        scenarios=tuple(sorted({case.scenario.id for case in gold_set.cases})),
        repos=tuple(sorted({case.scenario.repo_name for case in gold_set.cases})),
        plan_kinds=dict(kinds),
        graders=tuple(
            measure_grader(name, gold_set.cases, verdicts) for name, verdicts in verdicts_by_grader.items()
        ),
    )


# --- running the graders ---------------------------------------------------------------------------


def deterministic_verdict(case: GoldCase) -> Verdict:
    """The scope and completeness graders on a gold plan (no repo diff: the plan alone is graded)."""
    plan = parse_plan(case.plan_text)
    scope = check_scope(plan, None, case.scenario.repo_config.frontend_dir)
    completeness = grade_completeness(plan, case.scenario.rubric)
    return Verdict(
        scope_passed=scope.passed,
        violations=tuple(scope.kinds()),
        items={item.id: item.met for item in completeness.items},
        evidence={item.id: f"line {item.line}: {item.evidence}" for item in completeness.items if item.met},
        scope_evidence="; ".join(f"line {v.line}: {v.evidence}" for v in scope.violations),
    )


async def judge_gold_cases(cases: tuple[GoldCase, ...], model: str | Model) -> tuple[dict[str, Verdict], dict[str, Any]]:
    """The LLM judge's verdicts on every gold case, and its configuration."""
    judge_model = llm_judge.judge_model(model)
    limit = asyncio.Semaphore(llm_judge.JUDGE_CONCURRENCY)

    async def one(case: GoldCase) -> tuple[str, llm_judge.JudgeResult]:
        async with limit:
            return case.id, await llm_judge.judge_plan(case.plan_text, case.scenario, judge_model)

    results = dict(await asyncio.gather(*(one(case) for case in cases)))
    verdicts: dict[str, Verdict] = {}
    for case_id, result in results.items():
        met = result.verdicts.met if result.verdicts else {}
        reasons: Mapping[str, str] = result.verdicts.reasons if result.verdicts else {}
        verdicts[case_id] = Verdict(
            scope_passed=result.scope_passed,
            violations=tuple(result.violations),
            items={key: value for key, value in met.items() if not key.startswith("scope.")},
            evidence=dict(reasons),
            scope_evidence="; ".join(reasons.get(c.id, "") for c in llm_judge.SCOPE_CRITERIA if met.get(c.id) is False),
        )
    config = {
        **llm_judge.judge_config(judge_model),
        "unparsed_answers": sum(not result.parsed for result in results.values()),
    }
    return verdicts, config


def calibrate(
    gold_dir: str | Path = DEFAULT_GOLD_DIR,
    judge_model: Any = None,
    scenarios_dir: str | Path = DEFAULT_SCENARIOS_DIR,
) -> CalibrationReport:
    """Grade both gold sets and compare with their labels; `judge_model` (name or inspect Model) adds the LLM judge."""
    if judge_model is not None:
        llm_judge.judge_model(judge_model)  # a judge that cannot run fails before the graders' pass over the gold set
    gold = load_gold(gold_dir, scenarios_dir)
    verdicts: dict[str, dict[str, Verdict]] = {
        "deterministic": {case.id: deterministic_verdict(case) for case in gold.cases}
    }
    judge_config = None
    if judge_model is not None:
        verdicts["judge"], judge_config = asyncio.run(judge_gold_cases(gold.cases, judge_model))
    return measure(gold, verdicts, judge_config)
