"""Helpers shared by the command modules: the state, the store, consoles, dates and completion.

rich (a console) and the store (sqlite3, and the framework loader for a new database) are imported inside
the functions that need them, so that `--help` and `db path` start without them.
"""

from __future__ import annotations

import io
import os
import sqlite3
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager, suppress
from datetime import date
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import typer

from policytrack.cli.app import State, note
from policytrack.cli.output import database_files, open_output, refuse_if_database, write_bytes
from policytrack.core.dates import PartialDate, midnight_utc, parse_date
from policytrack.core.errors import DateError, InputError
from policytrack.core.i18n import _, number
from policytrack.core.paths import resolve_db_path
from policytrack.core.storable import MAX_FIELD

if TYPE_CHECKING:
    import sqlite3

    from rich.console import Console

    from policytrack.records.field import Kind
    from policytrack.records.models import Framework
    from policytrack.store import Store


def state(ctx: typer.Context) -> State:
    found = ctx.find_object(State)
    return found if found is not None else State()


def db_path(ctx: typer.Context, *, create_default_dir: bool = False) -> Path:
    """The database path for this invocation (remembered in the state for error messages)."""
    st = state(ctx)
    st.db_path = resolve_db_path(st.db_option, create_default_dir=create_default_dir)
    return st.db_path


@contextmanager
def opened_store(ctx: typer.Context) -> Iterator[Store]:
    from policytrack.domain.workspace import open_store

    path = db_path(ctx, create_default_dir=True)
    with suppress(OSError, ValueError):  # no descriptor (a test's capture, a closed stream): not a file
        refuse_if_database(sys.stdout.fileno(), protected_files(ctx), "standard output")
    with suppress(OSError, ValueError):
        try:
            refuse_if_database(sys.stderr.fileno(), protected_files(ctx), "standard error")
        except InputError:
            # no message may go there: stderr is sent to the null device, and the command exits 1
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stderr.fileno())
            os.close(devnull)
            raise
    store = open_store(path)
    if store.upgrade_backup is not None:
        note(
            _("policytrack: upgraded {path} to this version; a copy as it was before is in {backup}").format(
                path=store.path, backup=store.upgrade_backup
            )
        )
    try:
        yield store
    finally:
        store.close()


def console(ctx: typer.Context, *, stderr: bool = False, no_color: bool = False) -> Console:
    from rich.console import Console

    from policytrack.core.config import setting

    no_color = (
        no_color or state(ctx).no_color or bool(os.environ.get("NO_COLOR")) or setting("color") is False
    )
    stream = sys.stderr if stderr else sys.stdout
    # Piped output is read in files and editors, not an 80-column terminal: give tables room.
    width = None if stream.isatty() or os.environ.get("COLUMNS") else 120
    # emoji=False: no text is ever meant as an emoji code (stored text is shown literally), and rich's
    # table of them (thousands of names) then never loads
    return Console(
        stderr=stderr, no_color=no_color, highlight=False, soft_wrap=False, width=width, emoji=False
    )


def print_table(out: Console, table: Any, *, first: Iterable[str] = (), hint: str | None = None) -> None:
    """A table for people, printed with only the columns it can show whole at the console's width (ids,
    dates and words never cut: render.text.fitted), then a line naming the columns it left out (by
    default, --format csv shows them)."""
    from policytrack.render.entries import left_out_note
    from policytrack.render.text import fitted

    dropped = fitted(table, out.width, list(first))
    out.print(table)
    if dropped:
        out.print(left_out_note(dropped, hint or _("a wider terminal or --format csv shows them")))


def read_date(
    raw: str,
    what: str,
    *,
    dayfirst: bool = False,
    monthfirst: bool = False,
    allow_future: bool = False,
) -> PartialDate:
    """A date from the command line; an ambiguous 01/02/2024 is read as --dayfirst or --monthfirst say,
    else as the config file's date_order says."""
    if not dayfirst and not monthfirst:
        from policytrack.core.config import setting

        order = setting("date_order")
        dayfirst, monthfirst = order == "dayfirst", order == "monthfirst"
    try:
        return parse_date(
            raw,
            date.today(),
            dayfirst=dayfirst,
            monthfirst=monthfirst,
            allow_future=allow_future,
        )
    except DateError as exc:
        raise DateError(_("{what}: {exc}").format(what=what, exc=exc)) from None


def protected_files(ctx: typer.Context) -> tuple[Path, ...]:
    """The database of this invocation and its side files: what no `-o` may replace."""
    return database_files(db_path(ctx))


@contextmanager
def text_output(ctx: typer.Context, output: str | Path | None, *, bom: bool = False) -> Iterator[IO[str]]:
    """UTF-8 text to stdout (None or '-') or through the safe writer (policytrack.cli.output) to a file,
    with no newline translation (CSV needs its CRLF) and an optional byte-order mark."""
    if output is None or str(output) == "-":
        stream = io.TextIOWrapper(sys.stdout.buffer, encoding="utf-8", newline="")
        try:
            stream.write("\ufeff" if bom else "")
            yield stream
            stream.flush()
        finally:
            stream.detach()  # leave sys.stdout usable
        return
    with open_output(Path(output), protected_files(ctx)) as handle:
        stream = io.TextIOWrapper(handle, encoding="utf-8", newline="")
        stream.write("\ufeff" if bom else "")
        yield stream
        stream.flush()
        stream.detach()
    note(_("Wrote {path}").format(path=output))


@contextmanager
def binary_output(
    ctx: typer.Context, output: str | Path | None, fix: str, what: str = "xlsx"
) -> Iterator[IO[bytes]]:
    """Bytes to stdout (None or '-'), unless it is a terminal, or through the safe writer to a file. `fix`
    says how to send the output to a file instead (`-o FILE.xlsx`, `> FILE.xlsx`); `what` names the
    format."""
    if output is None or str(output) == "-":
        if stdout_is_terminal():
            raise InputError(
                _("{format} is a binary workbook, not text for a terminal: send it to a file ({fix})").format(
                    format=what, fix=fix
                )
            )
        yield sys.stdout.buffer
        sys.stdout.buffer.flush()
        return
    with open_output(Path(output), protected_files(ctx)) as handle:
        yield handle
    note(_("Wrote {path}").format(path=output))


def write_formatted(
    ctx: typer.Context,
    fmt: str,
    fields: Kind,
    records: Iterable[Mapping[str, Any]],
    *,
    sheet: str,
    output: str | Path | None = None,
    as_of: date | None = None,
) -> None:
    """Records in the format `fmt` of the one registry (render.formats), to stdout or the file `output`:
    a text format streamed, or a workbook of one sheet named `sheet` whose columns sheet explains each
    column by the description `fields` (a kind of record) declares. A workbook of a report `as_of` a date
    is created at that date's midnight UTC, so the same data gives the same bytes in every database (else
    now)."""
    from policytrack.render.formats import output_format, write_records

    spec = output_format(fmt)
    if spec.write_book is not None:
        from policytrack.render.xlsx import Sheet

        with binary_output(ctx, output, f"-o FILE.{spec.extension}", fmt) as out:
            spec.write_book(out, [Sheet(sheet, fields, records)], midnight_utc(as_of) if as_of else None)
        return
    with text_output(ctx, output) as out:
        write_records(fmt, out, fields, records)


def write_output(ctx: typer.Context, output: Path, data: bytes) -> None:
    """All of `data` to the file `output` through the safe writer (policytrack.cli.output)."""
    write_bytes(output, data, protected_files(ctx))


def for_people(store: Store, fw: Framework) -> Framework:
    """The framework as people read it in this command's language (domain.frameworks.translations's
    in_language_of): what a table or markdown shows; CSV, JSON and JSONL keep the framework's own texts."""
    from policytrack.core.i18n import language
    from policytrack.domain.frameworks.translations import in_language_of

    return in_language_of(store, fw, language())


def read_text_arg(value: str) -> str:
    """`-` reads the text from stdin (its final newline dropped): UTF-8, at most MAX_FIELD characters."""
    if value != "-":
        return value
    if sys.stdin.isatty():
        typer.echo(_("Type the text, then press Ctrl-D on a new line (Ctrl-C cancels):"), err=True)
    # MAX_FIELD characters take at most 4 bytes each in UTF-8: read no more than that, whatever is piped
    data = sys.stdin.buffer.read(4 * MAX_FIELD + 1)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(
            _("the text on stdin is not UTF-8 (byte {byte}); save it as UTF-8").format(byte=exc.start)
        ) from None
    if len(text) > MAX_FIELD or len(data) > 4 * MAX_FIELD:
        raise InputError(
            _("the text on stdin is over {count} characters; shorten it").format(count=number(MAX_FIELD))
        )
    return text[:-1] if text.endswith("\n") else text


def _completion_framework(ctx: typer.Context) -> Framework | None:
    """The framework a command line being completed names (-F, else POLICYTRACK_FRAMEWORK, else the
    default): from the database, read-only, if there is one (None if it cannot be read at once), else
    from the built-in files."""
    from policytrack.domain.context import default_framework_name
    from policytrack.store.frameworks import read_framework

    name = ctx.params.get("framework") or default_framework_name()
    found = _read_for_completion(ctx, lambda conn: [read_framework(conn, name)], missing=None)
    if found is not None:
        return found[0] if found else None
    from policytrack.domain.frameworks.parse import builtin_path, load_framework_file

    return load_framework_file(builtin_path(name))


def _completions(ctx: typer.Context, incomplete: str, names: Callable[[Framework], list[str]]) -> list[str]:
    try:
        fw = _completion_framework(ctx)
        found = names(fw) if fw is not None else []
    except Exception:  # completion must never print a traceback into the shell
        return []
    return [name for name in found if name.startswith(incomplete)]


def complete_indicator(ctx: typer.Context, incomplete: str) -> list[str]:
    """Shell completion of the indicator keys of the framework the command line names."""
    return _completions(ctx, incomplete, lambda fw: [ind.key for ind in fw.indicators])


def complete_status(ctx: typer.Context, incomplete: str) -> list[str]:
    """Shell completion of the status levels of the framework the command line names."""
    return _completions(ctx, incomplete, lambda fw: [level.name for level in fw.scale])


def complete_source(ctx: typer.Context, incomplete: str) -> list[str]:
    """Shell completion of registered source keys."""
    keys = _read_for_completion(
        ctx, lambda conn: [r[0] for r in conn.execute("SELECT key FROM sources WHERE merged_into IS NULL")]
    )
    return sorted(str(k) for k in keys or [] if str(k).startswith(incomplete))


def complete_signal(ctx: typer.Context, incomplete: str) -> list[str]:
    """Shell completion of the signal keys of the indicator the command line names (of every indicator
    when it names none yet)."""

    def keys(fw: Framework) -> list[str]:
        from policytrack.records.models import resolve_indicator

        named = ctx.params.get("indicator")
        chosen = [resolve_indicator(fw, named)] if named else fw.indicators
        return [sig.key for ind in chosen for sig in ind.signals]

    return _completions(ctx, incomplete, keys)


def complete_framework(ctx: typer.Context, incomplete: str) -> list[str]:
    """Shell completion of framework names: those in the database, then the built-in ones."""
    names = [
        str(name)
        for name in _read_for_completion(
            ctx, lambda conn: [r[0] for r in conn.execute("SELECT name FROM frameworks ORDER BY id")], []
        )
        or []
    ]
    try:
        from policytrack.domain.frameworks.install import builtin_names

        names += [n for n in builtin_names() if n not in names]
    except Exception:  # completion must never print a traceback into the shell
        return []
    return [n for n in names if n.startswith(incomplete)]


def stdout_is_terminal() -> bool:
    """Whether standard output is a terminal: listings are paged or limited to the newest page there,
    never when piped. (Tests replace this.)"""
    try:
        return sys.stdout.isatty()
    except (AttributeError, ValueError):
        return False


def pager_command() -> str | None:
    """$PAGER, when standard output is a terminal and it names a pager ('' and 'cat' mean none, as in git)."""
    command = os.environ.get("PAGER", "").strip()
    return command if command and command != "cat" and stdout_is_terminal() else None


@contextmanager
def paged_console(ctx: typer.Context, command: str) -> Iterator[Console]:
    """A console that writes into the pager `command` (run by the shell, as git runs $PAGER; `less` is
    told to keep colours and to quit when all fits on one screen unless $LESS says otherwise). Closing
    the pager before the end stops the output quietly."""
    import subprocess

    from rich.console import Console

    width = console(ctx).width
    env = {**os.environ, "LESS": os.environ.get("LESS", "FRX")}
    proc = subprocess.Popen(command, shell=True, stdin=subprocess.PIPE, env=env)
    assert proc.stdin is not None
    stream = io.TextIOWrapper(proc.stdin, encoding="utf-8")
    plain = state(ctx).no_color or bool(os.environ.get("NO_COLOR"))
    try:
        yield Console(
            file=stream, width=width, force_terminal=not plain, no_color=plain, highlight=False, emoji=False
        )
        stream.flush()
    except BrokenPipeError:
        pass  # the reader quit the pager
    finally:
        with suppress(OSError):
            stream.close()
        proc.wait()


def _read_for_completion(
    ctx: typer.Context, read: Callable[[sqlite3.Connection], list[Any]], missing: list[Any] | None = None
) -> list[Any] | None:
    """What `read` finds in the database the command line names, opened read-only through the one
    read-only open (store.connect_read_only), waiting for no lock: completion never creates or upgrades a
    database, never waits, and on any problem (a locked, newer, damaged or odd database) it offers
    nothing. `missing` is the answer when there is no database file."""
    try:
        from policytrack.store import connect_read_only

        path = resolve_db_path(ctx.find_root().params.get("db"))
        if not path.is_file():
            return missing
        conn = connect_read_only(path, timeout=0)
        try:
            return read(conn)
        finally:
            conn.close()
    except Exception:  # completion must never print a traceback into the shell
        return []


def _complete_labels(ctx: typer.Context, incomplete: str, column: str) -> list[str]:
    """Labels already used. Only labels a shell can take as one plain word are offered: one holding a
    space, a quote or `$(...)` would be split or run."""
    import re

    from policytrack.store.entries import labels_in_use

    found = _read_for_completion(ctx, lambda conn: labels_in_use(conn, column, incomplete))
    return [str(label) for label in found or [] if re.fullmatch(r"[\w.,:+@%/=-]+", str(label))]


def complete_tag(ctx: typer.Context, incomplete: str) -> list[str]:
    """Shell completion of the tags already used (on the newest entries)."""
    return _complete_labels(ctx, incomplete, "tags")


def complete_actor(ctx: typer.Context, incomplete: str) -> list[str]:
    """Shell completion of the actors already named (on the newest entries)."""
    return _complete_labels(ctx, incomplete, "actors")


# How a table names a record to a teammate (records.models.short_ref): the uuid's first hex digits.
MIN_PREFIX = 6
_HEX = frozenset("0123456789abcdef")


def reference(raw: str, what: str) -> int | str:
    """A reference typed by someone, checked: the local number (`3` or `#3`), or a uuid prefix, as git
    takes a commit prefix: `@3f9a1c` (6 or more hex digits) always, and without `@` when it holds a
    letter (digits alone are a local number). Returns the number, or the prefix with its hyphens where a
    uuid has them."""
    from policytrack.records.models import MAX_ID

    forecast = what == "forecast"
    text = raw.strip()
    digits = text.lstrip("#")
    if not text.startswith("@") and digits.isascii() and digits.isdigit():
        if len(digits) > len(str(MAX_ID)) or not 1 <= int(digits) <= MAX_ID:
            raise InputError(
                (
                    _(
                        "invalid forecast id {raw!r}: ids go from 1 to 2^53; `policytrack forecasts` shows "
                        "them"
                    )
                    if forecast
                    else _("invalid entry id {raw!r}: ids go from 1 to 2^53; `policytrack list` shows them")
                ).format(raw=raw)
            )
        return int(digits)
    hexa = text.removeprefix("@").replace("-", "").lower()
    if not (set(hexa) <= _HEX and MIN_PREFIX <= len(hexa) <= 32) or (
        not text.startswith("@") and hexa.isdigit()
    ):
        raise InputError(
            (
                _(
                    "invalid forecast id {raw!r}: give the number `policytrack forecasts` shows, or @ and at "
                    "least {digits} hex digits of its uuid (such as @3f9a1c)"
                )
                if forecast
                else _(
                    "invalid entry id {raw!r}: give the number `policytrack list` shows, or @ and at least "
                    "{digits} hex digits of its uuid (such as @3f9a1c)"
                )
            ).format(raw=raw, digits=MIN_PREFIX)
        )
    return "-".join(hexa[a:b] for a, b in ((0, 8), (8, 12), (12, 16), (16, 20), (20, 32)) if hexa[a:b])


def resolve_id(store: Store, raw: str, what: str = "entry") -> int:
    """The local id of the entry (or forecast) a reference names (see `reference`): a uuid prefix that
    names none, or more than one, is refused with the candidates listed."""
    from policytrack.core.errors import NotFoundError
    from policytrack.records.models import short_ref

    found = reference(raw, what)
    if isinstance(found, int):
        return found
    table = "forecasts" if what == "forecast" else "entries"
    forecast = what == "forecast"
    matches = store.uuid_prefix_matches(table, found, limit=6)
    if not matches:
        raise NotFoundError(
            (
                _("no forecast has a uuid starting {prefix!r} in this database; run `policytrack sync`")
                if forecast
                else _("no entry has a uuid starting {prefix!r} in this database; run `policytrack sync`")
            ).format(prefix=found)
        )
    if len(matches) > 1:
        shown = ", ".join(f"{i} ({uuid})" for i, uuid in matches[:5]) + (", ..." if len(matches) > 5 else "")
        raise InputError(
            (
                _("{ref} names more than one forecast: {matches}; give more digits of the uuid")
                if forecast
                else _("{ref} names more than one entry: {matches}; give more digits of the uuid")
            ).format(ref=short_ref(found), matches=shown)
        )
    return matches[0][0]


def entry_id_arg(raw: str, store: Store) -> int:
    """An entry reference typed by someone (a local number or a uuid prefix), as this database's id."""
    return resolve_id(store, raw, "entry")
