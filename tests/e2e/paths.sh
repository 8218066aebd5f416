#!/bin/sh
# The form logic seen from the terminal: two households walk different
# paths through the bundled form, and a refusal ends the interview; the
# exports differ exactly as the form's logic says.
. tests/e2e/lib.sh

DB="$WORK/d.db"
RUN="$BIN --db $DB --forms forms --lang en --interviewer wang --site jiangxi --round R1"

# A household without consent: nothing after the consent is asked.
start 80 24 "$RUN"
expect "New interview"
new_interview JX-0001
answer "Tell the respondent" Enter
answer "Does the respondent agree" 2
expect "The respondent did not agree"
keys Enter
expect "Review"
expect "1/1 answered"
keys Down Enter y
expect "Interview finalized with 1 answer;"
skip_next_visit

# A single worker without children: no members but one, no schooling
# questions, and different needs.
new_interview JX-0002
answer "Tell the respondent" Enter
answer "Does the respondent agree" 1
answer "Date of the visit" TEXT:2020-03-01 Enter
answer "How the interview is held" 2
answer "Respondent's name" "TEXT:张伟" Enter
answer "Phone number" Enter
answer "People in the household" TEXT:1 Enter
# Children must be fewer than people: 1 is refused, 0 taken.
wait_for "under 18"
typed "1"
keys Enter
expect "There must be fewer children than people"
keys C-u
answer "under 18" TEXT:0 Enter
answer "Hometown" Enter
answer "Where is the family now" 1
wait_for "Household member 1" && answer "Relation to the respondent" 1
answer "Age" TEXT:45 Enter
answer "Does this person have work now" 2
expect "enough masks"
check "only one member is asked for" not_shown 'Household member 2'
answer "enough masks" 1
# Enough masks: the reuse question is skipped.
expect "enough disinfectant"
answer "enough disinfectant" 1
answer "protect themselves" 1
answer "Where do they get news" 2 Enter
answer "believed any of these" 4 Enter
answer "social-security policies" 1
answer "income changed" 3
answer "still buy food" TEXT:8 Enter
# Food for 8 weeks and the same income: debts are not asked.
expect "Monthly rent"
answer "Monthly rent" TEXT:800 Enter
answer "Where they are staying now" 1
answer "get back to the city" 1
# Can get back: no employer's letter question.
expect "rate the family's health"
answer "rate the family's health" 1
answer "serious or chronic" 2
answer "Medical costs" Enter
answer "labour contract" 1
answer "medical insurance" 1
answer "What help have they received" 4 Enter
# No children: the schooling questions are skipped.
expect "skills would the adults"
answer "skills would the adults" 4 Enter
answer "worried or afraid" 1
answer "sleeping badly" 1
answer "talk with a social worker" 2
answer "plan to do after" 2
answer "What do they hope for" Enter
answer "like to volunteer" 2
answer "most urgent need" Enter
answer "Date of the next visit" Enter
answer "Social worker's notes" Enter
answer "Thank the respondent" Enter
expect "Review"
keys Down Enter y
expect "Interview finalized"
skip_next_visit
keys C-x
expect "[exit 0]"

OUT="$WORK/export.jsonl"
$BIN --db "$DB" --export --out "$OUT" 2>/dev/null
check "two records exported" [ "$(wc -l < "$OUT")" -eq 2 ]
jqe() {	# jqe household 'filter' 'expected'
	got=$(jq -c "select(.household == \"$1\") | $2" "$OUT")
	if [ "$got" = "$3" ]; then ok "$1: $2 = $3"; else
		N=$((N + 1)); FAILED=$((FAILED + 1))
		echo "not ok $N - $1: $2: got $got, want $3"
	fi
}
jqe JX-0001 '.answers' '{"consent":"no"}'
jqe JX-0001 '.needs' '[]'
jqe JX-0002 '.answers.members' '[{"member_relation":"self","member_age":45,"member_working":"no","member_is_child":0}]'
jqe JX-0002 '.answers.children_listed' '0'
jqe JX-0002 '.answers | has("masks_reused")' 'false'
jqe JX-0002 '.answers | has("debts")' 'false'
jqe JX-0002 '.answers | has("employer_letter")' 'false'
jqe JX-0002 '.answers | has("school_children")' 'false'
jqe JX-0002 '.answers | has("online_device")' 'false'
jqe JX-0002 '.answers.medical_insurance' '"yes"'
jqe JX-0002 '.answers.respondent_phone' 'null'
jqe JX-0002 '.answers.next_visit' 'null'
jqe JX-0002 '.answers.respondent_name' '"张伟"'
jqe JX-0002 '.needs' '[]'
jqe JX-0002 '.site' '"jiangxi"'

# Another site merges this export: once, then nothing; then the report
# counts both households.
"$BIN" --db "$WORK/hq.db" --forms forms --import "$OUT" 2>"$WORK/err"
check "--import exits 0" [ $? -eq 0 ]
check "--import says what it did" grep -q "2 imported, 0 already here" "$WORK/err"
check "--import registers the records' households" grep -q "2 households registered for the imported records" "$WORK/err"
check "by code, at their site" [ "$(sqlite3 "$WORK/hq.db" "SELECT group_concat(code || '@' || site, ' ') FROM (SELECT code, site FROM households ORDER BY code)")" = "JX-0001@jiangxi JX-0002@jiangxi" ]
"$BIN" --db "$WORK/hq.db" --forms forms --import "$OUT" 2>"$WORK/err"
check "the same file twice changes nothing" grep -q "0 imported, 2 already here" "$WORK/err"
check "and registers no household twice" [ "$(sqlite3 "$WORK/hq.db" "SELECT count(*) FROM households")" = 2 ]
"$BIN" --db "$WORK/hq.db" --export > "$WORK/again.jsonl" 2>/dev/null
check "the merged records export as they came" cmp -s "$OUT" "$WORK/again.jsonl"
"$BIN" --db "$WORK/hq.db" --report --lang en > "$WORK/report.txt"
check "the report counts the household assessed" grep -q "1 household(s) assessed" "$WORK/report.txt"
check "and the refusal apart" grep -qF "Not assessed (refused): 1 household(s)" "$WORK/report.txt"
finish
