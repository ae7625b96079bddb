// SPDX-License-Identifier: GPL-2.0
/*
 * For zcopy_ynl.sh: run a command with a TCP socket whose peer never
 * reads.
 *
 *   helper_stalled_peer COMMAND [ARGS...]
 *
 * Listens on 127.0.0.1 (an ephemeral port), connects to it, accepts, and
 * runs COMMAND with the connected socket on descriptor 3 while this
 * process holds the accepted end without reading from it: a send to fd 3
 * fills both socket buffers and then waits. Exits with COMMAND's status
 * (127 if it cannot set up or execute, 128 + signal if it was killed).
 */

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t alen = sizeof(a);
	int l, c, p, status;
	pid_t pid;

	if (argc < 2) {
		fprintf(stderr, "usage: %s COMMAND [ARGS...]\n", argv[0]);
		return 127;
	}
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	l = socket(AF_INET, SOCK_STREAM, 0);
	c = socket(AF_INET, SOCK_STREAM, 0);
	if (l < 0 || c < 0 || bind(l, (struct sockaddr *)&a, sizeof(a)) ||
	    listen(l, 1) || getsockname(l, (struct sockaddr *)&a, &alen) ||
	    connect(c, (struct sockaddr *)&a, sizeof(a))) {
		perror("stalled peer: socket");
		return 127;
	}
	p = accept(l, NULL, NULL);
	if (p < 0) {
		perror("stalled peer: accept");
		return 127;
	}
	close(l);
	pid = fork();
	if (pid < 0) {
		perror("stalled peer: fork");
		return 127;
	}
	if (pid == 0) {
		close(p);
		if (c != 3 && (dup2(c, 3) < 0 || close(c))) {
			perror("stalled peer: dup2");
			_exit(127);
		}
		execvp(argv[1], argv + 1);
		perror(argv[1]);
		_exit(127);
	}
	close(c);
	if (waitpid(pid, &status, 0) < 0) {
		perror("stalled peer: waitpid");
		return 127;
	}
	close(p);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}
