#!/bin/sh
# Two servers of one organisation follow the same family through an ODK
# Central Entity List (the loopback Central, tests/fake_openrosa.py, with
# the form published from doorstep's own XForm): server A registers and
# visits BJ-0001; its upload creates the entity; server B's upload brings
# the family into B's register, and B's round 2 starts from A's answers.
# A phone changed on both sides is shown as a conflict, not overwritten;
# a hostile label never reaches the terminal; a list that breaks the
# form's rules is refused whole, and nothing here is lost.
. tests/e2e/lib.sh

A="$WORK/a.db"
B="$WORK/b.db"
FORMS=tests/forms/entities
export HOME="$WORK/home"
mkdir -p "$HOME"
sqlb() { sqlite3 "$B" "$1"; }

check "--check takes a form with entities and save_to" \
    "$BIN" --check "$FORMS/visit.yaml"
"$BIN" --xform "$FORMS/visit.yaml" > "$WORK/visit.xml"
check "--xform declares the entities namespace and version" \
    grep -qF '<model entities:entities-version="2024.1.0">' "$WORK/visit.xml"
check "--xform declares the entity block" grep -qF \
    '<entity dataset="households" id="" create="1" update="1" baseVersion="" trunkVersion="" branchId="">' \
    "$WORK/visit.xml"
check "--xform saves answers to properties" \
    grep -qF 'entities:saveto="food_weeks"' "$WORK/visit.xml"

rm -f "$WORK/port"
mkdir -p "$WORK/received"
python3 tests/fake_openrosa.py --port-file "$WORK/port" --lifetime 600 \
    --store "$WORK/received" --xform "$WORK/visit.xml" &
SERVER=$!
i=0
while [ ! -s "$WORK/port" ] && [ $i -lt "$POLLS" ]; do sleep 0.05; i=$((i + 1)); done
BASE="http://127.0.0.1:$(cat "$WORK/port")"
URL="$BASE/v1/key/k3y/projects/14/submission"
up() {	# up DB: runs the upload; $rc, $WORK/err
	"$BIN" --db "$1" --forms "$FORMS" --upload "$URL" >"$WORK/out" \
	    2>"$WORK/err" </dev/null
	rc=$?
}
has_err() { grep -qF -- "$1" "$WORK/err"; }
# Leaves the program from wherever it is: ^X until it has exited.
quit() {
	i=0
	while [ $i -lt 6 ]; do
		keys C-x
		n=0
		while [ $n -lt 40 ]; do
			screen | grep -qF "[exit 0]" && { ok "the program exits"; return 0; }
			sleep 0.05
			n=$((n + 1))
		done
		i=$((i + 1))
	done
	not_ok "the program exits"
}
entity() { curl -s "$BASE/entities" | jq -r ".datasets.households.entities | to_entries[0].value$1"; }
uuid() { curl -s "$BASE/entities" | jq -r '.datasets.households.entities | keys[0]'; }

# Server A: BJ-0001 registered and visited.
start 80 24 "$BIN --db $A --forms $FORMS --lang en --interviewer liu --site beijing --round R1"
expect "New interview"
new_interview BJ-0001
answer "Name of the head of the household" "TEXT:Liu Wei" Enter
answer "Phone number" "TEXT:13800000001" Enter
answer "Weeks of food money left" "TEXT:3" Enter
answer "Where does the family sleep" 2
expect "Review"
keys Down Enter y
expect "Interview finalized"
skip_next_visit
keys C-x
expect "[exit 0]"

up "$A"
check "A's upload: exit 0" [ "$rc" -eq 0 ]
check "A's record is sent" has_err "1 uploaded, 0 conflict(s), 0 refused"
check "A downloads the list back, nothing new in it" \
    has_err "Entity Lists: 1 downloaded, 1 household(s) in them, 0 new here"
check "the record created the entity" grep -lq 'create="1" update=""' "$WORK"/received/uuid_*
check "labelled with code and head" grep -lqF '<label>BJ-0001 Liu Wei</label>' "$WORK"/received/uuid_*
check "the server's entity is version 1" [ "$(entity .version)" = 1 ]
check "with the carried answer" [ "$(entity .data.food_weeks)" = 3 ]
check "and the phone" [ "$(entity .data.phone)" = 13800000001 ]
check "no entity error on the server" [ "$(curl -s "$BASE/entities" | jq '.errors | length')" = 0 ]

# Server B has never seen the family: its upload brings it.
up "$B"
check "B's upload: exit 0" [ "$rc" -eq 0 ]
check "B takes the household" has_err "1 household(s) in them, 1 new here"
start 80 24 "$BIN --db $B --forms $FORMS --lang en --interviewer wang --site beijing --round R2"
expect "Households (1 open)"
keys 3
typed "BJ-0001"
expect "1 found"
keys Enter
expect "Head       Liu Wei"
expect "Phone      13800000001"
expect "1. New interview"
keys 1
expect "> Liu Wei"
expect "From the household register"
answer "Name of the head of the household" Enter
answer "Phone number" Enter
expect "> 3"
expect "From round R1: Enter keeps this answer"
answer "Weeks of food money left" Enter
expect "From round R1"
answer "Where does the family sleep" Enter
expect "Review"
keys Down Enter y
expect "Interview finalized"
skip_next_visit
quit
up "$B"
check "B's round 2 is sent" has_err "1 uploaded"
check "as an update of version 1" grep -lq 'update="1" baseVersion="1" trunkVersion="1"' "$WORK"/received/uuid_*
check "the server's entity is version 2, no conflict" \
    [ "$(entity .version)/$(entity .conflict)" = "2/null" ]

# The phone changes on B (not yet sent) and on the server: a conflict.
sqlb "UPDATE households SET phone = '13900000002' WHERE code = 'BJ-0001'"
curl -s "$BASE/control?entity=$(uuid)&set=phone:13700000003" >/dev/null
up "$B"
check "a conflict is not an error: exit 0" [ "$rc" -eq 0 ]
check "the summary counts it" has_err "0 updated, 1 newly in conflict"
check "and says where to choose" has_err "1 household(s) in conflict with the server"
check "B's phone is not overwritten" [ "$(sqlb "SELECT phone FROM households WHERE code = 'BJ-0001'")" = 13900000002 ]
start 80 24 "$BIN --db $B --forms $FORMS --lang en --interviewer wang --site beijing"
expect "Households"
keys 3
typed "BJ-0001"
expect "1 found"
keys Enter
expect "Conflict   phone: here '13900000002', Entity List '13700000003' (version 3)"
expect "Conflict: take the Entity List's values"
keys 1
expect "The Entity List's values are taken."
expect "Phone      13700000003"
check "the conflict is gone from the page" not_shown "Conflict "
quit

# A hostile label: B has another family under BJ-0002.
sqlb "INSERT INTO households (code, head, created_at, updated_at) VALUES ('BJ-0002', 'Zhao', 'x', 'x')"
start 80 24 "$BIN --db $A --forms $FORMS --lang en --interviewer liu --site beijing --round R1"
expect "New interview"
new_interview BJ-0002
answer "Name of the head of the household" "TEXT:Qian" Enter
answer "Phone number" Enter
answer "Weeks of food money left" "TEXT:9" Enter
answer "Where does the family sleep" 1
expect "Review"
keys Down Enter y
expect "Interview finalized"
skip_next_visit
keys C-x
expect "[exit 0]"
up "$A"
Q2=$(curl -s "$BASE/entities" | jq -r '.datasets.households.entities | to_entries[] | select(.value.data.code == "BJ-0002") | .key')
curl -s "$BASE/control?entity=$Q2&label=%1b%5d0%3bpwned%07%1b%5b2JQian" >/dev/null
up "$B"
check "the other family is not taken over" has_err "the server's household BJ-0002 (\\x1B]0;pwned\\x07\\x1B[2JQian) was not taken"
check "no escape byte reaches the terminal" [ "$(tr -d -c '\033\007' < "$WORK/err" | wc -c)" -eq 0 ]
check "B's BJ-0002 is still Zhao" [ "$(sqlb "SELECT head FROM households WHERE code = 'BJ-0002'")" = Zhao ]

# A list that breaks the form's rules is refused whole.
sqlb "UPDATE households SET phone = '13900000009' WHERE code = 'BJ-0001'"
curl -s "$BASE/control?entity=$(uuid)&set=food_weeks:many" >/dev/null
up "$B"
check "a refused list: exit 1" [ "$rc" -eq 1 ]
check "says which row and rule" has_err "food_weeks 'many' is refused"
check "and that nothing was taken" has_err "nothing of it was taken"
check "B's own edit is kept" [ "$(sqlb "SELECT phone FROM households WHERE code = 'BJ-0001'")" = 13900000009 ]
check "the trail records the merges" [ "$(sqlb "SELECT count(*) FROM trail WHERE what IN ('merged', 'conflict', 'resolved')")" -ge 3 ]

kill "$SERVER" 2>/dev/null
wait "$SERVER" 2>/dev/null
finish
