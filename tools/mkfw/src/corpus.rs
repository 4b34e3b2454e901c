// SPDX-License-Identifier: GPL-2.0

//! The malformed-image corpus (`mkfw corpus --out DIR`): one ELF per
//! defect, each the baseline image ([`baseline`]: the default image with
//! the trace entry) with exactly one thing wrong, plus a few valid edge
//! cases that must boot, and a manifest ([`manifest`]) saying what the
//! Rust driver must answer to each.
//!
//! # What the driver must answer: [`driver_model`]
//!
//! [`driver_model`] runs an image through the checks of `imx_rproc_rs`,
//! in the driver's order, with the driver's own parser (`imx_rproc_fw`):
//!
//! 1. `sanity_check`: [`Elf32::parse`], [`Elf32::validate_segments`]
//!    (message prefix `invalid firmware`), then [`boot::reset_vector`]
//!    (`no usable reset vector`; it looks the `.interrupts` and `rom_start`
//!    sections up, so most section-header defects surface here);
//! 2. `parse_fw`: `.resource_table` found by name (`invalid section
//!    headers`), at most the 4 KiB of the `rsc-table` region (`-EFBIG`,
//!    "resource table (N bytes) does not fit the rsc-table region (4096
//!    bytes)"), then [`ResourceTable::parse`] (`invalid resource table`);
//! 3. `load`: every loadable segment must lie inside the memory the M7's
//!    images are loaded to (`-EINVAL`, "segment K (da X, Y bytes) is
//!    outside every memory region").
//!
//! The parser's defects are reported as `<prefix>: <describe> (<Debug>)`
//! with [`FwError::errno`]; the manifest's message is the part after the
//! prefix, which names the defect whatever stage meets it.
//!
//! Where the driver's policy is not a parser rule, the model states the
//! policy the driver should have, and the corpus tests it:
//!
//! - segments must lie in the M7's own memory (`m7_reserved` or a TCM) or
//!   in the `rsc-table` region ([`LOAD_TARGETS`]), as with the C driver,
//!   which maps every region whose name does not start with `vdev`
//!   (`imx_rproc_addr_init()` in `drivers/remoteproc/imx_rproc.c`): i.MX
//!   firmware commonly links `.resource_table` there. Never in the vdev
//!   vrings or the vdev buffer pool;
//! - trace buffers must lie in the M7's own memory ([`M7_MEMORY`]), or in
//!   the `rsc-table` region past the resource table (a trace over the table
//!   would have the M7 write its log over the live vdev status);
//! - a vring with a fixed device address must lie in one of the vring
//!   carveouts ([`VRING_CARVEOUTS`], `Limits::vring_da_ok`);
//! - a trace buffer outside that memory is reported like a segment:
//!   `trace resource K (da X, Y bytes) is outside every memory region`,
//!   `-EINVAL`.
//!
//! Every case has a unit test checking that [`driver_model`] gives exactly
//! the expected [`Verdict`]: the image has that defect and no earlier one.

use std::fmt::Write as _;

use imx_rproc_fw::{
    boot, builder,
    elf::Elf32,
    error::Error as FwError,
    rsc::{Limits, Resource, ResourceTable, FW_RSC_ADDR_ANY},
};

use crate::firmware::{self, Firmware, Params, SEG_CODE, SEG_DATA, SEG_RSC};
use crate::manifest;
use crate::rsc::{self, ZephyrTable};
use imx_rproc_fw::elf::{PF_R, SHT_NOBITS};
use imx_rproc_fw::elfw::{Image, SectionData, Segment};

/// A device-address range `[start, start + size)` of the virtual board.
pub type Span = (u64, u64);

/// `m7_reserved` (Verdin iMX95 and the virtual board): the M7's DDR.
pub const M7_RESERVED: Span = (0x8000_0000, 0x0100_0000);
/// The M7's ITCM and DTCM (address translation entries with `ATT_OWN`).
pub const TCMS: [Span; 2] = [(0x0000_0000, 0x0004_0000), (0x2000_0000, 0x0004_0000)];
/// The M7's own memory: the TCMs and `m7_reserved`.
pub const M7_MEMORY: [Span; 3] = [TCMS[0], TCMS[1], M7_RESERVED];
/// The `rsc-table` region: where the core copies the resource table
/// (`rsc-table@88220000` in `arch/arm64/boot/dts/freescale/imx95-verdin.dtsi`).
pub const RSC_TABLE_REGION: Span = (0x8822_0000, 0x1000);
/// Where the M7's segments may lie: its own memory and, as with the C
/// driver, the `rsc-table` region.
pub const LOAD_TARGETS: [Span; 4] = [TCMS[0], TCMS[1], M7_RESERVED, RSC_TABLE_REGION];
/// The vring carveouts `vdev0vring0` to `vdev1vring1`.
pub const VRING_CARVEOUTS: [Span; 4] = [
    (0x8800_0000, 0x8000),
    (0x8800_8000, 0x8000),
    (0x8801_0000, 0x8000),
    (0x8801_8000, 0x8000),
];
/// The vdev buffer pool (`vdevbuffer`, a `shared-dma-pool`).
pub const VDEV_BUFFER: Span = (0x8802_0000, 0x10_0000);

pub use crate::errno::{EFBIG, EINVAL};

/// The resource-table limits the driver should apply: its own
/// (`Limits::DEFAULT`, at most the `rsc-table` region) and vrings with a
/// fixed address inside the vring carveouts.
pub fn driver_limits() -> Limits<'static> {
    Limits {
        max_len: RSC_TABLE_REGION.1 as usize,
        vring_da_ok: &VRING_CARVEOUTS,
        ..Limits::DEFAULT
    }
}

/// Whether `[da, da + len)` is non-empty and inside one of `spans`.
pub fn inside(spans: &[Span], da: u32, len: u32) -> bool {
    let (da, len) = (u64::from(da), u64::from(len));
    len > 0
        && spans
            .iter()
            .any(|&(start, size)| da >= start && da + len <= start + size)
}

/// The driver callback meeting a defect, and its message prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// `sanity_check`: ELF header and program headers.
    SanityCheck,
    /// `sanity_check`: the vector table (and the section headers read to
    /// find it).
    ResetVector,
    /// `parse_fw`: looking `.resource_table` up.
    SectionHeaders,
    /// `parse_fw`: the resource table.
    ResourceTable,
}

impl Stage {
    /// The driver's message prefix.
    pub fn prefix(self) -> &'static str {
        match self {
            Stage::SanityCheck => "invalid firmware",
            Stage::ResetVector => "no usable reset vector",
            Stage::SectionHeaders => "invalid section headers",
            Stage::ResourceTable => "invalid resource table",
        }
    }
}

/// What the Rust driver must do with an image.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Boot it.
    Boots,
    /// Reject it with the parser's error `err`, met at `stage`.
    Fw {
        /// Where the driver meets it.
        stage: Stage,
        /// The parser's error.
        err: FwError,
    },
    /// Reject it: its resource table is larger than the `rsc-table` region.
    TableTooLarge {
        /// Size of `.resource_table`.
        len: usize,
    },
    /// Reject it: trace entry `index`'s buffer is outside the M7's memory.
    TraceOutside {
        /// Resource entry index.
        index: usize,
        /// Buffer address.
        da: u32,
        /// Buffer length.
        len: u32,
    },
    /// Reject it: trace entry `index`'s buffer lies in the `rsc-table`
    /// region over the resource table (`table_len` bytes).
    TraceOverTable {
        /// Resource entry index.
        index: usize,
        /// Buffer address.
        da: u32,
        /// Buffer length.
        len: u32,
        /// Size of `.resource_table`.
        table_len: usize,
    },
    /// Reject it: loadable segment `index` is outside the M7's memory.
    SegmentOutside {
        /// Program-header index.
        index: usize,
        /// `p_paddr`.
        da: u32,
        /// `p_memsz`.
        len: u32,
    },
}

impl Verdict {
    /// The negative errno the boot must fail with (`None`: it must boot).
    pub fn errno(&self) -> Option<i32> {
        match self {
            Verdict::Boots => None,
            Verdict::Fw { err, .. } => Some(crate::errno::of(err)),
            Verdict::TableTooLarge { .. } => Some(-EFBIG),
            Verdict::TraceOutside { .. }
            | Verdict::TraceOverTable { .. }
            | Verdict::SegmentOutside { .. } => Some(-EINVAL),
        }
    }

    /// A substring of the kernel message naming the defect (`None`: it
    /// must boot).
    pub fn message(&self) -> Option<String> {
        Some(match self {
            Verdict::Boots => return None,
            Verdict::Fw { err, .. } => format!("{} (hex: {err:x?})", err.describe()),
            Verdict::TableTooLarge { len } => format!(
                "resource table ({len} bytes) does not fit the rsc-table region ({} bytes)",
                RSC_TABLE_REGION.1
            ),
            Verdict::TraceOutside { index, da, len } => format!(
                "trace resource {index} (da {da:#x}, {len:#x} bytes) is outside every memory region"
            ),
            Verdict::TraceOverTable { index, da, len, table_len } => format!(
                "trace resource {index} (da {da:#x}, {len:#x} bytes) overlaps the resource table ({table_len} bytes) in the rsc-table region"
            ),
            Verdict::SegmentOutside { index, da, len } => format!(
                "segment {index} (da {da:#x}, {len:#x} bytes) is outside every memory region"
            ),
        })
    }

    /// The check that finds it: the parser's error variant, or the
    /// driver policy.
    pub fn check(&self) -> String {
        match self {
            Verdict::Boots => "-".into(),
            Verdict::Fw { stage, err } => {
                let dbg = format!("{err:?}");
                let variant = dbg.split([' ', '{']).next().unwrap_or_default();
                format!("{}:{variant}", stage.prefix().replace(' ', "-"))
            }
            Verdict::TableTooLarge { .. } => "rsc-table-region-size".into(),
            Verdict::TraceOutside { .. } => "trace-placement".into(),
            Verdict::TraceOverTable { .. } => "trace-over-table".into(),
            Verdict::SegmentOutside { .. } => "segment-placement".into(),
        }
    }
}

/// What the Rust driver must do with `image` (see the module docs).
pub fn driver_model(image: &[u8]) -> Verdict {
    let fw = |stage| move |err| Verdict::Fw { stage, err };
    let elf = match Elf32::parse(image) {
        Ok(elf) => elf,
        Err(e) => return fw(Stage::SanityCheck)(e),
    };
    if let Err(e) = elf.validate_segments() {
        return fw(Stage::SanityCheck)(e);
    }
    if let Err(e) = boot::reset_vector(&elf) {
        return fw(Stage::ResetVector)(e);
    }
    match elf.find_section(b".resource_table") {
        Err(e) => return fw(Stage::SectionHeaders)(e),
        Ok(None) => {}
        Ok(Some(s)) => {
            if s.data.len() > RSC_TABLE_REGION.1 as usize {
                return Verdict::TableTooLarge { len: s.data.len() };
            }
            let table = match ResourceTable::parse(s.data, &driver_limits()) {
                Ok(t) => t,
                Err(e) => return fw(Stage::ResourceTable)(e),
            };
            for e in table.entries() {
                if let Resource::Trace { da, len, .. } = e.resource {
                    let table_len = s.data.len() as u64;
                    let past_table = (
                        RSC_TABLE_REGION.0 + table_len,
                        RSC_TABLE_REGION.1.saturating_sub(table_len),
                    );
                    if inside(&M7_MEMORY, da, len) || inside(&[past_table], da, len) {
                        continue;
                    }
                    if inside(&[RSC_TABLE_REGION], da, len) {
                        return Verdict::TraceOverTable {
                            index: e.index,
                            da,
                            len,
                            table_len: s.data.len(),
                        };
                    }
                    return Verdict::TraceOutside {
                        index: e.index,
                        da,
                        len,
                    };
                }
            }
        }
    }
    for seg in elf.load_segments() {
        let seg = match seg {
            Ok(s) => s,
            Err(e) => return fw(Stage::SanityCheck)(e),
        };
        if !inside(&LOAD_TARGETS, seg.paddr, seg.memsz) {
            return Verdict::SegmentOutside {
                index: seg.index,
                da: seg.paddr,
                len: seg.memsz,
            };
        }
    }
    Verdict::Boots
}

/// One image of the corpus.
#[derive(Debug, Clone)]
pub struct Case {
    /// Unique name (`[a-z0-9-]`), also the file name without `.elf`.
    pub name: &'static str,
    /// Group: `elf`, `sections`, `segments`, `vectors`, `rsc`, `valid`.
    pub group: &'static str,
    /// The defect (or the edge case), in words.
    pub defect: String,
    /// The image.
    pub bytes: Vec<u8>,
    /// What the Rust driver must do.
    pub expect: Verdict,
}

impl Case {
    /// File name in the corpus directory.
    pub fn file_name(&self) -> String {
        format!("{}.elf", self.name)
    }
}

// ------------------------------------------------------------ builders

/// Parameters of the baseline: the default image with the trace entry
/// (vdev and trace in the table, so both can be broken).
pub fn baseline_params() -> Params {
    Params {
        trace_len: Some(firmware::DEFAULT_TRACE_LEN),
        ..Params::default()
    }
}

/// The baseline image, which every defect starts from.
pub fn baseline() -> Firmware {
    firmware::build(&baseline_params()).expect("the baseline image builds")
}

/// Size of the baseline's `.resource_table`.
fn baseline_table_len() -> usize {
    let bytes = ser(&baseline());
    let elf = Elf32::parse(&bytes).expect("the baseline parses");
    let section = elf
        .find_section(b".resource_table")
        .expect("section headers");
    section
        .expect("the baseline has a resource table")
        .data
        .len()
}

/// Name of the valid image the runner boots after every case.
pub const BASELINE_NAME: &str = "valid-baseline";

fn ser(fw: &Firmware) -> Vec<u8> {
    fw.image.serialize().expect("corpus image serialises").0
}

fn put32(b: &mut [u8], off: usize, v: u32) {
    b[off..off + 4].copy_from_slice(&v.to_le_bytes());
}

fn words(ws: &[u32]) -> Vec<u8> {
    ws.iter().flat_map(|w| w.to_le_bytes()).collect()
}

/// Index of the section named `name`.
fn sec(img: &Image, name: &str) -> usize {
    img.sections
        .iter()
        .position(|s| s.name == name)
        .unwrap_or_else(|| panic!("no section {name}"))
}

/// The baseline with `f` applied to its [`Firmware`].
fn with_fw(f: impl FnOnce(&mut Firmware)) -> Vec<u8> {
    let mut fw = baseline();
    f(&mut fw);
    ser(&fw)
}

/// The baseline with `f` applied to its [`Image`], which also gets the
/// length of the unmodified file.
fn with_image(f: impl FnOnce(&mut Image, u32)) -> Vec<u8> {
    let mut fw = baseline();
    let len = ser(&fw).len() as u32;
    f(&mut fw.image, len);
    ser(&fw)
}

/// The baseline with its sample table changed by `f` (same size).
fn with_table(f: impl FnOnce(&mut ZephyrTable)) -> Vec<u8> {
    with_fw(|fw| {
        f(&mut fw.table);
        let b = fw.table.encode();
        assert_eq!(b.len(), fw.image.segments[SEG_RSC].data.len());
        fw.image.segments[SEG_RSC].data = b;
    })
}

/// The baseline with the bytes of its resource table changed by `f`
/// (same size).
fn with_rsc_bytes(f: impl FnOnce(&mut Vec<u8>)) -> Vec<u8> {
    with_fw(|fw| {
        let data = &mut fw.image.segments[SEG_RSC].data;
        let len = data.len();
        f(data);
        assert_eq!(data.len(), len);
    })
}

/// Offsets of the vdev and trace entries in the sample table with trace.
const VDEV_OFF: usize = 0x18;
const TRACE_OFF: usize = 0x5c;

/// The image of `p` with `table` as its resource table (any size).
fn custom_table(p: &Params, table: Vec<u8>) -> Firmware {
    firmware::build_with_table(p, Some(table)).expect("custom-table image builds")
}

/// A resource table: header (`ver` 1, `num` = entries, reserved 0),
/// offsets, then the entries back to back (each a multiple of 4 bytes).
fn rsc_table(entries: &[Vec<u8>]) -> Vec<u8> {
    builder::table(entries, 0).bytes
}

/// The sample's vdev entry (type word included).
fn vdev_entry() -> Vec<u8> {
    let t = ZephyrTable::new(None).encode();
    t[0x14..].to_vec()
}

/// A carveout (`ty` 0) or devmem (`ty` 1) entry.
fn mem_entry(ty: u32, da: u32, pa: u32, len: u32, reserved: u32, name: [u8; 32]) -> Vec<u8> {
    builder::mem_entry(ty, da, pa, len, 0, reserved, name)
}

/// A well-formed carveout entry: host-chosen addresses, 4 KiB, "m7_heap".
fn carveout(da: u32, pa: u32, len: u32) -> Vec<u8> {
    mem_entry(0, da, pa, len, 0, rsc::name32("m7_heap"))
}

/// The image with a table of `entries` then the sample vdev (default
/// parameters, no trace).
fn with_entries_then_vdev(entries: Vec<Vec<u8>>) -> Vec<u8> {
    let mut all = entries;
    all.push(vdev_entry());
    ser(&custom_table(&Params::default(), rsc_table(&all)))
}

/// The sample table (with trace, placed for a table of `len` bytes),
/// padded with zeros to `len` bytes, and its image.
fn padded_table(len: usize) -> Firmware {
    let p = baseline_params();
    let plan = firmware::plan_with_rsc_len(&p, len as u32).expect("plan");
    let mut t = ZephyrTable::new(plan.trace).encode();
    t.resize(len, 0);
    custom_table(&p, t)
}

/// Parameters whose data segment ends exactly at the end of
/// `m7_reserved` (the `.bss` fills the region; the file stays small).
fn filling_params() -> Params {
    let mut p = baseline_params();
    let rsc = ZephyrTable::size(true).next_multiple_of(8) as u32;
    p.bss_size = M7_RESERVED.1 as u32 - p.code_size - rsc - p.data_size;
    p
}

/// A large image (256 KiB of code): big enough that a table offset can
/// stay inside the file while the table's end overflows 32 bits.
fn big() -> Firmware {
    firmware::build(&Params {
        code_size: 256 << 10,
        ..baseline_params()
    })
    .expect("big image builds")
}

/// The baseline with its code bytes changed by `f`, manifest resealed.
fn with_code(f: impl FnOnce(&mut Vec<u8>, &firmware::Plan)) -> Vec<u8> {
    with_fw(|fw| {
        let plan = fw.plan;
        let code = &mut fw.image.segments[SEG_CODE].data;
        f(code, &plan);
        manifest::seal(code).expect("code holds the manifest");
    })
}

/// An extra read-only `PT_LOAD` of `len` bytes at `da` (index 3).
fn extra_segment(da: u32, len: u32) -> Vec<u8> {
    with_fw(|fw| {
        fw.image
            .segments
            .push(Segment::load(da, PF_R, vec![0xa5; len as usize], len, 8));
    })
}

/// Removes the resource-table segment and section.
fn drop_resource_table(img: &mut Image) {
    img.segments.remove(SEG_RSC);
    let rsc = sec(img, ".resource_table");
    img.sections.remove(rsc);
    for s in &mut img.sections {
        match &mut s.data {
            SectionData::InSegment { segment, .. } | SectionData::NoBits { segment, .. }
                if *segment > SEG_RSC =>
            {
                *segment -= 1
            }
            _ => {}
        }
    }
}

fn idle_params() -> Params {
    Params {
        behaviour: manifest::BEHAVIOUR_IDLE,
        ..baseline_params()
    }
}

// ------------------------------------------------------------ the cases

use FwError as E;
use Stage::{ResetVector as RV, ResourceTable as RT, SanityCheck as SC, SectionHeaders as SH};

fn fwv(stage: Stage, err: FwError) -> Verdict {
    Verdict::Fw { stage, err }
}

/// Every case, defects first, then the valid edge cases.
///
/// One line per case (name, group, defect, image, verdict): kept as a
/// table, not reformatted.
#[rustfmt::skip]
pub fn cases() -> Vec<Case> {
    let plan = baseline().plan;
    let mut v: Vec<Case> = Vec::new();
    let mut add = |name: &'static str, group: &'static str, defect: &str, bytes: Vec<u8>, expect| {
        v.push(Case {
            name,
            group,
            defect: defect.to_owned(),
            bytes,
            expect,
        })
    };

    // ---------------------------------------------------- ELF header
    let b = ser(&baseline());
    add("elf-truncated-40", "elf", "file of 40 bytes: ELF header truncated", b[..40].to_vec(), fwv(SC, E::TooShort));
    add("elf-truncated-51", "elf", "file of 51 bytes: one byte short of the ELF header", b[..51].to_vec(), fwv(SC, E::TooShort));
    add("elf-bad-magic", "elf", "e_ident magic \\x7fXLF", with_image(|i, _| i.header.ident[1] = b'X'), fwv(SC, E::BadMagic));
    add("elf-class64", "elf", "EI_CLASS ELFCLASS64", with_image(|i, _| i.header.ident[4] = 2), fwv(SC, E::BadClass));
    add("elf-class-none", "elf", "EI_CLASS ELFCLASSNONE (0)", with_image(|i, _| i.header.ident[4] = 0), fwv(SC, E::BadClass));
    add("elf-data-msb", "elf", "EI_DATA ELFDATA2MSB (big endian)", with_image(|i, _| i.header.ident[5] = 2), fwv(SC, E::BadData));
    add("elf-data-none", "elf", "EI_DATA ELFDATANONE (0)", with_image(|i, _| i.header.ident[5] = 0), fwv(SC, E::BadData));
    add("elf-ei-version-0", "elf", "EI_VERSION 0", with_image(|i, _| i.header.ident[6] = 0), fwv(SC, E::BadVersion));
    add("elf-ei-version-2", "elf", "EI_VERSION 2", with_image(|i, _| i.header.ident[6] = 2), fwv(SC, E::BadVersion));
    add("elf-e-version-0", "elf", "e_version 0", with_image(|i, _| i.header.e_version = 0), fwv(SC, E::BadVersion));
    add("elf-e-version-2", "elf", "e_version 2", with_image(|i, _| i.header.e_version = 2), fwv(SC, E::BadVersion));
    add("elf-type-rel", "elf", "e_type ET_REL (relocatable object)", with_image(|i, _| i.header.e_type = 1), fwv(SC, E::BadType));
    add("elf-type-dyn", "elf", "e_type ET_DYN (shared object)", with_image(|i, _| i.header.e_type = 3), fwv(SC, E::BadType));
    add("elf-type-core", "elf", "e_type ET_CORE (a core dump)", with_image(|i, _| i.header.e_type = 4), fwv(SC, E::BadType));
    add("elf-machine-x86", "elf", "e_machine EM_386", with_image(|i, _| i.header.e_machine = 3), fwv(SC, E::BadMachine));
    add("elf-machine-aarch64", "elf", "e_machine EM_AARCH64", with_image(|i, _| i.header.e_machine = 183), fwv(SC, E::BadMachine));
    add("elf-ehsize-small", "elf", "e_ehsize 32, smaller than the ELF32 header", with_image(|i, _| i.header.e_ehsize = 32), fwv(SC, E::BadEhSize));
    add("elf-phentsize-small", "elf", "e_phentsize 16, smaller than Elf32_Phdr", with_image(|i, _| i.header.e_phentsize = 16), fwv(SC, E::PhEntSizeTooSmall));
    add("elf-phentsize-zero", "elf", "e_phentsize 0", with_image(|i, _| i.header.e_phentsize = 0), fwv(SC, E::PhEntSizeTooSmall));
    add("elf-phnum-zero", "elf", "e_phnum 0: no program headers", with_image(|i, _| i.header.e_phnum = Some(0)), fwv(SC, E::NoSegments));
    add("elf-phnum-xnum", "elf", "e_phnum PN_XNUM (0xffff, extended numbering)", with_image(|i, _| i.header.e_phnum = Some(0xffff)), fwv(SC, E::TooManySegments));
    add("elf-phoff-past-eof", "elf", "e_phoff 4 bytes past the end of the file", with_image(|i, len| i.header.e_phoff = Some(len + 4)), fwv(SC, E::PhOffOutOfFile));
    add("elf-phoff-max", "elf", "e_phoff 0xfffffff0", with_image(|i, _| i.header.e_phoff = Some(0xffff_fff0)), fwv(SC, E::PhOffOutOfFile));
    add("elf-phtable-past-eof", "elf", "e_phnum 1000: the program-header table runs past the end of the file", with_image(|i, _| i.header.e_phnum = Some(1000)), fwv(SC, E::PhTableOutOfFile));
    add("elf-phtable-overflow", "elf", "e_phoff 0x30000 + e_phnum 0xfffe * e_phentsize 0xffff wraps 32 bits", {
        let mut fw = big();
        fw.image.header.e_phoff = Some(0x3_0000);
        fw.image.header.e_phnum = Some(0xfffe);
        fw.image.header.e_phentsize = 0xffff;
        ser(&fw)
    }, fwv(SC, E::PhTableOverflow));
    add("elf-shoff-past-eof", "elf", "e_shoff 4 bytes past the end of the file", with_image(|i, len| i.header.e_shoff = Some(len + 4)), fwv(RV, E::ShOffOutOfFile));
    add("elf-shoff-max", "elf", "e_shoff 0xfffffff0", with_image(|i, _| i.header.e_shoff = Some(0xffff_fff0)), fwv(RV, E::ShOffOutOfFile));
    add("elf-shtable-past-eof", "elf", "e_shnum 1000: the section-header table runs past the end of the file", with_image(|i, _| i.header.e_shnum = Some(1000)), fwv(RV, E::ShTableOutOfFile));
    add("elf-shtable-overflow", "elf", "e_shoff 0x20000 + e_shnum 0xffff * e_shentsize 0xffff wraps 32 bits", {
        let mut fw = big();
        fw.image.header.e_shoff = Some(0x2_0000);
        fw.image.header.e_shnum = Some(0xffff);
        fw.image.header.e_shentsize = 0xffff;
        ser(&fw)
    }, fwv(RV, E::ShTableOverflow));
    add("elf-shentsize-small", "elf", "e_shentsize 20, smaller than Elf32_Shdr", with_image(|i, _| i.header.e_shentsize = 20), fwv(RV, E::ShEntSizeTooSmall));
    add("elf-shentsize-zero", "elf", "e_shentsize 0", with_image(|i, _| i.header.e_shentsize = 0), fwv(RV, E::ShEntSizeTooSmall));

    // ---------------------------------------------------- section headers
    add("sh-shstrndx-out-of-range", "sections", "e_shstrndx 7 = e_shnum", with_image(|i, _| i.header.e_shstrndx = Some(7)), fwv(RV, E::BadShStrNdx));
    add("sh-shstrndx-xindex", "sections", "e_shstrndx SHN_XINDEX (0xffff)", with_image(|i, _| i.header.e_shstrndx = Some(0xffff)), fwv(RV, E::BadShStrNdx));
    add("sh-shstrtab-not-strtab", "sections", "e_shstrndx names .text (SHT_PROGBITS) as the string table", with_image(|i, _| i.header.e_shstrndx = Some(sec(i, ".text") as u16)), fwv(RV, E::ShStrTabBadType));
    add("sh-shstrtab-past-eof", "sections", ".shstrtab sh_offset past the end of the file", with_image(|i, len| {
        let s = sec(i, ".shstrtab");
        i.sections[s].sh_offset = Some(len + 16);
    }), fwv(RV, E::ShStrTabOutOfFile));
    add("sh-shstrtab-size-huge", "sections", ".shstrtab sh_size 1 MiB, past the end of the file", with_image(|i, _| {
        let s = sec(i, ".shstrtab");
        i.sections[s].sh_size = Some(0x10_0000);
    }), fwv(RV, E::ShStrTabOutOfFile));
    add("sh-name-out-of-table", "sections", ".resource_table sh_name 0x1000, outside the string table", with_image(|i, _| {
        let s = sec(i, ".resource_table");
        i.sections[s].sh_name = Some(0x1000);
    }), fwv(RV, E::SectionNameOutOfTable { index: 3 }));
    add("sh-name-at-table-end", "sections", ".resource_table sh_name = size of the string table (points just past it)", with_image(|i, _| {
        let s = sec(i, ".resource_table");
        let len = i.sections.iter().map(|s| s.name.len() + 1).filter(|&l| l > 1).sum::<usize>() + 1;
        i.sections[s].sh_name = Some(len as u32);
    }), fwv(RV, E::SectionNameOutOfTable { index: 3 }));
    add("sh-name-unterminated", "sections", ".shstrtab sh_size ends inside the name \".resource_table\" (no NUL)", with_image(|i, _| {
        // "\0rom_start\0.text\0.resource_table\0...": the name starts at 17.
        let s = sec(i, ".shstrtab");
        i.sections[s].sh_size = Some(25);
    }), fwv(RV, E::SectionNameUnterminated { index: 3 }));
    add("rsc-section-offset-past-eof", "sections", ".resource_table sh_offset past the end of the file", with_image(|i, len| {
        let s = sec(i, ".resource_table");
        i.sections[s].sh_offset = Some(len + 0x100);
    }), fwv(SH, E::SectionOutOfFile { index: 3 }));
    add("rsc-section-offset-wraps", "sections", ".resource_table sh_offset 0xffffff00 + sh_size wraps 32 bits", with_image(|i, _| {
        let s = sec(i, ".resource_table");
        i.sections[s].sh_offset = Some(0xffff_ff00);
    }), fwv(SH, E::SectionOutOfFile { index: 3 }));
    add("rsc-section-size-past-eof", "sections", ".resource_table sh_size 16 MiB, past the end of the file", with_image(|i, _| {
        let s = sec(i, ".resource_table");
        i.sections[s].sh_size = Some(0x100_0000);
    }), fwv(SH, E::SectionOutOfFile { index: 3 }));
    add("rsc-section-size-zero", "sections", ".resource_table sh_size 0", with_image(|i, _| {
        let s = sec(i, ".resource_table");
        i.sections[s].sh_size = Some(0);
    }), fwv(RT, E::RscTooShort));
    add("rsc-section-size-12", "sections", ".resource_table sh_size 12, smaller than the table header", with_image(|i, _| {
        let s = sec(i, ".resource_table");
        i.sections[s].sh_size = Some(12);
    }), fwv(RT, E::RscTooShort));
    add("rsc-section-nobits", "sections", ".resource_table is SHT_NOBITS (no file bytes)", with_image(|i, _| {
        let s = sec(i, ".resource_table");
        i.sections[s].sh_type = SHT_NOBITS;
    }), fwv(RT, E::RscTooShort));

    // ---------------------------------------------------- program headers
    let data_memsz = plan.data_size + plan.bss_size;
    add("seg-offset-past-eof", "segments", "data segment p_offset = file size", with_image(|i, len| i.segments[SEG_DATA].p_offset = Some(len)), fwv(SC, E::SegmentOutOfFile { index: 2 }));
    add("seg-filesz-past-eof", "segments", "data segment p_filesz = p_memsz, running past the end of the file", with_image(|i, _| {
        let m = i.segments[SEG_DATA].p_memsz;
        i.segments[SEG_DATA].p_filesz = Some(m);
    }), fwv(SC, E::SegmentOutOfFile { index: 2 }));
    add("seg-offset-wraps", "segments", "data segment p_offset 0xfffff000 + p_filesz wraps 32 bits", with_image(|i, _| i.segments[SEG_DATA].p_offset = Some(0xffff_f000)), fwv(SC, E::SegmentOutOfFile { index: 2 }));
    add("seg-filesz-gt-memsz", "segments", "code segment p_filesz = p_memsz + 8", with_image(|i, _| i.segments[SEG_CODE].p_memsz -= 8), fwv(SC, E::FileSizeExceedsMemSize { index: 0 }));
    add("seg-memsz-zero", "segments", "data segment p_memsz 0 with 4 KiB of file bytes", with_image(|i, _| i.segments[SEG_DATA].p_memsz = 0), fwv(SC, E::FileSizeExceedsMemSize { index: 2 }));
    add("seg-addr-wraps", "segments", "data segment at 0xfffff000, 0x3000 bytes: wraps the 32-bit address space", with_image(|i, _| {
        i.segments[SEG_DATA].p_paddr = 0xffff_f000;
        i.segments[SEG_DATA].p_vaddr = 0xffff_f000;
    }), fwv(SC, E::SegmentAddressWraps { index: 2 }));
    add("seg-ends-at-4g", "segments", "data segment ending exactly at 4 GiB (no wrap, no memory)", with_image(|i, _| {
        let a = (0x1_0000_0000u64 - u64::from(data_memsz)) as u32;
        i.segments[SEG_DATA].p_paddr = a;
        i.segments[SEG_DATA].p_vaddr = a;
    }), Verdict::SegmentOutside { index: 2, da: (0x1_0000_0000u64 - u64::from(data_memsz)) as u32, len: data_memsz });
    add("seg-outside-att", "segments", "data segment at 0x60000000, in no address-translation entry", with_image(|i, _| {
        i.segments[SEG_DATA].p_paddr = 0x6000_0000;
        i.segments[SEG_DATA].p_vaddr = 0x6000_0000;
    }), Verdict::SegmentOutside { index: 2, da: 0x6000_0000, len: data_memsz });
    add("seg-in-att-unmapped", "segments", "data segment at 0x90000000: translated DDR, but no carveout or reserved region", with_image(|i, _| {
        i.segments[SEG_DATA].p_paddr = 0x9000_0000;
        i.segments[SEG_DATA].p_vaddr = 0x9000_0000;
    }), Verdict::SegmentOutside { index: 2, da: 0x9000_0000, len: data_memsz });
    add("seg-straddles-m7-start", "segments", "data segment starting 8 bytes below m7_reserved", with_image(|i, _| {
        i.segments[SEG_DATA].p_paddr = 0x7fff_fff8;
        i.segments[SEG_DATA].p_vaddr = 0x7fff_fff8;
    }), Verdict::SegmentOutside { index: 2, da: 0x7fff_fff8, len: data_memsz });
    let fill = firmware::build(&filling_params()).expect("filling image builds");
    let fill_memsz = fill.plan.data_size + fill.plan.bss_size;
    add("seg-straddles-m7-end", "segments", "data segment ending one byte past the end of m7_reserved (0x81000001)", {
        let mut fw = fill.clone();
        fw.image.segments[SEG_DATA].p_memsz += 1;
        ser(&fw)
    }, Verdict::SegmentOutside { index: 2, da: fill.plan.data_addr, len: fill_memsz + 1 });
    // The C driver loads it (imx_rproc_addr_init() maps the rsc-table region): so do we.
    add("valid-seg-in-rsc-table-region", "valid", "extra PT_LOAD of 0x100 bytes at 0x88220000, inside the rsc-table region (loaded, as upstream)", extra_segment(0x8822_0000, 0x100), Verdict::Boots);
    add("valid-seg-fills-rsc-table-region", "valid", "extra PT_LOAD 0x88220000..0x88221000, ending exactly at the end of the rsc-table region", extra_segment(0x8822_0000, 0x1000), Verdict::Boots);
    add("seg-overlaps-rsc-table-end", "segments", "extra PT_LOAD 0x88220f00..0x88221100 across the end of the rsc-table region", extra_segment(0x8822_0f00, 0x200), Verdict::SegmentOutside { index: 3, da: 0x8822_0f00, len: 0x200 });
    add("seg-in-vring-carveout", "segments", "extra PT_LOAD of 0x100 bytes at 0x88000000, inside the vdev0vring0 carveout", extra_segment(0x8800_0000, 0x100), Verdict::SegmentOutside { index: 3, da: 0x8800_0000, len: 0x100 });
    add("seg-in-vdevbuffer", "segments", "extra PT_LOAD of 0x100 bytes at 0x88020000, inside the vdev buffer DMA pool", extra_segment(0x8802_0000, 0x100), Verdict::SegmentOutside { index: 3, da: 0x8802_0000, len: 0x100 });
    add("seg-no-pt-load", "segments", "every program header PT_NOTE: no PT_LOAD at all", with_image(|i, _| {
        for s in &mut i.segments {
            s.p_type = 4;
        }
    }), fwv(SC, E::NoLoadSegments));
    add("seg-all-zero-size", "segments", "every PT_LOAD has p_filesz = p_memsz = 0", with_image(|i, _| {
        for s in &mut i.segments {
            s.p_filesz = Some(0);
            s.p_memsz = 0;
        }
    }), fwv(SC, E::NoLoadSegments));

    // ---------------------------------------------------- vector table
    add("vec-reset-not-thumb", "vectors", "vector table reset handler 0x80000400 without the Thumb bit", with_code(|c, p| put32(c, 4, p.reset_handler)), fwv(RV, E::ResetHandlerNotThumb { pc: plan.reset_handler }));
    add("vec-reset-outside-image", "vectors", "reset handler 0x80f00001: in m7_reserved but not in the image", with_code(|c, _| put32(c, 4, 0x80f0_0001)), fwv(RV, E::ResetHandlerNotLoaded { pc: 0x80f0_0001 }));
    add("vec-reset-unmapped", "vectors", "reset handler 0x60000001: in no memory", with_code(|c, _| put32(c, 4, 0x6000_0001)), fwv(RV, E::ResetHandlerNotLoaded { pc: 0x6000_0001 }));
    add("vec-sp-zero", "vectors", "vector table initial SP 0", with_code(|c, _| put32(c, 0, 0)), fwv(RV, E::BadInitialSp { sp: 0 }));
    add("vec-sp-misaligned", "vectors", "vector table initial SP not 4-byte aligned", with_code(|c, p| put32(c, 0, p.stack_top - 2)), fwv(RV, E::BadInitialSp { sp: plan.stack_top - 2 }));
    add("vec-table-not-loaded", "vectors", "rom_start sh_addr 0x80f00000: the vector table is not in the image", with_image(|i, _| {
        let s = sec(i, "rom_start");
        i.sections[s].sh_addr = 0x80f0_0000;
    }), fwv(RV, E::VectorTableNotLoaded { addr: 0x80f0_0000 }));
    add("vec-table-in-bss", "vectors", "rom_start sh_addr in .bss: loaded, but zeros, not file bytes", with_image(|i, _| {
        let s = sec(i, "rom_start");
        i.sections[s].sh_addr = plan.bss_addr;
    }), fwv(RV, E::VectorTableNotLoaded { addr: plan.bss_addr }));
    add("vec-entry-masked-unmapped", "vectors", "no rom_start section, e_entry 0x90000401: the masked entry is not in the image", with_image(|i, _| {
        let s = sec(i, "rom_start");
        i.sections[s].name = "rom_stark".into();
        i.header.e_entry = 0x9000_0401;
    }), fwv(RV, E::VectorTableNotLoaded { addr: 0x9000_0000 }));

    // ---------------------------------------------------- resource table
    add("rsc-version-0", "rsc", "resource table ver 0", with_table(|t| t.ver = 0), fwv(RT, E::RscBadVersion));
    add("rsc-version-2", "rsc", "resource table ver 2", with_table(|t| t.ver = 2), fwv(RT, E::RscBadVersion));
    add("rsc-reserved-nonzero", "rsc", "resource table reserved[0] = 1", with_table(|t| t.reserved[0] = 1), fwv(RT, E::RscReservedNotZero));
    add("rsc-num-huge", "rsc", "num 0x1000000: the offset array runs past the table", with_table(|t| t.num = 0x100_0000), fwv(RT, E::RscOffsetTableOutOfBounds));
    add("rsc-num-max", "rsc", "num 0xffffffff", with_table(|t| t.num = 0xffff_ffff), fwv(RT, E::RscOffsetTableOutOfBounds));
    add("rsc-num-too-many", "rsc", "33 entries (vendor, 4 bytes each), above the limit of 32", {
        let entries: Vec<Vec<u8>> = (0..33).map(|_| words(&[128])).collect();
        ser(&custom_table(&Params::default(), rsc_table(&entries)))
    }, Verdict::Fw { stage: RT, err: E::RscTooManyEntries });
    add("rsc-offset-past-table", "rsc", "offset[0] 0x1000, past the end of the table", with_table(|t| t.offsets = Some(vec![0x1000, TRACE_OFF as u32])), fwv(RT, E::RscOffsetOutOfBounds { index: 0 }));
    add("rsc-offset-into-header", "rsc", "offset[0] 4, inside the table header", with_table(|t| t.offsets = Some(vec![4, TRACE_OFF as u32])), fwv(RT, E::RscOffsetOutOfBounds { index: 0 }));
    add("rsc-offset-into-offsets", "rsc", "offset[1] 0x14, inside the offset array", with_table(|t| t.offsets = Some(vec![VDEV_OFF as u32, 0x14])), fwv(RT, E::RscOffsetOutOfBounds { index: 1 }));
    add("rsc-offset-last-2-bytes", "rsc", "offset[1] = table size - 2: no room for the type word", with_table(|t| t.offsets = Some(vec![VDEV_OFF as u32, 140 - 2])), fwv(RT, E::RscOffsetOutOfBounds { index: 1 }));
    add("rsc-offset-misaligned", "rsc", "offset[1] 0x5d, not 4-byte aligned", with_table(|t| t.offsets = Some(vec![VDEV_OFF as u32, TRACE_OFF as u32 + 1])), fwv(RT, E::RscOffsetMisaligned { index: 1 }));
    add("rsc-entries-same-offset", "rsc", "offset[0] = offset[1]: the vdev twice, on the same bytes", with_table(|t| t.offsets = Some(vec![VDEV_OFF as u32, VDEV_OFF as u32])), fwv(RT, E::RscEntriesOverlap { index: 1 }));
    add("rsc-offset-into-vdev", "rsc", "offset[1] 0x44 points inside the vdev (a carveout made of vring bytes)", with_table(|t| t.offsets = Some(vec![VDEV_OFF as u32, 0x44])), fwv(RT, E::RscEntriesOverlap { index: 1 }));
    add("rsc-vdev-config-overlaps-trace", "rsc", "vdev config_len 44: its config space covers the trace entry", with_table(|t| t.vdev.header.config_len = 44), fwv(RT, E::RscEntriesOverlap { index: 1 }));
    add("rsc-type-unknown", "rsc", "entry 0 of type 4 (RSC_LAST, unknown)", with_rsc_bytes(|b| put32(b, VDEV_OFF, 4)), fwv(RT, E::RscUnknownType { index: 0, kind: 4 }));
    add("rsc-type-past-vendor", "rsc", "entry 0 of type 513, past the vendor range 128..512", with_rsc_bytes(|b| put32(b, VDEV_OFF, 513)), fwv(RT, E::RscUnknownType { index: 0, kind: 513 }));
    add("rsc-vdev-truncated", "rsc", ".resource_table sh_size 0x44 ends inside the vdev's vrings", with_image(|i, _| {
        let s = sec(i, ".resource_table");
        i.sections[s].sh_size = Some(0x44);
    }), fwv(RT, E::RscEntryTruncated { index: 0 }));
    add("rsc-trace-truncated", "rsc", ".resource_table sh_size 0x74 ends inside the trace entry", with_image(|i, _| {
        let s = sec(i, ".resource_table");
        i.sections[s].sh_size = Some(0x74);
    }), fwv(RT, E::RscEntryTruncated { index: 1 }));
    add("rsc-trace-past-table", "rsc", "offset[1] 136: a trace entry starting 4 bytes before the table's end", with_fw(|fw| {
        fw.table.offsets = Some(vec![VDEV_OFF as u32, 136]);
        let mut b = fw.table.encode();
        put32(&mut b, 136, 2);
        fw.image.segments[SEG_RSC].data = b;
    }), fwv(RT, E::RscEntryTruncated { index: 1 }));
    add("rsc-vdev-vrings-255", "rsc", "vdev num_of_vrings 255", with_table(|t| t.vdev.header.num_of_vrings = 255), fwv(RT, E::RscVdevTooManyVrings { index: 0 }));
    add("rsc-vdev-vrings-3", "rsc", "vdev num_of_vrings 3 (the core has room for 2)", with_table(|t| t.vdev.header.num_of_vrings = 3), fwv(RT, E::RscVdevTooManyVrings { index: 0 }));
    add("rsc-vdev-config-len-huge", "rsc", "vdev config_len 0xfffffff0 (overflows)", with_table(|t| t.vdev.header.config_len = 0xffff_fff0), fwv(RT, E::RscVdevConfigOverflow { index: 0 }));
    add("rsc-vdev-config-past-table", "rsc", "vdev config_len 0x100, past the end of the table", with_table(|t| t.vdev.header.config_len = 0x100), fwv(RT, E::RscVdevConfigOverflow { index: 0 }));
    add("rsc-vdev-reserved-nonzero", "rsc", "vdev reserved[0] = 1", with_table(|t| t.vdev.header.reserved[0] = 1), fwv(RT, E::RscVdevReservedNotZero { index: 0 }));
    add("rsc-vring-num-3", "rsc", "vring0 num 3, not a power of two", with_table(|t| t.vdev.vrings[0].num = 3), fwv(RT, E::RscVringNumInvalid { index: 0, vring: 0 }));
    add("rsc-vring-num-0", "rsc", "vring1 num 0", with_table(|t| t.vdev.vrings[1].num = 0), fwv(RT, E::RscVringNumInvalid { index: 0, vring: 1 }));
    add("rsc-vring-num-huge", "rsc", "vring0 num 0x80000000 (vring_size overflows)", with_table(|t| t.vdev.vrings[0].num = 0x8000_0000), fwv(RT, E::RscVringNumInvalid { index: 0, vring: 0 }));
    add("rsc-vring-align-3", "rsc", "vring0 align 3, not a power of two", with_table(|t| t.vdev.vrings[0].align = 3), fwv(RT, E::RscVringAlignInvalid { index: 0, vring: 0 }));
    add("rsc-vring-align-0", "rsc", "vring1 align 0", with_table(|t| t.vdev.vrings[1].align = 0), fwv(RT, E::RscVringAlignInvalid { index: 0, vring: 1 }));
    add("rsc-vring-align-huge", "rsc", "vring0 align 1 MiB", with_table(|t| t.vdev.vrings[0].align = 1 << 20), fwv(RT, E::RscVringAlignInvalid { index: 0, vring: 0 }));
    add("rsc-vring-da-outside-carveout", "rsc", "vring0 da 0x90000000, outside every vring carveout", with_table(|t| t.vdev.vrings[0].da = 0x9000_0000), fwv(RT, E::RscVringDaOutOfRange { index: 0, vring: 0 }));
    add("rsc-vring-da-straddles-carveout", "rsc", "vring0 da 0x88007ff0: its 230 bytes run past the end of vdev0vring0", with_table(|t| t.vdev.vrings[0].da = 0x8800_7ff0), fwv(RT, E::RscVringDaOutOfRange { index: 0, vring: 0 }));
    add("rsc-vring-da-in-m7-reserved", "rsc", "vring0 da 0x80100000, in the M7's image memory", with_table(|t| t.vdev.vrings[0].da = 0x8010_0000), fwv(RT, E::RscVringDaOutOfRange { index: 0, vring: 0 }));
    add("rsc-duplicate-notifyid", "rsc", "vring1 notifyid 0, the same as vring0's", with_table(|t| t.vdev.vrings[1].notifyid = 0), fwv(RT, E::RscDuplicateNotifyId { index: 0 }));
    add("rsc-trace-wraps", "rsc", "trace da 0xfffff800 len 0x1000: wraps the 32-bit address space", with_table(|t| t.trace.as_mut().unwrap().da = 0xffff_f800), fwv(RT, E::RscTraceInvalid { index: 1 }));
    add("rsc-trace-len-zero", "rsc", "trace len 0", with_table(|t| t.trace.as_mut().unwrap().len = 0), fwv(RT, E::RscTraceInvalid { index: 1 }));
    add("rsc-trace-outside-memory", "rsc", "trace buffer at 0x60000000, in no memory of the M7", with_table(|t| t.trace.as_mut().unwrap().da = 0x6000_0000), Verdict::TraceOutside { index: 1, da: 0x6000_0000, len: 0x1000 });
    let table_len = baseline_table_len();
    add("rsc-trace-in-rsc-table-region", "rsc", "trace buffer at 0x88220000, over the resource table in the rsc-table region", with_table(|t| t.trace.as_mut().unwrap().da = 0x8822_0000), Verdict::TraceOverTable { index: 1, da: 0x8822_0000, len: 0x1000, table_len });
    add("valid-trace-in-rsc-table-region", "valid", "trace buffer 0x88220800+0x800, in the rsc-table region past the resource table", with_table(|t| {
        let tr = t.trace.as_mut().unwrap();
        tr.da = 0x8822_0800;
        tr.len = 0x800;
    }), Verdict::Boots);
    add("rsc-trace-reserved-nonzero", "rsc", "trace reserved word 1", with_table(|t| t.trace.as_mut().unwrap().reserved = 1), fwv(RT, E::RscEntryReservedNotZero { index: 1 }));
    add("rsc-trace-name-unterminated", "rsc", "trace name: 32 bytes without NUL", with_table(|t| t.trace.as_mut().unwrap().name = [b'A'; 32]), fwv(RT, E::RscNameUnterminated { index: 1 }));
    add("rsc-carveout-len-zero", "rsc", "carveout len 0", with_entries_then_vdev(vec![carveout(FW_RSC_ADDR_ANY, FW_RSC_ADDR_ANY, 0)]), fwv(RT, E::RscCarveoutInvalid { index: 0 }));
    add("rsc-carveout-da-wraps", "rsc", "carveout da 0xfffff000 len 0x2000: wraps", with_entries_then_vdev(vec![carveout(0xffff_f000, FW_RSC_ADDR_ANY, 0x2000)]), fwv(RT, E::RscCarveoutInvalid { index: 0 }));
    add("rsc-carveout-pa-wraps", "rsc", "carveout pa 0xfffff000 len 0x2000: wraps", with_entries_then_vdev(vec![carveout(FW_RSC_ADDR_ANY, 0xffff_f000, 0x2000)]), fwv(RT, E::RscCarveoutInvalid { index: 0 }));
    add("rsc-carveout-len-huge", "rsc", "carveout da 0x80000000 len 0x90000000: past 4 GiB", with_entries_then_vdev(vec![carveout(0x8000_0000, FW_RSC_ADDR_ANY, 0x9000_0000)]), fwv(RT, E::RscCarveoutInvalid { index: 0 }));
    add("rsc-carveout-name-percent", "rsc", "carveout name \"m7%s%s%n\": a printf format", with_entries_then_vdev(vec![mem_entry(0, FW_RSC_ADDR_ANY, FW_RSC_ADDR_ANY, 0x1000, 0, rsc::name32("m7%s%s%n"))]), fwv(RT, E::RscNameFormat { index: 0 }));
    add("rsc-carveout-name-unterminated", "rsc", "carveout name: 32 bytes without NUL", with_entries_then_vdev(vec![mem_entry(0, FW_RSC_ADDR_ANY, FW_RSC_ADDR_ANY, 0x1000, 0, [b'c'; 32])]), fwv(RT, E::RscNameUnterminated { index: 0 }));
    add("rsc-carveout-reserved-nonzero", "rsc", "carveout reserved word 1", with_entries_then_vdev(vec![mem_entry(0, FW_RSC_ADDR_ANY, FW_RSC_ADDR_ANY, 0x1000, 1, rsc::name32("m7_heap"))]), fwv(RT, E::RscEntryReservedNotZero { index: 0 }));
    add("rsc-carveout-truncated", "rsc", "a carveout entry cut by the end of the table", {
        let mut t = rsc_table(&[vdev_entry(), carveout(FW_RSC_ADDR_ANY, FW_RSC_ADDR_ANY, 0x1000)]);
        t.truncate(t.len() - 8);
        ser(&custom_table(&Params::default(), t))
    }, fwv(RT, E::RscEntryTruncated { index: 1 }));
    add("rsc-devmem-len-zero", "rsc", "devmem len 0", with_entries_then_vdev(vec![mem_entry(1, 0x4000_0000, 0x4000_0000, 0, 0, rsc::name32("regs"))]), fwv(RT, E::RscDevmemInvalid { index: 0 }));
    add("rsc-devmem-name-percent", "rsc", "devmem name \"%p%p%p\"", with_entries_then_vdev(vec![mem_entry(1, 0x4000_0000, 0x4000_0000, 0x1000, 0, rsc::name32("%p%p%p"))]), fwv(RT, E::RscNameFormat { index: 0 }));
    add("rsc-table-4097", "rsc", "resource table of 4097 bytes, one more than the 4 KiB rsc-table region", ser(&padded_table(4097)), Verdict::TableTooLarge { len: 4097 });
    add("rsc-table-64k", "rsc", "resource table of 64 KiB, 16 times the rsc-table region", ser(&padded_table(64 << 10)), Verdict::TableTooLarge { len: 64 << 10 });

    // ---------------------------------------------------- valid edge cases
    add(BASELINE_NAME, "valid", "the baseline: default image with trace (the image booted after every case)", ser(&baseline()), Verdict::Boots);
    add("valid-ends-at-m7-end", "valid", "data segment ending exactly at the end of m7_reserved (0x81000000)", ser(&fill), Verdict::Boots);
    add("valid-bss-only-data", "valid", "data segment with p_filesz 0 < p_memsz (.bss only)", ser(&firmware::build(&Params { data_size: 0, ..baseline_params() }).expect("builds")), Verdict::Boots);
    add("valid-no-resource-table", "valid", "no .resource_table at all (idle image: no IPC)", {
        let mut fw = firmware::build(&idle_params()).expect("builds");
        drop_resource_table(&mut fw.image);
        ser(&fw)
    }, Verdict::Boots);
    add("valid-no-section-headers", "valid", "e_shnum 0, e_shoff 0: no section headers (idle image)", {
        let mut fw = firmware::build(&idle_params()).expect("builds");
        fw.image.sections.clear();
        fw.image.header.e_shoff = Some(0);
        ser(&fw)
    }, Verdict::Boots);
    add("valid-empty-rsc-table", "valid", "resource table with num 0 (idle image)", {
        ser(&custom_table(&idle_params(), words(&[1, 0, 0, 0])))
    }, Verdict::Boots);
    add("valid-rsc-table-4096", "valid", "resource table of exactly 4096 bytes, the rsc-table region's size", ser(&padded_table(4096)), Verdict::Boots);
    add("valid-zero-size-segment", "valid", "an extra PT_LOAD with p_filesz = p_memsz = 0 at 0x60000000 (ignored)", with_fw(|fw| {
        fw.image.segments.push(Segment::load(0x6000_0000, PF_R, Vec::new(), 0, 8));
    }), Verdict::Boots);
    add("valid-entry-not-reset-handler", "valid", "e_entry is the default handler, not the vector table's reset handler", with_image(|i, _| i.header.e_entry = plan.default_handler | 1), Verdict::Boots);
    add("valid-vring-da-in-carveouts", "valid", "vrings at fixed addresses 0x88000000 and 0x88008000, inside their carveouts", with_table(|t| {
        t.vdev.vrings[0].da = VRING_CARVEOUTS[0].0 as u32;
        t.vdev.vrings[1].da = VRING_CARVEOUTS[1].0 as u32;
    }), Verdict::Boots);
    // The layouts real firmware is linked in (crate::layouts, which names their sources):
    // each must boot (the firmware scenarios run them through both drivers with rpmsg).
    for l in crate::layouts::all() {
        let name: &'static str = Box::leak(format!("valid-layout-{}", l.name).into_boxed_str());
        let bytes = l.image.serialize().expect("layout serialises").0;
        add(name, "valid", l.about, bytes, Verdict::Boots);
    }
    v
}

/// The manifest: a header line starting with `#`, then one
/// tab-separated line per case: name, file, expect (`reject` or `boot`),
/// errno (negative, `-` for boot), errno name, message substring (`-` for
/// boot), check, group, defect.
pub fn manifest(cases: &[Case]) -> String {
    let mut s =
        String::from("# name\tfile\texpect\terrno\terrname\tmessage\tcheck\tgroup\tdefect\n");
    for c in cases {
        let (expect, errno, errname) = match c.expect.errno() {
            Some(e) => ("reject", e.to_string(), crate::errno::name(e)),
            None => ("boot", "-".into(), "-"),
        };
        let msg = c.expect.message().unwrap_or_else(|| "-".into());
        let _ = writeln!(
            s,
            "{}\t{}\t{expect}\t{errno}\t{errname}\t{msg}\t{}\t{}\t{}",
            c.name,
            c.file_name(),
            c.expect.check(),
            c.group,
            c.defect
        );
    }
    s
}

/// Writes every image and `manifest.tsv` to `dir` (created if needed);
/// returns the number of defects and of valid cases.
pub fn write(dir: &std::path::Path) -> std::io::Result<(usize, usize)> {
    std::fs::create_dir_all(dir)?;
    let cases = cases();
    for c in &cases {
        std::fs::write(dir.join(c.file_name()), &c.bytes)?;
    }
    std::fs::write(dir.join("manifest.tsv"), manifest(&cases))?;
    let valid = cases.iter().filter(|c| c.expect == Verdict::Boots).count();
    Ok((cases.len() - valid, valid))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The cases, built once for all tests.
    fn all() -> &'static [Case] {
        static CASES: std::sync::OnceLock<Vec<Case>> = std::sync::OnceLock::new();
        CASES.get_or_init(cases)
    }

    fn case(name: &str) -> &'static Case {
        all()
            .iter()
            .find(|c| c.name == name)
            .unwrap_or_else(|| panic!("no case {name}"))
    }

    /// The image has exactly the expected defect: the driver's checks, in
    /// the driver's order, stop at it (or accept a valid case).
    fn check_case(name: &str) {
        let c = case(name);
        assert_eq!(driver_model(&c.bytes), c.expect, "{name}: {}", c.defect);
        if c.group == "valid" {
            assert_eq!(c.expect, Verdict::Boots);
        } else {
            assert_ne!(c.expect, Verdict::Boots, "{name} is a defect");
        }
    }

    macro_rules! case_tests {
        ($($f:ident => $name:literal,)*) => {
            $(
                #[test]
                fn $f() {
                    check_case($name);
                }
            )*
            const TESTED: &[&str] = &[$($name),*];
        };
    }

    case_tests! {
        elf_truncated_40 => "elf-truncated-40",
        elf_truncated_51 => "elf-truncated-51",
        elf_bad_magic => "elf-bad-magic",
        elf_class64 => "elf-class64",
        elf_class_none => "elf-class-none",
        elf_data_msb => "elf-data-msb",
        elf_data_none => "elf-data-none",
        elf_ei_version_0 => "elf-ei-version-0",
        elf_ei_version_2 => "elf-ei-version-2",
        elf_e_version_0 => "elf-e-version-0",
        elf_e_version_2 => "elf-e-version-2",
        elf_type_rel => "elf-type-rel",
        elf_type_dyn => "elf-type-dyn",
        elf_type_core => "elf-type-core",
        elf_machine_x86 => "elf-machine-x86",
        elf_machine_aarch64 => "elf-machine-aarch64",
        elf_ehsize_small => "elf-ehsize-small",
        elf_phentsize_small => "elf-phentsize-small",
        elf_phentsize_zero => "elf-phentsize-zero",
        elf_phnum_zero => "elf-phnum-zero",
        elf_phnum_xnum => "elf-phnum-xnum",
        elf_phoff_past_eof => "elf-phoff-past-eof",
        elf_phoff_max => "elf-phoff-max",
        elf_phtable_past_eof => "elf-phtable-past-eof",
        elf_phtable_overflow => "elf-phtable-overflow",
        elf_shoff_past_eof => "elf-shoff-past-eof",
        elf_shoff_max => "elf-shoff-max",
        elf_shtable_past_eof => "elf-shtable-past-eof",
        elf_shtable_overflow => "elf-shtable-overflow",
        elf_shentsize_small => "elf-shentsize-small",
        elf_shentsize_zero => "elf-shentsize-zero",
        sh_shstrndx_out_of_range => "sh-shstrndx-out-of-range",
        sh_shstrndx_xindex => "sh-shstrndx-xindex",
        sh_shstrtab_not_strtab => "sh-shstrtab-not-strtab",
        sh_shstrtab_past_eof => "sh-shstrtab-past-eof",
        sh_shstrtab_size_huge => "sh-shstrtab-size-huge",
        sh_name_out_of_table => "sh-name-out-of-table",
        sh_name_at_table_end => "sh-name-at-table-end",
        sh_name_unterminated => "sh-name-unterminated",
        rsc_section_offset_past_eof => "rsc-section-offset-past-eof",
        rsc_section_offset_wraps => "rsc-section-offset-wraps",
        rsc_section_size_past_eof => "rsc-section-size-past-eof",
        rsc_section_size_zero => "rsc-section-size-zero",
        rsc_section_size_12 => "rsc-section-size-12",
        rsc_section_nobits => "rsc-section-nobits",
        seg_offset_past_eof => "seg-offset-past-eof",
        seg_filesz_past_eof => "seg-filesz-past-eof",
        seg_offset_wraps => "seg-offset-wraps",
        seg_filesz_gt_memsz => "seg-filesz-gt-memsz",
        seg_memsz_zero => "seg-memsz-zero",
        seg_addr_wraps => "seg-addr-wraps",
        seg_ends_at_4g => "seg-ends-at-4g",
        seg_outside_att => "seg-outside-att",
        seg_in_att_unmapped => "seg-in-att-unmapped",
        seg_straddles_m7_start => "seg-straddles-m7-start",
        seg_straddles_m7_end => "seg-straddles-m7-end",
        valid_seg_in_rsc_table_region => "valid-seg-in-rsc-table-region",
        valid_seg_fills_rsc_table_region => "valid-seg-fills-rsc-table-region",
        seg_overlaps_rsc_table_end => "seg-overlaps-rsc-table-end",
        seg_in_vring_carveout => "seg-in-vring-carveout",
        seg_in_vdevbuffer => "seg-in-vdevbuffer",
        seg_no_pt_load => "seg-no-pt-load",
        seg_all_zero_size => "seg-all-zero-size",
        vec_reset_not_thumb => "vec-reset-not-thumb",
        vec_reset_outside_image => "vec-reset-outside-image",
        vec_reset_unmapped => "vec-reset-unmapped",
        vec_sp_zero => "vec-sp-zero",
        vec_sp_misaligned => "vec-sp-misaligned",
        vec_table_not_loaded => "vec-table-not-loaded",
        vec_table_in_bss => "vec-table-in-bss",
        vec_entry_masked_unmapped => "vec-entry-masked-unmapped",
        rsc_version_0 => "rsc-version-0",
        rsc_version_2 => "rsc-version-2",
        rsc_reserved_nonzero => "rsc-reserved-nonzero",
        rsc_num_huge => "rsc-num-huge",
        rsc_num_max => "rsc-num-max",
        rsc_num_too_many => "rsc-num-too-many",
        rsc_offset_past_table => "rsc-offset-past-table",
        rsc_offset_into_header => "rsc-offset-into-header",
        rsc_offset_into_offsets => "rsc-offset-into-offsets",
        rsc_offset_last_2_bytes => "rsc-offset-last-2-bytes",
        rsc_offset_misaligned => "rsc-offset-misaligned",
        rsc_entries_same_offset => "rsc-entries-same-offset",
        rsc_offset_into_vdev => "rsc-offset-into-vdev",
        rsc_vdev_config_overlaps_trace => "rsc-vdev-config-overlaps-trace",
        rsc_type_unknown => "rsc-type-unknown",
        rsc_type_past_vendor => "rsc-type-past-vendor",
        rsc_vdev_truncated => "rsc-vdev-truncated",
        rsc_trace_truncated => "rsc-trace-truncated",
        rsc_trace_past_table => "rsc-trace-past-table",
        rsc_vdev_vrings_255 => "rsc-vdev-vrings-255",
        rsc_vdev_vrings_3 => "rsc-vdev-vrings-3",
        rsc_vdev_config_len_huge => "rsc-vdev-config-len-huge",
        rsc_vdev_config_past_table => "rsc-vdev-config-past-table",
        rsc_vdev_reserved_nonzero => "rsc-vdev-reserved-nonzero",
        rsc_vring_num_3 => "rsc-vring-num-3",
        rsc_vring_num_0 => "rsc-vring-num-0",
        rsc_vring_num_huge => "rsc-vring-num-huge",
        rsc_vring_align_3 => "rsc-vring-align-3",
        rsc_vring_align_0 => "rsc-vring-align-0",
        rsc_vring_align_huge => "rsc-vring-align-huge",
        rsc_vring_da_outside_carveout => "rsc-vring-da-outside-carveout",
        rsc_vring_da_straddles_carveout => "rsc-vring-da-straddles-carveout",
        rsc_vring_da_in_m7_reserved => "rsc-vring-da-in-m7-reserved",
        rsc_duplicate_notifyid => "rsc-duplicate-notifyid",
        rsc_trace_wraps => "rsc-trace-wraps",
        rsc_trace_len_zero => "rsc-trace-len-zero",
        rsc_trace_outside_memory => "rsc-trace-outside-memory",
        rsc_trace_in_rsc_table_region => "rsc-trace-in-rsc-table-region",
        valid_trace_in_rsc_table_region => "valid-trace-in-rsc-table-region",
        rsc_trace_reserved_nonzero => "rsc-trace-reserved-nonzero",
        rsc_trace_name_unterminated => "rsc-trace-name-unterminated",
        rsc_carveout_len_zero => "rsc-carveout-len-zero",
        rsc_carveout_da_wraps => "rsc-carveout-da-wraps",
        rsc_carveout_pa_wraps => "rsc-carveout-pa-wraps",
        rsc_carveout_len_huge => "rsc-carveout-len-huge",
        rsc_carveout_name_percent => "rsc-carveout-name-percent",
        rsc_carveout_name_unterminated => "rsc-carveout-name-unterminated",
        rsc_carveout_reserved_nonzero => "rsc-carveout-reserved-nonzero",
        rsc_carveout_truncated => "rsc-carveout-truncated",
        rsc_devmem_len_zero => "rsc-devmem-len-zero",
        rsc_devmem_name_percent => "rsc-devmem-name-percent",
        rsc_table_4097 => "rsc-table-4097",
        rsc_table_64k => "rsc-table-64k",
        valid_baseline => "valid-baseline",
        valid_ends_at_m7_end => "valid-ends-at-m7-end",
        valid_bss_only_data => "valid-bss-only-data",
        valid_no_resource_table => "valid-no-resource-table",
        valid_no_section_headers => "valid-no-section-headers",
        valid_empty_rsc_table => "valid-empty-rsc-table",
        valid_rsc_table_4096 => "valid-rsc-table-4096",
        valid_zero_size_segment => "valid-zero-size-segment",
        valid_entry_not_reset_handler => "valid-entry-not-reset-handler",
        valid_vring_da_in_carveouts => "valid-vring-da-in-carveouts",
        valid_layout_ddr_rsc_region => "valid-layout-ddr-rsc-region",
        valid_layout_ddr_table_in_data => "valid-layout-ddr-table-in-data",
        valid_layout_ddr_mcux_sdk => "valid-layout-ddr-mcux-sdk",
        valid_layout_ddr_no_table => "valid-layout-ddr-no-table",
        valid_layout_ddr_rsc_region_extra_phdrs => "valid-layout-ddr-rsc-region-extra-phdrs",
        valid_layout_ddr_bss_at_region_end => "valid-layout-ddr-bss-at-region-end",
        valid_layout_tcm_rsc_region => "valid-layout-tcm-rsc-region",
        valid_layout_tcm_table_in_ddr => "valid-layout-tcm-table-in-ddr",
        valid_layout_tcm_no_table => "valid-layout-tcm-no-table",
    }

    #[test]
    fn every_case_has_its_test_and_names_are_unique() {
        let names: Vec<&str> = all().iter().map(|c| c.name).collect();
        assert_eq!(names, TESTED);
        let mut sorted = names.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted.len(), names.len(), "duplicate case name");
        for n in names {
            assert!(
                n.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'),
                "{n}"
            );
        }
    }

    #[test]
    fn at_least_60_defects_and_the_valid_edge_cases() {
        let cs = all();
        let defects = cs.iter().filter(|c| c.expect != Verdict::Boots).count();
        assert!(defects >= 60, "{defects} defects");
        assert_eq!(
            cs.iter().filter(|c| c.group == "valid").count(),
            cs.len() - defects
        );
        assert_eq!(case(BASELINE_NAME).bytes, ser(&baseline()));
    }

    #[test]
    fn defect_images_are_distinct() {
        let cs = all();
        for (i, a) in cs.iter().enumerate() {
            for b in &cs[..i] {
                assert_ne!(
                    a.bytes, b.bytes,
                    "{} and {} are the same image",
                    a.name, b.name
                );
            }
        }
    }

    #[test]
    fn edge_cases_are_on_the_edge() {
        // Ends exactly at the end of m7_reserved; one byte more is the defect.
        let b = &case("valid-ends-at-m7-end").bytes;
        let elf = Elf32::parse(b).unwrap();
        let data = elf.load_segment(SEG_DATA).unwrap().unwrap();
        assert_eq!(
            u64::from(data.paddr) + u64::from(data.memsz),
            M7_RESERVED.0 + M7_RESERVED.1
        );
        assert!(data.memsz > data.filesz);
        let b = &case("seg-straddles-m7-end").bytes;
        let elf = Elf32::parse(b).unwrap();
        let data = elf.load_segment(SEG_DATA).unwrap().unwrap();
        assert_eq!(
            u64::from(data.paddr) + u64::from(data.memsz),
            M7_RESERVED.0 + M7_RESERVED.1 + 1
        );
        // The 4096-byte table fits, the 4097-byte one does not.
        for (name, len) in [("valid-rsc-table-4096", 4096), ("rsc-table-4097", 4097)] {
            let b = &case(name).bytes;
            let elf = Elf32::parse(b).unwrap();
            let s = elf.find_section(b".resource_table").unwrap().unwrap();
            assert_eq!(s.data.len(), len);
        }
        // No table at all, and no section headers at all.
        let b = &case("valid-no-resource-table").bytes;
        assert!(Elf32::parse(b)
            .unwrap()
            .find_section(b".resource_table")
            .unwrap()
            .is_none());
        let b = &case("valid-no-section-headers").bytes;
        assert_eq!(Elf32::parse(b).unwrap().shnum(), 0);
        // .bss only.
        let b = &case("valid-bss-only-data").bytes;
        let elf = Elf32::parse(b).unwrap();
        let data = elf.load_segment(SEG_DATA).unwrap().unwrap();
        assert_eq!((data.filesz, data.memsz > 0), (0, true));
    }

    #[test]
    fn valid_images_keep_a_correct_manifest() {
        // The simulated M7 checks the manifest's checksums over what was
        // loaded: every valid case must still carry a sealed manifest.
        // The layouts of real firmware carry none, by design.
        for c in all()
            .iter()
            .filter(|c| c.expect == Verdict::Boots && !c.name.starts_with("valid-layout-"))
        {
            let elf = Elf32::parse(&c.bytes).unwrap();
            let code = elf.load_segment(SEG_CODE).unwrap().unwrap();
            let m = manifest::Manifest::decode(&code.data[manifest::OFFSET..]).unwrap();
            assert_eq!(
                manifest::code_checksum(code.data),
                Some(m.code_crc),
                "{}",
                c.name
            );
        }
    }

    #[test]
    fn manifest_lines() {
        let cs = all();
        let m = manifest(cs);
        let lines: Vec<&str> = m.lines().collect();
        assert_eq!(lines.len(), cs.len() + 1);
        assert!(lines[0].starts_with('#'));
        for (l, c) in lines[1..].iter().zip(cs) {
            let f: Vec<&str> = l.split('\t').collect();
            assert_eq!(f.len(), 9, "{l}");
            assert_eq!(f[0], c.name);
            assert!(f.iter().all(|x| !x.is_empty()), "{l}");
        }
        let l = lines
            .iter()
            .find(|l| l.starts_with("elf-phnum-zero\t"))
            .unwrap();
        assert_eq!(
            *l,
            "elf-phnum-zero\telf-phnum-zero.elf\treject\t-22\tEINVAL\tno program headers (hex: NoSegments)\t\
             invalid-firmware:NoSegments\telf\te_phnum 0: no program headers"
        );
        let l = lines
            .iter()
            .find(|l| l.starts_with("seg-straddles-m7-end\t"))
            .unwrap();
        assert!(
            l.contains("segment 2 (da 0x80004090, 0xffbf71 bytes) is outside every memory region"),
            "{l}"
        );
    }
}
