"""What both backends share: container configs under `<pve_dir>/lxc`, the
storage table, template and backup files, volume names, and the hooks a
backend implements (running state, volumes, extraction, archives, exec)."""

import contextlib
import os
import re

from .cli import Die, param_error
from .config import Conf
from .schema import (MP_FORMAT, ROOTFS_FORMAT, format_size, parse_property_string,
                     parse_size, print_prop, prop_dict, volume_of)

GIB = 1 << 30
CONTENT_TYPES = ["images", "rootdir", "vztmpl", "iso", "backup", "snippets", "none", "import"]
SNAPSHOT_TYPES = ("lvmthin", "zfspool", "btrfs", "rbd", "zfs")


class Host:
    """Base of the backends.  `cfg` keys used here: node, qemu,
    disk_storages, storages (see tests/fakes/README.md)."""

    NAME = "pve"
    DISK_TYPE = "lvmthin"   # type of the default disk storages
    stdin_data = None   # what the backend read from stdin for `pct exec`

    def __init__(self, cfg, pve_dir, templates_dir, dump_dir, available_file):
        self.cfg = cfg
        self.node = cfg.get("node") or "pve"
        self.qemu = [int(x) for x in cfg.get("qemu") or []]
        self.pve_dir = pve_dir
        self.templates_dir = templates_dir
        self.dump_root = dump_dir
        self.available_file = available_file

    # ------------------------------------------------------------ configs

    def conf_path(self, vmid):
        return os.path.join(self.pve_dir, "lxc", f"{vmid}.conf")

    def read_conf(self, vmid):
        return Conf.read(vmid, self.conf_path(vmid))

    def new_conf(self, vmid):
        return Conf(vmid, self.conf_path(vmid))

    def cfg_missing(self, vmid):
        return f"Configuration file 'nodes/{self.node}/lxc/{vmid}.conf' does not exist"

    def load_conf(self, vmid):
        c = self.read_conf(vmid)
        if c is None:
            raise Die(self.cfg_missing(vmid))
        return c

    def all_vmids(self):
        d = os.path.join(self.pve_dir, "lxc")
        ids = []
        if os.path.isdir(d):
            for n in os.listdir(d):
                m = re.fullmatch(r"([1-9]\d*)\.conf", n)
                if m:
                    ids.append(int(m.group(1)))
        return sorted(ids)

    def used_vmids(self):
        return set(self.all_vmids()) | set(self.qemu)

    def remove_conf(self, vmid):
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.conf_path(vmid))

    @staticmethod
    def check_lock(c, allow_mounted=False):
        lock = c.keys.get("lock")
        if lock and not (allow_mounted and lock == "mounted"):
            raise Die(f"CT is locked ({lock})")

    # ------------------------------------------------------------ storages

    def template_storages(self):
        """Names of the storages holding templates (and backups)."""
        d = self.templates_dir
        return sorted(n for n in os.listdir(d) if os.path.isdir(os.path.join(d, n))) \
            if os.path.isdir(d) else []

    def disk_storage_names(self):
        ds = self.cfg.get("disk_storages")
        return list(ds) if ds is not None else ["local-lvm"]

    def storages(self):
        """name -> {type, content (list), enabled, active, shared, [total, used]}"""
        st = {}
        for s in self.template_storages():
            st[s] = {"type": "dir", "content": ["backup", "iso", "vztmpl"]}
        for s in self.disk_storage_names():
            st.setdefault(s, {"type": self.DISK_TYPE, "content": ["images", "rootdir"]})
        for s, d in (self.cfg.get("storages") or {}).items():
            st[s] = {**st.get(s, {"type": "dir", "content": []}), **d}
            if isinstance(st[s]["content"], str):
                st[s]["content"] = [x for x in re.split(r"[,\s]+", st[s]["content"]) if x]
        for d in st.values():
            d.setdefault("enabled", 1)
            d.setdefault("active", 1)
            d.setdefault("shared", 0)
        return st

    def networks(self, kind=None):
        """GET /nodes/<node>/network: the bridges of `cfg["bridges"]`
        (default vmbr0) on one physical port, as PVE lists them (pct.md
        §11.4); `kind` is the `--type` filter."""
        res = [{"iface": "eno1", "type": "eth", "method": "manual", "families": ["inet"],
                "priority": 1, "exists": 1, "active": 1}]
        for i, name in enumerate(self.cfg.get("bridges") or ["vmbr0"]):
            res.append({"iface": name, "type": "bridge", "method": "manual",
                        "families": ["inet"], "priority": i + 2, "autostart": 1, "active": 1,
                        "bridge_ports": "eno1" if i == 0 else "", "bridge_stp": "off",
                        "bridge_fd": "0"})
        if kind in ("bridge", "any_bridge", "any_local_bridge"):
            return [r for r in res if r["type"] == "bridge"]
        if kind not in (None, "include_sdn"):
            return [r for r in res if r["type"] == kind]
        return res

    def storage(self, name):
        """The storage, enabled and active, or the error PVE gives."""
        st = self.storages().get(name)
        if st is None:
            raise Die(f"storage '{name}' does not exist")
        if not st["enabled"]:
            raise Die(f"storage '{name}' is disabled")
        if not st["active"]:
            raise Die(f"storage '{name}' is not online")
        return st

    def check_disk_storage(self, store, usage=None):
        """A storage for rootfs/mpN: known (when disk_storages is set) and
        holding container directories."""
        ds = self.cfg.get("disk_storages")
        if ds is not None and store not in ds:
            raise Die(f"storage '{store}' does not exist")
        st = self.storages().get(store)
        if st is not None and "rootdir" not in st["content"]:
            raise param_error([("storage", f"storage '{store}' does not support container "
                                           "directories")], usage)

    def content_dir(self, store, content):
        root = self.templates_dir if content == "vztmpl" else self.dump_root
        return os.path.join(root, store)

    def show_path(self, store, content, fname):
        """The path a PVE host would print for a template or backup file."""
        base = "/var/lib/vz" if store == "local" else f"/mnt/pve/{store}"
        sub = "template/cache" if content == "vztmpl" else "dump"
        return f"{base}/{sub}/{fname}"

    def files(self, store, content):
        d = self.content_dir(store, content)
        if not os.path.isdir(d):
            return []
        return sorted(n for n in os.listdir(d) if os.path.isfile(os.path.join(d, n)))

    def capacity(self, store):
        """(total, used, avail) in bytes."""
        st = self.storages()[store]
        used = st.get("used")
        if used is None:
            used = sum(os.path.getsize(os.path.join(self.content_dir(store, c), f))
                       for c in ("vztmpl", "backup") for f in self.files(store, c))
            used += sum(size for _, size, _ in self.list_images(store))
        total = st.get("total")
        if total is None:
            total, avail = self.default_capacity(store, used)
        else:
            avail = max(total - used, 0)
        return int(total), int(used), int(avail)

    def default_capacity(self, store, used):
        total = 100 * GIB
        return total, max(total - used, 0)

    # ------------------------------------------------------------ volumes

    def list_images(self, store):
        """[(volname, size, vmid)] of the volumes the configs reference."""
        res = {}
        for vmid in self.all_vmids():
            c = self.read_conf(vmid)
            if c is None:
                continue
            for k, v in c.keys.items():
                if not re.fullmatch(r"rootfs|mp\d+|unused\d+", k):
                    continue
                vol = volume_of(v)
                s, _, name = vol.partition(":")
                if s == store and name and not vol.startswith("/"):
                    size = parse_size(prop_dict(v, "volume").get("size", "0"))
                    res[name] = (name, size, vmid)
        return sorted(res.values())

    @staticmethod
    def next_disk_index(c, vmid, taken=()):
        used = set(taken)
        for v in c.keys.values():
            for m in re.finditer(rf"vm-{vmid}-disk-(\d+)", v):
                used.add(int(m.group(1)))
        n = 0
        while n in used:
            n += 1
        return n

    def alloc_mountpoint(self, c, vmid, opt, value, default_storage, task_errors, taken=()):
        """rootfs / mpN: turn STORE:SIZE into a new volume name and reprint
        the property string (stored into c.keys[opt]).  Returns (value, new
        volume or None, size in bytes); task-time problems go to task_errors."""
        fmt = ROOTFS_FORMAT if opt == "rootfs" else MP_FORMAT
        d = parse_property_string(fmt, value, "volume")
        vol = d["volume"]
        if re.fullmatch(r"\d+(?:\.\d+)?", vol):
            vol = f"{default_storage}:{vol}"
        m = re.fullmatch(r"([^:]+):(\d+(?:\.\d+)?)", vol)
        if vol.startswith("/"):
            pass
        elif m:
            store, gib = m.group(1), m.group(2)
            self.check_disk_storage(store)
            size = int(float(gib) * 1024) << 20
            idx = self.next_disk_index(c, vmid, taken)
            d["volume"] = f"{store}:vm-{vmid}-disk-{idx}"
            d["size"] = format_size(size)
            c.keys[opt] = print_prop(d, "volume")   # reserves the disk index
            return c.keys[opt], d["volume"], size
        else:
            store, _, name = vol.partition(":")
            self.check_disk_storage(store)
            if not re.fullmatch(r"(?:\d+/)?(?:base|vm|subvol)-\d+-disk-\d+(?:\.\w+)?", name):
                task_errors.append(f"unable to parse volume name '{name}'")
        d["volume"] = vol
        return print_prop(d, "volume"), None, 0

    @staticmethod
    def bind_source_error(path):
        if not os.path.isdir(path):
            return f"directory '{path}' does not exist"
        canon = os.path.normpath(path)
        real = os.path.realpath(canon)
        if canon != real:
            return f"mount path modified by symlink: {canon} != {real}"
        return None

    def image_format(self, store):
        return "raw" if self.storages()[store]["type"] in ("lvmthin", "lvm", "rbd") else "subvol"

    def image_path(self, store, name):
        """(real path, shown path) of an image volume."""
        if self.storages().get(store, {}).get("type") in ("lvmthin", "lvm"):
            p = f"/dev/pve/{name}"
        else:
            m = re.search(r"-(\d+)-", name)
            p = f"/var/lib/vz/images/{m.group(1) if m else 0}/{name}"
        return p, p

    def volume_storage_type(self, vol):
        st = self.storages().get(vol.split(":", 1)[0])
        return st["type"] if st else "dir"

    # ------------------------------------------------------------ templates

    def available(self):
        """`pveam available` index: sorted [(section, name, arch)]."""
        res = []
        if os.path.exists(self.available_file):
            with open(self.available_file) as f:
                for line in f:
                    parts = line.split()
                    if len(parts) >= 2:
                        res.append((parts[0], parts[1], parts[2] if len(parts) > 2 else "unknown"))
        else:
            res = self.available_fallback()
        return sorted(res)

    def available_fallback(self):
        return []

    def template_url(self, section, name):
        if section == "turnkeylinux":
            return f"https://releases.turnkeylinux.org/pve/{name}"
        return f"http://download.proxmox.com/images/{section}/{name}"

    # ------------------------------------------------------------ backend hooks

    def is_root(self):
        raise NotImplementedError

    def command_lock(self, prog, cmd, opts):
        return contextlib.nullcontext()

    def is_running(self, vmid):
        raise NotImplementedError

    def pid(self, vmid):
        raise NotImplementedError

    def uptime(self, vmid):
        return 0

    def default_cpus(self):
        return 1

    def start(self, vmid, c):
        """Start the CT (config checks done); raise Die on failure."""
        raise NotImplementedError

    def stop(self, vmid):
        """Hard stop."""
        raise NotImplementedError

    def shutdown(self, vmid, timeout, force):
        """Clean stop; returns whether the CT stopped."""
        raise NotImplementedError

    def suspend(self, vmid):
        pass

    def resume(self, vmid):
        pass

    def alloc_volume(self, volid, size, c):
        pass

    def free_volume(self, volid):
        pass

    def destroy_ct(self, vmid):
        pass

    def extract(self, vmid, c, archive, shown, excludes=()):
        """Unpack archive into the CT's rootfs (printing tar's totals);
        returns the detected ostype or None."""
        raise NotImplementedError

    def post_create(self, vmid, c, ssh_keys):
        pass

    def host_keys(self, c):
        """The SSH host key types a create prints as generated."""
        return []

    def rootfs_dir(self, c):
        """The host folder holding the CT's root file system, or None."""
        return None

    def run_tar(self, c, argv, stdin_fd, stdout_fd, stderr_fd):
        """Run tar as the CT's root (its id map); returns the exit code."""
        import subprocess
        return subprocess.run(argv, stdin=stdin_fd, stdout=stdout_fd, stderr=stderr_fd).returncode

    def fetch_template(self, section, name, dest):
        raise NotImplementedError

    def exec(self, vmid, keep_env, cmd, stdin_data):
        raise NotImplementedError

    def enter(self, vmid, keep_env):
        raise NotImplementedError
