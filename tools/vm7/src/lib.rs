// SPDX-License-Identifier: GPL-2.0

//! vm7: an executing virtual i.MX95 Cortex-M7.
//!
//! Unicorn (QEMU's TCG) runs the Thumb-2 instructions. Unicorn has no
//! System Control Space and does not carry out M-profile exception entry or
//! return, so this crate adds them: NVIC, SysTick on virtual time (one
//! instruction = one cycle of the 800 MHz core), SCB, exception entry and
//! return with the 8-word frame, tail-chaining, PRIMASK/BASEPRI, WFI.
//! Interrupts are taken only from a block hook on the emulation thread (see
//! ../shared/research/m7-emulation.md §2.2 for why).

use std::collections::{HashMap, HashSet};
use std::io::Write;
use unicorn_engine::unicorn_const::{Arch, Mode, Prot};
use unicorn_engine::{RegisterARM as R, Unicorn};

pub mod board;
pub mod periph;
use periph::{Lpuart, Mu, Scmi};

/// ITCM, M7 view (256 KiB; research doc §4, from zephyr dts/arm/nxp/nxp_imx95_m7.dtsi).
pub const ITCM: (u64, u64) = (0x0, 0x40000);
/// DTCM, M7 view (256 KiB; same source).
pub const DTCM: (u64, u64) = (0x2000_0000, 0x40000);
/// DDR the `_ddr` image runs from (its PT_LOADs lie in 0x80000000..0x800117a0).
pub const DDR_CODE: (u64, u64) = (0x8000_0000, 0x0100_0000);
/// `zephyr,ipc_shm` of the openamp image: 0x88000000 + 0x500000 (fixtures README).
pub const IPC_SHM: (u64, u64) = (0x8800_0000, 0x0050_0000);

/// Exception numbers (ARMv7-M ARM B1.5.2).
pub const SVCALL: usize = 11;
pub const PENDSV: usize = 14;
pub const SYSTICK: usize = 15;
const NEXC: usize = 16 + 256;
/// Entries of the block-length cache (a power of two).
const BLOCK_CACHE: usize = 8192;

/// How a run ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The instruction budget is spent.
    Budget,
    /// A console line matched the `until` string.
    Matched(String),
    /// WFI with nothing left that could ever wake the core.
    Idle { pc: u32 },
    /// The firmware requested a system reset (AIRCR.SYSRESETREQ).
    Reset,
    /// A firmware fault: the run ends here, vm7 does not hang or panic.
    Fault(String),
}

/// The SoC state the hooks work on (Unicorn's user data).
pub struct State {
    pub enabled: [bool; NEXC],
    pub pending: [bool; NEXC],
    pub active: [bool; NEXC],
    pub prio: [u8; NEXC],
    pub vtor: u32,
    pub st_csr: u32,
    pub st_rvr: u32,
    pub st_cvr: u32,
    pub insns: u64,
    pub blocks: u64,
    /// Cycles of virtual time spent asleep in WFI.
    pub slept: u64,
    pub exc_return: Option<u32>,
    pub fault: Option<String>,
    pub reset_req: bool,
    pub stopped: bool,
    /// Instructions per translated block, a direct-mapped cache of (address, size, count)
    /// indexed by the address's halfword number (no hashing on the hot path).
    pub block_len: Vec<(u64, u32, u32)>,
    /// Set whenever an exception may have become pending; cleared by the block hook only
    /// once no `pending` bit is set. Invariant: some `pending[n]` is set => this is set, so
    /// the hook skips the scan of `pending` while it is clear.
    pub maybe_pending: bool,
    pub unknown: HashSet<u64>,
    pub lpuart: Lpuart,
    pub mu5: Mu,
    pub mu7: Mu,
    pub scmi: Scmi,
    pub scs_regs: HashMap<u64, u32>,
    pub until: Option<String>,
    pub matched: Option<String>,
    pub exceptions_taken: u64,
    pub exc_counts: HashMap<usize, u64>,
    pub watch: Option<u64>,
    pub watch_reads: u64,
    /// `run` returns once `insns + slept` reaches this (checked per block).
    pub stop_at: u64,
}

impl State {
    fn new() -> Self {
        State {
            enabled: [false; NEXC],
            pending: [false; NEXC],
            active: [false; NEXC],
            prio: [0; NEXC],
            vtor: 0,
            st_csr: 0,
            st_rvr: 0,
            st_cvr: 0,
            insns: 0,
            blocks: 0,
            slept: 0,
            exc_return: None,
            fault: None,
            reset_req: false,
            stopped: false,
            block_len: vec![(u64::MAX, 0, 0); BLOCK_CACHE],
            maybe_pending: false,
            unknown: HashSet::new(),
            lpuart: Lpuart::default(),
            mu5: Mu::new(205),
            mu7: Mu::new(207),
            scmi: Scmi::default(),
            scs_regs: HashMap::new(),
            until: None,
            matched: None,
            exceptions_taken: 0,
            exc_counts: HashMap::new(),
            watch: None,
            watch_reads: 0,
            stop_at: u64::MAX,
        }
    }

    /// Makes exception `n` pending (keeps the `maybe_pending` invariant).
    pub fn pend(&mut self, n: usize) {
        self.pending[n] = true;
        self.maybe_pending = true;
    }

    /// Priority of exception `n`; Reset/NMI/HardFault are fixed (-3..-1).
    fn priority(&self, n: usize) -> i32 {
        match n {
            1 => -3,
            2 => -2,
            3 => -1,
            _ => i32::from(self.prio[n]),
        }
    }

    /// Level-sensitive device lines into NVIC pending bits (IRQ n = exception 16 + n).
    fn refresh_irqs(&mut self) {
        for (irq, level) in [
            (self.mu5.irq, self.mu5.level()),
            (self.mu7.irq, self.mu7.level()),
            (64, self.lpuart.level()),
        ] {
            if level && !self.active[16 + irq] {
                self.pend(16 + irq);
            }
        }
    }

    /// The pending, enabled exception with the best priority, lowest number first.
    fn best_pending(&self) -> Option<(usize, i32)> {
        // Fast path for the block hook: nothing pending at all.
        if !self.pending.contains(&true) {
            return None;
        }
        let mut best: Option<(usize, i32)> = None;
        for n in 2..NEXC {
            if self.pending[n] && (n < 16 || self.enabled[n]) {
                let p = self.priority(n);
                if best.is_none_or(|(_, bp)| p < bp) {
                    best = Some((n, p));
                }
            }
        }
        best
    }

    fn active_prio(&self) -> i32 {
        (1..NEXC)
            .filter(|&n| self.active[n])
            .map(|n| self.priority(n))
            .min()
            .unwrap_or(256)
    }

    /// Advances SysTick by `n` cycles of virtual time.
    fn tick(&mut self, mut n: u64) {
        if self.st_csr & 1 == 0 {
            return;
        }
        while n > 0 {
            if u64::from(self.st_cvr) > n {
                self.st_cvr -= n as u32;
                return;
            }
            n -= u64::from(self.st_cvr);
            self.st_cvr = self.st_rvr;
            self.st_csr |= 1 << 16;
            if self.st_csr & 2 != 0 {
                self.pend(SYSTICK);
            }
            if self.st_rvr == 0 {
                return;
            }
        }
    }
}

type Uc<'a> = Unicorn<'a, State>;

fn rd(uc: &Uc, r: R) -> u32 {
    uc.reg_read(r).unwrap_or(0) as u32
}

fn wr(uc: &mut Uc, r: R, v: u32) {
    let _ = uc.reg_write(r, u64::from(v));
}

fn exec_prio(uc: &Uc) -> i32 {
    let s = uc.get_data();
    let mut p = s.active_prio();
    if rd(uc, R::PRIMASK) & 1 != 0 {
        p = p.min(0);
    }
    let bp = rd(uc, R::BASEPRI) & 0xff;
    if bp != 0 {
        p = p.min(bp as i32);
    }
    p
}

fn deliverable(uc: &Uc) -> Option<usize> {
    let (n, p) = uc.get_data().best_pending()?;
    (p < exec_prio(uc)).then_some(n)
}

fn read32(uc: &Uc, a: u32) -> Option<u32> {
    let mut b = [0u8; 4];
    uc.mem_read(u64::from(a), &mut b).ok()?;
    Some(u32::from_le_bytes(b))
}

fn write32(uc: &mut Uc, a: u32, v: u32) -> bool {
    uc.mem_write(u64::from(a), &v.to_le_bytes()).is_ok()
}

const FRAME: [R; 6] = [R::R0, R::R1, R::R2, R::R3, R::R12, R::LR];

/// Exception entry (ARMv7-M ARM B1.5.6, PushStack and ExceptionTaken).
fn take(uc: &mut Uc, exc: usize, pc: u32) -> Result<(), String> {
    let xpsr = rd(uc, R::XPSR);
    let thread = xpsr & 0x1ff == 0;
    let control = rd(uc, R::CONTROL);
    let on_psp = thread && control & 2 != 0;
    let sp = rd(uc, R::SP);
    let mut frame = sp.wrapping_sub(32);
    let realign = frame & 4 != 0;
    if realign {
        frame -= 4;
    }
    let mut vals = FRAME.map(|r| rd(uc, r)).to_vec();
    vals.push(pc);
    // EPSR.T reads as zero through MRS; a Thumb-only core always stacks T=1.
    vals.push((xpsr & !0x200) | (1 << 24) | (u32::from(realign) << 9));
    for (i, v) in vals.iter().enumerate() {
        if !write32(uc, frame + 4 * i as u32, *v) {
            return Err(format!(
                "stacking fault at {:#x} entering exception {exc}",
                frame
            ));
        }
    }
    wr(uc, R::SP, frame);
    let exc_return = match (thread, on_psp) {
        (false, _) => 0xffff_fff1,
        (true, false) => 0xffff_fff9,
        (true, true) => 0xffff_fffd,
    };
    if on_psp {
        // Still in thread mode: the MSR helper swaps r13 to MSP (research §2.2).
        wr(uc, R::CONTROL, control & !2);
    }
    enter(uc, exc, exc_return)
}

fn enter(uc: &mut Uc, exc: usize, exc_return: u32) -> Result<(), String> {
    let vtor = uc.get_data().vtor;
    let vector = read32(uc, vtor + 4 * exc as u32)
        .ok_or_else(|| format!("vector {exc} unreadable at VTOR {vtor:#x}"))?;
    wr(uc, R::XPSR, (1 << 24) | exc as u32);
    wr(uc, R::LR, exc_return);
    wr(uc, R::PC, vector & !1);
    let s = uc.get_data_mut();
    s.pending[exc] = false;
    s.active[exc] = true;
    s.exceptions_taken += 1;
    *s.exc_counts.entry(exc).or_default() += 1;
    Ok(())
}

/// Exception return (B1.5.8), with tail-chaining.
fn exc_return(uc: &mut Uc, ret: u32) -> Result<(), String> {
    let cur = (rd(uc, R::XPSR) & 0x1ff) as usize;
    if cur == 0 || !uc.get_data().active[cur] {
        return Err(format!(
            "EXC_RETURN {ret:#x} with no active exception {cur}"
        ));
    }
    uc.get_data_mut().active[cur] = false;
    uc.get_data_mut().refresh_irqs();
    // Tail-chain: the returned-to priority is the remaining actives' (thread: none) and the masks.
    if let Some(n) = deliverable(uc) {
        return enter(uc, n, ret);
    }
    let to_psp = ret & 0xf == 0xd;
    let frame = if to_psp {
        rd(uc, R::PSP)
    } else {
        rd(uc, R::SP)
    };
    let mut v = [0u32; 8];
    for (i, x) in v.iter_mut().enumerate() {
        *x = read32(uc, frame + 4 * i as u32)
            .ok_or_else(|| format!("unstacking fault at {frame:#x}"))?;
    }
    for (i, r) in FRAME.iter().enumerate() {
        wr(uc, *r, v[i]);
    }
    let new_sp = frame + 32 + if v[7] & 0x200 != 0 { 4 } else { 0 };
    wr(uc, R::XPSR, v[7] & !0x200);
    if to_psp {
        // xPSR (thread mode) first, SPSEL only then: the helper swaps r13 to PSP.
        wr(uc, R::PSP, new_sp);
        let c = rd(uc, R::CONTROL);
        wr(uc, R::CONTROL, c | 2);
    } else {
        wr(uc, R::SP, new_sp);
    }
    wr(uc, R::PC, v[6] & !1);
    Ok(())
}

/// Instructions in the Thumb block at `addr` of `size` bytes (32-bit encodings start
/// with 0b11101/0b11110/0b11111, ARMv7-M ARM A5.1).
fn count_insns(uc: &Uc, addr: u64, size: u32) -> u32 {
    let mut buf = vec![0u8; size as usize];
    if uc.mem_read(addr, &mut buf).is_err() {
        return size.div_ceil(2);
    }
    let (mut i, mut n) = (0usize, 0u32);
    while i + 1 < buf.len() {
        let hw = u16::from_le_bytes([buf[i], buf[i + 1]]);
        i += if hw >> 11 >= 0b11101 { 4 } else { 2 };
        n += 1;
    }
    n.max(1)
}

/// A machine: the core, its memory and its devices.
pub struct Machine<'a> {
    pub uc: Uc<'a>,
}

/// Console sink: lines to stdout with a prefix and to an optional file.
pub struct Console {
    pub prefix: String,
    pub quiet: bool,
    pub file: Option<std::fs::File>,
}

impl<'a> Machine<'a> {
    /// A core with RAM for TCM and the DDR regions the images use (Unicorn-owned:
    /// this is the engine's test mode; the board mode maps the guest's shared file).
    pub fn new(console: Console) -> Result<Self, String> {
        Self::build(console, |uc| {
            for (a, sz) in [ITCM, DTCM, DDR_CODE, IPC_SHM] {
                uc.mem_map(a, sz, Prot::ALL)
                    .map_err(|e| format!("map {a:#x}: {e:?}"))?;
            }
            Ok(())
        })
    }

    /// Board mode: the M7's memory is the guest's, `regions` (M7 address, size, host
    /// pointer), mapped with `uc_mem_map_ptr`, so the core runs the bytes Linux wrote.
    ///
    /// # Safety
    ///
    /// Each pointer must be valid for reads and writes of its size for as long as the
    /// machine lives, and not be used as a Rust reference meanwhile (the guest and the
    /// core write it behind the compiler's back).
    pub unsafe fn new_board(
        console: Console,
        regions: &[(u64, u64, *mut u8)],
    ) -> Result<Self, String> {
        Self::build(console, |uc| {
            for &(a, sz, p) in regions {
                // SAFETY: `p` is valid for `sz` bytes while the machine lives (caller).
                unsafe { uc.mem_map_ptr(a, sz, Prot::ALL, p.cast()) }
                    .map_err(|e| format!("map {a:#x} over the guest: {e:?}"))?;
            }
            Ok(())
        })
    }

    fn build(
        console: Console,
        map: impl FnOnce(&mut Uc<'a>) -> Result<(), String>,
    ) -> Result<Self, String> {
        let mut uc = Unicorn::new_with_data(Arch::ARM, Mode::THUMB | Mode::MCLASS, State::new())
            .map_err(|e| format!("unicorn: {e:?}"))?;
        uc.ctl_set_cpu_model(unicorn_engine::ArmCpuModel::CORTEX_M7 as i32)
            .map_err(|e| format!("cpu model: {e:?}"))?;
        map(&mut uc)?;
        uc.get_data_mut().lpuart.console = Some(console);
        // Private peripheral bus (SCS at 0xE000E000).
        uc.mmio_map(
            0xe000_0000,
            0x10_0000,
            Some(|uc: &mut Uc, off: u64, size: usize| {
                periph::scs_read(uc, 0xe000_0000 + off, size)
            }),
            Some(|uc: &mut Uc, off: u64, size: usize, v: u64| {
                periph::scs_write(uc, 0xe000_0000 + off, size, v as u32)
            }),
        )
        .map_err(|e| format!("map SCS: {e:?}"))?;
        // i.MX95 peripheral space seen by the M7 (AIPS buses), one dispatcher.
        uc.mmio_map(
            0x4000_0000,
            0x2000_0000,
            Some(|uc: &mut Uc, off: u64, size: usize| {
                periph::dev_read(uc.get_data_mut(), 0x4000_0000 + off, size)
            }),
            Some(|uc: &mut Uc, off: u64, size: usize, v: u64| {
                let s = uc.get_data_mut();
                periph::dev_write(s, 0x4000_0000 + off, size, v as u32);
                s.refresh_irqs();
            }),
        )
        .map_err(|e| format!("map peripherals: {e:?}"))?;
        uc.add_block_hook(1, 0, |uc: &mut Uc, addr: u64, size: u32| {
            let s = uc.get_data();
            let mut stop = s.matched.is_some() || s.insns + s.slept >= s.stop_at;
            if s.maybe_pending && !stop {
                if deliverable(uc).is_some() {
                    stop = true;
                } else if !uc.get_data().pending.contains(&true) {
                    uc.get_data_mut().maybe_pending = false;
                }
            }
            if stop {
                uc.get_data_mut().stopped = true;
                let _ = uc.emu_stop();
                return;
            }
            let slot = (addr >> 1) as usize & (BLOCK_CACHE - 1);
            let (a, sz, n) = uc.get_data().block_len[slot];
            let n = if a == addr && sz == size {
                n
            } else {
                let n = count_insns(uc, addr, size);
                uc.get_data_mut().block_len[slot] = (addr, size, n);
                n
            };
            let s = uc.get_data_mut();
            s.insns += u64::from(n);
            s.blocks += 1;
            s.tick(u64::from(n));
        })
        .map_err(|e| format!("block hook: {e:?}"))?;
        uc.add_intr_hook(|uc: &mut Uc, intno: u32| {
            let pc = rd(uc, R::PC);
            let s = uc.get_data_mut();
            match intno {
                // EXCP_EXCEPTION_EXIT: PC holds EXC_RETURN without bit 0.
                8 => s.exc_return = Some(pc | 1),
                // EXCP_SWI: PC is past the svc.
                2 => s.pend(SVCALL),
                1 => s.fault = Some(format!("undefined instruction near {pc:#x}")),
                3 => s.fault = Some(format!("prefetch abort at {pc:#x}")),
                4 => s.fault = Some(format!("data abort near {pc:#x}")),
                7 => s.fault = Some(format!("breakpoint at {pc:#x}")),
                n => s.fault = Some(format!("CPU exception {n} at {pc:#x}")),
            }
            s.stopped = true;
            let _ = uc.emu_stop();
        })
        .map_err(|e| format!("intr hook: {e:?}"))?;
        Ok(Machine { uc })
    }

    /// Counts the firmware's reads of one address (the vdev status byte).
    pub fn watch_reads(&mut self, addr: u64) -> Result<(), String> {
        self.uc.get_data_mut().watch = Some(addr);
        self.uc
            .add_mem_hook(
                unicorn_engine::unicorn_const::HookType::MEM_READ,
                addr,
                addr,
                |uc: &mut Uc, _t, _a, _s, _v| {
                    uc.get_data_mut().watch_reads += 1;
                    true
                },
            )
            .map(|_| ())
            .map_err(|e| format!("mem hook: {e:?}"))
    }

    /// Test mode: loads the ELF's PT_LOAD segments by `p_paddr` (zero-filling .bss).
    pub fn load_elf(&mut self, image: &[u8]) -> Result<(), String> {
        let elf = imx_rproc_fw::elf::Elf32::parse(image).map_err(|e| format!("{e:?}"))?;
        for seg in elf.load_segments() {
            let seg = seg.map_err(|e| format!("{e:?}"))?;
            let mut buf = vec![0u8; seg.memsz as usize];
            imx_rproc_fw::elf::load_into(&seg, &mut buf).map_err(|e| format!("{e:?}"))?;
            self.uc
                .mem_write(u64::from(seg.paddr), &buf)
                .map_err(|e| format!("segment at {:#x}: {e:?}", seg.paddr))?;
        }
        Ok(())
    }

    /// Reset: SP and PC from the vector table at `vtor` (B1.5.5).
    pub fn reset(&mut self, vtor: u32) -> Result<(), String> {
        let sp = read32(&self.uc, vtor).ok_or("vector table unreadable")?;
        let pc = read32(&self.uc, vtor + 4).ok_or("vector table unreadable")?;
        let s = self.uc.get_data_mut();
        s.vtor = vtor;
        wr(&mut self.uc, R::CONTROL, 0);
        wr(&mut self.uc, R::MSP, sp);
        wr(&mut self.uc, R::SP, sp);
        wr(&mut self.uc, R::XPSR, 1 << 24);
        wr(&mut self.uc, R::PC, pc & !1);
        Ok(())
    }

    pub fn state(&self) -> &State {
        self.uc.get_data()
    }

    /// The stack the core last pushed an exception frame to, its pointer and the 8 words
    /// there, as the core left them: in handler mode with an EXC_RETURN in LR, the stack
    /// that EXC_RETURN names (bit 2: PSP, else MSP), which holds the frame stacked on
    /// entry (r0-r3, r12, lr, the return address, xPSR; ARMv7-M ARM B1.5.6, B1.5.8);
    /// otherwise the active stack. `None` for the words where they are unreadable.
    pub fn stack_top(&self) -> (&'static str, u32, Option<[u32; 8]>) {
        let handler = rd(&self.uc, R::XPSR) & 0x1ff != 0;
        let lr = rd(&self.uc, R::LR);
        let (name, sp) = if handler && lr & 0xffff_ff00 == 0xffff_ff00 && lr & 4 != 0 {
            ("psp", rd(&self.uc, R::PSP))
        } else if handler && lr & 0xffff_ff00 == 0xffff_ff00 {
            ("msp", rd(&self.uc, R::MSP))
        } else {
            ("sp", rd(&self.uc, R::SP))
        };
        let mut w = [0u32; 8];
        for (i, x) in w.iter_mut().enumerate() {
            match read32(&self.uc, sp.wrapping_add(4 * i as u32)) {
                Some(v) => *x = v,
                None => return (name, sp, None),
            }
        }
        (name, sp, Some(w))
    }

    /// Runs until an outcome, at most `budget` instructions.
    pub fn run(&mut self, budget: u64) -> Outcome {
        let uc = &mut self.uc;
        uc.get_data_mut().stop_at = budget;
        loop {
            if let Some(m) = uc.get_data().matched.clone() {
                return Outcome::Matched(m);
            }
            if uc.get_data().reset_req {
                return Outcome::Reset;
            }
            if uc.get_data().insns + uc.get_data().slept >= budget {
                return Outcome::Budget;
            }
            if let Some(n) = deliverable(uc) {
                let pc = rd(uc, R::PC);
                if let Err(e) = take(uc, n, pc) {
                    return Outcome::Fault(e);
                }
            }
            let pc = rd(uc, R::PC);
            uc.get_data_mut().stopped = false;
            let r = uc.emu_start(u64::from(pc | 1), u64::MAX, 0, 0);
            if let Some(f) = uc.get_data_mut().fault.take() {
                return Outcome::Fault(f);
            }
            if let Err(e) = r {
                let pc = rd(uc, R::PC);
                return Outcome::Fault(format!("{e:?} near pc {pc:#x}"));
            }
            if let Some(ret) = uc.get_data_mut().exc_return.take() {
                if let Err(e) = exc_return(uc, ret) {
                    return Outcome::Fault(e);
                }
                continue;
            }
            if uc.get_data().stopped {
                continue;
            }
            // emu_start returned by itself: a WFI (research §2.2: PC is past it).
            let pc = rd(uc, R::PC);
            let mut b = [0u8; 2];
            let _ = uc.mem_read(u64::from(pc.wrapping_sub(2)), &mut b);
            if u16::from_le_bytes(b) != 0xbf30 {
                return Outcome::Fault(format!("emulation ended at {pc:#x} (not a WFI)"));
            }
            // WFI: sleep in virtual time until the next SysTick wrap. PRIMASK is
            // ignored for the wake-up, as on hardware.
            let s = uc.get_data_mut();
            s.refresh_irqs();
            if s.best_pending().is_some() {
                continue;
            }
            if s.st_csr & 3 == 3 && s.st_rvr != 0 {
                let d = u64::from(s.st_cvr.max(1));
                s.slept += d;
                s.tick(d);
                continue;
            }
            return Outcome::Idle { pc };
        }
    }
}

pub(crate) fn emit_line(c: &mut Console, line: &str) {
    if !c.quiet {
        println!("{}{}", c.prefix, line);
    }
    if let Some(f) = c.file.as_mut() {
        let _ = writeln!(f, "{line}");
    }
}

/// The lowest `p_paddr` of the image's PT_LOADs: where Zephyr's vector table is
/// (fixtures README: "The vector table is at the start of the image").
pub fn lowest_load(image: &[u8]) -> Result<u32, String> {
    let elf = imx_rproc_fw::elf::Elf32::parse(image).map_err(|e| format!("{e:?}"))?;
    elf.load_segments()
        .filter_map(Result::ok)
        .map(|s| s.paddr)
        .min()
        .ok_or_else(|| "no PT_LOAD".to_string())
}
