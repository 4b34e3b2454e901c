// SPDX-License-Identifier: GPL-2.0

//! Builds ELF32 little-endian ARM images for the tests, and patches fields
//! of built images to produce specific malformations.

#![allow(dead_code)]

/// Offsets of the ELF32 file header fields.
pub mod eh {
    pub const CLASS: usize = 4;
    pub const DATA: usize = 5;
    pub const VERSION: usize = 6;
    pub const TYPE: usize = 16;
    pub const MACHINE: usize = 18;
    pub const E_VERSION: usize = 20;
    pub const ENTRY: usize = 24;
    pub const PHOFF: usize = 28;
    pub const SHOFF: usize = 32;
    pub const FLAGS: usize = 36;
    pub const EHSIZE: usize = 40;
    pub const PHENTSIZE: usize = 42;
    pub const PHNUM: usize = 44;
    pub const SHENTSIZE: usize = 46;
    pub const SHNUM: usize = 48;
    pub const SHSTRNDX: usize = 50;
}

/// Offsets of the ELF32 program header fields.
pub mod ph {
    pub const TYPE: usize = 0;
    pub const OFFSET: usize = 4;
    pub const VADDR: usize = 8;
    pub const PADDR: usize = 12;
    pub const FILESZ: usize = 16;
    pub const MEMSZ: usize = 20;
    pub const FLAGS: usize = 24;
    pub const ALIGN: usize = 28;
}

/// Offsets of the ELF32 section header fields.
pub mod sh {
    pub const NAME: usize = 0;
    pub const TYPE: usize = 4;
    pub const FLAGS: usize = 8;
    pub const ADDR: usize = 12;
    pub const OFFSET: usize = 16;
    pub const SIZE: usize = 20;
}

pub const PT_ARM_EXIDX: u32 = 0x7000_0001;
pub const SHT_PROGBITS: u32 = 1;

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
                p_type: imx_rproc_fw::elf::PT_LOAD,
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
                p_type: imx_rproc_fw::elf::PT_LOAD,
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
                sh_type: imx_rproc_fw::elf::SHT_NOBITS,
                addr: 0x2000_0040,
                data: vec![0; 0x1c0],
            },
        ]),
    }
}

fn align4(v: &mut Vec<u8>) {
    while v.len() % 4 != 0 {
        v.push(0);
    }
}

impl ElfBuilder {
    pub fn build(&self) -> Built {
        let phentsize = usize::from(self.phentsize);
        let shentsize = usize::from(self.shentsize);
        let phoff = 52;
        let mut img = vec![0u8; phoff + phentsize * self.segments.len()];

        // Segment data.
        let mut seg_offsets = Vec::new();
        for s in &self.segments {
            align4(&mut img);
            seg_offsets.push(img.len());
            img.extend_from_slice(&s.data);
        }

        // Section data and names.
        let mut sec_offsets = Vec::new();
        let mut shstrtab = vec![0u8];
        let mut name_offsets = Vec::new();
        let (mut shoff, mut shnum, mut shstrndx) = (0, 0, 0);
        let (mut shstrtab_offset, mut shstrtab_size) = (0, 0);
        if let Some(sections) = &self.sections {
            for s in sections {
                name_offsets.push(shstrtab.len());
                shstrtab.extend_from_slice(&s.name);
                shstrtab.push(0);
                align4(&mut img);
                sec_offsets.push(img.len());
                if s.sh_type != imx_rproc_fw::elf::SHT_NOBITS {
                    img.extend_from_slice(&s.data);
                }
            }
            let shstrtab_name = shstrtab.len();
            shstrtab.extend_from_slice(b".shstrtab\0");
            shstrtab_offset = img.len();
            shstrtab_size = shstrtab.len();
            img.extend_from_slice(&shstrtab);
            align4(&mut img);
            shoff = img.len();
            shnum = sections.len() + 2;
            shstrndx = sections.len() + 1;
            img.resize(shoff + shnum * shentsize, 0);
            for (i, s) in sections.iter().enumerate() {
                let h = shoff + (i + 1) * shentsize;
                put_u32(&mut img, h + sh::NAME, name_offsets[i] as u32);
                put_u32(&mut img, h + sh::TYPE, s.sh_type);
                put_u32(&mut img, h + sh::ADDR, s.addr);
                put_u32(&mut img, h + sh::OFFSET, sec_offsets[i] as u32);
                put_u32(&mut img, h + sh::SIZE, s.data.len() as u32);
            }
            let h = shoff + shstrndx * shentsize;
            put_u32(&mut img, h + sh::NAME, shstrtab_name as u32);
            put_u32(&mut img, h + sh::TYPE, imx_rproc_fw::elf::SHT_STRTAB);
            put_u32(&mut img, h + sh::OFFSET, shstrtab_offset as u32);
            put_u32(&mut img, h + sh::SIZE, shstrtab_size as u32);
        }

        // File header.
        img[..4].copy_from_slice(&imx_rproc_fw::elf::ELFMAG);
        img[eh::CLASS] = 1;
        img[eh::DATA] = 1;
        img[eh::VERSION] = 1;
        put_u16(&mut img, eh::TYPE, 2);
        put_u16(&mut img, eh::MACHINE, 40);
        put_u32(&mut img, eh::E_VERSION, 1);
        put_u32(&mut img, eh::ENTRY, self.entry);
        put_u32(&mut img, eh::PHOFF, phoff as u32);
        put_u32(&mut img, eh::SHOFF, shoff as u32);
        put_u32(&mut img, eh::FLAGS, 0x0500_0400);
        put_u16(&mut img, eh::EHSIZE, 52);
        put_u16(&mut img, eh::PHENTSIZE, self.phentsize);
        put_u16(&mut img, eh::PHNUM, self.segments.len() as u16);
        put_u16(&mut img, eh::SHENTSIZE, self.shentsize);
        put_u16(&mut img, eh::SHNUM, shnum as u16);
        put_u16(&mut img, eh::SHSTRNDX, shstrndx as u16);

        // Program headers.
        for (i, s) in self.segments.iter().enumerate() {
            let h = phoff + i * phentsize;
            put_u32(&mut img, h + ph::TYPE, s.p_type);
            put_u32(&mut img, h + ph::OFFSET, seg_offsets[i] as u32);
            put_u32(&mut img, h + ph::VADDR, s.paddr);
            put_u32(&mut img, h + ph::PADDR, s.paddr);
            put_u32(&mut img, h + ph::FILESZ, s.data.len() as u32);
            put_u32(&mut img, h + ph::MEMSZ, s.memsz);
            put_u32(&mut img, h + ph::FLAGS, 0x7);
            put_u32(&mut img, h + ph::ALIGN, 4);
        }

        Built {
            image: img,
            phoff,
            phentsize,
            seg_offsets,
            shoff,
            shentsize,
            shnum,
            shstrndx,
            shstrtab_offset,
            shstrtab_size,
            sec_offsets,
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
