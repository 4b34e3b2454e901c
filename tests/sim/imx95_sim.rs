// SPDX-License-Identifier: GPL-2.0

//! The simulated hardware of the virtual i.MX95 (test module, not installed).
//!
//! QEMU's `virt` machine has no i.MX95; with the overlay `dts/imx95-virtual.dtso` and this
//! module, the kernel's own SCMI stack (`arm,scmi` mailbox transport, SCMI core, the i.MX
//! vendor protocol drivers) and remoteproc drivers run unmodified against:
//!
//! - simulated i.MX Messaging Units (`imxrprocrs,sim-mu`, same `#mbox-cells = <2>` meaning as
//!   `fsl,imx95-mu`): a mailbox controller per node, see [`mu`];
//! - the simulated System Manager behind MU2 (`imxrprocrs,peer = "sm"`), the SCMI platform,
//!   see [`sm`];
//! - the simulated Cortex-M7 behind MU7 (`imxrprocrs,peer = "m7"`), playing Zephyr's
//!   `openamp_rsc_table` sample on the reserved memory of the cm7 node, see [`m7`] (lifecycle),
//!   [`m7mem`] (its memory), [`vring`] (the device side of the virtqueues), [`rpmsg`] (its
//!   endpoints), [`preboot`] (what U-Boot's `bootaux` does) and [`hostile`] (the protocol
//!   violations it commits on request).
//!
//! With `imxrprocrs,vm7-link` on MU7 (a scenario overlay), the M7 is vm7 on the host instead,
//! executing the image the driver loaded, see [`vm7link`].
//!
//! Controls and observations live in `/sys/kernel/debug/imx95_sim/`, see [`board`].
//!
//! The module cannot be removed while a client (the SCMI stack, a remoteproc driver) holds one
//! of its mailbox channels: the mailbox core takes a module reference per channel. Unbinding an
//! MU device through sysfs while the SCMI stack uses it is not supported (the SCMI transport
//! keeps pointers to its channels); unbinding MU7 after the remoteproc driver is gone is.

#[path = "../../rust/kernel_ext/bindings.rs"]
mod bindings;

mod bench;
mod board;
mod compat;
mod fw;
mod fwimage;
mod global;
mod hostile;
mod kext;
mod m7;
mod m7log;
mod m7mem;
mod m7test;
mod mbox_ctrl;
mod mu;
mod preboot;
mod rpmsg;
mod shmem;
mod sm;
mod vm7link;
mod vring;

use board::Board;
use kernel::{device::Core, driver, of, platform, prelude::*, str::CString, sync::Arc};
use mu::{Mu, MuFaults, MuHw, MuTrace, Peer};
use shmem::Shmem;
use sm::ScmiChannel;
use vm7link::Link;

module! {
    type: Imx95Sim,
    name: "imx95_sim",
    authors: ["imx_rproc_rs developers"],
    description: "Virtual i.MX95: simulated MU mailboxes, System Manager (SCMI) and Cortex-M7",
    license: "GPL",
}

/// The platform driver of the simulated MUs.
struct SimMuDriver;

compat::of_device_table!(
    OF_TABLE,
    <SimMuDriver as platform::Driver>::IdInfo,
    [(of::DeviceId::new(c"imxrprocrs,sim-mu"), ())]
);

/// A bound simulated MU.
struct SimMu {
    /// The registered mailbox controller.
    mu: mbox_ctrl::Registration<MuHw>,
}

impl Drop for SimMu {
    fn drop(&mut self) {
        // Nothing may schedule the MU's work once the registration is dropped (after this).
        match self.mu.controller().data().peer() {
            Peer::M7(m7) => m7.detach(),
            Peer::Vm7(link) => {
                link.detach();
                if let Some(board) = global::get() {
                    board.vm7.set(None);
                }
            }
            Peer::Sm(_) => {}
        }
    }
}

impl SimMuDriver {
    /// Creates the peer named by the node's `imxrprocrs,peer` property.
    fn peer(dev: &kernel::device::Device, board: &Board) -> Result<Peer> {
        let fwnode = dev.fwnode().ok_or(ENODEV)?;
        let name: CString = fwnode.property_read(c"imxrprocrs,peer").required_by(dev)?;
        match name.to_bytes() {
            b"sm" => {
                let a2p = Shmem::from_phandle(dev, c"shmem", 0, c"arm,scmi-shmem")?;
                let p2a = Shmem::from_phandle(dev, c"shmem", 1, c"arm,scmi-shmem")?;
                let scmi = ScmiChannel::new(board.sm.clone(), a2p, p2a)?;
                let (a2p, p2a) = scmi.phys();
                dev_info!(
                    dev,
                    "System Manager: SCMI A2P at {:#x}, P2A at {:#x}\n",
                    a2p,
                    p2a
                );
                Ok(Peer::Sm(scmi))
            }
            b"m7" if fwnode.property_present(c"imxrprocrs,vm7-link") => {
                let page =
                    Shmem::from_phandle(dev, c"imxrprocrs,vm7-link", 0, c"imxrprocrs,vm7-link")?;
                let phys = page.phys();
                let link = Link::new(page)?;
                if fwnode.property_present(c"imxrprocrs,vm7-tcm") {
                    let cfg = Shmem::from_phandle(
                        dev,
                        c"imxrprocrs,vm7-tcm",
                        0,
                        c"imxrprocrs,vm7-pci-cfg",
                    )?;
                    vm7link::place_tcm_bar(&cfg)?;
                }
                dev_info!(
                    dev,
                    "M7: vm7 over the link page at {:#x} ({})\n",
                    phys,
                    if link.present() {
                        "vm7 is there"
                    } else {
                        "no vm7 yet"
                    }
                );
                board.vm7.set(Some(link.clone()));
                Ok(Peer::Vm7(link))
            }
            b"m7" => Ok(Peer::M7(board.m7.clone())),
            _ => {
                dev_err!(dev, "unknown imxrprocrs,peer \"{}\"\n", name.to_str()?);
                Err(EINVAL)
            }
        }
    }

    /// Connects the M7 (or vm7's link) to its MU once the MU is registered.
    fn attach(mu: &Arc<Mu>, peer: &Peer) {
        match peer {
            Peer::M7(m7) => m7.attach(mu.clone()),
            Peer::Vm7(link) => Link::attach(link, mu.clone()),
            Peer::Sm(_) => {}
        }
    }
}

impl platform::Driver for SimMuDriver {
    type IdInfo = ();
    type Data<'bound> = SimMu;
    const OF_ID_TABLE: Option<of::IdTable<Self::IdInfo>> = Some(&OF_TABLE);

    fn probe<'bound>(
        pdev: &'bound platform::Device<Core<'_>>,
        _info: Option<&'bound Self::IdInfo>,
    ) -> impl PinInit<Self::Data<'bound>, Error> + 'bound {
        let dev = pdev.as_ref();
        let board = global::get().ok_or(ENODEV)?;
        let peer = Self::peer(dev, &board)?;
        let name = peer.name();
        // Faults are injected on MU7 only (the System Manager's MU2 carries SCMI).
        let faults = match &peer {
            Peer::M7(_) | Peer::Vm7(_) => board.mu7_faults.clone(),
            Peer::Sm(_) => Arc::new(MuFaults::new(), GFP_KERNEL)?,
        };
        let trace = match &peer {
            Peer::M7(_) | Peer::Vm7(_) => board.mu7_trace.clone(),
            Peer::Sm(_) => MuTrace::new()?,
        };
        let mu = mbox_ctrl::Registration::new(
            dev,
            mu::NUM_CHANS,
            Ok::<_, Error>(MuHw::new(peer, faults, trace)),
        )?;
        Self::attach(mu.controller(), mu.controller().data().peer());
        dev_info!(
            dev,
            "simulated MU ({} channels), peer \"{}\"\n",
            mu::NUM_CHANS,
            name
        );
        Ok(SimMu { mu })
    }
}

/// Withdraws the published board when dropped.
struct Published;

impl Drop for Published {
    fn drop(&mut self) {
        // The M7's thread must be gone before the module's code is.
        if let Some(board) = global::get() {
            board.m7.shutdown();
        }
        global::set(None);
    }
}

/// The module: the board and the MU driver.
struct Imx95Sim {
    /// The registered platform driver (declared first: unregistered first).
    _driver: Pin<KBox<driver::Registration<platform::Adapter<SimMuDriver>>>>,
    /// The published board, withdrawn once the driver is gone.
    _board: Published,
}

impl kernel::Module for Imx95Sim {
    fn init(module: &'static ThisModule) -> Result<Self> {
        global::set(Some(Board::new()?));
        let board = Published;
        let driver = KBox::pin_init(
            driver::Registration::new(c"imx95-sim-mu", module),
            GFP_KERNEL,
        )?;
        Ok(Self {
            _driver: driver,
            _board: board,
        })
    }
}
