// SPDX-License-Identifier: GPL-2.0

//! The remoteproc resource table: the table Zephyr's
//! `lib/open-amp/resource_table.c` builds, field by field, encoded with the
//! builders of `imx_rproc_fw` (feature `builder`), and a decoder for
//! `--describe`, which shows every field of a table the driver's parser
//! refuses too (it reads the fields at `imx_rproc_fw::rsc`'s offsets but
//! checks only bounds).
//!
//! Layouts are those of the kernel's `include/linux/rsc_table.h`: packed,
//! little-endian, every entry starting with a `u32` type
//! (`struct fw_rsc_hdr`) followed by the entry body.

use std::fmt;

use imx_rproc_fw::builder;
pub use imx_rproc_fw::builder::VdevHeader;
use imx_rproc_fw::rsc::{mem_field, trace_field, vdev_field, vring_field, RSC_HDR_SIZE};
pub use imx_rproc_fw::rsc::{
    FW_RSC_ADDR_ANY, RSC_CARVEOUT, RSC_DEVMEM, RSC_TRACE, RSC_VDEV, VIRTIO_ID_RPMSG,
};

/// `struct resource_table` header size (`ver`, `num`, `reserved[2]`).
pub const HEADER_SIZE: usize = imx_rproc_fw::rsc::RSC_TABLE_HDR_SIZE;
/// `1 << VIRTIO_RPMSG_F_NS` (Zephyr's `RPMSG_IPU_C0_FEATURES`).
pub const VIRTIO_RPMSG_F_NS_BIT: u32 = 1;
/// Size of `struct fw_rsc_vdev` without the vrings (type word excluded).
pub const VDEV_BODY_SIZE: usize = imx_rproc_fw::rsc::FW_RSC_VDEV_SIZE;
/// Size of `struct fw_rsc_vdev_vring`.
pub const VRING_SIZE: usize = imx_rproc_fw::rsc::FW_RSC_VDEV_VRING_SIZE;
/// Size of `struct fw_rsc_trace` (type word excluded).
pub const TRACE_BODY_SIZE: usize = imx_rproc_fw::rsc::FW_RSC_TRACE_SIZE;
/// Size of `struct fw_rsc_carveout` / `fw_rsc_devmem` (type word excluded).
pub const CARVEOUT_BODY_SIZE: usize = imx_rproc_fw::rsc::FW_RSC_CARVEOUT_SIZE;

/// `struct fw_rsc_vdev_vring`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Vring {
    /// Device address (`FW_RSC_ADDR_ANY`: allocated by the host).
    pub da: u32,
    /// Alignment of the vring.
    pub align: u32,
    /// Number of buffers.
    pub num: u32,
    /// Notification id.
    pub notifyid: u32,
    /// Physical address (filled by the host).
    pub pa: u32,
}

/// `struct fw_rsc_vdev` with its vrings: the fields before the vrings are
/// those of the builder's [`VdevHeader`] (`imx_rproc_fw::builder`), each as
/// written (`num_of_vrings` and `config_len` need not match the vrings).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Vdev {
    /// Everything after the type word and before the vrings.
    pub header: VdevHeader,
    /// The vrings.
    pub vrings: Vec<Vring>,
}

/// `struct fw_rsc_trace`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Trace {
    /// Device address of the buffer.
    pub da: u32,
    /// Length of the buffer.
    pub len: u32,
    /// Reserved word.
    pub reserved: u32,
    /// NUL-padded name.
    pub name: [u8; 32],
}

/// `struct fw_rsc_carveout` / `struct fw_rsc_devmem` (same layout).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Carveout {
    /// Device address.
    pub da: u32,
    /// Physical address.
    pub pa: u32,
    /// Length.
    pub len: u32,
    /// Flags.
    pub flags: u32,
    /// Reserved word.
    pub reserved: u32,
    /// NUL-padded name.
    pub name: [u8; 32],
}

/// Makes a NUL-padded 32-byte name (truncated to 31 bytes).
pub fn name32(s: &str) -> [u8; 32] {
    let b = s.as_bytes();
    builder::name32(&b[..b.len().min(31)])
}

fn name_str(n: &[u8; 32]) -> String {
    let end = n.iter().position(|&b| b == 0).unwrap_or(32);
    String::from_utf8_lossy(&n[..end]).into_owned()
}

/// The table of Zephyr's `openamp_rsc_table` sample, field by field, so a
/// malformed-table generator can change any field before [`encode`].
///
/// [`encode`]: ZephyrTable::encode
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ZephyrTable {
    /// `ver` (1).
    pub ver: u32,
    /// `num` (1, or 2 with the trace entry).
    pub num: u32,
    /// `reserved[2]` (0, 0).
    pub reserved: [u32; 2],
    /// `offset[]`; `None` = the real offsets of the entries.
    pub offsets: Option<Vec<u32>>,
    /// The vdev entry.
    pub vdev: Vdev,
    /// The optional trace entry (`CONFIG_RAM_CONSOLE`).
    pub trace: Option<Trace>,
}

impl ZephyrTable {
    /// The sample's table: one rpmsg vdev with two 8-buffer vrings
    /// (notify ids 0 and 1, addresses allocated by the host), plus a
    /// `"Zephyr_log"` trace entry for `trace = Some((da, len))`.
    pub fn new(trace: Option<(u32, u32)>) -> Self {
        let vring = |notifyid| Vring {
            da: FW_RSC_ADDR_ANY,
            align: 16,
            num: 8,
            notifyid,
            pa: 0,
        };
        ZephyrTable {
            ver: 1,
            num: if trace.is_some() { 2 } else { 1 },
            reserved: [0, 0],
            offsets: None,
            vdev: Vdev {
                header: VdevHeader {
                    id: VIRTIO_ID_RPMSG,
                    notifyid: 0,
                    dfeatures: VIRTIO_RPMSG_F_NS_BIT,
                    gfeatures: 0,
                    config_len: 0,
                    status: 0,
                    num_of_vrings: 2,
                    reserved: [0, 0],
                },
                vrings: vec![vring(0), vring(1)],
            },
            trace: trace.map(|(da, len)| Trace {
                da,
                len,
                reserved: 0,
                name: name32("Zephyr_log"),
            }),
        }
    }

    /// The encoded size of a table with or without the trace entry:
    /// 88 bytes, or 140 with the trace entry.
    pub fn size(trace: bool) -> usize {
        Self::new(trace.then_some((0, 0))).encode().len()
    }

    /// Encodes the table: header, `offset[]` (one word per entry
    /// present), vdev (type word, body, vrings), then trace.
    pub fn encode(&self) -> Vec<u8> {
        let entries = 1 + usize::from(self.trace.is_some());
        let vdev_off = HEADER_SIZE + 4 * entries;
        let vdev_len = 4 + VDEV_BODY_SIZE + VRING_SIZE * self.vdev.vrings.len();
        let trace_off = vdev_off + vdev_len;
        let real = [vdev_off as u32, trace_off as u32];
        let offsets = self
            .offsets
            .clone()
            .unwrap_or_else(|| real[..entries].to_vec());

        let mut b = Vec::new();
        let w = |v: u32, b: &mut Vec<u8>| b.extend_from_slice(&v.to_le_bytes());
        w(self.ver, &mut b);
        w(self.num, &mut b);
        w(self.reserved[0], &mut b);
        w(self.reserved[1], &mut b);
        // Exactly `entries` offset words, whatever `offsets` holds, so that
        // the entries stay where the real offsets say.
        for i in 0..entries {
            w(offsets.get(i).copied().unwrap_or(0), &mut b);
        }
        let vrings: Vec<_> = self
            .vdev
            .vrings
            .iter()
            .map(|r| [r.da, r.align, r.num, r.notifyid, r.pa])
            .collect();
        b.extend(builder::vdev_entry(&self.vdev.header, &vrings, &[]));
        if let Some(t) = &self.trace {
            b.extend(builder::trace_entry(t.da, t.len, t.reserved, t.name));
        }
        b
    }
}

/// A decoded resource-table entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entry {
    /// `RSC_CARVEOUT`.
    Carveout(Carveout),
    /// `RSC_DEVMEM`.
    Devmem(Carveout),
    /// `RSC_TRACE`.
    Trace(Trace),
    /// `RSC_VDEV` (config space not decoded).
    Vdev(Vdev),
    /// Any other type (vendor or unknown), not decoded.
    Other(u32),
}

/// A decoded resource table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    /// `ver`.
    pub ver: u32,
    /// `num`.
    pub num: u32,
    /// `reserved[2]`.
    pub reserved: [u32; 2],
    /// `(offset, entry)` for each of the `num` entries.
    pub entries: Vec<(u32, Entry)>,
}

fn rd32(b: &[u8], off: usize) -> Option<u32> {
    b.get(off..off.checked_add(4)?)
        .map(|s| u32::from_le_bytes([s[0], s[1], s[2], s[3]]))
}

fn body(b: &[u8], off: usize, len: usize, what: &str) -> Result<[u8; 64], String> {
    let s = off
        .checked_add(len)
        .and_then(|end| b.get(off..end))
        .ok_or_else(|| format!("{what} at 0x{off:x} truncated ({len} bytes needed)"))?;
    let mut out = [0u8; 64];
    out[..len].copy_from_slice(s);
    Ok(out)
}

/// Decodes a resource table from its section bytes, with the same bounds
/// rules as the kernel (`offset >= sizeof(header)`, entry inside the
/// table); any violation is reported as an error message.
pub fn decode(b: &[u8]) -> Result<Table, String> {
    let ver = rd32(b, 0).ok_or("table shorter than its header")?;
    let num = rd32(b, 4).ok_or("table shorter than its header")?;
    let reserved = [
        rd32(b, 8).ok_or("table shorter than its header")?,
        rd32(b, 12).ok_or("table shorter than its header")?,
    ];
    (num as usize)
        .checked_mul(4)
        .and_then(|n| n.checked_add(HEADER_SIZE))
        .filter(|&end| end <= b.len())
        .ok_or_else(|| format!("num = {num} offsets do not fit in the {} bytes", b.len()))?;
    let mut entries = Vec::new();
    for i in 0..num as usize {
        let off = rd32(b, HEADER_SIZE + 4 * i).unwrap_or(0);
        let o = off as usize;
        if o < HEADER_SIZE {
            return Err(format!("entry {i}: offset 0x{off:x} inside the header"));
        }
        let ty = rd32(b, o).ok_or_else(|| format!("entry {i}: offset 0x{off:x} out of table"))?;
        let o = o + RSC_HDR_SIZE;
        let word =
            |bb: &[u8; 64], k: usize| u32::from_le_bytes([bb[k], bb[k + 1], bb[k + 2], bb[k + 3]]);
        let entry = match ty {
            RSC_CARVEOUT | RSC_DEVMEM => {
                let bb = body(b, o, CARVEOUT_BODY_SIZE, "carveout")?;
                let mut name = [0u8; 32];
                name.copy_from_slice(&bb[mem_field::NAME..mem_field::NAME + 32]);
                let c = Carveout {
                    da: word(&bb, mem_field::DA),
                    pa: word(&bb, mem_field::PA),
                    len: word(&bb, mem_field::LEN),
                    flags: word(&bb, mem_field::FLAGS),
                    reserved: word(&bb, mem_field::RESERVED),
                    name,
                };
                if ty == RSC_CARVEOUT {
                    Entry::Carveout(c)
                } else {
                    Entry::Devmem(c)
                }
            }
            RSC_TRACE => {
                let bb = body(b, o, TRACE_BODY_SIZE, "trace")?;
                let mut name = [0u8; 32];
                name.copy_from_slice(&bb[trace_field::NAME..trace_field::NAME + 32]);
                Entry::Trace(Trace {
                    da: word(&bb, trace_field::DA),
                    len: word(&bb, trace_field::LEN),
                    reserved: word(&bb, trace_field::RESERVED),
                    name,
                })
            }
            RSC_VDEV => {
                let bb = body(b, o, VDEV_BODY_SIZE, "vdev")?;
                let mut vdev = Vdev {
                    header: VdevHeader {
                        id: word(&bb, vdev_field::ID),
                        notifyid: word(&bb, vdev_field::NOTIFYID),
                        dfeatures: word(&bb, vdev_field::DFEATURES),
                        gfeatures: word(&bb, vdev_field::GFEATURES),
                        config_len: word(&bb, vdev_field::CONFIG_LEN),
                        status: bb[vdev_field::STATUS],
                        num_of_vrings: bb[vdev_field::NUM_OF_VRINGS],
                        reserved: [bb[vdev_field::RESERVED], bb[vdev_field::RESERVED + 1]],
                    },
                    vrings: Vec::new(),
                };
                for r in 0..usize::from(vdev.header.num_of_vrings) {
                    let vb = body(b, o + VDEV_BODY_SIZE + r * VRING_SIZE, VRING_SIZE, "vring")?;
                    vdev.vrings.push(Vring {
                        da: word(&vb, vring_field::DA),
                        align: word(&vb, vring_field::ALIGN),
                        num: word(&vb, vring_field::NUM),
                        notifyid: word(&vb, vring_field::NOTIFYID),
                        pa: word(&vb, vring_field::PA),
                    });
                }
                Entry::Vdev(vdev)
            }
            other => Entry::Other(other),
        };
        entries.push((off, entry));
    }
    Ok(Table {
        ver,
        num,
        reserved,
        entries,
    })
}

impl fmt::Display for Table {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "ver {} num {} reserved [{}, {}]",
            self.ver, self.num, self.reserved[0], self.reserved[1]
        )?;
        for (i, (off, e)) in self.entries.iter().enumerate() {
            write!(f, "  [{i}] @0x{off:02x} ")?;
            match e {
                Entry::Carveout(c) | Entry::Devmem(c) => {
                    let kind = if matches!(e, Entry::Carveout(_)) {
                        "carveout"
                    } else {
                        "devmem"
                    };
                    writeln!(
                        f,
                        "{kind} da 0x{:08x} pa 0x{:08x} len 0x{:x} flags 0x{:x} reserved {} name \"{}\"",
                        c.da,
                        c.pa,
                        c.len,
                        c.flags,
                        c.reserved,
                        name_str(&c.name)
                    )?;
                }
                Entry::Trace(t) => writeln!(
                    f,
                    "trace da 0x{:08x} len 0x{:x} reserved {} name \"{}\"",
                    t.da,
                    t.len,
                    t.reserved,
                    name_str(&t.name)
                )?,
                Entry::Vdev(Vdev { header: v, vrings }) => {
                    writeln!(
                        f,
                        "vdev id {} notifyid {} dfeatures 0x{:x} gfeatures 0x{:x} config_len {} status 0x{:x} num_of_vrings {} reserved [{}, {}]",
                        v.id,
                        v.notifyid,
                        v.dfeatures,
                        v.gfeatures,
                        v.config_len,
                        v.status,
                        v.num_of_vrings,
                        v.reserved[0],
                        v.reserved[1]
                    )?;
                    for (k, r) in vrings.iter().enumerate() {
                        writeln!(
                            f,
                            "        vring{k} da 0x{:08x} align {} num {} notifyid {} pa 0x{:08x}",
                            r.da, r.align, r.num, r.notifyid, r.pa
                        )?;
                    }
                }
                Entry::Other(t) => writeln!(f, "type {t} (not decoded)")?,
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_match_the_kernel_structs() {
        assert_eq!(ZephyrTable::size(false), 16 + 4 + 4 + 24 + 2 * 20);
        assert_eq!(ZephyrTable::size(false), 88);
        assert_eq!(ZephyrTable::size(true), 16 + 8 + 4 + 24 + 40 + 4 + 44);
        assert_eq!(ZephyrTable::size(true), 140);
        // Zephyr BUILD_ASSERTs the table fits the 0x100-byte rsc-table region.
        assert!(ZephyrTable::size(true) <= 0x100);
    }

    #[test]
    fn exact_bytes_without_trace() {
        let b = ZephyrTable::new(None).encode();
        let words: Vec<u32> = b
            .chunks_exact(4)
            .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect();
        #[rustfmt::skip]
        let expect = [
            1, 1, 0, 0,            // ver, num, reserved[2]
            0x14,                  // offset[0]
            3, 7, 0, 1, 0, 0,      // type VDEV, id RPMSG, notifyid, dfeatures, gfeatures, config_len
            0x0000_0200,           // status 0, num_of_vrings 2, reserved 0, 0
            0xFFFF_FFFF, 16, 8, 0, 0,
            0xFFFF_FFFF, 16, 8, 1, 0,
        ];
        assert_eq!(words, expect);
    }

    #[test]
    fn round_trip_with_trace() {
        let t = ZephyrTable::new(Some((0x8000_5000, 4096)));
        let d = decode(&t.encode()).unwrap();
        assert_eq!((d.ver, d.num, d.reserved), (1, 2, [0, 0]));
        assert_eq!(d.entries.len(), 2);
        assert_eq!(d.entries[0], (0x18, Entry::Vdev(t.vdev.clone())));
        assert_eq!(d.entries[1], (0x5c, Entry::Trace(t.trace.unwrap())));
        assert_eq!(name_str(&t.trace.unwrap().name), "Zephyr_log");
    }

    #[test]
    fn decode_rejects_bad_offsets() {
        let mut t = ZephyrTable::new(None);
        t.offsets = Some(vec![4]);
        assert!(decode(&t.encode()).is_err());
        t.offsets = Some(vec![0x1000]);
        assert!(decode(&t.encode()).is_err());
        let mut t = ZephyrTable::new(None);
        t.num = 1000;
        assert!(decode(&t.encode()).is_err());
    }
}
