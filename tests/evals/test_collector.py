"""The collector settings a run, a rescore and a report's log loading use, and that the process gets its own back."""

import gc

import pytest

from archbench.app import run as app_run
from archbench.app.run import RunSpec, run_matrix
from archbench.core.collector import RUN_THRESHOLDS, collector_paused, run_collector
from archbench.graders import rescore


@pytest.fixture
def default_collector():
    previous = gc.get_threshold()
    gc.set_threshold(700, 10, 10)
    yield
    gc.set_threshold(*previous)


def test_settings_hold_inside_the_block_and_are_restored_after(default_collector):
    with run_collector():
        assert gc.get_threshold() == RUN_THRESHOLDS
        assert gc.get_freeze_count() > 0
    assert gc.get_threshold() == (700, 10, 10)
    assert gc.get_freeze_count() == 0


def test_settings_are_restored_when_the_block_raises(default_collector):
    with pytest.raises(RuntimeError), run_collector((1000, 5, 5)):
        assert gc.get_threshold() == (1000, 5, 5)
        raise RuntimeError("run failed")
    assert gc.get_threshold() == (700, 10, 10)
    assert gc.get_freeze_count() == 0


def test_run_matrix_runs_the_eval_set_under_the_run_settings(default_collector, monkeypatch, tmp_path):
    seen = []

    def fake_eval_set(**kwargs):
        seen.append(gc.get_threshold())
        return True, []

    monkeypatch.setattr(app_run, "eval_set", fake_eval_set)
    assert run_matrix(RunSpec(models=["archbench/reference"], log_dir=tmp_path / "run"), display="none")[0]
    assert seen == [RUN_THRESHOLDS]
    assert gc.get_threshold() == (700, 10, 10)


def test_rescore_grades_under_the_run_settings(default_collector, monkeypatch, tmp_path):
    seen = []
    log = tmp_path / "run" / "a.eval"
    log.parent.mkdir()
    log.write_bytes(b"")
    monkeypatch.setattr(rescore, "_read", lambda path: seen.append(gc.get_threshold()) or None)
    monkeypatch.setattr(rescore.anyio, "run", lambda *args: type("Log", (), {"location": None, "samples": []})())
    monkeypatch.setattr(rescore, "score_changes", lambda before, after: [])
    monkeypatch.setattr(rescore, "write_eval_log", lambda log, path: None)
    assert rescore.rescore_logs([log]) == [tmp_path / "run-rescored" / "a.eval"]
    assert seen == [RUN_THRESHOLDS]
    assert gc.get_threshold() == (700, 10, 10)


def test_paused_collector_comes_back_as_it_was():
    assert gc.isenabled()
    with collector_paused():
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()
    try:
        with collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # a caller that had it off keeps it off
    finally:
        gc.enable()
