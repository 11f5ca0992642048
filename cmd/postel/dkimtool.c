/* postel dkim-sign, dkim-verify: stubs until its module lands (issue 20). */
#include "die.h"
#include "postel.h"

int
cmd_dkim_verify(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	die(EXIT_PERM, "not yet implemented");
}

int
cmd_dkim_sign(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	die(EXIT_PERM, "not yet implemented");
}
