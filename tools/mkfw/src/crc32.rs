// SPDX-License-Identifier: GPL-2.0

//! CRC-32 (IEEE 802.3, reflected polynomial `0xEDB88320`), the checksum of
//! the manifest.
//!
//! [`crc32`] is the usual zlib/Ethernet CRC: register preset to
//! `0xFFFF_FFFF`, final value inverted. It equals Python's `zlib.crc32(b)`
//! and, in the kernel, `~crc32_le(~0, p, len)` (`lib/crc32.c`); [`update`]
//! is the raw register update, `crc32_le(crc, p, len)`, so a checksum over
//! several discontiguous pieces is `!update(update(!0, a), b)`.

/// The byte-wise lookup table of the reflected polynomial.
const TABLE: [u32; 256] = make_table();

const fn make_table() -> [u32; 256] {
    let mut table = [0u32; 256];
    let mut i = 0;
    while i < 256 {
        let mut c = i as u32;
        let mut k = 0;
        while k < 8 {
            c = if c & 1 != 0 {
                0xEDB8_8320 ^ (c >> 1)
            } else {
                c >> 1
            };
            k += 1;
        }
        table[i] = c;
        i += 1;
    }
    table
}

/// Feeds `data` into the CRC register `crc` (no pre- or post-inversion),
/// like the kernel's `crc32_le(crc, data, len)`.
pub fn update(crc: u32, data: &[u8]) -> u32 {
    data.iter()
        .fold(crc, |c, &b| TABLE[usize::from((c as u8) ^ b)] ^ (c >> 8))
}

/// The standard CRC-32 of `data` (zlib `crc32`).
pub fn crc32(data: &[u8]) -> u32 {
    !update(!0, data)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_value() {
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
        assert_eq!(crc32(b""), 0);
    }

    #[test]
    fn chaining_equals_concatenation() {
        let a = b"hello, ";
        let b = b"world";
        assert_eq!(!update(update(!0, a), b), crc32(b"hello, world"));
    }
}
