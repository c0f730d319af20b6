"""Read a scenario corpus shared as a Hugging Face `datasets` dataset (on disk or as Parquet).

An export (written by corpus_export.py) holds two tables: `scenarios` (one row per scenario:
its YAML fields, the rubric as JSON and the reference plan text) and `repo_files` (every file
of every sample repo the scenarios use, as bytes). `materialize()` turns an export back into
the folder layout that `load_scenarios` reads, so a corpus pushed to the Hub runs like a local one.
"""

from __future__ import annotations

import hashlib
import json
import tempfile
from pathlib import Path

import yaml

from archbench.core.strict_yaml import InputError

SCENARIO_COLUMNS = ("id", "version", "title", "category", "repo", "request", "rubric", "reference_plan", "planted_instructions")
PARQUET_FILES = {"scenarios": "scenarios.parquet", "repo_files": "repo_files.parquet"}


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
