#!/bin/sh
# 8001-smtpd-filter.t: smtpd's filter chain (postel-filter(8)) with shell
# filters: pass with a rewrite, reject (554 5.7.1 with the reason), defer
# (451), crash/timeout/garbage are 451 and queue nothing, the envelope in
# the environment, and per-recipient chains from conf/filters.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/3smtpd.sh"
plan 21
setup_instance
F=$T/filters
mkdir "$F"
cat > "$F/tag" <<'SH'
#!/bin/sh
echo "X-Tag: $1 from=$SENDER rcpts=$RECIPIENTS ip=$CLIENT_IP helo=$HELO"
exec cat
SH
cat > "$F/reject" <<'SH'
#!/bin/sh
cat >/dev/null; echo "Go away: $(head -1 <&3)" >&2; exit 100
SH
cat > "$F/defer" <<'SH'
#!/bin/sh
echo "Scanner busy" >&2; exit 111
SH
printf '#!/bin/sh\nkill -SEGV $$\n' > "$F/crash"
printf '#!/bin/sh\nexec sleep 30\n' > "$F/hang"
printf '#!/bin/sh\necho not a message\n' > "$F/garbage"
chmod +x "$F"/*

send() {    # final reply code after the dot
	talk "EHLO client.example.org\r\nMAIL FROM:<a@example.org>\r\nRCPT TO:<${1:-alice}@example.test>\r\nDATA\r\nSubject: ${2:-t}\r\n\r\nbody\r\n.\r\nQUIT\r\n" |
	    awk '{print $(NF-1)}'
}
start_smtpd

conf "filters $F/tag one | $F/tag two"
is "$(send alice pass)" 250 "a passing chain: 250"
f=$(grep -l '^Subject: pass$' "$POSTEL_ROOT/queue/new/"*)
is "$(msg_body "$f" | sed -n '1p;2p' | cut -d' ' -f1,2)" "X-Tag: two
X-Tag: one" "each stage rewrote the message in turn"
is "$(msg_body "$f" | sed -n 1p)" "X-Tag: two from=a@example.org rcpts=alice@example.test ip=127.0.0.1 helo=client.example.org" \
    "the envelope is in the environment"
msg_body "$f" | sed -n 3p | grep -q '^Received: from client.example.org'
ok $? "the filters saw smtpd's Received:"

# A filter may add to a message of max-size (up to 64 KiB more,
# postel-filter(8)): smtpd queues it rather than answer 552 for it.
cat > "$F/grow" <<'SH'
#!/bin/sh
printf 'X-Grown: %s\n' "$(head -c 900 /dev/zero | tr '\0' g)"
exec cat
SH
chmod +x "$F/grow"
conf "filters $F/grow" "max-size 1024"
body=$($PY -c 'print(("y" * 70 + "\\r\\n") * 12, end="")')
is "$(talk "EHLO c\r\nMAIL FROM:<a@example.org>\r\nRCPT TO:<alice@example.test>\r\nDATA\r\nSubject: grown\r\n\r\n${body}.\r\nQUIT\r\n" | awk '{print $(NF-1)}')" \
    250 "a filter that grows a message past max-size: 250"
f=$(grep -l '^Subject: grown$' "$POSTEL_ROOT/queue/new/"*)
is "$(msg_body "$f" | grep -c '^X-Grown: ggg')" 1 "and the grown message is queued"
cat > "$F/bloat" <<'SH'
#!/bin/sh
head -c 40000 /dev/zero | tr '\0' b | fold -w 70 | sed 's/^/X-Pad: /'
exec cat
SH
chmod +x "$F/bloat"
conf "filters $F/bloat" "max-size 1024"
is "$(send alice bloat)" 451 "one that grows it by more than 32 KiB: 451"

n=$(queue_count)
conf "filters $F/tag x | $F/reject"
is "$(talk -v "HELO c\r\nMAIL FROM:<a@example.org>\r\nRCPT TO:<bob@example.test>\r\nDATA\r\nSubject: r\r\n\r\nx\r\n.\r\nQUIT\r\n" | sed -n 6p)" \
    "554 5.7.1 Go away: bob@example.test" "exit 100: 554 5.7.1 with the filter's reason (fd 3 had the recipient)"
conf "filters $F/defer"
is "$(talk -v "HELO c\r\nMAIL FROM:<a@example.org>\r\nRCPT TO:<bob@example.test>\r\nDATA\r\nSubject: r\r\n\r\nx\r\n.\r\nQUIT\r\n" | sed -n 6p)" \
    "451 4.7.1 Scanner busy" "exit 111: 451 4.7.1 with the reason"
conf "filters $F/crash"
is "$(send)" 451 "a crashing filter: 451"
conf "filters $F/garbage"
is "$(send)" 451 "garbage output: 451"
conf "filters $F/nonexistent"
is "$(send)" 451 "a missing filter program: 451"
conf "filters $F/hang" "filter-timeout 1"
is "$(send)" 451 "a hanging filter: 451 after filter-timeout"
is "$(queue_count)" "$n" "none of these queued anything"
grep -q 'smtpd: filter .*result=defer .*timed out' "$T/smtpd.log"
ok $? "the log says why"
conf "filters $F/tag a ||"
is "$(talk "EHLO c.org\r\nMAIL FROM:<a@example.org>\r\nQUIT\r\n")" "220 250 451 221" "a bad chain is a configuration error: MAIL 451"

# per-recipient and per-domain chains
conf "filters $F/reject"
printf 'alice@example.test %s\nexample.test -\n' "$F/tag alice" > "$POSTEL_ROOT/conf/filters"
is "$(send bob none)" 250 "the domain's entry (-: no filter) wins over the filters key"
is "$(msg_body "$(grep -l '^Subject: none$' "$POSTEL_ROOT/queue/new/"*)" | sed -n 1p | cut -c1-9)" \
    "Received:" "and nothing rewrote the message"
is "$(send alice mine)" 250 "the address's entry wins over the domain's"
msg_body "$(grep -l '^Subject: mine$' "$POSTEL_ROOT/queue/new/"*)" | grep -q '^X-Tag: alice'
ok $? "and its chain ran"
is "$(talk "HELO c\r\nMAIL FROM:<a@example.org>\r\nRCPT TO:<alice@example.test>\r\nRCPT TO:<bob@example.test>\r\nQUIT\r\n")" \
    "220 250 250 250 452 221" "a recipient with another chain: 452 4.5.3, send it later"
done_testing
