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


def usage_costs(usage: pd.DataFrame, prices: PriceTable) -> tuple[pd.Series, list[str]]:
    """Cost in USD of each usage row (NaN for a model without a price) and the sorted unpriced model names."""
    models = usage["usage_model"].unique()
    table = pd.DataFrame(
        [
            (model, p.input, p.output, p.input if p.cache_read is None else p.cache_read,
             p.input if p.cache_write is None else p.cache_write)
            if (p := prices.price_of(model)) else (model, np.nan, np.nan, np.nan, np.nan)
            for model in models
        ],
        columns=["usage_model", "input", "output", "cache_read", "cache_write"],
    )
    priced = usage[["usage_model"]].merge(table, on="usage_model", how="left")
    tokens = usage[["input_tokens", "output_tokens", "cache_read_tokens", "cache_write_tokens"]].to_numpy(float)
    rates = priced[["input", "output", "cache_read", "cache_write"]].to_numpy(float)
    cost = pd.Series(np.einsum("ij,ij->i", tokens, rates) / 1e6, index=usage.index)  # NaN where unpriced
    unknown = sorted(table.loc[table["input"].isna(), "usage_model"])
    return cost, unknown
