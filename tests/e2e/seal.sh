#!/bin/sh
# Sealed records (issue 15 items 1-3, 5): an interview finalized on a form
# with the organisation's public key leaves no typed answer in the
# database files; the export carries the sealed files, which the openssl
# command line opens step by step from the ODK spec; --upload sends the
# manifest and submission.xml.enc as ODK Collect does; --decrypt opens the
# export with the private key (its passphrase typed on the terminal, not
# echoed) and refuses another key, a file cut short and a changed byte.
. tests/e2e/lib.sh

DB="$WORK/s.db"
KEY=$(cat tests/seal/org.pub.b64)
mkdir -p "$WORK/forms"
cat > "$WORK/forms/visit.yaml" <<EOF
form: visit
version: "3"
title: Visit
public_key: $KEY
sealed_keeps: [needs]
body:
  - {name: name, type: text, label: Respondent name, identifying: true}
  - {name: size, type: integer, label: People in the household}
  - name: work
    type: select_one
    label: Does the main earner have work?
    choices: [{value: "yes", label: "Yes"}, {value: "no", label: "No"}]
needs:
  - {id: livelihood, label: Livelihood, when: "\${work} = 'no'"}
EOF
RUN="$BIN --db $DB --forms $WORK/forms --lang en --interviewer liu --site beijing --round R1"
sql() { sqlite3 "$DB" "$1"; }

start 80 24 "$RUN"
expect "New interview"
new_interview BJ-0001
answer "Respondent name" "TEXT:Zhang Xiuying" Enter
answer "People in the household" TEXT:3 Enter
answer "main earner" 2
expect "Review"
keys Down Enter y
expect "Interview finalized"
skip_next_visit
check "the database holds the sealed record" \
    [ "$(sql "SELECT count(*) FROM sealed")" = 1 ]
check "and none of its answers" [ "$(sql "SELECT count(*) FROM answers")" = 0 ]
# While the program still runs: the typed name is in no database file.
check "the typed name is not in the database file" \
    sh -c "! grep -qaF 'Zhang Xiuying' '$DB'"
check "nor in its write-ahead log" \
    sh -c "! grep -qaF 'Zhang Xiuying' '$DB-wal' 2>/dev/null"
keys C-x
expect "[exit 0]"
check "the record waits for upload, finalized" \
    [ "$(sql "SELECT status FROM records")" = finalized ]

# --xform: the key in <submission>, inside <model>.
"$BIN" --xform "$WORK/forms/visit.yaml" >"$WORK/form.xml"
check "--xform: <submission> with the public key, inside <model>" python3 -c "
import sys, xml.etree.ElementTree as ET
x = ET.parse('$WORK/form.xml').getroot()
m = x.find('{http://www.w3.org/1999/xhtml}head/{http://www.w3.org/2002/xforms}model')
s = m.find('{http://www.w3.org/2002/xforms}submission')
sys.exit(s is None or s.get('base64RsaPublicKey') != '$KEY')"

# --export: the sealed files, no answers; the needs the form keeps.
"$BIN" --db "$DB" --export >"$WORK/e.jsonl" 2>"$WORK/err"
check "--export: no answers of a sealed record" \
    [ "$(jq -c 'has("answers")' "$WORK/e.jsonl")" = false ]
check "--export: the needs the form keeps in plain text" \
    [ "$(jq -c .needs "$WORK/e.jsonl")" = '["livelihood"]' ]
check "--export: the name is not in the export" \
    sh -c "! grep -qF 'Zhang Xiuying' '$WORK/e.jsonl'"
jq -r .sealed.manifest "$WORK/e.jsonl" | base64 -d >"$WORK/m.xml"
jq -r '.sealed["submission.xml.enc"]' "$WORK/e.jsonl" | base64 -d >"$WORK/sub.enc"
check "the manifest's version is the form's" grep -qF 'version="3"' "$WORK/m.xml"
sh tests/seal/odk-decrypt.sh "$WORK/m.xml" "$WORK/sub.enc" tests/seal/org.pem \
    >"$WORK/plain.xml"
check "openssl opens it, as the spec says, and the signature checks" \
    [ $? -eq 0 ]
check "the instance holds what was typed" python3 -c "
import sys, xml.etree.ElementTree as ET
x = ET.parse('$WORK/plain.xml').getroot()
sys.exit(not (x.tag == 'visit' and x.get('version') == '3' and
    x.findtext('name') == 'Zhang Xiuying' and x.findtext('work') == 'no'))"
check "another key does not open it" sh -c \
    "! sh tests/seal/odk-decrypt.sh '$WORK/m.xml' '$WORK/sub.enc' tests/seal/other.pem >/dev/null 2>&1"

# --decrypt: back to plain JSONL, answers typed by the form.
"$BIN" --forms "$WORK/forms" --decrypt tests/seal/org.pem "$WORK/e.jsonl" \
    >"$WORK/d.jsonl" 2>"$WORK/err"
check "--decrypt exits 0" [ $? -eq 0 ]
check "--decrypt gives the answers back" \
    [ "$(jq -c .answers "$WORK/d.jsonl")" = '{"name":"Zhang Xiuying","size":3,"work":"no"}' ]
check "--decrypt says what it did" \
    grep -qF "1 sealed record(s) opened, 0 not sealed, 0 refused" "$WORK/err"

"$BIN" --decrypt tests/seal/other.pem "$WORK/e.jsonl" >"$WORK/d2" 2>"$WORK/err"
check "--decrypt with another key: exit 1" [ $? -eq 1 ]
check "and says the record was sealed for another key" \
    grep -qF "was sealed for another key" "$WORK/err"
check "and writes nothing of it" [ ! -s "$WORK/d2" ]

jq -c '.sealed["submission.xml.enc"] |= .[0:-4]' "$WORK/e.jsonl" >"$WORK/cut.jsonl"
"$BIN" --decrypt tests/seal/org.pem "$WORK/cut.jsonl" >/dev/null 2>"$WORK/err"
check "a file cut short: exit 1" [ $? -eq 1 ]
check "and says so" grep -qF "is cut short" "$WORK/err"

# One byte changed in the middle of the encrypted instance.
python3 - "$WORK/e.jsonl" "$WORK/changed.jsonl" <<'EOF'
import base64, json, sys
r = json.loads(open(sys.argv[1]).read())
b = bytearray(base64.b64decode(r["sealed"]["submission.xml.enc"]))
b[len(b) // 2] ^= 1
r["sealed"]["submission.xml.enc"] = base64.b64encode(bytes(b)).decode()
open(sys.argv[2], "w").write(json.dumps(r) + "\n")
EOF
"$BIN" --decrypt tests/seal/org.pem "$WORK/changed.jsonl" >/dev/null 2>"$WORK/err"
check "a changed byte: exit 1" [ $? -eq 1 ]
check "and says the record was changed" grep -qF "has been changed" "$WORK/err"

# A key protected by a passphrase: asked on the terminal, not echoed;
# without a terminal, refused with a word on how.
setsid "$BIN" --decrypt tests/seal/org-pass.pem "$WORK/e.jsonl" \
    >/dev/null 2>"$WORK/err" </dev/null
check "no terminal for the passphrase: exit 2" [ $? -eq 2 ]
check "and says to run it on a terminal" grep -qF "on a terminal" "$WORK/err"
start 80 24 "$BIN --decrypt tests/seal/org-pass.pem --out $WORK/p.jsonl $WORK/e.jsonl"
expect "Passphrase of tests/seal/org-pass.pem"
typed "correct horse"
keys Enter
expect "1 sealed record(s) opened"
check "the passphrase is not shown" not_shown "correct horse"
check "--out has the opened record" \
    [ "$(jq -r .answers.name "$WORK/p.jsonl")" = "Zhang Xiuying" ]
# Item 5: the passphrase went nowhere: no file the program wrote (the
# database and its trail, the output, logs, sanitizer reports) holds it,
# and the command line has no place for it.
check "the passphrase is in no file under the test's folder" \
    sh -c "! grep -rqaF 'correct horse' '$WORK'"
"$BIN" --decrypt tests/seal/org-pass.pem --passphrase "correct horse" \
    "$WORK/e.jsonl" >/dev/null 2>"$WORK/err" </dev/null
check "a passphrase on the command line is refused: exit 2" [ $? -eq 2 ]

# --upload: the manifest as xml_submission_file, the instance as
# submission.xml.enc, as ODK Collect sends them.
mkdir -p "$WORK/got"
rm -f "$WORK/port"
python3 tests/fake_openrosa.py --port-file "$WORK/port" --lifetime 600 \
    --store "$WORK/got" &
SERVER=$!
i=0
while [ ! -s "$WORK/port" ] && [ $i -lt "$POLLS" ]; do sleep 0.05; i=$((i + 1)); done
URL="http://127.0.0.1:$(cat "$WORK/port")/v1/projects/1/submission"
"$BIN" --db "$DB" --upload "$URL" >/dev/null 2>"$WORK/err" </dev/null
check "--upload of a sealed record: exit 0" [ $? -eq 0 ]
IID=$(sql "SELECT instance_id FROM records" | tr : _)
check "the parts: the manifest, then submission.xml.enc" [ "$(cat "$WORK/got/$IID.parts")" = \
"xml_submission_file submission.xml text/xml
submission.xml.enc submission.xml.enc application/octet-stream" ]
check "the server got the manifest as exported" cmp -s "$WORK/got/$IID" "$WORK/m.xml"
check "and the encrypted instance as exported" cmp -s "$WORK/got/$IID.enc" "$WORK/sub.enc"
kill "$SERVER" 2>/dev/null
wait "$SERVER" 2>/dev/null
SERVER=

# --import of plain records on a sealed form seals them too.
cat >"$WORK/plain.jsonl" <<'EOF'
{"instance_id":"uuid:6f1c2b9e-3a4d-4e5f-8a7b-1c2d3e4f5a6b","form":"visit","form_version":"3","status":"finalized","household":"BJ-0002","round":"2020-R1","site":"beijing","interviewer":"liu","started_at":"2020-01-28T10:00:00+08:00","finalized_at":"2020-01-28T10:30:00+08:00","answers":{"name":"Li Guilan","size":4,"work":"yes"}}
EOF
"$BIN" --db "$DB" --forms "$WORK/forms" --import "$WORK/plain.jsonl" >/dev/null 2>&1
check "an imported record on a sealed form is sealed" [ "$(sql "SELECT count(*) FROM sealed")" = 2 ]
check "and keeps no answer" [ "$(sql "SELECT count(*) FROM answers")" = 0 ]
check "its name is in no database file" sh -c "! cat '$DB' '$DB-wal' 2>/dev/null | grep -qaF 'Li Guilan'"
"$BIN" --db "$DB" --forms "$WORK/forms" --import "$WORK/plain.jsonl" >/dev/null 2>"$WORK/err"
check "the same file again changes nothing" grep -qF "0 imported, 1 already here" "$WORK/err"
"$BIN" --db "$DB" --forms "$WORK/forms" --import "$WORK/e.jsonl" >/dev/null 2>"$WORK/err"
check "a sealed export is not imported as it is, and says how" \
    grep -qF "open it first with doorstep --decrypt" "$WORK/err"

finish
