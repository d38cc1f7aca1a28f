// SPDX-License-Identifier: GPL-2.0
/*
 * uio_dmabuf: the segments of an import, from its mapped table in one walk.
 *
 * What user space programs its device with: the DMA side of the exporter's
 * sg_table for the buffer's size, DMA-adjacent entries merged, split where
 * the device's max segment size or segment boundary demands.
 */

#include <kunit/visibility.h>
#include <linux/dma-buf.h>
#include <linux/dma-map-ops.h>
#include <linux/dma-mapping.h>
#include <linux/iommu.h>
#include <linux/ioport.h>
#include <linux/memory_hotplug.h>
#include <linux/minmax.h>
#include <linux/overflow.h>
#include <linux/pci.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>

#include "uio_dmabuf_priv.h"

/* What the segment walk produces, and the limits it keeps. */
struct uio_dmabuf_walk {
	struct device *dev;
	u64 max_seg;			/* longest segment */
	u64 boundary;			/* no segment crosses a multiple of boundary + 1 */
	struct uio_dmabuf_segment *segs;	/* the segments: @inl, or kvmalloc()ed */
	struct uio_dmabuf_segment *inl;	/* room for a few in the mapping itself */
	size_t cap;			/* room in @segs */
	size_t nr;			/* segments closed, as of the walk's last stop */
	bool check_entries;		/* ask dma_need_sync() of each entry */
	bool needs_sync;		/* an entry needs dma_sync_*() */
	bool peer;			/* an entry is a PCI bus address */
};

static void uio_dmabuf_walk_free(struct uio_dmabuf_walk *w)
{
	if (w->segs != w->inl)
		kvfree(w->segs);
}

/* Resize @w->segs to room for @cap segments: 0 or -ENOMEM (@w unchanged). */
static int uio_dmabuf_walk_resize(struct uio_dmabuf_walk *w, size_t cap)
{
	struct uio_dmabuf_segment *segs;

	if (cap <= UIO_DMABUF_INLINE_SEGS)
		segs = w->inl;
	else
		segs = kvmalloc_array(cap, sizeof(*segs), GFP_KERNEL_ACCOUNT);
	if (!segs)
		return -ENOMEM;
	if (segs == w->segs)
		return 0;
	if (w->nr)
		memcpy(segs, w->segs, min(cap, w->nr) * sizeof(*segs));
	uio_dmabuf_walk_free(w);
	w->segs = segs;
	w->cap = cap;
	return 0;
}

/* Append the segment [@start, @start + @len) to @w->segs: a piece of a split entry. */
static __always_inline int uio_dmabuf_walk_push(struct uio_dmabuf_walk *w, u64 start, u64 len)
{
	if (unlikely(w->nr == w->cap) && uio_dmabuf_walk_resize(w, 2 * w->cap))
		return -ENOMEM;
	w->segs[w->nr].dma_addr = start;
	w->segs[w->nr].length = len;
	w->nr++;
	return 0;
}

/* Add @len bytes at DMA address @addr, merged into the last segment if they fit. */
static int uio_dmabuf_walk_add(struct uio_dmabuf_walk *w, u64 addr, u64 len)
{
	struct uio_dmabuf_segment *cur = w->nr ? &w->segs[w->nr - 1] : NULL;

	while (len) {
		/* Bytes up to the next boundary, minus one: cannot overflow. */
		u64 chunk = min3(len - 1, w->max_seg - 1, w->boundary - (addr & w->boundary)) + 1;

		if (cur && addr > cur->dma_addr && addr - cur->dma_addr == cur->length &&
		    cur->length + chunk <= w->max_seg &&
		    (cur->dma_addr | w->boundary) == ((addr + chunk - 1) | w->boundary)) {
			cur->length += chunk;
		} else {
			/* More segments than entries: entries split at the limits. */
			if (uio_dmabuf_walk_push(w, addr, chunk))
				return -ENOMEM;
			cur = &w->segs[w->nr - 1];
		}
		addr += chunk;
		len -= chunk;
	}
	return 0;
}

/*
 * @w->segs full at @out: resized to room for @more segments after it, at least
 * twice the room it had, @out and @end moved with it. Returns 0 or -ENOMEM
 * (@w unchanged).
 */
static int uio_dmabuf_walk_grow(struct uio_dmabuf_walk *w, struct uio_dmabuf_segment **out,
				struct uio_dmabuf_segment **end, size_t more)
{
	w->nr = *out - w->segs;
	if (uio_dmabuf_walk_resize(w, max(2 * w->cap, w->nr + more)))
		return -ENOMEM;
	*out = w->segs + w->nr;
	*end = w->segs + w->cap;
	return 0;
}

/*
 * Walk the DMA side of @sgt for @size bytes, once: the segments (DMA-adjacent
 * entries merged, none longer than the device's max segment size or crossing
 * its segment boundary) into @w->segs, and whether any entry needs syncing
 * (asked of each entry only with @check, a constant: the loop is built once
 * for each). An entry within the limits, the common case, costs a few
 * comparisons: the segment in progress and the end of the array stay in
 * registers until the next segment starts. The array grows only when the
 * segments outgrow it, then to room for one per entry left: a table whose
 * entries merge into a few segments allocates nothing. Returns 0, -ENOMEM,
 * or -EINVAL when the table does not cover @size bytes.
 */
static __always_inline int uio_dmabuf_walk_segments(struct sg_table *sgt, u64 size,
						    struct uio_dmabuf_walk *w, bool check)
{
	u64 max_seg = w->max_seg, boundary = w->boundary;
	struct uio_dmabuf_segment *out = w->segs, *end = w->segs + w->cap;
	u64 start = 0, len = 0;		/* the segment in progress; none while @len is 0 */
	u64 rem = size;			/* bytes not walked yet */
	bool peer = false, needs_sync = false;
	struct scatterlist *sg;
	int i, ret;

	for_each_sgtable_dma_sg(sgt, sg, i) {
		u64 addr = sg_dma_address(sg);
		u64 n = min_t(u64, sg_dma_len(sg), rem);
		u64 last;

		if (!n)
			break;
		if (check_add_overflow(addr, n - 1, &last))
			return -EINVAL;
		if (sg_dma_is_bus_address(sg))
			peer = true;
		else if (check && dma_need_sync(w->dev, addr))
			needs_sync = true;
		rem -= n;
		if (len && addr > start && addr - start == len && len + n <= max_seg &&
		    !((start ^ last) & ~boundary)) {
			len += n;
		} else {
			if (len) {
				/* Room for one segment per entry left, and this one. */
				if (unlikely(out == end) &&
				    uio_dmabuf_walk_grow(w, &out, &end, sgt->nents - i + 1))
					return -ENOMEM;
				out->dma_addr = start;
				out->length = len;
				out++;
			}
			start = addr;
			len = n;
			if (unlikely(n > max_seg || ((addr ^ last) & ~boundary))) {
				/* Split at the limits, the first piece merged if it fits. */
				w->nr = out - w->segs;
				ret = uio_dmabuf_walk_add(w, addr, n);
				if (ret)
					return ret;
				/*
				 * The entry made two pieces or more, and its last
				 * one is its own: the piece before it ended at the
				 * boundary or the max segment size. It goes on in
				 * progress.
				 */
				w->nr--;
				start = w->segs[w->nr].dma_addr;
				len = w->segs[w->nr].length;
				out = w->segs + w->nr;
				end = w->segs + w->cap;
			}
		}
		if (!rem)
			break;
	}
	if (rem)
		return -EINVAL;
	if (len) {
		if (unlikely(out == end) && uio_dmabuf_walk_grow(w, &out, &end, 1))
			return -ENOMEM;
		out->dma_addr = start;
		out->length = len;
		out++;
	}
	w->nr = out - w->segs;
	w->peer |= peer;
	w->needs_sync |= needs_sync;
	return 0;
}

/* How the walk learns whether a mapping needs dma_sync_*(). */
enum uio_dmabuf_syncing {
	UIO_DMABUF_SYNCING_NONE,		/* no entry does */
	UIO_DMABUF_SYNCING_ALL,		/* the mapping does */
	UIO_DMABUF_SYNCING_ASK,		/* ask dma_need_sync() of each entry */
};

/*
 * How to learn whether the device and the CPU see each other's writes to
 * @sgt only through dma_sync_*(): the device is not cache-coherent, or
 * swiotlb bounced part of the mapping. Without an IOMMU, dma_need_sync()
 * answers that per address, and the entries are asked. Behind an IOMMU's DMA
 * API domain it would answer yes for every mapping (the IOMMU's sync
 * callbacks, DMA-API debugging), which is not what user space needs to know:
 * there a coherent device's mapping is bounced only when the device is
 * untrusted (behind an external port), which the table's swiotlb mark also
 * says, when the table is the one the DMA API filled in (CONFIG_DMABUF_DEBUG
 * hands the importer a copy without the marks). @domain is the device's
 * translating IOMMU domain (@udev->domain), or NULL.
 */
static enum uio_dmabuf_syncing
uio_dmabuf_syncing(struct device *dev, struct sg_table *sgt, struct iommu_domain *domain)
{
	if (!dev_is_dma_coherent(dev))
		return UIO_DMABUF_SYNCING_ALL;
	/*
	 * The DMA layer marks a device whose addresses never need a sync (set
	 * with its DMA mask, which no import outlives; never with DMA-API
	 * debugging); swiotlb clears the mark at its first bounce, which this
	 * table's, mapped already, would have been. Marked, no entry is asked.
	 */
	if (!domain || !(domain->type & __IOMMU_DOMAIN_DMA_API))
		return dma_dev_need_sync(dev) ? UIO_DMABUF_SYNCING_ASK : UIO_DMABUF_SYNCING_NONE;
	/* An empty table has no mark to read: the walk refuses it. */
	if ((sgt->nents && sg_dma_is_swiotlb(sgt->sgl)) ||
	    (dev_is_pci(dev) && to_pci_dev(dev)->untrusted))
		return UIO_DMABUF_SYNCING_ALL;
	return UIO_DMABUF_SYNCING_NONE;
}

/*
 * The one segment of a table whose first DMA entry covers all @size bytes
 * within the device's limits, the common case of a small buffer, without the
 * walk's set-up: true, or false for any other table, which the walk takes.
 */
static bool uio_dmabuf_one_segment(struct uio_dmabuf_mapping *map, u64 size,
				   enum uio_dmabuf_syncing sync)
{
	struct device *dev = map->attach->dev;
	struct scatterlist *sg = map->sgt->sgl;
	u64 addr, last;

	if (!map->sgt->nents)
		return false;
	addr = sg_dma_address(sg);
	if (sg_dma_len(sg) < size || size > dma_get_max_seg_size(dev) ||
	    check_add_overflow(addr, size - 1, &last) ||
	    ((addr ^ last) & ~(u64)dma_get_seg_boundary(dev)))
		return false;
	map->peer = sg_dma_is_bus_address(sg);
	if (map->peer || sync == UIO_DMABUF_SYNCING_NONE)
		map->needs_sync = false;
	else
		map->needs_sync = sync == UIO_DMABUF_SYNCING_ALL || dma_need_sync(dev, addr);
	map->inline_segs[0].dma_addr = addr;
	map->inline_segs[0].length = size;
	map->segs = map->inline_segs;
	map->nr_segs = 1;
	return true;
}

/*
 * Whether @phys is system RAM. An online page the page allocator manages is:
 * no walk of the resource tree for it. Reserved pages, device memory
 * (ZONE_DEVICE is never online) and addresses without a page are looked up.
 */
static bool uio_dmabuf_phys_is_ram(phys_addr_t phys)
{
	struct page *page = pfn_to_online_page(PHYS_PFN(phys));

	if (page && !PageReserved(page))
		return true;
	return region_intersects(phys, 1, IORESOURCE_SYSTEM_RAM,
				 IORES_DESC_NONE) != REGION_DISJOINT;
}

/* One address of the table as the device's IOMMU domain @ctx translates it. */
static phys_addr_t uio_dmabuf_iova_to_phys(void *ctx, dma_addr_t addr)
{
	return iommu_iova_to_phys(ctx, addr);
}

/*
 * The body of uio_dmabuf_check_table(), inlined where @to_phys is known: the
 * import's lookup calls iommu_iova_to_phys() directly, KUnit's its own.
 */
static __always_inline int
__uio_dmabuf_check_table(struct device *dev, const char *exporter, struct sg_table *sgt,
			 u64 size, phys_addr_t (*to_phys)(void *ctx, dma_addr_t addr),
			 void *ctx, u64 granule, bool *peer)
{
	struct scatterlist *sg;
	u64 done = 0;
	int i;

	for_each_sgtable_dma_sg(sgt, sg, i) {
		dma_addr_t addr = sg_dma_address(sg);
		u64 len = min_t(u64, sg_dma_len(sg), size - done);
		phys_addr_t first, last;

		if (!len)
			break;
		done += len;
		if (sg_dma_is_bus_address(sg)) {
			*peer = true;
		} else if (to_phys) {
			first = to_phys(ctx, addr);
			last = first;
			if (!granule || (addr ^ (addr + len - 1)) >= granule)
				last = to_phys(ctx, addr + len - 1);
			if (!first || !last) {
				dev_warn_ratelimited(dev, "uio_dmabuf: exporter %s handed out DMA address %pad (%llu bytes), which the device's IOMMU domain does not map: import refused\n",
						     exporter, &addr, len);
				return -EIO;
			}
			if (!uio_dmabuf_phys_is_ram(first))
				*peer = true;
		}
		if (done == size)
			break;
	}
	return 0;
}

/**
 * uio_dmabuf_check_table() - whether the device can use every address of a table
 * @dev:      the importing device
 * @exporter: the exporter's name, for the log
 * @sgt:      the table the exporter mapped for @dev
 * @size:     the bytes of the buffer, which the table covers
 * @to_phys:  what an address of @dev's IOMMU domain translates to (0: nothing);
 *            NULL when no IOMMU translates for @dev
 * @ctx:      argument of @to_phys
 * @granule:  the domain's smallest page size, a power of two: an address
 *            translates when the first one of its page does; 0 looks up
 *            both ends of every entry
 * @peer:     set when an entry is another device's memory: a PCI bus address
 *            (not translated, not checked), or one that translates outside
 *            system RAM
 *
 * An exporter may hand out addresses that are not mapped for the importer
 * (raw physical or BAR addresses under IOMMU translation): user space would
 * program its device with them, and the device fault or reach whatever the
 * domain maps there. Behind an IOMMU, the first and the last byte of every
 * entry must translate; the last is not looked up again when it lies in the
 * first one's page.
 *
 * Return: 0, or -EIO (logged with the exporter's name and the address).
 */
int uio_dmabuf_check_table(struct device *dev, const char *exporter, struct sg_table *sgt,
			   u64 size, phys_addr_t (*to_phys)(void *ctx, dma_addr_t addr),
			   void *ctx, u64 granule, bool *peer)
{
	return __uio_dmabuf_check_table(dev, exporter, sgt, size, to_phys, ctx, granule, peer);
}
EXPORT_SYMBOL_IF_KUNIT(uio_dmabuf_check_table);

/*
 * The segments of any table, in one walk, into @map: its own array when they
 * do not fit inline. Returns 0, -ENOMEM, -E2BIG or -EINVAL when the table does
 * not cover @size bytes; nothing is left allocated on failure. Out of line,
 * as uio_dmabuf_check_mapped().
 */
static noinline int uio_dmabuf_walk_table(struct uio_dmabuf_mapping *map, u64 size,
					  enum uio_dmabuf_syncing sync)
{
	struct device *dev = map->attach->dev;
	struct uio_dmabuf_walk w = {
		.dev = dev,
		.max_seg = dma_get_max_seg_size(dev),
		.boundary = dma_get_seg_boundary(dev),
		.segs = map->inline_segs,
		.inl = map->inline_segs,
		.cap = UIO_DMABUF_INLINE_SEGS,
		.check_entries = sync == UIO_DMABUF_SYNCING_ASK,
		.needs_sync = sync == UIO_DMABUF_SYNCING_ALL,
	};
	int ret;

	ret = w.check_entries ? uio_dmabuf_walk_segments(map->sgt, size, &w, true) :
				uio_dmabuf_walk_segments(map->sgt, size, &w, false);
	if (ret == -EINVAL)
		dev_warn_ratelimited(dev, "uio_dmabuf: exporter %s mapped less than its %llu bytes\n",
				     map->dmabuf->exp_name, size);
	if (!ret && w.nr > U32_MAX)
		ret = -E2BIG;
	if (ret) {
		uio_dmabuf_walk_free(&w);
		return ret;
	}
	/* Merged runs leave room over: give back more than half of it, if we can. */
	if (w.segs != w.inl && w.nr < w.cap / 2)
		uio_dmabuf_walk_resize(&w, w.nr);
	map->segs = w.segs;
	map->nr_segs = w.nr;
	map->needs_sync = w.needs_sync;
	map->peer = w.peer;
	return 0;
}

/*
 * @map's table looked up in the device's IOMMU @domain, @map->peer set when
 * an entry is another device's memory: uio_dmabuf_check_table() for the
 * import. Out of line, so that the import without a domain sets up no frame
 * for it (nor for the walk of a table of many entries).
 */
static noinline int uio_dmabuf_check_mapped(struct uio_dmabuf_mapping *map,
					    struct iommu_domain *domain, u64 size)
{
	bool peer = false;
	int ret;

	ret = __uio_dmabuf_check_table(map->attach->dev, map->dmabuf->exp_name, map->sgt,
				       size, uio_dmabuf_iova_to_phys, domain,
				       1ULL << __ffs(domain->pgsize_bitmap), &peer);
	map->peer |= peer;
	return ret;
}

/**
 * uio_dmabuf_build_segments() - record the DMA segments of a mapped import
 * @map: the import, its table mapped for its device
 *
 * Merges DMA-adjacent entries of @map->sgt within the device's max segment
 * size and segment boundary into @map->segs, and notes whether the mapping
 * needs syncing and whether it is another device's memory. A table whose
 * first entry covers the buffer within those limits (a small buffer, or one
 * an IOMMU mapped contiguously) makes its one segment without the walk. The
 * device's IOMMU domain, if any, is read: the caller keeps the device bound
 * meanwhile.
 *
 * Return: 0, -ENOMEM, -E2BIG, -EINVAL when the table does not cover the
 * buffer (the exporter mapped less than its size), or -EIO when the device's
 * IOMMU domain does not map an address of it (uio_dmabuf_check_table()). An
 * array built before that failure is @map's, freed with it.
 */
int uio_dmabuf_build_segments(struct uio_dmabuf_mapping *map)
{
	struct device *dev = map->attach->dev;
	struct iommu_domain *domain = map->udev->domain;
	enum uio_dmabuf_syncing sync = uio_dmabuf_syncing(dev, map->sgt, domain);
	u64 size = map->dmabuf->size;
	int ret;

	if (!uio_dmabuf_one_segment(map, size, sync)) {
		ret = uio_dmabuf_walk_table(map, size, sync);
		if (ret)
			return ret;
	}
	/*
	 * Behind an IOMMU, the table's addresses are looked up in its domain;
	 * without one, the bus addresses are found already.
	 */
	if (domain) {
		ret = uio_dmabuf_check_mapped(map, domain, size);
		/* The segments are the mapping's: they go when it is freed. */
		if (ret)
			return ret;
	}
	/* A peer's memory has no CPU cache in front of it: nothing to sync. */
	map->needs_sync &= !map->peer;
	return 0;
}
