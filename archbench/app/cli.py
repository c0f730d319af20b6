"""`archbench` command line: a thin shell over functions the tests call directly.

Exit codes (README, docs/workflows.md): 0 success, 1 a regression or failed samples (the work ran
but failed), 2 bad input, 130 interrupted (SIGINT or SIGTERM; rerunning the same command resumes).
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

from archbench.app.cli_help import finish_parser
from archbench.core.strict_yaml import InputError

EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT, EXIT_INTERRUPTED = 0, 1, 2, 130


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # argparse exits 2 too; keep the message to one line
        from archbench.app.cli_help import suggestion

        raise SystemExit(f"archbench: error: {message}{suggestion(self, message)} (see: {self.prog} --help)") from None


def _add_run_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--prompt", action="append", type=Path, dest="prompts", help="architect agent file (repeatable)")
    parser.add_argument("--model", action="append", dest="models",
                        help="inspect model, e.g. archbench/reference (repeatable); 'from-prompt': each prompt on the model it declares")
    parser.add_argument("--model-aliases", type=Path, help="alias table for declared models (default: archbench/core/model_aliases.yaml)")
    parser.add_argument("--skills-dir", type=Path, help="folder of skills (<name>/SKILL.md) the prompts' `skills` are looked up in first")
    parser.add_argument("--scenarios", type=Path, help="scenario folder (default: the bundled corpus)")
    parser.add_argument("--scenario", action="append", dest="scenario_ids", help="only this scenario id (repeatable)")
    parser.add_argument("--category", action="append", dest="categories", help="only this category (repeatable)")
    parser.add_argument("--epochs", type=int, help="repeat each sample N times")
    parser.add_argument("--log-dir", type=Path, help="where logs go (default: logs/run-<fingerprint of the matrix>)")
    parser.add_argument("--max-connections", type=int, help="concurrent model connections per model")
    parser.add_argument("--max-samples", type=int,
                        help="samples run at once per task (default: native 2 × --max-connections; claude-code by memory)")
    parser.add_argument("--no-cache", action="store_false", dest="cache", default=None,
                        help="send every model call to the provider, never inspect's response cache (config: cache: false)")
    parser.add_argument("--prices", type=Path, help="price table YAML for the budget and the report (default: reports/prices.yaml)")
    parser.add_argument("--fresh", action="store_true", default=None,
                        help="start a new run folder even if one holds this matrix already (default: resume it)")
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
    for key in ("epochs", "log_dir", "max_connections", "max_samples", "log_realtime", "log_model_api", "fresh", "cache", "prices",
                "runner", "claude_code_mode", "unsandboxed_claude_code"):
        if getattr(args, key) is not None:
            setattr(spec, key, getattr(args, key))
    if args.scenarios:
        spec.scenarios_dir = args.scenarios
    for key in ("skills_dir", "model_aliases"):
        if getattr(args, key) is not None:
            setattr(spec, key, getattr(args, key))
    spec.model_args = parse_key_values(args.model_args or [], "-M")
    spec.model_base_url = args.model_base_url
    return spec


def cmd_run(args: argparse.Namespace) -> int:
    from archbench.app.run import describe_prompts, run_logs, run_matrix
    from archbench.app.workflows import significant_regressions
    from archbench.reports.build import build_report

    spec = _spec_from(args)
    spec.validate()
    print("\n".join(describe_prompts(spec)))
    success, log_dir = run_matrix(spec, display=args.display)
    out_dir = args.out or log_dir / "report"
    config, baseline = _config_baseline(args, log_dir)
    summary = build_report(run_logs(log_dir), out_dir, baseline=baseline, prices=spec.prices)
    print(f"logs:   {log_dir}  (inspect view --log-dir {log_dir})")
    print(f"report: {out_dir / 'report.html'}  |  {out_dir / 'report.md'}")
    if config is not None and baseline is not None and _print_regressions(significant_regressions(summary, config)):
        return EXIT_FAILED
    if not success:
        print("some samples or tasks did not complete; rerun the same command to resume", file=sys.stderr)
        return EXIT_FAILED
    return EXIT_OK


def _config_baseline(args: argparse.Namespace, log_dir: Path):
    """(config, its baseline) for `run --config`: the same baseline nightly compares with; says so when it is missing."""
    if not getattr(args, "config", None):
        return None, None
    from archbench.app.config import load_config
    from archbench.app.workflows import baseline_path, no_baseline_message

    config, _ = load_config(args.config)
    baseline = baseline_path(config, args.config)
    if baseline is None and config.baseline:
        print(no_baseline_message(config, args.config, log_dir), file=sys.stderr)
    return config, baseline


def _print_regressions(regressions: list[dict]) -> bool:
    """Print each significant regression (see workflows.significant_regressions); whether there was one."""
    for regression in regressions:
        print(
            f"REGRESSION {regression['prompt']} × {regression['model']}: overall {regression['mean_difference']:+.3f} "
            f"[{regression['ci_low']:+.3f}, {regression['ci_high']:+.3f}], p (Holm) = {regression['p_holm']:.4f}",
            file=sys.stderr,
        )
    return bool(regressions)


def cmd_compare(args: argparse.Namespace) -> int:
    from archbench.app.run import describe_prompts, run_logs, run_matrix
    from archbench.reports.build import build_report
    from archbench.reports.compare import write_comparison

    spec = _spec_from(args)
    if len(spec.prompts) != 2:
        raise InputError(f"compare takes exactly two --prompt files, got {len(spec.prompts)}")
    if not args.models:
        spec.models = ["archbench/reference"]
        print("no --model given: comparing with archbench/reference (offline; it ignores the prompt)", file=sys.stderr)
    prompt_a, prompt_b = (prompt.name for prompt in spec.load_prompts())
    print("\n".join(describe_prompts(spec)))
    if spec.from_prompt and len(spec.prompt_models()) > 1:
        print(f"the two prompts declare different models ({', '.join(spec.prompt_models())}): "
              "the comparison measures prompt and model together", file=sys.stderr)
    success, log_dir = run_matrix(spec, display=args.display)
    out_dir = args.out or log_dir / "report"
    build_report(run_logs(log_dir), out_dir, prompt_order=[prompt_a, prompt_b], prices=spec.prices)
    _print_comparisons(write_comparison(out_dir, prompt_a, prompt_b))
    print(f"comparison: {out_dir / 'comparison.md'}  |  report: {out_dir / 'report.html'}")
    return EXIT_OK if success else EXIT_FAILED


def _print_comparisons(results: list[dict]) -> None:
    """A = the first --prompt, B = the second; one verdict per model, with its warnings."""
    first = results[0]
    print(f"A = {first['prompt_a']}, B = {first['prompt_b']} (differences are B − A)")
    for result in results:
        for warning in result["warnings"]:
            print(f"warning: {warning}", file=sys.stderr)
        print(result["verdict"])


def cmd_nightly(args: argparse.Namespace) -> int:
    from archbench.app.workflows import nightly

    result = nightly(args.config, display=args.display, fresh=args.fresh)
    markdown = (result.report_dir / "report.md").read_text(encoding="utf-8")
    if result.no_baseline:
        print(result.no_baseline, file=sys.stderr)
        markdown = f"> **{result.no_baseline}**\n\n{markdown}"
    if args.summary_out:
        with open(args.summary_out, "a", encoding="utf-8") as handle:
            handle.write(markdown + "\n")
    print(f"logs:   {result.log_dir}\nreport: {result.report_dir / 'report.html'}")
    _print_regressions(result.regressions)
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
    return EXIT_OK if grade.scope.passed else EXIT_FAILED  # a plan that violates scope fails, as in CI


def cmd_rescore(args: argparse.Namespace) -> int:
    from archbench.graders.rescore import rescore

    print(rescore(args.logs, args.scenarios).to_text())
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
    nightly.add_argument("--fresh", action="store_true", help="start a new dated folder even if today's holds this matrix already")
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

    from archbench.app.own_repo import add_commands

    add_commands(commands, _Parser)
    return finish_parser(parser)


def _flushed(code: int) -> int:
    sys.stdout.flush()  # here, where a closed pipe is caught, not at interpreter exit
    return code


def _stdout_closed() -> int:
    """The reader of our output went away (`archbench scenarios list | head`): stop quietly.

    Python would report the broken pipe again when it flushes stdout at exit; pointing stdout
    at /dev/null first keeps that quiet too. Exit 0: the reader had all it wanted."""
    import os

    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)
    return EXIT_OK


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
        return _flushed(args.handler(args))
    except InputError as error:
        print(f"archbench: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except BrokenPipeError:
        return _stdout_closed()
    except KeyboardInterrupt as interrupt:  # SIGINT, or SIGTERM during a run (evals/interrupts.py)
        where = f" (logs so far: {interrupt.log_dir})" if hasattr(interrupt, "log_dir") else ""
        print(f"archbench: interrupted; rerun the same command to resume{where}", file=sys.stderr)
        return EXIT_INTERRUPTED


if __name__ == "__main__":
    sys.exit(main())
