"""Where the database lives: --db, then POLICYTRACK_DB, then the config file, then the platform's user data
directory."""

from __future__ import annotations

import os
from pathlib import Path

from policytrack.core.errors import InputError

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
            raise InputError("--db is empty (an unset shell variable?); give the database's path")
        if option == "-":
            raise InputError("--db - is not a database (a database cannot be read from stdin); give its path")
        return Path(option).expanduser()
    env = os.environ.get(ENV_DB)
    if env is not None:
        if not env.strip():
            raise InputError(f"${ENV_DB} is set but empty; give it the database's path, or unset it")
        return Path(env).expanduser()
    from policytrack.core.config import setting

    configured = setting("db")
    if configured:
        return Path(configured).expanduser()
    path = default_data_dir() / "policytrack.db"
    if create_default_dir:
        path.parent.mkdir(parents=True, exist_ok=True)
    return path
