/* Links the per-header translation units; each of them compiles one public header alone
 * with -Wall -Wextra -Wpedantic -Werror (C11 and C++ would be checked the same way). */
int main(void) { return 0; }
