/* API tests: material uploads through nginx and the upload program, hostile files included. */
#define _GNU_SOURCE /* memmem */
#include <dirent.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "apiclient.h"
#include "base/conf.h"
#include "crypto/crypto.h"
#include "db/db.h"
#include "domain/orderno.h"
#include "wizclient.h"

static struct conf conf;
static struct db db;
static struct arena a;
/* The last material row before this file's run: the store's checks judge what this file
 * uploads (other files plant rows of their own, without files, for the order lists). */
static long long materials_before;
static char corpus[600];
static struct api_client owner, other;
/* Orders of the owner: bjca-zycg new/org, szca lost/legal_rep, jxca-js new/org, one under
 * review; and one of the other account. */
static char o_main[19], o_szca[19], o_jxca[19], o_locked[19], o_other[19];
static long long owner_id;

static long long account_id(const char *login)
{
	struct db_rows rows;

	assert_int_equal(db_query(&db, &a, "SELECT id FROM accounts WHERE login_name = ?",
				  DB_ARGS(DB_STR(login)), &rows), DB_OK);
	return strtoll(db_cell(&rows, 0, 0), NULL, 10);
}

static void make_order(char no[19], long long account, const char *channel, const char *business,
		       const char *kind, const char *state)
{
	orderno_make(no, time(NULL), 7);
	assert_int_equal(db_exec(&db,
		"INSERT INTO orders (order_no, channel_id, account_id, business_type, cert_kind, state, "
		"subject_name, created_at, updated_at) SELECT ?, id, ?, ?, ?, ?, '测试单位', NOW(3), NOW(3) "
		"FROM channels WHERE code = ?",
		DB_ARGS(DB_STR(no), DB_I64(account), DB_STR(business), DB_STR(kind), DB_STR(state),
			DB_STR(channel)), NULL, NULL), DB_OK);
}

static int setup(void **state)
{
	char cmd[1400], uscc[19], mobile[12], uscc2[19], mobile2[12];
	struct db_rows before;

	(void)state;
	if (wiz_open(&conf, NULL, &db, &a) < 0)
		return -1;
	if (db_query(&db, &a, "SELECT COALESCE(MAX(id), 0) FROM materials", DB_NOARGS, &before) != DB_OK)
		return -1;
	materials_before = strtoll(db_cell(&before, 0, 0), NULL, 10);
	snprintf(corpus, sizeof(corpus), "%s/corpus", getenv("CERTHALL_STACK"));
	snprintf(cmd, sizeof(cmd), "CORPUS_LIMIT=2097152 tests/data/make_corpus.sh %s >/dev/null 2>&1", corpus);
	if (system(cmd) != 0)
		return -1;
	/* For this file's run, bjca-zycg's own rules (uploads-policy/materials.sql) check nothing
	 * of what a scan shows (every threshold 0, no seal, no QR: a CA may set them so): the
	 * decoding tests here upload colour fields, gradients and plain scans as the application
	 * form. The teardown gives them the defaults' checks back; tests/api/test_upload_scan.c
	 * tests the checks. */
	if (db_exec(&db, "UPDATE material_rules r JOIN channels c ON c.id = r.channel_id "
			 "SET r.ink_min = 0, r.sharp_min = 0, r.paper_min = 0, r.area_min = 0, r.seal = 0, "
			 "r.qr_form = NULL WHERE c.code = 'bjca-zycg'", DB_NOARGS, NULL, NULL) != DB_OK)
		return -1;
	wiz_register_org(&owner, uscc, mobile);
	wiz_register_org(&other, uscc2, mobile2);
	owner_id = account_id(uscc);
	make_order(o_main, account_id(uscc), "bjca-zycg", "new", "org", "draft");
	make_order(o_szca, account_id(uscc), "szca", "lost", "legal_rep", "draft");
	make_order(o_jxca, account_id(uscc), "jxca-js", "new", "org", "returned");
	/* Returned with the two scans the tests upload sent back to the applicant. */
	if (db_exec(&db, "UPDATE orders SET editable = 'application_form,business_licence,handler' "
			 "WHERE order_no = ?", DB_ARGS(DB_STR(o_jxca)), NULL, NULL) != DB_OK)
		return -1;
	/* A returned JXCA order had passed its legal representative's face check: 004 takes no scan
	 * before it ("认证成功后，才能上传资料"). */
	if (db_exec(&db, "INSERT INTO verifications (order_id, subject, method, state, created_at, "
			 "decided_at) SELECT id, 'enterprise', 'lr_face', 'passed', NOW(3), NOW(3) "
			 "FROM orders WHERE order_no = ?", DB_ARGS(DB_STR(o_jxca)), NULL, NULL) != DB_OK)
		return -1;
	make_order(o_locked, account_id(uscc), "bjca-zycg", "new", "org", "reviewing");
	make_order(o_other, account_id(uscc2), "bjca-zycg", "new", "org", "draft");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	if (db_exec(&db, "UPDATE material_rules r JOIN channels c ON c.id = r.channel_id "
			 "JOIN material_rules d ON d.channel_id = 0 AND d.material = r.material "
			 "SET r.ink_min = d.ink_min, r.sharp_min = d.sharp_min, r.paper_min = d.paper_min, "
			 "r.area_min = d.area_min, r.seal = d.seal, r.qr_form = d.qr_form "
			 "WHERE c.code = 'bjca-zycg'", DB_NOARGS, NULL, NULL) != DB_OK)
		fprintf(stderr, "test_upload: could not give bjca-zycg its checks back\n");
	wiz_close(&db, &a);
	return 0;
}

static char *slurp(const char *name, size_t *len)
{
	char path[800];

	snprintf(path, sizeof(path), "%s/%s", corpus, name);
	return api_read_file(path, len);
}

/* A browser's multipart form: one "file" field. */
static void upload_as(struct api_client *c, const char *order, const char *kind, const char *file,
		      const char *filename, const char *type, struct api_resp *r)
{
	size_t len;
	char *data = slurp(file, &len);

	api_upload(c, order, kind, data, len, filename, type, r);
	free(data);
}

static void upload(const char *order, const char *kind, const char *file, const char *filename,
		   const char *type, struct api_resp *r)
{
	upload_as(&owner, order, kind, file, filename, type, r);
}

static void expect_refusal(const char *order, const char *file, const char *filename, const char *type,
			   long status, const char *code)
{
	struct api_resp r;

	upload(order, "application_form", file, filename, type, &r);
	if (r.status != status || !api_error_code(&r) || strcmp(api_error_code(&r), code) != 0)
		fail_msg("%s as %s (%s): expected %ld %s, got %ld %.300s", file, filename, type, status,
			 code, r.status, r.body);
	/* Every refusal says what applied, in words and in numbers. */
	if (strcmp(code, "not_editable") != 0 && strcmp(code, "bad_request") != 0)
		assert_non_null(json_object_get(json_object_get(r.json, "error"), "limits"));
	api_free(&r);
}

static long long materials_rows(const char *order)
{
	struct db_rows rows;

	assert_int_equal(db_query(&db, &a, "SELECT COUNT(*) FROM materials m JOIN orders o ON o.id = m.order_id "
				       "WHERE o.order_no = ?", DB_ARGS(DB_STR(order)), &rows), DB_OK);
	return strtoll(db_cell(&rows, 0, 0), NULL, 10);
}

static const char *error_message(const struct api_resp *r)
{
	const char *m = json_string_value(json_object_get(json_object_get(r->json, "error"), "message"));

	return m ? m : "";
}

/* The latest version and state of each material of the order: "kind:version:state;...". */
static void latest_materials(const char *order, char *out, size_t outsz)
{
	struct db_rows rows;

	assert_int_equal(db_query(&db, &a,
		"SELECT COALESCE(GROUP_CONCAT(CONCAT(m.material, IF(m.page > 1, CONCAT('#', m.page), ''), "
		"':', m.version, ':', m.state) ORDER BY m.material, m.page SEPARATOR ';'), '') FROM materials m JOIN orders o ON o.id = m.order_id "
		"WHERE o.order_no = ? AND m.state <> 'replaced'", DB_ARGS(DB_STR(order)), &rows), DB_OK);
	snprintf(out, outsz, "%s", db_cell(&rows, 0, 0));
}

static void set_order(const char *order, const char *state, const char *editable)
{
	assert_int_equal(db_exec(&db, "UPDATE orders SET state = ?, editable = ? WHERE order_no = ?",
				 DB_ARGS(DB_STR(state), DB_STR(editable), DB_STR(order)), NULL, NULL), DB_OK);
}

static void upload_ok(const char *order, const char *kind, long long version)
{
	struct api_resp r;

	upload(order, kind, "scan.jpg", "scan.jpg", "image/jpeg", &r);
	if (r.status != 201)
		fail_msg("upload %s: %ld %s", kind, r.status, r.body);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(r.json, "material"), "version")),
			 version);
	api_free(&r);
}

static void upload_locked(const char *order, const char *kind, const char *name)
{
	struct api_resp r;

	upload(order, kind, "scan.jpg", "scan.jpg", "image/jpeg", &r);
	api_expect_error(&r, 409, "material_locked");
	assert_string_equal(api_error_field(&r), "material");
	if (!strstr(error_message(&r), name) || !strstr(error_message(&r), "退回"))
		fail_msg("%s: the refusal should name %s and the return: %s", kind, name, r.body);
	api_free(&r);
}

/* A returned order takes again only what the reviewer sent back (orders.editable): approving
 * accepts every pending scan, so any other one swapped in now would be approved unseen. */
static void test_returned_takes_only_what_was_sent_back(void **state)
{
	char no[19], before[600], after[600];

	(void)state;
	make_order(no, owner_id, "bjca-zycg", "new", "org", "draft");
	/* A draft takes any material its order needs, as often as the applicant likes. */
	upload_ok(no, "application_form", 1);
	upload_ok(no, "business_licence", 1);
	upload_ok(no, "handler_id", 1);
	upload_ok(no, "handler_id?page=2", 1);
	upload_ok(no, "handler_id?page=2", 2);
	/* Returned: the ID card copy rejected (both its pages), the handler's data to correct. */
	assert_int_equal(db_exec(&db, "UPDATE materials m JOIN orders o ON o.id = m.order_id "
				       "SET m.state = 'rejected' WHERE o.order_no = ? AND m.material = 'handler_id' "
				       "AND m.state = 'pending'", DB_ARGS(DB_STR(no)), NULL, NULL), DB_OK);
	set_order(no, "returned", "handler_id,handler");
	latest_materials(no, before, sizeof(before));
	assert_string_equal(before, "application_form:1:pending;business_licence:1:pending;"
				    "handler_id:1:rejected;handler_id#2:2:rejected");
	/* Pending scans the reviewer did not send back stay as they are, as do the accepted ones;
	 * a step's name opens no material (handler_id is not "handler"). */
	upload_locked(no, "application_form", "数字证书申请表");
	upload_locked(no, "business_licence", "营业执照副本复印件");
	upload_locked(no, "authorisation_letter", "法定代表人授权书"); /* needed, never uploaded */
	latest_materials(no, after, sizeof(after));
	assert_string_equal(after, before);
	/* The list tells the page the same, kind by kind. */
	{
		char path[96];
		struct api_resp r;
		json_t *m;
		size_t i;
		int open = 0;

		snprintf(path, sizeof(path), "/api/upload/orders/%s/materials", no);
		api_call(&owner, "GET", path, NULL, NULL, &r);
		assert_int_equal(r.status, 200);
		json_array_foreach(json_object_get(r.json, "materials"), i, m) {
			bool want = strcmp(json_string_value(json_object_get(m, "kind")), "handler_id") == 0;

			assert_int_equal(json_is_true(json_object_get(m, "editable")), want);
			open += want;
		}
		assert_int_equal(open, 1);
		api_free(&r);
	}
	/* What was sent back is taken, page by page, again until the order is resubmitted. */
	upload_ok(no, "handler_id", 2);
	upload_ok(no, "handler_id", 3);
	latest_materials(no, after, sizeof(after));
	assert_string_equal(after, "application_form:1:pending;business_licence:1:pending;"
				   "handler_id:3:pending;handler_id#2:2:rejected");
	/* Returned with a step only: no scan at all. Items match whole, never a part of one. */
	set_order(no, "returned", "handler");
	upload_locked(no, "handler_id", "经办人身份证复印件");
	set_order(no, "returned", "handler_id_x,x_handler_id,handler_idx");
	upload_locked(no, "handler_id?page=2", "经办人身份证复印件");
	set_order(no, "returned", "");
	upload_locked(no, "handler_id", "经办人身份证复印件");
	/* In a draft a leftover list means nothing. */
	set_order(no, "draft", "handler");
	upload_ok(no, "application_form", 2);
	/* A listed material still needs its rule: a code that is no material stays not needed. */
	set_order(no, "returned", "no_such_kind");
	{
		struct api_resp r;

		upload(no, "no_such_kind", "scan.jpg", "scan.jpg", "image/jpeg", &r);
		api_expect_error(&r, 400, "material_not_needed");
		api_free(&r);
	}
	latest_materials(no, after, sizeof(after));
	assert_string_equal(after, "application_form:2:pending;business_licence:1:pending;"
				   "handler_id:3:pending;handler_id#2:2:rejected");
}

/* GET path as the owner: its JSON (the caller frees r). */
static json_t *get_json(struct api_client *c, const char *fmt, const char *no, struct api_resp *r)
{
	char path[160];

	snprintf(path, sizeof(path), fmt, no);
	api_call(c, "GET", path, NULL, NULL, r);
	if (r->status != 200)
		fail_msg("GET %s: %ld %s", path, r->status, r->body);
	return r->json;
}

/* The upload list's entry of a material. */
static json_t *listed_material(json_t *list, const char *kind)
{
	json_t *m;
	size_t i;

	json_array_foreach(json_object_get(list, "materials"), i, m)
		if (strcmp(json_string_value(json_object_get(m, "kind")), kind) == 0)
			return m;
	return NULL;
}

/* Whether the wizard's order says the material is still missing. */
static bool missing(const char *no, const char *kind)
{
	struct api_resp r;
	json_t *m;
	size_t i;
	bool found = false;

	json_array_foreach(json_object_get(get_json(&owner, "/api/wizard/orders/%s", no, &r),
					   "materials_missing"), i, m)
		found |= strcmp(json_string_value(json_object_get(m, "material")), kind) == 0;
	api_free(&r);
	return found;
}

static void remove_page(struct api_client *c, const char *no, const char *kind, struct api_resp *r)
{
	char path[160];

	snprintf(path, sizeof(path), "/api/upload/orders/%s/materials/%s", no, kind);
	api_call(c, "DELETE", path, NULL, NULL, r);
}

/* Pages of one material (issue 17): an ID card copy is one material of up to 2 pages, both
 * sides on one page or on two. */
static void test_pages(void **state)
{
	static const char *const hostile[] = { "0", "3", "-1", "abc", "99999999999999999999", "",
					       "1.0", "%201", "2abc", "01x", "+1", "1e1" };
	char no[19], after[600], path[200];
	struct api_resp r;
	json_t *m, *pages;
	long long rows;

	(void)state;
	make_order(no, owner_id, "bjca-zycg", "new", "org", "draft");
	/* One page only: the material is there (both sides copied on one page). */
	assert_true(missing(no, "handler_id"));
	upload_ok(no, "handler_id", 1);
	assert_false(missing(no, "handler_id"));
	m = listed_material(get_json(&owner, "/api/upload/orders/%s/materials", no, &r), "handler_id");
	assert_non_null(m);
	assert_int_equal(json_integer_value(json_object_get(m, "pages")), 2);
	/* What each page is, for the wizard to title its box by. */
	pages = json_object_get(m, "page_names");
	assert_int_equal(json_array_size(pages), 2);
	assert_string_equal(json_string_value(json_array_get(pages, 0)), "正面（人像面）");
	assert_string_equal(json_string_value(json_array_get(pages, 1)), "背面（国徽面）");
	assert_int_equal(json_array_size(json_object_get(m, "uploads")), 1);
	api_free(&r);
	/* The second page, as its own page of the same material. */
	upload(no, "handler_id?page=2", "scan.png", "back.png", "image/png", &r);
	assert_int_equal(r.status, 201);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(r.json, "material"), "page")), 2);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(r.json, "material"), "version")), 1);
	api_free(&r);
	assert_false(missing(no, "handler_id"));
	m = listed_material(get_json(&owner, "/api/upload/orders/%s/materials", no, &r), "handler_id");
	pages = json_object_get(m, "uploads");
	assert_int_equal(json_array_size(pages), 2);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(pages, 0), "page")), 1);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(pages, 1), "page")), 2);
	assert_non_null(strstr(json_string_value(json_object_get(json_array_get(pages, 1), "thumb_url")), "/thumb"));
	/* page 1 stays the "latest" of before pages */
	assert_string_equal(json_string_value(json_object_get(json_object_get(m, "latest"), "id")),
			    json_string_value(json_object_get(json_array_get(pages, 0), "id")));
	api_free(&r);
	/* Hostile page numbers, and page 2 of a material of one page: 400 invalid_field, the field
	 * named, a message in words, nothing written. */
	rows = materials_rows(no);
	for (size_t i = 0; i < sizeof(hostile) / sizeof(hostile[0]); i++) {
		snprintf(path, sizeof(path), "handler_id?page=%s", hostile[i]);
		upload(no, path, "scan.jpg", "scan.jpg", "image/jpeg", &r);
		if (r.status != 400)
			fail_msg("page=%s: %ld %s", hostile[i], r.status, r.body);
		api_expect_error(&r, 400, "invalid_field");
		assert_string_equal(api_error_field(&r), "page");
		assert_non_null(strstr(error_message(&r), "页码"));
		api_free(&r);
	}
	upload(no, "application_form?page=2", "scan.jpg", "scan.jpg", "image/jpeg", &r);
	api_expect_error(&r, 400, "invalid_field");
	assert_string_equal(api_error_field(&r), "page");
	assert_non_null(strstr(error_message(&r), "数字证书申请表"));
	api_free(&r);
	remove_page(&owner, no, "application_form?page=2", &r);
	api_expect_error(&r, 400, "invalid_field");
	api_free(&r);
	assert_int_equal(materials_rows(no), rows);
	/* Page 2 replaced alone: page 1 keeps its version. */
	upload_ok(no, "handler_id?page=2", 2);
	latest_materials(no, after, sizeof(after));
	assert_string_equal(after, "handler_id:1:pending;handler_id#2:2:pending");
	/* Another applicant's order: the same 404 as no order, for every page and the delete. */
	upload_as(&other, no, "handler_id?page=2", "scan.jpg", "scan.jpg", "image/jpeg", &r);
	api_expect_error(&r, 404, "not_found");
	api_free(&r);
	remove_page(&other, no, "handler_id?page=2", &r);
	api_expect_error(&r, 404, "not_found");
	api_free(&r);
	snprintf(path, sizeof(path), "/api/upload/orders/%s/materials", no);
	api_call(&other, "GET", path, NULL, NULL, &r);
	api_expect_error(&r, 404, "not_found");
	api_free(&r);
	assert_int_equal(materials_rows(no), rows + 1);
	/* Page 2 withdrawn (both sides now on page 1): gone from the list, the material still there;
	 * named as the wizard titles it. */
	remove_page(&owner, no, "handler_id?page=2", &r);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(json_string_value(json_object_get(json_object_get(r.json, "removed"), "name")),
			       "背面（国徽面）"));
	api_free(&r);
	remove_page(&owner, no, "handler_id?page=2", &r);
	api_expect_error(&r, 404, "not_found"); /* nothing left to withdraw */
	api_free(&r);
	latest_materials(no, after, sizeof(after));
	assert_string_equal(after, "handler_id:1:pending");
	m = listed_material(get_json(&owner, "/api/upload/orders/%s/materials", no, &r), "handler_id");
	assert_int_equal(json_array_size(json_object_get(m, "uploads")), 1);
	api_free(&r);
	assert_false(missing(no, "handler_id"));
	/* Page 2 again: its versions go on. */
	upload_ok(no, "handler_id?page=2", 3);
	/* Page 1 withdrawn: the material is missing until page 1 is there again. */
	remove_page(&owner, no, "handler_id", &r);
	assert_int_equal(r.status, 200);
	api_free(&r);
	assert_true(missing(no, "handler_id"));
	upload_ok(no, "handler_id", 2);
	assert_false(missing(no, "handler_id"));
	/* Not while the order is in review. */
	set_order(no, "reviewing", "");
	remove_page(&owner, no, "handler_id?page=2", &r);
	api_expect_error(&r, 409, "not_editable");
	api_free(&r);
	latest_materials(no, after, sizeof(after));
	assert_string_equal(after, "handler_id:2:pending;handler_id#2:3:pending");
}

static void test_valid_scans_are_stored(void **state)
{
	static const char *ok[][3] = {
		{ "scan.jpg", "申请表.jpg", "image/jpeg" }, { "scan.png", "scan.png", "image/png" },
		{ "scan.bmp", "scan.bmp", "image/bmp" },   { "scan.gif", "scan.gif", "image/gif" },
		{ "cmyk.jpg", "cmyk.jpg", "image/jpeg" },  { "deep.png", "deep.png", "image/png" },
		{ "anim.gif", "anim.gif", "image/gif" },   { "limit.jpg", "limit.jpg", "image/jpeg" },
		{ "alpha.png", "alpha.png", "image/png" },
		/* A small frame on a huge GIF screen: the frame is the image, the screen never pixels. */
		{ "screen.gif", "screen.gif", "image/gif" },
	};
	struct api_resp r;
	char ct[64];

	(void)state;
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		upload(o_main, "application_form", ok[i][0], ok[i][1], ok[i][2], &r);
		if (r.status != 201)
			fail_msg("%s: %ld %s", ok[i][0], r.status, r.body);
		assert_int_equal(json_integer_value(json_object_get(json_object_get(r.json, "material"), "version")),
				 (json_int_t)(i + 1));
		api_free(&r);
	}
	/* The image comes through nginx (X-Accel-Redirect) as a fixed-type JPEG. */
	{
		struct api_resp l, img;
		json_t *m;
		const char *url;

		api_call(&owner, "GET", "/api/upload/orders/", NULL, NULL, &l);
		api_free(&l);
		snprintf(ct, sizeof(ct), "/api/upload/orders/%s/materials", o_main);
		api_call(&owner, "GET", ct, NULL, NULL, &l);
		assert_int_equal(l.status, 200);
		m = json_array_get(json_object_get(l.json, "materials"), 0);
		assert_string_equal(json_string_value(json_object_get(m, "kind")), "application_form");
		url = json_string_value(json_object_get(json_object_get(m, "latest"), "image_url"));
		assert_non_null(url);
		api_call(&owner, "GET", url, NULL, NULL, &img);
		assert_int_equal(img.status, 200);
		assert_true(img.len > 100);
		assert_int_equal((unsigned char)img.body[0], 0xFF);
		assert_int_equal((unsigned char)img.body[1], 0xD8);
		assert_non_null(api_header(&img, "Content-Type", ct, sizeof(ct)));
		assert_string_equal(ct, "image/jpeg");
		assert_non_null(api_header(&img, "X-Content-Type-Options", ct, sizeof(ct)));
		assert_null(api_header(&img, "X-Accel-Redirect", ct, sizeof(ct)));
		api_free(&img);
		api_free(&l);
	}
	/* Earlier versions are kept, replaced, for the audit trail. */
	{
		struct db_rows rows;

		assert_int_equal(db_query(&db, &a, "SELECT SUM(m.state = 'replaced'), SUM(m.state = 'pending') "
					       "FROM materials m JOIN orders o ON o.id = m.order_id WHERE o.order_no = ?",
					       DB_ARGS(DB_STR(o_main)), &rows), DB_OK);
		assert_string_equal(db_cell(&rows, 0, 0), "9");
		assert_string_equal(db_cell(&rows, 0, 1), "1");
	}
}

static void test_raw_body_upload(void **state)
{
	char path[200];
	struct api_resp r;
	size_t len;
	char *data = slurp("scan.jpg", &len);

	(void)state;
	snprintf(path, sizeof(path), "/api/upload/orders/%s/materials/handler_id", o_main);
	api_call_raw(&owner, "POST", path, "image/jpeg", data, len,
		     "X-File-Name: %E8%BA%AB%E4%BB%BD%E8%AF%81.jpg", &r);
	assert_int_equal(r.status, 201);
	api_free(&r);
	/* Says PNG, is JPEG. */
	api_call_raw(&owner, "POST", path, "image/jpeg", data, len, "X-File-Name: id.png", &r);
	api_expect_error(&r, 400, "type_mismatch");
	api_free(&r);
	/* A NUL in the name (".jpg" to us, ".php" to whatever reads it whole), as multipart. */
	api_call_raw(&owner, "POST", path, "image/jpeg", data, len, "X-File-Name: a.jpg%00.php", &r);
	api_expect_error(&r, 400, "invalid_field");
	assert_string_equal(api_error_field(&r), "file");
	api_free(&r);
	/* A right-to-left override: "a<RLO>gpj.exe" shows as "aexe.jpg" on a reviewer's page. */
	api_call_raw(&owner, "POST", path, "image/jpeg", data, len,
		     "X-File-Name: a%E2%80%AEgpj.exe", &r);
	api_expect_error(&r, 400, "invalid_field");
	api_free(&r);
	api_upload(&owner, o_main, "handler_id", data, len, "scan\xe2\x81\xa7.jpg", "image/jpeg", &r);
	api_expect_error(&r, 400, "invalid_field");
	api_free(&r);
	free(data);
}

static void test_hostile_files(void **state)
{
	long long before;

	(void)state;
	before = materials_rows(o_main);
	expect_refusal(o_main, "flood.png", "flood.png", "image/png", 400, "too_many_pixels");
	expect_refusal(o_main, "flood15k.png", "flood15k.png", "image/png", 400, "too_many_pixels");
	expect_refusal(o_main, "truncated.jpg", "truncated.jpg", "image/jpeg", 400, "corrupt_image");
	expect_refusal(o_main, "polyglot.gif", "polyglot.gif", "image/gif", 400, "corrupt_image");
	expect_refusal(o_main, "svg.jpg", "svg.jpg", "image/jpeg", 415, "unsupported_type");
	expect_refusal(o_main, "mvg.jpg", "mvg.jpg", "image/jpeg", 415, "unsupported_type");
	expect_refusal(o_main, "ps.jpg", "ps.jpg", "image/jpeg", 415, "unsupported_type");
	expect_refusal(o_main, "pdf.jpg", "pdf.jpg", "image/jpeg", 415, "unsupported_type");
	expect_refusal(o_main, "html.jpg", "html.jpg", "image/jpeg", 415, "unsupported_type");
	expect_refusal(o_main, "empty.jpg", "empty.jpg", "image/jpeg", 400, "empty_file");
	expect_refusal(o_main, "tiny.png", "tiny.png", "image/png", 400, "too_few_pixels");
	expect_refusal(o_main, "over.jpg", "over.jpg", "image/jpeg", 413, "too_large");
	expect_refusal(o_main, "scan.png", "scan.jpg", "image/jpeg", 400, "type_mismatch");
	expect_refusal(o_main, "scan.jpg", "scan.exe", "application/octet-stream", 400, "type_mismatch");
	expect_refusal(o_main, "scan.jpg", "scan.jpg", "image/png", 400, "type_mismatch");
	/* None of that left a row. */
	assert_int_equal(materials_rows(o_main), before);
}

static void test_exif_gone_and_upright(void **state)
{
	struct api_resp r, img;
	json_t *m;

	(void)state;
	upload(o_main, "handler_id?page=2", "exif.jpg", "exif.jpg", "image/jpeg", &r);
	assert_int_equal(r.status, 201);
	m = json_object_get(r.json, "material");
	/* 800x600 tagged "rotate 90": stored as the upright 600x800. */
	assert_int_equal(json_integer_value(json_object_get(m, "width")), 600);
	assert_int_equal(json_integer_value(json_object_get(m, "height")), 800);
	api_call(&owner, "GET", json_string_value(json_object_get(m, "image_url")), NULL, NULL, &img);
	assert_int_equal(img.status, 200);
	assert_null(memmem(img.body, img.len, "Exif", 4));
	assert_null(memmem(img.body, img.len, "GPS", 3));
	api_free(&img);
	api_free(&r);
}

static void test_channel_rules(void **state)
{
	struct api_resp r;

	(void)state;
	/* SZCA (guide 001) takes jpg/bmp/gif, not png. */
	expect_refusal(o_szca, "scan.png", "scan.png", "image/png", 415, "unsupported_type");
	upload(o_szca, "business_licence", "scan.bmp", "scan.bmp", "image/bmp", &r);
	assert_int_equal(r.status, 201);
	api_free(&r);
	/* JXCA (guide 004): 1 MB. */
	upload(o_jxca, "business_licence", "limit.jpg", "limit.jpg", "image/jpeg", &r);
	api_expect_error(&r, 413, "too_large");
	assert_int_equal(json_integer_value(json_object_get(json_object_get(json_object_get(r.json, "error"),
		"limits"), "max_bytes")), 1048576);
	api_free(&r);
	/* A material the order does not need. */
	upload(o_main, "applicant_id", "scan.jpg", "scan.jpg", "image/jpeg", &r);
	api_expect_error(&r, 400, "material_not_needed");
	api_free(&r);
	upload(o_main, "no_such_kind", "scan.jpg", "scan.jpg", "image/jpeg", &r);
	api_expect_error(&r, 400, "material_not_needed");
	api_free(&r);
}

static void test_who_may(void **state)
{
	struct api_client anon = { 0 }, rev = { 0 };
	struct api_resp r;
	char path[200];

	(void)state;
	/* Another's order is no order at all. */
	upload_as(&other, o_main, "application_form", "scan.jpg", "scan.jpg", "image/jpeg", &r);
	api_expect_error(&r, 404, "not_found");
	api_free(&r);
	upload(o_other, "application_form", "scan.jpg", "scan.jpg", "image/jpeg", &r);
	api_expect_error(&r, 404, "not_found");
	api_free(&r);
	snprintf(path, sizeof(path), "/api/upload/orders/%s/materials", o_main);
	api_call(&other, "GET", path, NULL, NULL, &r);
	api_expect_error(&r, 404, "not_found");
	api_free(&r);
	api_call(&other, "GET", "/api/upload/materials/1/image", NULL, NULL, &r);
	assert_int_equal(r.status, 404);
	api_free(&r);
	upload_as(&anon, o_main, "application_form", "scan.jpg", "scan.jpg", "image/jpeg", &r);
	api_expect_error(&r, 401, "not_logged_in");
	api_free(&r);
	/* Without the CSRF token: refused. */
	{
		struct api_client forged = owner;

		memset(forged.csrf, 'c', 64);
		upload_as(&forged, o_main, "application_form", "scan.jpg", "scan.jpg", "image/jpeg", &r);
		api_expect_error(&r, 403, "csrf");
		api_free(&r);
	}
	/* Staff see, staff do not upload. */
	api_staff_login(&rev, "reviewer", "Staff2026hall");
	api_call(&rev, "GET", path, NULL, NULL, &r);
	assert_int_equal(r.status, 200);
	api_free(&r);
	upload_as(&rev, o_main, "application_form", "scan.jpg", "scan.jpg", "image/jpeg", &r);
	api_expect_error(&r, 403, "forbidden");
	api_free(&r);
}

static void test_states(void **state)
{
	struct api_resp r;

	(void)state;
	expect_refusal(o_locked, "scan.jpg", "scan.jpg", "image/jpeg", 409, "not_editable");
	/* Accepted: locked. Rejected: may be replaced. */
	assert_int_equal(db_exec(&db, "UPDATE materials m JOIN orders o ON o.id = m.order_id SET m.state = 'accepted' "
				       "WHERE o.order_no = ? AND m.material = 'business_licence' AND m.state = 'pending'",
				       DB_ARGS(DB_STR(o_szca)), NULL, NULL), DB_OK);
	upload(o_szca, "business_licence", "scan.jpg", "scan.jpg", "image/jpeg", &r);
	api_expect_error(&r, 409, "material_locked");
	assert_string_equal(api_error_field(&r), "material");
	assert_non_null(strstr(error_message(&r), "营业执照副本复印件"));
	api_free(&r);
	assert_int_equal(db_exec(&db, "UPDATE materials m JOIN orders o ON o.id = m.order_id SET m.state = 'rejected' "
				       "WHERE o.order_no = ? AND m.material = 'business_licence' AND m.state = 'accepted'",
				       DB_ARGS(DB_STR(o_szca)), NULL, NULL), DB_OK);
	upload(o_szca, "business_licence", "scan.jpg", "scan.jpg", "image/jpeg", &r);
	assert_int_equal(r.status, 201);
	api_free(&r);
}

/* Every stored file is whole (its name is its SHA-256) and every row has its files. */
static void check_store(void)
{
	char dir[600], cmd[1400];
	struct db_rows rows;

	snprintf(dir, sizeof(dir), "%s/uploads", getenv("CERTHALL_STACK"));
	snprintf(cmd, sizeof(cmd),
		 "cd %s && for f in */*/*.jpg; do [ -e \"$f\" ] || continue; "
		 "[ \"$(sha256sum \"$f\" | cut -c1-64)\" = \"$(basename \"$f\" .jpg)\" ] || exit 1; done", dir);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(db_query(&db, &a, "SELECT sha256, thumb_sha256 FROM materials WHERE id > ?",
				      DB_ARGS(DB_I64(materials_before)), &rows), DB_OK);
	for (size_t i = 0; i < rows.nrows; i++) {
		for (int k = 0; k < 2; k++) {
			const char *s = db_cell(&rows, i, (size_t)k);
			struct stat st;
			char p[800];

			snprintf(p, sizeof(p), "%s/%.2s/%.2s/%s.jpg", dir, s, s + 2, s);
			if (stat(p, &st) != 0)
				fail_msg("row without its file: %s", p);
		}
	}
}

static long upload_master(void)
{
	char path[600];
	FILE *f;
	long master;

	snprintf(path, sizeof(path), "%s/run/upload.pid", getenv("CERTHALL_STACK"));
	f = fopen(path, "r");
	assert_non_null(f);
	assert_int_equal(fscanf(f, "%ld", &master), 1);
	fclose(f);
	return master;
}

static int workers_alive(void)
{
	char cmd[100], line[32];
	int n = 0;
	FILE *f;

	snprintf(cmd, sizeof(cmd), "pgrep -P %ld", upload_master());
	f = popen(cmd, "r");
	while (f && fgets(line, sizeof(line), f))
		n++;
	if (f)
		pclose(f);
	return n;
}

/* Waits until the master has every worker back, and lets them live past the master's
 * crash-loop window (a worker dying within a second of its start is respawned later). */
static void workers_back(void)
{
	for (int i = 0; i < 400 && workers_alive() < conf.workers; i++)
		usleep(100 * 1000);
	assert_int_equal(workers_alive(), conf.workers);
	usleep(1200 * 1000);
}

static void kill_workers(void)
{
	char cmd[100];

	snprintf(cmd, sizeof(cmd), "pkill -KILL -P %ld", upload_master());
	assert_int_equal(system(cmd), 0);
}

static void test_worker_killed_mid_upload(void **state)
{
	struct api_resp r;

	(void)state;
	for (int round = 0; round < 6; round++) {
		pid_t pid;

		workers_back();
		pid = fork();
		if (pid == 0) {
			struct api_resp rr;

			upload(o_jxca, "business_licence", "scan.png", "scan.png", "image/png", &rr);
			_exit(rr.status == 201 || rr.status >= 500 ? 0 : 1);
		}
		usleep((useconds_t)(round * 25) * 1000);
		kill_workers();
		waitpid(pid, NULL, 0);
		check_store();
	}
	workers_back();
	upload(o_jxca, "business_licence", "scan.png", "scan.png", "image/png", &r);
	assert_int_equal(r.status, 201);
	api_free(&r);
	check_store();
	/* A temp file of a killed writer is swept when the workers come back. */
	{
		char cmd[800];

		snprintf(cmd, sizeof(cmd), "test -z \"$(find %s/uploads -name '.tmp-*')\"", getenv("CERTHALL_STACK"));
		assert_int_equal(system(cmd), 0);
	}
}

/* The upload disk full: 503 unavailable in JSON, no row, no file left behind; then, with room
 * again, the same upload is stored. The stack's upload folder is covered by an 8 KiB tmpfs
 * for the refused one, which needs root (make test runs as root here); otherwise skipped. */
static void test_disk_full_answers_503(void **state)
{
	char dir[512], cmd[700];
	struct api_resp r;
	long long before;
	int leftovers;

	(void)state;
	if (geteuid() != 0) {
		print_message("# skipped: mounting a full disk needs root\n");
		return;
	}
	api_stack_path("uploads", dir, sizeof(dir));
	snprintf(cmd, sizeof(cmd), "mount -t tmpfs -o size=8k certhall-full '%s'", dir);
	if (system(cmd) != 0) {
		print_message("# skipped: mount refused\n");
		return;
	}
	before = materials_rows(o_main);
	upload(o_main, "handler_id?page=2", "scan.jpg", "scan.jpg", "image/jpeg", &r);
	snprintf(cmd, sizeof(cmd), "test -z \"$(find '%s' -type f)\"", dir);
	leftovers = system(cmd);
	snprintf(cmd, sizeof(cmd), "umount '%s'", dir);
	assert_int_equal(system(cmd), 0);
	api_expect_error(&r, 503, "unavailable");
	api_free(&r);
	assert_int_equal(leftovers, 0);
	assert_int_equal(materials_rows(o_main), before);
	upload(o_main, "handler_id?page=2", "scan.jpg", "scan.jpg", "image/jpeg", &r);
	assert_int_equal(r.status, 201);
	api_free(&r);
	check_store();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid_scans_are_stored),
		cmocka_unit_test(test_raw_body_upload),
		cmocka_unit_test(test_hostile_files),
		cmocka_unit_test(test_disk_full_answers_503),
		cmocka_unit_test(test_exif_gone_and_upright),
		cmocka_unit_test(test_channel_rules),
		cmocka_unit_test(test_who_may),
		cmocka_unit_test(test_states),
		cmocka_unit_test(test_returned_takes_only_what_was_sent_back),
		cmocka_unit_test(test_pages),
		cmocka_unit_test(test_worker_killed_mid_upload),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
