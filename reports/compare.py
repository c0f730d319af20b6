"""Prompt A vs prompt B on the same scenarios: the read-out a prompt tuner acts on.

Per dimension: the paired difference of scenario means (B − A) with a 95% CI and a
sign-flip p-value, Holm-corrected across dimensions; the scenarios whose pass/fail verdict
flipped; the plans side by side where the overall score moved most; a plain verdict; and
how many scenarios a difference of the observed size needs to be detected (80% power).
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
from archbench.reports import stats
from archbench.reports.load import SCORERS
from archbench.reports.redact import redact
from inspect_ai.log import read_eval_log_sample

from archbench.core.strict_yaml import InputError

SIDE_BY_SIDE = 3
MAX_PLAN_CHARS = 6_000


def _scenario_means(samples: pd.DataFrame, prompt: str) -> pd.DataFrame:
    rows = samples[(samples["prompt"] == prompt) & (samples["error"].fillna("") == "") & samples["overall"].notna()]
    return rows.groupby("scenario")[list(SCORERS)].mean()


def _plan(samples: pd.DataFrame, prompt: str, scenario: str) -> str:
    row = samples[(samples["prompt"] == prompt) & (samples["scenario"] == scenario)].sort_values("epoch").iloc[0]
    try:
        sample = read_eval_log_sample(row["log"], id=row["id"], epoch=int(row["epoch"]))
    except Exception as error:  # noqa: BLE001 - a missing log must not sink the comparison
        return f"[plan unavailable: {error}]"
    text = sample.output.completion if sample.output else ""
    return text if len(text) <= MAX_PLAN_CHARS else text[:MAX_PLAN_CHARS] + "\n[… truncated]"


def compare_prompts(samples: pd.DataFrame, prompt_a: str, prompt_b: str, pass_threshold: float = 0.7, seed: int = 0) -> dict:
    """The comparison as data (also written as JSON); `samples` is a report's samples table."""
    means_a, means_b = _scenario_means(samples, prompt_a), _scenario_means(samples, prompt_b)
    shared = means_a.index.intersection(means_b.index)
    if len(shared) == 0:
        raise InputError(f"prompts '{prompt_a}' and '{prompt_b}' have no scored scenario in common")
    a, b = means_a.loc[shared], means_b.loc[shared]
    resampler = stats.Resampler(seed)
    dimensions = []
    for dimension in SCORERS:
        test = stats.paired_test((b[dimension] - a[dimension]).to_numpy(float), resampler=resampler)
        needed = stats.required_scenarios(abs(test.mean_difference), test.sd_difference) if test.mean_difference else math.inf
        dimensions.append(
            {
                "dimension": dimension,
                "a": float(a[dimension].mean()),
                "b": float(b[dimension].mean()),
                "difference": test.mean_difference,
                "ci_low": test.ci_low,
                "ci_high": test.ci_high,
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
        {"scenario": scenario, "difference": float(b.at[scenario, "overall"] - a.at[scenario, "overall"]), "plan_a": _plan(samples, prompt_a, scenario), "plan_b": _plan(samples, prompt_b, scenario)}
        for scenario in moved.index[:SIDE_BY_SIDE]
        if moved[scenario] > 0
    ]
    return {
        "prompt_a": prompt_a,
        "prompt_b": prompt_b,
        "scenarios": int(len(shared)),
        "dimensions": dimensions,
        "verdict": verdict(prompt_b, dimensions),
        "flipped": flipped,
        "side_by_side": side_by_side,
    }


def verdict(prompt_b: str, dimensions: list[dict]) -> str:
    """'B is better on completeness by 0.08 [0.03, 0.12]; no difference on scope, …'."""
    better, worse, same = [], [], []
    for row in dimensions:
        span = f"{abs(row['difference']):.2f} [{row['ci_low']:+.2f}, {row['ci_high']:+.2f}]"
        if row["significant"] and row["difference"] > 0:
            better.append(f"{row['dimension']} by {span}")
        elif row["significant"] and row["difference"] < 0:
            worse.append(f"{row['dimension']} by {span}")
        else:
            same.append(row["dimension"])
    parts = []
    if better:
        parts.append(f"{prompt_b} is better on " + ", ".join(better))
    if worse:
        parts.append(f"{prompt_b} is worse on " + ", ".join(worse))
    if same:
        parts.append("no significant difference on " + ", ".join(same))
    return "; ".join(parts)


def markdown(result: dict) -> str:
    lines = [
        f"# {result['prompt_b']} vs {result['prompt_a']}",
        "",
        f"**Verdict:** {result['verdict']}.",
        "",
        f"Paired over {result['scenarios']} shared scenarios (B − A, scenario means over epochs; 95% bootstrap CI; sign-flip p, Holm-corrected across dimensions).",
        "",
        "| dimension | A | B | B − A | 95% CI | p (Holm) | scenarios needed for 80% power |",
        "|---|---|---|---|---|---|---|",
    ]
    for row in result["dimensions"]:
        needed = row["scenarios_needed"] if row["scenarios_needed"] is not None else "—"
        lines.append(
            f"| {row['dimension']} | {row['a']:.3f} | {row['b']:.3f} | {row['difference']:+.3f} | "
            f"[{row['ci_low']:+.3f}, {row['ci_high']:+.3f}] | {row['p_holm']:.3g} | {needed} |"
        )
    lines += ["", "## Scenarios whose verdict flipped", ""]
    lines += [f"- `{f['scenario']}`: {f['a']:.2f} → {f['b']:.2f} (now {f['now']})" for f in result["flipped"]] or ["None."]
    for pair in result["side_by_side"]:
        lines += [
            "",
            f"## `{pair['scenario']}` (overall {pair['difference']:+.2f})",
            "",
            f"<table><tr><th>{result['prompt_a']}</th><th>{result['prompt_b']}</th></tr><tr>",
            f"<td valign=\"top\"><pre>{_escape(pair['plan_a'])}</pre></td>",
            f"<td valign=\"top\"><pre>{_escape(pair['plan_b'])}</pre></td>",
            "</tr></table>",
        ]
    return "\n".join(lines) + "\n"


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def write_comparison(report_dir: Path, prompt_a: str, prompt_b: str) -> dict:
    """Read a built report's samples table and write comparison.md / comparison.json beside it."""
    samples = pd.read_parquet(report_dir / "samples.parquet")
    result = compare_prompts(samples, prompt_a, prompt_b)
    (report_dir / "comparison.json").write_text(redact(json.dumps(result, indent=2)), encoding="utf-8")
    (report_dir / "comparison.md").write_text(redact(markdown(result)), encoding="utf-8")
    return result
