/*
 * outfile: what -o decides for each kind of path, and that writing never
 * replaces what the path points at (a link, a FIFO, a descriptor), keeps
 * a replaced file's mode, and refuses the input file and a missing
 * directory before any work.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "io/outfile.h"

static char dir[] = "/tmp/gmm-test-outfile-XXXXXX";

static const char *
at(const char *name)
{
	static char buf[4][512];
	static int i;

	i = (i + 1) % 4;
	snprintf(buf[i], sizeof(buf[i]), "%s/%s", dir, name);
	return buf[i];
}

/* The whole of path, or "" */
static const char *
slurp(const char *path)
{
	static char buf[256];
	int fd = open(path, O_RDONLY);
	ssize_t n = fd < 0 ? 0 : read(fd, buf, sizeof(buf) - 1);

	if (fd >= 0)
		close(fd);
	buf[n > 0 ? n : 0] = '\0';
	return buf;
}

static void
put(const char *path, const char *text, const char *input)
{
	struct gmm_outfile o;
	struct gmm_error err;

	CHECK(gmm_outfile_prepare(&o, path, input, &err) == 0 &&
	    gmm_outfile_write(&o, (const unsigned char *)text, strlen(text),
	    &err) == 0, "write %s: %s", path, err.msg);
	gmm_outfile_release(&o);
}

/* prepare must fail with a message holding want */
static void
refused(const char *path, const char *input, const char *want)
{
	struct gmm_outfile o;
	struct gmm_error err;
	int r = gmm_outfile_prepare(&o, path, input, &err);

	CHECK(r < 0 && strstr(err.msg, want) != NULL, "%s: got \"%s\", want "
	    "\"%s\"", path, r < 0 ? err.msg : "accepted", want);
	gmm_outfile_release(&o);
}

static enum gmm_outfile_kind
kind(const char *path)
{
	struct gmm_outfile o;
	struct gmm_error err;
	enum gmm_outfile_kind k = (enum gmm_outfile_kind)-1;

	if (gmm_outfile_prepare(&o, path, NULL, &err) == 0)
		k = o.kind;
	gmm_outfile_release(&o);
	return k;
}

static void
check_kinds(void)
{
	int p[2];
	char fdpath[64];
	struct stat st;

	CHECK(kind("-") == GMM_OUT_FD, "- is standard output");
	CHECK(kind("/dev/stdout") == GMM_OUT_FD, "/dev/stdout");
	CHECK(kind("/dev/null") == GMM_OUT_IN_PLACE, "/dev/null is a device");
	CHECK(kind(at("new.gmm")) == GMM_OUT_ATOMIC, "a new file");
	if (pipe(p) == 0) {
		snprintf(fdpath, sizeof(fdpath), "/dev/fd/%d", p[1]);
		put(fdpath, "through the pipe", NULL);
		CHECK(read(p[0], fdpath, 16) == 16 &&
		    memcmp(fdpath, "through the pipe", 16) == 0,
		    "a /dev/fd/N path writes to the descriptor");
		snprintf(fdpath, sizeof(fdpath), "/proc/self/fd/%d", p[0]);
		refused(fdpath, NULL, "not open for writing");
		close(p[0]);
		close(p[1]);
		refused(fdpath, NULL, "is not open");
	}
	/* links: followed to the target, which is replaced; the link stays */
	put(at("t.gmm"), "old", NULL);
	CHECK(symlink("t.gmm", at("l.gmm")) == 0, "symlink");
	CHECK(symlink("l.gmm", at("ll.gmm")) == 0, "symlink");
	put(at("ll.gmm"), "new", NULL);
	CHECK(strcmp(slurp(at("t.gmm")), "new") == 0 &&
	    lstat(at("l.gmm"), &st) == 0 && S_ISLNK(st.st_mode) &&
	    lstat(at("ll.gmm"), &st) == 0 && S_ISLNK(st.st_mode),
	    "a chain of links leads to the target, the links stay");
	CHECK(mkdir(at("sub"), 0777) == 0 &&
	    symlink("../t.gmm", at("sub/rel.gmm")) == 0, "relative link");
	put(at("sub/rel.gmm"), "rel", NULL);
	CHECK(strcmp(slurp(at("t.gmm")), "rel") == 0,
	    "a relative link is taken from its own directory");
	CHECK(symlink("made.gmm", at("dangling.gmm")) == 0, "symlink");
	put(at("dangling.gmm"), "made", NULL);
	CHECK(strcmp(slurp(at("made.gmm")), "made") == 0,
	    "a dangling link: its target is created");
	CHECK(symlink("loop.b", at("loop.a")) == 0 &&
	    symlink("loop.a", at("loop.b")) == 0, "loop");
	refused(at("loop.a"), NULL, "symbolic links");
	/* a FIFO is written in place, with a reader already there */
	CHECK(mkfifo(at("fifo"), 0600) == 0, "mkfifo");
	{
		int r = open(at("fifo"), O_RDONLY | O_NONBLOCK);
		char buf[16] = "";

		CHECK(kind(at("fifo")) == GMM_OUT_IN_PLACE, "a FIFO");
		put(at("fifo"), "fifo", NULL);
		CHECK(read(r, buf, sizeof(buf)) == 4 &&
		    memcmp(buf, "fifo", 4) == 0 && lstat(at("fifo"), &st) == 0
		    && S_ISFIFO(st.st_mode), "a FIFO is written, not replaced");
		close(r);
	}
}

static void
check_mode_and_refusals(void)
{
	struct stat st;

	put(at("m.gmm"), "one", NULL);
	CHECK(chmod(at("m.gmm"), 0640) == 0, "chmod");
	put(at("m.gmm"), "two", NULL);
	CHECK(stat(at("m.gmm"), &st) == 0 && (st.st_mode & 07777) == 0640 &&
	    strcmp(slurp(at("m.gmm")), "two") == 0,
	    "a replaced file keeps its mode: %o", st.st_mode & 07777);
	refused(dir, NULL, "is a directory");
	refused(at("missing/m.gmm"), NULL, "directory");
	refused(at("missing/m.gmm"), NULL, "does not exist");
	put(at("in.csv"), "x\n1\n", NULL);
	refused(at("in.csv"), at("in.csv"), "is the input file");
	refused(at("sub/../in.csv"), at("in.csv"), "is the input file");
	CHECK(symlink("in.csv", at("in.link")) == 0, "symlink");
	refused(at("in.link"), at("in.csv"), "is the input file");
	put(at("other.gmm"), "other", at("in.csv"));
	CHECK(strcmp(slurp(at("in.csv")), "x\n1\n") == 0,
	    "the input is never written");
}

int
main(void)
{
	if (mkdtemp(dir) == NULL)
		return 2;
	check_kinds();
	check_mode_and_refusals();
	{
		char cmd[600];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
		CHECK(system(cmd) == 0, "clean up");
	}
	return check_done("test_outfile");
}
