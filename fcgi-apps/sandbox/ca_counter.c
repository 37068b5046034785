/* sandbox: a certificate the CA issued at its counter (or by its old system), outside the hall:
 * what `certhall-admin import-certs --from-ca` finds through the CA's search. */
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>

#include "base/valid.h"
#include "sandbox.h"

/*
 * POST /sandbox/ca/counter {"key": "rsa" | "sm2", "holder": "<CN>", "subject": "<O: the
 *      organisation; empty for a person>", "subject_id": "<USCC, or the person's ID number>",
 *      "issued_days_ago": 0..364 (optional), "pin": "<6 to 8 digits, optional>"}
 *      (unsigned, like /sandbox/token: the console's dev tools and tests call it)
 *      201 {"token_serial", "pin", "serial", "not_before", "not_after"} (Unix seconds)
 * The counter hands over a token with the key on it, as a CA's counter does, and the
 * certificate names its subject as counters' certificates do: the organisation's USCC as
 * organizationIdentifier, a person's ID number as serialNumber (cert_csr_pem_id). Its end
 * entity is "counter-<token serial>", never "certhall-…", which is the hall's own.
 */

struct counter_in {
	const char *key, *holder, *subject, *subject_id, *pin;
};

static bool key_ok(const char *s)
{
	return strcmp(s, "rsa") == 0 || strcmp(s, "sm2") == 0;
}

static const struct req_field counter_fields[] = {
	{ "key", true, 3, key_ok, "key 应为 rsa 或 sm2。", offsetof(struct counter_in, key) },
	{ "holder", true, 64, valid_plain_name, "holder（证书持有者名称）不能为空，最多 64 个字符。",
	  offsetof(struct counter_in, holder) },
	{ "subject", false, 64, valid_plain_name, "subject（单位名称）最多 64 个字符。",
	  offsetof(struct counter_in, subject) },
	{ "subject_id", true, 18, NULL, "subject_id 应为统一社会信用代码或身份证号。",
	  offsetof(struct counter_in, subject_id) },
	{ "pin", false, 8, valid_pin, "pin 应为 6 至 8 位数字。", offsetof(struct counter_in, pin) },
};

int sandbox_ca_counter(struct req *r)
{
	struct counter_in in;
	struct sandbox_new_token t = { .csr = NULL };
	struct cert_csr_info ci;
	struct cert_info info;
	struct sca *ca;
	X509_REQ *req = NULL;
	X509 *x = NULL;
	json_t *body, *ago;
	char username[32], serial[CERT_SERIAL_MAX + 1];
	bool org;
	long days = 0;
	int ret = -1;

	if (sandbox_ready(r) < 0 || req_json(r, &body) < 0 ||
	    REQ_FIELDS(r, body, counter_fields, &in) < 0)
		return -1;
	org = in.subject != NULL && in.subject[0] != '\0';
	if (!in.holder[0])
		return sandbox_error(r, 400, "invalid_field", true, "holder", "holder（证书持有者名称）不能为空。");
	if (org ? !valid_uscc(in.subject_id) : !valid_resident_id(in.subject_id))
		return sandbox_error(r, 400, "invalid_field", true, "subject_id",
				     org ? "subject_id 不是有效的统一社会信用代码。"
					 : "subject_id 不是有效的居民身份证号。");
	ago = json_object_get(body, "issued_days_ago");
	if (ago != NULL) {
		if (!json_is_integer(ago) || json_integer_value(ago) < 0 || json_integer_value(ago) > 364)
			return sandbox_error(r, 400, "invalid_field", true, "issued_days_ago",
					     "issued_days_ago 应为 0 至 364 的整数。");
		days = (long)json_integer_value(ago);
	}
	if ((ca = sandbox_find_ca(r, strcmp(in.key, "sm2") == 0 ? r->app->conf.ca_sm2_name
							      : r->app->conf.ca_rsa_name, NULL)) == NULL)
		return -1;
	if (sandbox_token_make(r, in.key, in.holder, org ? in.subject : NULL, in.subject_id, in.pin,
			       &t) < 0)
		return -1;
	snprintf(username, sizeof(username), "counter-%s", t.serial);
	if ((req = cert_csr_read(t.csr, strlen(t.csr))) == NULL || cert_csr_info_of(req, &ci) < 0) {
		ERR_clear_error();
		ret = resp_error(r, ERR_INTERNAL, NULL, NULL);
		goto out;
	}
	if ((x = sandbox_ca_sign(r, ca, req, &ci, username, days, serial)) == NULL)
		goto out;
	if (cert_info_of(x, &info) < 0) {
		ERR_clear_error();
		ret = resp_error(r, ERR_INTERNAL, NULL, NULL);
		goto out;
	}
	resp_json(r, 201, json_pack("{s:s, s:s, s:s, s:I, s:I}", "token_serial", t.serial, "pin",
				    t.pin, "serial", serial, "not_before", (json_int_t)info.not_before,
				    "not_after", (json_int_t)info.not_after));
	ret = 0;
out:
	X509_free(x);
	X509_REQ_free(req);
	free(t.csr);
	return ret;
}
