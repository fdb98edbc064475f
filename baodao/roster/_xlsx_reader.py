"""Reads the first visible worksheet of an .xlsx workbook in a separate process with hard resource limits.

Run as `python -I _xlsx_reader.py <memory bytes> <cpu seconds>` with the workbook on stdin; writes frames
(4-byte big-endian length, then a `marshal`led tuple) to stdout:

- `("sheet", name)` once, then `("rows", [[cell, ...], ...])` in batches, the first row being row 1 of the
  sheet;
- `("error", code, text)` when the workbook cannot be read (`code`: xml, zip, password, no_sheet, other).

Why a process of its own: the reader (calamine, in Rust) sizes its cell grid from the highest row and
column a file names, so a workbook of a few hundred bytes naming cell XFD1048576 asks for hundreds of
gigabytes and aborts the whole process. Here the address space and the CPU time are capped, so such a file
kills only this process, and the caller reports a broken file. This file imports nothing from Django.
"""

from __future__ import annotations

import io
import marshal
import resource
import struct
import sys
from typing import Any, BinaryIO

BATCH = 2000


def send(out: BinaryIO, message: tuple[Any, ...]) -> None:
    data = marshal.dumps(message)
    out.write(struct.pack(">I", len(data)))
    out.write(data)


def plain(rows: list[list[Any]]) -> list[list[Any]]:
    """Dates, times and durations as text: marshal carries only the core types."""
    return [
        [v if v is None or isinstance(v, (str, int, float, bool)) else str(v) for v in row] for row in rows
    ]


def send_rows(out: BinaryIO, rows: list[list[Any]]) -> None:
    try:
        send(out, ("rows", rows))
    except ValueError:  # an unmarshallable cell (a date): rare, so converted only when met
        send(out, ("rows", plain(rows)))


def main() -> int:
    memory, cpu = int(sys.argv[1]), int(sys.argv[2])
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu))
    content = sys.stdin.buffer.read()
    out = sys.stdout.buffer

    import python_calamine as calamine

    try:
        book = calamine.CalamineWorkbook.from_object(io.BytesIO(content))
        index = next(
            (
                i
                for i, meta in enumerate(book.sheets_metadata)
                if meta.typ == calamine.SheetTypeEnum.WorkSheet
                and meta.visible == calamine.SheetVisibleEnum.Visible
            ),
            None,
        )
        if index is None:
            send(out, ("error", "no_sheet", ""))
            return 0
        sheet = book.get_sheet_by_index(index)
        send(out, ("sheet", sheet.name))
        batch: list[list[Any]] = []
        # iter_rows starts at row 1 of the sheet (empty leading rows included), at the first used column.
        for row in sheet.iter_rows():
            batch.append(row)
            if len(batch) == BATCH:
                send_rows(out, batch)
                batch = []
        if batch:
            send_rows(out, batch)
    except calamine.PasswordError as exc:
        send(out, ("error", "password", str(exc)[:300]))
    except calamine.XmlError as exc:
        send(out, ("error", "xml", str(exc)[:300]))
    except calamine.ZipError as exc:
        send(out, ("error", "zip", str(exc)[:300]))
    except BaseException as exc:  # a reader panic included: report it, never hang
        send(out, ("error", "other", f"{type(exc).__name__}: {exc}"[:300]))
    out.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
