// SPDX-License-Identifier: GPL-2.0
/*
 * zcopyctl: the HTTP/1.1 of serve. Parsing one request head (request
 * line and header fields) into what a static file server needs, strictly:
 * anything it cannot read with certainty is a 4xx, never a guess. Also
 * byte ranges, HTTP dates and content types by extension.
 *
 * The request target is percent-decoded into a path relative to the
 * served root, in segments: empty and "." segments are dropped, ".."
 * and NUL (raw or %00) are refused, as are control characters. What is
 * left is only opened beneath the root (openat2 RESOLVE_BENEATH, in
 * serve.c), which also stops symbolic links that lead out.
 */

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "zcopyctl.h"

/* The token characters of RFC 9110 5.6.2 (method and field names). */
static bool zc_http_tchar(unsigned char c)
{
	return isalnum(c) || strchr("!#$%&'*+-.^_`|~", c);
}

static int zc_hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (unsigned char)tolower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/*
 * The origin-form target [s, s + n) into r->path: decoded, relative, its
 * segments checked. Returns 0 or an HTTP status.
 */
static int zc_http_path(struct zc_http_req *r, const char *s, size_t n)
{
	char dec[ZC_HTTP_MAX_HEAD];
	size_t i, d = 0, o = 0, seg;

	/* The query and fragment do not name the file. */
	for (i = 0; i < n; i++)
		if (s[i] == '?' || s[i] == '#')
			break;
	n = i;
	if (!n || s[0] != '/')
		return 400;	/* not origin-form (absolute-form, '*') */
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '%') {
			int hi, lo;

			if (i + 2 >= n)
				return 400;
			hi = zc_hexval((unsigned char)s[i + 1]);
			lo = zc_hexval((unsigned char)s[i + 2]);
			if (hi < 0 || lo < 0)
				return 400;
			c = (unsigned char)(hi << 4 | lo);
			i += 2;
		}
		/* NUL, control characters, DEL: no file name of ours. */
		if (c < 0x20 || c == 0x7f)
			return 400;
		dec[d++] = (char)c;
	}
	r->dir_slash = dec[d - 1] == '/';
	/* Segments: "" and "." are dropped, ".." refused. */
	for (i = 0; i < d; i = seg + 1) {
		size_t len;

		for (seg = i; seg < d && dec[seg] != '/'; seg++)
			;
		len = seg - i;
		if (!len || (len == 1 && dec[i] == '.'))
			continue;
		if (len == 2 && dec[i] == '.' && dec[i + 1] == '.')
			return 400;
		if (o + len + 2 > sizeof(r->path))
			return 414;
		if (o)
			r->path[o++] = '/';
		memcpy(r->path + o, dec + i, len);
		o += len;
	}
	r->path[o] = '\0';
	return 0;
}

/* Trim optional whitespace (SP, HTAB) from both ends of [*s, *s + *n). */
static void zc_http_trim(const char **s, size_t *n)
{
	while (*n && (**s == ' ' || **s == '\t')) {
		(*s)++;
		(*n)--;
	}
	while (*n && ((*s)[*n - 1] == ' ' || (*s)[*n - 1] == '\t'))
		(*n)--;
}

static bool zc_http_is(const char *s, size_t n, const char *word)
{
	return strlen(word) == n && !strncasecmp(s, word, n);
}

/* Does the comma-separated list [s, s + n) have the token @word? */
static bool zc_http_list_has(const char *s, size_t n, const char *word)
{
	while (n) {
		const char *e = memchr(s, ',', n);
		size_t len = e ? (size_t)(e - s) : n;
		const char *t = s;
		size_t tl = len;

		zc_http_trim(&t, &tl);
		if (zc_http_is(t, tl, word))
			return true;
		if (!e)
			break;
		s = e + 1;
		n -= len + 1;
	}
	return false;
}

/* A decimal number without sign or spaces, below 2^63. */
static bool zc_http_num(const char *s, size_t n, uint64_t *v)
{
	uint64_t x = 0;
	size_t i;

	if (!n)
		return false;
	for (i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return false;
		if (x > (INT64_MAX - 9) / 10)
			return false;
		x = x * 10 + (uint64_t)(s[i] - '0');
	}
	*v = x;
	return true;
}

static int zc_http_field(struct zc_http_req *r, const char *name, size_t nl,
			 const char *v, size_t vl)
{
	if (zc_http_is(name, nl, "host")) {
		if (r->have_host)
			return 400;	/* RFC 9112 3.2: exactly one */
		r->have_host = true;
	} else if (zc_http_is(name, nl, "connection")) {
		if (zc_http_list_has(v, vl, "close"))
			r->conn_close = true;
		if (zc_http_list_has(v, vl, "keep-alive"))
			r->conn_keep = true;
	} else if (zc_http_is(name, nl, "content-length")) {
		uint64_t len;

		if (!zc_http_num(v, vl, &len))
			return 400;
		if (len)
			r->has_body = true;
	} else if (zc_http_is(name, nl, "transfer-encoding")) {
		r->has_body = true;
	} else if (zc_http_is(name, nl, "range")) {
		if (r->range_len)
			r->range_bad = true;	/* two: ignored, as invalid */
		else if (vl < sizeof(r->range)) {
			memcpy(r->range, v, vl);
			r->range[vl] = '\0';
			r->range_len = vl;
		} else {
			r->range_bad = true;
		}
	} else if (zc_http_is(name, nl, "if-modified-since")) {
		char date[64];

		/* An invalid date is ignored (RFC 9110 13.1.3). */
		if (vl < sizeof(date)) {
			memcpy(date, v, vl);
			date[vl] = '\0';
			r->have_ims = !zc_http_date_parse(date, &r->ims);
		}
	}
	return 0;
}

/*
 * The first @pat (of @pl bytes, starting with '\r') in [p, p + n), or
 * NULL. glibc's memmem() takes about 400 instructions for a CRLF in a
 * short head; looking for the CR with memchr() takes a tenth of that.
 */
const char *zc_http_find(const char *p, size_t n, const char *pat, size_t pl)
{
	const char *end = p + n, *q;

	while ((size_t)(end - p) >= pl) {
		q = memchr(p, pat[0], (size_t)(end - p) - pl + 1);
		if (!q)
			return NULL;
		if (!memcmp(q, pat, pl))
			return q;
		p = q + 1;
	}
	return NULL;
}

/*
 * Parse the request head in [buf, buf + len), which ends with the empty
 * line (CRLF CRLF). Returns 0, or the HTTP status of the error: 400
 * malformed, 414 target too long, 505 a version other than 1.x. A
 * well-formed method other than GET and HEAD parses (the caller answers
 * 405).
 */
int zc_http_parse(const char *buf, size_t len, struct zc_http_req *r)
{
	const char *p = buf, *end = buf + len, *eol, *sp1, *sp2;
	size_t n;
	int ret;

	memset(r, 0, offsetof(struct zc_http_req, path));
	r->path[0] = '\0';
	if (memchr(buf, '\0', len))
		return 400;
	eol = zc_http_find(p, len, "\r\n", 2);
	if (!eol)
		return 400;
	/* method SP request-target SP HTTP-version: single spaces */
	sp1 = memchr(p, ' ', eol - p);
	if (!sp1 || sp1 == p)
		return 400;
	sp2 = memchr(sp1 + 1, ' ', eol - sp1 - 1);
	if (!sp2 || sp2 == sp1 + 1 || memchr(sp2 + 1, ' ', eol - sp2 - 1))
		return 400;
	n = sp1 - p;
	if (n >= sizeof(r->method))
		return 400;
	for (size_t i = 0; i < n; i++)
		if (!zc_http_tchar((unsigned char)p[i]))
			return 400;
	memcpy(r->method, p, n);
	r->method[n] = '\0';
	if (!strcmp(r->method, "GET"))
		r->get = true;
	else if (!strcmp(r->method, "HEAD"))
		r->head = true;
	n = eol - sp2 - 1;
	if (n != 8 || strncmp(sp2 + 1, "HTTP/", 5) || !isdigit((unsigned char)sp2[6]) ||
	    sp2[7] != '.' || !isdigit((unsigned char)sp2[8]))
		return 400;
	if (sp2[6] != '1')
		return 505;
	r->minor = sp2[8] - '0';
	for (const char *c = sp1 + 1; c < sp2; c++)
		if ((unsigned char)*c <= 0x20 || (unsigned char)*c >= 0x7f)
			return 400;
	ret = zc_http_path(r, sp1 + 1, sp2 - sp1 - 1);
	if (ret)
		return ret;

	/* field-name ":" OWS field-value OWS CRLF, until the empty line */
	for (p = eol + 2; p < end; p = eol + 2) {
		const char *colon, *v;
		size_t vl;

		eol = zc_http_find(p, (size_t)(end - p), "\r\n", 2);
		if (!eol)
			return 400;
		if (eol == p)
			break;			/* the empty line */
		if (*p == ' ' || *p == '\t')
			return 400;		/* obsolete line folding */
		colon = memchr(p, ':', eol - p);
		if (!colon || colon == p)
			return 400;
		for (const char *c = p; c < colon; c++)
			if (!zc_http_tchar((unsigned char)*c))
				return 400;	/* also "Name :" */
		v = colon + 1;
		vl = eol - v;
		zc_http_trim(&v, &vl);
		for (size_t i = 0; i < vl; i++)
			if ((unsigned char)v[i] < 0x20 && v[i] != '\t')
				return 400;	/* a bare CR or LF */
		ret = zc_http_field(r, p, colon - p, v, vl);
		if (ret)
			return ret;
	}
	if (r->minor >= 1 && !r->have_host)
		return 400;			/* RFC 9112 3.2 */
	r->keep_alive = r->minor >= 1 ? !r->conn_close :
			(r->conn_keep && !r->conn_close);
	return 0;
}

/*
 * One byte range of a file of @size bytes, from the Range field. Returns
 * 200 (no Range, or one that is ignored: not bytes, several ranges,
 * malformed), 206 with [*off, *off + *len), or 416.
 */
int zc_http_range(const struct zc_http_req *r, uint64_t size, uint64_t *off,
		  uint64_t *len)
{
	const char *s = r->range, *dash;
	uint64_t first, last;
	size_t n;

	if (!r->range_len || r->range_bad)
		return 200;
	if (strncasecmp(s, "bytes=", 6))
		return 200;
	s += 6;
	n = strlen(s);
	zc_http_trim(&s, &n);
	if (memchr(s, ',', n))
		return 200;			/* several ranges: the whole */
	dash = memchr(s, '-', n);
	if (!dash)
		return 200;
	if (dash == s) {
		/* suffix: the last N bytes */
		if (!zc_http_num(dash + 1, n - 1, &last))
			return 200;
		if (!last || !size)
			return 416;
		*len = last < size ? last : size;
		*off = size - *len;
		return 206;
	}
	if (!zc_http_num(s, dash - s, &first))
		return 200;
	if (dash + 1 == s + n) {
		last = UINT64_MAX;
	} else {
		if (!zc_http_num(dash + 1, s + n - dash - 1, &last))
			return 200;
		if (last < first)
			return 200;		/* invalid: ignored */
	}
	if (first >= size)
		return 416;
	if (last >= size)
		last = size - 1;
	*off = first;
	*len = last - first + 1;
	return 206;
}

/*
 * Days since 1970-01-01 to the proleptic Gregorian date. Counted in eras
 * of 400 years (146097 days) from 0000-03-01, so that a year ends with
 * February and its leap day: the year of the era from the day of the era
 * takes out one day per 4 years, adds one back per 100 and takes one out
 * per 400; March is month 0 of it, and 153 days span five months.
 */
static void zc_civil(int64_t days, int64_t *y, unsigned int *mon,
		     unsigned int *mday)
{
	int64_t z = days + 719468;	/* 0000-03-01 to 1970-01-01 */
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned int doe = (unsigned int)(z - era * 146097);
	unsigned int yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	unsigned int doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned int mp = (5 * doy + 2) / 153;

	*mday = doy - (153 * mp + 2) / 5 + 1;
	*mon = mp < 10 ? mp + 2 : mp - 10;	/* 0: January */
	*y = (int64_t)yoe + era * 400 + (*mon < 2);
}

static char *zc_2d(char *p, unsigned int v)
{
	p[0] = (char)('0' + v / 10);
	p[1] = (char)('0' + v % 10);
	return p + 2;
}

/*
 * An IMF-fixdate, "Sun, 06 Nov 1994 08:49:37 GMT" (RFC 9110 5.6.7), in
 * @buf of ZC_HTTP_DATE_LEN bytes or more (less: ""). Years outside
 * 0000-9999 are clamped to them. It is on every response, twice: written
 * digit by digit, it costs about a tenth of gmtime_r() and snprintf().
 */
void zc_http_date(time_t t, char *buf, size_t len)
{
	static const char days[] = "ThuFriSatSunMonTueWed";	/* from 1970-01-01 */
	static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	const int64_t lo = -62167219200, hi = 253402300799;
	int64_t v = t < lo ? lo : t > hi ? hi : t, d, sec, y;
	unsigned int mon, mday, wday;
	char *p = buf;

	if (len < ZC_HTTP_DATE_LEN) {
		if (len)
			buf[0] = '\0';
		return;
	}
	d = v / 86400;
	sec = v % 86400;
	if (sec < 0) {
		sec += 86400;
		d--;
	}
	wday = (unsigned int)(((d % 7) + 7) % 7);
	zc_civil(d, &y, &mon, &mday);
	memcpy(p, days + 3 * wday, 3);
	p[3] = ',';
	p[4] = ' ';
	p = zc_2d(p + 5, mday);
	*p++ = ' ';
	memcpy(p, months + 3 * mon, 3);
	p[3] = ' ';
	p = zc_2d(p + 4, (unsigned int)(y / 100));
	p = zc_2d(p, (unsigned int)(y % 100));
	*p++ = ' ';
	p = zc_2d(p, (unsigned int)(sec / 3600));
	*p++ = ':';
	p = zc_2d(p, (unsigned int)(sec / 60 % 60));
	*p++ = ':';
	p = zc_2d(p, (unsigned int)(sec % 60));
	memcpy(p, " GMT", 5);
}

/* The reverse, for If-Modified-Since: 0, or -1 if @s is no IMF-fixdate. */
int zc_http_date_parse(const char *s, time_t *t)
{
	struct tm tm;
	const char *e;

	memset(&tm, 0, sizeof(tm));
	e = strptime(s, "%a, %d %b %Y %H:%M:%S GMT", &tm);
	if (!e || *e)
		return -1;
	*t = timegm(&tm);
	return *t == (time_t)-1 ? -1 : 0;
}

/* Content-Type by the file name's extension. */
const char *zc_http_type(const char *path)
{
	static const struct {
		const char *ext, *type;
	} types[] = {
		{ "html", "text/html; charset=utf-8" },
		{ "htm", "text/html; charset=utf-8" },
		{ "txt", "text/plain; charset=utf-8" },
		{ "css", "text/css" },
		{ "js", "text/javascript" },
		{ "json", "application/json" },
		{ "xml", "application/xml" },
		{ "svg", "image/svg+xml" },
		{ "png", "image/png" },
		{ "jpg", "image/jpeg" },
		{ "jpeg", "image/jpeg" },
		{ "gif", "image/gif" },
		{ "webp", "image/webp" },
		{ "ico", "image/vnd.microsoft.icon" },
		{ "pdf", "application/pdf" },
		{ "wasm", "application/wasm" },
		{ "mp4", "video/mp4" },
		{ "webm", "video/webm" },
		{ "gz", "application/gzip" },
		{ "tar", "application/x-tar" },
		{ "zip", "application/zip" },
	};
	const char *slash = strrchr(path, '/');
	const char *dot = strrchr(slash ? slash + 1 : path, '.');
	size_t i;
	int c;

	if (!dot || !dot[1])
		return "application/octet-stream";
	/* The first letter before strcasecmp(): a tenth of the cost. */
	c = tolower((unsigned char)dot[1]);
	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (types[i].ext[0] == c && !strcasecmp(dot + 1, types[i].ext))
			return types[i].type;
	return "application/octet-stream";
}

const char *zc_http_status_text(int status)
{
	switch (status) {
	case 200: return "OK";
	case 206: return "Partial Content";
	case 304: return "Not Modified";
	case 400: return "Bad Request";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 414: return "URI Too Long";
	case 416: return "Range Not Satisfiable";
	case 431: return "Request Header Fields Too Large";
	case 500: return "Internal Server Error";
	case 503: return "Service Unavailable";
	case 505: return "HTTP Version Not Supported";
	default: return "Unknown";
	}
}
