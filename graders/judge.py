"""Optional LLM rubric judge: per-criterion verdicts from a grader model, on top of the deterministic graders.

The judge sees the request, the criteria (the two scope rules and every completeness item of the
scenario's rubric) and the plan, fenced between markers carrying a random token drawn per call.
Before fencing, text in the plan that could pose as a marker, a grade or an instruction to the
grader is neutralised. The judge answers with JSON; the last valid `{"verdicts": [...]}` object in
its answer is taken. Temperature is 0 and the judge's configuration goes into the Score metadata.

A judge grading its own model's plans is refused (`SelfJudgeError`) unless `allow_self_judge=True`,
which warns loudly. The judge is never the only signal: `archbench calibrate --judge MODEL` measures
it against the same gold labels as the deterministic graders (graders/calibrate.py).
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import secrets
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from string import Template
from typing import Any

from inspect_ai._util.error import PrerequisiteError
from inspect_ai.model import GenerateConfig, Model, get_model
from inspect_ai.scorer import Score, Scorer, Target, mean, scorer, stderr
from inspect_ai.solver import TaskState

from archbench.core.scenarios import Scenario
from archbench.core.strict_yaml import InputError, plain_message
from archbench.graders.completeness import check_completeness, completeness_score
from archbench.graders.plan import parse_plan
from archbench.graders.scorers import load_sample_scenario
from archbench.graders.verdicts import ItemVerdict, clip

logger = logging.getLogger(__name__)

TEMPLATE_FILE = Path(__file__).with_name("judge_template.md")
JUDGE_CONFIG = GenerateConfig(temperature=0.0)
JUDGE_CONCURRENCY = 4


@dataclass(frozen=True)
class Criterion:
    id: str
    description: str
    violation: str | None = None  # for scope criteria: the violation kind an unmet verdict means


SCOPE_CRITERIA = (
    Criterion(
        "scope.no-implementation-code",
        "The plan contains no implementation code: no Python function or method bodies, no code diffs, "
        "no view, task, consumer or service bodies.",
        violation="implementation_code",
    ),
    Criterion(
        "scope.no-frontend-work",
        "The plan neither writes frontend code (Vue, TypeScript/JavaScript, CSS) nor tells anyone other "
        "than the frontend-architect to build or change frontend pieces.",
        violation="frontend_code",
    ),
)


def criteria_for(scenario: Scenario) -> list[Criterion]:
    """The scope rules, then every completeness item of the scenario's rubric (same ids as the grader's)."""
    items = check_completeness(parse_plan(""), scenario.rubric)
    return [*SCOPE_CRITERIA, *(Criterion(item.id, item.description) for item in items)]


# --- the plan as data ----------------------------------------------------------------------------

_NEUTRALISERS: tuple[tuple[str, re.Pattern[str], str], ...] = (
    ("marker-like angle brackets", re.compile(r"<{3,}|>{3,}"), "[angle brackets]"),
    ("plan marker", re.compile(r"\b(?:BEGIN|END)[\s_-]+(?:OF[\s_-]+)?PLAN\b"), "[plan marker]"),
    ("chat-template token", re.compile(r"<\|[^|<>\n]{1,40}\|>|\[/?INST\]|</?s>"), "[chat token]"),
    (
        "role label",
        re.compile(r"(?im)^(\s*)(system|assistant|grader|judge)\s*:"),
        r"\1[role label '\2']",
    ),
    (
        "grade line",
        re.compile(r"(?i)\b(grade|score|verdict|final\s+(?:grade|score|verdict|answer))\s*:"),
        r"[the plan writes '\1']",
    ),
    (
        "instruction to the grader",
        re.compile(
            r"(?i)\b(?:ignore|disregard|forget)\b[^.\n]{0,60}?"
            r"\b(?:instructions?|rubric|criteria|criterion|prompt|grading|grader|judge)\b"
        ),
        "[instruction to the grader removed]",
    ),
    ("verdict key", re.compile(r"""(["'])verdicts\1"""), r"\1verdicts-in-plan\1"),
)


def neutralise_plan(text: str) -> tuple[str, list[str]]:
    """The plan with marker look-alikes, grade lines and instructions to the grader defused; and what was changed."""
    changes: list[str] = []
    for name, pattern, replacement in _NEUTRALISERS:
        for match in pattern.finditer(text):
            changes.append(f"{name}: {clip(match.group(0), 80)}")
        text = pattern.sub(replacement, text)
    return text, changes


def new_delimiter() -> tuple[str, str]:
    token = secrets.token_hex(8)
    return f"<<<PLAN {token}>>>", f"<<<END PLAN {token}>>>"


def template_text() -> str:
    return TEMPLATE_FILE.read_text(encoding="utf-8")


def build_prompt(plan_text: str, scenario: Scenario, criteria: list[Criterion]) -> tuple[str, list[str], str]:
    """The judge prompt, the neutralisations applied to the plan, and the opening marker used."""
    begin, end = new_delimiter()
    plan, changes = neutralise_plan(plan_text)
    listed = "\n".join(f"- `{criterion.id}`: {criterion.description}" for criterion in criteria)
    prompt = Template(template_text()).substitute(
        request=scenario.request.strip(), criteria=listed, plan=plan, begin=begin, end=end
    )
    return prompt, changes, begin


# --- the judge's answer ----------------------------------------------------------------------------

_TRUE = {"true", "yes", "met", "pass", "passed", "y"}
_FALSE = {"false", "no", "not met", "not_met", "unmet", "fail", "failed", "n"}


def _as_bool(value: object) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
        return value.strip().lower() in _TRUE
    return None


def _verdict_entries(payload: object) -> list[tuple[str, object, str]] | None:
    """(id, met, reason) triples from `{"verdicts": [...]}` or `{"verdicts": {id: ...}}`; None if not that shape."""
    if not isinstance(payload, dict) or "verdicts" not in payload:
        return None
    verdicts = payload["verdicts"]
    if isinstance(verdicts, list):
        return [
            (str(entry["id"]), entry.get("met"), str(entry.get("reason", "")))
            for entry in verdicts
            if isinstance(entry, dict) and "id" in entry
        ]
    if isinstance(verdicts, dict):
        return [
            (str(key), value.get("met") if isinstance(value, dict) else value,
             str(value.get("reason", "")) if isinstance(value, dict) else "")
            for key, value in verdicts.items()
        ]
    return None


@dataclass(frozen=True)
class ParsedVerdicts:
    met: dict[str, bool]
    reasons: dict[str, str]
    unknown_ids: tuple[str, ...] = ()


def parse_verdicts(response: str, criterion_ids: list[str]) -> ParsedVerdicts | None:
    """The last JSON object with a `verdicts` key in the answer; None when there is none."""
    decoder = json.JSONDecoder()
    known = set(criterion_ids)
    for start in reversed([match.start() for match in re.finditer(r"\{", response)]):
        try:
            payload, _ = decoder.raw_decode(response, start)
        except json.JSONDecodeError:
            continue
        entries = _verdict_entries(payload)
        if entries is None:
            continue
        met: dict[str, bool] = {}
        reasons: dict[str, str] = {}
        unknown: list[str] = []
        for criterion_id, value, reason in entries:
            verdict = _as_bool(value)
            if criterion_id not in known:
                unknown.append(criterion_id)
            elif verdict is not None:
                met[criterion_id] = verdict
                reasons[criterion_id] = clip(reason)
        return ParsedVerdicts(met, reasons, tuple(unknown))
    return None


@dataclass(frozen=True)
class JudgeResult:
    criteria: tuple[Criterion, ...]
    verdicts: ParsedVerdicts | None
    prompt: str
    response: str
    neutralised: tuple[str, ...]
    config: dict[str, Any] = field(default_factory=dict)

    @property
    def parsed(self) -> bool:
        return self.verdicts is not None

    @property
    def scope_passed(self) -> bool | None:
        """True/False from the scope criteria; None when the judge gave no verdict on one of them."""
        if self.verdicts is None or any(c.id not in self.verdicts.met for c in SCOPE_CRITERIA):
            return None
        return all(self.verdicts.met[c.id] for c in SCOPE_CRITERIA)

    @property
    def violations(self) -> list[str]:
        if self.verdicts is None:
            return []
        return [c.violation for c in SCOPE_CRITERIA if c.violation and self.verdicts.met.get(c.id) is False]

    @property
    def completeness_items(self) -> list[ItemVerdict]:
        """The judge's verdicts on rubric items that it answered, as grader items."""
        if self.verdicts is None:
            return []
        return [
            ItemVerdict(c.id, "completeness", self.verdicts.met[c.id], self.verdicts.reasons.get(c.id) or None, None, c.description)
            for c in self.criteria
            if c.violation is None and c.id in self.verdicts.met
        ]

    @property
    def unanswered(self) -> list[str]:
        answered = self.verdicts.met if self.verdicts else {}
        return [c.id for c in self.criteria if c.id not in answered]


OFFLINE_PROVIDER = "archbench"  # the offline baseline architects (evals/providers.py): they write plans, never judge


def judge_model(model: str | Model) -> Model:
    """The judge as an inspect Model; a name that cannot judge (or lacks its key) is an InputError, not a traceback."""
    if isinstance(model, str):
        if model.split("/", 1)[0] == OFFLINE_PROVIDER:
            raise InputError(
                f"'{model}' is an offline baseline architect: it writes plans and cannot judge them; "
                "name an LLM as the judge, e.g. --judge anthropic/claude-sonnet-4-5"
            )
        if "/" not in model:
            raise InputError(f"judge model '{model}' must be provider/name, e.g. anthropic/claude-sonnet-4-5")
    try:
        return get_model(model, config=JUDGE_CONFIG)
    except (PrerequisiteError, ValueError, TypeError) as error:
        raise InputError(f"judge model '{model}': {plain_message(error)}") from None


def judge_config(model: Model) -> dict[str, Any]:
    return {
        "model": str(model),
        "temperature": JUDGE_CONFIG.temperature,
        "template": TEMPLATE_FILE.name,
        "template_sha": hashlib.sha256(template_text().encode()).hexdigest()[:12],
    }


async def judge_plan(plan_text: str, scenario: Scenario, model: Model) -> JudgeResult:
    """Ask the judge model for per-criterion verdicts on one plan."""
    criteria = criteria_for(scenario)
    prompt, changes, begin = build_prompt(plan_text, scenario, criteria)
    output = await model.generate(prompt, config=JUDGE_CONFIG)
    response = output.completion
    return JudgeResult(
        criteria=tuple(criteria),
        verdicts=parse_verdicts(response, [c.id for c in criteria]),
        prompt=prompt,
        response=response,
        neutralised=tuple(changes),
        config={**judge_config(model), "delimiter": begin},
    )


# --- not grading oneself ---------------------------------------------------------------------------


class SelfJudgeError(RuntimeError):
    """The judge model is the model under test."""


def same_model(judge_name: str, tested_name: str) -> bool:
    """Same model, also when reached through different providers (`openrouter/openai/gpt-5` vs `openai/gpt-5`)."""
    return judge_name == tested_name or judge_name.rsplit("/", 1)[-1] == tested_name.rsplit("/", 1)[-1]


def check_not_self_judge(judge_name: str, tested_name: str | None, allow_self_judge: bool) -> bool:
    """Raise when the judge would grade its own model's plans; with `allow_self_judge`, warn and return True."""
    if not tested_name or not same_model(judge_name, tested_name):
        return False
    message = (
        f"the judge model {judge_name} is the model under test ({tested_name}): it would grade its own plans, "
        "and models tend to rate their own output higher"
    )
    if not allow_self_judge:
        raise SelfJudgeError(message + "; pick another judge model, or pass allow_self_judge=True to accept the bias")
    warnings.warn("SELF-JUDGING: " + message, stacklevel=3)
    logger.warning("SELF-JUDGING: %s (allowed by allow_self_judge=True)", message)
    return True


def _model_under_test() -> Model | None:
    """The model being evaluated when the scorer is built inside a task; None elsewhere (checked per sample then)."""
    try:
        return get_model()
    except Exception:  # noqa: BLE001 - no active model (or an unusable INSPECT_EVAL_MODEL): not known yet
        return None


@scorer(metrics={"scope": [mean()], "completeness": [mean(), stderr()]})
def judge(model: str | Model, allow_self_judge: bool = False, scenarios_dir: str | None = None) -> Scorer:
    """LLM rubric judge: scope (1 when both scope criteria are met) and completeness (rubric entries weighed
    as the completeness grader does) from per-criterion verdicts. Refuses to judge its own model's plans."""
    grader = judge_model(model)
    tested = _model_under_test()
    warned = check_not_self_judge(str(grader), str(tested) if tested else None, allow_self_judge)

    async def score(state: TaskState, target: Target) -> Score:
        nonlocal warned
        if not warned:
            warned = check_not_self_judge(str(grader), str(state.model), allow_self_judge)
        scenario = load_sample_scenario(state.metadata or {}, state.sample_id, scenarios_dir)
        plan = state.output.completion if state.output else ""
        result = await judge_plan(plan, scenario, grader)
        metadata = {
            "judge": result.config,
            "neutralised": list(result.neutralised),
            "grading": [result.prompt, result.response],
        }
        if result.scope_passed is None:
            return Score.unscored(
                reason="grader_failed",
                explanation=f"Judge verdict not found in the judge's answer: {clip(result.response, 400)}",
                metadata=metadata,
            )
        items = result.completeness_items
        missing = result.unanswered
        explanation = f"judge: scope {'passed' if result.scope_passed else 'violated: ' + ', '.join(result.violations)}; "
        explanation += f"{sum(i.met for i in items)}/{len(items)} rubric checks met"
        if missing:
            explanation += f"; no verdict on {len(missing)} criteria (counted as not met): {', '.join(missing)}"
        completeness = completeness_score(
            [*items, *(ItemVerdict(i, "completeness", False, None, None) for i in missing if not i.startswith("scope."))]
        )
        return Score(
            value={"scope": 1.0 if result.scope_passed else 0.0, "completeness": completeness},
            explanation=explanation,
            metadata={**metadata, "violation_kinds": result.violations, "items": [i.to_json() for i in items]},
        )

    return score
