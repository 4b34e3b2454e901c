// SPDX-License-Identifier: GPL-2.0

//! The driver's per-device state and its [`remoteproc::Operations`].

use crate::{
    crash::CrashWatch,
    dcfg::Dcfg,
    diag::{
        LastStop,
        Stats, //
    },
    fw::{
        att,
        boot,
        elf::Elf32,
        rsc::ResourceTable, //
    },
    image::{
        fw_error,
        RSC_SECTION, //
    },
    kernel_ext::{
        self,
        imx_sm,
        mailbox::{
            self,
            Channel, //
        },
        of_rmem::{
            MappedRange,
            ReservedRegion, //
        },
        remoteproc::{
            self,
            LoadedTable,
            Rproc, //
        }, //
    },
    mbox::Mailboxes,
    memory::{
        Mapped,
        Ranges,
        Role, //
    },
    ready::{
        wait_ready,
        ReadyBell,
        READY_DEFAULT_MS,
        READY_SECTION, //
    },
    rx::RxWork,
    sm::Method, //
};
use core::sync::atomic::{
    AtomicBool,
    AtomicU32,
    Ordering, //
};
use kernel::{
    device::{
        Bound,
        Device, //
    },
    prelude::*,
    sync::{
        Arc,
        Mutex, //
    },
    time::{
        Instant,
        Monotonic, //
    }, //
};

/// How much of the `rsc-table` region the core gets on attach, as upstream.
pub(crate) const ATTACHED_TABLE_SIZE: usize = 1024;

/// The driver's per-device state; the [`remoteproc::Operations`] receive it.
#[pin_data(PinnedDrop)]
pub(crate) struct ImxRproc {
    pub(crate) method: Method,
    /// The `memory-region` entries with their roles.
    pub(crate) regions: KVec<(ReservedRegion, Role)>,
    /// The SoC's configuration (the OF match's data).
    pub(crate) cfg: &'static Dcfg,
    pub(crate) mapped: KVec<Mapped>,
    /// Index in `mapped` of the `rsc-table` region, where the live resource
    /// table lives.
    pub(crate) rsc_table: Option<usize>,
    /// The `vdevNvringM` regions `(start, len)`: where a vring with a fixed
    /// device address must lie.
    pub(crate) vring_ranges: Ranges,
    /// The M7's own memory as system ranges `(start, len)`: the TCMs and
    /// every region that is not for IPC (not `vdev*`, not `rsc-table`).
    /// Segments and trace buffers must lie inside one of them.
    pub(crate) m7_ranges: Ranges,
    pub(crate) rx: Arc<RxWork>,
    pub(crate) stats: Arc<Stats>,
    pub(crate) watch: Arc<CrashWatch>,
    /// Present between start/attach and stop; the channels are given back
    /// while the M7 is offline, as the C driver does.
    #[pin]
    pub(crate) mbox: Mutex<Option<Arc<Mailboxes>>>,
    /// Kicks between taking a reference to the channels and dropping it.
    /// The lock is not held while a kick waits for the MU: a writer and the
    /// receive work item would queue up behind each other's wait.
    pub(crate) kicks_sending: AtomicU32,
    /// What one boot carries from hook to hook.
    #[pin]
    pub(crate) boot: Mutex<BootState>,
    /// The node has an `rxdb` mailbox channel.
    pub(crate) has_rxdb: bool,
}

/// The per-boot state the hooks hand on: set by `sanity_check`, `parse_fw`
/// and `prepare`, read by `prepare`, `start` and `unprepare`.
///
/// Every hook that touches it runs under the core's `rproc->lock`, so its
/// lock is never contended; it is there so that the type says what the
/// core's locking guarantees (these were `Relaxed` atomics). `kick`, the one
/// hook outside `rproc->lock` (any context, possibly atomic, where a mutex
/// may not be taken), keeps its own atomic counter
/// ([`ImxRproc::kicks_sending`]).
#[derive(Default)]
pub(crate) struct BootState {
    /// The translation entries (TCMs) the image being booted loads into,
    /// as a bit mask over `att`: they become coredump segments. TCMs an
    /// image does not use are left alone (they may not even be powered).
    pub(crate) tcm_used: u32,
    /// `prepare` powered the LM on and no boot followed yet (LMM mode).
    pub(crate) powered_not_booted: bool,
    /// Between `prepare` of a boot and the end of `start`: a boot that
    /// `unprepare` finds still pending failed before the M7 started.
    pub(crate) booting: bool,
    /// How long `start` waits for the ready doorbell, in ms; 0 when the
    /// image being booted does not announce it (see [`READY_SECTION`]).
    pub(crate) ready_timeout_ms: u32,
}

impl ImxRproc {
    /// The vector table address `get_boot_addr` derived and checked (for a
    /// plain image the entry masked to 64 KiB, as upstream). Masking it
    /// again would break an MCUXpresso `.interrupts` table that is not
    /// 64 KiB-aligned.
    pub(crate) fn reset_vector(rproc: &Rproc) -> u64 {
        rproc.bootaddr()
    }

    /// Boots the M7 from the reset vector: `start` without its bookkeeping.
    /// Sets `why` when the failure is more than an error code.
    pub(crate) fn start_m7(
        this: &Self,
        rproc: &Rproc,
        dev: &Device<Bound>,
        why: &mut LastStop,
    ) -> Result {
        this.mbox_init(dev)?;
        // Listen for the ready doorbell before the M7 can ring it.
        let ready_ms = this.boot.lock().ready_timeout_ms;
        let bell = if ready_ms > 0 {
            let bell = Arc::new(
                ReadyBell {
                    rung: AtomicBool::new(false),
                },
                GFP_KERNEL,
            )?;
            let chan = Channel::request(
                dev,
                c"rxdb",
                mailbox::Config {
                    tx_block: false,
                    tx_tout_ms: 0,
                    knows_txdone: false,
                },
                Some(bell.clone()),
            )
            .inspect_err(|e| dev_err!(dev, "failed to request rxdb mailbox channel: {:?}\n", e))?;
            Some((bell, chan))
        } else {
            None
        };
        let vector = Self::reset_vector(rproc);
        let ret = this.method.boot(dev, this.cfg, vector);
        if ret.is_err() {
            dev_err!(dev, "Failed to enable remote core!\n");
            return ret;
        }
        if let Some((bell, _chan)) = bell {
            if let Err(e) = wait_ready(dev, &bell, ready_ms) {
                *why = LastStop::ReadyTimeout(ready_ms);
                // The core does not stop a remote whose start failed. In
                // LMM mode `unprepare` powers the LM down (no boot counted).
                if this.method == Method::Cpu {
                    let _ = imx_sm::cpu_start(this.cfg.cpuid, false);
                }
                return Err(e);
            }
        }
        this.boot.lock().powered_not_booted = false;
        CrashWatch::arm(&this.watch);
        Ok(())
    }
}

#[pinned_drop]
impl PinnedDrop for ImxRproc {
    fn drop(self: Pin<&mut Self>) {
        // Dropped after the core let go of the remote (`rproc_del`). No
        // work item of this module may stay queued once its code is gone:
        // silence the sources, then cancel what is still queued or running.
        self.mbox_free();
        self.watch.disarm();
        kernel_ext::workqueue::cancel_delayed_work_sync(&self.watch);
        kernel_ext::workqueue::cancel_work_sync(&self.rx);
    }
}

#[vtable]
impl remoteproc::Operations for ImxRproc {
    fn prepare(this: &Self, rproc: &Rproc, parent: &Device<Bound>) -> Result {
        let attaching = rproc.state() == remoteproc::State::Detached;
        // Refuse before registering anything: the core does not clean up
        // after a failed prepare (upstream leaves the carveouts behind).
        if this.method == (Method::Lmm { control: false }) && !attaching {
            return Err(EACCES);
        }

        // Carveouts are released at every shutdown: register them again.
        for (region, role) in this.regions.iter() {
            // The vdev buffer (index 0, a DMA pool) and the resource table
            // are not carveouts.
            if !role.carveout() {
                continue;
            }
            // i.MX maps DDR 1:1: the remote sees the physical address.
            let da = u32::try_from(region.start()).map_err(|_| EINVAL)?;
            let len = usize::try_from(region.size()).map_err(|_| EINVAL)?;
            // A region mapped at probe is not mapped a second time.
            match this.mapping_of(region.start(), len) {
                Some(map) => rproc.add_mapped_carveout(&region.base_cname()?, map, da)?,
                None => rproc.add_iomem_carveout(&region.base_cname()?, region, da)?,
            }
            rproc.coredump_add_segment(da.into(), len)?;
        }

        // The TCMs the image loads into are part of the remote's state too.
        let tcm = if attaching {
            0
        } else {
            this.boot.lock().tcm_used
        };
        for (i, e) in this.cfg.att.iter().enumerate() {
            if tcm & (1 << i) != 0 {
                rproc.coredump_add_segment(e.da.into(), usize::try_from(e.size)?)?;
            }
        }

        this.boot.lock().booting = !attaching;
        if this.method == (Method::Lmm { control: true }) && !attaching {
            let dev = parent;
            imx_sm::lmm_power_on(this.cfg.lmid).inspect_err(|e| {
                dev_err!(dev, "Failed to power on lmm({}): {:?}\n", this.cfg.lmid, e);
            })?;
            dev_info!(dev, "lmm({}) powered on by Linux\n", this.cfg.lmid);
            this.boot.lock().powered_not_booted = true;
        }
        Ok(())
    }

    fn unprepare(this: &Self, _rproc: &Rproc, parent: &Device<Bound>) -> Result {
        if core::mem::take(&mut this.boot.lock().booting) {
            this.stats.record(LastStop::BootFailedBeforeStart);
        }
        // A boot that failed after prepare powered the LM on (bad image,
        // SM error) must not leave it powered: upstream has no unprepare.
        if core::mem::take(&mut this.boot.lock().powered_not_booted) {
            let dev = parent;
            dev_info!(dev, "boot failed, powering lmm({}) down\n", this.cfg.lmid);
            imx_sm::lmm_shutdown(this.cfg.lmid, imx_sm::LMM_OP_FORCEFUL).inspect_err(|e| {
                dev_err!(dev, "shutdown lmm({}) failed: {:?}\n", this.cfg.lmid, e)
            })?;
        }
        Ok(())
    }

    fn start(this: &Self, rproc: &Rproc, parent: &Device<Bound>) -> Result {
        this.boot.lock().booting = false;
        this.stats.crash_fresh.store(false, Ordering::Relaxed);
        let mut why = LastStop::None;
        let ret = Self::start_m7(this, rproc, parent, &mut why);
        if let Err(e) = ret {
            this.stats.record(match why {
                LastStop::None => LastStop::StartFailed(e),
                why => why,
            });
        }
        ret
    }

    fn stop(this: &Self, rproc: &Rproc, parent: &Device<Bound>) -> Result {
        this.watch.disarm();
        let ret = this.method.stop(parent, this.cfg);
        match ret {
            Ok(()) => {
                this.mbox_free();
                // The stop of the recovery from a crash the watch found
                // keeps that crash as the reason.
                let fresh = this.stats.crash_fresh.swap(false, Ordering::Relaxed);
                if rproc.state() != remoteproc::State::Crashed {
                    this.stats.record(LastStop::Stopped);
                } else if !fresh {
                    this.stats.record(LastStop::CrashReported);
                }
            }
            Err(_) => {
                dev_err!(parent, "Failed to stop remote core\n");
                // The core keeps it running: keep watching it.
                CrashWatch::arm(&this.watch);
            }
        }
        ret
    }

    fn attach(this: &Self, _rproc: &Rproc, parent: &Device<Bound>) -> Result {
        this.mbox_init(parent)?;
        CrashWatch::arm(&this.watch);
        Ok(())
    }

    fn detach(this: &Self, _rproc: &Rproc, _parent: &Device<Bound>) -> Result {
        // The M7 keeps running; Linux stops listening and gives the
        // channels back until it attaches again. (Upstream has no detach
        // for the System Manager and fails here after the core has already
        // torn rpmsg down, leaving the remote attached with IPC dead.)
        this.watch.disarm();
        this.mbox_free();
        Ok(())
    }

    fn kick(this: &Self, _rproc: &Rproc, parent: &Device<Bound>, vqid: i32) {
        Self::send_kick(this, parent, vqid)
    }

    fn sanity_check(this: &Self, rproc: &Rproc, _parent: &Device<Bound>, fw: &[u8]) -> Result {
        let dev = rproc.dev();
        let elf = Self::parse_elf(dev, fw)?;
        elf.validate_segments()
            .map_err(|e| fw_error(dev, "invalid firmware", e))?;
        // Section headers before the reset vector, which looks sections up:
        // a defect there is reported as what it is.
        elf.find_section(RSC_SECTION)
            .map_err(|e| fw_error(dev, "invalid section headers", e))?;
        let mut tcm = 0u32;
        for seg in elf.load_segments().flatten() {
            for (i, e) in this.cfg.att.iter().enumerate() {
                if e.flags & att::ATT_OWN != 0
                    && e.offset_of(seg.paddr.into(), seg.memsz.into()).is_some()
                {
                    tcm |= 1 << i;
                }
            }
        }
        this.boot.lock().tcm_used = tcm;
        // A wrong reset vector leaves the M7 hung with no message at all:
        // refuse it here, with one.
        let vector =
            boot::reset_vector(&elf).map_err(|e| fw_error(dev, "no usable reset vector", e))?;
        if !vector.entry_matches {
            dev_warn!(
                dev,
                "ELF entry {:#x} is not the reset handler {:#x} of the vector table at {:#x}\n",
                elf.entry(),
                vector.reset_handler,
                vector.addr
            );
        }
        Ok(())
    }

    fn parse_fw(this: &Self, rproc: &Rproc, _parent: &Device<Bound>, fw: &[u8]) -> Result {
        let dev = rproc.dev();
        let elf = Self::parse_elf(dev, fw)?;
        let ready = elf
            .find_section(READY_SECTION)
            .map_err(|e| fw_error(dev, "invalid section headers", e))?
            .map(|s| {
                s.data
                    .first_chunk::<4>()
                    .map(|b| u32::from_le_bytes(*b))
                    .filter(|&ms| ms != 0)
                    .unwrap_or(READY_DEFAULT_MS)
            });
        if ready.is_some() && !this.has_rxdb {
            dev_warn!(
                dev,
                "firmware announces a ready doorbell, but the node has no rxdb mailbox\n"
            );
        }
        this.boot.lock().ready_timeout_ms = ready.filter(|_| this.has_rxdb).unwrap_or(0);
        let section = elf
            .find_section(RSC_SECTION)
            .map_err(|e| fw_error(dev, "invalid section headers", e))?;
        let Some(section) = section else {
            // A firmware without IPC is fine, as with the C driver.
            dev_info!(dev, "No resource table in elf\n");
            return Ok(());
        };
        if let Some(region) = this.rsc_region() {
            if section.data.len() > region.size() {
                dev_err!(
                    dev,
                    "resource table ({} bytes) does not fit the rsc-table region ({} bytes)\n",
                    section.data.len(),
                    region.size()
                );
                return Err(EFBIG);
            }
        }
        let table = ResourceTable::parse(section.data, &this.rsc_limits())
            .map_err(|e| fw_error(dev, "invalid resource table", e))?;
        this.check_traces(dev, &table, section.data.len())?;
        rproc.set_cached_table(section.data)
    }

    fn load(this: &Self, rproc: &Rproc, _parent: &Device<Bound>, fw: &[u8]) -> Result {
        let dev = rproc.dev();
        let begin = Instant::<Monotonic>::now();
        let mut bytes = 0u64;
        let elf = Self::parse_elf(dev, fw)?;
        for seg in elf.load_segments() {
            let seg = seg.map_err(|e| fw_error(dev, "invalid firmware", e))?;
            let tail = usize::try_from(seg.memsz - seg.filesz)?;
            // The M7's memory and the rsc-table region take code and data, as
            // upstream; a segment in a vring or the vdev buffer would
            // overwrite what Linux keeps there (upstream loads it).
            let written = if this.loadable(seg.paddr.into(), seg.memsz.into()) {
                rproc.write_memory(seg.paddr.into(), seg.data, tail)
            } else {
                Err(EINVAL)
            };
            written.inspect_err(|_| {
                dev_err!(
                    dev,
                    "segment {} (da {:#x}, {:#x} bytes) is outside every memory region\n",
                    seg.index,
                    seg.paddr,
                    seg.memsz
                )
            })?;
            bytes = bytes.saturating_add(seg.memsz.into());
        }
        *this.stats.last_load.lock() = Some((bytes, begin.elapsed().as_nanos()));
        Ok(())
    }

    fn find_loaded_rsc_table<'a>(
        this: &'a Self,
        rproc: &Rproc,
        _parent: &Device<Bound>,
        fw: &[u8],
    ) -> Option<LoadedTable<'a>> {
        if !rproc.has_table() {
            return None;
        }
        if let Some(region) = this.rsc_region() {
            // `parse_fw` made sure the table fits.
            return MappedRange::new(region, 0, rproc.table_sz()).map(LoadedTable::Mapped);
        }
        // No rsc-table region: the table stays where the image put it.
        let elf = Elf32::parse(fw).ok()?;
        let section = elf.find_section(RSC_SECTION).ok()??;
        Some(LoadedTable::DeviceAddress(section.addr.into()))
    }

    fn get_loaded_rsc_table<'a>(
        this: &'a Self,
        rproc: &Rproc,
        _parent: &Device<Bound>,
    ) -> Result<Option<MappedRange<'a>>> {
        let Some(region) = this.rsc_region() else {
            return Ok(None);
        };
        let len = ATTACHED_TABLE_SIZE.min(region.size());
        // Validate what the remote left there before the core walks it.
        let mut snapshot = KVec::from_elem(0u8, len, GFP_KERNEL)?;
        region.read_into(0, &mut snapshot)?;
        // An empty header (version 0, no entries): the remote published no
        // table, so there is nothing to set up: attach without IPC.
        if snapshot
            .get(..8)
            .is_some_and(|hdr| hdr.iter().all(|&b| b == 0))
        {
            dev_info!(rproc.dev(), "no resource table in the rsc-table region\n");
            return Ok(None);
        }
        let mut limits = this.rsc_limits();
        limits.max_len = len;
        let table = ResourceTable::parse(&snapshot, &limits).map_err(|e| {
            fw_error(
                rproc.dev(),
                "invalid resource table of the running remote",
                e,
            )
        })?;
        // A remote that rewrote its table may point the trace elsewhere
        // (a vring, the vdev buffer): the same check as for a loaded image.
        this.check_traces(rproc.dev(), &table, len)?;
        Ok(MappedRange::new(region, 0, len))
    }

    fn get_boot_addr(_this: &Self, _rproc: &Rproc, _parent: &Device<Bound>, fw: &[u8]) -> u64 {
        // The vector table `sanity_check` found and checked: `.interrupts`
        // (MCUXpresso), `rom_start` (Zephyr), else the entry masked to
        // 64 KiB as upstream.
        Elf32::parse(fw)
            .ok()
            .and_then(|elf| boot::reset_vector(&elf).ok())
            .map_or(0, |v| v.addr.into())
    }

    fn da_to_va<'a>(
        this: &'a Self,
        _rproc: &Rproc,
        _parent: &Device<Bound>,
        da: u64,
        len: usize,
    ) -> Option<MappedRange<'a>> {
        let len64 = u64::try_from(len).ok()?;
        // Device memory or not comes with the mapping: `map_memory` maps
        // the `ATT_IOMEM` entries (the TCMs) as device memory.
        let (sa, _entry) = att::da_to_sys(this.cfg.att, da, len64).ok()?;
        for m in this.mapped.iter() {
            let Some(offset) = sa.checked_sub(m.sa) else {
                continue;
            };
            let Ok(offset) = usize::try_from(offset) else {
                continue;
            };
            if let Some(range) = MappedRange::new(&m.map, offset, len) {
                return Some(range);
            }
        }
        None
    }
}
