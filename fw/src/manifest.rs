// SPDX-License-Identifier: GPL-2.0

//! The manifest: 64 bytes at vector table + 0x40 telling the simulated M7
//! that the image is one of ours, what to do once started, and how to
//! check that Linux loaded it correctly.
//!
//! Layout (all fields little-endian, offsets from the manifest start, which
//! is `reset vector + 0x40` = `code segment start + 0x40`):
//!
//! | off  | size | field            | meaning |
//! |------|------|------------------|---------|
//! | 0x00 | 8    | `magic`          | `"IMXRSIM1"` |
//! | 0x08 | 2    | `version`        | 1 |
//! | 0x0a | 2    | `size`           | 64 (size of the manifest) |
//! | 0x0c | 4    | `flags`          | bit0 ready doorbell, bit1 crash after `crash_after_ms`, bit2 hang |
//! | 0x10 | 4    | `behaviour`      | 0 zephyr, 1 idle, other values reserved |
//! | 0x14 | 4    | `crash_after_ms` | used with flag bit1 |
//! | 0x18 | 4    | `code_addr`      | device address of the code segment (= vector table) |
//! | 0x1c | 4    | `code_len`       | its `p_filesz` (= `p_memsz`) |
//! | 0x20 | 4    | `data_addr`      | device address of the data segment |
//! | 0x24 | 4    | `data_filesz`    | bytes of `.data` (file-backed part) |
//! | 0x28 | 4    | `data_memsz`     | whole data segment (`.data` + zero-filled `.bss`) |
//! | 0x2c | 4    | `rsc_addr`       | device address of `.resource_table` |
//! | 0x30 | 4    | `rsc_len`        | its size |
//! | 0x34 | 4    | `data_crc`       | CRC-32 of the `data_filesz` bytes at `data_addr` |
//! | 0x38 | 4    | `reserved`       | 0 |
//! | 0x3c | 4    | `code_crc`       | CRC-32 of the code segment minus this field |
//!
//! Checksums are the standard CRC-32 (CRC-32/ISO-HDLC: zlib's `crc32`, the
//! kernel's `~crc32_le(~0, p, len)`), which this crate does not compute:
//! `mkfw` uses the `crc32fast` crate, the simulated M7 the kernel's
//! `crc32_le()`. They cover:
//!
//! - `code_crc` covers the `code_len` bytes at `code_addr` *except the 4
//!   bytes of `code_crc` itself* (at `code_addr + 0x7c`): it is the CRC of
//!   the concatenation of `[code_addr, code_addr + 0x7c)` and
//!   `[code_addr + 0x80, code_addr + code_len)`. It therefore covers the
//!   vector table, every other manifest field (including `data_crc`), the
//!   IRQ vectors, the handlers and the filler.
//! - `data_crc` covers the `data_filesz` bytes at `data_addr` (CRC of no
//!   bytes = 0). The `data_memsz - data_filesz` bytes after them must read
//!   as zero after loading (the loader's zero fill); that needs no checksum.
//! - The resource table is not covered: Linux may rewrite it in place
//!   (vring addresses, vdev status) before the M7 starts.
//!
//! The format is this project's own (`tools/mkfw/README.md`): `mkfw` writes
//! it, the simulated M7 (`tests/sim/m7.rs`) reads it; the driver never looks
//! at it, so the kernel module does not compile this file.
//!
//! This file is compiled both as part of the host crate `imx_rproc_fw` and,
//! through `#[path]`, inside the simulator module: it must only use `core`.

/// The magic at the start of the manifest.
pub const MAGIC: [u8; 8] = *b"IMXRSIM1";
/// The manifest version.
pub const VERSION: u16 = 1;
/// Size of the manifest.
pub const SIZE: usize = 64;
/// Offset of the manifest from the vector table (code segment start).
pub const OFFSET: usize = 0x40;
/// Offset of `code_crc` inside the manifest.
pub const CODE_CRC_FIELD: usize = 0x3c;
/// Offset of `code_crc` from the code segment start: [`OFFSET`] +
/// [`CODE_CRC_FIELD`]. The code checksum covers the code segment without
/// these 4 bytes.
pub const CODE_CRC_OFFSET: usize = 0x7c;
/// Offset of the first 32-bit field (`flags`) inside the manifest; the
/// thirteen words from `flags` to `code_crc` follow one another.
const WORDS_OFFSET: usize = 0x0c;

/// Flag bit0: ring the "ready" doorbell (`rxdb`) after boot.
pub const FLAG_READY_DOORBELL: u32 = 1 << 0;
/// Flag bit1: crash `crash_after_ms` milliseconds after boot.
pub const FLAG_CRASH_AFTER: u32 = 1 << 1;
/// Flag bit2: never answer (hang).
pub const FLAG_HANG: u32 = 1 << 2;

/// Behaviour 0: act like Zephyr's `openamp_rsc_table` sample.
pub const BEHAVIOUR_ZEPHYR: u32 = 0;
/// Behaviour 1: boot and never touch the vdev or the mailbox.
pub const BEHAVIOUR_IDLE: u32 = 1;

/// The behaviours by name, with their codes.
pub const BEHAVIOURS: [(&str, u32); 2] = [("zephyr", BEHAVIOUR_ZEPHYR), ("idle", BEHAVIOUR_IDLE)];

/// The decoded manifest (magic not stored: it is constant).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Manifest {
    /// `version`.
    pub version: u16,
    /// `size`.
    pub size: u16,
    /// `flags`.
    pub flags: u32,
    /// `behaviour`.
    pub behaviour: u32,
    /// `crash_after_ms`.
    pub crash_after_ms: u32,
    /// `code_addr`.
    pub code_addr: u32,
    /// `code_len`.
    pub code_len: u32,
    /// `data_addr`.
    pub data_addr: u32,
    /// `data_filesz`.
    pub data_filesz: u32,
    /// `data_memsz`.
    pub data_memsz: u32,
    /// `rsc_addr`.
    pub rsc_addr: u32,
    /// `rsc_len`.
    pub rsc_len: u32,
    /// `data_crc`.
    pub data_crc: u32,
    /// `reserved`.
    pub reserved: u32,
    /// `code_crc`.
    pub code_crc: u32,
}

impl Manifest {
    /// The thirteen 32-bit fields, in their order from offset 0x0c.
    fn words(&self) -> [u32; 13] {
        [
            self.flags,
            self.behaviour,
            self.crash_after_ms,
            self.code_addr,
            self.code_len,
            self.data_addr,
            self.data_filesz,
            self.data_memsz,
            self.rsc_addr,
            self.rsc_len,
            self.data_crc,
            self.reserved,
            self.code_crc,
        ]
    }

    /// Encodes the manifest (with [`MAGIC`]).
    pub fn encode(&self) -> [u8; SIZE] {
        let mut b = [0u8; SIZE];
        let (magic, rest) = b.split_at_mut(MAGIC.len());
        magic.copy_from_slice(&MAGIC);
        let (version, rest) = rest.split_at_mut(2);
        version.copy_from_slice(&self.version.to_le_bytes());
        let (size, rest) = rest.split_at_mut(2);
        size.copy_from_slice(&self.size.to_le_bytes());
        for (dst, w) in rest.chunks_exact_mut(4).zip(self.words()) {
            dst.copy_from_slice(&w.to_le_bytes());
        }
        b
    }

    /// Decodes a manifest from the first [`SIZE`] bytes of `b`, or `None`
    /// if `b` is shorter or does not start with [`MAGIC`].
    pub fn decode(b: &[u8]) -> Option<Self> {
        let b = b.get(..SIZE)?;
        if b.get(..MAGIC.len())? != MAGIC {
            return None;
        }
        let half = |o: usize| {
            b.get(o..)?
                .first_chunk::<2>()
                .map(|a| u16::from_le_bytes(*a))
        };
        let mut w = [0u32; 13];
        for (d, c) in w.iter_mut().zip(b.get(WORDS_OFFSET..)?.chunks_exact(4)) {
            *d = u32::from_le_bytes(c.try_into().ok()?);
        }
        let [flags, behaviour, crash_after_ms, code_addr, code_len, data_addr, data_filesz, data_memsz, rsc_addr, rsc_len, data_crc, reserved, code_crc] =
            w;
        Some(Manifest {
            version: half(8)?,
            size: half(10)?,
            flags,
            behaviour,
            crash_after_ms,
            code_addr,
            code_len,
            data_addr,
            data_filesz,
            data_memsz,
            rsc_addr,
            rsc_len,
            data_crc,
            reserved,
            code_crc,
        })
    }

    /// The name of `behaviour`, if it is a known one.
    pub fn behaviour_name(&self) -> Option<&'static str> {
        BEHAVIOURS
            .iter()
            .find(|(_, c)| *c == self.behaviour)
            .map(|(n, _)| *n)
    }
}

/// The two pieces of a code segment the code checksum covers, in order:
/// `code[..0x7c]` and `code[0x80..]` (everything but `code_crc`), or `None`
/// if `code` is shorter than the vector table plus the manifest (0x80
/// bytes).
pub fn code_crc_pieces(code: &[u8]) -> Option<(&[u8], &[u8])> {
    let head = code.get(..CODE_CRC_OFFSET)?;
    let tail = code.get(CODE_CRC_OFFSET.checked_add(4)?..)?;
    Some((head, tail))
}
