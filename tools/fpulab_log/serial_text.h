/* Turns one line of a captured serial log back into the text fpulab printed. */
#ifndef FPULAB_LOG_SERIAL_TEXT_H
#define FPULAB_LOG_SERIAL_TEXT_H

#include <stddef.h>

/* Removes, in place, carriage returns, NUL bytes and terminal escape sequences
   (ESC [ parameters final-byte, and ESC intermediates final-byte as in ESC c or
   ESC ( B) from line[0..length). Writes a terminating NUL, so line[length] must be
   writable. Returns the new length. */
size_t strip_terminal_codes(char *line, size_t length);

#endif
