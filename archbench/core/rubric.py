"""The rubric schema: what the completeness grader checks for one scenario (docs/formats.md)."""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

ItemId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")]
Phrase = Annotated[str, StringConstraints(min_length=1, strip_whitespace=True)]
HTTP_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class FieldSpec(Strict):
    name: str
    type: str
    aliases: list[str] = []


class ConstraintSpec(Strict):
    kind: Literal["unique", "check", "exclusion"]
    fields: list[str] = Field(min_length=1)
    description: str = ""


class ModelSpec(Strict):
    id: ItemId
    name: str = Field(pattern=r"^[A-Z][A-Za-z0-9]*$")
    aliases: list[str] = []
    fields: list[FieldSpec] = []
    indexes: list[list[str]] = []
    constraints: list[ConstraintSpec] = []


class EndpointSpec(Strict):
    id: ItemId
    method: Literal["GET", "POST", "PUT", "PATCH", "DELETE"]
    path: str = Field(pattern=r"^/")
    status_codes: list[int] = []
    request_fields: list[str] = []
    response_fields: list[str] = []
    query_params: list[str] = []

    @field_validator("method", mode="before")
    @classmethod
    def _upper(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value

    @field_validator("status_codes")
    @classmethod
    def _http_codes(cls, codes: list[int]) -> list[int]:
        bad = [code for code in codes if not 100 <= code <= 599]
        if bad:
            raise ValueError(f"not HTTP status codes: {bad}")
        return codes


class TaskSpec(Strict):
    id: ItemId
    name: str = Field(pattern=r"^[a-z_][a-z0-9_]*$")
    aliases: list[str] = []
    trigger: list[Phrase] = []
    retry: bool = False
    failure_handling: bool = False
    idempotent: bool = False


class ConceptSpec(Strict):
    """A migration concern, edge case or decision: every phrase group must match in one block."""

    id: ItemId
    description: str = Field(min_length=1)
    all_of: list[list[Phrase]] = Field(min_length=1)

    @field_validator("all_of")
    @classmethod
    def _non_empty_groups(cls, groups: list[list[str]]) -> list[list[str]]:
        if any(not group for group in groups):
            raise ValueError("every all_of group needs at least one phrase")
        return groups


class Rubric(Strict):
    models: list[ModelSpec] = []
    endpoints: list[EndpointSpec] = []
    tasks: list[TaskSpec] = []
    migrations: list[ConceptSpec] = []
    edge_cases: list[ConceptSpec] = []
    decisions: list[ConceptSpec] = []

    @model_validator(mode="after")
    def _unique_ids(self) -> "Rubric":
        seen: set[str] = set()
        for section in (self.models, self.endpoints, self.tasks, self.migrations, self.edge_cases, self.decisions):
            for item in section:
                if item.id in seen:
                    raise ValueError(f"duplicate rubric item id '{item.id}'")
                seen.add(item.id)
        if not seen:
            raise ValueError("rubric has no items: a scenario must check something")
        return self


def phrase_pattern(phrase: str) -> re.Pattern[str]:
    """Case-insensitive, word-bounded pattern in which `_`, `-` and spaces are interchangeable."""
    parts = [re.escape(part) for part in re.split(r"[\s_\-]+", phrase.strip()) if part]
    body = r"[\s_\-]+".join(parts)
    return re.compile(rf"(?<![A-Za-z0-9]){body}(?![A-Za-z0-9])", re.IGNORECASE)
