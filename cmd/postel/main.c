/*
 * postel: one command for the administrator, git's way: `postel queue`,
 * `postel flush`, ... (postel-admin(8)). Run as root or as the queue
 * user; as root it becomes the owner of the queue directory before it
 * touches the queue, so that nothing there ever belongs to root.
 */
#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "child.h"
#include "conf.h"
#include "die.h"
#include "postel.h"

static int cmd_help(int, char **);
static int cmd_check(int, char **);
static int cmd_log(int, char **);

static const struct cmd {
	const char *name, *args, *what;
	int (*fn)(int, char **);
} cmds[] = {
	{ "queue", "[ID...|all|--from A|--to D] [--kv]",
	    "list messages and recipients", cmd_queue },
	{ "cat", "[-e] ID", "print a queued message", cmd_cat },
	{ "flush", "[ID...|all|--from A|--to D]", "try now", cmd_flush },
	{ "hold", "ID...|all|--from A|--to D", "keep from delivery",
	    cmd_hold },
	{ "release", "ID...|all|--from A|--to D", "undo hold, try now",
	    cmd_release },
	{ "delete", "ID...|all|--from A|--to D", "remove, no bounce",
	    cmd_delete },
	{ "reload", "", "make qrun read the configuration again",
	    cmd_reload },
	{ "check", "[args]", "check the configuration (postel check)",
	    cmd_check },
	{ "log", "[logsum args]", "summarize the log (logsum)", cmd_log },
	{ "dkim-keygen", "[-b bits] DOMAIN SELECTOR",
	    "make a DKIM key, print its DNS record", cmd_dkim_keygen },
	{ "dkim-sign", "-d DOMAIN -s SELECTOR -k KEY [FILE]",
	    "print a message with a DKIM signature", cmd_dkim_sign },
	{ "dkim-verify", "[FILE]", "check a message's DKIM signatures",
	    cmd_dkim_verify },
	{ "spf", "IP SENDER [HELO]", "evaluate SPF as filter-dmarc does",
	    cmd_spf },
	{ "dmarc", "[-l LIST] [--spf R:D] [--dkim R:D]... DOMAIN | --org NAME...",
	    "show the DMARC policy that applies", cmd_dmarc },
	{ "mta-sts", "DOMAIN [HOST...]", "show the MTA-STS policy of a domain",
	    cmd_mta_sts },
	{ "tlsrpt", "[--day YYYY-MM-DD] [--send]",
	    "print or send a day's TLS reports", cmd_tlsrpt },
	{ "help", "", "this list", cmd_help },
};
#define NCMDS (sizeof cmds / sizeof cmds[0])

unsigned long caller;

static int
cmd_help(int argc, char **argv)
{
	size_t i;

	(void)argc;
	(void)argv;
	printf("usage: postel command [arguments]\n");
	for (i = 0; i < NCMDS; i++)
		printf("  postel %-11s %-36s %s\n", cmds[i].name, cmds[i].args,
		    cmds[i].what);
	printf("See postel-admin(8).\n");
	return fflush(stdout) == EOF ? EXIT_TEMP : 0;
}

_Noreturn void
exec_prog(const char *name, char *const av[])
{
	char prog[PATH_MAX];

	if (conf_prog(prog, sizeof prog, name) == -1)
		die(EXIT_TEMP, "path of %s too long", name);
	execv(prog, av);
	die_sys(EXIT_TEMP, "unable to run %s", prog);
}

int
run_prog(const char *name, char *const av[])
{
	char prog[4096];
	struct child c = { .path = prog, .argv = av,
	    .fd = { CHILD_KEEP, CHILD_KEEP, CHILD_KEEP }, .nfd = 3,
	    .failed = child_warn };
	pid_t pid;
	int st;

	if (conf_prog(prog, sizeof prog, name) == -1) {
		warn("path of %s too long", name);
		return EXIT_TEMP;
	}
	if (fflush(stdout) == EOF || (pid = child_spawn(&c)) == -1) {
		warn_sys("unable to run %s", name);
		return EXIT_TEMP;
	}
	if (child_wait(pid, &st) == -1) {
		warn_sys("unable to wait for %s", name);
		return EXIT_TEMP;
	}
	/* a program that could not be run is a temporary failure here */
	return WIFEXITED(st) && WEXITSTATUS(st) != CHILD_EXEC_FAILED ?
	    WEXITSTATUS(st) : EXIT_TEMP;
}

static int
cmd_check(int argc, char **argv)
{
	(void)argc;
	argv[0] = "check";
	exec_prog("check", argv);
}

static int
cmd_log(int argc, char **argv)
{
	(void)argc;
	argv[0] = "logsum";
	exec_prog("logsum", argv);
}

/* As root: become the owner of queue/ (postel-security(7)), with its
 * primary group, before anything in the queue is opened. */
int
open_queue(void)
{
	char path[PATH_MAX];
	struct stat sb;
	struct passwd *pw;
	gid_t gid;
	int qd;

	if (geteuid() == 0) {
		if (conf_path(path, sizeof path, "queue") == -1 ||
		    stat(path, &sb) == -1)
			die_sys(EXIT_TEMP, "unable to find %s/queue",
			    conf_root());
		if (sb.st_uid != 0) {
			pw = getpwuid(sb.st_uid);
			gid = pw ? pw->pw_gid : sb.st_gid;
			if (setgroups(1, &gid) == -1 || setgid(gid) == -1 ||
			    setuid(sb.st_uid) == -1 || setuid(0) != -1)
				die_sys(EXIT_TEMP, "unable to become the "
				    "queue owner (uid %lu)",
				    (unsigned long)sb.st_uid);
		}
	}
	if ((qd = queue_dir()) == -1)
		die_sys(errno == EACCES ? EXIT_PERM : EXIT_TEMP,
		    "unable to open %s/queue (run as root or the queue "
		    "user)", conf_root());
	return qd;
}

int
main(int argc, char **argv)
{
	size_t i;

	die_init("postel");
	umask(027);
	caller = (unsigned long)getuid();
	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))
		return cmd_help(0, argv) == 0 && argc >= 2 ? 0 : EXIT_PERM;
	for (i = 0; i < NCMDS; i++)
		if (strcmp(argv[1], cmds[i].name) == 0)
			return cmds[i].fn(argc - 1, argv + 1);
	die(EXIT_PERM, "unknown command %s (postel help lists them)", argv[1]);
}
