"""Grounding against labelled references: the figures of docs/calibration.md ("Grounding on plans written for
another codebase") and docs/graders-conventions-grounding.md.

- `gold/wrong_repo` (issue 20): 36 plans, 877 references labelled `exists: true|false` with their line. A
  grader item matches a label when the names are equal, or when both sit on the labelled line and the
  item's last identifier is in the label (paths: one contains the other). Reports the share of labelled
  invented references flagged (recall), the flags that match a labelled invented reference (precision),
  labelled-real references flagged, per-plan grounding and overall, and whether each wrong-repo plan's
  overall falls below its scenario's medium plan.
- `gold/held_out_3` (issue 16) and any set passed with `--gold`: `assumed_references` without lines; a label matches an item whose dotted
  or path name ends with it, or shares its last identifier (longer than 3 characters).

    python benchmarks/grounding_gold.py [--detail] [--gold DIR ...]
"""

from __future__ import annotations

import argparse
import re
import statistics
from pathlib import Path

import yaml

from archbench.core.scenarios import load_scenario
from archbench.graders.grade import grade_plan
from archbench.graders.grounding import check_grounding
from archbench.graders.plan import parse_plan

ROOT = Path(__file__).resolve().parents[1]


def _identifiers(text: str) -> list[str]:
    return re.findall(r"[A-Za-z_][A-Za-z0-9_]*", text)


def _matches_at_line(item, label: dict) -> bool:
    name, written = item.id.split(":", 1)[1], label["ref"]
    if name.strip("`") == written.strip("`").rstrip("()"):
        return True
    if item.line != label["line"]:
        return False
    if "/" in name or "/" in written:
        return name in written or written in name
    last = _identifiers(name)
    return bool(last) and (last[-1] in _identifiers(written) or name in written)


def _matches_by_name(item, written: str) -> bool:
    name, label = item.id.split(":", 1)[1], written.strip("`").rstrip("()").strip()
    last = _identifiers(label)
    return (
        name == label
        or name.endswith(("." + label, "/" + label))
        or label.endswith(("." + name, "/" + name))
        or (bool(last) and name.split(".")[-1] == last[-1] and len(last[-1]) > 3)
    )


def wrong_repo(detail: bool) -> None:
    gold = ROOT / "gold" / "wrong_repo"
    cases = yaml.safe_load((gold / "labels.yaml").read_text())["cases"]
    counts = dict(invented=0, invented_flagged=0, real=0, real_flagged=0, flags=0, flags_on_invented=0, flags_unlabelled=0)
    rows = []
    for case in cases:
        grade = grade_plan((gold / case["plan"]).read_text(), load_scenario(ROOT / "scenarios" / f"{case['scenario']}.yaml"))
        flagged = [item for item in grade.grounding_items if not item.met]
        for label in case["references"]:
            hit = any(_matches_at_line(item, label) for item in flagged)
            key = "real" if label["exists"] else "invented"
            counts[key] += 1
            counts[f"{key}_flagged"] += hit
        for item in flagged:
            labels = [label for label in case["references"] if _matches_at_line(item, label)]
            counts["flags"] += 1
            counts["flags_on_invented"] += any(not label["exists"] for label in labels)
            counts["flags_unlabelled"] += not labels
            if detail and not labels:
                print(f"  unlabelled flag {case['id']} line {item.line}: {item.id}")
        rows.append((case, grade.scores["grounding"], grade.scores["overall"]))
    for case, grounding, overall in rows:
        print(f"{case['id']:<56} {case['kinds'][0]:<10} grounding {grounding:.2f} overall {overall:.2f}")
    for kind in ("good", "medium", "wrong_repo"):
        values = [(grounding, overall) for case, grounding, overall in rows if case["kinds"][0] == kind]
        print(
            f"{kind}: n {len(values)}, grounding median {statistics.median(v[0] for v in values):.2f} max {max(v[0] for v in values):.2f}, "
            f"overall median {statistics.median(v[1] for v in values):.2f} min {min(v[1] for v in values):.2f} max {max(v[1] for v in values):.2f}"
        )
    medium = {case["scenario"]: overall for case, _, overall in rows if case["kinds"][0] == "medium"}
    wrong = [(case, grounding, overall) for case, grounding, overall in rows if case["kinds"][0] == "wrong_repo"]
    print(f"wrong-repo plans with overall below their scenario's medium plan: {sum(o < medium[c['scenario']] for c, _, o in wrong)}/{len(wrong)}")
    print(f"wrong-repo plans with grounding <= 0.3: {sum(g <= 0.3 for _, g, _ in wrong)}/{len(wrong)}")
    print(f"labelled invented references flagged: {counts['invented_flagged']}/{counts['invented']}")
    print(f"labelled real references flagged: {counts['real_flagged']}/{counts['real']}")
    print(f"flags matching a labelled invented reference: {counts['flags_on_invented']}/{counts['flags']} ({counts['flags_unlabelled']} match no label)")


def assumed_references(gold: Path, detail: bool) -> None:
    """A blind set's `assumed_references`: real ones should resolve, invented ones be flagged."""
    name = gold.name
    cases = yaml.safe_load((gold / "labels.yaml").read_text())["cases"]
    counts = dict(real=0, real_flagged=0, real_verified=0, invented=0, invented_flagged=0)
    by_kind: dict[str, list[float]] = {}
    for case in cases:
        verdict = check_grounding(parse_plan((gold / case["plan"]).read_text()), load_scenario(gold / "scenarios" / f"{case['scenario']}.yaml"))
        flagged = [item for item in verdict.items if not item.met]
        verified = [item for item in verdict.items if item.met]
        for label in case.get("assumed_references") or []:
            hit = any(_matches_by_name(item, label["ref"]) for item in flagged)
            if label["exists"]:
                counts["real"] += 1
                counts["real_flagged"] += hit
                counts["real_verified"] += any(_matches_by_name(item, label["ref"]) for item in verified)
            else:
                counts["invented"] += 1
                counts["invented_flagged"] += hit
                if detail and not hit:
                    print(f"  missed {case['id']}: {label['ref']}")
        for kind in ("good", "hallucinated"):
            if kind in case["kinds"]:
                by_kind.setdefault(kind, []).append(verdict.score)
    print(f"{name} labelled real references flagged: {counts['real_flagged']}/{counts['real']} (verified explicitly: {counts['real_verified']})")
    print(f"{name} labelled invented references flagged: {counts['invented_flagged']}/{counts['invented']}")
    for kind, scores in by_kind.items():
        print(f"{name} {kind} plans' grounding: {', '.join(f'{score:.2f}' for score in scores)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--detail", action="store_true", help="list unlabelled flags and missed inventions")
    parser.add_argument(
        "--gold", action="append", type=Path, metavar="DIR",
        help="a gold set whose cases carry assumed_references (repeatable; default gold/held_out_3)",
    )
    args = parser.parse_args()
    wrong_repo(args.detail)
    for gold in args.gold or [ROOT / "gold" / "held_out_3"]:
        assumed_references(gold.resolve(), args.detail)


if __name__ == "__main__":
    main()
