/*
 * command: how `postseal` subcommands register themselves.  Each
 * tools/<name>.c defines one command with POSTSEAL_COMMAND(); main looks the
 * name up.  Exit codes (DESIGN.md): 0 all good, 1 a finding or failed check,
 * 2 usage or config error.
 */
#ifndef POSTSEAL_COMMAND_H
#define POSTSEAL_COMMAND_H

enum { EXIT_OK = 0, EXIT_FINDING = 1, EXIT_USAGE = 2 };

struct command {
	const char *name;
	const char *usage;	/* one line, after "postseal NAME " */
	const char *summary;	/* what it does, for `postseal help` */
	int (*run)(int argc, char **argv);	/* argv[0] is the command name */
	struct command *next;
};

void command_register(struct command *cmd);

#define POSTSEAL_COMMAND(ident, name_, usage_, summary_, fn)              \
	static struct command command_##ident = { name_, usage_, summary_, \
						  fn, 0 };                  \
	__attribute__((constructor)) static void command_reg_##ident(void) \
	{                                                                  \
		command_register(&command_##ident);                       \
	}

/* Print "usage: postseal NAME USAGE" to stderr and return EXIT_USAGE. */
int command_usage(const char *name);

#endif
