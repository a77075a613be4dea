#!/usr/bin/env bash
# Benchmark: the service's downtime during `git lxc rebuild` on real LXC
# containers (the pct/pveam/pvesh/pvesm/vzdump stand-in of tests/lxc-host;
# run as root, with lxc and debootstrap installed).
#
# The "service" is a file the build script writes into the container's root
# file system (/srv/service, "up <version>"); a probe on the host reads it
# with `lxc-attach … cat` every 0.2 s (each read limited to 2 s) and logs
# whether it answered. Downtime = from the first failed probe to the first
# answer after the last failure, so its resolution is one probe interval plus
# one read (~0.3 s). Measured, each over N rebuilds of one Debian container
# (REBOOT=0, so no reboot gap is counted):
#   (a) a good rebuild with BACKUP=1 (shutdown, vzdump, destroy, create, provision)
#   (b) a good rebuild with BACKUP=0
#   (c) a rebuild whose build script fails, restored from the backup
# plus the extra time the backup adds ((a) − (b), and the vzdump step itself,
# timed from git-lxc's output), as seconds and as ratios to (b). The wall
# time of each git-lxc run is printed beside it. The figures move with the
# host's load; use N > 1 for means.
#
# Usage: benches/downtime.sh [N]   (N rebuilds per case, default 1; builds the
# release binary first; uses CT 9190, destroyed at the end)
set -euo pipefail
runs=${1:-1}
id=${BENCH_CTID:-9190}
top=$(cd "$(dirname "$0")/.." && pwd)
[ "$(id -u)" = 0 ] || { echo "run as root (real LXC containers)" >&2; exit 2; }
command -v lxc-attach >/dev/null && command -v debootstrap >/dev/null ||
    { echo "needs lxc and debootstrap (apt-get install -y lxc debootstrap)" >&2; exit 2; }
cargo build --release --quiet --manifest-path "$top/Cargo.toml"
bin_lxc=$top/target/release/git-lxc
standin=$top/tests/lxc-host
export PATH=$standin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
pve_dir=$(python3 -B -c 'import sys, json; sys.path.insert(0, sys.argv[1]); import standin; print(standin.CONF["pve_dir"])' "$standin")

free_backups() {
    pvesm list local 2>/dev/null | awk -v p="local:backup/vzdump-lxc-$id-" 'index($1, p) == 1 {print $1}' |
        while read -r v; do pvesm free "$v" >/dev/null || true; done
}
destroy_ct() {
    [ -e "$pve_dir/lxc/$id.conf" ] || return 0
    pct unlock "$id" >/dev/null 2>&1 || true
    pct set "$id" --protection 0 >/dev/null 2>&1 || true
    pct destroy "$id" --force 1 --purge 1 >/dev/null 2>&1 || echo "cleaning up CT $id failed" >&2
}
work=$(mktemp -d /tmp/git-lxc-bench-downtime.XXXXXX)
probe_pid=
cleanup() {
    [ -z "$probe_pid" ] || kill "$probe_pid" 2>/dev/null || true
    destroy_ct
    free_backups
    rm -rf "$work"
}
trap cleanup EXIT
if [ -e "$pve_dir/lxc/$id.conf" ]; then
    echo "CT $id exists; destroying it (left over from an earlier run)" >&2
    destroy_ct
fi
free_backups
make-template >/dev/null
# the container's root (host uid 100000) must reach the bind-mount sources
chmod 755 "$work"
mkdir -p "$work/repo" "$work/home"

# git-lxc's output, each line stamped with the time it came (for the step times)
lxc() {
    env -i PATH="$PATH" HOME="$work/home" LANG=C.UTF-8 \
        GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1 GIT_LXC_PVE_DIR="$pve_dir" \
        "$bin_lxc" "$@" </dev/null 2>&1 |
        while IFS= read -r line; do printf '%s %s\n' "$(date +%s.%N)" "$line"; done >>"$work/git-lxc.out"
    return "${PIPESTATUS[0]}"
}

# Seconds between the output lines matching $2 and $3 in git-lxc's output from byte $1 on.
between() {
    tail -c +"$1" "$work/git-lxc.out" | awk -v a="$2" -v b="$3" '
        t0 == "" && index($0, a) { t0 = $1 }
        t0 != "" && index($0, b) { printf "%.2f", $1 - t0; exit }'
}

cd "$work/repo"
git init -q -b main
git config lxc.sudo false
export GIT_AUTHOR_NAME=bench GIT_AUTHOR_EMAIL=bench@example.com GIT_COMMITTER_NAME=bench GIT_COMMITTER_EMAIL=bench@example.com
printf '.env\ndata/\n' > .gitignore
mkdir -p svc/conf
# version: which content; backup: BACKUP; fail: 1 makes the build script exit 9
commit() {
    local version=$1 backup=$2 fail=$3
    printf 'OPT_OSTYPE=debian\nOPT_CTID=%s\nOPT_RAM=256\nOPT_REBOOT=0\nOPT_BACKUP=%s\nOPT_KEEPBACKUPS=1\n' "$id" "$backup" > svc/configSettings
    echo "$version" > svc/conf/version
    {
        echo '#!/bin/bash'
        echo 'set -e'
        [ "$fail" = 0 ] || echo 'exit 9'
        echo 'mkdir -p /srv'
        echo 'echo "up $(cat /usr/local/conf/version)" > /srv/service'
    } > svc/build-target.sh
    git add -A && git commit -qm "svc $version backup=$backup fail=$fail"
}

# The probe: one line per read, "<epoch seconds> ok|fail".
probe() {
    while :; do
        local t
        t=$(date +%s.%N)
        if timeout 2 lxc-attach -n "$id" --clear-env -- cat /srv/service 2>/dev/null | grep -q '^up '; then
            echo "$t ok"
        else
            echo "$t fail"
        fi
        sleep 0.2
    done
}

wait_up() {
    local i
    for i in $(seq 1 300); do
        tail -n 1 "$work/probe.log" | grep -q ' ok$' && return 0
        sleep 0.2
    done
    echo "the service did not come back; see $work/git-lxc.out" >&2
    tail -n 30 "$work/git-lxc.out" >&2
    exit 1
}

# Downtime in the probe log from line $1 on: first fail → first ok after the last fail.
downtime() {
    tail -n +"$1" "$work/probe.log" | awk '
        $2 == "fail" { if (first == "") first = $1; last_fail = NR; up = "" }
        $2 == "ok" && last_fail != "" && up == "" { up = $1 }
        END { if (first == "" ) print "0.00"; else printf "%.2f\n", up - first }'
}

commit v0 1 0
lxc build svc || { echo "the first build failed:" >&2; cat "$work/git-lxc.out" >&2; exit 1; }
probe > "$work/probe.log" &
probe_pid=$!
wait_up

declare -A down wall step
n=0
one() { # case, backup, fail, expected exit
    local case=$1 backup=$2 fail=$3 want=$4 from t0 rc=0 d out_at
    n=$((n + 1))
    commit "v$n" "$backup" "$fail"
    sleep 1
    from=$(($(wc -l < "$work/probe.log") + 1))
    out_at=$(($(wc -c < "$work/git-lxc.out") + 1))
    t0=$(date +%s.%N)
    lxc rebuild svc --yes || rc=$?
    wall[$case]+=" $(awk -v a="$(date +%s.%N)" -v b="$t0" 'BEGIN { printf "%.2f", a - b }')"
    [ "$rc" = "$want" ] || { echo "case $case: git-lxc exited $rc, not $want:" >&2; tail -n 30 "$work/git-lxc.out" >&2; exit 1; }
    wait_up
    sleep 0.5
    d=$(downtime "$from")
    down[$case]+=" $d"
    if [ "$backup" = 1 ]; then
        step[$case]+=" $(between "$out_at" "] back up CT" "] lift the protection")"
    fi
    if [ "$fail" = 1 ]; then
        step[restore]+=" $(between "$out_at" "restoring CT" "is running again")"
    fi
    local seen
    seen=$(lxc-attach -n "$id" --clear-env -- cat /srv/service)
    if [ "$fail" = 0 ]; then
        [ "$seen" = "up v$n" ] || { echo "case $case: the service says '$seen', not 'up v$n'" >&2; exit 1; }
    else
        [ "$seen" != "up v$n" ] || { echo "case $case: the failed build's content runs" >&2; exit 1; }
        tail -c +"$out_at" "$work/git-lxc.out" | grep -q 'is running again' || { echo "case $case: no restore message" >&2; exit 1; }
    fi
    printf '  %-38s downtime %6.2fs   git-lxc %6.2fs\n' "$case, run $(( (n + 2) / 3 )):" "$d" "${wall[$case]##* }" >&2
}

echo "downtime of CT $id's service over $runs rebuild(s) per case (probe every 0.2 s):" >&2
for _ in $(seq 1 "$runs"); do
    one "(a) rebuild, BACKUP=1" 1 0 0
    one "(b) rebuild, BACKUP=0" 0 0 0
    one "(c) failed rebuild, restored" 1 1 1
done

mean() { echo "$1" | tr ' ' '\n' | awk 'NF { s += $1; n++ } END { printf "%.2f", s / n }'; }
a=$(mean "${down["(a) rebuild, BACKUP=1"]}")
b=$(mean "${down["(b) rebuild, BACKUP=0"]}")
c=$(mean "${down["(c) failed rebuild, restored"]}")
wa=$(mean "${wall["(a) rebuild, BACKUP=1"]}")
wb=$(mean "${wall["(b) rebuild, BACKUP=0"]}")
wc_=$(mean "${wall["(c) failed rebuild, restored"]}")
ratio() { awk -v x="$1" -v y="$2" 'BEGIN { if (y > 0) printf "%.2f", x / y; else print "n/a" }'; }
extra=$(awk -v x="$a" -v y="$b" 'BEGIN { printf "%.2f", x - y }')
wextra=$(awk -v x="$wa" -v y="$wb" 'BEGIN { printf "%.2f", x - y }')
echo
echo "service downtime (mean of $runs), and the git-lxc run's wall time:"
printf '  %-32s %7ss  x%-5s   wall %7ss  x%s\n' \
    "(a) rebuild, BACKUP=1" "$a" "$(ratio "$a" "$b")" "$wa" "$(ratio "$wa" "$wb")" \
    "(b) rebuild, BACKUP=0" "$b" "1.00" "$wb" "1.00" \
    "(c) failed rebuild, restored" "$c" "$(ratio "$c" "$b")" "$wc_" "$(ratio "$wc_" "$wb")"
printf '  %-32s %7ss  x%-5s   wall %7ss  x%s\n' \
    "backup's extra time ((a) - (b))" "$extra" "$(ratio "$extra" "$b")" "$wextra" "$(ratio "$wextra" "$wb")"
vz=$(mean "${step["(a) rebuild, BACKUP=1"]}")
rs=$(mean "${step[restore]}")
echo "step times from git-lxc's output:"
printf '  %-32s %7ss  x%s\n' \
    "the vzdump step in (a)" "$vz" "$(ratio "$vz" "$b")" \
    "restore and start in (c)" "$rs" "$(ratio "$rs" "$b")"
