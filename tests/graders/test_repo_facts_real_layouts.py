"""repo_facts on the layouts real projects use and the sample repos do not (issue 16 §3, "real references resolve"),
found by `benchmarks/real_repo_facts.py` on pretalx, Label Studio, Mayan EDMS, Nautobot, wger, Kolibri and
openwisp-notifications. Each test reads one of two synthetic repos without archbench.yaml:
`confhub` (`src/manage.py` + `src/confhub/`) and `labelhub` (`labelhub/manage.py` inside the package)."""

from __future__ import annotations

from pathlib import Path

import pytest

from archbench.graders.grounding import grounding_verdict
from archbench.graders.plan import parse_plan
from archbench.graders.repo_facts import RepoFacts, repo_facts

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "synthetic_repos"


@pytest.fixture(scope="module")
def confhub() -> RepoFacts:
    """The layout given, so that each test below fails only for the layout it is about; the guess has its own test."""
    return repo_facts(FIXTURES / "confhub", ("src", None, ()))


@pytest.fixture(scope="module")
def labelhub() -> RepoFacts:
    return repo_facts(FIXTURES / "labelhub", ("labelhub", None, ()))


def _routes(facts: RepoFacts) -> dict[str, tuple[str, bool]]:
    return {route.name: (route.path, route.mounted) for route in facts.urls if route.name}


def test_without_archbench_yaml_the_backend_is_the_manage_py_folder() -> None:
    assert repo_facts(FIXTURES / "confhub").backend_dir == "src"
    assert repo_facts(FIXTURES / "labelhub").backend_dir == "labelhub"
    assert repo_facts(FIXTURES / "issuetrack").backend_dir == "apiserver"  # archbench.yaml says so


def test_a_src_layout_is_read_from_the_manage_py_folder(confhub: RepoFacts) -> None:
    assert confhub.resolve_symbol("confhub.event.models.Event") == ("confhub.event.models", "Event")
    assert confhub.model("Event").module == "confhub.event.models"
    assert confhub.tasks["send_event_reminders"].module == "confhub.event.services"
    assert _routes(confhub)["schedule"] == ("/schedule/<int:pk>/", True)  # ROOT_URLCONF `confhub.urls` is found
    assert confhub.resolve_symbol("src.confhub.event.models.Event") is None


def test_a_manage_py_inside_the_package_names_modules_both_ways(labelhub: RepoFacts) -> None:
    assert labelhub.resolve_symbol("core.utils.io.get_data_dir") == ("core.utils.io", "get_data_dir")
    assert labelhub.resolve_symbol("labelhub.core.utils.io.get_data_dir") == ("core.utils.io", "get_data_dir")
    assert labelhub.resolve_symbol("labelhub.core.utils.io.get_data_dirs") is None
    assert labelhub.resolve_symbol("labelhub.core.utils.fs.get_data_dir") is None
    assert _routes(labelhub)["project-list"] == ("/projects/", True)


def test_names_defined_in_top_level_if_and_try_blocks_exist(confhub: RepoFacts) -> None:
    assert confhub.resolve_symbol("confhub.common.system.pid_exists") is not None
    assert confhub.resolve_symbol("confhub.common.system.ZoneInfo") is not None
    assert {"CONFHUB_DEBUG_TOOLBAR", "CONFHUB_MEDIA_QUOTA"} <= set(confhub.settings)


def test_names_bound_by_unpacking_exist(confhub: RepoFacts) -> None:
    assert {"CONFHUB_VERSION_MAJOR", "CONFHUB_VERSION_MINOR"} <= set(confhub.settings)
    assert "CONFHUB_VERSION_MAJOR" not in confhub.setting_values  # its value is not known on its own
    assert confhub.resolve_symbol("confhub.settings.CONFHUB_VERSION_MINOR") is not None


def test_names_imported_from_outside_the_repo_exist_where_they_are_imported(confhub: RepoFacts) -> None:
    assert confhub.resolve_symbol("confhub.common.system.swapper_load_model") == ("confhub.common.system", "swapper_load_model")
    assert confhub.resolve_symbol("confhub.common.system.load_model") is None  # imported under another name
    assert confhub.resolve_symbol("confhub.common.system.load_event_models") is None


def test_helpers_of_a_migrations_package_exist(confhub: RepoFacts) -> None:
    assert confhub.resolve_symbol("confhub.event.migrations.get_swapped_model") is not None


def test_routes_of_a_project_router_class(confhub: RepoFacts) -> None:
    assert _routes(confhub)["event-list"] == ("/api/events/", True)  # OptionalSlashRouter(DefaultRouter)


def test_a_router_deriving_from_default_router_has_an_api_root_and_inherited_actions(confhub: RepoFacts) -> None:
    routes = _routes(confhub)
    assert routes["api-root"] == ("/api/", True)
    assert routes["event-export"] == ("/api/events/{pk}/export/", True)  # @action on ExportMixin


def test_routes_passed_through_a_call(confhub: RepoFacts) -> None:
    assert _routes(confhub)["schedule"] == ("/schedule/<int:pk>/", True)  # include(i18n_patterns(*localized_patterns))


def test_routes_added_in_an_if_block(confhub: RepoFacts) -> None:
    assert _routes(confhub)["debug"] == ("/debug/", True)  # `if settings.DEBUG: urlpatterns += [...]`


def test_routes_a_repo_function_returns(confhub: RepoFacts) -> None:
    assert _routes(confhub)["plugin-schedule"] == ("/plugins/schedule/<int:pk>/", True)  # `urlpatterns += get_plugin_urls()`


def test_routes_of_a_urlconf_not_named_urls(confhub: RepoFacts) -> None:
    assert _routes(confhub)["plugin-api-schedule"] == ("/api/plugins/schedule/(?P<pk>\\d+)/", False)  # plugins/api_urls.py


def test_url_names_carry_their_namespaces(confhub: RepoFacts, labelhub: RepoFacts) -> None:
    assert {"v1:event-list", "v1:event-detail", "event-list"} <= confhub.url_names  # include((router.urls, "api"), namespace="v1")
    assert "api:event-list" not in confhub.url_names and "v2:event-list" not in confhub.url_names
    assert "projects:project-list" in labelhub.url_names  # `app_name = "projects"` in the included URLconf


def test_django_admin_url_names_exist_where_the_admin_is_used(confhub: RepoFacts, labelhub: RepoFacts) -> None:
    assert confhub.admin_url_name("admin:index") and confhub.admin_url_name("admin:event_track_changelist")
    assert not confhub.admin_url_name("admin:event_ghost_changelist") and not confhub.admin_url_name("admin:dashboard")
    assert not labelhub.admin_url_name("admin:index")  # no django.contrib.admin, no admin.py
    plan = parse_plan('# Plan\n\n- Link to the existing `reverse("admin:event_room_change")` and `reverse("admin:event_hall_change")`.\n')
    assert {item.id: item.met for item in grounding_verdict(plan, confhub).items} == {"url-name:admin:event_hall_change": False}


def test_an_alias_of_a_task_decorator_makes_tasks(confhub: RepoFacts) -> None:
    assert confhub.tasks["rebuild_schedule"].module == "confhub.event.services"  # `confhub_task = app.task`
    assert confhub.tasks["send_event_reminders"].options == {"bind": "True", "max_retries": "3"}


def test_an_invoke_task_is_not_a_celery_task(confhub: RepoFacts) -> None:
    assert "build_assets" not in confhub.tasks  # `from invoke import task`
    assert "send_event_reminders" in confhub.tasks


def test_classes_declaring_model_fields_are_models_whatever_their_base(confhub: RepoFacts) -> None:
    abstract = confhub.model("AbstractEvent")  # UUIDModel from django-model-utils, not installed here
    assert abstract is not None and abstract.abstract
    assert confhub.model("Track") is not None  # MPTTModel
    assert confhub.model("Room") is not None and "capacity" in confhub.model("Room").fields
    assert set(confhub.model("Event").fields) >= {"name", "starts_on"}
    assert confhub.model("Event").reverse_relations == {"tracks": "Track.event"}


def test_simple_history_models_exist(confhub: RepoFacts) -> None:
    history = confhub.model("HistoricalEvent")
    assert history is not None and history.app == "event"
    assert confhub.model("HistoricalTrack") is None


def test_grounding_resolves_real_references_and_flags_invented_ones(confhub: RepoFacts) -> None:
    plan = parse_plan(
        "# Plan\n\n"
        "- Reuse the existing `confhub.common.system.pid_exists` and `confhub.event.models.Event`.\n"
        "- Queue the existing `rebuild_schedule` task.\n"
        "- Read `settings.CELERY_RESULT_EXPIRES` and `settings.CONFHUB_MEDIA_QUOTA` as they are.\n"
        "- Reuse the existing `confhub.event.models.EventArchive`.\n"
        "- Read `settings.CELERY_TASK_ALWAYS_EAGERLY` as it is.\n"
        "- Link to the existing page with `reverse(\"v1:event-detail\")`.\n"
        "- Link to the existing page with `reverse(\"v1:event.archive\")`.\n"
    )
    verdict = grounding_verdict(plan, confhub)
    met = {item.id: item.met for item in verdict.items}
    assert met["module-symbol:confhub.common.system.pid_exists"] is True
    assert met["module-symbol:confhub.event.models.Event"] is True
    assert met["task:rebuild_schedule"] is True
    assert met["setting:CONFHUB_MEDIA_QUOTA"] is True
    assert "setting:CELERY_RESULT_EXPIRES" not in met  # Celery's own setting (unset here): framework, not scored
    assert met["module-symbol:confhub.event.models.EventArchive"] is False
    assert met["setting:CELERY_TASK_ALWAYS_EAGERLY"] is False  # not a Celery setting, not the project's
    assert met["url-name:v1:event-detail"] is True
    assert met["url-name:v1:event.archive"] is False  # a dotted name is checked too


def test_apps_under_a_folder_django_imports_them_from(tmp_path: Path) -> None:
    """INSTALLED_APPS lists `users` while the code is in `backend/apps/users/` (settings put `apps/` on sys.path)."""
    files = {
        "manage.py": 'import os\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")\n',
        "config/__init__.py": "",
        "config/settings.py": (
            'import os, sys\nsys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "apps"))\n'
            'ROOT_URLCONF = "config.urls"\nINSTALLED_APPS = ["django.contrib.auth", "users.apps.UsersConfig"]\n'
        ),
        "config/urls.py": 'from django.urls import include, path\nurlpatterns = [path("users/", include("users.urls"))]\n',
        "apps/users/__init__.py": "",
        "apps/users/apps.py": 'from django.apps import AppConfig\nclass UsersConfig(AppConfig):\n    name = "users"\n',
        "apps/users/models.py": "from django.db import models\nclass Profile(models.Model):\n    bio = models.TextField()\n",
        "apps/users/views.py": "from users.models import Profile\ndef profile_list(request):\n    return Profile.objects.all()\n",
        "apps/users/urls.py": (
            'from django.urls import path\nfrom users.views import profile_list\napp_name = "users"\n'
            'urlpatterns = [path("", profile_list, name="profile-list")]\n'
        ),
    }
    for relative, text in files.items():
        (tmp_path / "backend" / relative).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "backend" / relative).write_text(text, encoding="utf-8")
    facts = repo_facts(tmp_path)
    assert facts.import_roots == ("apps",)
    assert facts.resolve_symbol("users.models.Profile") == ("apps.users.models", "Profile")
    assert facts.resolve_symbol("users.views.Profile") == ("apps.users.models", "Profile")  # re-export through the root
    assert facts.resolve_symbol("users.models.Ghost") is None
    assert _routes(facts)["profile-list"] == ("/users/", True)
    assert "users" not in facts.uninstalled_apps and facts.apps["users"].installed
    verdict = grounding_verdict(parse_plan("# Plan\n\n- Reuse the existing `users.models.Profile` and `users.models.Ghost`.\n"), facts)
    assert {item.id: item.met for item in verdict.items} == {"module-symbol:users.models.Profile": True, "module-symbol:users.models.Ghost": False}
