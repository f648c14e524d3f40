"""A background process that never says it started: the error names it and carries the end of its log,
since a start that failed on another machine (CI) leaves nothing else to read."""
from __future__ import annotations

import sys

import pytest

from coopreg.stack.process import ManagedProcess


def test_a_start_that_never_comes_ends_with_the_last_lines_of_the_log(tmp_path):
    process = ManagedProcess("sleeper", tmp_path / "sleeper.pid", tmp_path / "sleeper.log")
    script = "import time\nfor n in range(30): print(f'line {n}', flush=True)\ntime.sleep(30)"
    process.spawn([sys.executable, "-c", script])
    try:
        with pytest.raises(RuntimeError) as raised:
            process.wait_for_log("started", 1.5, "sleeper did not start")
    finally:
        process.stop(timeout=1)
    message = str(raised.value)
    assert message.startswith("sleeper did not start (not ready after 2 s); its log ends:")
    assert message.endswith("line 29") and "line 10\n" in message and "line 9\n" not in message


def test_a_process_that_exits_is_told_apart_from_one_still_starting(tmp_path):
    process = ManagedProcess("quitter", tmp_path / "quitter.pid", tmp_path / "quitter.log")
    process.spawn([sys.executable, "-c", "print('cannot bind the port')"])
    with pytest.raises(RuntimeError, match=r"quitter did not start \(the process exited\); its log ends:\n"
                                           r"cannot bind the port$"):
        process.wait_for_log("started", 10, "quitter did not start")


def test_the_wait_returns_once_the_log_says_it(tmp_path):
    process = ManagedProcess("starter", tmp_path / "starter.pid", tmp_path / "starter.log")
    process.spawn([sys.executable, "-c", "import time\nprint('service started', flush=True)\ntime.sleep(30)"])
    try:
        process.wait_for_log("service started", 10, "starter did not start")
        assert process.running()
    finally:
        process.stop(timeout=1)
    assert not process.running()
