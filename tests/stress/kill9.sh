#!/bin/sh
# A writer killed with SIGKILL in the middle of an interview loses nothing
# it was told was saved. 50 trials on one database: each starts a writer
# (tests/stress/writer.c, the interview code as the program runs it),
# reads the answers it acknowledges, one line after each commit, and kills
# it after a number of them drawn for that trial (1 to 10, so often in the
# middle of an interview and of the next commit). Then every acknowledged
# answer (also those still in the pipe when it died) must be in the
# database, which must pass SQLite's integrity check; at the end doorstep
# opens it and exports every one of them.
. tests/e2e/lib.sh

WRITER=${STRESS_WRITER:-$(dirname "$BIN")/tests/stress/writer}
DB="$WORK/d.db"
FORM=tests/stress/stress.yaml
TRIALS=50
# A killed process runs no leak check; the writers skip it for speed too.
export ASAN_OPTIONS="log_path=$WORK/asan:detect_leaks=0"

# How many acknowledgements each trial waits for before the kill: 1 to 10,
# drawn once with a fixed seed, so that a failing trial can be run again.
awk -v n=$TRIALS 'BEGIN { srand(11); for (i = 0; i < n; i++) print int(rand() * 10) + 1 }' \
    > "$WORK/draws"
mkfifo "$WORK/pipe"
unsound=0 unkilled=0
t=0
while read -r n; do
	t=$((t + 1))
	"$WRITER" "$DB" "$FORM" $t 1000 >"$WORK/pipe" 2>>"$WORK/writer.err" &
	pid=$!
	exec 3<"$WORK/pipe"
	: > "$WORK/acked-$t"
	k=0
	while [ $k -lt "$n" ] && IFS= read -r line <&3; do
		printf '%s\n' "$line" >> "$WORK/acked-$t"
		k=$((k + 1))
	done
	kill -9 $pid
	{ wait $pid; } 2>/dev/null
	[ $? -eq 137 ] || unkilled=$((unkilled + 1))
	# What it acknowledged before it died, still in the pipe, counts too.
	cat <&3 >> "$WORK/acked-$t"
	exec 3<&-
	[ "$(sqlite3 "$DB" "PRAGMA integrity_check")" = ok ] || unsound=$((unsound + 1))
done < "$WORK/draws"

# Every acknowledged answer is in the database.
cat "$WORK"/acked-* | grep '^answer ' | sort > "$WORK/acked"
sqlite3 -separator ' ' "$DB" "SELECT 'answer', r.instance_id, a.name, a.value
    FROM answers a JOIN records r ON r.id = a.record_id WHERE a.entry = 0" |
    sort > "$WORK/in-db"
comm -23 "$WORK/acked" "$WORK/in-db" > "$WORK/lost"
lost=0
t=0
while [ $t -lt $TRIALS ]; do
	t=$((t + 1))
	if grep -qFx -f "$WORK/lost" "$WORK/acked-$t" 2>/dev/null; then
		lost=$((lost + 1))
		grep -Fx -f "$WORK/lost" "$WORK/acked-$t" | head -2 | sed "s/^/# trial $t lost: /"
	fi
done
echo "# $TRIALS writers killed after 1 to 10 acknowledgements;" \
    "$(wc -l < "$WORK/acked") answers acknowledged; $lost trial(s) lost one," \
    "$unsound left the database unsound"
check "every writer was killed by the signal" [ $unkilled -eq 0 ]
check "no trial lost an acknowledged answer ($lost of $TRIALS did)" [ $lost -eq 0 ]
check "the database passed the integrity check after every kill" [ $unsound -eq 0 ]
check "answers were acknowledged before the kills" [ "$(wc -l < "$WORK/acked")" -ge $TRIALS ]
check "nothing else went wrong in the writers" [ ! -s "$WORK/writer.err" ]

# doorstep itself opens the database and exports every answer.
"$BIN" --db "$DB" --export --all --format jsonl >"$WORK/export.jsonl" 2>"$WORK/err" </dev/null
check "doorstep opens the database after the kills and exports" [ $? -eq 0 ]
jq -r '.instance_id as $i | .answers | to_entries[] |
    "answer \($i) \(.key) \(.value)"' "$WORK/export.jsonl" | sort > "$WORK/in-export"
check "every acknowledged answer is in the export" \
    [ -z "$(comm -23 "$WORK/acked" "$WORK/in-export")" ]
finish
