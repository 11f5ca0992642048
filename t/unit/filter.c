/* filter: verdicts, rewriting, the envelope, and every way a filter can
 * fail ending in a deferral. Filters here are /bin/sh scripts. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "filter.h"
#include "../tap.h"

static const char msg[] = "Received: from x\nSubject: hi\n\nbody\n";
static char dir[] = "/tmp/filter-unit.XXXXXX";
static const char *rcpts[] = { "a@example.org", "b@example.net" };
static struct filter_env env = { "s@example.com", rcpts, 2, "127.0.0.1",
    "client.test", NULL, "1.2.3", "no", 0 };
static struct filter_opt opt = { dir, 5, 4096 };

static int
message(void)
{
	char path[64];
	int fd;

	snprintf(path, sizeof path, "%s/m.XXXXXX", dir);
	if ((fd = mkstemp(path)) == -1 || unlink(path) == -1 ||
	    write(fd, msg, sizeof msg - 1) != (ssize_t)(sizeof msg - 1)) {
		perror("message");
		exit(1);
	}
	return fd;
}

static char got[8192];

static const char *
slurp(int fd)
{
	ssize_t r;

	if (lseek(fd, 0, SEEK_SET) == -1 ||
	    (r = read(fd, got, sizeof got - 1)) < 0)
		return "(unreadable)";
	got[r] = '\0';
	return got;
}

/* Run "sh -c script" as a one-stage filter over the test message. */
static int
sh(const char *script, struct filter_res *res, int *out)
{
	char *argv[] = { "/bin/sh", "-c", (char *)script, NULL };
	int in = message(), st;

	*out = -1;
	memset(res, 0, sizeof *res);
	st = filter_run(argv, in, out, &env, &opt, res);
	close(in);
	return st;
}

static void
check_verdicts(void)
{
	struct filter_res r;
	int out;

	is_int(sh("cat", &r, &out), FILTER_PASS, "cat passes");
	is_str(slurp(out), msg, "cat: the message comes out unchanged");
	close(out);
	is_int(sh("echo 'X-Test: yes'; cat", &r, &out), FILTER_PASS,
	    "a header-adding filter passes");
	ok(strncmp(slurp(out), "X-Test: yes\nReceived:", 21) == 0,
	    "its header comes first");
	close(out);
	is_int(sh("cat >/dev/null; echo 'spam, go away' >&2; "
	    "echo second >&2; exit 100", &r, &out), FILTER_REJECT,
	    "exit 100 rejects");
	is_str(r.why, "spam, go away", "with the first line of stderr");
	is_int(out, -1, "and no output fd");
	is_int(sh("echo 'busy' >&2; exit 111", &r, &out), FILTER_DEFER,
	    "exit 111 defers");
	is_str(r.why, "busy", "with its reason");
	is_int(sh("printf 'bad\\001\\033[31m' >&2; exit 100", &r, &out),
	    FILTER_REJECT, "a reason with control octets");
	is_str(r.why, "bad??[31m", "is made printable");
}

static void
check_failures(void)
{
	struct filter_res r;
	int out;

	is_int(sh("cat; exit 1", &r, &out), FILTER_DEFER,
	    "another exit code defers");
	is_str(r.why, "", "with no filter text for the client");
	is_int(sh("kill -SEGV $$", &r, &out), FILTER_DEFER,
	    "a crash defers");
	ok(strstr(r.err, "signal 11") != NULL, "and the log says the signal");
	is_int(sh("cat >/dev/null", &r, &out), FILTER_DEFER,
	    "empty output defers");
	is_int(sh("echo garbage; cat", &r, &out), FILTER_DEFER,
	    "output that is not a message defers");
	ok(strstr(r.err, "header") != NULL, "saying so");
	is_int(sh("printf 'A: b\\r\\n\\r\\nx\\r\\n'", &r, &out), FILTER_DEFER,
	    "CRLF output defers");
	is_int(sh("printf 'A: b\\n\\nno newline'", &r, &out), FILTER_DEFER,
	    "output cut short defers");
	is_int(sh("cat; head -c 5000 /dev/zero | tr '\\0' x; echo", &r, &out),
	    FILTER_DEFER, "output over the limit defers, a quick filter too");
	ok(strstr(r.err, "larger than") != NULL, "as too large");
	opt.timeout = 1;
	is_int(sh("sleep 30 & wait", &r, &out), FILTER_DEFER,
	    "a filter that hangs (with a child) defers");
	ok(strstr(r.err, "timed out") != NULL, "as a timeout");
	opt.timeout = 5;
	is_int(sh("exec /nonexistent", &r, &out), FILTER_DEFER,
	    "a missing program defers");
}

static void
check_env(void)
{
	struct filter_res r;
	int out;

	is_int(sh("echo \"X-Env: $SENDER|$RECIPIENTS|${RECIPIENT-none}|"
	    "$CLIENT_IP|$HELO|${AUTH_USER-unset}|$QID|$TLS\"; cat", &r, &out),
	    FILTER_PASS, "the environment filter passes");
	ok(strncmp(slurp(out), "X-Env: s@example.com|a@example.org "
	    "b@example.net|none|127.0.0.1|client.test|unset|1.2.3|no\n", 85)
	    == 0, "and sees the envelope");
	close(out);
	is_int(sh("printf 'X-Rcpt: '; tr '\\n' , <&3; echo; cat", &r, &out),
	    FILTER_PASS, "fd 3 filter passes");
	ok(strncmp(slurp(out), "X-Rcpt: a@example.org,b@example.net,\n",
	    37) == 0, "fd 3 holds one recipient per line");
	close(out);
	setenv("RELAYCLIENT", "inherited", 1);
	is_int(sh("echo \"X-Relay: ${RELAYCLIENT-unset}\"; cat", &r, &out),
	    FILTER_PASS, "RELAYCLIENT filter passes");
	ok(strncmp(slurp(out), "X-Relay: unset\n", 15) == 0,
	    "RELAYCLIENT unset for a client that may not relay");
	close(out);
	env.relay = 1;
	is_int(sh("echo \"X-Relay: ${RELAYCLIENT-unset}.\"; cat", &r, &out),
	    FILTER_PASS, "RELAYCLIENT filter passes again");
	ok(strncmp(slurp(out), "X-Relay: .\n", 11) == 0,
	    "RELAYCLIENT set, empty, for one that may");
	close(out);
	env.relay = 0;
	unsetenv("RELAYCLIENT");
}

static void
check_reply(void)
{
	struct filter_res r;
	char line[300];

	memset(&r, 0, sizeof r);
	r.status = FILTER_REJECT;
	strcpy(r.why, "550 5.7.23 SPF fail");
	is_str(filter_reply(&r, line, sizeof line), "550 5.7.23 SPF fail",
	    "a reject with its own 5xx code keeps it");
	strcpy(r.why, "451 4.7.24 try later");
	is_str(filter_reply(&r, line, sizeof line),
	    "554 5.7.1 451 4.7.24 try later", "a reject cannot answer 4xx");
	strcpy(r.why, "550 4.7.1 mixed");
	is_str(filter_reply(&r, line, sizeof line), "554 5.7.1 550 4.7.1 mixed",
	    "nor mix the classes");
	strcpy(r.why, "599 5.7.1 x");
	ok(strncmp(filter_reply(&r, line, sizeof line), "554 ", 4) == 0,
	    "nor use a code past 55x");
	strcpy(r.why, "550 5.7.1234 x");
	ok(strncmp(filter_reply(&r, line, sizeof line), "554 ", 4) == 0,
	    "nor a status part of four digits");
	strcpy(r.why, "550 5.7.1 ");
	ok(strncmp(filter_reply(&r, line, sizeof line), "554 ", 4) == 0,
	    "nor a code without text");
	r.why[0] = '\0';
	is_str(filter_reply(&r, line, sizeof line),
	    "554 5.7.1 Message rejected by a content filter", "no line");
	r.status = FILTER_DEFER;
	strcpy(r.why, "451 4.7.24 DNS trouble");
	is_str(filter_reply(&r, line, sizeof line), "451 4.7.24 DNS trouble",
	    "a defer with its own 4xx code keeps it");
	strcpy(r.why, "550 5.7.1 no");
	is_str(filter_reply(&r, line, sizeof line), "451 4.7.1 550 5.7.1 no",
	    "a defer cannot answer 5xx");
}

/* Passing stages' lines become the chain's note, for the log. */
static void
notes(void)
{
	struct filter_res r;
	char chain[500], p1[200], p2[200];
	int fd = message();
	FILE *f;

	snprintf(p1, sizeof p1, "%s/one", dir);
	snprintf(p2, sizeof p2, "%s/two", dir);
	if ((f = fopen(p1, "w")) != NULL) {
		fputs("#!/bin/sh\necho one >&2\nexec cat\n", f);
		fclose(f);
	}
	if ((f = fopen(p2, "w")) != NULL) {
		fputs("#!/bin/sh\necho two >&2\nexec cat\n", f);
		fclose(f);
	}
	chmod(p1, 0755);
	chmod(p2, 0755);
	snprintf(chain, sizeof chain, "%s | /bin/cat | %s", p1, p2);
	is_int(filter_chain(chain, &fd, &env, &opt, &r), FILTER_PASS,
	    "a chain whose stages leave notes passes");
	is_str(r.note, "one: one; two: two", "the notes of the stages, "
	    "for the log");
	is_str(r.why, "", "and no reason");
	close(fd);
	unlink(p1);
	unlink(p2);
}

static void
check_chain(void)
{
	struct filter_res r;
	int fd = message(), orig = fd;

	ok(filter_check("a | b x y") == NULL, "a two-stage chain is fine");
	ok(filter_check("a || b") != NULL, "an empty stage is not");
	ok(filter_check("") != NULL, "nor an empty chain");
	is_int(filter_chain("/bin/sed -e 1iX-One:1 | /bin/sed -e 1iX-Two:2",
	    &fd, &env, &opt, &r), FILTER_PASS, "a chain of two passes");
	ok(fd != orig, "and gives a new fd");
	ok(strncmp(slurp(fd), "X-Two:2\nX-One:1\nReceived:", 24) == 0,
	    "each stage reads the one before");
	orig = fd;
	is_int(filter_chain("/bin/cat | /bin/false | /bin/cat", &fd, &env,
	    &opt, &r), FILTER_DEFER, "a failing stage stops the chain");
	ok(fd == orig && strncmp(slurp(fd), "X-Two", 5) == 0,
	    "leaving the message as it was");
	ok(strstr(r.stage, "false") != NULL, "naming the stage");
	close(fd);
	notes();
}

int
main(void)
{
	signal(SIGPIPE, SIG_IGN);
	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	plan(54);
	check_verdicts();
	check_failures();
	check_env();
	check_chain();
	check_reply();
	rmdir(dir);
	return done();
}
