"""`archbench compare`'s read-out (issue 18, item 9)."""

import json

import markdown_it
import pandas as pd
import pytest

from archbench.reports import compare
from archbench.reports.build import DEFAULT_PASS_THRESHOLD, build_report
from benchmarks.synth_logs import epoch_specs

DIMENSIONS = ("scope", "completeness", "conventions", "grounding")
SONNET, GPT = "anthropic/claude-sonnet-4-5", "openai/gpt-5"


def samples(rows):
    """rows: (prompt, model, scenario, overall[, scope]) → a report's samples table."""
    records = []
    for prompt, model, scenario, overall, *scope in rows:
        records.append({"prompt": prompt, "model": model, "scenario": scenario, "epoch": 1, "error": "", "log": "/nowhere.eval",
                        "id": f"{scenario}:{prompt}", "overall": overall, "scope": scope[0] if scope else 1.0,
                        "completeness": overall, "conventions": 1.0, "grounding": 1.0})
    return pd.DataFrame(records)


@pytest.fixture(autouse=True)
def plans(monkeypatch):
    monkeypatch.setattr(compare, "_plan", lambda samples, prompt, model, scenario: f"plan of {prompt} on {scenario}")


def test_two_models_are_compared_apart_and_named(tmp_path):
    scenarios = [f"s{i}" for i in range(8)]
    rows = [("a", SONNET, s, 0.5) for s in scenarios] + [("b", SONNET, s, 0.7) for s in scenarios]
    rows += [("a", GPT, s, 0.7) for s in scenarios] + [("b", GPT, s, 0.5) for s in scenarios]
    results = compare.compare_on_each_model(samples(rows), "a", "b")
    by_model = {result["model"]: result for result in results}
    overall = {model: next(d for d in result["dimensions"] if d["dimension"] == "overall") for model, result in by_model.items()}
    assert overall[SONNET]["difference"] == pytest.approx(0.2) and overall[GPT]["difference"] == pytest.approx(-0.2)
    assert by_model[SONNET]["verdict"].startswith(f"On {SONNET}: B (b) is better than A on")
    text = compare.markdown(results)
    assert f"## On {SONNET}" in text and f"## On {GPT}" in text


def test_offline_baselines_come_with_a_warning():
    rows = [("a", "archbench/reference", s, 0.8) for s in ("s1", "s2")] + [("b", "archbench/reference", s, 0.8) for s in ("s1", "s2")]
    (result,) = compare.compare_on_each_model(samples(rows), "a", "b")
    assert "ignores the prompt" in result["warnings"][0]
    assert "ignores the prompt" in compare.markdown([result])


def test_one_scenario_says_there_is_no_interval_instead_of_nan():
    (result,) = compare.compare_on_each_model(samples([("a", SONNET, "s1", 0.4), ("b", SONNET, "s1", 0.9)]), "a", "b")
    text = compare.markdown([result]) + result["verdict"]
    assert "nan" not in text.lower()
    assert "not enough scenarios for an interval" in result["verdict"]


def test_a_difference_without_spread_is_explained_not_shown_as_a_point_interval():
    scenarios = [f"s{i}" for i in range(8)]
    rows = [("a", SONNET, s, 0.9, 1.0) for s in scenarios] + [("b", SONNET, s, 0.3, 0.0) for s in scenarios]
    (result,) = compare.compare_on_each_model(samples(rows), "a", "b")
    assert "[-1.00, -1.00]" not in result["verdict"] and "[+1.00" not in result["verdict"]
    assert "scope by -1.00 on every one of the 8 shared scenarios" in result["verdict"]
    assert "no spread" in compare.markdown([result])


def test_verdict_flips_use_the_reports_pass_threshold(tmp_path):
    table = samples([("a", SONNET, "s1", 0.6), ("b", SONNET, "s1", 0.4), ("a", SONNET, "s2", 0.9), ("b", SONNET, "s2", 0.9)])
    table.to_parquet(tmp_path / "samples.parquet")
    (tmp_path / "summary.json").write_text(json.dumps({"pass_threshold": DEFAULT_PASS_THRESHOLD}))
    (result,) = compare.write_comparison(tmp_path, "a", "b")
    assert DEFAULT_PASS_THRESHOLD == 0.5  # the report's variance section and the comparison share it
    assert [flip["scenario"] for flip in result["flipped"]] == ["s1"]
    assert json.loads((tmp_path / "comparison.json").read_text())["comparisons"][0]["pass_threshold"] == 0.5


def test_side_by_side_plans_render_as_one_markdown_table_row(monkeypatch):
    plan_a = "## Models\n\n| field | type |\n|---|---|\n| read_at | DateTimeField |\n\n    indented <code>"
    monkeypatch.setattr(compare, "_plan", lambda samples, prompt, model, scenario: plan_a if prompt == "a" else "short | plan")
    (result,) = compare.compare_on_each_model(samples([("a", SONNET, "s1", 0.4), ("b", SONNET, "s1", 0.9)]), "a", "b")
    html = markdown_it.MarkdownIt("commonmark").enable("table").render(compare.markdown([result]))
    side = html[html.rindex("<table>", 0, html.index("<th>A: a</th>")):]
    table = side[: side.index("</table>")]
    assert table.count("<tr>") == 2 and table.count("<td>") == 2  # a header row and one row of two plans
    assert "| read_at | DateTimeField |" in table and "short | plan" in table
    assert "&lt;code&gt;" in table  # the plan's text, not markup


def test_the_report_names_a_and_b_as_compare_does(write, tmp_path):
    scenarios = [f"s{i}" for i in range(8)]
    write("zeta", "zeta", SONNET, epoch_specs({s: [0.5] for s in scenarios}))
    write("alpha", "alpha", SONNET, epoch_specs({s: [0.7] for s in scenarios}))
    summary = build_report([tmp_path / "logs"], tmp_path / "out", prompt_order=["zeta", "alpha"])
    (pair,) = summary["comparisons"]
    assert (pair["variant_a"], pair["variant_b"]) == (f"zeta × {SONNET}", f"alpha × {SONNET}")
    assert pair["mean_difference"] == pytest.approx(0.2)  # B − A, as in comparison.md
    assert "B − A" in (tmp_path / "out" / "report.html").read_text()
