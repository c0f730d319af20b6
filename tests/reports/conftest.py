"""Hand-built logs for the report tests (the generator lives in benchmarks/synth_logs.py, shared with the benchmark)."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.synth_logs import SampleSpec, eval_log, write_log


@pytest.fixture
def write(tmp_path: Path):
    """write(name, prompt, model, specs, **log options) -> path of a new .eval log under tmp_path/logs."""
    directory = tmp_path / "logs"
    directory.mkdir(exist_ok=True)

    def _write(name: str, prompt: str, model: str, sample_specs: list[SampleSpec], **options) -> Path:
        return write_log(eval_log(prompt, model, sample_specs, **options), directory / f"{name}.eval")

    return _write

