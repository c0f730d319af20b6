"""What graders return: verdicts that carry their own evidence (docs/graders.md)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, get_args

from archbench.core.scenarios import ViolationKind

Dimension = Literal["completeness", "conventions", "grounding"]
DIMENSIONS: tuple[Dimension, ...] = get_args(Dimension)

EVIDENCE_LIMIT = 240


def clip(text: str, limit: int = EVIDENCE_LIMIT) -> str:
    """Evidence text on one line, cut to `limit` characters."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


@dataclass(frozen=True)
class ItemVerdict:
    """One checked rubric/convention/grounding item: met or not, and the plan line that shows it."""

    id: str
    dimension: str
    met: bool
    evidence: str | None
    line: int | None
    description: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "dimension": self.dimension,
            "met": self.met,
            "evidence": self.evidence,
            "line": self.line,
            "description": self.description,
        }


@dataclass(frozen=True)
class Violation:
    """A breach of the architect's scope; `line` is the plan line (None for repo writes)."""

    kind: ViolationKind
    line: int | None
    evidence: str
    reason: str = ""

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "line": self.line, "evidence": self.evidence, "reason": self.reason}


@dataclass(frozen=True)
class ScopeVerdict:
    passed: bool
    violations: tuple[Violation, ...] = field(default_factory=tuple)

    @classmethod
    def from_violations(cls, violations: list[Violation] | tuple[Violation, ...]) -> "ScopeVerdict":
        ordered = tuple(sorted(violations, key=lambda v: (v.line is not None, v.line or 0, v.kind)))
        return cls(passed=not ordered, violations=ordered)

    @property
    def score(self) -> float:
        return 1.0 if self.passed else 0.0

    def kinds(self) -> list[str]:
        return sorted({violation.kind for violation in self.violations})

    def to_json(self) -> dict[str, Any]:
        return {"passed": self.passed, "violations": [violation.to_json() for violation in self.violations]}


def fraction_met(items: list[ItemVerdict] | tuple[ItemVerdict, ...]) -> float | None:
    """Share of items met, or None when there is nothing to check."""
    if not items:
        return None
    return sum(item.met for item in items) / len(items)
