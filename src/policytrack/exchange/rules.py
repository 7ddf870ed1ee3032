"""Rules files: `[[rule]]` tables that suggest (never decide) an indicator, an effect, a signal, a
credibility and a source for candidates that match. Read and checked here (file and line for any problem);
applied by domain/inbox.py.

    [[rule]]
    name = "aes-treaty"
    when = { text = "~(?i)confederation of sahel states", country = ["Mali", "ML"] }
    suggest = { indicator = "regional", effect = 1 }

`when`: each field must match (a value is equal ignoring case, `~regex` searches, a list matches any of
its items); fields are the raw record's columns, a candidate's fields, and `text` (title and summary).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from policytrack.core.errors import InputError
from policytrack.core.i18n import _
from policytrack.records.candidate import SUGGESTS

_RULE_KEYS = ("name", "when", "suggest")
# The rules that ship, one file per built-in framework (its name), applied when no --rules is given.
RULES_DIR = Path(__file__).resolve().parents[1] / "domain" / "frameworks" / "rules"
_FIELD = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


@dataclass(frozen=True)
class Test:
    """One field's test: equal to one of `values` (folded), or matching one of `patterns`."""

    field: str
    values: tuple[str, ...]
    patterns: tuple[re.Pattern[str], ...]

    def matches(self, value: str) -> bool:
        folded = value.casefold()
        return any(v == folded for v in self.values) or any(p.search(value) for p in self.patterns)


@dataclass(frozen=True)
class Rule:
    name: str
    tests: tuple[Test, ...]
    suggest: dict[str, Any]


def _lines(text: str) -> list[int]:
    """The line of each `[[rule]]` header, in order (tomllib gives no positions)."""
    return [
        n for n, line in enumerate(text.splitlines(), start=1) if re.match(r"^\s*\[\[\s*rule\s*\]\]", line)
    ]


def read_rules(path: Path) -> list[Rule]:
    import tomllib

    from policytrack.exchange.datasets import decoded

    name = str(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(
            _("cannot read the rules file {name} ({problem})").format(name=name, problem=exc.strerror)
        ) from None
    text = decoded(data, name)
    try:
        table = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(
            _("{name}: not a TOML file ({problem}); fix that line").format(name=name, problem=exc)
        ) from None
    unknown = [k for k in table if k != "rule"]
    if unknown or not isinstance(table.get("rule"), list):
        raise InputError(_("{name}: a rules file holds [[rule]] tables only").format(name=name))
    lines = _lines(text)
    rules = []
    for n, raw in enumerate(table["rule"]):
        where = _("{name} line {line}").format(name=name, line=lines[n] if n < len(lines) else "?")
        rules.append(_rule(raw, where))
    return rules


def _rule(raw: Any, where: str) -> Rule:
    for key in raw:
        if key not in _RULE_KEYS:
            raise InputError(
                _("{where}: unknown field {key!r} in a rule; a rule has {known}").format(
                    where=where, key=key, known=", ".join(_RULE_KEYS)
                )
            )
    name, when, suggest = raw.get("name"), raw.get("when"), raw.get("suggest")
    if not isinstance(name, str) or not name.strip():
        raise InputError(_('{where}: the rule has no name; give it name = "..."').format(where=where))
    if not isinstance(when, dict) or not when:
        raise InputError(_("{where}: rule {rule!r} has no `when` table").format(where=where, rule=name))
    if not isinstance(suggest, dict) or not suggest:
        raise InputError(_("{where}: rule {rule!r} has no `suggest` table").format(where=where, rule=name))
    for key, value in suggest.items():
        if key not in SUGGESTS:
            raise InputError(
                _("{where}: rule {rule!r} suggests an unknown field {key!r}; it may suggest {known}").format(
                    where=where, rule=name, key=key, known=", ".join(SUGGESTS)
                )
            )
        if key == "effect" and (
            not isinstance(value, int) or isinstance(value, bool) or not -2 <= value <= 2
        ):
            raise InputError(
                _("{where}: rule {rule!r}: effect is a whole number from -2 to 2").format(
                    where=where, rule=name
                )
            )
        if key != "effect" and not isinstance(value, str | int):
            raise InputError(
                _("{where}: rule {rule!r}: {key} is text").format(where=where, rule=name, key=key)
            )
    tests = []
    for field, wanted in when.items():
        if not _FIELD.match(field):
            raise InputError(
                _("{where}: rule {rule!r}: {field!r} is not a field name").format(
                    where=where, rule=name, field=field
                )
            )
        items = wanted if isinstance(wanted, list) else [wanted]
        values, patterns = [], []
        for item in items:
            if not isinstance(item, str | int | float) or isinstance(item, bool):
                raise InputError(
                    _("{where}: rule {rule!r}: {field} takes text, ~regex or a list of them").format(
                        where=where, rule=name, field=field
                    )
                )
            text = str(item)
            if text.startswith("~"):
                try:
                    patterns.append(re.compile(text[1:]))
                except re.error as exc:
                    raise InputError(
                        _("{where}: rule {rule!r}: bad regular expression {pattern!r} ({problem})").format(
                            where=where, rule=name, pattern=text[1:], problem=exc
                        )
                    ) from None
            else:
                values.append(text.casefold())
        tests.append(Test(field, tuple(values), tuple(patterns)))
    return Rule(name.strip(), tuple(tests), {k: (str(v) if k != "effect" else v) for k, v in suggest.items()})
