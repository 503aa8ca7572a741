#include "io/outfile.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define LINKS_MAX 40

/*
 * The descriptor a path names by its text: /dev/stdout, /dev/stderr,
 * /dev/stdin, /dev/fd/N, /proc/self/fd/N.  Their links lead to "pipe:[..]"
 * or to whatever file the descriptor has open, so they are never followed.
 */
static int
fd_path(const char *p, int *fd)
{
	static const char *const prefix[] = { "/dev/fd/", "/proc/self/fd/" };
	static const char *const std[] = { "/dev/stdin", "/dev/stdout",
		"/dev/stderr" };

	for (int i = 0; i < 3; i++) {
		if (strcmp(p, std[i]) == 0) {
			*fd = i;
			return 1;
		}
	}
	for (int i = 0; i < 2; i++) {
		size_t l = strlen(prefix[i]);
		const char *s = p + l;
		long v = 0;

		if (strncmp(p, prefix[i], l) != 0 || *s == '\0')
			continue;
		for (; *s >= '0' && *s <= '9' && v < 1000000; s++)
			v = v * 10 + (*s - '0');
		if (*s == '\0') {
			*fd = (int)v;
			return 1;
		}
	}
	return 0;
}

/* dir/name, or name alone when it is absolute; NULL when out of memory. */
static char *
join(const char *path, const char *name)
{
	char *dcopy, *dir, *r;
	size_t len;

	if (name[0] == '/')
		return strdup(name);
	dcopy = strdup(path);
	if (dcopy == NULL)
		return NULL;
	dir = dirname(dcopy);
	len = strlen(dir) + strlen(name) + 2;
	r = malloc(len);
	if (r != NULL)
		snprintf(r, len, "%s/%s", dir, name);
	free(dcopy);
	return r;
}

/* The text of link p in a new string; NULL with errno. */
static char *
read_link(const char *p, size_t size)
{
	char *buf = malloc(size + 1);
	ssize_t got;

	if (buf == NULL)
		return NULL;
	got = readlink(p, buf, size + 1);
	if (got < 0 || (size_t)got > size) {
		if (got >= 0)
			errno = ENAMETOOLONG;	/* it changed under us */
		free(buf);
		return NULL;
	}
	buf[got] = '\0';
	return buf;
}

/*
 * Follow the links from o->name: o->target set, or o->kind GMM_OUT_FD and
 * o->fd; *st is the target's lstat(), *exists 0 when there is none.
 */
static int
resolve(struct gmm_outfile *o, struct stat *st, int *exists,
    struct gmm_error *err)
{
	char *cur = strdup(o->name);

	*exists = 0;
	for (int i = 0; cur != NULL; i++) {
		char *text, *next;

		if (fd_path(cur, &o->fd)) {
			o->kind = GMM_OUT_FD;
			free(cur);
			return 0;
		}
		if (lstat(cur, st) < 0) {
			if (errno != ENOENT) {
				free(cur);
				return gmm_error_set(err, o->name, 0, "%s",
				    strerror(errno));
			}
			break;	/* a new file (or a missing directory) */
		}
		if (!S_ISLNK(st->st_mode)) {
			*exists = 1;
			break;
		}
		if (i == LINKS_MAX) {
			free(cur);
			return gmm_error_set(err, o->name, 0, "%s",
			    strerror(ELOOP));
		}
		text = read_link(cur, (size_t)st->st_size > 4096 ?
		    (size_t)st->st_size : 4096);
		if (text == NULL) {
			int e = errno;

			free(cur);
			return e == ENOMEM ? gmm_error_nomem(err) :
			    gmm_error_set(err, o->name, 0, "%s", strerror(e));
		}
		next = join(cur, text);
		free(text);
		free(cur);
		cur = next;
	}
	if (cur == NULL)
		return gmm_error_nomem(err);
	o->target = cur;
	return 0;
}

/* The directory that will hold target must exist and be writable. */
static int
check_dir(const struct gmm_outfile *o, struct gmm_error *err)
{
	char *dcopy = strdup(o->target);
	const char *dir;
	struct stat st;
	int ret = 0;

	if (dcopy == NULL)
		return gmm_error_nomem(err);
	dir = dirname(dcopy);
	if (stat(dir, &st) < 0)
		ret = gmm_error_set(err, o->name, 0, errno == ENOENT ?
		    "directory %s does not exist" : "directory %s: %s", dir,
		    strerror(errno));
	else if (!S_ISDIR(st.st_mode))
		ret = gmm_error_set(err, o->name, 0, "%s is not a directory",
		    dir);
	else if (access(dir, W_OK | X_OK) < 0)
		ret = gmm_error_set(err, o->name, 0,
		    "cannot write in directory %s: %s", dir, strerror(errno));
	free(dcopy);
	return ret;
}

/* The output must not be the input file: refuse to write over the data. */
static int
check_not_input(const struct gmm_outfile *o, const struct stat *out,
    const char *input, struct gmm_error *err)
{
	struct stat in;
	int r = strcmp(input, "-") == 0 ? fstat(STDIN_FILENO, &in) :
	    stat(input, &in);

	if (r == 0 && S_ISREG(in.st_mode) && in.st_dev == out->st_dev &&
	    in.st_ino == out->st_ino)
		return gmm_error_set(err, o->name, 0, "is the input file %s; "
		    "refusing to write over the data",
		    strcmp(input, "-") == 0 ? "(standard input)" : input);
	return 0;
}

int
gmm_outfile_prepare(struct gmm_outfile *o, const char *path,
    const char *input, struct gmm_error *err)
{
	struct stat st;
	int exists, fl;

	memset(o, 0, sizeof(*o));
	o->kind = GMM_OUT_ATOMIC;	/* resolve() may find a descriptor */
	o->fd = -1;
	o->name = strdup(strcmp(path, "-") == 0 ? "<stdout>" : path);
	if (o->name == NULL)
		return gmm_error_nomem(err);
	if (strcmp(path, "-") == 0) {
		o->kind = GMM_OUT_FD;
		o->fd = STDOUT_FILENO;
	} else if (resolve(o, &st, &exists, err) < 0) {
		return -1;
	}
	if (o->kind == GMM_OUT_FD) {
		fl = fcntl(o->fd, F_GETFL);
		if (fl < 0)
			return gmm_error_set(err, o->name, 0,
			    "descriptor %d is not open", o->fd);
		if ((fl & O_ACCMODE) == O_RDONLY)
			return gmm_error_set(err, o->name, 0,
			    "descriptor %d is not open for writing", o->fd);
		if (fstat(o->fd, &st) < 0)
			return gmm_error_set(err, o->name, 0, "%s",
			    strerror(errno));
		return input ? check_not_input(o, &st, input, err) : 0;
	}
	if (exists && S_ISDIR(st.st_mode))
		return gmm_error_set(err, o->name, 0, "is a directory");
	if (exists && S_ISSOCK(st.st_mode))
		return gmm_error_set(err, o->name, 0,
		    "is a socket; a model cannot be written to it");
	if (exists && !S_ISREG(st.st_mode)) {
		o->kind = GMM_OUT_IN_PLACE;
		if (access(o->target, W_OK) < 0)
			return gmm_error_set(err, o->name, 0, "%s",
			    strerror(errno));
		return 0;
	}
	o->kind = GMM_OUT_ATOMIC;
	if (exists && input && check_not_input(o, &st, input, err) < 0)
		return -1;
	return check_dir(o, err);
}

int
gmm_outfile_check_input(const struct gmm_outfile *o, const char *input,
    struct gmm_error *err)
{
	struct stat st;

	if (o->kind == GMM_OUT_FD ? fstat(o->fd, &st) != 0 :
	    stat(o->target, &st) != 0)
		return 0;	/* nothing there yet */
	return check_not_input(o, &st, input, err);
}

int
gmm_outfile_is_tty(const struct gmm_outfile *o)
{
	return o->kind == GMM_OUT_FD && isatty(o->fd);
}

int
gmm_outfile_is_stdout(const struct gmm_outfile *o)
{
	struct stat a, b;

	if (o->kind != GMM_OUT_FD)
		return 0;
	if (o->fd == STDOUT_FILENO)
		return 1;
	return fstat(o->fd, &a) == 0 && fstat(STDOUT_FILENO, &b) == 0 &&
	    a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

void
gmm_outfile_release(struct gmm_outfile *o)
{
	free(o->name);
	free(o->target);
	o->name = o->target = NULL;
}

static int
write_all(int fd, const unsigned char *buf, size_t len)
{
	while (len > 0) {
		ssize_t w = write(fd, buf, len);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		buf += w;
		len -= (size_t)w;
	}
	return 0;
}

/* buf into fd, flushed to the disk; -1 with errno on failure. */
static int
write_synced(int fd, const unsigned char *buf, size_t len)
{
	return write_all(fd, buf, len) < 0 || fsync(fd) < 0 ? -1 : 0;
}

/* Flush dir's entries (the rename) to the disk; best effort. */
static void
sync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
}

/*
 * The file being replaced, when there is one, lends the new one its
 * permission bits, then its owner and group where this process may set
 * them (an unprivileged user may not give a file away: that is no error).
 * The owner first: chown() clears set-user-ID bits.
 */
static int
keep_mode(int fd, const char *target)
{
	struct stat st;

	if (stat(target, &st) < 0 || !S_ISREG(st.st_mode))
		return 0;	/* a new file: umask decides, as for any */
	if (fchown(fd, st.st_uid, st.st_gid) < 0 && errno != EPERM)
		return -1;
	return fchmod(fd, st.st_mode & 07777);
}

/*
 * Give the unnamed file fd (O_TMPFILE) the name path: linked straight to
 * path when nothing is there, else linked to a temporary name in dir and
 * renamed over path.  Returns 0, or -1 with errno.
 */
static int
link_tmpfile(int fd, const char *dir, const char *path, char *tmp,
    size_t tmpsize)
{
	char proc[64];
	int e;

	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	if (linkat(AT_FDCWD, proc, AT_FDCWD, path, AT_SYMLINK_FOLLOW) == 0)
		return 0;
	if (errno != EEXIST)
		return -1;
	for (unsigned i = 0; ; i++) {
		snprintf(tmp, tmpsize, "%s/.gmm-model.%ld.%u", dir,
		    (long)getpid(), i);
		if (linkat(AT_FDCWD, proc, AT_FDCWD, tmp,
		    AT_SYMLINK_FOLLOW) == 0)
			break;
		if (errno != EEXIST || i == 1000)
			return -1;
	}
	if (rename(tmp, path) == 0)
		return 0;
	e = errno;
	unlink(tmp);
	errno = e;
	return -1;
}

/* The same through a named temporary file, where O_TMPFILE is missing. */
static int
write_named(const char *dir, const struct gmm_outfile *o,
    const unsigned char *buf, size_t len, char *tmp, size_t tmpsize,
    struct gmm_error *err)
{
	mode_t mask = umask(0);
	int fd, e;

	umask(mask);
	snprintf(tmp, tmpsize, "%s/.gmm-model.XXXXXX", dir);
	fd = mkstemp(tmp);
	if (fd < 0)
		return gmm_error_set(err, o->name, 0, "cannot create a file in "
		    "%s: %s", dir, strerror(errno));
	if (fchmod(fd, 0666 & ~mask) < 0 || keep_mode(fd, o->target) < 0 ||
	    write_synced(fd, buf, len) < 0) {
		e = errno;
		close(fd);
	} else if (close(fd) < 0 || rename(tmp, o->target) < 0) {
		e = errno;	/* fd is closed either way */
	} else {
		return 0;
	}
	unlink(tmp);
	return gmm_error_set(err, o->name, 0, "%s", strerror(e));
}

/*
 * Write buf to o->target so that it is, at every instant, the old file or
 * the complete new one.  The data go into an unnamed file in the target's
 * directory (O_TMPFILE), synced, then get a name by linkat() and rename();
 * a process killed before that leaves nothing behind.  (Only a kill between
 * the link to the temporary name and the rename, two system calls, can
 * leave a .gmm-model.* file; where O_TMPFILE is missing, a named temporary
 * file is used throughout.)
 */
static int
write_atomic(const struct gmm_outfile *o, const unsigned char *buf,
    size_t len, struct gmm_error *err)
{
	char *dcopy = strdup(o->target), *tmp = NULL;
	const char *dir;
	size_t tmpsize;
	int fd = -1, ret = -1;

	if (dcopy == NULL)
		return gmm_error_nomem(err);
	dir = dirname(dcopy);
	tmpsize = strlen(dir) + 64;
	tmp = malloc(tmpsize);
	if (tmp == NULL) {
		gmm_error_nomem(err);
		goto out;
	}
	fd = open(dir, O_TMPFILE | O_WRONLY | O_CLOEXEC, 0666);
	if (fd < 0 && (errno == EOPNOTSUPP || errno == EISDIR ||
	    errno == EINVAL)) {
		ret = write_named(dir, o, buf, len, tmp, tmpsize, err);
		goto out;
	}
	if (fd < 0) {
		gmm_error_set(err, o->name, 0, "cannot create a file in %s: %s",
		    dir, strerror(errno));
		goto out;
	}
	if (keep_mode(fd, o->target) < 0 || write_synced(fd, buf, len) < 0) {
		gmm_error_set(err, o->name, 0, "%s", strerror(errno));
		goto out;
	}
	if (link_tmpfile(fd, dir, o->target, tmp, tmpsize) < 0) {
		if (errno == ENOENT && access("/proc/self/fd", F_OK) < 0)
			ret = write_named(dir, o, buf, len, tmp, tmpsize,
			    err);	/* no /proc to link through */
		else
			gmm_error_set(err, o->name, 0, "%s", strerror(errno));
		goto out;
	}
	ret = 0;
out:
	if (fd >= 0)
		close(fd);	/* synced: nothing left to report */
	if (ret == 0)
		sync_dir(dir);
	free(tmp);
	free(dcopy);
	return ret;
}

/* An existing device or FIFO, written where it is. */
static int
write_in_place(const struct gmm_outfile *o, const unsigned char *buf,
    size_t len, struct gmm_error *err)
{
	int fd = open(o->target, O_WRONLY | O_NOCTTY | O_CLOEXEC);
	int e;

	if (fd < 0)
		return gmm_error_set(err, o->name, 0, "%s", strerror(errno));
	if (write_all(fd, buf, len) < 0) {
		e = errno;
		close(fd);
		return gmm_error_set(err, o->name, 0, "%s", strerror(e));
	}
	if (close(fd) < 0)
		return gmm_error_set(err, o->name, 0, "%s", strerror(errno));
	return 0;
}

int
gmm_outfile_write(const struct gmm_outfile *o, const unsigned char *buf,
    size_t len, struct gmm_error *err)
{
	switch (o->kind) {
	case GMM_OUT_FD:
		/* what stdio holds for the descriptor goes first */
		if (fflush(stdout) != 0 || write_all(o->fd, buf, len) < 0)
			return gmm_error_set(err, o->name, 0, "%s",
			    strerror(errno));
		return 0;
	case GMM_OUT_IN_PLACE:
		return write_in_place(o, buf, len, err);
	case GMM_OUT_ATOMIC:
		return write_atomic(o, buf, len, err);
	}
	GMM_BUG("unknown output kind");
}
