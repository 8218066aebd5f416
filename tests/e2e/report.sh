#!/bin/sh
# The needs report from the command line (issue 13 items 4 and 6, and the
# report's smaller items): a refusal is counted on a line of its own and
# is not in the shares; a form's not_assessed is checked; sites are one
# column whatever their case and --site finds them so; the CSV report has
# numbers in its numeric columns, an empty cell for no site and a BOM when
# asked; the HTML page fits a phone; a round that does not exist is named.
. tests/e2e/lib.sh

mkdir -p "$WORK/forms" "$WORK/bad"
cat > "$WORK/forms/consent.yaml" <<'YAML'
form: consent
version: "1"
title: Consent
not_assessed: {question: agrees, answers: ["no"]}
body:
  - name: agrees
    type: select_one
    label: Agrees
    choices: [{value: "yes", label: "Yes"}, {value: "no", label: "No"}]
  - name: food
    type: select_one
    label: Food runs out
    relevant: "${agrees} = 'yes'"
    choices: [{value: "yes", label: "Yes"}, {value: "no", label: "No"}]
needs:
  - {id: livelihood, label: Livelihood, when: "${food} = 'yes'"}
YAML
DB="$WORK/r.db"
run() {	# run ARGS...: stdout to $WORK/out, stderr to $WORK/err, status in $rc
	"$BIN" --db "$DB" --forms "$WORK/forms" --lang en "$@" >"$WORK/out" 2>"$WORK/err"
	rc=$?
}
has_out() { grep -qF -- "$1" "$WORK/out"; }
has_err() { grep -qF -- "$1" "$WORK/err"; }
rec() {	# rec NN HOUSEHOLD SITE ANSWERS
	printf '{"instance_id":"uuid:00000000-0000-4000-8000-0000000000%s","form":"consent","form_version":"1","status":"finalized","household":"%s","round":"R1","site":"%s","interviewer":"liu","started_at":"2026-03-01T10:00:00+08:00","finalized_at":"2026-03-01T10:30:00+08:00","answers":%s}\n' "$1" "$2" "$3" "$4"
}

# --check: not_assessed names a real question and one of its values.
sed 's/question: agrees/question: agree/' "$WORK/forms/consent.yaml" > "$WORK/bad/q.yaml"
run --check "$WORK/bad/q.yaml"
check "not_assessed naming no question: exit 1" [ "$rc" -eq 1 ]
check "and says which, located" has_err "q.yaml:4:26: error: not_assessed names question 'agree', which the form does not have (did you mean 'agrees'?)"
sed 's/answers: \["no"\]/answers: [nope]/' "$WORK/forms/consent.yaml" > "$WORK/bad/a.yaml"
run --check "$WORK/bad/a.yaml"
check "not_assessed naming no value: exit 1" [ "$rc" -eq 1 ]
check "and says which" has_err "error: 'nope' is not a value of question 'agrees''s choices"
run --check forms/needs_assessment.yaml
check "the bundled form declares not_assessed and passes" [ "$rc" -eq 0 ]
check "the bundled form's not_assessed is its consent" \
    grep -qF 'not_assessed: {question: consent, answers: ["no"]}' forms/needs_assessment.yaml

# One household assessed, one refused; sites written Beijing and beijing.
{
	rec 01 BJ-0001 Beijing '{"agrees":"yes","food":"yes"}'
	rec 02 BJ-0002 beijing '{"agrees":"no"}'
	rec 03 BJ-0003 "" '{"agrees":"yes","food":"no"}'
} > "$WORK/in.jsonl"
run --import "$WORK/in.jsonl"
check "the records are imported" [ "$rc" -eq 0 ]
run --report --round R1
check "--report: 2 households assessed, not 3" has_out "Needs report: R1; 2 household(s) assessed"
check "--report: the refusal on a line of its own" has_out "Not assessed (refused): 1 household(s); not counted in the shares"
check "--report: the share is over the households assessed" grep -qE '^Livelihood +1  50\.0%' "$WORK/out"
run --report --round R1 --site beijing
check "--site beijing finds Beijing" has_out "Needs report: R1; 1 household(s) assessed"
check "and its refusal" has_out "Not assessed (refused): 1 household(s)"
run --report --round R1 --format csv
check "CSV: the refusal row" has_out "not assessed,all,,,1,3,33.3,,,"
check "CSV: Beijing and beijing are one site" [ "$(grep -c '^households,[Bb]eijing,' "$WORK/out")" -eq 1 ]
check "CSV: no site is an empty cell" has_out "households,,,,1,2,50.0,,,"
check "CSV: no '- anywhere" sh -c "! grep -qF \"'-\" '$WORK/out'"
check "CSV: no BOM unless asked" sh -c "! head -c 3 '$WORK/out' | grep -q \"$(printf '\357\273\277')\""
run --report --round R1 --format csv --bom
check "--bom: the CSV report starts with a UTF-8 BOM" [ "$(head -c 3 "$WORK/out" | od -An -tx1 | tr -d ' ')" = efbbbf ]
run --report --format text --bom
check "--bom with the text report is a usage error" [ "$rc" -eq 2 ]
run --report --round R1 --format html
check "HTML: a viewport for phones" has_out '<meta name="viewport" content="width=device-width, initial-scale=1">'
check "HTML: the title has the round and the date" has_out "<title>Needs report: R1, $(date +%Y-%m-%d)</title>"
check "HTML: no fixed 720-pixel chart" sh -c "! grep -q 720 '$WORK/out'"

# A round that does not exist is a mistake, not an empty report.
run --report --round R9
check "--round R9: exit 2" [ "$rc" -eq 2 ]
check "and the rounds that exist are listed" has_err "doorstep: no record has round 'R9'; the rounds are: R1"
check "and no report is printed" [ ! -s "$WORK/out" ]

finish
