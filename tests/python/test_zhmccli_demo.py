"""The zhmccli demo of README.md: zhmccli 1.15 (which always uses port
6794) against `mock-hmc serve` bound to a 127.x address of its own."""

import os
import pathlib
import random
import subprocess
import sys

import pytest

from conftest import serve

ZHMC = pathlib.Path(sys.executable).parent / "zhmc"


@pytest.fixture(scope="module")
def zhmc(tmp_path_factory):
    """Runs zhmc commands against a fresh default HMC; returns a runner."""
    if not ZHMC.is_file():
        pytest.fail(f"zhmccli is not installed next to {sys.executable}")
    # A loopback address of its own, so that 6794 is free.
    listen = f"127.{random.randint(1, 254)}.{random.randint(1, 254)}.{random.randint(1, 254)}"
    with serve(tmp_path_factory.mktemp("zhmccli"), host=listen,
               port=6794) as mock:
        env = dict(os.environ, ZHMC_HOST=mock.host, ZHMC_USERID="ensadmin",
                   ZHMC_PASSWORD="password", ZHMC_NO_VERIFY="true")
        env.pop("ZHMC_SESSION_ID", None)

        def run(*args):
            done = subprocess.run([str(ZHMC), *args], env=env,
                                  stdin=subprocess.DEVNULL, capture_output=True,
                                  text=True, timeout=300, check=False)
            assert done.returncode == 0, (args, done.stdout, done.stderr)
            return done.stdout

        yield run


def test_partition_show_start_stop_delete(zhmc):
    assert "A running Linux partition" in zhmc("partition", "show", "DPM1", "LINUX1")
    assert "has been stopped" in zhmc("partition", "stop", "DPM1", "LINUX1")
    assert "has been started" in zhmc("partition", "start", "DPM1", "LINUX2")
    assert "has been deleted" in zhmc("partition", "delete", "DPM1", "LINUX1", "-y")


def test_nic_list_and_lpar_show(zhmc):
    assert "NIC1" in zhmc("nic", "list", "DPM1", "LINUX2")
    assert "LPAR1LNX" in zhmc("lpar", "show", "CLASSIC1", "LPAR1")


def test_user_show_and_userrole_create_delete(zhmc):
    shown = zhmc("user", "show", "ensadmin")
    assert "hmc-all-system-managed-objects" in shown  # user-role-names
    assert "default-group-name" in shown
    assert "has been created" in zhmc(
        "userrole", "create", "--name", "demo-role",
        "--associated-system-defined-user-role", "hmc-operator-tasks")
    assert "demo-role" in zhmc("userrole", "list")
    assert "has been deleted" in zhmc("userrole", "delete", "demo-role", "-y")


def test_lpar_activate_load_deactivate(zhmc):
    assert "is complete" in zhmc("lpar", "activate", "CLASSIC1", "LPAR2")
    assert "is complete" in zhmc("lpar", "load", "CLASSIC1", "LPAR2", "0100")
    listed = zhmc("lpar", "list", "CLASSIC1")
    lpar2 = next(line for line in listed.splitlines() if "LPAR2" in line)
    assert "operating" in lpar2, listed
    assert "is complete" in zhmc("lpar", "deactivate", "CLASSIC1", "LPAR2",
                                 "-y", "--force")
    listed = zhmc("lpar", "list", "CLASSIC1")
    lpar2 = next(line for line in listed.splitlines() if "LPAR2" in line)
    assert "not-activated" in lpar2, listed
