"""Tests of unspin.workers: worker processes end when the process that started them is killed."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from unspin.workers import exit_with_parent, interrupts_held

# Starts two spawned workers that wait for work that never comes, says so, and waits too.
SCRIPT = """
import multiprocessing, sys, time
from concurrent.futures import ProcessPoolExecutor
import pytest

from unspin.workers import exit_with_parent, interrupts_held

if __name__ == "__main__":
    pool = ProcessPoolExecutor(max_workers=2, initializer=exit_with_parent,
                               mp_context=multiprocessing.get_context("spawn"))
    pool.submit(time.sleep, 0).result()  # the workers are up
    pool.submit(time.sleep, 0).result()
    print("ready", flush=True)
    time.sleep(120)
"""


def test_workers_end_when_their_parent_is_killed(tmp_path: Path) -> None:
    script = tmp_path / "parent.py"
    script.write_text(SCRIPT, encoding="utf-8")
    # The workers inherit stderr: communicate() returns only once every one of them has ended.
    proc = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == b"ready"
    proc.send_signal(signal.SIGKILL)
    started = time.monotonic()
    proc.communicate(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    assert time.monotonic() - started < 30


def test_outside_a_worker_it_starts_no_watcher() -> None:
    import threading

    exit_with_parent()  # the test process has no multiprocessing parent: nothing to watch
    assert "unspin-parent-watch" not in {thread.name for thread in threading.enumerate()}


@pytest.mark.skipif(not hasattr(signal, "pthread_sigmask"), reason="threads cannot block signals here")
def test_interrupts_are_held_only_inside_the_block() -> None:
    def blocked() -> bool:
        return signal.SIGINT in signal.pthread_sigmask(signal.SIG_BLOCK, set())

    assert not blocked()
    with interrupts_held():
        assert blocked()  # a worker started here begins with Ctrl-C held, until start_worker ignores it
    assert not blocked()
