/* tlsrpt: the _smtp._tls record (RFC 8460 3) and the JSON report (4),
 * with the RFC's own examples where it has them. */
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "tlsrpt.h"
#include "../tap.h"

#define TXT(s, r) tlsrpt_txt_parse(s, strlen(s), r)

int
main(void)
{
	static const char *const bad[] = {
		"v=TLSRPTv2; rua=mailto:a@b", "v=TLSRPTv1", "v=TLSRPTv1;",
		"v=TLSRPTv1; rua=", "v=TLSRPTv1; rua=mailto:a@b; rua=mailto:c@d",
		"v=TLSRPTv1; rua=ftp://x", "v=TLSRPTv1; rua=mailto:a%4",
		"v=TLSRPTv1; rua=mailto:a%0Ab@c", "v=TLSRPTv1 rua=mailto:a@b",
		"v=TLSRPTv1; rua=mailto:nobody", " v=TLSRPTv1; rua=mailto:a@b",
		"v=TLSRPTv1; rua=mailto:a@b,", "v=TLSRPTv1; x; rua=mailto:a@b",
	};
	static const char *const strings[] = { "version: STSv1",
	    "mode: enforce", "mx: *.mail.company-y.example",
	    "max_age: 86400" };
	static const char *const mx[] = { "*.mail.company-y.example" };
	struct tlsrpt_failure f[2] = {
		{ TR_CERT_EXPIRED, "2001:db8:abcd:0012::1",
		    "mx1.mail.company-y.example", NULL, 100 },
		{ TR_STARTTLS_NOT_SUPPORTED, "2001:db8:abcd:0013::1",
		    "mx2.mail.company-y.example", "203.0.113.56", 200 },
	};
	struct tlsrpt_policy p = { TP_STS, "company-y.example", strings, 4,
	    mx, 1, 5326, 303, f, 2 };
	struct tlsrpt_report r = { "Company-X", "sts-reporting@company-x.example",
	    "5065427c-23d3-47ca-b6e0-946ea0e8c4be", 1459468800, 1459555199,
	    &p, 1 };
	struct tlsrpt_rua u;
	struct buf b = BUF_INIT(65536);
	size_t i;
	int good;

	plan(9);
	ok(TXT("v=TLSRPTv1;rua=mailto:reports@example.com", &u) == NULL &&
	    u.n == 1 && !u.https[0] && strcmp(u.uri[0], "reports@example.com")
	    == 0, "3's mailto example");
	ok(TXT("v=TLSRPTv1; rua=https://reporting.example.com/v1/tlsrpt", &u)
	    == NULL && u.n == 1 && u.https[0] && strcmp(u.uri[0],
	    "https://reporting.example.com/v1/tlsrpt") == 0, "3's https example");
	ok(TXT("v=TLSRPTv1 ; rua=mailto:tls%2Brpt@example.org?subject=x , "
	    "urn:x:y,https://r.example/p ; ext_1=v", &u) == NULL && u.n == 2 &&
	    strcmp(u.uri[0], "tls+rpt@example.org") == 0 && u.https[1],
	    "several URIs: %-escapes decoded, a query dropped, another "
	    "scheme skipped, an extension");
	good = 1;
	for (i = 0; i < sizeof bad / sizeof *bad; i++)
		if (TXT(bad[i], &u) == NULL) {
			good = 0;
			printf("# took \"%s\"\n", bad[i]);
		}
	ok(good, "records that are not valid or name no address are refused");
	ok(tlsrpt_json(&b, &r) == 0 && buf_0(&b) == 0, "the report is written");
	is_str(b.p, "{\"organization-name\":\"Company-X\",\"date-range\":"
	    "{\"start-datetime\":\"2016-04-01T00:00:00Z\",\"end-datetime\":"
	    "\"2016-04-01T23:59:59Z\"},\"contact-info\":"
	    "\"sts-reporting@company-x.example\",\"report-id\":"
	    "\"5065427c-23d3-47ca-b6e0-946ea0e8c4be\",\"policies\":[{\"policy\":"
	    "{\"policy-type\":\"sts\",\"policy-string\":[\"version: STSv1\","
	    "\"mode: enforce\",\"mx: *.mail.company-y.example\","
	    "\"max_age: 86400\"],\"policy-domain\":\"company-y.example\","
	    "\"mx-host\":[\"*.mail.company-y.example\"]},\"summary\":"
	    "{\"total-successful-session-count\":5326,"
	    "\"total-failure-session-count\":303},\"failure-details\":"
	    "[{\"result-type\":\"certificate-expired\",\"sending-mta-ip\":"
	    "\"2001:db8:abcd:0012::1\",\"receiving-mx-hostname\":"
	    "\"mx1.mail.company-y.example\",\"failed-session-count\":100},"
	    "{\"result-type\":\"starttls-not-supported\",\"sending-mta-ip\":"
	    "\"2001:db8:abcd:0013::1\",\"receiving-mx-hostname\":"
	    "\"mx2.mail.company-y.example\",\"receiving-ip\":\"203.0.113.56\","
	    "\"failed-session-count\":200}]}]}",
	    "4.4's example report, fields in the RFC's order");
	b.len = 0;
	r.org = "a\"b\\c\n\x80";
	ok(tlsrpt_json(&b, &r) == 0 && buf_0(&b) == 0 &&
	    strncmp(b.p, "{\"organization-name\":\"a\\\"b\\\\c\\u000a\\u0080\"",
	    41) == 0, "strings are escaped");
	b.len = 0;
	f[1].result = TR_N;
	ok(tlsrpt_json(&b, &r) == -1, "an unknown result type is refused");
	f[1].result = TR_STS_WEBPKI_INVALID;
	buf_free(&b);
	b.max = 100;
	ok(tlsrpt_json(&b, &r) == -1, "a report past the buffer's limit fails");
	buf_free(&b);
	return done();
}
