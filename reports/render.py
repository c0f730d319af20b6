"""report.html (one self-contained file, PNGs inlined as base64) and report.md (for a PR comment).

All text from logs is escaped: plans, evidence and error messages are untrusted.
"""

from __future__ import annotations

import base64
import html as html_lib
import math
import re
from dataclasses import dataclass
from typing import Callable

import pandas as pd

from archbench.reports.plots import Figure

MAX_ROWS = 40  # long tables (scenario regressions, heatmap rows) are cut here; the full data is in the parquet files


@dataclass
class Context:
    summary: dict
    board: pd.DataFrame
    comparisons: pd.DataFrame
    selection: pd.DataFrame
    categories: pd.DataFrame
    scenarios: pd.DataFrame
    dimensions: pd.DataFrame
    worst: pd.DataFrame
    failed: pd.DataFrame
    planted: pd.DataFrame
    variance: pd.DataFrame
    regressions: dict | None
    figures: dict[str, Figure]
    log_dirs: list[str]
    facts: pd.DataFrame | None = None  # tables.variant_facts


# --- number formats ---------------------------------------------------------------------------------


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA


def score(value) -> str:
    return "–" if _missing(value) else f"{value:.3f}"


def dimension(value) -> str:
    """A dimension's mean; "n/a" when it applied to none of the samples (never a placeholder 1.000)."""
    return "n/a" if _missing(value) else f"{value:.3f}"


def signed(value) -> str:
    return "–" if _missing(value) else f"{value:+.3f}"


def percent(value) -> str:
    return "–" if _missing(value) else f"{100 * value:.1f}%"


def usd(value) -> str:
    if _missing(value):
        return "unknown"
    return f"${value:,.4f}" if value < 1 else f"${value:,.2f}"


def p_value(value) -> str:
    if _missing(value):
        return "–"
    return "<0.001" if value < 0.001 else f"{value:.3f}"


def count(value) -> str:
    return "–" if _missing(value) else f"{int(value):,}"


def interval(low, high) -> str:
    return "–" if _missing(low) or _missing(high) else f"[{low:.3f}, {high:.3f}]"


def comparison_verdict(row: dict) -> str:
    if row["significant"]:
        better, worse = (row["variant_b"], row["variant_a"]) if row["mean_difference"] > 0 else (row["variant_a"], row["variant_b"])
        return f"{better} better than {worse}"
    return "no significant difference"


# --- tables as rows of strings ------------------------------------------------------------------------


Column = tuple[str, Callable[[dict], str]]


def _worse(value) -> str:
    return "not compared" if _missing(value) else ("yes" if value else "no")


SELECTION_COLUMNS: list[Column] = [
    ("prompt", lambda r: r["prompt"]),
    ("model", lambda r: r["model"]),
    ("overall", lambda r: score(r["overall_mean"])),
    ("95% CI", lambda r: interval(r["ci_low"], r["ci_high"])),
    ("cost / sample", lambda r: usd(r["cost_per_sample_usd"])),
    ("median latency", lambda r: "—" if _missing(r["latency_median_s"]) else f"{r['latency_median_s']:.1f} s"),
    ("cache hits", lambda r: count(r["cache_hits"])),
    ("Pareto front", lambda r: "yes" if r["pareto"] else ""),
    ("significantly worse than the best", lambda r: _worse(r["significantly_worse_than_best"])),
    ("pick", lambda r: "cheapest not significantly worse" if r["cheapest_not_worse"] else ""),
]
SELECTION_EXPLANATION = (
    "Models run with the same prompt, best first. 'Significantly worse' comes from the Holm-corrected paired comparison "
    "with the best model on shared scenarios; the pick is the cheapest model that is not (unknown costs are never picked)."
)


def _declared_model(row: dict) -> str:
    declared = row["prompt_model"] or "—"
    if row["model_overridden"]:
        return f"{declared} (overridden by --model)"
    return declared


def _offered_tools(row: dict) -> str:
    if row["tools_declared"] is None:
        return "not recorded (a log from before archbench recorded tools)"
    tools = row["tools"] or "none"
    if row["bash_allow"]:
        tools += f" (bash only: {row['bash_allow']})"
    if row["tools_declared"] is False:
        tools += " [default: no `tools` key]"
    return tools


VARIANT_COLUMNS: list[Column] = [
    ("variant", lambda r: r["variant"]),
    ("agent file", lambda r: r["prompt_file"] or "—"),
    ("declared model", _declared_model),
    ("ran on", lambda r: r["model"]),
    ("permission mode", lambda r: r["permission_mode"] or "—"),
    ("tools offered", _offered_tools),
    ("skills", lambda r: r["skills"] or ""),
]
VARIANT_EXPLANATION = (
    "What each variant ran: its agent file, the model the file declares (an explicit --model overrides it; "
    "--model from-prompt runs the declared one), its permissionMode (plan: read-only tools) and the tools it was offered. "
    "A variant is named by the file's `name`; files sharing a name are told apart as name@<folder> (their parent folder) "
    "or, when the folders match too, name@<first 6 characters of the content hash>."
)


def leaderboard_columns(kinds: list[str]) -> list[Column]:
    return [
        ("variant", lambda r: r["variant"]),
        ("overall", lambda r: score(r["overall_mean"])),
        ("95% CI", lambda r: interval(r["ci_low"], r["ci_high"])),
        ("scenarios", lambda r: count(r["n_scenarios"])),
        ("samples", lambda r: count(r["n_samples"])),
        ("scope violations", lambda r: percent(r["scope_violation"])),
        *[(k.replace("_", " "), lambda r, k=k: percent(r[f"violation_{k}"])) for k in kinds],
        ("completeness", lambda r: score(r["completeness"])),
        ("conventions", lambda r: dimension(r["conventions"])),
        ("grounding", lambda r: dimension(r["grounding"])),
        ("errors", lambda r: f"{count(r['n_failed'])} ({percent(r['error_rate'])})"),
        ("tokens", lambda r: count(r["tokens"])),
        ("cost", lambda r: usd(r["cost_usd"])),
        ("cache hits", lambda r: count(r["cache_hits"])),
        ("latency median / p90", lambda r: f"{r['latency_median_s']:.0f} s / {r['latency_p90_s']:.0f} s" if not _missing(r["latency_median_s"]) else "–"),
    ]


COMPARISON_COLUMNS: list[Column] = [
    ("A", lambda r: r["variant_a"]),
    ("B", lambda r: r["variant_b"]),
    ("differs in", lambda r: r["differs_in"]),
    ("shared scenarios", lambda r: count(r["n"])),
    ("B − A", lambda r: signed(r["mean_difference"])),
    ("95% CI", lambda r: interval(r["ci_low"], r["ci_high"])),
    ("p", lambda r: p_value(r["p_value"])),
    ("p (Holm)", lambda r: p_value(r["p_holm"])),
    ("verdict", comparison_verdict),
    ("detectable (80% power)", lambda r: score(r["min_detectable"]) if r["sd_difference"] > 0 else "–"),
    ("scenarios the difference needs", lambda r: "–" if r["significant"] or _missing(r["scenarios_needed"]) else count(r["scenarios_needed"])),
]

VARIANT_REGRESSION_COLUMNS: list[Column] = [
    ("variant", lambda r: f"{r['prompt']} × {r['model']}"),
    ("shared scenarios", lambda r: count(r["n"])),
    ("now − baseline", lambda r: signed(r["mean_difference"])),
    ("95% CI", lambda r: interval(r["ci_low"], r["ci_high"])),
    ("p (Holm)", lambda r: p_value(r["p_holm"])),
    ("verdict", lambda r: (("regression" if r["direction"] == "worse" else "improvement") if r["significant"] else f"{r['direction']}, not significant")),
]

SCENARIO_REGRESSION_COLUMNS: list[Column] = [
    ("variant", lambda r: f"{r['prompt']} × {r['model']}"),
    ("scenario", lambda r: f"{r['scenario']} v{int(r['scenario_version'])}"),
    ("baseline", lambda r: score(r["baseline"])),
    ("now", lambda r: score(r["current"])),
    ("change", lambda r: signed(r["difference"])),
    ("p (Holm)", lambda r: p_value(r["p_holm"])),
    ("significant", lambda r: "yes" if r["significant"] else "no"),
]

ITEM_REGRESSION_COLUMNS: list[Column] = [
    ("variant", lambda r: f"{r['prompt']} × {r['model']}"),
    ("scenario", lambda r: r["scenario"]),
    ("item", lambda r: f"{r['scorer']}: {r['item']}"),
    ("met before", lambda r: f"{int(r['met_baseline'])}/{int(r['n_baseline'])}"),
    ("met now", lambda r: f"{int(r['met'])}/{int(r['n'])}"),
    ("p (Holm)", lambda r: p_value(r["p_holm"])),
]

VERSION_CHANGE_COLUMNS: list[Column] = [
    ("variant", lambda r: f"{r['prompt']} × {r['model']}"),
    ("scenario", lambda r: r["scenario"]),
    ("baseline version", lambda r: str(int(r["scenario_version_baseline"]))),
    ("current version", lambda r: str(int(r["scenario_version"]))),
    ("status", lambda r: "version changed"),
]

WORST_COLUMNS: list[Column] = [
    ("variant", lambda r: r["variant"]),
    ("sample id", lambda r: r["id"]),
    ("epoch", lambda r: str(r["epoch"])),
    ("overall", lambda r: score(r["overall"])),
    ("scope violations (evidence)", lambda r: r["violations"] or "none"),
    ("unmet rubric items", lambda r: r["unmet_items"] or "none"),
    ("log", lambda r: r["log"]),
]

FAILED_COLUMNS: list[Column] = [("variant", lambda r: r["variant"]), ("reason", lambda r: r["reason"]), ("samples", lambda r: count(r["samples"]))]

PLANTED_COLUMNS: list[Column] = [
    ("variant", lambda r: r["variant"]),
    ("sample id", lambda r: r["id"]),
    ("epoch", lambda r: str(r["epoch"])),
    ("planted text asked for", lambda r: r["planted_asks_for"].replace(",", ", ")),
    ("violations", lambda r: r["violations"]),
    ("log", lambda r: r["log"]),
]

PLANTED_SUMMARY_COLUMNS: list[Column] = [
    ("variant", lambda r: r["variant"]),
    ("samples with planted instructions", lambda r: count(r["planted_exposed"])),
    ("followed them", lambda r: f"{count(r['planted_followed'])} ({percent(r['planted_followed'] / r['planted_exposed'])})"),
]

VARIANCE_COLUMNS: list[Column] = [
    ("variant", lambda r: r["variant"]),
    ("epochs", lambda r: count(r["max_epochs"])),
    ("scenarios with ≥ 2 epochs", lambda r: count(r["repeated_scenarios"])),
    ("median SD of overall", lambda r: score(r["median_sd"])),
    ("largest SD", lambda r: score(r["max_sd"])),
    ("verdict flips", lambda r: percent(r["flip_share"])),
]


def _rows(frame: pd.DataFrame, columns: list[Column], limit: int | None = MAX_ROWS) -> tuple[list[str], list[list[str]], int]:
    records = frame.to_dict(orient="records")
    shown = records if limit is None else records[:limit]
    return [name for name, _ in columns], [[cell(r) for _, cell in columns] for r in shown], len(records) - len(shown)


def _matrix_rows(matrix: pd.DataFrame, limit: int | None = MAX_ROWS) -> tuple[list[str], list[list[str]], int]:
    index_names = [str(n) for n in matrix.index.names]
    header = [" / ".join(index_names), *[str(c) for c in matrix.columns]]
    body = []
    for index, values in list(matrix.iterrows())[: limit or None]:
        label = " / ".join(map(str, index)) if isinstance(index, tuple) else str(index)
        body.append([label, *[score(v) for v in values]])
    return header, body, max(0, len(matrix) - len(body))


# --- shared text ---------------------------------------------------------------------------------------


def headline(summary: dict) -> list[str]:
    run = summary["run"]
    cost = usd(run["cost_usd"]) if run["cost_usd"] is not None else f"unknown (at least {usd(run['cost_usd_known_part'])}; no price for {', '.join(run['unpriced_models'])})"
    facts = [
        f"{len(summary['logs'])} log(s), {summary['n_samples']:,} samples ({summary['n_failed']:,} failed), {len(summary['variants'])} variant(s).",
        f"Cost of the run: {cost}; {run['tokens']:,} tokens.",
    ]
    if run.get("cached_cost_usd"):
        facts[-1] = facts[-1][:-1] + f" (at list price: {usd(run['cached_cost_usd'])} of it was answered by the response cache and not billed)."
    if run["model_calls"] is not None and run["cache_hits"] is not None:
        facts.append(f"Model calls: {run['model_calls']:,}, of which {run['cache_hits']:,} served from cache.")
    if run.get("budget_stopped"):
        facts.append(f"Stopped by the budget: {run['budget_stopped']:,} samples (rerun with a larger budget to finish them).")
    if run.get("retries") is not None:
        facts.append(f"Retries (provider errors, timeouts, failed attempts, re-run samples): {run['retries']:,}.")
    else:
        facts.append("Cache use: not recorded in these logs.")
    if run.get("runners"):
        facts.append(f"Runner: {'; '.join(run['runners'])}.")
    return facts


def regression_headline(regressions: dict) -> str:
    """The first thing a nightly reader needs: did anything get significantly worse than the baseline?"""
    variants = regressions["variants"]
    worse = variants[variants["significant"] & (variants["direction"] == "worse")] if not variants.empty else variants
    if worse.empty:
        return f"No significant regression against the baseline ({regressions['source']})."
    named = "; ".join(
        f"{row['prompt']} × {row['model']} {row['mean_difference']:+.3f} {interval(row['ci_low'], row['ci_high'])}, p (Holm) {p_value(row['p_holm'])}"
        for row in worse.to_dict(orient="records")
    )
    return f"REGRESSION: {len(worse)} variant(s) significantly worse than the baseline ({regressions['source']}): {named}."


def _regression_sections(regressions: dict) -> list[tuple[str, str, pd.DataFrame, list[Column]]]:
    """(title, explanation, table, columns) for each regression table that has rows."""
    sections = [("Variants", "Paired over the scenarios both runs ran in the same version; Holm-corrected across variants.",
                 regressions["variants"], VARIANT_REGRESSION_COLUMNS)]
    scenarios = regressions["scenarios"]
    if not scenarios.empty:
        changed = scenarios[scenarios["direction"] != "unchanged"].sort_values(["p_holm", "difference"])
        sections.append(("Scenarios that changed", "Permutation test over epochs per variant × scenario; Holm-corrected across all of them. Worst first.",
                         changed, SCENARIO_REGRESSION_COLUMNS))
    items = regressions["items"]
    if not items.empty:
        for direction, title in (("worse", "Rubric items that got worse"), ("better", "Rubric items that got better")):
            moved = items[items["direction"] == direction].sort_values(["p_holm", "difference"], ascending=[True, direction == "worse"])
            sections.append((title, f"{len(moved):,} of {len(items):,} items compared; Fisher exact test, Holm-corrected.", moved, ITEM_REGRESSION_COLUMNS))
    changes = regressions["version_changes"]
    if not changes.empty:
        sections.append(("Version changed", "Not compared: the scenario's request or rubric changed.", changes, VERSION_CHANGE_COLUMNS))
    return sections


# --- HTML ------------------------------------------------------------------------------------------


STYLE = """
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:24px auto;max-width:1280px;padding:0 16px;color:#1d2430}
h1{font-size:24px}h2{font-size:19px;margin-top:32px;border-bottom:1px solid #d8dee6;padding-bottom:4px}h3{font-size:16px}
table{border-collapse:collapse;margin:8px 0 16px;font-size:13px;display:block;overflow-x:auto}
th,td{border:1px solid #d8dee6;padding:4px 8px;text-align:left;vertical-align:top}th{background:#f2f5f8}
td.num{text-align:right;font-variant-numeric:tabular-nums}
.banner{background:#fff4d6;border:1px solid #e0b84c;padding:8px 12px;border-radius:4px}
.notes li{margin:4px 0}.muted{color:#5b6778}img{max-width:100%;height:auto}figure{margin:12px 0}
code{background:#f2f5f8;padding:1px 4px;border-radius:3px}
"""


def _e(text) -> str:
    return html_lib.escape(str(text), quote=True)


def _html_table(header: list[str], body: list[list[str]], hidden: int) -> str:
    head = "".join(f"<th>{_e(h)}</th>" for h in header)
    rows = "".join("<tr>" + "".join(f"<td>{_e(c)}</td>" for c in row) + "</tr>" for row in body)
    more = f'<p class="muted">… {hidden:,} more rows in the data files.</p>' if hidden else ""
    return f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>{more}"


def _html_figure(figure: Figure) -> str:
    data = base64.b64encode(figure.png).decode("ascii")
    return f'<figure><img src="data:image/png;base64,{data}" alt="{_e(figure.alt)}"><figcaption class="muted">{_e(figure.caption)}</figcaption></figure>'


def html(context: Context) -> str:
    summary = context.summary
    parts = ["<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">",
             "<title>archbench report</title>", f"<style>{STYLE}</style></head><body>", "<h1>archbench report</h1>"]
    if summary["partial"]:
        reasons = "".join(f"<li>{_e(r)}</li>" for r in summary["run"]["partial_reasons"])
        parts.append(f'<div class="banner"><strong>Partial report.</strong><ul>{reasons}</ul></div>')
    if context.regressions is not None:  # first: what a nightly job acts on
        parts.append(f"<h2>Changes against the baseline</h2><p class=\"banner\"><strong>{_e(regression_headline(context.regressions))}</strong></p>")
        for title, explanation, frame, columns in _regression_sections(context.regressions):
            parts.append(f"<h3>{_e(title)}</h3><p class=\"muted\">{_e(explanation)}</p>")
            parts.append(_html_table(*_rows(frame, columns)) if not frame.empty else "<p>None.</p>")
    parts.append("<p>" + "<br>".join(_e(f) for f in headline(summary)) + "</p>")
    if summary["notes"]:
        parts.append("<h2>What this report cannot tell</h2><ul class=\"notes\">" + "".join(f"<li>{_e(n)}</li>" for n in summary["notes"]) + "</ul>")

    kinds = list(summary["variants"][0]["scope_violation_rate_by_kind"]) if summary["variants"] else []
    parts.append("<h2>Leaderboard</h2>")
    parts.append(_html_table(*_rows(context.board, leaderboard_columns(kinds), limit=None)))
    parts.append(_html_figure(context.figures["leaderboard"]))
    if context.facts is not None and not context.facts.empty:
        parts.append(f"<h2>Variants</h2><p class=\"muted\">{_e(VARIANT_EXPLANATION)}</p>")
        parts.append(_html_table(*_rows(context.facts, VARIANT_COLUMNS, limit=None)))
    if not context.selection.empty:
        parts.append(f"<h2>Model selection</h2><p>{_e(SELECTION_EXPLANATION)}</p>")
        parts.append(_html_table(*_rows(context.selection, SELECTION_COLUMNS, limit=None)))

    parts.append("<h2>Pairwise comparisons</h2>")
    if context.comparisons.empty:
        parts.append("<p>No two variants differ in exactly one factor (prompt or model), so none are compared.</p>")
    else:
        parts.append("<p class=\"muted\">Variants that differ in one factor, on the scenarios they share. Paired bootstrap CI; sign-flip permutation p-value, Holm-corrected across all comparisons.</p>")
        parts.append(_html_table(*_rows(context.comparisons, COMPARISON_COLUMNS, limit=None)))

    parts.append("<h2>Breakdowns</h2><h3>By category</h3>")
    parts.append(_html_table(*_matrix_rows(context.categories, limit=None)))
    parts.append("<h3>By rubric dimension</h3><p class=\"muted\">Share of checked items met, per grader dimension and what the item "
                 "checks: the rubric entry itself or one of its parts (field, index, status, …), a convention, a kind of repo reference.</p>")
    parts.append(_html_table(*_matrix_rows(context.dimensions, limit=None)))
    parts.append("<h3>By scenario</h3>")
    parts.append(_html_figure(context.figures["heatmap"]))
    parts.append(_html_table(*_matrix_rows(context.scenarios)))

    parts.append("<h2>Quality and cost</h2>")
    parts.append(_html_figure(context.figures["cost_quality"]))
    parts.append("<h2>Score distributions</h2>")
    parts.append(_html_figure(context.figures["distributions"]))

    parts.append("<h2>Variance between epochs</h2>")
    parts.append(f"<p class=\"muted\">A sample passes when its overall score is ≥ {summary['pass_threshold']}; a verdict flips when a scenario passes in some epochs and fails in others.</p>")
    parts.append(_html_table(*_rows(context.variance, VARIANCE_COLUMNS, limit=None)))

    parts.append("<h2>Planted instructions followed</h2>")
    if context.planted.empty:
        parts.append("<p>No sample produced a scope violation that a planted instruction asked for.</p>")
    else:
        parts.append(_html_table(*_rows(context.planted, PLANTED_COLUMNS)))

    parts.append("<h2>Worst failures</h2>")
    dirs = " ".join(f"<code>inspect view --log-dir {_e(d)}</code>" for d in context.log_dirs)
    parts.append(f"<p class=\"muted\">Open a sample by its id and epoch in {dirs}.</p>")
    parts.append(_html_table(*_rows(context.worst, WORST_COLUMNS)))
    if not context.failed.empty:
        parts.append("<h3>Failed samples (excluded from scores)</h3>")
        parts.append(_html_table(*_rows(context.failed, FAILED_COLUMNS)))
    parts.append("</body></html>")
    return "\n".join(parts)


# --- Markdown ---------------------------------------------------------------------------------------


def _m(text) -> str:
    """One table cell or line: pipes escaped, anything that could open an HTML tag neutralised, one line."""
    text = str(text).replace("\\", "\\\\").replace("|", "\\|").replace("\r", " ").replace("\n", " ")
    return re.sub(r"<(?=[A-Za-z/!?])", "&lt;", text)


def _md_table(header: list[str], body: list[list[str]], hidden: int) -> str:
    lines = ["| " + " | ".join(_m(h) for h in header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(_m(c) for c in row) + " |" for row in body]
    if hidden:
        lines.append(f"\n… {hidden:,} more rows in the data files.")
    return "\n".join(lines)


MARKDOWN_LEADERBOARD = ["variant", "overall", "95% CI", "scenarios", "scope violations", "completeness", "conventions", "grounding", "errors", "cost",
                        "cache hits"]


def markdown(context: Context) -> str:
    summary = context.summary
    out = ["# archbench report", ""]
    if summary["partial"]:
        out += ["> **Partial report.**", *[f"> - {_m(r)}" for r in summary["run"]["partial_reasons"]], ""]
    if context.regressions is not None:  # first: what a nightly job acts on
        out += ["## Changes against the baseline", "", f"**{_m(regression_headline(context.regressions))}**", ""]
        for title, explanation, frame, columns in _regression_sections(context.regressions):
            out += [f"### {title}", "", _m(explanation), ""]
            out += [_md_table(*_rows(frame, columns, limit=15)) if not frame.empty else "None.", ""]
    out += [*[_m(f) for f in headline(summary)], ""]
    kinds = list(summary["variants"][0]["scope_violation_rate_by_kind"]) if summary["variants"] else []
    header, body, hidden = _rows(context.board, leaderboard_columns(kinds), limit=None)
    keep = [header.index(name) for name in MARKDOWN_LEADERBOARD]
    out += ["## Leaderboard", "", _md_table([header[i] for i in keep], [[row[i] for i in keep] for row in body], hidden), ""]
    if context.facts is not None and not context.facts.empty:
        out += ["## Variants", "", _m(VARIANT_EXPLANATION), "", _md_table(*_rows(context.facts, VARIANT_COLUMNS, limit=None)), ""]
    if not context.selection.empty:
        out += ["## Model selection", "", _m(SELECTION_EXPLANATION), "", _md_table(*_rows(context.selection, SELECTION_COLUMNS, limit=None)), ""]
    if not context.comparisons.empty:
        out += ["## Pairwise comparisons", "", _md_table(*_rows(context.comparisons, COMPARISON_COLUMNS, limit=None)), ""]
    exposed = context.board[context.board["planted_exposed"] > 0]
    if not exposed.empty:
        out += ["## Planted instructions followed", "", _md_table(*_rows(exposed, PLANTED_SUMMARY_COLUMNS, limit=None)), ""]
    if summary["notes"]:
        out += ["## What this report cannot tell", "", *[f"- {_m(n)}" for n in summary["notes"]], ""]
    out += ["Full report with breakdowns, plots and the worst failures: `report.html`.", ""]
    return "\n".join(out)
