#!/bin/sh
# 2002-sendmail-filter.t: filters-local runs over mail submitted through
# sendmail, as the submitting user, before enqueue: pass (rewritten),
# reject (EX_DATAERR), defer and crash (EX_TEMPFAIL), nothing queued then.
. "$(dirname "$0")/lib.sh"
plan 15
setup_instance
SM=$B/sendmail
cat > "$T/addhdr" <<'SH'
#!/bin/sh
echo "X-Filtered: by $(id -un) for $RECIPIENTS from $SENDER"
cat
SH
cat > "$T/reject" <<'SH'
#!/bin/sh
cat >/dev/null; echo "no thanks" >&2; exit 100
SH
cat > "$T/defer" <<'SH'
#!/bin/sh
cat >/dev/null; echo "busy" >&2; exit 111
SH
cat > "$T/crash" <<'SH'
#!/bin/sh
cat >/dev/null; kill -9 $$
SH
chmod +x "$T"/addhdr "$T"/reject "$T"/defer "$T"/crash
conf() { echo "filters-local $1" > "$POSTEL_ROOT/conf/postel.conf"; }

conf "$T/addhdr"
printf 'Subject: f\n\nbody\n' | "$SM" -i -f a@example.org b@example.test
is "$?" 0 "a passing filter"
f=$(ls -t "$POSTEL_ROOT"/queue/new/* | head -1)
is "$(sed '1,/^$/d' "$f" | head -1)" "X-Filtered: by $(id -un) for b@example.test from a@example.org" "its rewrite is queued, with the envelope it was given"
is "$(sed '1,/^$/d' "$f" | tail -1)" "body" "the body follows"
n=$(queue_count)

# max-size holds what the user sent; a filter may add to it
cat > "$T/grow" <<'SH'
#!/bin/sh
printf 'X-Grown: %s\n' "$(head -c 900 /dev/zero | tr '\0' g)"
cat
SH
chmod +x "$T/grow"
printf 'filters-local %s\nmax-size 1024\n' "$T/grow" > "$POSTEL_ROOT/conf/postel.conf"
{ printf 'Subject: g\n\n'; head -c 900 /dev/zero | tr '\0' y; echo; } |
    "$SM" -i -f a@example.org b@example.test
is "$? $(queue_count)" "0 $((n + 1))" "a filter may grow a message past max-size"
{ printf 'Subject: g\n\n'; head -c 1011 /dev/zero | tr '\0' y; echo; } > "$T/exact"
is "$(wc -c < "$T/exact" | tr -d ' ')" 1024 "a message of max-size octets"
"$SM" -i -f a@example.org b@example.test < "$T/exact"
is "$? $(queue_count)" "0 $((n + 2))" "is taken: the Date:, From: and Message-ID: sendmail adds do not count"
expect_exit 65 "a message over max-size is EX_DATAERR" sh -c '{ printf "Subject: g\n\n"; head -c 2000 /dev/zero | tr "\0" y; echo; } | "$0" -i b@example.test' "$SM"
is "$(queue_count)" $((n + 2)) "and is not queued"
n=$(queue_count)

conf "$T/reject"
expect_exit 65 "a reject is EX_DATAERR" sh -c 'printf "Subject: f\n\nx\n" | "$0" -i b@example.test' "$SM"
grep -q "refused by filter.*: no thanks" "$T/.err"; ok $? "with the filter's reason"
conf "$T/defer"
expect_exit 75 "a defer is EX_TEMPFAIL" sh -c 'printf "Subject: f\n\nx\n" | "$0" -i b@example.test' "$SM"
conf "$T/crash"
expect_exit 75 "a crashing filter is EX_TEMPFAIL, never a pass" sh -c 'printf "Subject: f\n\nx\n" | "$0" -i b@example.test' "$SM"
conf "$T/addhdr | $T/reject"
expect_exit 65 "a chain stops at its reject" sh -c 'printf "Subject: f\n\nx\n" | "$0" -i b@example.test' "$SM"
is "$(queue_count)" "$n" "nothing queued for refused mail"
rm "$POSTEL_ROOT/conf/postel.conf"
printf 'Subject: f\n\nx\n' | "$SM" -i b@example.test
is "$(queue_count)" "$((n + 1))" "no filters-local: no filter"
done_testing
