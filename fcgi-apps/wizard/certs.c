/* wizard: placeholder until its helper lands (development only). */
#include "wizard.h"

int wizard_certs(struct req *r)
{
	return resp_error(r, ERR_NOT_FOUND, NULL, NULL);
}

int wizard_cert_find(struct req *r)
{
	return resp_error(r, ERR_NOT_FOUND, NULL, NULL);
}

