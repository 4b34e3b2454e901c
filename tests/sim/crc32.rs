// SPDX-License-Identifier: GPL-2.0

//! CRC-32 (IEEE 802.3: reflected polynomial `0xEDB88320`, preset `0xFFFFFFFF`, final inversion),
//! the checksum of the `mkfw` manifest (`tools/mkfw/README.md`): Python's `zlib.crc32`, the
//! kernel's `~crc32_le(~0, p, len)`.

/// The byte-wise lookup table.
const TABLE: [u32; 256] = {
    let mut t = [0u32; 256];
    let mut i = 0;
    while i < 256 {
        let mut c = i as u32;
        let mut k = 0;
        while k < 8 {
            c = if c & 1 != 0 {
                0xedb8_8320 ^ (c >> 1)
            } else {
                c >> 1
            };
            k += 1;
        }
        t[i] = c;
        i += 1;
    }
    t
};

/// A running CRC-32.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Crc32(u32);

impl Crc32 {
    /// Starts a checksum.
    pub(crate) const fn new() -> Self {
        Self(!0)
    }

    /// Adds `bytes`.
    pub(crate) fn update(&mut self, bytes: &[u8]) {
        let mut c = self.0;
        for &b in bytes {
            c = TABLE[((c ^ u32::from(b)) & 0xff) as usize] ^ (c >> 8);
        }
        self.0 = c;
    }

    /// Returns the checksum of everything added.
    pub(crate) const fn finish(self) -> u32 {
        !self.0
    }
}
