"""Folders inside a repo that are not part of its source: version control, dependencies, build output."""

SKIPPED_DIRS = frozenset({".git", "node_modules", "__pycache__", ".venv", ".nuxt", ".output"})
