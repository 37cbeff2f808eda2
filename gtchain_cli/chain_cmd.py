"""`gtchain chain ...`: look at a whole chain of labeling jobs."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer
from gtchain_runtime.context import ChainContext
from gtchain_runtime.usecases.chain import chain_of
from rich.console import Console
from rich.tree import Tree

from gtchain_cli._context import STACK_HELP, context_for

app = typer.Typer(help="Look at a chain of labeling jobs.", no_args_is_help=True)
_out = Console(highlight=False, soft_wrap=True)


def chain_links(ctx: ChainContext, any_job: str) -> list[dict[str, Any]]:
    """Every job of the chain `any_job` belongs to, root first, with counters and ledger decision."""
    links = []
    for depth, describe in enumerate(chain_of(ctx, any_job)):
        decision = ctx.ledger.decision(describe["LabelingJobName"]) or {}
        links.append(
            {
                "job_name": describe["LabelingJobName"],
                "depth": depth,
                "status": describe["LabelingJobStatus"],
                "counters": describe.get("LabelCounters", {}),
                "decision": decision.get("decision"),
                "reason": decision.get("reason"),
            }
        )
    return links


@app.command("status")
def status_command(
    job: Annotated[str, typer.Argument(help="The root job or any job of the chain.")],
    stack: Annotated[str | None, typer.Option("--stack", envvar="GTCHAIN_STACK", help=STACK_HELP)] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a tree.")] = False,
) -> None:
    """Show the chain as a tree: each job's state, label counts and gtchain's decision."""
    links = chain_links(context_for(stack), job)
    if as_json:
        typer.echo(json.dumps(links, indent=2, default=str))
        return
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
