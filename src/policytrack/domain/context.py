"""Who and when: the analyst (from POLICYTRACK_ANALYST or the login), the framework chosen by
POLICYTRACK_FRAMEWORK, and the clock, each read and checked in one place."""

from __future__ import annotations

import os
from datetime import UTC, datetime

from policytrack.core.config import setting
from policytrack.core.errors import InputError
from policytrack.core.i18n import _
from policytrack.core.storable import storable
from policytrack.records.field import UNDETERMINED
from policytrack.records.models import DEFAULT_FRAMEWORK

ENV_ANALYST = "POLICYTRACK_ANALYST"
ENV_FRAMEWORK = "POLICYTRACK_FRAMEWORK"


def utc_now() -> str:
    """A UTC timestamp in ISO 8601 with microseconds, as stored in `recorded_at`/`changed_at`."""
    return datetime.now(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def env_text(name: str) -> str:
    """An environment variable's value, checked like any other input ('' when unset)."""
    value = os.environ.get(name, "")
    if not storable(value):
        raise InputError(_("${name} is not valid UTF-8 text; set it again (or unset it)").format(name=name))
    return value


def default_analyst() -> str:
    """POLICYTRACK_ANALYST, else the config file's analyst, else the login name."""
    env = env_text(ENV_ANALYST).strip()
    if env:
        return env
    configured = setting("analyst")
    if configured:
        return str(configured).strip()
    try:
        import getpass  # only when no POLICYTRACK_ANALYST is set

        login = getpass.getuser()
        return login if storable(login) else "unknown"
    except Exception:  # getpass raises OSError or KeyError when no login name can be found
        return "unknown"


def default_framework_name() -> str:
    """POLICYTRACK_FRAMEWORK, else the config file's framework, else the embedded Mali framework."""
    return env_text(ENV_FRAMEWORK) or setting("framework") or DEFAULT_FRAMEWORK


def default_language() -> str:
    """The language a new entry or source is written in when none is given: the config file's `language`,
    else und (not said)."""
    configured = setting("language")
    return str(configured) if configured else UNDETERMINED
