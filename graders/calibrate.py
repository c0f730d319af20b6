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
from typing import Annotated, Any, Iterable, Literal, Mapping

import numpy as np
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
from archbench.graders import judge as llm_judge
from archbench.graders.completeness import check_completeness, grade_completeness
from archbench.graders.grade import grade_plan
from archbench.graders.plan import parse_plan
from archbench.graders.scope import check_scope
from archbench.graders.verdicts import ItemVerdict

DEFAULT_GOLD_DIR = PROJECT_ROOT / "gold"
LABELS_FILE = "labels.yaml"
HELD_OUT_SUBDIR = "held_out"
SETS_FILE = "sets.yaml"
DEVELOPMENT = "development"
HELD_OUT = "held-out"
BLIND = "blind"
NOTE_SECTIONS = ("scope", "completeness", "quality", "references", "assumed_references")  # notes on a whole label
SCENARIOS_SUBDIR = "scenarios"  # a set's own scenarios (repos outside sample_repos), looked up before the default folder
SET_DESCRIPTIONS = {
    DEVELOPMENT: "seen while tuning the graders",
    HELD_OUT: "never seen",
    BLIND: "labelled blind; what was read or tuned on it: gold/sets.yaml",
}
SCOPE_ACCURACY_TARGET = 0.95
ITEM_AGREEMENT_TARGET = 0.90
RANKING_TARGET = 0.95
CLEARLY_DIFFERENT = 2  # quality labels this far apart make a pair the ranking measure must order
USEFUL_QUALITY = 3  # a reviewer would call a plan of this quality or more useful
GOOD_QUALITY = 4  # ... and good: no false scope violation allowed on it
MUST_PASS_KINDS = ("frontend_deferring", "example_only")
WEAK_KINDS = ("off_topic", "thin", "generic")  # must score below every useful on-topic plan of their scenario
PLAN_VIOLATION_KINDS = ("implementation_code", "frontend_code")
# The grader's `frontend_instructions` (frontend design in prose, no code) is a `frontend_code` violation in
# labels written before that kind existed; both sides are compared by these families.
VIOLATION_FAMILY = {"frontend_instructions": "frontend_code"}

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
    "wrong_repo",
    "medium",
    "generic",
    "hallucinated",
    "scope_trap",
    "frontend_instructing",
]
PlanViolationKind = Literal["implementation_code", "frontend_code", "frontend_instructions"]


def violation_family(kinds: Iterable[str]) -> frozenset[str]:
    """Violation kinds as the labels compare them: `frontend_instructions` counts as `frontend_code`."""
    return frozenset(VIOLATION_FAMILY.get(kind, kind) for kind in kinds)


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


class ReferenceLabel(_Strict):
    """A repo reference the plan assumes exists (issue 20's wrong-repo set): where, what, and whether it resolves."""

    ref: str = Field(min_length=1)
    line: int = Field(ge=1)
    kind: str = Field(min_length=1)
    exists: bool
    framework: bool = False
    note: str = ""


class QualityRating(_Strict):
    """`quality: {rating, reason}`, the form gold/held_out_3 writes (gold/wrong_repo writes `quality: 4` and `quality_note`)."""

    rating: int = Field(ge=1, le=5)
    reason: str = Field(min_length=1)


class AssumedReference(_Strict):
    """gold/held_out_3's `assumed_references`: a repo reference the plan assumes exists, and whether it does."""

    ref: str = Field(min_length=1)
    exists: bool


class CaseLabel(_Strict):
    """One labelled plan. `items` (completeness) and `quality` (a reviewer's 1-5 rating) are each optional,
    but a case carries at least one of them; a case without item labels pins its scenario by `version`."""

    id: str = Field(pattern=r"^[a-z0-9-]+/[a-z0-9-]+$")
    scenario: str
    version: int | None = Field(default=None, ge=1)
    repo: str | None = None  # the repo the scenario runs on, checked against the scenario
    written_for: str | None = None  # the repo the plan was designed for (differs for wrong_repo plans)
    plan: str
    kinds: list[PlanKind] = Field(min_length=1)
    scope: ScopeLabel
    items: ItemLabels | None = None
    quality: QualityRating | Annotated[int, Field(ge=1, le=5)] | None = None
    quality_note: str = ""
    references: list[ReferenceLabel] = []
    assumed_references: list[AssumedReference] = []
    notes: dict[str, str] = {}

    @field_validator("quality", mode="before")
    @classmethod
    def _rating_in_range(cls, value: Any) -> Any:
        if isinstance(value, int) and not isinstance(value, bool) and not 1 <= value <= 5:
            raise ValueError(f"a quality rating is 1 to 5, got {value}")
        return value

    @model_validator(mode="after")
    def _labelled(self) -> "CaseLabel":
        if self.items is None and self.quality is None:
            raise ValueError("a case needs item labels (items), a quality rating (quality) or both")
        if self.quality_note and not isinstance(self.quality, int):
            raise ValueError("quality_note goes with `quality: <1-5>`; `quality: {rating, reason}` carries its own reason")
        return self

    @property
    def rating(self) -> int | None:
        """The reviewer's 1-5 rating, in either form."""
        return self.quality.rating if isinstance(self.quality, QualityRating) else self.quality


class LabelsFile(_Strict):
    labelled_by: str = Field(min_length=1)
    method: str = Field(min_length=1)
    rubrics: dict[str, LabelledRubric] = {}
    cases: list[CaseLabel] = Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self) -> "LabelsFile":
        seen: set[str] = set()
        for case in self.cases:
            if case.id in seen:
                raise ValueError(f"duplicate case id '{case.id}'")
            recorded = self.rubrics.get(case.scenario)
            if case.items is not None and recorded is None:
                raise ValueError(f"case '{case.id}': scenario '{case.scenario}' has no entry under rubrics")
            if recorded is None and case.version is None:
                raise ValueError(f"case '{case.id}': give the scenario version it was labelled against (version)")
            if recorded is not None and case.version is not None and case.version != recorded.version:
                raise ValueError(f"case '{case.id}': version {case.version} differs from rubrics '{case.scenario}' version {recorded.version}")
            seen.add(case.id)
        return self


@dataclass(frozen=True)
class GoldCase:
    """A labelled case with its plan text and the scenario's completeness item ids (rubric order; none when
    the case has no item labels)."""

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
    """One labels file and its cases: the development set, the held-out set or a blind set."""

    name: str  # DEVELOPMENT, HELD_OUT, or a blind set's folder name
    directory: Path
    labelled_by: str
    method: str
    cases: tuple[GoldCase, ...]
    role: str = ""  # DEVELOPMENT, HELD_OUT or BLIND; defaults to the name

    @property
    def kind(self) -> str:
        return self.role or self.name


@dataclass(frozen=True)
class Gold:
    gold_dir: Path
    sets: tuple[GoldSet, ...]  # the development set, then the held-out set when there is one, then blind sets

    @property
    def cases(self) -> tuple[GoldCase, ...]:
        return tuple(case for gold_set in self.sets for case in gold_set.cases)


class _SetEntry(_Strict):
    dir: str = Field(min_length=1)
    why: str = Field(min_length=1)


class SetsFile(_Strict):
    """`gold/sets.yaml`: which labelled folders the graders were tuned on, which one they were not (the
    targets of the completeness and scope graders), and further sets labelled blind (`blind`: measured and
    reported, each under its folder name, never tuned on)."""

    development: list[_SetEntry] = Field(min_length=1)
    held_out: _SetEntry
    blind: list[_SetEntry] = []


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
        blind = []
        for entry in declared.blind:
            if not (gold_dir / entry.dir / LABELS_FILE).is_file():
                raise InputError(f"blind dir '{entry.dir}' has no {LABELS_FILE}", sets_file)
            name = Path(entry.dir).name
            if name in {DEVELOPMENT, HELD_OUT, *(part.name for part in blind)}:
                raise InputError(f"blind dir '{entry.dir}': another set is already called '{name}'", sets_file)
            part = _load_set(name, gold_dir / entry.dir, scenarios_dir, role=BLIND)
            for earlier in (development, held_out, *blind):
                _check_disjoint(earlier, part)
            blind.append(part)
        return Gold(gold_dir, (development, held_out, *blind))
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
    """A held-out or blind set shares no case id with an earlier set, and its item-labelled cases no scenario
    with the development set: completeness rules were written while reading those scenarios. (Cases rated
    only for quality measure `overall`'s ranking and scope, which no rule was tuned on per scenario.)"""
    path = held_out.directory / LABELS_FILE
    what = "the held-out set" if held_out.kind == HELD_OUT else f"the blind set '{held_out.name}'"
    if development.kind == DEVELOPMENT:
        item_scenarios = {c.label.scenario for c in held_out.cases if c.label.items is not None}
        shared_scenarios = sorted(item_scenarios & {c.label.scenario for c in development.cases})
        if shared_scenarios:
            raise InputError(f"{what} shares scenarios with the development set: {shared_scenarios}", path)
    shared_ids = sorted({c.id for c in held_out.cases} & {c.id for c in development.cases})
    if shared_ids:
        owner = "development" if development.kind == DEVELOPMENT else f"'{development.name}'"
        raise InputError(f"{what} reuses {owner} case ids: {shared_ids}", path)


def _load_set(name: str, directory: Path, scenarios_dir: str | Path, role: str = "") -> GoldSet:
    path = directory / LABELS_FILE
    data, lines = parse_yaml(read_text(path), path)
    labels = validate(LabelsFile, data, path, lines)
    folders = [directory / SCENARIOS_SUBDIR, Path(scenarios_dir)]  # the set's own scenarios first
    scenarios = {
        scenario_id: _labelled_scenario(scenario_id, recorded, folders, path, lines)
        for scenario_id, recorded in labels.rubrics.items()
    }
    cases = []
    for index, label in enumerate(labels.cases):
        def fail(message: str, key: str) -> InputError:
            return InputError(f"case '{label.id}': {message}", path, line_of(lines, ("cases", index, key)))

        if label.scenario in scenarios:
            scenario, rubric_items = scenarios[label.scenario]
        else:  # rated for quality only: the scenario is pinned by the case's version
            scenario, rubric_items = _scenario_at_version(label, folders, fail), []
        if label.repo is not None and label.repo != scenario.repo_name:
            raise fail(f"repo '{label.repo}' is not the scenario's repo '{scenario.repo_name}'", "repo")
        plan_file = directory / label.plan
        if not plan_file.is_file():
            raise fail(f"plan file '{label.plan}' not found", "plan")
        plan_text = read_text(plan_file)
        item_ids = tuple(item.id for item in rubric_items) if label.items is not None else ()
        unknown = sorted(set(label.items.exceptions) - set(item_ids)) if label.items is not None else []
        if unknown:
            raise fail(f"items.except names ids the rubric does not have: {unknown}", "items")
        unknown_notes = sorted(set(label.notes) - set(item_ids) - set(NOTE_SECTIONS))
        if unknown_notes:
            raise fail(f"notes are keyed by item id or one of {list(NOTE_SECTIONS)}; unknown: {unknown_notes}", "notes")
        plan_lines = len(parse_plan(plan_text).lines)
        beyond = [reference.ref for reference in label.references if reference.line > plan_lines]
        if beyond:
            raise fail(f"references point past the plan's {plan_lines} lines: {beyond}", "references")
        cases.append(
            GoldCase(label, plan_text, scenario, item_ids, {item.id: item.description for item in rubric_items})
        )
    return GoldSet(name, directory, labels.labelled_by, labels.method, tuple(cases), role)


def _find_scenario(scenario_id: str, folders: list[Path]) -> Path | None:
    return next((folder / f"{scenario_id}.yaml" for folder in folders if (folder / f"{scenario_id}.yaml").is_file()), None)


def _scenario_at_version(label: CaseLabel, folders: list[Path], fail: Any) -> Scenario:
    scenario_file = _find_scenario(label.scenario, folders)
    if scenario_file is None:
        raise fail(f"scenario '{label.scenario}' not found in {', '.join(map(str, folders))}", "scenario")
    scenario = load_scenario(scenario_file)
    if scenario.version != label.version:
        raise fail(
            f"'{label.scenario}' was rated against version {label.version}; it is now version {scenario.version}:"
            " re-read the plan, re-rate it, then update version",
            "version",
        )
    return scenario


def _labelled_scenario(
    scenario_id: str, recorded: LabelledRubric, folders: list[Path], path: Path, lines: dict
) -> tuple[Scenario, list[ItemVerdict]]:
    """The scenario and its completeness items, refused if the rubric changed since the cases were labelled."""
    where = line_of(lines, ("rubrics", scenario_id))
    scenario_file = _find_scenario(scenario_id, folders)
    if scenario_file is None:
        raise InputError(f"scenario '{scenario_id}' not found in {folders[-1]}", path, where)
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
    overall: float | None = None  # the `overall` score, for the ranking measure (None: this grader gives none)
    scores: Mapping[str, float | None] = field(default_factory=dict)  # the dimensions behind it, for the listing


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
class Misordered:
    """A pair of one scenario's plans that `overall` puts the wrong way round (or level)."""

    better: str
    worse: str
    better_quality: int
    worse_quality: int
    better_overall: float
    worse_overall: float
    worse_scores: str = ""  # the dimensions behind the worse plan's overall

    def to_json(self) -> dict[str, Any]:
        return {
            "better": self.better,
            "worse": self.worse,
            "better_quality": self.better_quality,
            "worse_quality": self.worse_quality,
            "better_overall": self.better_overall,
            "worse_overall": self.worse_overall,
            "worse_scores": self.worse_scores,
        }

    def line(self) -> str:
        return (
            f"{self.better} (quality {self.better_quality}, overall {self.better_overall:.2f}) not above"
            f" {self.worse} (quality {self.worse_quality}, overall {self.worse_overall:.2f}; {self.worse_scores})"
        )


@dataclass(frozen=True)
class Ranking:
    """How often `overall` orders two plans of one scenario the way their quality labels do. A tie counts
    as wrong: a score that cannot tell a useful plan from a useless one has not ordered them."""

    pairs: int
    misordered: tuple[Misordered, ...]

    @property
    def correct(self) -> int:
        return self.pairs - len(self.misordered)

    @property
    def accuracy(self) -> float | None:
        return self.correct / self.pairs if self.pairs else None

    def to_json(self) -> dict[str, Any]:
        return {
            "pairs": self.pairs,
            "correct": self.correct,
            "accuracy": self.accuracy,
            "misordered": [pair.to_json() for pair in self.misordered],
        }


def _score_summary(scores: Mapping[str, float | None]) -> str:
    return ", ".join(f"{name} {'n/a' if value is None else f'{value:.2f}'}" for name, value in scores.items())


def rank_pairs(cases: tuple[GoldCase, ...], verdicts: Mapping[str, Verdict], keep: Any) -> Ranking:
    """Pairs of one scenario's quality-rated plans for which `keep(better, worse)` holds, and those that
    `overall` does not put strictly the right way round."""
    by_scenario: dict[str, list[GoldCase]] = defaultdict(list)
    for case in cases:
        if case.label.rating is not None and verdicts.get(case.id, Verdict(None)).overall is not None:
            by_scenario[case.label.scenario].append(case)
    pairs = 0
    misordered = []
    for scenario_cases in by_scenario.values():
        for better in scenario_cases:
            for worse in scenario_cases:
                if better.label.rating <= worse.label.rating or not keep(better.label, worse.label):
                    continue
                pairs += 1
                high, low = verdicts[better.id], verdicts[worse.id]
                if not high.overall > low.overall:
                    misordered.append(
                        Misordered(
                            better.id, worse.id, better.label.rating, worse.label.rating,
                            high.overall, low.overall, _score_summary(low.scores),
                        )
                    )
    return Ranking(pairs, tuple(misordered))


def clearly_different(better: CaseLabel, worse: CaseLabel) -> bool:
    return better.rating - worse.rating >= CLEARLY_DIFFERENT


def useful_over_weak(better: CaseLabel, worse: CaseLabel) -> bool:
    """A useful on-topic plan against an off-topic, thin or generic one."""
    return better.rating >= USEFUL_QUALITY and bool(set(worse.kinds) & set(WEAK_KINDS)) and worse.rating < USEFUL_QUALITY


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
    ranking: Ranking = Ranking(0, ())  # clearly-different pairs (quality labels >= 2 apart)
    weak_below_useful: Ranking = Ranking(0, ())  # off-topic/thin/generic plans against useful ones
    good_false_violations: tuple[str, ...] = ()  # plans rated >= GOOD_QUALITY that the grader says violate scope

    @property
    def targets(self) -> dict[str, bool]:
        """The targets that apply to what this set labels: item agreement needs item labels, the ranking
        targets need quality ratings (and a grader that gives `overall`)."""
        targets = {
            f"scope accuracy >= {SCOPE_ACCURACY_TARGET:.2f}": (self.scope.accuracy or 0.0) >= SCOPE_ACCURACY_TARGET,
            "no false violation on frontend_deferring / example_only plans": not self.must_pass_false_violations,
        }
        if self.items.total:
            targets[f"completeness item agreement >= {ITEM_AGREEMENT_TARGET:.2f}"] = (
                (self.items.accuracy or 0.0) >= ITEM_AGREEMENT_TARGET
            )
        if self.ranking.pairs:
            targets[f"overall orders >= {RANKING_TARGET:.2f} of clearly-different pairs"] = (
                (self.ranking.accuracy or 0.0) >= RANKING_TARGET
            )
        if self.weak_below_useful.pairs:
            targets["off-topic, thin and generic plans below every useful plan"] = not self.weak_below_useful.misordered
        if self.ranking.pairs or self.good_false_violations:
            targets[f"no false violation on a plan rated >= {GOOD_QUALITY}"] = not self.good_false_violations
        return targets

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
            "ranking": self.ranking.to_json(),
            "weak_below_useful": self.weak_below_useful.to_json(),
            "good_false_violations": list(self.good_false_violations),
            "targets": self.targets,
            "disagreements": [d.to_json() for d in self.disagreements],
        }


@dataclass(frozen=True)
class SetReport:
    """Every grader measured against one gold set."""

    name: str  # DEVELOPMENT, HELD_OUT, or a blind set's folder name
    gold_dir: str
    labelled_by: str
    cases: int
    scenarios: tuple[str, ...]
    repos: tuple[str, ...]
    plan_kinds: dict[str, int]
    graders: tuple[GraderReport, ...]
    role: str = ""  # DEVELOPMENT, HELD_OUT or BLIND; defaults to the name

    @property
    def kind(self) -> str:
        return self.role or self.name

    @property
    def description(self) -> str:
        return SET_DESCRIPTIONS[self.kind]

    @property
    def title(self) -> str:
        return f"{self.name} ({self.description})"

    @property
    def meets_targets(self) -> bool:
        return all(all(report.targets.values()) for report in self.graders)

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "role": self.kind,
            "description": self.description,
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
                    f"/items {_pct(report.item_agreement_by_plan_kind.get(kind))}"
                    for kind in sorted(report.scope_accuracy_by_plan_kind)
                )
            )
            if report.ranking.pairs or report.weak_below_useful.pairs:
                lines.append(
                    f"ranking         overall orders {_pct(report.ranking.accuracy)} of {report.ranking.pairs} clearly-different pairs"
                    f" (quality >= {CLEARLY_DIFFERENT} apart, same scenario); useful above off-topic/thin/generic:"
                    f" {report.weak_below_useful.correct} of {report.weak_below_useful.pairs}"
                )
                for pair in dict.fromkeys((*report.ranking.misordered, *report.weak_below_useful.misordered)):
                    lines.append("  misordered: " + pair.line())
            if report.good_false_violations:
                lines.append(f"false violations on plans rated >= {GOOD_QUALITY}: " + ", ".join(report.good_false_violations))
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
    def blind(self) -> tuple[SetReport, ...]:
        return tuple(report for report in self.sets if report.kind == BLIND)

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
            lines.append(f"  {report.name:<12} {report.cases:>3} plans  {report.gold_dir}  ({report.description})")
        lines.append(self.targets_note)
        if self.judge_config:
            lines.append("judge: " + ", ".join(f"{key}={value}" for key, value in self.judge_config.items()))
        lines += ["", *self._summary_lines()]
        for report in self.sets:
            lines += ["", *report.text_lines(judged_here=report is self.target_set or report.kind == BLIND)]
        return "\n".join(lines)

    def _summary_lines(self) -> list[str]:
        """The headline figures of every grader, one column per set, then the targets."""
        lines = []
        for index, grader in enumerate(self.development.graders):
            reports = [report.graders[index] for report in self.sets]
            widths = [max(16, len(report.name) + 2) for report in self.sets]  # a long set name must not run into the next
            header = "".join(f"{report.name:>{width}}" for report, width in zip(self.sets, widths))
            lines.append(f"== {grader.grader}: summary ==".ljust(34) + header)
            rows = [
                ("scope accuracy", lambda g: _pct(g.scope.accuracy)),
                ("violation precision", lambda g: _pct(g.scope.precision)),
                ("violation recall", lambda g: _pct(g.scope.recall)),
                ("scope kappa", lambda g: _num(g.scope.kappa)),
                *(
                    (f"{kind} recall", lambda g, kind=kind: _pct(g.scope_by_kind[kind].recall if kind in g.scope_by_kind else None))
                    for kind in (*PLAN_VIOLATION_KINDS, *VIOLATION_FAMILY)
                ),
                ("completeness item agreement", lambda g: _pct(g.items.accuracy)),
                ("  95% CI, resampling plans", lambda g: _interval(g.item_agreement_ci)),
                ("completeness kappa", lambda g: _num(g.items.kappa)),
                ("overall orders clear pairs", lambda g: _pct(g.ranking.accuracy)),
                ("  pairs (quality >= 2 apart)", lambda g: str(g.ranking.pairs) if g.ranking.pairs else "  n/a"),
                ("useful above weak plans", lambda g: _fraction(g.weak_below_useful)),
                ("plans", lambda g: str(g.scope.total)),
                ("item labels", lambda g: str(g.items.total)),
            ]
            for label, value in rows:
                lines.append(f"  {label:<32}" + "".join(f"{value(report):>{width}}" for report, width in zip(reports, widths)))
            target_grader = self.target_set.graders[index]
            for target, met in target_grader.targets.items():
                lines.append(f"  target {'MET   ' if met else 'MISSED'} {target}  (on the {self.target_set.name} set)")
            for report in self.blind:
                for target, met in report.graders[index].targets.items():
                    lines.append(
                        f"  target {'MET   ' if met else 'MISSED'} {target}  (on the blind {report.name} set;"
                        " reported, not in the exit status)"
                    )
        return lines


def _pct(value: float | None) -> str:
    return "  n/a" if value is None else f"{value:5.1%}"


def _fraction(ranking: Ranking) -> str:
    return "  n/a" if not ranking.pairs else f"{ranking.correct}/{ranking.pairs}"


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
    # labels that name `frontend_instructions` are also compared on that kind exactly
    exact_kinds = [kind for kind in VIOLATION_FAMILY if any(kind in case.label.scope.violations for case in cases)]
    kind_pairs.update({kind: [] for kind in exact_kinds})
    item_pairs: list[tuple[bool, bool]] = []
    by_scenario: dict[str, list[tuple[bool, bool]]] = defaultdict(list)
    scope_by_plan_kind: dict[str, list[bool]] = defaultdict(list)
    items_by_plan_kind: dict[str, list[bool]] = defaultdict(list)
    must_pass_failures: list[str] = []
    good_failures: list[str] = []
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
        labelled_kinds, graded_kinds = violation_family(label.scope.violations), violation_family(verdict.violations)
        for kind in PLAN_VIOLATION_KINDS:
            graded_kind = (kind not in labelled_kinds) if verdict.scope_passed is None else kind in graded_kinds
            kind_pairs[kind].append((kind in labelled_kinds, graded_kind))
        for kind in exact_kinds:
            labelled_exact = kind in label.scope.violations
            kind_pairs[kind].append((labelled_exact, (not labelled_exact) if verdict.scope_passed is None else kind in verdict.violations))
        scope_agrees = labelled_violation == graded_violation and (
            verdict.scope_passed is None or labelled_kinds == graded_kinds
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
        if verdict.scope_passed is False and label.scope.passed and (label.rating or 0) >= GOOD_QUALITY:
            good_failures.append(case.id)
        if label.items is None:
            continue

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
        ranking=rank_pairs(cases, verdicts, clearly_different),
        weak_below_useful=rank_pairs(cases, verdicts, useful_over_weak),
        good_false_violations=tuple(good_failures),
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
        role=gold_set.role,
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
    """The deterministic graders on a gold plan (no repo diff: the plan alone is graded): scope and
    completeness, and for a quality-rated case the whole grade (conventions, grounding, `overall`)."""
    overall: float | None = None
    scores: dict[str, float | None] = {}
    if case.label.rating is not None:
        grade = grade_plan(case.plan_text, case.scenario)
        scope, completeness, overall = grade.scope, grade.completeness, grade.overall.score
        scores = {name: value for name, value in grade.scores.items() if name not in ("scope", "overall")}
        scores.update({name: None for name in grade.not_applicable})
    else:
        plan = parse_plan(case.plan_text)
        scope = check_scope(plan, None, case.scenario.repo_config.frontend_dirs)
        completeness = grade_completeness(plan, case.scenario.rubric)
    return Verdict(
        scope_passed=scope.passed,
        violations=tuple(scope.kinds()),
        items={item.id: item.met for item in completeness.items},
        evidence={item.id: f"line {item.line}: {item.evidence}" for item in completeness.items if item.met},
        scope_evidence="; ".join(f"line {v.line}: {v.evidence}" for v in scope.violations),
        overall=overall,
        scores=scores,
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
