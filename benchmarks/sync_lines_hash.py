"""sha256 and count of every line `sync` would send from a database (nothing written), and its CPU time:
`python benchmarks/sync_lines_hash.py DB ANALYST` (PYTHONPATH=OTHER/src for another tree's code)."""

import hashlib
import sys
import time
from pathlib import Path

from policytrack.domain.workspace import open_store
from policytrack.sync.engine import outgoing
from policytrack.sync.record import Sender

db, analyst = Path(sys.argv[1]), sys.argv[2]
with open_store(db) as store:
    h = hashlib.sha256()
    n = 0
    kept = []
    t = time.process_time()
    with store.snapshot():
        for _kind, batch in outgoing(store, Sender(analyst, None, "2026-11-30T00:00:00Z"), kept):
            for text, _event, _ref, _record in batch:
                h.update(text.encode() + b"\n")
                n += 1
    print(n, len(kept), h.hexdigest()[:16], f"{time.process_time() - t:.2f}s")
