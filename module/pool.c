// SPDX-License-Identifier: GPL-2.0
/*
 * Pools: user buffers pinned for long-term DMA and charged to the owner's
 * RLIMIT_MEMLOCK, identified by an id within their open file.
 *
 * A pool is reference counted: the registry of its file holds one
 * reference until the pool is unregistered or the file is closed, and
 * each transfer that sends from it holds one until its completion. The
 * last reference unpins and uncharges, always in process context.
 */

#include <linux/backing-dev.h>
#include <linux/hugetlb_inline.h>
#include <linux/mm.h>
#include <linux/overflow.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/zcopy.h>
#include <net/net_namespace.h>

#include "notify.h"
#include "pool.h"
#include "stats.h"
#include "zcopy.h"

/* Every pool, for netlink dumps; the generation tells a dump it changed. */
static LIST_HEAD(zcopy_pool_list);
static DEFINE_MUTEX(zcopy_pool_list_lock);
static unsigned int zcopy_pool_list_gen;

/*
 * Whether a long-term writable pin of @vma would defeat the filesystem's
 * dirty tracking: a shared mapping of a file whose pages are written back
 * (ext4, xfs, ...). 6.5 and later refuse such pins in GUP with EFAULT, 6.1
 * allows them; zcopy refuses them on both with EOPNOTSUPP. shmem, memfd
 * and hugetlbfs mappings have nothing to write back and are allowed.
 */
static bool zcopy_vma_needs_dirty_tracking(struct vm_area_struct *vma)
{
	if (!(vma->vm_flags & VM_SHARED) || !vma->vm_file ||
	    is_vm_hugetlb_page(vma))
		return false;
	if (vma->vm_ops && vma->vm_ops->page_mkwrite)
		return true;
	return mapping_can_writeback(vma->vm_file->f_mapping);
}

static int zcopy_pool_check_vmas(unsigned long start, unsigned long end)
{
	struct mm_struct *mm = current->mm;
	struct vm_area_struct *vma;
	unsigned long addr = start;
	int ret = 0;

	mmap_read_lock(mm);
	while (addr < end) {
		vma = find_vma(mm, addr);
		if (!vma || vma->vm_start > addr) {
			ret = -EFAULT;
			break;
		}
		if ((vma->vm_flags & (VM_IO | VM_PFNMAP)) ||
		    zcopy_vma_needs_dirty_tracking(vma)) {
			ret = -EOPNOTSUPP;
			break;
		}
		addr = vma->vm_end;
	}
	mmap_read_unlock(mm);
	return ret;
}

static int zcopy_pool_pin(struct zcopy_pool *pool, unsigned long addr)
{
	unsigned long pinned = 0;
	int ret;

	while (pinned < pool->nr_pages) {
		ret = pin_user_pages_fast(addr + (pinned << PAGE_SHIFT),
					  pool->nr_pages - pinned,
					  FOLL_WRITE | FOLL_LONGTERM,
					  pool->pages + pinned);
		if (ret <= 0) {
			unpin_user_pages(pool->pages, pinned);
			return ret ? ret : -EFAULT;
		}
		pinned += ret;
		cond_resched();
	}
	return 0;
}

/* Unpin, uncharge and free a pool that nothing else can reach. */
static void zcopy_pool_destroy(struct zcopy_pool *pool)
{
	unpin_user_pages(pool->pages, pool->nr_pages);
	mm_unaccount_pinned_pages(&pool->mmp);
	put_pid_ns(pool->pid_ns);
	put_pid(pool->pid);
	kvfree(pool->pages);
	kfree(pool);
}

/**
 * zcopy_pool_info - what dumps and events show of a pool
 * @pool: the pool
 * @info: filled in; its references are borrowed from @pool
 */
void zcopy_pool_info(const struct zcopy_pool *pool,
		     struct zcopy_pool_info *info)
{
	info->net = pool->net;
	info->id = pool->id;
	info->pid = pool->pid;
	info->pid_ns = pool->pid_ns;
	info->uid = pool->uid;
	memcpy(info->comm, pool->comm, sizeof(info->comm));
	info->len = pool->len;
	info->pages = pool->nr_pages;
	info->inflight = atomic_read(&pool->inflight);
	info->sends = atomic64_read(&pool->sends);
	info->bytes_sent = atomic64_read(&pool->bytes_sent);
	info->registered = READ_ONCE(pool->registered);
}

static void zcopy_pool_free(struct kref *ref)
{
	struct zcopy_pool *pool = container_of(ref, struct zcopy_pool, ref);
	struct zcopy_pool_info info;

	mutex_lock(&zcopy_pool_list_lock);
	list_del(&pool->node);
	zcopy_pool_list_gen++;
	mutex_unlock(&zcopy_pool_list_lock);
	zcopy_pool_info(pool, &info);
	zcopy_notify_pool_del(&info);

	put_net(pool->net);
	zcopy_stats_pinned(-(long)pool->nr_pages);
	zcopy_stats_pools(-1);
	zcopy_stat_add(ZCOPY_STAT_POOLS_RELEASED, 1);
	zcopy_pool_destroy(pool);
}

void zcopy_pool_put(struct zcopy_pool *pool)
{
	might_sleep();
	kref_put(&pool->ref, zcopy_pool_free);
}

/* A pool of @r's length for @ctx, charged and pinned, not yet published. */
static struct zcopy_pool *zcopy_pool_create(struct zcopy_ctx *ctx,
					    const struct zcopy_pool_register *r,
					    u64 end)
{
	struct zcopy_pool *pool;
	int ret = -ENOMEM;

	pool = kzalloc(sizeof(*pool), GFP_KERNEL_ACCOUNT);
	if (!pool)
		return ERR_PTR(-ENOMEM);
	kref_init(&pool->ref);
	INIT_LIST_HEAD(&pool->node);
	pool->len = r->len;
	pool->nr_pages = PAGE_ALIGN(r->len) >> PAGE_SHIFT;
	pool->pages = kvmalloc_array(pool->nr_pages, sizeof(*pool->pages),
				     GFP_KERNEL_ACCOUNT);
	if (!pool->pages)
		goto err_pool;

	ret = mm_account_pinned_pages(&pool->mmp,
				      pool->nr_pages << PAGE_SHIFT);
	if (ret)
		goto err_pages;
	ret = zcopy_pool_check_vmas(r->addr, PAGE_ALIGN(end));
	if (ret)
		goto err_account;
	ret = zcopy_pool_pin(pool, r->addr);
	if (ret)
		goto err_account;

	pool->pid = get_pid(task_tgid(current));
	pool->pid_ns = get_pid_ns(ctx->pid_ns);
	pool->uid = current_uid();
	get_task_comm(pool->comm, current);
	return pool;

err_account:
	mm_unaccount_pinned_pages(&pool->mmp);
err_pages:
	kvfree(pool->pages);
err_pool:
	kfree(pool);
	return ERR_PTR(ret);
}

/*
 * The id is reserved first and the pool published under ctx->pool_lock
 * only once nothing can fail any more: a registration that fails leaves
 * no trace (no event, no counter, never in a dump).
 */
int zcopy_pool_register(struct zcopy_ctx *ctx, struct zcopy_pool_register *r)
{
	struct zcopy_pool_info info;
	struct zcopy_pool *pool;
	u32 id;
	u64 end;
	int ret;

	if (r->flags || r->__reserved)
		return -EINVAL;
	if (!r->len || !PAGE_ALIGNED(r->addr))
		return -EINVAL;
	if (r->len > ZCOPY_MAX_POOL_BYTES)
		return -E2BIG;
	if (check_add_overflow(r->addr, r->len, &end))
		return -EOVERFLOW;
	if (!access_ok(u64_to_user_ptr(r->addr), r->len))
		return -EFAULT;

	/* Reserve a slot and an id so that the slow part runs unlocked. */
	mutex_lock(&ctx->pool_lock);
	if (ctx->nr_pools >= ZCOPY_MAX_POOLS) {
		mutex_unlock(&ctx->pool_lock);
		return -EMFILE;
	}
	ret = xa_alloc_cyclic(&ctx->pools, &id, NULL, XA_LIMIT(1, U32_MAX),
			      &ctx->next_pool_id, GFP_KERNEL);
	if (ret >= 0)
		ctx->nr_pools++;
	mutex_unlock(&ctx->pool_lock);
	if (ret < 0)
		return ret;

	pool = zcopy_pool_create(ctx, r, end);
	if (IS_ERR(pool)) {
		ret = PTR_ERR(pool);
		goto err_slot;
	}
	pool->id = id;
	pool->net = get_net(ctx->net);
	pool->registered = true;

	mutex_lock(&ctx->pool_lock);
	/* Only we release the reservation: storing into it allocates nothing. */
	ret = xa_err(xa_store(&ctx->pools, id, pool, GFP_KERNEL));
	if (ret) {
		ctx->nr_pools--;
		mutex_unlock(&ctx->pool_lock);
		put_net(pool->net);
		zcopy_pool_destroy(pool);
		return ret;
	}
	/* Under the lock, the pool cannot be unregistered before it is new. */
	mutex_lock(&zcopy_pool_list_lock);
	list_add_tail(&pool->node, &zcopy_pool_list);
	zcopy_pool_list_gen++;
	mutex_unlock(&zcopy_pool_list_lock);
	zcopy_stats_pinned(pool->nr_pages);
	zcopy_stats_pools(1);
	zcopy_stat_add(ZCOPY_STAT_POOLS_REGISTERED, 1);
	zcopy_pool_info(pool, &info);
	zcopy_notify_pool_new(&info);
	mutex_unlock(&ctx->pool_lock);
	r->pool_id = id;
	return 0;

err_slot:
	mutex_lock(&ctx->pool_lock);
	xa_release(&ctx->pools, id);
	/* The next registration gets this id again, as if none had failed. */
	if (ctx->next_pool_id == id + 1)
		ctx->next_pool_id = id;
	ctx->nr_pools--;
	mutex_unlock(&ctx->pool_lock);
	return ret;
}

int zcopy_pool_unregister(struct zcopy_ctx *ctx,
			  struct zcopy_pool_unregister *r)
{
	struct zcopy_pool *pool;

	if (r->flags || r->__reserved)
		return -EINVAL;

	mutex_lock(&ctx->pool_lock);
	/* An id still being registered reads as NULL and stays reserved. */
	pool = xa_load(&ctx->pools, r->pool_id);
	if (pool) {
		xa_erase(&ctx->pools, r->pool_id);
		ctx->nr_pools--;
		WRITE_ONCE(pool->registered, false);
	}
	mutex_unlock(&ctx->pool_lock);
	if (!pool)
		return -ENOENT;

	zcopy_pool_put(pool);
	return 0;
}

/* A reference to pool @id of @ctx, or NULL. */
struct zcopy_pool *zcopy_pool_get(struct zcopy_ctx *ctx, u32 id)
{
	struct zcopy_pool *pool;

	mutex_lock(&ctx->pool_lock);
	pool = xa_load(&ctx->pools, id);
	if (pool)
		kref_get(&pool->ref);
	mutex_unlock(&ctx->pool_lock);
	return pool;
}

/* The file is closing: drop the registry's reference to every pool. */
void zcopy_pools_release(struct zcopy_ctx *ctx)
{
	struct zcopy_pool *pool;
	unsigned long id;

	lockdep_assert_held(&ctx->pool_lock);
	xa_for_each(&ctx->pools, id, pool) {
		xa_erase(&ctx->pools, id);
		WRITE_ONCE(pool->registered, false);
		zcopy_pool_put(pool);
	}
	ctx->nr_pools = 0;
}

/**
 * zcopy_pools_walk - visit every pool, resumably
 * @pos: in: how many pools to skip; out: how many were visited in all
 * @gen: out: the list's generation, to detect changes between walks
 * @fn: called for each pool under the list lock, with what a dump shows
 *	of it; non-zero stops the walk before that pool counts as visited
 * @arg: for @fn
 *
 * Return: what @fn returned last.
 */
int zcopy_pools_walk(unsigned long *pos, unsigned int *gen,
		     int (*fn)(const struct zcopy_pool_info *info, void *arg),
		     void *arg)
{
	struct zcopy_pool_info info;
	struct zcopy_pool *pool;
	unsigned long i = 0;
	int ret = 0;

	mutex_lock(&zcopy_pool_list_lock);
	*gen = zcopy_pool_list_gen;
	list_for_each_entry(pool, &zcopy_pool_list, node) {
		if (i++ < *pos)
			continue;
		zcopy_pool_info(pool, &info);
		ret = fn(&info, arg);
		if (ret)
			break;
		(*pos)++;
	}
	mutex_unlock(&zcopy_pool_list_lock);
	return ret;
}
