// SPDX-License-Identifier: GPL-2.0
/*
 * Out-of-line wrappers for the static inline functions imx_rproc_rs calls.
 * Linked into the same module (composite object, see Kbuild).
 */
#include "bindings_helper.h"

void imx_rproc_rs_rproc_set_feature(struct rproc *rproc,
				    enum rproc_features feature)
{
	set_bit(feature, rproc->features);
}

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
