"""Completeness: structural matching that survives Markdown shape and naming, and rejects vague plans."""

from pathlib import Path

import pytest

from archbench.core.rubric import Rubric
from archbench.core.scenarios import load_scenario
from archbench.graders.completeness import (
    check_completeness,
    completeness_score,
    normalise_path,
)
from archbench.graders.plan import parse_plan

FIXTURES = Path(__file__).parent / "fixtures"
BELL = load_scenario(FIXTURES / "bell_scenarios" / "bell-alerts.yaml")

BULLETS = """# Alert reads

## Models

**UserAlertReceipt** (`alerts/models.py`)
- `alert`: FK to Alert, CASCADE
- `reader`: FK to the user model
- `read_at`: DateTime, nullable
- unique together (alert, reader)
- indexed on (reader, read_at)

## Endpoints

- `POST /api/v1/alerts/<uuid:pk>/read` returns 204 No Content, or 404 if the alert does not exist.
- `GET /api/alerts` with `?unread=1` returns 200; items carry id, message and read_at.

## Tasks

### deliver_alert_digest_emails

Scheduled by celery beat (crontab, 07:00).
Retries up to 3 times with exponential backoff. After the final retry it logs an error and gives up.
Idempotent: skips users whose digest was already sent today.

## Migration

One makemigrations run; purely additive (a new table).

## Edge cases

A deleted alert: the read endpoint answers 404.

Bell UI: the frontend-architect owns it.
"""

CODE_SHAPE = """## Model

```python
class AlertReceipt(TimeStampedModel):
    alert = models.ForeignKey(Alert, on_delete=models.CASCADE)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    read_at = models.DateTimeField(null=True)

    class Meta:
        indexes = [
            models.Index(fields=["user", "read_at"]),
        ]
        constraints = [models.UniqueConstraint(fields=["alert", "user"], name="one_receipt")]
```
"""

PROSE_SHAPE = """Add a new `AlertRead` model. Its `alert` is a ForeignKey to Alert,
its `user` a ForeignKey to the user, and `read_at` a DateTimeField set on read.
A composite index covers (user, read_at), and a unique constraint on (alert, user) keeps one row per pair.
"""

REQUEST_ECHO = """# Plan

Users want to mark alerts as read and get a daily email digest of their unread alerts.

We will build alert read state and a daily email digest. Add a model for reads, an endpoint
to mark alerts as read, and a Celery task for the digest with retries and error handling.
Edge cases and the frontend will be considered. Migrations will be needed.
"""


def met(plan_text, rubric=BELL.rubric):
    return {item.id: item.met for item in check_completeness(parse_plan(plan_text), rubric)}


def test_reference_plan_meets_everything_with_evidence():
    items = check_completeness(parse_plan(BELL.reference_plan_text()), BELL.rubric)
    assert all(item.met for item in items), [item.id for item in items if not item.met]
    assert all(item.evidence and item.line for item in items)
    assert completeness_score(items) == 1.0


def test_item_ids_follow_the_documented_shape():
    ids = list(met(""))
    assert ids == [
        "receipt-model", "receipt-model.field.alert", "receipt-model.field.user", "receipt-model.field.read_at",
        "receipt-model.index.1", "receipt-model.constraint.1",
        "mark-read", "mark-read.status.204", "mark-read.status.404",
        "list-alerts", "list-alerts.status.200", "list-alerts.response.id", "list-alerts.response.message",
        "list-alerts.response.read_at", "list-alerts.query.unread",
        "digest-task", "digest-task.trigger", "digest-task.retry", "digest-task.failure_handling", "digest-task.idempotent",
        "additive-migration", "alert-deleted", "defers-frontend",
    ]


def test_bullet_plan_with_naming_variations_meets_everything():
    result = met(BULLETS)
    assert all(result.values()), [key for key, value in result.items() if not value]


@pytest.mark.parametrize("plan", [pytest.param(CODE_SHAPE, id="class-body"), pytest.param(PROSE_SHAPE, id="prose")])
def test_model_checks_in_other_shapes(plan):
    result = met(plan)
    model_checks = {key: value for key, value in result.items() if key.startswith("receipt-model")}
    assert all(model_checks.values()), model_checks


def test_evidence_is_the_matching_line():
    items = {item.id: item for item in check_completeness(parse_plan(CODE_SHAPE), BELL.rubric)}
    assert items["receipt-model.field.read_at"].line == 7
    assert items["receipt-model.field.read_at"].evidence == "read_at = models.DateTimeField(null=True)"
    assert items["receipt-model.index.1"].line == 11


def test_a_plan_that_repeats_the_request_gets_almost_nothing():
    items = check_completeness(parse_plan(REQUEST_ECHO), BELL.rubric)
    assert not any(item.met for item in items if item.id.split(".")[0] in {"receipt-model", "mark-read", "list-alerts", "digest-task"})
    assert completeness_score(items) < 0.1


@pytest.mark.parametrize(
    "plan, check, expected",
    [
        pytest.param("The `AlertReceipt` model.\n\n- `read_at`: TextField\n", "receipt-model.field.read_at", False, id="field-with-wrong-type"),
        pytest.param("The `AlertReceipt` model.\n\n- `read_at`\n  - DateTimeField, nullable\n", "receipt-model.field.read_at", True, id="type-in-sub-item"),
        pytest.param("## Alert system\n\n- `read_at`: DateTimeField\n", "receipt-model.field.read_at", False, id="field-without-the-model"),
        pytest.param("## Alert receipts\n\nAlertReceipt stores read_at.", "receipt-model", False, id="model-name-as-an-english-word-only"),
        pytest.param("### AlertReceipt\n\nfields below", "receipt-model", True, id="model-heading"),
        pytest.param("`AlertReceiptSerializer` returns read_at.", "receipt-model", False, id="serializer-is-not-the-model"),
        pytest.param("`POST /alerts/{id}/read/`", "mark-read", True, id="path-without-prefix"),
        pytest.param("`POST /api/v2/alerts/:id/read`", "mark-read", True, id="colon-param-and-v2"),
        pytest.param("`PATCH /api/v1/alerts/{id}/read/`", "mark-read", False, id="wrong-method"),
        pytest.param("`POST /api/v1/alerts/{id}/unread/`", "mark-read", False, id="wrong-path"),
        pytest.param("GET/POST /api/v1/alerts/{id}/read/", "mark-read", True, id="methods-joined-by-slash"),
        pytest.param(
            "- `POST /api/v1/alerts/{id}/read/`: 204\n- `GET /api/v1/alerts/`: 200, 404 when the page is out of range\n",
            "mark-read.status.404", False, id="status-code-of-another-endpoint",
        ),
        pytest.param(
            "- `POST /api/v1/alerts/{id}/read/`: 204\n\nAll endpoints return 404 for alerts of other users.\n",
            "mark-read.status.404", True, id="status-code-stated-for-all-endpoints",
        ),
        pytest.param("`send_alert_digest` runs on a crontab via celery beat.", "digest-task.trigger", True, id="task-trigger"),
        pytest.param("`send_alert_digest` retries on failure.", "digest-task.retry", False, id="retry-without-a-strategy"),
        pytest.param("`send_alert_digest`: max_retries=3.", "digest-task.retry", True, id="retry-with-a-strategy"),
        pytest.param("A Celery task `email_digest_for_alerts` runs daily.", "digest-task", True, id="task-fuzzy-name"),
        pytest.param("The field `alert_digest_sent_at` is set by the task.", "digest-task", False, id="field-is-not-a-task"),
        pytest.param("`GET /api/v1/alerts/`\n\n```json\n{\"readAt\": null}\n```", "list-alerts.response.read_at", True, id="camel-case-key-in-json-example"),
        pytest.param("`POST /api/v1/alerts/901/read/` returns 204.", "mark-read", True, id="concrete-id-in-example-url"),
        pytest.param("`POST /api/v1/alert-reads/{id}/read/`", "mark-read", False, id="path-named-after-another-model-is-not-the-endpoint"),
        pytest.param("```bash\npython manage.py makemigrations\n# CreateModel AlertReceipt\n```", "receipt-model", True, id="model-in-a-migration-listing"),
        pytest.param("```python\nAlertReceipt.objects.filter(user=user)\n```", "receipt-model", False, id="model-only-used-in-code"),
        pytest.param("**Model.** `AlertReceipt.read_at`: DateTimeField, null.", "receipt-model.field.read_at", True, id="dotted-field-on-the-model"),
        pytest.param("On `alerts.models.AlertReceipt`:\n\n- `read_at`: DateTimeField\n", "receipt-model.field.read_at", True, id="field-list-after-on-module-path"),
        pytest.param(
            "1. A new `AlertReceipt` model.\n\n## Data model\n\n| field | type |\n|---|---|\n| read_at | DateTimeField |\n",
            "receipt-model.field.read_at", True, id="generic-model-heading-after-an-overview",
        ),
        pytest.param(
            "**AlertReceipt** (`alerts/models.py`)\n\n- `user`: FK\n\nMeta:\n\n- `Index(fields=[\"user\", \"read_at\"])`\n",
            "receipt-model.index.1", True, id="meta-list-is-not-another-model",
        ),
        pytest.param(
            "## Digest\n\n`send_alert_digest` is queued by beat.\n\n## Failure modes\n\n- When the Celery task runs out of retries it gives up and logs an error.\n",
            "digest-task.failure_handling", True, id="the-task-in-celery-context-with-one-rubric-task",
        ),
        pytest.param("Migrations: makemigrations.\n\nThe new table is additive.", "additive-migration", False, id="concept-split-across-blocks"),
        pytest.param("## Migration\nmakemigrations creates one new table.", "additive-migration", True, id="concept-in-heading-section"),
    ],
)
def test_single_checks(plan, check, expected):
    assert met(plan)[check] is expected


TWO_MODELS = Rubric.model_validate(
    {
        "models": [
            {"id": "notification", "name": "Notification", "fields": [{"name": "status", "type": "CharField"}]},
            {"id": "delivery", "name": "NotificationDelivery", "fields": [{"name": "status", "type": "CharField"}]},
        ]
    }
)


def test_fields_of_one_model_do_not_count_for_another():
    plan = "### Notification\n\n- `title`: CharField\n\n### NotificationDelivery\n\n- `status`: CharField\n"
    result = met(plan, TWO_MODELS)
    assert result["delivery.field.status"] and result["notification"]
    assert not result["notification.field.status"]


TWO_TASKS = Rubric.model_validate(
    {
        "tasks": [
            {"id": "fan-out", "name": "generate_due_invoices", "retry": True},
            {"id": "one", "name": "generate_invoice", "retry": True},
        ]
    }
)


def test_task_evidence_stays_with_its_task():
    plan = (
        "## Tasks\n\n- `generate_due_invoices`: beat, daily; enqueues one task per schedule.\n"
        "- `generate_invoice`: max_retries=5 with backoff.\n"
    )
    result = met(plan, TWO_TASKS)
    assert result["one.retry"] and not result["fan-out.retry"]


def test_the_task_is_not_resolved_when_the_rubric_has_two_tasks():
    plan = "- `generate_invoice` runs per schedule.\n\n## Retries\n\nThe Celery task retries with max_retries=5.\n"
    assert not met(plan, TWO_TASKS)["one.retry"]


ALIASED_RESOURCE = Rubric.model_validate(
    {
        "models": [
            {"id": "time-off", "name": "TimeOff", "aliases": ["BlockedPeriod"]},
            {"id": "time-off-reason", "name": "TimeOffReason"},
        ],
        "endpoints": [{"id": "list", "method": "GET", "path": "/time-off/", "status_codes": [200]}],
    }
)


@pytest.mark.parametrize(
    "plan, expected",
    [
        pytest.param("### `BlockedPeriod`\n\n`GET /api/blocked-periods/` returns 200.", True, id="resource-named-after-the-alias-used"),
        pytest.param("`GET /api/blocked-periods/` returns 200.", False, id="alias-not-used-as-a-model-name"),
        pytest.param("### `BlockedPeriod`\n\n`GET /api/time-off-reasons/` returns 200.", False, id="another-models-resource"),
    ],
)
def test_endpoint_path_follows_the_models_name_in_the_plan(plan, expected):
    result = met(plan, ALIASED_RESOURCE)
    assert result["list"] is expected and result["list.status.200"] is expected


EXPORTS = Rubric.model_validate(
    {
        "models": [
            {
                "id": "export",
                "name": "TaskExport",
                "fields": [
                    {"name": "project", "type": "ForeignKey"},
                    {"name": "requested_by", "type": "ForeignKey"},
                    {"name": "status", "type": "CharField"},
                    {"name": "file", "type": "FileField"},
                ],
            }
        ],
        "endpoints": [
            {"id": "start", "method": "POST", "path": "/projects/{project_id}/exports/", "status_codes": [202]},
            {"id": "status", "method": "GET", "path": "/exports/{id}/", "status_codes": [200]},
            {"id": "next", "method": "GET", "path": "/availability-slots/next-available/", "status_codes": [200]},
            {"id": "cancel", "method": "POST", "path": "/exports/{id}/cancel/", "status_codes": [200]},
        ],
        "tasks": [
            {"id": "generate", "name": "generate_task_export", "trigger": ["on_commit"], "retry": True},
            {"id": "cleanup", "name": "delete_expired_exports", "trigger": ["beat", "daily"], "retry": True},
        ],
    }
)
EXPORT_REQUEST_MODEL = (
    "## Model\n\nA new model `ExportRequest`:\n\n- `project`: ForeignKey to Project\n"
    "- `requested_by`: ForeignKey to the user\n- `status`: CharField with choices\n- `file`: FileField\n"
)


@pytest.mark.parametrize(
    "plan, expected",
    [
        pytest.param(EXPORT_REQUEST_MODEL, True, id="defined-with-the-rubric-fields"),
        pytest.param(EXPORT_REQUEST_MODEL.replace("- `file`: FileField\n", "").replace("`requested_by`", "`owner`"), False, id="two-fields-are-too-few"),
        pytest.param(
            "## Model\n\nA new model `ExportRequest`: `project`, `requested_by`, `status`, `file`.\n", False, id="names-without-types"
        ),
        pytest.param(EXPORT_REQUEST_MODEL.replace("`ExportRequest`", "ExportRequest"), False, id="never-written-as-a-name"),
        pytest.param(
            EXPORT_REQUEST_MODEL + "\n## Job\n\nA new model `ExportJob2`:\n\n- `project`: ForeignKey\n- `requested_by`: FK\n"
            "- `status`: CharField\n- `file`: FileField\n",
            False,
            id="two-models-fit-equally",
        ),
    ],
)
def test_model_under_another_name_is_recognised_by_its_fields(plan, expected):
    result = met(plan, EXPORTS)
    assert result["export"] is expected and result["export.field.file"] is expected


@pytest.mark.parametrize(
    "plan, item, expected",
    [
        pytest.param("`POST /api/projects/{id}/task-exports/` returns 202.", "start.status.202", True, id="rubric-model-name-as-resource"),
        pytest.param(EXPORT_REQUEST_MODEL + "\n`GET /api/export-requests/{id}/` returns 200.", "status.status.200", True, id="resource-named-after-renamed-model"),
        pytest.param("`GET /api/projects/{id}/exports/{export_id}/` returns 200.", "status.status.200", True, id="nested-under-a-parent"),
        pytest.param("`GET /api/next-available/` returns 200.", "next.status.200", True, id="distinctive-action-on-another-path"),
        pytest.param("`GET /api/practitioners/{id}/next-available/` returns 200.", "next.status.200", False, id="action-on-a-longer-path"),
        pytest.param("`POST /api/invoices/{id}/cancel/` returns 200.", "cancel.status.200", False, id="one-word-action-needs-the-resource"),
        pytest.param("`POST /api/next-available/` returns 200.", "next.status.200", False, id="action-with-another-method"),
    ],
)
def test_endpoint_recognised_by_resource_and_action(plan, item, expected):
    assert met(plan, EXPORTS)[item] is expected


@pytest.mark.parametrize(
    "plan, item, expected",
    [
        pytest.param("## Tasks\n\n**`write_task_csv(export_id)`**: queued with `transaction.on_commit`; max_retries=3.\n", "generate.retry", True, id="same-kind-of-verb-and-trigger"),
        pytest.param("## Tasks\n\n**`purge_stale_csv_files()`**: a daily beat entry; max_retries=2.\n", "cleanup.retry", True, id="cleanup-by-role"),
        pytest.param("## Tasks\n\n**`write_task_csv(export_id)`**: runs when asked; max_retries=3.\n", "generate", False, id="trigger-not-stated"),
        pytest.param("## Tasks\n\n**`notify_owner(export_id)`**: queued on_commit; max_retries=3.\n", "generate", False, id="another-role"),
        pytest.param("## Tasks\n\n- `expires_at`: set daily by beat, max_retries=3.\n", "cleanup", False, id="a-field-is-not-a-task"),
    ],
)
def test_task_under_another_name_is_recognised_by_role(plan, item, expected):
    assert met(plan, EXPORTS)[item] is expected


SCHEDULE_LINK = Rubric.model_validate(
    {
        "models": [
            {
                "id": "schedule",
                "name": "RecurringInvoiceSchedule",
                "aliases": ["RecurringSchedule"],
                "fields": [
                    {"name": "customer", "type": "ForeignKey"},
                    {"name": "interval", "type": "CharField"},
                    {"name": "next_run_on", "type": "DateField"},
                ],
            },
            {"id": "invoice-link", "name": "Invoice", "fields": [{"name": "recurring_schedule", "type": "ForeignKey"}]},
        ]
    }
)


@pytest.mark.parametrize(
    "invoice_line, expected",
    [
        pytest.param("- `subscription`: ForeignKey to InvoiceSubscription, nullable", True, id="named-after-the-plans-model"),
        pytest.param("- `subscription`: nullable, set by the task", False, id="without-its-type"),
        pytest.param("- `billing_plan`: ForeignKey to InvoiceSubscription, nullable", False, id="another-name"),
    ],
)
def test_link_field_follows_the_name_the_plan_gives_the_linked_model(invoice_line, expected):
    plan = (
        "### `InvoiceSubscription`\n\n- `customer`: ForeignKey\n- `interval`: CharField\n- `next_run_on`: DateField\n\n"
        f"### Changes to `Invoice`\n\n{invoice_line}\n"
    )
    result = met(plan, SCHEDULE_LINK)
    assert result["schedule"] and result["invoice-link"]
    assert result["invoice-link.field.recurring_schedule"] is expected


VIEWS_IN_CODE = """## Views

```python
class ExportStart(generics.CreateAPIView):
    serializer_class = ExportSerializer


class ExportViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        ...
```

`path("projects/<int:project_id>/exports/", ExportStart.as_view())` answers 202;
`router.register("exports", ExportViewSet)` answers 200.
"""


@pytest.mark.parametrize(
    "plan, item, expected",
    [
        pytest.param(VIEWS_IN_CODE, "start.status.202", True, id="path-to-a-generic-view"),
        pytest.param(VIEWS_IN_CODE, "status.status.200", True, id="router-retrieve-mixin"),
        pytest.param(VIEWS_IN_CODE, "cancel", True, id="router-extra-action"),
        pytest.param(VIEWS_IN_CODE.replace("generics.CreateAPIView", "generics.ListAPIView"), "start", False, id="view-serves-another-method"),
        pytest.param("`path(\"projects/<int:project_id>/exports/\", ExportStart.as_view())`", "start", False, id="view-not-shown"),
    ],
)
def test_endpoint_defined_only_in_code(plan, item, expected):
    assert met(plan, EXPORTS)[item] is expected


FAN_OUT = Rubric.model_validate(
    {
        "tasks": [
            {"id": "sweep", "name": "generate_due_recurring_invoices", "trigger": ["celery beat", "daily"], "retry": True},
            {"id": "one", "name": "generate_recurring_invoice", "trigger": ["generate_due_recurring_invoices", "fan out"], "retry": True},
        ]
    }
)


@pytest.mark.parametrize(
    "sweep_row, expected",
    [
        pytest.param("| `issue_due_subscription_invoices` | celery beat, daily | enqueues `issue_subscription_invoice` per row |", True, id="parent-found-by-role"),
        pytest.param("| `issue_due_subscription_invoices` | on demand | enqueues `issue_subscription_invoice` per row |", False, id="parent-not-found"),
    ],
)
def test_a_trigger_naming_another_task_follows_the_plans_name_for_it(sweep_row, expected):
    plan = (
        "## Celery tasks\n\n| task | trigger | does |\n|---|---|---|\n"
        f"{sweep_row}\n| `issue_subscription_invoice(subscription_id)` | enqueued by the above | max_retries=3 |\n"
    )
    result = met(plan, FAN_OUT)
    assert result["sweep"] is expected and result["one"] is expected and result["one.trigger"] is expected


def test_a_code_routes_handler_is_part_of_its_endpoint():
    plan = """```python
class ExportViewSet(viewsets.GenericViewSet):
    def retrieve(self, request, pk=None):
        return Response(ExportSerializer(self.get_object()).data)

    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        return Response(status=status.HTTP_202_ACCEPTED)
```

```python
router.register("exports", ExportViewSet)
```
"""
    result = met(plan, EXPORTS)
    assert result["cancel"] and result["status"]
    assert not result["cancel.status.200"] and not result["status.status.200"]
    assert not met(plan.replace("HTTP_202_ACCEPTED", "HTTP_200_OK"), EXPORTS)["status.status.200"]
    assert met(plan.replace("HTTP_202_ACCEPTED", "HTTP_200_OK"), EXPORTS)["cancel.status.200"]


def test_task_section_may_mention_the_other_task():
    plan = "### generate_invoice\n\n- Trigger: fan out from generate_due_invoices.\n- Retry: max_retries=5.\n"
    assert met(plan, TWO_TASKS)["one.retry"]


@pytest.mark.parametrize(
    "path, normalised",
    [
        pytest.param("/api/v1/notifications/", ("notifications",), id="prefix-and-slash"),
        pytest.param("/notifications", ("notifications",), id="bare"),
        pytest.param("/api/notifications/<int:pk>/read/", ("notifications", "{}", "read"), id="django-converter"),
        pytest.param("/api/v1/notifications/{notification_id}", ("notifications", "{}"), id="braces"),
        pytest.param("/notifications/:id/", ("notifications", "{}"), id="colon"),
        pytest.param("https://example.com/api/v1/notifications/?is_read=false", ("notifications",), id="host-and-query"),
        pytest.param("/api/v1/mark\\_all\\_read/", ("mark_all_read",), id="markdown-escapes"),
        pytest.param("/api/notifications/901/read/", ("notifications", "{}", "read"), id="concrete-number"),
        pytest.param("/x/3f2b8c1e-1d2a-4b5c-9e8f-0a1b2c3d4e5f/", ("x", "{}"), id="concrete-uuid"),
    ],
)
def test_normalise_path(path, normalised):
    assert normalise_path(path) == normalised


def test_score_weighs_each_rubric_entry_equally():
    items = check_completeness(parse_plan("### AlertReceipt\n\nNothing else."), BELL.rubric)
    # the model entry: 1 of 6 checks met; the other 6 entries: nothing
    assert completeness_score(items) == pytest.approx((1 / 6) / 7)
