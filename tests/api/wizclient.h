/* wizclient: the wizard API tests' helpers: fixtures in the stack's database (certificates a
 * CA issued outside the hall), and valid data for every step, so each test states only what
 * it changes. */
#ifndef CERTHALL_WIZCLIENT_H
#define CERTHALL_WIZCLIENT_H

#include <stdbool.h>
#include <stddef.h>

#include "apiclient.h"

/* A valid resident ID (GB 11643) of someone born in 1985, random otherwise. */
void wiz_random_id(char out[19]);

/* A random serial of 16 upper-case hex characters. */
void wiz_random_serial(char out[17]);

/* Inserts a certificate issued to subject (a USCC or an ID number) in channel, bound to the
 * account whose login_name is login (NULL: bound to none, found by subject only).
 * not_after_days and first_issued_days are relative to today (China time). */
void wiz_fixture_cert(const char *login, const char *subject, const char *channel,
		      const char *kind, const char *serial, int not_after_days,
		      int first_issued_days, bool has_seal);

/* Runs one SQL statement against the stack's database (fixtures, clocks moved back). */
void wiz_sql(const char *sql);

/* The first column of the first row of a query into out ("" for none, "NULL" for NULL). */
void wiz_sql_value(const char *sql, char *out, size_t outsz);

/* POST /api/wizard/orders; asserts 201 and writes the order number. extra: more JSON members
 * (",\"cert_serial\":\"...\"") or NULL. */
void wiz_create(struct api_client *c, const char *channel, const char *business,
		const char *kind, const char *extra, char no[19]);

/* PUT /api/wizard/orders/<no>/steps/<step> with json; the answer in r. */
void wiz_put(struct api_client *c, const char *no, const char *step, const char *json,
	     struct api_resp *r);

/* Valid JSON for a data step, for an organisation named org_name; mobile is used for every
 * mobile field (the handler's, the legal representative's). method: the verification method
 * of enterprise / handler steps (NULL: lr_mobile / mobile). Returns a static buffer. */
const char *wiz_step_json(const char *step, const char *org_name, const char *mobile,
			  const char *method);

/* The same; id_number (NULL: random) is the applicant step's ID number, which a person
 * order's must be the one it was created with. */
const char *wiz_step_json_id(const char *step, const char *org_name, const char *mobile,
			     const char *method, const char *id_number);

struct wiz_opts {
	const char *id_number;         /* the applicant step's ID (NULL: random) */
	const char *enterprise_method; /* NULL: lr_mobile if the channel offers it, else its first */
	const char *handler_method;    /* NULL: mobile if the channel offers it, else its first */
};

/* Saves every data step the order's plan has (GET /api/wizard/orders/<no> "steps") with
 * wiz_step_json; asserts each 200. */
void wiz_fill(struct api_client *c, const char *no, const char *org_name, const char *mobile);
void wiz_fill_opts(struct api_client *c, const char *no, const char *org_name, const char *mobile,
		   const struct wiz_opts *opts);

/* GET /api/wizard/orders/<no>; the state into state (at least 32 bytes) if not NULL. */
void wiz_order(struct api_client *c, const char *no, char *state, struct api_resp *r);

#endif
