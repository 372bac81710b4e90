"""The XLSX reader as a program of its own, for an uploaded workbook nobody has vouched for.

``python -I -S xlsx_child.py CALAMINE_FOLDER MEMORY_BYTES CPU_SECONDS OUTPUT_BYTES`` reads
on stdin one JSON line ``{"sheets": [{"name": …, "max_rows": …, "max_columns": …}, …]}``
followed by the workbook's bytes, and writes on stdout the cells of those sheets as JSON
(``xlsx_reader`` decodes it). Exit status 0: read; 2: not a workbook calamine can open;
anything else (a signal, a memory error, a limit) means the file is too large or damaged.

Why a process: calamine builds a sheet's whole rectangle in memory from its last cell, so a
1.5 KB file with one cell at XFD1048576 asks for 512 GB and the allocator's failure aborts
the process (Rust does not raise). Here that abort, or any runaway, ends this process only,
under the limits set before the file is touched. It imports nothing but the standard library
and python_calamine, so that it starts in a few hundredths of a second.
"""

from __future__ import annotations

import io
import json
import resource
import sys

# Nothing imported that the work does not need, typing included: each module is start-up time.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

NOT_A_WORKBOOK = 2
_PLAIN = (str, float, int, bool)


def limit(memory_bytes: int, cpu_seconds: int, output_bytes: int) -> None:
    """Address space, CPU time and the size of any file written (stdout is one), no core
    file: whatever the workbook holds, this process cannot take more."""
    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 1))
    resource.setrlimit(resource.RLIMIT_FSIZE, (output_bytes, output_bytes))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def encode(value: Any) -> Any:
    """A cell as JSON: text, numbers (non-finite ones too: JSON's NaN/Infinity, which the
    cell parser refuses), booleans; dates and times tagged so they come back as such
    (known by their type's name, which spares importing datetime)."""
    kind = type(value).__name__
    if kind in ("datetime", "date", "time"):
        return {f"${kind}": value.isoformat()}
    if kind == "timedelta":
        return {"$seconds": value.total_seconds()}
    return value


def read(book: Any, wanted: list[dict[str, Any]]) -> dict[str, Any]:
    sheets: dict[str, Any] = {}
    for item in wanted:
        name = item["name"]
        try:
            sheet = book.get_sheet_by_name(name)
            end = sheet.end
        except Exception:  # a damaged or missing sheet part: that sheet is a problem
            sheets[name] = {"error": "unreadable"}
            continue
        last_row, last_column = (end[0] + 1, end[1] + 1) if end is not None else (0, 0)
        if last_row > item["max_rows"] or last_column > item["max_columns"]:
            sheets[name] = {"too_large": [last_row, last_column]}
            continue
        rows = []
        for row in sheet.iter_rows():
            # From column A (calamine starts at the first column that holds something),
            # without the empty cells at the end.
            cells = [""] * (last_column - len(row)) + list(row)
            while cells and cells[-1] == "":
                cells.pop()
            rows.append([v if type(v) in _PLAIN else encode(v) for v in cells])
        sheets[name] = {"rows": rows}
    return {"sheet_names": list(book.sheet_names), "sheets": sheets}


def main(argv: list[str]) -> int:
    sys.path.append(argv[1])  # where python_calamine is: the child runs without site (-S)
    limit(int(argv[2]), int(argv[3]), int(argv[4]))
    stdin = sys.stdin.buffer
    request = json.loads(stdin.readline())
    data = stdin.read()
    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    except MemoryError:
        raise
    except Exception:  # the Rust reader raises several kinds; all mean "not a workbook"
        return NOT_A_WORKBOOK
    result = read(book, request["sheets"])
    sys.stdout.buffer.write(json.dumps(result, ensure_ascii=False).encode("utf-8"))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
