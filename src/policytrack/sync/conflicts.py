"""Conflicts: what two or more databases changed apart, and their life cycle. Every side is kept and one
rule picks the current one in every database; a conflict is listed until something made after seeing
every side settles it: `conflicts resolve`, any later edit, or a restore after a delete (each is a new
revision, target or source version, and travels like any other).

- an entry: revisions with the same authored number (made from the same revision), until a revision
  authored after the last of them;
- a target: targets of one indicator whose authors had seen as many (sync.kinds), with different values,
  and no later one;
- a source: versions of one key registered apart, or a merge that met the reverse merge made apart (the
  earlier stands, sync.sources);
- a candidate of the inbox: analysts' decisions on it that leave it in different states (the latest
  decided_at stands everywhere), until one side is taken back by `undo`, or `conflicts resolve` keeps one
  (the others undone, the kept one decided again).
"""

from __future__ import annotations

from typing import Any

from policytrack.core.errors import InputError
from policytrack.core.i18n import _
from policytrack.records.candidate import SYNCED_DECISION
from policytrack.records.columns import ENTRY_COLUMNS, SYNCED_COLUMNS
from policytrack.records.source import SOURCE_SET, SOURCE_SIDE
from policytrack.records.target import TARGET_SET, TARGET_SIDE
from policytrack.store import Store
from policytrack.sync import sources
from policytrack.sync.record import Sender

# What a side of an entry conflict may have changed: the entry's synced fields, its registered sources by
# key (as sync sends them; the local ids mean nothing to a teammate), and whether it is deleted.
_SHOWN = (*SYNCED_COLUMNS, "source_key", "via_key")
_TARGET_VALUES = TARGET_SET.names()
_SOURCE_VALUES = SOURCE_SET.names()


def _with_keys(store: Store, history: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each revision with the keys of its registered source and outlet (None: none)."""
    keys: dict[int, str] = {}
    for rev in history:
        for local, key in (("source_id", "source_key"), ("via_id", "via_key")):
            found = rev.get(local)
            if found is not None and found not in keys:
                keys[found] = store.source_by_id(found).key
            rev[key] = None if found is None else keys[found]
    return history


def _with_deleted(history: list[dict[str, Any]]) -> list[dict[str, Any]]:
    deleted: bool = False
    for rev in history:
        deleted = rev["deleted"] = _deleted_after(rev["action"], deleted)
    return history


def _deleted_after(action: str, before: bool) -> bool:
    return True if action == "delete" else False if action in ("create", "restore") else before


def _changes(before: dict[str, Any] | None, after: dict[str, Any], names: tuple[str, ...]) -> dict[str, Any]:
    """Field by field, what a side changed: {field: [before, after]}, values whole."""
    return {
        name: [None if before is None else before[name], after[name]]
        for name in names
        if before is None or before[name] != after[name]
    }


def entry_conflicts(store: Store) -> list[dict[str, Any]]:
    out = []
    for entry_id, uuid in store.conflicted_entries():
        history = _with_keys(store, _with_deleted(store.synced_revisions(entry_id)))
        groups: dict[int, list[dict[str, Any]]] = {}
        for rev in history:
            groups.setdefault(rev["authored"], []).append(rev)
        for authored, members in sorted(groups.items()):
            if len(members) < 2:
                continue
            last = max(r["revision"] for r in members)
            if any(r["authored"] > last for r in history):
                continue  # settled: a revision made after seeing every side
            first = min(r["revision"] for r in members)
            base = history[first - 2] if first > 1 else None
            for r in members:  # each side made from the base, not from the side before it in the history
                r["deleted"] = _deleted_after(r["action"], bool(base and base["deleted"]))
            names = (*_SHOWN, "deleted")
            out.append(
                {
                    "kind": "entry",
                    "id": entry_id,
                    "uuid": uuid,
                    "ref": uuid[:8],
                    "from_revision": authored - 1,
                    "current": history[-1]["revision"],
                    "revisions": [
                        {
                            "revision": r["revision"],
                            "action": r["action"],
                            "changed_by": r["changed_by"],
                            "changed_at": r["changed_at"],
                            "summary": r["summary"],
                            "changes": _changes(base, r, names),
                        }
                        for r in members
                    ],
                }
            )
    return out


def target_conflicts(store: Store) -> list[dict[str, Any]]:
    found: dict[tuple[str, str], dict[str, Any]] = {}
    for row in store.target_conflict_rows():
        item = found.setdefault(
            (row["framework"], row["indicator"]),
            {
                "kind": "target",
                "ref": f"target:{row['framework']}:{row['indicator']}",
                "framework": row["framework"],
                "indicator": row["indicator"],
                "targets": [],
            },
        )
        item["targets"].append({k: row[k] for k in TARGET_SIDE.names()})
    return list(found.values())


def source_conflicts(store: Store) -> list[dict[str, Any]]:
    return [
        {
            "kind": "source",
            "ref": f"source:{item['key']}",
            "key": item["key"],
            "current": item["current"],
            "versions": [{k: v[k] for k in SOURCE_SIDE.names()} for v in item["versions"]],
            **({"merge": item["merge"]} if "merge" in item else {}),
        }
        for item in sources.conflicts(store)
    ]


def decision_conflicts(store: Store) -> list[dict[str, Any]]:
    from policytrack.domain.triage import standing_apart

    out = []
    for uuid in store.decided_apart():
        sides = standing_apart(store, uuid)
        if not sides:
            continue
        row = store.candidate_by_uuid(uuid)
        out.append(
            {
                "kind": "decision",
                "ref": f"candidate:{uuid}",
                "uuid": uuid,
                "id": None if row is None else row["id"],
                "current": sides[-1]["uuid"],
                "decisions": [{k: d[k] for k in SYNCED_DECISION.names()} for d in sides],
            }
        )
    return out


def all_conflicts(store: Store) -> list[dict[str, Any]]:
    return [
        *entry_conflicts(store),
        *target_conflicts(store),
        *source_conflicts(store),
        *decision_conflicts(store),
    ]


def conflict_keys(store: Store) -> set[str]:
    """What names each open conflict, to count the ones a sync brought."""
    return {f"{c['ref']}:{c.get('from_revision', '')}" for c in all_conflicts(store)}


# -- resolving ------------------------------------------------------------------------------------


def _pick(
    sides: list[dict[str, Any]],
    keep: str,
    me: str,
    by: str,
    what: str,
    *,
    entry: bool = False,
    decision: bool = False,
) -> dict[str, Any]:
    if keep == "mine":
        chosen = [s for s in sides if s[by] == me]
    elif keep == "theirs":
        chosen = [s for s in sides if s[by] != me]
    else:
        raise InputError(_("--keep {keep!r} for {what}: use mine or theirs").format(keep=keep, what=what))
    if len(chosen) != 1:
        names = ", ".join(sorted({str(s[by]) for s in sides}))
        problem = (
            _(
                "--keep {keep} names {count} of the sides of {what} (made by {names}); give the revision "
                "number to keep instead"
            )
            if entry
            else _(
                "--keep {keep} names {count} of the sides of {what} (made by {names}); give the uuid of "
                "the decision to keep instead"
            )
            if decision
            else _(
                "--keep {keep} names {count} of the sides of {what} (made by {names}); set the value you "
                "want with the usual command instead"
            )
        )
        raise InputError(problem.format(keep=keep, count=len(chosen), what=what, names=names))
    return chosen[0]


def resolve(store: Store, ref: str, keep: str, sender: Sender) -> str:
    """Settle one conflict by keeping one side (a new revision, target or source version that copies it);
    returns what was done."""
    me, now = sender.analyst, sender.now
    if ref.startswith("target:"):
        found = [c for c in target_conflicts(store) if c["ref"] == ref]
        if not found:
            raise _no_conflict(ref)
        kept = _pick(found[0]["targets"], keep, me, "set_by", ref)
        indicator_id = store.indicator_ids()[(found[0]["framework"], found[0]["indicator"])]
        with store.transaction():
            store.insert_target_row(indicator_id, [*(kept[k] for k in _TARGET_VALUES), me, now], None)
        return _("kept the target set by {by} at {at} as a new target").format(
            by=kept["set_by"], at=kept["set_at"]
        )
    if ref.startswith("source:"):
        found = [c for c in source_conflicts(store) if c["ref"] == ref]
        if not found:
            raise _no_conflict(ref)
        kept = _pick(found[0]["versions"], keep, me, "changed_by", ref)
        source = store.source_by_key(found[0]["key"])
        assert source is not None
        from policytrack.domain.sources import url_host

        values = {k: kept[k] for k in _SOURCE_VALUES} | {"host": url_host(kept["url"]) if kept["url"] else ""}
        store.update_source(source.id, values, now)
        return _("kept source {key!r} as {by} registered it").format(
            key=found[0]["key"], by=kept["changed_by"]
        )
    if ref.startswith("candidate:"):
        return _resolve_decision(store, ref, keep, sender)
    entry_id = int(ref)
    found = [c for c in entry_conflicts(store) if c["id"] == entry_id]
    if not found:
        raise _no_conflict(ref)
    sides = [r for c in found for r in c["revisions"]]
    if keep.isdigit():
        chosen = [s for s in sides if s["revision"] == int(keep)]
        if not chosen:
            numbers = ", ".join(str(s["revision"]) for s in sides)
            raise InputError(
                _("revision {keep} is no side of the conflict; keep one of {numbers}").format(
                    keep=keep, numbers=numbers
                )
            )
        kept_number = chosen[0]["revision"]
    else:
        kept_number = _pick(sides, keep, me, "changed_by", _("entry {id}").format(id=entry_id), entry=True)[
            "revision"
        ]
    history = _with_deleted(store.synced_revisions(entry_id))
    kept = history[kept_number - 1]
    kept["deleted"] = next(s["changes"] for s in sides if s["revision"] == kept_number).get(
        "deleted", [None, kept["deleted"]]
    )[1]
    deleted_now = store.get_entry(entry_id).deleted
    action = (
        "delete"
        if kept["deleted"] and not deleted_now
        else ("restore" if deleted_now and not kept["deleted"] else "edit")
    )
    values = {c: kept[c] for c in ENTRY_COLUMNS} | {
        "deleted_at": (history[-1].get("deleted_at") or now) if kept["deleted"] else None
    }
    store.update_entry(entry_id, values, action, me, now)
    return _("kept revision {kept} of entry {id} as revision {new}").format(
        kept=kept_number, id=entry_id, new=len(history) + 1
    )


def _resolve_decision(store: Store, ref: str, keep: str, sender: Sender) -> str:
    """Keep one analyst's decision on a candidate decided apart: `mine`, `theirs`, or the decision's uuid
    (its first 8 characters are enough) as `conflicts` shows it."""
    from policytrack.domain.triage import keep_side

    wanted = ref.removeprefix("candidate:").strip().lower()
    found = [
        c
        for c in decision_conflicts(store)
        if c["uuid"] == wanted or (wanted.isdigit() and str(c["id"]) == wanted)
    ]
    if not found:
        raise _no_conflict(ref)
    sides = found[0]["decisions"]
    if keep in ("mine", "theirs"):
        kept = _pick(sides, keep, sender.analyst, "decided_by", ref, decision=True)
    else:
        chosen = [s for s in sides if len(keep) >= 8 and s["uuid"].startswith(keep.lower())]
        if len(chosen) != 1:
            raise InputError(
                _("{keep!r} names no one decision of {what}; keep mine, theirs or one of {uuids}").format(
                    keep=keep[:40], what=ref, uuids=", ".join(s["uuid"][:8] for s in sides)
                )
            )
        kept = chosen[0]
    keep_side(store, found[0]["uuid"], kept, sender.analyst, sender.now)
    return _("kept the decision to {action} by {by} at {at}, decided again; the others are undone").format(
        action=kept["action"], by=kept["decided_by"], at=kept["decided_at"]
    )


def _no_conflict(ref: str) -> InputError:
    return InputError(_("{ref!r} has no open conflict; `policytrack conflicts` lists them").format(ref=ref))
