"""mock-hmc as a test fixture, driven by the CLI while `serve` runs:
fault rules against zhmcclient's busy retries, checkpoints around a test,
and the request journal's test tag."""

import json
import os
import pathlib
import subprocess
import sys

import pytest
import zhmcclient

from conftest import DEFAULT_BIN, unique_name


def mock_cli(mock_hmc, *args):
    """Runs `mock-hmc --db <db of the served HMC> ARGS`; its stdout."""
    binary = pathlib.Path(os.environ.get("MOCK_HMC_BIN", str(DEFAULT_BIN)))
    done = subprocess.run([str(binary), "--db", str(mock_hmc.db), *args],
                          capture_output=True, text=True, check=True)
    return done.stdout


def test_busy_fault_rule_is_retried_by_busy_retries(mock_hmc, session,
                                                    partition_factory):
    part = partition_factory()
    start = f"{part.uri}/operations/start"
    mock_cli(mock_hmc, "fault", "add", "--uri", start,
             "--status", "409", "--reason", "1", "--count", "2")
    try:
        # Two busy answers, then the start runs: busy_retries=2 rides it out.
        session.post(start, wait_for_completion=True, busy_retries=2,
                     busy_wait=0)
        part.pull_full_properties()
        assert part.get_property("status") == "active"
        part.stop()
        # Without retries the first busy answer is the caller's error.
        mock_cli(mock_hmc, "fault", "add", "--uri", start, "--error", "409.1",
                 "--count", "1")
        with pytest.raises(zhmcclient.HTTPError) as exc:
            part.start()
        assert (exc.value.http_status, exc.value.reason) == (409, 1)
        part.pull_full_properties()
        assert part.get_property("status") == "stopped"
    finally:
        mock_cli(mock_hmc, "fault", "clear")


def test_restoring_a_checkpoint_undoes_a_test(mock_hmc, dpm_cpc):
    name = unique_name("ckpt")
    mock_cli(mock_hmc, "checkpoint", "save", name)
    part = dpm_cpc.partitions.create({
        "name": unique_name("gone"), "initial-memory": 1024,
        "maximum-memory": 2048, "ifl-processors": 1})
    diff = json.loads(mock_cli(mock_hmc, "checkpoint", "diff", name, "--json"))
    assert [a["uri"] for a in diff["added"]] == [part.uri]
    mock_cli(mock_hmc, "checkpoint", "restore", name)
    mock_cli(mock_hmc, "checkpoint", "delete", name)
    # The session of the client survived the restore; the partition did not.
    # (find() would answer from zhmcclient's name-URI cache.)
    assert dpm_cpc.partitions.list(filter_args={"name": part.name}) == []
    with pytest.raises(zhmcclient.CeasedExistence):
        part.pull_full_properties()


def test_requests_tagged_with_the_test_id_are_in_the_journal(mock_hmc,
                                                             session, client):
    tag = unique_name("test")
    session.headers["X-Mock-Test-Id"] = tag
    client.cpcs.list()
    del session.headers["X-Mock-Test-Id"]
    rows = json.loads(mock_cli(mock_hmc, "journal", "--test", tag, "--json"))
    assert [(r["method"], r["uri"], r["status"]) for r in rows] == [
        ("GET", "/api/cpcs", 200)]
    assert rows[0]["userid"] == "ensadmin"


def test_job_policy_after_two_polls_then_cancel(mock_hmc, partition_factory):
    part = partition_factory()
    start = f"{part.uri}/operations/start"
    mock_cli(mock_hmc, "job-policy", "add", "--uri", start, "--polls", "2")
    try:
        job = part.start(wait_for_completion=False)
        for _ in range(2):
            status, _ = job.check_for_completion()
            assert status == "running"
            part.pull_full_properties()
            assert part.get_property("status") == "stopped"
        status, _ = job.check_for_completion()
        assert status == "complete"
        part.pull_full_properties()
        assert part.get_property("status") == "active"
        part.stop()

        mock_cli(mock_hmc, "job-policy", "clear")
        mock_cli(mock_hmc, "job-policy", "add", "--uri", start,
                 "--until-cancel")
        job = part.start(wait_for_completion=False)
        assert job.query_status()[0] == "running"
        job.cancel()
        assert job.query_status()[0] == "canceled"
        part.pull_full_properties()
        assert part.get_property("status") == "stopped"
    finally:
        mock_cli(mock_hmc, "job-policy", "clear")


def test_job_policy_result_status_and_error(mock_hmc, partition_factory):
    part = partition_factory()
    start = f"{part.uri}/operations/start"
    mock_cli(mock_hmc, "job-policy", "add", "--uri", start,
             "--result-status", "degraded")
    try:
        # zhmcclient waits for `active` or `degraded` after the job.
        part.start()
        part.pull_full_properties()
        assert part.get_property("status") == "degraded"
        part.stop()
        mock_cli(mock_hmc, "job-policy", "clear")
        mock_cli(mock_hmc, "job-policy", "add", "--uri", start,
                 "--error", "500.263", "--message", "start failed")
        with pytest.raises(zhmcclient.HTTPError) as exc:
            part.start()
        assert (exc.value.http_status, exc.value.reason) == (500, 263)
        assert exc.value.message == "start failed"
    finally:
        mock_cli(mock_hmc, "job-policy", "clear")


def test_the_readme_pytest_recipe_isolates_xdist_workers(tmp_path):
    """The recipe (tests/python/recipe) under 8 pytest-xdist workers: one
    shared serve, a checkpoint restored around each test."""
    recipe = pathlib.Path(__file__).parent / "recipe"
    env = {k: v for k, v in os.environ.items() if k != "MOCK_HMC_SHARED"}
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
         "-n", "8", str(recipe)],
        capture_output=True, text=True, env=env, cwd=tmp_path, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "8 passed" in done.stdout, done.stdout
