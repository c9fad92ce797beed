"""Work done in a forked child while this process does the rest (both cores of a big `qr lint`,
of a cold load of the index).

`start(work)` forks; the child runs `work()`, sends the pickled result through a pipe and exits.
`Forked.result()` waits for it. `start(work, then=...)` has the child run `then()` after sending,
and `result(wait=False)` takes the result without waiting for that: the child is collected later,
at the latest when this process exits. Anything that goes wrong (no fork on this platform, fork refused,
the child failing or killed, a result that does not unpickle) gives None, and the caller does the
work itself: forking only ever saves time, it never changes an answer.

Only on platforms whose processes fork cleanly (not Windows, which has no fork, nor macOS, where
Python starts processes by spawning because system libraries are not fork-safe), and never in a
process with other threads, whose locks the child could inherit held (the launcher's UI lints in
process, one core).
"""

from __future__ import annotations

import os
import sys

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing
if TYPE_CHECKING:
    from collections.abc import Callable


def available_cpus() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # not on Linux
        return os.cpu_count() or 1


def can_fork() -> bool:
    if not hasattr(os, "fork") or sys.platform == "darwin":
        return False
    threading = sys.modules.get("threading")  # not imported: no thread was started from Python
    return threading is None or threading.active_count() == 1


class Forked:
    """A child running `work`; `result()` is its value, or None when it failed."""

    def __init__(self, pid: int, pipe: int) -> None:
        self.pid = pid
        self.pipe = pipe

    def result(self, wait: bool = True) -> object | None:
        """The child's result. `wait`: also until it has ended (its `then` done); without, a result
        that unpickles is taken as it comes (a child that failed sends nothing or half)."""
        import pickle

        data = b""
        try:
            with os.fdopen(self.pipe, "rb") as pipe:  # read to the end first: the child blocks while the pipe is full
                data = pipe.read()
        except OSError:
            pass
        finally:
            if wait:
                status = _reap(self.pid)
            else:
                status = 0
                _collect_later(self.pid)
        if status != 0 or not data:
            return None
        try:
            return pickle.loads(data)
        except Exception:  # a truncated or garbled result: the caller does the work  # noqa: BLE001
            return None

    def abandon(self) -> None:
        """Stop the child (the caller failed and will not ask for the result)."""
        import signal

        try:
            os.kill(self.pid, signal.SIGKILL)
        except OSError:
            pass
        try:
            os.close(self.pipe)
        except OSError:
            pass
        _reap(self.pid)


def start(work: Callable[[], object], then: Callable[[], object] | None = None) -> Forked | None:
    """Run `work()` in a forked child, then `then()` once the result is sent; None when this
    process cannot or may not fork."""
    if not can_fork():
        return None
    _collect_ended()
    try:
        read_end, write_end = os.pipe()
    except OSError:
        return None
    try:
        pid = os.fork()
    except OSError:
        os.close(read_end)
        os.close(write_end)
        return None
    if pid == 0:  # the child: never returns into the caller's code, never runs its exit handlers
        status = 1
        try:
            os.close(read_end)
            import gc
            import pickle

            gc.disable()  # short-lived: a collection would only copy the parent's pages
            data = pickle.dumps(work(), protocol=pickle.HIGHEST_PROTOCOL)
            with os.fdopen(write_end, "wb") as pipe:
                pipe.write(data)
            status = 0  # sent: what `then` does no longer changes the answer
            if then is not None:
                then()
        finally:  # on any exception too (status 1, nothing printed): the parent then does the work itself
            os._exit(status)
    os.close(write_end)
    return Forked(pid, read_end)


def _reap(pid: int) -> int | None:
    """The child's exit code once it has ended (None when it was killed or already reaped)."""
    try:
        _, status = os.waitpid(pid, 0)
    except ChildProcessError:
        return None
    return os.waitstatus_to_exitcode(status)


_LATER: list[int] = []
"""Children whose result was taken without waiting for them to end (`result(wait=False)`)."""


def _collect_later(pid: int) -> None:
    global _collecting_at_exit
    if not _collecting_at_exit:
        import atexit

        atexit.register(_collect_ended, True)
        _collecting_at_exit = True
    _LATER.append(pid)
    _collect_ended()


_collecting_at_exit = False


def _collect_ended(wait: bool = False) -> None:
    """Collect those of `_LATER` that have ended (with `wait`, all of them)."""
    for pid in list(_LATER):
        try:
            done, _ = os.waitpid(pid, 0 if wait else os.WNOHANG)
        except ChildProcessError:
            done = pid
        if done:
            _LATER.remove(pid)
