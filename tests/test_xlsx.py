"""--format xlsx: workbooks read back with openpyxl: typed cells equal to the JSON export, text never a
formula, hostile text kept exactly, a sheet per framework or report table, a sheet describing the columns,
frozen header and autofilter; refused on a terminal and for text a cell cannot hold."""

from __future__ import annotations

import io
import json
import re
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from conftest import Invoke, SeededDb
from policytrack.core.storable import MAX_CELL_TEXT
from policytrack.records.check import CONTROL
from policytrack.records.columns import EXPORT_FIELDS, LIST_SEPARATOR
from policytrack.records.kinds import KINDS
from policytrack.records.report import REPORT_ROW
from policytrack.render.xlsx import sheet_name

HOSTILE = [
    '=HYPERLINK("http://example.org","click")',
    "+1+1",
    "-2",
    "@SUM(A1)",
    "'quoted",
    "1e10",
    "TRUE",
    "2024",
    "clear \x1b[2J here, bell \x07, nul-free",
    "bidi \u202eabc\u2066x\u2069 and _x0041_ literally",
    '<script>alert(1)</script> & "quotes"',
    "Zürich, Ségou, 中国, العربية, emoji 🙂",
]
ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")


def cell_text(value: str) -> str:
    """A text cell as a spreadsheet shows it: OOXML writes characters XML cannot hold as _xHHHH_ (and a
    literal `_x` as _x005F_x), which Excel and LibreOffice decode; openpyxl leaves that to its reader."""
    return ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), value)


def read(data: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(data))


def rows_of(ws: Worksheet) -> tuple[list[str], list[dict[str, Any]]]:
    rows = list(ws.iter_rows())
    header = [str(c.value) for c in rows[0]]
    records = []
    for row in rows[1:]:
        for c in row:
            assert c.data_type in ("s", "n", "b"), (c.coordinate, c.data_type)  # never "f", a formula
        records.append(
            {
                h: cell_text(c.value) if isinstance(c.value, str) else c.value
                for h, c in zip(header, row, strict=True)
            }
        )
    return header, records


def as_cells(record: dict[str, Any]) -> dict[str, Any]:
    """A JSON record as the workbook holds it: lists joined as in CSV."""
    return {k: LIST_SEPARATOR.join(v) if isinstance(v, list) else v for k, v in record.items()}


@pytest.fixture
def hostile(log: Callable[..., int], seeded_db: SeededDb) -> None:
    def build() -> None:
        for i, text in enumerate(HOSTILE):
            grade = ["-g", "B2"] if i % 2 else []
            tag = CONTROL.sub("", text)  # a tag holds no control character (free text does)
            options = [
                "--date",
                f"2024-{i % 12 + 1:02d}",
                "--source",
                text,
                "--note",
                text,
                "-t",
                tag,
                *grade,
            ]
            log(*options, "-a", "@someone", "--effect", str(i % 5 - 2), "--", "regional", text)
        log(
            "diversify",
            "UNSC resolution 2690 ends MINUSMA's mandate",
            "--date",
            "2023-06-30",
            "-e",
            "-1",
            "--status",
            "commitment",
            "-g",
            "A1",
        )

    seeded_db("test_xlsx.hostile", build)


def test_export_entries_is_the_json_export_in_typed_cells(cli: Invoke, hostile: None, tmp_path: Path) -> None:
    out = tmp_path / "entries.xlsx"
    result = cli("export", "entries", "--format", "xlsx", "-o", str(out))
    assert result.exit_code == 0, result.stderr
    book = read(out.read_bytes())
    assert book.sheetnames == ["mali-china-security", "columns"]
    ws = book["mali-china-security"]
    last = get_column_letter(len(EXPORT_FIELDS))
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref == f"A1:{last}{len(HOSTILE) + 2}"
    header, records = rows_of(ws)
    assert header == list(EXPORT_FIELDS)
    assert records == [as_cells(r) for r in json.loads(cli("export", "entries", "-f", "json").stdout)]
    by_summary = {r["summary"]: r for r in records}
    for text in HOSTILE:  # text exactly as stored: no apostrophe, never run
        assert by_summary[text]["source"] == by_summary[text]["note"] == text
    first = next(iter(ws.iter_rows(min_row=2, max_row=2)))
    kinds = {h: c.data_type for h, c in zip(header, first, strict=True)}
    assert kinds["id"] == kinds["effect"] == kinds["revision"] == "n" and kinds["summary"] == "s"
    assert kinds["date"] == "s"  # a date keeps its precision as ISO text
    assert {r["date_precision"] for r in records} == {"month", "day"}
    described = list(book["columns"].iter_rows(values_only=True))
    assert described[0] == ("sheet", "column", "cells", "meaning")
    columns = [row for row in described[1:] if row[0] == "mali-china-security"]
    assert [row[1] for row in columns] == list(EXPORT_FIELDS)
    assert all(row[3] for row in columns)  # every column is described
    assert {row[1]: row[2] for row in columns}["effect"] == "number"
    assert any("ISO 8601" in str(row[3]) for row in described)


def test_every_framework_has_its_sheet_and_revisions_their_columns(
    cli: Invoke, hostile: None, tmp_path: Path
) -> None:
    assert cli("framework", "add", "mali-china-risks").exit_code == 0
    assert (
        cli("log", "-F", "mali-china-risks", "1", "Example risk entry", "--date", "2024", "-e", "1").exit_code
        == 0
    )
    out = tmp_path / "all.xlsx"
    assert (
        cli(
            "export", "entries", "-f", "xlsx", "--all-frameworks", "--all-revisions", "-o", str(out)
        ).exit_code
        == 0
    )
    book = read(out.read_bytes())
    assert book.sheetnames == ["mali-china-risks", "mali-china-security", "columns"]  # by name
    assert len(rows_of(book["mali-china-risks"])[1]) == 1
    header, records = rows_of(book["mali-china-security"])
    assert header[-3:] == ["action", "changed_by", "changed_at"] and len(records) == len(HOSTILE) + 1


def test_report_sheets_equal_the_report_json(cli: Invoke, hostile: None, tmp_path: Path) -> None:
    for extra, name in (([], "report"), (["--by", "quarter"], "report by quarter")):
        out = tmp_path / "report.xlsx"
        result = cli("report", "--as-of", "2024-12-31", *extra, "-f", "xlsx", "-o", str(out))
        assert result.exit_code == 0, result.stderr
        book = read(out.read_bytes())
        assert book.sheetnames == [name, "columns"]
        _, records = rows_of(book[name])
        expected = json.loads(cli("report", "--as-of", "2024-12-31", *extra, "--json").stdout)
        assert [{k: v for k, v in r.items() if v is not None} for r in records] == [
            {k: v for k, v in r.items() if v is not None} for r in expected
        ]
        meanings = {
            row[1]: row[3] for row in book["columns"].iter_rows(min_row=2, values_only=True) if row[0] == name
        }
        assert all(meanings.values()) and meanings["momentum"] == REPORT_ROW["momentum"].description


@pytest.mark.parametrize(
    "command",
    [
        ["list"],
        ["list", "--deleted"],
        ["timeline", "regional"],
        ["targets"],
        ["indicators"],
        ["framework", "list"],
        ["signposts"],
        ["forecasts"],
        ["forecasts", "--score"],
        ["report", "--by-analyst"],
    ],
)
def test_record_commands_write_xlsx_when_piped(cli: Invoke, hostile: None, command: list[str]) -> None:
    result = cli(*command, "--format", "xlsx")
    assert result.exit_code == 0, result.stderr
    book = read(result.stdout_bytes)
    assert book.sheetnames[-1] == "columns" and len(book.sheetnames) == 2
    header, records = rows_of(book.worksheets[0])
    meanings = {
        row[1]: row[3]
        for row in book["columns"].iter_rows(min_row=2, values_only=True)
        if row[0] == book.sheetnames[0]
    }
    assert list(meanings) == header and all(meanings.values()), [h for h in header if not meanings.get(h)]
    # every column's meaning is the description its kind of record declares
    declared = {f.description for kind in KINDS.values() for f in kind}
    assert all(meanings[h] in declared for h in header), [h for h in header if meanings[h] not in declared]
    if command == ["list", "--deleted"]:
        assert header[-1] == "deleted_at"
    if command[0] in ("list", "timeline"):
        listed = json.loads(cli(*command, "--json").stdout)
        assert [r["id"] for r in records] == [r["id"] for r in listed]
        assert [r["summary"] for r in records] == [r["summary"] for r in listed]
        assert all(isinstance(r["deleted"], bool) for r in records)


def test_xlsx_is_refused_on_a_terminal(cli: Invoke, hostile: None, monkeypatch: pytest.MonkeyPatch) -> None:
    import policytrack.cli.common as common

    monkeypatch.setattr(common, "stdout_is_terminal", lambda: True)
    for args, fix in (
        (["list", "-f", "xlsx"], "-o FILE.xlsx"),
        (["export", "entries", "-f", "xlsx"], "-o FILE.xlsx"),
        (["report", "-f", "xlsx"], "-o FILE.xlsx"),
    ):
        result = cli(*args)
        assert result.exit_code == 1 and result.stdout == ""
        (line,) = result.stderr.splitlines()
        assert "binary workbook" in line and line.endswith(f"({fix})")


def test_text_a_cell_cannot_hold_is_refused_and_nothing_written(
    cli: Invoke, log: Callable[..., int], tmp_path: Path, db_path: Path
) -> None:
    # emoji count twice as a spreadsheet counts (UTF-16): 16,384 of them are 32,768 units, one too many
    too_long = "\N{GRINNING FACE}" * ((MAX_CELL_TEXT + 1) // 2)
    refused = cli("log", "regional", too_long, "--date", "2024")
    assert (
        refused.exit_code == 1
        and "summary is 32,768 characters long as a spreadsheet counts" in refused.stderr
    )
    # an entry an older release stored: the writer names it rather than cut it
    entry = log("regional", "short", "--date", "2024")
    with sqlite3.connect(db_path) as conn:
        conn.execute("UPDATE entries SET summary = ? WHERE id = ?", (too_long, entry))
    conn.close()
    out = tmp_path / "big.xlsx"
    result = cli("export", "entries", "-f", "xlsx", "-o", str(out))
    assert result.exit_code == 1 and not out.exists()
    (line,) = result.stderr.splitlines()
    assert f"entry {entry} of sheet" in line and "summary is 32,768 UTF-16 units" in line
    assert line.endswith("shorten it (`policytrack edit`) or use --format csv or json, which keep it all")
    assert [
        p.name for p in tmp_path.iterdir() if not p.name.startswith("policytrack.db")
    ] == []  # nor a temporary


def test_csv_options_are_refused_with_xlsx(cli: Invoke, tmp_path: Path) -> None:
    for option in ("--excel", "--raw"):
        result = cli("export", "entries", "-f", "xlsx", option, "-o", str(tmp_path / "x.xlsx"))
        assert result.exit_code == 2 and "is for CSV" in result.stderr


def test_sheet_names_are_what_excel_accepts() -> None:
    taken: set[str] = set()
    assert sheet_name("a/b:c*d?e[f]g\\h", taken) == "a_b_c_d_e_f_g_h"
    long = sheet_name("x" * 40, taken)
    assert len(long) == 31
    assert sheet_name("X" * 40, taken) == "X" * 27 + " (2)"  # names are unique in any case
    assert sheet_name("columns", taken) == "columns (2)"
    assert sheet_name("''", taken) == "sheet"
