"""Calibration against the hand-labelled gold sets: metric arithmetic, strict labels, and the floors.

The floors (scope accuracy, no false violation on plans that must pass, completeness item
agreement) are measured with the real graders on the sets gold/sets.yaml declares. On the
development sets (read while tuning the graders) they are regression guards: a failure means a
grader lost ground on labels it was tuned to. On the held-out set (never seen by whoever changed
the graders) they are the targets; a target the graders miss there is a strict xfail carrying the
measured figure, never a lowered target. docs/calibration.md lists the disagreements to look at.
"""

import shutil
from pathlib import Path
from textwrap import dedent

import pytest
import yaml

from archbench.core.strict_yaml import InputError
from archbench.graders.calibrate import (
    BLIND,
    DEFAULT_GOLD_DIR,
    DEVELOPMENT,
    HELD_OUT,
    ITEM_AGREEMENT_TARGET,
    MUST_PASS_KINDS,
    RANKING_TARGET,
    SCOPE_ACCURACY_TARGET,
    Agreement,
    Verdict,
    calibrate,
    cohen_kappa,
    load_gold,
    measure,
)

FIXTURE_SCENARIOS = Path(__file__).resolve().parent.parent / "fixtures" / "scenarios"
MINI_ITEMS = [
    "tag-model",
    "tag-model.field.owner",
    "tag-model.field.name",
    "tag-model.constraint.1",
    "list-notes-by-tag",
    "list-notes-by-tag.status.200",
    "list-notes-by-tag.query.tag",
    "tag-of-other-user",
]


def pairs(yes_yes: int, yes_no: int, no_yes: int, no_no: int) -> list[tuple[bool, bool]]:
    return [(True, True)] * yes_yes + [(True, False)] * yes_no + [(False, True)] * no_yes + [(False, False)] * no_no


# --- kappa and agreement, computed by hand ------------------------------------------------------


def test_kappa_matches_the_hand_computed_textbook_case():
    # 50 calls: both yes 20, A yes/B no 5, A no/B yes 10, both no 15.
    # observed = 35/50 = 0.70; A says yes 25/50 = 0.5, B says yes 30/50 = 0.6;
    # chance = 0.5*0.6 + 0.5*0.4 = 0.50; kappa = (0.70 - 0.50) / (1 - 0.50) = 0.40
    assert cohen_kappa(pairs(20, 5, 10, 15)) == pytest.approx(0.40)


def test_kappa_of_a_second_hand_computed_case():
    # 20 calls: 8 / 2 / 3 / 7. observed 15/20 = 0.75; yes rates 10/20 and 11/20;
    # chance = 0.5*0.55 + 0.5*0.45 = 0.50; kappa = 0.25 / 0.50 = 0.50
    assert cohen_kappa(pairs(8, 2, 3, 7)) == pytest.approx(0.50)


@pytest.mark.parametrize(
    ("calls", "expected"),
    [
        pytest.param(pairs(5, 0, 0, 5), 1.0, id="perfect"),
        pytest.param(pairs(0, 5, 5, 0), -1.0, id="always-opposite"),
        pytest.param(pairs(6, 4, 0, 0), 0.0, id="grader-says-yes-to-everything"),
        pytest.param(pairs(4, 0, 0, 0), None, id="both-constant-undefined"),
        pytest.param([], None, id="empty"),
    ],
)
def test_kappa_edge_cases(calls, expected):
    result = cohen_kappa(calls)
    assert result == (pytest.approx(expected) if expected is not None else None)


def test_agreement_counts_precision_and_recall():
    agreement = Agreement.of(pairs(6, 2, 1, 11))  # (label, grader)
    assert (agreement.true_positive, agreement.false_negative, agreement.false_positive, agreement.true_negative) == (
        6,
        2,
        1,
        11,
    )
    assert agreement.accuracy == pytest.approx(17 / 20)
    assert agreement.precision == pytest.approx(6 / 7)
    assert agreement.recall == pytest.approx(6 / 8)


# --- strict labels ----------------------------------------------------------------------------


PLAN = "# Tags\n\nA `Tag` model with owner (ForeignKey) and name (CharField).\n"


def write_gold(tmp_path: Path, labels: str, plans: dict[str, str] | None = None) -> Path:
    for name, text in (plans or {"plans/mini-tags/one.md": PLAN, "plans/mini-tags/two.md": PLAN}).items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    (tmp_path / "labels.yaml").write_text(dedent(labels))
    return tmp_path


RUBRICS = "rubrics:\n  mini-tags:\n    version: 1\n    items: [" + ", ".join(MINI_ITEMS) + "]\n"
HEADER = "labelled_by: a test\nmethod: by hand\n" + RUBRICS


def case(case_id="mini-tags/one", plan="plans/mini-tags/one.md", kinds="[good]", scope="{passed: true, violations: []}",
         items="{default: true, except: []}", extra=""):
    return dedent(f"""\
      - id: {case_id}
        scenario: mini-tags
        plan: {plan}
        kinds: {kinds}
        scope: {scope}
        items: {items}
    """) + extra


def test_valid_labels_load_and_expand_to_every_rubric_item(tmp_path):
    gold_dir = write_gold(tmp_path, HEADER + "cases:\n" + case(items="{default: false, except: [tag-model]}"))
    (loaded,) = load_gold(gold_dir, FIXTURE_SCENARIOS).cases
    assert loaded.item_ids == tuple(MINI_ITEMS)
    assert [loaded.label.items.met(item) for item in MINI_ITEMS] == [True] + [False] * 7


@pytest.mark.parametrize(
    ("cases", "message"),
    [
        pytest.param(case(extra="  colour: blue\n"), "unknown key 'colour'", id="unknown-key"),
        pytest.param(case(scope="{passed: true, violations: [frontend_code]}"), "passed must be true exactly", id="passed-with-violation"),
        pytest.param(case(scope="{passed: false, violations: [file_edit]}"), "violations", id="repo-only-violation-kind"),
        pytest.param(case(kinds="[brilliant]"), "kinds", id="unknown-plan-kind"),
        pytest.param(case(items="{default: true, except: [tag-model.field.colour]}"), "does not have", id="unknown-item-id"),
        pytest.param(case(items="{default: true, except: [tag-model, tag-model]}"), "listed twice", id="item-listed-twice"),
        pytest.param(case(extra="  notes: {no-such-item: why}\n"), "notes are keyed", id="note-on-unknown-item"),
        pytest.param(case(plan="plans/mini-tags/missing.md"), "not found", id="missing-plan-file"),
        pytest.param(case() + case(), "duplicate case id", id="duplicate-case"),
    ],
)
def test_bad_labels_fail_with_file_and_line(tmp_path, cases, message):
    gold_dir = write_gold(tmp_path, HEADER + "cases:\n" + cases)
    with pytest.raises(InputError, match=message) as error:
        load_gold(gold_dir, FIXTURE_SCENARIOS)
    assert "labels.yaml" in str(error.value)


def test_duplicate_yaml_keys_are_refused(tmp_path):
    gold_dir = write_gold(tmp_path, HEADER + "cases:\n" + case(extra="  kinds: [thin]\n"))
    with pytest.raises(InputError, match="duplicate key 'kinds'"):
        load_gold(gold_dir, FIXTURE_SCENARIOS)


@pytest.mark.parametrize(
    ("rubrics", "message"),
    [
        pytest.param(RUBRICS.replace("version: 1", "version: 2"), "labelled against version 2", id="version-changed"),
        pytest.param(RUBRICS.replace("tag-of-other-user", "tag-colour"), r"added \['tag-of-other-user'\]", id="items-changed"),
    ],
)
def test_labels_written_against_another_rubric_are_refused(tmp_path, rubrics, message):
    gold_dir = write_gold(tmp_path, "labelled_by: a test\nmethod: by hand\n" + rubrics + "cases:\n" + case())
    with pytest.raises(InputError, match=message):
        load_gold(gold_dir, FIXTURE_SCENARIOS)


# --- the held-out set ----------------------------------------------------------------------------


HELD_SCENARIO = "mini-tags-held"


def scenarios_with_held_out_scenario(tmp_path: Path) -> Path:
    """The fixture scenarios plus a copy of mini-tags under another id, for a held-out set."""
    fixtures = tmp_path / "fixtures"
    shutil.copytree(FIXTURE_SCENARIOS.parent, fixtures)
    original = (fixtures / "scenarios" / "mini-tags.yaml").read_text()
    (fixtures / "scenarios" / f"{HELD_SCENARIO}.yaml").write_text(original.replace("id: mini-tags", f"id: {HELD_SCENARIO}"))
    return fixtures / "scenarios"


def held_out_labels(scenario: str = HELD_SCENARIO, case_id: str = f"{HELD_SCENARIO}/one") -> str:
    rubrics = RUBRICS.replace("mini-tags:", f"{scenario}:")
    return "labelled_by: a test\nmethod: by hand\n" + rubrics + "cases:\n" + case(case_id=case_id).replace(
        "scenario: mini-tags", f"scenario: {scenario}"
    )


def write_held_out(gold_dir: Path, labels: str) -> None:
    held = gold_dir / "held_out"
    (held / "plans" / "mini-tags").mkdir(parents=True)
    (held / "plans" / "mini-tags" / "one.md").write_text(PLAN)
    (held / "labels.yaml").write_text(labels)


def test_a_held_out_folder_is_loaded_as_a_second_set(tmp_path):
    scenarios = scenarios_with_held_out_scenario(tmp_path)
    gold_dir = write_gold(tmp_path / "gold", HEADER + "cases:\n" + case())
    write_held_out(gold_dir, held_out_labels())
    gold = load_gold(gold_dir, scenarios)
    assert [(gold_set.name, [c.id for c in gold_set.cases]) for gold_set in gold.sets] == [
        (DEVELOPMENT, ["mini-tags/one"]),
        (HELD_OUT, [f"{HELD_SCENARIO}/one"]),
    ]
    assert [c.id for c in gold.cases] == ["mini-tags/one", f"{HELD_SCENARIO}/one"]


@pytest.mark.parametrize(
    ("labels", "message"),
    [
        pytest.param(held_out_labels(scenario="mini-tags", case_id="mini-tags/other"), "shares scenarios", id="shared-scenario"),
        pytest.param(held_out_labels(case_id="mini-tags/one"), "reuses development case ids", id="shared-case-id"),
    ],
)
def test_a_held_out_set_that_overlaps_the_development_set_is_refused(tmp_path, labels, message):
    scenarios = scenarios_with_held_out_scenario(tmp_path)
    gold_dir = write_gold(tmp_path / "gold", HEADER + "cases:\n" + case())
    write_held_out(gold_dir, labels)
    with pytest.raises(InputError, match=message) as error:
        load_gold(gold_dir, scenarios)
    assert "held_out" in str(error.value)


def test_a_held_out_folder_without_labels_is_refused(tmp_path):
    gold_dir = write_gold(tmp_path, HEADER + "cases:\n" + case())
    (gold_dir / "held_out").mkdir()
    with pytest.raises(InputError, match="file not found"):
        load_gold(gold_dir, FIXTURE_SCENARIOS)


# --- measuring ------------------------------------------------------------------------------------


def test_measure_counts_missing_verdicts_as_disagreements_and_flags_must_pass_plans(tmp_path):
    labels = HEADER + "cases:\n" + case(kinds="[example_only]") + case(
        case_id="mini-tags/two",
        plan="plans/mini-tags/two.md",
        kinds="[code_writing]",
        scope="{passed: false, violations: [implementation_code]}",
        items="{default: false, except: []}",
    )
    gold = load_gold(write_gold(tmp_path, labels), FIXTURE_SCENARIOS)
    verdicts = {
        "mini-tags/one": Verdict(
            scope_passed=False,
            violations=("implementation_code",),
            items={item: True for item in MINI_ITEMS[:-1]},  # no verdict on the last item
        ),
        "mini-tags/two": Verdict(scope_passed=False, violations=("implementation_code",), items={i: False for i in MINI_ITEMS}),
    }
    (report,) = measure(gold, {"test": verdicts}).graders
    assert report.scope.accuracy == pytest.approx(0.5)
    assert (report.scope.precision, report.scope.recall) == (pytest.approx(0.5), pytest.approx(1.0))
    assert report.must_pass_false_violations == ("mini-tags/one",)
    assert report.items.total == 16 and report.items.accuracy == pytest.approx(15 / 16)
    assert report.unanswered == 1
    assert [(d.case, d.what, d.grader) for d in report.disagreements] == [
        ("mini-tags/one", "scope", "violation (implementation_code)"),
        ("mini-tags/one", "tag-of-other-user", "no verdict"),
    ]
    assert not report.targets[f"scope accuracy >= {SCOPE_ACCURACY_TARGET:.2f}"]


def test_each_set_is_measured_on_its_own_and_the_targets_on_the_held_out_set(tmp_path):
    scenarios = scenarios_with_held_out_scenario(tmp_path)
    gold_dir = write_gold(tmp_path / "gold", HEADER + "cases:\n" + case())
    write_held_out(gold_dir, held_out_labels())
    gold = load_gold(gold_dir, scenarios)
    all_met = {item: True for item in MINI_ITEMS}
    verdicts = {
        "mini-tags/one": Verdict(scope_passed=True, items=all_met),  # the development plan: perfect
        f"{HELD_SCENARIO}/one": Verdict(scope_passed=True, items={**all_met, "tag-model": False}),  # one item missed
    }
    report = measure(gold, {"test": verdicts})
    assert [s.name for s in report.sets] == [DEVELOPMENT, HELD_OUT]
    assert report.development.graders[0].items.accuracy == 1.0
    assert report.held_out.graders[0].items.accuracy == pytest.approx(7 / 8)
    assert report.target_set is report.held_out and report.graders == report.held_out.graders
    assert report.development.meets_targets and not report.meets_targets
    text = report.to_text()
    assert "development (seen while tuning the graders)" in text and "held-out (never seen)" in text
    assert "targets are judged on the held-out set" in text
    assert "target MISSED completeness item agreement >= 0.90  (on the held-out set)" in text
    data = report.to_json()
    assert data["targets_judged_on"] == HELD_OUT and data["meets_targets"] is False
    assert [s["name"] for s in data["sets"]] == [DEVELOPMENT, HELD_OUT]


def test_without_a_held_out_set_the_report_says_its_figures_are_not_independent(tmp_path):
    gold = load_gold(write_gold(tmp_path, HEADER + "cases:\n" + case()), FIXTURE_SCENARIOS)
    report = measure(gold, {"test": {"mini-tags/one": Verdict(scope_passed=True, items={i: True for i in MINI_ITEMS})}})
    assert report.held_out is None and report.target_set is report.development
    assert report.meets_targets
    assert "not an independent measurement" in report.to_text()
    assert report.to_json()["targets_judged_on"] == DEVELOPMENT


# --- the gold sets and the floors ------------------------------------------------------------------
# Development set: regression guards (the graders were tuned on it). Held-out set: the targets.

# The development sets are what the graders were tuned on: their floor guards against losing
# ground there (measured 89.4% when gold/held_out/ joined them), it is not the target.
DEVELOPMENT_ITEM_AGREEMENT_FLOOR = 0.89


@pytest.fixture(scope="module")
def report():
    return calibrate()


@pytest.fixture(scope="module")
def development(report):
    return report.development.graders[0]


@pytest.fixture(scope="module")
def held_out(report):
    assert report.held_out is not None, "no held-out gold set (gold/sets.yaml)"
    return report.held_out.graders[0]


@pytest.mark.parametrize(("set_name", "minimum_cases", "minimum_per_must_pass_kind"), [(DEVELOPMENT, 40, 4), (HELD_OUT, 32, 3)])
def test_each_gold_set_is_broad_enough(report, set_name, minimum_cases, minimum_per_must_pass_kind):
    gold_set = report.development if set_name == DEVELOPMENT else report.held_out
    assert gold_set.cases >= minimum_cases
    assert len(gold_set.scenarios) >= 6 and {"clinic", "ledger", "tldr"} <= set(gold_set.repos)
    required = {"good", "thin", "off_topic", "code_writing", "frontend_designing", "frontend_deferring", "example_only"}
    assert required <= set(gold_set.plan_kinds)
    assert all(gold_set.plan_kinds[kind] >= minimum_per_must_pass_kind for kind in MUST_PASS_KINDS)


def test_the_held_out_set_shares_no_scenario_with_the_development_set(report):
    assert not set(report.held_out.scenarios) & set(report.development.scenarios)


def test_targets_are_judged_on_the_held_out_set(report):
    assert report.target_set is report.held_out
    assert report.to_json()["targets_judged_on"] == HELD_OUT


def test_scope_grader_holds_its_floor_on_the_development_set(development):
    assert development.scope.accuracy >= SCOPE_ACCURACY_TARGET, development.to_json()["disagreements"]


def test_no_false_violation_on_deferring_or_example_only_development_plans(development):
    assert development.must_pass_false_violations == ()


# The folders that floor was measured on; held_out_4_* (fresh plans on real projects, development data since
# round 2 of issue 16) joined later, with figures of their own (DEVELOPMENT_FOLDER_FLOORS).
MERGED_FLOOR_FOLDERS = (".", "held_out", "held_out_3")


def test_completeness_grader_holds_its_item_agreement_floor_on_the_development_set(development):
    scenarios = {
        scenario
        for folder in MERGED_FLOOR_FOLDERS
        for scenario in yaml.safe_load((Path(DEFAULT_GOLD_DIR) / folder / "labels.yaml").read_text())["rubrics"]
    }
    pairs = [pair for scenario, pair in development.items_by_scenario.items() if scenario in scenarios]
    agreeing = sum(pair.true_positive + pair.true_negative for pair in pairs)
    missed = [f"{d.case} {d.what}: label {d.label}" for d in development.disagreements if d.what != "scope"]
    assert agreeing / sum(pair.total for pair in pairs) >= DEVELOPMENT_ITEM_AGREEMENT_FLOOR, f"{len(missed)} item disagreements: {missed[:20]}"


# Each development folder keeps its own floor (its scenarios are its own, so its figure is the sum of
# theirs): what it measured before the issue-16 completeness rules of session 5, when gold/held_out_3
# joined the development data (gold/ 92.6%, held_out 86.2%, held_out_3 79.0% -> 88.6% after them).
# held_out_4_*: what they measure after round 2 of issue 16, the rules written from their disagreements
# (75.7% -> 85.7% helpdesk, 74.2% -> 77.6% froide; docs/calibration.md, "Round 2").
DEVELOPMENT_FOLDER_FLOORS = {".": 0.92, "held_out": 0.86, "held_out_3": 0.88, "held_out_4_helpdesk": 0.85, "held_out_4_froide": 0.77}


@pytest.mark.parametrize(("folder", "floor"), DEVELOPMENT_FOLDER_FLOORS.items())
def test_each_development_folder_holds_its_item_agreement_floor(development, folder, floor):
    scenarios = yaml.safe_load((Path(DEFAULT_GOLD_DIR) / folder / "labels.yaml").read_text())["rubrics"]
    assert scenarios and set(scenarios) <= set(development.items_by_scenario), folder
    pairs = [development.items_by_scenario[scenario] for scenario in scenarios]
    agreeing = sum(pair.true_positive + pair.true_negative for pair in pairs)
    assert agreeing / sum(pair.total for pair in pairs) >= floor


def test_scope_grader_meets_its_target_on_the_held_out_set(held_out):
    assert held_out.scope.accuracy >= SCOPE_ACCURACY_TARGET, held_out.to_json()["disagreements"]


def test_no_false_violation_on_deferring_or_example_only_held_out_plans(held_out):
    assert held_out.must_pass_false_violations == ()


def test_completeness_grader_meets_its_item_agreement_target_on_the_held_out_set(held_out):
    missed = [f"{d.case} {d.what}: label {d.label}" for d in held_out.disagreements if d.what != "scope"]
    assert held_out.items.accuracy >= ITEM_AGREEMENT_TARGET, f"{len(missed)} item disagreements: {missed[:20]}"


@pytest.mark.parametrize("set_name", [DEVELOPMENT, HELD_OUT])
def test_report_lists_every_disagreement(report, set_name):
    gold_set = report.development if set_name == DEVELOPMENT else report.held_out
    grader = gold_set.graders[0]
    item_disagreements = [d for d in grader.disagreements if d.what != "scope"]
    assert len(item_disagreements) == grader.items.false_positive + grader.items.false_negative
    assert f"disagreements ({len(grader.disagreements)}):" in "\n".join(gold_set.text_lines(judged_here=False))
    assert f"######## {gold_set.title} set" in report.to_text()
    (json_set,) = [s for s in report.to_json()["sets"] if s["name"] == set_name]
    assert json_set["graders"][0]["targets"] == grader.targets


def test_item_agreement_interval_resamples_whole_plans():
    from archbench.graders.calibrate import _plan_bootstrap_interval  # noqa: PLC0415 - private helper, tested directly

    assert _plan_bootstrap_interval([(10, 10), (10, 10), (10, 10)]) == (1.0, 1.0)
    low, high = _plan_bootstrap_interval([(10, 10), (0, 10)] * 10)
    assert 0.25 < low < 0.5 < high < 0.75  # 20 plans, half agreeing fully: 50% with a plan-level spread
    assert _plan_bootstrap_interval([(3, 4)]) is None  # one plan: no interval


def test_sets_file_declares_development_and_held_out(tmp_path):
    gold = tmp_path / "gold"
    shutil.copytree(DEFAULT_GOLD_DIR, gold)
    (gold / "sets.yaml").write_text(
        "development:\n  - {dir: ., why: tuned on it}\n  - {dir: held_out, why: tuned on it later}\n"
        "held_out: {dir: held_out, why: oops}\n"
    )
    with pytest.raises(InputError, match="shares scenarios"):
        load_gold(gold)
    (gold / "sets.yaml").write_text("development:\n  - {dir: ., why: tuned on it}\nheld_out: {dir: held_out, why: blind}\nextra: 1\n")
    with pytest.raises(InputError, match="unknown key 'extra'"):
        load_gold(gold)


# --- quality ratings and the ranking measure (issue 16) ----------------------------------------------


def rated(case_id: str, rating: str, kinds: str = "[good]", items: str | None = None) -> str:
    plan = "plans/mini-tags/" + case_id.split("/")[1] + ".md"
    lines = [f"  - id: {case_id}", "    scenario: mini-tags", "    version: 1", f"    plan: {plan}", f"    kinds: {kinds}",
             "    scope: {passed: true, violations: []}", f"    quality: {rating}"]
    if items:
        lines.append(f"    items: {items}")
    return "\n".join(lines) + "\n"


def rated_gold(tmp_path: Path, cases: str, rubrics: str = "") -> Path:
    names = [line.split("/")[1].strip() for line in cases.splitlines() if line.startswith("  - id:")]
    return write_gold(tmp_path, "labelled_by: a test\nmethod: by hand\n" + rubrics + "cases:\n" + cases,
                      {f"plans/mini-tags/{name}.md": PLAN for name in names})


def test_ratings_load_in_both_forms_without_item_labels(tmp_path):
    gold = load_gold(rated_gold(tmp_path, rated("mini-tags/good", "5") + rated("mini-tags/off", "{rating: 1, reason: other request}", "[off_topic]")), FIXTURE_SCENARIOS)
    assert [(case.id, case.label.rating, case.item_ids) for case in gold.cases] == [("mini-tags/good", 5, ()), ("mini-tags/off", 1, ())]


@pytest.mark.parametrize(
    ("cases", "message"),
    [
        pytest.param(rated("mini-tags/one", "6"), "a quality rating is 1 to 5", id="rating-out-of-range"),
        pytest.param(rated("mini-tags/one", "{rating: 4}"), "reason", id="rating-without-reason"),
        pytest.param(rated("mini-tags/one", "{rating: 4, reason: ok}") + "    quality_note: also\n", "quality_note goes with", id="two-reasons"),
        pytest.param(rated("mini-tags/one", "4").replace("    version: 1\n", ""), "give the scenario version", id="no-version-no-rubric"),
        pytest.param(rated("mini-tags/one", "4").replace("version: 1", "version: 2"), "rated against version 2", id="stale-version"),
        pytest.param(rated("mini-tags/one", "4").replace("    quality: 4\n", ""), "needs item labels", id="neither-items-nor-quality"),
        pytest.param(rated("mini-tags/one", "4") + "    references: [{ref: x, line: 99, kind: model, exists: true}]\n", "past the plan", id="reference-beyond-plan"),
    ],
)
def test_bad_ratings_are_refused(tmp_path, cases, message):
    with pytest.raises(InputError, match=message):
        load_gold(rated_gold(tmp_path, cases), FIXTURE_SCENARIOS)


def test_ranking_counts_clearly_different_pairs_per_scenario_and_ties_as_wrong(tmp_path):
    cases = (rated("mini-tags/great", "5") + rated("mini-tags/medium", "3", "[partial]")
             + rated("mini-tags/thin", "2", "[thin]") + rated("mini-tags/off", "1", "[off_topic]"))
    gold = load_gold(rated_gold(tmp_path, cases), FIXTURE_SCENARIOS)
    overall = {"mini-tags/great": 0.9, "mini-tags/medium": 0.4, "mini-tags/thin": 0.4, "mini-tags/off": 0.5}
    verdicts = {case_id: Verdict(scope_passed=True, overall=value) for case_id, value in overall.items()}
    (report,) = measure(gold, {"test": verdicts}).graders
    # pairs >= 2 apart: great>medium, great>thin, great>off, medium>off; medium (0.4) is below off (0.5)
    assert report.ranking.pairs == 4 and report.ranking.accuracy == pytest.approx(3 / 4)
    assert [(m.better, m.worse) for m in report.ranking.misordered] == [("mini-tags/medium", "mini-tags/off")]
    # useful (>= 3) against off-topic/thin: great>thin, great>off, medium>thin (a tie: wrong), medium>off
    assert report.weak_below_useful.pairs == 4 and report.weak_below_useful.correct == 2
    targets = report.targets
    assert not targets[f"overall orders >= {RANKING_TARGET:.2f} of clearly-different pairs"]
    assert not targets["off-topic, thin and generic plans below every useful plan"]
    assert "misordered: mini-tags/medium (quality 3, overall 0.40) not above mini-tags/off" in "\n".join(
        measure(gold, {"test": verdicts}).sets[0].text_lines(judged_here=True))


def test_a_frontend_instructions_verdict_matches_a_frontend_code_label(tmp_path):
    labels = HEADER + "cases:\n" + case(kinds="[frontend_designing]", scope="{passed: false, violations: [frontend_code]}")
    gold = load_gold(write_gold(tmp_path, labels), FIXTURE_SCENARIOS)
    verdict = Verdict(scope_passed=False, violations=("frontend_instructions",), items={i: True for i in MINI_ITEMS})
    (report,) = measure(gold, {"test": {"mini-tags/one": verdict}}).graders
    assert report.scope.accuracy == 1.0 and report.scope_by_kind["frontend_code"].recall == 1.0


@pytest.fixture(scope="module")
def blind(report):
    return {gold_set.name: gold_set.graders[0] for gold_set in report.sets if gold_set.kind == BLIND}


def test_the_blind_sets_are_declared_and_measured(report, blind):
    # gold/held_out_3 and held_out_4_* were blind until session 5 tuned completeness rules on their disagreements
    assert set(blind) == {"wrong_repo", "held_out_5_openwisp_users"}
    assert {"django-styleguide-example", "issuetrack"} <= set(report.development.repos)
    assert "(on the blind wrong_repo set; reported, not in the exit status)" in report.to_text()


def test_issue_16_targets_hold_on_the_blind_real_project_set(blind):
    """Measured blind first (docs/calibration.md, held_out_5), kept here as a guard: a grader change that
    breaks it must be seen, and the set then read, becomes development data and is replaced."""
    grader = blind["held_out_5_openwisp_users"]
    assert grader.scope.accuracy >= SCOPE_ACCURACY_TARGET and grader.good_false_violations == ()
    assert grader.ranking.accuracy >= 0.95, grader.ranking
    assert not grader.weak_below_useful.misordered, grader.weak_below_useful


def test_scope_on_repos_the_graders_were_not_written_against(development):
    # issue 16: >= 95% scope accuracy, no false violation on a plan rated good, none on must-pass plans
    # (held_out_3, the rated plans for two repos outside sample_repos, is part of the development set)
    assert development.scope.accuracy >= SCOPE_ACCURACY_TARGET, development.to_json()["disagreements"]
    assert development.good_false_violations == () and development.must_pass_false_violations == ()
    assert development.scope_by_kind["frontend_instructions"].recall == 1.0


def test_overall_orders_clearly_different_pairs_on_the_rated_development_plans(development):
    ranking = development.ranking  # held_out_3's 74 pairs: its plans are the rated ones of the development set
    assert ranking.pairs >= 70
    assert ranking.accuracy >= RANKING_TARGET, [pair.line() for pair in ranking.misordered]


def test_weak_plans_score_below_every_useful_plan(development):
    weak = development.weak_below_useful
    assert weak.pairs >= 43
    assert weak.misordered == (), [pair.line() for pair in weak.misordered]


def test_overall_orders_wrong_repo_plans_below_medium_ones(blind):
    """Issue 20: with grounding reading every assumed reference and its gate in `overall`, plans written
    for the wrong repo fall below the medium plans (73.3% of pairs ordered before grounding recall)."""
    ranking = blind["wrong_repo"].ranking
    assert ranking.accuracy >= RANKING_TARGET, [pair.line() for pair in ranking.misordered]


def test_summary_columns_stay_apart_for_long_set_names(report):
    """Blind sets are named by their folder (`held_out_5_openwisp_users`): wider than the 16-character column."""
    (header, first_row) = [line for line in report.to_text().splitlines() if "summary ==" in line or "scope accuracy  " in line][:2]
    names = [gold_set.name for gold_set in report.sets]
    assert header.split()[-len(names):] == names, header
    assert len(first_row.split()) == 2 + len(names), first_row
