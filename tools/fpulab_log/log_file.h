/* Reads a whole log into memory. */
#ifndef FPULAB_LOG_LOG_FILE_H
#define FPULAB_LOG_LOG_FILE_H

#include "buffer.h"

/* Reads the file at path ("-" means standard input) into contents, leaving at
   least one spare byte after contents->length. Returns 0, or an errno value. */
int read_log_file(const char *path, struct byte_buffer *contents);

#endif
