#!/bin/sh
# The whole bundled interview in a real terminal at 80x24: typed in English
# and Chinese, left half way, resumed, cut off by a dropped connection,
# resumed again, finalized; then the JSONL export is checked field by field.
. tests/e2e/lib.sh

DB="$WORK/d.db"
RUN="$BIN --db $DB --forms forms --lang en --interviewer liu --site beijing --round R1"
if [ -n "${E2E_TERM:-}" ]; then
	RUN="env TERM=$E2E_TERM $RUN"
fi

start 80 24 "$RUN"
expect "New interview"
expect "No finalized interview waits for upload."
new_interview BJ-0042

answer "Tell the respondent" Enter
expect "2/"
# Finalizing now is refused, and says what is missing.
wait_for "Does the respondent agree" && keys C-r
expect "0/1 answered"
keys End
expect "[ Finalize this interview ]"
keys Enter
expect "Cannot finalize: 1 question needs an answer or a fix: Does"
keys C-r
answer "Does the respondent agree" 1
answer "Date of the visit" TEXT:2020/2/26 Enter
answer "How the interview is held" 1
answer "Respondent's name" "TEXT:刘丽 Liu" Enter

# A constraint, with the form's own message.
wait_for "Phone number"
typed "12345"
keys Enter
expect "Enter an 11-digit mobile number starting with 1"
keys C-u
answer "Phone number" TEXT:13812345678 Enter

# A required number: refused empty, as words, out of range; then taken.
wait_for "People in the household"
keys Enter
expect "Enter how many people live in the household"
typed "four"
keys Enter
expect "Enter a whole number, digits only"
keys C-u
typed "25"
keys Enter
expect "Enter 1 to 20"
keys C-u
answer "People in the household" TEXT:4 Enter
answer "How many of them are under 18" TEXT:2 Enter
answer "Hometown" "TEXT:河南 周口" Enter
answer "Where is the family now" 1

# The members repeat: one entry per person, as many as the household size.
wait_for "Household member 1" && answer "Relation to the respondent" 1
answer "Age" TEXT:34 Enter
answer "Does this person have work now" 1
wait_for "Household member 2" && answer "Relation to the respondent" 2
answer "Age" TEXT:33 Enter
answer "Does this person have work now" 2
wait_for "Household member 3" && answer "Relation to the respondent" 3
answer "Age" TEXT:8 Enter
answer "Is this child in school" 1
wait_for "Household member 4" && answer "Relation to the respondent" 3
answer "Age" TEXT:3 Enter

answer "enough masks" 2
answer "wash or reuse masks" 1
answer "enough disinfectant" 3
answer "protect themselves" 2
answer "Where do they get news" 1 5 Enter
answer "believed any of these" 4 Enter
answer "social-security policies" 2
answer "income changed" 2
answer "still buy food" TEXT:1 Enter

# Half way: tick two, then leave with Ctrl-X.
wait_for "How have they been getting by"
keys 2 4 C-x
expect "Draft saved: 30 of"
keys C-x
expect "[exit 0]"

# A new login: resume lands on the same question, ticks in place.
start 80 24 "$RUN"
expect "Resume a draft (1)"
keys 2
expect "BJ-0042"
keys Enter
expect "How have they been getting by"
expect "[x] Online loans"
expect "[x] Borrowing from family and friends"
expect "[ ] Savings"
keys Enter
answer "Monthly rent" TEXT:1200.5 Enter
answer "Where they are staying now" 2
answer "get back to the city" 3
answer "employer's letter" 2
answer "rate the family's health" 2
answer "serious or chronic" 1
answer "Medical costs" Enter
answer "labour contract" 2
answer "What help have they received" 4 Enter
answer "children are in school" TEXT:1 Enter
answer "What device" 2
answer "home internet" 2
answer "help with schoolwork" 2
answer "skills would the adults" 1 Enter
answer "worried or afraid" 3
answer "sleeping badly" 2
answer "talk with a social worker" 1
answer "plan to do after" 1

# The connection drops while an answer is being typed: the session and
# the program are killed (SIGHUP). The typed answer is kept.
wait_for "What do they hope for"
typed "孩子能上学"
expect "孩子能上学"
stop_session
start 80 24 "$RUN"
expect "Resume a draft (1)"
keys 2 Enter
expect "What do they hope for"
expect "> 孩子能上学"
keys Enter
answer "like to volunteer" 1
answer "most urgent need" "TEXT:rent money" Enter
wait_for "Date of the next visit"
typed "2020-02-20"
keys Enter
expect "The next visit must come after this one"
keys C-u
answer "Date of the next visit" TEXT:2020-03-10 Enter
answer "Social worker's notes" Enter
answer "Thank the respondent" Enter

# The review lists every answer; finalize from there.
expect "Review"
expect "51/53 answered"
expect "Social worker's notes"
keys Down Enter
expect "Finalize? Answers cannot change afterwards"
keys y
expect "Interview finalized with 51 answers"
# The household's next visit: the form's own answer is offered, and what
# is given is kept.
expect "Next visit to BJ-0042 (YYYY-MM-DD)"
expect "> 2020-03-10"
keys C-u
typed "2020-03-26"
keys Enter
expect "Next visit to BJ-0042: 2020-03-26."
expect "1 finalized interview waits for upload"
# Past, so due: the home screen lists it.
expect "2020-03-26  BJ-0042"
keys C-x
expect "[exit 0]"

check "the household keeps its next visit" [ "$(sqlite3 "$DB" "SELECT next_visit FROM households WHERE code = 'BJ-0042'")" = 2020-03-26 ]

# The export, field by field.
OUT="$WORK/export.jsonl"
$BIN --db "$DB" --export --out "$OUT" 2>"$WORK/export.err"
check "export exits 0" [ $? -eq 0 ]
check "export says how many" grep -q "exported 1 record" "$WORK/export.err"
check "export file is private (0600)" [ "$(stat -c %a "$OUT")" = 600 ]
check "one record a line" [ "$(wc -l < "$OUT")" -eq 1 ]
jqe() {	# jqe 'filter' 'expected'
	got=$(jq -c "$1" "$OUT")
	if [ "$got" = "$2" ]; then ok "export $1 = $2"; else
		N=$((N + 1)); FAILED=$((FAILED + 1))
		echo "not ok $N - export $1: got $got, want $2"
	fi
}
jqe '.form' '"needs_assessment"'
jqe '.form_version' '"2020-02"'
jqe '.status' '"finalized"'
jqe '.household' '"BJ-0042"'
jqe '.site' '"beijing"'
jqe '.interviewer' '"liu"'
jqe '.instance_id | test("^uuid:[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")' 'true'
jqe '.finalized_at | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}[+-][0-9]{2}:[0-9]{2}$")' 'true'
jqe '.answers.consent' '"yes"'
jqe '.answers.visit_date' '"2020-02-26"'
jqe '.answers.visit_mode' '"home"'
jqe '.answers.respondent_name' '"刘丽 Liu"'
jqe '.answers.respondent_phone' '"13812345678"'
jqe '.answers.size' '4'
jqe '.answers.children' '2'
jqe '.answers.members | length' '4'
jqe '.answers.members[0]' '{"member_relation":"self","member_age":34,"member_working":"yes","member_is_child":0}'
jqe '.answers.members[2]' '{"member_relation":"child","member_age":8,"member_in_school":"yes","member_is_child":1}'
jqe '.answers.members[3]' '{"member_relation":"child","member_age":3,"member_is_child":1}'
jqe '.answers.children_listed' '2'
jqe '.answers.masks_reused' '"yes"'
jqe '.answers | has("medical_insurance")' 'false'
jqe '.answers.school_children' '1'
jqe '.needs' '["protection","information","livelihood","health","social_security","education","emotional","self_realisation"]'
jqe '.answers.hometown' '"河南 周口"'
jqe '.answers.masks' '"few_days"'
jqe '.answers.disinfectant' '"none"'
jqe '.answers.info_sources' '["wechat","social_worker"]'
jqe '.answers.rumours' '["none"]'
jqe '.answers.food_weeks' '1'
jqe '.answers.debts' '["online_loan","relatives"]'
jqe '.answers.rent' '1200.5'
jqe '.answers.housing' '"blocked"'
jqe '.answers.medical_cost' 'null'
jqe '.answers.online_device' '"shared_phone"'
jqe '.answers.employer_letter' '"no"'
jqe '.answers.skills_wanted' '["digital"]'
jqe '.answers.worry' '"often"'
jqe '.answers.hopes' '"孩子能上学"'
jqe '.answers.urgent_need' '"rent money"'
jqe '.answers.next_visit' '"2020-03-10"'
jqe '.answers.notes' 'null'
jqe '.answers | has("consent_note")' 'false'
jqe '.answers | has("refused_note")' 'false'
jqe '.answers | length' '44'
finish
