// SPDX-License-Identifier: GPL-2.0

//! A hostile M7: corruptions the simulated Cortex-M7 commits on request, to see what Linux does
//! with a remote that breaks the protocol (debugfs `m7_abuse`, see [`crate::board`]).
//!
//! What a device can corrupt in virtio's split ring is what Linux reads back from shared memory:
//! the used ring (`used->idx`, the elements' `id` and `len`), the rpmsg messages it writes, and
//! the live resource table. Linux keeps private copies of what it wrote itself (descriptors in
//! `desc_extra`, the available index in `avail_idx_shadow`) and never reads those back, so a
//! device that rewrites them changes only what the device itself sees; [`Abuse::DescTx`] checks
//! that Linux rewrites a descriptor before it offers it again. One exception: when Linux takes a
//! used buffer back, `detach_buf_split_in_order()` (`drivers/virtio/virtio_ring.c`) follows the
//! chain while the *shared* descriptor's flags say `VRING_DESC_F_NEXT`; `desc-tx 0x1` sets that
//! flag on the used tx descriptors, and Linux 7.2 then loops forever (its free list is circular)
//! with rpmsg's tx lock held: see `Documentation/hostile.rst`.
//!
//! | verb | what the M7 does |
//! |------|------------------|
//! | `used-id N` | sends a message; its used element names descriptor `N` |
//! | `used-len N` | sends a message; its used element says `N` bytes |
//! | `hdr-len N` | sends a message whose rpmsg header says `N` payload bytes |
//! | `used-idx N` | sends a message, then advances `used->idx` by `N` entries never written |
//! | `dst ADDR` | sends a message from 0xdeadbeef to `ADDR` |
//! | `ns-unterminated` | announces an endpoint whose 32-byte name has no NUL |
//! | `ns-short` | sends a 20-byte name-service message |
//! | `desc-tx [FLAGS]` | rewrites every descriptor of Linux's tx ring that Linux owns: address outside every carveout, `u32::MAX` bytes, `FLAGS` (default `WRITE|INDIRECT`, 0x6) |
//! | `kick-flood N` | sends `N` garbage words on MU7 RX channel 1 as fast as it can |
//! | `rsc FIELD VALUE` | rewrites a field of the live resource table: `status`, `num_of_vrings`, `config_len`, `vring0_da`, `vring0_num`, `vring1_da`, `vring1_num`, `trace_da`, `trace_len` |
//!
//! The message abuses go out from the `rpmsg-raw` endpoint to its Linux peer (or to 0x400 when
//! it has none yet) the next time the M7's thread runs. Everything is logged in `m7_log` and the
//! kernel log as `m7: HOSTILE ...`.

use crate::{
    fw::rsc::{
        table_field, trace_field, vdev_field, vring_field, FW_RSC_VDEV_VRING_SIZE, RSC_HDR_SIZE,
        RSC_OFFSET_SIZE, RSC_TRACE,
    },
    m7log::Ctx,
    m7mem::M7Mem,
    rpmsg::{self, Msg, HDR_LEN},
    vring::Vring,
};

/// Source address of the garbage-addressed message.
pub(crate) const GARBAGE_SRC: u32 = 0xdead_beef;
/// The address of the endpoint announced with an unterminated name.
pub(crate) const UNTERMINATED_ADDR: u32 = 0x410;
/// Where [`Abuse::DescTx`] points the descriptors: no carveout of the board is there.
pub(crate) const DESC_ADDR: u64 = 0xdead_0000;
/// The flags [`Abuse::DescTx`] writes by default: `VRING_DESC_F_WRITE | VRING_DESC_F_INDIRECT`.
pub(crate) const DESC_FLAGS: u16 = 0x6;

/// A corruption the M7 commits in its thread with its next message.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Abuse {
    /// The used element names descriptor `.0`.
    UsedId(u32),
    /// The used element says `.0` bytes.
    UsedLen(u32),
    /// The rpmsg header says `.0` payload bytes.
    HdrLen(u16),
    /// `used->idx` advanced by `.0` entries past the message.
    UsedIdx(u16),
    /// A message to address `.0` from [`GARBAGE_SRC`].
    Dst(u32),
    /// A name-service announcement whose name fills its 32 bytes.
    NsUnterminated,
    /// A name-service message of 20 bytes.
    NsShort,
    /// The tx ring's descriptors Linux owns rewritten, with flags `.0`.
    DescTx(u16),
}

/// A field of the live resource table.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum RscField {
    Status,
    NumOfVrings,
    ConfigLen,
    VringDa(usize),
    VringNum(usize),
    TraceDa,
    TraceLen,
}

impl RscField {
    /// Parses a field name of `m7_abuse`'s `rsc` verb.
    pub(crate) fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "status" => Self::Status,
            "num_of_vrings" => Self::NumOfVrings,
            "config_len" => Self::ConfigLen,
            "vring0_da" => Self::VringDa(0),
            "vring0_num" => Self::VringNum(0),
            "vring1_da" => Self::VringDa(1),
            "vring1_num" => Self::VringNum(1),
            "trace_da" => Self::TraceDa,
            "trace_len" => Self::TraceLen,
            _ => return None,
        })
    }

    /// Returns the offset and width (1 or 4 bytes) of the field in `table`, whose vdev entry's
    /// `type` word is at `vdev_off`.
    pub(crate) fn locate(self, table: &[u8], vdev_off: usize) -> Option<(usize, usize)> {
        let field = |f: usize| vdev_off + RSC_HDR_SIZE + f;
        let vring = |i: usize| field(vdev_field::VRINGS) + FW_RSC_VDEV_VRING_SIZE * i;
        Some(match self {
            Self::Status => (field(vdev_field::STATUS), 1),
            Self::NumOfVrings => (field(vdev_field::NUM_OF_VRINGS), 1),
            Self::ConfigLen => (field(vdev_field::CONFIG_LEN), 4),
            Self::VringDa(i) => (vring(i) + vring_field::DA, 4),
            Self::VringNum(i) => (vring(i) + vring_field::NUM, 4),
            Self::TraceDa | Self::TraceLen => {
                // Walked raw: the table may already be rewritten beyond what a parser accepts.
                let word = |o: usize| {
                    table
                        .get(o..o + 4)
                        .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
                };
                let num = word(table_field::NUM)?.min(64) as usize;
                let e = (0..num)
                    .filter_map(|i| word(table_field::OFFSETS + RSC_OFFSET_SIZE * i))
                    .map(|o| o as usize)
                    .find(|&o| word(o) == Some(RSC_TRACE))?;
                let f = if self == Self::TraceDa {
                    trace_field::DA
                } else {
                    trace_field::LEN
                };
                (e + RSC_HDR_SIZE + f, 4)
            }
        })
    }
}

/// Commits `abuse` with one message into Linux's rx ring `rx` (or, for [`Abuse::DescTx`], on
/// the tx ring `tx`). `peer` is the Linux address of the `rpmsg-raw` endpoint, if it has one.
///
/// Returns how many notifications to send (the hostile M7 rings Linux whatever the ring's flags
/// say).
pub(crate) fn commit(
    mem: &M7Mem,
    ctx: &mut Ctx<'_>,
    rx: &mut Vring,
    tx: &mut Vring,
    peer: Option<u32>,
    abuse: Abuse,
) -> u32 {
    if let Abuse::DescTx(flags) = abuse {
        let n = tx.scribble_free_descs(ctx, DESC_ADDR, u32::MAX, flags);
        ctx.info(format_args!(
            "HOSTILE desc-tx: rewrote {n} descriptor(s) of vring1 that Linux owns: addr 0x{DESC_ADDR:x}, len 0x{:x}, flags 0x{flags:x}",
            u32::MAX
        ));
        return 0;
    }
    let peer = peer.unwrap_or(rpmsg::FIRST_ADDR);
    let text: &[u8] = b"hostile";
    let msg = match abuse {
        Abuse::Dst(dst) => Msg::new(GARBAGE_SRC, dst, b"hostile: garbage src and dst"),
        Abuse::NsUnterminated => {
            let mut p = [0u8; 40];
            for (i, b) in p[..32].iter_mut().enumerate() {
                *b = b"hostile-unterminated-name-"
                    .get(i)
                    .copied()
                    .unwrap_or(b'x');
            }
            p[32..36].copy_from_slice(&UNTERMINATED_ADDR.to_le_bytes());
            Msg::new(UNTERMINATED_ADDR, rpmsg::NS_ADDR, &p)
        }
        Abuse::NsShort => Msg::new(UNTERMINATED_ADDR + 1, rpmsg::NS_ADDR, &[0x41; 20]),
        _ => Msg::new(rpmsg::RAW_ADDR, peer, text),
    };
    let Some(d) = rx.pop(ctx) else {
        ctx.warn(format_args!(
            "HOSTILE {abuse:?}: no rx buffer from Linux, nothing sent"
        ));
        return 0;
    };
    let Some((r, off)) = mem.at(d.addr, u64::from(d.len)) else {
        ctx.warn(format_args!(
            "HOSTILE {abuse:?}: rx buffer 0x{:x} unmapped",
            d.addr
        ));
        rx.push_used(ctx, d.head, 0);
        return 1;
    };
    let len = msg.write(r, off, d.len as usize).unwrap_or(0);
    match abuse {
        Abuse::UsedId(id) => rx.push_used_as(ctx, d.head, id, len),
        Abuse::UsedLen(l) => rx.push_used_as(ctx, d.head, u32::from(d.head), l),
        Abuse::HdrLen(h) => {
            let _ = r.write16(off + HDR_LEN - 4, h);
            rx.push_used(ctx, d.head, len);
        }
        Abuse::UsedIdx(n) => {
            rx.push_used(ctx, d.head, len);
            rx.skip_used(ctx, n);
        }
        _ => rx.push_used(ctx, d.head, len),
    }
    ctx.info(format_args!(
        "HOSTILE {abuse:?}: message 0x{:x} -> 0x{:x} ({len} bytes) in descriptor {} of vring0 (num {})",
        msg.src,
        msg.dst,
        d.head,
        rx.num()
    ));
    1
}
