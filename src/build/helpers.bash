# Helpers for build-target.sh. OS-neutral: apk (Alpine) or apt (Debian).
__git_lxc_queue=()
# package add PKG…   queue packages
# package common     queue the common admin set (bash, sshd, vim, rsync, …)
# package install    update the index and install everything queued
package() {
    local action=${1:-}
    shift || true
    case $action in
        add) __git_lxc_queue+=("$@") ;;
        common) __git_lxc_queue+=(bash curl ca-certificates less openssh-server rsync sudo tzdata vim) ;;
        install)
            __git_lxc_queue+=("$@")
            [ ${#__git_lxc_queue[@]} -gt 0 ] || return 0
            if command -v apk >/dev/null 2>&1; then
                apk update && apk add --no-cache "${__git_lxc_queue[@]}" || return 1
            else
                apt-get update -q && apt-get install -y -q --no-install-recommends "${__git_lxc_queue[@]}" || return 1
            fi
            __git_lxc_queue=()
            ;;
        *) echo "package: unknown action '$action' (add, common, install)" >&2; return 2 ;;
    esac
}
# persist NAME PATH: keep PATH in /usr/local/data/NAME across rebuilds
persist() {
    local name=$1 path=$2 keep=/usr/local/data/$1
    [ -n "$name" ] && [ -n "$path" ] || { echo "persist: usage: persist NAME PATH" >&2; return 2; }
    if [ ! -e "$keep" ]; then
        mkdir -p "$(dirname "$keep")"
        if [ -e "$path" ]; then cp -a "$path" "$keep"; else mkdir -p "$keep"; fi
    fi
    rm -rf "$path"
    mkdir -p "$(dirname "$path")"
    ln -s "$keep" "$path"
}
# addAccount PREFIX: user PREFIX_USER with PREFIX_UID / PREFIX_GID, root's keys
addAccount() {
    local user_var=${1}_USER uid_var=${1}_UID gid_var=${1}_GID
    local user=${!user_var:-} uid=${!uid_var:-} gid=${!gid_var:-}
    [ -n "$user" ] || { echo "addAccount: ${user_var} is not set" >&2; return 2; }
    gid=${gid:-$uid}
    if command -v adduser >/dev/null 2>&1 && command -v apk >/dev/null 2>&1; then
        addgroup ${gid:+-g "$gid"} "$user" 2>/dev/null || true
        adduser -D -s /bin/bash ${uid:+-u "$uid"} -G "$user" "$user" || return 1
    else
        groupadd ${gid:+-g "$gid"} "$user" 2>/dev/null || true
        useradd -m -s /bin/bash ${uid:+-u "$uid"} -g "$user" "$user" || return 1
    fi
    if [ -f /root/.ssh/authorized_keys ]; then
        local home
        home=$(getent passwd "$user" | cut -d: -f6)
        mkdir -p "$home/.ssh"
        cp /root/.ssh/authorized_keys "$home/.ssh/authorized_keys"
        chown -R "$user:" "$home/.ssh" 2>/dev/null || chown -R "$user" "$home/.ssh"
        chmod 700 "$home/.ssh"
        chmod 600 "$home/.ssh/authorized_keys"
    fi
}
# enableService SVC…: start at boot (openrc or systemd)
enableService() {
    local svc
    for svc in "$@"; do
        if command -v rc-update >/dev/null 2>&1; then
            rc-update add "$svc" default || return 1
        else
            systemctl enable "$svc" || return 1
        fi
    done
}
# Runs before the build script: wait (at most 120 s) until systemd has
# finished booting the container, so the build does not race early boot
# (systemd-tmpfiles cleaning /tmp under apt, units still starting). The IP
# git-lxc waits for can show before that. Other inits: no wait.
__git_lxc_wait_boot() {
    [ "$(cat /proc/1/comm 2>/dev/null)" = systemd ] || return 0
    command -v systemctl >/dev/null 2>&1 || return 0
    local state deadline=$((SECONDS + 120))
    while :; do
        state=$(timeout 10 systemctl is-system-running --wait 2>/dev/null)
        case $state in running | degraded | maintenance | stopping) return 0 ;; esac
        if [ "$SECONDS" -ge "$deadline" ]; then
            echo "git-lxc: the container is still booting (${state:-no answer from systemd}); provisioning anyway" >&2
            return 0
        fi
        sleep 0.5
    done
}
# Runs after the build script: no secret-bearing file may stay behind.
__git_lxc_finish() {
    rm -f /root/.bash_history 2>/dev/null
    return 0
}
