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

NM_CFLAGS := -std=c11 -D_GNU_SOURCE -Ishare $(WARN) $(MSGPACK_CFLAGS) \
	     -DNM_DATADIR='"$(DATADIR)"'
ALL_CFLAGS = $(NM_CFLAGS) $(CFLAGS) $(CPPFLAGS)

PROGS	:= nm-capture nm-decode nm-render $(if $(wildcard stats/main.c),nm-stats) \
	   $(if $(wildcard monitor/main.c),nm-monitor)
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

UNIT_SRC := $(wildcard tests/unit/*.c)
UNIT_BIN := $(UNIT_SRC:.c=)
TOOL_SRC := $(wildcard tests/tools/*.c)
TOOL_BIN := $(TOOL_SRC:.c=)

MAN1 := $(wildcard capture/*.1 decode/*.1 stats/*.1 render/*.1 monitor/*.1)
MAN5 := $(wildcard share/*.5)

.PHONY: all install uninstall test check bench sanitize fuzz lint clean \
	format deps deps-test sample demo
all: $(PROGS)

%.o: %.c $(wildcard share/*.h) $(wildcard $(dir %)*.h)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

capture/%.o: capture/%.c $(wildcard share/*.h capture/*.h)
	$(CC) $(ALL_CFLAGS) $(PCAP_CFLAGS) -c -o $@ $<
decode/%.o: decode/%.c $(wildcard share/*.h decode/*.h)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<
render/%.o: render/%.c $(wildcard share/*.h render/*.h)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<
stats/%.o: stats/%.c $(wildcard share/*.h stats/*.h)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<
monitor/%.o: monitor/%.c $(wildcard share/*.h monitor/*.h)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(LIBNM): $(SHARE_OBJ)
	$(AR) rcs $@ $^

nm-capture: $(CAPTURE_OBJ) $(LIBNM)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(PCAP_LIBS) $(MSGPACK_LIBS)
nm-decode: $(DECODE_OBJ) $(LIBNM)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(MSGPACK_LIBS)
nm-stats: $(STATS_OBJ) $(LIBNM)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(MSGPACK_LIBS) -lm
nm-render: $(RENDER_OBJ) $(LIBNM)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(MSGPACK_LIBS)
nm-monitor: $(MONITOR_OBJ) $(LIBNM)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(MSGPACK_LIBS)

tests/unit/share_%: tests/unit/share_%.c $(LIBNM)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $< $(LIBNM) $(MSGPACK_LIBS)

# A unit test links libnm and every non-main object of the folder it tests
# (tests/unit/decode_*.c links decode/, and so on).
tests/unit/%: tests/unit/%.c $(LIBNM) $(DECODE_OBJ) $(RENDER_OBJ) $(CAPTURE_OBJ) $(STATS_OBJ)
	$(CC) $(ALL_CFLAGS) -I$(firstword $(subst _, ,$*)) $(LDFLAGS) -o $@ $< \
	    $(filter-out %/main.o,$(if $(filter decode_%,$*),$(DECODE_OBJ)) \
	    $(if $(filter render_%,$*),$(RENDER_OBJ)) \
	    $(if $(filter capture_%,$*),$(CAPTURE_OBJ)) \
	    $(if $(filter stats_%,$*),$(STATS_OBJ))) \
	    $(LIBNM) $(MSGPACK_LIBS) -lm $(if $(filter capture_%,$*),$(PCAP_LIBS))

tests/tools/%: tests/tools/%.c $(LIBNM)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $< $(LIBNM) $(MSGPACK_LIBS)

# deps installs what is missing (as root) or prints the command.
deps:
	@sh tests/deps.sh build

test: deps-test all $(UNIT_BIN) $(TOOL_BIN)
	@bash tests/run.sh
check: test
deps-test:
	@sh tests/deps.sh test

bench: deps-test all tests/tools/pktgen
	@bash tests/bench.sh

demo: deps all
	./nm-monitor -r share/sample.pcap --realtime $(DEMO_ARGS)

sanitize:
	$(MAKE) clean
	$(MAKE) CFLAGS='-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer' \
	    LDFLAGS='-fsanitize=address,undefined' test

lint:
	cppcheck --quiet --enable=warning,portability --error-exitcode=1 \
	    -Ishare share capture decode stats render monitor

format:
	clang-format -i $(wildcard share/*.[ch] capture/*.[ch] decode/*.[ch] stats/*.[ch] render/*.[ch] monitor/*.[ch])

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 \
	    $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(DATADIR)
	install -m 755 $(PROGS) $(DESTDIR)$(BINDIR)
	install -m 644 $(MAN1) $(DESTDIR)$(MANDIR)/man1
	install -m 644 $(MAN5) $(DESTDIR)$(MANDIR)/man5
	install -m 644 share/services share/sample.pcap $(DESTDIR)$(DATADIR)

uninstall:
	rm -f $(addprefix $(DESTDIR)$(BINDIR)/,$(PROGS))
	rm -f $(addprefix $(DESTDIR)$(MANDIR)/man1/,$(notdir $(MAN1)))
	rm -f $(addprefix $(DESTDIR)$(MANDIR)/man5/,$(notdir $(MAN5)))
	rm -f $(DESTDIR)$(DATADIR)/services $(DESTDIR)$(DATADIR)/sample.pcap
	-rmdir $(DESTDIR)$(DATADIR)

clean:
	rm -f $(PROGS) $(LIBNM) share/*.o capture/*.o decode/*.o render/*.o stats/*.o \
	    monitor/*.o \
	    $(UNIT_BIN) $(TOOL_BIN)
	rm -rf tests/out
