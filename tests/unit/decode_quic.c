/*
 * Unit tests of nm-decode's QUIC (decode/quic.c): the Initial keys and
 * packets of RFC 9001 Appendix A and RFC 9369 Appendix A (version 2),
 * decrypted and sealed again byte for byte; the server's Initial found
 * through the client's; every truncation of the client's datagram and
 * flipped bytes (never decrypted); coalesced packets, version
 * negotiation, other versions; a ClientHello over two Initials, and
 * scattered over CRYPTO frames in one; frames an Initial may not carry.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "nm.h"
#include "pkt.h"
#include "quic.h"

#include "decode_test.h"

/* RFC 9001 A.2: the client Initial, protected (1200 bytes) */
#define V1_CLIENT                                                              \
	"c000000001088394c8f03e5157080000449e7b9aec34d1b1c98dd7689fb8ec11"     \
	"d242b123dc9bd8bab936b47d92ec356c0bab7df5976d27cd449f63300099f399"     \
	"1c260ec4c60d17b31f8429157bb35a1282a643a8d2262cad67500cadb8e7378c"     \
	"8eb7539ec4d4905fed1bee1fc8aafba17c750e2c7ace01e6005f80fcb7df6212"     \
	"30c83711b39343fa028cea7f7fb5ff89eac2308249a02252155e2347b63d58c5"     \
	"457afd84d05dfffdb20392844ae812154682e9cf012f9021a6f0be17ddd0c208"     \
	"4dce25ff9b06cde535d0f920a2db1bf362c23e596d11a4f5a6cf3948838a3aec"     \
	"4e15daf8500a6ef69ec4e3feb6b1d98e610ac8b7ec3faf6ad760b7bad1db4ba3"     \
	"485e8a94dc250ae3fdb41ed15fb6a8e5eba0fc3dd60bc8e30c5c4287e53805db"     \
	"059ae0648db2f64264ed5e39be2e20d82df566da8dd5998ccabdae053060ae6c"     \
	"7b4378e846d29f37ed7b4ea9ec5d82e7961b7f25a9323851f681d582363aa5f8"     \
	"9937f5a67258bf63ad6f1a0b1d96dbd4faddfcefc5266ba6611722395c906556"     \
	"be52afe3f565636ad1b17d508b73d8743eeb524be22b3dcbc2c7468d54119c74"     \
	"68449a13d8e3b95811a198f3491de3e7fe942b330407abf82a4ed7c1b311663a"     \
	"c69890f4157015853d91e923037c227a33cdd5ec281ca3f79c44546b9d90ca00"     \
	"f064c99e3dd97911d39fe9c5d0b23a229a234cb36186c4819e8b9c5927726632"     \
	"291d6a418211cc2962e20fe47feb3edf330f2c603a9d48c0fcb5699dbfe58964"     \
	"25c5bac4aee82e57a85aaf4e2513e4f05796b07ba2ee47d80506f8d2c25e50fd"     \
	"14de71e6c418559302f939b0e1abd576f279c4b2e0feb85c1f28ff18f58891ff"     \
	"ef132eef2fa09346aee33c28eb130ff28f5b766953334113211996d20011a198"     \
	"e3fc433f9f2541010ae17c1bf202580f6047472fb36857fe843b19f5984009dd"     \
	"c324044e847a4f4a0ab34f719595de37252d6235365e9b84392b061085349d73"     \
	"203a4a13e96f5432ec0fd4a1ee65accdd5e3904df54c1da510b0ff20dcc0c77f"     \
	"cb2c0e0eb605cb0504db87632cf3d8b4dae6e705769d1de354270123cb11450e"     \
	"fc60ac47683d7b8d0f811365565fd98c4c8eb936bcab8d069fc33bd801b03ade"     \
	"a2e1fbc5aa463d08ca19896d2bf59a071b851e6c239052172f296bfb5e724047"     \
	"90a2181014f3b94a4e97d117b438130368cc39dbb2d198065ae3986547926cd2"     \
	"162f40a29f0c3c8745c0f50fba3852e566d44575c29d39a03f0cda721984b6f4"     \
	"40591f355e12d439ff150aab7613499dbd49adabc8676eef023b15b65bfc5ca0"     \
	"6948109f23f350db82123535eb8a7433bdabcb909271a6ecbcb58b936a88cd4e"     \
	"8f2e6ff5800175f113253d8fa9ca8885c2f552e657dc603f252e1a8e308f76f0"     \
	"be79e2fb8f5d5fbbe2e30ecadd220723c8c0aea8078cdfcb3868263ff8f09400"     \
	"54da48781893a7e49ad5aff4af300cd804a6b6279ab3ff3afb64491c85194aab"     \
	"760d58a606654f9f4400e8b38591356fbf6425aca26dc85244259ff2b19c41b9"     \
	"f96f3ca9ec1dde434da7d2d392b905ddf3d1f9af93d1af5950bd493f5aa731b4"     \
	"056df31bd267b6b90a079831aaf579be0a39013137aac6d404f518cfd4684064"     \
	"7e78bfe706ca4cf5e9c5453e9f7cfd2b8b4c8d169a44e55c88d4a9a7f9474241"     \
	"e221af44860018ab0856972e194cd934"

/* RFC 9001 A.2: its CRYPTO frame, before the padding */
#define V1_CRYPTO                                                              \
	"060040f1010000ed0303ebf8fa56f12939b9584a3896472ec40bb863cfd3e868"     \
	"04fe3a47f06a2b69484c00000413011302010000c000000010000e00000b6578"     \
	"616d706c652e636f6dff01000100000a00080006001d00170018001000070005"     \
	"04616c706e000500050100000000003300260024001d00209370b2c9caa47fba"     \
	"baf4559fedba753de171fa71f50f1ce15d43e994ec74d748002b000302030400"     \
	"0d0010000e0403050306030203080408050806002d00020101001c0002400100"     \
	"3900320408ffffffffffffffff05048000ffff07048000ffff08011001048000"     \
	"75300901100f088394c8f03e51570806048000ffff"

/* RFC 9001 A.3: the server Initial, protected */
#define V1_SERVER                                                              \
	"cf000000010008f067a5502a4262b5004075c0d95a482cd0991cd25b0aac406a"     \
	"5816b6394100f37a1c69797554780bb38cc5a99f5ede4cf73c3ec2493a1839b3"     \
	"dbcba3f6ea46c5b7684df3548e7ddeb9c3bf9c73cc3f3bded74b562bfb19fb84"     \
	"022f8ef4cdd93795d77d06edbb7aaf2f58891850abbdca3d20398c276456cbc4"     \
	"2158407dd074ee"

/* RFC 9369 A.2: the client Initial of version 2 */
#define V2_CLIENT                                                              \
	"d76b3343cf088394c8f03e5157080000449ea0c95e82ffe67b6abcdb4298b485"     \
	"dd04de806071bf03dceebfa162e75d6c96058bdbfb127cdfcbf903388e99ad04"     \
	"9f9a3dd4425ae4d0992cfff18ecf0fdb5a842d09747052f17ac2053d21f57c5d"     \
	"250f2c4f0e0202b70785b7946e992e58a59ac52dea6774d4f03b55545243cf1a"     \
	"12834e3f249a78d395e0d18f4d766004f1a2674802a747eaa901c3f10cda5500"     \
	"cb9122faa9f1df66c392079a1b40f0de1c6054196a11cbea40afb6ef5253cd68"     \
	"18f6625efce3b6def6ba7e4b37a40f7732e093daa7d52190935b8da58976ff33"     \
	"12ae50b187c1433c0f028edcc4c2838b6a9bfc226ca4b4530e7a4ccee1bfa2a3"     \
	"d396ae5a3fb512384b2fdd851f784a65e03f2c4fbe11a53c7777c023462239dd"     \
	"6f7521a3f6c7d5dd3ec9b3f233773d4b46d23cc375eb198c63301c21801f6520"     \
	"bcfb7966fc49b393f0061d974a2706df8c4a9449f11d7f3d2dcbb90c6b877045"     \
	"636e7c0c0fe4eb0f697545460c806910d2c355f1d253bc9d2452aaa549e27a1f"     \
	"ac7cf4ed77f322e8fa894b6a83810a34b361901751a6f5eb65a0326e07de7c12"     \
	"16ccce2d0193f958bb3850a833f7ae432b65bc5a53975c155aa4bcb4f7b2c4e5"     \
	"4df16efaf6ddea94e2c50b4cd1dfe06017e0e9d02900cffe1935e0491d77ffb4"     \
	"fdf85290fdd893d577b1131a610ef6a5c32b2ee0293617a37cbb08b847741c3b"     \
	"8017c25ca9052ca1079d8b78aebd47876d330a30f6a8c6d61dd1ab5589329de7"     \
	"14d19d61370f8149748c72f132f0fc99f34d766c6938597040d8f9e2bb522ff9"     \
	"9c63a344d6a2ae8aa8e51b7b90a4a806105fcbca31506c446151adfeceb51b91"     \
	"abfe43960977c87471cf9ad4074d30e10d6a7f03c63bd5d4317f68ff325ba3bd"     \
	"80bf4dc8b52a0ba031758022eb025cdd770b44d6d6cf0670f4e990b22347a7db"     \
	"848265e3e5eb72dfe8299ad7481a408322cac55786e52f633b2fb6b614eaed18"     \
	"d703dd84045a274ae8bfa73379661388d6991fe39b0d93debb41700b41f90a15"     \
	"c4d526250235ddcd6776fc77bc97e7a417ebcb31600d01e57f32162a8560cacc"     \
	"7e27a096d37a1a86952ec71bd89a3e9a30a2a26162984d7740f81193e8238e61"     \
	"f6b5b984d4d3dfa033c1bb7e4f0037febf406d91c0dccf32acf423cfa1e70710"     \
	"10d3f270121b493ce85054ef58bada42310138fe081adb04e2bd901f2f13458b"     \
	"3d6758158197107c14ebb193230cd1157380aa79cae1374a7c1e5bbcb80ee23e"     \
	"06ebfde206bfb0fcbc0edc4ebec309661bdd908d532eb0c6adc38b7ca7331dce"     \
	"8dfce39ab71e7c32d318d136b6100671a1ae6a6600e3899f31f0eed19e3417d1"     \
	"34b90c9058f8632c798d4490da4987307cba922d61c39805d072b589bd52fdf1"     \
	"e86215c2d54e6670e07383a27bbffb5addf47d66aa85a0c6f9f32e59d85a44dd"     \
	"5d3b22dc2be80919b490437ae4f36a0ae55edf1d0b5cb4e9a3ecabee93dfc6e3"     \
	"8d209d0fa6536d27a5d6fbb17641cde27525d61093f1b28072d111b2b4ae5f89"     \
	"d5974ee12e5cf7d5da4d6a31123041f33e61407e76cffcdcfd7e19ba58cf4b53"     \
	"6f4c4938ae79324dc402894b44faf8afbab35282ab659d13c93f70412e85cb19"     \
	"9a37ddec600545473cfb5a05e08d0b209973b2172b4d21fb69745a262ccde96b"     \
	"a18b2faa745b6fe189cf772a9f84cbfc"

/* RFC 9369 A.3: the server Initial of version 2 */
#define V2_SERVER                                                              \
	"dc6b3343cf0008f067a5502a4262b5004075d92faaf16f05d8a4398c47089698"     \
	"baeea26b91eb761d9b89237bbf87263017915358230035f7fd3945d88965cf17"     \
	"f9af6e16886c61bfc703106fbaf3cb4cfa52382dd16a393e42757507698075b2"     \
	"c984c707f0a0812d8cd5a6881eaf21ceda98f4bd23f6fe1a3e2c43edd9ce7ca8"     \
	"4bed8521e2e140"

#define RFC_DCID "8394c8f03e515708"
#define SEC	 1000000000ULL

static uint64_t now = 1700000000 * SEC;

static void
unhex(uint8_t *out, size_t *n, const char *hex)
{
	struct buf *b = calloc(1, sizeof(*b));

	put(b, hex);
	memcpy(out, b->b, b->n);
	*n = b->n;
	free(b);
}

/*
 * Decodes an Ethernet/IPv4/UDP frame from 10.0.0.s:sport to
 * 10.0.0.d:dport around the n bytes at p, of which the capture keeps
 * caplen (the UDP and IP lengths say n).
 */
static void
udp_frame(unsigned s, unsigned sport, unsigned d, unsigned dport,
    const uint8_t *p, size_t n, size_t caplen)
{
	static struct buf b;
	char hdr[160];
	size_t ipl = n + 28, udpl = n + 8;

	b.n = 0;
	snprintf(hdr, sizeof(hdr),
	    "020000000002 020000000001 0800 "
	    "4500 %04zx 0001 0000 4011 0000 0a0000%02x 0a0000%02x "
	    "%04x %04x %04zx 0000",
	    ipl, s, d, sport, dport, udpl);
	put(&b, hdr);
	memcpy(b.b + b.n, p, n);
	b.n += caplen < n ? caplen : n;
	pk.ts = now;
	now += SEC / 1000;
	dec_packet(&pk, 1, b.b, b.n);
}

/* client 10.0.0.1:50000, server 10.0.0.2:443 (or another port) */
static void
from_client(const uint8_t *p, size_t n, unsigned port)
{
	udp_frame(1, 50000, 2, port, p, n, n);
}

static void
from_server(const uint8_t *p, size_t n, unsigned port)
{
	udp_frame(2, port, 1, 50000, p, n, n);
}

static int
is_rfc_dcid(void)
{
	static const uint8_t id[8] = { 0x83, 0x94, 0xc8, 0xf0, 0x3e, 0x51, 0x57,
		0x08 };

	return pk.quic.dcid != NULL && pk.quic.dcidlen == 8 &&
	    memcmp(pk.quic.dcid, id, 8) == 0;
}

static int
has_alpn(const char *name)
{
	unsigned i;

	for (i = 0; i < pk.tls.nalpn; i++)
		if (strcmp(pk.tls.alpn[i], name) == 0)
			return 1;
	return 0;
}

static int
keys_are(
    const struct quic_keys *k, const char *key, const char *iv, const char *hp)
{
	uint8_t b[3][16];
	size_t n[3];

	unhex(b[0], &n[0], key);
	unhex(b[1], &n[1], iv);
	unhex(b[2], &n[2], hp);
	return n[0] == 16 && n[1] == 12 && n[2] == 16 &&
	    memcmp(k->key, b[0], 16) == 0 && memcmp(k->iv, b[1], 12) == 0 &&
	    memcmp(k->hp, b[2], 16) == 0;
}

static void
test_keys(void)
{
	uint8_t cid[8];
	struct quic_keys k;
	size_t n;

	unhex(cid, &n, RFC_DCID);
	CHECK("keys: v1 client (RFC 9001 A.1)",
	    quic_initial_keys(QUIC_V1, 0, cid, n, &k) == 0 &&
		keys_are(&k, "1f369613dd76d5467730efcbe3b1a22d",
		    "fa044b2f42a3fd3b46fb255c",
		    "9f50449e04a0e810283a1e9933adedd2"));
	CHECK("keys: v1 server (RFC 9001 A.1)",
	    quic_initial_keys(QUIC_V1, 1, cid, n, &k) == 0 &&
		keys_are(&k, "cf3a5331653c364c88f0f379b6067e37",
		    "0ac1493ca1905853b0bba03e",
		    "c206b8d9b9f0f37644430b490eeaa314"));
	CHECK("keys: v2 client (RFC 9369 A.1)",
	    quic_initial_keys(QUIC_V2, 0, cid, n, &k) == 0 &&
		keys_are(&k, "8b1a0bc121284290a29e0971b5cd045d",
		    "91f73e2351d8fa91660e909f",
		    "45b95e15235d6f45a6b19cbcb0294ba9"));
	CHECK("keys: v2 server (RFC 9369 A.1)",
	    quic_initial_keys(QUIC_V2, 1, cid, n, &k) == 0 &&
		keys_are(&k, "82db637861d55e1d011f19ea71d5d2a7",
		    "dd13c276499c0249d3310652",
		    "edf6d05c83121201b436e16877593c3a"));
	CHECK("keys: no keys of an unknown version",
	    quic_initial_keys(0x1a2a3a4a, 0, cid, n, &k) == -1);
}

/* A.2's client Initial and A.3's server Initial, of one version. */
static void
test_rfc(
    uint32_t version, const char *client, const char *server, const char *hdr)
{
	static uint8_t p[2000], q[2000];
	size_t n, m, hn, cn;
	char name[80];
	const char *v = version == QUIC_V1 ? "v1" : "v2";

	unhex(p, &n, client);
	snprintf(
	    name, sizeof(name), "rfc %s: the client Initial is 1200 bytes", v);
	CHECK(name, n == 1200);
	from_client(p, n, 443);
	snprintf(name, sizeof(name), "rfc %s: client Initial decrypted", v);
	CHECK(name,
	    pk.have & PK_QUIC && !(pk.have & PK_ERR) && pk.quic.decrypted &&
		pk.quic.version == version && pk.quic.ptype == 0 &&
		is_rfc_dcid() && pk.quic.scid == NULL &&
		pk.quic.token_len == 0 && pk.quic.length == 1182 &&
		pk.quic.pn == 2 && pk.quic.npackets == 1 &&
		strcmp(pk.proto, "QUIC") == 0);
	snprintf(name, sizeof(name),
	    "rfc %s: its ClientHello: SNI example.com, ALPN \"alpn\"", v);
	CHECK(name,
	    pk.have & PK_TLS && pk.tls.hs_type == 1 && pk.tls.sni != NULL &&
		strcmp(pk.tls.sni, "example.com") == 0 && pk.tls.nalpn == 1 &&
		has_alpn("alpn") && pk.tls.reasm_pieces == 0);

	/* sealed again from the plaintext, it is the RFC's packet */
	unhex(q, &hn, hdr);
	unhex(q + hn, &cn, V1_CRYPTO);
	memset(q + hn + cn, 0, 1200 - hn - cn);
	snprintf(
	    name, sizeof(name), "rfc %s: quic_seal makes the same packet", v);
	CHECK(name,
	    quic_seal(version, 0, p + 6, 8, q, hn - 4, 1200) == 0 &&
		memcmp(p, q, 1200) == 0);

	unhex(q, &m, server);
	from_server(q, m, 443);
	snprintf(name, sizeof(name),
	    "rfc %s: server Initial decrypted with the client's DCID", v);
	CHECK(name,
	    pk.have & PK_QUIC && !(pk.have & PK_ERR) && pk.quic.decrypted &&
		pk.quic.version == version && pk.quic.dcid == NULL &&
		pk.quic.scidlen == 8 && pk.quic.pn == 1 &&
		pk.quic.length == 117);
	snprintf(name, sizeof(name),
	    "rfc %s: its ServerHello: TLS 1.3, TLS_AES_128_GCM_SHA256", v);
	CHECK(name,
	    pk.have & PK_TLS && pk.tls.hs_type == 2 && pk.tls.nciphers == 1 &&
		pk.tls.ciphers[0] == 0x1301 && pk.tls.nversions == 1 &&
		pk.tls.versions[0] == 0x0304);
}

/* The server's Initial alone, its client's never seen: not decrypted. */
static void
test_server_alone(void)
{
	static uint8_t q[2000];
	size_t m;

	unhex(q, &m, V1_SERVER);
	udp_frame(7, 443, 8, 50001, q, m, m);
	CHECK("server alone: recorded on 443, not decrypted",
	    pk.have & PK_QUIC && !pk.quic.decrypted && !(pk.have & PK_TLS));
	udp_frame(7, 4433, 8, 50001, q, m, m);
	CHECK("server alone: on another port, not QUIC",
	    !(pk.have & PK_QUIC) && !(pk.have & PK_ERR));
}

static void
test_truncation(void)
{
	static uint8_t p[2000];
	size_t n, k;
	int crash_free = 1, never = 1, cut = 1, other = 1;

	unhex(p, &n, V1_CLIENT);
	for (k = 0; k < n; k++) {
		/* the datagram itself short */
		from_client(p, k, 443);
		if (pk.quic.decrypted || pk.have & PK_TLS)
			never = 0;
		/* a whole datagram the capture cut */
		udp_frame(1, 50000, 2, 443, p, n, k);
		if (pk.quic.decrypted || pk.have & PK_TLS)
			never = 0;
		if (k > 0 &&
		    (!(pk.have & PK_ERR) ||
			(strcmp(pk.err_layer, "quic") == 0 &&
			    strcmp(pk.err_kind, "truncated") != 0)))
			cut = 0;
		from_client(p, k, 4433);
		if (pk.have & PK_QUIC)
			other = 0;
	}
	CHECK(
	    "truncation: no cut of the datagram decrypts", crash_free && never);
	CHECK("truncation: a capture cut is truncated, never invalid", cut);
	CHECK("truncation: on another port a cut datagram is not QUIC", other);
}

static void
test_flip(void)
{
	static uint8_t p[2000];
	static const size_t at[] = { 0, 5, 6, 17, 18, 20, 21, 22, 100, 1183,
		1199 };
	size_t n, i;
	int ok443 = 1, other = 1;

	unhex(p, &n, V1_CLIENT);
	from_client(p, n, 4433);
	CHECK("flip: unchanged, it decrypts on another port too",
	    pk.have & PK_QUIC && pk.quic.decrypted && pk.have & PK_TLS);
	for (i = 0; i < sizeof(at) / sizeof(at[0]); i++) {
		p[at[i]] ^= 0x01;
		from_client(p, n, 443);
		if (pk.quic.decrypted || pk.have & PK_TLS)
			ok443 = 0;
		from_client(p, n, 4433);
		if (pk.have & PK_QUIC)
			other = 0;
		p[at[i]] ^= 0x01;
	}
	CHECK("flip: a flipped byte never decrypts", ok443);
	CHECK("flip: on another port, not QUIC", other);
}

/*
 * Writes an Initial of version from the given connection IDs around
 * the payload (padded with PADDING to pad bytes), protected with the
 * keys of side server derived from keycid; returns its length.
 */
static size_t
initial_as(uint8_t *out, uint32_t version, uint32_t keyver, const char *dcid,
    const char *scid, unsigned pn, const uint8_t *pay, size_t plen, size_t pad,
    int server, const char *keycid)
{
	uint8_t d[20], s[20], kc[20];
	size_t dn, sn, kn, h = 0, len;

	unhex(d, &dn, dcid);
	unhex(s, &sn, scid);
	unhex(kc, &kn, keycid);
	len = 4 + (plen < pad ? pad : plen) + 16;
	out[h++] = (uint8_t)(version == QUIC_V2 ? 0xd3 : 0xc3);
	out[h++] = (uint8_t)(version >> 24);
	out[h++] = (uint8_t)(version >> 16);
	out[h++] = (uint8_t)(version >> 8);
	out[h++] = (uint8_t)version;
	out[h++] = (uint8_t)dn;
	memcpy(out + h, d, dn);
	h += dn;
	out[h++] = (uint8_t)sn;
	memcpy(out + h, s, sn);
	h += sn;
	out[h++] = 0; /* token */
	out[h++] = (uint8_t)(0x40 | len >> 8);
	out[h++] = (uint8_t)len;
	out[h++] = (uint8_t)(pn >> 24);
	out[h++] = (uint8_t)(pn >> 16);
	out[h++] = (uint8_t)(pn >> 8);
	out[h++] = (uint8_t)pn;
	memcpy(out + h, pay, plen);
	memset(out + h + plen, 0, len - 4 - 16 - plen); /* PADDING */
	if (quic_seal(keyver, server, kc, kn, out, h - 4, h + len - 4) != 0)
		return 0;
	return h + len - 4;
}

static size_t
initial(uint8_t *out, uint32_t version, const char *dcid, const char *scid,
    unsigned pn, const uint8_t *pay, size_t plen, size_t pad, int server,
    const char *keycid)
{
	return initial_as(out, version, version, dcid, scid, pn, pay, plen, pad,
	    server, keycid);
}

/* A CRYPTO frame header for off, len (2-byte and 4-byte varints). */
static size_t
crypto_hdr(uint8_t *p, size_t off, size_t len)
{
	p[0] = 0x06;
	p[1] = (uint8_t)(0x80 | off >> 24);
	p[2] = (uint8_t)(off >> 16);
	p[3] = (uint8_t)(off >> 8);
	p[4] = (uint8_t)off;
	p[5] = (uint8_t)(0x40 | len >> 8);
	p[6] = (uint8_t)len;
	return 7;
}

/*
 * The RFC's ClientHello grown by a padding extension (21) to about
 * 1800 bytes, as a post-quantum key share makes it: into h, its length.
 */
static size_t
big_hello(uint8_t *h)
{
	uint8_t fr[300];
	size_t n, off, hl, el, pad = 1600;

	unhex(fr, &n, V1_CRYPTO);
	memcpy(h, fr + 4, n - 4); /* past 06 00 40f1 */
	n -= 4;
	off = 4 + 2 + 32;
	off += 1 + h[off];			       /* session id */
	off += 2 + (size_t)(h[off] << 8 | h[off + 1]); /* ciphers */
	off += 1 + h[off];			       /* compression */
	el = (size_t)(h[off] << 8 | h[off + 1]) + 4 + pad;
	h[off] = (uint8_t)(el >> 8);
	h[off + 1] = (uint8_t)el;
	h[n] = 0x00;
	h[n + 1] = 0x15;
	h[n + 2] = (uint8_t)(pad >> 8);
	h[n + 3] = (uint8_t)pad;
	memset(h + n + 4, 0, pad);
	n += 4 + pad;
	hl = n - 4;
	h[1] = (uint8_t)(hl >> 16);
	h[2] = (uint8_t)(hl >> 8);
	h[3] = (uint8_t)hl;
	return n;
}

#define TWO_DCID "0011223344556677"
#define TWO_SCID "a1a2a3a4"

static void
test_two_packets(void)
{
	static uint8_t hello[4000], pay[2][1400], pk1[2][1500];
	size_t hn, cut = 1000, n1, n2, l1, l2;

	hn = big_hello(hello);
	l1 = crypto_hdr(pay[0], 0, cut);
	memcpy(pay[0] + l1, hello, cut);
	l1 += cut;
	l2 = crypto_hdr(pay[1], cut, hn - cut);
	memcpy(pay[1] + l2, hello + cut, hn - cut);
	l2 += hn - cut;
	n1 = initial(pk1[0], QUIC_V1, TWO_DCID, TWO_SCID, 0, pay[0], l1, 1162,
	    0, TWO_DCID);
	n2 = initial(pk1[1], QUIC_V1, TWO_DCID, TWO_SCID, 1, pay[1], l2, 1162,
	    0, TWO_DCID);
	CHECK("two packets: the hello is over 1700 bytes", hn > 1700);

	from_client(pk1[0], n1, 443);
	CHECK("two packets: the first decrypts, no hello yet",
	    pk.quic.decrypted && pk.quic.pn == 0 && !(pk.have & PK_TLS) &&
		!(pk.have & PK_ERR));
	from_client(pk1[1], n2, 443);
	CHECK("two packets: the second gives the whole hello",
	    pk.quic.decrypted && pk.quic.pn == 1 && pk.have & PK_TLS &&
		pk.tls.sni != NULL && strcmp(pk.tls.sni, "example.com") == 0);
	CHECK("two packets: reasm says 2 pieces, the first's bytes",
	    pk.tls.reasm_pieces == 2 && pk.tls.reasm_len == cut);

	/* the second first: the hello is whole with the first */
	from_client(pk1[1], n2, 4433);
	CHECK("two packets, reversed: the second alone has no hello",
	    pk.quic.decrypted && !(pk.have & PK_TLS));
	from_client(pk1[0], n1, 4433);
	CHECK("two packets, reversed: whole with the first",
	    pk.have & PK_TLS && pk.tls.sni != NULL &&
		pk.tls.reasm_pieces == 2 && pk.tls.reasm_len == hn - cut);
}

/* Chrome's way: one packet, the hello in CRYPTO frames out of order. */
static void
test_scattered(void)
{
	static uint8_t fr[300], pay[1200], out[1500];
	size_t n, hn, l = 0;

	unhex(fr, &n, V1_CRYPTO);
	hn = n - 4;
	/* [100, end), PING, PADDING, [0, 50), [40, 100) overlapping */
	l += crypto_hdr(pay + l, 100, hn - 100);
	memcpy(pay + l, fr + 4 + 100, hn - 100);
	l += hn - 100;
	pay[l++] = 0x01;
	pay[l++] = 0x00;
	l += crypto_hdr(pay + l, 0, 50);
	memcpy(pay + l, fr + 4, 50);
	l += 50;
	l += crypto_hdr(pay + l, 40, 60);
	memcpy(pay + l, fr + 4 + 40, 60);
	l += 60;
	n = initial(out, QUIC_V1, "0102030405060708", "", 7, pay, l, 1162, 0,
	    "0102030405060708");
	from_client(out, n, 443);
	CHECK("scattered: the hello from frames out of order in one packet",
	    pk.quic.decrypted && pk.have & PK_TLS && pk.tls.sni != NULL &&
		strcmp(pk.tls.sni, "example.com") == 0 &&
		pk.tls.reasm_pieces == 0);
}

/* An Initial of these frames, padded to 1162 bytes or not at all. */
static size_t
one_frame(uint8_t *out, const char *frames, int padded)
{
	uint8_t pay[1200];
	size_t l;

	unhex(pay, &l, frames);
	return initial(out, QUIC_V1, "1112131415161718", "21", 3, pay, l,
	    padded ? 1162 : 0, 0, "1112131415161718");
}

static void
test_frames(void)
{
	static uint8_t out[1500], fr[300];
	static char hex[2000];
	size_t n, i;

	n = one_frame(out, "08 00 05 6869746865", 1);
	from_client(out, n, 443);
	CHECK("frames: STREAM in an Initial is invalid",
	    pk.quic.decrypted && pk.have & PK_ERR &&
		strcmp(pk.err_layer, "quic") == 0 &&
		strcmp(pk.err_kind, "invalid") == 0);
	n = one_frame(out, "06 00 4100 0102", 0);
	from_client(out, n, 443);
	CHECK("frames: CRYPTO longer than the payload is invalid",
	    pk.have & PK_ERR && strcmp(pk.err_kind, "invalid") == 0);
	n = one_frame(out, "1c 0a 06 05 6279652121 00", 1);
	from_client(out, n, 443);
	CHECK("frames: CONNECTION_CLOSE is read",
	    pk.quic.decrypted && !(pk.have & PK_ERR));
	n = one_frame(out, "1d 00 00", 1);
	from_client(out, n, 443);
	CHECK("frames: CONNECTION_CLOSE of the application is invalid",
	    pk.have & PK_ERR && strcmp(pk.err_kind, "invalid") == 0);
	/* ACK with two more ranges and ECN counts, then the hello */
	unhex(fr, &n, V1_CRYPTO);
	strcpy(hex, "03 4010 05 02 01 00 01 02 03 01 02 03 01");
	for (i = 0; i < n; i++)
		snprintf(hex + strlen(hex), 3, "%02x", fr[i]);
	n = one_frame(out, hex, 1);
	from_client(out, n, 443);
	CHECK("frames: ACK's ranges skipped, the CRYPTO after it read",
	    pk.quic.decrypted && !(pk.have & PK_ERR) && pk.have & PK_TLS &&
		pk.tls.sni != NULL);
	n = one_frame(out, "02 01 00 40", 0);
	from_client(out, n, 443);
	CHECK("frames: an ACK cut short is invalid",
	    pk.have & PK_ERR && strcmp(pk.err_kind, "invalid") == 0);
}

static void
test_coalesced(void)
{
	static uint8_t d[3000], fr[300];
	size_t n, m, l;

	/* A.3's Initial, then a Handshake packet, then a short header */
	unhex(d, &n, V1_SERVER);
	unhex(d + n, &m,
	    "e0 00000001 00 08 f067a5502a4262b5 18 "
	    "000102030405060708090a0b0c0d0e0f1011121314151617 "
	    "41 0102030405060708");
	n += m;
	/* the client of A.2 first, so the server's Initial decrypts */
	{
		static uint8_t c[1300];

		unhex(c, &l, V1_CLIENT);
		udp_frame(3, 50000, 4, 443, c, l, l);
	}
	udp_frame(4, 443, 3, 50000, d, n, n);
	CHECK("coalesced: three packets, the map the Initial's",
	    pk.have & PK_QUIC && pk.quic.npackets == 3 && pk.quic.decrypted &&
		pk.quic.ptype == 0 && pk.have & PK_TLS && pk.tls.hs_type == 2 &&
		!(pk.have & PK_ERR));

	/* a 0-RTT packet first, an Initial after it: its CRYPTO read */
	unhex(d, &n,
	    "d0 00000001 08 5152535455565758 00 "
	    "18 000102030405060708090a0b0c0d0e0f1011121314151617");
	unhex(fr, &l, V1_CRYPTO);
	m = initial(d + n, QUIC_V1, "5152535455565758", "", 0, fr, l, 1100, 0,
	    "5152535455565758");
	n += m;
	from_client(d, n, 443);
	CHECK("coalesced: 0-RTT first, the Initial's hello still read",
	    pk.have & PK_QUIC && pk.quic.npackets == 2 && pk.quic.ptype == 1 &&
		!pk.quic.decrypted && pk.have & PK_TLS && pk.tls.sni != NULL);

	/* a short header with the QUIC bit greased (RFC 9287) counts;
	 * zeros after the last packet, or another DCID, do not */
	unhex(d, &n, V1_SERVER);
	unhex(d + n, &m, "19 0102030405060708090a0b0c0d0e0f1011121314");
	udp_frame(4, 443, 3, 50000, d, n + m, n + m);
	CHECK("coalesced: a greased short header after it counts",
	    pk.quic.npackets == 2 && !(pk.have & PK_ERR));
	memset(d + n, 0, 40);
	udp_frame(4, 443, 3, 50000, d, n + 40, n + 40);
	CHECK("coalesced: zeros after the last packet are no packet",
	    pk.quic.npackets == 1 && pk.quic.decrypted && !(pk.have & PK_ERR));
	unhex(d + n, &m, "e0 00000001 04 01020304 00 41 01020304");
	udp_frame(4, 443, 3, 50000, d, n + m, n + m);
	CHECK("coalesced: a packet of another DCID is ignored",
	    pk.quic.npackets == 1 && !(pk.have & PK_ERR));

	/* a Length past the datagram */
	unhex(d, &n, V1_SERVER);
	d[n++] = 0xe0;
	unhex(d + n, &m, "00000001 00 00 4400 01020304");
	n += m;
	udp_frame(4, 443, 3, 50000, d, n, n);
	CHECK("coalesced: a second Length past the datagram is invalid",
	    pk.quic.npackets == 2 && pk.have & PK_ERR &&
		strcmp(pk.err_kind, "invalid") == 0);
}

static void
test_versions(void)
{
	static uint8_t d[200];
	size_t n;

	unhex(d, &n,
	    "80 00000000 08 0001020304050607 04 0a0b0c0d "
	    "00000001 6b3343cf");
	from_server(d, n, 443);
	CHECK("version negotiation: version 0, both IDs",
	    pk.have & PK_QUIC && pk.quic.version == 0 && pk.quic.dcidlen == 8 &&
		pk.quic.scidlen == 4 && pk.quic.npackets == 1 &&
		!(pk.have & PK_ERR));
	from_server(d, n, 4433);
	CHECK("version negotiation: on another port, not QUIC",
	    !(pk.have & PK_QUIC));
	unhex(d, &n, "c3 ff00001d 08 0001020304050607 00 00 4010 0102");
	from_client(d, n, 443);
	CHECK("other version: its invariant fields",
	    pk.have & PK_QUIC && pk.quic.version == 0xff00001d &&
		pk.quic.dcidlen == 8 && pk.quic.scid == NULL &&
		!pk.quic.decrypted && !(pk.have & PK_ERR));
	/* a reserved version in draft 29's format, as ngtcp2 sends one */
	{
		static uint8_t g[1400], fr[300];
		size_t l;

		unhex(fr, &l, V1_CRYPTO);
		n = initial_as(g, 0x1a2a3a4a, QUIC_V1, "4142434445464748", "",
		    0, fr, l, 1162, 0, "4142434445464748");
		from_client(g, n, 443);
		CHECK("reserved version, version 1's keys: not decrypted",
		    pk.have & PK_QUIC && pk.quic.version == 0x1a2a3a4a &&
			!pk.quic.decrypted && !(pk.have & PK_TLS));
		n = initial_as(g, 0x1a2a3a4a, QUIC_DRAFT29, "4142434445464748",
		    "", 0, fr, l, 1162, 0, "4142434445464748");
		from_client(g, n, 4433);
		CHECK("reserved version, draft 29's keys: read as draft 29",
		    pk.have & PK_QUIC && pk.quic.version == 0x1a2a3a4a &&
			pk.quic.decrypted && pk.quic.length == 1182 &&
			pk.have & PK_TLS && pk.tls.sni != NULL);
	}
	unhex(d, &n,
	    "c3 00000001 15 000102030405060708090a0b0c0d0e0f1011121314 "
	    "00 00 4010 01020304");
	from_client(d, n, 443);
	CHECK("v1: a DCID of 21 bytes is invalid",
	    pk.have & PK_QUIC && pk.have & PK_ERR &&
		strcmp(pk.err_kind, "invalid") == 0);
	unhex(d, &n, "43 0102030405060708 0909");
	from_client(d, n, 443);
	CHECK("short header: not recognised", !(pk.have & PK_QUIC));
	unhex(d, &n, "c3 00000001 08 0001020304050607 00 00 4010 0102");
	from_client(d, n, 4433);
	CHECK("another port: a v1 Initial that does not decrypt is not QUIC",
	    !(pk.have & PK_QUIC) && !(pk.have & PK_ERR));
	from_client(d, n, 53);
	CHECK("port 53: still DNS", pk.have & PK_DNS && !(pk.have & PK_QUIC));
}

int
main(void)
{
	if (!quic_setup()) {
		printf("FAIL: quic_setup\n");
		return 1;
	}
	test_keys();
	test_rfc(QUIC_V1, V1_CLIENT, V1_SERVER,
	    "c300000001088394c8f03e5157080000449e00000002");
	test_rfc(QUIC_V2, V2_CLIENT, V2_SERVER,
	    "d36b3343cf088394c8f03e5157080000449e00000002");
	test_server_alone();
	test_truncation();
	test_flip();
	test_two_packets();
	test_scattered();
	test_frames();
	test_coalesced();
	test_versions();
	return fails != 0;
}
