"""Prompt A vs prompt B on the same scenarios: the read-out a prompt tuner acts on.

One comparison per model (two models are never pooled into one number). Per dimension: the
paired difference of scenario means (B − A) with a 95% CI and a sign-flip p-value,
Holm-corrected across dimensions; the scenarios whose pass/fail verdict flipped (at the
report's pass threshold, the one its variance section uses); the plans side by side where
the overall score moved most; a plain verdict; and how many scenarios a difference of the
observed size needs to be detected (80% power). A is the first prompt given, B the second,
here and in the report's pairwise comparisons alike.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
from inspect_ai.log import read_eval_log_sample

from archbench.core.strict_yaml import InputError
from archbench.reports import stats
from archbench.reports.build import DEFAULT_PASS_THRESHOLD, SUMMARY
from archbench.reports.load import SCORERS
from archbench.reports.redact import redact

SIDE_BY_SIDE = 3
MAX_PLAN_CHARS = 6_000
OFFLINE_PROVIDER = "archbench"  # evals/providers.py: scripted architects that ignore the prompt
NO_INTERVAL = "not enough scenarios for an interval"


def _scenario_means(samples: pd.DataFrame, prompt: str, model: str) -> pd.DataFrame:
    rows = samples[
        (samples["prompt"] == prompt) & (samples["model"] == model) & (samples["error"].fillna("") == "") & samples["overall"].notna()
    ]
    return rows.groupby("scenario")[list(SCORERS)].mean()


def _plan(samples: pd.DataFrame, prompt: str, model: str, scenario: str) -> str:
    rows = samples[(samples["prompt"] == prompt) & (samples["model"] == model) & (samples["scenario"] == scenario)]
    row = rows.sort_values("epoch").iloc[0]
    try:
        sample = read_eval_log_sample(row["log"], id=row["id"], epoch=int(row["epoch"]))
    except Exception as error:  # noqa: BLE001 - a missing log must not sink the comparison
        return f"[plan unavailable: {error}]"
    text = sample.output.completion if sample.output else ""
    return text if len(text) <= MAX_PLAN_CHARS else text[:MAX_PLAN_CHARS] + "\n[… truncated]"


def warnings_for(model: str) -> list[str]:
    if model.split("/", 1)[0] == OFFLINE_PROVIDER:
        return [
            f"{model} is an offline baseline: it ignores the prompt, so the two prompts get the same answers "
            "and this comparison says nothing about them. Compare with a real model (--model provider/name)."
        ]
    return []


def compare_prompts(
    samples: pd.DataFrame,
    prompt_a: str,
    prompt_b: str,
    model: str,
    pass_threshold: float = DEFAULT_PASS_THRESHOLD,
    seed: int = 0,
    model_b: str | None = None,
) -> dict:
    """The comparison on one model, as data (also written as JSON); `samples` is a report's samples table.
    With `model_b`, B ran on another model (`--model from-prompt`): prompt and model are measured together."""
    model_a, model_b = model, model_b or model
    means_a, means_b = _scenario_means(samples, prompt_a, model_a), _scenario_means(samples, prompt_b, model_b)
    shared = means_a.index.intersection(means_b.index)
    if len(shared) == 0:
        raise InputError(f"prompts '{prompt_a}' and '{prompt_b}' have no scored scenario in common on {model}")
    a, b = means_a.loc[shared], means_b.loc[shared]
    resampler = stats.Resampler(seed)
    dimensions = []
    for dimension in SCORERS:
        differences = (b[dimension] - a[dimension]).to_numpy(float)
        test = stats.paired_test(differences, resampler=resampler)
        has_interval = test.n >= 2
        needed = (
            stats.required_scenarios(abs(test.mean_difference), test.sd_difference)
            if test.mean_difference and has_interval else math.inf
        )
        low, high = differences.min(), differences.max()  # a resampled mean of differences lies between them
        dimensions.append(
            {
                "dimension": dimension,
                "a": float(a[dimension].mean()),
                "b": float(b[dimension].mean()),
                "difference": test.mean_difference,
                "ci_low": float(np.clip(test.ci_low, low, high)) if has_interval else None,
                "ci_high": float(np.clip(test.ci_high, low, high)) if has_interval else None,
                "no_spread": bool(has_interval and low == high),
                "p_value": test.p_value,
                "scenarios_needed": None if not math.isfinite(needed) else int(math.ceil(needed)),
            }
        )
    adjusted = stats.holm(np.array([row["p_value"] for row in dimensions], dtype=float))
    for row, p_holm in zip(dimensions, adjusted):
        row["p_holm"] = float(p_holm)
        row["significant"] = bool(p_holm < 0.05)
    passed_a, passed_b = a["overall"] >= pass_threshold, b["overall"] >= pass_threshold
    flipped = [
        {"scenario": scenario, "a": float(a.at[scenario, "overall"]), "b": float(b.at[scenario, "overall"]), "now": "passes" if passed_b[scenario] else "fails"}
        for scenario in shared
        if passed_a[scenario] != passed_b[scenario]
    ]
    moved = (b["overall"] - a["overall"]).abs().sort_values(ascending=False)
    side_by_side = [
        {
            "scenario": scenario,
            "difference": float(b.at[scenario, "overall"] - a.at[scenario, "overall"]),
            "plan_a": _plan(samples, prompt_a, model_a, scenario),
            "plan_b": _plan(samples, prompt_b, model_b, scenario),
        }
        for scenario in moved.index[:SIDE_BY_SIDE]
        if moved[scenario] > 0
    ]
    warnings = warnings_for(model_a) + (warnings_for(model_b) if model_b != model_a else [])
    if model_b != model_a:
        warnings.append(
            f"A ran on {model_a} and B on {model_b} (each prompt's declared model): the difference is prompt and model together"
        )
    result = {
        "model": model_a if model_b == model_a else f"{model_a} (A) vs {model_b} (B)",
        "prompt_a": prompt_a,
        "prompt_b": prompt_b,
        "scenarios": int(len(shared)),
        "pass_threshold": pass_threshold,
        "dimensions": dimensions,
        "flipped": flipped,
        "side_by_side": side_by_side,
        "warnings": warnings,
    }
    result["verdict"] = verdict(result)
    return result


def compare_on_each_model(samples: pd.DataFrame, prompt_a: str, prompt_b: str, pass_threshold: float = DEFAULT_PASS_THRESHOLD) -> list[dict]:
    """One comparison per model that ran both prompts, in the samples' order of models; when no model ran
    both and each prompt ran on one model (`--model from-prompt`), that pair of variants."""
    models = [model for model in dict.fromkeys(samples["model"]) if {prompt_a, prompt_b} <= set(samples.loc[samples["model"] == model, "prompt"])]
    if not models:
        ran_a = list(dict.fromkeys(samples.loc[samples["prompt"] == prompt_a, "model"]))
        ran_b = list(dict.fromkeys(samples.loc[samples["prompt"] == prompt_b, "model"]))
        if len(ran_a) == 1 and len(ran_b) == 1:
            return [compare_prompts(samples, prompt_a, prompt_b, ran_a[0], pass_threshold, model_b=ran_b[0])]
        raise InputError(f"no model ran both prompts '{prompt_a}' and '{prompt_b}'")
    return [compare_prompts(samples, prompt_a, prompt_b, model, pass_threshold) for model in models]


def _span(row: dict, scenarios: int) -> str:
    """The difference as a reader should take it: signed, with its interval, or why there is none."""
    if row["ci_low"] is None:
        return f"{row['difference']:+.2f} ({NO_INTERVAL}: {scenarios} shared scenario)"
    if row["no_spread"]:
        return f"{row['difference']:+.2f} on every one of the {scenarios} shared scenarios (no spread between scenarios, so no interval to show)"
    return f"{row['difference']:+.2f} (95% CI {row['ci_low']:+.2f} to {row['ci_high']:+.2f})"


def verdict(result: dict) -> str:
    """'On MODEL, B is better on completeness by +0.08 (95% CI +0.03 to +0.12); no significant difference on scope, …'."""
    better, worse, same = [], [], []
    for row in result["dimensions"]:
        span = _span(row, result["scenarios"])
        if row["significant"] and row["difference"] > 0:
            better.append(f"{row['dimension']} by {span}")
        elif row["significant"] and row["difference"] < 0:
            worse.append(f"{row['dimension']} by {span}")
        else:
            same.append(row["dimension"])
    parts = []
    prompt_b = f"B ({result['prompt_b']})"
    if better:
        parts.append(f"{prompt_b} is better than A on " + ", ".join(better))
    if worse:
        parts.append(f"{prompt_b} is worse than A on " + ", ".join(worse))
    if same:
        parts.append("no significant difference on " + ", ".join(same))
    if result["scenarios"] < 2:
        parts.append(f"{NO_INTERVAL} or a test with {result['scenarios']} shared scenario: run more scenarios")
    return f"On {result['model']}: " + "; ".join(parts)


def _interval_cell(row: dict) -> str:
    if row["ci_low"] is None:
        return NO_INTERVAL
    if row["no_spread"]:
        return "no spread (every scenario moved the same)"
    return f"[{row['ci_low']:+.3f}, {row['ci_high']:+.3f}]"


def markdown(results: list[dict]) -> str:
    first = results[0]
    lines = [
        f"# {first['prompt_b']} (B) vs {first['prompt_a']} (A)",
        "",
        f"A = `{first['prompt_a']}`, B = `{first['prompt_b']}`; differences are B − A. One comparison per model: "
        "models are never pooled.",
    ]
    for result in results:
        lines += ["", f"## On {result['model']}", ""]
        lines += [f"> **Warning:** {warning}" for warning in result["warnings"]]
        if result["warnings"]:
            lines.append("")
        lines += [
            f"**Verdict:** {result['verdict']}.",
            "",
            f"Paired over {result['scenarios']} shared scenario(s) (B − A, scenario means over epochs; 95% bootstrap CI; "
            "sign-flip p, Holm-corrected across dimensions).",
            "",
            "| dimension | A | B | B − A | 95% CI | p (Holm) | scenarios needed for 80% power |",
            "|---|---|---|---|---|---|---|",
        ]
        for row in result["dimensions"]:
            needed = row["scenarios_needed"] if row["scenarios_needed"] is not None else "—"
            lines.append(
                f"| {row['dimension']} | {row['a']:.3f} | {row['b']:.3f} | {row['difference']:+.3f} | "
                f"{_interval_cell(row)} | {row['p_holm']:.3g} | {needed} |"
            )
        lines += ["", f"### Scenarios whose verdict flipped (pass: overall ≥ {result['pass_threshold']})", ""]
        lines += [f"- `{f['scenario']}`: {f['a']:.2f} → {f['b']:.2f} (now {f['now']})" for f in result["flipped"]] or ["None."]
        for pair in result["side_by_side"]:
            lines += [
                "",
                f"### `{pair['scenario']}` (overall {pair['difference']:+.2f})",
                "",
                f"| A: {_cell(result['prompt_a'])} | B: {_cell(result['prompt_b'])} |",
                "|---|---|",
                f"| {_cell(pair['plan_a'])} | {_cell(pair['plan_b'])} |",
            ]
    return "\n".join(lines) + "\n"


def _cell(text: str) -> str:
    """Text as one Markdown table cell: HTML escaped, pipes escaped, line breaks as <br>, indentation kept."""
    escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("|", "\\|")
    lines = []
    for line in escaped.replace("\r\n", "\n").split("\n"):
        stripped = line.lstrip(" ")
        lines.append("&nbsp;" * (len(line) - len(stripped)) + stripped)
    return "<br>".join(lines)


def write_comparison(report_dir: Path, prompt_a: str, prompt_b: str) -> list[dict]:
    """Read a built report's samples table and write comparison.md / comparison.json beside it.

    The pass threshold is the report's own (summary.json), so both call the same plans passing."""
    samples = pd.read_parquet(report_dir / "samples.parquet")
    summary_path = report_dir / SUMMARY
    threshold = json.loads(summary_path.read_text(encoding="utf-8")).get("pass_threshold", DEFAULT_PASS_THRESHOLD) if summary_path.is_file() else DEFAULT_PASS_THRESHOLD
    results = compare_on_each_model(samples, prompt_a, prompt_b, threshold)
    (report_dir / "comparison.json").write_text(redact(json.dumps({"comparisons": results}, indent=2)), encoding="utf-8")
    (report_dir / "comparison.md").write_text(redact(markdown(results)), encoding="utf-8")
    return results
