#!/bin/sh
# --decrypt --format csv (issue 15 item 2): the same interviews, once on a
# plain form and once sealed, exported and opened with the private key,
# give the very CSV files --export --format csv writes of the plain ones:
# the same header, rows, repeat file, quoting and formula guard.
. tests/e2e/lib.sh

KEY=$(cat tests/seal/org.pub.b64)
mkdir -p "$WORK/plain" "$WORK/sealed"
form() {	# form [public_key: line]
	cat <<EOF
form: visit
version: "3"
title: Visit
$1
body:
  - {name: name, type: text, label: Name, identifying: true}
  - {name: size, type: integer, label: Size}
  - repeat: members
    label: Members
    count: "\${size}"
    body:
      - {name: age, type: integer, label: Age}
      - {name: child, type: calculate, calculation: "if(\${age} < 18, 1, 0)"}
  - {name: children, type: calculate, calculation: "sum(\${child})"}
  - name: debts
    type: select_multiple
    label: Debts
    choices: [{value: online_loan, label: Online}, {value: card, label: Card}, {value: family, label: Family}]
  - {name: owed, type: decimal, label: Owed, relevant: "count-selected(\${debts}) > 0"}
  - {name: visit_date, type: date, label: Day}
  - {name: notes, type: text, label: Notes}
needs:
  - {id: livelihood, label: Livelihood, when: "selected(\${debts}, 'online_loan')"}
EOF
}
form "" >"$WORK/plain/visit.yaml"
form "public_key: $KEY" >"$WORK/sealed/visit.yaml"
cat >"$WORK/in.jsonl" <<'EOF'
{"instance_id":"uuid:6f1c2b9e-3a4d-4e5f-8a7b-1c2d3e4f5a61","form":"visit","form_version":"3","status":"finalized","household":"BJ-0001","round":"2020-R1","site":"beijing","interviewer":"liu","started_at":"2020-01-28T10:00:00+08:00","finalized_at":"2020-01-28T10:30:00+08:00","answers":{"name":"王芳","size":2,"members":[{"age":34},{"age":8}],"debts":["online_loan","card"],"owed":1500.5,"visit_date":"2020-01-28","notes":"=1+2, she said \"later\""}}
{"instance_id":"uuid:6f1c2b9e-3a4d-4e5f-8a7b-1c2d3e4f5a62","form":"visit","form_version":"3","status":"finalized","household":"BJ-0002","round":"2020-R1","site":"beijing","interviewer":"wang","started_at":"2020-01-29T09:00:00+08:00","finalized_at":"2020-01-29T09:20:00+08:00","answers":{"name":"Li, Lei","size":1,"members":[{"age":40}],"debts":[],"visit_date":"2020-01-29","notes":null}}
EOF

# The plain side.
"$BIN" --db "$WORK/p.db" --forms "$WORK/plain" --import "$WORK/in.jsonl" \
    >/dev/null 2>"$WORK/err"
check "the plain records are imported" grep -qF "2 imported" "$WORK/err"
"$BIN" --db "$WORK/p.db" --export --format csv --out "$WORK/plain.csv" \
    2>"$WORK/err"
check "--export --format csv of the plain records: exit 0" [ $? -eq 0 ]

# The sealed side: the same records sealed as they come in, exported
# sealed, opened with the private key as CSV.
"$BIN" --db "$WORK/s.db" --forms "$WORK/sealed" --import "$WORK/in.jsonl" \
    >/dev/null 2>"$WORK/err"
check "the sealed database holds two sealed records and no answer" \
    [ "$(sqlite3 "$WORK/s.db" "SELECT count(*) FROM sealed; SELECT count(*) FROM answers" | tr '\n' ' ')" = "2 0 " ]
"$BIN" --db "$WORK/s.db" --export --out "$WORK/sealed.jsonl" 2>"$WORK/err"
check "the sealed export holds no name" sh -c "! grep -qF '王芳' '$WORK/sealed.jsonl'"
"$BIN" --forms "$WORK/sealed" --decrypt tests/seal/org.pem --format csv \
    --out "$WORK/opened.csv" "$WORK/sealed.jsonl" >/dev/null 2>"$WORK/err"
check "--decrypt --format csv: exit 0" [ $? -eq 0 ]
check "and says what it opened" \
    grep -qF "2 sealed record(s) opened, 0 not sealed, 0 refused" "$WORK/err"
check "the records' CSV is the plain export's, byte for byte" \
    cmp "$WORK/plain.csv" "$WORK/opened.csv"
check "and so is the repeat's (opened-members.csv)" \
    cmp "$WORK/plain-members.csv" "$WORK/opened-members.csv"
check "it holds the answers: the name, the formula made inert" \
    grep -qF "王芳,2,1,online_loan card,1,1,0,1500.5,2020-01-28,\"'=1+2, she said \"\"later\"\"\"" \
    "$WORK/opened.csv"
check "nothing of the records was left in a file beside it" \
    [ "$(ls "$WORK" | grep -c '^opened')" = 2 ]

# To standard output: the table; the repeats need --out.
"$BIN" --forms "$WORK/sealed" --decrypt tests/seal/org.pem --format csv \
    "$WORK/sealed.jsonl" >"$WORK/stdout.csv" 2>"$WORK/err"
check "to standard output: the same table" cmp "$WORK/plain.csv" "$WORK/stdout.csv"
check "and a word on the repeats" grep -qF "give --out FILE.csv" "$WORK/err"

# Without the form, CSV cannot be made: said, exit 1.
mkdir -p "$WORK/none"
"$BIN" --forms "$WORK/none" --decrypt tests/seal/org.pem --format csv \
    "$WORK/sealed.jsonl" >/dev/null 2>"$WORK/err"
check "without the form: exit 1" [ $? -eq 1 ]
check "and says which form is missing" grep -qF "of form visit version 3" "$WORK/err"

"$BIN" --decrypt tests/seal/org.pem --format xml "$WORK/sealed.jsonl" \
    >/dev/null 2>"$WORK/err"
check "an unknown --format: exit 2" [ $? -eq 2 ]
check "and says which ones there are" grep -qF "(jsonl or csv)" "$WORK/err"

finish
