"""A run-wide spending cap: once reached, no new sample starts.

inspect's own `cost_limit` bounds each sample; a nightly job needs a bound on the whole
run. Samples that start after the cap is reached end as errors saying so (never as
scores), so the report can mark the run partial and a rerun with a larger budget resumes
exactly those samples.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from inspect_ai.model import ModelUsage

BUDGET_ERROR_PREFIX = "archbench budget exhausted"
PriceOf = Callable[[str, ModelUsage], float | None]


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
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def check(self) -> None:
        """Raise before a sample starts if the run has spent its budget."""
        if self.max_usd is not None and self.spent_usd >= self.max_usd:
            raise BudgetExhausted(f"{BUDGET_ERROR_PREFIX}: spent ${self.spent_usd:.4f} of ${self.max_usd:.2f}")
        if self.max_tokens is not None and self.spent_tokens >= self.max_tokens:
            raise BudgetExhausted(f"{BUDGET_ERROR_PREFIX}: spent {self.spent_tokens} of {self.max_tokens} tokens")

    def add(self, usage: dict[str, ModelUsage]) -> None:
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


_active: RunBudget | None = None


def activate(budget: RunBudget | None) -> None:
    """Set the process-wide budget (`archbench run` does; plain `inspect eval` has none)."""
    global _active
    _active = budget


def active_budget() -> RunBudget | None:
    return _active
