"""archbench: an evaluation harness and benchmark suite for architect agents.

Layers, each importing only from the ones before it (tests/test_layers.py checks this):
`archbench.core` (scenarios, prompts, repo conventions, strict YAML) → `archbench.graders`
(pure grading functions and their scorers) → `archbench.evals` (the inspect task: agent, tools,
workspace, providers) and `archbench.reports` (logs → tables, statistics, report files) →
`archbench.app` (the CLI, runs, configs, workflows).
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("archbench")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0+unknown"
