"""Background processes the stack starts and later stops by pid."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from pathlib import Path
from typing import Callable


def port_open(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((host, port)) == 0


def wait_until(check: Callable[[], bool], seconds: float, failure: str,
               alive: Callable[[], bool] | None = None) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return
        if alive is not None and not alive():
            raise RuntimeError(failure + " (the process exited)")
        time.sleep(0.2)
    raise RuntimeError(failure + f" (not ready after {seconds:.0f} s)")


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a zombie left by a parent that did not reap it is not running
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split(") ", 1)[1][0] != "Z"
    except OSError:
        return True


class ManagedProcess:
    """A daemon process with a pid file and a log file."""

    def __init__(self, name: str, pid_file: Path, log: Path) -> None:
        self.name, self.pid_file, self.log = name, pid_file, log

    def pid(self) -> int | None:
        try:
            return int(self.pid_file.read_text().strip())
        except (OSError, ValueError):
            return None

    def running(self) -> bool:
        pid = self.pid()
        return pid is not None and pid_alive(pid)

    def spawn(self, cmd: list[str], env: dict[str, str] | None = None) -> int:
        self.log.parent.mkdir(parents=True, exist_ok=True)
        with open(self.log, "wb") as out:
            proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                    start_new_session=True, env=env)
        self.pid_file.write_text(str(proc.pid))
        return proc.pid

    def log_contains(self, text: str) -> bool:
        try:
            return text in self.log.read_text(errors="replace")
        except OSError:
            return False

    def wait_for_log(self, text: str, seconds: float, failure: str) -> None:
        """Until the log says `text`. If it never does, the error carries the log's last lines: a start that
        failed somewhere else (CI) leaves nothing else to read."""
        try:
            wait_until(lambda: self.log_contains(text), seconds, failure, alive=self.running)
        except RuntimeError as error:
            raise RuntimeError(f"{error}; its log ends:\n{self.tail()}") from None

    def tail(self, lines: int = 20) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def stop(self, timeout: float = 30, hard: bool = False) -> None:
        pid = self.pid()
        if pid is None or not pid_alive(pid):
            self.pid_file.unlink(missing_ok=True)
            return
        os.kill(pid, signal.SIGKILL if hard else signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while pid_alive(pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        if pid_alive(pid):
            os.kill(pid, signal.SIGKILL)
            while pid_alive(pid):
                time.sleep(0.05)
        self.pid_file.unlink(missing_ok=True)
