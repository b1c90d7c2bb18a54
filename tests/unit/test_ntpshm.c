/* NTP SHM: the layout against ntpsec's struct shmTime (offsets from compiling ntpsec
 * refclock_shm.c's definition on x86-64), the reader on raw bytes laid out as ntpd/gpsd
 * write them, the valid/count protocol (consume or not, clash, bad mode) with a concurrent
 * writer in another process, and attach/create/remove on private and keyed segments. */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/shm.h>
#include <sys/wait.h>
#include <unistd.h>

#include "capture/ntpshm.h"
#include "tests/unit/testutil.h"

/* Offsets and size of ntpsec's struct shmTime on LP64, from offsetof() on a copy of its
 * definition (ntpd/refclock_shm.c, NTPsec_1_2_2). */
#define OFF_MODE 0
#define OFF_COUNT 4
#define OFF_CSEC 8
#define OFF_CUSEC 16
#define OFF_RSEC 24
#define OFF_RUSEC 32
#define OFF_LEAP 36
#define OFF_PREC 40
#define OFF_NSAMP 44
#define OFF_VALID 48
#define OFF_CNSEC 52
#define OFF_RNSEC 56
#define SHM_SIZE 96

START_TEST(layout)
{
	ck_assert_uint_eq(sizeof(struct ntpshm_time), SHM_SIZE);
	ck_assert_uint_eq(offsetof(struct ntpshm_time, count), OFF_COUNT);
	ck_assert_uint_eq(offsetof(struct ntpshm_time, clockTimeStampSec), OFF_CSEC);
	ck_assert_uint_eq(offsetof(struct ntpshm_time, clockTimeStampUSec), OFF_CUSEC);
	ck_assert_uint_eq(offsetof(struct ntpshm_time, receiveTimeStampSec), OFF_RSEC);
	ck_assert_uint_eq(offsetof(struct ntpshm_time, receiveTimeStampUSec), OFF_RUSEC);
	ck_assert_uint_eq(offsetof(struct ntpshm_time, leap), OFF_LEAP);
	ck_assert_uint_eq(offsetof(struct ntpshm_time, precision), OFF_PREC);
	ck_assert_uint_eq(offsetof(struct ntpshm_time, nsamples), OFF_NSAMP);
	ck_assert_uint_eq(offsetof(struct ntpshm_time, valid), OFF_VALID);
	ck_assert_uint_eq(offsetof(struct ntpshm_time, clockTimeStampNSec), OFF_CNSEC);
	ck_assert_uint_eq(offsetof(struct ntpshm_time, receiveTimeStampNSec), OFF_RNSEC);
	/* "NTP0": the key's bytes are the ASCII letters. */
	ck_assert_int_eq(ntpshm_key(0), ('N' << 24) | ('T' << 16) | ('P' << 8) | '0');
	ck_assert_int_eq(ntpshm_key(2), 0x4e545032);
	ck_assert_int_eq(ntpshm_default_perm(0), 0600);
	ck_assert_int_eq(ntpshm_default_perm(1), 0600);
	ck_assert_int_eq(ntpshm_default_perm(2), 0666);
}
END_TEST

static void put_int(unsigned char *b, size_t off, int v)
{
	memcpy(b + off, &v, sizeof(v));
}
static void put_i64(unsigned char *b, size_t off, int64_t v)
{
	memcpy(b + off, &v, sizeof(v));
}

/* A segment as a writer built against ntpsec's header would leave it. */
static void raw_sample(unsigned char *b, int mode, int64_t csec, int cusec, unsigned cnsec,
		       int64_t rsec, int rusec, unsigned rnsec, int leap, int prec)
{
	memset(b, 0, SHM_SIZE);
	put_int(b, OFF_MODE, mode);
	put_int(b, OFF_COUNT, 42);
	put_i64(b, OFF_CSEC, csec);
	put_int(b, OFF_CUSEC, cusec);
	put_i64(b, OFF_RSEC, rsec);
	put_int(b, OFF_RUSEC, rusec);
	put_int(b, OFF_LEAP, leap);
	put_int(b, OFF_PREC, prec);
	put_int(b, OFF_VALID, 1);
	put_int(b, OFF_CNSEC, (int)cnsec);
	put_int(b, OFF_RNSEC, (int)rnsec);
}

START_TEST(read_raw_bytes)
{
	_Alignas(8) unsigned char b[SHM_SIZE];
	struct ntpshm_time *t = (struct ntpshm_time *)b;
	struct ntpshm_sample s;
	/* ns fields whose us truncation matches: used. */
	raw_sample(b, 1, 1700000000, 123456, 123456789, 1700000000, 128456, 128456001, 1, -20);
	ck_assert_int_eq(ntpshm_read(t, false, &s), NTPSHM_OK);
	ck_assert_int_eq(s.clock.tv_sec, 1700000000);
	ck_assert_int_eq(s.clock.tv_nsec, 123456789);
	ck_assert_int_eq(s.receive.tv_nsec, 128456001);
	ck_assert_int_eq(s.leap, 1);
	ck_assert_int_eq(s.precision, -20);
	ck_assert_int_eq(s.count, 42);
	ck_assert_int_eq(s.mode, 1);
	ck_assert_int_eq(ntpshm_offset_ns(&s), 5000000 - 788); /* receive - clock */
	/* A writer without the ns fields (zero): us * 1000. */
	raw_sample(b, 0, 1700000000, 123456, 0, 1700000001, 5, 0, 0, -10);
	ck_assert_int_eq(ntpshm_read(t, false, &s), NTPSHM_OK);
	ck_assert_int_eq(s.clock.tv_nsec, 123456000);
	ck_assert_int_eq(s.receive.tv_nsec, 5000);
	ck_assert_int_eq(ntpshm_offset_ns(&s), 1000000000LL + 5000 - 123456000);
	/* Rounded rather than truncated us (999.5 us -> 1000): ntpd falls back to us. */
	raw_sample(b, 1, 10, 1000, 999500, 10, 2000, 2000000, 0, 0);
	ck_assert_int_eq(ntpshm_read(t, false, &s), NTPSHM_OK);
	ck_assert_int_eq(s.clock.tv_nsec, 1000000);
	ck_assert_int_eq(s.receive.tv_nsec, 2000000);
	/* Only one of the two ns fields consistent: both from us (ntpd needs both). */
	raw_sample(b, 1, 10, 1, 2000, 10, 7, 7000, 0, 0);
	ck_assert_int_eq(ntpshm_read(t, false, &s), NTPSHM_OK);
	ck_assert_int_eq(s.clock.tv_nsec, 1000);
	ck_assert_int_eq(s.receive.tv_nsec, 7000);
}
END_TEST

START_TEST(protocol_single)
{
	struct ntpshm_time t;
	memset(&t, 0, sizeof(t));
	struct ntpshm_sample s;
	ck_assert_int_eq(ntpshm_read(NULL, false, &s), NTPSHM_NO_SEGMENT);
	ck_assert_int_eq(ntpshm_read(&t, false, &s), NTPSHM_NOT_READY);
	struct timespec c = { 1700000000, 999999999 }, r = { 1700000001, 4 };
	ntpshm_write(&t, 1, c, r, 0, -20);
	ck_assert_int_eq(t.valid, 1);
	ck_assert_int_eq(t.count, 2); /* incremented before and after the fields */
	ck_assert_int_eq(t.clockTimeStampUSec, 999999);
	ck_assert_int_eq(t.receiveTimeStampUSec, 0);
	ck_assert_uint_eq(t.receiveTimeStampNSec, 4);
	/* A monitor leaves the sample for ntpd... */
	ck_assert_int_eq(ntpshm_read(&t, false, &s), NTPSHM_OK);
	ck_assert_int_eq(t.valid, 1);
	ck_assert_int_eq(ntpshm_offset_ns(&s), 5);
	/* ...a consumer takes it. */
	ck_assert_int_eq(ntpshm_read(&t, true, &s), NTPSHM_OK);
	ck_assert_int_eq(t.valid, 0);
	ck_assert_int_eq(ntpshm_read(&t, true, &s), NTPSHM_NOT_READY);
	/* Modes other than 0 and 1 are refused (refclock_shm.c BAD_MODE). */
	ntpshm_write(&t, 1, c, r, 0, -20);
	t.mode = 2;
	ck_assert_int_eq(ntpshm_read(&t, false, &s), NTPSHM_BAD_MODE);
	/* Negative offset across a second boundary. */
	ntpshm_write(&t, 0, r, c, 0, -20);
	ck_assert_int_eq(ntpshm_read(&t, false, &s), NTPSHM_OK);
	ck_assert_int_eq(ntpshm_offset_ns(&s), -5);
}
END_TEST

/* A writer process hammers a private segment with samples whose fields all derive from one
 * counter; every sample the reader accepts must be whole (never fields of two writes), and
 * the count check must have caught some overlaps. */
START_TEST(protocol_concurrent)
{
	struct ntpshm_seg seg;
	char err[160];
	ck_assert_msg(ntpshm_attach_private(&seg, err, sizeof(err)), "%s", err);
	ntpshm_write(seg.t, 1, (struct timespec){ 1, 0 }, (struct timespec){ 1, 0 }, 0, 0);
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		for (long i = 1;; i++) {
			struct timespec c = { 1000 + i, (i * 7919) % 1000000000 };
			struct timespec r = { 2000 + i, (i * 104729) % 1000000000 };
			ntpshm_write(seg.t, 1, c, r, (int)(i & 3), (int)-(i % 30));
		}
	}
	long ok = 0, clash = 0, bad = 0;
	struct timespec end;
	clock_gettime(CLOCK_MONOTONIC, &end);
	/* Until the writer has been caught mid-write and enough samples read, at most 8 s: on a
	 * loaded machine the two processes may take a while to overlap. */
	end.tv_sec += 8;
	for (;;) {
		struct timespec now;
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec > end.tv_sec || (now.tv_sec == end.tv_sec && now.tv_nsec > end.tv_nsec))
			break;
		if (clash > 10 && ok > 100000)
			break;
		struct ntpshm_sample s;
		enum ntpshm_status r = ntpshm_read(seg.t, false, &s);
		if (r == NTPSHM_CLASH) {
			clash++;
			continue;
		}
		if (r != NTPSHM_OK)
			continue;
		long i = (long)s.clock.tv_sec - 1000;
		if (i < 1)
			continue; /* the first sample written above */
		if (s.receive.tv_sec != 2000 + i || s.clock.tv_nsec != (i * 7919) % 1000000000 ||
		    s.receive.tv_nsec != (i * 104729) % 1000000000 || s.leap != (int)(i & 3) ||
		    s.precision != (int)-(i % 30))
			bad++;
		else
			ok++;
	}
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	ck_assert(ntpshm_remove(&seg));
	ck_assert_msg(bad == 0, "%ld torn samples accepted (%ld good, %ld clashes)", bad, ok, clash);
	ck_assert_msg(ok > 1000, "only %ld good samples", ok);
	/* With both cores busy the overlap is certain; on one core a clash may not happen. */
	if (sysconf(_SC_NPROCESSORS_ONLN) > 1)
		ck_assert_msg(clash > 0, "no clash detected in %ld reads", ok);
}
END_TEST

static int seg_id_gone(int id)
{
	struct shmid_ds ds;
	return shmctl(id, IPC_STAT, &ds) < 0 && errno == EINVAL;
}

START_TEST(private_segment_two_mappings)
{
	struct ntpshm_seg a;
	char err[160];
	ck_assert_msg(ntpshm_attach_private(&a, err, sizeof(err)), "%s", err);
	/* A second mapping of the same segment, as another process would have. */
	int id = a.shmid;
	struct ntpshm_time *b = shmat(id, NULL, 0);
	ck_assert_ptr_ne(b, (void *)-1);
	ntpshm_write(a.t, 0, (struct timespec){ 1700000000, 5 }, (struct timespec){ 1700000000, 9 }, 0, -30);
	struct ntpshm_sample s;
	ck_assert_int_eq(ntpshm_read(b, true, &s), NTPSHM_OK);
	ck_assert_int_eq(ntpshm_offset_ns(&s), 4);
	ck_assert_int_eq(a.t->valid, 0); /* consumed through the other mapping */
	shmdt(b);
	ck_assert(ntpshm_remove(&a));
	/* Gone: the id no longer attaches. */
	ck_assert_int_eq(seg_id_gone(id), 1);
}
END_TEST

/* Units 250..254 are far from the ones gpsd and ntpd use (0..3). */
START_TEST(keyed_create_perm_remove)
{
	const int unit = 254;
	struct ntpshm_seg seg;
	char err[160];
	int e;
	if (shmget(ntpshm_key(unit), 0, 0) >= 0)
		ck_abort_msg("unit %d already exists; remove it with ipcrm -M 0x%08x", unit,
			     (unsigned)ntpshm_key(unit));
	ck_assert(!ntpshm_attach(unit, false, 0, &seg, err, sizeof(err), &e));
	ck_assert_int_eq(e, ENOENT);
	ck_assert_msg(strstr(err, "SHM(254)") && strstr(err, "no such segment"), "%s", err);
	ck_assert_msg(ntpshm_attach(unit, true, ntpshm_default_perm(unit), &seg, err, sizeof(err), &e),
		      "%s", err);
	ck_assert(seg.created);
	struct shmid_ds ds;
	ck_assert_int_eq(shmctl(seg.shmid, IPC_STAT, &ds), 0);
	ck_assert_int_eq(ds.shm_perm.mode & 0777, 0666);
	ck_assert_uint_eq(ds.shm_segsz, SHM_SIZE);
	ck_assert_int_eq(ds.shm_perm.__key, 0x4e545030 + 254);
	/* Attaching again finds it and does not claim it. */
	struct ntpshm_seg again;
	ck_assert(ntpshm_attach(unit, true, 0600, &again, err, sizeof(err), &e));
	ck_assert(!again.created);
	ck_assert_int_eq(again.shmid, seg.shmid);
	ntpshm_detach(&again);
	ck_assert(ntpshm_remove(&seg));
	ck_assert_int_lt(shmget(ntpshm_key(unit), 0, 0), 0);
	/* Bad units. */
	ck_assert(!ntpshm_attach(256, false, 0, &seg, err, sizeof(err), &e));
	ck_assert(!ntpshm_attach(-1, false, 0, &seg, err, sizeof(err), &e));
}
END_TEST

START_TEST(too_small_segment)
{
	const int unit = 253;
	int id = shmget(ntpshm_key(unit), 16, IPC_CREAT | IPC_EXCL | 0600);
	ck_assert_int_ge(id, 0);
	struct ntpshm_seg seg;
	char err[160];
	int e;
	bool ok = ntpshm_attach(unit, false, 0, &seg, err, sizeof(err), &e);
	shmctl(id, IPC_RMID, NULL);
	ck_assert(!ok);
	ck_assert_msg(strstr(err, "16 bytes"), "%s", err);
}
END_TEST

Suite *ntpshm_suite(void)
{
	Suite *s = suite_create("ntpshm");
	TCase *tc = tcase_create("core");
	tcase_set_timeout(tc, 20);
	tcase_add_test(tc, layout);
	tcase_add_test(tc, read_raw_bytes);
	tcase_add_test(tc, protocol_single);
	tcase_add_test(tc, protocol_concurrent);
	tcase_add_test(tc, private_segment_two_mappings);
	tcase_add_test(tc, keyed_create_perm_remove);
	tcase_add_test(tc, too_small_segment);
	suite_add_tcase(s, tc);
	return s;
}
