"""mock-hmc for Python: a faked IBM Z HMC in one SQLite file.

``mock_hmc.Session`` is a ``zhmcclient.Session`` whose requests run the
mock-hmc handlers in-process (no HTTP), on a db file that other processes
and ``mock-hmc serve`` share. The ``mock-hmc`` command is the same CLI as
the Rust binary.
"""

from .session import Session  # noqa: F401
from .faked_hmc import FakedSession  # noqa: F401

__all__ = ["Session", "FakedSession"]
