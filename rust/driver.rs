// SPDX-License-Identifier: GPL-2.0

//! The platform driver: the OF match table, probe (what it finds in the
//! device tree, maps and registers) and unbind.

use crate::{
    crash::CrashWatch,
    dcfg::{
        self,
        Dcfg, //
    },
    diag::{
        Diag,
        Stats, //
    },
    fw,
    kernel_ext::{
        compat,
        module_dir::ModuleDir,
        of_rmem,
        pm::RuntimePm,
        remoteproc::{
            self,
            Rproc, //
        }, //
    },
    mbox::Mailboxes,
    memory::{
        map_memory,
        memory_roles,
        parse_regions, //
    },
    rproc::{
        BootState,
        ImxRproc, //
    },
    rx::RxWork,
    sm::detect_mode, //
};
use core::sync::atomic::{
    AtomicBool,
    AtomicI64,
    AtomicU32,
    AtomicU64, //
};
use kernel::{
    debugfs,
    device::{
        Bound,
        Core,
        Device, //
    },
    of,
    platform,
    prelude::*,
    str::CString,
    sync::{
        aref::ARef,
        Arc, //
    },
    time::Instant,
    workqueue::{
        new_delayed_work,
        new_work, //
    }, //
};

/// `EI_CLASS` of the M7's coredumps.
pub(crate) const ELFCLASS32: u8 = 1;

/// The platform driver's device data. The registration and runtime PM
/// belong to the device's devres, released after this is dropped, in reverse
/// order: `rproc_del` (which may still stop the remote), then runtime PM.
pub(crate) struct ImxRprocDriver {
    pub(crate) rproc: ARef<Rproc>,
    pub(crate) _status: Pin<KBox<debugfs::File<Diag>>>,
    pub(crate) _debugfs: debugfs::Dir,
}

compat::of_device_table!(
    OF_TABLE,
    <ImxRprocDriver as platform::Driver>::IdInfo,
    [
        (of::DeviceId::new(c"fsl,imx94-cm70"), &dcfg::IMX94_M70),
        (of::DeviceId::new(c"fsl,imx94-cm71"), &dcfg::IMX94_M71),
        (of::DeviceId::new(c"fsl,imx94-cm33s"), &dcfg::IMX94_M33S),
        (of::DeviceId::new(c"fsl,imx95-cm7"), &dcfg::IMX95_M7),
    ]
);

impl platform::Driver for ImxRprocDriver {
    type IdInfo = &'static Dcfg;
    type Data<'bound> = Self;
    const OF_ID_TABLE: Option<of::IdTable<Self::IdInfo>> = Some(&OF_TABLE);

    fn probe<'bound>(
        pdev: &'bound platform::Device<Core<'_>>,
        info: Option<&'bound Self::IdInfo>,
    ) -> impl PinInit<Self, Error> + 'bound {
        let dev: &Device<Bound> = pdev.as_ref();
        // Every entry of the OF table has its configuration.
        let cfg = info.copied().ok_or(ENODEV);
        cfg.and_then(|cfg| Self::new(dev, cfg))
    }
}

impl ImxRprocDriver {
    pub(crate) fn new(dev: &Device<Bound>, cfg: &'static Dcfg) -> Result<Self> {
        let fwnode = dev.fwnode().ok_or(ENODEV)?;
        let name = of_rmem::node_name(dev)?;
        let regions = parse_regions(dev)?;
        let table = cfg.att;
        let (mapped, rsc_table) = map_memory(dev, table, &regions)?;
        let (vring_ranges, m7_ranges) = memory_roles(table, &regions)?;

        // The remote is named after its node, as the C driver names it; a
        // `firmware-name` property sets the default image (upstream ignores
        // it and always uses rproc-<name>-fw).
        let firmware = fwnode.property_read::<CString>(c"firmware-name").optional();
        let mut alloc = remoteproc::Allocation::<ImxRproc>::new(dev, &name, firmware.as_deref())?;
        // Upstream never sets this, so its coredumps are never written.
        alloc.set_coredump_elf_info(ELFCLASS32, fw::elf::EM_ARM)?;

        let rproc_ref = alloc.rproc().get();
        let stats = Stats::new()?;
        let rx_stats = stats.clone();
        let rx = Arc::pin_init(
            pin_init!(RxWork {
                rproc: rproc_ref,
                stats: rx_stats,
                seen: AtomicU64::new(0),
                last_used: AtomicU32::new(0),
                idle_streak: AtomicU64::new(0),
                unreported: AtomicU64::new(0),
                last_log_ms: AtomicI64::new(i64::MIN),
                base: Instant::now(),
                work <- new_work!("imx_rproc_rs::RxWork::work"),
            }),
            GFP_KERNEL,
        )?;

        // Requested here so a missing mailbox controller defers the probe.
        let mbox = if fwnode.property_present(c"mbox-names") {
            Some(Arc::new(Mailboxes::request(dev, &rx)?, GFP_KERNEL)?)
        } else {
            None
        };

        let has_rxdb = fwnode.property_match_string(c"mbox-names", c"rxdb").is_ok();
        let (method, started) = detect_mode(dev, cfg)?;
        if started {
            alloc.set_detached();
        } else {
            alloc.set_auto_boot(fwnode.property_read_bool(c"fsl,auto-boot"));
        }

        let watch_rproc = alloc.rproc().get();
        let watch_stats = stats.clone();
        let watch = Arc::pin_init(
            pin_init!(CrashWatch {
                rproc: watch_rproc,
                method,
                cfg,
                stats: watch_stats,
                armed: AtomicBool::new(false),
                failing: AtomicBool::new(false),
                work <- new_delayed_work!("imx_rproc_rs::CrashWatch::work"),
            }),
            GFP_KERNEL,
        )?;
        let data_stats = stats.clone();
        let data = KBox::pin_init(
            pin_init!(ImxRproc {
                method,
                regions,
                cfg,
                mapped,
                rsc_table,
                vring_ranges,
                m7_ranges,
                rx,
                stats: data_stats,
                watch,
                mbox <- kernel::new_mutex!(mbox),
                kicks_sending: AtomicU32::new(0),
                boot <- kernel::new_mutex!(BootState::default()),
                has_rxdb,
            }),
            GFP_KERNEL,
        )?;
        // Runtime PM as upstream: enabled and held while bound.
        let pm = RuntimePm::enable_and_get(dev).inspect_err(|e| {
            dev_err!(dev, "pm_runtime get failed: {:?}\n", e);
        })?;
        kernel::devres::register(dev, pm, GFP_KERNEL)?;
        let rproc = alloc.register(data).inspect_err(|e| {
            dev_err!(dev, "rproc_add failed: {:?}\n", e);
        })?;
        dev_info!(
            dev,
            "{}: registered, SM method {}, M7 {}\n",
            rproc.dev().name(),
            method.name(),
            if started {
                "running (will attach)"
            } else {
                "offline"
            }
        );
        // Diagnostics: /sys/kernel/debug/imx_rproc_rs/<node>/status.
        let dir = ModuleDir::subdir(&name).ok_or(ENOENT)?;
        let status = KBox::pin_init(
            dir.read_callback_file(c"status", Diag { method, cfg, stats }, &Diag::show),
            GFP_KERNEL,
        )?;
        Ok(Self {
            rproc,
            _status: status,
            _debugfs: dir,
        })
    }
}

impl ImxRprocDriver {
    /// Unbinding (or `rmmod`) with an M7 Linux attached to but did not boot
    /// detaches from it instead of stopping it, unless `detach_on_unbind=0`:
    /// a module upgrade must not kill a core the bootloader started.
    pub(crate) fn release(&self) {
        let rproc = &self.rproc;
        if compat::param(&crate::module_parameters::detach_on_unbind) != 0
            && rproc.state() == remoteproc::State::Attached
        {
            match rproc.detach() {
                Ok(()) => dev_info!(rproc.dev(), "detached, the M7 keeps running\n"),
                Err(e) => dev_warn!(rproc.dev(), "detach failed ({:?}), stopping\n", e),
            }
        }
    }
}

impl Drop for ImxRprocDriver {
    fn drop(&mut self) {
        self.release();
        dev_dbg!(self.rproc.dev(), "unregistering\n");
    }
}
