"""What a format takes (records, nested records, one record, a report, a drawing, the view: formats.py
says which) and the table's name: the words a command names its `--format` choices by, apart from the
registry so that a command module names them without loading the writers (start-up: `log`'s module
names list's choices it never builds)."""

from __future__ import annotations

RECORDS, NESTED, ONE, REPORT, DRAWING, VIEW = "records", "nested", "one", "report", "drawing", "view"
TABLE = "table"

__all__ = ["DRAWING", "NESTED", "ONE", "RECORDS", "REPORT", "TABLE", "VIEW"]
