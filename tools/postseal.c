/* postseal: the admin command; dispatches to tools/<subcommand>.c. */
#include <stdio.h>
#include <string.h>

#include "command.h"
#include "log.h"

/* Filled by constructors before main runs; read-only afterwards. */
static struct command *commands;

void
command_register(struct command *cmd)
{
	struct command **pp = &commands;

	while (*pp != NULL && strcmp((*pp)->name, cmd->name) < 0)
		pp = &(*pp)->next;
	cmd->next = *pp;
	*pp = cmd;
}

static const struct command *
command_find(const char *name)
{
	const struct command *c;

	for (c = commands; c != NULL; c = c->next)
		if (strcmp(c->name, name) == 0)
			return c;
	return NULL;
}

int
command_usage(const char *name)
{
	const struct command *c = command_find(name);

	fprintf(stderr, "usage: postseal %s %s\n", name, c ? c->usage : "");
	return EXIT_USAGE;
}

static int
help(FILE *out)
{
	const struct command *c;

	fprintf(out, "usage: postseal COMMAND [OPTIONS]\n\ncommands:\n");
	for (c = commands; c != NULL; c = c->next)
		fprintf(out, "  %-16s %s\n      postseal %s %s\n", c->name,
		    c->summary, c->name, c->usage);
	fprintf(out, "\nSee postseal(8).\n");
	return out == stdout ? EXIT_OK : EXIT_USAGE;
}

int
main(int argc, char **argv)
{
	const struct command *c;

	log_init("postseal", 1, 0);
	if (argc < 2)
		return help(stderr);
	if (strcmp(argv[1], "help") == 0 || strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "-h") == 0)
		return help(stdout);
	if (strcmp(argv[1], "--version") == 0) {
		printf("postseal %s\n", POSTSEAL_VERSION);
		return EXIT_OK;
	}
	if ((c = command_find(argv[1])) == NULL) {
		fprintf(stderr, "postseal: unknown command '%s'\n", argv[1]);
		return help(stderr);
	}
	return c->run(argc - 1, argv + 1);
}
