"""Conventions grader: repo house rules and the prompt's general rules (graders/conventions.py)."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from archbench.core.repo_config import Convention, load_repo_config
from archbench.core.scenarios import load_scenario
from archbench.core.strict_yaml import InputError
from archbench.graders.conventions import (
    CUE_HINT,
    CUE_WORD,
    EXISTING_CUE,
    NEGATION,
    NEGATION_HINT,
    NEGATION_WORDS,
    NEW_CUE,
    check_conventions,
    convention_items,
    load_general_conventions,
    plan_proposals,
)
from archbench.graders.plan import folds_like_lower, parse_plan
from archbench.graders.repo_facts import repo_facts

FIXTURE = Path(__file__).parent / "fixtures" / "kanban"
ROOT = Path(__file__).resolve().parents[2]
KANBAN_RULES = load_repo_config(FIXTURE).conventions


def _items(text: str, conventions=KANBAN_RULES, repo: Path = FIXTURE) -> dict[str, tuple[bool, int | None]]:
    plan = parse_plan(textwrap.dedent(text).strip("\n"))
    items = convention_items(plan, repo_facts(repo), conventions)
    assert len({item.id for item in items}) == len(items)
    assert all(item.dimension == "conventions" and item.description for item in items)
    assert all(item.line is None or item.evidence for item in items)
    return {item.id: (item.met, item.line) for item in items}


def _rule(check: str, value: str | bool) -> Convention:
    return Convention(id="rule", check=check, value=value, description=f"{check} = {value}")


TAG_TABLE = """
| field | type |
|---|---|
| name | CharField(max_length=40) |
"""


@pytest.mark.parametrize(
    "plan, item, expected",
    [
        # base_model
        pytest.param(f"### `Tag(TimeStampedModel)`\n{TAG_TABLE}", "repo:base-model", (True, 1), id="base-model-in-heading"),
        pytest.param(f"### `Tag(models.Model)`\n{TAG_TABLE}", "repo:base-model", (False, 1), id="base-model-wrong-base"),
        pytest.param(f"### `Tag(Board)`\n{TAG_TABLE}", "repo:base-model", (True, 1), id="base-model-repo-subclass"),
        pytest.param(
            f"All new models inherit `TimeStampedModel`.\n\n### New model: `Tag`\n{TAG_TABLE}",
            "repo:base-model",
            (True, 1),
            id="base-model-global-statement",
        ),
        pytest.param(
            "```python\nclass Tag(models.Model):\n    name = models.CharField(max_length=40)\n```",
            "repo:base-model",
            (False, 2),
            id="base-model-code-sketch",
        ),
        pytest.param(
            "### `Card` (existing)\n| field | type |\n|---|---|\n| due_at | DateTimeField(null=True) |",
            "repo:base-model",
            None,
            id="base-model-n/a-changing-existing-model",
        ),
        pytest.param("Add a GET /api/v1/cards/mine/ filter.", "repo:base-model", None, id="base-model-n/a-no-models"),
        # pk_type
        pytest.param(f"### `Tag(TimeStampedModel)`\n{TAG_TABLE}", "repo:pk-type", (True, 1), id="uuid-pk-from-repo-base"),
        pytest.param(f"### `Tag(models.Model)`\n{TAG_TABLE}", "repo:pk-type", (False, 1), id="uuid-pk-missing"),
        pytest.param(
            f"### `Tag(models.Model)`\n{TAG_TABLE}| id | UUIDField | primary key |",
            "repo:pk-type",
            (True, 6),
            id="uuid-pk-declared",
        ),
        # pagination
        pytest.param("### GET /api/v1/tags/\nPaginated with `StandardPageNumberPagination`.", "repo:pagination", (True, 2), id="pagination-named"),
        pytest.param("### GET /api/v1/tags/\nPaginated with `CursorPagination`.", "repo:pagination", (False, 2), id="pagination-other-class"),
        pytest.param("### GET /api/v1/tags/\nList, paginated with the project default.", "repo:pagination", (True, 2), id="pagination-default-is-house"),
        pytest.param("### GET /api/v1/tags/\nReturns every tag.", "repo:pagination", (False, 1), id="pagination-missing"),
        pytest.param("### POST /api/v1/tags/\nCreates a tag.", "repo:pagination", None, id="pagination-n/a-no-list"),
        # api_prefix
        pytest.param("- `GET /api/v1/tags/`", "repo:api-prefix", (True, 1), id="prefix-ok"),
        pytest.param("- `GET /api/tags/`", "repo:api-prefix", (False, 1), id="prefix-unversioned"),
        pytest.param("All routes under `/api/v1/`.\n\n- `GET /tags/`", "repo:api-prefix", (True, 1), id="prefix-stated-once"),
        pytest.param("- `GET /tags/`", "repo:api-prefix", (False, 1), id="prefix-never-named"),
        pytest.param("Existing `GET /api/v1/cards/` is unchanged.", "repo:api-prefix", None, id="prefix-n/a-existing-endpoint"),
        # service_layer
        pytest.param("- `POST /api/v1/tags/` calls `services.create_tag()`.", "repo:service-layer", (True, 1), id="services-named"),
        pytest.param("- `POST /api/v1/tags/`: the view saves the tag.", "repo:service-layer", (False, 1), id="services-missing"),
        # permission_class
        pytest.param("- `GET /api/v1/tags/` — `IsBoardMember`.", "repo:permission", (True, 1), id="permission-named"),
        pytest.param("- `GET /api/v1/tags/` — `IsBoardOwner`.", "repo:permission", (True, 1), id="permission-subclass"),
        pytest.param("- `GET /api/v1/tags/` — `AllowAny`.", "repo:permission", (False, 1), id="permission-other"),
        # status_choices (TextChoices)
        pytest.param(
            "| field | type |\n|---|---|\n| status | CharField(choices=Status.choices): `TextChoices` `todo`, `in_progress` |",
            "repo:status-choices",
            (True, 3),
            id="status-text-choices",
        ),
        pytest.param(
            "| field | type |\n|---|---|\n| status | CharField(choices=Status.choices): `TextChoices` `todo`, `inProgress` |",
            "repo:status-choices",
            (False, 3),
            id="status-camel-value",
        ),
        pytest.param(
            "```python\nclass Status(models.TextChoices):\n    IN_PROGRESS = \"IN_PROGRESS\"\n```",
            "repo:status-choices",
            (False, 3),
            id="status-upper-value-in-code",
        ),
        pytest.param(
            "### `Card` (existing)\n| field | type |\n|---|---|\n| status | CharField(max_length=20, default=\"todo\") |",
            "repo:status-choices",
            (False, 4),
            id="status-without-text-choices",
        ),
        # camel_case_api
        pytest.param(f"### `Tag(TimeStampedModel)`\n{TAG_TABLE}", "repo:camel-case", (True, 5), id="snake-fields"),
        pytest.param(
            "### `Tag(TimeStampedModel)`\n| field | type |\n|---|---|\n| readAt | DateTimeField |",
            "repo:camel-case",
            (False, 4),
            id="camel-field",
        ),
        pytest.param(
            "```json\n{\"readAt\": null}\n```",
            "repo:camel-case",
            None,
            id="camel-json-example-is-wire-format",
        ),
        # documented deviation
        pytest.param(
            "- `GET /api/v1/me/tags/` uses `IsAuthenticated`: tags are personal, so `IsBoardMember` does not apply (documented deviation).",
            "repo:permission",
            (True, 1),
            id="documented-deviation",
        ),
    ],
)
def test_repo_rules(plan: str, item: str, expected: tuple[bool, int] | None) -> None:
    assert _items(plan).get(item) == expected


@pytest.mark.parametrize(
    "rule, plan, expected",
    [
        pytest.param(_rule("pk_type", "bigint"), f"### `Tag(models.Model)`\n{TAG_TABLE}", (True, 1), id="bigint-default"),
        pytest.param(
            _rule("pk_type", "bigint"),
            f"### `Tag(models.Model)`\n{TAG_TABLE}| id | UUIDField | primary key |",
            (False, 6),
            id="bigint-broken-by-uuid",
        ),
        pytest.param(
            _rule("service_layer", "models.py"),
            "- `POST /api/appointments/{id}/no-show/` calls `Appointment.mark_no_show()`, a model method in `models.py`.",
            (True, 1),
            id="fat-models-followed",
        ),
        pytest.param(
            _rule("service_layer", "models.py"),
            "- `POST /api/appointments/{id}/no-show/` calls `scheduling/services.py::mark_no_show`.",
            (False, 1),
            id="fat-models-broken-by-services",
        ),
        pytest.param(
            _rule("service_layer", "models.py"),
            "Logic stays on the model (no services.py).\n\n- `POST /api/appointments/{id}/no-show/` calls `Appointment.mark_no_show()`.",
            (True, 1),
            id="fat-models-negated-services",
        ),
        pytest.param(
            _rule("permission_class", "IsAuthenticated"),
            "- `GET /api/waiting-list/` for authenticated users.",
            (True, 1),
            id="default-permission-relied-on",
        ),
        pytest.param(
            _rule("status_choices", "plain_strings"),
            "Constant `STATUS_NO_SHOW = \"no_show\"` added to `STATUS_CHOICES`; no TextChoices.",
            (True, 1),
            id="plain-strings-followed",
        ),
        pytest.param(
            _rule("status_choices", "plain_strings"),
            "### `Appointment` (changed)\n| field | type |\n|---|---|\n| status | CharField(choices=Status.choices), a `TextChoices` enum |",
            (False, 4),
            id="plain-strings-broken",
        ),
    ],
)
def test_repo_rules_on_clinic(rule: Convention, plan: str, expected: tuple[bool, int]) -> None:
    assert _items(plan, conventions=[rule], repo=ROOT / "sample_repos" / "clinic").get("repo:rule") == expected


NEW_APP_PLAN = """
New app `tags` with models, views and `tags/urls.py`.

### `Tag(TimeStampedModel)`
| field | type |
|---|---|
| board | ForeignKey(Board) |
| created_at | DateTimeField |

### GET /api/v1/tags/
List of tags.
"""
TASK_PLAN = """
Creating a card queues `notify_card_tagged` for each watcher.

## Celery tasks
### `notify_card_tagged(card_id)`
- Retries 3 times.
"""


@pytest.mark.parametrize(
    "plan, item, expected",
    [
        pytest.param(NEW_APP_PLAN, "prompt:new-app-installed", (False, 1), id="new-app-not-installed"),
        pytest.param(NEW_APP_PLAN + "\nAdd `tags` to `INSTALLED_APPS`.", "prompt:new-app-installed", (True, 12), id="new-app-installed"),
        pytest.param(NEW_APP_PLAN, "prompt:new-app-urls", (True, 1), id="new-app-urls"),
        pytest.param(NEW_APP_PLAN, "prompt:n-plus-one", (False, 9), id="n-plus-one-missing"),
        pytest.param(NEW_APP_PLAN + "\n`select_related(\"board\")`.", "prompt:n-plus-one", (True, 12), id="n-plus-one-said"),
        pytest.param(NEW_APP_PLAN, "prompt:iso-8601-datetimes", (False, 9), id="iso-missing"),
        pytest.param(NEW_APP_PLAN + "\n`created_at` as ISO 8601.", "prompt:iso-8601-datetimes", (True, 12), id="iso-said"),
        pytest.param(NEW_APP_PLAN + "\n`{\"createdAt\": \"2025-05-12T09:31:07Z\"}`", "prompt:iso-8601-datetimes", (True, 12), id="iso-example"),
        pytest.param(
            NEW_APP_PLAN + "\n`created_at` as ISO 8601, or a unix timestamp for mobile.",
            "prompt:iso-8601-datetimes",
            (False, 12),
            id="iso-broken-by-epoch",
        ),
        pytest.param(TASK_PLAN, "prompt:tasks-in-tasks-module", (True, 4), id="task-module-silent"),
        pytest.param(TASK_PLAN.replace("## Celery tasks", "## Celery tasks (`boards/jobs.py`)"), "prompt:tasks-in-tasks-module", (False, 3), id="task-module-wrong"),
        pytest.param(TASK_PLAN, "prompt:idempotent-tasks", (False, 4), id="idempotency-missing"),
        pytest.param(TASK_PLAN + "- Idempotent: skips cards already notified.", "prompt:idempotent-tasks", (True, 6), id="idempotency-said"),
        pytest.param(TASK_PLAN, "prompt:on-commit-enqueue", (False, 1), id="on-commit-missing"),
        pytest.param(TASK_PLAN.replace("for each", "with `transaction.on_commit` for each"), "prompt:on-commit-enqueue", (True, 1), id="on-commit-said"),
        pytest.param("## Celery tasks\n### `archive_stale_boards`\nNightly beat job.", "prompt:on-commit-enqueue", None, id="on-commit-n/a-periodic"),
        pytest.param(
            "Ordering uses `Card.objects.select_related()`; `bulk_create` inserts rows.",
            "prompt:tasks-in-tasks-module",
            None,
            id="orm-methods-are-not-tasks",
        ),
    ],
)
def test_general_rules(plan: str, item: str, expected: tuple[bool, int] | None) -> None:
    assert _items(plan).get(item) == expected


@pytest.mark.parametrize(
    "plan, item, expected",
    [
        pytest.param(f"### `Tag(TimeStampedModel)`\n{TAG_TABLE}", "prompt:snake-case-field-names", (True, 5), id="general-snake-fields"),
        pytest.param(
            "### `Card` (changed)\n| field | type |\n|---|---|\n| status | CharField: values `todo`, `in-progress` |",
            "prompt:snake-case-status-values",
            (False, 4),
            id="general-kebab-status",
        ),
    ],
)
def test_general_rules_apply_when_repo_declares_nothing(plan: str, item: str, expected: tuple[bool, int]) -> None:
    assert _items(plan, conventions=[]).get(item) == expected


def test_repo_rule_supersedes_general_rule() -> None:
    ids = _items(f"### `Tag(TimeStampedModel)`\n{TAG_TABLE}")
    assert "repo:camel-case" in ids and "prompt:snake-case-field-names" not in ids


def _scenario_files() -> list[Path]:
    return sorted((ROOT / "scenarios").glob("*.yaml"))


@pytest.mark.parametrize("scenario_file", _scenario_files(), ids=lambda path: path.stem)
def test_reference_plans_meet_every_applicable_rule(scenario_file: Path) -> None:
    try:
        scenario = load_scenario(scenario_file)
    except InputError as error:
        pytest.skip(f"scenario not loadable yet: {error}")
    plan = parse_plan(scenario.reference_plan_text())
    items = check_conventions(plan, scenario)
    assert [item for item in items if not item.met] == []


MARKDOWN_PIECES = st.sampled_from(
    [
        "# ", "## `Tag(TimeStampedModel)`\n", "| field | type |\n|---|---|\n", "| `x` | FK |\n", "```python\n", "```\n",
        "class A(models.Model):\n", "    f = models.CharField(\n", "- `GET /api/v1/x/`\n", "POST /", "`status`: `a-b`\n",
        "new app `x`\n", "@shared_task\ndef t(", "Celery task `y`", "\n\n", "|", "`", "*", "(", "\u2028", "\r", "ISO 8601",
    ]
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(MARKDOWN_PIECES, st.text(max_size=30)), max_size=30))
def test_never_raises_on_any_markdown(pieces: list[str]) -> None:
    plan = parse_plan("".join(pieces))
    facts = repo_facts(FIXTURE)
    for item in convention_items(plan, facts, KANBAN_RULES, proposals=plan_proposals(plan, facts)):
        assert item.line is None or 1 <= item.line <= len(plan.lines)


@pytest.mark.parametrize(
    "yaml_text, message",
    [
        pytest.param("version: 1\nrules:\n  - id: a\n    description: d\n    applies_when: proposes_tasks\n    mentions: [[x]]\n    colour: red\n", "unknown key 'colour'", id="unknown-key"),
        pytest.param("version: 1\nrules:\n  - id: a\n    description: d\n    applies_when: proposes_tasks\n", "exactly one of", id="no-way-to-meet"),
        pytest.param("version: 1\nrules:\n  - id: a\n    description: d\n    applies_when: sometimes\n    mentions: [[x]]\n", "applies_when", id="unknown-condition"),
        pytest.param("version: 1\nrules:\n  - id: a\n    description: d\n    applies_when: proposes_tasks\n    check: vibes\n", "check", id="unknown-check"),
        pytest.param("version: 1\nrules:\n  - id: a\n    description: d\n    applies_when: proposes_tasks\n    mentions: [[x]]\n    superseded_by: nothing\n", "superseded_by", id="unknown-repo-check"),
    ],
)
def test_general_rules_file_is_strict(tmp_path: Path, yaml_text: str, message: str) -> None:
    path = tmp_path / "rules.yaml"
    path.write_text(yaml_text)
    with pytest.raises(InputError, match=message):
        load_general_conventions(path)


def test_shipped_general_rules_load() -> None:
    rules = load_general_conventions()
    assert {rule.id for rule in rules.rules} >= {"idempotent-tasks", "on-commit-enqueue", "new-app-installed"}


CUE_PIECES = [
    " ", "  ", "not", "No", "NOR", "nothing", "won't", "n't", "instead of", "Rather\tthan", "avoids", "lacks", "Missing", "absent",
    "existing", "Reuses", "re-used", "refactoring", "NEW", "adds", "creating", "becomes", "today", "ſee", "İ", "ı", "\u212aeep", "`x`", ".", "-", "_",
]


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=st.one_of(st.lists(st.sampled_from(CUE_PIECES), max_size=14).map("".join), st.text(max_size=30)))
def test_cue_look_aheads_and_hints_never_change_a_match(text: str) -> None:
    """CUE_WORD and NEGATION open with a look-ahead of their words' first letters, and mention_cue rules them
    out with plain-word hints on the lower-cased text: neither may change or miss a match."""
    plain_cue = re.compile(rf"\b(?:(?P<existing>{EXISTING_CUE})|(?P<new>{NEW_CUE}))\b", re.IGNORECASE)
    plain_negation = re.compile(rf"\b(?:{NEGATION_WORDS})\b|n't\b", re.IGNORECASE)
    for pattern, plain, hint in ((CUE_WORD, plain_cue, CUE_HINT), (NEGATION, plain_negation, NEGATION_HINT)):
        found = [(match.span(), match.groupdict()) for match in pattern.finditer(text)]
        assert found == [(match.span(), match.groupdict()) for match in plain.finditer(text)]
        if found and folds_like_lower(text):
            assert hint.search(text.lower())
