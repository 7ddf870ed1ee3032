"""Where `publish --site`'s time goes: build_site, then each kind of file of the site (its first path
part) as site_files makes it, consumed in one process. Seconds, one run; read them as proportions.

    python benchmarks/site_parts.py DATABASE [AS_OF]
"""

from __future__ import annotations

import sys
import time
from collections import defaultdict
from datetime import date
from pathlib import Path

from policytrack.core.i18n import speaking
from policytrack.domain.site import build_site
from policytrack.domain.workspace import get_framework, open_store
from policytrack.render.site import site_files


def main() -> None:
    as_of = date.fromisoformat(sys.argv[2] if len(sys.argv) > 2 else "2026-10-31")
    with open_store(Path(sys.argv[1])) as store, speaking("en"):
        start = time.perf_counter()
        site = build_site(store, [get_framework(store)], as_of, stale_days=90)
        print(f"build_site {time.perf_counter() - start:.2f}")
        spent: dict[str, float] = defaultdict(float)
        start = time.perf_counter()
        for path, chunks in site_files(site, ["en"]):
            for _chunk in chunks:
                pass
            now = time.perf_counter()
            spent[path.split("/")[0]] += now - start
            start = now
        for name, seconds in sorted(spent.items(), key=lambda kv: -kv[1]):
            print(f"{name} {seconds:.2f}")


if __name__ == "__main__":
    main()
