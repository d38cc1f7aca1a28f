# SPDX-License-Identifier: GPL-2.0
"""How scripts/export-patches splits the driver into patches a maintainer reads.

The driver patch of the series is the core with the PCI glue; each later patch
adds one feature. The sources hold the whole driver, so the tree of an earlier
patch is the sources with the later features cut out: FEATURES lists, per
feature, the files it adds and the edits that take it out of the others. A
feature's edits are written against the sources with every later feature
already cut (they are applied last feature first). An edit that no longer
finds its text stops the export and names itself: the sources changed, and the
split has to follow. check-series builds every patch of the series on its own.
"""

import re


class SplitError(Exception):
    pass


def _lines(text):
    return text.splitlines(True)


def _defn(text, first, where):
    """@text without the top-level definition whose first line matches the
    regex @first: its leading comment, its body to the closing brace at
    column 0, an EXPORT_SYMBOL*() of it right after, and one blank line."""
    lines = _lines(text)
    hits = [i for i, l in enumerate(lines) if re.match(first, l)]
    if len(hits) != 1:
        raise SplitError(f"{where}: {len(hits)} definitions match {first!r}")
    start = end = hits[0]
    # A return type on a line of its own ("struct x *\nname(...)").
    prev = lines[start - 1].rstrip() if start else ""
    if prev and not prev[0].isspace() and not prev.startswith(("/", "#", "}", "*")) and \
            not prev.endswith((";", "*/")):
        start -= 1
    if start and re.match(r"^/\*.*\*/$", lines[start - 1].rstrip()):
        start -= 1		# a one-line comment
    elif start and lines[start - 1].rstrip() == " */":
        while start and not lines[start - 1].startswith("/*"):
            start -= 1
        start -= 1
    while not re.match(r"^\}", lines[end]):
        end += 1
        if end == len(lines):
            raise SplitError(f"{where}: no closing brace after {first!r}")
    end += 1
    if end < len(lines) and lines[end].startswith("EXPORT_SYMBOL"):
        end += 1
    if end < len(lines) and not lines[end].strip():
        end += 1
    return "".join(lines[:start] + lines[end:])


def apply_edit(text, edit, where):
    kind, *args = edit
    if kind == "del":		# ("del", regex[, count]): whole lines matching regex
        regex, count = args[0], args[1] if len(args) > 1 else 1
        lines = _lines(text)
        keep = [l for l in lines if not re.match(regex + r"\s*$", l.rstrip("\n"))]
        if len(lines) - len(keep) != count:
            raise SplitError(f"{where}: {len(lines) - len(keep)} lines match {regex!r}, "
                             f"expected {count}")
        return "".join(keep)
    if kind == "sub":		# ("sub", old, new): exact text, once
        old, new = args
        n = text.count(old)
        if n != 1:
            raise SplitError(f"{where}: {n} occurrences of {old.splitlines()[0]!r}..., expected 1")
        return text.replace(old, new)
    if kind == "defn":		# ("defn", regex of the definition's first line)
        return _defn(text, args[0], where)
    raise SplitError(f"{where}: unknown edit {kind}")


def cut(name, text, features):
    """@text of source @name ("uio_dmabuf_main.c", "Kconfig", "Makefile")
    without @features (keys of FEATURES), or None when one of them adds the file."""
    for key in reversed([k for k, _, _ in FEATURES if k in features]):
        spec = SPEC[key]
        if name in spec.get("files", ()):
            return None
        for i, edit in enumerate(spec.get("edits", {}).get(name, ())):
            text = apply_edit(text, edit, f"split: feature {key}, {name}, edit {i + 1}")
    return text


def later(key):
    """The features after @key (None: the core patch) in series order."""
    keys = [k for k, _, _ in FEATURES]
    return keys if key is None else keys[keys.index(key) + 1:]


# (key, commit message in series/, what the patch adds); in series order.
FEATURES = [
    ("platform", "3-platform.txt", "the platform glue"),
    ("sysfs", "4-sysfs-debugfs.txt", "sysfs attributes and debugfs"),
    ("msix", "5-msix.txt", "MSI-X vectors bound to eventfds"),
    ("revoke", "6-revoke.txt", "revocation by the exporter"),
]

PLATFORM = {
    "files": ["uio_dmabuf_platform.c"],
    "edits": {
        "Makefile": [("del", r"uio_dmabuf-y\s+\+= uio_dmabuf_platform\.o")],
        "Kconfig": [("sub", "A UIO driver for PCI and platform devices, bound with driver_override,",
                     "A UIO driver for PCI devices, bound with driver_override,")],
        "uio_dmabuf_priv.h": [
            ("sub", " *   uio_dmabuf_pci.c, uio_dmabuf_platform.c  the bus glue\n",
             " *   uio_dmabuf_pci.c        the PCI glue\n"),
            ("sub", "\nint uio_dmabuf_platform_init(void);\nvoid uio_dmabuf_platform_exit(void);\n"
             "bool uio_dmabuf_platform_is_ours(const struct device_driver *drv);\n", ""),
        ],
        "uio_dmabuf_isolation.c": [("sub", " || uio_dmabuf_platform_is_ours(drv)", "")],
        "uio_dmabuf_main.c": [
            ("sub", " * One module, two drivers named uio_dmabuf: PCI and platform. Neither has an ID\n"
             " * table; devices are bound with driver_override (or the platform driver's\n"
             " * of_id= parameter). This file holds",
             " * The PCI driver uio_dmabuf has no ID table: devices are bound with\n"
             " * driver_override. This file holds"),
            ("del", r"#include <linux/platform_device\.h>"),
            ("defn", r"^static struct notifier_block uio_dmabuf_platform_nb = \{"),
            ("sub", """\tint ret;

	ret = bus_register_notifier(&platform_bus_type, &uio_dmabuf_platform_nb);
	if (ret)
		return ret;
	ret = uio_dmabuf_pci_init();
	if (ret)
		goto notifier;
	ret = uio_dmabuf_platform_init();
	if (ret)
		goto pci_exit;
	return 0;

pci_exit:
	uio_dmabuf_pci_exit();
notifier:
	bus_unregister_notifier(&platform_bus_type, &uio_dmabuf_platform_nb);
	return ret;
""", "\treturn uio_dmabuf_pci_init();\n"),
            ("sub", """\tuio_dmabuf_platform_exit();
	uio_dmabuf_pci_exit();
	bus_unregister_notifier(&platform_bus_type, &uio_dmabuf_platform_nb);
""", "\tuio_dmabuf_pci_exit();\n"),
        ],
    },
}

SYSFS = {
    "files": ["uio_dmabuf_sysfs.c"],
    "edits": {
        "Makefile": [("del", r"uio_dmabuf-y\s+\+= uio_dmabuf_sysfs\.o")],
        "uio_dmabuf_priv.h": [
            ("del", r" \*   uio_dmabuf_sysfs\.c      sysfs attributes and the debugfs listing"),
            ("del", r"struct dentry;"),
            ("del", r" \* @debugfs:       this device's debugfs directory"),
            ("del", r"\tstruct dentry \*debugfs;"),
            ("sub", "/* Pages charged to users for live imports, all devices together (debugfs). */\n"
             "extern atomic_long_t uio_dmabuf_charged_pages;\n", ""),
            ("del", r" \* @mask_busy:     the sysfs mask store is changing the DMA mask: an import"),
            ("del", r" \*                 that reserves meanwhile, reading it without @lock, waits"),
            ("del", r" \*                 for it \(see uio_dmabuf_reserve\(\)\)"),
            ("del", r"\tbool mask_busy;"),
            ("del", r"u32 uio_dmabuf_isolation_now\(struct uio_dmabuf_dev \*udev\);"),
            ("del", r"bool uio_dmabuf_group_owner\(struct uio_dmabuf_dev \*udev, kuid_t \*uid\);"),
            ("sub", "/* uio_dmabuf_sysfs.c */\nint uio_dmabuf_sysfs_add(struct uio_dmabuf_dev *udev);\n"
             "void uio_dmabuf_sysfs_remove(struct uio_dmabuf_dev *udev);\n"
             "void uio_dmabuf_debugfs_init(void);\nvoid uio_dmabuf_debugfs_exit(void);\n\n", ""),
        ],
        "uio_dmabuf_isolation.c": [
            ("defn", r"^u32 uio_dmabuf_isolation_now\("),
            ("defn", r"^bool uio_dmabuf_group_owner\("),
        ],
        "uio_dmabuf_import.c": [
            ("sub", """	/*
	 * The mask store changes the DMA mask only while no buffer is imported:
	 * it raises mask_busy, then counts the buffers; this counted itself,
	 * now reads mask_busy: one of the two sees the other. The store holds
	 * the device lock until it is done.
	 */
	smp_mb();
	if (READ_ONCE(udev->mask_busy)) {
		uio_dmabuf_buffers_del(udev, map);
		mutex_unlock(&file->lock);
		mutex_lock(&udev->lock);
		mutex_unlock(&udev->lock);
		goto again;
	}
""", ""),
            ("sub", "\nagain:\n\tret = uio_dmabuf_lock_file(file);\n", "\n\tret = uio_dmabuf_lock_file(file);\n"),
            ("sub", "\natomic_long_t uio_dmabuf_charged_pages;\n", ""),
            ("del", r"\tatomic_long_add\(map->pages, &uio_dmabuf_charged_pages\);"),
            ("del", r"\tatomic_long_sub\(map->pages, &uio_dmabuf_charged_pages\);"),
        ],
        "uio_dmabuf_main.c": [
            ("sub", " * users and can be isolated at all; adds the uio_dmabuf/ sysfs group and the\n"
             " * debugfs listing, and registers the node.\n",
             " * users and can be isolated at all, and registers the node.\n"),
            ("sub", "\t}\n\tret = uio_dmabuf_sysfs_add(udev);\n\tif (ret)\n\t\tgoto restore;\n", "\t}\n"),
            ("sub", "\tuio_dmabuf_sysfs_remove(udev);\nrestore:\n", ""),
            ("del", r"\tuio_dmabuf_sysfs_remove\(udev\);"),
            ("sub", """	uio_dmabuf_debugfs_init();
	ret = uio_dmabuf_pci_init();
	if (ret)
		goto debugfs;
""", """	ret = uio_dmabuf_pci_init();
	if (ret)
		goto notifier;
"""),
            ("sub", "debugfs:\n\tuio_dmabuf_debugfs_exit();\n", "notifier:\n"),
            ("del", r"\tuio_dmabuf_debugfs_exit\(\);"),
        ],
    },
}

MSIX = {
    "files": ["uio_dmabuf_irq.c"],
    "edits": {
        "Makefile": [("del", r"uio_dmabuf-y\s+\+= uio_dmabuf_irq\.o")],
        "uio_dmabuf_priv.h": [
            ("del", r" \*   uio_dmabuf_irq\.c        MSI-X vectors bound to eventfds"),
            ("del", r"struct eventfd_ctx;"),
            ("sub", """ * @mode:       UIO_DMABUF_IRQ_*, what INFO reports
 * @nr_vectors: MSI-X vectors user space may bind to eventfds (0: none)
 * @vector_irq: the Linux IRQ number of vector @vector; called at registration
 *              with the glue's @priv
 */
struct uio_dmabuf_irqs {
	u32 mode;
	unsigned int nr_vectors;
	int (*vector_irq)(void *priv, unsigned int vector);
};
""", """ * @mode: UIO_DMABUF_IRQ_*, what INFO reports
 */
struct uio_dmabuf_irqs {
	u32 mode;
};
"""),
            ("defn", r"^struct uio_dmabuf_vector \{"),
            ("del", r" \* @nr_vectors:    entries of @vectors, set before the node exists"),
            ("del", r" \* @vectors:       the MSI-X vectors user space may bind to eventfds"),
            ("del", r" \* @vectors_lock:  see the comment at the field"),
            ("sub", """	unsigned int nr_vectors;
	struct uio_dmabuf_vector *vectors;
	/*
	 * Serialises binding and unbinding @vectors (request_irq() and
	 * free_irq() sleep, and stay out from under @lock) and protects their
	 * @trigger and @owner. Taken before @lock, never under it.
	 */
	struct mutex vectors_lock;
""", ""),
            ("sub", "/* uio_dmabuf_irq.c */\n"
             "int uio_dmabuf_vectors_init(struct uio_dmabuf_dev *udev, const struct uio_dmabuf_irqs *irqs);\n"
             "void uio_dmabuf_unbind_vectors(struct uio_dmabuf_dev *udev, struct uio_dmabuf_file *file);\n"
             "void uio_dmabuf_unbind_revoked_vectors(struct uio_dmabuf_dev *udev);\n"
             "int uio_dmabuf_set_irq_eventfd(struct uio_dmabuf_file *file, u32 vector, int fd);\n\n", ""),
        ],
        "uio_dmabuf_main.c": [
            ("del", r"\tmutex_destroy\(&udev->vectors_lock\);"),
            ("del", r"\tkfree\(udev->vectors\);"),
            ("del", r"\tmutex_init\(&udev->vectors_lock\);"),
            ("sub", "\tret = uio_dmabuf_vectors_init(udev, irqs);\n\tif (ret)\n\t\tgoto put;\n",
             "\tif (irqs)\n\t\tudev->irq_mode = irqs->mode;\n"),
            ("sub", "\t/* Before the glue frees the MSI-X vectors. */\n"
             "\tuio_dmabuf_unbind_vectors(udev, NULL);\n", ""),
            ("sub", """ * anything, and unbind the MSI-X vectors of the revoked files. Each device is
""", """ * anything. Each device is
"""),
            ("sub", """ * imports still mapping or unmapping (another notification's, a RELEASE),
 * and unbind the revoked files' vectors. Without uio_dmabuf_devs_lock: an
 * exporter's unmap may take as long as it likes without holding up any other
 * bind, unbind or notification.
""", """ * imports still mapping or unmapping (another notification's, a RELEASE).
 * Without uio_dmabuf_devs_lock: an exporter's unmap may take as long as it
 * likes without holding up any other bind, unbind or notification.
"""),
            ("del", r"\tuio_dmabuf_unbind_revoked_vectors\(udev\);"),
            ("sub", " * unmapped, unpinned, detached and put, every MSI-X vector unbound from its\n"
             " * eventfd, and the device reset (see uio_dmabuf_reset_locked()); the caller\n",
             " * unmapped, unpinned, detached and put, and the device reset (see\n"
             " * uio_dmabuf_reset_locked()); the caller\n"),
        ],
        "uio_dmabuf_import.c": [
            ("sub", " * files answer ENODEV from here on, and their MSI-X vectors are unbound; new\n"
             " * opens are judged afresh.\n",
             " * files answer ENODEV from here on; new opens are judged afresh.\n"),
            ("del", r"\tuio_dmabuf_unbind_revoked_vectors\(udev\);"),
        ],
        "uio_dmabuf_sysfs.c": [
            ("sub", """/* MSI-X vectors user space may bind to eventfds (INFO's nr_irq_vectors). */
static ssize_t irq_vectors_show(struct device *dev, struct device_attribute *attr, char *buf)
{
	struct uio_dmabuf_dev *udev = dev_get_drvdata(dev);

	/* Set before the group is added, never changed. */
	return sysfs_emit(buf, "%u\\n", udev->nr_vectors);
}
static DEVICE_ATTR_RO(irq_vectors);

""", ""),
            ("del", r"\t&dev_attr_irq_vectors\.attr,"),
        ],
        "uio_dmabuf_node.c": [
            ("del", r"\tinfo\.nr_irq_vectors = udev->nr_vectors;"),
            ("defn", r"^static long uio_dmabuf_ioctl_set_irq_eventfd\("),
            ("sub", "\tcase UIO_DMABUF_IOC_SET_IRQ_EVENTFD:\n"
             "\t\treturn uio_dmabuf_ioctl_set_irq_eventfd(file, argp);\n", ""),
            ("del", r"\tcase UIO_DMABUF_IOC_SET_IRQ_EVENTFD:"),
            ("sub", " * released, and every MSI-X vector it bound unbound. The last writable file\n"
             " * to close resets the device before its IOMMU group is free for another user.\n",
             " * released. The last writable file to close resets the device before its\n"
             " * IOMMU group is free for another user.\n"),
            ("del", r"\tuio_dmabuf_unbind_vectors\(udev, file\);"),
            ("sub", "\tLIST_HEAD(dead);\n\tbool revoked;\n\n\tmutex_lock(&udev->lock);\n"
             "\trevoked = uio_dmabuf_recheck_locked(file, &dead);\n",
             "\tLIST_HEAD(dead);\n\n\tmutex_lock(&udev->lock);\n"
             "\tuio_dmabuf_recheck_locked(file, &dead);\n"),
            ("sub", "\tif (revoked)\n\t\tuio_dmabuf_unbind_revoked_vectors(udev);\n", ""),
        ],
        "uio_dmabuf_isolation.c": [
            ("sub", " * Return: whether it revoked the device; if so, once it holds no lock, the\n"
             " * caller unbinds the revoked files' vectors (uio_dmabuf_unbind_revoked_vectors()).\n",
             " * Return: whether it revoked the device.\n"),
            ("sub", " * Called with no lock held: a revocation it finds and does unmaps, and unbinds\n"
             " * the revoked files' vectors, after it lets go of the device lock.\n",
             " * Called with no lock held: a revocation it finds and does unmaps after it\n"
             " * lets go of the device lock.\n"),
            ("sub", "\tLIST_HEAD(dead);\n\tbool revoked;\n\n\tlockdep_assert_not_held(&udev->vectors_lock);\n"
             "\tmutex_lock(&udev->lock);\n\trevoked = uio_dmabuf_recheck_locked(file, &dead);\n",
             "\tLIST_HEAD(dead);\n\n\tmutex_lock(&udev->lock);\n"
             "\tuio_dmabuf_recheck_locked(file, &dead);\n"),
            ("sub", "\t\tif (revoked)\n\t\t\tuio_dmabuf_unbind_revoked_vectors(udev);\n", ""),
        ],
        "uio_dmabuf_pci.c": [
            ("sub", """ * regions. The interrupt (irq_mode=) is INTx, MSI or MSI-X. With INTx or the
 * one MSI vector it is the UIO interrupt: the handler masks it, INTx with the
 * PCI 2.3 interrupt-disable bit as uio_pci_generic does, MSI through the IRQ
 * core (the vector's mask bit where the device has one), and write()ing 1 to
 * /dev/uioN unmasks it. MSI-X vectors are bound to eventfds on the import node
 * (uio_dmabuf_irq.c); /dev/uioN then has no interrupt.
""", """ * regions. The interrupt (irq_mode=) is INTx or MSI, the UIO interrupt: the
 * handler masks it, INTx with the PCI 2.3 interrupt-disable bit as
 * uio_pci_generic does, MSI through the IRQ core (the vector's mask bit where
 * the device has one), and write()ing 1 to /dev/uioN unmasks it.
"""),
            ("sub", """/*
 * Most MSI-X vectors enabled: each one allocated takes an interrupt
 * descriptor, and on x86 a CPU vector, whether user space binds it or not.
 */
#define UIO_DMABUF_PCI_MAX_MSIX		64

""", ""),
            ("del", r'\t\[UIO_DMABUF_IRQ_MSIX\] = "msix",'),
            ("sub", "auto (maskable INTx, else MSI, else MSI-X; the default), intx, msi or msix",
             "auto (maskable INTx, else MSI; the default), intx or msi"),
            ("sub", "\t\t*modes = BIT(UIO_DMABUF_IRQ_INTX) | BIT(UIO_DMABUF_IRQ_MSI) |\n"
             "\t\t\t BIT(UIO_DMABUF_IRQ_MSIX);\n",
             "\t\t*modes = BIT(UIO_DMABUF_IRQ_INTX) | BIT(UIO_DMABUF_IRQ_MSI);\n"),
            ("sub", "m <= UIO_DMABUF_IRQ_MSIX", "m <= UIO_DMABUF_IRQ_MSI"),
            ("sub", "expected auto, intx, msi or msix", "expected auto, intx or msi"),
            ("defn", r"^static int uio_dmabuf_pci_vector_irq\("),
            ("defn", r"^static int uio_dmabuf_pci_setup_msix\("),
            ("sub", "Enable @mode (MSI or MSI-X) with @setup.", "Enable @mode (MSI) with @setup."),
            ("sub", "in the order INTx (maskable only), MSI, MSI-X.", "in the order INTx (maskable only), MSI."),
            ("sub", """	if (!up->irqs.mode && (modes & BIT(UIO_DMABUF_IRQ_MSIX)) && pdev->msix_cap) {
		ret = uio_dmabuf_pci_try_msi(up, modes, UIO_DMABUF_IRQ_MSIX,
					     uio_dmabuf_pci_setup_msix, "MSI-X");
		if (ret)
			return ret;
	}
""", ""),
            ("sub", """	if (up->irqs.mode == UIO_DMABUF_IRQ_MSIX)
		dev_info(&pdev->dev, "interrupt: msix, %u vectors for eventfds\\n",
			 up->irqs.nr_vectors);
	else
		dev_info(&pdev->dev, "UIO interrupt: %s\\n",
			 uio_dmabuf_pci_irq_names[up->irqs.mode]);
""", """	dev_info(&pdev->dev, "UIO interrupt: %s\\n", uio_dmabuf_pci_irq_names[up->irqs.mode]);
"""),
        ],
    },
}

# Before it, the import is a pinned dynamic attachment without
# invalidate_mappings, which current mainline allows (an optional callback
# since the revoke series; before it, move_notify was required, so the patches
# before this one are for mainline only: the 6.12 backport is the whole series).
REVOKE = {
    "edits": {
        "uio_dmabuf_sysfs.c": [
            ("sub", """/* Imports an exporter revoked that their files have not released yet. */
static ssize_t revoked_show(struct device *dev, struct device_attribute *attr, char *buf)
{
	struct uio_dmabuf_dev *udev = dev_get_drvdata(dev);
	unsigned int n;

	mutex_lock(&udev->lock);
	n = udev->nr_revoked;
	mutex_unlock(&udev->lock);
	return sysfs_emit(buf, "%u\\n", n);
}
static DEVICE_ATTR_RO(revoked);

""", ""),
            ("del", r"\t&dev_attr_revoked\.attr,"),
        ],
        "uio_dmabuf_import.c": [
            ("sub", """ * The device's DMA is on while it is bound, a file is active and no revoked
 * import is left to tear down; else it is stopped, before anything that it
 * could still reach is unmapped.
""", """ * The device's DMA is on while it is bound and a file is active; else it is
 * stopped, before anything that it could still reach is unmapped.
"""),
            ("sub", "\tbool on = !udev->dead && udev->nr_active && !udev->nr_revoked;\n",
             "\tbool on = !udev->dead && udev->nr_active;\n"),
            ("defn", r"^static void uio_dmabuf_invalidate_mappings\("),
            ("sub", "\t.allow_peer2peer = true,\n\t.invalidate_mappings = uio_dmabuf_invalidate_mappings,\n",
             "\t.allow_peer2peer = true,\n"),
            ("sub", """/*
 * The exact reverse of uio_dmabuf_map(); the unmap is skipped when the
 * exporter revoked the mapping, whose device DMA may start again afterwards.
 */
""", "/* The exact reverse of uio_dmabuf_map(). */\n"),
            ("sub", "\tstruct sg_table *sgt;\n\tbool revoked;\n", ""),
            ("sub", "\trevoked = map->revoked;\n\tsgt = map->sgt;\n"
             "\tmap->sgt = NULL;\t/* no revocation, and no SYNC, from here on */\n", ""),
            ("sub", """	if (!revoked) {
		dma_buf_unmap_attachment(map->attach, sgt, map->dir);
		uio_dmabuf_flush_lazy(udev);
	}
""", """	dma_buf_unmap_attachment(map->attach, map->sgt, map->dir);
	uio_dmabuf_flush_lazy(udev);
	map->sgt = NULL;	/* no SYNC from here on */
"""),
            ("sub", """	if (revoked) {
		mutex_lock(&udev->lock);
		udev->nr_revoked--;
		uio_dmabuf_update_dma_locked(udev);
		mutex_unlock(&udev->lock);
	}
""", ""),
            ("sub", "\tif (map->revoked)\n\t\tfile->nr_revoked--;\n", ""),
            ("sub", "\t/* Revoked between the mapping and now: user space may import again. */\n"
             "\tif (!ret && map->revoked)\n\t\tret = -ESTALE;\n", ""),
            ("sub", """ * -ENOSPC, -EBUSY, -ENOMEM, -E2BIG, -EIO, -ESTALE (the exporter revoked the
 * buffer before it was published), -ERESTARTSYS or the exporter's error, and
 * nothing of the import is left behind.
""", """ * -ENOSPC, -EBUSY, -ENOMEM, -E2BIG, -EIO, -ERESTARTSYS or the exporter's
 * error, and nothing of the import is left behind.
"""),
        ],
        "uio_dmabuf_node.c": [
            ("sub", """ * Return: 0, or -EINVAL, -ENODEV, -ENOSPC, -EBUSY, -ENOMEM, -E2BIG, -EIO,
 * -ESTALE, -EFAULT, -ERESTARTSYS or the exporter's error, in which case
 * nothing of the import is left behind.
""", """ * Return: 0, or -EINVAL, -ENODEV, -ENOSPC, -EBUSY, -ENOMEM, -E2BIG, -EIO,
 * -EFAULT, -ERESTARTSYS or the exporter's error, in which case nothing of the
 * import is left behind.
"""),
            ("sub", """/*
 * Under the file's lock, the live import @handle of @file: ERR_PTR(-ENOENT)
 * for none, ERR_PTR(-ESTALE) for one its exporter revoked.
 */
""", """/*
 * Under the file's lock, the live import @handle of @file: ERR_PTR(-ENOENT)
 * for none.
 */
"""),
            ("sub", """	 * The reservation lock keeps the table mapped: a release or the
	 * exporter's revocation unmaps it under that lock, and leaves the
	 * table pointer NULL or the revoked flag set behind.
	 */
""", """	 * The reservation lock keeps the table mapped: a release unmaps it
	 * under that lock, and leaves the table pointer NULL behind.
	 */
"""),
            ("sub", "\tif (map->revoked)\n\t\tret = -ESTALE;\n\telse if (!map->sgt)\n",
             "\tif (!map->sgt)\n"),
            ("sub", "\treturn map->revoked ? ERR_PTR(-ESTALE) : map;\n", "\treturn map;\n"),
            ("del", r"\tinfo\.nr_revoked = file->nr_revoked;"),
            ("sub", """ * Return: EPOLLERR | EPOLLHUP once the device is unbound or @file revoked;
 * else EPOLLPRI while @file holds an import its exporter revoked, which only
 * RELEASE (or the close) ends; else 0.
""", """ * Return: EPOLLERR | EPOLLHUP once the device is unbound or @file revoked;
 * else 0.
"""),
            ("sub", "\telse if (file->nr_revoked)\n\t\tmask = EPOLLPRI;\n", ""),
        ],
        "uio_dmabuf_priv.h": [
            ("sub", """ * @poll_wait:     woken when a file's import is revoked, and when files are
 *                 revoked or the device unbound: poll() on the node
""", """ * @poll_wait:     woken when files are revoked or the device unbound: poll()
 *                 on the node
"""),
            ("del", r" \* @nr_revoked:    imports an exporter revoked that are not torn down yet"),
            ("sub", """ * @dma_on:        the device masters the bus: while there is an active file
 *                 and no revoked import (see uio_dmabuf_update_dma_locked())
""", """ * @dma_on:        the device masters the bus: while there is an active file
 *                 (see uio_dmabuf_update_dma_locked())
"""),
            ("sub", """	 * serialises opens, closes, resets, the sysfs mask store and the
	 * revocation of files and of imports. Held only for bookkeeping, and
	 * not on the hot path: IMPORT's reservation and publication,
	 * GET_SEGMENTS, SYNC and RELEASE take their file's lock instead (see
	 * &uio_dmabuf_file.lock). Lock order: uio_dmabuf_devs_lock, then this;
	 * a buffer's dma_resv lock, which an exporter holds when it revokes a
	 * mapping (never from reclaim: a pinned buffer is not evicted), then
	 * this; this, then a file's lock; this, then uio_dmabuf_owners_lock
	 * (the group's owner, at open). No dma_resv lock, no mmap_lock (a
""", """	 * serialises opens, closes, resets, the sysfs mask store and the
	 * revocation of files. Held only for bookkeeping, and not on the hot
	 * path: IMPORT's reservation and publication, GET_SEGMENTS, SYNC and
	 * RELEASE take their file's lock instead (see &uio_dmabuf_file.lock).
	 * Lock order: uio_dmabuf_devs_lock, then this; this, then a file's
	 * lock; this, then uio_dmabuf_owners_lock (the group's owner, at
	 * open). No dma_resv lock, no mmap_lock (a
"""),
            ("sub", """	 * Protects the handle table, @generation, @nr_imports, @nr_revoked and
	 * @revoked, the live flag of this file's imports, and their revoked
	 * flag while they are this file's. The lock of the hot path: IMPORT
""", """	 * Protects the handle table, @generation, @nr_imports and @revoked,
	 * and the live flag of this file's imports. The lock of the hot path: IMPORT
"""),
            ("sub", "\tunsigned int nr_active;\n\tunsigned int nr_revoked;\n", "\tunsigned int nr_active;\n"),
            ("sub", """ * @nr_revoked:  live imports of this file that an exporter revoked: poll()
 *               reports EPOLLPRI while there is one
""", ""),
            ("sub", "\tunsigned int nr_imports;\n\tunsigned int nr_revoked;\n", "\tunsigned int nr_imports;\n"),
            ("sub", """ * @revoked:    the exporter revoked the mapping: @sgt was unmapped (or is
 *              left to the detach, when the dma-buf core kept it from
 *              attach, as before 6.15); set under the reservation lock and
 *              the device lock, and the file's lock while it has a file
""", ""),
            ("sub", "\tbool live;\n\tbool revoked;\n", "\tbool live;\n"),
        ],
    },
}

SPEC = {"platform": PLATFORM, "sysfs": SYSFS, "msix": MSIX, "revoke": REVOKE}
