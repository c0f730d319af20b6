"""`archbench rubric draft` / `rubric check`: a draft read from a reference plan with the graders'
own parsing, and misses explained by the closest block and the phrase groups it did and did not match."""

import textwrap

from archbench.core.rubric import Rubric
from archbench.core.scenarios import load_scenarios
from archbench.graders.repo_facts import repo_facts
from archbench.graders.rubric_draft import check_reference, draft_rubric

PLAN = textwrap.dedent(
    """
    # Plan

    ## Edge cases
    - The SMTP server rejects the message: we log it and move on.
    - Two workers pick the same row: `select_for_update(skip_locked=True)` keeps them apart.
    """
).strip()


def test_a_miss_names_the_closest_block_and_which_phrase_groups_it_matched():
    rubric = Rubric.model_validate({"edge_cases": [
        {"id": "smtp-timeout", "description": "SMTP times out", "all_of": [["smtp", "email provider"], ["timeout", "times out"]]},
        {"id": "row-locking", "description": "rows are locked", "all_of": [["select_for_update"], ["skip_locked"]]},
    ]})
    result = check_reference(PLAN, rubric)
    assert result.score == 0.5
    (miss,) = result.misses
    assert miss.item.id == "smtp-timeout" and miss.closest_line == 4
    assert miss.groups == (("smtp / email provider", True), ("timeout / times out", False))
    assert "closest block, line 4: The SMTP server rejects the message" in miss.to_text()
    assert "NOT matched: timeout / times out" in miss.to_text()


def test_a_draft_of_a_bundled_reference_plan_scores_it_1_and_names_its_models_endpoints_and_tasks():
    (scenario,) = load_scenarios(ids=["notifications"])
    draft = draft_rubric(scenario.reference_plan_text(), repo_facts(scenario.repo_path, scenario.repo_config.layout))
    rubric = Rubric.model_validate(draft.rubric)
    assert check_reference(scenario.reference_plan_text(), rubric).score == 1.0
    expected = scenario.rubric  # the hand-written rubric of the same plan
    assert {model.name for model in expected.models} <= {model.name for model in rubric.models}
    assert {(e.method, e.path.strip("/")) for e in expected.endpoints} & {(e.method, e.path.removeprefix("/api").strip("/")) for e in rubric.endpoints}
    assert {task.name for task in expected.tasks} <= {task.name for task in rubric.tasks}
    drafted_fields = {field.name for model in rubric.models for field in model.fields}
    assert {field.name for model in expected.models for field in model.fields} <= drafted_fields
    assert rubric.edge_cases and rubric.decisions
