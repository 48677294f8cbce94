#include "buffer.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void exit_out_of_memory(void)
{
	fputs("fpulab-log: out of memory\n", stderr);
	exit(2);
}

void *reallocate_or_exit(void *memory, size_t size)
{
	void *resized = realloc(memory, size ? size : 1);
	if (!resized)
		exit_out_of_memory();
	return resized;
}

void byte_buffer_reserve(struct byte_buffer *buffer, size_t extra)
{
	size_t needed = buffer->length + extra;
	size_t capacity = buffer->capacity ? buffer->capacity : 256;

	if (needed < buffer->length)
		exit_out_of_memory();
	if (needed <= buffer->capacity)
		return;
	while (capacity < needed) {
		if (capacity > (size_t)-1 / 2)
			exit_out_of_memory();
		capacity *= 2;
	}
	buffer->data = reallocate_or_exit(buffer->data, capacity);
	buffer->capacity = capacity;
}

void byte_buffer_append(struct byte_buffer *buffer, const void *bytes, size_t count)
{
	byte_buffer_reserve(buffer, count);
	memcpy(buffer->data + buffer->length, bytes, count);
	buffer->length += count;
}

void byte_buffer_append_byte(struct byte_buffer *buffer, char byte)
{
	byte_buffer_append(buffer, &byte, 1);
}

void byte_buffer_free(struct byte_buffer *buffer)
{
	free(buffer->data);
	buffer->data = NULL;
	buffer->length = 0;
	buffer->capacity = 0;
}
