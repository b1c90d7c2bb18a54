/* Reading a file that may be compressed (.xz, .gz) by path-taking readers (libpcap,
 * ds_open, fopen): the decompressor runs as a child writing into a pipe, and the reader opens
 * /dev/fd/N. No temporary files. Other files are opened as they are. */
#ifndef PTPCAL_INFILE_H
#define PTPCAL_INFILE_H

#include <stdbool.h>
#include <sys/types.h>

struct infile {
	char path[600]; /* what to give the reader */
	pid_t pid;
	int fd;
};

/* False after printing why (missing file, no pipe). */
bool infile_open(struct infile *f, const char *path);
/* 0, or -1 (printed) if the decompressor reported damage. */
int infile_close(struct infile *f, const char *path);

struct pcap_in;
/* A capture (pcap/pcapng, maybe compressed) for pcap_in_next(); NULL after printing why, with
 * f closed again. When done: pcap_in_close(), then infile_close(f, path). */
struct pcap_in *infile_open_pcap(struct infile *f, const char *path);

#endif
