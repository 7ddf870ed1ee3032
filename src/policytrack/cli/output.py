"""The one writer behind every `-o` and backup: it never overwrites the database, writes regular files
atomically, and streams into devices and FIFOs.

Rules, decided once here:
- the database file and its -wal, -shm and -journal files are refused, compared by device and inode (so a
  relative path, a second name or a hard link is caught) and, for the side files, also by name;
- a directory, a socket and a file its owner made read-only (no write bit, or not writable by this user)
  are refused;
- a character device or a FIFO (`-o /dev/stdout`, a named pipe, `>(gzip)`) is written as a stream;
- a symlink is followed: its target is replaced in the target's own folder, as `cp` does;
- a regular file (or a new name) is written to a temporary file beside it, fsynced, then renamed over it,
  keeping the old file's permission bits (a new file gets the umask's): an error leaves it as it was.
"""

from __future__ import annotations

import errno
import os
import re
import stat
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import IO

from policytrack.core.errors import InputError
from policytrack.core.i18n import _
from policytrack.core.paths import path_problem, too_long

SIDE_FILES = ("-wal", "-shm", "-journal")


def database_files(db: Path) -> tuple[Path, ...]:
    """The database and the files SQLite keeps beside it: what no output may ever replace. SQLite keeps
    them beside the real file, so a database reached through a symlink is protected under both names."""
    names = dict.fromkeys([db, Path(os.path.realpath(db))])
    return tuple(name.with_name(name.name + suffix) for name in names for suffix in ("", *SIDE_FILES))


def refuse_if_database(stream_fd: int, protect: Sequence[Path], what: str) -> None:
    """Refuse to write to an already open stream (stdout) that is the database or one of its files, as
    `policytrack export entries >> policytrack.db` would make it."""
    try:
        st = os.fstat(stream_fd)
    except OSError:
        return  # a closed stream says so when written
    for protected in protect:
        try:
            if _same_file(st, protected.stat()):
                raise InputError(
                    _("{what} is the policytrack database (or one of its files); send it elsewhere").format(
                        what=what
                    )
                )
        except OSError:
            continue


def _refuse(path: Path, why: str | OSError) -> InputError:
    """The one error of an output path; an OSError is said in words, with its fix (core.paths)."""
    why = why if isinstance(why, str) else path_problem(path, why)
    return InputError(_("cannot write -o {path}: {why}").format(path=path, why=why))


def _same_file(a: os.stat_result, b: os.stat_result) -> bool:
    return (a.st_dev, a.st_ino) == (b.st_dev, b.st_ino)


def _check_protected(path: Path, target: Path, protect: Sequence[Path]) -> None:
    """Refuse `target` (the resolved form of `path`) if it is one of the protected files."""
    try:
        target_stat: os.stat_result | None = target.stat()
    except OSError:
        target_stat = None
    resolved = {os.path.realpath(p) for p in protect}
    for protected in protect:
        try:
            same = target_stat is not None and _same_file(target_stat, protected.stat())
        except OSError:
            same = False
        if same or os.path.realpath(target) in resolved:
            raise _refuse(
                path, _("it is the policytrack database (or one of its files); choose another name")
            )


# Names of an open stream (`-o /dev/stdout` when stdout is `>> file`): written where the stream stands, so
# an append stays an append, never replaced by a new file.
_OPEN_STREAM = re.compile(r"^/dev/(stdout|stderr|fd/\d+)$|^/proc/(self|\d+)/fd/\d+$")


def _plan(path: Path, protect: Sequence[Path]) -> tuple[str, Path]:
    """('stream', path) for a device, a FIFO or an open stream, else ('file', the regular file to
    replace)."""
    if _OPEN_STREAM.match(os.path.abspath(path)):
        _check_protected(path, path, protect)
        return "stream", path
    if too_long(path):
        raise _refuse(path, OSError(errno.ENAMETOOLONG, os.strerror(errno.ENAMETOOLONG)))
    try:
        st = path.stat()  # follows symlinks, so /dev/stdout and /dev/fd/N show what they lead to
    except FileNotFoundError:
        st = None
    except OSError as exc:
        raise _refuse(path, exc) from None
    if st is not None and (stat.S_ISCHR(st.st_mode) or stat.S_ISFIFO(st.st_mode)):
        _check_protected(path, path, protect)
        return "stream", path
    target = Path(os.path.realpath(path))
    _check_protected(path, target, protect)
    if st is None:
        return "file", target
    if stat.S_ISDIR(st.st_mode):
        raise _refuse(path, path_problem(path))
    if not stat.S_ISREG(st.st_mode):
        raise _refuse(path, _("it is not a regular file, a device or a FIFO; choose another name"))
    if not st.st_mode & stat.S_IWUSR or not os.access(target, os.W_OK):
        raise _refuse(path, _("it is read-only; make it writable (chmod u+w) or choose another name"))
    return "file", target


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextmanager
def atomic_path(path: Path, protect: Sequence[Path] = ()) -> Iterator[Path]:
    """A temporary path beside the regular file `path` (its symlink followed) that becomes it when the
    block succeeds, for writers that need a name (SQLite's backup). Devices and FIFOs are refused here:
    a database copy cannot be streamed."""
    kind, target = _plan(path, protect)
    if kind == "stream":
        raise _refuse(path, _("a database copy needs a regular file, not a device or FIFO"))
    with _temporary(path, target) as tmp:
        yield tmp


@contextmanager
def _temporary(path: Path, target: Path) -> Iterator[Path]:
    import tempfile  # only when a file is written: `log` and every command open the store without it

    folder = target.parent
    try:
        fd, name = tempfile.mkstemp(dir=folder, prefix=".policytrack-", suffix=".tmp")  # any name length
    except OSError as exc:
        raise _refuse(path, exc) from None
    os.close(fd)
    tmp = Path(name)
    try:
        # mkstemp makes a private (0600) file; give it the mode a plain open() would, or the target's own.
        old = target.stat() if target.exists() else None
        yield tmp
        os.chmod(tmp, old.st_mode & 0o777 if old else 0o666 & ~_umask())
        if old is not None and (old.st_uid, old.st_gid) != (os.getuid(), os.getgid()):
            with suppress(PermissionError):  # only root may give a file away; others keep theirs
                os.chown(tmp, old.st_uid, old.st_gid)
        os.replace(tmp, target)
    except OSError as exc:
        raise _refuse(path, exc) from None
    finally:
        tmp.unlink(missing_ok=True)


@contextmanager
def open_output(path: Path, protect: Sequence[Path] = ()) -> Iterator[IO[bytes]]:
    """A binary handle whose bytes reach `path` under the rules above: all of them, or (for a regular
    file) none."""
    kind, target = _plan(path, protect)
    if kind == "stream":
        try:
            handle = open(path, "ab")  # noqa: SIM115  (closed below; append keeps `>>` an append)
        except OSError as exc:
            raise _refuse(path, exc) from None
        try:
            yield handle
            handle.flush()
        except OSError as exc:
            raise _refuse(path, exc) from None
        finally:
            with suppress(OSError):  # the flush above already reported it
                handle.close()
        return
    with _temporary(path, target) as tmp:
        try:
            with tmp.open("wb") as handle:
                yield handle
                handle.flush()
                os.fsync(handle.fileno())
        except OSError as exc:
            raise _refuse(path, exc) from None


def write_bytes(path: Path, data: bytes, protect: Sequence[Path] = ()) -> None:
    """All of `data` to `path` (see open_output)."""
    with open_output(path, protect) as handle:
        handle.write(data)
