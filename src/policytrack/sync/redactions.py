"""Redactions in `policytrack sync`: the rule travels as a line of its own (records/redaction.py), bound to
who redacted; every database applies it to the entry's revisions, those that arrive later included
(sync.kinds' entries), and each database rewrites the text out of its own record files with the marker
(only the owner rewrites its files: a teammate's are theirs)."""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from policytrack.core.i18n import _
from policytrack.records.columns import LIST_FIELDS
from policytrack.records.redaction import MARKER, REDACTION
from policytrack.store import Store
from policytrack.store.redactions import marker_of
from policytrack.sync.git import Clone
from policytrack.sync.record import (
    Incoming,
    LineProblem,
    Received,
    Record,
    RecordKind,
    Sender,
    line_text,
    shared,
)

# The suffix of a file being rewritten (beside it, then renamed over it).
_REWRITING = ".redacting"
# The setting that names the redactions (entry and field, as a sha256) this database's own files were last
# rewritten for, once that rewrite was committed: a sync rewrites them only when a redaction is new.
REWRITTEN = "redactions_rewritten"


def rewritten_for(store: Store) -> str:
    """The redactions this database holds, as one sha256 of their (entry, field) pairs ('' for none)."""
    pairs = sorted({(str(row["entry"]), str(row["field"])) for row in store.redaction_rows()})
    return hashlib.sha256(json.dumps(pairs).encode()).hexdigest() if pairs else ""


def _check(record: Record) -> None:
    return None  # every rule of the line is its declaration's (the field among those redact takes out)


def _outgoing(store: Store, sender: Sender) -> list[tuple[Record, Any]]:
    return [(shared("redaction", REDACTION, dict(r)), None) for r in store.redaction_rows()]


def _apply(store: Store, records: Sequence[Incoming], received: Received, sender: Sender) -> None:
    """Each redaction stored and applied; one by someone who may not redact that entry here (neither its
    analyst nor the author of a revision holding the text) is a LineProblem. One for an entry this
    database does not have yet stays as the rule its revisions meet when they arrive."""
    from policytrack.domain.redaction import may_redact

    local = store.entry_ids_by_uuid([item.record["entry"] for item in records])
    changed = False
    for item in records:
        rec = item.record
        entry_id = local.get(rec["entry"])
        if entry_id is not None:
            allowed = may_redact(store, entry_id, rec["field"], rec["by"])
            if allowed:
                raise LineProblem(
                    item.where,
                    _("by {by!r}, who may not redact entry {entry} (only {allowed} may)").format(
                        by=rec["by"], entry=rec["entry"], allowed=", ".join(sorted(allowed))
                    ),
                )
        store.add_redaction(rec)
        if entry_id is not None and store.redact_text(entry_id, rec["field"]):
            changed = True
            received.updated([entry_id])
    if changed:
        store.purge_search_index()


REDACTIONS = RecordKind("redaction", REDACTION, _check, _outgoing, _apply)


def redacted_rows(
    store: Store, rows: dict[str, list[dict[str, Any]]], order: Callable[[dict[str, Any]], Any]
) -> None:
    """Revisions about to be stored (by entry uuid, as the store keeps them: lists as JSON) with the
    text of every field redacted of their entry replaced by the marker. A redaction held for an entry
    this database did not have is checked now, as `_apply` checks one of an entry it has (by the entry's
    analyst, or the author of a revision holding the text): one that was not its author's to make is
    dropped, never applied. `order` is the one order of an entry's history (sync.kinds)."""
    held = store.redactions_of(list(rows))
    local = store.entry_ids_by_uuid(list(held))
    for uuid, redactions in held.items():
        fields = set()
        for redaction in redactions:
            if uuid in local or redaction["by"] in _who_may(rows[uuid], redaction["field"], order):
                fields.add(redaction["field"])
            else:
                store.drop_redaction(redaction["uuid"])
        for row in rows[uuid]:
            for name in fields:
                if row[name] not in (None, "", "[]"):
                    row[name] = marker_of(name)


def _who_may(rows: list[dict[str, Any]], field: str, order: Callable[[dict[str, Any]], Any]) -> set[str]:
    """Who may redact the field of a new entry, by its revisions (domain.redaction.may_redact's rule):
    the analyst its latest revision names, and the author of every revision holding text in it."""
    latest = max(rows, key=order)
    return {latest["analyst"], *(r["changed_by"] for r in rows if r[field] not in (None, "", "[]"))}


def _line_redacted(record: dict[str, Any], fields: set[str]) -> bool:
    """Replace, in an entry line, the text of these fields by the marker; whether anything changed."""
    changed = False
    for name in fields:
        value = record.get(name)
        mark: Any = [MARKER] if name in LIST_FIELDS else MARKER
        if value not in (None, "", []) and value != mark:
            record[name] = mark
            changed = True
    return changed


def rewrite_own_files(store: Store, clone: Clone, folder: Path, own: str, redactions: str) -> list[str]:
    """Rewrite this database's own record files (in `folder`, ending with `own`) so no line holds the
    text of a redaction this database holds; each changed line becomes the marker's. Returns the files
    rewritten (relative to the clone), added to git's index, not committed. Nothing is read when the
    files were rewritten for these `redactions` (rewritten_for) already (REWRITTEN)."""
    if not folder.is_dir() or folder.is_symlink():
        return []
    # a rewrite killed before its rename leaves its copy, which holds the text: never kept, never added
    # (git clean at the start of a sync misses it where a git excludes file ignores it)
    for stale in folder.glob(f"*{own}{_REWRITING}"):
        if stale.is_file() or stale.is_symlink():
            stale.unlink()
    if not redactions or store.sync_setting(REWRITTEN) == redactions:
        return []
    fields: dict[str, set[str]] = {}
    for row in store.redaction_rows():
        fields.setdefault(row["entry"], set()).add(row["field"])
    if not fields:
        return []
    rewritten = []
    for path in sorted(folder.glob(f"*{own}")):
        if path.is_symlink() or not path.is_file():
            continue
        lines = path.read_bytes().split(b"\n")
        changed = False
        for number, raw in enumerate(lines):
            if not raw or b'"kind":"entry"' not in raw:
                continue
            record = json.loads(raw)
            if record.get("uuid") in fields and _line_redacted(record, fields[record["uuid"]]):
                lines[number] = line_text(record).encode("utf-8")
                changed = True
        if changed:
            temporary = path.with_name(path.name + _REWRITING)
            temporary.write_bytes(b"\n".join(lines))
            os.replace(temporary, path)
            relative = path.relative_to(clone.path).as_posix()
            clone.run("add", relative)
            rewritten.append(relative)
    return rewritten
