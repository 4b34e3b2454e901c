// SPDX-License-Identifier: GPL-2.0

//! Errors reported by the firmware-format parsers.
//!
//! Every defect that [`super::elf`] or [`super::att`] can detect has its own
//! variant, so the driver can name the exact problem in its log message
//! ([`Error::describe`]) and return a conventional Linux error code
//! ([`Error::errno`]).
//!
//! This file is compiled both as part of the host crate `imx_rproc_fw` and,
//! through `#[path]`, inside the kernel module: it must only use `core`.

/// `ENOENT`: no such entry (used, like the C driver, for a failed address
/// translation).
const ENOENT: i32 = 2;
/// `EINVAL`: invalid argument (used, like the C remoteproc ELF loader, for
/// every malformed image).
const EINVAL: i32 = 22;
/// `ERANGE`: result out of range (used for address ranges that wrap around).
const ERANGE: i32 = 34;

/// A defect found while parsing a firmware image or translating an address.
///
/// `index` fields are program-header indices (for segments) or
/// section-header indices (for sections), counted from zero.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Error {
    /// The image is shorter than an ELF32 file header (52 bytes).
    TooShort,
    /// The image does not start with the ELF magic `0x7f 'E' 'L' 'F'`.
    BadMagic,
    /// `EI_CLASS` is not `ELFCLASS32`.
    BadClass,
    /// `EI_DATA` is not `ELFDATA2LSB` (little endian).
    BadData,
    /// `EI_VERSION` or `e_version` is not `EV_CURRENT` (1).
    BadVersion,
    /// `e_type` is not `ET_EXEC`.
    BadType,
    /// `e_machine` is not `EM_ARM`.
    BadMachine,
    /// `e_ehsize` is smaller than the ELF32 file header (52 bytes).
    BadEhSize,
    /// `e_phentsize` is smaller than an ELF32 program header (32 bytes).
    PhEntSizeTooSmall,
    /// `e_phnum` is zero: the image has no program headers.
    NoSegments,
    /// `e_phnum` is `PN_XNUM` (extended numbering, not supported).
    TooManySegments,
    /// `e_phoff` points beyond the end of the image.
    PhOffOutOfFile,
    /// `e_phoff + e_phnum * e_phentsize` overflows 32 bits.
    PhTableOverflow,
    /// The program-header table extends beyond the end of the image.
    PhTableOutOfFile,
    /// A program header was requested with an index not below `e_phnum`.
    SegmentIndexOutOfRange {
        /// The requested program-header index.
        index: usize,
    },
    /// A `PT_LOAD` segment's file bytes (`p_offset + p_filesz`) extend beyond
    /// the end of the image or wrap around.
    SegmentOutOfFile {
        /// Program-header index of the segment.
        index: usize,
    },
    /// A `PT_LOAD` segment has `p_filesz > p_memsz`.
    FileSizeExceedsMemSize {
        /// Program-header index of the segment.
        index: usize,
    },
    /// A `PT_LOAD` segment's `p_paddr + p_memsz` goes past the 32-bit
    /// address space.
    SegmentAddressWraps {
        /// Program-header index of the segment.
        index: usize,
    },
    /// The image has program headers but no non-empty `PT_LOAD` segment.
    NoLoadSegments,
    /// A `PT_LOAD` segment is not entirely covered by one address
    /// translation table entry.
    SegmentNotMapped {
        /// Program-header index of the segment.
        index: usize,
        /// Device address (`p_paddr`) of the segment.
        da: u32,
        /// Length in memory (`p_memsz`) of the segment.
        len: u32,
    },
    /// The destination buffer given to [`super::elf::load_into`] is not
    /// exactly `p_memsz` bytes long.
    DestinationSizeMismatch {
        /// Program-header index of the segment.
        index: usize,
    },
    /// `e_shentsize` is smaller than an ELF32 section header (40 bytes).
    ShEntSizeTooSmall,
    /// `e_shoff` points beyond the end of the image.
    ShOffOutOfFile,
    /// `e_shoff + e_shnum * e_shentsize` overflows 32 bits.
    ShTableOverflow,
    /// The section-header table extends beyond the end of the image.
    ShTableOutOfFile,
    /// `e_shstrndx` is not below `e_shnum`.
    BadShStrNdx,
    /// The section `e_shstrndx` points to is not of type `SHT_STRTAB`.
    ShStrTabBadType,
    /// The section-name string table extends beyond the end of the image.
    ShStrTabOutOfFile,
    /// A section's `sh_name` is not inside the section-name string table.
    SectionNameOutOfTable {
        /// Section-header index of the section.
        index: usize,
    },
    /// A section's name has no terminating NUL inside the string table.
    SectionNameUnterminated {
        /// Section-header index of the section.
        index: usize,
    },
    /// A section's contents (`sh_offset + sh_size`) extend beyond the end of
    /// the image or wrap around.
    SectionOutOfFile {
        /// Section-header index of the section.
        index: usize,
    },
    /// An address translation was requested for zero bytes.
    ZeroLength,
    /// An address range (`da + len`) wraps around the 64-bit address space.
    AddressRangeWraps,
    /// No address translation table entry covers the whole range.
    AddressNotMapped,
}

impl Error {
    /// Returns the negative Linux error number for this error.
    ///
    /// The mapping follows the C driver where it has an equivalent:
    ///
    /// - every malformed image (header, program header, section header,
    ///   segment placement, destination size, zero length) is `-EINVAL`,
    ///   as returned by the C `rproc_elf_sanity_check()` and
    ///   `rproc_elf_load_segments()` (the latter also for a segment that
    ///   cannot be translated, hence [`Error::SegmentNotMapped`] is
    ///   `-EINVAL` too);
    /// - [`Error::AddressNotMapped`] is `-ENOENT`, as returned by the C
    ///   `imx_rproc_da_to_sys()`;
    /// - address ranges that wrap around the address space
    ///   ([`Error::SegmentAddressWraps`], [`Error::AddressRangeWraps`]),
    ///   which the C code does not detect, are `-ERANGE`.
    pub fn errno(&self) -> i32 {
        match self {
            Error::AddressNotMapped => -ENOENT,
            Error::SegmentAddressWraps { .. } | Error::AddressRangeWraps => -ERANGE,
            Error::TooShort
            | Error::BadMagic
            | Error::BadClass
            | Error::BadData
            | Error::BadVersion
            | Error::BadType
            | Error::BadMachine
            | Error::BadEhSize
            | Error::PhEntSizeTooSmall
            | Error::NoSegments
            | Error::TooManySegments
            | Error::PhOffOutOfFile
            | Error::PhTableOverflow
            | Error::PhTableOutOfFile
            | Error::SegmentIndexOutOfRange { .. }
            | Error::SegmentOutOfFile { .. }
            | Error::FileSizeExceedsMemSize { .. }
            | Error::NoLoadSegments
            | Error::SegmentNotMapped { .. }
            | Error::DestinationSizeMismatch { .. }
            | Error::ShEntSizeTooSmall
            | Error::ShOffOutOfFile
            | Error::ShTableOverflow
            | Error::ShTableOutOfFile
            | Error::BadShStrNdx
            | Error::ShStrTabBadType
            | Error::ShStrTabOutOfFile
            | Error::SectionNameOutOfTable { .. }
            | Error::SectionNameUnterminated { .. }
            | Error::SectionOutOfFile { .. }
            | Error::ZeroLength => -EINVAL,
        }
    }

    /// Returns a short human-readable phrase naming the defect, suitable
    /// for a log message (the variant's fields are not included).
    pub fn describe(&self) -> &'static str {
        match self {
            Error::TooShort => "image shorter than the ELF32 header",
            Error::BadMagic => "bad ELF magic",
            Error::BadClass => "not an ELF32 image",
            Error::BadData => "not a little-endian ELF image",
            Error::BadVersion => "unsupported ELF version",
            Error::BadType => "not an executable ELF image",
            Error::BadMachine => "not an ARM ELF image",
            Error::BadEhSize => "ELF header size too small",
            Error::PhEntSizeTooSmall => "program header entry size too small",
            Error::NoSegments => "no program headers",
            Error::TooManySegments => "too many program headers",
            Error::PhOffOutOfFile => "program header offset beyond end of image",
            Error::PhTableOverflow => "program header table size overflows",
            Error::PhTableOutOfFile => "program header table beyond end of image",
            Error::SegmentIndexOutOfRange { .. } => "program header index out of range",
            Error::SegmentOutOfFile { .. } => "segment data beyond end of image",
            Error::FileSizeExceedsMemSize { .. } => "segment file size exceeds memory size",
            Error::SegmentAddressWraps { .. } => "segment address range wraps",
            Error::NoLoadSegments => "no loadable segments",
            Error::SegmentNotMapped { .. } => "segment not in any translated memory region",
            Error::DestinationSizeMismatch { .. } => {
                "destination size differs from segment memory size"
            }
            Error::ShEntSizeTooSmall => "section header entry size too small",
            Error::ShOffOutOfFile => "section header offset beyond end of image",
            Error::ShTableOverflow => "section header table size overflows",
            Error::ShTableOutOfFile => "section header table beyond end of image",
            Error::BadShStrNdx => "section name string table index out of range",
            Error::ShStrTabBadType => "section name string table is not a string table",
            Error::ShStrTabOutOfFile => "section name string table beyond end of image",
            Error::SectionNameOutOfTable { .. } => "section name offset outside string table",
            Error::SectionNameUnterminated { .. } => "section name not NUL-terminated",
            Error::SectionOutOfFile { .. } => "section data beyond end of image",
            Error::ZeroLength => "zero-length address range",
            Error::AddressRangeWraps => "address range wraps",
            Error::AddressNotMapped => "address range not mapped by the translation table",
        }
    }
}
