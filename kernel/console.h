/* Where fpulab's output goes: the serial port at once, the screen (directly, or
   through the firmware at the next safe point), and a log kept in memory for the
   results file. */
#ifndef FPULAB_CONSOLE_H
#define FPULAB_CONSOLE_H

#include <stddef.h>

struct boot_info;

void console_init(const struct boot_info *boot);
void console_attach_log(char *buffer, size_t size);
void console_write(const char *text, size_t length);
void kprintf(const char *format, ...) __attribute__((format(printf, 1, 2)));
/* Pushes what the firmware's screen has not shown yet. Only between tests. */
void console_flush_screen(void);
const char *console_log(size_t *length);
int console_log_overflowed(void);

#endif
