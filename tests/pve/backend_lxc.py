"""The LXC-backed host of the end-to-end tests: containers are real LXC
containers named by their vmid, rootfs volumes are directories, templates
are unpacked inside a user namespace with the container's id map.

Configuration: `standin.conf` (JSON object or key=value lines) next to the
invoked executable, else in tests/lxc-host; see tests/lxc-host/README.md.
"""

import contextlib
import ctypes
import fcntl
import ipaddress
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time

from . import cli
from .cli import Die, err, out, parse_boolean
from .host import Host
from .schema import prop_dict

SAFE_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
TOOLS = ("pct", "pveam", "pvesh", "pvesm", "vzdump")
# pct commands that do not take the config lock
UNLOCKED = {"list", "config", "status", "pending", "exec", "enter", "help", "console"}

DEFAULTS = {
    "state_dir": "/var/lib/git-lxc-standin",
    # pve_dir / templates_dir / images_dir / dump_dir default to <state_dir>/pve|templates|images|dump
    "lxcpath": "/var/lib/lxc",
    "node": None,                 # default: short host name
    "template_storages": ["local"],
    "network": "bridge",          # "bridge" (veth on a stand-in bridge) or "empty"
    "bridge": "gitlxcbr0",
    "bridge_cidr": "10.177.0.1/16",
    "nat": True,                  # masquerade the bridge subnet out of the host
    "start_timeout": 30,
}


def _conf_candidates(here):
    seen = []
    with contextlib.suppress(Exception):
        if os.path.basename(sys.argv[0]) in TOOLS:
            inv = os.path.dirname(os.path.abspath(sys.argv[0]))
            seen.append(os.path.join(inv, "standin.conf"))
    seen.append(os.path.join(here, "standin.conf"))
    return seen


def _parse_conf_text(text):
    text = text.strip()
    if not text:
        return {}
    if text.startswith("{"):
        return json.loads(text)
    out = {}
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        k, v = line.split("=", 1)
        k, v = k.strip(), v.strip()
        if v.lower() in ("true", "false"):
            v = v.lower() == "true"
        elif re.fullmatch(r"\d+", v):
            v = int(v)
        elif k == "template_storages":
            v = [s for s in re.split(r"[,\s]+", v) if s]
        out[k] = v
    return out


def load_conf(here):
    c = dict(DEFAULTS)
    for p in _conf_candidates(here):
        if os.path.isfile(p):
            with open(p) as f:
                c.update(_parse_conf_text(f.read()))
            c["_conf_file"] = p
            break
    s = c["state_dir"]
    c["pve_dir"] = c.get("pve_dir") or os.path.join(s, "pve")
    c["templates_dir"] = c.get("templates_dir") or os.path.join(s, "templates")
    c["images_dir"] = c.get("images_dir") or os.path.join(s, "images")
    c["dump_dir"] = c.get("dump_dir") or os.path.join(s, "dump")
    c["node"] = c.get("node") or socket.gethostname().split(".")[0]
    return c




def map_id(idmap, t, cid):
    if not idmap:
        return cid
    for tt, c, h, n in idmap:
        if tt == t and c <= cid < c + n:
            return h + (cid - c)
    return None


_libc = ctypes.CDLL(None, use_errno=True)
CLONE_NEWUSER = 0x10000000


def run_in_userns(idmap, argv, stdin_fd=None, stdout_fd=None, stderr_fd=None, cwd=None):
    """Run argv as root of a new user namespace with the given id map (root writes the maps)."""
    if not idmap:
        p = subprocess.run(argv, stdin=stdin_fd, stdout=stdout_fd, stderr=stderr_fd, cwd=cwd)
        return p.returncode
    r, w = os.pipe()
    r2, w2 = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            os.close(r)
            os.close(w2)
            if _libc.unshare(CLONE_NEWUSER) != 0:
                os._exit(120)
            os.write(w, b"x")
            os.close(w)
            os.read(r2, 1)
            os.setresgid(0, 0, 0)
            os.setresuid(0, 0, 0)
            try:
                os.setgroups([])
            except OSError:
                pass
            for fd, tgt in ((stdin_fd, 0), (stdout_fd, 1), (stderr_fd, 2)):
                if fd is not None:
                    os.dup2(fd, tgt)
            if cwd:
                os.chdir(cwd)
            os.execvp(argv[0], argv)
        except BaseException:
            os._exit(127)
    os.close(w)
    os.close(r2)
    os.read(r, 1)
    um = "".join("%d %d %d\n" % (c, h, n) for t, c, h, n in idmap if t == "u")
    gm = "".join("%d %d %d\n" % (c, h, n) for t, c, h, n in idmap if t == "g")
    try:
        with open("/proc/%d/uid_map" % pid, "w") as f:
            f.write(um)
        with open("/proc/%d/gid_map" % pid, "w") as f:
            f.write(gm)
    finally:
        os.write(w2, b"x")
        os.close(w2)
    _, st = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(st)


def mounts_below(path):
    path = os.path.realpath(path).rstrip("/") + "/"
    res = []
    with open("/proc/self/mountinfo") as f:
        for line in f:
            mp = line.split()[4].replace("\\040", " ")
            if (mp.rstrip("/") + "/").startswith(path):
                res.append(mp)
    return res


def safe_rmtree(path):
    """Remove a container-owned tree without ever descending into a mount."""
    if not os.path.lexists(path):
        return
    m = mounts_below(path)
    if m:
        raise Die("refusing to remove '%s': mounted file systems below it (%s)" % (path, ", ".join(m)))
    subprocess.run(["rm", "-rf", "--one-file-system", "--", path], check=False)


def ct_write_file(rootfs, rel, content, idmap, mode=0o644):
    """Write a file inside the CT rootfs (not following symlinks out of it)."""
    rel = rel.lstrip("/")
    parent = os.path.join(rootfs, os.path.dirname(rel))
    real_parent = os.path.realpath(parent)
    if not (real_parent + "/").startswith(os.path.realpath(rootfs) + "/") or not os.path.isdir(real_parent):
        return False
    target = os.path.join(real_parent, os.path.basename(rel))
    if os.path.islink(target):
        return False
    tmp = target + ".standin-tmp"
    with open(tmp, "w") as f:
        f.write(content)
    uid, gid = map_id(idmap, "u", 0), map_id(idmap, "g", 0)
    os.chown(tmp, uid if uid is not None else 65534, gid if gid is not None else 65534)
    os.chmod(tmp, mode)
    os.rename(tmp, target)
    return True


def ensure_bridge(settings):
    br = settings["bridge"]
    iface = ipaddress.IPv4Interface(settings["bridge_cidr"])
    if run(["ip", "link", "show", "dev", br], capture_output=True).returncode != 0:
        run(["ip", "link", "add", br, "type", "bridge"], capture_output=True)
    r = run(["ip", "-4", "-o", "addr", "show", "dev", br], capture_output=True, text=True)
    if str(iface) not in r.stdout:
        run(["ip", "addr", "add", str(iface), "dev", br], capture_output=True)
    run(["ip", "link", "set", br, "up"], capture_output=True)
    if settings.get("nat"):
        try:
            with open("/proc/sys/net/ipv4/ip_forward", "w") as f:
                f.write("1\n")
        except OSError:
            pass
        net = str(iface.network)
        if shutil.which("nft"):
            r = run(["nft", "list", "table", "ip", "git_lxc_standin"], capture_output=True)
            if r.returncode != 0:
                rules = ("table ip git_lxc_standin {\n"
                         " chain postrouting { type nat hook postrouting priority 100; policy accept;\n"
                         "  ip saddr %s ip daddr != %s masquerade\n }\n}\n") % (net, net)
                run(["nft", "-f", "-"], input=rules.encode(), capture_output=True)
        elif shutil.which("iptables"):
            # lxc depends on "nftables | iptables": a host may have only the latter
            rule = ["POSTROUTING", "-s", net, "!", "-d", net, "-j", "MASQUERADE"]
            if run(["iptables", "-t", "nat", "-C"] + rule, capture_output=True).returncode != 0:
                run(["iptables", "-t", "nat", "-A"] + rule, capture_output=True)
        else:
            err("warning: neither nft nor iptables found; containers get no NAT to the outside")
    return br, iface


def dhcp_address(vmid, iface):
    """Deterministic 'DHCP lease' for a vmid inside the bridge subnet."""
    net = iface.network
    size = net.num_addresses - 3
    gw = iface.ip
    n = 2 + (int(vmid) % size)
    ip = net.network_address + n
    if ip == gw:
        ip = net.network_address + 2 + ((n + 1) % size)
    return "%s/%d" % (ip, net.prefixlen), str(gw)


def setup_ct_files(vmid, conf, rootfs, idmap):
    """What PVE's LXC::Setup does at start: hostname, hosts, resolv.conf."""
    host = conf.get("hostname", "CT%s" % vmid)
    ct_write_file(rootfs, "etc/hostname", host + "\n", idmap)
    short = host.split(".")[0]
    hosts = "127.0.0.1 localhost\n127.0.1.1 %s%s\n::1 localhost ip6-localhost ip6-loopback\n" % (
        host + " " if host != short else "", short)
    ct_write_file(rootfs, "etc/hosts", hosts, idmap)
    # like PVE::LXC::Setup::Base::lookup_dns_conf: each of nameserver and
    # searchdomain not set on the CT comes from the host's resolv.conf
    ns = conf.get("nameserver")
    sd = conf.get("searchdomain")
    host_ns, host_sd = [], None
    try:
        with open("/etc/resolv.conf") as f:
            for line in f:
                w = line.split()
                if len(w) >= 2 and w[0] == "nameserver" and len(host_ns) < 3:
                    host_ns.append(w[1])
                elif len(w) >= 2 and w[0] in ("search", "domain"):
                    host_sd = " ".join(w[1:])
    except OSError:
        pass
    if ns is None:
        ns = " ".join(host_ns)
    if sd is None:
        sd = host_sd
    text = ""
    if sd:
        text += "search %s\n" % sd
    for x in ns.split():
        text += "nameserver %s\n" % x
    if text:
        ct_write_file(rootfs, "etc/resolv.conf", text, idmap)


def ensure_subids():
    """A Proxmox host ships `root:100000:65536` in /etc/subuid and /etc/subgid.
    LXC maps ids through newuidmap/newgidmap whenever they are installed, and
    those check these files, so provide the same default entry."""
    for f in ("/etc/subuid", "/etc/subgid"):
        try:
            with open(f) as fh:
                lines = fh.read().splitlines()
        except FileNotFoundError:
            lines = []
        if any(re.fullmatch(r"root:100000:(\d+)", l.strip()) and int(l.strip().split(":")[2]) >= 65536
               for l in lines):
            continue
        with open(f, "a") as fh:
            fh.write("root:100000:65536\n")


def bind_access_hints(conf, idmap):
    """Explain the usual reason an unprivileged start fails on a bind mount:
    LXC mounts lxc.mount.entry sources as the container's mapped root, which
    needs search permission on every directory leading to the source."""
    if not idmap:
        return []
    ru, rg = map_id(idmap, "u", 0), map_id(idmap, "g", 0)
    hints = []
    for k in sorted(conf):
        if not re.fullmatch(r"mp\d+", k):
            continue
        vol = prop_dict(conf[k], "volume").get("volume", "")
        if not vol.startswith("/"):
            continue
        cur = "/"
        for part in [x for x in vol.split("/") if x]:
            try:
                st = os.stat(cur)
            except OSError:
                break
            m = st.st_mode
            if not (m & 0o001 or (st.st_uid == ru and m & 0o100) or (st.st_gid == rg and m & 0o010)):
                hints.append("%s: bind source '%s' is not reachable by the container's root (host uid %s): "
                             "'%s' has mode %04o owner %d:%d (needs o+x)" % (k, vol, ru, cur, m & 0o7777,
                                                                           st.st_uid, st.st_gid))
                break
            cur = os.path.join(cur, part)
    return hints



run = subprocess.run


class ConfLock:
    """The config flock PVE takes (/run/lock/lxc/pve-config-<vmid>.lock)."""

    def __init__(self, vmid, timeout=10):
        self.vmid, self.timeout = vmid, timeout

    def __enter__(self):
        d = "/run/lock/lxc"
        os.makedirs(d, exist_ok=True)
        path = os.path.join(d, "pve-config-%s.lock" % self.vmid)
        self.fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        end = time.time() + self.timeout
        while True:
            try:
                fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return self
            except BlockingIOError:
                if time.time() > end:
                    os.close(self.fd)
                    raise Die("can't lock file '%s' - got timeout" % path)
                time.sleep(0.1)

    def __exit__(self, *a):
        os.close(self.fd)


class LxcHost(Host):
    NAME = "stand-in"
    DISK_TYPE = "dir"

    def __init__(self, settings):
        self.s = settings
        self.lxcpath = settings["lxcpath"]
        super().__init__(settings, pve_dir=settings["pve_dir"],
                         templates_dir=settings["templates_dir"], dump_dir=settings["dump_dir"],
                         available_file=os.path.join(settings["state_dir"], "available.txt"))

    # ------------------------------------------------------------ layout

    def template_storages(self):
        return list(self.s["template_storages"])

    def used_vmids(self):
        used = super().used_vmids()
        if os.path.isdir(self.lxcpath):
            used |= {int(f) for f in os.listdir(self.lxcpath) if re.fullmatch(r"[1-9]\d*", f)}
        return used

    def show_path(self, store, content, fname):
        return os.path.join(self.content_dir(store, content), fname)

    def volume_dir(self, volid):
        """'<storage>:vm-<id>-disk-0' -> the directory holding the volume."""
        storage, name = volid.split(":", 1)
        return os.path.join(self.s["images_dir"], storage, name)

    def image_path(self, store, name):
        p = self.volume_dir(f"{store}:{name}")
        return p, p

    def rootfs_dir(self, c):
        vol = prop_dict(c.keys.get("rootfs", ""), "volume").get("volume", "")
        return vol if vol.startswith("/") else self.volume_dir(vol)

    def default_capacity(self, store, used):
        d = self.s["images_dir"] if "rootdir" in self.storages()[store]["content"] \
            else self.s["state_dir"]
        while not os.path.isdir(d):
            d = os.path.dirname(d)
        st = os.statvfs(d)
        return st.f_blocks * st.f_frsize, st.f_bavail * st.f_frsize

    def available_fallback(self):
        """Without an index: the templates of every template storage."""
        names = sorted({f for s in self.template_storages() for f in self.files(s, "vztmpl")})
        res = []
        for f in names:
            m = re.search(r"_(amd64|i386|arm64|armhf)\.tar", f)
            res.append(("system", f, m.group(1) if m else "unknown"))
        return res

    def template_source(self, name):
        for st in self.template_storages():
            p = os.path.join(self.content_dir(st, "vztmpl"), name)
            if os.path.isfile(p):
                return p
        raise Die(f"no local source for template '{name}'")

    def template_url(self, section, name):
        return "file://" + self.template_source(name)

    def fetch_template(self, section, name, dest):
        shutil.copyfile(self.template_source(name), dest)

    # ------------------------------------------------------------ state

    def is_root(self):
        return os.geteuid() == 0

    def command_lock(self, prog, cmd, opts):
        if prog == "pct" and "vmid" in opts and cmd not in UNLOCKED:
            return ConfLock(opts["vmid"], 5 if cmd in ("create", "restore") else 10)
        return contextlib.nullcontext()

    def is_running(self, vmid):
        sock = "@%s/%s/command" % (self.lxcpath.rstrip("/"), vmid)
        try:
            with open("/proc/net/unix") as f:
                for line in f:
                    if line.rstrip("\n").endswith(" " + sock):
                        return True
        except OSError:
            pass
        return False

    def pid(self, vmid):
        r = run(["lxc-info", "-n", str(vmid), "-pH"], capture_output=True, text=True)
        p = r.stdout.strip() if r.returncode == 0 else ""
        return int(p) if p.isdigit() else None

    def uptime(self, vmid):
        p = self.pid(vmid)
        try:
            return int(time.time() - os.stat(f"/proc/{p}").st_mtime) if p else 0
        except OSError:
            return 0

    def default_cpus(self):
        return os.cpu_count() or 1

    # ------------------------------------------------------------ power

    def gen_lxc_config(self, vmid, c):
        """/var/lib/lxc/<vmid>/config from the PVE config (README: Config -> LXC)."""
        idmap = c.idmap()
        rootfs_vol = prop_dict(c.keys["rootfs"], "volume")
        rootfs = self.rootfs_dir(c)
        if not os.path.isdir(rootfs):
            raise Die("rootfs '%s' does not exist" % rootfs)
        lx = self.lxcpath
        L = ["# generated by the git-lxc pct stand-in from %s at start; do not edit"
             % self.conf_path(vmid), "lxc.include = /usr/share/lxc/config/common.conf"]
        if idmap:
            L.append("lxc.include = /usr/share/lxc/config/userns.conf")
        arch = c.keys.get("arch", "amd64")
        L.append("lxc.arch = %s" % {"amd64": "x86_64", "i386": "i686", "arm64": "aarch64",
                                    "armhf": "armv7l"}.get(arch, arch))
        L.append("lxc.uts.name = %s" % c.keys.get("hostname", "CT%s" % vmid))
        L.append("lxc.rootfs.path = dir:%s" % rootfs)
        if parse_boolean(rootfs_vol.get("ro", "0")):
            L.append("lxc.rootfs.options = ro")
        L.append("lxc.tty.max = %s" % c.keys.get("tty", "2"))
        L.append("lxc.log.file = %s/%s/lxc.log" % (lx, vmid))
        L.append("lxc.log.level = WARN")
        if os.path.exists("/sys/kernel/security/apparmor"):
            L.append("lxc.apparmor.profile = unconfined")
        for t, ct, h, n in idmap:
            L.append("lxc.idmap = %s %d %d %d" % (t, ct, h, n))
        nets = sorted((int(k[3:]), k) for k in c.keys if re.fullmatch(r"net\d+", k))
        if self.s["network"] == "bridge" and nets:
            br, iface = ensure_bridge(self.s)
            for idx, (n, key) in enumerate(nets):
                d = prop_dict(c.keys[key])
                p = "lxc.net.%d" % idx
                L += ["%s.type = veth" % p, "%s.link = %s" % (p, br),
                      "%s.name = %s" % (p, d.get("name", "eth%d" % n)),
                      "%s.veth.pair = veth%si%d" % (p, vmid, n)]
                if not parse_boolean(d.get("link_down", "0")):
                    L.append("%s.flags = up" % p)
                if d.get("hwaddr"):
                    L.append("%s.hwaddr = %s" % (p, d["hwaddr"]))
                if d.get("mtu"):
                    L.append("%s.mtu = %s" % (p, d["mtu"]))
                ip = d.get("ip")
                if ip == "dhcp":
                    addr, gw = dhcp_address(vmid, iface)
                    bc = ipaddress.IPv4Interface(addr).network.broadcast_address
                    L += ["%s.ipv4.address = %s %s" % (p, addr, bc),
                          "%s.ipv4.gateway = %s" % (p, gw)]
                elif ip and ip != "manual":
                    bc = ipaddress.IPv4Interface(ip).network.broadcast_address
                    L.append("%s.ipv4.address = %s %s" % (p, ip, bc))
                    if d.get("gw"):
                        L.append("%s.ipv4.gateway = %s" % (p, d["gw"]))
                ip6 = d.get("ip6")
                if ip6 and ip6 not in ("auto", "dhcp", "manual"):
                    L.append("%s.ipv6.address = %s" % (p, ip6))
                    if d.get("gw6"):
                        L.append("%s.ipv6.gateway = %s" % (p, d["gw6"]))
        else:
            L.append("lxc.net.0.type = empty")
        # mount points, sorted by path inside the CT (like PVE)
        mps = []
        for k, v in c.mountpoints():
            if k != "rootfs":
                d = prop_dict(v, "volume")
                mps.append((d.get("mp", ""), k, d))
        for mpath, k, d in sorted(mps, key=lambda x: (x[0].rstrip("/").count("/"), x[0])):
            vol = d["volume"]
            if not vol.startswith("/") or vol.startswith("/dev/"):
                raise Die("mount point %s: only bind mounts of host directories are supported "
                          "by the stand-in" % k)
            opts = ["bind", "create=dir"]
            if parse_boolean(d.get("ro", "0")):
                opts.append("ro")
            opts += [mo for mo in (d.get("mountoptions") or "").split(";") if mo]
            L.append("lxc.mount.entry = %s %s none %s 0 0" % (vol, mpath.lstrip("/"),
                                                            ",".join(opts)))
        for k, v in c.lxc:
            if k not in ("lxc.idmap", "lxc.id_map", "lxc.rootfs.path"):
                L.append("%s = %s" % (k, v))
        return "\n".join(L) + "\n", rootfs, idmap

    def start(self, vmid, c):
        text, rootfs, idmap = self.gen_lxc_config(vmid, c)
        if idmap:
            ensure_subids()
        d = os.path.join(self.lxcpath, str(vmid))
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, "config"), "w") as f:
            f.write(text)
        setup_ct_files(vmid, c.keys, rootfs, idmap)
        logf = os.path.join(d, "lxc.log")
        with contextlib.suppress(FileNotFoundError):
            os.unlink(logf)
        r = run(["lxc-start", "-n", str(vmid)], capture_output=True, text=True)
        ok = r.returncode == 0 and run(["lxc-wait", "-n", str(vmid), "-s", "RUNNING", "-t",
                                        str(self.s["start_timeout"])],
                                       capture_output=True).returncode == 0
        if not ok:
            detail = []
            with contextlib.suppress(OSError):
                with open(logf) as f:
                    detail = [ln for ln in f.read().splitlines() if " ERROR " in ln][-12:]
            if not detail:
                detail = (r.stderr or "").strip().splitlines()
            for ln in detail + bind_access_hints(c.keys, idmap):
                err(ln)
            raise Die("startup for container '%s' failed" % vmid)

    def lxc_stop(self, vmid, *args):
        r = run(["lxc-stop", "-n", str(vmid)] + list(args), capture_output=True, text=True)
        return r.returncode == 0 or not self.is_running(vmid)

    def stop(self, vmid):
        if not self.lxc_stop(vmid, "--kill"):
            raise Die("unable to stop CT %s" % vmid)

    def shutdown(self, vmid, timeout, force):
        if force:
            return self.lxc_stop(vmid, "--timeout", str(timeout))
        return self.lxc_stop(vmid, "--nokill", "--timeout", str(timeout))

    def suspend(self, vmid):
        run(["lxc-freeze", "-n", str(vmid)], capture_output=True)

    def resume(self, vmid):
        run(["lxc-unfreeze", "-n", str(vmid)], capture_output=True)

    # ------------------------------------------------------------ volumes, files

    def alloc_volume(self, volid, size, c):
        d = self.volume_dir(volid)
        if os.path.exists(d):
            safe_rmtree(d)
        os.makedirs(d, mode=0o755)
        idmap = c.idmap()
        os.chown(d, map_id(idmap, "u", 0), map_id(idmap, "g", 0))

    def free_volume(self, volid):
        if not volid.startswith("/"):
            safe_rmtree(self.volume_dir(volid))

    def destroy_ct(self, vmid):
        safe_rmtree(os.path.join(self.lxcpath, str(vmid)))

    def run_tar(self, c, argv, stdin_fd, stdout_fd, stderr_fd):
        sys.stdout.flush()
        return run_in_userns(c.idmap(), argv, stdin_fd=stdin_fd, stdout_fd=stdout_fd,
                             stderr_fd=stderr_fd)

    def extract(self, vmid, c, archive, shown, excludes=()):
        rootdir = self.rootfs_dir(c)
        comp = {".gz": "-z", ".tgz": "-z", ".xz": "-J", ".zst": "--zstd", ".bz2": "-j",
                ".lzo": "--lzop"}
        flag = next((f for ext, f in comp.items() if archive.endswith(ext)), None)
        tar = ["tar", "-xp", "--numeric-owner", "--totals", "--sparse", "--exclude=./dev/*",
               "-C", rootdir, "-f", "-"] + [f"--exclude={e}" for e in excludes]
        if flag:
            tar.insert(1, flag)
        fd = os.open(archive, os.O_RDONLY)
        try:
            rc = self.run_tar(c, tar, fd, 1, 1)
        finally:
            os.close(fd)
        if rc != 0:
            raise Die("command '%s' failed: exit code %d" % (" ".join(tar), rc))
        with contextlib.suppress(OSError):
            with open(os.path.join(rootdir, "etc/os-release")) as f:
                m = re.search(r"^ID=\"?([a-z]+)", f.read(), re.M)
                return m.group(1) if m else None
        return None

    def post_create(self, vmid, c, ssh_keys):
        rootdir = self.rootfs_dir(c)
        idmap = c.idmap()
        if ssh_keys:
            uid, gid = map_id(idmap, "u", 0), map_id(idmap, "g", 0)
            sshdir = os.path.join(rootdir, "root/.ssh")
            if not os.path.islink(sshdir) and not os.path.islink(os.path.join(rootdir, "root")):
                os.makedirs(sshdir, exist_ok=True)
                os.chown(sshdir, uid, gid)
                os.chmod(sshdir, 0o700)
                ct_write_file(rootdir, "root/.ssh/authorized_keys", ssh_keys, idmap, 0o600)
        setup_ct_files(vmid, c.keys, rootdir, idmap)

    # ------------------------------------------------------------ inside

    def attach_argv(self, vmid, keep_env):
        argv = ["lxc-attach", "-n", str(vmid)]
        if keep_env:
            argv.append("--keep-env")
        else:
            argv += ["--clear-env", "--set-var", "PATH=" + SAFE_PATH]
        return argv

    def exec(self, vmid, keep_env, cmd, stdin_data):
        env = dict(os.environ)
        env.pop("SSL_CERT_FILE", None)
        env.pop("SSL_CERT_DIR", None)
        # undo Python's PEP 538 locale coercion so --keep-env passes the caller's env as-is
        if env.get("LC_CTYPE") == "C.UTF-8" and env.get("LANG", "C") in ("C", "POSIX") \
                and "LC_ALL" not in env:
            env.pop("LC_CTYPE")
        env.setdefault("PATH", SAFE_PATH)
        sys.stdout.flush()
        os.execvpe("lxc-attach", self.attach_argv(vmid, keep_env) + ["--"] + cmd, env)

    def enter(self, vmid, keep_env):
        env = dict(os.environ)
        env.setdefault("PATH", SAFE_PATH)
        sys.stdout.flush()
        os.execvpe("lxc-attach", self.attach_argv(vmid, keep_env), env)


def main(tool, here):
    """Entry point of tests/lxc-host/<tool>; `here` is that folder."""
    os.environ["PATH"] = os.environ.get("PATH") or SAFE_PATH
    if "/usr/sbin" not in os.environ["PATH"].split(":"):
        os.environ["PATH"] += ":/usr/sbin:/sbin"
    try:
        rc = cli.run(tool, LxcHost(load_conf(here)), sys.argv[1:])
    except KeyboardInterrupt:
        rc = 130
    except BrokenPipeError:
        rc = 141
    sys.stdout.flush()
    sys.exit(rc & 0xFF if rc >= 0 else 255)
