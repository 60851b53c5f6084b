"""The ``mock-hmc`` console script: the Rust CLI, run in this process."""

import signal
import sys

from . import _native


def main(argv=None):
    """Run ``mock-hmc`` with ``argv`` (default: ``sys.argv``); return its
    exit code (the console-script wrapper exits with it)."""
    if argv is None:
        argv = sys.argv
    argv = ["mock-hmc", *argv[1:]]
    # Behave as the native binary does: Ctrl-C ends a command at once, and
    # `serve` installs its own SIGINT/SIGTERM handlers (graceful shutdown).
    # With Python's handlers left in place, the interrupt would only be
    # seen after the Rust code returned.
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, signal.SIG_DFL)
    sys.stdout.flush()
    sys.stderr.flush()
    return _native.run_cli(argv)


if __name__ == "__main__":
    sys.exit(main())
