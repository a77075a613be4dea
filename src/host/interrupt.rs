//! Ctrl-C and SIGTERM while a build changes the host (SPEC §5 step 9): an
//! interrupt is a failure like any other. While [`Deferred`] is held, the
//! signal does not end git-lxc: it ends the host command that is running
//! (its whole process group) and is remembered, so the build stops at that
//! step, records or restores, releases its lock, says what state the
//! container is in, and exits 130 (SIGINT) or 143 (SIGTERM).
//! Outside a build the signals keep their default: nothing is half-done.

use std::sync::atomic::{AtomicI32, Ordering};

/// The first signal caught while deferred, or 0.
static CAUGHT: AtomicI32 = AtomicI32::new(0);

/// Process groups of the running children (0: a free slot).
static GROUPS: [AtomicI32; 8] = [const { AtomicI32::new(0) }; 8];

extern "C" fn on_signal(sig: libc::c_int) {
    let _ = CAUGHT.compare_exchange(0, sig, Ordering::SeqCst, Ordering::SeqCst);
    for slot in &GROUPS {
        let pgid = slot.load(Ordering::SeqCst);
        if pgid > 0 {
            // SAFETY: killpg is async-signal-safe; the group is a child's own.
            unsafe {
                libc::killpg(pgid, libc::SIGTERM);
            }
        }
    }
}

fn set_handler(sig: libc::c_int, handler: libc::sighandler_t) {
    // SAFETY: a plain sigaction with an empty mask; `handler` is SIG_DFL or
    // `on_signal`, which only touches atomics and calls killpg.
    unsafe {
        let mut action: libc::sigaction = std::mem::zeroed();
        action.sa_sigaction = handler;
        libc::sigemptyset(&mut action.sa_mask);
        libc::sigaction(sig, &action, std::ptr::null_mut());
    }
}

/// While alive, SIGINT and SIGTERM are caught instead of ending git-lxc.
pub struct Deferred(());

impl Deferred {
    pub fn start() -> Deferred {
        CAUGHT.store(0, Ordering::SeqCst);
        let handler = on_signal as extern "C" fn(libc::c_int) as libc::sighandler_t;
        set_handler(libc::SIGINT, handler);
        set_handler(libc::SIGTERM, handler);
        Deferred(())
    }
}

impl Drop for Deferred {
    fn drop(&mut self) {
        set_handler(libc::SIGINT, libc::SIG_DFL);
        set_handler(libc::SIGTERM, libc::SIG_DFL);
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
