//! A Debian container written the original script's way (plain settings,
//! target-bootstrap.sh with `package common; package add openssh-server;
//! package install; addAccount X; enableService`) on real LXC: sshd runs,
//! /etc/ssh lives in data/ssh, the account has passwordless sudo, APP is in
//! the motd and the description, the script ran from /usr/local, and a
//! rebuild keeps the SSH host key. CT 9105, which reaches Debian's mirrors
//! through the stand-in's NAT bridge.

use super::*;

const COMPAT_ID: u32 = 9105;

/// Whether sshd runs once the container has finished booting (the build
/// returns when the network is up after the reboot, before every unit is).
const BOOTED: &str = "timeout 60 systemctl is-system-running --wait >/dev/null; systemctl is-active ssh || { systemctl status ssh --no-pager; false; }";

/// Run `script` in the container as root; its stdout.
#[track_caller]
fn in_ct(script: &str) -> String {
    let s = standin();
    let out = Command::new(s.bin.join("pct"))
        .args(["exec", &COMPAT_ID.to_string(), "--keep-env", "0", "--"])
        .args(["bash", "-c", script])
        .env_clear()
        .env("PATH", s.path_var())
        .env("LANG", "C.UTF-8")
        .stdin(Stdio::null())
        .output()
        .expect("pct exec runs");
    assert!(
        out.status.success(),
        "`{script}` failed in CT {COMPAT_ID}:\n{}{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    text(&out.stdout)
}

#[test]
#[ignore = "needs root and LXC; run with --ignored (CI does)"]
fn a_debian_container_written_for_the_original_script() {
    let _serial = e2e();
    let f = Fixture::new();
    let _ct = CtGuard::claim(COMPAT_ID);
    f.write(".gitignore", ".env\ndata/\n");
    f.write(
        "sshbox/configSettings",
        &format!(
            "APP=\"SSH Box\"\nOSTYPE=debian\nRAM=256\nOPT_CTID={COMPAT_ID}\nADMIN_USER=sysadm\n"
        ),
    );
    f.write("sshbox/.env", "ADMIN_PASSWORD=e2e-admin-password\n");
    f.write(
        "sshbox/target-bootstrap.sh",
        "#!/bin/bash\npwd > /usr/local/data/pwd\necho \"isdebian=$isdebian\" > /usr/local/data/isdebian\npackage common\npackage add openssh-server\npackage install\naddAccount admin\nenableService\n",
    );
    f.commit("sshbox, the original's way");
    f.lxc_ok(&["build", "sshbox"]);

    assert_eq!(f.read("sshbox/data/pwd").trim(), "/usr/local");
    assert_eq!(f.read("sshbox/data/isdebian").trim(), "isdebian=1");
    assert_eq!(in_ct("readlink /etc/ssh").trim(), "/usr/local/data/ssh");
    assert!(f.path("sshbox/data/ssh/sshd_config").exists());
    assert_eq!(in_ct(BOOTED).trim(), "active");
    assert!(
        in_ct("cat /etc/motd")
            .starts_with(&format!("SSH Box Build for sshbox (ctid:{COMPAT_ID}), IP="))
    );
    assert_eq!(in_ct("su - sysadm -c 'sudo -n id -u'").trim(), "0");
    assert!(
        !in_ct("cat /etc/sudoers").contains("sysadm"),
        "/etc/sudoers is left alone"
    );
    assert!(description(&standin().conf(COMPAT_ID)).contains("## SSH Box"));
    let key = || in_ct("ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub");
    let before = key();
    let fingerprint_served = || {
        in_ct(&format!(
            "{BOOTED} >/dev/null && ssh-keyscan -t ed25519 127.0.0.1 2>/dev/null | ssh-keygen -lf -"
        ))
    };

    f.lxc_ok(&["rebuild", "sshbox", "--yes"]);
    assert_eq!(
        key(),
        before,
        "the host key survives the rebuild in data/ssh"
    );
    let served = fingerprint_served();
    let fp = |s: &str| {
        let sha = s.split_whitespace().find(|w| w.starts_with("SHA256:"));
        sha.unwrap_or("").to_string()
    };
    assert_eq!(fp(&served), fp(&before), "sshd serves the kept key");
    assert!(in_ct("cat /etc/motd").starts_with("SSH Box Build for sshbox"));
}
