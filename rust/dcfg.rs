// SPDX-License-Identifier: GPL-2.0

//! What differs between the SoCs this driver runs on, as data: the C
//! driver's `imx_rproc_dcfg`. The OF table points each compatible at one.

use crate::fw::att::{
    self,
    AttEntry, //
};

/// One SoC's configuration of the remote core.
#[derive(Debug)]
pub(crate) struct Dcfg {
    /// How the M7 sees memory: its address translation table, whose
    /// `ATT_OWN` entries (the TCMs) the driver maps at probe.
    pub(crate) att: &'static [AttEntry],
    /// The M7's CPU id in the System Manager (must match the SM configuration).
    pub(crate) cpuid: u32,
    /// The M7's logical machine id in the System Manager.
    pub(crate) lmid: u32,
}

/// The i.MX95's Cortex-M7 (`imx_rproc_cfg_imx95_m7` in the C driver).
pub(crate) static IMX95_M7: Dcfg = Dcfg {
    att: &att::IMX95_M7_ATT,
    cpuid: 1,
    lmid: 1,
};
