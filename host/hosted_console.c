/* The hosted build's console (kernel/console.h): everything goes to standard output at
   once, unbuffered, so a fault, a timeout or an exit never loses a line. */
#include "console.h"
#include "lib/format.h"

#include <errno.h>
#include <stdarg.h>
#include <unistd.h>

void console_write(const char *text, size_t length)
{
	while (length) {
		ssize_t written = write(STDOUT_FILENO, text, length);
		if (written < 0 && errno == EINTR)
			continue;
		if (written <= 0)
			return;
		text += written;
		length -= (size_t)written;
	}
}

void kprintf(const char *format, ...)
{
	static char line[8192];
	va_list arguments;
	int length;

	va_start(arguments, format);
	length = format_string_va(line, sizeof line, format, arguments);
	va_end(arguments);
	if (length >= (int)sizeof line)
		length = sizeof line - 1;
	console_write(line, (size_t)length);
}

void console_flush_screen(void)
{
}
