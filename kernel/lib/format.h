/* printf-style formatting without floating point (rule 3 forbids it in kernel C).
   Conversions: %d %i %u %x %X %p %s %c %%, flags '-' '0', width, precision for %s,
   length modifiers l, ll, z. */
#ifndef FPULAB_FORMAT_H
#define FPULAB_FORMAT_H

#include <stdarg.h>
#include <stddef.h>

/* Like vsnprintf: returns the length the whole output would have had. */
int format_string_va(char *buffer, size_t size, const char *format, va_list arguments);
int format_string(char *buffer, size_t size, const char *format, ...)
	__attribute__((format(printf, 3, 4)));

#endif
