"""`gtchain demo`: the seed scenario, end to end, in the offline sandbox.

Starts the sandbox, deploys the project's stack with the real CDK CLI, creates the root
labeling job as a person would, and then only watches gtchain chain it to completion.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import typer
from rich import box
from rich.console import Console
from rich.live import Live
from rich.table import Table

from gtchain.cli._context import context_for
from gtchain.cli.chain_cmd import write_report
from gtchain.cli.errors import CliError, require_sandbox

DEFAULT_PROJECT = "streetscenes"


def _jobs_table(jobs: list[Any], decisions: list[dict[str, Any]]) -> Table:
    decided = {d["job_name"]: d["decision"] for d in decisions}
    table = Table(title="labeling jobs of the chain", box=box.SIMPLE_HEAD, pad_edge=False)
    table.add_column("job", no_wrap=True)
    for column in ("state", "labeled", "gtchain decision"):
        table.add_column(column, no_wrap=True)
    for job in jobs:
        labeled = f"{job.labeled:,} / {job.total:,}" if job.total else "-"
        table.add_row(job.name, job.status, labeled, decided.get(job.name, ""))
    return table


class _Progress:
    """Refreshes the jobs table and prints each gtchain decision, with its reason, once."""

    def __init__(self, live: Live) -> None:
        self._live = live
        self._told: set[str] = set()

    def __call__(self, jobs: list[Any], decisions: list[dict[str, Any]]) -> None:
        for decision in decisions:
            if decision["job_name"] not in self._told:
                self._told.add(decision["job_name"])
                self._live.console.print(
                    f"gtchain decided {decision['decision']} for {decision['job_name']}: "
                    f"{decision.get('reason', '')}"
                )
        self._live.update(_jobs_table(jobs, decisions))


def _summary(console: Console, result: Any) -> None:
    table = Table(
        title=f"scenario {result.scenario}: {result.final_decision}", box=box.SIMPLE_HEAD, pad_edge=False
    )
    table.add_column("job", no_wrap=True)
    for column in ("state", "labeled", "by machine", "left", "model"):
        table.add_column(column, no_wrap=True)
    for job in result.jobs:
        counters = job["counters"]
        # What this job labeled itself (TotalLabeled also counts labels it was handed).
        labeled = counters.get("HumanLabeled", 0) + counters.get("MachineLabeled", 0)
        left = counters.get("FailedNonRetryableError", 0) + counters.get("Unlabeled", 0)
        table.add_row(
            job["name"],
            job["status"],
            f"{labeled:,}",
            f"{counters.get('MachineLabeled', 0):,}",
            f"{left:,}",
            "reused" if job.get("initial_model") else ("new" if job.get("final_model") else ""),
        )
    console.print(table)
    console.print(f"gtchain decided: [bold]{result.final_decision}[/] ({result.final_reason})")
    if result.final_manifest:
        never_resent = (result.report or {}).get("never_resent", 0)
        console.print(
            f"final manifest: {result.labeled_objects:,} of {result.total_objects:,} objects labeled, "
            f"{never_resent:,} objects never re-sent to workers thanks to chaining"
        )
        total = ((result.report or {}).get("cost") or {}).get("total") or {}
        if total.get("spent_usd") is not None:
            console.print(
                f"worker pay: ${total['spent_usd']} spent on {total.get('human_labeled', 0):,} human labels, "
                f"${total.get('saved_usd', '0.00')} saved by never re-sending labeled objects"
            )
        console.print(f"local copy: {result.final_manifest} (report.json beside it)")
    console.print(f"chain finished in {result.elapsed_seconds:.1f} s after the root job was created")


def demo(
    *,
    scenario: str = typer.Option("streetscenes", help="Scenario to play; see --list."),
    list_scenarios: bool = typer.Option(False, "--list", help="List the scenarios and exit."),
    json_output: bool = typer.Option(False, "--json", help="End with one JSON object on the last line."),
    output_dir: Path = typer.Option(Path("demo-output"), help="Where the final manifest is copied."),
    projects_file: Path = typer.Option(Path("projects.json"), help="Projects file to deploy."),
    project: str = typer.Option(DEFAULT_PROJECT, help="Project (stack GtChain-<project>) to run it in."),
    timeout: float = typer.Option(170.0, help="Seconds to wait for the chain to finish."),
) -> None:
    """Deploy gtchain into the offline sandbox and watch it resume a stopped labeling job."""
    require_sandbox("demo")
    from gtchain.demo.scenarios import SCENARIOS

    if list_scenarios:
        for name, item in SCENARIOS.items():
            typer.echo(f"{name:28} {item.description}")
        return
    chosen = SCENARIOS.get(scenario)
    if chosen is None:
        raise CliError(f"unknown scenario {scenario!r}; choose one of: {', '.join(SCENARIOS)}")
    # Progress goes to stderr with --json so that stdout carries only the JSON line.
    console = Console(stderr=json_output, highlight=False)
    result, report_page = _run(
        chosen, console, output_dir=output_dir, projects_file=projects_file, project=project, timeout=timeout
    )
    _summary(console, result)
    console.print(f"chain report: {report_page}")
    if json_output:
        sys.stdout.write(json.dumps({**result.to_dict(), "report_page": str(report_page)}) + "\n")


@contextmanager
def _exported(variables: dict[str, str]) -> Iterator[None]:
    """Environment variables set for the block, then restored (or removed) as they were."""
    saved = {name: os.environ.get(name) for name in variables}
    os.environ.update(variables)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def _run(
    scenario: Any, console: Console, *, output_dir: Path, projects_file: Path, project: str, timeout: float
) -> tuple[Any, Path]:
    """Play the scenario; returns its result and the chain's report page, written under output_dir."""
    from gtchain.checkout_app import checkout_app
    from gtchain.demo.runner import ScenarioRunner
    from gtchain.sandbox import Sandbox, SandboxError
    from gtchain_cdk.config import ConfigError, load_projects

    try:
        projects = {p.name: p for p in load_projects(projects_file)}
    except ConfigError as error:
        raise CliError(str(error)) from None
    if project not in projects:
        raise CliError(f"{projects_file}: no project named {project!r} (have: {', '.join(projects)})")
    config = projects[project]
    started = time.monotonic()
    try:
        with Sandbox() as sandbox:
            console.print(f"sandbox listening on {sandbox.endpoint} (moto, offline)")
            console.print(
                f"deploying {config.stack_name} with the AWS CDK CLI (cdk bootstrap + cdk deploy)..."
            )
            outputs = sandbox.deploy(checkout_app(), projects_file=projects_file, stacks=[config.stack_name])[
                config.stack_name
            ]
            timings = sandbox.timings
            console.print(
                f"deployed in {time.monotonic() - started:.1f} s (cdk bootstrap "
                f"{timings.bootstrap_seconds:.1f} s, cdk deploy {timings.deploy_seconds:.1f} s)"
            )
            runner = ScenarioRunner(sandbox, outputs, config.labeling_role_arn)
            sandbox.workforce.start()
            console.print(f"[bold]{scenario.name}[/]: {scenario.description}")
            runner.start(scenario)
            with Live(console=console, refresh_per_second=4, transient=False) as live:
                result = runner.wait(
                    scenario,
                    timeout=timeout,
                    on_progress=_Progress(live),
                    download_to=output_dir,
                )
            console.print()
            # Written while the sandbox still answers, as `gtchain chain report` does with the
            # sandbox's exports (`gtchain sandbox up` prints them): it reads the deployed stack.
            report_page = output_dir / scenario.root_job / "report.html"
            report_page.parent.mkdir(parents=True, exist_ok=True)
            with _exported(sandbox.env):
                write_report(context_for(config.stack_name), scenario.root_job, report_page)
    except SandboxError as error:
        raise CliError(f"demo failed: {error}") from None
    console.print(f"demo took {time.monotonic() - started:.1f} s in all")
    return result, report_page
