/* Unit tests of domain/escalate.c: the hall's list of addresses for overdue mails. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "domain/escalate.h"

static void test_mail_list(void **state)
{
	(void)state;
	assert_true(escalate_mail_list(""));
	assert_true(escalate_mail_list("ops@example.com"));
	assert_true(escalate_mail_list("a@b.cn,c@d.cn,e@f.cn,g@h.cn,i@j.cn"));
	assert_false(escalate_mail_list("a@b.cn,c@d.cn,e@f.cn,g@h.cn,i@j.cn,k@l.cn"));
	assert_false(escalate_mail_list("a@b.cn,"));
	assert_false(escalate_mail_list(",a@b.cn"));
	assert_false(escalate_mail_list("a@b.cn,,c@d.cn"));
	assert_false(escalate_mail_list("a@b.cn, c@d.cn"));
	assert_false(escalate_mail_list("nobody"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mail_list),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
