// SPDX-License-Identifier: GPL-2.0

//! Abstractions over the C APIs the kernel crate does not cover yet:
//! remoteproc, mailbox client, the i.MX System Manager, reserved memory, a
//! module-wide debugfs root.
//!
//! All of this module's `unsafe` code lives here; the driver has none.

pub(crate) mod bindings;
pub(crate) mod compat;
pub(crate) mod imx_sm;
pub(crate) mod mailbox;
pub(crate) mod module_dir;
pub(crate) mod of_rmem;
pub(crate) mod pm;
pub(crate) mod remoteproc;
pub(crate) mod workqueue;

use kernel::device::{
    Device,
    DeviceContext, //
};

/// The `struct device` behind a kernel-crate [`Device`].
///
/// `Device::as_raw` is private to the kernel crate; `Device` is a
/// `#[repr(transparent)]` wrapper of `Opaque<struct device>`, itself
/// transparent, so the pointer casts over.
pub(crate) fn device_raw<Ctx: DeviceContext>(dev: &Device<Ctx>) -> *mut bindings::device {
    core::ptr::from_ref(dev)
        .cast::<bindings::device>()
        .cast_mut()
}
