/* SPDX-License-Identifier: GPL-2.0 */
/*
 * C declarations imx_rproc_rs binds to. bindgen runs over this header in the
 * module's own build (see Kbuild); only the items named in
 * rust/bindgen_parameters are generated, every other type resolves to the
 * kernel crate's `kernel::bindings`.
 */
#include <linux/remoteproc.h>
#include <linux/rsc_table.h>
#include <linux/mailbox_client.h>
#include <linux/mailbox_controller.h>
#include <linux/firmware/imx/sm.h>
#include <linux/of.h>
#include <linux/of_reserved_mem.h>
#include <linux/io.h>
#include <linux/interrupt.h>
#include <linux/firmware.h>
#include <linux/pm_runtime.h>
#include <linux/slab.h>
#include <linux/crc32.h>

/*
 * Exported by the remoteproc core, but declared only in its private header
 * drivers/remoteproc/remoteproc_internal.h, which a kernel build directory
 * does not have to ship.
 */
irqreturn_t rproc_vq_interrupt(struct rproc *rproc, int vq_id);

/* Wrappers for static inline functions, in rust/helpers.c. */
u32 imx_rproc_rs_vq_used_sum(struct rproc *rproc);
void __iomem *imx_rproc_rs_ioremap_wc(phys_addr_t offset, size_t size);
void __iomem *imx_rproc_rs_ioremap(phys_addr_t offset, size_t size);
void imx_rproc_rs_iounmap(void __iomem *addr);
void imx_rproc_rs_memcpy_toio(void __iomem *dst, const void *src, size_t len);
void imx_rproc_rs_memcpy_fromio(void *dst, const void __iomem *src, size_t len);
void imx_rproc_rs_memset_io(void __iomem *dst, int c, size_t len);
void *imx_rproc_rs_kmemdup(const void *src, size_t len);
int imx_rproc_rs_pm_runtime_resume_and_get(struct device *dev);
void imx_rproc_rs_pm_runtime_put_noidle(struct device *dev);
void imx_rproc_rs_pm_runtime_disable(struct device *dev);
int imx_rproc_rs_of_string_index(const struct device_node *np,
				 const char *propname, int index,
				 const char **output);
unsigned int imx_rproc_rs_device_refs(struct device *dev);
