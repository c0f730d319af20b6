"""`archbench repo check` on synthetic repos, one per layout of issue 16 §3: tasks outside tasks.py,
splatted URL lists, package re-exports, permissions by decorator, a paginator mixin.

Each test holds whether or not the graders' symbol table follows the layout yet: what the code
declares must either be in the graders' facts (and in the printed listing) or be reported as a
problem. What the survey itself reads from the code is checked exactly.
"""

import textwrap
from pathlib import Path

import pytest

from archbench.app.cli import main
from archbench.core.repo_config import load_repo_config
from archbench.graders.repo_survey import declarations, survey_repo

SETTINGS = """
INSTALLED_APPS = ["django.contrib.auth", "django.contrib.contenttypes", "rest_framework", "shop"]
ROOT_URLCONF = "project.urls"
REST_FRAMEWORK = {"DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"]}
"""
MODELS = """
from django.db import models


class Order(models.Model):
    number = models.CharField(max_length=20)
    status = models.CharField(max_length=20, default="open")
"""


def write_repo(root: Path, files: dict[str, str], conventions: str = "") -> Path:
    base = {
        "backend/manage.py": "",
        "backend/project/__init__.py": "",
        "backend/project/settings.py": SETTINGS,
        "backend/project/wsgi.py": "",
        "backend/shop/__init__.py": "",
        "backend/shop/apps.py": "from django.apps import AppConfig\n\n\nclass ShopConfig(AppConfig):\n    name = 'shop'\n",
        "backend/shop/models.py": MODELS,
        "frontend/package.json": "{}",
    }
    for relative, text in {**base, **files}.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"))
    (root / "archbench.yaml").write_text(
        f"name: {root.name}\ndescription: synthetic\nbackend_dir: backend\nfrontend_dir: frontend\n"
        f"project_package: backend/project\nconventions:{textwrap.dedent(conventions) if conventions else ' []'}\n"
    )
    return root


def survey(repo: Path):
    load_repo_config.cache_clear()
    return survey_repo(repo, load_repo_config(repo), repo / "archbench.yaml")


def findings(result, kind: str) -> list:
    return [finding for finding in result.findings if finding.kind == kind]


def test_tasks_outside_tasks_py_are_declared_and_either_seen_or_reported(tmp_path):
    repo = write_repo(tmp_path / "jobs", {
        "backend/project/urls.py": "urlpatterns = []\n",
        "backend/shop/jobs/__init__.py": "",
        "backend/shop/jobs/digest_job.py": """
            from celery import shared_task
            from project.celery import app


            @shared_task(bind=True, max_retries=3)
            def send_order_digest(self, order_id):
                return order_id


            @app.task
            def purge_carts():
                return None
        """,
        "backend/shop/jobs/locking.py": """
            from celery import shared_task


            def single_instance(func):
                return shared_task(bind=True)(func)


            @single_instance
            def rebuild_search_index(self):
                return None
        """,
    })
    result = survey(repo)
    assert [(task.name, task.file) for task in result.declared.tasks] == [
        ("send_order_digest", "backend/shop/jobs/digest_job.py"), ("purge_carts", "backend/shop/jobs/digest_job.py"),
        ("rebuild_search_index", "backend/shop/jobs/locking.py"),  # a decorator of the repo's own that wraps shared_task
    ]
    unfollowed = " ".join(finding.message for finding in findings(result, "unfollowed-task"))
    for name in ("send_order_digest", "purge_carts", "rebuild_search_index"):
        assert name in result.facts.tasks or f"`{name}`" in unfollowed
    text = result.to_text()
    assert all(name in text for name in result.facts.tasks)
    (contradiction,) = [f for f in findings(result, "contradicts-repo") if "tasks-in-tasks-module" in f.message]
    assert contradiction.level == "problem" and "3 of the repo's 3 tasks live elsewhere" in contradiction.message


def test_splatted_url_lists_are_declared_and_either_followed_or_reported(tmp_path):
    repo = write_repo(tmp_path / "splat", {
        "backend/project/urls.py": """
            from django.urls import include, path

            urlpatterns = [path("api/", include("shop.urls"))]
        """,
        "backend/shop/views.py": """
            from rest_framework.views import APIView


            class OrderListView(APIView):
                pass


            class OrderDetailView(APIView):
                pass
        """,
        "backend/shop/urls/__init__.py": """
            from .orders import urlpatterns as order_urls

            urlpatterns = [*order_urls]
        """,
        "backend/shop/urls/orders.py": """
            from django.urls import path

            from shop.views import OrderDetailView, OrderListView

            urlpatterns = [
                path("orders/", OrderListView.as_view(), name="order-list"),
                path("orders/<int:pk>/", OrderDetailView.as_view(), name="order-detail"),
            ]
        """,
    })
    result = survey(repo)
    assert [(splat.name, splat.detail) for splat in result.declared.splats] == [("order_urls", "shop.urls.orders")]
    assert len(result.declared.url_calls) == 2  # the include() mounts routes, it is none itself
    seen = {route.path for route in result.facts.urls}
    reported = findings(result, "unfollowed-splat")
    assert {"/api/orders/", "/api/orders/<int:pk>/"} <= seen or (
        reported and "`*order_urls`" in reported[0].message and reported[0].where == "backend/shop/urls/__init__.py:3"
    )
    assert all(route.path in result.to_text() for route in result.facts.urls)


def test_package_re_exports_are_declared_and_either_resolved_or_reported(tmp_path):
    repo = write_repo(tmp_path / "reexport", {
        "backend/project/urls.py": "urlpatterns = []\n",
        "backend/shop/models.py": "",
        "backend/shop/models/__init__.py": "from .order import Order\nfrom .cart import *\n",
        "backend/shop/models/order.py": MODELS,
        "backend/shop/models/cart.py": "from django.db import models\n\n\nclass Cart(models.Model):\n    token = models.CharField(max_length=40)\n",
    })
    (repo / "backend/shop/models.py").unlink()
    result = survey(repo)
    assert {(item.name, item.detail) for item in result.declared.reexports} == {("Order", "shop.models.order"), ("*", "shop.models.cart")}
    package_names = result.facts.modules.get("shop.models", frozenset())
    reported = " ".join(finding.message for finding in findings(result, "unresolved-reexport"))
    for name in ("Order", "Cart"):
        resolved = name in package_names or result.facts.resolve_symbol(f"shop.models.{name}") is not None
        assert resolved != (f"shop.models.{name}" in reported)  # the graders resolve it, or the check says they don't


def test_permission_decorators_and_paginator_mixins_are_listed_and_checked_against_the_rules(tmp_path):
    repo = write_repo(
        tmp_path / "mixins",
        {
            "backend/project/urls.py": "urlpatterns = []\n",
            "backend/shop/paginator.py": """
                class BasePaginator:
                    def paginate(self, request, queryset, on_results):
                        return on_results(queryset)
            """,
            "backend/shop/permissions.py": """
                def allow_permission(roles, level="PROJECT"):
                    def decorator(view):
                        return view
                    return decorator
            """,
            "backend/shop/views.py": """
                from rest_framework.views import APIView

                from shop.paginator import BasePaginator
                from shop.permissions import allow_permission


                class BaseAPIView(BasePaginator, APIView):
                    pass


                class OrderEndpoint(BaseAPIView):
                    @allow_permission(["ADMIN", "MEMBER"])
                    def get(self, request):
                        return self.paginate(request=request, queryset=[], on_results=list)

                    @allow_permission(["ADMIN"])
                    def post(self, request):
                        return None
            """,
        },
        conventions="""
          - id: pagination
            check: pagination
            value: BasePaginator
            description: list endpoints paginate with the BasePaginator mixin
          - id: permissions
            check: permission_class
            value: allow_permission
            description: view methods are decorated with allow_permission
        """,
    )
    result = survey(repo)
    assert [(item.name, item.detail) for item in result.declared.permission_decorators] == [
        ("allow_permission", "get"), ("allow_permission", "post"),
    ]
    assert "BasePaginator" in [item.name for item in result.declared.paginators]
    text = result.to_text()
    assert "@allow_permission decorates 2 view function(s)/method(s)" in text
    assert "class BasePaginator" in text
    never = {finding.message.split("`")[1] for finding in findings(result, "never-matches")}
    # a rule is reported exactly when the graders' own check fails a plan written to follow it
    from archbench.graders.repo_survey import never_matching

    assert never == {convention.id for convention, _ in never_matching(result.facts, load_repo_config(repo).conventions)}
    assert not findings(result, "unknown-value")


def test_a_rule_naming_what_the_repo_lacks_is_a_warning(tmp_path, capsys):
    repo = write_repo(
        tmp_path / "never",
        {"backend/project/urls.py": "urlpatterns = []\n", "backend/shop/tasks.py": ""},
        conventions="""
          - id: pages
            check: pagination
            value: NoSuchPagination
            description: a class nowhere in the repo
          - id: layer
            check: service_layer
            value: services.py
            description: services
        """,
    )
    result = survey(repo)
    assert [finding.message for finding in findings(result, "unknown-value")] == [
        "rule `pages`: `NoSuchPagination` is neither a class nor a function of the repo or of DRF",
        "rule `layer`: the repo has no services.py module",
    ]
    assert result.problems == []
    assert main(["repo", "check", str(repo)]) == 0  # warnings alone do not fail the check


def test_a_repo_the_graders_read_fully_has_no_problem_and_exits_0(tmp_path, capsys):
    repo = write_repo(tmp_path / "plain", {
        "backend/project/urls.py": 'from django.urls import include, path\n\nurlpatterns = [path("api/", include("shop.urls"))]\n',
        "backend/shop/views.py": "from rest_framework.views import APIView\n\n\nclass OrderListView(APIView):\n    pass\n",
        "backend/shop/urls.py": 'from django.urls import path\n\nfrom shop.views import OrderListView\n\nurlpatterns = [path("orders/", OrderListView.as_view(), name="order-list")]\n',
        "backend/shop/tasks.py": "from celery import shared_task\n\n\n@shared_task\ndef close_stale_orders():\n    return None\n",
    })
    result = survey(repo)
    assert result.problems == []
    assert main(["repo", "check", str(repo)]) == 0
    out = capsys.readouterr().out
    assert "/api/orders/" in out and "close_stale_orders" in out and "shop.Order" in out and "number CharField" in out


@pytest.mark.parametrize("argv", [["repo", "check", "/no/such/repo"], ["repo", "check", ".", "--conventions", "/no/such.yaml"]])
def test_bad_input_exits_2(argv):
    assert main(argv) == 2


def test_the_declarations_pass_reads_the_vendored_real_project():
    repo = Path(__file__).resolve().parents[2] / "tests/fixtures/real_repos/django-styleguide-example"
    declared = declarations(survey_repo(repo).facts)
    assert {task.name for task in declared.tasks} >= {"email_send"}
    assert any(item.name == "LimitOffsetPagination" for item in declared.paginators)
