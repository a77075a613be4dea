//! How a child is started: its program found on its own PATH (so that the
//! standard library can use `posix_spawn`), and the CPU it keeps to.

use std::path::PathBuf;

/// `program` where the child's `path` finds it. Given a full path, the
/// standard library starts a child with `posix_spawn` (no copy of
/// git-lxc's memory); given a bare name with a PATH of our own, it must
/// fork. A name found nowhere stays a name: the spawn then fails with
/// "not found", as it would have. Only absolute folders count.
pub(super) fn on_path(program: &str, path: Option<&std::ffi::OsStr>) -> PathBuf {
    use std::os::unix::fs::PermissionsExt;
    if program.contains('/') {
        return PathBuf::from(program);
    }
    let executable = |p: &PathBuf| {
        std::fs::metadata(p).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
    };
    path.into_iter()
        .flat_map(std::env::split_paths)
        .filter(|dir| dir.is_absolute())
        .map(|dir| dir.join(program))
        .find(executable)
        .unwrap_or_else(|| PathBuf::from(program))
}

/// The CPUs git-lxc may run on, in order.
pub fn allowed_cpus() -> Vec<usize> {
    // SAFETY: `set` is a plain bit set that sched_getaffinity fills in.
    unsafe {
        let mut set: libc::cpu_set_t = std::mem::zeroed();
        if libc::sched_getaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), &mut set) != 0 {
            return Vec::new();
        }
        (0..libc::CPU_SETSIZE as usize)
            .filter(|&c| libc::CPU_ISSET(c, &set))
            .collect()
    }
}

/// Keep process `pid` to the `index`-th allowed CPU. Best effort: a
/// process that stays free to move only runs slower.
pub(super) fn keep_to_cpu(pid: libc::pid_t, index: usize) {
    let cpus = allowed_cpus();
    let Some(&cpu) = cpus.get(index % cpus.len().max(1)) else {
        return;
    };
    // SAFETY: as above; sched_setaffinity reads the set.
    unsafe {
        let mut set: libc::cpu_set_t = std::mem::zeroed();
        libc::CPU_SET(cpu, &mut set);
        libc::sched_setaffinity(pid, std::mem::size_of::<libc::cpu_set_t>(), &set);
    }
}
