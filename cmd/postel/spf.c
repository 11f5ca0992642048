/* postel spf: a stub until its module lands (issue 20). */
#include "die.h"
#include "postel.h"

int
cmd_spf(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	die(EXIT_PERM, "not yet implemented");
}
