"""Tests of the recipe: each creates a partition and changes LINUX2 on a
clean HMC; run with `-n 8`, any leak between them fails the checks."""

import time

import pytest


@pytest.mark.parametrize("n", range(8))
def test_each_test_starts_from_the_checkpoint(hmc, n):
    cpc = hmc.cpcs.find(name="DPM1")
    before = {p.name for p in cpc.partitions.list()}
    assert f"recipe-{n}" not in before
    linux2 = cpc.partitions.find(name="LINUX2")
    assert linux2.get_property("description") != "changed"
    cpc.partitions.create({"name": f"recipe-{n}", "initial-memory": 1024,
                           "maximum-memory": 2048, "ifl-processors": 1})
    linux2.update_properties({"description": "changed"})
    time.sleep(0.05)  # give another worker time to interfere
    assert {p.name for p in cpc.partitions.list()} == before | {f"recipe-{n}"}
