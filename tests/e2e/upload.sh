#!/bin/sh
# Upload and export from the command line, as cron and a data manager run
# them: exit statuses, credentials from ~/.netrc, the summary line, the
# XForm and the CSV files.
. tests/e2e/lib.sh

DB="$WORK/d.db"
RUN="$BIN --db $DB --forms forms --lang en --interviewer liu --site beijing --round R1"
export HOME="$WORK/home"
mkdir -p "$HOME"

# Short interviews (the respondent says no), finalized in the program.
refused_interviews() {	# refused_interviews CODE...
	start 80 24 "$RUN"
	expect "New interview"
	for code in "$@"; do
		new_interview "$code"
		answer "Tell the respondent" Enter
		answer "Does the respondent agree" 2
		answer "The respondent did not agree" Enter
		expect "Review"
		keys Down Enter y
		expect "Interview finalized"
		skip_next_visit
	done
	keys C-x
	expect "[exit 0]"
}
refused_interviews BJ-0001 BJ-0002

server() {	# server ARGS...: starts the test receiver, sets $URL
	rm -f "$WORK/port"
	python3 tests/fake_openrosa.py --port-file "$WORK/port" --lifetime 600 "$@" &
	SERVER=$!
	i=0
	while [ ! -s "$WORK/port" ] && [ $i -lt "$POLLS" ]; do sleep 0.05; i=$((i + 1)); done
	URL="http://127.0.0.1:$(cat "$WORK/port")/v1/projects/1/submission"
}
stop() { kill "$SERVER" 2>/dev/null; wait "$SERVER" 2>/dev/null; }
up() {	# up ARGS...: runs the upload; $rc and $WORK/err
	"$BIN" --db "$DB" --upload "$@" >"$WORK/out" 2>"$WORK/err" </dev/null
	rc=$?
}
has_err() { grep -qF -- "$1" "$WORK/err"; }

up
check "--upload without an address: exit 2" [ "$rc" -eq 2 ]
check "and says where the address goes" has_err "needs the server's address"

server --user liu --password s3cret
up "$URL" --dry-run
check "--dry-run exits 0" [ "$rc" -eq 0 ]
check "--dry-run lists the records" has_err "would send: form needs_assessment version 2020-02, household BJ-0001"
check "--dry-run counts them" has_err "2 records would be sent"
check "--dry-run sent nothing" [ "$(curl -s "${URL%/v1/*}/stats" | jq .requests)" = 0 ]

up "$URL"
check "bad credentials: exit 1" [ "$rc" -eq 1 ]
check "bad credentials: the message says where they come from" has_err "check the user and password in ~/.netrc"
check "bad credentials: both still queued" has_err "0 uploaded, 0 conflict(s), 1 refused, 2 still queued"

printf 'machine 127.0.0.1 login liu password s3cret\n' > "$HOME/.netrc"
chmod 600 "$HOME/.netrc"
up "$URL"
check "credentials from ~/.netrc: exit 0" [ "$rc" -eq 0 ]
check "the summary line (not a terminal: no progress line)" has_err "doorstep: 2 uploaded, 0 conflict(s), 0 refused, 0 still queued"
check "nothing else on stderr" [ "$(wc -l < "$WORK/err")" -eq 1 ]
check "the server has both" [ "$(curl -s "${URL%/v1/*}/stats" | jq .instances)" = 2 ]
up "$URL"
check "a second run sends nothing" has_err "0 uploaded, 0 conflict(s), 0 refused, 0 still queued"
check "and the server saw no new request" [ "$(curl -s "${URL%/v1/*}/stats" | jq .requests)" = 3 ]
stop

# The environment's credentials; and a server that is not there.
refused_interviews BJ-0003
DOORSTEP_UPLOAD_TRIES=2 DOORSTEP_UPLOAD_BACKOFF_MS=10 up "$URL"
check "server unreachable: exit 75" [ "$rc" -eq 75 ]
check "server unreachable: said in words" has_err "cannot be reached"
check "server unreachable: the record waits" has_err "1 still queued"
server --kobo --user wang --password pw
DOORSTEP_UPLOAD_USER=wang DOORSTEP_UPLOAD_PASSWORD=pw up "$URL"
check "DOORSTEP_UPLOAD_USER/PASSWORD: exit 0" [ "$rc" -eq 0 ]
check "then it is sent" has_err "1 uploaded"
stop
# TLS: a certificate this machine does not trust is refused, in words;
# --cacert trusts a private CA.
refused_interviews BJ-0004
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1 \
    -addext subjectAltName=IP:127.0.0.1 -keyout "$WORK/key.pem" \
    -out "$WORK/cert.pem" 2>/dev/null
server --tls "$WORK/cert.pem" "$WORK/key.pem"
URL=$(echo "$URL" | sed 's/^http:/https:/')
DOORSTEP_UPLOAD_TRIES=1 up "$URL"
check "an untrusted certificate: exit 75" [ "$rc" -eq 75 ]
check "an untrusted certificate: said in words" has_err "TLS certificate is not trusted"
check "an untrusted certificate: nothing sent" has_err "0 uploaded, 0 conflict(s), 0 refused, 1 still queued"
up "$URL" --cacert "$WORK/cert.pem"
check "--cacert trusts it: exit 0" [ "$rc" -eq 0 ]
check "--cacert trusts it: sent" has_err "1 uploaded"
stop
check "uploaded records are marked" [ "$(sqlite3 "$DB" "select count(*) from records where status = 'uploaded'")" = 4 ]

stats() { curl -s "${URL%/v1/*}/stats" | jq ".$1"; }
requeue() { sqlite3 "$DB" "update records set status = 'finalized', uploaded_at = null, server_reply = null"; }
# Whether a file holds only text safe for a terminal: valid UTF-8, no C0
# control but the newline, no DEL, no C1 control (ESC [ and CSI alike).
terminal_safe() {
	python3 -c '
import sys
t = open(sys.argv[1], "rb").read().decode("utf-8")
bad = [hex(ord(c)) for c in t if (ord(c) < 0x20 and c != "\n") or 0x7f <= ord(c) <= 0x9f]
sys.exit(1 if bad else 0)' "$1"
}

# Two uploads at once (cron's and one by hand): each record is sent once;
# while one sends a record the other leaves it alone.
requeue
server --delay 0.3
( "$BIN" --db "$DB" --upload "$URL" >/dev/null 2>"$WORK/err1" </dev/null; echo $? > "$WORK/rc1" ) &
P1=$!
( "$BIN" --db "$DB" --upload "$URL" >/dev/null 2>"$WORK/err2" </dev/null; echo $? > "$WORK/rc2" ) &
P2=$!
wait $P1 $P2
check "two uploads at once: no record sent twice" [ "$(stats sent_twice)" = 0 ]
check "two uploads at once: the server has the 4" [ "$(stats instances)" = 4 ]
check "two uploads at once: both exit 0" [ "$(cat "$WORK/rc1")$(cat "$WORK/rc2")" = 00 ]
check "two uploads at once: all 4 marked uploaded" [ "$(sqlite3 "$DB" "select count(*) from records where status = 'uploaded'")" = 4 ]
stop

# A server that trickles 2 bytes a second: the run stops at the config's
# limits, exit 75, the records kept.
requeue
mkdir -p "$WORK/config/doorstep"
printf 'upload_request_timeout: 2\nupload_run_timeout: 3\n' > "$WORK/config/doorstep/config.yaml"
server --mode trickle
t0=$(date +%s)
timeout 40 "$BIN" --db "$DB" --upload "$URL" >"$WORK/out" 2>"$WORK/err" </dev/null
rc=$?
t1=$(date +%s)
check "a trickling server: exit 75" [ "$rc" -eq 75 ]
check "a trickling server: stopped within the limits (3 s, not 40)" [ $((t1 - t0)) -le 12 ]
check "a trickling server: said in words" has_err "upload_run_timeout"
check "a trickling server: every record still queued" [ "$(sqlite3 "$DB" "select count(*) from records where status = 'finalized'")" = 4 ]
stop
printf 'upload_run_timeout: soon\n' > "$WORK/config/doorstep/config.yaml"
up "$URL"
check "a time limit that is not a number: exit 2" [ "$rc" -eq 2 ]
check "a time limit that is not a number: located and said" has_err "config.yaml:1:21: upload_run_timeout must be a number of seconds"
rm "$WORK/config/doorstep/config.yaml"

# A reply that is not HTTP at all is the server's fault, not a wrong URL.
server --mode nothttp
DOORSTEP_UPLOAD_TRIES=2 DOORSTEP_UPLOAD_BACKOFF_MS=10 up "$URL"
check "a reply that is not HTTP: exit 75, not 2" [ "$rc" -eq 75 ]
check "a reply that is not HTTP: said in words" has_err "not HTTP"
stop

# A server's message with escape sequences reaches the terminal defanged.
server --mode escape
up "$URL"
check "a server message with escapes: refused, exit 1" [ "$rc" -eq 1 ]
check "a server message with escapes: shown" has_err "refused by the server (400): Form"
check "a server message with escapes: no control byte on stderr" terminal_safe "$WORK/err"
stop

# The URL's password and an app user's key are never printed.
server
KEYURL="http://liu:s3cret@127.0.0.1:$(cat "$WORK/port")/v1/key/Tok3nTok3n\$!/projects/1/submission"
up "$KEYURL" --dry-run
check "--dry-run with a password in the URL: exit 0" [ "$rc" -eq 0 ]
check "--dry-run hides the password and the key" sh -c "! grep -qe s3cret -e Tok3n '$WORK/err'"
check "--dry-run still says where" has_err "would be sent to http://liu:…@127.0.0.1:"
up "http://liu:s3cret@127.0.0.2:$(cat "$WORK/port")?@127.0.0.1/v1/key/Tok3nTok3n/x"
check "plain http to another address behind '?@': refused, exit 2" [ "$rc" -eq 2 ]
check "and the refusal hides the password and the key" sh -c "! grep -qe s3cret -e Tok3n '$WORK/err'"
up "http://127.0.0.2:$(cat "$WORK/port")?@127.0.0.1/v1/projects/1/submission"
check "the issue's 'http://127.0.0.2:PORT?@127.0.0.1/': refused, exit 2" [ "$rc" -eq 2 ]
check "and the refusal names the host libcurl would use" has_err "(host 127.0.0.2)"
check "and the server saw nothing" [ "$(stats requests)" = 0 ]

# A ~/.netrc that others can read is refused before anything is sent.
chmod 644 "$HOME/.netrc"
up "$URL"
check "a ~/.netrc others can read: exit 2" [ "$rc" -eq 2 ]
check "a ~/.netrc others can read: said, with the fix" has_err "chmod 600"
check "a ~/.netrc others can read: nothing sent" [ "$(stats requests)" = 0 ]
chmod 600 "$HOME/.netrc"
up "$URL"
check "once private again: sent" [ "$rc" -eq 0 ]
stop

# ODK Central's answers (central-replies.md), each with its fate. A closed
# form: the records wait with Central's words, and go once it is open.
queued() { sqlite3 "$DB" "select count(*) from records where status = '$1'"; }
control() { curl -s "${URL%/v1/*}/control?$1" >/dev/null; }
requeue
server --forms needs_assessment=2020-02 --closed needs_assessment
up "$URL"
check "a closed form: exit 1" [ "$rc" -eq 1 ]
check "a closed form: Central's words, in the interviewer's language around them" has_err "form needs_assessment does not take submissions on the server now (409): This form is not currently accepting submissions."
check "a closed form: no record in conflict, all 4 still queued" [ "$(queued conflict)$(queued finalized)" = 04 ]
check "a closed form: the summary counts the fate" has_err "refused and still queued: 4 of closed forms, 0 of form versions"
check "a closed form: the server's answer is kept with the record" [ "$(sqlite3 "$DB" "select count(*) from records where server_reply like '409 This form is not currently%'")" = 4 ]
control open=needs_assessment
up "$URL"
check "reopened: exit 0, all sent without any command" sh -c "[ $rc -eq 0 ] && grep -qF '4 uploaded, 0 conflict(s), 0 refused, 0 still queued' '$WORK/err'"
stop
# A version the server does not have yet: 404, Central's words decoded.
requeue
server --forms needs_assessment=2019-01
up "$URL"
check "a missing version: exit 1" [ "$rc" -eq 1 ]
check "a missing version: said, with Central's words decoded" has_err "the server does not have version 2020-02 of form needs_assessment (404): The form version specified in this submission '2020-02' does not exist."
check "a missing version: all still queued" [ "$(queued finalized)" = 4 ]
control publish=needs_assessment:2020-02
up "$URL"
check "once published: sent" [ "$rc" -eq 0 ]
# A conflict goes back in the queue with --requeue, which the record keeps.
sqlite3 "$DB" "update records set status = 'conflict', server_reply = '409 A submission already exists' where id = (select min(id) from records)"
"$BIN" --db "$DB" --lang en --interviewer chen --requeue all >"$WORK/out" 2>"$WORK/err"
check "--requeue all: exit 0" [ $? -eq 0 ]
check "--requeue all: says how many" has_err "1 record(s) back in the queue"
check "--requeue: the record is queued again, and says who put it back" [ "$(sqlite3 "$DB" "select status || ' ' || (server_reply like 'requeued % by chen; before: 409 A submission%') from records where id = (select min(id) from records)")" = "finalized 1" ]
"$BIN" --db "$DB" --lang en --requeue all >"$WORK/out" 2>"$WORK/err"
check "--requeue with nothing to put back: exit 1, said" sh -c "[ $? -eq 1 ] && grep -qF 'no conflict or refused record' '$WORK/err'"
"$BIN" --db "$DB" --lang zh --requeue all >"$WORK/out" 2>"$WORK/err"
check "--requeue in Chinese" has_err "没有与 'all' 相符的冲突或被拒收记录"
up "$URL"
check "the requeued record is sent again (identical: accepted)" sh -c "[ $rc -eq 0 ] && grep -qF '1 uploaded' '$WORK/err'"
stop

# The address with an app user's key from a 0600 file named in the config:
# never on a command line, never printed.
requeue
server
KEYURL="http://127.0.0.1:$(cat "$WORK/port")/v1/key/Tok3nTok3n\$!/projects/14/submission"
mkdir -p "$WORK/config/doorstep"
printf '# the app user "doorstep"\n%s\n' "$KEYURL" > "$WORK/server"
printf 'server_file: %s\n' "$WORK/server" > "$WORK/config/doorstep/config.yaml"
chmod 644 "$WORK/server"
XDG_CONFIG_HOME="$WORK/config" up
check "server_file that others can read: exit 2, with the fix" sh -c "[ $rc -eq 2 ] && grep -qF 'chmod 600' '$WORK/err'"
check "and the server saw nothing" [ "$(stats requests)" = 0 ]
chmod 600 "$WORK/server"
XDG_CONFIG_HOME="$WORK/config" up --dry-run
check "server_file: --dry-run shows the address without the key" sh -c "grep -qF '/v1/key/…/projects/14/submission' '$WORK/err' && ! grep -q Tok3n '$WORK/err'"
XDG_CONFIG_HOME="$WORK/config" up
check "server_file: sent" sh -c "[ $rc -eq 0 ] && grep -qF '4 uploaded' '$WORK/err'"
check "server_file: no message shows the key" sh -c "! grep -q Tok3n '$WORK/err'"
rm "$WORK/config/doorstep/config.yaml"
stop

# A form edited without a new version: --check, given the database that
# used it, refuses it and says to change the version; labels may change.
cp forms/needs_assessment.yaml "$WORK/na.yaml"
sed -i '0,/label:/s//label:/' "$WORK/na.yaml"
"$BIN" --db "$DB" --lang en --check "$WORK/na.yaml" >"$WORK/out" 2>"$WORK/err"
check "--check with the database: the same form passes" [ $? -eq 0 ]
python3 - "$WORK/na.yaml" <<'PY'
import re, sys
p = sys.argv[1]
t = open(p).read()
t = t.replace("type: integer", "type: decimal", 1)
open(p, "w").write(t)
PY
"$BIN" --db "$DB" --lang en --check "$WORK/na.yaml" >"$WORK/out" 2>"$WORK/err"
check "--check: changed questions under the same version: exit 1" [ $? -eq 1 ]
check "--check says what changed and to change the version" sh -c "grep -qF 'its questions differ from the version 2020-02 already used in' '$WORK/err' && grep -qF \"change 'version:' in the form file\" '$WORK/err' && grep -qF 'changed (its type' '$WORK/err'"
"$BIN" --db "$WORK/none.db" --lang en --check "$WORK/na.yaml" >"$WORK/out" 2>"$WORK/err"
check "--check without that database: passes, and creates no database" sh -c "[ $? -eq 0 ] && [ ! -e '$WORK/none.db' ]"
printf 'form: m\nversion: "1"\ntitle: M\nbody:\n  - {name: meta, type: text, label: M}\n' > "$WORK/meta.yaml"
"$BIN" --lang en --check "$WORK/meta.yaml" >"$WORK/out" 2>"$WORK/err"
check "--check refuses a question named meta, located" sh -c "[ $? -eq 1 ] && grep -qF \"meta.yaml:5:12: error: name 'meta' cannot be used\" '$WORK/err'"

# Round names from the database, instance IDs and form names from an
# import file: whatever they hold, the terminal gets no control byte.
# (The records were refusals, which the report counts apart and compares
# with nothing: consent is made yes so that the rounds are compared.)
sqlite3 "$DB" "update records set round = 'R1' || char(27) || ']0;pwned' || char(7) || char(27) || '[2J' where id % 2 = 1;
    update records set round = 'R2' || char(27) || '[31m' || char(155) || '1m' where id % 2 = 0;
    update answers set value = 'yes' where name = 'consent'"
"$BIN" --db "$DB" --forms forms --lang en --report >"$WORK/out" 2>"$WORK/err"
check "--report text with escapes in round names: exit 0" [ $? -eq 0 ]
check "--report text names the rounds" grep -qF "From R1" "$WORK/out"
check "--report text: no control byte on stdout" terminal_safe "$WORK/out"
printf '{"instance_id":"uuid:1\\u001b]0;pwned\\u0007\\u001b[2J","form":"f\\u001b[31m\\u009b1m","form_version":"1","status":"finalized","answers":{}}\n' > "$WORK/esc.jsonl"
"$BIN" --db "$DB" --forms forms --lang en --import "$WORK/esc.jsonl" >"$WORK/out" 2>"$WORK/err"
check "--import of escapes in instance_id and form: exit 1" [ $? -eq 1 ]
check "--import says which line" has_err "esc.jsonl:1"
check "--import: no control byte on stderr" terminal_safe "$WORK/err"
# A form's texts quoted by --check; data shown on a terminal (script(1)
# gives the program one): the export's JSON keeps U+009B, a C1 CSI, raw.
printf 'form: "x\\e[31m"\nversion: "1\\e]0;t\\a"\ntitle: T\n"lab\\e[2Jel": 3\nbody:\n  - {name: a, type: text, label: "A\\e[31m"}\n' > "$WORK/esc.yaml"
"$BIN" --check "$WORK/esc.yaml" >"$WORK/out" 2>"$WORK/err"
check "--check of a form with escapes: exit 1" [ $? -eq 1 ]
check "--check quotes the unknown key" has_err "unknown key 'lab"
check "--check: no control byte on stderr" terminal_safe "$WORK/err"
on_terminal() {	# on_terminal ARGS...: the program's output on a terminal, in $WORK/out
	script -qec "$BIN $*" /dev/null </dev/null | tr -d '\r' > "$WORK/out"
}
on_terminal --db "$DB" --export
check "--export to a terminal: the records are shown" grep -qF '"round":"R2' "$WORK/out"
check "--export to a terminal: no control byte" terminal_safe "$WORK/out"
"$BIN" --db "$DB" --export > "$WORK/export.jsonl" 2>/dev/null
check "--export to a file keeps the data as it is" grep -q "$(printf '\302\233')" "$WORK/export.jsonl"
printf 'form: esc\nversion: "1"\ntitle: "T\\e]0;t\\a"\nbody:\n  - {name: a, type: text, label: "A\\e[31m\\e[2J"}\n' > "$WORK/esc2.yaml"
on_terminal --xform "$WORK/esc2.yaml"
check "--xform to a terminal: the XForm is shown" grep -qF "<h:title>T" "$WORK/out"
check "--xform to a terminal: no control byte" terminal_safe "$WORK/out"

# The XForm to publish on the server.
"$BIN" --xform forms/needs_assessment.yaml > "$WORK/form.xml"
check "--xform exits 0" [ $? -eq 0 ]
check "--xform is well-formed XML with the form's binds" python3 -c "
import sys, xml.etree.ElementTree as ET
t = ET.parse('$WORK/form.xml').getroot()
x = '{http://www.w3.org/2002/xforms}'
binds = {b.get('nodeset'): b for b in t.iter(x + 'bind')}
b = binds['/needs_assessment/household/size']
assert b.get('type') == 'int', b.attrib
assert b.get('constraint') == '. >= 1 and . <= 20', b.attrib
r = binds['/needs_assessment/education/school_children'].get('relevant')
assert r == '/needs_assessment/household/children > 0', r
rep = [e for e in t.iter(x + 'repeat')][0]
assert rep.get('{http://openrosa.org/javarosa}count') == '/needs_assessment/household/size'
langs = [tr.get('lang') for tr in t.iter(x + 'translation')]
assert langs == ['zh', 'en'], langs
# ODK metadata as pyxform declares start, end, deviceid and username.
jr = '{http://openrosa.org/javarosa}'
m = '/needs_assessment/meta/'
for name, kind, preload, param in (('timeStart', 'dateTime', 'timestamp', 'start'),
        ('timeEnd', 'dateTime', 'timestamp', 'end'),
        ('deviceID', 'string', 'property', 'deviceid'),
        ('username', 'string', 'property', 'username')):
    b = binds[m + name]
    assert (b.get('type'), b.get(jr + 'preload'), b.get(jr + 'preloadParams')) == (kind, preload, param), b.attrib
assert binds[m + 'instanceName'].get('calculate') == \"concat(/needs_assessment/meta/household, ' ', /needs_assessment/meta/round)\", binds[m + 'instanceName'].attrib
assert binds[m + 'instanceID'].get(jr + 'preload') == 'uid'
meta = [e.tag.replace(x, '') for e in t.iter(x + 'meta')][0:1]
inst = t.find('.//' + x + 'instance/' + x + 'needs_assessment/' + x + 'meta')
assert [e.tag.replace(x, '') for e in inst][:6] == ['instanceID', 'instanceName', 'timeStart', 'timeEnd', 'deviceID', 'username'], list(inst)
"
"$BIN" --xform tests/forms/broken.yaml > /dev/null 2>"$WORK/err"
check "--xform of a broken form: exit 1 with located errors" sh -c "[ $? -eq 1 ] && grep -q 'broken.yaml:11:11' $WORK/err"

# CSV for spreadsheets: the records, and a file per repeat.
"$BIN" --db "$DB" --export --format csv --bom --out "$WORK/data.csv" 2>"$WORK/err"
check "--format csv exits 0" [ $? -eq 0 ]
check "the CSV is private (0600)" [ "$(stat -c %a "$WORK/data.csv")" = 600 ]
check "one header and four rows" [ "$(wc -l < "$WORK/data.csv")" -eq 5 ]
check "the members repeat has its own file" [ -f "$WORK/data-members.csv" ]
check "the CSV starts with a BOM" sh -c "head -c 3 $WORK/data.csv | od -An -tx1 | grep -q 'ef bb bf'"
check "a 0/1 column per choice" sh -c "head -1 $WORK/data.csv | grep -q ',info_sources/wechat,'"
"$BIN" --db "$DB" --export --format csv >/dev/null 2>"$WORK/err"
check "CSV to stdout says where repeats would go" has_err "give --out FILE.csv"
finish
