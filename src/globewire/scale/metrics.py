"""Prometheus metrics and a health endpoint for a worker: ``GET /metrics`` and ``GET /healthz`` on
``ScaleSettings.metrics_port``. Task counts and durations come from Celery signals."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from globewire.log import get_logger

log = get_logger(__name__)

_started = time.time()
_last_task_at: float | None = None
_state: dict[str, Any] = {"tasks": 0, "failures": 0}


def _metrics() -> Any:
    from prometheus_client import Counter, Histogram

    tasks = Counter("globewire_tasks_total", "Tasks finished, by task and outcome.", ["task", "outcome"])
    seconds = Histogram("globewire_task_seconds", "Task run time in seconds.", ["task"],
                        buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300))
    return tasks, seconds


def install_signal_handlers() -> None:
    """Count tasks and time them (called once in each worker process)."""
    from celery import signals

    tasks, seconds = _metrics()
    starts: dict[str, float] = {}

    @signals.task_prerun.connect(weak=False)
    def _pre(task_id: str | None = None, **_: Any) -> None:
        if task_id:
            starts[task_id] = time.perf_counter()

    @signals.task_postrun.connect(weak=False)
    def _post(task_id: str | None = None, task: Any = None, state: str | None = None, **_: Any) -> None:
        global _last_task_at
        t0 = starts.pop(task_id or "", None)
        name = getattr(task, "name", "?").rsplit(".", 1)[-1]
        if t0 is not None:
            seconds.labels(name).observe(time.perf_counter() - t0)
        tasks.labels(name, (state or "unknown").lower()).inc()
        _state["tasks"] += 1
        if state != "SUCCESS":
            _state["failures"] += 1
        _last_task_at = time.time()


def health() -> dict[str, Any]:
    return {"status": "ok", "uptime_s": round(time.time() - _started, 1), "tasks": _state["tasks"],
            "task_failures": _state["failures"], "last_task_at": _last_task_at}


class _Handler(BaseHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        return

    def do_GET(self) -> None:
        if self.path.startswith("/metrics"):
            from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

            body, ctype = generate_latest(), CONTENT_TYPE_LATEST
        elif self.path.startswith("/healthz"):
            body, ctype = json.dumps(health()).encode(), "application/json"
        else:
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def serve(port: int, host: str = "0.0.0.0") -> ThreadingHTTPServer | None:
    """Start the endpoint in a daemon thread; None (logged) when the port is taken."""
    if port <= 0:
        return None
    try:
        srv = ThreadingHTTPServer((host, port), _Handler)
    except OSError as e:
        log.warning("metrics_port_unavailable", port=port, error=str(e))
        return None
    srv.daemon_threads = True
    threading.Thread(target=srv.serve_forever, daemon=True, name="metrics").start()
    log.info("metrics_serving", port=port)
    return srv
