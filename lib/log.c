/* log: see log.h. */
#include "log.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

/*
 * Logging is process-wide by nature (syslog itself is), so its settings are
 * the one exception to "no mutable globals"; they are written once by main.
 */
static struct {
	const char *ident;
	int to_stderr;
	int to_syslog;
	enum log_level level;
} log_cfg = { "postseal", 1, 0, LOG_LEVEL_INFO };

void
log_init(const char *ident, int to_stderr, int to_syslog)
{
	log_cfg.ident = ident;
	log_cfg.to_stderr = to_stderr;
	log_cfg.to_syslog = to_syslog;
	if (to_syslog)
		openlog(ident, LOG_PID | LOG_NDELAY, LOG_MAIL);
}

void
log_set_level(enum log_level level)
{
	log_cfg.level = level;
}

void
log_set_stderr(int on)
{
	log_cfg.to_stderr = on;
}

static const char *const level_names[] = { "error", "warning", "info", "debug" };
static const int level_prio[] = { LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG };

/*
 * One write(2) per line: no stdio lock for threads to queue on, and a line
 * up to PIPE_BUF bytes reaches a pipe or an O_APPEND file whole, never
 * interleaved with another thread's.
 */
static void
log_stderr(enum log_level level, const char *line)
{
	char out[2300];
	int n = snprintf(out, sizeof out, "%s: %s: %s\n", log_cfg.ident,
	    level_names[level], line);

	if (n < 0)
		return;
	if ((size_t)n >= sizeof out) {
		n = (int)sizeof out - 1;
		out[n - 1] = '\n';
	}
	while (write(STDERR_FILENO, out, (size_t)n) == -1 && errno == EINTR)
		;
}

void
log_vmsg(enum log_level level, int with_errno, const char *fmt, va_list ap)
{
	char line[2048];
	int saved = errno;
	int n;

	if (level > log_cfg.level)
		return;
	n = vsnprintf(line, sizeof line, fmt, ap);
	if (n < 0)
		return;
	if (with_errno && (size_t)n < sizeof line)
		snprintf(line + n, sizeof line - (size_t)n, ": %s", strerror(saved));
	if (log_cfg.to_syslog)
		syslog(level_prio[level], "%s", line);
	if (log_cfg.to_stderr)
		log_stderr(level, line);
	errno = saved;
}

#define LOG_FN(name, level, with_errno)                  \
	void name(const char *fmt, ...)                  \
	{                                                \
		va_list ap;                              \
		va_start(ap, fmt);                       \
		log_vmsg(level, with_errno, fmt, ap);    \
		va_end(ap);                              \
	}

LOG_FN(log_err, LOG_LEVEL_ERR, 1)
LOG_FN(log_errx, LOG_LEVEL_ERR, 0)
LOG_FN(log_warn, LOG_LEVEL_WARN, 1)
LOG_FN(log_warnx, LOG_LEVEL_WARN, 0)
LOG_FN(log_info, LOG_LEVEL_INFO, 0)
LOG_FN(log_debug, LOG_LEVEL_DEBUG, 0)

void
fatal(int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(LOG_LEVEL_ERR, 1, fmt, ap);
	va_end(ap);
	exit(code);
}

void
fatalx(int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(LOG_LEVEL_ERR, 0, fmt, ap);
	va_end(ap);
	exit(code);
}

const char *
log_quote(const char *s, char *buf, unsigned long n)
{
	static const char hex[] = "0123456789abcdef";
	unsigned long o = 0;

	if (n == 0)
		return buf;
	for (; s != NULL && *s != '\0' && o + 5 < n; s++) {
		unsigned char c = (unsigned char)*s;
		if (c < 0x20 || c == 0x7f || c == '"' || c == '\\') {
			buf[o++] = '\\';
			buf[o++] = 'x';
			buf[o++] = hex[c >> 4];
			buf[o++] = hex[c & 15];
		} else {
			buf[o++] = (char)c;
		}
	}
	buf[o] = '\0';
	return buf;
}
