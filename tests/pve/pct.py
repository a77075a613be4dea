"""`pct` (pct.md §2, §11.2)."""

import os
import re
import subprocess
import hashlib

from .cli import Die, Exit, err, main_table, out, param_error, run_task
from .config import encode_text
from .schema import (BOOL, CREATE_ONLY, CT_OPTIONS, INT_KEYS, BOOL_KEYS, S, SET_ONLY,
                     fmt_volid_or_path, is_storage_volume, norm_net, norm_scalar,
                     parse_size, prop_dict, split_list, volume_of)

CREATE_SCHEMA = {**CT_OPTIONS, **CREATE_ONLY,
                 "ostemplate": S("string", maxLength=255, format=fmt_volid_or_path)}

# pct command table: name -> (positionals, options schema)
COMMANDS = {
    "list": ([], {}),
    "config": (["vmid"], {"current": BOOL, "snapshot": S("string")}),
    "pending": (["vmid"], {}),
    "set": (["vmid"], {**CT_OPTIONS, **SET_ONLY}),
    "resize": (["vmid", "disk", "size"], {"digest": S("string")}),
    "create": (["vmid", "ostemplate"], CREATE_SCHEMA),
    "restore": (["vmid", "ostemplate"],
                {k: v for k, v in CREATE_SCHEMA.items() if k != "restore"}),
    "destroy": (["vmid"], {"force": BOOL, "purge": BOOL, "destroy-unreferenced-disks": BOOL}),
    "start": (["vmid"], {"skiplock": BOOL, "debug": BOOL}),
    "stop": (["vmid"], {"skiplock": BOOL, "overrule-shutdown": BOOL}),
    "shutdown": (["vmid"], {"timeout": S("integer", minimum=0), "forceStop": BOOL}),
    "reboot": (["vmid"], {"timeout": S("integer", minimum=0)}),
    "suspend": (["vmid"], {}),
    "resume": (["vmid"], {}),
    "clone": (["vmid", "newid"], {}),
    "migrate": (["vmid", "target"], {}),
    "move-volume": (["vmid", "volume", "storage", "target-vmid", "target-volume"], {}),
    "move_volume": (["vmid", "volume", "storage", "target-vmid", "target-volume"], {}),
    "remote-migrate": (["vmid", "target-vmid", "target-endpoint"], {}),
    "snapshot": (["vmid", "snapname"], {}),
    "delsnapshot": (["vmid", "snapname"], {}),
    "rollback": (["vmid", "snapname"], {}),
    "listsnapshot": (["vmid"], {}),
    "template": (["vmid"], {}),
    "status": (["vmid"], {"verbose": BOOL}),
    "console": (["vmid"], {}),
    "enter": (["vmid"], {"keep-env": BOOL}),
    "exec": (["vmid", "extra-args"], {"keep-env": BOOL}),
    "unlock": (["vmid"], {}),
    "fsck": (["vmid"], {}),
    "mount": (["vmid"], {}),
    "unmount": (["vmid"], {}),
    "push": (["vmid", "file", "destination"], {}),
    "pull": (["vmid", "path", "destination"], {}),
    "df": (["vmid"], {}),
    "fstrim": (["vmid"], {}),
    "rescan": ([], {}),
    "cpusets": ([], {}),
    "help": (["extra-args"], {}),
}

# create options that are not stored in the config
NOT_STORED = {"vmid", "ostemplate", "rootfs", "storage", "password", "ssh-public-keys", "start",
              "unique", "restore", "force", "pool", "ignore-unpack-errors", "bwlimit",
              "ha-managed", "description"}


def vmid_of(opts):
    return int(opts["vmid"])


def exec_wants_stdin(argv):
    """Is this `pct exec <id> ... -- bash|sh ... -s ...` (a script on stdin)?"""
    from .cli import parse_cmd, resolve_quiet
    try:
        if resolve_quiet(COMMANDS, argv) != "exec":
            return False
        opts, _ = parse_cmd("pct", "exec", COMMANDS, argv[1:])
    except (Die, Exit):
        return False
    extra = opts.get("extra-args") or []
    return bool(extra) and os.path.basename(extra[0]) in ("bash", "sh") and \
        "-s" in extra[1:] and "-c" not in extra[1:]


# --------------------------------------------------------------------------
# reading
# --------------------------------------------------------------------------

def cmd_list(host, opts, usage):
    rows = []
    for vmid in host.all_vmids():
        c = host.read_conf(vmid)
        if c is None:
            continue
        rows.append((str(vmid), "running" if host.is_running(vmid) else "stopped",
                     c.keys.get("lock", ""), c.name()))
    if not rows:
        return
    out("%-10s %-10s %-12s %-20s" % ("VMID", "Status", "Lock", "Name"))
    for r in rows:
        out("%-10s %-10s %-12s %-20s" % r)


def cmd_config(host, opts, usage):
    vmid = vmid_of(opts)
    c = host.load_conf(vmid)
    if opts.get("snapshot") is not None:
        if opts.get("current"):
            raise param_error([("current", "can't use together with 'snapshot'")])
        raise Die(f"snapshot '{opts['snapshot']}' does not exist")
    keys = dict(c.keys)
    if c.description is not None:
        keys["description"] = encode_text(c.description)
    for k in sorted(keys):
        out(f"{k}: {keys[k]}")
    for k, v in c.lxc:
        out(f"{k}: {v}")


def status_fields(host, vmid, c):
    """The object of `pct status --verbose` / GET …/status/current."""
    running = host.is_running(vmid)
    mem = int(c.keys.get("memory", 512))
    swap = int(c.keys.get("swap", 0))
    m = re.search(r"size=([^,]+)", c.keys.get("rootfs", ""))
    maxdisk = parse_size(m.group(1)) if m else 4 << 30
    f = {
        "cpus": int(c.keys.get("cores", host.default_cpus())), "disk": 0, "diskread": 0,
        "diskwrite": 0, "maxdisk": maxdisk, "maxmem": mem << 20, "maxswap": swap << 20,
        "mem": 0, "name": c.name(), "netin": 0, "netout": 0,
        "status": "running" if running else "stopped",
        "swap": 0, "type": "lxc", "uptime": 0, "vmid": vmid,
    }
    if running:
        pid = host.pid(vmid)
        if pid:
            f["pid"] = pid
        f["uptime"] = host.uptime(vmid)
    for k in ("lock", "tags"):
        if k in c.keys:
            f[k] = c.keys[k]
    if c.keys.get("template") == "1":
        f["template"] = 1
    return f


def cmd_status(host, opts, usage):
    vmid = vmid_of(opts)
    c = host.load_conf(vmid)
    if opts.get("verbose"):
        for k, v in sorted(status_fields(host, vmid, c).items()):
            out(f"{k}: {v}")
    else:
        out("status: " + ("running" if host.is_running(vmid) else "stopped"))


def api_config(host, vmid):
    """GET /nodes/<node>/lxc/<vmid>/config."""
    c = host.load_conf(vmid)
    result = dict(c.keys)
    for k in BOOL_KEYS | INT_KEYS:
        if k in result and re.fullmatch(r"-?\d+", result[k]):
            result[k] = int(result[k])
    if c.description is not None:
        result["description"] = c.description
    if c.lxc:
        result["lxc"] = [[k, v] for k, v in c.lxc]
    result["digest"] = c.digest()
    return result


# --------------------------------------------------------------------------
# create and restore
# --------------------------------------------------------------------------

def read_ssh_keys(opts):
    """CLI mapping: --ssh-public-keys is a file path pct reads."""
    if "ssh-public-keys" not in opts:
        return None
    path = opts["ssh-public-keys"]
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return f.read()
    except OSError as e:
        raise Die(f"can't open '{path}' - {e.strerror}")


def check_ssh_keys(text):
    for line in text.split("\n"):
        if re.fullmatch(r"\s*(#.*)?", line):
            continue
        if not re.search(r"(^|\s)(ssh-(rsa|dss|ed25519)|ecdsa-sha2-nistp(256|384|521)|"
                         r"sk-(ssh-ed25519|ecdsa-sha2-nistp256)@openssh\.com)"
                         r"\s+[A-Za-z0-9+/]+={0,3}(\s|$)", line):
            raise Die("SSH public key validation error")


def archive_volume(host, volid, content):
    """An ostemplate / backup argument: (real file, shown path)."""
    if volid.startswith("/"):
        return volid, volid
    store, _, volname = volid.partition(":")
    if store not in host.storages():
        raise Die(f"storage '{store}' does not exist")
    m = re.fullmatch(r"(\w+)/(.+)", volname)
    if not m:
        raise Die(f"unable to parse directory volume name '{volname}'")
    if m.group(1) != content:
        raise Die(f"unable to use volume {volid} - content type needs to be '{content}'")
    return (os.path.join(host.content_dir(store, content), m.group(2)),
            host.show_path(store, content, m.group(2)))


def check_archive(archive, shown):
    if not os.path.isfile(archive):
        out(f"tar: {shown}: Cannot open: No such file or directory")
        out("tar: Error is not recoverable: exiting now")
        raise Die("command 'tar xpf - --totals --one-file-system -p --sparse --numeric-owner "
                  "--acls --xattrs -C /var/lib/lxc/rootfs --skip-old-files --anchored "
                  "--exclude './dev/*'' failed: exit code 2")


def check_vmid_free(host, vmid):
    if host.read_conf(vmid) is not None:
        raise Die(f"CT {vmid} already exists on node '{host.node}'")
    if vmid in host.used_vmids():
        raise Die(f"VM {vmid} already exists on node '{host.node}'")


def store_options(c, vmid, opts, skip, salt=None):
    for k, v in opts.items():
        if k in skip or re.fullmatch(r"unused\d+|mp\d+", k):
            continue
        if re.fullmatch(r"net\d+", k):
            c.keys[k] = norm_net(vmid, k, v, salt)
        else:
            c.keys[k] = norm_scalar(k, v)
    if "description" in opts:
        c.description = opts["description"]


def finish_config(c, vmid):
    c.keys.setdefault("hostname", f"CT{vmid}")
    c.keys.setdefault("memory", "512")
    c.keys.setdefault("swap", "512")


def cmd_create(host, opts, usage):
    if opts.get("restore"):
        return restore(host, opts, usage)
    if opts.get("unique") is not None:
        raise param_error([("restore", "missing property required by 'unique'")], usage)
    vmid = vmid_of(opts)
    keys_text = read_ssh_keys(opts)
    check_vmid_free(host, vmid)
    if keys_text is not None:
        check_ssh_keys(keys_text)
    if opts["ostemplate"] == "-":
        raise Die("restore from pipe requires rootfs parameter")
    tpl_file, tpl_show = archive_volume(host, opts["ostemplate"], "vztmpl")
    mps = sorted((k for k in opts if re.fullmatch(r"mp\d+", k)), key=lambda x: int(x[2:]))
    if mps and "rootfs" not in opts:
        raise Die("mount points configured, but 'rootfs' not set - aborting")
    storage = opts.get("storage", "local")
    c = host.new_conf(vmid)
    task_errors, new_vols = [], []
    for k in ["rootfs"] + mps:
        value, vol, size = host.alloc_mountpoint(c, vmid, k, opts.get(k, f"{storage}:4"),
                                                 storage, task_errors)
        c.keys[k] = value
        if vol:
            new_vols.append((vol, size))
    store_options(c, vmid, opts, NOT_STORED)
    c.keys.pop("unprivileged", None)
    if opts.get("unprivileged", 1):
        c.keys["unprivileged"] = "1"
    c.keys["lock"] = "create"
    c.write()

    def task():
        try:
            for what in task_errors:
                raise Die(what)
            check_bind_sources(host, c)
            for vol, size in new_vols:
                host.alloc_volume(vol, size, c)
            out(f"extracting archive '{tpl_show}'")
            check_archive(tpl_file, tpl_show)
            detected = host.extract(vmid, c, tpl_file, tpl_show)
            base = os.path.basename(tpl_file)
            am = re.search(r"_(amd64|i386|arm64|armhf|riscv32|riscv64)\.tar", base)
            out(f"Detected container architecture: {am.group(1) if am else 'amd64'}")
            c.keys.setdefault("arch", am.group(1) if am else "amd64")
            if "ostype" not in c.keys:
                om = re.match(r"(debian|devuan|ubuntu|centos|fedora|opensuse|archlinux|alpine|"
                              r"gentoo|nixos)", base)
                c.keys["ostype"] = detected or (om.group(1) if om else "unmanaged")
            finish_config(c, vmid)
            for t in host.host_keys(c):
                out(f"Creating SSH host key 'ssh_host_{t}_key' - this may take some time ...")
                h = hashlib.sha256(f"{vmid}{t}".encode()).hexdigest()[:43]
                out(f"done: SHA256:{h} root@{c.keys['hostname']}")
            host.post_create(vmid, c, keys_text)
            del c.keys["lock"]
            c.write()
        except Die as e:
            for vol, _ in new_vols:
                host.free_volume(vol)
            host.remove_conf(vmid)
            raise Die(f"unable to create CT {vmid} - {e.msg}")
        if opts.get("start"):
            nested_start(host, vmid)

    run_task(task)


def nested_start(host, vmid):
    """--start 1: a nested task whose result create/restore do not check."""
    try:
        start_task(host, vmid, {})
    except Die as e:
        err(e.msg)


def check_bind_sources(host, c):
    for src in c.bind_sources():
        e = host.bind_source_error(src)
        if e:
            raise Die(e)


def cmd_restore(host, opts, usage):
    restore(host, opts, usage)


def backup_config(archive):
    """The ./etc/vzdump/pct.conf text of a backup archive, or None."""
    r = subprocess.run(["tar", "-xOf", archive, "./etc/vzdump/pct.conf"],
                       capture_output=True)
    return r.stdout.decode("utf-8", "replace") if r.returncode == 0 else None


def restore(host, opts, usage):
    """pct restore / pct create --restore 1 (pct.md §11.2)."""
    from .config import Conf
    vmid = vmid_of(opts)
    volid = opts["ostemplate"]
    old = host.read_conf(vmid)
    if old is not None:
        if not opts.get("force"):
            raise Die(f"CT {vmid} already exists on node '{host.node}'")
        if host.is_running(vmid):
            raise Die("can't overwrite running container")
        if old.is_true("protection"):
            raise Die(f"unable to restore CT {vmid} - protection mode enabled")
        if old.keys.get("lock"):
            raise Die(f"unable to restore CT {vmid} - CT is locked ({old.keys['lock']})")
    elif vmid in host.used_vmids():
        raise Die(f"VM {vmid} already exists on node '{host.node}'")
    keys_text = read_ssh_keys(opts)
    if keys_text is not None:
        check_ssh_keys(keys_text)
    if volid == "-":
        if "rootfs" not in opts:
            raise Die("restore from pipe requires rootfs parameter")
        raise Die(f"{host.NAME}: restore from a pipe is not implemented")
    archive, shown = archive_volume(host, volid, "backup")
    storage = opts.get("storage", "local")
    given = ["rootfs"] + sorted((k for k in opts if re.fullmatch(r"mp\d+", k)),
                                key=lambda x: int(x[2:])) if "rootfs" in opts else []
    if not given:
        host.check_disk_storage(storage, usage)
    # the config file of an existing CT is kept, locked, until the task
    if old is not None:
        old.keys["lock"] = "create"
        old.write()
    else:
        c0 = host.new_conf(vmid)
        c0.keys["lock"] = "create"
        c0.write()

    def task():
        new_vols, freed_old = [], False
        try:
            if not os.path.isfile(archive):
                raise Die(f"can't find file '{archive}'")
            if not volid.startswith("/"):
                out(f"recovering backed-up configuration from '{volid}'")
            text = backup_config(archive)
            if text is None:
                raise Die("ERROR: archive contains no configuration file")
            bak = Conf.parse(vmid, text)
            c = host.new_conf(vmid)
            task_errors = []
            taken = set()
            if old is not None:
                for v in old.keys.values():
                    taken |= {int(m) for m in re.findall(rf"vm-{vmid}-disk-(\d+)", v)}
            if given:
                wanted = [(k, opts[k]) for k in given]
            else:
                wanted = []
                for k, v in bak.mountpoints():
                    vol = volume_of(v)
                    if k == "rootfs" and vol.startswith("/"):
                        raise Die("restoring rootfs to bind mount is only possible by "
                                  "specifying -rootfs manually!")
                    if vol.startswith("/"):
                        c.keys[k] = v
                        continue
                    size = parse_size(prop_dict(v, "volume").get("size", ""))
                    if not size:
                        raise Die("unable to detect disk size - please specify mpN (size)")
                    rest = [p for p in v.split(",")[1:] if not p.startswith("size=")]
                    gib = f"{size / (1 << 30):.6f}".rstrip("0").rstrip(".")
                    wanted.append((k, ",".join([f"{storage}:{gib}"] + rest)))
            for k, v in wanted:
                value, vol, size = host.alloc_mountpoint(c, vmid, k, v, storage, task_errors,
                                                         taken)
                c.keys[k] = value
                if vol:
                    taken.add(int(vol.rsplit("-", 1)[1]))
                    new_vols.append((vol, size))
            for what in task_errors:
                raise Die(what)
            unpriv = opts.get("unprivileged")
            if unpriv is None:
                unpriv = 1 if bak.is_true("unprivileged") else 0
            if unpriv:
                c.keys["unprivileged"] = "1"
            for vol, size in new_vols:
                host.alloc_volume(vol, size, c)
            if old is not None:
                free_volumes(host, old)
                freed_old = True
            out(f"restoring '{volid}' now..")
            out(f"extracting archive '{shown}'")
            host.extract(vmid, c, archive, shown)
            out("merging backed-up and given configuration..")
            skip = re.compile(r"rootfs|mp\d+|unused\d+|unprivileged|parent|template|digest|"
                              r"lock|snaptime|snapstate")
            for k, v in bak.keys.items():
                if not skip.fullmatch(k) and k not in opts:
                    c.keys[k] = v
            if "description" not in opts:
                c.description = bak.description
            c.lxc = list(bak.lxc)
            store_options(c, vmid, opts, NOT_STORED)
            if opts.get("unique"):
                for k in [k for k in c.keys if re.fullmatch(r"net\d+", k)]:
                    c.keys[k] = norm_net(vmid, k, c.keys[k], salt=os.urandom(8).hex())
            finish_config(c, vmid)
            host.post_create(vmid, c, None)
            c.write()
        except Die as e:
            for vol, _ in new_vols:
                host.free_volume(vol)
            if old is not None and not freed_old:
                old.keys.pop("lock", None)
                old.write()
            else:
                host.remove_conf(vmid)
            raise Die(f"unable to restore CT {vmid} - {e.msg}")
        if opts.get("start"):
            nested_start(host, vmid)

    run_task(task)


def free_volumes(host, c):
    for k in sorted(c.keys):
        if re.fullmatch(r"rootfs|mp\d+|unused\d+", k):
            vol = volume_of(c.keys[k])
            if is_storage_volume(vol):
                host.free_volume(vol)
                if host.volume_storage_type(vol) in ("lvmthin", "lvm"):
                    out(f'  Logical volume "{vol.split(":", 1)[1]}" successfully removed.')


# --------------------------------------------------------------------------
# set
# --------------------------------------------------------------------------

def cmd_set(host, opts, usage):
    vmid = vmid_of(opts)
    changes = {k: v for k, v in opts.items() if k not in ("vmid", "delete", "revert", "digest")}
    deletes = split_list(opts.get("delete", ""))
    reverts = split_list(opts.get("revert", ""))
    if not changes and not deletes and not reverts:
        raise Die("no options specified")
    errors = []
    for k in deletes + reverts:
        if k not in CT_OPTIONS:
            errors.append(("delete" if k in deletes else "revert", f"unknown option '{k}'"))
        elif k in changes:
            errors.append(("delete", f"you can't use '-{k}' and -delete {k}' at the same time"))
    if errors:
        raise param_error(errors, usage)
    c = host.load_conf(vmid)
    if "digest" in opts and c.digest() != opts["digest"]:
        raise Die("detected modified configuration - file changed by other user? Try again.")
    host.check_lock(c)
    protected = c.is_true("protection")
    for k in deletes:
        if k == "unprivileged":
            raise Die("unable to delete read-only option: 'unprivileged'")
        if k in ("memory", "rootfs", "ostype"):
            raise Die(f"unable to delete required option '{k}'")
        if protected and re.fullmatch(r"rootfs|mp\d+|unused\d+", k):
            raise Die(f"can't remove CT {vmid} drive '{k}' - protection mode enabled")
        if k == "description":
            if c.description is None:
                err(f"cannot delete '{k}' - not set in current configuration!")
            c.description = None
            continue
        if k not in c.keys:
            err(f"cannot delete '{k}' - not set in current configuration!")
            continue
        old = c.keys.pop(k)
        if re.fullmatch(r"mp\d+", k):
            vol = volume_of(old)
            if not vol.startswith("/"):
                n = 0
                while f"unused{n}" in c.keys:
                    n += 1
                c.keys[f"unused{n}"] = vol
        elif re.fullmatch(r"unused\d+", k):
            host.free_volume(old)
    task_errors, new_vols = [], []
    for k in sorted(changes):
        v = changes[k]
        if k == "unprivileged":
            raise Die("unable to modify read-only option: 'unprivileged'")
        if protected and re.fullmatch(r"rootfs|mp\d+|unused\d+", k):
            raise Die(f"can't update CT {vmid} drive '{k}' - protection mode enabled")
        if k == "description":
            c.description = v
        elif re.fullmatch(r"net\d+", k):
            c.keys[k] = norm_net(vmid, k, v)
        elif re.fullmatch(r"rootfs|mp\d+", k):
            value, vol, size = host.alloc_mountpoint(c, vmid, k, v, "local", task_errors)
            c.keys[k] = value
            if vol:
                new_vols.append((vol, size))
        else:
            c.keys[k] = norm_scalar(k, v)
    for what in task_errors:
        raise Die(what)
    for vol, size in new_vols:
        host.alloc_volume(vol, size, c)
    c.write()


# --------------------------------------------------------------------------
# power
# --------------------------------------------------------------------------

def start_task(host, vmid, opts):
    c = host.load_conf(vmid)
    if c.keys.get("template") == "1":
        raise Die("you can't start a CT if it's a template")
    if not opts.get("skiplock"):
        host.check_lock(c, allow_mounted=True)
    for src in c.bind_sources():
        e = host.bind_source_error(src)
        if e:
            out(e)
            out(f'lxc_init: 845 Failed to run lxc.hook.pre-start for container "{vmid}"')
            out(f'__lxc_start: 2034 Failed to initialize container "{vmid}"')
            raise Die(f"startup for container '{vmid}' failed")
    host.start(vmid, c)


def cmd_start(host, opts, usage):
    vmid = vmid_of(opts)
    if host.is_running(vmid):
        raise Die(f"CT {vmid} already running")
    run_task(lambda: start_task(host, vmid, opts))


def cmd_stop(host, opts, usage):
    vmid = vmid_of(opts)
    if not host.is_running(vmid):
        raise Die(f"CT {vmid} not running")

    def task():
        c = host.load_conf(vmid)
        if not opts.get("skiplock"):
            host.check_lock(c, allow_mounted=True)
        host.stop(vmid)

    run_task(task)


def cmd_shutdown(host, opts, usage):
    vmid = vmid_of(opts)
    if not host.is_running(vmid):
        raise Die(f"CT {vmid} not running")

    def task():
        host.check_lock(host.load_conf(vmid))
        if not host.shutdown(vmid, int(opts.get("timeout", 60)), bool(opts.get("forceStop"))):
            raise Die("container did not stop")

    run_task(task)


def cmd_reboot(host, opts, usage):
    vmid = vmid_of(opts)
    if not host.is_running(vmid):
        raise Die(f"VM {vmid} not running")

    def task():
        host.check_lock(host.load_conf(vmid))
        host.shutdown(vmid, int(opts.get("timeout", 60)), True)
        start_task(host, vmid, {})

    run_task(task)


def cmd_destroy(host, opts, usage):
    vmid = vmid_of(opts)
    c = host.load_conf(vmid)
    if c.is_true("protection"):
        raise Die(f"can't remove CT {vmid} - protection mode enabled")
    host.check_lock(c)
    if host.is_running(vmid) and not opts.get("force"):
        raise Die(f"unable to destroy CT {vmid} - container is running")

    def task():
        if host.is_running(vmid):
            out(f"forced to stop CT {vmid} before destroying!")
            host.stop(vmid)
        c.keys["lock"] = "destroyed"
        c.write()
        free_volumes(host, c)
        host.destroy_ct(vmid)
        host.remove_conf(vmid)

    run_task(task)


# --------------------------------------------------------------------------
# inside the container
# --------------------------------------------------------------------------

def cmd_exec(host, opts, usage):
    vmid = vmid_of(opts)
    host.load_conf(vmid)
    if not host.is_running(vmid):
        raise Die(f"container '{vmid}' not running!")
    cmd = opts.get("extra-args") or []
    if not cmd:
        raise Die("missing command at /usr/share/perl5/PVE/CLI/pct.pm line 232.")
    raise Exit(host.exec(vmid, opts.get("keep-env", 1), cmd, host.stdin_data))


def cmd_enter(host, opts, usage):
    vmid = vmid_of(opts)
    host.load_conf(vmid)
    if not host.is_running(vmid):
        raise Die(f"container '{vmid}' not running!")
    host.enter(vmid, opts.get("keep-env", 1))


def cmd_unlock(host, opts, usage):
    vmid = vmid_of(opts)
    c = host.load_conf(vmid)
    if "lock" not in c.keys:
        raise Die("no lock found trying to remove any lock")
    del c.keys["lock"]
    c.write()


HANDLERS = {
    "list": cmd_list, "config": cmd_config, "status": cmd_status, "create": cmd_create,
    "restore": cmd_restore, "set": cmd_set, "start": cmd_start, "stop": cmd_stop,
    "shutdown": cmd_shutdown, "reboot": cmd_reboot, "destroy": cmd_destroy,
    "exec": cmd_exec, "enter": cmd_enter, "unlock": cmd_unlock,
}


def main(host, argv):
    main_table(host, "pct", COMMANDS, argv, HANDLERS)
