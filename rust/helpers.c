// SPDX-License-Identifier: GPL-2.0
/*
 * Out-of-line wrappers for the static inline functions imx_rproc_rs calls.
 * Linked into the same module (composite object, see Kbuild).
 */
#include "bindings_helper.h"
#include <linux/idr.h>
#include <linux/virtio.h>
#include <linux/virtio_config.h>
#include <linux/virtio_ring.h>

void __iomem *imx_rproc_rs_ioremap_wc(phys_addr_t offset, size_t size)
{
	return ioremap_wc(offset, size);
}

void __iomem *imx_rproc_rs_ioremap(phys_addr_t offset, size_t size)
{
	return ioremap(offset, size);
}

void imx_rproc_rs_iounmap(void __iomem *addr)
{
	iounmap(addr);
}

void imx_rproc_rs_memcpy_toio(void __iomem *dst, const void *src, size_t len)
{
	memcpy_toio(dst, src, len);
}

void imx_rproc_rs_memcpy_fromio(void *dst, const void __iomem *src, size_t len)
{
	memcpy_fromio(dst, src, len);
}

void imx_rproc_rs_memset_io(void __iomem *dst, int c, size_t len)
{
	memset_io(dst, c, len);
}

void *imx_rproc_rs_kmemdup(const void *src, size_t len)
{
	return kmemdup(src, len, GFP_KERNEL);
}

int imx_rproc_rs_pm_runtime_resume_and_get(struct device *dev)
{
	return pm_runtime_resume_and_get(dev);
}

void imx_rproc_rs_pm_runtime_put_noidle(struct device *dev)
{
	pm_runtime_put_noidle(dev);
}

void imx_rproc_rs_pm_runtime_disable(struct device *dev)
{
	pm_runtime_disable(dev);
}

int imx_rproc_rs_of_string_index(const struct device_node *np,
				 const char *propname, int index,
				 const char **output)
{
	return of_property_read_string_index(np, propname, index, output);
}

/*
 * The sum of the used indices of the remote's virtqueues: it changes when the
 * remote handed any buffer back. Same context and lifetime rules as
 * rproc_vq_interrupt(), which looks the virtqueues up the same way.
 */
u32 imx_rproc_rs_vq_used_sum(struct rproc *rproc)
{
	struct rproc_vring *rvring;
	const struct vring *vr;
	u32 sum = 0;
	int id;

	for (id = 0; id <= rproc->max_notifyid; id++) {
		rvring = idr_find(&rproc->notifyids, id);
		if (!rvring || !rvring->vq)
			continue;
		vr = virtqueue_get_vring(rvring->vq);
		sum += virtio16_to_cpu(rvring->vq->vdev, READ_ONCE(vr->used->idx));
	}
	return sum;
}

/*
 * The reference count of a device, for remoteproc::Allocation::register
 * only: rproc_add() of Linux 7.2 drops the caller's reference on one of its
 * error paths and not on the others (see there).
 */
unsigned int imx_rproc_rs_device_refs(struct device *dev)
{
	return kref_read(&dev->kobj.kref);
}
