// SPDX-License-Identifier: GPL-2.0

//! Pre-booting the M7 before Linux's driver runs, as U-Boot's `bootaux` does on the board
//! (debugfs `m7_boot`): the ELF image is parsed with the driver's own `no_std` parser
//! ([`crate::fw::elf`]), its `PT_LOAD` segments are copied to the M7's memory (tails
//! zero-filled), and the System Manager sets the reset vector (`e_entry & 0xffff0000`, the rule
//! of `imx_rproc` for the i.MX95) and starts CPU 1, booting LM 1. The M7 then boots as on any
//! start: it copies its resource table to `rsc-table` and waits for DRIVER_OK, so a driver that
//! probes afterwards finds it running and attaches.

use crate::{fw::elf::Elf32, fwimage::ImageInfo, kext::FileData, m7::M7, sm::Sm};
use kernel::{prelude::*, str::CStr};

/// Largest image accepted.
const MAX_IMAGE: usize = 32 * 1024 * 1024;
/// Where firmware names are looked up (the firmware loader's default path).
const FW_DIR: &[u8] = b"/lib/firmware/";
/// Longest path accepted.
const PATH_MAX: usize = 256;

/// Loads the image `name` (a file name under `/lib/firmware/`, or an absolute path) into the
/// M7's memory and starts the M7 through the System Manager.
///
/// `EBUSY` if the M7 runs, `EINVAL` for an image that cannot be loaded (the reason goes to the
/// M7's log), errors of the file system otherwise.
pub(crate) fn boot_file(sm: &Sm, name: &str) -> Result {
    let m7 = sm.m7();
    let mut path = [0u8; PATH_MAX];
    let (cpath, shown) = fw_path(name, &mut path)?;
    if sm.m7_running() {
        m7.info(format_args!("m7_boot {shown}: the M7 is running"));
        return Err(EBUSY);
    }
    let file = FileData::read(cpath, MAX_IMAGE).inspect_err(|e| {
        m7.info(format_args!("m7_boot {shown}: cannot read it ({e:?})"));
    })?;
    let data = file.data();
    let elf = Elf32::parse(data)
        .and_then(|elf| elf.validate_segments().map(|()| elf))
        .map_err(|e| {
            m7.info(format_args!("m7_boot {shown}: {}", e.describe()));
            EINVAL
        })?;

    // Check every segment first, so that a bad image changes nothing.
    let mem = m7.mem();
    for seg in elf.load_segments() {
        let seg = seg.map_err(|_| EINVAL)?;
        if mem
            .image_at(u64::from(seg.paddr), u64::from(seg.memsz))
            .is_none()
        {
            m7.info(format_args!(
                "m7_boot {shown}: segment {} at 0x{:x}+0x{:x} is not in the M7's memory",
                seg.index, seg.paddr, seg.memsz
            ));
            return Err(EINVAL);
        }
    }
    let mut n = 0;
    for seg in elf.load_segments() {
        let seg = seg.map_err(|_| EINVAL)?;
        let (r, off) = mem
            .image_at(u64::from(seg.paddr), u64::from(seg.memsz))
            .ok_or(EINVAL)?;
        r.write(off, seg.data)?;
        r.zero(off + seg.data.len(), (seg.memsz - seg.filesz) as usize)?;
        n += 1;
    }
    let vector = u64::from(elf.entry() & 0xffff_0000);
    m7.info(format_args!(
        "m7_boot {shown}: {n} segments loaded, entry 0x{:x}, reset vector 0x{vector:x}; starting CPU 1",
        elf.entry()
    ));
    // The M7 runs this image from now on: it knows its own link map.
    if let Ok(info) = ImageInfo::parse(name, data) {
        m7.set_image(Some(info));
    }
    sm.preboot_m7(vector)
}

/// The absolute path of `name` (a file under `/lib/firmware/`, or an absolute path) in `buf`, and
/// the path as text.
fn fw_path<'a>(name: &str, buf: &'a mut [u8; PATH_MAX]) -> Result<(&'a CStr, &'a str)> {
    if name.is_empty() || name.contains('\0') {
        return Err(EINVAL);
    }
    let mut len = 0;
    let prefix: &[u8] = if name.starts_with('/') { b"" } else { FW_DIR };
    for &b in Iterator::chain(prefix.iter(), name.as_bytes()) {
        if len + 1 >= PATH_MAX {
            return Err(EINVAL);
        }
        buf[len] = b;
        len += 1;
    }
    buf[len] = 0;
    let (text, _) = buf.split_at(len + 1);
    let cpath = CStr::from_bytes_with_nul(text).map_err(|_| EINVAL)?;
    let shown = core::str::from_utf8(&text[..len]).map_err(|_| EINVAL)?;
    Ok((cpath, shown))
}

/// Tells the M7 which image it runs from its next start on (debugfs `m7_image`): `name` is a
/// file under `/lib/firmware/` or an absolute path, `none` forgets it. `EINVAL` (the reason in
/// the M7's log) for a file that is not an ELF32 image.
pub(crate) fn image_file(m7: &M7, name: &str) -> Result {
    if name == "none" {
        m7.set_image(None);
        return Ok(());
    }
    let mut path = [0u8; PATH_MAX];
    let (cpath, shown) = fw_path(name, &mut path)?;
    let file = FileData::read(cpath, MAX_IMAGE).inspect_err(|e| {
        m7.info(format_args!("m7_image {shown}: cannot read it ({e:?})"));
    })?;
    let info = ImageInfo::parse(name, file.data()).map_err(|why| {
        m7.info(format_args!("m7_image {shown}: {why}"));
        EINVAL
    })?;
    m7.set_image(Some(info));
    Ok(())
}
