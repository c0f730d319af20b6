"""The README's two Quickstart commands, .ci/run, and the package they install stay in step."""

import re
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def quickstart_commands() -> list[str]:
    readme = (ROOT / "README.md").read_text()
    section = re.search(r"^## Quickstart\n(.*?)^## ", readme, re.S | re.M).group(1)
    return [block.strip() for block in re.findall(r"```bash\n(.*?)```", section, re.S)]


def test_quickstart_is_two_commands_and_ci_runs_the_test_one():
    run_benchmark, run_tests = quickstart_commands()
    assert "\n" not in run_benchmark and "\n" not in run_tests
    assert run_benchmark.startswith("python3 -m venv") and run_benchmark.endswith("archbench run")
    assert "pytest" in run_tests
    ci_lines = [line for line in (ROOT / ".ci" / "run").read_text().splitlines() if line and not line.startswith("#")]
    assert ci_lines[-1] == run_tests


HIDDEN = ("bwrap", "chromium", "chromium-browser")


def test_ci_runs_the_readme_test_command_with_bubblewrap_and_chromium_hidden():
    """The README's "python3 and pip only" promise is tested: .ci/run's last command, the README's,
    runs with a PATH that lacks the two; the tests that use them ran before, with them installed."""
    ci_lines = [line for line in (ROOT / ".ci" / "run").read_text().splitlines() if line and not line.startswith("#")]
    hiding = next(index for index, line in enumerate(ci_lines) if line.startswith('bare_path="$(.ci/without-commands'))
    assert set(HIDDEN) <= set(ci_lines[hiding].split("without-commands", 1)[1].strip(' )"').split())
    exported = ci_lines.index('export PATH="$bare_path"')
    assert hiding < exported < len(ci_lines) - 1
    assert not any("PATH" in line for line in ci_lines[exported + 1:])  # nothing puts them back before the suite

    with_tools = next(line for line in ci_lines[:hiding] if "-m pytest" in line)
    installs = [index for index, line in enumerate(ci_lines) if "apt-get install" in line]
    assert max(installs) < ci_lines.index(with_tools)
    users = {
        path.relative_to(ROOT).as_posix()
        for path in (ROOT / "tests").rglob("test_*.py")
        if path.name != "test_quickstart.py" and any(name in path.read_text() for name in ("bwrap", "bash_available", "chromium"))
    }
    assert users and users <= set(with_tools.split()), users


def test_without_commands_hides_exactly_the_named_commands(tmp_path):
    real = tmp_path / "real"
    real.mkdir()
    for name in ("python3", "bwrap", "chromium", "git"):
        (real / name).write_text("#!/bin/sh\n")
        (real / name).chmod(0o755)
    folder = subprocess.run(
        [str(ROOT / ".ci" / "without-commands"), *HIDDEN], capture_output=True, text=True, check=True, timeout=60,
        env={"PATH": f"{real}:/usr/bin:/bin"},
    ).stdout.strip()
    try:
        assert shutil.which("bwrap", path=folder) is None and shutil.which("chromium", path=folder) is None
        assert Path(shutil.which("python3", path=folder)).resolve() == real / "python3"  # first on PATH wins
        assert shutil.which("git", path=folder) and shutil.which("sh", path=folder)
    finally:
        shutil.rmtree(folder)


def build_wheel(directory: Path, project: Path = ROOT) -> Path:
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(directory), str(project)],
        capture_output=True, text=True, timeout=300,
    )
    assert build.returncode == 0, build.stderr[-2000:]
    (wheel,) = directory.glob("*.whl")
    return wheel


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    return build_wheel(tmp_path_factory.mktemp("wheel"))


def test_the_wheel_installs_one_import_package_archbench(wheel):
    tops = {name.split("/")[0] for name in zipfile.ZipFile(wheel).namelist()}
    assert {top for top in tops if not top.endswith(".dist-info")} == {"archbench"}
    assert len([top for top in tops if top.endswith(".dist-info")]) == 1


def test_package_builds_with_its_data_and_entry_points(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for required in ("archbench/app/cli.py", "archbench/evals/architect.py", "archbench/core/scenarios.py",
                     "archbench/graders/weights.yaml", "archbench/graders/general_conventions.yaml",
                     "archbench/graders/judge_template.md", "archbench/reports/prices.yaml", "archbench/__main__.py"):
        assert required in names, required
    entry_points = next(name for name in names if name.endswith("entry_points.txt"))
    text = zipfile.ZipFile(wheel).read(entry_points).decode()
    assert "archbench = archbench.app.cli:main" in text and "[inspect_ai]" in text and "archbench = archbench.evals._registry" in text
    metadata = next(name for name in names if name.endswith(".dist-info/METADATA"))
    runtime = [line for line in zipfile.ZipFile(wheel).read(metadata).decode().splitlines()
               if line.startswith("Requires-Dist:") and "extra ==" not in line]
    # grounding reads these packages' source: a Quickstart install without them graded the same plan differently
    for package in ("django", "djangorestframework", "django-filter"):
        assert any(line.split()[1].lower().startswith(package + ">") for line in runtime), (package, runtime)


SQUATTER_SETUP = """
from setuptools import setup
setup(name="squatter", version="1.0", packages=["evals", "graders", "reports"])
"""


def test_archbench_keeps_working_beside_a_distribution_with_top_level_evals(wheel, tmp_path):
    """Other distributions ship top-level `evals`, `graders` and `reports` (OpenAI's evals among them):
    installed after archbench into one virtualenv, they must not break it."""
    squatter = tmp_path / "squatter"
    for package in ("evals", "graders", "reports"):
        (squatter / package).mkdir(parents=True)
        (squatter / package / "__init__.py").write_text(f"raise ImportError('the squatter distribution owns {package}')\n")
        (squatter / package / "cli.py").write_text("raise ImportError('squatter')\n")
    (squatter / "setup.py").write_text(SQUATTER_SETUP)
    squatter_wheel = build_wheel(tmp_path / "squatter-dist", squatter)

    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    python = venv / "bin" / "python"
    site = Path(subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                               capture_output=True, text=True, check=True).stdout.strip())
    # archbench's dependencies come from the test environment (a path line only: its .pth files, such as the
    # editable archbench's finder, are not run), archbench itself and the squatter from their wheels, in that order
    (site / "test-env.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    for dist in (wheel, squatter_wheel):
        install = subprocess.run(
            [sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "--no-index", "-q", str(dist)],
            capture_output=True, text=True, timeout=300,
        )
        assert install.returncode == 0, install.stderr[-2000:]
    assert (site / "evals" / "__init__.py").read_text().startswith("raise ImportError")

    run = subprocess.run(
        [venv / "bin" / "archbench", "run", "--model", "archbench/reference", "--scenario", "notifications",
         "--scenarios", str(ROOT / "scenarios"), "--prompt", str(ROOT / "prompts" / "backend-architect.md"),
         "--log-dir", str(tmp_path / "logs"), "--display", "none"],
        capture_output=True, text=True, timeout=300, cwd=tmp_path,
    )
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
    where = subprocess.run([python, "-c", "import archbench.evals; print(archbench.evals.__file__)"],
                           capture_output=True, text=True, cwd=tmp_path)
    assert where.stdout.startswith(str(site / "archbench")), where
    assert (tmp_path / "logs" / "report" / "summary.json").is_file()
