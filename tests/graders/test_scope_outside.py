"""Scope, round 2 of issue 16: numbered template edits for a "frontend developer" in a repo with several
frontend folders (found on gold/held_out_4_froide). The plan text was written for these tests."""

from archbench.core.scenarios import Scenario
from archbench.graders.grade import grade_plan
from archbench.graders.plan import parse_plan
from archbench.graders.scope import check_scope
from tests.graders.test_grade import BELL

INSTRUCTIONS = """## Backend

- `GET /api/v1/alerts/` lists the caller's alerts (200).

## Site changes (for the frontend developer)

1. In `shop/alerts/templates/alerts/list.html`, replace the static table with rows loaded from the API.
2. Add a spinner while the list loads.
"""
FOLDERS = ("shop/templates", "shop/alerts/templates")


def test_a_heading_naming_the_frontend_developer_addresses_instructions_it_hands_nothing_off():
    verdict = check_scope(parse_plan(INSTRUCTIONS), None, FOLDERS)
    assert not verdict.passed
    assert [violation.kind for violation in verdict.violations] == ["frontend_instructions"]
    handed_off = INSTRUCTIONS.replace("(for the frontend developer)", "(handed to the frontend-architect)")
    assert check_scope(parse_plan(handed_off), None, FOLDERS).passed


def test_grading_reads_every_frontend_folder_of_the_repo(monkeypatch):
    config = BELL.repo_config.model_copy(update={"frontend_dir": FOLDERS[0], "frontend_dirs": FOLDERS})
    monkeypatch.setattr(Scenario, "repo_config", property(lambda self: config))
    grade = grade_plan(INSTRUCTIONS, BELL)
    assert [violation.kind for violation in grade.scope.violations] == ["frontend_instructions"]
