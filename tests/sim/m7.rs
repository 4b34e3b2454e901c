// SPDX-License-Identifier: GPL-2.0

//! The simulated Cortex-M7, behind the simulated MU7, playing Zephyr's `openamp_rsc_table`
//! sample (features.md D) on the memory of the device tree's reserved regions ([`M7Mem`]).
//!
//! **Lifecycle.** The M7 runs only when the simulated System Manager says so: [`M7::on_start`]
//! (CPU_RESET_VECTOR_SET + CPU_START, LMM_RESET_VECTOR_SET + LMM_BOOT, the pre-boot of
//! `m7_boot`) and [`M7::on_stop`] (CPU_STOP, LMM_SHUTDOWN). At start, like a Cortex-M7 leaving
//! reset, it reads the vector table at the reset vector: the initial SP and the reset handler
//! (Thumb bit set) must point into its memory, else it "faults" (logged, counted, and it stays
//! silent as a hung core would while the SM says it runs). An image made by `tools/mkfw` carries
//! a manifest at vector + 0x40: the M7 recomputes its CRCs over the *loaded* memory (and checks
//! that `.bss` reads as zero), so an image Linux loaded wrongly faults with "image corrupt", and
//! then behaves as the manifest says:
//!
//! - `zephyr`: copies the pristine resource table from the image to the `rsc-table` region
//!   (`CONFIG_OPENAMP_COPY_RSC_TABLE`), writes its boot log into the trace buffer if the table
//!   has one, polls the vdev `status` of the live table until DRIVER_OK, takes the vrings Linux
//!   assigned and plays the virtio device ([`crate::vring`]) and the rpmsg endpoints
//!   ([`crate::rpmsg`]);
//! - `idle`: runs without touching the vdev or the mailbox (a bare "hello world");
//! - flag `hang`: boots, copies its table, then never answers;
//! - flag `crash after N ms`: stops answering and the SM reports the M7 stopped (the SM asks
//!   [`M7::take_crash`]), which is what crash detection polls;
//! - an image without a manifest whose ELF file the simulation was given (debugfs `m7_image`,
//!   or the image `m7_boot` pre-booted; [`crate::fwimage`]): checks every `PT_LOAD` segment
//!   against the loaded memory (CRC-32 of the file bytes at `p_paddr`, the rest zero), then
//!   behaves like Zephyr's `openamp_rsc_table` sample as v4.1.0 builds it: it reads and writes
//!   the resource table at the table's own linked address (`sh_addr` of `.resource_table`,
//!   `rsc_table_get()` of `lib/open-amp/resource_table.c` returning `&resource_table`), which is
//!   the live table only when Linux put it there (the table linked into the `rsc-table` region,
//!   or a device tree without that region); waits for DRIVER_OK, and announces the sample's
//!   two channels, `rpmsg-client-sample` and `rpmsg-tty`. An image with no `.resource_table`
//!   runs as `idle` (a `hello_world`);
//! - anything else without a manifest: runs as `idle`.
//!
//! **Notifications.** To Linux on MU7 RX data channel 1 (`<&mu7 1 1>`), with a garbage word (Zephyr
//! sends an uninitialised stack word; drivers must not use it): after each message written into
//! Linux's rx ring and after returning Linux's tx buffers, unless the ring's avail flags say
//! `VRING_AVAIL_F_NO_INTERRUPT`. From Linux on MU7 TX data channel 1 (`<&mu7 0 1>`), any value
//! (`imx_rproc` sends `vqid << 16`): "look at the rings".
//!
//! **Execution.** The M7's "CPU" is a work item that runs from start to stop, waiting on a condition
//! variable between events (a kick, a knob, a timer). Stop sets the exit flag and flushes it, so
//! after [`M7::on_stop`] returns the M7 never touches shared memory again. Boot (vector table,
//! CRCs, table copy) runs synchronously in [`M7::on_start`], so the table is in place before the
//! start call returns to Linux, as a Zephyr that boots in no time.
//!
//! Locks: `lifecycle` (start/stop) before `st` (everything else) before `log`; notifications to
//! Linux are sent without `st` held.

use crate::{
    fw::{
        manifest::{self, Manifest},
        rsc::{
            vdev_field, vring_field, Resource, ResourceTable, FW_RSC_VDEV_VRING_SIZE, RSC_HDR_SIZE,
        },
    },
    fwimage::ImageInfo,
    hostile::{self, Abuse, RscField},
    kext::{self, Crc32},
    m7log::{Checker, Ctx, Log, Violation},
    m7mem::{Kind, M7Mem, Region},
    mbox_ctrl::Message,
    mu::{ChanType, Mu},
    rpmsg::{self, Effects, Msg, OutQ, Rpmsg},
    vring::{Dir, Vring},
};
use core::fmt::{self, Write};
use kernel::{
    impl_has_work, new_condvar, new_mutex, new_work,
    prelude::*,
    sync::{
        atomic::{Atomic, Relaxed},
        Arc, CondVar, Mutex,
    },
    time::{msecs_to_jiffies, Jiffies},
    workqueue::{Work, WorkItem},
};

/// The MU index of the data channels between Linux and the M7.
pub(crate) const M7_MU_IDX: usize = 1;

/// Offset of the manifest from the vector table.
const MANIFEST_OFF: u64 = manifest::OFFSET as u64;
/// Size of the manifest.
const MANIFEST_LEN: usize = manifest::SIZE;
/// Offset of `code_crc` from the start of the code (the manifest's last word).
const CODE_CRC_OFF: u64 = manifest::CODE_CRC_OFFSET as u64;

/// Virtio status: ACKNOWLEDGE.
const S_ACKNOWLEDGE: u8 = 1;
/// Virtio status: DRIVER.
const S_DRIVER: u8 = 2;
/// Virtio status: DRIVER_OK.
const S_DRIVER_OK: u8 = 4;
/// Virtio status: FAILED.
const S_FAILED: u8 = 0x80;
/// `VIRTIO_RPMSG_F_NS`, as a feature mask.
const F_NS: u32 = 1 << 0;

/// Offset of `gfeatures` in a `fw_rsc_vdev` entry, from its `type` word.
const VDEV_GFEATURES: usize = RSC_HDR_SIZE + vdev_field::GFEATURES;
/// Offset of `status` in a `fw_rsc_vdev` entry.
const VDEV_STATUS: usize = RSC_HDR_SIZE + vdev_field::STATUS;
/// Offset of the first `fw_rsc_vdev_vring` in a `fw_rsc_vdev` entry.
const VDEV_VRINGS: usize = RSC_HDR_SIZE + vdev_field::VRINGS;
/// Size of `fw_rsc_vdev_vring`.
const VRING_ENTRY: usize = FW_RSC_VDEV_VRING_SIZE;

/// Period of the DRIVER_OK poll for the first seconds, in milliseconds.
const POLL_FAST_MS: u32 = 1;
/// How long the fast poll lasts, in nanoseconds.
const POLL_FAST_NS: i64 = 5_000_000_000;
/// Period of the DRIVER_OK poll afterwards.
const POLL_SLOW_MS: u32 = 20;
/// How long a message waits for an rx buffer before OpenAMP gives up (`rpmsg_send()`'s 15 s).
const TX_WAIT_NS: i64 = 15_000_000_000;
/// Longest sleep of the M7 with nothing to do, in milliseconds.
const IDLE_MS: u32 = 1000;
/// Most flood messages queued at once.
const FLOOD_BATCH: usize = 8;

/// What the M7 is doing.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Phase {
    /// Not running (the SM has it stopped).
    Off,
    /// Faulted at boot or later: running for the SM, silent.
    Faulted,
    /// Running without IPC.
    Idle,
    /// Running, never answering (manifest `hang` flag).
    Hung,
    /// Waiting for DRIVER_OK in the live resource table.
    WaitDriverOk,
    /// Playing the virtio device and the rpmsg endpoints.
    Active,
    /// Linux reset the vdev; the M7 no longer uses the vrings.
    Reset,
    /// Crashed: silent, and the SM reports it stopped.
    Crashed,
}

impl Phase {
    /// Returns the name shown in debugfs.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Phase::Off => "off",
            Phase::Faulted => "faulted",
            Phase::Idle => "idle",
            Phase::Hung => "hung",
            Phase::WaitDriverOk => "wait-driver-ok",
            Phase::Active => "active",
            Phase::Reset => "reset",
            Phase::Crashed => "crashed",
        }
    }

    /// Whether the M7 executes code in this phase (it can crash).
    fn alive(self) -> bool {
        !matches!(self, Phase::Off | Phase::Crashed)
    }
}

/// Counters of the M7 (debugfs `m7_stats`).
#[derive(Clone, Copy, Default)]
pub(crate) struct Stats {
    /// Starts by the System Manager.
    pub(crate) boots: u64,
    /// Faults (bad vector table, corrupt image, unusable vrings).
    pub(crate) faults: u64,
    /// Crashes (manifest crash timer, `m7_crash`).
    pub(crate) crashes: u64,
    /// Words Linux sent on MU7 TX channel 1.
    pub(crate) kicks_in: u64,
    /// ... of which while the M7 was stopped.
    pub(crate) kicks_off: u64,
    /// ... of which ignored because of `m7_drop_kicks`.
    pub(crate) kicks_dropped: u64,
    /// The last word Linux sent.
    pub(crate) last_kick: u32,
    /// Kicks ignored because their notify id (`word >> 16`) is no vring's.
    pub(crate) kicks_bad_id: u64,
    /// Notifications sent to Linux.
    pub(crate) kicks_out: u64,
    /// Notifications not sent because of `m7_corrupt_kick`.
    pub(crate) notify_suppressed: u64,
    /// Notifications that could not be delivered (no client on MU7 RX channel 1).
    pub(crate) notify_lost: u64,
    /// Messages received from Linux.
    pub(crate) msgs_in: u64,
    /// Messages sent to Linux (name service included).
    pub(crate) msgs_out: u64,
    /// Name-service messages sent.
    pub(crate) ns_sent: u64,
    /// Messages the M7 dropped (queue full, no rx buffer for 15 s).
    pub(crate) msgs_dropped: u64,
}

/// Settings of the M7 that tests change (debugfs).
#[derive(Clone, Copy, Default)]
pub(crate) struct Knobs {
    /// Stop processing (the SM still says running).
    pub(crate) hang: bool,
    /// Receive messages but never answer them.
    pub(crate) mute: bool,
    /// Delay between DRIVER_OK and the name-service announcements.
    pub(crate) ns_delay_ms: u32,
    /// Ignore that many of the next kicks.
    pub(crate) drop_kicks: u32,
    /// Send no notification for that many of the next replies (nor for anything else done in
    /// the same pass): the message sits in Linux's rx ring until something else notifies.
    pub(crate) corrupt_kick: u32,
    /// After its 100th message, the sample's endpoint destroys itself (name-service destroy), as
    /// Zephyr's does. Off by default: Linux 7.2 handles the destroy inside the name-service
    /// endpoint's callback (`rpmsg_ns_cb()` -> `rpmsg_release_channel()` ->
    /// `virtio_rpmsg_destroy_ept()`), nesting two `ept->cb_lock` of one lockdep class, which
    /// `CONFIG_PROVE_LOCKING` reports as "possible recursive locking detected".
    pub(crate) sample_destroy: bool,
}

/// What the board shows of the M7.
#[derive(Clone, Copy)]
pub(crate) struct Snapshot {
    /// Whether the SM has the M7 running.
    pub(crate) running: bool,
    /// What it does.
    pub(crate) phase: Phase,
    /// The reset vector it was last started at.
    pub(crate) boot_vector: u64,
    /// Counters.
    pub(crate) stats: Stats,
    /// Total violations.
    pub(crate) violations: u64,
    /// Messages left to flood.
    pub(crate) flood: u32,
}

/// The trace buffer of the resource table (`RSC_TRACE`), where the boot log goes.
struct Trace {
    pa: u64,
    len: usize,
    pos: usize,
}

/// What the M7 keeps from its boot.
struct Boot {
    /// When it booted (ns since Linux booted), for the log's timestamps.
    at_ns: i64,
    /// The pristine resource table, as the firmware wrote it where it keeps it.
    table: KVec<u8>,
    /// Where the firmware reads and writes its live table (the `rsc-table` region for the
    /// manifest's `zephyr`, the table's linked address for a known image).
    table_pa: u64,
    /// The simulation's raw endpoint is announced too (test images with a manifest only).
    raw_endpoint: bool,
    /// Offset of the vdev entry's `type` word in the table.
    vdev_off: usize,
    /// Features the firmware offers.
    dfeatures: u32,
    /// The trace buffer, if the table has one.
    trace: Option<Trace>,
    /// When the manifest's crash timer fires.
    crash_at: Option<i64>,
    /// The manifest asks for the ready doorbell (RXDB 1) once booted.
    ready_doorbell: bool,
}

/// The virtio device and rpmsg state after DRIVER_OK.
struct Dev {
    /// vring0: Linux's rx queue, the M7 writes.
    rx: Vring,
    /// vring1: Linux's tx queue, the M7 reads.
    tx: Vring,
    rpmsg: Rpmsg,
    out: OutQ,
    /// When to announce the endpoints (`None` once done).
    ns_at: Option<i64>,
    /// Since when the oldest queued message waits for an rx buffer.
    out_since: Option<i64>,
    /// Whether the name service was negotiated (`dfeatures & gfeatures`).
    support_ns: bool,
}

/// Everything the M7's lock protects.
struct State {
    running: bool,
    phase: Phase,
    vector: u64,
    boot: Option<Boot>,
    dev: Option<Dev>,
    knobs: Knobs,
    flood: u32,
    flood_addr: u32,
    kick_pending: bool,
    /// A corruption to commit with the next message (debugfs `m7_abuse`).
    abuse: Option<Abuse>,
    /// An event arrived for the M7's thread.
    wake: bool,
    /// The thread must return.
    exit: bool,
    /// State of the generator of the garbage notification words.
    prng: u32,
    stats: Stats,
    chk: Checker,
    /// Outcome of the last boot, for `m7_stats`.
    last_boot: KVec<u8>,
    /// The link map of the image the M7 runs, if the test said which (`m7_image`).
    image: Option<ImageInfo>,
}

impl State {
    /// Forgets everything about the current run: the M7 is off.
    fn forget_run(&mut self) {
        self.running = false;
        self.phase = Phase::Off;
        self.boot = None;
        self.dev = None;
        self.kick_pending = false;
        self.flood = 0;
        self.abuse = None;
    }

    /// Returns the next garbage word (xorshift32).
    fn garbage(&mut self) -> u32 {
        let mut x = self.prng;
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        self.prng = x;
        x
    }
}

/// One step of the M7's thread: notifications to send and how long to sleep.
struct Step {
    notify: u32,
    wait: Jiffies,
}

impl Step {
    /// Nothing to send; sleep long.
    fn idle() -> Self {
        Self {
            notify: 0,
            wait: msecs_to_jiffies(IDLE_MS),
        }
    }

    /// Sleep at most `ms` milliseconds (at least a jiffy).
    fn within_ms(&mut self, ms: u32) {
        self.wait = self.wait.min(msecs_to_jiffies(ms).max(1));
    }

    /// Wake up at `at` (ns) at the latest.
    fn until(&mut self, now: i64, at: i64) {
        let ms = ((at - now).max(0) / 1_000_000 + 1).min(i64::from(IDLE_MS));
        self.within_ms(ms as u32);
    }
}

/// Formats into a fixed buffer, cutting what does not fit.
struct BufWriter<'a> {
    buf: &'a mut [u8],
    len: usize,
}

impl Write for BufWriter<'_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let n = s.len().min(self.buf.len() - self.len);
        self.buf[self.len..self.len + n].copy_from_slice(&s.as_bytes()[..n]);
        self.len += n;
        Ok(())
    }
}

/// The simulated Cortex-M7.
#[pin_data]
pub(crate) struct M7 {
    mem: M7Mem,
    #[pin]
    st: Mutex<State>,
    #[pin]
    cv: CondVar,
    #[pin]
    lifecycle: Mutex<()>,
    #[pin]
    log: Mutex<Log>,
    /// The MU through which the M7 talks to Linux, while the MU7 device is bound.
    #[pin]
    link: Mutex<Option<Arc<Mu>>>,
    /// The M7's "CPU": runs from start to stop.
    #[pin]
    thread: Work<M7>,
    /// Set by a crash, taken by the System Manager.
    crashed: Atomic<bool>,
}

impl_has_work! {
    impl HasWork<Self> for M7 { self.thread }
}

impl WorkItem for M7 {
    type Pointer = Arc<M7>;

    fn run(this: Arc<M7>) {
        this.thread_main();
    }
}

impl M7 {
    /// Creates a stopped M7 with memory `mem`, not connected to any MU.
    pub(crate) fn new(mem: M7Mem) -> impl PinInit<Self, Error> {
        try_pin_init!(Self {
            mem,
            st <- new_mutex!(State {
                running: false,
                phase: Phase::Off,
                vector: 0,
                boot: None,
                dev: None,
                knobs: Knobs::default(),
                flood: 0,
                flood_addr: rpmsg::RAW_ADDR,
                kick_pending: false,
                abuse: None,
                wake: false,
                exit: true,
                prng: 0x2545_f491,
                stats: Stats::default(),
                chk: Checker::default(),
                last_boot: KVec::new(),
                image: None,
            }),
            cv <- new_condvar!(),
            lifecycle <- new_mutex!(()),
            log <- new_mutex!(Log::new()),
            link <- new_mutex!(None),
            thread <- new_work!("m7::thread"),
            crashed: Atomic::new(false),
        }? Error)
    }

    /// Returns the M7's memory.
    pub(crate) fn mem(&self) -> &M7Mem {
        &self.mem
    }

    /// Says which image the M7 runs from its next start on (`None`: not known).
    pub(crate) fn set_image(&self, image: Option<ImageInfo>) {
        let mut st = self.st.lock();
        match &image {
            Some(i) => self.log.lock().line(format_args!(
                "image {}: entry 0x{:x}, {} loadable segments, .resource_table at 0x{:x}",
                i.name(),
                i.entry,
                i.segs.len(),
                i.rsc.map_or(0, |(a, _)| a)
            )),
            None => self.log.lock().line(format_args!("image: not known")),
        }
        st.image = image;
    }

    /// Writes what the M7 knows of the image it runs (`m7_image`).
    pub(crate) fn show_image(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let st = self.st.lock();
        let Some(i) = st.image.as_ref() else {
            return writeln!(f, "none");
        };
        writeln!(f, "name {}", i.name())?;
        writeln!(f, "entry 0x{:x}", i.entry)?;
        for s in i.segs.iter() {
            writeln!(
                f,
                "load {} paddr 0x{:x} vaddr 0x{:x} filesz 0x{:x} memsz 0x{:x} crc 0x{:08x}",
                s.index, s.paddr, s.vaddr, s.filesz, s.memsz, s.crc
            )?;
        }
        match i.rsc {
            Some((a, l)) => writeln!(f, "resource_table 0x{a:x} 0x{l:x}"),
            None => writeln!(f, "resource_table none"),
        }
    }

    /// Connects the M7 to the MU it talks to Linux through.
    pub(crate) fn attach(&self, mu: Arc<Mu>) {
        *self.link.lock() = Some(mu);
    }

    /// Disconnects the M7 from its MU (the MU device is going away).
    pub(crate) fn detach(&self) {
        let old = self.link.lock().take();
        drop(old);
    }

    /// Logs a line in the M7's log only.
    pub(crate) fn note(&self, args: fmt::Arguments<'_>) {
        self.log.lock().line(args);
    }

    /// Logs a line in the M7's log and the kernel log.
    pub(crate) fn info(&self, args: fmt::Arguments<'_>) {
        self.log.lock().line(args);
        pr_info!("m7: {}\n", args);
    }

    /// Linux wrote `value` into the TX data register of channel [`M7_MU_IDX`] (a kick).
    ///
    /// Called from the MU's work item (process context) after the word was taken, i.e. after
    /// Linux's transmission completed.
    pub(crate) fn on_kick(&self, value: u32) {
        let mut st = self.st.lock();
        st.stats.kicks_in += 1;
        st.stats.last_kick = value;
        if !st.running {
            st.stats.kicks_off += 1;
            return;
        }
        // The notify id is the upper half-word: the C driver sends `vqid << 16`
        // (drivers/remoteproc/imx_rproc.c, imx_rproc_kick()), and NXP's rpmsg-lite takes it back
        // in its MU interrupt handler, `env_isr(channel >> 16)`
        // (lib/rpmsg_lite/porting/platform/imx8mp_m7/rpmsg_platform.c, and the other i.MX
        // platforms), where env_isr() notifies only the virtqueue registered under that id, the
        // notifyid of its vring in the resource table. Any other id notifies no one.
        let nid = value >> 16;
        if let Some(ids) = self.live_notify_ids(&st) {
            if !ids.contains(&nid) {
                st.stats.kicks_bad_id += 1;
                drop(st);
                self.info(format_args!(
                    "kick word {value:#x}: notify id {nid} is no vring's ({} or {}): ignored",
                    ids[0], ids[1]
                ));
                return;
            }
        }
        if st.knobs.drop_kicks > 0 {
            st.knobs.drop_kicks -= 1;
            st.stats.kicks_dropped += 1;
            return;
        }
        st.kick_pending = true;
        self.wake(&mut st);
    }

    /// The notify ids of the two vrings in the live resource table, if the M7 runs an image with
    /// a vdev.
    fn live_notify_ids(&self, st: &State) -> Option<[u32; 2]> {
        let boot = st.boot.as_ref()?;
        if boot.table.is_empty() {
            return None;
        }
        let table = live_table(&self.mem, boot)?;
        let id = |i: usize| {
            table
                .read32(boot.vdev_off + VDEV_VRINGS + VRING_ENTRY * i + vring_field::NOTIFYID)
                .ok()
        };
        Some([id(0)?, id(1)?])
    }

    /// Linux rang TX doorbell `idx` of MU7. The sample does not use doorbells.
    pub(crate) fn on_doorbell(&self, _idx: usize) {}

    /// The M7 sends `value` to Linux on RX data channel [`M7_MU_IDX`] (the i.MX MU driver hands
    /// the client a pointer to the received word).
    ///
    /// Process context only. Fails with `ENODEV` if the MU7 device is not bound, and with
    /// `ENXIO` if Linux has not requested the channel.
    pub(crate) fn send_to_linux(&self, value: u32) -> Result {
        let mu = self.link.lock().clone().ok_or(ENODEV)?;
        mu.peer_sends(M7_MU_IDX, value)
    }

    /// Wakes the M7's thread (with `st` locked).
    fn wake(&self, st: &mut State) {
        st.wake = true;
        self.cv.notify_all();
    }

    /// The System Manager started the M7 at `vector` (CPU_START, LMM_BOOT, LMM_RESET, a pre-boot).
    ///
    /// Called from the System Manager's context (the MU2 work item or a debugfs write) without
    /// System Manager locks held. A running M7 is stopped first (a reset).
    pub(crate) fn on_start(this: &Arc<Self>, vector: u64) {
        let _lc = this.lifecycle.lock();
        this.halt();
        let mut st = this.st.lock();
        this.crashed.store(false, Relaxed);
        st.forget_run();
        st.running = true;
        st.vector = vector;
        st.stats.boots += 1;
        // Never zero, or xorshift would stay there.
        st.prng = (st.prng ^ kext::uptime_ns() as u32) | 1;
        st.knobs.hang = false;
        let now = kext::uptime_ns();
        let mut last = KVec::new();
        let res = {
            let State { chk, image, .. } = &mut *st;
            let mut ctx = Ctx::new(&this.mem, &this.log, chk);
            boot(&mut ctx, vector, now, &mut last, image.as_ref())
        };
        st.last_boot = last;
        match res {
            Some((phase, boot)) => {
                st.phase = phase;
                st.boot = boot;
            }
            None => {
                st.phase = Phase::Faulted;
                st.stats.faults += 1;
            }
        }
        st.exit = false;
        let ready = st.boot.as_ref().is_some_and(|b| b.ready_doorbell);
        drop(st);
        if ready {
            // Like a firmware that rings the general-purpose interrupt once
            // its table is in place: Linux's `rxdb` channel (<&mu7 3 1>).
            match this.ring_ready() {
                Ok(()) => this
                    .log
                    .lock()
                    .line(format_args!("ready doorbell rung (RXDB {M7_MU_IDX})")),
                Err(e) => this.log.lock().line(format_args!(
                    "ready doorbell: nobody listens on RXDB {M7_MU_IDX} ({e:?})"
                )),
            }
        }
        // Not queued: `halt()` flushed the previous run.
        let _ = kext::system_dfl().enqueue(this.clone());
    }

    /// Rings RXDB doorbell [`M7_MU_IDX`] towards Linux.
    fn ring_ready(&self) -> Result {
        let mu = self.link.lock().clone().ok_or(ENODEV)?;
        mu.received(ChanType::RxDb.chan(M7_MU_IDX), Message::Signal)
    }

    /// The System Manager stopped the M7 (CPU_STOP, LMM_SHUTDOWN, or debugfs). Same context as
    /// [`M7::on_start`]. When this returns, the M7 no longer touches shared memory.
    pub(crate) fn on_stop(&self) {
        let _lc = self.lifecycle.lock();
        self.halt();
    }

    /// Stops the M7 for good (module exit).
    pub(crate) fn shutdown(&self) {
        self.on_stop();
    }

    /// Stops the thread and forgets the run (with `lifecycle` held).
    fn halt(&self) {
        {
            let mut st = self.st.lock();
            st.exit = true;
            self.cv.notify_all();
        }
        kext::flush_work(&self.thread);
        let mut st = self.st.lock();
        if !st.running {
            return;
        }
        if st.phase == Phase::Active {
            let State { boot, chk, .. } = &mut *st;
            if let Some(boot) = boot.as_ref() {
                let mut ctx = Ctx::new(&self.mem, &self.log, chk);
                check_table(&mut ctx, boot);
            }
        }
        let was = st.phase;
        st.forget_run();
        drop(st);
        self.info(format_args!(
            "stopped by the System Manager (was {})",
            was.name()
        ));
    }

    /// Returns whether the M7 crashed since the System Manager last asked (the SM then reports
    /// it stopped).
    pub(crate) fn take_crash(&self) -> bool {
        self.crashed.xchg(false, Relaxed)
    }

    /// The thread of the M7: steps until told to exit.
    fn thread_main(&self) {
        let mut st = self.st.lock();
        loop {
            if st.exit {
                break;
            }
            st.wake = false;
            let step = self.step(&mut st);
            if step.notify > 0 {
                let words: [u32; 4] = [st.garbage(), st.garbage(), st.garbage(), st.garbage()];
                drop(st);
                let mut sent = 0u64;
                let mut lost = 0u64;
                for i in 0..step.notify as usize {
                    if self.send_to_linux(words[i % words.len()]).is_ok() {
                        sent += 1;
                    } else {
                        lost += 1;
                    }
                }
                st = self.st.lock();
                st.stats.kicks_out += sent;
                st.stats.notify_lost += lost;
                continue;
            }
            if st.wake {
                continue;
            }
            let _ = self.cv.wait_interruptible_timeout(&mut st, step.wait);
        }
    }

    /// Does what the M7 has to do now.
    fn step(&self, st: &mut State) -> Step {
        let now = kext::uptime_ns();
        let mut step = Step::idle();
        if let Some(at) = st.boot.as_ref().and_then(|b| b.crash_at) {
            if st.phase.alive() {
                if now >= at {
                    self.crash(st, format_args!("crash timer of the image's manifest"));
                    return step;
                }
                step.until(now, at);
            }
        }
        match st.phase {
            Phase::WaitDriverOk => self.wait_driver_ok(st, now, &mut step),
            Phase::Active => {}
            _ => return step,
        }
        if st.phase == Phase::Active {
            self.active(st, now, &mut step);
        }
        step
    }

    /// The M7 crashes: silent from now on (its thread ends), and the SM will report it stopped.
    /// The phase stays `crashed` until the next start.
    fn crash(&self, st: &mut State, why: fmt::Arguments<'_>) {
        st.phase = Phase::Crashed;
        st.running = false;
        st.exit = true;
        st.stats.crashes += 1;
        self.crashed.store(true, Relaxed);
        let mut ctx = Ctx::new(&self.mem, &self.log, &mut st.chk);
        ctx.warn(format_args!(
            "CRASH ({why}): the M7 stops answering, the System Manager reports it stopped"
        ));
    }

    /// Polls the live table for DRIVER_OK; once set, checks the table and sets the device up.
    fn wait_driver_ok(&self, st: &mut State, now: i64, step: &mut Step) {
        let State {
            boot,
            dev,
            chk,
            phase,
            stats,
            knobs,
            ..
        } = st;
        let Some(boot) = boot.as_mut() else {
            return;
        };
        let mut ctx = Ctx::new(&self.mem, &self.log, chk);
        let Some(table) = live_table(&self.mem, boot) else {
            return;
        };
        let status = table.read8(boot.vdev_off + VDEV_STATUS).unwrap_or(0);
        if status & S_DRIVER_OK == 0 {
            step.within_ms(if now - boot.at_ns < POLL_FAST_NS {
                POLL_FAST_MS
            } else {
                POLL_SLOW_MS
            });
            return;
        }

        // DRIVER_OK: Zephyr's rproc_virtio_wait_remote_ready() returns; check what Linux wrote.
        check_table(&mut ctx, boot);
        let live = |off: usize| table.read32(off).unwrap_or(0);
        let v = boot.vdev_off;
        let gfeatures = live(v + VDEV_GFEATURES);
        if status & (S_ACKNOWLEDGE | S_DRIVER) != (S_ACKNOWLEDGE | S_DRIVER)
            || status & S_FAILED != 0
        {
            ctx.violation(
                Violation::Status,
                format_args!("vdev status 0x{status:x} with DRIVER_OK (expected ACKNOWLEDGE|DRIVER|DRIVER_OK, not FAILED)"),
            );
        }
        if gfeatures & !boot.dfeatures != 0 {
            ctx.violation(
                Violation::Features,
                format_args!(
                    "gfeatures 0x{gfeatures:x} not offered by dfeatures 0x{:x}",
                    boot.dfeatures
                ),
            );
        }
        let ring = |i: usize| {
            let o = v + VDEV_VRINGS + VRING_ENTRY * i;
            (
                live(o + vring_field::DA),
                live(o + vring_field::ALIGN),
                live(o + vring_field::NUM),
                live(o + vring_field::NOTIFYID),
            )
        };
        let (da0, align0, num0, nid0) = ring(0);
        let (da1, align1, num1, nid1) = ring(1);
        if nid0 == nid1 {
            ctx.violation(
                Violation::NotifyId,
                format_args!("both vrings have notify id {nid0}"),
            );
        }
        let rx = Vring::new(&mut ctx, 0, 0, Dir::DeviceWrites, da0, num0, align0);
        let tx = Vring::new(&mut ctx, 0, 1, Dir::DeviceReads, da1, num1, align1);
        let (Some(rx), Some(tx)) = (rx, tx) else {
            ctx.warn(format_args!(
                "FAULT: the vrings Linux assigned cannot be used (vring0 0x{da0:x}, vring1 0x{da1:x})"
            ));
            *phase = Phase::Faulted;
            stats.faults += 1;
            return;
        };
        let support_ns = boot.dfeatures & gfeatures & F_NS != 0;
        ctx.info(format_args!(
            "DRIVER_OK: status 0x{status:x} gfeatures 0x{gfeatures:x}, vring0 0x{da0:x} (num {num0}, align {align0}, notifyid {nid0}), vring1 0x{da1:x} (num {num1}, align {align1}, notifyid {nid1})"
        ));
        let delay = i64::from(knobs.ns_delay_ms) * 1_000_000;
        *dev = Some(Dev {
            rx,
            tx,
            rpmsg: if boot.raw_endpoint {
                Rpmsg::new()
            } else {
                Rpmsg::sample()
            },
            out: OutQ::new(),
            ns_at: Some(now + delay),
            out_since: None,
            support_ns,
        });
        *phase = Phase::Active;
    }

    /// Plays the device and the endpoints: announcements, Linux's messages, replies, flood.
    fn active(&self, st: &mut State, now: i64, step: &mut Step) {
        let State {
            boot,
            dev,
            chk,
            phase,
            stats,
            knobs,
            kick_pending,
            flood,
            flood_addr,
            abuse,
            ..
        } = st;
        let (Some(boot), Some(dev)) = (boot.as_mut(), dev.as_mut()) else {
            return;
        };
        let mut ctx = Ctx::new(&self.mem, &self.log, chk);
        let Some(table) = live_table(&self.mem, boot) else {
            return;
        };
        let status = table.read8(boot.vdev_off + VDEV_STATUS).unwrap_or(0);
        if status & S_DRIVER_OK == 0 {
            ctx.info(format_args!(
                "virtio reset by Linux (status 0x{status:x}): the M7 stops using the vrings"
            ));
            check_table(&mut ctx, boot);
            *phase = Phase::Reset;
            return;
        }
        if knobs.hang {
            return;
        }
        let mut fx = Effects::default();

        if let Some(at) = dev.ns_at {
            if now >= at {
                dev.ns_at = None;
                if dev.support_ns {
                    dev.rpmsg.announce(&mut dev.out, &mut fx);
                    for (_, addr) in dev.rpmsg.names() {
                        // Zephyr's LOG_INF lines (the raw endpoint is the simulation's own).
                        let what = match addr {
                            rpmsg::FIRST_ADDR => "Linux sample client",
                            rpmsg::RAW_ADDR => "Linux raw (simulation)",
                            _ => "Linux TTY",
                        };
                        trace(
                            &self.mem,
                            boot,
                            now,
                            format_args!("OpenAMP[remote] {what} responder started"),
                        );
                    }
                } else {
                    ctx.info(format_args!(
                        "VIRTIO_RPMSG_F_NS not negotiated: no name-service announcement"
                    ));
                }
            } else {
                step.until(now, at);
            }
        }

        // Linux's messages (Zephyr looks at them when notified).
        let mut consumed = false;
        if *kick_pending {
            *kick_pending = false;
            while let Some(d) = dev.tx.pop(&mut ctx) {
                let msg = match self.mem.at(d.addr, u64::from(d.len)) {
                    Some((r, off)) => Msg::read(&mut ctx, r, off, d.len as usize),
                    None => None,
                };
                dev.tx.push_used(&mut ctx, d.head, d.len);
                consumed = true;
                if let Some(m) = msg {
                    stats.msgs_in += 1;
                    let alive_before = dev.rpmsg.peer_of(rpmsg::FIRST_ADDR).is_some();
                    dev.rpmsg.receive(
                        &mut ctx,
                        &m,
                        knobs.mute,
                        knobs.sample_destroy,
                        &mut dev.out,
                        &mut fx,
                    );
                    if alive_before && dev.rpmsg.peer_of(rpmsg::FIRST_ADDR).is_none() {
                        trace(
                            &self.mem,
                            boot,
                            now,
                            format_args!("OpenAMP Linux sample client responder ended"),
                        );
                    }
                }
            }
        }

        // Flood: the endpoint sends to the Linux address it is bound to.
        while *flood > 0 && dev.out.len() < FLOOD_BATCH {
            let Some(peer) = dev.rpmsg.peer_of(*flood_addr) else {
                ctx.note(format_args!(
                    "flood: endpoint 0x{:x} has no Linux peer; {} messages not sent",
                    *flood_addr, *flood
                ));
                *flood = 0;
                break;
            };
            let mut text = [0u8; 32];
            let mut w = BufWriter {
                buf: &mut text,
                len: 0,
            };
            let _ = write!(w, "flood {}", *flood);
            let len = w.len;
            if !dev.out.push(Msg::new(*flood_addr, peer, &text[..len])) {
                break;
            }
            *flood -= 1;
        }

        // m7_abuse: a hostile message (or ring corruption) before the regular replies.
        if let Some(a) = abuse.take() {
            let peer = dev.rpmsg.peer_of(rpmsg::RAW_ADDR);
            step.notify += hostile::commit(&self.mem, &mut ctx, &mut dev.rx, &mut dev.tx, peer, a);
        }

        // Replies into Linux's rx buffers; OpenAMP's rpmsg_send() notifies after each.
        let mut replies = 0u32;
        while let Some(m) = dev.out.front() {
            let Some(d) = dev.rx.pop(&mut ctx) else {
                break;
            };
            let len = match self.mem.at(d.addr, u64::from(d.len)) {
                Some((r, off)) => m.write(r, off, d.len as usize).unwrap_or(0),
                None => 0,
            };
            let ns = m.dst == rpmsg::NS_ADDR;
            dev.rx.push_used(&mut ctx, d.head, len);
            replies += 1;
            dev.out.pop_front();
            dev.out_since = None;
            stats.msgs_out += 1;
            if ns {
                stats.ns_sent += 1;
            }
            if dev.rx.wants_interrupt(&mut ctx) {
                step.notify += 1;
            }
        }
        if !dev.out.is_empty() {
            // rpmsg_send() polls for a buffer, and gives up after 15 s.
            let since = *dev.out_since.get_or_insert(now);
            if now - since > TX_WAIT_NS {
                dev.out.pop_front();
                dev.out_since = None;
                stats.msgs_dropped += 1;
                ctx.warn(format_args!(
                    "no rx buffer from Linux for 15 s: message dropped ({} queued)",
                    dev.out.len()
                ));
            }
            step.within_ms(1);
        }
        if *flood > 0 {
            step.within_ms(1);
        }
        // Buffers handed back: OpenAMP kicks once the rx callback drained the ring.
        if consumed && dev.tx.wants_interrupt(&mut ctx) {
            step.notify += 1;
        }
        stats.msgs_dropped += u64::from(fx.dropped);
        // m7_corrupt_kick: the M7 forgets to ring Linux for the next replies.
        if step.notify > 0 && knobs.corrupt_kick > 0 {
            knobs.corrupt_kick = knobs.corrupt_kick.saturating_sub(replies.max(1));
            stats.notify_suppressed += u64::from(step.notify);
            step.notify = 0;
        }
    }

    /// Returns what the board shows.
    pub(crate) fn snapshot(&self) -> Snapshot {
        let st = self.st.lock();
        Snapshot {
            running: st.running,
            phase: st.phase,
            boot_vector: st.vector,
            stats: st.stats,
            violations: st.chk.total(),
            flood: st.flood,
        }
    }

    /// Returns the knobs.
    pub(crate) fn knobs(&self) -> Knobs {
        self.st.lock().knobs
    }

    /// Changes the knobs and wakes the M7.
    pub(crate) fn set_knobs(&self, f: impl FnOnce(&mut Knobs)) {
        let mut st = self.st.lock();
        f(&mut st.knobs);
        self.wake(&mut st);
    }

    /// Crashes the running M7 now (debugfs `m7_crash`). `EINVAL` if it does not run.
    pub(crate) fn crash_now(&self) -> Result {
        let mut st = self.st.lock();
        if !st.running || !st.phase.alive() {
            return Err(EINVAL);
        }
        self.crash(&mut st, format_args!("m7_crash"));
        self.wake(&mut st);
        Ok(())
    }

    /// Fills the M7's own memory (every region that is not for IPC) with
    /// `byte` (debugfs `m7_dirty`), as a previous image or the bootloader
    /// leaves it: a loader that does not zero-fill `.bss` then shows on the
    /// first boot. `EBUSY` while the M7 runs.
    pub(crate) fn dirty(&self, byte: u8) -> Result {
        let st = self.st.lock();
        if st.running {
            return Err(EBUSY);
        }
        for r in self.mem.regions().iter().filter(|r| r.kind() == Kind::Ram) {
            r.fill(0, r.size(), byte)?;
        }
        drop(st);
        Ok(())
    }

    /// Makes endpoint `addr` send `n` messages to the Linux address it is bound to.
    pub(crate) fn flood(&self, n: u32, addr: u32) -> Result {
        let mut st = self.st.lock();
        if st.phase != Phase::Active {
            return Err(EAGAIN);
        }
        st.flood = n;
        st.flood_addr = addr;
        self.wake(&mut st);
        Ok(())
    }

    /// Queues `abuse` for the M7's thread (debugfs `m7_abuse`). `EAGAIN` unless the M7 plays
    /// the virtio device.
    pub(crate) fn abuse(&self, abuse: Abuse) -> Result {
        let mut st = self.st.lock();
        if st.phase != Phase::Active {
            return Err(EAGAIN);
        }
        st.abuse = Some(abuse);
        self.wake(&mut st);
        Ok(())
    }

    /// Sends `n` garbage words to Linux on MU7 RX channel 1 as fast as possible, from the
    /// caller's context (debugfs `m7_abuse kick-flood N`). `EAGAIN` unless the M7 runs.
    pub(crate) fn kick_flood(&self, n: u32) -> Result {
        let mut words = [0u32; 16];
        {
            let mut st = self.st.lock();
            if !st.running {
                return Err(EAGAIN);
            }
            for w in words.iter_mut() {
                *w = st.garbage();
            }
        }
        let t0 = kext::uptime_ns();
        let (mut sent, mut lost) = (0u64, 0u64);
        for i in 0..n as usize {
            if self.send_to_linux(words[i % words.len()]).is_ok() {
                sent += 1;
            } else {
                lost += 1;
            }
        }
        let ms = (kext::uptime_ns() - t0) / 1_000_000;
        {
            let mut st = self.st.lock();
            st.stats.kicks_out += sent;
            st.stats.notify_lost += lost;
        }
        self.info(format_args!(
            "HOSTILE kick-flood: {sent} garbage words sent to Linux in {ms} ms ({lost} not delivered)"
        ));
        Ok(())
    }

    /// Writes `value` into `field` of the live resource table (debugfs `m7_abuse rsc`), and into
    /// the M7's own copy, so that the check at stop does not blame Linux for it. `EAGAIN` unless
    /// the M7 booted with a table.
    pub(crate) fn rsc_write(&self, field: RscField, value: u32) -> Result {
        let mut st = self.st.lock();
        let boot = st
            .boot
            .as_mut()
            .filter(|b| !b.table.is_empty())
            .ok_or(EAGAIN)?;
        let table = live_table(&self.mem, boot).ok_or(ENODEV)?;
        let (off, width) = field.locate(&boot.table, boot.vdev_off).ok_or(EINVAL)?;
        let bytes = value.to_le_bytes();
        let dst = boot.table.get_mut(off..off + width).ok_or(EINVAL)?;
        dst.copy_from_slice(&bytes[..width]);
        if width == 1 {
            table.write8(off, bytes[0])?;
        } else {
            table.write32(off, value)?;
        }
        drop(st);
        self.info(format_args!(
            "HOSTILE rsc: {field:?} = 0x{value:x} written at offset 0x{off:x} of the live resource table"
        ));
        Ok(())
    }

    /// Runs the checker's self-test ([`crate::m7test`]) while the M7 is stopped.
    pub(crate) fn selftest(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let _lc = self.lifecycle.lock();
        if self.st.lock().running {
            writeln!(f, "KTAP version 1")?;
            return writeln!(f, "1..0 # SKIP the M7 runs");
        }
        crate::m7test::run(&self.mem, f)
    }

    /// Writes `m7_stats`.
    pub(crate) fn show_stats(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let st = self.st.lock();
        let s = &st.stats;
        writeln!(f, "state {}", st.phase.name())?;
        writeln!(f, "running {}", u32::from(st.running))?;
        writeln!(f, "boot_vector {:#x}", st.vector)?;
        writeln!(f, "boots {}", s.boots)?;
        writeln!(f, "faults {}", s.faults)?;
        writeln!(f, "crashes {}", s.crashes)?;
        writeln!(f, "violations {}", st.chk.total())?;
        writeln!(f, "kicks_in {}", s.kicks_in)?;
        writeln!(f, "kicks_off {}", s.kicks_off)?;
        writeln!(f, "kicks_dropped {}", s.kicks_dropped)?;
        writeln!(f, "last_kick {:#x}", s.last_kick)?;
        writeln!(f, "kicks_bad_id {}", s.kicks_bad_id)?;
        writeln!(f, "kicks_out {}", s.kicks_out)?;
        writeln!(f, "notify_suppressed {}", s.notify_suppressed)?;
        writeln!(f, "notify_lost {}", s.notify_lost)?;
        writeln!(f, "msgs_in {}", s.msgs_in)?;
        writeln!(f, "msgs_out {}", s.msgs_out)?;
        writeln!(f, "ns_sent {}", s.ns_sent)?;
        writeln!(f, "msgs_dropped {}", s.msgs_dropped)?;
        writeln!(f, "flood {}", st.flood)?;
        let last = core::str::from_utf8(&st.last_boot).unwrap_or("?");
        writeln!(
            f,
            "last_boot {}",
            if last.is_empty() { "none" } else { last }
        )?;
        st.chk.show(f)
    }

    /// Writes `m7_log`.
    pub(crate) fn show_log(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.log.lock().show(f)
    }

    /// Empties `m7_log`.
    pub(crate) fn clear_log(&self) {
        self.log.lock().clear();
    }
}

/// Writes a Zephyr log line into the trace buffer (`[hh:mm:ss.mmm,uuu] <inf> ...`).
fn trace(mem: &M7Mem, boot: &mut Boot, now: i64, args: fmt::Arguments<'_>) {
    let t = (now - boot.at_ns).max(0) / 1000;
    let (us, ms, s) = (t % 1000, (t / 1000) % 1000, t / 1_000_000);
    trace_raw(
        mem,
        boot,
        format_args!(
            "[{:02}:{:02}:{:02}.{:03},{:03}] <inf> openamp_rsc_table: {}",
            s / 3600,
            (s / 60) % 60,
            s % 60,
            ms,
            us,
            args
        ),
    );
}

/// Appends a line to the trace buffer, keeping it NUL-terminated (Linux reads it up to the NUL).
fn trace_raw(mem: &M7Mem, boot: &mut Boot, args: fmt::Arguments<'_>) {
    let Some(tr) = boot.trace.as_mut() else {
        return;
    };
    let mut line = [0u8; 192];
    let mut w = BufWriter {
        buf: &mut line,
        len: 0,
    };
    let _ = writeln!(w, "{args}");
    let n = w.len.min(tr.len.saturating_sub(tr.pos + 1));
    if n == 0 {
        return;
    }
    if let Some((r, off)) = mem.ram_at(tr.pa + tr.pos as u64, n as u64 + 1) {
        let _ = r.write(off, &line[..n]);
        let _ = r.write8(off + n, 0);
        tr.pos += n;
    }
}

/// The live resource table where the firmware keeps it: offsets are from the table's start.
struct LiveTable<'a> {
    r: &'a Region,
    off: usize,
}

impl LiveTable<'_> {
    fn read8(&self, o: usize) -> Result<u8> {
        self.r.read8(self.off + o)
    }

    fn read32(&self, o: usize) -> Result<u32> {
        self.r.read32(self.off + o)
    }

    fn write8(&self, o: usize, v: u8) -> Result {
        self.r.write8(self.off + o, v)
    }

    fn write32(&self, o: usize, v: u32) -> Result {
        self.r.write32(self.off + o, v)
    }
}

/// Returns the live table of `boot`: `boot.table.len()` bytes at `boot.table_pa`.
fn live_table<'a>(mem: &'a M7Mem, boot: &Boot) -> Option<LiveTable<'a>> {
    mem.at(boot.table_pa, boot.table.len() as u64)
        .map(|(r, off)| LiveTable { r, off })
}

/// Checks that Linux changed no field of the live table the firmware owns: only `gfeatures`,
/// `status` and the vrings' `da`, `notifyid` and `pa` are Linux's to write.
fn check_table(ctx: &mut Ctx<'_>, boot: &Boot) {
    let Some(table) = live_table(ctx.mem, boot) else {
        return;
    };
    let v = boot.vdev_off;
    let linux_writes = |o: usize| {
        (v + VDEV_GFEATURES..v + VDEV_GFEATURES + 4).contains(&o)
            || o == v + VDEV_STATUS
            || (0..2).any(|i| {
                let r = v + VDEV_VRINGS + VRING_ENTRY * i;
                // da, and notifyid and pa (the last two fields).
                (r + vring_field::DA..r + vring_field::DA + 4).contains(&o)
                    || (r + vring_field::NOTIFYID..r + VRING_ENTRY).contains(&o)
            })
    };
    let mut first = None;
    let mut count = 0;
    for (o, &want) in boot.table.iter().enumerate() {
        let got = table.read8(o).unwrap_or(!want);
        if got != want && !linux_writes(o) {
            count += 1;
            first.get_or_insert((o, got, want));
        }
    }
    if let Some((o, got, want)) = first {
        ctx.violation(
            Violation::TableModified,
            format_args!(
                "{count} firmware-owned byte(s) of the live resource table changed, first at offset 0x{o:x}: 0x{got:02x} (firmware wrote 0x{want:02x})"
            ),
        );
    }
}

/// Records a boot fault: logged, and kept as the outcome of the boot.
fn fault(ctx: &mut Ctx<'_>, last: &mut KVec<u8>, args: fmt::Arguments<'_>) {
    ctx.warn(format_args!("FAULT: {args}"));
    set_text(last, format_args!("fault: {args}"));
}

/// Replaces `v` with formatted text.
fn set_text(v: &mut KVec<u8>, args: fmt::Arguments<'_>) {
    let mut buf = [0u8; 200];
    let mut w = BufWriter {
        buf: &mut buf,
        len: 0,
    };
    let _ = write!(w, "{args}");
    let len = w.len;
    v.clear();
    let _ = v.extend_from_slice(&buf[..len], GFP_KERNEL);
}

/// Adds `len` bytes at `off` of `r` to `crc`.
fn crc_range(r: &Region, off: usize, len: usize, crc: &mut Crc32) -> Result {
    let mut chunk = [0u8; 256];
    let mut done = 0;
    while done < len {
        let n = (len - done).min(chunk.len());
        r.read(off + done, &mut chunk[..n])?;
        crc.update(&chunk[..n]);
        done += n;
    }
    Ok(())
}

/// Returns whether the `len` bytes at `off` of `r` are all zero.
fn all_zero(r: &Region, off: usize, len: usize) -> Result<bool> {
    let mut chunk = [0u8; 256];
    let mut done = 0;
    while done < len {
        let n = (len - done).min(chunk.len());
        r.read(off + done, &mut chunk[..n])?;
        if chunk[..n].iter().any(|&b| b != 0) {
            return Ok(false);
        }
        done += n;
    }
    Ok(true)
}

/// What Zephyr's `openamp_rsc_table` takes from its resource table.
struct SampleTable {
    /// Offset of the rpmsg vdev entry's `type` word in the table.
    vdev_off: usize,
    /// Features the firmware offers.
    dfeatures: u32,
    /// The trace buffer `(da, len)`, if the table has one.
    trace: Option<(u32, u32)>,
}

/// Why a resource table cannot serve the sample.
enum TableFault {
    /// The table does not parse.
    Invalid(crate::fw::error::Error),
    /// It has no vdev.
    NoVdev,
    /// Its first vdev is not rpmsg with two vrings.
    NotRpmsg { id: u32, vrings: u8 },
}

impl fmt::Display for TableFault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TableFault::Invalid(e) => write!(f, "resource table invalid: {}", e.describe()),
            TableFault::NoVdev => write!(f, "resource table without a vdev"),
            TableFault::NotRpmsg { id, vrings } => {
                write!(f, "vdev id {id} with {vrings} vrings: not rpmsg")
            }
        }
    }
}

/// Reads what the sample needs from `table`: its first vdev, which must be rpmsg with two
/// vrings, and its trace buffer.
fn sample_table(table: &[u8]) -> core::result::Result<SampleTable, TableFault> {
    let t = ResourceTable::parse(table, &Default::default()).map_err(TableFault::Invalid)?;
    let (e, vd) = t.vdevs().next().ok_or(TableFault::NoVdev)?;
    if vd.id != crate::fw::rsc::VIRTIO_ID_RPMSG || vd.num_of_vrings != 2 {
        return Err(TableFault::NotRpmsg {
            id: vd.id,
            vrings: vd.num_of_vrings,
        });
    }
    let trace = t.entries().find_map(|e| match e.resource {
        Resource::Trace { da, len, .. } => Some((da, len)),
        _ => None,
    });
    Ok(SampleTable {
        vdev_off: e.offset,
        dfeatures: vd.dfeatures,
        trace,
    })
}

/// What a Cortex-M7 does when released from reset at `vector`, then what the image's manifest
/// asks. Returns the phase to run in and the boot state, or `None` after a fault.
fn boot(
    ctx: &mut Ctx<'_>,
    vector: u64,
    now: i64,
    last: &mut KVec<u8>,
    image: Option<&ImageInfo>,
) -> Option<(Phase, Option<Boot>)> {
    macro_rules! fault {
        ($($arg:tt)*) => {{
            fault(ctx, last, format_args!($($arg)*));
            return None;
        }};
    }
    let Ok(v) = u32::try_from(vector) else {
        fault!("reset vector 0x{vector:x} beyond the M7's 32-bit address space");
    };
    if v % 128 != 0 {
        fault!("reset vector 0x{v:x} not aligned to 128 bytes (VTOR)");
    }
    let Some((r, off)) = ctx.mem.ram_at(vector, 8) else {
        fault!("vector table at 0x{v:x} is not in the M7's memory: bus fault fetching SP/PC");
    };
    let sp = r.read32(off).unwrap_or(0);
    let pc = r.read32(off + 4).unwrap_or(0);
    let sp_ok = sp % 4 == 0
        && sp
            .checked_sub(4)
            .is_some_and(|top| ctx.mem.ram_at(u64::from(top), 4).is_some());
    if !sp_ok {
        fault!("initial SP 0x{sp:x} (vector table at 0x{v:x}) does not point into the M7's memory");
    }
    if pc & 1 == 0 {
        fault!("reset handler 0x{pc:x} has the Thumb bit clear: INVSTATE UsageFault");
    }
    if ctx.mem.ram_at(u64::from(pc & !1), 2).is_none() {
        fault!("reset handler 0x{pc:x} is not in the M7's memory: bus fault on fetch");
    }
    ctx.info(format_args!(
        "reset: vector table 0x{v:x}, SP 0x{sp:x}, reset handler 0x{pc:x}"
    ));

    let mut raw = [0u8; MANIFEST_LEN];
    let man = ctx
        .mem
        .ram_at(vector + MANIFEST_OFF, MANIFEST_LEN as u64)
        .and_then(|(r, off)| r.read(off, &mut raw).ok())
        .and_then(|()| Manifest::decode(&raw));
    let Some(m) = man else {
        let Some(image) = image else {
            ctx.info(format_args!(
                "no IMXRSIM1 manifest at 0x{:x} and no image named in m7_image: running without OpenAMP",
                vector + MANIFEST_OFF
            ));
            set_text(last, format_args!("ok (no manifest, image not known)"));
            return Some((Phase::Idle, None));
        };
        return boot_image(ctx, image, pc, now, last);
    };
    if m.version != manifest::VERSION || usize::from(m.size) != MANIFEST_LEN {
        fault!(
            "manifest version {} size {} not supported",
            m.version,
            m.size
        );
    }
    if m.code_addr != v {
        fault!(
            "manifest code_addr 0x{:x} is not the vector table 0x{v:x}",
            m.code_addr
        );
    }
    let (code, data, rsc) = (
        u64::from(m.code_addr),
        u64::from(m.data_addr),
        u64::from(m.rsc_addr),
    );
    let Some((cr, coff)) = ctx
        .mem
        .ram_at(code, u64::from(m.code_len))
        .filter(|_| u64::from(m.code_len) >= CODE_CRC_OFF + 4)
    else {
        fault!(
            "manifest code 0x{code:x}+0x{:x} not in the M7's memory",
            m.code_len
        );
    };
    let pc_addr = u64::from(pc & !1);
    if pc_addr < code || pc_addr >= code + u64::from(m.code_len) {
        fault!("reset handler 0x{pc:x} outside the code segment");
    }
    let Some((dr, doff)) = ctx
        .mem
        .ram_at(data, u64::from(m.data_memsz))
        .filter(|_| m.data_filesz <= m.data_memsz)
    else {
        fault!(
            "manifest data 0x{data:x}+0x{:x} (file 0x{:x}) not in the M7's memory",
            m.data_memsz,
            m.data_filesz
        );
    };
    let Some((rr, roff)) = ctx.mem.ram_at(rsc, u64::from(m.rsc_len)) else {
        fault!(
            "manifest resource table 0x{rsc:x}+0x{:x} not in the M7's memory",
            m.rsc_len
        );
    };

    // The checksums over what Linux loaded.
    let code_len = m.code_len as usize;
    let crc_off = CODE_CRC_OFF as usize;
    let mut crc = Crc32::new();
    let ok = crc_range(cr, coff, crc_off, &mut crc)
        .and_then(|()| crc_range(cr, coff + crc_off + 4, code_len - crc_off - 4, &mut crc));
    let code_crc = crc.finish();
    let mut crc = Crc32::new();
    let ok = ok.and_then(|()| crc_range(dr, doff, m.data_filesz as usize, &mut crc));
    let data_crc = crc.finish();
    let bss = (m.data_memsz - m.data_filesz) as usize;
    let bss_zero = all_zero(dr, doff + m.data_filesz as usize, bss);
    if ok.is_err() || bss_zero.is_err() {
        fault!("bus fault reading the image");
    }
    if code_crc != m.code_crc {
        fault!(
            "image corrupt: code_crc 0x{:08x} in the manifest, 0x{code_crc:08x} over the loaded code 0x{code:x}+0x{code_len:x}",
            m.code_crc
        );
    }
    if data_crc != m.data_crc {
        fault!(
            "image corrupt: data_crc 0x{:08x} in the manifest, 0x{data_crc:08x} over the loaded data 0x{data:x}+0x{:x}",
            m.data_crc,
            m.data_filesz
        );
    }
    if bss_zero != Ok(true) {
        fault!(
            "image corrupt: .bss 0x{:x}+0x{bss:x} not zero after loading",
            data + u64::from(m.data_filesz)
        );
    }
    ctx.info(format_args!(
        "image OK: code_crc 0x{code_crc:08x} OK, data_crc 0x{data_crc:08x} OK, .bss 0x{bss:x} bytes zero OK; behaviour {} flags 0x{:x}",
        m.behaviour, m.flags
    ));
    let ready_doorbell = m.flags & manifest::FLAG_READY_DOORBELL != 0;
    let crash_at = (m.flags & manifest::FLAG_CRASH_AFTER != 0)
        .then(|| now + i64::from(m.crash_after_ms) * 1_000_000);
    set_text(
        last,
        format_args!("ok code_crc 0x{code_crc:08x} data_crc 0x{data_crc:08x}"),
    );

    if m.behaviour != manifest::BEHAVIOUR_ZEPHYR {
        if m.behaviour != manifest::BEHAVIOUR_IDLE {
            ctx.info(format_args!(
                "unknown behaviour {}: running idle",
                m.behaviour
            ));
        }
        let b = Boot {
            ready_doorbell,
            at_ns: now,
            table: KVec::new(),
            table_pa: 0,
            raw_endpoint: true,
            vdev_off: 0,
            dfeatures: 0,
            trace: None,
            crash_at,
        };
        return Some((Phase::Idle, Some(b)));
    }

    // Zephyr: rsc_table_get() copies the pristine table to the rsc-table region.
    let Ok(mut table) = KVec::from_elem(0u8, m.rsc_len as usize, GFP_KERNEL) else {
        fault!("out of memory");
    };
    if rr.read(roff, &mut table).is_err() {
        fault!("bus fault reading the resource table");
    }
    let SampleTable {
        vdev_off,
        dfeatures,
        trace: trace_buf,
    } = match sample_table(&table) {
        Ok(t) => t,
        Err(e) => fault!("{e}"),
    };
    let Some(dst) = ctx.mem.find(Kind::RscTable) else {
        fault!("no rsc-table region to copy the resource table to");
    };
    if table.len() > dst.size() {
        fault!(
            "resource table of {} bytes does not fit the rsc-table region ({} bytes)",
            table.len(),
            dst.size()
        );
    }
    if dst.write(0, &table).is_err() {
        fault!("bus fault writing the rsc-table region");
    }
    let trace_buf = match trace_buf {
        Some((da, len)) if ctx.mem.ram_at(u64::from(da), u64::from(len)).is_some() => Some(Trace {
            pa: u64::from(da),
            len: len as usize,
            pos: 0,
        }),
        Some((da, len)) => {
            ctx.info(format_args!(
                "trace buffer 0x{da:x}+0x{len:x} not in the M7's memory: no trace"
            ));
            None
        }
        None => None,
    };
    let hang = m.flags & manifest::FLAG_HANG != 0;
    ctx.info(format_args!(
        "Zephyr openamp_rsc_table: resource table ({} bytes) copied to {} at 0x{:x}{}; waiting for DRIVER_OK{}",
        table.len(),
        dst.name(),
        dst.phys(),
        if trace_buf.is_some() { ", boot log in the trace buffer" } else { "" },
        if hang { " (no: manifest flag hang, never answers)" } else { "" }
    ));
    let mut b = Boot {
        ready_doorbell,
        at_ns: now,
        table,
        table_pa: dst.phys(),
        raw_endpoint: true,
        vdev_off,
        dfeatures,
        trace: trace_buf,
        crash_at,
    };
    trace_raw(
        ctx.mem,
        &mut b,
        format_args!("*** Booting Zephyr OS build v4.2.0 (imx95_sim) ***"),
    );
    trace(
        ctx.mem,
        &mut b,
        now,
        format_args!("Starting application threads!"),
    );
    trace(
        ctx.mem,
        &mut b,
        now,
        format_args!("OpenAMP[remote] Linux responder demo started"),
    );
    Some((
        if hang {
            Phase::Hung
        } else {
            Phase::WaitDriverOk
        },
        Some(b),
    ))
}

/// Boots an image without a manifest whose link map the M7 knows ([`crate::fwimage`]): what
/// Zephyr's `openamp_rsc_table` (v4.1.0) does on it, after checking that Linux loaded it right.
fn boot_image(
    ctx: &mut Ctx<'_>,
    image: &ImageInfo,
    pc: u32,
    now: i64,
    last: &mut KVec<u8>,
) -> Option<(Phase, Option<Boot>)> {
    macro_rules! fault {
        ($($arg:tt)*) => {{
            fault(ctx, last, format_args!($($arg)*));
            return None;
        }};
    }
    // The reset handler the vector table holds is the code the linker put there.
    if image.entry | 1 != pc {
        ctx.info(format_args!(
            "image {}: the vector table's reset handler 0x{pc:x} is not e_entry 0x{:x}",
            image.name(),
            image.entry
        ));
    }
    // Every PT_LOAD segment where the linker put it (`p_paddr`), its file bytes intact and the
    // rest (`.bss`) zero, as Zephyr's startup code expects before it copies `.data`.
    let mut bytes = 0u64;
    for seg in image.segs.iter() {
        let (pa, memsz) = (u64::from(seg.paddr), u64::from(seg.memsz));
        let Some((r, off)) = ctx.mem.image_at(pa, memsz) else {
            fault!(
                "image {}: segment {} at 0x{pa:x}+0x{memsz:x} (p_vaddr 0x{:x}) is not in the M7's memory: bus fault",
                image.name(),
                seg.index,
                seg.vaddr
            );
        };
        let mut crc = Crc32::new();
        let read = crc_range(r, off, seg.filesz as usize, &mut crc);
        let zero = all_zero(
            r,
            off + seg.filesz as usize,
            (seg.memsz - seg.filesz) as usize,
        );
        if read.is_err() || zero.is_err() {
            fault!("bus fault reading the image");
        }
        let got = crc.finish();
        if got != seg.crc {
            fault!(
                "image corrupt: segment {} at 0x{pa:x}: crc 0x{got:08x} over the loaded 0x{:x} bytes, 0x{:08x} in {}",
                seg.index,
                seg.filesz,
                seg.crc,
                image.name()
            );
        }
        if zero != Ok(true) {
            fault!(
                "image corrupt: segment {} at 0x{pa:x}: 0x{:x} bytes past p_filesz not zero after loading",
                seg.index,
                seg.memsz - seg.filesz
            );
        }
        bytes += memsz;
    }
    ctx.info(format_args!(
        "image {} OK: {} segments, 0x{bytes:x} bytes as linked",
        image.name(),
        image.segs.len()
    ));
    let Some((rsc, rsc_len)) = image.rsc else {
        set_text(
            last,
            format_args!("ok {} (no resource table)", image.name()),
        );
        return Some((
            Phase::Idle,
            Some(Boot {
                ready_doorbell: false,
                at_ns: now,
                table: KVec::new(),
                table_pa: 0,
                raw_endpoint: false,
                vdev_off: 0,
                dfeatures: 0,
                trace: None,
                crash_at: None,
            }),
        ));
    };
    // rsc_table_get(): the table at its linked address, where Linux's live copy is only if
    // Linux put it there.
    let (pa, len) = (u64::from(rsc), rsc_len as usize);
    let Some((r, off)) = ctx.mem.image_at(pa, len as u64) else {
        fault!("resource table at 0x{pa:x}+0x{len:x} is not in the M7's memory: bus fault");
    };
    let Ok(mut table) = KVec::from_elem(0u8, len, GFP_KERNEL) else {
        fault!("out of memory");
    };
    if r.read(off, &mut table).is_err() {
        fault!("bus fault reading the resource table");
    }
    let SampleTable {
        vdev_off,
        dfeatures,
        ..
    } = match sample_table(&table) {
        Ok(t) => t,
        Err(e) => fault!("{e}"),
    };
    let linux_put_it_here = ctx
        .mem
        .find(Kind::RscTable)
        .is_none_or(|t| t.contains(pa, len as u64));
    ctx.info(format_args!(
        "Zephyr openamp_rsc_table: resource table ({len} bytes) at its linked address 0x{pa:x} in {}; waiting for DRIVER_OK there{}",
        r.name(),
        if linux_put_it_here {
            ""
        } else {
            " (Linux copies its live table to the rsc-table region instead: this firmware will not see it)"
        }
    ));
    set_text(last, format_args!("ok {} table 0x{pa:x}", image.name()));
    Some((
        Phase::WaitDriverOk,
        Some(Boot {
            ready_doorbell: false,
            at_ns: now,
            table,
            table_pa: pa,
            raw_endpoint: false,
            vdev_off,
            dfeatures,
            trace: None,
            crash_at: None,
        }),
    ))
}
