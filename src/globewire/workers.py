"""Worker processes that never outlive the process that started them.

The CPU-bound stages run in a ``ProcessPoolExecutor`` over a forkserver (the crawler runs threads and an event
loop: forking those is unsafe). Left alone, that pool survives a SIGKILL of its parent: every worker holds the
forkserver's "alive" pipe and the resource tracker's pipe, so none of the three ever sees its end of file. Here:

- each worker watches the process that owns the pool (``_watch_parent``): when it is gone (or a zombie), the
  worker exits; then the forkserver and the resource tracker see their pipes close and exit too. On Linux the
  worker also asks the kernel for SIGKILL when its own parent (the forkserver) dies (``PR_SET_PDEATHSIG``);
- ``shutdown_pool`` stops the pool; it runs at exit, and ``install_signal_handlers`` turns the SIGTERM that
  ``timeout`` or a service manager sends into a normal exit (``SystemExit``), so ``finally`` blocks and that
  exit hook run.

A signal sent to a process lands on any of its threads, and Python runs the handler only in the main thread, the
next time that thread runs bytecode: a main thread blocked in a lock (``future.result()``), a sleep or a socket
read is woken only by a signal that lands on *it*. So a watcher thread reads the signal numbers that the C-level
handler writes to the wakeup fd, stops the workers on SIGTERM and sends the main thread a no-op signal
(``NUDGE_SIGNAL``), which interrupts its blocking call; the pending handler then runs at once.
"""

from __future__ import annotations

import atexit
import concurrent.futures
import multiprocessing
import os
import signal
import socket
import sys
import threading
import time
from typing import Any

from globewire.log import get_logger

log = get_logger(__name__)

# How often a pool worker checks that the process owning the pool is alive. The cost is one stat of
# /proc/PID per check; a worker left behind lives at most this long (plus the task it is running).
WATCHDOG_INTERVAL_S = 0.5
# linux/prctl.h
PR_SET_PDEATHSIG = 1

_POOL: concurrent.futures.ProcessPoolExecutor | None = None
_POOL_SIZE = 0
_POOL_LOCK = threading.Lock()


def die_with_parent(sig: int = signal.SIGKILL) -> bool:
    """Ask the kernel to send ``sig`` to this process when its parent exits (Linux only; False elsewhere)."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(PR_SET_PDEATHSIG, int(sig), 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def process_alive(pid: int) -> bool:
    """True while ``pid`` runs (a zombie, dead but not reaped yet, counts as gone)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            stat = fh.read()
    except OSError:
        return True  # no /proc (not Linux): kill(0) said it exists
    # the state follows the command name in parentheses, which may itself hold spaces or parentheses
    return stat[stat.rfind(b")") + 2 : stat.rfind(b")") + 3] not in (b"Z", b"X")


def _watch_parent(owner_pid: int, interval: float) -> None:
    while True:
        if not process_alive(owner_pid):
            os._exit(1)  # no cleanup: the owner is gone, nobody waits for our results
        time.sleep(interval)


def watch_owner(owner_pid: int, interval: float = WATCHDOG_INTERVAL_S) -> None:
    """Exit this process when ``owner_pid`` is gone (a daemon thread checks every ``interval`` seconds)."""
    die_with_parent()
    if not process_alive(owner_pid):
        os._exit(1)
    threading.Thread(target=_watch_parent, args=(owner_pid, interval), name="globewire-watchdog",
                     daemon=True).start()


def worker_init(owner_pid: int, interval: float = WATCHDOG_INTERVAL_S) -> None:
    """Initializer of every pool worker: exit when the process that owns the pool is gone."""
    watch_owner(owner_pid, interval)
    # SIGINT (Ctrl-C in a terminal reaches the whole process group) is the owner's to handle
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def process_pool(workers: int) -> concurrent.futures.ProcessPoolExecutor:
    """The process pool of ``workers`` workers, shared by the stages of this process (made on first use)."""
    global _POOL, _POOL_SIZE
    with _POOL_LOCK:
        if _POOL is None or _POOL_SIZE != workers:
            if _POOL is not None:
                _POOL.shutdown(cancel_futures=True)
            _POOL = concurrent.futures.ProcessPoolExecutor(
                workers, mp_context=multiprocessing.get_context("forkserver"), initializer=worker_init,
                initargs=(os.getpid(),))
            _POOL_SIZE = workers
        return _POOL


def pool_pids() -> list[int]:
    """Process ids of the pool's workers (none when no pool runs)."""
    return list(getattr(_POOL, "_processes", None) or {})


def discard_pool(pool: concurrent.futures.ProcessPoolExecutor) -> None:
    """Forget a broken pool (a worker died): the next ``process_pool`` call makes a new one."""
    global _POOL, _POOL_SIZE
    with _POOL_LOCK:
        if _POOL is pool:
            _POOL, _POOL_SIZE = None, 0
    pool.shutdown(wait=False, cancel_futures=True)


def shutdown_pool(wait: bool = True, kill: bool = False) -> None:
    """Stop the pool's workers (queued work is cancelled; running work finishes when ``wait``, or is abandoned
    at once when ``kill``: the workers get SIGTERM, and the stored state lets a rerun redo that work)."""
    global _POOL, _POOL_SIZE
    with _POOL_LOCK:
        pool, _POOL, _POOL_SIZE = _POOL, None, 0
    if pool is None:
        return
    if kill:
        _terminate_workers(pool)
    pool.shutdown(wait=wait, cancel_futures=True)


def _terminate_workers(pool: concurrent.futures.ProcessPoolExecutor | None) -> None:
    for proc in list((getattr(pool, "_processes", None) or {}).values()):
        try:
            proc.terminate()
        except (OSError, ValueError, AttributeError):
            pass  # already gone


# Set when a signal ends the command: running work is abandoned instead of waited for (a worker may be seconds
# into a model load or a long page; SIGTERM asks for a prompt end, not a finished batch). The stored state lets a
# rerun redo that work.
_TERMINATING = threading.Event()

# The signal the watcher sends the main thread to interrupt a blocking call (its handler does nothing; the point is
# the EINTR, after which the interpreter runs every pending handler). A real-time signal, which neither the C
# library (it keeps the first two) nor any dependency uses, sent only to this process's own main thread. None
# where the platform has no real-time signals (the watcher then only stops the workers).
NUDGE_SIGNAL: int | None = (int(signal.SIGRTMIN) + 4) if hasattr(signal, "SIGRTMIN") else None
_WATCHER: tuple[socket.socket, socket.socket, threading.Thread] | None = None


def _shutdown_at_exit() -> None:
    shutdown_pool(wait=True, kill=_TERMINATING.is_set())


atexit.register(_shutdown_at_exit)


def _begin_termination() -> None:
    _TERMINATING.set()
    # at once, not in the exit hook: the interpreter joins the pool's manager thread (which waits for running
    # work) before any exit hook runs. No lock here: the main thread may hold it when the signal lands.
    _terminate_workers(_POOL)


def _watch_signals(reader: socket.socket, main_ident: int) -> None:
    while True:
        try:
            received = reader.recv(64)
        except InterruptedError:
            continue
        except OSError:
            return
        if not received:
            return
        if signal.SIGTERM in received:
            _begin_termination()
        if NUDGE_SIGNAL is not None:
            try:
                signal.pthread_kill(main_ident, NUDGE_SIGNAL)
            except (OSError, ValueError):
                return  # the main thread has ended


def _start_signal_watcher() -> None:
    """Route the wakeup fd to a watcher thread (once; not when another owner, e.g. an asyncio loop, holds it)."""
    global _WATCHER
    if _WATCHER is not None:
        return
    reader, writer = socket.socketpair()
    writer.setblocking(False)
    previous = signal.set_wakeup_fd(writer.fileno(), warn_on_full_buffer=False)
    if previous != -1:
        signal.set_wakeup_fd(previous)
        reader.close()
        writer.close()
        return
    if NUDGE_SIGNAL is not None:
        signal.signal(NUDGE_SIGNAL, lambda signum, frame: None)
    thread = threading.Thread(target=_watch_signals, args=(reader, threading.main_thread().ident),
                              name="globewire-signals", daemon=True)
    thread.start()
    _WATCHER = (reader, writer, thread)
    atexit.register(_stop_signal_watcher)


def _stop_signal_watcher() -> None:
    """At exit: give the wakeup fd back and close the pair (the watcher sees end of file and ends)."""
    global _WATCHER
    if _WATCHER is None:
        return
    reader, writer, _thread = _WATCHER
    _WATCHER = None
    try:
        current = signal.set_wakeup_fd(-1)
        if current not in (-1, writer.fileno()):
            signal.set_wakeup_fd(current)  # taken over since (an event loop): theirs, left as it was
    except ValueError:
        pass  # not the main thread
    writer.close()
    reader.close()


def install_signal_handlers() -> None:
    """SIGTERM becomes ``SystemExit(143)`` in the main thread, once (a second SIGTERM kills at once): the
    command unwinds (transactions roll back, the web server stops) and the pool is shut down at exit. The main
    thread is woken wherever it blocks, whichever thread the signal landed on (``_watch_signals``)."""
    if threading.current_thread() is not threading.main_thread():
        return

    def on_term(signum: int, frame: Any) -> None:
        signal.signal(signum, signal.SIG_DFL)
        _begin_termination()
        log.warning("terminating", signal=signal.Signals(signum).name)
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, on_term)
    _start_signal_watcher()
