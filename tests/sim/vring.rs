// SPDX-License-Identifier: GPL-2.0

//! The device side of a split virtqueue in shared memory, as the M7's OpenAMP plays it.
//!
//! Layout (`include/uapi/linux/virtio_ring.h`, `vring_init()`), little endian, for `num` entries
//! and used-ring alignment `align`:
//!
//! | at | what |
//! |----|------|
//! | 0 | `num` descriptors `{ addr u64, len u32, flags u16, next u16 }` |
//! | `16 * num` | available ring `{ flags u16, idx u16, ring[num] u16, used_event u16 }` |
//! | `align_up(16 * num + 2 * (3 + num), align)` | used ring `{ flags u16, idx u16, ring[num] { id u32, len u32 }, avail_event u16 }` |
//!
//! Linux (the driver) owns the descriptors and the available ring, the M7 (the device) the used
//! ring. rpmsg does not negotiate `VIRTIO_RING_F_EVENT_IDX` (its feature table only has
//! `VIRTIO_RPMSG_F_NS`, and the transport keeps only features the firmware offers), so
//! notifications are governed by the flags words alone: the device interrupts the driver unless
//! `VRING_AVAIL_F_NO_INTERRUPT` is set, and it never sets `VRING_USED_F_NO_NOTIFY` (Linux always
//! kicks).
//!
//! Ordering, as a device must: read `avail->idx`, then a read barrier before the ring entries and
//! descriptors it covers; write the used element (after writing or reading the buffer), a full
//! barrier, then `used->idx`; a full barrier before reading `avail->flags` to decide on an
//! interrupt.
//!
//! Everything Linux wrote is checked ([`Violation`]); what cannot be used is not used: a bad
//! descriptor of a ring the M7 reads is handed back with length 0, one of a ring it writes is
//! dropped.

use crate::{
    compat::barrier::{self, Full, Read},
    m7log::{Ctx, Violation},
    m7mem::Kind,
    rpmsg,
};

/// `VRING_DESC_F_NEXT`: the buffer continues in `next`.
const DESC_F_NEXT: u16 = 1;
/// `VRING_DESC_F_WRITE`: the device writes the buffer.
const DESC_F_WRITE: u16 = 2;
/// `VRING_DESC_F_INDIRECT`: the buffer holds a descriptor table.
const DESC_F_INDIRECT: u16 = 4;
/// `VRING_AVAIL_F_NO_INTERRUPT`: the driver does not want interrupts.
const AVAIL_F_NO_INTERRUPT: u16 = 1;

/// Size of a descriptor.
const DESC_SIZE: usize = 16;

/// Largest ring the simulation handles (size of the in-flight bitmap).
pub(crate) const MAX_NUM: u32 = 256;

/// Who writes the buffers of a ring.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Dir {
    /// Linux's "output" queue (vring1): Linux writes, the M7 reads.
    DeviceReads,
    /// Linux's "input" queue (vring0): the M7 writes into buffers Linux provides.
    DeviceWrites,
}

/// A descriptor made available by Linux, checked.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Desc {
    /// Index of the descriptor (the head of its chain of one).
    pub(crate) head: u16,
    /// Physical address of the buffer (inside the vdev buffer region).
    pub(crate) addr: u64,
    /// Length of the buffer.
    pub(crate) len: u32,
}

/// Returns `vring_size(num, align)`, or `None` if `align` is not a power of two or on overflow.
pub(crate) fn size(num: u32, align: u32) -> Option<usize> {
    crate::fw::rsc::vring_size(num, align).and_then(|s| usize::try_from(s).ok())
}

/// The device's view of one vring.
pub(crate) struct Vring {
    /// Index of the vring in its vdev (0: Linux's rx, 1: Linux's tx).
    pub(crate) id: u8,
    dir: Dir,
    /// Index of the region holding the ring in [`crate::m7mem::M7Mem::regions`].
    region: usize,
    /// Offsets of the descriptor table, available and used rings in the region.
    desc: usize,
    avail: usize,
    used: usize,
    num: u16,
    /// The next available entry to look at.
    last_avail: u16,
    /// The device's used index.
    used_idx: u16,
    /// Descriptors the device owns (made available, not yet used).
    inflight: [u64; (MAX_NUM / 64) as usize],
    /// Set once Linux broke the ring beyond use; the M7 then ignores it.
    broken: bool,
}

impl Vring {
    /// Sets up the device side of ring `id` of vdev `vdev` at `da` with `num` entries aligned to
    /// `align`, as the table says after DRIVER_OK, checking its placement.
    ///
    /// Returns `None` if the ring cannot be used at all (not in mapped memory).
    pub(crate) fn new(
        ctx: &mut Ctx<'_>,
        vdev: u8,
        id: u8,
        dir: Dir,
        da: u32,
        num: u32,
        align: u32,
    ) -> Option<Self> {
        if da == crate::fw::rsc::FW_RSC_ADDR_ANY {
            ctx.violation(
                Violation::VringDa,
                format_args!("vring{id} da not assigned (0x{da:x})"),
            );
            return None;
        }
        let Some(bytes) = size(num, align).filter(|_| num > 0 && num <= MAX_NUM) else {
            ctx.warn(format_args!(
                "vring{id}: unsupported num {num} align {align}"
            ));
            return None;
        };
        if da % 16 != 0 {
            ctx.violation(
                Violation::VringDa,
                format_args!("vring{id} da 0x{da:x} not 16-byte aligned"),
            );
        }
        let expected = Kind::Vring { vdev, idx: id };
        let da64 = u64::from(da);
        match ctx.mem.find(expected) {
            Some(r) if r.contains(da64, bytes as u64) => {}
            Some(r) => ctx.violation(
                Violation::VringPlacement,
                format_args!(
                    "vring{id} at 0x{da:x}+0x{bytes:x} is not inside {} (0x{:x}+0x{:x})",
                    r.name(),
                    r.phys(),
                    r.size()
                ),
            ),
            None => ctx.violation(
                Violation::VringPlacement,
                format_args!("vring{id} at 0x{da:x}: no vdev{vdev}vring{id} region"),
            ),
        }
        let Some(region) = ctx
            .mem
            .regions()
            .iter()
            .position(|r| r.contains(da64, bytes as u64))
        else {
            ctx.warn(format_args!(
                "vring{id} at 0x{da:x}+0x{bytes:x} is outside the M7's memory map: bus fault"
            ));
            return None;
        };
        let base = (da64 - ctx.mem.regions()[region].phys()) as usize;
        let num_us = num as usize;
        let avail_end = DESC_SIZE * num_us + 2 * (3 + num_us);
        let align_us = align as usize;
        Some(Self {
            id,
            dir,
            region,
            desc: base,
            avail: base + DESC_SIZE * num_us,
            used: base + ((avail_end + align_us - 1) & !(align_us - 1)),
            num: num as u16,
            last_avail: 0,
            used_idx: 0,
            inflight: [0; (MAX_NUM / 64) as usize],
            broken: false,
        })
    }

    /// Returns the ring's region.
    fn reg<'m>(&self, ctx: &Ctx<'m>) -> &'m crate::m7mem::Region {
        &ctx.mem.regions()[self.region]
    }

    /// Marks descriptor `head` as owned by the device; returns whether it already was.
    fn take(&mut self, head: u16) -> bool {
        let (w, b) = (usize::from(head) / 64, u64::from(head) % 64);
        let was = self.inflight[w] & (1 << b) != 0;
        self.inflight[w] |= 1 << b;
        was
    }

    /// Marks descriptor `head` as handed back.
    fn give(&mut self, head: u16) {
        let (w, b) = (usize::from(head) / 64, u64::from(head) % 64);
        self.inflight[w] &= !(1 << b);
    }

    /// Takes the next available buffer, if any, checking everything Linux wrote about it.
    ///
    /// Unusable descriptors are handled here (see the module documentation) and skipped.
    pub(crate) fn pop(&mut self, ctx: &mut Ctx<'_>) -> Option<Desc> {
        loop {
            if self.broken {
                return None;
            }
            let r = self.reg(ctx);
            let avail_idx = r.read16(self.avail + 2).ok()?;
            let pending = avail_idx.wrapping_sub(self.last_avail);
            if pending == 0 {
                return None;
            }
            if pending > self.num {
                ctx.violation(
                    Violation::AvailJump,
                    format_args!(
                        "vring{}: avail idx {} after {}: {} new entries in a ring of {}; ring ignored",
                        self.id, avail_idx, self.last_avail, pending, self.num
                    ),
                );
                self.broken = true;
                return None;
            }
            // The entries and descriptors are valid once `idx` says so.
            barrier::smp_mb(Read);
            let slot = usize::from(self.last_avail % self.num);
            self.last_avail = self.last_avail.wrapping_add(1);
            let head = r.read16(self.avail + 4 + 2 * slot).ok()?;
            if head >= self.num {
                ctx.violation(
                    Violation::RingEntry,
                    format_args!(
                        "vring{}: avail ring entry {} names descriptor {} of {}",
                        self.id, slot, head, self.num
                    ),
                );
                continue;
            }
            let d = self.desc + DESC_SIZE * usize::from(head);
            let addr = r.read64(d).ok()?;
            let len = r.read32(d + 8).ok()?;
            let flags = r.read16(d + 12).ok()?;
            if let Err(()) = self.check(ctx, head, addr, len, flags) {
                if self.dir == Dir::DeviceReads {
                    self.push_used(ctx, head, 0);
                }
                continue;
            }
            return Some(Desc { head, addr, len });
        }
    }

    /// Checks descriptor `head`; on success the device owns it.
    fn check(
        &mut self,
        ctx: &mut Ctx<'_>,
        head: u16,
        addr: u64,
        len: u32,
        flags: u16,
    ) -> core::result::Result<(), ()> {
        let id = self.id;
        let mut ok = true;
        if self.take(head) {
            ctx.violation(
                Violation::DescReuse,
                format_args!("vring{id}: descriptor {head} made available while the M7 owns it"),
            );
            return Err(());
        }
        if flags & (DESC_F_NEXT | DESC_F_INDIRECT) != 0 || flags & !7 != 0 {
            ctx.violation(
                Violation::DescFlags,
                format_args!(
                    "vring{id}: descriptor {head} flags 0x{flags:x} (rpmsg uses single buffers)"
                ),
            );
            ok = false;
        }
        let write = flags & DESC_F_WRITE != 0;
        if write != (self.dir == Dir::DeviceWrites) {
            ctx.violation(
                Violation::DescFlags,
                format_args!(
                    "vring{id}: descriptor {head} flags 0x{flags:x}: {} buffer in a ring the M7 {}",
                    if write {
                        "device-writable"
                    } else {
                        "device-readable"
                    },
                    if self.dir == Dir::DeviceWrites {
                        "writes"
                    } else {
                        "reads"
                    }
                ),
            );
            ok = false;
        }
        let len_ok = len as usize >= rpmsg::HDR_LEN && len as usize <= rpmsg::BUF_LEN;
        if !len_ok {
            ctx.violation(
                Violation::DescLen,
                format_args!(
                    "vring{id}: descriptor {head} length {len} (rpmsg buffers hold {}..={} bytes)",
                    rpmsg::HDR_LEN,
                    rpmsg::BUF_LEN
                ),
            );
            ok = false;
        }
        let in_buffers = ctx
            .mem
            .find(Kind::Buffer)
            .is_some_and(|b| b.contains(addr, u64::from(len)));
        if !in_buffers {
            ctx.violation(
                Violation::DescAddr,
                format_args!(
                    "vring{id}: descriptor {head} buffer 0x{addr:x}+0x{len:x} outside the vdev buffer region"
                ),
            );
            ok = false;
        }
        if ok {
            Ok(())
        } else {
            self.give(head);
            Err(())
        }
    }

    /// Hands descriptor `head` back to Linux with `len` bytes written.
    pub(crate) fn push_used(&mut self, ctx: &mut Ctx<'_>, head: u16, len: u32) {
        self.push_used_as(ctx, head, u32::from(head), len);
    }

    /// Hands descriptor `head` back to Linux, the used element saying `id` and `len` (a hostile
    /// device may name any id; [`crate::hostile`]).
    pub(crate) fn push_used_as(&mut self, ctx: &mut Ctx<'_>, head: u16, id: u32, len: u32) {
        let r = self.reg(ctx);
        match r.read16(self.used + 2) {
            Ok(idx) if idx != self.used_idx => ctx.violation(
                Violation::UsedWritten,
                format_args!(
                    "vring{}: used idx is {} but the M7 wrote {}",
                    self.id, idx, self.used_idx
                ),
            ),
            _ => {}
        }
        let elem = self.used + 4 + 8 * usize::from(self.used_idx % self.num);
        let _ = r.write32(elem, id);
        let _ = r.write32(elem + 4, len);
        // The element, and the buffer the M7 wrote or read, before the index that hands them
        // back: a full barrier, as the M7's reads of a tx buffer must not be passed by the store
        // that lets Linux reuse it.
        barrier::smp_mb(Full);
        self.used_idx = self.used_idx.wrapping_add(1);
        let _ = r.write16(self.used + 2, self.used_idx);
        self.give(head);
    }

    /// Hostile device: advances `used->idx` by `n` entries it never wrote (Linux then reads
    /// whatever its used ring slots held before). The device keeps the new index.
    pub(crate) fn skip_used(&mut self, ctx: &mut Ctx<'_>, n: u16) {
        barrier::smp_mb(Full);
        self.used_idx = self.used_idx.wrapping_add(n);
        let _ = self.reg(ctx).write16(self.used + 2, self.used_idx);
    }

    /// Hostile device: rewrites `addr`, `len` and `flags` of every descriptor Linux owns (neither
    /// taken by the device nor waiting in the available ring: free, or used and not yet taken
    /// back by Linux). Returns how many it rewrote.
    ///
    /// Only meaningful for a ring the device reads (Linux's tx ring): in the ring the device
    /// writes, Linux has made every buffer available.
    pub(crate) fn scribble_free_descs(
        &mut self,
        ctx: &mut Ctx<'_>,
        addr: u64,
        len: u32,
        flags: u16,
    ) -> u32 {
        let r = self.reg(ctx);
        let Ok(avail_idx) = r.read16(self.avail + 2) else {
            return 0;
        };
        let mut waiting = [0u64; (MAX_NUM / 64) as usize];
        let pending = avail_idx.wrapping_sub(self.last_avail).min(self.num);
        for k in 0..pending {
            let slot = usize::from(self.last_avail.wrapping_add(k) % self.num);
            if let Ok(head) = r.read16(self.avail + 4 + 2 * slot) {
                if head < self.num {
                    waiting[usize::from(head) / 64] |= 1 << (head % 64);
                }
            }
        }
        let mut n = 0;
        for head in 0..self.num {
            let (w, b) = (usize::from(head) / 64, u64::from(head) % 64);
            if (self.inflight[w] | waiting[w]) & (1 << b) != 0 {
                continue;
            }
            let d = self.desc + DESC_SIZE * usize::from(head);
            let _ = r.write64(d, addr);
            let _ = r.write32(d + 8, len);
            let _ = r.write16(d + 12, flags);
            n += 1;
        }
        n
    }

    /// Returns the number of entries of the ring.
    pub(crate) fn num(&self) -> u16 {
        self.num
    }

    /// Returns whether Linux wants an interrupt for this ring now.
    pub(crate) fn wants_interrupt(&self, ctx: &mut Ctx<'_>) -> bool {
        // The used index must be visible before the flags are read (virtio 2.7.10).
        barrier::smp_mb(Full);
        let flags = self.reg(ctx).read16(self.avail).unwrap_or(0);
        if flags & !AVAIL_F_NO_INTERRUPT != 0 {
            ctx.violation(
                Violation::AvailFlags,
                format_args!("vring{}: avail flags 0x{:x}", self.id, flags),
            );
        }
        flags & AVAIL_F_NO_INTERRUPT == 0
    }
}
