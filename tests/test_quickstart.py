"""The README's two Quickstart commands, .ci/run, and the package they install stay in step."""

import re
import subprocess
import sys
import zipfile
from pathlib import Path

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


def test_package_builds_with_its_data_and_entry_points(tmp_path):
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(tmp_path), str(ROOT)],
        capture_output=True, text=True, timeout=300,
    )
    assert build.returncode == 0, build.stderr[-2000:]
    (wheel,) = tmp_path.glob("archbench-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for required in ("evals/cli.py", "evals/architect.py", "graders/weights.yaml", "graders/general_conventions.yaml",
                     "graders/judge_template.md", "reports/prices.yaml"):
        assert required in names, required
    entry_points = next(name for name in names if name.endswith("entry_points.txt"))
    text = zipfile.ZipFile(wheel).read(entry_points).decode()
    assert "archbench = evals.cli:main" in text and "[inspect_ai]" in text and "archbench = evals._registry" in text
    metadata = next(name for name in names if name.endswith(".dist-info/METADATA"))
    runtime = [line for line in zipfile.ZipFile(wheel).read(metadata).decode().splitlines()
               if line.startswith("Requires-Dist:") and "extra ==" not in line]
    # grounding reads these packages' source: a Quickstart install without them graded the same plan differently
    for package in ("django", "djangorestframework", "django-filter"):
        assert any(line.split()[1].lower().startswith(package + ">") for line in runtime), (package, runtime)
