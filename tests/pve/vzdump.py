"""`vzdump` for containers (pct.md §11.1)."""

import os
import re
import shutil
import sys
import tempfile
import time

from .cli import (Die, Exit, check_root, err, get_options, out, param_error, parse_boolean)
from .host import SNAPSHOT_TYPES
from .schema import BOOL, S, fmt_storage, getopt_spec, split_list, validate, volume_of

USAGE = "vzdump {<vmid>} [OPTIONS]"
VMID_LIST = S("string", pattern=r"[1-9][0-9]{2,8}(?:[,;\s]+[1-9][0-9]{2,8})*")
OPTIONS = {
    "mode": S("string", enum=["snapshot", "suspend", "stop"]),
    "storage": S("string", format=fmt_storage),
    "dumpdir": S("string"),
    "compress": S("string", enum=["0", "1", "gzip", "lzo", "zstd"]),
    "remove": BOOL,
    "prune-backups": S("string", pattern=r"(?:keep-(?:all|last|hourly|daily|weekly|monthly|yearly)"
                                         r"=\d+)(?:,keep-(?:all|last|hourly|daily|weekly|monthly|"
                                         r"yearly)=\d+)*"),
    "notes-template": S("string", maxLength=1024),
    "protected": BOOL, "quiet": BOOL, "stdout": BOOL,
    "node": S("string"), "all": BOOL, "exclude": VMID_LIST, "pool": S("string"),
    "bwlimit": S("integer", minimum=0), "ionice": S("integer", minimum=0, maximum=8),
    "lockwait": S("integer", minimum=0), "stopwait": S("integer", minimum=0),
    "stdexcludes": BOOL, "exclude-path": S("string"), "tmpdir": S("string"),
    "script": S("string"), "zstd": S("integer", minimum=0), "pigz": S("integer", minimum=0),
    "mailto": S("string"), "mailnotification": S("string", enum=["always", "failure"]),
    "notification-mode": S("string", enum=["auto", "legacy-sendmail", "notification-system"]),
    "performance": S("string"), "fleecing": S("string"),
    "pbs-change-detection-mode": S("string", enum=["legacy", "data", "metadata"]),
    "job-id": S("string"), "stop": BOOL,
}
EXT = {"0": "tar", "1": "tar.lzo", "lzo": "tar.lzo", "gzip": "tar.gz", "zstd": "tar.zst"}
TAR_COMPRESS = {"tar.lzo": ["--lzop"], "tar.gz": ["--gzip"], "tar.zst": ["--zstd"], "tar": []}
STDEXCLUDES = ["./tmp/?*", "./var/tmp/?*", "./var/run/?*.pid"]
PRUNE_KEYS = ["keep-last", "keep-hourly", "keep-daily", "keep-weekly", "keep-monthly",
              "keep-yearly"]
BUCKET = {"keep-hourly": "%Y/%m/%d/%H", "keep-daily": "%Y/%m/%d", "keep-weekly": "%G/%V",
          "keep-monthly": "%Y/%m", "keep-yearly": "%Y"}


def human_size(n):
    """VZDump's format_size."""
    kb = n / 1024
    if kb < 1024:
        return f"{int(kb)}KB"
    mb = kb / 1024
    if mb < 1024:
        return f"{int(mb)}MB"
    gb = mb / 1024
    return f"{gb:.2f}GB" if gb < 1024 else f"{gb / 1024:.2f}TB"


def stamp(t):
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(t))


def check_notes_template(t):
    if "\n" in t:
        raise param_error([("notes-template", "contains a line feed")], "")
    i = 0
    while i < len(t):
        if t[i] == "\\":
            if i + 1 >= len(t) or t[i + 1] not in "n\\":
                raise param_error([("notes-template", f"escape sequence '\\{t[i + 1:i + 2]}' "
                                                      f"at char {i}")], "")
            i += 2
            continue
        if t.startswith("{{", i):
            m = re.match(r"\{\{([^}]*)\}\}", t[i:])
            if m and m.group(1) not in ("cluster", "guestname", "node", "vmid"):
                raise param_error([("notes-template", f"found unknown: variable "
                                                      f"'{m.group(1)}' at char {i}")], "")
        i += 1


def render_notes(t, host, vmid, c):
    vals = {"cluster": "standalone node", "guestname": c.name(), "node": host.node,
            "vmid": str(vmid)}
    t = re.sub(r"\{\{(cluster|guestname|node|vmid)\}\}", lambda m: vals[m.group(1)], t)
    return t.replace("\\n", "\n").replace("\\\\", "\\")


def parse_retention(s):
    d = {}
    for part in [p for p in (s or "").split(",") if p]:
        k, _, v = part.partition("=")
        d[k] = int(v)
    if d.get("keep-all") and len(d) > 1:
        raise Die("keep-all cannot be set together with other options.")
    if not any(d.values()):
        return {"keep-all": 1}
    return d


def prune_marks(backups, keep):
    """PVE::Storage::prune_mark_backup_group: [(name, ctime, protected)] ->
    {name: keep|remove|protected}."""
    entries = sorted(backups, key=lambda b: -b[1])
    mark = {n: "protected" for n, _, p in entries if p}
    for key in PRUNE_KEYS:
        count = keep.get(key, 0)
        if not count:
            continue
        bucket = (lambda t: t) if key == "keep-last" else \
            (lambda t, f=BUCKET[key]: time.strftime(f, time.localtime(t)))
        already = {bucket(t) for n, t, _ in entries if mark.get(n) == "keep"}
        new = set()
        for n, t, _ in entries:
            b = bucket(t)
            if n in mark or b in already:
                continue
            if b not in new:
                if len(new) >= count:
                    break
                new.add(b)
                mark[n] = "keep"
            else:
                mark[n] = "remove"
    return {n: mark.get(n, "remove") for n, _, _ in entries}


class Job:
    def __init__(self, host, opts, vmids):
        self.host, self.opts, self.vmids = host, opts, vmids
        self.errors = 0
        self.log = None

    def info(self, msg, kind="INFO", to_log=True):
        line = f"{kind}: {msg}"
        (sys.stderr if self.opts.get("stdout") else sys.stdout).write(line + "\n")
        if self.log is not None and to_log:
            self.log.write(f"{stamp(time.time())} {line}\n")

    def raw(self, line):
        (sys.stderr if self.opts.get("stdout") else sys.stdout).write(line + "\n")

    def target(self):
        """(storage or None, dump directory, storage config or None)."""
        o, host = self.opts, self.host
        problems = []
        if "storage" in o and o.get("stdout"):
            problems.append("cannot use options 'storage' and 'stdout' at the same time")
        if "storage" in o and "dumpdir" in o:
            problems.append("cannot use options 'storage' and 'dumpdir' at the same time")
        if problems:
            raise Die(" ".join(problems))
        if "dumpdir" in o:
            if not os.path.isdir(o["dumpdir"]):
                raise Die(f"dumpdir '{o['dumpdir']}' does not exist")
            return None, o["dumpdir"], None
        store = o.get("storage", "local")
        try:
            st = host.storage(store)
        except Die as e:
            raise Die(f"could not activate storage '{store}': {e.msg}")
        if "backup" not in st["content"]:
            raise Die(f"could not get storage information for '{store}': can't use storage "
                      f"'{store}' for backups - wrong content type")
        d = host.content_dir(store, "backup")
        os.makedirs(d, exist_ok=True)
        return store, d, st

    def run(self):
        o = self.opts
        if "tmpdir" in o and not os.path.isdir(o["tmpdir"]):
            raise Die(f"tmpdir '{o['tmpdir']}' does not exist")
        self.store, self.dumpdir, self.st = self.target()
        cmdline = "vzdump " + " ".join(str(v) for v in self.vmids)
        for k in sorted(o):
            if k not in ("vmid",):
                cmdline += f" --{k} {o[k]}"
        self.info(f"starting new backup job: {cmdline}")
        for vmid in self.vmids:
            self.backup(vmid)
        if self.errors:
            self.info("Backup job finished with errors")
            raise Die("job errors")
        self.info("Backup job finished successfully")

    def retention(self):
        if "prune-backups" in self.opts:
            return parse_retention(self.opts["prune-backups"])
        if self.st and self.st.get("prune-backups"):
            return parse_retention(self.st["prune-backups"])
        return {"keep-all": 1}

    def existing(self, vmid):
        """[(file, ctime, protected)] of this guest's backups in the dump dir."""
        from .pvesm import backup_info
        res = []
        for n in sorted(os.listdir(self.dumpdir)):
            info = backup_info(n)
            if info and info[0] == vmid and info[1] == "lxc":
                res.append((n, info[3], os.path.exists(os.path.join(self.dumpdir,
                                                                    n + ".protected"))))
        return res

    def backup(self, vmid):
        host = self.host
        start = time.time()
        c = host.read_conf(vmid)
        if c is None:
            self.info(f"Backup of VM {vmid} failed - unable to find VM '{vmid}'", "ERROR")
            self.info(f"Failed at {stamp(time.time())}")
            self.errors += 1
            return
        ts = time.strftime("%Y_%m_%d-%H_%M_%S", time.localtime(start))
        ext = EXT[str(self.opts.get("compress", "0"))]
        base = f"vzdump-lxc-{vmid}-{ts}"
        archive = os.path.join(self.dumpdir, f"{base}.{ext}")
        self.log = open(os.path.join(self.dumpdir, base + ".log"), "w", encoding="utf-8")
        locked = False
        try:
            self.info(f"Starting Backup of VM {vmid} (lxc)")
            self.raw(f"INFO: Backup started at {stamp(start)}")
            running = host.is_running(vmid)
            self.info(f"status = {'running' if running else 'stopped'}")
            host.check_lock(c)
            keep = self.retention()
            if not self.opts.get("remove", 1) and keep.get("keep-last") and \
                    len(self.existing(vmid)) >= keep["keep-last"]:
                raise Die(f"There is a max backup limit of {keep['keep-last']} enforced by the "
                          "target storage or the vzdump parameters. Either increase the limit "
                          "or delete old backups.")
            c.keys["lock"] = "backup"
            c.write()
            locked = True
            mode = self.opts.get("mode", "snapshot") if running else "stop"
            included, excludes = [], []
            if mode == "stop":
                self.info("backup mode: stop")
                self.bwlimit()
                self.info(f"ionice priority: {self.opts.get('ionice', 7)}")
                included = self.mountpoints(c, excludes)
            else:
                included = self.mountpoints(c, excludes)
                fallback = mode == "snapshot" and not all(
                    host.volume_storage_type(v) in SNAPSHOT_TYPES for v in included)
                if fallback:
                    self.info("mode failure - some volumes do not support snapshots")
                    self.info("trying 'suspend' mode instead")
                    mode = "suspend"
                self.info(f"backup mode: {mode}")
                self.bwlimit()
                self.info(f"ionice priority: {self.opts.get('ionice', 7)}")
                if fallback:
                    excludes.clear()
                    included = self.mountpoints(c, excludes)
            self.write_archive(vmid, c, mode, running, included, excludes, archive, base)
            if not self.opts.get("stdout"):
                self.finish(vmid, c, archive, keep)
            took = int(time.time() - start)
            self.info(f"Finished Backup of VM {vmid} "
                      f"({took // 3600:02d}:{took // 60 % 60:02d}:{took % 60:02d})")
            self.raw(f"INFO: Backup finished at {stamp(time.time())}")
        except Die as e:
            self.info(f"Backup of VM {vmid} failed - {e.msg}", "ERROR")
            self.info(f"Failed at {stamp(time.time())}")
            self.errors += 1
            for p in (archive + ".dat", archive):
                if os.path.exists(p) and not os.path.exists(p + ".protected"):
                    os.unlink(p)
        finally:
            if locked:
                c2 = host.read_conf(vmid)
                if c2 is not None and c2.keys.get("lock") == "backup":
                    del c2.keys["lock"]
                    c2.write()
            self.log.close()
            self.log = None

    def bwlimit(self):
        if self.opts.get("bwlimit"):
            self.info(f"bandwidth limit: {self.opts['bwlimit']} KiB/s")

    def mountpoints(self, c, excludes):
        """Print which mount points go into the backup; returns the included
        storage volumes, adds the excluded paths to `excludes`."""
        if "hostname" in c.keys:
            self.info(f"CT Name: {c.keys['hostname']}")
        vols = []
        for k, v in c.mountpoints():
            d = {p.split("=", 1)[0]: p.split("=", 1)[1] for p in v.split(",")[1:] if "=" in p}
            vol, mp = volume_of(v), ("/" if k == "rootfs" else d.get("mp", ""))
            if k == "rootfs":
                self.info(f"including mount point rootfs ('/') in backup")
            elif vol.startswith("/"):
                kind = "device" if vol.startswith("/dev/") else "bind"
                self.info(f"excluding {kind} mount point {k} ('{mp}') from backup (not a volume)")
                excludes.append("." + mp.rstrip("/"))
                continue
            elif parse_boolean(d.get("backup", "0")) == 1:
                self.info(f"including mount point {k} ('{mp}') in backup")
            else:
                self.info(f"excluding volume mount point {k} ('{mp}') from backup (disabled)")
                excludes.append("." + mp.rstrip("/"))
                continue
            if ":" in vol:
                vols.append(vol)
        return vols

    def write_archive(self, vmid, c, mode, running, included, excludes, archive, base):
        host = self.host
        snaps = []
        if mode == "snapshot":
            self.info("create storage snapshot 'vzdump'")
            for v in included:
                if host.volume_storage_type(v) in ("lvmthin", "lvm"):
                    snaps.append(f"snap_{v.split(':', 1)[1]}_vzdump")
                    self.raw(f'  Logical volume "{snaps[-1]}" created.')
        elif mode == "suspend":
            pid = host.pid(vmid) or 0
            self.info(f"starting first sync /proc/{pid}/root/ to {self.dumpdir}/{base}.tmp")
            self.info("first sync finished - transferred 0 bytes in 0s")
            self.info("suspending guest")
            host.suspend(vmid)
            self.info(f"starting final sync /proc/{pid}/root/ to {self.dumpdir}/{base}.tmp")
            self.info("final sync finished - transferred 0 bytes in 0s")
        elif running:
            self.info("stopping virtual guest")
            host.shutdown(vmid, int(self.opts.get("stopwait", 10)) * 60, True)
        stopped_at = time.time()
        try:
            self.tar(c, excludes, archive)
        finally:
            if mode == "suspend":
                self.info("resuming guest")
                host.resume(vmid)
                self.info(f"guest is online again after {int(time.time() - stopped_at)} seconds")
            elif mode == "stop" and running:
                self.info("restarting vm")
                host.start(vmid, c)
                self.info(f"guest is online again after {int(time.time() - stopped_at)} seconds")
        if snaps:
            self.info("cleanup temporary 'vzdump' snapshot")
            for s in snaps:
                self.raw(f'  Logical volume "{s}" successfully removed.')

    def tar(self, c, excludes, archive):
        host = self.host
        ext = EXT[str(self.opts.get("compress", "0"))]
        staging = tempfile.mkdtemp(prefix="vzdumptmp", dir=self.opts.get("tmpdir"))
        try:
            os.chmod(staging, 0o755)
            d = os.path.join(staging, "etc", "vzdump")
            os.makedirs(d)
            for p in (os.path.join(staging, "etc"), d):
                os.chmod(p, 0o755)
            saved = {k: c.keys.pop(k) for k in ("lock", "parent") if k in c.keys}
            with open(os.path.join(d, "pct.conf"), "w", encoding="utf-8") as f:
                f.write(c.text(extra=False))
            c.keys.update(saved)
            open(os.path.join(d, "pct.fw"), "w").close()
            for n in ("pct.conf", "pct.fw"):
                os.chmod(os.path.join(d, n), 0o644)
            argv = ["tar", "cpf", "-", "--totals", "--one-file-system", "-p", "--sparse",
                    "--numeric-owner"] + TAR_COMPRESS[ext] + ["--anchored"]
            pats = list(excludes)
            if self.opts.get("stdexcludes", 1):
                pats += STDEXCLUDES
            pats += [("." + p if p.startswith("/") else p)
                     for p in split_list(self.opts.get("exclude-path", "").replace("\0", ","))]
            argv += ["--wildcards"] + [f"--exclude={p}" for p in pats]
            argv += ["-C", staging, "./etc/vzdump/pct.conf", "./etc/vzdump/pct.fw"]
            rootfs = host.rootfs_dir(c)
            if rootfs:
                argv += ["-C", rootfs, "--no-anchored", "--exclude=lost+found", "."]
            if self.opts.get("stdout"):
                self.info("sending archive to stdout")
                sys.stdout.flush()
                dest_fd = os.dup(1)
            else:
                self.info(f"creating vzdump archive '{archive}'")
                dest_fd = os.open(archive + ".dat", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
            with tempfile.TemporaryFile() as errf:
                sys.stdout.flush()
                rc = host.run_tar(c, argv, None, dest_fd, errf.fileno())
                os.close(dest_fd)
                errf.seek(0)
                lines = errf.read().decode("utf-8", "replace").splitlines()
            for line in lines:
                self.info(line)
            if rc != 0:
                raise Die(f"command '{' '.join(argv)}' failed: exit code {rc}")
            if not self.opts.get("stdout"):
                os.replace(archive + ".dat", archive)
                self.info(f"archive file size: {human_size(os.path.getsize(archive))}")
        finally:
            shutil.rmtree(staging, ignore_errors=True)

    def finish(self, vmid, c, archive, keep):
        o = self.opts
        if "notes-template" in o:
            self.info("adding notes to backup")
            with open(archive + ".notes", "w", encoding="utf-8") as f:
                f.write(render_notes(o["notes-template"], self.host, vmid, c))
        if o.get("protected"):
            self.info("marking backup as protected")
            open(archive + ".protected", "w").close()
        if not o.get("remove", 1) or keep.get("keep-all"):
            return
        self.info("prune older backups with retention: " +
                  ", ".join(f"{k}={keep[k]}" for k in PRUNE_KEYS if keep.get(k)))
        marks = prune_marks(self.existing(vmid), keep)
        removed = 0
        for n, m in marks.items():
            if m != "remove":
                continue
            self.info(f"removing backup '{self.store}:backup/{n}'" if self.store
                      else f"removing backup '{os.path.join(self.dumpdir, n)}'")
            p = os.path.join(self.dumpdir, n)
            stem = re.sub(r"\.(tar|vma)(\.\w+)?$", "", p)
            for f in (p, p + ".notes", stem + ".log"):
                if os.path.exists(f):
                    os.unlink(f)
            removed += 1
        self.info(f"pruned {removed} backup(s)" +
                  (" not covered by keep-retention policy" if removed else ""))


def main(host, argv):
    if argv[:1] == ["help"]:
        err(f"USAGE: {USAGE}")
        raise Exit(0)
    check_root(host)
    opts = get_options(argv, getopt_spec(OPTIONS), ["vmid-list"], USAGE)
    validate(opts, {**OPTIONS, "vmid": VMID_LIST}, USAGE)
    errors = []
    for k in ("notes-template", "protected"):
        if k in opts and "storage" not in opts:
            errors.append(("storage", f"missing property required by '{k}'"))
    if "vmid" in opts:
        for k in ("all", "exclude", "pool"):
            if opts.get(k):
                errors.append((k, "option conflicts with option 'vmid'"))
    elif not (opts.get("all") or "pool" in opts or "exclude" in opts):
        errors.append(("vmid", "property is missing"))
    if errors:
        raise param_error(errors, USAGE)
    if "notes-template" in opts:
        try:
            check_notes_template(opts["notes-template"])
        except Die as e:
            e.usage = None
            raise
    if "pool" in opts:
        raise Die(f"pool '{opts['pool']}' does not exist")
    if "vmid" in opts:
        vmids = [int(v) for v in split_list(opts["vmid"])]
    else:
        skip = {int(v) for v in split_list(opts.get("exclude", ""))}
        vmids = [v for v in host.all_vmids() if v not in skip]
    if opts.get("stdout") and len(vmids) != 1:
        raise Die("you can only backup a single VM with option --stdout")
    if opts.get("node") not in (None, host.node):
        return
    quiet = opts.get("quiet")
    if quiet:
        devnull = os.open(os.devnull, os.O_WRONLY)
        sys.stdout.flush()
        os.dup2(devnull, 2)
        if not opts.get("stdout"):
            os.dup2(devnull, 1)
    with host.command_lock("vzdump", None, opts):
        try:
            Job(host, opts, vmids).run()
        except Die as e:
            err(e.msg)
            raise Exit(255)
