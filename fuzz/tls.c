/*
 * Fuzz target: nm-decode's TLS handshake parser (decode/tls.c) on any
 * bytes, three ways: as the start of a TCP stream (tls_records), as QUIC
 * CRYPTO data (tls_handshake), and as CRYPTO data after a record's
 * 5-byte header, so that seeds of records reach the messages' parser
 * with no record layer too.  Each result must keep its contract: done
 * with PK_TLS and no err, a ClientHello with a JA4 of its full length;
 * more with no err and a need, when said, past the bytes given; bad
 * with the err map set to tls, invalid, and no PK_TLS; the texts NUL-ended
 * inside the arena.  The packet record packed from it must read back
 * whole and pass the schema.
 */
#include <string.h>

#include "app.h"
#include "pkt.h"
#include "rec.h"
#include "fuzz.h"
#include "packet.h"

static struct pkt pk;

static int
in_arena(const char *s)
{
	return s >= pk.arena && s < pk.arena + pk.arenalen &&
	    memchr(s, '\0', (size_t)(pk.arena + pk.arenalen - s)) != NULL;
}

static void
check(enum app_res r, size_t size, size_t need, const char *how)
{
	const struct pk_tls *t = &pk.tls;
	unsigned i;

	switch (r) {
	case APP_DONE:
		if (!(pk.have & PK_TLS) || pk.have & PK_ERR)
			fz_fail("%s: done without PK_TLS, or with an err", how);
		if (t->hs_type == 1 && strlen(t->ja4) != PKT_JA4LEN)
			fz_fail("%s: ClientHello JA4 \"%s\"", how, t->ja4);
		if (t->hs_type != 1 && t->ja4[0] != '\0')
			fz_fail("%s: JA4 of type %u", how, t->hs_type);
		if (t->hs_type == 2 && t->nciphers != 1)
			fz_fail(
			    "%s: ServerHello of %u ciphers", how, t->nciphers);
		break;
	case APP_MORE:
		if (pk.have & (PK_ERR | PK_TLS))
			fz_fail("%s: more, with an err or PK_TLS", how);
		if (need != 0 && need <= size)
			fz_fail("%s: needs %zu of %zu bytes", how, need, size);
		break;
	case APP_BAD:
		if (!(pk.have & PK_ERR) || pk.have & PK_TLS ||
		    pk.err_layer == NULL || strcmp(pk.err_layer, "tls") != 0 ||
		    strcmp(pk.err_kind, "invalid") != 0)
			fz_fail(
			    "%s: bad, and the err map not tls invalid", how);
		break;
	default: fz_fail("%s: result %d", how, (int)r);
	}
	if (t->sni != NULL && !in_arena(t->sni))
		fz_fail("%s: sni outside the arena", how);
	for (i = 0; i < t->nalpn && i < PKT_MAXLIST; i++)
		if (!in_arena(t->alpn[i]))
			fz_fail("%s: alpn %u outside the arena", how, i);
}

/* The packet record nm-decode would write: it must read back. */
static void
pack_check(const uint8_t *data, size_t size)
{
	static struct {
		struct pk sb;
		msgpack_zone z;
		int inited;
	} w;
	struct pk *sb = &w.sb;
	msgpack_object o;
	size_t off = 0;
	char why[200];
	int rc;

	if (!w.inited) {
		pk_init(&w.sb, 64 * 1024);
		msgpack_zone_init(&w.z, 64 * 1024);
		w.inited = 1;
	}
	sb->len = 0;
	fz_pack_packet(sb, &pk, data, size);
	msgpack_zone_clear(&w.z);
	rc = msgpack_unpack(sb->p, sb->len, &off, &w.z, &o);
	if (rc != MSGPACK_UNPACK_SUCCESS || off != sb->len)
		fz_fail("packed record does not read back whole (%d)", rc);
	if (rec_validate(&o, REC_PACKET, why, sizeof(why)) == -1)
		fz_fail("packed record fails the schema: %s", why);
}

static void
run(int hs, const uint8_t *data, size_t size, const char *how)
{
	size_t need = 0;
	enum app_res r;

	memset(&pk, 0, sizeof(pk));
	r = hs ? tls_handshake(&pk, data, size, &need)
	       : tls_records(&pk, data, size, &need);
	check(r, size, need, how);
	/* the sniff must let through every stream the parser reads */
	if (!hs && r == APP_DONE &&
	    (pk.tls.hs_type == 1 || pk.tls.hs_type == 2) &&
	    tls_sniff(data, size) != APP_MORE)
		fz_fail("%s: sniff refuses a hello", how);
	pack_check(data, size);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* what a stream's start is cut to (app.h REASM_MAXBYTES) */
	if (size > REASM_MAXBYTES)
		size = REASM_MAXBYTES;
	run(0, data, size, "records");
	run(1, data, size, "handshake");
	if (size >= 5)
		run(1, data + 5, size - 5, "handshake after 5");
	return 0;
}
