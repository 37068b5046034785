/* Unit tests of shared/domain/mask.c: the header's examples, UTF-8 edges and small buffers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "domain/mask.h"
#include "base/valid.h"

typedef void (*mask_fn)(const char *, char *, size_t);

static void expect(mask_fn fn, const char *in, const char *want)
{
	char out[256];

	memset(out, 'Z', sizeof(out));
	fn(in, out, sizeof(out));
	assert_string_equal(out, want);
}

/* For every output size: terminated, within bounds, a prefix of the full result, and whole
 * code points only. */
static void expect_prefixes(mask_fn fn, const char *in)
{
	char full[256];
	char out[258];
	size_t sz;

	fn(in, full, sizeof(full));
	for (sz = 1; sz <= strlen(full) + 1; sz++) {
		size_t n;

		memset(out, 'Z', sizeof(out));
		fn(in, out, sz);
		n = strlen(out);
		assert_true(n < sz);
		assert_int_equal(out[sz], 'Z');
		assert_memory_equal(out, full, n);
		assert_true(valid_text(out, n, SIZE_MAX));
	}
	/* Size 0 writes nothing at all. */
	out[0] = 'Z';
	fn(in, out, 0);
	assert_int_equal(out[0], 'Z');
	fn(in, NULL, 0);
}

static void test_mobile(void **state)
{
	(void)state;
	expect(mask_mobile, "13812341234", "138****1234");
	expect(mask_mobile, "19900001111", "199****1111");
	expect(mask_mobile, "+8613812341234", "****");
	expect(mask_mobile, "1381234123", "****");
	expect(mask_mobile, "138123412345", "****");
	expect(mask_mobile, "1381234123a", "****");
	expect(mask_mobile, "138 1234 1234", "****");
	expect(mask_mobile, "13812341234\n", "****");
	expect(mask_mobile, "\xef\xbc\x91" "3812341234", "****");
	expect(mask_mobile, "", "****");
	expect(mask_mobile, NULL, "****");
	expect_prefixes(mask_mobile, "13812341234");
	expect_prefixes(mask_mobile, "bad");
}

static void test_id(void **state)
{
	(void)state;
	expect(mask_id, "11010519491231002X", "110***********002X");
	expect(mask_id, "110105194912310123", "110***********0123");
	/* The old 15-digit ID. */
	expect(mask_id, "110105491231002", "110********1002");
	expect(mask_id, "11010549123100", "****");
	expect(mask_id, "1234567", "****");
	expect(mask_id, "", "****");
	expect(mask_id, NULL, "****");
	expect(mask_id, "11010519491231002X11010519491231002X", "****");
	expect(mask_id, "11010519491231002-", "****");
	expect(mask_id, "110105 1949123100X", "****");
	expect(mask_id, "1101051949123100\xc3\x89", "****");
	expect(mask_id, "11010519491231002\n", "****");
	expect_prefixes(mask_id, "11010519491231002X");
}

static void test_person_name(void **state)
{
	(void)state;
	/* The header's examples. */
	expect(mask_person_name, "张三", "张*");
	expect(mask_person_name, "欧阳娜娜", "欧**娜");
	expect(mask_person_name, "王", "王");
	expect(mask_person_name, "李小龙", "李*龙");
	expect(mask_person_name, "Tom", "T*m");
	expect(mask_person_name, "Al", "A*");
	expect(mask_person_name, "阿卜杜勒·买买提", "阿******提");
	/* 4-byte code points count as one. */
	expect(mask_person_name, "\xf0\xa0\x80\x80\xe4\xb8\x89", "\xf0\xa0\x80\x80*");
	expect(mask_person_name, "\xf0\xa0\x80\x80", "\xf0\xa0\x80\x80");

	/* Malformed input never reaches the output. */
	expect(mask_person_name, "\xc0\x80", "****");         /* overlong NUL */
	expect(mask_person_name, "\xed\xa0\x80\xe4\xb8\x89", "****"); /* surrogate */
	expect(mask_person_name, "\xe5\xbc", "****");         /* truncated */
	expect(mask_person_name, "张\xe4\xb8", "****");
	expect(mask_person_name, "\x80\x80", "****");
	expect(mask_person_name, "\xff", "****");
	expect(mask_person_name, "张\n三", "****");
	expect(mask_person_name, "\x1b[2J", "****");
	expect(mask_person_name, "张\xc2\x85三", "****");
	expect(mask_person_name, "", "****");
	expect(mask_person_name, NULL, "****");

	expect_prefixes(mask_person_name, "欧阳娜娜");
	expect_prefixes(mask_person_name, "\xf0\xa0\x80\x80\xe4\xb8\x89\xe4\xb8\x89");
	expect_prefixes(mask_person_name, "\xe5\xbc");
}

static void test_person_name_truncation(void **state)
{
	char out[8];

	(void)state;
	mask_person_name("欧阳娜娜", out, 3);
	assert_string_equal(out, "");
	mask_person_name("欧阳娜娜", out, 4);
	assert_string_equal(out, "欧");
	mask_person_name("欧阳娜娜", out, 6);
	assert_string_equal(out, "欧**");
	mask_person_name("欧阳娜娜", out, 8);
	assert_string_equal(out, "欧**");

	/* Longer than any form accepts: not a name. */
	{
		char big[2000];
		char res[16];

		memset(big, 'a', sizeof(big) - 1);
		big[sizeof(big) - 1] = '\0';
		mask_person_name(big, res, sizeof(res));
		assert_string_equal(res, "****");
		mask_org_name(big, res, sizeof(res));
		assert_string_equal(res, "****");
	}
}

static void test_org_name(void **state)
{
	(void)state;
	/* The header's example. */
	expect(mask_org_name, "北京某某某科技有限公司", "北京**有限公司");
	expect(mask_org_name, "某某某科技公司", "某某**科技公司");
	/* Six or fewer: the first two and then one star per code point. */
	expect(mask_org_name, "某某科技公司", "某某****");
	expect(mask_org_name, "某某公司", "某某**");
	expect(mask_org_name, "某厂", "某厂");
	expect(mask_org_name, "某", "某");
	expect(mask_org_name, "ABC Technology Co., Ltd.", "AB**Ltd.");
	expect(mask_org_name, "北京\xf0\xa0\x80\x80某某科技公司", "北京**科技公司");

	expect(mask_org_name, "北京\xc0\x80科技有限公司", "****");
	expect(mask_org_name, "北京科技有限公\xe5\x8f", "****");
	expect(mask_org_name, "北京\xed\xbf\xbf有限公司", "****");
	expect(mask_org_name, "北京\t科技有限公司", "****");
	expect(mask_org_name, "", "****");
	expect(mask_org_name, NULL, "****");

	expect_prefixes(mask_org_name, "北京某某某科技有限公司");
	expect_prefixes(mask_org_name, "某某科技公司");
}

static void test_email(void **state)
{
	(void)state;
	expect(mask_email, "alice@example.com", "a***@example.com");
	expect(mask_email, "a@b.co", "a***@b.co");
	expect(mask_email, "zhang.san+ca@mail.example.cn", "z***@mail.example.cn");

	expect(mask_email, "alice", "****");
	expect(mask_email, "@example.com", "****");
	expect(mask_email, "alice@", "****");
	expect(mask_email, "a@b@example.com", "****");
	expect(mask_email, "alice@example.com\r\nBcc: x@y.z", "****");
	expect(mask_email, "\xe5\xbc\xa0@example.com", "****");
	expect(mask_email, "\xc0\x80@example.com", "****");
	expect(mask_email, "", "****");
	expect(mask_email, NULL, "****");

	expect_prefixes(mask_email, "alice@example.com");
}

static void test_mask_text(void **state)
{
	char a[] = "isv.MOBILE_NUMBER_ILLEGAL: 13812345678 invalid";
	char b[] = "550 5.1.1 <zhang.san@example.com>: Recipient address rejected";
	char c[] = "code 400, 12 items, order 261121017985054055";

	(void)state;
	mask_text(a);
	assert_string_equal(a, "isv.MOBILE_NUMBER_ILLEGAL: 138****5678 invalid");
	mask_text(b);
	assert_string_equal(b, "550 5.1.1 <z********@example.com>: Recipient address rejected");
	mask_text(c);
	assert_string_equal(c, "code 400, 12 items, order 261***********4055");
	mask_text(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mask_text),
		cmocka_unit_test(test_mobile),
		cmocka_unit_test(test_id),
		cmocka_unit_test(test_person_name),
		cmocka_unit_test(test_person_name_truncation),
		cmocka_unit_test(test_org_name),
		cmocka_unit_test(test_email),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
