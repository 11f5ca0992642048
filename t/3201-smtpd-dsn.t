#!/bin/sh
# 3201-smtpd-dsn.t: the DSN extension (RFC 3461) in smtpd, with Python's
# smtplib: EHLO offers DSN; RET, ENVID, NOTIFY and ORCPT are taken and
# written into the envelope exactly (postel-queue(5)), numbered by the
# recipient's place even after refused RCPTs; every malformed value and
# every duplicate is 501 and leaves nothing behind; the line limits
# grow for them; after HELO they are 555; RSET and EHLO forget them;
# sendmail -bs (smtpd -l, through enqueue -d) stores them too. No qrun
# runs, so each message stays in queue/new to be read.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/3smtpd.sh"
plan 66
setup_instance
conf 'max-errors 1000'
start_smtpd
S="$TOP/t/32-dsn-smtp.py"
diag_on_fail "$T/out"

# smtp: run the commands on stdin in one session; the output in $T/out
smtp() { $PY "$S" "$port" >"$T/out" 2>&1; }
# line N of the output
line() { sed -n "${1}p" "$T/out"; }
# the output's envelope lines, on one line
envl() { sed -n 's/^env //p' "$T/out" | tr '\n' '|'; }

smtp <<'EOF'
ehlo
mail a@example.org RET=hdrs ENVID=QQ+2B1
rcpt nobody@example.test NOTIFY=SUCCESS ORCPT=rfc822;nobody@example.test
rcpt alice@example.test NOTIFY=success,Failure ORCPT=rfc822;alice+2Bx@example.test
rcpt bob@example.test NOTIFY=NEVER,SUCCESS
rcpt bob@example.test
rcpt <postmaster> NOTIFY=DELAY ORCPT=utf-8;r\x{E9}sum\x{E9}@example.test
data
quit
EOF
is "$(line 1)" "ehlo 250 dsn" "EHLO offers DSN"
is "$(line 2)" "mail 250 2.1.0 Ok" "MAIL with RET=hdrs ENVID=QQ+2B1"
is "$(line 3)" "rcpt 550 5.1.1 No such user here" "an unknown user with NOTIFY, ORCPT: refused as ever"
is "$(line 4)" "rcpt 250 2.1.5 Ok" "NOTIFY=success,Failure ORCPT=rfc822;alice+2Bx@... (any case)"
is "$(line 5)" "rcpt 501 5.5.4 Bad NOTIFY parameter: NEVER must be alone" "NEVER with SUCCESS: 501"
is "$(line 6)" "rcpt 250 2.1.5 Ok" "the same recipient without parameters: 250"
is "$(line 7)" "rcpt 250 2.1.5 Ok" "<postmaster> with NOTIFY and a utf-8 ORCPT (RFC 6533)"
case "$(line 8)" in "data 250 2.0.0 Ok: queued as "*) ok 0 "queued" ;; *) ok 1 "queued: $(line 8)" ;; esac
is "$(envl)" "rcpt <alice@example.test>|rcpt <bob@example.test>|rcpt <postmaster@example.test>|ret hdrs|envid QQ+2B1|dsn 1 notify=failure orcpt=rfc822;alice+2Bx@example.test|dsn 3 notify=delay orcpt=utf-8;r\\x{E9}sum\\x{E9}@example.test|" \
    "stored exactly: ret, envid as it came, dsn N by the place in the envelope, none for the refused ones; SUCCESS dropped for an outside client"

# the first request after a refused RCPT and one without: numbered 2
smtp <<'EOF'
ehlo
mail a@example.org
rcpt alice@example.test
rcpt nobody@example.test ORCPT=rfc822;nobody@example.test
rcpt bob@example.test NOTIFY=never
data
quit
EOF
is "$(envl)" "rcpt <alice@example.test>|rcpt <bob@example.test>|dsn 2 notify=never|" "NOTIFY=never on the second recipient: dsn 2, no ret or envid"

# malformed values and duplicates: 501 naming the parameter and the problem
X480=$($PY -c 'print("x" * 480)')
X481=$($PY -c 'print("x" * 481)')
E100=$($PY -c 'print("e" * 100)')
E101=$($PY -c 'print("e" * 101)')
smtp <<EOF
ehlo
mail a@example.org
rcpt alice@example.test NOTIFY=BOGUS
rcpt alice@example.test NOTIFY=
rcpt alice@example.test NOTIFY
rcpt alice@example.test NOTIFY=SUCCESS,,DELAY
rcpt alice@example.test NOTIFY=SUCCESS,
rcpt alice@example.test NOTIFY=FAILURE,NEVER
rcpt alice@example.test NOTIFY=SUCCESS NOTIFY=SUCCESS
rcpt alice@example.test ORCPT=rfc822;a+2gb@example.test
rcpt alice@example.test ORCPT=rfc822;a+2b@example.test
rcpt alice@example.test ORCPT=rfc822alice@example.test
rcpt alice@example.test ORCPT=rfc822;
rcpt alice@example.test ORCPT=;alice@example.test
rcpt alice@example.test ORCPT=rfc(822);alice@example.test
rcpt alice@example.test ORCPT=rfc822;a+00b@example.test
rcpt alice@example.test ORCPT=rfc822;$X481@example.test
rcpt alice@example.test ORCPT=rfc822;a@example.test ORCPT=rfc822;a@example.test
rcpt alice@example.test RET=FULL
rcpt alice@example.test FOO=1
rcpt bob@example.test NOTIFY=SUCCESS,FAILURE,DELAY ORCPT=rfc822;$X480@example.test
data
quit
EOF
is "$(line 3)" "rcpt 501 5.5.4 Bad NOTIFY parameter: not SUCCESS, FAILURE, DELAY or NEVER" "a bad NOTIFY word"
is "$(line 4)" "rcpt 501 5.5.4 Bad NOTIFY parameter: empty" "NOTIFY= empty"
is "$(line 5)" "rcpt 501 5.5.4 Bad NOTIFY parameter: empty" "NOTIFY without a value"
is "$(line 6)" "rcpt 501 5.5.4 Bad NOTIFY parameter: empty word" "an empty word between commas"
is "$(line 7)" "rcpt 501 5.5.4 Bad NOTIFY parameter: empty word" "a trailing comma"
is "$(line 8)" "rcpt 501 5.5.4 Bad NOTIFY parameter: NEVER must be alone" "NEVER after FAILURE"
is "$(line 9)" "rcpt 501 5.5.4 Duplicate NOTIFY parameter" "NOTIFY twice"
is "$(line 10)" "rcpt 501 5.5.4 Bad ORCPT parameter: address not xtext" "ORCPT with +2g"
is "$(line 11)" "rcpt 501 5.5.4 Bad ORCPT parameter: address not xtext" "ORCPT with lower-case hex (RFC 3461 4: upper case)"
is "$(line 12)" "rcpt 501 5.5.4 Bad ORCPT parameter: not type;address" "ORCPT without ';'"
is "$(line 13)" "rcpt 501 5.5.4 Bad ORCPT parameter: empty address" "ORCPT with nothing after ';'"
is "$(line 14)" "rcpt 501 5.5.4 Bad ORCPT parameter: bad address type" "ORCPT with nothing before ';'"
is "$(line 15)" "rcpt 501 5.5.4 Bad ORCPT parameter: bad address type" "ORCPT with an addr-type that is no atom"
is "$(line 16)" "rcpt 501 5.5.4 Bad ORCPT parameter: address not printable ASCII" "ORCPT encoding a NUL (RFC 3461 4.2)"
is "$(line 17)" "rcpt 501 5.5.4 Bad ORCPT parameter: longer than 500 characters" "ORCPT of 501 characters"
is "$(line 18)" "rcpt 501 5.5.4 Duplicate ORCPT parameter" "ORCPT twice"
is "$(line 19)" "rcpt 555 5.5.4 Unsupported parameter" "RET on RCPT is unknown there: 555"
is "$(line 20)" "rcpt 555 5.5.4 Unsupported parameter" "an unknown RCPT parameter: 555"
is "$(line 21)" "rcpt 250 2.1.5 Ok" "ORCPT of 500 characters and all NOTIFY words: a RCPT line of 567 octets is taken"
case "$(line 22)" in "data 250 "*) ok 0 "queued" ;; *) ok 1 "queued: $(line 22)" ;; esac
is "$(envl)" "rcpt <bob@example.test>|dsn 1 notify=failure,delay orcpt=rfc822;$X480@example.test|" \
    "only the good recipient is queued, with its 500-character ORCPT; the refused alice is no recipient"

smtp <<EOF
ehlo
mail a@example.org RET=NONE
mail a@example.org RET=
mail a@example.org RET=FULL RET=HDRS
mail a@example.org ENVID=a+2gb
mail a@example.org ENVID=
mail a@example.org ENVID=$E101
mail a@example.org ENVID=a+0Ab
mail a@example.org ENVID=a ENVID=a
mail a@example.org NOTIFY=NEVER
rcpt alice@example.test
mail a@example.org RET=full ENVID=$E100
rcpt alice@example.test
data
quit
EOF
is "$(line 2)" "mail 501 5.5.4 Bad RET parameter: not FULL or HDRS" "RET=NONE"
is "$(line 3)" "mail 501 5.5.4 Bad RET parameter: not FULL or HDRS" "RET= empty"
is "$(line 4)" "mail 501 5.5.4 Duplicate RET parameter" "RET twice"
is "$(line 5)" "mail 501 5.5.4 Bad ENVID parameter: not xtext" "ENVID with +2g"
is "$(line 6)" "mail 501 5.5.4 Bad ENVID parameter: empty" "ENVID= empty"
is "$(line 7)" "mail 501 5.5.4 Bad ENVID parameter: longer than 100 characters" "ENVID of 101 characters"
is "$(line 8)" "mail 501 5.5.4 Bad ENVID parameter: not printable ASCII" "ENVID encoding a LF (RFC 3461 4.4)"
is "$(line 9)" "mail 501 5.5.4 Duplicate ENVID parameter" "ENVID twice"
is "$(line 10)" "mail 555 5.5.4 Unsupported parameter" "NOTIFY on MAIL is unknown there: 555"
is "$(line 11)" "rcpt 503 5.5.1 Need MAIL before RCPT" "a refused MAIL starts no transaction"
is "$(line 12) $(line 13)" "mail 250 2.1.0 Ok rcpt 250 2.1.5 Ok" "RET=full and an ENVID of 100 characters"
is "$(envl)" "rcpt <alice@example.test>|ret full|envid $E100|" "stored, RET in lower case"

# after HELO: no extensions, so the same 555 as BODY= there (smtplib
# itself would leave the parameters out: raw lines)
smtp <<'EOF'
helo
raw MAIL FROM:<a@example.org> BODY=8BITMIME
raw MAIL FROM:<a@example.org> RET=HDRS
raw MAIL FROM:<a@example.org> ENVID=x
mail a@example.org
raw RCPT TO:<alice@example.test> NOTIFY=NEVER
raw RCPT TO:<alice@example.test> ORCPT=rfc822;alice@example.test
raw RCPT TO:<postmaster> NOTIFY=NEVER
quit
EOF
is "$(line 2)" "raw 555 5.5.4 Parameters need EHLO" "after HELO: BODY= is 555"
is "$(line 3)" "raw 555 5.5.4 Parameters need EHLO" "after HELO: RET= too"
is "$(line 4)" "raw 555 5.5.4 Parameters need EHLO" "after HELO: ENVID= too"
is "$(line 6) $(line 7) $(line 8)" "raw 555 5.5.4 Parameters need EHLO raw 555 5.5.4 Parameters need EHLO raw 555 5.5.4 Parameters need EHLO" \
    "after HELO: NOTIFY= and ORCPT= too"

# RSET and a new EHLO forget them with the transaction
smtp <<'EOF'
ehlo
mail a@example.org RET=HDRS ENVID=gone
rcpt alice@example.test NOTIFY=NEVER ORCPT=rfc822;gone@example.test
rset
mail a@example.org
rcpt alice@example.test
data
mail a@example.org ENVID=gone2
rcpt bob@example.test NOTIFY=SUCCESS
ehlo
mail a@example.org
rcpt bob@example.test
data
quit
EOF
is "$(line 4)" "rset 250 2.0.0 Ok" "RSET"
is "$(sed -n 's/^env //p' "$T/out" | tr '\n' '|')" "rcpt <alice@example.test>|rcpt <bob@example.test>|" \
    "after RSET and after EHLO: no ret, envid or dsn line"

# smtplib's own sendmail() with mail_options and rcpt_options
smtp <<'EOF'
ehlo
sendmail a@example.org alice@example.test,nobody@example.test,bob@example.test RET=HDRS ENVID=s1 -- NOTIFY=SUCCESS,DELAY ORCPT=rfc822;list@example.org
quit
EOF
is "$(line 2)" "sendmail refused ['nobody@example.test']" "sendmail(): one recipient refused"
is "$(envl)" "rcpt <alice@example.test>|rcpt <bob@example.test>|ret hdrs|envid s1|dsn 1 notify=delay orcpt=rfc822;list@example.org|dsn 2 notify=delay orcpt=rfc822;list@example.org|" \
    "sendmail(mail_options=, rcpt_options=): stored for each recipient"

# the line limits: MAIL and RCPT grow, the others stay at 512 octets
long=$($PY -c 'print("x" * 700)')
X1300=$($PY -c 'print("x" * 1300)')
A400=$($PY -c 'print("a" * 400)')
smtp <<EOF
ehlo
raw NOOP $long
raw MAIL FROM:<a@example.org> SIZE=100 BODY=8BITMIME RET=HDRS ENVID=$E100 AUTH=$A400
raw RCPT TO:<alice@example.test> ORCPT=rfc822;$X1300
raw RSET
quit
EOF
is "$(line 2)" "raw 500 5.5.2 Line too long" "NOOP of 705 octets: still 500"
is "$(line 3)" "raw 250 2.1.0 Ok" "a MAIL line with SIZE, BODY, RET, ENVID and AUTH past 512 octets: taken"
is "$(line 4)" "raw 500 5.5.2 Line too long" "a RCPT line past 1280 octets: 500"

# sendmail -bs: smtpd -l hands them to enqueue (-R, -V, -d)
$PY "$S" --pipe "$B/sendmail" -bs >"$T/out" 2>&1 <<'EOF'
ehlo
mail a@example.org RET=HDRS ENVID=bs+2B1
rcpt alice@example.test
rcpt nosuchuser@example.test NOTIFY=NEVER
rcpt bob@example.test NOTIFY=FAILURE ORCPT=rfc822;b+2Bc@example.org
rcpt bob@example.test ORCPT=x
data
quit
EOF
is "$(line 1)" "ehlo 250 dsn" "sendmail -bs: EHLO offers DSN"
is "$(line 5)" "rcpt 250 2.1.5 Ok" "sendmail -bs: NOTIFY and ORCPT taken"
is "$(line 6)" "rcpt 501 5.5.4 Bad ORCPT parameter: not type;address" "sendmail -bs: a bad ORCPT is 501"
case "$(line 7)" in "data 250 2.0.0 Ok: queued as "*) ok 0 "sendmail -bs: queued" ;; *) ok 1 "sendmail -bs: queued: $(line 7)" ;; esac
is "$(envl)" "rcpt <alice@example.test>|rcpt <bob@example.test>|ret hdrs|envid bs+2B1|dsn 2 notify=failure orcpt=rfc822;b+2Bc@example.org|" \
    "sendmail -bs: stored through enqueue, dsn 2 for the second recipient queued"

grep -q '^smtpd: accepted sid=[0-9a-f.]* ip=127.0.0.1 qid=[0-9.]* from=<a@example.org> rcpts=3 size=[0-9]* tls=no$' "$T/smtpd.log"
ok $? "the accepted log line as before"

# a receipt reflects the client's message to whatever MAIL FROM says:
# an outside client's SUCCESS is dropped, SUCCESS alone becomes NEVER
smtp <<'EOF'
ehlo
mail victim@elsewhere.example
rcpt alice@example.test NOTIFY=SUCCESS
rcpt bob@example.test NOTIFY=SUCCESS,DELAY
data
quit
EOF
is "$(envl)" "rcpt <alice@example.test>|rcpt <bob@example.test>|dsn 1 notify=never|dsn 2 notify=delay|" \
    "an outside client gets no receipt: SUCCESS dropped, alone it is NEVER"

# a raw UTF-8 ORCPT (RFC 6533 utf-8-addr-unitext) in an SMTPUTF8
# transaction is kept in its xtext form; without SMTPUTF8 it is 501
smtp <<'EOF'
ehlo
mail a@example.org SMTPUTF8
rcpt alice@example.test NOTIFY=FAILURE ORCPT=utf-8;résumé+x@example.test
rcpt bob@example.test ORCPT=rfc822;résumé@example.test
data
quit
EOF
is "$(line 3)" "rcpt 250 2.1.5 Ok" "ORCPT=utf-8; with raw UTF-8 under SMTPUTF8: taken"
is "$(line 4)" "rcpt 501 5.5.4 Bad ORCPT parameter: UTF-8 needs the utf-8 address type" \
    "raw UTF-8 under another address type: 501"
is "$(envl)" 'rcpt <alice@example.test>|dsn 1 notify=failure orcpt=utf-8;r\x{E9}sum\x{E9}\x{2B}x@example.test|' \
    "kept as utf-8-addr-xtext"
smtp <<'EOF'
ehlo
mail a@example.org
raw RCPT TO:<alice@example.test> ORCPT=utf-8;résumé@example.test
quit
EOF
is "$(line 3)" "raw 501 5.5.4 Bad ORCPT parameter: not ASCII without SMTPUTF8" \
    "raw UTF-8 without SMTPUTF8: 501"

# this site's own clients (RELAYCLIENT, a login, sendmail -bs) keep it
start_smtpd RELAYCLIENT=
smtp <<'EOF'
ehlo
mail a@example.org
rcpt alice@example.test NOTIFY=SUCCESS,FAILURE
data
quit
EOF
is "$(envl)" "rcpt <alice@example.test>|dsn 1 notify=success,failure|" \
    "a RELAYCLIENT client keeps NOTIFY=SUCCESS"
done_testing
