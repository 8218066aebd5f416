#!/bin/sh
# Twenty interviewers save answers into one database at the same moment, from
# its first start on, while exports, reports and uploads run beside them
# in loops. Afterwards every answer a writer was told was saved is in the
# database and in the export, every finalized interview reached the server
# with its answers, every run exited 0, and no process met "database is
# locked". The writers are tests/stress/writer.c: the interview code as
# the program runs it, one process each.
. tests/e2e/lib.sh

WRITER=${STRESS_WRITER:-$(dirname "$BIN")/tests/stress/writer}
DB="$WORK/d.db"
FORM=tests/stress/stress.yaml
WRITERS=${STRESS_WRITERS:-20}	# a team on one server (issue 12 item 6)
# Each writer's interviews, of 7 answers each: 2 make 280 answers and 40
# finalized interviews. STRESS_INTERVIEWS=4 (or more)
# loads the database longer, for a run by hand.
INTERVIEWS=${STRESS_INTERVIEWS:-2}
LIMIT=120		# seconds: a run that takes longer has hung
export HOME="$WORK/home"	# no ~/.netrc of the user's
mkdir -p "$HOME" "$WORK/received"
# The leak check at exit doubles the cost of each of the many short runs
# beside the writers; the writers and the last runs keep it.
QUICK="log_path=$WORK/asan:detect_leaks=0"

python3 tests/fake_openrosa.py --port-file "$WORK/port" --store "$WORK/received" \
    --lifetime $LIMIT &
SERVER=$!
i=0
while [ ! -s "$WORK/port" ] && [ $i -lt 400 ]; do sleep 0.05; i=$((i + 1)); done
BASE="http://127.0.0.1:$(cat "$WORK/port")"
URL="$BASE/v1/projects/1/submission"

deadline=$(($(date +%s) + LIMIT))
# Runs doorstep ARGS again and again until the writers are done: each
# run's status goes to $WORK/NAME.rcs, its messages to $WORK/NAME.err.
beside() {	# beside NAME ARGS...
	name=$1
	shift
	while [ ! -e "$WORK/done" ] && [ "$(date +%s)" -lt $deadline ]; do
		ASAN_OPTIONS=$QUICK "$BIN" --db "$DB" "$@" >"$WORK/$name.out" \
		    2>>"$WORK/$name.err" </dev/null
		echo $? >> "$WORK/$name.rcs"
	done
}
beside export --export --all --format jsonl &
EXPORTS=$!
beside report --report --lang en &
REPORTS=$!
beside upload --upload "$URL" &
UPLOADS=$!

pids=""
i=1
while [ $i -le $WRITERS ]; do
	timeout -s KILL $LIMIT "$WRITER" "$DB" "$FORM" $i $INTERVIEWS \
	    >"$WORK/acked-$i" 2>"$WORK/writer-$i.err" &
	pids="$pids $!"
	i=$((i + 1))
done
wfailed=0
for p in $pids; do
	wait "$p" || wfailed=$((wfailed + 1))
done
touch "$WORK/done"
wait $EXPORTS $REPORTS $UPLOADS
touch "$WORK/export.rcs" "$WORK/report.rcs" "$WORK/upload.rcs"

# The last upload sends what the loop had not; the last export is checked.
"$BIN" --db "$DB" --upload "$URL" >/dev/null 2>"$WORK/last-upload.err" </dev/null
last_upload=$?
"$BIN" --db "$DB" --export --all --format jsonl >"$WORK/export.jsonl" \
    2>"$WORK/last-export.err" </dev/null
last_export=$?

cat "$WORK"/acked-* | grep '^answer ' | sort > "$WORK/acked"
cat "$WORK"/acked-* | grep '^final ' | sort > "$WORK/finals"
runs() { wc -l < "$WORK/$1.rcs"; }
bad_runs() { grep -cv '^0$' "$WORK/$1.rcs"; }
echo "# $(wc -l < "$WORK/acked") answers and $(wc -l < "$WORK/finals") finalized" \
    "interviews acknowledged by $WRITERS writers; beside them $(runs export)" \
    "exports, $(runs report) reports, $(runs upload) uploads"

check "every writer exited 0 ($wfailed did not)" [ "$wfailed" -eq 0 ]
check "every answer was acknowledged ($((WRITERS * INTERVIEWS * 7)))" \
    [ "$(wc -l < "$WORK/acked")" -eq $((WRITERS * INTERVIEWS * 7)) ]
check "every interview was finalized" \
    [ "$(wc -l < "$WORK/finals")" -eq $((WRITERS * INTERVIEWS)) ]
for kind in export report upload; do
	check "$kind ran beside the writers ($(runs $kind) times)" [ "$(runs $kind)" -gt 0 ]
	check "and every $kind exited 0 ($(bad_runs $kind) did not)" \
	    [ "$(bad_runs $kind)" -eq 0 ]
done
check "the last upload and export exited 0" [ $((last_upload + last_export)) -eq 0 ]
no_lock() { ! grep -il 'is locked' "$WORK"/*.err; }
check "no process met \"database is locked\"" no_lock

# Every acknowledged answer is in the database...
sqlite3 -separator ' ' "$DB" "SELECT 'answer', r.instance_id, a.name, a.value
    FROM answers a JOIN records r ON r.id = a.record_id WHERE a.entry = 0" |
    sort > "$WORK/in-db"
missing() { comm -23 "$WORK/acked" "$1" > "$WORK/missing"; [ ! -s "$WORK/missing" ]; }
check "every acknowledged answer is in the database" missing "$WORK/in-db"
# ...and in the export...
jq -r '.instance_id as $i | .answers | to_entries[] |
    "answer \($i) \(.key) \(.value)"' "$WORK/export.jsonl" | sort > "$WORK/in-export"
check "every acknowledged answer is in the export" missing "$WORK/in-export"
check "every finalized interview is uploaded" \
    [ "$(sqlite3 "$DB" "SELECT count(*) FROM records WHERE status = 'uploaded'")" \
    -eq $((WRITERS * INTERVIEWS)) ]
# ...and each finalized interview reached the server with its answers.
sent() {
	awk -v dir="$WORK/received" '
	{
		f = $2
		gsub(/:/, "_", f)
		f = dir "/" f
		if (!(f in xml)) {
			xml[f] = ""
			while ((getline line < f) > 0)
				xml[f] = xml[f] line "\n"
			close(f)
		}
		if (index(xml[f], "<" $3 ">" $4 "</" $3 ">") == 0) {
			print "# not sent: " $0
			bad = 1
		}
	}
	END { exit bad }' "$WORK/acked"
}
check "the server received every answer of every interview" sent
stats=$(curl -s "$BASE/stats")
check "the server got no conflicting or malformed submission" \
    [ "$(echo "$stats" | jq '.conflicts + (.bad | length)')" -eq 0 ]
kill "$SERVER" 2>/dev/null
wait "$SERVER" 2>/dev/null

if [ "$FAILED" -ne 0 ]; then
	head -5 "$WORK/missing" | sed 's/^/# missing: /'
	cat "$WORK"/*.err | grep -v 'exported [0-9]* record' | sort | uniq -c |
	    sort -rn | head -10 | sed 's/^/# /'
fi
finish
