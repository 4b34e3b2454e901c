// SPDX-License-Identifier: GPL-2.0

//! What differs between the SoCs this driver runs on, as data: the C
//! driver's `imx_rproc_dcfg`. The OF table points each compatible at one.

use crate::fw::att::{
    self,
    AttEntry,
    ATT_IOMEM,
    ATT_OWN, //
};

/// One SoC's configuration of the remote core (the M7 of the i.MX95 and
/// the i.MX94, or the M33S of the i.MX94).
#[derive(Debug)]
pub(crate) struct Dcfg {
    /// How the remote core sees memory: its address translation table, whose
    /// `ATT_OWN` entries (the TCMs) the driver maps at probe.
    pub(crate) att: &'static [AttEntry],
    /// The remote core's CPU id in the System Manager (must match the SM
    /// configuration).
    pub(crate) cpuid: u32,
    /// The logical machine id of the remote core in the System Manager.
    pub(crate) lmid: u32,
}

/// The i.MX95's Cortex-M7 (`imx_rproc_cfg_imx95_m7` in the C driver).
pub(crate) static IMX95_M7: Dcfg = Dcfg {
    att: &att::IMX95_M7_ATT,
    cpuid: 1,
    lmid: 1,
};

/// An i.MX94 TCM (`ATT_OWN | ATT_IOMEM`) of 256 KiB: the code TCM at `da`,
/// the system TCM at 0x2000_0000, as every i.MX94 table of the C driver has.
const fn imx94_tcm(da: u32, sa: u64) -> AttEntry {
    AttEntry {
        da,
        sa,
        size: 0x0004_0000,
        flags: ATT_OWN | ATT_IOMEM,
    }
}

/// The i.MX94's DDR as its remote cores see it: 256 MiB identity-mapped.
const IMX94_DDR: AttEntry = AttEntry {
    da: 0x8000_0000,
    sa: 0x8000_0000,
    size: 0x1000_0000,
    flags: 0,
};

// The i.MX94 configurations and their address translation tables, number for
// number from drivers/remoteproc/imx_rproc.c (Linux 7.2):
// `imx_rproc_cfg_imx94_m70`, `_m71`, `_m33s` and `imx_rproc_att_imx94_m70`,
// `_m71`, `_m33s`. All three use `imx_rproc_ops_sm_lmm` (CPU or LMM protocol,
// detected at probe, as for the i.MX95) and the i.MX95's reset vector mask
// (`GENMASK_U32(31, 16)`).

/// The i.MX94's first Cortex-M7, `fsl,imx94-cm70` (`imx_rproc_cfg_imx94_m70`).
pub(crate) static IMX94_M70: Dcfg = Dcfg {
    att: &[
        // TCM CODE NON-SECURE, TCM SYS NON-SECURE
        imx94_tcm(0x0000_0000, 0x203C_0000),
        imx94_tcm(0x2000_0000, 0x2040_0000),
        IMX94_DDR,
    ],
    cpuid: 1,
    lmid: 2,
};

/// The i.MX94's second Cortex-M7, `fsl,imx94-cm71` (`imx_rproc_cfg_imx94_m71`).
pub(crate) static IMX94_M71: Dcfg = Dcfg {
    att: &[
        imx94_tcm(0x0000_0000, 0x202C_0000),
        imx94_tcm(0x2000_0000, 0x2030_0000),
        IMX94_DDR,
    ],
    cpuid: 7,
    lmid: 3,
};

/// The i.MX94's Cortex-M33 "S" (sync) core, `fsl,imx94-cm33s`
/// (`imx_rproc_cfg_imx94_m33s`): its code TCM sits below 0x1000_0000, and
/// its OCRAM is its own too.
pub(crate) static IMX94_M33S: Dcfg = Dcfg {
    att: &[
        imx94_tcm(0x0FFC_0000, 0x209C_0000),
        imx94_tcm(0x2000_0000, 0x20A0_0000),
        // M33S OCRAM NON-SECURE
        AttEntry {
            da: 0x2080_0000,
            sa: 0x2080_0000,
            size: 0x0018_0000,
            flags: ATT_OWN | ATT_IOMEM,
        },
        IMX94_DDR,
    ],
    cpuid: 8,
    lmid: 1,
};
