"""One fake Proxmox VE host for git-lxc's tests (python3 stdlib only).

The command-line tools `pct`, `pveam`, `pvesh`, `pvesm` and `vzdump` are
implemented once (argument parsing, validation, error texts, exit codes,
output formats, as Proxmox VE's own source has them) on top of a host backend:

* `backend_files.FilesHost`: everything kept in a state folder (the CLI tests);
  it also plays `sudo`, `lxc-info` and `lxc-ls`, logs every call and injects
  failures (tests/fakes/README.md);
* `backend_lxc.LxcHost`: real LXC containers (the end-to-end tests,
  tests/lxc-host/README.md).

Modules: `cli` (Getopt::Long, errors, command dispatch), `schema` (parameter
formats and validation), `config` (the on-disk container config), `host`
(what both backends share: configs, storages, volumes, locks), and one module
per tool (`pct`, `pveam`, `pvesh`, `pvesm`, `vzdump`).
"""
