/* Sealing a record the ODK way and opening it again: only the right key
 * opens it, and a record cut short or changed is refused, never half
 * read. (tests/e2e/seal.sh opens doorstep's output with the openssl
 * command line, step by step from the specification.) */
#include "helpers.h"

#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <time.h>

#include "../core/seal.h"
#include "../core/util.h"

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

static void
test_wrong_key_refused(void **state)
{
	struct seal_files f;
	struct seal_key *k = key(OTHER_KEY);
	char *cause = NULL;
	size_t n;

	(void)state;
	sealed(&f);
	assert_null(seal_open(k, f.manifest, f.enc, f.enc_len, iid, &n, &cause));
	assert_non_null(strstr(cause, "sealed for another key"));
	free(cause);
	seal_files_clear(&f);
	seal_key_free(k);
}

static void
test_cut_short_refused(void **state)
{
	struct seal_files f;
	struct seal_key *k = key(ORG_KEY);
	char *cause = NULL;
	size_t n;

	(void)state;
	sealed(&f);
	assert_null(seal_open(k, f.manifest, f.enc, f.enc_len - 5, iid, &n, &cause));
	assert_non_null(strstr(cause, "cut short"));
	free(cause);
	cause = NULL;
	/* A whole block gone: the padding no longer fits, or the signature. */
	assert_null(seal_open(k, f.manifest, f.enc, f.enc_len - 16, iid, &n, &cause));
	assert_non_null(cause);
	free(cause);
	seal_files_clear(&f);
	seal_key_free(k);
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
	struct seal_files f;
	struct seal_key *k = key(ORG_KEY);
	char *cause = NULL;
	size_t n;

	(void)state;
	sealed(&f);
	assert_null(seal_open(k, f.manifest, f.enc, f.enc_len,
	    "uuid:00000000-0000-4000-8000-000000000000", &n, &cause));
	assert_non_null(strstr(cause, "not of"));
	free(cause);
	seal_files_clear(&f);
	seal_key_free(k);
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
	};

	setlocale(LC_ALL, "C.UTF-8");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
