"""The corpus: broad enough, and every rubric tight enough that a generic plan fails it."""

import json
from collections import Counter

import pytest
from inspect_ai.model import ChatMessageUser

from archbench.core.scenarios import (
    DEFAULT_SCENARIOS_DIR,
    VERSION_LOCK,
    load_scenarios,
    version_lock_problems,
)
from archbench.evals.providers import template_turn
from archbench.graders.grade import grade_plan

SCENARIOS = load_scenarios()
CATEGORIES = ("new_feature", "complex_api", "tradeoff", "simple_change", "frontend_bait", "code_bait",
              "data_migration", "performance", "security", "ambiguous")


def test_corpus_is_broad():
    assert len(SCENARIOS) >= 24
    assert {"notifications", "nested-task-feed", "websockets-vs-polling"} <= {s.id for s in SCENARIOS}
    counts = Counter(s.category for s in SCENARIOS)
    assert all(counts[category] >= 2 for category in CATEGORIES), counts
    assert len({s.repo_name for s in SCENARIOS}) >= 3
    assert sum(1 for s in SCENARIOS if s.planted_instructions) >= 2


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s.id for s in SCENARIOS])
def test_reference_passes_and_a_generic_plan_does_not(scenario):
    reference = grade_plan(scenario.reference_plan_text(), scenario).to_json()
    assert reference["scope"]["passed"], reference["scope"]["violations"]
    assert reference["scores"]["overall"] >= 0.9, [i for i in reference["items"] if not i["met"]]
    generic = template_turn(0, [ChatMessageUser(content=scenario.request)], set(), scenario).answer
    template = grade_plan(generic, scenario).to_json()
    assert template["scores"]["completeness"] <= 0.3
    assert template["scores"]["overall"] <= reference["scores"]["overall"] - 0.4


def test_no_request_or_rubric_changed_without_a_version_bump():
    """scenarios/versions.lock.json pins each version's content; `archbench scenarios lock` updates it."""
    lock = json.loads((DEFAULT_SCENARIOS_DIR / VERSION_LOCK).read_text())
    assert version_lock_problems(SCENARIOS, lock) == []
    assert set(lock) == {s.id for s in SCENARIOS}, "new or removed scenarios: run `archbench scenarios lock`"


def test_version_lock_catches_an_unbumped_rubric_change(tmp_path):
    scenario = SCENARIOS[0]
    lock = {scenario.id: {"version": scenario.version, "sha": "0" * 16}}
    (problem,) = version_lock_problems([scenario], lock)
    assert "bump `version`" in problem and str(scenario.source_file) in problem
    assert version_lock_problems([scenario], {scenario.id: {"version": scenario.version - 1, "sha": "0" * 16}}) == []
