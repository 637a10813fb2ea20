/* A binary with a static function that only .symtab names: stripped, only debug files can name it. */
#include <stdio.h>

static int __attribute__((noinline)) only_in_symtab(int x)
{
	return x * 3 + 1;
}

int main(int argc, char **argv)
{
	printf("%d\n", only_in_symtab(argc));
	return 0;
}
