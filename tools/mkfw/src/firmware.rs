// SPDX-License-Identifier: GPL-2.0

//! The firmware image: layout computation ([`plan`]) and construction
//! ([`build`]) of an image shaped like Zephyr's `openamp_rsc_table` sample
//! for the i.MX95 M7 DDR build.
//!
//! # Memory layout
//!
//! Everything is placed in the region `[base, base + region_size)`
//! (defaults `0x8000_0000` and 16 MiB: the Verdin `m7_reserved` region),
//! in this order, with no gaps other than 8-byte alignment:
//!
//! ```text
//! base                       PT_LOAD 0, R X, filesz = memsz = code_size
//!   +0x000  vector table     16 words: SP, reset|1, 14 x default|1   } section
//!   +0x040  manifest         64 bytes (see manifest.rs)              } rom_start
//!   +0x080  IRQ vectors      default|1 up to +0x400                  } (0x400)
//!   +0x400  reset handler    Thumb `b .; nop`  (e_entry = base+0x401)  } section
//!   +0x404  default handler  Thumb `b .; nop`                          } .text
//!   +0x408  filler           xorshift32 pseudo-random bytes (--seed)   }
//! rsc_addr = base + code_size  PT_LOAD 1, R: .resource_table
//!                            (88 bytes, 140 with --trace)
//! data_addr = align8(rsc_addr + rsc_len)  PT_LOAD 2, R W
//!   .data   data_size bytes of pseudo-random data  (p_filesz)
//!   .bss    bss_size zero-filled bytes             (p_memsz - p_filesz)
//!           [trace buffer (--trace) at its start, stack at its end]
//! end = data_addr + data_size + bss_size = initial SP (vector word 0)
//! ```
//!
//! The footprint `end - base = code_size + align8(rsc_len) + data_size +
//! bss_size` must not exceed `region_size`; the size options are totals:
//! `code_size` is the whole code segment (vector table, manifest,
//! handlers and filler), `bss_size` the whole zero-filled tail (trace
//! buffer and stack included). [`Params::image_size`], when given, is the
//! whole footprint, and `code_size` is derived from it:
//! `code_size = image_size - align8(rsc_len) - data_size - bss_size`.
//!
//! # Reset vector
//!
//! `e_entry` is the Thumb address of the reset handler, `base + 0x401`.
//! The i.MX95 driver programs the reset vector `e_entry & 0xFFFF_0000`,
//! which is `base` (hence `base` must be 64 KiB aligned): the vector table,
//! whose word 1 is `e_entry` again.

use std::fmt;

use crate::manifest::{self, Manifest};
use crate::rsc::ZephyrTable;
use crate::Error;
use imx_rproc_fw::elf::{
    PF_R, PF_W, PF_X, SHF_ALLOC, SHF_EXECINSTR, SHF_WRITE, SHT_NOBITS, SHT_PROGBITS,
};
use imx_rproc_fw::elfw::{Header, Image, Section, SectionData, Segment};

/// Default load address: the Verdin `m7_reserved` region in DDR.
pub const DEFAULT_BASE: u32 = 0x8000_0000;
/// Default region size: the 16 MiB of `m7_reserved`.
pub const DEFAULT_REGION_SIZE: u64 = 16 << 20;
/// Default code segment size.
pub const DEFAULT_CODE_SIZE: u32 = 16 << 10;
/// Default `.data` size.
pub const DEFAULT_DATA_SIZE: u32 = 4 << 10;
/// Default `.bss` size.
pub const DEFAULT_BSS_SIZE: u32 = 8 << 10;
/// Default trace buffer length.
pub const DEFAULT_TRACE_LEN: u32 = 4 << 10;
/// Default filler seed ("MKFW").
pub const DEFAULT_SEED: u32 = 0x4d4b_4657;

/// Alignment of the reset vector (`e_entry & 0xFFFF_0000`).
pub const VECTOR_ALIGN: u32 = 0x1_0000;
/// Size of the Cortex-M system vector table (16 words).
pub const VECTOR_TABLE_SIZE: u32 = 0x40;
/// The section announcing the ready doorbell (`--ready-doorbell`), which
/// imx_rproc_rs looks for.
pub const READY_SECTION: &str = ".imx_rproc.ready";

/// Size of the `rom_start` section (vector table, manifest, IRQ vectors).
pub const ROM_START_SIZE: u32 = 0x400;
/// Offset of the reset handler in the code segment.
pub const RESET_HANDLER_OFFSET: u32 = 0x400;
/// Offset of the default exception handler in the code segment.
pub const DEFAULT_HANDLER_OFFSET: u32 = 0x404;
/// Smallest code segment: everything up to the end of the handlers.
pub const MIN_CODE_SIZE: u32 = 0x408;
/// Alignment of every size and address of the layout.
pub const ALIGN: u32 = 8;
/// Smallest stack left at the top of `.bss` (after the trace buffer).
pub const MIN_STACK: u32 = 256;
/// `p_align` of every segment.
pub const SEGMENT_ALIGN: u32 = 8;
/// Thumb `b .` (branch to self).
pub const THUMB_B_SELF: u16 = 0xe7fe;
/// Thumb `nop`.
pub const THUMB_NOP: u16 = 0xbf00;

/// What to build. [`Params::default`] is the default image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Params {
    /// Address of the code segment and vector table (64 KiB aligned).
    pub base: u32,
    /// Size of the region starting at `base` the image must fit in.
    pub region_size: u64,
    /// Total code segment size (ignored when `image_size` is set).
    pub code_size: u32,
    /// Total footprint; when set, `code_size` is derived from it.
    pub image_size: Option<u64>,
    /// `.data` size (file-backed part of the data segment).
    pub data_size: u32,
    /// `.bss` size (zero-filled tail, trace buffer and stack included).
    pub bss_size: u32,
    /// Trace buffer length, if the trace entry is wanted.
    pub trace_len: Option<u32>,
    /// Manifest `behaviour`.
    pub behaviour: u32,
    /// Manifest `flags`.
    pub flags: u32,
    /// Manifest `crash_after_ms`.
    pub crash_after_ms: u32,
    /// Seed of the pseudo-random filler of `.text` and `.data`.
    pub seed: u32,
    /// The longest wait for the ready doorbell the image announces in its
    /// `.imx_rproc.ready` section (0: the driver's default). The section is
    /// written when this is set or the ready-doorbell flag is; set without
    /// the flag, the image announces a doorbell it never rings.
    pub ready_ms: Option<u32>,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            base: DEFAULT_BASE,
            region_size: DEFAULT_REGION_SIZE,
            code_size: DEFAULT_CODE_SIZE,
            image_size: None,
            data_size: DEFAULT_DATA_SIZE,
            bss_size: DEFAULT_BSS_SIZE,
            trace_len: None,
            behaviour: manifest::BEHAVIOUR_ZEPHYR,
            flags: 0,
            crash_after_ms: 0,
            seed: DEFAULT_SEED,
            ready_ms: None,
        }
    }
}

/// The computed addresses and sizes of an image (see the module docs).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Plan {
    /// Code segment / vector table address (= reset vector).
    pub base: u32,
    /// Region size.
    pub region_size: u64,
    /// Code segment size.
    pub code_size: u32,
    /// Manifest address (`base + 0x40`).
    pub manifest_addr: u32,
    /// Reset handler address (even).
    pub reset_handler: u32,
    /// Default handler address (even).
    pub default_handler: u32,
    /// `e_entry` (`reset_handler | 1`).
    pub entry: u32,
    /// `.resource_table` address.
    pub rsc_addr: u32,
    /// `.resource_table` size.
    pub rsc_len: u32,
    /// Data segment address.
    pub data_addr: u32,
    /// `.data` size (`p_filesz`).
    pub data_size: u32,
    /// `.bss` address.
    pub bss_addr: u32,
    /// `.bss` size (`p_memsz - p_filesz`).
    pub bss_size: u32,
    /// Trace buffer `(da, len)` at the start of `.bss`, if any.
    pub trace: Option<(u32, u32)>,
    /// Initial stack pointer: end of the data segment.
    pub stack_top: u32,
    /// `end - base`.
    pub footprint: u64,
}

fn check_aligned(what: &'static str, value: u64, align: u32) -> Result<(), Error> {
    if value % u64::from(align) == 0 {
        Ok(())
    } else {
        Err(Error::Unaligned { what, value, align })
    }
}

fn check_min(what: &'static str, value: u64, min: u64) -> Result<(), Error> {
    if value >= min {
        Ok(())
    } else {
        Err(Error::TooSmall { what, value, min })
    }
}

/// Computes the layout of `p`, or explains why it is impossible.
pub fn plan(p: &Params) -> Result<Plan, Error> {
    plan_with_rsc_len(p, ZephyrTable::size(p.trace_len.is_some()) as u32)
}

/// [`plan`] for a resource table of `rsc_len` bytes instead of the
/// sample's (see [`build_with_table`]).
pub fn plan_with_rsc_len(p: &Params, rsc_len: u32) -> Result<Plan, Error> {
    check_aligned("--base", u64::from(p.base), VECTOR_ALIGN)?;
    if p.region_size == 0 || u64::from(p.base) + p.region_size > 1 << 32 {
        return Err(Error::RegionOutsideAddressSpace {
            base: p.base,
            size: p.region_size,
        });
    }
    check_aligned("--data-size", u64::from(p.data_size), ALIGN)?;
    check_aligned("--bss-size", u64::from(p.bss_size), ALIGN)?;
    let trace_len = p.trace_len.unwrap_or(0);
    if let Some(len) = p.trace_len {
        check_aligned("--trace-len", u64::from(len), ALIGN)?;
        check_min("--trace-len", u64::from(len), 1)?;
    }
    check_min(
        "--bss-size",
        u64::from(p.bss_size),
        u64::from(trace_len) + u64::from(MIN_STACK),
    )?;

    let rsc_span = u64::from(rsc_len.next_multiple_of(ALIGN));
    let rest = rsc_span + u64::from(p.data_size) + u64::from(p.bss_size);
    let code_size = match p.image_size {
        Some(total) => {
            check_aligned("--image-size", total, ALIGN)?;
            check_min("--image-size", total, rest + u64::from(MIN_CODE_SIZE))?;
            u32::try_from(total - rest).map_err(|_| Error::DoesNotFit {
                base: p.base,
                region_size: p.region_size,
                code: total - rest,
                rsc: rsc_span,
                data: p.data_size,
                bss: p.bss_size,
            })?
        }
        None => p.code_size,
    };
    check_aligned("--code-size", u64::from(code_size), ALIGN)?;
    check_min(
        "--code-size",
        u64::from(code_size),
        u64::from(MIN_CODE_SIZE),
    )?;

    let footprint = u64::from(code_size) + rest;
    if footprint > p.region_size {
        return Err(Error::DoesNotFit {
            base: p.base,
            region_size: p.region_size,
            code: u64::from(code_size),
            rsc: rsc_span,
            data: p.data_size,
            bss: p.bss_size,
        });
    }
    // Everything below is inside [base, base + region_size) <= 2^32.
    let rsc_addr = p.base + code_size;
    let data_addr = rsc_addr + rsc_span as u32;
    let bss_addr = data_addr + p.data_size;
    let stack_top = (u64::from(p.base) + footprint) as u32;
    let reset_handler = p.base + RESET_HANDLER_OFFSET;
    Ok(Plan {
        base: p.base,
        region_size: p.region_size,
        code_size,
        manifest_addr: p.base + manifest::OFFSET as u32,
        reset_handler,
        default_handler: p.base + DEFAULT_HANDLER_OFFSET,
        entry: reset_handler | 1,
        rsc_addr,
        rsc_len,
        data_addr,
        data_size: p.data_size,
        bss_addr,
        bss_size: p.bss_size,
        trace: p.trace_len.map(|len| (bss_addr, len)),
        stack_top,
        footprint,
    })
}

/// xorshift32: a deterministic pseudo-random byte stream.
struct XorShift(u32);

impl XorShift {
    fn new(seed: u32) -> Self {
        XorShift(if seed == 0 { 0x9e37_79b9 } else { seed })
    }

    fn fill(&mut self, buf: &mut [u8]) {
        for chunk in buf.chunks_mut(4) {
            let mut x = self.0;
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            self.0 = x;
            chunk.copy_from_slice(&x.to_le_bytes()[..chunk.len()]);
        }
    }
}

fn put32(buf: &mut [u8], off: u32, v: u32) {
    let off = off as usize;
    buf[off..off + 4].copy_from_slice(&v.to_le_bytes());
}

/// A built firmware image, still mutable before [`Firmware::to_bytes`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Firmware {
    /// The layout it was built from.
    pub plan: Plan,
    /// The manifest written at `base + 0x40` (checksums included).
    pub manifest: Manifest,
    /// The resource table (its encoding is the `.resource_table` bytes,
    /// unless [`build_with_table`] was given other bytes).
    pub table: ZephyrTable,
    /// The ELF image.
    pub image: Image,
}

/// Index of the code segment in [`Image::segments`].
pub const SEG_CODE: usize = 0;
/// Index of the resource-table segment.
pub const SEG_RSC: usize = 1;
/// Index of the data segment.
pub const SEG_DATA: usize = 2;

/// Builds the image described by `p`.
pub fn build(p: &Params) -> Result<Firmware, Error> {
    build_with_table(p, None)
}

/// Builds the image described by `p` with `rsc` as the bytes of
/// `.resource_table` instead of the sample's table (`None`: the sample's).
///
/// The layout makes room for `rsc.len()` bytes (the data segment follows
/// it) and the manifest's `rsc_len` says so; [`Firmware::table`] is still
/// the sample's table and does not describe custom bytes. The malformed-image
/// corpus ([`crate::corpus`]) uses this for tables of another size.
pub fn build_with_table(p: &Params, rsc: Option<Vec<u8>>) -> Result<Firmware, Error> {
    let rsc_len = match &rsc {
        Some(b) => u32::try_from(b.len())
            .map_err(|_| Error::Serialize("resource table exceeds 4 GiB".into()))?,
        None => ZephyrTable::size(p.trace_len.is_some()) as u32,
    };
    let plan = plan_with_rsc_len(p, rsc_len)?;

    // Code segment: vector table, IRQ vectors, handlers, filler.
    let mut code = vec![0u8; plan.code_size as usize];
    XorShift::new(p.seed).fill(&mut code[MIN_CODE_SIZE as usize..]);
    put32(&mut code, 0, plan.stack_top);
    put32(&mut code, 4, plan.entry);
    for off in (8..ROM_START_SIZE).step_by(4) {
        put32(&mut code, off, plan.default_handler | 1);
    }
    for off in [RESET_HANDLER_OFFSET, DEFAULT_HANDLER_OFFSET] {
        let insn = u32::from(THUMB_B_SELF) | (u32::from(THUMB_NOP) << 16);
        put32(&mut code, off, insn);
    }

    // Data segment file bytes.
    let mut data = vec![0u8; plan.data_size as usize];
    XorShift::new(p.seed ^ 0xa5a5_a5a5).fill(&mut data);

    let table = ZephyrTable::new(plan.trace);
    let rsc = rsc.unwrap_or_else(|| table.encode());
    debug_assert_eq!(rsc.len(), plan.rsc_len as usize);

    let mut manifest = Manifest {
        version: manifest::VERSION,
        size: manifest::SIZE as u16,
        flags: p.flags,
        behaviour: p.behaviour,
        crash_after_ms: p.crash_after_ms,
        code_addr: plan.base,
        code_len: plan.code_size,
        data_addr: plan.data_addr,
        data_filesz: plan.data_size,
        data_memsz: plan.data_size + plan.bss_size,
        rsc_addr: plan.rsc_addr,
        rsc_len: plan.rsc_len,
        data_crc: crc32fast::hash(&data),
        reserved: 0,
        code_crc: 0,
    };
    let m = manifest::OFFSET;
    code[m..m + manifest::SIZE].copy_from_slice(&manifest.encode());
    manifest.code_crc = manifest::seal(&mut code).expect("code segment holds the manifest");

    let segments = vec![
        Segment::load(plan.base, PF_R | PF_X, code, plan.code_size, SEGMENT_ALIGN),
        Segment::load(plan.rsc_addr, PF_R, rsc, plan.rsc_len, SEGMENT_ALIGN),
        Segment::load(
            plan.data_addr,
            PF_R | PF_W,
            data,
            plan.data_size + plan.bss_size,
            SEGMENT_ALIGN,
        ),
    ];
    let mut sections = vec![
        Section::null(),
        Section::new(
            "rom_start",
            SHT_PROGBITS,
            SHF_ALLOC | SHF_EXECINSTR,
            plan.base,
            4,
            SectionData::InSegment {
                segment: SEG_CODE,
                offset: 0,
                size: ROM_START_SIZE,
            },
        ),
        Section::new(
            ".text",
            SHT_PROGBITS,
            SHF_ALLOC | SHF_EXECINSTR,
            plan.reset_handler,
            4,
            SectionData::InSegment {
                segment: SEG_CODE,
                offset: ROM_START_SIZE,
                size: plan.code_size - ROM_START_SIZE,
            },
        ),
        Section::new(
            ".resource_table",
            SHT_PROGBITS,
            SHF_ALLOC,
            plan.rsc_addr,
            4,
            SectionData::InSegment {
                segment: SEG_RSC,
                offset: 0,
                size: plan.rsc_len,
            },
        ),
        Section::new(
            ".data",
            SHT_PROGBITS,
            SHF_ALLOC | SHF_WRITE,
            plan.data_addr,
            ALIGN,
            SectionData::InSegment {
                segment: SEG_DATA,
                offset: 0,
                size: plan.data_size,
            },
        ),
        Section::new(
            ".bss",
            SHT_NOBITS,
            SHF_ALLOC | SHF_WRITE,
            plan.bss_addr,
            ALIGN,
            SectionData::NoBits {
                segment: SEG_DATA,
                offset: plan.data_size,
                size: plan.bss_size,
            },
        ),
        Section::shstrtab(),
    ];
    if manifest.flags & manifest::FLAG_READY_DOORBELL != 0 || p.ready_ms.is_some() {
        // How the firmware tells imx_rproc_rs it rings the rxdb doorbell
        // once ready: a non-alloc section holding the longest wait in ms
        // (0 = the driver's default).
        let at = sections.len() - 1;
        sections.insert(
            at,
            Section::new(
                READY_SECTION,
                SHT_PROGBITS,
                0,
                0,
                4,
                SectionData::Own(p.ready_ms.unwrap_or(0).to_le_bytes().to_vec()),
            ),
        );
    }

    Ok(Firmware {
        plan,
        manifest,
        table,
        image: Image {
            header: Header::arm_exec(plan.entry),
            segments,
            sections,
        },
    })
}

impl Firmware {
    /// Serialises the image.
    pub fn to_bytes(&self) -> Result<Vec<u8>, Error> {
        Ok(self.image.serialize()?.0)
    }
}

fn size_str(v: u64) -> String {
    if v >= 1 << 20 && v % (1 << 20) == 0 {
        format!("{} MiB", v >> 20)
    } else if v >= 1 << 10 && v % (1 << 10) == 0 {
        format!("{} KiB", v >> 10)
    } else {
        format!("{v} bytes")
    }
}

impl fmt::Display for Plan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let end = |a: u32, l: u32| u64::from(a) + u64::from(l);
        writeln!(
            f,
            "region        0x{:08x}..0x{:08x} ({})",
            self.base,
            u64::from(self.base) + self.region_size,
            size_str(self.region_size)
        )?;
        writeln!(
            f,
            "code    R X   0x{:08x}..0x{:08x} ({}): vectors, manifest @0x{:08x}, reset 0x{:08x}, default 0x{:08x}",
            self.base,
            end(self.base, self.code_size),
            size_str(self.code_size.into()),
            self.manifest_addr,
            self.reset_handler,
            self.default_handler
        )?;
        writeln!(
            f,
            "rsc     R     0x{:08x}..0x{:08x} ({} bytes)",
            self.rsc_addr,
            end(self.rsc_addr, self.rsc_len),
            self.rsc_len
        )?;
        writeln!(
            f,
            "data    RW    0x{:08x}..0x{:08x} (.data {}, then .bss {} zero-filled at 0x{:08x})",
            self.data_addr,
            u64::from(self.stack_top),
            size_str(self.data_size.into()),
            size_str(self.bss_size.into()),
            self.bss_addr
        )?;
        if let Some((da, len)) = self.trace {
            writeln!(f, "trace         0x{da:08x}..0x{:08x}", end(da, len))?;
        }
        write!(
            f,
            "entry 0x{:08x}, reset vector 0x{:08x}, initial SP 0x{:08x}, footprint 0x{:x} ({}) of {}",
            self.entry,
            self.entry & 0xffff_0000,
            self.stack_top,
            self.footprint,
            size_str(self.footprint),
            size_str(self.region_size)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use imx_rproc_fw::elf::{Elf32, LoadSegment};

    fn bytes(p: &Params) -> Vec<u8> {
        build(p).unwrap().to_bytes().unwrap()
    }

    fn segs<'a>(elf: &Elf32<'a>) -> Vec<LoadSegment<'a>> {
        elf.load_segments().collect::<Result<_, _>>().unwrap()
    }

    fn containing<'a>(segs: &[LoadSegment<'a>], addr: u32) -> Option<LoadSegment<'a>> {
        segs.iter()
            .copied()
            .find(|s| addr >= s.paddr && u64::from(addr) < u64::from(s.paddr) + u64::from(s.memsz))
    }

    #[test]
    fn default_image_parses_and_validates() {
        let b = bytes(&Params::default());
        let elf = Elf32::parse(&b).unwrap();
        elf.validate_segments().unwrap();
        assert_eq!(elf.phnum(), 3);
        assert_eq!(elf.shnum(), 7);
        assert_eq!(segs(&elf).len(), 3);
    }

    #[test]
    fn entry_masks_to_the_vector_table() {
        let b = bytes(&Params::default());
        let elf = Elf32::parse(&b).unwrap();
        assert_eq!(elf.entry(), 0x8000_0401);
        assert_eq!(elf.entry() & 1, 1, "Thumb");
        assert_eq!(elf.entry() & 0xffff_0000, DEFAULT_BASE);
        let rom = elf.find_section(b"rom_start").unwrap().unwrap();
        assert_eq!(rom.addr, elf.entry() & 0xffff_0000);
        assert_eq!(rom.size, ROM_START_SIZE);
        // The vector table's reset vector is the entry point again.
        assert_eq!(
            u32::from_le_bytes(rom.data[4..8].try_into().unwrap()),
            elf.entry()
        );
    }

    #[test]
    fn vector_table_sp_and_pc_inside_loaded_segments() {
        for p in [
            Params::default(),
            Params {
                trace_len: Some(DEFAULT_TRACE_LEN),
                code_size: 1 << 20,
                ..Params::default()
            },
        ] {
            let b = bytes(&p);
            let elf = Elf32::parse(&b).unwrap();
            let segs = segs(&elf);
            let vt = containing(&segs, elf.entry() & 0xffff_0000).unwrap();
            assert_eq!(vt.paddr, p.base);
            let word = |i: usize| u32::from_le_bytes(vt.data[4 * i..4 * i + 4].try_into().unwrap());
            let (sp, pc) = (word(0), word(1));
            // Full-descending stack: the initial SP is the (exclusive) end
            // of a writable loaded segment, 8-byte aligned.
            assert_eq!(sp % 8, 0);
            let data = segs.iter().find(|s| s.index == SEG_DATA).unwrap();
            assert!(
                sp > data.paddr && u64::from(sp) <= u64::from(data.paddr) + u64::from(data.memsz)
            );
            assert_eq!(u64::from(sp), u64::from(data.paddr) + u64::from(data.memsz));
            assert!(sp - MIN_STACK >= data.paddr + data.filesz + p.trace_len.unwrap_or(0));
            // PC and every exception vector are Thumb addresses of bytes
            // loaded from the code segment.
            assert_eq!(pc & 1, 1);
            assert_eq!(containing(&segs, pc & !1).unwrap().index, SEG_CODE);
            for i in 2..16 {
                assert_eq!(word(i) & 1, 1);
                assert_eq!(containing(&segs, word(i) & !1).unwrap().index, SEG_CODE);
            }
            let off = ((pc & !1) - vt.paddr) as usize;
            assert_eq!(&vt.data[off..off + 2], &THUMB_B_SELF.to_le_bytes());
        }
    }

    fn t_len(trace: Option<u32>) -> usize {
        1 + usize::from(trace.is_some())
    }

    #[test]
    fn resource_table_by_name() {
        for trace in [None, Some(4096), Some(64)] {
            let p = Params {
                trace_len: trace,
                ..Params::default()
            };
            let fw = build(&p).unwrap();
            let b = fw.to_bytes().unwrap();
            let elf = Elf32::parse(&b).unwrap();
            let s = elf.find_section(b".resource_table").unwrap().unwrap();
            assert_eq!(s.size as usize, if trace.is_some() { 140 } else { 88 });
            assert_eq!(s.addr, fw.plan.rsc_addr);
            assert_eq!(s.data, ZephyrTable::new(fw.plan.trace).encode());
            // The driver's own validator accepts it, using every byte.
            let v = imx_rproc_fw::rsc::ResourceTable::parse(
                s.data,
                &imx_rproc_fw::rsc::Limits::DEFAULT,
            )
            .unwrap();
            assert_eq!((v.len(), v.used_size()), (t_len(trace), s.data.len()));
            let t = crate::rsc::decode(s.data).unwrap();
            assert_eq!((t.ver, t.num), (1, 1 + u32::from(trace.is_some())));
            // The section is inside a loaded segment, with the same bytes.
            let seg = containing(&segs(&elf), s.addr).unwrap();
            let off = (s.addr - seg.paddr) as usize;
            assert_eq!(&seg.data[off..off + s.data.len()], s.data);
            if let Some(len) = trace {
                let crate::rsc::Entry::Trace(tr) = t.entries[1].1 else {
                    panic!("no trace entry")
                };
                assert_eq!((tr.da, tr.len), (fw.plan.bss_addr, len));
                let dseg = containing(&segs(&elf), tr.da).unwrap();
                assert_eq!(dseg.index, SEG_DATA);
                assert!(tr.da + len <= dseg.paddr + dseg.memsz);
            }
        }
    }

    #[test]
    fn data_segment_has_a_zero_filled_tail() {
        let b = bytes(&Params::default());
        let elf = Elf32::parse(&b).unwrap();
        let d = segs(&elf)[SEG_DATA];
        assert_eq!(d.filesz, DEFAULT_DATA_SIZE);
        assert_eq!(d.memsz, DEFAULT_DATA_SIZE + DEFAULT_BSS_SIZE);
        assert!(d.memsz > d.filesz);
        let bss = elf.find_section(b".bss").unwrap().unwrap();
        assert_eq!(bss.sh_type, SHT_NOBITS);
        assert_eq!((bss.addr, bss.size), (d.paddr + d.filesz, DEFAULT_BSS_SIZE));
        // load_into zero-fills the tail even over a dirty buffer.
        let mut mem = vec![0xffu8; d.memsz as usize];
        imx_rproc_fw::elf::load_into(&d, &mut mem).unwrap();
        assert!(mem[d.filesz as usize..].iter().all(|&x| x == 0));
    }

    #[test]
    fn size_options_are_honoured() {
        for (code, data, bss) in [
            (64 << 10, 0, 256),
            (1 << 20, 8 << 10, 64 << 10),
            (MIN_CODE_SIZE, 8, 4096),
        ] {
            let p = Params {
                code_size: code,
                data_size: data,
                bss_size: bss,
                ..Params::default()
            };
            let b = bytes(&p);
            let elf = Elf32::parse(&b).unwrap();
            elf.validate_segments().unwrap();
            let s = segs(&elf);
            assert_eq!((s[SEG_CODE].filesz, s[SEG_CODE].memsz), (code, code));
            assert_eq!((s[SEG_DATA].filesz, s[SEG_DATA].memsz), (data, data + bss));
            let text = elf.find_section(b".text").unwrap().unwrap();
            assert_eq!(text.size, code - ROM_START_SIZE);
        }
    }

    #[test]
    fn image_size_fills_the_region_exactly() {
        for total in [64u64 << 10, 1 << 20, 16 << 20] {
            let p = Params {
                image_size: Some(total),
                trace_len: Some(DEFAULT_TRACE_LEN),
                ..Params::default()
            };
            let fw = build(&p).unwrap();
            assert_eq!(fw.plan.footprint, total);
            let b = fw.to_bytes().unwrap();
            let elf = Elf32::parse(&b).unwrap();
            let end = segs(&elf)
                .iter()
                .map(|s| u64::from(s.paddr) + u64::from(s.memsz))
                .max()
                .unwrap();
            assert_eq!(end, u64::from(DEFAULT_BASE) + total);
        }
    }

    #[test]
    fn base_and_region_are_honoured() {
        let p = Params {
            base: 0,
            region_size: 256 << 10,
            ..Params::default()
        };
        let fw = build(&p).unwrap();
        assert_eq!(fw.plan.entry, 0x401);
        let b = fw.to_bytes().unwrap();
        Elf32::parse(&b).unwrap().validate_segments().unwrap();
    }

    #[test]
    fn manifest_checksums_match_a_recomputation() {
        let fw = build(&Params {
            trace_len: Some(1024),
            behaviour: manifest::BEHAVIOUR_IDLE,
            flags: manifest::FLAG_HANG,
            ..Params::default()
        })
        .unwrap();
        let b = fw.to_bytes().unwrap();
        let elf = Elf32::parse(&b).unwrap();
        let s = segs(&elf);
        let code = s[SEG_CODE].data;
        let m = Manifest::decode(&code[manifest::OFFSET..]).unwrap();
        assert_eq!(m, fw.manifest);
        assert_eq!((m.version, m.size), (1, 64));
        assert_eq!(
            (m.behaviour, m.flags),
            (manifest::BEHAVIOUR_IDLE, manifest::FLAG_HANG)
        );
        assert_eq!(
            (m.code_addr, m.code_len),
            (s[SEG_CODE].paddr, s[SEG_CODE].filesz)
        );
        assert_eq!(
            (m.data_addr, m.data_filesz, m.data_memsz),
            (s[SEG_DATA].paddr, s[SEG_DATA].filesz, s[SEG_DATA].memsz)
        );
        assert_eq!((m.rsc_addr, m.rsc_len), (fw.plan.rsc_addr, 140));
        // Independent recomputation: CRC-32 of the code bytes with the
        // 4 bytes at 0x7c removed.
        let mut cut = code.to_vec();
        cut.drain(0x7c..0x80);
        assert_eq!(crc32fast::hash(&cut), m.code_crc);
        assert_eq!(crc32fast::hash(s[SEG_DATA].data), m.data_crc);
        assert_eq!(&code[0x7c..0x80], &m.code_crc.to_le_bytes());
    }

    #[test]
    fn sixteen_mib_code_does_not_fit_but_image_size_does() {
        let e = plan(&Params {
            code_size: 16 << 20,
            ..Params::default()
        })
        .unwrap_err();
        assert!(matches!(e, Error::DoesNotFit { .. }));
        let msg = e.to_string();
        assert!(msg.contains("does not fit"), "{msg}");
        assert!(msg.contains("0x80000000..0x81000000"), "{msg}");
        assert!(msg.contains("--image-size"), "{msg}");
        // The largest code size that fits is the one the message names.
        let max = (16u32 << 20) - 88u32.next_multiple_of(8) - DEFAULT_DATA_SIZE - DEFAULT_BSS_SIZE;
        assert!(msg.contains(&format!("0x{max:x}")), "{msg}");
        assert!(plan(&Params {
            code_size: max,
            ..Params::default()
        })
        .is_ok());
        assert!(plan(&Params {
            code_size: max + 8,
            ..Params::default()
        })
        .is_err());
    }

    #[test]
    fn bad_sizes_are_rejected_clearly() {
        let cases: [(Params, &str); 9] = [
            (
                Params {
                    image_size: Some((16 << 20) + 8),
                    ..Params::default()
                },
                "does not fit",
            ),
            (
                Params {
                    bss_size: 32 << 20,
                    ..Params::default()
                },
                "does not fit",
            ),
            (
                Params {
                    code_size: 0x400,
                    ..Params::default()
                },
                "--code-size",
            ),
            (
                Params {
                    code_size: 0x1001,
                    ..Params::default()
                },
                "multiple of",
            ),
            (
                Params {
                    base: 0x8000_1000,
                    ..Params::default()
                },
                "--base",
            ),
            (
                Params {
                    base: 0xffff_0000,
                    ..Params::default()
                },
                "address space",
            ),
            (
                Params {
                    trace_len: Some(8 << 10),
                    ..Params::default()
                },
                "--bss-size",
            ),
            (
                Params {
                    image_size: Some(4096),
                    ..Params::default()
                },
                "--image-size",
            ),
            (
                Params {
                    trace_len: Some(0),
                    ..Params::default()
                },
                "--trace-len",
            ),
        ];
        for (p, needle) in cases {
            let msg = build(&p).unwrap_err().to_string();
            assert!(msg.contains(needle), "{p:?}: {msg}");
        }
    }

    #[test]
    fn deterministic_and_seeded() {
        let a = bytes(&Params::default());
        assert_eq!(a, bytes(&Params::default()));
        let c = bytes(&Params {
            seed: 1,
            ..Params::default()
        });
        assert_eq!(a.len(), c.len());
        assert_ne!(a, c);
    }

    #[test]
    fn mutations_before_serialisation() {
        // The corpus generator's way of working: build, mutate, serialise.
        let mut fw = build(&Params::default()).unwrap();
        fw.image.segments[SEG_DATA].p_filesz = Some(fw.image.segments[SEG_DATA].p_memsz + 1);
        let b = fw.to_bytes().unwrap();
        let elf = Elf32::parse(&b).unwrap();
        assert_eq!(
            elf.validate_segments(),
            Err(imx_rproc_fw::error::Error::FileSizeExceedsMemSize { index: SEG_DATA })
        );
    }

    #[test]
    fn ready_section() {
        let ready = |p: &Params| {
            let b = bytes(p);
            let elf = Elf32::parse(&b).unwrap();
            let flags = build(p).unwrap().manifest.flags & manifest::FLAG_READY_DOORBELL;
            let value = elf
                .find_section(READY_SECTION.as_bytes())
                .unwrap()
                .map(|s| u32::from_le_bytes(s.data.try_into().unwrap()));
            (value, flags != 0)
        };
        assert_eq!(ready(&Params::default()), (None, false));
        let doorbell = Params {
            flags: manifest::FLAG_READY_DOORBELL,
            ..Params::default()
        };
        assert_eq!(ready(&doorbell), (Some(0), true));
        // Announced, never rung: the ready-handshake timeout case.
        let silent = Params {
            ready_ms: Some(250),
            ..Params::default()
        };
        assert_eq!(ready(&silent), (Some(250), false));
        let both = Params {
            ready_ms: Some(50),
            ..doorbell
        };
        assert_eq!(ready(&both), (Some(50), true));
    }
}
