#!/usr/bin/env python3
"""The fake Proxmox host of the CLI tests: `pct`, `pveam`, `pvesh`, `pvesm`,
`vzdump`, `sudo`, `lxc-info` and `lxc-ls`, by the name it is invoked by.
The implementation is the package tests/pve (file backend); see README.md."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.realpath(__file__))))
from pve import boot  # noqa: E402

boot.setup()
from pve import backend_files  # noqa: E402

sys.exit(backend_files.main(sys.argv[0], sys.argv[1:]))
