"""`policytrack config ...`: the config file's path, its settings, and changing them.

Each command imports what it needs inside its body: start-up stays fast, since typer builds only the command
being run (cli.app_for).
"""

from __future__ import annotations

from typing import Annotated

import typer

from policytrack.cli.app import confirm
from policytrack.core.i18n import N_, _, language

config_app = typer.Typer(
    help=N_("Settings: defaults for the database, analyst, framework, stale days, date order and colour."),
    no_args_is_help=True,
)


def _repairing() -> None:
    """These commands repair a config file that cannot be read: their messages take the environment's
    language rather than failing on the file's (the one problem each command reports is the file's own)."""
    from contextlib import suppress

    from policytrack.core.errors import PolicytrackError

    with suppress(PolicytrackError):
        language()  # on a bad file it falls back to the environment's language


KeyArg = Annotated[
    str, typer.Argument(help=N_("A setting: db, analyst, framework, stale_days, date_order or color."))
]


@config_app.command(
    "path",
    epilog=N_("Example: policytrack config path"),
    help=N_("Print the config file's path ($POLICYTRACK_CONFIG, else the user config folder)."),
)
def path_cmd() -> None:
    from policytrack.core.config import config_path

    typer.echo(str(config_path()))


@config_app.command(
    "list",
    epilog=N_("Example: policytrack config list"),
    help=N_("Every setting: its value in the config file (or `-`), and what it sets."),
)
def list_cmd() -> None:
    from policytrack.cli.app import note
    from policytrack.core.config import KEYS, config_path, read_config_parts
    from policytrack.render.text import visible

    _repairing()
    data, problems = read_config_parts(config_path())
    for key, (meaning, _kind) in KEYS.items():
        value = data.get(key)
        shown = "-" if value is None else ("true" if value is True else "false" if value is False else value)
        shown = _("(unreadable: see below)") if key in problems else shown
        typer.echo(visible(f"{key} = {shown}    # {_(meaning)}"))
    for problem in problems.values():  # the rest of the file is shown; each bad value says how to fix it
        note(_("policytrack: warning: {problem}").format(problem=problem))


@config_app.command(
    "get",
    epilog=N_("Example: policytrack config get analyst"),
    help=N_("Print one setting's value in the config file (exit 1 if it is not set there)."),
)
def get_cmd(key: KeyArg) -> None:
    from policytrack.core.config import KEYS, config_path, read_config_parts
    from policytrack.core.errors import InputError
    from policytrack.render.text import visible

    _repairing()
    key = key.replace("-", "_")  # display-name is display_name
    if key not in KEYS:
        raise InputError(
            _("unknown config key {key!r}; use one of {keys}").format(key=key, keys=", ".join(KEYS))
        )
    data, problems = read_config_parts(config_path())
    if key in problems:
        raise InputError(problems[key])
    value = data.get(key)
    if value is None:
        raise InputError(
            _("{key} is not set in {path}; `policytrack config set {key} VALUE` sets it").format(
                key=key, path=config_path()
            )
        )
    typer.echo(visible(str(value).lower() if isinstance(value, bool) else str(value)))


@config_app.command(
    "set",
    epilog=N_("Example: policytrack config set date_order dayfirst"),
    help=N_("Set one setting in the config file (written atomically; the others are kept)."),
)
def set_cmd(
    ctx: typer.Context,
    key: KeyArg,
    value: Annotated[
        str, typer.Argument(help=N_("Its value (true/false for color, a number for stale_days)."))
    ],
) -> None:
    _change(ctx, key, value)


@config_app.command(
    "unset",
    epilog=N_("Example: policytrack config unset framework"),
    help=N_("Remove one setting from the config file: its built-in default applies again."),
)
def unset_cmd(ctx: typer.Context, key: KeyArg) -> None:
    _change(ctx, key, None)


def _change(ctx: typer.Context, key: str, raw: str | None) -> None:
    from policytrack.cli.output import write_bytes
    from policytrack.core.config import (
        KEYS,
        check_text,
        config_path,
        config_text,
        parse_value,
        read_config_parts,
        settings,
    )
    from policytrack.core.errors import InputError

    _repairing()
    key = key.replace("-", "_")  # display-name is display_name
    if key not in KEYS:
        raise InputError(
            _("unknown config key {key!r}; use one of {keys}").format(key=key, keys=", ".join(KEYS))
        )
    path = config_path()
    # A value that cannot be read is replaced by `set` or removed by `unset` of its own key; any other
    # change keeps the file as it is until it is (the file is never rewritten without a setting).
    data, problems = read_config_parts(path)
    others = [problem for name, problem in problems.items() if name != key]
    if others:
        raise InputError(others[0])
    if raw is None:
        data.pop(key, None)
    else:
        data[key] = parse_value(key, raw)
    text = config_text(data)
    check_text(path, text)  # what is written is what the reader reads back: the reader's own rule
    path.parent.mkdir(parents=True, exist_ok=True)
    write_bytes(path, text.encode("utf-8"))
    settings.cache_clear()
    done = _("{key} unset in {path}") if raw is None else _("{key} set in {path}")
    confirm(ctx, done.format(key=key, path=path), _("the setting {key}").format(key=key))
