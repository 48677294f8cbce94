#include "lib/glob.h"

int glob_match(const char *pattern, const char *name)
{
	const char *star_pattern = 0, *star_name = 0;

	while (*name) {
		if (*pattern == '*') {
			star_pattern = ++pattern;
			star_name = name;
		} else if (*pattern == '?' || *pattern == *name) {
			pattern++;
			name++;
		} else if (star_pattern) {
			pattern = star_pattern;
			name = ++star_name;
		} else {
			return 0;
		}
	}
	while (*pattern == '*')
		pattern++;
	return *pattern == 0;
}
