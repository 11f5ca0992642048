/*
 * qrun heap: the waiting messages in a binary heap ordered by their next
 * attempt time, so picking the next thing to do costs O(log n) and never
 * a rescan of the queue (postel-qrun(8)). Each message knows its index,
 * so one made due moves up in place.
 */
#include <stdint.h>

#include "array.h"
#include "die.h"
#include "qrun.h"

static void
swap(struct heap *h, size_t a, size_t b)
{
	struct msg *t = h->v[a];

	h->v[a] = h->v[b];
	h->v[b] = t;
	h->v[a]->hi = a;
	h->v[b]->hi = b;
}

static void
up(struct heap *h, size_t i)
{
	while (i > 0 && h->v[(i - 1) / 2]->next > h->v[i]->next) {
		swap(h, i, (i - 1) / 2);
		i = (i - 1) / 2;
	}
}

static void
down(struct heap *h, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, s = i;
		if (l < h->n && h->v[l]->next < h->v[s]->next)
			s = l;
		if (r < h->n && h->v[r]->next < h->v[s]->next)
			s = r;
		if (s == i)
			return;
		swap(h, i, s);
		i = s;
	}
}

void
heap_push(struct heap *h, struct msg *m)
{
	struct msg **nv;

	if ((nv = array_grow(h->v, &h->cap, h->n + 1, sizeof *nv)) == NULL)
		die_sys(EXIT_TEMP, "unable to grow the schedule");
	h->v = nv;
	h->v[h->n] = m;
	m->hi = h->n++;
	up(h, m->hi);
}

struct msg *
heap_top(const struct heap *h)
{
	return h->n ? h->v[0] : NULL;
}

struct msg *
heap_pop(struct heap *h)
{
	struct msg *m;

	if (h->n == 0)
		return NULL;
	swap(h, 0, h->n - 1);
	m = h->v[--h->n];
	m->hi = SIZE_MAX;
	if (h->n)
		down(h, 0);
	return m;
}

void
heap_due(struct heap *h, struct msg *m)
{
	m->next = 0;
	if (m->hi < h->n)
		up(h, m->hi);
}
