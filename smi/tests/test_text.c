// SPDX-License-Identifier: GPL-2.0-only
/*
 * Host unit tests of tt-smi's text (smi_text.c) with hostile names: the
 * decoding of debugfs names and the encoding for the human table, JSON,
 * CSV and Prometheus. Besides fixed cases, every single byte and many
 * random byte strings go through each encoder, whose output must be what
 * its format allows: printable ASCII for the terminal, well-formed UTF-8
 * (checked with iconv, not with the code under test) without a raw
 * control character for JSON and Prometheus, a CSV field that reads back.
 * Prints one "ok N - name" / "not ok N - name" line per test (TAP).
 */
#include <errno.h>
#include <iconv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "smi_text.h"
#include "tap.h"

typedef void (*smi_put_fn)(struct smi_out *, const char *);

/* What put() writes for s, NUL-terminated; the caller frees it. */
static char *enc(smi_put_fn put, const char *s)
{
	struct smi_out out = { 0 };

	put(&out, s);
	smi_puts(&out, "");
	CHECK(!out.oom);
	return out.buf;
}

#define CHECK_ENC(put, in, want) do {					\
	char *g_ = enc(put, in);					\
	if (strcmp(g_, want)) {						\
		printf("# %s:%d: %s(%s): got \"", __FILE__, __LINE__, #put, #in); \
		show(g_);						\
		printf("\", want \"");					\
		show(want);						\
		printf("\"\n");						\
		failed_checks++;					\
	}								\
	free(g_);							\
} while (0)

/* s as printable ASCII, for a diagnostic line */
static void show(const char *s)
{
	for (; *s; s++)
		if (*s >= 0x20 && *s < 0x7f && *s != '\\')
			putchar(*s);
		else
			printf("\\x%02x", (unsigned char)*s);
}

/* Well-formed UTF-8, by glibc's iconv: independent of smi_utf8_next() */
static int utf8_valid(const char *s)
{
	static iconv_t cd = (iconv_t)-1;
	char buf[4096], *in = (char *)s, *o = buf;
	size_t il = strlen(s), ol = sizeof(buf);

	if (cd == (iconv_t)-1)
		cd = iconv_open("UTF-32LE", "UTF-8");
	if (cd == (iconv_t)-1)
		return -1;
	iconv(cd, NULL, NULL, NULL, NULL);
	return iconv(cd, &in, &il, &o, &ol) != (size_t)-1 && il == 0;
}

/* No C0 control but newline (when allowed), no DEL, no C1 in UTF-8 */
static int no_raw_control(const char *s, int newline_ok)
{
	const unsigned char *p = (const unsigned char *)s;

	for (; *p; p++) {
		if ((*p < 0x20 && !(newline_ok && *p == '\n')) || *p == 0x7f)
			return 0;
		if (*p == 0xc2 && p[1] >= 0x80 && p[1] < 0xa0)
			return 0;
	}
	return 1;
}

/* ---- decoding debugfs names ---- */

/* The driver's escaping: octal for what is not printable ASCII, space, \ */
static void driver_escape(const char *name, char *field)
{
	const unsigned char *p = (const unsigned char *)name;

	if (!*p) {
		strcpy(field, "\\000");
		return;
	}
	for (; *p; p++) {
		if (*p > ' ' && *p < 0x7f && *p != '\\')
			*field++ = (char)*p;
		else
			field += sprintf(field, "\\%03o", *p);
	}
	*field = '\0';
}

static int decode(const char *f, char *comm, size_t len)
{
	return smi_comm_decode(f, strlen(f), comm, len);
}

static void test_comm_decode_cases(void)
{
	char c[16];

	CHECK_EQ(3, decode("a\\040b", c, sizeof(c)));
	CHECK(!strcmp(c, "a b"));
	CHECK_EQ(13, decode("x\\0121\\0400\\040systemd", c, sizeof(c)));
	CHECK(!strcmp(c, "x\n1 0 systemd"));
	CHECK_EQ(0, decode("\\000", c, sizeof(c)));
	CHECK(!strcmp(c, ""));
	CHECK_EQ(1, decode("\\377", c, sizeof(c)));
	CHECK(!strcmp(c, "\xff"));
	CHECK_EQ(1, decode("\\134", c, sizeof(c)));
	CHECK(!strcmp(c, "\\"));
	/* the literal text of an escape, as a name, escaped itself */
	CHECK_EQ(4, decode("\\134040", c, sizeof(c)));
	CHECK(!strcmp(c, "\\040"));
	/* an older driver's raw name stands for itself */
	CHECK_EQ(5, decode("a b\tc", c, sizeof(c)));
	CHECK(!strcmp(c, "a b\tc"));
}

static void test_comm_decode_refuses(void)
{
	static const char *const bad[] = {
		"\\", "x\\", "\\0", "\\01", "\\400", "\\777", "\\08x", "\\a",
		"\\x41", "ab\\000cd", "\\000\\000",
		"sixteen-bytes-16",	/* longer than comm can be */
	};
	char c[16];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int r = decode(bad[i], c, sizeof(c));

		if (r != -EINVAL) {
			printf("# \"%s\" decoded to %d\n", bad[i], r);
			failed_checks++;
		}
	}
	/* a NUL inside the field, which strlen() would not see */
	CHECK_EQ(-EINVAL, smi_comm_decode("a\0b", 3, c, sizeof(c)));
}

/* Every byte, and every 15-byte name of random bytes, reads back exactly */
static void test_comm_round_trip(void)
{
	char name[16], field[64], c[16];
	int b, i, k;

	for (b = 1; b < 256; b++) {
		name[0] = (char)b;
		name[1] = '\0';
		driver_escape(name, field);
		CHECK_EQ(1, decode(field, c, sizeof(c)));
		CHECK_EQ(b, (unsigned char)c[0]);
	}
	srand(15);
	for (i = 0; i < 20000; i++) {
		int n = rand() % 16;

		for (k = 0; k < n; k++)
			name[k] = (char)(1 + rand() % 255);
		name[n] = '\0';
		driver_escape(name, field);
		CHECK_EQ(n, decode(field, c, sizeof(c)));
		CHECK(!strcmp(c, name));
	}
}

/* ---- UTF-8 ---- */

static void check_next(const char *s, size_t n, uint32_t cp, size_t len, int line)
{
	uint32_t got;
	size_t k = smi_utf8_next(s, n, &got);

	if (got != cp || k != len) {
		printf("# line %d: U+%04X length %zu, want U+%04X length %zu\n",
		       line, (unsigned int)got, k, (unsigned int)cp, len);
		failed_checks++;
	}
}
#define CHECK_NEXT(s, cp, len) check_next(s, sizeof(s) - 1, cp, len, __LINE__)

static void test_utf8_next(void)
{
	CHECK_NEXT("A", 'A', 1);
	CHECK_NEXT("\xc3\xa9", 0xe9, 2);
	CHECK_NEXT("\xe2\x82\xac", 0x20ac, 3);
	CHECK_NEXT("\xf0\x9f\x98\x80", 0x1f600, 4);
	CHECK_NEXT("\xc2\x9b", 0x9b, 2);	/* C1 CSI: well-formed */
	CHECK_NEXT("\xff", SMI_REPLACEMENT, 1);
	CHECK_NEXT("\x80", SMI_REPLACEMENT, 1);
	CHECK_NEXT("\xc0\xaf", SMI_REPLACEMENT, 1);	/* overlong */
	CHECK_NEXT("\xe0\x80\xaf", SMI_REPLACEMENT, 1);	/* overlong */
	CHECK_NEXT("\xed\xa0\x80", SMI_REPLACEMENT, 1);	/* surrogate */
	CHECK_NEXT("\xf4\x90\x80\x80", SMI_REPLACEMENT, 1);	/* > U+10FFFF */
	CHECK_NEXT("\xf5\x80\x80\x80", SMI_REPLACEMENT, 1);
	/* cut short: the part that could have begun a character, at once */
	CHECK_NEXT("\xe2\x82", SMI_REPLACEMENT, 2);
	CHECK_NEXT("\xe2\x82x", SMI_REPLACEMENT, 2);
	CHECK_NEXT("\xf0\x9f\x98", SMI_REPLACEMENT, 3);
	CHECK_NEXT("\xc3", SMI_REPLACEMENT, 1);
}

/* ---- the encoders ---- */

static void test_human(void)
{
	CHECK_ENC(smi_put_human, "tt_workload", "tt_workload");
	CHECK_ENC(smi_put_human, "x\n1 0 systemd", "x\\0121 0 systemd");
	CHECK_ENC(smi_put_human, "\x1b[2J\x1b[31mred", "\\033[2J\\033[31mred");
	CHECK_ENC(smi_put_human, "back\\slash", "back\\134slash");
	CHECK_ENC(smi_put_human, "\\x41", "\\134x41");
	CHECK_ENC(smi_put_human, "bad\xff\xfeutf8", "bad\\377\\376utf8");
	CHECK_ENC(smi_put_human, "caf\xc3\xa9", "caf\\303\\251");
	CHECK_ENC(smi_put_human, "\x7f\t\r", "\\177\\011\\015");
	CHECK_ENC(smi_put_human, " a,b\"c ", " a,b\"c ");
	CHECK_ENC(smi_put_human, "", "");
}

static void test_json(void)
{
	CHECK_ENC(smi_put_json, "tt_workload", "\"tt_workload\"");
	CHECK_ENC(smi_put_json, "", "\"\"");
	CHECK_ENC(smi_put_json, "a\"b\\c", "\"a\\\"b\\\\c\"");
	CHECK_ENC(smi_put_json, "x\n1\t\r", "\"x\\u000a1\\u0009\\u000d\"");
	CHECK_ENC(smi_put_json, "\x1b[2J\x7f", "\"\\u001b[2J\\u007f\"");
	CHECK_ENC(smi_put_json, "csi\xc2\x9b", "\"csi\\u009b\"");
	CHECK_ENC(smi_put_json, "caf\xc3\xa9", "\"caf\xc3\xa9\"");
	CHECK_ENC(smi_put_json, "bad\xff\xfe", "\"bad\\ufffd\\ufffd\"");
	CHECK_ENC(smi_put_json, "cut\xe2\x82", "\"cut\\ufffd\"");
	CHECK_ENC(smi_put_json, "ls\xe2\x80\xa8", "\"ls\\u2028\"");
	CHECK_ENC(smi_put_json, "</script>", "\"</script>\"");
}

static void test_csv(void)
{
	CHECK_ENC(smi_put_csv, "tt_workload", "tt_workload");
	CHECK_ENC(smi_put_csv, "", "");
	CHECK_ENC(smi_put_csv, "a,b\"c", "\"a,b\"\"c\"");
	CHECK_ENC(smi_put_csv, "\"quoted\"", "\"\"\"quoted\"\"\"");
	CHECK_ENC(smi_put_csv, "x\n1 0 systemd", "\"x\n1 0 systemd\"");
	CHECK_ENC(smi_put_csv, "\r\ncrlf", "\"\r\ncrlf\"");
	CHECK_ENC(smi_put_csv, "tab\there", "\"tab\there\"");
	CHECK_ENC(smi_put_csv, "\x1b[2J", "\"\x1b[2J\"");
	CHECK_ENC(smi_put_csv, "csi\xc2\x9b", "\"csi\xc2\x9b\"");
	CHECK_ENC(smi_put_csv, " lead", "\" lead\"");
	CHECK_ENC(smi_put_csv, "trail ", "\"trail \"");
	CHECK_ENC(smi_put_csv, "in side", "in side");
	CHECK_ENC(smi_put_csv, "back\\slash", "back\\slash");
	CHECK_ENC(smi_put_csv, "bad\xff", "bad\xef\xbf\xbd");
	CHECK_ENC(smi_put_csv, "caf\xc3\xa9", "caf\xc3\xa9");
}

static void test_prom(void)
{
	CHECK_ENC(smi_put_prom, "tt_workload", "tt_workload");
	CHECK_ENC(smi_put_prom, "", "");
	CHECK_ENC(smi_put_prom, "a\\b\"c\nd", "a\\\\b\\\"c\\nd");
	CHECK_ENC(smi_put_prom, "lbl\"}x{y=\"1", "lbl\\\"}x{y=\\\"1");
	CHECK_ENC(smi_put_prom, "\t\x1b[2J", "\xef\xbf\xbd\xef\xbf\xbd[2J");
	CHECK_ENC(smi_put_prom, "\x7f\r", "\xef\xbf\xbd\xef\xbf\xbd");
	CHECK_ENC(smi_put_prom, "csi\xc2\x9b", "csi\xef\xbf\xbd");
	CHECK_ENC(smi_put_prom, "bad\xff\xfe", "bad\xef\xbf\xbd\xef\xbf\xbd");
	CHECK_ENC(smi_put_prom, "caf\xc3\xa9", "caf\xc3\xa9");
}

/* One CSV field read back by RFC 4180's rules: 0, or -1 when malformed */
static int csv_read(const char *f, char *out)
{
	if (*f != '"') {
		if (strpbrk(f, ",\"\r\n"))
			return -1;
		strcpy(out, f);
		return 0;
	}
	for (f++; *f; f++) {
		if (*f == '"') {
			if (f[1] != '"')
				return f[1] ? -1 : (*out = '\0', 0);
			f++;
		}
		*out++ = *f;
	}
	return -1;
}

/* JSON string read back (\uXXXX of ASCII and controls only): 0 or -1 */
static int json_read(const char *f, char *out)
{
	if (*f++ != '"')
		return -1;
	for (; *f && *f != '"'; f++) {
		unsigned int u;

		if ((unsigned char)*f < 0x20)
			return -1;
		if (*f != '\\') {
			*out++ = *f;
			continue;
		}
		f++;
		if (*f == '"' || *f == '\\') {
			*out++ = *f;
		} else if (*f == 'u' && sscanf(f + 1, "%4x", &u) == 1) {
			if (u >= 0x80)
				return 1;	/* not ASCII: not compared */
			*out++ = (char)u;
			f += 4;
		} else {
			return -1;
		}
	}
	*out = '\0';
	return *f == '"' && !f[1] ? 0 : -1;
}

/*
 * Every single byte and 20000 random strings of 0 to 20 bytes through each
 * encoder: what each format allows, and ASCII reads back exactly.
 */
static void test_random_strings(void)
{
	char s[32], back[256];
	int i, k, ascii;

	srand(4180);
	for (i = 0; i < 20000 + 255; i++) {
		int n = i < 255 ? 1 : rand() % 21;
		char *h, *j, *c, *p;

		ascii = 1;
		for (k = 0; k < n; k++) {
			s[k] = (char)(i < 255 ? i + 1 : 1 + rand() % 255);
			ascii &= (unsigned char)s[k] < 0x80;
		}
		s[n] = '\0';
		h = enc(smi_put_human, s);
		j = enc(smi_put_json, s);
		c = enc(smi_put_csv, s);
		p = enc(smi_put_prom, s);

		/* printable ASCII, and no "\x" for libsmartcols to change */
		for (k = 0; h[k]; k++) {
			CHECK(h[k] >= 0x20 && h[k] < 0x7f);
			CHECK(h[k] != '\\' || (h[k + 1] >= '0' && h[k + 1] <= '3'));
		}
		CHECK_EQ(1, utf8_valid(j));
		CHECK(no_raw_control(j, 0));
		CHECK_EQ(1, utf8_valid(c));
		CHECK_EQ(1, utf8_valid(p));
		CHECK(no_raw_control(p, 0));
		for (k = 0; p[k]; k++)
			if (p[k] == '\\') {
				CHECK(strchr("\\\"n", p[k + 1]) != NULL);
				k++;
			}
		CHECK_EQ(0, csv_read(c, back));
		if (ascii) {
			CHECK(!strcmp(back, s));
			CHECK_EQ(0, json_read(j, back));
			CHECK(!strcmp(back, s));
		} else {
			CHECK(json_read(j, back) >= 0);
		}
		if (failed_checks) {
			printf("# input \"");
			show(s);
			printf("\"\n");
			free(h), free(j), free(c), free(p);
			return;
		}
		free(h), free(j), free(c), free(p);
	}
}

static void test_out_grows(void)
{
	struct smi_out out = { 0 };
	int i;

	for (i = 0; i < 10000; i++)
		smi_printf(&out, "%d,", i);
	CHECK(!out.oom);
	CHECK_EQ(48890, out.len);
	CHECK_EQ(0, strncmp(out.buf, "0,1,2,", 6));
	CHECK_EQ(0, strcmp(out.buf + out.len - 5, "9999,"));
	free(out.buf);
}

int main(void)
{
	static const struct tap_test tests[] = {
		{ "comm_decode_cases", test_comm_decode_cases },
		{ "comm_decode_refuses_malformed", test_comm_decode_refuses },
		{ "comm_round_trip_every_byte_and_random", test_comm_round_trip },
		{ "utf8_next_maximal_subparts", test_utf8_next },
		{ "human_printable_ascii_only", test_human },
		{ "json_string_escapes", test_json },
		{ "csv_field_rfc4180", test_csv },
		{ "prometheus_label_value", test_prom },
		{ "random_strings_every_format", test_random_strings },
		{ "out_buffer_grows", test_out_grows },
	};

	return tap_run(tests, sizeof(tests) / sizeof(tests[0]), "", NULL);
}
