/*
 * pop3d: the TRANSACTION and UPDATE states (RFC 1939 5, 6) over a pair
 * of bios: the network's in single mode, the relay socket's in split
 * mode. Nothing is removed but at QUIT (postel-pop3d(8), "Maildir").
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "die.h"
#include "fmt.h"
#include "log.h"
#include "pop3d.h"

static struct drop d;
static struct {
	unsigned long retr, dele;
	unsigned long long octets;
} st;

/* The message a command names, or NULL after the refusal. */
static struct dmsg *
msg_arg(struct bio *out, const struct pcmd *c, unsigned long *k)
{
	if (parse_msgno(c->arg, c->alen, d.n, k) == -1) {
		pop3_err(out, c->alen == 0 ? "a message number is needed" :
		    "no such message");
		return NULL;
	}
	if (d.m[*k - 1].dele) {
		pop3_err(out, "message %lu is deleted", *k);
		return NULL;
	}
	return &d.m[*k - 1];
}

/* LIST or UIDL: one message, or all not deleted. */
static void
listing(struct bio *out, const struct pcmd *c)
{
	char uid[72], line[128];
	unsigned long k;
	size_t i;

	if (c->alen) {
		struct dmsg *m = msg_arg(out, c, &k);
		if (m == NULL)
			return;
		if (c->verb == V_LIST) {
			pop3_put(out, "+OK %lu %llu", k, m->size);
		} else {
			drop_uid(&d, k - 1, uid);
			pop3_put(out, "+OK %lu %s", k, uid);
		}
		return;
	}
	pop3_put(out, "+OK %s", c->verb == V_LIST ? "scan listing follows" :
	    "unique-id listing follows");
	for (i = 0; i < d.n; i++) {
		if (d.m[i].dele)
			continue;
		if (c->verb == V_LIST) {
			fmt_s(line, sizeof line, "%zu %llu\r\n", i + 1,
			    d.m[i].size);
		} else {
			drop_uid(&d, i, uid);
			fmt_s(line, sizeof line, "%zu %s\r\n", i + 1, uid);
		}
		if (bio_puts(out, line) == -1)
			return;
	}
	bio_puts(out, ".\r\n");
}

/* RETR and TOP. */
static int
retrieve(struct bio *out, const struct pcmd *c)
{
	struct dmsg *m;
	unsigned long k;
	unsigned long long lines = 0;
	int fd, r;

	if (c->verb == V_TOP) {
		if (parse_top(c->arg, c->alen, d.n, &k, &lines) == -1) {
			pop3_err(out, "usage: TOP message lines");
			return 0;
		}
		if (d.m[k - 1].dele) {
			pop3_err(out, "message %lu is deleted", k);
			return 0;
		}
		m = &d.m[k - 1];
	} else if ((m = msg_arg(out, c, &k)) == NULL)
		return 0;
	if ((fd = drop_msgfd(&d, k - 1)) == -1) {
		if (errno == ENOENT)
			pop3_err(out, "message %lu was removed by another "
			    "reader", k);
		else
			pop3_put(out, "-ERR [SYS/TEMP] unable to read message "
			    "%lu: %s", k, strerror(errno));
		return 0;
	}
	if (c->verb == V_TOP)
		pop3_put(out, "+OK top of message follows");
	else
		pop3_put(out, "+OK %llu octets", m->size);
	r = drop_send(out, fd, c->verb == V_TOP ? (long long)(lines >
	    (1ULL << 62) ? 1ULL << 62 : lines) : -1);
	close(fd);
	if (r == -1)
		return -1;
	if (c->verb == V_RETR) {
		st.retr++;
		st.octets += m->size;
	}
	return 0;
}

static void
logout(const struct mailbox *mb, const char *end)
{
	struct logl l;

	log_start(&l, "logout");
	log_kv(&l, "sid", pop3.sid);
	log_kv(&l, "user", mb->login);
	log_kv(&l, "end", end);
	log_kvu(&l, "retrieved", st.retr);
	log_kvu(&l, "deleted", st.dele);
	log_kvu(&l, "octets", st.octets);
	log_end(&l);
}

/* QUIT: the UPDATE state. */
static int
update(const struct mailbox *mb, struct bio *out)
{
	size_t i, marked = 0, bad;

	for (i = 0; i < d.n; i++)
		marked += d.m[i].dele;
	bad = marked ? drop_commit(&d) : 0;
	st.dele = marked - bad;
	if (bad)
		pop3_put(out, "-ERR [SYS/TEMP] %zu of %zu deleted messages "
		    "could not be removed", bad, marked);
	else
		pop3_put(out, "+OK %s POP3 server signing off (%zu messages "
		    "removed)", pop3.me, marked);
	bio_flush(out);
	logout(mb, "quit");
	return bad ? EXIT_TEMP : 0;
}

static void
stat_drop(struct bio *out)
{
	size_t i, n = 0;

	for (i = 0; i < d.n; i++)
		n += !d.m[i].dele;
	pop3_put(out, "+OK %zu %llu", n, d.octets);
}

int
session_run(const struct mailbox *mb, struct bio *in, struct bio *out)
{
	char line[POP3_LINE_MAX + 1];
	struct logl l;
	struct pcmd c;
	const char *why;
	unsigned long k;
	size_t i;
	int r;

	if (drop_open(&d, mb->maildir) == -1) {
		if (errno == EWOULDBLOCK)
			pop3_put(out, "-ERR [IN-USE] mailbox in use by another "
			    "POP3 session");
		else
			pop3_put(out, "-ERR [SYS/TEMP] unable to open the "
			    "mailbox: %s", strerror(errno));
		bio_flush(out);
		log_start(&l, "maildrop");
		log_kv(&l, "sid", pop3.sid);
		log_kv(&l, "user", mb->login);
		log_kv(&l, "error", errno == EWOULDBLOCK ? "in use" :
		    strerror(errno));
		log_end(&l);
		return EXIT_TEMP;
	}
	log_start(&l, "maildrop");
	log_kv(&l, "sid", pop3.sid);
	log_kv(&l, "user", mb->login);
	log_kvu(&l, "messages", d.n);
	log_kvu(&l, "octets", d.octets);
	log_kvu(&l, "moved", d.moved);
	if (d.more)
		log_kvu(&l, "more", d.more);
	if (d.skipped)
		log_kvu(&l, "skipped", d.skipped);
	log_end(&l);
	pop3_put(out, "+OK %s has %zu messages (%llu octets)", mb->login, d.n,
	    d.octets);
	for (;;) {
		if ((r = pop3_cmd(in, out, line, sizeof line, &c)) <= 0) {
			logout(mb, r == 0 ? "drop" : errno == ETIMEDOUT ?
			    "timeout" : errno == EMLINK ? "errors" : "drop");
			return EXIT_TEMP;
		}
		if (r == 2)
			continue;       /* refused already */
		switch (c.verb) {
		case V_CAPA:
			pop3_capa(out, 1);
			break;
		case V_STAT:
			stat_drop(out);
			break;
		case V_LIST:
		case V_UIDL:
			listing(out, &c);
			break;
		case V_RETR:
		case V_TOP:
			if (retrieve(out, &c) == -1) {
				logout(mb, "drop");
				return EXIT_TEMP;
			}
			break;
		case V_DELE:
			if (msg_arg(out, &c, &k) == NULL)
				break;
			d.m[k - 1].dele = 1;
			d.octets -= d.m[k - 1].size;
			pop3_put(out, "+OK message %lu deleted", k);
			break;
		case V_RSET:
			for (i = 0; i < d.n; i++)
				if (d.m[i].dele) {
					d.m[i].dele = 0;
					d.octets += d.m[i].size;
				}
			pop3_put(out, "+OK %zu messages", d.n);
			break;
		case V_NOOP:
			pop3_put(out, "+OK");
			break;
		case V_QUIT:
			return update(mb, out);
		case V_UNKNOWN:
			pop3_err(out, "unknown command");
			break;
		default:
			why = c.verb == V_STLS ? "STLS only before login" :
			    "already logged in";
			pop3_err(out, "%s", why);
		}
	}
}
