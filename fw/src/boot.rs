// SPDX-License-Identifier: GPL-2.0

//! Where a Cortex-M7 image starts: its reset vector, found the way each
//! toolchain lays the vector table out, and checked against the image.
//!
//! At reset a Cortex-M loads its stack pointer from the first word of the
//! vector table and jumps to the second (a Thumb address). The i.MX System
//! Manager is given the table's address, which is not the ELF entry (that is
//! the reset handler itself).

use super::elf::Elf32;
use super::error::Error;

/// Upstream's derivation: the ELF entry masked to 64 KiB.
pub const RESET_VECTOR_MASK: u32 = 0xffff_0000;

/// Where the vector table's address came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VectorSource {
    /// The `.interrupts` section (MCUXpresso SDK linker scripts).
    Interrupts,
    /// The `rom_start` section (Zephyr).
    RomStart,
    /// The ELF entry masked to 64 KiB ([`RESET_VECTOR_MASK`]), as upstream.
    MaskedEntry,
}

/// A checked reset vector.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ResetVector {
    /// Address of the vector table: what the System Manager is given.
    pub addr: u32,
    /// How `addr` was found.
    pub source: VectorSource,
    /// The table's initial stack pointer.
    pub initial_sp: u32,
    /// The table's reset handler (Thumb bit set).
    pub reset_handler: u32,
    /// Whether the ELF entry is that reset handler, as linkers make it.
    pub entry_matches: bool,
}

/// `len` bytes of file data that the image loads at `addr`, if one loaded
/// segment holds them all.
fn loaded_bytes<'a>(elf: &Elf32<'a>, addr: u32, len: u32) -> Option<&'a [u8]> {
    elf.load_segments().flatten().find_map(|seg| {
        let off = addr.checked_sub(seg.paddr)?;
        let end = off.checked_add(len)?;
        if end > seg.filesz {
            return None;
        }
        seg.data
            .get(usize::try_from(off).ok()?..usize::try_from(end).ok()?)
    })
}

/// Whether `addr..addr + len` lies in the memory of some loaded segment.
fn in_loaded_memory(elf: &Elf32<'_>, addr: u32, len: u32) -> bool {
    elf.load_segments().flatten().any(|seg| {
        addr.checked_sub(seg.paddr)
            .and_then(|off| off.checked_add(len))
            .is_some_and(|end| end <= seg.memsz)
    })
}

fn word(bytes: &[u8], at: usize) -> Option<u32> {
    let b: [u8; 4] = bytes.get(at..at.checked_add(4)?)?.try_into().ok()?;
    Some(u32::from_le_bytes(b))
}

/// Finds and checks the reset vector of `elf`: the `.interrupts` section,
/// else the `rom_start` section, else the entry masked to 64 KiB. The table
/// there must be loaded from the file, with a non-zero, aligned initial
/// stack pointer and a Thumb reset handler inside a loaded segment.
///
/// # Examples
///
/// An image without `.interrupts` or `rom_start` sections: the vector table
/// is found at the entry masked to 64 KiB, here at address 0, where the
/// image loads an initial stack pointer and a Thumb reset handler.
///
/// ```
/// use imx_rproc_fw::boot::{reset_vector, VectorSource};
/// use imx_rproc_fw::elf::Elf32;
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
/// let mut table = Vec::new();
/// table.extend_from_slice(&0x2004_0000u32.to_le_bytes()); // initial SP: end of DTCM
/// table.extend_from_slice(&0x0000_0009u32.to_le_bytes()); // reset handler, Thumb
/// let img = image(0x9, 0x0, &table, 16);
/// let rv = reset_vector(&Elf32::parse(&img)?)?;
/// assert_eq!(rv.addr, 0);
/// assert_eq!(rv.source, VectorSource::MaskedEntry);
/// assert_eq!((rv.initial_sp, rv.reset_handler, rv.entry_matches), (0x2004_0000, 0x9, true));
///
/// // A reset handler without the Thumb bit cannot run on a Cortex-M.
/// table[4] = 0x8;
/// let img = image(0x9, 0x0, &table, 16);
/// assert_eq!(
///     reset_vector(&Elf32::parse(&img)?),
///     Err(Error::ResetHandlerNotThumb { pc: 0x8 })
/// );
/// # Ok::<(), Error>(())
/// ```
pub fn reset_vector(elf: &Elf32<'_>) -> Result<ResetVector, Error> {
    let (addr, source) = if let Some(s) = elf.find_section(b".interrupts")? {
        (s.addr, VectorSource::Interrupts)
    } else if let Some(s) = elf.find_section(b"rom_start")? {
        (s.addr, VectorSource::RomStart)
    } else {
        (elf.entry() & RESET_VECTOR_MASK, VectorSource::MaskedEntry)
    };
    let table = loaded_bytes(elf, addr, 8).ok_or(Error::VectorTableNotLoaded { addr })?;
    let initial_sp = word(table, 0).ok_or(Error::VectorTableNotLoaded { addr })?;
    let reset_handler = word(table, 4).ok_or(Error::VectorTableNotLoaded { addr })?;
    if initial_sp == 0 || initial_sp & 3 != 0 {
        return Err(Error::BadInitialSp { sp: initial_sp });
    }
    if reset_handler & 1 == 0 {
        return Err(Error::ResetHandlerNotThumb { pc: reset_handler });
    }
    if !in_loaded_memory(elf, reset_handler & !1, 2) {
        return Err(Error::ResetHandlerNotLoaded { pc: reset_handler });
    }
    Ok(ResetVector {
        addr,
        source,
        initial_sp,
        reset_handler,
        entry_matches: elf.entry() == reset_handler,
    })
}
