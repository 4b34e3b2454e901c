// SPDX-License-Identifier: GPL-2.0

//! The ELF32 writer (cargo feature `builder`, host only): a mutable
//! description of an ELF32 little-endian image and its serialiser, which
//! `tools/mkfw`, the fuzzers and the crate's own tests write images with.
//! Every field is placed at the offsets [`super::elf`] reads it from
//! ([`ehdr_field`], [`phdr_field`], [`shdr_field`]). The kernel module never
//! compiles this file.
//!
//! [`Image`] holds the file-header fields, the program headers with their
//! file bytes and the section headers; nothing is laid out until
//! [`Image::serialize`]. Every header field that the serialiser would
//! otherwise compute (`e_phoff`, `e_shoff`, `e_phnum`, `e_shnum`,
//! `e_shstrndx`, `p_offset`, `p_filesz`, `sh_name`, `sh_offset`,
//! `sh_size`) has an `Option` override, so a malformed-image generator can
//! start from a well-formed [`Image`], change fields to lie about the
//! contents, and still get the bytes placed consistently. Byte-level
//! patching after serialisation is possible through the returned
//! [`Layout`], which gives the file offset of every table and blob.
//!
//! File order: file header, program-header table, segment bytes (each
//! segment's `p_offset` congruent to its `p_vaddr` modulo
//! `clamp(p_align, 16, 4096)`), section bytes not inside a segment
//! (such as `.shstrtab`, 4-byte aligned), section-header table (4-byte
//! aligned), like the output of GNU ld.

// A writer of trusted images (a tool's or a test's): the sizes are
// checked where an image could exceed its 32-bit fields, the rest is
// plain arithmetic on values the caller chose.
#![allow(
    clippy::arithmetic_side_effects,
    clippy::as_conversions,
    clippy::cast_possible_truncation,
    clippy::cast_lossless,
    clippy::indexing_slicing
)]

use super::elf::{
    ehdr_field, phdr_field, shdr_field, EHDR_SIZE, EI_CLASS, EI_DATA, EI_NIDENT, EI_VERSION,
    ELFCLASS32, ELFDATA2LSB, ELFMAG, EM_ARM, ET_EXEC, EV_CURRENT, PHDR_SIZE, PT_LOAD, SHDR_SIZE,
    SHT_NULL, SHT_STRTAB,
};
use alloc::{borrow::ToOwned, format, string::String, vec, vec::Vec};
use core::fmt;

/// Why an image cannot be serialised: it would exceed 4 GiB, a count
/// exceeds 65535, or a section refers to a segment that does not exist.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SerializeError(pub String);

impl fmt::Display for SerializeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// `e_flags` of a Zephyr Cortex-M build: EABI version 5, soft-float ABI.
pub const EF_ARM_EABI5_SOFT: u32 = 0x0500_0200;

/// The ELF32 file header fields. `None` fields are computed by
/// [`Image::serialize`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    /// `e_ident` (magic, class, data encoding, version, OS ABI, padding).
    pub ident: [u8; EI_NIDENT],
    /// `e_type`.
    pub e_type: u16,
    /// `e_machine`.
    pub e_machine: u16,
    /// `e_version`.
    pub e_version: u32,
    /// `e_entry`.
    pub e_entry: u32,
    /// `e_flags`.
    pub e_flags: u32,
    /// `e_ehsize` (the header written is always 52 bytes).
    pub e_ehsize: u16,
    /// `e_phentsize` (the program headers are written [`Header::ph_stride`]
    /// bytes apart whatever it says).
    pub e_phentsize: u16,
    /// `e_shentsize` (the section headers are written
    /// [`Header::sh_stride`] bytes apart whatever it says).
    pub e_shentsize: u16,
    /// Bytes from one program header to the next in the file (at least
    /// 32; the bytes past a header's 32 are zero): set it with
    /// `e_phentsize` for an image whose entries really are larger.
    pub ph_stride: u16,
    /// Bytes from one section header to the next in the file (at least
    /// 40), as [`Header::ph_stride`].
    pub sh_stride: u16,
    /// Override of `e_phoff` (default: right after the file header).
    pub e_phoff: Option<u32>,
    /// Override of `e_shoff` (default: the section-header table's offset).
    pub e_shoff: Option<u32>,
    /// Override of `e_phnum` (default: number of [`Image::segments`]).
    pub e_phnum: Option<u16>,
    /// Override of `e_shnum` (default: number of [`Image::sections`]).
    pub e_shnum: Option<u16>,
    /// Override of `e_shstrndx` (default: the first [`SectionData::ShStrTab`]
    /// section, or 0).
    pub e_shstrndx: Option<u16>,
}

impl Header {
    /// A well-formed ELF32 little-endian `ET_EXEC` `EM_ARM` header with the
    /// given entry point and Zephyr's `e_flags`.
    pub fn arm_exec(entry: u32) -> Self {
        let mut ident = [0u8; EI_NIDENT];
        ident[..ELFMAG.len()].copy_from_slice(&ELFMAG);
        ident[EI_CLASS] = ELFCLASS32;
        ident[EI_DATA] = ELFDATA2LSB;
        ident[EI_VERSION] = EV_CURRENT;
        Header {
            ident,
            e_type: ET_EXEC,
            e_machine: EM_ARM,
            e_version: u32::from(EV_CURRENT),
            e_entry: entry,
            e_flags: EF_ARM_EABI5_SOFT,
            e_ehsize: EHDR_SIZE as u16,
            e_phentsize: PHDR_SIZE as u16,
            e_shentsize: SHDR_SIZE as u16,
            ph_stride: PHDR_SIZE as u16,
            sh_stride: SHDR_SIZE as u16,
            e_phoff: None,
            e_shoff: None,
            e_phnum: None,
            e_shnum: None,
            e_shstrndx: None,
        }
    }
}

/// A program header and the segment's file bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Segment {
    /// `p_type`.
    pub p_type: u32,
    /// `p_flags`.
    pub p_flags: u32,
    /// `p_vaddr`.
    pub p_vaddr: u32,
    /// `p_paddr` (the device address the loader uses).
    pub p_paddr: u32,
    /// `p_memsz`.
    pub p_memsz: u32,
    /// `p_align`.
    pub p_align: u32,
    /// The file bytes (`p_filesz` of them unless overridden).
    pub data: Vec<u8>,
    /// Override of `p_offset` (the bytes stay where the layout put them).
    pub p_offset: Option<u32>,
    /// Override of `p_filesz` (default: `data.len()`).
    pub p_filesz: Option<u32>,
}

impl Segment {
    /// A `PT_LOAD` segment at `addr` (`p_vaddr == p_paddr`) holding `data`
    /// followed by `memsz - data.len()` zero-filled bytes.
    pub fn load(addr: u32, flags: u32, data: Vec<u8>, memsz: u32, align: u32) -> Self {
        Segment {
            p_type: PT_LOAD,
            p_flags: flags,
            p_vaddr: addr,
            p_paddr: addr,
            p_memsz: memsz,
            p_align: align,
            data,
            p_offset: None,
            p_filesz: None,
        }
    }
}

/// Where a section's bytes come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SectionData {
    /// No bytes (the null section).
    Null,
    /// `size` bytes at `offset` in segment `segment`'s file bytes.
    InSegment {
        /// Index in [`Image::segments`].
        segment: usize,
        /// Offset inside the segment's file bytes.
        offset: u32,
        /// Section size.
        size: u32,
    },
    /// An `SHT_NOBITS` section; `sh_offset` is reported as `offset` bytes
    /// past segment `segment`'s file start, as GNU ld does.
    NoBits {
        /// Index in [`Image::segments`].
        segment: usize,
        /// Offset relative to the segment's file start.
        offset: u32,
        /// Section size.
        size: u32,
    },
    /// Bytes of its own, placed after the segments.
    Own(Vec<u8>),
    /// The section-name string table, generated from the section names.
    ShStrTab,
}

/// A section header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    /// Name (empty for the null section, which gets `sh_name` 0).
    pub name: String,
    /// `sh_type`.
    pub sh_type: u32,
    /// `sh_flags`.
    pub sh_flags: u32,
    /// `sh_addr`.
    pub sh_addr: u32,
    /// `sh_link`.
    pub sh_link: u32,
    /// `sh_info`.
    pub sh_info: u32,
    /// `sh_addralign`.
    pub sh_addralign: u32,
    /// `sh_entsize`.
    pub sh_entsize: u32,
    /// Contents.
    pub data: SectionData,
    /// Override of `sh_name`.
    pub sh_name: Option<u32>,
    /// Override of `sh_offset`.
    pub sh_offset: Option<u32>,
    /// Override of `sh_size`.
    pub sh_size: Option<u32>,
}

impl Section {
    /// The null section header (index 0).
    pub fn null() -> Self {
        Section::new("", SHT_NULL, 0, 0, 0, SectionData::Null)
    }

    /// A section with the given fields, `sh_link`, `sh_info` and
    /// `sh_entsize` zero and no overrides.
    pub fn new(
        name: &str,
        sh_type: u32,
        sh_flags: u32,
        sh_addr: u32,
        sh_addralign: u32,
        data: SectionData,
    ) -> Self {
        Section {
            name: name.to_owned(),
            sh_type,
            sh_flags,
            sh_addr,
            sh_link: 0,
            sh_info: 0,
            sh_addralign,
            sh_entsize: 0,
            data,
            sh_name: None,
            sh_offset: None,
            sh_size: None,
        }
    }

    /// The section-name string table `.shstrtab`.
    pub fn shstrtab() -> Self {
        Section::new(".shstrtab", SHT_STRTAB, 0, 0, 1, SectionData::ShStrTab)
    }
}

/// A whole image, mutable until [`Image::serialize`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Image {
    /// File header.
    pub header: Header,
    /// Program headers, in table order.
    pub segments: Vec<Segment>,
    /// Section headers, in table order (entry 0 should be [`Section::null`]).
    pub sections: Vec<Section>,
}

/// Where [`Image::serialize`] put things (file offsets) and the values it
/// computed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layout {
    /// Offset of the program-header table.
    pub phoff: u32,
    /// Offset of the section-header table.
    pub shoff: u32,
    /// File offset of each segment's bytes.
    pub segment_offsets: Vec<u32>,
    /// `sh_offset` of each section (before overrides).
    pub section_offsets: Vec<u32>,
    /// `sh_name` of each section (before overrides).
    pub section_names: Vec<u32>,
    /// `sh_size` of each section (before overrides).
    pub section_sizes: Vec<u32>,
    /// The `e_shstrndx` written.
    pub shstrndx: u16,
    /// Length of the file.
    pub len: u32,
}

fn to_u32(v: u64, what: &str) -> Result<u32, SerializeError> {
    u32::try_from(v).map_err(|_| SerializeError(format!("{what} exceeds 4 GiB")))
}

fn align_up(v: u64, a: u64) -> u64 {
    v.div_ceil(a) * a
}

fn put16(buf: &mut [u8], off: usize, v: u16) {
    buf[off..off + 2].copy_from_slice(&v.to_le_bytes());
}

fn put32(buf: &mut [u8], off: usize, v: u32) {
    buf[off..off + 4].copy_from_slice(&v.to_le_bytes());
}

impl Image {
    /// Builds the section-name string table and each section's `sh_name`.
    fn shstrtab(&self) -> (Vec<u8>, Vec<u32>) {
        let mut table = vec![0u8];
        let mut names = Vec::with_capacity(self.sections.len());
        for s in &self.sections {
            if s.name.is_empty() {
                names.push(0);
            } else {
                names.push(table.len() as u32);
                table.extend_from_slice(s.name.as_bytes());
                table.push(0);
            }
        }
        (table, names)
    }

    /// Lays the image out and returns its bytes and the [`Layout`].
    ///
    /// Fails only if the file would exceed 4 GiB, a count exceeds 65535 or
    /// a section refers to a segment that does not exist.
    pub fn serialize(&self) -> Result<(Vec<u8>, Layout), SerializeError> {
        let (strtab, names) = self.shstrtab();
        let phnum = u16::try_from(self.segments.len())
            .map_err(|_| SerializeError("more than 65535 program headers".into()))?;
        let shnum = u16::try_from(self.sections.len())
            .map_err(|_| SerializeError("more than 65535 section headers".into()))?;

        let ph_stride = u64::from(self.header.ph_stride).max(PHDR_SIZE as u64);
        let sh_stride = u64::from(self.header.sh_stride).max(SHDR_SIZE as u64);
        let phoff = EHDR_SIZE as u64;
        let mut cursor = phoff + u64::from(phnum) * ph_stride;

        let mut segment_offsets = Vec::with_capacity(self.segments.len());
        for seg in &self.segments {
            let a = if seg.p_align.is_power_of_two() {
                u64::from(seg.p_align.clamp(16, 4096))
            } else {
                16
            };
            let pad = (u64::from(seg.p_vaddr) % a + a - cursor % a) % a;
            let off = cursor + pad;
            segment_offsets.push(to_u32(off, "segment offset")?);
            cursor = off + seg.data.len() as u64;
        }

        let mut own_offsets = vec![None; self.sections.len()];
        for (i, s) in self.sections.iter().enumerate() {
            let len = match &s.data {
                SectionData::Own(b) => b.len(),
                SectionData::ShStrTab => strtab.len(),
                _ => continue,
            };
            let off = align_up(cursor, 4);
            own_offsets[i] = Some(to_u32(off, "section offset")?);
            cursor = off + len as u64;
        }

        let shoff = align_up(cursor, 4);
        let end = shoff + u64::from(shnum) * sh_stride;
        let len = to_u32(end, "image")?;
        let shoff = shoff as u32;

        let seg_off = |segment: usize| -> Result<u32, SerializeError> {
            segment_offsets.get(segment).copied().ok_or_else(|| {
                SerializeError(format!("section refers to missing segment {segment}"))
            })
        };
        let mut section_offsets = Vec::with_capacity(self.sections.len());
        let mut section_sizes = Vec::with_capacity(self.sections.len());
        for (i, s) in self.sections.iter().enumerate() {
            let (off, size) = match &s.data {
                SectionData::Null => (0, 0),
                SectionData::InSegment {
                    segment,
                    offset,
                    size,
                }
                | SectionData::NoBits {
                    segment,
                    offset,
                    size,
                } => (
                    to_u32(
                        u64::from(seg_off(*segment)?) + u64::from(*offset),
                        "section offset",
                    )?,
                    *size,
                ),
                SectionData::Own(b) => (own_offsets[i].unwrap_or(0), b.len() as u32),
                SectionData::ShStrTab => (own_offsets[i].unwrap_or(0), strtab.len() as u32),
            };
            section_offsets.push(off);
            section_sizes.push(size);
        }
        let shstrndx = self.header.e_shstrndx.unwrap_or_else(|| {
            self.sections
                .iter()
                .position(|s| s.data == SectionData::ShStrTab)
                .map_or(0, |i| i as u16)
        });

        let mut buf = vec![0u8; len as usize];
        let h = &self.header;
        {
            use ehdr_field as f;
            buf[f::IDENT..f::IDENT + EI_NIDENT].copy_from_slice(&h.ident);
            put16(&mut buf, f::TYPE, h.e_type);
            put16(&mut buf, f::MACHINE, h.e_machine);
            put32(&mut buf, f::VERSION, h.e_version);
            put32(&mut buf, f::ENTRY, h.e_entry);
            put32(&mut buf, f::PHOFF, h.e_phoff.unwrap_or(phoff as u32));
            put32(&mut buf, f::SHOFF, h.e_shoff.unwrap_or(shoff));
            put32(&mut buf, f::FLAGS, h.e_flags);
            put16(&mut buf, f::EHSIZE, h.e_ehsize);
            put16(&mut buf, f::PHENTSIZE, h.e_phentsize);
            put16(&mut buf, f::PHNUM, h.e_phnum.unwrap_or(phnum));
            put16(&mut buf, f::SHENTSIZE, h.e_shentsize);
            put16(&mut buf, f::SHNUM, h.e_shnum.unwrap_or(shnum));
            put16(&mut buf, f::SHSTRNDX, shstrndx);
        }

        for (i, seg) in self.segments.iter().enumerate() {
            use phdr_field as f;
            let p = (phoff + i as u64 * ph_stride) as usize;
            let off = segment_offsets[i];
            put32(&mut buf, p + f::TYPE, seg.p_type);
            put32(&mut buf, p + f::OFFSET, seg.p_offset.unwrap_or(off));
            put32(&mut buf, p + f::VADDR, seg.p_vaddr);
            put32(&mut buf, p + f::PADDR, seg.p_paddr);
            put32(
                &mut buf,
                p + f::FILESZ,
                seg.p_filesz.unwrap_or(seg.data.len() as u32),
            );
            put32(&mut buf, p + f::MEMSZ, seg.p_memsz);
            put32(&mut buf, p + f::FLAGS, seg.p_flags);
            put32(&mut buf, p + f::ALIGN, seg.p_align);
            let off = off as usize;
            buf[off..off + seg.data.len()].copy_from_slice(&seg.data);
        }

        for (i, s) in self.sections.iter().enumerate() {
            if let Some(off) = own_offsets[i] {
                let bytes = match &s.data {
                    SectionData::Own(b) => b.as_slice(),
                    _ => strtab.as_slice(),
                };
                let off = off as usize;
                buf[off..off + bytes.len()].copy_from_slice(bytes);
            }
            use shdr_field as f;
            let p = (u64::from(shoff) + i as u64 * sh_stride) as usize;
            put32(&mut buf, p + f::NAME, s.sh_name.unwrap_or(names[i]));
            put32(&mut buf, p + f::TYPE, s.sh_type);
            put32(&mut buf, p + f::FLAGS, s.sh_flags);
            put32(&mut buf, p + f::ADDR, s.sh_addr);
            put32(
                &mut buf,
                p + f::OFFSET,
                s.sh_offset.unwrap_or(section_offsets[i]),
            );
            put32(&mut buf, p + f::SIZE, s.sh_size.unwrap_or(section_sizes[i]));
            put32(&mut buf, p + f::LINK, s.sh_link);
            put32(&mut buf, p + f::INFO, s.sh_info);
            put32(&mut buf, p + f::ADDRALIGN, s.sh_addralign);
            put32(&mut buf, p + f::ENTSIZE, s.sh_entsize);
        }

        Ok((
            buf,
            Layout {
                phoff: phoff as u32,
                shoff,
                segment_offsets,
                section_offsets,
                section_names: names,
                section_sizes,
                shstrndx,
                len,
            },
        ))
    }
}
