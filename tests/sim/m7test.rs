// SPDX-License-Identifier: GPL-2.0

//! Self-test of the M7's checker and endpoints (debugfs `m7_selftest`, KTAP).
//!
//! The scenarios only show that a correct driver causes no violation; this shows that the checker
//! sees the wrong things a driver could do. It plays "a bad Linux" on the memory of vdev 1
//! (`vdev1vring0`, `vdev1vring1`), which the Verdin device tree reserves but the sample's resource
//! table (one vdev) never uses, and only *reads* the `vdevbuffer` region Linux's DMA pool owns.
//! It runs only while the M7 is stopped.

use crate::{
    kext::Crc32,
    m7log::{Checker, Ctx, Violation},
    m7mem::{Kind, M7Mem, Region},
    rpmsg::{Effects, Msg, OutQ, Rpmsg},
    vring::{Dir, Vring},
};
use core::fmt;

/// Entries of the test rings.
const NUM: u32 = 8;
/// Used-ring alignment of the test rings.
const ALIGN: u32 = 16;
/// Offset of the available ring (`16 * NUM`).
const AVAIL: usize = 16 * NUM as usize;
/// Offset of the used ring (`align_up(AVAIL + 2 * (3 + NUM), ALIGN)`).
const USED: usize = 160;
/// `VRING_DESC_F_NEXT`.
const F_NEXT: u16 = 1;
/// `VRING_DESC_F_WRITE`.
const F_WRITE: u16 = 2;

/// KTAP output.
struct Ktap<'a, 'b> {
    f: &'a mut fmt::Formatter<'b>,
    n: usize,
}

impl Ktap<'_, '_> {
    /// Reports test `desc`.
    fn check(&mut self, desc: &str, ok: bool) -> fmt::Result {
        self.n += 1;
        if ok {
            writeln!(self.f, "ok {} {}", self.n, desc)
        } else {
            writeln!(self.f, "not ok {} {}", self.n, desc)
        }
    }
}

/// "Linux" writing descriptor `i`.
fn desc(r: &Region, i: usize, addr: u64, len: u32, flags: u16) {
    let _ = r.write64(16 * i, addr);
    let _ = r.write32(16 * i + 8, len);
    let _ = r.write16(16 * i + 12, flags);
    let _ = r.write16(16 * i + 14, 0);
}

/// "Linux" making descriptor `head` available in slot `slot` and publishing `idx`.
fn avail(r: &Region, slot: usize, head: u16, idx: u16) {
    let _ = r.write16(AVAIL + 4 + 2 * (slot % NUM as usize), head);
    let _ = r.write16(AVAIL + 2, idx);
}

/// A fresh ring: zeroed, as Linux's `rp_find_vq()` does.
fn fresh(r: &Region) {
    let _ = r.zero(0, crate::vring::size(NUM, ALIGN).unwrap_or(0));
}

/// Runs the self-test on `mem` and writes KTAP to `f`.
pub(crate) fn run(mem: &M7Mem, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    let rings = (
        mem.find(Kind::Vring { vdev: 1, idx: 0 }),
        mem.find(Kind::Vring { vdev: 1, idx: 1 }),
        mem.find(Kind::Buffer),
    );
    let (Some(r0), Some(r1), Some(buf)) = rings else {
        writeln!(f, "KTAP version 1")?;
        return writeln!(f, "1..0 # SKIP no vdev1vring0/1 or vdevbuffer region");
    };
    writeln!(f, "KTAP version 1")?;
    writeln!(f, "1..19")?;
    let mut t = Ktap { f, n: 0 };

    // The vectors of Zephyr's `tests/unit/crc/main.c` (`test_crc32_ieee`), which
    // `tools/mkfw/src/manifest.rs` checks `crc32fast` against on the host; the second in two
    // pieces, as the code checksum is computed.
    let crc = |parts: &[&[u8]]| {
        let mut crc = Crc32::new();
        for p in parts {
            crc.update(p);
        }
        crc.finish()
    };
    t.check(
        "crc32_le: Zephyr's crc32_ieee vectors, 0xcbf43926 for \"123456789\"",
        crc(&[b"A"]) == 0xd3d9_9e8b
            && crc(&[b"1234", b"56789"]) == 0xcbf4_3926
            && crc(&[b"Zephyr"]) == 0x2008_9aa4
            && crc(&[]) == 0,
    )?;

    // Vring placement.
    let mut chk = Checker::default();
    let mut ctx = Ctx::quiet(mem, &mut chk);
    let none = Vring::new(&mut ctx, 1, 0, Dir::DeviceReads, u32::MAX, NUM, ALIGN).is_none();
    t.check(
        "vring da FW_RSC_ADDR_ANY: refused, vring-da",
        none && chk.count(Violation::VringDa) == 1,
    )?;
    let da0 = r0.phys() as u32;
    let mut chk = Checker::default();
    let mut ctx = Ctx::quiet(mem, &mut chk);
    let some = Vring::new(&mut ctx, 0, 0, Dir::DeviceReads, da0, NUM, ALIGN).is_some();
    t.check(
        "vring of vdev0 in vdev1vring0: usable, vring-placement",
        some && chk.count(Violation::VringPlacement) == 1 && chk.total() == 1,
    )?;

    // A ring the M7 reads (Linux's tx).
    fresh(r0);
    let mut chk = Checker::default();
    let mut ctx = Ctx::quiet(mem, &mut chk);
    let Some(mut tx) = Vring::new(&mut ctx, 1, 0, Dir::DeviceReads, da0, NUM, ALIGN) else {
        return t.check("vring in vdev1vring0", false);
    };
    desc(r0, 0, buf.phys(), 64, 0);
    avail(r0, 0, 0, 1);
    let d = tx.pop(&mut ctx);
    let ok = d.is_some_and(|d| d.head == 0 && d.len == 64 && d.addr == buf.phys());
    if let Some(d) = d {
        tx.push_used(&mut ctx, d.head, d.len);
    }
    let used = r0.read16(USED + 2).unwrap_or(0);
    let elem = (
        r0.read32(USED + 4).unwrap_or(9),
        r0.read32(USED + 8).unwrap_or(0),
    );
    t.check(
        "valid descriptor taken and handed back, no violation",
        ok && used == 1 && elem == (0, 64) && chk.total() == 0,
    )?;

    let mut step = |t: &mut Ktap<'_, '_>, what: &str, i: u16, d: (u64, u32, u16), kind| {
        let mut chk = Checker::default();
        let mut ctx = Ctx::quiet(mem, &mut chk);
        desc(r0, usize::from(i), d.0, d.1, d.2);
        avail(r0, usize::from(i), i, i + 1);
        let taken = tx.pop(&mut ctx).is_some();
        // A bad descriptor of a ring the M7 reads goes back with length 0.
        let back = r0.read16(USED + 2).unwrap_or(0) == i + 1;
        t.check(
            what,
            !taken && back && chk.count(kind) == 1 && chk.total() == 1,
        )
    };
    step(
        &mut t,
        "chained descriptor: desc-flags, handed back",
        1,
        (buf.phys(), 64, F_NEXT),
        Violation::DescFlags,
    )?;
    step(
        &mut t,
        "device-writable descriptor in Linux's tx ring: desc-flags",
        2,
        (buf.phys(), 64, F_WRITE),
        Violation::DescFlags,
    )?;
    step(
        &mut t,
        "buffer outside vdevbuffer: desc-addr",
        3,
        (r1.phys(), 64, 0),
        Violation::DescAddr,
    )?;
    step(
        &mut t,
        "600-byte buffer: desc-len",
        4,
        (buf.phys(), 600, 0),
        Violation::DescLen,
    )?;

    let mut chk = Checker::default();
    let mut ctx = Ctx::quiet(mem, &mut chk);
    avail(r0, 5, 9, 6);
    let taken = tx.pop(&mut ctx).is_some();
    t.check(
        "avail entry naming descriptor 9 of 8: ring-entry",
        !taken && chk.count(Violation::RingEntry) == 1,
    )?;

    let mut chk = Checker::default();
    let mut ctx = Ctx::quiet(mem, &mut chk);
    let _ = r0.write16(USED + 2, 42);
    desc(r0, 6, buf.phys(), 64, 0);
    avail(r0, 6, 6, 7);
    if let Some(d) = tx.pop(&mut ctx) {
        tx.push_used(&mut ctx, d.head, d.len);
    }
    t.check(
        "Linux writing the used index: used-written",
        chk.count(Violation::UsedWritten) == 1,
    )?;

    let mut chk = Checker::default();
    let mut ctx = Ctx::quiet(mem, &mut chk);
    let _ = r0.write16(AVAIL, 1);
    let quiet = !tx.wants_interrupt(&mut ctx);
    let _ = r0.write16(AVAIL, 3);
    let _ = tx.wants_interrupt(&mut ctx);
    let _ = r0.write16(AVAIL, 0);
    let loud = tx.wants_interrupt(&mut ctx);
    t.check(
        "VRING_AVAIL_F_NO_INTERRUPT respected, unknown avail flag: avail-flags",
        quiet && loud && chk.count(Violation::AvailFlags) == 1 && chk.total() == 1,
    )?;

    let mut chk = Checker::default();
    let mut ctx = Ctx::quiet(mem, &mut chk);
    let _ = r0.write16(AVAIL + 2, 7 + 20);
    let first = tx.pop(&mut ctx).is_none();
    let _ = r0.write16(AVAIL + 2, 8);
    let after = tx.pop(&mut ctx).is_none();
    t.check(
        "avail idx jumping by 20 in a ring of 8: avail-jump, ring ignored",
        first && after && chk.count(Violation::AvailJump) == 1,
    )?;

    // A ring the M7 writes (Linux's rx): a descriptor made available twice.
    fresh(r1);
    let mut chk = Checker::default();
    let mut ctx = Ctx::quiet(mem, &mut chk);
    let da1 = r1.phys() as u32;
    let Some(mut rx) = Vring::new(&mut ctx, 1, 1, Dir::DeviceWrites, da1, NUM, ALIGN) else {
        return t.check("vring in vdev1vring1", false);
    };
    desc(r1, 0, buf.phys(), 512, F_WRITE);
    avail(r1, 0, 0, 1);
    let first = rx.pop(&mut ctx).is_some();
    avail(r1, 1, 0, 2);
    let second = rx.pop(&mut ctx).is_some();
    t.check(
        "descriptor made available while the M7 owns it: desc-reuse",
        first && !second && chk.count(Violation::DescReuse) == 1 && chk.total() == 1,
    )?;

    // rpmsg headers, read from vdev1vring1 (not from Linux's buffers).
    let hdr = |len: u16, flags: u16| {
        let mut h = [0u8; 16];
        h[0..4].copy_from_slice(&0x401u32.to_le_bytes());
        h[4..8].copy_from_slice(&0x400u32.to_le_bytes());
        h[12..14].copy_from_slice(&len.to_le_bytes());
        h[14..16].copy_from_slice(&flags.to_le_bytes());
        let _ = r1.write(0, &h);
    };
    let mut chk = Checker::default();
    let mut ctx = Ctx::quiet(mem, &mut chk);
    hdr(10, 0);
    let short = Msg::read(&mut ctx, r1, 0, 26).is_some_and(|m| m.payload().len() == 10);
    let clean = ctx.checker().total() == 0;
    hdr(100, 0);
    let long = Msg::read(&mut ctx, r1, 0, 26).is_none();
    hdr(10, 1);
    let _ = Msg::read(&mut ctx, r1, 0, 26);
    t.check(
        "rpmsg header: consistent accepted; len beyond the buffer and flags: rpmsg-header",
        short && clean && long && chk.count(Violation::RpmsgHeader) == 2,
    )?;

    // Endpoints.
    let mut chk = Checker::default();
    let mut ctx = Ctx::quiet(mem, &mut chk);
    let mut ep = Rpmsg::new();
    let mut out = OutQ::new();
    let mut fx = Effects::default();
    ep.announce(&mut out, &mut fx);
    t.check(
        "three name-service announcements, 0x400..0x402",
        fx.ns == 3 && out.front().is_some_and(|m| m.dst == 53 && m.src == 0x400),
    )?;
    while !out.is_empty() {
        out.pop_front();
    }
    ep.receive(
        &mut ctx,
        &Msg::new(1024, 0x401, b"abc"),
        false,
        false,
        &mut out,
        &mut fx,
    );
    t.check(
        "rpmsg-tty answers 'TTY 0x0401: ' + data to the sender",
        out.front()
            .is_some_and(|m| m.payload() == b"TTY 0x0401: abc" && m.src == 0x401 && m.dst == 1024),
    )?;
    out.pop_front();
    ep.receive(
        &mut ctx,
        &Msg::new(1025, 0x777, b"xyz"),
        false,
        false,
        &mut out,
        &mut fx,
    );
    t.check(
        "unknown address 0x777 echoes from 0x777",
        out.front()
            .is_some_and(|m| m.payload() == b"xyz" && m.src == 0x777 && m.dst == 1025),
    )?;
    out.pop_front();
    let mut destroyed = false;
    for _ in 0..100 {
        ep.receive(
            &mut ctx,
            &Msg::new(1026, 0x400, b"hello world!"),
            false,
            true,
            &mut out,
            &mut fx,
        );
        while let Some(m) = out.front() {
            destroyed |= m.dst == 53 && m.payload().get(36) == Some(&1);
            out.pop_front();
        }
    }
    t.check(
        "with m7_sample_destroy, the sample endpoint destroys itself after 100",
        destroyed && ep.peer_of(0x400).is_none(),
    )?;
    ep.receive(
        &mut ctx,
        &Msg::new(1027, 53, b"short"),
        false,
        false,
        &mut out,
        &mut fx,
    );
    t.check(
        "5-byte name-service message from Linux: ns-message",
        chk.count(Violation::NsMessage) == 1,
    )?;
    Ok(())
}
