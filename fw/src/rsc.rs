// SPDX-License-Identifier: GPL-2.0

//! Zero-copy, allocation-free validation of a remoteproc resource table
//! (the `.resource_table` section of a firmware image, or a table read back
//! from shared memory when attaching to a running remote core), in the
//! format of `include/linux/rsc_table.h`.
//!
//! The remoteproc core checks only part of a table: on the attach path it
//! checks neither `ver`, the reserved words, nor whether `num` offsets fit
//! in the table (it reads `offset[]` past the end), and on every path it
//! trusts the vring `num` and `align` (only checked non-zero), passes a
//! carveout's firmware-controlled `name` to `vsnprintf()` as a format
//! string, and lets entries overlap each other. [`ResourceTable::parse`]
//! checks all of that, so that a table it accepts can be handed to the
//! core. Every offset, size and count is checked with overflow-checked
//! arithmetic and no operation here can panic on any input.
//!
//! All multi-byte fields are little endian. The C structures are packed:
//!
//! | structure | bytes |
//! |---|---|
//! | `resource_table` header (`ver`, `num`, `reserved[2]`) | 16, then `num` × 4 offsets |
//! | `fw_rsc_hdr` (`type`) | 4, followed by the type's structure |
//! | `fw_rsc_carveout` / `fw_rsc_devmem` | 52 |
//! | `fw_rsc_trace` | 44 |
//! | `fw_rsc_vdev` | 24 + 20 × `num_of_vrings` + `config_len` |
//! | `fw_rsc_vdev_vring` | 20 |
//!
//! A table that validates describes the bytes that were validated. A table
//! that lives in memory shared with the remote core can change afterwards,
//! so the caller must validate and use the same copy.
//!
//! This file is compiled both as part of the host crate `imx_rproc_fw` and,
//! through `#[path]`, inside the kernel module: it must only use `core` and
//! refer to its siblings through `super::`.

use super::error::Error;

/// Resource type: request for a physically contiguous memory region.
pub const RSC_CARVEOUT: u32 = 0;
/// Resource type: request to IOMMU-map a memory-based peripheral.
pub const RSC_DEVMEM: u32 = 1;
/// Resource type: trace buffer the remote core writes its log into.
pub const RSC_TRACE: u32 = 2;
/// Resource type: virtio device header.
pub const RSC_VDEV: u32 = 3;
/// First vendor-specific resource type.
pub const RSC_VENDOR_START: u32 = 128;
/// Last vendor-specific resource type: the core treats the vendor range as
/// `RSC_VENDOR_START..=RSC_VENDOR_END` (inclusive).
pub const RSC_VENDOR_END: u32 = 512;

/// Address value asking the host to choose the address (`FW_RSC_ADDR_ANY`,
/// `-1` in C).
pub const FW_RSC_ADDR_ANY: u32 = 0xFFFF_FFFF;
/// A vring `notifyid` of `-1`, which the core writes back into a table when
/// it frees a vring: it is not an identifier, and is exempt from the
/// uniqueness check.
pub const NOTIFYID_UNASSIGNED: u32 = 0xFFFF_FFFF;
/// Virtio device id of rpmsg (`VIRTIO_ID_RPMSG`).
pub const VIRTIO_ID_RPMSG: u32 = 7;
/// The only supported resource table version.
pub const RSC_TABLE_VERSION: u32 = 1;

/// Size of the `resource_table` header (`ver`, `num`, `reserved[2]`),
/// before the offset array.
pub const RSC_TABLE_HDR_SIZE: usize = 16;
/// Size of one `offset[]` element.
pub const RSC_OFFSET_SIZE: usize = 4;
/// Size of `fw_rsc_hdr` (the `type` word that starts every entry).
pub const RSC_HDR_SIZE: usize = 4;
/// Size of the `name` field of carveout, devmem and trace entries.
pub const RSC_NAME_SIZE: usize = 32;
/// Size of `fw_rsc_carveout` (after the `type` word).
pub const FW_RSC_CARVEOUT_SIZE: usize = 52;
/// Size of `fw_rsc_devmem` (after the `type` word).
pub const FW_RSC_DEVMEM_SIZE: usize = 52;
/// Size of `fw_rsc_trace` (after the `type` word).
pub const FW_RSC_TRACE_SIZE: usize = 44;
/// Size of `fw_rsc_vdev` without its vrings and config space (after the
/// `type` word).
pub const FW_RSC_VDEV_SIZE: usize = 24;
/// Size of `fw_rsc_vdev_vring`.
pub const FW_RSC_VDEV_VRING_SIZE: usize = 20;
/// Maximum `num_of_vrings` of a vdev: the core's `rproc_vdev` has two
/// vrings.
pub const MAX_VRINGS_PER_VDEV: u8 = 2;

/// Field offsets of the `resource_table` header
/// (`include/linux/remoteproc.h`).
pub mod table_field {
    /// `ver`.
    pub const VER: usize = 0;
    /// `num`.
    pub const NUM: usize = 4;
    /// `reserved[2]`.
    pub const RESERVED: usize = 8;
    /// `offset[]`.
    pub const OFFSETS: usize = 16;
}

/// Field offsets of `fw_rsc_carveout` and `fw_rsc_devmem`
/// (`include/linux/remoteproc.h`), from the start of the structure, i.e.
/// after the entry's `type` word ([`RSC_HDR_SIZE`]).
pub mod mem_field {
    /// `da`.
    pub const DA: usize = 0;
    /// `pa`.
    pub const PA: usize = 4;
    /// `len`.
    pub const LEN: usize = 8;
    /// `flags`.
    pub const FLAGS: usize = 12;
    /// `reserved`.
    pub const RESERVED: usize = 16;
    /// `name[32]`.
    pub const NAME: usize = 20;
}

/// Field offsets of `fw_rsc_trace` (`include/linux/remoteproc.h`), after
/// the entry's `type` word.
pub mod trace_field {
    /// `da`.
    pub const DA: usize = 0;
    /// `len`.
    pub const LEN: usize = 4;
    /// `reserved`.
    pub const RESERVED: usize = 8;
    /// `name[32]`.
    pub const NAME: usize = 12;
}

/// Field offsets of `fw_rsc_vdev` (`include/linux/remoteproc.h`), after
/// the entry's `type` word.
pub mod vdev_field {
    /// `id`.
    pub const ID: usize = 0;
    /// `notifyid`.
    pub const NOTIFYID: usize = 4;
    /// `dfeatures`.
    pub const DFEATURES: usize = 8;
    /// `gfeatures`.
    pub const GFEATURES: usize = 12;
    /// `config_len`.
    pub const CONFIG_LEN: usize = 16;
    /// `status` (one byte).
    pub const STATUS: usize = 20;
    /// `num_of_vrings` (one byte).
    pub const NUM_OF_VRINGS: usize = 21;
    /// `reserved[2]` (bytes).
    pub const RESERVED: usize = 22;
    /// `vring[]`, [`super::FW_RSC_VDEV_VRING_SIZE`] bytes each, then the
    /// config space.
    pub const VRINGS: usize = 24;
}

/// Field offsets of `fw_rsc_vdev_vring` (`include/linux/remoteproc.h`).
pub mod vring_field {
    /// `da`.
    pub const DA: usize = 0;
    /// `align`.
    pub const ALIGN: usize = 4;
    /// `num`.
    pub const NUM: usize = 8;
    /// `notifyid`.
    pub const NOTIFYID: usize = 12;
    /// `pa`.
    pub const PA: usize = 16;
}

/// End of the 32-bit address space: the highest allowed end (exclusive) of
/// an address range.
const ADDR_SPACE_END: u64 = 1 << 32;

/// Reads a little-endian `u32` at `off`, or `None` if out of bounds.
fn rd32(b: &[u8], off: usize) -> Option<u32> {
    b.get(off..)?
        .first_chunk::<4>()
        .map(|a| u32::from_le_bytes(*a))
}

/// Converts a `u32` read from the table to `usize` (lossless on 32- and
/// 64-bit targets).
fn to_usize(v: u32) -> Option<usize> {
    usize::try_from(v).ok()
}

/// Returns whether `[addr, addr + len)` stays inside the 32-bit address
/// space.
fn fits_32(addr: u32, len: u32) -> bool {
    matches!(u64::from(addr).checked_add(u64::from(len)), Some(end) if end <= ADDR_SPACE_END)
}

/// Returns the name before the first NUL of a `name[32]` field, or `None`
/// if the field has no NUL.
fn c_name(field: &[u8]) -> Option<&[u8]> {
    field
        .iter()
        .position(|&b| b == 0)
        .and_then(|nul| field.get(..nul))
}

/// Size in bytes of a split virtqueue of `num` entries with the used ring
/// aligned to `align`, as computed by the kernel's `vring_size()`:
/// descriptors (16 bytes each) and the available ring (`2 * (3 + num)`),
/// rounded up to `align`, then the used ring (`6 + 8 * num`).
///
/// `align` must be a power of two; returns `None` otherwise or on overflow.
///
/// # Examples
///
/// ```
/// use imx_rproc_fw::rsc::vring_size;
///
/// // 256 buffers, 4 KiB alignment: 4096 + 518 bytes rounded up to 8192,
/// // then a 2054-byte used ring.
/// assert_eq!(vring_size(256, 4096), Some(10246));
/// assert_eq!(vring_size(256, 3), None);
/// ```
pub fn vring_size(num: u32, align: u32) -> Option<u64> {
    if !align.is_power_of_two() {
        return None;
    }
    let num = u64::from(num);
    let mask = u64::from(align).checked_sub(1)?;
    let desc_avail = num
        .checked_mul(16)?
        .checked_add(num.checked_add(3)?.checked_mul(2)?)?;
    let used = num.checked_mul(8)?.checked_add(6)?;
    let aligned = desc_avail.checked_add(mask)? & !mask;
    aligned.checked_add(used)
}

/// Limits and policy applied by [`ResourceTable::parse`] on top of the
/// format's own rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits<'r> {
    /// Maximum size in bytes of the table buffer ([`Error::RscTableTooLarge`]
    /// otherwise). Also keeps offsets inside the core's `int` arithmetic.
    pub max_len: usize,
    /// Maximum number of entries (`num`, [`Error::RscTooManyEntries`]
    /// otherwise). Validation is quadratic in this number.
    pub max_entries: u32,
    /// Maximum number of buffers of a vring (`num`). The core only checks
    /// it is non-zero; its `vring_size()` result is an `unsigned int`.
    pub max_vring_num: u32,
    /// Maximum vring alignment (`align`). A huge alignment makes the core
    /// allocate a huge ring.
    pub max_vring_align: u32,
    /// Device-address ranges `(start, len)` a vring with a fixed address
    /// (not [`FW_RSC_ADDR_ANY`]) must lie in entirely (all
    /// [`vring_size`] bytes). An empty slice accepts any address.
    pub vring_da_ok: &'r [(u64, u64)],
}

impl Limits<'static> {
    /// Reasonable defaults: a table of at most 4 KiB with at most 32
    /// entries, vrings of at most 256 buffers aligned to at most 4 KiB, at
    /// any device address.
    pub const DEFAULT: Limits<'static> = Limits {
        max_len: 4096,
        max_entries: 32,
        max_vring_num: 256,
        max_vring_align: 4096,
        vring_da_ok: &[],
    };
}

impl Default for Limits<'_> {
    fn default() -> Self {
        Limits::DEFAULT
    }
}

/// One vring descriptor of a vdev entry (`fw_rsc_vdev_vring`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Vring {
    /// Device address of the ring, or [`FW_RSC_ADDR_ANY`].
    pub da: u32,
    /// Alignment of the used ring (a power of two).
    pub align: u32,
    /// Number of buffers (a power of two).
    pub num: u32,
    /// Notify id of the vring (the core replaces it with its own).
    pub notifyid: u32,
    /// Physical address (unused by the core).
    pub pa: u32,
}

impl Vring {
    /// Decodes a vring descriptor, or `None` if `b` is too short.
    fn decode(b: &[u8]) -> Option<Self> {
        Some(Vring {
            da: rd32(b, vring_field::DA)?,
            align: rd32(b, vring_field::ALIGN)?,
            num: rd32(b, vring_field::NUM)?,
            notifyid: rd32(b, vring_field::NOTIFYID)?,
            pa: rd32(b, vring_field::PA)?,
        })
    }
}

/// A virtio device entry (`fw_rsc_vdev`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Vdev<'a> {
    /// Virtio device id ([`VIRTIO_ID_RPMSG`] for rpmsg).
    pub id: u32,
    /// Notify id of the vdev itself (unused by the core).
    pub notifyid: u32,
    /// Device features offered by the firmware.
    pub dfeatures: u32,
    /// Features negotiated by the host (written by the core).
    pub gfeatures: u32,
    /// Size of the virtio config space that follows the vrings.
    pub config_len: u32,
    /// Virtio status byte (written by the core).
    pub status: u8,
    /// Number of vrings (at most [`MAX_VRINGS_PER_VDEV`]).
    pub num_of_vrings: u8,
    /// The vring descriptors: `num_of_vrings` × 20 bytes.
    vrings: &'a [u8],
    /// The config space: `config_len` bytes.
    pub config: &'a [u8],
}

impl<'a> Vdev<'a> {
    /// Returns vring `i`, or `None` if `i >= num_of_vrings`.
    pub fn vring(&self, i: usize) -> Option<Vring> {
        i.checked_mul(FW_RSC_VDEV_VRING_SIZE)
            .and_then(|off| self.vrings.get(off..))
            .and_then(Vring::decode)
    }

    /// Returns an iterator over the vrings, in table order.
    pub fn vrings(&self) -> impl Iterator<Item = Vring> + 'a {
        self.vrings
            .chunks_exact(FW_RSC_VDEV_VRING_SIZE)
            .filter_map(Vring::decode)
    }
}

/// The content of one resource entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resource<'a> {
    /// `RSC_CARVEOUT`: physically contiguous memory request.
    Carveout {
        /// Device address, or [`FW_RSC_ADDR_ANY`].
        da: u32,
        /// Physical address, or [`FW_RSC_ADDR_ANY`].
        pa: u32,
        /// Length in bytes (non-zero).
        len: u32,
        /// IOMMU protection flags.
        flags: u32,
        /// Name, without its terminating NUL (never contains `%`).
        name: &'a [u8],
    },
    /// `RSC_DEVMEM`: IOMMU mapping request.
    Devmem {
        /// Device address.
        da: u32,
        /// Physical address.
        pa: u32,
        /// Length in bytes (non-zero).
        len: u32,
        /// IOMMU protection flags.
        flags: u32,
        /// Name, without its terminating NUL (never contains `%`).
        name: &'a [u8],
    },
    /// `RSC_TRACE`: trace buffer.
    Trace {
        /// Device address of the buffer.
        da: u32,
        /// Length in bytes (non-zero).
        len: u32,
        /// Name, without its terminating NUL.
        name: &'a [u8],
    },
    /// `RSC_VDEV`: virtio device.
    Vdev(Vdev<'a>),
    /// A vendor-specific type (`RSC_VENDOR_START..=RSC_VENDOR_END`): only
    /// its type word is interpreted.
    Vendor {
        /// The resource type.
        kind: u32,
    },
}

/// One entry of a validated resource table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Entry<'a> {
    /// Index of the entry in `offset[]`.
    pub index: usize,
    /// Byte offset of the entry (its `type` word) in the table, i.e.
    /// `offset[index]`. The core's `rsc_offset` is `offset + 4`.
    pub offset: usize,
    /// Size in bytes of the entry including its `type` word (4 for a
    /// vendor entry, whose layout is unknown).
    pub size: usize,
    /// The decoded entry.
    pub resource: Resource<'a>,
}

/// Decodes and checks entry `index` on its own (no limits, no comparison
/// with other entries). `hdr_end` is the end of the offset array.
fn decode_entry(data: &[u8], hdr_end: usize, index: usize) -> Result<Entry<'_>, Error> {
    let offset = index
        .checked_mul(RSC_OFFSET_SIZE)
        .and_then(|o| o.checked_add(RSC_TABLE_HDR_SIZE))
        .and_then(|o| rd32(data, o))
        .ok_or(Error::RscOffsetTableOutOfBounds)?;
    let offset = to_usize(offset).ok_or(Error::RscOffsetOutOfBounds { index })?;
    if offset < hdr_end {
        return Err(Error::RscOffsetOutOfBounds { index });
    }
    let kind = rd32(data, offset).ok_or(Error::RscOffsetOutOfBounds { index })?;
    if offset & 3 != 0 {
        return Err(Error::RscOffsetMisaligned { index });
    }
    let body = offset
        .checked_add(RSC_HDR_SIZE)
        .and_then(|o| data.get(o..))
        .ok_or(Error::RscOffsetOutOfBounds { index })?;
    let truncated = Error::RscEntryTruncated { index };
    let (resource, body_size) = match kind {
        RSC_CARVEOUT | RSC_DEVMEM => {
            let b = body.get(..FW_RSC_CARVEOUT_SIZE).ok_or(truncated)?;
            (decode_mem(b, kind, index)?, FW_RSC_CARVEOUT_SIZE)
        }
        RSC_TRACE => {
            let b = body.get(..FW_RSC_TRACE_SIZE).ok_or(truncated)?;
            (decode_trace(b, index)?, FW_RSC_TRACE_SIZE)
        }
        RSC_VDEV => {
            let (vdev, size) = decode_vdev(body, index)?;
            (Resource::Vdev(vdev), size)
        }
        RSC_VENDOR_START..=RSC_VENDOR_END => (Resource::Vendor { kind }, 0),
        _ => return Err(Error::RscUnknownType { index, kind }),
    };
    let size = body_size.checked_add(RSC_HDR_SIZE).ok_or(truncated)?;
    Ok(Entry {
        index,
        offset,
        size,
        resource,
    })
}

/// Decodes a carveout or devmem entry body (exactly 52 bytes).
fn decode_mem(b: &[u8], kind: u32, index: usize) -> Result<Resource<'_>, Error> {
    let truncated = Error::RscEntryTruncated { index };
    let da = rd32(b, mem_field::DA).ok_or(truncated)?;
    let pa = rd32(b, mem_field::PA).ok_or(truncated)?;
    let len = rd32(b, mem_field::LEN).ok_or(truncated)?;
    let flags = rd32(b, mem_field::FLAGS).ok_or(truncated)?;
    let reserved = rd32(b, mem_field::RESERVED).ok_or(truncated)?;
    if reserved != 0 {
        return Err(Error::RscEntryReservedNotZero { index });
    }
    let carveout = kind == RSC_CARVEOUT;
    // A carveout may leave either address to the host.
    let addr_ok = |a: u32| (carveout && a == FW_RSC_ADDR_ANY) || fits_32(a, len);
    if len == 0 || !addr_ok(da) || !addr_ok(pa) {
        return Err(if carveout {
            Error::RscCarveoutInvalid { index }
        } else {
            Error::RscDevmemInvalid { index }
        });
    }
    let name = b
        .get(mem_field::NAME..)
        .and_then(c_name)
        .ok_or(Error::RscNameUnterminated { index })?;
    if name.contains(&b'%') {
        return Err(Error::RscNameFormat { index });
    }
    Ok(if carveout {
        Resource::Carveout {
            da,
            pa,
            len,
            flags,
            name,
        }
    } else {
        Resource::Devmem {
            da,
            pa,
            len,
            flags,
            name,
        }
    })
}

/// Decodes a trace entry body (exactly 44 bytes).
fn decode_trace(b: &[u8], index: usize) -> Result<Resource<'_>, Error> {
    let truncated = Error::RscEntryTruncated { index };
    let da = rd32(b, trace_field::DA).ok_or(truncated)?;
    let len = rd32(b, trace_field::LEN).ok_or(truncated)?;
    let reserved = rd32(b, trace_field::RESERVED).ok_or(truncated)?;
    if reserved != 0 {
        return Err(Error::RscEntryReservedNotZero { index });
    }
    if len == 0 || !fits_32(da, len) {
        return Err(Error::RscTraceInvalid { index });
    }
    let name = b
        .get(trace_field::NAME..)
        .and_then(c_name)
        .ok_or(Error::RscNameUnterminated { index })?;
    Ok(Resource::Trace { da, len, name })
}

/// Decodes a vdev entry from `body` (everything after its `type` word up
/// to the end of the table), returning it and its size.
fn decode_vdev(body: &[u8], index: usize) -> Result<(Vdev<'_>, usize), Error> {
    let truncated = Error::RscEntryTruncated { index };
    let fixed = body.get(..FW_RSC_VDEV_SIZE).ok_or(truncated)?;
    let [status, num_of_vrings, r0, r1] = *fixed
        .get(vdev_field::STATUS..)
        .and_then(<[u8]>::first_chunk::<4>)
        .ok_or(truncated)?;
    if r0 != 0 || r1 != 0 {
        return Err(Error::RscVdevReservedNotZero { index });
    }
    if num_of_vrings > MAX_VRINGS_PER_VDEV {
        return Err(Error::RscVdevTooManyVrings { index });
    }
    let config_len = rd32(fixed, vdev_field::CONFIG_LEN).ok_or(truncated)?;
    let vrings_end = usize::from(num_of_vrings)
        .checked_mul(FW_RSC_VDEV_VRING_SIZE)
        .and_then(|s| s.checked_add(FW_RSC_VDEV_SIZE))
        .ok_or(truncated)?;
    let vrings = body.get(FW_RSC_VDEV_SIZE..vrings_end).ok_or(truncated)?;
    let overflow = Error::RscVdevConfigOverflow { index };
    let end = to_usize(config_len)
        .and_then(|c| c.checked_add(vrings_end))
        .ok_or(overflow)?;
    let config = body.get(vrings_end..end).ok_or(overflow)?;
    let vdev = Vdev {
        id: rd32(fixed, vdev_field::ID).ok_or(truncated)?,
        notifyid: rd32(fixed, vdev_field::NOTIFYID).ok_or(truncated)?,
        dfeatures: rd32(fixed, vdev_field::DFEATURES).ok_or(truncated)?,
        gfeatures: rd32(fixed, vdev_field::GFEATURES).ok_or(truncated)?,
        config_len,
        status,
        num_of_vrings,
        vrings,
        config,
    };
    Ok((vdev, end))
}

/// Returns whether `[da, da + len)` lies inside one of `ranges`.
fn in_ranges(ranges: &[(u64, u64)], da: u64, len: u64) -> bool {
    let Some(end) = da.checked_add(len) else {
        return false;
    };
    ranges.iter().any(|&(start, size)| {
        matches!(start.checked_add(size), Some(r_end) if da >= start && end <= r_end)
    })
}

/// Checks the vrings of vdev entry `index` against `limits`, and that their
/// notify ids are distinct.
fn check_vdev(vdev: &Vdev<'_>, index: usize, limits: &Limits<'_>) -> Result<(), Error> {
    for (vring, v) in vdev.vrings().enumerate() {
        if v.num == 0 || !v.num.is_power_of_two() || v.num > limits.max_vring_num {
            return Err(Error::RscVringNumInvalid { index, vring });
        }
        if v.align == 0 || !v.align.is_power_of_two() || v.align > limits.max_vring_align {
            return Err(Error::RscVringAlignInvalid { index, vring });
        }
        if v.da != FW_RSC_ADDR_ANY && !limits.vring_da_ok.is_empty() {
            let ok = vring_size(v.num, v.align)
                .is_some_and(|size| in_ranges(limits.vring_da_ok, u64::from(v.da), size));
            if !ok {
                return Err(Error::RscVringDaOutOfRange { index, vring });
            }
        }
        if vdev.vrings().take(vring).any(|w| shares_notifyid(&v, &w)) {
            return Err(Error::RscDuplicateNotifyId { index });
        }
    }
    Ok(())
}

/// Returns whether two vrings use the same (assigned) notify id.
fn shares_notifyid(a: &Vring, b: &Vring) -> bool {
    a.notifyid == b.notifyid && a.notifyid != NOTIFYID_UNASSIGNED
}

/// Returns whether two entries share at least one byte.
fn overlap(a: &Entry<'_>, b: &Entry<'_>) -> bool {
    match (a.offset.checked_add(a.size), b.offset.checked_add(b.size)) {
        (Some(a_end), Some(b_end)) => a.offset < b_end && b.offset < a_end,
        _ => true,
    }
}

/// A validated resource table borrowing its bytes.
///
/// Produced only by [`ResourceTable::parse`]; every accessor then works on
/// validated data.
#[derive(Debug, Clone, Copy)]
pub struct ResourceTable<'a> {
    data: &'a [u8],
    /// Number of entries (`num`).
    num: usize,
    /// End of the offset array: `16 + 4 * num`.
    hdr_end: usize,
    /// End of the last byte used by the header, offsets and entries.
    used: usize,
    num_vdevs: usize,
}

impl<'a> ResourceTable<'a> {
    /// Parses and validates the resource table in `data` (the whole
    /// `.resource_table` section, or the buffer read back on attach; bytes
    /// after the last entry are ignored).
    ///
    /// Checks, in this order (the first failure is returned):
    ///
    /// 1. `data.len() <= limits.max_len` ([`Error::RscTableTooLarge`]);
    /// 2. the 16-byte header is present ([`Error::RscTooShort`]),
    ///    `ver == 1` ([`Error::RscBadVersion`]), `reserved[0..2] == 0`
    ///    ([`Error::RscReservedNotZero`]);
    /// 3. the `num` offsets fit in `data` ([`Error::RscOffsetTableOutOfBounds`])
    ///    and `num <= limits.max_entries` ([`Error::RscTooManyEntries`]);
    /// 4. for each entry, in order:
    ///    - its offset is at or after the end of the offset array and its
    ///      `type` word is inside `data` ([`Error::RscOffsetOutOfBounds`]),
    ///      and the offset is a multiple of 4 ([`Error::RscOffsetMisaligned`]);
    ///    - its type is 0 to 3 or vendor (128 to 512 inclusive, as the
    ///      core): [`Error::RscUnknownType`] otherwise;
    ///    - its structure fits ([`Error::RscEntryTruncated`]);
    ///    - carveout, devmem: reserved word zero
    ///      ([`Error::RscEntryReservedNotZero`]), `len != 0` and, unless the
    ///      address is [`FW_RSC_ADDR_ANY`] in a carveout, `da + len` and
    ///      `pa + len` within 32 bits ([`Error::RscCarveoutInvalid`],
    ///      [`Error::RscDevmemInvalid`]), name NUL-terminated
    ///      ([`Error::RscNameUnterminated`]) without `%`
    ///      ([`Error::RscNameFormat`]: the core passes carveout names to
    ///      `vsnprintf()` as the format);
    ///    - trace: reserved word zero, `len != 0` and `da + len` within 32
    ///      bits ([`Error::RscTraceInvalid`]), name NUL-terminated;
    ///    - vdev: reserved bytes zero ([`Error::RscVdevReservedNotZero`]),
    ///      at most 2 vrings ([`Error::RscVdevTooManyVrings`]; zero is
    ///      accepted, as by the core), vrings inside `data`
    ///      ([`Error::RscEntryTruncated`]), config space inside `data`
    ///      ([`Error::RscVdevConfigOverflow`]); then for each vring, `num`
    ///      a power of two not above `limits.max_vring_num`
    ///      ([`Error::RscVringNumInvalid`]), `align` a power of two not
    ///      above `limits.max_vring_align` ([`Error::RscVringAlignInvalid`]),
    ///      `da` either [`FW_RSC_ADDR_ANY`] or, if `limits.vring_da_ok` is
    ///      not empty, the whole ring inside one of its ranges
    ///      ([`Error::RscVringDaOutOfRange`]), and `notifyid` different from
    ///      the earlier vrings' ([`Error::RscDuplicateNotifyId`]);
    ///    - vendor: only the type word is used;
    ///    - the entry shares no byte with an earlier entry
    ///      ([`Error::RscEntriesOverlap`]), and its vrings' notify ids
    ///      differ from those of earlier vdevs
    ///      ([`Error::RscDuplicateNotifyId`]). A `notifyid` of
    ///      [`NOTIFYID_UNASSIGNED`] is never a duplicate.
    ///
    /// The cross-entry checks decode earlier entries again: the cost is
    /// quadratic in `num`, bounded by `limits.max_entries`.
    ///
    /// # Examples
    ///
    /// A table with one trace-buffer entry (4 KiB at device address
    /// 0x2000_0000, named "trace0"):
    ///
    /// ```
    /// use imx_rproc_fw::error::Error;
    /// use imx_rproc_fw::rsc::{Limits, Resource, ResourceTable, RSC_TRACE};
    ///
    /// let mut t = Vec::new();
    /// for word in [1u32, 1, 0, 0, 20] {
    ///     // ver, num, reserved[2], offset[0]
    ///     t.extend_from_slice(&word.to_le_bytes());
    /// }
    /// for word in [RSC_TRACE, 0x2000_0000, 0x1000, 0] {
    ///     // type, da, len, reserved
    ///     t.extend_from_slice(&word.to_le_bytes());
    /// }
    /// let mut name = [0u8; 32];
    /// name[..6].copy_from_slice(b"trace0");
    /// t.extend_from_slice(&name);
    ///
    /// let table = ResourceTable::parse(&t, &Limits::DEFAULT)?;
    /// assert_eq!((table.len(), table.used_size(), table.num_vdevs()), (1, 68, 0));
    /// let entry = table.entry(0).unwrap();
    /// assert_eq!(entry.offset, 20);
    /// assert_eq!(
    ///     entry.resource,
    ///     Resource::Trace { da: 0x2000_0000, len: 0x1000, name: b"trace0" }
    /// );
    ///
    /// // Version 2 is refused, and so is a name without its NUL.
    /// let mut v2 = t.clone();
    /// v2[0] = 2;
    /// assert_eq!(ResourceTable::parse(&v2, &Limits::DEFAULT).unwrap_err(), Error::RscBadVersion);
    /// let mut unterminated = t.clone();
    /// unterminated[36..68].fill(b'x');
    /// assert_eq!(
    ///     ResourceTable::parse(&unterminated, &Limits::DEFAULT).unwrap_err(),
    ///     Error::RscNameUnterminated { index: 0 }
    /// );
    /// # Ok::<(), Error>(())
    /// ```
    pub fn parse(data: &'a [u8], limits: &Limits<'_>) -> Result<Self, Error> {
        if data.len() > limits.max_len {
            return Err(Error::RscTableTooLarge);
        }
        let hdr = data.get(..RSC_TABLE_HDR_SIZE).ok_or(Error::RscTooShort)?;
        let word = |off| rd32(hdr, off).ok_or(Error::RscTooShort);
        if word(table_field::VER)? != RSC_TABLE_VERSION {
            return Err(Error::RscBadVersion);
        }
        let num = word(table_field::NUM)?;
        if word(table_field::RESERVED)? != 0 || word(table_field::RESERVED + 4)? != 0 {
            return Err(Error::RscReservedNotZero);
        }
        let n = to_usize(num).ok_or(Error::RscOffsetTableOutOfBounds)?;
        let hdr_end = n
            .checked_mul(RSC_OFFSET_SIZE)
            .and_then(|s| s.checked_add(RSC_TABLE_HDR_SIZE))
            .filter(|&end| end <= data.len())
            .ok_or(Error::RscOffsetTableOutOfBounds)?;
        if num > limits.max_entries {
            return Err(Error::RscTooManyEntries);
        }

        let mut used = hdr_end;
        let mut num_vdevs: usize = 0;
        for index in 0..n {
            let entry = decode_entry(data, hdr_end, index)?;
            let vdev = match &entry.resource {
                Resource::Vdev(vdev) => {
                    check_vdev(vdev, index, limits)?;
                    Some(vdev)
                }
                _ => None,
            };
            for earlier in 0..index {
                let prev = decode_entry(data, hdr_end, earlier)?;
                if overlap(&entry, &prev) {
                    return Err(Error::RscEntriesOverlap { index });
                }
                if let (Some(vdev), Resource::Vdev(prev)) = (vdev, &prev.resource) {
                    if vdev
                        .vrings()
                        .any(|v| prev.vrings().any(|w| shares_notifyid(&v, &w)))
                    {
                        return Err(Error::RscDuplicateNotifyId { index });
                    }
                }
            }
            if vdev.is_some() {
                num_vdevs = num_vdevs.saturating_add(1);
            }
            let end = entry
                .offset
                .checked_add(entry.size)
                .ok_or(Error::RscEntryTruncated { index })?;
            used = used.max(end);
        }
        Ok(ResourceTable {
            data,
            num: n,
            hdr_end,
            used,
            num_vdevs,
        })
    }

    /// Returns the whole table buffer given to [`ResourceTable::parse`].
    pub fn data(&self) -> &'a [u8] {
        self.data
    }

    /// Returns the size in bytes of the table buffer (the core's
    /// `table_sz`).
    pub fn size(&self) -> usize {
        self.data.len()
    }

    /// Returns the number of bytes actually used: the end of the last entry
    /// or of the offset array, whichever is further (never more than
    /// [`ResourceTable::size`]).
    pub fn used_size(&self) -> usize {
        self.used
    }

    /// Returns the number of entries (`num`).
    pub fn len(&self) -> usize {
        self.num
    }

    /// Returns whether the table has no entries.
    pub fn is_empty(&self) -> bool {
        self.num == 0
    }

    /// Returns the number of vdev entries.
    pub fn num_vdevs(&self) -> usize {
        self.num_vdevs
    }

    /// Returns entry `index`, or `None` if `index >= len()`.
    pub fn entry(&self, index: usize) -> Option<Entry<'a>> {
        if index >= self.num {
            return None;
        }
        decode_entry(self.data, self.hdr_end, index).ok()
    }

    /// Returns an iterator over all entries, in `offset[]` order.
    pub fn entries(&self) -> impl Iterator<Item = Entry<'a>> + 'a {
        let table = *self;
        (0..table.num).filter_map(move |i| table.entry(i))
    }

    /// Returns an iterator over the vdev entries, in `offset[]` order, with
    /// their entry.
    pub fn vdevs(&self) -> impl Iterator<Item = (Entry<'a>, Vdev<'a>)> + 'a {
        self.entries().filter_map(|e| match e.resource {
            Resource::Vdev(v) => Some((e, v)),
            _ => None,
        })
    }
}
