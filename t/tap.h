/* tap: a tiny TAP producer for C unit tests (t/unit/). */
#ifndef POSTEL_TAP_H
#define POSTEL_TAP_H

#include <stdio.h>
#include <string.h>

static int tap_n, tap_fail, tap_plan;

static __attribute__((unused)) void
plan(int n)
{
	tap_plan = n;
	printf("1..%d\n", n);
}

static __attribute__((unused)) int
ok_(int cond, const char *name, const char *file, int line)
{
	tap_n++;
	printf("%sok %d - %s\n", cond ? "" : "not ", tap_n, name);
	if (!cond) {
		tap_fail++;
		printf("#   failed at %s:%d\n", file, line);
	}
	return cond;
}
#define ok(c, name) ok_((c) ? 1 : 0, (name), __FILE__, __LINE__)

static __attribute__((unused)) int
is_str_(const char *got, const char *want, const char *name, const char *f,
    int l)
{
	int c = got && want && strcmp(got, want) == 0;
	ok_(c, name, f, l);
	if (!c)
		printf("#   got '%s', want '%s'\n", got ? got : "(null)",
		    want ? want : "(null)");
	return c;
}
#define is_str(g, w, n) is_str_((g), (w), (n), __FILE__, __LINE__)

static __attribute__((unused)) int
is_int_(long long got, long long want, const char *name, const char *f, int l)
{
	ok_(got == want, name, f, l);
	if (got != want)
		printf("#   got %lld, want %lld\n", got, want);
	return got == want;
}
#define is_int(g, w, n) is_int_((g), (w), (n), __FILE__, __LINE__)

static __attribute__((unused)) int
done(void)
{
	if (tap_n != tap_plan)
		printf("# planned %d, ran %d\n", tap_plan, tap_n);
	return tap_fail || tap_n != tap_plan;
}

#endif
