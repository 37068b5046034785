/* Unit tests of 001's financial check after approval (shared/domain/fincheck.c): when the
 * approval starts the 0.01 transfer, the PIN its memo carries, and the state the applicant
 * reads. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "domain/fincheck.h"

/* "如付款方式选择支付宝/微信，则需要进行单位金融认证，证书PIN码将以转账交易附言方式发送至对公账户，请向
 * 贵司财务人员获取；如付款方式选择公对公转账，机构证书PIN码将通过短信方式发至经办人手机号码，个人证书PIN码
 * 将通过短信方式发至申请人手机号码。" */
static void test_due(void **state)
{
	(void)state;
	assert_true(fincheck_due(true, true, "transfer_memo", "wechat"));
	assert_true(fincheck_due(true, true, "transfer_memo", "alipay"));
	/* 公对公转账: no 0.01 check, the PIN by SMS. */
	assert_false(fincheck_due(true, true, "sms_handler", "transfer"));
	assert_false(fincheck_due(true, true, "transfer_memo", "transfer"));
	/* Nothing paid: 001's 补办 is "0.00元" and still "打款0.01元，并下发证书PIN码". */
	assert_true(fincheck_due(true, true, "transfer_memo", ""));
	assert_true(fincheck_due(true, true, "transfer_memo", NULL));
	/* A hall that checks before signing (000, 002), or nothing mailed. */
	assert_false(fincheck_due(false, true, "transfer_memo", "wechat"));
	assert_false(fincheck_due(true, false, "transfer_memo", "wechat"));
	assert_false(fincheck_due(true, true, "sms_legal_rep", "wechat"));
	assert_false(fincheck_due(true, true, NULL, "wechat"));
}

/* "并下发证书 PIN 码": six digits, each drawn anew. */
static void test_pin(void **state)
{
	char a[FINCHECK_PIN_LEN + 1], b[FINCHECK_PIN_LEN + 1];
	int seen[10] = { 0 }, same = 0;

	(void)state;
	for (int i = 0; i < 200; i++) {
		assert_int_equal(fincheck_pin(a), 0);
		assert_int_equal(strlen(a), FINCHECK_PIN_LEN);
		assert_int_equal(strspn(a, "0123456789"), FINCHECK_PIN_LEN);
		for (int k = 0; k < FINCHECK_PIN_LEN; k++)
			seen[a[k] - '0']++;
		assert_int_equal(fincheck_pin(b), 0);
		same += strcmp(a, b) == 0;
	}
	for (int d = 0; d < 10; d++)
		assert_true(seen[d] > 0);
	assert_true(same < 3);
}

/* "如申请资料审核通过且金融认证通过，则申请单状态显示“成功受理”"; a refused transfer: 金融认证失败. */
static void test_state_names(void **state)
{
	(void)state;
	assert_string_equal(fincheck_state_zh(ORDER_APPROVED, "transfer", "credited"), "成功受理");
	assert_string_equal(fincheck_state_zh(ORDER_APPROVED, "transfer", "queued"),
			    "审核通过，金融认证中");
	assert_string_equal(fincheck_state_zh(ORDER_APPROVED, "transfer", "sent"),
			    "审核通过，金融认证中");
	assert_string_equal(fincheck_state_zh(ORDER_VERIFY_FAILED, "transfer", "failed"),
			    "金融认证失败");
	/* Without a transfer after approval, the names are the machine's. */
	assert_string_equal(fincheck_state_zh(ORDER_APPROVED, "transfer", ""), "审核通过");
	assert_string_equal(fincheck_state_zh(ORDER_VERIFY_FAILED, "lr_face", ""), "身份核验未通过");
	assert_string_equal(fincheck_state_zh(ORDER_MAKING, "transfer", "credited"), "证书制作中");
}

/* The bank is asked again soon after the transfer went out, then less and less often. */
static void test_backoff(void **state)
{
	(void)state;
	assert_int_equal(fincheck_backoff(0), 1);
	assert_int_equal(fincheck_backoff(1), 1);
	assert_int_equal(fincheck_backoff(2), 2);
	assert_int_equal(fincheck_backoff(3), 4);
	assert_int_equal(fincheck_backoff(10), 512);
	assert_int_equal(fincheck_backoff(11), FINCHECK_BACKOFF_MAX);
	assert_int_equal(fincheck_backoff(1000), FINCHECK_BACKOFF_MAX);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_due),
		cmocka_unit_test(test_pin),
		cmocka_unit_test(test_state_names),
		cmocka_unit_test(test_backoff),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
