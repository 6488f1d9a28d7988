"""What a saved set's CSV files are: a Frictionless Tabular Data Package beside them.

Every CSV capcalc writes starts with its header row, so ``pandas.read_csv``, R's
``read.csv`` and spreadsheets read it with their defaults. What a file holds —
its title, its provenance (scenarios, baseline, the assumptions that shape it,
capcalc's version) and each column's type and unit — is described beside the
files in ``datapackage.json``, in the `Frictionless Data Package
<https://specs.frictionlessdata.io/data-package/>`_ form that ``frictionless``,
``datapackage-py`` and many data portals read. The charts carry the same
provenance in their PNG/SVG/PDF metadata.
"""

from __future__ import annotations

import csv
import json
import math
import numbers
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from calc.core.constants import CURRENCY_YEAR
from calc.core.version import __version__
from calc.data.output_folder import FileData, FolderFile
from calc.presentation.tables.base import Table

__all__ = ["FORMULA_NOTE", "PACKAGE_FILE", "CsvFile", "DataFile", "Resource", "csv_file",
           "describing_folder", "field_type", "merge_package", "package_bytes", "resource_of",
           "set_package", "with_datapackage"]

#: The file describing a saved set's CSV files.
PACKAGE_FILE = "datapackage.json"
#: What a quote before a text cell means (:mod:`calc.presentation.csvtext`).
FORMULA_NOTE = ("A text cell that would begin with =, +, - or @ is written with a ' before "
                "it, so that a spreadsheet shows it as text instead of running it as a "
                "formula; the JSON files hold the text as written.")


@dataclass(frozen=True)
class Resource:
    """One CSV file as the data package describes it.

    ``fields`` are ``(header, type, unit)``: the header exactly as in the file,
    a Table Schema type (``number``, ``integer``, ``boolean``, ``string``) and
    the unit ("" for none).
    """

    path: str
    title: str
    description: str
    fields: tuple[tuple[str, str, str], ...]
    format: str = "csv"
    mediatype: str = "text/csv"

    def to_dict(self) -> dict[str, Any]:
        """The resource's entry of ``datapackage.json``.

        A file with ``fields`` is a tabular resource with its schema (CSV,
        Parquet); one without (a zipped Zarr store) is a plain data resource.
        """
        fields = []
        for header, kind, unit in self.fields:
            entry: dict[str, str] = {"name": header, "type": kind}
            if unit:
                entry["unit"] = unit
            fields.append(entry)
        document: dict[str, Any] = {
            "profile": "tabular-data-resource" if fields else "data-resource",
            "name": _resource_name(self.path), "path": self.path, "format": self.format,
            "mediatype": self.mediatype}
        if self.format == "csv":
            document["encoding"] = "utf-8"
        document.update(title=self.title, description=self.description)
        if fields:
            document["schema"] = {"fields": fields, "missingValues": [""]}
        return document


@dataclass(frozen=True)
class CsvFile:
    """A CSV file of a saved set with its description; calling it gives its bytes."""

    text: str
    resource: Resource

    def __call__(self) -> bytes:
        return self.text.encode("utf-8")


@dataclass(frozen=True)
class DataFile:
    """Any other file of a saved set (Parquet, a zipped Zarr store) with its description;
    calling it gives its bytes."""

    data: Callable[[], bytes]
    resource: Resource

    def __call__(self) -> bytes:
        return self.data()


def _resource_name(path: str) -> str:
    """A data-package name: lower case letters, digits and ``-._`` (from the file name)."""
    stem = path.rsplit(".", 1)[0].lower()
    return "".join(c if (c.isalnum() and c.isascii()) or c in "-._" else "-" for c in stem)


def field_type(values: Iterable[Any]) -> str:
    """The Table Schema type of a column from its values (blanks ignored).

    >>> field_type([1, 2]), field_type([1, 2.5]), field_type([True]), field_type(["H100", 3])
    ('integer', 'number', 'boolean', 'string')
    """
    kinds = set()
    for value in values:
        if value is None or (isinstance(value, str) and value == ""):
            continue
        if isinstance(value, bool | np.bool_):
            kinds.add("boolean")
        elif isinstance(value, numbers.Integral):
            kinds.add("integer")
        elif isinstance(value, numbers.Real):
            kinds.add("number")
        else:
            kinds.add("string")
    if not kinds:
        return "string"
    if kinds <= {"integer"}:
        return "integer"
    if kinds <= {"integer", "number"}:
        return "number"
    return kinds.pop() if len(kinds) == 1 else "string"


def resource_of(table: Table, path: str | None = None) -> Resource:
    """``table``'s CSV as a data-package resource (its file ``NAME.csv`` unless ``path``)."""
    fields = tuple((f"{name} [{table.units[name]}]" if table.units.get(name) else name,
                    field_type(values), table.units.get(name, ""))
                   for name, values in table.columns.items())
    return Resource(path=path or f"{table.name}.csv", title=table.title,
                    description=table.caption, fields=fields)


def csv_file(table: Table) -> CsvFile:
    """``table``'s CSV text with its description, ready for a saved set."""
    return CsvFile(table.to_csv(), resource_of(table))


def package_bytes(resources: Sequence[Resource]) -> bytes:
    """``datapackage.json`` describing ``resources`` (in file-name order), as UTF-8 bytes."""
    document = {
        "profile": "tabular-data-package",
        "name": "capcalc-output",
        "title": f"capcalc {__version__} output",
        "description": ("The CSV files of one capcalc run. Each starts with its header row; "
                        "units are in the headers (in brackets) and in each field's unit. "
                        f"Money is in US dollars of {CURRENCY_YEAR}. {FORMULA_NOTE}"),
        "resources": [r.to_dict() for r in sorted(resources, key=lambda r: r.path)],
    }
    text = json.dumps(document, indent=2, ensure_ascii=False, allow_nan=False,
                      default=_plain)
    return (text + "\n").encode("utf-8")


def _plain(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return str(value)


def set_package(files: Mapping[str, FileData]) -> bytes | None:
    """``datapackage.json`` of the :class:`CsvFile` and :class:`DataFile` entries of ``files``
    alone (None: none)."""
    resources = [replace(data.resource, path=name)
                 for name, data in files.items() if isinstance(data, CsvFile | DataFile)]
    return package_bytes(resources) if resources else None


def with_datapackage(files: Mapping[str, FileData]) -> dict[str, FileData]:
    """``files`` with ``datapackage.json`` describing each of its :class:`CsvFile` and
    :class:`DataFile` entries and every other CSV file the folder it is written into holds
    (:func:`describing_folder`).

    A set without described files is returned as it is.
    """
    own = set_package(files)
    if own is None:
        return dict(files)
    return {**files, PACKAGE_FILE: describing_folder(own)}


def describing_folder(own: bytes | Callable[[], bytes]) -> FolderFile:
    """``datapackage.json`` as a set writes it: its own package (``own``, the bytes or a
    callable giving them), merged under the folder's lock with what the folder keeps.

    After any sequence of runs into one folder, the package describes every CSV
    file there: the set's own; those of earlier sets still in the folder, as the
    ``datapackage.json`` this one replaces described them; and any other CSV by
    its name and header (columns of unknown type), said to be none of capcalc's.
    """
    def build(previous: bytes | None, others: Mapping[str, bytes]) -> bytes:
        return merge_package(own() if callable(own) else own, previous, others)

    return FolderFile(".csv", build)


def _previous_resources(previous: bytes | None) -> dict[str, dict[str, Any]]:
    """The resources of a ``datapackage.json`` being replaced, by path (empty if unreadable)."""
    if previous is None:
        return {}
    try:
        document = json.loads(previous.decode("utf-8"))
    except (ValueError, RecursionError):  # not JSON, not UTF-8, or nested past the stack
        return {}
    resources = document.get("resources") if isinstance(document, dict) else None
    if not isinstance(resources, list):
        return {}
    return {r["path"]: r for r in resources
            if isinstance(r, dict) and isinstance(r.get("path"), str)}


def _columns(header: bytes) -> list[str]:
    """The column names of a CSV file's first line."""
    try:
        return next(csv.reader([header.decode("utf-8", "replace")]), [])
    except csv.Error:
        return []


def _describes(resource: dict[str, Any], names: list[str]) -> bool:
    """Whether ``resource`` (from an earlier package) has the columns ``names``, in order."""
    schema = resource.get("schema")
    fields = schema.get("fields") if isinstance(schema, dict) else None
    return isinstance(fields, list) and [
        f.get("name") if isinstance(f, dict) else None for f in fields] == names


def _foreign(path: str, names: list[str]) -> dict[str, Any]:
    """A CSV file no capcalc set in the folder describes: its name and its header's columns."""
    return {"profile": "tabular-data-resource", "name": _resource_name(path), "path": path,
            "format": "csv", "mediatype": "text/csv", "title": path,
            "description": ("A CSV file in this folder that no capcalc run described when it "
                            "was written; its columns are named from its first line, their "
                            "types unknown."),
            "schema": {"fields": [{"name": name, "type": "any"} for name in names]}}


def merge_package(own: bytes, previous: bytes | None, others: Mapping[str, bytes]) -> bytes:
    """The set's package ``own`` with a resource for each of ``others`` (path → first line),
    taken from the ``previous`` package where it described that file (with these columns:
    a file since replaced by another of the same name is described afresh).

    >>> import json
    >>> own = package_bytes([Resource("a.csv", "A", "capcalc", (("x", "number", ""),))])
    >>> merged = json.loads(merge_package(own, None, {"mine.csv": b"when,what"}))
    >>> [(r["path"], [f["name"] for f in r["schema"]["fields"]]) for r in merged["resources"]]
    [('a.csv', ['x']), ('mine.csv', ['when', 'what'])]
    """
    document = json.loads(own.decode("utf-8"))
    resources: list[dict[str, Any]] = list(document["resources"])
    ours = {r["path"] for r in resources}
    before = _previous_resources(previous)
    for path, header in others.items():
        if path in ours:
            continue
        columns = _columns(header)
        known = path in before and _describes(before[path], columns)  # not since replaced
        resources.append(dict(before[path]) if known else _foreign(path, columns))
    names: set[str] = set()
    for resource in sorted(resources, key=lambda r: r["path"]):
        name = str(resource.get("name") or _resource_name(resource["path"]))
        unique, i = name, 2
        while unique in names:
            unique, i = f"{name}-{i}", i + 1
        resource["name"] = unique
        names.add(unique)
    document["resources"] = sorted(resources, key=lambda r: r["path"])
    text = json.dumps(document, indent=2, ensure_ascii=False, allow_nan=False, default=_plain)
    return (text + "\n").encode("utf-8")
