/* unit tests for lib/tls_server: loading a chain and a key (PKCS#8 and
 * SEC 1), refusals, and a handshake with lib/tls's client over a
 * socketpair, data both ways, SNI seen by the server. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bio.h"
#include "tls_server.h"
#include "../tap.h"

static const char cert[] =
"-----BEGIN CERTIFICATE-----\n"
"MIIBjjCCATOgAwIBAgIUaqv3WKuo+4meMR40EuPdGS8ZqmMwCgYIKoZIzj0EAwIw\n"
"HDEaMBgGA1UEAwwRdW5pdC5leGFtcGxlLnRlc3QwHhcNMjYxMTI1MTkxOTIyWhcN\n"
"MzYxMTIyMTkxOTIyWjAcMRowGAYDVQQDDBF1bml0LmV4YW1wbGUudGVzdDBZMBMG\n"
"ByqGSM49AgEGCCqGSM49AwEHA0IABCoFf9eWBk951jWR1vqcghEIAJb474G7uvDz\n"
"yCSLdRQbJSef2ebBUJNPIhW8XATa6/7FXjxKk2OmL4VrzLnVtLGjUzBRMB0GA1Ud\n"
"DgQWBBRmn8vLoZIPOZ9sboGVxzoQmY2jazAfBgNVHSMEGDAWgBRmn8vLoZIPOZ9s\n"
"boGVxzoQmY2jazAPBgNVHRMBAf8EBTADAQH/MAoGCCqGSM49BAMCA0kAMEYCIQCw\n"
"kYMdvrEDRlXAZYSOHp2rdIfXdTK/ZOvvnyM/CE6DAQIhAMSqZQ7rckjH4RYnZbSW\n"
"TdMCes2J/uxsLRknZJ6aNK/5\n"
"-----END CERTIFICATE-----\n"
;

static const char key8[] =
"-----BEGIN PRIVATE KEY-----\n"
"MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgjlqEcSP718+haDVh\n"
"QRIaCs7ocRRnuaIiBbKBoVIGqOWhRANCAAQqBX/XlgZPedY1kdb6nIIRCACW+O+B\n"
"u7rw88gki3UUGyUnn9nmwVCTTyIVvFwE2uv+xV48SpNjpi+Fa8y51bSx\n"
"-----END PRIVATE KEY-----\n"
;

static const char keysec1[] =
"-----BEGIN EC PRIVATE KEY-----\n"
"MHcCAQEEII5ahHEj+9fPoWg1YUESGgrO6HEUZ7miIgWygaFSBqjloAoGCCqGSM49\n"
"AwEHoUQDQgAEKgV/15YGT3nWNZHW+pyCEQgAlvjvgbu68PPIJIt1FBslJ5/Z5sFQ\n"
"k08iFbxcBNrr/sVePEqTY6YvhWvMudW0sQ==\n"
"-----END EC PRIVATE KEY-----\n"
;

static const char key384[] =
"-----BEGIN EC PRIVATE KEY-----\n"
"MIGkAgEBBDA7eCU9AswZ6DNAqQHtO82fcDNG/IJooJjLtG2cl1ieqWsU3ew7w/My\n"
"beyHtxwO1LSgBwYFK4EEACKhZANiAASdYoJSRA3PWvewrWu6I0SftKt5umFr5o25\n"
"qYK3J1MhJiPWYnDsNiIP1Ypl0HxrDGWCwtz16pA+srrc7JDPA7TBnGnNZ4qBYTuI\n"
"wXlPbzKpy5h0wlgXmG/VE0s42j4rD0A=\n"
"-----END EC PRIVATE KEY-----\n"
;

static char dir[64];

static const char *
file(const char *name, const char *a, const char *b)
{
	static char path[16][128];
	static int k;
	char *p = path[k++ % 16];
	FILE *f;

	snprintf(p, 128, "%s/%s", dir, name);
	if ((f = fopen(p, "w")) == NULL)
		exit(1);
	fputs(a, f);
	if (b)
		fputs(b, f);
	fclose(f);
	return p;
}

static struct tls_server srv;
static struct tls_client cli;

/* The server in a child: handshake, read "ping\r\n", answer with the SNI
 * name; exit 0 only if all went well. */
static void
server(int fd, const struct tls_server_cred *c)
{
	struct bio in, out;
	char ib[256], ob[256], line[64];
	size_t len;

	if (tls_server_start(&srv, c, fd, bio_now() + 5000) == -1)
		_exit(2);
	bio_init(&in, fd, tls_bio_read, ib, sizeof ib);
	bio_init(&out, fd, tls_bio_write, ob, sizeof ob);
	in.ctx = out.ctx = &srv.t;
	in.deadline = out.deadline = bio_now() + 5000;
	if (bio_getline(&in, line, sizeof line, &len) != 1 || len != 6 ||
	    memcmp(line, "ping\r\n", 6) != 0)
		_exit(3);
	if (bio_puts(&out, tls_server_sni(&srv)) == -1 ||
	    bio_puts(&out, "\n") == -1 || bio_flush(&out) == -1)
		_exit(4);
	tls_close(&srv.t, bio_now() + 1000);
	_exit(0);
}

int
main(void)
{
	struct tls_server_cred c;
	const char *why = NULL, *cp, *kp;
	struct bio in, out;
	char ib[256], ob[256], line[64];
	size_t len;
	int sv[2], st;
	pid_t pid;

	plan(13);
	signal(SIGPIPE, SIG_IGN);
	snprintf(dir, sizeof dir, "/tmp/tls_server-unit.XXXXXX");
	if (mkdtemp(dir) == NULL)
		return 1;
	cp = file("c.pem", cert, NULL);
	kp = file("k8.pem", key8, NULL);
	ok(tls_server_load(&c, cp, kp, &why) == 0, "EC chain and PKCS#8 key");
	is_str(tls_server_keydesc(&c), "EC-P256", "key described");
	ok(c.nchain == 1, "one certificate");
	tls_server_free(&c);
	ok(c.keybuf == NULL && c.nchain == 0, "free clears");
	ok(tls_server_load(&c, cp, file("ks.pem", keysec1, NULL), &why) == 0,
	    "SEC 1 key");
	tls_server_free(&c);
	ok(tls_server_load(&c, file("x", "", NULL), kp, &why) == -1 &&
	    errno == EINVAL, "empty certificate file refused");
	ok(tls_server_load(&c, cp, file("n", "\n", NULL), &why) == -1 &&
	    strstr(why, "no private key") != NULL, "key file without a key");
	ok(tls_server_load(&c, cp, file("k384.pem", key384, NULL), &why) == -1
	    && strstr(why, "curve") != NULL, "key of another curve refused");
	ok(tls_server_load(&c, cp, "/nonexistent/key", &why) == -1 &&
	    errno == ENOENT, "missing key file");
	ok(tls_server_load(&c, cp, file("kk", key8, key8), &why) == -1,
	    "two keys in one file refused");

	/* a handshake with lib/tls's client */
	if (tls_server_load(&c, cp, kp, &why) == -1 ||
	    socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == -1 ||
	    (pid = fork()) == -1)
		return 1;
	if (pid == 0) {
		close(sv[0]);
		server(sv[1], &c);
	}
	close(sv[1]);
	ok(tls_client_start(&cli, sv[0], "unit.example.test", NULL,
	    TLS_NOVERIFY, bio_now() + 5000) == 0 &&
	    strcmp(tls_cipher(&cli.t), "ECDHE-ECDSA-AES256-GCM-SHA384") == 0,
	    "handshake with the server's first suite");
	bio_init(&in, sv[0], tls_bio_read, ib, sizeof ib);
	bio_init(&out, sv[0], tls_bio_write, ob, sizeof ob);
	in.ctx = out.ctx = &cli.t;
	in.deadline = out.deadline = bio_now() + 5000;
	in.flush = &out;
	bio_puts(&out, "ping\r\n");
	ok(bio_getline(&in, line, sizeof line, &len) == 1 && len == 18 &&
	    memcmp(line, "unit.example.test\n", 18) == 0,
	    "data both ways; the server saw the SNI name");
	while (waitpid(pid, &st, 0) == -1 && errno == EINTR)
		;
	is_int(WIFEXITED(st) ? WEXITSTATUS(st) : -1, 0, "server side succeeded");
	tls_server_free(&c);
	close(sv[0]);
	unlink(file("c.pem", "", NULL));
	{
		const char *names[] = { "c.pem", "k8.pem", "ks.pem", "x", "n",
		    "k384.pem", "kk" };
		char p[128];
		size_t i;
		for (i = 0; i < sizeof names / sizeof names[0]; i++) {
			snprintf(p, sizeof p, "%s/%s", dir, names[i]);
			unlink(p);
		}
	}
	rmdir(dir);
	return done();
}
