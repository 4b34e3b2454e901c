// SPDX-License-Identifier: GPL-2.0

//! The module-wide slot through which the platform devices find the simulated board.
//!
//! The board (System Manager and M7 state, debugfs) is created by module init before the platform
//! driver is registered and removed after it is unregistered; the devices' probe functions get it
//! from here.

use crate::board::Board;
use kernel::{
    prelude::*,
    sync::{
        atomic::{Acquire, Atomic, Full, Release},
        Arc,
    },
};

kernel::sync::global_lock! {
    // SAFETY: Initialised by `set()` before its first use; `STATE` makes sure `init()` runs once
    // and that `get()` uses the lock only afterwards.
    unsafe(uninit) static BOARD: Mutex<Option<Arc<Board>>> = None;
}

/// `BOARD` is not initialised.
const UNINIT: u32 = 0;
/// `BOARD` is being initialised.
const INITIALISING: u32 = 1;
/// `BOARD` is initialised.
const READY: u32 = 2;

/// Initialisation state of `BOARD`.
static STATE: Atomic<u32> = Atomic::new(UNINIT);

/// Initialises `BOARD` if needed; returns once it is ready.
fn ensure_ready() {
    if STATE.cmpxchg(UNINIT, INITIALISING, Full).is_ok() {
        // SAFETY: The successful compare-exchange from `UNINIT` happens once, so this is the only
        // call of `init()`, and no one locks `BOARD` before `STATE` is `READY`.
        unsafe { BOARD.init() };
        STATE.store(READY, Release);
    }
    while STATE.load(Acquire) != READY {
        core::hint::spin_loop();
    }
}

/// Publishes `board` (or withdraws it with `None`).
pub(crate) fn set(board: Option<Arc<Board>>) {
    ensure_ready();
    let old = core::mem::replace(&mut *BOARD.lock(), board);
    // Drop the previous board outside of the lock.
    drop(old);
}

/// Returns the published board, if any.
pub(crate) fn get() -> Option<Arc<Board>> {
    if STATE.load(Acquire) != READY {
        return None;
    }
    BOARD.lock().clone()
}
