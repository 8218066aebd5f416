#include "seal.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "i18n.h"
#include "util.h"
#include "xml.h"

#define AES_KEY_BYTES 32
#define AES_BLOCK 16
#define MIN_RSA_BITS 2048

struct seal_key {
	EVP_PKEY *pkey;
};

void
seal_files_clear(struct seal_files *f)
{
	free(f->manifest);
	free(f->enc);
	memset(f, 0, sizeof *f);
}

char *
seal_base64(const unsigned char *data, size_t n)
{
	char *out = xmalloc(4 * ((n + 2) / 3) + 1);

	EVP_EncodeBlock((unsigned char *)out, data, (int)n);
	return out;
}

unsigned char *
seal_unbase64(const char *text, size_t *n)
{
	struct buf clean = { 0 };
	unsigned char *out;
	size_t len, pad = 0, i;
	int got;

	/* Line breaks and spaces, as a PEM body or a YAML block has them,
	 * are not part of the text. */
	for (i = 0; text[i] != '\0'; i++)
		if (strchr(" \t\r\n", text[i]) == NULL)
			buf_addc(&clean, text[i]);
	len = clean.len;
	if (len == 0 || len % 4 != 0 || len > INT_MAX) {
		buf_free(&clean);
		return NULL;
	}
	if (clean.data[len - 1] == '=')
		pad = clean.data[len - 2] == '=' ? 2 : 1;
	out = xmalloc(len / 4 * 3 + 1);
	got = EVP_DecodeBlock(out, (const unsigned char *)clean.data, (int)len);
	buf_free(&clean);
	if (got < 0 || (size_t)got < pad) {
		free(out);
		return NULL;
	}
	*n = (size_t)got - pad;
	return out;
}

/* The public key of a form, or NULL with *cause. */
static EVP_PKEY *
public_key(const char *b64, char **cause)
{
	const unsigned char *p;
	unsigned char *der;
	EVP_PKEY *pkey;
	size_t n;

	if (b64 == NULL || (der = seal_unbase64(b64, &n)) == NULL) {
		set_cause(cause, _("the public key is not base64 text (it is the "
		    "output of: openssl rsa -in KEY.pem -pubout -outform DER | "
		    "base64 -w0)"));
		return NULL;
	}
	p = der;
	pkey = n > LONG_MAX ? NULL : d2i_PUBKEY(NULL, &p, (long)n);
	free(der);
	ERR_clear_error();
	if (pkey == NULL || EVP_PKEY_base_id(pkey) != EVP_PKEY_RSA) {
		set_cause(cause, _("the public key is not an RSA public key (it is "
		    "the output of: openssl rsa -in KEY.pem -pubout -outform DER | "
		    "base64 -w0)"));
		EVP_PKEY_free(pkey);
		return NULL;
	}
	if (EVP_PKEY_get_bits(pkey) < MIN_RSA_BITS) {
		set_cause(cause, _("the public key has %d bits; a key of at least "
		    "%d bits is needed"), EVP_PKEY_get_bits(pkey), MIN_RSA_BITS);
		EVP_PKEY_free(pkey);
		return NULL;
	}
	return pkey;
}

int
seal_public_key_check(const char *b64, char **cause)
{
	EVP_PKEY *pkey = public_key(b64, cause);

	EVP_PKEY_free(pkey);
	return pkey == NULL ? -1 : 0;
}

/* Sets up ctx for RSA-OAEP with SHA-256 for both the hash and MGF1, as
 * ODK Collect does (RSA/NONE/OAEPWithSHA256AndMGF1Padding). */
static int
oaep_sha256(EVP_PKEY_CTX *ctx)
{
	return EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_OAEP_PADDING) > 0 &&
	    EVP_PKEY_CTX_set_rsa_oaep_md(ctx, EVP_sha256()) > 0 &&
	    EVP_PKEY_CTX_set_rsa_mgf1_md(ctx, EVP_sha256()) > 0 ? 0 : -1;
}

/* RSA-OAEP encryption of n bytes, base64; NULL on failure. */
static char *
rsa_wrap(EVP_PKEY *pkey, const unsigned char *data, size_t n)
{
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(pkey, NULL);
	unsigned char *out = NULL;
	size_t outlen = 0;
	char *b64 = NULL;

	if (ctx != NULL && EVP_PKEY_encrypt_init(ctx) > 0 && oaep_sha256(ctx) == 0 &&
	    EVP_PKEY_encrypt(ctx, NULL, &outlen, data, n) > 0) {
		out = xmalloc(outlen);
		if (EVP_PKEY_encrypt(ctx, out, &outlen, data, n) > 0)
			b64 = seal_base64(out, outlen);
		free(out);
	}
	EVP_PKEY_CTX_free(ctx);
	return b64;
}

/* RSA-OAEP decryption of base64 text into out (at most *n bytes; *n is
 * then the length). Returns 0, or -1: not base64, or another key. */
static int
rsa_unwrap(EVP_PKEY *pkey, const char *b64, unsigned char *out, size_t *n)
{
	EVP_PKEY_CTX *ctx;
	unsigned char *in, *tmp;
	size_t inlen, tmplen;
	int rc = -1;

	if ((in = seal_unbase64(b64, &inlen)) == NULL)
		return -1;
	ctx = EVP_PKEY_CTX_new(pkey, NULL);
	tmplen = (size_t)EVP_PKEY_get_size(pkey);
	tmp = xmalloc(tmplen);
	if (ctx != NULL && EVP_PKEY_decrypt_init(ctx) > 0 && oaep_sha256(ctx) == 0 &&
	    EVP_PKEY_decrypt(ctx, tmp, &tmplen, in, inlen) > 0 && tmplen <= *n) {
		memcpy(out, tmp, tmplen);
		*n = tmplen;
		rc = 0;
	}
	OPENSSL_cleanse(tmp, (size_t)EVP_PKEY_get_size(pkey));
	free(tmp);
	free(in);
	EVP_PKEY_CTX_free(ctx);
	ERR_clear_error();
	return rc;
}

/* The IV of the first file: the MD5 of the instanceID and the key, with
 * its first byte incremented (the spec's counter 0). A record has no
 * media, so the instance is the first and only file. */
static int
first_iv(const char *instance_id, const unsigned char key[AES_KEY_BYTES],
    unsigned char iv[AES_BLOCK])
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	unsigned int len = 0;
	int ok;

	memset(iv, 0, AES_BLOCK);
	ok = md != NULL && EVP_DigestInit_ex(md, EVP_md5(), NULL) > 0 &&
	    EVP_DigestUpdate(md, instance_id, strlen(instance_id)) > 0 &&
	    EVP_DigestUpdate(md, key, AES_KEY_BYTES) > 0 &&
	    EVP_DigestFinal_ex(md, iv, &len) > 0 && len == AES_BLOCK;
	EVP_MD_CTX_free(md);
	iv[0]++;
	return ok ? 0 : -1;
}

/* AES-256-CFB (128-bit feedback, as Java's AES/CFB) over n bytes. */
static int
aes_cfb(int encrypt, const unsigned char *key, const unsigned char *iv,
    const unsigned char *in, size_t n, unsigned char *out)
{
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	int len1 = 0, len2 = 0, ok;

	ok = c != NULL && n <= INT_MAX &&
	    EVP_CipherInit_ex(c, EVP_aes_256_cfb128(), NULL, key, iv, encrypt) > 0 &&
	    EVP_CipherUpdate(c, out, &len1, in, (int)n) > 0 &&
	    EVP_CipherFinal_ex(c, out + len1, &len2) > 0 &&
	    (size_t)len1 + (size_t)len2 == n;
	EVP_CIPHER_CTX_free(c);
	return ok ? 0 : -1;
}

static void
md5(const void *data, size_t n, unsigned char out[16])
{
	unsigned int len = 16;

	EVP_Digest(data, n, out, &len, EVP_md5(), NULL);
}

static void
md5_hex(const void *data, size_t n, char out[33])
{
	unsigned char d[16];
	int i;

	md5(data, n, d);
	for (i = 0; i < 16; i++)
		snprintf(out + 2 * i, 3, "%02x", d[i]);
}

/* The MD5 the signature wraps: form id, version, wrapped key, instanceID
 * and submission.xml::MD5 of the plain instance, a line each. */
static void
signature_digest(const char *form_id, const char *version, const char *key_b64,
    const char *instance_id, const char *xml, size_t xml_len,
    unsigned char out[16])
{
	struct buf b = { 0 };
	char hex[33];

	md5_hex(xml, xml_len, hex);
	buf_printf(&b, "%s\n", form_id);
	if (version != NULL)
		buf_printf(&b, "%s\n", version);
	buf_printf(&b, "%s\n%s\nsubmission.xml::%s\n", key_b64, instance_id, hex);
	md5(b.data, b.len, out);
	buf_free(&b);
}

int
seal_record(const char *public_key_b64, const char *form_id,
    const char *form_version, const char *instance_id, const char *xml,
    size_t xml_len, struct seal_files *out, char **cause)
{
	unsigned char key[AES_KEY_BYTES], iv[AES_BLOCK], digest[16], *plain;
	char *key_b64 = NULL, *sig_b64 = NULL;
	const char *why;
	EVP_PKEY *pkey;
	struct buf m = { 0 };
	size_t pad, n;

	memset(out, 0, sizeof *out);
	if ((pkey = public_key(public_key_b64, cause)) == NULL)
		return -1;
	if (RAND_bytes(key, sizeof key) != 1) {
		set_cause(cause, _("the system gave no random numbers for the "
		    "record's key"));
		EVP_PKEY_free(pkey);
		return -1;
	}
	/* PKCS#7 padding to whole blocks, which the spec asks for even in
	 * CFB mode. */
	pad = AES_BLOCK - xml_len % AES_BLOCK;
	n = xml_len + pad;
	plain = xmalloc(n);
	memcpy(plain, xml, xml_len);
	memset(plain + xml_len, (int)pad, pad);
	out->enc = xmalloc(n);
	out->enc_len = n;
	if (first_iv(instance_id, key, iv) != 0 ||
	    aes_cfb(1, key, iv, plain, n, out->enc) != 0 ||
	    (key_b64 = rsa_wrap(pkey, key, sizeof key)) == NULL)
		goto fail;
	signature_digest(form_id, form_version, key_b64, instance_id, xml, xml_len,
	    digest);
	if ((sig_b64 = rsa_wrap(pkey, digest, sizeof digest)) == NULL)
		goto fail;

	buf_adds(&m, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<data "
	    "xmlns=\"http://opendatakit.org/submissions\" id=\"");
	xml_escape(&m, form_id);
	buf_adds(&m, "\"");
	if (form_version != NULL) {
		buf_adds(&m, " version=\"");
		xml_escape(&m, form_version);
		buf_adds(&m, "\"");
	}
	buf_printf(&m, " encrypted=\"yes\">\n  <base64EncryptedKey>%s"
	    "</base64EncryptedKey>\n  <encryptedXmlFile>" SEAL_ENC_NAME
	    "</encryptedXmlFile>\n  <base64EncryptedElementSignature>%s"
	    "</base64EncryptedElementSignature>\n  <meta "
	    "xmlns=\"http://openrosa.org/xforms\">\n    <instanceID>", key_b64,
	    sig_b64);
	xml_escape(&m, instance_id);
	buf_adds(&m, "</instanceID>\n  </meta>\n</data>\n");
	out->manifest = buf_steal(&m);
	OPENSSL_cleanse(key, sizeof key);
	OPENSSL_cleanse(plain, n);
	free(plain);
	free(key_b64);
	free(sig_b64);
	EVP_PKEY_free(pkey);
	return 0;
fail:
	why = ERR_reason_error_string(ERR_get_error());
	set_cause(cause, _("the record could not be sealed: %s"),
	    why != NULL ? why : _("OpenSSL failed"));
	ERR_clear_error();
	OPENSSL_cleanse(key, sizeof key);
	OPENSSL_cleanse(plain, n);
	free(plain);
	free(key_b64);
	seal_files_clear(out);
	EVP_PKEY_free(pkey);
	return -1;
}

struct passphrase_ctx {
	seal_passphrase_fn fn;
	void *ctx;
	int asked;
	int given;
};

static int
pem_passphrase(char *buf, int size, int rwflag, void *u)
{
	struct passphrase_ctx *p = u;

	int n;

	(void)rwflag;
	p->asked = 1;
	n = p->fn == NULL ? -1 : p->fn(buf, size, p->ctx);
	p->given = n >= 0;
	return n;
}

struct seal_key *
seal_key_load(const char *path, seal_passphrase_fn fn, void *ctx, char **cause)
{
	struct passphrase_ctx p = { fn, ctx, 0, 0 };
	struct seal_key *k;
	EVP_PKEY *pkey;
	BIO *bio;

	if ((bio = BIO_new_file(path, "r")) == NULL) {
		ERR_clear_error();
		set_cause(cause, _("cannot read the private key %s"), path);
		return NULL;
	}
	pkey = PEM_read_bio_PrivateKey(bio, NULL, pem_passphrase, &p);
	BIO_free(bio);
	ERR_clear_error();
	if (pkey == NULL) {
		if (p.asked && !p.given)
			set_cause(cause, _("the private key %s is protected by a "
			    "passphrase: run doorstep --decrypt on a terminal to type "
			    "it"), path);
		else if (p.asked)
			set_cause(cause, _("cannot open the private key %s: wrong "
			    "passphrase"), path);
		else
			set_cause(cause, _("%s is not a PEM private key (it begins "
			    "-----BEGIN PRIVATE KEY----- or -----BEGIN ENCRYPTED "
			    "PRIVATE KEY-----)"), path);
		return NULL;
	}
	if (EVP_PKEY_base_id(pkey) != EVP_PKEY_RSA) {
		set_cause(cause, _("%s is not an RSA private key"), path);
		EVP_PKEY_free(pkey);
		return NULL;
	}
	k = xcalloc(1, sizeof *k);
	k->pkey = pkey;
	return k;
}

void
seal_key_free(struct seal_key *k)
{
	if (k == NULL)
		return;
	EVP_PKEY_free(k->pkey);
	free(k);
}

/* Decodes the five XML entities of s in place. */
static void
unescape(char *s)
{
	static const struct { const char *ent; char c; } ents[] = {
		{ "&amp;", '&' }, { "&lt;", '<' }, { "&gt;", '>' },
		{ "&quot;", '"' }, { "&apos;", '\'' },
	};
	char *r = s, *w = s;
	size_t i;

	while (*r != '\0') {
		for (i = 0; i < ARRAY_LEN(ents); i++)
			if (strncmp(r, ents[i].ent, strlen(ents[i].ent)) == 0)
				break;
		if (i < ARRAY_LEN(ents)) {
			*w++ = ents[i].c;
			r += strlen(ents[i].ent);
		} else
			*w++ = *r++;
	}
	*w = '\0';
}

char *
seal_manifest_field(const char *xml, const char *name)
{
	size_t nlen = strlen(name);
	const char *p = xml, *start, *end;
	char *v;

	while ((p = strstr(p, name)) != NULL) {
		/* <name> or <prefix:name> */
		if (p > xml && (p[-1] == '<' || p[-1] == ':') && p[nlen] == '>') {
			const char *lt = p - 1;

			while (lt > xml && *lt != '<')
				lt--;
			if (*lt == '<' && lt[1] != '/')
				break;
		}
		p += nlen;
	}
	if (p == NULL)
		return NULL;
	start = p + nlen + 1;
	if ((end = strchr(start, '<')) == NULL)
		return NULL;
	v = xstrndup(start, (size_t)(end - start));
	unescape(v);
	return v;
}

/* The value of attribute name on the manifest's root element, or NULL. */
static char *
root_attribute(const char *xml, const char *name)
{
	const char *root = strstr(xml, "<data"), *end, *p;
	char *pat, *v;

	if (root == NULL || (end = strchr(root, '>')) == NULL)
		return NULL;
	pat = xasprintf(" %s=\"", name);
	p = strstr(root, pat);
	if (p == NULL || p > end) {
		free(pat);
		return NULL;
	}
	p += strlen(pat);
	free(pat);
	if ((end = strchr(p, '"')) == NULL)
		return NULL;
	v = xstrndup(p, (size_t)(end - p));
	unescape(v);
	return v;
}

char *
seal_open(const struct seal_key *k, const char *manifest,
    const unsigned char *enc, size_t enc_len, const char *instance_id,
    size_t *xml_len, char **cause)
{
	char *form_id = root_attribute(manifest, "id");
	char *version = root_attribute(manifest, "version");
	char *encrypted = root_attribute(manifest, "encrypted");
	char *key_b64 = seal_manifest_field(manifest, "base64EncryptedKey");
	char *sig_b64 = seal_manifest_field(manifest, "base64EncryptedElementSignature");
	char *iid = seal_manifest_field(manifest, "instanceID");
	unsigned char key[AES_KEY_BYTES + 1], iv[AES_BLOCK], digest[16], signed_md5[17];
	unsigned char *plain = NULL;
	size_t keylen = sizeof key, siglen = sizeof signed_md5, pad, i;
	char *xml = NULL;

	if (form_id == NULL || key_b64 == NULL || iid == NULL ||
	    !str_eq(encrypted, "yes")) {
		set_cause(cause, _("this is not the manifest of a sealed record"));
		goto done;
	}
	if (instance_id != NULL && !str_eq(iid, instance_id)) {
		set_cause(cause, _("the manifest is of record %s, not of %s"), iid,
		    instance_id);
		goto done;
	}
	if (rsa_unwrap(k->pkey, key_b64, key, &keylen) != 0 ||
	    keylen != AES_KEY_BYTES) {
		set_cause(cause, _("this private key does not open record %s: it "
		    "was sealed for another key (or its key in the manifest was "
		    "changed)"), iid);
		goto done;
	}
	if (enc_len == 0 || enc_len % AES_BLOCK != 0) {
		set_cause(cause, _("record %s: %s is cut short (%zu bytes, not a "
		    "whole number of 16-byte blocks)"), iid, SEAL_ENC_NAME, enc_len);
		goto done;
	}
	plain = xmalloc(enc_len + 1);
	if (first_iv(iid, key, iv) != 0 ||
	    aes_cfb(0, key, iv, enc, enc_len, plain) != 0) {
		set_cause(cause, _("record %s could not be decrypted"), iid);
		goto done;
	}
	pad = plain[enc_len - 1];
	for (i = 0; pad >= 1 && pad <= AES_BLOCK && i < pad; i++)
		if (plain[enc_len - 1 - i] != pad)
			break;
	if (pad < 1 || pad > AES_BLOCK || i != pad) {
		set_cause(cause, _("record %s: %s has been changed or cut short "
		    "(its padding is wrong)"), iid, SEAL_ENC_NAME);
		goto done;
	}
	*xml_len = enc_len - pad;
	if (sig_b64 == NULL) {
		set_cause(cause, _("record %s: the manifest has no signature, so "
		    "the record cannot be checked"), iid);
		goto done;
	}
	signature_digest(form_id, version, key_b64, iid, (const char *)plain,
	    *xml_len, digest);
	if (rsa_unwrap(k->pkey, sig_b64, signed_md5, &siglen) != 0 ||
	    siglen != sizeof digest || CRYPTO_memcmp(signed_md5, digest,
	    sizeof digest) != 0) {
		set_cause(cause, _("record %s has been changed since it was sealed "
		    "(its signature does not match)"), iid);
		goto done;
	}
	plain[*xml_len] = '\0';
	xml = (char *)plain;
	plain = NULL;
done:
	OPENSSL_cleanse(key, sizeof key);
	if (plain != NULL) {
		OPENSSL_cleanse(plain, enc_len);
		free(plain);
	}
	free(form_id);
	free(version);
	free(encrypted);
	free(key_b64);
	free(sig_b64);
	free(iid);
	return xml;
}
