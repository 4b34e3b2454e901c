// SPDX-License-Identifier: GPL-2.0

//! KUnit tests of the firmware-format code as compiled into the module.
//!
//! The same functions are tested at length on the host (`cargo test` in
//! `fw/`); these run them with the kernel's compiler flags at module load
//! (`kunit.enable=1`), where their results appear as KTAP in the kernel log.

use kernel::prelude::*;

#[kunit_tests(imx_rproc_rs_fw)]
mod tests {
    use crate::fw::{
        att::{da_to_sys, IMX95_M7_ATT},
        elf::Elf32,
        error::Error,
        rsc::{Limits, Resource, ResourceTable},
    };

    /// Zephyr's `openamp_rsc_table` table: one rpmsg vdev, two vrings of 8.
    fn zephyr_table() -> [u8; 88] {
        let words: [u32; 22] = [
            1,
            1,
            0,
            0,  // ver, num, reserved
            20, // offset[0]
            3,  // RSC_VDEV
            7,
            0,
            1,
            0,           // id, notifyid, dfeatures, gfeatures
            0,           // config_len
            0x0000_0200, // status 0, num_of_vrings 2, reserved 0, 0
            0xffff_ffff,
            16,
            8,
            0,
            0, // vring 0
            0xffff_ffff,
            16,
            8,
            1,
            0, // vring 1
        ];
        let mut table = [0u8; 88];
        for (chunk, w) in table.chunks_exact_mut(4).zip(words) {
            chunk.copy_from_slice(&w.to_le_bytes());
        }
        table
    }

    #[test]
    fn att_translates_itcm() {
        let (sys, _) = da_to_sys(&IMX95_M7_ATT, 0x100, 0x10).unwrap_or((0, &IMX95_M7_ATT[0]));
        assert_eq!(sys, 0x203c_0100);
    }

    #[test]
    fn att_accepts_range_ending_at_region_end() {
        // Upstream's strict `<` rejects this; the range is inside the DDR entry.
        assert!(da_to_sys(&IMX95_M7_ATT, 0xcfff_fff0, 0x10).is_ok());
    }

    #[test]
    fn att_rejects_range_one_byte_past_region_end() {
        assert!(da_to_sys(&IMX95_M7_ATT, 0xcfff_fff0, 0x11).is_err());
    }

    #[test]
    fn att_rejects_wrapping_range() {
        assert!(da_to_sys(&IMX95_M7_ATT, u64::MAX - 4, 0x10).is_err());
    }

    #[test]
    fn elf_rejects_truncated_header() {
        assert_eq!(Elf32::parse(b"\x7fELF").err(), Some(Error::TooShort));
    }

    #[test]
    fn rsc_accepts_zephyr_table() {
        let table = zephyr_table();
        let parsed = ResourceTable::parse(&table, &Limits::DEFAULT);
        assert!(parsed.is_ok());
        if let Ok(parsed) = parsed {
            assert_eq!(parsed.num_vdevs(), 1);
            let vdev = parsed.entries().find_map(|e| match e.resource {
                Resource::Vdev(v) => Some(v),
                _ => None,
            });
            assert_eq!(vdev.map(|v| v.vrings().count()), Some(2));
        }
    }

    #[test]
    fn rsc_rejects_num_past_table() {
        let mut table = zephyr_table();
        table[4..8].copy_from_slice(&1000u32.to_le_bytes());
        assert!(ResourceTable::parse(&table, &Limits::DEFAULT).is_err());
    }

    #[test]
    fn rsc_rejects_vring_num_not_power_of_two() {
        let mut table = zephyr_table();
        // vring 0 `num` sits at 20 + 4 + 24 + 8.
        table[56..60].copy_from_slice(&7u32.to_le_bytes());
        assert!(ResourceTable::parse(&table, &Limits::DEFAULT).is_err());
    }
}
