#!/usr/bin/env bash
# Benchmark: `git lxc status` over 30 built containers, with fake host tools
# that sleep 200 ms per call (real pct takes ~0.3 s to start). Prints the
# number of host-tool calls and the wall time against a baseline of one call.
# Usage: benches/status.sh [containers]   (builds the release binary first)
set -euo pipefail
n=${1:-30}
delay_ms=200
top=$(cd "$(dirname "$0")/.." && pwd)
cargo build --release --quiet --manifest-path "$top/Cargo.toml"
bin_lxc=$top/target/release/git-lxc
work=$(mktemp -d /tmp/git-lxc-bench-status.XXXXXX)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/bin" "$work/state/pve/lxc" "$work/state/running" "$work/state/templates/local" "$work/repo"
for t in pct pveam pvesh sudo lxc-info lxc-ls; do ln -s "$top/tests/fakes/fakehost.py" "$work/bin/$t"; done
printf '{"state": "%s"}\n' "$work/state" > "$work/bin/fakehost.json"

cd "$work/repo"
git init -q -b main
export GIT_AUTHOR_NAME=bench GIT_AUTHOR_EMAIL=bench@example.com GIT_COMMITTER_NAME=bench GIT_COMMITTER_EMAIL=bench@example.com
printf '.env\ndata/\n' > .gitignore
for i in $(seq 1 "$n"); do
    mkdir -p "ct$i/conf"
    printf 'OPT_RAM=256\nAPP_PORT=80%02d\n' "$i" > "ct$i/configSettings"
    printf '#!/bin/bash\npackage add nginx\npackage install\n' > "ct$i/build-target.sh"
    echo "listen $i" > "ct$i/conf/app.conf"
done
git add -A && git commit -qm "tree of $n containers"
head=$(git rev-parse HEAD)
# A later commit touching a third of the folders, so drift is computed.
for i in $(seq 1 3 "$n"); do echo "# tuned" >> "ct$i/conf/app.conf"; done
git commit -qam "tune some"

# The host: every container built from the first commit, all running.
for i in $(seq 1 "$n"); do
    id=$((100 + i))
    {
        echo "#git-lxc%3A name=ct$i commit=$head state=built"
        echo "arch: amd64"
        echo "hostname: ct$i"
        echo "memory: 256"
        echo "net0: name=eth0,bridge=vmbr0,hwaddr=BC:24:11:00:00:$(printf %02X "$i"),ip=dhcp,type=veth"
        echo "ostype: alpine"
        echo "rootfs: local-lvm:vm-$id-disk-0,size=512M"
        echo "tags: git-lxc"
        echo "unprivileged: 1"
    } > "$work/state/pve/lxc/$id.conf"
    touch "$work/state/running/$id"
done
printf '{"state": "%s", "delay_ms": %d}\n' "$work/state" "$delay_ms" > "$work/bin/fakehost.json"

export PATH="$work/bin:$PATH" GIT_LXC_PVE_DIR="$work/state/pve"
now_ms() { date +%s%3N; }
runs=5
base=() stat=()
for r in $(seq 1 $runs); do
    t0=$(now_ms); pct list > /dev/null; t1=$(now_ms)
    base+=($((t1 - t0)))
    : > "$work/state/calls.jsonl"
    t0=$(now_ms); "$bin_lxc" status --json > "$work/status.json"; t1=$(now_ms)
    stat+=($((t1 - t0)))
    calls=$(grep -vc '"prog": "sudo"' "$work/state/calls.jsonl" || true)
done
median() { printf '%s\n' "$@" | sort -n | sed -n "$(( ($# + 1) / 2 ))p"; }
mb=$(median "${base[@]}")
ms=$(median "${stat[@]}")
rows=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(len(d), sum(1 for r in d if r["behind"]))' "$work/status.json")
echo "containers:            $n (rows, of which behind: $rows)"
echo "host-tool calls:       $calls"
echo "baseline (one call):   ${mb} ms (median of $runs)"
echo "git lxc status:        ${ms} ms (median of $runs)"
awk -v s="$ms" -v b="$mb" 'BEGIN { printf "ratio status/one call: %.2f\n", s / b }'
