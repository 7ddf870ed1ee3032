"""One registry from a format name to its writer: every command that prints records hands them here with
the format its `--format` named (`--json` and `--csv` are aliases). A writer streams: records are written
as they come, so memory does not grow with them. `table` is each command's own renderable, not a writer;
xlsx, a binary workbook, is written by render.xlsx (WORKBOOK_FORMATS).

The cell rules are stated once: None is empty, booleans `true`/`false`, numbers bare, lists joined with
"; ", and free text a spreadsheet could run as a formula gets a leading apostrophe (export's rule, which
`import` undoes), unless raw.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import IO, Any

from policytrack.records.columns import JSON_SEPARATORS, LIST_SEPARATOR, TEXT_FIELDS, neutralise
from policytrack.records.field import Kind

Record = Mapping[str, Any]
# The columns a writer writes: a kind of record (its fields, and which of them are free text), or names
# (an entry's columns: free text as the entry declares it).
Fields = Kind | Sequence[str]
Writer = Callable[[IO[str], Fields, Iterable[Record]], None]


def field_names(fields: Fields) -> tuple[str, ...]:
    return fields.names() if isinstance(fields, Kind) else tuple(fields)


def free_text(fields: Fields) -> frozenset[str]:
    """The columns the formula rule applies to: the kind's free-text fields (an entry's, for names)."""
    return frozenset(fields.names(free_text=True)) if isinstance(fields, Kind) else TEXT_FIELDS


WRITERS: dict[str, Writer] = {}
# Formats that are a binary workbook of sheets rather than a text stream: render.xlsx writes them
# (imported only when asked for), through cli.common.write_formatted.
WORKBOOK_FORMATS = ("xlsx",)


def register(name: str) -> Callable[[Writer], Writer]:
    def add(writer: Writer) -> Writer:
        WRITERS[name] = writer
        return writer

    return add


def write_records(fmt: str, out: IO[str], fields: Fields, records: Iterable[Record]) -> None:
    """Write `records` (only their `fields`, in that order, for csv) to `out` in the format `fmt`."""
    WRITERS[fmt](out, fields, records)


def cell(name: str, value: Any, *, raw: bool = False, free: frozenset[str] = TEXT_FIELDS) -> object:
    """A value as a CSV cell under the rules above (`free`: the columns that are free text)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return value
    if isinstance(value, list | tuple):
        value = LIST_SEPARATOR.join(value)
    text = str(value)
    return text if raw or name not in free else neutralise(text)


def cells(record: Record, fields: Fields, *, raw: bool = False) -> list[object]:
    free = free_text(fields)
    return [cell(name, record[name], raw=raw, free=free) for name in field_names(fields)]


def write_csv(
    out: IO[str], header: Sequence[str], rows: Iterable[Sequence[Any]] = (), *, lines: Iterable[str] = ()
) -> None:
    """RFC 4180 CSV in the convention of R's write.csv: a header row, CRLF line ends, numbers bare and every
    other cell quoted (None is an empty quoted cell). `rows` are cells; `lines` are rows already formatted
    the same way (exchange.export.csv_lines has SQLite format them). Both stream."""
    writer = csv.writer(out, quoting=csv.QUOTE_NONNUMERIC, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    out.writelines(lines)


@register("csv")
def _csv(out: IO[str], fields: Fields, records: Iterable[Record]) -> None:
    names, free = field_names(fields), free_text(fields)
    write_csv(out, names, ([cell(n, record[n], free=free) for n in names] for record in records))


def to_json(data: Any) -> str:
    """One value for people (`show --json`): indented. Not for streams of records: indent makes Python use
    its pure-Python encoder, several times slower than the C one that the writers below use."""
    return json.dumps(data, ensure_ascii=False, indent=2)


def json_line(record: Any) -> str:
    return json.dumps(record, ensure_ascii=False, separators=JSON_SEPARATORS)


@register("json")
def _json(out: IO[str], fields: Fields, records: Iterable[Record]) -> None:
    """A JSON array with one record a line, written record by record, as `export entries -f json` writes
    it: `[`, then each record compact on its own line (indented by two spaces), commas between, `]`."""
    write_built("json", out, fields, (json_line(record) for record in records))


def write_built(fmt: str, out: IO[str], fields: Fields, texts: Iterable[str]) -> None:
    """Records that SQLite already wrote in the format `fmt` (store.export: a JSON object, or a CSV line
    with its CRLF, per record) as the writers above would write them: a CSV header (`fields`) first, a JSON
    array around them, or a newline after each JSONL line."""
    if fmt == "csv":
        write_csv(out, field_names(fields), lines=texts)
    elif fmt == "jsonl":
        out.writelines(text + "\n" for text in texts)
    else:
        empty = True
        for text in texts:
            out.write(("[\n  " if empty else ",\n  ") + text)
            empty = False
        out.write("[]\n" if empty else "\n]\n")


@register("jsonl")
def _jsonl(out: IO[str], fields: Fields, records: Iterable[Record]) -> None:
    """One compact JSON object per line."""
    write_built("jsonl", out, fields, (json_line(record) for record in records))
