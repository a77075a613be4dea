"""Import path and bytecode cache for the executables that load this
package (tests/fakes/fakehost.py, tests/lxc-host/*): compiled modules go to
a cache under the temp folder, never into the source tree."""

import os
import sys


def setup():
    tmp = os.environ.get("TMPDIR") or "/tmp"
    sys.dont_write_bytecode = False
    sys.pycache_prefix = os.path.join(tmp, f"git-lxc-pve-pycache-{os.geteuid()}")
