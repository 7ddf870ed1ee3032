"""The Store's entry rows: evidence entries and their append-only history."""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any

from policytrack.core.dates import PartialDate
from policytrack.core.errors import NotFoundError
from policytrack.core.i18n import _
from policytrack.records.columns import COLUMNS, ENTRY_COLUMNS, Column
from policytrack.records.entry import ORDER as ENTRY_ORDER
from policytrack.records.entry import SOURCE_SHOWN
from policytrack.records.models import Entry

if TYPE_CHECKING:
    from policytrack.records.listed import EntryFilter, Revision

# What a table shows of one field at most (render.text.MAX_SHOWN_CHARACTERS; the store cannot import
# render): a plain table's summary column is never wider.
MAX_SHOWN_CHARACTERS = 4_000

# Revisions follow the one order of entries (records.entry.ORDER) with their own date, the time and author
# of the change (REVISION_ORDER).
# A revision's date, the time and author of the change, its entry's uuid; then its number, which orders
# the revisions of one entry written by one analyst at one instant.
REVISION_ORDER = ("r.date_start", "r.changed_at", "r.changed_by", "e.uuid", "r.revision")


def order_by(alias: str = "e", *, descending: bool = False, order: Sequence[str] = ENTRY_ORDER) -> str:
    """ENTRY_ORDER as an SQL ORDER BY list over the table alias (empty: bare column names)."""
    prefix = f"{alias}." if alias else ""
    return ", ".join(f"{prefix}{c}{' DESC' if descending else ''}" for c in order)


# The registered originator (s) and outlet (v) of an entry, for the columns that name them.
LINK_JOINS = "LEFT JOIN sources s ON s.id = e.source_id LEFT JOIN sources v ON v.id = e.via_id"
# Every column of COLUMNS (named as there) and the tombstone, over the aliases the filters use.
_SHOWN = ", ".join(f"{sql} AS {f.name}" for f, sql in SOURCE_SHOWN)
_ENTRY_SELECT = f"""
SELECT {", ".join(f"{c.sql} AS {c.name}" for c in COLUMNS)}, e.deleted_at, {_SHOWN}
FROM entries e
JOIN indicators i ON i.id = e.indicator_id
JOIN frameworks f ON f.id = i.framework_id
{LINK_JOINS}
"""


def _labels(stored: str | None) -> tuple[str, ...]:
    """A stored JSON list of labels. Another tool may have written something else into the column: then
    its text is shown as one label rather than lost or fatal."""
    try:
        value = json.loads(stored) if stored else []
    except (ValueError, RecursionError):
        return (str(stored),)
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    return (str(stored),)


def _entry(row: sqlite3.Row) -> Entry:
    return Entry(
        id=row["id"],
        uuid=row["uuid"],
        framework=row["framework"],
        indicator=row["indicator"],
        indicator_title=row["indicator_title"],
        date=PartialDate.from_stored(row["date"]),
        summary=row["summary"],
        note=row["note"],
        source=row["source"],
        source_key=row["source_key"],
        via=row["via"],
        event=row["event"],
        effect=row["effect"],
        status=row["status"],
        grade=row["grade"],
        tags=_labels(row["tags"]),
        actors=_labels(row["actors"]),
        signals=_labels(row["signals"]),
        reviewed_by=row["reviewed_by"],
        reviewed_at=row["reviewed_at"],
        returned_by=row["returned_by"],
        returned_at=row["returned_at"],
        return_comment=row["return_comment"],
        analyst=row["analyst"],
        revision=row["revision"],
        recorded_at=row["recorded_at"],
        deleted=row["deleted_at"] is not None,
        deleted_at=row["deleted_at"],
        source_name=row["source_name"],
        via_name=row["via_name"],
        source_url=row["source_url"],
        language=row["language"],
        summary_translation=row["summary_translation"],
        summary_translation_language=row["summary_translation_language"],
        summary_translation_checked=bool(row["summary_translation_checked"]),
    )


def _missing(entry_id: int) -> NotFoundError:
    return NotFoundError(_("no entry with id {id}; `policytrack list` shows the ids").format(id=entry_id))


def _revision_sql(column: Column) -> str:
    """A column as a revision has it: what the entry stores comes from the revision (r), its indicator and
    framework from the revision's own (ri, rf); identity and first recording from the entry (e)."""
    if column.name in ("id", "revision"):
        return "r.entry_id" if column.name == "id" else "r.revision"
    if column.stored:
        return column.sql.replace("e.", "r.", 1)
    return (
        column.sql.replace("i.", "ri.", 1)
        .replace("f.", "rf.", 1)
        .replace("s.", "rs.", 1)
        .replace("v.", "rv.", 1)
    )


# COLUMNS as query_revisions reads them, named as in _ENTRY_SELECT so that one function builds an Entry.
_REVISION_COLUMNS = ", ".join(f"{_revision_sql(c)} AS {c.name}" for c in COLUMNS)


_REVISION_SHOWN = ", ".join(
    f"{sql.replace('s.', 'rs.', 1).replace('v.', 'rv.', 1)} AS {f.name}" for f, sql in SOURCE_SHOWN
)


def _ordered(
    select: str, where: Sequence[str], params: Sequence[Any], limit: int | None, descending: bool = False
) -> tuple[str, list[Any]]:
    """`select` (which names ENTRY_ORDER's columns by their own names) filtered by `where`, in the one order
    (ENTRY_ORDER; newest first when `descending`); with a limit, the newest N, still oldest first."""
    sql = select + (" WHERE " + " AND ".join(where) if where else "")
    args = list(params)
    if limit is None:
        sql += f" ORDER BY {order_by(descending=descending)}"
    else:
        sql = f"SELECT * FROM ({sql} ORDER BY {order_by(descending=True)} LIMIT ?) ORDER BY {order_by('')}"
        args.append(limit)
    return sql, args


def entries_outer(sql: str, where: Sequence[str]) -> str:
    """`sql` (which joins indicators to entries e) with entries kept the outer loop where no indicator is
    chosen: SQLite then reads them through entries_order, already in the one order (or through the index
    of another filter), instead of gathering every indicator's through its own index and sorting them
    all (a page of the newest at 1,000,000 entries: 9 s against 0.02 s). For some indicators, seeking
    them by indicator and sorting those few is cheaper."""
    if any("e.indicator_id" in w for w in where):
        return sql
    return sql.replace("JOIN indicators i ON", "CROSS JOIN indicators i ON", 1)


def marks(values: Sequence[object]) -> str:
    """One `?` per value, for an SQL IN list."""
    return ", ".join("?" for _ in values)


class StoreBase:
    """What the row mixins need from the Store: its connection and its write transactions."""

    conn: sqlite3.Connection
    # Reports count only reviewed entries when set (`report --reviewed-only`): every report query reads
    # entries through `current`.
    reviewed_only: bool = False

    @property
    def current(self) -> str:
        """The entries a report counts: current ones, and with reviewed_only only reviewed ones."""
        return "deleted_at IS NULL" + (" AND reviewed_at IS NOT NULL" if self.reviewed_only else "")

    def transaction(self) -> AbstractContextManager[sqlite3.Connection]:
        raise NotImplementedError

    def write_revision(self, conn: sqlite3.Connection, entry_id: int, action: str, by: str, at: str) -> None:
        raise NotImplementedError


class EntryRows(StoreBase):
    """Reading and writing entries; every change also writes a revision."""

    def insert_entry(self, uuid: str, values: dict[str, Any], recorded_at: str, changed_by: str) -> int:
        """Store a new entry and its first revision in one transaction; return its short id."""
        with self.transaction() as conn:
            cols = ", ".join(ENTRY_COLUMNS)
            marks = ", ".join("?" for _ in ENTRY_COLUMNS)
            cur = conn.execute(
                f"INSERT INTO entries (uuid, {cols}, revision, recorded_at) VALUES (?, {marks}, 1, ?)",
                (uuid, *(values[c] for c in ENTRY_COLUMNS), recorded_at),
            )
            entry_id = int(cur.lastrowid or 0)
            self.write_revision(conn, entry_id, "create", changed_by, recorded_at)
        return entry_id

    def write_revision(self, conn: sqlite3.Connection, entry_id: int, action: str, by: str, at: str) -> None:
        cols = ", ".join(ENTRY_COLUMNS)
        conn.execute(
            f"""INSERT INTO entry_revisions (entry_id, revision, action, changed_by, changed_at, {cols})
                SELECT id, revision, ?, ?, ?, {cols} FROM entries WHERE id = ?""",
            (action, by, at, entry_id),
        )

    def update_entry(
        self, entry_id: int, values: dict[str, Any], action: str, changed_by: str, at: str
    ) -> None:
        """Change an entry's fields (or its tombstone) as a new revision; history keeps the old."""
        with self.transaction() as conn:
            assignments = [f"{c} = ?" for c in values]
            conn.execute(
                f"UPDATE entries SET {', '.join(assignments)}, revision = revision + 1 WHERE id = ?",
                (*values.values(), entry_id),
            )
            self.write_revision(conn, entry_id, action, changed_by, at)

    def uuid_prefix_matches(self, table: str, prefix: str, limit: int) -> list[tuple[int, str]]:
        """(id, uuid) of the first `limit` rows of `table` (entries or forecasts) whose uuid starts with
        `prefix` (lower-case, hyphens where a uuid has them), by the uuid index: a uuid holds only hex
        digits and '-', all before 'g'."""
        if table not in ("entries", "forecasts"):
            raise ValueError(table)
        return [
            (int(r[0]), str(r[1]))
            for r in self.conn.execute(
                f"SELECT id, uuid FROM {table} WHERE uuid >= ? AND uuid < ? ORDER BY uuid LIMIT ?",
                (prefix, prefix + "g", limit),
            )
        ]

    def entry_row(self, entry_id: int) -> sqlite3.Row:
        row: sqlite3.Row | None = self.conn.execute(
            "SELECT * FROM entries WHERE id = ?", (entry_id,)
        ).fetchone()
        if row is None:
            raise _missing(entry_id)
        return row

    def get_entry(self, entry_id: int) -> Entry:
        row = self.conn.execute(_ENTRY_SELECT + " WHERE e.id = ?", (entry_id,)).fetchone()
        if row is None:
            raise _missing(entry_id)
        return _entry(row)

    def query_entries(
        self,
        where: Sequence[str],
        params: Sequence[Any],
        limit: int | None = None,
        *,
        descending: bool = False,
    ) -> Iterator[Entry]:
        """Entries matching all `where` clauses (over aliases e, i, f), in the one order (ENTRY_ORDER), newest
        first when `descending` (without a limit), streamed from the cursor."""
        sql, args = _ordered(entries_outer(_ENTRY_SELECT, where), where, params, limit, descending)
        for row in self.conn.execute(sql, args):
            yield _entry(row)

    def entry_values(
        self,
        select: str,
        where: Sequence[str],
        params: Sequence[Any],
        limit: int | None = None,
        *,
        descending: bool = False,
    ) -> Iterator[sqlite3.Row]:
        """The SQL expressions `select` (over aliases e, i, f, s, v) for each entry query_entries would
        give, in its order (`descending` as there), streamed from the cursor: for output that SQLite builds
        (store.export)."""
        sql = (
            f"SELECT {select}, {', '.join(f'e.{c} AS {c}' for c in ENTRY_ORDER)} FROM entries e "
            "JOIN indicators i ON i.id = e.indicator_id JOIN frameworks f ON f.id = i.framework_id "
            + LINK_JOINS
        )
        sql, args = _ordered(entries_outer(sql, where), where, params, limit, descending)
        return self.conn.execute(sql, args)

    def effects_in_order(self, where: Sequence[str], params: Sequence[Any]) -> tuple[bytes, int]:
        """The effect of each entry entry_values would give, in its order, as one ASCII digit each (the
        effect + 2, so 0-4) in one string that SQLite builds, and the largest id: for a pass that only sums
        them (a timeline's header over every entry of a window), with no Python object per entry (at
        200,000 entries 0.05 s of CPU, against 0.14 s for a tuple each)."""
        sql = (
            "SELECT e.effect + 2 AS digit, e.id AS id FROM entries e "
            "JOIN indicators i ON i.id = e.indicator_id JOIN frameworks f ON f.id = i.framework_id"
        )
        sql, args = _ordered(entries_outer(sql, where), where, params, None)
        # the aggregate reads its subquery in the subquery's order (the one order): SQLite keeps it
        digits, top = self.conn.execute(
            f"SELECT group_concat(digit, ''), max(id) FROM ({sql})", args
        ).fetchone()
        return (digits or "").encode("ascii"), int(top or 0)

    def entries_with_ids(self, ids: Sequence[int]) -> dict[int, Entry]:
        """The entries (deleted ones too) with these ids, by id: a page, read by its keys."""
        found: dict[int, Entry] = {}
        for start in range(0, len(ids), 500):  # under SQLite's limit on parameters
            chunk = list(ids[start : start + 500])
            found.update((e.id, e) for e in self.query_entries([f"e.id IN ({marks(chunk)})"], chunk))
        return found

    def entry_months(self, where: Sequence[str], params: Sequence[Any]) -> list[str]:
        """The months (YYYY-MM, of their first day) in which the entries matching all `where` clauses (over
        aliases e, i, f) are dated, oldest first, each once."""
        sql = (
            "SELECT DISTINCT substr(e.date_start, 1, 7) FROM entries e "
            "JOIN indicators i ON i.id = e.indicator_id JOIN frameworks f ON f.id = i.framework_id"
            + (" WHERE " + " AND ".join(where) if where else "")
            + " ORDER BY 1"
        )
        return [row[0] for row in self.conn.execute(sql, list(params))]

    def count_listed(self, where: Sequence[str], params: Sequence[Any]) -> int:
        """How many entries match all `where` clauses (over aliases e, i, f): a count read from an index,
        for a page that shows only the newest."""
        sql = (
            "SELECT count(*) FROM entries e JOIN indicators i ON i.id = e.indicator_id "
            "JOIN frameworks f ON f.id = i.framework_id" + (" WHERE " + " AND ".join(where) if where else "")
        )
        return int(self.conn.execute(sql, list(params)).fetchone()[0])

    def current_entry_count(self, framework: str | None, indicator_ids: Sequence[int]) -> int:
        """How many current (not deleted) entries a framework (None: every one) holds, of these indicators
        (none: all of them): summed from entry_counts (m024, kept by triggers), never from the rows."""
        where = ["f.name = ?"] if framework is not None else []
        params: list[Any] = [framework] if framework is not None else []
        if indicator_ids:
            where.append(f"k.indicator_id IN ({marks(indicator_ids)})")
            params.extend(indicator_ids)
        sql = (
            "SELECT coalesce(sum(k.n), 0) FROM entry_counts k JOIN indicators i ON i.id = k.indicator_id "
            "JOIN frameworks f ON f.id = i.framework_id" + (" WHERE " + " AND ".join(where) if where else "")
        )
        return int(self.conn.execute(sql, params).fetchone()[0])

    def listing_stats(self, where: Sequence[str], params: Sequence[Any]) -> dict[str, int]:
        """What a table of the entries matching all `where` clauses (over aliases e, i, f) must make room
        for, in one pass: how many there are, the longest id, indicator key, framework name, status, tags
        (as stored: at least as long as shown) and summary (clipped as a table shows it), and whether any
        is deleted, has a status or has tags."""
        sql = (
            "SELECT count(*) AS count, max(length(e.id)) AS id_width, max(length(i.key)) AS key_width, "
            f"min(max(length(e.summary)), {MAX_SHOWN_CHARACTERS}) AS summary_width, "
            "max(length(e.tags)) AS tags_width, "
            "max(length(f.name)) AS framework_width, max(length(e.status)) AS status_width, "
            "max(e.deleted_at IS NOT NULL) AS deleted, max(e.status IS NOT NULL) AS statuses, "
            "max(e.tags NOT IN ('[]', '')) AS tags "
            "FROM entries e JOIN indicators i ON i.id = e.indicator_id "
            "JOIN frameworks f ON f.id = i.framework_id" + (" WHERE " + " AND ".join(where) if where else "")
        )
        row = self.conn.execute(sql, list(params)).fetchone()
        return {key: int(row[key] or 0) for key in row.keys()}  # noqa: SIM118  (a Row iterates values)

    def query_revisions(
        self, where: Sequence[str], params: Sequence[Any], *, by_entry: bool = False
    ) -> Iterator[Revision]:
        """Every revision of the entries matching all `where` clauses (over aliases e, i, f for the entry
        as it is now), in the one order (REVISION_ORDER), or by_entry each entry's in revision order: one
        query, streamed."""
        from policytrack.records.listed import Revision  # here: log reads no history (start-up)

        # Columns named as in _ENTRY_SELECT, so one function builds an Entry from either; a revision has
        # its own indicator (ri, rf), while the filter sees the entry's current one (i, f). An entry's own
        # history also reads each revision's authored number (a revision sync never renumbered is its own).
        authored = (
            (
                "coalesce(sr.authored, r.revision)",
                " LEFT JOIN sync_revisions sr ON sr.entry_id = r.entry_id AND sr.revision = r.revision",
            )
            if by_entry
            else ("NULL", "")
        )
        rows = self.conn.execute(
            f"""SELECT {_REVISION_COLUMNS},
                      CASE WHEN r.action = 'delete' THEN r.changed_at END AS deleted_at,
                      r.action, r.changed_by, r.changed_at, {authored[0]} AS authored, {_REVISION_SHOWN}
               FROM entries e JOIN indicators i ON i.id = e.indicator_id
               JOIN frameworks f ON f.id = i.framework_id
               JOIN entry_revisions r ON r.entry_id = e.id
               JOIN indicators ri ON ri.id = r.indicator_id
               JOIN frameworks rf ON rf.id = ri.framework_id
               LEFT JOIN sources rs ON rs.id = r.source_id LEFT JOIN sources rv ON rv.id = r.via_id"""
            + authored[1]
            + (" WHERE " + " AND ".join(where) if where else "")
            + f" ORDER BY {'e.id, r.revision' if by_entry else order_by('', order=REVISION_ORDER)}",
            list(params),
        )
        for r in rows:
            yield Revision(
                r["revision"], r["action"], r["changed_by"], r["changed_at"], _entry(r), r["authored"]
            )

    def entry_texts(self, select: str, where: Sequence[str], params: Sequence[Any]) -> Iterator[str]:
        """One text per matching entry, built by the SQL expression `select` (over aliases e, i, f), in the
        one order (ENTRY_ORDER: never the local id, so two databases export the same bytes), streamed from
        the cursor."""
        sql = f"""SELECT {select} FROM entries e JOIN indicators i ON i.id = e.indicator_id
                JOIN frameworks f ON f.id = i.framework_id {LINK_JOINS}
                WHERE {" AND ".join(where)} ORDER BY {order_by()}"""
        cursor = self.conn.execute(
            entries_outer(sql, where),
            list(params),
        )
        return (row[0] for row in cursor)

    def revisions(self, entry_id: int) -> list[Revision]:
        found = list(self.query_revisions(["e.id = ?"], [entry_id], by_entry=True))
        if not found:
            self.get_entry(entry_id)  # says that there is no such entry
        return found


def labels_in_use(conn: sqlite3.Connection, column: str, prefix: str, recent: int = 20000) -> list[str]:
    """Tags or actors (`column`) starting with `prefix` on the `recent` newest current entries, sorted:
    what shell completion offers, bounded so it stays quick on a large database. Only reads, so it works
    on a read-only connection to a database of any schema version."""
    if column not in ("tags", "actors"):
        raise ValueError(column)
    rows = conn.execute(
        f"""SELECT DISTINCT j.value FROM (SELECT {column} AS labels FROM entries
                WHERE deleted_at IS NULL ORDER BY id DESC LIMIT ?) e, json_each(e.labels) j
            WHERE json_valid(e.labels) AND substr(j.value, 1, ?) = ? ORDER BY j.value""",
        (recent, len(prefix), prefix),
    )
    return [str(row[0]) for row in rows]


# Always true (effect is NOT NULL), and the WHERE of the index entries_timeline (m015): SQLite reads that
# index only for a query that states it, so listing one indicator's entries in the one order (timeline,
# list -i) goes through it while the report's queries keep their own covering indexes.
BY_INDICATOR = "e.effect IS NOT NULL"


def grep_words(grep: str | None) -> list[str]:
    """The words of --grep that the full-text index matches (each must start a word)."""
    return re.findall(r"\w+", grep or "")


def entry_where(
    framework: str | None, indicator_ids: Sequence[int], flt: EntryFilter
) -> tuple[list[str], list[Any]]:
    """The WHERE clauses (over aliases e, i, f) and parameters that select a filter's entries: the
    framework (None: every one), the indicators (by id), the window, tags, actors, analysts, status levels,
    grades, effects, and words through the full-text index."""
    where: list[str] = ["f.name = ?"] if framework is not None else ["1"]
    params: list[Any] = [framework] if framework is not None else []
    if not flt.include_deleted:
        where.append("e.deleted_at IS NULL")
    if indicator_ids:
        where.append(f"e.indicator_id IN ({', '.join('?' for _ in indicator_ids)})")
        params.extend(indicator_ids)
        if not flt.include_deleted:
            where.append(BY_INDICATOR)
    if flt.since:
        where.append("e.date_start >= ?")
        params.append(flt.since.isoformat())
    if flt.until:
        where.append("e.date_start <= ?")
        params.append(flt.until.isoformat())
    for tag in flt.tags:
        where.append("EXISTS (SELECT 1 FROM json_each(e.tags) WHERE value = ?)")
        params.append(tag)
    for actor in flt.actors:
        where.append("EXISTS (SELECT 1 FROM json_each(e.actors) WHERE value = ?)")
        params.append(actor)
    if flt.analysts:
        where.append(f"e.analyst IN ({marks(flt.analysts)})")
        params.extend(flt.analysts)
    if flt.statuses:
        where.append(f"e.status IN ({marks(flt.statuses)})")
        params.extend(flt.statuses)
    if flt.grades:
        # a code matches whole, a letter the reliability, a digit the credibility
        where.append(
            "("
            + " OR ".join(
                "e.grade = ?"
                if len(g) == 2
                else ("substr(e.grade, 1, 1) = ?" if g.isalpha() else "substr(e.grade, 2, 1) = ?")
                for g in flt.grades
            )
            + ")"
        )
        params.extend(flt.grades)
    if flt.min_grade:
        where.append("e.grade IS NOT NULL AND substr(e.grade, 1, 1) <= ? AND substr(e.grade, 2, 1) <= ?")
        params.extend([flt.min_grade[0], flt.min_grade[1]])
    if flt.unreviewed:
        where.append("e.reviewed_at IS NULL")
    if flt.reviewed:
        where.append("e.reviewed_at IS NOT NULL")
    if flt.returned:
        where.append("e.returned_at IS NOT NULL")
    if flt.effects:
        where.append("e.effect BETWEEN ? AND ?")
        params.extend(flt.effects)
    if flt.sources:
        where.append(f"(e.source_id IN ({marks(flt.sources)}) OR e.via_id IN ({marks(flt.sources)}))")
        params.extend([*flt.sources, *flt.sources])
    words = grep_words(flt.grep)
    by_source = dict(zip(words, flt.grep_sources, strict=False))
    in_text = [w for w in words if not by_source.get(w)]
    if in_text:
        # The full-text index: every word must start a word of the summary, note or source...
        where.append("e.id IN (SELECT rowid FROM entries_fts WHERE entries_fts MATCH ?)")
        params.append(" ".join(f'"{w}"*' for w in in_text))
    for word in words:
        # ...or of the key or name of the entry's registered source or outlet (with.sources found which)
        ids = by_source.get(word)
        if ids:
            where.append(
                "(e.id IN (SELECT rowid FROM entries_fts WHERE entries_fts MATCH ?) "
                f"OR e.source_id IN ({marks(ids)}) OR e.via_id IN ({marks(ids)}))"
            )
            params.extend([f'"{word}"*', *ids, *ids])
    if not words and flt.grep:
        where.append(
            "(instr(lower(e.summary), lower(?)) > 0 OR instr(lower(e.note), lower(?)) > 0 "
            "OR instr(lower(e.source), lower(?)) > 0)"
        )
        params.extend([flt.grep] * 3)
    return where, params
