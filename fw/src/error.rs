// SPDX-License-Identifier: GPL-2.0

//! Errors reported by the firmware-format parsers.
//!
//! Every defect that [`super::elf`], [`super::att`] or the resource-table
//! parser (`rsc`) can detect has its own variant, so the driver can name
//! the exact problem in its log message ([`Error::describe`]) and return a
//! conventional Linux error code, chosen by the error's [`Kind`]
//! ([`Error::kind`]).
//!
//! This file is compiled both as part of the host crate `imx_rproc_fw` and,
//! through `#[path]`, inside the kernel module: it must only use `core`.

/// The class of an [`Error`]: what the caller turns into its own error
/// code. The driver maps it to a kernel errno in its module glue
/// (`rust/image.rs`), host tools to the same numbers in one place
/// (`tools/mkfw/src/errno.rs`); this crate holds no errno number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A malformed image or table (the driver's `EINVAL`).
    Invalid,
    /// An address range no translation entry maps (`ENOENT`).
    NotMapped,
    /// More resource-table entries than allowed (`E2BIG`).
    TooManyEntries,
    /// A resource table larger than allowed (`EFBIG`).
    TooLarge,
    /// An address range that wraps, or a vring outside the allowed ranges
    /// (`ERANGE`).
    OutOfRange,
}

/// A defect found while parsing a firmware image or translating an address.
///
/// `index` fields are program-header indices (for segments),
/// section-header indices (for sections) or resource-table entry indices
/// (position in `offset[]`, for the `Rsc*` variants), counted from zero.
///
/// Its `Debug` form is what `#[derive(Debug)]` prints (`SegmentNotMapped {
/// index: 0, da: 2147483648, len: 4096 }`; with `{:x?}` the numbers in
/// hex), written by `messages!` below in less code.
#[derive(Clone, Copy, PartialEq, Eq)]
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
    /// The resource table is shorter than its 16-byte header.
    RscTooShort,
    /// The resource table's `ver` is not 1.
    RscBadVersion,
    /// The resource table header's `reserved[2]` words are not zero.
    RscReservedNotZero,
    /// The resource table has more entries (`num`) than allowed.
    RscTooManyEntries,
    /// The `num` entry offsets extend beyond the end of the resource table.
    RscOffsetTableOutOfBounds,
    /// A resource entry's offset points into the table header or offset
    /// array, or leaves no room for its 4-byte type before the end of the
    /// table.
    RscOffsetOutOfBounds {
        /// Resource entry index.
        index: usize,
    },
    /// A resource entry's offset is not a multiple of 4.
    RscOffsetMisaligned {
        /// Resource entry index.
        index: usize,
    },
    /// A resource entry shares bytes with an earlier entry.
    RscEntriesOverlap {
        /// Index of the later of the two entries.
        index: usize,
    },
    /// A resource entry's structure (or a vdev's vrings) extends beyond the
    /// end of the table.
    RscEntryTruncated {
        /// Resource entry index.
        index: usize,
    },
    /// A resource entry's type is neither carveout, devmem, trace, vdev nor
    /// vendor-specific (128 to 512).
    RscUnknownType {
        /// Resource entry index.
        index: usize,
        /// The resource type.
        kind: u32,
    },
    /// A carveout, devmem or trace entry's reserved word is not zero.
    RscEntryReservedNotZero {
        /// Resource entry index.
        index: usize,
    },
    /// A vdev entry declares more than two vrings.
    RscVdevTooManyVrings {
        /// Resource entry index.
        index: usize,
    },
    /// A vdev entry's `reserved[2]` bytes are not zero.
    RscVdevReservedNotZero {
        /// Resource entry index.
        index: usize,
    },
    /// A vdev entry's config space (`config_len`) extends beyond the end of
    /// the table.
    RscVdevConfigOverflow {
        /// Resource entry index.
        index: usize,
    },
    /// A vring's `num` is zero, not a power of two, or above the allowed
    /// maximum.
    RscVringNumInvalid {
        /// Resource entry index of the vdev.
        index: usize,
        /// Vring index within the vdev.
        vring: usize,
    },
    /// A vring's `align` is zero, not a power of two, or above the allowed
    /// maximum.
    RscVringAlignInvalid {
        /// Resource entry index of the vdev.
        index: usize,
        /// Vring index within the vdev.
        vring: usize,
    },
    /// A vring with a fixed device address does not lie inside the allowed
    /// device-address ranges.
    RscVringDaOutOfRange {
        /// Resource entry index of the vdev.
        index: usize,
        /// Vring index within the vdev.
        vring: usize,
    },
    /// A vring's `notifyid` is already used by an earlier vring of the
    /// table.
    RscDuplicateNotifyId {
        /// Resource entry index of the vdev holding the second use.
        index: usize,
    },
    /// A trace entry has a zero length or its range (`da + len`) goes past
    /// the 32-bit address space.
    RscTraceInvalid {
        /// Resource entry index.
        index: usize,
    },
    /// A carveout entry has a zero length or a fixed address range
    /// (`da + len` or `pa + len`) that goes past the 32-bit address space.
    RscCarveoutInvalid {
        /// Resource entry index.
        index: usize,
    },
    /// A devmem entry has a zero length or an address range (`da + len` or
    /// `pa + len`) that goes past the 32-bit address space.
    RscDevmemInvalid {
        /// Resource entry index.
        index: usize,
    },
    /// A carveout, devmem or trace entry's 32-byte name has no terminating
    /// NUL.
    RscNameUnterminated {
        /// Resource entry index.
        index: usize,
    },
    /// A carveout or devmem entry's name contains `%` (the core uses
    /// carveout names as `printf` format strings).
    RscNameFormat {
        /// Resource entry index.
        index: usize,
    },
    /// The resource table buffer is larger than allowed.
    RscTableTooLarge,
    /// The reset vector does not point at eight bytes of loaded image data
    /// (the initial stack pointer and reset handler of a vector table).
    VectorTableNotLoaded {
        /// The reset vector.
        addr: u32,
    },
    /// The vector table's initial stack pointer is zero or not 4-byte aligned.
    BadInitialSp {
        /// The initial stack pointer.
        sp: u32,
    },
    /// The vector table's reset handler lacks the Thumb bit (a Cortex-M
    /// faults on it).
    ResetHandlerNotThumb {
        /// The reset handler address.
        pc: u32,
    },
    /// The vector table's reset handler is outside every loaded segment.
    ResetHandlerNotLoaded {
        /// The reset handler address.
        pc: u32,
    },
}

impl Error {
    /// Returns the class of this error, which the driver turns into the
    /// errno named below (in `rust/image.rs`).
    ///
    /// The classes follow the C driver where it has an equivalent:
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
    ///   which the C code does not detect, are `-ERANGE`;
    /// - a malformed resource table is `-EINVAL`, as returned by the C
    ///   `rproc_elf_load_rsc_table()` and the core's resource handlers,
    ///   except for three limits the C code does not have: a table with
    ///   more entries than allowed ([`Error::RscTooManyEntries`]) is
    ///   `-E2BIG`, a table larger than allowed ([`Error::RscTableTooLarge`])
    ///   is `-EFBIG`, and a vring outside the allowed device-address ranges
    ///   ([`Error::RscVringDaOutOfRange`]) is `-ERANGE`.
    pub fn kind(&self) -> Kind {
        match self {
            Error::AddressNotMapped => Kind::NotMapped,
            Error::SegmentAddressWraps { .. }
            | Error::AddressRangeWraps
            | Error::RscVringDaOutOfRange { .. } => Kind::OutOfRange,
            Error::RscTooManyEntries => Kind::TooManyEntries,
            Error::RscTableTooLarge => Kind::TooLarge,
            Error::VectorTableNotLoaded { .. }
            | Error::BadInitialSp { .. }
            | Error::ResetHandlerNotThumb { .. }
            | Error::ResetHandlerNotLoaded { .. } => Kind::Invalid,
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
            | Error::ZeroLength
            | Error::RscTooShort
            | Error::RscBadVersion
            | Error::RscReservedNotZero
            | Error::RscOffsetTableOutOfBounds
            | Error::RscOffsetOutOfBounds { .. }
            | Error::RscOffsetMisaligned { .. }
            | Error::RscEntriesOverlap { .. }
            | Error::RscEntryTruncated { .. }
            | Error::RscUnknownType { .. }
            | Error::RscEntryReservedNotZero { .. }
            | Error::RscVdevTooManyVrings { .. }
            | Error::RscVdevReservedNotZero { .. }
            | Error::RscVdevConfigOverflow { .. }
            | Error::RscVringNumInvalid { .. }
            | Error::RscVringAlignInvalid { .. }
            | Error::RscDuplicateNotifyId { .. }
            | Error::RscTraceInvalid { .. }
            | Error::RscCarveoutInvalid { .. }
            | Error::RscDevmemInvalid { .. }
            | Error::RscNameUnterminated { .. }
            | Error::RscNameFormat { .. } => Kind::Invalid,
        }
    }
}

/// Writes [`Error::describe`] and `Debug` for [`Error`] from one line per
/// variant: `Name { fields } => "phrase",`.
///
/// The names and the phrases are kept as two NUL-separated strings indexed
/// by the variant's position, instead of one `match` arm (and one pointer
/// and length) per variant for each: in the kernel module that is 2 KB
/// less text. The result is the same: the name is the variant's identifier,
/// the fields are printed as `#[derive(Debug)]` prints them (`Formatter::
/// debug_struct`), and the `match`es have no wildcard, so a variant missing
/// here, or a field missing from its line, does not compile.
macro_rules! messages {
    ($($variant:ident $({ $($field:ident),* })? => $phrase:literal,)*) => {
        /// The variants of [`Error`] without their fields: `Code::X as usize`
        /// is X's position in [`NAMES`] and [`PHRASES`].
        #[derive(Clone, Copy)]
        enum Code {
            $($variant,)*
        }

        /// The variants' names, each followed by a NUL.
        const NAMES: &str = concat!($(stringify!($variant), "\0",)*);

        /// The variants' phrases, each followed by a NUL.
        const PHRASES: &str = concat!($($phrase, "\0",)*);

        impl Error {
            fn code(&self) -> Code {
                match self {
                    $(Error::$variant { .. } => Code::$variant,)*
                }
            }

            /// Returns a short human-readable phrase naming the defect,
            /// suitable for a log message (the variant's fields are not
            /// included).
            pub fn describe(&self) -> &'static str {
                nth(PHRASES, self.code())
            }
        }

        impl core::fmt::Debug for Error {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                let mut s = f.debug_struct(nth(NAMES, self.code()));
                match self {
                    $(Error::$variant $({ $($field),* })? => {
                        $($(s.field(stringify!($field), $field);)*)?
                    })*
                }
                s.finish()
            }
        }
    };
}

/// Entry `code` of `table`, a list of NUL-terminated strings.
fn nth(table: &'static str, code: Code) -> &'static str {
    // A fieldless enum's discriminant: its position, always in range.
    #[allow(clippy::as_conversions)]
    let i = code as usize;
    // Bytes, not `str::split`: its searcher is 600 bytes of the module's
    // text, this under 300.
    let entry = table.as_bytes().split(|&b| b == 0).nth(i);
    entry
        .and_then(|e| core::str::from_utf8(e).ok())
        .unwrap_or_default()
}

// One line per variant, in the order of the enum: its fields, in their
// order, and the phrase [`Error::describe`] returns.
messages! {
    TooShort => "image shorter than the ELF32 header",
    BadMagic => "bad ELF magic",
    BadClass => "not an ELF32 image",
    BadData => "not a little-endian ELF image",
    BadVersion => "unsupported ELF version",
    BadType => "not an executable ELF image",
    BadMachine => "not an ARM ELF image",
    BadEhSize => "ELF header size too small",
    PhEntSizeTooSmall => "program header entry size too small",
    NoSegments => "no program headers",
    TooManySegments => "too many program headers",
    PhOffOutOfFile => "program header offset beyond end of image",
    PhTableOverflow => "program header table size overflows",
    PhTableOutOfFile => "program header table beyond end of image",
    SegmentIndexOutOfRange { index } => "program header index out of range",
    SegmentOutOfFile { index } => "segment data beyond end of image",
    FileSizeExceedsMemSize { index } => "segment file size exceeds memory size",
    SegmentAddressWraps { index } => "segment address range wraps",
    NoLoadSegments => "no loadable segments",
    SegmentNotMapped { index, da, len } => "segment not in any translated memory region",
    DestinationSizeMismatch { index } => "destination size differs from segment memory size",
    ShEntSizeTooSmall => "section header entry size too small",
    ShOffOutOfFile => "section header offset beyond end of image",
    ShTableOverflow => "section header table size overflows",
    ShTableOutOfFile => "section header table beyond end of image",
    BadShStrNdx => "section name string table index out of range",
    ShStrTabBadType => "section name string table is not a string table",
    ShStrTabOutOfFile => "section name string table beyond end of image",
    SectionNameOutOfTable { index } => "section name offset outside string table",
    SectionNameUnterminated { index } => "section name not NUL-terminated",
    SectionOutOfFile { index } => "section data beyond end of image",
    ZeroLength => "zero-length address range",
    AddressRangeWraps => "address range wraps",
    AddressNotMapped => "address range not mapped by the translation table",
    RscTooShort => "resource table shorter than its header",
    RscBadVersion => "unsupported resource table version",
    RscReservedNotZero => "resource table reserved words not zero",
    RscTooManyEntries => "too many resource table entries",
    RscOffsetTableOutOfBounds => "resource offsets beyond end of table",
    RscOffsetOutOfBounds { index } => "resource offset outside the table body",
    RscOffsetMisaligned { index } => "resource offset not 4-byte aligned",
    RscEntriesOverlap { index } => "resource entries overlap",
    RscEntryTruncated { index } => "resource entry truncated",
    RscUnknownType { index, kind } => "unknown resource type",
    RscEntryReservedNotZero { index } => "resource entry reserved word not zero",
    RscVdevTooManyVrings { index } => "vdev resource has more than two vrings",
    RscVdevReservedNotZero { index } => "vdev resource reserved bytes not zero",
    RscVdevConfigOverflow { index } => "vdev config space beyond end of table",
    RscVringNumInvalid { index, vring } => "invalid vring size",
    RscVringAlignInvalid { index, vring } => "invalid vring alignment",
    RscVringDaOutOfRange { index, vring } => "vring device address outside allowed ranges",
    RscDuplicateNotifyId { index } => "duplicate vring notify id",
    RscTraceInvalid { index } => "trace resource with empty or wrapping range",
    RscCarveoutInvalid { index } => "carveout resource with empty or wrapping range",
    RscDevmemInvalid { index } => "devmem resource with empty or wrapping range",
    RscNameUnterminated { index } => "resource name not NUL-terminated",
    RscNameFormat { index } => "resource name contains a format character",
    RscTableTooLarge => "resource table larger than allowed",
    VectorTableNotLoaded { addr } => "reset vector does not point into the loaded image",
    BadInitialSp { sp } => "vector table has an invalid initial stack pointer",
    ResetHandlerNotThumb { pc } => "reset handler lacks the Thumb bit",
    ResetHandlerNotLoaded { pc } => "reset handler outside the loaded image",
}

#[cfg(test)]
mod tests {
    extern crate std;

    use super::Error;
    use std::format;

    /// What `#[derive(Debug)]` printed before `messages!` replaced it, for
    /// the variants with more than one field, whose order matters.
    #[test]
    fn debug_is_the_derived_form() {
        let e = Error::SegmentNotMapped {
            index: 1,
            da: 0x8000_0000,
            len: 4096,
        };
        assert_eq!(
            format!("{e:?}"),
            "SegmentNotMapped { index: 1, da: 2147483648, len: 4096 }"
        );
        assert_eq!(
            format!("{e:x?}"),
            "SegmentNotMapped { index: 1, da: 80000000, len: 1000 }"
        );
        let e = Error::RscUnknownType { index: 2, kind: 77 };
        assert_eq!(format!("{e:?}"), "RscUnknownType { index: 2, kind: 77 }");
        let e = Error::RscVringDaOutOfRange { index: 3, vring: 1 };
        assert_eq!(
            format!("{e:?}"),
            "RscVringDaOutOfRange { index: 3, vring: 1 }"
        );
        assert_eq!(format!("{:?}", Error::TooShort), "TooShort");
        assert_eq!(format!("{:#?}", Error::TooShort), "TooShort");
        assert_eq!(
            Error::TooShort.describe(),
            "image shorter than the ELF32 header"
        );
        let last = Error::ResetHandlerNotLoaded { pc: 0x11 };
        assert_eq!(format!("{last:x?}"), "ResetHandlerNotLoaded { pc: 11 }");
        assert_eq!(last.describe(), "reset handler outside the loaded image");
    }
}
