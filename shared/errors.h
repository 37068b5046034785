/* errors: the stable error codes of every JSON error answer, their HTTP status and zh-CN text. */
#ifndef CERTHALL_ERRORS_H
#define CERTHALL_ERRORS_H

/* X(enum, code, http status, message for people) */
#define ERROR_TABLE(X) \
	X(ERR_BAD_REQUEST, "bad_request", 400, "请求格式不正确，请刷新页面后重试。") \
	X(ERR_BAD_QUERY, "bad_query", 400, "请求参数格式不正确。") \
	X(ERR_BAD_JSON, "bad_json", 400, "请求内容不是有效的 JSON 对象。") \
	X(ERR_INVALID_FIELD, "invalid_field", 400, "填写的内容不符合要求，请检查后重新提交。") \
	X(ERR_MISSING_FIELD, "missing_field", 400, "请填写必填项。") \
	X(ERR_NOT_FOUND, "not_found", 404, "您访问的内容不存在。") \
	X(ERR_METHOD, "method_not_allowed", 405, "不支持该请求方式。") \
	X(ERR_TOO_LARGE, "too_large", 413, "提交的内容过大。") \
	X(ERR_UNSUPPORTED_MEDIA, "unsupported_media_type", 415, "请以 JSON 格式提交（Content-Type: application/json）。") \
	X(ERR_RATE_LIMITED, "rate_limited", 429, "查询过于频繁，请稍后再试。") \
	X(ERR_INTERNAL, "internal", 500, "系统繁忙，请稍后重试。如多次失败，请联系客服并提供请求编号。") \
	X(ERR_UNAVAILABLE, "unavailable", 503, "服务暂时不可用，请稍后重试。")

#define ERROR_ENUM(e, code, status, msg) e,
enum err_code { ERROR_TABLE(ERROR_ENUM) ERR__COUNT };
#undef ERROR_ENUM

const char *err_code_name(enum err_code e);
int err_status(enum err_code e);
const char *err_message(enum err_code e);

#endif
