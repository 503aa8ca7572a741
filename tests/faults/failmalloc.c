/*
 * failmalloc: an LD_PRELOAD shim that makes one allocation fail, as SQLite's
 * fault injector does, to show that gmm meets every allocation failure with
 * a clean error and no crash.
 *
 *   GMM_FAILMALLOC=N    the N-th call (from 1) of malloc, calloc, realloc,
 *                       posix_memalign, aligned_alloc or memalign returns
 *                       NULL (ENOMEM); the calls before and after succeed
 *   GMM_FAILMALLOC_OWN=1
 *                       count (and fail) only the calls that gmm's own code
 *                       makes (the caller is the executable), never a
 *                       library's: for gmm plot, whose cairo and fontconfig
 *                       are not all safe when their allocations fail, and
 *                       whose own allocations must still be
 *   GMM_FAILMALLOC_COUNT=FILE
 *                       at exit, write to FILE the number of calls made
 *                       and the number of blocks gmm itself allocated (the
 *                       caller was the executable, not a library) and never
 *                       freed: "CALLS LIVE"
 *
 * Counting starts when main() starts (the shim wraps __libc_start_main() to
 * put itself between it and main), so the loader's and the libraries'
 * start-up allocations are left alone: their failures are not gmm's to
 * handle, and their order differs under valgrind.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <link.h>
#include <stdint.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void *(*next_malloc)(size_t);
static void *(*next_calloc)(size_t, size_t);
static void *(*next_realloc)(void *, size_t);
static int (*next_posix_memalign)(void **, size_t, size_t);
static void *(*next_aligned_alloc)(size_t, size_t);
static void *(*next_memalign)(size_t, size_t);

static int armed, resolving, own_only;

/* The executable's address range, and the live blocks it allocated: an
 * open-addressing set of pointers (a full set stops the count: "-1"). */
static uintptr_t exe_lo, exe_hi;
#define LIVE_SLOTS 65536
static void *live[LIVE_SLOTS];
static long nlive;
static int live_overflow;
#define TOMB ((void *)1)

static size_t
slot_of(const void *p)
{
	return ((uintptr_t)p >> 4) * 2654435761u % LIVE_SLOTS;
}

static void
live_add(void *p, const void *caller)
{
	size_t i = slot_of(p);

	if (!armed || p == NULL || (uintptr_t)caller < exe_lo ||
	    (uintptr_t)caller >= exe_hi)
		return;
	for (size_t n = 0; n < LIVE_SLOTS; n++, i = (i + 1) % LIVE_SLOTS) {
		if (live[i] == NULL || live[i] == TOMB) {
			live[i] = p;
			nlive++;
			return;
		}
	}
	live_overflow = 1;
}

static void
live_remove(const void *p)
{
	size_t i = slot_of(p);

	if (p == NULL || nlive == 0)
		return;
	for (size_t n = 0; n < LIVE_SLOTS && live[i] != NULL; n++,
	    i = (i + 1) % LIVE_SLOTS) {
		if (live[i] == p) {
			live[i] = TOMB;
			nlive--;
			return;
		}
	}
}

static int
find_exe(struct dl_phdr_info *info, size_t size, void *data)
{
	(void)size;
	(void)data;
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		uintptr_t lo = info->dlpi_addr + ph->p_vaddr;

		if (ph->p_type != PT_LOAD)
			continue;
		if (exe_lo == 0 || lo < exe_lo)
			exe_lo = lo;
		if (lo + ph->p_memsz > exe_hi)
			exe_hi = lo + ph->p_memsz;
	}
	return 1;	/* the first object is the executable */
}
static unsigned long calls, fail_at;

/* dlsym() may itself call calloc before next_calloc is known: serve such
 * early calls from a small static arena. */
static char arena[4096];
static size_t arena_used;

static int
in_arena(const void *p)
{
	return (const char *)p >= arena && (const char *)p < arena + sizeof arena;
}

static void *
arena_alloc(size_t n)
{
	void *p;

	n = (n + 15) & ~(size_t)15;
	if (n > sizeof arena - arena_used)
		return NULL;
	p = arena + arena_used;
	arena_used += n;
	return p;
}

static int
fail_now(const void *caller)
{
	if (!armed || (own_only && ((uintptr_t)caller < exe_lo ||
	    (uintptr_t)caller >= exe_hi)))
		return 0;
	calls++;
	return calls == fail_at;
}

static void
resolve(void)
{
	resolving = 1;
	next_malloc = dlsym(RTLD_NEXT, "malloc");
	next_calloc = dlsym(RTLD_NEXT, "calloc");
	next_realloc = dlsym(RTLD_NEXT, "realloc");
	next_posix_memalign = dlsym(RTLD_NEXT, "posix_memalign");
	next_aligned_alloc = dlsym(RTLD_NEXT, "aligned_alloc");
	next_memalign = dlsym(RTLD_NEXT, "memalign");
	resolving = 0;
}

__attribute__((constructor)) static void
init(void)
{
	const char *s = getenv("GMM_FAILMALLOC");

	if (next_malloc == NULL)
		resolve();
	fail_at = s != NULL ? strtoul(s, NULL, 10) : 0;
	own_only = getenv("GMM_FAILMALLOC_OWN") != NULL;
	dl_iterate_phdr(find_exe, NULL);
}

typedef int (*main_fn)(int, char **, char **);
static main_fn real_main;

static int
armed_main(int argc, char **argv, char **envp)
{
	armed = 1;
	return real_main(argc, argv, envp);
}

int
__libc_start_main(main_fn main, int argc, char **argv, void (*init)(void),
    void (*fini)(void), void (*rtld_fini)(void), void *stack_end)
{
	int (*next)(main_fn, int, char **, void (*)(void), void (*)(void),
	    void (*)(void), void *) = dlsym(RTLD_NEXT, "__libc_start_main");

	real_main = main;
	return next(armed_main, argc, argv, init, fini, rtld_fini, stack_end);
}

__attribute__((destructor)) static void
fini(void)
{
	const char *path = getenv("GMM_FAILMALLOC_COUNT");
	char buf[64];
	int fd, n;

	armed = 0;
	if (path == NULL || (fd = open(path, O_WRONLY | O_CREAT | O_TRUNC,
	    0644)) < 0)
		return;
	n = snprintf(buf, sizeof buf, "%lu %ld\n", calls,
	    live_overflow ? -1 : nlive);
	if (write(fd, buf, (size_t)n) != n)
		n = -1;
	close(fd);
}

/* Whether this call is the one to fail (errno set); resolves the real
 * functions on first use. */
static int
refused(const void *caller)
{
	if (next_malloc == NULL)
		resolve();
	if (!fail_now(caller))
		return 0;
	errno = ENOMEM;
	return 1;
}

void *
malloc(size_t n)
{
	void *p;

	if (resolving)
		return arena_alloc(n);
	if (refused(__builtin_return_address(0)))
		return NULL;
	p = next_malloc(n);
	live_add(p, __builtin_return_address(0));
	return p;
}

void *
calloc(size_t m, size_t n)
{
	void *p;

	if (resolving)
		return arena_alloc(m * n);	/* zeroed: static */
	if (refused(__builtin_return_address(0)))
		return NULL;
	p = next_calloc(m, n);
	live_add(p, __builtin_return_address(0));
	return p;
}

void *
realloc(void *p, size_t n)
{
	void *q;

	if (in_arena(p)) {
		q = malloc(n);
		if (q != NULL)
			memcpy(q, p, n < 64 ? n : 64);
		return q;
	}
	if (refused(__builtin_return_address(0)))
		return NULL;
	q = next_realloc(p, n);
	if (q != NULL && n > 0) {
		live_remove(p);
		live_add(q, __builtin_return_address(0));
	}
	return q;
}

void
free(void *p)
{
	static void (*next_free)(void *);

	if (in_arena(p))
		return;
	live_remove(p);
	if (next_free == NULL)
		next_free = dlsym(RTLD_NEXT, "free");
	next_free(p);
}

int
posix_memalign(void **out, size_t align, size_t n)
{
	if (refused(__builtin_return_address(0)))
		return ENOMEM;
	return next_posix_memalign(out, align, n);
}

void *
aligned_alloc(size_t align, size_t n)
{
	return refused(__builtin_return_address(0)) ? NULL : next_aligned_alloc(align, n);
}

void *
memalign(size_t align, size_t n)
{
	return refused(__builtin_return_address(0)) ? NULL : next_memalign(align, n);
}
