"""The `make dev` supervisor (dagster_project/devserver.py) with stand-ins for dagster dev: small Python programs
that leave a grandchild behind, or ignore SIGINT. The real `make dev` is tests/dagster/test_make_dev.py."""
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from dagster_project.devserver import group_members

REPO_ROOT = Path(__file__).resolve().parents[2]

# A dagster dev stand-in: starts a grandchild (its "webserver"), writes both pids, and on SIGINT exits at once
# without stopping the grandchild (what a cut-short shutdown leaves), or ignores SIGINT altogether.
STAND_IN = textwrap.dedent("""
    import os, signal, subprocess, sys, time
    pids_file, behaviour = sys.argv[1], sys.argv[2]
    grandchild = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
    if behaviour == "ignore":
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
    with open(pids_file + ".tmp", "w") as f:
        f.write(f"{os.getpid()} {grandchild.pid} {signal.getsignal(signal.SIGINT)!r}")
    os.replace(pids_file + ".tmp", pids_file)
    try:
        time.sleep(600)
    except KeyboardInterrupt:
        sys.exit(0)
""")


def _start_supervisor(tmp_path, behaviour, grace):
    script = tmp_path / "stand_in.py"
    script.write_text(STAND_IN)
    pids = tmp_path / "pids"
    code = (f"import sys; from dagster_project.devserver import run; "
            f"sys.exit(run([sys.executable, {str(script)!r}, {str(pids)!r}, {behaviour!r}], grace={grace}, "
            f"log=lambda m: print(m, flush=True)))")
    # SIGINT ignored from the start, as a non-interactive shell starts a background job (`make dev &`): the case in
    # which dagster dev ignored both SIGINT and SIGTERM.
    supervisor = subprocess.Popen([sys.executable, "-c", code], cwd=REPO_ROOT, start_new_session=True,
                                  stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                  preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN))
    deadline = time.monotonic() + 60
    while not pids.exists():
        assert supervisor.poll() is None, supervisor.stdout.read()
        assert time.monotonic() < deadline, "the stand-in did not start"
        time.sleep(0.1)
    child, grandchild, disposition = pids.read_text().split(" ", 2)
    return supervisor, int(child), int(grandchild), disposition


def _alive(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="needs /proc to see process groups")
@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM])
def test_a_stop_signal_ends_the_child_and_what_it_left_behind(tmp_path, stop):
    supervisor, child, grandchild, disposition = _start_supervisor(tmp_path, "leave-grandchild", grace=10)
    try:
        assert "default_int_handler" in disposition  # dagster dev gets SIGINT's default handling back
        assert os.getpgid(child) == child and os.getpgid(grandchild) == child  # a process group of its own
        started = time.monotonic()
        os.killpg(supervisor.pid, stop)  # Ctrl+C (or a TERM) to the group `make dev` runs in
        output, _ = supervisor.communicate(timeout=30)
        assert supervisor.returncode == 128 + stop, output
        assert not _alive(child) and not _alive(grandchild), output
        assert group_members(child) == []
        assert f"callqa dev: stopped ({stop.name})" in output
        assert "SIGTERM" in output  # the grandchild outlived the child's own shutdown: the group was ended
        assert time.monotonic() - started < 30
    finally:
        for pid in (supervisor.pid, child, grandchild):
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="needs /proc to see process groups")
def test_a_child_that_ignores_sigint_and_sigterm_is_killed_after_the_grace_period(tmp_path):
    supervisor, child, grandchild, _ = _start_supervisor(tmp_path, "ignore", grace=2)
    try:
        os.killpg(supervisor.pid, signal.SIGINT)
        output, _ = supervisor.communicate(timeout=30)
        assert supervisor.returncode == 128 + signal.SIGINT, output
        assert not _alive(child) and not _alive(grandchild), output
        assert "(SIGTERM)" in output and "(SIGKILL)" in output
    finally:
        for pid in (supervisor.pid, child, grandchild):
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)
