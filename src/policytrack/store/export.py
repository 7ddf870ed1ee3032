"""Export lines built by SQLite, from the column definitions: one CSV line per entry by printf (quotes doubled
by %w, formula text neutralised, lists joined in order) and one JSON object per entry by json_object. Python
then only copies finished lines to the file (exchange.export); tests hold both to Python's own writers."""

from __future__ import annotations

import json
from collections.abc import Sequence

from policytrack.records.columns import (
    BY_NAME,
    ENTRY_JSON_FIELDS,
    EXPORT_FIELDS,
    FORMULA_START,
    INT_FIELDS,
    LIST_FIELDS,
    LIST_SEPARATOR,
    TEXT_FIELDS,
)
from policytrack.records.entry import ENTRY

_QUOTE = "'"
# The code points of FORMULA_START: unicode() reads the first character without copying the text.
_FORMULA_CODES = ", ".join(str(ord(c)) for c in FORMULA_START)


def _neutralised_sql(expr: str) -> str:
    """The same rule as neutralise(), in SQL."""
    return f"CASE WHEN unicode({expr}) IN ({_FORMULA_CODES}) THEN '{_QUOTE * 2}' || {expr} ELSE {expr} END"


def _list_sql(column: str, *, raw: bool) -> str:
    """A JSON list column as "a; b" text, neutralised unless raw, in SQL.

    The store writes lists with json.dumps: '["a", "b"]'. Without a backslash (an escape) such text joins by
    replacing the '", "' between items, and what that leaves must hold no quote, or the list was written some
    other way; then a recursive query joins its items in order."""
    joined = f"replace(substr({column}, 3, length({column}) - 4), '\", \"', '{LIST_SEPARATOR}')"
    plain = (
        f"instr({column}, '\\') = 0 AND substr({column}, 1, 2) = '[\"' AND substr({column}, -2) = '\"]' "
        f"AND instr({joined}, '\"') = 0"
    )
    # group_concat's order is arbitrary by SQLite's documentation (ORDER BY inside an aggregate needs 3.44):
    # the items are joined one by one, in index order, by a recursive query, so the order is guaranteed.
    general = (
        f"(WITH RECURSIVE part(k, s) AS (SELECT 0, json_extract({column}, '$[0]') UNION ALL "
        f"SELECT k + 1, s || '{LIST_SEPARATOR}' || json_extract({column}, '$[' || (k + 1) || ']') FROM part "
        f"WHERE k + 1 < json_array_length({column})) SELECT s FROM part ORDER BY k DESC LIMIT 1)"
    )
    # what another tool stored that is not a JSON list of strings is one label, its text (as _labels reads
    # it in store.entries); nothing stored is no label
    other = f"NOT ({_strings_sql(column)})"
    empty = f"{column} = '[]' OR {column} IS NULL OR {column} = ''"
    if raw:
        return (
            f"CASE WHEN {empty} THEN '' WHEN {plain} THEN {joined} WHEN {other} THEN {column} "
            f"ELSE {general} END"
        )
    # the first item's first character is the third of the JSON text
    mark = f"CASE WHEN unicode(substr({column}, 3, 1)) IN ({_FORMULA_CODES}) THEN '{_QUOTE * 2}' ELSE '' END"
    return (
        f"CASE WHEN {empty} THEN '' WHEN {plain} THEN {mark} || {joined} "
        f"WHEN {other} THEN {_neutralised_sql(column)} ELSE {_neutralised_sql(general)} END"
    )


def _strings_sql(column: str) -> str:
    """Whether a column holds a JSON list of strings, in SQL."""
    return (
        f"json_valid({column}) AND json_type({column}) = 'array' AND NOT EXISTS "
        f"(SELECT 1 FROM json_each({column}) WHERE type != 'text')"
    )


def csv_line_sql(*, raw: bool, deleted_at: bool = False, fields: Sequence[str] = EXPORT_FIELDS) -> str:
    """One CSV line per row, formatted by SQLite's printf in a single pass: integers bare, everything else
    quoted with its quotes doubled (printf's %w), exactly as write_csv's csv.QUOTE_NONNUMERIC writes the
    same cells (a test holds the two to the same bytes). Python then only copies finished lines to the file,
    which keeps export within 2x of `sqlite3 -csv`; csv.writer over the same cells measured 3.8x. With
    deleted_at, a last cell holds the entry's tombstone date (empty: current), as `list --deleted` writes.
    `fields`: the export's columns, or some of them (publish writes the public ones)."""
    formats, args = [], []
    for name in fields:
        expr = BY_NAME[name].sql
        if name in LIST_FIELDS:
            expr = _list_sql(expr, raw=raw)
        elif name in TEXT_FIELDS and not raw:
            expr = _neutralised_sql(expr)
        if BY_NAME[name].type == "boolean":  # as write_csv writes a bool
            expr = f"CASE WHEN {expr} THEN 'true' ELSE 'false' END"
        if name in INT_FIELDS:
            formats.append("%d")
            args.append(expr)
        else:
            formats.append('"%w"')
            args.append(f"coalesce({expr}, '')")
    if deleted_at:
        formats.append('"%w"')
        args.append("coalesce(e.deleted_at, '')")
    return f"printf('{','.join(formats)}' || char(13, 10), {', '.join(args)})"


def json_object_sql(fields: Sequence[str] = EXPORT_FIELDS) -> str:
    """One JSON object per row of these export columns: json_object writes what json.dumps(record,
    ensure_ascii=False, separators=(",", ":")) does."""
    return "json_object({})".format(", ".join(f"'{name}', " + _json_value(name) for name in fields))


def _json_value(name: str) -> str:
    """A column's value as export's JSON writes it: a list as a list, a boolean as true or false."""
    column = BY_NAME[name]
    if name in LIST_FIELDS:
        return f"json({column.sql})"
    if column.type == "boolean":
        return f"json(CASE WHEN {column.sql} THEN 'true' ELSE 'false' END)"
    return column.sql


JSON_OBJECT_SQL = json_object_sql()


def _labels_sql(column: str) -> str:
    """A list column as JSON the way the store reads it (store.entries._labels): a JSON list of strings as
    it is, nothing as [], and anything else another tool wrote there as a list of that one text."""
    return (
        f"CASE WHEN {column} = '[]' OR {column} IS NULL OR {column} = '' THEN json('[]') "
        f"WHEN {_strings_sql(column)} THEN json({column}) "
        f"ELSE json_array({column}) END"
    )


def _entry_json_value(name: str) -> str:
    if name == "deleted":
        return "json(CASE WHEN e.deleted_at IS NULL THEN 'false' ELSE 'true' END)"
    if name in LIST_FIELDS:
        return _labels_sql(BY_NAME[name].sql)
    return _json_value(name)


# An entry's JSON form (Entry.as_dict, compact), built by SQLite: `list --json` writes it at export's speed
# (a test holds it to json.dumps of Entry.as_dict).
ENTRY_JSON_SQL = "json_object({})".format(
    ", ".join(f"'{name}', {_entry_json_value(name)}" for name in ENTRY_JSON_FIELDS)
)
# What every database holding an entry shares of it: its synced and public fields (a local id is never
# synced), in declaration order, sources and outlets by key.
SHARED_FIELDS = ENTRY.names(synced=True, public=True)
# An entry's shared fields as one line, built by SQLite for the brief's content hash: each value an SQL
# literal as quote() writes it (text quoted with its quotes doubled, NULL bare, numbers bare; lists as
# stored), comma-separated, so no two entries give one line. No JSON is built and no list is walked
# (json_each). One printf builds the line: `||` copies the growing line at each of its 22 joins, which
# was most of the hash pass (12 s of 16 at 1,000,000 entries). A text or list column (TEXT affinity:
# text or NULL) takes %Q, which is quote() for those; a number column takes quote() itself, since an
# INTEGER column may hold text.
# A boolean is stored as a number (0 or 1), so it takes quote() too.
_QUOTED = {name for name in SHARED_FIELDS if BY_NAME[name].type in ("integer", "number", "boolean")}
SHARED_LINE_SQL = "printf('{}' || char(10), {})".format(
    ",".join("%s" if name in _QUOTED else "%Q" for name in SHARED_FIELDS),
    ", ".join(
        f"quote({BY_NAME[name].sql})" if name in _QUOTED else BY_NAME[name].sql for name in SHARED_FIELDS
    ),
)
# The same with the tombstone's date as a last key (null: current), as `list --deleted` writes it.
ENTRY_JSON_DELETED_SQL = ENTRY_JSON_SQL[:-1] + ", 'deleted_at', e.deleted_at)"


def compact_list_sql(column: str) -> str:
    """A stored JSON list as json.dumps(json.loads(text), ensure_ascii=False, separators=(",", ":")) writes
    it, in SQL: json() makes the text compact but keeps its escapes, so a list with a backslash (json.dumps
    writes "é" as \\u00e9) is rebuilt from its items, one by one in index order (a recursive query: an
    aggregate's order is not guaranteed), each item's text re-escaped by SQLite as json.dumps does."""
    rebuilt = (
        f"(WITH RECURSIVE part(k, s) AS (SELECT 0, '[]' UNION ALL "
        f"SELECT k + 1, json_insert(s, '$[#]', json_extract({column}, '$[' || k || ']')) FROM part "
        f"WHERE k < json_array_length({column})) SELECT s FROM part ORDER BY k DESC LIMIT 1)"
    )
    plain = f"instr({column}, '\\') = 0"
    return f"CASE WHEN {column} = '[]' THEN '[]' WHEN {plain} THEN json({column}) ELSE {rebuilt} END"


def sorted_object_sql(parts: Sequence[tuple[str, str, str | None]]) -> str:
    """One JSON object as json.dumps(sort_keys=True, ensure_ascii=False, separators=(",", ":")) writes it,
    built by one printf (no `||` copying a growing line): `parts` are (key, the value's JSON text in SQL,
    the JSON text at which the key is left out, or None: always there), in any order. The first key in
    sorted order must always be there (it carries no comma)."""
    ordered = sorted(parts)
    if ordered[0][2] is not None:
        raise ValueError(f"the first key of a line, {ordered[0][0]!r}, must always be present")
    formats, args = [], []
    for number, (key, value, omitted_at) in enumerate(ordered):
        label = ("," if number else "") + json.dumps(key, ensure_ascii=False) + ":"
        if omitted_at is None:
            formats.append(label.replace("%", "%%") + "%s")
            args.append(value)
        else:
            formats.append("%s")
            args.append(
                f"CASE WHEN ({value}) IS {_literal(omitted_at)} THEN '' "
                f"ELSE {_literal(label)} || ({value}) END"
            )
    text = "{" + "".join(formats) + "}"
    return f"printf({_literal(text)}, {', '.join(args)})"


def _literal(text: str) -> str:
    """Text as an SQL string literal."""
    return "'" + text.replace("'", "''") + "'"
