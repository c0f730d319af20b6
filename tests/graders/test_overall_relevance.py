"""Issue 16, section 1, on the project's own gold plans: a plan for another request must not outrank one that
answers the request half-way, whichever scenarios they come from.

Before the relevance gate, `clinic-time-off/off-topic-reminders` (completeness 0.15, conventions and
grounding 1.0) scored 0.58 overall, above the partial plan `clinic-waiting-list/partial-no-task-details`
(0.46); with the gate they score 0.23 and 0.41.
"""

import pytest

from archbench.graders.calibrate import load_gold
from archbench.graders.grade import grade_plan


@pytest.fixture(scope="module")
def overall_by_kind():
    gold = load_gold()
    scored: dict[str, dict[str, float]] = {"off_topic": {}, "partial": {}}
    for gold_set in gold.sets[:2]:  # the development sets and held_out_2, rated by plan kind
        for case in gold_set.cases:
            for kind in scored.keys() & set(case.label.kinds):
                if case.label.scope.passed:
                    scored[kind][case.id] = grade_plan(case.plan_text, case.scenario).overall.score
    return scored


def test_every_off_topic_plan_scores_below_every_partial_plan(overall_by_kind):
    off_topic, partial = overall_by_kind["off_topic"], overall_by_kind["partial"]
    assert len(off_topic) >= 6 and len(partial) >= 2
    assert max(off_topic.values()) < min(partial.values()), (off_topic, partial)
