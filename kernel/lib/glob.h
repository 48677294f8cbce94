#ifndef FPULAB_GLOB_H
#define FPULAB_GLOB_H

/* Shell-style match of a whole test name: '*' any run of characters (slashes too),
   '?' one character, anything else itself. */
int glob_match(const char *pattern, const char *name);

#endif
