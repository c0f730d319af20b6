"""A digest of every grade the deterministic graders give, to prove a speed change moved no verdict.

    python benchmarks/grade_digest.py            # before a change, then after: the digests must match
    python benchmarks/grade_digest.py --dump F   # also write every grade, one JSON line each, to diff

Two digests (SHA-256 over `json.dumps(grade_plan(...).to_json(), sort_keys=True)`, one line per grade):
- gold: every labelled plan of gold/ (development sets and held-out set, as `load_gold` reads them)
  against its own scenario, with an empty repo diff and with a diff that wrote a backend file;
- wide: every gold plan and every scenario's reference plan against every scenario (empty diff):
  plans graded against scenarios they were not written for exercise more of each grader's branches.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from archbench.core.scenarios import DEFAULT_SCENARIOS_DIR, load_scenarios  # noqa: E402
from archbench.graders.calibrate import load_gold  # noqa: E402
from archbench.graders.grade import grade_plan  # noqa: E402

REPO_ROOT = Path(__file__).resolve().parent.parent
EMPTY_DIFF = {"created": [], "modified": [], "deleted": [], "frontend": [], "backend": []}
WROTE_DIFF = {"created": ["backend/app/new.py"], "modified": [], "deleted": [], "frontend": [], "backend": ["backend/app/new.py"]}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dump", metavar="FILE", help="also write every graded line (label, grade JSON) to FILE")
    args = parser.parse_args(argv)

    cases = load_gold(REPO_ROOT / "gold", DEFAULT_SCENARIOS_DIR).cases
    scenarios = load_scenarios()
    lines: dict[str, list[str]] = {"gold": [], "wide": []}
    for case in cases:
        for diff_name, diff in (("empty", EMPTY_DIFF), ("wrote", WROTE_DIFF)):
            grade = grade_plan(case.plan_text, case.scenario, diff)
            lines["gold"].append(f"{case.id}\t{diff_name}\t{json.dumps(grade.to_json(), sort_keys=True)}")
    plans = [(f"gold:{case.id}", case.plan_text) for case in cases]
    plans += [(f"reference:{scenario.id}", scenario.reference_plan_text()) for scenario in scenarios]
    for label, text in plans:
        for scenario in scenarios:
            grade = grade_plan(text, scenario, EMPTY_DIFF)
            lines["wide"].append(f"{label}\t{scenario.id}\t{json.dumps(grade.to_json(), sort_keys=True)}")
    for name, graded in lines.items():
        digest = hashlib.sha256("\n".join(graded).encode()).hexdigest()
        print(f"{name}: {len(graded)} grades, sha256 {digest}")
    if args.dump:
        Path(args.dump).write_text("\n".join(line for graded in lines.values() for line in graded) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
