/* Unit tests of shared/domain/rules.c: calendar, renewal window, validity, warranty, fee quotes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <limits.h>
#include <string.h>

#include "domain/rules.h"
#include "base/valid.h"

static struct rules_date D(int y, int m, int d)
{
	struct rules_date dt = { y, m, d };

	return dt;
}

static void assert_date(struct rules_date got, int y, int m, int d)
{
	assert_int_equal(got.y, y);
	assert_int_equal(got.m, m);
	assert_int_equal(got.d, d);
}

/* ---- Calendar. */

static void test_date_valid(void **state)
{
	(void)state;
	assert_true(rules_date_valid(D(2024, 2, 29)));
	assert_true(rules_date_valid(D(2000, 2, 29)));
	assert_false(rules_date_valid(D(2023, 2, 29)));
	assert_false(rules_date_valid(D(1900, 2, 29)));
	assert_false(rules_date_valid(D(2100, 2, 29)));
	assert_true(rules_date_valid(D(2025, 4, 30)));
	assert_false(rules_date_valid(D(2025, 4, 31)));
	assert_true(rules_date_valid(D(2025, 12, 31)));
	assert_false(rules_date_valid(D(2025, 0, 1)));
	assert_false(rules_date_valid(D(2025, 13, 1)));
	assert_false(rules_date_valid(D(2025, 1, 0)));
	assert_false(rules_date_valid(D(2025, 1, 32)));
	assert_false(rules_date_valid(D(2025, -1, 1)));
	assert_true(rules_date_valid(D(1, 1, 1)));
	assert_true(rules_date_valid(D(9999, 12, 31)));
	assert_false(rules_date_valid(D(0, 12, 31)));
	assert_false(rules_date_valid(D(10000, 1, 1)));
	assert_false(rules_date_valid(D(INT_MIN, INT_MIN, INT_MIN)));
	assert_false(rules_date_valid(D(INT_MAX, INT_MAX, INT_MAX)));
}

static void test_days_known(void **state)
{
	(void)state;
	assert_int_equal(rules_days_from_civil(D(1970, 1, 1)), 0);
	assert_int_equal(rules_days_from_civil(D(1969, 12, 31)), -1);
	assert_int_equal(rules_days_from_civil(D(2000, 3, 1)), 11017);
	assert_int_equal(rules_days_from_civil(D(2024, 1, 1)), 19723);
	assert_int_equal(rules_days_from_civil(D(2024, 2, 29)), 19782);
	assert_int_equal(rules_days_from_civil(D(2024, 3, 1)), 19783);
	assert_int_equal(rules_days_from_civil(D(1, 1, 1)), -719162);
	assert_int_equal(rules_days_from_civil(D(9999, 12, 31)), 2932896);
	assert_date(rules_civil_from_days(19782), 2024, 2, 29);
	assert_date(rules_civil_from_days(-719162), 1, 1, 1);
	assert_date(rules_civil_from_days(2932896), 9999, 12, 31);
}

/* Every day of 0001..9999 maps to the next day number and back. */
static void test_days_roundtrip(void **state)
{
	int32_t n = rules_days_from_civil(D(1, 1, 1));
	int y, m, d;

	(void)state;
	for (y = 1; y <= 9999; y++)
		for (m = 1; m <= 12; m++)
			for (d = 1; d <= 31; d++) {
				struct rules_date dt = D(y, m, d);
				struct rules_date back;

				if (!rules_date_valid(dt))
					continue;
				assert_int_equal(rules_days_from_civil(dt), n);
				back = rules_civil_from_days(n);
				if (back.y != y || back.m != m || back.d != d)
					fail_msg("%d-%d-%d came back as %d-%d-%d", y, m, d, back.y,
						 back.m, back.d);
				n++;
			}
	assert_int_equal(n, rules_days_from_civil(D(9999, 12, 31)) + 1);
}

static void test_add_years(void **state)
{
	bool ok;

	(void)state;
	assert_date(rules_add_years(D(2024, 2, 29), 1, &ok), 2025, 2, 28);
	assert_true(ok);
	assert_date(rules_add_years(D(2024, 2, 29), 4, &ok), 2028, 2, 29);
	assert_true(ok);
	assert_date(rules_add_years(D(2024, 2, 29), 76, &ok), 2100, 2, 28); /* 2100 not leap */
	assert_date(rules_add_years(D(2024, 2, 29), 376, &ok), 2400, 2, 29);
	assert_date(rules_add_years(D(2023, 2, 28), 1, &ok), 2024, 2, 28);   /* never forward */
	assert_date(rules_add_years(D(2024, 3, 1), 1, &ok), 2025, 3, 1);
	assert_date(rules_add_years(D(2024, 12, 31), 5, &ok), 2029, 12, 31);
	assert_date(rules_add_years(D(2024, 2, 29), 1, NULL), 2025, 2, 28);
	rules_add_years(D(9999, 1, 1), 1, &ok);
	assert_false(ok);
	rules_add_years(D(2023, 2, 29), 1, &ok);
	assert_false(ok);
	rules_add_years(D(2024, 1, 1), INT_MAX, &ok);
	assert_false(ok);
	rules_add_years(D(2024, 1, 1), INT_MIN, &ok);
	assert_false(ok);
}

/* ---- Renewal window: not_after is the last valid day; on it 0 days are left. */

static void test_window_days_left(void **state)
{
	(void)state;
	/* 2025-01-01 to 2025-03-31: 30 + 28 + 31 = 89 days. */
	assert_int_equal(rules_renewal_window(D(2025, 1, 1), D(2025, 3, 31)), RENEW_ONLINE);
	assert_int_equal(rules_renewal_window(D(2025, 1, 1), D(2025, 4, 1)), RENEW_TOO_EARLY);
	assert_int_equal(rules_renewal_window(D(2025, 1, 1), D(2025, 4, 2)), RENEW_TOO_EARLY);
	assert_int_equal(rules_renewal_window(D(2025, 1, 1), D(2026, 1, 1)), RENEW_TOO_EARLY);
	/* Leap year: 2024-01-01 to 2024-03-30 is 30 + 29 + 30 = 89 days. */
	assert_int_equal(rules_renewal_window(D(2024, 1, 1), D(2024, 3, 30)), RENEW_ONLINE);
	assert_int_equal(rules_renewal_window(D(2024, 1, 1), D(2024, 3, 31)), RENEW_TOO_EARLY);
	/* Counted from the other side: 90 days before 2024-03-31 is 2024-01-01, 89 is 01-02. */
	assert_int_equal(rules_renewal_window(D(2024, 1, 2), D(2024, 3, 31)), RENEW_ONLINE);
	/* Across 29 February: 2024-02-29 + 89 days = 2024-05-28. */
	assert_int_equal(rules_renewal_window(D(2024, 2, 29), D(2024, 5, 28)), RENEW_ONLINE);
	assert_int_equal(rules_renewal_window(D(2024, 2, 29), D(2024, 5, 29)), RENEW_TOO_EARLY);
	/* 1 day left, 0 days left (the last valid day). */
	assert_int_equal(rules_renewal_window(D(2025, 6, 29), D(2025, 6, 30)), RENEW_ONLINE);
	assert_int_equal(rules_renewal_window(D(2025, 6, 30), D(2025, 6, 30)), RENEW_ONLINE);
}

static void test_window_expired(void **state)
{
	(void)state;
	assert_int_equal(rules_renewal_window(D(2025, 7, 1), D(2025, 6, 30)), RENEW_ONLINE);
	/* Not a leap span: 2025-01-01 + 365 days = 2026-01-01. */
	assert_int_equal(rules_renewal_window(D(2026, 1, 1), D(2025, 1, 1)), RENEW_ONLINE);
	assert_int_equal(rules_renewal_window(D(2026, 1, 2), D(2025, 1, 1)), RENEW_REVIEW);
	/* Leap span: 2024-01-01 + 365 days = 2024-12-31; the anniversary is already 366 days. */
	assert_int_equal(rules_renewal_window(D(2024, 12, 31), D(2024, 1, 1)), RENEW_ONLINE);
	assert_int_equal(rules_renewal_window(D(2025, 1, 1), D(2024, 1, 1)), RENEW_REVIEW);
	/* Expired on 2024-02-29: 365 days later is 2025-02-28. */
	assert_int_equal(rules_renewal_window(D(2025, 2, 28), D(2024, 2, 29)), RENEW_ONLINE);
	assert_int_equal(rules_renewal_window(D(2025, 3, 1), D(2024, 2, 29)), RENEW_REVIEW);
	assert_int_equal(rules_renewal_window(D(2035, 3, 1), D(2024, 2, 29)), RENEW_REVIEW);
}

static void test_window_invalid(void **state)
{
	(void)state;
	assert_int_equal(rules_renewal_window(D(2025, 2, 29), D(2025, 6, 30)), RENEW_INVALID);
	assert_int_equal(rules_renewal_window(D(2025, 1, 1), D(2025, 13, 1)), RENEW_INVALID);
	assert_int_equal(rules_renewal_window(D(0, 0, 0), D(0, 0, 0)), RENEW_INVALID);
	assert_int_equal(rules_renewal_window(D(INT_MAX, 1, 1), D(INT_MIN, 1, 1)),
			 RENEW_INVALID);
	/* The extremes of the calendar do not overflow. */
	assert_int_equal(rules_renewal_window(D(1, 1, 1), D(9999, 12, 31)), RENEW_TOO_EARLY);
	assert_int_equal(rules_renewal_window(D(9999, 12, 31), D(1, 1, 1)), RENEW_REVIEW);
}

/* ---- Validity after renewal. */

static void test_validity_not_expired(void **state)
{
	struct rules_validity v;

	(void)state;
	v = rules_renewal_validity(D(2025, 1, 10), D(2025, 3, 1), 1);
	assert_true(v.ok);
	assert_date(v.not_before, 2025, 1, 10);
	assert_date(v.not_after, 2026, 3, 1);
	v = rules_renewal_validity(D(2025, 1, 10), D(2025, 3, 1), 5);
	assert_true(v.ok);
	assert_date(v.not_after, 2030, 3, 1);
	/* On the last valid day it is not expired yet (old expiry + N; both rules agree here). */
	v = rules_renewal_validity(D(2025, 3, 1), D(2025, 3, 1), 2);
	assert_true(v.ok);
	assert_date(v.not_before, 2025, 3, 1);
	assert_date(v.not_after, 2027, 3, 1);
	/* Old expiry 29 February. */
	v = rules_renewal_validity(D(2024, 2, 1), D(2024, 2, 29), 1);
	assert_date(v.not_after, 2025, 2, 28);
	v = rules_renewal_validity(D(2024, 2, 1), D(2024, 2, 29), 4);
	assert_date(v.not_after, 2028, 2, 29);
}

static void test_validity_expired(void **state)
{
	struct rules_validity v;

	(void)state;
	/* The day after the last valid day: N years from the download day. */
	v = rules_renewal_validity(D(2025, 3, 2), D(2025, 3, 1), 1);
	assert_true(v.ok);
	assert_date(v.not_before, 2025, 3, 2);
	assert_date(v.not_after, 2026, 3, 2);
	v = rules_renewal_validity(D(2025, 11, 20), D(2025, 3, 1), 3);
	assert_date(v.not_before, 2025, 11, 20);
	assert_date(v.not_after, 2028, 11, 20);
	/* Downloaded on 29 February. */
	v = rules_renewal_validity(D(2024, 2, 29), D(2023, 12, 31), 1);
	assert_true(v.ok);
	assert_date(v.not_before, 2024, 2, 29);
	assert_date(v.not_after, 2025, 2, 28);
	v = rules_renewal_validity(D(2024, 2, 29), D(2023, 12, 31), 2);
	assert_date(v.not_after, 2026, 2, 28);
	v = rules_renewal_validity(D(2024, 2, 29), D(2023, 12, 31), 4);
	assert_date(v.not_after, 2028, 2, 29);
}

static void test_validity_rejects(void **state)
{
	struct rules_validity v;
	static const int bad_years[] = { 0, 6, -1, INT_MAX, INT_MIN };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad_years) / sizeof(bad_years[0]); i++) {
		v = rules_renewal_validity(D(2025, 1, 10), D(2025, 3, 1), bad_years[i]);
		assert_false(v.ok);
		assert_int_equal(v.not_after.y, 0);
		assert_int_equal(v.not_before.y, 0);
	}
	v = rules_renewal_validity(D(2025, 2, 29), D(2025, 3, 1), 1);
	assert_false(v.ok);
	v = rules_renewal_validity(D(2025, 1, 1), D(2025, 0, 1), 1);
	assert_false(v.ok);
	/* The result would leave the calendar. */
	v = rules_renewal_validity(D(9998, 1, 1), D(9999, 6, 1), 1);
	assert_false(v.ok);
	assert_int_equal(v.not_before.y, 0);
}

/* ---- Media warranty: the anniversary is still in warranty. */

static void test_warranty(void **state)
{
	(void)state;
	assert_true(rules_in_warranty(D(2024, 3, 15), D(2024, 3, 15)));
	assert_true(rules_in_warranty(D(2024, 3, 15), D(2025, 3, 14)));
	assert_true(rules_in_warranty(D(2024, 3, 15), D(2025, 3, 15)));
	assert_false(rules_in_warranty(D(2024, 3, 15), D(2025, 3, 16)));
	assert_false(rules_in_warranty(D(2024, 3, 15), D(2030, 1, 1)));
	assert_false(rules_in_warranty(D(2024, 3, 15), D(2024, 3, 14))); /* before issue */
	/* Issued on 29 February: the year ends on 28 February. */
	assert_true(rules_in_warranty(D(2024, 2, 29), D(2025, 2, 28)));
	assert_false(rules_in_warranty(D(2024, 2, 29), D(2025, 3, 1)));
	/* A year with 29 February in it is 366 days long. */
	assert_true(rules_in_warranty(D(2023, 3, 1), D(2024, 3, 1)));
	assert_false(rules_in_warranty(D(2023, 3, 1), D(2024, 3, 2)));
	assert_false(rules_in_warranty(D(2023, 2, 29), D(2023, 3, 1)));
	assert_false(rules_in_warranty(D(2023, 3, 1), D(2023, 3, 32)));
	assert_false(rules_in_warranty(D(9999, 3, 1), D(9999, 3, 2)));
}

/* ---- Fees: the sums of rules_quote over one fees row. What each hall charges is the seeded
 * data (schema/seed/fees.sql); the API tests quote it hall by hall. */

#define YUAN(y) ((int64_t)(y) * 100)

/* 002 BJCA new: "证书费用：260元/套" — per set, one year only. */
static const struct rules_fee set_260 = {
	.basis = RULES_PRICED, .max_years = 1, .once_code = "cert_set", .once_label = "数字证书（每套）",
	.once_fen = YUAN(260), .year_fen = -1, .year_from = 1,
};
/* 003 NETCA new org: "首年:600元/张(包含介质费200元) 次年:400元/年/张". */
static const struct rules_fee first_600_then_400 = {
	.basis = RULES_PRICED, .max_years = 5, .once_code = "first_year", .once_label = "首年",
	.once_fen = YUAN(600), .year_code = "further_year", .year_label = "次年起",
	.year_fen = YUAN(400), .year_from = 2,
};
/* 002 renewal: "证书年服务费用180元/张" per year. */
static const struct rules_fee per_year_180 = {
	.basis = RULES_PRICED, .max_years = 5, .once_fen = -1, .year_code = "annual_service",
	.year_label = "证书年服务费", .year_fen = YUAN(180), .year_from = 1,
};
/* 002 damaged: "只收取证书介质费用80元/个"; "属于质量问题并在质保期内的可以免费办理". */
static const struct rules_fee media_80_warranty = {
	.basis = RULES_PRICED, .max_years = 5, .once_code = "media", .once_label = "证书介质费",
	.once_fen = YUAN(80), .year_fen = -1, .year_from = 1, .warranty_free = true,
};
/* 002 "证书解锁业务免费办理". */
static const struct rules_fee unlock_free = {
	.basis = RULES_FREE, .max_years = 5, .once_code = "unlock", .once_label = "证书解锁（免费）",
	.once_fen = 0, .year_fen = -1, .year_from = 1,
};
/* 004: "工作人员预审证件通过→付款"; "补办含有电子印章的数字证书须重新制作电子印章，收费130元整". */
static const struct rules_fee quoted_seal_130 = {
	.basis = RULES_QUOTED, .max_years = 5, .once_fen = -1, .year_fen = -1, .year_from = 1,
	.seal_fen = YUAN(130),
};

static int quote(const struct rules_fee *f, int years, bool seal, bool defect,
		 struct rules_quote *q)
{
	int rc = rules_quote(f, years, seal, defect, q);
	int64_t sum = 0;

	/* The invariants of every answer. */
	assert_true(q->n >= 0 && q->n <= RULES_QUOTE_MAX_ITEMS);
	for (int i = 0; i < q->n; i++) {
		assert_non_null(q->item[i].code);
		assert_non_null(q->item[i].label);
		assert_true(q->item[i].qty >= 1);
		assert_true(q->item[i].unit_fen >= 0);
		assert_int_equal(q->item[i].fen, q->item[i].unit_fen * q->item[i].qty);
		sum += q->item[i].fen;
	}
	assert_int_equal(q->total_fen, sum);
	assert_int_equal(q->complete, rc == RULES_OK);
	if (rc != RULES_OK && rc != RULES_FEE_UNKNOWN)
		assert_int_equal(q->n, 0);
	return rc;
}

static void expect(const struct rules_fee *f, int years, bool seal, bool defect, int64_t total)
{
	struct rules_quote q;

	if (quote(f, years, seal, defect, &q) != RULES_OK)
		fail_msg("%d years: not a complete quote", years);
	if (q.total_fen != total)
		fail_msg("%d years: %lld fen, expected %lld", years, (long long)q.total_fen,
			 (long long)total);
}

static void test_fee_once_and_years(void **state)
{
	struct rules_quote q;

	(void)state;
	expect(&set_260, 1, false, false, YUAN(260));
	/* "证书有效期为一年": two years of a one-year set are not sold. */
	assert_int_equal(quote(&set_260, 2, false, false, &q), RULES_YEARS);
	/* The first year includes the media; each further year 400. */
	expect(&first_600_then_400, 1, false, false, YUAN(600));
	expect(&first_600_then_400, 2, false, false, YUAN(1000));
	expect(&first_600_then_400, 5, false, false, YUAN(2200));
	assert_int_equal(quote(&first_600_then_400, 3, false, false, &q), RULES_OK);
	assert_int_equal(q.n, 2);
	assert_string_equal(q.item[1].code, "further_year");
	assert_int_equal(q.item[1].qty, 2);
	expect(&per_year_180, 1, false, false, YUAN(180));
	expect(&per_year_180, 3, false, false, YUAN(540));
	/* A seal is charged only where the row prices one. */
	expect(&per_year_180, 1, true, false, YUAN(180));
}

static void test_fee_warranty_free_seal(void **state)
{
	struct rules_quote q;

	(void)state;
	expect(&media_80_warranty, 1, false, false, YUAN(80));
	expect(&media_80_warranty, 1, false, true, 0);
	assert_int_equal(quote(&media_80_warranty, 1, false, true, &q), RULES_OK);
	assert_int_equal(q.n, 1);
	assert_string_equal(q.item[0].code, "media");
	/* A defect means nothing where the hall does not replace free. */
	expect(&set_260, 1, false, true, YUAN(260));
	expect(&unlock_free, 1, false, false, 0);
	expect(&unlock_free, 5, false, false, 0);
	assert_int_equal(quote(&unlock_free, 1, false, false, &q), RULES_OK);
	assert_int_equal(q.n, 1); /* the page can say 免费 */
}

/* A quoted row lists only what is stated; the pre-reviewer gives the total. */
static void test_fee_quoted(void **state)
{
	struct rules_quote q;

	(void)state;
	assert_int_equal(quote(&quoted_seal_130, 1, true, false, &q), RULES_FEE_UNKNOWN);
	assert_int_equal(q.n, 1);
	assert_string_equal(q.item[0].code, "seal_remake");
	assert_int_equal(q.total_fen, YUAN(130));
	assert_int_equal(quote(&quoted_seal_130, 1, false, false, &q), RULES_FEE_UNKNOWN);
	assert_int_equal(q.n, 0);
}

/* Rows no price can come from are refused, whatever the request. */
static void test_fee_broken_rows(void **state)
{
	struct rules_fee f;
	struct rules_quote q;

	(void)state;
	f = set_260, f.basis = RULES_BASIS_NONE;
	assert_int_equal(quote(&f, 1, false, false, &q), RULES_EINVAL);
	f = set_260, f.basis = (enum rules_basis)7;
	assert_int_equal(quote(&f, 1, false, false, &q), RULES_EINVAL);
	f = set_260, f.once_fen = -1; /* priced, and no item */
	assert_int_equal(quote(&f, 1, false, false, &q), RULES_EINVAL);
	f = set_260, f.once_fen = -2;
	assert_int_equal(quote(&f, 1, false, false, &q), RULES_EINVAL);
	f = set_260, f.once_fen = YUAN(1000001);
	assert_int_equal(quote(&f, 1, false, false, &q), RULES_EINVAL);
	f = set_260, f.once_label = NULL;
	assert_int_equal(quote(&f, 1, false, false, &q), RULES_EINVAL);
	f = per_year_180, f.year_code = NULL;
	assert_int_equal(quote(&f, 1, false, false, &q), RULES_EINVAL);
	f = per_year_180, f.year_from = 0;
	assert_int_equal(quote(&f, 1, false, false, &q), RULES_EINVAL);
	f = per_year_180, f.year_from = 3;
	assert_int_equal(quote(&f, 1, false, false, &q), RULES_EINVAL);
	f = set_260, f.max_years = 0;
	assert_int_equal(quote(&f, 1, false, false, &q), RULES_EINVAL);
	f = set_260, f.max_years = 6;
	assert_int_equal(quote(&f, 1, false, false, &q), RULES_EINVAL);
	f = unlock_free, f.once_fen = 100; /* free, and a price */
	assert_int_equal(quote(&f, 1, false, false, &q), RULES_EINVAL);
	f = unlock_free, f.year_fen = 0, f.year_code = "y", f.year_label = "y";
	assert_int_equal(quote(&f, 1, false, false, &q), RULES_EINVAL);
	f = quoted_seal_130, f.seal_fen = -5;
	assert_int_equal(quote(&f, 1, true, false, &q), RULES_EINVAL);
}

static void test_fee_hostile(void **state)
{
	static const int bad_years[] = { 0, 6, -1, 100, INT_MAX, INT_MIN };
	struct rules_quote q;

	(void)state;
	assert_int_equal(rules_quote(NULL, 1, false, false, &q), RULES_EINVAL);
	assert_int_equal(rules_quote(&set_260, 1, false, false, NULL), RULES_EINVAL);
	for (size_t i = 0; i < sizeof(bad_years) / sizeof(bad_years[0]); i++) {
		assert_int_equal(rules_quote(&first_600_then_400, bad_years[i], false, false, &q),
				 RULES_EINVAL);
		/* Years are checked for every business, even where they are not used. */
		assert_int_equal(rules_quote(&unlock_free, bad_years[i], false, false, &q),
				 RULES_EINVAL);
	}
	/* A rejected call leaves no stale quote behind. */
	memset(&q, 0x5a, sizeof(q));
	assert_int_equal(rules_quote(&first_600_then_400, 0, false, false, &q), RULES_EINVAL);
	assert_int_equal(q.n, 0);
	assert_int_equal(q.total_fen, 0);
	assert_false(q.complete);
	memset(&q, 0x5a, sizeof(q));
	assert_int_equal(rules_quote(&set_260, 3, false, false, &q), RULES_YEARS);
	assert_int_equal(q.n, 0);
	assert_false(q.complete);
}

static void test_fee_basis_names(void **state)
{
	(void)state;
	for (int b = 0; b < RULES_BASIS__COUNT; b++)
		assert_int_equal(rules_basis_parse(rules_basis_str((enum rules_basis)b)), b);
	assert_int_equal(rules_basis_parse("Priced"), RULES_BASIS_NONE);
	assert_int_equal(rules_basis_parse(""), RULES_BASIS_NONE);
	assert_int_equal(rules_basis_parse(NULL), RULES_BASIS_NONE);
	assert_string_equal(rules_basis_str(RULES_BASIS_NONE), "");
}

/* ---- PIN delivery (000, 001, 002). */

static void test_pin_by_verification(void **state)
{
	static const char *const lr[] = { "lr_mobile", "lr_card", "lr_face" };
	static const char *const pays[] = { "", "wechat", "alipay", "transfer", "counter" };
	static const char *const kinds[] = { "org", "legal_rep" };

	(void)state;
	/* 000/002: a legal-representative method sends the PIN to the legal representative,
	 * whatever the payment. */
	for (size_t v = 0; v < 3; v++)
		for (size_t p = 0; p < 5; p++)
			for (size_t k = 0; k < 2; k++)
				assert_string_equal(rules_pin_delivery(lr[v], pays[p], kinds[k]), "sms_legal_rep");
	/* 000/002: corporate transfer verification: in the memo; 001: so too with WeChat/Alipay. */
	assert_string_equal(rules_pin_delivery("transfer", "", "org"), "transfer_memo");
	assert_string_equal(rules_pin_delivery("transfer", NULL, "org"), "transfer_memo");
	assert_string_equal(rules_pin_delivery("transfer", "wechat", "org"), "transfer_memo");
	assert_string_equal(rules_pin_delivery("transfer", "alipay", "legal_rep"), "transfer_memo");
	assert_string_equal(rules_pin_delivery("transfer", "counter", "org"), "transfer_memo");
	/* 001: paid by corporate transfer: SMS to the handler (organisation certificate) or the
	 * applicant (a person's certificate). */
	assert_string_equal(rules_pin_delivery("transfer", "transfer", "org"), "sms_handler");
	assert_string_equal(rules_pin_delivery("transfer", "transfer", "legal_rep"), "sms_applicant");
	/* No enterprise verification (a personal certificate). */
	assert_string_equal(rules_pin_delivery("", "", "person"), "sms_applicant");
	assert_string_equal(rules_pin_delivery(NULL, "wechat", "person"), "sms_applicant");
	assert_string_equal(rules_pin_delivery("", "transfer", "person"), "sms_applicant");
	assert_string_equal(rules_pin_delivery("", "", "org"), "sms_handler");
	/* Mail-in: nothing verified online, the PIN goes with the key. */
	/* No guide prints "密码信封": a mail-in order's PIN goes by SMS like any order without an
	 * enterprise verification. */
	assert_string_equal(rules_pin_delivery("mail_in", "", "org"), "sms_handler");
	assert_string_equal(rules_pin_delivery("mail_in", "transfer", "person"), "sms_applicant");
	assert_string_equal(rules_pin_delivery("mail_in", "wechat", "legal_rep"), "sms_applicant");
}

static void test_pin_hostile(void **state)
{
	(void)state;
	assert_null(rules_pin_delivery("transfer", "", NULL));
	assert_null(rules_pin_delivery("transfer", "", ""));
	assert_null(rules_pin_delivery("transfer", "", "ORG"));
	assert_null(rules_pin_delivery("transfer", "", "org "));
	assert_null(rules_pin_delivery("lr_mobile", "", "company"));
	assert_null(rules_pin_delivery("face", "", "org"));
	assert_null(rules_pin_delivery("TRANSFER", "", "org"));
	assert_null(rules_pin_delivery("transfer ", "", "org"));
	assert_null(rules_pin_delivery("lr_mobile'--", "", "org"));
	assert_null(rules_pin_delivery("transfer", "bitcoin", "org"));
	assert_null(rules_pin_delivery("transfer", "Transfer", "org"));
	assert_null(rules_pin_delivery("lr_card", "<script>", "org"));
}

static void test_pin_text(void **state)
{
	static const char *const codes[] = { "transfer_memo", "sms_legal_rep", "sms_handler",
					     "sms_applicant" };

	(void)state;
	for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		const char *t = rules_pin_delivery_text(codes[i]);

		assert_non_null(t);
		assert_true(valid_text(t, strlen(t), 200));
		assert_non_null(strstr(t, "PIN"));
	}
	assert_non_null(strstr(rules_pin_delivery_text("sms_legal_rep"), "法定代表人"));
	assert_non_null(strstr(rules_pin_delivery_text("sms_handler"), "经办人"));
	assert_non_null(strstr(rules_pin_delivery_text("sms_applicant"), "申请人"));
	assert_non_null(strstr(rules_pin_delivery_text("transfer_memo"), "附言"));
	assert_null(rules_pin_delivery_text("mail_in_paper")); /* no guide's words */
	assert_null(rules_pin_delivery_text(NULL));
	assert_null(rules_pin_delivery_text(""));
	assert_null(rules_pin_delivery_text("sms"));
	assert_null(rules_pin_delivery_text("SMS_HANDLER"));
	/* Every code the function gives has a text. */
	{
		static const char *const vms[] = { "", "transfer", "lr_mobile", "lr_card", "lr_face", "mail_in" };
		static const char *const pms[] = { "", "wechat", "alipay", "transfer", "counter" };
		static const char *const ks[] = { "org", "legal_rep", "person" };

		for (size_t v = 0; v < 6; v++)
			for (size_t p = 0; p < 5; p++)
				for (size_t k = 0; k < 3; k++)
					assert_non_null(rules_pin_delivery_text(
						rules_pin_delivery(vms[v], pms[p], ks[k])));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_date_valid),
		cmocka_unit_test(test_days_known),
		cmocka_unit_test(test_days_roundtrip),
		cmocka_unit_test(test_add_years),
		cmocka_unit_test(test_window_days_left),
		cmocka_unit_test(test_window_expired),
		cmocka_unit_test(test_window_invalid),
		cmocka_unit_test(test_validity_not_expired),
		cmocka_unit_test(test_validity_expired),
		cmocka_unit_test(test_validity_rejects),
		cmocka_unit_test(test_warranty),
		cmocka_unit_test(test_fee_once_and_years),
		cmocka_unit_test(test_fee_warranty_free_seal),
		cmocka_unit_test(test_fee_quoted),
		cmocka_unit_test(test_fee_broken_rows),
		cmocka_unit_test(test_fee_hostile),
		cmocka_unit_test(test_fee_basis_names),
		cmocka_unit_test(test_pin_by_verification),
		cmocka_unit_test(test_pin_hostile),
		cmocka_unit_test(test_pin_text),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
