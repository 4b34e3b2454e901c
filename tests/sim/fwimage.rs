// SPDX-License-Identifier: GPL-2.0

//! What a firmware knows about itself: its link map. The simulated M7 plays the firmware that
//! Linux loaded, and a real firmware knows, from its linker, where its segments and its resource
//! table are. The simulation learns the same from the ELF file the test says the M7 runs
//! (debugfs `m7_image`, or the image `m7_boot` pre-booted), read here with a reader of its own,
//! deliberately not the driver's parser (`fw/`), so that the two do not share a reading of the
//! format: the ELF32 header, the program headers (`PT_LOAD`: where Linux must have put each
//! segment, by `p_paddr`, and a CRC-32 of its file bytes) and the section headers (the address
//! of `.resource_table`, by `sh_addr`, which is where the firmware's code reads its table).
//!
//! Field offsets: the ELF specification (System V ABI, "ELF Header", "Program Header",
//! "Sections"), as in the kernel's `include/uapi/linux/elf.h` (`elf32_hdr`, `elf32_phdr`,
//! `elf32_shdr`).

use crate::kext::Crc32;
use kernel::prelude::*;

/// `PT_LOAD`.
const PT_LOAD: u32 = 1;
/// Most `PT_LOAD` segments kept.
const MAX_SEGS: usize = 16;
/// Longest image name kept.
const NAME_MAX: usize = 64;

/// One loadable segment of the image.
#[derive(Clone, Copy, Debug)]
pub(crate) struct LoadSeg {
    /// Program-header index.
    pub(crate) index: u16,
    /// `p_paddr`: where the loader must have put it (the M7's address).
    pub(crate) paddr: u32,
    /// `p_vaddr`, for the messages.
    pub(crate) vaddr: u32,
    /// `p_filesz`.
    pub(crate) filesz: u32,
    /// `p_memsz`.
    pub(crate) memsz: u32,
    /// CRC-32 of the `p_filesz` file bytes.
    pub(crate) crc: u32,
}

/// The link map of an image.
pub(crate) struct ImageInfo {
    name: [u8; NAME_MAX],
    name_len: usize,
    /// `e_entry`.
    pub(crate) entry: u32,
    /// The `PT_LOAD` segments with `p_memsz > 0`.
    pub(crate) segs: KVec<LoadSeg>,
    /// `.resource_table`: `(sh_addr, sh_size)`, if the image has one.
    pub(crate) rsc: Option<(u32, u32)>,
}

/// Little-endian field readers over the file, `None` past its end.
fn u16_at(b: &[u8], off: usize) -> Option<u16> {
    Some(u16::from_le_bytes(
        *b.get(off..off.checked_add(2)?)?.first_chunk()?,
    ))
}

fn u32_at(b: &[u8], off: usize) -> Option<u32> {
    Some(u32::from_le_bytes(
        *b.get(off..off.checked_add(4)?)?.first_chunk()?,
    ))
}

/// The `len` bytes at `off`, if the file has them.
fn bytes_at(b: &[u8], off: u32, len: u32) -> Option<&[u8]> {
    let off = usize::try_from(off).ok()?;
    let len = usize::try_from(len).ok()?;
    b.get(off..off.checked_add(len)?)
}

impl ImageInfo {
    /// Reads the link map of the ELF32 little-endian image `b`; the error says what is wrong.
    pub(crate) fn parse(name: &str, b: &[u8]) -> core::result::Result<Self, &'static str> {
        if b.get(..4) != Some(b"\x7fELF".as_slice()) {
            return Err("not an ELF file");
        }
        // e_ident[EI_CLASS] 1 = ELFCLASS32, e_ident[EI_DATA] 1 = ELFDATA2LSB.
        if b.get(4) != Some(&1) || b.get(5) != Some(&1) {
            return Err("not ELF32 little-endian");
        }
        let short = "ELF header truncated";
        let entry = u32_at(b, 0x18).ok_or(short)?;
        let phoff = u32_at(b, 0x1c).ok_or(short)?;
        let shoff = u32_at(b, 0x20).ok_or(short)?;
        let phentsize = u16_at(b, 0x2a).ok_or(short)?;
        let phnum = u16_at(b, 0x2c).ok_or(short)?;
        let shentsize = u16_at(b, 0x2e).ok_or(short)?;
        let shnum = u16_at(b, 0x30).ok_or(short)?;
        let shstrndx = u16_at(b, 0x32).ok_or(short)?;

        let mut segs = KVec::new();
        for i in 0..phnum {
            let ph = u32::from(i)
                .checked_mul(u32::from(phentsize))
                .and_then(|o| o.checked_add(phoff))
                .and_then(|o| bytes_at(b, o, 32))
                .ok_or("program header past the end of the file")?;
            let w = |o| u32_at(ph, o).unwrap_or(0);
            if w(0) != PT_LOAD || w(20) == 0 {
                continue;
            }
            let (offset, filesz, memsz) = (w(4), w(16), w(20));
            if filesz > memsz {
                return Err("PT_LOAD with p_filesz > p_memsz");
            }
            let data = bytes_at(b, offset, filesz).ok_or("segment past the end of the file")?;
            let mut crc = Crc32::new();
            crc.update(data);
            if segs.len() == MAX_SEGS {
                return Err("too many PT_LOAD segments");
            }
            segs.push(
                LoadSeg {
                    index: i,
                    paddr: w(12),
                    vaddr: w(8),
                    filesz,
                    memsz,
                    crc: crc.finish(),
                },
                GFP_KERNEL,
            )
            .map_err(|_| "out of memory")?;
        }

        // `.resource_table` by name, through the section-name string table.
        let sh = |i: u16| {
            u32::from(i)
                .checked_mul(u32::from(shentsize))
                .and_then(|o| o.checked_add(shoff))
                .and_then(|o| bytes_at(b, o, 40))
        };
        let mut rsc = None;
        if shnum != 0 && shoff != 0 {
            let strtab = sh(shstrndx).ok_or("section-name table header past the end")?;
            let (str_off, str_size) = (
                u32_at(strtab, 16).unwrap_or(0),
                u32_at(strtab, 20).unwrap_or(0),
            );
            let names = bytes_at(b, str_off, str_size).ok_or("section names past the end")?;
            for i in 0..shnum {
                let s = sh(i).ok_or("section header past the end of the file")?;
                let name_off = u32_at(s, 0).unwrap_or(u32::MAX) as usize;
                let want = b".resource_table\0";
                if names.get(name_off..name_off.saturating_add(want.len())) == Some(want.as_slice())
                {
                    rsc = Some((u32_at(s, 12).unwrap_or(0), u32_at(s, 20).unwrap_or(0)));
                    break;
                }
            }
        }

        let mut info = Self {
            name: [0; NAME_MAX],
            name_len: 0,
            entry,
            segs,
            rsc,
        };
        for (d, s) in info.name.iter_mut().zip(name.bytes()) {
            *d = s;
            info.name_len += 1;
        }
        Ok(info)
    }

    /// The name the image was given as.
    pub(crate) fn name(&self) -> &str {
        core::str::from_utf8(&self.name[..self.name_len]).unwrap_or("?")
    }
}
