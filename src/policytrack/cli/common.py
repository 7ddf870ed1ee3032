"""Helpers shared by the command modules: the state, the store, consoles, dates and completion."""

from __future__ import annotations

import io
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import IO, TYPE_CHECKING

import typer

from policytrack.cli.app import State
from policytrack.dates import PartialDate, parse_date
from policytrack.errors import DateError
from policytrack.paths import resolve_db_path

if TYPE_CHECKING:
    from rich.console import Console

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
    from policytrack.evidence import open_store

    store = open_store(db_path(ctx, create_default_dir=True))
    try:
        yield store
    finally:
        store.close()


def console(ctx: typer.Context, *, stderr: bool = False, no_color: bool = False) -> Console:
    from rich.console import Console

    no_color = no_color or state(ctx).no_color or bool(os.environ.get("NO_COLOR"))
    stream = sys.stderr if stderr else sys.stdout
    # Piped output is read in files and editors, not an 80-column terminal: give tables room.
    width = None if stream.isatty() or os.environ.get("COLUMNS") else 120
    return Console(stderr=stderr, no_color=no_color, highlight=False, soft_wrap=False, width=width)


def read_date(
    raw: str,
    what: str,
    *,
    dayfirst: bool = False,
    monthfirst: bool = False,
    allow_future: bool = False,
) -> PartialDate:
    try:
        return parse_date(
            raw,
            date.today(),
            dayfirst=dayfirst,
            monthfirst=monthfirst,
            allow_future=allow_future,
        )
    except DateError as exc:
        raise DateError(f"{what}: {exc}") from None


@contextmanager
def text_output(output: str | None, *, bom: bool = False) -> Iterator[IO[str]]:
    """UTF-8 text to stdout (None or '-') or atomically to a file, with no newline translation (CSV
    needs its CRLF) and an optional byte-order mark."""
    if output in (None, "-"):
        stream = io.TextIOWrapper(sys.stdout.buffer, encoding="utf-8", newline="")
        try:
            stream.write("\ufeff" if bom else "")
            yield stream
            stream.flush()
        finally:
            stream.detach()  # leave sys.stdout usable
        return
    assert output is not None
    with atomic_output(Path(output)) as handle:
        stream = io.TextIOWrapper(handle, encoding="utf-8", newline="")
        stream.write("\ufeff" if bom else "")
        yield stream
        stream.flush()
        stream.detach()
    typer.echo(f"Wrote {output}", err=True)


def read_text_arg(value: str) -> str:
    """`-` reads the text from stdin (its final newline dropped)."""
    if value != "-":
        return value
    text = sys.stdin.read()
    return text[:-1] if text.endswith("\n") else text


def complete_indicator(ctx: typer.Context, incomplete: str) -> list[str]:
    """Shell completion of indicator keys from the database, else from the embedded framework."""
    try:
        from policytrack.evidence import get_framework
        from policytrack.store import Store

        root = ctx.find_root()
        path = resolve_db_path(root.params.get("db"))
        if path.exists():
            with Store(path) as store:
                keys = [ind.key for ind in get_framework(store).indicators]
        else:
            from policytrack.framework import builtin_path, load_framework_file

            keys = [ind.key for ind in load_framework_file(builtin_path()).indicators]
    except Exception:  # completion must never print a traceback into the shell
        return []
    return [k for k in keys if k.startswith(incomplete)]


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextmanager
def atomic_output(path: Path) -> Iterator[IO[bytes]]:
    """A binary file that appears at `path` only when the block succeeds: a temporary file in the same
    folder, fsynced, then renamed over the target. On any error the target is left as it was."""
    import tempfile

    from policytrack.errors import InputError

    if path.is_dir():
        raise InputError(f"cannot write -o {path}: it is a directory")
    folder = path.parent if str(path.parent) else Path(".")
    try:
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise InputError(f"cannot write -o {path}: {exc.strerror}") from None
    # mkstemp makes a private (0600) file; give it the mode a plain open() would, or the target's own.
    try:
        mode = path.stat().st_mode & 0o777 if path.exists() else 0o666 & ~_umask()
        os.chmod(tmp, mode)
        with os.fdopen(fd, "wb") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        raise InputError(f"cannot write -o {path}: {exc.strerror}") from None
    finally:
        Path(tmp).unlink(missing_ok=True)


def atomic_write(path: Path, data: bytes) -> None:
    """Write all of `data` to `path` atomically (see atomic_output)."""
    with atomic_output(path) as handle:
        handle.write(data)
