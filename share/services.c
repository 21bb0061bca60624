/*
 * The service table behind svc_pick(): names by port, from three places
 * in falling order of trust: the user's file (svc_load), the built-in list
 * below, /etc/services.  A user entry may be for TCP or UDP only.  The
 * tables are arrays indexed by port, so a lookup per packet costs one
 * load; /etc/services is read once, by esvc_setup().  By share/'s failure
 * policy only the e-functions exit (out of memory, a bad user table);
 * svc_load() returns -1 with errno and a message.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nm.h"
#include "services.h"

#define SVC_NPORTS 65536

static const struct {
	unsigned short port;
	const char *name;
} svc_builtin[] = {
	{ 20, "FTP-DATA" },
	{ 21, "FTP" },
	{ 22, "SSH" },
	{ 23, "Telnet" },
	{ 25, "SMTP" },
	{ 53, "DNS" },
	{ 67, "DHCP" },
	{ 68, "DHCP" },
	{ 80, "HTTP" },
	{ 110, "POP3" },
	{ 123, "NTP" },
	{ 143, "IMAP" },
	{ 161, "SNMP" },
	{ 443, "HTTPS" },
	{ 445, "SMB" },
	{ 465, "SMTPS" },
	{ 587, "Submission" },
	{ 993, "IMAPS" },
	{ 995, "POP3S" },
	{ 3306, "MySQL" },
	{ 3389, "RDP" },
	{ 5353, "mDNS" },
	{ 5355, "LLMNR" },
	{ 5432, "PostgreSQL" },
	{ 6379, "Redis" },
	{ 8080, "HTTP-Proxy" },
	{ 8443, "HTTPS-Alt" },
	{ 27017, "MongoDB" },
};

/* Index 0: any protocol; 1: TCP only; 2: UDP only. */
static const char **svc_user[3];
static const char **svc_sys[3];

static int
proto_slot(unsigned proto)
{
	return proto == 6 ? 1 : proto == 17 ? 2 : 0;
}

static const char *
builtin(unsigned port)
{
	size_t i;

	for (i = 0; i < sizeof(svc_builtin) / sizeof(svc_builtin[0]); i++)
		if (svc_builtin[i].port == port)
			return svc_builtin[i].name;
	return NULL;
}

static const char **
table(const char ***slot)
{
	if (*slot == NULL)
		*slot = calloc(SVC_NPORTS, sizeof(**slot));
	return *slot;
}

/* Parses "port[/proto] name"; returns 0, or -1 with why filled in. */
static int
parse_line(
    char *s, unsigned *port, int *slot, char **name, char *why, size_t whylen)
{
	char *end, *p;
	unsigned long v;

	if (!isdigit((unsigned char)*s)) {
		snprintf(why, whylen, "expected a port number");
		return -1;
	}
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || v == 0 || v >= SVC_NPORTS) {
		snprintf(why, whylen, "port out of range 1-65535");
		return -1;
	}
	*port = (unsigned)v;
	*slot = 0;
	if (*end == '/') {
		p = end + 1;
		if (strncmp(p, "tcp", 3) == 0)
			*slot = 1;
		else if (strncmp(p, "udp", 3) == 0)
			*slot = 2;
		else {
			snprintf(why, whylen, "protocol must be tcp or udp");
			return -1;
		}
		end = p + 3;
	}
	if (*end != ' ' && *end != '\t') {
		snprintf(why, whylen, "expected a blank after the port");
		return -1;
	}
	while (*end == ' ' || *end == '\t')
		end++;
	*name = end;
	while (*end != '\0' && !isspace((unsigned char)*end))
		end++;
	if (end == *name || end - *name > 32) {
		snprintf(why, whylen, "expected a name of 1 to 32 characters");
		return -1;
	}
	p = end;
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p != '\0') {
		snprintf(why, whylen, "unexpected text after the name");
		return -1;
	}
	*end = '\0';
	return 0;
}

int
svc_load(const char *path, char *why, size_t whylen)
{
	FILE *f;
	char line[512], msg[128], *name, *hash, *s;
	unsigned port, lineno = 0;
	int slot, rc = 0;

	if ((f = fopen(path, "r")) == NULL) {
		snprintf(why, whylen, "%s", strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		lineno++;
		if ((hash = strchr(line, '#')) != NULL)
			*hash = '\0';
		line[strcspn(line, "\r\n")] = '\0';
		for (s = line; *s == ' ' || *s == '\t'; s++)
			;
		if (*s == '\0')
			continue;
		if (parse_line(s, &port, &slot, &name, msg, sizeof(msg)) < 0) {
			snprintf(why, whylen, "line %u: %s", lineno, msg);
			errno = EINVAL;
			rc = -1;
			break;
		}
		if (table(&svc_user[slot]) == NULL ||
		    (svc_user[slot][port] = strdup(name)) == NULL) {
			snprintf(why, whylen, "%s", strerror(ENOMEM));
			errno = ENOMEM;
			rc = -1;
			break;
		}
	}
	if (rc == 0 && ferror(f)) {
		snprintf(why, whylen, "%s", strerror(errno));
		rc = -1;
	}
	fclose(f);
	return rc;
}

const char *
svc_name(unsigned port, unsigned proto)
{
	int slot = proto_slot(proto);

	if (port >= SVC_NPORTS)
		return NULL;
	if (slot != 0 && svc_user[slot] != NULL && svc_user[slot][port])
		return svc_user[slot][port];
	if (svc_user[0] != NULL && svc_user[0][port] != NULL)
		return svc_user[0][port];
	return builtin(port);
}

/*
 * Reads /etc/services; a missing file leaves the tables empty.  A name
 * that could not be stored would be a service silently unnamed, so out
 * of memory exits.
 */
static void
esys_load(void)
{
	FILE *f;
	char line[512], name[64], proto[8];
	unsigned port;
	int slot;

	if ((f = fopen("/etc/services", "r")) == NULL)
		return;
	while (fgets(line, sizeof(line), f) != NULL) {
		if (sscanf(line, "%63s %u/%7s", name, &port, proto) != 3 ||
		    name[0] == '#' || port == 0 || port >= SVC_NPORTS)
			continue;
		slot = proto_slot(strcmp(proto, "tcp") == 0 ? 6
			: strcmp(proto, "udp") == 0	    ? 17
							    : 0);
		if (slot == 0)
			continue;
		if (svc_sys[slot] == NULL)
			svc_sys[slot] =
			    ecalloc(SVC_NPORTS, sizeof(*svc_sys[slot]));
		if (svc_sys[slot][port] == NULL)
			svc_sys[slot][port] = estrdup(name);
	}
	fclose(f);
}

const char *
svc_sysname(unsigned port, unsigned proto)
{
	int slot = proto_slot(proto);

	if (port >= SVC_NPORTS)
		return NULL;
	if (slot == 0) {
		if (svc_sys[1] != NULL && svc_sys[1][port] != NULL)
			return svc_sys[1][port];
		slot = 2;
	}
	return svc_sys[slot] != NULL ? svc_sys[slot][port] : NULL;
}

const char *
svc_pick(unsigned sport, unsigned dport, unsigned proto, unsigned *port)
{
	unsigned lo = sport < dport ? sport : dport;
	unsigned hi = sport < dport ? dport : sport;
	const char *s;

	if ((s = svc_name(lo, proto)) != NULL) {
		*port = lo;
		return s;
	}
	if ((s = svc_name(hi, proto)) != NULL) {
		*port = hi;
		return s;
	}
	if (lo != 0 && (s = svc_sysname(lo, proto)) != NULL) {
		*port = lo;
		return s;
	}
	if (hi < 1024 && (s = svc_sysname(hi, proto)) != NULL) {
		*port = hi;
		return s;
	}
	return NULL;
}

void
esvc_setup(const char *path)
{
	char why[256];

	if (path != NULL && *path != '\0' &&
	    svc_load(path, why, sizeof(why)) < 0)
		nm_die(NM_EXIT_USAGE, "%s: %s", path, why);
	esys_load();
}
