// SPDX-License-Identifier: GPL-2.0
/*
 * uio_dmabuf interrupt vectors: the MSI-X vectors of a bound device, which
 * user space binds to eventfds through UIO_DMABUF_IOC_SET_IRQ_EVENTFD on the
 * import node, as VFIO does (the UIO core has one interrupt per device). A
 * vector's IRQ is requested while it is bound and freed when it is unbound,
 * when the file that bound it is closed or revoked, or when the device is
 * unbound.
 */

#include <linux/eventfd.h>
#include <linux/interrupt.h>
#include <linux/nospec.h>
#include <linux/slab.h>

#include "uio_dmabuf_priv.h"

/* An MSI-X vector is never shared and needs no mask: count it and return. */
static irqreturn_t uio_dmabuf_vector_irq(int irq, void *data)
{
	struct uio_dmabuf_vector *vec = data;

	eventfd_signal(vec->trigger);
	return IRQ_HANDLED;
}

/**
 * uio_dmabuf_vectors_init() - take a bound device's interrupts from its glue
 * @udev: the device, not yet registered
 * @irqs: what the glue set up, or NULL for no interrupt
 *
 * Return: 0 or -ENOMEM. The vectors are freed with @udev.
 */
int uio_dmabuf_vectors_init(struct uio_dmabuf_dev *udev, const struct uio_dmabuf_irqs *irqs)
{
	unsigned int i;

	if (!irqs)
		return 0;
	udev->irq_mode = irqs->mode;
	if (!irqs->nr_vectors)
		return 0;
	udev->vectors = kcalloc(irqs->nr_vectors, sizeof(*udev->vectors), GFP_KERNEL);
	if (!udev->vectors)
		return -ENOMEM;
	for (i = 0; i < irqs->nr_vectors; i++) {
		udev->vectors[i].irq = irqs->vector_irq(udev->priv, i);
		snprintf(udev->vectors[i].name, sizeof(udev->vectors[i].name), "%s-msix%u",
			 udev->name, i);
	}
	udev->nr_vectors = irqs->nr_vectors;
	return 0;
}

/* Free the IRQ of a bound vector and drop its eventfd. */
static void uio_dmabuf_vector_unbind(struct uio_dmabuf_vector *vec)
{
	free_irq(vec->irq, vec);
	eventfd_ctx_put(vec->trigger);
	vec->trigger = NULL;
	vec->owner = NULL;
}

/**
 * uio_dmabuf_unbind_vectors() - unbind the vectors of a file, or all of them
 * @udev: the device
 * @file: the file whose bindings go, or NULL for every binding
 *
 * Called without the device lock: when @file is closed, and at unbind once
 * the device is dead (no new binding can be made).
 */
void uio_dmabuf_unbind_vectors(struct uio_dmabuf_dev *udev, struct uio_dmabuf_file *file)
{
	unsigned int i;

	lockdep_assert_not_held(&udev->lock);
	mutex_lock(&udev->vectors_lock);
	for (i = 0; i < udev->nr_vectors; i++) {
		struct uio_dmabuf_vector *vec = &udev->vectors[i];

		if (vec->trigger && (!file || vec->owner == file))
			uio_dmabuf_vector_unbind(vec);
	}
	mutex_unlock(&udev->vectors_lock);
}

/*
 * Whether @vec is bound by a file that can no longer use it (revoked, or the
 * device unbound). Under the vectors lock, which keeps the owner alive (its
 * release unbinds under it before the file is freed), and the device lock.
 */
static bool uio_dmabuf_vector_stale_locked(struct uio_dmabuf_dev *udev,
					   struct uio_dmabuf_vector *vec)
{
	lockdep_assert_held(&udev->vectors_lock);
	return vec->trigger && uio_dmabuf_file_gone_locked(vec->owner);
}

/**
 * uio_dmabuf_unbind_revoked_vectors() - drop the bindings of revoked files
 * @udev: the device, its lock not held
 *
 * A revoked file can no longer use its vectors: their bindings go at the
 * revocation, not when the file is closed, so that a file opened afterwards
 * can bind them.
 */
void uio_dmabuf_unbind_revoked_vectors(struct uio_dmabuf_dev *udev)
{
	unsigned int i;
	bool stale;

	lockdep_assert_not_held(&udev->lock);
	mutex_lock(&udev->vectors_lock);
	for (i = 0; i < udev->nr_vectors; i++) {
		mutex_lock(&udev->lock);
		stale = uio_dmabuf_vector_stale_locked(udev, &udev->vectors[i]);
		mutex_unlock(&udev->lock);
		if (stale)
			uio_dmabuf_vector_unbind(&udev->vectors[i]);
	}
	mutex_unlock(&udev->vectors_lock);
}

/*
 * Bind @vec to @trigger for @file (the reference passes to the vector), or,
 * @trigger NULL, unbind it. Under the vectors lock.
 */
static int uio_dmabuf_vector_set(struct uio_dmabuf_file *file, struct uio_dmabuf_vector *vec,
				 struct eventfd_ctx *trigger)
{
	int ret;

	lockdep_assert_held(&file->udev->vectors_lock);
	if (!trigger) {
		if (!vec->trigger)
			return -ENOENT;
		if (vec->owner != file)
			return -EBUSY;
		uio_dmabuf_vector_unbind(vec);
		return 0;
	}
	if (vec->trigger)
		return -EBUSY;
	vec->trigger = trigger;
	vec->owner = file;
	ret = request_irq(vec->irq, uio_dmabuf_vector_irq, 0, vec->name, vec);
	if (ret) {
		vec->trigger = NULL;
		vec->owner = NULL;
	}
	return ret;
}

/**
 * uio_dmabuf_set_irq_eventfd() - bind an MSI-X vector to an eventfd, or unbind it
 * @file:   the open file of the import node that owns the binding
 * @vector: the vector, below the device's number of vectors
 * @fd:     an eventfd, or -1 to unbind
 *
 * Return: 0, or -EINVAL, -EBADF, -EBUSY, -ENOENT, -ENODEV or request_irq()'s
 * error, as &struct uio_dmabuf_irq_eventfd documents them.
 */
int uio_dmabuf_set_irq_eventfd(struct uio_dmabuf_file *file, u32 vector, int fd)
{
	struct uio_dmabuf_dev *udev = file->udev;
	struct eventfd_ctx *trigger = NULL;
	struct uio_dmabuf_vector *vec;
	bool stale;
	int ret;

	/* nr_vectors is set before the node exists and never changes. */
	if (vector >= udev->nr_vectors || fd < -1)
		return -EINVAL;
	vector = array_index_nospec(vector, udev->nr_vectors);
	if (fd >= 0) {
		trigger = eventfd_ctx_fdget(fd);
		if (IS_ERR(trigger))
			return PTR_ERR(trigger);
	}

	/*
	 * A revocation this finds (a lazy domain found late) unmaps, and
	 * unbinds the revoked files' vectors, before the vectors lock is
	 * taken here.
	 */
	ret = uio_dmabuf_lock_dev(file);
	if (ret)
		goto put;
	mutex_unlock(&udev->lock);
	/*
	 * A file still usable under the vectors lock: the unbind, which sets
	 * the device dead before it unbinds every vector, waits for this one.
	 */
	mutex_lock(&udev->vectors_lock);
	mutex_lock(&udev->lock);
	if (uio_dmabuf_file_gone_locked(file)) {
		mutex_unlock(&udev->lock);
		ret = -ENODEV;
		goto unlock;
	}
	/* A binding left by a file revoked since (a lazy domain found late). */
	vec = &udev->vectors[vector];
	stale = uio_dmabuf_vector_stale_locked(udev, vec);
	mutex_unlock(&udev->lock);
	if (stale)
		uio_dmabuf_vector_unbind(vec);
	ret = uio_dmabuf_vector_set(file, vec, trigger);
	if (!ret)
		trigger = NULL;
unlock:
	mutex_unlock(&udev->vectors_lock);
put:
	if (trigger)
		eventfd_ctx_put(trigger);
	return ret;
}
