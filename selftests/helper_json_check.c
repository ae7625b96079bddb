// SPDX-License-Identifier: GPL-2.0
/*
 * A strict JSON (RFC 8259) validator for the shell selftests: the test VM
 * has neither python nor jq.
 *
 *   helper_json_check [-l] [-g PATH]... [FILE]
 *
 * Reads FILE (or stdin): one JSON document, or with -l one per non-empty
 * line (JSON lines). Exit status 0 if every document is valid, 1 if one is
 * not (the reason and line:column on stderr), 2 on usage errors.
 *
 * -g PATH prints the value at PATH of each document, one per line: keys
 * and array indices separated by '.', '*' matching any key or index
 * ("bytes", "0.id", "*.pid"). Strings are printed without quotes (escapes
 * other than \" and \\ are left as they are), other values as written.
 * Nothing is printed for a path that is absent.
 */

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_DEPTH 64
#define MAX_GETS 16

struct parser {
	const char *s, *end, *doc;
	int line;			/* of the document, for -l */
	const char *err;
	const char *err_at;
	/* current path */
	char path[MAX_DEPTH][128];
	int depth;
	/* -g */
	char *gets[MAX_GETS];
	int ngets;
};

static bool fail(struct parser *p, const char *msg)
{
	if (!p->err) {
		p->err = msg;
		p->err_at = p->s;
	}
	return false;
}

static void ws(struct parser *p)
{
	while (p->s < p->end && (*p->s == ' ' || *p->s == '\t' ||
				 *p->s == '\n' || *p->s == '\r'))
		p->s++;
}

/* Does the current path match the pattern "a.b.*"? */
static bool path_match(struct parser *p, const char *pat)
{
	char buf[1024], *tok, *save;
	int i = 0;

	if (!*pat)
		return p->depth == 0;
	snprintf(buf, sizeof(buf), "%s", pat);
	for (tok = strtok_r(buf, ".", &save); tok;
	     tok = strtok_r(NULL, ".", &save), i++) {
		if (i >= p->depth)
			return false;
		if (strcmp(tok, "*") && strcmp(tok, p->path[i]))
			return false;
	}
	return i == p->depth;
}

static void print_value(const char *start, const char *end)
{
	const char *c;

	if (*start != '"') {
		fwrite(start, 1, end - start, stdout);
		putchar('\n');
		return;
	}
	for (c = start + 1; c < end - 1; c++) {
		if (*c == '\\' && (c[1] == '"' || c[1] == '\\'))
			c++;
		putchar(*c);
	}
	putchar('\n');
}

static bool value(struct parser *p);

static bool string(struct parser *p, char *out, size_t outlen)
{
	size_t n = 0;

	if (p->s >= p->end || *p->s != '"')
		return fail(p, "expected a string");
	p->s++;
	while (p->s < p->end && *p->s != '"') {
		unsigned char c = (unsigned char)*p->s;

		if (c < 0x20)
			return fail(p, "control character in a string");
		if (c == '\\') {
			p->s++;
			if (p->s >= p->end)
				break;
			switch (*p->s) {
			case '"': case '\\': case '/': case 'b': case 'f':
			case 'n': case 'r': case 't':
				break;
			case 'u': {
				int i;

				for (i = 1; i <= 4; i++) {
					char h = p->s + i < p->end ? p->s[i] : 0;

					if (!((h >= '0' && h <= '9') ||
					      (h >= 'a' && h <= 'f') ||
					      (h >= 'A' && h <= 'F')))
						return fail(p, "bad \\u escape");
				}
				p->s += 4;
				break;
			}
			default:
				return fail(p, "bad escape in a string");
			}
		}
		if (out && n + 1 < outlen)
			out[n++] = (char)c;
		p->s++;
	}
	if (p->s >= p->end)
		return fail(p, "unterminated string");
	p->s++;
	if (out)
		out[n] = '\0';
	return true;
}

static bool number(struct parser *p)
{
	const char *s = p->s;

	if (s < p->end && *s == '-')
		s++;
	if (s >= p->end)
		return fail(p, "bad number");
	if (*s == '0') {
		s++;
	} else if (*s >= '1' && *s <= '9') {
		while (s < p->end && *s >= '0' && *s <= '9')
			s++;
	} else {
		return fail(p, "bad number");
	}
	if (s < p->end && *s == '.') {
		s++;
		if (s >= p->end || *s < '0' || *s > '9')
			return fail(p, "bad fraction");
		while (s < p->end && *s >= '0' && *s <= '9')
			s++;
	}
	if (s < p->end && (*s == 'e' || *s == 'E')) {
		s++;
		if (s < p->end && (*s == '+' || *s == '-'))
			s++;
		if (s >= p->end || *s < '0' || *s > '9')
			return fail(p, "bad exponent");
		while (s < p->end && *s >= '0' && *s <= '9')
			s++;
	}
	p->s = s;
	return true;
}

static bool literal(struct parser *p, const char *lit)
{
	size_t n = strlen(lit);

	if ((size_t)(p->end - p->s) < n || memcmp(p->s, lit, n))
		return fail(p, "unexpected character");
	p->s += n;
	return true;
}

static bool member_value(struct parser *p)
{
	const char *start;
	int i;

	ws(p);
	start = p->s;
	if (!value(p))
		return false;
	for (i = 0; i < p->ngets; i++)
		if (path_match(p, p->gets[i]))
			print_value(start, p->s);
	return true;
}

static bool object(struct parser *p)
{
	p->s++;
	ws(p);
	if (p->s < p->end && *p->s == '}') {
		p->s++;
		return true;
	}
	if (p->depth >= MAX_DEPTH)
		return fail(p, "nested too deeply");
	for (;;) {
		ws(p);
		if (!string(p, p->path[p->depth], sizeof(p->path[0])))
			return false;
		ws(p);
		if (p->s >= p->end || *p->s != ':')
			return fail(p, "expected ':'");
		p->s++;
		p->depth++;
		if (!member_value(p))
			return false;
		p->depth--;
		ws(p);
		if (p->s < p->end && *p->s == ',') {
			p->s++;
			continue;
		}
		if (p->s < p->end && *p->s == '}') {
			p->s++;
			return true;
		}
		return fail(p, "expected ',' or '}'");
	}
}

static bool array(struct parser *p)
{
	int idx = 0;

	p->s++;
	ws(p);
	if (p->s < p->end && *p->s == ']') {
		p->s++;
		return true;
	}
	if (p->depth >= MAX_DEPTH)
		return fail(p, "nested too deeply");
	for (;;) {
		snprintf(p->path[p->depth], sizeof(p->path[0]), "%d", idx++);
		p->depth++;
		if (!member_value(p))
			return false;
		p->depth--;
		ws(p);
		if (p->s < p->end && *p->s == ',') {
			p->s++;
			continue;
		}
		if (p->s < p->end && *p->s == ']') {
			p->s++;
			return true;
		}
		return fail(p, "expected ',' or ']'");
	}
}

static bool value(struct parser *p)
{
	ws(p);
	if (p->s >= p->end)
		return fail(p, "unexpected end of input");
	switch (*p->s) {
	case '{':
		return object(p);
	case '[':
		return array(p);
	case '"':
		return string(p, NULL, 0);
	case 't':
		return literal(p, "true");
	case 'f':
		return literal(p, "false");
	case 'n':
		return literal(p, "null");
	default:
		if (*p->s == '-' || (*p->s >= '0' && *p->s <= '9'))
			return number(p);
		return fail(p, "unexpected character");
	}
}

/* One document in [s, end). */
static bool document(struct parser *p, const char *s, const char *end)
{
	p->s = p->doc = s;
	p->end = end;
	p->err = NULL;
	p->depth = 0;
	if (!member_value(p))
		return false;
	ws(p);
	if (p->s != p->end)
		return fail(p, "trailing characters after the document");
	return true;
}

static void report(struct parser *p, const char *base, const char *name)
{
	const char *c;
	int line = 1, col = 1;

	for (c = base; c < p->err_at; c++) {
		if (*c == '\n') {
			line++;
			col = 1;
		} else {
			col++;
		}
	}
	fprintf(stderr, "%s:%d:%d: invalid JSON: %s\n", name, line, col,
		p->err);
}

int main(int argc, char **argv)
{
	struct parser p = { 0 };
	bool lines = false, ok = true;
	const char *name = "<stdin>";
	char *buf = NULL;
	size_t len = 0, cap = 0;
	FILE *f = stdin;
	int c, docs = 0;

	while ((c = getopt(argc, argv, "lg:")) != -1) {
		switch (c) {
		case 'l':
			lines = true;
			break;
		case 'g':
			if (p.ngets == MAX_GETS) {
				fprintf(stderr, "too many -g\n");
				return 2;
			}
			p.gets[p.ngets++] = optarg;
			break;
		default:
			fprintf(stderr, "usage: %s [-l] [-g PATH]... [FILE]\n",
				argv[0]);
			return 2;
		}
	}
	if (optind < argc) {
		name = argv[optind];
		f = fopen(name, "r");
		if (!f) {
			perror(name);
			return 2;
		}
	}
	for (;;) {
		size_t n;

		if (cap - len < 4096) {
			cap = cap ? cap * 2 : 65536;
			buf = realloc(buf, cap);
			if (!buf) {
				perror("realloc");
				return 2;
			}
		}
		n = fread(buf + len, 1, cap - len, f);
		if (!n)
			break;
		len += n;
	}

	if (!lines) {
		ok = document(&p, buf, buf + len);
		if (!ok)
			report(&p, buf, name);
		return ok ? 0 : 1;
	}
	{
		char *s = buf, *end = buf + len;

		while (s < end) {
			char *nl = memchr(s, '\n', end - s);
			char *e = nl ? nl : end;
			char *t = s;

			while (t < e && (*t == ' ' || *t == '\t' || *t == '\r'))
				t++;
			if (t < e) {
				docs++;
				if (!document(&p, s, e)) {
					report(&p, buf, name);
					ok = false;
					break;
				}
			}
			s = e + 1;
		}
	}
	if (ok && !docs) {
		fprintf(stderr, "%s: no JSON document\n", name);
		ok = false;
	}
	return ok ? 0 : 1;
}
