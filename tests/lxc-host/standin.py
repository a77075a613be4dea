"""The LXC-backed stand-in: the package tests/pve with its LXC backend.

`CONF` is the configuration the tools use (standin.conf, see README.md);
the executables pct, pveam, pvesh, pvesm and vzdump in this folder call
`main(<tool>)`.
"""

import os
import sys

HERE = os.path.dirname(os.path.realpath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
from pve import boot  # noqa: E402

boot.setup()
from pve import backend_lxc  # noqa: E402

CONF = backend_lxc.load_conf(HERE)


def main(tool):
    backend_lxc.main(tool, HERE)
