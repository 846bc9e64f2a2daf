/*
 * nullmilter: the cheapest milter the benchmark can put behind Postfix, as
 * the reference for "postseal-milter's share of Postfix alone".
 *
 *	nullmilter -S unix:/path|inet:PORT@HOST
 *
 * It is built like postseal-milter (the same static libmilter, the same
 * socket layer, milter/milterio.c, with TCP_NODELAY and TCP_QUICKACK on
 * inet), negotiates the same protocol steps, no-reply flags and macros,
 * and at end of message adds one header as long as an RSA-2048
 * DKIM-Signature.  It does nothing else: no parsing, no hashing, no
 * signature, no log.  What Postfix loses with it is what any milter costs
 * Postfix on this machine; the difference to postseal-milter is the work
 * of signing.  It runs in the foreground until killed.
 */
#include <libmilter/mfapi.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "milterio.h"
#include "negotiate.h"

#define NULL_HEADER "X-Bench-Null"
#define NULL_LINE 72		/* characters per folded line */
#define NULL_LINES 8		/* 8 x 72: an RSA-2048 signature's length */

static char null_value[NULL_LINES * (NULL_LINE + 3) + 1];

static sfsistat
null_negotiate(SMFICTX *ctx, unsigned long f0, unsigned long f1,
    unsigned long f2, unsigned long f3, unsigned long *pf0,
    unsigned long *pf1, unsigned long *pf2, unsigned long *pf3)
{
	(void)f2;
	(void)f3;
	*pf0 = f0 & SMFIF_ADDHDRS;
	*pf1 = negotiate_steps(f1);	/* what postseal-milter asks */
	*pf2 = *pf3 = 0;
	(void)negotiate_macros(ctx);
	return SMFIS_CONTINUE;
}

static sfsistat
null_connect(SMFICTX *ctx, char *host, _SOCK_ADDR *sa)
{
	(void)ctx;
	(void)host;
	(void)sa;
	return SMFIS_NOREPLY;
}

static sfsistat
null_helo(SMFICTX *ctx, char *helo)
{
	(void)ctx;
	(void)helo;
	return SMFIS_NOREPLY;
}

static sfsistat
null_envelope(SMFICTX *ctx, char **argv)
{
	(void)ctx;
	(void)argv;
	return SMFIS_NOREPLY;
}

static sfsistat
null_header(SMFICTX *ctx, char *name, char *value)
{
	(void)ctx;
	(void)name;
	(void)value;
	return SMFIS_NOREPLY;
}

static sfsistat
null_eoh(SMFICTX *ctx)
{
	(void)ctx;
	return SMFIS_NOREPLY;
}

static sfsistat
null_body(SMFICTX *ctx, unsigned char *p, size_t n)
{
	(void)ctx;
	(void)p;
	(void)n;
	return SMFIS_NOREPLY;
}

static sfsistat
null_eom(SMFICTX *ctx)
{
	(void)smfi_insheader(ctx, 0, NULL_HEADER, null_value);
	return SMFIS_CONTINUE;
}

static struct smfiDesc null_desc = {
	.xxfi_name = "nullmilter",
	.xxfi_version = SMFI_VERSION,
	.xxfi_flags = SMFIF_ADDHDRS,
	.xxfi_connect = null_connect,
	.xxfi_helo = null_helo,
	.xxfi_envfrom = null_envelope,
	.xxfi_envrcpt = null_envelope,
	.xxfi_header = null_header,
	.xxfi_eoh = null_eoh,
	.xxfi_body = null_body,
	.xxfi_eom = null_eom,
	.xxfi_negotiate = null_negotiate,
};

int
main(int argc, char **argv)
{
	char *p = null_value;
	int ch;
	const char *spec = NULL;

	while ((ch = getopt(argc, argv, "S:")) != -1) {
		if (ch != 'S')
			goto usage;
		spec = optarg;
	}
	if (spec == NULL || optind != argc)
		goto usage;
	for (int i = 0; i < NULL_LINES; i++) {
		if (i > 0)
			p += sprintf(p, "\r\n\t");
		memset(p, 'x', NULL_LINE);
		p += NULL_LINE;
	}
	*p = '\0';
	signal(SIGPIPE, SIG_IGN);	/* an MTA that hangs up is not fatal */
	if (smfi_setconn((char *)spec) == MI_FAILURE ||
	    smfi_register(null_desc) == MI_FAILURE ||
	    smfi_opensocket(1) == MI_FAILURE) {
		fprintf(stderr, "nullmilter: cannot listen on %s\n", spec);
		return 1;
	}
	milterio_listen_nodelay();
	if (strncmp(spec, "inet", 4) == 0)
		milterio_quickack();
	return smfi_main() == MI_SUCCESS ? 0 : 1;
usage:
	fprintf(stderr, "usage: nullmilter -S unix:/path|inet:PORT@HOST\n");
	return 2;
}
