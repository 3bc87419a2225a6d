"""globewire: world news as the world reports it."""

from globewire.log import ensure_configured as _ensure_logging

__version__ = "0.1.0"

_ensure_logging()
