// SPDX-License-Identifier: GPL-2.0

//! One debugfs directory per module, shared by the devices it binds.
//!
//! C header: [`include/linux/debugfs.h`](srctree/include/linux/debugfs.h)
//!
//! The kernel crate of 7.2 has no per-module data a probe can reach;
//! `drivers/gpu/nova-core` keeps its root in a `static mut` for that reason
//! ("TODO: Move this into per-module data once that exists"). Here it is a
//! global lock, initialised once, so the driver needs no `unsafe`.

use core::sync::atomic::{
    AtomicU8,
    Ordering, //
};
use kernel::{
    debugfs,
    prelude::*,
    sync::global_lock, //
};

global_lock! {
    // SAFETY: `ROOT` is initialised by the first `ModuleDir::create`, and
    // used only once `STATE` says so (see `ModuleDir`'s `# Invariants`).
    unsafe(uninit) static ROOT: Mutex<Option<debugfs::Dir>> = None;
}

/// `ROOT` is not initialised.
const UNINIT: u8 = 0;
/// `ROOT` is being initialised.
const INITIALISING: u8 = 1;
/// `ROOT` is initialised.
const READY: u8 = 2;

static STATE: AtomicU8 = AtomicU8::new(UNINIT);

/// The module's debugfs root, `/sys/kernel/debug/<name>/`: created in module
/// init, removed when dropped (module exit, after the driver is
/// unregistered, so every device directory under it is gone).
///
/// # Invariants
///
/// While a `ModuleDir` exists, `STATE` is `READY`: `ROOT` is initialised.
pub(crate) struct ModuleDir(());

impl ModuleDir {
    /// Creates the root directory `name`. Meant for module init, once; a
    /// second root replaces the first's directory.
    pub(crate) fn create(name: &CStr) -> Self {
        if STATE
            .compare_exchange(UNINIT, INITIALISING, Ordering::AcqRel, Ordering::Acquire)
            .is_ok()
        {
            // SAFETY: Only the caller that moved `STATE` from `UNINIT` gets
            // here, so `init` runs once, and nothing locks `ROOT` before
            // `STATE` is `READY`.
            unsafe { ROOT.init() };
            STATE.store(READY, Ordering::Release);
        }
        while STATE.load(Ordering::Acquire) != READY {
            core::hint::spin_loop();
        }
        *ROOT.lock() = Some(debugfs::Dir::new(name));
        // INVARIANT: `STATE` is `READY`.
        Self(())
    }

    /// The directory `name` under the module's root, if the module has one
    /// (no `ModuleDir`: an unattached directory that creates nothing).
    pub(crate) fn subdir(name: &CStr) -> Option<debugfs::Dir> {
        if STATE.load(Ordering::Acquire) != READY {
            return None;
        }
        ROOT.lock().as_ref().map(|root| root.subdir(name))
    }
}

impl Drop for ModuleDir {
    fn drop(&mut self) {
        // By the type invariant `ROOT` is initialised.
        let root = ROOT.lock().take();
        drop(root);
    }
}
