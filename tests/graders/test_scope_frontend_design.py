"""Scope, issue 16 section 2: frontend design is recognised by what is designed, not by UI-sounding words.

Backend plans for features whose domain words are also UI words ("saved views", "board", "calendar",
"badge", "visibility", "layout", "theme") must pass; plans that design components, pages, stores,
composables, templates, styles or files under the frontend folder(s) must not. Prose instructions to
edit frontend files, without their code, are `frontend_instructions`, not `frontend_code`.
"""

import pytest

from archbench.graders.plan import parse_plan
from archbench.graders.scope import check_scope, diff_violations

FENCE = "```"


def violations(text: str, frontend_dir="frontend"):
    return check_scope(parse_plan(text), None, frontend_dir).violations


# The two lines the issue quotes: both were reported as "frontend design (components, composables, stores)".
ISSUE_EXAMPLES = [
    pytest.param(
        "## Endpoints\n\n| method | path | purpose | status |\n|---|---|---|---|\n"
        "| PATCH | /api/saved-views/<pk>/ | rename, change filters/visibility | 200, 400; 403 if not can_edit |\n",
        id="endpoint-row-filters-visibility",
    ),
    pytest.param(
        "- Add an endpoint `GET /api/waiting-list/days/<Date>/` returning the number of open entries per day."
        " The frontend can use it to show the badge on the calendar.\n",
        id="frontend-can-use-it-to-show-the-badge",
    ),
]

# Backend-only plans whose feature words overlap UI words. Each line is something a good backend plan says.
BACKEND_ONLY = [
    pytest.param(
        "## SavedView model\n\n- `visibility`: CharField with choices `private`/`project`; add an index on (project, visibility).\n"
        "- `layout`: CharField, one of list, board, calendar, spreadsheet; the server only stores it.\n"
        "- Update `<SavedView>.filters` in the same transaction as the rename.\n",
        id="saved-views-visibility-and-layout",
    ),
    pytest.param(
        "1. Add a `board_position` IntegerField to `Task` so the board can keep its order.\n"
        "2. Change the `/api/boards/<BoardId>/columns/` endpoint to return `wip_limit`.\n"
        "3. Show the badge count in the response as `overdue_count`.\n",
        id="board-columns",
    ),
    pytest.param(
        "Create a `CalendarEvent` model; render the ICS feed in `calendar/feeds.py` with a Django view.\n"
        "Then update the `CalendarView` API view to filter by `start__lt`.\n",
        id="calendar-feed-and-api-view",
    ),
    pytest.param(
        "- Add `theme` (CharField: light, dark, system) to `UserPreferences`; the web app will style itself from it.\n"
        "- Display name and theme are returned by `GET /api/me/preferences/`.\n",
        id="theme-preference",
    ),
    pytest.param(
        "- Add a `color` CharField(max_length=7) holding a CSS hex colour such as `#ff0000` to `Label`.\n"
        "- Change the `theme` choices to light, dark and high-contrast; the SPA will map them to CSS variables.\n",
        id="label-colour-and-theme-choices",
    ),
    pytest.param(
        "Add an endpoint `GET /api/notifications/unread-count/` that the bell badge polls every 30 s; "
        "the `NotificationBell` component reads `count` from it.\n",
        id="endpoint-a-component-polls",
    ),
    pytest.param(
        "Render the reminder email with the Django template `reminders/email/due_soon.html`; "
        "change the subject line to include the issue key.\n",
        id="django-email-template",
    ),
    pytest.param(
        "So that the client can render it, the serializer should add `display_name` and `avatar_url`.\n"
        "The frontend will show the badge next to each view; it should update when `updated_at` changes.\n",
        id="consumer-described",
    ),
]

# Frontend design in prose: what is designed is a frontend file or piece.
FRONTEND_INSTRUCTIONS = [
    pytest.param(
        "## Steps\n\n1. Open `web/components/views/ViewPicker.vue` and add a \"Save view\" button.\n"
        "2. Edit `web/store/views.ts` to keep the saved views.\n",
        "web", 3, id="numbered-steps-on-named-frontend-files",
    ),
    pytest.param("Create a `SavedViewPicker` component listing the project's views.\n", "frontend", 1, id="component"),
    pytest.param(
        "- `app/components/AppointmentCard.vue`: next to the \"Attended\" button, render a \"No show\" button.\n",
        "frontend", 1, id="file-as-the-label-of-a-step",
    ),
    pytest.param("In `frontend/app/pages/invoices/[id].vue`, add a text input for the PO number.\n", "frontend", 1, id="in-file-comma-add"),
    pytest.param("- Update the Pinia store to cache saved views per project.\n", "frontend", 1, id="pinia-store"),
    pytest.param("Add a `useSavedViews()` composable that fetches the list.\n", "frontend", 1, id="composable"),
    pytest.param("Then render `<CalendarBadge :count=\"n\" />` in each day cell.\n", "frontend", 1, id="component-tag"),
    pytest.param("The `CalendarDay.vue` template must be updated to show the count.\n", "frontend", 1, id="passive-edit"),
    pytest.param("- Style the badge in `web/styles/calendar.scss` with the theme colours.\n", "web", 1, id="stylesheet"),
    pytest.param("Then add a CSS class `is-overdue` that turns the day cell red.\n", "frontend", 1, id="css-class"),
    pytest.param(
        "| file | change |\n|---|---|\n| `admin/pages/settings.tsx` | add a theme switch |\n",
        ("web", "admin"), 3, id="files-table-second-frontend",
    ),
]


@pytest.mark.parametrize("text", ISSUE_EXAMPLES + BACKEND_ONLY)
def test_backend_text_with_ui_words_passes(text):
    assert violations(text) == ()


@pytest.mark.parametrize(("text", "frontend_dir", "line"), FRONTEND_INSTRUCTIONS)
def test_frontend_design_in_prose_is_frontend_instructions(text, frontend_dir, line):
    found = violations(text, frontend_dir)
    assert [(v.kind, v.line) for v in found][:1] == [("frontend_instructions", line)]
    assert {v.kind for v in found} == {"frontend_instructions"}
    assert found[0].reason and found[0].evidence


def test_frontend_code_stays_frontend_code():
    text = f"{FENCE}vue\n<template><CalendarBadge :count=\"n\" /></template>\n{FENCE}\n"
    assert [v.kind for v in violations(text)] == ["frontend_code"]


def test_handoff_of_frontend_steps_passes():
    text = (
        "## Frontend hand-off (for the frontend-architect)\n\n"
        "1. Add a `SavedViewPicker` component.\n2. Update `web/store/views.ts`.\n"
    )
    assert violations(text, "web") == ()


def test_several_frontend_folders():
    text = "- Create admin/src/routes/themes.html for the theme editor.\n- Create docs/notes.txt for the changelog.\n"
    assert [v.line for v in violations(text, ("web", "admin"))] == [1]
    assert violations(text, "web") == ()  # admin/ is only a frontend when the repo says so
    kinds = [v.kind for v in diff_violations({"created": ["admin/src/app.ts", "web/x.vue", "api/x.py"]}, ("web", "admin"))]
    assert kinds == ["frontend_edit", "frontend_edit", "file_edit"]
