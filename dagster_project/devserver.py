"""`make dev`: `dagster dev` that stops with every process it started on Ctrl+C, SIGINT, SIGTERM or SIGHUP (issue 12.6).

dagster dev stops its webserver, daemon and code servers when it gets SIGINT (it maps SIGTERM to the same
handler). It did not stop at all when it was started with SIGINT ignored, which is what a non-interactive shell
does to a background job (`make dev &` in a script, a tool that runs it in the background): Python keeps an
ignored SIGINT ignored, and dagster dev copies that disposition to SIGTERM, so neither signal did anything and the
webserver, the daemon and the code servers ran on. A second Ctrl+C while it shuts down can also cut its wait
short and leave the webserver or the daemon behind.

So `make dev` runs this supervisor instead: it takes SIGINT, SIGTERM and SIGHUP itself (whatever it inherited),
starts dagster dev in a process group of its own with default signal handling, and on the first signal sends it
one SIGINT (its graceful shutdown), waits up to GRACE_SECONDS, then ends whatever is left of that group (SIGTERM,
then SIGKILL). It also ends what is left when dagster dev exits by itself. A second signal skips the wait.

Not covered: SIGINT sent to `make` alone (`kill -INT <pid of make>`): make passes SIGINT on to nobody (it expects
the terminal to have sent it to the whole group) and waits. Ctrl+C in a terminal signals the whole group, and make
does pass SIGTERM on.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Sequence

GRACE_SECONDS = 20.0  # dagster dev's own shutdown took 10-17 s here on 2 busy cores
KILL_AFTER_SECONDS = 5.0
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


def group_alive(pgid: int) -> bool:
    """Whether any process (not a zombie) of process group `pgid` is left."""
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return bool(group_members(pgid))


def group_members(pgid: int) -> list[int]:
    """The live (not zombie) processes of group `pgid`, from /proc (empty where /proc is not there)."""
    members = []
    try:
        entries = os.listdir("/proc")
    except OSError:
        return members
    for entry in entries:
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="utf-8", errors="replace") as handle:
                stat = handle.read()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()  # after "pid (comm) ": state, ppid, pgrp, ...
        if fields[0] != "Z" and int(fields[2]) == pgid:
            members.append(int(entry))
    return members


def _wait_group(child: subprocess.Popen, seconds: float, requests: list[int], requests_seen: int) -> bool:
    """Wait until the child and its whole group are gone (True), `seconds` pass or a new stop request comes."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and len(requests) == requests_seen:
        child.poll()  # reap the child, so that it does not count as alive
        if child.returncode is not None and not group_alive(child.pid):
            return True
        time.sleep(0.2)
    child.poll()
    return child.returncode is not None and not group_alive(child.pid)


def stop_group(child: subprocess.Popen, requests: list[int], grace: float = GRACE_SECONDS,
               kill_after: float = KILL_AFTER_SECONDS, log=print) -> None:
    """SIGINT to the child (its own clean shutdown), then SIGTERM and SIGKILL to its whole process group."""
    seen = len(requests)
    if child.poll() is None:
        child.send_signal(signal.SIGINT)
        if _wait_group(child, grace, requests, seen):
            return
    for sig, wait in ((signal.SIGTERM, kill_after), (signal.SIGKILL, kill_after)):
        if not group_alive(child.pid):
            break
        log(f"callqa dev: ending what is left of the dagster dev process group ({sig.name})")
        try:
            os.killpg(child.pid, sig)
        except ProcessLookupError:
            break
        if _wait_group(child, wait, requests, len(requests)):
            break
    child.poll()


def run(command: Sequence[str], grace: float = GRACE_SECONDS, log=print) -> int:
    """Run `command` (dagster dev) in a process group of its own until it exits or a stop signal comes; then make
    sure nothing of its group is left. Returns its exit code (128 + the signal when stopped by one)."""
    requests: list[int] = []

    def request_stop(signum, _frame):
        requests.append(signum)

    previous = {sig: signal.signal(sig, request_stop) for sig in STOP_SIGNALS}
    try:
        # The handlers above are Python's: exec resets them to the default in the child, so dagster dev gets
        # SIGINT's default handling (KeyboardInterrupt) even when this process was started with SIGINT ignored.
        child = subprocess.Popen(list(command), process_group=0)
        while child.poll() is None and not requests:
            time.sleep(0.2)
        stop_group(child, requests, grace=grace, log=log)
        if requests:
            log(f"callqa dev: stopped ({signal.Signals(requests[0]).name})")
            return 128 + requests[0]
        return child.returncode
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    return run([sys.executable, "-m", "dagster", "dev", *args])


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
