/* Refusing device files as inputs (textin.h). */
#include <sys/stat.h>

#include "common/log.h"
#include "common/textin.h"

bool textin_check(FILE *f, const char *path)
{
	struct stat st;
	if (fstat(fileno(f), &st) == 0 && (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode))) {
		log_err("%s: a device, not a file", path);
		return false;
	}
	return true;
}
