#include "log_file.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

enum {
	READ_CHUNK_SIZE = 64 * 1024,
};

static int read_stream(FILE *stream, struct byte_buffer *contents)
{
	for (;;) {
		size_t count;

		byte_buffer_reserve(contents, READ_CHUNK_SIZE);
		count = fread(contents->data + contents->length, 1, READ_CHUNK_SIZE, stream);
		contents->length += count;
		if (count < READ_CHUNK_SIZE)
			break;
	}
	if (ferror(stream))
		return errno ? errno : EIO;
	byte_buffer_reserve(contents, 1);
	return 0;
}

int read_log_file(const char *path, struct byte_buffer *contents)
{
	FILE *stream;
	int error;

	if (strcmp(path, "-") == 0)
		return read_stream(stdin, contents);
	errno = 0;
	stream = fopen(path, "rb");
	if (!stream)
		return errno ? errno : ENOENT;
	errno = 0;
	error = read_stream(stream, contents);
	fclose(stream);
	return error;
}
