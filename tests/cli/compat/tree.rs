//! The test tree, written the original script's way, and its containers
//! created the way the original creates them (its `pct create` line, its
//! `# OSTYPE OSVERSION APP LXC` description, no record).

use std::collections::BTreeMap;
use std::path::Path;

use crate::fakes;
use crate::support::Env;

pub const CONTAINERS: usize = 6;

/// The release the original script's OSVERSION default (3.19) picks; the
/// fakes' newer Alpine (3.22) is there too.
pub const ALPINE_OLD: &str = "alpine-3.19-default_20240207_amd64.tar.xz";

/// One container as the original script built it.
pub struct Original {
    pub name: &'static str,
    pub ctid: u32,
    pub app: &'static str,
    pub ostype: &'static str,
    pub osversion: &'static str,
    pub template: String,
    pub mac: &'static str,
    pub folders: &'static [&'static str],
    /// HOOK_customMounts's mount: source, target.
    pub extra: Option<(String, &'static str)>,
    /// The lines HOOK_customMapping appends.
    pub mapping: &'static [&'static str],
}

impl Original {
    pub fn os(&self) -> String {
        format!("{}-{}", self.ostype, self.osversion)
    }

    pub fn description(&self) -> String {
        format!("# {} {} {} LXC", self.ostype, self.osversion, self.app)
    }

    /// `pct create` as the original runs it, its MAP=1 and HOOK_customMapping
    /// lines, and the first start.
    pub fn create(&self, env: &Env) {
        let dir = env.path(self.name);
        let mut mps = Vec::new();
        for (folder, target, ro) in [
            ("bin", "/usr/local/sbin", true),
            ("conf", "/usr/local/conf", true),
            ("data", "/usr/local/data", false),
        ] {
            if self.folders.contains(&folder) {
                let ro = if ro { ",ro=1" } else { "" };
                let src = dir.join(folder).canonicalize().unwrap();
                mps.push(format!("{},mp={target}{ro},backup=0", src.display()));
            }
        }
        if let Some((source, target)) = &self.extra {
            mps.push(format!("{source},mp={target}"));
        }
        let id = self.ctid.to_string();
        let volid = format!("local:vztmpl/{}", self.template);
        let description = self.description();
        let net0 = format!("name=eth0,bridge=vmbr0,ip=dhcp,hwaddr={}", self.mac);
        let mut args: Vec<String> = [
            "create",
            &id,
            &volid,
            "--description",
            &description,
            "--hostname",
            self.name,
            "--arch",
            "amd64",
            "--rootfs",
            "local-lvm:0.5",
            "--features",
            "nesting=1,keyctl=1",
            "--onboot",
            "1",
            "--cores",
            "1",
            "--memory",
            "128",
            "--unprivileged",
            "1",
            "--ostype",
            self.ostype,
            "--net0",
            &net0,
            "--password",
            "Rand0mPassw0rd",
        ]
        .map(String::from)
        .to_vec();
        for (i, mp) in mps.iter().enumerate() {
            args.push(format!("--mp{i}"));
            args.push(mp.clone());
        }
        args.extend(["--searchdomain", "home", "--nameserver", "10.0.0.1"].map(String::from));
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let before = std::fs::read_to_string(env.state.join("calls.jsonl")).unwrap_or_default();
        fakes::fake_pct(env, &args);
        let conf = env.state.join(format!("pve/lxc/{id}.conf"));
        let mut text = std::fs::read_to_string(&conf).unwrap();
        for line in self.mapping {
            text.push_str(line);
            text.push('\n');
        }
        std::fs::write(&conf, text).unwrap();
        fakes::fake_pct(env, &["start", &id]);
        std::fs::write(env.state.join("calls.jsonl"), before).unwrap();
    }

    /// What `cat /etc/os-release` prints inside it.
    fn os_release(&self) -> String {
        match self.ostype {
            "alpine" => "NAME=\"Alpine Linux\"\nID=alpine\nVERSION_ID=3.19.1\n".to_string(),
            _ => format!("ID=debian\nVERSION_ID=\"{}\"\n", self.osversion),
        }
    }
}

const SUDO_SED: &str = "sudo sed -i '$a";

/// Write the tree, the templates and the fakes' answers to `cat
/// /etc/os-release`; the containers, not yet created.
pub fn write(env: &Env) -> Vec<Original> {
    let outside = env.repo.parent().unwrap();
    let media = outside.join("media");
    let logs = outside.join("mosquitto-logs");
    for d in [&media, &logs] {
        std::fs::create_dir_all(d).unwrap();
    }
    std::fs::write(env.state.join("templates/local").join(ALPINE_OLD), "").unwrap();
    env.write(".gitignore", ".env\ndata/\n");
    env.write(
        "bin/build_lxc.sh",
        "#!/bin/bash\n# The original build script lived here.\necho \"use: git lxc rebuild NAME\" >&2\nexit 1\n",
    );
    blog(env, &media);
    iot(env, &logs);
    pihole(env);
    samba(env);
    vpn(env);
    vsftp(env);
    let alpine = |name, ctid, app, mac, folders, extra, mapping| Original {
        name,
        ctid,
        app,
        ostype: "alpine",
        osversion: "3.19",
        template: ALPINE_OLD.to_string(),
        mac,
        folders,
        extra,
        mapping,
    };
    let debian = |name, ctid, app, mac, folders, mapping| Original {
        name,
        ctid,
        app,
        ostype: "debian",
        osversion: "12",
        template: fakes::DEBIAN.to_string(),
        mac,
        folders,
        extra: None,
        mapping,
    };
    let originals = vec![
        alpine(
            "blog",
            101,
            "WordPress Blog",
            "BC:24:11:00:01:01",
            &["bin", "conf", "data"],
            Some((media.display().to_string(), "/var/www/media")),
            &[],
        ),
        alpine(
            "iot",
            102,
            "Zigbee2MQTT",
            "BC:24:11:00:01:02",
            &["bin", "conf", "data"],
            Some((logs.display().to_string(), "/var/log/mosquitto")),
            &[
                "lxc.cgroup2.devices.allow: c 188:* rwm",
                "lxc.mount.entry: /dev/ttyUSB0 dev/ttyUSB0 none bind,optional,create=file",
            ],
        ),
        debian(
            "pihole",
            103,
            "Pi-hole",
            "BC:24:11:00:01:03",
            &["conf", "data"],
            &[],
        ),
        alpine(
            "samba",
            104,
            "Samba Server",
            "BC:24:11:00:01:04",
            &["conf", "data"],
            None,
            &[],
        ),
        debian(
            "vpn",
            105,
            "PiVPN",
            "BC:24:11:00:01:05",
            &["data"],
            &[
                "lxc.cgroup2.devices.allow: c 10:200 rwm",
                "lxc.mount.entry: /dev/net dev/net none bind,create=dir",
            ],
        ),
        alpine(
            "vsftp",
            106,
            "vsftpd",
            "BC:24:11:00:01:06",
            &["bin", "conf", "data"],
            None,
            &[],
        ),
    ];
    for o in &originals {
        env.write(&format!("{}/.env", o.name), &env_file(o));
    }
    let rules: Vec<serde_json::Value> = originals
        .iter()
        .map(|o| {
            serde_json::json!({
                "match": ["pct", "exec", o.ctid.to_string(), "--", "cat", "/etc/os-release"],
                "exit": 0,
                "stdout": o.os_release(),
            })
        })
        .collect();
    fakes::rules(env, serde_json::Value::Array(rules));
    originals
}

/// The private settings the author keeps in `.env` (MAC, CTID) and secrets.
fn env_file(o: &Original) -> String {
    let mut text = format!("OPT_MACADDR={}\n", o.mac);
    match o.name {
        "samba" => {
            text.push_str("OPT_CTID=104\nOPT_CORES=2\nSMB_UID=1000\nSMB_PASSWORD=samba-secret-pw\n")
        }
        "pihole" => text.push_str("PIHOLE_PASSWORD=pihole-admin-pw\n"),
        "vsftp" => text.push_str("FTP_PASSWORD=ftp-secret-pw\n"),
        _ => {}
    }
    text
}

fn data(env: &Env, name: &str, files: &[(&str, &str)]) {
    for (rel, text) in files {
        env.write(&format!("{name}/data/{rel}"), text);
    }
}

fn blog(env: &Env, media: &Path) {
    env.write(
        "blog/configSettings",
        &format!(
            "APP=\"WordPress Blog\"\nRAM=256\nMEDIA_DIR={}\n\nHOOK_customMounts() {{\n    mps+=( \"--mp${{#mps[@]}} $MEDIA_DIR,mp=/var/www/media\" )\n}}\n",
            media.display()
        ),
    );
    env.write(
        "blog/target-bootstrap.sh",
        "#!/bin/bash\npackage common\npackage php fpm mysqli gd\npackage add nginx\npackage install\npersist wordpress /var/www/wordpress\nenableService nginx php-fpm83\n",
    );
    env.write(
        "blog/bin/backup-db",
        "#!/bin/bash\nmysqldump --all-databases > /usr/local/data/db.sql\n",
    );
    env.write(
        "blog/conf/nginx.conf",
        "server { listen 80; root /var/www/wordpress; }\n",
    );
    data(
        env,
        "blog",
        &[
            ("wordpress/index.php", "<?php echo 'hi';\n"),
            ("db.sql", "-- dump\n"),
        ],
    );
}

fn iot(env: &Env, logs: &Path) {
    env.write(
        "iot/configSettings",
        &format!(
            "APP=Zigbee2MQTT\nMAP=1\nLOG_DIR={}\n\nHOOK_customMounts() {{\n    local -n list=\"$1\"\n    list+=( \"--mp${{#list[@]}} $LOG_DIR,mp=/var/log/mosquitto\" )\n}}\n\nHOOK_customMapping() {{\n    {SUDO_SED} lxc.cgroup2.devices.allow: c 188:* rwm' /etc/pve/lxc/$CTID.conf\n    {SUDO_SED} lxc.mount.entry: /dev/ttyUSB0 dev/ttyUSB0 none bind,optional,create=file' /etc/pve/lxc/$CTID.conf\n}}\n",
            logs.display()
        ),
    );
    env.write(
        "iot/target-bootstrap.sh",
        "#!/bin/bash\npackage common\npackage add mosquitto nodejs npm\npackage install\nln -sf /usr/local/conf/mosquitto/passwd /etc/mosquitto/passwd\nenableService mosquitto\n",
    );
    env.write(
        "iot/bin/z2m-start",
        "#!/bin/sh\ncd /opt/zigbee2mqtt && exec npm start\n",
    );
    env.write(
        "iot/conf/mosquitto/passwd",
        "z2m:$7$101$q1xS0dPc9gQ9G0yq$3o8mbN5kLrJ0gEWcVt2MPm4lZQwA1b2c3d4e5f6g==\n",
    );
    env.write(
        "iot/conf/zigbee2mqtt/configuration.yaml",
        "homeassistant: true\npermit_join: false\nmqtt:\n  server: mqtt://localhost\n  user: z2m\n  password: Zigbee-MQTT-pw1\nserial:\n  port: /dev/ttyUSB0\n",
    );
    data(env, "iot", &[("zigbee2mqtt/database.db", "{\"id\":1}\n")]);
}

fn pihole(env: &Env) {
    env.write(
        "pihole/configSettings",
        "APP=\"Pi-hole\"\nOSTYPE=debian\nOSVERSION=12\nRAM=512\nPIHOLE_USER=pihole\n",
    );
    env.write("pihole/.env.example", "OPT_MACADDR=\nPIHOLE_PASSWORD=\n");
    env.write(
        "pihole/target-bootstrap.sh",
        "#!/bin/bash\npackage common\npackage add curl\npackage install\naddAccount pihole\nmkdir -p /etc/pihole\necho \"WEBPASSWORD='$PIHOLE_PASSWORD'\" >> /etc/pihole/setupVars.conf\ncurl -sSL https://install.pi-hole.net | bash /dev/stdin --unattended\nenableService\n",
    );
    env.write("pihole/conf/custom.list", "10.0.0.2 nas.home\n");
    data(env, "pihole", &[("pihole-FTL.db", "SQLite format 3\n")]);
}

fn samba(env: &Env) {
    env.write(
        "samba/configSettings",
        "APP=\"Samba Server\"\nRAM=384\nSMB_USER=media\n",
    );
    env.write(
        "samba/target-bootstrap.sh",
        "#!/bin/bash\npackage common\npackage add samba\npackage install\naddAccount smb\nln -sf /usr/local/conf/smb.conf /etc/samba/smb.conf\nenableService samba\n",
    );
    env.write(
        "samba/conf/smb.conf",
        "[media]\n  path = /usr/local/data/media\n  valid users = media\n",
    );
    data(env, "samba", &[("media/readme.txt", "shared\n")]);
}

fn vpn(env: &Env) {
    env.write(
        "vpn/configSettings",
        &format!(
            "APP=\"PiVPN\"\nOPT_OSTYPE=debian\nOPT_OSVERSION=12\n\nHOOK_customMapping() {{\n    {SUDO_SED} lxc.cgroup2.devices.allow: c 10:200 rwm' /etc/pve/lxc/$CTID.conf\n    {SUDO_SED} lxc.mount.entry: /dev/net dev/net none bind,create=dir' /etc/pve/lxc/$CTID.conf\n}}\n"
        ),
    );
    env.write(
        "vpn/target-bootstrap.sh",
        "#!/bin/bash\npackage common\npackage install\npersist wireguard /etc/wireguard\ncurl -L https://install.pivpn.io | bash -s -- --unattended /usr/local/data/options.conf\nenableService\n",
    );
    data(env, "vpn", &[("wireguard/wg0.conf", "[Interface]\n")]);
}

fn vsftp(env: &Env) {
    env.write("vsftp/configSettings", "APP=vsftpd\nOPT_RAM=64\nDISK=1\n");
    env.write(
        "vsftp/target-bootstrap.sh",
        "#!/bin/bash\npackage add vsftpd\npackage install\npersist vsftpd /etc/vsftpd\necho \"ftp:$FTP_PASSWORD\" | chpasswd\nenableService vsftpd\n",
    );
    env.write(
        "vsftp/bin/rotate",
        "#!/bin/sh\nfind /usr/local/data/ftp -mtime +30 -delete\n",
    );
    env.write(
        "vsftp/conf/vsftpd.conf",
        "anonymous_enable=NO\nlocal_enable=YES\n",
    );
    data(env, "vsftp", &[("ftp/upload.bin", "\u{1}\u{2}\u{3}")]);
}

/// Every file under every container's `data/`, with its bytes.
pub fn data_digest(env: &Env) -> BTreeMap<String, Vec<u8>> {
    fn walk(dir: &Path, rel: &str, out: &mut BTreeMap<String, Vec<u8>>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for e in entries.flatten() {
            let name = format!("{rel}/{}", e.file_name().to_string_lossy());
            if e.path().is_dir() {
                walk(&e.path(), &name, out);
            } else {
                out.insert(name, std::fs::read(e.path()).unwrap());
            }
        }
    }
    let mut out = BTreeMap::new();
    for name in ["blog", "iot", "pihole", "samba", "vpn", "vsftp"] {
        walk(&env.path(&format!("{name}/data")), name, &mut out);
    }
    out
}
