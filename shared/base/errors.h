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
	X(ERR_NOT_LOGGED_IN, "not_logged_in", 401, "请先登录。") \
	X(ERR_LOGIN_FAILED, "login_failed", 401, "账号或密码错误。") \
	X(ERR_FORBIDDEN, "forbidden", 403, "您没有权限进行此操作。") \
	X(ERR_CSRF, "csrf", 403, "页面已过期或来源不明，请刷新页面后重试。") \
	X(ERR_DISABLED, "account_disabled", 403, "该账号已停用，请联系客服。") \
	X(ERR_FACTOR_REQUIRED, "factor_required", 403, "请先完成第二重身份验证（动态口令或客户端证书）。") \
	X(ERR_FACTOR_STALE, "factor_stale", 403, "此操作需要重新验证：请输入认证器上的动态口令，或使用客户端证书重新登录。") \
	X(ERR_FACTOR_ENROLLED, "factor_enrolled", 409, "该账号已绑定第二重验证方式；如已遗失，请联系管理员重置。") \
	X(ERR_TOTP_WRONG, "totp_wrong", 400, "动态口令不正确，请核对认证器上的 6 位数字后重新输入。") \
	X(ERR_TOTP_USED, "totp_used", 400, "该动态口令已使用过，请等待认证器显示下一个口令。") \
	X(ERR_CERT_MISSING, "cert_missing", 403, "未提供有效的客户端证书，或该证书未绑定到此账号。") \
	X(ERR_CODE_WRONG, "code_wrong", 400, "短信验证码不正确，请核对后重新输入。") \
	X(ERR_CODE_EXPIRED, "code_expired", 400, "短信验证码已失效，请重新获取。") \
	X(ERR_WEAK_PASSWORD, "weak_password", 400, "密码需为 8 至 64 位，且同时包含字母和数字。") \
	X(ERR_TAKEN, "already_registered", 409, "该账号已注册，请直接登录或找回密码。") \
	X(ERR_CONFLICT, "conflict", 409, "该操作与当前状态冲突，请刷新后重试。") \
	X(ERR_LOGIN_LOCKED, "login_locked", 429, "登录失败次数过多，请稍后再试，或使用短信验证码登录。") \
	X(ERR_CODE_LIMIT, "code_limited", 429, "获取验证码过于频繁，请稍后再试。") \
	X(ERR_NOT_FOUND, "not_found", 404, "您访问的内容不存在。") \
	X(ERR_NOT_EDITABLE, "not_editable", 409, "订单当前状态不能修改材料：已提交的订单请等待审核结果。") \
	X(ERR_MATERIAL_LOCKED, "material_locked", 409, "该材料已审核通过，不能再更换。") \
	X(ERR_MATERIAL_NOT_NEEDED, "material_not_needed", 400, "该订单不需要上传此项材料。") \
	X(ERR_EMPTY_FILE, "empty_file", 400, "文件为空，请重新选择扫描件后上传。") \
	X(ERR_NO_FILE, "no_file", 400, "请选择要上传的文件（表单字段 file）。") \
	X(ERR_UNSUPPORTED_TYPE, "unsupported_type", 415, "不支持的文件格式，请上传 JPG、PNG、GIF 或 BMP 格式的扫描图片。") \
	X(ERR_TYPE_MISMATCH, "type_mismatch", 400, "文件扩展名或类型与文件实际内容不符，请直接上传扫描得到的原始图片，不要修改扩展名。") \
	X(ERR_TOO_MANY_PIXELS, "too_many_pixels", 400, "图片像素过多，请将扫描分辨率调整为 300 dpi 后重新上传。") \
	X(ERR_TOO_FEW_PIXELS, "too_few_pixels", 400, "图片过小，内容无法看清，请以不低于 150 dpi 的分辨率重新扫描。") \
	X(ERR_CORRUPT_IMAGE, "corrupt_image", 400, "图片文件已损坏或不完整，请重新扫描后上传。") \
	X(ERR_SCAN_ILLEGIBLE, "scan_illegible", 400, "扫描件不够清晰，请在光线充足处重新扫描或拍照。") \
	X(ERR_QR_MISSING, "qr_missing", 400, "未在扫描件中找到本订单表格的二维码，请上传在办理页面为本订单打印的表格。") \
	X(ERR_QR_UNREADABLE, "qr_unreadable", 400, "扫描件中的二维码不完整或不清晰，请重新扫描。") \
	X(ERR_QR_MISMATCH, "qr_mismatch", 400, "扫描件中的二维码与本订单不符，请上传本订单的表格。") \
	X(ERR_SEAL_MISSING, "seal_missing", 400, "未在扫描件中识别到红色公章印迹，请盖章后重新扫描上传。") \
	X(ERR_OPEN_ORDER, "open_order_exists", 409, "该证书已有一笔未完成的申请，请继续办理或取消该订单后再申请。") \
	X(ERR_SUBJECT_HELD, "subject_held", 409, "该证件号码的持有人已通过身份核验并正在办理，本订单不能继续办理，请取消本订单。") \
	X(ERR_SUBJECT_RELEASED, "subject_released", 409, "本账号登记的统一社会信用代码已由该单位通过企业身份核验认领，本账号不能再为该单位办理业务。") \
	X(ERR_SUBJECTS_LIMIT, "subjects_limited", 429, "今天为不同证件办理的申请已达上限，请明天再试。") \
	X(ERR_WRONG_STATE, "wrong_state", 409, "订单当前状态不能进行此操作，请刷新后查看。") \
	X(ERR_SECOND_APPROVER, "second_approver_required", 409, "该业务须由另一位审核人员复核通过：您已审核通过过一次，不能再次通过。") \
	X(ERR_STEP_LOCKED, "step_locked", 409, "订单当前状态不能修改这一步的内容。") \
	X(ERR_STEP_INCOMPLETE, "step_incomplete", 409, "请先完成前面的步骤。") \
	X(ERR_NOT_OFFERED, "not_offered", 400, "所选渠道不提供该业务、证书类型或办理方式。") \
	X(ERR_COUNTER_ONLY, "counter_only", 409, "该业务须到认证机构前台现场办理。") \
	X(ERR_CERT_NOT_ELIGIBLE, "cert_not_eligible", 409, "该证书当前不能办理此业务。") \
	X(ERR_FEE_UNKNOWN, "fee_unknown", 409, "该业务的费用尚未确定，请联系客服确认后办理。") \
	X(ERR_NOT_VERIFIED, "not_verified", 409, "请先完成身份核验。") \
	X(ERR_MATERIALS_MISSING, "materials_missing", 409, "还有必需的材料未上传。") \
	X(ERR_MEMO_WRONG, "memo_wrong", 400, "打款备注码不正确，请核对对公账户收到的 0.01 元入账备注后重新输入。") \
	X(ERR_BAD_SIGNATURE, "bad_signature", 401, "签名校验失败。") \
	X(ERR_BAD_WAYBILL, "bad_waybill", 400, "运单号格式不正确。") \
	X(ERR_PROVIDER, "provider_unavailable", 503, "第三方服务暂时不可用，请稍后重试。") \
	X(ERR_BAD_CSR, "bad_csr", 400, "证书请求（PKCS#10）无法读取或其签名无效，请在介质上重新生成。") \
	X(ERR_CSR_MISMATCH, "csr_mismatch", 400, "证书请求的主题与本订单不符。") \
	X(ERR_KEY_CERTIFIED, "key_certified", 409, "该密钥已签发过证书，请在介质上重新生成密钥后再制证。") \
	X(ERR_CA_REFUSED, "ca_refused", 502, "CA 拒绝签发该证书请求，请核对介质生成的请求后重试。") \
	X(ERR_CERT_LOGIN_OFF, "cert_login_off", 404, "本平台未开通证书登录，请使用密码或短信验证码登录。") \
	X(ERR_CHALLENGE_EXPIRED, "challenge_expired", 401, "登录请求已失效或已使用，请重新点击“证书登录”。") \
	X(ERR_CERT_UNTRUSTED, "cert_untrusted", 401, "该证书不是本机构签发的证书，不能用于登录。") \
	X(ERR_CERT_EXPIRED, "cert_expired", 401, "该证书已过期或尚未生效，请先办理证书更新。") \
	X(ERR_CERT_REVOKED, "cert_revoked", 401, "该证书已吊销，不能用于登录。") \
	X(ERR_CERT_UNBOUND, "cert_unbound", 401, "该证书尚未绑定账号：请先用密码或短信验证码登录，在【我的证书】-【证书绑定】中输入介质序列号进行绑定。") \
	X(ERR_TOKEN_UNKNOWN, "token_unknown", 404, "未找到该介质序列号对应的、本账号可办理的证书：请核对介质外壳上或证书助手显示的序列号（区分大小写）。") \
	X(ERR_TOKEN_BOUND, "token_bound", 409, "该介质已绑定其他账号，请先在原账号中解除绑定。") \
	X(ERR_UNLOCK_LINK, "unlock_link_invalid", 404, "解锁链接无效：请核对短信或邮件中的完整链接。") \
	X(ERR_UNLOCK_USED, "unlock_link_used", 409, "该解锁链接已使用过。如需再次解锁，请重新在线申请证书解锁。") \
	X(ERR_UNLOCK_EXPIRED, "unlock_link_expired", 410, "该解锁链接已过期，请重新在线申请证书解锁。") \
	X(ERR_UNLOCK_TRIES, "unlock_tries", 429, "解锁请求码错误次数过多，该链接已失效，请重新在线申请证书解锁。") \
	X(ERR_UNLOCK_CHALLENGE, "unlock_challenge_wrong", 400, "解锁请求码与该证书介质不符：请插入本订单证书所在的介质，按证书助手显示的请求码重新输入。") \
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
