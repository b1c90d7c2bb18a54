/* Runs a libFuzzer target over every file of its corpus directories without libFuzzer, so
 * that `make check` (gcc, ASan+UBSan) keeps what fuzzing found fixed. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The sanitizers' report goes to a copy of stderr, so that the targets' own one-line errors
 * (every bad input gets one) can be silenced without hiding a crash report. libFuzzer does
 * the same with -close_fd_mask=2 (make fuzz). */
void __sanitizer_set_report_fd(void *fd) __attribute__((weak));

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		perror(path);
		return 1;
	}
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	uint8_t *buf = malloc(n > 0 ? (size_t)n : 1);
	size_t got = fread(buf, 1, (size_t)(n > 0 ? n : 0), f);
	fclose(f);
	LLVMFuzzerTestOneInput(buf, got);
	free(buf);
	return 0;
}

int main(int argc, char **argv)
{
	int files = 0;
	if (!getenv("FUZZ_REPLAY_VERBOSE")) {
		int keep = dup(2);
		if (keep >= 0 && __sanitizer_set_report_fd)
			__sanitizer_set_report_fd((void *)(intptr_t)keep);
		if (!freopen("/dev/null", "w", stderr))
			return 1;
	}
	for (int i = 1; i < argc; i++) {
		struct stat st;
		if (stat(argv[i], &st) != 0) {
			perror(argv[i]);
			return 1;
		}
		if (!S_ISDIR(st.st_mode)) {
			files++;
			if (run_file(argv[i]))
				return 1;
			continue;
		}
		DIR *d = opendir(argv[i]);
		struct dirent *e;
		while ((e = readdir(d))) {
			if (e->d_name[0] == '.')
				continue;
			char p[4096];
			snprintf(p, sizeof(p), "%s/%s", argv[i], e->d_name);
			files++;
			if (run_file(p))
				return 1;
		}
		closedir(d);
	}
	printf("%s: %d inputs replayed\n", argv[0], files);
	return files ? 0 : 1;
}
