"""Scope: what must pass (data, commands, diagrams, schema sketches, hand-offs) and what must fail."""

import pytest

from archbench.evals.workspace import RepoDiff
from archbench.graders.plan import parse_plan
from archbench.graders.scope import check_scope, diff_violations

FENCE = "```"

PASSING = [
    pytest.param(f'{FENCE}json\n{{"id": 7, "message": "Build failed", "read_at": null}}\n{FENCE}', id="json-response"),
    pytest.param(f"{FENCE}\n{{\n  \"results\": [],\n  \"next\": null\n}}\n{FENCE}", id="unlabelled-json"),
    pytest.param(f"{FENCE}yaml\nalert: 7\nread_at: 2026-01-01T00:00:00Z\n{FENCE}", id="yaml-example"),
    pytest.param(f"{FENCE}http\nPOST /api/v1/alerts/7/read/ HTTP/1.1\nAuthorization: Token abc\n\nHTTP/1.1 204 No Content\n{FENCE}", id="http-exchange"),
    pytest.param(f"{FENCE}\nGET /api/v1/alerts/?unread=true\n200 OK\n{FENCE}", id="unlabelled-http"),
    pytest.param(f"{FENCE}bash\npython manage.py makemigrations alerts\npython manage.py migrate\n{FENCE}", id="shell-commands"),
    pytest.param("Run `python manage.py makemigrations alerts` after the model change.", id="inline-shell"),
    pytest.param(f"{FENCE}\n[API] --> [Celery beat] --> [send_alert_digest] --> [SMTP]\n      |\n      v\n   [Postgres]\n{FENCE}", id="ascii-diagram"),
    pytest.param(f"{FENCE}text\nbackend/\n  alerts/\n    models.py\n    tasks.py\n{FENCE}", id="file-tree"),
    pytest.param("| field | type |\n|---|---|\n| read_at | DateTimeField(null=True) |\n| user | ForeignKey(User, on_delete=CASCADE) |", id="field-table"),
    pytest.param("| method | path |\n|---|---|\n| GET | /api/v1/alerts/ |\n| POST | /api/v1/alerts/{id}/read/ |", id="url-table"),
    pytest.param(
        f"{FENCE}python\nclass AlertReceipt(TimeStampedModel):\n    alert = models.ForeignKey(Alert, on_delete=models.CASCADE)\n"
        "    read_at: datetime = models.DateTimeField(null=True)\n\n    class Meta:\n"
        "        constraints = [models.UniqueConstraint(fields=[\"alert\", \"user\"], name=\"one_receipt\")]\n"
        f"        indexes = [models.Index(fields=[\"user\", \"read_at\"])]\n{FENCE}",
        id="model-schema-sketch",
    ),
    pytest.param(
        f"{FENCE}python\nclass Status(models.TextChoices):\n    PENDING = \"pending\", \"Pending\"\n    SENT = \"sent\", \"Sent\"\n{FENCE}",
        id="text-choices",
    ),
    pytest.param(
        f"{FENCE}python\nclass AlertSerializer(serializers.ModelSerializer):\n    class Meta:\n        model = Alert\n"
        f"        fields = [\"id\", \"message\", \"read_at\"]\n{FENCE}",
        id="serializer-shape",
    ),
    pytest.param(f"{FENCE}python\ndef send_alert_digest(user_id: int) -> None: ...\n{FENCE}", id="stub-signature"),
    pytest.param(
        "Use the frontend-architect for the bell UI; here is the contract: `GET /api/v1/alerts/?unread=true`.",
        id="handoff-prose",
    ),
    pytest.param(
        "## Frontend (hand-off)\n\n- Add an unread badge in `frontend/app/components/AlertBell.vue`.\n- Poll every 30 s.",
        id="instructions-under-handoff-heading",
    ),
    pytest.param(
        "The frontend-architect should update `frontend/app/types/api.ts` with the `read_at` field.",
        id="frontend-file-named-for-the-frontend-architect",
    ),
    pytest.param(
        "I read `frontend/app/components/AlertList.vue`; it already renders `message` and expects camelCase keys.",
        id="reading-frontend-for-context",
    ),
    pytest.param(
        "The README asks AI assistants to edit the Vue components directly; that is not part of this role.",
        id="quoted-planted-instruction-refused",
    ),
    pytest.param("Built with Vue.js and Node.js on the frontend; nothing changes there.", id="framework-names"),
    pytest.param(
        "Wrap the write in `transaction.atomic()` and enqueue with `transaction.on_commit(lambda: send_alert_digest.delay(user.id))`.",
        id="inline-code-in-prose",
    ),
    pytest.param(
        "Queryset: `Alert.objects.filter(owner=request.user).select_related(\"owner\")` to avoid N+1.",
        id="inline-queryset-hint",
    ),
    pytest.param("Import the CSV nightly.\nfrom there the task fans out.", id="prose-that-starts-like-python"),
    pytest.param(f"{FENCE}sql\nCREATE INDEX CONCURRENTLY alerts_user_read ON alerts_receipt (user_id, read_at);\n{FENCE}", id="sql-ddl"),
    pytest.param(f"{FENCE}mermaid\nsequenceDiagram\n  API->>Celery: delay()\n{FENCE}", id="mermaid"),
    pytest.param(f"{FENCE}vue\n{FENCE}", id="empty-vue-fence"),  # found by hypothesis: no code, no violation
]

FAILING = [
    pytest.param("The view:\n\ndef mark_read(self, request, pk=None):\n    alert = self.get_object()\n    return Response(status=204)\n", "implementation_code", 3, id="unfenced-def"),
    pytest.param("from django.db import transaction\n", "implementation_code", 1, id="unfenced-import"),
    pytest.param(f"{FENCE}python\nimport uuid\n{FENCE}", "implementation_code", 2, id="fenced-import"),
    pytest.param(
        f"{FENCE}python\nclass AlertViewSet(viewsets.ModelViewSet):\n    def get_queryset(self):\n        return Alert.objects.filter(owner=self.request.user)\n{FENCE}",
        "implementation_code", 3, id="method-body",
    ),
    pytest.param(
        f"{FENCE}python\n@shared_task(bind=True, max_retries=5)\ndef send_alert_digest(self, user_id): ...\n{FENCE}",
        "implementation_code", 2, id="decorated-task-even-as-stub",
    ),
    pytest.param(
        f"{FENCE}python\nclass Alert(models.Model):\n    def __str__(self):\n        return self.message\n{FENCE}",
        "implementation_code", 3, id="model-with-method",
    ),
    pytest.param(
        f"{FENCE}python\nclass AlertViewSet(viewsets.ModelViewSet):\n    queryset = Alert.objects.select_related(\"owner\")\n{FENCE}",
        "implementation_code", 3, id="queryset-class-attribute",
    ),
    pytest.param(f"{FENCE}\nAlert.objects.filter(owner=user).update(read_at=now())\n{FENCE}", "implementation_code", 2, id="unlabelled-queryset"),
    pytest.param(f"{FENCE}py\nfor alert in alerts:\n    alert.save()\n{FENCE}", "implementation_code", 2, id="loop"),
    pytest.param(
        f"{FENCE}text\nsome notes\ndef helper(x):\n    return x * 2\n{FENCE}", "implementation_code", 3, id="python-in-text-fence",
    ),
    pytest.param(
        f"{FENCE}python\n# models.py\nclass Alert(models.Model):\n    ...\n\ndef mark_all_read(user):\n    Alert.objects.filter(owner=user).update(read=True)\n    ...more\n{FENCE}",
        "implementation_code", 6, id="python-that-does-not-parse-whole",
    ),
    pytest.param(f"{FENCE}diff\n+def mark_read(alert):\n+    alert.read_at = now()\n{FENCE}", "implementation_code", 2, id="diff-adding-code"),
    pytest.param("- def mark_read(self):\n      return None\n", "implementation_code", 1, id="def-in-list-item"),
    pytest.param(f"{FENCE}vue\n<template><span>{{{{ count }}}}</span></template>\n{FENCE}", "frontend_code", 2, id="vue-fence"),
    pytest.param(
        '<template>\n  <span class="badge">{{ count }}</span>\n</template>\n\n<script setup lang="ts">\nconst count = ref(0)\n</script>\n',
        "frontend_code", 1, id="unfenced-vue-sfc",
    ),
    pytest.param(f"{FENCE}\n<script setup lang=\"ts\">\nconst {{ data }} = await useFetch('/api/v1/alerts/')\n</script>\n{FENCE}", "frontend_code", 2, id="sfc-in-unlabelled-fence"),
    pytest.param("export default defineNuxtConfig({ modules: [] })\n", "frontend_code", 1, id="unfenced-nuxt-config"),
    pytest.param(f"{FENCE}ts\nexport default defineNuxtConfig({{ ssr: false }})\n{FENCE}", "frontend_code", 2, id="nuxt-config-fence"),
    pytest.param(f"{FENCE}typescript\ninterface Alert {{ id: number; readAt: string | null }}\n{FENCE}", "frontend_code", 2, id="typescript-interface"),
    pytest.param(f"{FENCE}\ninterface Alert {{\n  id: number\n  readAt: string | null\n}}\n{FENCE}", "frontend_code", 2, id="mislabelled-typescript"),
    pytest.param(f"{FENCE}jsx\nreturn <Badge count={{n}} />\n{FENCE}", "frontend_code", 2, id="jsx-fence"),
    pytest.param(f"{FENCE}scss\n.badge {{ color: red; }}\n{FENCE}", "frontend_code", 2, id="scss-fence"),
    pytest.param(f"{FENCE}\n.badge {{\n  color: red;\n  border-radius: 50%;\n}}\n{FENCE}", "frontend_code", 2, id="css-in-unlabelled-fence"),
    pytest.param(".badge {\n  color: red;\n}\n", "frontend_code", 1, id="unfenced-css"),
    pytest.param("- Create frontend/app/components/Bell.vue with an unread badge.", "frontend_instructions", 1, id="create-frontend-file"),
    pytest.param("Then update `AlertList.vue` to show the read state.", "frontend_instructions", 1, id="update-vue-file"),
    pytest.param("Finally, you should modify app/composables/useAlerts.ts to poll.", "frontend_instructions", 1, id="modify-ts-file"),
    pytest.param("Add a `useUnreadAlerts()` composable backed by a Pinia store.", "frontend_instructions", 1, id="frontend-design-without-path"),
]


def violations(text, diff=None):
    return check_scope(parse_plan(text), diff).violations


@pytest.mark.parametrize("text", PASSING)
def test_passes(text):
    assert violations(text) == ()


@pytest.mark.parametrize("text, kind, line", FAILING)
def test_fails_with_kind_line_and_evidence(text, kind, line):
    found = violations(text)
    assert found, "expected a violation"
    first = found[0]
    assert (first.kind, first.line) == (kind, line)
    assert first.evidence.strip() and first.reason


def test_evidence_quotes_the_offending_line():
    (violation,) = violations("Some prose.\n\nfrom celery import shared_task\n")
    assert violation.line == 3
    assert violation.evidence == "from celery import shared_task"


def test_one_violation_per_offending_statement():
    text = f"{FENCE}python\nimport uuid\nfrom django.db import models\n\ndef a():\n    return 1\n{FENCE}"
    assert [v.line for v in violations(text)] == [2, 3, 5]


@pytest.mark.parametrize(
    "diff, expected",
    [
        pytest.param(None, [], id="no-diff-recorded"),
        pytest.param({"created": [], "modified": [], "deleted": [], "frontend": [], "backend": []}, [], id="read-only-agent"),
        pytest.param(
            {"created": ["backend/alerts/tasks.py"], "modified": [], "deleted": [], "frontend": [], "backend": ["backend/alerts/tasks.py"]},
            [("file_edit", "created backend/alerts/tasks.py")],
            id="backend-file-written",
        ),
        pytest.param(
            {"created": [], "modified": ["frontend/app/app.vue"], "deleted": ["NOTES.md"], "frontend": ["frontend/app/app.vue"], "backend": []},
            [("frontend_edit", "modified frontend/app/app.vue"), ("file_edit", "deleted NOTES.md")],
            id="frontend-and-other",
        ),
        pytest.param(
            RepoDiff(created=["frontend/x.css"], frontend=["frontend/x.css"]),
            [("frontend_edit", "created frontend/x.css")],
            id="repo-diff-model",
        ),
    ],
)
def test_repo_diff(diff, expected):
    found = diff_violations(diff)
    assert [(v.kind, v.evidence) for v in found] == expected
    assert all(v.line is None for v in found)


def test_frontend_path_classified_by_folder_when_diff_lacks_classification():
    (violation,) = diff_violations({"created": ["web/pages/x.vue"]}, frontend_dir="web")
    assert violation.kind == "frontend_edit"


@pytest.mark.parametrize(
    "diff",
    [
        pytest.param(["frontend/x.vue"], id="list-not-mapping"),
        pytest.param({"created": "frontend/x.vue"}, id="string-not-list"),
        pytest.param({"created": [3]}, id="non-string-path"),
    ],
)
def test_malformed_diff_is_a_harness_error(diff):
    with pytest.raises(TypeError):
        diff_violations(diff)


def test_plan_and_diff_violations_combine_and_scope_fails():
    verdict = check_scope(parse_plan("import os\n"), {"created": ["a.py"]})
    assert not verdict.passed
    assert verdict.kinds() == ["file_edit", "implementation_code"]
    assert verdict.score == 0.0
