/* queue: a message written with qw_* reads back with qenv_read; state
 * round-trips; cleanup removes only what it should. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <utime.h>

#include "conf.h"
#include "queue.h"
#include "result.h"
#include "../tap.h"

static char dir[] = "/tmp/postel-queue.XXXXXX";

/* names in queue/tmp */
static int
tmp_names(void)
{
	char p[300];
	struct dirent *de;
	DIR *d;
	int n = 0;

	snprintf(p, sizeof p, "%s/queue/tmp", dir);
	if ((d = opendir(p)) == NULL)
		return -1;
	while ((de = readdir(d)) != NULL)
		n += de->d_name[0] != '.';
	closedir(d);
	return n;
}

/* flags reserved with QF_LATER, then changed (or not) before commit */
static void
later(int qd, unsigned first, unsigned final, const char *what)
{
	char p[300];
	char *rc[] = { "b@example.net" };
	struct qw w;
	struct qenv e;
	const char *why;
	char body[16];
	int fd, good;

	good = qw_begin(&w, qd, 0) == 0 &&
	    qw_envelope(&w, "", rc, 1, first | QF_LATER, "test") == 0 &&
	    qw_write(&w, "x\n", 2) == 0;
	if (good) {
		qw_flags(&w, final);
		good = qw_commit(&w) == 0;
	}
	snprintf(p, sizeof p, "new/%s", w.id);
	fd = good ? openat(qd, p, O_RDONLY) : -1;
	good = fd != -1 && qenv_read(fd, &e, &why) == 0;
	ok(good && e.flags == final && read(fd, body, sizeof body) == 2 &&
	    memcmp(body, "x\n", 2) == 0, what);
	if (good)
		qenv_free(&e);
	if (fd != -1)
		close(fd);
}

/* a hand-made envelope: 0 if qenv_read takes it, 1 if it refuses it
 * with EINVAL, 2 otherwise */
static int
refused(const char *env)
{
	char p[300];
	struct qenv e;
	const char *why;
	int fd, r;

	snprintf(p, sizeof p, "%s/hand", dir);
	if ((fd = open(p, O_RDWR | O_CREAT | O_TRUNC, 0600)) == -1 ||
	    write(fd, env, strlen(env)) != (ssize_t)strlen(env))
		return 0;
	r = qenv_read(fd, &e, &why);
	if (r == 0)
		qenv_free(&e);
	close(fd);
	unlink(p);
	return r == 0 ? 0 : r == -1 && errno == EINVAL ? 1 : 2;
}

/* the auth line: one word of printable ASCII, read back whole */
static void
auth_line(int qd)
{
	char p[300], body[16];
	char *rc[] = { "b@example.net" };
	const char *why;
	struct qenv e;
	struct qw w;
	int fd = -1, good;

	good = qw_begin(&w, qd, 0) == 0 && qw_envelope_auth(&w,
	    "a@example.org", rc, 1, QF_LATER, "smtpd 192.0.2.1",
	    "al ice\x01") == 0 && qw_write(&w, "x\n", 2) == 0 &&
	    qw_commit(&w) == 0;
	snprintf(p, sizeof p, "new/%s", w.id);
	good = good && (fd = openat(qd, p, O_RDONLY)) != -1 &&
	    qenv_read(fd, &e, &why) == 0;
	ok(good && strcmp(e.auth, "al?ice?") == 0 &&
	    strcmp(e.origin, "smtpd 192.0.2.1") == 0 &&
	    read(fd, body, sizeof body) == 2, "the auth line round-trips, "
	    "blanks and controls made ?");
	if (good)
		qenv_free(&e);
	if (fd != -1)
		close(fd);
}

/* per-recipient DSN requests: written, read back, defaults */
static void
rdsn(int qd)
{
	char p[300], v[QUEUE_ORCPT_MAX + 2];
	char *rc[] = { "b@example.net", "c@example.net", "d@example.net" };
	struct qrdsn r[3];
	struct qdsn d = { QN_FAILURE, QR_UNSET, "" };
	struct qextra x = { &d, r, "al" };
	const char *why;
	struct qenv e;
	struct qw w;
	int fd = -1, good;

	memset(r, 0, sizeof r);
	r[0].notify = QN_NEVER;
	snprintf(r[0].orcpt, sizeof r[0].orcpt, "rfc822;B+2Bx@example.net");
	r[2].notify = QN_SUCCESS | QN_FAILURE;
	good = qw_begin(&w, qd, 0) == 0 && qw_envelope_x(&w, "a@example.org",
	    rc, 3, 0, "smtpd 192.0.2.1", &x) == 0 &&
	    qw_write(&w, "x\n", 2) == 0 && qw_commit(&w) == 0;
	snprintf(p, sizeof p, "new/%s", w.id);
	good = good && (fd = openat(qd, p, O_RDONLY)) != -1 &&
	    qenv_read(fd, &e, &why) == 0;
	ok(good && qenv_notify(&e, 0) == QN_NEVER &&
	    qenv_notify(&e, 1) == QN_FAILURE &&
	    qenv_notify(&e, 2) == (QN_SUCCESS | QN_FAILURE) &&
	    strcmp(qenv_orcpt(&e, 0), r[0].orcpt) == 0 &&
	    strcmp(qenv_orcpt(&e, 1), "") == 0 &&
	    strcmp(qenv_orcpt(&e, 7), "") == 0 && qenv_notify(&e, 7) ==
	    QN_FAILURE && strcmp(e.auth, "al") == 0,
	    "per-recipient DSN requests round-trip, the message's as default");
	if (good)
		qenv_free(&e);
	if (fd != -1)
		close(fd);
	ok(qdsn_orcpt_ok("rfc822;a@b") && qdsn_orcpt_ok("utf-8;a+2Bb") &&
	    !qdsn_orcpt_ok("rfc822") && !qdsn_orcpt_ok(";a@b") &&
	    !qdsn_orcpt_ok("rfc822;") && !qdsn_orcpt_ok("rfc 822;a") &&
	    !qdsn_orcpt_ok("rfc822;a b") && !qdsn_orcpt_ok("rfc822;a=b"),
	    "orcpt: addr-type ; xtext");
	memset(v, 'a', sizeof v);
	memcpy(v, "rfc822;", 7);
	v[QUEUE_ORCPT_MAX] = '\0';
	ok(qdsn_orcpt_ok(v), "orcpt: 500 bytes taken");
	v[QUEUE_ORCPT_MAX] = 'a';
	v[QUEUE_ORCPT_MAX + 1] = '\0';
	ok(!qdsn_orcpt_ok(v), "orcpt: 501 bytes refused");
	ok(qdsn_xtext_decode(v, sizeof v, "B+2Bx+3D+20y") == 0 &&
	    strcmp(v, "B+x= y") == 0 && qdsn_xtext_decode(v, sizeof v,
	    "a+0A") == -1 && qdsn_xtext_decode(v, 3, "abc") == -1 &&
	    qdsn_xtext_decode(v, sizeof v, "a+2") == -1,
	    "xtext decoding: printable only, bounded");
	ok(qdsn_xtext_encode(v, sizeof v, "B+x= y") == 0 &&
	    strcmp(v, "B+2Bx+3D+20y") == 0 &&
	    qdsn_xtext_encode(v, 4, "a+b") == -1, "xtext encoding, bounded");
	{
		struct qrdsn q;
		size_t n = 0;
		char out[QUEUE_ORCPT_MAX + 64];
		ok(qrdsn_parse("3 notify=Success,FAILURE orcpt=rfc822;a+2Bb@c",
		    &n, &q) == 0 && n == 3 && q.notify == (QN_SUCCESS |
		    QN_FAILURE) && strcmp(q.orcpt, "rfc822;a+2Bb@c") == 0 &&
		    qrdsn_fmt(out, sizeof out, n, &q) > 0 && strcmp(out,
		    "3 notify=success,failure orcpt=rfc822;a+2Bb@c") == 0,
		    "qrdsn_parse and qrdsn_fmt agree");
		ok(qrdsn_parse("1 orcpt=rfc822;x", &n, &q) == 0 &&
		    q.notify == 0 && qrdsn_parse("0 notify=never", &n, &q) == -1 &&
		    qrdsn_parse("1", &n, &q) == -1 &&
		    qrdsn_parse("1 notify=never notify=never", &n, &q) == -1 &&
		    qrdsn_parse("1 notify=never,success", &n, &q) == -1 &&
		    qrdsn_parse("1 orcpt=rfc822;a b", &n, &q) == -1 &&
		    qrdsn_parse("1  notify=never", &n, &q) == -1 &&
		    qrdsn_parse("1 ret=full", &n, &q) == -1 &&
		    qrdsn_parse("x notify=never", &n, &q) == -1,
		    "qrdsn_parse is strict");
	}
	ok(refused("postel 1\narrival 5\nfrom <a@b>\nrcpt <c@d>\n"
	    "dsn 1 notify=sometimes orcpt=x\ndsn 2 notify=never\n"
	    "dsn x\ndsn 0 notify=never\n\nx\n") == 0,
	    "bad dsn lines do not stop a message");
}

int
main(void)
{
	char p[300], body[64];
	char *rc[] = { "b@example.net", "c@example.net" };
	struct qw w;
	struct qenv e;
	struct qstate st[2], st2[2];
	const char *why;
	long long warned;
	int qd, fd;
	ssize_t n;
	static const char *const subs[] = { "queue", "queue/tmp", "queue/new",
	    "queue/cur", "queue/state" };
	size_t i;

	plan(64);
	if (mkdtemp(dir) == NULL)
		return 1;
	for (i = 0; i < 5; i++) {
		snprintf(p, sizeof p, "%s/%s", dir, subs[i]);
		mkdir(p, 0750);
	}
	setenv("POSTEL_ROOT", dir, 1);
	qd = queue_dir();
	ok(qd != -1, "opens the queue");
	ok(qw_begin(&w, qd, 10) == 0, "begins");
	ok(qw_envelope(&w, "a@example.org", rc, 2, QF_UTF8, "test") == 0,
	    "envelope");
	ok(qw_write(&w, "hello\n", 6) == 0, "writes");
	ok(tmp_names() == 0, "no name in queue/tmp while writing (O_TMPFILE)");
	ok(qw_write(&w, "12345", 5) == -1, "max-size enforced");
	ok(qw_commit(&w) == 0, "commits");
	snprintf(p, sizeof p, "new/%s", w.id);
	fd = openat(qd, p, O_RDONLY);
	ok(fd != -1 && qenv_read(fd, &e, &why) == 0, "reads the envelope");
	ok(strcmp(e.from, "a@example.org") == 0 && e.nrcpt == 2 &&
	    strcmp(e.rcpt[1], "c@example.net") == 0 && (e.flags & QF_UTF8),
	    "envelope round-trips");
	n = read(fd, body, sizeof body);
	ok(n == 6 && memcmp(body, "hello\n", 6) == 0, "fd left at the message");
	close(fd);
	ok(e.auth[0] == '\0', "no auth line: no authenticated user");
	auth_line(qd);
	later(qd, 0, QF_8BIT, "reserved flags: none, then 8bit");
	later(qd, QF_UTF8, QF_UTF8 | QF_8BIT, "reserved flags: utf8, then both");
	later(qd, QF_8BIT, QF_8BIT, "reserved flags: 8bit, unchanged");
	later(qd, 0, 0, "reserved flags: none at all");
	later(qd, QF_REQUIRETLS, QF_REQUIRETLS | QF_UTF8 | QF_8BIT,
	    "reserved flags: requiretls, then utf8 and 8bit too");
	later(qd, QF_REQUIRETLS | QF_8BIT, QF_REQUIRETLS,
	    "reserved flags: requiretls kept when 8bit goes");
	ok(refused("postel 1\narrival 5\nfrom <a@b>\nrcpt <c@d>\n"
	    "flags requiretls\n\nx\n") == 0, "a requiretls flags line reads");
	ok(qstate_read(qd, w.id, st, 2, &warned, NULL, &why) == 0 &&
	    st[0].status == QS_TODO && st[1].attempts == 0,
	    "no state file: all todo");
	st[0].status = QS_OK;
	st[1].attempts = 3;
	st[1].next = 12345;
	snprintf(st[1].dsn, sizeof st[1].dsn, "4.4.1");
	snprintf(st[1].text, sizeof st[1].text, "refused\nby peer");
	ok(qstate_write(qd, w.id, st, 2, 99, 0) == 0 &&
	    qstate_read(qd, w.id, st2, 2, &warned, NULL, &why) == 0 &&
	    st2[0].status == QS_OK && st2[1].attempts == 3 &&
	    st2[1].next == 12345 && strcmp(st2[1].dsn, "4.4.1") == 0 &&
	    strcmp(st2[1].text, "refused?by peer") == 0 && warned == 99,
	    "state round-trips, text kept on one line");
	st[0].notice = ACTION_RELAYED;
	st[1].notice = ACTION_DELIVERED;       /* not ok: no notice owed */
	ok(qstate_write(qd, w.id, st, 2, 0, 0) == 0 &&
	    qstate_read(qd, w.id, st2, 2, &warned, NULL, &why) == 0 &&
	    st2[0].notice == ACTION_RELAYED && st2[1].notice == ACTION_NONE,
	    "an owed success notice round-trips");
	{
		char sp[300], head[32];
		int sfd;
		snprintf(sp, sizeof sp, "state/%s", w.id);
		sfd = openat(qd, sp, O_RDONLY);
		ok(sfd != -1 && read(sfd, head, 15) == 15 &&
		    memcmp(head, "postel-state 2\n", 15) == 0,
		    "a state with a notice owed is version 2");
		if (sfd != -1)
			close(sfd);
	}
	st[0].notice = st[1].notice = ACTION_NONE;
	/* cleanup: old tmp goes, fresh tmp stays, orphan state goes */
	snprintf(p, sizeof p, "%s/queue/tmp/old", dir);
	close(open(p, O_CREAT | O_WRONLY, 0600));
	{
		struct utimbuf ut = { 1000, 1000 };
		utime(p, &ut);
	}
	snprintf(p, sizeof p, "%s/queue/tmp/fresh", dir);
	close(open(p, O_CREAT | O_WRONLY, 0600));
	snprintf(p, sizeof p, "%s/queue/state/999.1.1", dir);
	close(open(p, O_CREAT | O_WRONLY, 0600));
	snprintf(p, sizeof p, "%s/queue/hold", dir);
	mkdir(p, 0750);
	snprintf(p, sizeof p, "%s/queue/hold/999.2.2", dir);
	close(open(p, O_CREAT | O_WRONLY, 0600));
	snprintf(p, sizeof p, "%s/queue/hold/%s", dir, w.id);
	close(open(p, O_CREAT | O_WRONLY, 0600));
	ok(queue_clean(qd, 3600) == 3,
	    "removes old tmp, orphan state and an orphan hold marker");
	ok(access(p, F_OK) == 0, "keeps the hold marker of a live message");
	snprintf(p, sizeof p, "%s/queue/tmp/fresh", dir);
	ok(access(p, F_OK) == 0, "keeps a fresh tmp file");
	snprintf(p, sizeof p, "%s/queue/state/%s", dir, w.id);
	ok(access(p, F_OK) == 0, "keeps the state of a live message");
	ok(refused("postel 1\narrival 5\nfrom <a@b>\nrcpt <c@d>\nnew <x>\n\nx\n") == 0,
	    "an unknown keyword is ignored");
	ok(refused("postel 1\narrival 5\nfrom <a@b>\nrcpt <c@d>\nrcpt z@e\n\nx\n") == 1,
	    "a rcpt line without <> is refused, not dropped");
	ok(refused("postel 1\narrival 5\nfrom <a@b\nrcpt <c@d>\n\nx\n") == 1,
	    "a broken from line is refused, not taken for <>");
	ok(refused("postel 1\narrival 5\nrcpt <c@d>\n\nx\n") == 1, "no from line");
	ok(refused("postel 1\narrival 5\nfrom <a@b>\nfrom <>\nrcpt <c@d>\n\nx\n") == 1,
	    "two from lines");
	ok(refused("postel 1\narrival soon\nfrom <a@b>\nrcpt <c@d>\n\nx\n") == 1 &&
	    refused("postel 1\nfrom <a@b>\nrcpt <c@d>\n\nx\n") == 1,
	    "a bad or missing arrival line");
	qenv_free(&e);
	{
		struct qdsn d = { 0, QR_HDRS, "" };
		unsigned nv = 0;
		char v[64];
		ok(qdsn_notify_parse("Delay,success", &d.notify) == 0 &&
		    qdsn_notify_fmt(v, sizeof v, d.notify) == 0 &&
		    strcmp(v, "success,delay") == 0, "notify: any case, fixed order");
		ok(qdsn_notify_parse("never,success", &nv) == -1 &&
		    qdsn_notify_parse("success,", &nv) == -1 &&
		    qdsn_notify_parse("", &nv) == -1, "notify: never alone, no empty word");
		ok(qdsn_envid_encode(d.envid, sizeof d.envid, "a b+c=d") == 0 &&
		    strcmp(d.envid, "a+20b+2Bc+3Dd") == 0 && qdsn_envid_ok(d.envid),
		    "envid: xtext encoding");
		ok(!qdsn_envid_ok("a+0Db") && !qdsn_orcpt_ok("rfc822;x+0A+0D@y") &&
	    !qdsn_envid_ok("a+7F") && qdsn_envid_ok("a+7E+20"),
	    "xtext must decode to printable ASCII (RFC 3461 4.2, 4.4)");
	ok(!qdsn_envid_ok("a+2g") && !qdsn_envid_ok("a=b") &&
		    !qdsn_envid_ok("") && qdsn_envid_encode(v, sizeof v, "\x01") == -1,
		    "envid: bad xtext refused");
		ok(qw_begin(&w, qd, 0) == 0 &&
		    qw_envelope_dsn(&w, "", rc, 1, 0, "t", &d) == 0 &&
		    qw_write(&w, "x\n", 2) == 0 && qw_commit(&w) == 0,
		    "envelope with DSN requests written");
		snprintf(p, sizeof p, "new/%s", w.id);
		fd = openat(qd, p, O_RDONLY);
		ok(fd != -1 && qenv_read(fd, &e, &why) == 0 &&
		    e.dsn.notify == (QN_SUCCESS | QN_DELAY) &&
		    e.dsn.ret == QR_HDRS && strcmp(e.dsn.envid, d.envid) == 0,
		    "DSN requests round-trip");
		close(fd);
		qenv_free(&e);
		ok(refused("postel 1\narrival 5\nfrom <a@b>\nrcpt <c@d>\nnotify sometimes\nret x\nenvid a b\n\nx\n") == 0,
		    "bad DSN values do not stop a message");
		rdsn(qd);
	}
	{
		/* the steps of postel-queue(5) as lib/queue offers them */
		struct qscan sc;
		const char *nm;
		char id1[QUEUE_ID_MAX], id2[QUEUE_ID_MAX];
		enum qdir where = QDIR_TMP;
		char got[8];
		int seen = 0, junk = 0, r;

		ok(qw_begin(&w, qd, 0) == 0 &&
		    qw_envelope(&w, "a@b", rc, 1, 0, "t") == 0 &&
		    qw_write(&w, "body\n", 5) == 0 && qw_commit(&w) == 0,
		    "a message for the steps");
		snprintf(id1, sizeof id1, "%s", w.id);
		ok(qscan_open(&sc, qd, QDIR_NEW) == 0, "qscan opens new/");
		fd = openat(qd, "new/.junk", O_WRONLY | O_CREAT, 0600);
		close(fd);
		while ((nm = qscan_next(&sc)) != NULL) {
			seen += strcmp(nm, id1) == 0;
			junk += nm[0] == '.';
		}
		ok(qscan_close(&sc) == 0 && seen == 1 && junk == 0,
		    "qscan lists the message, not dot files");
		unlinkat(qd, "new/.junk", 0);
		ok(queue_where(qd, id1) == QDIR_NEW && queue_has(qd, id1) == 0,
		    "queue_where finds it in new/");
		ok(queue_take(qd, id1) == 0 && queue_commit(qd) == 0 &&
		    queue_where(qd, id1) == QDIR_CUR && queue_has(qd, id1) == 1,
		    "queue_take moves it to cur/");
		/* an ID that came back must not replace a message in cur/ */
		fd = openat(qd, "new/1.2.3", O_WRONLY | O_CREAT, 0600);
		close(fd);
		fd = openat(qd, "cur/1.2.3", O_WRONLY | O_CREAT, 0600);
		close(fd);
		ok(queue_take(qd, "1.2.3") == -1 && errno == EEXIST,
		    "queue_take never replaces cur/ID");
		unlinkat(qd, "new/1.2.3", 0);
		unlinkat(qd, "cur/1.2.3", 0);
		fd = queue_find(qd, id1, &where);
		ok(fd != -1 && where == QDIR_CUR && qenv_read(fd, &e, &why) == 0,
		    "queue_find opens it wherever it is");
		close(fd);
		fd = queue_open_body(qd, id1, e.body);
		ok(fd != -1 && read(fd, got, 5) == 5 && memcmp(got, "body\n", 5) == 0,
		    "queue_open_body is at the message");
		close(fd);
		qenv_free(&e);
		ok(queue_hold(qd, id1, 1) == 1 && queue_held(qd, id1) &&
		    queue_hold(qd, id1, 1) == 0 && queue_hold_sync(qd) == 0,
		    "queue_hold makes the marker once");
		ok(queue_hold(qd, "9.9.9", 1) == -1 && errno == ENOENT &&
		    !queue_held(qd, "9.9.9"), "no marker for a message not queued");
		ok(qstate_write(qd, id1, &(struct qstate){ .status = QS_OK }, 1,
		    0, 0) == 0 && (r = queue_remove(qd, id1)) == 0 &&
		    queue_where(qd, id1) == -1 && errno == ENOENT &&
		    !queue_held(qd, id1),
		    "queue_remove takes message, state and marker");
		snprintf(p, sizeof p, "state/%s", id1);
		ok(faccessat(qd, p, F_OK, 0) == -1 && errno == ENOENT,
		    "the state file is gone");
		ok(qw_begin(&w, qd, 0) == 0 &&
		    qw_envelope(&w, "a@b", rc, 1, 0, "t") == 0 &&
		    qw_commit(&w) == 0 && (snprintf(id2, sizeof id2, "%s",
		    w.id), queue_remove(qd, id2)) == 0 &&
		    queue_remove(qd, id2) == -1 && errno == ENOENT &&
		    queue_remove(qd, "../x") == -1 && errno == EINVAL,
		    "queue_remove anywhere takes one in new/, then says ENOENT");
		ok(qw_begin(&w, qd, 0) == 0 &&
		    qw_envelope(&w, "a@b", rc, 1, 0, "t") == 0 &&
		    qw_commit(&w) == 0 && (snprintf(id2, sizeof id2, "%s",
		    w.id), queue_take(qd, id2)) == 0 &&
		    queue_drop(qd, id2) == 1 && queue_commit(qd) == 0 &&
		    queue_where(qd, id2) == -1 && queue_drop(qd, id2) == 0 &&
		    queue_drop(qd, "../x") == -1 && errno == EINVAL,
		    "queue_drop unlinks cur/ID once; queue_commit syncs");
	}
	close(qd);
	snprintf(p, sizeof p, "rm -rf %s", dir);
	if (system(p) != 0)
		return 1;
	return done();
}
