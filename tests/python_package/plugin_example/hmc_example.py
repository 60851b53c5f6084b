"""An example test file for the mock-hmc pytest plugin: run it with
`pytest -p mock_hmc -n 2 hmc_example.py` (pytest-xdist). Named so that the
package's own test run does not collect it (test_plugin.py runs it)."""

import json
import os
import pathlib

import pytest
import zhmcclient

import mock_hmc

PART = {"initial-memory": 1024, "maximum-memory": 2048, "ifl-processors": 1}


def test_the_default_hmc(hmc_client):
    assert [c.name for c in hmc_client.cpcs.list()] == ["DPM1", "CLASSIC1"]


def test_hmc_session_is_in_process(hmc_session, hmc_db):
    # Also with zhmcclient.testutils' plugin loaded: this hmc_session wins.
    assert isinstance(hmc_session, mock_hmc.Session)
    assert pathlib.Path(hmc_session.db_path) == hmc_db


@pytest.mark.parametrize("n", range(4))
def test_each_test_has_its_own_hmc(hmc_client, n):
    cpc = hmc_client.cpcs.find(name="DPM1")
    # The same name in every test: only a fresh HMC takes it each time.
    cpc.partitions.create({"name": "isolated", **PART})
    assert len(cpc.partitions.list(filter_args={"name": "isolated"})) == 1


@pytest.mark.hmc_definition("../examples/example_mocked_z16_dpm.yaml")
def test_the_marker_names_a_definition(hmc_client):
    assert [c.name for c in hmc_client.cpcs.list()] == ["CPC1"]


@pytest.mark.parametrize("n", range(6))
def test_the_shared_server(hmc_server, request, n):
    session = hmc_server.session(test_id=request.node.nodeid)
    client = zhmcclient.Client(session)
    cpc = client.cpcs.find(name="DPM1")
    name = f"srv-{os.getpid()}-{n}"
    cpc.partitions.create({"name": name, **PART})
    session.logoff()
    out = os.environ.get("MOCK_HMC_EXAMPLE_OUT")
    if out:
        record = {"pid": os.getpid(), "port": hmc_server.port,
                  "worker": os.environ.get("PYTEST_XDIST_WORKER")}
        (pathlib.Path(out) / f"{name}.json").write_text(json.dumps(record))
