// SPDX-License-Identifier: GPL-2.0

//! Images in the layouts that firmware for the i.MX95 Cortex-M7 is really linked in
//! (`mkfw layouts --out DIR`), without the simulation's manifest, so that the virtual M7 treats
//! them as it treats firmware built by others: it checks each `PT_LOAD` segment where its
//! `p_paddr` says and runs Zephyr's `openamp_rsc_table` on the resource table at its linked
//! address (`tests/sim/fwimage.rs`).
//!
//! Each layout names the source of its facts. The addresses of the board are those of the
//! Verdin iMX95 device tree (Linux `arch/arm64/boot/dts/freescale/imx95-verdin.dtsi`, node
//! `cm7` and its `memory-region` list: `m7_reserved` 0x80000000+16M, `vdev0vring0..vdev1vring1`
//! from 0x88000000, `vdevbuffer` 0x88020000, `rsc-table` 0x88220000+4K), which the virtual board
//! copies (`dts/imx95-virtual.dtso`). The i.MX95 M7's TCMs are at device addresses 0x0 (ITCM)
//! and 0x20000000 (DTCM), 256 KiB each (`imx_rproc_att_imx95_m7` in
//! `drivers/remoteproc/imx_rproc.c`).
//!
//! `DIR/layouts.tsv` lists every image: name, file, whether Zephyr's sample on it can see the
//! live resource table on the virtual board (`rpmsg`: `yes` when the table is linked where Linux
//! puts it, `no` otherwise, `none` without a table, `tcm` for images the virtual board cannot
//! hold), and the layout in words.

use crate::rsc::ZephyrTable;
use imx_rproc_fw::elf::{
    PF_R, PF_W, PF_X, SHF_ALLOC, SHF_EXECINSTR, SHF_WRITE, SHT_NOBITS, SHT_PROGBITS,
};
use imx_rproc_fw::elfw::{Header, Image, Section, SectionData, Segment};
use imx_rproc_fw::{builder, rsc::VIRTIO_ID_RPMSG};

/// `PT_GNU_STACK`.
pub const PT_GNU_STACK: u32 = 0x6474_e551;
/// `PT_ARM_EXIDX` (`PT_LOPROC + 1`), the unwind table GNU ld emits for Cortex-M images: both
/// Zephyr fixtures in `shared/fixtures/zephyr/` have one as program header 0.
pub const PT_ARM_EXIDX: u32 = 0x7000_0001;

/// `m7_reserved` (`imx95-verdin.dtsi`).
pub const DDR: u32 = 0x8000_0000;
/// Size of `m7_reserved`.
pub const DDR_SIZE: u32 = 0x0100_0000;
/// The `rsc-table` region (`imx95-verdin.dtsi`, `rsc-table@88220000`, 0x1000 bytes).
pub const RSC_TABLE: u32 = 0x8822_0000;
/// Size of the `rsc-table` region.
pub const RSC_TABLE_SIZE: u32 = 0x1000;
/// ITCM, device address (`imx_rproc_att_imx95_m7`).
pub const ITCM: u32 = 0x0;
/// DTCM, device address (`imx_rproc_att_imx95_m7`).
pub const DTCM: u32 = 0x2000_0000;

/// What Zephyr's sample on the image does on the virtual board.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rpmsg {
    /// Its table is where Linux puts the live table: rpmsg comes up.
    Yes,
    /// It reads its table at an address where Linux does not put the live table.
    No,
    /// No resource table: it runs without IPC.
    NoTable,
    /// Linked into the TCMs, which QEMU `virt` does not have.
    Tcm,
}

impl Rpmsg {
    fn word(self) -> &'static str {
        match self {
            Rpmsg::Yes => "yes",
            Rpmsg::No => "no",
            Rpmsg::NoTable => "none",
            Rpmsg::Tcm => "tcm",
        }
    }
}

/// One image.
pub struct Layout {
    /// `[a-z0-9-]`, also the file name without `.elf`.
    pub name: &'static str,
    /// The layout, in words.
    pub about: &'static str,
    /// What the sample does on the virtual board with its `rsc-table` region.
    pub rpmsg: Rpmsg,
    /// The ELF image.
    pub image: Image,
}

/// xorshift32 filler, so that a segment loaded at the wrong place or partly is seen.
fn filler(seed: u32, len: usize) -> Vec<u8> {
    let mut x = seed | 1;
    let mut v = Vec::with_capacity(len);
    while v.len() < len {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        v.extend_from_slice(&x.to_le_bytes());
    }
    v.truncate(len);
    v
}

fn put32(b: &mut [u8], off: usize, v: u32) {
    b[off..off + 4].copy_from_slice(&v.to_le_bytes());
}

/// A code segment of `len` bytes at `addr` starting with a Cortex-M vector table of
/// `vectors` bytes: initial SP `sp`, reset handler `entry` (Thumb), every other vector the
/// default handler right after the table. Zephyr's `rom_start` is 0x3d8 bytes in both fixtures
/// (`mkfw --describe shared/fixtures/zephyr/*.elf`).
fn code(addr: u32, len: u32, vectors: u32, sp: u32, entry: u32, seed: u32) -> Vec<u8> {
    let mut c = filler(seed, len as usize);
    let default = (addr + vectors.next_multiple_of(8)) | 1;
    put32(&mut c, 0, sp);
    put32(&mut c, 4, entry);
    for off in (8..vectors as usize).step_by(4) {
        put32(&mut c, off, default);
    }
    c
}

/// The sections every layout has: null, `rom_start` over the vector table, `.text` over the
/// rest of segment 0.
fn base_sections(addr: u32, vectors: u32, code_len: u32) -> Vec<Section> {
    vec![
        Section::null(),
        Section::new(
            "rom_start",
            SHT_PROGBITS,
            SHF_ALLOC | SHF_EXECINSTR,
            addr,
            4,
            SectionData::InSegment {
                segment: 0,
                offset: 0,
                size: vectors,
            },
        ),
        Section::new(
            ".text",
            SHT_PROGBITS,
            SHF_ALLOC | SHF_EXECINSTR,
            addr + vectors,
            4,
            SectionData::InSegment {
                segment: 0,
                offset: vectors,
                size: code_len - vectors,
            },
        ),
    ]
}

fn rsc_section(addr: u32, segment: usize, offset: u32, len: u32) -> Section {
    Section::new(
        ".resource_table",
        SHT_PROGBITS,
        SHF_ALLOC,
        addr,
        4,
        SectionData::InSegment {
            segment,
            offset,
            size: len,
        },
    )
}

fn data_sections(addr: u32, segment: usize, filesz: u32, memsz: u32) -> [Section; 2] {
    [
        Section::new(
            ".data",
            SHT_PROGBITS,
            SHF_ALLOC | SHF_WRITE,
            addr,
            8,
            SectionData::InSegment {
                segment,
                offset: 0,
                size: filesz,
            },
        ),
        Section::new(
            ".bss",
            SHT_NOBITS,
            SHF_ALLOC | SHF_WRITE,
            addr + filesz,
            8,
            SectionData::NoBits {
                segment,
                offset: filesz,
                size: memsz - filesz,
            },
        ),
    ]
}

/// Zephyr's sample table (`lib/open-amp/resource_table.c` as `samples/subsys/ipc/
/// openamp_rsc_table` configures it: one rpmsg vdev, two vrings of 8 buffers at addresses the
/// host chooses; the same bytes as the fixture `openamp_rsc_table-m7_ddr.elf`, 88 bytes).
fn table() -> Vec<u8> {
    ZephyrTable::new(None).encode()
}

/// DDR layout, code and vector table at 0x80000000, `.data`/`.bss` after it; `entry` the
/// reset handler at `entry_off`, the table placed by `place`.
fn ddr(place: TablePlace, entry_off: u32, vectors: u32) -> Image {
    let code_len = 0x4000;
    let data_addr = DDR + 0x1_0000;
    let (data_filesz, data_memsz) = (0x200, 0x2000);
    let sp = data_addr + data_memsz;
    let entry = (DDR + entry_off) | 1;
    let rsc = table();
    let rsc_len = rsc.len() as u32;
    let mut segments = vec![Segment::load(
        DDR,
        PF_R | PF_X,
        code(DDR, code_len, vectors, sp, entry, 0x5eed_0001),
        code_len,
        8,
    )];
    let mut data = filler(0x5eed_0002, data_filesz as usize);
    let mut sections = base_sections(DDR, vectors, code_len);
    let mut rsc_segment = None;
    match place {
        TablePlace::RscRegionSegment => {
            rsc_segment = Some(Segment::load(RSC_TABLE, PF_R, rsc, rsc_len, 4));
            sections.push(rsc_section(RSC_TABLE, 2, 0, rsc_len));
        }
        TablePlace::InData => {
            // Zephyr's DDR build: `.resource_table` among the initialised data of the RW
            // segment (fixture openamp_rsc_table-m7_ddr.elf: at 0x8000cdec, in segment 2).
            let off = 0x100;
            data[off..off + rsc.len()].copy_from_slice(&rsc);
            sections.push(rsc_section(data_addr + off as u32, 1, off as u32, rsc_len));
        }
        TablePlace::None => {}
    }
    segments.push(Segment::load(data_addr, PF_R | PF_W, data, data_memsz, 8));
    segments.extend(rsc_segment);
    sections.extend(data_sections(data_addr, 1, data_filesz, data_memsz));
    sections.push(Section::shstrtab());
    Image {
        header: Header::arm_exec(entry),
        segments,
        sections,
    }
}

/// Where [`ddr`] links the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TablePlace {
    /// A `PT_LOAD` of its own in the `rsc-table` region.
    RscRegionSegment,
    /// Inside the RW data segment in DDR.
    InData,
    /// No table.
    None,
}

/// TCM layout: code at ITCM 0x0, `.data` with its VMA in DTCM and its load address in ITCM
/// (`p_paddr` != `p_vaddr`; Zephyr copies it at boot), `.bss` a segment of its own with
/// `p_filesz` 0 (fixture `hello_world-m7.elf`: segments 1, 2 and 4), and the table in the
/// `rsc-table` region in its own segment, or none.
fn tcm(table_at: Option<u32>) -> Image {
    let code_len = 0x4000;
    let vectors = 0x3d8;
    let (data_vma, data_lma, data_len) = (DTCM, ITCM + code_len, 0xa0);
    let (bss_addr, bss_len) = (DTCM + 0xa8, 0xf78);
    let sp = bss_addr + bss_len;
    let entry = (ITCM + 0x9e8) | 1;
    let mut data_seg = Segment::load(
        data_vma,
        PF_R | PF_W,
        filler(0x5eed_0003, data_len as usize),
        data_len,
        4,
    );
    data_seg.p_paddr = data_lma;
    let mut segments = vec![
        Segment::load(
            ITCM,
            PF_R | PF_W | PF_X,
            code(ITCM, code_len, vectors, sp, entry, 0x5eed_0004),
            code_len,
            4,
        ),
        data_seg,
        Segment::load(bss_addr, PF_R | PF_W, Vec::new(), bss_len, 8),
    ];
    let mut sections = base_sections(ITCM, vectors, code_len);
    sections.push(Section::new(
        ".data",
        SHT_PROGBITS,
        SHF_ALLOC | SHF_WRITE,
        data_vma,
        4,
        SectionData::InSegment {
            segment: 1,
            offset: 0,
            size: data_len,
        },
    ));
    sections.push(Section::new(
        ".bss",
        SHT_NOBITS,
        SHF_ALLOC | SHF_WRITE,
        bss_addr,
        8,
        SectionData::NoBits {
            segment: 2,
            offset: 0,
            size: bss_len,
        },
    ));
    if let Some(at) = table_at {
        let rsc = table();
        let len = rsc.len() as u32;
        segments.push(Segment::load(at, PF_R, rsc, len, 4));
        sections.push(rsc_section(at, 3, 0, len));
    }
    sections.push(Section::shstrtab());
    Image {
        header: Header::arm_exec(entry),
        segments,
        sections,
    }
}

/// The table of NXP's MCUXpresso SDK rpmsg-lite examples for the i.MX95 M7
/// (nxp-mcuxpresso/mcuxsdk-examples `_boards/imx95verdinevk/rsc_table.c`): version 1, two
/// entries, two rpmsg vdevs (`RSC_VDEV_FEATURE_NS`), each with two vrings at fixed addresses
/// (`VDEV0_VRING_BASE` 0x88000000 and `VDEV1_VRING_BASE` 0x88010000 in `board.h`, the second
/// vring of each `VRING_SIZE` 0x8000 further), `VRING_ALIGN` 0x1000 and `RL_BUFFER_COUNT` 256
/// (rpmsg-lite `lib/include/platform/imx95_m7/rpmsg_platform.h`, the example's
/// `rpmsg_config.h`), notify ids 0 to 3.
pub fn mcux_table() -> Vec<u8> {
    let vdevs: Vec<Vec<u8>> = [(0u32, 0x8800_0000u32), (1, 0x8801_0000)]
        .into_iter()
        .map(|(vdev, base)| {
            let vrings: Vec<_> = (0..2)
                .map(|ring| [base + ring * 0x8000, 0x1000, 256, vdev * 2 + ring, 0])
                .collect();
            // VIRTIO_ID_RPMSG, notify id = vdev index, RSC_VDEV_FEATURE_NS.
            builder::vdev(VIRTIO_ID_RPMSG, vdev, 1, &vrings, &[])
        })
        .collect();
    builder::table(&vdevs, 0).bytes
}

/// NXP MCUXpresso SDK DDR layout (nxp-mcuxpresso/mcux-devices-imx
/// `i.MX95/MIMX9596/gcc/MIMX9596xxxxN_cm7_ddr_ram.ld`): `.interrupts` (the vector table) in
/// `m_interrupts` at 0x80000000 (0x800 bytes), `.resource_table` first in `m_text` at
/// 0x80000800, `.data` in `m_data` at 0x80040000 with its load address at the end of the text
/// (`AT(__DATA_ROM)`: `p_paddr` != `p_vaddr` in DDR), `.bss` after it. The firmware copies its
/// table to 0x88220000 at boot (`copyResourceTable()`), which the simulated M7 does not do.
fn mcux_ddr() -> Image {
    let vectors = 0x800;
    let text_len = 0x4000;
    let code_len = vectors + text_len;
    let rsc = mcux_table();
    let rsc_len = rsc.len() as u32;
    let (data_vma, data_len, bss_len) = (DDR + 0x4_0000, 0x100, 0x1000);
    let data_lma = DDR + code_len;
    let sp = data_vma + data_len + bss_len;
    let entry = (DDR + vectors + 0x100) | 1;
    let mut c = code(DDR, code_len, vectors, sp, entry, 0x5eed_0005);
    c[vectors as usize..(vectors + rsc_len) as usize].copy_from_slice(&rsc);
    let mut data = Segment::load(
        data_vma,
        PF_R | PF_W,
        filler(0x5eed_0006, data_len as usize),
        data_len + bss_len,
        8,
    );
    data.p_paddr = data_lma;
    let sections = vec![
        Section::null(),
        Section::new(
            ".interrupts",
            SHT_PROGBITS,
            SHF_ALLOC,
            DDR,
            4,
            SectionData::InSegment {
                segment: 0,
                offset: 0,
                size: vectors,
            },
        ),
        rsc_section(DDR + vectors, 0, vectors, rsc_len),
        Section::new(
            ".text",
            SHT_PROGBITS,
            SHF_ALLOC | SHF_EXECINSTR,
            DDR + vectors + rsc_len.next_multiple_of(8),
            8,
            SectionData::InSegment {
                segment: 0,
                offset: vectors + rsc_len.next_multiple_of(8),
                size: text_len - rsc_len.next_multiple_of(8),
            },
        ),
        data_sections(data_vma, 1, data_len, data_len + bss_len)[0].clone(),
        data_sections(data_vma, 1, data_len, data_len + bss_len)[1].clone(),
        Section::shstrtab(),
    ];
    Image {
        header: Header::arm_exec(entry),
        segments: vec![Segment::load(DDR, PF_R | PF_X, c, code_len, 8), data],
        sections,
    }
}

/// Every layout.
pub fn all() -> Vec<Layout> {
    let mut v = Vec::new();
    // The layout of issue 12, built by arm-none-eabi-gcc: a 16-word vector table, the reset
    // handler right after it (entry 0x80000041), `.bss` in the data segment, and
    // `.resource_table` in a PT_LOAD of its own at the `rsc-table` region, so that Linux finds
    // the table where the device tree reserves it (and an M7 started by U-Boot's `bootaux`
    // publishes it there).
    v.push(Layout {
        name: "ddr-rsc-region",
        about: "code and vectors at 0x80000000, entry 0x80000041, .data/.bss at 0x80010000 (memsz > filesz), .resource_table in its own PT_LOAD at 0x88220000 (the rsc-table region)",
        rpmsg: Rpmsg::Yes,
        image: ddr(TablePlace::RscRegionSegment, 0x40, 0x40),
    });
    // Zephyr's DDR build (`imx95_evk/mimx9596/m7/ddr`, fixture openamp_rsc_table-m7_ddr.elf):
    // `rom_start` of 0x3d8 bytes, the reset handler in `.text` (entry != vector table), the table
    // inside the RW segment. Zephyr v4.1.0 reads the table at its own address; Linux writes the
    // live table to the `rsc-table` region when the device tree has one.
    v.push(Layout {
        name: "ddr-table-in-data",
        about: "Zephyr DDR build: rom_start 0x3d8 bytes at 0x80000000, entry 0x800031e1, .resource_table inside the RW data segment at 0x80010100",
        rpmsg: Rpmsg::No,
        image: ddr(TablePlace::InData, 0x31e0, 0x3d8),
    });
    v.push(Layout {
        name: "ddr-mcux-sdk",
        about: "NXP MCUXpresso SDK DDR build: .interrupts 0x800 bytes at 0x80000000, .resource_table (two vdevs, vrings fixed at 0x88000000..0x88018000, align 0x1000, 256 buffers) at 0x80000800, .data VMA 0x80040000 LMA 0x80004800",
        rpmsg: Rpmsg::No,
        image: mcux_ddr(),
    });
    v.push(Layout {
        name: "ddr-no-table",
        about: "Zephyr DDR build of a sample without IPC (hello_world): no .resource_table",
        rpmsg: Rpmsg::NoTable,
        image: ddr(TablePlace::None, 0x31e0, 0x3d8),
    });
    // Non-PT_LOAD headers mixed in: PT_ARM_EXIDX first (as in both fixtures) and
    // PT_GNU_STACK (GNU ld emits it unless -z noexecstack is off), and a PT_LOAD with
    // p_memsz 0, which loaders skip (`rproc_elf_load_segments()`: `!memsz`).
    v.push(Layout {
        name: "ddr-rsc-region-extra-phdrs",
        about: "ddr-rsc-region with PT_ARM_EXIDX first, PT_GNU_STACK last and a PT_LOAD with p_memsz 0 at 0x60000000",
        rpmsg: Rpmsg::Yes,
        image: {
            let mut img = ddr(TablePlace::RscRegionSegment, 0x40, 0x40);
            let mut exidx = Segment::load(DDR + 0x3f00, PF_R, filler(7, 8), 8, 4);
            exidx.p_type = PT_ARM_EXIDX;
            let mut stack = Segment::load(0, PF_R | PF_W, Vec::new(), 0, 16);
            stack.p_type = PT_GNU_STACK;
            let empty = Segment::load(0x6000_0000, PF_R, Vec::new(), 0, 4);
            img.segments.insert(0, exidx);
            img.segments.push(empty);
            img.segments.push(stack);
            for s in &mut img.sections {
                if let SectionData::InSegment { segment, .. } | SectionData::NoBits { segment, .. } =
                    &mut s.data
                {
                    *segment += 1;
                }
            }
            img
        },
    });
    // A `.bss` segment of its own (`p_filesz` 0: fixture hello_world-m7.elf, segment 4), here
    // in DDR, ending exactly at the end of `m7_reserved`.
    v.push(Layout {
        name: "ddr-bss-at-region-end",
        about: "ddr-rsc-region plus a .noinit PT_LOAD with p_filesz 0 ending exactly at 0x81000000, the end of m7_reserved",
        rpmsg: Rpmsg::Yes,
        image: {
            let mut img = ddr(TablePlace::RscRegionSegment, 0x40, 0x40);
            let len = 0x1000;
            img.segments
                .push(Segment::load(DDR + DDR_SIZE - len, PF_R | PF_W, Vec::new(), len, 8));
            let at = img.sections.len() - 1;
            img.sections.insert(
                at,
                Section::new(
                    ".noinit",
                    SHT_NOBITS,
                    SHF_ALLOC | SHF_WRITE,
                    DDR + DDR_SIZE - len,
                    8,
                    SectionData::NoBits {
                        segment: img.segments.len() - 1,
                        offset: 0,
                        size: len,
                    },
                ),
            );
            img
        },
    });
    // Zephyr's TCM build (`imx95_evk/mimx9596/m7`, fixture hello_world-m7.elf): `.data`
    // VMA in DTCM, LMA in ITCM.
    v.push(Layout {
        name: "tcm-rsc-region",
        about: "code at ITCM 0x0, .data VMA 0x20000000 LMA 0x4000 (p_paddr != p_vaddr), .bss PT_LOAD with p_filesz 0 in DTCM, .resource_table in its own PT_LOAD at 0x88220000",
        rpmsg: Rpmsg::Tcm,
        image: tcm(Some(RSC_TABLE)),
    });
    v.push(Layout {
        name: "tcm-table-in-ddr",
        about:
            "TCM build with .resource_table in its own PT_LOAD in DDR at 0x80000000 (m7_reserved)",
        rpmsg: Rpmsg::Tcm,
        image: tcm(Some(DDR)),
    });
    v.push(Layout {
        name: "tcm-no-table",
        about: "TCM build without IPC (hello_world): code at ITCM 0x0, .data VMA DTCM LMA ITCM, .bss-only PT_LOAD",
        rpmsg: Rpmsg::Tcm,
        image: tcm(None),
    });
    v
}

/// Writes every layout into `dir` with `dir/layouts.tsv`.
pub fn write_all(dir: &std::path::Path) -> Result<usize, String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let mut tsv = String::from("# name\tfile\trpmsg\tlayout\n");
    let all = all();
    for l in &all {
        let (bytes, _) = l
            .image
            .serialize()
            .map_err(|e| format!("{}: {e}", l.name))?;
        let file = format!("layout-{}.elf", l.name);
        std::fs::write(dir.join(&file), bytes).map_err(|e| format!("{file}: {e}"))?;
        tsv.push_str(&format!(
            "{}\t{file}\t{}\t{}\n",
            l.name,
            l.rpmsg.word(),
            l.about
        ));
    }
    std::fs::write(dir.join("layouts.tsv"), tsv).map_err(|e| format!("layouts.tsv: {e}"))?;
    Ok(all.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use imx_rproc_fw::{boot, elf::Elf32};

    fn bytes(l: &Layout) -> Vec<u8> {
        l.image.serialize().expect("serialises").0
    }

    #[test]
    fn every_layout_parses_and_has_a_reset_vector() {
        for l in all() {
            let b = bytes(&l);
            let elf = Elf32::parse(&b).unwrap_or_else(|e| panic!("{}: {e:?}", l.name));
            elf.validate_segments()
                .unwrap_or_else(|e| panic!("{}: {e:?}", l.name));
            let v = boot::reset_vector(&elf).unwrap_or_else(|e| panic!("{}: {e:?}", l.name));
            assert!(
                v.entry_matches,
                "{}: entry is the vector table's reset handler",
                l.name
            );
        }
    }

    #[test]
    fn tables_are_where_the_layout_says() {
        for l in all() {
            let b = bytes(&l);
            let elf = Elf32::parse(&b).unwrap();
            let rsc = elf.find_section(b".resource_table").unwrap();
            match l.rpmsg {
                _ if l.name.ends_with("no-table") => assert!(rsc.is_none(), "{}", l.name),
                _ if l.name.contains("rsc-region") || l.name == "ddr-bss-at-region-end" => {
                    let s = rsc.unwrap();
                    assert_eq!(s.addr, RSC_TABLE, "{}", l.name);
                    assert_eq!(s.data, table().as_slice(), "{}", l.name);
                    // In a PT_LOAD of its own at the region.
                    assert!(elf
                        .load_segments()
                        .flatten()
                        .any(|seg| seg.paddr == RSC_TABLE && seg.data == table().as_slice()));
                }
                _ => {
                    let s = rsc.unwrap();
                    assert!((DDR..DDR + DDR_SIZE).contains(&s.addr), "{}", l.name);
                    let want = if l.name == "ddr-mcux-sdk" {
                        mcux_table()
                    } else {
                        table()
                    };
                    assert_eq!(s.data, want.as_slice(), "{}", l.name);
                }
            }
        }
    }

    #[test]
    fn mcux_table_parses_with_fixed_vrings() {
        use imx_rproc_fw::rsc::{Limits, ResourceTable};
        let t = mcux_table();
        let table = ResourceTable::parse(&t, &Limits::DEFAULT).expect("parses");
        let das: Vec<u32> = table
            .vdevs()
            .flat_map(|(_, v)| v.vrings().map(|r| r.da).collect::<Vec<_>>())
            .collect();
        assert_eq!(das, [0x8800_0000, 0x8800_8000, 0x8801_0000, 0x8801_8000]);
    }

    #[test]
    fn tcm_data_is_loaded_at_its_lma() {
        let l = all()
            .into_iter()
            .find(|l| l.name == "tcm-rsc-region")
            .unwrap();
        let b = bytes(&l);
        let elf = Elf32::parse(&b).unwrap();
        let segs: Vec<_> = elf.load_segments().flatten().collect();
        assert!(segs.iter().any(|s| s.paddr == 0x4000 && s.filesz == 0xa0));
        assert!(segs.iter().any(|s| s.filesz == 0 && s.memsz == 0xf78));
    }

    #[test]
    fn extra_phdrs_are_there() {
        let l = all()
            .into_iter()
            .find(|l| l.name == "ddr-rsc-region-extra-phdrs")
            .unwrap();
        let types: Vec<u32> = l.image.segments.iter().map(|s| s.p_type).collect();
        assert_eq!(types.first(), Some(&PT_ARM_EXIDX));
        assert_eq!(types.last(), Some(&PT_GNU_STACK));
        assert!(l
            .image
            .segments
            .iter()
            .any(|s| s.p_type == 1 && s.p_memsz == 0));
    }

    #[test]
    fn bss_segment_ends_at_the_region_end() {
        let l = all()
            .into_iter()
            .find(|l| l.name == "ddr-bss-at-region-end")
            .unwrap();
        assert!(l
            .image
            .segments
            .iter()
            .any(|s| s.p_filesz.unwrap_or(s.data.len() as u32) == 0
                && s.p_paddr + s.p_memsz == DDR + DDR_SIZE));
    }
}
