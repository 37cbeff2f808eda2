"""`gtchain chain ...`: look at a whole chain of labeling jobs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from botocore.config import Config
from rich.console import Console
from rich.table import Table
from rich.tree import Tree

from gtchain.cli._context import STACK_HELP, aws_session, context_for, sweep_function_name
from gtchain.cli.errors import CliError
from gtchain_runtime.context import ChainContext
from gtchain_runtime.domain.cost import money
from gtchain_runtime.presentation.report_page import render_report_html
from gtchain_runtime.usecases.chain import chain_cost, chain_of, decisions_of
from gtchain_runtime.usecases.report import report_page_of
from gtchain_runtime.usecases.sweep_forecast import forecast_sweep

app = typer.Typer(help="Look at a chain of labeling jobs.", no_args_is_help=True)
_out = Console(highlight=False, soft_wrap=True)


def chain_links(ctx: ChainContext, any_job: str) -> dict[str, Any]:
    """Every job of the chain `any_job` belongs to, root first, with counters, ledger decision and
    cost figures (domain.cost), and the chain's totals."""
    jobs = chain_of(ctx, any_job)
    cost = chain_cost(ctx, jobs).to_dict()
    decisions = decisions_of(ctx, jobs)
    links = []
    for depth, (job, job_cost) in enumerate(zip(jobs, cost["jobs"], strict=True)):
        decision = decisions[job.name] or {}
        counters = job.counters
        links.append(
            {
                "job_name": job.name,
                "depth": depth,
                "status": job.status,
                # LabelCounters under their API names
                "counters": {
                    "TotalLabeled": counters.total_labeled,
                    "HumanLabeled": counters.human_labeled,
                    "MachineLabeled": counters.machine_labeled,
                    "FailedNonRetryableError": counters.failed_non_retryable,
                    "Unlabeled": counters.unlabeled,
                },
                "decision": decision.get("decision"),
                "reason": decision.get("reason"),
                "cost": {k: v for k, v in job_cost.items() if k != "job_name"},
            }
        )
    return {"jobs": links, "total": cost["total"]}


def _cost_table(chain: dict[str, Any]) -> Table:
    table = Table(title="Labels and cost (worker pay)")
    for column in ("job", "human-labeled", "machine-labeled", "never re-sent", "$/object", "spent", "saved"):
        table.add_column(column, justify="left" if column == "job" else "right")

    for link in chain["jobs"]:
        cost = link["cost"]
        table.add_row(
            link["job_name"],
            str(cost["human_labeled"]),
            str(cost["machine_labeled"]),
            str(cost["never_resent"]),
            money(cost["price_per_object_usd"]),
            money(cost["spent_usd"]),
            money(cost["saved_usd"]),
        )
    total = chain["total"]
    table.add_row(
        "[bold]chain total[/]",
        str(total["human_labeled"]),
        str(total["machine_labeled"]),
        str(total["never_resent"]),
        "",
        money(total["spent_usd"]),
        money(total["saved_usd"]),
    )
    return table


@app.command("status")
def status_command(
    job: Annotated[str, typer.Argument(help="The root job or any job of the chain.")],
    stack: Annotated[str | None, typer.Option("--stack", envvar="GTCHAIN_STACK", help=STACK_HELP)] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a tree.")] = False,
) -> None:
    """Show the chain as a tree (each job's state, label counts, gtchain's decision) and a table of
    human-/machine-labeled and never re-sent objects with the money spent and saved, per job and
    for the chain. --json prints {"jobs": [...], "total": {...}}."""
    chain = chain_links(context_for(stack), job)
    if as_json:
        typer.echo(json.dumps(chain, indent=2, default=str))
        return
    links = chain["jobs"]
    tree = Tree(f"[bold]{links[0]['job_name']}[/] (chain root)")
    node = tree
    for index, link in enumerate(links):
        counters = link["counters"]
        text = (
            f"{link['job_name']}  [bold]{link['status']}[/]  labeled {counters.get('TotalLabeled', 0)}, "
            f"unlabeled {counters.get('Unlabeled', 0)}, failed {counters.get('FailedNonRetryableError', 0)}"
        )
        if link["decision"]:
            text += f"  -> {link['decision']}"
        node = node.add(text) if index else tree.add(text)
        if link["reason"]:
            node.add(f"[dim]{link['reason']}[/]")
    _out.print(tree)
    _out.print(_cost_table(chain))


def write_report(ctx: ChainContext, any_job: str, out: Path) -> Path:
    """Render the chain's report page (usecases/report.py) to `out`; returns where it went."""
    page = render_report_html(report_page_of(ctx, any_job))
    try:
        out.write_text(page, encoding="utf-8")
    except OSError as error:
        raise CliError(f"cannot write the report to {out}: {error.strerror or error}") from None
    return out


@app.command("report")
def report_command(
    job: Annotated[str, typer.Argument(help="The root job or any job of the chain.")],
    out: Annotated[Path, typer.Option("--out", help="Where to write the page.")] = Path("report.html"),
    stack: Annotated[str | None, typer.Option("--stack", envvar="GTCHAIN_STACK", help=STACK_HELP)] = None,
) -> None:
    """Write the chain's report as one self-contained HTML page (a stacked bar per job: labeled by
    people, by machine, inherited, failed, left; the chain's totals, money spent and saved, links
    to every manifest) and print its path. Works for a chain still running too."""
    typer.echo(str(write_report(context_for(stack), job, out)))


# The sweep runs for minutes on a busy project: wait as long as any Lambda invocation may last
# (15 minutes, Lambda's maximum timeout) instead of botocore's 60 s read timeout, and never retry
# the Invoke: a retried call runs the sweep a second time and answers with that run's result.
SYNCHRONOUS_INVOKE = Config(read_timeout=15 * 60 + 30, retries={"total_max_attempts": 1})


@app.command("sweep")
def sweep_command(
    stack: Annotated[str | None, typer.Option("--stack", envvar="GTCHAIN_STACK", help=STACK_HELP)] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the sweep's JSON result.")] = False,
    dry_run: Annotated[
        bool,
        typer.Option(
            "--dry-run", help="Forecast what the sweep would start and the worker pay; change nothing."
        ),
    ] = False,
) -> None:
    """Run the deployed hourly sweep now (Lambda Invoke of the stack's sweep function): it starts the
    state machine for the project's jobs that finished more than 15 minutes ago (and at most 7 days
    ago), after the project's adoption start, without a recorded decision (an event that never
    arrived, a failed execution). Prints what it started and skipped.

    --dry-run computes the sweep here, with the deployed sweep function's settings and read-only
    calls (ListLabelingJobs, DescribeLabelingJob, ListTags, S3 GetObject of the manifests, DynamoDB
    GetItem/Query/DescribeTable, Step Functions DescribeExecution): it lists every job the sweep
    would start, with the decision its execution would reach and, for a CHAIN, the remaining
    objects and the estimated worker pay (price x remaining objects, capped by the chain's budget),
    and every job it would leave alone with the reason. Computed locally rather than by the sweep
    Lambda because the forecast diffs manifests, which the sweep's role may not read (each role
    holds only what its own step calls). It starts no execution and writes nothing: not even the
    adoption start, which it shows as the first real sweep would record it.

    Exit codes: 0 the sweep ran (or the forecast was printed); 1 the sweep or an AWS call failed;
    2 no stack given."""
    if dry_run:
        forecast = forecast_sweep(context_for(stack, as_sweep=True))
        if as_json:
            typer.echo(json.dumps(forecast, indent=2))
        else:
            _print_forecast(forecast)
        return
    if not stack:
        raise CliError("no stack given: pass --stack GtChain-<project> or set GTCHAIN_STACK")
    session = aws_session()
    function = sweep_function_name(stack, session)
    answer = session.client("lambda", config=SYNCHRONOUS_INVOKE).invoke(FunctionName=function, Payload=b"{}")
    payload = json.loads(answer["Payload"].read() or b"{}")
    if answer.get("FunctionError"):
        error = f"{payload.get('errorType', '?')}: {payload.get('errorMessage', '')}"
        raise CliError(f"the sweep ({function}) failed: {error}", exit_code=1)
    if as_json:
        typer.echo(json.dumps(payload, indent=2))
        return
    started, skipped = payload.get("started", []), payload.get("skipped", {})
    _out.print(f"started {len(started)}, skipped {len(skipped)}")
    for name in started:
        _out.print(f"  started  {name}")
    for name, why in sorted(skipped.items()):
        _out.print(f"  skipped  {name}: {why}")


def _adoption_line(adoption: dict[str, Any]) -> str:
    recorded = adoption.get("recorded")
    if recorded is None:
        note = "not recorded yet: the first sweep records it"
    elif recorded["at"] != adoption["at"]:
        note = f"configured; the ledger recorded {recorded['at']} ({recorded['source']})"
    else:
        note = "recorded in the ledger"
    return f"adoption start {adoption['at']} ({adoption['source']}, {note})"


def _print_forecast(forecast: dict[str, Any]) -> None:
    would_start, left_alone, total = forecast["would_start"], forecast["left_alone"], forecast["total"]
    _out.print(f"dry run of the sweep of project {forecast['project']}: nothing was started or written")
    _out.print(_adoption_line(forecast["adoption_start"]))
    window = forecast["window"]
    _out.print(f"jobs that ended between {window['ended_after']} and {window['ended_before']}")
    _out.print(f"would start {len(would_start)}, would leave alone {len(left_alone)}")
    for job in would_start:
        line = (
            f"  start  {job['job_name']} ({job['status']}) -> {job['decision'] or 'fails'}: {job['reason']}"
        )
        _out.print(line, markup=False)
        pay = job.get("forecast")
        if pay:
            money = "price unknown" if pay["worker_pay_usd"] is None else f"${pay['worker_pay_usd']}"
            budget = "" if pay["budget_left"] is None else f", budget left {pay['budget_left']}"
            counts = f"{pay['remaining_objects']} objects left, {pay['objects_to_pay']} to pay{budget}"
            _out.print(f"         {counts}: {money}", markup=False)
    for job in left_alone:
        _out.print(f"  leave  {job['job_name']} ({job['status']}): {job['reason']}", markup=False)
    money = "n/a" if total["worker_pay_usd"] is None else f"${total['worker_pay_usd']}"
    unpriced = f" (no price for {', '.join(total['unpriced_jobs'])})" if total["unpriced_jobs"] else ""
    _out.print(
        f"forecast: {total['jobs_to_chain']} chained jobs, {total['objects_to_pay']} objects, "
        f"worker pay {money}{unpriced}",
        markup=False,
    )
