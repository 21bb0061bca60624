/*
 * stats/servers.c: the server names clients asked for.  A name counts
 * each connection that asked once; ended connections' packets and bytes
 * add to it, open ones are counted in when the list is drawn; the table
 * stays within its cap and counts the names it let go.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "stats.h"

static void
test_names(void)
{
	struct srv_tab s;
	struct flow_tab ft;
	struct flow *f;
	struct srv_top *top;
	struct flow_key k;
	uint64_t a, b, c;
	size_t n;
	char longname[400];

	srv_init(&s, 16);
	flow_init(&ft, 16);
	a = srv_note(&s, "www.example.com", 15);
	b = srv_note(&s, "www.example.com", 15);
	c = srv_note(&s, "api.example.net", 15);
	CHECK("servers: a name has one id", a != 0 && a == b && a != c);
	CHECK("servers: the id gives the name back",
	    strcmp(srv_name(&s, a), "www.example.com") == 0 &&
		strcmp(srv_name(&s, c), "api.example.net") == 0);
	CHECK("servers: no id, no name",
	    srv_name(&s, 0) == NULL && srv_name(NULL, a) == NULL);
	CHECK("servers: an empty name is none", srv_note(&s, "", 0) == 0);

	/* an ended connection of a's, and an open one of c's */
	memset(&k, 0, sizeof(k));
	k.af = 4;
	k.proto = 6;
	k.pa = 443;
	f = tab_insert(&ft.t, &k);
	f->srv = a;
	f->pkts[0] = 3, f->pkts[1] = 4;
	f->bytes[0] = 300, f->bytes[1] = 4000;
	srv_flow_end(&s, f);
	tab_remove(&ft.t, 0);
	k.pa = 444;
	f = tab_insert(&ft.t, &k);
	f->srv = c;
	f->pkts[0] = 100, f->pkts[1] = 100;
	f->bytes[0] = 1000, f->bytes[1] = 1000;

	n = srv_top(&s, &ft, TOP_PACKETS, &top, 10);
	CHECK("servers: both names listed", n == 2);
	CHECK("servers: by packets, the open connection's name first",
	    n == 2 && strcmp(top[0].name, "api.example.net") == 0 &&
		top[0].packets == 200 && top[0].flows == 1);
	CHECK("servers: an ended connection's figures count",
	    n == 2 && top[1].packets == 7 && top[1].bytes == 4300 &&
		top[1].flows == 2);
	free(top);
	n = srv_top(&s, &ft, TOP_BYTES, &top, 1);
	CHECK("servers: by bytes, and only the n asked for",
	    n == 1 && strcmp(top[0].name, "www.example.com") == 0);
	free(top);

	/* a name past the bound is cut, not refused */
	memset(longname, 'x', sizeof(longname));
	a = srv_note(&s, longname, sizeof(longname));
	CHECK("servers: a long name is cut to the bound",
	    a != 0 && strlen(srv_name(&s, a)) == SRV_NAMELEN - 1);
	tab_free(&ft.t);
	srv_free(&s);
}

static void
test_bound(void)
{
	struct srv_tab s;
	char name[32];
	int i, len;

	srv_init(&s, 8);
	for (i = 0; i < 100; i++) {
		len = snprintf(name, sizeof(name), "host%d.example", i);
		(void)srv_note(&s, name, (size_t)len);
	}
	CHECK("servers: the table stays within its cap", s.t.count == 8);
	CHECK("servers: the names let go are counted", s.evicted == 92);
	srv_free(&s);
}

int
main(void)
{
	test_names();
	test_bound();
	return failures != 0;
}
