"""The server process's heap: warm every lazily built structure at startup, then freeze what is alive.

Why: CPython's full (generation-2) garbage collection walks every container object the process holds.
A served globewire app holds ~130-170k of them (FastAPI/pydantic/Starlette internals, pycountry's
databases, the world atlas, compiled templates), and walking them took ~100 ms on the 2-core bench
machine (`globewire bench api`: ~1 full collection every 2-4 s under load). The collection holds the GIL,
so every request in flight stalls for its whole length: exactly the 1 % of requests at ~100-140 ms that
made the p99 of `/story/{id}`, `/api/v1/stories?country=` and `/api/v1/blindspot`.

``gc.freeze()`` moves every object alive at that moment to a permanent generation that collections skip;
objects created later (request data, TTL caches) are still collected as before. Freezing only helps for
what already exists, hence the warm-up first: templates compiled, the atlas decoded, pycountry's
databases loaded, the store's connection of this thread opened.

The young generation's threshold is raised as well: with CPython's 700, the objects of the requests in
flight were promoted at every young collection, so the (now small) old generation filled up and a full
collection (30-55 ms over the TTL caches' ~35k objects, measured in the bench server) still ran every
1-2 s under load.
"""

from __future__ import annotations

import gc
import time
from typing import Any

from globewire.log import get_logger

log = get_logger(__name__)

# Allocations (net, of container objects) between two young collections; CPython's default is 700.
# Calibrated with `globewire bench api` (100k articles, 20k stories, 4 clients, 2 cores): at 700 the
# server ran 16 full collections in 24 s after the freeze, at 7000 none (21 middle-generation passes of
# <= 2 ms each); a young pass over 7000 objects stays ~1-2 ms. The other two thresholds keep their defaults.
GEN0_THRESHOLD = 7000


def warm_up(ctx: Any) -> None:
    """Build now what the first requests would otherwise build lazily (and leave unfrozen)."""
    from globewire.web import geo
    from globewire.web.context import language_name as _language_name

    env = ctx.templates.env
    for name in env.list_templates(extensions=["html"]):
        env.get_template(name)  # compiled once, kept in the environment's cache
    geo.numeric_to_alpha2()
    geo.shapes()
    geo.world_svg()
    geo.country_name("FR")
    _language_name("en")  # loads pycountry's language database (~8k objects)
    ctx.read.outlet_counts_by_country()  # opens this thread's connection and reads the schema


def freeze_long_lived() -> int:
    """Collect the garbage of startup, exempt every survivor from later collections and raise the young
    generation's threshold (process-wide); returns how many objects are now frozen."""
    gc.collect()
    gc.freeze()
    _gen0, gen1, gen2 = gc.get_threshold()
    gc.set_threshold(GEN0_THRESHOLD, gen1, gen2)
    return gc.get_freeze_count()


def prepare_for_serving(ctx: Any) -> None:
    """Called once by the lifespan of a serving app (``create_app(..., serving=True)``), before it accepts
    requests."""
    t = time.perf_counter()
    try:
        warm_up(ctx)
    except Exception as exc:  # noqa: BLE001 - a failed warm-up costs latency, never the server's start
        log.warning("warm_up_failed", error=type(exc).__name__, detail=str(exc)[:300])
    frozen = freeze_long_lived()
    log.info("heap_frozen", objects=frozen, ms=round((time.perf_counter() - t) * 1000, 1))
