/* Refusing device files as inputs (textin.h). */
#include <sys/stat.h>

#include "common/log.h"
#include "common/textin.h"

bool textin_check(FILE *f, const char *path)
{
	return textin_check_fd(fileno(f), path);
}

bool textin_check_fd(int fd, const char *path)
{
	struct stat st;
	if (fstat(fd, &st) == 0 && (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode))) {
		log_err("%s: a device, not a file", path);
		return false;
	}
	return true;
}
