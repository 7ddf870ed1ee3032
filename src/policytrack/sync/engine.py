"""`policytrack sync`: a team's databases kept in step through a shared git repository.

Each database appends the records the repository lacks (exchange.synckinds) to a file only it writes,
`analysts/<analyst>/<yyyy-mm>-<database>.jsonl`, commits, fetches and merges what others wrote (their
files never touch its own, so git merges cleanly), imports it, and pushes, again if the push raced
another. The database is the truth and the clone beside it (`DB.sync`) is rebuilt from it: a sync killed
at any step leaves both consistent, and the next one finishes the work.
"""

from __future__ import annotations

import json
import re
import shutil
import uuid as uuidlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from policytrack.core.errors import InputError, SyncError
from policytrack.core.i18n import _
from policytrack.core.storable import storable
from policytrack.records.field import Field
from policytrack.store import Store
from policytrack.sync import signing
from policytrack.sync.conflicts import all_conflicts, conflict_keys
from policytrack.sync.git import Clone, GitFailed, git
from policytrack.sync.kinds import RECORD_KINDS, Incoming, Received, check_record, event_id, line_text
from policytrack.sync.record import (
    LineProblem,
    NewerRecord,
    Record,
    RecordKind,
    Sender,
    unbound,
    written_before_binding,
)
from policytrack.sync.redactions import rewrite_own_files
from policytrack.sync.validate import validate

MARKER = "policytrack.json"
MARKER_TEXT = json.dumps({"format": "policytrack-sync", "version": 1}, indent=2) + "\n"
ANALYSTS = "analysts"
PUSH_ATTEMPTS = 5
_FILE = re.compile(r"^\d{4}-\d{2}-[0-9a-f]{8}\.jsonl$")
_KIND_RANK = {kind.name: rank for rank, kind in enumerate(RECORD_KINDS)}


@dataclass
class SyncResult:
    sent: int = 0
    received: int = 0
    new: int = 0
    updated: int = 0
    conflicts: int = 0
    # one line per file set aside, per record of this database's kept back, per unbound line accepted
    set_aside: list[str] = field(default_factory=list)
    unbound: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"sent {self.sent}, received {self.received} ({self.new} new, {self.updated} updated), "
            f"{self.conflicts} conflict{'' if self.conflicts == 1 else 's'}"
        )


@dataclass
class SyncStatus:
    remote: str
    to_send: int
    to_receive: int
    conflicts: int
    unreachable: str | None = None  # why the remote could not be asked (then to_receive is as last fetched)
    set_aside: list[str] = field(default_factory=list)  # the files a sync would set aside, one line each


def clone_path(db: Path) -> Path:
    return db.with_name(db.name + ".sync")


def check_analyst(name: str) -> str:
    """The analyst's folder name in the repository: refused if it could name anything but one folder
    inside analysts/."""
    plain = (
        name
        and name == name.strip()
        and not name.startswith(".")
        and storable(name)
        and not any(c in name for c in "/\\:")
        and all(c.isprintable() for c in name)
        and len(name) <= 100
    )
    if not plain:
        raise InputError(
            f"analyst name {name!r} cannot be a folder in the repository's {ANALYSTS}/ (it is empty, starts "
            "with '.', or holds '/', '\\', ':' or control characters); set a plain one with "
            "POLICYTRACK_ANALYST or `policytrack config set analyst NAME`"
        )
    return name


def _database_id(store: Store) -> str:
    found = store.sync_setting("database")
    if found is None:
        found = uuidlib.uuid4().hex[:8]
        store.set_sync_setting("database", found)
    return found


def _opened_clone(store: Store) -> Clone:
    clone = Clone(clone_path(store.path))
    if not clone.exists:
        raise SyncError(
            f"this database does not sync with a repository yet (no {clone.path}); run "
            "`policytrack sync init REMOTE` first"
        )
    return clone


# -- init --------------------------------------------------------------------------------------------


def _local_remote(remote: str) -> Path | None:
    """A remote that is a folder on this machine (not a URL, not user@host:path)."""
    if "://" in remote or re.match(r"^[^/]+:", remote):
        return None
    return Path(remote).expanduser()


def init(
    store: Store, remote: str, analyst: str, *, signed: bool = False, signing_key: str | None = None
) -> str:
    """Clone the shared repository beside the database (an empty one, or a missing local folder, is made
    a policytrack repository first). Signed (sync.signing): the clone signs every commit with the
    analyst's SSH key, a new repository lists that key in its allowed_signers, and the team's
    allowed_signers is pinned in the database. Returns what was done, for the confirmation."""
    check_analyst(analyst)
    if signed:
        signing.signable(analyst)
        signing.require_ssh_signing()
    if remote.startswith("-"):
        raise InputError(
            _(
                "remote {remote!r} starts with '-', which git would read as an option; give a folder of "
                "that name as ./{remote}"
            ).format(remote=remote)
        )
    clone = Clone(clone_path(store.path))
    if clone.exists:
        current = clone.remote_url()
        if current == remote:
            return f"already syncing with {remote}"
        raise SyncError(
            f"this database already syncs with {current}; remove {clone.path} to sync with another repository"
        )
    if store.read_only_reason:
        raise SyncError(store.read_only_reason)
    local = _local_remote(remote)
    if local is not None and (not local.exists() or (local.is_dir() and not any(local.iterdir()))):
        git(["init", "-q", "--bare", "-b", "main", "--", str(local)])
    temporary = clone.path.with_name(clone.path.name + ".new")
    shutil.rmtree(temporary, ignore_errors=True)
    try:
        try:
            git(["clone", "-q", "--", remote, str(temporary)])
        except GitFailed as exc:
            raise SyncError(
                f"cannot clone {remote}: {exc.detail}; check the address and your access to it"
            ) from None
        new = Clone(temporary)
        public = signing.configure(new, signing_key) if signed else ""
        heads = [
            line.split("refs/heads/", 1)[1] for line in new.run("ls-remote", "--heads", "origin").splitlines()
        ]
        if not new.has_commits() and heads:  # the remote's HEAD names a branch it does not have
            branch = "main" if "main" in heads else heads[0]
            new.run("checkout", "-q", "-b", branch, f"origin/{branch}")
        if not new.has_commits():
            # the branch an empty remote's HEAD names (git reads it when it clones), so that a plain
            # `git clone` of the repository checks out the records
            branch = new.branch()
            (temporary / MARKER).write_text(MARKER_TEXT, encoding="utf-8")
            new.run("add", MARKER)
            if signed:
                (temporary / signing.SIGNERS).write_text(
                    signing.signers_line(analyst, public), encoding="utf-8"
                )
                new.run("add", signing.SIGNERS)
            new.run("commit", "-q", "-m", "policytrack: a shared repository for `policytrack sync`")
            _push(new, branch, 0)
            if local is not None:
                _point_head(local, branch)
            done = f"made {remote} a policytrack repository"
        else:
            _check_marker(temporary, remote)
            _check_signed(new, remote, analyst, public if signed else None)
            done = f"joined {remote}"
        _database_id(store)
        if signed:
            signing.pin_first(store, new, signing.now())
            done = _("{done} as a signed team (allowed_signers pinned)").format(done=done)
        temporary.rename(clone.path)
    finally:
        shutil.rmtree(temporary, ignore_errors=True)
    return done + f"; the sync clone is {clone.path}. Run `policytrack sync` to send and receive"


def _check_signed(clone: Clone, remote: str, analyst: str, public: str | None) -> None:
    """A signed team is joined signed, an unsigned one unsigned; a signed member's key is listed."""
    listed = bool(clone.run("ls-tree", "HEAD", "--", signing.SIGNERS).strip())
    if listed and public is None:
        raise SyncError(
            _(
                "{remote} is a signed team (it holds {signers}); join it with `policytrack sync init "
                "--signed {remote}`"
            ).format(remote=remote, signers=signing.SIGNERS)
        )
    if public is None:
        return
    if not listed:
        raise SyncError(
            _(
                "{remote} is not a signed team (it has no {signers}) and its history is unsigned; start a "
                "signed team in a new repository, or join this one without --signed"
            ).format(remote=remote, signers=signing.SIGNERS)
        )
    signing.check_listed(clone.run("show", f"HEAD:{signing.SIGNERS}"), analyst, public, remote)


def _point_head(bare: Path, branch: str) -> None:
    """A local bare repository whose HEAD names a branch it lacks (a git too old to tell the clone which
    branch that is) is pointed at the branch sync pushed: a plain `git clone` of it checks that out."""
    if not (bare / "HEAD").is_file():
        return  # not a bare repository: its HEAD is its own checkout's business
    head = git(["--git-dir", str(bare), "symbolic-ref", "-q", "HEAD"], check=False).strip()
    if not head or not git(["--git-dir", str(bare), "rev-parse", "-q", "--verify", head], check=False):
        git(["--git-dir", str(bare), "symbolic-ref", "HEAD", f"refs/heads/{branch}"])


def _check_marker(folder: Path, remote: str) -> None:
    if not (folder / MARKER).is_file():
        raise SyncError(
            f"{remote} holds files that policytrack did not write (it has no {MARKER}); give an empty "
            "repository, or one made by `policytrack sync init`"
        )


# -- reading the repository ------------------------------------------------------------------------

# git's modes of a tree entry that are neither a regular file nor a folder: a symbolic link, a gitlink
# (a submodule). Refused wherever they are: a link in place of a folder would lead reads and writes
# outside the repository.
_LINK_MODES = {"120000": "a symbolic link", "160000": "a gitlink (a submodule)"}


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


def _repository_files(clone: Clone, reading: Reading) -> list[str]:
    """The record files of the clone's last commit, by its tree (a link or a file that is not
    policytrack's is set aside by its path), in a stable order."""
    _check_marker(clone.path, clone.remote_url())
    if not clone.has_commits():
        return []
    found = []
    listing = clone.run("ls-tree", "-r", "-z", "HEAD", "--", ANALYSTS)
    for line in listing.split("\0"):
        if not line:
            continue
        meta, relative = line.split("\t", 1)
        mode = meta.split()[0]
        parts = relative.split("/")
        if mode in _LINK_MODES:
            reading.set_aside[relative] = _aside(relative, _("it is {what}").format(what=_LINK_MODES[mode]))
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


def _parse(
    relative: str, data: bytes, start: int, first_line: int, now: datetime
) -> tuple[list[tuple[str, Incoming]], list[tuple[Incoming, RecordKind, Field]]]:
    """The records of a file's new bytes, each checked and bound to the analyst whose folder holds the file,
    and those of them an earlier release wrote in another analyst's name (accepted, reported). The first
    bad line is a LineProblem naming the file and line."""
    chunk = data[start:]
    if chunk and not chunk.endswith(b"\n"):
        number = first_line + chunk.count(b"\n") + 1
        raise LineProblem(f"{relative} line {number}", _("the line is cut short (no newline at its end)"))
    folder = _folder(relative)
    parsed: list[tuple[str, Incoming]] = []
    unbound_lines: list[tuple[Incoming, RecordKind, Field]] = []
    for number, raw in enumerate(chunk.splitlines(), start=first_line + 1):
        where = f"{relative} line {number}"
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
        item = Incoming(where, record, event_id(text))
        named = unbound(kind.declared, record, folder)
        if named is not None:
            if not written_before_binding(kind.declared, record):
                raise LineProblem(
                    where,
                    _(
                        "{field} names {named!r}, not {analyst}, whose folder holds the line (each analyst "
                        "writes only their own changes)"
                    ).format(field=named.name, named=record[named.name], analyst=folder),
                )
            unbound_lines.append((item, kind, named))
        parsed.append((kind.name, item))
    return parsed, unbound_lines


@dataclass
class _File:
    """A file's new records, read and checked, waiting to be applied."""

    size: int
    records: list[tuple[str, Incoming]]
    unbound: list[tuple[Incoming, RecordKind, Field]]


def _read_files(store: Store, clone: Clone, reading: Reading, now: datetime) -> dict[str, _File]:
    """Every repository file with bytes this database has not read yet, parsed; a bad one set aside."""
    sizes = store.sync_file_sizes()
    held = store.held_files()
    files: dict[str, _File] = {}
    for relative in _repository_files(clone, reading):
        if relative in held:  # a refused commit changed it (sync.signing)
            reading.set_aside[relative] = held[relative]
            continue
        path = clone.path / relative
        if path.parent.is_symlink() or path.is_symlink() or not path.is_file():
            reading.set_aside[relative] = _aside(relative, _("it is not a regular file in the clone"))
            continue
        start = sizes.get(relative, 0)
        if path.stat().st_size == start:
            continue  # read to its end already (files are only appended to)
        data = path.read_bytes()
        if len(data) < start or (start and data[start - 1 : start] != b"\n"):
            start = 0  # rewritten (its owner took redacted text out): read again, what is known is skipped
        try:
            try:
                records, unbound_lines = _parse(relative, data, start, data[:start].count(b"\n"), now)
            except LineProblem:
                if not start:
                    raise
                # rewritten to a length that happens to end a line where the old one did
                records, unbound_lines = _parse(relative, data, 0, 0, now)
        except LineProblem as exc:
            reading.set_aside[relative] = _aside(exc.where, exc.problem, newer=exc.newer)
            continue
        files[relative] = _File(len(data), records, unbound_lines)
    return files


def _receive(store: Store, clone: Clone, own: str, sender: Sender, reading: Reading) -> tuple[int, Received]:
    """Import every record the clone holds that the database has not read yet, in one transaction; the
    count of them from other databases' files, and what changed. A file with a bad line, or a line that
    cannot be applied (what it names is in a file set aside), is set aside and the rest imported."""
    reading.set_aside = {}  # what the clone holds now is what counts (a file mended since is taken)
    files = _read_files(store, clone, reading, datetime.now(UTC))
    while True:
        try:
            return _apply(store, files, own, sender, reading)
        except LineProblem as exc:  # the transaction was rolled back: again without that file
            relative = exc.where.split(" line ")[0]
            if relative not in files:
                raise
            del files[relative]
            reading.set_aside[relative] = _aside(exc.where, exc.problem)


def _apply(
    store: Store, files: dict[str, _File], own: str, sender: Sender, reading: Reading
) -> tuple[int, Received]:
    batches: dict[str, list[Incoming]] = {kind.name: [] for kind in RECORD_KINDS}
    others = 0
    seen: set[str] = set()
    for relative, file in files.items():
        known = store.known_events([item.event for _, item in file.records])
        for kind_name, item in file.records:
            if item.event in known or item.event in seen:
                continue
            seen.add(item.event)
            batches[kind_name].append(item)
            others += not relative.endswith(own)
    received = Received()
    if not files:
        return 0, received
    accepted = [(i, kind, f) for file in files.values() for i, kind, f in file.unbound if i.event in seen]
    unbound_rows = [
        (i.event, kind.name, f.name, str(i.record[f.name]), _when(kind, i.record), _folder(i.where))
        for i, kind, f in accepted
    ]
    store.large_cache()
    with store.transaction():
        for kind in RECORD_KINDS:
            if batches[kind.name]:
                validate(store, kind.name, batches[kind.name])
                kind.apply(store, batches[kind.name], received, sender)
        store.add_events(seen)
        store.add_unbound(unbound_rows)
        store.set_sync_file_sizes({relative: file.size for relative, file in files.items()})
    reading.unbound += [
        _(
            "{where}: {field} names {named!r}, not {analyst}, whose folder holds it; written by an earlier "
            "release, accepted once and kept as not theirs (undo never offers it)"
        ).format(where=item.where, field=f.name, named=item.record[f.name], analyst=_folder(item.where))
        for item, _kind, f in accepted
    ]
    return others, received


def _when(kind: RecordKind, record: Record) -> str:
    """The latest time a line holds (a target's set_at: what undo knows a target set by)."""
    return max((record[f.name] or "" for f in kind.declared if f.type == "datetime"), default="")


# -- sending ---------------------------------------------------------------------------------------


Unsent = dict[str, tuple[int, str, Any, dict[str, Any]]]  # event id: (kind rank, line, ref, record)


def unsent(store: Store, sender: Sender, kept: list[str] | None = None) -> Unsent:
    """Every record this database holds that the repository lacks, by event id: those that name the
    sender as who made them (a teammate's record held here is theirs to send; a change made here in
    another's name, which every teammate would refuse, stays here and is said in `kept`)."""
    found: Unsent = {}
    for rank, kind in enumerate(RECORD_KINDS):
        for record, ref in kind.outgoing(store, sender):
            named = unbound(kind.declared, record, sender.analyst)
            if named is None:
                text = line_text(record)
                found[event_id(text)] = (rank, text, ref, record)
            elif kind.own_only and kept is not None:
                kept.append(
                    _(
                        "a change of this database ({kind}) names {named!r} as its {field}, not {analyst}: "
                        "only {named}'s own database sends their changes; it stays here, unsent (revert "
                        "it, or ask {named} to make the change)"
                    ).format(
                        kind=kind.name, named=record[named.name], field=named.name, analyst=sender.analyst
                    )
                )
    known = store.known_events(list(found))
    return {event: item for event, item in found.items() if event not in known}


def _own_file(store: Store, analyst: str, now: str) -> str:
    return f"{ANALYSTS}/{analyst}/{now[:7]}-{_database_id(store)}.jsonl"


def _check_own_folder(clone: Clone, path: Path) -> None:
    """The folders between the clone and this database's file are real folders inside the clone (a link
    committed in place of one would send records outside the repository)."""
    folder = clone.path
    for part in path.relative_to(clone.path).parts[:-1]:
        folder = folder / part
        if folder.is_symlink() or (folder.exists() and not folder.is_dir()):
            relative = folder.relative_to(clone.path).as_posix()
            raise SyncError(
                _(
                    "the repository holds {where} as a link or a file, not a folder; nothing was sent: "
                    "remove it from the repository (git rm {where}), then run `policytrack sync` again"
                ).format(where=relative)
            )


def _send(store: Store, clone: Clone, sender: Sender, kept: list[str]) -> int:
    """Append the unsent records to this database's own file (sorted: kind, then text) and commit; then
    remember them as sent (if this is cut short, the next sync reads them back from the file)."""
    records = unsent(store, sender, kept)
    if not records:
        return 0
    analyst = sender.analyst
    relative = _own_file(store, analyst, sender.now)
    path = clone.path / relative
    _check_own_folder(clone, path)
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = sorted((rank, text) for rank, text, _, _ in records.values())
    with path.open("a", encoding="utf-8", newline="\n") as handle:
        handle.writelines(text + "\n" for _, text in lines)
    clone.run("add", relative)
    clone.run("commit", "-q", "-m", f"policytrack: {analyst} records {len(lines)} change(s)")
    sizes = store.sync_file_sizes()
    with store.transaction():
        if sizes.get(relative, 0) == path.stat().st_size - sum(len(t.encode()) + 1 for _, t in lines):
            store.set_sync_file_sizes({relative: path.stat().st_size})  # else read back next time
        for rank, kind in enumerate(RECORD_KINDS):
            if kind.sent is not None:
                kind.sent(
                    store, [(ref, event, rec) for event, (r, _, ref, rec) in records.items() if r == rank]
                )
        store.add_events(records)
    return len(lines)


def _redact_own(store: Store, clone: Clone, sender: Sender, own: str) -> None:
    """Take the text of every redaction this database holds out of its own files (sync.redactions), as
    one commit on top of what the remote holds: the commits not pushed yet, which only ever change this
    database's files, are folded into it, so no pushed commit holds text redacted before the push."""
    rewritten = rewrite_own_files(store, clone, clone.path / ANALYSTS / sender.analyst, own)
    if not rewritten:
        return
    if clone.remote_head() is not None:
        clone.run("reset", "-q", "--soft", f"refs/remotes/origin/{clone.branch()}")
    clone.run("commit", "-q", "-m", f"policytrack: {sender.analyst} records, redacted text taken out")


def _push(clone: Clone, branch: str, sent: int) -> bool:
    """Push; False when another push got there first (fetch, merge and try again)."""
    try:
        clone.run("push", "-q", "origin", f"HEAD:refs/heads/{branch}")
    except GitFailed as exc:
        if "[rejected]" in exc.stderr or "non-fast-forward" in exc.stderr or "fetch first" in exc.stderr:
            return False
        kept = (
            f"; the {sent} record(s) sent are committed in {clone.path} and the next `policytrack sync` "
            "sends them"
            if sent
            else ""
        )
        raise SyncError(
            f"the shared repository refused the push ({exc.detail}){kept}; check your access to it"
        ) from None
    return True


def _fetch(clone: Clone) -> None:
    try:
        clone.run("fetch", "-q", "origin")
    except GitFailed as exc:
        raise SyncError(
            f"cannot reach the shared repository {clone.remote_url()} ({exc.detail}); what this database "
            "holds is committed in its sync clone, and the next `policytrack sync` sends and receives it"
        ) from None


def _merge(clone: Clone, branch: str, own: str) -> list[str]:
    """Merge what others pushed. A commit of theirs that changed or removed this database's own files is
    undone for those files (their owner's copy is the record): restored and committed, to be pushed.
    Returns one line per file restored."""
    if clone.remote_head() is None:
        return []
    before = clone.run("rev-parse", "HEAD").strip() if clone.has_commits() else None
    try:
        # on a line both sides changed, this database's side: only its own files can meet its changes
        clone.run("merge", "-q", "--no-edit", "-X", "ours", f"refs/remotes/origin/{branch}")
    except GitFailed as exc:
        clone.run("merge", "--abort", check=False)
        raise SyncError(
            f"the shared repository's history cannot be merged ({exc.detail}): someone changed a file "
            "another database writes; nothing was imported"
        ) from None
    if before is None:
        return []
    changed = clone.run("diff", "--name-only", "-z", before, "HEAD", "--", ANALYSTS).split("\0")
    mine = sorted(p for p in changed if p.endswith(own))
    if not mine:
        return []
    clone.run("checkout", before, "--", *mine)
    clone.run("commit", "-q", "-m", "policytrack: restore this database's file(s) another commit changed")
    return [
        _(
            "{where} was changed or removed by another commit; restored from this database (the next push "
            "sends it back)"
        ).format(where=p)
        for p in mine
    ]


def sync(store: Store, sender: Sender, email: str | None = None) -> SyncResult:
    """Send what the repository lacks, receive what others sent, and push: one step at a time, each
    leaving the database and the clone consistent. Commits carry the sender's name and `email` (else
    git's own)."""
    clone = _opened_clone(store)
    check_analyst(sender.analyst)
    if store.read_only_reason:
        raise SyncError(store.read_only_reason)
    clone.author = (sender.display_name, email)
    with clone.locked():
        return _sync(store, clone, sender)


def _sync(store: Store, clone: Clone, sender: Sender) -> SyncResult:
    clone.recover()
    own = f"-{_database_id(store)}.jsonl"
    before = conflict_keys(store)
    result = SyncResult()
    received = Received()
    reading = Reading()
    kept: list[str] = []
    restored: list[str] = []
    refused: list[str] = []
    signed = store.pinned_signers() is not None
    # 1. what the clone already holds (an earlier sync may have stopped before importing it)
    count, got = _receive(store, clone, own, sender, reading)
    result.received += count
    received.new |= got.new
    received.updated |= got.updated
    # 2. this database's new records, committed in its own file (its redacted text taken out first)
    _redact_own(store, clone, sender, own)
    result.sent = _send(store, clone, sender, kept)
    # 3. others' records, and the push (again if another push got there first)
    branch = clone.branch()
    for _attempt in range(PUSH_ATTEMPTS):
        _fetch(clone)
        if signed:  # before the merge: what it brings in is verified and held back as need be
            verdict = signing.verify(store, clone, own)
            signing.save(store, verdict, signing.now())
            refused += verdict.refused
        restored += _merge(clone, branch, own)
        count, got = _receive(store, clone, own, sender, reading)
        result.received += count
        received.new |= got.new
        received.updated |= got.updated
        _redact_own(store, clone, sender, own)  # a redaction just received: its text is never pushed
        if _push(clone, branch, result.sent):
            break
    else:
        raise SyncError(
            f"the push lost the race to other pushes {PUSH_ATTEMPTS} times; everything is committed locally: "
            "run `policytrack sync` again"
        )
    result.new, result.updated = len(received.new), len(received.updated - received.new)
    result.conflicts = len(conflict_keys(store) - before)
    result.set_aside = [*reading.set_aside.values(), *refused, *kept]
    result.unbound = [*reading.unbound, *restored]
    return result


# -- status ----------------------------------------------------------------------------------------


def status(store: Store, sender: Sender) -> SyncStatus:
    """What a sync would send and receive; only the clone's record of the remote is refreshed (fetch).
    To send: what the database holds that no commit has, and the lines of commits not pushed yet (a sync
    cut short between its commit and its push)."""
    clone = _opened_clone(store)
    unreachable = None
    try:
        _fetch(clone)
    except SyncError as exc:
        unreachable = str(exc).split(";")[0]
    sizes = store.sync_file_sizes()
    incoming: set[str] = set()
    set_aside: dict[str, str] = {}
    own = f"-{store.sync_setting('database')}.jsonl"
    remote = f"refs/remotes/origin/{clone.branch()}" if clone.remote_head() else None
    refs = (["HEAD"] if clone.has_commits() else []) + ([remote] if remote else [])
    now = datetime.now(UTC)
    # a signed team: what is held back, and what the commits new since the last sync would hold
    verdict = signing.verify(store, clone, own)
    held = {**store.held_files(), **{path: line for path, (_c, line) in verdict.held.items()}}
    held = {path: line for path, line in held.items() if path not in verdict.released or path in verdict.held}
    set_aside.update(held)
    for ref in refs:
        listing = clone.run("ls-tree", "-r", "-l", "-z", ref, "--", ANALYSTS)
        for line in listing.split("\0"):
            if not line:
                continue
            meta, relative = line.split("\t", 1)
            mode, size_text = meta.split()[0], meta.split()[3]
            if mode in _LINK_MODES or not size_text.isdigit():
                what = _LINK_MODES.get(mode, _("not a file"))
                set_aside[relative] = _aside(relative, _("it is {what}").format(what=what))
                continue
            start = sizes.get(relative, 0)
            if int(size_text) <= start or relative.endswith(own) or relative in held:
                continue
            data = clone.run("show", f"{ref}:{relative}").encode("utf-8")
            try:
                records, _unbound = _parse(relative, data, start, data[:start].count(b"\n"), now)
            except LineProblem as exc:
                set_aside[relative] = _aside(exc.where, exc.problem, newer=exc.newer)
                continue
            events = [item.event for _kind, item in records]
            incoming.update(set(events) - store.known_events(events))
    return SyncStatus(
        clone.remote_url(),
        len(set(unsent(store, sender)) | _unpushed_events(clone, remote, own)),
        len(incoming),
        len(all_conflicts(store)),
        unreachable,
        [*set_aside.values(), *verdict.refused],
    )


def _unpushed_events(clone: Clone, remote: str | None, own: str) -> set[str]:
    """The records of the lines this database's commits hold that the remote (as last fetched) lacks.
    By event id: a sync killed after its commit and before it marked the records sent has them both
    committed and unsent, and they are one record each to send. Line by line, not from the pushed
    file's length: an owner's redaction rewrite changes the length of lines already pushed."""
    if not clone.has_commits():
        return set()
    found: set[str] = set()
    listing = clone.run("ls-tree", "-r", "-l", "-z", "HEAD", "--", ANALYSTS)
    for line in listing.split("\0"):
        if not line:
            continue
        meta, relative = line.split("\t", 1)
        if not relative.endswith(own):
            continue
        pushed = _size_at(clone, remote, relative) if remote else 0
        if pushed and _blob_at(clone, remote, relative) == meta.split()[2]:
            continue  # the same file as pushed
        # by "\n" alone (str.splitlines would also split inside a line, at U+2028 and the like)
        ours = clone.run("show", f"HEAD:{relative}").split("\n")
        theirs = set(clone.run("show", f"{remote}:{relative}").split("\n")) if pushed else set()
        found.update(event_id(line) for line in ours if line and line not in theirs)
    return found


def _blob_at(clone: Clone, ref: str | None, relative: str) -> str:
    """The id of a file's content at a commit."""
    return clone.run("rev-parse", "-q", "--verify", f"{ref}:{relative}", check=False).strip()


def _size_at(clone: Clone, ref: str, relative: str) -> int:
    """The size of a file at a commit (0: not there)."""
    found = clone.run("cat-file", "-s", f"{ref}:{relative}", check=False).strip()
    return int(found) if found.isdigit() else 0


def conflicts(store: Store) -> list[dict[str, Any]]:
    """Every open conflict: entries, targets and sources changed apart (sync.conflicts)."""
    return all_conflicts(store)
