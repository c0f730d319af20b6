"""Graders: pure functions from a plan (and a repo diff and repo facts) to verdicts with evidence, and their inspect scorers."""
