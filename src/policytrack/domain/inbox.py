"""The inbox: candidate evidence read from datasets, feeds and sheets, and the decisions people take on it.

A candidate counts in nothing until a person accepts it (then it is an ordinary entry that cites it). Its
uuid comes from its dataset and external id, so two analysts who read the same file hold the same
candidates. A later read of the same dataset revises a changed record (its earlier version kept) and
withdraws a deleted one; a decision already taken on it is flagged, never changed. Every decision is a row
(who, when), taken back by `undo` as another row. Nothing here prints.
"""

from __future__ import annotations

import dataclasses
import json
import uuid as uuidlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from policytrack.core.errors import NotFoundError
from policytrack.core.i18n import _
from policytrack.domain.context import utc_now
from policytrack.records.candidate import FROM_RECORD
from policytrack.store import Store

# uuid5 namespace of candidates: uuid5(NAMESPACE_URL, "https://policytrack/candidate").
NAMESPACE = uuidlib.uuid5(uuidlib.NAMESPACE_URL, "https://policytrack/candidate")
_CHUNK = 5000
SIMILAR = 90  # rapidfuzz ratio (0-100) from which a summary is a possible duplicate


def candidate_uuid(dataset: str, external_id: str) -> str:
    """A candidate's uuid: the same for the same dataset and external id, in every database."""
    return str(uuidlib.uuid5(NAMESPACE, f"{dataset}\n{external_id}"))


@dataclass
class AddResult:
    """What one read of a file or feed did."""

    dataset: str = ""
    added: int = 0
    revised: int = 0
    unchanged: int = 0
    older: int = 0
    withdrawn: int = 0
    same_url: int = 0
    possible_duplicates: int = 0
    suggested: int = 0
    flagged: list[str] = field(default_factory=list)


def _newer(new: str, old: str) -> bool:
    """Whether version `new` of a record replaces `old`: a later timestamp, or other content."""
    if new.isdigit() and old.isdigit():
        return new > old
    return new != old


def _chunks(records: Iterator[Any]) -> Iterator[list[Any]]:
    chunk: list[Any] = []
    for item in records:
        chunk.append(item)
        if len(chunk) >= _CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _values(item: Any, dataset: str, kind: str, feed: str, licence: str, at: str) -> dict[str, Any]:
    return {
        "uuid": candidate_uuid(dataset, item.external_id),
        "dataset": dataset,
        "external_id": item.external_id,
        "kind": kind,
        "feed": feed,
        "title": item.title,
        "summary": item.summary,
        "date": item.date,
        "date_start": item.date_start,
        "date_precision": item.date_precision,
        "actors": json.dumps(item.actors, ensure_ascii=False) if item.actors else "[]",
        "location": item.location,
        "country": item.country,
        "source": item.source,
        "url": item.url,
        "fatalities": item.fatalities,
        "licence": licence,
        "raw": json.dumps(item.raw, ensure_ascii=False),
        "version": item.version,
        "revision": 1,
        "pulled_at": at,
        "deleted_at": None,
        "duplicate_of": None,
        "suggestions": "[]",
        "state": "waiting",
        "snoozed_until": None,
        "entry_uuid": None,
        "changed_since": None,
    }


def add_batch(store: Store, batch: Any, kind: str, *, feed: str = "", rules: Sequence[Any] = ()) -> AddResult:
    """Write what a file or feed gave, all of it or (on any problem) nothing: new candidates, new versions
    of changed ones, withdrawals; possible duplicates marked, rules' suggestions kept."""
    at = utc_now()
    result = AddResult(dataset=batch.dataset)
    last = store.last_pull(batch.dataset) if batch.digest else None
    with store.transaction():
        if last is not None and last[0] == batch.digest:
            # the bytes the dataset's last pull read: every record in them is as that pull left it (a
            # record withdrawn or revised since was so by another pull, which stored its own digest)
            result.unchanged = last[1]
        else:
            records = 0
            for chunk in _chunks(batch.records):
                records += len(chunk)
                _add_chunk(store, chunk, batch, kind, feed, rules, at, result)
            for external_id, stamp in batch.deleted:
                _withdraw(store, batch.dataset, external_id, stamp, at, result)
            if batch.digest:
                store.record_pull(
                    {"dataset": batch.dataset, "digest": batch.digest, "records": records, "pulled_at": at}
                )
        if feed:
            store.feed_pulled(feed, at)
    return result


def _add_chunk(
    store: Store,
    chunk: list[Any],
    batch: Any,
    kind: str,
    feed: str,
    rules: Sequence[Any],
    at: str,
    result: AddResult,
) -> None:
    # a known record's version is compared first (a keyed lookup); only a new or changed one is read in
    # full (Incoming.complete) and its stored row fetched
    versions = store.candidate_versions(batch.dataset, list({i.external_id for i in chunk}))
    current = {ext for ext, (version, gone) in versions.items() if not gone}
    differ = [ext for ext in versions if ext not in current] + list(
        {i.external_id for i in chunk if i.external_id in current and versions[i.external_id][0] != i.version}
    )
    known = store.known_candidates(batch.dataset, differ) if differ else {}
    urls = store.known_urls(
        list({i.url for i in chunk if i.external_id not in versions and i.complete().url})
    )
    fresh: dict[str, dict[str, Any]] = {}
    for item in chunk:
        if item.external_id in current and versions[item.external_id][0] == item.version:
            result.unchanged += 1
            continue
        old = known.get(item.external_id)
        if old is None:
            if item.external_id in fresh:  # the same record twice in one file: the later line wins
                if _newer(item.version, fresh[item.external_id]["version"]):
                    fresh[item.external_id] = _values(item, batch.dataset, kind, feed, batch.licence, at)
                continue
            if item.url and item.url in urls:
                result.same_url += 1
                continue
            if item.url:
                urls.add(item.url)
            values = _values(item, batch.dataset, kind, feed, batch.licence, at)
            if rules:
                values["suggestions"] = json.dumps(suggest(rules, item), ensure_ascii=False)
            fresh[item.external_id] = values
        elif not _newer(item.version, old["version"]):
            result.older += 1
        else:
            values = _values(item.complete(), batch.dataset, kind, feed, batch.licence, at)
            changed = {k: values[k] for k in FROM_RECORD}
            if rules:
                changed["suggestions"] = json.dumps(suggest(rules, item), ensure_ascii=False)
            flag = old["state"] in ("accepted", "merged")
            store.revise_candidate(int(old["id"]), changed | {"deleted_at": None}, "change", flag)
            result.revised += 1
            if flag:
                result.flagged.append(str(old["uuid"]))
                _flag_entry(store, old["entry_uuid"], batch.dataset, at)
    rows = list(fresh.values())
    result.possible_duplicates += _mark_duplicates(store, rows)
    result.suggested += sum(1 for r in rows if r["suggestions"] != "[]")
    store.insert_candidates(rows, at)
    result.added += len(rows)
    decided = store.decided_candidates([r["uuid"] for r in rows])
    if decided:  # a teammate's decisions, synced before this database read the record
        from policytrack.domain.triage import settle

        settle(store, sorted(decided))


def _withdraw(store: Store, dataset: str, external_id: str, stamp: str, at: str, result: AddResult) -> None:
    old = store.known_candidates(dataset, [external_id]).get(external_id)
    if old is None or old["deleted_at"] is not None:
        return
    flag = old["state"] in ("accepted", "merged")
    store.revise_candidate(int(old["id"]), {"deleted_at": at, "pulled_at": at}, "delete", flag)
    result.withdrawn += 1
    if flag:
        result.flagged.append(str(old["uuid"]))
        _flag_entry(store, old["entry_uuid"], dataset, at)


def _flag_entry(store: Store, entry_uuid: str | None, dataset: str, at: str) -> None:
    """The entry made from a candidate the dataset changed goes back to unreviewed, as a new revision that
    `history` shows (by the dataset); its fields are not touched."""
    if not entry_uuid:
        return
    entry_id = store.entry_id_of(entry_uuid)
    if entry_id is None:
        return
    row = store.entry_row(entry_id)
    if row["deleted_at"] is None and row["reviewed_at"] is not None:
        store.update_entry(
            entry_id, {"reviewed_by": None, "reviewed_at": None}, "edit", f"inbox: {dataset}", at
        )


def _mark_duplicates(store: Store, rows: list[dict[str, Any]]) -> int:
    """Mark each new candidate whose summary is nearly that of another candidate on the same day and place,
    or of an entry on the same day: only a hint, both stay in the inbox. What it is compared with is read
    from SQL per day and place as it goes (the entries of the day, then the candidates already written, this
    read's earlier chunks among them, in the order they were read), stopping at the first that is nearly
    the same, then this chunk's own: nothing of earlier chunks is held, so memory stays flat."""
    with_text = [r for r in rows if r["summary"] and r["date_start"]]
    if not with_text:
        return 0
    from rapidfuzz import fuzz

    def first_similar(text: str, others: Iterable[tuple[str, str]]) -> str | None:
        for ref, other in others:
            if fuzz.ratio(text, other.casefold(), score_cutoff=SIMILAR):
                return ref
        return None

    own: dict[tuple[str, str], list[tuple[str, str]]] = {}
    with_entries = store.days_with_entries(list({r["date_start"] for r in with_text}))
    marked = 0
    for r in with_text:
        text = r["summary"].casefold()
        day = r["date_start"]
        here = own.setdefault((day, r["location"]), [])
        stored = store.texts_at(day, r["location"], entries=day in with_entries)
        ref = first_similar(text, stored) or first_similar(text, here)
        if ref is not None:
            r["duplicate_of"] = ref
            marked += 1
        here.append((r["uuid"], text))
    return marked


def suggest(rules: Sequence[Any], item: Any) -> list[dict[str, Any]]:
    """What the rules suggest for a record read: each matching rule's suggestions, with its name."""
    out = []
    for rule in rules:
        if all(test.matches(_field_text(item, test.field)) for test in rule.tests):
            out.append({"rule": rule.name, **rule.suggest})
    return out


def _field_text(item: Any, name: str) -> str:
    if name == "text":
        return f"{item.title}\n{item.summary}"
    if name in item.raw:
        value = item.raw[name]
        return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    value = getattr(item, name, "")
    if isinstance(value, list):
        return "; ".join(value)
    return "" if value is None else str(value)


# ------------------------------------------------------------------ finding candidates


def find(store: Store, ref: str) -> Any:
    """A candidate by its short id (3, #3) or its uuid."""
    text = ref.strip().lstrip("#")
    row = None
    if text.isascii() and text.isdigit() and len(text) <= 16:
        row = store.candidate(int(text))
    elif len(text) == 36:
        row = store.candidate_by_uuid(text.lower())
    if row is None:
        raise NotFoundError(
            _("no candidate {ref!r}; `policytrack inbox` lists them with their ids").format(ref=ref[:60])
        )
    return row


@dataclass(frozen=True)
class Filter:
    """What `inbox` and the bulk decisions choose: a feed, a rule, an indicator, a window."""

    feed: str | None = None
    rule: str | None = None
    indicator: str | None = None
    since: date | None = None
    before: date | None = None

    def sql(self) -> tuple[list[str], dict[str, Any]]:
        where: list[str] = []
        params: dict[str, Any] = {"today": date.today().isoformat()}
        if self.feed is not None:
            where.append("(feed = :feed OR dataset = :feed)")
            params["feed"] = self.feed
        for name in ("rule", "indicator"):
            value = getattr(self, name)
            if value is not None:
                where.append(
                    "EXISTS (SELECT 1 FROM json_each(suggestions) s "
                    f"WHERE json_extract(s.value, '$.{name}') = :{name})"
                )
                params[name] = value
        if self.since is not None:
            where.append("date_start >= :since")
            params["since"] = self.since.isoformat()
        if self.before is not None:
            where.append("date_start < :before")
            params["before"] = self.before.isoformat()
        return where, params

    @property
    def empty(self) -> bool:
        return all(getattr(self, f.name) is None for f in dataclasses.fields(self))


def waiting(store: Store, flt: Filter, *, limit: int | None = None, newest: bool = False) -> list[Any]:
    where, params = flt.sql()
    return store.waiting(where, params, limit=limit, newest=newest)


def each_waiting(store: Store, flt: Filter) -> Iterator[Any]:
    """Every candidate that waits, oldest first, streamed."""
    where, params = flt.sql()
    return store.each_waiting(where, params)


def plain_widths(store: Store) -> tuple[int, int]:
    """The widths of a plain listing's id and dataset columns, known before its rows: the largest id's,
    and the longest name of a dataset with candidates waiting (both read from indexes)."""
    datasets = store.waiting_by_dataset(date.today().isoformat())
    return len(str(store.max_candidate_id())), max((len(r["dataset"]) for r in datasets), default=0)


def count_waiting(store: Store, flt: Filter | None = None) -> int:
    where, params = (flt or Filter()).sql()
    return store.count_waiting(where, params)


def bulk_ids(store: Store, flt: Filter) -> list[int]:
    where, params = flt.sql()
    return store.candidate_ids_where(where, params)
