"""Settings of the worker fleet (mounted as ``settings.scale``; ``[scale]`` in TOML, ``GLOBEWIRE_SCALE__*``)."""

from __future__ import annotations

import os
from typing import Any

from pydantic import BaseModel, Field

QUEUES = ("fetch", "extract", "embed", "cluster", "translate", "backfill")


class ScaleSettings(BaseModel):
    broker_url: str = Field(
        "amqp://guest:guest@127.0.0.1:5672//",
        description="Celery broker: amqp://user:pass@host:5672/vhost (RabbitMQ) or redis://host:6379/0.",
    )
    redis_url: str = Field(
        "redis://127.0.0.1:6379/0",
        description="Redis for the fleet-wide per-host rate limit (empty: per-process limit only).",
    )
    queue_prefix: str = Field(
        "globewire", description="Queue names are <prefix>.fetch, <prefix>.extract, ... (one fleet per prefix)."
    )
    metrics_port: int = Field(
        9464, description="Port of a worker's /metrics and /healthz endpoint (0: off; +1 per extra worker on a host)."
    )
    task_max_retries: int = Field(5, description="Retries of a failed task (exponential backoff).")
    retry_backoff_max: int = Field(300, description="Longest backoff between two retries of a task, in seconds.")
    backfill_records_per_task: int = Field(
        200, description="WARC records one backfill task processes (a task is one record range of one file)."
    )
    cluster_batch: int = Field(500, description="Unclustered articles one clustering task takes at most.")


def scale_settings(settings: Any = None) -> ScaleSettings:
    """``settings.scale`` when the main settings mount it, else built from ``GLOBEWIRE_SCALE__*``."""
    mounted = getattr(settings, "scale", None)
    if isinstance(mounted, ScaleSettings):
        return mounted
    prefix = "GLOBEWIRE_SCALE__"
    values = {k[len(prefix):].lower(): v for k, v in os.environ.items() if k.startswith(prefix)}
    return ScaleSettings.model_validate({k: v for k, v in values.items() if k in ScaleSettings.model_fields})


def queue_name(s: ScaleSettings, stage: str) -> str:
    return f"{s.queue_prefix}.{stage}"
