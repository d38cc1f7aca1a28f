// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite uio_dmabuf_concurrency.
 *
 * Imports that wait on fences and imports racing an unbind: no lock of the
 * device is held across a wait, a SIGKILL ends one, and unbind ends them all.
 */

#include <kunit/static_stub.h>
#include <linux/completion.h>
#include <linux/delay.h>
#include <linux/dma-fence.h>
#include <linux/dma-resv.h>
#include <linux/kthread.h>
#include <linux/mman.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/uaccess.h>

#include "uio_dmabuf_kunit.h"

static const char *uio_dmabuf_test_fence_name(struct dma_fence *fence)
{
	return "uio_dmabuf_test";
}

static const struct dma_fence_ops uio_dmabuf_test_fence_ops = {
	.get_driver_name = uio_dmabuf_test_fence_name,
	.get_timeline_name = uio_dmabuf_test_fence_name,
};

/* Serialises the test fences' signalling. */
static DEFINE_SPINLOCK(uio_dmabuf_test_fence_lock);

static void uio_dmabuf_test_fence_done(void *fence)
{
	dma_fence_signal(fence);
	dma_fence_put(fence);
}

/* Adds to @dmabuf a kernel fence that signals only when the case ends. */
static void uio_dmabuf_test_block(struct kunit *test, struct dma_buf *dmabuf)
{
	struct dma_fence *fence = kzalloc_obj(*fence);

	KUNIT_ASSERT_NOT_NULL(test, fence);
	dma_fence_init(fence, &uio_dmabuf_test_fence_ops, &uio_dmabuf_test_fence_lock,
		       dma_fence_context_alloc(1), 1);
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test, uio_dmabuf_test_fence_done,
							   fence));
	dma_resv_lock(dmabuf->resv, NULL);
	KUNIT_ASSERT_EQ(test, 0, dma_resv_reserve_fences(dmabuf->resv, 1));
	dma_resv_add_fence(dmabuf->resv, fence, DMA_RESV_USAGE_KERNEL);
	dma_resv_unlock(dmabuf->resv);
}

/* An IMPORT run by a kthread, which a SIGKILL may interrupt. */
struct uio_dmabuf_test_importer {
	struct uio_dmabuf_file *file;
	struct dma_buf *dmabuf;
	struct task_struct *task;
	struct completion done;
	int ret;
};

static int uio_dmabuf_test_importer_fn(void *data)
{
	struct uio_dmabuf_test_importer *t = data;

	allow_signal(SIGKILL);
	t->ret = uio_dmabuf_test_import(t->file, t->dmabuf, 0, 0, NULL);
	complete(&t->done);
	return 0;
}

static void uio_dmabuf_test_importer_start(struct kunit *test, struct uio_dmabuf_test_importer *t,
					   struct uio_dmabuf_file *file, struct dma_buf *dmabuf)
{
	t->file = file;
	t->dmabuf = dmabuf;
	init_completion(&t->done);
	t->task = kthread_run(uio_dmabuf_test_importer_fn, t, "uio_dmabuf_test");
	KUNIT_ASSERT_FALSE(test, IS_ERR(t->task));
	get_task_struct(t->task);
}

/*
 * The importer of @t mapped @buf, which has a fence that never signals: it is
 * in the fence wait, or on its way in, and cannot return by itself. Polled,
 * not slept on: a loaded host may take its time to get there.
 */
static void uio_dmabuf_test_importer_waits(struct kunit *test, struct uio_dmabuf_test_importer *t,
					   struct uio_dmabuf_test_buf *buf)
{
	int i;

	for (i = 0; i < 500 && !atomic_read(&buf->maps); i++)
		msleep(20);
	KUNIT_ASSERT_EQ(test, atomic_read(&buf->maps), 1);
	msleep(20);
	KUNIT_ASSERT_FALSE(test, completion_done(&t->done));
}

static int uio_dmabuf_test_importer_end(struct uio_dmabuf_test_importer *t)
{
	unsigned long left = wait_for_completion_timeout(&t->done, 5 * HZ);

	put_task_struct(t->task);
	return left ? t->ret : -ETIMEDOUT;
}

/*
 * An IMPORT stuck on a fence that never signals holds no lock of the device:
 * another file imports, a new file opens, INFO answers, and the stuck buffer
 * is busy (reserved). A SIGKILL ends the stuck call with nothing left behind.
 */
static void uio_dmabuf_test_stuck_import(struct kunit *test)
{
	struct uio_dmabuf_test_ctx *ctx = test->priv;
	struct uio_dmabuf_test_buf *buf, *buf2;
	struct uio_dmabuf_test_importer t;
	struct uio_dmabuf_file *other;
	struct dma_buf *dmabuf, *dmabuf2;
	struct uio_dmabuf_info info;

	dmabuf = uio_dmabuf_test_new(test, &uio_dmabuf_test_layouts[0], &buf);
	dmabuf2 = uio_dmabuf_test_new(test, &uio_dmabuf_test_layouts[1], &buf2);
	uio_dmabuf_test_block(test, dmabuf);
	uio_dmabuf_test_importer_start(test, &t, ctx->file, dmabuf);
	uio_dmabuf_test_importer_waits(test, &t, buf);

	other = uio_dmabuf_test_open(test, ctx->udev);
	KUNIT_EXPECT_EQ(test, 0, uio_dmabuf_test_import(other, dmabuf2, 0, 0, NULL));
	KUNIT_EXPECT_EQ(test, -EBUSY, uio_dmabuf_test_import(other, dmabuf, 0, 0, NULL));
	KUNIT_EXPECT_EQ(test, 0, uio_dmabuf_test_ioctl(test, ctx->file, UIO_DMABUF_IOC_INFO,
						       &info, sizeof(info)));
	KUNIT_EXPECT_EQ(test, info.nr_imports, 1);
	KUNIT_EXPECT_FALSE(test, completion_done(&t.done));

	send_sig(SIGKILL, t.task, 1);
	KUNIT_EXPECT_EQ(test, -ERESTARTSYS, uio_dmabuf_test_importer_end(&t));
	uio_dmabuf_test_expect_idle(test, buf);
	KUNIT_EXPECT_EQ(test, ctx->file->nr_imports, 0);
	KUNIT_EXPECT_EQ(test, uio_dmabuf_test_device_imports(ctx->udev), 1);
	KUNIT_EXPECT_TRUE(test, uio_dmabuf_test_no_handles(ctx->file));
	/* It was mapped, and unmapped again when the wait ended. */
	KUNIT_EXPECT_EQ(test, atomic_read(&buf->maps), 1);
}

/* Unbind while an IMPORT waits: the import ends with ENODEV before unbind returns. */
static void uio_dmabuf_test_unbind_stuck_import(struct kunit *test)
{
	struct uio_dmabuf_test_ctx *ctx = test->priv;
	struct uio_dmabuf_test_importer t;
	struct uio_dmabuf_test_buf *buf;
	struct dma_buf *dmabuf;

	dmabuf = uio_dmabuf_test_new(test, &uio_dmabuf_test_layouts[0], &buf);
	uio_dmabuf_test_block(test, dmabuf);
	uio_dmabuf_test_importer_start(test, &t, ctx->file, dmabuf);
	uio_dmabuf_test_importer_waits(test, &t, buf);

	kunit_release_action(test, uio_dmabuf_test_unregister_action, ctx->udev);
	/*
	 * Unregister waited for the import to unmap: nothing of it is left,
	 * though its thread may not have returned from the call yet.
	 */
	uio_dmabuf_test_expect_idle(test, buf);
	KUNIT_EXPECT_EQ(test, -ENODEV, uio_dmabuf_test_importer_end(&t));
}

/* The bus notifier of a kernel driver binding to @dev, run by a kthread. */
struct uio_dmabuf_test_binder {
	struct device *dev;
	struct completion done;
};

static int uio_dmabuf_test_binder_fn(void *data)
{
	struct uio_dmabuf_test_binder *b = data;

	uio_dmabuf_test_kernel_binds(b->dev);
	complete(&b->done);
	return 0;
}

/* The exporter's map returns, whatever became of the case. */
static void uio_dmabuf_test_open_gate(void *gate)
{
	complete_all(gate);
}

/* @buf's unmap op waits at @gate, which opens when the case ends if not before. */
static void uio_dmabuf_test_gate_unmap(struct kunit *test, struct uio_dmabuf_test_buf *buf,
				       struct completion *entered, struct completion *gate)
{
	buf->unmap_entered = entered;
	buf->unmap_gate = gate;
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test, uio_dmabuf_test_open_gate, gate));
}

/* Run the binder @b in a kthread until its notifier waits in an unmap (@entered). */
static void uio_dmabuf_test_bind_into_unmap(struct kunit *test, struct uio_dmabuf_test_binder *b,
					    struct completion *entered)
{
	struct task_struct *task = kthread_run(uio_dmabuf_test_binder_fn, b,
					       "uio_dmabuf_test_bind");

	KUNIT_ASSERT_FALSE(test, IS_ERR(task));
	KUNIT_ASSERT_NE(test, 0, wait_for_completion_timeout(entered, 10 * HZ));
}

/* An importer started is done before its file and buffer go, whatever became of the case. */
static void uio_dmabuf_test_importer_wait(void *data)
{
	struct uio_dmabuf_test_importer *t = data;

	if (t->task)
		wait_for_completion_timeout(&t->done, 10 * HZ);
}

/*
 * A kernel driver binds in the group while the exporter takes its time in
 * map (a migration, a stuck device): the bus notifier stops the device's DMA,
 * waits a bounded while and returns with the import still in the exporter's
 * hands. Once the exporter returns, the import ends with ENODEV and nothing of
 * it is left.
 */
static void uio_dmabuf_test_group_bind_slow_map(struct kunit *test)
{
	struct uio_dmabuf_test_importer *t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);
	struct uio_dmabuf_test_binder *b = kunit_kzalloc(test, sizeof(*b), GFP_KERNEL);
	struct completion *entered = kunit_kzalloc(test, sizeof(*entered), GFP_KERNEL);
	struct completion *gate = kunit_kzalloc(test, sizeof(*gate), GFP_KERNEL);
	struct uio_dmabuf_test_buf *buf;
	struct uio_dmabuf_file *file;
	struct uio_dmabuf_dev *udev;
	struct task_struct *task;
	struct dma_buf *dmabuf;
	bool returned;
	int ret;

	KUNIT_ASSERT_TRUE(test, t && b && entered && gate);
	init_completion(entered);
	init_completion(gate);
	init_completion(&b->done);
	udev = uio_dmabuf_test_grouped_device(test, &b->dev);
	file = uio_dmabuf_test_open(test, udev);
	dmabuf = uio_dmabuf_test_new(test, &uio_dmabuf_test_layouts[0], &buf);
	buf->map_entered = entered;
	buf->map_gate = gate;
	/* At the end: the gate opens, then the importer is waited for. */
	init_completion(&t->done);
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test, uio_dmabuf_test_importer_wait, t));
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test, uio_dmabuf_test_open_gate, gate));
	uio_dmabuf_test_importer_start(test, t, file, dmabuf);
	KUNIT_ASSERT_NE(test, 0, wait_for_completion_timeout(entered, 10 * HZ));

	task = kthread_run(uio_dmabuf_test_binder_fn, b, "uio_dmabuf_test_bind");
	KUNIT_ASSERT_FALSE(test, IS_ERR(task));
	returned = wait_for_completion_timeout(&b->done, 10 * HZ);
	KUNIT_EXPECT_TRUE_MSG(test, returned, "the notifier waits as long as the exporter maps");
	KUNIT_EXPECT_FALSE(test, completion_done(&t->done));
	KUNIT_EXPECT_FALSE(test, udev->dma_on);

	complete_all(gate);
	ret = uio_dmabuf_test_importer_end(t);
	KUNIT_EXPECT_EQ(test, -ENODEV, ret);
	if (ret != -ETIMEDOUT)
		t->task = NULL;	/* it is done: nothing to wait for at the end */
	if (!returned)
		wait_for_completion(&b->done);
	uio_dmabuf_test_expect_idle(test, buf);
	KUNIT_EXPECT_EQ(test, uio_dmabuf_test_device_imports(udev), 0);
}

/*
 * A kernel driver binds in the group while the exporter takes its time to
 * unmap what the bus notifier revoked: that bind waits for the unmap, but a
 * bind in another group, which walks the same list of devices, does not.
 */
static void uio_dmabuf_test_group_bind_slow_unmap(struct kunit *test)
{
	struct uio_dmabuf_test_binder *b = kunit_kzalloc(test, sizeof(*b), GFP_KERNEL);
	struct uio_dmabuf_test_binder *elsewhere = kunit_kzalloc(test, sizeof(*elsewhere),
								 GFP_KERNEL);
	struct completion *entered = kunit_kzalloc(test, sizeof(*entered), GFP_KERNEL);
	struct completion *gate = kunit_kzalloc(test, sizeof(*gate), GFP_KERNEL);
	struct uio_dmabuf_test_buf *buf;
	struct uio_dmabuf_file *file;
	struct uio_dmabuf_dev *udev;
	struct task_struct *task;
	struct dma_buf *dmabuf;
	bool returned;

	KUNIT_ASSERT_TRUE(test, b && elsewhere && entered && gate);
	init_completion(entered);
	init_completion(gate);
	init_completion(&b->done);
	init_completion(&elsewhere->done);
	udev = uio_dmabuf_test_grouped_device(test, &b->dev);
	elsewhere->dev = uio_dmabuf_test_kdev(test, "uio-dmabuf-test-elsewhere");
	uio_dmabuf_test_join(test, uio_dmabuf_test_group(test), elsewhere->dev);
	file = uio_dmabuf_test_open(test, udev);
	dmabuf = uio_dmabuf_test_new(test, &uio_dmabuf_test_layouts[0], &buf);
	KUNIT_ASSERT_EQ(test, 0, uio_dmabuf_test_import(file, dmabuf, 0, 0, NULL));
	uio_dmabuf_test_gate_unmap(test, buf, entered, gate);

	uio_dmabuf_test_bind_into_unmap(test, b, entered);
	KUNIT_EXPECT_FALSE(test, udev->dma_on);

	task = kthread_run(uio_dmabuf_test_binder_fn, elsewhere, "uio_dmabuf_test_bind2");
	KUNIT_ASSERT_FALSE(test, IS_ERR(task));
	returned = wait_for_completion_timeout(&elsewhere->done, 5 * HZ);
	KUNIT_EXPECT_TRUE_MSG(test, returned, "a bind elsewhere waits for an exporter's unmap");
	KUNIT_EXPECT_FALSE(test, completion_done(&b->done));

	complete_all(gate);
	KUNIT_EXPECT_NE(test, 0, wait_for_completion_timeout(&b->done, 10 * HZ));
	if (!returned)
		wait_for_completion(&elsewhere->done);
	uio_dmabuf_test_expect_idle(test, buf);
	KUNIT_EXPECT_EQ(test, uio_dmabuf_test_device_imports(udev), 0);
	KUNIT_EXPECT_TRUE(test, uio_dmabuf_test_no_handles(file));
}

/*
 * Two devices of one group, and a kernel driver binds in it while the
 * exporter takes its time to unmap the first device's import: a notification
 * that ends nothing (a device joins without a firmware range) meanwhile does
 * not keep the bind from revoking the second device before it returns.
 */
static void uio_dmabuf_test_group_bind_two_devices(struct kunit *test)
{
	struct uio_dmabuf_test_binder *b = kunit_kzalloc(test, sizeof(*b), GFP_KERNEL);
	struct completion *entered = kunit_kzalloc(test, sizeof(*entered), GFP_KERNEL);
	struct completion *gate = kunit_kzalloc(test, sizeof(*gate), GFP_KERNEL);
	struct uio_dmabuf_test_buf *buf, *buf2;
	struct uio_dmabuf_dev *udev, *udev2;
	struct uio_dmabuf_file *file, *file2;
	struct dma_buf *dmabuf, *dmabuf2;
	struct device *dev2;

	KUNIT_ASSERT_TRUE(test, b && entered && gate);
	init_completion(entered);
	init_completion(gate);
	init_completion(&b->done);
	udev = uio_dmabuf_test_grouped_device(test, &b->dev);
	dev2 = uio_dmabuf_test_kdev(test, "uio-dmabuf-test-grouped2");
	uio_dmabuf_test_join(test, udev->group, dev2);
	udev2 = uio_dmabuf_test_register(test, dev2, 931, &uio_dmabuf_test_bus_ops, NULL);
	file = uio_dmabuf_test_open(test, udev);
	file2 = uio_dmabuf_test_open(test, udev2);
	dmabuf = uio_dmabuf_test_new(test, &uio_dmabuf_test_layouts[0], &buf);
	dmabuf2 = uio_dmabuf_test_new(test, &uio_dmabuf_test_layouts[1], &buf2);
	KUNIT_ASSERT_EQ(test, 0, uio_dmabuf_test_import(file, dmabuf, 0, 0, NULL));
	KUNIT_ASSERT_EQ(test, 0, uio_dmabuf_test_import(file2, dmabuf2, 0, 0, NULL));
	uio_dmabuf_test_gate_unmap(test, buf, entered, gate);

	uio_dmabuf_test_bind_into_unmap(test, b, entered);
	kunit_activate_static_stub(test, uio_dmabuf_check_direct, uio_dmabuf_test_no_direct);
	uio_dmabuf_bus_notify(NULL, BUS_NOTIFY_ADD_DEVICE, b->dev);
	kunit_deactivate_static_stub(test, uio_dmabuf_check_direct);
	KUNIT_EXPECT_TRUE(test, udev2->dma_on);

	complete_all(gate);
	KUNIT_ASSERT_NE(test, 0, wait_for_completion_timeout(&b->done, 10 * HZ));
	KUNIT_EXPECT_FALSE(test, udev->dma_on);
	KUNIT_EXPECT_FALSE(test, udev2->dma_on);
	uio_dmabuf_test_expect_idle(test, buf);
	uio_dmabuf_test_expect_idle(test, buf2);
	KUNIT_EXPECT_EQ(test, uio_dmabuf_test_device_imports(udev2), 0);
}

#define UIO_DMABUF_TEST_CHURNERS	4

/* One kthread of the churn: its own files, buffer and page of user memory. */
struct uio_dmabuf_test_churner {
	struct uio_dmabuf_dev *udev;
	struct mm_struct *mm;
	struct dma_buf *dmabuf;
	void __user *uarg;
	struct completion done;
	unsigned int imports, enodev;
	int error;
};

static int uio_dmabuf_test_churner_fn(void *data)
{
	struct uio_dmabuf_test_churner *c = data;
	struct uio_dmabuf_file *file = NULL;
	int i;

	kthread_use_mm(c->mm);
	for (i = 0; i < 300 && !c->error; i++) {
		struct uio_dmabuf_release rel = { };
		struct uio_dmabuf_import imp = { };
		int ret;

		if (!file) {
			file = uio_dmabuf_file_open(c->udev, true);
			if (IS_ERR(file)) {
				/* Unbound: ENODEV, and nothing more to do. */
				c->error = PTR_ERR(file) == -ENODEV ? 0 : PTR_ERR(file);
				file = NULL;
				break;
			}
		}
		ret = uio_dmabuf_file_import(file, c->dmabuf, &imp);
		if (ret == -ENODEV) {
			c->enodev++;
			continue;
		}
		if (ret) {
			c->error = ret;
			break;
		}
		c->imports++;
		/* RELEASE through the ioctl, or by closing the file. */
		if (i % 3) {
			rel.handle = imp.handle;
			if (copy_to_user(c->uarg, &rel, sizeof(rel)))
				c->error = -EFAULT;
			ret = uio_dmabuf_file_ioctl(file, UIO_DMABUF_IOC_RELEASE, c->uarg);
			if (ret && ret != -ENODEV)
				c->error = ret;
		} else {
			uio_dmabuf_file_release(file);
			file = NULL;
		}
	}
	if (file)
		uio_dmabuf_file_release(file);
	kthread_unuse_mm(c->mm);
	complete(&c->done);
	return 0;
}

/*
 * Several kthreads open, IMPORT, RELEASE and close on one device while it is
 * unbound under them: every one ends, with ENODEV once unbound, and nothing of
 * any import is left (lockdep, KASAN and kmemleak watch the rest).
 */
static void uio_dmabuf_test_concurrent(struct kunit *test)
{
	struct uio_dmabuf_test_churner c[UIO_DMABUF_TEST_CHURNERS];
	struct uio_dmabuf_test_buf *bufs[UIO_DMABUF_TEST_CHURNERS];
	struct uio_dmabuf_test_ctx *ctx = test->priv;
	unsigned long addr;
	unsigned int imports = 0;
	int i;

	addr = kunit_vm_mmap(test, NULL, 0, UIO_DMABUF_TEST_CHURNERS * PAGE_SIZE,
			     PROT_READ | PROT_WRITE, MAP_ANONYMOUS | MAP_PRIVATE, 0);
	KUNIT_ASSERT_FALSE(test, IS_ERR_VALUE(addr));
	for (i = 0; i < UIO_DMABUF_TEST_CHURNERS; i++) {
		struct task_struct *task;

		c[i] = (struct uio_dmabuf_test_churner){
			.udev = ctx->udev, .mm = current->mm,
			.uarg = (void __user *)(addr + i * PAGE_SIZE),
		};
		c[i].dmabuf = uio_dmabuf_test_new(test, &uio_dmabuf_test_layouts[i], &bufs[i]);
		init_completion(&c[i].done);
		task = kthread_run(uio_dmabuf_test_churner_fn, &c[i], "uio_dmabuf_churn%d", i);
		KUNIT_ASSERT_FALSE(test, IS_ERR(task));
	}
	msleep(200);
	kunit_release_action(test, uio_dmabuf_test_unregister_action, ctx->udev);
	/* Unbind returned: nothing may be attached any more, whatever is running. */
	for (i = 0; i < UIO_DMABUF_TEST_CHURNERS; i++)
		KUNIT_EXPECT_EQ_MSG(test, atomic_read(&bufs[i]->attached), 0,
				    "buffer %d attached after unbind", i);
	for (i = 0; i < UIO_DMABUF_TEST_CHURNERS; i++) {
		KUNIT_ASSERT_NE(test, 0, wait_for_completion_timeout(&c[i].done, 30 * HZ));
		KUNIT_EXPECT_EQ_MSG(test, c[i].error, 0, "churner %d", i);
		uio_dmabuf_test_expect_idle(test, bufs[i]);
		imports += c[i].imports;
	}
	kunit_info(test, "%u imports before and around the unbind", imports);
	KUNIT_EXPECT_GT(test, imports, 0);
	KUNIT_EXPECT_EQ(test, uio_dmabuf_test_charged(test), 0);
}

static struct kunit_case uio_dmabuf_concurrency_cases[] = {
	KUNIT_CASE(uio_dmabuf_test_stuck_import),
	KUNIT_CASE(uio_dmabuf_test_unbind_stuck_import),
	KUNIT_CASE(uio_dmabuf_test_group_bind_slow_map),
	KUNIT_CASE(uio_dmabuf_test_group_bind_slow_unmap),
	KUNIT_CASE(uio_dmabuf_test_group_bind_two_devices),
	KUNIT_CASE(uio_dmabuf_test_concurrent),
	{}
};

static struct kunit_suite uio_dmabuf_concurrency_suite = {
	.name = "uio_dmabuf_concurrency",
	.init = uio_dmabuf_test_init,
	.test_cases = uio_dmabuf_concurrency_cases,
};

kunit_test_suite(uio_dmabuf_concurrency_suite);
