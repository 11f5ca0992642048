/* unit tests for cmd/smtpd/parse.c: BDAT's argument (RFC 3030 2); the
 * DSN parameters of MAIL and RCPT (RFC 3461 4) */
#include <stdio.h>
#include <string.h>

#include "smtpd/smtpd.h"
#include "../tap.h"

#define DSN_TESTS 86

static struct mailarg m;

/* parse_mail after EHLO: "" for 250, else the reply */
static const char *
mail(const char *s)
{
	const char *r = parse_mail(&m, s, strlen(s), 1);

	return r ? r : "";
}

static const char *
rcpt(const char *s)
{
	const char *r = parse_rcpt(&m, s, strlen(s), 1, 0);

	return r ? r : "";
}

/* "TO:<a@example.test> ORCPT=TYPE;" and n - strlen(TYPE) - 1 x's: an
 * ORCPT value of n characters */
static const char *
orcpt_of(size_t n, const char *type)
{
	static char line[1024];
	size_t k = (size_t)snprintf(line, sizeof line,
	    "TO:<a@example.test> ORCPT=%s;", type);
	size_t x = n - strlen(type) - 1;

	memset(line + k, 'x', x);
	line[k + x] = '\0';
	return line;
}

static const char *
envid_of(size_t n)
{
	static char line[256];
	size_t k = (size_t)snprintf(line, sizeof line,
	    "FROM:<a@example.org> ENVID=");

	memset(line + k, 'e', n);
	line[k + n] = '\0';
	return line;
}

static void
dsn_mail(void)
{
	is_str(mail("FROM:<a@example.org> RET=FULL"), "", "RET=FULL");
	ok(m.dsn.ret == QR_FULL && m.dsn.envid[0] == '\0' &&
	    m.dsn.notify == 0, "kept as QR_FULL, nothing else");
	is_str(mail("FROM:<> ret=hdrs ENVID=Q+2B1=x"),
	    "501 5.5.4 Bad ENVID parameter: not xtext",
	    "'=' is no xchar");
	ok(m.dsn.ret == QR_UNSET, "a refused MAIL keeps no RET");
	is_str(mail("FROM:<> ret=hdrs envid=Q+2B1"), "", "any case");
	ok(m.dsn.ret == QR_HDRS && strcmp(m.dsn.envid, "Q+2B1") == 0,
	    "HDRS, ENVID as it came");
	is_str(mail("FROM:<a@example.org> RET=Hdrs SIZE=10 BODY=8BITMIME "
	    "SMTPUTF8 AUTH=<> ENVID=x"), "", "with the other parameters");
	ok(m.size == 10 && m.body == BODY_8BIT && m.utf8 && m.auth &&
	    m.dsn.ret == QR_HDRS && strcmp(m.dsn.envid, "x") == 0,
	    "each kept");
	is_str(mail("FROM:<a@example.org> RET=NONE"),
	    "501 5.5.4 Bad RET parameter: not FULL or HDRS", "RET=NONE");
	is_str(mail("FROM:<a@example.org> RET"),
	    "501 5.5.4 Bad RET parameter: not FULL or HDRS", "RET alone");
	is_str(mail("FROM:<a@example.org> RET=FULLX"),
	    "501 5.5.4 Bad RET parameter: not FULL or HDRS", "RET=FULLX");
	is_str(mail("FROM:<a@example.org> RET=HDRS RET=HDRS"),
	    "501 5.5.4 Duplicate RET parameter", "RET twice");
	is_str(mail("FROM:<a@example.org> ENVID="),
	    "501 5.5.4 Bad ENVID parameter: empty", "ENVID empty");
	is_str(mail("FROM:<a@example.org> ENVID"),
	    "501 5.5.4 Bad ENVID parameter: empty", "ENVID alone");
	is_str(mail("FROM:<a@example.org> ENVID=a+2g"),
	    "501 5.5.4 Bad ENVID parameter: not xtext", "+2g");
	is_str(mail("FROM:<a@example.org> ENVID=a+2"),
	    "501 5.5.4 Bad ENVID parameter: not xtext", "+ cut short");
	is_str(mail("FROM:<a@example.org> ENVID=a+2b"),
	    "501 5.5.4 Bad ENVID parameter: not xtext",
	    "lower-case hex (RFC 3461 4)");
	is_str(mail("FROM:<a@example.org> ENVID=\xc3\xa9"),
	    "501 5.5.4 Bad ENVID parameter: not xtext", "UTF-8");
	is_str(mail("FROM:<a@example.org> ENVID=a+7F"),
	    "501 5.5.4 Bad ENVID parameter: not printable ASCII",
	    "encoding DEL");
	is_str(mail("FROM:<a@example.org> ENVID=a+20b"), "",
	    "encoding a space is fine");
	is_str(mail(envid_of(100)), "", "ENVID of 100 characters");
	ok(strlen(m.dsn.envid) == 100, "kept whole");
	is_str(mail(envid_of(101)),
	    "501 5.5.4 Bad ENVID parameter: longer than 100 characters",
	    "101");
	ok(m.dsn.envid[0] == '\0', "nothing kept");
	is_str(mail("FROM:<a@example.org> ENVID=a ENVID=a"),
	    "501 5.5.4 Duplicate ENVID parameter", "ENVID twice");
	is_str(mail("FROM:<a@example.org> NOTIFY=NEVER"),
	    "555 5.5.4 Unsupported parameter", "NOTIFY is RCPT's");
	is_str(mail("FROM:<a@example.org> ORCPT=rfc822;a"),
	    "555 5.5.4 Unsupported parameter", "ORCPT is RCPT's");
	is_str(mail("FROM:<\xc3\xa9@example.org> RET=FULL ENVID=x"),
	    "553 5.6.7 Non-ASCII address needs SMTPUTF8",
	    "refused after good parameters");
	ok(m.dsn.ret == QR_UNSET && m.dsn.envid[0] == '\0',
	    "and then nothing kept of them");
	ok(parse_mail(&m, "FROM:<a@b.org> RET=FULL", 23, 0) != NULL &&
	    strcmp(parse_mail(&m, "FROM:<a@b.org> RET=FULL", 23, 0),
	    "555 5.5.4 Parameters need EHLO") == 0 && m.dsn.ret == QR_UNSET,
	    "after HELO: 555, as for BODY");
}

static void
dsn_rcpt(void)
{
	const char *r;

	is_str(rcpt("TO:<a@example.test> NOTIFY=NEVER"), "", "NEVER");
	ok(m.rdsn.notify == QN_NEVER && m.rdsn.orcpt[0] == '\0', "kept");
	is_str(rcpt("TO:<a@example.test> notify=Delay,success,FAILURE"), "",
	    "the three, any case, any order");
	ok(m.rdsn.notify == (QN_SUCCESS | QN_FAILURE | QN_DELAY), "kept");
	is_str(rcpt("TO:<a@example.test> NOTIFY=SUCCESS,SUCCESS"), "",
	    "a word again");
	ok(m.rdsn.notify == QN_SUCCESS, "once");
	is_str(rcpt("TO:<a@example.test> NOTIFY=never,success"),
	    "501 5.5.4 Bad NOTIFY parameter: NEVER must be alone",
	    "NEVER first");
	is_str(rcpt("TO:<a@example.test> NOTIFY=DELAY,NEVER"),
	    "501 5.5.4 Bad NOTIFY parameter: NEVER must be alone",
	    "NEVER last");
	is_str(rcpt("TO:<a@example.test> NOTIFY=NEVERX,DELAY"),
	    "501 5.5.4 Bad NOTIFY parameter: not SUCCESS, FAILURE, DELAY or "
	    "NEVER", "NEVERX is no NEVER");
	is_str(rcpt("TO:<a@example.test> NOTIFY=NEVER,NEVER"),
	    "501 5.5.4 Bad NOTIFY parameter: NEVER must be alone",
	    "NEVER twice");
	is_str(rcpt("TO:<a@example.test> NOTIFY=SUCCES"),
	    "501 5.5.4 Bad NOTIFY parameter: not SUCCESS, FAILURE, DELAY or "
	    "NEVER", "a misspelt word");
	is_str(rcpt("TO:<a@example.test> NOTIFY="),
	    "501 5.5.4 Bad NOTIFY parameter: empty", "empty");
	is_str(rcpt("TO:<a@example.test> NOTIFY"),
	    "501 5.5.4 Bad NOTIFY parameter: empty", "no value");
	is_str(rcpt("TO:<a@example.test> NOTIFY=,DELAY"),
	    "501 5.5.4 Bad NOTIFY parameter: empty word", "leading comma");
	is_str(rcpt("TO:<a@example.test> NOTIFY=DELAY,"),
	    "501 5.5.4 Bad NOTIFY parameter: empty word", "trailing comma");
	is_str(rcpt("TO:<a@example.test> NOTIFY=DELAY,,FAILURE"),
	    "501 5.5.4 Bad NOTIFY parameter: empty word", "two commas");
	is_str(rcpt("TO:<a@example.test> NOTIFY=,"),
	    "501 5.5.4 Bad NOTIFY parameter: empty word", "a comma alone");
	/* a list has an odd length: 63 is the longest under the cap */
	is_str(rcpt("TO:<a@example.test> NOTIFY=SUCCESS,FAILURE,DELAY,"
	    "SUCCESS,FAILURE,DELAY,FAILURE,DELAY,DELAY"), "",
	    "63 characters of repeated words");
	is_str(rcpt("TO:<a@example.test> NOTIFY=SUCCESS,FAILURE,DELAY,"
	    "SUCCESS,FAILURE,DELAY,SUCCESS,FAILURE,DELAY"),
	    "501 5.5.4 Bad NOTIFY parameter: too long", "65");
	is_str(rcpt("TO:<a@example.test> NOTIFY=DELAY NOTIFY=DELAY"),
	    "501 5.5.4 Duplicate NOTIFY parameter", "NOTIFY twice");
	ok(m.rdsn.notify == 0, "a refused RCPT keeps nothing");

	is_str(rcpt("TO:<a@example.test> ORCPT=rfc822;b+2Bc@example.org"),
	    "", "ORCPT");
	ok(strcmp(m.rdsn.orcpt, "rfc822;b+2Bc@example.org") == 0 &&
	    m.rdsn.notify == 0, "kept as it came");
	is_str(rcpt("TO:<a@example.test> ORCPT=utf-8;r\\x{E9}@example.org "
	    "NOTIFY=FAILURE"), "", "RFC 6533's utf-8, and NOTIFY after");
	ok(strcmp(m.rdsn.orcpt, "utf-8;r\\x{E9}@example.org") == 0 &&
	    m.rdsn.notify == QN_FAILURE, "both kept");
	is_str(rcpt("TO:<a@example.test> ORCPT=x-Local!#;y"), "",
	    "any atom is an address type");
	is_str(rcpt("TO:<a@example.test> ORCPT=rfc822;a;b"), "",
	    "';' in the address is xtext");
	is_str(rcpt(orcpt_of(500, "rfc822")), "", "ORCPT of 500 characters");
	ok(strlen(m.rdsn.orcpt) == 500, "kept whole");
	is_str(rcpt(orcpt_of(501, "rfc822")),
	    "501 5.5.4 Bad ORCPT parameter: longer than 500 characters",
	    "501");
	ok(m.rdsn.orcpt[0] == '\0', "nothing kept");
	is_str(rcpt("TO:<a@example.test> ORCPT=rfc822b@example.org"),
	    "501 5.5.4 Bad ORCPT parameter: not type;address", "no ';'");
	is_str(rcpt("TO:<a@example.test> ORCPT="),
	    "501 5.5.4 Bad ORCPT parameter: empty", "empty");
	is_str(rcpt("TO:<a@example.test> ORCPT"),
	    "501 5.5.4 Bad ORCPT parameter: empty", "no value");
	is_str(rcpt("TO:<a@example.test> ORCPT=rfc822;"),
	    "501 5.5.4 Bad ORCPT parameter: empty address", "no address");
	is_str(rcpt("TO:<a@example.test> ORCPT=;b@example.org"),
	    "501 5.5.4 Bad ORCPT parameter: bad address type", "no type");
	is_str(rcpt("TO:<a@example.test> ORCPT=rfc.822;b@example.org"),
	    "501 5.5.4 Bad ORCPT parameter: bad address type",
	    "a dot-atom is no atom");
	is_str(rcpt("TO:<a@example.test> ORCPT=rfc822;b+2g@example.org"),
	    "501 5.5.4 Bad ORCPT parameter: address not xtext", "+2g");
	is_str(rcpt("TO:<a@example.test> ORCPT=rfc822;b=c@example.org"),
	    "501 5.5.4 Bad ORCPT parameter: address not xtext", "'='");
	is_str(rcpt("TO:<a@example.test> ORCPT=rfc822;\xc3\xa9@example.org"),
	    "501 5.5.4 Bad ORCPT parameter: not ASCII without SMTPUTF8",
	    "raw UTF-8 without SMTPUTF8");
	is_str(rcpt("TO:<a@example.test> ORCPT=rfc822;b+0D+0A@example.org"),
	    "501 5.5.4 Bad ORCPT parameter: address not printable ASCII",
	    "encoding CRLF (RFC 3461 4.2)");
	is_str(rcpt("TO:<a@example.test> ORCPT=rfc822;a ORCPT=rfc822;a"),
	    "501 5.5.4 Duplicate ORCPT parameter", "ORCPT twice");
	is_str(rcpt("TO:<a@example.test> NOTIFY=NEVER ORCPT=rfc822;a+2g"),
	    "501 5.5.4 Bad ORCPT parameter: address not xtext",
	    "a good NOTIFY before a bad ORCPT");
	ok(m.rdsn.notify == 0 && m.rdsn.orcpt[0] == '\0',
	    "nothing kept of either");
	is_str(rcpt("TO:<a@example.test> RET=FULL"),
	    "555 5.5.4 Unsupported parameter", "RET is MAIL's");
	is_str(rcpt("TO:<a@example.test> ENVID=x"),
	    "555 5.5.4 Unsupported parameter", "ENVID is MAIL's");
	is_str(rcpt("TO:<a@example.test>  NOTIFY=NEVER  "), "",
	    "blanks around");
	is_str(rcpt("TO:<a@example.test>NOTIFY=NEVER"),
	    "501 5.5.4 Syntax: junk after the address",
	    "no blank before a parameter");
	is_str(rcpt("TO:<postmaster> NOTIFY=NEVER"), "",
	    "<postmaster> with a parameter");
	ok(m.postmaster && m.rdsn.notify == QN_NEVER, "marked, and kept");
	is_str(rcpt("TO: \t<PostMaster>"), "", "<postmaster> after blanks");
	ok(m.postmaster && m.a.s[0] == '\0', "no address of its own");
	is_str(rcpt("TO:<postmaster>x"),
	    "501 5.1.3 Bad address syntax", "<postmaster>x is not it");
	is_str(rcpt("TO:<\xc3\xa9@example.test> NOTIFY=NEVER "
	    "ORCPT=rfc822;a"), "553 5.6.7 Non-ASCII address needs SMTPUTF8",
	    "refused after good parameters");
	ok(m.rdsn.notify == 0 && m.rdsn.orcpt[0] == '\0',
	    "and then nothing kept of them");
	r = parse_rcpt(&m, "TO:<a@b.org> NOTIFY=NEVER", 25, 0, 0);
	is_str(r ? r : "", "555 5.5.4 Parameters need EHLO",
	    "after HELO: 555, as on MAIL");
}

static int
bdat(const char *s, struct bdat *b)
{
	return parse_bdat(b, s, strlen(s));
}

int
main(void)
{
	struct bdat b;

	plan(14 + DSN_TESTS);
	ok(bdat("1000", &b) == 0 && b.size == 1000 && !b.last, "a size");
	ok(bdat("0 LAST", &b) == 0 && b.size == 0 && b.last, "0 LAST");
	ok(bdat("42   last", &b) == 0 && b.size == 42 && b.last,
	    "LAST in any case, after several spaces");
	ok(bdat("00000000000000000000042", &b) == 0 && b.size == 42,
	    "23 digits with leading zeros");
	ok(bdat("000000000000000000000042", &b) == -1, "24 digits are not");
	ok(bdat("4611686018427387904", &b) == 0 &&
	    b.size == SMTP_CHUNK_MAX, "2^62 is the largest");
	ok(bdat("4611686018427387905", &b) == -1, "2^62 + 1 is too big");
	ok(bdat("99999999999999999999999", &b) == -1, "overflow is too big");
	ok(bdat("", &b) == -1, "no size");
	ok(bdat("LAST", &b) == -1, "LAST without a size");
	ok(bdat("+5", &b) == -1, "a sign is not a digit");
	ok(bdat("5 LASTX", &b) == -1, "only LAST may follow");
	ok(bdat("5\tLAST", &b) == -1, "a tab is not a space");
	ok(bdat(" 5", &b) == -1, "nothing before the size");
	dsn_mail();
	dsn_rcpt();
	return done();
}
