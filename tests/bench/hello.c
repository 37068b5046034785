/* certhall-hello: the bench's reference: the same runner and worker loop, a constant answer. */
#include "web/app.h"
#include "web/req.h"
#include "web/serve.h"

static int hello(struct req *r)
{
	resp_json(r, 200, json_pack("{s:s}", "hello", "world"));
	return 0;
}

static const struct route routes[] = {
	{ "GET", "/bench/hello", hello, ROUTE_PUBLIC, 0 },
};

static const struct serve_def hello_app = {
	.name = "hello",
	.routes = routes,
	.nroutes = 1,
};

int main(int argc, char **argv)
{
	return serve_main(argc, argv, &hello_app);
}
