/* qreq: the request lines on queue/trigger and the selectors (postel-queue(5)). */
#include <string.h>

#include "qreq.h"
#include "../tap.h"

int
main(void)
{
	struct qreq r;
	struct qsel s;
	struct qenv e;
	char *rcpt[] = { "a@One.test", "b@two.test" };
	char out[QREQ_LINE_MAX];

	plan(17);
	ok(qreq_parse(&r, "reload") == NULL && r.kind == QREQ_RELOAD, "reload");
	ok(qreq_parse(&r, "flush all") == NULL && r.kind == QREQ_FLUSH &&
	    r.sel.kind == QSEL_ALL, "flush all");
	ok(qreq_parse(&r, "flush id 1.2.3") == NULL && r.sel.kind == QSEL_ID &&
	    strcmp(r.sel.arg, "1.2.3") == 0, "flush id ID");
	ok(qreq_parse(&r, "flush id ../lock") != NULL, "an ID must be an ID");
	ok(qreq_parse(&r, "flush to <x@y.test>") == NULL &&
	    strcmp(r.sel.arg, "x@y.test") == 0, "angle brackets dropped");
	ok(qreq_parse(&r, "flush from <>") == NULL && r.sel.kind == QSEL_FROM &&
	    r.sel.arg[0] == '\0', "from <> is the null sender");
	ok(qreq_parse(&r, "flush to") != NULL && qreq_parse(&r, "flush to ") != NULL,
	    "a selector needs its argument");
	ok(qreq_parse(&r, "flush all x") != NULL, "all takes none");
	ok(qreq_parse(&r, "flush to a b") != NULL &&
	    qreq_parse(&r, "flush to a\tb") != NULL, "one word only");
	ok(qreq_parse(&r, "frob") != NULL && qreq_parse(&r, "flushall") != NULL &&
	    qreq_parse(&r, "") != NULL, "unknown lines refused");

	memset(&e, 0, sizeof e);
	memcpy(e.from, "Carol@example.org", sizeof "Carol@example.org");
	e.rcpt = rcpt;
	e.nrcpt = 2;
	qsel_parse(&s, "to one.test");
	ok(qsel_match(&s, "1.2.3", &e), "to DOMAIN, any case");
	qsel_parse(&s, "to b@TWO.test");
	ok(qsel_match(&s, "1.2.3", &e), "to ADDRESS");
	qsel_parse(&s, "to wo.test");
	ok(!qsel_match(&s, "1.2.3", &e), "a domain matches whole");
	qsel_parse(&s, "from carol@example.org");
	ok(qsel_match(&s, "1.2.3", &e) && qsel_needs_env(&s), "from ADDRESS");
	qsel_parse(&s, "id 1.2.3");
	ok(qsel_match(&s, "1.2.3", NULL) && !qsel_match(&s, "1.2.4", NULL),
	    "id, without the envelope");
	qsel_parse(&s, "from <>");
	ok(qsel_fmt(out, sizeof out, &s) == 0 && strcmp(out, "from <>") == 0,
	    "qsel_fmt writes what qsel_parse reads");
	qsel_parse(&s, "to x@y.test");
	ok(qsel_fmt(out, 8, &s) == -1, "qsel_fmt fails when it does not fit");
	return done();
}
