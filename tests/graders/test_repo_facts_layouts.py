"""repo_facts on layouts other than the sample repos' (issue 16 §3): tasks outside tasks.py, splatted URL
lists, re-exporting packages, settings packages, third-party apps that are not installed here. Each layout
is a small synthetic repo built in tmp_path; the last tests read the vendored real project."""

from __future__ import annotations

from pathlib import Path
from textwrap import dedent

import pytest

from archbench.graders.repo_facts import RepoFacts, repo_facts

REPO_ROOT = Path(__file__).resolve().parents[2]
REAL_REPO = REPO_ROOT / "tests" / "fixtures" / "real_repos" / "django-styleguide-example"
ISSUETRACK = REPO_ROOT / "tests" / "fixtures" / "synthetic_repos" / "issuetrack"


def _repo(root: Path, files: dict[str, str]) -> RepoFacts:
    for relative, text in files.items():
        path = root / "backend" / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(dedent(text), encoding="utf-8")
    return repo_facts(root)


SETTINGS = """
    ROOT_URLCONF = "proj.urls"
    INSTALLED_APPS = ["django.contrib.auth", "django.contrib.contenttypes", "proj.db"]
"""


def test_tasks_are_found_in_any_module_whatever_the_decorator(tmp_path: Path) -> None:
    facts = _repo(
        tmp_path,
        {
            "proj/settings.py": SETTINGS,
            "proj/celery.py": "from celery import Celery\napp = Celery('proj')\n",
            "proj/bgtasks/__init__.py": "",
            "proj/bgtasks/issue_activity_task.py": """
                from celery import shared_task
                @shared_task
                def issue_activity(issue_id):
                    pass
            """,
            "proj/bgtasks/webhook_task.py": """
                from proj.celery import app
                celery_app = app
                @app.task(bind=True, max_retries=5)
                def webhook_send(self, webhook_id):
                    pass
                @celery_app.task
                def webhook_cleanup():
                    pass
            """,
            "proj/jobs.py": """
                from celery import Task
                class ExportTask(Task):
                    def run(self, export_id):
                        pass
                def helper():
                    pass
            """,
        },
    )
    assert sorted(facts.tasks) == ["ExportTask", "issue_activity", "webhook_cleanup", "webhook_send"]
    assert facts.tasks["webhook_send"].options["max_retries"] == "5"
    assert facts.tasks["issue_activity"].file == "backend/proj/bgtasks/issue_activity_task.py"


def test_url_list_splats_imports_plus_equals_and_includes_are_followed(tmp_path: Path) -> None:
    view = "from rest_framework.views import APIView\nclass V(APIView):\n    pass\n"
    facts = _repo(
        tmp_path,
        {
            "proj/settings.py": SETTINGS,
            "proj/views.py": view,
            "proj/urls.py": """
                from django.urls import include, path
                from proj.app import extra
                from proj.app.lists import more_patterns
                urlpatterns = [path("api/", include("proj.app.urls"))]
                urlpatterns += [path("extra/", include(extra))]
                urlpatterns = urlpatterns + [path("more/", include(more_patterns))]
            """,
            "proj/app/__init__.py": "",
            "proj/app/urls/__init__.py": """
                from .issue import urlpatterns as issue_urls
                from .project import urlpatterns as project_urls
                urlpatterns = [*issue_urls, *project_urls]
            """,
            "proj/app/urls/issue.py": """
                from django.urls import path
                from proj.views import V
                urlpatterns = [
                    path("issues/", V.as_view(), name="issues"),
                    path("issues/<uuid:pk>/", V.as_view(), name="issue-detail"),
                ]
            """,
            "proj/app/urls/project.py": """
                from django.urls import path
                from proj.views import V
                urlpatterns = [path("projects/", V.as_view(), name="projects")]
            """,
            "proj/app/extra.py": """
                from django.urls import path
                from rest_framework.routers import DefaultRouter
                from proj.views import V
                router = DefaultRouter()
                urlpatterns = [path("ping/", V.as_view(), name="ping")]
                urlpatterns += router.urls
            """,
            "proj/app/lists.py": """
                from django.urls import path
                from proj.views import V
                more_patterns = [path("stats/", V.as_view(), name="stats")]
            """,
        },
    )
    mounted = sorted(route.path for route in facts.urls if route.mounted and route.view)
    assert mounted == ["/api/issues/", "/api/issues/<uuid:pk>/", "/api/projects/", "/extra/ping/", "/more/stats/"]
    assert {"issues", "issue-detail", "projects", "ping", "stats"} <= facts.url_names


def test_package_reexports_resolve_to_their_definition(tmp_path: Path) -> None:
    facts = _repo(
        tmp_path,
        {
            "proj/settings.py": SETTINGS,
            "proj/db/__init__.py": "",
            "proj/db/apps.py": "from django.apps import AppConfig\nclass DbConfig(AppConfig):\n    name = 'proj.db'\n",
            "proj/db/models/__init__.py": """
                from .base import BaseModel
                from .issue import Issue as Issue
                from .project import *
                __all__ = ["BaseModel", "Issue", "Project"]
            """,
            "proj/db/models/base.py": "from django.db import models\nclass BaseModel(models.Model):\n    class Meta:\n        abstract = True\n",
            "proj/db/models/issue.py": "from .base import BaseModel\nclass Issue(BaseModel):\n    def close(self):\n        pass\n",
            "proj/db/models/project.py": "from .base import BaseModel\nclass Project(BaseModel):\n    pass\n",
            "proj/app/__init__.py": "",
            "proj/app/permissions.py": "def allow_permission(allowed_roles, level='PROJECT'):\n    pass\n",
        },
    )
    assert facts.resolve_symbol("proj.db.models.Issue") == ("proj.db.models.issue", "Issue")
    assert facts.resolve_symbol("proj.db.models.Project") == ("proj.db.models.project", "Project")
    assert facts.resolve_symbol("proj.db.models.Issue.close") == ("proj.db.models.issue", "Issue.close")
    assert facts.resolve_symbol("proj.app.permissions.allow_permission") == ("proj.app.permissions", "allow_permission")
    assert facts.resolve_symbol("proj.db.models.Ticket") is None
    assert facts.resolve_symbol("proj.db.models.Issue.reopen") is None
    assert "Project" in facts.modules["proj.db.models"]


def test_settings_package_named_by_manage_py_and_star_imports(tmp_path: Path) -> None:
    (tmp_path / "manage.py").write_text('import os\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.django.base")\n')
    for relative, text in {
        "config/__init__.py": "",
        "config/django/__init__.py": "",
        "config/django/base.py": """
            LOCAL_APPS = ["proj.users.apps.UsersConfig"]
            THIRD_PARTY_APPS = ["rest_framework", "django_celery_beat"]
            INSTALLED_APPS = ["django.contrib.auth", *THIRD_PARTY_APPS, *LOCAL_APPS]
            ROOT_URLCONF = "config.urls"
            from config.settings.celery import *  # noqa
        """,
        "config/settings/__init__.py": "",
        "config/settings/celery.py": "CELERY_BROKER_URL = 'redis://'\n",
        "proj/__init__.py": "",
        "proj/users/__init__.py": "",
        "proj/users/models.py": "from django.db import models\nclass BaseUser(models.Model):\n    pass\n",
    }.items():
        path = tmp_path / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(dedent(text), encoding="utf-8")
    facts = repo_facts(tmp_path)
    assert "proj.users.apps.UsersConfig" in facts.installed_apps
    assert facts.apps["users"].installed
    assert {"ROOT_URLCONF", "CELERY_BROKER_URL"} <= set(facts.settings)
    assert facts.uninstalled_apps == ("django_celery_beat",)


def test_real_project_layout() -> None:
    facts = repo_facts(REAL_REPO)
    assert "django_celery_beat" in facts.uninstalled_apps
    assert facts.apps["users"].installed and facts.apps["emails"].installed
    assert "/api/users/create/" in {route.path for route in facts.urls if route.mounted}
    assert all(route.mounted for route in facts.urls if route.file.startswith("styleguide_example/users/"))
    assert facts.tasks["email_send"].module == "styleguide_example.emails.tasks"


@pytest.mark.parametrize(
    "question, expected",
    [
        pytest.param(lambda f: len(f.tasks), 6, id="tasks-in-bgtasks"),
        pytest.param(lambda f: f.tasks["issue_activity"].file.endswith("bgtasks/issue_activity_task.py"), True, id="issue-activity"),
        pytest.param(lambda f: sum(route.mounted for route in f.urls), 9, id="splatted-routes-mounted"),
        pytest.param(lambda f: f.resolve_symbol("issuetrack.db.models.Issue"), ("issuetrack.db.models.issue", "Issue"), id="reexport"),
        pytest.param(lambda f: "django_celery_beat" in f.uninstalled_apps, True, id="beat-not-installed"),
    ],
)
def test_issuetrack_layout(question, expected) -> None:
    assert question(repo_facts(ISSUETRACK)) == expected
