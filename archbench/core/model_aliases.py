"""The alias table (model_aliases.yaml): an agent file's `model:` → the inspect model that runs it.

Used by `--model from-prompt`, which runs each agent file on the model it declares, and by the
report, which says when an explicit `--model` overrode a declared one.
"""

from __future__ import annotations

import re
from pathlib import Path

from pydantic import BaseModel, ConfigDict, field_validator

from archbench.core.strict_yaml import InputError, load_model

DEFAULT_ALIASES = Path(__file__).with_name("model_aliases.yaml")
FROM_PROMPT = "from-prompt"  # the --model value that means "each prompt's declared model"
_INSPECT_MODEL = re.compile(r"[A-Za-z0-9_.-]+/\S+")
_FULL_ID = re.compile(r"claude-[A-Za-z0-9.-]+")


class ModelAliases(BaseModel):
    model_config = ConfigDict(extra="forbid")

    aliases: dict[str, str]
    full_id_provider: str = "anthropic"

    @field_validator("aliases")
    @classmethod
    def _inspect_names(cls, aliases: dict[str, str]) -> dict[str, str]:
        for alias, model in aliases.items():
            if not _INSPECT_MODEL.fullmatch(model):
                raise ValueError(f"alias '{alias}': '{model}' is not an inspect model name (provider/name)")
        if "inherit" not in aliases:
            raise ValueError("the table needs 'inherit' (the model an agent without `model:` runs on)")
        return aliases

    def resolve(self, declared: str | None) -> str:
        """The inspect model for a declared `model:` value (None: not declared, i.e. inherit)."""
        value = (declared or "inherit").strip()
        if value in self.aliases:
            return self.aliases[value]
        if _FULL_ID.fullmatch(value):
            return f"{self.full_id_provider}/{value}"
        if _INSPECT_MODEL.fullmatch(value):
            return value
        known = ", ".join(sorted(self.aliases))
        raise InputError(
            f"model '{value}' is neither an alias ({known}), a full Claude model id (claude-…) nor an inspect model "
            "(provider/name); add it to the alias table (--model-aliases) or pass --model"
        )

    def lookup(self, declared: str | None) -> str | None:
        """`resolve`, or None when the value resolves to nothing."""
        try:
            return self.resolve(declared)
        except InputError:
            return None


def load_aliases(path: str | Path | None = None) -> ModelAliases:
    return load_model(ModelAliases, path or DEFAULT_ALIASES)
