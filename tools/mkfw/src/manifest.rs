// SPDX-License-Identifier: GPL-2.0

//! The manifest: 64 bytes at vector table + 0x40 telling the simulated M7
//! that the image is one of ours, what to do once started, and how to
//! check that Linux loaded it correctly. The format (layout, flags,
//! behaviours, what the checksums cover) is `imx_rproc_fw::manifest`,
//! re-exported here; this module adds the checksums, computed with the
//! `crc32fast` crate (CRC-32/ISO-HDLC, the kernel's `~crc32_le(~0, p, len)`).

pub use imx_rproc_fw::manifest::*;

/// The `code_crc` of a code segment's bytes: CRC-32 over `code[..0x7c]`
/// followed by `code[0x80..]`, or `None` if `code` is shorter than the
/// vector table plus the manifest (0x80 bytes).
pub fn code_checksum(code: &[u8]) -> Option<u32> {
    let (head, tail) = code_crc_pieces(code)?;
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
