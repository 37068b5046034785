/* Unit tests: multipart/form-data boundaries and bodies, browser shapes and hostile input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "web/multipart.h"

#define MAX_PARTS 16

static struct arena a;
static struct mp_part parts[MAX_PARTS];
static size_t np;
static char *buf; /* the body of the last parse, an exact-size copy: overreads show in valgrind */

static int setup(void **state)
{
	(void)state;
	return arena_init(&a, 4096, 1 << 20);
}

static int teardown(void **state)
{
	(void)state;
	free(buf);
	buf = NULL;
	arena_free(&a);
	return 0;
}

static int parse_with(const char *body, size_t n, const char *boundary, size_t max)
{
	free(buf);
	buf = malloc(n ? n : 1);
	assert_non_null(buf);
	memcpy(buf, body, n);
	np = 99;
	return mp_parse(&a, buf, n, boundary, parts, max, &np);
}

/* A string literal body with boundary XyZ; sizeof keeps embedded NULs. */
#define PARSE(lit) parse_with(lit, sizeof(lit) - 1, "XyZ", MAX_PARTS)

static void assert_data(const struct mp_part *p, const char *want, size_t len)
{
	assert_int_equal(p->len, len);
	assert_memory_equal(p->data, want, len);
	assert_true(p->data >= buf);
}

#define ASSERT_DATA(p, lit) assert_data(p, lit, sizeof(lit) - 1)

static const char *boundary_of(const char *ct)
{
	static char out[MP_BOUNDARY_MAX + 1];

	return mp_boundary(ct, out, sizeof(out)) == MP_OK ? out : NULL;
}

static void test_boundary_ok(void **state)
{
	char b71[100], ct[200];

	(void)state;
	assert_string_equal(
		boundary_of("multipart/form-data; boundary=----WebKitFormBoundary7MA4YWxkTrZu0gW"),
		"----WebKitFormBoundary7MA4YWxkTrZu0gW");
	assert_string_equal(
		boundary_of("multipart/form-data; boundary=---------------------------"
			    "9051914041544843365972754266"),
		"---------------------------9051914041544843365972754266");
	assert_string_equal(boundary_of("Multipart/Form-Data;BOUNDARY=abc"), "abc");
	assert_string_equal(boundary_of(" multipart/form-data ; charset=utf-8; boundary=\"a b:c\" "),
			    "a b:c");
	assert_string_equal(boundary_of("multipart/form-data; boundary=\"=_'()+,./?\"; x=\"y;z\""),
			    "=_'()+,./?");
	assert_string_equal(boundary_of("multipart/form-data; boundary=a=b/c;"), "a=b/c");
	/* Exactly 70 characters fits in 71 bytes. */
	memset(b71, 'b', 70);
	b71[70] = '\0';
	snprintf(ct, sizeof(ct), "multipart/form-data; boundary=%s", b71);
	assert_string_equal(boundary_of(ct), b71);
}

static void test_boundary_bad(void **state)
{
	char b71[100], ct[200], out[8];

	(void)state;
	assert_null(boundary_of(NULL));
	assert_null(boundary_of(""));
	assert_null(boundary_of("multipart/form-data"));
	assert_null(boundary_of("multipart/form-data;"));
	assert_null(boundary_of("multipart/mixed; boundary=abc"));
	assert_null(boundary_of("application/x-www-form-urlencoded; boundary=abc"));
	assert_null(boundary_of("multipart/form-dataX; boundary=abc"));
	assert_null(boundary_of("multipart/form-data boundary=abc"));
	assert_null(boundary_of("multipart/form-data; boundary="));
	assert_null(boundary_of("multipart/form-data; boundary=\"\""));
	assert_null(boundary_of("multipart/form-data; boundary=\"abc"));
	assert_null(boundary_of("multipart/form-data; boundary=ab c"));
	assert_null(boundary_of("multipart/form-data; boundary=\"abc \""));
	assert_null(boundary_of("multipart/form-data; boundary=a@b"));
	assert_null(boundary_of("multipart/form-data; boundary=\"a\\\"b\""));
	assert_null(boundary_of("multipart/form-data; boundary=\"a\rb\""));
	assert_null(boundary_of("multipart/form-data; boundary=a; boundary=a"));
	assert_null(boundary_of("multipart/form-data; charset=utf-8"));
	assert_null(boundary_of("multipart/form-data; =abc"));
	memset(b71, 'b', 71);
	b71[71] = '\0';
	snprintf(ct, sizeof(ct), "multipart/form-data; boundary=%s", b71);
	assert_null(boundary_of(ct));
	/* Too small an output buffer is refused, and out is left empty. */
	assert_int_equal(mp_boundary("multipart/form-data; boundary=12345678", out, sizeof(out)),
			 MP_BAD_TYPE);
	assert_string_equal(out, "");
	assert_int_equal(mp_boundary("multipart/form-data; boundary=1234567", out, sizeof(out)),
			 MP_OK);
	assert_string_equal(out, "1234567");
}

/* What Chrome sends for a text field, a PNG and a file input left empty. */
static const char chrome[] =
	"------WebKitFormBoundary7MA4YWxkTrZu0gW\r\n"
	"Content-Disposition: form-data; name=\"title\"\r\n"
	"\r\n"
	"\xe4\xbd\xa0\xe5\xa5\xbd\r\n"
	"------WebKitFormBoundary7MA4YWxkTrZu0gW\r\n"
	"Content-Disposition: form-data; name=\"scan\"; filename=\"\xe6\x89\xab.png\"\r\n"
	"Content-Type: image/png\r\n"
	"\r\n"
	"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\r\n--\r\n"
	"\r\n"
	"------WebKitFormBoundary7MA4YWxkTrZu0gW\r\n"
	"Content-Disposition: form-data; name=\"other\"; filename=\"\"\r\n"
	"Content-Type: application/octet-stream\r\n"
	"\r\n"
	"\r\n"
	"------WebKitFormBoundary7MA4YWxkTrZu0gW--\r\n";
#define CHROME_B "----WebKitFormBoundary7MA4YWxkTrZu0gW"

static void test_chrome(void **state)
{
	(void)state;
	assert_int_equal(parse_with(chrome, sizeof(chrome) - 1, CHROME_B, MAX_PARTS), MP_OK);
	assert_int_equal(np, 3);
	assert_string_equal(parts[0].name, "title");
	assert_null(parts[0].filename);
	assert_null(parts[0].content_type);
	ASSERT_DATA(&parts[0], "\xe4\xbd\xa0\xe5\xa5\xbd");
	assert_string_equal(parts[1].name, "scan");
	assert_string_equal(parts[1].filename, "\xe6\x89\xab.png");
	assert_string_equal(parts[1].content_type, "image/png");
	ASSERT_DATA(&parts[1], "\x89PNG\r\n\x1a\n\0\0\0\rIHDR\r\n--\r\n");
	assert_string_equal(parts[2].name, "other");
	assert_string_equal(parts[2].filename, "");
	assert_string_equal(parts[2].content_type, "application/octet-stream");
	assert_int_equal(parts[2].len, 0);
	/* Data points into the body, not at a copy. */
	assert_ptr_equal(parts[0].data, buf + strlen("------WebKitFormBoundary7MA4YWxkTrZu0gW\r\n"
						     "Content-Disposition: form-data; "
						     "name=\"title\"\r\n\r\n"));
}

/* Firefox: two files and two fields, one of them empty. */
static const char firefox[] =
	"-----------------------------9051914041544843365972754266\r\n"
	"Content-Disposition: form-data; name=\"text\"\r\n"
	"\r\n"
	"text default\r\n"
	"-----------------------------9051914041544843365972754266\r\n"
	"Content-Disposition: form-data; name=\"file1\"; filename=\"a.txt\"\r\n"
	"Content-Type: text/plain\r\n"
	"\r\n"
	"Content of a.txt.\n\r\n"
	"-----------------------------9051914041544843365972754266\r\n"
	"Content-Disposition: form-data; name=\"file2\"; filename=\"a.html\"\r\n"
	"Content-Type: text/html\r\n"
	"\r\n"
	"<!DOCTYPE html><title>Content of a.html.</title>\n\r\n"
	"-----------------------------9051914041544843365972754266\r\n"
	"Content-Disposition: form-data; name=\"empty\"\r\n"
	"\r\n"
	"\r\n"
	"-----------------------------9051914041544843365972754266--\r\n";
#define FIREFOX_B "---------------------------9051914041544843365972754266"

static void test_firefox(void **state)
{
	(void)state;
	assert_int_equal(parse_with(firefox, sizeof(firefox) - 1, FIREFOX_B, MAX_PARTS), MP_OK);
	assert_int_equal(np, 4);
	assert_string_equal(parts[0].name, "text");
	ASSERT_DATA(&parts[0], "text default");
	assert_string_equal(parts[1].name, "file1");
	assert_string_equal(parts[1].filename, "a.txt");
	assert_string_equal(parts[1].content_type, "text/plain");
	ASSERT_DATA(&parts[1], "Content of a.txt.\n");
	assert_string_equal(parts[2].name, "file2");
	assert_string_equal(parts[2].filename, "a.html");
	assert_string_equal(parts[2].content_type, "text/html");
	ASSERT_DATA(&parts[2], "<!DOCTYPE html><title>Content of a.html.</title>\n");
	assert_string_equal(parts[3].name, "empty");
	assert_int_equal(parts[3].len, 0);
	/* Exactly at the limit is fine, one fewer is not. */
	assert_int_equal(parse_with(firefox, sizeof(firefox) - 1, FIREFOX_B, 4), MP_OK);
	assert_int_equal(np, 4);
	assert_int_equal(parse_with(firefox, sizeof(firefox) - 1, FIREFOX_B, 3), MP_TOO_MANY);
	assert_int_equal(np, 0);
}

static void test_binary_data(void **state)
{
	(void)state;
	/* CR, LF, NUL, "--XyZ" not after CRLF, and "\r\n--" + the boundary minus one char. */
	assert_int_equal(PARSE("--XyZ\r\n"
			       "Content-Disposition: form-data; name=bin\r\n"
			       "\r\n"
			       "\r\n\r\r\n\n\0--XyZ\r\n--Xy\r\n--XyY\r\n-XyZ\n--XyZ\r--XyZ\r\n-\r\n--\r\n"
			       "\r\n--XyZ\r\n"
			       "Content-Disposition: form-data; name=tail\r\n"
			       "\r\n"
			       "\r\n--Xy"
			       "\r\n--XyZ--"),
			 MP_OK);
	assert_int_equal(np, 2);
	ASSERT_DATA(&parts[0], "\r\n\r\r\n\n\0--XyZ\r\n--Xy\r\n--XyY\r\n-XyZ\n--XyZ\r--XyZ\r\n-\r\n--\r\n");
	ASSERT_DATA(&parts[1], "\r\n--Xy");
	/* A delimiter followed by anything but "--" or blanks and CRLF is refused, not read as data. */
	assert_int_equal(PARSE("--XyZ\r\n"
			       "Content-Disposition: form-data; name=a\r\n"
			       "\r\n"
			       "x\r\n--XyZa\r\n"
			       "\r\n--XyZ--"),
			 MP_BAD);
}

static void test_names_and_filenames(void **state)
{
	(void)state;
	assert_int_equal(PARSE("--XyZ\r\n"
			       "content-disposition: FORM-DATA; NAME=\"a\\\"b\\\\c\"; x=\"y;z\"\r\n"
			       "\r\n"
			       "1\r\n--XyZ\r\n"
			       "Content-Disposition: form-data; name=\"f\"; filename=\"C:\\fakepath\\a.jpg\"\r\n"
			       "CONTENT-TYPE:image/jpeg \r\n"
			       "X-Ignored: yes\r\n"
			       "\r\n"
			       "2\r\n--XyZ\r\n"
			       "Content-Disposition: form-data ; name = plain ; filename=\"../../etc/passwd\"\r\n"
			       "\r\n"
			       "\r\n--XyZ\r\n"
			       "Content-Disposition: form-data; name=\"q\"; filename=\"C:\\\\dir\\\\b\\\"c.txt\";\r\n"
			       "\r\n"
			       "\r\n--XyZ--"),
			 MP_OK);
	assert_int_equal(np, 4);
	assert_string_equal(parts[0].name, "a\"b\\c");
	assert_null(parts[0].filename);
	ASSERT_DATA(&parts[0], "1");
	assert_string_equal(parts[1].name, "f");
	assert_string_equal(parts[1].filename, "a.jpg");
	assert_string_equal(parts[1].content_type, "image/jpeg");
	ASSERT_DATA(&parts[1], "2");
	assert_string_equal(parts[2].name, "plain");
	assert_string_equal(parts[2].filename, "passwd");
	assert_null(parts[2].content_type);
	assert_string_equal(parts[3].filename, "b\"c.txt");
}

static void test_filename_star(void **state)
{
	(void)state;
	/* filename* (RFC 5987) is decoded and wins over filename, whichever comes first. */
	assert_int_equal(PARSE("--XyZ\r\n"
			       "Content-Disposition: form-data; name=\"f\"; filename=\"fallback.jpg\"; "
			       "filename*=UTF-8''%E6%89%AB%E6%8F%8F%E4%BB%B6.jpg\r\n"
			       "\r\n"
			       "x\r\n--XyZ\r\n"
			       "Content-Disposition: form-data; name=g; "
			       "filename*=utf-8'zh-CN'a%2Fb%5C%e4%bb%b6; filename=\"fallback\"\r\n"
			       "\r\n"
			       "\r\n--XyZ--\r\n"),
			 MP_OK);
	assert_int_equal(np, 2);
	assert_string_equal(parts[0].filename, "扫描件.jpg");
	assert_string_equal(parts[1].filename, "件");

#define STAR(v)                                                                             \
	PARSE("--XyZ\r\nContent-Disposition: form-data; name=f; filename*=" v "\r\n\r\n" \
	      "\r\n--XyZ--")
	assert_int_equal(STAR("UTF-8''a.txt"), MP_OK);
	assert_string_equal(parts[0].filename, "a.txt");
	assert_int_equal(STAR("UTF-8''"), MP_OK);
	assert_string_equal(parts[0].filename, "");
	assert_int_equal(STAR("UTF-8''%FF.txt"), MP_BAD);       /* not UTF-8 */
	assert_int_equal(STAR("UTF-8''%C0%AF"), MP_BAD);        /* overlong '/' */
	assert_int_equal(STAR("UTF-8''%ED%A0%80"), MP_BAD);     /* surrogate */
	assert_int_equal(STAR("UTF-8''%E6%89"), MP_BAD);        /* cut sequence */
	assert_int_equal(STAR("UTF-8''a%00b"), MP_BAD);
	assert_int_equal(STAR("UTF-8''a%0Ab"), MP_BAD);
	assert_int_equal(STAR("UTF-8''a%C2%85b"), MP_BAD);      /* C1 control NEL */
	assert_int_equal(STAR("UTF-8''%G1"), MP_BAD);
	assert_int_equal(STAR("UTF-8''%4"), MP_BAD);
	assert_int_equal(STAR("UTF-8''x%2F.."), MP_BAD);
	assert_int_equal(STAR("ISO-8859-1''a.txt"), MP_BAD);
	assert_int_equal(STAR("UTF-8'a.txt"), MP_BAD);
	assert_int_equal(STAR("a.txt"), MP_BAD);
	assert_int_equal(STAR("\"UTF-8''a.txt\""), MP_BAD);
	assert_int_equal(STAR("UTF-8'e n'a.txt"), MP_BAD);
	assert_int_equal(np, 0);
#undef STAR
}

/* Preamble, transport padding, zero-length parts, epilogue, a form with no field. */
static void test_framing(void **state)
{
	(void)state;
	assert_int_equal(PARSE("This is the preamble. --XyZ is not at a line start\r\n"
			       "--XyZ \t \r\n"
			       "Content-Disposition: form-data; name=\"a\"\r\n"
			       "\r\n"
			       "\r\n--XyZ\t\r\n"
			       "Content-Disposition: form-data; name=\"b\"\r\n"
			       "\r\n"
			       "\r\n--XyZ--  and the epilogue \r\n--XyZ\r\nignored"),
			 MP_OK);
	assert_int_equal(np, 2);
	assert_string_equal(parts[0].name, "a");
	assert_int_equal(parts[0].len, 0);
	assert_string_equal(parts[1].name, "b");
	assert_int_equal(parts[1].len, 0);
	/* Chrome's empty form: the close delimiter alone. */
	assert_int_equal(PARSE("--XyZ--\r\n"), MP_OK);
	assert_int_equal(np, 0);
	assert_int_equal(parse_with("--XyZ--", 7, "XyZ", 0), MP_OK);
	assert_int_equal(PARSE("preamble\r\n--XyZ--"), MP_OK);
	assert_int_equal(np, 0);
	/* No delimiter at all, or none that closes. */
	assert_int_equal(PARSE(""), MP_BAD);
	assert_int_equal(PARSE("a=1&b=2"), MP_BAD);
	assert_int_equal(PARSE("x--XyZ--"), MP_BAD);
	assert_int_equal(PARSE("--XyZ\r\nContent-Disposition: form-data; name=a\r\n\r\n1"), MP_BAD);
	assert_int_equal(PARSE("--XyZ\r\nContent-Disposition: form-data; name=a\r\n\r\n1\r\n--XyZ"),
			 MP_BAD);
	assert_int_equal(PARSE("--XyZ\r\nContent-Disposition: form-data; name=a\r\n\r\n1\r\n--XyZ-"),
			 MP_BAD);
	assert_int_equal(PARSE("--XyZ\r\nContent-Disposition: form-data; name=a\r\n\r\n1\r\n--XyZ\r\n"),
			 MP_BAD);
	/* A delimiter line ended by a bare LF, or by junk. */
	assert_int_equal(PARSE("--XyZ\nContent-Disposition: form-data; name=a\r\n\r\n\r\n--XyZ--"),
			 MP_BAD);
	assert_int_equal(PARSE("--XyZ x\r\nContent-Disposition: form-data; name=a\r\n\r\n\r\n--XyZ--"),
			 MP_BAD);
	/* A boundary mp_boundary would refuse. */
	assert_int_equal(parse_with("--a\rb--", 7, "a\rb", 4), MP_BAD_TYPE);
	assert_int_equal(parse_with("--", 2, "", 4), MP_BAD_TYPE);
	assert_int_equal(parse_with("--", 2, NULL, 4), MP_BAD_TYPE);
}

static void test_max_parts(void **state)
{
	static const char three[] = "--XyZ\r\nContent-Disposition: form-data; name=a\r\n\r\n1\r\n"
				    "--XyZ\r\nContent-Disposition: form-data; name=b\r\n\r\n2\r\n"
				    "--XyZ\r\nContent-Disposition: form-data; name=c\r\n\r\n3\r\n"
				    "--XyZ--";

	(void)state;
	assert_int_equal(parse_with(three, sizeof(three) - 1, "XyZ", 3), MP_OK);
	assert_int_equal(np, 3);
	assert_int_equal(parse_with(three, sizeof(three) - 1, "XyZ", 2), MP_TOO_MANY);
	assert_int_equal(np, 0);
	assert_int_equal(parse_with(three, sizeof(three) - 1, "XyZ", 0), MP_TOO_MANY);
}

/* A part whose headers are cd, then pad: a header line of pad_len bytes with its CRLF. */
static int parse_padded(size_t pad_len, size_t extra_headers)
{
	static const char cd[] = "--XyZ\r\nContent-Disposition: form-data; name=a\r\n";
	char body[4096];
	size_t n = sizeof(cd) - 1;

	memcpy(body, cd, n);
	for (size_t i = 0; i < extra_headers; i++) {
		memcpy(body + n, "X-A: 1\r\n", 8);
		n += 8;
	}
	if (pad_len) {
		assert_true(pad_len >= 7 && pad_len < 2048);
		memcpy(body + n, "X-P: ", 5);
		memset(body + n + 5, 'p', pad_len - 7);
		memcpy(body + n + pad_len - 2, "\r\n", 2);
		n += pad_len;
	}
	memcpy(body + n, "\r\nv\r\n--XyZ--", 12);
	return parse_with(body, n + 12, "XyZ", 4);
}

static void test_header_limits(void **state)
{
	const size_t cd_len = strlen("Content-Disposition: form-data; name=a\r\n");

	(void)state;
	/* At most MP_MAX_HEADERS lines. */
	assert_int_equal(parse_padded(0, MP_MAX_HEADERS - 1), MP_OK);
	ASSERT_DATA(&parts[0], "v");
	assert_int_equal(parse_padded(0, MP_MAX_HEADERS), MP_BAD);
	/* At most MP_MAX_HEADER_BYTES, counting each line's CRLF. */
	assert_int_equal(parse_padded(MP_MAX_HEADER_BYTES - cd_len, 0), MP_OK);
	ASSERT_DATA(&parts[0], "v");
	assert_int_equal(parse_padded(MP_MAX_HEADER_BYTES - cd_len + 1, 0), MP_BAD);
	assert_int_equal(parse_padded(2000, 0), MP_BAD);
}

#define HDRS(h) PARSE("--XyZ\r\n" h "\r\nv\r\n--XyZ--")

static void test_hostile_headers(void **state)
{
	(void)state;
	assert_int_equal(HDRS("Content-Disposition: form-data; name=a\r\n"), MP_OK);
	/* No blank line: the headers never end. */
	assert_int_equal(PARSE("--XyZ\r\nContent-Disposition: form-data; name=a\r\nv\r\n--XyZ--"),
			 MP_BAD);
	assert_int_equal(PARSE("--XyZ\r\nContent-Disposition: form-data; name=a"), MP_BAD);
	assert_int_equal(PARSE("--XyZ\r\nContent-Disposition: form-data; name=a\r\n\r"), MP_BAD);
	/* obs-fold, also on the first line. */
	assert_int_equal(HDRS("Content-Disposition: form-data;\r\n name=a\r\n"), MP_BAD);
	assert_int_equal(HDRS("Content-Disposition: form-data; name=a\r\n\tX-B: 1\r\n"), MP_BAD);
	assert_int_equal(HDRS(" Content-Disposition: form-data; name=a\r\n"), MP_BAD);
	/* Lines: bare LF, bare CR, no colon, blank before the colon, empty name, controls, NUL. */
	assert_int_equal(HDRS("Content-Disposition: form-data; name=a\n"), MP_BAD);
	assert_int_equal(HDRS("X-A: 1\nContent-Disposition: form-data; name=a\r\n"), MP_BAD);
	assert_int_equal(HDRS("Content-Disposition: form-data; name=a\rX: 1\r\n"), MP_BAD);
	assert_int_equal(HDRS("Content-Disposition: form-data; name=a\r\nX-A\r\n"), MP_BAD);
	assert_int_equal(HDRS("Content-Disposition : form-data; name=a\r\n"), MP_BAD);
	assert_int_equal(HDRS(": x\r\nContent-Disposition: form-data; name=a\r\n"), MP_BAD);
	assert_int_equal(HDRS("Content-Disposition: form-data; name=a\r\nX: \x01\r\n"), MP_BAD);
	assert_int_equal(HDRS("Content-Disposition: form-data; name=a\r\nX: \x7f\r\n"), MP_BAD);
	assert_int_equal(HDRS("Content-Disposition: form-data; name=\"a\0b\"\r\n"), MP_BAD);
	assert_int_equal(HDRS("Content-Disposition: form-data; name=a\0\r\n"), MP_BAD);
	/* Content-Disposition: required, once, form-data, with one non-empty name. */
	assert_int_equal(HDRS("Content-Type: text/plain\r\n"), MP_BAD);
	assert_int_equal(HDRS("Content-Disposition: form-data; name=a\r\n"
			      "Content-Disposition: form-data; name=b\r\n"),
			 MP_BAD);
	assert_int_equal(HDRS("Content-Disposition: form-data; name=a\r\n"
			      "Content-Type: text/plain\r\nContent-Type: text/html\r\n"),
			 MP_BAD);
	assert_int_equal(HDRS("Content-Disposition: attachment; name=a\r\n"), MP_BAD);
	assert_int_equal(HDRS("Content-Disposition: form-datax; name=a\r\n"), MP_BAD);
	assert_int_equal(HDRS("Content-Disposition: form-data\r\n"), MP_BAD);
	assert_int_equal(HDRS("Content-Disposition: form-data; filename=\"a.txt\"\r\n"), MP_BAD);
	assert_int_equal(HDRS("Content-Disposition: form-data; name=\"\"\r\n"), MP_BAD);
	assert_int_equal(HDRS("Content-Disposition: form-data; name=\r\n"), MP_BAD);
	assert_int_equal(HDRS("Content-Disposition: form-data; name=a; name=b\r\n"), MP_BAD);
	assert_int_equal(HDRS("Content-Disposition: form-data; name=\"a\r\n"), MP_BAD);
	assert_int_equal(HDRS("Content-Disposition: form-data; name=\"a\\\"\r\n"), MP_BAD);
	assert_int_equal(HDRS("Content-Disposition: form-data; name=\"a\" b\r\n"), MP_BAD);
	assert_int_equal(HDRS("Content-Disposition: form-data; name=a\"b\r\n"), MP_BAD);
	assert_int_equal(HDRS("Content-Disposition: form-data; name=\"\xff\"\r\n"), MP_BAD);
	assert_int_equal(HDRS("Content-Disposition: form-data; name=\"a\tb\"\r\n"), MP_BAD);
	/* Filenames: no controls, valid UTF-8, not "." or "..", at most one. */
	assert_int_equal(HDRS("Content-Disposition: form-data; name=a; filename=\"a\tb\"\r\n"), MP_BAD);
	assert_int_equal(HDRS("Content-Disposition: form-data; name=a; filename=\"\xc3\"\r\n"), MP_BAD);
	assert_int_equal(HDRS("Content-Disposition: form-data; name=a; filename=\"..\"\r\n"), MP_BAD);
	assert_int_equal(HDRS("Content-Disposition: form-data; name=a; filename=\"x/.\"\r\n"), MP_BAD);
	assert_int_equal(HDRS("Content-Disposition: form-data; name=a; filename=x; filename=y\r\n"),
			 MP_BAD);
	assert_int_equal(HDRS("Content-Disposition: form-data; name=a; filename=\"...\"\r\n"), MP_OK);
	assert_string_equal(parts[0].filename, "...");
	assert_int_equal(HDRS("Content-Disposition: form-data; name=a; filename=\"dir/\"\r\n"), MP_OK);
	assert_string_equal(parts[0].filename, "");
}

/* Every prefix of a valid body is MP_BAD until the close delimiter is in, then MP_OK. */
static void check_prefixes(const char *body, size_t n, const char *boundary, size_t nparts)
{
	char close[MP_BOUNDARY_MAX + 8];
	size_t closed_at, blen = strlen(boundary);

	close[0] = '-';
	close[1] = '-';
	memcpy(close + 2, boundary, blen);
	close[blen + 2] = '-';
	close[blen + 3] = '-';
	/* The close delimiter is the last occurrence of --boundary-- in these bodies. */
	closed_at = 0;
	for (size_t i = 0; i + blen + 4 <= n; i++)
		if (memcmp(body + i, close, blen + 4) == 0)
			closed_at = i + blen + 4;
	assert_true(closed_at > 0);
	for (size_t len = 0; len <= n; len++) {
		int rc = parse_with(body, len, boundary, MAX_PARTS);

		if (len < closed_at) {
			if (rc != MP_BAD)
				fail_msg("prefix of %zu bytes: %d", len, rc);
			assert_int_equal(np, 0);
		} else {
			assert_int_equal(rc, MP_OK);
			assert_int_equal(np, nparts);
			for (size_t k = 0; k < np; k++)
				assert_true(parts[k].data >= buf &&
					    parts[k].len <= (size_t)(buf + len - parts[k].data));
		}
		arena_reset(&a);
	}
}

static void test_truncated(void **state)
{
	static const char star[] =
		"pre\r\n--XyZ  \r\n"
		"Content-Disposition: form-data; name=\"a\\\"b\"; "
		"filename*=UTF-8''%E6%89%AB%E6%8F%8F%E4%BB%B6.jpg\r\n"
		"Content-Type: image/jpeg\r\n"
		"\r\n"
		"\xff\xd8\r\n--Xy\r\n"
		"--XyZ\r\n"
		"Content-Disposition: form-data; name=z\r\n"
		"\r\n"
		"\r\n--XyZ--\r\nepilogue";

	(void)state;
	check_prefixes(chrome, sizeof(chrome) - 1, CHROME_B, 3);
	check_prefixes(firefox, sizeof(firefox) - 1, FIREFOX_B, 4);
	check_prefixes(star, sizeof(star) - 1, "XyZ", 2);
}

static void test_nomem(void **state)
{
	struct arena tiny;
	static const char body[] = "--XyZ\r\nContent-Disposition: form-data; name=a\r\n\r\n\r\n--XyZ--";

	(void)state;
	assert_int_equal(arena_init(&tiny, 64, 8), 0);
	assert_int_equal(mp_parse(&tiny, body, sizeof(body) - 1, "XyZ", parts, 4, &np), MP_NOMEM);
	assert_int_equal(np, 0);
	arena_free(&tiny);
}

/* A part of a million near-delimiters ("\r\n--Xy" over and over) takes one pass. */
static void test_linear(void **state)
{
	static const char head[] = "--XyZ\r\nContent-Disposition: form-data; name=a\r\n\r\n";
	const size_t reps = 1 << 20;
	size_t hl = sizeof(head) - 1, n = hl + reps * 6 + 9;
	char *body = malloc(n);

	(void)state;
	assert_non_null(body);
	memcpy(body, head, hl);
	for (size_t i = 0; i < reps; i++)
		memcpy(body + hl + i * 6, "\r\n--Xy", 6);
	memcpy(body + n - 9, "\r\n--XyZ--", 9);
	assert_int_equal(mp_parse(&a, body, n, "XyZ", parts, 4, &np), MP_OK);
	assert_int_equal(np, 1);
	assert_int_equal(parts[0].len, reps * 6);
	free(body);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_boundary_ok),
		cmocka_unit_test(test_boundary_bad),
		cmocka_unit_test(test_chrome),
		cmocka_unit_test(test_firefox),
		cmocka_unit_test(test_binary_data),
		cmocka_unit_test(test_names_and_filenames),
		cmocka_unit_test(test_filename_star),
		cmocka_unit_test(test_framing),
		cmocka_unit_test(test_max_parts),
		cmocka_unit_test(test_header_limits),
		cmocka_unit_test(test_hostile_headers),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_nomem),
		cmocka_unit_test(test_linear),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
