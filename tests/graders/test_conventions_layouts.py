"""Convention checks and the conventions file on layouts other than the sample repos' (issue 16 §3):
paginator mixins, permission decorators, logic in views, phrase rules in a repo's file, general rules
switched off per repo, values that can never match, several frontend folders."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from pydantic import ValidationError

from archbench.core.repo_config import Convention, load_repo_config
from archbench.core.strict_yaml import InputError
from archbench.graders.conventions import check_conventions, convention_items
from archbench.graders.plan import parse_plan
from archbench.graders.repo_facts import repo_facts

BACKEND = {
    "backend/proj/__init__.py": "",
    "backend/proj/settings.py": 'ROOT_URLCONF = "proj.urls"\nINSTALLED_APPS = ["django.contrib.auth", "proj.db", "django_celery_beat"]\n',
    "backend/proj/urls.py": "urlpatterns = []\n",
    "backend/proj/db/__init__.py": "",
    "backend/proj/db/models.py": "from django.db import models\nclass Issue(models.Model):\n    name = models.CharField(max_length=10)\n",
    "backend/proj/utils/__init__.py": "",
    "backend/proj/utils/paginator.py": "class BasePaginator:\n    def paginate(self, request, queryset, on_results=None):\n        pass\n",
    "backend/proj/app/__init__.py": "",
    "backend/proj/app/permissions.py": "def allow_permission(allowed_roles, level='PROJECT'):\n    def wrap(view):\n        return view\n    return wrap\n",
    "backend/proj/app/views/__init__.py": "",
    "backend/proj/app/views/base.py": (
        "from rest_framework.viewsets import ModelViewSet\nfrom proj.utils.paginator import BasePaginator\n"
        "class BaseViewSet(ModelViewSet, BasePaginator):\n    pass\n"
    ),
    "backend/proj/bgtasks/__init__.py": "",
    "backend/proj/bgtasks/issue_activity_task.py": "from celery import shared_task\n@shared_task\ndef issue_activity(issue_id):\n    pass\n",
    "web/package.json": "{}\n",
    "admin/package.json": "{}\n",
}
CONFIG = """
name: {name}
description: A Plane-like layout
backend_dir: backend
frontend_dir: {frontend}
project_package: backend/proj
{extra}
conventions:
  - id: pagination
    check: pagination
    value: BasePaginator
    description: List endpoints page with the BasePaginator mixin
  - id: permissions
    check: permission_class
    value: allow_permission
    description: Views are decorated with @allow_permission
  - id: logic-in-views
    check: service_layer
    value: views
    description: No service layer; the views hold the logic
"""

ENDPOINTS = """
## Endpoints

| method | path | codes |
|---|---|---|
| GET | `/api/issues/{{id}}/links/` | 200 |
| POST | `/api/issues/{{id}}/links/` | 201, 400 |

{body}
"""


def _repo(root: Path, frontend: str = "web", extra: str = "") -> Path:
    repo = root / "plane"
    for relative, text in BACKEND.items():
        path = repo / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    (repo / "archbench.yaml").write_text(CONFIG.format(name="plane", frontend=frontend, extra=extra), encoding="utf-8")
    return repo


def _items(repo: Path, body: str, disabled: tuple[str, ...] = ()) -> dict[str, tuple[bool, str]]:
    plan = parse_plan(textwrap.dedent(ENDPOINTS.format(body=body)).strip("\n"))
    items = convention_items(plan, repo_facts(repo), load_repo_config(repo).conventions, disabled=disabled)
    return {item.id: (item.met, item.description) for item in items}


@pytest.mark.parametrize(
    "body, expected",
    [
        pytest.param("`IssueLinkViewSet(BaseViewSet)` pages with `self.paginate(...)`.", True, id="view-deriving-from-the-mixin"),
        pytest.param("Lists page through the `BasePaginator` mixin.", True, id="mixin-named"),
        pytest.param("Lists use DRF's `PageNumberPagination`.", False, id="another-pagination-class"),
    ],
)
def test_pagination_recognises_a_paginator_mixin(tmp_path: Path, body: str, expected: bool) -> None:
    assert _items(_repo(tmp_path), body)["repo:pagination"][0] is expected


@pytest.mark.parametrize(
    "body, expected",
    [
        pytest.param("Both views are decorated with `@allow_permission([ROLE.ADMIN, ROLE.MEMBER])`.", True, id="decorator"),
        pytest.param("`permission_classes = [IsProjectMember]` on the viewset.", False, id="another-permission-class"),
    ],
)
def test_permission_check_recognises_a_permission_decorator(tmp_path: Path, body: str, expected: bool) -> None:
    met, why = _items(_repo(tmp_path), body)["repo:permissions"]
    assert met is expected
    if expected:
        assert "decorate views with allow_permission" in why


@pytest.mark.parametrize(
    "body, expected",
    [
        pytest.param("The `create()` on the viewset validates and saves the link; the logic stays in the views.", True, id="in-the-view"),
        pytest.param("Writes go through a new `links/services.py` with `create_link()`.", False, id="invents-a-service-layer"),
    ],
)
def test_service_layer_can_be_logic_in_views(tmp_path: Path, body: str, expected: bool) -> None:
    assert _items(_repo(tmp_path), body)["repo:logic-in-views"][0] is expected


def test_repo_rule_with_phrase_groups(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    rule = Convention(
        id="activity-feed",
        description="Issue changes are recorded through the issue_activity task",
        applies_when="proposes_write_endpoints",
        mentions=[["issue_activity", "issue activity task"]],
    )
    plan = parse_plan(textwrap.dedent(ENDPOINTS.format(body="Each write queues `issue_activity.delay(...)`.")).strip("\n"))
    items = {item.id: item for item in convention_items(plan, repo_facts(repo), [rule])}
    assert items["repo:activity-feed"].met and "mentions issue_activity" in items["repo:activity-feed"].description
    silent = parse_plan(textwrap.dedent(ENDPOINTS.format(body="The view saves the link.")).strip("\n"))
    missed = {item.id: item for item in convention_items(silent, repo_facts(repo), [rule])}["repo:activity-feed"]
    assert not missed.met and "never mentions issue_activity" in missed.description
    reads_only = parse_plan("| GET | `/api/issues/` | 200 |")
    assert "repo:activity-feed" not in {item.id for item in convention_items(reads_only, repo_facts(repo), [rule])}


def test_a_general_rule_can_be_switched_off_for_a_repo(tmp_path: Path) -> None:
    repo = _repo(tmp_path, extra="disable_general: [tasks-in-tasks-module]")
    body = "Creating a link queues `link_issues`.\n\n## Celery tasks (`bgtasks/link_task.py`)\n### `link_issues(issue_id)`\n- Retries 3 times."
    config = load_repo_config(repo)
    assert config.disable_general == ["tasks-in-tasks-module"]
    assert _items(repo, body)["prompt:tasks-in-tasks-module"][0] is False
    assert "prompt:tasks-in-tasks-module" not in _items(repo, body, disabled=tuple(config.disable_general))


def test_disabling_an_unknown_general_rule_is_an_input_error(tmp_path: Path) -> None:
    repo = _repo(tmp_path, extra="disable_general: [tasks-in-task-module]")
    with pytest.raises(InputError, match="disable_general names no general rule"):
        check_conventions(parse_plan("text"), _StubScenario(repo))


class _StubScenario:
    """What check_conventions reads from a scenario: its repo path and conventions file."""

    def __init__(self, repo: Path):
        self.repo_path = repo
        self.repo_config = load_repo_config(repo)
        self.conventions_path = repo / "archbench.yaml"


@pytest.mark.parametrize(
    "check, value, why",
    [
        pytest.param("pagination", "core.pagination.StandardPageNumberPagination", "can never match", id="dotted-pagination"),
        pytest.param("permission_class", "members only", "can never match", id="prose-permission"),
        pytest.param("base_model", "BaseModel()", "can never match", id="call-as-base-model"),
        pytest.param("service_layer", "services", "can never match", id="service-layer-without-py"),
    ],
)
def test_convention_values_that_can_never_match_are_rejected(check: str, value: str, why: str) -> None:
    with pytest.raises(ValidationError, match=why):
        Convention(id="rule", check=check, value=value, description="d")


def test_loader_names_the_file_and_line_of_a_value_that_can_never_match(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    text = (repo / "archbench.yaml").read_text().replace("value: BasePaginator", "value: proj.utils.paginator.BasePaginator")
    (repo / "archbench.yaml").write_text(text)
    load_repo_config.cache_clear()
    with pytest.raises(InputError) as raised:
        load_repo_config(repo)
    line = next(number for number, row in enumerate(text.splitlines(), start=1) if "check: pagination" in row)
    assert "archbench.yaml" in str(raised.value) and "can never match" in str(raised.value)
    assert raised.value.line is not None and line - 2 <= raised.value.line <= line + 2


def test_frontend_dir_takes_several_folders_and_one_still_works(tmp_path: Path) -> None:
    several = load_repo_config(_repo(tmp_path / "a", frontend="[web, admin]"))
    assert (several.frontend_dir, several.frontend_dirs) == ("web", ("web", "admin"))
    one = load_repo_config(_repo(tmp_path / "b", frontend="web"))
    assert (one.frontend_dir, one.frontend_dirs) == ("web", ("web",))
    with pytest.raises(InputError, match="frontend_dir 'mobile' is not a folder"):
        load_repo_config(_repo(tmp_path / "c", frontend="[web, mobile]"))
    facts = repo_facts(tmp_path / "a" / "plane")
    assert facts.frontend_dirs == ("web", "admin")
