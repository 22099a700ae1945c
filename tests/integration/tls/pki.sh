# shellcheck shell=bash
# Test certificates for the TLS integration tests, made with the openssl CLI: EC P-256 keys,
# a CA per trust domain, leaves signed by `openssl ca` (it alone, in OpenSSL 3.0, sets
# arbitrary validity dates, for the expired and not-yet-valid cases).
#
# usage: source pki.sh; pki_init DIR; pki_ca NAME; pki_leaf NAME CA SUBJECT_CN SAN [START END]
#   pki_ca lab                                   -> DIR/lab.crt, DIR/lab.key
#   pki_leaf edge lab edge.tls.test "DNS:edge.tls.test,IP:10.10.1.1"
#   pki_leaf old lab x.tls.test "DNS:x.tls.test" 20200101000000Z 20210101000000Z   (expired)
#   pki_leaf cnonly lab cn.tls.test ""           -> no subjectAltName at all
# Each leaf is DIR/NAME.crt (the leaf alone), DIR/NAME.key, and DIR/NAME.chain.crt (leaf then
# CA). Serial numbers are random, so two certificates for the same name differ.

# pki_init DIR: where certificates go (created).
pki_init() {
  PKI_DIR=$1
  mkdir -p "$PKI_DIR"
}

# pki_key FILE: a new EC P-256 private key (PKCS#8 PEM).
pki_key() {
  openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null
}

# pki_ca NAME: a self-signed CA (10 years) with its own `openssl ca` database.
pki_ca() {
  local name=$1 d=$PKI_DIR/$1.ca
  mkdir -p "$d/new"
  : >"$d/index.txt"
  pki_key "$PKI_DIR/$name.key"
  openssl req -new -x509 -key "$PKI_DIR/$name.key" -out "$PKI_DIR/$name.crt" -days 3650 \
    -subj "/O=sipedge lab/CN=$name test CA" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -addext "subjectKeyIdentifier=hash" 2>/dev/null
  cat >"$d/ca.cnf" <<CNF
[ca]
default_ca = lab
[lab]
dir = $d
database = $d/index.txt
new_certs_dir = $d/new
certificate = $PKI_DIR/$name.crt
private_key = $PKI_DIR/$name.key
default_md = sha256
policy = anything
unique_subject = no
copy_extensions = none
rand_serial = yes
email_in_dn = no
preserve = yes
[anything]
organizationName = optional
commonName = supplied
[leaf]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = serverAuth,clientAuth
authorityKeyIdentifier = keyid
CNF
}

# pki_leaf NAME CA CN SAN [START END]: a leaf for CN with subjectAltName SAN (openssl syntax,
# "" for none), valid 30 days from now unless START and END (YYYYMMDDHHMMSSZ) are given.
pki_leaf() {
  local name=$1 ca=$2 cn=$3 san=$4 start=${5:-} end=${6:-} d=$PKI_DIR/$2.ca ext dates=()
  pki_key "$PKI_DIR/$name.key"
  openssl req -new -key "$PKI_DIR/$name.key" -subj "/O=sipedge lab/CN=$cn" -out "$d/$name.csr" 2>/dev/null
  ext=$d/$name.ext
  sed -n '/^\[leaf\]/,$p' "$d/ca.cnf" >"$ext"
  [ -n "$san" ] && echo "subjectAltName = $san" >>"$ext"
  if [ -n "$start" ]; then dates=(-startdate "$start" -enddate "$end"); else dates=(-days 30); fi
  openssl ca -batch -config "$d/ca.cnf" -extfile "$ext" -extensions leaf -notext \
    -in "$d/$name.csr" -out "$PKI_DIR/$name.crt" "${dates[@]}" 2>"$d/$name.err" ||
    { cat "$d/$name.err" >&2; return 1; }
  cat "$PKI_DIR/$name.crt" "$PKI_DIR/$ca.crt" >"$PKI_DIR/$name.chain.crt"
}

# pki_serial FILE: the certificate's serial number (upper-case hex without leading zeros).
pki_serial() {
  openssl x509 -noout -serial -in "$1" | sed 's/^serial=//; s/^0*//'
}
