"""Run one command and print, as JSON, its exit code, wall time, CPU time and peak memory.

    python bench/measure.py TIMEOUT_S LOG CWD -- COMMAND...

bench.py starts every build through this small process rather than directly. On Linux a process's
peak memory (ru_maxrss) starts at the peak memory of the process that started it: exec records
the memory high-water mark of the process image it replaces. Started from bench.py, which has
held banks of 12,000 questions, every build would report at least bench.py's own peak. This
process stays small (about 11 MB), well under any build.

The command runs in its own session, with stdout and stderr to LOG; it is reaped with os.wait4,
whose resource usage is that process's own and its reaped children's: CPU time added up, peak
memory the largest any one of them reached. A build may run processes side by side (the
handbook builds its other languages in forked copies), so every SAMPLE_S the memory of the whole
process group is added up too: each process's proportional set size (Pss, which shares the pages
forked copies have in common among them, rather than counting them in each). The peak memory
printed is the larger of the two. After TIMEOUT_S the process group is killed.
Only the standard library, and few imports, so this process stays small.
"""

import json
import os
import signal
import subprocess
import sys
import threading
import time

SAMPLE_S = 0.05


def main(argv: list[str]) -> int:
    timeout_s, log_path, cwd, separator, *command = argv
    if separator != "--" or not command:
        print(__doc__, file=sys.stderr)
        return 2
    with open(log_path, "wb") as log:
        start = time.perf_counter()
        process = subprocess.Popen(command, cwd=cwd, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        # os.wait4 has no timeout: a timer kills the command's process group if it overruns.
        watchdog = threading.Timer(float(timeout_s), os.killpg, (process.pid, signal.SIGKILL))
        watchdog.start()
        sampler = _GroupMemory(process.pid)
        sampler.start()
        try:
            _, status, usage = os.wait4(process.pid, 0)
        finally:
            watchdog.cancel()
            sampler.stop()
        wall_s = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
    result = {
        "exit": process.returncode,
        "wall_s": wall_s,
        "cpu_s": usage.ru_utime + usage.ru_stime,
        "peak_rss_kib": max(usage.ru_maxrss, sampler.peak_kib),  # KiB on Linux
        "largest_process_kib": usage.ru_maxrss,
        "group_peak_kib": sampler.peak_kib,
    }
    print(json.dumps(result))
    return 0


class _GroupMemory(threading.Thread):
    """The peak, over samples, of the memory of every process in one process group."""

    def __init__(self, group: int) -> None:
        super().__init__(daemon=True)
        self.group = group
        self.peak_kib = 0
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.wait(SAMPLE_S):
            self.peak_kib = max(self.peak_kib, sum(_pss_kib(pid) for pid in self._members()))

    def stop(self) -> None:
        self.done.set()
        self.join()

    def _members(self) -> list[str]:
        members = []
        for pid in os.listdir("/proc"):
            if not pid.isdigit():
                continue
            try:
                with open(f"/proc/{pid}/stat", "rb") as stat:
                    fields = stat.read().rsplit(b")", 1)[1].split()  # after the command's name
            except OSError:  # it ended while we looked
                continue
            if int(fields[2]) == self.group:  # state, parent, process group
                members.append(pid)
        return members


def _pss_kib(pid: str) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup", "rb") as rollup:
            for line in rollup:
                if line.startswith(b"Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
