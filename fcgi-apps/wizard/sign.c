/* wizard: placeholder until its helper lands (development only). */
#include "wizard.h"

int wizard_sign_code(struct req *r)
{
	return resp_error(r, ERR_NOT_FOUND, NULL, NULL);
}

int wizard_sign(struct req *r)
{
	return resp_error(r, ERR_NOT_FOUND, NULL, NULL);
}

int wizard_resubmit(struct req *r)
{
	return resp_error(r, ERR_NOT_FOUND, NULL, NULL);
}

