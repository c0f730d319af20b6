"""Property tests: no Markdown, however odd, makes a grader raise."""

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from archbench.core.scenarios import load_scenario
from archbench.graders.completeness import check_completeness, completeness_score
from archbench.graders.plan import parse_plan
from archbench.graders.scope import check_scope

BELL = load_scenario(Path(__file__).parent / "fixtures" / "bell_scenarios" / "bell-alerts.yaml")

# Pieces that exercise the parser and the graders' special cases, shuffled with random text.
FRAGMENTS = [
    "# ", "## ", "### AlertReceipt\n", "- ", "  - ", "1. ", "> ", "```", "```python\n", "```vue\n", "~~~\n", "    ",
    "| a | b |\n|---|---|\n", "| ", " |", "\n", "\n\n", "`", "**", "_", "<template>", "</template>", "<script setup>",
    "def f(x):\n    return x\n", "class A(models.Model):\n", "import os\n", "@shared_task\n", "Alert.objects.filter(",
    "GET ", "POST ", "/api/v1/alerts/{id}/read/", "<int:pk>", "204", "404", "send_alert_digest", "max_retries=3",
    "frontend/app/components/Bell.vue", "Create ", "frontend-architect", ".badge {\n  color: red;\n}\n",
    "export default defineNuxtConfig({})", "\r\n", "\r", "\x00", "\u2028", "\t", "{", "}", "(", ")", "[", "]",
]
markdown = st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=20)), max_size=60).map("".join)
diffs = st.one_of(
    st.none(),
    st.fixed_dictionaries(
        {key: st.lists(st.text(max_size=30), max_size=3) for key in ("created", "modified", "deleted", "frontend", "backend")}
    ),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=markdown)
def test_parse_plan_never_raises_and_blocks_stay_in_range(text):
    plan = parse_plan(text)
    for block in [*plan.blocks, *plan.sections]:
        assert 1 <= block.start_line <= block.end_line <= len(plan.lines)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=markdown, diff=diffs)
def test_scope_never_raises_and_violations_point_into_the_plan(text, diff):
    plan = parse_plan(text)
    verdict = check_scope(plan, diff)
    assert verdict.passed == (not verdict.violations)
    for violation in verdict.violations:
        assert violation.line is None or 1 <= violation.line <= len(plan.lines)
        assert violation.evidence


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=markdown)
def test_completeness_never_raises_and_evidence_is_a_plan_line(text):
    plan = parse_plan(text)
    items = check_completeness(plan, BELL.rubric)
    assert 0.0 <= completeness_score(items) <= 1.0
    for item in items:
        assert item.met == (item.line is not None)
        if item.met:
            assert 1 <= item.line <= len(plan.lines)


@settings(max_examples=100, deadline=None)
@given(text=st.text(max_size=2000))
def test_arbitrary_unicode_text(text):
    plan = parse_plan(text)
    check_scope(plan)
    check_completeness(plan, BELL.rubric)
