/* wizard: placeholder until its helper lands (development only). */
#include "wizard.h"

int wizard_pay(struct req *r)
{
	return resp_error(r, ERR_NOT_FOUND, NULL, NULL);
}

int wizard_pay_status(struct req *r)
{
	return resp_error(r, ERR_NOT_FOUND, NULL, NULL);
}

int wizard_pay_notify(struct req *r)
{
	return resp_error(r, ERR_NOT_FOUND, NULL, NULL);
}

int wizard_refund(struct req *r)
{
	return resp_error(r, ERR_NOT_FOUND, NULL, NULL);
}

