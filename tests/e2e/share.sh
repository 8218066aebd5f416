#!/bin/sh
# Shared without names (issue 15 item 4): --export --deidentify leaves out
# the questions marked identifying, gives each household and record a
# pseudonym keyed with the organisation's secret (the same family, the
# same pseudonym, round after round), cuts dates to the month;
# --report --share hides counts below 5 and the ones that would reveal
# them, and says so.
. tests/e2e/lib.sh

DB="$WORK/share.db"
mkdir -p "$WORK/forms"
cat > "$WORK/forms/visit.yaml" <<'YAML'
form: visit
version: "1"
title: Visit
body:
  - {name: name, type: text, label: Name, identifying: true}
  - {name: phone, type: text, label: Phone, identifying: true}
  - {name: visit_date, type: date, label: Day of the visit}
  - name: work
    type: select_one
    label: Work
    choices: [{value: "yes", label: "Yes"}, {value: "no", label: "No"}]
needs:
  - {id: livelihood, label: Livelihood, when: "${work} = 'no'"}
YAML
# Two rounds of 20 households: at site a 8, 3 of them with no work; at
# site b 12, 10 with no work.
python3 - >"$WORK/in.jsonl" <<'PY'
import json, uuid
n = 0
for site, total, flagged in (("a", 8, 3), ("b", 12, 10)):
    for i in range(total):
        n += 1
        for rnd, day in (("2020-R1", "2020-01-28"), ("2020-R2", "2020-02-27")):
            print(json.dumps({"instance_id": "uuid:" + str(uuid.uuid4()),
                "form": "visit", "form_version": "1", "status": "finalized",
                "household": "BJ-%04d" % n, "round": rnd, "site": site,
                "interviewer": "liu", "started_at": day + "T10:00:00+08:00",
                "finalized_at": day + "T10:30:00+08:00",
                "answers": {"name": "Family%d Wang" % n, "phone": "138%08d" % n,
                            "visit_date": day,
                            "work": "no" if i < flagged else "yes"}}))
PY
RUN="$BIN --db $DB --forms $WORK/forms"
$RUN --import "$WORK/in.jsonl" >/dev/null 2>&1
check "the records are in" [ "$(sqlite3 "$DB" 'SELECT count(*) FROM records')" = 40 ]

$RUN --export --deidentify >"$WORK/s.jsonl" 2>"$WORK/err"
check "--export --deidentify exits 0" [ $? -eq 0 ]
check "it made the pseudonym key, and said so" \
    grep -qF "made the pseudonym key $XDG_CONFIG_HOME/doorstep/pseudonym.key" "$WORK/err"
check "the key is the user's alone (0600)" \
    [ "$(stat -c %a "$XDG_CONFIG_HOME/doorstep/pseudonym.key")" = 600 ]
check "no name, no phone in the shared export" \
    sh -c "! grep -qE 'Wang|138000' '$WORK/s.jsonl'"
check "no household code, no instance ID" \
    sh -c "! grep -qE 'BJ-|uuid:' '$WORK/s.jsonl'"
check "dates to the month" [ "$(jq -r '.answers.visit_date, .started_at, .finalized_at' \
    "$WORK/s.jsonl" | sort -u | tr '\n' ' ')" = "2020-01 2020-02 " ]
check "each family one pseudonym across the two rounds" \
    [ "$(jq -r '[.household, .round] | @tsv' "$WORK/s.jsonl" | sort -u | cut -f1 | uniq -c | awk '$1 == 2' | wc -l)" = 20 ]
check "the other answers stay" [ "$(jq -r .answers.work "$WORK/s.jsonl" | sort | uniq -c | tr -s ' ')" = " 26 no
 14 yes" ]
$RUN --export --deidentify >"$WORK/s2.jsonl" 2>"$WORK/err"
check "the same pseudonyms again with the same key" cmp -s "$WORK/s.jsonl" "$WORK/s2.jsonl"
check "and no word of a new key" sh -c "! grep -qF 'made the pseudonym key' '$WORK/err'"
$RUN --export --deidentify --format csv --out "$WORK/s.csv" 2>/dev/null
check "CSV: no name or phone column" sh -c "! head -1 '$WORK/s.csv' | grep -qE 'name|phone'"
check "CSV: the same pseudonyms" [ "$(cut -d, -f5 "$WORK/s.csv" | sed 1d | sort -u)" = \
    "$(jq -r .household "$WORK/s.jsonl" | sort -u)" ]
chmod 644 "$XDG_CONFIG_HOME/doorstep/pseudonym.key"
$RUN --export --deidentify >/dev/null 2>"$WORK/err"
check "a key others can read is refused: exit 2" [ $? -eq 2 ]
check "and says how to fix it" grep -qF "chmod 600" "$WORK/err"

# The shared report: site a has 3 families with the need: no 3, and not
# the 10 of site b either (13 - 10 = 3).
$RUN --report --share --round 2020-R2 >"$WORK/r.txt" 2>&1
check "--report --share exits 0" [ $? -eq 0 ]
check "the total is shown" grep -qE '^Livelihood +13 +65.0%' "$WORK/r.txt"
check "no 3, no 37.5% at site a" sh -c "! grep -qE '(^| )(3|37.5%)( |$)' '$WORK/r.txt'"
check "site b's share is hidden too" sh -c "! grep -qF '83.3%' '$WORK/r.txt'"
check "and the report says so under the table" \
    grep -qF "counts below 5 are hidden (*)" "$WORK/r.txt"
$RUN --report --share --format csv --round 2020-R2 >"$WORK/r.csv" 2>&1
check "CSV: site a's need count hidden" grep -qF "need,a,livelihood,Livelihood,*,8,*" "$WORK/r.csv"
$RUN --report --round 2020-R2 >"$WORK/plain.txt" 2>&1
check "without --share the organisation sees it all" grep -qF "37.5%" "$WORK/plain.txt"
$RUN --report --share --share-threshold 15 --round 2020-R2 >"$WORK/r15.txt" 2>&1
check "--share-threshold 15: 13 hidden too" sh -c "! grep -qE '^Livelihood +13' '$WORK/r15.txt'"
$RUN --export --share >/dev/null 2>"$WORK/err"
check "--share with --export: usage error" [ $? -eq 2 ]

# --check: a phone question not marked identifying.
cat > "$WORK/phone.yaml" <<'YAML'
form: p
version: "1"
title: P
body:
  - {name: respondent_phone, type: text, label: Phone}
YAML
"$BIN" --check "$WORK/phone.yaml" >"$WORK/out" 2>&1
check "--check warns of a phone question not marked identifying" \
    grep -qF "phone.yaml:5:5: warning: 'respondent_phone' asks for a phone number" "$WORK/out"
finish
