/* conf: the INI file, checked against a table of keys with types, bounds and defaults. */
#include "base/conf.h"

#include <errno.h>
#include <ini.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/log.h"

enum conf_type { CT_INT, CT_OCTAL, CT_STR, CT_PATH, CT_LEVEL, CT_NETS, CT_ZONE };

struct conf_key {
	const char *section;
	const char *name;
	enum conf_type type;
	size_t offset;
	size_t size;      /* for strings: the buffer size */
	long min, max;    /* for numbers */
	const char *def;
};

#define INT(sec, key, field, lo, hi, d) \
	{ sec, key, CT_INT, offsetof(struct conf, field), 0, lo, hi, d }
#define STR(sec, key, field, d) \
	{ sec, key, CT_STR, offsetof(struct conf, field), sizeof(((struct conf *)0)->field), 0, 0, d }
#define PATH(sec, key, field, d) \
	{ sec, key, CT_PATH, offsetof(struct conf, field), sizeof(((struct conf *)0)->field), 0, 0, d }

static const struct conf_key conf_keys[] = {
	INT("server", "node_id", node_id, 0, 99, "0"),
	INT("server", "workers", workers, 1, 256, "4"),
	INT("server", "max_requests", max_requests, 0, 100000000, "10000"),
	INT("server", "backlog", backlog, 16, 65535, "1024"),
	{ "server", "socket_mode", CT_OCTAL, offsetof(struct conf, socket_mode), 0, 0, 0777, "0660" },
	{ "server", "log_level", CT_LEVEL, offsetof(struct conf, log_level), 0, 0, 0, "info" },
	PATH("server", "socket_dir", socket_dir, "/run/certhall"),
	STR("server", "changes_file", changes_file, ""),
	PATH("db", "socket", db_socket, "/run/mysqld/mysqld.sock"),
	STR("db", "host", db_host, ""),
	INT("db", "port", db_port, 1, 65535, "3306"),
	STR("db", "name", db_name, "certhall"),
	STR("db", "user", db_user, "certhall"),
	STR("db", "password_file", db_password_file, ""),
	INT("db", "tx_retries", db_tx_retries, 0, 20, "5"),
	PATH("paths", "key_file", key_file, "/etc/certhall/pii.key"),
	PATH("paths", "schema_dir", schema_dir, "/usr/share/certhall/schema"),
	PATH("paths", "web_root", web_root, "/usr/share/certhall/web"),
	PATH("paths", "upload_dir", upload_dir, "/var/lib/certhall/uploads"),
	PATH("paths", "policy_dir", policy_dir, "/usr/share/certhall/uploads-policy"),
	INT("limits", "json_body_max", json_body_max, 256, 1048576, "65536"),
	INT("limits", "arena_max", arena_max, 65536, 268435456, "8388608"),
	{ "limits", "trusted_networks", CT_NETS, offsetof(struct conf, trusted_networks),
	  sizeof(((struct conf *)0)->trusted_networks), 0, 0, "" },
	{ "limits", "time_zone", CT_ZONE, offsetof(struct conf, time_zone),
	  sizeof(((struct conf *)0)->time_zone), 0, 0, "Asia/Shanghai" },
	INT("track", "rate_limit", track_rate_limit, 1, 1000000000, "30"),
	INT("track", "rate_window", track_rate_window, 1, 86400, "60"),
	INT("track", "cache_mib", track_cache_mib, 0, 4096, "64"),
	INT("track", "cache_poll_ms", track_cache_poll_ms, 10, 60000, "200"),
	INT("track", "cache_check", track_cache_check, 0, 1, "0"),
	STR("sms", "provider", sms_provider, "webhook"),
	STR("sms", "endpoint", sms_endpoint, "http://127.0.0.1:8080/sandbox/sms"),
	STR("sms", "key_id", sms_key_id, ""),
	STR("sms", "secret_file", sms_secret_file, ""),
	STR("sms", "sign_name", sms_sign_name, "数字证书网上营业厅"),
	STR("sms", "app_id", sms_app_id, ""),
	STR("sms", "region", sms_region, "ap-guangzhou"),
	INT("sms", "timeout_ms", sms_timeout_ms, 100, 60000, "3000"),
	INT("sms", "breaker_failures", sms_breaker_failures, 1, 1000, "3"),
	INT("sms", "breaker_open", sms_breaker_open, 5, 86400, "60"),
	STR("sms2", "provider", sms2_provider, "none"),
	STR("sms2", "endpoint", sms2_endpoint, ""),
	STR("sms2", "key_id", sms2_key_id, ""),
	STR("sms2", "secret_file", sms2_secret_file, ""),
	STR("sms2", "sign_name", sms2_sign_name, "数字证书网上营业厅"),
	STR("sms2", "app_id", sms2_app_id, ""),
	STR("sms2", "region", sms2_region, "ap-guangzhou"),
	INT("sms2", "timeout_ms", sms2_timeout_ms, 100, 60000, "3000"),
	STR("mail", "provider", mail_provider, "webhook"),
	STR("mail", "endpoint", mail_endpoint, "http://127.0.0.1:8080/sandbox/mail"),
	STR("mail", "user", mail_user, ""),
	STR("mail", "password_file", mail_password_file, ""),
	STR("mail", "from", mail_from, "noreply@certhall.example"),
	INT("mail", "timeout_ms", mail_timeout_ms, 100, 120000, "10000"),
	INT("session", "idle", session_idle, 60, 86400, "1800"),
	INT("session", "absolute", session_absolute, 300, 604800, "43200"),
	STR("staff", "second_factor", staff_second_factor, "required"),
	INT("staff", "factor_fresh", staff_factor_fresh, 60, 604800, "43200"),
	INT("password", "scrypt_n_log2", scrypt_n_log2, 10, 20, "15"),
	INT("password", "scrypt_r", scrypt_r, 1, 32, "8"),
	INT("password", "scrypt_p", scrypt_p, 1, 16, "1"),
	INT("sms_code", "ttl", code_ttl, 60, 3600, "300"),
	INT("sms_code", "tries", code_tries, 1, 20, "5"),
	INT("sms_code", "per_minute", code_per_minute, 1, 100, "1"),
	INT("sms_code", "per_hour", code_per_hour, 1, 1000, "5"),
	INT("sms_code", "per_day", code_per_day, 1, 10000, "10"),
	INT("sms_code", "sign_per_mobile_hour", code_sign_per_mobile_hour, 1, 10000, "30"),
	INT("sms_code", "sign_per_mobile_day", code_sign_per_mobile_day, 1, 100000, "200"),
	INT("sms_code", "per_account_hour", code_per_account_hour, 1, 10000, "20"),
	INT("sms_code", "per_account_day", code_per_account_day, 1, 100000, "100"),
	INT("sms_code", "per_subject_day", code_per_subject_day, 1, 10000, "30"),
	INT("sms_code", "per_ip_hour", code_per_ip_hour, 1, 1000000, "300"),
	INT("sms_code", "per_ip_anon_hour", code_per_ip_anon_hour, 1, 1000000, "30"),
	INT("sms_code", "per_trusted_hour", code_per_trusted_hour, 1, 10000000, "3000"),
	INT("login", "fail_account", login_fail_account, 1, 1000, "5"),
	INT("login", "fail_ip", login_fail_ip, 1, 100000, "20"),
	INT("login", "fail_window", login_fail_window, 60, 86400, "900"),
	INT("outbox", "batch", outbox_batch, 1, 1000, "50"),
	INT("outbox", "claim_timeout", outbox_claim_timeout, 5, 3600, "60"),
	INT("outbox", "max_attempts", outbox_max_attempts, 1, 100, "12"),
	INT("outbox", "backoff_base", outbox_backoff_base, 1, 3600, "5"),
	INT("outbox", "backoff_max", outbox_backoff_max, 1, 86400, "3600"),
	INT("outbox", "reconcile_after", outbox_reconcile_after, 1, 3600, "30"),
	INT("upload", "body_max", upload_body_max, 65536, 67108864, "4194304"),
	INT("upload", "thumb_side", upload_thumb_side, 64, 1024, "240"),
	INT("upload", "jpeg_quality", upload_jpeg_quality, 40, 100, "85"),
	INT("upload", "decode_timeout_ms", upload_decode_timeout_ms, 100, 60000, "10000"),
	INT("upload", "address_space_mb", upload_address_space_mb, 256, 65536, "768"),
	INT("sandbox", "timeout_sleep_ms", sandbox_timeout_sleep_ms, 0, 120000, "5000"),
	STR("sandbox", "ca_dir", sandbox_ca_dir, ""),
	INT("wizard", "draft_ttl_hours", draft_ttl_hours, 1, 8760, "720"),
	INT("wizard", "subjects_per_day", subjects_per_day, 1, 1000, "3"),
	STR("wizard", "public_url", public_url, "http://127.0.0.1:8080"),
	STR("verify", "endpoint", verify_endpoint, "http://127.0.0.1:8080/sandbox/verify"),
	STR("verify", "secret_file", verify_secret_file, ""),
	INT("verify", "timeout_ms", verify_timeout_ms, 100, 60000, "5000"),
	INT("verify", "per_account_hour", verify_per_account_hour, 1, 10000, "40"),
	INT("verify", "per_account_day", verify_per_account_day, 1, 100000, "150"),
	INT("verify", "per_subject_day", verify_per_subject_day, 1, 10000, "30"),
	INT("verify", "per_ip_hour", verify_per_ip_hour, 1, 1000000, "300"),
	INT("verify", "per_trusted_hour", verify_per_trusted_hour, 1, 10000000, "3000"),
	STR("pay", "endpoint", pay_endpoint, "http://127.0.0.1:8080/sandbox/pay"),
	STR("pay", "secret_file", pay_secret_file, ""),
	STR("pay", "notify_url", pay_notify_url, "http://127.0.0.1:8080/api/wizard/pay/notify"),
	INT("pay", "timeout_ms", pay_timeout_ms, 100, 60000, "5000"),
	INT("pay", "per_account_hour", pay_per_account_hour, 1, 10000, "20"),
	STR("courier", "endpoint", courier_endpoint, "http://127.0.0.1:8080/sandbox/courier"),
	STR("courier", "secret_file", courier_secret_file, ""),
	INT("courier", "timeout_ms", courier_timeout_ms, 100, 60000, "5000"),
	STR("ca", "endpoint", ca_endpoint, "https://127.0.0.1:8443/ejbca/ejbca-rest-api"),
	STR("ca", "cert_file", ca_cert_file, ""),
	STR("ca", "key_file", ca_key_file, ""),
	STR("ca", "ca_file", ca_ca_file, ""),
	INT("ca", "timeout_ms", ca_timeout_ms, 100, 60000, "10000"),
	STR("ca", "cert_profile", ca_cert_profile, "ENDUSER"),
	STR("ca", "ee_profile", ca_ee_profile, "certhall"),
	STR("ca", "rsa_ca_name", ca_rsa_name, "certhall-rsa"),
	STR("ca", "rsa_issuer_dn", ca_rsa_issuer_dn,
	    "CN=certhall Sandbox RSA Issuing CA,O=certhall sandbox,C=CN"),
	STR("ca", "sm2_ca_name", ca_sm2_name, "certhall-sm2"),
	STR("ca", "sm2_issuer_dn", ca_sm2_issuer_dn,
	    "CN=certhall Sandbox SM2 Issuing CA,O=certhall sandbox,C=CN"),
	STR("ca", "trust_file", ca_trust_file, ""),
	STR("ca", "token_helper", ca_token_helper, ""),
};

struct load_ctx {
	struct conf *c;
	FILE *f;
	int line;          /* lines read so far: the line the handler is looking at */
	int first_bad;     /* line of the first bad key, 0 if none */
	char reason[512];
};

static int parse_long(const char *s, int base, long *out)
{
	char *end;
	long v;

	if (!*s)
		return -1;
	errno = 0;
	v = strtol(s, &end, base);
	if (errno || *end)
		return -1;
	*out = v;
	return 0;
}

/* Returns NULL if the value fits, or the reason it does not. */
static const char *set_value(struct conf *c, const struct conf_key *k, const char *v)
{
	static char why[200]; /* the network list's reason (start-up only, one thread) */
	char *base = (char *)c + k->offset;
	long n;
	int lvl;

	switch (k->type) {
	case CT_INT:
	case CT_OCTAL:
		if (parse_long(v, k->type == CT_OCTAL ? 8 : 10, &n))
			return k->type == CT_OCTAL ? "not an octal number" : "not a whole number";
		if (n < k->min || n > k->max)
			return "out of bounds";
		*(int *)(void *)base = (int)n;
		return NULL;
	case CT_LEVEL:
		if (log_level_parse(v, (enum log_level *)&lvl))
			return "must be one of debug, info, warn, error";
		*(int *)(void *)base = lvl;
		return NULL;
	case CT_NETS:
		/* The one list of networks: parsed where the limits read it. */
		if (strlen(v) >= k->size)
			return "too long";
		if (cidr_parse_list(v, &c->trusted, why, sizeof(why)) < 0)
			return why;
		memcpy(base, v, strlen(v) + 1);
		return NULL;
	case CT_ZONE:
		if (strlen(v) >= k->size || !hallday_zone_ok(v))
			return "not a time zone of the tz database (e.g. Asia/Shanghai)";
		memcpy(base, v, strlen(v) + 1);
		return NULL;
	case CT_PATH:
		if (*v != '/')
			return "must be an absolute path";
		/* fall through */
	case CT_STR:
		if (strlen(v) >= k->size)
			return "too long";
		memcpy(base, v, strlen(v) + 1);
		return NULL;
	}
	return "unknown type";
}

void conf_defaults(struct conf *c)
{
	memset(c, 0, sizeof(*c));
	for (size_t i = 0; i < sizeof(conf_keys) / sizeof(conf_keys[0]); i++) {
		const char *why = set_value(c, &conf_keys[i], conf_keys[i].def);

		if (why)
			fatal("conf: default of [%s] %s: %s", conf_keys[i].section, conf_keys[i].name, why);
	}
}

static char *read_line(char *buf, int size, void *user)
{
	struct load_ctx *lc = user;

	lc->line++;
	return fgets(buf, size, lc->f);
}

static int on_key(void *user, const char *section, const char *name, const char *value)
{
	struct load_ctx *lc = user;

	if (lc->first_bad)
		return 1; /* report the first bad line only */
	lc->first_bad = lc->line;

	for (size_t i = 0; i < sizeof(conf_keys) / sizeof(conf_keys[0]); i++) {
		const struct conf_key *k = &conf_keys[i];
		const char *why;

		if (strcmp(k->section, section) || strcmp(k->name, name))
			continue;
		why = set_value(lc->c, k, value);
		if (!why) {
			lc->first_bad = 0;
			return 1;
		}
		if (k->type == CT_INT && strcmp(why, "out of bounds") == 0)
			snprintf(lc->reason, sizeof(lc->reason), "[%s] %s = %s: must be between %ld and %ld",
				 section, name, value, k->min, k->max);
		else
			snprintf(lc->reason, sizeof(lc->reason), "[%s] %s = %s: %s", section, name, value, why);
		return 1;
	}
	snprintf(lc->reason, sizeof(lc->reason), "[%s] %s: unknown key", section, name);
	return 1;
}

/* Whether url is https://, or plain http:// to this host (127.0.0.1, localhost, [::1]): the
 * host libcurl would connect to (what follows any user@), compared exactly. */
static bool tls_or_loopback(const char *url)
{
	static const char *const loopback[] = { "127.0.0.1", "localhost", "[::1]" };
	const char *host, *end, *colon, *at;
	size_t n;

	if (strncasecmp(url, "https://", 8) == 0)
		return url[8] != '\0';
	if (strncasecmp(url, "http://", 7) != 0)
		return false; /* without a scheme libcurl guesses plain http to wherever it names */
	host = url + 7;
	end = host + strcspn(host, "/?#");
	while ((at = memchr(host, '@', (size_t)(end - host))) != NULL)
		host = at + 1;
	colon = host[0] == '[' ? memchr(host, ']', (size_t)(end - host)) : host;
	colon = colon ? memchr(colon, ':', (size_t)(end - colon)) : NULL;
	if (colon && strspn(colon + 1, "0123456789") < (size_t)(end - colon - 1))
		return false;
	n = (size_t)((colon ? colon : end) - host);
	for (size_t i = 0; i < sizeof(loopback) / sizeof(loopback[0]); i++)
		if (n == strlen(loopback[i]) && strncasecmp(host, loopback[i], n) == 0)
			return true;
	return false;
}

/* Rules across keys, which no single key's bounds can say. NULL when the file is consistent. */
static const char *inconsistent(const struct conf *c)
{
	/* Signatures cover our requests and the provider's notifications, not the answers to
	 * our requests (a check's outcome, a payment's state, a parcel's track): only TLS keeps
	 * those from being forged on the way. Plain http stays for a provider on this host (the
	 * sandbox, a local relay). */
#define TLS_ONLY " must be an https:// URL (plain http:// only to 127.0.0.1, localhost or [::1])"
	static const struct {
		size_t offset;
		const char *why;
	} providers[] = {
		{ offsetof(struct conf, verify_endpoint), "[verify] endpoint" TLS_ONLY },
		{ offsetof(struct conf, pay_endpoint), "[pay] endpoint" TLS_ONLY },
		{ offsetof(struct conf, pay_notify_url), "[pay] notify_url" TLS_ONLY },
		{ offsetof(struct conf, courier_endpoint), "[courier] endpoint" TLS_ONLY },
	};
#undef TLS_ONLY
	/* One pass over an SMS row may send through [sms], then [sms2], inside one claim. */
	long long sms2_ms = strcmp(c->sms2_provider, "none") != 0 ? c->sms2_timeout_ms : 0;
	long long send_ms = c->sms_timeout_ms > c->mail_timeout_ms ? c->sms_timeout_ms : c->mail_timeout_ms;
	long long body = c->upload_body_max > c->json_body_max ? c->upload_body_max : c->json_body_max;

	/* A send that outlives its claim could be reconciled, found missing and sent again. */
	send_ms = sms2_ms > send_ms ? sms2_ms : send_ms;
	if ((long long)c->outbox_claim_timeout * 1000 < 2 * send_ms + 5000 ||
	    (long long)c->outbox_claim_timeout * 1000 < c->sms_timeout_ms + sms2_ms + 5000)
		return "[outbox] claim_timeout must be more than twice the longest send timeout "
		       "([sms], [sms2], [mail] timeout_ms) plus 5 seconds";
	if (strcmp(c->staff_second_factor, "required") != 0 && strcmp(c->staff_second_factor, "off") != 0)
		return "[staff] second_factor must be required or off";
	if ((long long)c->arena_max < body + 1048576)
		return "[limits] arena_max must exceed [upload] body_max and [limits] json_body_max "
		       "by at least 1 MiB";
	for (size_t i = 0; i < sizeof(providers) / sizeof(providers[0]); i++)
		if (!tls_or_loopback((const char *)c + providers[i].offset))
			return providers[i].why;
	/* The CA knows us by our client certificate: there is no plain-http way to it. */
	if (strncmp(c->ca_endpoint, "https://", 8) != 0)
		return "[ca] endpoint must be an https:// URL (the CA authenticates us by client "
		       "certificate)";
	return NULL;
}

int conf_load_stream(struct conf *c, FILE *f, const char *name, char *err, size_t errsz)
{
	const char *why;
	struct load_ctx lc = { .c = c, .f = f };
	int syntax;

	err[0] = '\0';
	syntax = ini_parse_stream(read_line, &lc, on_key, &lc);
	/* Whichever fault comes first in the file is the one reported. */
	if (syntax > 0 && (!lc.first_bad || syntax < lc.first_bad)) {
		snprintf(err, errsz, "%s:%d: not a [section] header or key = value line", name, syntax);
		return -1;
	}
	if (lc.first_bad) {
		snprintf(err, errsz, "%s:%d: %s", name, lc.first_bad, lc.reason);
		return -1;
	}
	if (syntax < 0) {
		snprintf(err, errsz, "%s: out of memory while reading", name);
		return -1;
	}
	why = inconsistent(c);
	if (why) {
		snprintf(err, errsz, "%s: %s", name, why);
		return -1;
	}
	return 0;
}

int conf_load(struct conf *c, const char *path, char *err, size_t errsz)
{
	FILE *f = fopen(path, "r");
	int rc;

	if (!f) {
		snprintf(err, errsz, "%s: cannot read: %s", path, strerror(errno));
		return -1;
	}
	rc = conf_load_stream(c, f, path, err, errsz);
	fclose(f);
	return rc;
}

/* The first line of path, without its line end. An empty path leaves out empty. */
static int read_secret(const char *path, char *out, size_t outsz, char *err, size_t errsz)
{
	FILE *f;

	out[0] = '\0';
	if (!path[0])
		return 0;
	f = fopen(path, "r");
	if (!f) {
		snprintf(err, errsz, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (!fgets(out, (int)outsz, f))
		out[0] = '\0';
	fclose(f);
	out[strcspn(out, "\r\n")] = '\0';
	return 0;
}

int conf_load_secrets(struct conf *c, char *err, size_t errsz)
{
	if (read_secret(c->db_password_file, c->db_password, sizeof(c->db_password), err, errsz) ||
	    read_secret(c->sms_secret_file, c->sms_secret, sizeof(c->sms_secret), err, errsz) ||
	    read_secret(c->sms2_secret_file, c->sms2_secret, sizeof(c->sms2_secret), err, errsz) ||
	    read_secret(c->mail_password_file, c->mail_password, sizeof(c->mail_password), err, errsz) ||
	    read_secret(c->verify_secret_file, c->verify_secret, sizeof(c->verify_secret), err, errsz) ||
	    read_secret(c->pay_secret_file, c->pay_secret, sizeof(c->pay_secret), err, errsz) ||
	    read_secret(c->courier_secret_file, c->courier_secret, sizeof(c->courier_secret), err,
			errsz))
		return -1;
	return 0;
}

void conf_print_keys(FILE *out)
{
	for (size_t i = 0; i < sizeof(conf_keys) / sizeof(conf_keys[0]); i++)
		fprintf(out, "%s %s %s\n", conf_keys[i].section, conf_keys[i].name, conf_keys[i].def);
}
