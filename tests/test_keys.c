/* The key reader turns what terminals send into keys whatever TERM says,
 * and drops every sequence it does not know whole: no part of one is ever
 * typed into an answer. */
#include "helpers.h"

#include "../tui/curses.h"
#include "../tui/keys.h"

#define MAX_KEYS 64

/* Feeds bytes (a "\x9b" stands for the character U+009B) and collects the
 * keys; at the end the escape delay passes. */
static size_t
read_keys(const char *bytes, struct key *keys)
{
	struct keys_reader kr;
	size_t n = 0;

	keys_reader_init(&kr);
	for (; *bytes != '\0'; bytes++) {
		struct key k;

		if (keys_feed(&kr, (wint_t)(unsigned char)*bytes, &k)) {
			assert_true(n < MAX_KEYS);
			keys[n++] = k;
		}
	}
	if (keys_pending(&kr))
		keys_timeout(&kr);
	assert_false(keys_pending(&kr));
	return n;
}

/* The bytes give exactly one key. */
static void
expect_key(const char *bytes, bool fkey, wint_t code)
{
	struct key keys[MAX_KEYS];
	size_t n = read_keys(bytes, keys);

	if (n != 1 || keys[0].fkey != fkey || keys[0].code != code)
		fail_msg("\"%s\": %zu key(s), the first %s %#x; want %s %#x",
		    bytes + (bytes[0] == '\033'), n,
		    n > 0 && keys[0].fkey ? "fkey" : "char",
		    n > 0 ? (unsigned)keys[0].code : 0u, fkey ? "fkey" : "char",
		    (unsigned)code);
}

/* The bytes give the characters of want, and nothing else. */
static void
expect_typed(const char *bytes, const char *want)
{
	struct key keys[MAX_KEYS];
	size_t n = read_keys(bytes, keys), i;
	char got[MAX_KEYS + 1];

	for (i = 0; i < n; i++) {
		if (keys[i].fkey)
			fail_msg("\"%s\": key %zu is %#x, not a character",
			    bytes, i, (unsigned)keys[i].code);
		got[i] = (char)keys[i].code;
	}
	got[n] = '\0';
	assert_string_equal(got, want);
}

static void
home_end_as_every_client_sends_them(void **state)
{
	(void)state;
	/* PuTTY, the Linux console, tmux, vt220 */
	expect_key("\033[1~", true, KEY_HOME);
	expect_key("\033[4~", true, KEY_END);
	/* xterm, JuiceSSH, Termux; and in application cursor mode */
	expect_key("\033[H", true, KEY_HOME);
	expect_key("\033[F", true, KEY_END);
	expect_key("\033OH", true, KEY_HOME);
	expect_key("\033OF", true, KEY_END);
	/* rxvt, plain and with Ctrl or Shift */
	expect_key("\033[7~", true, KEY_HOME);
	expect_key("\033[8~", true, KEY_END);
	expect_key("\033[7^", true, KEY_HOME);
	expect_key("\033[8$", true, KEY_END);
	/* with modifiers: Ctrl-Home, Shift-End */
	expect_key("\033[1;5H", true, KEY_HOME);
	expect_key("\033[1;2F", true, KEY_END);
	expect_key("\033[1;5~", true, KEY_HOME);
}

static void
editing_and_page_keys(void **state)
{
	(void)state;
	expect_key("\033[A", true, KEY_UP);
	expect_key("\033[B", true, KEY_DOWN);
	expect_key("\033[C", true, KEY_RIGHT);
	expect_key("\033[D", true, KEY_LEFT);
	expect_key("\033OA", true, KEY_UP);	/* vt100, xterm application mode */
	expect_key("\033OD", true, KEY_LEFT);
	expect_key("\033[1;5C", true, KEY_RIGHT);	/* Ctrl-Right */
	expect_key("\033[1;3A", true, KEY_UP);	/* Alt-Up, xterm */
	expect_key("\033\033[A", true, KEY_UP);	/* Alt-Up, rxvt */
	expect_key("\033O5D", true, KEY_LEFT);	/* Ctrl-Left, old xterm */
	expect_key("\033[3~", true, KEY_DC);
	expect_key("\033[3;5~", true, KEY_DC);
	expect_key("\033[2~", true, KEY_IC);
	expect_key("\033[5~", true, KEY_PPAGE);
	expect_key("\033[6~", true, KEY_NPAGE);
	expect_key("\033[6;2~", true, KEY_NPAGE);
	expect_key("\x9b" "A", true, KEY_UP);		/* 8-bit CSI */
	expect_key("\x8f" "F", true, KEY_END);		/* 8-bit SS3 */
}

static void
function_keys(void **state)
{
	(void)state;
	expect_key("\033OP", true, (wint_t)KEY_F(1));	/* xterm, vt100 PF1 */
	expect_key("\033[11~", true, (wint_t)KEY_F(1));	/* PuTTY, rxvt */
	expect_key("\033[[A", true, (wint_t)KEY_F(1));	/* the Linux console */
	expect_key("\033[[E", true, (wint_t)KEY_F(5));
	expect_key("\033[1;2P", true, (wint_t)KEY_F(1));	/* Shift-F1 */
	expect_key("\033[15~", true, (wint_t)KEY_F(5));
	expect_key("\033[17~", true, (wint_t)KEY_F(6));
	expect_key("\033[24~", true, (wint_t)KEY_F(12));
	expect_key("\033[200~", true, KEYS_PASTE_START);
	expect_key("\033[201~", true, KEYS_PASTE_END);
}

/* A terminal left in application keypad mode sends the keypad's digits
 * as SS3 sequences: they are typed as digits. */
static void
application_keypad(void **state)
{
	(void)state;
	expect_typed("\033Op\033Oq\033Oy\033On\033Om\033Ok", "019.-+");
	expect_key("\033OM", false, '\r');
}

/* Every sequence no key is bound to types nothing, and what comes after
 * it is typed as it is. */
static void
unknown_sequences_are_dropped_whole(void **state)
{
	(void)state;
	expect_typed("a\033[Zb", "ab");			/* back-tab */
	expect_typed("a\033[29~b", "ab");		/* vt220 Do */
	expect_typed("a\033[99~b", "ab");
	expect_typed("a\033[<0;10;5Mb", "ab");		/* a mouse report */
	expect_typed("a\033[?1;2cb", "ab");		/* device attributes */
	expect_typed("a\033[?1;2$yb", "ab");		/* a mode report */
	expect_typed("a\033[2Ab", "ab");
	expect_typed("a\033[Ib\033[O", "ab");		/* focus in, out */
	expect_typed("a\033[97;5ub", "ab");		/* a kitty key */
	expect_typed("a\033[1 qb", "ab");		/* an intermediate byte */
	expect_typed("a\033OEb\033Ozc", "abc");		/* keypad 5; no key */
	expect_typed("a\033[[Zb", "ab");
	expect_typed("a\033]0;title\007b", "ab");	/* OSC ended by BEL */
	expect_typed("a\033]2;t\033\\b", "ab");		/* ... by ST */
	expect_typed("a\033P1$r0m\033\\b", "ab");	/* DCS */
	expect_typed("a\033_apc\033\\b\033^pm\033\\c\033Xsos\033\\d", "abcd");
	expect_typed("a\x9d" "0;t\x9c" "b", "ab");	/* 8-bit OSC and ST */
	expect_typed("a\x85" "b", "ab");		/* another C1 control */
	/* Parameters longer than any key's. */
	expect_typed("a\033[1111111111111111111111111111111111111111~b", "ab");
	expect_typed("a\033[111111111111111111111111111111111111111;5Cb", "ab");
}

/* Esc then a character at once is Alt with that key: neither is typed.
 * A bare Esc, when the delay passes, does nothing, and what follows is
 * typed. */
static void
alt_keys_and_a_bare_esc(void **state)
{
	struct keys_reader kr;
	struct key k;

	(void)state;
	expect_typed("a\033xb", "ab");
	expect_typed("a\033\177b", "ab");		/* Alt-Backspace */
	expect_typed("a\033\033b", "a");		/* Esc, then Alt-b */
	keys_reader_init(&kr);
	assert_false(keys_feed(&kr, 0x1b, &k));
	assert_true(keys_pending(&kr));
	keys_timeout(&kr);
	assert_false(keys_pending(&kr));
	assert_true(keys_feed(&kr, 'x', &k));
	assert_false(k.fkey);
	assert_int_equal(k.code, 'x');
	/* A sequence cut short by the delay is dropped. */
	assert_false(keys_feed(&kr, 0x1b, &k));
	assert_false(keys_feed(&kr, '[', &k));
	assert_false(keys_feed(&kr, '4', &k));
	keys_timeout(&kr);
	assert_true(keys_feed(&kr, 'y', &k));
	assert_int_equal(k.code, 'y');
}

/* A control key inside a sequence ends it and acts: Ctrl-X still saves
 * and leaves after a sequence that never ended. An ESC begins the next. */
static void
a_control_key_ends_a_sequence(void **state)
{
	(void)state;
	expect_key("\033[1\030", false, 0x18);
	expect_key("\033O\030", false, 0x18);
	expect_key("\033\030", false, 0x18);
	expect_key("\033]0;title\030", false, 0x18);	/* CAN ends a string */
	expect_key("\033[1\033[4~", true, KEY_END);
	expect_key("\033]0;t\033[4~", true, KEY_END);
	expect_key("\033[1\177", false, 0x7f);		/* Backspace */
}

/* Characters pass as they are, wide ones too. */
static void
characters_pass(void **state)
{
	struct keys_reader kr;
	struct key k;

	(void)state;
	expect_typed("Liu Li 138", "Liu Li 138");
	expect_key("\r", false, '\r');
	keys_reader_init(&kr);
	assert_true(keys_feed(&kr, 0x5218, &k));	/* 刘 */
	assert_false(k.fkey);
	assert_int_equal(k.code, 0x5218);
	assert_true(keys_feed(&kr, 0xa0, &k));
	assert_int_equal(k.code, 0xa0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(home_end_as_every_client_sends_them),
		cmocka_unit_test(editing_and_page_keys),
		cmocka_unit_test(function_keys),
		cmocka_unit_test(application_keypad),
		cmocka_unit_test(unknown_sequences_are_dropped_whole),
		cmocka_unit_test(alt_keys_and_a_bare_esc),
		cmocka_unit_test(a_control_key_ends_a_sequence),
		cmocka_unit_test(characters_pass),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
