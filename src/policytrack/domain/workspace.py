"""The database a command works on: opened (created and migrated if need be) with at least the default
framework, and the framework a command names, or the default one."""

from __future__ import annotations

from pathlib import Path

from policytrack.core.errors import DatabaseError, InputError
from policytrack.core.i18n import _
from policytrack.domain.context import default_framework_name, utc_now
from policytrack.records.models import DEFAULT_FRAMEWORK, Framework
from policytrack.store import Store


def open_store(path: Path) -> Store:
    """Open (creating and migrating if need be) a database holding at least the default framework."""
    store = Store(path)
    try:
        if not store.framework_names():
            if store.read_only:
                raise DatabaseError(_("database {path} is empty and read-only").format(path=path))
            # The loader (tomllib, importlib.resources) is needed only here, not on every command.
            from policytrack.domain.frameworks.install import install
            from policytrack.domain.frameworks.parse import builtin_path

            # Check again under the write lock: another process may have just created this database.
            with store.transaction():
                if not store.framework_names():
                    install(store, builtin_path(DEFAULT_FRAMEWORK), utc_now())
    except BaseException:
        store.close()
        raise
    return store


def get_framework(store: Store, name: str | None = None) -> Framework:
    """The framework called `name`, else POLICYTRACK_FRAMEWORK's, else the embedded default."""
    wanted = name or default_framework_name()
    fw = store.framework(wanted)
    if fw is None:
        from policytrack.domain.frameworks.install import builtin_names  # only on this error

        names = ", ".join(store.framework_names()) or "none"
        if wanted in builtin_names():
            raise InputError(
                _(
                    "framework {wanted!r} is built in but not loaded in this database (it has: {names}); "
                    "load it with `policytrack framework add {wanted}`"
                ).format(wanted=wanted, names=names)
            )
        raise InputError(
            _(
                "unknown framework {wanted!r}; this database has: {names} (`policytrack framework add "
                "FILE` loads another)"
            ).format(wanted=wanted, names=names)
        )
    return fw
