/*
 * postel spf IP SENDER [HELO]: SPF (lib/spf.h) for the MAIL FROM identity
 * and, when HELO is given, the HELO identity, with the system's resolver,
 * one line each in the shape of an Authentication-Results result
 * (RFC 8601 2.7.2): "spf=pass smtp.mailfrom=a@example.org (why)". Exit 0
 * when it could evaluate (whatever the results), 100 on bad arguments.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "die.h"
#include "dns.h"
#include "fmt.h"
#include "postel.h"
#include "spf.h"

/* One identity: the result line on stdout. */
static void
show(struct spf_req *r, const char *domain, const char *prop,
    const char *who)
{
	struct spf_out o;
	char w[300], why[sizeof o.why], exp[sizeof o.exp];
	size_t i;

	r->domain = domain;
	spf_check(r, &dns_ops_real, &o);
	fmt_safe(w, sizeof w, who, strlen(who));
	fmt_safe(why, sizeof why, o.why, strlen(o.why));
	fmt_safe(exp, sizeof exp, o.exp, strlen(o.exp));
	/* a comment holds no unbalanced parentheses (RFC 5322 3.2.2) */
	for (i = 0; why[i]; i++)
		if (why[i] == '(' || why[i] == ')' || why[i] == '\\')
			why[i] = '?';
	for (i = 0; exp[i]; i++)
		if (exp[i] == '(' || exp[i] == ')' || exp[i] == '\\')
			exp[i] = '?';
	printf("spf=%s smtp.%s=%s (%s%s%s)\n", spf_result_name(o.result), prop,
	    w, why, *exp ? "; explanation: " : "", exp);
}

int
cmd_spf(int argc, char **argv)
{
	struct spf_req r;
	char sender[300], host[256], postmaster[300];
	const char *helo = argc > 3 ? argv[3] : NULL, *at;
	size_t n;

	if (argc < 3 || argc > 4)
		die(EXIT_PERM, "usage: postel spf IP SENDER [HELO]");
	memset(&r, 0, sizeof r);
	if (dns_ip_parse(argv[1], &r.ip) == -1)
		die(EXIT_PERM, "bad IP address %s", argv[1]);
	n = strlen(argv[2]);
	if (n >= 2 && argv[2][0] == '<' && argv[2][n - 1] == '>')
		n = (size_t)fmt_s(sender, sizeof sender, "%.*s", (int)(n - 2),
		    argv[2] + 1);
	else
		n = (size_t)fmt_s(sender, sizeof sender, "%s", argv[2]);
	if (n >= sizeof sender)
		die(EXIT_PERM, "sender too long");
	if (helo && (*helo == '\0' || strlen(helo) > DNS_NAME_MAX))
		die(EXIT_PERM, "bad HELO name");
	at = strrchr(sender, '@');
	if (*sender && (at == NULL || at[1] == '\0'))
		die(EXIT_PERM, "bad sender %s: no domain", sender);
	if (*sender == '\0' && helo == NULL)
		die(EXIT_PERM, "the null sender needs HELO (postmaster@HELO)");
	if (gethostname(host, sizeof host) == -1)
		fmt_s(host, sizeof host, "unknown");
	host[sizeof host - 1] = '\0';
	r.helo = helo;
	r.receiver = host;
	r.now = time(NULL);
	if (helo && fmt_s(postmaster, sizeof postmaster, "postmaster@%s",
	    helo) < 0)
		die(EXIT_PERM, "bad HELO name");
	/* a null sender is checked as postmaster@HELO (RFC 7208 2.4) */
	r.sender = *sender ? sender : postmaster;
	show(&r, *sender ? at + 1 : helo, "mailfrom", r.sender);
	if (helo) {
		r.sender = postmaster;
		show(&r, helo, "helo", helo);
	}
	return fflush(stdout) == EOF ? EXIT_TEMP : 0;
}
