/* Sealed records: a finalized record encrypted as the ODK XForms
 * encryption specification describes (getodk.github.io/xforms-spec/
 * encryption), so that only the holder of the organisation's private key
 * (ODK Central given the key, or doorstep --decrypt) can read it. A fresh
 * AES-256 key per record encrypts the instance (AES/CFB/PKCS5Padding, the
 * IV from the MD5 of the instanceID and the key) to submission.xml.enc;
 * the key, wrapped with RSA-OAEP (SHA-256, MGF1-SHA-256), and a signature
 * go into the submission manifest. The cryptography is OpenSSL's. */
#ifndef DOORSTEP_SEAL_H
#define DOORSTEP_SEAL_H

#include <stddef.h>

/* The name of the encrypted instance, in the manifest and the upload. */
#define SEAL_ENC_NAME "submission.xml.enc"

/* What a sealed record is made of. */
struct seal_files {
	char *manifest;		/* the submission manifest (XML) */
	unsigned char *enc;	/* submission.xml.enc */
	size_t enc_len;
};

void seal_files_clear(struct seal_files *f);

/* Checks a public key as a form names it: base64 of the DER
 * SubjectPublicKeyInfo of an RSA key of at least 2048 bits (what
 * `openssl rsa -pubout -outform DER | base64` gives, and XLSForm's
 * public_key setting holds). Returns 0, or -1 with *cause. */
int seal_public_key_check(const char *b64, char **cause);

/* Seals the instance xml of a record of form_id and form_version with
 * the public key (as seal_public_key_check takes it) into *out. Returns 0,
 * or -1 with *cause (out then holds nothing). */
int seal_record(const char *public_key_b64, const char *form_id,
    const char *form_version, const char *instance_id, const char *xml,
    size_t xml_len, struct seal_files *out, char **cause);

/* An organisation's private key, for opening sealed records. */
struct seal_key;

/* Asks for the passphrase of an encrypted key: writes at most size bytes
 * into buf and returns how many, or -1 to give up. */
typedef int (*seal_passphrase_fn)(char *buf, int size, void *ctx);

/* Reads a PEM private key (RSA); asks for its passphrase through fn when
 * the file is encrypted. Returns NULL with *cause. */
struct seal_key *seal_key_load(const char *path, seal_passphrase_fn fn,
    void *ctx, char **cause);
void seal_key_free(struct seal_key *k);

/* Opens a sealed record: unwraps the key, decrypts, checks the padding
 * and the signature. Returns the instance XML (NUL-terminated; its
 * length in *xml_len), or NULL with *cause saying what is wrong: another
 * key, a file cut short, a changed byte. When instance_id is not NULL the
 * manifest must be of that record. */
char *seal_open(const struct seal_key *k, const char *manifest,
    const unsigned char *enc, size_t enc_len, const char *instance_id,
    size_t *xml_len, char **cause);

/* The text of the first element called name (any namespace prefix) in
 * xml, with the five XML entities decoded, or NULL. */
char *seal_manifest_field(const char *xml, const char *name);

/* Base64 (RFC 4648, with padding, on one line) of n bytes, and back:
 * NULL when text is not base64. */
char *seal_base64(const unsigned char *data, size_t n);
unsigned char *seal_unbase64(const char *text, size_t *n);

#endif
