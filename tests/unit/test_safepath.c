/*
 * safepath: every rule, every refusal message and fix, and the swaps an
 * attacker would try between the check and the open.  Needs root (to chown);
 * each case builds its own tree under a fresh directory in /tmp.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "safepath.h"

#define DAEMON 4242	/* the daemon user: no passwd entry needed */
#define STRANGER 5555
#define GROUP 4343

enum op_kind { OP_DIR = 1, OP_FILE, OP_LINK, OP_HARD, OP_FIFO, OP_SOCK };

struct op {
	enum op_kind kind;
	const char *path;	/* under the case directory */
	uid_t uid;
	gid_t gid;
	mode_t mode;
	const char *target;	/* OP_LINK: link text ({C} expanded); OP_HARD: existing file */
};

struct spcase {
	const char *name;
	mode_t top;		/* mode of the case directory, 0: 0755 */
	struct op ops[8];
	const char *path;	/* {C} is the case directory */
	int lax;		/* enforce = 0 */
	int rootonly;		/* trust uid = -1 */
	enum safepath_status status;
	const char *content;	/* the file that must be open, NULL: none */
	const char *comp;	/* exact component */
	const char *reason[4];	/* substrings of reason */
	const char *fix;	/* substring of fix, NULL: fix must be empty */
};

#define F(p, u, g, m) { OP_FILE, p, u, g, m, NULL }
#define D(p, u, g, m) { OP_DIR, p, u, g, m, NULL }
#define L(p, t) { OP_LINK, p, 0, 0, 0, t }
#define DMS "docker-mailserver"
#define DMSKEY "{C}/" DMS "/opendkim/keys/example.com/mail.private"

static const struct spcase cases[] = {
	{ "daemon_owned_0600", 0, { F("k.key", DAEMON, DAEMON, 0600) },
	  "{C}/k.key", 0, 0, SAFEPATH_OK, "k.key", "{C}/k.key", { NULL }, NULL },
	{ "root_group_0640", 0, { F("k.key", 0, DAEMON, 0640) },
	  "{C}/k.key", 0, 0, SAFEPATH_OK, "k.key", "{C}/k.key", { NULL }, NULL },
	{ "world_readable_0644", 0, { F("k.key", 0, 0, 0644) },
	  "{C}/k.key", 0, 0, SAFEPATH_UNSAFE, NULL, "{C}/k.key",
	  { "file {C}/k.key is world-readable", "owner root:root, mode 0644",
	    "any local user could read the key" }, "chmod 640 {C}/k.key" },
	{ "file_group_writable", 0, { F("k.key", 0, GROUP, 0660) },
	  "{C}/k.key", 0, 0, SAFEPATH_UNSAFE, NULL, "{C}/k.key",
	  { "is group-writable", "root:4343, mode 0660",
	    "members of group 4343 could change it" }, "chmod 640 {C}/k.key" },
	{ "file_owned_by_stranger", 0, { F("k.key", STRANGER, STRANGER, 0600) },
	  "{C}/k.key", 0, 0, SAFEPATH_UNSAFE, NULL, "{C}/k.key",
	  { "owned by neither root nor the daemon user 4242",
	    "owner 5555:5555, mode 0600" }, "chown root {C}/k.key" },
	{ "root_only_trust", 0, { F("k.key", DAEMON, DAEMON, 0600) },
	  "{C}/k.key", 0, 1, SAFEPATH_UNSAFE, NULL, "{C}/k.key",
	  { "file {C}/k.key is not owned by root", "4242:4242" },
	  "chown root {C}/k.key" },
	{ "dir_group_writable", 0,
	  { D("d", 0, GROUP, 0775), F("d/k.key", 0, 0, 0600) },
	  "{C}/d/k.key", 0, 0, SAFEPATH_UNSAFE, NULL, "{C}/d",
	  { "directory {C}/d is group-writable", "owner root:4343, mode 0775",
	    "members of group 4343 could replace the key file {C}/d/k.key" },
	  "chmod 755 {C}/d" },
	{ "dir_group_writable_gid0", 0,
	  { D("d", 0, 0, 0775), F("d/k.key", 0, 0, 0600) },
	  "{C}/d/k.key", 0, 0, SAFEPATH_OK, "d/k.key", "{C}/d/k.key", { NULL }, NULL },
	{ "dir_owned_by_stranger", 0,
	  { D("d", STRANGER, STRANGER, 0755), F("d/k.key", 0, 0, 0600) },
	  "{C}/d/k.key", 0, 0, SAFEPATH_UNSAFE, NULL, "{C}/d",
	  { "directory {C}/d is owned by neither root nor the daemon user 4242",
	    "owner 5555:5555, mode 0755", "user 5555 could replace" },
	  "chown root {C}/d" },
	{ "dir_world_writable", 0,
	  { D("d", 0, 0, 0777), F("d/k.key", 0, 0, 0600) },
	  "{C}/d/k.key", 0, 0, SAFEPATH_UNSAFE, NULL, "{C}/d",
	  { "directory {C}/d is world-writable", "owner root:root, mode 0777",
	    "anyone could replace the key file {C}/d/k.key" }, "chmod 755 {C}/d" },
	{ "opendkim_under_sticky_tmp", 01777,
	  { D(DMS, 0, 0, 0755), D(DMS "/opendkim", 0, 0, 0755),
	    D(DMS "/opendkim/keys", 0, 0, 0755),
	    D(DMS "/opendkim/keys/example.com", 0, 0, 0755),
	    F(DMS "/opendkim/keys/example.com/mail.private", DAEMON, DAEMON, 0600) },
	  DMSKEY, 0, 0, SAFEPATH_OK, DMS "/opendkim/keys/example.com/mail.private",
	  DMSKEY, { NULL }, NULL },
	{ "opendkim_one_dir_0777", 01777,
	  { D(DMS, 0, 0, 0755), D(DMS "/opendkim", 0, 0, 0777),
	    D(DMS "/opendkim/keys", 0, 0, 0755),
	    D(DMS "/opendkim/keys/example.com", 0, 0, 0755),
	    F(DMS "/opendkim/keys/example.com/mail.private", DAEMON, DAEMON, 0600) },
	  DMSKEY, 0, 0, SAFEPATH_UNSAFE, NULL, "{C}/" DMS "/opendkim",
	  { "directory {C}/" DMS "/opendkim is world-writable", "mode 0777",
	    "anyone could replace the directory {C}/" DMS "/opendkim/keys" },
	  "chmod 755 {C}/" DMS "/opendkim" },
	{ "sticky_dir_entry_of_stranger", 01777,
	  { D("d", STRANGER, STRANGER, 0755), F("d/k.key", 0, 0, 0600) },
	  "{C}/d/k.key", 0, 0, SAFEPATH_UNSAFE, NULL, "{C}/d",
	  { "directory {C}/d in the sticky world-writable directory {C} is owned "
	    "by neither root nor the daemon user", "owner 5555:5555, mode 0755",
	    "its owner could replace it" }, "chown root {C}/d" },
	{ "sticky_dir_entry_of_daemon", 01777,
	  { D("d", DAEMON, DAEMON, 0755), F("d/k.key", 0, 0, 0600) },
	  "{C}/d/k.key", 0, 0, SAFEPATH_OK, "d/k.key", "{C}/d/k.key", { NULL }, NULL },
	{ "symlink_in_untrusted_dir", 0,
	  { D("d", 0, 0, 0777), F("k.key", 0, 0, 0600), L("d/l", "../k.key") },
	  "{C}/d/l", 0, 0, SAFEPATH_UNSAFE, NULL, "{C}/d",
	  { "directory {C}/d is world-writable", "mode 0777",
	    "could replace the symlink {C}/d/l" }, "chmod 755 {C}/d" },
	{ "symlink_of_stranger_in_sticky_dir", 01777,
	  { F("k.key", 0, 0, 0600), { OP_LINK, "l", STRANGER, STRANGER, 0, "k.key" } },
	  "{C}/l", 0, 0, SAFEPATH_UNSAFE, NULL, "{C}/l",
	  { "symlink {C}/l in the sticky world-writable directory {C}", "5555:5555" },
	  "chown -h root {C}/l" },
	{ "symlink_relative_trusted", 0,
	  { D("real", 0, 0, 0755), F("real/k.key", 0, 0, 0600), L("l", "real/k.key") },
	  "{C}/l", 0, 0, SAFEPATH_OK, "real/k.key", "{C}/real/k.key", { NULL }, NULL },
	{ "symlink_absolute_trusted", 0,
	  { D("real", 0, 0, 0755), F("real/k.key", 0, 0, 0600),
	    L("l", "{C}/real/k.key") },
	  "{C}/l", 0, 0, SAFEPATH_OK, "real/k.key", "{C}/real/k.key", { NULL }, NULL },
	{ "symlink_to_dir_with_dotdot", 0,
	  { D("real", 0, 0, 0755), F("real/k.key", 0, 0, 0600), D("sub", 0, 0, 0755),
	    L("sub/l", "../real") },
	  "{C}/sub/l/k.key", 0, 0, SAFEPATH_OK, "real/k.key", "{C}/real/k.key",
	  { NULL }, NULL },
	{ "symlink_to_unsafe_key", 0,
	  { D("real", 0, 0, 0755), F("real/k.key", 0, 0, 0604), L("l", "real/k.key") },
	  "{C}/l", 0, 0, SAFEPATH_UNSAFE, NULL, "{C}/real/k.key",
	  { "file {C}/real/k.key is world-readable", "mode 0604" },
	  "chmod 600 {C}/real/k.key" },
	{ "dotdot_is_physical", 0,
	  { D("real", 0, 0, 0755), F("real/k.key", 0, 0, 0600), D("sub", 0, 0, 0755),
	    L("sub/l", "../real"), F("k.key", 0, 0, 0600) },
	  "/../{C}/./sub/l/../k.key", 0, 0, SAFEPATH_OK, "k.key", "{C}/k.key",
	  { NULL }, NULL },
	{ "symlink_loop", 0, { L("a", "b"), L("b", "a") },
	  "{C}/a", 0, 0, SAFEPATH_ERROR, NULL, "{C}/a",
	  { "readlinkat({C}/a): Too many levels of symbolic links",
	    "more than 32 symbolic links" }, NULL },
	{ "two_hard_links", 0,
	  { F("k.key", 0, 0, 0600), { OP_HARD, "k2", 0, 0, 0, "k.key" } },
	  "{C}/k.key", 0, 0, SAFEPATH_UNSAFE, NULL, "{C}/k.key",
	  { "file {C}/k.key has 2 hard links", "its other names were not checked" },
	  "cp -p {C}/k.key {C}/k.key.new && mv {C}/k.key.new {C}/k.key" },
	{ "directory_instead_of_file", 0, { D("d", 0, 0, 0755) },
	  "{C}/d", 0, 0, SAFEPATH_ERROR, NULL, "{C}/d",
	  { "{C}/d is a directory, not a regular file", "mode 0755" },
	  "inside {C}/d" },
	{ "path_ends_in_dotdot", 0, { D("d", 0, 0, 0755) },
	  "{C}/d/..", 0, 0, SAFEPATH_ERROR, NULL, "{C}",
	  { "{C} is a directory, not a regular file" }, "inside {C}" },
	{ "missing_file", 0, { D("d", 0, 0, 0755) },
	  "{C}/d/none.key", 0, 0, SAFEPATH_ERROR, NULL, "{C}/d/none.key",
	  { "openat({C}/d/none.key): No such file or directory" }, NULL },
	{ "fifo_instead_of_file", 0, { { OP_FIFO, "k.key", 0, 0, 0600, NULL } },
	  "{C}/k.key", 1, 0, SAFEPATH_ERROR, NULL, "{C}/k.key",
	  { "{C}/k.key is a FIFO, not a regular file" }, "replace {C}/k.key" },
	{ "socket_instead_of_file", 0, { { OP_SOCK, "k.key", 0, 0, 0600, NULL } },
	  "{C}/k.key", 0, 0, SAFEPATH_ERROR, NULL, "{C}/k.key",
	  { "{C}/k.key is a socket, not a regular file" }, "replace {C}/k.key" },
	{ "file_used_as_directory", 0, { F("k.key", 0, 0, 0600) },
	  "{C}/k.key/x.key", 0, 0, SAFEPATH_ERROR, NULL, "{C}/k.key",
	  { "openat({C}/k.key): Not a directory" }, NULL },
	{ "not_enforced_file_still_opened", 0, { F("k.key", 0, 0, 0644) },
	  "{C}/k.key", 1, 0, SAFEPATH_UNSAFE, "k.key", "{C}/k.key",
	  { "file {C}/k.key is world-readable", "mode 0644" }, "chmod 640 {C}/k.key" },
	{ "not_enforced_first_violation_kept", 0,
	  { D("d", 0, 0, 0777), F("d/k.key", STRANGER, 0, 0666) },
	  "{C}/d/k.key", 1, 0, SAFEPATH_UNSAFE, "d/k.key", "{C}/d",
	  { "directory {C}/d is world-writable" }, "chmod 755 {C}/d" },
	{ "relative_path", 0, { { 0 } },
	  "keys/k.key", 0, 0, SAFEPATH_ERROR, NULL, "keys/k.key",
	  { "\"keys/k.key\" is relative", "must be absolute" }, "starting with /" },
};

#define NCASES (sizeof cases / sizeof cases[0])

static char topdir[] = "/tmp/test_safepath.XXXXXX";

/* tmpl with every {C} replaced by dir; returns buf. */
static const char *
expand(const char *tmpl, const char *dir, char *buf, size_t n)
{
	const char *s;
	size_t o = 0;

	for (s = tmpl; *s != '\0' && o + 1 < n; ) {
		if (strncmp(s, "{C}", 3) == 0) {
			o += (size_t)snprintf(buf + o, n - o, "%s", dir);
			s += 3;
		} else
			buf[o++] = *s++;
	}
	buf[o < n ? o : n - 1] = '\0';
	return buf;
}

static void
make_file(const char *p, const char *content)
{
	int fd = open(p, O_WRONLY | O_CREAT | O_EXCL, 0600);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, content, strlen(content)), (ssize_t)strlen(content));
	close(fd);
}

static void
make_sock(const char *p)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int s = socket(AF_UNIX, SOCK_STREAM, 0);

	assert_true(s >= 0);
	assert_true(strlen(p) < sizeof sa.sun_path);
	strcpy(sa.sun_path, p);
	assert_int_equal(bind(s, (struct sockaddr *)&sa, sizeof sa), 0);
	close(s);
}

static void
run_op(const struct op *op, const char *dir)
{
	char p[4096], t[4096], content[4200];

	snprintf(p, sizeof p, "%s/%s", dir, op->path);
	switch (op->kind) {
	case OP_DIR:
		assert_int_equal(mkdir(p, 0700), 0);
		break;
	case OP_FILE:
		snprintf(content, sizeof content, "secret:%s\n", op->path);
		make_file(p, content);
		break;
	case OP_LINK:
		assert_int_equal(symlink(expand(op->target, dir, t, sizeof t), p), 0);
		assert_int_equal(lchown(p, op->uid, op->gid), 0);
		return;
	case OP_HARD:
		snprintf(t, sizeof t, "%s/%s", dir, op->target);
		assert_int_equal(link(t, p), 0);
		return;
	case OP_FIFO:
		assert_int_equal(mkfifo(p, 0600), 0);
		break;
	case OP_SOCK:
		make_sock(p);
		break;
	}
	assert_int_equal(chown(p, op->uid, op->gid), 0);
	assert_int_equal(chmod(p, op->mode), 0);
}

/* A fresh directory for one case, owned by root, mode top (or 0755). */
static void
make_casedir(const char *name, mode_t top, char *dir, size_t n)
{
	snprintf(dir, n, "%s/%s", topdir, name);
	assert_int_equal(mkdir(dir, 0700), 0);
	assert_int_equal(chown(dir, 0, 0), 0);
	assert_int_equal(chmod(dir, top ? top : 0755), 0);
}

static void
assert_content(int fd, const char *rel)
{
	char want[4200], got[4200];
	ssize_t n;

	snprintf(want, sizeof want, "secret:%s\n", rel);
	n = pread(fd, got, sizeof got - 1, 0);
	assert_true(n >= 0);
	got[n] = '\0';
	assert_string_equal(got, want);
}

static void
assert_has(const char *hay, const char *tmpl, const char *dir)
{
	char needle[4096];

	expand(tmpl, dir, needle, sizeof needle);
	if (strstr(hay, needle) == NULL)
		fail_msg("\"%s\" not found in \"%s\"", needle, hay);
}

/* Open descriptors: as many after a walk as before, or it leaked one. */
static int
count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;

	assert_non_null(d);
	while (readdir(d) != NULL)
		n++;
	closedir(d);
	return n;
}

static void
test_case(void **state)
{
	const struct spcase *c = *state;
	struct safepath_trust trust = { .uid = DAEMON, .enforce = 1 };
	struct safepath_verdict v;
	char dir[1024], path[4096], comp[4096];
	int fd, nfds;

	if (geteuid() != 0)
		skip();
	make_casedir(c->name, c->top, dir, sizeof dir);
	nfds = count_fds();
	for (size_t i = 0; i < 8 && c->ops[i].kind != 0; i++)
		run_op(&c->ops[i], dir);
	trust.enforce = !c->lax;
	if (c->rootonly)
		trust.uid = (uid_t)-1;
	fd = safepath_open(expand(c->path, dir, path, sizeof path), &trust, &v);
	assert_int_equal(v.status, c->status);
	assert_string_equal(v.component, expand(c->comp, dir, comp, sizeof comp));
	for (size_t i = 0; i < 4 && c->reason[i] != NULL; i++)
		assert_has(v.reason, c->reason[i], dir);
	if (c->fix != NULL)
		assert_has(v.fix, c->fix, dir);
	else if (c->status == SAFEPATH_OK)
		assert_string_equal(v.reason, "");
	else
		assert_string_equal(v.fix, "");
	if (c->content == NULL)
		assert_int_equal(fd, -1);
	else {
		assert_true(fd >= 0);
		assert_content(fd, c->content);
		assert_int_equal(fcntl(fd, F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
		assert_int_equal(fcntl(fd, F_GETFL) & (O_ACCMODE | O_NONBLOCK),
		    O_RDONLY);
		close(fd);
	}
	assert_int_equal(count_fds(), nfds);
}

/* What the attacker does in the hook, once the named component is checked. */
enum swap {
	SWAP_DIR_SYMLINK, SWAP_DIR_UNSAFE, SWAP_FILE, SWAP_FILE_SYMLINK,
	SWAP_FILE_CHMOD		/* same inode, made world-readable */
};

struct attack {
	enum swap swap;
	const char *dir;
	char at[4096];		/* the checked component to strike after */
	int struck;
};

static void
attacker(const char *checked, void *arg)
{
	struct attack *a = arg;
	char p[4096], q[4096];

	if (strcmp(checked, a->at) != 0)
		return;
	a->struck++;
	if (a->swap == SWAP_FILE_CHMOD) {
		assert_int_equal(chmod(a->at, 0644), 0);
		return;
	}
	snprintf(p, sizeof p, "%s/moved", a->dir);
	assert_int_equal(rename(a->at, p), 0);
	snprintf(p, sizeof p, "%s/evil", a->dir);
	snprintf(q, sizeof q, "%s/evil/k.key", a->dir);
	if (a->swap == SWAP_DIR_SYMLINK)
		assert_int_equal(symlink(p, a->at), 0);
	else if (a->swap == SWAP_DIR_UNSAFE)
		assert_int_equal(rename(p, a->at), 0);
	else if (a->swap == SWAP_FILE)
		assert_int_equal(rename(q, a->at), 0);
	else
		assert_int_equal(symlink(q, a->at), 0);
}

/*
 * The attacker's tree: evil/ (0777) holding k.key (0666, "ATTACKER"); the
 * safe key is safe/k.key.  After the walk has checked a->at, the hook swaps
 * it; whatever comes back must never be the attacker's file.
 */
static void
toctou(enum swap swap, const char *name, const char *at, int enforce)
{
	struct attack a = { .swap = swap };
	struct safepath_trust trust = { .uid = DAEMON, .enforce = enforce,
	    .after_check = attacker, .hook_arg = &a };
	struct safepath_verdict v;
	char dir[1024], p[4096];
	int fd;

	if (geteuid() != 0)
		skip();
	make_casedir(name, 0, dir, sizeof dir);
	a.dir = dir;
	run_op(&(struct op){ OP_DIR, "safe", 0, 0, 0755, NULL }, dir);
	run_op(&(struct op){ OP_FILE, "safe/k.key", 0, 0, 0600, NULL }, dir);
	run_op(&(struct op){ OP_DIR, "evil", STRANGER, STRANGER, 0777, NULL }, dir);
	snprintf(p, sizeof p, "%s/evil/k.key", dir);
	make_file(p, "ATTACKER\n");
	assert_int_equal(chmod(p, 0666), 0);
	snprintf(a.at, sizeof a.at, "%s/%s", dir, at);
	snprintf(p, sizeof p, "%s/safe/k.key", dir);
	fd = safepath_open(p, &trust, &v);
	assert_int_equal(a.struck, 1);
	if (swap == SWAP_DIR_SYMLINK || swap == SWAP_DIR_UNSAFE) {
		/* The walk goes on from the descriptor it checked. */
		assert_int_equal(v.status, SAFEPATH_OK);
		assert_true(fd >= 0);
		assert_content(fd, "safe/k.key");
		close(fd);
		return;
	}
	assert_int_equal(fd, -1);
	assert_string_equal(v.component, p);
	if (swap == SWAP_FILE_CHMOD) {
		/* The rules hold on what was opened, not only on what was seen. */
		assert_int_equal(v.status, SAFEPATH_UNSAFE);
		assert_has(v.reason, "{C}/safe/k.key is world-readable", dir);
		return;
	}
	/* The file was swapped after its check: refused, even when lax. */
	assert_int_equal(v.status, SAFEPATH_ERROR);
	assert_has(v.reason, swap == SWAP_FILE ? "{C}/safe/k.key was replaced "
	    "between its check and its opening" :
	    "openat({C}/safe/k.key): Too many levels of symbolic links", dir);
}

static void
test_toctou_dir_to_symlink(void **state)
{
	toctou(SWAP_DIR_SYMLINK, "toctou_dir_symlink", "safe", 1);
}

static void
test_toctou_dir_to_unsafe_dir(void **state)
{
	toctou(SWAP_DIR_UNSAFE, "toctou_dir_unsafe", "safe", 1);
}

static void
test_toctou_file_swapped(void **state)
{
	toctou(SWAP_FILE, "toctou_file", "safe/k.key", 1);
	toctou(SWAP_FILE, "toctou_file_lax", "safe/k.key", 0);
}

static void
test_toctou_file_to_symlink(void **state)
{
	toctou(SWAP_FILE_SYMLINK, "toctou_file_symlink", "safe/k.key", 1);
	toctou(SWAP_FILE_SYMLINK, "toctou_file_symlink_lax", "safe/k.key", 0);
}

static void
test_toctou_file_chmod(void **state)
{
	toctou(SWAP_FILE_CHMOD, "toctou_file_chmod", "safe/k.key", 1);
}

/* l1 -> l2 -> ... -> ln -> k.key: n links are followed, n + 1 are not. */
static int
link_chain(const char *name, int n, struct safepath_verdict *v)
{
	struct safepath_trust trust = { .uid = DAEMON, .enforce = 1 };
	char dir[1024], p[2048], t[64];
	int fd;

	make_casedir(name, 0, dir, sizeof dir);
	run_op(&(struct op){ OP_FILE, "k.key", 0, 0, 0600, NULL }, dir);
	for (int i = 1; i <= n; i++) {
		snprintf(p, sizeof p, "%s/l%d", dir, i);
		if (i == n)
			snprintf(t, sizeof t, "k.key");
		else
			snprintf(t, sizeof t, "l%d", i + 1);
		assert_int_equal(symlink(t, p), 0);
	}
	snprintf(p, sizeof p, "%s/l1", dir);
	fd = safepath_open(p, &trust, v);
	if (fd >= 0)
		assert_content(fd, "k.key");
	return fd;
}

static void
test_link_limit(void **state)
{
	struct safepath_verdict v;
	int fd;

	if (geteuid() != 0)
		skip();
	fd = link_chain("chain32", 32, &v);
	assert_int_equal(v.status, SAFEPATH_OK);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(link_chain("chain33", 33, &v), -1);
	assert_int_equal(v.status, SAFEPATH_ERROR);
	assert_has(v.reason, "Too many levels of symbolic links", "");
	assert_has(v.component, "/chain33/l33", "");
}

static void
test_describe(void **state)
{
	struct safepath_verdict v;
	char buf[64];

	memset(&v, 0, sizeof v);
	v.status = SAFEPATH_UNSAFE;
	strcpy(v.reason, "directory /k is world-writable");
	strcpy(v.fix, "chmod 755 /k");
	assert_string_equal(safepath_describe(&v, buf, sizeof buf),
	    "directory /k is world-writable (fix: chmod 755 /k)");
	v.fix[0] = '\0';
	assert_string_equal(safepath_describe(&v, buf, sizeof buf),
	    "directory /k is world-writable");
	v.status = SAFEPATH_OK;
	strcpy(v.component, "/etc/k.key");
	assert_string_equal(safepath_describe(&v, buf, sizeof buf),
	    "/etc/k.key: safe");
	assert_string_equal(safepath_describe(&v, buf, 5), "/etc");
}

static int
rm_entry(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(p);
}

static int
group_setup(void **state)
{
	if (mkdtemp(topdir) == NULL)
		return -1;
	return chmod(topdir, 0755);
}

static int
group_teardown(void **state)
{
	return nftw(topdir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

int
main(void)
{
	static const struct CMUnitTest fixed[] = {
		cmocka_unit_test(test_toctou_dir_to_symlink),
		cmocka_unit_test(test_toctou_dir_to_unsafe_dir),
		cmocka_unit_test(test_toctou_file_swapped),
		cmocka_unit_test(test_toctou_file_to_symlink),
		cmocka_unit_test(test_toctou_file_chmod),
		cmocka_unit_test(test_link_limit),
		cmocka_unit_test(test_describe),
	};
	struct CMUnitTest tests[NCASES + sizeof fixed / sizeof fixed[0]];
	size_t i;

	for (i = 0; i < NCASES; i++) {
		memset(&tests[i], 0, sizeof tests[i]);
		tests[i].name = cases[i].name;
		tests[i].test_func = test_case;
		tests[i].initial_state = (void *)&cases[i];
	}
	for (size_t j = 0; j < sizeof fixed / sizeof fixed[0]; j++)
		tests[i + j] = fixed[j];
	return _cmocka_run_group_tests("safepath", tests,
	    sizeof tests / sizeof tests[0], group_setup, group_teardown);
}
