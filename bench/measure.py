"""Run one command and print, as JSON, its exit code, wall time, CPU time and peak memory.

    python bench/measure.py TIMEOUT_S LOG CWD -- COMMAND...

bench.py starts every build through this small process rather than directly. On Linux a process's
peak memory (ru_maxrss) starts at the peak memory of the process that started it: exec records
the memory high-water mark of the process image it replaces. Started from bench.py, which has
held banks of 12,000 questions, every build would report at least bench.py's own peak. This
process stays small (about 11 MB), well under any build.

The command runs in its own session, with stdout and stderr to LOG; it is reaped with os.wait4,
whose resource usage is that one process's own. After TIMEOUT_S its process group is killed.
Only the standard library, and few imports, so this process stays small.
"""

import json
import os
import signal
import subprocess
import sys
import threading
import time


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
        try:
            _, status, usage = os.wait4(process.pid, 0)
        finally:
            watchdog.cancel()
        wall_s = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
    result = {
        "exit": process.returncode,
        "wall_s": wall_s,
        "cpu_s": usage.ru_utime + usage.ru_stime,
        "peak_rss_kib": usage.ru_maxrss,  # KiB on Linux
    }
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
