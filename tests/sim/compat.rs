// SPDX-License-Identifier: GPL-2.0

//! The differences between the kernel releases of `kernels.list` that the simulator meets.
//!
//! As the driver's `rust/kernel_ext/compat.rs`: each item has the shape of the newest supported
//! release and is mapped onto the older ones by the "at or past" cfgs `Kbuild` emits
//! (`imx_kernel_ge_7_3` on 7.3 and later).

/// `kernel::of_device_table!` as Linux 7.3 has it: `(TABLE, IdInfo, [(id, info), ...])`.
///
/// 7.3 (`rust/kernel/of.rs`) dropped the `MODULE_DEVICE_TABLE` alias argument; 7.2 needs it,
/// given here as `MODULE_OF_TABLE` (one OF table per module).
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

/// SMP memory barriers in Linux 7.3's form: `smp_mb(Read)`, `smp_mb(Full)`.
///
/// 7.3 rewrote `rust/kernel/sync/barrier.rs`: one `smp_mb()` that takes the ordering (`Read`,
/// `Write`, `Full`) in place of 7.2's `smp_rmb()`, `smp_wmb()` and argument-less `smp_mb()`.
pub(crate) mod barrier {
    #[cfg(imx_kernel_ge_7_3)]
    pub(crate) use kernel::sync::barrier::{smp_mb, Full, Read};

    /// Orders earlier loads before later loads (7.2: `smp_rmb()`).
    #[cfg(not(imx_kernel_ge_7_3))]
    pub(crate) struct Read;

    /// Orders all earlier accesses before all later ones (7.2: `smp_mb()`).
    #[cfg(not(imx_kernel_ge_7_3))]
    pub(crate) struct Full;

    /// An ordering [`smp_mb`] takes.
    #[cfg(not(imx_kernel_ge_7_3))]
    pub(crate) trait Ordering {
        /// Runs the barrier.
        fn run();
    }

    #[cfg(not(imx_kernel_ge_7_3))]
    impl Ordering for Read {
        fn run() {
            kernel::sync::barrier::smp_rmb();
        }
    }

    #[cfg(not(imx_kernel_ge_7_3))]
    impl Ordering for Full {
        fn run() {
            kernel::sync::barrier::smp_mb();
        }
    }

    /// A memory barrier between CPUs of the given ordering.
    #[cfg(not(imx_kernel_ge_7_3))]
    #[inline]
    pub(crate) fn smp_mb<T: Ordering>(_: T) {
        T::run()
    }
}
