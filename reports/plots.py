"""The report's figures as PNG bytes (matplotlib, Agg backend: no display needed)."""

from __future__ import annotations

import io
from dataclasses import dataclass

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from archbench.reports import tables  # noqa: E402

MAX_HEATMAP_ROWS = 60  # beyond this the per-scenario heatmap is unreadable: show categories instead
MAX_LABEL = 48


@dataclass(frozen=True)
class Figure:
    png: bytes
    alt: str
    caption: str


def _png(figure: plt.Figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=100, bbox_inches="tight")
    plt.close(figure)
    return buffer.getvalue()


def _short(label: str) -> str:
    return label if len(label) <= MAX_LABEL else label[: MAX_LABEL - 1] + "…"


def leaderboard(board: pd.DataFrame) -> Figure:
    shown = board.dropna(subset=["overall_mean"]).iloc[::-1]
    figure, axis = plt.subplots(figsize=(8, 1.2 + 0.35 * len(shown)))
    y = np.arange(len(shown))
    mean = shown["overall_mean"].to_numpy()
    # clipped: with identical scenario means the percentile can sit a rounding error past the mean
    low = np.clip(np.nan_to_num(mean - shown["ci_low"].to_numpy()), 0, None)
    high = np.clip(np.nan_to_num(shown["ci_high"].to_numpy() - mean), 0, None)
    axis.errorbar(mean, y, xerr=[low, high], fmt="o", color="#1f5fa8", ecolor="#7a9cc6", capsize=3)
    axis.set_yticks(y, [_short(v) for v in shown["variant"]])
    axis.set_xlim(0, 1)
    axis.set_xlabel("overall score (mean of scenario means, 95% cluster-bootstrap CI)")
    axis.grid(axis="x", alpha=0.3)
    return Figure(_png(figure), "Leaderboard: overall score per variant with 95% confidence intervals",
                  "Overall score per prompt × model. Bars: 95% CI from resampling scenarios (epochs stay with their scenario).")


def heatmap(matrix: pd.DataFrame, title: str) -> Figure:
    if matrix.empty:  # nothing scored (a run stopped by its budget before any grade): say so, draw no empty grid
        figure, axis = plt.subplots(figsize=(5, 1.5))
        axis.text(0.5, 0.5, "no scored samples", ha="center", va="center")
        axis.set_axis_off()
        axis.set_title(title)
        return Figure(_png(figure), title, "No sample was scored, so there is no cell to show.")
    figure, axis = plt.subplots(figsize=(2.5 + 0.55 * matrix.shape[1], 1.5 + 0.28 * matrix.shape[0]))
    image = axis.imshow(matrix.to_numpy(float), aspect="auto", cmap="RdYlGn", vmin=0, vmax=1)
    axis.set_xticks(np.arange(matrix.shape[1]), [_short(c) for c in matrix.columns], rotation=40, ha="right")
    axis.set_yticks(np.arange(matrix.shape[0]), [_short(str(i)) for i in matrix.index])
    if matrix.size <= 400:
        for (row, column), value in np.ndenumerate(matrix.to_numpy(float)):
            if not np.isnan(value):
                axis.text(column, row, f"{value:.2f}", ha="center", va="center", fontsize=7)
    figure.colorbar(image, ax=axis, fraction=0.03, label="overall score")
    axis.set_title(title)
    return Figure(_png(figure), title, "Grey cells: the variant did not run (or failed on) that row.")


def cost_quality(board: pd.DataFrame) -> Figure:
    priced = board.dropna(subset=["cost_per_sample_usd", "overall_mean"])
    figure, axis = plt.subplots(figsize=(7, 4.5))
    front = tables.pareto_front(priced["overall_mean"].to_numpy(), priced["cost_per_sample_usd"].to_numpy())
    axis.scatter(priced["cost_per_sample_usd"], priced["overall_mean"], color=np.where(front, "#1f5fa8", "#9aa5b1"), zorder=3)
    on_front = priced[front].sort_values("cost_per_sample_usd")
    axis.step(on_front["cost_per_sample_usd"], on_front["overall_mean"], where="post", color="#1f5fa8", alpha=0.6, label="Pareto front")
    for row in priced.itertuples():
        axis.annotate(_short(row.variant), (row.cost_per_sample_usd, row.overall_mean), fontsize=7, xytext=(4, 3), textcoords="offset points")
    axis.set_xlabel("cost per sample (USD)")
    axis.set_ylabel("overall score")
    axis.grid(alpha=0.3)
    axis.legend(loc="lower right")
    missing = len(board) - len(priced)
    caption = "Blue points are on the Pareto front: no other variant is both better and cheaper."
    if missing:
        caption += f" {missing} variant(s) with unknown cost are not shown."
    return Figure(_png(figure), "Quality versus cost per sample with the Pareto front", caption)


def distributions(scored: pd.DataFrame, order: list[str]) -> Figure:
    order = [v for v in order if v in set(scored["variant"])][::-1]
    grouped = scored.groupby("variant")["overall"]
    data = [grouped.get_group(v).to_numpy() for v in order]
    figure, axis = plt.subplots(figsize=(8, 1.2 + 0.35 * max(1, len(order))))
    if data:
        axis.boxplot(data, vert=False, tick_labels=[_short(v) for v in order], showmeans=True)
    axis.set_xlim(-0.02, 1.02)
    axis.set_xlabel("overall score per sample")
    axis.grid(axis="x", alpha=0.3)
    return Figure(_png(figure), "Distribution of per-sample overall scores per variant",
                  "Box: quartiles; whiskers: 1.5 IQR; triangle: mean. Every scored sample counts once.")


def all_figures(prepared: tables.Prepared, board: pd.DataFrame) -> dict[str, Figure]:
    scenarios = tables.scenario_matrix(prepared)
    if len(scenarios) <= MAX_HEATMAP_ROWS:
        grid = heatmap(scenarios, "Overall score per scenario × variant")
    else:
        grid = heatmap(tables.category_matrix(prepared), f"Overall score per category × variant ({len(scenarios)} scenarios)")
    return {
        "leaderboard": leaderboard(board),
        "heatmap": grid,
        "cost_quality": cost_quality(board),
        "distributions": distributions(prepared.scored, list(board["variant"])),
    }
