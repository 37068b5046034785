/* wizard: which steps an order goes through, by business and certificate kind (DOMAIN.md). */
#include <string.h>

#include "base/strlist.h"
#include "domain/order.h"
#include "wizard.h"

static const char *const step_names[STEP__COUNT] = {
	[STEP_AGREEMENTS] = "agreements", [STEP_ENTERPRISE] = "enterprise",
	[STEP_HANDLER] = "handler",       [STEP_APPLICANT] = "applicant",
	[STEP_FINANCIAL] = "financial",   [STEP_CHANGE] = "change",
	[STEP_PRODUCT] = "product",       [STEP_FORM] = "form",
	[STEP_MATERIALS] = "materials",   [STEP_SIGN] = "sign",
	[STEP_PAY] = "pay",
};

const char *wizard_step_name(enum wizard_step s)
{
	return (unsigned)s < STEP__COUNT ? step_names[s] : NULL;
}

int wizard_step_from_name(const char *name)
{
	for (int i = 0; name && i < STEP__COUNT; i++)
		if (strcmp(step_names[i], name) == 0)
			return i;
	return -1;
}


bool wizard_business_targets_cert(const char *business)
{
	return !str_is(business, "new") && !str_is(business, "add");
}

bool wizard_ships_key(const struct order *o)
{
	return order_ships_key(o->business, order_by_mail(o));
}

bool wizard_plan_has(const struct order *o, enum wizard_step s)
{
	const char *b = o->business;
	bool org = str_is(o->kind, "org") || str_is(o->kind, "legal_rep");
	bool renew = str_is(b, "renew"), unlock = str_is(b, "unlock");

	switch (s) {
	case STEP_AGREEMENTS:
	case STEP_HANDLER:
	case STEP_SIGN:
		return true;
	case STEP_ENTERPRISE:
		/* The organisation proves itself, unless the certificate in hand does (002: online
		 * renewal and unlock need the key inserted) or there is no organisation. */
		return org && !renew && !unlock;
	case STEP_FINANCIAL:
		return org && !renew && !unlock && str_is(o->verify_method, "transfer");
	case STEP_APPLICANT:
		return !str_is(o->kind, "org");
	case STEP_CHANGE:
		return str_is(b, "change");
	case STEP_PRODUCT:
		/* Years, invoice and mailing; unlock and revocation have none of them. */
		if (str_is(b, "change"))
			return wizard_ships_key(o);
		return !unlock && !str_is(b, "revoke");
	case STEP_FORM:
		/* Online renewal inside the window needs no paper (002); one expired longer does. */
		return !renew || !str_is(o->renew_mode, "online");
	case STEP_MATERIALS:
		/* Mail-in sends the paper itself by courier, nothing is uploaded (002 线下邮寄). */
		return (!renew || !str_is(o->renew_mode, "online")) && !o->mail_in;
	case STEP_PAY:
		return o->amount_fen != 0;
	default:
		return false;
	}
}

json_t *wizard_warnings(const char *business)
{
	json_t *w = json_array();

	/* 002 "办理证书丢失补办业务后，原有证书将会自动吊销，将不能再继续使用"; 004 "补办证书后，被选择
	 * 补办的原证书将自动注销，且无法再恢复！！！". No guide says so of a damaged key's: its key is
	 * sent in for inspection (002) and a new one is made, and a certificate whose key the CA
	 * holds is not left valid beside its replacement: it is revoked (superseded) when the new
	 * one is made, and the applicant is told so here. */
	if (w && str_is(business, "lost"))
		json_array_append_new(w, json_string("补办证书后，被选择补办的原证书将自动吊销（注销），"
						     "不能再继续使用，且无法恢复。请务必确认选择的证书正确。"));
	if (w && str_is(business, "damaged"))
		json_array_append_new(w, json_string("新证书制作完成时，被选择补办的原证书将自动吊销（注销），"
						     "不能再继续使用，且无法恢复。请务必确认选择的证书正确。"));
	if (w && str_is(business, "revoke"))
		/* Whether the key goes back is the hall's (003 lists "需要注销的电子密匙" among its
		 * counter's materials; 002's 吊销 materials do not): not said for every hall here. */
		json_array_append_new(w, json_string("证书注销后不能再使用，且无法恢复。"));
	return w;
}
