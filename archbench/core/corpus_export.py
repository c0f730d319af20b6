"""Share a scenario corpus as a Hugging Face `datasets` dataset (on disk and as Parquet);
corpus_io.py reads it back."""

from __future__ import annotations

import json
from pathlib import Path

from archbench.core.corpus_io import PARQUET_FILES
from archbench.core.repo_config import CONVENTIONS_FILE
from archbench.core.repo_files import SKIPPED_DIRS
from archbench.core.scenarios import Scenario, load_scenarios
from archbench.core.strict_yaml import InputError


def _repo_rows(repo_dir: Path) -> list[dict[str, object]]:
    rows = []
    for path in sorted(repo_dir.rglob("*")):
        if path.is_file() and not path.is_symlink() and not SKIPPED_DIRS.intersection(path.relative_to(repo_dir).parts):
            rows.append({"repo": repo_dir.name, "path": path.relative_to(repo_dir).as_posix(), "content": path.read_bytes()})
    return rows


def _repo_rows_with_conventions(repo_dir: Path, scenarios: list[Scenario]) -> list[dict[str, object]]:
    """The repo's files, with the conventions file its scenarios name exported as `archbench.yaml` at
    its root (an export has one repo per name), and without archbench's files that sit inside it."""
    own = [scenario for scenario in scenarios if scenario.repo_path == repo_dir]
    named = {scenario.conventions_path for scenario in own if scenario.conventions is not None}
    if len(named) > 1:
        raise InputError(f"scenarios on repo '{repo_dir.name}' name different conventions files: {sorted(map(str, named))}")
    hidden = {path for scenario in own for path in scenario.hidden_repo_files}
    rows = [row for row in _repo_rows(repo_dir) if row["path"] not in hidden]
    conventions = named.pop() if named else repo_dir / CONVENTIONS_FILE
    if conventions.is_file():
        rows.append({"repo": repo_dir.name, "path": CONVENTIONS_FILE, "content": conventions.read_bytes()})
    return rows


def _scenario_row(scenario: Scenario) -> dict[str, object]:
    return {
        "id": scenario.id,
        "version": scenario.version,
        "title": scenario.title,
        "category": scenario.category,
        "repo": scenario.repo_name,
        "request": scenario.request,
        "rubric": json.dumps(scenario.rubric.model_dump(mode="json", exclude_defaults=True)),
        "reference_plan": scenario.reference_plan_text(),
        "planted_instructions": json.dumps([planted.model_dump() for planted in scenario.planted_instructions]),
    }


def export_corpus(scenarios_dir: Path, out_dir: Path) -> dict[str, int]:
    """Write `out_dir/hf/` (datasets.save_to_disk) and `out_dir/*.parquet`; returns row counts."""
    if out_dir.exists() and not out_dir.is_dir():
        raise InputError("the export is a folder (hf/ and *.parquet), but this is a file", out_dir)
    from datasets import Dataset, DatasetDict

    scenarios = load_scenarios(scenarios_dir)
    repos = sorted({scenario.repo_path for scenario in scenarios})
    tables = DatasetDict(
        {
            "scenarios": Dataset.from_list([_scenario_row(scenario) for scenario in scenarios]),
            "repo_files": Dataset.from_list([row for repo in repos for row in _repo_rows_with_conventions(repo, scenarios)]),
        }
    )
    out_dir.mkdir(parents=True, exist_ok=True)
    tables.save_to_disk(str(out_dir / "hf"))
    for split, filename in PARQUET_FILES.items():
        tables[split].to_parquet(str(out_dir / filename))
    return {split: len(table) for split, table in tables.items()}
