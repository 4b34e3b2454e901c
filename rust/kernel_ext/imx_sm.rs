// SPDX-License-Identifier: GPL-2.0

//! i.MX System Manager client: the CPU (0x82) and Logical Machine (0x80)
//! vendor protocols of the SCMI firmware that runs on the i.MX95's M33.
//!
//! C header: [`include/linux/firmware/imx/sm.h`](srctree/include/linux/firmware/imx/sm.h)
//!
//! The C wrappers return `-EPROBE_DEFER` until the SCMI vendor drivers have
//! probed, so every call here may legitimately defer a caller's probe.

use super::bindings;
use kernel::error::{
    to_result,
    Result, //
};

/// `LMM_ID_DISCOVER`: asks the System Manager for the caller's own logical machine.
pub(crate) const LMM_ID_DISCOVER: u32 = bindings::LMM_ID_DISCOVER;

/// Flag of [`lmm_shutdown`]: ask the logical machine to shut down gracefully.
pub(crate) const LMM_OP_GRACEFUL: u32 = 1 << 0;

/// Flag of [`lmm_shutdown`]: power the logical machine off at once.
pub(crate) const LMM_OP_FORCEFUL: u32 = bindings::SCMI_IMX_LMM_OP_FORCEFUL;

/// Power state of a logical machine as the System Manager reports it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum LmState {
    /// Powered off.
    Off,
    /// Booted and running.
    On,
    /// Suspended.
    Suspended,
    /// Powered on but not booted.
    Powered,
    /// A value this driver does not know.
    Unknown(u32),
}

/// What `LMM_ATTRIBUTES` says about a logical machine.
#[derive(Clone, Copy, Debug)]
pub(crate) struct LmInfo {
    /// The logical machine's id (the caller's own for [`LMM_ID_DISCOVER`]).
    pub(crate) lmid: u32,
    /// Its power state.
    pub(crate) state: LmState,
    /// `errStatus`: the last error status the System Manager recorded for
    /// it (the closest thing to a reset reason the kernel's i.MX SM API
    /// exposes: it has no `LMM_RESET_REASON`).
    pub(crate) errstatus: u32,
}

/// Starts (`true`) or stops (`false`) CPU `cpuid` (`CPU_START` / `CPU_STOP`).
pub(crate) fn cpu_start(cpuid: u32, start: bool) -> Result {
    // SAFETY: FFI call with plain values; the C side validates `cpuid`.
    to_result(unsafe { bindings::scmi_imx_cpu_start(cpuid, start) })
}

/// Whether CPU `cpuid` runs (`CPU_INFO_GET`, run mode RUN or SLEEP).
pub(crate) fn cpu_started(cpuid: u32) -> Result<bool> {
    let mut started = false;
    // SAFETY: `started` is a valid, writable `bool` for the duration of the call.
    to_result(unsafe { bindings::scmi_imx_cpu_started(cpuid, &mut started) })?;
    Ok(started)
}

/// Sets the reset vector of CPU `cpuid` (`CPU_RESET_VECTOR_SET`).
pub(crate) fn cpu_reset_vector_set(
    cpuid: u32,
    vector: u64,
    start: bool,
    boot: bool,
    resume: bool,
) -> Result {
    // SAFETY: FFI call with plain values.
    to_result(unsafe {
        bindings::scmi_imx_cpu_reset_vector_set(cpuid, vector, start, boot, resume)
    })
}

fn lmm_operation(lmid: u32, op: bindings::scmi_imx_lmm_op, flags: u32) -> Result {
    // SAFETY: FFI call with plain values; the C side validates `lmid` and `op`.
    to_result(unsafe { bindings::scmi_imx_lmm_operation(lmid, op, flags) })
}

/// Boots logical machine `lmid` (`LMM_BOOT`).
pub(crate) fn lmm_boot(lmid: u32) -> Result {
    lmm_operation(lmid, bindings::scmi_imx_lmm_op_SCMI_IMX_LMM_BOOT, 0)
}

/// Powers logical machine `lmid` on without booting it (`LMM_POWER_ON`).
///
/// `EACCES` means Linux has no permission to control it.
pub(crate) fn lmm_power_on(lmid: u32) -> Result {
    lmm_operation(lmid, bindings::scmi_imx_lmm_op_SCMI_IMX_LMM_POWER_ON, 0)
}

/// Shuts logical machine `lmid` down (`LMM_SHUTDOWN`) with `flags`
/// ([`LMM_OP_FORCEFUL`] or [`LMM_OP_GRACEFUL`]).
pub(crate) fn lmm_shutdown(lmid: u32, flags: u32) -> Result {
    lmm_operation(lmid, bindings::scmi_imx_lmm_op_SCMI_IMX_LMM_SHUTDOWN, flags)
}

/// Reads the attributes of logical machine `lmid` (`LMM_ATTRIBUTES`).
pub(crate) fn lmm_info(lmid: u32) -> Result<LmInfo> {
    let mut info = bindings::scmi_imx_lmm_info::default();
    // SAFETY: `info` is a valid, writable `struct scmi_imx_lmm_info`.
    to_result(unsafe { bindings::scmi_imx_lmm_info(lmid, &mut info) })?;
    let state = match info.state {
        bindings::scmi_imx_lmm_state_LMM_STATE_LM_OFF => LmState::Off,
        bindings::scmi_imx_lmm_state_LMM_STATE_LM_ON => LmState::On,
        bindings::scmi_imx_lmm_state_LMM_STATE_LM_SUSPEND => LmState::Suspended,
        bindings::scmi_imx_lmm_state_LMM_STATE_LM_POWERED => LmState::Powered,
        other => LmState::Unknown(other),
    };
    Ok(LmInfo {
        lmid: info.lmid,
        state,
        errstatus: info.errstatus,
    })
}

/// Sets the reset vector of CPU `cpuid` in logical machine `lmid`
/// (`LMM_RESET_VECTOR_SET`).
pub(crate) fn lmm_reset_vector_set(lmid: u32, cpuid: u32, flags: u32, vector: u64) -> Result {
    // SAFETY: FFI call with plain values.
    to_result(unsafe { bindings::scmi_imx_lmm_reset_vector_set(lmid, cpuid, flags, vector) })
}
