/* wizard: placeholder until its helper lands (development only). */
#include "wizard.h"

int wizard_form(struct req *r)
{
	return resp_error(r, ERR_NOT_FOUND, NULL, NULL);
}

int wizard_form_check(struct req *r)
{
	return resp_error(r, ERR_NOT_FOUND, NULL, NULL);
}

