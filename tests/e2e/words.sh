#!/bin/sh
# The program's words as a user meets them: the help and the man page name
# every option the program takes, in both languages; a refusal is the only
# word; a login whose locale cannot show Chinese is told so, and how to fix
# it, instead of seeing "????".
. tests/e2e/lib.sh

run() {	# run ARGS...: stdout to $WORK/out, stderr to $WORK/err, status in $rc
	"$BIN" "$@" >"$WORK/out" 2>"$WORK/err"
	rc=$?
}
has_out() { grep -qF -- "$1" "$WORK/out"; }
has_err() { grep -qF -- "$1" "$WORK/err"; }

# The option table (main.c long_options), and the options that choose a
# mode (each has a usage line of its own).
sed -n '/long_options\[\] = {/,/{ NULL, 0, NULL, 0 }/p' main.c |
    sed -n 's/^.*{ "\([a-z-]*\)".*$/--\1/p' | sort -u >"$WORK/table"
sed -n 's/^.*case OPT_\([A-Z_]*\): o\.mode = MODE_.*$/\1/p' main.c |
    tr 'A-Z_' 'a-z-' | sed 's/^/--/' | sort -u >"$WORK/modes"
check "the option table is read ($(wc -l <"$WORK/table") options)" \
    [ "$(wc -l <"$WORK/table")" -ge 20 ]
check "the mode options are read ($(wc -l <"$WORK/modes"))" \
    [ "$(wc -l <"$WORK/modes")" -ge 6 ]

# FILE names every option of the table, and no other.
names_every_option() {	# names_every_option WHAT FILE
	grep -o -- '--[a-z][a-z-]*' "$2" | sort -u >"$WORK/named"
	missing=$(comm -23 "$WORK/table" "$WORK/named" | tr '\n' ' ')
	unknown=$(comm -13 "$WORK/table" "$WORK/named" | tr '\n' ' ')
	check "$1 names every option${missing:+ (missing: $missing)}" \
	    [ -z "$missing" ]
	check "$1 names no option the program lacks${unknown:+ ($unknown)}" \
	    [ -z "$unknown" ]
}
# Each mode option has a usage line of its own in FILE.
has_mode_lines() {	# has_mode_lines WHAT FILE PATTERN-BEFORE
	missing=""
	for m in $(cat "$WORK/modes"); do
		grep -q -- "$3doorstep $m" "$2" || missing="$missing $m"
	done
	check "$1 has a usage line for each mode${missing:+ (missing:$missing)}" \
	    [ -z "$missing" ]
}

run --lang en --help
names_every_option "--help" "$WORK/out"
has_mode_lines "--help" "$WORK/out" "or:  "
run --lang zh --help
names_every_option "--help in Chinese" "$WORK/out"
has_mode_lines "--help in Chinese" "$WORK/out" "或："
check "--help in Chinese is Chinese" has_out "用法：doorstep"
# The man page, its escapes undone.
sed 's/\\-/-/g; s/\\f[BIRP]//g' doorstep.1 >"$WORK/man"
names_every_option "the man page" "$WORK/man"
sed -n '/^\.SH SYNOPSIS/,/^\.SH /p' "$WORK/man" |
    sed -n 's/^\.B //p' >"$WORK/synopsis"
has_mode_lines "the man page SYNOPSIS" "$WORK/synopsis" "^"

# getopt's own words are English whatever the language: the program says
# it itself, in the language asked for, and points to --help.
run --lang zh --frobnicate
check "an unknown option, in Chinese: exit 2" [ "$rc" -eq 2 ]
check "an unknown option is named in Chinese" has_err "未知选项 '--frobnicate'"
check "and points to --help in Chinese" has_err "请运行 'doorstep --help' 查看用法。"
check "no English from getopt" sh -c "! grep -q 'unrecognized' '$WORK/err'"
run --frobnicate --lang zh
check "--lang after the unknown option still counts" has_err "未知选项 '--frobnicate'"
run --lang zh -x
check "an unknown short option is unknown, not missing a value" has_err "未知选项 '-x'"
run --lang zh --db
check "a missing value, in Chinese" has_err "选项 '--db' 需要一个值"
run --lang zh --round "a b" --export
check "a bad --round, in Chinese" has_err "--round “a b”："
run --lang en --frobnicate
check "an unknown option in English" has_err "doorstep: unknown option '--frobnicate'"

# A refused upload address is the only word: nothing is counted as "would
# be sent" after it.
run --db "$WORK/u.db" --upload --dry-run http://192.0.2.1/v1/projects/1/submission
check "--dry-run to a plain http:// address elsewhere: exit 2" [ "$rc" -eq 2 ]
check "and it is refused" has_err "refusing to send records over plain http://"
check "with nothing said to be sent after the refusal" \
    sh -c "! grep -q 'would be sent' '$WORK/err'"
check "one message" [ "$(wc -l <"$WORK/err")" -eq 1 ]
run --db "$WORK/u.db" --upload http://192.0.2.1/v1/projects/1/submission
check "the same without --dry-run: exit 2" [ "$rc" -eq 2 ]
check "and one message" [ "$(wc -l <"$WORK/err")" -eq 1 ]

# A login without a UTF-8 locale: Chinese cannot show, so the program says
# so in English, with what to type, and does not print "????".
nolocale() { env -u LANG -u LC_ALL -u LC_CTYPE -u LC_MESSAGES -u LANGUAGE "$@"; }
nolocale "$BIN" --lang zh --help >"$WORK/out" 2>"$WORK/err"
check "--help, Chinese in a C locale: says Chinese needs UTF-8" \
    has_err "Chinese needs a UTF-8 locale"
check "and how to get one" has_err "export LANG=C.UTF-8"
check "the help is shown, in English" has_out "Usage: doorstep [OPTIONS]"
check "no question marks for Chinese" sh -c "! grep -q '??' '$WORK/out' '$WORK/err'"
nolocale "$BIN" --lang zh --db "$WORK/c.db" --export >"$WORK/out" 2>"$WORK/err"
check "an export in a C locale says it too, and still works" \
    sh -c "grep -q 'Chinese needs a UTF-8 locale' '$WORK/err' && grep -q 'exported 0 records' '$WORK/err'"
nolocale "$BIN" --lang en --help >"$WORK/out" 2>"$WORK/err"
check "English in a C locale: no such note" [ ! -s "$WORK/err" ]

# The same login on the full screen: a household registered with a Chinese
# name, then the program started without a UTF-8 locale.
RUN="$BIN --db $WORK/h.db --forms tests/forms/rounds --interviewer liu --round R1"
start 80 24 "$RUN --lang zh"
expect "家庭登记（0 户在案）"
keys 3
expect "+ 登记新家庭"
keys Enter
expect "登记家庭"
typed "刘建华"
keys Down Down Down Down Down Down
expect "[ 保存 ]"
keys Enter
expect "家庭 HH-0001 已保存。"
start 80 24 "env -u LANG -u LC_ALL -u LC_CTYPE -u LANGUAGE $RUN --lang zh"
expect "Chinese needs a UTF-8 locale; this one is not, so English is shown"
expect "export LANG=C.UTF-8"
expect "Households (1 open)"
check "no question marks on the home screen" not_shown "??"
keys 3
expect "HH-0001"
expect "[Chinese]"
check "the Chinese name is not shown as question marks" not_shown "??"

# The report screen's key bar says what its keys do there: it has pages,
# not questions, and nothing to save.
start 80 24 "$RUN --lang en"
expect "6. Needs report"
keys 6
expect "^N next page"
expect "Up/Dn scroll"
expect "^X leave"
check "no word of questions or saving on the report" not_shown "save+leave"

# The drafts list says whose draft it is (household and head), its round
# and when it was last saved in words, and counts the answers as "Draft
# saved: N of M" did.
start 80 24 "$RUN --lang en"
expect "Households (1 open)"
new_interview HH-0001
answer "People in the household" TEXT:2 Enter
answer "Does the main earner have work?" 1 Enter
answer "Age" TEXT:34 Enter
keys C-x
expect "Draft saved: "
said=$(screen | sed -n 's/.*Draft saved: \([0-9]*\) of .*/\1/p' | head -n 1)
check "the flash says how many are answered ($said)" [ -n "$said" ]
keys 2
expect "household              round      last saved       answered  form"
expect "HH-0001 刘建华"
row=$(screen | grep -F "HH-0001 刘建华")
check "the row gives the round" sh -c "echo '$row' | grep -q ' R1 '"
check "and when, in words and local time" \
    sh -c "echo '$row' | grep -q 'today $(date +%H):'"
check "and the same count as the flash ($said)" \
    sh -c "echo '$row' | grep -qE ' $said  followup\$'"
check "no raw timestamp" not_shown "T$(date +%H)"

# Progress in the bundled form: by section, whose number and count do not
# move when an answer makes questions apply (consent, household size), and
# the screen within the section. Each step's title line is kept.
progress() { screen | head -n 1 | sed -n 's/.*Section \([0-9]*\) of \([0-9]*\), \([0-9]*\)\/\([0-9]*\).*/\1 \2 \3 \4/p' >>"$WORK/progress"; }
step() { answer "$@" && progress; }
start 80 24 "$BIN --db $WORK/p.db --forms forms --lang en --interviewer liu --round R1"
expect "New interview"
new_interview
wait_for "Tell the respondent" && progress
step "Tell the respondent" Enter
step "Does the respondent agree" 1
step "Date of the visit" TEXT:2020-02-26 Enter
step "How the interview is held" 1
step "Respondent's name" "TEXT:Liu" Enter
step "Phone number" TEXT:13812345678 Enter
step "People in the household" TEXT:2 Enter
step "How many of them are under 18" TEXT:1 Enter
step "Hometown" "TEXT:Zhoukou" Enter
step "Where is the family now" 1
step "Relation to the respondent" 1
step "Age" TEXT:34 Enter
step "Does this person have work now" 1
wait_for "Household member 2" && step "Relation to the respondent" 3
step "Age" TEXT:8 Enter
step "Is this child in school" 1
step "enough masks" 2
step "wash or reuse masks" 1
sed 's/^/# /' "$WORK/progress"
check "the progress was read at every step ($(wc -l <"$WORK/progress"))" \
    [ "$(wc -l <"$WORK/progress")" -ge 18 ]
check "the count of sections never changes" \
    [ "$(cut -d' ' -f2 "$WORK/progress" | sort -u | wc -l)" -eq 1 ]
check "the section never goes back, nor skips ahead by more than one" \
    awk 'NR > 1 && ($1 < s || $1 > s + 1) { bad = 1 } { s = $1 } END { exit bad }' \
    "$WORK/progress"
check "within a section, each step moves on by one" \
    awk 'NR > 1 && $1 == s && $3 != q + 1 { bad = 1 } { s = $1; q = $3 } END { exit bad }' \
    "$WORK/progress"
check "and no total changes by more than a few (at most 5)" \
    awk 'NR > 1 && $1 == s && ($4 - n > 5 || n - $4 > 5) { bad = 1 } { s = $1; n = $4 } END { exit bad }' \
    "$WORK/progress"
finish
