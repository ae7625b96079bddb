#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The guest half of "tools/vm/bench --serve": zcopyctl serve and nginx
# serving the same files (4 KiB, 64 KiB, 1 MiB, in tmpfs) over lo to the
# same wrk runs, plain HTTP and HTTPS, in one boot. Meant for a VM booted
# with --icount (guest time = instructions executed), where wrk's
# requests/s are requests per 1e9 guest instructions.
#
# Per server, scheme and file, two wrk runs:
#   timed   whole-guest CPU busy time from /proc/stat (user, nice, system,
#           irq, softirq of all CPUs) over the run, per request; a curl
#           sha256 check of the file in the middle of it; for HTTPS the
#           kernel's /proc/net/tls_stat before, during and after (does the
#           server really hand its keys to the kernel?)
#   probed  the same wrk load, shorter, under zcopy-bench --copies-around:
#           the bytes the CPU copied (kprobes), the server's and the whole
#           guest's, per payload byte the client received
# wrk's own counts come from a Lua done() hook: exact requests, bytes and
# errors (connect, read, write, timeout, non-2xx/3xx status).
#
# Output: a table on stdout, and one JSON object per row on a line of
# its own after "ZCOPY-SERVE-ROW " for the host to collect.
#
#   bench-serve-guest.sh [--secs N] [--probe-secs N] [--conns N]
#                        [--nginx-workers LIST] [--sizes LIST]
#                        [--servers LIST] [--schemes LIST]
#                        [--zcopy-opts "OPTIONS"]
#
# --zcopy-opts: more options for zcopyctl serve (split on spaces), e.g.
# "--header-timeout 60" to match nginx's client_header_timeout (60 s).
set -eu

secs=5 probe_secs=2 conns=64 threads=2
nginx_workers=1,2
sizes=4k,64k,1m
servers=zcopy,nginx
schemes=http,https
zcopy_opts=
while [ $# -gt 0 ]; do
	case $1 in
	--secs) secs=$2; shift 2 ;;
	--probe-secs) probe_secs=$2; shift 2 ;;
	--conns) conns=$2; shift 2 ;;
	--nginx-workers) nginx_workers=$2; shift 2 ;;
	--sizes) sizes=$2; shift 2 ;;
	--servers) servers=$2; shift 2 ;;
	--schemes) schemes=$2; shift 2 ;;
	--zcopy-opts) zcopy_opts=$2; shift 2 ;;
	*) echo "bench-serve-guest: unknown argument '$1'" >&2; exit 2 ;;
	esac
done

work=$(mktemp -d /tmp/zcopy-bench-serve.XXXXXX)
www=$work/www
spid=
cleanup() {
	[ -z "$spid" ] || kill "$spid" 2>/dev/null || true
	wait 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT

step() { printf '\n[+] %s\n' "$*"; }
sha() { sha256sum "$1" | cut -d' ' -f1; }

for t in wrk curl jq zcopyctl zcopy-bench; do
	command -v $t >/dev/null || { echo "bench-serve-guest: no $t in the guest"; exit 1; }
done
have_nginx=1
command -v nginx >/dev/null || have_nginx=
tls_ok=1
{ command -v openssl >/dev/null && modprobe tls 2>/dev/null; } || tls_ok=

step "kernel $(uname -r), $(nproc) CPUs; wrk -t$threads -c$conns, ${secs}s timed and ${probe_secs}s probed per row"
grep -q icount /proc/cmdline 2>/dev/null || true

mkdir -p "$www"
declare -A file_of=([4k]=f4k.bin [64k]=f64k.bin [1m]=f1m.bin)
declare -A bytes_of=([4k]=4096 [64k]=65536 [1m]=1048576)
for s in ${sizes//,/ }; do
	[ -n "${file_of[$s]:-}" ] || { echo "bench-serve-guest: size $s: 4k, 64k or 1m"; exit 2; }
	head -c "${bytes_of[$s]}" /dev/urandom > "$www/${file_of[$s]}"
done

if [ -n "$tls_ok" ]; then
	printf '[req]\ndistinguished_name = dn\nprompt = no\n[dn]\nCN = 127.0.0.1\n' > "$work/req.cnf"
	openssl req -config "$work/req.cnf" -x509 -newkey ec \
		-pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
		-keyout "$work/key.pem" -out "$work/cert.pem" \
		-addext "subjectAltName=IP:127.0.0.1" > "$work/openssl.log" 2>&1 || tls_ok=
fi

# wrk's summary, exactly, on one line.
cat > "$work/report.lua" <<'LUA'
done = function(summary, latency, requests)
	local e = summary.errors
	io.write(string.format("WRK-RESULT %d %d %d %d %d %d %d %d\n",
		summary.requests, summary.bytes, summary.duration,
		e.connect, e.read, e.write, e.status, e.timeout))
end
LUA

# nginx runs as root in the guest; its workers look up a user.
if [ -n "$have_nginx" ]; then
	[ -e /etc/passwd ] || echo 'root:x:0:0:root:/root:/bin/sh' > /etc/passwd
	[ -e /etc/group ] || echo 'root:x:0:' > /etc/group
fi

# nginx_conf WORKERS: the configuration the issue asks for.
nginx_conf() {
	cat <<-EOF
	daemon off;
	master_process on;
	worker_processes $1;
	user root root;
	pid $work/nginx.pid;
	error_log $work/nginx.err notice;
	events { worker_connections 1024; }
	http {
		access_log off;
		sendfile on;
		tcp_nopush on;
		tcp_nodelay on;
		keepalive_timeout 60;
		keepalive_requests 100000000;
		default_type application/octet-stream;
		client_body_temp_path $work/nginx-body;
		proxy_temp_path $work/nginx-proxy;
		fastcgi_temp_path $work/nginx-fastcgi;
		uwsgi_temp_path $work/nginx-uwsgi;
		scgi_temp_path $work/nginx-scgi;
		server {
			listen 127.0.0.1:8080;
			root $www;
		}
		server {
			listen 127.0.0.1:8443 ssl;
			root $www;
			ssl_certificate $work/cert.pem;
			ssl_certificate_key $work/key.pem;
			ssl_protocols TLSv1.3;
			ssl_conf_command Options KTLS;
		}
	}
	EOF
}

wait_port() {
	local _
	for _ in $(seq 200); do
		(exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
		sleep 0.05
	done
	return 1
}

# start SERVER SCHEME: the server's pid in $spid, its port in $port.
start() {
	local server=$1 scheme=$2
	case $server in
	zcopy)
		port=8080
		local tls=()
		if [ "$scheme" = https ]; then
			port=8443
			tls=(--tls "$work/cert.pem" "$work/key.pem")
		fi
		rm -f "$work/ready"
		zcopyctl -j serve --bind 127.0.0.1 --port $port --root "$www" \
			"${tls[@]}" --ready-file "$work/ready" $zcopy_opts \
			> "$work/zcopy.json" 2> "$work/zcopy.err" &
		spid=$!
		;;
	nginx-*)
		port=8080
		[ "$scheme" = http ] || port=8443
		nginx_conf "${server#nginx-}" > "$work/nginx.conf"
		nginx -p "$work" -c "$work/nginx.conf" 2> "$work/nginx.stderr" &
		spid=$!
		;;
	esac
	wait_port "$port" || { echo "$server did not listen on $port"; cat "$work"/*.err "$work/nginx.stderr" 2>/dev/null; return 1; }
}

stop() {
	kill -TERM "$spid" 2>/dev/null || true
	wait "$spid" 2>/dev/null || true
	spid=
}

busy() { awk '/^cpu / {print $2 + $3 + $4 + $7 + $8}' /proc/stat; }
tlsstat() { awk -v k="$1" '$1 == k {print $2}' /proc/net/tls_stat 2>/dev/null || echo 0; }

rows=()
rc=0
wrk_args() { echo "-t$threads -c$conns --timeout 30s -s $work/report.lua"; }

# row SERVER SCHEME SIZE
row() {
	local server=$1 scheme=$2 size=$3 f=${file_of[$3]} url ok=1 why=""
	local b0 b1 tx0 tx1 cur_mid=0 spot="" curl_tls=()
	url=$scheme://127.0.0.1:$port/$f
	[ "$scheme" = http ] || curl_tls=(--cacert "$work/cert.pem")
	# warm: the page cache, the connection path
	curl -s -o /dev/null "${curl_tls[@]}" "$url" || true

	tx0=$(tlsstat TlsTxSw)
	b0=$(busy)
	# shellcheck disable=SC2046
	wrk $(wrk_args) -d"${secs}s" "$url" > "$work/wrk.out" 2>&1 &
	local wpid=$!
	sleep 1
	cur_mid=$(tlsstat TlsCurrTxSw)
	curl -s -o "$work/spot" "${curl_tls[@]}" "$url" && spot=$(sha "$work/spot")
	wait $wpid || { ok=; why="wrk exit $?"; }
	b1=$(busy)
	tx1=$(tlsstat TlsTxSw)
	[ "$spot" = "$(sha "$www/$f")" ] || { ok=; why="${why:+$why; }curl sha256 differs"; }

	local r req bytes dur econn eread ewrite estatus etime
	r=$(grep '^WRK-RESULT' "$work/wrk.out" | tail -n 1)
	read -r _ req bytes dur econn eread ewrite estatus etime <<< "${r:-x 0 0 1 0 0 0 0 0}"
	[ -n "$r" ] || { ok=; why="${why:+$why; }no wrk result"; }
	[ "$req" -gt 0 ] || { ok=; why="${why:+$why; }no request"; }
	[ $((econn + eread + ewrite + etime)) = 0 ] || { ok=; why="${why:+$why; }socket errors $econn/$eread/$ewrite/$etime"; }
	[ "$estatus" = 0 ] || { ok=; why="${why:+$why; }$estatus non-2xx/3xx"; }

	# the probed run
	# shellcheck disable=SC2046
	zcopy-bench --copies-around --server-pid "$spid" --json-out "$work/copies.json" -- \
		wrk $(wrk_args) -d"${probe_secs}s" "$url" > "$work/probed.out" 2>&1 ||
		{ ok=; why="${why:+$why; }probed run failed"; }
	local pr preq pbytes cps=null cpt=null
	pr=$(grep '^WRK-RESULT' "$work/probed.out" | tail -n 1)
	read -r _ preq pbytes _ <<< "${pr:-x 0 0 0}"
	if [ -s "$work/copies.json" ] && [ "$pbytes" -gt 0 ]; then
		cps=$(jq -r --argjson b "$pbytes" '(.server + .server_softirq) / $b' "$work/copies.json")
		cpt=$(jq -r --argjson b "$pbytes" '(.server + .server_softirq + .other + .other_softirq) / $b' "$work/copies.json")
	fi

	local j
	j=$(jq -nc --arg server "$server" --arg scheme "$scheme" --arg size "$size" \
		--argjson file_bytes "${bytes_of[$size]}" \
		--argjson requests "$req" --argjson bytes "$bytes" --argjson duration_us "$dur" \
		--argjson busy_ticks "$((b1 - b0))" --argjson clk_tck 100 \
		--argjson errors "{\"connect\":$econn,\"read\":$eread,\"write\":$ewrite,\"status\":$estatus,\"timeout\":$etime}" \
		--arg spot "$spot" --argjson ok "$([ -n "$ok" ] && echo true || echo false)" --arg why "$why" \
		--argjson tls_tx_sw "$((tx1 - tx0))" --argjson tls_curr_tx_sw_mid "$cur_mid" \
		--argjson probed_requests "${preq:-0}" --argjson probed_bytes "${pbytes:-0}" \
		--argjson copies "$(cat "$work/copies.json" 2>/dev/null || echo null)" \
		--argjson server_copies_per_byte "$cps" --argjson guest_copies_per_byte "$cpt" \
		'{server: $server, scheme: $scheme, size: $size, file_bytes: $file_bytes,
		  requests: $requests, bytes: $bytes, duration_us: $duration_us,
		  requests_per_s: ($requests * 1e6 / $duration_us),
		  busy_ticks: $busy_ticks, clk_tck: $clk_tck,
		  busy_us_per_request: (if $requests > 0 then $busy_ticks * 1e6 / $clk_tck / $requests else null end),
		  errors: $errors, spot_sha256: $spot, ok: $ok, why: $why,
		  tls_tx_sw: $tls_tx_sw, tls_curr_tx_sw_mid: $tls_curr_tx_sw_mid,
		  probed_requests: $probed_requests, probed_bytes: $probed_bytes,
		  copies: $copies, server_copies_per_byte: $server_copies_per_byte,
		  guest_copies_per_byte: $guest_copies_per_byte}')
	echo "ZCOPY-SERVE-ROW $j"
	rows+=("$j")
	[ -n "$ok" ] || rc=1
	printf '%-8s %-5s %-4s %9s %9s %7s %7s %6s %6s  %s\n' "$server" "$scheme" "$size" \
		"$(jq -r '.requests_per_s | floor' <<< "$j")" \
		"$(jq -r '.busy_us_per_request // "-" | if type == "number" then (. * 10 | floor) / 10 else . end' <<< "$j")" \
		"$(jq -r '.server_copies_per_byte // "-" | if type == "number" then (. * 1000 | floor) / 1000 else . end' <<< "$j")" \
		"$(jq -r '.guest_copies_per_byte // "-" | if type == "number" then (. * 1000 | floor) / 1000 else . end' <<< "$j")" \
		"$((tx1 - tx0))" "$cur_mid" "$([ -n "$ok" ] && echo ok || echo "FAILED: $why")"
}

header() {
	printf '%-8s %-5s %-4s %9s %9s %7s %7s %6s %6s  %s\n' server scheme size 'req/s' 'busy-us/r' \
		'srv-cpB' 'all-cpB' TxSw+ TxCur check
}

list=()
for s in ${servers//,/ }; do
	case $s in
	zcopy) list+=(zcopy) ;;
	nginx)
		if [ -n "$have_nginx" ]; then
			for w in ${nginx_workers//,/ }; do list+=("nginx-$w"); done
		else
			step "no nginx in the guest (install nginx-light on the host): nginx rows skipped"
		fi
		;;
	*) echo "bench-serve-guest: unknown server $s"; exit 2 ;;
	esac
done

step "rows: req/s = requests per guest second (per 1e9 instructions under --icount);"
echo "    busy-us/r = all CPUs' busy time per request (/proc/stat); cpB = bytes the CPU"
echo "    copied per payload byte (kprobes), the server's and the whole guest's;"
echo "    TxSw+ = kTLS software TX contexts opened during the timed run, TxCur = open at 1 s"
header
for scheme in ${schemes//,/ }; do
	if [ "$scheme" = https ] && [ -z "$tls_ok" ]; then
		step "no openssl or kernel TLS in the guest: no HTTPS rows"
		continue
	fi
	for server in "${list[@]}"; do
		if ! start "$server" "$scheme"; then
			rc=1
			continue
		fi
		for s in ${sizes//,/ }; do
			row "$server" "$scheme" "$s"
		done
		stop
		if [ "$server" = zcopy ]; then
			sed 's/^/    zcopyctl serve summary: /' "$work/zcopy.json" | head -c 2000; echo
		fi
	done
done
exit $rc
