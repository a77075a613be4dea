#!/usr/bin/env bash
# Benchmark: what one `git lxc rebuild NAME --yes` of an existing Alpine
# container costs git-lxc itself, against the fake host tools.
#
# Prints the number of host-tool calls of one rebuild (from the fakes'
# calls.jsonl) and, over N rebuilds, git-lxc's own CPU time (user + system of
# the git-lxc process and its threads, children excluded) next to the CPU
# time of its children (bash for settings and hooks, git, the fakes).
#
# How the own CPU time is measured: the runner starts git-lxc, waits for it
# to exit with waitid(WNOWAIT) so it stays a zombie, reads utime and stime
# (fields 14 and 15) of /proc/<pid>/stat, which count the process's own
# threads only (children are in cutime/cstime, fields 16 and 17), then reaps
# it. Ticks are 1/CLK_TCK s (usually 10 ms), so the mean over many runs is
# what counts, not a single run.
#
# Usage: benches/rebuild_cpu.sh [runs]   (builds the release binary first)
set -euo pipefail
runs=${1:-20}
top=$(cd "$(dirname "$0")/.." && pwd)
cargo build --release --quiet --manifest-path "$top/Cargo.toml"
bin_lxc=$top/target/release/git-lxc
work=$(mktemp -d /tmp/git-lxc-bench-rebuild.XXXXXX)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/bin" "$work/state/templates/local" "$work/repo" "$work/home"
for t in pct pveam pvesh sudo lxc-info lxc-ls; do ln -s "$top/tests/fakes/fakehost.py" "$work/bin/$t"; done
printf '{"state": "%s"}\n' "$work/state" > "$work/bin/fakehost.json"
touch "$work/state/templates/local/alpine-3.22-default_20250617_amd64.tar.xz"

cd "$work/repo"
git init -q -b main
export GIT_AUTHOR_NAME=bench GIT_AUTHOR_EMAIL=bench@example.com GIT_COMMITTER_NAME=bench GIT_COMMITTER_EMAIL=bench@example.com
printf '.env\ndata/\n' > .gitignore
printf 'OPT_DOMAIN=lan\nTIMEZONE=UTC\n' > defaults
for c in web db cache; do
    mkdir -p "$c/conf" "$c/bin"
    printf 'APP=%s\nOPT_RAM=256\nAPP_PORT=8080\nHOOK_preBuild() { :; }\n' "$c" > "$c/configSettings"
    printf '#!/bin/bash\nset -e\npackage common\npackage install\npersist ssh /etc/ssh\n' > "$c/build-target.sh"
    echo "listen 8080" > "$c/conf/app.conf"
    printf '#!/bin/sh\necho hi\n' > "$c/bin/hello"
    printf 'DB_PASSWORD=bench-secret-1234\n' > "$c/.env"
done
git add -A && git commit -qm "three containers"

runner() {
    env -i PATH="$work/bin:/usr/bin:/bin" HOME="$work/home" LANG=C.UTF-8 \
        GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1 \
        GIT_LXC_PVE_DIR="$work/state/pve" GIT_LXC_IP_TIMEOUT=2 \
        python3 - "$bin_lxc" "$@" <<'PY'
import os, sys
pid = os.fork()
if pid == 0:
    fd = os.open(os.devnull, os.O_WRONLY)
    os.dup2(fd, 1); os.dup2(fd, 2)
    os.execv(sys.argv[1], [sys.argv[1]] + sys.argv[2:])
info = os.waitid(os.P_PID, pid, os.WEXITED | os.WNOWAIT)
with open(f"/proc/{pid}/stat") as f:
    fields = f.read().rsplit(")", 1)[1].split()
# fields[0] is field 3 (state): utime is field 14, stime 15, cutime 16, cstime 17.
utime, stime, cutime, cstime = (int(x) for x in fields[11:15])
_, status = os.waitpid(pid, 0)
tck = os.sysconf("SC_CLK_TCK")
print(f"{(utime + stime) / tck:.4f} {(cutime + cstime) / tck:.4f} {os.waitstatus_to_exitcode(status)}")
PY
}

first=$(runner build web)
[ "${first##* }" = 0 ] || { echo "first build failed" >&2; exit 1; }
: > "$work/state/calls.jsonl"
one=$(runner rebuild web --yes)
[ "${one##* }" = 0 ] || { echo "rebuild failed" >&2; exit 1; }
calls=$(wc -l < "$work/state/calls.jsonl")
echo "host-tool calls in one rebuild of an existing Alpine container: $calls"
python3 - "$work/state/calls.jsonl" <<'PY'
import json, sys
for line in open(sys.argv[1]):
    d = json.loads(line)
    print("   ", d["prog"], " ".join(a if "\n" not in a else "<description>" for a in d["argv"]))
PY

self_total=0; child_total=0
for _ in $(seq 1 "$runs"); do
    r=$(runner rebuild web --yes)
    set -- $r
    [ "$3" = 0 ] || { echo "rebuild failed" >&2; exit 1; }
    self_total=$(python3 -c "print($self_total + $1)")
    child_total=$(python3 -c "print($child_total + $2)")
done
python3 - "$runs" "$self_total" "$child_total" <<'PY'
import sys
n, s, c = int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3])
print(f"git-lxc own CPU per rebuild (user+sys, children excluded), mean of {n}: {1000 * s / n:.1f} ms")
print(f"CPU of its children per rebuild (bash, git, fake tools):       {1000 * c / n:.1f} ms")
PY
