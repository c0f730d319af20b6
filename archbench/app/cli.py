"""`archbench` command line: a thin shell over functions the tests call directly.

Exit codes: 0 success, 1 the work ran but failed (e.g. a task did not complete), 2 bad input.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

from archbench.core.strict_yaml import InputError

EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # argparse exits 2 too; keep the message to one line
        raise SystemExit(f"archbench: error: {message} (see: {self.prog} --help)") from None


def _add_run_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--prompt", action="append", type=Path, dest="prompts", help="architect agent file (repeatable)")
    parser.add_argument("--model", action="append", dest="models", help="inspect model, e.g. archbench/reference (repeatable)")
    parser.add_argument("--scenarios", type=Path, help="scenario folder (default: the bundled corpus)")
    parser.add_argument("--scenario", action="append", dest="scenario_ids", help="only this scenario id (repeatable)")
    parser.add_argument("--category", action="append", dest="categories", help="only this category (repeatable)")
    parser.add_argument("--epochs", type=int, help="repeat each sample N times")
    parser.add_argument("--log-dir", type=Path, help="where logs go (default: logs/run-<fingerprint of the matrix>)")
    parser.add_argument("--max-connections", type=int, help="concurrent model connections per model")
    parser.add_argument("-M", action="append", dest="model_args", metavar="KEY=VALUE", help="model argument (repeatable)")
    parser.add_argument("--model-base-url", help="base URL for the model API (OpenAI-compatible servers, vLLM, Ollama)")
    parser.add_argument("--display", choices=["full", "rich", "plain", "log", "none"], help="inspect progress display")
    parser.add_argument("--log-realtime", action="store_true", default=None,
                        help="stream running samples' events so `inspect view` shows them live (costs CPU; off by default)")
    parser.add_argument("--log-model-api", action="store_true", default=None,
                        help="keep every raw provider request and response in the log (failed calls are always kept)")
    parser.add_argument("--runner", choices=["native", "claude-code"],
                        help="native: archbench's agent loop (default); claude-code: the agent file inside the real Claude Code (docs/runners.md)")
    parser.add_argument("--claude-code-mode", choices=["main", "delegated"],
                        help="claude-code runner: the agent file as the main thread (default) or delegated to by Claude Code's main thread")
    parser.add_argument("--unsandboxed-claude-code", action="store_true", default=None,
                        help="claude-code runner without bubblewrap: no isolation from this machine or the network; Bash withheld")


def parse_key_values(pairs: list[str], flag: str) -> dict[str, object]:
    """`KEY=VALUE` flags; values are YAML scalars (so `true`, `3`, `0.5` get their types)."""
    import yaml

    parsed: dict[str, object] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise InputError(f"{flag} expects KEY=VALUE, got '{pair}'")
        parsed[key.strip()] = yaml.safe_load(value) if value else ""
    return parsed


def _spec_from(args: argparse.Namespace):
    """A RunSpec from `--config` (if given) with command-line flags on top."""
    from archbench.app.config import load_config
    from archbench.app.run import RunSpec

    spec = load_config(args.config)[1] if getattr(args, "config", None) else RunSpec()
    for key in ("prompts", "models", "scenario_ids", "categories"):
        if getattr(args, key):
            setattr(spec, key, getattr(args, key))
    for key in ("epochs", "log_dir", "max_connections", "log_realtime", "log_model_api", "runner", "claude_code_mode", "unsandboxed_claude_code"):
        if getattr(args, key) is not None:
            setattr(spec, key, getattr(args, key))
    if args.scenarios:
        spec.scenarios_dir = args.scenarios
    spec.model_args = parse_key_values(args.model_args or [], "-M")
    spec.model_base_url = args.model_base_url
    return spec


def cmd_run(args: argparse.Namespace) -> int:
    from archbench.app.run import run_logs, run_matrix
    from archbench.reports.build import build_report

    spec = _spec_from(args)
    success, log_dir = run_matrix(spec, display=args.display)
    out_dir = args.out or log_dir / "report"
    build_report(run_logs(log_dir), out_dir)
    print(f"logs:   {log_dir}  (inspect view --log-dir {log_dir})")
    print(f"report: {out_dir / 'report.html'}  |  {out_dir / 'report.md'}")
    if not success:
        print("some samples or tasks did not complete; rerun the same command to resume", file=sys.stderr)
        return EXIT_FAILED
    return EXIT_OK


def cmd_compare(args: argparse.Namespace) -> int:
    from archbench.app.run import run_logs, run_matrix
    from archbench.core.prompts import load_prompts
    from archbench.reports.build import build_report
    from archbench.reports.compare import write_comparison

    spec = _spec_from(args)
    if len(spec.prompts) != 2:
        raise InputError(f"compare takes exactly two --prompt files, got {len(spec.prompts)}")
    if not args.models:
        spec.models = ["archbench/reference"]
        print("no --model given: comparing with archbench/reference (offline; it ignores the prompt)", file=sys.stderr)
    prompt_a, prompt_b = (prompt.name for prompt in load_prompts(spec.prompts))
    success, log_dir = run_matrix(spec, display=args.display)
    out_dir = args.out or log_dir / "report"
    build_report(run_logs(log_dir), out_dir)
    result = write_comparison(out_dir, prompt_a, prompt_b)
    print(result["verdict"])
    print(f"comparison: {out_dir / 'comparison.md'}  |  report: {out_dir / 'report.html'}")
    return EXIT_OK if success else EXIT_FAILED


def cmd_nightly(args: argparse.Namespace) -> int:
    from archbench.app.workflows import nightly

    result = nightly(args.config, display=args.display)
    markdown = (result.report_dir / "report.md").read_text(encoding="utf-8")
    if args.summary_out:
        with open(args.summary_out, "a", encoding="utf-8") as handle:
            handle.write(markdown + "\n")
    print(f"logs:   {result.log_dir}\nreport: {result.report_dir / 'report.html'}")
    for regression in result.regressions:
        print(
            f"REGRESSION {regression['prompt']} × {regression['model']}: overall {regression['mean_difference']:+.3f} "
            f"[{regression['ci_low']:+.3f}, {regression['ci_high']:+.3f}], p (Holm) = {regression['p_holm']:.4f}",
            file=sys.stderr,
        )
    if not result.completed:
        print("the run did not complete (errors or budget); rerun the same command to resume", file=sys.stderr)
    return result.exit_code


def cmd_baseline_promote(args: argparse.Namespace) -> int:
    from archbench.app.config import load_config
    from archbench.app.workflows import promote_baseline

    destination = args.to
    if destination is None and args.config:
        config, _ = load_config(args.config)
        if not config.baseline:
            raise InputError("the config names no baseline folder; pass --to DIR", args.config)
        destination = (args.config.resolve().parent / config.baseline).resolve()
    if destination is None:
        raise InputError("say where the baseline goes: --to DIR or --config FILE")
    print(f"baseline: {promote_baseline(args.log_dir, destination)}")
    return EXIT_OK


def cmd_grade(args: argparse.Namespace) -> int:
    from archbench.core.scenarios import DEFAULT_SCENARIOS_DIR, load_scenarios
    from archbench.core.strict_yaml import read_text
    from archbench.graders.grade import grade_plan

    plan = read_text(args.plan)
    (scenario,) = load_scenarios(args.scenarios or DEFAULT_SCENARIOS_DIR, ids=[args.scenario])
    grade = grade_plan(plan, scenario)
    print(json.dumps(grade.to_json(), indent=2) if args.json else grade.to_text())
    return EXIT_OK


def cmd_rescore(args: argparse.Namespace) -> int:
    from archbench.graders.rescore import rescore_logs

    for path in rescore_logs(args.logs, args.scenarios):
        print(path)
    return EXIT_OK


def cmd_calibrate(args: argparse.Namespace) -> int:
    from archbench.graders.calibrate import DEFAULT_GOLD_DIR, calibrate

    report = calibrate(args.gold or DEFAULT_GOLD_DIR, judge_model=args.judge, **({"scenarios_dir": args.scenarios} if args.scenarios else {}))
    print(json.dumps(report.to_json(), indent=2) if args.json else report.to_text())
    return EXIT_OK if report.meets_targets else EXIT_FAILED


def cmd_report(args: argparse.Namespace) -> int:
    from archbench.reports.build import build_report

    out_dir = args.out or Path("report")
    summary = build_report(args.logs, out_dir, baseline=args.baseline, prices=args.prices)
    print(f"report: {out_dir / 'report.html'}  |  {out_dir / 'report.md'}  ({len(summary['variants'])} variants)")
    return EXIT_OK


def cmd_scenarios_list(args: argparse.Namespace) -> int:
    from archbench.core.scenarios import DEFAULT_SCENARIOS_DIR, load_scenarios

    scenarios = load_scenarios(args.scenarios or DEFAULT_SCENARIOS_DIR)
    width = max(len(scenario.id) for scenario in scenarios)
    for scenario in scenarios:
        print(f"{scenario.id:<{width}}  v{scenario.version}  {scenario.category:<15} {scenario.repo_name:<10} {scenario.title}")
    return EXIT_OK


def cmd_scenarios_export(args: argparse.Namespace) -> int:
    from archbench.core.corpus_export import export_corpus
    from archbench.core.scenarios import DEFAULT_SCENARIOS_DIR

    counts = export_corpus(args.scenarios or DEFAULT_SCENARIOS_DIR, args.out)
    print(f"wrote {counts['scenarios']} scenarios and {counts['repo_files']} repo files to {args.out} (hf/ and *.parquet)")
    return EXIT_OK


def cmd_scenarios_lock(args: argparse.Namespace) -> int:
    from archbench.core.scenarios import (
        DEFAULT_SCENARIOS_DIR,
        VERSION_LOCK,
        load_scenarios,
        version_lock_problems,
        write_version_lock,
    )

    directory = args.scenarios or DEFAULT_SCENARIOS_DIR
    scenarios = load_scenarios(directory)
    lock_path = directory / VERSION_LOCK
    problems = version_lock_problems(scenarios, json.loads(lock_path.read_text()) if lock_path.is_file() else {})
    if problems:
        print("\n".join(problems), file=sys.stderr)
        return EXIT_BAD_INPUT
    print(f"locked {len(scenarios)} scenario versions in {write_version_lock(directory, scenarios)}")
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="archbench", description="Benchmark architect agents (prompts × models) on Django/DRF/Celery scenarios.")
    parser.add_argument("-v", "--verbose", action="store_true")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    run = commands.add_parser("run", help="run prompts × models over scenarios, then write the report")
    run.add_argument("--config", type=Path, help="experiment config YAML (flags override it)")
    _add_run_options(run)
    run.add_argument("--out", type=Path, help="report folder (default: LOG_DIR/report)")
    run.set_defaults(handler=cmd_run)

    compare = commands.add_parser("compare", help="prompt A vs prompt B on the same scenarios and epochs")
    _add_run_options(compare)
    compare.add_argument("--out", type=Path, help="report folder (default: LOG_DIR/report)")
    compare.set_defaults(handler=cmd_compare)

    nightly = commands.add_parser("nightly", help="run a config into a dated log dir; exit 1 on a significant regression")
    nightly.add_argument("config", type=Path)
    nightly.add_argument("--summary-out", type=Path, help="append the Markdown report here (e.g. $GITHUB_STEP_SUMMARY)")
    nightly.add_argument("--display", choices=["full", "rich", "plain", "log", "none"])
    nightly.set_defaults(handler=cmd_nightly)

    baseline = commands.add_parser("baseline", help="pinned baselines").add_subparsers(
        dest="baseline_command", required=True, parser_class=_Parser
    )
    promote = baseline.add_parser("promote", help="pin a run's results as the baseline")
    promote.add_argument("log_dir", type=Path)
    promote.add_argument("--to", type=Path, help="baseline folder")
    promote.add_argument("--config", type=Path, help="take the baseline folder from this config")
    promote.set_defaults(handler=cmd_baseline_promote)

    grade = commands.add_parser("grade", help="grade one plan file against a scenario's rubric")
    grade.add_argument("plan", type=Path)
    grade.add_argument("--scenario", required=True)
    grade.add_argument("--scenarios", type=Path)
    grade.add_argument("--json", action="store_true")
    grade.set_defaults(handler=cmd_grade)

    rescore = commands.add_parser("rescore", help="re-grade logs with the current graders (no model calls)")
    rescore.add_argument("logs", nargs="+", type=Path)
    rescore.add_argument("--scenarios", type=Path)
    rescore.set_defaults(handler=cmd_rescore)

    calibrate = commands.add_parser("calibrate", help="measure the graders against the hand-labelled gold set")
    calibrate.add_argument("--gold", type=Path, help="gold set folder (default: gold/)")
    calibrate.add_argument("--scenarios", type=Path)
    calibrate.add_argument("--judge", help="also measure this LLM judge model")
    calibrate.add_argument("--json", action="store_true")
    calibrate.set_defaults(handler=cmd_calibrate)

    report = commands.add_parser("report", help="write the comparative report of one or more log dirs")
    report.add_argument("logs", nargs="+", type=Path)
    report.add_argument("--baseline", type=Path, help="earlier log dir or summary.json to find regressions against")
    report.add_argument("--out", type=Path, help="report folder (default: ./report)")
    report.add_argument("--prices", type=Path, help="price table YAML (default: reports/prices.yaml)")
    report.set_defaults(handler=cmd_report)

    scenarios = commands.add_parser("scenarios", help="the scenario corpus").add_subparsers(
        dest="scenarios_command", required=True, parser_class=_Parser
    )
    listing = scenarios.add_parser("list", help="ids, categories and repos")
    listing.add_argument("--scenarios", type=Path)
    listing.set_defaults(handler=cmd_scenarios_list)
    lock = scenarios.add_parser("lock", help="record each scenario's version and content hash (refuses unbumped changes)")
    lock.add_argument("--scenarios", type=Path)
    lock.set_defaults(handler=cmd_scenarios_lock)
    export = scenarios.add_parser("export", help="write the corpus as a Hugging Face dataset on disk and Parquet")
    export.add_argument("out", type=Path)
    export.add_argument("--scenarios", type=Path)
    export.set_defaults(handler=cmd_scenarios_export)
    return parser


def main(argv: list[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exit_:
        if isinstance(exit_.code, str):
            print(exit_.code, file=sys.stderr)
            return EXIT_BAD_INPUT
        return exit_.code if isinstance(exit_.code, int) else EXIT_BAD_INPUT
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, format="%(levelname)s %(message)s")
    try:
        return args.handler(args)
    except InputError as error:
        print(f"archbench: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT


if __name__ == "__main__":
    sys.exit(main())
