# -o json writes what every stage reads back (nm-records(5)): strings that
# are not UTF-8 come out as valid UTF-8, surrogate escapes read as valid
# UTF-8, subnormal floats go both ways, 16 nested containers are read, a
# record whose JSON line would be over the limit is refused with one line
# and status 1, and a \u escape cut short is refused with its reason.
source "$(dirname "$0")/lib.sh"

if ! command -v python3 >/dev/null; then
	echo "python3 is needed to write msgpack by hand"; exit 77
fi

# mp.py OUT RECORD...: a msgpack stream of a header, the records (Python
# literals: dict, str, bytes as b'', float, int, bool), and an end record.
cat > "$TMP/mp.py" <<'PY'
import ast, struct, sys
def pack(v):
    if isinstance(v, bool): return b'\xc3' if v else b'\xc2'
    if isinstance(v, int):
        return bytes([v]) if 0 <= v < 128 else b'\xcf' + struct.pack('>Q', v)
    if isinstance(v, float): return b'\xcb' + struct.pack('>d', v)
    if isinstance(v, str): v = ('s', v.encode('utf-8', 'surrogatepass'))
    if isinstance(v, tuple):	# ('s', raw bytes): a str of any bytes
        b = v[1]
        return b'\xdb' + struct.pack('>I', len(b)) + b
    if isinstance(v, bytes): return b'\xc6' + struct.pack('>I', len(v)) + v
    if isinstance(v, list):
        return b'\xdd' + struct.pack('>I', len(v)) + b''.join(map(pack, v))
    return b'\xdf' + struct.pack('>I', len(v)) + b''.join(
        pack(k) + pack(x) for k, x in v.items())
recs = [{'type': 'header', 'version': 1}]
recs += [eval(a) for a in sys.argv[2:]]
recs.append({'type': 'end', 'producer': 't', 'records': len(recs),
    'frames': 0, 'packets': 0, 'reason': 'eof'})
open(sys.argv[1], 'wb').write(b''.join(map(pack, recs)))
PY
mp() { python3 "$TMP/mp.py" "$@"; }
end='{"type":"end","producer":"t","records":2,"frames":0,"packets":0,"reason":"eof"}'
utf8() { python3 -c 'import sys; open(sys.argv[1], "rb").read().decode("utf-8")' "$1" 2>/dev/null; }

# --- strings that are not UTF-8, out ---
mp "$TMP/bad.mp" "{'type':'note','s':('s',b'\xed\xa0\x80 \xc0\x80 \xe0\x80\xaf \xf4\x90\x80\x80 \xf0\x9f\x98\x80')}"
nm-render -o json < "$TMP/bad.mp" > "$TMP/bad.json"
check "json out: surrogates, overlong forms, past U+10FFFF as valid UTF-8" utf8 "$TMP/bad.json"
check "json out: the bytes are written as U+00XX, valid UTF-8 kept" grep -qF \
    '"s":"\u00ed\u00a0\u0080 \u00c0\u0080 \u00e0\u0080\u00af \u00f4\u0090\u0080\u0080 😀"' "$TMP/bad.json"
check "json out: read back by nm-decode" sh -c "nm-decode < '$TMP/bad.json' | nm-render -o json > '$TMP/bad2.json'"

# --- surrogate escapes, in ---
printf '%s\n' '{"type":"header","version":1}' \
    '{"type":"note","s":"a\ud800b\udc00c\ud83d\ude00"}' "$end" > "$TMP/sur.json"
nm-render -o json < "$TMP/sur.json" > "$TMP/sur.out"
check "json in: lone surrogates read as U+FFFD, a pair as its character" \
    grep -qF '"s":"a�b�c😀"' "$TMP/sur.out"
check "json in: what is read is valid UTF-8" utf8 "$TMP/sur.out"

# --- subnormal floats, both ways ---
printf '%s\n' '{"type":"header","version":1}' \
    '{"type":"note","x":1e-310,"y":4.9406564584124654e-324}' "$end" > "$TMP/sub.json"
nm-decode < "$TMP/sub.json" 2> "$TMP/err" | nm-render -o json > "$TMP/sub.out"
check "json in: 1e-310 and the smallest subnormal are read" \
    grep -qF '"x":9.9999999999999694e-311,"y":4.9406564584124654e-324' "$TMP/sub.out"
mp "$TMP/sub.mp" "{'type':'note','x':5e-324,'y':2.2250738585072009e-308}"
nm-render -o json < "$TMP/sub.mp" | nm-render -o json > "$TMP/sub2.out"
check "json out: subnormals written read back" \
    grep -q '"x":4.9406564584124654e-324,"y":2.2250738585072009e-308' "$TMP/sub2.out"

# --- a \u escape cut short ---
printf '{"type":"header","version":1,"s":"\\u12"}' | nm-render -o json \
    > /dev/null 2> "$TMP/err"
st=$?
check "json in: a \\u escape cut short: exit 3" test "$st" = 3
check "json in: ...with its reason and offset" grep -qx \
    'nm-render: stdin: malformed record stream at byte 34: JSON: \\u escape without four hex digits' "$TMP/err"

# --- nesting: 16 containers are allowed, with values in them ---
v=1
for i in $(seq 7); do v="{\"k\":[$v]}"; done	# 14, the record 15
printf '%s\n{"type":"note","a":[%s]}\n%s\n' '{"type":"header","version":1}' \
    "$v" "$end" > "$TMP/deep.json"
check "json in: 16 nested containers holding a value are read" \
    sh -c "nm-render -o json < '$TMP/deep.json' > /dev/null"
printf '%s\n{"type":"note","a":[[%s]]}\n%s\n' '{"type":"header","version":1}' \
    "$v" "$end" > "$TMP/deep.json"
nm-render -o json < "$TMP/deep.json" > /dev/null 2> "$TMP/err"
check "json in: 17 are refused" grep -q "nesting deeper than the limit" "$TMP/err"

# --- the line limit: records whose JSON would be over 1 MiB ---
# a frame of 600,000 bytes is 1.2 MB of hex, one of 500,000 fits; the
# second frame starts at byte 500084 (the header and the first before it)
mp "$TMP/big.mp" "{'type':'frame','ts':1,'data':b'\x01'*500000}" \
    "{'type':'frame','ts':2,'data':b'\x02'*600000}" \
    "{'type':'frame','ts':3,'data':b'\x03'}"
nm-render -o json < "$TMP/big.mp" > "$TMP/big.json" 2> "$TMP/err"
st=$?
check "json out: a record over the line limit: exit 1" test "$st" = 1
check "json out: ...one line naming the record and the limit" \
    test "$(cat "$TMP/err")" = "nm-render: stdin: record at byte 500084 not written: its JSON would be over the 1048576-byte line limit"
check "json out: ...the records around it are written" \
    test "$(grep -c '"type":"frame"' "$TMP/big.json")" = 2
check "json out: ...and every line is read back" \
    sh -c "nm-render -o json < '$TMP/big.json' | cmp -s - '$TMP/big.json'"

# a JSON line of exactly 1 MiB, newline included, is read and written back
python3 - "$TMP/lim.json" <<'PY'
import sys
pre, post = '{"type":"note","s":"', '"}\n'
line = pre + 'a' * (1048576 - len(pre) - len(post)) + post
open(sys.argv[1], 'w').write('{"type":"header","version":1}\n' + line +
    '{"type":"end","producer":"t","records":2,"frames":0,"packets":0,"reason":"eof"}\n')
PY
check "a JSON line of exactly 1 MiB is read and written back" \
    sh -c "nm-render -o json < '$TMP/lim.json' | cmp -s - '$TMP/lim.json'"

# a JSON line within the limit whose record is over it in msgpack (a float
# is 4 bytes of JSON here, 9 of msgpack) is refused by the stage reading
# the JSON, not by the next one
python3 -c 'import sys; sys.stdout.write("{\"type\":\"header\",\"version\":1}\n{\"type\":\"x\",\"a\":[" + ",".join(["1e9"] * 125000) + "]}\n")' > "$TMP/floats.json"
nm-decode < "$TMP/floats.json" 2> "$TMP/err" | nm-render -o json > /dev/null 2> "$TMP/err2"
check "json in: a record over the limit in msgpack is refused where it is read" \
    grep -q "^nm-decode: stdin: malformed record stream at byte [0-9]*: JSON: record larger than the limit in msgpack" "$TMP/err"
