# Helpers for the terminal tests: the real program in a detached tmux with
# its own socket, driven with send-keys and read with capture-pane.
# Each check prints "ok N - what" or "not ok N - what" (TAP style).

BIN=${DOORSTEP_BIN:-./doorstep}
SOCK="doorstep-test-$$-0"
STARTS=0
WORK=$(mktemp -d "${TMPDIR:-/tmp}/doorstep-e2e-XXXXXX")
N=0
FAILED=0
export LANG=C.UTF-8 LC_ALL=C.UTF-8
export ASAN_OPTIONS="log_path=$WORK/asan:detect_leaks=1"
export UBSAN_OPTIONS="log_path=$WORK/ubsan:halt_on_error=1:print_stacktrace=1"
# The program under test: no config of the user's, a private database.
export XDG_CONFIG_HOME="$WORK/config" XDG_DATA_HOME="$WORK/data"
unset DOORSTEP_DB DOORSTEP_FORMS

tm() { tmux -L "$SOCK" -f /dev/null "$@"; }

# Ends the current session as a dropped connection does (SIGHUP). The
# program must then exit by itself; if it has not within 3 s it is killed,
# so that no test leaves a process behind (AddressSanitizer's leak check
# at exit can hang after a hang-up on this machine).
stop_session() {
	pids=""
	if [ -n "${PANE_PID:-}" ]; then
		pids=$(pgrep -P "$PANE_PID" 2>/dev/null)
	fi
	tm kill-server 2>/dev/null
	for p in $pids; do
		i=0
		while kill -0 "$p" 2>/dev/null && [ $i -lt 60 ]; do
			sleep 0.05
			i=$((i + 1))
		done
		kill -9 "$p" 2>/dev/null
	done
	PANE_PID=""
}

cleanup() {
	stop_session
	i=0
	while [ $i -le $STARTS ]; do
		tmux -L "doorstep-test-$$-$i" kill-server 2>/dev/null
		i=$((i + 1))
	done
	rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

ok() {
	N=$((N + 1))
	echo "ok $N - $1"
}

not_ok() {
	N=$((N + 1))
	FAILED=$((FAILED + 1))
	echo "not ok $N - $1"
	echo "# screen was:"
	screen | sed 's/^/#   /'
}

check() {	# check "what" command...
	what=$1
	shift
	if "$@"; then ok "$what"; else not_ok "$what"; fi
}

# Starts the program in a new session of the given size.
start() {	# start COLS ROWS [env VAR=...] args...
	cols=$1 rows=$2
	shift 2
	# Each start gets a server of its own: a server being killed may
	# still hold its socket for a moment.
	stop_session
	STARTS=$((STARTS + 1))
	SOCK="doorstep-test-$$-$STARTS"
	# ASan/UBSan reports go to a file, so that a report fails the test.
	tm new-session -d -x "$cols" -y "$rows" \
	    "env ASAN_OPTIONS=log_path=$WORK/asan:detect_leaks=1 \
	     UBSAN_OPTIONS=log_path=$WORK/ubsan:halt_on_error=1 $*; \
	     echo \"[exit \$?]\"; sleep 30"
	PANE_PID=$(tm display -p '#{pane_pid}')
}

screen() { tm capture-pane -p 2>/dev/null; }

# Waits until the screen shows text (a fixed string), for up to 10 s.
# Polling a condition, not sleeping for luck.
wait_for() {
	i=0
	while [ $i -lt 200 ]; do
		if screen | grep -qF -- "$1"; then
			return 0
		fi
		sleep 0.05
		i=$((i + 1))
	done
	return 1
}

# Waits for text to appear, and reports a failure if it does not.
expect() {
	if wait_for "$1"; then ok "shows: $1"; else not_ok "shows: $1"; fi
}

keys() { tm send-keys "$@"; }
typed() { tm send-keys -l -- "$1"; }

# Waits for a question, then answers it with the keys given.
answer() {	# answer "label part" keys...
	label=$1
	shift
	if ! wait_for "$label"; then
		not_ok "question shown: $label"
		return 1
	fi
	for k in "$@"; do
		case $k in
		TEXT:*) typed "${k#TEXT:}" ;;
		*) keys "$k" ;;
		esac
	done
	# The answer has been taken when the label has gone.
	i=0
	while screen | grep -qF -- "$label" && [ $i -lt 200 ]; do
		sleep 0.05
		i=$((i + 1))
	done
}

# From the home screen, a new interview of household CODE: registered
# first (the code typed in the search) when it is not yet; with no CODE,
# an interview not linked to a household.
new_interview() {	# new_interview [CODE]
	keys Enter
	if ! wait_for "which household?"; then
		not_ok "the household chooser shows"
		return 1
	fi
	if [ -z "${1:-}" ]; then
		keys Down Enter
		return 0
	fi
	typed "$1"
	wait_for "found"
	if screen | grep -qF "Register a new household: $1" &&
	    screen | grep -qF " 0 found"; then
		keys Enter
		wait_for "Register a household" || not_ok "the register form shows"
		keys C-x
	else
		keys Enter
	fi
}

# After an interview of a household is finalized, the next visit is asked:
# leave it unset.
skip_next_visit() {
	if wait_for "Next visit to"; then keys C-x; else not_ok "next visit asked"; fi
}

sanitizers_clean() {
	! ls "$WORK"/asan* "$WORK"/ubsan* >/dev/null 2>&1
}

finish() {
	check "no sanitizer report" sanitizers_clean
	if ls "$WORK"/asan* "$WORK"/ubsan* >/dev/null 2>&1; then
		cat "$WORK"/asan* "$WORK"/ubsan* 2>/dev/null | head -40 | sed 's/^/# /'
	fi
	[ "$FAILED" -eq 0 ]
}
