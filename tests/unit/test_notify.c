/* Unit tests of shared/notify*.c and http.c: published signature vectors, builders, parsers, a local HTTP exchange. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "base/conf.h"
#include "ext/http.h"
#include "ext/notify.h"
#include "ext/provider.h"

#define WEBHOOK_SECRET "whsec_test"

/* ------------------------------------------------------------------ Alibaba Cloud vectors */

/*
 * Alibaba Cloud SMS, "HTTP协议及签名" (SendSms signature example):
 * https://help.aliyun.com/document_detail/56189.html
 * AccessKeyId testId, AccessKeySecret testSecret; the published StringToSign and Signature.
 */
static const char *const ALI_SMS_KV[] = {
	"AccessKeyId", "testId",
	"Action", "SendSms",
	"Format", "XML",
	"OutId", "123",
	"PhoneNumbers", "15300000001",
	"RegionId", "cn-hangzhou",
	"SignName", "阿里云短信测试专用",
	"SignatureMethod", "HMAC-SHA1",
	"SignatureNonce", "45e25e9b-0a6f-4070-8c85-2956eda1b466",
	"SignatureVersion", "1.0",
	"TemplateCode", "SMS_71390007",
	"TemplateParam", "{\"customer\":\"test\"}",
	"Timestamp", "2017-07-12T02:42:19Z",
	"Version", "2017-05-25",
	NULL,
};
static const char ALI_SMS_STS[] =
	"GET&%2F&AccessKeyId%3DtestId%26Action%3DSendSms%26Format%3DXML%26OutId%3D123"
	"%26PhoneNumbers%3D15300000001%26RegionId%3Dcn-hangzhou%26SignName%3D%25E9%2598%25BF"
	"%25E9%2587%258C%25E4%25BA%2591%25E7%259F%25AD%25E4%25BF%25A1%25E6%25B5%258B%25E8%25AF"
	"%2595%25E4%25B8%2593%25E7%2594%25A8%26SignatureMethod%3DHMAC-SHA1%26SignatureNonce%3D"
	"45e25e9b-0a6f-4070-8c85-2956eda1b466%26SignatureVersion%3D1.0%26TemplateCode%3D"
	"SMS_71390007%26TemplateParam%3D%257B%2522customer%2522%253A%2522test%2522%257D"
	"%26Timestamp%3D2017-07-12T02%253A42%253A19Z%26Version%3D2017-05-25";
static const char ALI_SMS_SIG[] = "zJDF+Lrzhj/ThnlvIToysFRq6t4=";

/*
 * Alibaba Cloud RPC "Request signatures" example (ECS DescribeRegions, AccessKeyId testid,
 * AccessKeySecret testsecret), e.g. https://www.alibabacloud.com/help/en/ecs/developer-reference/request-signatures
 * Given here in scrambled order: the signer sorts.
 */
static const char *const ALI_RPC_KV[] = {
	"Timestamp", "2016-02-23T12:46:24Z",
	"Format", "XML",
	"AccessKeyId", "testid",
	"Action", "DescribeRegions",
	"SignatureMethod", "HMAC-SHA1",
	"SignatureNonce", "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf",
	"Version", "2014-05-26",
	"SignatureVersion", "1.0",
	NULL,
};
static const char ALI_RPC_STS[] =
	"GET&%2F&AccessKeyId%3Dtestid%26Action%3DDescribeRegions%26Format%3DXML"
	"%26SignatureMethod%3DHMAC-SHA1%26SignatureNonce%3D3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf"
	"%26SignatureVersion%3D1.0%26Timestamp%3D2016-02-23T12%253A46%253A24Z"
	"%26Version%3D2014-05-26";
static const char ALI_RPC_SIG[] = "OLeaidS1JvxuMvnyHOwuJ+uX5qY=";

static void test_alibaba_sms_doc_vector(void **state)
{
	char sts[4096];
	char sig[64];

	(void)state;
	assert_int_equal(notify_alibaba_string_to_sign("GET", ALI_SMS_KV, sts, sizeof(sts)), 0);
	assert_string_equal(sts, ALI_SMS_STS);
	assert_int_equal(notify_alibaba_sign("testSecret", "GET", ALI_SMS_KV, sig, sizeof(sig)), 0);
	assert_string_equal(sig, ALI_SMS_SIG);
}

static void test_alibaba_rpc_doc_vector(void **state)
{
	char sts[4096];
	char sig[64];

	(void)state;
	assert_int_equal(notify_alibaba_string_to_sign("GET", ALI_RPC_KV, sts, sizeof(sts)), 0);
	assert_string_equal(sts, ALI_RPC_STS);
	assert_int_equal(notify_alibaba_sign("testsecret", "GET", ALI_RPC_KV, sig, sizeof(sig)), 0);
	assert_string_equal(sig, ALI_RPC_SIG);
	/* A different secret must not give the same signature. */
	assert_int_equal(notify_alibaba_sign("testsecreT", "GET", ALI_RPC_KV, sig, sizeof(sig)), 0);
	assert_string_not_equal(sig, ALI_RPC_SIG);
}

static void test_percent_encoding(void **state)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{ "a b", "a%20b" },
		{ "*", "%2A" },
		{ "~", "~" },
		{ "-_.", "-_." },
		{ "中文", "%E4%B8%AD%E6%96%87" },
		{ "+/=&", "%2B%2F%3D%26" },
		{ "2016-02-23T12:46:24Z", "2016-02-23T12%3A46%3A24Z" },
		{ "{\"k\":\"v\"}", "%7B%22k%22%3A%22v%22%7D" },
		{ "", "" },
	};
	char out[64];
	size_t i, len;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		len = 0;
		assert_int_equal(notify_pct_append(out, sizeof(out), &len, cases[i].in), 0);
		assert_string_equal(out, cases[i].out);
		assert_int_equal(len, strlen(cases[i].out));
	}
	/* Too small: refused, and the output stays a NUL-terminated prefix of whole escapes. */
	len = 0;
	assert_int_equal(notify_pct_append(out, 5, &len, "中文"), -1);
	assert_string_equal(out, "%E4");
	len = 0;
	assert_int_equal(notify_pct_append(out, 4, &len, "abcd"), -1);
	assert_string_equal(out, "abc");
}

static void test_alibaba_send_url(void **state)
{
	struct notify_provider p = { 0 };
	json_t *params = json_pack("{s:s}", "code", "123456");
	struct notify_msg m = { .channel = "sms", .to = "13800000000", .template_id = "SMS_1",
				.params = params, .text = "", .idem_key = "ob-1" };
	char url[8192];
	char err[128];

	(void)state;
	snprintf(p.kind, sizeof(p.kind), "alibaba");
	snprintf(p.endpoint, sizeof(p.endpoint), "https://dysmsapi.aliyuncs.com/");
	snprintf(p.key_id, sizeof(p.key_id), "testId");
	snprintf(p.secret, sizeof(p.secret), "testSecret");
	snprintf(p.sign_name, sizeof(p.sign_name), "证书营业厅");
	assert_int_equal(notify_alibaba_send_url(&p, &m, 1499827339, "nonce1", url, sizeof(url), err,
						 sizeof(err)),
			 0);
	assert_non_null(strstr(url, "https://dysmsapi.aliyuncs.com/?AccessKeyId=testId&Action=SendSms&"));
	assert_non_null(strstr(url, "&OutId=ob-1&"));
	assert_non_null(strstr(url, "&PhoneNumbers=13800000000&"));
	assert_non_null(strstr(url, "&TemplateParam=%7B%22code%22%3A%22123456%22%7D&"));
	assert_non_null(strstr(url, "&Timestamp=2017-07-12T02%3A42%3A19Z&"));
	assert_non_null(strstr(url, "&Signature="));
	/* No template: refused before anything is sent. */
	m.template_id = "";
	assert_int_equal(notify_alibaba_send_url(&p, &m, 0, "n", url, sizeof(url), err, sizeof(err)),
			 -1);
	/* Query needs a YYYYMMDD date. */
	m.sent_date = "2024-01-01";
	assert_int_equal(notify_alibaba_query_url(&p, &m, 0, "n", url, sizeof(url), err,
						  sizeof(err)),
			 -1);
	m.sent_date = "20240101";
	assert_int_equal(notify_alibaba_query_url(&p, &m, 0, "n", url, sizeof(url), err,
						  sizeof(err)),
			 0);
	assert_non_null(strstr(url, "Action=QuerySendDetails&CurrentPage=1&"));
	assert_non_null(strstr(url, "&PageSize=50&PhoneNumber=13800000000&"));
	assert_non_null(strstr(url, "&SendDate=20240101&"));
	json_decref(params);
}

#define PARSE_SEND(fn, status, body, want)                                           \
	do {                                                                         \
		struct notify_outcome o_;                                            \
		memset(&o_, 0x55, sizeof(o_));                                       \
		fn((status), (body), strlen(body), &o_);                             \
		if (o_.result != (want))                                             \
			fail_msg("%s(%ld, %s): result %d, want %d (%s)", #fn,        \
				 (long)(status), (body), o_.result, (want), o_.error); \
	} while (0)

static void test_alibaba_parse_send(void **state)
{
	struct notify_outcome o;
	static const struct {
		const char *code;
		enum notify_result want;
	} codes[] = {
		{ "isv.MOBILE_NUMBER_ILLEGAL", NOTIFY_PERMANENT },
		{ "isv.TEMPLATE_MISSING_PARAMETERS", NOTIFY_PERMANENT },
		{ "isv.SMS_TEMPLATE_ILLEGAL", NOTIFY_PERMANENT },
		{ "isv.SMS_SIGNATURE_ILLEGAL", NOTIFY_PERMANENT },
		{ "InvalidAccessKeyId.NotFound", NOTIFY_PERMANENT },
		{ "SignatureDoesNotMatch", NOTIFY_PERMANENT },
		{ "isv.BLACK_KEY_CONTROL_LIMIT", NOTIFY_PERMANENT },
		{ "isv.AMOUNT_NOT_ENOUGH", NOTIFY_RETRY },
		{ "isv.BUSINESS_LIMIT_CONTROL", NOTIFY_RETRY },
		{ "Throttling.User", NOTIFY_RETRY },
		{ "isp.SYSTEM_ERROR", NOTIFY_RETRY },
		{ "isv.SOMETHING_NEW", NOTIFY_RETRY },
	};
	char body[256];
	size_t i;

	(void)state;
	notify_alibaba_parse_send(200, "{\"Code\":\"OK\",\"Message\":\"OK\",\"BizId\":\"900619746936498440^0\",\"RequestId\":\"F655A8D5\"}",
				  strlen("{\"Code\":\"OK\",\"Message\":\"OK\",\"BizId\":\"900619746936498440^0\",\"RequestId\":\"F655A8D5\"}"),
				  &o);
	assert_int_equal(o.result, NOTIFY_SENT);
	assert_string_equal(o.provider_id, "900619746936498440^0");
	for (i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		snprintf(body, sizeof(body), "{\"Code\":\"%s\",\"Message\":\"触发限制\"}", codes[i].code);
		PARSE_SEND(notify_alibaba_parse_send, 200L, body, codes[i].want);
	}
	/* Alibaba answers some errors with a 4xx status and the same JSON. */
	PARSE_SEND(notify_alibaba_parse_send, 400L,
		   "{\"Code\":\"SignatureDoesNotMatch\",\"Message\":\"bad sig\"}", NOTIFY_PERMANENT);
	notify_alibaba_parse_send(200, "{\"Code\":\"isv.MOBILE_NUMBER_ILLEGAL\",\"Message\":\"非法手机号\"}",
				  strlen("{\"Code\":\"isv.MOBILE_NUMBER_ILLEGAL\",\"Message\":\"非法手机号\"}"), &o);
	assert_string_equal(o.error, "isv.MOBILE_NUMBER_ILLEGAL: 非法手机号");
	PARSE_SEND(notify_alibaba_parse_send, 500L, "{\"Code\":\"OK\"}", NOTIFY_RETRY);
	PARSE_SEND(notify_alibaba_parse_send, 503L, "", NOTIFY_RETRY);
	PARSE_SEND(notify_alibaba_parse_send, 200L, "<html>", NOTIFY_UNKNOWN);
	PARSE_SEND(notify_alibaba_parse_send, 404L, "not here", NOTIFY_RETRY);
}

static void test_alibaba_parse_query(void **state)
{
	static const char found[] =
		"{\"Code\":\"OK\",\"TotalCount\":2,\"SmsSendDetailDTOs\":{\"SmsSendDetailDTO\":["
		"{\"OutId\":\"other\",\"SendStatus\":3},{\"OutId\":\"ob-7\",\"SendStatus\":1}]}}";
	static const char absent[] =
		"{\"Code\":\"OK\",\"TotalCount\":\"1\",\"SmsSendDetailDTOs\":{\"SmsSendDetailDTO\":["
		"{\"OutId\":\"other\",\"SendStatus\":3}]}}";
	static const char empty[] = "{\"Code\":\"OK\",\"TotalCount\":0,\"SmsSendDetailDTOs\":{}}";
	static const char paged[] =
		"{\"Code\":\"OK\",\"TotalCount\":51,\"SmsSendDetailDTOs\":{\"SmsSendDetailDTO\":["
		"{\"OutId\":\"other\"}]}}";
	static const char failed[] = "{\"Code\":\"isv.BUSINESS_LIMIT_CONTROL\",\"Message\":\"x\"}";
	struct notify_outcome o;

	(void)state;
	notify_alibaba_parse_query(200, found, strlen(found), "ob-7", &o);
	assert_int_equal(o.result, NOTIFY_SENT);
	notify_alibaba_parse_query(200, absent, strlen(absent), "ob-7", &o);
	assert_int_equal(o.result, NOTIFY_NOT_FOUND);
	notify_alibaba_parse_query(200, empty, strlen(empty), "ob-7", &o);
	assert_int_equal(o.result, NOTIFY_NOT_FOUND);
	/* Not every message of the day was listed: cannot say "not found". */
	notify_alibaba_parse_query(200, paged, strlen(paged), "ob-7", &o);
	assert_int_equal(o.result, NOTIFY_UNKNOWN);
	/* The query itself failed: never NOT_FOUND. */
	notify_alibaba_parse_query(200, failed, strlen(failed), "ob-7", &o);
	assert_int_equal(o.result, NOTIFY_UNKNOWN);
	notify_alibaba_parse_query(500, empty, strlen(empty), "ob-7", &o);
	assert_int_equal(o.result, NOTIFY_UNKNOWN);
	notify_alibaba_parse_query(200, "", 0, "ob-7", &o);
	assert_int_equal(o.result, NOTIFY_UNKNOWN);
}

/* ------------------------------------------------------------------ Tencent Cloud vectors */

/*
 * Tencent Cloud API 3.0 "Signature v3" (签名方法 v3), the CVM DescribeInstances example:
 * https://www.tencentcloud.com/document/api/213/33224 (zh: https://cloud.tencent.com/document/api/213/30654)
 * SecretId AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE, SecretKey Gu5t9xGARNpq86cd98joQYCN3EXAMPLE,
 * timestamp 1551113065; every intermediate value below is the one the page publishes. Later
 * revisions of the page mask the keys as "...*******" and publish the signature computed with
 * that masked string taken literally; both are checked.
 */
static const char TC_PAYLOAD[] =
	"{\"Limit\": 1, \"Filters\": [{\"Values\": [\"\\u672a\\u547d\\u540d\"], \"Name\": \"instance-name\"}]}";
static const char TC_PAYLOAD_HASH[] = "35e9c5b0e3ae67532d3c9f17ead6c90222632e5b1ff7f6e89887f1398934f064";
static const char TC_CANONICAL[] = "POST\n/\n\ncontent-type:application/json; charset=utf-8\n"
				   "host:cvm.tencentcloudapi.com\n\ncontent-type;host\n"
				   "35e9c5b0e3ae67532d3c9f17ead6c90222632e5b1ff7f6e89887f1398934f064";
static const char TC_CANONICAL_HASH[] = "5ffe6a04c0664d6b969fab9a13bdab201d63ee709638e2749d62a09ca18d7031";
static const char TC_STS[] = "TC3-HMAC-SHA256\n1551113065\n2019-02-25/cvm/tc3_request\n"
			     "5ffe6a04c0664d6b969fab9a13bdab201d63ee709638e2749d62a09ca18d7031";
static const char TC_SIG_EXAMPLE[] = "72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168";
static const char TC_SIG_MASKED[] = "2230eefd229f582d8b1b891af7107b91597240707d778ab3738f756258d7652c";

static void test_tencent_doc_vector(void **state)
{
	struct notify_tc3 sig;
	char auth[512];

	(void)state;
	assert_int_equal(notify_tencent_sign("Gu5t9xGARNpq86cd98joQYCN3EXAMPLE", "cvm",
					     "cvm.tencentcloudapi.com",
					     "application/json; charset=utf-8", 1551113065,
					     TC_PAYLOAD, strlen(TC_PAYLOAD), &sig),
			 0);
	assert_string_equal(sig.date, "2019-02-25"); /* UTC, although UTC+8 is already the 26th */
	assert_string_equal(sig.payload_hash, TC_PAYLOAD_HASH);
	assert_string_equal(sig.canonical_request, TC_CANONICAL);
	assert_string_equal(sig.canonical_hash, TC_CANONICAL_HASH);
	assert_string_equal(sig.string_to_sign, TC_STS);
	assert_string_equal(sig.signature, TC_SIG_EXAMPLE);
	assert_int_equal(notify_tencent_authorization("AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE", "cvm",
						      &sig, auth, sizeof(auth)),
			 0);
	assert_string_equal(auth, "TC3-HMAC-SHA256 Credential=AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE/"
				  "2019-02-25/cvm/tc3_request, SignedHeaders=content-type;host, "
				  "Signature=72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168");

	assert_int_equal(notify_tencent_sign("Gu5t9xGARNpq86cd98joQYCN3*******", "cvm",
					     "cvm.tencentcloudapi.com",
					     "application/json; charset=utf-8", 1551113065,
					     TC_PAYLOAD, strlen(TC_PAYLOAD), &sig),
			 0);
	assert_string_equal(sig.string_to_sign, TC_STS);
	assert_string_equal(sig.signature, TC_SIG_MASKED);
}

static void test_tencent_send_body(void **state)
{
	struct notify_provider p = { 0 };
	json_t *params = json_pack("{s:s, s:s, s:s}", "2", "b", "10", "c", "1", "a");
	struct notify_msg m = { .channel = "sms", .to = "13800000000", .template_id = "1234567",
				.params = params, .idem_key = "ob-9" };
	char err[128];
	char *s;

	(void)state;
	snprintf(p.app_id, sizeof(p.app_id), "1400006666");
	snprintf(p.sign_name, sizeof(p.sign_name), "腾讯云");
	s = notify_tencent_send_body(&p, &m, err, sizeof(err));
	assert_non_null(s);
	/* Numbered slots go in slot order (1, 2, 10), not in text order or stored order. */
	assert_string_equal(s, "{\"PhoneNumberSet\":[\"+8613800000000\"],\"SmsSdkAppId\":\"1400006666\","
			       "\"SignName\":\"腾讯云\",\"TemplateId\":\"1234567\","
			       "\"SessionContext\":\"ob-9\",\"TemplateParamSet\":[\"a\",\"b\",\"c\"]}");
	free(s);
	json_decref(params);

	/* Named keys keep their stored order. */
	params = json_pack("{s:s, s:s}", "name", "张三", "code", "1234");
	m.params = params;
	m.to = "+85261234567";
	s = notify_tencent_send_body(&p, &m, err, sizeof(err));
	assert_non_null(s);
	assert_non_null(strstr(s, "\"PhoneNumberSet\":[\"+85261234567\"]"));
	assert_non_null(strstr(s, "\"TemplateParamSet\":[\"张三\",\"1234\"]"));
	free(s);
	json_decref(params);

	/* A parameter that is not a string cannot fill a slot. */
	params = json_pack("{s:i}", "1", 5);
	m.params = params;
	assert_null(notify_tencent_send_body(&p, &m, err, sizeof(err)));
	json_decref(params);

	m.params = NULL;
	m.sent_date = "20190225";
	s = notify_tencent_query_body(&p, &m, 1551113065 + 30 * 86400, err, sizeof(err));
	assert_non_null(s);
	/* 2019-02-24T00:00:00Z .. 2019-02-28T00:00:00Z: a day before, two after. */
	assert_non_null(strstr(s, "\"BeginTime\":1550966400"));
	assert_non_null(strstr(s, "\"EndTime\":1551312000"));
	assert_non_null(strstr(s, "\"Limit\":100"));
	free(s);
	/* ... but never past now. */
	s = notify_tencent_query_body(&p, &m, 1551113065, err, sizeof(err));
	assert_non_null(strstr(s, "\"EndTime\":1551113065"));
	free(s);
}

static void test_tencent_parse(void **state)
{
	static const struct {
		const char *code;
		enum notify_result want;
	} codes[] = {
		{ "FailedOperation.PhoneNumberInBlacklist", NOTIFY_PERMANENT },
		{ "InvalidParameterValue.IncorrectPhoneNumber", NOTIFY_PERMANENT },
		{ "FailedOperation.TemplateIncorrectOrUnapproved", NOTIFY_PERMANENT },
		{ "FailedOperation.SignatureIncorrectOrUnapproved", NOTIFY_PERMANENT },
		{ "LimitExceeded.PhoneNumberDailyLimit", NOTIFY_RETRY },
		{ "LimitExceeded.PhoneNumberThirtySecondLimit", NOTIFY_RETRY },
		{ "InternalError.Timeout", NOTIFY_RETRY },
		{ "FailedOperation.InsufficientBalanceInSmsPackage", NOTIFY_RETRY },
	};
	static const char ok[] = "{\"Response\":{\"SendStatusSet\":[{\"SerialNo\":\"5000:1045710669157053657849499619\","
				 "\"PhoneNumber\":\"+8618511122233\",\"Fee\":1,\"SessionContext\":\"ob-9\","
				 "\"Code\":\"Ok\",\"Message\":\"send success\",\"IsoCode\":\"CN\"}],"
				 "\"RequestId\":\"a0aabda6-cf91-4f3e-a81f-9198114a2279\"}}";
	static const char report[] = "{\"Response\":{\"PullSmsSendStatusSet\":[{\"SerialNo\":\"5000:1\","
				     "\"ReportStatus\":\"SUCCESS\",\"SessionContext\":\"other\"},"
				     "{\"SerialNo\":\"5000:2\",\"ReportStatus\":\"FAIL\",\"SessionContext\":\"ob-9\"}],"
				     "\"RequestId\":\"r\"}}";
	static const char none[] = "{\"Response\":{\"PullSmsSendStatusSet\":[],\"RequestId\":\"r\"}}";
	struct notify_outcome o;
	char body[512];
	size_t i;

	(void)state;
	notify_tencent_parse_send(200, ok, strlen(ok), &o);
	assert_int_equal(o.result, NOTIFY_SENT);
	assert_string_equal(o.provider_id, "5000:1045710669157053657849499619");
	for (i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		snprintf(body, sizeof(body),
			 "{\"Response\":{\"SendStatusSet\":[{\"SerialNo\":\"\",\"Code\":\"%s\","
			 "\"Message\":\"m\"}],\"RequestId\":\"r\"}}",
			 codes[i].code);
		PARSE_SEND(notify_tencent_parse_send, 200L, body, codes[i].want);
		/* The same codes at the request level. */
		snprintf(body, sizeof(body),
			 "{\"Response\":{\"Error\":{\"Code\":\"%s\",\"Message\":\"m\"},\"RequestId\":\"r\"}}",
			 codes[i].code);
		PARSE_SEND(notify_tencent_parse_send, 200L, body, codes[i].want);
	}
	PARSE_SEND(notify_tencent_parse_send, 200L,
		   "{\"Response\":{\"Error\":{\"Code\":\"AuthFailure.SignatureFailure\",\"Message\":\"m\"}}}",
		   NOTIFY_PERMANENT);
	PARSE_SEND(notify_tencent_parse_send, 200L,
		   "{\"Response\":{\"Error\":{\"Code\":\"AuthFailure.SignatureExpire\",\"Message\":\"m\"}}}",
		   NOTIFY_RETRY);
	PARSE_SEND(notify_tencent_parse_send, 502L, "bad gateway", NOTIFY_RETRY);
	PARSE_SEND(notify_tencent_parse_send, 200L, "{\"Response\":{}}", NOTIFY_UNKNOWN);

	notify_tencent_parse_query(200, report, strlen(report), "ob-9", &o);
	assert_int_equal(o.result, NOTIFY_SENT);
	assert_string_equal(o.provider_id, "5000:2");
	/* No report is not proof of no message: UNKNOWN, never NOT_FOUND. */
	notify_tencent_parse_query(200, none, strlen(none), "ob-9", &o);
	assert_int_equal(o.result, NOTIFY_UNKNOWN);
	notify_tencent_parse_query(200, report, strlen(report), "ob-10", &o);
	assert_int_equal(o.result, NOTIFY_UNKNOWN);
}

/* ------------------------------------------------------------------ webhook */

static void test_webhook_signature(void **state)
{
	static const char body[] = "{\"idempotency_key\":\"k1\",\"channel\":\"sms\"}";
	char hex[65];

	(void)state;
	/* Both computed independently with Python: hmac.new(b"whsec_test", b"1700000000." + body,
	 * hashlib.sha256).hexdigest(). */
	assert_int_equal(provider_hmac(WEBHOOK_SECRET, "1700000000", body, strlen(body), hex), 0);
	assert_string_equal(hex, "47141f7f3d6a38ed4851f378d277796ea696538db64eb97bfc122f9192412ae5");
	assert_int_equal(provider_hmac(WEBHOOK_SECRET, "1700000000", "", 0, hex), 0);
	assert_string_equal(hex, "5967f3c560522fa40cf2876ebc3c3a08551dd6959aaade3b413460591895bdcc");

	assert_int_equal(provider_check(WEBHOOK_SECRET, "1700000000", body, strlen(body),
					       "47141f7f3d6a38ed4851f378d277796ea696538db64eb97bfc122f9192412ae5",
					       1700000100, 300),
			 0);
	/* Too old, tampered body, wrong secret, truncated or upper-case signature. */
	assert_int_equal(provider_check(WEBHOOK_SECRET, "1700000000", body, strlen(body),
					       "47141f7f3d6a38ed4851f378d277796ea696538db64eb97bfc122f9192412ae5",
					       1700000301, 300),
			 -1);
	assert_int_equal(provider_check(WEBHOOK_SECRET, "1700000000", body, strlen(body) - 1,
					       "47141f7f3d6a38ed4851f378d277796ea696538db64eb97bfc122f9192412ae5",
					       1700000000, 300),
			 -1);
	assert_int_equal(provider_check("other", "1700000000", body, strlen(body),
					       "47141f7f3d6a38ed4851f378d277796ea696538db64eb97bfc122f9192412ae5",
					       1700000000, 300),
			 -1);
	assert_int_equal(provider_check(WEBHOOK_SECRET, "1700000000", body, strlen(body),
					       "47141f7f3d6a38ed4851f378d277796ea696538db64eb97bfc122f9192412ae",
					       1700000000, 300),
			 -1);
	assert_int_equal(provider_check(WEBHOOK_SECRET, "+1700000000", body, strlen(body),
					       "47141f7f3d6a38ed4851f378d277796ea696538db64eb97bfc122f9192412ae5",
					       1700000000, 300),
			 -1);
}

static void test_webhook_body_and_parse(void **state)
{
	json_t *params = json_pack("{s:s}", "code", "123456");
	struct notify_msg m = { .channel = "email", .to = "a@example.com", .template_id = NULL,
				.params = params, .text = "您好", .subject = "通知",
				.idem_key = "ob-3" };
	struct notify_outcome o;
	char err[64];
	char *s;

	(void)state;
	s = notify_webhook_body(&m, err, sizeof(err));
	assert_non_null(s);
	assert_string_equal(s, "{\"idempotency_key\":\"ob-3\",\"channel\":\"email\",\"to\":\"a@example.com\","
			       "\"template\":\"\",\"params\":{\"code\":\"123456\"},\"text\":\"您好\","
			       "\"subject\":\"通知\"}");
	free(s);
	m.subject = NULL;
	m.params = NULL;
	s = notify_webhook_body(&m, err, sizeof(err));
	assert_non_null(strstr(s, "\"params\":{}"));
	assert_non_null(strstr(s, "\"subject\":null"));
	free(s);
	json_decref(params);

	notify_webhook_parse_send(200, "{\"id\":\"sbx-1\"}", 14, &o);
	assert_int_equal(o.result, NOTIFY_SENT);
	assert_string_equal(o.provider_id, "sbx-1");
	notify_webhook_parse_send(201, "{\"id\":42}", 9, &o);
	assert_int_equal(o.result, NOTIFY_SENT);
	assert_string_equal(o.provider_id, "42");
	PARSE_SEND(notify_webhook_parse_send, 200L, "{}", NOTIFY_UNKNOWN);
	PARSE_SEND(notify_webhook_parse_send, 400L,
		   "{\"error\":{\"code\":\"invalid_field\",\"message\":\"号码不正确\",\"permanent\":true}}",
		   NOTIFY_PERMANENT);
	notify_webhook_parse_send(400, "{\"error\":{\"code\":\"invalid_field\",\"message\":\"号码不正确\",\"permanent\":true}}",
				  strlen("{\"error\":{\"code\":\"invalid_field\",\"message\":\"号码不正确\",\"permanent\":true}}"), &o);
	assert_string_equal(o.error, "invalid_field: 号码不正确");
	PARSE_SEND(notify_webhook_parse_send, 400L,
		   "{\"error\":{\"code\":\"x\",\"message\":\"m\",\"permanent\":false}}", NOTIFY_RETRY);
	PARSE_SEND(notify_webhook_parse_send, 409L, "", NOTIFY_RETRY);
	PARSE_SEND(notify_webhook_parse_send, 429L,
		   "{\"error\":{\"code\":\"rate\",\"message\":\"m\",\"permanent\":true}}", NOTIFY_RETRY);
	PARSE_SEND(notify_webhook_parse_send, 500L,
		   "{\"error\":{\"code\":\"x\",\"message\":\"m\",\"permanent\":true}}", NOTIFY_RETRY);
	PARSE_SEND(notify_webhook_parse_send, 302L, "", NOTIFY_RETRY);

	PARSE_SEND(notify_webhook_parse_query, 200L, "{\"status\":\"sent\",\"id\":\"sbx-1\"}",
		   NOTIFY_SENT);
	PARSE_SEND(notify_webhook_parse_query, 404L, "{\"error\":{}}", NOTIFY_NOT_FOUND);
	PARSE_SEND(notify_webhook_parse_query, 200L, "{\"status\":\"queued\"}", NOTIFY_UNKNOWN);
	PARSE_SEND(notify_webhook_parse_query, 500L, "", NOTIFY_UNKNOWN);
}

/* ------------------------------------------------------------------ mail */

/* Decodes base64 (no line breaks) into out; returns the length or -1. */
static int unbase64(const char *in, size_t n, char *out, size_t outsz)
{
	int len;

	if (n % 4 != 0 || n / 4 * 3 + 1 > outsz)
		return -1;
	len = EVP_DecodeBlock((unsigned char *)out, (const unsigned char *)in, (int)n);
	if (len < 0)
		return -1;
	if (n > 0 && in[n - 1] == '=')
		len--;
	if (n > 1 && in[n - 2] == '=')
		len--;
	out[len] = '\0';
	return len;
}

static const char MAIL_SUBJECT[] =
	"【数字证书网上营业厅】您的证书申请已通过审核，请在七日内完成缴费 (order 2024-0001)";
static const char MAIL_TEXT[] =
	"尊敬的客户：\n您的数字证书申请（订单号 2024-0001）已通过审核，请登录营业厅完成缴费。\n"
	"如非本人操作，请忽略本邮件。\n";

static void test_mail_build(void **state)
{
	struct notify_msg m = { .channel = "email", .to = "user@example.com", .subject = MAIL_SUBJECT,
				.text = MAIL_TEXT, .idem_key = "ob-42" };
	char msg[8192];
	char subject[512] = "";
	char body64[4096] = "";
	char decoded[4096];
	size_t sl = 0, bl = 0;
	char *line, *p;
	long n;
	int in_body = 0, words = 0;

	(void)state;
	n = notify_mail_build(&m, "noreply@certhall.example", 1700000000, msg, sizeof(msg));
	assert_true(n > 0);
	assert_int_equal((size_t)n, strlen(msg));
	/* Date as Python's email.utils.formatdate(1700000000) has it (+0000 for -0000). */
	assert_true(strncmp(msg, "Date: Tue, 14 Nov 2023 22:13:20 +0000\r\n"
				 "From: noreply@certhall.example\r\nTo: user@example.com\r\n"
				 "Subject: =?UTF-8?B?",
			    strlen("Date: Tue, 14 Nov 2023 22:13:20 +0000\r\n"
				   "From: noreply@certhall.example\r\nTo: user@example.com\r\n"
				   "Subject: =?UTF-8?B?")) == 0);
	assert_non_null(strstr(msg, "\r\nMessage-ID: <ob-42@certhall>\r\nMIME-Version: 1.0\r\n"
				    "Content-Type: text/plain; charset=UTF-8\r\n"
				    "Content-Transfer-Encoding: base64\r\n\r\n"));
	/* Every line ends in CRLF; header lines stay within 76 characters, body lines are 76
	 * base64 characters but the last; each encoded word decodes to whole characters. */
	assert_true(n >= 2 && msg[n - 2] == '\r' && msg[n - 1] == '\n');
	for (p = msg; *p; p++)
		if (*p == '\n')
			assert_true(p > msg && p[-1] == '\r');
	for (line = msg; *line != '\0'; line = p + 2) {
		size_t len;

		p = strstr(line, "\r\n");
		assert_non_null(p);
		*p = '\0';
		len = strlen(line);
		if (len == 0 || strncmp(line, "Content-Transfer-Encoding", 25) == 0) {
			in_body = in_body || len == 0;
			continue;
		}
		if (in_body) {
			assert_true(len <= 76 && len % 4 == 0);
			memcpy(body64 + bl, line, len);
			bl += len;
			body64[bl] = '\0';
			continue;
		}
		assert_true(len <= 76);
		if (strncmp(line, "Subject: ", 9) == 0 || line[0] == ' ') {
			char *w = strstr(line, "=?UTF-8?B?");
			char *e;
			int k;

			assert_non_null(w);
			e = strstr(w, "?=");
			assert_non_null(e);
			assert_true(e + 2 - w <= 75);
			w += 10;
			k = unbase64(w, (size_t)(e - w), subject + sl, sizeof(subject) - sl);
			assert_true(k > 0);
			/* A word never starts inside a character. */
			assert_true(((unsigned char)subject[sl] & 0xC0) != 0x80);
			sl += (size_t)k;
			words++;
		}
	}
	assert_true(words > 1);
	assert_string_equal(subject, MAIL_SUBJECT);
	assert_int_equal(unbase64(body64, bl, decoded, sizeof(decoded)), (int)strlen(MAIL_TEXT));
	assert_string_equal(decoded, MAIL_TEXT);
}

static void test_mail_refuses_injection(void **state)
{
	struct notify_msg m = { .channel = "email", .to = "user@example.com", .subject = "hi",
				.text = "x", .idem_key = "ob-1" };
	char msg[4096];

	(void)state;
	assert_true(notify_mail_build(&m, "noreply@certhall.example", 0, msg, sizeof(msg)) > 0);
	m.subject = "hi\r\nBcc: victim@example.com";
	assert_int_equal(notify_mail_build(&m, "noreply@certhall.example", 0, msg, sizeof(msg)),
			 NOTIFY_MAIL_REFUSED);
	m.subject = "hi\nBcc: victim@example.com";
	assert_int_equal(notify_mail_build(&m, "noreply@certhall.example", 0, msg, sizeof(msg)),
			 NOTIFY_MAIL_REFUSED);
	m.subject = "hi";
	m.to = "user@example.com\r\nBcc: victim@example.com";
	assert_int_equal(notify_mail_build(&m, "noreply@certhall.example", 0, msg, sizeof(msg)),
			 NOTIFY_MAIL_REFUSED);
	m.to = "user@example.com, victim@example.com";
	assert_int_equal(notify_mail_build(&m, "noreply@certhall.example", 0, msg, sizeof(msg)),
			 NOTIFY_MAIL_REFUSED);
	m.to = "user@example.com";
	assert_int_equal(notify_mail_build(&m, "noreply@certhall.example\r\nX: y", 0, msg, sizeof(msg)),
			 NOTIFY_MAIL_REFUSED);
	assert_int_equal(notify_mail_build(&m, "noreply@certhall.example\n", 0, msg, sizeof(msg)),
			 NOTIFY_MAIL_REFUSED);
	m.idem_key = "ob-1>\r\nX: y";
	assert_int_equal(notify_mail_build(&m, "noreply@certhall.example", 0, msg, sizeof(msg)),
			 NOTIFY_MAIL_REFUSED);
	m.idem_key = "ob-1";
	assert_int_equal(notify_mail_build(&m, "noreply@certhall.example", 0, msg, 64),
			 NOTIFY_MAIL_TOO_BIG);
}

/* ------------------------------------------------------------------ dispatch */

static void test_dispatch(void **state)
{
	struct conf c;
	struct notify_provider p;
	struct notify_msg m = { .channel = "email", .to = "user@example.com", .subject = "s",
				.text = "t", .idem_key = "ob-1" };
	struct notify_outcome o;

	(void)state;
	conf_defaults(&c);
	snprintf(c.sms_secret, sizeof(c.sms_secret), "sms-secret");
	snprintf(c.mail_password, sizeof(c.mail_password), "mail-secret");
	notify_from_conf(&c, 0, &p);
	assert_string_equal(p.kind, c.sms_provider);
	assert_string_equal(p.endpoint, c.sms_endpoint);
	assert_string_equal(p.secret, "sms-secret");
	assert_string_equal(p.sign_name, c.sms_sign_name);
	assert_int_equal(p.timeout_ms, c.sms_timeout_ms);
	notify_from_conf(&c, 1, &p);
	assert_string_equal(p.kind, c.mail_provider);
	assert_string_equal(p.secret, "mail-secret");
	assert_string_equal(p.from, c.mail_from);
	assert_int_equal(p.timeout_ms, c.mail_timeout_ms);

	snprintf(p.kind, sizeof(p.kind), "none");
	notify_send(&p, &m, &o);
	assert_int_equal(o.result, NOTIFY_SENT);
	assert_string_equal(o.provider_id, "none");
	notify_query(&p, &m, &o);
	assert_int_equal(o.result, NOTIFY_SENT);

	snprintf(p.kind, sizeof(p.kind), "pigeon");
	notify_send(&p, &m, &o);
	assert_int_equal(o.result, NOTIFY_PERMANENT);
	assert_non_null(strstr(o.error, "pigeon"));

	/* A mail provider cannot carry SMS, nor an SMS one mail. */
	snprintf(p.kind, sizeof(p.kind), "smtp");
	m.channel = "sms";
	notify_send(&p, &m, &o);
	assert_int_equal(o.result, NOTIFY_PERMANENT);
	snprintf(p.kind, sizeof(p.kind), "alibaba");
	m.channel = "email";
	notify_send(&p, &m, &o);
	assert_int_equal(o.result, NOTIFY_PERMANENT);
	snprintf(p.kind, sizeof(p.kind), "none");
	m.channel = "sms";
	notify_send(&p, &m, &o);
	assert_int_equal(o.result, NOTIFY_PERMANENT); /* "none" switches mail off, not SMS */

	/* SMTP refuses a header injection before connecting anywhere. */
	snprintf(p.kind, sizeof(p.kind), "smtp");
	snprintf(p.endpoint, sizeof(p.endpoint), "smtp://127.0.0.1:1");
	m.channel = "email";
	m.subject = "s\r\nBcc: x@example.com";
	notify_send(&p, &m, &o);
	assert_int_equal(o.result, NOTIFY_PERMANENT);
	notify_query(&p, &m, &o);
	assert_int_equal(o.result, NOTIFY_UNKNOWN); /* mail is at most once */

	m.idem_key = NULL;
	notify_send(&p, &m, &o);
	assert_int_equal(o.result, NOTIFY_PERMANENT);
}

static void test_outcome_utf8_cut(void **state)
{
	struct notify_outcome o;
	char big[600];
	size_t i;

	(void)state;
	/* 255 bytes fit; 85 three-byte characters are 255, so put one ASCII byte first. */
	big[0] = 'x';
	for (i = 0; i < 100; i++)
		memcpy(big + 1 + 3 * i, "中", 3);
	big[301] = '\0';
	notify_outcome(&o, NOTIFY_RETRY, NULL, "%s", big);
	assert_int_equal(strlen(o.error), 1 + 3 * 84);
}

/* ------------------------------------------------------------------ a local HTTP server */

static pid_t server_pid = -1;
static int server_port;
static pid_t smtp_pid = -1;
static int smtp_port;
static int closed_port;

/* The value of header name in the request head, or NULL. */
static const char *header(const char *head, const char *name, char *out, size_t outsz)
{
	const char *p = strstr(head, "\r\n");
	size_t n = strlen(name);

	while (p != NULL && p[2] != '\r') {
		p += 2;
		if (strncasecmp(p, name, n) == 0 && p[n] == ':') {
			const char *v = p + n + 1;
			size_t l;

			while (*v == ' ')
				v++;
			l = strcspn(v, "\r");
			if (l >= outsz)
				return NULL;
			memcpy(out, v, l);
			out[l] = '\0';
			return out;
		}
		p = strstr(p, "\r\n");
	}
	return NULL;
}

static void reply(int fd, int status, const char *body)
{
	char head[256];
	size_t len = strlen(body);
	int n = snprintf(head, sizeof(head),
			 "HTTP/1.1 %d X\r\nContent-Type: application/json\r\nContent-Length: %zu\r\n"
			 "Connection: close\r\n\r\n",
			 status, len);

	if (write(fd, head, (size_t)n) < 0 || write(fd, body, len) < 0)
		_exit(1);
}

/* One request on fd: canned answers by path (see the tests below). */
static void handle(int fd)
{
	static char buf[1 << 16];
	size_t got = 0;
	char *end = NULL;
	static char path[1 << 14];
	char val[256], ts[32], sig[80];
	const char *body;
	size_t blen = 0;

	while (got < sizeof(buf) - 1) {
		ssize_t r = read(fd, buf + got, sizeof(buf) - 1 - got);

		if (r <= 0)
			return;
		got += (size_t)r;
		buf[got] = '\0';
		end = strstr(buf, "\r\n\r\n");
		if (end == NULL)
			continue;
		if (header(buf, "Content-Length", val, sizeof(val)) != NULL)
			blen = strtoul(val, NULL, 10);
		if (got >= (size_t)(end + 4 - buf) + blen)
			break;
	}
	if (end == NULL || sscanf(buf, "%*s %16383s", path) != 1)
		return;
	body = end + 4;
	if (strncmp(path, "/hook", 5) == 0) {
		if (header(buf, "X-Certhall-Timestamp", ts, sizeof(ts)) == NULL ||
		    header(buf, "X-Certhall-Signature", sig, sizeof(sig)) == NULL ||
		    provider_check(WEBHOOK_SECRET, ts, body, blen, sig, time(NULL), 300) != 0) {
			reply(fd, 401, "{\"error\":{\"code\":\"bad_signature\",\"message\":\"m\",\"permanent\":true}}");
		} else if (strncmp(buf, "GET ", 4) == 0) {
			if (strstr(path, "idempotency_key=ob%2Fknown") != NULL)
				reply(fd, 200, "{\"status\":\"sent\",\"id\":\"wh-known\"}");
			else
				reply(fd, 404, "{\"error\":{\"code\":\"not_found\",\"message\":\"m\",\"permanent\":true}}");
		} else {
			reply(fd, 200, "{\"id\":\"wh-1\"}");
		}
	} else if (strcmp(path, "/perm") == 0) {
		reply(fd, 400, "{\"error\":{\"code\":\"invalid_number\",\"message\":\"号码无效\",\"permanent\":true}}");
	} else if (strcmp(path, "/busy") == 0) {
		reply(fd, 503, "{\"error\":{\"code\":\"busy\",\"message\":\"m\",\"permanent\":false}}");
	} else if (strcmp(path, "/slow") == 0) {
		sleep(2);
		reply(fd, 200, "{\"id\":\"late\"}");
	} else if (strcmp(path, "/hangup") == 0) {
		/* Read the request, answer nothing. */
	} else if (strcmp(path, "/big") == 0) {
		static char big[2 * 1024 * 1024 + 1];

		memset(big, 'a', sizeof(big) - 1);
		reply(fd, 200, big);
	} else if (strncmp(path, "/ali?", 5) == 0) {
		if (strstr(path, "&Signature=") != NULL && strstr(path, "&OutId=ob-5&") != NULL)
			reply(fd, 200, "{\"Code\":\"OK\",\"Message\":\"OK\",\"BizId\":\"ali-biz\"}");
		else
			reply(fd, 400, "{\"Code\":\"MissingParameter\",\"Message\":\"m\"}");
	} else if (strcmp(path, "/tc") == 0) {
		if (header(buf, "Authorization", val, sizeof(val)) != NULL &&
		    strncmp(val, "TC3-HMAC-SHA256 Credential=AKIDtest/", 36) == 0 &&
		    header(buf, "X-TC-Action", ts, sizeof(ts)) != NULL && strcmp(ts, "SendSms") == 0 &&
		    strstr(body, "\"SessionContext\":\"ob-6\"") != NULL)
			reply(fd, 200, "{\"Response\":{\"SendStatusSet\":[{\"Code\":\"Ok\",\"SerialNo\":\"tc-1\"}]}}");
		else
			reply(fd, 200, "{\"Response\":{\"Error\":{\"Code\":\"AuthFailure.SignatureFailure\",\"Message\":\"m\"}}}");
	} else {
		reply(fd, 404, "{}");
	}
}

/* A fake SMTP server that offers no STARTTLS. */
static void handle_smtp(int fd)
{
	char buf[512];

	if (write(fd, "220 fake ESMTP\r\n", 16) < 0 || read(fd, buf, sizeof(buf)) <= 0 ||
	    write(fd, "250 fake\r\n", 10) < 0)
		return;
	while (read(fd, buf, sizeof(buf)) > 0)
		if (write(fd, "502 no\r\n", 8) < 0)
			return;
}

static int listen_any(int *port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t al = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(fd, 64), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &al), 0);
	*port = ntohs(a.sin_port);
	return fd;
}

/* Forks a server in its own process group; one child per connection. */
static pid_t start_server(int *port, void (*fn)(int))
{
	int lfd = listen_any(port);
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		setpgid(0, 0);
		signal(SIGCHLD, SIG_IGN);
		signal(SIGPIPE, SIG_IGN);
		for (;;) {
			int c = accept(lfd, NULL, NULL);

			if (c < 0)
				continue;
			if (fork() == 0) {
				close(lfd);
				fn(c);
				close(c);
				_exit(0);
			}
			close(c);
		}
	}
	setpgid(pid, pid);
	close(lfd);
	return pid;
}

static int servers_up(void **state)
{
	int fd;

	(void)state;
	server_pid = start_server(&server_port, handle);
	smtp_pid = start_server(&smtp_port, handle_smtp);
	/* A port nobody listens on: bound, then closed. */
	fd = listen_any(&closed_port);
	close(fd);
	return 0;
}

static int servers_down(void **state)
{
	(void)state;
	if (server_pid > 0) {
		kill(-server_pid, SIGKILL);
		waitpid(server_pid, NULL, 0);
	}
	if (smtp_pid > 0) {
		kill(-smtp_pid, SIGKILL);
		waitpid(smtp_pid, NULL, 0);
	}
	return 0;
}

static void local_provider(struct notify_provider *p, const char *kind, const char *path,
			   int port, int timeout_ms)
{
	memset(p, 0, sizeof(*p));
	snprintf(p->kind, sizeof(p->kind), "%s", kind);
	snprintf(p->endpoint, sizeof(p->endpoint), "http://127.0.0.1:%d%s", port, path);
	snprintf(p->secret, sizeof(p->secret), WEBHOOK_SECRET);
	p->timeout_ms = timeout_ms;
}

static void test_http_request(void **state)
{
	char url[128], err[256];
	char *body = NULL;
	size_t len = 0;
	long status = 0;

	(void)state;
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/busy", server_port);
	assert_int_equal(http_request("GET", url, NULL, NULL, 0, 2000, &status, &body, &len, err,
				      sizeof(err)),
			 HTTP_OK);
	assert_int_equal(status, 503);
	assert_non_null(strstr(body, "busy"));
	free(body);

	/* A body past 1 MiB is cut there, and the answer still counts. */
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/big", server_port);
	assert_int_equal(http_request("GET", url, NULL, NULL, 0, 5000, &status, &body, &len, err,
				      sizeof(err)),
			 HTTP_OK);
	assert_int_equal(status, 200);
	assert_int_equal(len, HTTP_BODY_MAX);
	assert_int_equal(strlen(body), HTTP_BODY_MAX);
	assert_non_null(strstr(err, "cut"));
	free(body);

	snprintf(url, sizeof(url), "http://127.0.0.1:%d/slow", server_port);
	assert_int_equal(http_request("POST", url, NULL, "{}", 2, 300, &status, &body, &len, err,
				      sizeof(err)),
			 HTTP_TIMEOUT);
	assert_null(body);

	snprintf(url, sizeof(url), "http://127.0.0.1:%d/hangup", server_port);
	assert_int_equal(http_request("POST", url, NULL, "{}", 2, 2000, &status, &body, &len, err,
				      sizeof(err)),
			 HTTP_TIMEOUT);

	/* TLS to a plain HTTP server never completes its handshake: nothing of the request
	 * left, so this is REFUSED although the TCP connection was made. */
	snprintf(url, sizeof(url), "https://127.0.0.1:%d/hook", server_port);
	assert_int_equal(http_request("POST", url, NULL, "{}", 2, 500, &status, &body, &len, err,
				      sizeof(err)),
			 HTTP_REFUSED);

	snprintf(url, sizeof(url), "http://127.0.0.1:%d/", closed_port);
	assert_int_equal(http_request("POST", url, NULL, "{}", 2, 2000, &status, &body, &len, err,
				      sizeof(err)),
			 HTTP_REFUSED);
	assert_int_equal(http_request("GET", "http://certhall-test.invalid/", NULL, NULL, 0, 2000,
				      &status, &body, &len, err, sizeof(err)),
			 HTTP_REFUSED);
	/* Only http and https. */
	assert_int_equal(http_request("GET", "file:///etc/passwd", NULL, NULL, 0, 2000, &status,
				      &body, &len, err, sizeof(err)),
			 HTTP_REFUSED);
	assert_null(body);
}

static void test_webhook_exchange(void **state)
{
	struct notify_provider p;
	struct notify_msg m = { .channel = "sms", .to = "13800000000", .template_id = "T1",
				.params = NULL, .text = "验证码 123456", .idem_key = "ob/known" };
	struct notify_outcome o;

	(void)state;
	local_provider(&p, "webhook", "/hook", server_port, 2000);
	notify_send(&p, &m, &o);
	assert_int_equal(o.result, NOTIFY_SENT);
	assert_string_equal(o.provider_id, "wh-1");
	notify_query(&p, &m, &o);
	assert_int_equal(o.result, NOTIFY_SENT);
	assert_string_equal(o.provider_id, "wh-known");
	m.idem_key = "ob-unknown";
	notify_query(&p, &m, &o);
	assert_int_equal(o.result, NOTIFY_NOT_FOUND);

	/* A wrong secret: the receiver refuses, permanently. */
	snprintf(p.secret, sizeof(p.secret), "wrong");
	notify_send(&p, &m, &o);
	assert_int_equal(o.result, NOTIFY_PERMANENT);
	notify_query(&p, &m, &o);
	assert_int_equal(o.result, NOTIFY_UNKNOWN);

	local_provider(&p, "webhook", "/perm", server_port, 2000);
	notify_send(&p, &m, &o);
	assert_int_equal(o.result, NOTIFY_PERMANENT);
	assert_string_equal(o.error, "invalid_number: 号码无效");

	local_provider(&p, "webhook", "/busy", server_port, 2000);
	notify_send(&p, &m, &o);
	assert_int_equal(o.result, NOTIFY_RETRY);

	/* The request left and no answer came in time: it may have been taken. */
	local_provider(&p, "webhook", "/slow", server_port, 300);
	notify_send(&p, &m, &o);
	assert_int_equal(o.result, NOTIFY_UNKNOWN);
	local_provider(&p, "webhook", "/hangup", server_port, 2000);
	notify_send(&p, &m, &o);
	assert_int_equal(o.result, NOTIFY_UNKNOWN);

	/* Nothing listens: it certainly was not taken. */
	local_provider(&p, "webhook", "/hook", closed_port, 2000);
	notify_send(&p, &m, &o);
	assert_int_equal(o.result, NOTIFY_RETRY);
	notify_query(&p, &m, &o);
	assert_int_equal(o.result, NOTIFY_UNKNOWN);
}

static void test_provider_exchanges(void **state)
{
	struct notify_provider p;
	json_t *params = json_pack("{s:s}", "code", "654321");
	struct notify_msg m = { .channel = "sms", .to = "13800000000", .template_id = "SMS_1",
				.params = params, .text = "", .idem_key = "ob-5" };
	struct notify_outcome o;

	(void)state;
	local_provider(&p, "alibaba", "/ali", server_port, 2000);
	snprintf(p.key_id, sizeof(p.key_id), "testId");
	notify_send(&p, &m, &o);
	assert_int_equal(o.result, NOTIFY_SENT);
	assert_string_equal(o.provider_id, "ali-biz");
	local_provider(&p, "alibaba", "/ali", closed_port, 2000);
	notify_send(&p, &m, &o);
	assert_int_equal(o.result, NOTIFY_RETRY);

	local_provider(&p, "tencent", "/tc", server_port, 2000);
	snprintf(p.key_id, sizeof(p.key_id), "AKIDtest");
	snprintf(p.region, sizeof(p.region), "ap-guangzhou");
	m.idem_key = "ob-6";
	notify_send(&p, &m, &o);
	assert_int_equal(o.result, NOTIFY_SENT);
	assert_string_equal(o.provider_id, "tc-1");
	local_provider(&p, "tencent", "/slow", server_port, 300);
	notify_send(&p, &m, &o);
	assert_int_equal(o.result, NOTIFY_UNKNOWN);

	/* smtp:// without STARTTLS on offer: refused before any credential or mail is sent. */
	memset(&p, 0, sizeof(p));
	snprintf(p.kind, sizeof(p.kind), "smtp");
	snprintf(p.endpoint, sizeof(p.endpoint), "smtp://127.0.0.1:%d", smtp_port);
	snprintf(p.from, sizeof(p.from), "noreply@certhall.example");
	snprintf(p.key_id, sizeof(p.key_id), "user");
	snprintf(p.secret, sizeof(p.secret), "password");
	p.timeout_ms = 2000;
	m.channel = "email";
	m.to = "user@example.com";
	m.subject = "测试";
	m.text = "正文";
	notify_send(&p, &m, &o);
	assert_int_equal(o.result, NOTIFY_PERMANENT);
	snprintf(p.endpoint, sizeof(p.endpoint), "smtp://127.0.0.1:%d", closed_port);
	notify_send(&p, &m, &o);
	assert_int_equal(o.result, NOTIFY_RETRY);
	json_decref(params);
}

int main(void)
{
	const struct CMUnitTest offline[] = {
		cmocka_unit_test(test_alibaba_sms_doc_vector),
		cmocka_unit_test(test_alibaba_rpc_doc_vector),
		cmocka_unit_test(test_percent_encoding),
		cmocka_unit_test(test_alibaba_send_url),
		cmocka_unit_test(test_alibaba_parse_send),
		cmocka_unit_test(test_alibaba_parse_query),
		cmocka_unit_test(test_tencent_doc_vector),
		cmocka_unit_test(test_tencent_send_body),
		cmocka_unit_test(test_tencent_parse),
		cmocka_unit_test(test_webhook_signature),
		cmocka_unit_test(test_webhook_body_and_parse),
		cmocka_unit_test(test_mail_build),
		cmocka_unit_test(test_mail_refuses_injection),
		cmocka_unit_test(test_dispatch),
		cmocka_unit_test(test_outcome_utf8_cut),
	};
	const struct CMUnitTest online[] = {
		cmocka_unit_test(test_http_request),
		cmocka_unit_test(test_webhook_exchange),
		cmocka_unit_test(test_provider_exchanges),
	};
	int failed = cmocka_run_group_tests_name("notify", offline, NULL, NULL);

	failed += cmocka_run_group_tests_name("notify over local HTTP", online, servers_up,
					      servers_down);
	return failed;
}
