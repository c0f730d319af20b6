"""report.html opens offline in headless Chromium: every image decodes, no script error, a screenshot is taken."""

from __future__ import annotations

import re
import shutil
import struct
import subprocess
from pathlib import Path

import pytest

from archbench.reports.build import build_report
from benchmarks.synth_logs import SampleSpec, Violation, epoch_specs

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (Debian: apt-get install -y chromium)")
HEADLESS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# appended to a copy of the report: reports whether every image decoded and whether any script error happened
PROBE = """<script>
window.addEventListener('error', e => { document.title = 'SCRIPT-ERROR ' + e.message; });
window.addEventListener('load', () => {
  const images = [...document.images];
  const broken = images.filter(i => !i.complete || i.naturalWidth === 0).length;
  if (!document.title.startsWith('SCRIPT-ERROR')) document.title = `IMAGES ${images.length} BROKEN ${broken}`;
});
</script>"""


def chromium(tmp_path: Path, *arguments: str) -> subprocess.CompletedProcess:
    profile = tmp_path / f"profile-{len(list(tmp_path.glob('profile-*')))}"
    return subprocess.run(
        [CHROMIUM, *HEADLESS, f"--user-data-dir={profile}", *arguments],
        capture_output=True, text=True, timeout=120, check=False,
    )


@pytest.fixture
def report(write, tmp_path) -> Path:
    scenarios = {f"scn-{i}": [0.3 + 0.05 * i, 0.35 + 0.05 * i] for i in range(6)}
    write("seed-sonnet", "seed", "anthropic/claude-sonnet-4-5", epoch_specs(scenarios))
    write("strict-sonnet", "strict", "anthropic/claude-sonnet-4-5", epoch_specs({k: [v[0] + 0.2, v[1] + 0.1] for k, v in scenarios.items()}))
    write("seed-gpt", "seed", "openai/gpt-5", epoch_specs(scenarios) + [
        SampleSpec("scn-0", 3, overall=0.0, violations=[Violation("frontend_edit", 9, "<template> edited app.vue")]),
        SampleSpec("scn-1", 3, error="connection reset by peer"),
    ])
    baseline = tmp_path / "baseline"
    baseline.mkdir()
    write("old", "seed", "anthropic/claude-sonnet-4-5", epoch_specs({k: [v[0] + 0.1, v[1] + 0.1] for k, v in scenarios.items()})).rename(baseline / "old.eval")
    build_report([tmp_path / "logs"], tmp_path / "out", baseline=baseline)
    return tmp_path / "out" / "report.html"


def test_report_is_self_contained(report):
    html = report.read_text()
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html), "the report must not load anything from the network"
    assert "<script" not in html and "<link" not in html
    assert html.count('src="data:image/png;base64,') == 4


def test_report_renders_in_headless_chromium(report, tmp_path):
    probe = tmp_path / "probe.html"
    probe.write_text(report.read_text().replace("</body>", PROBE + "</body>"))
    dom = chromium(tmp_path, "--virtual-time-budget=5000", "--dump-dom", probe.as_uri())
    assert dom.returncode == 0, dom.stderr[-2000:]
    title = re.search(r"<title>(.*?)</title>", dom.stdout).group(1)
    assert title == "IMAGES 4 BROKEN 0", title

    screenshot = tmp_path / "report.png"
    shot = chromium(tmp_path, "--window-size=1280,2400", f"--screenshot={screenshot}", report.as_uri())
    assert shot.returncode == 0, shot.stderr[-2000:]
    header = screenshot.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n"
    assert struct.unpack(">II", header[16:24]) == (1280, 2400)
    assert screenshot.stat().st_size > 50_000  # a blank page compresses to a few KB


def test_a_heatmap_with_no_scored_cell_says_so_without_a_matplotlib_warning(recwarn):
    import pandas as pd

    from archbench.reports.plots import heatmap

    figure = heatmap(pd.DataFrame(columns=["prompt-a@model"], dtype=float), "Overall score per scenario × variant")
    assert "No sample was scored" in figure.caption
    assert not [warning for warning in recwarn if "singular" in str(warning.message)]
