"""Where the database lives: --db, then POLICYTRACK_DB, then the config file, then the platform's user data
directory."""

from __future__ import annotations

import os
from pathlib import Path

from policytrack.core.errors import InputError
from policytrack.core.i18n import _

ENV_DB = "POLICYTRACK_DB"


def default_data_dir() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir("policytrack", appauthor=False))


def resolve_db_path(option: str | None, *, create_default_dir: bool = False) -> Path:
    """The one place the database path is decided; domain code only ever receives the result.

    Only the default location has its folder created: a --db or POLICYTRACK_DB in a missing folder is
    more likely a typo, and the store refuses it."""
    if option is not None:
        if not option.strip():
            raise InputError(_("--db is empty (an unset shell variable?); give the database's path"))
        if option == "-":
            raise InputError(
                _("--db - is not a database (a database cannot be read from stdin); give its path")
            )
        return Path(option).expanduser()
    env = os.environ.get(ENV_DB)
    if env is not None:
        if not env.strip():
            raise InputError(
                _("${env_db} is set but empty; give it the database's path, or unset it").format(
                    env_db=ENV_DB
                )
            )
        return Path(env).expanduser()
    from policytrack.core.config import setting

    configured = setting("db")
    if configured:
        return Path(configured).expanduser()
    path = default_data_dir() / "policytrack.db"
    if create_default_dir:
        path.parent.mkdir(parents=True, exist_ok=True)
    return path


def path_problem(path: Path, exc: OSError | None = None) -> str:
    """Why `path` cannot be written, in words that end with the fix: a folder, a symlink that leads
    nowhere or round in a loop, a name too long for the file system, a missing folder... (`exc`: the
    error writing it gave, if any)."""
    import errno

    code = exc.errno if exc is not None else None
    if code == errno.ENAMETOOLONG:
        return _("its name is too long for the file system; give a shorter name")
    try:
        link = os.readlink(path)
    except OSError:  # not a symlink (or not even a name the file system can look up)
        link = None
    try:
        os.stat(path)
        target_error = None
    except OSError as error:
        target_error = error.errno
    if code == errno.ELOOP or target_error == errno.ELOOP:
        return _("it is a symlink that leads round in a loop; remove it or give another name")
    if link is not None and target_error is not None:
        return _(
            "it is a symlink to {link}, which does not exist and cannot be made there; fix or remove the "
            "symlink, or give another name"
        ).format(link=link)
    if code == errno.EISDIR or (code is None and os.path.isdir(path)):
        return _("it is a folder; give a file name")
    if code == errno.ENOENT:
        return _("folder {folder} does not exist; create it or give another name").format(folder=path.parent)
    if code == errno.ENOTDIR:
        return _("a part of its path is not a folder; check the path")
    if code in (errno.EACCES, errno.EPERM):
        return _("permission denied; choose a place you can write to")
    if code == errno.EROFS:
        return _("the file system is read-only; choose another place")
    if code in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
        return _("no space left on the device; free some space or choose another place")
    why = exc.strerror if exc is not None and exc.strerror else str(exc)
    return _("{why}; check the path and the disk").format(why=why)


def too_long(path: Path, spare: int = 0) -> bool:
    """Whether the file system cannot hold `path`: a part of it longer than its folder allows (NAME_MAX,
    less `spare` bytes for a temporary name built from it), or the whole longer than PATH_MAX."""
    folder = next((p for p in path.absolute().parents if os.path.isdir(p)), Path("/"))
    try:
        longest, whole = os.pathconf(folder, "PC_NAME_MAX"), os.pathconf(folder, "PC_PATH_MAX")
    except (OSError, ValueError):
        longest, whole = 255, 4096
    parts = [len(os.fsencode(part)) for part in path.parts]
    return (bool(parts) and (max(parts) > longest or parts[-1] + spare > longest)) or len(
        os.fsencode(str(path.absolute()))
    ) >= whole
