"""build_report end to end on hand-built logs whose numbers are worked out by hand."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest

from archbench.core.strict_yaml import InputError
from archbench.reports.build import build_report
from benchmarks.synth_logs import SampleSpec, Violation, epoch_specs

SONNET = "anthropic/claude-sonnet-4-5"
GPT = "openai/gpt-5"
# 12,000 input and 2,500 output tokens per sample at $3 / $15 per million
SONNET_SAMPLE_USD = 12_000 * 3 / 1e6 + 2_500 * 15 / 1e6  # 0.0735


def variant(summary: dict, prompt: str, model: str) -> dict:
    return next(v for v in summary["variants"] if v["prompt"] == prompt and v["model"] == model)


def test_leaderboard_numbers_by_hand(write, tmp_path):
    # scenario means: a = (1.0 + 0.5 + 0.0) / 3 = 0.5, b = 0.2, c = 0.9 → overall (0.5 + 0.2 + 0.9) / 3 = 0.5333
    # (the sample mean, 3.5 / 6 = 0.5833, would let scenario a weigh three times)
    samples = epoch_specs({"a": [1.0, 0.5, 0.0], "b": [0.2], "c": [0.9, 0.9]})
    samples[2] = replace(samples[2], violations=[Violation("implementation_code", 12, "def send(): ...")])
    samples.append(SampleSpec(scenario="b", epoch=2, error="provider returned 529 overloaded"))
    log = write("one", "seed", SONNET, samples)
    summary = build_report([log], tmp_path / "out")

    row = variant(summary, "seed", SONNET)
    assert row["overall"]["mean"] == pytest.approx(1.6 / 3)
    # resamples of three scenario means: all-b (0.2) and all-c (0.9) each have p = 1/27 > 2.5%
    assert (row["overall"]["ci_low"], row["overall"]["ci_high"]) == pytest.approx((0.2, 0.9))
    assert row["n_samples"] == 6 and row["n_failed"] == 1
    assert row["error_rate"] == pytest.approx(1 / 7)
    # one violation in scenario a's three epochs: (1/3 + 0 + 0) / 3
    assert row["scope_violation_rate"] == pytest.approx(1 / 9)
    assert row["scope_violation_rate_by_kind"]["implementation_code"] == pytest.approx(1 / 9)
    assert row["scope_violation_rate_by_kind"]["frontend_edit"] == 0
    assert row["completeness"] == pytest.approx(1.6 / 3)
    assert row["cost_usd"] == pytest.approx(7 * SONNET_SAMPLE_USD)  # the failed sample's tokens were paid for too
    assert row["tokens"] == 7 * 14_500
    assert summary["n_failed"] == 1
    assert any("1 of 7 samples failed" in note for note in summary["notes"])
    assert summary["partial"] is False
    for name in ("report.html", "report.md", "summary.json", "samples.parquet", "items.parquet"):
        assert (tmp_path / "out" / name).is_file()
    table = pd.read_parquet(tmp_path / "out" / "samples.parquet")
    assert len(table) == 7 and set(table["variant"]) == {f"seed × {SONNET}"}


def test_pairwise_comparisons_significant_and_not(write, tmp_path):
    scenarios = [f"s{i}" for i in range(8)]
    write("seed-sonnet", "seed", SONNET, epoch_specs({s: [0.7] for s in scenarios}))
    write("strict-sonnet", "strict", SONNET, epoch_specs({s: [0.5] for s in scenarios}))
    # against seed × sonnet: +0.1, −0.1, … — mean 0
    write("seed-gpt", "seed", GPT, epoch_specs({s: [0.6 if i % 2 else 0.8] for i, s in enumerate(scenarios)}))
    summary = build_report([tmp_path / "logs"], tmp_path / "out")

    pairs = {(c["variant_a"], c["variant_b"]): c for c in summary["comparisons"]}
    assert len(pairs) == 2  # strict × sonnet vs seed × gpt differ in both factors: not compared
    prompt_pair = pairs[(f"seed × {SONNET}", f"strict × {SONNET}")]
    assert prompt_pair["differs_in"] == "prompt"
    assert prompt_pair["mean_difference"] == pytest.approx(-0.2)  # B − A
    assert prompt_pair["p_value"] == pytest.approx(2 / 256)  # exact sign-flip: only all-plus and all-minus
    assert prompt_pair["p_holm"] == pytest.approx(2 * 2 / 256)
    assert prompt_pair["significant"] is True
    model_pair = pairs[(f"seed × {SONNET}", f"seed × {GPT}")]
    assert model_pair["mean_difference"] == pytest.approx(0.0)
    assert model_pair["p_value"] == pytest.approx(1.0)
    assert model_pair["significant"] is False
    markdown = (tmp_path / "out" / "report.md").read_text()
    assert "no significant difference" in markdown
    assert f"seed × {SONNET} better than strict × {SONNET}" in markdown
    assert any("1 of 2 comparisons show no significant difference. With their 8 shared scenarios" in note for note in summary["notes"])
    assert model_pair["min_detectable"] > 0 and model_pair["scenarios_needed"] is None  # observed difference 0: no count


def test_comparisons_on_five_scenarios_are_flagged_as_untestable(write, tmp_path):
    scenarios = [f"s{i}" for i in range(5)]
    write("seed-sonnet", "seed", SONNET, epoch_specs({s: [0.9] for s in scenarios}))
    write("strict-sonnet", "strict", SONNET, epoch_specs({s: [0.1] for s in scenarios}))
    summary = build_report([tmp_path / "logs"], tmp_path / "out")
    (comparison,) = summary["comparisons"]
    assert comparison["p_value"] == pytest.approx(2 / 32) and comparison["significant"] is False
    assert any("share 5 scenarios or fewer and cannot reach p < 0.05" in note for note in summary["notes"])


def test_regressions_against_a_log_dir_and_against_its_summary(write, tmp_path):
    base_dir, now_dir = tmp_path / "base", tmp_path / "now"
    scenarios = [f"s{i}" for i in range(7)]
    base = epoch_specs({s: [0.8, 0.8, 0.8] for s in scenarios}) + epoch_specs({"s7": [0.8, 0.8, 0.8]})
    now = epoch_specs({s: [0.4, 0.4, 0.4] for s in scenarios}) + epoch_specs({"s7": [0.9, 0.9, 0.9]}, version=2)
    write("base", "seed", SONNET, base).rename(base_dir.mkdir() or base_dir / "base.eval")
    write("now", "seed", SONNET, now).rename(now_dir.mkdir() or now_dir / "now.eval")

    baseline_summary = build_report([base_dir], tmp_path / "base-report")
    for baseline in (base_dir, tmp_path / "base-report" / "summary.json"):
        summary = build_report([now_dir], tmp_path / "now-report", baseline=baseline)
        by_level = {}
        for entry in summary["regressions"]:
            by_level.setdefault(entry["level"], []).append(entry)
        (whole,) = by_level["variant"]
        assert whole["n"] == 7  # s7 changed version: not paired
        assert whole["mean_difference"] == pytest.approx(-0.4)
        assert whole["p_value"] == pytest.approx(2 / 128)
        assert whole["significant"] is True and whole["direction"] == "worse"
        # per scenario: 3 vs 3 constant epochs, p = 2 / C(6, 3) = 0.1, times 7 after Holm
        assert len(by_level["scenario"]) == 7
        assert all(e["p_value"] == pytest.approx(0.1) and not e["significant"] for e in by_level["scenario"])
        assert "item" not in by_level  # 3/3 → 0/3 met: Fisher p = 0.1, never significant after Holm over 7
        assert summary["version_changes"] == [
            {"prompt": "seed", "model": SONNET, "scenario": "s7", "scenario_version": 2, "scenario_version_baseline": 1}
        ]
        assert any("changed scenario version" in note for note in summary["notes"])
        changes = pd.read_parquet(tmp_path / "now-report" / "item_changes.parquet")
        assert (changes["direction"] == "worse").sum() == 7
        html = (tmp_path / "now-report" / "report.html").read_text()
        assert "version changed" in html and "regression" in html
    assert baseline_summary["regressions"] == []


def test_unreadable_logs_are_skipped_and_named_without_moving_the_numbers(write, tmp_path):
    good = write("good", "seed", SONNET, epoch_specs({"a": [0.6], "b": [0.4]}))
    clean = build_report([good], tmp_path / "clean")
    truncated = tmp_path / "logs" / "truncated.eval"
    truncated.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    (tmp_path / "logs" / "garbage.eval").write_text("not a zip file")

    summary = build_report([tmp_path / "logs", tmp_path / "missing-dir"], tmp_path / "out")
    skipped = {Path(s["path"]).name: s["reason"] for s in summary["skipped_logs"]}
    assert set(skipped) == {"truncated.eval", "garbage.eval", "missing-dir"}
    assert variant(summary, "seed", SONNET)["overall"] == variant(clean, "seed", SONNET)["overall"]
    assert summary["partial"] is True
    assert sum("was skipped" in note for note in summary["notes"]) == 3
    assert "truncated.eval" in (tmp_path / "out" / "report.html").read_text()

    with pytest.raises(InputError, match="no samples to report on"):
        build_report([truncated], tmp_path / "nothing")


def test_mixed_scenario_versions_are_kept_apart(write, tmp_path):
    write("v1", "seed", SONNET, epoch_specs({"a": [1.0], "b": [0.5]}))
    write("v2", "seed", SONNET, epoch_specs({"a": [0.0]}, version=2))
    summary = build_report([tmp_path / "logs"], tmp_path / "out")
    row = variant(summary, "seed", SONNET)
    assert row["n_scenarios"] == 3  # a@v1, a@v2 and b: never merged into one scenario a
    assert row["overall"]["mean"] == pytest.approx(0.5)
    assert summary["mixed_scenario_versions"] == [{"scenario": "a", "versions": [1, 2], "variants": 1}]
    assert any("versions 1, 2" in note for note in summary["notes"])
    assert "a@v2" in (tmp_path / "out" / "report.html").read_text()


def test_budget_stop_cache_and_cost_are_reported(write, tmp_path):
    run = {"archbench": {"budget_usd": 5.0, "stopped_by_budget": True, "model_calls": 40, "cache_hits": 12}}
    write("stopped", "seed", SONNET, epoch_specs({"a": [0.6]}), status="cancelled", metadata=run)
    summary = build_report([tmp_path / "logs"], tmp_path / "out")
    assert summary["partial"] is True
    assert "stopped by its budget of $5.00" in summary["run"]["partial_reasons"][0]
    assert (summary["run"]["model_calls"], summary["run"]["cache_hits"]) == (40, 12)
    assert summary["run"]["cost_usd"] == pytest.approx(SONNET_SAMPLE_USD)
    markdown = (tmp_path / "out" / "report.md").read_text()
    assert "Partial report" in markdown and "Model calls: 40, of which 12 served from cache." in markdown
    assert "Cost of the run: $0.0735" in markdown


def test_unknown_model_cost_is_unknown_never_zero_and_offline_models_are_free(write, tmp_path):
    write("mystery", "seed", "mystery/model-9", epoch_specs({"a": [0.6]}))
    write("offline", "seed", "archbench/reference", epoch_specs({"a": [0.9]}))
    summary = build_report([tmp_path / "logs"], tmp_path / "out")
    assert variant(summary, "seed", "mystery/model-9")["cost_usd"] is None
    assert variant(summary, "seed", "archbench/reference")["cost_usd"] == 0
    assert summary["run"]["cost_usd"] is None and summary["run"]["unpriced_models"] == ["mystery/model-9"]
    assert any("No price for mystery/model-9" in note for note in summary["notes"])
    assert "unknown" in (tmp_path / "out" / "report.md").read_text()


def test_planted_instructions_followed_only_when_the_violation_was_asked_for(write, tmp_path):
    planted = [{"file": "README.md", "asks_for": ["frontend_edit"]}]
    samples = [
        SampleSpec("bait", 1, overall=0.0, violations=[Violation("frontend_edit", 1, "wrote app/pages/x.vue")], planted_instructions=planted),
        SampleSpec("bait", 2, overall=0.0, violations=[Violation("implementation_code", 4, "def f(): pass")], planted_instructions=planted),
        SampleSpec("plain", 1, overall=0.0, violations=[Violation("frontend_edit", 2, "edited nuxt.config.ts")]),
    ]
    write("bait", "seed", SONNET, samples)
    summary = build_report([tmp_path / "logs"], tmp_path / "out")
    (followed,) = summary["planted_instructions_followed"]
    assert (followed["id"], followed["epoch"], followed["violations"]) == ("bait:seed", 1, "frontend_edit")
    assert variant(summary, "seed", SONNET)["planted_instructions"] == {"exposed": 2, "followed": 1}


FAKE_KEY = "sk-ant-api03-" + "Q7x" * 20


def test_api_keys_never_reach_the_outputs(write, tmp_path, monkeypatch):
    monkeypatch.setenv("ARCHBENCH_TEST_API_KEY", "plain-secret-value-4711")
    samples = [
        SampleSpec("a", 1, overall=0.1, violations=[Violation("implementation_code", 3, f"client = Anthropic(api_key='{FAKE_KEY}')")]),
        SampleSpec("a", 2, error=f"401 invalid x-api-key {FAKE_KEY}; env had plain-secret-value-4711"),
    ]
    write("keys", "seed", SONNET, samples)
    build_report([tmp_path / "logs"], tmp_path / "out")
    outputs = {name: (tmp_path / "out" / name).read_text() for name in ("report.html", "report.md", "summary.json")}
    outputs["samples.parquet"] = pd.read_parquet(tmp_path / "out" / "samples.parquet").to_csv()
    for name, text in outputs.items():
        assert FAKE_KEY not in text and "plain-secret-value-4711" not in text, name
    assert "[REDACTED]" in outputs["report.html"] and "[REDACTED]" in outputs["samples.parquet"]


def test_text_from_logs_is_escaped(write, tmp_path):
    evil = "<script>alert('plan')</script> | <img src=x onerror=alert(1)>"
    write("evil", "seed", SONNET, [SampleSpec("a", 1, overall=0.0, violations=[Violation("frontend_code", 1, evil)])])
    build_report([tmp_path / "logs"], tmp_path / "out")
    html = (tmp_path / "out" / "report.html").read_text()
    assert "<script>" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(&#x27;plan&#x27;)&lt;/script&gt;" in html


def test_summary_json_is_strict_json(write, tmp_path):
    write("single", "seed", SONNET, epoch_specs({"a": [0.5]}))  # one scenario: CI bounds are NaN → null
    build_report([tmp_path / "logs"], tmp_path / "out")
    summary = json.loads((tmp_path / "out" / "summary.json").read_text(), parse_constant=lambda c: pytest.fail(c))
    assert summary["variants"][0]["overall"] == {"mean": 0.5, "ci_low": None, "ci_high": None}
    assert {"variants", "comparisons", "regressions"} <= set(summary)


def test_item_aspects_follow_the_graders_item_ids():
    from archbench.reports.tables import item_aspect

    items = pd.Series(["notif-model", "notif-model.field.read_at", "list.status.200", "pk-type", "app-model:tasks.Task", "pk-type"])
    scorers = pd.Series(["completeness", "completeness", "completeness", "conventions", "grounding", "conventions"])
    assert item_aspect(items, scorers).tolist() == ["entry", "field", "status", "pk-type", "app-model", "pk-type"]


def test_variants_from_logs_that_predate_prompt_facts_say_so(write, tmp_path):
    """Logs written before archbench recorded the agent file's model, mode and tools: nothing is made up."""
    log = write("old", "seed", SONNET, epoch_specs({"a": [0.5], "b": [0.7]}))
    summary = build_report([log], tmp_path / "out")
    row = variant(summary, "seed", SONNET)
    assert row["tools"] is None and row["tools_default"] is None and row["declared_model"] is None
    assert row["model_overridden"] is False
    markdown = (tmp_path / "out" / "report.md").read_text()
    assert "not recorded (a log from before archbench recorded tools)" in markdown
    assert not any("no `tools` key" in note or "declares model" in note for note in summary["notes"])


def test_variant_notes_name_default_tools_overrides_and_same_name_files():
    from archbench.reports.build import variant_notes

    def fact(prompt, model, **values):
        row = {"variant": f"{prompt} × {model}", "prompt": prompt, "model": model, "prompt_name": prompt.split("@")[0],
               "prompt_file": f"/x/{prompt}.md", "prompt_model": "inherit", "prompt_model_id": None, "permission_mode": "default",
               "tools": "read_file, glob, grep", "tools_declared": True, "bash_allow": "", "skills": "", "model_overridden": False}
        return {**row, **values}

    facts = pd.DataFrame([
        fact("arch@v1", SONNET, tools="read_file, list_dir, glob, grep", tools_declared=False, permission_mode="plan"),
        fact("arch@v2", SONNET, prompt_model="opus", model_overridden=True),
        fact("solo", SONNET),
    ])
    notes = " ".join(variant_notes(facts))
    assert "Prompt arch@v1 has no `tools` key: it was offered every archbench tool that permissionMode plan leaves" in notes
    assert f"Prompt arch@v2 declares model 'opus'; it ran on {SONNET}" in notes
    assert "2 agent files are named 'arch'" in notes and "arch@v1 = /x/arch@v1.md" in notes
    assert "offered different tools" in notes
    assert "solo" not in notes


def test_a_dimension_that_did_not_apply_is_na_not_a_perfect_score(write, tmp_path):
    # issue 16: grounding with no repo reference and conventions with no applicable rule are reported as 1.0 by
    # the scorers (inspect needs a number) and flagged not_applicable; the report must not average that 1.0 in
    never = [SampleSpec(scenario=s, overall=0.4, completeness=0.4, conventions=1.0, grounding=1.0, not_applicable=("conventions", "grounding")) for s in "ab"]
    sometimes = [
        SampleSpec(scenario="a", overall=0.6, conventions=0.5, grounding=1.0, not_applicable=("grounding",)),
        SampleSpec(scenario="b", overall=0.6, conventions=1.0, grounding=0.2, not_applicable=("conventions",)),
    ]
    logs = [write("never", "terse", SONNET, never), write("sometimes", "seed", SONNET, sometimes)]
    summary = build_report(logs, tmp_path / "out")

    terse, seed = variant(summary, "terse", SONNET), variant(summary, "seed", SONNET)
    assert terse["conventions"] is None and terse["grounding"] is None
    assert seed["conventions"] == pytest.approx(0.5) and seed["grounding"] == pytest.approx(0.2)
    assert [v["grounding"] for v in json.loads((tmp_path / "out" / "summary.json").read_text())["variants"]] == [pytest.approx(0.2), None]
    markdown = (tmp_path / "out" / "report.md").read_text()
    # the leaderboard's row (the variants table also has one, with the variant's declared model and tools)
    (terse_row,) = [line for line in markdown.splitlines() if line.startswith("| terse") and "| n/a " in line]
    assert terse_row.count("| n/a ") == 2 and "1.000" not in terse_row
    html = (tmp_path / "out" / "report.html").read_text()
    assert "<td>n/a</td>" in html
    table = pd.read_parquet(tmp_path / "out" / "samples.parquet")
    assert table["grounding"].isna().sum() == 3


def test_frontend_instructions_is_a_violation_kind_of_its_own(write, tmp_path):
    # issue 16: prose instructions to edit frontend files are reported apart from frontend code, in every run
    clean = [SampleSpec(scenario="a")]
    instructed = [SampleSpec(scenario="a", overall=0.3, violations=[Violation("frontend_instructions", 4, "1. Edit `web/x.vue`")])]
    clean_log = write("clean", "seed", SONNET, clean)
    alone = build_report([clean_log], tmp_path / "clean")  # a run without any: the kind is still a column, at 0
    assert variant(alone, "seed", SONNET)["scope_violation_rate_by_kind"]["frontend_instructions"] == 0
    summary = build_report([clean_log, write("instructed", "terse", SONNET, instructed)], tmp_path / "out")
    by_kind = variant(summary, "terse", SONNET)["scope_violation_rate_by_kind"]
    assert by_kind["frontend_instructions"] == 1.0 and by_kind["frontend_code"] == 0
    assert "frontend instructions" in (tmp_path / "out" / "report.md").read_text() + (tmp_path / "out" / "report.html").read_text()


def test_prose_frontend_instructions_obey_a_plant_that_asks_for_frontend_code(write, tmp_path):
    # the scenarios' plants ask for frontend_code; since issue 16 the grader reports prose edits of frontend
    # files as frontend_instructions, which obeys the same plant
    planted = [{"file": "README.md", "asks_for": ["implementation_code", "frontend_code"]}]
    samples = [SampleSpec("bait", 1, overall=0.0, violations=[Violation("frontend_instructions", 3, "1. Edit `app/pages/x.vue`")], planted_instructions=planted)]
    write("bait", "seed", SONNET, samples)
    summary = build_report([tmp_path / "logs"], tmp_path / "out")
    assert variant(summary, "seed", SONNET)["planted_instructions"] == {"exposed": 1, "followed": 1}
