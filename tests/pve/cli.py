"""Command-line mechanics shared by every tool (pct.md §1).

Getopt::Long as PVE::JSONSchema::get_options configures it, CLIHandler's
command resolution and usage lines, the error objects and how they print,
foreground tasks and their exit codes, and the entry point `run`.
"""

import re
import sys


# --------------------------------------------------------------------------
# errors and output
# --------------------------------------------------------------------------

class Die(Exception):
    """A Perl `die`: message on stderr, non-zero exit."""

    def __init__(self, msg, code=255):
        super().__init__(msg)
        self.msg = msg
        self.code = code


class ParamExc(Die):
    """PVE::Exception with code 400 (parameter exception)."""

    def __init__(self, msg, errors=None, usage=None, pre=None):
        super().__init__(msg, 255)
        self.errors = errors or []      # list of (param, message)
        self.usage = usage
        self.pre = pre or []            # Getopt warnings printed before

    def render(self):
        text = "".join(w + "\n" for w in self.pre)
        text += "400 " + self.msg + "\n"
        for p, m in self.errors:
            text += f"{p}: {m}\n"
        if self.usage:
            text += self.usage + "\n"
        return text


def param_error(errors, usage=None):
    return ParamExc("Parameter verification failed.", errors=errors, usage=usage)


class Exit(Exception):
    """Leave with this exit code (the output was already printed)."""

    def __init__(self, code):
        super().__init__(code)
        self.code = code


def out(s=""):
    sys.stdout.write(s + "\n")


def err(s):
    sys.stdout.flush()
    sys.stderr.write(s + "\n")
    sys.stderr.flush()


def run_task(fn, upid_exit=True):
    """A foreground worker: fn prints its log on stdout; a failure prints
    the error (one line) on stderr and exits 255, or 0 for the commands
    without upid_exit."""
    try:
        return fn()
    except Die as e:
        err(e.msg.replace("\n", " ").strip())
        raise Exit(255 if upid_exit else 0)


# --------------------------------------------------------------------------
# Getopt::Long (prefix_pattern=(--|-), permute, auto_abbrev, ignore_case)
# --------------------------------------------------------------------------

OPTLIKE = re.compile(r"^(--|-).+", re.S)


def getopt(args, spec):
    """spec: name -> 'b' (boolean, optional value ':s'), 's' ('=s'),
    'l' (list, '=s@', joined with ','), 'a' ('=s@', joined with NUL).  Returns (opts, positionals, warnings)."""
    opts, pos, warns = {}, [], []
    canon = {n.lower(): n for n in spec}     # ignore_case
    names = sorted(canon)
    i = 0
    while i < len(args):
        a = args[i]
        i += 1
        if a == "--":
            pos.extend(args[i:])
            break
        m = re.match(r"^(--|-)(.+)$", a, re.S)
        if not m:
            pos.append(a)
            continue
        body = m.group(2)
        optarg = None
        k = body.find("=", 1)
        if k > 0:
            body, optarg = body[:k], body[k + 1:]
        name = body.lower()
        if name in canon:
            hit = name
        else:
            hits = [n for n in names if n.startswith(name)]
            if len(hits) == 1:
                hit = hits[0]
            elif hits:
                warns.append(f"Option {name} is ambiguous ({', '.join(hits)})")
                continue
            else:
                warns.append(f"Unknown option: {name}")
                continue
        hit = canon[hit]
        kind = spec[hit]
        if kind == "b":
            if optarg is not None:
                val = optarg
            elif i < len(args) and not (args[i] == "--" or OPTLIKE.match(args[i])):
                val = args[i]
                i += 1
            else:
                val = ""
        else:
            if optarg is not None:
                if optarg == "":
                    warns.append(f"Option {hit} requires an argument")
                    continue
                val = optarg
            elif i < len(args):
                val = args[i]
                i += 1
            else:
                warns.append(f"Option {hit} requires an argument")
                continue
        if kind in ("l", "a"):
            opts.setdefault(hit, []).append(val)
        else:
            opts[hit] = val
    return opts, pos, warns


def parse_boolean(v):
    lv = str(v).lower()
    if lv in ("1", "on", "yes", "true"):
        return 1
    if lv in ("0", "off", "no", "false"):
        return 0
    return None


def get_options(args, spec, arg_param, usage):
    """PVE::JSONSchema::get_options: getopt, positionals, booleans, lists.
    A positional named `extra-args` takes the rest; `vmid-list` (vzdump)
    takes every positional, joined with commas."""
    opts, pos, warns = getopt(args, spec)
    if warns:
        raise ParamExc("unable to parse option", usage=usage, pre=warns)
    for name in arg_param:
        if name == "extra-args":
            opts[name] = pos
            pos = []
            break
        if name == "vmid-list":
            if pos:
                opts["vmid"] = ",".join(pos)
            pos = []
            break
        if not pos:
            raise ParamExc("not enough arguments", usage=usage)
        opts[name] = pos.pop(0)
    if pos:
        raise ParamExc("too many arguments", usage=usage)
    for k, kind in spec.items():
        if k not in opts:
            continue
        if kind == "b":
            if opts[k] == "":
                opts[k] = 1
            else:
                b = parse_boolean(opts[k])
                if b is None:
                    raise ParamExc("unable to parse boolean option", usage=usage)
                opts[k] = b
        elif kind == "l":
            opts[k] = ",".join(opts[k])
        elif kind == "a":
            opts[k] = "\0".join(opts[k])
    return opts


# --------------------------------------------------------------------------
# CLIHandler: command tables, usage, resolution
# --------------------------------------------------------------------------

def usage_line(exe, cmd, positionals, schema):
    s = f"{exe} {cmd}" if cmd else exe
    for p in positionals:
        if p == "extra-args":
            s += " [<extra-args>]"
        elif p == "vmid-list":
            s += " {<vmid>}"
        else:
            s += f" <{p}>"
    if [k for k in schema if k not in positionals]:
        s += " [OPTIONS]"
    return s


def print_usage_short(exe, table, msg):
    lines = [f"ERROR: {msg}", f"USAGE: {exe} <COMMAND> [ARGS] [OPTIONS]"]
    for c in sorted(table):
        pos, schema = table[c]
        lines.append("       " + usage_line(exe, c, pos, schema))
    err("\n".join(lines))


def resolve_quiet(table, argv):
    """The command named by argv[0] (unique prefixes expand), or None."""
    if not argv:
        return None
    if argv[0] in table:
        return argv[0]
    hits = [c for c in table if c.startswith(argv[0])]
    return hits[0] if len(hits) == 1 else None


def resolve_cmd(exe, table, argv):
    """Unknown or missing command: short usage on stderr, exit 255."""
    if not argv:
        print_usage_short(exe, table, "no command specified")
        raise Exit(255)
    cmd = resolve_quiet(table, argv)
    if cmd is None:
        print_usage_short(exe, table, f"unknown command '{exe} {argv[0]}'")
        raise Exit(255)
    return cmd


def parse_cmd(exe, cmd, table, args):
    """Parse and validate the arguments of one command: (opts, usage)."""
    from . import schema as sch
    positionals, schema = table[cmd]
    usage = usage_line(exe, cmd, positionals, schema)
    spec = sch.getopt_spec({k: v for k, v in schema.items() if k not in positionals})
    opts = get_options(args, spec, positionals, usage)
    full = dict(schema)
    if "vmid" in positionals:
        full["vmid"] = sch.VMID
    sch.validate(opts, full, usage)
    return opts, usage


# --------------------------------------------------------------------------
# entry point
# --------------------------------------------------------------------------

TOOLS = ("pct", "pveam", "pvesh", "pvesm", "vzdump")


def run(prog, host, argv):
    """Run tool `prog` (pct, pveam, pvesh, pvesm, vzdump) against `host`;
    returns the exit code."""
    try:
        if prog not in TOOLS:
            raise Die(f"unknown program name '{prog}'", 99)
        import importlib
        mod = importlib.import_module(f"{__package__}.{prog}")
        mod.main(host, argv)
        return 0
    except Exit as e:
        return e.code
    except ParamExc as e:
        sys.stdout.flush()
        sys.stderr.write(e.render())
        return e.code
    except Die as e:
        err(e.msg)
        return e.code
    finally:
        sys.stdout.flush()


def check_root(host):
    if not host.is_root():
        raise Die("please run as root")


def main_table(host, exe, table, argv, handlers, before=None):
    """The usual sub-command CLI: resolve, root check, parse, lock, handle.
    handlers: cmd -> fn(host, opts, usage)."""
    cmd = resolve_cmd(exe, table, argv)
    check_root(host)
    opts, usage = parse_cmd(exe, cmd, table, argv[1:])
    fn = handlers.get(cmd)
    if fn is None:
        raise Die(f"{host.NAME}: '{exe} {cmd}' is not implemented by the fake")
    with host.command_lock(exe, cmd, opts):
        fn(host, opts, usage)
