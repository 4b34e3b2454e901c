// SPDX-License-Identifier: GPL-2.0

//! Board mode: vm7 as the Cortex-M7 of the QEMU guest ("the virtual i.MX95").
//!
//! `scripts/run-qemu.sh --vm7` backs the guest's RAM with a shared file
//! (`memory-backend-file,share=on`) and starts `vm7 --board FILE`, which maps the same file:
//! the M7's DDR (0x80000000, `m7_reserved`) and the IPC shared memory (0x88000000) are the
//! guest's pages at the same physical addresses (the i.MX95 att table maps them 1:1,
//! `imx_rproc_att_imx95_m7` in drivers/remoteproc/imx_rproc.c), so the core runs the bytes
//! the Linux driver wrote, never a copy of the ELF file.
//!
//! The guest's simulated System Manager and MU7 (tests/sim/vm7link.rs) talk to vm7 through one
//! page of that RAM, the link page; its layout is defined twice, here and in vm7link.rs, and
//! described in Documentation/design.rst ("Board mode"). vm7 polls it: commands (start at a
//! vector, stop) are acknowledged once done; MU7 words and doorbells travel in two rings;
//! the console travels in a byte ring; a firmware fault sets `STATE` to faulted.

use crate::{Console, Machine, Outcome};
use std::collections::VecDeque;
use std::sync::atomic::{AtomicU32, AtomicU8, Ordering};
use std::time::{Duration, Instant};

// The link page's layout, the same file the guest side (tests/sim/vm7link.rs) compiles.
use imx_rproc_fw::vm7link::{
    ACK_SEQ, ACK_STATUS, CMD, CMD_POKE, CMD_SEQ, CMD_START, CMD_STOP, CON_HEAD, CON_RING,
    CON_RING_LEN, CON_TAIL, ENTRY_SIZE, FAULTS, FAULT_TEXT, FAULT_TEXT_LEN, KIND_DOORBELL,
    KIND_SHIFT, KIND_WORD, MAGIC, MAGIC_VALUE, PAGE_SIZE, RING_ENTRIES, STATE, STATE_FAULTED,
    STATE_OFF, STATE_RUNNING, TOLX_HEAD, TOLX_RING, TOLX_TAIL, TOM7_HEAD, TOM7_RING, TOM7_TAIL,
    VEC_HI, VEC_LO,
};

/// Where the TCM window lies in the guest: the ivshmem BAR that the guest's simulator
/// places at 0x20000000 (tests/sim/vm7link.rs, `place_tcm_bar`); the i.MX95 M7 sees its ITCM
/// (0x0) at system address 0x203C0000 and its DTCM (0x20000000) at 0x20400000, 256 KiB each
/// (`imx_rproc_att_imx95_m7` in drivers/remoteproc/imx_rproc.c).
pub const TCM_WINDOW: u64 = 0x2000_0000;
const TCM_ALIASES: [(u64, u64, u64); 2] = [
    (crate::ITCM.0, 0x203c_0000, crate::ITCM.1),
    (crate::DTCM.0, 0x2040_0000, crate::DTCM.1),
];

/// The guest's physical address of its first RAM byte (QEMU `virt`: RAM from 0x40000000,
/// hw/arm/virt.c `[VIRT_MEM] = { 0x40000000, ... }`).
pub const GUEST_RAM_BASE: u64 = 0x4000_0000;

/// The shared file of the guest's RAM, mapped.
///
/// # Invariants
///
/// `ptr` is a shared mapping of `len` bytes, unmapped only on drop.
pub struct GuestRam {
    ptr: *mut u8,
    len: usize,
    base: u64,
}

impl GuestRam {
    /// Maps the whole file at `path` (created by run-qemu.sh, then used by QEMU), whose
    /// first byte is guest physical `base`.
    pub fn open(path: &std::path::Path, base: u64) -> Result<Self, String> {
        use std::os::fd::AsRawFd;
        let f = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open(path)
            .map_err(|e| format!("{}: {e}", path.display()))?;
        let len = f.metadata().map_err(|e| e.to_string())?.len() as usize;
        // SAFETY: A new shared mapping of an open file; no existing memory is affected.
        let p = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                len,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_SHARED,
                f.as_raw_fd(),
                0,
            )
        };
        if p == libc::MAP_FAILED {
            return Err(format!(
                "mmap {}: {}",
                path.display(),
                std::io::Error::last_os_error()
            ));
        }
        // INVARIANT: `p` maps `len` bytes.
        Ok(GuestRam {
            ptr: p.cast(),
            len,
            base,
        })
    }

    /// The host address of guest physical `pa..pa + len`, if it is in this file.
    pub fn at(&self, pa: u64, len: u64) -> Option<*mut u8> {
        let off = pa.checked_sub(self.base)?;
        if off.checked_add(len)? > self.len as u64 {
            return None;
        }
        // In bounds of the mapping (checked above).
        Some(self.ptr.wrapping_add(off as usize))
    }
}

impl Drop for GuestRam {
    fn drop(&mut self) {
        // SAFETY: `ptr` maps `len` bytes (type invariant); nothing uses it after this.
        unsafe { libc::munmap(self.ptr.cast(), self.len) };
    }
}

/// The link page, accessed word by word (atomics: the guest's vCPUs write it concurrently).
///
/// # Invariants
///
/// `base` points to `PAGE_SIZE` (4096) bytes of the guest RAM mapping, 4-byte aligned, valid
/// while the [`GuestRam`] it came from lives (the caller of [`Page::new`] keeps it).
struct Page {
    base: *mut u8,
}

impl Page {
    /// # Safety
    ///
    /// `base` must point to `PAGE_SIZE` mapped bytes, 4-byte aligned, valid for the page's life.
    unsafe fn new(base: *mut u8) -> Self {
        Page { base }
    }
    fn word(&self, off: usize) -> &AtomicU32 {
        assert!(off % 4 == 0 && off + 4 <= PAGE_SIZE);
        // SAFETY: In bounds and aligned (asserted, type invariant); the memory is shared with
        // the guest, which accesses it with single 32-bit accesses too.
        unsafe { AtomicU32::from_ptr(self.base.add(off).cast()) }
    }
    fn byte(&self, off: usize) -> &AtomicU8 {
        assert!(off < PAGE_SIZE);
        // SAFETY: In bounds (asserted, type invariant).
        unsafe { AtomicU8::from_ptr(self.base.add(off)) }
    }
    fn ld(&self, off: usize) -> u32 {
        self.word(off).load(Ordering::Acquire)
    }
    fn st(&self, off: usize, v: u32) {
        self.word(off).store(v, Ordering::Release)
    }
}

/// Options of the board mode.
pub struct Options {
    /// The guest RAM file.
    pub ram: std::path::PathBuf,
    /// Guest physical address of the link page.
    pub link: u64,
    /// Host file of the console (LPUART3 lines).
    pub console: Option<std::path::PathBuf>,
    /// Instructions per slice between two looks at the link page.
    pub slice: u64,
    /// The file behind the guest's TCM window (an ivshmem BAR at [`TCM_WINDOW`]).
    pub tcm: Option<std::path::PathBuf>,
}

/// What the board mode counted (printed at exit).
#[derive(Default, Debug)]
pub struct Stats {
    pub starts: u64,
    pub stops: u64,
    pub faults: u64,
    pub words_in: u64,
    pub doorbells_in: u64,
    pub words_out: u64,
    pub doorbells_out: u64,
    pub lines: u64,
    pub insns: u64,
}

struct Run<'a> {
    m: Machine<'a>,
    /// Virtual time zero on the wall clock (moved when the core falls behind).
    origin: Instant,
    /// When the core was started.
    started: Instant,
    /// Wall time spent inside the engine (`Machine::run`), sleeps between slices excluded.
    busy: Duration,
}

/// The board: guest RAM, the link page, the core when it runs.
pub struct Board {
    ram: GuestRam,
    tcm: Option<GuestRam>,
    page: Page,
    opts: Options,
    pub stats: Stats,
    out: VecDeque<(u32, u32)>,
    con: VecDeque<u8>,
    faults: u32,
    /// VM7_TRACE set: MU7 words with wall and virtual time on stderr.
    trace: bool,
    t0: Instant,
}

impl Board {
    pub fn new(opts: Options) -> Result<Self, String> {
        let ram = GuestRam::open(&opts.ram, GUEST_RAM_BASE)?;
        let tcm = match &opts.tcm {
            Some(p) => Some(GuestRam::open(p, TCM_WINDOW)?),
            None => None,
        };
        let p = ram
            .at(opts.link, PAGE_SIZE as u64)
            .filter(|_| opts.link % PAGE_SIZE as u64 == 0)
            .ok_or_else(|| format!("link page {:#x} is not a page of guest RAM", opts.link))?;
        // SAFETY: `PAGE_SIZE` bytes of `ram`, page aligned (checked above); `ram` lives as long as
        // the board, which owns both.
        let page = unsafe { Page::new(p) };
        Ok(Board {
            ram,
            tcm,
            page,
            opts,
            stats: Stats::default(),
            out: VecDeque::new(),
            con: VecDeque::new(),
            faults: 0,
            trace: std::env::var_os("VM7_TRACE").is_some(),
            t0: Instant::now(),
        })
    }

    fn machine(&self) -> Result<Machine<'static>, String> {
        let file = match &self.opts.console {
            Some(p) => Some(
                std::fs::OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(p)
                    .map_err(|e| format!("{}: {e}", p.display()))?,
            ),
            None => None,
        };
        let console = Console {
            prefix: "[m7] ".into(),
            quiet: true,
            file,
        };
        let mut regions = Vec::new();
        for (a, sz) in [crate::DDR_CODE, crate::IPC_SHM] {
            let p = self
                .ram
                .at(a, sz)
                .ok_or_else(|| format!("{a:#x}+{sz:#x} is not guest RAM"))?;
            regions.push((a, sz, p));
        }
        if let Some(tcm) = &self.tcm {
            for (m7, sys, sz) in TCM_ALIASES {
                let p = tcm
                    .at(sys, sz)
                    .ok_or_else(|| format!("TCM alias {sys:#x} is not in the TCM file"))?;
                regions.push((m7, sz, p));
            }
        }
        // SAFETY: The regions lie in `self.ram` or `self.tcm` (checked by `at`), which
        // outlive every machine (a machine lives in `run_loop`'s frame, inside the board's
        // borrow).
        let mut m = unsafe { Machine::new_board(console, &regions)? };
        if self.tcm.is_none() {
            // No TCM window: the core's own RAM, which the guest cannot write.
            for (a, sz) in [crate::ITCM, crate::DTCM] {
                m.uc.mem_map(a, sz, unicorn_engine::unicorn_const::Prot::ALL)
                    .map_err(|e| format!("map {a:#x}: {e:?}"))?;
            }
        }
        Ok(m)
    }

    fn fault(&mut self, why: &str) {
        self.stats.faults += 1;
        self.faults = self.faults.wrapping_add(1);
        let b = why.as_bytes();
        for i in 0..FAULT_TEXT_LEN {
            let c = if i + 1 < FAULT_TEXT_LEN {
                b.get(i).copied().unwrap_or(0)
            } else {
                0
            };
            self.page.byte(FAULT_TEXT + i).store(c, Ordering::Relaxed);
        }
        self.page.st(STATE, STATE_FAULTED);
        self.page.st(FAULTS, self.faults);
        eprintln!("vm7: firmware fault: {why}");
    }

    /// Linux's MU7 words and doorbells into the B side, as its receive registers free up.
    fn feed(&mut self, m: &mut Machine) {
        let head = self.page.ld(TOM7_HEAD);
        let mut tail = self.page.ld(TOM7_TAIL);
        let s = m.uc.get_data_mut();
        while tail != head {
            let slot = TOM7_RING + ENTRY_SIZE * (tail % RING_ENTRIES) as usize;
            let what = self.page.ld(slot);
            let value = self.page.ld(slot + 4);
            let idx = (what & 3) as usize;
            if what >> KIND_SHIFT == KIND_WORD {
                if s.mu7.rx[idx].is_some() {
                    break; // RR full: the word waits in the ring, in order
                }
                s.mu7.rx[idx] = Some(value);
                self.stats.words_in += 1;
                if self.trace {
                    eprintln!(
                        "vm7: {:.6} word in {value:#x} (insns {}, slept {})",
                        self.t0.elapsed().as_secs_f64(),
                        s.insns,
                        s.slept
                    );
                }
            } else if what >> KIND_SHIFT == KIND_DOORBELL {
                s.mu7.a_ring(idx as u32);
                self.stats.doorbells_in += 1;
            }
            tail = tail.wrapping_add(1);
        }
        self.page.st(TOM7_TAIL, tail);
        s.refresh_irqs();
    }

    /// The firmware's MU7 words, doorbells and console lines towards the guest.
    fn drain(&mut self, m: &mut Machine) {
        let s = m.uc.get_data_mut();
        if self.trace && !s.mu7.sent.is_empty() {
            eprintln!(
                "vm7: {:.6} {} words out (insns {}, slept {})",
                self.t0.elapsed().as_secs_f64(),
                s.mu7.sent.len(),
                s.insns,
                s.slept
            );
        }
        for (ch, w) in s.mu7.sent.drain(..) {
            self.out
                .push_back(((KIND_WORD << KIND_SHIFT) | ch as u32, w));
            self.stats.words_out += 1;
        }
        for bits in s.mu7.doorbells.drain(..) {
            for i in 0..4 {
                if bits & (1 << i) != 0 {
                    self.out.push_back(((KIND_DOORBELL << KIND_SHIFT) | i, 0));
                    self.stats.doorbells_out += 1;
                }
            }
        }
        for l in s.lpuart.lines.drain(..) {
            self.con.extend(l.bytes());
            self.con.push_back(b'\n');
            self.stats.lines += 1;
        }
        self.flush();
    }

    fn flush(&mut self) {
        let mut head = self.page.ld(TOLX_HEAD);
        let tail = self.page.ld(TOLX_TAIL);
        while head.wrapping_sub(tail) < RING_ENTRIES {
            let Some((what, v)) = self.out.pop_front() else {
                break;
            };
            let slot = TOLX_RING + ENTRY_SIZE * (head % RING_ENTRIES) as usize;
            self.page.st(slot, what);
            self.page.st(slot + 4, v);
            head = head.wrapping_add(1);
        }
        self.page.st(TOLX_HEAD, head);
        let mut head = self.page.ld(CON_HEAD);
        let tail = self.page.ld(CON_TAIL);
        while head.wrapping_sub(tail) < CON_RING_LEN {
            let Some(b) = self.con.pop_front() else { break };
            self.page
                .byte(CON_RING + (head % CON_RING_LEN) as usize)
                .store(b, Ordering::Relaxed);
            head = head.wrapping_add(1);
        }
        self.page.st(CON_HEAD, head);
    }

    /// Runs until the parent (run-qemu.sh) goes away.
    pub fn run_loop(&mut self) -> Result<(), String> {
        let parent = std::os::unix::process::parent_id();
        self.faults = self.page.ld(FAULTS);
        let mut seq = self.page.ld(CMD_SEQ);
        self.page.st(ACK_SEQ, seq);
        self.page.st(STATE, STATE_OFF);
        self.page.st(MAGIC, MAGIC_VALUE);
        let mut run: Option<Run> = None;
        loop {
            if std::os::unix::process::parent_id() != parent {
                return Ok(());
            }
            let s = self.page.ld(CMD_SEQ);
            if s != seq {
                seq = s;
                let cmd = self.page.ld(CMD);
                if cmd == CMD_POKE {
                    // A stray write into the running M7's memory (a test's injected
                    // corruption): the core runs on and meets it, or not.
                    let (addr, value) = (self.page.ld(VEC_LO), self.page.ld(VEC_HI));
                    let ok = run.as_mut().is_some_and(|r| {
                        r.m.uc
                            .mem_write(u64::from(addr), &value.to_le_bytes())
                            .is_ok()
                    });
                    eprintln!("vm7: poke {addr:#x} = {value:#x}: {ok}");
                    self.page.st(ACK_STATUS, u32::from(!ok));
                    self.page.st(ACK_SEQ, seq);
                    continue;
                }
                if let Some(r) = run.take() {
                    self.drain_final(r);
                }
                self.page.st(STATE, STATE_OFF);
                match cmd {
                    CMD_START => {
                        self.stats.starts += 1;
                        let vector = self.page.ld(VEC_LO);
                        match self.start(vector) {
                            Ok(m) => {
                                eprintln!("vm7: started at {vector:#x}");
                                self.page.st(STATE, STATE_RUNNING);
                                run = Some(Run {
                                    m,
                                    origin: Instant::now(),
                                    started: Instant::now(),
                                    busy: Duration::ZERO,
                                });
                            }
                            Err(e) => self.fault(&e),
                        }
                    }
                    CMD_STOP => {
                        self.stats.stops += 1;
                        eprintln!("vm7: stopped");
                    }
                    _ => {}
                }
                self.flush();
                self.page.st(ACK_STATUS, 0);
                self.page.st(ACK_SEQ, seq);
                continue;
            }
            let Some(r) = run.as_mut() else {
                self.flush();
                std::thread::sleep(Duration::from_micros(500));
                continue;
            };
            self.feed(&mut r.m);
            let st = r.m.state();
            let budget = st.insns + st.slept + self.opts.slice;
            let t = Instant::now();
            let out = r.m.run(budget);
            r.busy += t.elapsed();
            self.drain(&mut r.m);
            let st = r.m.state();
            let virt = Duration::from_nanos((st.insns + st.slept) * 10 / 8);
            match out {
                Outcome::Budget | Outcome::Matched(_) => {}
                Outcome::Idle { .. } => {
                    std::thread::sleep(Duration::from_micros(200));
                    continue;
                }
                Outcome::Reset => {
                    let r = run.take().unwrap();
                    self.drain_final(r);
                    self.fault("the firmware requested a system reset (AIRCR.SYSRESETREQ)");
                    continue;
                }
                Outcome::Fault(f) => {
                    let r = run.take().unwrap();
                    // What the core's stack held ("psp ADDR: W0 ... W7"): the guest's
                    // tests find the same bytes in the driver's coredump.
                    let why = match r.m.stack_top() {
                        (name, sp, Some(w)) => {
                            let words: Vec<String> = w.iter().map(|x| format!("{x:08x}")).collect();
                            format!("{f}; {name} {sp:#010x}: {}", words.join(" "))
                        }
                        (name, sp, None) => format!("{f}; {name} {sp:#010x} unreadable"),
                    };
                    self.drain_final(r);
                    self.fault(&why);
                    continue;
                }
            }
            // Virtual time (800 MHz) may not run ahead of the wall clock: an idle firmware
            // sleeping from tick to tick then costs the host next to nothing.
            let wall = r.origin.elapsed();
            if virt > wall + Duration::from_millis(1) {
                std::thread::sleep((virt - wall).min(Duration::from_millis(5)));
            } else if wall > virt + Duration::from_millis(50) {
                r.origin += wall - virt - Duration::from_millis(50);
            }
        }
    }

    /// The run's last words and lines, and its counts: `run ends:` on stderr, what
    /// scripts/bench-vm7.sh reads (instructions per second of the time inside the engine,
    /// the emulation's speed; and of the whole run, which the firmware's sleeps bound, as
    /// virtual time may not run ahead of the wall clock).
    fn drain_final(&mut self, mut r: Run) {
        self.drain(&mut r.m);
        let st = r.m.state();
        self.stats.insns += st.insns;
        let wall = r.started.elapsed().as_secs_f64();
        let busy = r.busy.as_secs_f64();
        eprintln!(
            "vm7: run ends: {} instructions, {} cycles asleep, {wall:.3} s, {busy:.3} s executing \
             ({:.1} M instr/s executing, {:.2} M instr/s overall)",
            st.insns,
            st.slept,
            st.insns as f64 / busy.max(1e-9) / 1e6,
            st.insns as f64 / wall.max(1e-9) / 1e6
        );
    }

    fn start(&mut self, vector: u32) -> Result<Machine<'static>, String> {
        let mut m = self.machine()?;
        m.reset(vector)
            .map_err(|e| format!("reset at {vector:#x}: {e}"))?;
        Ok(m)
    }
}
