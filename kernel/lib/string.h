/* Freestanding string and memory helpers. Portable (rule 5): the host unit tests
   compile this file too, under its own names so libc's stay untouched. */
#ifndef FPULAB_STRING_H
#define FPULAB_STRING_H

#include <stddef.h>

#ifdef FPULAB_HOSTED
#define memcpy fpulab_memcpy
#define memmove fpulab_memmove
#define memset fpulab_memset
#define memcmp fpulab_memcmp
#define strlen fpulab_strlen
#define strcmp fpulab_strcmp
#define strncmp fpulab_strncmp
#define strchr fpulab_strchr
#endif

void *memcpy(void *destination, const void *source, size_t count);
void *memmove(void *destination, const void *source, size_t count);
void *memset(void *destination, int value, size_t count);
int memcmp(const void *a, const void *b, size_t count);
size_t strlen(const char *text);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t count);
char *strchr(const char *text, int character);
int starts_with(const char *text, const char *prefix);
/* Copies at most size-1 bytes and always terminates; returns strlen(source). */
size_t string_copy(char *destination, const char *source, size_t size);

#endif
