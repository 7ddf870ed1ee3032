"""`policytrack framework ...`: list, show, add (or update) and start new frameworks.

Each command imports the domain and rendering modules it needs inside its body: start-up stays fast,
since typer builds only the command being run (cli.app_for).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from policytrack.cli.app import confirm, note
from policytrack.cli.common import console, opened_store, write_formatted, write_output
from policytrack.cli.options import (
    CsvAlias,
    JsonAlias,
    OutputOpt,
    check_output,
    chosen_format,
    format_option,
)
from policytrack.core.i18n import _
from policytrack.records.models import plural
from policytrack.render.formats import RECORDS, VIEW

framework_app = typer.Typer(
    help=_("Frameworks: the papers whose recommendations (or risks) you track."), no_args_is_help=True
)


@framework_app.command(
    "list",
    epilog=_("Example: policytrack framework list"),
    help=_("The frameworks in this database, with their indicators, entries and versions."),
)
def list_cmd(
    ctx: typer.Context,
    fmt: Annotated[str, format_option(VIEW, RECORDS)] = "table",
    as_json: JsonAlias = False,
    as_csv: CsvAlias = False,
    output: OutputOpt = None,
) -> None:
    from policytrack.domain.context import default_framework_name
    from policytrack.domain.frameworks.install import builtin_names
    from policytrack.records.framework import FRAMEWORK_ROW
    from policytrack.render.framework import frameworks_table
    from policytrack.render.text import literal

    fmt = chosen_format(fmt, VIEW, RECORDS, as_json=as_json, as_csv=as_csv)
    check_output(fmt, output, VIEW, RECORDS)
    default = default_framework_name()
    with opened_store(ctx) as store:
        names = store.framework_names()
        records = []
        for name in names:
            fw = store.framework(name)
            assert fw is not None and fw.id is not None
            versions = store.framework_versions(fw.id)
            records.append(
                {
                    "name": fw.name,
                    "title": fw.title,
                    "indicators": len(fw.indicators),
                    "entries": sum(store.evidence_counts(fw.id).values()),
                    "version": versions[-1]["version"] if versions else None,
                    "loaded_at": versions[-1]["loaded_at"] if versions else None,
                    "default": fw.name == default,
                }
            )
    if fmt != "table":
        write_formatted(ctx, fmt, FRAMEWORK_ROW, records, sheet="frameworks", output=output)
        return
    out = console(ctx)
    out.print(frameworks_table(records))
    more = [n for n in builtin_names() if n not in names]
    if more:
        out.print(
            literal(
                _("Also built in: {names} (`policytrack framework add NAME` loads one)").format(
                    names=", ".join(more)
                )
            )
        )


@framework_app.command(
    "show",
    epilog=_("Example: policytrack framework show mali-china-risks"),
    help=_(
        "A framework's citation, status scale and indicators, with their signals and "
        "baselines, in the\n"
        "chosen language where the file translates them (`[en]` marks a text it does "
        "not)."
    ),
)
def show_cmd(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help=_("Framework name (`policytrack framework list`)."))],
) -> None:
    from policytrack.core.i18n import language
    from policytrack.domain.frameworks.translations import in_language_of
    from policytrack.domain.workspace import get_framework
    from policytrack.render.framework import framework_detail

    with opened_store(ctx) as store:
        fw = in_language_of(store, get_framework(store, name), language())
        assert fw.id is not None
        versions = store.framework_versions(fw.id)
    console(ctx).print(framework_detail(fw, [(v["version"], v["loaded_at"]) for v in versions]))


@framework_app.command(
    "add",
    epilog=_("Example: policytrack framework add mali-china-risks   (or a file: my-paper.toml)"),
    help=_(
        "Validate a framework file and add it; with --update, load a changed file without losing evidence."
    ),
)
def add_cmd(
    ctx: typer.Context,
    source: Annotated[
        str, typer.Argument(help=_("A framework file (TOML), or a built-in framework's name."))
    ],
    update: Annotated[
        bool,
        typer.Option("--update", help=_("Load the file as the new version of a framework already here.")),
    ] = False,
) -> None:
    from policytrack.domain.context import default_analyst, utc_now
    from policytrack.domain.frameworks.install import install, source_path

    path = source_path(source)
    with opened_store(ctx) as store:
        result = install(store, path, utc_now(), update=update, by=default_analyst())
    fw = result.framework
    if result.action == "unchanged":
        typer.echo(
            _("Framework {name} unchanged (version {version})").format(name=fw.name, version=result.version)
        )
        return
    details = [
        f"{label}: {', '.join(keys)}"
        for label, keys in (
            (_("added"), result.added),
            (_("changed"), result.changed),
            (_("removed"), result.removed),
        )
        if keys and result.action == "updated"
    ]
    suffix = f"; {'; '.join(details)}" if details else ""
    done = (
        _("Updated framework {name} (version {version}, {indicators})")
        if result.action == "updated"
        else _("Added framework {name} (version {version}, {indicators})")
    )
    confirm(
        ctx,
        done.format(
            name=fw.name,
            version=result.version,
            indicators=plural(len(fw.indicators), "indicator", "indicators"),
        )
        + suffix,
        _("framework {name}").format(name=fw.name),
    )


@framework_app.command(
    "new",
    epilog=_("Example: policytrack framework new sahel-security -o sahel-security.toml"),
    help=_("Write a commented framework template: replace its placeholders, then `framework add` it."),
)
def new_cmd(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help=_("Name for the new framework (lower-case, hyphens)."))],
    output: Annotated[Path | None, typer.Option("--output", "-o", help=_("Write the template here."))] = None,
    force: Annotated[bool, typer.Option("--force", help=_("Overwrite an existing file."))] = False,
) -> None:
    from policytrack.core.errors import FrameworkError
    from policytrack.domain.frameworks.install import template

    text = template(name)
    with opened_store(ctx) as store:
        if name in store.framework_names():
            raise FrameworkError(
                _("framework {name!r} is already in this database; choose another name").format(name=name)
            )
    if output is None:
        typer.echo(text, nl=False)
        return
    try:
        exists = output.is_file()  # a device or FIFO (/dev/stdout) is written as a stream
    except OSError:  # a name the file system cannot hold: the safe writer says so
        exists = False
    if exists and not force:
        raise FrameworkError(_("{path} exists; choose another path or add --force").format(path=output))
    write_output(ctx, output, text.encode("utf-8"))
    note(_("Wrote {path}; edit it, then `policytrack framework add {path}`").format(path=output))
