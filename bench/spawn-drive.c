/*
 * spawn-drive: run a program N times from W parallel workers, the way smtpd
 * and sendmail run enqueue (fork, exec, stdin from a file, wait), and print
 * runs/second. Any exit status but 0 fails the benchmark.
 * usage: spawn-drive N W INPUT PROG ARG...
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int
run(const char *input, char **av)
{
	int st;
	pid_t pid = fork();

	if (pid == -1)
		return -1;
	if (pid == 0) {
		int in = open(input, O_RDONLY), nul = open("/dev/null", O_WRONLY);
		if (in == -1 || nul == -1 || dup2(in, 0) == -1 || dup2(nul, 1) == -1)
			_exit(111);
		execv(av[0], av);
		_exit(111);
	}
	if (waitpid(pid, &st, 0) == -1)
		return -1;
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -1;
}

int
main(int argc, char **argv)
{
	struct timespec t0, t1;
	long n, per, i;
	int w, workers, st, bad = 0;
	double secs;

	if (argc < 5) {
		fprintf(stderr, "usage: spawn-drive N W INPUT PROG ARG...\n");
		return 100;
	}
	n = atol(argv[1]);
	workers = atoi(argv[2]);
	if (n <= 0 || workers <= 0 || workers > 256)
		return 100;
	per = n / workers;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (w = 0; w < workers; w++) {
		pid_t pid = fork();
		if (pid == -1) {
			perror("fork");
			return 111;
		}
		if (pid == 0) {
			for (i = 0; i < per; i++)
				if (run(argv[3], argv + 4) == -1)
					_exit(1);
			_exit(0);
		}
	}
	for (w = 0; w < workers; w++)
		if (wait(&st) == -1 || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
			bad = 1;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (bad) {
		fprintf(stderr, "spawn-drive: a run failed\n");
		return 1;
	}
	secs = (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
	printf("rate: %.1f runs/s (%ld runs, %d workers, %.3f s)\n",
	    (double)(per * workers) / secs, per * workers, workers, secs);
	return 0;
}
