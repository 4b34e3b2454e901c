// SPDX-License-Identifier: GPL-2.0

//! Runtime power management of a device.
//!
//! C header: [`include/linux/pm_runtime.h`](srctree/include/linux/pm_runtime.h)

use super::bindings;
use kernel::{
    device::{
        Bound,
        Device, //
    },
    error::to_result,
    prelude::*,
    sync::aref::ARef, //
};

/// Runtime PM enabled and the device resumed, with a usage count held:
/// what a driver does in probe with `pm_runtime_enable` and
/// `pm_runtime_resume_and_get`. Dropping it disables runtime PM and drops
/// the count, as a driver's remove does.
///
/// # Invariants
///
/// Runtime PM of `dev` is enabled and this object owns one usage count.
pub(crate) struct RuntimePm {
    dev: ARef<Device>,
}

impl RuntimePm {
    /// Enables runtime PM of `dev` and resumes it.
    pub(crate) fn enable_and_get(dev: &Device<Bound>) -> Result<Self> {
        let raw = super::device_raw(dev);
        // SAFETY: `raw` is a valid, bound device.
        unsafe { bindings::pm_runtime_enable(raw) };
        // SAFETY: `raw` is a valid, bound device whose runtime PM was just
        // enabled.
        if let Err(e) = to_result(unsafe { bindings::imx_rproc_rs_pm_runtime_resume_and_get(raw) })
        {
            // SAFETY: Undoes the `pm_runtime_enable` above.
            unsafe { bindings::imx_rproc_rs_pm_runtime_disable(raw) };
            return Err(e);
        }
        let dev: &Device = dev;
        // INVARIANT: enabled, and `resume_and_get` took a usage count.
        Ok(Self { dev: dev.into() })
    }
}

impl Drop for RuntimePm {
    fn drop(&mut self) {
        let raw = super::device_raw(&*self.dev);
        // SAFETY: By the type invariant runtime PM is enabled and we own a
        // usage count; the device is kept alive by `self.dev`.
        unsafe {
            bindings::imx_rproc_rs_pm_runtime_disable(raw);
            bindings::imx_rproc_rs_pm_runtime_put_noidle(raw);
        }
    }
}
