"""The service report as a file: an Excel workbook, or one CSV table.

* ``.xlsx`` (written with openpyxl): a first sheet "About" saying what the
  report covers and how small counts are hidden, then one sheet per figure,
  each a plain table: one row of headings, then one row per category. It
  opens in Excel or LibreOffice, and reads straight into pandas
  (``pd.read_excel(path, sheet_name="Stages")``).
* ``.csv``: one file, a tidy long table with the columns ``figure``,
  ``category``, ``measure`` and ``value``: one line per number of every
  figure. One file rather than a folder of five, so it travels as one
  attachment and loads with one call; filter on ``figure`` to get one table.

A hidden count is written as the same words the report shows ("fewer than
5"), never as its number, in both formats.

Example::

    from nextround.report import build_report
    from nextround.report_files import report_bytes
    Path("report.xlsx").write_bytes(report_bytes(build_report(store, content), ".xlsx"))
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import NextRoundError
from .i18n import _

if TYPE_CHECKING:  # pragma: no cover - the report module brings pandas
    from .report import ServiceReport

#: The file types a report is written as, by file name ending.
FORMATS = {".xlsx": "an Excel workbook", ".csv": "a CSV table"}
#: The CSV table's columns.
CSV_COLUMNS = ("figure", "category", "measure", "value")
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def report_format(path: str | Path) -> str:
    """The report's format from the file name's ending; any other ending is refused."""
    suffix = Path(path).suffix.lower()
    if suffix not in FORMATS:
        ending = f"“{suffix}”" if suffix else "no ending"
        raise NextRoundError(f"the report is written as .xlsx (Excel) or .csv, and "
                             f"{Path(path).name} has {ending}; name the file report.xlsx "
                             "or report.csv")
    return suffix


def report_bytes(report: ServiceReport, suffix: str) -> bytes:
    """The report as the bytes of a ``.xlsx`` or ``.csv`` file."""
    return xlsx_bytes(report) if report_format(f"report{suffix}") == ".xlsx" \
        else csv_bytes(report)


def csv_rows(report: ServiceReport) -> list[tuple[str, str, str, Any]]:
    """Every number of every figure as (figure, category, measure, value)."""
    return [(figure.title, row[0], heading, value)
            for figure in report.figures for row in figure.rows
            for heading, value in zip(figure.head[1:], row[1:], strict=True)]


def csv_bytes(report: ServiceReport) -> bytes:
    """The tidy long table, UTF-8 with a byte-order mark so Excel reads its accents."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    writer.writerows(csv_rows(report))
    return out.getvalue().encode("utf-8-sig")


def _put(sheet, row: int, column: int, value: Any, *, bold: bool = False) -> None:
    """One cell. Text is always text: a label starting with "=" never becomes a formula."""
    from openpyxl.styles import Font

    cell = sheet.cell(row=row, column=column, value=value)
    if isinstance(value, str):
        cell.data_type = "s"
    if bold:
        cell.font = Font(bold=True)


def _table(sheet, head: tuple[str, ...], rows: list[tuple[Any, ...]] | tuple) -> None:
    """Headings in the first row (bold, kept in view), the rows below, columns fitted."""
    for column, heading in enumerate(head, start=1):
        _put(sheet, 1, column, heading, bold=True)
    for row_number, row in enumerate(rows, start=2):
        for column, value in enumerate(row, start=1):
            _put(sheet, row_number, column, value)
    sheet.freeze_panes = "A2"
    for column, heading in enumerate(head, start=1):
        longest = max([len(str(heading)), *(len(str(row[column - 1])) for row in rows)])
        letter = sheet.cell(row=1, column=column).column_letter
        sheet.column_dimensions[letter].width = min(max(longest + 2, 10), 80)


def xlsx_bytes(report: ServiceReport) -> bytes:
    """The workbook: "About", then one sheet per figure."""
    from openpyxl import Workbook

    book = Workbook()
    about = book.active
    about.title = _("About")
    _table(about, (_("About this report"), _("Details")), report.about())
    for figure in report.figures:
        _table(book.create_sheet(figure.sheet), figure.head, figure.rows)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
