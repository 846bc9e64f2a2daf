/* negotiate: see negotiate.h. */
#include "negotiate.h"

#define NEGOTIATE_NO_MACRO "{postseal_none}"

unsigned long
negotiate_steps(unsigned long offered)
{
	return offered & (SMFIP_HDR_LEADSPC | SMFIP_NR_RCPT | SMFIP_NOUNKNOWN |
	    SMFIP_NODATA | SMFIP_NR_HDR | SMFIP_NR_BODY | SMFIP_NR_CONN |
	    SMFIP_NR_HELO | SMFIP_NR_MAIL | SMFIP_NR_EOH);
}

int
negotiate_macros(SMFICTX *ctx)
{
	static const struct {
		int stage;
		char *macros;
	} want[] = {
		{ SMFIM_CONNECT, NEGOTIATE_NO_MACRO },
		{ SMFIM_HELO, NEGOTIATE_NO_MACRO },
		{ SMFIM_ENVFROM, "{auth_authen}" },
		{ SMFIM_ENVRCPT, NEGOTIATE_NO_MACRO },
		{ SMFIM_DATA, NEGOTIATE_NO_MACRO },
		{ SMFIM_EOH, "i" },
		{ SMFIM_EOM, NEGOTIATE_NO_MACRO },
	};
	int refused = 0;

	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
		if (smfi_setsymlist(ctx, want[i].stage, want[i].macros) != MI_SUCCESS)
			refused++;
	return refused;
}
