"""Fleet-wide locks are per store: two fleets in two schemas of one PostgreSQL database never wait on each
other, two workers of one fleet always do. Real PostgreSQL (skipped with the reason when absent)."""

from __future__ import annotations

import threading
import time
import uuid

import pytest

from globewire.scale.locks import exclusive, lock_key, store_lock_key
from tests.test_store_contract import PG_BASE, drop_schema, pg_reachable


def test_keys_are_scoped_by_schema() -> None:
    class S:
        def __init__(self, schema: str | None) -> None:
            self.schema = schema

    assert store_lock_key(S(None), "cluster") == lock_key("cluster")
    assert store_lock_key(S("a"), "cluster") == store_lock_key(S("a"), "cluster")
    assert store_lock_key(S("a"), "cluster") != store_lock_key(S("b"), "cluster")
    assert store_lock_key(S("a"), "cluster") != store_lock_key(S("a"), "translate")


def test_locks_block_within_a_schema_and_not_across() -> None:
    reason = pg_reachable()
    if reason:
        pytest.skip(reason)
    from globewire.store.postgres import PostgresStore

    schemas = ["t_" + uuid.uuid4().hex[:12] for _ in range(2)]
    a1, a2, b = (PostgresStore(f"{PG_BASE}?schema={s}") for s in (schemas[0], schemas[0], schemas[1]))
    try:
        entered: list[str] = []

        def take(store: object, label: str) -> None:
            with exclusive(store, "cluster"):
                entered.append(label)

        with exclusive(a1, "cluster"):
            other_fleet = threading.Thread(target=take, args=(b, "b"))
            same_fleet = threading.Thread(target=take, args=(a2, "a2"))
            other_fleet.start()
            same_fleet.start()
            other_fleet.join(10)
            time.sleep(0.5)
            assert entered == ["b"]  # the other schema's fleet got in; the same schema's worker waits
        same_fleet.join(10)
        assert entered == ["b", "a2"]
    finally:
        for s in (a1, a2, b):
            s.close()
        for s in schemas:
            drop_schema(s)
