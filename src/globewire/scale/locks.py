"""The fleet's exclusive sections live with the store (``globewire.store.locks``): the single-process pipeline
takes the same clustering lock as the fleet. Kept here under its old name for the fleet's callers."""

from globewire.store.locks import exclusive, lock_key, store_lock_key, try_exclusive

__all__ = ["exclusive", "lock_key", "store_lock_key", "try_exclusive"]
