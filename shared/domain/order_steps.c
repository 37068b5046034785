/* order_steps: a step's data sealed under the PII key, bound to its order and step. */
#include "domain/order_steps.h"

#include <stdlib.h>
#include <string.h>

static const char *aad(struct arena *a, long long order_id, const char *step)
{
	return arena_printf(a, "order_steps:%lld:%s", order_id, step);
}

static void release(void *j)
{
	json_decref(j);
}

int order_steps_seal(const struct crypto_key *k, struct arena *a, long long order_id,
		     const char *step, json_t *data, unsigned char **out, size_t *outlen)
{
	char *text = json_dumps(data, JSON_COMPACT | JSON_SORT_KEYS);
	const char *bind = aad(a, order_id, step);
	unsigned char *sealed = NULL;
	size_t n;
	int rc = -1;

	if (!text || !bind)
		goto out;
	n = strlen(text);
	if (n > ORDER_STEP_MAX)
		goto out;
	sealed = arena_alloc(a, n + CRYPTO_SEAL_OVERHEAD);
	if (sealed && crypto_seal(k, text, n, bind, sealed, n + CRYPTO_SEAL_OVERHEAD, outlen) == 0) {
		*out = sealed;
		rc = 0;
	}
out:
	free(text);
	return rc;
}

json_t *order_steps_open(const struct crypto_key *k, struct arena *a, long long order_id,
			 const char *step, const void *sealed, size_t len)
{
	const char *bind;
	unsigned char *plain;
	size_t n = 0;
	json_t *j;

	if (!step || !sealed || len > ORDER_STEP_MAX + CRYPTO_SEAL_OVERHEAD)
		return NULL;
	bind = aad(a, order_id, step);
	plain = arena_alloc(a, len + 1);
	if (!bind || !plain || crypto_open(k, sealed, len, bind, plain, len, &n) < 0)
		return NULL;
	j = json_loadb((const char *)plain, n, 0, NULL);
	if (!json_is_object(j) || arena_defer(a, release, j) < 0) {
		json_decref(j);
		return NULL;
	}
	return j;
}

const char *order_step_str(json_t *obj, const char *name)
{
	const char *v = json_string_value(json_object_get(obj, name));

	return v ? v : "";
}
