/* Sealing a record the ODK way and opening it again: only the right key
 * opens it, and a record cut short or changed is refused, never half
 * read. (tests/e2e/seal.sh opens doorstep's output with the openssl
 * command line, step by step from the specification.) */
#include "helpers.h"

#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <sqlite3.h>
#include <time.h>

#include "../core/household.h"
#include "../core/interview.h"
#include "../core/seal.h"
#include "../core/store.h"
#include "../core/util.h"
#include "../core/xml.h"

#define ORG_KEY "tests/seal/org.pem"
#define ORG_KEY_PASS "tests/seal/org-pass.pem"
#define OTHER_KEY "tests/seal/other.pem"

static const char xml[] =
    "<needs_assessment id=\"needs_assessment\" version=\"2020-02\">"
    "<name>Wang Fang</name><phone>13800000000</phone>"
    "<meta><instanceID>uuid:0f1e2d3c-4b5a-4697-8899-aabbccddeeff</instanceID>"
    "</meta></needs_assessment>";
static const char iid[] = "uuid:0f1e2d3c-4b5a-4697-8899-aabbccddeeff";

static char *
public_key(void)
{
	FILE *f = fopen("tests/seal/org.pub.b64", "r");
	char line[2048];

	assert_non_null(f);
	assert_non_null(fgets(line, sizeof line, f));
	fclose(f);
	return xstrdup(line);
}

static void
sealed(struct seal_files *out)
{
	char *pub = public_key(), *cause = NULL;

	assert_int_equal(seal_record(pub, "needs_assessment", "2020-02", iid, xml,
	    strlen(xml), out, &cause), 0);
	assert_null(cause);
	free(pub);
}

static struct seal_key *
key(const char *path)
{
	char *cause = NULL;
	struct seal_key *k = seal_key_load(path, NULL, NULL, &cause);

	assert_non_null(k);
	return k;
}

/* The right key gives back the very bytes that were sealed; the sealed
 * file holds none of them. */
static void
test_round_trip(void **state)
{
	struct seal_files f;
	struct seal_key *k = key(ORG_KEY);
	char *cause = NULL, *back;
	size_t n = 0;

	(void)state;
	sealed(&f);
	assert_non_null(strstr(f.manifest, "<data xmlns=\"http://opendatakit.org/"
	    "submissions\" id=\"needs_assessment\" version=\"2020-02\" "
	    "encrypted=\"yes\">"));
	assert_non_null(strstr(f.manifest, "<encryptedXmlFile>submission.xml.enc"
	    "</encryptedXmlFile>"));
	assert_non_null(strstr(f.manifest, iid));
	assert_null(strstr(f.manifest, "Wang Fang"));
	assert_null(memmem(f.enc, f.enc_len, "Wang", 4));
	assert_int_equal(f.enc_len % 16, 0);
	assert_true(f.enc_len > strlen(xml));
	back = seal_open(k, f.manifest, f.enc, f.enc_len, iid, &n, &cause);
	assert_null(cause);
	assert_non_null(back);
	assert_int_equal(n, strlen(xml));
	assert_memory_equal(back, xml, n);
	free(back);
	seal_files_clear(&f);
	seal_key_free(k);
}

/* Two records of the same text look nothing alike: a fresh key each. */
static void
test_fresh_key_per_record(void **state)
{
	struct seal_files a, b;
	char *ka, *kb;

	(void)state;
	sealed(&a);
	sealed(&b);
	ka = seal_manifest_field(a.manifest, "base64EncryptedKey");
	kb = seal_manifest_field(b.manifest, "base64EncryptedKey");
	assert_string_not_equal(ka, kb);
	assert_memory_not_equal(a.enc, b.enc, 16);
	free(ka);
	free(kb);
	seal_files_clear(&a);
	seal_files_clear(&b);
}

/* A record sealed for the organisation, cut short by cut bytes, is refused
 * when opened with the key in key_path as the record instance; the cause
 * says why (holds because, when that is not NULL). */
static void
assert_refused(const char *key_path, size_t cut, const char *instance,
    const char *because)
{
	struct seal_files f;
	struct seal_key *k = key(key_path);
	char *cause = NULL;
	size_t n;

	sealed(&f);
	assert_null(seal_open(k, f.manifest, f.enc, f.enc_len - cut, instance, &n,
	    &cause));
	assert_non_null(cause);
	if (because != NULL)
		assert_non_null(strstr(cause, because));
	free(cause);
	seal_files_clear(&f);
	seal_key_free(k);
}

static void
test_wrong_key_refused(void **state)
{
	(void)state;
	assert_refused(OTHER_KEY, 0, iid, "sealed for another key");
}

static void
test_cut_short_refused(void **state)
{
	(void)state;
	assert_refused(ORG_KEY, 5, iid, "cut short");
	/* A whole block gone: the padding no longer fits, or the signature. */
	assert_refused(ORG_KEY, 16, iid, NULL);
}

/* Every single byte changed, anywhere, is found out. */
static void
test_changed_byte_refused(void **state)
{
	struct seal_files f;
	struct seal_key *k = key(ORG_KEY);
	char *cause = NULL, *back;
	size_t n, i;

	(void)state;
	sealed(&f);
	for (i = 0; i < f.enc_len; i++) {
		f.enc[i] ^= 0x20;
		back = seal_open(k, f.manifest, f.enc, f.enc_len, iid, &n, &cause);
		assert_null(back);
		assert_non_null(cause);
		free(cause);
		cause = NULL;
		f.enc[i] ^= 0x20;
	}
	seal_files_clear(&f);
	seal_key_free(k);
}

static void
test_other_record_refused(void **state)
{
	(void)state;
	assert_refused(ORG_KEY, 0, "uuid:00000000-0000-4000-8000-000000000000",
	    "not of");
}

static int
give(char *buf, int size, void *ctx)
{
	const char *p = ctx;
	int n = (int)strlen(p);

	if (n > size)
		return -1;
	memcpy(buf, p, (size_t)n);
	return n;
}

static void
test_passphrase(void **state)
{
	struct seal_key *k;
	char *cause = NULL;

	(void)state;
	k = seal_key_load(ORG_KEY_PASS, give, (void *)"correct horse", &cause);
	assert_non_null(k);
	seal_key_free(k);
	k = seal_key_load(ORG_KEY_PASS, give, (void *)"wrong horse", &cause);
	assert_null(k);
	assert_non_null(strstr(cause, "wrong passphrase"));
	free(cause);
	cause = NULL;
	assert_null(seal_key_load("tests/seal/org.pub.b64", NULL, NULL, &cause));
	assert_non_null(strstr(cause, "not a PEM private key"));
	free(cause);
}

static void
test_public_key_check(void **state)
{
	unsigned char *der = NULL;
	char *cause = NULL, *b64;
	EVP_PKEY *small;
	int n;

	(void)state;
	assert_int_equal(seal_public_key_check("not a key", &cause), -1);
	assert_non_null(strstr(cause, "base64"));
	free(cause);
	cause = NULL;
	assert_int_equal(seal_public_key_check("aGVsbG8gd29ybGQh", &cause), -1);
	assert_non_null(strstr(cause, "not an RSA public key"));
	free(cause);
	cause = NULL;
	small = EVP_RSA_gen(1024);
	assert_non_null(small);
	n = i2d_PUBKEY(small, &der);
	assert_true(n > 0);
	b64 = seal_base64(der, (size_t)n);
	assert_int_equal(seal_public_key_check(b64, &cause), -1);
	assert_non_null(strstr(cause, "1024 bits"));
	free(cause);
	free(b64);
	OPENSSL_free(der);
	EVP_PKEY_free(small);
	b64 = public_key();
	assert_int_equal(seal_public_key_check(b64, NULL), 0);
	free(b64);
}

static void
test_base64(void **state)
{
	size_t n;
	unsigned char *d;
	char *t;

	(void)state;
	t = seal_base64((const unsigned char *)"ab", 2);
	assert_string_equal(t, "YWI=");
	d = seal_unbase64("YW\nI=", &n);
	assert_int_equal(n, 2);
	assert_memory_equal(d, "ab", 2);
	free(d);
	free(t);
	assert_null(seal_unbase64("YWI", &n));
	assert_null(seal_unbase64("Y!I=", &n));
}


/* A form of the organisation, with its public key. */
static struct form *
sealed_form(const char *keeps)
{
	char *pub = public_key(), *yaml;
	struct diags d;
	struct form *f;

	yaml = xasprintf("form: visit\nversion: \"3\"\ntitle: Visit\n"
	    "public_key: %s\n%s\n"
	    "body:\n"
	    "  - {name: name, type: text, label: Name, identifying: true}\n"
	    "  - {name: size, type: integer, label: Size, prefill: true}\n"
	    "  - {name: work, type: select_one, label: Work, choices: "
	    "[{value: \"yes\", label: Y}, {value: \"no\", label: N}]}\n"
	    "needs:\n  - {id: livelihood, label: L, when: \"${work} = 'no'\"}\n",
	    pub, keeps);
	diags_init(&d, "visit.yaml");
	f = form_parse(yaml, strlen(yaml), &d);
	if (f == NULL)
		test_print_diags(&d);
	assert_non_null(f);
	diags_free(&d);
	free(yaml);
	free(pub);
	return f;
}

static void
answer_step(struct interview *iv, const char *typed)
{
	char *why = NULL, *cause = NULL;

	if (interview_answer(iv, typed, true, "en", &why, &cause) != 0)
		fail_msg("refused: %s %s", why ? why : "", cause ? cause : "");
	assert_int_equal(interview_go(iv, iv->current + 1, NULL), 0);
}

static char *
slurp(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	struct buf b = { 0 };
	char chunk[65536];
	size_t got;

	*n = 0;
	if (f == NULL)
		return NULL;
	while ((got = fread(chunk, 1, sizeof chunk, f)) > 0)
		buf_add(&b, chunk, got);
	fclose(f);
	*n = b.len;
	return b.data ? b.data : xstrdup("");
}

static void
spill(const char *path, const void *data, size_t n)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, n, f), n);
	fclose(f);
}

static bool
file_holds(const char *path, const char *text)
{
	size_t n;
	char *data = slurp(path, &n);
	bool yes = data != NULL && memmem(data, n, text, strlen(text)) != NULL;

	free(data);
	return yes;
}

/* Finalizing on a form with a public key keeps only the sealed record:
 * no answer in the database, not in its log, not in freed pages; and
 * the openssl command line, following the spec, gets back the very
 * instance doorstep would have sent in plain. */
static void
test_finalize_sealed(void **state)
{
	char *dir = test_tmpdir(), *path = xasprintf("%s/d.db", dir), *cause = NULL;
	char *cmd, *expected, *manifest, *needs, *got;
	struct store *s = store_open(path, NULL);
	struct interview *iv;
	struct record_info rec, *list;
	unsigned char *enc;
	size_t enc_len, n, first, nbad, got_len;
	int64_t id;

	(void)state;
	assert_non_null(s);
	iv = interview_begin(s, sealed_form("sealed_keeps: [needs]"), "BJ-0007",
	    "2020-R2", "beijing", "liu", &cause);
	assert_non_null(iv);
	answer_step(iv, "Zhang Xiuying");
	answer_step(iv, "3");
	answer_step(iv, "no");
	id = iv->record;
	assert_int_equal(store_record_get(s, id, &rec, NULL), 0);
	expected = xml_instance(iv, &rec);
	store_record_clear(&rec);
	assert_non_null(strstr(expected, "Zhang Xiuying"));
	cmd = xasprintf("%s-wal", path);
	assert_true(file_holds(path, "Zhang Xiuying") ||
	    file_holds(cmd, "Zhang Xiuying"));
	free(cmd);

	assert_int_equal(interview_finalize(iv, &first, &nbad, &cause), 0);
	interview_free(iv);
	/* As the program does once the screen shows it finalized, before
	 * it reads another key. */
	assert_int_equal(store_scrub(s, &cause), 0);
	/* The instance ends when it was finalized: the clock may have
	 * turned a second since the expected one was built. */
	assert_int_equal(store_record_get(s, id, &rec, NULL), 0);
	assert_non_null(rec.finalized_at);
	{
		char *open_tag = strstr(expected, "<timeEnd>"), *close_tag, *fixed;

		assert_non_null(open_tag);
		close_tag = strstr(open_tag, "</timeEnd>");
		assert_non_null(close_tag);
		fixed = xasprintf("%.*s<timeEnd>%s%s", (int)(open_tag - expected),
		    expected, rec.finalized_at, close_tag);
		free(expected);
		expected = fixed;
	}
	store_record_clear(&rec);

	assert_int_equal(store_records_list(s, STORE_DONE, &list, &n, NULL), 0);
	assert_int_equal(n, 1);
	assert_true(list[0].sealed);
	assert_int_equal(list[0].answered, 0);
	assert_string_equal(list[0].status, "finalized");
	assert_string_equal(list[0].household, "BJ-0007");
	store_records_free(list, n);

	/* The timeline shows the sealed interview and the need it keeps. */
	{
		struct household h;
		struct household_entry *tl;
		size_t ntl, k, seen = 0;
		bool created;

		assert_int_equal(household_ensure(s, "BJ-0007", "beijing", &created,
		    NULL), 0);
		assert_int_equal(household_get(s, "BJ-0007", &h, NULL), 0);
		assert_int_equal(household_timeline(s, &h, "en", &tl, &ntl, NULL), 0);
		for (k = 0; k < ntl; k++)
			if (tl[k].record != 0) {
				assert_true(tl[k].sealed);
				assert_string_equal(tl[k].detail, "L");
				seen++;
			}
		assert_int_equal(seen, 1);
		household_timeline_free(tl, ntl);
		household_clear(&h);
	}
	manifest = store_record_xml(s, id, &cause);
	assert_non_null(strstr(manifest, "encrypted=\"yes\""));
	assert_non_null(strstr(manifest, "version=\"3\""));
	assert_int_equal(store_sealed_get(s, id, &enc, &enc_len, &needs, NULL), 1);
	assert_string_equal(needs, "livelihood");

	/* The typed name is nowhere in the database's files, while the
	 * program that sealed it still has the database open (closing it
	 * would checkpoint anyway). */
	assert_false(file_holds(path, "Zhang Xiuying"));
	cmd = xasprintf("%s-wal", path);
	assert_false(file_holds(cmd, "Zhang Xiuying"));
	free(cmd);
	store_close(s);

	cmd = xasprintf("%s/m.xml", dir);
	spill(cmd, manifest, strlen(manifest));
	free(cmd);
	cmd = xasprintf("%s/submission.xml.enc", dir);
	spill(cmd, enc, enc_len);
	free(cmd);
	cmd = xasprintf("sh tests/seal/odk-decrypt.sh %s/m.xml %s/submission.xml.enc "
	    "tests/seal/org.pem > %s/out.xml", dir, dir, dir);
	assert_int_equal(system(cmd), 0);
	free(cmd);
	cmd = xasprintf("%s/out.xml", dir);
	got = slurp(cmd, &got_len);
	assert_int_equal(got_len, strlen(expected));
	assert_memory_equal(got, expected, got_len);
	free(cmd);
	/* Another key does not open it. */
	cmd = xasprintf("sh tests/seal/odk-decrypt.sh %s/m.xml %s/submission.xml.enc "
	    "tests/seal/other.pem > /dev/null 2>&1", dir, dir);
	assert_int_not_equal(system(cmd), 0);
	free(cmd);

	free(got);
	free(needs);
	free(enc);
	free(manifest);
	free(expected);
	free(path);
	test_rmtree(dir);
	free(dir);
}

/* sealed_keeps: [prefill] keeps the answers marked prefill in plain, for
 * the next round; without needs kept, none are. */
static void
test_sealed_keeps_prefill(void **state)
{
	char *dir = test_tmpdir(), *path = xasprintf("%s/d.db", dir), *cause = NULL;
	char *needs = (char *)"x";
	struct store *s = store_open(path, NULL);
	struct record_info prev;
	struct interview *iv;
	size_t first, nbad;
	int64_t id;

	(void)state;
	iv = interview_begin(s, sealed_form("sealed_keeps: [prefill]"), "BJ-0008",
	    "2020-R1", "beijing", "liu", &cause);
	assert_non_null(iv);
	answer_step(iv, "Li Lei");
	answer_step(iv, "4");
	answer_step(iv, "yes");
	id = iv->record;
	assert_int_equal(interview_finalize(iv, &first, &nbad, &cause), 0);
	interview_free(iv);
	assert_int_equal(store_sealed_get(s, id, NULL, NULL, &needs, NULL), 1);
	assert_null(needs);

	/* The next round starts from the size, not from the name. */
	assert_int_equal(store_previous_record(s, "BJ-0008", "2020-R2", &prev,
	    NULL), 1);
	store_record_clear(&prev);
	iv = interview_begin(s, sealed_form("sealed_keeps: [prefill]"), "BJ-0008",
	    "2020-R2", "beijing", "liu", &cause);
	assert_non_null(iv);
	assert_string_equal(interview_value(iv, (size_t)form_find(iv->form, "size"),
	    0), "4");
	assert_null(interview_value(iv, (size_t)form_find(iv->form, "name"), 0));
	interview_free(iv);
	assert_false(file_holds(path, "Li Lei"));
	store_close(s);
	free(path);
	test_rmtree(dir);
	free(dir);
}

/* A sealed record finalized by a program that is stopped before it
 * scrubs (store_close does it), while another process keeps the database
 * open (so SQLite's own last close does not empty the log): the typed
 * name is in no database file. */
static void
test_scrub_at_close(void **state)
{
	char *dir = test_tmpdir(), *path = xasprintf("%s/d.db", dir), *cause = NULL;
	char *wal = xasprintf("%s-wal", path);
	struct store *s = store_open(path, NULL), *other = store_open(path, NULL);
	struct interview *iv;
	size_t first, nbad;

	(void)state;
	iv = interview_begin(s, sealed_form(""), "BJ-0009", "2020-R1", "beijing",
	    "liu", &cause);
	assert_non_null(iv);
	answer_step(iv, "Zhao Mingyue");
	answer_step(iv, "2");
	answer_step(iv, "yes");
	assert_true(file_holds(wal, "Zhao Mingyue"));
	assert_int_equal(interview_finalize(iv, &first, &nbad, &cause), 0);
	interview_free(iv);
	store_close(s);
	assert_false(file_holds(path, "Zhao Mingyue"));
	assert_false(file_holds(wal, "Zhao Mingyue"));
	/* Nothing left to do: the next scrub is free. */
	assert_int_equal(store_scrub(other, &cause), 0);
	store_close(other);
	free(wal);
	free(path);
	test_rmtree(dir);
	free(dir);
}

/* While another process reads, the log cannot be emptied: the scrub
 * says so and stays due, and empties it once the reader is done. */
static void
test_scrub_after_reader(void **state)
{
	char *dir = test_tmpdir(), *path = xasprintf("%s/d.db", dir), *cause = NULL;
	char *wal = xasprintf("%s-wal", path);
	struct store *s = store_open(path, NULL);
	struct interview *iv;
	size_t first, nbad;
	sqlite3 *reader;

	(void)state;
	iv = interview_begin(s, sealed_form(""), "BJ-0010", "2020-R1", "beijing",
	    "liu", &cause);
	assert_non_null(iv);
	answer_step(iv, "Qian Xiaohong");
	answer_step(iv, "2");
	answer_step(iv, "yes");
	assert_int_equal(sqlite3_open(path, &reader), SQLITE_OK);
	assert_int_equal(sqlite3_exec(reader, "BEGIN; SELECT count(*) FROM records",
	    NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(interview_finalize(iv, &first, &nbad, &cause), 0);
	interview_free(iv);
	store_set_busy_timeout(s, 50);
	assert_int_equal(store_scrub(s, &cause), -1);
	assert_non_null(strstr(cause, "cannot empty the database's log"));
	free(cause);
	cause = NULL;
	assert_int_equal(store_scrub(s, &cause), -1);	/* still due */
	free(cause);
	cause = NULL;
	assert_true(file_holds(wal, "Qian Xiaohong"));
	assert_int_equal(sqlite3_exec(reader, "COMMIT", NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(store_scrub(s, &cause), 0);
	assert_false(file_holds(path, "Qian Xiaohong"));
	assert_false(file_holds(wal, "Qian Xiaohong"));
	sqlite3_close(reader);
	store_close(s);
	free(wal);
	free(path);
	test_rmtree(dir);
	free(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_fresh_key_per_record),
		cmocka_unit_test(test_wrong_key_refused),
		cmocka_unit_test(test_cut_short_refused),
		cmocka_unit_test(test_changed_byte_refused),
		cmocka_unit_test(test_other_record_refused),
		cmocka_unit_test(test_passphrase),
		cmocka_unit_test(test_public_key_check),
		cmocka_unit_test(test_base64),
		cmocka_unit_test(test_finalize_sealed),
		cmocka_unit_test(test_sealed_keeps_prefill),
		cmocka_unit_test(test_scrub_at_close),
		cmocka_unit_test(test_scrub_after_reader),
	};

	setlocale(LC_ALL, "C.UTF-8");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
