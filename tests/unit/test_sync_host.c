#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/json_read.h"
#include "pipeline/sync_host.h"
#include "tests/unit/testutil.h"

/* ntpq -pn as ntpsec 1.2.2 prints it (recorded from the lab's ntpd in sync --lab) */
static const char ntpq_ours[] =
	"     remote                                   refid      st t when poll reach   delay   offset   jitter\n"
	"=======================================================================================================\n"
	"*SHM(207)                                    .PTP.            0 l    -    1    1   0.0000  -0.1008   0.0000\n"
	"+192.0.2.7                                   .GPS.            1 u   33   64  377   0.3120   0.0200   0.0100\n";

START_TEST(ntpq_parse)
{
	double off;
	char line[300];
	ck_assert(ntpq_system_peer(ntpq_ours, 207, &off, line, sizeof(line)));
	ck_assert_msg(fabs(off - -0.1008) < 1e-9, "offset %f", off);
	ck_assert(strstr(line, "system peer SHM(207)") == line);
	/* another unit: the refid .PTP. still says it is the PTP refclock */
	ck_assert(ntpq_system_peer(ntpq_ours, 3, &off, line, sizeof(line)));
	/* the GPS server as system peer: not ours, but any peer will do for a server */
	const char gps[] = "*192.0.2.7       .GPS.            1 u   33   64  377   0.3120   0.0200   0.0100\n"
			   " SHM(2)          .PTP.            0 l    4   16  377   0.0000   0.0012   0.0008\n";
	ck_assert(!ntpq_system_peer(gps, 2, &off, line, sizeof(line)));
	ck_assert(strstr(line, "(not the PTP refclock)") != NULL);
	ck_assert(ntpq_system_peer(gps, -1, &off, line, sizeof(line)));
	ck_assert(fabs(off - 0.02) < 1e-9);
	/* no '*' line; empty; a truncated '*' line (no offset) */
	ck_assert(!ntpq_system_peer(" SHM(2) .PTP. 0 l 4 16 377 0 0 0\n", 2, &off, line, sizeof(line)));
	ck_assert_str_eq(line, "no system peer yet");
	ck_assert(!ntpq_system_peer("", 2, &off, line, sizeof(line)));
	ck_assert(ntpq_system_peer("*SHM(2) .PTP. 0", 2, &off, line, sizeof(line)));
	ck_assert(isnan(off));
	/* SHM(20) is not SHM(2) ... unless its refid is .PTP. */
	ck_assert(!ntpq_system_peer("*SHM(20) .GPS. 0 l 1 1 1 0 0.5 0\n", 2, &off, line, sizeof(line)));
	/* the numeric form ntpq prints when it lacks the refclock's srchost (seen in a
	 * clean-clone run: "*127.127.28.225  .PTP. 0 u ..."); .20 is not .2 */
	ck_assert(ntpq_system_peer("*127.127.28.2   .GPS. 0 u 2 1 377 0 0.02 0\n", 2, &off, line,
				   sizeof(line)));
	ck_assert(fabs(off - 0.02) < 1e-9);
	ck_assert(!ntpq_system_peer("*127.127.28.20  .GPS. 0 u 2 1 377 0 0.02 0\n", 2, &off, line,
				    sizeof(line)));
	/* the predicate verify uses on its own: no unit given (-1), only the refid says so */
	ck_assert(ntpq_peer_is_ptp_refclock("127.127.28.2   .GPS. 0 u", 2));
	ck_assert(!ntpq_peer_is_ptp_refclock("SHM(2)  .GPS. 0 l", -1));
	ck_assert(ntpq_peer_is_ptp_refclock("SHM(2)  .PTP. 0 l", -1));
}
END_TEST

static void mkunit(const char *root, const char *dir, const char *name)
{
	char p[1024];
	snprintf(p, sizeof(p), "mkdir -p '%s%s'", root, dir);
	ck_assert(system(p) == 0);
	snprintf(p, sizeof(p), "%s%s/%s", root, dir, name);
	tu_write_file(p, "[Service]\nExecStart=/bin/true\n");
}

/* the plan (no --apply) as JSON, from a staged root: the guide's order and the version check */
static struct jr_value *plan(const char *root, bool server, const char *ver)
{
	char out[512];
	snprintf(out, sizeof(out), "%s", tu_path("plan.json"));
	fflush(stdout);
	int save = dup(1);
	ck_assert(freopen(out, "w", stdout) != NULL);
	struct sync_host_opts o = { .server = server, .iface = "eth9", .root = root,
				    .linuxptp = ver, .shm_unit = 2, .stage_timeout_ns = 1000000000LL,
				    .duration = "10s", .dir = tu_path("d"), .layer = "ptp4l",
				    .json = true };
	int rc = sync_host(&o);
	fflush(stdout);
	dup2(save, 1);
	close(save);
	ck_assert_int_eq(rc, 0);
	struct jr_value *v = jr_parse_file(out);
	ck_assert(v != NULL);
	return v;
}

static const char *step(const struct jr_value *v, size_t i)
{
	return jr_str(jr_get(jr_at(jr_get(v, "steps"), i), "command"));
}

START_TEST(plan_order_and_version)
{
	char root[512]; /* tu_path's buffers rotate: keep a copy */
	snprintf(root, sizeof(root), "%s", tu_path("root"));
	mkunit(root, "/lib/systemd/system", "ptp4l@.service");
	mkunit(root, "/lib/systemd/system", "phc2sys@.service");
	mkunit(root, "/lib/systemd/system", "ntpsec.service");
	mkunit(root, "/etc/systemd/system", "eth9-coalescence.service");
	char p[1024];
	snprintf(p, sizeof(p), "mkdir -p '%s/etc/linuxptp'", root);
	ck_assert(system(p) == 0);
	snprintf(p, sizeof(p), "%s/etc/linuxptp/ptp4l.conf", root);
	tu_write_file(p, "[global]\nslaveOnly 1\n");

	struct jr_value *v = plan(root, false, "3.1.1");
	ck_assert_uint_eq(jr_len(jr_get(v, "problems")), 0);
	ck_assert_str_eq(step(v, 0), "systemctl daemon-reload");
	ck_assert_str_eq(step(v, 1), "systemctl start eth9-coalescence.service");
	ck_assert_str_eq(step(v, 2), "systemctl restart ptp4l@eth9.service");
	ck_assert_str_eq(step(v, 3), "systemctl restart ntpsec.service");
	ck_assert_str_eq(step(v, 4), "systemctl restart phc2sys@eth9.service");
	ck_assert(jr_is_null(jr_get(jr_at(jr_get(v, "steps"), 5), "command")));
	ck_assert(strstr(jr_str(jr_get(jr_at(jr_get(v, "steps"), 2), "wait")), "portState SLAVE"));
	ck_assert_str_eq(jr_str(jr_get(jr_get(v, "units"), "ptp4l@.service")),
			 "/lib/systemd/system/ptp4l@.service");
	ck_assert(jr_is_null(jr_get(jr_get(v, "units"), "gpsd.service")));
	jr_free(v);

	/* the same slaveOnly under 4.2: clientOnly expected */
	v = plan(root, false, "4.2");
	ck_assert_uint_eq(jr_len(jr_get(v, "problems")), 1);
	ck_assert(strstr(jr_str(jr_at(jr_get(v, "problems"), 0)), "'clientOnly'") != NULL);
	jr_free(v);

	/* server: gpsd first when installed, ntpsec before ptp4l, phc2sys last */
	mkunit(root, "/usr/lib/systemd/system", "gpsd.service");
	v = plan(root, true, "4.2");
	ck_assert_uint_eq(jr_len(jr_get(v, "problems")), 0);
	ck_assert_str_eq(step(v, 1), "systemctl restart gpsd.service");
	ck_assert_str_eq(step(v, 2), "systemctl restart ntpsec.service");
	ck_assert_str_eq(step(v, 3), "systemctl start eth9-coalescence.service");
	ck_assert_str_eq(step(v, 4), "systemctl restart ptp4l@eth9.service");
	ck_assert(strstr(jr_str(jr_get(jr_at(jr_get(v, "steps"), 4), "wait")), "portState MASTER"));
	ck_assert_str_eq(step(v, 5), "systemctl restart phc2sys@eth9.service");
	ck_assert_str_eq(jr_str(jr_get(jr_get(v, "units"), "gpsd.service")),
			 "/usr/lib/systemd/system/gpsd.service");
	jr_free(v);

	/* a unit missing from the root is a problem */
	snprintf(p, sizeof(p), "%s/lib/systemd/system/phc2sys@.service", root);
	ck_assert(unlink(p) == 0);
	v = plan(root, true, "4.2");
	ck_assert_uint_eq(jr_len(jr_get(v, "problems")), 1);
	ck_assert(strstr(jr_str(jr_at(jr_get(v, "problems"), 0)), "phc2sys@.service: not installed"));
	jr_free(v);
}
END_TEST

Suite *sync_host_suite(void)
{
	Suite *s = suite_create("sync_host");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, ntpq_parse);
	tcase_add_test(tc, plan_order_and_version);
	suite_add_tcase(s, tc);
	return s;
}
