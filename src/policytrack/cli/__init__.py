"""The command line: a thin layer over the domain modules, composed from one module per group."""

from __future__ import annotations

from policytrack.cli import entries, exchange, indicators, report  # noqa: F401  (registers commands)
from policytrack.cli.app import app
from policytrack.cli.db import db_app
from policytrack.cli.exchange import export_app
from policytrack.cli.frameworks import framework_app

app.add_typer(db_app, name="db")
app.add_typer(framework_app, name="framework")
app.add_typer(export_app, name="export")


def main() -> None:
    app(prog_name="policytrack")


__all__ = ["app", "main"]
