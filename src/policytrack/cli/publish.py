"""`policytrack publish DIR`: a citable, Datasette-ready bundle (policytrack.exchange.publish); this module
renders the reports that go into it.

Each command imports the domain and rendering modules it needs inside its body: start-up stays fast,
since typer builds only the command being run (cli.app_for).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from policytrack.cli.app import app, confirm
from policytrack.cli.common import opened_store, read_date
from policytrack.cli.options import FrameworkOpt
from policytrack.cli.report import STALE_DAYS, _brief, _text, _view, _Window, display_names
from policytrack.render.formats import DRAWING, output_format

if TYPE_CHECKING:
    from policytrack.records.field import Kind

# The report formats a bundle holds (each file named with its format's extension in render.formats).
PUBLISH_FORMATS = ("html", "markdown", "csv", "json", "xlsx")


@app.command(
    "publish", epilog="Example: policytrack publish release-2024 --as-of 2024-12-31 --all-frameworks"
)
def publish_cmd(
    ctx: typer.Context,
    directory: Annotated[Path, typer.Argument(help="A new or empty directory to write the bundle into.")],
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Publish as of this date (default today).")
    ] = None,
    all_frameworks: Annotated[
        bool, typer.Option("--all-frameworks", help="Every framework of the database.")
    ] = False,
    with_history: Annotated[
        bool,
        typer.Option(
            "--with-history",
            help="Keep every earlier revision (of entries, targets, framework versions) in the database "
            "copy: text an edit removed stays readable there. The bundle says so.",
        ),
    ] = False,
    framework: FrameworkOpt = None,
) -> None:
    """Write a citable bundle: reports, entries (csv, jsonl), indicators and framework files, a Frictionless
    datapackage.json, a public database copy with Datasette metadata.json (search on current_entries),
    CITATION.cff and a MANIFEST of sha256 sums. It holds the current state and public fields only (no
    earlier revision, no private note, none of the team's own tables) unless --with-history. The same
    data and --as-of give the same files."""
    from policytrack.core.config import setting
    from policytrack.core.errors import InputError
    from policytrack.domain.workspace import get_framework
    from policytrack.exchange.publish import check_target, publish

    if all_frameworks and framework:
        raise InputError("give --framework or --all-frameworks, not both")
    as_of_date = read_date(as_of, "--as-of").end if as_of is not None else date.today()
    check_target(directory)
    stale = setting("stale_days") or STALE_DAYS
    with opened_store(ctx) as store:
        keep_out = _sync_folders(store.path)
        check_target(directory, keep_out)
        names = store.framework_names() if all_frameworks else [framework]
        frameworks = [get_framework(store, name) for name in names]
        reports: dict[str, bytes] = {}
        kinds: dict[str, Kind] = {}
        for fw in frameworks:
            view = _view(store, fw, None, as_of_date, None, None, None, stale, False)
            for fmt in PUBLISH_FORMATS:
                spec = output_format(fmt)
                name = f"report-{fw.name}.{spec.extension}"
                if spec.binary:  # a workbook: bytes, dated as of the bundle so they repeat
                    reports[name] = _workbook_bytes(view.fields, view.records, as_of_date)
                    continue
                if DRAWING in spec.takes:  # the brief, drawn
                    window = _Window(as_of_date, None, None, None, stale)
                    text = _brief(store, fw, window, None, fmt, explain=False)
                else:
                    text = _text(view, fmt)
                reports[name] = text.encode("utf-8")
                if fmt == "csv":
                    kinds[name] = view.fields
        written = publish(
            store,
            frameworks,
            as_of_date,
            directory,
            reports,
            kinds,
            with_history=with_history,
            keep_out=keep_out,
            names=display_names(store),
        )
    confirm(ctx, f"Published {len(written)} files into {directory}", "the bundle")


def _sync_folders(db: Path) -> tuple[Path, ...]:
    """Where `policytrack sync` writes for this database, and so would delete a bundle: its clone
    (sync.engine.clone_path) and the folder `sync init` builds it in and removes (the clone's name with
    `.new`)."""
    from policytrack.sync.engine import clone_path

    clone = clone_path(db)
    return (clone, clone.with_name(clone.name + ".new"))


def _workbook_bytes(fields: Kind, records: list[dict[str, Any]], as_of: date) -> bytes:
    """The report as an xlsx workbook (its sheet and the columns sheet), created at the as-of date's
    midnight UTC: the same data and --as-of give the same bytes."""
    import io
    from datetime import UTC, datetime, time

    from policytrack.render.xlsx import Sheet, write_workbook

    out = io.BytesIO()
    created = datetime.combine(as_of, time(0, 0), tzinfo=UTC)
    write_workbook(out, [Sheet("report", fields, records)], created=created)
    return out.getvalue()
