/* unit tests for lib/dkimkey.c: DKIM key records (RFC 6376 3.6.1) */
#include <string.h>

#include "dkimkey.h"
#include "../tap.h"

static struct dkimkey k;

static const char *
P(const char *s)
{
	return dkimkey_parse(&k, s, strlen(s));
}

int
main(void)
{
	plan(16);
	/* "0\x81\x9f0\r" begins an RSA SubjectPublicKeyInfo */
	ok(P("v=DKIM1; k=rsa; p=MIGfMA0G") == NULL, "a plain record");
	ok(k.type == DKIMKEY_RSA && k.keylen == 6 &&
	    memcmp(k.key, "0\x81\x9f" "0\r\x06", 6) == 0, "p= decoded");
	ok(k.hashes == (DKIMKEY_SHA1 | DKIMKEY_SHA256) && !k.testing &&
	    !k.strict && !k.revoked, "defaults: every hash, no flags");
	ok(P("p=MIGf\r\n MA0G") == NULL && k.keylen == 6,
	    "FWS inside p= is dropped");
	ok(P("k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=")
	    == NULL && k.type == DKIMKEY_ED25519 && k.keylen == 32,
	    "an Ed25519 key (RFC 8463 A.2)");
	ok(P("v=DKIM1; p=") == NULL && k.revoked && k.keylen == 0,
	    "an empty p= is a revoked key");
	ok(P("v=DKIM1; h=sha256; t=y:s; p=MIGf") == NULL &&
	    k.hashes == DKIMKEY_SHA256 && k.testing && k.strict,
	    "h= and the flags of t=");
	ok(P("h= sha1 : sha256 ; p=MIGf") == NULL &&
	    k.hashes == (DKIMKEY_SHA1 | DKIMKEY_SHA256),
	    "white space around h= items");
	ok(P("t=x:y; p=MIGf") == NULL && k.testing && !k.strict,
	    "unknown flags are ignored");
	ok(P("s=email; p=MIGf") == NULL, "s=email serves email");
	ok(P("s=*; p=MIGf") == NULL, "s=* too");
	ok(P("s=tls; p=MIGf") != NULL, "s=tls does not");
	ok(P("p=MIGf; v=DKIM1") != NULL, "v= must come first");
	ok(P("v=DKIM2; p=MIGf") != NULL, "v= must be DKIM1");
	ok(P("v=DKIM1; k=rsa") != NULL, "p= is required");
	ok(P("p=M!Gf") != NULL, "p= must be base64");
	return done();
}
