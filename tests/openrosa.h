/* The loopback test server (tests/fake_openrosa.py, answering as ODK
 * Central and KoboToolbox do), shared by the tests that upload to it:
 * started, asked over HTTP, stopped. */
#ifndef DOORSTEP_TEST_OPENROSA_H
#define DOORSTEP_TEST_OPENROSA_H

#include "helpers.h"

#include <curl/curl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>

/* Starts the test server with its files in dir (port-TAG, and what it
 * receives in received or received-TAG) and the extra arguments in ap
 * (NULL-terminated); *port is where it listens. Returns its pid. */
static inline pid_t
test_server_vstart(const char *dir, const char *tag, int *port, va_list ap)
{
	const char *argv[32];
	char *port_file = xasprintf("%s/port-%s", dir, tag);
	char *store = xasprintf("%s/received%s%s", dir, *tag ? "-" : "", tag);
	int argc = 0, i;
	pid_t pid;
	FILE *f;

	unlink(port_file);
	mkdir(store, 0700);
	argv[argc++] = "python3";
	argv[argc++] = "tests/fake_openrosa.py";
	argv[argc++] = "--port-file";
	argv[argc++] = port_file;
	argv[argc++] = "--store";
	argv[argc++] = store;
	argv[argc++] = "--lifetime";
	argv[argc++] = "120";
	while (argc < 30 && (argv[argc] = va_arg(ap, const char *)) != NULL)
		argc++;
	argv[argc] = NULL;
	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		execvp("python3", (char *const *)(uintptr_t)argv);
		_exit(127);
	}
	/* Wait for the server to say its port (a condition, not luck). */
	for (i = 0; i < 500 && (f = fopen(port_file, "r")) == NULL; i++) {
		struct timespec ts = { 0, 20 * 1000000L };

		nanosleep(&ts, NULL);
	}
	assert_non_null(f);
	assert_int_equal(fscanf(f, "%d", port), 1);
	fclose(f);
	free(port_file);
	free(store);
	return pid;
}

/* The same with the extra arguments given here, then NULL. */
static inline pid_t
test_server_start(const char *dir, const char *tag, int *port, ...)
{
	va_list ap;
	pid_t pid;

	va_start(ap, port);
	pid = test_server_vstart(dir, tag, port, ap);
	va_end(ap);
	return pid;
}

/* Stops the server *pid, if one runs, and waits for it to end. */
static inline void
test_server_stop(pid_t *pid)
{
	if (*pid > 0) {
		kill(*pid, SIGTERM);
		waitpid(*pid, NULL, 0);
		*pid = 0;
	}
}

/* A libcurl write callback adding to the struct buf at ctx. */
static inline size_t
test_to_buf(char *data, size_t size, size_t n, void *ctx)
{
	buf_add(ctx, data, size * n);
	return size * n;
}

/* GET path from the test server on port: its body (the caller frees it),
 * and with code, the HTTP status. */
static inline char *
test_server_get(int port, const char *path, long *code)
{
	struct buf b = { 0 };
	char url[256];
	CURL *c = curl_easy_init();

	snprintf(url, sizeof url, "http://127.0.0.1:%d%s", port, path);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_PROXY, "");
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, test_to_buf);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
	assert_int_equal(curl_easy_perform(c), CURLE_OK);
	if (code != NULL)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, code);
	curl_easy_cleanup(c);
	buf_adds(&b, "");
	return buf_steal(&b);
}

#endif
