#!/usr/bin/env bash
# The programs are built hardened as Debian builds its packages (what
# hardening-check looks at), read off the binaries with readelf: position
# independent (ELF type DYN), full RELRO (a GNU_RELRO segment and bind-now),
# the stack protector (__stack_chk_fail linked) and fortified libc calls
# (__*_chk linked).
source "$(dirname "$0")/lib.sh"
command -v readelf >/dev/null || { skip "hardening: no readelf (binutils)"; exit 0; }
for p in nm-capture nm-decode nm-stats nm-render nm-monitor nm-pcap nm-web; do
	f=$NM_TOP/$p
	[ -x "$f" ] || { fail "$p: not built"; continue; }
	check "$p: PIE" sh -c "readelf -h '$f' | grep -q 'Type: *DYN'"
	check "$p: full RELRO" sh -c "readelf -lW '$f' | grep -q GNU_RELRO &&
	    readelf -d '$f' | grep -Eq 'BIND_NOW|FLAGS_1.*NOW'"
	check "$p: stack protector" sh -c \
	    "readelf -sW --dyn-syms '$f' | grep -q __stack_chk_fail"
	check "$p: fortified calls" sh -c \
	    "readelf -sW --dyn-syms '$f' | grep -q '__[a-z]*_chk@'"
done
