"""USD cost of each sample from its token usage and the editable price table `reports/prices.yaml`."""

from __future__ import annotations

import fnmatch
import re
from pathlib import Path

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

from archbench.core.strict_yaml import load_model

DEFAULT_PRICES = Path(__file__).with_name("prices.yaml")
_DATE_SUFFIX = re.compile(r"-(\d{8}|\d{4}-\d{2}-\d{2})$")
PerMillion = float


class Price(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    input: PerMillion = Field(ge=0)
    output: PerMillion = Field(ge=0)
    cache_read: PerMillion | None = Field(default=None, ge=0)
    cache_write: PerMillion | None = Field(default=None, ge=0)
    batch: float | None = Field(default=None, gt=0, le=1)  # batch API price as a fraction of these (0.5: half price)

    def cost(self, input: int, output: int, cache_read: int = 0, cache_write: int = 0, batch: bool = False) -> float:
        """USD of one usage at these prices; `batch`: sent through the batch API (at list price when no batch rate is known)."""
        read = self.input if self.cache_read is None else self.cache_read
        write = self.input if self.cache_write is None else self.cache_write
        usd = (input * self.input + output * self.output + cache_read * read + cache_write * write) / 1e6
        return usd * (self.batch if batch and self.batch is not None else 1.0)


class PriceTable(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    models: dict[str, Price] = Field(min_length=1)

    def price_of(self, model: str) -> Price | None:
        """The entry for `model`, for `model` without a trailing date, or for the first matching `*` pattern."""
        for name in (model, _DATE_SUFFIX.sub("", model)):
            if name in self.models:
                return self.models[name]
        for pattern, price in self.models.items():
            if "*" in pattern and fnmatch.fnmatchcase(model, pattern):
                return price
        return None


def load_prices(path: Path | None = None) -> PriceTable:
    return load_model(PriceTable, path or DEFAULT_PRICES)


def usage_costs(usage: pd.DataFrame, prices: PriceTable) -> tuple[pd.Series, list[str], list[str]]:
    """Cost in USD of each usage row (NaN for a model without a price), the sorted unpriced model names,
    and the models with batched calls but no `batch` rate (their batched calls stay at list price).

    Rows of source "call" and "cache" cost their tokens at list price (a cached answer is shown at
    what it would cost, so that a cached run never looks free); a "batch" row repeats tokens already
    counted in a "call" row and carries the batch discount, -(1 - batch) times their list price."""
    models = usage["usage_model"].unique()
    table = pd.DataFrame(
        [
            (model, p.input, p.output, p.input if p.cache_read is None else p.cache_read,
             p.input if p.cache_write is None else p.cache_write, np.nan if p.batch is None else p.batch)
            if (p := prices.price_of(model)) else (model, np.nan, np.nan, np.nan, np.nan, np.nan)
            for model in models
        ],
        columns=["usage_model", "input", "output", "cache_read", "cache_write", "batch"],
    )
    priced = usage[["usage_model"]].merge(table, on="usage_model", how="left")
    tokens = usage[["input_tokens", "output_tokens", "cache_read_tokens", "cache_write_tokens"]].to_numpy(float)
    rates = priced[["input", "output", "cache_read", "cache_write"]].to_numpy(float)
    list_cost = np.einsum("ij,ij->i", tokens, rates) / 1e6  # NaN where unpriced
    batch_rows = (usage["source"] == "batch").to_numpy() if "source" in usage else np.zeros(len(usage), bool)
    batch_rate = priced["batch"].to_numpy(float)
    discount = np.where(np.isnan(batch_rate), 0.0, batch_rate - 1.0)  # no batch rate: no discount
    cost = pd.Series(np.where(batch_rows, list_cost * discount, list_cost), index=usage.index)
    unknown = sorted(table.loc[table["input"].isna(), "usage_model"])
    batched = set(usage.loc[batch_rows, "usage_model"])
    no_batch_rate = sorted(set(table.loc[table["batch"].isna() & table["input"].notna(), "usage_model"]) & batched)
    return cost, unknown, no_batch_rate
