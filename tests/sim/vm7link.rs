// SPDX-License-Identifier: GPL-2.0

//! The link to vm7, the executing virtual Cortex-M7 on the host (`tools/vm7`, board mode).
//!
//! When a scenario's overlay gives MU7 the property `imxrprocrs,vm7-link = <&node>` (a node
//! compatible with `imxrprocrs,vm7-link` whose `reg` is a page of no-map guest RAM), the M7
//! behind MU7 is not the manifest M7 of [`crate::m7`] but vm7, which runs the instructions
//! the remoteproc driver loaded: `scripts/run-qemu.sh --vm7` backs the guest's RAM with a
//! shared file that vm7 maps. The two sides meet in that page (layout below, the same
//! constants in `tools/vm7/src/board.rs`; Documentation/design.rst, "Board mode"):
//!
//! - the System Manager's start (reset vector) and stop of the M7 are commands that vm7
//!   acknowledges; [`Link::start`] and [`Link::stop`] wait (bounded) for the acknowledgement,
//!   so Linux gets its SCMI answer only once vm7 has reset or halted the core;
//! - the MU7 words and doorbells, both ways, go through two rings of entries, counted on both
//!   sides, so none is lost or reordered without a test seeing it;
//! - the firmware's LPUART3 console arrives as a byte ring; each line goes to the kernel log
//!   prefixed `vm7: m7: `;
//! - with `imxrprocrs,vm7-tcm = <&node>` too (the configuration space of QEMU's
//!   `ivshmem-plain` device), that device's memory BAR is placed at 0x20000000
//!   ([`place_tcm_bar`]), so the TCM aliases 0x203C0000/0x20400000 the drivers write are
//!   memory that vm7 maps as the M7's ITCM and DTCM;
//! - a firmware fault makes vm7 report the core faulted: [`Link::take_crash`] then makes the
//!   System Manager report the M7 stopped, as for the manifest M7's crash.
//!
//! Every word of the page is accessed with a single 32-bit access ([`Shmem`]); heads and
//! tails are free-running counters, each written by one side only.

use crate::{
    kext,
    mbox_ctrl::Message,
    mu::{ChanType, Mu},
    shmem::Shmem,
};
use core::fmt;
use kernel::{
    impl_has_work, new_mutex, new_work,
    prelude::*,
    sync::{
        atomic::{Atomic, Relaxed},
        Arc, Mutex,
    },
    time::{delay::fsleep, Delta},
    workqueue::{Work, WorkItem},
};

/// The page's layout, shared with vm7 (`tools/vm7/src/board.rs`): its one definition.
#[path = "../../fw/src/vm7link.rs"]
#[allow(dead_code, unreachable_pub)]
mod layout;
use layout::*;

/// How long the System Manager waits for vm7 to acknowledge a command.
const ACK_TIMEOUT_MS: i64 = 3000;
/// The poller's period.
const POLL_US: i64 = 1000;

/// Counters of the link (debugfs `vm7_stats`).
struct Counts {
    to_m7: Atomic<u32>,
    to_m7_full: Atomic<u32>,
    to_linux: Atomic<u32>,
    doorbells_to_linux: Atomic<u32>,
    lines: Atomic<u32>,
    starts: Atomic<u32>,
    stops: Atomic<u32>,
    ack_timeouts: Atomic<u32>,
    faults_seen: Atomic<u32>,
}

impl Counts {
    const fn new() -> Self {
        Self {
            to_m7: Atomic::new(0),
            to_m7_full: Atomic::new(0),
            to_linux: Atomic::new(0),
            doorbells_to_linux: Atomic::new(0),
            lines: Atomic::new(0),
            starts: Atomic::new(0),
            stops: Atomic::new(0),
            ack_timeouts: Atomic::new(0),
            faults_seen: Atomic::new(0),
        }
    }
}

fn bump(a: &Atomic<u32>) {
    a.store(a.load(Relaxed).wrapping_add(1), Relaxed);
}

/// The guest side of the link page.
#[pin_data]
pub(crate) struct Link {
    page: Shmem,
    /// The MU Linux's mailbox client talks through, while MU7 is bound.
    #[pin]
    mu: Mutex<Option<Arc<Mu>>>,
    /// Serialises commands and the TO_M7 ring's producers.
    #[pin]
    cmd: Mutex<()>,
    /// The console line being assembled; held by a poll round (the poller's or a stop's).
    #[pin]
    line: Mutex<KVec<u8>>,
    #[pin]
    poller: Work<Link>,
    exit: Atomic<bool>,
    crashed: Atomic<bool>,
    faults: Atomic<u32>,
    counts: Counts,
}

impl_has_work! {
    impl HasWork<Self> for Link { self.poller }
}

impl WorkItem for Link {
    type Pointer = Arc<Link>;

    fn run(this: Arc<Link>) {
        while !this.exit.load(Relaxed) {
            this.poll();
            fsleep(Delta::from_micros(POLL_US));
        }
    }
}

impl Link {
    /// A link over the mapped page `page`.
    pub(crate) fn new(page: Shmem) -> Result<Arc<Self>> {
        if page.size() < PAGE_SIZE {
            return Err(EINVAL);
        }
        let faults = page.read32(FAULTS)?;
        Arc::pin_init(
            try_pin_init!(Self {
                page,
                mu <- new_mutex!(None),
                cmd <- new_mutex!(()),
                line <- new_mutex!(KVec::new()),
                poller <- new_work!("vm7link::poller"),
                exit: Atomic::new(true),
                crashed: Atomic::new(false),
                faults: Atomic::new(faults),
                counts: Counts::new(),
            }),
            GFP_KERNEL,
        )
    }

    /// Whether vm7 is there (it wrote the magic word).
    pub(crate) fn present(&self) -> bool {
        self.page.read32(MAGIC).ok() == Some(MAGIC_VALUE)
    }

    /// Connects the link to MU7 and starts the poller.
    pub(crate) fn attach(this: &Arc<Self>, mu: Arc<Mu>) {
        *this.mu.lock() = Some(mu);
        this.exit.store(false, Relaxed);
        let _ = kext::system_dfl().enqueue(this.clone());
    }

    /// Stops the poller and disconnects MU7 (the MU device is going away).
    pub(crate) fn detach(&self) {
        self.exit.store(true, Relaxed);
        kext::flush_work(&self.poller);
        let old = self.mu.lock().take();
        drop(old);
    }

    /// Posts command `cmd` and waits for vm7's acknowledgement.
    fn command(&self, cmd: u32, vector: u64) -> Result {
        let _g = self.cmd.lock();
        if !self.present() {
            pr_err!("vm7: no vm7 on the link page (run-qemu.sh --vm7?)\n");
            return Err(ENODEV);
        }
        let seq = self.page.read32(CMD_SEQ)?.wrapping_add(1);
        self.page.write32(CMD, cmd)?;
        self.page.write32(VEC_LO, vector as u32)?;
        self.page.write32(VEC_HI, (vector >> 32) as u32)?;
        // writel() orders the arguments before the sequence number.
        self.page.write32(CMD_SEQ, seq)?;
        let start = kext::uptime_ns();
        while self.page.read32(ACK_SEQ)? != seq {
            if kext::uptime_ns() - start > ACK_TIMEOUT_MS * 1_000_000 {
                bump(&self.counts.ack_timeouts);
                pr_err!(
                    "vm7: command {} not acknowledged in {} ms\n",
                    cmd,
                    ACK_TIMEOUT_MS
                );
                return Err(ETIMEDOUT);
            }
            fsleep(Delta::from_micros(100));
        }
        match self.page.read32(ACK_STATUS)? {
            0 => Ok(()),
            s => {
                pr_err!("vm7: command {} failed (status {})\n", cmd, s);
                Err(EIO)
            }
        }
    }

    /// The System Manager started the M7 at `vector`: vm7 resets the core there.
    pub(crate) fn start(&self, vector: u64) {
        self.crashed.store(false, Relaxed);
        bump(&self.counts.starts);
        match self.command(CMD_START, vector) {
            Ok(()) => pr_info!("vm7: M7 started at {:#x}\n", vector),
            Err(e) => pr_err!("vm7: start at {:#x} failed: {:?}\n", vector, e),
        }
    }

    /// The System Manager stopped the M7: when this returns, vm7 no longer runs it.
    pub(crate) fn stop(&self) {
        bump(&self.counts.stops);
        if let Err(e) = self.command(CMD_STOP, 0) {
            pr_err!("vm7: stop failed: {:?}\n", e);
        }
        // The firmware's last words and lines.
        self.poll();
    }

    /// Writes `value` at M7 address `addr` in the running core's memory (debugfs `vm7_poke`):
    /// a stray write, to make the real firmware crash on its own.
    pub(crate) fn poke(&self, addr: u32, value: u32) -> Result {
        self.command(CMD_POKE, u64::from(addr) | (u64::from(value) << 32))
    }

    /// Whether the firmware faulted since the System Manager last asked.
    pub(crate) fn take_crash(&self) -> bool {
        self.crashed.xchg(false, Relaxed)
    }

    /// Linux sent `value` on MU7 TX channel `idx` (`Some`) or rang TX doorbell `idx` (`None`).
    pub(crate) fn to_m7(&self, idx: usize, value: Option<u32>) {
        let _g = self.cmd.lock();
        let r = (|| -> Result {
            let head = self.page.read32(TOM7_HEAD)?;
            let tail = self.page.read32(TOM7_TAIL)?;
            if head.wrapping_sub(tail) >= RING_ENTRIES {
                // vm7 is not draining: counted, and the test reading the counts fails.
                bump(&self.counts.to_m7_full);
                return Err(EBUSY);
            }
            let slot = TOM7_RING + ENTRY_SIZE * (head % RING_ENTRIES) as usize;
            let kind = if value.is_some() {
                KIND_WORD
            } else {
                KIND_DOORBELL
            };
            self.page.write32(slot, (kind << KIND_SHIFT) | idx as u32)?;
            self.page.write32(slot + 4, value.unwrap_or(0))?;
            self.page.write32(TOM7_HEAD, head.wrapping_add(1))?;
            bump(&self.counts.to_m7);
            Ok(())
        })();
        if let Err(e) = r {
            pr_warn!("vm7: MU7 event to the M7 lost: {:?}\n", e);
        }
    }

    /// One round: the firmware's MU words and doorbells to Linux, its console, its faults.
    fn poll(&self) {
        let mut line = self.line.lock();
        let _ = self.poll_mu();
        let _ = self.poll_console(&mut line);
        drop(line);
        if let Ok(f) = self.page.read32(FAULTS) {
            if f != self.faults.load(Relaxed) {
                self.faults.store(f, Relaxed);
                if self.page.read32(STATE).ok() == Some(STATE_FAULTED) {
                    bump(&self.counts.faults_seen);
                    self.crashed.store(true, Relaxed);
                    self.report_fault();
                }
            }
        }
    }

    fn report_fault(&self) {
        let mut text = [0u8; FAULT_TEXT_LEN];
        let mut n = 0;
        while n < FAULT_TEXT_LEN {
            let Ok(w) = self.page.read32(FAULT_TEXT + n) else {
                break;
            };
            text[n..n + 4].copy_from_slice(&w.to_le_bytes());
            n += 4;
        }
        let len = text.iter().position(|&b| b == 0).unwrap_or(FAULT_TEXT_LEN);
        pr_info!(
            "vm7: the M7 faulted: {}\n",
            core::str::from_utf8(&text[..len]).unwrap_or("(not UTF-8)")
        );
    }

    fn poll_mu(&self) -> Result {
        let head = self.page.read32(TOLX_HEAD)?;
        let mut tail = self.page.read32(TOLX_TAIL)?;
        if head == tail {
            return Ok(());
        }
        let mu = self.mu.lock().clone();
        while tail != head {
            let slot = TOLX_RING + ENTRY_SIZE * (tail % RING_ENTRIES) as usize;
            let what = self.page.read32(slot)?;
            let value = self.page.read32(slot + 4)?;
            tail = tail.wrapping_add(1);
            self.page.write32(TOLX_TAIL, tail)?;
            let idx = (what & INDEX_MASK) as usize;
            let Some(mu) = mu.as_ref() else { continue };
            if what >> KIND_SHIFT == KIND_WORD {
                bump(&self.counts.to_linux);
                // Its fate, lost or undelivered too, is in the trace (`mu7_words`).
                let _ = mu.peer_sends(idx, value);
            } else {
                bump(&self.counts.doorbells_to_linux);
                let _ = mu.received(ChanType::RxDb.chan(idx), Message::Signal);
            }
        }
        Ok(())
    }

    fn poll_console(&self, line: &mut KVec<u8>) -> Result {
        let head = self.page.read32(CON_HEAD)?;
        let mut tail = self.page.read32(CON_TAIL)?;
        if head == tail {
            return Ok(());
        }
        while tail != head {
            let off = (tail % CON_RING_LEN) as usize;
            let w = self.page.read32(CON_RING + (off & !3))?;
            let b = w.to_le_bytes()[off & 3];
            tail = tail.wrapping_add(1);
            if b == b'\n' {
                bump(&self.counts.lines);
                pr_info!(
                    "vm7: m7: {}\n",
                    core::str::from_utf8(line).unwrap_or("(not UTF-8)")
                );
                line.clear();
            } else if b != b'\r' && line.len() < 256 {
                let _ = line.push(b, GFP_KERNEL);
            }
        }
        self.page.write32(CON_TAIL, tail)
    }

    /// Writes `vm7_stats`: `name value` lines, the guest's counts and vm7's state.
    pub(crate) fn show_stats(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let c = &self.counts;
        writeln!(f, "present {}", u32::from(self.present()))?;
        writeln!(f, "state {}", self.page.read32(STATE).unwrap_or(u32::MAX))?;
        writeln!(f, "faults {}", self.page.read32(FAULTS).unwrap_or(u32::MAX))?;
        for (name, v) in [
            ("starts", &c.starts),
            ("stops", &c.stops),
            ("ack_timeouts", &c.ack_timeouts),
            ("to_m7", &c.to_m7),
            ("to_m7_full", &c.to_m7_full),
            ("to_linux", &c.to_linux),
            ("doorbells_to_linux", &c.doorbells_to_linux),
            ("console_lines", &c.lines),
            ("faults_seen", &c.faults_seen),
        ] {
            writeln!(f, "{name} {}", v.load(Relaxed))?;
        }
        // vm7's own counts of the same rings: taken from TO_M7, posted to TO_LINUX.
        writeln!(f, "m7_took {}", self.page.read32(TOM7_TAIL).unwrap_or(0))?;
        writeln!(f, "m7_posted {}", self.page.read32(TOLX_HEAD).unwrap_or(0))
    }
}

/// PCI configuration header offsets (`include/uapi/linux/pci_regs.h`: PCI_VENDOR_ID 0x00,
/// PCI_COMMAND 0x04 with PCI_COMMAND_MEMORY 0x2, PCI_BASE_ADDRESS_2 0x18, _3 0x1c).
const PCI_ID: usize = 0x00;
const PCI_COMMAND: usize = 0x04;
const PCI_COMMAND_MEMORY: u32 = 0x2;
const PCI_BAR2: usize = 0x18;
const PCI_BAR3: usize = 0x1c;
/// QEMU's `ivshmem-plain`: vendor 0x1af4, device 0x1110; BAR 2 is the shared memory, a
/// 64-bit prefetchable BAR (hw/misc/ivshmem.c, PCI_VENDOR_ID_IVSHMEM, PCI_DEVICE_ID_IVSHMEM).
const IVSHMEM_ID: u32 = 0x1110_1af4;

/// Where the TCM window goes: the i.MX95 M7's TCMs are seen by Linux at 0x203C0000 (ITCM)
/// and 0x20400000 (DTCM) (`imx_rproc_att_imx95_m7` in drivers/remoteproc/imx_rproc.c),
/// both inside an 8 MiB BAR at 0x20000000, which QEMU `virt` leaves to its PCIe 32-bit
/// window (0x10000000-0x3efeffff, CPU address = PCI address; hw/arm/virt.c, VIRT_PCIE_MMIO).
pub(crate) const TCM_WINDOW: u32 = 0x2000_0000;

/// Places the memory BAR of the ivshmem device whose configuration space `cfg` maps at
/// [`TCM_WINDOW`], as a bootloader would: the guest kernel has no PCI support, so nothing
/// else programs or moves it. Afterwards the TCM aliases are memory that vm7 maps too.
pub(crate) fn place_tcm_bar(cfg: &Shmem) -> Result {
    let id = cfg.read32(PCI_ID)?;
    if id != IVSHMEM_ID {
        pr_err!("vm7: the TCM window's device is {:#x}, not ivshmem\n", id);
        return Err(ENODEV);
    }
    let cmd = cfg.read32(PCI_COMMAND)? & 0xffff;
    cfg.write32(PCI_COMMAND, cmd & !PCI_COMMAND_MEMORY)?;
    cfg.write32(PCI_BAR2, TCM_WINDOW)?;
    cfg.write32(PCI_BAR3, 0)?;
    cfg.write32(PCI_COMMAND, cmd | PCI_COMMAND_MEMORY)?;
    let bar = cfg.read32(PCI_BAR2)? & !0xf;
    if bar != TCM_WINDOW {
        pr_err!("vm7: the TCM window's BAR reads {:#x}\n", bar);
        return Err(EIO);
    }
    pr_info!("vm7: TCM window (ivshmem BAR 2) at {:#x}\n", TCM_WINDOW);
    Ok(())
}

/// Where the board keeps the link, once MU7 with `imxrprocrs,vm7-link` is bound.
#[pin_data]
pub(crate) struct Slot {
    #[pin]
    link: Mutex<Option<Arc<Link>>>,
}

impl Slot {
    /// An empty slot.
    pub(crate) fn new() -> Result<Arc<Self>> {
        Arc::pin_init(pin_init!(Self { link <- new_mutex!(None) }), GFP_KERNEL)
    }

    /// The link, if there is one.
    pub(crate) fn get(&self) -> Option<Arc<Link>> {
        self.link.lock().clone()
    }

    /// Sets or clears the link.
    pub(crate) fn set(&self, link: Option<Arc<Link>>) {
        let old = core::mem::replace(&mut *self.link.lock(), link);
        drop(old);
    }

    /// Writes `vm7_stats` (`none` without a link).
    pub(crate) fn show_stats(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.get() {
            Some(l) => l.show_stats(f),
            None => writeln!(f, "none"),
        }
    }
}
