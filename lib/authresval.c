/* authresval: see authresval.h. */
#include "authresval.h"

#include <ctype.h>
#include <string.h>

/*
 * Copy s into out (size max + 1) without control characters, at most max
 * bytes, never ending inside a UTF-8 sequence.  This is the one place
 * where CR, LF and NUL are stopped: everything written goes through it.
 */
size_t
authresval_clean(const char *s, char *out, size_t max)
{
	size_t o = 0, k;

	for (; s != NULL && *s != '\0' && o < max; s++) {
		unsigned char c = (unsigned char)*s;
		if (c >= 0x20 && c != 0x7f)
			out[o++] = (char)c;
	}
	if (s != NULL && *s != '\0' && o > 0 && ((unsigned char)*s & 0xc0) == 0x80) {
		/* cut inside a multi-byte character: drop its start too */
		for (k = o; k > 0 && ((unsigned char)out[k - 1] & 0xc0) == 0x80; k--)
			;
		o = k > 0 && (unsigned char)out[k - 1] >= 0xc0 ? k - 1 : o;
	}
	out[o] = '\0';
	return o;
}

int
authresval_keyword(const char *s, const char *extra)
{
	if (s == NULL || *s == '\0' || strlen(s) > 64)
		return 0;
	for (; *s != '\0'; s++)
		if (!isalnum((unsigned char)*s) && !strchr(extra, *s))
			return 0;
	return 1;
}

/* A character of an RFC 2045 token. */
int
authresval_tchar(char c)
{
	return (unsigned char)c > 0x20 && (unsigned char)c < 0x7f &&
	    strchr("()<>@,;:\\\"/[]?=", c) == NULL;
}

int
authresval_token(const char *s)
{
	if (*s == '\0')
		return 0;
	for (; *s != '\0'; s++)
		if (!authresval_tchar(*s))
			return 0;
	return 1;
}

/* RFC 5322 dot-atom, ASCII only; or a domain part (LDH, '_'). */
int
authresval_dot_atom(const char *s, size_t n, int domain)
{
	size_t i;

	if (n == 0 || s[0] == '.' || s[n - 1] == '.')
		return 0;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '.' && s[i + 1] == '.')
			return 0;
		if (isalnum(c) || c == '.' || c == '-' || c == '_')
			continue;
		if (domain || c >= 0x7f || !strchr("!#$%&'*+/=?^`{|}~", c))
			return 0;
	}
	return 1;
}

/* RFC 8601 pvalue without quotes: token, or [local-part] "@" domain. */
int
authresval_pvalue(const char *s)
{
	const char *at = strrchr(s, '@');

	if (authresval_token(s))
		return 1;
	if (at == NULL || strchr(s, '@') != at)
		return 0;
	return (at == s || authresval_dot_atom(s, (size_t)(at - s), 0)) &&
	    authresval_dot_atom(at + 1, strlen(at + 1), 1);
}
