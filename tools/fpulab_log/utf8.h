/* Checking and writing UTF-8. */
#ifndef FPULAB_LOG_UTF8_H
#define FPULAB_LOG_UTF8_H

#include <stddef.h>

#include "buffer.h"

/* Length of the well-formed UTF-8 sequence at bytes[0..available), or 0 if there is
   none (overlong forms, surrogates and code points above U+10FFFF are not). */
size_t utf8_sequence_length(const unsigned char *bytes, size_t available);

/* Appends code_point (at most U+10FFFF) encoded as UTF-8. */
void utf8_append(struct byte_buffer *buffer, unsigned long code_point);

#endif
