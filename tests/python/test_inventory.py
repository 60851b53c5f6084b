"""`mock-hmc inventory`: the HMC inventory and vault files it writes load
with zhmcclient.testutils' own loader, and an end2end-style suite built on
zhmcclient.testutils' fixtures (TESTINVENTORY/TESTVAULT) runs against a
live `mock-hmc serve` (zhmcclient.testutils connects to port 6794 only, so
the server listens on a 127.x.y.z address of its own)."""

import os
import stat
import subprocess
import sys
import textwrap

import pytest
import zhmcclient
from zhmcclient import testutils

from conftest import DEFAULT_BIN, free_loopback_host, serve


def mock_hmc_cli(db, *args, check=True):
    binary = os.environ.get("MOCK_HMC_BIN", str(DEFAULT_BIN))
    done = subprocess.run([binary, "--db", str(db), *args],
                          stdin=subprocess.DEVNULL, capture_output=True,
                          text=True, check=False)
    if check and done.returncode != 0:
        pytest.fail(f"mock-hmc {' '.join(args)} failed: {done.stderr}")
    return done


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """A serve on port 6794 of its own loopback address, and its inventory."""
    tmp = tmp_path_factory.mktemp("inventory")
    host = free_loopback_host()
    with serve(tmp, host=host, port=6794, args=["--no-stomp"]) as mock:
        inv, vault = tmp / "inventory.yaml", tmp / "vault.yaml"
        done = mock_hmc_cli(mock.db, "inventory", "--host", host,
                            "--out", str(inv), "--vault", str(vault))
        assert "MOCKHMC1" in done.stdout
        # The server listens, so there is nothing to warn about.
        assert "warning" not in done.stderr, done.stderr
        yield mock, inv, vault


def test_files_load_with_zhmcclient_testutils(served):
    mock, inv, vault = served
    defs = testutils.HMCDefinitions(inventory_file=str(inv),
                                    vault_file=str(vault), load=True)
    # The group 'default' (TESTHMC's default) holds the HMC.
    [hd] = defs.list_hmcs()
    assert hd.nickname == "MOCKHMC1"
    assert hd.host == mock.host and hd.mock_file is None
    assert (hd.userid, hd.password, hd.verify) == ("ensadmin", "password",
                                                   False)
    assert hd.cpcs == {
        "DPM1": {"dpm_enabled": True, "machine_type": "3931",
                 "machine_model": "A01"},
        "CLASSIC1": {"dpm_enabled": False, "machine_type": "8561",
                     "machine_model": "T01"},
    }
    # The vault holds a password: readable by its owner only.
    assert stat.S_IMODE(vault.stat().st_mode) == 0o600
    session = testutils.setup_hmc_session(hd, skip_on_failure=False)
    try:
        names = {c.name for c in zhmcclient.Client(session).cpcs.list()}
        assert names == set(hd.cpcs)
    finally:
        testutils.teardown_hmc_session(session)


def test_given_credentials_are_written_and_checked(tmp_path):
    dumped, db = tmp_path / "default.yaml", tmp_path / "h.sqlite"
    mock_hmc_cli(tmp_path / "seed.sqlite", "init")
    mock_hmc_cli(tmp_path / "seed.sqlite", "dump", str(dumped))
    # A password PyYAML would read as a boolean must come back a string.
    mock_hmc_cli(db, "load", str(dumped), "--user", "tester:yes")
    inv, vault = tmp_path / "i.yaml", tmp_path / "v.yaml"

    def inventory(*args):
        return mock_hmc_cli(db, "inventory", "--host", "127.0.0.1",
                            "--out", str(inv), "--vault", str(vault), *args,
                            check=False)

    refused = inventory("--userid", "tester", "--password", "wrong")
    assert refused.returncode == 1
    assert "is not the password of user tester" in refused.stderr
    assert not vault.exists()
    refused = inventory("--userid", "tester")
    assert refused.returncode == 1 and "--password" in refused.stderr
    done = inventory("--userid", "tester", "--password", "yes",
                     "--port", "7000", "--nickname", "mine")
    assert done.returncode == 0, done.stderr
    assert "connects to port 6794 only" in done.stderr
    [hd] = testutils.HMCDefinitions(str(inv), str(vault),
                                    load=True).list_hmcs()
    assert (hd.nickname, hd.userid, hd.password) == ("mine", "tester", "yes")
    # Additional host variables come with the HMC's own entry (TESTHMC=mine);
    # zhmcclient.testutils does not propagate them into the group 'default'.
    [hd] = testutils.HMCDefinitions(str(inv), str(vault),
                                    load=True).list_hmcs("mine")
    assert hd.add_vars == {"port": 7000}


E2E_WITH_IMPORTS = '''
"""End2end style, as zhmcclient's tests/end2end modules are written."""
import pytest
import zhmcclient
from zhmcclient.testutils import hmc_definition, hmc_session  # noqa: F401
from zhmcclient.testutils import all_cpcs, dpm_mode_cpcs  # noqa: F401
from zhmcclient.testutils import classic_mode_cpcs  # noqa: F401


def test_cpc_find_list(hmc_session):  # noqa: F811
    client = zhmcclient.Client(hmc_session)
    hd = hmc_session.hmc_definition
    for cpc_name, expected in hd.cpcs.items():
        cpc = client.cpcs.find(name=cpc_name)
        cpc.pull_full_properties()
        assert cpc.dpm_enabled == expected["dpm_enabled"]
        assert cpc.get_property("machine-type") == expected["machine_type"]


def test_partition_lifecycle(dpm_mode_cpcs):  # noqa: F811
    assert [c.name for c in dpm_mode_cpcs] == ["DPM1"]
    cpc = dpm_mode_cpcs[0]
    part = cpc.partitions.create({
        "name": "e2e-part", "initial-memory": 1024, "maximum-memory": 2048,
        "ifl-processors": 1})
    part.start()
    part.pull_full_properties()
    assert part.get_property("status") == "active"
    part.stop()
    part.delete()
    with pytest.raises(zhmcclient.NotFound):
        cpc.partitions.find(name="e2e-part")


def test_lpars(classic_mode_cpcs):  # noqa: F811
    [cpc] = classic_mode_cpcs
    names = {lpar.name for lpar in cpc.lpars.list()}
    assert {"LPAR1", "LPAR2"} <= names
'''

# The same fixtures, but taken from the zhmcclient-testutils pytest plugin
# without importing them: an installed mock_hmc plugin must leave its own
# `hmc_session` aside while TESTEND2END_LOAD is set.
E2E_FROM_PLUGIN = '''
import zhmcclient


def test_all_cpcs(all_cpcs, hmc_session):
    assert hmc_session.hmc_definition.nickname == "MOCKHMC1"
    assert sorted(c.name for c in all_cpcs) == ["CLASSIC1", "DPM1"]
'''


def test_an_end2end_suite_runs_against_the_served_hmc(served, tmp_path):
    _, inv, vault = served
    (tmp_path / "test_e2e_cpc.py").write_text(textwrap.dedent(E2E_WITH_IMPORTS))
    (tmp_path / "test_e2e_plugin.py").write_text(textwrap.dedent(E2E_FROM_PLUGIN))
    env = dict(os.environ, TESTINVENTORY=str(inv), TESTVAULT=str(vault),
               TESTEND2END_LOAD="true")
    env.pop("TESTHMC", None)
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
         "-W", "ignore::urllib3.exceptions.InsecureRequestWarning",
         str(tmp_path)],
        cwd=tmp_path, env=env, stdin=subprocess.DEVNULL,
        capture_output=True, text=True, check=False, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "4 passed" in done.stdout, done.stdout
