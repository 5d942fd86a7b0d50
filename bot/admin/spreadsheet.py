"""The declarations as a CSV for French spreadsheets (Excel, LibreOffice).

The raw export's columns (``bot.web.api.CSV_COLUMNS``) in the same order, but
read by people: ``;`` as separator (Excel's in France), French column labels
(the registry's), French labels instead of the spec's codes, dates as
JJ/MM/AAAA HH:MM in Paris time, Oui/Non, several values joined with ", ".
Cells that a spreadsheet would run as a formula are neutralised as in the raw
export (``bot.web.api.neutralise``). The byte order mark is the view's.
"""

import csv
import io
from typing import Any, Callable, Dict, List

from bot.admin import display, filters
from bot.core import schema
from bot.web.api import CSV_COLUMNS, neutralise

SEPARATOR = ";"
VALUE_SEPARATOR = ", "
# The qualification's parts, flattened into columns as in the raw export.
QUALIFICATION_LABELS = {
    "grave": filters.FORM_LABELS["grave"],
    "significatif": filters.FORM_LABELS["significatif"],
    "reasons": "Motifs de la qualification",
}
COLUMN_LABELS: Dict[str, str] = {
    name: schema.FIELD_LABELS.get(name) or QUALIFICATION_LABELS[name] for name in CSV_COLUMNS
}


def _datetime(value: Any) -> str:
    moment = display.as_datetime(value)
    return moment.strftime(display.SHORT_DATETIME_FORMAT) if moment else str(value)


def _obligation(obligation: Dict[str, Any]) -> str:
    """ "CNIL (avant le 13/01/2026 03:00)", "CERT Santé"."""
    authority = schema.AUTHORITIES.get(obligation.get("authority"), str(obligation.get("authority")))
    due_by = obligation.get("due_by")
    return f"{authority} (avant le {_datetime(due_by)})" if due_by else authority


def _joined(items: List[str]) -> str:
    return VALUE_SEPARATOR.join(items)


# Columns whose value is a list that is not a list of codes of the spec.
_LISTS: Dict[str, Callable[[List[Any]], str]] = {
    "obligations": lambda items: _joined([_obligation(item) for item in items]),
    "unknown_fields": lambda names: _joined([schema.FIELD_LABELS.get(name, name) for name in names]),
    "reasons": lambda sentences: " ".join(sentences),  # whole sentences, each with its full stop
}


def cell(name: str, value: Any) -> str:
    """The French text of column ``name``'s ``value``; empty when not given."""
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return display.yes_no(value)
    if name in display.DATETIME_FIELDS:
        return _datetime(value)
    if name in display.ENUMS:
        return display.field_value(name, value)  # labels; an empty list of codes reads "Aucun"
    if name in _LISTS:
        return _LISTS[name](value)
    return str(value)


def _flat(declaration: Dict[str, Any]) -> Dict[str, Any]:
    qualification = declaration.get("qualification") or {}
    return {**declaration, **{key: qualification.get(key) for key in QUALIFICATION_LABELS}}


def row(declaration: Dict[str, Any]) -> List[str]:
    flat = _flat(declaration)
    return [neutralise(cell(name, flat.get(name))) for name in CSV_COLUMNS]


def to_spreadsheet_csv(declarations: List[Dict[str, Any]]) -> str:
    """The CSV text (without byte order mark), one header row of French labels."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=SEPARATOR, lineterminator="\r\n")
    writer.writerow(COLUMN_LABELS[name] for name in CSV_COLUMNS)
    writer.writerows(row(declaration) for declaration in declarations)
    return buffer.getvalue()
