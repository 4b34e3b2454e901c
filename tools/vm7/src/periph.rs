// SPDX-License-Identifier: GPL-2.0

//! The System Control Space and the i.MX95 peripherals the Zephyr boot path uses.

use crate::{Console, State, Uc, NEXC, PENDSV, SYSTICK};
use std::collections::HashMap;
use unicorn_engine::RegisterARM as R;

/// LPUART (registers from hal_nxp fsl_lpuart.h / MIMX9596_cm7.h: GLOBAL 0x8, BAUD 0x10,
/// STAT 0x14, CTRL 0x18, DATA 0x1C, FIFO 0x28, WATER 0x2C).
#[derive(Default)]
pub struct Lpuart {
    pub regs: HashMap<u64, u32>,
    pub line: Vec<u8>,
    pub lines: Vec<String>,
    pub console: Option<Console>,
}

pub const LPUART3: u64 = 0x4257_0000;
const STAT_TDRE: u32 = 1 << 23;
const STAT_TC: u32 = 1 << 22;

impl Lpuart {
    /// IRQ 64 (fixtures README): TIE with TDRE or TCIE with TC; RX never has data.
    pub fn level(&self) -> bool {
        let ctrl = self.regs.get(&0x18).copied().unwrap_or(0);
        ctrl & (STAT_TDRE | STAT_TC) != 0
    }
    fn read(&self, off: u64) -> u32 {
        match off {
            0x14 => STAT_TDRE | STAT_TC,
            // FIFO: TXEMPT (bit 23) and RXEMPT (bit 22) set.
            0x28 => (1 << 23) | (1 << 22) | (self.regs.get(&off).copied().unwrap_or(0) & 0xff),
            0x1c => 1 << 12, // RXEMPT in DATA
            _ => self.regs.get(&off).copied().unwrap_or(0),
        }
    }
    fn write(&mut self, off: u64, v: u32, until: &Option<String>) -> Option<String> {
        if off != 0x1c {
            self.regs.insert(off, v);
            return None;
        }
        let b = v as u8;
        if b == b'\n' {
            let l = String::from_utf8_lossy(&self.line)
                .trim_end_matches('\r')
                .to_string();
            self.line.clear();
            if let Some(c) = self.console.as_mut() {
                crate::emit_line(c, &l);
            }
            let hit = until
                .as_ref()
                .filter(|u| l.contains(u.as_str()))
                .map(|_| l.clone());
            self.lines.push(l);
            return hit;
        }
        self.line.push(b);
        None
    }
}

/// MU v2 B side (offsets from Linux drivers/mailbox/imx-mailbox.c, imx_mu_cfg_imx95/IMX_MU_V2:
/// GIER 0x110, GCR 0x114, GSR 0x118, TCR 0x120, TSR 0x124, RCR 0x128, RSR 0x12C,
/// TR0-3 0x200, RR0-3 0x280; bit n = channel n).
pub struct Mu {
    pub irq: usize,
    pub regs: HashMap<u64, u32>,
    /// The stub A side: what the M7 sent (channel, word) and doorbells rung (GIR bits).
    pub sent: Vec<(usize, u32)>,
    pub doorbells: Vec<u32>,
    /// Words the A side has put in RR0-3 (RSR.RFn set).
    pub rx: [Option<u32>; 4],
}

impl Mu {
    pub fn new(irq: usize) -> Self {
        Mu {
            irq,
            regs: HashMap::new(),
            sent: Vec::new(),
            doorbells: Vec::new(),
            rx: [None; 4],
        }
    }
    fn r(&self, off: u64) -> u32 {
        self.regs.get(&off).copied().unwrap_or(0)
    }
    fn rsr(&self) -> u32 {
        (0..4)
            .filter(|&i| self.rx[i].is_some())
            .map(|i| 1 << i)
            .sum()
    }
    /// The B side's interrupt line: GSR&GIER | RSR&RCR | TSR&TCR (TSR: all empty).
    pub fn level(&self) -> bool {
        self.r(0x118) & self.r(0x110) != 0
            || self.rsr() & self.r(0x128) != 0
            || 0xf & self.r(0x120) != 0
    }
    /// A-side stub: ring GIPn on the B side (as the A side's GCR.GIRn does).
    pub fn a_ring(&mut self, ch: u32) {
        let g = self.r(0x118) | (1 << ch);
        self.regs.insert(0x118, g);
    }
    fn read(&mut self, off: u64) -> u32 {
        match off {
            0x124 => 0xf,
            0x12c => self.rsr(),
            0x280..=0x28c => self.rx[((off - 0x280) / 4) as usize].take().unwrap_or(0),
            _ => self.r(off),
        }
    }
    /// Returns the GIR bits rung by this write.
    fn write(&mut self, off: u64, v: u32) -> u32 {
        match off {
            0x118 => {
                let g = self.r(0x118) & !v;
                self.regs.insert(0x118, g);
            }
            0x114 => {
                self.doorbells.push(v & 0xf);
                return v & 0xf; // GIRn self-clear once the A side takes them
            }
            0x200..=0x20c => self.sent.push((((off - 0x200) / 4) as usize, v)),
            _ => {
                self.regs.insert(off, v);
            }
        }
        0
    }
}

pub const MU5: u64 = 0x4461_0000;
pub const MU7: u64 = 0x4244_0000;
/// SCMI shared memory for the M7's agent (zephyr nxp_imx95_m7.dtsi scmi_shmem0: 0x44611000, 0x80).
pub const SCMI_SHMEM: u64 = 0x4461_1000;

/// The System Manager's SCMI platform for the M7 agent. Shared-memory layout from Linux
/// drivers/firmware/arm_scmi/shmem.c: channel_status 0x4 (bit0 FREE, bit1 ERROR),
/// flags 0x10 (bit0 INTR_ENABLED), length 0x14, msg_header 0x18, payload 0x1C.
/// Header: message id [7:0], type [9:8], protocol [17:10], token [27:18] (SCMI spec 4.1.1).
pub struct Scmi {
    pub mem: [u8; 0x80],
    /// (protocol, message) of every request, in order.
    pub log: Vec<(u8, u8)>,
}

impl Default for Scmi {
    fn default() -> Self {
        let mut mem = [0u8; 0x80];
        mem[4] = 1; // FREE
        Scmi {
            mem,
            log: Vec::new(),
        }
    }
}

fn w32(m: &mut [u8], o: usize, v: u32) {
    m[o..o + 4].copy_from_slice(&v.to_le_bytes());
}

impl Scmi {
    fn r32(&self, o: usize) -> u32 {
        u32::from_le_bytes(self.mem[o..o + 4].try_into().unwrap())
    }
    /// Answers the message in the shared page; returns whether to interrupt the agent.
    pub fn serve(&mut self) -> bool {
        let hdr = self.r32(0x18);
        let (msg, proto) = ((hdr & 0xff) as u8, ((hdr >> 10) & 0xff) as u8);
        self.log.push((proto, msg));
        // Return values after the int32 status (SCMI spec: 0 SUCCESS, -1 NOT_SUPPORTED).
        let ret: Vec<u32> = match (proto, msg) {
            // PROTOCOL_VERSION of any protocol: 2.0 / 3.0-ish numbers the agent accepts.
            (_, 0) => vec![0x0002_0000],
            // PROTOCOL_ATTRIBUTES, PROTOCOL_MESSAGE_ATTRIBUTES.
            (_, 1) | (_, 2) => vec![0],
            // Clock (0x14) RATE_GET: 24 MHz (lo, hi).
            (0x14, 6) => vec![24_000_000, 0],
            // Everything else the boot path sends (clock CONFIG_SET/RATE_SET/PARENT_SET,
            // pinctrl 0x19 settings, NXP CPU 0x82 sleep mode): SUCCESS, no return values.
            _ => vec![],
        };
        w32(&mut self.mem, 0x1c, 0);
        for (i, v) in ret.iter().enumerate() {
            w32(&mut self.mem, 0x20 + 4 * i, *v);
        }
        w32(&mut self.mem, 0x14, 8 + 4 * ret.len() as u32);
        w32(&mut self.mem, 0x4, 1);
        self.r32(0x10) & 1 != 0
    }
}

fn merge(size: usize, off: u64, v: u32) -> (u64, u32) {
    let sh = (off & 3) * 8;
    let v = if size >= 4 {
        v
    } else {
        (v & ((1 << (8 * size)) - 1)) << sh
    };
    (off & !3, v)
}

/// Reads of the peripheral space.
pub fn dev_read(s: &mut State, addr: u64, size: usize) -> u64 {
    let (base, off) = (addr & !0xffff, addr & 0xffff);
    let v = match addr & !0xfff {
        a if a == SCMI_SHMEM => {
            let o = (addr - SCMI_SHMEM) as usize;
            let mut b = [0u8; 4];
            for (i, x) in b.iter_mut().enumerate().take(size) {
                *x = s.scmi.mem.get(o + i).copied().unwrap_or(0);
            }
            return u64::from(u32::from_le_bytes(b));
        }
        MU5 => s.mu5.read(off & 0xfff),
        MU7 => s.mu7.read(off & 0xfff),
        _ if base == LPUART3 => s.lpuart.read(off),
        _ => {
            if s.unknown.insert(addr) {
                eprintln!("vm7: unmodelled read  {addr:#010x} (reads 0)");
            }
            0
        }
    };
    u64::from(v >> ((addr & 3) * 8))
}

/// Writes to the peripheral space.
pub fn dev_write(s: &mut State, addr: u64, size: usize, v: u32) {
    let base = addr & !0xffff;
    match addr & !0xfff {
        a if a == SCMI_SHMEM => {
            let o = (addr - SCMI_SHMEM) as usize;
            for (i, b) in v.to_le_bytes().iter().enumerate().take(size) {
                if let Some(x) = s.scmi.mem.get_mut(o + i) {
                    *x = *b;
                }
            }
        }
        MU5 => {
            let (off, v) = merge(size, addr & 0xfff, v);
            if s.mu5.write(off, v) & 1 != 0 && s.scmi.serve() {
                s.mu5.a_ring(0);
            }
        }
        MU7 => {
            let (off, v) = merge(size, addr & 0xfff, v);
            s.mu7.write(off, v);
        }
        _ if base == LPUART3 => {
            let (off, v) = merge(size, addr & 0xffff, v);
            if let Some(l) = s.lpuart.write(off, v, &s.until) {
                s.matched = Some(l);
            }
        }
        _ => {
            if s.unknown.insert(addr) {
                eprintln!("vm7: unmodelled write {addr:#010x} = {v:#x} (ignored)");
            }
        }
    }
}

// Cortex-M7 identification and cache geometry (ARM Cortex-M7 TRM, DDI 0489: CPUID r1p2,
// CLIDR, CTR, CCSIDR of a 32 KiB 4-way D-cache and 32 KiB 2-way I-cache, 32-byte lines).
const CPUID: u32 = 0x411f_c272;
const CLIDR: u32 = 0x0900_0003;
const CTR: u32 = 0x8303_c003;
const CCSIDR_D: u32 = 0xf01f_e019;
const CCSIDR_I: u32 = 0xf03f_e009;

fn bits(v: &[bool], word: usize) -> u32 {
    (0..32)
        .filter(|i| v.get(16 + word * 32 + i) == Some(&true))
        .map(|i| 1 << i)
        .sum()
}

/// SCS reads (ARMv7-M ARM B3.2, B3.3, B3.4; offsets from 0xE000E000).
pub fn scs_read(uc: &mut Uc, addr: u64, _size: usize) -> u64 {
    let ipsr = uc.reg_read(R::XPSR).unwrap_or(0) as u32 & 0x1ff;
    let s = uc.get_data_mut();
    let a = addr & !3;
    let v = match a {
        0xe000_e004 => 7, // ICTR: 256 interrupt lines
        0xe000_e010 => {
            let c = s.st_csr;
            s.st_csr &= !(1 << 16);
            c
        }
        0xe000_e014 => s.st_rvr,
        0xe000_e018 => s.st_cvr,
        0xe000_e01c => 1 << 31, // CALIB: NOREF
        0xe000_e100..=0xe000_e13c => bits(&s.enabled, ((a - 0xe000_e100) / 4) as usize),
        0xe000_e180..=0xe000_e1bc => bits(&s.enabled, ((a - 0xe000_e180) / 4) as usize),
        0xe000_e200..=0xe000_e23c => bits(&s.pending, ((a - 0xe000_e200) / 4) as usize),
        0xe000_e280..=0xe000_e2bc => bits(&s.pending, ((a - 0xe000_e280) / 4) as usize),
        0xe000_e300..=0xe000_e33c => bits(&s.active, ((a - 0xe000_e300) / 4) as usize),
        0xe000_e400..=0xe000_e4fc => {
            let n = 16 + (a - 0xe000_e400) as usize;
            u32::from_le_bytes([s.prio[n], s.prio[n + 1], s.prio[n + 2], s.prio[n + 3]])
        }
        0xe000_ed00 => CPUID,
        0xe000_ed04 => {
            let vp = s.best_pending().map(|(n, _)| n as u32).unwrap_or(0);
            ipsr | (vp << 12)
                | (u32::from(s.pending[PENDSV]) << 28)
                | (u32::from(s.pending[SYSTICK]) << 26)
        }
        0xe000_ed08 => s.vtor,
        0xe000_ed0c => 0xfa05_0000 | (s.scs_regs.get(&a).copied().unwrap_or(0) & 0x700),
        0xe000_ed18..=0xe000_ed20 => {
            let n = 4 + (a - 0xe000_ed18) as usize;
            u32::from_le_bytes([s.prio[n], s.prio[n + 1], s.prio[n + 2], s.prio[n + 3]])
        }
        0xe000_ed78 => CLIDR,
        0xe000_ed7c => CTR,
        0xe000_ed80 => {
            if s.scs_regs.get(&0xe000_ed84).copied().unwrap_or(0) & 1 != 0 {
                CCSIDR_I
            } else {
                CCSIDR_D
            }
        }
        0xe000_ed90 => 16 << 8, // MPU_TYPE: 16 regions, unified
        _ => s.scs_regs.get(&a).copied().unwrap_or(0),
    };
    u64::from(v >> ((addr & 3) * 8))
}

/// IPR/SHPR store the 4 implemented priority bits (i.MX95 M7: NVIC_PRIO_BITS 4 in MIMX9596_cm7.h).
fn set_prio(s: &mut State, n: usize, v: u8) {
    if n < NEXC {
        s.prio[n] = v & 0xf0;
    }
}

fn set_bits(v: &mut [bool], word: usize, mask: u32, to: bool) {
    for i in 0..32 {
        if mask & (1 << i) != 0 {
            if let Some(x) = v.get_mut(16 + word * 32 + i) {
                *x = to;
            }
        }
    }
}

/// SCS writes.
pub fn scs_write(uc: &mut Uc, addr: u64, size: usize, v: u32) {
    let s = uc.get_data_mut();
    // Byte-addressable priority registers.
    if (0xe000_e400..0xe000_e500).contains(&addr) || (0xe000_ed18..0xe000_ed24).contains(&addr) {
        let first = if addr >= 0xe000_ed18 {
            4 + (addr - 0xe000_ed18)
        } else {
            16 + (addr - 0xe000_e400)
        };
        for (i, b) in v.to_le_bytes().iter().enumerate().take(size) {
            set_prio(s, first as usize + i, *b);
        }
        return;
    }
    let (a, v) = merge(size, addr & 0xfff, v);
    let a = 0xe000_e000 + a;
    match a {
        0xe000_e010 => {
            if s.st_csr & 1 == 0 && v & 1 != 0 && s.st_cvr == 0 {
                s.st_cvr = s.st_rvr;
            }
            s.st_csr = (s.st_csr & (1 << 16)) | (v & 7);
        }
        0xe000_e014 => s.st_rvr = v & 0x00ff_ffff,
        0xe000_e018 => {
            // A write clears the counter; it reloads from RVR on the next clock with
            // no COUNTFLAG and no exception (ARMv7-M ARM B3.3.1).
            s.st_cvr = s.st_rvr;
            s.st_csr &= !(1 << 16);
        }
        0xe000_e100..=0xe000_e13c => {
            set_bits(&mut s.enabled, ((a - 0xe000_e100) / 4) as usize, v, true)
        }
        0xe000_e180..=0xe000_e1bc => {
            set_bits(&mut s.enabled, ((a - 0xe000_e180) / 4) as usize, v, false)
        }
        0xe000_e200..=0xe000_e23c => {
            set_bits(&mut s.pending, ((a - 0xe000_e200) / 4) as usize, v, true);
            s.maybe_pending = true;
        }
        0xe000_e280..=0xe000_e2bc => {
            set_bits(&mut s.pending, ((a - 0xe000_e280) / 4) as usize, v, false)
        }
        0xe000_ed04 => {
            if v & (1 << 28) != 0 {
                s.pend(PENDSV);
            }
            if v & (1 << 27) != 0 {
                s.pending[PENDSV] = false;
            }
            if v & (1 << 26) != 0 {
                s.pend(SYSTICK);
            }
            if v & (1 << 25) != 0 {
                s.pending[SYSTICK] = false;
            }
            if v & (1 << 31) != 0 {
                s.pend(2);
            }
        }
        0xe000_ed08 => s.vtor = v & !0x7f,
        0xe000_ed0c => {
            if v >> 16 == 0x05fa {
                if v & 4 != 0 {
                    s.reset_req = true;
                }
                s.scs_regs.insert(a, v & 0x700);
            }
        }
        0xe000_ef00 => {
            let n = 16 + (v & 0x1ff) as usize;
            if n < NEXC {
                s.pend(n);
            }
        }
        _ => {
            s.scs_regs.insert(a, v);
        }
    }
}
