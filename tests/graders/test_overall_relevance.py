"""Issue 16, section 1, on the project's own gold plans: a plan for another request must not outrank one that
answers the request half-way, whichever scenarios they come from.

Before the relevance gate, `clinic-time-off/off-topic-reminders` (completeness 0.15, conventions and
grounding 1.0) scored 0.58 overall, above the partial plan `clinic-waiting-list/partial-no-task-details`
(0.46); with the gate they score 0.23 and 0.41.
"""

from pathlib import Path

import pytest
import yaml

from archbench.graders.calibrate import DEFAULT_GOLD_DIR, load_gold
from archbench.graders.grade import grade_plan

# Plans on two real projects that joined the development sets in round 2 of issue 16 (docs/calibration.md):
# measured on their own below, where the target is not met yet.
HELD_OUT_4 = frozenset(
    scenario
    for folder in ("held_out_4_helpdesk", "held_out_4_froide")
    for scenario in yaml.safe_load((Path(DEFAULT_GOLD_DIR) / folder / "labels.yaml").read_text())["rubrics"]
)


def _overall_by_kind(held_out_4: bool) -> dict[str, dict[str, float]]:
    gold = load_gold()
    scored: dict[str, dict[str, float]] = {"off_topic": {}, "partial": {}}
    for gold_set in gold.sets[:2]:  # the development sets and held_out_2, rated by plan kind
        for case in gold_set.cases:
            if (case.scenario.id in HELD_OUT_4) != held_out_4:
                continue
            for kind in scored.keys() & set(case.label.kinds):
                if case.label.scope.passed:
                    scored[kind][case.id] = grade_plan(case.plan_text, case.scenario).overall.score
    return scored


@pytest.fixture(scope="module")
def overall_by_kind():
    return _overall_by_kind(held_out_4=False)


def test_every_off_topic_plan_scores_below_every_partial_plan(overall_by_kind):
    off_topic, partial = overall_by_kind["off_topic"], overall_by_kind["partial"]
    assert len(off_topic) >= 6 and len(partial) >= 2
    assert max(off_topic.values()) < min(partial.values()), (off_topic, partial)


@pytest.mark.xfail(
    strict=True,
    reason="round 2 of issue 16 measured it: helpdesk-followup-order-setting/off-topic-reply-signature (a new "
    "UserSettings field and endpoint for another setting) scores 0.58 overall, above partial plans rated 2 "
    "(froide-follow-api/partial-endpoints-only 0.15, helpdesk-sla-alerts/partial-models-and-api 0.22, "
    "helpdesk-followup-order-setting/partial-endpoint-only 0.33): the existing model and the rubric's concept "
    "phrases (settings row, staff permission, migration) match its text; docs/calibration.md, Round 2",
)
def test_every_off_topic_plan_scores_below_every_partial_plan_on_held_out_4():
    scored = _overall_by_kind(held_out_4=True)
    off_topic, partial = scored["off_topic"], scored["partial"]
    assert len(off_topic) >= 4 and len(partial) >= 5
    assert max(off_topic.values()) < min(partial.values()), (off_topic, partial)
