"""``python -m globewire.cli.fleet worker|scheduler|backfill|db-copy|bench-scale``: the fleet's commands on
their own, for worker processes started by a service manager or a benchmark."""

from __future__ import annotations

import os

from globewire.cli.scale import standalone
from globewire.log import configure

if __name__ == "__main__":
    configure(os.environ.get("GLOBEWIRE_LOG_LEVEL", "INFO"))
    standalone()()
