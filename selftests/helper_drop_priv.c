// SPDX-License-Identifier: GPL-2.0
/*
 * For zcopy_ctl.sh: run a command as an unprivileged user.
 *
 *   helper_drop_priv COMMAND [ARGS...]
 *
 * Drops the supplementary groups, then sets the real, effective and saved
 * gid and uid to 65534 (nobody), which clears every capability, and
 * executes COMMAND. The test VM has no /etc/passwd, so su is of no use.
 * Exit status 127 if it cannot drop or execute.
 */

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <grp.h>
#include <stdio.h>
#include <unistd.h>

#define NOBODY 65534

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: %s COMMAND [ARGS...]\n", argv[0]);
		return 127;
	}
	if (setgroups(0, NULL) || setresgid(NOBODY, NOBODY, NOBODY) ||
	    setresuid(NOBODY, NOBODY, NOBODY)) {
		perror("dropping privileges");
		return 127;
	}
	execvp(argv[1], argv + 1);
	perror(argv[1]);
	return 127;
}
