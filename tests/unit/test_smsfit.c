/* Unit tests: smsfit, a reviewer's reason fitted into an SMS by whole sentences. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "domain/smsfit.h"

/* Well-formed UTF-8 throughout. */
static bool utf8_ok(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p;) {
		int n = *p < 0x80 ? 1 : (*p & 0xE0) == 0xC0 ? 2 : (*p & 0xF0) == 0xE0 ? 3 : 4;

		for (int i = 1; i < n; i++)
			if ((p[i] & 0xC0) != 0x80)
				return false;
		p += n;
	}
	return true;
}

static void test_fits_whole(void **state)
{
	char out[256];

	(void)state;
	assert_string_equal(smsfit_text(out, sizeof(out), "营业执照复印件未加盖单位公章，请盖章后重新上传。", 240),
			    "营业执照复印件未加盖单位公章，请盖章后重新上传。");
	assert_string_equal(smsfit_text(out, sizeof(out), "", 240), "");
}

/* The SMS of issue 17: "请盖章后重…" is never sent; the sentences that fit are, and the rest is
 * pointed to. */
static void test_whole_sentences(void **state)
{
	static const char reason[] =
		"经办人信息与身份证件不一致；营业执照复印件未加盖单位公章，请盖章后重新上传。"
		"授权书：签字处空白，请法定代表人签字后重新扫描上传。";
	char out[256];

	(void)state;
	for (size_t max = 80; max < sizeof(reason) - 1; max++) {
		smsfit_text(out, sizeof(out), reason, max);
		assert_true(strlen(out) <= max);
		assert_true(utf8_ok(out));
		/* What is kept is the reason's start, up to a mark the reason has there. */
		size_t keep = strlen(out) - strlen(SMSFIT_MORE);

		assert_string_equal(out + keep, SMSFIT_MORE);
		assert_memory_equal(out, reason, keep);
		assert_true(strncmp(reason + keep, "。", 3) == 0 || strncmp(reason + keep, "；", 3) == 0);
	}
	smsfit_text(out, sizeof(out), reason, 160);
	assert_string_equal(out, "经办人信息与身份证件不一致；营业执照复印件未加盖单位公章，请盖章后重新上传"
				 SMSFIT_MORE);
	smsfit_text(out, sizeof(out), reason, 100);
	assert_string_equal(out, "经办人信息与身份证件不一致" SMSFIT_MORE);
}

/* One long sentence: its clauses; not even one: whole characters. */
static void test_clauses_then_characters(void **state)
{
	char out[256];

	(void)state;
	smsfit_text(out, sizeof(out), "营业执照复印件未加盖单位公章，扫描件模糊不清无法辨认，请重新扫描后上传", 90);
	assert_string_equal(out, "营业执照复印件未加盖单位公章" SMSFIT_MORE);
	smsfit_text(out, sizeof(out), "营业执照复印件未加盖单位公章扫描件模糊不清无法辨认请重新扫描后上传", 60);
	assert_true(strlen(out) <= 60);
	assert_true(utf8_ok(out));
	assert_non_null(strstr(out, SMSFIT_MORE));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fits_whole),
		cmocka_unit_test(test_whole_sentences),
		cmocka_unit_test(test_clauses_then_characters),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
