"""Reading a date line ("May 3, 2021", "3. Mai 2021", "2021-05-03") as an ISO date.

htmldate handles dates in HTML pages; plain text needs only this small reader for the date
lines that :data:`factcheck.clean.rules.DATE_LINE` recognises.
"""

from __future__ import annotations

import re
from datetime import date

_MONTHS: dict[str, int] = {}
for _number, _names in enumerate((
        "jan january januar janvier enero",
        "feb february februar février febrero",
        "mar march märz mars marzo",
        "apr april avril abril",
        "may mai mayo",
        "jun june juni juin junio",
        "jul july juli juillet julio",
        "aug august août agosto",
        "sep sept september septembre septiembre",
        "oct october oktober octobre octubre",
        "nov november novembre noviembre",
        "dec december dezember décembre diciembre"), start=1):
    for _name in _names.split():
        _MONTHS[_name] = _number

_MONTH = "|".join(sorted(_MONTHS, key=len, reverse=True))
_ISO = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
_MDY = re.compile(rf"\b({_MONTH})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})\b", re.I)
_DMY = re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\.?\s+(?:de\s+)?({_MONTH})\.?,?\s+(?:de\s+)?(\d{{4}})\b",
                  re.I)
_NUMERIC = re.compile(r"\b(\d{1,2})([/.])(\d{1,2})\2(\d{4})\b")


def _iso(year: int, month: int, day: int) -> str | None:
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return None


def parse_date(text: str) -> str | None:
    """The first date in ``text`` as 'YYYY-MM-DD', or None. Numeric dates with a slash are
    read month-first (US), with a dot day-first (European)."""
    if m := _ISO.search(text):
        return _iso(int(m[1]), int(m[2]), int(m[3]))
    if m := _MDY.search(text):
        return _iso(int(m[3]), _MONTHS[m[1].lower()], int(m[2]))
    if m := _DMY.search(text):
        return _iso(int(m[3]), _MONTHS[m[2].lower()], int(m[1]))
    if m := _NUMERIC.search(text):
        first, second, year = int(m[1]), int(m[3]), int(m[4])
        if m[2] == "/":
            return _iso(year, first, second) or _iso(year, second, first)
        return _iso(year, second, first)
    return None
