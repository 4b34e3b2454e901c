// SPDX-License-Identifier: GPL-2.0

//! Checks of the firmware image and its resource table beyond what the
//! `fw` crate's parsers check.

use crate::{
    fw::{
        self,
        elf::Elf32,
        rsc::{
            Resource,
            ResourceTable, //
        }, //
    },
    rproc::ImxRproc, //
};
use kernel::{
    device::Device,
    prelude::*, //
};

/// The section the resource table is linked into.
pub(crate) const RSC_SECTION: &[u8] = b".resource_table";

/// Reports a defect of the firmware image and turns it into an errno.
pub(crate) fn fw_error(dev: &Device, what: &str, e: fw::error::Error) -> Error {
    // Addresses read best in hex: the Debug form with hex fields.
    dev_err!(dev, "{}: {} (hex: {:x?})\n", what, e.describe(), e);
    errno(e.kind())
}

/// The kernel errno of a class of firmware defect (`fw/src/error.rs` says
/// why each; the host tools use the same numbers, `tools/mkfw/src/errno.rs`).
fn errno(kind: fw::error::Kind) -> Error {
    use fw::error::Kind;
    match kind {
        Kind::Invalid => EINVAL,
        Kind::NotMapped => ENOENT,
        Kind::TooManyEntries => E2BIG,
        Kind::TooLarge => EFBIG,
        Kind::OutOfRange => ERANGE,
    }
}

impl ImxRproc {
    pub(crate) fn parse_elf<'a>(dev: &Device, fw: &'a [u8]) -> Result<Elf32<'a>> {
        Elf32::parse(fw).map_err(|e| fw_error(dev, "invalid firmware", e))
    }

    /// Refuses a table (`table_len` bytes) whose trace buffers are not M7
    /// memory or the `rsc-table` region past the table. A trace over the
    /// live table would have the M7 write its log over the vdev status and
    /// vring addresses (upstream accepts it).
    pub(crate) fn check_traces(
        &self,
        dev: &Device,
        table: &ResourceTable<'_>,
        table_len: usize,
    ) -> Result {
        let table_len = u64::try_from(table_len)?;
        for entry in table.entries() {
            if let Resource::Trace { da, len, .. } = entry.resource {
                if self.in_m7_memory(da.into(), len.into()) {
                    continue;
                }
                match self.rsc_offset(da.into(), len.into()) {
                    Some(offset) if offset >= table_len => continue,
                    Some(_) => dev_err!(
                        dev,
                        "trace resource {} (da {:#x}, {:#x} bytes) overlaps the resource table ({} bytes) in the rsc-table region\n",
                        entry.index,
                        da,
                        len,
                        table_len
                    ),
                    None => dev_err!(
                        dev,
                        "trace resource {} (da {:#x}, {:#x} bytes) is outside every memory region\n",
                        entry.index,
                        da,
                        len
                    ),
                }
                return Err(EINVAL);
            }
        }
        Ok(())
    }
}
