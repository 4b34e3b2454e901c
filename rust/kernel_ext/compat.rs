// SPDX-License-Identifier: GPL-2.0

//! The differences between the kernel releases of `kernels.list`, in one place.
//!
//! Each item has the shape of the newest supported release and is mapped onto
//! the older ones, selected by the "at or past" cfgs that `Kbuild` emits from
//! the tree's `VERSION`/`PATCHLEVEL` (`imx_kernel_ge_7_3` on 7.3 and later).
//! The driver calls one name on every release; when the oldest release leaves
//! `kernels.list`, its branches go and the callers stay as they are
//! (Documentation/porting.rst). The simulator has its own copy for what it
//! uses (`tests/sim/compat.rs`).

use kernel::module_param::ModuleParamAccess;

/// `kernel::of_device_table!` as Linux 7.3 has it: `(TABLE, IdInfo, [(id, info), ...])`.
///
/// 7.3 (`rust/kernel/of.rs`, `rust/kernel/device_id.rs`: `module_device_table!`)
/// dropped the second argument, the name of the `MODULE_DEVICE_TABLE` alias
/// static, and makes the table a `static`; 7.2 needs the alias name, given
/// here as `MODULE_OF_TABLE` (one OF table per module).
#[cfg(not(imx_kernel_ge_7_3))]
macro_rules! of_device_table {
    ($table:ident, $id_info:ty, [$($data:tt)*] $(,)?) => {
        ::kernel::of_device_table!($table, MODULE_OF_TABLE, $id_info, [$($data)*]);
    };
}

/// `kernel::of_device_table!` as Linux 7.3 has it (this release's own macro).
#[cfg(imx_kernel_ge_7_3)]
macro_rules! of_device_table {
    ($table:ident, $id_info:ty, [$($data:tt)*] $(,)?) => {
        ::kernel::of_device_table!($table, $id_info, [$($data)*]);
    };
}
pub(crate) use of_device_table;

/// The value of a `Copy` module parameter.
///
/// Linux 7.3's `ModuleParamAccess::value()` returns `T` for `Copy` types (the
/// reference is `value_ref()`, `rust/kernel/module_param.rs`); 7.2's returns
/// `&T`. A method of the same name cannot cover both (the inherent one wins).
#[inline]
pub(crate) fn param<T: Copy>(param: &ModuleParamAccess<T>) -> T {
    #[cfg(imx_kernel_ge_7_3)]
    {
        param.value()
    }
    #[cfg(not(imx_kernel_ge_7_3))]
    {
        *param.value()
    }
}

/// `IRQ_NONE` of `irqreturn_t`, as the kernel crate's bindings spell it.
///
/// Linux 7.3's `rust/bindgen_parameters` passes `--newtype-enum irqreturn`:
/// the constant is `irqreturn::IRQ_NONE` of a newtype; 7.2 has
/// `irqreturn_IRQ_NONE` of a `c_uint` alias.
#[cfg(imx_kernel_ge_7_3)]
pub(crate) const IRQ_NONE: kernel::bindings::irqreturn_t = kernel::bindings::irqreturn::IRQ_NONE;

/// `IRQ_NONE` of `irqreturn_t`, as the kernel crate's bindings spell it.
#[cfg(not(imx_kernel_ge_7_3))]
pub(crate) const IRQ_NONE: kernel::bindings::irqreturn_t = kernel::bindings::irqreturn_IRQ_NONE;
