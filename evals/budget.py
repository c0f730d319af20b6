"""A run-wide spending cap, checked as each model call completes.

inspect's own `cost_limit` bounds each sample; a nightly job needs a bound on the whole
run. Every completed model call of the agent is charged to the budget (its tokens, and its
cost at archbench's price table, which `archbench run` passes in as `price_of`); once the
cap is reached, the sample that made the call stops, and so does every other sample at the
end of its call in flight, or before its first call. A run therefore overshoots its cap by
at most one call per connection. Stopped samples end as errors saying so (never as scores),
so the report can mark the run partial and a rerun with a larger budget resumes exactly
those samples.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from inspect_ai.model import ModelUsage

BUDGET_ERROR_PREFIX = "archbench budget exhausted"
PriceOf = Callable[[str, ModelUsage], float | None]  # USD of `usage` of the named model; None: no price
USAGE_FIELDS = ("input_tokens", "output_tokens", "total_tokens", "input_tokens_cache_write", "input_tokens_cache_read", "reasoning_tokens")


class BudgetExhausted(RuntimeError):
    pass


@dataclass
class RunBudget:
    max_usd: float | None = None
    max_tokens: int | None = None
    price_of: PriceOf | None = None
    spent_usd: float = 0.0
    spent_tokens: int = 0
    unpriced_models: set[str] = field(default_factory=set)
    # usage of a sample's earlier attempts, by (model, sample id, epoch): inspect logs only the last
    # attempt of a sample it retried, and the report must still count what the others spent
    attempts: dict[tuple[str, str, int], dict[str, ModelUsage]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def check(self) -> None:
        """Raise if the run has spent its budget (before a sample starts and after each of its calls)."""
        if self.max_usd is not None and self.spent_usd >= self.max_usd:
            raise BudgetExhausted(f"{BUDGET_ERROR_PREFIX}: spent ${self.spent_usd:.4f} of ${self.max_usd:.2f}")
        if self.max_tokens is not None and self.spent_tokens >= self.max_tokens:
            raise BudgetExhausted(f"{BUDGET_ERROR_PREFIX}: spent {self.spent_tokens} of {self.max_tokens} tokens")

    def add(self, usage: dict[str, ModelUsage]) -> None:
        """Charge usage (by model) to the run."""
        with self._lock:
            for model, model_usage in usage.items():
                self.spent_tokens += model_usage.total_tokens
                if self.max_usd is None:
                    continue
                cost = self.price_of(model, model_usage) if self.price_of else model_usage.total_cost
                if cost is None:
                    self.unpriced_models.add(model)
                else:
                    self.spent_usd += cost


    def end_attempt(self, key: tuple[str, str, int], usage: dict[str, ModelUsage]) -> dict[str, ModelUsage]:
        """Record an attempt's usage; returns what the sample's earlier attempts used."""
        with self._lock:
            earlier = self.attempts.get(key, {})
            merged = dict(earlier)
            for model, model_usage in usage.items():
                merged[model] = merged[model] + model_usage if model in merged else model_usage
            self.attempts[key] = merged
            return earlier


class SampleCharges:
    """Charges one sample's calls to the budget as they complete: each time, the growth of the
    sample's usage since the last charge."""

    def __init__(self, budget: RunBudget):
        self.budget = budget
        self.charged: dict[str, ModelUsage] = {}

    def charge(self, usage: dict[str, ModelUsage]) -> None:
        self.budget.add({model: usage_since(now, self.charged.get(model)) for model, now in usage.items()})
        self.charged = {model: now.model_copy() for model, now in usage.items()}


def usage_since(now: ModelUsage, before: ModelUsage | None) -> ModelUsage:
    if before is None:
        return now
    return ModelUsage(**{name: (getattr(now, name) or 0) - (getattr(before, name) or 0) for name in USAGE_FIELDS})


_active: RunBudget | None = None


def activate(budget: RunBudget | None) -> None:
    """Set the process-wide budget (`archbench run` does, with or without caps; plain `inspect eval` has none)."""
    global _active
    _active = budget


def active_budget() -> RunBudget | None:
    return _active
