"""Reading import sources: CSV (also as a spreadsheet saves it), JSONL, a JSON array, or another policytrack
database, each turned into numbered records, bounded in size and time (a hostile file cannot exhaust memory
or run for ever) and strict about what they hold (unknown or repeated columns and keys are refused)."""

from __future__ import annotations

import csv
import io
import itertools
import json
import os
import stat
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from policytrack.core.errors import InputError
from policytrack.core.i18n import _
from policytrack.core.storable import MAX_FIELD
from policytrack.records.columns import (
    EXPORT_FIELDS,
    FORMULA_START,
    IMPORT_FIELDS,
    REQUIRED,
    REVISION_FIELDS,
    TEXT_FIELDS,
    restore_neutralised,
)
from policytrack.store.otherdb import database_records, database_size

KNOWN = IMPORT_FIELDS
SQLITE_MAGIC = b"SQLite format 3\x00"
Record = tuple[int, dict[str, Any]]  # (line or row number, fields)


def detect_format(path: Path | None, head: bytes, name: str) -> str:
    if head.startswith(SQLITE_MAGIC):
        return "db"
    if b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputError(
            _("{name} is neither CSV, JSONL nor a policytrack database (it is binary)").format(name=name)
        )
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if stripped.startswith(b"{"):
        return "jsonl"
    if stripped.startswith(b"["):
        return "json"
    if path is not None and path.suffix.lower() in {".db", ".sqlite", ".sqlite3"}:
        return "db"
    return "csv"


def text_stream(raw: IO[bytes], name: str) -> IO[str]:
    """Decode the bytes as UTF-8 (a BOM is allowed) as they are read; refuse UTF-16 up front."""
    head = raw.peek(4)[:4] if hasattr(raw, "peek") else b""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputError(
            _("{name} is UTF-16 encoded; save it as UTF-8 (with or without a BOM)").format(name=name)
        )
    return io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")


def _delimiter(header_line: str) -> str:
    """Commas, or what a spreadsheet saved instead: Excel in many locales writes ';', some tools a tab."""
    for candidate in (",", ";", "\t"):
        if candidate in header_line:
            return candidate
    return ","


# A record (a CSV record, a JSONL line) may hold up to this many characters: room for every text field at
# MAX_FIELD with JSON's escapes, while a file of one endless line (/dev/zero, a 5 GB dump) is refused after
# reading this much rather than filling memory.
MAX_RECORD = 16 * MAX_FIELD
# The import reads every CSV cell the record limit allows; the row check refuses text over MAX_FIELD by row.
csv.field_size_limit(MAX_RECORD)
_FORMULA_CHARS = frozenset(FORMULA_START) - {"'"}  # text that export would have neutralised
_REVISION_ONLY = frozenset(REVISION_FIELDS) - KNOWN

Warn = Callable[[str], None]


class _TooLong(Exception):
    """A record went past MAX_RECORD characters."""


def _bounded_lines(stream: IO[str], used: list[int]) -> Iterator[str]:
    """The stream's lines, each read with a limit; used[0] counts the characters of the current record
    (the reader of records sets it back to 0), and past MAX_RECORD the reading stops."""
    readline = stream.readline
    while text := readline(MAX_RECORD + 1):
        used[0] += len(text)
        if used[0] > MAX_RECORD:
            raise _TooLong
        yield text


def _too_long(name: str, line: int) -> InputError:
    return InputError(
        _(
            "{name}: line {line}: the record is longer than {limit} characters (each field may hold "
            "{field}); is this an export of policytrack entries?"
        ).format(name=name, line=line, limit=f"{MAX_RECORD:,}", field=f"{MAX_FIELD:,}")
    )


def csv_records(
    stream: IO[str], name: str, *, raw: bool = False, warn: Warn | None = None
) -> Iterator[Record]:
    """A CSV's records; `warn` hears (once) if the file looks exported with --raw and read without it, or
    the reverse."""
    used = [0]
    lines = _bounded_lines(stream, used)
    try:
        first = next(lines, "")
    except _TooLong:
        raise _too_long(name, 1) from None
    reader = csv.reader(itertools.chain([first], lines), delimiter=_delimiter(first), strict=True)
    try:
        header = next(reader, [])
    except csv.Error as exc:
        raise InputError(
            _("{name}: line 1: the header is not valid CSV ({exc})").format(name=name, exc=exc)
        ) from None
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise InputError(
            _("{name}: missing column {missing} (the header must have indicator, date, summary)").format(
                name=name, missing=", ".join(missing)
            )
        )
    if "action" in header:
        raise InputError(
            _("{name} holds every revision (--all-revisions); import a file of current entries").format(
                name=name
            )
        )
    unknown = [c for c in header if c not in KNOWN]
    if unknown:
        raise InputError(
            _(
                "{name}: unknown column {unknown} (known: {export_fields}); fix the header, or make the "
                "file with `policytrack export entries`"
            ).format(name=name, unknown=", ".join(unknown), export_fields=", ".join(EXPORT_FIELDS))
        )
    twice = sorted({c for c in header if header.count(c) > 1})
    if twice:
        raise InputError(
            _("{name}: column {twice} appears twice in the header; keep one").format(
                name=name, twice=", ".join(twice)
            )
        )
    # Only a file with policytrack's full export header was neutralised by policytrack.
    export = all(f in header for f in EXPORT_FIELDS)
    text_fields = [f for f in header if f in TEXT_FIELDS] if export else []
    width = len(header)
    line = reader.line_num + 1  # where the next record starts (a quoted cell may span lines)
    used[0] = 0
    warned = warn is None
    try:
        for cells in reader:
            if len(cells) > width:
                raise InputError(
                    _("{name}: line {line}: more cells than the header has columns").format(
                        name=name, line=line
                    )
                )
            if cells:  # a blank line is no record
                # a short row lacks its last columns, as if they were empty
                row = dict(zip(header, cells, strict=False))
                for key in text_fields:
                    value = row.get(key)
                    if not value:
                        continue
                    restored = restore_neutralised(value)
                    if raw:
                        if not warned and restored is not value:
                            warned = _warn_export_mode(warn, "neutralised", name, line, key)
                    elif restored is not value:
                        row[key] = restored
                    elif (not warned and value[0] == "'") or (not warned and value[0] in _FORMULA_CHARS):
                        warned = _warn_export_mode(warn, "raw", name, line, key)
                yield line, row
            line = reader.line_num + 1
            used[0] = 0
    except _TooLong:
        raise _too_long(name, line) from None
    except csv.Error as exc:
        if "unexpected end of data" in str(exc):
            raise InputError(
                _(
                    "{name}: line {line}: a quoted cell starting on this line is never closed; add the "
                    'missing " (a quote inside a cell is written "")'
                ).format(name=name, line=line)
            ) from None
        raise InputError(
            _("{name}: line {line_num}: not valid CSV ({exc})").format(
                name=name, line_num=reader.line_num, exc=exc
            )
        ) from None


# What a cell suggests about how the file was exported, and what to do if so (warned once per file).
_RAW_HINTS = {
    "raw": "starts like a formula without the apostrophe export adds, so the file looks exported with --raw; "
    "if it was, import it again with --raw to keep leading apostrophes",
    "neutralised": "starts with the apostrophe export adds before a formula, so the file looks exported "
    "without --raw; if it was, import it without --raw to remove those apostrophes",
}


def _warn_export_mode(warn: Warn | None, looks: str, name: str, line: int, key: str) -> bool:
    assert warn is not None
    warn(f"{name}: line {line}: {key} {_RAW_HINTS[looks]}")
    return True


class _DuplicateKey(Exception):
    """A JSON object names the same key twice."""


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj = dict(pairs)
    if len(obj) != len(pairs):
        raise _DuplicateKey(next(k for i, (k, _) in enumerate(pairs) if k in dict(pairs[:i])))
    return obj


def _loads(text: str, where: str) -> Any:
    """json.loads refusing repeated keys, nesting deeper than Python's stack and numbers of thousands of
    digits, each as one InputError."""
    try:
        return json.loads(text, object_pairs_hook=_pairs)
    except json.JSONDecodeError as exc:
        at = _("line {n}: ").format(n=exc.lineno) if exc.lineno > 1 else ""
        raise InputError(
            _("{where}: not valid JSON ({at}{msg})").format(where=where, at=at, msg=exc.msg)
        ) from None
    except _DuplicateKey as exc:
        raise InputError(
            _("{where}: key {value!r} appears twice in one object; keep one").format(
                where=where, value=exc.args[0]
            )
        ) from None
    except RecursionError:
        raise InputError(
            _("{where}: JSON nested too deeply; an entry is one flat object").format(where=where)
        ) from None
    except ValueError:  # a number of more than 4,300 digits
        raise InputError(_("{where}: a JSON number has too many digits").format(where=where)) from None


def _checked_keys(obj: Any, where: str) -> dict[str, Any]:
    if type(obj) is not dict:
        raise InputError(_("{where}: each record must be a JSON object").format(where=where))
    if not obj.keys() <= KNOWN:
        if obj.keys() & _REVISION_ONLY:
            raise InputError(
                _("{where}: a record of every revision (--all-revisions); import current entries").format(
                    where=where
                )
            )
        unknown = ", ".join(repr(k) for k in obj if k not in KNOWN)
        raise InputError(
            _(
                "{where}: unknown key {unknown} (known: {export_fields}, deleted_at); fix the key, or "
                "make the file with `policytrack export entries -f jsonl`"
            ).format(where=where, unknown=unknown, export_fields=", ".join(EXPORT_FIELDS))
        )
    return obj


def jsonl_records(stream: IO[str], name: str) -> Iterator[Record]:
    used = [0]
    number = 0
    try:
        for number, text in enumerate(_bounded_lines(stream, used), start=1):
            used[0] = 0
            if not text.strip():
                continue
            where = f"{name}: line {number}"
            yield number, _checked_keys(_loads(text, where), where)
    except _TooLong:
        raise _too_long(name, number + 1) from None


_CHUNK = 1 << 16
_SPACE = " \t\n\r"


def json_records(stream: IO[str], name: str) -> Iterator[Record]:
    """The objects of a JSON array, read one at a time (an export of a million entries is a 600 MB array):
    memory holds one object and a read-ahead, never the whole file. Each object is bounded by MAX_RECORD,
    as a JSONL line is."""
    decoder = json.JSONDecoder(object_pairs_hook=_pairs)
    buf, pos, eof = "", 0, False

    def more(need_whole_record: bool = False) -> bool:
        """Read more text into buf (dropping what is consumed); False at the end of the stream."""
        nonlocal buf, pos, eof
        if eof:
            return False
        buf = buf[pos:]
        pos = 0
        chunk = stream.read(max(_CHUNK, len(buf)))  # doubling: an object is re-parsed O(log n) times
        if not chunk:
            eof = True
            return False
        buf += chunk
        return True

    def skip_space() -> str:
        """The next character that is not white space ('' at the end of the stream)."""
        nonlocal pos
        while True:
            while pos < len(buf) and buf[pos] in _SPACE:
                pos += 1
            if pos < len(buf):
                return buf[pos]
            if not more():
                return ""

    if skip_space() != "[":
        raise InputError(_("{name}: a JSON file must hold a list of objects").format(name=name))
    pos += 1
    number = 0
    if skip_space() == "]":
        pos += 1
    else:
        while True:
            number += 1
            where = f"{name}: object {number}"
            if skip_space() == "":
                raise InputError(
                    _("{name}: the JSON array ends after a ',' without ']'; is it whole?").format(name=name)
                )
            while True:
                try:
                    obj, end = decoder.raw_decode(buf, pos)
                except json.JSONDecodeError as exc:
                    if len(buf) - pos > MAX_RECORD:
                        raise _too_long(name, number) from None
                    if more():
                        continue
                    raise InputError(
                        _("{where}: not valid JSON ({msg})").format(where=where, msg=exc.msg)
                    ) from None
                except _DuplicateKey as exc:
                    raise InputError(
                        _("{where}: key {value!r} appears twice in one object; keep one").format(
                            where=where, value=exc.args[0]
                        )
                    ) from None
                except RecursionError:
                    raise InputError(
                        _("{where}: JSON nested too deeply; an entry is one flat object").format(where=where)
                    ) from None
                except ValueError:  # a number of more than 4,300 digits
                    raise InputError(
                        _("{where}: a JSON number has too many digits").format(where=where)
                    ) from None
                if end >= len(buf) and not eof and type(obj) in (int, float):
                    more()  # a number may go on in the next chunk
                    continue
                break
            if end - pos > MAX_RECORD:
                raise _too_long(name, number)
            pos = end
            yield number, _checked_keys(obj, where)
            after = skip_space()
            if after == ",":
                pos += 1
                continue
            if after == "]":
                pos += 1
                break
            if after == "":
                raise InputError(
                    _("{name}: the JSON array ends after object {number} without ']'; is it whole?").format(
                        name=name, number=number
                    )
                )
            raise InputError(
                _("{name}: after object {number}: expected ',' or ']' (not valid JSON)").format(
                    name=name, number=number
                )
            )
    if skip_space() != "":
        raise InputError(
            _("{name}: text after the JSON array's closing ']'; a JSON file holds one list").format(name=name)
        )


@dataclass
class Source:
    """An opened import source: its records, the name errors use, and how far reading has got for a
    progress bar (`total()` asked only when a bar is shown: bytes of a file, entries of a database)."""

    records: Iterator[Record]
    name: str
    total: Callable[[], int | None]
    done: Callable[[int], int]


@contextmanager
def open_source(
    source: str, fmt: str | None, *, raw: bool = False, warn: Warn | None = None
) -> Iterator[Source]:
    """A file path or '-' (stdin) as records of its format (`fmt`, else detected): only a regular file or
    stdin is read, since a FIFO or a device could block or never end."""
    stdin = source == "-"
    path = None if stdin else Path(source)
    try:
        if not stdin and not stat.S_ISREG(mode := os.stat(source).st_mode) and not stat.S_ISDIR(mode):
            raise InputError(
                _(
                    "cannot read {source}: it is not a regular file (a pipe or a device); save it to a "
                    "file, or pipe it into `policytrack import -`"
                ).format(source=source)
            )
        handle = sys.stdin.buffer if stdin else open(source, "rb")  # noqa: SIM115  (closed below)
    except OSError as exc:
        raise InputError(
            _("cannot read {source}: {strerror}").format(source=source, strerror=exc.strerror)
        ) from None
    try:
        try:
            head = handle.peek(16)[:16] if hasattr(handle, "peek") else b""
        except OSError as exc:
            raise InputError(
                _("cannot read {source}: {strerror}").format(source=source, strerror=exc.strerror)
            ) from None
        name = "stdin" if stdin else source
        kind = fmt or detect_format(path, head, name)
        if kind == "db":
            if path is None:
                raise InputError(_("a database cannot be read from stdin: give its path"))
            yield Source(database_records(path), name, lambda: database_size(path), lambda rows: rows)
            return
        text = text_stream(handle, name)
        if kind == "csv":
            records = csv_records(text, name, raw=raw, warn=warn)
        elif kind == "jsonl":
            records = jsonl_records(text, name)
        else:
            records = json_records(text, name)
        if stdin or not os.path.isfile(source):
            yield Source(records, name, lambda: None, lambda rows: rows)
        else:
            yield Source(records, name, lambda: os.fstat(handle.fileno()).st_size, lambda rows: handle.tell())
    finally:
        if not stdin:
            handle.close()


__all__ = ["Source", "csv_records", "detect_format", "json_records", "jsonl_records", "open_source"]
