/* session: see session.h. */
#include "session.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dksign.h"
#include "dkverify.h"
#include "xmalloc.h"

/* Counted for a graceful stop (main.c); the one process-wide counter. */
static atomic_int session_messages;

int
session_in_flight(void)
{
	return atomic_load(&session_messages);
}

struct session *
session_new(void)
{
	return xcalloc(1, sizeof(struct session));
}

void
session_free(struct session **sp)
{
	if (*sp == NULL)
		return;
	session_end_message(*sp);
	free(*sp);
	*sp = NULL;
}

int
session_begin_message(struct session *s)
{
	session_end_message(s);
	if ((s->rt = runtime_acquire()) == NULL)
		return -1;
	atomic_fetch_add(&session_messages, 1);
	return 0;
}

int
session_add_header(struct session *s, const char *name, const char *value)
{
	size_t len = strlen(name) + strlen(value) + 4;

	if (s->too_big || s->n_hdrs >= SESSION_MAX_HEADERS ||
	    s->hdr_bytes + len > SESSION_MAX_HEADER_BYTES) {
		s->too_big = 1;
		return -1;
	}
	s->hdrs = xreallocarray(s->hdrs, s->n_hdrs + 1, sizeof *s->hdrs);
	s->hdrs[s->n_hdrs].name = xstrdup(name);
	s->hdrs[s->n_hdrs].value = xstrdup(value);
	s->n_hdrs++;
	s->hdr_bytes += len;
	return 0;
}

const char *
session_header(const struct session *s, const char *name)
{
	for (size_t i = 0; i < s->n_hdrs; i++)
		if (strcasecmp(s->hdrs[i].name, name) == 0)
			return s->hdrs[i].value;
	return NULL;
}

void
session_end_message(struct session *s)
{
	for (size_t i = 0; i < s->n_hdrs; i++) {
		free(s->hdrs[i].name);
		free(s->hdrs[i].value);
	}
	free(s->hdrs);
	s->hdrs = NULL;
	s->n_hdrs = 0;
	s->hdr_bytes = 0;
	s->too_big = 0;
	free(s->ar_forged);
	s->ar_forged = NULL;
	s->n_ar_forged = 0;
	s->n_ar_seen = 0;
	dksign_free(&s->signer);
	dkverify_free(&s->verifier);
	free(s->dkres);
	s->dkres = NULL;
	s->n_dkres = 0;
	s->outbound = 0;
	s->queue_id[0] = s->mail_from[0] = s->auth_user[0] = '\0';
	s->rcpt_domain[0] = s->sign_desc[0] = '\0';
	if (s->rt != NULL)
		atomic_fetch_sub(&session_messages, 1);
	runtime_release(&s->rt);
}
