#!/bin/sh
# A repeat without count: entries are added from the runner, one deleted
# there, another from the review; the export keeps the rest in order.
. tests/e2e/lib.sh

DB="$WORK/d.db"
start 80 24 "$BIN --round R1 --db $DB --forms tests/forms/repeat --lang en"
expect "New interview"
new_interview SD-0001
answer "Head of household" "TEXT:王强" Enter
expect "Visit (0 entries so far)"
expect "1. Add an entry"
check "nothing to delete yet" not_shown 'Delete the last entry'
keys 1
for d in 2020-02-01 2020-02-15 2020-03-01; do
	answer "Date of the visit" "TEXT:$d" Enter
	answer "What was found" "TEXT:note $d" Enter
	wait_for "Add another entry"
	keys 1
done
answer "Date of the visit" TEXT:2020-03-09 Enter
answer "What was found" "TEXT:by mistake" Enter
expect "Visit (4 entries so far)"
keys 3
expect "Delete Visit 4 and its answers? y: delete, n: keep"
keys y
expect "Entry deleted."
expect "Visit (3 entries so far)"
keys 2
expect "End of the form"
keys Enter
expect "Review"
# The review: delete the second visit from its heading.
# Rows: head, Visit 1, date, note, Visit 2, date, note, Visit 3, date,
# note, [ Add ], end note, [ Finalize ] (the cursor, at the end): eight up
# is Visit 2.
wait_for "Visit 2" && keys Up Up Up Up Up Up Up Up
keys Enter
expect "Delete Visit 2 and its answers? y: delete, n: keep"
keys y
expect "Entry deleted."
keys C-x
expect "Draft saved"
keys C-x
expect "[exit 0]"

"$BIN" --db "$DB" --export --all > "$WORK/out.jsonl" 2>/dev/null
got=$(jq -c '[.answers.visit[].visit_day]' "$WORK/out.jsonl")
check "the two visits left, in order ($got)" [ "$got" = '["2020-02-01","2020-03-01"]' ]
got=$(jq -c '.answers.visits_made' "$WORK/out.jsonl")
check "the count follows ($got)" [ "$got" = '2' ]
got=$(jq -c '.answers.visit[1].visit_note' "$WORK/out.jsonl")
check "answers moved with their entry ($got)" [ "$got" = '"note 2020-03-01"' ]
finish
