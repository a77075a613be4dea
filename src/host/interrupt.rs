//! Ctrl-C and SIGTERM (SPEC §5 step 9). Every child git-lxc starts runs in
//! a process group of its own, so the terminal's Ctrl-C never reaches it:
//! whenever git-lxc gets one of these signals, it ends the groups of the
//! children that are running first (a settings file stuck in a loop, a
//! hook, a `pct exec`), so nothing it started outlives it.
//!
//! While [`Deferred`] is held (a build changing the host) the signal does
//! not end git-lxc: it is remembered, so the build stops at that step,
//! records or restores, releases its lock, says what state the container
//! is in, and exits 130 (SIGINT) or 143 (SIGTERM). Outside a build the
//! signal then ends git-lxc as it would have without the handler: nothing
//! is half-done there.

use std::sync::atomic::{AtomicBool, AtomicI32, Ordering};

/// The first signal caught while deferred, or 0.
static CAUGHT: AtomicI32 = AtomicI32::new(0);

/// Whether a [`Deferred`] is alive.
static DEFERRING: AtomicBool = AtomicBool::new(false);

/// Whether [`install`] has run.
static INSTALLED: AtomicBool = AtomicBool::new(false);

/// Process groups of the running children (0: a free slot). The settings
/// evaluation runs at most four at once, a build one or two.
static GROUPS: [AtomicI32; 16] = [const { AtomicI32::new(0) }; 16];

extern "C" fn on_signal(sig: libc::c_int) {
    for slot in &GROUPS {
        let pgid = slot.load(Ordering::SeqCst);
        if pgid > 0 {
            // SAFETY: killpg is async-signal-safe; the group is a child's own.
            unsafe {
                libc::killpg(pgid, libc::SIGTERM);
            }
        }
    }
    if DEFERRING.load(Ordering::SeqCst) {
        let _ = CAUGHT.compare_exchange(0, sig, Ordering::SeqCst, Ordering::SeqCst);
        return;
    }
    // The default action, now that the children are ended: the signal is
    // blocked while this handler runs, so it ends git-lxc on return.
    set_handler(sig, libc::SIG_DFL);
    // SAFETY: raise is async-signal-safe.
    unsafe {
        libc::raise(sig);
    }
}

/// Set `handler` for `sig`; the disposition it replaces.
fn set_handler(sig: libc::c_int, handler: libc::sighandler_t) -> libc::sighandler_t {
    // SAFETY: a plain sigaction with an empty mask (async-signal-safe, as
    // `on_signal` needs); `handler` is SIG_DFL, SIG_IGN or `on_signal`,
    // which only touches atomics and calls killpg, sigaction and raise.
    unsafe {
        let mut action: libc::sigaction = std::mem::zeroed();
        action.sa_sigaction = handler;
        libc::sigemptyset(&mut action.sa_mask);
        let mut old: libc::sigaction = std::mem::zeroed();
        libc::sigaction(sig, &action, &mut old);
        old.sa_sigaction
    }
}

/// Catch SIGINT and SIGTERM from now on (once; before the first child is
/// started). A signal git-lxc was started with ignored (`nohup`, a
/// background job) stays ignored.
pub fn install() {
    if INSTALLED.swap(true, Ordering::SeqCst) {
        return;
    }
    let handler = on_signal as extern "C" fn(libc::c_int) as libc::sighandler_t;
    for sig in [libc::SIGINT, libc::SIGTERM] {
        if set_handler(sig, handler) == libc::SIG_IGN {
            set_handler(sig, libc::SIG_IGN);
        }
    }
}

/// While alive, SIGINT and SIGTERM are caught instead of ending git-lxc.
pub struct Deferred(());

impl Deferred {
    pub fn start() -> Deferred {
        install();
        CAUGHT.store(0, Ordering::SeqCst);
        DEFERRING.store(true, Ordering::SeqCst);
        Deferred(())
    }
}

impl Drop for Deferred {
    fn drop(&mut self) {
        DEFERRING.store(false, Ordering::SeqCst);
    }
}

/// The signal caught so far, if any: `(name, exit code)`.
pub fn caught() -> Option<(&'static str, u8)> {
    match CAUGHT.load(Ordering::SeqCst) {
        libc::SIGINT => Some(("SIGINT (Ctrl-C)", 130)),
        libc::SIGTERM => Some(("SIGTERM", 143)),
        _ => None,
    }
}

/// Remember a running child's process group, so a signal ends it too.
pub fn register(pgid: i32) -> Option<usize> {
    GROUPS.iter().position(|slot| {
        slot.compare_exchange(0, pgid, Ordering::SeqCst, Ordering::SeqCst)
            .is_ok()
    })
}

/// The child of `slot` has ended.
pub fn unregister(slot: Option<usize>) {
    if let Some(i) = slot {
        GROUPS[i].store(0, Ordering::SeqCst);
    }
}
