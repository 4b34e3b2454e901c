// SPDX-License-Identifier: GPL-2.0

//! The System Manager methods, as the C driver's plat-ops: how Linux
//! controls the M7 (CPU or LMM protocol), detecting it at probe, and the
//! LMM shutdown.

use crate::{
    dcfg::Dcfg,
    kernel_ext::imx_sm, //
};
use kernel::{
    device::{
        Bound,
        Device, //
    },
    io::poll::read_poll_timeout,
    prelude::*,
    time::Delta, //
};

/// How often a graceful LMM shutdown is polled.
pub(crate) const GRACE_POLL_MS: u32 = 10;

/// How Linux controls the M7.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Method {
    /// The M7 is in Linux's logical machine: CPU protocol.
    Cpu,
    /// The M7 has a logical machine of its own: LMM protocol; `control` says
    /// whether the System Manager lets Linux boot and stop it (otherwise
    /// only IPC with an M7 someone else booted).
    Lmm { control: bool },
}

impl Method {
    /// Boots the M7 from `vector` (`imx_rproc_sm_cpu_start`,
    /// `imx_rproc_sm_lmm_start`).
    pub(crate) fn boot(self, dev: &Device, cfg: &Dcfg, vector: u64) -> Result {
        match self {
            Method::Cpu => imx_sm::cpu_reset_vector_set(cfg.cpuid, vector, true, false, false)
                .inspect_err(|e| {
                    dev_err!(
                        dev,
                        "Failed to set reset vector cpuid({}): {:?}\n",
                        cfg.cpuid,
                        e
                    )
                })
                .and_then(|()| {
                    imx_sm::cpu_start(cfg.cpuid, true).inspect_err(|e| {
                        dev_err!(dev, "Failed to start cpu({}): {:?}\n", cfg.cpuid, e);
                        // No answer: the System Manager may have started
                        // it all the same. The core will not stop a
                        // remote whose start failed: stop it here.
                        if *e == ETIMEDOUT {
                            let _ = imx_sm::cpu_start(cfg.cpuid, false);
                        }
                    })
                }),
            Method::Lmm { .. } => imx_sm::lmm_reset_vector_set(cfg.lmid, cfg.cpuid, 0, vector)
                .inspect_err(|e| {
                    dev_err!(
                        dev,
                        "Failed to set reset vector lmid({}), cpuid({}): {:?}\n",
                        cfg.lmid,
                        cfg.cpuid,
                        e
                    )
                })
                .and_then(|()| {
                    imx_sm::lmm_boot(cfg.lmid).inspect_err(|e| {
                        dev_err!(dev, "Failed to boot lmm({}): {:?}\n", cfg.lmid, e)
                    })
                }),
        }
    }

    /// Stops the M7 (`imx_rproc_sm_cpu_stop`, `imx_rproc_sm_lmm_stop`).
    pub(crate) fn stop(self, dev: &Device, cfg: &Dcfg) -> Result {
        match self {
            Method::Cpu => imx_sm::cpu_start(cfg.cpuid, false),
            Method::Lmm { control: false } => Err(EACCES),
            Method::Lmm { control: true } => lmm_stop(dev, cfg),
        }
    }

    pub(crate) fn name(self) -> &'static str {
        match self {
            Method::Cpu => "cpu",
            Method::Lmm { control: true } => "lmm",
            Method::Lmm { control: false } => "lmm-ipc-only",
        }
    }
}

/// Shuts the M7's logical machine down: gracefully first when
/// `graceful_stop_ms` asks for it, forcefully when that times out.
pub(crate) fn lmm_stop(dev: &Device, cfg: &Dcfg) -> Result {
    let grace = crate::kernel_ext::compat::param(&crate::module_parameters::graceful_stop_ms);
    if grace > 0 {
        imx_sm::lmm_shutdown(cfg.lmid, imx_sm::LMM_OP_GRACEFUL)?;
        // Graceful is asynchronous: success means "asked", not "done".
        // An error of the System Manager ends the wait with that error (no
        // forceful shutdown); only the timeout goes on to force it.
        let polled = read_poll_timeout(
            || Ok(imx_sm::lmm_info(cfg.lmid)),
            |info| {
                info.as_ref()
                    .map_or(true, |i| i.state == imx_sm::LmState::Off)
            },
            Delta::from_millis(GRACE_POLL_MS.into()),
            Delta::from_millis(grace.into()),
        );
        if let Ok(info) = polled {
            return info.map(|_| ());
        }
        dev_warn!(
            dev,
            "lmm({}) did not shut down within {} ms, forcing it\n",
            cfg.lmid,
            grace
        );
    }
    imx_sm::lmm_shutdown(cfg.lmid, imx_sm::LMM_OP_FORCEFUL)
}

/// Asks the System Manager how Linux controls the M7 and whether it runs,
/// as `imx_rproc_sm_detect_mode` does.
pub(crate) fn detect_mode(dev: &Device<Bound>, cfg: &Dcfg) -> Result<(Method, bool)> {
    let started = imx_sm::cpu_started(cfg.cpuid).inspect_err(|e| {
        if *e != EPROBE_DEFER {
            dev_err!(dev, "Failed to detect cpu({}) status: {:?}\n", cfg.cpuid, e)
        }
    })?;
    let info = imx_sm::lmm_info(imx_sm::LMM_ID_DISCOVER).inspect_err(|e| {
        if *e != EPROBE_DEFER {
            dev_err!(dev, "Failed to get current LMM ID err: {:?}\n", e)
        }
    })?;

    if info.lmid == cfg.lmid {
        dev_info!(dev, "Using CPU Protocol OPS\n");
        return Ok((Method::Cpu, started));
    }
    dev_info!(dev, "Using LMM Protocol OPS\n");

    // Probe the permission: powering the LM on fails with EACCES when the
    // System Manager does not give Linux control over it.
    match imx_sm::lmm_power_on(cfg.lmid) {
        Err(e) if e == EACCES => {
            dev_info!(dev, "lmm({}) not under Linux Control\n", cfg.lmid);
            return Ok((Method::Lmm { control: false }, started));
        }
        Err(e) => {
            dev_err!(dev, "power on lmm({}) failed: {:?}\n", cfg.lmid, e);
            return Err(e);
        }
        Ok(()) => {}
    }
    if !started {
        imx_sm::lmm_shutdown(cfg.lmid, imx_sm::LMM_OP_FORCEFUL)
            .inspect_err(|e| dev_err!(dev, "shutdown lmm({}) failed: {:?}\n", cfg.lmid, e))?;
    }
    Ok((Method::Lmm { control: true }, started))
}
