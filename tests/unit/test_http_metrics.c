/* The HTTP request head parser of the /metrics endpoint: what Prometheus and curl send is
 * accepted; malformed, oversized, other methods and versions get their status. */
#include <string.h>

#include "pipeline/http_metrics.h"
#include "tests/unit/testutil.h"

static enum http_parse parse(const char *s, struct http_request *rq)
{
	return http_parse_request(s, strlen(s), rq);
}

START_TEST(prometheus_scrape)
{
	/* what Prometheus 2.42 sends (net/http, scrape.go) */
	struct http_request rq;
	ck_assert_int_eq(parse("GET /metrics HTTP/1.1\r\nHost: 127.0.0.1:9477\r\nUser-Agent: "
			       "Prometheus/2.42.0\r\nAccept: application/openmetrics-text;version=1.0.0,"
			       "text/plain;version=0.0.4;q=0.5,*/*;q=0.1\r\nAccept-Encoding: gzip\r\n"
			       "X-Prometheus-Scrape-Timeout-Seconds: 10\r\n\r\n",
			       &rq),
			 HTTP_OK);
	ck_assert_int_eq(rq.target, HTTP_T_METRICS);
	ck_assert(!rq.head);
	ck_assert_int_eq(parse("HEAD /metrics?x=1 HTTP/1.0\n\n", &rq), HTTP_OK);
	ck_assert(rq.head);
	ck_assert_int_eq(rq.target, HTTP_T_METRICS);
	ck_assert_int_eq(parse("\r\nGET / HTTP/1.1\r\n\r\n", &rq), HTTP_OK);
	ck_assert_int_eq(rq.target, HTTP_T_ROOT);
	ck_assert_int_eq(parse("GET /metricsx HTTP/1.1\r\n\r\n", &rq), HTTP_OK);
	ck_assert_int_eq(rq.target, HTTP_T_OTHER);
	ck_assert_str_eq(http_status_line(HTTP_OK, rq.target), "404 Not Found");
}
END_TEST

START_TEST(incomplete_and_bad)
{
	struct http_request rq;
	ck_assert_int_eq(parse("GET /metrics HTTP/1.1\r\nHost: x\r\n", &rq), HTTP_NEED_MORE);
	ck_assert_int_eq(parse("", &rq), HTTP_NEED_MORE);
	ck_assert_int_eq(parse("POST /metrics HTTP/1.1\r\n\r\n", &rq), HTTP_BAD_METHOD);
	ck_assert_int_eq(parse("GET /metrics HTTP/2.0\r\n\r\n", &rq), HTTP_BAD_VERSION);
	ck_assert_int_eq(parse("GET /metrics\r\n\r\n", &rq), HTTP_BAD);         /* HTTP/0.9 */
	ck_assert_int_eq(parse("GET  /metrics HTTP/1.1\r\n\r\n", &rq), HTTP_BAD); /* two spaces */
	ck_assert_int_eq(parse("GET /metrics HTTP/1.1\r\nno colon\r\n\r\n", &rq), HTTP_BAD);
	ck_assert_int_eq(parse("GET /metrics HTTP/1.1\r\n folded: x\r\n\r\n", &rq), HTTP_BAD);
	ck_assert_int_eq(parse("GET /metrics HTTP/1.1\rX\n\n", &rq), HTTP_BAD);
	ck_assert_int_eq(parse("\r\n\r\n", &rq), HTTP_BAD);
	ck_assert_str_eq(http_status_line(HTTP_BAD_METHOD, HTTP_T_OTHER), "405 Method Not Allowed");
	/* bytes after the head (a pipelined request) do not matter */
	ck_assert_int_eq(parse("GET /metrics HTTP/1.1\r\n\r\nGARBAGE", &rq), HTTP_OK);
	/* NUL bytes inside are malformed, not the end of the string */
	static const char nul[] = "GET /me\0trics HTTP/1.1\r\n\r\n";
	ck_assert_int_eq(http_parse_request(nul, sizeof(nul) - 1, &rq), HTTP_BAD);
}
END_TEST

START_TEST(too_large)
{
	static char big[HTTP_MAX_REQUEST + 100];
	struct http_request rq;
	strcpy(big, "GET /metrics HTTP/1.1\r\nX-Long: ");
	size_t n = strlen(big);
	memset(big + n, 'a', sizeof(big) - n);
	ck_assert_int_eq(http_parse_request(big, HTTP_MAX_REQUEST, &rq), HTTP_TOO_LARGE);
	memcpy(big + HTTP_MAX_REQUEST + 10, "\r\n\r\n", 4);
	ck_assert_int_eq(http_parse_request(big, HTTP_MAX_REQUEST + 14, &rq), HTTP_TOO_LARGE);
	ck_assert_str_eq(http_status_line(HTTP_TOO_LARGE, HTTP_T_OTHER),
			 "431 Request Header Fields Too Large");
}
END_TEST

START_TEST(listen_addresses)
{
	struct http_server s;
	char err[256];
	ck_assert_int_eq(http_listen(&s, "127.0.0.1", err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "HOST:PORT"));
	ck_assert_int_eq(http_listen(&s, "127.0.0.1:0x50", err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "0x50"));
	ck_assert_int_eq(http_listen(&s, "::1:9000", err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "brackets"));
	ck_assert_int_eq(http_listen(&s, "example.com:9000", err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "numeric"));
	ck_assert_int_eq(http_listen(&s, "127.0.0.1:70000", err, sizeof(err)), -1);
}
END_TEST

Suite *http_metrics_suite(void)
{
	Suite *s = suite_create("http_metrics");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, prometheus_scrape);
	tcase_add_test(tc, incomplete_and_bad);
	tcase_add_test(tc, too_large);
	tcase_add_test(tc, listen_addresses);
	suite_add_tcase(s, tc);
	return s;
}
