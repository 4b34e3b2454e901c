// SPDX-License-Identifier: GPL-2.0

//! Builds ELF32 little-endian ARM images for the tests with the crate's
//! own writer (`fw/src/elfw.rs`), and patches fields of built images, at
//! the reader's field offsets, to produce specific malformations.

#![allow(dead_code, unused_imports)]

use imx_rproc_fw::elf::{PF_R, PF_W, PF_X, PT_LOAD, SHT_NOBITS};
use imx_rproc_fw::elfw::{Header, Image, Section, SectionData, Segment};

/// Offsets of the ELF32 file header, program header and section header
/// fields: the reader's.
pub use imx_rproc_fw::elf::{ehdr_field as eh, phdr_field as ph, shdr_field as sh};
pub use imx_rproc_fw::elf::{EI_CLASS, EI_DATA, EI_VERSION, SHT_PROGBITS};

/// `PT_ARM_EXIDX` (the ARM ELF ABI, "Program headers"; binutils'
/// `include/elf/arm.h`).
pub const PT_ARM_EXIDX: u32 = 0x7000_0001;

pub fn put_u16(buf: &mut [u8], off: usize, v: u16) {
    buf[off..off + 2].copy_from_slice(&v.to_le_bytes());
}

pub fn put_u32(buf: &mut [u8], off: usize, v: u32) {
    buf[off..off + 4].copy_from_slice(&v.to_le_bytes());
}

pub fn get_u32(buf: &[u8], off: usize) -> u32 {
    u32::from_le_bytes(buf[off..off + 4].try_into().unwrap())
}

/// A program header to emit; `data` is placed in the file and becomes
/// `p_filesz` bytes.
#[derive(Clone)]
pub struct Seg {
    pub p_type: u32,
    pub paddr: u32,
    pub data: Vec<u8>,
    pub memsz: u32,
}

/// A section to emit (between the null section and `.shstrtab`).
#[derive(Clone)]
pub struct Sec {
    pub name: Vec<u8>,
    pub sh_type: u32,
    pub addr: u32,
    /// For `SHT_NOBITS`, only the length is used (as `sh_size`).
    pub data: Vec<u8>,
}

#[derive(Clone)]
pub struct ElfBuilder {
    pub entry: u32,
    pub phentsize: u16,
    pub shentsize: u16,
    pub segments: Vec<Seg>,
    /// `None`: no section headers at all (`e_shnum == 0`).
    pub sections: Option<Vec<Sec>>,
}

/// A built image and where its parts are.
#[derive(Clone)]
pub struct Built {
    pub image: Vec<u8>,
    pub phoff: usize,
    pub phentsize: usize,
    pub seg_offsets: Vec<usize>,
    pub shoff: usize,
    pub shentsize: usize,
    /// Number of section headers (null + user sections + `.shstrtab`).
    pub shnum: usize,
    pub shstrndx: usize,
    pub shstrtab_offset: usize,
    pub shstrtab_size: usize,
    /// Offset of each user section's data (index i is section i + 1).
    pub sec_offsets: Vec<usize>,
}

fn pattern(len: usize, seed: u8) -> Vec<u8> {
    (0..len)
        .map(|i| (i as u8).wrapping_mul(7).wrapping_add(seed))
        .collect()
}

/// The reference image: an ITCM code segment, a non-load `PT_ARM_EXIDX`
/// header, a DTCM data segment with a `.bss` tail, and sections `.text`,
/// `.resource_table` and `.bss`.
pub fn sample() -> ElfBuilder {
    ElfBuilder {
        entry: 0x0000_0101,
        phentsize: 32,
        shentsize: 40,
        segments: vec![
            Seg {
                p_type: PT_LOAD,
                paddr: 0x0000_0000,
                data: pattern(0x100, 1),
                memsz: 0x100,
            },
            Seg {
                p_type: PT_ARM_EXIDX,
                paddr: 0x0000_00f0,
                data: pattern(0x10, 9),
                memsz: 0x10,
            },
            Seg {
                p_type: PT_LOAD,
                paddr: 0x2000_0000,
                data: pattern(0x40, 3),
                memsz: 0x200,
            },
        ],
        sections: Some(vec![
            Sec {
                name: b".text".to_vec(),
                sh_type: SHT_PROGBITS,
                addr: 0,
                data: pattern(0x20, 5),
            },
            Sec {
                name: b".resource_table".to_vec(),
                sh_type: SHT_PROGBITS,
                addr: 0x2000_0100,
                data: pattern(0x30, 7),
            },
            Sec {
                name: b".bss".to_vec(),
                sh_type: SHT_NOBITS,
                addr: 0x2000_0040,
                data: vec![0; 0x1c0],
            },
        ]),
    }
}

impl ElfBuilder {
    /// The image as the writer lays it out: `e_flags` 0x05000400, every
    /// segment `PF_R | PF_W | PF_X` aligned to 4 (`p_vaddr == p_paddr`),
    /// the sections' bytes after the segments, `.shstrtab` last; an
    /// `SHT_NOBITS` section has no bytes but its `sh_size` (and its
    /// `sh_offset` where its bytes would be). Entries are `phentsize` and
    /// `shentsize` bytes apart.
    pub fn build(&self) -> Built {
        let mut header = Header::arm_exec(self.entry);
        header.e_flags = 0x0500_0400;
        header.e_phentsize = self.phentsize;
        header.ph_stride = self.phentsize;
        header.e_shentsize = self.shentsize;
        header.sh_stride = self.shentsize;
        let segments = self
            .segments
            .iter()
            .map(|s| Segment {
                p_type: s.p_type,
                ..Segment::load(s.paddr, PF_R | PF_W | PF_X, s.data.clone(), s.memsz, 4)
            })
            .collect();
        let mut sections = Vec::new();
        if let Some(secs) = &self.sections {
            sections.push(Section::null());
            for s in secs {
                let name = String::from_utf8(s.name.clone()).expect("a UTF-8 name");
                let nobits = s.sh_type == SHT_NOBITS;
                let data = if nobits { Vec::new() } else { s.data.clone() };
                let mut sec = Section::new(&name, s.sh_type, 0, s.addr, 0, SectionData::Own(data));
                if nobits {
                    sec.sh_size = Some(s.data.len() as u32);
                }
                sections.push(sec);
            }
            sections.push(Section::shstrtab());
        } else {
            // No section headers at all: e_shoff 0 too.
            header.e_shoff = Some(0);
        }
        let image = Image {
            header,
            segments,
            sections,
        };
        let (bytes, layout) = image.serialize().expect("test image serialises");
        let offsets = |v: &[u32]| v.iter().map(|&o| o as usize).collect::<Vec<_>>();
        let shnum = image.sections.len();
        let (shstrndx, shstrtab_offset, shstrtab_size) = match shnum {
            0 => (0, 0, 0),
            n => (
                n - 1,
                layout.section_offsets[n - 1] as usize,
                layout.section_sizes[n - 1] as usize,
            ),
        };
        Built {
            image: bytes,
            phoff: layout.phoff as usize,
            phentsize: usize::from(self.phentsize),
            seg_offsets: offsets(&layout.segment_offsets),
            shoff: if shnum == 0 { 0 } else { layout.shoff as usize },
            shentsize: usize::from(self.shentsize),
            shnum,
            shstrndx,
            shstrtab_offset,
            shstrtab_size,
            sec_offsets: offsets(
                layout
                    .section_offsets
                    .get(1..shnum.saturating_sub(1))
                    .unwrap_or(&[]),
            ),
        }
    }
}

impl Built {
    /// Offset of program header `i`.
    pub fn ph(&self, i: usize) -> usize {
        self.phoff + i * self.phentsize
    }

    /// Offset of section header `i`.
    pub fn sh(&self, i: usize) -> usize {
        self.shoff + i * self.shentsize
    }

    pub fn set_ph(&mut self, i: usize, field: usize, v: u32) {
        let off = self.ph(i) + field;
        put_u32(&mut self.image, off, v);
    }

    pub fn set_sh(&mut self, i: usize, field: usize, v: u32) {
        let off = self.sh(i) + field;
        put_u32(&mut self.image, off, v);
    }

    pub fn set_eh16(&mut self, field: usize, v: u16) {
        put_u16(&mut self.image, field, v);
    }

    pub fn set_eh32(&mut self, field: usize, v: u32) {
        put_u32(&mut self.image, field, v);
    }
}

/// Builds remoteproc resource tables (`include/linux/rsc_table.h`) for the
/// tests, with the crate's own builders (`fw/src/builder.rs`).
pub mod rsc {
    pub use imx_rproc_fw::builder::*;

    /// Zephyr's `openamp_rsc_table` vdev: rpmsg, `VIRTIO_RPMSG_F_NS`, two
    /// host-allocated vrings of 8 buffers aligned to 16, notify ids 0 and 1.
    pub fn zephyr_vdev() -> Vec<u8> {
        vdev(
            7,
            0,
            1,
            &[[0xFFFF_FFFF, 16, 8, 0, 0], [0xFFFF_FFFF, 16, 8, 1, 0]],
            &[],
        )
    }

    /// Zephyr's `openamp_rsc_table` resource table for the i.MX95 M7
    /// (one vdev, 88 bytes).
    pub fn zephyr() -> Table {
        table(&[zephyr_vdev()], 0)
    }

    /// The same with `CONFIG_RAM_CONSOLE`: a trace entry after the vdev.
    pub fn zephyr_with_trace() -> Table {
        table(
            &[zephyr_vdev(), trace(0x2000_1000, 0x400, b"Zephyr_log")],
            0,
        )
    }

    /// A table with one entry of every kind: carveout, devmem, trace, a vdev
    /// with a config space, and a vendor entry.
    pub fn rich() -> Table {
        table(
            &[
                carveout(0xFFFF_FFFF, 0xFFFF_FFFF, 0x8000, 0, b"vdev0buffer"),
                devmem(0x4000_0000, 0x4000_0000, 0x1000, 0, b"uart"),
                trace(0x2000_1000, 0x400, b"trace0"),
                vdev(
                    7,
                    2,
                    1,
                    &[
                        [0x8800_0000, 0x1000, 256, 0, 0],
                        [0x8800_8000, 0x1000, 256, 1, 0],
                    ],
                    &[1, 2, 3, 4, 5, 6],
                ),
                vendor(200, &[0xaa; 8]),
            ],
            12,
        )
    }
}
