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
//! Checksums are the standard CRC-32 (CRC-32/ISO-HDLC, computed with the
//! `crc32fast` crate: zlib's `crc32`, the kernel's `~crc32_le(~0, p, len)`):
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

/// The magic at the start of the manifest.
pub const MAGIC: [u8; 8] = *b"IMXRSIM1";
/// The manifest version this tool writes.
pub const VERSION: u16 = 1;
/// Size of the manifest.
pub const SIZE: usize = 64;
/// Offset of the manifest from the vector table (code segment start).
pub const OFFSET: usize = 0x40;
/// Offset of `code_crc` inside the manifest.
pub const CODE_CRC_FIELD: usize = 0x3c;
/// Offset of `code_crc` from the code segment start (0x7c).
pub const CODE_CRC_OFFSET: usize = OFFSET + CODE_CRC_FIELD;

/// Flag bit0: ring the "ready" doorbell (`rxdb`) after boot (future).
pub const FLAG_READY_DOORBELL: u32 = 1 << 0;
/// Flag bit1: crash `crash_after_ms` milliseconds after boot (future).
pub const FLAG_CRASH_AFTER: u32 = 1 << 1;
/// Flag bit2: never answer (hang).
pub const FLAG_HANG: u32 = 1 << 2;

/// Behaviour 0: act like Zephyr's `openamp_rsc_table` sample.
pub const BEHAVIOUR_ZEPHYR: u32 = 0;
/// Behaviour 1: boot and never touch the vdev or the mailbox.
pub const BEHAVIOUR_IDLE: u32 = 1;

/// Names accepted by `--behaviour`, with their codes.
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
    /// Encodes the manifest (with [`MAGIC`]).
    pub fn encode(&self) -> [u8; SIZE] {
        let mut b = [0u8; SIZE];
        b[..8].copy_from_slice(&MAGIC);
        b[8..10].copy_from_slice(&self.version.to_le_bytes());
        b[10..12].copy_from_slice(&self.size.to_le_bytes());
        let words = [
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
        ];
        for (i, w) in words.iter().enumerate() {
            let o = 12 + 4 * i;
            b[o..o + 4].copy_from_slice(&w.to_le_bytes());
        }
        b
    }

    /// Decodes a manifest from at least 64 bytes, or `None` if they are
    /// fewer or do not start with [`MAGIC`].
    pub fn decode(b: &[u8]) -> Option<Self> {
        let b = b.get(..SIZE)?;
        if b[..8] != MAGIC {
            return None;
        }
        let w = |i: usize| {
            let o = 12 + 4 * i;
            u32::from_le_bytes([b[o], b[o + 1], b[o + 2], b[o + 3]])
        };
        Some(Manifest {
            version: u16::from_le_bytes([b[8], b[9]]),
            size: u16::from_le_bytes([b[10], b[11]]),
            flags: w(0),
            behaviour: w(1),
            crash_after_ms: w(2),
            code_addr: w(3),
            code_len: w(4),
            data_addr: w(5),
            data_filesz: w(6),
            data_memsz: w(7),
            rsc_addr: w(8),
            rsc_len: w(9),
            data_crc: w(10),
            reserved: w(11),
            code_crc: w(12),
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

/// The `code_crc` of a code segment's bytes: CRC-32 over `code[..0x7c]`
/// followed by `code[0x80..]`, or `None` if `code` is shorter than the
/// vector table plus the manifest (0x80 bytes).
pub fn code_checksum(code: &[u8]) -> Option<u32> {
    let head = code.get(..CODE_CRC_OFFSET)?;
    let tail = code.get(CODE_CRC_OFFSET + 4..)?;
    let mut crc = crc32fast::Hasher::new();
    crc.update(head);
    crc.update(tail);
    Some(crc.finalize())
}

/// Recomputes and stores `code_crc` in a code segment holding a manifest.
/// Returns the checksum, or `None` if `code` is too short.
pub fn seal(code: &mut [u8]) -> Option<u32> {
    let crc = code_checksum(code)?;
    code[CODE_CRC_OFFSET..CODE_CRC_OFFSET + 4].copy_from_slice(&crc.to_le_bytes());
    Some(crc)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The CRC-32 the manifest uses is the one the kernel side computes with
    /// `crc32_le()` (`tests/sim/kext.rs`, checked on the same vectors by the
    /// simulated M7's self-test, `tests/sim/m7test.rs`): the vectors and
    /// their values are Zephyr's `tests/unit/crc/main.c` (`test_crc32_ieee`),
    /// the first the check value of CRC-32/ISO-HDLC.
    #[test]
    fn crc_matches_the_known_vectors() {
        assert_eq!(crc32fast::hash(b"123456789"), 0xCBF4_3926);
        assert_eq!(crc32fast::hash(b"A"), 0xD3D9_9E8B);
        assert_eq!(crc32fast::hash(b"Zephyr"), 0x2008_9AA4);
        assert_eq!(crc32fast::hash(b""), 0);
        // Over two pieces, as `code_checksum` feeds it.
        let mut h = crc32fast::Hasher::new();
        h.update(b"1234");
        h.update(b"56789");
        assert_eq!(h.finalize(), 0xCBF4_3926);
    }

    #[test]
    fn encode_decode_round_trip() {
        let m = Manifest {
            version: VERSION,
            size: SIZE as u16,
            flags: FLAG_HANG,
            behaviour: BEHAVIOUR_IDLE,
            code_addr: 0x8000_0000,
            code_len: 0x4000,
            data_crc: 0xdead_beef,
            code_crc: 0x1234_5678,
            ..Default::default()
        };
        let b = m.encode();
        assert_eq!(&b[..8], b"IMXRSIM1");
        assert_eq!(&b[CODE_CRC_FIELD..], &0x1234_5678u32.to_le_bytes());
        assert_eq!(&b[0x34..0x38], &0xdead_beefu32.to_le_bytes());
        assert_eq!(Manifest::decode(&b), Some(m));
        assert_eq!(m.behaviour_name(), Some("idle"));
    }

    #[test]
    fn checksum_ignores_only_its_own_field() {
        let mut code: Vec<u8> = (0..0x200u32).map(|i| i as u8).collect();
        let crc = seal(&mut code).unwrap();
        assert_eq!(code_checksum(&code), Some(crc));
        // Changing the checksum field does not change the checksum...
        code[CODE_CRC_OFFSET] ^= 0xff;
        assert_eq!(code_checksum(&code), Some(crc));
        // ...changing any other byte does.
        for i in [0, 0x7b, 0x80, 0x1ff] {
            let mut c = code.clone();
            c[i] ^= 1;
            assert_ne!(code_checksum(&c), Some(crc), "byte {i:#x}");
        }
        // Equivalent definition: the CRC with the field's bytes removed.
        let mut cut = code.clone();
        cut.drain(CODE_CRC_OFFSET..CODE_CRC_OFFSET + 4);
        assert_eq!(crc32fast::hash(&cut), crc);
        assert_eq!(code_checksum(&code[..0x7f]), None);
    }
}
