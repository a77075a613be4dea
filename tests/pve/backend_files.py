"""The file-backed host of the CLI tests: every container is a config file
in a state folder, "running" is a flag file, volumes are names only.

It also plays `sudo`, `lxc-info` and `lxc-ls`, logs every call to
`calls.jsonl` before acting, and injects failures and delays from
`rules.json`.  Configuration: `fakehost.json` next to the invoked link
(argv[0] is not resolved).  State layout and keys: tests/fakes/README.md.
"""

import contextlib
import fcntl
import json
import os
import re
import shutil
import subprocess
import sys
import time

from . import cli
from .cli import Die, Exit, err, out
from .host import Host
from .pct import exec_wants_stdin

SUDO_MARK = "FAKEHOST_VIA_SUDO"


def load_cfg(bin_dir):
    path = os.path.join(bin_dir, "fakehost.json")
    try:
        with open(path) as f:
            cfg = json.load(f)
    except OSError as e:
        sys.stderr.write(f"fakehost: cannot read {path}: {e}\n")
        sys.exit(99)
    cfg.setdefault("node", "pve")
    cfg.setdefault("root", True)
    cfg.setdefault("delay_ms", 0)
    cfg.setdefault("qemu", [])
    cfg.setdefault("disk_storages", None)
    if not cfg.get("state"):
        sys.stderr.write(f"fakehost: {path} has no 'state'\n")
        sys.exit(99)
    return cfg


class StateLock:
    """Exclusive flock on <state>/.lock (released on exec: O_CLOEXEC)."""

    def __init__(self, state):
        self.state = state

    def __enter__(self):
        os.makedirs(self.state, exist_ok=True)
        self.fd = os.open(os.path.join(self.state, ".lock"),
                          os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        fcntl.flock(self.fd, fcntl.LOCK_EX)
        return self

    def __exit__(self, *a):
        fcntl.flock(self.fd, fcntl.LOCK_UN)
        os.close(self.fd)


class FilesHost(Host):
    NAME = "fakehost"

    def __init__(self, cfg):
        self.state = cfg["state"]
        super().__init__(cfg, pve_dir=self.sp("pve"), templates_dir=self.sp("templates"),
                         dump_dir=self.sp("dump"), available_file=self.sp("available.txt"))
        self.nextid_file = self.sp("nextid")
        self.via_sudo = False

    def sp(self, *parts):
        return os.path.join(self.state, *parts)

    # ------------------------------------------------------------ calls, rules

    def lock(self):
        return StateLock(self.state)

    def log_call(self, prog, argv, save_stdin=False):
        env = dict(os.environ)
        via = env.pop(SUDO_MARK, None) == "1"
        rec = {"prog": prog, "argv": argv, "env": env, "via_sudo": via}
        with self.lock():
            path = self.sp("calls.jsonl")
            seq = 1
            if os.path.exists(path):
                with open(path, "rb") as f:
                    seq = f.read().count(b"\n") + 1
            rec = {"seq": seq, **rec}
            if save_stdin:
                rec["stdin_file"] = self.sp("exec", f"{seq}.stdin")
            with open(path, "a") as f:
                f.write(json.dumps(rec, sort_keys=True) + "\n")
        if save_stdin:
            self.stdin_data = sys.stdin.buffer.read()
            os.makedirs(self.sp("exec"), exist_ok=True)
            with open(rec["stdin_file"], "wb") as f:
                f.write(self.stdin_data)
        self.via_sudo = via

    def apply_rules(self, prog, argv):
        """Failure/delay injection. Returns normally or raises Exit."""
        path = self.sp("rules.json")
        if not os.path.exists(path):
            return
        full = [prog] + list(argv)
        fire = None
        delays = 0
        with self.lock():
            try:
                with open(path) as f:
                    rules = json.load(f)
            except (OSError, ValueError) as e:
                raise Die(f"fakehost: bad rules.json: {e}", 99)
            changed = False
            for r in rules:
                m = r.get("match", [])
                if full[: len(m)] != m:
                    continue
                if "times" in r:
                    if r["times"] <= 0:
                        continue
                    r["times"] -= 1
                    changed = True
                delays += r.get("delay_ms", 0)
                if "exit" in r:
                    fire = r
                    break
            if changed:
                tmp = path + ".tmp"
                with open(tmp, "w") as f:
                    json.dump(rules, f, indent=1)
                os.replace(tmp, path)
        if delays:
            time.sleep(delays / 1000.0)
        if fire is not None:
            for stream, key in ((sys.stdout, "stdout"), (sys.stderr, "stderr")):
                s = fire.get(key, "")
                if s:
                    stream.write(s if s.endswith("\n") else s + "\n")
                    stream.flush()
            raise Exit(int(fire["exit"]))

    # ------------------------------------------------------------ host hooks

    def is_root(self):
        return self.cfg["root"] or self.via_sudo

    def lxc_visible(self):
        """Non-root without sudo sees no containers (its own empty lxcpath)."""
        return self.is_root()

    def command_lock(self, prog, cmd, opts):
        return self.lock()

    def is_running(self, vmid):
        return os.path.exists(self.sp("running", str(vmid)))

    def set_running(self, vmid, on):
        p = self.sp("running", str(vmid))
        if on:
            os.makedirs(self.sp("running"), exist_ok=True)
            open(p, "w").close()
        elif os.path.exists(p):
            os.unlink(p)

    def pid(self, vmid):
        return 10000 + vmid

    def uptime(self, vmid):
        return 42

    def start(self, vmid, c):
        self.set_running(vmid, True)

    def stop(self, vmid):
        self.set_running(vmid, False)

    def shutdown(self, vmid, timeout, force):
        self.set_running(vmid, False)
        return True

    def extract(self, vmid, c, archive, shown, excludes=()):
        size = max(os.path.getsize(archive), 10240)
        human = f"{size / 1048576:.1f}MiB" if size >= 1 << 20 else f"{size // 1024}KiB"
        out(f"Total bytes read: {size} ({human}, 42MiB/s)")
        return None

    def host_keys(self, c):
        return [] if c.keys.get("ostype") == "alpine" else ["rsa", "ecdsa", "ed25519"]

    def fetch_template(self, section, name, dest):
        open(dest, "wb").close()

    def exec(self, vmid, keep_env, cmd, stdin_data):
        """The command is not run; a script on stdin is syntax-checked."""
        if stdin_data is not None:
            r = subprocess.run(["bash", "-n"], input=stdin_data, capture_output=True)
            if r.returncode != 0:
                sys.stderr.buffer.write(r.stderr)
                sys.stderr.flush()
                return r.returncode
        return 0

    def enter(self, vmid, keep_env):
        pass

    def ips_of(self, vmid, c):
        p = self.sp("ip", str(vmid))
        if os.path.exists(p):
            with open(p) as f:
                return f.read().split()
        net0 = c.keys.get("net0") if c else None
        if not net0:
            return []
        d = {}
        for part in net0.split(","):
            if "=" in part:
                k, v = part.split("=", 1)
                d[k] = v
        ips = []
        ip = d.get("ip")
        if ip == "dhcp":
            ips.append(f"10.0.{vmid // 256 % 256}.{vmid % 256}")
        elif ip and ip != "manual":
            ips.append(ip.split("/")[0])
        ip6 = d.get("ip6")
        if ip6 and ip6 not in ("auto", "dhcp", "manual"):
            ips.append(ip6.split("/")[0])
        return ips



def lxc_getopt(prog, argv, short, longs):
    """short: e.g. 'n:isp'; longs: name -> (key, takes_arg).  Returns (opts, pos)."""
    opts, pos = {}, []
    i = 0
    while i < len(argv):
        a = argv[i]
        i += 1
        if a == "--":
            pos += argv[i:]
            break
        if a.startswith("--"):
            name, eq, val = a[2:].partition("=")
            if name not in longs:
                raise Die(f"{prog}: unrecognized option '{a}'", 1)
            key, takes = longs[name]
            if takes:
                if not eq:
                    if i >= len(argv):
                        raise Die(f"{prog}: option '--{name}' requires an argument", 1)
                    val = argv[i]
                    i += 1
                opts[key] = val
            else:
                opts[key] = True
        elif a.startswith("-") and a != "-":
            j = 1
            while j < len(a):
                ch = a[j]
                idx = short.find(ch)
                if idx < 0 or ch == ":":
                    raise Die(f"{prog}: invalid option -- '{ch}'", 1)
                if idx + 1 < len(short) and short[idx + 1] == ":":
                    val = a[j + 1:]
                    if not val:
                        if i >= len(argv):
                            raise Die(f"{prog}: option requires an argument -- '{ch}'", 1)
                        val = argv[i]
                        i += 1
                    opts[ch] = val
                    break
                opts[ch] = True
                j += 1
        else:
            pos.append(a)
    return opts, pos


def main_lxc_info(host, argv):
    opts, _ = lxc_getopt("lxc-info", argv, "n:c:ispSHP:",
                         {"name": ("n", True), "ips": ("i", False), "state": ("s", False),
                          "pid": ("p", False), "stats": ("S", False),
                          "no-humanize": ("H", False), "config": ("c", True),
                          "lxcpath": ("P", True)})
    name = opts.get("n")
    if not name:
        raise Die("lxc-info: No container name specified", 1)
    vmid = int(name) if re.fullmatch(r"[1-9]\d*", name) else None
    c = host.read_conf(vmid) if vmid and host.lxc_visible() else None
    if c is None:
        raise Die(f"{name} doesn't exist", 1)
    humanize = not opts.get("H")
    flags = [f for f in ("s", "p", "i") if opts.get(f)]
    if not flags and not opts.get("S"):
        flags = ["s", "p", "i"]
        out("%-15s %s" % ("Name:", name))
    single = len(flags) == 1 and not opts.get("S")
    running = host.is_running(vmid)

    def show(key, value):
        out(str(value) if (not humanize and single) else "%-15s %s" % (key, value))

    if "s" in flags:
        show("State:", "RUNNING" if running else "STOPPED")
    if running:
        if "p" in flags:
            show("PID:", 10000 + vmid)
        if "i" in flags:
            for ip in host.ips_of(vmid, c):
                show("IP:", ip)


def main_lxc_ls(host, argv):
    opts, pos = lxc_getopt("lxc-ls", argv, "1fF:g:P:",
                           {"line": ("1", False), "fancy": ("f", False),
                            "fancy-format": ("F", True), "active": ("active", False),
                            "running": ("running", False), "frozen": ("frozen", False),
                            "stopped": ("stopped", False), "nesting": ("nesting", False),
                            "groups": ("g", True), "filter": ("filter", True),
                            "lxcpath": ("P", True)})
    rows = []
    if host.lxc_visible():
        for vmid in sorted(host.all_vmids(), key=str):
            name = str(vmid)
            flt = opts.get("filter") or (pos[0] if len(pos) == 1 else None)
            if flt and not re.search(flt, name):
                continue
            running = host.is_running(vmid)
            if (opts.get("running") or opts.get("active")) and not running:
                continue
            if opts.get("stopped") and running:
                continue
            c = host.read_conf(vmid)
            ipv4 = [ip for ip in host.ips_of(vmid, c) if ":" not in ip] if running else []
            ipv6 = [ip for ip in host.ips_of(vmid, c) if ":" in ip] if running else []
            rows.append({"NAME": name, "STATE": "RUNNING" if running else "STOPPED",
                         "IPV4": ", ".join(ipv4) or "-", "IPV6": ", ".join(ipv6) or "-",
                         "PID": str(10000 + vmid) if running else "-",
                         "AUTOSTART": "0", "GROUPS": "-", "INTERFACE": "-",
                         "RAM": "-", "SWAP": "-"})
    if not rows:
        return
    if not opts.get("f"):
        width = max(len(r["NAME"]) for r in rows)
        for r in rows:
            out("%-*s" % (width, r["NAME"]))
        return
    cols = [x.strip().upper() for x in
            (opts.get("F") or "NAME,STATE,AUTOSTART,GROUPS,IPV4,IPV6").split(",")]
    for col in cols:
        if col not in rows[0]:
            raise Die(f"Invalid key: {col}", 0)
    widths = {col: max([len(col)] + [len(r[col]) for r in rows]) for col in cols}
    out("".join("%-*s " % (widths[col], col) for col in cols))
    for r in rows:
        out("".join("%-*s " % (widths[col], r[col]) for col in cols))



def main_sudo(host, argv):
    host.log_call("sudo", argv)
    host.apply_rules("sudo", argv)
    i = 0
    while i < len(argv):
        a = argv[i]
        if a == "--":
            i += 1
            break
        if a in ("-u", "-g"):
            i += 2
            continue
        if a.startswith("-") and len(a) > 1:
            i += 1
            continue
        break
    cmd = argv[i:]
    listing = "-l" in argv[:i]
    if not cmd:
        err("usage: sudo [-n] [-l] [--] command [arg ...]")
        raise Exit(1)
    exe = shutil.which(cmd[0]) if "/" not in cmd[0] else cmd[0]
    if not exe:
        if listing:
            raise Exit(1)
        err(f"sudo: {cmd[0]}: command not found")
        raise Exit(1)
    if listing:
        # `sudo -l CMD`: may CMD run? The fake allows everything it finds.
        out(" ".join([exe] + cmd[1:]))
        return
    env = dict(os.environ)
    env[SUDO_MARK] = "1"
    sys.stdout.flush()
    sys.stderr.flush()
    os.execve(exe, cmd, env)




# --------------------------------------------------------------------------
# entry point
# --------------------------------------------------------------------------

def main(argv0, argv):
    prog = os.path.basename(argv0)
    host = FilesHost(load_cfg(os.path.dirname(os.path.abspath(argv0))))
    try:
        if prog == "sudo":
            main_sudo(host, argv)
            return 0
        save = prog == "pct" and exec_wants_stdin(argv)
        host.log_call(prog, argv, save_stdin=save)
        host.apply_rules(prog, argv)
        if host.cfg.get("delay_ms"):
            time.sleep(host.cfg["delay_ms"] / 1000.0)
        if prog in cli.TOOLS:
            return cli.run(prog, host, argv)
        if prog == "lxc-info":
            main_lxc_info(host, argv)
        elif prog == "lxc-ls":
            main_lxc_ls(host, argv)
        else:
            raise Die(f"fakehost: unknown program name '{prog}'", 99)
        return 0
    except Exit as e:
        return e.code
    except Die as e:
        err(e.msg)
        return e.code
    finally:
        sys.stdout.flush()
