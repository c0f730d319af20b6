"""Data and loading: what a run reads (scenarios, rubrics, prompts, repo conventions) and the strict YAML they are written in."""
