/* wizard: placeholder until its helper lands (development only). */
#include "wizard.h"

int wizard_orders(struct req *r)
{
	return resp_error(r, ERR_NOT_FOUND, NULL, NULL);
}

int wizard_order(struct req *r)
{
	return resp_error(r, ERR_NOT_FOUND, NULL, NULL);
}

int wizard_cancel(struct req *r)
{
	return resp_error(r, ERR_NOT_FOUND, NULL, NULL);
}

void wizard_expire_drafts(struct app *app)
{
	(void)app;
}

