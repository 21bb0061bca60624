/*
 * Fuzz target: nm-decode's QUIC (decode/quic.c).  Random bytes never
 * pass an Initial's AEAD tag, so the first byte says what the rest is:
 *   0  a UDP datagram to port 443, as it comes: long headers, coalesced
 *      packets, version negotiation, other versions, every cut;
 *   1  the plaintext of a client Initial, sealed here with the keys of
 *      one of four connections and decoded as a datagram: its frames,
 *      the CRYPTO stream gathered over inputs and tls_handshake, through
 *      the real path;
 *   2  the same as the server's Initial of that connection, after a
 *      client Initial that makes the table of connections know it;
 *   3  straight into quic_payload(), the frame parser, the fastest.
 * The second byte picks the connection and the packet number.  Each
 * packet is packed as nm-decode packs it, and the record must read back
 * whole and pass the schema.  State (reassembly, the connections) goes
 * on from one input to the next, as in nm-decode.
 */
#include <string.h>

#include "app.h"
#include "quic.h"
#include "rec.h"
#include "pkt.h"
#include "fuzz.h"
#include "packet.h"

#define MAXPAY 4096

static struct pkt pk;
static uint64_t now = 1700000000000000000ULL;

/* The packet of frame (p, n) packed, read back, checked. */
static void
check_record(const uint8_t *p, size_t n)
{
	static struct pk sb;
	static int inited;

	if (!inited) {
		pk_init(&sb, 64 * 1024);
		inited = 1;
	}
	sb.len = 0;
	fz_pack_packet(&sb, &pk, p, n);
	fz_check_packed(&sb, "QUIC");
}

/* Ethernet, IPv4 10.0.0.c <-> 10.0.0.2:443, UDP around p; decoded. */
static void
datagram(unsigned c, int to_server, const uint8_t *p, size_t n)
{
	static uint8_t f[42 + 65536];
	static const uint8_t hdr[42] = { 2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 8,
		0, 0x45, 0, 0, 0, 0, 1, 0, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0,
		0, 2, 0xc3, 0x50, 0x01, 0xbb, 0, 0, 0, 0 };
	size_t ipl = n + 28, udpl = n + 8;

	if (n > 65000)
		n = 65000;
	memcpy(f, hdr, sizeof(hdr));
	f[16] = (uint8_t)(ipl >> 8), f[17] = (uint8_t)ipl;
	f[38] = (uint8_t)(udpl >> 8), f[39] = (uint8_t)udpl;
	f[29] = (uint8_t)(to_server ? c : 2);
	f[33] = (uint8_t)(to_server ? 2 : c);
	if (!to_server) {
		f[34] = 0x01, f[35] = 0xbb, f[36] = 0xc3, f[37] = 0x50;
	}
	memcpy(f + 42, p, n);
	pk.ts = now;
	now += 1000000;
	dec_packet(&pk, 1, f, 42 + n);
	check_record(f, 42 + n);
}

/*
 * An Initial of connection c (DCID 8 bytes, SCID 4) around the payload,
 * protected by the client's keys or, from the server, with the IDs the
 * other way and the server's keys of the client's DCID.
 */
static size_t
initial(uint8_t *out, unsigned c, int server, unsigned pn, const uint8_t *pay,
    size_t n)
{
	static const uint8_t dcid[8] = { 0x83, 0x94, 0xc8, 0xf0, 0x3e, 0x51,
		0x57, 0 };
	static const uint8_t scid[4] = { 0xa1, 0xa2, 0xa3, 0 };
	uint8_t d[8], s[4];
	size_t h = 0, len = 4 + n + 16;

	memcpy(d, dcid, 8);
	memcpy(s, scid, 4);
	d[7] = (uint8_t)c, s[3] = (uint8_t)c;
	out[h++] = 0xc3;
	out[h++] = 0, out[h++] = 0, out[h++] = 0, out[h++] = 1;
	out[h++] = server ? 4 : 8;
	memcpy(out + h, server ? s : d, server ? 4 : 8);
	h += server ? 4 : 8;
	out[h++] = server ? 8 : 4;
	memcpy(out + h, server ? d : s, server ? 8 : 4);
	h += server ? 8 : 4;
	if (!server)
		out[h++] = 0; /* token */
	out[h++] = (uint8_t)(0x40 | len >> 8);
	out[h++] = (uint8_t)len;
	out[h++] = 0, out[h++] = 0, out[h++] = 0, out[h++] = (uint8_t)pn;
	memcpy(out + h, pay, n);
	if (quic_seal(QUIC_V1, server, d, 8, out, h - 4, h + n + 16) != 0)
		fz_fail("quic_seal refused an Initial of %zu bytes", n);
	return h + n + 16;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t pkt[MAXPAY + 100];
	static const uint8_t ping[1] = { 0x01 };
	static const uint8_t odcid[8] = { 0x83, 0x94, 0xc8, 0xf0, 0x3e, 0x51,
		0x57, 0 };
	static int ready;
	unsigned c, pn;
	size_t n;

	if (!ready) {
		if (!quic_setup())
			fz_fail("quic_setup failed");
		ready = 1;
	}
	if (size < 2)
		return 0;
	c = data[1] & 3;
	pn = data[1] >> 2;
	data += 2, size -= 2;
	switch (data[-2] & 3) {
	case 0: datagram(c, 1, data, size); break;
	case 1:
	case 2:
		if (size > MAXPAY)
			size = MAXPAY;
		if (data[-2] & 2) {
			n = initial(pkt, c, 0, 0, ping, sizeof(ping));
			datagram(c, 1, pkt, n);
		}
		n = initial(pkt, c, data[-2] & 2, pn, data, size);
		datagram(c, !(data[-2] & 2), pkt, n);
		break;
	case 3:
		/* what dec_packet() resets, and no layers below */
		pk.have = 0;
		pk.proto = pk.service = NULL;
		pk.has_payload = 0;
		pk.arenalen = 0;
		pk.ts = now;
		(void)quic_payload(
		    &pk, QUIC_V1, c & 1, odcid, sizeof(odcid), data, size);
		check_record(data, size);
		break;
	}
	return 0;
}
