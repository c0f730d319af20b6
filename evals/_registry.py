"""inspect-ai entry point (pyproject `[project.entry-points.inspect_ai]`): registers `archbench/<name>`."""

from inspect_ai.model import modelapi


@modelapi(name="archbench")
def archbench() -> type:
    from archbench.evals.providers import OfflineArchitect

    return OfflineArchitect

