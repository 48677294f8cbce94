/* A growable byte buffer. Allocation failure ends the program (exit status 2). */
#ifndef FPULAB_LOG_BUFFER_H
#define FPULAB_LOG_BUFFER_H

#include <stddef.h>

struct byte_buffer {
	char *data;
	size_t length;
	size_t capacity;
};

/* Makes room for at least `extra` more bytes after `length`. */
void byte_buffer_reserve(struct byte_buffer *buffer, size_t extra);
void byte_buffer_append(struct byte_buffer *buffer, const void *bytes, size_t count);
void byte_buffer_append_byte(struct byte_buffer *buffer, char byte);
void byte_buffer_free(struct byte_buffer *buffer);

/* realloc that never returns NULL. */
void *reallocate_or_exit(void *memory, size_t size);

#endif
