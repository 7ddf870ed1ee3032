"""A prototype of `policytrack log` without typer or click, so that the framework's share of start-up is a
measured figure (benchmarks/startup.py): the same domain path as `cli/entries.py:log_cmd` (the language
chosen, the date parsed, the store opened, the entry validated and written with its revision, the source
linked, the confirmation printed), its arguments read by argparse.

    python benchmarks/log_without_typer.py [--db PATH] INDICATOR SUMMARY [--date D] [--effect N] ...
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(prog="log")
    parser.add_argument("--db")
    parser.add_argument("indicator")
    parser.add_argument("summary")
    parser.add_argument("--date", default="today")
    parser.add_argument("--effect", type=int, default=0)
    parser.add_argument("--source", default="")
    parser.add_argument("--note", default="")
    args = parser.parse_args()

    from policytrack.core import i18n
    from policytrack.core.dates import parse_date
    from policytrack.core.paths import resolve_db_path
    from policytrack.domain.entries import EventPart, linked, log_event
    from policytrack.domain.workspace import get_framework, open_store
    from policytrack.records.models import EntryInput

    i18n.choose()
    data = EntryInput(
        indicator=args.indicator,
        summary=args.summary,
        date=parse_date(args.date, date.today()),
        source=args.source,
        effect=args.effect,
        note=args.note,
    )
    store = open_store(Path(args.db) if args.db else resolve_db_path(None))
    try:
        fw = get_framework(store, None)
        (entry,) = log_event(
            store,
            [EventPart(fw, args.indicator, args.effect)],
            linked(store, data, None, None),
            allow_duplicate=True,
        )
    finally:
        store.close()
    sys.stdout.write(
        i18n._("Logged entry {id} for {indicator}, dated {date}").format(
            id=entry.id, indicator=entry.indicator, date=entry.date.shown
        )
        + "\n"
    )


if __name__ == "__main__":
    main()
