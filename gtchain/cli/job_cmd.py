"""`gtchain job ...`: build, plan and run the resumption of one labeling job."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from gtchain.cli._context import STACK_HELP, context_for
from gtchain.cli.errors import CliError
from gtchain_runtime.context import ChainContext
from gtchain_runtime.domain.aws_ids import S3UriError, job_name_of, split_s3_uri
from gtchain_runtime.domain.labeling_job import LABELING_MODES, LabelingJob, LabelingJobError
from gtchain_runtime.domain.layout import jobs_output_path
from gtchain_runtime.domain.lineage import LineageError, lineage_from_tags
from gtchain_runtime.domain.naming import ownership_rule, owns_job_name
from gtchain_runtime.domain.policy import Decision
from gtchain_runtime.domain.requests import RequestBuildError, build_child_request
from gtchain_runtime.payloads import ChainPlan
from gtchain_runtime.usecases.inspect import inspect_job
from gtchain_runtime.usecases.plan import plan_chain
from gtchain_runtime.usecases.resume import resume_job

app = typer.Typer(help="Build, plan and resume one labeling job.", no_args_is_help=True)
_out = Console(highlight=False, soft_wrap=True)

StackOption = Annotated[str | None, typer.Option("--stack", envvar="GTCHAIN_STACK", help=STACK_HELP)]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of a summary.")]


def _print_json(value: Any) -> None:
    typer.echo(json.dumps(value, indent=2, default=str))


def _load_describe(path: Path) -> LabelingJob:
    try:
        describe = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CliError(f"{path}: file not found") from None
    except json.JSONDecodeError as error:
        raise CliError(f"{path}: not valid JSON (line {error.lineno}: {error.msg})") from None
    if not isinstance(describe, dict) or "LabelingJobName" not in describe:
        raise CliError(f"{path}: not a DescribeLabelingJob response (no LabelingJobName)")
    try:
        return LabelingJob.from_describe(describe)
    except LabelingJobError as error:
        raise CliError(f"{path}: {error}") from None


@app.command("request")
def request_command(
    *,
    describe: Annotated[
        Path, typer.Option("--describe", help="DescribeLabelingJob response of the parent (JSON file).")
    ],
    chained_manifest: Annotated[
        str, typer.Option("--chained-manifest", help="s3:// URI of the chained input manifest.")
    ],
    mode: Annotated[str, typer.Option("--mode", help="inherit | automated | human")] = "inherit",
    algorithm_arn: Annotated[
        str | None,
        typer.Option("--algorithm-arn", help="Algorithm specification ARN (human parent -> automated)."),
    ] = None,
    bucket: Annotated[
        str | None,
        typer.Option("--bucket", help="Project bucket for S3OutputPath (default: the manifest's)."),
    ] = None,
    objects: Annotated[
        int | None,
        typer.Option("--objects", help="Objects in the chained manifest (automated-labeling floor)."),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Print the CreateLabelingJob request that resumes a job. Offline: no AWS call."""
    if mode not in LABELING_MODES:
        raise CliError(f"--mode {mode!r}: choose {', '.join(LABELING_MODES)}")
    parent = _load_describe(describe)
    try:
        chained_bucket, _ = split_s3_uri(chained_manifest, check_bucket_name=False)
    except S3UriError as error:
        raise CliError(f"--chained-manifest: {error}") from None
    output_bucket = bucket or chained_bucket
    try:
        lineage = lineage_from_tags(parent.name, dict(parent.tags))
        built = build_child_request(
            parent,
            child=lineage.child(),
            chained_manifest_uri=chained_manifest,
            output_path=jobs_output_path(output_bucket),
            requested_mode=mode,  # type: ignore[arg-type]  # checked above
            algorithm_specification_arn=algorithm_arn,
            dataset_size=objects,
        )
    except (RequestBuildError, LineageError, ValueError) as error:
        raise CliError(str(error)) from None
    if as_json:
        _print_json(built.request)
        return
    _out.print(f"[bold]{built.request['LabelingJobName']}[/] resumes {parent.name}")
    _out.print(f"mode: {built.mode_reason}")
    _print_json(built.request)


def _require_project_job(ctx: ChainContext, job: str) -> None:
    """Refuse, before any AWS call, a job whose name is not the selected project's."""
    settings = ctx.settings
    name = job_name_of(job)
    if not owns_job_name(settings.job_name_prefix, name):
        raise CliError(
            f"{name} is not a job of project {settings.project_name}: "
            f"{ownership_rule(settings.job_name_prefix)}",
            exit_code=1,
        )


def _plan_table(plan: ChainPlan) -> Table:
    table = Table(show_header=False, box=None)
    table.add_row("decision", f"[bold]{plan.decision.value}[/]")
    table.add_row("reason", plan.reason)
    if plan.decision is Decision.CHAIN:
        table.add_row("child", plan.child_name)
    if plan.mode_reason:
        table.add_row("mode", plan.mode_reason)
    for key, value in plan.counts.to_dict().items():
        table.add_row(key.replace("_", " "), str(value))
    return table


@app.command("plan")
def plan_command(
    job_name: Annotated[str, typer.Argument(help="Finished labeling job to plan for.")],
    stack: StackOption = None,
    as_json: JsonOption = False,
) -> None:
    """Dry run: inspect the job, diff its manifests and decide. Writes nothing, creates nothing."""
    ctx = context_for(stack)
    _require_project_job(ctx, job_name)
    inspection = inspect_job(ctx, job_name)
    if not inspection.relevant:
        raise CliError(f"nothing to plan: {inspection.reason}", exit_code=1)
    plan = plan_chain(ctx, inspection, dry_run=True)
    if as_json:
        _print_json(plan.model_dump(mode="json"))
        return
    _out.print(_plan_table(plan))


@app.command("resume")
def resume_command(
    job_name: Annotated[str, typer.Argument(help="Finished labeling job to resume.")],
    stack: StackOption = None,
    as_json: JsonOption = False,
) -> None:
    """Resume a job now (the console's "Chain"), through the state machine's steps and guard rails.

    Writes the chained manifest and plan.json, creates the chained job (idempotent), records
    the decision in the ledger and notifies, exactly as an execution would.
    """
    ctx = context_for(stack)
    _require_project_job(ctx, job_name)
    execution = "cli-" + datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    outcome = resume_job(ctx, job_name, execution)
    if outcome.plan is None:
        raise CliError(f"not resumed: {outcome.inspection.reason}", exit_code=1)
    if as_json:
        _print_json(outcome.model_dump(mode="json", include={"plan", "child", "final", "record"}))
        return
    _out.print(_plan_table(outcome.plan))
    if outcome.child:
        verb = "created" if outcome.child.created else "already existed"
        _out.print(f"chained job {outcome.child.child_name} {verb}")
    if outcome.final:
        _out.print(f"final manifest: {outcome.final.final_manifest_uri}")
