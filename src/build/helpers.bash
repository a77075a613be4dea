# Helpers for build-target.sh, with the original build script's behaviour
# (its tgt_ functions), made safe where it was not. apk (Alpine) or apt
# (Debian); isdebian is 1 on Debian, empty on Alpine, as in the original.
if [ -f /etc/debian_version ]; then isdebian=1; else isdebian=; fi
__git_lxc_queue=()
# package common       queue the original's common set
# package add PKG…     queue packages
# package php EXT…     queue PHP extensions of the release's PHP (php83-EXT)
# package install      install everything queued (apt-get or apk)
package() {
    local action=${1:-}
    shift || true
    case $action in
        add) __git_lxc_queue+=("$@") ;;
        common)
            if [ -n "$isdebian" ]; then
                __git_lxc_queue+=(nmap rsync tree sudo xz-utils)
            else
                __git_lxc_queue+=(iputils logrotate nmap procps openssh-server rsync sudo tar tree util-linux vim xz)
            fi
            ;;
        php)
            local ext prefix
            prefix=$(__git_lxc_php_prefix) || return 1
            for ext in "$@"; do __git_lxc_queue+=("$prefix-$ext"); done
            ;;
        install)
            __git_lxc_queue+=("$@")
            [ ${#__git_lxc_queue[@]} -gt 0 ] || return 0
            if [ -n "$isdebian" ]; then
                apt-get update -q && apt-get install -y -q "${__git_lxc_queue[@]}" || return 1
            else
                apk add --no-cache "${__git_lxc_queue[@]}" || return 1
                if [ -x /usr/bin/vim ]; then ln -sfT /usr/bin/vim /usr/bin/vi; fi
            fi
            __git_lxc_queue=()
            ;;
        *) echo "package: unknown action '$action' (common, add, php, install)" >&2; return 2 ;;
    esac
}
# The package prefix of PHP extensions: Debian's php-EXT; on Alpine the
# newest phpNN the release has (php81 on Alpine 3.16 to 3.18, php83 later).
__git_lxc_php_prefix() {
    if [ -n "$isdebian" ]; then echo php; return 0; fi
    local v
    for v in 85 84 83 82 81 8; do
        if [ -n "$(apk search --no-cache -q -x "php$v" 2>/dev/null)" ]; then
            echo "php$v"
            return 0
        fi
    done
    echo php81
}
# persist NAME PATH: keep PATH in /usr/local/data/NAME across rebuilds (the
# first build copies it there), PATH a link to it.
persist() {
    local name=${1:-} path=${2:-}
    [ -n "$name" ] && [ -n "$path" ] || { echo "persist: usage: persist NAME PATH" >&2; return 2; }
    local keep=/usr/local/data/$name
    if [ ! -e "$keep" ]; then
        mkdir -p "$(dirname "$keep")"
        if [ -e "$path" ]; then cp -a "$path" "$keep" || return 1; else mkdir -p "$keep"; fi
    fi
    rm -Rf "$path"
    mkdir -p "$(dirname "$path")"
    ln -s "$keep" "$path"
}
# addAccount PREFIX: user ${PREFIX}_USER, uid ${PREFIX}_UID, gid ${PREFIX}_GID
# (Debian: 1000; Alpine: the uid), password ${PREFIX}_PASSWORD or a random
# one, passwordless sudo, root's authorized_keys.
addAccount() {
    local p
    p=$(printf '%s' "${1:-}" | tr '[:lower:]' '[:upper:]')
    [ -n "$p" ] || { echo "addAccount: usage: addAccount PREFIX" >&2; return 2; }
    local user_var=${p}_USER uid_var=${p}_UID gid_var=${p}_GID pw_var=${p}_PASSWORD
    local user=${!user_var:-} uid=${!uid_var:-} gid=${!gid_var:-} pw=${!pw_var:-}
    [ -n "$user" ] || { echo "addAccount: ${user_var} is not set" >&2; return 2; }
    if [ -n "$isdebian" ]; then gid=${gid:-1000}; else gid=${gid:-$uid}; fi
    if ! id "$user" >/dev/null 2>&1; then
        if [ -n "$isdebian" ]; then
            getent group "$user" >/dev/null || addgroup ${gid:+--gid "$gid"} "$user" || return 1
            adduser --disabled-password --gecos "" --shell /bin/bash ${uid:+--uid "$uid"} --ingroup "$user" "$user" || return 1
        else
            getent group "$user" >/dev/null || addgroup ${gid:+-g "$gid"} "$user" || return 1
            adduser -D -h "/home/$user" -s /bin/bash -G "$user" ${uid:+-u "$uid"} "$user" || return 1
        fi
    fi
    # On stdin, never on a command line.
    [ -n "$pw" ] || pw=$(head -c 18 /dev/urandom | base64)
    printf '%s:%s\n' "$user" "$pw" | chpasswd || return 1
    __git_lxc_sudoer "$user" || return 1
    local home
    home=$(getent passwd "$user" | cut -d: -f6)
    mkdir -p "$home/.ssh"
    chmod 700 "$home/.ssh"
    if [ -f /root/.ssh/authorized_keys ]; then
        cp /root/.ssh/authorized_keys "$home/.ssh/authorized_keys"
        chmod 600 "$home/.ssh/authorized_keys"
    fi
    chown -R "$user:$(id -gn "$user")" "$home/.ssh"
}
# Passwordless sudo for $1 in a file of its own under /etc/sudoers.d (the
# original overwrote /etc/sudoers with that line).
__git_lxc_sudoer() {
    local file=/etc/sudoers.d/90-git-lxc-$1
    mkdir -p /etc/sudoers.d
    printf '%s ALL=(ALL) NOPASSWD: ALL\n' "$1" >"$file.tmp" && chmod 0440 "$file.tmp" || return 1
    if command -v visudo >/dev/null 2>&1 && ! visudo -cqf "$file.tmp"; then
        rm -f "$file.tmp"
        echo "addAccount: the sudoers line for $1 does not check" >&2
        return 1
    fi
    mv -f "$file.tmp" "$file"
    if [ -f /etc/sudoers ] && ! grep -Eq '^[@#]includedir[[:space:]]+/etc/sudoers.d' /etc/sudoers; then
        echo '@includedir /etc/sudoers.d' >>/etc/sudoers
    fi
}
# enableService SVC…: /etc/motd names APP, host, CTID and IP; /etc/ssh is
# kept in data/ssh (host keys survive rebuilds); then sshd and each SVC are
# enabled and started (openrc), or each SVC (systemd).
enableService() {
    local ip svc
    ip=$(ip -4 -o addr show dev eth0 2>/dev/null | awk '{ sub("/.*", "", $4); print $4; exit }')
    printf '%s Build for %s (ctid:%s), IP=%s\n' "${APP:-}" "${HOST:-$(hostname)}" "${CTID:-}" "$ip" >/etc/motd
    persist ssh /etc/ssh || return 1
    if command -v rc-update >/dev/null 2>&1; then
        for svc in sshd "$@"; do
            rc-update add "$svc" default || return 1
            rc-service "$svc" start || return 1
        done
    elif command -v systemctl >/dev/null 2>&1; then
        # sshd read its host keys before they moved: the kept ones count.
        systemctl try-restart ssh.service sshd.service 2>/dev/null || true
        for svc in "$@"; do
            systemctl enable --now "$svc" || return 1
        done
    fi
}
# Runs before the build script: on Alpine, bash (installed first) becomes
# root's shell, as in the original.
__git_lxc_root_bash() {
    [ -z "$isdebian" ] && [ -x /bin/bash ] || return 0
    sed -i 's#^\(root:.*:\)/bin/ash$#\1/bin/bash#' /etc/passwd
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
