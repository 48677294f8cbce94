#include "serial.h"
#include "arch/x86.h"

#define COM1 0x3f8
#define REGISTER_DATA 0
#define REGISTER_INTERRUPT_ENABLE 1
#define REGISTER_FIFO_CONTROL 2
#define REGISTER_LINE_CONTROL 3
#define REGISTER_MODEM_CONTROL 4
#define REGISTER_LINE_STATUS 5
#define REGISTER_SCRATCH 7
#define LINE_CONTROL_DLAB 0x80
#define LINE_CONTROL_8N1 0x03
#define LINE_STATUS_HOLDING_EMPTY 0x20
#define LINE_STATUS_TRANSMITTER_EMPTY 0x40
/* A byte at 115200 baud takes about 87 us; this bound is far above that even under
   emulation, and keeps a missing or stuck UART from hanging the kernel. */
#define POLL_LIMIT 10000000u

static int port_present;

void serial_init(void)
{
	outb(COM1 + REGISTER_SCRATCH, 0xa5);
	port_present = inb(COM1 + REGISTER_SCRATCH) == 0xa5;
	if (!port_present)
		return;
	outb(COM1 + REGISTER_INTERRUPT_ENABLE, 0);
	outb(COM1 + REGISTER_LINE_CONTROL, LINE_CONTROL_DLAB);
	outb(COM1 + 0, 1);              /* divisor 1: 115200 baud */
	outb(COM1 + 1, 0);
	outb(COM1 + REGISTER_LINE_CONTROL, LINE_CONTROL_8N1);
	outb(COM1 + REGISTER_FIFO_CONTROL, 0xc7);
	outb(COM1 + REGISTER_MODEM_CONTROL, 0x03);
}

int serial_present(void)
{
	return port_present;
}

static void wait_line_status(uint8_t bit)
{
	for (unsigned i = 0; i < POLL_LIMIT; i++) {
		if (inb(COM1 + REGISTER_LINE_STATUS) & bit)
			return;
		cpu_pause();
	}
}

static void put_byte(char byte)
{
	wait_line_status(LINE_STATUS_HOLDING_EMPTY);
	outb(COM1 + REGISTER_DATA, (uint8_t)byte);
}

void serial_write(const char *text, size_t length)
{
	if (!port_present)
		return;
	for (size_t i = 0; i < length; i++) {
		if (text[i] == '\n')
			put_byte('\r');
		put_byte(text[i]);
	}
}

void serial_drain(void)
{
	if (port_present)
		wait_line_status(LINE_STATUS_TRANSMITTER_EMPTY);
}
