// SPDX-License-Identifier: GPL-2.0

//! The crash watch: while the M7 runs, asks the System Manager whether it
//! still does.

use crate::{
    dcfg::Dcfg,
    diag::{
        LastStop,
        Stats, //
    },
    kernel_ext::{
        imx_sm,
        remoteproc::{
            self,
            Rproc, //
        }, //
    },
    sm::Method, //
};
use core::sync::atomic::{
    AtomicBool,
    Ordering, //
};
use kernel::{
    prelude::*,
    sync::{
        aref::ARef,
        Arc, //
    },
    workqueue::{
        self,
        impl_has_delayed_work,
        DelayedWork,
        WorkItem, //
    }, //
};

/// Watches the M7 through the System Manager while it runs, and reports a
/// crash when it stopped behind Linux's back (watchdog reset, lockup, a
/// reset by another agent). Upstream has no crash detection on System
/// Manager platforms.
///
/// Its `ARef<Rproc>` does not outlive unbind: [`ImxRproc::watch`](crate::rproc::ImxRproc::watch) is the
/// only reference besides a queued check's, and dropping [`ImxRproc`](crate::rproc::ImxRproc)
/// (right after `rproc_del`, at unbind) disarms it and cancels the check,
/// timer included (`cancel_delayed_work_sync`). A check that ran between
/// `rproc_del` and that is harmless: `rproc_report_crash` ignores a
/// deleted remote.
#[pin_data]
pub(crate) struct CrashWatch {
    pub(crate) rproc: ARef<Rproc>,
    pub(crate) method: Method,
    pub(crate) cfg: &'static Dcfg,
    pub(crate) stats: Arc<Stats>,
    /// Set while the M7 is meant to run (between start/attach and
    /// stop/detach); a queued check that finds it clear does nothing.
    pub(crate) armed: AtomicBool,
    /// The last check could not ask the System Manager (logged once per
    /// run of failures).
    pub(crate) failing: AtomicBool,
    #[pin]
    pub(crate) work: DelayedWork<CrashWatch>,
}

impl_has_delayed_work! {
    impl HasDelayedWork<Self> for CrashWatch { self.work }
}

impl CrashWatch {
    pub(crate) fn period_ms() -> u32 {
        crate::kernel_ext::compat::param(&crate::module_parameters::crash_poll_ms)
    }

    pub(crate) fn queue(this: &Arc<Self>) {
        let delay = kernel::time::msecs_to_jiffies(Self::period_ms());
        // Already queued: that check will do.
        let _ = workqueue::system_power_efficient().enqueue_delayed(this.clone(), delay);
    }

    /// Starts watching (after a successful start or attach).
    pub(crate) fn arm(this: &Arc<Self>) {
        if Self::period_ms() == 0 {
            return;
        }
        this.armed.store(true, Ordering::Relaxed);
        Self::queue(this);
    }

    /// Stops watching (stop, detach, crash).
    pub(crate) fn disarm(&self) {
        self.armed.store(false, Ordering::Relaxed);
    }

    /// Whether the System Manager says the M7 is still running; on error,
    /// the call that failed.
    pub(crate) fn alive(&self) -> core::result::Result<bool, (&'static str, Error)> {
        let cpu = || imx_sm::cpu_started(self.cfg.cpuid).map_err(|e| ("CPU_INFO_GET", e));
        match self.method {
            Method::Cpu => cpu(),
            Method::Lmm { .. } => {
                let lm = imx_sm::lmm_info(self.cfg.lmid).map_err(|e| ("LMM_ATTRIBUTES", e))?;
                Ok(lm.state == imx_sm::LmState::On && cpu()?)
            }
        }
    }
}

impl WorkItem for CrashWatch {
    type Pointer = Arc<CrashWatch>;

    fn run(this: Arc<CrashWatch>) {
        if !this.armed.load(Ordering::Relaxed) {
            return;
        }
        match this.alive() {
            Ok(false) => {
                if this.armed.swap(false, Ordering::Relaxed) {
                    // What the System Manager says of the LM now, for the record.
                    let lm = match this.method {
                        Method::Cpu => None,
                        Method::Lmm { .. } => imx_sm::lmm_info(this.cfg.lmid)
                            .ok()
                            .map(|i| (i.state, i.errstatus)),
                    };
                    Stats::bump(&this.stats.crashes);
                    this.stats.record(LastStop::CrashDetected { lm });
                    this.stats.crash_fresh.store(true, Ordering::Relaxed);
                    dev_err!(
                        this.rproc.dev(),
                        "the M7 stopped behind Linux's back (System Manager: cpu{} not running)\n",
                        this.cfg.cpuid
                    );
                    this.rproc.report_crash(remoteproc::CrashType::Watchdog);
                }
            }
            Ok(true) => {
                if this.failing.swap(false, Ordering::Relaxed) {
                    dev_info!(
                        this.rproc.dev(),
                        "crash check: the System Manager answers again\n"
                    );
                }
                Self::queue(&this)
            }
            // The SM did not answer this time: look again later.
            Err((call, e)) => {
                if !this.failing.swap(true, Ordering::Relaxed) {
                    dev_warn!(
                        this.rproc.dev(),
                        "crash check: {} failed ({:?}), retrying\n",
                        call,
                        e
                    );
                }
                Self::queue(&this)
            }
        }
    }
}
