"""bench/measure.py adds up the memory of every process of a build, so that a build that runs
processes side by side (the handbook's languages) is measured at what it holds at once."""

from __future__ import annotations

import subprocess
import sys

from support import ROOT

sys.path.insert(0, str(ROOT / "bench"))
import measure

# A build stand-in: 40 MB in hand, then a forked copy; each says it is ready, and both hold on
# until their input closes.
HOLD = "import os, sys; block = b'x' * 40_000_000; os.fork(); os.write(1, b'ready\\n'); sys.stdin.read()"


def test_the_memory_sampled_is_every_process_of_the_builds_group_with_shared_pages_once():
    build = subprocess.Popen(
        [sys.executable, "-c", HOLD], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, start_new_session=True
    )
    try:
        assert [build.stdout.readline(), build.stdout.readline()] == ["ready\n", "ready\n"]
        members = measure._GroupMemory(build.pid)._members()
        # The process and its copy; not this test's process, which is in another group.
        assert len(members) == 2 and str(build.pid) in members, members
        held = sum(measure._pss_kib(pid) for pid in members)
        # The block is the two processes' shared pages: counted once (about 40 MB), not twice.
        assert 40_000 <= held < 80_000, held
    finally:
        build.stdin.close()
        build.wait()
