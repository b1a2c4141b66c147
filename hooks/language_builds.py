"""The other languages' builds, run beside the first language's where the machine allows.

A build runs on one core. On a machine with more, each other language is built in a forked copy
of this process, started at the end of the first language's `on_config` and waited for in its
`on_post_build`, before publishing swaps the site into place. The copy reads its config and runs
its own `on_config` beside the first language's build; it then waits, before MkDocs empties its
site folder and writes, until the first language's `on_files` says the site folder (which holds
the copy's) has been emptied, so that nothing the copy writes is swept away. The copy starts
with the modules imported and the bank files parsed, so it reads none of them again. It logs its
own errors and warnings to the same terminal, and reports how it ended through a pipe: nothing,
or the message of the `Abort` that stopped it, which the first language's build then raises, as
if the build had run in this process.

Under `mkdocs serve` other threads run (the server's, the file watcher's), and a fork copies
only the calling thread: a lock another one held stays held in the copy. So the copy touches
nothing those threads use (the caller's `in_copy` drops the server; the copy writes to the
terminal through streams of its own, not the ones another thread may be writing to), and the
first language waits for it only so long (`PATIENCE`): a copy that has not reported by then is
ended, its language is built in this process instead, and the builds run in turn from then on.

Elsewhere the builds run in turn, in this process, from `on_post_build`: without `os.fork`
(Windows), on one core, with another thread running outside serve (a test runner), or when an
export is written (it gathers every language's files in this process).

Either way every language is built, even after one has stopped, so that one build reports what
each language lacks; the first that stopped stops the whole.
"""

from __future__ import annotations

import contextlib
import logging
import os
import select
import signal
import sys
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TextIO

from mkdocs.exceptions import Abort

log = logging.getLogger("mkdocs.hooks.handbook")

# The least time the first language waits for a copy forked while other threads ran, in seconds.
PATIENCE = 30.0


@dataclass
class LanguageBuilds:
    """The other languages' builds of one first-language build: each a call that runs one
    whole MkDocs build (config and all), keyed by the language's code."""

    builds: dict[str, Callable[[], object]]
    in_copy: Callable[[], None] = lambda: None  # what a copy drops first: the parent's threads' state
    running: list[_Running] = field(default_factory=list)
    threaded: bool = False  # forked while other threads ran: the wait for each copy is bounded
    gave_up: bool = False  # a copy did not report in time: it was built here instead
    started: float = 0.0
    # The pipe the first language closes when the copies may write: its write end in the first
    # language's process, its read end in a copy's; -1 once closed, or where nothing was forked.
    ready: int = -1
    copy: bool = False  # this process is a forked copy

    def start(self, threaded: bool = False) -> None:
        """Fork a copy for each build, if that is safe and would be quicker; else do nothing.
        `threaded`: the caller's other threads run code a copy never touches (serve's)."""
        if not self.builds or not can_fork(threaded):
            return
        self.threaded, self.started = threading.active_count() > 1, time.monotonic()
        wait, self.ready = os.pipe()
        for code, build in self.builds.items():
            self.running.append(self._fork(code, build, wait))
        os.close(wait)
        log.debug(f"building {', '.join(self.builds)} beside the first language, in processes {self._pids()}")

    def go(self) -> None:
        """The first language's build has emptied the site folder: the copies may write into it."""
        if not self.copy and self.ready >= 0:
            os.close(self.ready)
            self.ready = -1

    def wait_to_write(self) -> None:
        """In a copy, before MkDocs empties its site folder: wait for the first language's go().
        Elsewhere (the first language, a language built in its process) nothing to wait for."""
        if self.copy and self.ready >= 0:
            os.read(self.ready, 1)  # nothing is ever written: it returns when the pipe is closed
            os.close(self.ready)
            self.ready = -1

    def finish(self) -> None:
        """Wait for the forked builds, or run the builds now if none was forked; then stop with
        the first that stopped."""
        self.go()
        stopped: Abort | None = None
        running, self.running = self.running, []
        # A copy builds what the first language built, so it takes about as long: a copy that
        # takes many times longer is stuck on a lock it was forked holding.
        deadline = time.monotonic() + max(PATIENCE, 4 * (time.monotonic() - self.started)) if self.threaded else None
        in_turn = [] if running else list(self.builds)  # each forked, or none
        for run in running:
            try:
                message = _wait(run, deadline)
            except _Stuck:
                log.warning(
                    f"the '{run.code}' build beside the first language did not finish; "
                    "building it here instead, and the languages in turn from now on"
                )
                self.gave_up = True
                in_turn.append(run.code)
                continue
            if message is not None and stopped is None:
                stopped = Abort(message)
        for code in in_turn:
            try:
                self.builds[code]()
            except Abort as e:
                stopped = stopped or e
        if stopped is not None:
            raise stopped

    def stop(self) -> None:
        """The first language's build failed: end the forked builds, and reap them."""
        running, self.running = self.running, []
        for run in running:
            with contextlib.suppress(ProcessLookupError):  # it has ended already
                os.kill(run.pid, signal.SIGTERM)
            os.close(run.report)
            os.waitpid(run.pid, 0)
        self.go()  # nothing waits on it now: the pipe is closed

    def _fork(self, code: str, build: Callable[[], object], wait: int) -> _Running:
        read, write = os.pipe()
        pid = os.fork()
        if pid:
            os.close(write)
            return _Running(code, pid, read)
        # The copy: build, report, and leave without running the first language's exit handlers,
        # whatever happens, so that it never goes on with the first language's build.
        status = 1
        try:
            # The builds forked before this one are its siblings, not its children: forget
            # them, so that a failure here does not end them.
            os.close(read)
            for sibling in self.running:
                os.close(sibling.report)
            self.running = []
            # It waits on the first language's go(), which it must not hold open itself.
            os.close(self.ready)
            self.ready, self.copy = wait, True
            streams = _own_streams()
            self.in_copy()
            status, message = _build_in_copy(code, build)
            for stream in streams:
                stream.flush()
            report = message.encode()
            while report:
                report = report[os.write(write, report) :]
        finally:
            os._exit(status)

    def _pids(self) -> str:
        return ", ".join(str(run.pid) for run in self.running)


def can_fork(threaded: bool = False) -> bool:
    """A fork is safe here (only this thread runs, or the caller says its other threads' work is
    none of the copy's) and useful (more than one core)."""
    if not hasattr(os, "fork") or (threading.active_count() != 1 and not threaded):
        return False
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return cores > 1


# -----------------------------------------------------------------------------
# Helpers
# -----------------------------------------------------------------------------


@dataclass
class _Running:
    code: str
    pid: int
    report: int  # the read end of the pipe the copy reports through


def _build_in_copy(code: str, build: Callable[[], object]) -> tuple[int, str]:
    """The exit status and the message of one build run in a forked copy."""
    try:
        build()
    except Abort as e:
        return 1, e.message or f"the '{code}' build stopped"
    except KeyboardInterrupt:
        return 130, f"the '{code}' build was interrupted"
    except BaseException:
        traceback.print_exc()
        return 1, f"the '{code}' build stopped on an unexpected error (above)"
    return 0, ""


def _own_streams() -> list[TextIO]:
    """In a copy: write to the terminal through streams of its own, and return them. Another
    thread of the parent may have been writing to sys.stderr when it forked, and then the
    stream's lock stays held in the copy. The copy never writes or flushes the streams it was
    forked with, so what was in their buffers is printed once, by the parent. Logging's handlers
    follow (set directly: setStream() would flush the old stream)."""
    streams = []
    for name in ("stdout", "stderr"):
        old = getattr(sys, name)
        try:
            fd = old.fileno()
        except (AttributeError, OSError, ValueError):  # not a file (a test's capture): nothing to lock
            continue
        new = open(fd, "w", encoding=old.encoding, errors=old.errors, closefd=False, buffering=1)  # noqa: SIM115
        setattr(sys, name, new)
        streams.append(new)
        loggers = [logging.getLogger(), *logging.root.manager.loggerDict.values()]
        for handler in [h for each in loggers for h in getattr(each, "handlers", ())]:
            if isinstance(handler, logging.StreamHandler) and handler.stream is old:
                handler.stream = new
    return streams


class _Stuck(Exception):
    """A copy did not report by the deadline: it has been ended."""


def _wait(run: _Running, deadline: float | None = None) -> str | None:
    """None if the build succeeded, else why it stopped; _Stuck if it did not report by the
    deadline."""
    chunks = []
    while True:
        if deadline is not None and not select.select([run.report], [], [], max(0, deadline - time.monotonic()))[0]:
            with contextlib.suppress(ProcessLookupError):
                os.kill(run.pid, signal.SIGKILL)
            os.close(run.report)
            os.waitpid(run.pid, 0)
            raise _Stuck
        if not (chunk := os.read(run.report, 65536)):
            break
        chunks.append(chunk)
    os.close(run.report)
    _, status = os.waitpid(run.pid, 0)
    code = os.waitstatus_to_exitcode(status)
    message = b"".join(chunks).decode(errors="replace")
    if code == 0:
        return None
    return message or f"the '{run.code}' build ended unexpectedly (exit status {code})"
