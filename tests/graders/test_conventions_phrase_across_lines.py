"""A general rule's phrase may wrap onto the next line ("on⏎commit"): the rule is met, the grader does not crash.

Found by the blind gold set gold/held_out_3: on issuetrack-webhook-retries/good-prose-deliveries
`archbench calibrate` raised AttributeError before printing any figure.
"""

from archbench.core.scenarios import PROJECT_ROOT, load_scenario
from archbench.graders.grade import grade_plan

HELD_OUT_3 = PROJECT_ROOT / "gold" / "held_out_3"


def test_a_phrase_wrapped_across_lines_is_read_whole():
    scenario = load_scenario(HELD_OUT_3 / "scenarios" / "issuetrack-webhook-retries.yaml")
    plan = (HELD_OUT_3 / "plans" / "issuetrack-webhook-retries" / "good-prose-deliveries.md").read_text()
    assert "on\ncommit" in plan
    items = {item.id: item for item in grade_plan(plan, scenario).conventions_items}
    assert items["prompt:on-commit-enqueue"].met
    assert "mentions on commit" in items["prompt:on-commit-enqueue"].description
