"""Commands for benchmarking on your own repo (docs/own-repo.md): `repo check`, `repo init`,
`scenario new`, `rubric draft`, `rubric check`. Thin shells over graders/repo_survey.py,
graders/conventions_draft.py and graders/rubric_draft.py.

Exit codes as everywhere: 0 fine, 1 the work ran and found a problem, 2 bad input.
"""

from __future__ import annotations

import argparse
import json
import os
import re
from pathlib import Path

from archbench.core.repo_config import CONVENTIONS_FILE, load_repo_config
from archbench.core.scenarios import DEFAULT_SCENARIOS_DIR, Category, load_scenario
from archbench.core.strict_yaml import InputError

EXIT_OK, EXIT_FAILED = 0, 1
DEFAULT_CONVENTIONS_DIR = Path("conventions")
RUBRIC_HINT = "# rubric: write the reference plan, then `archbench rubric draft {plan} --scenario {id} --scenarios {dir} --write`"
REFERENCE_STUB = """# Plan: {title}

<!-- The reference plan: the answer you would accept from a good architect, written against the
     repo as it is. `archbench rubric draft` turns it into a rubric; `archbench rubric check` grades
     it against that rubric. The headings below are a suggestion; keep the ones that apply. -->

## Summary

## Data model
<!-- new models with their fields and Django types, indexes, constraints -->

## API
<!-- | Method | Path | Request | Response | Status codes | -->

## Background tasks
<!-- Celery task names, what triggers them, retries, what happens when retries run out, idempotency -->

## Migrations

## Edge cases

## Decisions and hand-offs
"""


def _repo_dir(path: Path) -> Path:
    repo = path.resolve()
    if not repo.is_dir():
        raise InputError("repo folder not found", path)
    return repo


def _config_for(repo: Path, conventions: Path | None):
    if conventions is not None:
        return load_repo_config(repo, conventions.resolve()), conventions.resolve()
    if (repo / CONVENTIONS_FILE).is_file():
        return load_repo_config(repo), repo / CONVENTIONS_FILE
    return None, None


def cmd_repo_check(args: argparse.Namespace) -> int:
    from archbench.graders.repo_survey import survey_repo

    repo = _repo_dir(args.path)
    config, conventions_file = _config_for(repo, args.conventions)
    survey = survey_repo(repo, config, conventions_file)
    print(json.dumps(survey.to_json(), indent=2) if args.json else survey.to_text())
    return EXIT_FAILED if survey.problems else EXIT_OK


def cmd_repo_init(args: argparse.Namespace) -> int:
    from archbench.graders.conventions_draft import draft_conventions

    repo = _repo_dir(args.path)
    out: Path = args.out or DEFAULT_CONVENTIONS_DIR / f"{repo.name}.yaml"
    if out.exists() and not args.force:
        raise InputError("already exists; pass --force to overwrite it", out)
    draft = draft_conventions(repo, args.frontend_dir)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(draft.to_yaml(), encoding="utf-8")
    load_repo_config.cache_clear()
    load_repo_config(repo, out.resolve())  # what was written loads as a conventions file
    print(f"wrote {out}: {len(draft.rules)} drafted rule(s), each with its evidence; confirm or delete each one")
    for rule in draft.rules:
        print(f"  {rule.id:<16} {rule.check:<17} {rule.value}")
    for note in draft.notes:
        print(f"  not drafted: {note}")
    if out.resolve().is_relative_to(repo):
        print(f"note: {out} is inside the repo; the agent under test cannot see it only when a scenario names it with `conventions:`")
    print(f"next: archbench repo check {args.path} --conventions {out}")
    return EXIT_OK


def _slug(text: str, words: int = 4) -> str:
    stop = {"a", "an", "the", "to", "of", "for", "and", "with", "i", "we", "need", "want", "please", "add", "new", "our", "that", "so", "can", "be", "is"}
    parts = [part for part in re.findall(r"[a-z0-9]+", text.lower()) if part not in stop][:words]
    return "-".join(parts)


def _title(request: str, limit: int = 80) -> str:
    """The request's first clause (up to a colon or a sentence end), cut at a word within `limit` characters."""
    first = re.split(r"(?<=[.!?])\s|:\s", request.strip().splitlines()[0], maxsplit=1)[0].rstrip(".!?")
    if len(first) <= limit:
        return first
    return first[:limit].rsplit(" ", 1)[0] + "…"


def _relative(path: Path, start: Path) -> str:
    return Path(os.path.relpath(path.resolve(), start.resolve())).as_posix()


def cmd_scenario_new(args: argparse.Namespace) -> int:
    repo = _repo_dir(args.repo)
    out_dir: Path = args.out or Path("scenarios")
    scenario_id = args.id or _slug(args.request)
    if not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", scenario_id or ""):
        raise InputError(f"scenario id '{scenario_id}' must be kebab-case (a-z, 0-9, -); pass --id")
    conventions = args.conventions or (DEFAULT_CONVENTIONS_DIR / f"{repo.name}.yaml")
    if not conventions.is_file():
        if args.conventions is None and (repo / CONVENTIONS_FILE).is_file():
            conventions = None
        else:
            raise InputError(f"no conventions file at {conventions}: draft one with `archbench repo init {args.repo}` or pass --conventions")
    if conventions is not None:
        load_repo_config(repo, conventions.resolve())
    path = out_dir / f"{scenario_id}.yaml"
    plan = out_dir / "references" / f"{scenario_id}.md"
    for target in (path, plan):
        if target.exists():
            raise InputError("already exists; choose another --id", target)
    title = args.title or _title(args.request)
    lines = [
        f"id: {scenario_id}",
        "version: 1",
        f"title: {json.dumps(title)}",
        f"category: {args.category}",
        f"repo: {_relative(repo, out_dir)}",
        *([f"conventions: {_relative(conventions, out_dir)}"] if conventions is not None else []),
        "request: |",
        *(f"  {line}" if line else "" for line in args.request.strip().splitlines()),
        f"reference_plan: references/{scenario_id}.md",
        RUBRIC_HINT.format(plan=plan, id=scenario_id, dir=out_dir),
    ]
    plan.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    plan.write_text(REFERENCE_STUB.format(title=title), encoding="utf-8")
    print(f"wrote {path}\nwrote {plan}  (write the reference plan here)")
    print(f"next: archbench rubric draft {plan} --scenario {scenario_id} --scenarios {out_dir} --write")
    return EXIT_OK


def _scenario_file(scenarios: Path, scenario_id: str) -> Path:
    for suffix in (".yaml", ".yml"):
        path = scenarios / f"{scenario_id}{suffix}"
        if path.is_file():
            return path
    raise InputError(f"no scenario '{scenario_id}' ({scenario_id}.yaml) in this folder", scenarios)


def cmd_rubric_draft(args: argparse.Namespace) -> int:
    import yaml

    from archbench.core.strict_yaml import read_text
    from archbench.graders.repo_facts import repo_facts
    from archbench.graders.rubric_draft import draft_rubric

    path = _scenario_file(args.scenarios or DEFAULT_SCENARIOS_DIR, args.scenario)
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if not isinstance(raw, dict) or not isinstance(raw.get("repo"), str):
        raise InputError("the scenario names no `repo`", path)
    repo = _repo_dir(path.parent / raw["repo"])
    conventions = raw.get("conventions")
    config, _ = _config_for(repo, path.parent / conventions if isinstance(conventions, str) else None)
    draft = draft_rubric(read_text(args.plan), repo_facts(repo, config.layout if config else None))
    text = draft.to_yaml()
    if not args.write:
        print(text, end="")
        return EXIT_OK
    source = path.read_text(encoding="utf-8").splitlines()
    top_level = [index for index, line in enumerate(source) if re.match(r"[A-Za-z_]+:", line)]
    start = next((index for index in top_level if source[index].startswith("rubric:")), None)
    if start is not None and any(index > start for index in top_level):
        raise InputError("its `rubric:` is not the file's last key; print the draft without --write and paste it", path)
    kept = source[:start] if start is not None else [line for line in source if not line.startswith("# rubric:")]
    path.write_text("\n".join(kept).rstrip("\n") + "\n" + text, encoding="utf-8")
    load_scenario(path)
    counts = {section: len(items) for section, items in draft.rubric.items()}
    print(f"wrote the draft rubric into {path}: " + ", ".join(f"{count} {section}" for section, count in counts.items()))
    print(f"  {len(draft.left_out)} drafted check(s) left out: the grader could not find them in the plan (listed at the end of the file)")
    print(f"next: edit and prune it, then archbench rubric check --scenario {args.scenario} --scenarios {path.parent}")
    return EXIT_OK


def cmd_rubric_check(args: argparse.Namespace) -> int:
    from archbench.graders.grade import grade_plan
    from archbench.graders.rubric_draft import check_reference

    scenario = load_scenario(_scenario_file(args.scenarios or DEFAULT_SCENARIOS_DIR, args.scenario))
    plan = scenario.reference_plan_text()
    result = check_reference(plan, scenario.rubric)
    print(result.to_text())
    grade = grade_plan(plan, scenario)
    print("the reference plan's grade: " + "  ".join(f"{name} {value:.3f}" for name, value in grade.scores.items()))
    for item in grade.items:
        if not item.met and item.dimension in ("conventions", "grounding"):
            print(f"  {item.dimension}: {item.id} not met: {item.description}")
    return EXIT_OK if result.score == 1.0 else EXIT_FAILED


def add_commands(commands: argparse._SubParsersAction, parser_class: type[argparse.ArgumentParser]) -> None:
    repo = commands.add_parser("repo", help="your own repo: what the graders see, a drafted conventions file").add_subparsers(
        dest="repo_command", required=True, parser_class=parser_class
    )
    check = repo.add_parser("check", help="print what the graders see in a repo and what they cannot follow; exit 1 on a problem")
    check.add_argument("path", type=Path)
    check.add_argument("--conventions", type=Path, help="conventions file (default: PATH/archbench.yaml when there is one)")
    check.add_argument("--json", action="store_true")
    check.set_defaults(handler=cmd_repo_check)
    init = repo.add_parser("init", help="draft a conventions file from what the repo does, with the evidence of each rule")
    init.add_argument("path", type=Path)
    init.add_argument("--out", type=Path, help="where to write it (default: conventions/<repo>.yaml, outside the repo)")
    init.add_argument("--frontend-dir", help="the frontend folder, relative to the repo root (default: found from package.json)")
    init.add_argument("--force", action="store_true", help="overwrite an existing file")
    init.set_defaults(handler=cmd_repo_init)

    scenario = commands.add_parser("scenario", help="scaffold a scenario on your repo").add_subparsers(
        dest="scenario_command", required=True, parser_class=parser_class
    )
    new = scenario.add_parser("new", help="write a scenario YAML and a reference plan to fill in")
    new.add_argument("--repo", type=Path, required=True)
    new.add_argument("--request", required=True, help="the feature request, as the architect will receive it")
    new.add_argument("--id", help="kebab-case id (default: from the request's first words)")
    new.add_argument("--out", type=Path, help="scenario folder (default: ./scenarios)")
    new.add_argument("--conventions", type=Path, help="conventions file (default: conventions/<repo>.yaml)")
    new.add_argument("--title")
    new.add_argument("--category", default="new_feature", choices=list(Category.__args__))
    new.set_defaults(handler=cmd_scenario_new)

    rubric = commands.add_parser("rubric", help="draft a rubric from a reference plan, check a reference plan against it").add_subparsers(
        dest="rubric_command", required=True, parser_class=parser_class
    )
    draft = rubric.add_parser("draft", help="turn a reference plan into a draft rubric")
    draft.add_argument("plan", type=Path)
    draft.add_argument("--scenario", required=True)
    draft.add_argument("--scenarios", type=Path, help="scenario folder (default: the bundled corpus)")
    draft.add_argument("--write", action="store_true", help="write it into the scenario file (else print it)")
    draft.set_defaults(handler=cmd_rubric_draft)
    verify = rubric.add_parser("check", help="grade the reference plan against its own rubric: must be 1.0; exit 1 otherwise")
    verify.add_argument("--scenario", required=True)
    verify.add_argument("--scenarios", type=Path)
    verify.set_defaults(handler=cmd_rubric_check)
