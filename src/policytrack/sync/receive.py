"""Receiving in `policytrack sync`: the repository's record files read from where this database stopped
(`sync_files`: the bytes read of each), every new line checked and bound to the analyst whose folder holds
it, and applied in one transaction, at flat memory.

Each file is streamed twice from its offset: first every line but entries' is checked and kept (the
registry, frameworks, forecasts: what entries name, and few), then the entries' lines, checked and applied
a batch at a time through import's fast path. A file with a bad line, or a line that cannot be applied, is
set aside whole (the transaction is rolled back and run again without it); the clone's commit read to its
end is remembered (`read_head`), so a sync with nothing new reads no file.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

from policytrack.core.errors import InputError, SyncError
from policytrack.core.i18n import _
from policytrack.records.field import Field
from policytrack.store import Store
from policytrack.sync.git import Clone
from policytrack.sync.kinds import RECORD_KINDS, Incoming, Received, check_record, event_id
from policytrack.sync.record import (
    LineProblem,
    NewerRecord,
    Record,
    RecordKind,
    Sender,
    unbound,
    written_before_binding,
)
from policytrack.sync.validate import validate

MARKER = "policytrack.json"
ANALYSTS = "analysts"
_FILE = re.compile(r"^\d{4}-\d{2}-[0-9a-f]{8}\.jsonl$")
# The kind whose lines are streamed in batches (the many); every other kind is few and kept while reading.
STREAMED = "entry"
# The one form of a streamed line's kind: where it is absent the line is read with the others.
_STREAMED_MARK = json.dumps({"kind": STREAMED}, separators=(",", ":"))[1:-1].encode()
# Lines applied at a time: large enough for executemany to pay, small enough for flat memory.
BATCH = 2000
# The setting that names the clone's commit whose files this database has read to their end.
READ_HEAD = "read_head"


def _check_marker(folder: Path, remote: str) -> None:
    if not (folder / MARKER).is_file():
        raise SyncError(
            _(
                "{remote} holds files that policytrack did not write (it has no {marker}); give an empty "
                "repository, or one made by `policytrack sync init`"
            ).format(remote=remote, marker=MARKER)
        )


# git's modes of a tree entry that are neither a regular file nor a folder: a symbolic link, a gitlink
# (a submodule). Refused wherever they are: a link in place of a folder would lead reads and writes
# outside the repository.
_LINK_MODES = ("120000", "160000")


def _link_mode(mode: str) -> str:
    return _("a symbolic link") if mode == "120000" else _("a gitlink (a submodule)")


@dataclass
class Reading:
    """What a sync found besides records: files set aside (one line each, by path) and lines of earlier
    releases accepted though they named another analyst (one line each)."""

    set_aside: dict[str, str] = field(default_factory=dict)
    unbound: list[str] = field(default_factory=list)


def _folder(relative: str) -> str:
    return relative.split("/")[1]


def _aside(relative: str, problem: str, *, newer: bool = False) -> str:
    """The one line a file set aside is reported with: where, what, whose, and the fix."""
    parts = relative.split("/")
    if newer:
        return _(
            "{where}: {problem}; set aside (analyst {analyst}) until this database reads it, everything "
            "else was synced: upgrade policytrack"
        ).format(where=relative, problem=problem, analyst=parts[1])
    if len(parts) > 2:
        return _(
            "{where}: {problem}; set aside (analyst {analyst}), everything else was synced: ask {analyst} "
            "to fix the file in the repository, and the next sync takes it"
        ).format(where=relative, problem=problem, analyst=parts[1])
    return _(
        "{where}: {problem}; set aside, everything else was synced: remove it from the repository"
    ).format(where=relative, problem=problem)


def _repository_files(clone: Clone, head: str, reading: Reading) -> list[str]:
    """The record files of the clone's commit `head`, by its tree (a link or a file that is not
    policytrack's is set aside by its path), in a stable order."""
    if not (clone.path / MARKER).is_file():
        _check_marker(clone.path, clone.remote_url())
    found = []
    listing = clone.run("ls-tree", "-r", "-z", head, "--", ANALYSTS)
    for line in listing.split("\0"):
        if not line:
            continue
        meta, relative = line.split("\t", 1)
        mode = meta.split()[0]
        parts = relative.split("/")
        if mode in _LINK_MODES:
            reading.set_aside[relative] = _aside(relative, _("it is {what}").format(what=_link_mode(mode)))
        elif len(parts) != 3 or not _FILE.match(parts[2]) or mode not in ("100644", "100755"):
            reading.set_aside[relative] = _aside(relative, _foreign(relative))
        else:
            found.append(relative)
    return sorted(found)


def _foreign(relative: str) -> str:
    return _(
        "the repository holds {where}, which policytrack did not write (only "
        "{analysts}/<analyst>/<yyyy-mm>-<database>.jsonl files belong there)"
    ).format(where=relative, analysts=ANALYSTS)


Unbound = tuple[Incoming, RecordKind, Field]


def read_line(
    where: str, raw: bytes, folder: str, now: datetime
) -> tuple[RecordKind, Incoming, Field | None]:
    """One line (without its newline) checked and bound to the analyst whose folder holds it: its kind,
    the record, and the field naming another analyst in a line an earlier release wrote (accepted,
    reported). What is wrong is a LineProblem naming the file and line."""
    try:
        text = raw.decode("utf-8")
        record = json.loads(text)
        kind, record = check_record(record, now)
    except UnicodeDecodeError:
        raise LineProblem(where, _("not UTF-8")) from None
    except NewerRecord as exc:
        raise LineProblem(where, str(exc), newer=True) from None
    except InputError as exc:
        raise LineProblem(where, str(exc)) from None
    except (ValueError, RecursionError):
        raise LineProblem(where, _("not a JSON object")) from None
    named = unbound(kind.declared, record, folder)
    if named is not None and not written_before_binding(kind.declared, record):
        raise LineProblem(
            where,
            _(
                "{field} names {named!r}, not {analyst}, whose folder holds the line (each analyst "
                "writes only their own changes)"
            ).format(field=named.name, named=record[named.name], analyst=folder),
        )
    return kind, Incoming(where, record, event_id(raw)), named


def parse(
    relative: str, data: bytes, start: int, first_line: int, now: datetime
) -> tuple[list[tuple[str, Incoming]], list[Unbound]]:
    """The records of a file's new bytes held in memory (`sync status` reads a commit's file this way),
    and those an earlier release wrote in another analyst's name. The first bad line is a LineProblem."""
    chunk = data[start:]
    if chunk and not chunk.endswith(b"\n"):
        number = first_line + chunk.count(b"\n") + 1
        raise LineProblem(f"{relative} line {number}", _("the line is cut short (no newline at its end)"))
    folder = _folder(relative)
    parsed: list[tuple[str, Incoming]] = []
    unbound_lines: list[Unbound] = []
    for number, raw in enumerate(chunk.splitlines(), start=first_line + 1):
        kind, item, named = read_line(f"{relative} line {number}", raw, folder, now)
        if named is not None:
            unbound_lines.append((item, kind, named))
        parsed.append((kind.name, item))
    return parsed, unbound_lines


@dataclass
class _File:
    """A file with bytes not read yet: where they start, its size when read, the lines before them, and
    its records of every kind but the streamed one (read and checked)."""

    relative: str
    path: Path
    start: int
    size: int
    first_line: int
    records: list[tuple[str, Incoming]]
    unbound: list[Unbound]

    def lines(self) -> Iterator[tuple[int, bytes]]:
        """Its new lines (number, bytes without the newline), read a buffer at a time."""
        with self.path.open("rb") as handle:
            handle.seek(self.start)
            remaining = self.size - self.start
            yield from enumerate(_bounded(handle, remaining), start=self.first_line + 1)


def _bounded(handle: BinaryIO, remaining: int) -> Iterator[bytes]:
    for raw in handle:
        if remaining <= 0:
            return
        remaining -= len(raw)
        yield raw[:-1] if raw.endswith(b"\n") else raw


def _count_lines(handle: BinaryIO, size: int) -> int:
    """The newlines in a file's first `size` bytes, a megabyte at a time."""
    handle.seek(0)
    count = 0
    while size > 0:
        chunk = handle.read(min(size, 1 << 20))
        if not chunk:
            break
        count += chunk.count(b"\n")
        size -= len(chunk)
    return count


def _scan(relative: str, path: Path, start: int, now: datetime) -> _File | None:
    """A file's new bytes, checked: every line but the streamed kind's read and kept; None when there
    are none. A file rewritten or cut (its bytes read before are not what they were) is a LineProblem."""
    size = path.stat().st_size
    if size == start:
        return None  # read to its end already (files are only appended to)
    with path.open("rb") as handle:
        if size < start or (start and (handle.seek(start - 1), handle.read(1))[1] != b"\n"):
            start = 0  # rewritten (its owner took redacted text out): read again, what is known is skipped
        handle.seek(size - 1)
        if handle.read(1) != b"\n":
            number = _count_lines(handle, size) + 1
            raise LineProblem(f"{relative} line {number}", _("the line is cut short (no newline at its end)"))
        first_line = _count_lines(handle, start)
    file = _File(relative, path, start, size, first_line, [], [])
    folder = _folder(relative)
    for number, raw in file.lines():
        if _STREAMED_MARK in raw:
            continue  # read with its batch
        kind, item, named = read_line(f"{relative} line {number}", raw, folder, now)
        if named is not None:
            file.unbound.append((item, kind, named))
        file.records.append((kind.name, item))
    return file


def _read_files(store: Store, clone: Clone, head: str, reading: Reading, now: datetime) -> dict[str, _File]:
    """Every repository file with bytes this database has not read yet, checked; a bad one set aside."""
    sizes = store.sync_file_sizes()
    held = store.held_files()
    files: dict[str, _File] = {}
    for relative in _repository_files(clone, head, reading):
        if relative in held:  # a refused commit changed it (sync.signing)
            reading.set_aside[relative] = held[relative]
            continue
        path = clone.path / relative
        if path.parent.is_symlink() or path.is_symlink() or not path.is_file():
            reading.set_aside[relative] = _aside(relative, _("it is not a regular file in the clone"))
            continue
        try:
            found = _rescanned(relative, path, sizes.get(relative, 0), now)
        except LineProblem as exc:
            reading.set_aside[relative] = _aside(exc.where, exc.problem, newer=exc.newer)
            continue
        if found is not None:
            files[relative] = found
    return files


def _rescanned(relative: str, path: Path, start: int, now: datetime) -> _File | None:
    """_scan, and from the file's first line when its new bytes do not read (a file rewritten to a length
    that happens to end a line where the old one did)."""
    try:
        return _scan(relative, path, start, now)
    except LineProblem:
        if not start:
            raise
        return _scan(relative, path, 0, now)


def _head(clone: Clone) -> str:
    """The clone's commit ('' before its first)."""
    return clone.run("rev-parse", "--verify", "-q", "HEAD", check=False).strip()


def receive(
    store: Store,
    clone: Clone,
    own: str,
    sender: Sender,
    reading: Reading,
    received: Received,
    before: Callable[[], None],
) -> int:
    """Import every record the clone holds that the database has not read yet, in one transaction; the
    count of them from other databases' files (what changed is noted in `received`). `before` is called
    once there is something to apply. A file with a bad line, or a line that cannot be applied (what it
    names is in a file set aside), is set aside and the rest imported."""
    reading.set_aside = {}  # what the clone holds now is what counts (a file mended since is taken)
    head = _head(clone)
    if not head or head == store.sync_setting(READ_HEAD):
        return 0
    now = datetime.now(UTC)
    files = _read_files(store, clone, head, reading, now)
    while True:
        try:
            return _apply(store, files, _Applying(store, own, sender, received), reading, head, before)
        except LineProblem as exc:  # the transaction was rolled back: again without that file
            relative = exc.where.split(" line ")[0]
            if relative not in files:
                raise
            file = files.pop(relative)
            if file.start:  # maybe rewritten where its new bytes start a line: read it whole
                try:
                    found = _scan(relative, file.path, 0, now)
                except LineProblem as again:
                    exc = again
                else:
                    if found is not None:
                        files[relative] = found
                    continue
            reading.set_aside[relative] = _aside(exc.where, exc.problem, newer=exc.newer)


class _Applying:
    """One receive's transaction: records applied a batch at a time, each checked against what the
    database holds (its own records and those of earlier batches are skipped by event id)."""

    def __init__(self, store: Store, own: str, sender: Sender, received: Received) -> None:
        self.store, self.own, self.sender = store, own, sender
        self.others = 0
        self.received = received
        self.accepted: list[Unbound] = []

    def apply(self, kind: RecordKind, items: list[tuple[str, Incoming]], unbound: list[Unbound]) -> None:
        """Apply (file, record) pairs of one kind; those already held (by event id) are skipped. Their
        events are added first, in the transaction the records are applied in (a record that cannot be
        applied rolls it all back)."""
        events = self.store.add_new_events([item.event for _, item in items])
        fresh: list[Incoming] = []
        for relative, item in items:
            if item.event not in events:
                continue
            events.discard(item.event)  # a record twice in the batch is applied once
            fresh.append(item)
            self.others += not relative.endswith(self.own)
        if not fresh:
            return
        validate(self.store, kind.name, fresh)
        kind.apply(self.store, fresh, self.received, self.sender)
        applied = {item.event for item in fresh}
        self.accepted += [u for u in unbound if u[0].event in applied]


def _apply(
    store: Store,
    files: dict[str, _File],
    applying: _Applying,
    reading: Reading,
    head: str,
    before: Callable[[], None],
) -> int:
    if not files:
        if not reading.set_aside:
            store.set_sync_setting(READ_HEAD, head)
        return 0
    before()
    now = datetime.now(UTC)
    store.large_cache()
    with store.transaction():
        for kind in RECORD_KINDS:
            if kind.name != STREAMED:
                held = [
                    (f.relative, item)
                    for f in files.values()
                    for name, item in f.records
                    if name == kind.name
                ]
                applying.apply(kind, held, [u for f in files.values() for u in f.unbound])
                continue
            for batch, unbound_lines in _batches(files, now):
                applying.apply(kind, batch, unbound_lines)
        store.add_unbound(
            (i.event, kind.name, f.name, str(i.record[f.name]), _when(kind, i.record), _folder(i.where))
            for i, kind, f in applying.accepted
        )
        store.set_sync_file_sizes({relative: file.size for relative, file in files.items()})
        store.set_sync_setting(READ_HEAD, head if not reading.set_aside else "")
    reading.unbound += [
        _(
            "{where}: {field} names {named!r}, not {analyst}, whose folder holds it; written by an earlier "
            "release, accepted once and kept as not theirs (undo never offers it)"
        ).format(where=item.where, field=f.name, named=item.record[f.name], analyst=_folder(item.where))
        for item, _kind, f in applying.accepted
    ]
    return applying.others


def _batches(
    files: dict[str, _File], now: datetime
) -> Iterator[tuple[list[tuple[str, Incoming]], list[Unbound]]]:
    """The streamed kind's lines of every file, read again and checked, BATCH at a time (with those
    read among the others: a line written in another form than policytrack's)."""
    batch: list[tuple[str, Incoming]] = []
    unbound_lines: list[Unbound] = []
    for file in files.values():
        folder = _folder(file.relative)
        batch += [(file.relative, item) for name, item in file.records if name == STREAMED]
        unbound_lines += [u for u in file.unbound if u[1].name == STREAMED]
        for number, raw in file.lines():
            if _STREAMED_MARK not in raw:
                continue
            where = f"{file.relative} line {number}"
            kind, item, named = read_line(where, raw, folder, now)
            if kind.name != STREAMED:
                raise LineProblem(where, _("the line names its kind more than once"))
            batch.append((file.relative, item))
            if named is not None:
                unbound_lines.append((item, kind, named))
            if len(batch) >= BATCH:
                yield batch, unbound_lines
                batch, unbound_lines = [], []
    if batch:
        yield batch, unbound_lines


def _when(kind: RecordKind, record: Record) -> str:
    """The latest time a line holds (a target's set_at: what undo knows a target set by)."""
    return max((record[f.name] or "" for f in kind.declared if f.type == "datetime"), default="")
