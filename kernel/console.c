#include "console.h"
#include "firmware_calls.h"
#include "serial.h"
#include "vga_text.h"
#include "boot/boot_info.h"
#include "lib/format.h"
#include "lib/string.h"

#include <stdarg.h>

static const struct firmware_ops *firmware;
static int direct_text_screen;
static char *log_buffer;
static size_t log_size, log_length, log_shown_on_screen;
static int log_overflowed;

void console_init(const struct boot_info *boot)
{
	serial_init();
	firmware = boot->firmware;
	if (boot->text_screen.address) {
		vga_text_init(boot->text_screen.address, boot->text_screen.columns,
			      boot->text_screen.rows);
		direct_text_screen = 1;
	}
}

void console_attach_log(char *buffer, size_t size)
{
	log_buffer = buffer;
	log_size = size;
	log_length = log_shown_on_screen = 0;
}

static void append_to_log(const char *text, size_t length)
{
	if (!log_buffer)
		return;
	if (log_length + length > log_size) {
		log_overflowed = 1;
		length = log_size - log_length;
	}
	memcpy(log_buffer + log_length, text, length);
	log_length += length;
}

void console_write(const char *text, size_t length)
{
	serial_write(text, length);
	append_to_log(text, length);
	if (direct_text_screen)
		vga_text_write(text, length);
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
	if (!firmware || !firmware->screen_write || !log_buffer)
		return;
	if (log_length > log_shown_on_screen) {
		int entered = firmware_enter();
		firmware->screen_write(log_buffer + log_shown_on_screen, log_length - log_shown_on_screen);
		firmware_leave(entered);
	}
	log_shown_on_screen = log_length;
}

const char *console_log(size_t *length)
{
	*length = log_length;
	return log_buffer;
}

int console_log_overflowed(void)
{
	return log_overflowed;
}
