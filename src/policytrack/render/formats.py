"""One registry from a format name to what writes it: every command looks its `--format` choices up here
by what it produces, and hands the chosen format its output. A format declares what it takes:

- records: a stream of flat records, one row each (csv, json, jsonl, xlsx): every record command;
- nested: records whose values hold lists and records (history): json, jsonl;
- one: a single record or object (show, source show): json;
- report: a report as a text document (markdown);
- drawing: a report drawn (the html and svg brief);
- view: the terminal's table, each command's own renderable (table).

A text writer streams: records are written as they come, so memory does not grow with them. A workbook
format (xlsx) writes sheets of records as bytes; its library is imported only when it is asked for.

The cell rules are stated once: None is empty, booleans `true`/`false`, numbers bare, lists joined with
"; ", and free text a spreadsheet could run as a formula gets a leading apostrophe (export's rule, which
`import` undoes), unless raw.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING, Any

from policytrack.records.columns import JSON_SEPARATORS, LIST_SEPARATOR, TEXT_FIELDS, neutralise
from policytrack.records.field import Kind

# what a format takes, named here as it always was
from policytrack.render.takes import DRAWING as DRAWING
from policytrack.render.takes import NESTED as NESTED
from policytrack.render.takes import ONE as ONE
from policytrack.render.takes import RECORDS as RECORDS
from policytrack.render.takes import REPORT as REPORT
from policytrack.render.takes import TABLE as TABLE
from policytrack.render.takes import VIEW as VIEW

if TYPE_CHECKING:
    from datetime import datetime

    from policytrack.render.xlsx import Sheet

Record = Mapping[str, Any]
# The columns a writer writes: a kind of record (its fields, and which of them are free text), or names
# (an entry's columns: free text as the entry declares it).
Fields = Kind | Sequence[str]
Writer = Callable[[IO[str], Fields, Iterable[Record]], None]
BuiltWriter = Callable[[IO[str], Fields, Iterable[str]], None]
# a workbook writer: the sheets, and the workbook's creation time (None: now)
BookWriter = Callable[[IO[bytes], Sequence["Sheet"], "datetime | None"], None]


def field_names(fields: Fields) -> tuple[str, ...]:
    return fields.names() if isinstance(fields, Kind) else tuple(fields)


def free_text(fields: Fields) -> frozenset[str]:
    """The columns the formula rule applies to: the kind's free-text fields (an entry's, for names)."""
    return frozenset(fields.names(free_text=True)) if isinstance(fields, Kind) else TEXT_FIELDS


@dataclass(frozen=True)
class OutputFormat:
    """A format: its name, what it takes, and what writes it.

    `write` streams records as text; `write_book` writes sheets of records as bytes (a workbook);
    `write_built` writes records that SQLite already formatted in this format (a CSV line or a JSON
    object per record: the fast path of `list`, `timeline` and `export entries`). Formats that take a
    report, a drawing or the view have no writer here: the command renders them (render.report,
    render.brief). `extension` names a file of it (publish)."""

    name: str
    takes: frozenset[str]
    extension: str
    write: Writer | None = None
    write_book: BookWriter | None = None
    write_built: BuiltWriter | None = None

    @property
    def binary(self) -> bool:
        return self.write_book is not None

    @property
    def data(self) -> bool:
        """Data for programs (CSV, JSON, JSONL): its keys and values are the same in every language (a
        workbook is for people: its framework texts follow the language)."""
        return RECORDS in self.takes and not self.binary


FORMATS: dict[str, OutputFormat] = {}


def register(fmt: OutputFormat) -> OutputFormat:
    """Add a format to the registry (a name registered again is replaced); every command whose output
    it takes then offers it."""
    FORMATS[fmt.name] = fmt
    return fmt


def output_format(name: str) -> OutputFormat:
    return FORMATS[name]


def formats_taking(*what: str, default: str = TABLE) -> tuple[str, ...]:
    """The names of the formats that take any of `what`, in the registry's order, `default` first: a
    command's `--format` choices."""
    names = [name for name, fmt in FORMATS.items() if fmt.takes & set(what)]
    if default in names:
        names.remove(default)
    return (default, *names)


def write_records(fmt: str, out: IO[str], fields: Fields, records: Iterable[Record]) -> None:
    """Write `records` (only their `fields`, in that order, for csv) to `out` in the text format `fmt`."""
    writer = FORMATS[fmt].write
    assert writer is not None, f"{fmt} is not a text format of records"
    writer(out, fields, records)


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
    import csv  # here: the registry loads for every command that has --format (start-up)

    writer = csv.writer(out, quoting=csv.QUOTE_NONNUMERIC, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    out.writelines(lines)


def _csv(out: IO[str], fields: Fields, records: Iterable[Record]) -> None:
    names, free = field_names(fields), free_text(fields)
    write_csv(out, names, ([cell(n, record[n], free=free) for n in names] for record in records))


def to_json(data: Any) -> str:
    """One value for people (`show --json`): indented. Not for streams of records: indent makes Python use
    its pure-Python encoder, several times slower than the C one that the writers below use."""
    return json.dumps(data, ensure_ascii=False, indent=2)


def json_line(record: Any) -> str:
    return json.dumps(record, ensure_ascii=False, separators=JSON_SEPARATORS)


def _json(out: IO[str], fields: Fields, records: Iterable[Record]) -> None:
    """A JSON array with one record a line, written record by record, as `export entries -f json` writes
    it: `[`, then each record compact on its own line (indented by two spaces), commas between, `]`."""
    _built_json(out, fields, (json_line(record) for record in records))


def write_built(fmt: str, out: IO[str], fields: Fields, texts: Iterable[str]) -> None:
    """Records that SQLite already wrote in the format `fmt` (store.export: a JSON object, or a CSV line
    with its CRLF, per record) as that format's writer would write them."""
    writer = FORMATS[fmt].write_built
    assert writer is not None, f"SQLite does not build {fmt}"
    writer(out, fields, texts)


def _built_csv(out: IO[str], fields: Fields, lines: Iterable[str]) -> None:
    """A CSV header (`fields`), then the lines as they are."""
    write_csv(out, field_names(fields), lines=lines)


def _built_json(out: IO[str], fields: Fields, texts: Iterable[str]) -> None:
    """A JSON array around the objects, one a line."""
    empty = True
    for text in texts:
        out.write(("[\n  " if empty else ",\n  ") + text)
        empty = False
    out.write("[]\n" if empty else "\n]\n")


def _built_jsonl(out: IO[str], fields: Fields, texts: Iterable[str]) -> None:
    """A newline after each object."""
    out.writelines(text + "\n" for text in texts)


def _jsonl(out: IO[str], fields: Fields, records: Iterable[Record]) -> None:
    """One compact JSON object per line."""
    _built_jsonl(out, fields, (json_line(record) for record in records))


def _xlsx(out: IO[bytes], sheets: Sequence[Sheet], created: datetime | None) -> None:
    from policytrack.render.xlsx import write_workbook

    write_workbook(out, sheets, created=created)


# The built-in formats, in the order `--format` lists them.
register(OutputFormat(TABLE, frozenset({VIEW}), "txt"))
register(OutputFormat("json", frozenset({RECORDS, NESTED, ONE}), "json", _json, write_built=_built_json))
register(OutputFormat("jsonl", frozenset({RECORDS, NESTED}), "jsonl", _jsonl, write_built=_built_jsonl))
register(OutputFormat("csv", frozenset({RECORDS}), "csv", _csv, write_built=_built_csv))
register(OutputFormat("xlsx", frozenset({RECORDS}), "xlsx", write_book=_xlsx))
register(OutputFormat("markdown", frozenset({REPORT}), "md"))
register(OutputFormat("html", frozenset({DRAWING}), "html"))
register(OutputFormat("svg", frozenset({DRAWING}), "svg"))
