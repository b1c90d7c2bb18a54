/* pipeline/setup_gen and linuxptp_version: the generated settings against the guide's text
 * (pi-ptp-guide.txt, quoted below) with the version spellings linuxptp's config.c requires,
 * and the ntp.conf / systemd edits against hand-written expected files. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/conf_edit.h"
#include "pipeline/linuxptp_version.h"
#include "pipeline/setup_gen.h"
#include "tests/unit/testutil.h"

static struct lptp_version V(const char *s)
{
	struct lptp_version v;
	ck_assert_msg(lptp_version_parse(s, &v), "%s", s);
	return v;
}

START_TEST(version_parse)
{
	struct lptp_version v = V("3.1.1");
	ck_assert_int_eq(v.major, 3);
	ck_assert_int_eq(v.minor, 1);
	ck_assert_int_eq(v.patch, 1);
	v = V("4.4\n");
	ck_assert(v.major == 4 && v.minor == 4 && v.patch == 0);
	v = V("v4.0-rc1");
	ck_assert(v.major == 4 && v.minor == 0);
	v = V("4.2+git20240101");
	ck_assert(v.major == 4 && v.minor == 2);
	const char *bad[] = { "", "x", "4.", ".4", "3.1.1x", "0", "99999.1", "-4.0", NULL };
	for (int i = 0; bad[i]; i++)
		ck_assert_msg(!lptp_version_parse(bad[i], &v), "accepted '%s'", bad[i]);
}
END_TEST

START_TEST(version_features)
{
	/* linuxptp config.c: clientOnly from v4.0, ptp_minor_version from v4.2 */
	struct lptp_version v = V("3.1.1");
	ck_assert_str_eq(lptp_client_only_option(&v), "slaveOnly");
	ck_assert_str_eq(lptp_client_only_other(&v), "clientOnly");
	ck_assert(!lptp_has_ptp_minor_version(&v));
	ck_assert(!lptp_has_uds_ro(&v));
	v = V("4.0");
	ck_assert_str_eq(lptp_client_only_option(&v), "clientOnly");
	ck_assert(lptp_has_uds_ro(&v));
	ck_assert(!lptp_has_ptp_minor_version(&v));
	v = V("4.1.9");
	ck_assert(!lptp_has_ptp_minor_version(&v));
	v = V("4.2");
	ck_assert(lptp_has_ptp_minor_version(&v));
	v = V("5.0");
	ck_assert(lptp_has_ptp_minor_version(&v));
}
END_TEST

static struct setup_params params(enum setup_role role, const char *ver)
{
	struct setup_params p = { .role = role, .iface = "eth0", .ver = V(ver), .transport = "L2",
				  .time_stamping = "hardware", .shm_unit = 2, .coalesce_usecs = 4,
				  .leapfile = "/usr/share/zoneinfo/leap-seconds.list" };
	return p;
}

/* The option lines of the guide's two ptp4l.conf listings (its 4.x spelling). */
static const char *const guide_server[] = {
	"clockClass 6", "clockAccuracy 0x23", "priority1 64", "priority2 128", "free_running 1",
	"fault_reset_interval ASAP", "summary_interval 10", "clock_servo linreg", "timeSource 0x20",
	"network_transport L2", "delay_mechanism Auto", "time_stamping hardware", NULL
};
static const char *const guide_client[] = {
	"clientOnly 1", "clockClass 255", "fault_reset_interval ASAP", "summary_interval 10",
	"clock_servo linreg", "ntpshm_segment 2", "network_transport L2", "delay_mechanism Auto",
	"time_stamping hardware", "timeSource 0x40", "tx_timestamp_timeout 100",
	"ptp_minor_version 0", NULL
};

/* Settings as "option value" lines, NULL-terminated (static storage). */
static int settings_match(const struct setup_params *p, const char *const *want,
			  const char *const *extra)
{
	struct ptp4l_setting s[32];
	size_t n = setup_ptp4l_settings(p, s, 32);
	size_t nwant = 0, nextra = 0;
	while (want[nwant])
		nwant++;
	while (extra && extra[nextra])
		nextra++;
	ck_assert_uint_eq(n, nwant + nextra);
	for (size_t i = 0; i < n; i++) {
		char line[96];
		snprintf(line, sizeof(line), "%s %s", s[i].option, s[i].value);
		bool found = false;
		for (size_t k = 0; k < nwant && !found; k++)
			found = strcmp(want[k], line) == 0;
		for (size_t k = 0; k < nextra && !found; k++)
			found = strcmp(extra[k], line) == 0;
		ck_assert_msg(found, "unexpected setting '%s'", line);
	}
	return (int)n;
}

START_TEST(settings_follow_the_guide)
{
	struct setup_params p = params(SETUP_SERVER, "4.4");
	const char *const srv44[] = { "clientOnly 0", "tx_timestamp_timeout 100", NULL };
	settings_match(&p, guide_server, srv44);
	p = params(SETUP_SERVER, "3.1.1");
	const char *const srv3[] = { "slaveOnly 0", "tx_timestamp_timeout 100", NULL };
	settings_match(&p, guide_server, srv3);
	p = params(SETUP_CLIENT, "4.4");
	settings_match(&p, guide_client, NULL);
	/* 3.1.1: slaveOnly for clientOnly, no ptp_minor_version (config.c v3.1.1) */
	p = params(SETUP_CLIENT, "3.1.1");
	const char *const cl3[] = { "slaveOnly 1", "clockClass 255", "fault_reset_interval ASAP",
				    "summary_interval 10", "clock_servo linreg", "ntpshm_segment 2",
				    "network_transport L2", "delay_mechanism Auto",
				    "time_stamping hardware", "timeSource 0x40",
				    "tx_timestamp_timeout 100", NULL };
	settings_match(&p, cl3, NULL);
	/* 4.1: clientOnly but still no ptp_minor_version */
	p = params(SETUP_CLIENT, "4.1");
	struct ptp4l_setting s[32];
	size_t n = setup_ptp4l_settings(&p, s, 32);
	for (size_t i = 0; i < n; i++)
		ck_assert_str_ne(s[i].option, "ptp_minor_version");
}
END_TEST

static char *edit_ptp4l(const char *text, const struct setup_params *p, struct notes *notes)
{
	const char *path = tu_path("ptp4l.conf");
	tu_write_file(path, text);
	struct conf_file cf;
	ck_assert(conf_load(&cf, path, false));
	setup_edit_ptp4l(&cf, p, notes);
	char *out = conf_render(&cf);
	/* a second edit changes nothing */
	ck_assert(!setup_edit_ptp4l(&cf, p, notes));
	conf_free(&cf);
	return out;
}

START_TEST(ptp4l_edit_versions)
{
	struct notes notes = { NULL, 0 };
	struct setup_params p = params(SETUP_CLIENT, "4.4");
	/* Debian 12's default.cfg order: slaveOnly 0 before our option would be appended; on 4.x
	 * it is renamed to clientOnly, so it must go. */
	char *out = edit_ptp4l("[global]\n# mine\nslaveOnly\t\t0\ndomainNumber 3\n[eth0]\n"
			       "network_transport UDPv4\n",
			       &p, &notes);
	ck_assert_ptr_null(strstr(out, "slaveOnly"));
	ck_assert_ptr_nonnull(strstr(out, "# mine\n"));
	ck_assert_ptr_nonnull(strstr(out, "domainNumber 3\n"));
	ck_assert_ptr_nonnull(strstr(out, "clientOnly 1\n"));
	ck_assert_ptr_nonnull(strstr(out, "ptp_minor_version 0\n"));
	/* port options stay in their section, after [global]'s */
	ck_assert_ptr_nonnull(strstr(out, "[eth0]\nnetwork_transport UDPv4\n"));
	bool warned = false;
	for (size_t i = 0; i < notes.n; i++)
		warned |= strstr(notes.v[i], "[eth0] sets network_transport UDPv4") != NULL;
	ck_assert(warned);
	free(out);
	notes_free(&notes);
	/* 3.1.1: clientOnly and ptp_minor_version would make ptp4l refuse the file */
	p = params(SETUP_CLIENT, "3.1.1");
	out = edit_ptp4l("[global]\nclientOnly 1\nptp_minor_version 0\nclock_servo ntpshm\n", &p, &notes);
	ck_assert_ptr_null(strstr(out, "clientOnly"));
	ck_assert_ptr_null(strstr(out, "ptp_minor_version"));
	ck_assert_ptr_nonnull(strstr(out, "slaveOnly 1\n"));
	ck_assert_ptr_nonnull(strstr(out, "clock_servo linreg\n"));
	bool said_servo = false;
	for (size_t i = 0; i < notes.n; i++)
		said_servo |= strstr(notes.v[i], "clock_servo ntpshm replaced") != NULL;
	ck_assert(said_servo);
	free(out);
	notes_free(&notes);
}
END_TEST

static char *edit_ntp(const char *text, const struct setup_params *p, struct notes *notes)
{
	const char *path = tu_path("ntp.conf");
	tu_write_file(path, text);
	struct conf_file cf;
	ck_assert(conf_load(&cf, path, false));
	setup_edit_ntpconf(&cf, p, notes);
	char *out = conf_render(&cf);
	ck_assert(!setup_edit_ntpconf(&cf, p, notes));
	conf_free(&cf);
	return out;
}

START_TEST(ntpconf_refclock)
{
	struct notes notes = { NULL, 0 };
	struct setup_params p = params(SETUP_CLIENT, "3.1.1");
	/* the guide's calibration line: time2 is not an offset for SHM (ntpsec refclock_shm.c) */
	char *out = edit_ntp("server a\nrefclock shm unit 2 refid PTP time2 0.000180 # cal\n"
			     "refclock shm unit 3 refid GPS time1 0.1\n",
			     &p, &notes);
	ck_assert_str_eq(out, "server a\nrefclock shm unit 2 refid PTP\n"
			      "refclock shm unit 3 refid GPS time1 0.1\n");
	ck_assert_uint_eq(notes.n, 1);
	free(out);
	notes_free(&notes);
	/* options kept, flag1 takes an argument, a calibrated time1 stays */
	out = edit_ntp("refclock shm unit 2 prefer flag1 1 time2 3600 time1 -0.000042 minpoll 3\n", &p,
		       &notes);
	ck_assert_str_eq(out, "refclock shm unit 2 prefer flag1 1 time2 3600 time1 -0.000042 "
			      "minpoll 3 refid PTP\n");
	free(out);
	/* an option without its value (here at the end) is dropped: kept, it would take the
	 * time1 appended after it as its value on the next run (found by fuzzing) */
	notes_free(&notes);
	out = edit_ntp("refclock shm unit 2 refid PTP flag1 1 time2\n", &p, &notes);
	ck_assert_str_eq(out, "refclock shm unit 2 refid PTP flag1 1\n");
	ck_assert_uint_eq(notes.n, 1);
	free(out);
	/* --time1 replaces it */
	p.have_time1 = true;
	snprintf(p.time1, sizeof(p.time1), "0.000180");
	out = edit_ntp("refclock shm unit 2 refid PTP time1 -0.000042\n", &p, &notes);
	ck_assert_str_eq(out, "refclock shm unit 2 refid PTP time1 0.000180\n");
	free(out);
	/* none yet: appended with its comment; "refclock shm" without unit is unit 0 */
	p.have_time1 = false;
	out = edit_ntp("refclock shm refid GPS\n", &p, &notes);
	ck_assert_ptr_nonnull(strstr(out, "refclock shm refid GPS\n"));
	ck_assert_ptr_nonnull(strstr(out, "\nrefclock shm unit 2 refid PTP\n"));
	ck_assert_ptr_nonnull(strstr(out, "# ptpcal setup: PTP time from phc2sys -E ntpshm -M 2"));
	free(out);
	notes_free(&notes);
	/* server: the leapfile */
	p = params(SETUP_SERVER, "3.1.1");
	out = edit_ntp("leapfile /old/path\nleapfile /dup\n", &p, &notes);
	ck_assert_str_eq(out, "leapfile /usr/share/zoneinfo/leap-seconds.list\n");
	free(out);
	notes_free(&notes);
}
END_TEST

START_TEST(unit_edits)
{
	const char *path = tu_path("override.conf");
	tu_write_file(path, "[Unit]\nAfter=foo.service\n# c\n\n[Service]\nRestart=always\nNice=-5\n");
	struct conf_file cf;
	ck_assert(conf_load(&cf, path, false));
	struct setup_params p = params(SETUP_CLIENT, "3.1.1");
	ck_assert(setup_edit_ptp4l_dropin(&cf, &p));
	char *out = conf_render(&cf);
	ck_assert_str_eq(out, "[Unit]\nAfter=foo.service\nAfter=network-online.target\n"
			      "Wants=network-online.target\n# c\n\n[Service]\nRestart=on-failure\n"
			      "Nice=-5\nRestartSec=2s\n");
	free(out);
	ck_assert(!setup_edit_ptp4l_dropin(&cf, &p));
	conf_free(&cf);
	/* a list key already holding the word */
	tu_write_file(path, "[Unit]\nAfter=a.target network-online.target\n");
	ck_assert(conf_load(&cf, path, false));
	ck_assert(!unit_ensure(&cf, "Unit", "After", "network-online.target", true));
	ck_assert(unit_ensure(&cf, "Unit", "After", "network-online", true)); /* a word, not a prefix */
	conf_free(&cf);
}
END_TEST

START_TEST(phc2sys_directions)
{
	struct setup_params p = params(SETUP_SERVER, "3.1.1");
	char *u = setup_phc2sys_unit(&p);
	/* the guide's server ExecStart, and no bare ptp4l.service */
	ck_assert_ptr_nonnull(strstr(u, "\nExecStart=/usr/sbin/phc2sys -s CLOCK_REALTIME -c %I -w -q\n"));
	ck_assert_ptr_nonnull(strstr(u, "\nRequires=ptp4l@%i.service\n"));
	ck_assert_ptr_nonnull(strstr(u, "\nBefore=time-sync.target\n"));
	ck_assert_ptr_null(strstr(u, "=ptp4l.service"));
	free(u);
	p = params(SETUP_CLIENT, "3.1.1");
	p.shm_unit = 5;
	u = setup_phc2sys_unit(&p);
	ck_assert_ptr_nonnull(strstr(u, "\nExecStart=/usr/sbin/phc2sys -s %I -E ntpshm -M 5 -w -q\n"));
	ck_assert_ptr_null(strstr(u, "\nBefore=time-sync.target"));
	free(u);
	p.iface = "enp1s0";
	u = setup_coalescence_unit(&p);
	ck_assert_ptr_nonnull(strstr(u, "\nExecStart=/usr/sbin/ethtool -C enp1s0 rx-usecs 4 tx-usecs 4\n"));
	ck_assert_ptr_nonnull(strstr(u, "\nType=oneshot\n"));
	free(u);
}
END_TEST

START_TEST(monitor_unit)
{
	struct setup_params p = params(SETUP_CLIENT, "3.1.1");
	p.monitor_listen = "127.0.0.1:9477";
	p.ptpcal_exe = "/usr/local/bin/ptpcal";
	p.iface = "enp1s0";
	char *u = setup_monitor_unit(&p);
	ck_assert_ptr_nonnull(strstr(u, "\nExecStart=/usr/local/bin/ptpcal monitor --listen "
					"127.0.0.1:9477 --iface enp1s0 --shm-unit 2 --no-gpsd\n"));
	ck_assert_ptr_nonnull(strstr(u, "\nAfter=network-online.target ptp4l@enp1s0.service"));
	ck_assert_ptr_nonnull(strstr(u, "\nCapabilityBoundingSet=\n"));
	ck_assert_ptr_nonnull(strstr(u, "\nEnvironment=TMPDIR=/run/ptpcal-monitor\n"));
	ck_assert_ptr_null(strstr(u, "PrivateTmp")); /* ptp4l must reach our socket */
	free(u);
	p.role = SETUP_SERVER;
	u = setup_monitor_unit(&p);
	ck_assert_ptr_nonnull(
		strstr(u, " monitor --listen 127.0.0.1:9477 --iface enp1s0 --role server --no-shm\n"));
	free(u);
}
END_TEST

Suite *setup_gen_suite(void)
{
	Suite *s = suite_create("setup_gen");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, version_parse);
	tcase_add_test(tc, monitor_unit);
	tcase_add_test(tc, version_features);
	tcase_add_test(tc, settings_follow_the_guide);
	tcase_add_test(tc, ptp4l_edit_versions);
	tcase_add_test(tc, ntpconf_refclock);
	tcase_add_test(tc, unit_edits);
	tcase_add_test(tc, phc2sys_directions);
	suite_add_tcase(s, tc);
	return s;
}
