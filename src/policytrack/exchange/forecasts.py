"""Forecasts in and out: `export forecasts` (csv, json, jsonl) and their import, from such a file or from
another policytrack database, merged by uuid. Every record is checked before anything is written."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
import uuid as uuidlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from policytrack.core.dates import PartialDate, parse_date
from policytrack.core.errors import DateError, InputError, PolicytrackError
from policytrack.core.i18n import _
from policytrack.core.i18n import number as shown_number
from policytrack.core.storable import MAX_FIELD
from policytrack.domain.context import default_analyst, utc_now
from policytrack.domain.forecasts import ForecastInput, checked_values, made_in_time, may_withdraw
from policytrack.exchange.rowcheck import utc_timestamp
from policytrack.records.columns import restore_neutralised
from policytrack.records.forecast import FORECAST, FORECAST_LISTED, IMPORT_REQUIRED
from policytrack.records.models import Framework
from policytrack.store import Store, connect_read_only

MAX_FILE = 64 * MAX_FIELD  # characters: a forecasts file is read whole
_REQUIRED = IMPORT_REQUIRED
_KNOWN = frozenset(FORECAST_LISTED.names())  # what `forecasts --json` adds (band, outcome) is ignored
MAX_SHOWN_ERRORS = 20


class ForecastRowsError(PolicytrackError):
    """Records of a forecasts file are invalid; nothing was written."""

    def __init__(self, source: str, errors: list[str], total: int) -> None:
        self.errors, self.total = errors, total
        super().__init__(f"{source}: {total} invalid forecast(s); nothing was imported")


@dataclass
class ForecastImport:
    added: int = 0
    updated: int = 0
    unchanged: int = 0

    @property
    def total(self) -> int:
        return self.added + self.updated + self.unchanged

    def summary(self) -> str:
        return f"forecasts: {self.added} added, {self.updated} updated, {self.unchanged} unchanged"


def file_records(path: Path, name: str) -> Iterator[tuple[int, dict[str, Any]]]:
    """A forecasts file (CSV, JSONL or a JSON array, as `export forecasts` writes them) as records."""
    try:
        with path.open("r", encoding="utf-8-sig", newline="") as handle:
            text = handle.read(MAX_FILE + 1)
    except OSError as exc:
        raise InputError(
            _("cannot read {name}: {strerror}").format(name=name, strerror=exc.strerror)
        ) from None
    except UnicodeDecodeError as exc:
        raise InputError(
            _("{name} is not UTF-8 (byte {start}); save it as UTF-8").format(name=name, start=exc.start)
        ) from None
    if len(text) > MAX_FILE:
        raise InputError(
            _("{name} is over {max_file} characters; is it a forecasts file?").format(
                name=name, max_file=shown_number(MAX_FILE)
            )
        )
    stripped = text.lstrip()
    if stripped.startswith("["):
        data = _json(text, name)
        if not isinstance(data, list):
            raise InputError(_("{name}: a JSON file must hold a list of objects").format(name=name))
        yield from enumerate(data, start=1)
    elif stripped.startswith("{"):
        for number, line in enumerate(text.splitlines(), start=1):
            if line.strip():
                yield number, _json(line, f"{name}: line {number}")
    else:
        reader = csv.DictReader(io.StringIO(text, newline=""))
        try:
            for row in reader:
                if None in row:
                    raise InputError(
                        _("{name}: line {line_num}: more cells than the header has").format(
                            name=name, line_num=reader.line_num
                        )
                    )
                yield (
                    reader.line_num,
                    {k: restore_neutralised(v) if k in ("note", "analyst") else v for k, v in row.items()},
                )
        except csv.Error as exc:
            raise InputError(_("{name}: not valid CSV ({exc})").format(name=name, exc=exc)) from None


def _json(text: str, where: str) -> Any:
    try:
        return json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise InputError(_("{where}: not valid JSON ({exc})").format(where=where, exc=exc)) from None


def database_records(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """Another policytrack database's forecasts (none if it predates them)."""
    try:
        conn = connect_read_only(path)
    except sqlite3.Error as exc:
        raise InputError(_("cannot read {path}: {exc}").format(path=path, exc=exc)) from None
    conn.row_factory = sqlite3.Row
    try:
        has = conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'forecasts'"
        ).fetchone()
        if not has:
            return
        rows = conn.execute(
            """SELECT fc.*, i.key AS indicator, f.name AS framework FROM forecasts fc
               JOIN indicators i ON i.id = fc.indicator_id JOIN frameworks f ON f.id = i.framework_id
               ORDER BY fc.id"""
        ).fetchall()
    except sqlite3.Error as exc:
        raise InputError(_("cannot read the forecasts of {path}: {exc}").format(path=path, exc=exc)) from None
    finally:
        conn.close()
    for number, row in enumerate(rows, start=1):
        yield number, {k: row[k] for k in row.keys() if k in _KNOWN}  # noqa: SIM118


def _text(rec: dict[str, Any], key: str) -> str:
    value = rec.get(key)
    if value is None:
        return ""
    if not isinstance(value, str | int) or isinstance(value, bool):
        raise InputError(_("{key} must be text, not {kind}").format(key=key, kind=type(value).__name__))
    return str(value)


def _values(fw: Framework, rec: Any, today: date) -> dict[str, Any]:
    """One record's stored values, checked as `forecast` checks its options (a past due date is fine: the
    record is of a forecast made then)."""
    if not isinstance(rec, dict):
        raise InputError(_("each record must be an object"))
    unknown = [k for k in rec if k not in _KNOWN]
    if unknown:
        raise InputError(
            _("unknown field {field} (known: {exported})").format(
                field=", ".join(map(repr, unknown)), exported=", ".join(FORECAST.exported())
            )
        )
    missing = [k for k in _REQUIRED if not _text(rec, k).strip()]
    if missing:
        raise InputError(
            _("missing {missing}: a forecast needs {required}").format(
                missing=", ".join(missing), required=", ".join(_REQUIRED)
            )
        )
    named = _text(rec, "framework").strip()
    if named and named != fw.name:
        raise InputError(
            _("the forecast is for framework {named!r}, not {name!r}: import with -F {named}").format(
                named=named, name=fw.name
            )
        )
    try:  # as `forecast --by` reads it
        due = parse_date(_text(rec, "due").strip(), today, allow_future=True)
    except DateError as exc:
        raise DateError(_("due: {exc}").format(exc=exc)) from None
    values = checked_values(
        fw,
        ForecastInput(
            indicator=_text(rec, "indicator"),
            level=_text(rec, "level"),
            due=due,
            likelihood=_text(rec, "likelihood"),
            confidence=_text(rec, "confidence") or None,
            note=_text(rec, "note"),
            analyst=_text(rec, "analyst") or default_analyst(),
        ),
    )
    uuid = _text(rec, "uuid").strip()
    if uuid:
        try:
            uuid = str(uuidlib.UUID(uuid))
        except ValueError:
            raise InputError(_("uuid {uuid!r} is not a UUID").format(uuid=uuid)) from None
    made = _text(rec, "made_on").strip()
    try:
        made_on = date.fromisoformat(made) if made else today
    except ValueError:
        raise InputError(_("made_on {made!r} is not a date such as 2026-11-27").format(made=made)) from None
    if not made_in_time(made_on, due):
        raise InputError(
            _(
                "made_on {made} is after the due date {due} (its last day {last}): a forecast "
                "is made before its outcome; fix made_on or due"
            ).format(made=made_on.isoformat(), due=due, last=due.end.isoformat())
        )
    withdrawn = utc_timestamp(_text(rec, "withdrawn_at").strip(), "withdrawn_at")
    # a withdrawal that names no one is the forecaster's: only they withdraw (may_withdraw)
    forecaster = str(values["analyst"])
    by = (_text(rec, "withdrawn_by").strip() or forecaster) if withdrawn else None
    if withdrawn is not None and by is not None:
        _check_withdrawal(forecaster, by, withdrawn, due)
    return values | {
        "uuid": uuid or str(uuidlib.uuid4()),
        "made_on": made_on.isoformat(),
        "recorded_at": utc_timestamp(_text(rec, "recorded_at").strip(), "recorded_at") or utc_now(),
        "withdrawn_at": withdrawn,
        "withdrawn_by": by,
    }


def _check_withdrawal(analyst: str, by: str, withdrawn_at: str, due: PartialDate) -> None:
    """A record's withdrawal, held to `withdraw`'s rule (domain.forecasts.may_withdraw)."""
    try:
        on = date.fromisoformat(withdrawn_at[:10])
    except ValueError:
        raise InputError(
            _("withdrawn_at {withdrawn_at!r} is not a time such as 2026-11-27T09:30:00Z").format(
                withdrawn_at=withdrawn_at[:40]
            )
        ) from None
    if by != analyst:
        raise InputError(
            _(
                "withdrawn_by {by!r} is not the forecaster {analyst!r}: only the forecaster withdraws a "
                "forecast; leave withdrawn_at and withdrawn_by empty, or name the forecaster"
            ).format(by=by[:40], analyst=analyst[:40])
        )
    if not may_withdraw(analyst, by, on, due):
        raise InputError(
            _(
                "withdrawn_at {withdrawn_at!r} is after the due date {due}: the forecast had resolved and "
                "its score stands; leave withdrawn_at and withdrawn_by empty"
            ).format(withdrawn_at=withdrawn_at[:40], due=due)
        )


def forecast_values(fw: Framework, rec: Any, today: date) -> dict[str, Any]:
    """One forecast record's stored values, checked as import checks a file's (sync's lines too)."""
    return _values(fw, rec, today)


def import_forecasts(
    store: Store,
    fw: Framework,
    records: Iterator[tuple[int, dict[str, Any]]],
    source: str,
    *,
    today: date | None = None,
    skip_other_frameworks: bool = False,
) -> ForecastImport:
    """Check every record, then merge them by uuid inside the caller's transaction (or one of its own);
    raise ForecastRowsError, writing nothing, if any is invalid."""
    today = today or date.today()
    checked: list[dict[str, Any]] = []
    errors: list[str] = []
    seen: set[str] = set()
    total = 0
    for number, rec in records:
        if skip_other_frameworks and isinstance(rec, dict) and rec.get("framework") not in (None, fw.name):
            continue
        try:
            values = _values(fw, rec, today)
            if values["uuid"] in seen:
                raise InputError(_("uuid {values} appears twice").format(values=values["uuid"]))
            seen.add(values["uuid"])
            checked.append(values)
        except PolicytrackError as exc:
            total += 1
            if len(errors) < MAX_SHOWN_ERRORS:
                errors.append(f"line {number}: {exc}")
    if total:
        raise ForecastRowsError(source, errors, total)
    result = ForecastImport()
    with store.transaction():
        for values in checked:
            setattr(result, (kind := store.merge_forecast(values)), getattr(result, kind) + 1)
    return result
