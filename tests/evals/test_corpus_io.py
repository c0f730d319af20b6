"""A corpus exported as a datasets dataset / Parquet loads back to the same scenarios."""

from pathlib import Path

from archbench.app.cli import main
from archbench.core.scenarios import load_scenarios

SCENARIOS = Path(__file__).resolve().parent.parent / "fixtures" / "scenarios"


def test_export_round_trips(tmp_path, capsys):
    assert main(["scenarios", "export", str(tmp_path / "export"), "--scenarios", str(SCENARIOS)]) == 0
    assert (tmp_path / "export" / "hf" / "dataset_dict.json").is_file()
    original = load_scenarios(SCENARIOS)
    for source in (tmp_path / "export", tmp_path / "export" / "hf"):
        loaded = load_scenarios(source)
        assert [s.model_dump(exclude={"repo", "reference_plan"}) for s in loaded] == [
            s.model_dump(exclude={"repo", "reference_plan"}) for s in original
        ]
        assert loaded[0].reference_plan_text() == original[0].reference_plan_text()
        repo_files = sorted(p.relative_to(loaded[0].repo_path) for p in loaded[0].repo_path.rglob("*") if p.is_file())
        assert repo_files == sorted(p.relative_to(original[0].repo_path) for p in original[0].repo_path.rglob("*") if p.is_file())
    parquet_only = tmp_path / "parquet"
    parquet_only.mkdir()
    for name in ("scenarios.parquet", "repo_files.parquet"):
        (parquet_only / name).write_bytes((tmp_path / "export" / name).read_bytes())
    assert [s.id for s in load_scenarios(parquet_only)] == [s.id for s in original]
