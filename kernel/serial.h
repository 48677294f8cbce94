#ifndef FPULAB_SERIAL_H
#define FPULAB_SERIAL_H

#include <stddef.h>

/* COM1, 16550, 115200 8N1, polled: no interrupts, so it works with them masked. */
void serial_init(void);
void serial_write(const char *text, size_t length);
/* Waits until the transmitter is empty (LSR bit 6): nothing is lost at exit. */
void serial_drain(void);
int serial_present(void);

#endif
