"""A contract type of our own for import-linter (``lint-imports``, configured in pyproject.toml).

``doors``: the apps of a container package reach each other only through their services,
selectors, models, registry and rules, never through another app's doors (views, forms, API,
URLs, template tags). Every package directly inside the container is an app, so a new module
is covered the day it is added, without editing the contract."""

from __future__ import annotations

from fnmatch import fnmatchcase

from importlinter import Contract, ContractCheck, fields, output
from importlinter.application import contract_utils


class DoorsContract(Contract):
    """Options: ``containers`` (e.g. anjian), ``doors`` (patterns of the module names inside an
    app that other apps must not import, e.g. ``views``, ``*_views``), ``exempt`` (the kernel:
    its generic views and forms are for every app, and it imports no app anyway), ``ignore_imports`` (known exceptions, each with a reason)."""

    type_name = "doors"

    containers = fields.ListField(subfield=fields.StringField())
    doors = fields.ListField(subfield=fields.StringField())
    exempt = fields.ListField(subfield=fields.StringField(), required=False)
    ignore_imports = fields.SetField(subfield=fields.ImportExpressionField(), required=False)

    def check(self, graph, verbose: bool) -> ContractCheck:
        removal = contract_utils.remove_ignored_imports_and_report(
            graph=graph,
            ignore_imports=self.ignore_imports or set(),  # type: ignore[arg-type]
            unmatched_alerting=contract_utils.AlertLevel.ERROR,
        )
        exempt = set(self.exempt or [])  # type: ignore[arg-type]
        broken = []
        for container in self.containers:  # type: ignore[attr-defined]
            apps = {child for child in graph.find_children(container) if graph.find_children(child)}
            for app in sorted(apps - exempt):
                for importer in sorted({app} | graph.find_descendants(app)):
                    for imported in sorted(graph.find_modules_directly_imported_by(importer)):
                        parts = imported.split(".")
                        other = ".".join(parts[:2])
                        if len(parts) < 3 or other == app or other not in apps or other in exempt:
                            continue
                        if any(fnmatchcase(parts[2], door) for door in self.doors):  # type: ignore[attr-defined]
                            details = graph.get_import_details(importer=importer, imported=imported)
                            lines = ", ".join(str(d["line_number"]) for d in details)
                            broken.append(f"{importer} -> {imported} (l.{lines})")
        return ContractCheck(
            kept=not broken,
            warnings=list(removal.warnings),
            ignored_import_count=removal.ignored_import_count,
            metadata={"broken": broken},
        )

    def render_broken_contract(self, check: ContractCheck) -> None:
        output.print_error("Imports of another app's doors (go through its services or selectors):", bold=False)
        output.new_line()
        for line in check.metadata["broken"]:
            output.print_error(f"- {line}", bold=False)
            output.new_line()
