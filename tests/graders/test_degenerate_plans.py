"""Degenerate answers are graded in bounded time: hang guards, not timings.

Up to the last group, each text below kept `grade_plan` busy for over a minute at the size
given before the graders were fixed (each was graded by hand with the old code): a regex
backtracking over a long run of one character, or a grader reading a whole line or block
again for every match in it. Now each takes at most about two seconds. They are graded two at
a time in forked workers; the test fails when one has not finished after GRADE_SECONDS,
naming it, or when a score is not in [0, 1].

The 200 KB run of backticks and the 1 MB line of prose are in tests/reliability/test_model_answers.py.
"""

from __future__ import annotations

import multiprocessing
import time
from collections.abc import Callable

import pytest

from archbench.core.scenarios import DEFAULT_SCENARIOS_DIR, load_scenario
from archbench.graders.grade import grade_plan

GRADE_SECONDS = 60  # generous on purpose: this guards against hangs, it does not measure speed
SCENARIO = DEFAULT_SCENARIOS_DIR / "notifications.yaml"  # a real repo (tldr): many model and field names
MODEL_HEADING = "## `Notification` model\n"


def _lines(line: str, size: int) -> str:
    return (line * (size // len(line) + 1))[:size]


# name -> text
DEGENERATE: dict[str, Callable[[], str]] = {
    # conventions: a mention's cue re-read its whole line
    "backticked letters on one line": lambda: "`x" * 20_000,
    # conventions: PROSE_NEW_MODEL / NEW_APP tried a run of marks from each of its offsets
    "a run of stars": lambda: "*" * 200_000,
    # scope: _JS_LINE split a run of spaces three ways
    "import and spaces": lambda: "```\nimport" + " " * 20_000 + "x\n```\n",
    # conventions: INHERITS split a run of spaces three ways
    "inherits and spaces": lambda: MODEL_HEADING + "It inherits" + " " * 5_000 + "x\n",
    # conventions: ID_UUID_ROW split a line of spaces in a model's section
    "a line of spaces under a model": lambda: MODEL_HEADING + " " * 200_000 + "|\n",
    # scope: every prefix of 80-line regions of decorators parsed, for every line
    "decorator lines": lambda: "```python\n" + "@shared_task\n" * 12_000,
    # conventions: STATUS_CONSTANT backtracked from each STATUS of one word to its end
    "one word of STATUS_": lambda: _lines("STATUS_", 400_000),
    # conventions: each status value copied the rest of its line to look at what follows it
    "status values on one line": lambda: "status values: " + _lines("`open` ", 400_000),
    # completeness and conventions: each HTTP method was paired with every path of its line
    "distinct GET paths on one line": lambda: "".join(f"GET /api/v1/x{i}/ " for i in range(22_000)),
    # plan: heading_span walked every heading, for every heading
    "model headings": lambda: _lines(MODEL_HEADING, 1_000_000),
    # completeness: a model's span walked every block after each paragraph naming it
    "paragraphs naming a model": lambda: _lines("The `Notification` model stores the recipient.\n\n", 1_000_000),
    # scope: the blocks that hand frontend work off were searched again for each instruction line
    "frontend instructions": lambda: _lines('Also add an "Audit log" page at `app/pages/audit.vue` listing entries.\n', 400_000),
    # scope: each statement's excerpt split the block's whole source; completeness re-read task context
    "indented calls": lambda: _lines("    make_tasks(self.project, 50)\n", 400_000),
    # completeness: a method without a path looked back over its section for a path, for every such line
    "methods listed under one path": lambda: "CRUD on `/api/notifications/`:\n\n" + _lines("- `GET` list\n", 200_000),
    "rows on the same path": lambda: "| GET | `/api/notifications/` |\n" + _lines("| POST | same |\n", 200_000),
    # runs and shapes that were already quick, kept as guards
    "a run of pipes": lambda: "|" * 1_000_000,
    "a run of hashes": lambda: "#" * 1_000_000,
    "one snake_case line": lambda: _lines("a_b_c_d_e_", 1_000_000),
    "100,000 nested list markers": lambda: "- " * 100_000 + "x",
    "unclosed fences": lambda: "```\n" * 50_000,
}

_scenario = None  # loaded, and its repo's facts read, before the workers fork


def _grade(name: str) -> tuple[str, dict[str, float]]:
    return name, grade_plan(DEGENERATE[name](), _scenario).scores


@pytest.fixture(scope="module")
def warmed_scenario():
    global _scenario
    _scenario = load_scenario(SCENARIO)
    grade_plan("# warm-up\n", _scenario)  # repo facts and compiled patterns: cached before forking
    yield _scenario
    _scenario = None


def test_degenerate_answers_are_graded_without_hanging(warmed_scenario):
    pool = multiprocessing.get_context("fork").Pool(2)
    try:
        pending = {name: pool.apply_async(_grade, (name,)) for name in DEGENERATE}
        deadline = time.monotonic() + GRADE_SECONDS
        scores, stuck = {}, []
        for name, result in pending.items():
            try:
                scores[name] = result.get(timeout=max(0.0, deadline - time.monotonic()))[1]
            except multiprocessing.TimeoutError:
                stuck.append(name)
    finally:
        pool.terminate()
        pool.join()
    assert not stuck, f"not graded within {GRADE_SECONDS} s: {stuck}"
    for name, values in scores.items():
        assert set(values) == {"scope", "completeness", "conventions", "grounding", "overall"}, name
        assert all(0.0 <= value <= 1.0 for value in values.values()), (name, values)
