"""The two example modules are one test module with a different import."""

import difflib
import pathlib

HERE = pathlib.Path(__file__).resolve().parent


def test_examples_modules_differ_only_in_the_import():
    faked = (HERE / "test_examples_faked.py").read_text().splitlines()
    mine = (HERE / "test_examples_mock_hmc.py").read_text().splitlines()
    changed = [line for line in difflib.unified_diff(faked, mine, n=0,
                                                     lineterm="")
               if line[:1] in "+-" and line[:3] not in ("+++", "---")]
    assert changed == ["-from zhmcclient.mock import FakedSession",
                       "+from mock_hmc import Session as FakedSession"]
