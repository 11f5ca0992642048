/*
 * tlsrpt: the texts of SMTP TLS Reporting (RFC 8460): the _smtp._tls
 * TXT record that says where a domain wants its reports (3), and the
 * aggregate report in JSON (4). Pure functions: counting the sessions,
 * gzip and sending are the caller's. The record parser returns NULL or a
 * reason in words; the report writer appends to a bounded struct buf.
 */
#ifndef POSTEL_TLSRPT_H
#define POSTEL_TLSRPT_H

#include <stddef.h>

#include "buf.h"

#define TLSRPT_RUA_MAX 8                /* report addresses kept */
#define TLSRPT_URI_MAX 512

struct tlsrpt_rua {
	int https[TLSRPT_RUA_MAX];      /* 1: an https: URI to POST to */
	char uri[TLSRPT_RUA_MAX][TLSRPT_URI_MAX + 1];  /* mailto: as the
	                                   decoded address; https: whole */
	size_t n;
};

/* The report addresses of a record "v=TLSRPTv1; rua=URI[,URI...]": NULL
 * and rua filled (URIs of other schemes are skipped, as 3 allows), or
 * why the record is not a valid TLSRPTv1 record or names no address
 * postel can use. */
const char *tlsrpt_txt_parse(const char *rec, size_t n,
    struct tlsrpt_rua *rua);

/* The RFC 8460 4.3 result types */
enum tlsrpt_result {
	TR_STARTTLS_NOT_SUPPORTED, TR_CERT_HOST_MISMATCH, TR_CERT_EXPIRED,
	TR_CERT_NOT_TRUSTED, TR_VALIDATION_FAILURE, TR_TLSA_INVALID,
	TR_DNSSEC_INVALID, TR_DANE_REQUIRED, TR_STS_FETCH_ERROR,
	TR_STS_INVALID, TR_STS_WEBPKI_INVALID, TR_N
};
/* "starttls-not-supported", ...; NULL out of range */
const char *tlsrpt_result_name(enum tlsrpt_result r);

enum tlsrpt_ptype { TP_STS, TP_TLSA, TP_NONE };  /* 4.4 policy-type */

struct tlsrpt_failure {
	enum tlsrpt_result result;
	const char *sending_ip;         /* this host's address, or NULL */
	const char *mx;                 /* receiving-mx-hostname, or NULL */
	const char *receiving_ip;       /* or NULL */
	unsigned long long count;
};

struct tlsrpt_policy {
	enum tlsrpt_ptype type;
	const char *domain;             /* policy-domain */
	const char *const *strings;     /* policy-string lines */
	size_t nstrings;
	const char *const *mx;          /* mx-host patterns (sts) */
	size_t nmx;
	unsigned long long ok, failed;  /* sessions */
	const struct tlsrpt_failure *f;
	size_t nf;
};

struct tlsrpt_report {
	const char *org;                /* organization-name */
	const char *contact;            /* contact-info */
	const char *id;                 /* report-id */
	long long start, end;           /* date-range, seconds since 1970 */
	const struct tlsrpt_policy *p;
	size_t np;
};

/* Append the report as JSON (RFC 8460 4.4, RFC 8259) to b: 0, or -1
 * (errno EMSGSIZE past b's limit, ENOMEM, EINVAL for a result type or
 * policy type out of range). Strings are escaped; bytes outside
 * printable ASCII become \u00XX of their value. */
int tlsrpt_json(struct buf *b, const struct tlsrpt_report *r);

#endif
