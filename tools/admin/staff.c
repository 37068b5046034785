/* certhall-admin staff: add, disable, list; set a password; reset a lost second factor. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "admin.h"
#include "web/auth.h"
#include "crypto/password.h"

static const char sql_add[] =
	"INSERT INTO staff (username, display_name, role, password_hash, created_at, updated_at) "
	"VALUES (?, ?, ?, ?, NOW(3), NOW(3))";
static const char sql_passwd[] =
	"UPDATE staff SET password_hash = ?, updated_at = NOW(3) WHERE username = ?";
static const char sql_disable[] = "UPDATE staff SET disabled = 1, updated_at = NOW(3) WHERE username = ?";
static const char sql_kill_sessions[] =
	"DELETE s FROM sessions s JOIN staff st ON s.subject_type = 'staff' AND s.subject_id = st.id "
	"WHERE st.username = ?";
/* A lost second factor, from the host (the last admin's own, say): the trail names the member
 * and says the operator did it, since no staff session asked. */
static const char sql_reset_factor[] =
	"DELETE f FROM staff_factors f JOIN staff st ON st.id = f.staff_id WHERE st.username = ?";
static const char sql_reset_audit[] =
	"INSERT INTO audit_log (at, staff_id, staff_username, staff_role, action, detail) "
	"SELECT NOW(3), id, username, role, 'factor_reset', 'by certhall-admin on the host' "
	"FROM staff WHERE username = ?";
static const char sql_list[] =
	"SELECT username, role, display_name, disabled, DATE_FORMAT(created_at, '%Y-%m-%d') FROM staff ORDER BY username";

/* The first line of path ("-" for standard input). */
static int read_password(const char *path, char *out, size_t outsz)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");

	if (!f) {
		fprintf(stderr, "staff: %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (!fgets(out, (int)outsz, f))
		out[0] = '\0';
	if (f != stdin)
		fclose(f);
	out[strcspn(out, "\r\n")] = '\0';
	return 0;
}

static int usage(void)
{
	fprintf(stderr, "usage: certhall-admin staff add USERNAME ROLE [--name NAME] [--password-file F|-]\n"
			"       certhall-admin staff passwd USERNAME [--password-file F|-]\n"
			"       certhall-admin staff disable USERNAME\n"
			"       certhall-admin staff reset-factor USERNAME\n"
			"       certhall-admin staff list\n"
			"ROLE: reviewer, finance, shipping, admin. The password is read from the file, or\n"
			"from standard input; 8-64 characters with letters and digits.\n");
	return 2;
}

static int add_or_passwd(struct admin *ad, int argc, char **argv, int add)
{
	const char *user = argv[2], *role = add ? argv[3] : NULL, *name = user, *pwfile = "-";
	char pw[128], hash[PASSWORD_HASH_MAX];
	unsigned long long n = 0;
	int rc;

	for (int i = add ? 4 : 3; i < argc; i++) {
		if (strcmp(argv[i], "--name") == 0 && i + 1 < argc)
			name = argv[++i];
		else if (strcmp(argv[i], "--password-file") == 0 && i + 1 < argc)
			pwfile = argv[++i];
		else
			return usage();
	}
	if (add && !auth_role_bit(role)) {
		fprintf(stderr, "staff: unknown role '%s' (reviewer, finance, shipping, admin)\n", role);
		return 2;
	}
	if (read_password(pwfile, pw, sizeof(pw)) < 0)
		return 1;
	if (!password_acceptable(pw)) {
		fprintf(stderr, "staff: the password needs 8-64 characters with letters and digits\n");
		return 1;
	}
	if (password_hash(pw, ad->conf.scrypt_n_log2, ad->conf.scrypt_r, ad->conf.scrypt_p, hash) < 0)
		return 1;
	explicit_bzero(pw, sizeof(pw));
	if (add)
		rc = db_exec(&ad->db, sql_add, DB_ARGS(DB_STR(user), DB_STR(name), DB_STR(role), DB_STR(hash)),
			     NULL, NULL);
	else
		rc = db_exec(&ad->db, sql_passwd, DB_ARGS(DB_STR(hash), DB_STR(user)), &n, NULL);
	if (rc == DB_DUP) {
		fprintf(stderr, "staff: '%s' exists already\n", user);
		return 1;
	}
	if (rc != DB_OK || (!add && n != 1)) {
		fprintf(stderr, "staff: %s\n", rc != DB_OK ? ad->db.last_error : "no such staff member");
		return 1;
	}
	printf("staff %s: %s\n", add ? "added" : "password set", user);
	return 0;
}

int admin_staff(struct admin *ad, int argc, char **argv)
{
	unsigned long long n = 0;
	struct db_rows rows;

	if (argc >= 4 && strcmp(argv[1], "add") == 0)
		return add_or_passwd(ad, argc, argv, 1);
	if (argc >= 3 && strcmp(argv[1], "passwd") == 0)
		return add_or_passwd(ad, argc, argv, 0);
	if (argc == 3 && strcmp(argv[1], "disable") == 0) {
		if (db_exec(&ad->db, sql_disable, DB_ARGS(DB_STR(argv[2])), &n, NULL) != DB_OK || n != 1) {
			fprintf(stderr, "staff: no such staff member: %s\n", argv[2]);
			return 1;
		}
		db_exec(&ad->db, sql_kill_sessions, DB_ARGS(DB_STR(argv[2])), NULL, NULL);
		printf("staff disabled and logged out: %s\n", argv[2]);
		return 0;
	}
	if (argc == 3 && strcmp(argv[1], "reset-factor") == 0) {
		if (db_exec(&ad->db, sql_reset_audit, DB_ARGS(DB_STR(argv[2])), &n, NULL) != DB_OK || n != 1) {
			fprintf(stderr, "staff: no such staff member: %s\n", argv[2]);
			return 1;
		}
		if (db_exec(&ad->db, sql_reset_factor, DB_ARGS(DB_STR(argv[2])), NULL, NULL) != DB_OK ||
		    db_exec(&ad->db, sql_kill_sessions, DB_ARGS(DB_STR(argv[2])), NULL, NULL) != DB_OK) {
			fprintf(stderr, "staff: %s\n", ad->db.last_error);
			return 1;
		}
		printf("second factor reset, sessions ended: %s (enrols again at the next login)\n", argv[2]);
		return 0;
	}
	if (argc == 2 && strcmp(argv[1], "list") == 0) {
		if (db_query(&ad->db, &ad->arena, sql_list, DB_NOARGS, &rows) != DB_OK)
			return 1;
		for (size_t i = 0; i < rows.nrows; i++)
			printf("%-20s %-9s %-8s %s %s\n", db_cell(&rows, i, 0), db_cell(&rows, i, 1),
			       strcmp(db_cell(&rows, i, 3), "0") ? "disabled" : "active", db_cell(&rows, i, 4),
			       db_cell(&rows, i, 2));
		return 0;
	}
	return usage();
}
