"""`policytrack db ...`: where the database is and whether it is sound.

Each command imports the domain and rendering modules it needs inside its body: start-up stays fast,
since typer builds only the command being run (cli.app_for).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Annotated

import typer

from policytrack.cli.app import confirm, fail, note
from policytrack.cli.common import db_path
from policytrack.core.i18n import N_, _, ngettext, number

db_app = typer.Typer(help=N_("The database file: its path and its health."), no_args_is_help=True)


@db_app.command(
    "path",
    epilog=N_("Example: policytrack db path"),
    help=N_("Print the database path (--db, else $POLICYTRACK_DB, else the user data directory)."),
)
def path_cmd(ctx: typer.Context) -> None:
    typer.echo(str(db_path(ctx)))


@db_app.command(
    "check",
    epilog=N_("Example: policytrack --db team.db db check --repair"),
    help=N_(
        "Check the database's integrity, foreign keys, schema and kept counts, read-only; exit 1 on any "
        "problem. --repair first makes missing indexes and triggers again and recounts the kept counts "
        "from their rows."
    ),
)
def check_cmd(
    ctx: typer.Context,
    repair: Annotated[
        bool,
        typer.Option(
            "--repair",
            help=N_(
                "Make missing indexes and triggers again, then recount the counts kept for lists and the "
                "inbox from their rows, in one transaction."
            ),
        ),
    ] = False,
) -> None:
    path = db_path(ctx)
    if not path.exists():
        raise fail(_("database {path} does not exist").format(path=path))

    from policytrack.store import integrity_problems

    if repair:
        _recount(ctx)
    try:
        problems = integrity_problems(path)
    except sqlite3.DatabaseError as exc:
        raise fail(
            _("{path} is not a usable SQLite database: {error}").format(path=path, error=exc)
        ) from None
    if problems:
        for problem in problems[:20]:
            note(problem)
        raise fail(
            ngettext("{path}: {count} problem found", "{path}: {count} problems found", len(problems)).format(
                path=path, count=number(len(problems))
            )
        )
    typer.echo(_("{path}: ok").format(path=path))


def _recount(ctx: typer.Context) -> None:
    """`db check --repair`: the missing indexes and triggers made again, then every kept count refilled
    from its rows, in one write transaction; each thing it mended said on stderr."""
    from policytrack.cli.common import opened_store
    from policytrack.store import schema
    from policytrack.store.counts import KEPT_COUNTS, recount
    from policytrack.store.digests import repair

    with opened_store(ctx) as store, store.transaction() as conn:
        made = schema.repair(conn)
        # what the counts and digests are recomputed from may be gone: the check names it, with a backup
        counted = not schema.lost_tables(conn) - {kept.table for kept in KEPT_COUNTS}
        mended = recount(conn) if counted else []
        dropped = repair(conn) if counted else 0
    for gone in made:
        note(_("made {what} {name} again").format(what=gone.what, name=gone.name))
    if dropped:
        note(
            ngettext(
                "dropped {n} stored entry digest that differed from its entry; the next brief computes it "
                "again",
                "dropped {n} stored entry digests that differed from their entries; the next brief computes "
                "them again",
                dropped,
            ).format(n=number(dropped))
        )
    for drift in mended:
        note(
            _("recounted {table} for {key}: {kept} -> {counted}").format(
                table=drift.table, key=drift.key, kept=drift.kept, counted=drift.counted
            )
        )
    if counted and not mended:
        note(_("the kept counts agree with their rows: nothing to recount"))


@db_app.command(
    "backup",
    epilog=N_("Example: policytrack db backup ~/backups/policytrack-2026-11-27.db"),
    help=N_("Copy the database with SQLite's online backup: safe while other terminals are writing."),
)
def backup_cmd(
    ctx: typer.Context,
    target: Annotated[Path, typer.Argument(help=N_("The backup file to write (must not exist)."))],
) -> None:
    from policytrack.cli.common import opened_store, protected_files
    from policytrack.cli.output import atomic_path
    from policytrack.core.errors import InputError

    if target.exists() or target.is_symlink():
        raise InputError(_("{path} exists; choose a new file name").format(path=target))
    with opened_store(ctx) as store, atomic_path(target, protected_files(ctx)) as tmp:
        pages = store.backup(tmp)
    confirm(
        ctx,
        _("Backed up the database to {path} ({pages} pages)").format(path=target, pages=pages),
        _("the backup {path}").format(path=target),
    )
