/*
 * postel dkim-keygen [-b bits] DOMAIN SELECTOR: a new RSA key for DKIM
 * signing (RFC 6376, RFC 8301) in conf/dkim/DOMAIN.SELECTOR.key, PEM
 * "RSA PRIVATE KEY", mode 0600, owned by the queue user whom remote runs
 * as; then the DNS record to publish and the conf/dkim-sign line to add,
 * on stdout. An existing key is never replaced: a selector's key changes
 * by a new selector (postel-remote(8), DKIM).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bearssl.h>

#include "addr.h"
#include "conf.h"
#include "die.h"
#include "dkim.h"
#include "dkimconf.h"
#include "fd.h"
#include "fmt.h"
#include "postel.h"
#include "sasl.h"

#define KEYDIR "dkim"                   /* under conf/ */
#define PUBEXP 65537
#define DER_MAX (DKIM_BITS_MAX / 8 * 5 + 64)    /* the raw private key */
#define SPKI_MAX (DKIM_BITS_MAX / 8 + 64)
#define TXT_STRING_MAX 255              /* RFC 1035 3.3.14 */

/* Secrets, wiped on every way out. */
static struct {
	br_hmac_drbg_context rng;
	unsigned char kpriv[BR_RSA_KBUF_PRIV_SIZE(DKIM_BITS_MAX)];
	unsigned char d[DKIM_BITS_MAX / 8];
	unsigned char der[DER_MAX];
	char pem[DER_MAX * 2];
} s;

static void
wipe(void)
{
	explicit_bzero(&s, sizeof s);
}

_Noreturn static void
usage(void)
{
	die(EXIT_PERM, "usage: postel dkim-keygen [-b bits] DOMAIN SELECTOR");
}

/* A DER length (X.690 8.1.3) into p: the octets used. */
static size_t
der_len(unsigned char *p, size_t n)
{
	if (n < 0x80) {
		p[0] = (unsigned char)n;
		return 1;
	}
	if (n < 0x100) {
		p[0] = 0x81;
		p[1] = (unsigned char)n;
		return 2;
	}
	p[0] = 0x82;
	p[1] = (unsigned char)(n >> 8);
	p[2] = (unsigned char)n;
	return 3;
}

/* A positive INTEGER of the big-endian x[0..n) into p: octets used. */
static size_t
der_int(unsigned char *p, const unsigned char *x, size_t n)
{
	size_t k = 0, pad;

	while (n > 1 && x[0] == 0)
		x++, n--;
	pad = x[0] & 0x80 ? 1 : 0;
	p[k++] = 0x02;
	k += der_len(p + k, n + pad);
	if (pad)
		p[k++] = 0;
	memcpy(p + k, x, n);
	return k + n;
}

/* The SubjectPublicKeyInfo of pk (RFC 5280 4.1.2.7, RFC 3279 2.3.1),
 * which p= holds (RFC 6376 3.6.1), into out: its length. */
static size_t
spki(unsigned char *out, const br_rsa_public_key *pk)
{
	static const unsigned char alg[] = {    /* rsaEncryption, NULL */
		0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d,
		0x01, 0x01, 0x01, 0x05, 0x00
	};
	unsigned char ints[SPKI_MAX], rsa[SPKI_MAX], bits[SPKI_MAX];
	size_t ni, nr = 0, nb = 0, k = 0;

	ni = der_int(ints, pk->n, pk->nlen);
	ni += der_int(ints + ni, pk->e, pk->elen);
	rsa[nr++] = 0x30;                       /* RSAPublicKey */
	nr += der_len(rsa + nr, ni);
	memcpy(rsa + nr, ints, ni);
	nr += ni;
	bits[nb++] = 0x03;                      /* BIT STRING, no unused bits */
	nb += der_len(bits + nb, nr + 1);
	bits[nb++] = 0;
	memcpy(bits + nb, rsa, nr);
	nb += nr;
	out[k++] = 0x30;
	k += der_len(out + k, sizeof alg + nb);
	memcpy(out + k, alg, sizeof alg);
	k += sizeof alg;
	memcpy(out + k, bits, nb);
	return k + nb;
}

/* The owner of queue/, whom remote runs as; -1 if not root or unknown. */
static void
queue_owner(uid_t *uid, gid_t *gid)
{
	char path[PATH_MAX];
	struct stat sb;

	*uid = (uid_t)-1;
	*gid = (gid_t)-1;
	if (geteuid() != 0)
		return;
	if (conf_path(path, sizeof path, "queue") == -1 ||
	    stat(path, &sb) == -1)
		die_sys(EXIT_TEMP, "unable to find %s/queue, whose owner the "
		    "key is for", conf_root());
	*uid = sb.st_uid;
	*gid = sb.st_gid;
}

/* conf/dkim, made if missing: only the queue user reads keys. */
static int
key_dir(char *dir, size_t size, uid_t uid, gid_t gid)
{
	int fd;

	if (conf_file(dir, size, KEYDIR) == -1)
		die(EXIT_TEMP, "path of %s/conf/%s too long", conf_root(),
		    KEYDIR);
	if (mkdir(dir, 0700) == 0) {
		if (uid != (uid_t)-1 && chown(dir, uid, gid) == -1)
			die_sys(EXIT_TEMP, "unable to chown %s", dir);
	} else if (errno != EEXIST)
		die_sys(EXIT_TEMP, "unable to create %s", dir);
	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		die_sys(EXIT_TEMP, "unable to open %s", dir);
	return fd;
}

/* The key in PEM into dir/name: a temporary file written and synced,
 * then linked to its name, which fails rather than replace a key. */
static void
write_key(int dfd, const char *dir, const char *name, const char *pem,
    size_t n, uid_t uid, gid_t gid)
{
	char tmp[NAME_MAX + 1];
	int fd;

	if (fmt_s(tmp, sizeof tmp, ".%s.%ld", name, (long)getpid()) < 0)
		die(EXIT_PERM, "key name %s too long", name);
	fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
	    O_CLOEXEC, 0600);
	if (fd == -1)
		die_sys(EXIT_TEMP, "unable to create %s/%s", dir, tmp);
	if ((uid != (uid_t)-1 && fchown(fd, uid, gid) == -1) ||
	    fchmod(fd, 0600) == -1 || fd_write_all(fd, pem, n) == -1 ||
	    fsync(fd) == -1 || close(fd) == -1) {
		int e = errno;
		unlinkat(dfd, tmp, 0);
		errno = e;
		die_sys(EXIT_TEMP, "unable to write %s/%s", dir, tmp);
	}
	if (linkat(dfd, tmp, dfd, name, 0) == -1) {
		int e = errno;
		unlinkat(dfd, tmp, 0);
		errno = e;
		if (errno == EEXIST)
			die(EXIT_PERM, "%s/%s exists: not replaced (use a new "
			    "selector)", dir, name);
		die_sys(EXIT_TEMP, "unable to link %s/%s", dir, name);
	}
	if (unlinkat(dfd, tmp, 0) == -1 || fsync(dfd) == -1)
		die_sys(EXIT_TEMP, "unable to sync %s", dir);
}

/* The TXT record (RFC 6376 3.6.2.2), its strings at most 255 octets. */
static void
print_record(const char *dom, const char *sel, const char *p64)
{
	size_t n = strlen(p64), k, first = TXT_STRING_MAX - 2;

	printf("# publish in DNS:\n%s._domainkey.%s. IN TXT ( "
	    "\"v=DKIM1; k=rsa; \"\n\t\"p=%.*s\"", sel, dom,
	    (int)(n < first ? n : first), p64);
	for (k = first; k < n; k += TXT_STRING_MAX)
		printf("\n\t\"%.*s\"", TXT_STRING_MAX, p64 + k);
	printf(" )\n");
}

int
cmd_dkim_keygen(int argc, char **argv)
{
	static unsigned char kpub[BR_RSA_KBUF_PUB_SIZE(DKIM_BITS_MAX)];
	unsigned char pub[SPKI_MAX];
	char p64[SPKI_MAX * 2], dom[ADDR_DOMAIN_MAX + 1], dir[PATH_MAX],
	    name[NAME_MAX + 1];
	const char *why, *sel;
	br_rsa_private_key sk;
	br_rsa_public_key pk;
	br_prng_seeder seeder;
	unsigned long bits = 2048;
	size_t i, dlen, n, np;
	uid_t uid;
	gid_t gid;
	int c, dfd;
	char *end;

	optind = 1;
	while ((c = getopt(argc, argv, "b:")) != -1) {
		if (c != 'b')
			usage();
		errno = 0;
		bits = strtoul(optarg, &end, 10);
		if (errno || *end || end == optarg || bits < DKIM_BITS_MIN ||
		    bits > DKIM_BITS_MAX)
			die(EXIT_PERM, "-b %s: the size in bits, %d to %d",
			    optarg, DKIM_BITS_MIN, DKIM_BITS_MAX);
	}
	if (argc - optind != 2)
		usage();
	why = argv[optind][0] == '[' ? "an address literal" :
	    addr_domain_check(argv[optind], strlen(argv[optind]), 0);
	if (why != NULL)
		die(EXIT_PERM, "bad domain: %s", why);
	for (i = 0; argv[optind][i]; i++)
		dom[i] = (char)(argv[optind][i] >= 'A' && argv[optind][i] <= 'Z'
		    ? argv[optind][i] + 32 : argv[optind][i]);
	dom[i] = '\0';
	sel = argv[optind + 1];
	if (strlen(sel) > DKIMCONF_SEL_MAX || sel[0] == '[' ||
	    addr_domain_check(sel, strlen(sel), 0) != NULL)
		die(EXIT_PERM, "bad selector %.80s: letters, digits, hyphens "
		    "and dots, at most %d", sel, DKIMCONF_SEL_MAX);
	if (fmt_s(name, sizeof name, "%s.%s.key", dom, sel) < 0)
		die(EXIT_PERM, "key name for %s and %s too long", dom, sel);
	queue_owner(&uid, &gid);
	dfd = key_dir(dir, sizeof dir, uid, gid);
	if (faccessat(dfd, name, F_OK, AT_SYMLINK_NOFOLLOW) == 0)
		die(EXIT_PERM, "%s/%s exists: not replaced (use a new "
		    "selector)", dir, name);

	atexit(wipe);
	br_hmac_drbg_init(&s.rng, &br_sha256_vtable, NULL, 0);
	if ((seeder = br_prng_seeder_system(NULL)) == NULL ||
	    !seeder(&s.rng.vtable))
		die(EXIT_TEMP, "unable to seed the random generator");
	if (!br_rsa_keygen_get_default()(&s.rng.vtable, &sk, s.kpriv, &pk,
	    kpub, (unsigned)bits, PUBEXP))
		die(EXIT_TEMP, "unable to make a %lu-bit RSA key", bits);
	if ((dlen = br_rsa_compute_privexp_get_default()(s.d, &sk, PUBEXP))
	    == 0)
		die(EXIT_TEMP, "unable to compute the private exponent");
	n = br_encode_rsa_raw_der(NULL, &sk, &pk, s.d, dlen);
	if (n == 0 || n > sizeof s.der ||
	    br_encode_rsa_raw_der(s.der, &sk, &pk, s.d, dlen) != n)
		die(EXIT_TEMP, "unable to encode the key");
	np = br_pem_encode(NULL, s.der, n, "RSA PRIVATE KEY", 0);
	if (np == 0 || np >= sizeof s.pem ||
	    br_pem_encode(s.pem, s.der, n, "RSA PRIVATE KEY", 0) != np)
		die(EXIT_TEMP, "unable to encode the key");
	write_key(dfd, dir, name, s.pem, np, uid, gid);
	close(dfd);
	n = spki(pub, &pk);
	if (sasl_b64_encode(p64, sizeof p64, pub, n) == -1)
		die(EXIT_TEMP, "unable to encode the public key");
	print_record(dom, sel, p64);
	printf("# then add to %s/conf/%s:\n%s %s %s/%s\n", conf_root(),
	    DKIMCONF_FILE, dom, sel, KEYDIR, name);
	if (fflush(stdout) == EOF || ferror(stdout))
		die_sys(EXIT_TEMP, "key written to %s/%s, but unable to print "
		    "its record", dir, name);
	return 0;
}
