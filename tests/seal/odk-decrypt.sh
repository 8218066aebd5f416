#!/bin/sh
# An independent decryption of a sealed record, step by step from the ODK
# XForms encryption specification (getodk.github.io/xforms-spec/encryption),
# with the openssl command line and Python's hashlib: none of doorstep's
# code. Writes the instance XML to stdout; exits 1 when the signature does
# not match what was decrypted.
#   sh tests/seal/odk-decrypt.sh MANIFEST.xml submission.xml.enc KEY.pem
set -eu
manifest=$1 enc=$2 key=$3
tmp=$(mktemp -d "${TMPDIR:-/tmp}/odk-decrypt-XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# The manifest's fields (namespace http://opendatakit.org/submissions).
python3 - "$manifest" "$tmp" <<'EOF'
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
ns = {"s": "http://opendatakit.org/submissions", "orx": "http://openrosa.org/xforms"}
assert root.tag == "{http://opendatakit.org/submissions}data", root.tag
assert root.get("encrypted") == "yes"
out = sys.argv[2]
def put(name, text):
    with open(out + "/" + name, "w") as f:
        f.write(text)
put("id", root.get("id"))
put("version", root.get("version") or "")
put("key.b64", root.find("s:base64EncryptedKey", ns).text)
put("sig.b64", root.find("s:base64EncryptedElementSignature", ns).text)
put("file", root.find("s:encryptedXmlFile", ns).text)
put("iid", root.find("orx:meta/orx:instanceID", ns).text)
EOF
[ "$(cat "$tmp/file")" = submission.xml.enc ]

oaep() {	# oaep IN OUT: RSA/NONE/OAEPWithSHA256AndMGF1Padding, decrypt
	openssl pkeyutl -decrypt -inkey "$key" -pkeyopt rsa_padding_mode:oaep \
	    -pkeyopt rsa_oaep_md:sha256 -pkeyopt rsa_mgf1_md:sha256 \
	    -in "$1" -out "$2"
}

# 1. The symmetric key: base64, then RSA-OAEP (SHA-256, MGF1-SHA-256).
base64 -d "$tmp/key.b64" >"$tmp/key.enc"
oaep "$tmp/key.enc" "$tmp/key.bin"
[ "$(wc -c <"$tmp/key.bin")" -eq 32 ]

# 2. The IV: MD5 of the instanceID and the key; the first file (counter
#    0) increments byte 0.
python3 - "$tmp" <<'EOF'
import sys, hashlib
d = sys.argv[1]
iid = open(d + "/iid", "rb").read()
key = open(d + "/key.bin", "rb").read()
seed = bytearray(hashlib.md5(iid + key).digest())
seed[0] = (seed[0] + 1) % 256
open(d + "/key.hex", "w").write(key.hex())
open(d + "/iv.hex", "w").write(seed.hex())
EOF

# 3. AES-256-CFB (128-bit feedback), then PKCS#7 padding removed.
openssl enc -d -aes-256-cfb -nopad -K "$(cat "$tmp/key.hex")" \
    -iv "$(cat "$tmp/iv.hex")" -in "$enc" -out "$tmp/padded"

# 4. The signature: RSA-OAEP of the MD5 of id, version, key, instanceID
#    and submission.xml::MD5(instance), one a line.
base64 -d "$tmp/sig.b64" >"$tmp/sig.enc"
oaep "$tmp/sig.enc" "$tmp/sig.bin"
python3 - "$tmp" <<'EOF'
import sys, hashlib
d = sys.argv[1]
p = open(d + "/padded", "rb").read()
n = p[-1]
assert 1 <= n <= 16 and p[-n:] == bytes([n]) * n, "bad padding"
xml = p[:-n]
r = lambda name: open(d + "/" + name).read()
src = r("id") + "\n"
if r("version"):
    src += r("version") + "\n"
src += r("key.b64") + "\n" + r("iid") + "\n"
src += "submission.xml::" + hashlib.md5(xml).hexdigest() + "\n"
if hashlib.md5(src.encode()).digest() != open(d + "/sig.bin", "rb").read():
    sys.exit("the signature does not match")
sys.stdout.buffer.write(xml)
EOF
