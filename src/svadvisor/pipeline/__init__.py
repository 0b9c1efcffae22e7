"""Batch scoring of a procurement pipeline: a spreadsheet in, a scored sheet and rejects out.

Data flows one way, one row at a time, so memory stays flat however long the sheet:

- `readers`: a CSV or XLSX file -> a `Table` (its header and a lazy stream of rows).
- `mapping`: the header -> which column answers which question; a row's cells -> answers.
- `scoring`: answers -> the added columns (route, scores, reasons, notes), compiled once.
- `writers`: rows -> a CSV or XLSX file, written atomically, cells made spreadsheet-safe.
- `batch`: the loop that ties them together and counts what happened.

Nothing here prints or imports typer or rich; `svadvisor.cli.batch_cmd` does that.
"""

from __future__ import annotations
