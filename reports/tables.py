"""The report's tables, computed with grouped pandas operations (never a loop over samples).

Every score and rate is averaged within a scenario first (over its epochs), then across
scenarios, so that a scenario with more successful epochs does not weigh more. A scenario
is identified by its id *and* version: two versions of one scenario are different tests.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from archbench.core.scenarios import VIOLATION_KINDS
from archbench.reports import stats
from archbench.reports.costs import PriceTable, usage_costs
from archbench.reports.load import LoadedLogs

ALPHA = 0.05
PLANTED_ALSO_OBEYS = {"frontend_instructions": "frontend_code"}  # a violation kind -> the ask it also obeys
METRICS = ("overall", "completeness", "conventions", "grounding")
VARIANT_KEYS = ["prompt", "model"]
SCENARIO_KEYS = ["scenario", "scenario_version"]


def variant_label(prompt: pd.Series | str, model: pd.Series | str):
    return prompt + " × " + model


def scenario_label(scenario: pd.Series, version: pd.Series, mixed: set[str]) -> pd.Series:
    """`scenario`, or `scenario@vN` for scenarios that appear in more than one version."""
    labels = scenario.astype(object)
    tagged = scenario.isin(mixed)
    return labels.where(~tagged, scenario + "@v" + version.astype("int64").astype(str))


@dataclass
class Prepared:
    """All samples, with variant and scenario labels, tokens, cost and violation indicators; `scored` excludes failed samples."""

    samples: pd.DataFrame
    scored: pd.DataFrame
    violations: pd.DataFrame
    items: pd.DataFrame
    kinds: list[str]
    mixed_versions: pd.DataFrame  # scenario, versions, variants
    unpriced_models: list[str]
    no_batch_rate: list[str] = field(default_factory=list)  # batched calls priced at list price


def prepare(loaded: LoadedLogs, prices: PriceTable) -> Prepared:
    frame = loaded.samples.copy()
    violations = loaded.violations
    frame["row"] = np.arange(len(frame))
    frame["variant"] = variant_label(frame["prompt"], frame["model"])
    versions = frame.groupby("scenario")["scenario_version"].nunique()
    mixed = set(versions.index[versions > 1])
    frame["scenario_label"] = scenario_label(frame["scenario"], frame["scenario_version"], mixed)

    usage = loaded.usage
    usage_cost, unpriced, no_batch_rate = usage_costs(usage, prices)
    token_columns = ["input_tokens", "output_tokens", "cache_read_tokens", "cache_write_tokens"]
    tokens = usage[token_columns].sum(axis=1).where(usage["source"] != "batch", 0)  # batch rows repeat counted tokens
    per_row = pd.DataFrame({"tokens": tokens, "cost": usage_cost, "row": usage["row"]}).groupby("row")
    frame["total_tokens"] = per_row["tokens"].sum().reindex(frame["row"], fill_value=0).to_numpy()
    # min_count=1 keeps an unpriced model's NaN: unknown cost, never a silent 0
    frame["cost_usd"] = per_row["cost"].sum(min_count=1).reindex(frame["row"]).to_numpy()
    frame.loc[~frame["row"].isin(usage["row"]), "cost_usd"] = 0.0  # no model call made, nothing spent
    cached = usage_cost.where(usage["source"] == "cache", 0.0).groupby(usage["row"]).sum()
    frame["cached_cost_usd"] = cached.reindex(frame["row"], fill_value=0.0).to_numpy()  # part of cost_usd, not billed

    # latency at list price too: a cached answer adds the time its original call took
    frame["latency_s"] = frame["total_time"] + frame["cached_seconds"].fillna(0.0)
    frame["failed"] = (frame["error"] != "") | frame["overall"].isna()
    kinds = list(VIOLATION_KINDS) + sorted(set(violations["kind"].dropna()) - set(VIOLATION_KINDS))
    present = pd.crosstab(violations["row"], violations["kind"]).reindex(index=frame["row"], columns=kinds, fill_value=0) > 0
    for kind in kinds:
        frame[f"violation_{kind}"] = present[kind].to_numpy(float)
    frame["scope_violation"] = present.any(axis=1).to_numpy(float)
    frame["planted_exposed"] = frame["planted_asks_for"] != ""
    frame["planted_followed"] = _planted_followed(frame, violations)
    mixed_table = (
        frame[frame["scenario"].isin(mixed)]
        .groupby("scenario")
        .agg(versions=("scenario_version", lambda v: sorted(int(x) for x in v.unique())), variants=("variant", "nunique"))
        .reset_index()
    )
    scored = frame[~frame["failed"]]
    scored_items = loaded.items[loaded.items["row"].isin(scored["row"])]
    return Prepared(frame, scored, violations, scored_items, kinds, mixed_table, unpriced, no_batch_rate)


def _planted_followed(frame: pd.DataFrame, violations: pd.DataFrame) -> np.ndarray:
    """A sample followed a planted instruction when one of its violations is a kind that instruction asks for.
    Prose instructions to edit the frontend (`frontend_instructions`) obey a plant that asks for `frontend_code`:
    scenarios written before that kind existed ask for frontend work by that name."""
    exposed = frame.loc[frame["planted_exposed"], ["row", "planted_asks_for"]]
    asks = exposed.assign(kind=exposed["planted_asks_for"].str.split(",")).explode("kind")[["row", "kind"]]
    done = violations[["row", "kind"]].assign(kind=violations["kind"].replace(PLANTED_ALSO_OBEYS)).drop_duplicates()
    followed_rows = asks.merge(pd.concat([violations[["row", "kind"]], done]).drop_duplicates(), on=["row", "kind"])["row"].unique()
    return np.isin(frame["row"].to_numpy(), followed_rows)


def scenario_means(scored: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """Per variant × scenario (id and version) means of `columns`, with the epoch count `n`."""
    grouped = scored.groupby([*VARIANT_KEYS, "variant", *SCENARIO_KEYS, "scenario_label", "category"], observed=True, sort=False)
    means = grouped[columns].mean()
    means["n"] = grouped.size()
    return means.reset_index()


def leaderboard(prepared: Prepared, resampler: stats.Resampler) -> pd.DataFrame:
    """One row per variant, best overall first."""
    samples, scored = prepared.samples, prepared.scored
    rate_columns = ["scope_violation", *[f"violation_{k}" for k in prepared.kinds]]
    per_scenario = scenario_means(scored, [*METRICS, *rate_columns])
    board = per_scenario.groupby("variant")[[*METRICS, *rate_columns]].mean()
    board["n_scenarios"] = per_scenario.groupby("variant").size()
    intervals = {
        variant: stats.cluster_bootstrap_ci(group["overall"].to_numpy(), resampler=resampler)
        for variant, group in per_scenario.groupby("variant", sort=False)
    }
    board["ci_low"] = pd.Series({v: i.ci_low for v, i in intervals.items()}, dtype=float)
    board["ci_high"] = pd.Series({v: i.ci_high for v, i in intervals.items()}, dtype=float)

    every = samples.groupby("variant")
    cost_known = samples["cost_usd"].notna().groupby(samples["variant"]).all()
    totals = pd.DataFrame(
        {
            "n_samples": scored.groupby("variant").size(),
            "n_failed": every["failed"].sum(),
            "tokens": every["total_tokens"].sum(),
            # a single unpriced sample makes the variant's cost unknown, never a lower number
            "cost_usd": every["cost_usd"].sum().where(cost_known),
            "latency_median_s": every["latency_s"].median(),
            "latency_p90_s": every["latency_s"].quantile(0.9),
            "cache_hits": every["cache_hits"].sum(),
            "planted_exposed": every["planted_exposed"].sum(),
            "planted_followed": every["planted_followed"].sum(),
        }
    )
    names = samples.drop_duplicates("variant").set_index("variant")[VARIANT_KEYS]
    board = names.join(totals).join(board).reset_index()
    board["n_samples"] = board["n_samples"].fillna(0).astype(int)
    attempted = board["n_samples"] + board["n_failed"]
    board["error_rate"] = board["n_failed"] / attempted
    board["cost_per_sample_usd"] = board["cost_usd"] / attempted
    board = board.rename(columns={"overall": "overall_mean"})
    return board.sort_values("overall_mean", ascending=False, na_position="last").reset_index(drop=True)


def variant_facts(prepared: Prepared) -> pd.DataFrame:
    """Per variant: the agent file behind it, the model it declares and whether the run's model overrode it,
    its permission mode and the tools it was offered (from each sample's metadata; the first sample's
    when a variant mixes prompt versions, which `notes` flags)."""
    columns = ["variant", "prompt", "model", "prompt_name", "prompt_file", "prompt_sha", "prompt_model", "prompt_model_id",
               "permission_mode", "tools", "tools_declared", "bash_allow", "skills"]
    facts = prepared.samples.drop_duplicates("variant")[columns].reset_index(drop=True)
    declared = facts["prompt_model"].fillna("").astype(str)
    # an explicit --model overrides a declared model unless it is the very model the declaration stands for
    facts["model_overridden"] = (declared != "") & (declared != "inherit") & (facts["prompt_model_id"] != facts["model"])
    return facts


def category_matrix(prepared: Prepared) -> pd.DataFrame:
    """Mean overall per category (rows) × variant (columns), scenario-weighted within each category."""
    per_scenario = scenario_means(prepared.scored, ["overall"])
    return per_scenario.pivot_table(index="category", columns="variant", values="overall", aggfunc="mean")


def scenario_matrix(prepared: Prepared) -> pd.DataFrame:
    """Mean overall per scenario (rows) × variant (columns)."""
    per_scenario = scenario_means(prepared.scored, ["overall"])
    return per_scenario.pivot_table(index="scenario_label", columns="variant", values="overall", aggfunc="mean")


def item_aspect(items: pd.Series, scorer: pd.Series) -> pd.Series:
    """What an item checks, from its id (docs/graders.md): a grounding reference's kind (`app-model:…`), a completeness
    check (`<entry>.field.<name>` → `field`; the rubric entry itself → `entry`), or the convention id."""
    pairs = pd.DataFrame({"item": items, "scorer": scorer}).drop_duplicates()
    aspect = pairs["item"].where(pairs["scorer"] != "completeness", pairs["item"].str.split(".").str[1].fillna("entry"))
    aspect = aspect.where(pairs["scorer"] != "grounding", pairs["item"].str.split(":").str[0])
    lookup = pd.Series(aspect.to_numpy(), index=pd.MultiIndex.from_frame(pairs))
    return pd.Series(lookup.reindex(pd.MultiIndex.from_arrays([items, scorer])).to_numpy(), index=items.index)


def dimension_matrix(prepared: Prepared) -> pd.DataFrame:
    """Share of rubric items met per dimension and aspect (rows) × variant (columns), scenario-weighted."""
    items = prepared.items.merge(prepared.scored[["row", "variant", "scenario", "scenario_version"]], on="row")
    items["aspect"] = item_aspect(items["item"], items["scorer"])
    per_scenario = items.groupby(["variant", "scorer", "aspect", *SCENARIO_KEYS])["met"].mean().reset_index()
    return per_scenario.pivot_table(index=["scorer", "aspect"], columns="variant", values="met", aggfunc="mean")


def worst_failures(prepared: Prepared, count: int = 12) -> pd.DataFrame:
    """The lowest-scoring samples with their evidence: violations and unmet rubric items."""
    worst = prepared.scored.nsmallest(count, ["overall", "completeness"])
    violations = prepared.violations[prepared.violations["row"].isin(worst["row"])]
    unmet = prepared.items[prepared.items["row"].isin(worst["row"]) & ~prepared.items["met"]]
    # diff violations (file_edit, frontend_edit) have no plan line; pandas 3 keeps NaN as NaN
    # under astype(str), which would sink the join, so spell a missing line out
    line = pd.Series(
        np.where(violations["line"].isna(), "n/a", violations["line"].fillna(0).astype(int).astype(str)), index=violations.index
    )
    evidence = violations["kind"].astype(str) + " (line " + line + "): " + violations["evidence"].fillna("").astype(str).str.slice(0, 160)
    violation_text = evidence.groupby(violations["row"]).agg(" | ".join)
    unmet_text = unmet.groupby("row")["item"].agg(lambda ids: ", ".join(ids.iloc[:8]) + (f" … (+{len(ids) - 8})" if len(ids) > 8 else ""))
    columns = ["variant", "id", "epoch", "scenario_label", "overall", "completeness", "conventions", "grounding", "log"]
    table = worst[["row", *columns]].copy()
    table["violations"] = table["row"].map(violation_text).fillna("")
    table["unmet_items"] = table["row"].map(unmet_text).fillna("")
    return table.drop(columns="row").reset_index(drop=True)


def failed_samples(prepared: Prepared) -> pd.DataFrame:
    """Samples excluded from scoring (infrastructure errors or missing scores), grouped by variant and reason."""
    failed = prepared.samples[prepared.samples["failed"]]
    reason = failed["error"].where(failed["error"] != "", "no overall score recorded").str.split("\n").str[0].str.slice(0, 200)
    return failed.assign(reason=reason).groupby(["variant", "reason"]).size().rename("samples").reset_index()


def planted_followers(prepared: Prepared) -> pd.DataFrame:
    followed = prepared.samples[prepared.samples["planted_followed"]]
    kinds = prepared.violations[prepared.violations["row"].isin(followed["row"])].groupby("row")["kind"].agg(lambda k: ", ".join(sorted(set(k))))
    table = followed[["row", "variant", "id", "epoch", "scenario_label", "planted_asks_for", "log"]].copy()
    table["violations"] = table["row"].map(kinds)
    return table.drop(columns="row").reset_index(drop=True)


def variance(prepared: Prepared, pass_threshold: float) -> pd.DataFrame:
    """Per variant: epochs per scenario, median per-scenario SD of overall, share of scenarios whose verdict flips."""
    scored = prepared.scored
    grouped = scored.groupby(["variant", *SCENARIO_KEYS])["overall"]
    spread = grouped.std(ddof=1).rename("sd").reset_index()
    passes = (scored["overall"] >= pass_threshold).groupby([scored["variant"], scored["scenario"], scored["scenario_version"]])
    per_scenario = spread.assign(
        n=grouped.size().to_numpy(), passes=passes.sum().to_numpy()
    )
    repeated = per_scenario[per_scenario["n"] >= 2]
    flips = (repeated["passes"] > 0) & (repeated["passes"] < repeated["n"])
    return pd.DataFrame(
        {
            "max_epochs": per_scenario.groupby("variant")["n"].max(),
            "median_sd": repeated.groupby("variant")["sd"].median(),
            "max_sd": repeated.groupby("variant")["sd"].max(),
            "flip_share": flips.groupby(repeated["variant"]).mean(),
            "repeated_scenarios": repeated.groupby("variant").size(),
        }
    ).reset_index()


def one_factor_pairs(variants: pd.DataFrame, prompt_order: list[str] | None = None) -> list[tuple[str, str, str]]:
    """Variant pairs that differ in exactly one factor (same prompt or same model): (a, b, what differs).

    A is the variant whose prompt comes first in `prompt_order` (the order `archbench compare`
    was given its prompts, so that A and B mean the same there and in the report); otherwise,
    and between models, the alphabetically first variant."""
    if variants.empty:  # nothing scored (a budget that stopped every sample): nothing to pair
        return []
    rank = {prompt: index for index, prompt in enumerate(prompt_order or [])}
    pairs = variants.merge(variants, how="cross", suffixes=("_a", "_b"))
    key_a = list(zip(pairs["prompt_a"].map(lambda p: rank.get(p, len(rank))), pairs["variant_a"]))
    key_b = list(zip(pairs["prompt_b"].map(lambda p: rank.get(p, len(rank))), pairs["variant_b"]))
    pairs = pairs[[a < b for a, b in zip(key_a, key_b)]]
    same_prompt = pairs["prompt_a"] == pairs["prompt_b"]
    same_model = pairs["model_a"] == pairs["model_b"]
    pairs = pairs[same_prompt ^ same_model]
    factor = np.where(pairs["prompt_a"] == pairs["prompt_b"], "model", "prompt")
    return list(zip(pairs["variant_a"], pairs["variant_b"], factor))


def _batched_paired_tests(differences: list[np.ndarray], resampler: stats.Resampler) -> list[stats.PairedTest]:
    """`stats.paired_tests` over vectors of mixed lengths: one batch per length, results in input order."""
    results: list[stats.PairedTest | None] = [None] * len(differences)
    by_length: dict[int, list[int]] = {}
    for index, vector in enumerate(differences):
        by_length.setdefault(len(vector), []).append(index)
    for length, indices in by_length.items():
        batch = np.array([differences[i] for i in indices]).reshape(len(indices), length)
        for index, result in zip(indices, stats.paired_tests(batch, resampler=resampler)):
            results[index] = result
    return results


TEST_COLUMNS = ["n", "mean_difference", "ci_low", "ci_high", "p_value", "sd_difference"]


def comparisons(prepared: Prepared, resampler: stats.Resampler, prompt_order: list[str] | None = None) -> pd.DataFrame:
    """Paired differences B − A between variants on the scenarios (same version) they share, Holm-corrected."""
    per_scenario = scenario_means(prepared.scored, ["overall"])
    wide = per_scenario.pivot_table(index=SCENARIO_KEYS, columns="variant", values="overall")
    variants = per_scenario[["variant", *VARIANT_KEYS]].drop_duplicates()
    pairs = one_factor_pairs(variants, prompt_order)
    differences = [(wide[b] - wide[a]).dropna().to_numpy() for a, b, _ in pairs]
    results = _batched_paired_tests(differences, resampler)
    table = pd.DataFrame(
        [{"variant_a": a, "variant_b": b, "differs_in": factor, **r.__dict__} for (a, b, factor), r in zip(pairs, results)],
        columns=["variant_a", "variant_b", "differs_in", *TEST_COLUMNS],
    )
    return _conclude(table, difference="mean_difference")


def _conclude(table: pd.DataFrame, difference: str) -> pd.DataFrame:
    """Add Holm-adjusted p-values, significance, and what it would take to detect the difference."""
    table = table.copy()
    table["p_holm"] = stats.holm(table["p_value"].to_numpy(float))
    table["significant"] = table["p_holm"] < ALPHA
    table["min_detectable"] = [stats.minimum_detectable_difference(sd, int(n)) for sd, n in zip(table["sd_difference"], table["n"])]
    table["scenarios_needed"] = [stats.required_scenarios(d, sd) for d, sd in zip(table[difference], table["sd_difference"])]
    table["smallest_possible_p"] = [stats.smallest_sign_flip_p(int(n)) for n in table["n"]]
    return table


# --- regressions against a baseline ----------------------------------------------------------


def scenario_values(prepared: Prepared) -> pd.DataFrame:
    """Per variant × scenario × version: the overall score of each epoch (what a later baseline needs)."""
    grouped = prepared.scored.groupby([*VARIANT_KEYS, *SCENARIO_KEYS])["overall"]
    return grouped.agg(list).rename("values").reset_index()


def item_counts(prepared: Prepared) -> pd.DataFrame:
    """Per variant × scenario × version × rubric item: how many epochs met it out of how many."""
    items = prepared.items.merge(prepared.scored[["row", *VARIANT_KEYS, *SCENARIO_KEYS]], on="row")
    grouped = items.groupby([*VARIANT_KEYS, *SCENARIO_KEYS, "scorer", "item", "dimension"])["met"]
    return pd.DataFrame({"met": grouped.sum(), "n": grouped.size()}).reset_index()


def _direction(delta: pd.Series) -> np.ndarray:
    return np.select([delta < 0, delta > 0], ["worse", "better"], "unchanged")


def variant_regressions(current: pd.DataFrame, baseline: pd.DataFrame, resampler: stats.Resampler) -> pd.DataFrame:
    """Current minus baseline per variant, paired over scenarios run in the same version by both."""
    merged = current.merge(baseline, on=[*VARIANT_KEYS, *SCENARIO_KEYS], suffixes=("", "_baseline"))
    merged["difference"] = merged["values"].map(np.mean) - merged["values_baseline"].map(np.mean)
    groups = list(merged.groupby(VARIANT_KEYS)["difference"])
    results = _batched_paired_tests([g.to_numpy() for _, g in groups], resampler)
    table = pd.DataFrame(
        [{"prompt": prompt, "model": model, **r.__dict__} for ((prompt, model), _), r in zip(groups, results)],
        columns=[*VARIANT_KEYS, *TEST_COLUMNS],
    )
    table = _conclude(table, difference="mean_difference")
    table["direction"] = _direction(table["mean_difference"])
    return table


def version_changes(current: pd.DataFrame, baseline: pd.DataFrame) -> pd.DataFrame:
    """Variant × scenario pairs present in both runs but under different scenario versions: not comparable."""
    now = current[[*VARIANT_KEYS, "scenario", "scenario_version"]]
    before = baseline[[*VARIANT_KEYS, "scenario", "scenario_version"]]
    merged = now.merge(before, on=[*VARIANT_KEYS, "scenario"], suffixes=("", "_baseline"))
    same = merged.merge(before, on=[*VARIANT_KEYS, "scenario", "scenario_version"], how="left", indicator=True)
    changed = same[same["_merge"] == "left_only"].drop(columns="_merge")
    return changed.drop_duplicates([*VARIANT_KEYS, "scenario", "scenario_version"]).reset_index(drop=True)


def scenario_regressions(current: pd.DataFrame, baseline: pd.DataFrame, seed: int) -> pd.DataFrame:
    """Per variant × scenario: permutation test over epochs, baseline vs current, Holm-corrected across all of them."""
    merged = current.merge(baseline, on=[*VARIANT_KEYS, *SCENARIO_KEYS], suffixes=("", "_baseline"))
    if merged.empty:
        return merged.assign(baseline=[], current=[], difference=[], p_value=[], p_holm=[], significant=[], direction=[])
    merged["n_current"] = merged["values"].map(len)
    merged["n_baseline"] = merged["values_baseline"].map(len)
    merged["p_value"] = np.nan
    for (n_base, n_now), group in merged.groupby(["n_baseline", "n_current"]):
        before = np.array(group["values_baseline"].tolist(), dtype=float)
        now = np.array(group["values"].tolist(), dtype=float)
        merged.loc[group.index, "p_value"] = stats.two_sample_p_values(before, now, seed=seed)
    merged["baseline"] = merged["values_baseline"].map(np.mean)
    merged["current"] = merged["values"].map(np.mean)
    merged["difference"] = merged["current"] - merged["baseline"]
    merged["p_holm"] = stats.holm(merged["p_value"].to_numpy(float))
    merged["significant"] = merged["p_holm"] < ALPHA
    merged["direction"] = _direction(merged["difference"])
    return merged.drop(columns=["values", "values_baseline"])


def item_regressions(current: pd.DataFrame, baseline: pd.DataFrame) -> pd.DataFrame:
    """Per rubric item: Fisher exact test on met counts, baseline vs current, Holm-corrected across all items compared."""
    keys = [*VARIANT_KEYS, *SCENARIO_KEYS, "scorer", "item", "dimension"]
    merged = current.merge(baseline, on=keys, suffixes=("", "_baseline"))
    tables = merged[["met_baseline", "n_baseline", "met", "n"]].astype(int)
    unique = tables.drop_duplicates()
    p_of = {tuple(t): stats.fisher_exact_p(*t) for t in unique.itertuples(index=False, name=None)}
    merged["p_value"] = [p_of[t] for t in tables.itertuples(index=False, name=None)]
    merged["baseline"] = merged["met_baseline"] / merged["n_baseline"]
    merged["current"] = merged["met"] / merged["n"]
    merged["difference"] = merged["current"] - merged["baseline"]
    merged["p_holm"] = stats.holm(merged["p_value"].to_numpy(float))
    merged["significant"] = merged["p_holm"] < ALPHA
    merged["direction"] = _direction(merged["difference"])
    return merged


def pareto_front(quality: np.ndarray, cost: np.ndarray) -> np.ndarray:
    """Boolean mask of points no other point beats on both (higher quality, lower cost); NaN costs are never on it."""
    quality = np.asarray(quality, float)
    cost = np.asarray(cost, float)
    valid = ~np.isnan(quality) & ~np.isnan(cost)
    better_or_equal = (quality[None, :] >= quality[:, None]) & (cost[None, :] <= cost[:, None])
    strictly = (quality[None, :] > quality[:, None]) | (cost[None, :] < cost[:, None])
    dominated = (better_or_equal & strictly & valid[None, :]).any(axis=1)
    return valid & ~dominated


def finite_or_none(value: float) -> float | None:
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else float(value)


def model_selection(board: pd.DataFrame, comparisons: pd.DataFrame) -> pd.DataFrame:
    """Per prompt run on two or more models: models ranked by quality, with cost, latency and the
    Pareto front, and whether each is significantly worse than the best (from the Holm-corrected
    pairwise comparisons). `cheapest_not_worse` marks the model a model-selection review asks for."""
    rows = []
    for prompt, group in board.groupby("prompt", sort=False):
        if group["model"].nunique() < 2:
            continue
        group = group.sort_values("overall_mean", ascending=False)
        best = group.iloc[0]["variant"]
        worse = {}
        for variant in group["variant"]:
            pair = comparisons[
                ((comparisons["variant_a"] == variant) & (comparisons["variant_b"] == best))
                | ((comparisons["variant_a"] == best) & (comparisons["variant_b"] == variant))
            ]
            if variant == best or pair.empty:
                worse[variant] = False if variant == best else None  # None: not compared (no shared scenarios)
                continue
            row = pair.iloc[0]
            best_minus_this = row["mean_difference"] if row["variant_b"] == best else -row["mean_difference"]  # B − A
            worse[variant] = bool(row["significant"] and best_minus_this > 0)
        table = group[["prompt", "model", "variant", "overall_mean", "ci_low", "ci_high", "cost_per_sample_usd", "latency_median_s", "cache_hits"]].copy()
        table["pareto"] = pareto_front(table["overall_mean"].to_numpy(), table["cost_per_sample_usd"].to_numpy())
        table["significantly_worse_than_best"] = table["variant"].map(worse)
        eligible = table[(table["significantly_worse_than_best"] == False) & table["cost_per_sample_usd"].notna()]  # noqa: E712
        cheapest = eligible.sort_values(["cost_per_sample_usd", "overall_mean"], ascending=[True, False]).head(1)["variant"]
        table["cheapest_not_worse"] = table["variant"].isin(cheapest)
        rows.append(table)
    columns = ["prompt", "model", "variant", "overall_mean", "ci_low", "ci_high", "cost_per_sample_usd", "latency_median_s", "cache_hits",
               "pareto", "significantly_worse_than_best", "cheapest_not_worse"]
    return pd.concat(rows, ignore_index=True) if rows else pd.DataFrame(columns=columns)
