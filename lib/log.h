/*
 * log: one event per line, to syslog and/or stderr.
 *
 * Lines read `event=... key=value ...` (STYLE.md 7); callers format the
 * key=value pairs, log only decides where the line goes.  log_warn() and
 * log_err() append ": strerror(errno)"; the *x variants do not.
 * Thread-safe after log_init(); log_init() itself is called once from main.
 */
#ifndef POSTSEAL_LOG_H
#define POSTSEAL_LOG_H

#include <stdarg.h>

#define LOG_PRINTF(f, a) __attribute__((format(printf, f, a)))

enum log_level { LOG_LEVEL_ERR = 0, LOG_LEVEL_WARN, LOG_LEVEL_INFO, LOG_LEVEL_DEBUG };

/* ident: program name; to_stderr: also write to stderr; to_syslog: use syslog. */
void log_init(const char *ident, int to_stderr, int to_syslog);
void log_set_level(enum log_level level);
/* Only stderr, no syslog: used by command-line tools and --stdio mode guards. */
void log_set_stderr(int on);

void log_err(const char *fmt, ...) LOG_PRINTF(1, 2);
void log_errx(const char *fmt, ...) LOG_PRINTF(1, 2);
void log_warn(const char *fmt, ...) LOG_PRINTF(1, 2);
void log_warnx(const char *fmt, ...) LOG_PRINTF(1, 2);
void log_info(const char *fmt, ...) LOG_PRINTF(1, 2);
void log_debug(const char *fmt, ...) LOG_PRINTF(1, 2);
void log_vmsg(enum log_level level, int with_errno, const char *fmt, va_list ap)
    LOG_PRINTF(3, 0);

/* Start-up only (STYLE.md 5): log and exit(code). */
void fatal(int code, const char *fmt, ...) LOG_PRINTF(2, 3) __attribute__((noreturn));
void fatalx(int code, const char *fmt, ...) LOG_PRINTF(2, 3) __attribute__((noreturn));

/*
 * Copy s into buf (size n) so that it is safe inside a log value or a header:
 * control characters, quotes and backslashes become \xHH.  Returns buf.
 */
const char *log_quote(const char *s, char *buf, unsigned long n);

#endif
