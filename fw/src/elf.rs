// SPDX-License-Identifier: GPL-2.0

//! Zero-copy, allocation-free views over an ELF32 little-endian ARM
//! executable, as produced for the Cortex-M7.
//!
//! The image is untrusted: every offset, size and count read from it is
//! checked against the image length with overflow-checked arithmetic, and
//! no operation here can panic on any input.
//!
//! Values read from the image are `u32`; they are converted to `usize`
//! with `usize::try_from`, which cannot fail on the 32- and 64-bit targets
//! this code runs on, and which is treated as "beyond the end of the image"
//! if it ever did.
//!
//! This file is compiled both as part of the host crate `imx_rproc_fw` and,
//! through `#[path]`, inside the kernel module: it must only use `core` and
//! refer to its siblings through `super::`.

use super::error::Error;

/// Size of the ELF32 file header.
pub const EHDR_SIZE: usize = 52;
/// Size of an ELF32 program header.
pub const PHDR_SIZE: usize = 32;
/// Size of an ELF32 section header.
pub const SHDR_SIZE: usize = 40;

/// The ELF magic number, `e_ident[0..4]`.
pub const ELFMAG: [u8; 4] = [0x7f, b'E', b'L', b'F'];
/// `e_ident[EI_CLASS]` value for 32-bit objects.
pub const ELFCLASS32: u8 = 1;
/// `e_ident[EI_DATA]` value for little-endian objects.
pub const ELFDATA2LSB: u8 = 1;
/// `e_ident[EI_VERSION]` and `e_version` value of the current ELF version.
pub const EV_CURRENT: u8 = 1;
/// `e_type` of an executable file.
pub const ET_EXEC: u16 = 2;
/// `e_machine` of 32-bit ARM.
pub const EM_ARM: u16 = 40;
/// `e_phnum` value announcing extended numbering (not supported).
pub const PN_XNUM: u16 = 0xffff;

/// Program header type of a loadable segment.
pub const PT_LOAD: u32 = 1;
/// Segment flag: executable.
pub const PF_X: u32 = 1;
/// Segment flag: writable.
pub const PF_W: u32 = 2;
/// Segment flag: readable.
pub const PF_R: u32 = 4;

/// Section header type of an unused entry (such as entry 0).
pub const SHT_NULL: u32 = 0;
/// Section header type of a section with contents in the file.
pub const SHT_PROGBITS: u32 = 1;
/// Section header type of a string table.
pub const SHT_STRTAB: u32 = 3;
/// Section header type of a section occupying no file space (`.bss`).
pub const SHT_NOBITS: u32 = 8;
/// `e_shstrndx` value meaning "no section name string table".
pub const SHN_UNDEF: u16 = 0;
/// Section flag: writable.
pub const SHF_WRITE: u32 = 1;
/// Section flag: occupies memory at run time.
pub const SHF_ALLOC: u32 = 2;
/// Section flag: executable.
pub const SHF_EXECINSTR: u32 = 4;

/// Size of `e_ident`.
pub const EI_NIDENT: usize = 16;
/// Index of the class byte in `e_ident`.
pub const EI_CLASS: usize = 4;
/// Index of the data-encoding byte in `e_ident`.
pub const EI_DATA: usize = 5;
/// Index of the version byte in `e_ident`.
pub const EI_VERSION: usize = 6;

/// Field offsets of the ELF32 file header (`Elf32_Ehdr`, the kernel's
/// `include/uapi/linux/elf.h` `elf32_hdr`).
pub mod ehdr_field {
    /// `e_ident[EI_NIDENT]`.
    pub const IDENT: usize = 0;
    /// `e_type` (16 bits).
    pub const TYPE: usize = 16;
    /// `e_machine` (16 bits).
    pub const MACHINE: usize = 18;
    /// `e_version`.
    pub const VERSION: usize = 20;
    /// `e_entry`.
    pub const ENTRY: usize = 24;
    /// `e_phoff`.
    pub const PHOFF: usize = 28;
    /// `e_shoff`.
    pub const SHOFF: usize = 32;
    /// `e_flags`.
    pub const FLAGS: usize = 36;
    /// `e_ehsize` (16 bits).
    pub const EHSIZE: usize = 40;
    /// `e_phentsize` (16 bits).
    pub const PHENTSIZE: usize = 42;
    /// `e_phnum` (16 bits).
    pub const PHNUM: usize = 44;
    /// `e_shentsize` (16 bits).
    pub const SHENTSIZE: usize = 46;
    /// `e_shnum` (16 bits).
    pub const SHNUM: usize = 48;
    /// `e_shstrndx` (16 bits).
    pub const SHSTRNDX: usize = 50;
}

/// Field offsets of an ELF32 program header (`Elf32_Phdr`, `elf32_phdr`).
pub mod phdr_field {
    /// `p_type`.
    pub const TYPE: usize = 0;
    /// `p_offset`.
    pub const OFFSET: usize = 4;
    /// `p_vaddr`.
    pub const VADDR: usize = 8;
    /// `p_paddr`.
    pub const PADDR: usize = 12;
    /// `p_filesz`.
    pub const FILESZ: usize = 16;
    /// `p_memsz`.
    pub const MEMSZ: usize = 20;
    /// `p_flags`.
    pub const FLAGS: usize = 24;
    /// `p_align`.
    pub const ALIGN: usize = 28;
}

/// Field offsets of an ELF32 section header (`Elf32_Shdr`, `elf32_shdr`).
pub mod shdr_field {
    /// `sh_name`.
    pub const NAME: usize = 0;
    /// `sh_type`.
    pub const TYPE: usize = 4;
    /// `sh_flags`.
    pub const FLAGS: usize = 8;
    /// `sh_addr`.
    pub const ADDR: usize = 12;
    /// `sh_offset`.
    pub const OFFSET: usize = 16;
    /// `sh_size`.
    pub const SIZE: usize = 20;
    /// `sh_link`.
    pub const LINK: usize = 24;
    /// `sh_info`.
    pub const INFO: usize = 28;
    /// `sh_addralign`.
    pub const ADDRALIGN: usize = 32;
    /// `sh_entsize`.
    pub const ENTSIZE: usize = 36;
}

/// End of the 32-bit address space: the highest allowed end (exclusive) of
/// a segment.
const ADDR_SPACE_END: u64 = 1 << 32;

/// Reads a little-endian `u16` at `off`, or `None` if out of bounds.
fn rd16(b: &[u8], off: usize) -> Option<u16> {
    b.get(off..)?
        .first_chunk::<2>()
        .map(|a| u16::from_le_bytes(*a))
}

/// Reads a little-endian `u32` at `off`, or `None` if out of bounds.
fn rd32(b: &[u8], off: usize) -> Option<u32> {
    b.get(off..)?
        .first_chunk::<4>()
        .map(|a| u32::from_le_bytes(*a))
}

/// Converts a `u32` read from the image to `usize` (lossless on 32- and
/// 64-bit targets).
fn to_usize(v: u32) -> Option<usize> {
    usize::try_from(v).ok()
}

/// Returns `data[off..off + len]`, or `None` if it is not entirely inside
/// `data` or if `off + len` overflows.
fn file_range(data: &[u8], off: u32, len: u32) -> Option<&[u8]> {
    let start = to_usize(off)?;
    let end = start.checked_add(to_usize(len)?)?;
    data.get(start..end)
}

/// The raw fields of the ELF32 file header.
struct Ehdr {
    ident: [u8; EI_NIDENT],
    e_type: u16,
    e_machine: u16,
    e_version: u32,
    e_entry: u32,
    e_phoff: u32,
    e_shoff: u32,
    e_flags: u32,
    e_ehsize: u16,
    e_phentsize: u16,
    e_phnum: u16,
    e_shentsize: u16,
    e_shnum: u16,
    e_shstrndx: u16,
}

impl Ehdr {
    /// Decodes the file header, or `None` if `b` is too short.
    fn decode(b: &[u8]) -> Option<Self> {
        use ehdr_field as f;
        Some(Ehdr {
            ident: *b.get(f::IDENT..)?.first_chunk::<EI_NIDENT>()?,
            e_type: rd16(b, f::TYPE)?,
            e_machine: rd16(b, f::MACHINE)?,
            e_version: rd32(b, f::VERSION)?,
            e_entry: rd32(b, f::ENTRY)?,
            e_phoff: rd32(b, f::PHOFF)?,
            e_shoff: rd32(b, f::SHOFF)?,
            e_flags: rd32(b, f::FLAGS)?,
            e_ehsize: rd16(b, f::EHSIZE)?,
            e_phentsize: rd16(b, f::PHENTSIZE)?,
            e_phnum: rd16(b, f::PHNUM)?,
            e_shentsize: rd16(b, f::SHENTSIZE)?,
            e_shnum: rd16(b, f::SHNUM)?,
            e_shstrndx: rd16(b, f::SHSTRNDX)?,
        })
    }
}

/// Validates a table of `num` entries of `entsize` bytes at `off`, returning
/// its bytes.
///
/// Errors are reported with the given variants so that the same checks
/// serve the program-header and section-header tables.
fn table(data: &[u8], off: u32, num: u16, entsize: u16, errs: [Error; 3]) -> Result<&[u8], Error> {
    let [off_out_of_file, overflow, out_of_file] = errs;
    let start = to_usize(off).ok_or(off_out_of_file)?;
    if start > data.len() {
        return Err(off_out_of_file);
    }
    let size = u32::from(num)
        .checked_mul(u32::from(entsize))
        .ok_or(overflow)?;
    let end = off.checked_add(size).ok_or(overflow)?;
    let end = to_usize(end).ok_or(out_of_file)?;
    data.get(start..end).ok_or(out_of_file)
}

/// One ELF32 program header, as read from the image (not yet validated).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProgramHeader {
    /// Segment type (`PT_LOAD`, ...).
    pub p_type: u32,
    /// Offset of the segment's bytes in the image.
    pub p_offset: u32,
    /// Virtual address.
    pub p_vaddr: u32,
    /// Physical address: the device address the segment is loaded at.
    pub p_paddr: u32,
    /// Number of bytes of the segment in the image.
    pub p_filesz: u32,
    /// Number of bytes of the segment in memory.
    pub p_memsz: u32,
    /// Segment flags (`PF_X`, `PF_W`, `PF_R`).
    pub p_flags: u32,
    /// Alignment.
    pub p_align: u32,
}

impl ProgramHeader {
    /// Decodes a program header, or `None` if `b` is too short.
    fn decode(b: &[u8]) -> Option<Self> {
        use phdr_field as f;
        Some(ProgramHeader {
            p_type: rd32(b, f::TYPE)?,
            p_offset: rd32(b, f::OFFSET)?,
            p_vaddr: rd32(b, f::VADDR)?,
            p_paddr: rd32(b, f::PADDR)?,
            p_filesz: rd32(b, f::FILESZ)?,
            p_memsz: rd32(b, f::MEMSZ)?,
            p_flags: rd32(b, f::FLAGS)?,
            p_align: rd32(b, f::ALIGN)?,
        })
    }
}

/// A validated, non-empty `PT_LOAD` segment.
///
/// Guarantees (when produced by [`Elf32::load_segments`]):
/// `filesz <= memsz`, `memsz > 0`, `paddr + memsz <= 2^32`, and
/// `data.len() == filesz` with `data` inside the image.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoadSegment<'a> {
    /// Index of the program header describing this segment.
    pub index: usize,
    /// Device address the segment is loaded at (`p_paddr`).
    pub paddr: u32,
    /// Size of the segment in memory (`p_memsz`).
    pub memsz: u32,
    /// Size of the segment in the image (`p_filesz`).
    pub filesz: u32,
    /// The segment's bytes in the image (`filesz` bytes); the remaining
    /// `memsz - filesz` bytes are to be zero-filled.
    pub data: &'a [u8],
}

/// A section found by [`Elf32::find_section`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Section<'a> {
    /// Index of the section header.
    pub index: usize,
    /// Section type (`sh_type`).
    pub sh_type: u32,
    /// Address of the section in the device's memory (`sh_addr`).
    pub addr: u32,
    /// Offset of the section's bytes in the image (`sh_offset`).
    pub offset: u32,
    /// Size of the section (`sh_size`).
    pub size: u32,
    /// The section's bytes in the image (`size` bytes), or empty for an
    /// `SHT_NOBITS` section.
    pub data: &'a [u8],
}

/// The raw fields of an ELF32 section header that the parser uses.
struct Shdr {
    sh_name: u32,
    sh_type: u32,
    sh_addr: u32,
    sh_offset: u32,
    sh_size: u32,
}

impl Shdr {
    /// Decodes a section header, or `None` if `b` is too short.
    fn decode(b: &[u8]) -> Option<Self> {
        use shdr_field as f;
        Some(Shdr {
            sh_name: rd32(b, f::NAME)?,
            sh_type: rd32(b, f::TYPE)?,
            sh_addr: rd32(b, f::ADDR)?,
            sh_offset: rd32(b, f::OFFSET)?,
            sh_size: rd32(b, f::SIZE)?,
        })
    }
}

/// A parsed ELF32 little-endian ARM executable borrowing the image bytes.
///
/// [`Elf32::parse`] validates the file header and the location of the
/// program-header table; segments and sections are validated when they are
/// accessed ([`Elf32::load_segments`], [`Elf32::validate_segments`],
/// [`Elf32::find_section`]).
#[derive(Debug, Clone, Copy)]
pub struct Elf32<'a> {
    data: &'a [u8],
    entry: u32,
    flags: u32,
    /// The program-header table: exactly `phnum * phentsize` bytes.
    phdrs: &'a [u8],
    /// At least `PHDR_SIZE`.
    phentsize: usize,
    phnum: u16,
    shoff: u32,
    shentsize: u16,
    shnum: u16,
    shstrndx: u16,
}

impl<'a> Elf32<'a> {
    /// Parses and validates the ELF32 file header of `data`.
    ///
    /// Checks the magic, `ELFCLASS32`, `ELFDATA2LSB`, `EI_VERSION` and
    /// `e_version` equal to 1, `ET_EXEC`, `EM_ARM`, `e_ehsize >= 52`,
    /// `e_phentsize >= 32`, `e_phnum` neither 0 nor `PN_XNUM`, and that the
    /// program-header table lies entirely inside `data`.
    ///
    /// # Examples
    ///
    /// An image with 8 bytes of code loaded at the start of the M7's TCM,
    /// 16 bytes in memory: the last 8 are `.bss`, zero-filled on load.
    ///
    /// ```
    /// use imx_rproc_fw::elf::{load_into, Elf32};
    /// use imx_rproc_fw::error::Error;
    /// # // A minimal ELF32 ARM executable, written with the crate's writer
    /// # // (feature `builder`): one PT_LOAD segment holding `code` at device
    /// # // address `paddr`, `memsz` bytes in memory, at the end of the file.
    /// # fn image(entry: u32, paddr: u32, code: &[u8], memsz: u32) -> Vec<u8> {
    /// #     use imx_rproc_fw::elfw::{Header, Image, Segment};
    /// #     let segment = Segment::load(paddr, imx_rproc_fw::elf::PF_R, code.to_vec(), memsz, 4);
    /// #     let img = Image { header: Header::arm_exec(entry), segments: vec![segment], sections: vec![] };
    /// #     img.serialize().unwrap().0
    /// # }
    /// let img = image(0x1, 0x0, &[0xaa; 8], 16);
    /// let elf = Elf32::parse(&img)?;
    /// assert_eq!((elf.entry(), elf.phnum()), (0x1, 1));
    /// elf.validate_segments()?;
    ///
    /// let seg = elf.load_segments().next().unwrap()?;
    /// assert_eq!((seg.paddr, seg.filesz, seg.memsz), (0, 8, 16));
    /// let mut tcm = [0x55u8; 16];
    /// load_into(&seg, &mut tcm)?;
    /// assert_eq!(tcm, [0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0, 0, 0, 0, 0, 0, 0, 0]);
    /// // The destination must be exactly `memsz` bytes.
    /// assert_eq!(load_into(&seg, &mut [0u8; 8]), Err(Error::DestinationSizeMismatch { index: 0 }));
    ///
    /// // A truncated header, another machine, a segment past the end of
    /// // the file: each is refused with its own error.
    /// assert_eq!(Elf32::parse(&img[..40]).unwrap_err(), Error::TooShort);
    /// let mut x86 = img.clone();
    /// x86[18] = 3; // EM_386
    /// assert_eq!(Elf32::parse(&x86).unwrap_err(), Error::BadMachine);
    /// let short = &img[..img.len() - 1];
    /// assert_eq!(
    ///     Elf32::parse(short)?.validate_segments(),
    ///     Err(Error::SegmentOutOfFile { index: 0 })
    /// );
    /// # Ok::<(), Error>(())
    /// ```
    pub fn parse(data: &'a [u8]) -> Result<Self, Error> {
        let h = data
            .get(..EHDR_SIZE)
            .and_then(Ehdr::decode)
            .ok_or(Error::TooShort)?;
        if h.ident.first_chunk::<4>() != Some(&ELFMAG) {
            return Err(Error::BadMagic);
        }
        if h.ident.get(EI_CLASS) != Some(&ELFCLASS32) {
            return Err(Error::BadClass);
        }
        if h.ident.get(EI_DATA) != Some(&ELFDATA2LSB) {
            return Err(Error::BadData);
        }
        if h.ident.get(EI_VERSION) != Some(&EV_CURRENT) || h.e_version != u32::from(EV_CURRENT) {
            return Err(Error::BadVersion);
        }
        if h.e_type != ET_EXEC {
            return Err(Error::BadType);
        }
        if h.e_machine != EM_ARM {
            return Err(Error::BadMachine);
        }
        if usize::from(h.e_ehsize) < EHDR_SIZE {
            return Err(Error::BadEhSize);
        }
        if usize::from(h.e_phentsize) < PHDR_SIZE {
            return Err(Error::PhEntSizeTooSmall);
        }
        if h.e_phnum == 0 {
            return Err(Error::NoSegments);
        }
        if h.e_phnum == PN_XNUM {
            return Err(Error::TooManySegments);
        }
        let phdrs = table(
            data,
            h.e_phoff,
            h.e_phnum,
            h.e_phentsize,
            [
                Error::PhOffOutOfFile,
                Error::PhTableOverflow,
                Error::PhTableOutOfFile,
            ],
        )?;
        Ok(Elf32 {
            data,
            entry: h.e_entry,
            flags: h.e_flags,
            phdrs,
            phentsize: usize::from(h.e_phentsize),
            phnum: h.e_phnum,
            shoff: h.e_shoff,
            shentsize: h.e_shentsize,
            shnum: h.e_shnum,
            shstrndx: h.e_shstrndx,
        })
    }

    /// Returns the whole image.
    pub fn data(&self) -> &'a [u8] {
        self.data
    }

    /// Returns the entry point (`e_entry`).
    pub fn entry(&self) -> u32 {
        self.entry
    }

    /// Returns the processor-specific flags (`e_flags`).
    pub fn flags(&self) -> u32 {
        self.flags
    }

    /// Returns the number of program headers (`e_phnum`, never 0).
    pub fn phnum(&self) -> u16 {
        self.phnum
    }

    /// Returns the number of section headers (`e_shnum`, not validated).
    pub fn shnum(&self) -> u16 {
        self.shnum
    }

    /// Returns program header `index` (not validated beyond being inside
    /// the program-header table).
    pub fn program_header(&self, index: usize) -> Result<ProgramHeader, Error> {
        if index >= usize::from(self.phnum) {
            return Err(Error::SegmentIndexOutOfRange { index });
        }
        index
            .checked_mul(self.phentsize)
            .and_then(|off| self.phdrs.get(off..))
            .and_then(ProgramHeader::decode)
            .ok_or(Error::PhTableOutOfFile)
    }

    /// Returns an iterator over all program headers, in table order.
    ///
    /// The items are `Result`s for uniformity; with a table validated by
    /// [`Elf32::parse`] they are always `Ok`.
    pub fn segments(&self) -> impl Iterator<Item = Result<ProgramHeader, Error>> + 'a {
        let elf = *self;
        (0..usize::from(elf.phnum)).map(move |i| elf.program_header(i))
    }

    /// Validates program header `index` as a loadable segment.
    ///
    /// Returns `Ok(None)` for a header that is not `PT_LOAD` or that has
    /// both `p_filesz` and `p_memsz` zero. Otherwise checks, in this order,
    /// `p_filesz <= p_memsz`, `p_paddr + p_memsz <= 2^32`, and that the
    /// `p_filesz` bytes at `p_offset` are inside the image (the offset is
    /// not checked when `p_filesz` is 0, as no byte is read).
    pub fn load_segment(&self, index: usize) -> Result<Option<LoadSegment<'a>>, Error> {
        let ph = self.program_header(index)?;
        if ph.p_type != PT_LOAD || (ph.p_filesz == 0 && ph.p_memsz == 0) {
            return Ok(None);
        }
        if ph.p_filesz > ph.p_memsz {
            return Err(Error::FileSizeExceedsMemSize { index });
        }
        let end = u64::from(ph.p_paddr).checked_add(u64::from(ph.p_memsz));
        if !matches!(end, Some(end) if end <= ADDR_SPACE_END) {
            return Err(Error::SegmentAddressWraps { index });
        }
        let data = if ph.p_filesz == 0 {
            &[]
        } else {
            file_range(self.data, ph.p_offset, ph.p_filesz)
                .ok_or(Error::SegmentOutOfFile { index })?
        };
        Ok(Some(LoadSegment {
            index,
            paddr: ph.p_paddr,
            memsz: ph.p_memsz,
            filesz: ph.p_filesz,
            data,
        }))
    }

    /// Returns an iterator over the validated non-empty `PT_LOAD` segments
    /// (see [`Elf32::load_segment`]), in table order.
    ///
    /// An invalid `PT_LOAD` header yields an `Err`; callers normally stop
    /// at the first error.
    pub fn load_segments(&self) -> impl Iterator<Item = Result<LoadSegment<'a>, Error>> + 'a {
        let elf = *self;
        (0..usize::from(elf.phnum)).filter_map(move |i| elf.load_segment(i).transpose())
    }

    /// Validates every program header: each `PT_LOAD` segment must pass
    /// [`Elf32::load_segment`], and there must be at least one non-empty
    /// `PT_LOAD` segment ([`Error::NoLoadSegments`] otherwise).
    ///
    /// Other program-header types are not interpreted and not checked.
    pub fn validate_segments(&self) -> Result<(), Error> {
        let mut found = false;
        for seg in self.load_segments() {
            seg?;
            found = true;
        }
        if found {
            Ok(())
        } else {
            Err(Error::NoLoadSegments)
        }
    }

    /// Finds the first section named `name` (without the trailing NUL, e.g.
    /// `b".resource_table"`).
    ///
    /// Returns `Ok(None)` if there is no such section, if the image has no
    /// section headers (`e_shnum == 0`), or if it has no section-name
    /// string table (`e_shstrndx == SHN_UNDEF`).
    ///
    /// Checks `e_shentsize >= 40`, that the section-header table lies inside
    /// the image, `e_shstrndx < e_shnum`, that the string table is an
    /// `SHT_STRTAB` inside the image, and, for every section header up to
    /// the match (skipping `SHT_NULL` entries), that its name starts inside
    /// the string table and is NUL-terminated there. The matching
    /// section's contents must lie inside the image unless it is
    /// `SHT_NOBITS`.
    pub fn find_section(&self, name: &[u8]) -> Result<Option<Section<'a>>, Error> {
        if self.shnum == 0 {
            return Ok(None);
        }
        if usize::from(self.shentsize) < SHDR_SIZE {
            return Err(Error::ShEntSizeTooSmall);
        }
        let shdrs = table(
            self.data,
            self.shoff,
            self.shnum,
            self.shentsize,
            [
                Error::ShOffOutOfFile,
                Error::ShTableOverflow,
                Error::ShTableOutOfFile,
            ],
        )?;
        if self.shstrndx == SHN_UNDEF {
            return Ok(None);
        }
        if self.shstrndx >= self.shnum {
            return Err(Error::BadShStrNdx);
        }
        let entsize = usize::from(self.shentsize);
        let strtab_hdr = usize::from(self.shstrndx)
            .checked_mul(entsize)
            .and_then(|off| shdrs.get(off..))
            .and_then(Shdr::decode)
            .ok_or(Error::BadShStrNdx)?;
        if strtab_hdr.sh_type != SHT_STRTAB {
            return Err(Error::ShStrTabBadType);
        }
        let strtab = file_range(self.data, strtab_hdr.sh_offset, strtab_hdr.sh_size)
            .ok_or(Error::ShStrTabOutOfFile)?;

        for (index, entry) in shdrs.chunks_exact(entsize).enumerate() {
            let sh = Shdr::decode(entry).ok_or(Error::ShTableOutOfFile)?;
            if sh.sh_type == SHT_NULL {
                continue;
            }
            let rest = to_usize(sh.sh_name)
                .and_then(|off| strtab.get(off..))
                .filter(|rest| !rest.is_empty())
                .ok_or(Error::SectionNameOutOfTable { index })?;
            let sec_name = rest
                .iter()
                .position(|&b| b == 0)
                .and_then(|nul| rest.get(..nul))
                .ok_or(Error::SectionNameUnterminated { index })?;
            if sec_name != name {
                continue;
            }
            let data = if sh.sh_type == SHT_NOBITS {
                &[]
            } else {
                file_range(self.data, sh.sh_offset, sh.sh_size)
                    .ok_or(Error::SectionOutOfFile { index })?
            };
            return Ok(Some(Section {
                index,
                sh_type: sh.sh_type,
                addr: sh.sh_addr,
                offset: sh.sh_offset,
                size: sh.sh_size,
                data,
            }));
        }
        Ok(None)
    }
}

/// Copies `seg` into `dst` and zero-fills the rest.
///
/// `dst` must be exactly `seg.memsz` bytes long
/// ([`Error::DestinationSizeMismatch`] otherwise); the first
/// `seg.data.len()` bytes receive the segment's file bytes and the
/// remaining bytes (`.bss`) are set to zero.
pub fn load_into(seg: &LoadSegment<'_>, dst: &mut [u8]) -> Result<(), Error> {
    let index = seg.index;
    if to_usize(seg.memsz) != Some(dst.len()) {
        return Err(Error::DestinationSizeMismatch { index });
    }
    let (head, tail) = dst
        .split_at_mut_checked(seg.data.len())
        .ok_or(Error::FileSizeExceedsMemSize { index })?;
    head.copy_from_slice(seg.data);
    tail.fill(0);
    Ok(())
}
