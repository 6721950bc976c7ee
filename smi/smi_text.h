/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * tt-smi's text: the output buffer every rendering writes into, the
 * decoding of names as the driver escapes them in debugfs, and the
 * encoding of any string for each output format. Names are chosen by
 * whoever runs a process: every function here takes any bytes (but NUL)
 * and writes only what its format allows. Tested on the host by
 * tests/test_text.c.
 */
#ifndef SMI_TEXT_H
#define SMI_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A growing output buffer, always NUL-terminated; oom once it failed. */
struct smi_out {
	char *buf;
	size_t len, cap;
	bool oom;
};

void smi_putn(struct smi_out *out, const char *s, size_t n);
void smi_puts(struct smi_out *out, const char *s);
void smi_printf(struct smi_out *out, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * A comm field of debugfs processes, [f, f + n), decoded into comm (len
 * bytes with the NUL): \ooo is the byte of octal ooo (000 to 377), "\000"
 * alone an empty name; any other byte stands for itself (an older
 * driver's unescaped name). Returns the name's length, or -EINVAL for a
 * backslash without three octal digits, a NUL byte, or a name longer
 * than len - 1.
 */
int smi_comm_decode(const char *f, size_t n, char *comm, size_t len);

#define SMI_REPLACEMENT	0xfffd	/* U+FFFD, for what is not well-formed */

/*
 * The UTF-8 character at s (n > 0 bytes): its code point in *cp and its
 * length. A byte that starts no well-formed sequence, or a sequence cut
 * short, gives SMI_REPLACEMENT and the length of that maximal ill-formed
 * part (Unicode's recommended practice, as Python and browsers decode).
 */
size_t smi_utf8_next(const char *s, size_t n, uint32_t *cp);

/* C0 controls, DEL and C1 controls */
static inline bool smi_is_control(uint32_t cp)
{
	return cp < 0x20 || (cp >= 0x7f && cp < 0xa0);
}

/*
 * The human table's cell: printable ASCII as is but the backslash; it and
 * every other byte as \ooo in octal, as the driver escapes names in
 * debugfs (spaces aside). Nothing reaches a terminal that it would act
 * on, and libsmartcols, which writes \x5c for a backslash before an x,
 * has nothing to change.
 */
void smi_put_human(struct smi_out *out, const char *s);

/*
 * A JSON string, quotes included (RFC 8259): " and \ escaped, control
 * characters (C0, DEL, C1) and U+2028, U+2029 as \u00XX / \u20XX, what is
 * not well-formed UTF-8 as \ufffd; the rest as UTF-8.
 */
void smi_put_json(struct smi_out *out, const char *s);

/*
 * A CSV field (RFC 4180): in double quotes, each doubled, when it holds a
 * comma, a double quote, a control character (CR and LF among them) or
 * begins or ends with a space; what is not well-formed UTF-8 as U+FFFD.
 */
void smi_put_csv(struct smi_out *out, const char *s);

/*
 * A Prometheus label value, without its quotes (text exposition format):
 * backslash, double quote and newline escaped as \\, \" and \n; other
 * control characters and what is not well-formed UTF-8 as U+FFFD, for
 * the format has no escape for them.
 */
void smi_put_prom(struct smi_out *out, const char *s);

#endif /* SMI_TEXT_H */
