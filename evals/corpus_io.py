"""Share a scenario corpus as a Hugging Face `datasets` dataset (on disk and as Parquet).

An export holds two tables: `scenarios` (one row per scenario: its YAML fields, the rubric
as JSON and the reference plan text) and `repo_files` (every file of every sample repo the
scenarios use, as bytes). `materialize()` turns an export back into the folder layout that
`load_scenarios` reads, so a corpus pushed to the Hub runs like a local one.
"""

from __future__ import annotations

import hashlib
import json
import tempfile
from pathlib import Path

import yaml

from evals.scenarios import Scenario, load_scenarios
from evals.strict_yaml import InputError
from evals.workspace import SKIPPED_DIRS

SCENARIO_COLUMNS = ("id", "version", "title", "category", "repo", "request", "rubric", "reference_plan", "planted_instructions")
PARQUET_FILES = {"scenarios": "scenarios.parquet", "repo_files": "repo_files.parquet"}


def _repo_rows(repo_dir: Path) -> list[dict[str, object]]:
    rows = []
    for path in sorted(repo_dir.rglob("*")):
        if path.is_file() and not path.is_symlink() and not SKIPPED_DIRS.intersection(path.relative_to(repo_dir).parts):
            rows.append({"repo": repo_dir.name, "path": path.relative_to(repo_dir).as_posix(), "content": path.read_bytes()})
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
    from datasets import Dataset, DatasetDict

    scenarios = load_scenarios(scenarios_dir)
    repos = sorted({scenario.repo_path for scenario in scenarios})
    tables = DatasetDict(
        {
            "scenarios": Dataset.from_list([_scenario_row(scenario) for scenario in scenarios]),
            "repo_files": Dataset.from_list([row for repo in repos for row in _repo_rows(repo)]),
        }
    )
    out_dir.mkdir(parents=True, exist_ok=True)
    tables.save_to_disk(str(out_dir / "hf"))
    for split, filename in PARQUET_FILES.items():
        tables[split].to_parquet(str(out_dir / filename))
    return {split: len(table) for split, table in tables.items()}


def is_export(directory: Path) -> bool:
    return (directory / "hf" / "dataset_dict.json").is_file() or (directory / "dataset_dict.json").is_file() or all(
        (directory / filename).is_file() for filename in PARQUET_FILES.values()
    )


def _read_tables(directory: Path) -> tuple[list[dict], list[dict]]:
    from datasets import Dataset, load_from_disk

    for candidate in (directory / "hf", directory):
        if (candidate / "dataset_dict.json").is_file():
            tables = load_from_disk(str(candidate))
            return tables["scenarios"].to_list(), tables["repo_files"].to_list()
    return (
        Dataset.from_parquet(str(directory / PARQUET_FILES["scenarios"])).to_list(),
        Dataset.from_parquet(str(directory / PARQUET_FILES["repo_files"])).to_list(),
    )


def materialize(directory: Path, cache_root: Path | None = None) -> Path:
    """Write an exported corpus out as scenario YAML files and repos; returns the scenarios folder.

    The folder is keyed by the export's content, so loading the same export twice reuses it.
    """
    scenario_rows, file_rows = _read_tables(directory)
    missing = [column for column in SCENARIO_COLUMNS if scenario_rows and column not in scenario_rows[0]]
    if not scenario_rows or missing:
        raise InputError(f"not an archbench corpus export (missing columns {missing or SCENARIO_COLUMNS})", directory)
    digest = hashlib.sha256(json.dumps(scenario_rows, sort_keys=True, default=str).encode())
    for row in file_rows:
        digest.update(row["path"].encode() + bytes(row["content"]))
    root = (cache_root or Path(tempfile.gettempdir()) / "archbench-corpora") / digest.hexdigest()[:16]
    scenarios_dir = root / "scenarios"
    if (root / ".complete").is_file():
        return scenarios_dir
    for row in file_rows:
        target = root / "sample_repos" / row["repo"] / row["path"]
        if root.resolve() not in target.resolve().parents:
            raise InputError(f"repo file path '{row['path']}' leaves the corpus folder", directory)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(bytes(row["content"]))
    (scenarios_dir / "references").mkdir(parents=True, exist_ok=True)
    for row in scenario_rows:
        (scenarios_dir / "references" / f"{row['id']}.md").write_text(row["reference_plan"], encoding="utf-8")
        document = {
            "id": row["id"],
            "version": row["version"],
            "title": row["title"],
            "category": row["category"],
            "repo": f"../sample_repos/{row['repo']}",
            "request": row["request"],
            "reference_plan": f"references/{row['id']}.md",
            "rubric": json.loads(row["rubric"]),
        }
        planted = json.loads(row["planted_instructions"])
        if planted:
            document["planted_instructions"] = planted
        (scenarios_dir / f"{row['id']}.yaml").write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    (root / ".complete").write_text("")
    return scenarios_dir
