// SPDX-License-Identifier: GPL-2.0

//! The rpmsg side of the simulated M7: the endpoints of Zephyr's `openamp_rsc_table` sample and
//! the message format.
//!
//! Every message starts with a 16-byte header (`struct rpmsg_hdr` of
//! `drivers/rpmsg/virtio_rpmsg_bus.c`, little endian, packed): `src u32, dst u32, reserved u32,
//! len u16, flags u16`, then `len` bytes of payload; buffers are 512 bytes. Name-service messages
//! go to address 53 (`RPMSG_NS_ADDR`) and carry `struct rpmsg_ns_msg` (`include/linux/rpmsg/ns.h`):
//! `name[32], addr u32, flags u32` (0 create, 1 destroy).
//!
//! Endpoints, announced after DRIVER_OK in this order, so OpenAMP gives them the addresses Linux
//! logs on the board (features.md D.3):
//!
//! | addr | name | behaviour |
//! |------|------|-----------|
//! | 0x400 | `rpmsg-client-sample` | echoes (after the 100th message Zephyr's destroys itself; here only with `m7_sample_destroy`, see [`crate::m7::Knobs`]) |
//! | 0x401 | `rpmsg-tty` | replies `"TTY 0x0401: "` + the data |
//! | 0x402 | `rpmsg-raw` | echoes verbatim (Linux's `rpmsg_char` makes it `/dev/rpmsgN`) |
//!
//! A message to any other address is echoed verbatim from that address (endpoints user space
//! creates with `RPMSG_CREATE_EPT_IOCTL` and a destination of its choice get an answer).

use crate::{
    m7log::{Ctx, Violation},
    m7mem::Region,
};
use kernel::prelude::*;

/// Size of `struct rpmsg_hdr`.
pub(crate) const HDR_LEN: usize = 16;
/// Size of an rpmsg buffer (`MAX_RPMSG_BUF_SIZE`).
pub(crate) const BUF_LEN: usize = 512;
/// Largest payload.
pub(crate) const MAX_PAYLOAD: usize = BUF_LEN - HDR_LEN;
/// The name service address (`RPMSG_NS_ADDR`).
pub(crate) const NS_ADDR: u32 = 53;
/// Size of `struct rpmsg_ns_msg`.
const NS_MSG_LEN: usize = 40;
/// `RPMSG_NS_CREATE`.
const NS_CREATE: u32 = 0;
/// `RPMSG_NS_DESTROY`.
const NS_DESTROY: u32 = 1;
/// Messages the sample's endpoint answers before it destroys itself (Zephyr's loop bound, and
/// the kernel sample's default `count`).
const SAMPLE_MSGS: u32 = 100;

/// A message, as read from or written to an rpmsg buffer.
#[derive(Clone)]
pub(crate) struct Msg {
    /// Source address.
    pub(crate) src: u32,
    /// Destination address.
    pub(crate) dst: u32,
    len: usize,
    data: [u8; MAX_PAYLOAD],
}

impl Msg {
    /// A message from `src` to `dst` carrying `payload` (cut to [`MAX_PAYLOAD`] bytes).
    pub(crate) fn new(src: u32, dst: u32, payload: &[u8]) -> Self {
        let len = payload.len().min(MAX_PAYLOAD);
        let mut data = [0u8; MAX_PAYLOAD];
        data[..len].copy_from_slice(&payload[..len]);
        Self {
            src,
            dst,
            len,
            data,
        }
    }

    /// A name-service message about endpoint `addr` named `name`.
    fn ns(addr: u32, name: &str, flags: u32) -> Self {
        let mut p = [0u8; NS_MSG_LEN];
        for (d, c) in p.iter_mut().zip(name.bytes().take(31)) {
            *d = c;
        }
        p[32..36].copy_from_slice(&addr.to_le_bytes());
        p[36..40].copy_from_slice(&flags.to_le_bytes());
        Self::new(addr, NS_ADDR, &p)
    }

    /// Returns the payload.
    pub(crate) fn payload(&self) -> &[u8] {
        &self.data[..self.len]
    }

    /// Reads the message in the buffer at `off` of `r`, `buf_len` bytes long (a descriptor Linux
    /// filled), checking the header against the descriptor.
    pub(crate) fn read(ctx: &mut Ctx<'_>, r: &Region, off: usize, buf_len: usize) -> Option<Msg> {
        let mut hdr = [0u8; HDR_LEN];
        r.read(off, &mut hdr).ok()?;
        let word = |i: usize| u32::from_le_bytes([hdr[i], hdr[i + 1], hdr[i + 2], hdr[i + 3]]);
        let (src, dst, reserved) = (word(0), word(4), word(8));
        let len = usize::from(u16::from_le_bytes([hdr[12], hdr[13]]));
        let flags = u16::from_le_bytes([hdr[14], hdr[15]]);
        if HDR_LEN + len != buf_len {
            ctx.violation(
                Violation::RpmsgHeader,
                format_args!(
                    "message 0x{src:x} -> 0x{dst:x}: header len {len} in a {buf_len}-byte buffer (expected {})",
                    buf_len.saturating_sub(HDR_LEN)
                ),
            );
            if HDR_LEN + len > buf_len {
                return None;
            }
        }
        if flags != 0 || reserved != 0 {
            ctx.violation(
                Violation::RpmsgHeader,
                format_args!(
                    "message 0x{src:x} -> 0x{dst:x}: flags 0x{flags:x} reserved 0x{reserved:x} (Linux sets 0)"
                ),
            );
        }
        let mut m = Msg::new(src, dst, &[]);
        r.read(off + HDR_LEN, &mut m.data[..len]).ok()?;
        m.len = len;
        Some(m)
    }

    /// Writes the message into the buffer at `off` of `r` (`cap` bytes); returns the bytes used.
    ///
    /// A payload that does not fit is cut (Linux's rx buffers are 512 bytes, so it never is).
    pub(crate) fn write(&self, r: &Region, off: usize, cap: usize) -> Result<u32> {
        let len = self.len.min(cap.saturating_sub(HDR_LEN));
        let mut hdr = [0u8; HDR_LEN];
        hdr[0..4].copy_from_slice(&self.src.to_le_bytes());
        hdr[4..8].copy_from_slice(&self.dst.to_le_bytes());
        hdr[12..14].copy_from_slice(&(len as u16).to_le_bytes());
        r.write(off, &hdr)?;
        r.write(off + HDR_LEN, &self.data[..len])?;
        Ok((HDR_LEN + len) as u32)
    }
}

/// The messages the M7 has to send, oldest first, bounded.
pub(crate) struct OutQ {
    q: KVec<Msg>,
}

impl OutQ {
    /// Most queued messages.
    pub(crate) const CAP: usize = 64;

    /// An empty queue.
    pub(crate) fn new() -> Self {
        Self { q: KVec::new() }
    }

    /// Queues `m`; `false` if the queue is full (or memory is short) and `m` was dropped.
    pub(crate) fn push(&mut self, m: Msg) -> bool {
        self.q.len() < Self::CAP && self.q.push(m, GFP_KERNEL).is_ok()
    }

    /// Returns the oldest message.
    pub(crate) fn front(&self) -> Option<&Msg> {
        self.q.first()
    }

    /// Removes the oldest message.
    pub(crate) fn pop_front(&mut self) {
        if !self.q.is_empty() {
            let _ = self.q.remove(0);
        }
    }

    /// Returns the number of queued messages.
    pub(crate) fn len(&self) -> usize {
        self.q.len()
    }

    /// Returns whether nothing is queued.
    pub(crate) fn is_empty(&self) -> bool {
        self.q.is_empty()
    }
}

/// What an endpoint does with what it receives.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Service {
    /// Zephyr's `rpmsg-client-sample` responder.
    Sample,
    /// Zephyr's `rpmsg-tty` responder.
    Tty,
    /// A raw echo endpoint.
    Raw,
}

/// An endpoint of the M7.
struct Endpoint {
    addr: u32,
    name: &'static str,
    service: Service,
    /// The Linux address the endpoint answers (OpenAMP binds `dest_addr` to the first sender).
    peer: Option<u32>,
    /// Whether it still exists (the sample destroys itself after 100 messages).
    alive: bool,
    /// Messages received.
    count: u32,
}

/// The address of the first endpoint (`RPMSG_RESERVED_ADDRESSES`, where OpenAMP starts).
pub(crate) const FIRST_ADDR: u32 = 0x400;
/// The raw endpoint's address.
pub(crate) const RAW_ADDR: u32 = 0x402;

/// The M7's rpmsg endpoints.
pub(crate) struct Rpmsg {
    epts: [Endpoint; 3],
}

/// Counts of what [`Rpmsg::receive`] did.
#[derive(Default)]
pub(crate) struct Effects {
    /// Messages queued.
    pub(crate) queued: u32,
    /// Messages dropped because the queue was full.
    pub(crate) dropped: u32,
    /// Name-service messages queued.
    pub(crate) ns: u32,
}

impl Rpmsg {
    /// The endpoints before they are announced.
    pub(crate) fn new() -> Self {
        let ept = |addr, name, service| Endpoint {
            addr,
            name,
            service,
            peer: None,
            alive: true,
            count: 0,
        };
        Self {
            epts: [
                ept(FIRST_ADDR, "rpmsg-client-sample", Service::Sample),
                ept(FIRST_ADDR + 1, "rpmsg-tty", Service::Tty),
                ept(RAW_ADDR, "rpmsg-raw", Service::Raw),
            ],
        }
    }

    /// The endpoints of Zephyr's `openamp_rsc_table` sample only (`main_remote.c`:
    /// `rpmsg-client-sample` and `rpmsg-tty`), without the simulation's raw one.
    pub(crate) fn sample() -> Self {
        let mut r = Self::new();
        for e in r.epts.iter_mut().filter(|e| e.service == Service::Raw) {
            e.alive = false;
        }
        r
    }

    /// Returns the names of the living endpoints and their addresses.
    pub(crate) fn names(&self) -> impl Iterator<Item = (&'static str, u32)> + '_ {
        self.epts
            .iter()
            .filter(|e| e.alive)
            .map(|e| (e.name, e.addr))
    }

    /// Queues the name-service announcements of every endpoint.
    pub(crate) fn announce(&self, out: &mut OutQ, fx: &mut Effects) {
        for e in self.epts.iter().filter(|e| e.alive) {
            queue(out, fx, Msg::ns(e.addr, e.name, NS_CREATE));
            fx.ns += 1;
        }
    }

    /// Returns the Linux address endpoint `addr` answers, if it has one.
    pub(crate) fn peer_of(&self, addr: u32) -> Option<u32> {
        self.epts
            .iter()
            .find(|e| e.addr == addr && e.alive)
            .and_then(|e| e.peer)
    }

    /// Handles message `m` from Linux, queueing the replies unless `mute`. With `destroy`, the
    /// sample's endpoint destroys itself after its 100th message, as Zephyr's does.
    pub(crate) fn receive(
        &mut self,
        ctx: &mut Ctx<'_>,
        m: &Msg,
        mute: bool,
        destroy: bool,
        out: &mut OutQ,
        fx: &mut Effects,
    ) {
        let text = printable(m.payload());
        if m.dst == NS_ADDR {
            Self::ns_from_linux(ctx, m);
            return;
        }
        let Some(e) = self.epts.iter_mut().find(|e| e.addr == m.dst && e.alive) else {
            ctx.note(format_args!(
                "[0x{:x}] {} bytes from 0x{:x}, echoed",
                m.dst,
                m.payload().len(),
                m.src
            ));
            if !mute {
                queue(out, fx, Msg::new(m.dst, m.src, m.payload()));
            }
            return;
        };
        e.count += 1;
        // OpenAMP binds the endpoint to its first sender and answers there.
        let peer = *e.peer.get_or_insert(m.src);
        match e.service {
            Service::Sample => {
                ctx.note(format_args!(
                    "[Linux sample client] incoming msg {}: {}",
                    e.count, text
                ));
                if !mute {
                    queue(out, fx, Msg::new(e.addr, peer, m.payload()));
                }
                if destroy && e.count >= SAMPLE_MSGS {
                    e.alive = false;
                    queue(out, fx, Msg::ns(e.addr, e.name, NS_DESTROY));
                    fx.ns += 1;
                    ctx.note(format_args!("OpenAMP Linux sample client responder ended"));
                }
            }
            Service::Tty => {
                ctx.note(format_args!("[Linux TTY] incoming msg: {}", text));
                if mute {
                    return;
                }
                // Zephyr: snprintf(tx_buff, 13, "TTY 0x%04x: ", addr), then the data, and
                // rpmsg_send() of len + 12, which fails when that exceeds the payload size.
                let mut reply = [0u8; MAX_PAYLOAD];
                let prefix = tty_prefix(e.addr);
                let total = prefix.len() + m.payload().len();
                if total > MAX_PAYLOAD {
                    ctx.note(format_args!(
                        "[Linux TTY] reply of {} bytes too long, not sent",
                        total
                    ));
                    return;
                }
                reply[..prefix.len()].copy_from_slice(&prefix);
                reply[prefix.len()..total].copy_from_slice(m.payload());
                queue(out, fx, Msg::new(e.addr, peer, &reply[..total]));
            }
            Service::Raw => {
                ctx.note(format_args!("[rpmsg-raw] incoming msg: {}", text));
                if !mute {
                    queue(out, fx, Msg::new(e.addr, m.src, m.payload()));
                }
            }
        }
    }

    /// Logs a name-service message Linux sent (the sample's `new_service_cb()` only logs it).
    fn ns_from_linux(ctx: &mut Ctx<'_>, m: &Msg) {
        let p = m.payload();
        if p.len() != NS_MSG_LEN {
            ctx.violation(
                Violation::NsMessage,
                format_args!(
                    "name-service message of {} bytes (expected {NS_MSG_LEN})",
                    p.len()
                ),
            );
            return;
        }
        let name_len = p[..32].iter().position(|&c| c == 0).unwrap_or(32);
        let addr = u32::from_le_bytes([p[32], p[33], p[34], p[35]]);
        let flags = u32::from_le_bytes([p[36], p[37], p[38], p[39]]);
        // Zephyr's new_service_cb() logs it as an error.
        ctx.note(format_args!(
            "new_service_cb: unexpected ns service receive for name {} ({} at 0x{:x})",
            printable(&p[..name_len]),
            if flags & NS_DESTROY != 0 {
                "destroy"
            } else {
                "create"
            },
            addr
        ));
    }
}

/// Queues `m`, counting it or its loss.
fn queue(out: &mut OutQ, fx: &mut Effects, m: Msg) {
    if out.push(m) {
        fx.queued += 1;
    } else {
        fx.dropped += 1;
    }
}

/// Returns `"TTY 0x%04x: "` for `addr` (12 bytes for addresses below 0x10000).
fn tty_prefix(addr: u32) -> [u8; 12] {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut p = *b"TTY 0x0000: ";
    for i in 0..4 {
        p[6 + i] = HEX[((addr >> (12 - 4 * i)) & 0xf) as usize];
    }
    p
}

/// Returns `b` as text for the log: its UTF-8 prefix, cut at 64 bytes.
fn printable(b: &[u8]) -> &str {
    let b = &b[..b.len().min(64)];
    match core::str::from_utf8(b) {
        Ok(s) => s,
        Err(e) => core::str::from_utf8(&b[..e.valid_up_to()]).unwrap_or(""),
    }
}
