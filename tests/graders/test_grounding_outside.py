"""Grounding, round 2 of issue 16: a contract given only as examples schedules its own task by dotted path
(found on gold/held_out_4_helpdesk). The plan text was written for this test."""

import textwrap

from archbench.graders.grounding import grounding_verdict
from archbench.graders.plan import parse_plan
from archbench.graders.repo_facts import repo_facts
from tests.graders.test_grounding import TLDR


def _flagged(text: str) -> list[str]:
    verdict = grounding_verdict(parse_plan(textwrap.dedent(text).strip("\n")), repo_facts(TLDR))
    return [item.id for item in verdict.items if not item.met]


def test_a_task_the_plan_schedules_is_its_own_not_an_invented_reference():
    scheduled = """
    ## Schedule

    ```python
    CELERY_BEAT_SCHEDULE = {
        "digest": {"task": "activity.tasks.send_weekly_digest", "schedule": 3600.0},
    }
    ```
    """
    assert _flagged(scheduled) == []
    # the same dotted path presented as existing elsewhere is still checked
    assert _flagged("Reuse the existing `activity.tasks.send_weekly_digest` task.") != []
