"""Keep API keys out of everything the report writes (evidence, error messages and paths can carry them)."""

from __future__ import annotations

import os
import re

import pandas as pd

REDACTED = "[REDACTED]"
_EDGE = r"(?<![A-Za-z0-9_-])"  # a key starts a token: "task-management-…" holds no "sk-" key
_KEY_PATTERNS = [
    _EDGE + r"sk-ant-[A-Za-z0-9_-]{16,}",  # Anthropic
    _EDGE + r"sk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,}",  # OpenAI
    _EDGE + r"AKIA[0-9A-Z]{16}",  # AWS access key id
    _EDGE + r"AIza[0-9A-Za-z_-]{35}",  # Google
    _EDGE + r"(?:ghp|gho|ghs|github_pat)_[A-Za-z0-9_]{20,}",  # GitHub
    r"(?:(?<=Bearer )|(?<=bearer ))[A-Za-z0-9._~+/-]{20,}=*",  # Authorization header value
]
_SECRET_ENV = re.compile(r"(API_KEY|_TOKEN|_SECRET|ACCESS_KEY)$")


def _pattern() -> re.Pattern[str]:
    """Known key shapes, plus the exact values of secret-looking environment variables of this process."""
    values = [re.escape(v) for k, v in os.environ.items() if _SECRET_ENV.search(k) and len(v) >= 8]
    return re.compile("|".join(_KEY_PATTERNS + sorted(values, key=len, reverse=True)))


def redact(text: str) -> str:
    return _pattern().sub(REDACTED, text)


def redact_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy with every text column redacted (vectorised per column)."""
    pattern = _pattern()
    out = frame.copy()
    for column in out.columns:
        if pd.api.types.infer_dtype(out[column], skipna=True) == "string":
            out[column] = out[column].str.replace(pattern, REDACTED, regex=True)
    return out
