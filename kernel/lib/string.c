#include "lib/string.h"

void *memcpy(void *destination, const void *source, size_t count)
{
	unsigned char *to = destination;
	const unsigned char *from = source;
	while (count--)
		*to++ = *from++;
	return destination;
}

void *memmove(void *destination, const void *source, size_t count)
{
	unsigned char *to = destination;
	const unsigned char *from = source;
	if (to < from)
		return memcpy(destination, source, count);
	while (count--)
		to[count] = from[count];
	return destination;
}

void *memset(void *destination, int value, size_t count)
{
	unsigned char *to = destination;
	while (count--)
		*to++ = (unsigned char)value;
	return destination;
}

int memcmp(const void *a, const void *b, size_t count)
{
	const unsigned char *left = a, *right = b;
	for (size_t i = 0; i < count; i++)
		if (left[i] != right[i])
			return left[i] < right[i] ? -1 : 1;
	return 0;
}

size_t strlen(const char *text)
{
	size_t length = 0;
	while (text[length])
		length++;
	return length;
}

int strcmp(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return (unsigned char)*a - (unsigned char)*b;
}

int strncmp(const char *a, const char *b, size_t count)
{
	for (; count; count--, a++, b++) {
		if (*a != *b)
			return (unsigned char)*a - (unsigned char)*b;
		if (!*a)
			return 0;
	}
	return 0;
}

char *strchr(const char *text, int character)
{
	for (;; text++) {
		if (*text == (char)character)
			return (char *)text;
		if (!*text)
			return NULL;
	}
}

int starts_with(const char *text, const char *prefix)
{
	return strncmp(text, prefix, strlen(prefix)) == 0;
}

size_t string_copy(char *destination, const char *source, size_t size)
{
	size_t length = strlen(source);
	if (size) {
		size_t count = length < size - 1 ? length : size - 1;
		memcpy(destination, source, count);
		destination[count] = 0;
	}
	return length;
}
