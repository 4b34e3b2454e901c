// SPDX-License-Identifier: GPL-2.0

//! Diagnostics: the counters of the IPC path, why the M7 last stopped, and
//! the debugfs `status` file that shows them.

use crate::{
    dcfg::Dcfg,
    kernel_ext::imx_sm,
    sm::Method, //
};
use core::sync::atomic::{
    AtomicBool,
    AtomicU64,
    Ordering, //
};
use kernel::{
    prelude::*,
    sync::{
        Arc,
        Mutex, //
    }, //
};

/// Why the M7 last stopped (or failed to start), as this driver saw it.
///
/// The System Manager keeps a reset reason per logical machine
/// (`LMM_RESET_REASON`), but the kernel's i.MX SM API (`linux/firmware/imx/sm.h`)
/// does not export that message: this is the driver's own record, with what
/// the System Manager did report (run state, LM state and `errStatus`).
#[derive(Clone, Copy)]
pub(crate) enum LastStop {
    /// Not stopped since probe.
    None,
    /// Linux stopped it (`stop`, unbind, rmmod).
    Stopped,
    /// The crash watch found it stopped behind Linux's back; what the
    /// System Manager said then (LMM mode: the LM's state and `errStatus`).
    CrashDetected { lm: Option<(imx_sm::LmState, u32)> },
    /// A crash reported to the core by someone else (e.g. its debugfs).
    CrashReported,
    /// The boot failed before the M7 was started (bad image, load error).
    BootFailedBeforeStart,
    /// Starting it failed with this error.
    StartFailed(Error),
    /// It did not ring the ready doorbell within this many ms.
    ReadyTimeout(u32),
}

impl LastStop {
    pub(crate) fn show(
        &self,
        f: &mut kernel::fmt::Formatter<'_>,
        cfg: &Dcfg,
    ) -> kernel::fmt::Result {
        match *self {
            LastStop::None => write!(f, "none"),
            LastStop::Stopped => write!(f, "stopped by Linux"),
            LastStop::CrashDetected { lm: None } => write!(
                f,
                "crash detected (System Manager: cpu{} not running)",
                cfg.cpuid
            ),
            LastStop::CrashDetected {
                lm: Some((state, err)),
            } => write!(
                f,
                "crash detected (System Manager: cpu{} not running, lm{} {:?}, errstatus {:#x})",
                cfg.cpuid, cfg.lmid, state, err
            ),
            LastStop::CrashReported => write!(f, "crash reported to the remoteproc core"),
            LastStop::BootFailedBeforeStart => write!(f, "boot failed before the M7 started"),
            LastStop::StartFailed(e) => write!(f, "start failed ({:?})", e),
            LastStop::ReadyTimeout(ms) => write!(f, "no ready doorbell within {} ms", ms),
        }
    }
}

/// Counters of the IPC path and the stop record, shown in debugfs.
#[pin_data]
pub(crate) struct Stats {
    /// Kicks sent to the M7.
    pub(crate) kicks: AtomicU64,
    /// Kicks the mailbox refused or timed out.
    pub(crate) kick_errors: AtomicU64,
    /// Notifications received from the M7 (mailbox callbacks).
    pub(crate) rx: AtomicU64,
    /// Runs of the virtqueue walk in process context.
    pub(crate) rx_runs: AtomicU64,
    /// Notifications whose walk found no used buffer in any virtqueue.
    pub(crate) rx_spurious: AtomicU64,
    /// Crashes the crash watch detected.
    pub(crate) crashes: AtomicU64,
    /// Set by the crash watch when it records a crash, cleared by the
    /// next stop or start: the stop of that crash's recovery keeps it as
    /// the reason.
    pub(crate) crash_fresh: AtomicBool,
    /// Why the M7 last stopped.
    #[pin]
    pub(crate) last_stop: Mutex<LastStop>,
    /// The last successful `load` op: bytes written (segments copied and
    /// zero-filled, their `p_memsz`) and how long it took, in ns.
    #[pin]
    pub(crate) last_load: Mutex<Option<(u64, i64)>>,
}

impl Stats {
    pub(crate) fn new() -> Result<Arc<Self>> {
        Arc::pin_init(
            pin_init!(Stats {
                kicks: AtomicU64::new(0),
                kick_errors: AtomicU64::new(0),
                rx: AtomicU64::new(0),
                rx_runs: AtomicU64::new(0),
                rx_spurious: AtomicU64::new(0),
                crashes: AtomicU64::new(0),
                crash_fresh: AtomicBool::new(false),
                last_stop <- kernel::new_mutex!(LastStop::None),
                last_load <- kernel::new_mutex!(None),
            }),
            GFP_KERNEL,
        )
    }

    pub(crate) fn bump(counter: &AtomicU64) {
        counter.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn record(&self, why: LastStop) {
        *self.last_stop.lock() = why;
    }
}

/// What `/sys/kernel/debug/imx_rproc_rs/<device>/status` shows.
pub(crate) struct Diag {
    pub(crate) method: Method,
    pub(crate) cfg: &'static Dcfg,
    pub(crate) stats: Arc<Stats>,
}

impl Diag {
    pub(crate) fn show(&self, f: &mut kernel::fmt::Formatter<'_>) -> kernel::fmt::Result {
        writeln!(f, "method: {}", self.method.name())?;
        match imx_sm::cpu_started(self.cfg.cpuid) {
            Ok(run) => writeln!(
                f,
                "cpu{}: {}",
                self.cfg.cpuid,
                if run { "running" } else { "stopped" }
            )?,
            Err(e) => writeln!(f, "cpu{}: unknown ({:?})", self.cfg.cpuid, e)?,
        }
        if let Method::Lmm { .. } = self.method {
            match imx_sm::lmm_info(self.cfg.lmid) {
                Ok(info) => writeln!(
                    f,
                    "lm{}: {:?} (errstatus {:#x})",
                    self.cfg.lmid, info.state, info.errstatus
                )?,
                Err(e) => writeln!(f, "lm{}: unknown ({:?})", self.cfg.lmid, e)?,
            }
        }
        let get = |c: &AtomicU64| c.load(Ordering::Relaxed);
        let last = *self.stats.last_stop.lock();
        write!(f, "last_stop: ")?;
        last.show(f, self.cfg)?;
        writeln!(f)?;
        match *self.stats.last_load.lock() {
            Some((bytes, ns)) => writeln!(
                f,
                "last_load: {} bytes in {} us",
                bytes,
                // Rounded up: a load that happened never shows 0.
                ns.saturating_add(999) / 1000
            )?,
            None => writeln!(f, "last_load: none")?,
        }
        writeln!(f, "crashes_detected: {}", get(&self.stats.crashes))?;
        writeln!(f, "kicks: {}", get(&self.stats.kicks))?;
        writeln!(f, "kick_errors: {}", get(&self.stats.kick_errors))?;
        writeln!(f, "rx_notifications: {}", get(&self.stats.rx))?;
        writeln!(f, "rx_vring_walks: {}", get(&self.stats.rx_runs))?;
        writeln!(f, "rx_spurious: {}", get(&self.stats.rx_spurious))
    }
}
