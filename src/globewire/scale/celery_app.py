"""The Celery application of the fleet. Broker and queue names come from ``ScaleSettings``
(``GLOBEWIRE_SCALE__BROKER_URL``, ``GLOBEWIRE_SCALE__QUEUE_PREFIX``).

Delivery guarantees: ``acks_late`` + ``task_reject_on_worker_lost`` + prefetch 1 — a task is acknowledged
only after it finished, so a worker killed mid-task (even SIGKILL) loses nothing: the broker hands the message
to another worker. Every task is idempotent (upserts keyed by canonical URL, claims, locks), so running one
twice is harmless.
"""

from __future__ import annotations

from celery import Celery
from kombu import Queue

from globewire.config.scale import QUEUES, ScaleSettings, queue_name, scale_settings

TASK_QUEUES = {
    "globewire.scale.tasks.crawl_round": "fetch",
    "globewire.scale.tasks.crawl_outlet": "fetch",
    "globewire.scale.tasks.fetch_page": "fetch",
    "globewire.scale.tasks.process_page": "extract",
    "globewire.scale.tasks.embed_articles": "embed",
    "globewire.scale.tasks.cluster_articles": "cluster",
    "globewire.scale.tasks.translate_pending": "translate",
    "globewire.scale.tasks.backfill_range": "backfill",
}


def make_app(s: ScaleSettings | None = None) -> Celery:
    s = s or scale_settings()
    app = Celery("globewire", broker=s.broker_url, include=["globewire.scale.tasks"])
    app.conf.update(
        task_serializer="json",
        accept_content=["json"],
        result_backend=None,
        task_ignore_result=True,
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_queues=[Queue(queue_name(s, q)) for q in QUEUES],
        task_default_queue=queue_name(s, "extract"),
        task_routes={name: {"queue": queue_name(s, q)} for name, q in TASK_QUEUES.items()},
        task_compression="gzip",
        broker_connection_retry_on_startup=True,
        broker_transport_options={"visibility_timeout": 3600},  # redis broker: redeliver after 1 h unacked
        worker_hijack_root_logger=False,
        worker_send_task_events=False,
    )
    app.conf.globewire_scale = s.model_dump()
    return app


def _settings() -> ScaleSettings:
    try:
        from globewire.settings import load_settings

        return scale_settings(load_settings())
    except Exception:  # noqa: BLE001 - a broken config file must not hide the broker settings from env
        return scale_settings()


app = make_app(_settings())
