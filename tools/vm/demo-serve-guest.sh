#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The guest half of "make demo-serve" (tools/vm/demo --serve copies it
# into the VM's /selftests): zcopyctl serve over a directory, curl
# fetching a file over HTTP and HTTPS (kTLS) and checking it by sha256,
# then the server's summary and the module's counters: which bytes went
# zero-copy, which were copied, and why.
set -eu

work=$(mktemp -d /tmp/zcopy-demo-serve.XXXXXX)
cleanup() {
	jobs -p | xargs -r kill 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT

step() { printf '\n[+] %s\n' "$*"; }
indent() { sed 's/^/    /'; }

mkdir "$work/www"
head -c 4194304 /dev/urandom > "$work/www/big.bin"
want=$(sha256sum "$work/www/big.bin" | cut -d' ' -f1)
zcopyctl reset

step "zcopyctl serve --root $work/www on 127.0.0.1:8080"
zcopyctl serve --bind 127.0.0.1 --port 8080 --root "$work/www" -v \
	--ready-file "$work/ready" > "$work/serve.out" 2> "$work/serve.err" &
spid=$!
while [ ! -s "$work/ready" ]; do sleep 0.1; done

step "curl http://127.0.0.1:8080/big.bin"
curl -s -D - -o "$work/got" http://127.0.0.1:8080/big.bin | tr -d '\r' | indent
got=$(sha256sum "$work/got" | cut -d' ' -f1)
echo "    sha256 $got ($([ "$got" = "$want" ] && echo matches || echo DIFFERS))"

if command -v openssl >/dev/null && modprobe tls 2>/dev/null; then
	printf '[req]\ndistinguished_name = dn\nprompt = no\n[dn]\nCN = 127.0.0.1\n' > "$work/req.cnf"
	openssl req -config "$work/req.cnf" -x509 -newkey ec \
		-pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 \
		-keyout "$work/key.pem" -out "$work/cert.pem" \
		-addext "subjectAltName=IP:127.0.0.1" 2>/dev/null
	step "zcopyctl serve --tls on 127.0.0.1:8443 (TLS 1.3, keys in the kernel)"
	zcopyctl serve --bind 127.0.0.1 --port 8443 --root "$work/www" -v \
		--tls "$work/cert.pem" "$work/key.pem" --ready-file "$work/tready" \
		> "$work/tls.out" 2> "$work/tls.err" &
	tpid=$!
	while [ ! -s "$work/tready" ]; do sleep 0.1; done
	step "curl --cacert cert.pem https://127.0.0.1:8443/big.bin"
	curl -s --cacert "$work/cert.pem" -o "$work/tgot" https://127.0.0.1:8443/big.bin
	got=$(sha256sum "$work/tgot" | cut -d' ' -f1)
	echo "    sha256 $got ($([ "$got" = "$want" ] && echo matches || echo DIFFERS))"
	kill -TERM $tpid
	wait $tpid || true
	step "the HTTPS server's log and summary: the kernel encrypted (copied, ktls)"
	indent < "$work/tls.err"
	indent < "$work/tls.out"
fi

kill -TERM $spid
wait $spid || true
step "the HTTP server's log and summary: files zero-copy, headers copied (small)"
indent < "$work/serve.err"
indent < "$work/serve.out"
step "zcopyctl stats"
zcopyctl stats | indent
