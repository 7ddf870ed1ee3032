"""The config file: defaults an analyst sets once (database, analyst, framework, stale days, date order,
colour). Precedence, everywhere: a command-line option, then the environment, then this file, then the
built-in default.

The file is `$POLICYTRACK_CONFIG`, else `config.toml` in the platform's user config folder
(`~/.config/policytrack/` on Linux). It is read like any other input: unknown keys and bad values are named
with the file and line, and a file that is not a small regular TOML file is refused.
"""

from __future__ import annotations

import json
import os
import re
import sys
from functools import cache
from pathlib import Path
from typing import Any

from policytrack.core.errors import InputError
from policytrack.core.i18n import N_, _, check_language

ENV_CONFIG = "POLICYTRACK_CONFIG"
MAX_CONFIG_BYTES = 64 * 1024

# key -> (what it sets, its kind); kinds: path, text, count, order, switch, language
KEYS: dict[str, tuple[str, str]] = {
    "db": (N_("the database file (like --db and $POLICYTRACK_DB)"), "path"),
    "analyst": (N_("who logs entries (like --analyst and $POLICYTRACK_ANALYST)"), "text"),
    "framework": (N_("the default framework (like -F and $POLICYTRACK_FRAMEWORK)"), "text"),
    "stale_days": (N_("days without evidence before an indicator is stale (like --stale-days)"), "count"),
    "date_order": (
        N_("how to read 01/02/2024: dayfirst or monthfirst (like --dayfirst, --monthfirst)"),
        "order",
    ),
    "color": (N_("false turns colour off (like --no-color and $NO_COLOR)"), "switch"),
    "display_name": (N_("your full name, as teammates see it through sync and in its commits"), "text"),
    "email": (N_("your e-mail in sync's commits (else git's own user.email)"), "text"),
    "language": (
        N_("the language of messages and dates, e.g. fr (like --lang; else LC_ALL, LANG)"),
        "language",
    ),
}


def config_path() -> Path:
    env = os.environ.get(ENV_CONFIG)
    if env is not None:
        if not env.strip():
            raise InputError(
                _("${name} is set but empty; give it the config file's path, or unset it").format(
                    name=ENV_CONFIG
                )
            )
        return Path(env).expanduser()
    if sys.platform.startswith("linux"):  # what platformdirs answers there, without its import on every start
        base = os.environ.get("XDG_CONFIG_HOME", "").strip() or str(Path.home() / ".config")
        return Path(base) / "policytrack" / "config.toml"
    from platformdirs import user_config_dir

    return Path(user_config_dir("policytrack", appauthor=False)) / "config.toml"


def _line(text: str, key: str) -> int:
    for number, line in enumerate(text.splitlines(), start=1):
        if re.match(rf"^\s*{re.escape(key)}\s*=", line):
            return number
    return 0


def check_value(key: str, value: Any, where: str = "") -> Any:
    """A config value checked against its key's kind; one error naming the key (and where) otherwise."""
    if key not in KEYS:
        raise InputError(
            where
            + _("unknown config key {key!r}; use one of {keys}, or remove it").format(
                key=key, keys=", ".join(KEYS)
            )
        )
    kind = KEYS[key][1]
    if kind in ("path", "text"):
        from policytrack.core.storable import storable

        if not isinstance(value, str) or not value.strip() or not storable(value):
            raise InputError(where + _("{key} must be non-empty text").format(key=key))
        control = next((c for c in value if c < " " or "\x7f" <= c <= "\x9f"), None)
        if control is not None:  # a name or a path never holds one; a terminal would run it when shown
            problem = _(
                "{key} holds a control character (U+{code}); set it without one (`policytrack config set "
                "{key} VALUE`) or remove it (`policytrack config unset {key}`)"
            )
            raise InputError(where + problem.format(key=key, code=f"{ord(control):04X}"))
        return value
    if kind == "count":
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 100_000:
            raise InputError(
                where + _("{key} must be a whole number of days from 1 to 100000").format(key=key)
            )
        return value
    if kind == "language":
        check_language(value, f"{where}{key}")
        return value
    if kind == "order":
        if value not in ("dayfirst", "monthfirst"):
            raise InputError(where + _("{key} must be dayfirst or monthfirst").format(key=key))
        return value
    if not isinstance(value, bool):
        raise InputError(where + _("{key} must be true or false").format(key=key))
    return value


def read_config(path: Path) -> dict[str, Any]:
    """The settings of a config file ({} when there is none), every one checked: the first problem is an
    error naming the file, the line, the key and the fix."""
    data, problems = read_config_parts(path)
    if problems:
        raise InputError(next(iter(problems.values())))
    return data


def read_config_parts(path: Path) -> tuple[dict[str, Any], dict[str, str]]:
    """The settings of a config file that can be read, and for each key that cannot, why (with the file,
    the line and the fix): what `config list`, `set` and `unset` work with, so that one bad value never
    locks the file against the commands that repair it."""
    import stat

    try:
        st = path.stat()
    except FileNotFoundError:
        return {}, {}
    except OSError as exc:
        raise InputError(
            _("cannot read config file {path}: {why}").format(path=path, why=exc.strerror)
        ) from None
    import tomllib  # only when there is a file: most commands start without it

    if not stat.S_ISREG(st.st_mode) or st.st_size > MAX_CONFIG_BYTES:
        raise InputError(
            _("config file {path} is not a small regular file; fix it, or point ${name} elsewhere").format(
                path=path, name=ENV_CONFIG
            )
        )
    try:
        text = path.read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(
            _("config file {path} is not valid TOML ({why}); fix it or remove it").format(path=path, why=exc)
        ) from None
    try:
        found = tomllib.loads(text)
    except (ValueError, RecursionError) as exc:
        found = _by_line(path, text, exc)
    data: dict[str, Any] = {}
    problems: dict[str, str] = {}
    for key, value in found.items():
        if isinstance(value, _Unreadable):
            problems[key] = value.why
            continue
        line = _line(text, key)
        try:
            data[key] = check_value(key, value, f"{path}:{line}: " if line else f"{path}: ")
        except InputError as exc:
            problems[key] = str(exc)
    return data, problems


class _Unreadable:
    def __init__(self, why: str) -> None:
        self.why = why


def _by_line(path: Path, text: str, error: Exception) -> dict[str, Any]:
    """A file that is not TOML as a whole, read a line at a time, as this program writes it (`key =
    value`): a line that is not TOML is its key's problem (a value an older version wrote with a raw
    control character); a line with no key is the file's."""
    import tomllib

    found: dict[str, Any] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        try:
            found.update(tomllib.loads(line))
        except (ValueError, RecursionError) as exc:
            named = re.match(r"^\s*([A-Za-z0-9_-]+)\s*=", line)
            if named is None:
                raise InputError(
                    _("config file {path} is not valid TOML ({why}); fix it or remove it").format(
                        path=path, why=error
                    )
                ) from None
            key = named.group(1)
            problem = _(
                "{key} is not valid TOML ({why}); set it again (`policytrack config set {key} VALUE`) or "
                "remove it (`policytrack config unset {key}`)"
            )
            found[key] = _Unreadable(f"{path}:{number}: " + problem.format(key=key, why=exc))
    return found


@cache
def settings() -> dict[str, Any]:
    """This process's config (read once)."""
    return read_config(config_path())


def setting(key: str) -> Any:
    return settings().get(key)


def config_text(data: dict[str, Any]) -> str:
    """The settings as the text of a config file (TOML), in the order of KEYS."""
    lines = ["# policytrack settings: `policytrack config list` describes them.\n"]
    for key in KEYS:
        if key in data:
            value = data[key]
            if isinstance(value, bool):
                text = "true" if value else "false"
            else:
                text = json.dumps(value, ensure_ascii=False)  # a TOML basic string, or an integer
            lines.append(f"{key} = {text}\n")
    return "".join(lines)


def check_text(path: Path, text: str) -> None:
    """Refuse to write `text` as the config file `path` unless the reader reads it back as it is: a
    value the reader would refuse is refused before it is written (one error naming the key)."""
    import tomllib

    try:
        found = tomllib.loads(text)
    except ValueError as exc:
        raise InputError(
            _("that value cannot be written into {path} ({why}); give another").format(path=path, why=exc)
        ) from None
    for key, value in found.items():
        line = _line(text, key)
        check_value(key, value, f"{path}:{line}: " if line else f"{path}: ")


def parse_value(key: str, raw: str) -> Any:
    """A value typed at `policytrack config set KEY VALUE`, as its key's kind."""
    if key not in KEYS:
        raise InputError(
            _("unknown config key {key!r}; use one of {keys}").format(key=key, keys=", ".join(KEYS))
        )
    kind = KEYS[key][1]
    if kind == "count":
        if not (raw.isascii() and raw.isdigit() and len(raw) <= 6):
            raise InputError(_("{key} must be a whole number of days from 1 to 100000").format(key=key))
        return check_value(key, int(raw))
    if kind == "switch":
        if raw.lower() not in ("true", "false"):
            raise InputError(_("{key} must be true or false").format(key=key))
        return raw.lower() == "true"
    return check_value(key, raw)
