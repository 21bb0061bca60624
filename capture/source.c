/*
 * Opening what nm-capture reads, while it may still hold privilege: a
 * live interface (pcap_create and pcap_activate, in immediate mode so a
 * packet is handed over as soon as it arrives) or a capture file (pcap or
 * pcapng, "-" for stdin), then the BPF filter.  libpcap's failures become
 * one line each and the exit statuses of nm.h, so a script can tell a
 * missing interface from a missing permission from a bad filter.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <netdb.h>
#include <sys/socket.h>
#include <net/if.h>

#include "nm.h"
#include "cap.h"

/* This program's own path, for the setcap advice. */
static const char *
cap_self_path(void)
{
	static char path[4096];
	ssize_t n;

	n = readlink("/proc/self/exe", path, sizeof(path) - 1);
	if (n <= 0)
		return "nm-capture";
	path[n] = '\0';
	return path;
}

/* The names of the interfaces there are, for "no such interface". */
static void
cap_iface_names(char *buf, size_t len)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	pcap_if_t *all, *d;
	size_t n = 0;

	buf[0] = '\0';
	if (pcap_findalldevs(&all, errbuf) < 0)
		return;
	for (d = all; d != NULL && n + 1 < len; d = d->next) {
		/* the network's: not libpcap's pseudo-devices (nflog, ...) */
		if (strcmp(d->name, "any") != 0 && if_nametoindex(d->name) == 0)
			continue;
		snprintf(buf + n, len - n, "%s%s", n > 0 ? ", " : "", d->name);
		n += strlen(buf + n);
	}
	pcap_freealldevs(all);
}

static void
cap_open_live(struct cap_src *s, const struct cap_opts *o)
{
	char errbuf[PCAP_ERRBUF_SIZE], names[1024];
	int rc;

	if ((s->pc = pcap_create(o->iface, errbuf)) == NULL)
		nm_die(NM_EXIT_FAIL, "%s: %s", o->iface, errbuf);
	s->snaplen = o->snaplen > 0 ? o->snaplen : CAP_SNAPLEN_MAX;
	pcap_set_snaplen(s->pc, s->snaplen);
	pcap_set_promisc(s->pc, o->promisc);
	if (o->immediate)
		pcap_set_immediate_mode(s->pc, 1);
	else
		pcap_set_timeout(s->pc, CAP_TIMEOUT_MS);
	pcap_set_buffer_size(
	    s->pc, (o->bufkib > 0 ? o->bufkib : CAP_BUFKIB_DEFAULT) * 1024);
	/* Not every platform has nanoseconds; then we scale microseconds. */
	(void)pcap_set_tstamp_precision(s->pc, PCAP_TSTAMP_PRECISION_NANO);

	rc = pcap_activate(s->pc);
	switch (rc) {
	case 0: break;
	case PCAP_ERROR_PERM_DENIED:
		nm_die(NM_EXIT_NOPERM,
		    "%s: permission denied: run as root, "
		    "or give the program the capability: "
		    "setcap cap_net_raw,cap_net_admin=eip %s",
		    o->iface, cap_self_path());
	case PCAP_ERROR_NO_SUCH_DEVICE:
		cap_iface_names(names, sizeof(names));
		nm_die(NM_EXIT_NOSOURCE,
		    "%s: no such interface "
		    "(there are: %s)",
		    o->iface, names[0] != '\0' ? names : "none");
	case PCAP_ERROR_IFACE_NOT_UP:
		nm_die(NM_EXIT_FAIL, "%s: interface is down", o->iface);
	case PCAP_ERROR:
		nm_die(NM_EXIT_FAIL, "%s: %s", o->iface, pcap_geterr(s->pc));
	default:
		if (rc < 0)
			nm_die(NM_EXIT_FAIL, "%s: %s", o->iface,
			    pcap_statustostr(rc));
		/* A warning: say it and carry on, as tcpdump does. */
		nm_warn("%s: %s", o->iface,
		    pcap_geterr(s->pc)[0] != '\0' ? pcap_geterr(s->pc)
						  : pcap_statustostr(rc));
		break;
	}
	s->live = 1;
	s->start = nm_realtime_ns();
	s->name = o->iface;
	s->snaplen = pcap_snapshot(s->pc);
	if (pcap_setnonblock(s->pc, 1, errbuf) < 0)
		nm_die(NM_EXIT_FAIL, "%s: %s", o->iface, errbuf);
}

static void
cap_open_file(struct cap_src *s, const struct cap_opts *o, struct cap_priv *p)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	FILE *f = stdin;
	struct stat st;
	int saved = 0;

	/*
	 * Opened here, not by libpcap, so errno tells missing from bad, and
	 * with the rights of whoever ran sudo, not root's.
	 */
	if (strcmp(o->file, "-") != 0) {
		cap_priv_as_caller(p);
		f = fopen(o->file, "rb");
		saved = errno;
		cap_priv_as_self(p);
	}
	if (f == NULL)
		nm_die(saved == ENOENT || saved == ENOTDIR  ? NM_EXIT_NOSOURCE
			: saved == EACCES || saved == EPERM ? NM_EXIT_NOPERM
							    : NM_EXIT_FAIL,
		    "%s: %s%s", o->file, strerror(saved), cap_priv_whose(p));
	s->pc = pcap_fopen_offline_with_tstamp_precision(
	    f, PCAP_TSTAMP_PRECISION_NANO, errbuf);
	if (s->pc == NULL)
		nm_die(NM_EXIT_BADCAPTURE, "%s: %s", o->file, errbuf);
	s->live = 0;
	s->name = o->file;
	s->stream = fstat(fileno(f), &st) == 0 &&
	    (S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode) ||
		S_ISCHR(st.st_mode));
	s->snaplen = pcap_snapshot(s->pc);
	if (o->snaplen > 0 && (s->snaplen <= 0 || o->snaplen < s->snaplen))
		s->snaplen = o->snaplen;
}

void
cap_open(struct cap_src *s, const struct cap_opts *o, struct cap_priv *p)
{
	memset(s, 0, sizeof(*s));
	if (o->iface != NULL)
		cap_open_live(s, o);
	else
		cap_open_file(s, o, p);
	s->linktype = pcap_datalink(s->pc);
	s->nano =
	    pcap_get_tstamp_precision(s->pc) == PCAP_TSTAMP_PRECISION_NANO;
}

/*
 * At most max bytes of s as one printable line: bytes outside printable
 * ASCII, quotes and backslashes as \xHH, "..." when cut.  What a -F file
 * holds is shown only this way: it may be any file at all.
 */
static const char *
cap_excerpt(char *buf, size_t size, const char *s, size_t max)
{
	static const char hex[] = "0123456789abcdef";
	size_t i, n = 0;
	unsigned char c;

	for (i = 0; i < max && s[i] != '\0' && n + 8 < size; i++) {
		c = (unsigned char)s[i];
		if (c >= 0x20 && c < 0x7f && c != '\\' && c != '"') {
			buf[n++] = (char)c;
			continue;
		}
		buf[n++] = '\\';
		buf[n++] = 'x';
		buf[n++] = hex[c >> 4];
		buf[n++] = hex[c & 15];
	}
	if (s[i] != '\0')
		n += (size_t)snprintf(buf + n, size - n, "...");
	buf[n] = '\0';
	return buf;
}

void
cap_filter(struct cap_src *s, const char *expr, const char *ffile,
    const struct savedf *sf)
{
	char head[128], why[256];
	struct bpf_program prog;

	if (expr[0] == '\0')
		return;
	if (pcap_compile(s->pc, &prog, expr, 1, PCAP_NETMASK_UNKNOWN) < 0) {
		if (sf != NULL)
			nm_die(NM_EXIT_BADFILTER,
			    "bad filter: saved filter %s (%s:%u): %s: %s",
			    sf->name, sf->file, sf->line, expr,
			    pcap_geterr(s->pc));
		if (ffile == NULL && savedf_name_ok(expr) &&
		    !savedf_bpf_word(expr))
			nm_die(NM_EXIT_BADFILTER,
			    "bad filter: %s: %s; nor is it a saved filter "
			    "(nm-filters(5))",
			    expr, pcap_geterr(s->pc));
		if (ffile == NULL)
			nm_die(NM_EXIT_BADFILTER, "bad filter: %s: %s", expr,
			    pcap_geterr(s->pc));
		/* libpcap quotes the token it choked on: the file's too. */
		nm_die(NM_EXIT_BADFILTER,
		    "%s: bad filter: %s (the file "
		    "starts \"%s\")",
		    ffile,
		    cap_excerpt(why, sizeof(why), pcap_geterr(s->pc), 80),
		    cap_excerpt(head, sizeof(head), expr, 24));
	}
	if (pcap_setfilter(s->pc, &prog) < 0)
		nm_die(NM_EXIT_FAIL, "%s: setting the filter: %s", s->name,
		    pcap_geterr(s->pc));
	pcap_freecode(&prog);
}

/* --- -D: the interfaces libpcap can open --- */

static void
cap_print_addrs(const pcap_if_t *d)
{
	char host[NI_MAXHOST];
	const pcap_addr_t *a;
	socklen_t len;

	for (a = d->addresses; a != NULL; a = a->next) {
		if (a->addr == NULL)
			continue;
		if (a->addr->sa_family == AF_INET)
			len = sizeof(struct sockaddr_in);
		else if (a->addr->sa_family == AF_INET6)
			len = sizeof(struct sockaddr_in6);
		else
			continue; /* link-layer addresses: not useful */
		if (getnameinfo(a->addr, len, host, sizeof(host), NULL, 0,
			NI_NUMERICHOST) == 0)
			printf(" %s", host);
	}
}

void
cap_list_interfaces(void)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	pcap_if_t *all, *d;
	int i = 0;

	if (pcap_findalldevs(&all, errbuf) < 0)
		nm_die(NM_EXIT_FAIL, "listing interfaces: %s", errbuf);
	for (d = all; d != NULL; d = d->next) {
		printf("%d %s", ++i, d->name);
		if (d->description != NULL)
			printf(" (%s)", d->description);
		cap_print_addrs(d);
		printf(" [%s%s%s]", d->flags & PCAP_IF_UP ? "up" : "down",
		    d->flags & PCAP_IF_RUNNING ? ",running" : "",
		    d->flags & PCAP_IF_LOOPBACK ? ",loopback" : "");
		putchar('\n');
	}
	pcap_freealldevs(all);
}
