"""Every sample repo under sample_repos/ is real, loadable Django code with a valid conventions file.

Generic over `sample_repos/*/archbench.yaml`: a new repo is checked as soon as it has one.
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

from archbench.core.repo_config import CONVENTIONS_FILE, RepoConfig, load_repo_config

SAMPLE_REPOS = Path(__file__).resolve().parent.parent / "sample_repos"
REPOS = sorted(path.parent for path in SAMPLE_REPOS.glob(f"*/{CONVENTIONS_FILE}"))
MANAGE_TIMEOUT_SECONDS = 120

by_repo = pytest.mark.parametrize("repo", REPOS, ids=[repo.name for repo in REPOS])


def test_there_are_sample_repos():
    assert REPOS, f"no sample_repos/*/{CONVENTIONS_FILE} found under {SAMPLE_REPOS}"


@by_repo
def test_conventions_file_loads_strictly(repo: Path):
    config = load_repo_config(repo)

    assert config.name == repo.name
    assert config.conventions, "a sample repo must declare its house rules"
    for key in ("backend_dir", "frontend_dir", "project_package"):
        assert (repo / getattr(config, key)).is_dir(), key


@by_repo
def test_project_package_is_a_django_project(repo: Path):
    config = load_repo_config(repo)
    project = repo / config.project_package

    assert (repo / config.backend_dir / "manage.py").is_file()
    assert project.parent == (repo / config.backend_dir), "project_package must sit directly in backend_dir"
    for module in ("settings.py", "settings_test.py", "urls.py", "celery.py", "__init__.py"):
        assert (project / module).is_file(), module


@by_repo
def test_every_python_file_parses(repo: Path):
    files = sorted(repo.rglob("*.py"))
    assert files
    errors = []
    for path in files:
        try:
            ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        except SyntaxError as error:
            errors.append(f"{path.relative_to(repo)}:{error.lineno}: {error.msg}")
    assert not errors, "\n".join(errors)


def _manage(repo: Path, config: RepoConfig, *args: str) -> subprocess.CompletedProcess[str]:
    pytest.importorskip("django", reason="Django is not installed: install the 'test' extra to run manage.py checks")
    settings_module = f"{Path(config.project_package).name}.settings_test"
    environment = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    environment.pop("DJANGO_SETTINGS_MODULE", None)
    return subprocess.run(
        [sys.executable, "manage.py", *args, f"--settings={settings_module}"],
        cwd=repo / config.backend_dir,
        env=environment,
        capture_output=True,
        text=True,
        timeout=MANAGE_TIMEOUT_SECONDS,
    )


@by_repo
def test_manage_py_check_passes(repo: Path):
    result = _manage(repo, load_repo_config(repo), "check")

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


@by_repo
def test_migrations_match_models(repo: Path):
    result = _manage(repo, load_repo_config(repo), "makemigrations", "--check", "--dry-run")

    assert result.returncode == 0, f"models and migrations differ:\n{result.stdout}{result.stderr}"
