// SPDX-License-Identifier: GPL-2.0

//! Remote processor driver for the Cortex-M7 of the NXP i.MX95, controlled
//! through the i.MX System Manager.
//!
//! A drop-in replacement for the i.MX95 path of `drivers/remoteproc/imx_rproc.c`:
//! it binds `fsl,imx95-cm7`, registers the device tree's reserved memory as
//! carveouts, talks to the M7 through the `tx`/`rx` mailboxes and boots and
//! stops it with the System Manager's CPU protocol (the M7 sits in Linux's
//! logical machine) or LMM protocol (it has a logical machine of its own).

use kernel::{
    debugfs,
    device::{Bound, Core, Device},
    of, platform,
    prelude::*,
    str::CString,
    sync::{aref::ARef, Arc, Mutex},
    time::{Instant, Monotonic},
    workqueue::{
        self, impl_has_delayed_work, impl_has_work, new_delayed_work, new_work, DelayedWork, Work,
        WorkItem,
    },
};

mod fw;
mod kernel_ext;
#[cfg(CONFIG_KUNIT)]
mod selftests;

use core::sync::atomic::{AtomicBool, AtomicI64, AtomicU32, AtomicU64, Ordering};
use fw::{
    att::{self, AttEntry},
    boot,
    elf::Elf32,
    rsc::{Limits, Resource, ResourceTable},
};
use kernel_ext::{
    imx_sm,
    mailbox::{self, Channel, RxHandler},
    of_rmem::{self, IoMapping, MapKind, MappedRange, ReservedRegion},
    pm::RuntimePm,
    remoteproc::{self, LoadedTable, Rproc},
};

/// The M7's CPU id in the System Manager (must match the SM configuration).
const M7_CPUID: u32 = 1;
/// The M7's logical machine id in the System Manager.
const M7_LMID: u32 = 1;
/// At most this many `memory-region` entries, as the C driver.
const MAX_REGIONS: usize = 32;
/// How long a kick waits for the MU to take its word, as the C driver's `tx_tout`.
const MBOX_TX_TIMEOUT_MS: u32 = 100;
/// How much of the `rsc-table` region the core gets on attach, as upstream.
const ATTACHED_TABLE_SIZE: usize = 1024;
/// How often a graceful LMM shutdown is polled.
const GRACE_POLL_MS: u32 = 10;
/// `EI_CLASS` of the M7's coredumps.
const ELFCLASS32: u8 = 1;
/// A firmware that rings the `rxdb` doorbell once ready says so with this
/// section, holding the longest wait in ms as a little-endian `u32` (0: the
/// default, [`READY_DEFAULT_MS`]). Replaces the rejected
/// `fsl,startup-delay-ms`: no fixed sleep, and no wait at all for a
/// firmware that does not announce it.
const READY_SECTION: &[u8] = b".imx_rproc.ready";
/// Default wait for the ready doorbell.
const READY_DEFAULT_MS: u32 = 1000;
/// The section the resource table is linked into.
const RSC_SECTION: &[u8] = b".resource_table";
/// Notifications in a row that find no used buffer before the driver
/// reports them.
const SPURIOUS_WARN: u64 = 100;
/// Spurious notifications are reported at most this often.
const SPURIOUS_LOG_MS: i64 = 5000;
/// Failed kicks logged one by one before only every
/// `KICK_ERR_LOG_EVERY`th is.
const KICK_ERR_LOG_FIRST: u64 = 10;
/// See `KICK_ERR_LOG_FIRST`.
const KICK_ERR_LOG_EVERY: u64 = 1000;
/// Virtqueue ids a kick can name: the core gives each vring a notify id
/// from 0, and a resource table has at most 32 entries of at most 2 vrings.
const MAX_KICK_IDS: usize = 64;

/// The word a kick of virtqueue `i` sends (the NXP convention: the id in the
/// upper half-word). Static, so the pointer the mailbox framework keeps is
/// valid whatever happens to the kick that sent it.
static KICK_WORDS: [AtomicU32; MAX_KICK_IDS] = kick_words();

const fn kick_words() -> [AtomicU32; MAX_KICK_IDS] {
    let mut words = [const { AtomicU32::new(0) }; MAX_KICK_IDS];
    let mut i = 0;
    while i < MAX_KICK_IDS {
        words[i] = AtomicU32::new((i as u32) << 16);
        i += 1;
    }
    words
}

/// How Linux controls the M7.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Method {
    /// The M7 is in Linux's logical machine: CPU protocol.
    Cpu,
    /// The M7 has a logical machine of its own: LMM protocol; `control` says
    /// whether the System Manager lets Linux boot and stop it (otherwise
    /// only IPC with an M7 someone else booted).
    Lmm { control: bool },
}

impl Method {
    fn name(self) -> &'static str {
        match self {
            Method::Cpu => "cpu",
            Method::Lmm { control: true } => "lmm",
            Method::Lmm { control: false } => "lmm-ipc-only",
        }
    }
}

/// Why the M7 last stopped (or failed to start), as this driver saw it.
///
/// The System Manager keeps a reset reason per logical machine
/// (`LMM_RESET_REASON`), but the kernel's i.MX SM API (`linux/firmware/imx/sm.h`)
/// does not export that message: this is the driver's own record, with what
/// the System Manager did report (run state, LM state and `errStatus`).
#[derive(Clone, Copy)]
enum LastStop {
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
    fn show(&self, f: &mut kernel::fmt::Formatter<'_>) -> kernel::fmt::Result {
        match *self {
            LastStop::None => write!(f, "none"),
            LastStop::Stopped => write!(f, "stopped by Linux"),
            LastStop::CrashDetected { lm: None } => write!(
                f,
                "crash detected (System Manager: cpu{} not running)",
                M7_CPUID
            ),
            LastStop::CrashDetected {
                lm: Some((state, err)),
            } => write!(
                f,
                "crash detected (System Manager: cpu{} not running, lm{} {:?}, errstatus {:#x})",
                M7_CPUID, M7_LMID, state, err
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
struct Stats {
    /// Kicks sent to the M7.
    kicks: AtomicU64,
    /// Kicks the mailbox refused or timed out.
    kick_errors: AtomicU64,
    /// Notifications received from the M7 (mailbox callbacks).
    rx: AtomicU64,
    /// Runs of the virtqueue walk in process context.
    rx_runs: AtomicU64,
    /// Notifications whose walk found no used buffer in any virtqueue.
    rx_spurious: AtomicU64,
    /// Crashes the crash watch detected.
    crashes: AtomicU64,
    /// Set by the crash watch when it records a crash, cleared by the
    /// next stop or start: the stop of that crash's recovery keeps it as
    /// the reason.
    crash_fresh: AtomicBool,
    /// Why the M7 last stopped.
    #[pin]
    last_stop: Mutex<LastStop>,
    /// The last successful `load` op: bytes written (segments copied and
    /// zero-filled, their `p_memsz`) and how long it took, in ns.
    #[pin]
    last_load: Mutex<Option<(u64, i64)>>,
}

impl Stats {
    fn new() -> Result<Arc<Self>> {
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

    fn bump(counter: &AtomicU64) {
        counter.fetch_add(1, Ordering::Relaxed);
    }

    fn record(&self, why: LastStop) {
        *self.last_stop.lock() = why;
    }
}

/// What `/sys/kernel/debug/imx_rproc_rs/<device>/status` shows.
struct Diag {
    method: Method,
    stats: Arc<Stats>,
}

impl Diag {
    fn show(&self, f: &mut kernel::fmt::Formatter<'_>) -> kernel::fmt::Result {
        writeln!(f, "method: {}", self.method.name())?;
        match imx_sm::cpu_started(M7_CPUID) {
            Ok(run) => writeln!(
                f,
                "cpu{}: {}",
                M7_CPUID,
                if run { "running" } else { "stopped" }
            )?,
            Err(e) => writeln!(f, "cpu{}: unknown ({:?})", M7_CPUID, e)?,
        }
        if let Method::Lmm { .. } = self.method {
            match imx_sm::lmm_info(M7_LMID) {
                Ok(info) => writeln!(
                    f,
                    "lm{}: {:?} (errstatus {:#x})",
                    M7_LMID, info.state, info.errstatus
                )?,
                Err(e) => writeln!(f, "lm{}: unknown ({:?})", M7_LMID, e)?,
            }
        }
        let get = |c: &AtomicU64| c.load(Ordering::Relaxed);
        let last = *self.stats.last_stop.lock();
        write!(f, "last_stop: ")?;
        last.show(f)?;
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

/// Defers "the M7 sent something" from the mailbox callback, which may be
/// atomic, to process context, where the rpmsg receive path may sleep.
///
/// Its `ARef<Rproc>` does not outlive unbind: the only references to the
/// item are [`ImxRproc::rx`] and the `rx` channel's handler, and the
/// registration (devres-bound, dropped at unbind) drops [`ImxRproc`] right
/// after `rproc_del`, whose drop frees the channel, then cancels the item
/// and waits for a running one (`cancel_work_sync`).
#[pin_data]
struct RxWork {
    rproc: ARef<Rproc>,
    stats: Arc<Stats>,
    /// `stats.rx` when the last walk started.
    seen: AtomicU64,
    /// [`Rproc::vq_used_sum`] at the last walk.
    last_used: AtomicU32,
    /// Notifications in a row whose walk found nothing new.
    idle_streak: AtomicU64,
    /// Spurious notifications not reported yet.
    unreported: AtomicU64,
    /// When they were last reported, in ms since `base`.
    last_log_ms: AtomicI64,
    base: Instant<Monotonic>,
    #[pin]
    work: Work<RxWork>,
}

impl_has_work! {
    impl HasWork<Self> for RxWork { self.work }
}

impl WorkItem for RxWork {
    type Pointer = Arc<RxWork>;

    fn run(this: Arc<RxWork>) {
        Stats::bump(&this.stats.rx_runs);
        // Notifications coalesce into one run: count those since the last.
        let rx = this.stats.rx.load(Ordering::Relaxed);
        let words = rx.saturating_sub(this.seen.swap(rx, Ordering::Relaxed));
        // The M7's word is not trustworthy (Zephyr sends an uninitialised
        // one), so an unknown notify id cannot be told from a normal
        // notification: look at every virtqueue, and report notifications
        // after which no virtqueue had a new used buffer (a remote kicking
        // for no reason).
        let used = this.rproc.vq_used_sum();
        this.rproc.vq_interrupt_all();
        if this.last_used.swap(used, Ordering::Relaxed) != used {
            this.idle_streak.store(0, Ordering::Relaxed);
            return;
        }
        this.stats.rx_spurious.fetch_add(words, Ordering::Relaxed);
        let streak = this
            .idle_streak
            .fetch_add(words, Ordering::Relaxed)
            .saturating_add(words);
        // A few in a row happen when notifications coalesce; more is a
        // remote that floods: counted, and reported at most every
        // SPURIOUS_LOG_MS (the kernel crate has no printk ratelimit).
        if streak < SPURIOUS_WARN {
            return;
        }
        let new = if streak - words < SPURIOUS_WARN {
            streak
        } else {
            words
        };
        let unreported = this
            .unreported
            .fetch_add(new, Ordering::Relaxed)
            .saturating_add(new);
        let now = (Instant::<Monotonic>::now() - this.base).as_millis();
        if now.saturating_sub(this.last_log_ms.load(Ordering::Relaxed)) >= SPURIOUS_LOG_MS {
            this.last_log_ms.store(now, Ordering::Relaxed);
            this.unreported.store(0, Ordering::Relaxed);
            dev_warn!(
                this.rproc.dev(),
                "{} notifications from the M7 brought no new used buffer in any virtqueue (spurious, ignored; reported at most every {} ms)\n",
                unreported,
                SPURIOUS_LOG_MS
            );
        }
    }
}

impl RxHandler for RxWork {
    fn received(this: &Arc<Self>) {
        Stats::bump(&this.stats.rx);
        // Already queued: that run will see this message's buffers too.
        let _ = workqueue::system_highpri().enqueue(this.clone());
    }
}

/// Watches the M7 through the System Manager while it runs, and reports a
/// crash when it stopped behind Linux's back (watchdog reset, lockup, a
/// reset by another agent). Upstream has no crash detection on System
/// Manager platforms.
///
/// Its `ARef<Rproc>` does not outlive unbind: [`ImxRproc::watch`] is the
/// only reference besides a queued check's, and dropping [`ImxRproc`]
/// (right after `rproc_del`, at unbind) disarms it and cancels the check,
/// timer included (`cancel_delayed_work_sync`). A check that ran between
/// `rproc_del` and that is harmless: `rproc_report_crash` ignores a
/// deleted remote.
#[pin_data]
struct CrashWatch {
    rproc: ARef<Rproc>,
    method: Method,
    stats: Arc<Stats>,
    /// Set while the M7 is meant to run (between start/attach and
    /// stop/detach); a queued check that finds it clear does nothing.
    armed: AtomicBool,
    /// The last check could not ask the System Manager (logged once per
    /// run of failures).
    failing: AtomicBool,
    #[pin]
    work: DelayedWork<CrashWatch>,
}

impl_has_delayed_work! {
    impl HasDelayedWork<Self> for CrashWatch { self.work }
}

impl CrashWatch {
    fn period_ms() -> u32 {
        *module_parameters::crash_poll_ms.value()
    }

    fn queue(this: &Arc<Self>) {
        let delay = kernel::time::msecs_to_jiffies(Self::period_ms());
        // Already queued: that check will do.
        let _ = workqueue::system_power_efficient().enqueue_delayed(this.clone(), delay);
    }

    /// Starts watching (after a successful start or attach).
    fn arm(this: &Arc<Self>) {
        if Self::period_ms() == 0 {
            return;
        }
        this.armed.store(true, Ordering::Relaxed);
        Self::queue(this);
    }

    /// Stops watching (stop, detach, crash).
    fn disarm(&self) {
        self.armed.store(false, Ordering::Relaxed);
    }

    /// Whether the System Manager says the M7 is still running; on error,
    /// the call that failed.
    fn alive(&self) -> core::result::Result<bool, (&'static str, Error)> {
        let cpu = || imx_sm::cpu_started(M7_CPUID).map_err(|e| ("CPU_INFO_GET", e));
        match self.method {
            Method::Cpu => cpu(),
            Method::Lmm { .. } => {
                let lm = imx_sm::lmm_info(M7_LMID).map_err(|e| ("LMM_ATTRIBUTES", e))?;
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
                        Method::Lmm { .. } => imx_sm::lmm_info(M7_LMID)
                            .ok()
                            .map(|i| (i.state, i.errstatus)),
                    };
                    Stats::bump(&this.stats.crashes);
                    this.stats.record(LastStop::CrashDetected { lm });
                    this.stats.crash_fresh.store(true, Ordering::Relaxed);
                    dev_err!(
                        this.rproc.dev(),
                        "the M7 stopped behind Linux's back (System Manager: cpu{} not running)\n",
                        M7_CPUID
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

/// The `rxdb` doorbell a firmware rings once it is ready for IPC.
struct ReadyBell {
    rung: AtomicBool,
}

impl RxHandler for ReadyBell {
    fn received(this: &Arc<Self>) {
        this.rung.store(true, Ordering::Release);
    }
}

/// The `tx` and `rx` channels of the M7's messaging unit.
struct Mailboxes {
    tx: Channel<RxWork>,
    _rx: Channel<RxWork>,
}

impl Mailboxes {
    /// Requests both channels, as `imx_rproc_xtr_mbox_init` does.
    fn request(dev: &Device<Bound>, rx: &Arc<RxWork>) -> Result<Self> {
        let tx = Self::channel(dev, c"tx", None)?;
        let rx_chan = Self::channel(dev, c"rx", Some(rx.clone()))?;
        Ok(Self { tx, _rx: rx_chan })
    }

    /// Requests channel `name`, reporting failures other than a deferral.
    /// Sends block until the MU took the word, at most
    /// `MBOX_TX_TIMEOUT_MS`, as in the C driver: the mailbox core ticks a
    /// send that timed out off, so one lost TX-done (a word the M7 never
    /// took) does not stall every later kick, as it does with queued,
    /// non-blocking sends until the channel is freed.
    fn channel(
        dev: &Device<Bound>,
        name: &CStr,
        handler: Option<Arc<RxWork>>,
    ) -> Result<Channel<RxWork>> {
        let config = mailbox::Config {
            tx_block: true,
            tx_tout_ms: MBOX_TX_TIMEOUT_MS,
            knows_txdone: false,
        };
        Channel::request(dev, name, config, handler).inspect_err(|e| {
            if *e != EPROBE_DEFER {
                dev_err!(dev, "failed to request {} mailbox channel: {:?}\n", name, e);
            }
        })
    }
}

/// Reports a defect of the firmware image and turns it into an errno.
fn fw_error(dev: &Device, what: &str, e: fw::error::Error) -> Error {
    // Addresses read best in hex: the Debug form with hex fields.
    dev_err!(dev, "{}: {} (hex: {:x?})\n", what, e.describe(), e);
    Error::from_errno(e.errno())
}

/// A physical range mapped at probe time, with the remote's view of it.
struct Mapped {
    /// Where the range starts in the system address space.
    sa: u64,
    /// Shared with the carveout registered over the same range, if any.
    map: Arc<IoMapping>,
}

/// The driver's per-device state; the [`remoteproc::Operations`] receive it.
#[pin_data(PinnedDrop)]
struct ImxRproc {
    method: Method,
    regions: KVec<ReservedRegion>,
    att: &'static [AttEntry],
    mapped: KVec<Mapped>,
    /// Index in `mapped` of the `rsc-table` region, where the live resource
    /// table lives.
    rsc_table: Option<usize>,
    /// The `vdevNvringM` regions `(start, len)`: where a vring with a fixed
    /// device address must lie.
    vring_ranges: Ranges,
    /// The M7's own memory as system ranges `(start, len)`: the TCMs and
    /// every region that is not for IPC (not `vdev*`, not `rsc-table`).
    /// Segments and trace buffers must lie inside one of them.
    m7_ranges: Ranges,
    rx: Arc<RxWork>,
    stats: Arc<Stats>,
    watch: Arc<CrashWatch>,
    /// Present between start/attach and stop; the channels are given back
    /// while the M7 is offline, as the C driver does.
    #[pin]
    mbox: Mutex<Option<Arc<Mailboxes>>>,
    /// Kicks between taking a reference to the channels and dropping it.
    /// The lock is not held while a kick waits for the MU: a writer and the
    /// receive work item would queue up behind each other's wait.
    kicks_sending: AtomicU32,
    /// The translation entries (TCMs) the image being booted loads into,
    /// as a bit mask over `att`: they become coredump segments. TCMs an
    /// image does not use are left alone (they may not even be powered).
    tcm_used: AtomicU32,
    /// `prepare` powered the LM on and no boot followed yet (LMM mode).
    powered_not_booted: AtomicBool,
    /// Between `prepare` of a boot and the end of `start`: a boot that
    /// `unprepare` finds still pending failed before the M7 started.
    booting: AtomicBool,
    /// The node has an `rxdb` mailbox channel.
    has_rxdb: bool,
    /// How long `start` waits for the ready doorbell, in ms; 0 when the
    /// image being booted does not announce it (see [`READY_SECTION`]).
    ready_timeout_ms: AtomicU32,
}

impl ImxRproc {
    /// Requests the mailbox channels again after a stop.
    fn mbox_init(&self, dev: &Device<Bound>) -> Result {
        let mut guard = self.mbox.lock();
        if guard.is_none() {
            *guard = Some(Arc::new(Mailboxes::request(dev, &self.rx)?, GFP_KERNEL)?);
        }
        Ok(())
    }

    fn mbox_free(&self) {
        let taken = self.mbox.lock().take();
        drop(taken);
        // A kick still sending holds the channels until its send returns
        // (at most MBOX_TX_TIMEOUT_MS): wait for it, so that they are
        // released and free for the next start when this returns.
        let begin = Instant::<Monotonic>::now();
        while self.kicks_sending.load(Ordering::Acquire) != 0 {
            if begin.elapsed().as_millis() >= i64::from(2 * MBOX_TX_TIMEOUT_MS) {
                pr_warn!("imx_rproc_rs: a kick is still sending after stop\n");
                break;
            }
            kernel::time::delay::fsleep(kernel::time::Delta::from_millis(1));
        }
    }

    /// The vector table address `get_boot_addr` derived and checked (for a
    /// plain image the entry masked to 64 KiB, as upstream). Masking it
    /// again would break an MCUXpresso `.interrupts` table that is not
    /// 64 KiB-aligned.
    fn reset_vector(rproc: &Rproc) -> u64 {
        rproc.bootaddr()
    }

    fn rsc_region(&self) -> Option<&IoMapping> {
        self.rsc_table
            .and_then(|i| self.mapped.get(i))
            .map(|m| &*m.map)
    }

    /// The probe-time mapping of exactly `pa..pa + len`, if there is one.
    fn mapping_of(&self, pa: u64, len: usize) -> Option<Arc<IoMapping>> {
        self.mapped
            .iter()
            .find(|m| m.map.pa() == pa && m.map.size() == len)
            .map(|m| m.map.clone())
    }

    fn parse_elf<'a>(dev: &Device, fw: &'a [u8]) -> Result<Elf32<'a>> {
        Elf32::parse(fw).map_err(|e| fw_error(dev, "invalid firmware", e))
    }

    /// Resource-table limits: at most the `rsc-table` region, if there is
    /// one; vrings with a fixed address inside the vring regions.
    fn rsc_limits(&self) -> Limits<'_> {
        let mut limits = Limits::DEFAULT;
        if let Some(region) = self.rsc_region() {
            limits.max_len = region.size();
        }
        limits.vring_da_ok = &self.vring_ranges;
        limits
    }

    /// Whether the device range `da..da + len` is M7 memory: it translates
    /// and lies inside one of `m7_ranges` (so not in a vring, the vdev
    /// buffer or the resource-table region, which the core and Linux own).
    fn in_m7_memory(&self, da: u64, len: u64) -> bool {
        let Ok((sys, _)) = att::da_to_sys(self.att, da, len) else {
            return false;
        };
        self.m7_ranges
            .iter()
            .any(|&range| sys_range_within(sys, len, range))
    }

    /// The offset of the device range `da..da + len` in the `rsc-table`
    /// region, if it translates and lies inside it.
    fn rsc_offset(&self, da: u64, len: u64) -> Option<u64> {
        let region = self.rsc_region()?;
        let (sys, _) = att::da_to_sys(self.att, da, len).ok()?;
        let size = u64::try_from(region.size()).ok()?;
        sys_range_within(sys, len, (region.pa(), size)).then(|| sys - region.pa())
    }

    /// Whether a program segment may load at `da..da + len`: M7 memory or,
    /// as upstream (`imx_rproc_addr_init()` maps every region whose name
    /// does not start with `vdev`), the `rsc-table` region. i.MX firmware
    /// commonly links `.resource_table` there, so that the table Linux
    /// attaches to sits where the device tree reserves it; the core then
    /// copies the table over the same bytes. Never a vring or the vdev
    /// buffer, which Linux owns (upstream loads there through the core's
    /// carveout fallback, and the vring setup overwrites the bytes).
    fn loadable(&self, da: u64, len: u64) -> bool {
        self.in_m7_memory(da, len) || self.rsc_offset(da, len).is_some()
    }

    /// Refuses a table (`table_len` bytes) whose trace buffers are not M7
    /// memory or the `rsc-table` region past the table. A trace over the
    /// live table would have the M7 write its log over the vdev status and
    /// vring addresses (upstream accepts it).
    fn check_traces(&self, dev: &Device, table: &ResourceTable<'_>, table_len: usize) -> Result {
        let table_len = u64::try_from(table_len)?;
        for entry in table.entries() {
            if let Resource::Trace { da, len, .. } = entry.resource {
                if self.in_m7_memory(da.into(), len.into()) {
                    continue;
                }
                match self.rsc_offset(da.into(), len.into()) {
                    Some(offset) if offset >= table_len => continue,
                    Some(_) => dev_err!(
                        dev,
                        "trace resource {} (da {:#x}, {:#x} bytes) overlaps the resource table ({} bytes) in the rsc-table region\n",
                        entry.index,
                        da,
                        len,
                        table_len
                    ),
                    None => dev_err!(
                        dev,
                        "trace resource {} (da {:#x}, {:#x} bytes) is outside every memory region\n",
                        entry.index,
                        da,
                        len
                    ),
                }
                return Err(EINVAL);
            }
        }
        Ok(())
    }

    /// Boots the M7 from the reset vector: `start` without its bookkeeping.
    /// Sets `why` when the failure is more than an error code.
    fn start_m7(this: &Self, rproc: &Rproc, dev: &Device<Bound>, why: &mut LastStop) -> Result {
        this.mbox_init(dev)?;
        // Listen for the ready doorbell before the M7 can ring it.
        let ready_ms = this.ready_timeout_ms.load(Ordering::Relaxed);
        let bell = if ready_ms > 0 {
            let bell = Arc::new(
                ReadyBell {
                    rung: AtomicBool::new(false),
                },
                GFP_KERNEL,
            )?;
            let chan = Channel::request(
                dev,
                c"rxdb",
                mailbox::Config {
                    tx_block: false,
                    tx_tout_ms: 0,
                    knows_txdone: false,
                },
                Some(bell.clone()),
            )
            .inspect_err(|e| dev_err!(dev, "failed to request rxdb mailbox channel: {:?}\n", e))?;
            Some((bell, chan))
        } else {
            None
        };
        let vector = Self::reset_vector(rproc);
        let ret = match this.method {
            Method::Cpu => imx_sm::cpu_reset_vector_set(M7_CPUID, vector, true, false, false)
                .inspect_err(|e| {
                    dev_err!(
                        dev,
                        "Failed to set reset vector cpuid({}): {:?}\n",
                        M7_CPUID,
                        e
                    )
                })
                .and_then(|()| {
                    imx_sm::cpu_start(M7_CPUID, true).inspect_err(|e| {
                        dev_err!(dev, "Failed to start cpu({}): {:?}\n", M7_CPUID, e);
                        // No answer: the System Manager may have started
                        // it all the same. The core will not stop a
                        // remote whose start failed: stop it here.
                        if *e == ETIMEDOUT {
                            let _ = imx_sm::cpu_start(M7_CPUID, false);
                        }
                    })
                }),
            Method::Lmm { .. } => imx_sm::lmm_reset_vector_set(M7_LMID, M7_CPUID, 0, vector)
                .inspect_err(|e| {
                    dev_err!(
                        dev,
                        "Failed to set reset vector lmid({}), cpuid({}): {:?}\n",
                        M7_LMID,
                        M7_CPUID,
                        e
                    )
                })
                .and_then(|()| {
                    imx_sm::lmm_boot(M7_LMID).inspect_err(|e| {
                        dev_err!(dev, "Failed to boot lmm({}): {:?}\n", M7_LMID, e)
                    })
                }),
        };
        if ret.is_err() {
            dev_err!(dev, "Failed to enable remote core!\n");
            return ret;
        }
        if let Some((bell, _chan)) = bell {
            if let Err(e) = wait_ready(dev, &bell, ready_ms) {
                *why = LastStop::ReadyTimeout(ready_ms);
                // The core does not stop a remote whose start failed. In
                // LMM mode `unprepare` powers the LM down (no boot counted).
                if this.method == Method::Cpu {
                    let _ = imx_sm::cpu_start(M7_CPUID, false);
                }
                return Err(e);
            }
        }
        this.powered_not_booted.store(false, Ordering::Relaxed);
        CrashWatch::arm(&this.watch);
        Ok(())
    }
}

#[pinned_drop]
impl PinnedDrop for ImxRproc {
    fn drop(self: Pin<&mut Self>) {
        // Dropped after the core let go of the remote (`rproc_del`). No
        // work item of this module may stay queued once its code is gone:
        // silence the sources, then cancel what is still queued or running.
        self.mbox_free();
        self.watch.disarm();
        kernel_ext::workqueue::cancel_delayed_work_sync(&self.watch);
        kernel_ext::workqueue::cancel_work_sync(&self.rx);
    }
}

#[vtable]
impl remoteproc::Operations for ImxRproc {
    fn prepare(this: &Self, rproc: &Rproc, parent: &Device<Bound>) -> Result {
        let attaching = rproc.state() == remoteproc::State::Detached;
        // Refuse before registering anything: the core does not clean up
        // after a failed prepare (upstream leaves the carveouts behind).
        if this.method == (Method::Lmm { control: false }) && !attaching {
            return Err(EACCES);
        }

        // Carveouts are released at every shutdown: register them again.
        for region in this.regions.iter() {
            let name = region.base_name();
            // The vdev buffer (index 0, a DMA pool) and the resource table
            // are not carveouts.
            if name.starts_with(b"vdev0buffer") || name.starts_with(b"rsc-table") {
                continue;
            }
            // i.MX maps DDR 1:1: the remote sees the physical address.
            let da = u32::try_from(region.start()).map_err(|_| EINVAL)?;
            let len = usize::try_from(region.size()).map_err(|_| EINVAL)?;
            // A region mapped at probe is not mapped a second time.
            match this.mapping_of(region.start(), len) {
                Some(map) => rproc.add_mapped_carveout(&region.base_cname()?, map, da)?,
                None => rproc.add_iomem_carveout(&region.base_cname()?, region, da)?,
            }
            rproc.coredump_add_segment(da.into(), len)?;
        }

        // The TCMs the image loads into are part of the remote's state too.
        let tcm = if attaching {
            0
        } else {
            this.tcm_used.load(Ordering::Relaxed)
        };
        for (i, e) in this.att.iter().enumerate() {
            if tcm & (1 << i) != 0 {
                rproc.coredump_add_segment(e.da.into(), usize::try_from(e.size)?)?;
            }
        }

        this.booting.store(!attaching, Ordering::Relaxed);
        if this.method == (Method::Lmm { control: true }) && !attaching {
            let dev = parent;
            imx_sm::lmm_power_on(M7_LMID).inspect_err(|e| {
                dev_err!(dev, "Failed to power on lmm({}): {:?}\n", M7_LMID, e);
            })?;
            dev_info!(dev, "lmm({}) powered on by Linux\n", M7_LMID);
            this.powered_not_booted.store(true, Ordering::Relaxed);
        }
        Ok(())
    }

    fn unprepare(this: &Self, _rproc: &Rproc, parent: &Device<Bound>) -> Result {
        if this.booting.swap(false, Ordering::Relaxed) {
            this.stats.record(LastStop::BootFailedBeforeStart);
        }
        // A boot that failed after prepare powered the LM on (bad image,
        // SM error) must not leave it powered: upstream has no unprepare.
        if this.powered_not_booted.swap(false, Ordering::Relaxed) {
            let dev = parent;
            dev_info!(dev, "boot failed, powering lmm({}) down\n", M7_LMID);
            imx_sm::lmm_shutdown(M7_LMID, imx_sm::LMM_OP_FORCEFUL)
                .inspect_err(|e| dev_err!(dev, "shutdown lmm({}) failed: {:?}\n", M7_LMID, e))?;
        }
        Ok(())
    }

    fn start(this: &Self, rproc: &Rproc, parent: &Device<Bound>) -> Result {
        this.booting.store(false, Ordering::Relaxed);
        this.stats.crash_fresh.store(false, Ordering::Relaxed);
        let mut why = LastStop::None;
        let ret = Self::start_m7(this, rproc, parent, &mut why);
        if let Err(e) = ret {
            this.stats.record(match why {
                LastStop::None => LastStop::StartFailed(e),
                why => why,
            });
        }
        ret
    }

    fn stop(this: &Self, rproc: &Rproc, parent: &Device<Bound>) -> Result {
        this.watch.disarm();
        let ret = match this.method {
            Method::Cpu => imx_sm::cpu_start(M7_CPUID, false),
            Method::Lmm { control: false } => Err(EACCES),
            Method::Lmm { control: true } => lmm_stop(parent),
        };
        match ret {
            Ok(()) => {
                this.mbox_free();
                // The stop of the recovery from a crash the watch found
                // keeps that crash as the reason.
                let fresh = this.stats.crash_fresh.swap(false, Ordering::Relaxed);
                if rproc.state() != remoteproc::State::Crashed {
                    this.stats.record(LastStop::Stopped);
                } else if !fresh {
                    this.stats.record(LastStop::CrashReported);
                }
            }
            Err(_) => {
                dev_err!(parent, "Failed to stop remote core\n");
                // The core keeps it running: keep watching it.
                CrashWatch::arm(&this.watch);
            }
        }
        ret
    }

    fn attach(this: &Self, _rproc: &Rproc, parent: &Device<Bound>) -> Result {
        this.mbox_init(parent)?;
        CrashWatch::arm(&this.watch);
        Ok(())
    }

    fn detach(this: &Self, _rproc: &Rproc, _parent: &Device<Bound>) -> Result {
        // The M7 keeps running; Linux stops listening and gives the
        // channels back until it attaches again. (Upstream has no detach
        // for the System Manager and fails here after the core has already
        // torn rpmsg down, leaving the remote attached with IPC dead.)
        this.watch.disarm();
        this.mbox_free();
        Ok(())
    }

    fn kick(this: &Self, _rproc: &Rproc, parent: &Device<Bound>, vqid: i32) {
        let Some(word) = usize::try_from(vqid).ok().and_then(|i| KICK_WORDS.get(i)) else {
            Stats::bump(&this.stats.kick_errors);
            dev_err!(parent, "kick: no virtqueue id {}\n", vqid);
            return;
        };
        let mbox = {
            let guard = this.mbox.lock();
            if guard.is_some() {
                // Under the lock, so that `mbox_free` sees it.
                this.kicks_sending.fetch_add(1, Ordering::Acquire);
            }
            guard.clone()
        };
        let Some(mbox) = mbox else {
            dev_err!(parent, "No initialized mbox tx channel\n");
            return;
        };
        Stats::bump(&this.stats.kicks);
        // Waits until the MU took the word (or `MBOX_TX_TIMEOUT_MS`).
        if let Err(e) = mbox.tx.post_u32(word) {
            // A remote that stopped taking words fails every kick: the first
            // few are logged, then one in KICK_ERR_LOG_EVERY with the count.
            let failed = this.stats.kick_errors.fetch_add(1, Ordering::Relaxed) + 1;
            if failed <= KICK_ERR_LOG_FIRST || failed % KICK_ERR_LOG_EVERY == 0 {
                dev_err!(
                    parent,
                    "kick: failed ({}, err:{:?}), {} failed kicks so far\n",
                    vqid,
                    e,
                    failed
                );
            }
        }
        // The channels go before the count does: when `mbox_free` sees no
        // kick sending, they are released.
        drop(mbox);
        this.kicks_sending.fetch_sub(1, Ordering::Release);
    }

    fn sanity_check(this: &Self, rproc: &Rproc, _parent: &Device<Bound>, fw: &[u8]) -> Result {
        let dev = rproc.dev();
        let elf = Self::parse_elf(dev, fw)?;
        elf.validate_segments()
            .map_err(|e| fw_error(dev, "invalid firmware", e))?;
        // Section headers before the reset vector, which looks sections up:
        // a defect there is reported as what it is.
        elf.find_section(RSC_SECTION)
            .map_err(|e| fw_error(dev, "invalid section headers", e))?;
        let mut tcm = 0u32;
        for seg in elf.load_segments().flatten() {
            for (i, e) in this.att.iter().enumerate() {
                if e.flags & att::ATT_OWN != 0
                    && e.offset_of(seg.paddr.into(), seg.memsz.into()).is_some()
                {
                    tcm |= 1 << i;
                }
            }
        }
        this.tcm_used.store(tcm, Ordering::Relaxed);
        // A wrong reset vector leaves the M7 hung with no message at all:
        // refuse it here, with one.
        let vector =
            boot::reset_vector(&elf).map_err(|e| fw_error(dev, "no usable reset vector", e))?;
        if !vector.entry_matches {
            dev_warn!(
                dev,
                "ELF entry {:#x} is not the reset handler {:#x} of the vector table at {:#x}\n",
                elf.entry(),
                vector.reset_handler,
                vector.addr
            );
        }
        Ok(())
    }

    fn parse_fw(this: &Self, rproc: &Rproc, _parent: &Device<Bound>, fw: &[u8]) -> Result {
        let dev = rproc.dev();
        let elf = Self::parse_elf(dev, fw)?;
        let ready = elf
            .find_section(READY_SECTION)
            .map_err(|e| fw_error(dev, "invalid section headers", e))?
            .map(|s| {
                s.data
                    .first_chunk::<4>()
                    .map(|b| u32::from_le_bytes(*b))
                    .filter(|&ms| ms != 0)
                    .unwrap_or(READY_DEFAULT_MS)
            });
        if ready.is_some() && !this.has_rxdb {
            dev_warn!(
                dev,
                "firmware announces a ready doorbell, but the node has no rxdb mailbox\n"
            );
        }
        this.ready_timeout_ms.store(
            ready.filter(|_| this.has_rxdb).unwrap_or(0),
            Ordering::Relaxed,
        );
        let section = elf
            .find_section(RSC_SECTION)
            .map_err(|e| fw_error(dev, "invalid section headers", e))?;
        let Some(section) = section else {
            // A firmware without IPC is fine, as with the C driver.
            dev_info!(dev, "No resource table in elf\n");
            return Ok(());
        };
        if let Some(region) = this.rsc_region() {
            if section.data.len() > region.size() {
                dev_err!(
                    dev,
                    "resource table ({} bytes) does not fit the rsc-table region ({} bytes)\n",
                    section.data.len(),
                    region.size()
                );
                return Err(EFBIG);
            }
        }
        let table = ResourceTable::parse(section.data, &this.rsc_limits())
            .map_err(|e| fw_error(dev, "invalid resource table", e))?;
        this.check_traces(dev, &table, section.data.len())?;
        rproc.set_cached_table(section.data)
    }

    fn load(this: &Self, rproc: &Rproc, _parent: &Device<Bound>, fw: &[u8]) -> Result {
        let dev = rproc.dev();
        let begin = Instant::<Monotonic>::now();
        let mut bytes = 0u64;
        let elf = Self::parse_elf(dev, fw)?;
        for seg in elf.load_segments() {
            let seg = seg.map_err(|e| fw_error(dev, "invalid firmware", e))?;
            let tail = usize::try_from(seg.memsz - seg.filesz)?;
            // The M7's memory and the rsc-table region take code and data, as
            // upstream; a segment in a vring or the vdev buffer would
            // overwrite what Linux keeps there (upstream loads it).
            let written = if this.loadable(seg.paddr.into(), seg.memsz.into()) {
                rproc.write_memory(seg.paddr.into(), seg.data, tail)
            } else {
                Err(EINVAL)
            };
            written.inspect_err(|_| {
                dev_err!(
                    dev,
                    "segment {} (da {:#x}, {:#x} bytes) is outside every memory region\n",
                    seg.index,
                    seg.paddr,
                    seg.memsz
                )
            })?;
            bytes = bytes.saturating_add(seg.memsz.into());
        }
        *this.stats.last_load.lock() = Some((bytes, begin.elapsed().as_nanos()));
        Ok(())
    }

    fn find_loaded_rsc_table<'a>(
        this: &'a Self,
        rproc: &Rproc,
        _parent: &Device<Bound>,
        fw: &[u8],
    ) -> Option<LoadedTable<'a>> {
        if !rproc.has_table() {
            return None;
        }
        if let Some(region) = this.rsc_region() {
            // `parse_fw` made sure the table fits.
            return MappedRange::new(region, 0, rproc.table_sz()).map(LoadedTable::Mapped);
        }
        // No rsc-table region: the table stays where the image put it.
        let elf = Elf32::parse(fw).ok()?;
        let section = elf.find_section(RSC_SECTION).ok()??;
        Some(LoadedTable::DeviceAddress(section.addr.into()))
    }

    fn get_loaded_rsc_table<'a>(
        this: &'a Self,
        rproc: &Rproc,
        _parent: &Device<Bound>,
    ) -> Result<Option<MappedRange<'a>>> {
        let Some(region) = this.rsc_region() else {
            return Ok(None);
        };
        let len = ATTACHED_TABLE_SIZE.min(region.size());
        // Validate what the remote left there before the core walks it.
        let mut snapshot = KVec::from_elem(0u8, len, GFP_KERNEL)?;
        region.read_into(0, &mut snapshot)?;
        // An empty header (version 0, no entries): the remote published no
        // table, so there is nothing to set up: attach without IPC.
        if snapshot
            .get(..8)
            .is_some_and(|hdr| hdr.iter().all(|&b| b == 0))
        {
            dev_info!(rproc.dev(), "no resource table in the rsc-table region\n");
            return Ok(None);
        }
        let mut limits = this.rsc_limits();
        limits.max_len = len;
        let table = ResourceTable::parse(&snapshot, &limits).map_err(|e| {
            fw_error(
                rproc.dev(),
                "invalid resource table of the running remote",
                e,
            )
        })?;
        // A remote that rewrote its table may point the trace elsewhere
        // (a vring, the vdev buffer): the same check as for a loaded image.
        this.check_traces(rproc.dev(), &table, len)?;
        Ok(MappedRange::new(region, 0, len))
    }

    fn get_boot_addr(_this: &Self, _rproc: &Rproc, _parent: &Device<Bound>, fw: &[u8]) -> u64 {
        // The vector table `sanity_check` found and checked: `.interrupts`
        // (MCUXpresso), `rom_start` (Zephyr), else the entry masked to
        // 64 KiB as upstream.
        Elf32::parse(fw)
            .ok()
            .and_then(|elf| boot::reset_vector(&elf).ok())
            .map_or(0, |v| v.addr.into())
    }

    fn da_to_va<'a>(
        this: &'a Self,
        _rproc: &Rproc,
        _parent: &Device<Bound>,
        da: u64,
        len: usize,
    ) -> Option<MappedRange<'a>> {
        let len64 = u64::try_from(len).ok()?;
        // Device memory or not comes with the mapping: `map_memory` maps
        // the `ATT_IOMEM` entries (the TCMs) as device memory.
        let (sa, _entry) = att::da_to_sys(this.att, da, len64).ok()?;
        for m in this.mapped.iter() {
            let Some(offset) = sa.checked_sub(m.sa) else {
                continue;
            };
            let Ok(offset) = usize::try_from(offset) else {
                continue;
            };
            if let Some(range) = MappedRange::new(&m.map, offset, len) {
                return Some(range);
            }
        }
        None
    }
}

/// Waits until the firmware rang the ready doorbell, at most `ms` (measured
/// on the monotonic clock, not by counting sleeps, which last longer than
/// asked on a loaded machine).
fn wait_ready(dev: &Device, bell: &ReadyBell, ms: u32) -> Result {
    use kernel::time::{Instant, Monotonic};
    let begin = Instant::<Monotonic>::now();
    while !bell.rung.load(Ordering::Acquire) {
        if begin.elapsed().as_millis() >= i64::from(ms) {
            dev_err!(
                dev,
                "the M7 did not signal ready on rxdb within {} ms\n",
                ms
            );
            return Err(ETIMEDOUT);
        }
        kernel::time::delay::fsleep(kernel::time::Delta::from_millis(1));
    }
    dev_info!(
        dev,
        "the M7 signalled ready after {} ms\n",
        begin.elapsed().as_millis()
    );
    Ok(())
}

/// Shuts the M7's logical machine down: gracefully first when
/// `graceful_stop_ms` asks for it, forcefully when that times out.
fn lmm_stop(dev: &Device) -> Result {
    let grace = *module_parameters::graceful_stop_ms.value();
    if grace > 0 {
        imx_sm::lmm_shutdown(M7_LMID, imx_sm::LMM_OP_GRACEFUL)?;
        // Graceful is asynchronous: success means "asked", not "done".
        let mut waited = 0u32;
        while waited < grace {
            if imx_sm::lmm_info(M7_LMID)?.state == imx_sm::LmState::Off {
                return Ok(());
            }
            kernel::time::delay::fsleep(kernel::time::Delta::from_millis(GRACE_POLL_MS.into()));
            waited = waited.saturating_add(GRACE_POLL_MS);
        }
        dev_warn!(
            dev,
            "lmm({}) did not shut down within {} ms, forcing it\n",
            M7_LMID,
            grace
        );
    }
    imx_sm::lmm_shutdown(M7_LMID, imx_sm::LMM_OP_FORCEFUL)
}

/// Reads the `memory-region` list of the node.
fn parse_regions(dev: &Device<Bound>) -> Result<KVec<ReservedRegion>> {
    let n = of_rmem::count(dev).unwrap_or(0);
    if n > MAX_REGIONS {
        dev_err!(
            dev,
            "{} memory regions, at most {} supported\n",
            n,
            MAX_REGIONS
        );
        return Err(EINVAL);
    }
    let mut regions = KVec::with_capacity(n, GFP_KERNEL)?;
    for i in 0..n {
        let region = of_rmem::region(dev, i).inspect_err(|e| {
            dev_err!(
                dev,
                "memory-region {}: unusable reserved memory: {:?}\n",
                i,
                e
            )
        })?;
        dev_dbg!(
            dev,
            "memory-region {}: {} at {:#x}+{:#x} (name from {})\n",
            i,
            kernel::str::BStr::from_bytes(region.base_name()),
            region.start(),
            region.size(),
            if region.named() {
                "memory-region-names"
            } else {
                "the node"
            }
        );
        regions.push(region, GFP_KERNEL)?;
    }
    Ok(regions)
}

/// Maps what the C driver maps at probe: the translation entries the driver
/// owns (the TCMs) and every region that is not a vdev region.
fn map_memory(
    dev: &Device<Bound>,
    table: &[AttEntry],
    regions: &[ReservedRegion],
) -> Result<(KVec<Mapped>, Option<usize>)> {
    let mut rsc_table = None;
    let mut mapped = KVec::new();
    for e in table.iter().filter(|e| e.flags & att::ATT_OWN != 0) {
        let kind = if e.flags & att::ATT_IOMEM != 0 {
            MapKind::Device
        } else {
            MapKind::WriteCombine
        };
        let map = IoMapping::soc_memory(dev, e.sa, usize::try_from(e.size)?, kind)
            .inspect_err(|_| dev_err!(dev, "failed to map TCM at {:#x}+{:#x}\n", e.sa, e.size))?;
        let map = Arc::new(map, GFP_KERNEL)?;
        mapped.push(Mapped { sa: e.sa, map }, GFP_KERNEL)?;
    }
    for r in regions
        .iter()
        .filter(|r| !r.base_name().starts_with(b"vdev"))
    {
        let map = IoMapping::of_region(r).inspect_err(|_| {
            dev_err!(
                dev,
                "failed to map memory region at {:#x}+{:#x}\n",
                r.start(),
                r.size()
            )
        })?;
        if r.base_name().starts_with(b"rsc-table") {
            rsc_table = Some(mapped.len());
        }
        let map = Arc::new(map, GFP_KERNEL)?;
        mapped.push(Mapped { sa: map.pa(), map }, GFP_KERNEL)?;
    }
    Ok((mapped, rsc_table))
}

/// Physical ranges `(start, len)`.
type Ranges = KVec<(u64, u64)>;

/// Whether the system range `sys..sys + len` lies inside `(start, size)`;
/// a range may end exactly at the end (upstream's `<` refuses that).
fn sys_range_within(sys: u64, len: u64, (start, size): (u64, u64)) -> bool {
    sys.checked_sub(start)
        .and_then(|off| off.checked_add(len))
        .is_some_and(|end| end <= size)
}

/// Sorts the memory by role: the vring regions (`vdevNvringM`), where a
/// fixed vring address must lie, and the M7's own memory (the TCMs and the
/// regions not used for IPC), where segments and trace buffers must lie.
fn memory_roles(table: &[AttEntry], regions: &[ReservedRegion]) -> Result<(Ranges, Ranges)> {
    let mut vrings = KVec::new();
    let mut m7 = KVec::new();
    for e in table.iter().filter(|e| e.flags & att::ATT_OWN != 0) {
        m7.push((e.sa, u64::from(e.size)), GFP_KERNEL)?;
    }
    for r in regions {
        let name = r.base_name();
        let is_vring = name.starts_with(b"vdev") && name.windows(5).any(|w| w == b"vring");
        if is_vring {
            vrings.push((r.start(), r.size()), GFP_KERNEL)?;
        } else if !name.starts_with(b"vdev") && !name.starts_with(b"rsc-table") {
            m7.push((r.start(), r.size()), GFP_KERNEL)?;
        }
    }
    Ok((vrings, m7))
}

/// Asks the System Manager how Linux controls the M7 and whether it runs,
/// as `imx_rproc_sm_detect_mode` does.
fn detect_mode(dev: &Device<Bound>) -> Result<(Method, bool)> {
    let started = imx_sm::cpu_started(M7_CPUID).inspect_err(|e| {
        if *e != EPROBE_DEFER {
            dev_err!(dev, "Failed to detect cpu({}) status: {:?}\n", M7_CPUID, e)
        }
    })?;
    let info = imx_sm::lmm_info(imx_sm::LMM_ID_DISCOVER).inspect_err(|e| {
        if *e != EPROBE_DEFER {
            dev_err!(dev, "Failed to get current LMM ID err: {:?}\n", e)
        }
    })?;

    if info.lmid == M7_LMID {
        dev_info!(dev, "Using CPU Protocol OPS\n");
        return Ok((Method::Cpu, started));
    }
    dev_info!(dev, "Using LMM Protocol OPS\n");

    // Probe the permission: powering the LM on fails with EACCES when the
    // System Manager does not give Linux control over it.
    match imx_sm::lmm_power_on(M7_LMID) {
        Err(e) if e == EACCES => {
            dev_info!(dev, "lmm({}) not under Linux Control\n", M7_LMID);
            return Ok((Method::Lmm { control: false }, started));
        }
        Err(e) => {
            dev_err!(dev, "power on lmm({}) failed: {:?}\n", M7_LMID, e);
            return Err(e);
        }
        Ok(()) => {}
    }
    if !started {
        imx_sm::lmm_shutdown(M7_LMID, imx_sm::LMM_OP_FORCEFUL)
            .inspect_err(|e| dev_err!(dev, "shutdown lmm({}) failed: {:?}\n", M7_LMID, e))?;
    }
    Ok((Method::Lmm { control: true }, started))
}

/// The platform driver's device data. The registration and runtime PM
/// belong to the device's devres, released after this is dropped, in reverse
/// order: `rproc_del` (which may still stop the remote), then runtime PM.
struct ImxRprocDriver {
    rproc: ARef<Rproc>,
    _status: Pin<KBox<debugfs::File<Diag>>>,
    _debugfs: debugfs::Dir,
}

kernel::of_device_table!(
    OF_TABLE,
    MODULE_OF_TABLE,
    <ImxRprocDriver as platform::Driver>::IdInfo,
    [(of::DeviceId::new(c"fsl,imx95-cm7"), ())]
);

impl platform::Driver for ImxRprocDriver {
    type IdInfo = ();
    type Data<'bound> = Self;
    const OF_ID_TABLE: Option<of::IdTable<Self::IdInfo>> = Some(&OF_TABLE);

    fn probe<'bound>(
        pdev: &'bound platform::Device<Core<'_>>,
        _info: Option<&'bound Self::IdInfo>,
    ) -> impl PinInit<Self, Error> + 'bound {
        let dev: &Device<Bound> = pdev.as_ref();
        Self::new(dev)
    }
}

impl ImxRprocDriver {
    fn new(dev: &Device<Bound>) -> Result<Self> {
        let fwnode = dev.fwnode().ok_or(ENODEV)?;
        let name = of_rmem::node_name(dev)?;
        let regions = parse_regions(dev)?;
        let table: &'static [AttEntry] = &att::IMX95_M7_ATT;
        let (mapped, rsc_table) = map_memory(dev, table, &regions)?;
        let (vring_ranges, m7_ranges) = memory_roles(table, &regions)?;

        // The remote is named after its node, as the C driver names it; a
        // `firmware-name` property sets the default image (upstream ignores
        // it and always uses rproc-<name>-fw).
        let firmware = fwnode.property_read::<CString>(c"firmware-name").optional();
        let mut alloc = remoteproc::Allocation::<ImxRproc>::new(dev, &name, firmware.as_deref())?;
        // Upstream never sets this, so its coredumps are never written.
        alloc.set_coredump_elf_info(ELFCLASS32, fw::elf::EM_ARM)?;

        let rproc_ref = alloc.rproc().get();
        let stats = Stats::new()?;
        let rx_stats = stats.clone();
        let rx = Arc::pin_init(
            pin_init!(RxWork {
                rproc: rproc_ref,
                stats: rx_stats,
                seen: AtomicU64::new(0),
                last_used: AtomicU32::new(0),
                idle_streak: AtomicU64::new(0),
                unreported: AtomicU64::new(0),
                last_log_ms: AtomicI64::new(i64::MIN),
                base: Instant::now(),
                work <- new_work!("imx_rproc_rs::RxWork::work"),
            }),
            GFP_KERNEL,
        )?;

        // Requested here so a missing mailbox controller defers the probe.
        let mbox = if fwnode.property_present(c"mbox-names") {
            Some(Arc::new(Mailboxes::request(dev, &rx)?, GFP_KERNEL)?)
        } else {
            None
        };

        let has_rxdb = fwnode.property_match_string(c"mbox-names", c"rxdb").is_ok();
        let (method, started) = detect_mode(dev)?;
        if started {
            alloc.set_detached();
        } else {
            alloc.set_auto_boot(fwnode.property_read_bool(c"fsl,auto-boot"));
        }

        let watch_rproc = alloc.rproc().get();
        let watch_stats = stats.clone();
        let watch = Arc::pin_init(
            pin_init!(CrashWatch {
                rproc: watch_rproc,
                method,
                stats: watch_stats,
                armed: AtomicBool::new(false),
                failing: AtomicBool::new(false),
                work <- new_delayed_work!("imx_rproc_rs::CrashWatch::work"),
            }),
            GFP_KERNEL,
        )?;
        let data_stats = stats.clone();
        let data = KBox::pin_init(
            pin_init!(ImxRproc {
                method,
                regions,
                att: table,
                mapped,
                rsc_table,
                vring_ranges,
                m7_ranges,
                rx,
                stats: data_stats,
                watch,
                mbox <- kernel::new_mutex!(mbox),
                kicks_sending: AtomicU32::new(0),
                tcm_used: AtomicU32::new(0),
                powered_not_booted: AtomicBool::new(false),
                booting: AtomicBool::new(false),
                has_rxdb,
                ready_timeout_ms: AtomicU32::new(0),
            }),
            GFP_KERNEL,
        )?;
        // Runtime PM as upstream: enabled and held while bound.
        let pm = RuntimePm::enable_and_get(dev).inspect_err(|e| {
            dev_err!(dev, "pm_runtime get failed: {:?}\n", e);
        })?;
        kernel::devres::register(dev, pm, GFP_KERNEL)?;
        let rproc = alloc.register(data).inspect_err(|e| {
            dev_err!(dev, "rproc_add failed: {:?}\n", e);
        })?;
        dev_info!(
            dev,
            "{}: registered, SM method {}, M7 {}\n",
            rproc.dev().name(),
            method.name(),
            if started {
                "running (will attach)"
            } else {
                "offline"
            }
        );
        // Diagnostics: /sys/kernel/debug/imx_rproc_rs/<node>/status.
        let top = debugfs::Dir::new(c"imx_rproc_rs");
        let dir = top.subdir(&name);
        let status = KBox::pin_init(
            dir.read_callback_file(c"status", Diag { method, stats }, &Diag::show),
            GFP_KERNEL,
        )?;
        Ok(Self {
            rproc,
            _status: status,
            _debugfs: top,
        })
    }
}

impl ImxRprocDriver {
    /// Unbinding (or `rmmod`) with an M7 Linux attached to but did not boot
    /// detaches from it instead of stopping it, unless `detach_on_unbind=0`:
    /// a module upgrade must not kill a core the bootloader started.
    fn release(&self) {
        let rproc = &self.rproc;
        if *module_parameters::detach_on_unbind.value() != 0
            && rproc.state() == remoteproc::State::Attached
        {
            match rproc.detach() {
                Ok(()) => dev_info!(rproc.dev(), "detached, the M7 keeps running\n"),
                Err(e) => dev_warn!(rproc.dev(), "detach failed ({:?}), stopping\n", e),
            }
        }
    }
}

impl Drop for ImxRprocDriver {
    fn drop(&mut self) {
        self.release();
        dev_dbg!(self.rproc.dev(), "unregistering\n");
    }
}

kernel::module_platform_driver! {
    type: ImxRprocDriver,
    name: "imx_rproc_rs",
    authors: ["imx_rproc_rs developers"],
    description: "i.MX95 Cortex-M7 remote processor driver (Rust)",
    license: "GPL",
    params: {
        detach_on_unbind: u8 {
            default: 1,
            description: "1 (default): on unbind or rmmod, detach from an M7 that was attached to (booted by someone else) instead of stopping it; 0: stop it, as upstream",
        },
        crash_poll_ms: u32 {
            default: 1000,
            description: "While the M7 runs, ask the System Manager this often (ms) whether it still does, and report a crash when not; 0 = off (upstream has no crash detection on SM platforms)",
        },
        graceful_stop_ms: u32 {
            default: 0,
            description: "LMM mode: ask the M7's logical machine to shut down gracefully and wait this long (ms) before forcing it; 0 = forceful at once, as upstream",
        },
    },
}
