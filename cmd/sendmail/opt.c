/*
 * opt: sendmail's command line, parsed as sendmail and Postfix parse it
 * (postel-sendmail(8), "Options"): flags bundle ("-ti", "-it"), an
 * option's value is the rest of its argument or the next one ("-oi",
 * "-oem", "-FCronDaemon", "-F name", "-f<>", "-f ''"), options end at
 * "--" or the first argument not starting with '-'. Options that only
 * make sense inside sendmail itself are accepted and ignored; anything
 * unknown is a usage error, so that a typo never goes unnoticed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "die.h"
#include "fmt.h"
#include "qreq.h"
#include "sendmail.h"

/* Options that take a value. Ignored here: C config file, L log tag,
 * M macro, O option, T queue timeout, X traffic log, h hop count, p
 * protocol. */
#define VALUED "BCFLMNORTVXbfhopr"
/* Flags with no effect: G gateway, U initial submission, m metoo, n no
 * aliasing, x (Postfix: ignored), c hold expensive, s (old: save From) */
#define IGNORED "GUmnxcs"

_Noreturn void
usage(const char *why, const char *arg)
{
	fprintf(stderr, "%s: %s%s%s\n", die_prog(), why, arg ? ": " : "",
	    arg ? arg : "");
	exit(EX_USAGE);
}

static void
mode(struct args *a, const char *v)
{
	static const struct {
		const char *name;
		int mode;
	} modes[] = {
		{ "m", M_SEND }, { "p", M_LIST }, { "s", M_SMTP },
		{ "v", M_VERIFY }, { "i", M_ALIASES },
	};
	size_t k;

	for (k = 0; k < sizeof modes / sizeof *modes; k++)
		if (strcmp(v, modes[k].name) == 0) {
			a->mode = modes[k].mode;
			return;
		}
	if (strcmp(v, "d") == 0 || strcmp(v, "D") == 0)
		usage("unsupported mode -bd: run qrun and smtpd under a "
		    "supervisor (postel(7))", NULL);
	{
		char safe[24];
		fmt_safe(safe, sizeof safe, v, strlen(v));
		fprintf(stderr, "%s: unsupported mode: -b%s\n", die_prog(),
		    safe);
		exit(EX_USAGE);
	}
}

/* One option c with its value v. */
static void
valued(struct args *a, char c, const char *v)
{
	switch (c) {
	case 'b':
		mode(a, v);
		break;
	case 'B':
		if (strcasecmp(v, "8BITMIME") == 0)
			a->flags |= QF_8BIT;
		else if (strcasecmp(v, "7BIT") == 0)
			a->flags &= ~(unsigned)QF_8BIT;
		else
			usage("-B takes 7BIT or 8BITMIME", v);
		break;
	case 'f':
	case 'r':
		a->m.from = v;
		break;
	case 'F':
		a->m.fullname = v;
		break;
	case 'N':
		if (qdsn_notify_parse(v, &a->dsn.notify) == -1)
			usage("-N takes never, or a list of success, failure, "
			    "delay", v);
		break;
	case 'R':
		if (qdsn_ret_parse(v, &a->dsn.ret) == -1)
			usage("-R takes full or hdrs", v);
		break;
	case 'V':
		if (qdsn_envid_encode(a->dsn.envid, sizeof a->dsn.envid, v) == -1)
			usage("-V takes printable ASCII of at most 100 "
			    "characters as xtext", NULL);
		break;
	case 'o':
		/* -oi is the only sendmail option that matters here; the
		 * others (-oem, -odb, -oQ...) are ignored, as by Postfix */
		if (strcmp(v, "i") == 0)
			a->m.dot = 0;
		break;
	default:
		break;          /* C L M O T X h p: accepted, no effect */
	}
}

/* -q with what follows it in the same argument; the value of I, R or S
 * may also be the next argument. */
static void
queue(struct args *a, const char *rest, char **argv, int *i)
{
	const char *kind = NULL, *v, *why;
	char o[4] = "-q?";
	struct qsel q;
	size_t n;

	a->mode = M_QUEUE;
	a->qarg = rest;
	a->qsel[0] = '\0';
	if (*rest == '\0' || strcmp(rest, "f") == 0) {
		fmt_s(a->qsel, sizeof a->qsel, "all");
		return;
	}
	if ((*rest >= '0' && *rest <= '9') || *rest == 'p')
		return;                 /* an interval: for a daemon, ignored */
	if (*rest == 'I')
		kind = "id";
	else if (*rest == 'R')
		kind = "to";
	else if (*rest == 'S')
		kind = "from";
	else {
		char safe[40];
		fmt_safe(safe, sizeof safe, rest, strlen(rest));
		fprintf(stderr, "%s: unsupported queue option: -q%s\n",
		    die_prog(), safe);
		exit(EX_USAGE);
	}
	o[2] = *rest;
	v = rest + 1;
	if (*v == '\0') {
		if (argv[*i + 1] == NULL)
			usage("option needs a value", o);
		v = argv[++*i];
	}
	n = strlen(v);
	if (n >= 2 && v[0] == '<' && v[n - 1] == '>') {
		v++;
		n -= 2;
	}
	if (fmt_s(a->qsel, sizeof a->qsel, "%s %.*s", kind, (int)n, v) < 0)
		usage("queue selector too long", NULL);
	if ((why = qsel_parse(&q, a->qsel)) != NULL) {
		char safe[80];
		fmt_safe(safe, sizeof safe, v, n);
		fprintf(stderr, "%s: bad -q%c %s: %s\n", die_prog(), *rest,
		    safe, why);
		exit(EX_USAGE);
	}
}

void
args_parse(int argc, char **argv, const char *name, struct args *a)
{
	char opt[3] = "-?";
	int i, j;

	if (strcmp(name, "mailq") == 0)
		a->mode = M_LIST;
	else if (strcmp(name, "newaliases") == 0)
		a->mode = M_ALIASES;
	for (i = 1; i < argc; i++) {
		const char *s = argv[i];
		if (s[0] != '-' || s[1] == '\0')
			break;
		if (strcmp(s, "--") == 0) {
			i++;
			break;
		}
		if (strcmp(s, "--kv") == 0) {
			a->kv = 1;
			continue;
		}
		for (j = 1; s[j]; j++) {
			char c = s[j];
			opt[1] = c;
			if (c == 'q') {
				queue(a, s + j + 1, argv, &i);
				break;
			}
			if (strchr(VALUED, c)) {
				const char *v = s + j + 1;
				if (*v == '\0') {
					if (argv[i + 1] == NULL)
						usage("option needs a value", opt);
					v = argv[++i];
				}
				valued(a, c, v);
				break;
			}
			if (c == 'A' || c == 'd' || c == 'e')
				break;  /* -Ac, -d0.1, -ep: the rest is theirs */
			if (c == 't')
				a->m.hdr_rcpts = 1;
			else if (c == 'i')
				a->m.dot = 0;
			else if (c == 'v')
				a->verbose = 1;
			else if (c == 'I')
				a->mode = M_ALIASES;
			else if (!strchr(IGNORED, c)) {
				fmt_safe(opt + 1, 2, &c, 1);
				usage("unknown option", opt);
			}
		}
	}
	a->rcpt = argv + i;
	a->nrcpt = argc - i;
}
