"""Reading candidates from the files people download: ACLED and UCDP exports (their layouts are declared in
records/candidate.py), any sheet with a column map (`--kind csv --map FILE`), GDELT and ReliefWeb API
responses saved as JSON. RSS and Atom are in exchange/feeds.py.

Every reader gives `Incoming` records (a candidate's fields as read, and the raw record) and refuses a file
it cannot read with one line that names the file, what is wrong and the fix. Nothing is written here.
"""

from __future__ import annotations

import csv
import functools
import hashlib
import io
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import IO, Any, TypeVar

from policytrack.core.dates import PartialDate, stored_date
from policytrack.core.errors import InputError
from policytrack.core.i18n import _
from policytrack.core.storable import MAX_FIELD
from policytrack.records.candidate import DELETIONS, LAYOUTS, Layout

# A file's bytes at most (a larger export is split by the user, or read through a feed in parts).
MAX_BYTES = 2 * 1024**3
# GDELT codes countries in FIPS 10-4; a candidate keeps ISO 3166 alpha-2. The codes that differ in the
# region the built-in frameworks follow and among their partners (CH is China in FIPS, Switzerland in ISO).
FIPS_TO_ISO = {
    "CH": "CN",
    "SZ": "CH",
    "NG": "NE",
    "NI": "NG",
    "UV": "BF",
    "CD": "TD",
    "AG": "DZ",
    "SG": "SN",
    "GV": "GN",
    "IV": "CI",
    "RS": "RU",
    "UK": "GB",
}
_T = TypeVar("_T")
_YEAR_FIRST = re.compile(r"^\d{4}-\d{2}-\d{2}")


@dataclass
class Incoming:
    """One record read: its id in the dataset, the candidate's fields, the raw record and its version."""

    external_id: str
    raw: dict[str, Any]
    title: str = ""
    summary: str = ""
    date: str = ""
    date_start: str = ""
    date_precision: str = "day"
    actors: list[str] = field(default_factory=list)
    location: str = ""
    country: str = ""
    source: str = ""
    url: str = ""
    fatalities: int | None = None
    version: str = ""
    # what fills the fields above from `raw` when they are first needed (None: filled): a pull compares
    # each record's version with the stored one first, and builds only those that are new or changed
    fill: Callable[[Incoming], None] | None = field(default=None, repr=False, compare=False)

    def complete(self) -> Incoming:
        """The record with every field read (a bad cell raises InputError here)."""
        if self.fill is not None:
            fill, self.fill = self.fill, None
            fill(self)
        return self


@dataclass
class Batch:
    """What one file gave: its dataset and licence, its records, and the ids it withdraws."""

    dataset: str
    licence: str
    records: Iterator[Incoming]
    deleted: list[tuple[str, str]] = field(default_factory=list)
    # the sha256 of what was read (exchange/inbox.py): a pull of the same bytes again is skipped whole
    digest: str = ""


def decoded(data: bytes, name: str) -> str:
    """The bytes as UTF-8 (a BOM allowed); another encoding named, with the fix."""
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        raise InputError(_("{name} is UTF-16 encoded; save it as UTF-8").format(name=name))
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        guess = "Latin-1 (ISO 8859-1) or Windows-1252" if max(data) >= 0x80 else "not text"
        raise InputError(
            _("{name} is not UTF-8 (byte {byte}; it looks like {guess}); save it as UTF-8").format(
                name=name, byte=exc.start, guess=guess
            )
        ) from None


def content_hash(raw: dict[str, Any]) -> str:
    """A record's version where its dataset gives none: a hash of its content."""
    text = json.dumps(raw, sort_keys=True, ensure_ascii=False)
    return "sha1:" + hashlib.sha1(text.encode("utf-8"), usedforsecurity=False).hexdigest()[:20]


def event_date(raw: str, precision: str, where: str) -> tuple[str, str, str]:
    """A dataset's date (YYYY-MM-DD, or a stored form) kept at `precision`: (date, first day, precision)."""
    text = raw.strip()[:10] if _YEAR_FIRST.match(raw.strip()) else raw.strip()
    found = stored_date(text, date.max, allow_future=True)
    if found is None:
        raise InputError(
            _("{where}: date {raw!r} is not YYYY-MM-DD; check that the file is the dataset's export").format(
                where=where, raw=raw[:40]
            )
        )
    if precision in ("month", "year") and found.precision == "day":
        first = found.start.replace(day=1) if precision == "month" else found.start.replace(month=1, day=1)
        found = PartialDate(first, precision)  # type: ignore[arg-type]
    return str(found), found.start.isoformat(), found.precision


def _count(value: str) -> int | None:
    text = value.strip()
    if not text:
        return None
    try:
        number = int(float(text))
    except ValueError:
        return None
    return number if number >= 0 else None


def text_of(source: bytes | IO[bytes], name: str) -> IO[str]:
    """A file's text, decoded as it is read (UTF-8, a BOM allowed); UTF-16 refused up front."""
    raw = io.BytesIO(source) if isinstance(source, bytes) else source
    head = raw.read(2)
    if head in (b"\xff\xfe", b"\xfe\xff"):
        raise InputError(_("{name} is UTF-16 encoded; save it as UTF-8").format(name=name))
    raw.seek(0)
    return io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")


def _not_utf8(name: str, exc: UnicodeDecodeError) -> InputError:
    return InputError(
        _(
            "{name} is not UTF-8 (byte {byte} of a block; it looks like Latin-1 or Windows-1252); save it as "
            "UTF-8"
        ).format(name=name, byte=exc.start)
    )


def _rows(stream: IO[str], name: str) -> tuple[list[str], Iterator[list[str]]]:
    reader = csv.reader(stream)
    try:
        header = next(reader)
    except UnicodeDecodeError as exc:
        raise _not_utf8(name, exc) from None
    except StopIteration:
        raise InputError(_("{name} is empty; give the dataset's CSV export").format(name=name)) from None
    except csv.Error as exc:
        raise InputError(_("{name}: not a CSV file ({problem})").format(name=name, problem=exc)) from None
    return [h.strip() for h in header], reader


def _missing(name: str, wanted: tuple[str, ...], header: list[str], kind: str) -> None:
    absent = [c for c in wanted if c not in header]
    if absent:
        raise InputError(
            _(
                "{name} lacks the column(s) {absent} that a {kind} file has (found: {found}); give the "
                "dataset's own export, or --kind csv with --map"
            ).format(name=name, absent=", ".join(absent), kind=kind, found=", ".join(header[:12]) or "none")
        )


def _records(rows: Iterator[list[str]], header: list[str], name: str) -> Iterator[tuple[int, dict[str, str]]]:
    for number, row in _guarded(_sized(rows, header, name), name):
        _clean(row, name, number)
        yield number, dict(zip(header, row, strict=True))


def _guarded(rows: Iterator[_T], name: str) -> Iterator[_T]:
    """The rows of a CSV file; a file that is not UTF-8 or not CSV stops with one line that says so."""
    try:
        yield from rows
    except UnicodeDecodeError as exc:
        raise _not_utf8(name, exc) from None
    except csv.Error as exc:
        raise InputError(_("{name}: not a CSV file ({problem})").format(name=name, problem=exc)) from None


def _sized(rows: Iterator[list[str]], header: list[str], name: str) -> Iterator[tuple[int, list[str]]]:
    """Each row that is not blank, with its line number; a row of another width stops the read (a
    truncated or damaged file)."""
    width = len(header)
    for number, row in enumerate(rows, start=2):
        if not row:
            continue
        if len(row) != width:
            raise InputError(
                _(
                    "{name} line {line}: {found} cells where the header has {width} (a truncated or "
                    "damaged file?); download it again"
                ).format(name=name, line=number, found=len(row), width=width)
            )
        yield number, row


def _clean(row: list[str], name: str, number: int) -> None:
    """A row that may be stored: no NUL, no cell longer than a field may be."""
    joined = "".join(row)
    if "\x00" in joined or (len(joined) > MAX_FIELD and any(len(c) > MAX_FIELD for c in row)):
        raise InputError(
            _("{name} line {line}: a cell is too long or holds NUL; check the file").format(
                name=name, line=number
            )
        )


def read_layout(data: bytes | IO[bytes], name: str, kind: str) -> Batch:
    """An ACLED or UCDP export (or ACLED's list of deleted events) in its declared layout; columns the
    dataset added or dropped are tolerated where the required ones are there."""
    layout = LAYOUTS[kind]
    header, rows = _rows(text_of(data, name), name)
    if kind == "acled" and all(c in header for c in DELETIONS) and "event_date" not in header:
        deleted = [
            (rec[DELETIONS[0]].strip(), rec[DELETIONS[1]].strip()) for _n, rec in _records(rows, header, name)
        ]
        return Batch(layout.dataset, layout.licence, iter(()), deleted)
    _missing(name, layout.required, header, kind)
    return Batch(layout.dataset, layout.licence, _layout_records(layout, header, rows, name))


def _layout_records(
    layout: Layout, header: list[str], rows: Iterator[list[str]], name: str
) -> Iterator[Incoming]:
    """Each record with its id and version, read from its cells alone; the rest of its fields (and its
    checks) when the pull needs them (Incoming.complete): an unchanged record of a second pull costs its
    version's comparison, not a candidate built and thrown away."""
    fields = {k: v for k, v in layout.fields.items() if v in header}
    codes = layout.precision[1] if layout.precision and layout.precision[0] in header else None
    title_cols = [c for c in layout.title if c in header]
    actor_cols = [c for c in layout.actors if c in header]
    id_at = header.index(layout.id)
    version_at = header.index(layout.version) if layout.version in header else None

    def fill(item: Incoming, row: list[str], number: int) -> None:
        _clean(row, name, number)
        rec = item.raw or dict(zip(header, row, strict=True))
        precision = (
            codes.get(rec[layout.precision[0]].strip(), "day") if codes and layout.precision else "day"
        )
        day, start, precision = event_date(rec[fields["date"]], precision, f"{name} line {number}")
        actors: list[str] = []
        for col in actor_cols:
            for part in rec[col].split(";"):
                part = part.strip()
                if part and part not in actors:
                    actors.append(part)
        item.raw = rec
        item.title = " - ".join(rec[c].strip() for c in title_cols if rec[c].strip())
        item.summary = rec.get(fields.get("summary", ""), "").strip()
        item.date, item.date_start, item.date_precision = day, start, precision
        item.actors = actors
        item.location = ", ".join(
            p for p in (rec.get(fields.get("location", ""), "").strip(), rec.get("admin1", "").strip()) if p
        )
        item.country = rec.get(fields.get("country", ""), "").strip()
        item.source = rec.get(fields.get("source", ""), "").strip()
        item.fatalities = _count(rec.get(fields.get("fatalities", ""), ""))

    for number, row in _guarded(_sized(rows, header, name), name):
        ext = row[id_at].strip()
        if not ext:
            raise InputError(
                _("{name} line {line}: the {column} cell is empty; every record needs its id").format(
                    name=name, line=number, column=layout.id
                )
            )
        stamp = row[version_at].strip() if version_at is not None else ""
        raw: dict[str, Any] = {}
        if stamp.isdigit():
            version = stamp.zfill(20)
        elif stamp:
            version = stamp
        else:  # no version given: a hash of the record's content
            raw = dict(zip(header, row, strict=True))
            version = content_hash(raw)
        yield Incoming(ext, raw, version=version, fill=functools.partial(fill, row=row, number=number))


def read_map(data: bytes, name: str) -> dict[str, Any]:
    """A column map: candidate field = column name, with an optional `date_format` (strptime's), `dataset`
    and `licence`."""
    import tomllib

    from policytrack.records.candidate import MAPPABLE

    try:
        table = tomllib.loads(decoded(data, name))
    except tomllib.TOMLDecodeError as exc:
        raise InputError(
            _("{name}: not a TOML file ({problem}); fix that line").format(name=name, problem=exc)
        ) from None
    extra = ("date_format", "dataset", "licence")
    for key, value in table.items():
        if key not in MAPPABLE and key not in extra:
            raise InputError(
                _("{name}: unknown field {key!r}; a map names {known}").format(
                    name=name, key=key, known=", ".join((*MAPPABLE, *extra))
                )
            )
        if not isinstance(value, str) or not value.strip():
            raise InputError(_("{name}: {key} must be a column name (text)").format(name=name, key=key))
    if "external_id" not in table and "url" not in table:
        raise InputError(
            _("{name}: map external_id (or url) to the column that identifies a row").format(name=name)
        )
    if "date" not in table:
        raise InputError(_("{name}: map date to the column that holds each row's date").format(name=name))
    return table


def read_mapped(data: bytes | IO[bytes], name: str, mapping: dict[str, Any], default_dataset: str) -> Batch:
    """Any sheet, its columns given by a map (read_map)."""
    from datetime import datetime

    header, rows = _rows(text_of(data, name), name)
    columns = {k: v for k, v in mapping.items() if k not in ("date_format", "dataset", "licence")}
    _missing(name, tuple(columns.values()), header, "mapped")
    fmt = mapping.get("date_format")

    def records() -> Iterator[Incoming]:
        for number, rec in _records(rows, header, name):
            got = {k: rec[v].strip() for k, v in columns.items()}
            where = f"{name} line {number}"
            raw_date = got["date"]
            if fmt:
                try:
                    raw_date = datetime.strptime(raw_date, fmt).date().isoformat()
                except ValueError:
                    raise InputError(
                        _("{where}: date {raw!r} does not match the map's date_format {fmt!r}").format(
                            where=where, raw=got["date"][:40], fmt=fmt
                        )
                    ) from None
            day, start, precision = event_date(raw_date, "day", where)
            ext = got.get("external_id") or got.get("url", "")
            if not ext:
                raise InputError(_("{where}: the row has no id (nor url); fill it in").format(where=where))
            yield Incoming(
                ext,
                rec,
                title=got.get("title", ""),
                summary=got.get("summary", ""),
                date=day,
                date_start=start,
                date_precision=precision,
                actors=[a.strip() for a in got.get("actors", "").split(";") if a.strip()],
                location=got.get("location", ""),
                country=got.get("country", ""),
                source=got.get("source", ""),
                url=got.get("url", ""),
                fatalities=_count(got.get("fatalities", "")),
                version=content_hash(rec),
            )

    return Batch(str(mapping.get("dataset") or default_dataset), str(mapping.get("licence", "")), records())


def _json(data: bytes, name: str) -> Any:
    try:
        return json.loads(decoded(data, name))
    except (json.JSONDecodeError, RecursionError) as exc:
        raise InputError(
            _("{name}: not JSON ({problem}); save the API's response as it came").format(
                name=name, problem=exc
            )
        ) from None


def _text(value: Any) -> str:
    return value.strip()[:MAX_FIELD] if isinstance(value, str) else ""


def read_gdelt(data: bytes, name: str) -> Batch:
    """A GDELT response saved as JSON: the DOC API's `articles`, or event records (GLOBALEVENTID ...), whose
    FIPS country codes become ISO codes."""
    body = _json(data, name)
    items = body.get("articles") if isinstance(body, dict) else body
    if not isinstance(items, list):
        raise InputError(
            _(
                "{name} is not a GDELT response: it has no list of articles or events; save the API's JSON"
            ).format(name=name)
        )

    def records() -> Iterator[Incoming]:
        for n, item in enumerate(items, start=1):
            if not isinstance(item, dict):
                raise InputError(_("{name}: item {n} is not an object").format(name=name, n=n))
            where = f"{name} item {n}"
            if "GLOBALEVENTID" in item:
                ext = str(item["GLOBALEVENTID"])
                stamp = str(item.get("SQLDATE", ""))
                day = f"{stamp[:4]}-{stamp[4:6]}-{stamp[6:8]}"
                fips = _text(item.get("ActionGeo_CountryCode"))
                url = _text(item.get("SOURCEURL"))
                actors = [a for a in (_text(item.get("Actor1Name")), _text(item.get("Actor2Name"))) if a]
                title, place = url, _text(item.get("ActionGeo_FullName"))
                country = FIPS_TO_ISO.get(fips, fips)
            else:
                url = _text(item.get("url"))
                if not url:
                    raise InputError(
                        _("{where} has no url; save the API's JSON as it came").format(where=where)
                    )
                ext, stamp = url, _text(item.get("seendate"))
                day = f"{stamp[:4]}-{stamp[4:6]}-{stamp[6:8]}"
                title, place, actors = _text(item.get("title")), "", []
                country = _text(item.get("sourcecountry"))
            date_, start, precision = event_date(day, "day", where)
            yield Incoming(
                ext,
                item,
                title=title,
                summary=title,
                date=date_,
                date_start=start,
                date_precision=precision,
                actors=actors,
                location=place,
                country=country,
                source=_text(item.get("domain")),
                url=url,
                version=content_hash(item),
            )

    return Batch("gdelt", "GDELT Project (gdeltproject.org): free use with citation.", records())


def read_reliefweb(data: bytes, name: str) -> Batch:
    """A ReliefWeb API response saved as JSON (`data`: reports with their `fields`)."""
    body = _json(data, name)
    items = body.get("data") if isinstance(body, dict) else None
    if not isinstance(items, list):
        raise InputError(
            _("{name} is not a ReliefWeb response: it has no `data` list; save the API's JSON").format(
                name=name
            )
        )

    def names(value: Any) -> list[str]:
        found = value if isinstance(value, list) else [value] if isinstance(value, dict) else []
        return [_text(v.get("name")) for v in found if isinstance(v, dict) and _text(v.get("name"))]

    def records() -> Iterator[Incoming]:
        for n, item in enumerate(items, start=1):
            fields = item.get("fields") if isinstance(item, dict) else None
            if not isinstance(fields, dict) or not str(item.get("id", "")).strip():
                raise InputError(_("{name}: report {n} has no id or fields").format(name=name, n=n))
            when = fields["date"] if isinstance(fields.get("date"), dict) else {}
            stamp = _text(when.get("original")) or _text(when.get("created"))
            date_, start, precision = event_date(stamp, "day", f"{name} report {n}")
            yield Incoming(
                str(item["id"]).strip(),
                item,
                title=_text(fields.get("title")),
                summary=_text(fields.get("body"))[:2000] or _text(fields.get("title")),
                date=date_,
                date_start=start,
                date_precision=precision,
                country="; ".join(names(fields.get("country"))),
                source="; ".join(names(fields.get("source"))),
                url=_text(fields.get("url")) or _text(fields.get("url_alias")),
                version=content_hash(item),
            )

    return Batch("reliefweb", "ReliefWeb (reliefweb.int): cite each report's source.", records())
