//! What the man pages say beyond the clap definition: the tree, the hooks,
//! the target helpers, the files, the examples of the commands whose clap
//! definition has none, and the keys of every `--json`.

/// A JSON key: name, type, meaning.
pub type Key = (&'static str, &'static str, &'static str);

/// The tree's layout, one entry a path.
pub const TREE: &[(&str, &str)] = &[
    (
        "ROOT/",
        "The tree root: --root, else git config lxc.root, else the nearest folder from the current one upwards that directly holds container folders, else lxcs/ under the work tree, else the work tree itself.",
    ),
    (
        "ROOT/defaults",
        "Tracked bash: site-wide settings and context variables, sourced before each container's files.",
    ),
    (
        "ROOT/.env",
        "Untracked and ignored: site-wide secrets, sourced after defaults.",
    ),
    (
        "ROOT/lib/*.sh",
        "Helper functions added to every provisioning script.",
    ),
    (
        "ROOT/NAME/",
        "A container folder: any sub-folder that holds a configSettings file. Its name is the container's name (letters, digits, dot, underscore and dash, at most 63) and its default hostname.",
    ),
    (
        "NAME/configSettings",
        "Tracked bash, required: OPT_ settings, context variables and HOOK_ functions. No secrets.",
    ),
    (
        "NAME/.env",
        "Never committed (ignored, untracked, in no commit of history): private settings and secrets, sourced before configSettings.",
    ),
    (
        "NAME/.env.example",
        "Tracked: the keys .env must define, values blank or dummy; verify checks .env against it.",
    ),
    (
        "NAME/build-target.sh",
        "Tracked, required: runs once inside the new container, as root, from /usr/local, to provision it (target-bootstrap.sh is the legacy name).",
    ),
    (
        "NAME/conf/",
        "Tracked: mounted read-only at /usr/local/conf (from the built commit; LIVECONF=1: the work tree).",
    ),
    (
        "NAME/bin/",
        "Tracked: mounted read-only at /usr/local/sbin.",
    ),
    (
        "NAME/data/",
        "Ignored: mounted read-write at /usr/local/data; kept across rebuilds and never deleted. A symlink is mounted by its real path, never a system folder.",
    ),
];

/// The hooks, when each runs.
pub const HOOKS: &[(&str, &str)] = &[
    ("HOOK_preBuild", "Before anything else of the build."),
    (
        "HOOK_customMounts",
        "Before pct create, and in plan: called as HOOK_customMounts mps, the global array mps already holding the folder's own mounts (--mp0 upwards for bin/, conf/, data/ where present); appends --mpN SPEC (or SPEC) entries to it, directly or through local -n. It must only compute mounts.",
    ),
    (
        "HOOK_customMapping",
        "After pct create and the MAP=1 id map, before the first start: may append raw lxc.* lines to $CTCONF (a sudo command naming /etc/pve/lxc/$CTID.conf edits $CTCONF).",
    ),
    (
        "HOOK_postBuild",
        "After the build, before its record says built.",
    ),
];

/// What every hook sees, besides the settings and context variables.
pub const HOOK_VARS: &[(&str, &str)] = &[
    ("CTID", "The container's id."),
    ("ROOT_PATH", "The container folder's absolute path."),
    ("ROOT_DIR", "The container folder's name."),
    (
        "CTCONF",
        "The container's config file, /etc/pve/lxc/CTID.conf on a real host.",
    ),
];

/// The helpers build-target.sh can call.
pub const HELPERS: &[(&str, &str)] = &[
    (
        "package add PKG...",
        "Queue packages for the next package install.",
    ),
    (
        "package common",
        "Queue the usual tools (Alpine: iputils logrotate nmap procps openssh-server rsync sudo tar tree util-linux vim xz; Debian: nmap rsync tree sudo xz-utils).",
    ),
    (
        "package php EXT...",
        "Queue PHP extensions (Alpine: php81-EXT, following the release's PHP).",
    ),
    (
        "package install",
        "Install what is queued, with apk or apt (Alpine also links vi to vim).",
    ),
    (
        "persist NAME PATH",
        "Keep PATH in /usr/local/data/NAME: copied there on the first build, a symlink to it from then on.",
    ),
    (
        "addAccount PREFIX",
        "Add the user PREFIX_USER (PREFIX_UID, PREFIX_GID, PREFIX_PASSWORD or a random one), with root's authorised keys and passwordless sudo through /etc/sudoers.d/.",
    ),
    (
        "enableService SVC...",
        "Write /etc/motd (APP, host, CTID, IP), keep /etc/ssh in data/ so host keys survive rebuilds, then enable and start sshd and each SVC (openrc or systemd).",
    ),
    (
        "isdebian",
        "A variable: set on Debian, as in the original script.",
    ),
];

/// The files git-lxc keeps.
pub const FILES: &[(&str, &str)] = &[
    (
        ".git/lxc/logs/NAME/*.log",
        "Build logs, masked, private (0600), the last 20 per container; git lxc logs prints them.",
    ),
    (
        ".git/lxc/releases/NAME/COMMIT/",
        "The inputs of a build at its commit, exported from git; conf/ and bin/ are mounted from here.",
    ),
    (".git/lxc/locks/", "One lock per container while it builds."),
    (
        "refs/notes/lxc",
        "Git notes: one line per build, rollback and adoption on the commit it used (git log --notes=lxc).",
    ),
    (
        "/etc/pve/lxc/CTID.conf",
        "A container's config, with the provenance record in its description (GIT_LXC_PVE_DIR moves /etc/pve).",
    ),
];

/// The top page's examples.
pub const TOP_EXAMPLES: &[(&str, &str)] = &[
    (
        "git lxc init && git lxc new pihole",
        "Start a tree and scaffold a container folder.",
    ),
    ("git lxc verify", "Check the tree offline (CI, pre-commit)."),
    (
        "git lxc config pihole",
        "Every setting of pihole and the file and line that set it.",
    ),
    (
        "git lxc plan pihole",
        "Every host command a rebuild would run, changing nothing.",
    ),
    (
        "git lxc rebuild pihole",
        "Destroy and re-create pihole from its folder; data/ is kept.",
    ),
    (
        "git lxc status",
        "What runs, from which commit, and what is out of date.",
    ),
    (
        "git lxc rebuild --changed --yes",
        "Rebuild what changed since it was built (cron, CI).",
    ),
    (
        "git lxc exec pihole -- pihole -g",
        "Run a command inside the container.",
    ),
];

/// Examples of the subcommands whose clap definition has none.
pub const EXAMPLES: &[(&str, &[(&str, &str)])] = &[
    (
        "new",
        &[
            ("git lxc new pihole", "An Alpine container folder."),
            ("git lxc new wiki --os debian", "A Debian one."),
        ],
    ),
    (
        "verify",
        &[
            ("git lxc verify", "Every container and the tree-wide rules."),
            ("git lxc verify --strict pihole", "Warnings fail too."),
            (
                "git lxc verify --format github",
                "Annotations for GitHub Actions.",
            ),
        ],
    ),
    (
        "plan",
        &[
            ("git lxc plan pihole", "The steps and their commands."),
            (
                "git lxc plan pihole --set RAM=512 > plan.txt",
                "With an override, into a file.",
            ),
            (
                "git lxc plan pihole --json | jq -r '.steps[].title'",
                "The step titles.",
            ),
        ],
    ),
    ("build", &[("git lxc build pihole", "Create pihole.")]),
    (
        "rebuild",
        &[
            (
                "git lxc rebuild pihole",
                "Asks, then destroys and re-creates.",
            ),
            (
                "git lxc rebuild --changed --yes",
                "What changed since its build, without asking.",
            ),
            (
                "git lxc rebuild --all --keep-going --yes",
                "Everything, on past failures.",
            ),
            ("git lxc rebuild pihole --dry-run", "The plan only."),
        ],
    ),
    (
        "destroy",
        &[("git lxc destroy pihole", "Asks first; data/ is kept.")],
    ),
    ("enter", &[("git lxc enter pihole", "A root shell inside.")]),
    (
        "diff",
        &[
            (
                "git lxc diff pihole",
                "What changed since pihole was built.",
            ),
            ("git lxc diff pihole -- --stat", "Options for git diff."),
        ],
    ),
    (
        "history",
        &[
            ("git lxc history pihole", "Its builds, newest first."),
            (
                "git push origin refs/notes/lxc",
                "Share the history with the repository.",
            ),
        ],
    ),
    (
        "doctor",
        &[
            ("git lxc doctor", "The host against the whole tree."),
            ("git lxc doctor pihole --json", "One container, as JSON."),
        ],
    ),
    (
        "install-docs",
        &[
            ("git lxc install-docs", "For this user."),
            (
                "sudo git lxc install-docs --prefix /usr/local",
                "For every user.",
            ),
        ],
    ),
    (
        "adopt",
        &[
            (
                "git lxc adopt pihole",
                "Take over the container pihole names.",
            ),
            (
                "git lxc adopt --all",
                "Every container the tree names but git-lxc did not build.",
            ),
        ],
    ),
    (
        "rollback",
        &[
            (
                "git lxc rollback pihole",
                "Back to the backup taken before the last rebuild.",
            ),
            ("git lxc history pihole", "The builds to name with --to."),
        ],
    ),
];

/// The keys of each subcommand's JSON: what it prints, then each key.
pub const JSON: &[(&str, &str, &[Key])] = &[
    (
        "status",
        "status --json prints an array with one object per row:",
        &[
            ("name", "string", "The container folder's name."),
            ("ctid", "number or null", "Its container id."),
            (
                "state",
                "string",
                "running, stopped, absent, building or failed.",
            ),
            ("commit", "string or null", "The recorded commit, 40 hex."),
            (
                "behind",
                "number or null",
                "Commits since commit that touch the folder (null: not in history, or never built).",
            ),
            (
                "dirty",
                "boolean",
                "Uncommitted changes in the folder, or a build from uncommitted changes.",
            ),
            ("ip", "string or null", "The IPv4 address, when running."),
            (
                "managed",
                "boolean",
                "False for a host container the folder names (by OPT_CTID or hostname) that git-lxc did not build: adopt it.",
            ),
            (
                "os",
                "string or null",
                "The OS release it was built from, e.g. alpine-3.22.",
            ),
            (
                "newer_os",
                "string or null",
                "A newer release among the local templates.",
            ),
            (
                "built_at",
                "string or null",
                "When it was built, RFC 3339 (UTC).",
            ),
            (
                "subject",
                "string or null",
                "The recorded commit's subject.",
            ),
            ("node", "string", "The Proxmox node."),
            (
                "orphan",
                "boolean",
                "Only when true: the container's folder is gone.",
            ),
        ],
    ),
    (
        "config",
        "config --json prints one object:",
        &[
            ("name", "string", "The container folder's name."),
            (
                "settings",
                "array",
                "Every setting: objects with name, value and origin (FILE:LINE relative to the root, --set or default).",
            ),
            (
                "context",
                "array",
                "The context variables: name, value (masked when secret), origin, secret (boolean: from a .env).",
            ),
            (
                "hooks",
                "array",
                "The HOOK_ functions: name (without HOOK_), origin, runs.",
            ),
            ("files", "array", "The files a build reads: path, role."),
            (
                "mounts",
                "array",
                "The folder's mounts: source, target, read_only (boolean).",
            ),
        ],
    ),
    (
        "plan",
        "plan --json prints one object:",
        &[
            ("name", "string", "The container folder's name."),
            ("ctid", "number", "The id it gets."),
            ("commit", "string", "The commit it is built from."),
            ("dirty", "boolean", "Built from uncommitted changes."),
            (
                "custom_mounts",
                "array of strings",
                "What HOOK_customMounts added.",
            ),
            (
                "steps",
                "array",
                "Each step: title, and commands, each with argv (array of strings), stdin (none, terminal, script or the text piped), changes_host, fallback and privileged (booleans).",
            ),
            (
                "script",
                "array of strings",
                "The parts of the provisioning script.",
            ),
        ],
    ),
    (
        "verify",
        "verify --format json prints an array of findings:",
        &[
            (
                "rule",
                "string",
                "The rule id (VERIFY RULES in git-lxc(1)).",
            ),
            ("severity", "string", "error or warning."),
            ("file", "string", "Relative to the work tree."),
            ("line", "number or null", "The line, where there is one."),
            ("message", "string", "What is wrong."),
            ("hint", "string", "What to do."),
        ],
    ),
    (
        "history",
        "history --json prints an array, newest first:",
        &[
            ("time", "string", "When, UTC."),
            ("commit", "string", "The commit built, 40 hex."),
            (
                "subject",
                "string or null",
                "Its subject (null: not in this clone).",
            ),
            ("ctid", "number", "The container id."),
            ("node", "string", "The Proxmox node."),
            (
                "result",
                "string",
                "built, failed at STEP, restored BACKUP, rollback, adopted, ...",
            ),
            ("backup", "string or null", "The backup taken or restored."),
            ("user", "string", "user@host that ran it."),
        ],
    ),
    (
        "doctor",
        "doctor --json prints an array of problems:",
        &[
            ("check", "string", "The check that failed."),
            ("message", "string", "The problem."),
            ("fix", "string", "How to fix it."),
            (
                "containers",
                "array of strings",
                "The containers it concerns.",
            ),
        ],
    ),
];

/// What a subcommand exits with, where it differs from the rule.
pub const EXIT_NOTES: &[(&str, &str)] = &[
    (
        "exec",
        "exec exits with the command's own status (0 to 255), which may collide with the codes below.",
    ),
    (
        "status",
        "With --exit-code, status exits 1 when any container is out of date, uncommitted, failed, absent, orphaned or not managed.",
    ),
    (
        "verify",
        "verify exits 1 when there are errors (and warnings, with --strict).",
    ),
    ("doctor", "doctor exits 1 when any check fails."),
];
