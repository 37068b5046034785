/* wizard: placeholder until its helper lands (development only). */
#include "wizard.h"

int wizard_step_get(struct req *r)
{
	return resp_error(r, ERR_NOT_FOUND, NULL, NULL);
}

int wizard_step_put(struct req *r)
{
	return resp_error(r, ERR_NOT_FOUND, NULL, NULL);
}

