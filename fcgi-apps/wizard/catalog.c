/* wizard: placeholder until its helper lands (development only). */
#include "wizard.h"

int wizard_catalog(struct req *r)
{
	return resp_error(r, ERR_NOT_FOUND, NULL, NULL);
}

int wizard_quote(struct req *r)
{
	return resp_error(r, ERR_NOT_FOUND, NULL, NULL);
}

int wizard_agreement(struct req *r)
{
	return resp_error(r, ERR_NOT_FOUND, NULL, NULL);
}

