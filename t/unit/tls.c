/* unit tests for lib/tls: PEM and trust anchor loading */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tls.h"
#include "../tap.h"

static const char ca[] =
"-----BEGIN CERTIFICATE-----\n"
"MIIBiDCCAS2gAwIBAgIUcihg4miINI8NvusCleLN+qa3Kl8wCgYIKoZIzj0EAwIw\n"
"GTEXMBUGA1UEAwwOcG9zdGVsLXVuaXQtY2EwHhcNMjYxMTI1MTg1NDIxWhcNMzYx\n"
"MTIyMTg1NDIxWjAZMRcwFQYDVQQDDA5wb3N0ZWwtdW5pdC1jYTBZMBMGByqGSM49\n"
"AgEGCCqGSM49AwEHA0IABP2WFsaVU664GsaJZIVsPOlII1LPCQxtwXcylMxx51lq\n"
"yKF4b/Xr7Rat4iDZBBct7ufnVHxqxs+yuBUrT9g41BWjUzBRMB0GA1UdDgQWBBT3\n"
"2hyO4VIqBvuggzyvL4horcCRJDAfBgNVHSMEGDAWgBT32hyO4VIqBvuggzyvL4ho\n"
"rcCRJDAPBgNVHRMBAf8EBTADAQH/MAoGCCqGSM49BAMCA0kAMEYCIQDi3W1u+qsa\n"
"KeYfceKyAhQFM4E9hBabl6LKMg9j5H77fAIhAKpRdypyDxqGjT1d4Oz+ODtthV/n\n"
"FZ3znccRGJWFgxBA\n"
"-----END CERTIFICATE-----\n";

static char path[64];

static void
file(const char *a, const char *b)
{
	FILE *f = fopen(path, "w");

	fputs(a, f);
	fputs(b, f);
	fclose(f);
}

static int
count(void *arg, const char *name, const unsigned char *der, size_t len)
{
	(void)name;
	(void)der;
	(void)len;
	++*(int *)arg;
	return 0;
}

int
main(void)
{
	struct tls_anchors a = { 0 };
	int fd, n = 0;

	plan(12);
	memcpy(path, "/tmp/postel-tls-unit.XXXXXX", 28);
	if ((fd = mkstemp(path)) == -1)
		return 1;
	close(fd);

	file("# a comment line\n", ca);
	ok(tls_anchors_load(&a, path) == 0, "loads a PEM certificate");
	is_int((long long)a.n, 1, "one anchor");
	ok(a.n == 1 && (a.ta[0].flags & BR_X509_TA_CA), "flagged as a CA");
	ok(a.n == 1 && a.ta[0].pkey.key_type == BR_KEYTYPE_EC, "EC key kept");
	file(ca, ca);
	ok(tls_anchors_load(&a, path) == 0 && a.n == 3, "appends a bundle");
	tls_anchors_free(&a);
	is_int((long long)a.n, 0, "freed");
	tls_anchors_free(&a);

	file("nothing here\n", "");
	ok(tls_anchors_load(&a, path) == -1 && errno == ENOENT,
	    "no certificate: ENOENT");
	file("-----BEGIN CERTIFICATE-----\nMIIB!!!\n", "");
	ok(tls_anchors_load(&a, path) == -1, "broken PEM fails");
	ok(tls_anchors_load(&a, "/nonexistent/ca.pem") == -1 && errno == ENOENT,
	    "missing file fails");
	ok(tls_pem_each(ca, strlen(ca), count, &n) == 0 && n == 1,
	    "tls_pem_each visits one object");
	if (access("/etc/ssl/certs/ca-certificates.crt", R_OK) == 0) {
		ok(tls_anchors_load(&a, "/etc/ssl/certs/ca-certificates.crt")
		    == 0 && a.n > 50, "loads the system bundle");
		tls_anchors_free(&a);
	} else
		ok(1, "# SKIP no system CA bundle");
	ok(tls_anchors_load(&a, path) == -1 && a.n == 0, "nothing left over");
	unlink(path);
	return done();
}
