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


def test_an_export_carries_a_conventions_file_named_from_the_scenario_and_leaves_archbench_files_in_the_repo_out(tmp_path, capsys):
    import shutil

    repo = tmp_path / "mini_repo"
    shutil.copytree(SCENARIOS.parent / "mini_repo", repo)
    (repo / "notes").mkdir()
    (repo / "archbench.yaml").rename(repo / "notes" / "house-rules.yaml")  # inside the repo, named from the scenario
    scenarios = tmp_path / "scenarios"
    shutil.copytree(SCENARIOS, scenarios)
    text = (scenarios / "mini-tags.yaml").read_text()
    (scenarios / "mini-tags.yaml").write_text(text.replace("repo: ../mini_repo\n", "repo: ../mini_repo\nconventions: ../mini_repo/notes/house-rules.yaml\n"))
    original = load_scenarios(scenarios)[0]
    assert original.conventions_path == (repo / "notes" / "house-rules.yaml").resolve()

    assert main(["scenarios", "export", str(tmp_path / "export"), "--scenarios", str(scenarios)]) == 0
    (loaded,) = load_scenarios(tmp_path / "export")
    assert loaded.conventions is None and loaded.repo_config == original.repo_config
    assert not (loaded.repo_path / "notes" / "house-rules.yaml").exists()  # would be a readable repo file there
