"""The other languages' builds, run beside the first language's where the machine allows.

A build runs on one core. Under `mkdocs build` on a machine with more, each other language is
built in a forked copy of this process, started in the first language's `on_files` (MkDocs
has just emptied the site folder, so nothing the copy writes is swept away) and waited for in
its `on_post_build`, before publishing swaps the site into place. The copy starts with the
modules imported and the bank files parsed, so it reads none of them again. It logs its own
errors and warnings to the same terminal, and reports how it ended through a pipe: nothing, or
the message of the `Abort` that stopped it, which the first language's build then raises, as
if the build had run in this process.

Elsewhere the builds run in turn, in this process, from `on_post_build`: without `os.fork`
(Windows), on one core, with another thread running (`mkdocs serve`'s server, a test runner:
a fork copies only the calling thread, and any lock another one held stays held), or when
an export is written (it gathers every language's files in this process).

Either way every language is built, even after one has stopped, so that one build reports what
each language lacks; the first that stopped stops the whole.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import sys
import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field

from mkdocs.exceptions import Abort

log = logging.getLogger("mkdocs.hooks.handbook")


@dataclass
class LanguageBuilds:
    """The other languages' builds of one first-language build: each a call that runs one
    whole MkDocs build (config and all), keyed by the language's code."""

    builds: dict[str, Callable[[], object]]
    running: list[_Running] = field(default_factory=list)

    def start(self) -> None:
        """Fork a copy for each build, if that is safe and would be quicker; else do nothing."""
        if not self.builds or not can_fork():
            return
        for code, build in self.builds.items():
            self.running.append(self._fork(code, build))
        log.debug(f"building {', '.join(self.builds)} beside the first language, in processes {self._pids()}")

    def finish(self) -> None:
        """Wait for the forked builds, or run the builds now if none was forked; then stop with
        the first that stopped."""
        stopped: Abort | None = None
        if self.running:
            running, self.running = self.running, []
            for run in running:
                message = _wait(run)
                if message is not None and stopped is None:
                    stopped = Abort(message)
        else:
            for build in self.builds.values():
                try:
                    build()
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

    def _fork(self, code: str, build: Callable[[], object]) -> _Running:
        read, write = os.pipe()
        # Whatever is buffered now would otherwise be printed by both processes.
        sys.stdout.flush()
        sys.stderr.flush()
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
            status, message = _build_in_copy(code, build)
            sys.stdout.flush()
            sys.stderr.flush()
            report = message.encode()
            while report:
                report = report[os.write(write, report) :]
        finally:
            os._exit(status)

    def _pids(self) -> str:
        return ", ".join(str(run.pid) for run in self.running)


def can_fork() -> bool:
    """A fork is safe here (only this thread runs) and useful (more than one core)."""
    if not hasattr(os, "fork") or threading.active_count() != 1:
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


def _wait(run: _Running) -> str | None:
    """None if the build succeeded, else why it stopped."""
    chunks = []
    while chunk := os.read(run.report, 65536):
        chunks.append(chunk)
    os.close(run.report)
    _, status = os.waitpid(run.pid, 0)
    code = os.waitstatus_to_exitcode(status)
    message = b"".join(chunks).decode(errors="replace")
    if code == 0:
        return None
    return message or f"the '{run.code}' build ended unexpectedly (exit status {code})"
