//! An unknown `OPT_` name gets a suggestion that knows Proxmox's words.

use snapbox::str;

use crate::support::{Env, GITIGNORE, write_container};

#[test]
fn verify_suggests_the_setting_a_proxmox_word_means() {
    let env = Env::new();
    env.write(".gitignore", GITIGNORE);
    write_container(
        &env,
        "web",
        "OPT_CTID=120\nOPT_MEMORY=512\nOPT_IP=10.0.0.5/24\nOPT_MAC=BC:24:11:00:00:01\nOPT_HOSTNAME=www\nOPT_STORAGE=tank\n",
    );
    env.commit("pct's words");
    env.run(env.lxc().arg("verify"))
        .code(1)
        .stdout(str![[r#"
error[unknown-opt]: web/configSettings:2: OPT_MEMORY is not a known setting
  hint: did you mean OPT_RAM? pct's --memory is OPT_RAM here; see `man git-lxc` for the known settings
error[unknown-opt]: web/configSettings:3: OPT_IP is not a known setting
  hint: did you mean OPT_NET? net0's ip= is OPT_NET here; see `man git-lxc` for the known settings
error[unknown-opt]: web/configSettings:4: OPT_MAC is not a known setting
  hint: did you mean OPT_MACADDR? net0's hwaddr= is OPT_MACADDR here; see `man git-lxc` for the known settings
error[unknown-opt]: web/configSettings:5: OPT_HOSTNAME is not a known setting
  hint: did you mean OPT_HOST? pct's --hostname is OPT_HOST here; see `man git-lxc` for the known settings
error[unknown-opt]: web/configSettings:6: OPT_STORAGE is not a known setting
  hint: did you mean OPT_DISKSTORE? the storage of pct's --rootfs STORAGE:SIZE is OPT_DISKSTORE here; see `man git-lxc` for the known settings

"#]])
        .stderr(str![[r#"
5 errors, 0 warnings in 1 container

"#]]);
}
