/* app: what a request's handlers share of their worker: the database's error answer. */
#include "web/app.h"

#include "web/req.h"

int app_db_error(struct req *r, int rc)
{
	return resp_error(r, rc == DB_GONE ? ERR_UNAVAILABLE : ERR_INTERNAL, NULL, NULL);
}
