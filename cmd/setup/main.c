/*
 * setup: create or complete an instance directory (postel-setup(8)):
 * conf/, the queue with its FIFO, accepted domains and virtual users with
 * their Maildirs. Running it twice is harmless: it only adds what is
 * missing.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "addr.h"
#include "die.h"
#include "fmt.h"

static const char *root;

static void
mkdir_p(const char *rel, mode_t mode)
{
	char path[4096];

	if (fmt_s(path, sizeof path, "%s/%s", root, rel) < 0)
		die(EXIT_PERM, "path too long: %s/%s", root, rel);
	if (mkdir(path, mode) == -1 && errno != EEXIST)
		die_sys(EXIT_TEMP, "unable to create %s", path);
}

/* Append line to conf/<file> unless a line with the same first word is
 * there already. */
static void
add_line(const char *file, const char *key, const char *line)
{
	char path[4096], buf[1100];
	size_t klen = strlen(key);
	FILE *f;

	if (fmt_s(path, sizeof path, "%s/conf/%s", root, file) < 0)
		die(EXIT_PERM, "path too long");
	if ((f = fopen(path, "re")) != NULL) {
		while (fgets(buf, sizeof buf, f) != NULL)
			if (strncasecmp(buf, key, klen) == 0 &&
			    (buf[klen] == ' ' || buf[klen] == '\t' ||
			    buf[klen] == '\n' || buf[klen] == '\0')) {
				fclose(f);
				return;
			}
		fclose(f);
	} else if (errno != ENOENT)
		die_sys(EXIT_TEMP, "unable to read %s", path);
	if ((f = fopen(path, "ae")) == NULL)
		die_sys(EXIT_TEMP, "unable to open %s", path);
	if (fprintf(f, "%s\n", line) < 0 || fflush(f) == EOF ||
	    fsync(fileno(f)) == -1 || fclose(f) == EOF)
		die_sys(EXIT_TEMP, "unable to write %s", path);
}

static void
usage(void)
{
	die(EXIT_PERM, "usage: setup ROOT [--me HOST] [--domain DOMAIN]... "
	    "[--user NAME]...");
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "domain", required_argument, NULL, 'd' },
		{ "user", required_argument, NULL, 'u' },
		{ "me", required_argument, NULL, 'm' },
		{ NULL, 0, NULL, 0 },
	};
	const char *domains[64], *users[256], *me = NULL;
	size_t nd = 0, nu = 0, i, j;
	char path[4096], line[4200], key[600];
	int c;

	die_init(argv[0]);
	umask(027);
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			if (nd == 64)
				die(EXIT_PERM, "too many domains");
			if (addr_domain_check(optarg, strlen(optarg), 0))
				die(EXIT_PERM, "bad domain %s", optarg);
			domains[nd++] = optarg;
			break;
		case 'u':
			if (nu == 256)
				die(EXIT_PERM, "too many users");
			users[nu++] = optarg;
			break;
		case 'm':
			me = optarg;
			break;
		default:
			usage();
		}
	}
	if (optind + 1 != argc)
		usage();
	root = argv[optind];
	if (root[0] != '/')
		die(EXIT_PERM, "ROOT must be an absolute path: %s", root);
	if (nu && nd == 0)
		die(EXIT_PERM, "--user needs a --domain");
	if (mkdir(root, 0755) == -1 && errno != EEXIST)
		die_sys(EXIT_TEMP, "unable to create %s", root);
	mkdir_p("conf", 0755);
	mkdir_p("queue", 0750);
	mkdir_p("queue/tmp", 0750);
	mkdir_p("queue/new", 0750);
	mkdir_p("queue/cur", 0750);
	mkdir_p("queue/state", 0750);
	fmt_s(path, sizeof path, "%s/queue/trigger", root);
	if (mkfifo(path, 0620) == -1 && errno != EEXIST)
		die_sys(EXIT_TEMP, "unable to create %s", path);
	fmt_s(path, sizeof path, "%s/queue/lock", root);
	if ((c = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0640)) == -1 ||
	    close(c) == -1)
		die_sys(EXIT_TEMP, "unable to create %s", path);
	if (me) {
		fmt_s(line, sizeof line, "me %s", me);
		add_line("postel.conf", "me", line);
	}
	for (i = 0; i < nd; i++)
		add_line("domains", domains[i], domains[i]);
	if (nu)
		mkdir_p("mail", 0755);
	for (j = 0; j < nu; j++) {
		struct addr a;
		for (i = 0; i < nd; i++) {
			if (fmt_s(key, sizeof key, "%s@%s", users[j], domains[i]) < 0 ||
			    addr_parse(&a, key, strlen(key), 0) != NULL)
				die(EXIT_PERM, "bad user name %s", users[j]);
			fmt_s(path, sizeof path, "mail/%s", users[j]);
			mkdir_p(path, 0700);
			fmt_s(path, sizeof path, "mail/%s/Maildir", users[j]);
			mkdir_p(path, 0700);
			fmt_s(path, sizeof path, "mail/%s/Maildir/tmp", users[j]);
			mkdir_p(path, 0700);
			fmt_s(path, sizeof path, "mail/%s/Maildir/new", users[j]);
			mkdir_p(path, 0700);
			fmt_s(path, sizeof path, "mail/%s/Maildir/cur", users[j]);
			mkdir_p(path, 0700);
			if (fmt_s(line, sizeof line, "%s %s/mail/%s", key, root,
			    users[j]) < 0)
				die(EXIT_PERM, "path too long");
			add_line("users", key, line);
		}
	}
	return 0;
}
