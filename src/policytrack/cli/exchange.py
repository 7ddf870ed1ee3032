"""`policytrack export ...` and `policytrack import`: entries and reports in and out, merging by uuid.

Each command imports the domain and rendering modules it needs inside its body: start-up stays fast,
since typer builds only the command being run (cli.app_for).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated

import typer

from policytrack.cli.app import app, confirm, note
from policytrack.cli.common import opened_store, text_output
from policytrack.cli.options import (
    ActorsOpt,
    AdvancingOpt,
    AnalystsOpt,
    EffectOpt,
    FrameworkOpt,
    GradesOpt,
    GrepOpt,
    HinderingOpt,
    IndicatorsOpt,
    MinGradeOpt,
    OutputOpt,
    SinceOpt,
    StatusesOpt,
    TagsOpt,
    UntilOpt,
    chosen_format,
    entry_filter,
    format_option,
)
from policytrack.cli.report import REPORT_HELP, report_command
from policytrack.core.i18n import N_, _, number
from policytrack.render.formats import RECORDS

if TYPE_CHECKING:
    from rich.console import Console
    from rich.progress import Progress, ProgressColumn, TaskID

    from policytrack.exchange.forecasts import ForecastImport
    from policytrack.records.models import EntryFilter, Framework
    from policytrack.store import Store

export_app = typer.Typer(
    help=N_("Export entries or the report (csv, json, jsonl, xlsx)."), no_args_is_help=True
)
export_app.command(
    "report",
    help=REPORT_HELP,
    epilog=N_(
        "Example: policytrack export report --as-of 2024-12-31 --since 2024-01-01 "
        "--format markdown -o brief.md"
    ),
)(report_command("csv"))

# `export entries` and `export forecasts` write records, in any record format of the registry, csv first.
ExportFormatOpt = Annotated[str, format_option(RECORDS, default="csv")]


class ImportFormat(StrEnum):
    csv = "csv"
    jsonl = "jsonl"
    json = "json"
    db = "db"


@export_app.command(
    "entries",
    epilog=N_("Example: policytrack export entries --since 2024 --format csv --excel -o evidence.csv"),
    help=N_(
        "Export entries, one row per current entry, with stable uuids and observed dates "
        "(streamed).\n"
        "\n"
        "CSV follows RFC 4180 (header, CRLF) in UTF-8; numbers are bare and other cells "
        "quoted, as R's write.csv\n"
        "does. Text starting with = + - @, a tab or a carriage return gets a leading "
        "apostrophe so spreadsheets do\n"
        "not run it; `policytrack import` removes it again. xlsx (with -o FILE) is a "
        "workbook: a sheet per\n"
        "framework with typed cells (text is never run as a formula, so needs no "
        "apostrophe), and a sheet that\n"
        "describes the columns."
    ),
)
def export_entries(
    ctx: typer.Context,
    indicator: IndicatorsOpt = None,
    since: SinceOpt = None,
    until: UntilOpt = None,
    tag: TagsOpt = None,
    grep: GrepOpt = None,
    actor: ActorsOpt = None,
    analyst: AnalystsOpt = None,
    status: StatusesOpt = None,
    grade: GradesOpt = None,
    min_grade: MinGradeOpt = None,
    effect: EffectOpt = None,
    advancing: AdvancingOpt = False,
    hindering: HinderingOpt = False,
    fmt: ExportFormatOpt = "csv",
    output: OutputOpt = None,
    excel: Annotated[
        bool, typer.Option("--excel", help=N_("Start the CSV with a byte-order mark for Excel."))
    ] = False,
    raw: Annotated[
        bool,
        typer.Option("--raw", help=N_("Do not neutralise text that a spreadsheet would run as a formula.")),
    ] = False,
    all_revisions: Annotated[
        bool, typer.Option("--all-revisions", help=N_("Every revision of every entry, tombstones included."))
    ] = False,
    all_frameworks: Annotated[
        bool, typer.Option("--all-frameworks", help=N_("Entries of every framework."))
    ] = False,
    framework: FrameworkOpt = None,
) -> None:
    from policytrack.domain.workspace import get_framework
    from policytrack.exchange.export import csv_lines, export_records, json_texts
    from policytrack.records.columns import EXPORT_FIELDS, REVISION_FIELDS
    from policytrack.render.formats import cells, output_format, write_csv, write_records

    fmt = chosen_format(fmt, RECORDS, default="csv")
    spec = output_format(fmt)
    flt = entry_filter(ctx)
    fields = REVISION_FIELDS if all_revisions else EXPORT_FIELDS
    with opened_store(ctx) as store:
        from policytrack.domain.entries import with_sources

        flt = with_sources(store, flt)  # --grep finds a registered source by key and name, as list's does
        if all_frameworks:
            frameworks = [get_framework(store, name) for name in sorted(store.framework_names())]
        else:
            frameworks = [get_framework(store, framework)]
        if indicator and len(frameworks) > 1:
            from policytrack.core.errors import InputError

            raise InputError(
                _("--indicator needs one framework: use --framework rather than --all-frameworks")
            )
        if spec.binary:
            _export_workbook(
                ctx, store, frameworks, flt, output, fmt, all_revisions=all_revisions, excel=excel, raw=raw
            )
            return
        with text_output(ctx, output, bom=excel and fmt == "csv") as out:
            if fmt == "csv" and not all_revisions:
                write_csv(out, fields, lines=csv_lines(store, frameworks, flt, raw=raw))
            elif fmt == "csv":
                records = export_records(store, frameworks, flt, all_revisions=True)
                write_csv(out, fields, (cells(r, fields, raw=raw) for r in records))
            elif spec.write_built is not None:  # SQLite builds each entry as a JSON object
                texts = json_texts(store, frameworks, flt, all_revisions=all_revisions)
                spec.write_built(out, fields, texts)
            else:
                records = export_records(store, frameworks, flt, all_revisions=all_revisions)
                write_records(fmt, out, fields, records)


def _export_workbook(
    ctx: typer.Context,
    store: Store,
    frameworks: list[Framework],
    flt: EntryFilter,
    output: str | None,
    fmt: str,
    *,
    all_revisions: bool,
    excel: bool,
    raw: bool,
) -> None:
    """`export entries --format xlsx` (a workbook format): one sheet per framework, streamed."""
    from policytrack.cli.app import fail
    from policytrack.cli.common import binary_output
    from policytrack.exchange.export import export_records
    from policytrack.records.columns import EXPORTED, EXPORTED_REVISIONS
    from policytrack.render.formats import output_format
    from policytrack.render.xlsx import Sheet

    if excel or raw:
        option = "--excel" if excel else "--raw"
        raise fail(
            _("{option} is for CSV: an xlsx workbook needs no byte-order mark and never runs text").format(
                option=option
            ),
            2,
        )
    kind = EXPORTED_REVISIONS if all_revisions else EXPORTED
    # each framework's records, asked for now, so a bad filter fails before anything is written
    sheets = [
        Sheet(fw.name, kind, export_records(store, [fw], flt, all_revisions=all_revisions))
        for fw in frameworks
    ]
    spec = output_format(fmt)
    assert spec.write_book is not None
    with binary_output(ctx, output, f"-o FILE.{spec.extension}", fmt) as out:
        spec.write_book(out, sheets, None)


@export_app.command(
    "forecasts",
    epilog=N_("Example: policytrack export forecasts -f jsonl -o forecasts.jsonl"),
    help=N_(
        "Export the framework's forecasts, withdrawn ones included, with their uuids: "
        "`policytrack import\n"
        "FILE --forecasts` merges them into another database."
    ),
)
def export_forecasts(
    ctx: typer.Context,
    fmt: ExportFormatOpt = "csv",
    output: OutputOpt = None,
    framework: FrameworkOpt = None,
) -> None:
    from policytrack.cli.common import write_formatted
    from policytrack.domain.forecasts import list_forecasts
    from policytrack.domain.workspace import get_framework
    from policytrack.records.forecast import EXPORTED_FORECAST

    fmt = chosen_format(fmt, RECORDS, default="csv")
    with opened_store(ctx) as store:
        found = list_forecasts(store, get_framework(store, framework))
    records = ({k: f.as_dict()[k] for k in EXPORTED_FORECAST.names()} for f in found)
    write_formatted(ctx, fmt, EXPORTED_FORECAST, records, sheet="forecasts", output=output)


@app.command(
    "import",
    epilog=N_("Example: policytrack import colleague.db   (or: policytrack import evidence.csv --dry-run)"),
    help=N_(
        "Import entries, validating every row first: all of them are written, or none.\n"
        "\n"
        "Accepts what `export entries` writes, a hand-made CSV with just "
        "indicator,date,summary (the other export\n"
        "columns optional), or another analyst's policytrack database. Entries are "
        "matched by uuid: importing the\n"
        "same file twice adds nothing, and a changed entry with a higher revision becomes "
        "a new revision here. Rows\n"
        "without a uuid that repeat an entry (framework, indicator, date and summary) are "
        "skipped and counted."
    ),
)
def import_cmd(
    ctx: typer.Context,
    source: Annotated[
        str, typer.Argument(help=N_("A CSV, JSONL or JSON file, a policytrack database, or '-' (stdin)."))
    ],
    fmt: Annotated[
        ImportFormat | None, typer.Option("--format", "-f", help=N_("The file's format (default: detected)."))
    ] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help=N_("Check and count, write nothing."))] = False,
    raw: Annotated[
        bool, typer.Option("--raw", help=N_("The CSV was exported with --raw: keep leading apostrophes."))
    ] = False,
    forecasts: Annotated[
        bool,
        typer.Option("--forecasts", help=N_("The file holds forecasts (`export forecasts`), not entries.")),
    ] = False,
    framework: FrameworkOpt = None,
    allow_duplicates: Annotated[
        bool,
        typer.Option(
            "--allow-duplicates",
            help=N_("Add rows without uuid even when they repeat an entry (default: skip)."),
        ),
    ] = False,
) -> None:
    from policytrack.exchange.importer import ImportRowsError, import_records
    from policytrack.exchange.readers import open_source

    if forecasts:
        _import_forecasts(ctx, source, framework, dry_run)
        return
    warn = lambda text: note(_("policytrack: warning: {problem}").format(problem=text))  # noqa: E731
    with (
        open_source(source, fmt.value if fmt else None, raw=raw, warn=warn) as src,
        opened_store(ctx) as store,
        import_progress(src.total, src.done) as bar,
        store.transaction(),
    ):
        from policytrack.domain.disagreement import contested_keys

        contested_before = contested_keys(store)
        merged = _database_forecasts(store, source, framework) if _is_database(source, fmt) else None
        try:
            result = import_records(
                store,
                src.records,
                source=src.name,
                framework=framework,
                dry_run=dry_run,
                progress=bar.rows if bar else None,
                writing=bar.writing if bar else None,
                allow_duplicates=allow_duplicates,
            )
        except ImportRowsError as exc:
            for line in exc.errors:
                note(f"  {line}")
            if exc.total > len(exc.errors):
                note("  " + _("... and {count} more").format(count=number(exc.total - len(exc.errors))))
            raise
        # read inside the import's transaction (a dry run has rolled back: nothing to compare)
        contested = [] if dry_run else sorted(contested_keys(store) - contested_before)
    summary = result.summary() + (f"; {merged.summary()}" if merged and merged.total else "")
    if contested:
        several = len({name for name, _key in contested}) > 1
        keys = ", ".join(f"{name}:{key}" if several else key for name, key in contested)
        summary += _(
            "; now contested (the analysts' latest assessments differ): {keys} "
            "(`policytrack report --by-analyst` shows them)"
        ).format(keys=keys)
    if dry_run:
        typer.echo(summary)
    else:
        confirm(ctx, summary, _("the import"))


def _is_database(source: str, fmt: ImportFormat | None) -> bool:
    if fmt is not None:
        return fmt is ImportFormat.db
    try:
        with open(source, "rb") as handle:
            return handle.read(16) == b"SQLite format 3\x00"
    except OSError:
        return False


def _database_forecasts(store: Store, source: str, framework: str | None) -> ForecastImport:
    """Another database's forecasts, merged by uuid inside the import's transaction (those of frameworks
    this database does not have are left out, as its entries would be refused)."""
    from pathlib import Path

    from policytrack.domain.workspace import get_framework
    from policytrack.exchange.forecasts import database_records, import_forecasts

    fw = get_framework(store, framework)
    return import_forecasts(store, fw, database_records(Path(source)), source, skip_other_frameworks=True)


def _import_forecasts(ctx: typer.Context, source: str, framework: str | None, dry_run: bool) -> None:
    from pathlib import Path

    from policytrack.domain.workspace import get_framework
    from policytrack.exchange.forecasts import ForecastRowsError, file_records, import_forecasts

    with opened_store(ctx) as store, store.transaction():
        fw = get_framework(store, framework)
        try:
            result = import_forecasts(store, fw, file_records(Path(source), source), source)
        except ForecastRowsError as exc:
            for line in exc.errors:
                note(f"  {line}")
            if exc.total > len(exc.errors):
                note("  " + _("... and {count} more").format(count=number(exc.total - len(exc.errors))))
            raise
        if dry_run:
            store.rollback()
    if dry_run:
        typer.echo(result.summary() + _(" (dry run: nothing written)"))
    else:
        confirm(ctx, result.summary(), _("the import"))


class ImportBar:
    """What the import tells its progress bar: rows read so far, then that it is writing."""

    def __init__(
        self, progress: Progress, task: TaskID, done: Callable[[int], int], total: int | None
    ) -> None:
        self.progress, self.task, self.done, self.total = progress, task, done, total

    def rows(self, rows: int) -> None:
        if rows % 1000 == 0:
            self.progress.update(self.task, completed=self.done(rows), rows=rows)

    def writing(self) -> None:
        self.progress.update(self.task, completed=self.total, description="writing")


@contextmanager
def import_progress(
    total: Callable[[], int | None], done: Callable[[int], int], console: Console | None = None
) -> Iterator[ImportBar | None]:
    """A rich progress bar on stderr when it is a terminal: `done(rows)` says how far the import has got
    out of `total()` (the file's bytes, or a database's entries; asked only when the bar is shown); with no
    total (stdin), a spinner and a row count. Redrawn every 1,000 rows, and says "writing" while indexes are
    finished and the import committed; gone when the import ends. Nothing at all when stderr is piped."""
    if console is None:
        if not sys.stderr.isatty():
            yield None
            return
        from rich.console import Console

        console = Console(stderr=True)
    from rich.progress import (
        BarColumn,
        Progress,
        SpinnerColumn,
        TaskProgressColumn,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    size = total()
    rows_read = TextColumn("{task.fields[rows]:,} rows {task.description}")
    if size:
        columns: tuple[ProgressColumn, ...] = (
            BarColumn(),
            TaskProgressColumn(),
            rows_read,
            TimeElapsedColumn(),
            TimeRemainingColumn(),
        )
    else:
        columns = (SpinnerColumn(), rows_read, TimeElapsedColumn())
    with Progress(*columns, console=console, transient=True) as progress:
        yield ImportBar(progress, progress.add_task("read", total=size or None, rows=0), done, size)
