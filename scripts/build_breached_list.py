"""Build the breached-password file GovPlan reads (BREACHED_PASSWORDS_FILE).

    .venv/bin/python scripts/build_breached_list.py passwords.txt > breached-sha1.txt

reads one password a line (UTF-8) and writes their SHA-1 hashes, upper-case hex, sorted, one
a line: the format of the Pwned Passwords download ("HASH:COUNT" lines, sorted by hash), which
can be used as it is. GovPlan looks a hash up by binary search, so a file of any size works
without being loaded into memory. The bundled file (govplan/accounts/data/breached-sha1.txt)
was built from govplan/accounts/data/breached-sample.txt.
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path


def main(source: str) -> None:
    hashes = set()
    for line in Path(source).read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            hashes.add(hashlib.sha1(line.encode()).hexdigest().upper())
    sys.stdout.write("".join(f"{h}\n" for h in sorted(hashes)))


if __name__ == "__main__":
    main(sys.argv[1])
