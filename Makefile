# nm: one GNU Makefile, no configure step.
# User CFLAGS replace the defaults; the flags nm needs are added apart.

PREFIX	?= /usr/local
BINDIR	?= $(PREFIX)/bin
MANDIR	?= $(PREFIX)/share/man
DATADIR	?= $(PREFIX)/share/nm

CC	?= cc
CFLAGS	?= -O2 -g
WARN	:= -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
	   -Wpointer-arith -Wcast-qual -Wwrite-strings -Wformat=2 -Wvla \
	   -Wno-unused-parameter
ifdef CI
WARN	+= -Werror
endif

PKG_CONFIG ?= pkg-config
MSGPACK_PC := $(shell $(PKG_CONFIG) --exists msgpack-c 2>/dev/null && echo msgpack-c || echo msgpack)
MSGPACK_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(MSGPACK_PC) 2>/dev/null)
MSGPACK_LIBS := $(shell $(PKG_CONFIG) --libs $(MSGPACK_PC) 2>/dev/null || echo -lmsgpackc) -lm
PCAP_CFLAGS := $(shell $(PKG_CONFIG) --cflags libpcap 2>/dev/null)
PCAP_LIBS := $(shell $(PKG_CONFIG) --libs libpcap 2>/dev/null || echo -lpcap)
SECCOMP_CFLAGS := $(shell $(PKG_CONFIG) --cflags libseccomp 2>/dev/null)
SECCOMP_LIBS := $(shell $(PKG_CONFIG) --libs libseccomp 2>/dev/null || echo -lseccomp)
# ncursesw: nm-render's top view (render/top*.c) only.
NCURSES_CFLAGS := $(shell $(PKG_CONFIG) --cflags ncursesw 2>/dev/null)
NCURSES_LIBS := $(shell $(PKG_CONFIG) --libs ncursesw 2>/dev/null || echo -lncursesw)
MHD_CFLAGS := $(shell $(PKG_CONFIG) --cflags libmicrohttpd 2>/dev/null)
MHD_LIBS := $(shell $(PKG_CONFIG) --libs libmicrohttpd 2>/dev/null || echo -lmicrohttpd)
# bus/ alone: nm-push and nm-pull talk to Redis and Kafka.
HIREDIS_CFLAGS := $(shell $(PKG_CONFIG) --cflags hiredis 2>/dev/null)
HIREDIS_LIBS := $(shell $(PKG_CONFIG) --libs hiredis 2>/dev/null || echo -lhiredis)
RDKAFKA_CFLAGS := $(shell $(PKG_CONFIG) --cflags rdkafka 2>/dev/null)
RDKAFKA_LIBS := $(shell $(PKG_CONFIG) --libs rdkafka 2>/dev/null || echo -lrdkafka)

# nm-decode alone: QUIC Initial keys (HKDF, AES-128-GCM, AES-128-ECB) and
# JA4's SHA-256, from OpenSSL's libcrypto.
CRYPTO_CFLAGS := $(shell $(PKG_CONFIG) --cflags libcrypto 2>/dev/null)
CRYPTO_LIBS := $(shell $(PKG_CONFIG) --libs libcrypto 2>/dev/null || echo -lcrypto)

NM_CFLAGS := -std=c11 -D_GNU_SOURCE -Ishare $(WARN) $(MSGPACK_CFLAGS) $(SECCOMP_CFLAGS) \
	     -DNM_DATADIR='"$(DATADIR)"' -DNM_BINDIR='"$(BINDIR)"'
# Hardening as Debian builds its packages (hardening-check's list): stack
# protector, fortified libc calls, PIE, full RELRO with bind-now.  Kept
# apart from CFLAGS, so setting CFLAGS keeps them; HARDEN_CFLAGS= and
# HARDEN_LDFLAGS= turn them off (tests/hardening.t checks the programs).
HARDEN_CFLAGS ?= -fstack-protector-strong -fstack-clash-protection \
		 -D_FORTIFY_SOURCE=2 -fPIE
HARDEN_LDFLAGS ?= -pie -Wl,-z,relro -Wl,-z,now
ALL_CFLAGS = $(NM_CFLAGS) $(HARDEN_CFLAGS) $(CFLAGS) $(CPPFLAGS)
LINK_FLAGS = $(CFLAGS) $(HARDEN_LDFLAGS) $(LDFLAGS)

PROGS	:= nm-capture nm-decode nm-render $(if $(wildcard stats/main.c),nm-stats) \
	   $(if $(wildcard monitor/main.c),nm-monitor) \
	   $(if $(wildcard pcap/main.c),nm-pcap) \
	   $(if $(wildcard detect/main.c),nm-detect) \
	   $(if $(wildcard web/main.c),nm-web) \
	   $(if $(wildcard bus/push.c),nm-push) $(if $(wildcard bus/pull.c),nm-pull)
SHARE_SRC := $(wildcard share/*.c)
SHARE_OBJ := $(SHARE_SRC:.c=.o)
LIBNM	:= share/libnm.a

# Each program is its folder's .c files; main.c holds only main() and its
# phases, so unit tests can link the rest of a folder.
CAPTURE_OBJ := $(patsubst %.c,%.o,$(wildcard capture/*.c))
DECODE_OBJ  := $(patsubst %.c,%.o,$(wildcard decode/*.c))
RENDER_OBJ  := $(patsubst %.c,%.o,$(wildcard render/*.c))
STATS_OBJ   := $(patsubst %.c,%.o,$(wildcard stats/*.c))
MONITOR_OBJ := $(patsubst %.c,%.o,$(wildcard monitor/*.c))
PCAPW_OBJ   := $(patsubst %.c,%.o,$(wildcard pcap/*.c))
DETECT_OBJ  := $(patsubst %.c,%.o,$(wildcard detect/*.c))
WEB_OBJ     := $(patsubst %.c,%.o,$(wildcard web/*.c))
# bus/: two programs, push.c and pull.c, over the folder's other files.
BUS_OBJ     := $(patsubst %.c,%.o,$(wildcard bus/*.c))
BUS_LIB_OBJ := $(filter-out bus/push.o bus/pull.o,$(BUS_OBJ))
BUS_LIBS     = $(HIREDIS_LIBS) $(RDKAFKA_LIBS)

UNIT_SRC := $(wildcard tests/unit/*.c)
UNIT_BIN := $(UNIT_SRC:.c=)
TOOL_SRC := $(wildcard tests/tools/*.c)
TOOL_BIN := $(TOOL_SRC:.c=)
# Defined before `test` names them as prerequisites (see the fuzz section).
FUZZ_TARGETS := decode stream stats pngread detect bus tls quic http
FUZZ_REPLAY := $(FUZZ_TARGETS:%=fuzz/%-replay)

MAN1 := $(wildcard capture/*.1 decode/*.1 stats/*.1 render/*.1 monitor/*.1 \
	pcap/*.1 detect/*.1 web/*.1 bus/*.1)
MAN5 := $(wildcard share/*.5)
MAN7 := $(wildcard share/*.7)

.PHONY: all install uninstall test check bench sanitize fuzz lint clean \
	format deps deps-test sample demo ledger
all: $(PROGS)

%.o: %.c $(wildcard share/*.h) $(wildcard $(dir %)*.h)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

capture/%.o: capture/%.c $(wildcard share/*.h capture/*.h)
	$(CC) $(ALL_CFLAGS) $(PCAP_CFLAGS) -c -o $@ $<
decode/%.o: decode/%.c $(wildcard share/*.h decode/*.h)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<
render/%.o: render/%.c $(wildcard share/*.h render/*.h)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<
render/top%.o: render/top%.c $(wildcard share/*.h render/*.h)
	$(CC) $(ALL_CFLAGS) $(NCURSES_CFLAGS) -c -o $@ $<
stats/%.o: stats/%.c $(wildcard share/*.h stats/*.h detect/*.h)
	$(CC) $(ALL_CFLAGS) -Idetect -c -o $@ $<
monitor/%.o: monitor/%.c $(wildcard share/*.h monitor/*.h)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<
pcap/%.o: pcap/%.c $(wildcard share/*.h pcap/*.h)
	$(CC) $(ALL_CFLAGS) $(PCAP_CFLAGS) -c -o $@ $<
detect/%.o: detect/%.c $(wildcard share/*.h detect/*.h)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<
web/%.o: web/%.c $(wildcard share/*.h web/*.h)
	$(CC) $(ALL_CFLAGS) $(MHD_CFLAGS) -c -o $@ $<
bus/%.o: bus/%.c $(wildcard share/*.h bus/*.h)
	$(CC) $(ALL_CFLAGS) $(HIREDIS_CFLAGS) $(RDKAFKA_CFLAGS) -c -o $@ $<
# The page's files go into the binary as they are (.incbin).
web/assets.o: web/page.html web/app.js web/style.css

# Made anew each time: `ar r` keeps members whose sources are gone.
$(LIBNM): $(SHARE_OBJ)
	rm -f $@
	$(AR) rcs $@ $^

nm-capture: $(CAPTURE_OBJ) $(LIBNM)
	$(CC) $(LINK_FLAGS) -o $@ $^ $(PCAP_LIBS) $(MSGPACK_LIBS) $(SECCOMP_LIBS)
nm-decode: $(DECODE_OBJ) $(LIBNM)
	$(CC) $(LINK_FLAGS) -o $@ $^ $(MSGPACK_LIBS) $(CRYPTO_LIBS) $(SECCOMP_LIBS)
# nm-stats runs the detectors (detect/, but for nm-detect's main) itself.
nm-stats: $(STATS_OBJ) $(filter-out detect/main.o,$(DETECT_OBJ)) $(LIBNM)
	$(CC) $(LINK_FLAGS) -o $@ $^ $(MSGPACK_LIBS) -lnettle -lm $(SECCOMP_LIBS)
nm-render: $(RENDER_OBJ) $(LIBNM)
	$(CC) $(LINK_FLAGS) -o $@ $^ $(MSGPACK_LIBS) $(NCURSES_LIBS) $(SECCOMP_LIBS)
nm-monitor: $(MONITOR_OBJ) $(LIBNM)
	$(CC) $(LINK_FLAGS) -o $@ $^ $(MSGPACK_LIBS)
nm-pcap: $(PCAPW_OBJ) $(LIBNM)
	$(CC) $(LINK_FLAGS) -o $@ $^ $(PCAP_LIBS) $(MSGPACK_LIBS) $(SECCOMP_LIBS)
nm-detect: $(DETECT_OBJ) $(LIBNM)
	$(CC) $(LINK_FLAGS) -o $@ $^ $(MSGPACK_LIBS) -lnettle -lm $(SECCOMP_LIBS)
# libmicrohttpd is linked into nm-web alone: no other stage has a socket.
nm-web: $(WEB_OBJ) $(LIBNM)
	$(CC) $(LINK_FLAGS) -o $@ $^ $(MHD_LIBS) $(MSGPACK_LIBS) -lpthread $(SECCOMP_LIBS)
# hiredis and librdkafka are linked into nm-push and nm-pull alone.
nm-push: bus/push.o $(BUS_LIB_OBJ) $(LIBNM)
	$(CC) $(LINK_FLAGS) -o $@ $^ $(BUS_LIBS) $(MSGPACK_LIBS) -lpthread $(SECCOMP_LIBS)
nm-pull: bus/pull.o $(BUS_LIB_OBJ) $(LIBNM)
	$(CC) $(LINK_FLAGS) -o $@ $^ $(BUS_LIBS) $(MSGPACK_LIBS) -lpthread $(SECCOMP_LIBS)

tests/unit/share_%: tests/unit/share_%.c tests/unit/check.h $(LIBNM)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $< $(LIBNM) $(MSGPACK_LIBS) \
	    $(if $(filter communityid,$*),-lnettle) $(if $(filter sketch,$*),-lm)
# The JSON tests check the writer's UTF-8 with the fuzz targets' own
# RFC 3629 check (fz_utf8), written apart from jsonw.c's.
tests/unit/share_json: tests/unit/share_json.c tests/unit/check.h fuzz/common.c fuzz/fuzz.h $(LIBNM)
	$(CC) $(ALL_CFLAGS) -Ifuzz $(LDFLAGS) -o $@ $< fuzz/common.c $(LIBNM) \
	    $(MSGPACK_LIBS)

# A unit test links libnm and every non-main object of the folder it tests
# (tests/unit/decode_*.c links decode/, and so on).
tests/unit/%: tests/unit/%.c $(LIBNM) $(DECODE_OBJ) $(RENDER_OBJ) $(CAPTURE_OBJ) $(STATS_OBJ) \
    $(PCAPW_OBJ) $(DETECT_OBJ) $(BUS_LIB_OBJ)
	$(CC) $(ALL_CFLAGS) -I$(firstword $(subst _, ,$*)) $(LDFLAGS) -o $@ $< \
	    $(filter-out %/main.o,$(if $(filter decode_%,$*),$(DECODE_OBJ)) \
	    $(if $(filter render_%,$*),$(RENDER_OBJ)) \
	    $(if $(filter capture_%,$*),$(CAPTURE_OBJ)) \
	    $(if $(filter stats_%,$*),$(STATS_OBJ)) \
	    $(if $(filter pcap_%,$*),$(PCAPW_OBJ)) \
	    $(if $(filter detect_%,$*),$(DETECT_OBJ)) \
	    $(if $(filter bus_%,$*),$(BUS_LIB_OBJ))) \
	    $(LIBNM) $(MSGPACK_LIBS) -lm $(if $(filter bus_%,$*),$(BUS_LIBS)) $(if $(filter capture_% pcap_%,$*),$(PCAP_LIBS)) \
	    $(if $(filter render_%,$*),$(NCURSES_LIBS)) \
	    $(if $(filter detect_% stats_%,$*),-lnettle) \
	    $(if $(filter decode_%,$*),$(CRYPTO_LIBS)) \
	    $(if $(filter stats_% decode_tls,$*),$(SECCOMP_LIBS))

tests/tools/%: tests/tools/%.c $(LIBNM)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $< $(LIBNM) $(MSGPACK_LIBS)
tests/tools/kafkamock: tests/tools/kafkamock.c
	$(CC) $(ALL_CFLAGS) $(RDKAFKA_CFLAGS) $(LDFLAGS) -o $@ $< $(RDKAFKA_LIBS)
tests/tools/seccomp_probe: tests/tools/seccomp_probe.c $(LIBNM)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $< $(LIBNM) $(SECCOMP_LIBS)
# The pcapng reader alone: no libpcap, nothing else of capture/.
tests/tools/pngdump tests/unit/capture_pngread: %: %.c capture/pngread.o $(LIBNM)
	$(CC) $(ALL_CFLAGS) -Icapture $(LDFLAGS) -o $@ $< capture/pngread.o \
	    $(LIBNM) $(MSGPACK_LIBS)

# deps installs what is missing (as root) or prints the command; before
# compiling anything, deps-check says what is missing instead of letting
# the compiler fail on a header (order-only: it never forces a rebuild).
deps:
	@sh tests/deps.sh build
.PHONY: deps-check
deps-check:
	@sh tests/deps.sh check
$(SHARE_OBJ) $(CAPTURE_OBJ) $(DECODE_OBJ) $(RENDER_OBJ) $(STATS_OBJ) \
    $(MONITOR_OBJ) $(PCAPW_OBJ) $(WEB_OBJ) $(BUS_OBJ): | deps-check

test: deps-test all $(UNIT_BIN) $(TOOL_BIN) $(FUZZ_REPLAY)
	@bash tests/run.sh
check: test
deps-test:
	@sh tests/deps.sh test

bench: deps-test all tests/tools/pktgen
	@bash tests/bench.sh

# The pipeline live beside tcpdump at several rates, and its latency
# (root: namespaces; tests/bench-live.sh).
.PHONY: bench-live
bench-live: deps-test all tests/tools/pktgen tests/tools/latency tests/tools/seqsend
	@bash tests/bench-live.sh

# The ledger at 1k, 10k, 100k packets/s and flat out (root: namespaces).
ledger: all tests/tools/seqsend tests/tools/ledger
	@bash tests/ledger.sh

demo: deps all
	./nm-monitor -r share/sample.pcap --realtime $(DEMO_ARGS)

# LeakSanitizer cannot stop the world in a process that dropped privilege
# (nm-capture) and spins at exit: leaks are the fuzzers' and valgrind's job.
sanitize:
	$(MAKE) clean
	ASAN_OPTIONS=detect_leaks=0 $(MAKE) \
	    CFLAGS='-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer' \
	    LDFLAGS='-fsanitize=address,undefined' test

# Fuzzing (fuzz/README): the libFuzzer targets are built with clang and
# ASan+UBSan into FUZZ_DIR, apart from the normal objects; `make fuzz`
# runs each FUZZ_TIME seconds on a seed corpus fuzz/seed.sh generates.
# The replay programs run fuzz/regress/ through the same targets in the
# normal build (tests/fuzz-regress.t).
FUZZ_CC	?= clang
FUZZ_DIR ?= fuzz/build
FUZZ_TIME ?= 600
FUZZ_SAN := -fsanitize=address,undefined -fno-sanitize-recover=all
FUZZ_BIN := $(FUZZ_TARGETS:%=$(FUZZ_DIR)/fuzz-%)
FUZZ_LIBOBJ := $(patsubst %,$(FUZZ_DIR)/%,$(SHARE_OBJ) fuzz/common.o)
FUZZ_HDR := $(wildcard share/*.h decode/*.h stats/*.h detect/*.h fuzz/*.h bus/*.h) \
    capture/pngread.h

# The targets link share/'s objects one by one (communityid.o among them:
# nettle for all).  The gcc build is the warning gate (-Werror in CI); clang warns on other
# things (a va_list format passed on, fields of seccomp.h's macros).
$(FUZZ_DIR)/%.o: %.c $(FUZZ_HDR)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(NM_CFLAGS) -Wno-error -Wno-format-nonliteral -Idecode -Istats -Icapture \
	    -Idetect \
	    -g -O1 -fno-omit-frame-pointer \
	    -Ibus $(FUZZ_SAN) -fsanitize=fuzzer-no-link $(FUZZ_XCFLAGS) -c -o $@ $<
# top_ports() scans 131072 counters per stats record: comparisons traced
# there slow the stats target tenfold and guide it nowhere.
$(FUZZ_DIR)/stats/top.o: FUZZ_XCFLAGS := -fno-sanitize-coverage=trace-cmp
# decode/'s targets: frames (decode), TLS hellos (tls), QUIC datagrams,
# sealed Initials and frames (quic), HTTP heads and segments (http).
$(FUZZ_DIR)/fuzz-decode $(FUZZ_DIR)/fuzz-tls $(FUZZ_DIR)/fuzz-quic \
    $(FUZZ_DIR)/fuzz-http: $(FUZZ_DIR)/fuzz-%: $(FUZZ_DIR)/fuzz/%.o \
    $(patsubst %,$(FUZZ_DIR)/%,$(filter-out %/main.o,$(DECODE_OBJ))) $(FUZZ_LIBOBJ)
	$(FUZZ_CC) $(FUZZ_SAN) -fsanitize=fuzzer -o $@ $^ $(MSGPACK_LIBS) -lnettle $(CRYPTO_LIBS) $(SECCOMP_LIBS)
$(FUZZ_DIR)/fuzz-stream: $(FUZZ_DIR)/fuzz/stream.o $(FUZZ_LIBOBJ)
	$(FUZZ_CC) $(FUZZ_SAN) -fsanitize=fuzzer -o $@ $^ $(MSGPACK_LIBS) -lnettle $(SECCOMP_LIBS)
$(FUZZ_DIR)/fuzz-stats: $(FUZZ_DIR)/fuzz/stats.o \
    $(patsubst %,$(FUZZ_DIR)/%,$(filter-out %/main.o,$(STATS_OBJ))) $(FUZZ_LIBOBJ)
	$(FUZZ_CC) $(FUZZ_SAN) -fsanitize=fuzzer -o $@ $^ $(MSGPACK_LIBS) -lnettle -lm $(SECCOMP_LIBS)
$(FUZZ_DIR)/fuzz-detect: $(FUZZ_DIR)/fuzz/detect.o \
    $(patsubst %,$(FUZZ_DIR)/%,$(filter-out %/main.o,$(DETECT_OBJ))) $(FUZZ_LIBOBJ)
	$(FUZZ_CC) $(FUZZ_SAN) -fsanitize=fuzzer -o $@ $^ $(MSGPACK_LIBS) -lnettle -lm $(SECCOMP_LIBS)
# bus: nm-pull's reader of messages off a bus (bus/frame.c, url.c).
$(FUZZ_DIR)/fuzz-bus: $(FUZZ_DIR)/fuzz/bus.o $(FUZZ_DIR)/bus/frame.o \
    $(FUZZ_DIR)/bus/url.o $(FUZZ_LIBOBJ)
	$(FUZZ_CC) $(FUZZ_SAN) -fsanitize=fuzzer -o $@ $^ $(MSGPACK_LIBS) -lnettle $(SECCOMP_LIBS)
$(FUZZ_DIR)/fuzz-pngread: $(FUZZ_DIR)/fuzz/pngread.o $(FUZZ_DIR)/capture/pngread.o \
    $(FUZZ_LIBOBJ)
	$(FUZZ_CC) $(FUZZ_SAN) -fsanitize=fuzzer -o $@ $^ $(MSGPACK_LIBS) -lnettle $(SECCOMP_LIBS)

fuzz/%-replay: fuzz/%.c fuzz/replay.c fuzz/common.c fuzz/fuzz.h $(LIBNM) \
    $(DECODE_OBJ) $(STATS_OBJ) $(DETECT_OBJ) capture/pngread.o bus/frame.o \
    bus/url.o
	$(CC) $(ALL_CFLAGS) -Idecode -Istats -Icapture -Idetect -Ibus $(LDFLAGS) -o $@ \
	    fuzz/$*.c fuzz/replay.c fuzz/common.c $(filter-out %/main.o, \
	    $(if $(filter decode tls quic http,$*),$(DECODE_OBJ)) \
	    $(if $(filter stats,$*),$(STATS_OBJ)) \
	    $(if $(filter detect,$*),$(DETECT_OBJ))) \
	    $(if $(filter pngread,$*),capture/pngread.o) \
	    $(if $(filter bus,$*),bus/frame.o bus/url.o) $(LIBNM) $(MSGPACK_LIBS) \
	    $(if $(filter detect stats,$*),-lnettle) \
	    $(if $(filter decode tls quic http,$*),$(CRYPTO_LIBS)) -lm $(SECCOMP_LIBS)

.PHONY: fuzz-bin fuzz-replay valgrind
fuzz-bin: $(FUZZ_BIN)
fuzz-replay: $(FUZZ_REPLAY)
fuzz: fuzz-bin all tests/tools/pktgen
	@FUZZ_DIR=$(FUZZ_DIR) sh fuzz/run.sh $(FUZZ_TIME) fuzz/corpus

# The pipeline tests with nm-decode, nm-stats and nm-render under valgrind.
valgrind: all $(TOOL_BIN)
	@bash tests/valgrind.sh

lint:
	cppcheck --quiet --enable=warning,portability --error-exitcode=1 \
	    -Ishare share capture decode stats render monitor pcap web bus

# The C sources clang-format keeps in the house style (.clang-format).
FORMAT_SRC = $(wildcard share/*.[ch] capture/*.[ch] decode/*.[ch] \
	     stats/*.[ch] render/*.[ch] monitor/*.[ch] pcap/*.[ch] web/*.[ch] \
	     bus/*.[ch])
format:
	clang-format -i $(FORMAT_SRC)
# Fails, naming each file and line, where a source is not as `make format`
# would leave it (tests/style.t runs it, and lint, in the test suite).
.PHONY: format-check
format-check:
	clang-format --dry-run --Werror $(FORMAT_SRC)

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 \
	    $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man7 $(DESTDIR)$(DATADIR)
	install -m 755 $(PROGS) $(DESTDIR)$(BINDIR)
	install -m 644 $(MAN1) $(DESTDIR)$(MANDIR)/man1
	install -m 644 $(MAN5) $(DESTDIR)$(MANDIR)/man5
	install -m 644 $(MAN7) $(DESTDIR)$(MANDIR)/man7
	install -m 644 share/services share/sample.pcap $(DESTDIR)$(DATADIR)

# Lets users capture without sudo (README: "Capturing without sudo").
# Never part of install: it is a security decision for the admin to take.
.PHONY: install-caps
install-caps:
	@if command -v setcap >/dev/null 2>&1; then \
	    echo "setcap cap_net_raw,cap_net_admin=eip $(DESTDIR)$(BINDIR)/nm-capture"; \
	    setcap cap_net_raw,cap_net_admin=eip $(DESTDIR)$(BINDIR)/nm-capture; \
	else \
	    echo "install-caps: no setcap (apt-get install libcap2-bin); then run:" >&2; \
	    echo "  setcap cap_net_raw,cap_net_admin=eip $(DESTDIR)$(BINDIR)/nm-capture" >&2; \
	    exit 1; \
	fi

uninstall:
	rm -f $(addprefix $(DESTDIR)$(BINDIR)/,$(PROGS))
	rm -f $(addprefix $(DESTDIR)$(MANDIR)/man1/,$(notdir $(MAN1)))
	rm -f $(addprefix $(DESTDIR)$(MANDIR)/man5/,$(notdir $(MAN5)))
	rm -f $(addprefix $(DESTDIR)$(MANDIR)/man7/,$(notdir $(MAN7)))
	rm -f $(DESTDIR)$(DATADIR)/services $(DESTDIR)$(DATADIR)/sample.pcap
	-rmdir $(DESTDIR)$(DATADIR)

clean:
	rm -f $(PROGS) $(LIBNM) share/*.o capture/*.o decode/*.o render/*.o stats/*.o \
	    monitor/*.o pcap/*.o detect/*.o web/*.o bus/*.o \
	    $(UNIT_BIN) $(TOOL_BIN) $(FUZZ_REPLAY)
	rm -rf tests/out $(FUZZ_DIR)
