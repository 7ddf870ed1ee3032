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
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from policytrack.core.errors import InputError, SyncError
from policytrack.core.storable import storable
from policytrack.store import Store
from policytrack.sync.conflicts import all_conflicts, conflict_keys
from policytrack.sync.git import Clone, GitFailed, git
from policytrack.sync.kinds import RECORD_KINDS, Incoming, Received, check_record, event_id, line_text
from policytrack.sync.record import NewerRecord, Sender

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


def init(store: Store, remote: str, analyst: str) -> str:
    """Clone the shared repository beside the database (an empty one, or a missing local folder, is made
    a policytrack repository first). Returns what was done, for the confirmation."""
    check_analyst(analyst)
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
        git(["init", "-q", "--bare", "-b", "main", str(local)])
    temporary = clone.path.with_name(clone.path.name + ".new")
    shutil.rmtree(temporary, ignore_errors=True)
    try:
        try:
            git(["clone", "-q", remote, str(temporary)])
        except GitFailed as exc:
            raise SyncError(
                f"cannot clone {remote}: {exc.detail}; check the address and your access to it"
            ) from None
        new = Clone(temporary)
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
            new.run("commit", "-q", "-m", "policytrack: a shared repository for `policytrack sync`")
            _push(new, branch, 0)
            if local is not None:
                _point_head(local, branch)
            done = f"made {remote} a policytrack repository"
        else:
            _check_marker(temporary, remote)
            done = f"joined {remote}"
        _database_id(store)
        temporary.rename(clone.path)
    finally:
        shutil.rmtree(temporary, ignore_errors=True)
    return done + f"; the sync clone is {clone.path}. Run `policytrack sync` to send and receive"


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


def _repository_files(clone: Clone) -> list[str]:
    """The record files in the clone, checked to be policytrack's, in a stable order."""
    _check_marker(clone.path, clone.remote_url())
    root = clone.path / ANALYSTS
    if not root.exists():
        return []
    found = []
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(clone.path).as_posix()
        parts = path.relative_to(root).parts
        if path.is_symlink() or (path.is_dir() and len(parts) == 1):
            if path.is_symlink():
                raise _foreign(relative)
            continue
        if len(parts) != 2 or not path.is_file() or not _FILE.match(parts[1]):
            raise _foreign(relative)
        found.append(relative)
    return found


def _foreign(relative: str) -> SyncError:
    return SyncError(
        f"the repository holds {relative}, which policytrack did not write (only "
        f"{ANALYSTS}/<analyst>/<yyyy-mm>-<database>.jsonl files belong there); nothing was imported: remove "
        "it from the repository"
    )


def _parse(
    relative: str, data: bytes, start: int, first_line: int, store: Store
) -> list[tuple[str, Incoming]]:
    """The records of a file's new bytes, each checked; the first bad line is an error naming the file and
    line, and nothing of the sync is imported."""
    chunk = data[start:]
    if chunk and not chunk.endswith(b"\n"):
        number = first_line + chunk.count(b"\n") + 1
        raise _bad_line(relative, number, "the line is cut short (no newline at its end)")
    parsed: list[tuple[str, Incoming]] = []
    for number, raw in enumerate(chunk.splitlines(), start=first_line + 1):
        try:
            text = raw.decode("utf-8")
            record = json.loads(text)
            kind, record = check_record(record)
        except UnicodeDecodeError:
            raise _bad_line(relative, number, "not UTF-8") from None
        except NewerRecord as exc:
            raise InputError(
                f"{relative} line {number}: {exc}; nothing of this sync was imported: upgrade policytrack"
            ) from None
        except InputError as exc:
            raise _bad_line(relative, number, str(exc)) from None
        except (ValueError, RecursionError):
            raise _bad_line(relative, number, "not a JSON object") from None
        parsed.append((kind.name, Incoming(f"{relative} line {number}", record, event_id(text))))
    return parsed


def _bad_line(relative: str, number: int, problem: str) -> InputError:
    return InputError(
        f"{relative} line {number}: {problem}; nothing of this sync was imported: ask its author to fix "
        "the file in the repository"
    )


def _receive(store: Store, clone: Clone, own: str, sender: Sender) -> tuple[int, Received]:
    """Import every record the clone holds that the database has not read yet, in one transaction; the
    count of them from other databases' files, and what changed."""
    sizes = store.sync_file_sizes()
    new_sizes: dict[str, int] = {}
    batches: dict[str, list[Incoming]] = {kind.name: [] for kind in RECORD_KINDS}
    others = 0
    seen: set[str] = set()
    for relative in _repository_files(clone):
        start = sizes.get(relative, 0)
        if (clone.path / relative).stat().st_size == start:
            continue  # read to its end already (files are only appended to)
        data = (clone.path / relative).read_bytes()
        if len(data) < start or (start and data[start - 1 : start] != b"\n"):
            raise SyncError(
                f"{relative} in the repository was rewritten (records files are only ever appended to); "
                "nothing was imported: restore it from the repository's history"
            )
        records = _parse(relative, data, start, data[:start].count(b"\n"), store)
        known = store.known_events([item.event for _, item in records])
        for kind_name, item in records:
            if item.event in known or item.event in seen:
                continue
            seen.add(item.event)
            batches[kind_name].append(item)
            others += not relative.endswith(own)
        new_sizes[relative] = len(data)
    received = Received()
    if not new_sizes:
        return 0, received
    store.large_cache()
    with store.transaction():
        for kind in RECORD_KINDS:
            if batches[kind.name]:
                kind.apply(store, batches[kind.name], received, sender)
        store.add_events(seen)
        store.set_sync_file_sizes(new_sizes)
    return others, received


# -- sending ---------------------------------------------------------------------------------------


Unsent = dict[str, tuple[int, str, Any, dict[str, Any]]]  # event id: (kind rank, line, ref, record)


def unsent(store: Store, sender: Sender) -> Unsent:
    """Every record this database holds that the repository lacks, by event id."""
    found: Unsent = {}
    for rank, kind in enumerate(RECORD_KINDS):
        for record, ref in kind.outgoing(store, sender):
            text = line_text(record)
            found[event_id(text)] = (rank, text, ref, record)
    known = store.known_events(list(found))
    return {event: item for event, item in found.items() if event not in known}


def _own_file(store: Store, analyst: str, now: str) -> str:
    return f"{ANALYSTS}/{analyst}/{now[:7]}-{_database_id(store)}.jsonl"


def _send(store: Store, clone: Clone, sender: Sender) -> int:
    """Append the unsent records to this database's own file (sorted: kind, then text) and commit; then
    remember them as sent (if this is cut short, the next sync reads them back from the file)."""
    records = unsent(store, sender)
    if not records:
        return 0
    analyst = sender.analyst
    relative = _own_file(store, analyst, sender.now)
    path = clone.path / relative
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


def _merge(clone: Clone, branch: str) -> None:
    if clone.remote_head() is None:
        return
    try:
        clone.run("merge", "-q", "--no-edit", f"refs/remotes/origin/{branch}")
    except GitFailed as exc:
        clone.run("merge", "--abort", check=False)
        raise SyncError(
            f"the shared repository's history cannot be merged ({exc.detail}): someone changed a file "
            "another database writes; nothing was imported"
        ) from None


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
    # 1. what the clone already holds (an earlier sync may have stopped before importing it)
    count, got = _receive(store, clone, own, sender)
    result.received += count
    received.new |= got.new
    received.updated |= got.updated
    # 2. this database's new records, committed in its own file
    result.sent = _send(store, clone, sender)
    # 3. others' records, and the push (again if another push got there first)
    branch = clone.branch()
    for _ in range(PUSH_ATTEMPTS):
        _fetch(clone)
        _merge(clone, branch)
        count, got = _receive(store, clone, own, sender)
        result.received += count
        received.new |= got.new
        received.updated |= got.updated
        if _push(clone, branch, result.sent):
            break
    else:
        raise SyncError(
            f"the push lost the race to other pushes {PUSH_ATTEMPTS} times; everything is committed locally: "
            "run `policytrack sync` again"
        )
    result.new, result.updated = len(received.new), len(received.updated - received.new)
    result.conflicts = len(conflict_keys(store) - before)
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
    own = f"-{store.sync_setting('database')}.jsonl"
    remote = f"refs/remotes/origin/{clone.branch()}" if clone.remote_head() else None
    refs = (["HEAD"] if clone.has_commits() else []) + ([remote] if remote else [])
    for ref in refs:
        listing = clone.run("ls-tree", "-r", "-l", "-z", ref, "--", ANALYSTS)
        for line in listing.split("\0"):
            if not line:
                continue
            meta, relative = line.split("\t", 1)
            size = int(meta.split()[3])
            start = sizes.get(relative, 0)
            if size <= start or relative.endswith(own):
                continue
            data = clone.run("show", f"{ref}:{relative}").encode("utf-8")
            records = _parse(relative, data, start, data[:start].count(b"\n"), store)
            events = [item.event for _, item in records]
            incoming.update(set(events) - store.known_events(events))
    return SyncStatus(
        clone.remote_url(),
        len(set(unsent(store, sender)) | _unpushed_events(clone, remote, own)),
        len(incoming),
        len(all_conflicts(store)),
        unreachable,
    )


def _unpushed_events(clone: Clone, remote: str | None, own: str) -> set[str]:
    """The records of the lines this database's commits added that the remote (as last fetched) lacks.
    By event id: a sync killed after its commit and before it marked the records sent has them both
    committed and unsent, and they are one record each to send."""
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
        if int(meta.split()[3]) <= pushed:
            continue
        data = clone.run("show", f"HEAD:{relative}").encode("utf-8")  # files are only appended to
        found.update(event_id(raw.decode("utf-8")) for raw in data[pushed:].splitlines())
    return found


def _size_at(clone: Clone, ref: str, relative: str) -> int:
    """The size of a file at a commit (0: not there)."""
    found = clone.run("cat-file", "-s", f"{ref}:{relative}", check=False).strip()
    return int(found) if found.isdigit() else 0


def conflicts(store: Store) -> list[dict[str, Any]]:
    """Every open conflict: entries, targets and sources changed apart (sync.conflicts)."""
    return all_conflicts(store)
