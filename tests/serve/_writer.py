"""Load generator for the crash test: writes batches forever, printing each batch id once its commit returned."""

from __future__ import annotations

import sys

from pitfall.deploy.store import NewItem, Store

BATCH = 100


def main() -> None:
    url, prefix, schema = sys.argv[1], sys.argv[2], (sys.argv[3] if len(sys.argv) > 3 else None)
    store = Store(url, schema=schema)
    n = 0
    while True:
        batch_id = f"{prefix}-{n}"
        batch = [
            NewItem(
                record={"batch": n, "i": i, "text": "x" * 200},
                label="a",
                confidence=(i % 97) / 97,
                decision="review",
                reason="load",
            )
            for i in range(BATCH)
        ]
        store.add_items("v1", batch, batch_id=batch_id)
        print(batch_id, flush=True)
        n += 1


if __name__ == "__main__":
    main()
