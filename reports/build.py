"""`build_report`: logs → summary.json, report.html, report.md, samples.parquet, items.parquet.

`archbench report LOGDIR... [--baseline PATH] [--out DIR]` is a thin shell over this.
"""

from __future__ import annotations

import json
import logging
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from archbench.core.strict_yaml import InputError
from archbench.reports import plots, render, stats, tables
from archbench.reports.costs import load_prices
from archbench.reports.load import LoadedLogs, load_logs
from archbench.reports.redact import redact, redact_frame

logger = logging.getLogger("archbench.reports")
REPORT_FORMAT = 1
SUMMARY = "summary.json"
SAMPLES = "samples.parquet"
ITEMS = "items.parquet"
ITEM_CHANGES = "item_changes.parquet"
DEFAULT_PASS_THRESHOLD = 0.5


@dataclass
class Baseline:
    source: str
    values: pd.DataFrame  # prompt, model, scenario, scenario_version, values
    items: pd.DataFrame | None  # item counts, or None when the baseline has none
    note: str = ""


def build_report(
    logs: list[Path],
    out_dir: Path,
    baseline: Path | None = None,
    prices: Path | None = None,
    *,
    pass_threshold: float = DEFAULT_PASS_THRESHOLD,
    seed: int = 0,
    prompt_order: list[str] | None = None,
) -> dict:
    """Build the report for `logs` (log files or directories) into `out_dir`; return the summary dict.

    `prompt_order`: prompt names in the order a comparison names them A, B (see tables.one_factor_pairs)."""
    price_table = load_prices(prices)
    loaded = load_logs(logs)
    for skipped in loaded.skipped:
        logger.warning("skipped log %s: %s", skipped.path, redact(skipped.reason))
    if loaded.samples.empty:
        named = "; ".join(f"{s.path}: {s.reason}" for s in loaded.skipped) or "no log files found"
        raise InputError(redact(f"no samples to report on ({named})"))
    prepared = tables.prepare(loaded, price_table)
    resampler = stats.Resampler(seed)

    board = tables.leaderboard(prepared, resampler)
    comparisons = tables.comparisons(prepared, resampler, prompt_order)
    selection = tables.model_selection(board, comparisons)
    variance = tables.variance(prepared, pass_threshold)
    values = tables.scenario_values(prepared)
    counts = tables.item_counts(prepared)

    regressions = None
    if baseline is not None:
        base = load_baseline(baseline, price_table)
        regressions = _regressions(values, counts, base, resampler, seed)

    facts = tables.variant_facts(prepared)
    summary = _summary(loaded, prepared, board, comparisons, variance, values, regressions, pass_threshold)
    _add_variant_facts(summary, facts)
    summary["notes"] = notes(loaded, prepared, board, comparisons, regressions) + variant_notes(facts)
    summary["model_selection"] = _records(
        selection,
        ["prompt", "model", "overall_mean", "ci_low", "ci_high", "cost_per_sample_usd", "latency_median_s", "pareto",
         "significantly_worse_than_best", "cheapest_not_worse"],
    )

    out_dir.mkdir(parents=True, exist_ok=True)
    figures = plots.all_figures(prepared, board)
    context = render.Context(
        summary=summary,
        board=board,
        comparisons=comparisons,
        selection=selection,
        categories=tables.category_matrix(prepared),
        scenarios=tables.scenario_matrix(prepared),
        dimensions=tables.dimension_matrix(prepared),
        worst=tables.worst_failures(prepared),
        failed=tables.failed_samples(prepared),
        planted=tables.planted_followers(prepared),
        variance=variance,
        regressions=regressions,
        figures=figures,
        log_dirs=sorted({str(Path(info.path).parent) for info in loaded.logs}),
        facts=facts,
    )
    (out_dir / "report.html").write_text(redact(render.html(context)), encoding="utf-8")
    (out_dir / "report.md").write_text(redact(render.markdown(context)), encoding="utf-8")
    _write_tables(out_dir, prepared, counts, regressions)
    (out_dir / SUMMARY).write_text(redact(json.dumps(_jsonable(summary), indent=2, allow_nan=False)), encoding="utf-8")
    return json.loads((out_dir / SUMMARY).read_text(encoding="utf-8"))


def _write_tables(out_dir: Path, prepared: tables.Prepared, counts: pd.DataFrame, regressions: dict | None) -> None:
    keep = [c for c in prepared.samples.columns if c not in ("row",)]
    redact_frame(prepared.samples[keep]).to_parquet(out_dir / SAMPLES, index=False)
    counts.to_parquet(out_dir / ITEMS, index=False)
    if regressions is not None:
        regressions["items"].to_parquet(out_dir / ITEM_CHANGES, index=False)


# --- baseline ---------------------------------------------------------------------------------


def load_baseline(path: Path, price_table) -> Baseline:
    """An earlier log dir / log file, or an earlier report's summary.json (with its items.parquet beside it),
    or a folder holding one (what `archbench baseline promote` writes, or a report folder)."""
    if path.is_dir() and (path / SUMMARY).is_file():
        path = path / SUMMARY
    if path.is_file() and path.suffix == ".json" and path.name == SUMMARY:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            values = pd.DataFrame(data["per_scenario"])
        except (json.JSONDecodeError, KeyError, TypeError, UnicodeDecodeError) as error:
            raise InputError(f"not an archbench report summary ({type(error).__name__}: {error})", path) from None
        items_path = path.parent / data.get("files", {}).get("items", ITEMS)
        if items_path.is_file():
            return Baseline(str(path), values, pd.read_parquet(items_path))
        return Baseline(str(path), values, None, f"baseline {path} has no {ITEMS} beside it: rubric items not compared")
    loaded = load_logs([path])
    if loaded.samples.empty:
        raise InputError("baseline has no readable samples", path)
    prepared = tables.prepare(loaded, price_table)
    note = ""
    if loaded.skipped:
        note = "baseline logs skipped: " + "; ".join(f"{s.path} ({s.reason})" for s in loaded.skipped)
    return Baseline(str(path), tables.scenario_values(prepared), tables.item_counts(prepared), note)


def _regressions(values: pd.DataFrame, counts: pd.DataFrame, base: Baseline, resampler: stats.Resampler, seed: int) -> dict:
    items = tables.item_regressions(counts, base.items) if base.items is not None else None
    return {
        "source": base.source,
        "note": base.note,
        "variants": tables.variant_regressions(values, base.values, resampler),
        "scenarios": tables.scenario_regressions(values, base.values, seed),
        "items": items if items is not None else pd.DataFrame(),
        "version_changes": tables.version_changes(values, base.values),
    }


# --- summary.json -------------------------------------------------------------------------------


def _records(frame: pd.DataFrame, columns: list[str]) -> list[dict]:
    return frame[columns].to_dict(orient="records") if not frame.empty else []


def _summary(
    loaded: LoadedLogs,
    prepared: tables.Prepared,
    board: pd.DataFrame,
    comparisons: pd.DataFrame,
    variance: pd.DataFrame,
    values: pd.DataFrame,
    regressions: dict | None,
    pass_threshold: float,
) -> dict:
    samples = prepared.samples
    variants = []
    for row in board.to_dict(orient="records"):
        variants.append(
            {
                "prompt": row["prompt"],
                "model": row["model"],
                "n_samples": row["n_samples"],
                "n_failed": row["n_failed"],
                "n_scenarios": row["n_scenarios"],
                "overall": {"mean": row["overall_mean"], "ci_low": row["ci_low"], "ci_high": row["ci_high"]},
                "scope_violation_rate": row["scope_violation"],
                "scope_violation_rate_by_kind": {kind: row[f"violation_{kind}"] for kind in prepared.kinds},
                "completeness": row["completeness"],
                "conventions": row["conventions"],
                "grounding": row["grounding"],
                "error_rate": row["error_rate"],
                "cost_usd": row["cost_usd"],
                "cost_per_sample_usd": row["cost_per_sample_usd"],
                "tokens": row["tokens"],
                "latency_s": {"median": row["latency_median_s"], "p90": row["latency_p90_s"]},
                "cache_hits": int(row["cache_hits"]),  # calls answered by the response cache (cost and latency count them at list price)
                "planted_instructions": {"exposed": row["planted_exposed"], "followed": row["planted_followed"]},
            }
        )
    run = _run_facts(loaded, prepared)
    summary = {
        "format": REPORT_FORMAT,
        "logs": [info.path for info in loaded.logs],
        "skipped_logs": [{"path": s.path, "reason": s.reason} for s in loaded.skipped],
        "superseded_logs": [{"path": s.path, "reason": s.reason} for s in loaded.superseded],
        "partial": bool(run["partial_reasons"]),
        "run": run,
        "pass_threshold": pass_threshold,
        "n_samples": int(len(samples)),
        "n_failed": int(samples["failed"].sum()),
        "variants": variants,
        "comparisons": _records(
            comparisons,
            ["variant_a", "variant_b", "differs_in", "n", "mean_difference", "ci_low", "ci_high", "p_value", "p_holm", "significant",
             "min_detectable", "scenarios_needed"],
        ),
        "regressions": _regression_records(regressions),
        "version_changes": _records(regressions["version_changes"], list(regressions["version_changes"].columns)) if regressions else [],
        "planted_instructions_followed": _records(tables.planted_followers(prepared), ["variant", "id", "epoch", "planted_asks_for", "violations"]),
        "variance": _records(variance, list(variance.columns)),
        "mixed_scenario_versions": _records(prepared.mixed_versions, list(prepared.mixed_versions.columns)),
        "per_scenario": _records(values, list(values.columns)),
        "files": {"samples": SAMPLES, "items": ITEMS, **({"item_changes": ITEM_CHANGES} if regressions else {})},
    }
    return summary


def _add_variant_facts(summary: dict, facts: pd.DataFrame) -> None:
    """Each summary variant gets what it ran: agent file, declared model (and whether --model overrode it),
    permission mode, tools offered (and whether they are Claude Code's default), Bash patterns, skills."""
    by_variant = {row["variant"]: row for row in facts.to_dict(orient="records")}
    for variant in summary["variants"]:
        row = by_variant.get(f"{variant['prompt']} × {variant['model']}")
        if row is None:
            continue
        variant.update({
            "prompt_name": row["prompt_name"] or None,
            "prompt_file": row["prompt_file"] or None,
            "declared_model": row["prompt_model"] or None,
            "declared_model_id": row["prompt_model_id"] or None,
            "model_overridden": bool(row["model_overridden"]),
            "permission_mode": row["permission_mode"] or None,
            "tools": [tool for tool in row["tools"].split(", ") if tool] if row["tools_declared"] is not None else None,
            "tools_default": None if row["tools_declared"] is None else not row["tools_declared"],
            "bash_allow": [spec for spec in row["bash_allow"].split(", ") if spec],
            "skills": [skill for skill in row["skills"].split(", ") if skill],
        })


def variant_notes(facts: pd.DataFrame) -> list[str]:
    """What the variant table means for the comparison: overridden models, default tool sets, same-name files, tool sets that differ."""
    found = []
    known = facts[facts["tools_declared"].notna()]
    for prompt, group in facts[facts["model_overridden"]].groupby("prompt", sort=False):
        found.append(
            f"Prompt {prompt} declares model '{group['prompt_model'].iloc[0]}'; it ran on {', '.join(group['model'])}: "
            "an explicit --model overrides a declared model (--model from-prompt runs the declared one)."
        )
    for prompt, group in known[known["tools_declared"] == False].groupby("prompt", sort=False):  # noqa: E712
        plan = group["permission_mode"].iloc[0] == "plan"
        found.append(
            f"Prompt {prompt} has no `tools` key: it was offered every archbench tool"
            f"{' that permissionMode plan leaves (the read-only ones)' if plan else ''} ({group['tools'].iloc[0]}), "
            "Claude Code's default."
        )
    renamed = facts[(facts["prompt_name"] != "") & (facts["prompt"] != facts["prompt_name"])].drop_duplicates("prompt")
    for name, group in renamed.groupby("prompt_name", sort=False):
        files = "; ".join(f"{label} = {path}" for label, path in zip(group["prompt"], group["prompt_file"]))
        found.append(
            f"{len(group)} agent files are named '{name}': their variants are told apart by the file's folder "
            f"(or content hash when the folders match): {files}."
        )
    tool_sets = known.drop_duplicates("prompt")[["prompt", "tools", "bash_allow"]]
    if len(tool_sets[["tools", "bash_allow"]].drop_duplicates()) > 1:
        found.append("The prompts were offered different tools (see the Variants table): a difference between them may "
                     "come from the tools as well as from the wording.")
    return found


def _regression_records(regressions: dict | None) -> list[dict]:
    """Variant level in full; scenarios and items that changed (items only when significant: see item_changes.parquet)."""
    if regressions is None:
        return []
    records = []
    for row in regressions["variants"].to_dict(orient="records"):
        records.append({"level": "variant", **{k: row[k] for k in ("prompt", "model", "n", "mean_difference", "ci_low", "ci_high", "p_value", "p_holm", "significant", "direction")}})
    changed = regressions["scenarios"]
    changed = changed[changed["direction"] != "unchanged"] if not changed.empty else changed
    for row in changed.to_dict(orient="records"):
        records.append({"level": "scenario", **{k: row[k] for k in ("prompt", "model", "scenario", "scenario_version", "baseline", "current", "difference", "p_value", "p_holm", "significant", "direction")}})
    items = regressions["items"]
    items = items[items["significant"]] if not items.empty else items
    for row in items.to_dict(orient="records"):
        records.append({"level": "item", **{k: row[k] for k in ("prompt", "model", "scenario", "scenario_version", "scorer", "item", "dimension", "baseline", "current", "difference", "p_value", "p_holm", "significant", "direction")}})
    return records


def _run_facts(loaded: LoadedLogs, prepared: tables.Prepared) -> dict:
    samples = prepared.samples
    cost_known = bool(samples["cost_usd"].notna().all())
    reasons = []
    for info in loaded.logs:
        if info.run.stopped_by_budget:
            budget = f" of ${info.run.budget_usd:.2f}" if info.run.budget_usd is not None else ""
            count = f" ({info.run.budget_stopped} samples stopped)" if info.run.budget_stopped else ""
            reasons.append(f"{info.path}: run stopped by its budget{budget}{count}")
        elif info.status != "success":
            reasons.append(f"{info.path}: log status is '{info.status}' (the run did not finish)")
    for skipped in loaded.skipped:
        reasons.append(f"{skipped.path}: skipped, unreadable ({skipped.reason})")
    calls = [info.run.model_calls for info in loaded.logs]
    hits = [info.run.cache_hits for info in loaded.logs]
    retries = [info.run.retries for info in loaded.logs]
    budget_stopped = [info.run.budget_stopped for info in loaded.logs]
    return {
        "cost_usd": float(samples["cost_usd"].sum()) if cost_known else None,
        "cost_usd_known_part": float(samples["cost_usd"].sum()),
        "cached_cost_usd": float(samples["cached_cost_usd"].sum()),  # part of the cost answered by the response cache
        "unpriced_models": prepared.unpriced_models,
        "tokens": int(samples["total_tokens"].sum()),
        "model_calls": sum(calls) if calls and None not in calls else None,
        "cache_hits": sum(hits) if hits and None not in hits else None,
        "retries": sum(retries) if retries and None not in retries else None,
        "budget_stopped": sum(budget_stopped) if budget_stopped and None not in budget_stopped else None,
        "runners": sorted({info.run.runner for info in loaded.logs if info.run.runner}),
        "partial_reasons": reasons,
    }


# --- notes: what the report cannot tell ----------------------------------------------------------


def notes(loaded: LoadedLogs, prepared: tables.Prepared, board: pd.DataFrame, comparisons: pd.DataFrame, regressions: dict | None) -> list[str]:
    samples = prepared.samples
    found = []
    failed = int(samples["failed"].sum())
    if failed:
        found.append(f"{failed} of {len(samples)} samples failed (errors or no score) and are excluded from every score; their cost still counts.")
        errors = samples.loc[samples["error"] != "", "error"].map(lambda message: message.strip().splitlines()[0][:300] if message.strip() else message)
        for message, n in errors.value_counts().head(3).items():
            found.append(f"{n} sample(s) failed with: {redact(message)}")
    for skipped in loaded.skipped:
        found.append(f"Log {skipped.path} was skipped: {skipped.reason}. Its samples are not in this report.")
    for older in loaded.superseded:
        found.append(f"Log {older.path} is {older.reason}: only the later log's samples are counted.")
    for info in loaded.logs:
        if info.problem:
            found.append(f"Log {info.path}: {info.problem}.")
    for row in prepared.mixed_versions.to_dict(orient="records"):
        found.append(
            f"Scenario {row['scenario']} appears in versions {', '.join(map(str, row['versions']))}: each version is reported "
            f"separately (as {row['scenario']}@vN) and only the same version is ever compared."
        )
    sha_counts = samples.groupby("prompt")["prompt_sha"].nunique()
    for prompt, count in sha_counts[sha_counts > 1].items():
        found.append(f"Prompt {prompt} has {count} different contents (prompt_sha) across these logs: its numbers mix prompt versions.")
    repeats = samples.duplicated(["variant", "scenario", "scenario_version", "epoch"]).groupby(samples["variant"]).sum()
    for variant, count in repeats[repeats > 0].items():
        found.append(f"{variant}: {count} samples repeat a scenario and epoch already present in another log; they are pooled as extra epochs.")
    if prepared.unpriced_models:
        found.append(f"No price for {', '.join(prepared.unpriced_models)} in the price table: their cost is reported as unknown.")
    if prepared.no_batch_rate:
        found.append(f"No batch rate for {', '.join(prepared.no_batch_rate)} in the price table: their batched calls are priced at list price (an upper bound).")
    hits = int(samples["cache_hits"].sum())
    if hits:
        found.append(f"{hits:,} model calls were answered by the response cache: cost and latency count them at list price, as if they had been made.")
    few = board[board["n_scenarios"].fillna(0) < 2]
    for variant in few["variant"]:
        found.append(f"{variant} has fewer than 2 scored scenarios: no confidence interval.")
    if not comparisons.empty:
        found += _comparison_notes(comparisons)
    if regressions is not None:
        if regressions["note"]:
            found.append(regressions["note"])
        changes = regressions["version_changes"]
        if not changes.empty:
            found.append(f"{len(changes)} variant × scenario pairs changed scenario version since the baseline: reported as 'version changed', not compared.")
        items = regressions["items"]
        if not items.empty:
            per_side = int(min(items["n"].min(), items["n_baseline"].min()))
            smallest = stats.fisher_exact_p(per_side, per_side, 0, per_side)
            if smallest * len(items) >= tables.ALPHA:
                found.append(
                    f"Rubric items: with {per_side} epoch(s) per side a single item cannot be significant after correcting for "
                    f"{len(items)} items (smallest possible p = {smallest:.3g}); item changes are listed as counts only."
                )
    return found


def _comparison_notes(comparisons: pd.DataFrame) -> list[str]:
    """Two sentences at most, however many comparisons: the per-comparison figures are in the table."""
    found = []
    untestable = comparisons[comparisons["smallest_possible_p"] >= tables.ALPHA]
    if not untestable.empty:
        names = "; ".join(f"{a} vs {b} ({n})" for a, b, n in zip(untestable["variant_a"], untestable["variant_b"], untestable["n"]))
        found.append(
            f"{len(untestable)} comparison(s) share 5 scenarios or fewer and cannot reach p < {tables.ALPHA} whatever the difference: {names}."
        )
    unresolved = comparisons[~comparisons["significant"] & (comparisons["smallest_possible_p"] < tables.ALPHA)]
    detectable = unresolved["min_detectable"].dropna()
    detectable = detectable[unresolved.loc[detectable.index, "sd_difference"] > 0]
    if not detectable.empty:
        low, high = detectable.min(), detectable.max()
        size = f"{low:.3f}" if round(low, 3) == round(high, 3) else f"{low:.3f} to {high:.3f}"
        scenarios = unresolved["n"]
        counts = f"{scenarios.min()}" if scenarios.min() == scenarios.max() else f"{scenarios.min()} to {scenarios.max()}"
        found.append(
            f"{len(unresolved)} of {len(comparisons)} comparisons show no significant difference. With their {counts} shared "
            f"scenarios, only differences of about {size} or more are detectable with 80% power; the comparisons table "
            "gives, for each, the number of scenarios its observed difference would need."
        )
    return found


JSON_DECIMALS = 12  # far below any difference the report resolves; drops float noise such as 1.0000000000000002
INTEGER_KEYS = ("scenario_version", "versions", "epoch")  # held as floats in the tables (a missing one is NaN)


def _jsonable(value, key: str = ""):
    """Plain JSON values: numpy scalars unwrapped, NaN and infinities as null, floats rounded to
    JSON_DECIMALS places, and whole numbers under INTEGER_KEYS written as integers."""
    if key in INTEGER_KEYS and isinstance(value, (float, np.floating)) and math.isfinite(value) and float(value).is_integer():
        return int(value)
    if isinstance(value, dict):
        return {str(k): _jsonable(v, str(k)) for k, v in value.items()}
    if isinstance(value, (list, tuple, np.ndarray)):
        return [_jsonable(v, key) for v in value]
    if isinstance(value, (np.bool_, bool)):
        return bool(value)
    if isinstance(value, (np.integer, int)):
        return int(value)
    if isinstance(value, (np.floating, float)):
        return round(float(value), JSON_DECIMALS) + 0.0 if math.isfinite(value) else None  # + 0.0: no -0.0
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    return value
