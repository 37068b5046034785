/* conf: the one INI file of every program, checked against a table of keys at start. */
#ifndef CERTHALL_CONF_H
#define CERTHALL_CONF_H

#include <stddef.h>
#include <stdio.h>

#include "base/cidr.h"
#include "base/hallday.h"

#define CONF_STR_MAX 256

struct conf {
	/* [server] */
	int node_id;          /* 0-99, unique per host: part of every order number */
	int workers;          /* prefork workers per program */
	int max_requests;     /* a worker is recycled after this many requests; 0 = never */
	int backlog;
	int socket_mode;      /* octal in the file, e.g. 0660 */
	int log_level;        /* enum log_level */
	char socket_dir[CONF_STR_MAX];
	char changes_file[CONF_STR_MAX]; /* the host's change epoch; "": <socket_dir>/changes.epoch */
	/* [db] */
	char db_socket[CONF_STR_MAX];
	char db_host[CONF_STR_MAX];
	int db_port;
	char db_name[64];
	char db_user[64];
	char db_password_file[CONF_STR_MAX];
	int db_tx_retries;
	/* [paths] */
	char key_file[CONF_STR_MAX];
	char schema_dir[CONF_STR_MAX];
	char web_root[CONF_STR_MAX];
	char upload_dir[CONF_STR_MAX];
	char policy_dir[CONF_STR_MAX];
	/* [limits] */
	int json_body_max;
	int arena_max;
	/* Addresses whose SMS-code and verification limits are the *_trusted_hour backstops
	 * instead of the per-address ones (an agency's or a government office's known NAT). */
	char trusted_networks[1024];
	struct cidr_list trusted;      /* parsed from trusted_networks at load */
	/* The hall's time zone: a limit's "day" runs from its midnight (base/hallday.h). */
	char time_zone[HALLDAY_ZONE_MAX];
	/* [track] */
	int track_rate_limit;
	int track_rate_window;
	int track_cache_mib;      /* the answers' cache, shared by the workers; 0: none */
	int track_cache_poll_ms;  /* how often a worker reads the change log at least */
	int track_cache_check;    /* tests: every hit answered from the database too, compared */

	/* [sms] and [mail]: the providers (shared/ext/notify.h) */
	char sms_provider[16];
	char sms_endpoint[CONF_STR_MAX];
	char sms_key_id[128];
	char sms_secret_file[CONF_STR_MAX];
	char sms_sign_name[64];
	char sms_app_id[64];
	char sms_region[32];
	int sms_timeout_ms;
	/* [sms2]: the next provider, tried when [sms] refuses, fails or is taken out ("none": no
	 * second one). [sms] breaker_*: a provider failing this many sends in a row is skipped
	 * for breaker_open seconds (state in MariaDB, shared by every worker and host). */
	char sms2_provider[16];
	char sms2_endpoint[CONF_STR_MAX];
	char sms2_key_id[128];
	char sms2_secret_file[CONF_STR_MAX];
	char sms2_sign_name[64];
	char sms2_app_id[64];
	char sms2_region[32];
	int sms2_timeout_ms;
	int sms_breaker_failures;
	int sms_breaker_open;
	char mail_provider[16];
	char mail_endpoint[CONF_STR_MAX];
	char mail_user[128];
	char mail_password_file[CONF_STR_MAX];
	char mail_from[CONF_STR_MAX];
	int mail_timeout_ms;
	/* [session] */
	int session_idle;
	int session_absolute;
	/* [staff] */
	char staff_second_factor[16]; /* required | off: off lets a password alone decide */
	int staff_factor_fresh;       /* seconds a passed factor counts for a decision */
	/* [password] scrypt cost */
	int scrypt_n_log2;
	int scrypt_r;
	int scrypt_p;
	/* [sms_code] */
	int code_ttl;
	int code_tries;
	int code_per_minute;
	int code_per_hour;
	int code_per_day;
	/* Counted first per mobile (above), per account and per subject (a sign code's order's);
	 * per address only as a backstop that an office behind one NAT address never reaches
	 * (all codes), and a lower one for codes asked without a session (registration, login,
	 * reset: no account to count them against). */
	int code_sign_per_mobile_hour; /* a sign code's mobile: the handler's, signing all day */
	int code_sign_per_mobile_day;
	int code_per_account_hour;
	int code_per_account_day;
	int code_per_subject_day;
	int code_per_ip_hour;
	int code_per_ip_anon_hour;
	int code_per_trusted_hour;    /* both address backstops, for [limits] trusted_networks */
	/* [login] */
	int login_fail_account;
	int login_fail_ip;
	int login_fail_window;
	/* [outbox] */
	int outbox_batch;
	int outbox_claim_timeout;
	int outbox_max_attempts;
	int outbox_backoff_base;
	int outbox_backoff_max;
	int outbox_reconcile_after;
	/* [upload] */
	int upload_body_max;
	int upload_thumb_side;
	int upload_jpeg_quality;
	int upload_decode_timeout_ms; /* an image's deadline; the watchdog kills at it + 2 s */
	int upload_address_space_mb;  /* RLIMIT_AS of an upload worker */
	/* [sandbox] */
	int sandbox_timeout_sleep_ms;
	char sandbox_ca_dir[CONF_STR_MAX]; /* the sandbox CA's keys: <dir>/{rsa,sm2}/ca.{pem,key} */
	/* [wizard] */
	int draft_ttl_hours;      /* a draft nobody touches this long expires */
	int subjects_per_day;     /* distinct subjects (USCC, ID numbers) one account opens drafts for a day */
	char public_url[CONF_STR_MAX]; /* the hall's address as applicants see it (QR codes) */
	/* [verify], [pay], [courier]: third parties over signed JSON (shared/ext/provider.h) */
	char verify_endpoint[CONF_STR_MAX];
	char verify_secret_file[CONF_STR_MAX];
	int verify_timeout_ms;
	/* Checks started per account (an hour, a day), per subject (the order's organisation or
	 * person, a day) and per client address (an hour): each is billed, and orders cost
	 * nothing to open, so an order's own limit alone would leave the 3/4-element checks an
	 * identity oracle (fcgi-apps/wizard/verify_start.c). The subject's limit is the one that
	 * stops guessing at one organisation or person from many accounts; an application needs
	 * two checks (organisation, handler), a few more after a typo. The account's and the
	 * address's are sized for a handler doing 20 orders an hour and an office of 10 doing
	 * 60 behind one NAT address; trusted networks have their own backstop. */
	int verify_per_account_hour;
	int verify_per_account_day;
	int verify_per_subject_day;
	int verify_per_ip_hour;
	int verify_per_trusted_hour;
	char pay_endpoint[CONF_STR_MAX];
	char pay_secret_file[CONF_STR_MAX];
	char pay_notify_url[CONF_STR_MAX];
	int pay_timeout_ms;
	/* QR payments made, or switched away from, at the provider per account and hour (one per
	 * order, a switch or two): 20 covers a handler paying several orders at once. */
	int pay_per_account_hour;
	char courier_endpoint[CONF_STR_MAX];
	char courier_secret_file[CONF_STR_MAX];
	int courier_timeout_ms;
	/* [ca]: the CA's EJBCA REST API over mutual TLS (shared/ext/ca.h). Each key kind has its
	 * own issuing CA: its EJBCA name (enrolment) and its issuer DN (revocation, CRL). */
	char ca_endpoint[CONF_STR_MAX];
	char ca_cert_file[CONF_STR_MAX];  /* our client certificate (PEM) */
	char ca_key_file[CONF_STR_MAX];   /* its key (PEM) */
	char ca_ca_file[CONF_STR_MAX];    /* CAs the CA's server certificate chains to; "": system */
	int ca_timeout_ms;
	char ca_cert_profile[CONF_STR_MAX];
	char ca_ee_profile[CONF_STR_MAX];
	char ca_rsa_name[CONF_STR_MAX];
	char ca_rsa_issuer_dn[CONF_STR_MAX];
	char ca_sm2_name[CONF_STR_MAX];
	char ca_sm2_issuer_dn[CONF_STR_MAX];
	/* Certificate login (002 【证书登录】): the issuing CAs whose certificates may log in (PEM;
	 * "": certificate login is off), and the address of the local key helper the login page
	 * asks to sign (README, "Certificate login"). */
	char ca_trust_file[CONF_STR_MAX];
	char ca_token_helper[CONF_STR_MAX];

	/* Loaded from the *_file keys, never from the INI itself. */
	char db_password[128];
	char sms_secret[256];
	char sms2_secret[256];
	char mail_password[256];
	char verify_secret[256];
	char pay_secret[256];
	char courier_secret[256];
};

/* Sets every key to its default. */
void conf_defaults(struct conf *c);

/* Reads path over the defaults. Unknown sections or keys, bad values and out-of-bounds
 * numbers are errors: err gets "file:line: [section] key: reason". Returns 0 or -1. */
int conf_load(struct conf *c, const char *path, char *err, size_t errsz);

/* conf_load on an open stream; name stands for the file in err. */
int conf_load_stream(struct conf *c, FILE *f, const char *name, char *err, size_t errsz);

/* Reads the secret files named in c (db password, SMS secret, mail password), if any. */
int conf_load_secrets(struct conf *c, char *err, size_t errsz);

/* Every key as "section name default", one a line: the example file is checked against it. */
void conf_print_keys(FILE *out);

#endif
