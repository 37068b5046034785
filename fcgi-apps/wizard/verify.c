/* wizard: placeholder until its helper lands (development only). */
#include "wizard.h"

int wizard_verify_start(struct req *r)
{
	return resp_error(r, ERR_NOT_FOUND, NULL, NULL);
}

int wizard_verify_confirm(struct req *r)
{
	return resp_error(r, ERR_NOT_FOUND, NULL, NULL);
}

int wizard_verify_status(struct req *r)
{
	return resp_error(r, ERR_NOT_FOUND, NULL, NULL);
}

int wizard_mail_in(struct req *r)
{
	return resp_error(r, ERR_NOT_FOUND, NULL, NULL);
}

