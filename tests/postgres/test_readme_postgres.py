"""The README's PostgreSQL commands, verbatim: the bash block of its "PostgreSQL" section runs as written (under
`set -euo pipefail`, so every command's exit code counts) on a small generated warehouse, with a server of the
test's own: a free port and a cluster folder in the test's temporary folder (as root, a folder the system user
`postgres` cannot enter, so `make pg-start` has to put the cluster elsewhere). Then the marts are there, the
three QA marts a PostgreSQL build used to skip among them, and the BI role reads them with its generated password.

The environment only says where things are (PGPORT, PG_DIR, PGPASSFILE, CALLQA_WAREHOUSE, CALLQA_TIMEZONE and
dbt's target/log folders, so that the run leaves the repository's dbt/target alone)."""
import os
import re
import shutil
import socket
import subprocess
from datetime import date
from pathlib import Path

import duckdb
import pytest

from dagster_project.lib.contract import load_contract
from dagster_project.lib.ingest import ingest_source
from dagster_project.lib.postgres_raw import DEFAULT_PASSFILE, PostgresTarget

pytestmark = pytest.mark.slow

REPO_ROOT = Path(__file__).resolve().parents[2]
README = REPO_ROOT / "README.md"
SCRIPT = REPO_ROOT / "dbt" / "scripts" / "postgres_server.sh"
TZ = "America/New_York"
SERVER_ENV = ("PGHOST", "PGPORT", "PGUSER", "PGDATABASE", "PGPASSWORD", "PGPASSFILE", "PG_DIR", "DBT_TARGET",
              "CALLQA_PG_BI_ROLE", "MAKEFLAGS", "MAKELEVEL")


def readme_postgres_block() -> str:
    text = README.read_text(encoding="utf-8")
    section = text[text.index("### PostgreSQL"):]
    section = section[:re.search(r"\n##", section[1:]).start() + 1]
    blocks = re.findall(r"```bash\n(.*?)```", section, flags=re.S)
    assert len(blocks) == 1, "the README's PostgreSQL section should have one bash block"
    return blocks[0]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _postgres_installed() -> bool:
    return any(Path("/usr/lib/postgresql").glob("*/bin/initdb"))


def test_readme_block_starts_loads_and_builds():
    commands = [line.split("#")[0].strip() for line in readme_postgres_block().splitlines()]
    commands = [c for c in commands if c]
    assert commands[0] == "make pg-start"
    assert any(c.startswith("uv run callqa load-postgres") for c in commands)
    assert any("DBT_TARGET=postgres" in c and "dbt build" in c for c in commands)


def test_one_default_password_file():
    """The Makefile, the README and the Python connection code agree on where the passwords are by default."""
    env = {k: v for k, v in os.environ.items() if k not in SERVER_ENV}
    made = subprocess.run(
        ["make", "-s", "--no-print-directory", "--eval", "print-pgpassfile: ; @echo $(PGPASSFILE)",
         "print-pgpassfile"], cwd=REPO_ROOT, env=env, capture_output=True, text=True, check=True).stdout.strip()
    assert Path(made) == DEFAULT_PASSFILE == REPO_ROOT / "data" / "postgres.pgpass"
    assert 'export PGPASSFILE="${PGPASSFILE:-$PWD/data/postgres.pgpass}"' in readme_postgres_block()


@pytest.fixture(scope="module")
def readme_server(tmp_path_factory):
    if not _postgres_installed() and os.environ.get("CALLQA_REQUIRE_POSTGRES") != "1":
        pytest.skip("PostgreSQL (Debian's package) is not installed: `make pg-start` installs it")
    from dagster_project.lib.synth import generate

    base = tmp_path_factory.mktemp("readme_postgres")
    generate(base / "landing", days=12, contacts_per_day=150, seed=23, dirty=True,
             start_date=date(2026, 3, 2), timezone=TZ)
    warehouse = base / "callqa.duckdb"
    con = duckdb.connect(str(warehouse))
    try:
        con.execute("SET TimeZone = 'UTC'")
        for contract in load_contract().values():
            ingest_source(con, base / "landing", contract, key=b"postgres-test-key")
    finally:
        con.close()

    env = {k: v for k, v in os.environ.items() if k not in SERVER_ENV}
    env.update({
        "PGPORT": str(_free_port()),
        "PG_DIR": str(base / "data" / "postgres"),
        "PGPASSFILE": str(base / "data" / "postgres.pgpass"),
        "CALLQA_WAREHOUSE": str(warehouse),
        "CALLQA_TIMEZONE": TZ,
        "CALLQA_DUCKDB_TEMP_DIR": str(base / "duckdb_tmp"),
        "DBT_TARGET_PATH": str(base / "dbt_target"),
        "DBT_LOG_PATH": str(base / "dbt_logs"),
    })
    try:
        run = subprocess.run(["bash", "-c", "set -euo pipefail\n" + readme_postgres_block()], cwd=REPO_ROOT,
                             env=env, capture_output=True, text=True, timeout=1200)
        cluster = subprocess.run(["bash", str(SCRIPT), "dir"], env=env, capture_output=True, text=True,
                                 check=True).stdout.strip()
        yield {"run": run, "env": env, "cluster": Path(cluster), "base": base}
    finally:
        cluster = subprocess.run(["bash", str(SCRIPT), "dir"], env=env, capture_output=True, text=True,
                                 check=True).stdout.strip()
        subprocess.run(["bash", str(SCRIPT), "stop"], env=env, capture_output=True, timeout=120)
        # a cluster moved out of the temporary folder (root, folder closed to `postgres`) is removed here
        if not Path(cluster).is_relative_to(base) and "callqa-clusters" in cluster:
            shutil.rmtree(cluster, ignore_errors=True)


def _tail(run) -> str:
    return f"\n--- stdout\n{run.stdout[-4000:]}\n--- stderr\n{run.stderr[-4000:]}"


def test_readme_commands_exit_0(readme_server):
    run = readme_server["run"]
    assert run.returncode == 0, _tail(run)
    assert "copied 17 raw tables" in run.stdout or re.search(r"copied \d+ raw tables", run.stdout), _tail(run)
    done = re.findall(r"Done\. PASS=\d+ WARN=\d+ ERROR=(\d+) SKIP=(\d+)", run.stdout)
    assert done == [("0", "0")], _tail(run)  # nothing failed, nothing skipped (unit tests included)


def test_cluster_is_where_postgres_can_reach_it(readme_server):
    cluster, base = readme_server["cluster"], readme_server["base"]
    assert (cluster / "PG_VERSION").is_file()
    if os.geteuid() == 0 and not cluster.is_relative_to(base):
        # root's temporary folder is closed to `postgres`: the cluster lives in its home, PG_DIR links to it
        assert Path(readme_server["env"]["PG_DIR"]).resolve() == cluster.resolve()
    passfile = Path(readme_server["env"]["PGPASSFILE"])
    assert passfile.stat().st_mode & 0o777 == 0o600
    assert {line.split(":")[3] for line in passfile.read_text().splitlines()} == {"postgres", "callqa", "callqa_bi"}


def test_marts_exist_and_the_bi_role_reads_them(readme_server):
    assert readme_server["run"].returncode == 0, _tail(readme_server["run"])
    env = readme_server["env"]
    target = PostgresTarget("127.0.0.1", int(env["PGPORT"]), "callqa", "callqa", passfile=env["PGPASSFILE"])
    bi = target.connect(user="callqa_bi")
    try:
        with bi.cursor() as cur:
            cur.execute("select table_name from information_schema.tables where table_schema = 'marts'")
            marts = {t for (t,) in cur.fetchall()}
            assert {"fct_contacts", "rpt_fcr_daily", "rpt_qa_disputes", "rpt_qa_root_causes",
                    "rpt_qa_improvement_loop"} <= marts
            cur.execute("select count(*) from marts.fct_contacts")
            assert cur.fetchone()[0] > 0
    finally:
        bi.close()


def _script(env: dict, command: str) -> subprocess.CompletedProcess:
    return subprocess.run(["bash", str(SCRIPT), command], cwd=REPO_ROOT, env=env, capture_output=True, text=True,
                          timeout=300)


def _logs_in(env: dict, user: str) -> bool:
    import psycopg2

    try:
        psycopg2.connect(host="127.0.0.1", port=int(env["PGPORT"]), user=user, dbname="callqa",
                         passfile=env["PGPASSFILE"], connect_timeout=10).close()
        return True
    except psycopg2.OperationalError:
        return False


def test_a_foreign_server_on_the_port_is_refused(readme_server, tmp_path):
    env = dict(readme_server["env"], PG_DIR=str(tmp_path / "other" / "postgres"),
               PGPASSFILE=str(tmp_path / "other" / "postgres.pgpass"))
    started = _script(env, "start")
    assert started.returncode != 0
    assert f"another server answers on 127.0.0.1:{env['PGPORT']}" in started.stderr
    assert not (tmp_path / "other" / "postgres" / "PG_VERSION").exists()


def test_a_lost_password_file_gets_new_passwords(readme_server):
    """`make clean` removes data/ (and the password file) but, for a cluster moved out of the clone, not the
    cluster: the next start sets new passwords (the superuser's in single-user mode)."""
    env = readme_server["env"]
    passfile = Path(env["PGPASSFILE"])
    old = passfile.read_text()
    passfile.unlink()
    started = _script(env, "start")
    assert started.returncode == 0, started.stderr
    assert passfile.read_text() != old and passfile.stat().st_mode & 0o777 == 0o600
    assert all(_logs_in(env, role) for role in ("postgres", "callqa", "callqa_bi"))


def test_a_trust_cluster_is_converted_to_passwords(tmp_path):
    """A cluster initialised with trust authentication (as this script did before) gets passwords on start."""
    if not _postgres_installed():
        pytest.skip("PostgreSQL is not installed")
    bin_dir = sorted(Path("/usr/lib/postgresql").glob("*/bin"))[-1]
    env = {k: v for k, v in os.environ.items() if k not in SERVER_ENV}
    env.update({"PGPORT": str(_free_port()), "PG_DIR": str(tmp_path / "data" / "postgres"),
                "PGPASSFILE": str(tmp_path / "data" / "postgres.pgpass")})
    cluster = Path(_script(env, "dir").stdout.strip())
    try:
        cluster.mkdir(parents=True)
        as_postgres = []
        if os.geteuid() == 0:
            shutil.chown(cluster.parent, "postgres")
            shutil.chown(cluster, "postgres")
            as_postgres = ["runuser", "-u", "postgres", "--"]
            if cluster != Path(env["PG_DIR"]):
                Path(env["PG_DIR"]).parent.mkdir(parents=True, exist_ok=True)
                Path(env["PG_DIR"]).symlink_to(cluster)
        cluster.chmod(0o700)
        subprocess.run([*as_postgres, str(bin_dir / "initdb"), "-D", str(cluster), "-U", "postgres", "-A", "trust",
                        "--no-sync"], cwd="/", check=True, capture_output=True)
        started = _script(env, "start")
        assert started.returncode == 0, started.stderr
        assert "trust" not in "\n".join(line for line in (cluster / "pg_hba.conf").read_text().splitlines()
                                        if not line.startswith("#"))
        assert all(_logs_in(env, role) for role in ("postgres", "callqa", "callqa_bi"))
        no_password = dict(env, PGPASSFILE=str(tmp_path / "none.pgpass"))
        Path(no_password["PGPASSFILE"]).write_text("")
        Path(no_password["PGPASSFILE"]).chmod(0o600)
        assert not any(_logs_in(no_password, role) for role in ("postgres", "callqa", "callqa_bi"))
    finally:
        _script(env, "stop")
        if not cluster.is_relative_to(tmp_path) and "callqa-clusters" in str(cluster):
            shutil.rmtree(cluster, ignore_errors=True)
