"""`make dev` stops with every process it started (issue 12.6): the real target (install check, dbt parse, uv, the
supervisor, dagster dev, its webserver, daemon and code servers) on a free port with a DAGSTER_HOME of its own.

It is started the way a non-interactive shell starts a background job (`make dev &` in a script): with SIGINT
ignored. Before the supervisor, SIGINT then reached no process and SIGTERM was ignored by dagster dev too; every
process ran on. Slow: dagster dev takes 1-6 minutes to answer on a busy machine."""
import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT = 900  # seconds until the webserver answers; beyond that the machine is too busy to tell
STOP_WITHIN = 35  # seconds: the supervisor's grace (20 s) and its SIGTERM/SIGKILL steps (5 s each), with a margin


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _processes() -> dict[int, dict]:
    found = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
            command = Path(f"/proc/{entry}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()
        found[int(entry)] = {"state": fields[0], "ppid": int(fields[1]), "pgrp": int(fields[2]),
                             "session": int(fields[3]), "command": command.strip()}
    return found


def _family(leader: int) -> dict[int, dict]:
    """Every live process of the session `leader` started, and their descendants (wherever they moved)."""
    processes = _processes()
    family = {pid for pid, p in processes.items() if p["session"] == leader}
    grown = True
    while grown:
        new = {pid for pid, p in processes.items() if p["ppid"] in family} - family
        family |= new
        grown = bool(new)
    return {pid: processes[pid] for pid in family if processes[pid]["state"] != "Z"}


def _still_alive(snapshot: dict[int, dict]) -> dict[int, str]:
    now = _processes()
    return {pid: p["command"][:120] for pid, p in snapshot.items()
            if pid in now and now[pid]["state"] != "Z" and now[pid]["command"] == p["command"]}


@pytest.mark.skipif(not Path("/proc").is_dir() or shutil.which("make") is None, reason="needs make and /proc")
def test_sigint_stops_make_dev_and_every_process_it_started(tmp_path):
    port = _free_port()
    (tmp_path / "landing").mkdir()
    (tmp_path / "home").mkdir()
    env = {**os.environ, "DAGSTER_HOME": str(tmp_path / "home"), "CALLQA_LANDING_DIR": str(tmp_path / "landing"),
           "CALLQA_WAREHOUSE": str(tmp_path / "warehouse" / "callqa.duckdb"), "CALLQA_TIMEZONE": "UTC"}
    log_path = tmp_path / "make_dev.log"
    with open(log_path, "w") as log:
        make = subprocess.Popen(["make", "dev", f"DEV_PORT={port}"], cwd=REPO_ROOT, env=env, stdout=log,
                                stderr=subprocess.STDOUT, start_new_session=True,
                                preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN))
    snapshot: dict[int, dict] = {}
    try:
        started = time.monotonic()
        while True:
            if make.poll() is not None:
                pytest.fail(f"make dev exited ({make.returncode}) before its webserver answered:\n"
                            + log_path.read_text()[-3000:])
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/server_info", timeout=5) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() - started > START_TIMEOUT:
                pytest.skip(f"dagster dev did not answer on port {port} within {START_TIMEOUT} s here (a machine "
                            f"too busy to tell):\n{log_path.read_text()[-2000:]}")
            time.sleep(2)
        time.sleep(3)  # let the code servers settle
        snapshot = _family(make.pid)
        commands = " | ".join(p["command"] for p in snapshot.values())
        for part in ("make dev", "dagster_project.devserver", "dagster_webserver", "dagster._daemon", "code-server"):
            assert part in commands, f"{part} not among the processes of make dev: {commands[:2000]}"

        os.killpg(make.pid, signal.SIGINT)  # Ctrl+C: the terminal signals the foreground process group
        stopping = time.monotonic()
        alive = _still_alive(snapshot)
        while alive and time.monotonic() - stopping < STOP_WITHIN:
            time.sleep(0.5)
            alive = _still_alive(snapshot)
        assert not alive, (f"still running {time.monotonic() - stopping:.0f} s after SIGINT: {alive}\n"
                           + log_path.read_text()[-2000:])
        assert _family(make.pid) == {}
        make.wait(timeout=10)
        assert "callqa dev: stopped (SIGINT)" in log_path.read_text()
    finally:
        for pid in set(_still_alive(snapshot)) | set(_family(make.pid)):  # only what this test started
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        if make.poll() is None:
            make.kill()
            make.wait()
