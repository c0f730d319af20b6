"""Grounding grader: hallucinated repo references (graders/grounding.py)."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from archbench.core.scenarios import load_scenario
from archbench.core.strict_yaml import InputError
from archbench.graders.grounding import check_grounding, grounding_verdict
from archbench.graders.plan import parse_plan
from archbench.graders.repo_facts import repo_facts

ROOT = Path(__file__).resolve().parents[2]
TLDR = ROOT / "sample_repos" / "tldr"
FIXTURE = Path(__file__).parent / "fixtures" / "kanban"


def _verdict(text: str, repo: Path = TLDR):
    verdict = grounding_verdict(parse_plan(textwrap.dedent(text).strip("\n")), repo_facts(repo))
    assert 0.0 <= verdict.score <= 1.0
    assert verdict.references == len(verdict.items)
    assert verdict.hallucinations == sum(not item.met for item in verdict.items)
    assert all(item.dimension == "grounding" and item.line and item.evidence for item in verdict.items)
    return verdict


def _outcomes(text: str, repo: Path = TLDR) -> dict[str, tuple[bool, int]]:
    return {item.id: (item.met, item.line) for item in _verdict(text, repo).items}


@pytest.mark.parametrize(
    "plan, reference",
    [
        pytest.param("Notify members of the existing `Team` model.", "model:Team", id="existing-model-that-is-not"),
        pytest.param("Recipients come from `accounts.Profile`.", "app-model:accounts.Profile", id="app-label-model"),
        pytest.param("Update `backend/work/services.py` to batch the emails.", "file:backend/work/services.py", id="file-cued-by-update"),
        pytest.param("The bug is in `backend/work/digest.py:40`.", "file:backend/work/digest.py", id="file-with-line-number"),
        pytest.param("Read the sender from `settings.DIGEST_FROM_EMAIL`.", "setting:DIGEST_FROM_EMAIL", id="setting"),
        pytest.param("Filter on `Task.owner` for the digest.", "model-attribute:Task.owner", id="model-field"),
        pytest.param("Use `Task.objects.for_team(team)`.", "manager-method:Task.objects.for_team", id="manager-method"),
        pytest.param("Send through `core.emails.send_bulk_email`.", "module-symbol:core.emails.send_bulk_email", id="module-symbol"),
        pytest.param("The existing `send_digest_email` task already retries.", "task:send_digest_email", id="existing-task"),
        pytest.param("Extend `TaskDigestSerializer` with the counts.", "class:TaskDigestSerializer", id="extended-class"),
        pytest.param("Register it in the existing `teams` app.", "app:teams", id="existing-app"),
        pytest.param("The existing `recompute_digest()` method on `Task` is reused.", "method:recompute_digest", id="existing-method"),
    ],
)
def test_planted_hallucination_is_caught(plan: str, reference: str) -> None:
    outcomes = _outcomes(plan)
    assert outcomes.get(reference) == (False, 1), outcomes


@pytest.mark.parametrize(
    "plan, reference",
    [
        pytest.param("Add `Task.digest_sent_at` (DateTimeField, null=True).", "model-attribute:Task.digest_sent_at", id="new-field-cued"),
        pytest.param(
            "- `Task.digest_sent_at` (DateTimeField, null=True)\n\nThe task sets `Task.digest_sent_at`.",
            "model-attribute:Task.digest_sent_at",
            id="field-defined-in-a-list-then-used",
        ),
        pytest.param("`Task.digest_sent_at = models.DateTimeField(null=True)`", "model-attribute:Task.digest_sent_at", id="inline-field-definition"),
        pytest.param("A model method `Task.send_digest()` builds the email.", "model-attribute:Task.send_digest", id="new-method-with-article"),
        pytest.param("| 3 | Transition | `Task.mark_stale()` | only from todo |", "model-attribute:Task.mark_stale", id="method-call-without-cue"),
        pytest.param("There is no `Team` model, so we add nothing.", "model:Team", id="negated"),
        pytest.param("Create `backend/digests/tasks.py` with the new task.", "file:backend/digests/tasks.py", id="new-file"),
        pytest.param("Add `DIGEST_FROM_EMAIL = \"team@tldr.app\"` to settings; read `settings.DIGEST_FROM_EMAIL`.", "setting:DIGEST_FROM_EMAIL", id="new-setting"),
        pytest.param("## New model: `Digest(TimeStampedModel)`\n\nReuse the existing `Digest` model for weekly runs.", "model:Digest", id="plan-defines-the-model"),
        pytest.param("- `core.emails.send_digest_email(user)`: renders the digest template.", "module-symbol:core.emails.send_digest_email", id="function-defined-in-list"),
        pytest.param("New field on `Task`, like `Task.Status`:\n\n| field | type |\n|---|---|\n| priority | CharField(choices=Task.Priority.choices) |", "model-attribute:Task.Priority", id="choices-named-in-own-field-definition"),
        pytest.param("Broadcast with `settings.CELERY_BROKER_URL` unchanged.", "setting:CELERY_BROKER_URL", id="celery-namespace-setting"),
    ],
)
def test_proposal_is_not_a_hallucination(plan: str, reference: str) -> None:
    met, _ = _outcomes(plan).get(reference, (True, 0))
    assert met, reference


@pytest.mark.parametrize(
    "plan, reference, where",
    [
        pytest.param("Filter on `Task.assignee`.", "model-attribute:Task.assignee", "backend/work/models.py", id="field"),
        pytest.param("`Project.tasks` is the reverse relation.", "model-attribute:Project.tasks", "Task.project", id="reverse-relation"),
        pytest.param("Use `Task.objects.for_user(user)`.", "manager-method:Task.objects.for_user", "TaskQuerySet.for_user", id="queryset-method"),
        pytest.param("`Task.objects.select_related(\"project\")`", "manager-method:Task.objects.select_related", "Django", id="django-orm"),
        pytest.param("FK to `work.Task`.", "app-model:work.Task", "backend/work/models.py", id="app-model"),
        pytest.param("FK to `auth.Group`.", "app-model:auth.Group", "auth.Group", id="django-contrib-model"),
        pytest.param("`settings.FRONTEND_URL`", "setting:FRONTEND_URL", "project settings", id="project-setting"),
        pytest.param("Update `backend/work/views.py`.", "file:backend/work/views.py", "backend/work/views.py", id="file"),
        pytest.param("Update `work/views.py`.", "file:work/views.py", "backend/work/views.py", id="file-relative-to-backend"),
        pytest.param("`core.emails.send_templated_email`", "module-symbol:core.emails.send_templated_email", "core.emails", id="module-symbol"),
        pytest.param("Reuse the existing `IsWorkspaceMember`.", "class:IsWorkspaceMember", "workspaces.permissions", id="repo-class"),
        pytest.param("`Task.get_status_display()` for labels.", "model-attribute:Task.get_status_display", "status", id="derived-display"),
    ],
)
def test_real_reference_is_verified_with_its_location(plan: str, reference: str, where: str) -> None:
    verdict = _verdict(plan)
    item = next(item for item in verdict.items if item.id == reference)
    assert item.met and where in item.description


def test_score_counts_distinct_references() -> None:
    verdict = _verdict(
        """
        `Task.assignee` and `Task.assignee` again, `work.Task`, and the existing `Team` model.
        `Task.owner` twice: `Task.owner`.
        """
    )
    assert (verdict.references, verdict.hallucinations) == (4, 2)
    assert verdict.score == pytest.approx(0.5)
    assert "model `Team` (line 1)" in verdict.explanation and "`Task.owner` (line 2)" in verdict.explanation


def test_no_references_scores_one() -> None:
    verdict = _verdict("Use polling every 30 seconds; websockets are not worth it yet.")
    assert (verdict.score, verdict.references, verdict.items) == (1.0, 0, [])
    assert "nothing in the repo" in verdict.explanation


def test_fixture_repo_references() -> None:
    outcomes = _outcomes(
        "`Card.board`, `Board.cards`, `boards.services.move_card`, `settings.BOARD_ARCHIVE_AFTER_DAYS`, "
        "`Card.Status`, and the existing `boards.tasks.notify_everyone`.",
        repo=FIXTURE,
    )
    assert {name for name, (met, _) in outcomes.items() if not met} == {"module-symbol:boards.tasks.notify_everyone"}
    assert len(outcomes) == 6


def _scenario_files() -> list[Path]:
    return sorted((ROOT / "scenarios").glob("*.yaml"))


@pytest.mark.parametrize("scenario_file", _scenario_files(), ids=lambda path: path.stem)
def test_reference_plans_have_no_hallucinations(scenario_file: Path) -> None:
    try:
        scenario = load_scenario(scenario_file)
    except InputError as error:
        pytest.skip(f"scenario not loadable yet: {error}")
    plan = parse_plan(scenario.reference_plan_text())
    verdict = check_grounding(plan, scenario)
    assert verdict.hallucinations == 0, verdict.explanation
    assert verdict.references > 0


def _gold_cases() -> list[tuple[str, str, list[str]]]:
    labels = ROOT / "gold" / "labels.yaml"
    if not labels.is_file():
        return []
    cases = yaml.safe_load(labels.read_text(encoding="utf-8"))["cases"]
    return [(case["scenario"], case["plan"], case["kinds"]) for case in cases]


# Checked by hand: the only repo references in the gold plans that are presented as existing but are not there.
GOLD_HALLUCINATIONS = {"plans/ledger-invoice-po-number/frontend-designing-form.md": {"file:app/types/invoice.ts"}}


@pytest.mark.parametrize("scenario_id, plan_file, kinds", _gold_cases(), ids=lambda value: value if isinstance(value, str) and value.endswith(".md") else "")
def test_gold_plans_precision(scenario_id: str, plan_file: str, kinds: list[str]) -> None:
    """52 plans written by another session without seeing this grader: only the hand-checked hallucination is flagged."""
    scenario = load_scenario(ROOT / "scenarios" / f"{scenario_id}.yaml")
    verdict = check_grounding(parse_plan((ROOT / "gold" / plan_file).read_text(encoding="utf-8")), scenario)
    assert {item.id for item in verdict.items if not item.met} == GOLD_HALLUCINATIONS.get(plan_file, set())


def test_twenty_kilobyte_plan_repeats_find_no_new_hallucination() -> None:
    """Speed is measured in benchmarks/grading.py (timed tests are noise on shared machines)."""
    scenario = load_scenario(ROOT / "scenarios" / "notifications.yaml")
    text = scenario.reference_plan_text()
    verdict = check_grounding(parse_plan((text + "\n\n") * (20_000 // len(text) + 1)), scenario)
    assert verdict.hallucinations == 0, verdict.explanation


MARKDOWN_PIECES = st.sampled_from(
    [
        "`Task.owner`", "`accounts.Profile`", "settings.X", "`backend/x.py:3`", "existing ", "new ", "no ", "`", "(",
        "| a | b |\n|---|---|\n", "```python\n", "```\n", "\n\n", "- ", "# ", "Task.objects.", "reverse('x')", "\r\n",
    ]
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(MARKDOWN_PIECES, st.text(max_size=20)), max_size=30))
def test_never_raises_on_any_markdown(pieces: list[str]) -> None:
    plan = parse_plan("".join(pieces))
    verdict = grounding_verdict(plan, repo_facts(TLDR))
    assert 0.0 <= verdict.score <= 1.0
    assert all(1 <= item.line <= len(plan.lines) for item in verdict.items)
