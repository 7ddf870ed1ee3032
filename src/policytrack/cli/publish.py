"""`policytrack publish DIR`: a citable, Datasette-ready bundle (policytrack.exchange.publish); this module
renders the reports that go into it.

Each command imports the domain and rendering modules it needs inside its body: start-up stays fast,
since typer builds only the command being run (cli.app_for).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from policytrack.cli.app import app, confirm
from policytrack.cli.common import opened_store, read_date
from policytrack.cli.options import FrameworkOpt
from policytrack.cli.report import STALE_DAYS, _brief, _text, _view, _Window, display_names
from policytrack.core.i18n import N_, _
from policytrack.render.formats import DRAWING, output_format

if TYPE_CHECKING:
    from collections.abc import Iterator

    from policytrack.records.field import Kind
    from policytrack.records.models import Framework
    from policytrack.store import Store

# The report formats a bundle holds (each file named with its format's extension in render.formats).
PUBLISH_FORMATS = ("html", "markdown", "csv", "json", "xlsx")


@app.command(
    "publish",
    epilog=N_("Example: policytrack publish release-2024 --as-of 2024-12-31 --all-frameworks"),
    help=N_(
        "Write a citable bundle: reports, entries (csv, jsonl), indicators and framework "
        "files, a Frictionless\n"
        "datapackage.json, a public database copy with Datasette metadata.json (search on current_entries),\n"
        "CITATION.cff and a MANIFEST of sha256 sums. It holds the current state and public fields only (no\n"
        "earlier revision, no private note, none of the team's own tables) unless --with-history. The same\n"
        "data and --as-of give the same files."
    ),
)
def publish_cmd(
    ctx: typer.Context,
    directory: Annotated[Path, typer.Argument(help=N_("A new or empty directory to write the bundle into."))],
    as_of: Annotated[
        str | None, typer.Option("--as-of", help=N_("Publish as of this date (default today)."))
    ] = None,
    all_frameworks: Annotated[
        bool, typer.Option("--all-frameworks", help=N_("Every framework of the database."))
    ] = False,
    with_history: Annotated[
        bool,
        typer.Option(
            "--with-history",
            help=N_(
                "Keep every earlier revision (of entries, targets, framework versions) in the database "
                "copy: text an edit removed stays readable there. The bundle says so."
            ),
        ),
    ] = False,
    framework: FrameworkOpt = None,
    site: Annotated[
        bool,
        typer.Option(
            "--site",
            help=N_(
                "Also write a static website into DIR/site: an index, a page per indicator and per month, "
                "sources, search, an Atom feed and a sitemap (works from file:// and any static host)."
            ),
        ),
    ] = False,
    langs: Annotated[
        list[str] | None,
        typer.Option(
            "--lang",
            help=N_(
                "Language of the reports and the site (default en; never the config or the locale). "
                "Give it more than once for one site per language (DIR/site/LANG/)."
            ),
            metavar="CODE",
        ),
    ] = None,
    site_url: Annotated[
        str | None,
        typer.Option(
            "--site-url", help=N_("The http(s) address the site will be served from (sitemap, feed).")
        ),
    ] = None,
) -> None:
    from policytrack.core.config import setting
    from policytrack.core.errors import InputError
    from policytrack.core.i18n import check_language, speaking
    from policytrack.domain.workspace import get_framework
    from policytrack.exchange.publish import check_target, publish

    if all_frameworks and framework:
        raise InputError(_("give --framework or --all-frameworks, not both"))
    codes = list(dict.fromkeys(check_language(code) for code in langs or ["en"]))
    base = _site_url(site_url) if site_url is not None else None
    if base is not None and not site:
        raise InputError(_("--site-url is for the site; add --site"))
    as_of_date = read_date(as_of, "--as-of").end if as_of is not None else date.today()
    check_target(directory)
    stale = setting("stale_days") or STALE_DAYS
    # one read transaction for the whole bundle: a teammate's sync or a `log` while it is written cannot make
    # its reports, site pages, feed and database copy disagree (the site's pages are streamed as written)
    with opened_store(ctx) as store, store.snapshot():
        keep_out = _sync_folders(store.path)
        check_target(directory, keep_out)
        names: list[str | None] = [*store.framework_names()] if all_frameworks else [framework]
        with speaking(codes[0]):
            frameworks = [get_framework(store, name) for name in names]
            reports, kinds = _reports(store, frameworks, as_of_date, stale)
        streamed = _site(store, names, as_of_date, stale, codes, base) if site else iter(())
        written = publish(
            store,
            frameworks,
            as_of_date,
            directory,
            reports,
            kinds,
            with_history=with_history,
            keep_out=keep_out,
            names=display_names(store),
            streamed=streamed,
        )
    confirm(ctx, f"Published {len(written)} files into {directory}", "the bundle")


def _reports(
    store: Store, frameworks: list[Framework], as_of_date: date, stale: int
) -> tuple[dict[str, bytes], dict[str, Kind]]:
    """Each framework's report in every format of PUBLISH_FORMATS, by file name, and the kind of each CSV."""
    from policytrack.core.i18n import language
    from policytrack.domain.frameworks.translations import in_language_of

    reports: dict[str, bytes] = {}
    kinds: dict[str, Kind] = {}
    for fw in frameworks:
        shown = in_language_of(store, fw, language())  # for people; data keeps the framework's own texts
        # no count of this database's inbox: the bundle is the same wherever the same records are
        data = _view(store, fw, None, as_of_date, None, None, None, stale, False, inbox=False)
        people = data
        if shown != fw:
            people = _view(store, shown, None, as_of_date, None, None, None, stale, False, inbox=False)
        for fmt in PUBLISH_FORMATS:
            spec = output_format(fmt)
            view = data if spec.data else people
            name = f"report-{fw.name}.{spec.extension}"
            if spec.binary:  # a workbook: bytes, dated as of the bundle so they repeat
                reports[name] = _workbook_bytes(view.fields, view.records, as_of_date)
                continue
            if DRAWING in spec.takes:  # the brief, drawn
                window = _Window(as_of_date, None, None, None, stale)
                text = _brief(store, shown, window, None, fmt, explain=False)
            else:
                text = _text(view, fmt)
            reports[name] = text.encode("utf-8")
            if fmt == "csv":
                kinds[name] = view.fields
    return reports, kinds


def _site_url(value: str) -> str:
    from policytrack.core.errors import InputError
    from policytrack.render.text import source_link

    if source_link(value) is None:
        raise InputError(
            _(
                "--site-url {value} is not an http(s) address; give one such as https://example.org/tracker/"
            ).format(value=repr(value[:80]))
        )
    return value.rstrip("/") + "/"


def _site(
    store: Store, names: list[str | None], as_of: date, stale: int, codes: list[str], base: str | None
) -> Iterator[tuple[str, Iterator[bytes]]]:
    """The site's files by their path in the bundle (site/ in one language, site/LANG/ in several), each
    made as publish writes it (its `streamed`): each language's in that language."""
    from policytrack.core.i18n import speaking
    from policytrack.domain.frameworks.translations import in_language_of
    from policytrack.domain.site import build_site
    from policytrack.domain.workspace import get_framework
    from policytrack.render.site import languages_page, site_files

    several = len(codes) > 1
    people = display_names(store)
    for code in codes:
        folder = f"site/{code}/" if several else "site/"
        with speaking(code):
            frameworks = [in_language_of(store, get_framework(store, name), code) for name in names]
            data = build_site(store, frameworks, as_of, stale_days=stale, names=people)
            url = f"{base}{code}/" if base and several else base
            for path, chunks in site_files(data, codes, url):
                yield folder + path, chunks
    if several:
        yield "site/index.html", iter([languages_page(codes)])


def _sync_folders(db: Path) -> tuple[Path, ...]:
    """Where `policytrack sync` writes for this database, and so would delete a bundle: its clone
    (sync.engine.clone_path) and the folder `sync init` builds it in and removes (the clone's name with
    `.new`)."""
    from policytrack.sync.engine import clone_path

    clone = clone_path(db)
    return (clone, clone.with_name(clone.name + ".new"))


def _workbook_bytes(fields: Kind, records: list[dict[str, Any]], as_of: date) -> bytes:
    """The report as an xlsx workbook (its sheet and the columns sheet), created at the as-of date's
    midnight UTC: the same data and --as-of give the same bytes."""
    import io

    from policytrack.core.dates import midnight_utc
    from policytrack.render.xlsx import Sheet, write_workbook

    out = io.BytesIO()
    write_workbook(out, [Sheet("report", fields, records)], created=midnight_utc(as_of))
    return out.getvalue()
