// SPDX-License-Identifier: GPL-2.0-only
/*
 * tt-smi's text: the output buffer, the decoding of debugfs names and the
 * encoding of strings for each output format (smi_text.h says the rules).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "smi_text.h"

void smi_putn(struct smi_out *out, const char *s, size_t n)
{
	if (out->oom)
		return;
	if (out->len + n + 1 > out->cap) {
		size_t cap = (out->cap + n + 1) * 2;
		char *b = realloc(out->buf, cap);

		if (!b) {
			out->oom = true;
			return;
		}
		out->buf = b;
		out->cap = cap;
	}
	memcpy(out->buf + out->len, s, n);
	out->len += n;
	out->buf[out->len] = '\0';
}

void smi_puts(struct smi_out *out, const char *s)
{
	smi_putn(out, s, strlen(s));
}

void smi_printf(struct smi_out *out, const char *fmt, ...)
{
	char *s;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0) {
		out->oom = true;
		return;
	}
	smi_putn(out, s, n);
	free(s);
}

static int smi_octal(char c)
{
	return c >= '0' && c <= '7' ? c - '0' : -1;
}

int smi_comm_decode(const char *f, size_t n, char *comm, size_t len)
{
	size_t i, k = 0;

	if (n == 4 && !memcmp(f, "\\000", 4)) {
		comm[0] = '\0';
		return 0;
	}
	for (i = 0; i < n; i++) {
		int c = (unsigned char)f[i];

		if (c == '\\') {
			int a, b, d;

			if (n - i < 4)
				return -EINVAL;
			a = smi_octal(f[i + 1]);
			b = smi_octal(f[i + 2]);
			d = smi_octal(f[i + 3]);
			if (a < 0 || a > 3 || b < 0 || d < 0)
				return -EINVAL;
			c = a << 6 | b << 3 | d;
			i += 3;
		}
		if (!c || k + 1 >= len)
			return -EINVAL;
		comm[k++] = (char)c;
	}
	comm[k] = '\0';
	return (int)k;
}

size_t smi_utf8_next(const char *s, size_t n, uint32_t *cp)
{
	const unsigned char *p = (const unsigned char *)s;
	unsigned char lo = 0x80, hi = 0xbf;
	uint32_t c = p[0];
	size_t need, i;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf) {
		need = 1;
		c &= 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		need = 2;
		c &= 0x0f;
		if (p[0] == 0xe0)
			lo = 0xa0;	/* not overlong */
		else if (p[0] == 0xed)
			hi = 0x9f;	/* not a surrogate */
	} else if (c >= 0xf0 && c <= 0xf4) {
		need = 3;
		c &= 0x07;
		if (p[0] == 0xf0)
			lo = 0x90;	/* not overlong */
		else if (p[0] == 0xf4)
			hi = 0x8f;	/* not beyond U+10FFFF */
	} else {
		*cp = SMI_REPLACEMENT;
		return 1;
	}
	for (i = 1; i <= need; i++) {
		if (i >= n || p[i] < lo || p[i] > hi) {
			*cp = SMI_REPLACEMENT;
			return i;
		}
		c = c << 6 | (p[i] & 0x3f);
		lo = 0x80;
		hi = 0xbf;
	}
	*cp = c;
	return need + 1;
}

void smi_put_human(struct smi_out *out, const char *s)
{
	const char *run = s;
	char esc[4] = { '\\' };

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c >= 0x20 && c < 0x7f && c != '\\')
			continue;
		smi_putn(out, run, s - run);
		run = s + 1;
		esc[1] = (char)('0' + (c >> 6));
		esc[2] = (char)('0' + ((c >> 3) & 7));
		esc[3] = (char)('0' + (c & 7));
		smi_putn(out, esc, 4);
	}
	smi_putn(out, run, s - run);
}

/* The UTF-8 of U+FFFD */
#define SMI_REPLACEMENT_UTF8	"\xef\xbf\xbd"

/*
 * How many of the first n bytes of s are printable ASCII (0x20 to 0x7e)
 * but neither a nor b: bytes every encoder copies as they are, in one go.
 * Most of what tt-smi writes (names, cgroup paths, ids) is such a run.
 */
static size_t smi_plain_run(const char *s, size_t n, char a, char b)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x20 || c > 0x7e || c == (unsigned char)a || c == (unsigned char)b)
			break;
	}
	return i;
}

void smi_put_json(struct smi_out *out, const char *s)
{
	size_t n = strlen(s), k;
	uint32_t cp;

	smi_puts(out, "\"");
	while (n) {
		k = smi_plain_run(s, n, '"', '\\');
		if (k) {
			smi_putn(out, s, k);
			s += k;
			n -= k;
			continue;
		}
		k = smi_utf8_next(s, n, &cp);
		if (cp == '"' || cp == '\\') {
			char e[2] = { '\\', (char)cp };

			smi_putn(out, e, 2);
		} else if (smi_is_control(cp) || cp == 0x2028 || cp == 0x2029 ||
			   cp == SMI_REPLACEMENT) {
			smi_printf(out, "\\u%04x", (unsigned int)cp);
		} else {
			smi_putn(out, s, k);
		}
		s += k;
		n -= k;
	}
	smi_puts(out, "\"");
}

/* A CSV field needs quotes: see smi_put_csv() */
static bool smi_csv_quoted(const char *s, size_t n)
{
	size_t i;

	if (n && (s[0] == ' ' || s[n - 1] == ' '))
		return true;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == ',' || c == '"' || c < 0x20 || c == 0x7f)
			return true;
		/* C1 controls: U+0080..U+009F, 0xc2 0x80..0x9f in UTF-8 */
		if (c == 0xc2 && i + 1 < n &&
		    (unsigned char)s[i + 1] >= 0x80 && (unsigned char)s[i + 1] < 0xa0)
			return true;
	}
	return false;
}

void smi_put_csv(struct smi_out *out, const char *s)
{
	size_t n = strlen(s), k;
	bool quoted = smi_csv_quoted(s, n);
	uint32_t cp;

	if (quoted)
		smi_puts(out, "\"");
	while (n) {
		k = smi_plain_run(s, n, '"', '"');
		if (k) {
			smi_putn(out, s, k);
			s += k;
			n -= k;
			continue;
		}
		k = smi_utf8_next(s, n, &cp);
		if (cp == '"')
			smi_puts(out, "\"\"");
		else if (cp == SMI_REPLACEMENT)
			smi_puts(out, SMI_REPLACEMENT_UTF8);
		else
			smi_putn(out, s, k);
		s += k;
		n -= k;
	}
	if (quoted)
		smi_puts(out, "\"");
}

void smi_put_prom(struct smi_out *out, const char *s)
{
	size_t n = strlen(s), k;
	uint32_t cp;

	while (n) {
		k = smi_plain_run(s, n, '\\', '"');
		if (k) {
			smi_putn(out, s, k);
			s += k;
			n -= k;
			continue;
		}
		k = smi_utf8_next(s, n, &cp);
		if (cp == '\\')
			smi_puts(out, "\\\\");
		else if (cp == '"')
			smi_puts(out, "\\\"");
		else if (cp == '\n')
			smi_puts(out, "\\n");
		else if (smi_is_control(cp) || cp == SMI_REPLACEMENT)
			smi_puts(out, SMI_REPLACEMENT_UTF8);
		else
			smi_putn(out, s, k);
		s += k;
		n -= k;
	}
}
