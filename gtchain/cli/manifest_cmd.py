"""`gtchain manifest ...`: plan a chained manifest, consolidate a chain, count a manifest."""

from __future__ import annotations

import json
import os
import sys
import tempfile
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Annotated, Any, BinaryIO

import typer
from rich.console import Console
from rich.progress import BarColumn, DownloadColumn, Progress, TimeRemainingColumn
from rich.table import Table

from gtchain.cli.errors import CliError
from gtchain_runtime.adapters.s3_stream import S3LocationError, open_destination, open_source
from gtchain_runtime.domain.consolidate import consolidate_chain
from gtchain_runtime.domain.manifest import (
    ManifestError,
    diff_manifests,
    manifest_stats,
    validate_label_attribute,
)

app = typer.Typer(help="Plan chained manifests, consolidate chains, count manifests.", no_args_is_help=True)

# A progress bar only pays off on big files, and only a person at a terminal sees it.
_PROGRESS_MIN_BYTES = 64 * 1024 * 1024
_stdout = Console(highlight=False)

LabelAttribute = Annotated[
    str, typer.Option("--label-attribute", "-a", help="LabelAttributeName of the jobs")
]
JsonFlag = Annotated[bool, typer.Option("--json", help="Print one JSON object instead of a summary")]


@contextmanager
def _cli_errors() -> Iterator[None]:
    """Turn the engine's and the adapter's user errors into one clear CLI error line."""
    try:
        yield
    except (ManifestError, S3LocationError) as error:
        raise CliError(str(error)) from None
    except FileNotFoundError as error:
        raise CliError(f"{error.filename}: no such file") from None
    except IsADirectoryError as error:
        raise CliError(f"{error.filename}: is a directory") from None
    except PermissionError as error:
        raise CliError(f"{error.filename}: permission denied") from None


def _size(stream: BinaryIO) -> int:
    position = stream.tell()
    size = stream.seek(0, os.SEEK_END)
    stream.seek(position)
    return size


@contextmanager
def _progress(total_bytes: int) -> Iterator[Any]:
    """A callback for the engine: a rich bar on stderr when it is a terminal and the work big."""
    if total_bytes < _PROGRESS_MIN_BYTES or not sys.stderr.isatty():
        yield None
        return
    columns = (BarColumn(), DownloadColumn(), TimeRemainingColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("manifest", total=total_bytes)
        yield lambda done: bar.update(task, completed=done)


def _summary(title: str, counts: dict[str, int]) -> None:
    table = Table(title=title, show_header=False, title_justify="left")
    table.add_column(style="bold")
    table.add_column(justify="right")
    for name, value in counts.items():
        table.add_row(name.replace("_", " "), f"{value:,}")
    _stdout.print(table)


@app.command("plan")
def plan(
    input_manifest: Annotated[str, typer.Argument(metavar="INPUT", help="Input manifest (path or s3://)")],
    output_manifest: Annotated[
        str, typer.Argument(metavar="OUTPUT", help="Output manifest (path or s3://), '-' for none")
    ],
    *,
    label_attribute: LabelAttribute,
    chained_out: Annotated[str, typer.Option(help="Where to write the chained manifest (path or s3://)")],
    rejects_out: Annotated[
        str | None, typer.Option(help="Where to write rejected lines (default: next to --chained-out)")
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Diff a job's input and output manifests and write the chained input manifest."""
    rejects_location = rejects_out or _default_rejects(chained_out)
    with _cli_errors(), ExitStack() as stack:
        validate_label_attribute(label_attribute)
        inputs = stack.enter_context(open_source(input_manifest))
        outputs = None if output_manifest == "-" else stack.enter_context(open_source(output_manifest))
        chained = stack.enter_context(open_destination(chained_out))
        rejects = stack.enter_context(open_destination(rejects_location))
        total_bytes = _size(inputs) + (_size(outputs) if outputs is not None else 0)
        progress = stack.enter_context(_progress(total_bytes))
        result = diff_manifests(inputs, outputs, label_attribute, chained, rejects, progress=progress)
    counts = result.to_dict()
    if as_json:
        typer.echo(json.dumps(counts))
        return
    _summary(f"Chained manifest: {chained_out}", counts)
    if result.rejected:
        _stdout.print(f"{result.rejected:,} line(s) not used: see {rejects_location}")
    if result.repeated_keys:
        _stdout.print(
            f"{result.repeated_keys:,} object(s) share their source/source-ref with an earlier line: "
            "each line is an object of its own, all kept"
        )
    if not result.remaining:
        _stdout.print("Nothing left to label: the chain is complete.")


def _default_rejects(chained_out: str) -> str:
    # chains/<root>/<child>/input.manifest -> chains/<root>/<child>/rejects.jsonl
    head, sep, _ = chained_out.rpartition("/")
    return f"{head}{sep}rejects.jsonl" if sep else "rejects.jsonl"


@app.command("consolidate")
def consolidate(
    outputs: Annotated[
        list[str], typer.Argument(metavar="OUTPUT...", help="Output manifests of the chain, root first")
    ],
    *,
    label_attribute: LabelAttribute,
    final_out: Annotated[str, typer.Option(help="Where to write the final manifest (path or s3://)")],
    report_out: Annotated[str | None, typer.Option(help="Where to write report.json")] = None,
    rejects_out: Annotated[str | None, typer.Option(help="Where to write rejected lines")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Write one final manifest for a whole chain and report what each job did."""
    with _cli_errors(), ExitStack() as stack:
        validate_label_attribute(label_attribute)
        sources = [(Path(location).name, stack.enter_context(open_source(location))) for location in outputs]
        sources = [(f"{index}:{name}", stream) for index, (name, stream) in enumerate(sources)]
        final = stack.enter_context(open_destination(final_out))
        rejects: BinaryIO = (
            stack.enter_context(open_destination(rejects_out))
            if rejects_out
            else stack.enter_context(tempfile.TemporaryFile())
        )
        report = consolidate_chain(sources, label_attribute, final, rejects)
        report_json = json.dumps(report.to_dict(), indent=2, default=str)
        if report_out:
            with open_destination(report_out) as handle:
                handle.write(report_json.encode() + b"\n")
    if as_json:
        typer.echo(json.dumps(report.to_dict(), default=str))
        return
    table = Table(title=f"Chain of {len(outputs)} job(s): {final_out}", title_justify="left")
    for column in ("job", "objects", "labeled", "human", "machine", "failed", "new", "carried"):
        table.add_column(column, justify="left" if column == "job" else "right")
    for job in report.jobs:
        table.add_row(
            job.job,
            *(
                f"{value:,}"
                for value in (
                    job.objects,
                    job.labeled,
                    job.human,
                    job.machine,
                    job.failed,
                    job.new_labels,
                    job.carried_labels,
                )
            ),
        )
    _stdout.print(table)
    _summary("Final manifest", report.to_dict()["totals"] | {"never_resent": report.never_resent})
    if report.conflict_count:
        _stdout.print(f"{report.conflict_count:,} conflicting label(s): the latest job wins (see the report)")


@app.command("stats")
def stats(
    manifest: Annotated[str, typer.Argument(metavar="FILE", help="A manifest (path or s3://)")],
    label_attribute: LabelAttribute,
    as_json: JsonFlag = False,
) -> None:
    """Count the objects of one manifest and their label states."""
    with _cli_errors(), open_source(manifest) as stream:
        result = manifest_stats(stream, label_attribute)
    if as_json:
        typer.echo(json.dumps(result.to_dict()))
        return
    _summary(f"{manifest} ({label_attribute})", result.to_dict())
