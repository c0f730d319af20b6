"""repo_facts: the static symbol table of a sample repo (graders/repo_facts.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from archbench.graders.repo_facts import RepoFacts, _repo_facts, repo_facts

FIXTURE = Path(__file__).parent / "fixtures" / "kanban"
SAMPLE_REPOS = Path(__file__).resolve().parents[2] / "sample_repos"


@pytest.fixture(scope="module")
def kanban() -> RepoFacts:
    return repo_facts(FIXTURE)


def _model_fields(facts: RepoFacts, name: str) -> dict[str, str]:
    model = facts.model(name)
    assert model is not None, name
    return {field_name: field.type for field_name, field in model.fields.items()}


@pytest.mark.parametrize(
    "question, expected",
    [
        pytest.param(lambda f: sorted(f.apps), ["boards", "core"], id="apps-are-folders-with-apps-or-models"),
        pytest.param(lambda f: f.apps["boards"].installed, True, id="app-installed-through-appconfig-path-and-plus-equals"),
        pytest.param(lambda f: f.installed_apps[-1], "boards.apps.BoardsConfig", id="installed-apps-augmented"),
        pytest.param(lambda f: sorted(m.name for m in f.models), ["Board", "Card", "TimeStampedModel"], id="repo-models"),
        pytest.param(lambda f: f.model("TimeStampedModel").abstract, True, id="abstract-base"),
        pytest.param(lambda f: f.model("Card").fields["id"].type, "UUIDField", id="pk-inherited-from-abstract-base"),
        pytest.param(lambda f: f.model("Card").fields["parent"].target, "Card", id="self-relation-resolved"),
        pytest.param(lambda f: f.model("Card").fields["board"].target, "Board", id="fk-target"),
        pytest.param(lambda f: f.model("Card").fields["status"].has_choices, True, id="choices-seen"),
        pytest.param(lambda f: ("board", "position") in f.model("Card").indexes, True, id="meta-index-without-desc-sign"),
        pytest.param(lambda f: ("position",) in f.model("Card").indexes, True, id="db-index-field"),
        pytest.param(
            lambda f: [(c.kind, c.fields) for c in f.model("Card").constraints],
            [("unique", ("board", "position")), ("check", ("position",))],
            id="meta-constraints",
        ),
        pytest.param(lambda f: [c.fields for c in f.model("Board").constraints], [("slug",)], id="unique-field-constraint"),
        pytest.param(lambda f: f.model("Board").reverse_relations, {"cards": "Card.board"}, id="reverse-related-name"),
        pytest.param(lambda f: f.model("Card").reverse_relations, {"card_set": "Card.parent"}, id="reverse-default-and-plus-skipped"),
        pytest.param(
            lambda f: f.model("User").reverse_relations,
            {"owned_boards": "Board.owner", "boards": "Board.members"},
            id="auth-user-model-reverse-relations",
        ),
        pytest.param(lambda f: f.model("User").external, True, id="django-auth-user-from-installed-source"),
        pytest.param(lambda f: {"email", "is_staff", "password"} <= set(f.model("User").fields), True, id="auth-user-inherited-fields"),
        pytest.param(lambda f: f.model("Token"), None, id="uninstalled-app-models-absent"),
        pytest.param(lambda f: f.model("Card").has_attribute("is_done"), True, id="model-property"),
        pytest.param(lambda f: f.model("Board").has_attribute("archive"), True, id="model-method"),
        pytest.param(lambda f: f.model("Board").has_attribute("owner_email"), False, id="unknown-attribute"),
        pytest.param(lambda f: f.serializers["BoardSerializer"].fields, ("id", "name", "slug", "created_at"), id="serializer-meta-fields"),
        pytest.param(lambda f: f.serializers["CardSerializer"].fields, ("__all__", "board_name"), id="serializer-declared-fields"),
        pytest.param(lambda f: f.views["CardViewSet"].actions, ("move_to", "mine"), id="viewset-actions"),
        pytest.param(lambda f: f.views["BoardViewSet"].pagination_class, "StandardPageNumberPagination", id="view-pagination"),
        pytest.param(lambda f: f.views["BoardViewSet"].permission_classes, ("IsBoardMember",), id="view-permissions"),
        pytest.param(lambda f: f.views["CardViewSet"].lists, True, id="modelviewset-lists"),
        pytest.param(lambda f: "health" in f.views, False, id="plain-function-is-not-a-drf-view"),
        pytest.param(
            lambda f: sorted((route.path, route.name) for route in f.urls if route.view == "CardViewSet"),
            [
                ("/api/v1/cards/", "card-list"),
                ("/api/v1/cards/mine/", "card-mine"),
                ("/api/v1/cards/{pk}/", "card-detail"),
                ("/api/v1/cards/{pk}/move/", "card-move-to"),
            ],
            id="router-routes-through-include-with-derived-basename",
        ),
        pytest.param(lambda f: "health" in f.url_names and "api-root" in f.url_names, True, id="url-names"),
        pytest.param(lambda f: sorted(f.tasks), ["archive_stale_boards", "notify_card_moved"], id="celery-tasks"),
        pytest.param(lambda f: f.tasks["notify_card_moved"].options["max_retries"], "3", id="task-options"),
        pytest.param(lambda f: "BOARD_ARCHIVE_AFTER_DAYS" in f.settings, True, id="project-setting"),
        pytest.param(lambda f: "AUTH_USER_MODEL" in f.framework_settings, True, id="django-default-setting"),
        pytest.param(lambda f: f.setting_values["REST_FRAMEWORK"]["DEFAULT_PAGINATION_CLASS"], "core.pagination.StandardPageNumberPagination", id="literal-setting"),
        pytest.param(lambda f: f.is_subclass("IsBoardOwner", "IsBoardMember"), True, id="subclass-in-repo"),
        pytest.param(lambda f: f.is_subclass("IsBoardMember", "IsBoardOwner"), False, id="subclass-not-reversed"),
        pytest.param(lambda f: f.modules["boards.services"], frozenset({"move_card"}), id="module-top-level-names"),
        pytest.param(lambda f: "Migration" in f.classes, False, id="migrations-not-parsed"),
        pytest.param(lambda f: f.unparsed_files, ("backend/boards/legacy_import.py",), id="syntax-error-recorded-not-raised"),
        pytest.param(lambda f: "frontend/app/pages/index.vue" in f.files, True, id="frontend-files-listed"),
        pytest.param(lambda f: f.model("Card", "boards").label, "boards.Card", id="model-in-app"),
        pytest.param(lambda f: f.model("Card", "core"), None, id="model-not-in-other-app"),
        pytest.param(lambda f: f.model("User", "auth").external, True, id="installed-app-model-by-app"),
        pytest.param(
            lambda f: [name in f.non_task_callables for name in ("move_card", "archive", "notify_card_moved")],
            [True, True, False],
            id="callables-that-are-not-tasks",
        ),
    ],
)
def test_kanban_fixture(kanban: RepoFacts, question, expected) -> None:
    assert question(kanban) == expected


def test_cached_per_path() -> None:
    assert repo_facts(FIXTURE) is repo_facts(FIXTURE / ".." / "kanban")


def test_a_relative_path_is_the_repo_under_the_working_directory_of_each_call(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Paths are resolved once each (issue 19), but a relative one names another repo from another folder."""
    for name, apps in (("one", 1), ("two", 2)):
        _write_synthetic_repo(tmp_path / name / "repo", apps=apps, files_per_app=1)
    monkeypatch.chdir(tmp_path / "one")
    first = repo_facts(Path("repo"))
    monkeypatch.chdir(tmp_path / "two")
    second = repo_facts(Path("repo"))
    assert (first.repo_dir, len(first.installed_apps)) == ((tmp_path / "one" / "repo").resolve(), 1)
    assert (second.repo_dir, len(second.installed_apps)) == ((tmp_path / "two" / "repo").resolve(), 2)


def _write_synthetic_repo(root: Path, apps: int, files_per_app: int) -> None:
    (root / "backend" / "site").mkdir(parents=True)
    (root / "backend" / "site" / "settings.py").write_text(
        "INSTALLED_APPS = [" + ", ".join(f'"app{index}"' for index in range(apps)) + "]\nROOT_URLCONF = 'site.urls'\n"
    )
    (root / "backend" / "site" / "urls.py").write_text(
        "from django.urls import include, path\nurlpatterns = ["
        + ", ".join(f'path("api/app{index}/", include("app{index}.urls"))' for index in range(apps))
        + "]\n"
    )
    for index in range(apps):
        app = root / "backend" / f"app{index}"
        app.mkdir()
        models = "\n".join(
            f"class Thing{index}x{number}(models.Model):\n"
            f"    name = models.CharField(max_length=40)\n"
            f"    owner = models.ForeignKey('auth.User', on_delete=models.CASCADE, related_name='things_{index}_{number}')\n"
            f"    class Meta:\n        indexes = [models.Index(fields=['name'])]\n"
            for number in range(8)
        )
        (app / "models.py").write_text(f"from django.db import models\n\n{models}")
        (app / "urls.py").write_text(
            "from django.urls import path\nfrom . import views\n"
            f"urlpatterns = [path('things/', views.ThingView.as_view(), name='thing-{index}')]\n"
        )
        (app / "views.py").write_text("from rest_framework.generics import ListAPIView\nclass ThingView(ListAPIView):\n    pass\n")
        (app / "tasks.py").write_text(f"from celery import shared_task\n@shared_task\ndef work_{index}(pk):\n    return pk\n")
        for number in range(files_per_app - 4):
            (app / f"helpers{number}.py").write_text("def helper(value):\n    return [item for item in value if item]\n" * 10)


def test_hundred_file_repo_is_read_whole(tmp_path: Path) -> None:
    """Its speed is in benchmarks/ (timed tests are noise on shared machines)."""
    _write_synthetic_repo(tmp_path, apps=10, files_per_app=10)
    facts = _repo_facts.__wrapped__(tmp_path.resolve())
    assert len([path for path in facts.files if path.endswith(".py")]) >= 100
    assert len(facts.models) == 80 and len(facts.urls) == 10 and len(facts.tasks) == 10


@pytest.mark.parametrize(
    "repo, model, field, field_type",
    [
        pytest.param("clinic", "Appointment", "reminder_sent_at", "DateTimeField", id="clinic"),
        pytest.param("tldr", "Task", "assignee", "ForeignKey", id="tldr"),
        pytest.param("ledger", "Invoice", "customer", "ForeignKey", id="ledger"),
    ],
)
def test_sample_repos_parse_without_errors(repo: str, model: str | None, field: str | None, field_type: str | None) -> None:
    if not (SAMPLE_REPOS / repo / "backend").is_dir():
        pytest.skip(f"sample repo {repo} not written yet")
    facts = repo_facts(SAMPLE_REPOS / repo)
    assert facts.unparsed_files == ()
    assert facts.models and facts.urls and facts.tasks
    apps_with_concrete_models = {model.app for model in facts.models if not model.abstract}
    assert all(facts.apps[label].installed for label in apps_with_concrete_models), facts.apps
    if model is not None:
        assert _model_fields(facts, model)[field] == field_type
